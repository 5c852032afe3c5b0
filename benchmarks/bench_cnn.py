"""Training and prediction throughput of CNNRegressor against a plain PyTorch loop.

Two networks: the six-convolution Galaxy Zoo network of Hildebrandt's report
(:class:`~skgalaxy.neural_network.GalaxyZooNet`, 150x150x1, batch 32) and
skgalaxy's default backbone (:class:`~skgalaxy.neural_network.ResNet`, 64x64x3,
batch 64), each with 37 sigmoid outputs, AdamW and MSE, on the same uint8 images
in the same run. Three sides:

- the plain loop as usually written: float32, channels-first;
- the same loop with what the estimator does: channels-last and bf16 autocast;
- ``CNNRegressor`` with its defaults (``mixed_precision="auto"``, channels-last),
  no validation split, ``tta=False`` and no augmentation, so all do the same work.

The ratio CNNRegressor / fp32 loop is the speed-up a user gets; the gap to the
bf16 + channels-last loop is skorch's overhead. Prediction compares ``predict``
with ``torch.no_grad`` loops on the same trained module. Untimed rounds warm the
process up first (its first half minute runs up to 4x slower, whichever side goes
first), then the best of rotating rounds is reported: a busy neighbour only ever
slows a round down.

Run::

    python benchmarks/bench_cnn.py                 # CPU, a few minutes
    python benchmarks/bench_cnn.py --n-train 512   # more images, steadier figures
    python benchmarks/bench_cnn.py --quick         # smoke run

On a CUDA machine it also measures the GPU path (uint8 batches in pinned memory,
moved once and converted on the GPU, channels-last, bf16 autocast, augmentation
on the GPU) on ``--gpu-n-train`` images and prints images/s, seconds per
49,262-image epoch (the report's training set) and GPU utilisation when pynvml is
installed. The goal there is 10,000 training images/s (under 5 s per epoch).
"""

import argparse
import threading
import time

import numpy as np
import torch

from skgalaxy.neural_network import CNNRegressor, GalaxyZooNet, ResNet


def make_data(n, size=150, channels=1, seed=0):
    rng = np.random.default_rng(seed)
    shape = (n, size, size) if channels == 1 else (n, size, size, channels)
    X = rng.integers(0, 256, size=shape, dtype=np.uint8)
    y = rng.random((n, 37)).astype(np.float32)
    return X, y


def _batch_to_device(xb, device, channels_last):
    x = xb.to(device, non_blocking=True).to(torch.float32).mul_(1.0 / 255.0)
    x = x.unsqueeze(1) if x.ndim == 3 else x.permute(0, 3, 1, 2)
    if channels_last:
        return x.contiguous(memory_format=torch.channels_last)
    return x.contiguous()


def _module(name, X):
    channels = 1 if X.ndim == 3 else X.shape[3]
    if name == "galaxyzoo":
        return GalaxyZooNet(in_channels=channels, image_size=X.shape[1:3])
    return ResNet(in_channels=channels, n_outputs=37, image_size=X.shape[1:3])


def plain_train(
    X, y, *, module="galaxyzoo", batch_size, device, seed=0, fast=False, aug=None
):
    """One epoch of the textbook PyTorch loop; returns (seconds, module).

    ``fast=False`` is the loop as usually written (float32, channels-first);
    ``fast=True`` adds what the estimator does: channels-last and bf16 autocast.
    """
    torch.manual_seed(seed)
    device = torch.device(device)
    net = _module(module, X).to(device)
    if fast:
        net = net.to(memory_format=torch.channels_last)
    opt = torch.optim.AdamW(net.parameters(), lr=1e-3)
    loss_fn = torch.nn.MSELoss()
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y)
    if device.type == "cuda":
        Xt, yt = Xt.pin_memory(), yt.pin_memory()
    net.train()
    order = torch.randperm(len(X))
    if device.type == "cuda":
        torch.cuda.synchronize()
    t0 = time.perf_counter()
    for start in range(0, len(X), batch_size):
        idx = order[start : start + batch_size]
        x = _batch_to_device(Xt[idx], device, fast)
        if aug is not None:
            from skgalaxy.neural_network._augment import augment_batch

            x = augment_batch(x, aug).contiguous(memory_format=torch.channels_last)
        target = yt[idx].to(device, non_blocking=True)
        opt.zero_grad()
        with torch.autocast(device.type, torch.bfloat16, enabled=fast):
            out = net(x)
        loss = loss_fn(torch.sigmoid(out.float()), target)
        loss.backward()
        opt.step()
        loss.item()  # skorch records every batch loss: same synchronisation
    if device.type == "cuda":
        torch.cuda.synchronize()
    return time.perf_counter() - t0, net


