"""Times the peers on the inputs `rapport bench inputs` writes: Borgelt's FP-growth (pyfim) and
mlxtend's on the baskets, scikit-learn's KMeans(n_init=1) on the feature matrix. Only the algorithm
is timed, as `rapport bench` does; prints one line per tool with the median of the runs in ms."""

import statistics
import sys
import time

import numpy as np


def median_ms(run, runs):
    times = []
    result = None
    for _ in range(runs):
        started = time.perf_counter()
        result = run()
        times.append((time.perf_counter() - started) * 1e3)
    return statistics.median(times), result


def baskets(path):
    with open(path) as f:
        return [[t for t in line.strip().split(",") if t] for line in f]


def main():
    what, path = sys.argv[1], sys.argv[2]
    runs = int(sys.argv[-1])
    if what == "pyfim":
        import fim

        support, max_len = float(sys.argv[3]), int(sys.argv[4])
        data = baskets(path)
        count = int(np.ceil(support * len(data)))
        zmax = max_len if max_len > 0 else -1
        # A negative support is an absolute count, the same threshold rapport uses.
        ms, found = median_ms(lambda: fim.fpgrowth(data, supp=-count, zmax=zmax, report="a"), runs)
        print(f"pyfim {ms:.2f} {len(found)}")
    elif what == "mlxtend":
        import pandas as pd
        from mlxtend.frequent_patterns import fpgrowth
        from mlxtend.preprocessing import TransactionEncoder

        support, max_len = float(sys.argv[3]), int(sys.argv[4])
        data = baskets(path)
        encoder = TransactionEncoder()
        frame = pd.DataFrame.sparse.from_spmatrix(
            encoder.fit(data).transform(data, sparse=True), columns=encoder.columns_
        )
        ms, found = median_ms(
            lambda: fpgrowth(frame, min_support=support, max_len=max_len or None), runs
        )
        print(f"mlxtend {ms:.2f} {len(found)}")
    elif what == "sklearn":
        from sklearn.cluster import KMeans

        k = int(sys.argv[3])
        x = np.loadtxt(path, delimiter=",")
        seeds = iter(range(runs))
        models = []

        def fit():
            models.append(
                KMeans(n_clusters=k, n_init=1, init="k-means++", tol=1e-4, max_iter=300,
                       random_state=next(seeds)).fit(x)
            )

        ms, _ = median_ms(fit, runs)
        quality = statistics.mean(m.inertia_ / len(x) for m in models)
        print(f"sklearn {ms:.2f} {quality:.4f}")


main()
