#!/usr/bin/env bash
# Import speed at scale: the 100,000-customer demo's orders written as an Online Retail CSV (about a
# million rows), imported into a new database; median of RUNS runs, whole process, with peak memory.
# Usage: benches/import_speed.sh [RUNS]   (default 3; builds the demo in /tmp once)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}
cargo build --release --quiet
bin=$PWD/target/release/rapport
work=${RAPPORT_BENCH_DIR:-/tmp/rapport-peers}
mkdir -p "$work"
db="$work/scale.db"
[ -d "$db" ] || "$bin" --db "$db" demo --customers 100000 --seed 1 --as-of 2026-11-01 >&2
csv="$work/scale-orders.csv"
if [ ! -f "$csv" ]; then
    "$bin" --db "$db" export customers --out "$work/customers.csv"
    "$bin" --db "$db" export products --out "$work/products.csv"
    "$bin" --db "$db" export order-lines --out "$work/order-lines.csv"
    python3 - "$work" <<'PY'
import csv, sys
work = sys.argv[1]
people = {r["id"]: (r["external_id"] or r["id"], r["country"]) for r in csv.DictReader(open(f"{work}/customers.csv"))}
names = {r["sku"]: r["name"] for r in csv.DictReader(open(f"{work}/products.csv"))}
out = csv.writer(open(f"{work}/scale-orders.csv", "w", newline=""), lineterminator="\n")
out.writerow(["InvoiceNo", "StockCode", "Description", "Quantity", "InvoiceDate", "UnitPrice", "CustomerID", "Country"])
for r in csv.DictReader(open(f"{work}/order-lines.csv")):
    customer, country = people.get(r["customer_id"], ("", ""))
    day, time = r["placed"][:10], r["placed"][11:16]
    y, m, d = day.split("-")
    out.writerow([r["order_number"], r["sku"], names.get(r["sku"], ""), r["quantity"], f"{d}/{m}/{y} {time}", r["unit_price"], customer, country])
PY
fi
rows=$(($(wc -l < "$csv") - 1))
for run in $(seq "$runs"); do
    rm -rf "$work/import.db"
    /usr/bin/time -f '%e %M' -o "$work/time" "$bin" --db "$work/import.db" import orders "$csv" --format online-retail > "$work/import.out" 2>&1
    cat "$work/time"
done | sort -n | sed -n "$(( (runs + 1) / 2 ))p" | awk -v rows="$rows" '{ printf "import of %d order lines: median %.2f s, %.0f rows/s, peak %.0f MiB\n", rows, $1, rows / $1, $2 / 1024 }'
head -4 "$work/import.out"
