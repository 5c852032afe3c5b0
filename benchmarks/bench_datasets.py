"""Speed of make_galaxies, and how hard its classes are for linear vs nonlinear models.

Speed: galaxies per second of each survey look at 64x64x3 and 128x128x3 with one
thread and with ``--n-jobs`` threads, and per class at 64x64x3. Peer measured in
the same run: NumPy's own ``standard_normal`` drawing one float32 Gaussian
value per output byte, i.e. the cost of *only* the noise of the same images
done the plain way (so the ratio stays meaningful on a busy machine).

Accuracy (skip with ``--skip-accuracy``): 3,000 train / 1,000 test galaxies at
64x64x3, coarsened 4x (``skgalaxy.preprocessing.Coarsen``) to 16x16x3, then
standardised; a pixel ``LogisticRegression`` against scikit-learn's
``MLPClassifier``. Prints both accuracies, per-class recall and the most
confused pairs of classes. The issue asks for the linear model to stay well
below the nonlinear one, with round/in-between and tight/loose confusable.

Run::

    python benchmarks/bench_datasets.py                  # about 2-3 minutes
    python benchmarks/bench_datasets.py --skip-accuracy  # speed only, ~20 s
    python benchmarks/bench_datasets.py --n-train 10000 --n-test 2000
    python benchmarks/bench_datasets.py --skip-speed --cnn 25  # + the CNN (slow)

With ``--cnn EPOCHS`` skgalaxy's ``CNNClassifier`` (torch) is trained on the same
split at full resolution, to show the classes are learnable.
"""

import argparse
import time

import numpy as np

from skgalaxy.datasets import GALAXY10_CLASSES, make_galaxies


def timed(func, repeat=1):
    """Best wall time and best process CPU time of ``repeat`` runs.

    On a shared machine the wall time is inflated by other work; the CPU time
    (all threads together) estimates what a quiet machine would take.
    """
    best, best_cpu = np.inf, np.inf
    for _ in range(repeat):
        start, cpu = time.perf_counter(), time.process_time()
        func()
        best = min(best, time.perf_counter() - start)
        best_cpu = min(best_cpu, time.process_time() - cpu)
    return best, best_cpu


def speed(n_jobs, repeat):
    make_galaxies(64, random_state=0)  # warm-up: imports, tables
    print(f"== make_galaxies speed (best of {repeat}; galaxies/s) ==")
    print(
        "wall: measured rate; cpu: galaxies per CPU-second of all threads (what "
        "one quiet core does)"
    )
    print(
        f"{'survey':>6} {'size':>10} {'threads':>7} {'wall':>7} {'cpu':>7} "
        f"{'numpy noise wall':>17} {'wall ratio':>10}"
    )
    rng = np.random.default_rng(0)
    for survey in ("sdss", "ideal"):
        for size, n in ((64, 4000), (128, 1000)):
            values = n * size * size * 3
            t_noise, _ = timed(
                lambda values=values: rng.standard_normal(values, dtype=np.float32),
                repeat,
            )
            for jobs in (1, n_jobs):
                t, cpu = timed(
                    lambda jobs=jobs, n=n, size=size, survey=survey: make_galaxies(
                        n, image_size=size, survey=survey, random_state=0, n_jobs=jobs
                    ),
                    repeat,
                )
                print(
                    f"{survey:>6} {size:>4}x{size}x3 {jobs:7d} {n / t:7.0f} "
                    f"{n / cpu:7.0f} {n / t_noise:17.0f} {t_noise / t:10.2f}"
                )
    for label, kwargs in (
        ("64x64x3 return_votes=True", {"return_votes": True}),
        ("64x64 gray n_channels=1", {"n_channels": 1}),
    ):
        t, cpu = timed(
            lambda kwargs=kwargs: make_galaxies(2000, random_state=0, **kwargs),
            repeat,
        )
        print(f"{label:<27} 1 thread: wall {2000 / t:.0f}, cpu {2000 / cpu:.0f}")
    print("\nper class, 64x64x3, 1 thread (wall, cpu):")
    for k, name in enumerate(GALAXY10_CLASSES):
        t, cpu = timed(
            lambda k=k: make_galaxies(640, classes=[k], random_state=0), repeat
        )
        print(f"  {k} {name:<24} {640 / t:7.0f} {640 / cpu:7.0f}")


def confusions(cm, top=5):
    pairs = [
        (cm[i, j] + cm[j, i], i, j)
        for i in range(len(cm))
        for j in range(i + 1, len(cm))
    ]
    return sorted(pairs, reverse=True)[:top]


