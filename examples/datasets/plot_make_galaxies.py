"""
=====================================================
Synthetic galaxies of the ten Galaxy10 DECaLS classes
=====================================================

:func:`~skgalaxy.datasets.make_galaxies` renders galaxies from a physical model of
each Galaxy10 class (Sersic spheroids, exponential disks with logarithmic spiral
arms and bars, thin edge-on disks with dust lanes, lopsided disturbed galaxies,
merging pairs with tidal tails), then observes them as a survey would: a
point-spread function, foreground stars, sky noise and the asinh stretch of
colour cutouts. This example shows a grid of every class, the effect of the
observation knobs, and the Galaxy Zoo votes that come with the images.
"""

# %%
# Settings
# --------
# ``N_PER_CLASS`` galaxies of each class are drawn in the grid and ``IMAGE_SIZE``
# is their size in pixels; raise them (e.g. to 10 and 128) for a closer look.
import matplotlib.pyplot as plt
import numpy as np

from skgalaxy.datasets import (
    GALAXY10_CLASSES,
    HUBBLE_CLASSES,
    VOTE_COLUMNS,
    hubble_class,
    make_galaxies,
)

N_PER_CLASS = 6
IMAGE_SIZE = 96

# %%
# Every class
# -----------
# Classes are balanced, so ``10 * N_PER_CLASS`` galaxies give ``N_PER_CLASS`` of
# each. Bulges and ellipticals are redder than disks, whose arms and star-forming
# clumps are blue, as in the g, r, z images of Galaxy10 (shown as R = z, G = r,
# B = g).
X, y, votes = make_galaxies(
    10 * N_PER_CLASS, image_size=IMAGE_SIZE, return_votes=True, random_state=0
)

fig, axes = plt.subplots(
    10, N_PER_CLASS, figsize=(1.4 * N_PER_CLASS, 15), squeeze=False
)
for label, row in enumerate(axes):
    for ax, i in zip(row, np.flatnonzero(y == label)):
        ax.imshow(X[i])
        ax.set_xticks([])
        ax.set_yticks([])
    row[0].set_ylabel(f"{label}: {GALAXY10_CLASSES[label]}", fontsize=8)
fig.suptitle("make_galaxies: the ten Galaxy10 classes")
fig.tight_layout()

# %%
# Neighbouring classes overlap as in real data: some in-between smooth galaxies
# are nearly round, some tight spirals are not so tight, and some bars are weak.
# The class of a galaxy is the class its parameters were drawn from.

# %%
# Observation knobs
# -----------------
# The same galaxy (same ``random_state``) without noise and stars, as generated
# by default, with a wide PSF, and with three times the noise; ``n_channels=1``
# gives gray images.
settings = {
    "noiseless, no stars": {"noise": 0.0, "n_stars": 0.0},
    "default": {},
    "psf_fwhm=5": {"psf_fwhm": 5.0},
    "noise=3": {"noise": 3.0},
    "n_channels=1": {"n_channels": 1},
}
fig, axes = plt.subplots(1, len(settings), figsize=(2.2 * len(settings), 2.6))
for ax, (title, kwargs) in zip(axes, settings.items()):
    image, _ = make_galaxies(
        1, image_size=IMAGE_SIZE, classes=["barred spiral"], random_state=7, **kwargs
    )
    ax.imshow(image[0], cmap="gray", vmin=0, vmax=255)
    ax.set_title(title, fontsize=9)
    ax.set_axis_off()
fig.tight_layout()

# %%
# Galaxy Zoo votes
# ----------------
# With ``return_votes=True`` each galaxy also gets the 37 vote fractions of the
# Galaxy Zoo decision tree, derived from its true parameters with volunteer-like
# disagreement. Here are the mean answers to three questions per class, and the
# Hubble classes that :func:`~skgalaxy.datasets.hubble_class` derives from them.
columns = ["Class1.1", "Class2.1", "Class3.1", "Class4.1", "Class8.6"]
labels = ["smooth", "edge-on", "bar", "spiral arms", "merger"]
index = [VOTE_COLUMNS.index(c) for c in columns]
means = np.array([votes[y == k][:, index].mean(axis=0) for k in range(10)])
fig, ax = plt.subplots(figsize=(7, 4.5))
im = ax.imshow(means, vmin=0, vmax=1, cmap="viridis")
ax.set_xticks(range(len(columns)), [f"{c}\n{t}" for c, t in zip(columns, labels)])
ax.set_yticks(range(10), GALAXY10_CLASSES)
fig.colorbar(im, ax=ax, label="mean vote fraction")
ax.set_title("Vote fractions follow the class")
fig.tight_layout()

hubble = hubble_class(votes)
for k in range(10):
    counts = np.bincount(hubble[y == k] + 1, minlength=4)
    named = ", ".join(
        f"{name}: {n}" for name, n in zip(("unassigned", *HUBBLE_CLASSES), counts) if n
    )
    print(f"{GALAXY10_CLASSES[k]:>24}  {named}")