def plain_predict(net, X, *, batch_size, device, fast=False):
    device = torch.device(device)
    net.eval()
    net = net.to(memory_format=torch.channels_last if fast else torch.contiguous_format)
    Xt = torch.from_numpy(X)
    t0 = time.perf_counter()
    outs = []
    with torch.no_grad():
        for start in range(0, len(X), batch_size):
            x = _batch_to_device(Xt[start : start + batch_size], device, fast)
            with torch.autocast(device.type, torch.bfloat16, enabled=fast):
                outs.append(torch.sigmoid(net(x).float()).cpu())
    return time.perf_counter() - t0


def skorch_train(X, y, *, module="galaxyzoo", batch_size, device, seed=0, **kwargs):
    """CNNRegressor with its defaults (bf16 where the CPU has it, channels-last);
    no augmentation, so both sides do the same work."""
    kwargs = {"augment": False, **kwargs}
    net = CNNRegressor(
        module,
        max_epochs=1,
        batch_size=batch_size,
        train_split=None,
        device=device,
        random_state=seed,
        **kwargs,
    )
    net.fit(X, y)
    # history's "dur" is the epoch alone (no network construction), like the loop
    return net.history_[-1, "dur"], net


def skorch_predict(net, X):
    t0 = time.perf_counter()
    net.predict(X)
    return time.perf_counter() - t0


class GPUUtilisation:
    """Sample GPU utilisation with pynvml in a thread (None without pynvml)."""

    def __init__(self):
        self.samples = []
        self._stop = threading.Event()
        try:
            import pynvml

            pynvml.nvmlInit()
            self._handle = pynvml.nvmlDeviceGetHandleByIndex(
                torch.cuda.current_device()
            )
            self._nvml = pynvml
        except Exception:  # pynvml missing or no NVML: report None
            self._nvml = None

    def __enter__(self):
        if self._nvml is not None:
            self._thread = threading.Thread(target=self._run, daemon=True)
            self._thread.start()
        return self

    def _run(self):
        while not self._stop.is_set():
            rate = self._nvml.nvmlDeviceGetUtilizationRates(self._handle)
            self.samples.append(rate.gpu)
            time.sleep(0.05)

    def __exit__(self, *exc):
        self._stop.set()

    @property
    def mean(self):
        return float(np.mean(self.samples)) if self.samples else None


def _cpu_case(args, label, module, size, channels, batch_size):
    X, y = make_data(args.n_train, size, channels)
    Xp, _ = make_data(args.n_predict, size, channels, seed=1)
    sides = ("fp32 loop", "bf16+CL loop", "CNNRegressor")
    train = {s: [] for s in sides}
    pred = {s: [] for s in sides}

    def fit(side):
        if side == "CNNRegressor":
            sec, net = skorch_train(
                X, y, module=module, batch_size=batch_size, device="cpu"
            )
            return sec, net
        fast = side == "bf16+CL loop"
        return plain_train(
            X, y, module=module, batch_size=batch_size, device="cpu", fast=fast
        )

    # warm-up, not counted: the first ~30 s of a process run up to 4x slower here
    # (oneDNN primitive caches, allocator), whichever side runs first
    for _ in range(args.warmup):
        for side in sides:
            fit(side)
    nets = {}
    for rep in range(args.repeats):
        # rotate the order so drift in machine load hits every side alike
        for side in sides[rep % 3 :] + sides[: rep % 3]:
            sec, nets[side] = fit(side)
            train[side].append(len(X) / sec)
    est = nets["CNNRegressor"]
    for _ in range(args.repeats):
        for side in sides:
            if side == "CNNRegressor":
                sec = skorch_predict(est, Xp)
            else:
                # the same trained weights for every side: equal work
                sec = plain_predict(
                    est.module_,
                    Xp,
                    batch_size=batch_size,
                    device="cpu",
                    fast=side == "bf16+CL loop",
                )
            pred[side].append(len(Xp) / sec)
    # best of the rounds (as timeit): a busy neighbour only slows a run down
    best_t = {k: max(v) for k, v in train.items()}
    best_p = {k: max(v) for k, v in pred.items()}
    precision = "bf16" if est._autocast_dtype() is not None else "fp32"
    print(
        f"\n{label}: batch {batch_size}, {args.n_train} training / {args.n_predict} "
        f"predicted images, {args.threads} thread(s), best of {args.repeats}; "
        f"CNNRegressor defaults (mixed_precision='auto' -> {precision}, "
        "channels-last), tta=False, no augmentation"
    )
    print(f"{'images/s':22s}" + "".join(f"{s:>15s}" for s in sides) + f"{'ratio':>8s}")
    for name, best in (("training", best_t), ("prediction", best_p)):
        row = "".join(f"{best[s]:15.1f}" for s in sides)
        ratio = best["CNNRegressor"] / best["fp32 loop"]
        print(f"{name:22s}{row}{ratio:8.2f}")
    overhead = 1 - best_t["CNNRegressor"] / best_t["bf16+CL loop"]
    print(
        f"ratio: CNNRegressor / plain fp32 loop (targets: training >= 1.6, "
        f"prediction >= 2.2); skorch overhead against the same bf16+CL loop: "
        f"{100 * overhead:.1f}% (target < 10%)"
    )


