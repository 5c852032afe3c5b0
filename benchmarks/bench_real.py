"""skgalaxy's CNNs on real galaxies, against the baselines a user would try first.

Three real labelled sets from the data folder (never copied into the project),
with the splits every skgalaxy benchmark uses:

- ``gz1``: ``gz1_small``, SDSS Galaxy Zoo 1 colour cutouts (423x423), four classes
  (clockwise and anticlockwise spirals merged, "don't know" dropped), a stratified
  75/25 split with ``random_state=0``; images through
  ``CenterCrop(0.5, output_size=64)``. Score: accuracy.
- ``votes``: ``kaggle_gz_votes``, Kaggle Galaxy Zoo JPEGs (424x424) with their real
  37 vote fractions. Test fold: ``range_sample == 1`` and ``GalaxyID % 5 == 0``;
  everything else trains (the ``range_sample == 0`` rows lean featured, so they
  never enter a test figure). Crop as gz1. Score: the Kaggle RMSE, also per
  question.
- ``mocz``: ``mocz_galaxy32``, the 32x32 gray galaxies in three classes of Mocz's
  tutorial, its own split.

For each set it prints the baselines (majority class or training mean, pixel
logistic regression or the Galaxy Zoo pixel baselines), skgalaxy's CNN with its
defaults (only ``random_state`` set), the other recipes named with ``--recipes``,
their fit times, test-time augmentation's gain, and a learning curve (the test
figure at 25/50/100 % of the training rows). Every test fold is scored once per
model; nothing here is tuned on it.

Each set is decoded and cropped once and cached as ``.npy`` (``--cache``, a temporary
folder by default). Run::

    python benchmarks/bench_real.py                 # everything (under 60 minutes)
    python benchmarks/bench_real.py --quick         # small and short, a smoke run
    python benchmarks/bench_real.py --sets gz1 --recipes defaults,rotation

The data folder is the one ``SKGALAXY_SHARED_DATA`` names (by default, the
project's shared data folder beside the repository). Both sides use the same 2
threads.

Reference: P. Mocz, "Create Your Own Artificial Neural Network for Multi-class
Classification (With Python)", Level Up Coding, 2023.
https://github.com/pmocz/artificialneuralnetwork-python
"""

import argparse
import csv
import json
import os
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import torch
from sklearn.base import clone
from sklearn.dummy import DummyClassifier, DummyRegressor
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skgalaxy.baseline import PixelBaselineRegressor
from skgalaxy.datasets import QUESTIONS, load_images
from skgalaxy.metrics import kaggle_rmse, rmse_per_question
from skgalaxy.neural_network import CNNClassifier, CNNRegressor, NumpyMLPClassifier
from skgalaxy.preprocessing import CenterCrop, Coarsen, Flatten

DATA = Path(
    os.environ.get(
        "SKGALAXY_SHARED_DATA",
        Path(__file__).resolve().parents[1].parent / "shared" / "data",
    )
)
THREADS = 2
GZ1_CLASSES = {
    "elliptical": "elliptical",
    "clockwise_spiral": "spiral",
    "anticlockwise_spiral": "spiral",
    "edge_on": "edge_on",
    "merger": "merger",
}

# Recipes: parameters set on top of the estimator's defaults ("defaults" sets
# nothing but random_state), and the sets each one runs on. Add a recipe here to
# compare it in the same run.
RECIPES = {
    "defaults": ({}, ("gz1", "votes", "mocz")),
    # float32 instead of the default bf16 autocast: what bf16 does to accuracy
    "fp32": ({"mixed_precision": False}, ("gz1", "mocz")),
    # features pooled over the eight rotations and flips: accuracy against cost
    "rotation-invariant": (
        {"module": "rotation_invariant_resnet"},
        ("gz1", "mocz"),
    ),
    # the head "auto" does not pick for votes
    "sigmoid head": ({"output": "sigmoid"}, ("votes",)),
}
TARGETS = {"gz1": 0.85, "votes": 0.095, "mocz": 0.88}


# -------------------------------------------------------------------- data
def _crop(paths):
    crop = CenterCrop(0.5, output_size=64)
    return load_images(
        paths, transformer=crop, n_jobs=THREADS, progress=False, mode="RGB"
    )


def _cached(cache, name, build):
    path = Path(cache) / f"{name}.npz"
    if not path.exists():
        arrays = build()
        np.savez(path, **arrays)
    with np.load(path) as d:
        return {k: d[k] for k in d.files}


def load_gz1(cache):
    def build():
        folder = DATA / "gz1_small"
        with open(folder / "subset.csv", newline="") as f:
            rows = [r for r in csv.DictReader(f) if r["class_name"] in GZ1_CLASSES]
        return {
            "X": _crop([folder / r["file"] for r in rows]),
            "y": np.array([GZ1_CLASSES[r["class_name"]] for r in rows]),
        }

    d = _cached(cache, "gz1", build)
    X_train, X_test, y_train, y_test = train_test_split(
        d["X"], d["y"], test_size=0.25, stratify=d["y"], random_state=0
    )
    return X_train, X_test, y_train, y_test


