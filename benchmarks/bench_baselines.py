"""Hildebrandt's pixel-baseline table on synthetic votes (and Kaggle's, if present).

Prints, for each :class:`~skgalaxy.baseline.PixelBaselineRegressor` strategy, the
held-out Kaggle RMSE (element-wise, over all n x 37 vote fractions), its ratio to
the mean-vote baseline, R^2, the accuracies of the plurality answer and of the
Hubble class (threshold 0.9) derived from the votes, and fit + predict time.
Peers measured in the same run:

- the report's own code path (NumPy features + ``LinearRegression``) for the
  two linear baselines: the RMSE must be identical, and the time ratio shows what the
  estimator costs;
- scikit-learn's ``DummyRegressor`` for the mean.

Run::

    python benchmarks/bench_baselines.py                # 5,000 galaxies, 64x64x3
    python benchmarks/bench_baselines.py --n-samples 20000 --levels 4 8 16
    python benchmarks/bench_baselines.py --kaggle-dir /path/to/galaxy-zoo

The report on the real Kaggle data (39,409 train / 9,853 test): central pixel
0.1577, average pixel 0.1597, mean 0.1639; Kaggle's central-pixel benchmark
0.16194 (public leaderboard). These are the ``reported`` column.

Reference: P. Hildebrandt, "Galaxy morphology classification with Convolutional
Neural Networks", course project report for PH0101 (Kaggle Galaxy Zoo challenge
data).
"""

import argparse
import time

import numpy as np
from sklearn.dummy import DummyRegressor
from sklearn.linear_model import LinearRegression
from sklearn.model_selection import train_test_split

from skgalaxy.baseline import PixelBaselineRegressor
from skgalaxy.metrics import (
    hubble_accuracy,
    kaggle_rmse,
    plurality_accuracy,
    rmse_per_question,
)

STRATEGIES = ("mean", "central_pixel", "average_pixel", "central_patch_cluster")
# RMSE on the real Kaggle data, as reported (see the module docstring)
REPORTED_RMSE = {
    "mean": 0.1639,
    "central_pixel": 0.1577,
    "average_pixel": 0.1597,
    "central_patch_cluster": 0.16194,
}


def report_features(strategy, X):
    """The report's ``center_pixel`` and ``average_color``, on [0, 1] images."""
    X = X if X.ndim == 4 else X[..., None]
    if strategy == "central_pixel":
        f = X[:, int(X.shape[1] / 2), int(X.shape[2] / 2), :]
    else:
        f = np.sum(X, axis=(1, 2), dtype=np.float64) / (X.shape[1] * X.shape[2])
    return f / 255.0 if X.dtype == np.uint8 else f


def timed(func):
    start = time.perf_counter()
    out = func()
    return out, time.perf_counter() - start


def peer_fit_predict(strategy, X_train, y_train, X_test):
    if strategy == "mean":
        est = DummyRegressor().fit(X_train.reshape(len(X_train), -1)[:, :1], y_train)
        return est.predict(np.zeros((len(X_test), 1)))
    lr = LinearRegression().fit(report_features(strategy, X_train), y_train)
    return lr.predict(report_features(strategy, X_test))


