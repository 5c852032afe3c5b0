"""Accuracy of the CNN estimators on real and synthetic galaxies (figures, not tests).

Three experiments, each printing its figure next to a baseline measured in the same
run:

- ``mocz``: ``mocz_galaxy32`` (the 32x32 gray galaxies of Mocz's tutorial, 3
  classes, 2,700 train / 675 test): CNNClassifier test accuracy; the tutorial's MLP
  reached 74 % and the target is at least 85 % in a fit of minutes on 2 CPU cores.
- ``gz1``: ``gz1_small`` (SDSS Galaxy Zoo 1 colour cutouts, 423x423): four classes
  (clockwise and anticlockwise spirals merged, "don't know" dropped), a stratified
  75/25 split; CenterCrop (or ROICrop) + CNNClassifier against a logistic regression
  on the pixels of the same crops.
- ``votes``: ``make_galaxies(..., return_votes=True)``: CNNRegressor's Kaggle RMSE on
  the 37 vote fractions (sigmoid and tree heads) against predicting the training
  mean.

Run::

    python benchmarks/bench_cnn_accuracy.py                  # all three, reduced
    python benchmarks/bench_cnn_accuracy.py mocz --epochs 40  # one, longer

The data sets are read from the folder that ``SKGALAXY_SHARED_DATA`` names (by
default, the project's shared data folder beside the repository).

Reference: P. Mocz, "Create Your Own Artificial Neural Network for Multi-class
Classification (With Python)", Level Up Coding, 2023.
https://github.com/pmocz/artificialneuralnetwork-python
"""

import argparse
import os
import time
from pathlib import Path

import numpy as np
import torch
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skgalaxy.neural_network import CNNClassifier, CNNRegressor

DATA = Path(
    os.environ.get(
        "SKGALAXY_SHARED_DATA",
        Path(__file__).resolve().parents[1].parent / "shared" / "data",
    )
)


def mocz(args):
    d = np.load(DATA / "mocz_galaxy32" / "mocz_galaxy32.npz")
    X_train, y_train, X_test, y_test = (
        d["X_train"],
        d["y_train"],
        d["X_test"],
        d["y_test"],
    )
    clf = CNNClassifier(
        module__n_blocks=3,
        module__filters=(32, 64, 128),
        module__hidden_units=(128,),
        module__dropout=0.3,
        lr=2e-3,
        max_epochs=args.epochs,
        batch_size=64,
        augment={"max_angle": 180.0, "zoom": 0.05, "contrast": 0.05},
        lr_schedule="cosine",
        train_split=None,
        random_state=0,
        verbose=args.verbose,
    )
    t0 = time.perf_counter()
    clf.fit(X_train, y_train)
    fit_s = time.perf_counter() - t0
    acc = clf.score(X_test, y_test)
    clf.set_params(tta=True)
    acc_tta = clf.score(X_test, y_test)
    logreg = make_pipeline(StandardScaler(), LogisticRegression(C=0.01, max_iter=500))
    logreg.fit(X_train.reshape(len(X_train), -1) / 255.0, y_train)
    acc_lr = logreg.score(X_test.reshape(len(X_test), -1) / 255.0, y_test)
    print(
        f"mocz_galaxy32 ({len(X_train)} train / {len(X_test)} test, 32x32 gray, 3 "
        f"classes), {args.epochs} epochs, fit {fit_s:.0f} s:\n"
        f"  CNNClassifier test accuracy {acc:.3f} (with TTA {acc_tta:.3f}); pixel "
        f"logistic regression {acc_lr:.3f}; Mocz's MLP 0.74; target >= 0.85"
    )


def _load_gz1(crop, size):
    import csv

    from skgalaxy.datasets import load_images
    from skgalaxy.preprocessing import CenterCrop, ROICrop

    rows = list(csv.DictReader(open(DATA / "gz1_small" / "subset.csv")))
    merge = {"0": 0, "1": 1, "2": 1, "3": 2, "5": 3}  # CW + ACW -> spiral; 4 dropped
    rows = [r for r in rows if r["CLASS"] in merge]
    paths = [DATA / "gz1_small" / r["file"] for r in rows]
    y = np.array([merge[r["CLASS"]] for r in rows])
    if crop == "center":
        transformer = CenterCrop(fraction=0.5, output_size=size)
    else:
        transformer = ROICrop(output_size=size)
    X = load_images(paths, transformer=transformer, progress=False, n_jobs=2)
    if X.dtype != np.uint8:  # transformers return float32 in [0, 1]
        X = np.clip(np.rint(X * 255), 0, 255).astype(np.uint8)
    return X, y


