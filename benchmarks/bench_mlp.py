"""The NumPy tutorial's training epoch: NumpyMLPClassifier vs scikit-learn vs PyTorch.

The workload of the NumPy tutorial: 14,188 images of 64x64x3 = 12,288 float32 features,
one sigmoid hidden layer of 500 units, 10 classes, mini-batches of 64, SGD with
momentum 0.9, one epoch, in one process. Peers, with the closest settings each
offers:

- skgalaxy: ``NumpyMLPClassifier`` with the tutorial's exact configuration (sigmoid +
  squared error on 0.01/0.99 targets, moving-average momentum, lr 0.2, no
  penalty), ``max_iter=1``.
- scikit-learn: ``MLPClassifier(solver="sgd", momentum=0.9,
  nesterovs_momentum=False, alpha=0, batch_size=64, max_iter=1)`` (its softmax
  log-loss; its ConvergenceWarning is silenced).
- PyTorch: a plain CPU loop (``nn.Linear`` + sigmoid + ``nn.Linear``,
  cross-entropy, ``torch.optim.SGD(momentum=0.9)``) with
  ``torch.set_num_threads(threads)``.
- "matmul limit": only the two big float32 products per batch
  (``X_b @ W1`` and ``X_b.T @ D``) with NumPy, the floor for any implementation;
  timed with C-ordered operands (the tutorial's) and Fortran-ordered ones (the
  estimator's), and the faster of the two is the floor the ratio uses.

It prints seconds per epoch, GFLOP/s (forward + weight gradients), a breakdown
of skgalaxy's epoch by phase (from timers wrapped around the estimator's
functions, in one more epoch) and the ratios. Timings on a shared machine vary;
the ratios, measured in the same run (best of ``--repeat`` rotating rounds), are
what to compare.

Usage::

    python benchmarks/bench_mlp.py                 # full size (about 1-2 min)
    python benchmarks/bench_mlp.py --quick         # 3,000 samples
    python benchmarks/bench_mlp.py --repeat 3 --skip-sklearn --skip-torch
    # OpenBLAS kernel: OPENBLAS_CORETYPE may force one (see the printed kernel);
    # to compare with the CPU's own kernel, unset it for this command only:
    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python benchmarks/bench_mlp.py
"""

import argparse
import os
import time
import warnings

import numpy as np
import sklearn.neural_network  # noqa: F401  (load every BLAS before limiting threads)
from threadpoolctl import threadpool_info, threadpool_limits

import skgalaxy.neural_network._mlp  # noqa: F401

N_FEATURES = 64 * 64 * 3
N_HIDDEN = 500
N_CLASSES = 10
BATCH = 64


def make_data(n, seed=0):
    rng = np.random.default_rng(seed)
    # the tutorial scales pixels to [0.01, 1]
    X = rng.random((n, N_FEATURES), dtype=np.float32)
    X *= 0.99
    X += 0.01
    y = rng.integers(0, N_CLASSES, n)
    return X, y


def flops_per_epoch(n):
    # forward: 2 n (F H + H K); weight gradients: the same; hidden delta: 2 n H K
    return 2 * n * (N_FEATURES * N_HIDDEN + N_HIDDEN * N_CLASSES) * 2 + 2 * n * (
        N_HIDDEN * N_CLASSES
    )


def bench_skgalaxy(X, y):
    from skgalaxy.neural_network import NumpyMLPClassifier

    clf = NumpyMLPClassifier(
        (N_HIDDEN,),
        activation="sigmoid",
        loss="squared_error",
        solver="sgd",
        learning_rate_init=0.2,
        momentum=0.9,
        nesterovs_momentum=False,
        alpha=0.0,
        batch_size=BATCH,
        max_iter=1,
        random_state=0,
    )
    t0 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # one epoch never "converges"
        clf.fit(X, y)
    return time.perf_counter() - t0


def bench_sklearn(X, y):
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier

    clf = MLPClassifier(
        (N_HIDDEN,),
        activation="logistic",
        solver="sgd",
        learning_rate_init=0.02,
        momentum=0.9,
        nesterovs_momentum=False,
        alpha=0.0,
        batch_size=BATCH,
        max_iter=1,
        shuffle=True,
        random_state=0,
    )
    t0 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X, y)
    return time.perf_counter() - t0


def bench_torch(X, y, threads):
    import torch

    torch.set_num_threads(threads)
    torch.manual_seed(0)
    model = torch.nn.Sequential(
        torch.nn.Linear(N_FEATURES, N_HIDDEN),
        torch.nn.Sigmoid(),
        torch.nn.Linear(N_HIDDEN, N_CLASSES),
    )
    opt = torch.optim.SGD(model.parameters(), lr=0.02, momentum=0.9)
    loss_fn = torch.nn.CrossEntropyLoss()
    Xt = torch.from_numpy(X)
    yt = torch.from_numpy(y.astype(np.int64))
    t0 = time.perf_counter()
    perm = torch.randperm(len(Xt))
    for start in range(0, len(Xt), BATCH):
        idx = perm[start : start + BATCH]
        xb, yb = Xt.index_select(0, idx), yt.index_select(0, idx)
        opt.zero_grad(set_to_none=False)
        loss = loss_fn(model(xb), yb)
        loss.backward()
        opt.step()
    return time.perf_counter() - t0