def table(X_train, X_test, y_train, y_test, *, patch_size, n_levels, title):
    print(f"\n{title}")
    print(
        f"train {len(X_train)} / test {len(X_test)} galaxies of "
        f"{'x'.join(map(str, X_train.shape[1:]))}, patch {patch_size}, "
        f"{n_levels} levels"
    )
    header = (
        f"{'strategy':<24}{'RMSE':>8}{'/ mean':>8}{'R^2':>8}{'plur.acc':>9}"
        f"{'hub.acc':>8}{'reported':>9}{'time s':>8}{'peer s':>8}{'ratio':>7}"
        "  same RMSE as peer"
    )
    print(header)
    print("-" * len(header))
    rows = {}
    for strategy in STRATEGIES:
        reg = PixelBaselineRegressor(strategy, patch_size=patch_size, n_levels=n_levels)
        pred, t_ours = timed(lambda: reg.fit(X_train, y_train).predict(X_test))
        rows[strategy] = pred
        rmse = kaggle_rmse(y_test, pred)
        rmse_mean = kaggle_rmse(y_test, rows["mean"])
        r2 = reg.score(X_test, y_test)
        acc = plurality_accuracy(y_test, pred)
        hub = hubble_accuracy(y_test, pred) if y_test.shape[1] == 37 else np.nan
        if strategy == "central_patch_cluster":
            t_peer_s = ratio_s = ""
            peer = f"(no peer; {len(reg.group_keys_)} groups)"
        else:
            peer_pred, t_peer = timed(
                lambda: peer_fit_predict(strategy, X_train, y_train, X_test)
            )
            same = np.isclose(kaggle_rmse(y_test, peer_pred), rmse, rtol=1e-9)
            peer = "yes" if same else f"NO ({kaggle_rmse(y_test, peer_pred):.5f})"
            t_peer_s, ratio_s = f"{t_peer:8.3f}", f"{t_ours / t_peer:7.2f}"
        print(
            f"{strategy:<24}{rmse:8.4f}{rmse / rmse_mean:8.3f}{r2:8.3f}{acc:9.3f}"
            f"{hub:8.3f}{REPORTED_RMSE[strategy]:9.4f}{t_ours:8.3f}{t_peer_s:>8}"
            f"{ratio_s:>7}  {peer}"
        )
    order = sorted(STRATEGIES, key=lambda s: kaggle_rmse(y_test, rows[s]))
    print("ordering (best first):", " < ".join(order))
    beats_mean = all(
        kaggle_rmse(y_test, rows[s]) <= kaggle_rmse(y_test, rows["mean"])
        for s in STRATEGIES
    )
    print("every pixel baseline at least as good as the mean:", beats_mean)
    if y_test.shape[1] == 37:
        print("RMSE per question (Q1..Q11):")
        for strategy in STRATEGIES:
            per_q = rmse_per_question(y_test, rows[strategy])
            print(f"  {strategy:<22}" + " ".join(f"{v:.3f}" for v in per_q))
    return rows


def level_sweep(X_train, X_test, y_train, y_test, patch_size, levels):
    print("\ncentral_patch_cluster: RMSE against n_levels")
    for n_levels in levels:
        reg = PixelBaselineRegressor(
            "central_patch_cluster", patch_size=patch_size, n_levels=n_levels
        ).fit(X_train, y_train)
        rmse = kaggle_rmse(y_test, reg.predict(X_test))
        print(f"  n_levels={n_levels:<4} groups={len(reg.group_keys_):<6} {rmse:.4f}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-samples", type=int, default=5000)
    parser.add_argument("--image-size", type=int, default=64)
    parser.add_argument("--patch-size", type=int, default=10)
    parser.add_argument("--n-levels", type=int, default=16)
    parser.add_argument("--levels", type=int, nargs="*", default=[2, 4, 8, 16, 32])
    parser.add_argument("--random-state", type=int, default=0)
    parser.add_argument(
        "--kaggle-dir",
        default=None,
        help="Kaggle Galaxy Zoo folder (training_solutions_rev1.csv "
        "and images_training_rev1/); skipped when absent",
    )
    parser.add_argument("--kaggle-max-images", type=int, default=5000)
    parser.add_argument("--quick", action="store_true", help="small, for a smoke run")
    args = parser.parse_args(argv)
    if args.quick:
        args.n_samples, args.kaggle_max_images, args.levels = 600, 200, [4, 16]

    from skgalaxy.datasets import make_galaxies

    size = args.image_size
    patch = args.patch_size
    (X, _, votes), t_gen = timed(
        lambda: make_galaxies(
            args.n_samples,
            image_size=size,
            return_votes=True,
            random_state=args.random_state,
        )
    )
    print(f"make_galaxies: {args.n_samples} galaxies in {t_gen:.1f} s")
    split = train_test_split(X, votes, test_size=0.2, random_state=args.random_state)
    table(
        *split,
        patch_size=patch,
        n_levels=args.n_levels,
        title="Synthetic votes (skgalaxy.datasets.make_galaxies)",
    )
    if args.levels:
        level_sweep(*split, patch, args.levels)

    if args.kaggle_dir:
        from pathlib import Path

        if not (Path(args.kaggle_dir) / "training_solutions_rev1.csv").is_file():
            print(f"\nno training_solutions_rev1.csv in {args.kaggle_dir}: skipped")
            return
        from skgalaxy.datasets import load_galaxy_zoo

        X, votes = load_galaxy_zoo(
            args.kaggle_dir, max_images=args.kaggle_max_images, return_X_y=True
        )
        split = train_test_split(X, votes, test_size=0.2, random_state=42)
        table(
            *split,
            patch_size=10,
            n_levels=args.n_levels,
            title="Kaggle Galaxy Zoo (raw 424x424x3 JPEGs)",
        )


if __name__ == "__main__":
    main()
