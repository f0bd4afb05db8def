#!/usr/bin/env bash
# Python's `lifetimes` fitted on CDNOW (weekly, observation ending 1998-06-30), to set beside
# rapport's own fit (tests/it/lifetime_cdnow.rs prints it with --nocapture). Installs the analysts'
# tools into a throwaway venv (benches/analysts_venv.sh).
#
# Usage: benches/lifetime_peers.sh
set -euo pipefail
cd "$(dirname "$0")/.."
data=../shared/data/CDNOW_master.txt
[ -f "$data" ] || { echo "skipped: $data is not there" >&2; exit 0; }
. benches/analysts_venv.sh
"$py" - "$data" <<'PY'
import sys
import pandas as pd
from lifetimes import BetaGeoFitter, GammaGammaFitter
from lifetimes.utils import summary_data_from_transaction_data

df = pd.read_csv(sys.argv[1], sep=r"\s+", header=0, names=["id", "date", "n", "value"],
                 dtype={"id": str, "date": str})
df["date"] = pd.to_datetime(df["date"], format="%Y%m%d")
s = summary_data_from_transaction_data(df, "id", "date", monetary_value_col="value",
                                       observation_period_end="1998-06-30", freq="W")
bg = BetaGeoFitter().fit(s["frequency"], s["recency"], s["T"])
print("lifetimes BG/NBD", {k: round(v, 6) for k, v in bg.params_.items()})
repeat = s[(s.frequency > 0) & (s.monetary_value > 0)]
gg = GammaGammaFitter().fit(repeat["frequency"], repeat["monetary_value"])
print("lifetimes Gamma-Gamma over", len(repeat), {k: round(v, 6) for k, v in gg.params_.items()})
# The customers tests/it/lifetime_cdnow.rs checks: (frequency, recency, T, monetary).
for x, tx, T, m in [(0, 0, 78, 0.0), (2, 30, 78, 20.735), (2, 68, 78, 20.735), (71, 71, 71, 126.35971830985916)]:
    one = lambda v: pd.Series([v])
    scalar = lambda v: float(getattr(v, "item", lambda: v)())
    alive = scalar(bg.conditional_probability_alive(x, tx, T))
    bought = scalar(bg.conditional_expected_number_of_purchases_up_to_time(52, x, tx, T))
    spend = gg.conditional_expected_average_profit(one(x), one(m)).iloc[0]
    clv = gg.customer_lifetime_value(bg, one(x), one(tx), one(T), one(m), time=12,
                                     discount_rate=0.01, freq="W").iloc[0]
    print(f"x={x} t_x={tx} T={T} m={m}: p_alive {alive:.9f}, purchases in 52 weeks "
          f"{bought:.9f}, spend {spend:.9f}, 12-month value {clv:.9f}")
PY
cargo test --release --quiet --test it lifetime_cdnow -- --nocapture 2>&1 | grep -E "^(BgNbd|GammaGamma)"
