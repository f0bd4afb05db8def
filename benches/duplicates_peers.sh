#!/usr/bin/env bash
# Duplicate detection on the same labelled records, rapport beside the Python record-linkage
# toolkit analysts use (recordlinkage: sorted-neighbourhood and postcode blocking, Jaro-Winkler and
# exact comparisons, its unsupervised ECM classifier, Fellegi-Sunter by EM as rapport's is).
# `rapport eval duplicates --write` makes the records (the demo's customers with duplicates and
# housemates written in) and prints rapport's own scores; the script scores recordlinkage's.
#
# Usage: benches/duplicates_peers.sh [CUSTOMERS] (default 3000); run from a release build.
set -euo pipefail
cd "$(dirname "$0")/.."
customers=${1:-3000}
rapport=${RAPPORT:-target/release/rapport}
. benches/analysts_venv.sh
for fields in all names-and-addresses; do
    flag=()
    [ "$fields" = all ] || flag=(--names-and-addresses)
    file="$work/labelled-$customers-$fields.csv"
    echo "== $customers customers, $fields"
    echo -n "rapport:       "
    "$rapport" eval duplicates --customers "$customers" "${flag[@]}" --write "$file" | tail -1
    "$py" benches/recordlinkage_peer.py "$file"
done