def accuracy(n_train, n_test, n_jobs, factor):
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import confusion_matrix
    from sklearn.neural_network import MLPClassifier
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from skgalaxy.preprocessing import Coarsen, Flatten

    print(
        f"\n== linear vs nonlinear: {n_train} train / {n_test} test, 64x64x3, "
        f"Coarsen({factor}) -> {64 // factor}x{64 // factor}x3 =="
    )
    X, y = make_galaxies(n_train + n_test, random_state=0, n_jobs=n_jobs)
    X_train, X_test = X[:n_train], X[n_train:]
    y_train, y_test = y[:n_train], y[n_train:]
    models = {
        "LogisticRegression": LogisticRegression(C=0.01, max_iter=500),
        "MLPClassifier": MLPClassifier(
            (256,),
            alpha=1.0,
            max_iter=300,
            early_stopping=True,
            n_iter_no_change=20,
            random_state=0,
        ),
    }
    scores = {}
    for name, model in models.items():
        pipe = make_pipeline(Coarsen(factor), Flatten(), StandardScaler(), model)
        start = time.perf_counter()
        pipe.fit(X_train, y_train)
        fit_time = time.perf_counter() - start
        pred = pipe.predict(X_test)
        scores[name] = np.mean(pred == y_test)
        cm = confusion_matrix(y_test, pred, labels=range(10))
        recall = cm.diagonal() / np.maximum(cm.sum(axis=1), 1)
        print(
            f"{name:<19} test accuracy {scores[name]:.3f}  "
            f"train {pipe.score(X_train, y_train):.3f}  fit {fit_time:.1f} s"
        )
        print("  recall  " + " ".join(f"{k}:{r:.2f}" for k, r in enumerate(recall)))
        for count, i, j in confusions(cm):
            print(
                f"  confused {count:3d}x  {GALAXY10_CLASSES[i]} <-> "
                f"{GALAXY10_CLASSES[j]}"
            )
    lin, mlp = scores["LogisticRegression"], scores["MLPClassifier"]
    print(
        f"gap: MLP - logistic = {mlp - lin:+.3f} "
        f"(ratio {mlp / lin:.2f}; chance {1 / 10:.2f})"
    )
    return X_train, X_test, y_train, y_test


def cnn(X_train, X_test, y_train, y_test, epochs):
    """skgalaxy's CNN on the full 64x64x3 images (slow on CPU: ~10 min quiet)."""
    from sklearn.metrics import confusion_matrix

    from skgalaxy.neural_network import CNNClassifier

    print(f"\n== CNNClassifier (ConvNet, 4 blocks, {epochs} epochs, augment) ==")
    model = CNNClassifier(
        module__n_blocks=4,
        max_epochs=epochs,
        augment=True,
        lr_schedule="cosine",
        train_split=None,
        random_state=0,
        device="cpu",
    )
    start = time.perf_counter()
    model.fit(X_train, y_train)
    pred = model.predict(X_test)
    cm = confusion_matrix(y_test, pred, labels=range(10))
    recall = cm.diagonal() / np.maximum(cm.sum(axis=1), 1)
    print(
        f"CNNClassifier       test accuracy {np.mean(pred == y_test):.3f}  "
        f"fit {time.perf_counter() - start:.0f} s"
    )
    print("  recall  " + " ".join(f"{k}:{r:.2f}" for k, r in enumerate(recall)))
    for count, i, j in confusions(cm):
        names = f"{GALAXY10_CLASSES[i]} <-> {GALAXY10_CLASSES[j]}"
        print(f"  confused {count:3d}x  {names}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-jobs", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--n-train", type=int, default=3000)
    parser.add_argument("--n-test", type=int, default=1000)
    parser.add_argument("--coarsen", type=int, default=4)
    parser.add_argument("--skip-speed", action="store_true")
    parser.add_argument("--skip-accuracy", action="store_true")
    parser.add_argument(
        "--cnn",
        type=int,
        default=0,
        metavar="EPOCHS",
        help="also train skgalaxy's CNN for EPOCHS epochs (25 used in the notes)",
    )
    parser.add_argument("--quick", action="store_true", help="small, for a smoke run")
    args = parser.parse_args()
    if args.quick:
        args.repeat, args.n_train, args.n_test = 1, 400, 200
    if not args.skip_speed:
        speed(args.n_jobs, args.repeat)
    if not args.skip_accuracy:
        split = accuracy(args.n_train, args.n_test, args.n_jobs, args.coarsen)
        if args.cnn:
            cnn(*split, args.cnn)


if __name__ == "__main__":
    main()
