"""recordlinkage on a labelled customer CSV (a `person` column says who each record is):
sorted-neighbourhood and postcode blocking, Jaro-Winkler and exact comparisons, its unsupervised
ECM classifier. Prints precision, recall and F1 as rapport's eval does."""
import re
import sys
import time

import pandas as pd
import recordlinkage
from recordlinkage.preprocessing import clean

df = pd.read_csv(sys.argv[1], dtype=str).set_index("customer id")
person = df.pop("person")
for column in ("email", "phone", "company"):
    if column not in df:
        df[column] = pd.NA
started = time.perf_counter()
# The same normal forms rapport compares, as far as recordlinkage's own cleaning goes.
df["name"] = clean(df["name"]).map(lambda s: " ".join(sorted(str(s).split())))
df["street"] = clean(df["street"])
df["city"] = clean(df["city"])
df["postcode"] = df["postcode"].str.replace(r"\s", "", regex=True).str.upper()
df["email"] = df["email"].str.strip().str.lower()
df["phone"] = df["phone"].map(lambda p: re.sub(r"\D", "", p)[-9:] if isinstance(p, str) else p)
indexer = recordlinkage.Index()
indexer.sortedneighbourhood("name", window=21)
indexer.block("postcode")
if df["email"].notna().any():
    indexer.block("email")
    indexer.block("phone")
pairs = indexer.index(df)
compare = recordlinkage.Compare()
compare.string("name", "name", method="jarowinkler", threshold=0.88, label="name")
compare.string("street", "street", method="jarowinkler", threshold=0.9, label="street")
compare.exact("postcode", "postcode", label="postcode")
compare.exact("city", "city", label="city")
if df["email"].notna().any():
    compare.exact("email", "email", label="email")
    compare.exact("phone", "phone", label="phone")
    compare.string("company", "company", method="jarowinkler", threshold=0.92, label="company")
features = compare.compute(pairs, df)
found = recordlinkage.ECMClassifier(binarize=0.5).fit_predict(features)
seconds = time.perf_counter() - started
truth = {(a, b) for a, b in pairs if person[a] == person[b]}
all_true = sum(n * (n - 1) // 2 for n in person.value_counts())
right = sum(1 for a, b in found if person[a] == person[b])
p = right / len(found) if len(found) else 0.0
r = right / all_true
f1 = 2 * p * r / (p + r) if p + r else 0.0
print(f"recordlinkage: {len(found):,} found, {right:,} right: precision {p:.4f}, recall {r:.4f}, "
      f"F1 {f1:.4f} ({seconds:.2f} s; candidates hold {len(truth):,} of {all_true:,} true pairs)")
