#!/usr/bin/env bash
# rapport's FP-growth and k-means beside the established tools, on the same inputs, timing only the
# algorithm (inputs are read before the clock starts, by every tool). Installs pyfim, mlxtend and
# scikit-learn into a throwaway venv. Prints each median and rapport's time as a ratio of the peer's
# (below 1: rapport is faster).
#
# Usage: benches/compare_peers.sh [RUNS]   (default 5; builds the 100,000-customer demo in /tmp once)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
cargo build --release --quiet
bin=target/release/rapport
work=${RAPPORT_BENCH_DIR:-/tmp/rapport-peers}
mkdir -p "$work"

venv="$work/venv"
if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet pyfim mlxtend scikit-learn pandas numpy
fi
py="$venv/bin/python"

# The scale database's inputs, and Online Retail's when the shared data is there.
scale_db="$work/scale.db"
[ -d "$scale_db" ] || "$bin" --db "$scale_db" demo --customers 100000 --seed 1 --as-of 2026-11-01 >&2
"$bin" --db "$scale_db" bench inputs "$work/scale" >&2
sets=(scale)
retail=../shared/data/online_retail_dec2010.csv
if [ -f "$retail" ]; then
    rm -rf "$work/retail.db"
    "$bin" --db "$work/retail.db" import orders "$retail" --format online-retail >/dev/null 2>&1
    "$bin" --db "$work/retail.db" bench inputs "$work/retail" >&2
    sets+=(retail)
fi

ms_of() { sed -n 's/.*median \([0-9.]*\) ms.*/\1/p'; }
ratio() { case "$2" in ""|">"*) printf '<%.4f' "$(awk -v a="$1" 'BEGIN { print a / 120000 }')" ;; *) awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }' ;; esac; }

printf '%-44s %12s %12s %12s %10s %10s\n' case rapport_ms pyfim_ms mlxtend_ms vs_pyfim vs_mlxtend
for set in "${sets[@]}"; do
    # Online Retail's big invoices make 3.9 million triples at 0.5%: pairs there, as the app does.
    for spec in "0.005 0" "0.005 2" "0.02 0"; do
        read -r support max_len <<< "$spec"
        [ "$set" = retail ] && [ "$spec" = "0.005 0" ] && continue
        ours=$("$bin" bench fpgrowth "$work/$set/baskets.csv" --min-support "$support" --max-len "$max_len" --runs "$runs" | ms_of)
        fim=$("$py" benches/peers.py pyfim "$work/$set/baskets.csv" "$support" "$max_len" "$runs" | cut -d' ' -f2)
        # mlxtend can take many minutes where the others take milliseconds: give it two.
        mlx=$(timeout 120 "$py" benches/peers.py mlxtend "$work/$set/baskets.csv" "$support" "$max_len" "$runs" | cut -d' ' -f2 || true)
        mlx=${mlx:-">120000"}
        printf '%-44s %12s %12s %12s %10s %10s\n' "fpgrowth $set support $support max_len $max_len" \
            "$ours" "$fim" "$mlx" "$(ratio "$ours" "$fim")" "$(ratio "$ours" "$mlx")"
    done
done
printf '\n%-44s %12s %12s %10s\n' case rapport_ms sklearn_ms vs_sklearn
for set in "${sets[@]}"; do
    ours=$("$bin" bench kmeans "$work/$set/features.csv" --k 8 --runs "$runs" | ms_of)
    skl=$("$py" benches/peers.py sklearn "$work/$set/features.csv" 8 "$runs" | cut -d' ' -f2)
    printf '%-44s %12s %12s %10s\n' "kmeans k=8 $set" "$ours" "$skl" "$(ratio "$ours" "$skl")"
done
