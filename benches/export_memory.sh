#!/usr/bin/env bash
# Export speed and peak memory on the 100,000-customer demo database: streaming means the peak does not
# grow with the number of rows. Usage: benches/export_memory.sh [DB]  (default: builds one in /tmp)
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
bin=target/release/rapport
db=${1:-/tmp/rapport-bench-100k.db}
if [ ! -d "$db" ]; then
    "$bin" --db "$db" demo --customers 100000 --seed 1 --as-of 2026-11-01 >&2
fi
printf '%-12s %10s %10s %12s %10s\n' export rows seconds rows/s peak_MiB
for what in products orders order-lines; do
    for run in 1 2 3; do
        /usr/bin/time -f '%e %M' -o /tmp/rapport-export-time "$bin" --db "$db" export "$what" > /tmp/rapport-export.csv
        read -r secs kib < /tmp/rapport-export-time
        rows=$(($(wc -l < /tmp/rapport-export.csv) - 1))
        echo "$what $rows $secs $kib"
    done | sort -k3 -n | sed -n 2p | awk '{ printf "%-12s %10d %10.2f %12.0f %10.1f\n", $1, $2, $3, $2 / $3, $4 / 1024 }'
done
rm -f /tmp/rapport-export.csv /tmp/rapport-export-time
