"""Mocz's tutorial on its own data: the 74% network, then a GridSearchCV that beats it.

Data: ``../shared/data/mocz_galaxy32/mocz_galaxy32.npz`` (Philip Mocz's tutorial:
2,700 training and 675 test images, 32x32 gray, elliptical/spiral/irregular; the
files are sorted by class, so the training set is shuffled). Override the folder
with ``SKGALAXY_SHARED_DATA``.

1. The tutorial's configuration: 8 sigmoid hidden units, a sigmoid per class with the
   binary cross-entropy, ``alpha=1`` (lambda), conjugate gradient for 600
   iterations; test accuracy for a few random initialisations (the seed: 74%).
2. ``GridSearchCV`` (3-fold, on the training set only) over standardising the
   pixels or not, the hidden layers and the penalty, with Adam, relu and early
   stopping; the best configuration is refitted on the whole training set and
   scored once on the test set.

Usage::

    python benchmarks/bench_mlp_mocz.py             # about 2-3 min on 2 cores
    python benchmarks/bench_mlp_mocz.py --seeds 1 --max-iter 200   # quicker
"""

import argparse
import os
import time
import warnings
from pathlib import Path

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV, StratifiedKFold
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

from skgalaxy.neural_network import NumpyMLPClassifier
from skgalaxy.preprocessing import Flatten

ROOT = Path(__file__).resolve().parents[1]


def load(path=None):
    folder = Path(
        os.environ.get("SKGALAXY_SHARED_DATA", ROOT.parent / "shared" / "data")
    )
    path = path or folder / "mocz_galaxy32" / "mocz_galaxy32.npz"
    if not Path(path).exists():
        raise SystemExit(f"{path} not found: this benchmark needs mocz_galaxy32")
    with np.load(path) as data:
        X, y = data["X_train"], data["y_train"]
        X_test, y_test = data["X_test"], data["y_test"]
    order = np.random.RandomState(0).permutation(len(y))  # stored sorted by class
    return X[order], y[order], X_test, y_test


def mocz_network(X, y, X_test, y_test, *, seeds, max_iter):
    scores = []
    for seed in range(seeds):
        clf = NumpyMLPClassifier(
            hidden_layer_sizes=(8,),
            activation="sigmoid",
            loss="binary_log_loss",
            alpha=1.0,
            solver="cg",
            max_iter=max_iter,
            random_state=seed,
        )
        t0 = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            clf.fit(X, y)
        seconds = time.perf_counter() - t0
        scores.append(clf.score(X_test, y_test))
        print(
            f"  random_state={seed}: {clf.n_iter_} iterations in {seconds:5.1f} s, "
            f"train {clf.score(X, y):.3f}, test {scores[-1]:.3f}",
            flush=True,
        )
    return np.array(scores)


def grid_search(X, y, *, n_jobs):
    pipe = Pipeline(
        [
            ("flatten", Flatten()),
            ("scale", StandardScaler()),
            (
                "mlp",
                NumpyMLPClassifier(
                    solver="adam",
                    activation="relu",
                    max_iter=150,
                    early_stopping=True,
                    n_iter_no_change=10,
                    random_state=0,
                ),
            ),
        ]
    )
    grid = {
        "scale": ["passthrough", StandardScaler()],
        "mlp__hidden_layer_sizes": [(64,), (128, 64)],
        "mlp__alpha": [1.0, 10.0],
    }
    search = GridSearchCV(
        pipe,
        grid,
        cv=StratifiedKFold(3, shuffle=True, random_state=0),
        n_jobs=n_jobs,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        search.fit(X, y)
    return search


def describe(params):
    scale = "standardised" if params["scale"] != "passthrough" else "raw"
    return (
        f"{scale} pixels, hidden {params['mlp__hidden_layer_sizes']}, "
        f"alpha={params['mlp__alpha']}"
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--max-iter", type=int, default=600)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--skip-grid", action="store_true")
    parser.add_argument("--quick", action="store_true", help="one seed, short, no grid")
    args = parser.parse_args()
    if args.quick:
        args.seeds, args.max_iter, args.skip_grid = 1, 60, True

    X, y, X_test, y_test = load()
    print(f"mocz_galaxy32: {len(X)} training, {len(X_test)} test images {X.shape[1:]}")
    print(
        f"1. Mocz's network: 8 sigmoid units, binary log-loss, alpha=1, cg "
        f"{args.max_iter} iterations"
    )
    with threadpool_limits(limits=args.threads):
        scores = mocz_network(
            X, y, X_test, y_test, seeds=args.seeds, max_iter=args.max_iter
        )
    print(
        f"  test accuracy {scores.mean():.3f} +/- {scores.std():.3f} (tutorial: 0.74)"
    )
    if args.skip_grid:
        return
    print("2. GridSearchCV (3-fold on the training set), adam + relu + early stopping")
    t0 = time.perf_counter()
    # each of the 2 workers gets one BLAS thread (joblib limits them itself)
    search = grid_search(X, y, n_jobs=args.threads)
    seconds = time.perf_counter() - t0
    results = search.cv_results_
    for i in np.argsort(-results["mean_test_score"]):
        print(
            f"  {results['mean_test_score'][i]:.3f} +/- "
            f"{results['std_test_score'][i]:.3f}  {describe(results['params'][i])}"
        )
    test = search.score(X_test, y_test)
    print(f"  search took {seconds:.0f} s")
    print("summary (test accuracy, 675 images):")
    print(f"  Mocz's configuration           {scores.mean():.3f}")
    print(f"  best: {describe(search.best_params_)}  {test:.3f}")


if __name__ == "__main__":
    main()
