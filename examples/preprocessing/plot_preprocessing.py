"""
================================
What each image transformer does
================================

skgalaxy's transformers in :mod:`skgalaxy.preprocessing` take stacks of images
``(n_samples, height, width[, n_channels])`` and can be chained in a
scikit-learn :class:`~sklearn.pipeline.Pipeline`. This example applies each one
to the same synthetic Galaxy Zoo-sized galaxies and shows the result:

- :class:`~skgalaxy.preprocessing.CenterCrop`: the middle of the cutout (as
  Miller's VGG16 project does);
- :class:`~skgalaxy.preprocessing.ROICrop`: a square around the galaxy that a
  threshold finds, resized to 150x150 (as in Hildebrandt's Galaxy Zoo report),
  even when the galaxy is off centre;
- :class:`~skgalaxy.preprocessing.Grayscale`: one luminance channel;
- :class:`~skgalaxy.preprocessing.Coarsen`: block averages (as in the NumPy
  tutorial on Galaxy10 DECaLS);
- :class:`~skgalaxy.preprocessing.Resize`: any size, with anti-aliasing;
- :class:`~skgalaxy.preprocessing.Flatten`: rows of pixel features for any
  scikit-learn estimator.

uint8 images come out as float32 in [0, 1]; float32 and float64 images keep
their dtype. The works named here are listed in :ref:`references`.
"""

# %%
# Galaxies
# --------
# Six synthetic galaxies of 424x424 pixels, the size of the Kaggle Galaxy Zoo
# cutouts. ``N_IMAGES`` is the size of the stack timed at the end; raise it to
# 1_000 for the benchmark's size (``benchmarks/bench_preprocessing.py``).
import time

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import Rectangle
from skimage.measure import block_reduce
from skimage.transform import resize
from skimage.util import img_as_float32

from skgalaxy.datasets import GALAXY10_CLASSES, make_galaxies
from skgalaxy.preprocessing import (
    CenterCrop,
    Coarsen,
    Flatten,
    Grayscale,
    Resize,
    ROICrop,
)

N_IMAGES = 120

X, y = make_galaxies(6, image_size=424, random_state=1)
# Move two galaxies away from the centre, as a neighbour or a bad pointing would:
# a centre crop cuts them, the ROI crop follows them.
X[1] = np.roll(X[1], (-110, 90), axis=(0, 1))
X[4] = np.roll(X[4], (100, -120), axis=(0, 1))
print(X.shape, X.dtype)


def show_row(images, titles, suptitle):
    fig, axes = plt.subplots(1, len(images), figsize=(2.2 * len(images), 2.6))
    for ax, image, title in zip(axes, images, titles):
        # The same [0, 1] scale for every panel (imshow would stretch gray ones).
        image = np.clip(img_as_float32(image), 0, 1)
        ax.imshow(image, cmap="gray", vmin=0, vmax=1)
        ax.set_title(title, fontsize=8)
        ax.set_axis_off()
    fig.suptitle(suptitle)
    return fig, axes


show_row(X, [GALAXY10_CLASSES[k] for k in y], "Input: 424x424x3 uint8")

# %%
# CenterCrop
# ----------
# The middle half of each axis (212x212), then resized to 150x150. Good for
# centred cutouts; the moved galaxies are cut.
center = CenterCrop(fraction=0.5, output_size=150)
Xc = center.fit_transform(X)
show_row(Xc, [f"{Xc.shape[1]}x{Xc.shape[2]}"] * len(Xc), "CenterCrop(0.5, 150)")

# %%
# ROICrop
# -------
# Otsu's threshold on the channel mean, the largest connected region, a square
# box with 10% padding on each side, resized to 150x150. ``get_boxes`` shows the
# squares; the moved galaxies are found and centred.
roi = ROICrop(output_size=150).fit(X)
boxes = roi.get_boxes(X)
fig, axes = show_row(X, [f"box {b[2]} px" for b in boxes], "ROICrop: the boxes")
for ax, (top, left, height, width) in zip(axes, boxes):
    ax.add_patch(Rectangle((left, top), width, height, fill=False, color="yellow"))
Xr = roi.transform(X)
show_row(Xr, ["150x150"] * len(Xr), "ROICrop(output_size=150)")

# %%
# Grayscale, Coarsen, Resize
# --------------------------
# Hildebrandt's report trains on gray ROI crops: ``Grayscale`` after ``ROICrop``
# (Rec.601 weights, as OpenCV). ``Coarsen(4)`` averages 4x4 blocks: 424x424
# becomes 106x106 (a size that is not a multiple of the factor loses its remainder
# evenly from both sides). ``Resize`` reaches any size with anti-aliasing.
gray = Grayscale().fit_transform(Xr)
coarse = Coarsen(factor=4).fit_transform(X)
small = Resize(output_size=32).fit_transform(X)
show_row(gray, ["gray 150x150"] * len(gray), "ROICrop -> Grayscale")
show_row(coarse, ["106x106x3"] * len(coarse), "Coarsen(4)")
show_row(small, ["32x32x3"] * len(small), "Resize(32)")

# %%
# Flatten
# -------
# The last step before a scikit-learn estimator: one row of pixel features per
# galaxy, with names.
flatten = Flatten().fit(gray)
features = flatten.transform(gray)
print(features.shape, features.dtype, flatten.get_feature_names_out()[:3])

# %%
# Batched, not a loop
# -------------------
# Each transformer works on the whole stack with array operations (ROICrop, the
# one per-image step, runs in threads with ``n_jobs``). Timed here on
# ``N_IMAGES`` copies of the galaxies, next to the per-image scikit-image loop
# one would otherwise write. The machine building the docs may be busy: the
# benchmark script gives the reference figures.
stack = np.resize(X, (N_IMAGES, *X.shape[1:]))
pairs = {
    "Coarsen(4)": (
        Coarsen(4),
        lambda S: [block_reduce(img_as_float32(x), (4, 4, 1), np.mean) for x in S],
    ),
    "Resize(64)": (
        Resize(64),
        lambda S: [resize(x, (64, 64), anti_aliasing=True) for x in S],
    ),
    "ROICrop(n_jobs=2)": (ROICrop(n_jobs=2), None),
}
for name, (transformer, loop) in pairs.items():
    transformer.fit(stack[:1])
    start = time.perf_counter()
    transformer.transform(stack)
    rate = N_IMAGES / (time.perf_counter() - start)
    line = f"{name:<18} {rate:8,.0f} images/s"
    if loop is not None:
        start = time.perf_counter()
        loop(stack[:40])
        line += f"   per-image loop {40 / (time.perf_counter() - start):8,.0f}"
    print(line)
