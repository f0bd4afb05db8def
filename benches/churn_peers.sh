#!/usr/bin/env bash
# Churn and repeat purchases on CDNOW as analysts reckon them in Python, to set beside rapport's
# (tests/it/lifetime_cdnow.rs prints rapport's figures with --nocapture). Calibration up to
# 1997-09-30; churn is "nothing bought in the next 90 days"; purchases are counted to 1998-06-30.
#   - scikit-learn's LogisticRegression on rapport's own customer features (the same definitions,
#     written again here) and on the plain RFM summary lifetimes gives;
#   - lifetimes' BG/NBD expected purchases as a churn score, and its holdout purchases' mean
#     absolute error beside a naive rate (each customer's calibration rate carried on).
# Installs the analysts' tools into a throwaway venv (benches/analysts_venv.sh).
#
# Usage: benches/churn_peers.sh
set -euo pipefail
cd "$(dirname "$0")/.."
data=../shared/data/CDNOW_master.txt
[ -f "$data" ] || { echo "skipped: $data is not there" >&2; exit 0; }
. benches/analysts_venv.sh
"$py" - "$data" <<'PY'
import math
import sys
from collections import defaultdict
from datetime import date, timedelta

import numpy as np
import pandas as pd
from lifetimes import BetaGeoFitter
from lifetimes.utils import summary_data_from_transaction_data
from sklearn.ensemble import HistGradientBoostingClassifier, RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import cross_val_predict
from sklearn.metrics import roc_auc_score
from sklearn.preprocessing import StandardScaler

SPLIT, END, HORIZON = date(1997, 9, 30), date(1998, 6, 30), 90

df = pd.read_csv(sys.argv[1], sep=r"\s+", header=0, names=["id", "date", "n", "value"],
                 dtype={"id": str, "date": str})
df["date"] = pd.to_datetime(df["date"], format="%Y%m%d")
bought = defaultdict(lambda: defaultdict(float))
for cid, day, value in zip(df["id"], df["date"].dt.date, df["value"]):
    bought[cid][day] += value
ids = sorted(bought)


def own_features(days, cut):
    """rapport's eleven own features (src/insights/churn.rs), without tickets, returns or notes."""
    d = sorted((k, v) for k, v in days.items() if k <= cut)
    if not d:
        return None
    n = len(d)
    since = lambda k: (cut - k).days
    recency, tenure = since(d[-1][0]), since(d[0][0])
    gap = 0.0 if n == 1 else (d[-1][0] - d[0][0]).days / (n - 1)
    overdue = 0.0 if n == 1 else recency / max(gap, 1.0)
    recent = sum(1 for k, _ in d if since(k) < HORIZON)
    spend = sum(v for _, v in d) / n
    return [math.log1p(recency), math.log1p(n), math.log1p(max(spend, 0)), math.log1p(tenure),
            math.log1p(gap), float(n == 1), math.log1p(overdue), math.log1p(recent), 0.0, 0.0,
            math.log1p(tenure)]


def churned(days, cut):
    return not any(cut < k <= cut + timedelta(days=HORIZON) for k in days)


def bgnbd_at(cut):
    s = summary_data_from_transaction_data(df[df["date"].dt.date <= cut], "id", "date",
                                           observation_period_end=str(cut), freq="W")
    bg = BetaGeoFitter().fit(s["frequency"], s["recency"], s["T"])
    alive = bg.conditional_probability_alive(s["frequency"], s["recency"], s["T"])
    expected = bg.conditional_expected_number_of_purchases_up_to_time(
        HORIZON / 7, s["frequency"], s["recency"], s["T"])
    return s, dict(zip(s.index, alive)), dict(zip(s.index, expected))