def run_cpu(args):
    torch.set_num_threads(args.threads)
    _cpu_case(args, "GalaxyZooNet 150x150x1", "galaxyzoo", 150, 1, 32)
    _cpu_case(args, "ResNet (the default) 64x64x3", "resnet", 64, 3, 64)


def run_gpu(args):
    X, y = make_data(args.gpu_n_train)
    bs = args.gpu_batch_size
    aug = {
        "flip": True,
        "rot90": True,
        "max_angle": 15.0,
        "zoom": 0.1,
        "contrast": 0.05,
    }
    # warm-up: cuDNN autotuning and CUDA context
    plain_train(X[: 4 * bs], y[: 4 * bs], batch_size=bs, device="cuda")
    with GPUUtilisation() as util_plain:
        sec_p, module = plain_train(
            X, y, batch_size=bs, device="cuda", fast=True, aug=aug
        )
    with GPUUtilisation() as util_skorch:
        sec_s, net = skorch_train(
            X, y, batch_size=bs, device="cuda", mixed_precision=True, augment=True
        )
    pred_p = plain_predict(net.module_, X, batch_size=bs, device="cuda", fast=True)
    pred_s = skorch_predict(net, X)
    name = torch.cuda.get_device_name()
    print(
        f"\nGPU {name}, batch {bs}, bf16 autocast, channels-last, uint8 batches "
        f"converted and augmented on the GPU, {len(X)} images"
    )
    for label, sec, util in (
        ("plain torch", sec_p, util_plain.mean),
        ("CNNRegressor", sec_s, util_skorch.mean),
    ):
        rate = len(X) / sec
        u = "n/a (no pynvml)" if util is None else f"{util:.0f}%"
        print(
            f"{label:14s} training {rate:9.0f} images/s, {49262 / rate:6.1f} s per "
            f"49,262-image epoch, GPU utilisation {u}"
        )
    print(
        f"prediction images/s: plain {len(X) / pred_p:.0f}, CNNRegressor "
        f"{len(X) / pred_s:.0f}"
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-train", type=int, default=192)
    parser.add_argument("--n-predict", type=int, default=192)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=4)
    parser.add_argument("--warmup", type=int, default=2, help="untimed rounds")
    parser.add_argument("--gpu-n-train", type=int, default=16384)
    parser.add_argument("--gpu-batch-size", type=int, default=256)
    parser.add_argument("--no-cpu", action="store_true", help="only the GPU part")
    parser.add_argument("--quick", action="store_true", help="tiny, one round")
    args = parser.parse_args()
    if args.quick:
        args.n_train = args.n_predict = 64
        args.repeats, args.warmup = 1, 0
        args.gpu_n_train = 1024
    if not args.no_cpu:
        run_cpu(args)
    if torch.cuda.is_available():
        run_gpu(args)
    else:
        print("\nNo CUDA device: the GPU measurement was skipped.")


if __name__ == "__main__":
    main()
