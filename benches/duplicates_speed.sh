#!/usr/bin/env bash
# `rapport duplicates` over the 100,000-customer demo with 5% written again (and 2.5% housemates):
# the labelled records from `rapport eval duplicates --write`, imported into a new database, then
# the command timed RUNS times (wall seconds and peak memory of each; quote the median).
#
# Usage: benches/duplicates_speed.sh [RUNS] (default 5); run from a release build.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
rapport=${RAPPORT:-target/release/rapport}
work=${RAPPORT_BENCH_DIR:-/tmp/rapport-bench}
mkdir -p "$work"
db="$work/duplicates-100k.db"
if [ ! -d "$db" ]; then
    "$rapport" eval duplicates --customers 100000 --share 0.05 --write "$work/labelled-100k.csv"
    "$rapport" --db "$db" import customers "$work/labelled-100k.csv" > /dev/null
fi
for _ in $(seq "$runs"); do
    /usr/bin/time -f "%e s %M KB" "$rapport" --db "$db" duplicates --format csv 2>&1 > /dev/null | tail -1
done