def load_votes(cache):
    def build():
        folder = DATA / "kaggle_gz_votes"
        with open(folder / "index.csv", newline="") as f:
            index = {r["GalaxyID"]: r for r in csv.DictReader(f)}
        with open(folder / "votes.csv", newline="") as f:
            rows = list(csv.reader(f))[1:]
        ids = [r[0] for r in rows]
        return {
            "X": _crop([folder / index[i]["file"] for i in ids]),
            "votes": np.array([r[1:] for r in rows], dtype=np.float32),
            "ids": np.array(ids, dtype=np.int64),
            "range_sample": np.array([int(index[i]["range_sample"]) for i in ids]),
        }

    d = _cached(cache, "votes", build)
    test = (d["range_sample"] == 1) & (d["ids"] % 5 == 0)
    return d["X"][~test], d["X"][test], d["votes"][~test], d["votes"][test]


def load_mocz(cache):
    with np.load(DATA / "mocz_galaxy32" / "mocz_galaxy32.npz") as d:
        return d["X_train"], d["X_test"], d["y_train"], d["y_test"]


# ---------------------------------------------------------------- helpers
def _subsample(X, y, fraction, classify):
    if fraction >= 1:
        return X, y
    X_sub, _, y_sub, _ = train_test_split(
        X,
        y,
        train_size=fraction,
        stratify=y if classify else None,
        random_state=0,
    )
    return X_sub, y_sub


def _fit(model, X, y):
    t0 = time.perf_counter()
    model.fit(X, y)
    return time.perf_counter() - t0


def _warm_up(model, X, y):
    """Fit and predict once on a few images, untimed.

    The first fit of a process builds oneDNN's kernels for each dtype and shape
    (tens of seconds for bf16 here), which would otherwise be charged to
    whichever model runs first.
    """
    tiny = clone(model).set_params(max_epochs=1)
    # spread over the set: a set stored class by class starts with one class
    idx = np.linspace(0, len(X) - 1, min(128, len(X))).astype(int)
    tiny.fit(X[idx], y[idx])
    tiny.predict(X[idx[:64]])


def _score(model, X, y, classify):
    pred = model.predict(X)
    if classify:
        return float(np.mean(pred == y))
    return kaggle_rmse(y, pred)


class Report:
    """Rows of (set, model, figure, seconds) printed as they come and saved."""

    def __init__(self, out):
        self.rows = []
        self.out = Path(out) if out else None

    def add(self, dataset, model, figure, fit_s=None, **extra):
        row = {"set": dataset, "model": model, "figure": figure, "fit_s": fit_s}
        row.update(extra)
        self.rows.append(row)
        seconds = "" if fit_s is None else f"{fit_s:8.1f} s"
        print(f"  {model:<44s} {figure:8.4f} {seconds}", flush=True)
        if self.out:
            self.out.mkdir(parents=True, exist_ok=True)
            (self.out / "bench_real.json").write_text(json.dumps(self.rows, indent=1))


