"""Peak memory and throughput of the skgalaxy loaders.

1. Galaxy10: writes a Galaxy10-format HDF5 file larger than 1 GB (6,000 images of
   256x256x3 uint8 by default) to a temporary folder, then, each in a fresh
   subprocess, measures the peak resident memory (``VmHWM`` of /proc/self/status)
   and the time of

   - ``load_galaxy10(path, transformer=Coarsen(4))`` (chunked, the loader's way);
   - the naive way: ``f["images"][:]`` then ``Coarsen(4).fit_transform``;
   - ``load_galaxy10(path)`` without a transformer (the raw array, for reference).

   Peak growth is reported against the size of the full raw array and of the
   output. The file is deleted afterwards.
2. Galaxy Zoo: ``load_galaxy_zoo`` on ``kaggle_gz_subset`` in the folder that
   ``SKGALAXY_SHARED_DATA`` names (by default, the project's shared data folder
   beside the repository), when present, 1 and 2 threads, raw and through
   ``Coarsen(4)``, against a plain Pillow loop
   (``np.stack([np.asarray(Image.open(p)) for p in paths])``).

Timings on a shared machine vary; compare the ratios printed from one run.

Run::

    python benchmarks/bench_loaders.py              # ~1-2 minutes
    python benchmarks/bench_loaders.py --n-images 17736 --n-zoo 2000   # full size
    python benchmarks/bench_loaders.py --compression gzip   # as the real file
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve()
SHARED = Path(
    os.environ.get("SKGALAXY_SHARED_DATA", HERE.parents[2] / "shared" / "data")
)


def _status(field):
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024
    raise RuntimeError(f"{field} not in /proc/self/status")


def _reset_peak():
    """Reset VmHWM to the current RSS (Linux >= 4.0); False if not allowed."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def _coarsen(factor=4):
    try:
        from skgalaxy.preprocessing import Coarsen
    except ImportError:
        try:
            from skgalaxy.preprocessing._coarsen import Coarsen
        except ImportError:
            Coarsen = None
    if Coarsen is not None:
        return Coarsen(factor), "skgalaxy Coarsen"
    from sklearn.preprocessing import FunctionTransformer

    def block_mean(X):
        n, h, w, c = X.shape
        blocks = X.reshape(n, h // factor, factor, w // factor, factor, c)
        return blocks.mean(axis=(2, 4), dtype=np.float32) / 255

    return FunctionTransformer(block_mean), "reshape-mean FunctionTransformer"


def child(mode, path):
    """Run one measurement in this (fresh) process; print a JSON line."""
    import h5py

    from skgalaxy.datasets import load_galaxy10

    transformer, name = _coarsen(4)
    base_rss = _status("VmRSS")
    reset = _reset_peak()
    base_hwm = _status("VmHWM")
    t0 = time.perf_counter()
    if mode == "chunked":
        X, _ = load_galaxy10(
            path, transformer=transformer, return_X_y=True, progress=False
        )
    elif mode == "raw":
        X, _ = load_galaxy10(path, return_X_y=True, progress=False)
    elif mode == "naive":
        with h5py.File(path, "r") as f:
            images = f["images"][:]
            y = f["ans"][:]  # noqa: F841
        X = transformer.fit_transform(images)
        del images
    else:
        raise ValueError(mode)
    seconds = time.perf_counter() - t0
    print(
        json.dumps(
            {
                "mode": mode,
                "transformer": name,
                "seconds": seconds,
                "n": len(X),
                "out_bytes": int(X.nbytes),
                "out_shape": list(X.shape),
                "out_dtype": str(X.dtype),
                "base_rss": base_rss,
                "peak_growth": _status("VmHWM") - base_hwm,
                "peak_reset": reset,
            }
        )
    )


def write_galaxy10(path, n_images, compression=None, chunk=500, seed=0):
    """Galaxy10-format file: random-ish galaxies (a blob on noise), uint8."""
    import h5py

    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[:256, :256]
    blob = np.exp(-((yy - 128) ** 2 + (xx - 128) ** 2) / (2 * 30.0**2))
    with h5py.File(path, "w") as f:
        images = f.create_dataset(
            "images",
            (n_images, 256, 256, 3),
            dtype=np.uint8,
            # Compressed like the real file: one image per stored chunk.
            chunks=None if compression is None else (1, 256, 256, 3),
            compression=compression,
        )
        for start in range(0, n_images, chunk):
            stop = min(start + chunk, n_images)
            noise = rng.integers(0, 40, (stop - start, 256, 256, 3), dtype=np.uint8)
            images[start:stop] = noise + (200 * blob).astype(np.uint8)[..., None]
        f["ans"] = rng.integers(0, 10, n_images).astype(np.uint8)
        for key in ("ra", "dec", "redshift", "pxscale"):
            f[key] = rng.uniform(0, 1, n_images)


def bench_galaxy10(n_images, modes, compression=None):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "Galaxy10_DECals.h5"
        t0 = time.perf_counter()
        write_galaxy10(path, n_images, compression)
        size = path.stat().st_size
        full = n_images * 256 * 256 * 3
        print(
            f"Galaxy10 file: {n_images} images, {size / 1e9:.2f} GB on disk "
            f"(raw array {full / 1e9:.2f} GB), written in "
            f"{time.perf_counter() - t0:.1f} s; reads below are from the page cache."
        )
        results = {}
        for mode in modes:
            out = subprocess.run(
                [sys.executable, str(HERE), "--child", mode, str(path)],
                capture_output=True,
                text=True,
                check=True,
            )
            r = json.loads(out.stdout.strip().splitlines()[-1])
            results[mode] = r
            print(
                f"  {mode:8s} {r['seconds']:6.2f} s  {r['n'] / r['seconds']:7.0f} img/s"
                f"  {full / 1e6 / r['seconds']:6.0f} MB/s in   peak RSS growth "
                f"{r['peak_growth'] / 1e6:7.0f} MB = {r['peak_growth'] / full:.2f} x "
                f"raw array, {r['peak_growth'] / r['out_bytes']:.2f} x output "
                f"({r['out_dtype']} {tuple(r['out_shape'])}, "
                f"{r['out_bytes'] / 1e6:.0f} MB)"
            )
        print(f"  transformer: {r['transformer']}; peak reset: {r['peak_reset']}")
        if "chunked" in results and "naive" in results:
            c, n = results["chunked"], results["naive"]
            memory = c["peak_growth"] / n["peak_growth"]
            print(
                f"  chunked vs naive: peak memory {memory:.2f} x, "
                f"time {c['seconds'] / n['seconds']:.2f} x"
            )
    return results


def _best(func, repeat):
    """Fastest of ``repeat`` runs (the others on a shared machine are noise)."""
    best, out = np.inf, None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = func()
        best = min(best, time.perf_counter() - t0)
    return best, out.shape


def bench_zoo(n_zoo, repeat):
    folder = SHARED / "kaggle_gz_subset"
    if not folder.is_dir():
        print(f"Galaxy Zoo: {folder} not found, skipped.")
        return
    from PIL import Image

    from skgalaxy.datasets import list_images, load_galaxy_zoo

    paths = list_images(folder / "images")[:n_zoo]
    n = len(paths)
    for p in paths:  # warm the page cache so every variant reads from memory
        p.read_bytes()
    print(f"Galaxy Zoo: {n} JPEGs of 424x424x3 from {folder.name}, best of {repeat}")

    def pil_loop(transformer=None):
        X = np.stack([np.asarray(Image.open(p)) for p in paths])
        return X if transformer is None else transformer.fit_transform(X)

    def loader(n_jobs, transformer=None):
        X, _ = load_galaxy_zoo(
            folder,
            transformer=transformer,
            n_jobs=n_jobs,
            max_images=n,
            return_X_y=True,
            progress=False,
        )
        return X

    variants = [
        ("plain PIL loop", pil_loop),
        ("load_galaxy_zoo n_jobs=1", lambda: loader(1)),
        ("load_galaxy_zoo n_jobs=2", lambda: loader(2)),
        ("PIL loop + Coarsen(4)", lambda: pil_loop(_coarsen(4)[0])),
        ("load_galaxy_zoo n_jobs=1 + Coarsen(4)", lambda: loader(1, _coarsen(4)[0])),
        ("load_galaxy_zoo n_jobs=2 + Coarsen(4)", lambda: loader(2, _coarsen(4)[0])),
    ]
    rows = [(label, *_best(func, repeat)) for label, func in variants]
    base = rows[0][1]
    for label, seconds, shape in rows:
        print(
            f"  {label:38s} {seconds:6.2f} s  {n / seconds:6.0f} img/s  "
            f"speed-up vs PIL loop {base / seconds:4.2f}  out {shape}"
        )
    print(f"  transformer: {_coarsen(4)[1]}; machine cores: {os.cpu_count()}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--n-images",
        type=int,
        default=6000,
        help="Galaxy10 images in the test file (6000 = 1.18 GB)",
    )
    parser.add_argument(
        "--n-zoo",
        type=int,
        default=1000,
        help="kaggle_gz_subset JPEGs to read (at most 2000)",
    )
    parser.add_argument(
        "--modes",
        default="chunked,naive,raw",
        help="Galaxy10 measurements to run, comma-separated",
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=2,
        help="Galaxy Zoo timings: best of this many runs",
    )
    parser.add_argument(
        "--compression",
        default=None,
        help="HDF5 filter for the test file, e.g. gzip (default: none, faster)",
    )
    parser.add_argument("--skip-zoo", action="store_true")
    parser.add_argument(
        "--child", nargs=2, metavar=("MODE", "PATH"), help=argparse.SUPPRESS
    )
    parser.add_argument("--quick", action="store_true", help="small, for a smoke run")
    args = parser.parse_args()
    if args.quick:
        args.n_images, args.n_zoo, args.repeat = 300, 100, 1
    if args.child:
        child(*args.child)
        return
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1):
        bench_galaxy10(args.n_images, args.modes.split(","), args.compression)
        if not args.skip_zoo:
            bench_zoo(args.n_zoo, args.repeat)


if __name__ == "__main__":
    main()