def bench_matmul_limit(X, order="C"):
    """The two big products per batch alone, with every operand in ``order``.

    ``order="F"`` is the layout the estimator trains in (Fortran-ordered weights
    and batch buffers); the batches are laid out before the clock starts, so
    only the products are timed.
    """
    rng = np.random.default_rng(1)
    W = np.asarray(
        rng.standard_normal((N_FEATURES, N_HIDDEN), dtype=np.float32) * 0.01,
        order=order,
    )
    G = np.empty_like(W, order=order)
    H = np.empty((BATCH, N_HIDDEN), dtype=np.float32, order=order)
    D = np.asarray(
        rng.standard_normal((BATCH, N_HIDDEN), dtype=np.float32), order=order
    )
    n = (len(X) // BATCH) * BATCH
    batches = [X[start : start + BATCH] for start in range(0, n, BATCH)]
    if order == "F":
        batches = [np.asfortranarray(xb) for xb in batches]
    t0 = time.perf_counter()
    for xb in batches:
        np.matmul(xb, W, out=H)
        np.matmul(xb.T, D, out=G)
    return (time.perf_counter() - t0) * len(X) / n


class PhaseTimer:
    """Exclusive wall time per phase, from wrappers around the estimator's functions.

    Each wrapped call pushes a phase; its time minus that of the wrapped calls
    inside it goes to the phase. What no wrapper covers (the training loop's own
    Python) is the fit's remainder. A wrapper costs about a microsecond, a
    thousandth of a batch.
    """

    def __init__(self):
        self.totals = {}
        self.calls = {}
        self._stack = []

    def enter(self, phase):
        self._stack.append([phase, time.perf_counter(), 0.0])

    def exit(self):
        phase, t0, inner = self._stack.pop()
        elapsed = time.perf_counter() - t0
        self.totals[phase] = self.totals.get(phase, 0.0) + elapsed - inner
        self.calls[phase] = self.calls.get(phase, 0) + 1
        if self._stack:
            self._stack[-1][2] += elapsed

    def wrap(self, owner, attr, phase):
        """Replace ``owner.attr``; ``phase``: a name or ``f(*args) -> name``."""
        original = getattr(owner, attr, None)
        if original is None:
            return None
        name_of = phase if callable(phase) else (lambda *a, **k: phase)

        def wrapper(*args, **kwargs):
            self.enter(name_of(*args, **kwargs))
            try:
                return original(*args, **kwargs)
            finally:
                self.exit()

        setattr(owner, attr, wrapper)
        return original

    def wrap_iter(self, owner, attr, phase):
        """Time every ``next()`` of the generator ``owner.attr`` returns."""
        original = getattr(owner, attr)

        def wrapper(obj):
            it = original(obj)
            while True:
                self.enter(phase)
                try:
                    item = next(it)
                except StopIteration:
                    return
                finally:
                    self.exit()
                yield item

        setattr(owner, attr, wrapper)
        return original


def bench_skgalaxy_phases(X, y):
    """One skgalaxy epoch with the time of each phase, and the epoch's time."""
    from skgalaxy.neural_network import _mlp as mlp
    from skgalaxy.neural_network import _mlp_core as core
    from skgalaxy.neural_network import _mlp_solvers as solvers
    from skgalaxy.neural_network import _mlp_training as training

    timer = PhaseTimer()
    big = (N_FEATURES, N_HIDDEN)

    def product(alpha, A, B, beta, C, *args, **kwargs):
        if C.shape == big:
            return "big product: weight update (A.T @ D)"
        if A.shape[-1] == N_FEATURES:
            return "big product: forward (X_b @ W1)"
        return "small products (layer 2, hidden delta)"

    def step(self, i, W, *args, **kwargs):
        if W.shape == big:
            return "optimizer: W1 update beyond its product"
        return "optimizer: layer 2 and biases"

    targets = [
        (training.MiniBatches, "__iter__", "gather shuffled batch"),
        (core, "forward", "forward: bias, Python"),
        (core, "backward", "backward: Python"),
        (core, "_activate", "hidden activation"),
        (core, "_multiply_derivative", "activation derivative"),
        (core, "output_delta", "output layer: loss and delta"),
        (solvers.SGDOptimizer, "step", step),
        (training, "fit_stochastic", "training loop: Python, epoch end"),
        (mlp, "fit_stochastic", "training loop: Python, epoch end"),
    ]
    saved = []
    for owner, attr, phase in targets:
        wrap = timer.wrap_iter if attr == "__iter__" else timer.wrap
        saved.append((owner, attr, wrap(owner, attr, phase)))
    # every module that calls the product helper by name
    for module in (core, solvers):
        for attr in ("gemm_into", "matmul_into"):
            if hasattr(module, attr):
                saved.append((module, attr, timer.wrap(module, attr, product)))
    try:
        timer.enter("fit setup: validation, init, copies")
        seconds = bench_skgalaxy(X, y)
        timer.exit()
    finally:
        for owner, attr, original in saved:
            if original is not None:
                setattr(owner, attr, original)
    return seconds, timer.totals


def print_phases(totals, seconds, floor, n):
    n_batches = -(-n // BATCH)
    print(
        f"skgalaxy epoch by phase ({seconds:.2f} s with timers; "
        f"{n_batches} batches; ms per batch):"
    )
    for phase, t in sorted(totals.items(), key=lambda kv: -kv[1]):
        print(f"  {phase:42s} {t:6.3f} s  {1e3 * t / n_batches:6.3f} ms")
    products = sum(t for p, t in totals.items() if p.startswith("big product"))
    print(
        f"  the two big products: {products:.2f} s (matmul limit {floor:.2f} s); "
        f"all else: {seconds - products:.2f} s"
    )


def blas_description():
    rows = []
    for info in threadpool_info():
        if info.get("user_api") == "blas":
            lib = os.path.basename(info["filepath"]).split("-")[0]
            rows.append(
                f"{lib} {info.get('version')} kernel={info.get('architecture')} "
                f"threads={info.get('num_threads')}"
            )
    return "; ".join(rows)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-samples", type=int, default=None, help="default 14188")
    parser.add_argument(
        "--quick", action="store_true", help="3,000 samples unless --n-samples says"
    )
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument(
        "--repeat", type=int, default=1, help="best of N rounds through all sides"
    )
    parser.add_argument("--skip-sklearn", action="store_true")
    parser.add_argument("--skip-torch", action="store_true")
    parser.add_argument(
        "--no-phases", action="store_true", help="skip the per-phase breakdown"
    )
    args = parser.parse_args()
    if args.n_samples is None:
        args.n_samples = 3000 if args.quick else 14188

    if not args.skip_torch:
        import torch  # noqa: F401  (its OpenMP pool too)
    X, y = make_data(args.n_samples)
    gflop = flops_per_epoch(args.n_samples) / 1e9
    print(
        f"NumPy tutorial epoch: {args.n_samples} x {N_FEATURES} float32, {N_HIDDEN} "
        f"sigmoid hidden, {N_CLASSES} classes, batch {BATCH}, SGD momentum 0.9; "
        f"{gflop:.0f} GFLOP per epoch"
    )
    print(
        f"OPENBLAS_CORETYPE={os.environ.get('OPENBLAS_CORETYPE', '(unset)')}; "
        f"{args.threads} threads"
    )
    runners = [
        ("matmul limit (numpy, C order)", lambda: bench_matmul_limit(X, "C")),
        ("matmul limit (numpy, F order)", lambda: bench_matmul_limit(X, "F")),
    ]
    runners.append(("skgalaxy NumpyMLPClassifier", lambda: bench_skgalaxy(X, y)))
    if not args.skip_sklearn:
        runners.append(("scikit-learn MLPClassifier", lambda: bench_sklearn(X, y)))
    if not args.skip_torch:
        runners.append(
            (
                f"PyTorch CPU loop ({args.threads} thr)",
                lambda: bench_torch(X, y, args.threads),
            )
        )

    times = dict.fromkeys([name for name, _ in runners], np.inf)
    with threadpool_limits(limits=args.threads):
        print("BLAS:", blas_description())
        # rounds rotate through the sides: a busy neighbour slows one round of
        # each, not all the rounds of one side
        for _ in range(args.repeat):
            for name, run in runners:
                times[name] = min(times[name], run())
        for name, t in times.items():
            print(f"  {name:34s} {t:7.2f} s/epoch  {gflop / t:6.1f} GFLOP/s")
        if not args.no_phases:
            seconds, totals = bench_skgalaxy_phases(X, y)
    # the floor is the faster of the two layouts
    floor = min(times[runners[0][0]], times[runners[1][0]])
    times["matmul limit (best layout)"] = floor
    if not args.no_phases:
        print_phases(totals, seconds, floor, args.n_samples)
    ours = times["skgalaxy NumpyMLPClassifier"]
    print("ratios (skgalaxy time / peer time; lower is better):")
    for name, t in times.items():
        if name != "skgalaxy NumpyMLPClassifier":
            print(f"  skgalaxy / {name:34s} {ours / t:5.2f}x")


if __name__ == "__main__":
    main()