# ------------------------------------------------------------------ runs
def run_set(name, data, estimator, baselines, recipes, args, report):
    X_train, X_test, y_train, y_test = data
    classify = name != "votes"
    metric = "accuracy" if classify else "Kaggle RMSE"
    if args.quick:
        X_train, y_train = _subsample(X_train, y_train, 0.25, classify)
    print(
        f"\n{name}: {len(X_train)} train / {len(X_test)} test, images "
        f"{'x'.join(map(str, X_train.shape[1:]))}, {metric} on the test fold",
        flush=True,
    )
    for label, model in baselines.items():
        with warnings.catch_warnings():  # fixed iteration budgets, as published
            warnings.simplefilter("ignore", ConvergenceWarning)
            seconds = _fit(model, X_train, y_train)
        report.add(name, label, _score(model, X_test, y_test, classify), seconds)
    quick = {"max_epochs": 2} if args.quick else {}
    for recipe in recipes:
        params, sets = RECIPES[recipe]
        if name not in sets:
            continue
        model = clone(estimator).set_params(random_state=0, **params, **quick)
        _warm_up(model, X_train, y_train)
        seconds = _fit(model, X_train, y_train)
        t0 = time.perf_counter()
        score = _score(model, X_test, y_test, classify)
        predict_s = time.perf_counter() - t0
        epochs = len(model.history_)
        report.add(
            name, f"CNN {recipe}", score, seconds, epochs=epochs, predict_s=predict_s
        )
        print(
            f"    {epochs} epochs; predicts {len(X_test) / predict_s:.0f} images/s",
            flush=True,
        )
        if not classify:
            per_q = rmse_per_question(y_test, model.predict(X_test))
            text = ", ".join(
                f"Q{q.number} {v:.3f}" for q, v in zip(QUESTIONS, per_q, strict=True)
            )
            print(f"    per question: {text}", flush=True)
        if recipe == "defaults" and not model.tta:
            model.set_params(tta=True)
            t0 = time.perf_counter()
            score_tta = _score(model, X_test, y_test, classify)
            predict_s = time.perf_counter() - t0
            report.add(name, "CNN defaults + 8-fold TTA", score_tta)
            print(
                f"    test-time averaging predicts {len(X_test) / predict_s:.0f} "
                "images/s",
                flush=True,
            )
            model.set_params(tta=False)
    if args.curve:
        for fraction in (0.25, 0.5):
            X_sub, y_sub = _subsample(X_train, y_train, fraction, classify)
            model = clone(estimator).set_params(random_state=0, **quick)
            seconds = _fit(model, X_sub, y_sub)
            score = _score(model, X_test, y_test, classify)
            report.add(
                name, f"learning curve: defaults, {fraction:.0%} rows", score, seconds
            )
        # the 100% point is the "CNN defaults" row above
    rows = {r["model"]: r["figure"] for r in report.rows if r["set"] == name}
    if "CNN defaults" in rows:
        target = TARGETS[name]
        figure = rows["CNN defaults"]
        met = figure >= target if classify else figure <= target
        print(
            f"  target with the defaults: {'>=' if classify else '<='} {target} -> "
            f"{figure:.4f} ({'met' if met else 'missed'})",
            flush=True,
        )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small, 2 epochs")
    parser.add_argument("--sets", default="gz1,votes,mocz")
    parser.add_argument("--recipes", default=",".join(RECIPES))
    parser.add_argument("--no-curve", dest="curve", action="store_false")
    parser.add_argument("--cache", default=None, help="folder for the cropped sets")
    parser.add_argument(
        "--threads",
        type=int,
        default=THREADS,
        help="torch threads (default 2); 1 on a machine others are using",
    )
    parser.add_argument("--out", default=None, help="folder for bench_real.json")
    args = parser.parse_args(argv)
    if not DATA.is_dir():
        raise SystemExit(
            f"{DATA} is missing: set SKGALAXY_SHARED_DATA to the data folder"
        )
    torch.set_num_threads(args.threads)
    recipes = [r for r in args.recipes.split(",") if r]
    unknown = sorted(set(recipes) - set(RECIPES))
    if unknown:
        raise SystemExit(f"unknown recipes {unknown}; known: {sorted(RECIPES)}")
    report = Report(args.out)
    with tempfile.TemporaryDirectory() as tmp:
        cache = args.cache or tmp
        Path(cache).mkdir(parents=True, exist_ok=True)
        t0 = time.perf_counter()
        for name in args.sets.split(","):
            if name == "gz1":
                baselines = {
                    "majority class": DummyClassifier(strategy="most_frequent"),
                    "pixel logistic regression (Coarsen(4))": make_pipeline(
                        Coarsen(4),
                        Flatten(),
                        StandardScaler(),
                        LogisticRegression(C=0.01, max_iter=1000),
                    ),
                }
                run_set(
                    name,
                    load_gz1(cache),
                    CNNClassifier(),
                    baselines,
                    recipes,
                    args,
                    report,
                )
            elif name == "votes":
                baselines = {
                    "training mean": make_pipeline(Flatten(), DummyRegressor()),
                    "central pixel": PixelBaselineRegressor(strategy="central_pixel"),
                    "central patch cluster": PixelBaselineRegressor(
                        strategy="central_patch_cluster"
                    ),
                }
                run_set(
                    name,
                    load_votes(cache),
                    CNNRegressor(),
                    baselines,
                    recipes,
                    args,
                    report,
                )
            elif name == "mocz":
                baselines = {
                    "majority class": DummyClassifier(strategy="most_frequent"),
                    "pixel logistic regression": make_pipeline(
                        Flatten(),
                        StandardScaler(),
                        LogisticRegression(C=0.01, max_iter=1000),
                    ),
                    # Mocz's tutorial network: 8 sigmoid units, conjugate gradient
                    "Mocz's MLP (NumpyMLPClassifier, cg)": NumpyMLPClassifier(
                        hidden_layer_sizes=(8,),
                        activation="sigmoid",
                        loss="binary_log_loss",
                        alpha=1.0,
                        solver="cg",
                        max_iter=600,
                        random_state=0,
                    ),
                }
                run_set(
                    name,
                    load_mocz(cache),
                    CNNClassifier(),
                    baselines,
                    recipes,
                    args,
                    report,
                )
            else:
                raise SystemExit(f"unknown set {name!r}; known: gz1, votes, mocz")
        print(f"\nbench_real done in {time.perf_counter() - t0:.0f} s", flush=True)


if __name__ == "__main__":
    main()
