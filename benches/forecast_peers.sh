#!/usr/bin/env bash
# CDNOW's weekly revenue (ISO weeks, complete ones up to 1998-06-30) with the last 13 weeks held
# out, forecast by statsmodels as analysts would: ARIMA(1,1,1), simple exponential smoothing and
# the naive forecasts, each by MASE (scaled by the one-week naive error in the weeks learned from)
# and sMAPE. Then rapport's `eval forecast` on the same purchases, imported into a scratch database.
#
# Usage: benches/forecast_peers.sh [path/to/rapport]
set -euo pipefail
cd "$(dirname "$0")/.."
data=../shared/data/CDNOW_master.txt
[ -f "$data" ] || { echo "skipped: $data is not there" >&2; exit 0; }
rapport=${1:-target/release/rapport}
. benches/analysts_venv.sh
"$py" - "$data" <<'PY'
import sys
import warnings

import numpy as np
import pandas as pd
from statsmodels.tsa.arima.model import ARIMA
from statsmodels.tsa.holtwinters import SimpleExpSmoothing

warnings.simplefilter("ignore")
HOLDOUT = 13
df = pd.read_csv(sys.argv[1], sep=r"\s+", header=0, names=["id", "date", "n", "value"],
                 dtype={"id": str, "date": str})
df["date"] = pd.to_datetime(df["date"], format="%Y%m%d")
df = df[df["date"] <= "1998-06-28"]
df["week"] = df["date"] - pd.to_timedelta(df["date"].dt.weekday, unit="D")
weekly = df.groupby("week")["value"].sum()
weekly = weekly.reindex(pd.date_range(weekly.index.min(), weekly.index.max(), freq="7D"),
                        fill_value=0.0)
y = weekly.to_numpy()
train, test = y[:-HOLDOUT], y[-HOLDOUT:]
scale = np.mean(np.abs(np.diff(train)))


def report(name, f):
    mase = np.mean(np.abs(test - f)) / scale
    smape = 100 * np.mean(2 * np.abs(test - f) / (np.abs(test) + np.abs(f)))
    print(f"statsmodels {name:<28} MASE {mase:.3f}  sMAPE {smape:.2f}")


print(f"{len(train)} weeks to learn from, {HOLDOUT} held out from {weekly.index[-HOLDOUT].date()}")
report("naive (last week)", np.repeat(train[-1], HOLDOUT))
report("ARIMA(1,1,1)", ARIMA(train, order=(1, 1, 1)).fit().forecast(HOLDOUT))
report("simple exp. smoothing", SimpleExpSmoothing(train, initialization_method="estimated").fit().forecast(HOLDOUT))
PY
if [ -x "$rapport" ]; then
    db=$(mktemp -d)/cdnow.db
    "$rapport" --db "$db" import orders --format cdnow "$data" >/dev/null
    "$rapport" --db "$db" eval forecast --holdout-weeks 13 --as-of 1998-06-30
    rm -rf "$(dirname "$db")"
else
    echo "skipped rapport's side: $rapport is not built (cargo build --release)" >&2
fi
