"""Throughput of skgalaxy's image transformers against a per-image scikit-image loop.

For each transformer, images per second on a stack of N synthetic galaxies
(``make_galaxies``; a pool of distinct galaxies in their eight flips and quarter
turns, tiled to N) at 256x256x3 (Galaxy10) and 424x424x3 (Galaxy Zoo), next to
the plain loop a user would write with scikit-image, in the same run. Each
timing is the best of ``--repeat`` runs. The loops run on at most
``--loop-images`` images (their rate does not depend on N). The ratio column is
what to compare across machines: the absolute figures move with the load of a
shared machine.

Goals (issue 2, on 2 cores): each transformer at least 2x its loop; Coarsen and
CenterCrop at least 2,000 images/s and Grayscale at least 4,000 at 256x256x3;
ROICrop at least 300 images/s at 424x424x3.

Run::

    python benchmarks/bench_preprocessing.py            # 1,000 images, ~2 min
    python benchmarks/bench_preprocessing.py --n-images 200 --repeat 1  # quick
"""

import argparse
import os
import platform
import time

import numpy as np
from skimage.color import rgb2gray
from skimage.filters import threshold_otsu
from skimage.measure import block_reduce, label, regionprops
from skimage.transform import resize
from skimage.util import img_as_float32

from skgalaxy.datasets import make_galaxies
from skgalaxy.preprocessing import (
    CenterCrop,
    Coarsen,
    Flatten,
    Grayscale,
    Resize,
    ROICrop,
)


def galaxies(n_images, size, n_distinct, seed=0):
    """``n_images`` uint8 galaxies: distinct ones in their 8 orientations, tiled."""
    pool, _ = make_galaxies(n_distinct, image_size=size, random_state=seed)
    variants = []
    for k in range(4):
        turned = np.rot90(pool, k, axes=(1, 2))
        variants += [turned, turned[:, :, ::-1]]
    pool = np.concatenate(variants)
    order = np.random.default_rng(seed).permutation(len(pool))
    return np.ascontiguousarray(np.resize(pool[order], (n_images, *pool.shape[1:])))


# ---------------------------------------------------- per-image skimage loops
def loop_coarsen(X):
    return [block_reduce(img_as_float32(x), (4, 4, 1), np.mean) for x in X]


def loop_grayscale(X):
    return [rgb2gray(x) for x in X]


def _centre_slices(x, fraction=0.5):
    h, w = x.shape[:2]
    ch, cw = int(h * fraction + 0.5), int(w * fraction + 0.5)
    return slice((h - ch) // 2, (h - ch) // 2 + ch), slice(
        (w - cw) // 2, (w - cw) // 2 + cw
    )


def loop_center_crop(X):
    return [img_as_float32(x[_centre_slices(x)]) for x in X]


def loop_center_crop_resize(X):
    return [resize(x[_centre_slices(x)], (64, 64), anti_aliasing=True) for x in X]


def loop_resize(X):
    return [resize(x, (64, 64), anti_aliasing=True) for x in X]


def loop_flatten(X):
    return np.stack([img_as_float32(x).ravel() for x in X])


def loop_roi_crop(X, output_size=150, padding=0.1):
    """The ROI crop of Hildebrandt's report as one would write it with scikit-image."""
    out = []
    for x in X:
        gray = rgb2gray(x)
        regions = regionprops(label(gray > threshold_otsu(gray)))
        h, w = gray.shape
        if regions:
            r0, c0, r1, c1 = max(regions, key=lambda r: r.area).bbox
        else:
            r0, c0, r1, c1 = 0, 0, h, w
        side = min(int(max(r1 - r0, c1 - c0) * (1 + 2 * padding)), h, w)
        top = int(np.clip((r0 + r1 - side) // 2, 0, h - side))
        left = int(np.clip((c0 + c1 - side) // 2, 0, w - side))
        crop = x[top : top + side, left : left + side]
        out.append(resize(crop, (output_size, output_size), anti_aliasing=True))
    return out


# -------------------------------------------------------------------- timing
def rates(function, X, repeat):
    """Images/s of the best run and of the first (cold caches) run."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function(X)
        times.append(time.perf_counter() - start)
    return len(X) / min(times), len(X) / times[0]


CASES = [
    # (label, size, transformer, loop, goal in images/s or None)
    ("Coarsen(4)", 256, lambda: Coarsen(4), loop_coarsen, 2000),
    ("Grayscale()", 256, lambda: Grayscale(), loop_grayscale, 4000),
    ("CenterCrop(0.5)", 256, lambda: CenterCrop(0.5), loop_center_crop, 2000),
    (
        "CenterCrop(0.5, output_size=64)",
        256,
        lambda: CenterCrop(0.5, output_size=64),
        loop_center_crop_resize,
        2000,
    ),
    ("Resize(64)", 256, lambda: Resize(64), loop_resize, None),
    ("Flatten()", 256, lambda: Flatten(), loop_flatten, None),
    ("Coarsen(4)", 424, lambda: Coarsen(4), loop_coarsen, None),
    ("Grayscale()", 424, lambda: Grayscale(), loop_grayscale, None),
    (
        "CenterCrop(0.5, output_size=64)",
        424,
        lambda: CenterCrop(0.5, output_size=64),
        loop_center_crop_resize,
        None,
    ),
    ("Resize(64)", 424, lambda: Resize(64), loop_resize, None),
    ("ROICrop(n_jobs=1)", 424, lambda: ROICrop(n_jobs=1), loop_roi_crop, None),
    ("ROICrop(n_jobs=2)", 424, lambda: ROICrop(n_jobs=2), loop_roi_crop, 300),
]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-images", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3, help="best of this many")
    parser.add_argument(
        "--loop-images", type=int, default=200, help="images for the skimage loops"
    )
    parser.add_argument(
        "--distinct", type=int, default=40, help="distinct galaxies generated per size"
    )
    parser.add_argument("--quick", action="store_true", help="small, for a smoke run")
    args = parser.parse_args(argv)
    if args.quick:
        args.n_images, args.repeat = 100, 1

    print(
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
        f"load average at start {os.getloadavg()[0]:.2f} (a shared machine: "
        "compare the ratios)"
    )
    print(
        f"{args.n_images} images per size, best of {args.repeat}; loops on "
        f"{min(args.loop_images, args.n_images)} images\n"
    )
    data = {}
    header = (
        f"{'transformer':<34} {'input':>11} {'img/s':>8} {'first run':>10} "
        f"{'skimage loop':>13} {'ratio':>7}  goal"
    )
    print(header)
    print("-" * len(header))
    for name, size, make, loop, goal in CASES:
        if size not in data:
            data[size] = galaxies(args.n_images, size, args.distinct)
        X = data[size]
        transformer = make().fit(X[:1])
        ours, first = rates(transformer.transform, X, args.repeat)
        theirs, _ = rates(loop, X[: args.loop_images], max(1, args.repeat - 1))
        ratio = ours / theirs
        verdict = f">= 2x loop: {'yes' if ratio >= 2 else 'NO'}"
        if goal is not None:
            verdict += f"; >= {goal} img/s: {'yes' if ours >= goal else 'NO'}"
        print(
            f"{name:<34} {size:>4}x{size}x3 {ours:8,.0f} {first:10,.0f} "
            f"{theirs:13,.0f} {ratio:6.1f}x  {verdict}"
        )
    print(f"\nload average at end {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