def table(cut, with_bgnbd):
    s, alive, expected = bgnbd_at(cut)
    rows, labels, rfm, who = [], [], [], []
    for cid in ids:
        f = own_features(bought[cid], cut)
        if f is None:
            continue
        if with_bgnbd:
            f = f + [alive[cid], math.log1p(max(expected[cid], 0))]
        rows.append(f)
        labels.append(churned(bought[cid], cut))
        r = s.loc[cid]
        rfm.append([r["frequency"], r["recency"], r["T"]])
        who.append(cid)
    return np.array(rows), np.array(labels), np.array(rfm), expected, who


train_cut = SPLIT - timedelta(days=HORIZON)
for name, with_bg in [("rapport's features", True), ("rapport's own features, no BG/NBD", False)]:
    X0, y0, R0, _, _ = table(train_cut, with_bg)
    X1, y1, R1, expected, who = table(SPLIT, with_bg)
    scaler = StandardScaler().fit(X0)
    model = LogisticRegression(max_iter=1000).fit(scaler.transform(X0), y0)
    p = model.predict_proba(scaler.transform(X1))[:, list(model.classes_).index(True)]
    print(f"scikit-learn LogisticRegression, {name}: AUC {roc_auc_score(y1, p):.4f}")
# Trees on the same features, learned the same way; and how far purchase history reaches at all:
# logistic regression cross-validated within the scored period itself (5 folds), which no model
# learned before the split can see.
X0, y0, _, _, _ = table(train_cut, True)
X1, y1, _, _, _ = table(SPLIT, True)
for name, model in [
    ("HistGradientBoosting", HistGradientBoostingClassifier(max_iter=300, learning_rate=0.02,
                                                            max_depth=2, min_samples_leaf=300)),
    ("RandomForest", RandomForestClassifier(n_estimators=300, min_samples_leaf=200,
                                            max_features=0.5, random_state=0)),
]:
    p = model.fit(X0, y0).predict_proba(X1)[:, 1]
    print(f"scikit-learn {name}, rapport's features: AUC {roc_auc_score(y1, p):.4f}")
inside = cross_val_predict(LogisticRegression(max_iter=1000), StandardScaler().fit_transform(X1), y1,
                           cv=5, method="predict_proba")[:, 1]
print(f"ceiling: LogisticRegression cross-validated within the scored period: AUC "
      f"{roc_auc_score(y1, inside):.4f}")
scaler = StandardScaler().fit(R0)
model = LogisticRegression(max_iter=1000).fit(scaler.transform(R0), y0)
p = model.predict_proba(scaler.transform(R1))[:, list(model.classes_).index(True)]
print(f"scikit-learn LogisticRegression, lifetimes' RFM summary: AUC {roc_auc_score(y1, p):.4f}")
print(f"lifetimes BG/NBD expected purchases: AUC "
      f"{roc_auc_score(y1, [-expected[c] for c in who]):.4f}; churned {int(y1.sum())} of {len(y1)}")

# lifetimes' calibration_and_holdout_data fails under current pandas; the same counts, by hand:
# distinct weeks with a purchase after the calibration, and the holdout's length in weeks.
cal, _, _ = bgnbd_at(SPLIT)
week = lambda d: pd.Period(d, freq="W")
duration = (week(END) - week(SPLIT)).n
holdout = {cid: len({week(k) for k in bought[cid] if SPLIT < k <= END}) for cid in cal.index}
bg = BetaGeoFitter().fit(cal["frequency"], cal["recency"], cal["T"])
predicted = bg.conditional_expected_number_of_purchases_up_to_time(
    duration, cal["frequency"], cal["recency"], cal["T"])
actual = pd.Series(holdout)[cal.index]
naive = (cal["frequency"] / cal["T"].where(cal["T"] > 0)).fillna(0) * duration
print(f"holdout repeat purchases over {duration} weeks, mean absolute error: lifetimes BG/NBD "
      f"{(predicted - actual).abs().mean():.4f}, naive rate {(naive - actual).abs().mean():.4f}"
      f" over {len(cal)} customers")
PY