def gz1(args):
    names = ("elliptical", "spiral", "edge-on", "merger")
    for crop in args.crops:
        t0 = time.perf_counter()
        X, y = _load_gz1(crop, args.gz1_size)
        load_s = time.perf_counter() - t0
        X_train, X_test, y_train, y_test = train_test_split(
            X, y, test_size=0.25, stratify=y, random_state=0
        )
        clf = CNNClassifier(
            module__n_blocks=4,
            module__filters=(32, 64, 96, 128),
            module__hidden_units=(128,),
            module__dropout=0.3,
            lr=2e-3,
            max_epochs=args.epochs,
            batch_size=64,
            augment={"max_angle": 180.0, "zoom": 0.05},
            class_weight="balanced",
            lr_schedule="cosine",
            train_split=None,
            random_state=0,
            verbose=args.verbose,
        )
        t0 = time.perf_counter()
        clf.fit(X_train, y_train)
        fit_s = time.perf_counter() - t0
        acc = clf.score(X_test, y_test)
        small = X_train[:, ::2, ::2].reshape(len(X_train), -1) / 255.0
        logreg = make_pipeline(
            StandardScaler(), LogisticRegression(C=0.01, max_iter=300)
        )
        logreg.fit(small, y_train)
        acc_lr = logreg.score(
            X_test[:, ::2, ::2].reshape(len(X_test), -1) / 255.0, y_test
        )
        majority = np.bincount(y_test).max() / len(y_test)
        counts = ", ".join(f"{n} {np.sum(y == i)}" for i, n in enumerate(names))
        print(
            f"gz1_small, {crop} crop to {args.gz1_size}x{args.gz1_size}x3 ({counts}; "
            f"{len(X_train)} train / {len(X_test)} test; load {load_s:.0f} s, CNN fit "
            f"{fit_s:.0f} s, {args.epochs} epochs):\n"
            f"  CNNClassifier accuracy {acc:.3f}; pixel logistic regression "
            f"{acc_lr:.3f}; majority class {majority:.3f}"
        )


def votes(args):
    from skgalaxy.datasets import make_galaxies
    from skgalaxy.metrics import kaggle_rmse

    X, _, V = make_galaxies(
        args.n_votes,
        image_size=48,
        n_channels=1,
        return_votes=True,
        random_state=0,
        n_jobs=2,
    )
    V = V.astype(np.float32)
    X_train, X_test, V_train, V_test = train_test_split(
        X, V, test_size=0.25, random_state=0
    )
    baseline = kaggle_rmse(V_test, np.broadcast_to(V_train.mean(axis=0), V_test.shape))
    line = [
        f"make_galaxies votes ({len(X_train)} train / {len(X_test)} test, 48x48 gray)"
    ]
    for output in ("sigmoid", "tree"):
        reg = CNNRegressor(
            module__n_blocks=4,
            module__filters=(16, 32, 64, 64),
            module__hidden_units=(128,),
            output=output,
            lr=2e-3,
            max_epochs=args.epochs,
            batch_size=64,
            augment={"max_angle": 180.0, "zoom": 0.05},
            lr_schedule="cosine",
            train_split=None,
            random_state=0,
            verbose=args.verbose,
        )
        t0 = time.perf_counter()
        reg.fit(X_train, V_train)
        fit_s = time.perf_counter() - t0
        rmse = kaggle_rmse(V_test, reg.predict(X_test))
        line.append(
            f"  CNNRegressor(output={output!r}) RMSE {rmse:.4f} (fit {fit_s:.0f} s)"
        )
    line.append(f"  mean-prediction baseline RMSE {baseline:.4f}")
    print("\n".join(line))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "which", nargs="*", default=["mocz", "gz1", "votes"], help="experiments"
    )
    parser.add_argument("--epochs", type=int, default=None)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--gz1-size", type=int, default=48)
    parser.add_argument("--crops", nargs="+", default=["center"], help="center, roi")
    parser.add_argument("--n-votes", type=int, default=2000)
    parser.add_argument("--verbose", type=int, default=0)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    defaults = {"mocz": 20, "gz1": 15, "votes": 10}
    for name in args.which:
        ns = argparse.Namespace(**vars(args))
        ns.epochs = args.epochs or defaults[name]
        {"mocz": mocz, "gz1": gz1, "votes": votes}[name](ns)


if __name__ == "__main__":
    main()
