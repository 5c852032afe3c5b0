"""How real make_galaxies looks: real SDSS cutouts and synthetic ones, side by side.

For each ``survey`` of :func:`skgalaxy.datasets.make_galaxies` ("sdss" and
"ideal"), against the training folds of the real sets (the data folder is never
copied into the project; the test folds are read only to score sections 5 and
6, each model once, and nothing is tuned on them):

- ``votes``: ``kaggle_gz_votes``, every row but the test fold
  (``range_sample == 1`` and ``GalaxyID % 5 == 0``);
- ``gz1``: ``gz1_small``'s four classes (spirals merged, "don't know" dropped),
  the training part of its stratified 75/25 split (``random_state=0``);
- ``subset``: ``kaggle_gz_subset``'s images, less any GalaxyID in the votes'
  test fold.

Real cutouts go through ``CenterCrop(0.5, output_size=64)``; synthetic galaxies
are rendered at 128 pixels (the whole field of view) and cropped the same way.
The SDSS look frames its galaxies as the Kaggle (Galaxy Zoo 2) cutouts do;
gz1_small's Galaxy Zoo 1 cutouts show theirs smaller (``GZ1_FRAMING``), so the
synthetic galaxies that stand for gz1's (its classes, sections 2, 3 and 5) are
cropped wider by that factor, as a user with such cutouts would frame them.

It prints:

1. **Two-sample test.** 1,000 real cutouts (votes' training rows) against 1,000
   synthetic ones (the ten classes): a CNN (``CNNClassifier(max_epochs=8,
   random_state=0)``, its default small ResNet) and a pixel logistic
   regression (on pixels with each image's mean removed, standardised), each
   5-fold ``StratifiedKFold(shuffle=True, random_state=0)`` ROC AUC. 0.5 means
   indistinguishable, 1.0 told apart every time.
2. **Morphology statistics** (statmorph: concentration, asymmetry, Gini, M20,
   half-light radius; and the g-r colour of the same segment) per gz1 class,
   real against synthetic (``classes="gz1"``), with the Kolmogorov-Smirnov
   distance between the distributions (0 = identical, 1 = disjoint).
3. **Calibrated quantities**: each figure the SDSS look was calibrated on,
   measured the same way on real and synthetic cutouts (sizes and their spread
   per class, colours of the centre and the outskirts, surface brightness,
   axis ratio, the sky's level, noise and correlation, neighbours and bright
   stars, the width of stars), and the vote model's marginals against the
   training votes; then the sky in each cutout's quietest corner (level,
   noise and black pixels per band, the noise's correlations), which the look
   does not match yet, with the mean KS distance of those statistics; and the
   small-scale texture by brightness (what a Gaussian of 1.5 pixels smooths
   away, in luma and colour), real against the two-sample test's synthetic
   crops, with its mean log ratio.
4. **Throughput**: galaxies per second at 64x64x3 on the threads given (the
   best of two runs of 10,000).
5. **Zero-shot transfer**: ``CNNClassifier(random_state=0, max_epochs=20)``
   fitted on 4,000 synthetic crops (``classes="gz1"``, drawn in the real
   training fold's mix of classes: ``make_galaxies(weights=...)``) and scored
   on gz1's test fold: accuracy beside the majority class's, the real classes'
   shares and what each is predicted as. Goal: accuracy >= 0.75; must-reach: above the
   majority class. And ``CNNRegressor(random_state=0, max_epochs=20)`` (its
   "auto" head: the decision tree) on 4,000 synthetic crops' vote fractions
   (the ten classes in the mix the training votes' pluralities give), scored
   on the votes' test fold: Kaggle RMSE beside the real training mean's.
   Goal: <= 0.15; must-reach: below the training mean. Both again on two more
   synthetic draws (other ``random_state``), mean ± std over the three: the
   figures move by a few points from draw to draw.
6. **Fine-tuning**: the same estimators (``max_epochs=30``, ``freeze="none"``)
   trained on the real training folds from scratch and with
   ``pretrained=`` section 5's model of each survey, seeds 0, 1, 2: gz1 at 10 %
   (drawn stratified with the seed) and 100 % of its training labels, the votes
   at 100 % of their training rows. Mean ± std over the seeds of the test
   figure, and the gain (pretrained - scratch) ± the std of its per-seed
   values. Goal for gz1: a gain of >= 5 points at 10 % and >= 2 at 100 %,
   beyond that spread; must-reach (and, for the votes, the only target): a gain
   beyond the spread. The scratch fits do not depend on the survey: they run
   once and serve both.

It writes ``realism_grid.png`` (real and synthetic cutouts side by side) and
``bench_realism.json`` to ``--out``. The grid shows real images: it stays out
of the repository and the docs. CNN fold results, the pretrained models and
the fine-tuning scores are cached in ``--cache`` (with the cropped real sets),
keyed by the data and the settings, so a second run only fits what changed.

Run::

    python benchmarks/bench_realism.py --threads 1 --out /tmp/realism  # ~1 hour
    python benchmarks/bench_realism.py --quick --out /tmp/realism  # a smoke run
    python benchmarks/bench_realism.py --surveys sdss --skip-cnn --skip-transfer
    python benchmarks/bench_realism.py --surveys sdss --draws 1 --fine-tune gz1-10

On one thread sections 1-4 take about 10 minutes and sections 5 and 6 about
50 (``PRETRAIN_N``, ``PRETRAIN_EPOCHS`` and ``FINETUNE_EPOCHS`` are sized for
that budget). Needs the ``torch`` extra (the CNNs) and statmorph (the
``astro`` extra) for the morphology statistics; without statmorph that section
is skipped. Both sides use the same threads (``--threads``, 2 by default).
"""

import argparse
import csv
import hashlib
import json
import os
import time
import warnings
from pathlib import Path

import joblib
import numpy as np
from scipy import ndimage, stats
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer, StandardScaler

from skgalaxy.datasets import (
    CLASS_MAPPINGS,
    GALAXY10_CLASSES,
    VOTE_COLUMNS,
    load_images,
    make_galaxies,
)
from skgalaxy.datasets._synthetic._observation import REC601
from skgalaxy.datasets._synthetic._sdss import GZ1_FRAMING
from skgalaxy.preprocessing import CenterCrop, Flatten, Resize

DATA = Path(
    os.environ.get(
        "SKGALAXY_SHARED_DATA",
        Path(__file__).resolve().parents[1].parent / "shared" / "data",
    )
)
THREADS = 2
SURVEYS = ("sdss", "ideal")
GZ1_CLASSES = {
    "elliptical": "elliptical",
    "clockwise_spiral": "spiral",
    "anticlockwise_spiral": "spiral",
    "edge_on": "edge-on",
    "merger": "merger",
}
GZ1_ORDER = list(CLASS_MAPPINGS["gz1"])  # elliptical, spiral, edge-on, merger
COL = {name: i for i, name in enumerate(VOTE_COLUMNS)}


# ----------------------------------------------------------------- real data
def _to_uint8(X):
    return np.clip(np.rint(X * 255.0), 0, 255).astype(np.uint8)


def _read_crops(paths):
    return load_images(
        paths,
        transformer=CenterCrop(0.5, output_size=64),
        n_jobs=THREADS,
        progress=False,
        mode="RGB",
    )


def _read(paths, frame_size=128):
    """Bench crops (64 px) and whole frames resized to ``frame_size``."""
    crop = _read_crops(paths)
    frame = load_images(
        paths,
        transformer=Resize(frame_size),
        n_jobs=THREADS,
        progress=False,
        mode="RGB",
    )
    return _to_uint8(crop), _to_uint8(frame)


def _cached(cache, name, build):
    path = Path(cache) / f"{name}.npz"
    if not path.exists():
        arrays = build()
        tmp = path.with_suffix(".tmp.npz")
        np.savez(tmp, **arrays)
        tmp.replace(path)
    with np.load(path) as d:
        return {k: d[k] for k in d.files}


def _votes_index():
    folder = DATA / "kaggle_gz_votes"
    with open(folder / "index.csv", newline="") as f:
        index = {r["GalaxyID"]: r for r in csv.DictReader(f)}
    with open(folder / "votes.csv", newline="") as f:
        rows = list(csv.reader(f))[1:]
    ids = np.array([int(r[0]) for r in rows])
    sample = np.array([int(index[r[0]]["range_sample"]) for r in rows])
    test = (sample == 1) & (ids % 5 == 0)
    files = [folder / index[r[0]]["file"] for r in rows]
    votes = np.array([r[1:] for r in rows], dtype=np.float64)
    return files, votes, ids, sample, test


def load_votes(cache):
    """The votes set's training rows: crops, frames, votes, range_sample."""

    def build():
        files, votes, ids, sample, test = _votes_index()
        keep = ~test
        crop, frame = _read([f for f, k in zip(files, keep) if k])
        return {
            "crop": crop,
            "frame": frame,
            "votes": votes[keep],
            "range_sample": sample[keep],
        }

    return _cached(cache, "realism_votes", build)


def _gz1_split():
    """gz1_small's files and class names, split 75/25 as bench_real.py does."""
    folder = DATA / "gz1_small"
    with open(folder / "subset.csv", newline="") as f:
        rows = [r for r in csv.DictReader(f) if r["class_name"] in GZ1_CLASSES]
    files = [folder / r["file"] for r in rows]
    y = np.array([GZ1_CLASSES[r["class_name"]] for r in rows])
    return train_test_split(files, y, test_size=0.25, stratify=y, random_state=0)


def load_gz1(cache):
    """gz1_small's training split: crops, frames, class names."""

    def build():
        f_train, _, y_train, _ = _gz1_split()
        crop, frame = _read(f_train)
        return {"crop": crop, "frame": frame, "y": y_train}

    return _cached(cache, "realism_gz1", build)


# The test folds, read only to score sections 5 and 6 (each model once); no
# other section, and nothing that is fitted or tuned, sees them.
def load_gz1_test(cache):
    """gz1_small's test split: crops and class names."""

    def build():
        _, f_test, _, y_test = _gz1_split()
        return {"crop": _to_uint8(_read_crops(f_test)), "y": y_test}

    return _cached(cache, "realism_gz1_test", build)


def load_votes_test(cache):
    """The votes set's test fold: crops and votes."""

    def build():
        files, votes, _, _, test = _votes_index()
        crop = _read_crops([f for f, t in zip(files, test) if t])
        return {"crop": _to_uint8(crop), "votes": votes[test]}

    return _cached(cache, "realism_votes_test", build)


def load_subset(cache):
    """kaggle_gz_subset's images outside the votes' test fold."""

    def build():
        _, _, ids, _, test = _votes_index()
        reserved = set(ids[test].tolist())
        folder = DATA / "kaggle_gz_subset"
        with open(folder / "labels.csv", newline="") as f:
            rows = list(csv.DictReader(f))
        files = [folder / r["file"] for r in rows if int(r["GalaxyID"]) not in reserved]
        crop, frame = _read(files)
        return {"crop": crop, "frame": frame}

    return _cached(cache, "realism_subset", build)


def full_frames(n, seed=0):
    """``n`` whole training cutouts of the votes set at their 424 pixels."""
    files, _, _, _, test = _votes_index()
    files = [f for f, t in zip(files, test) if not t]
    pick = np.random.default_rng(seed).choice(len(files), n, replace=False)
    return load_images(
        [files[i] for i in pick], n_jobs=THREADS, progress=False, mode="RGB"
    )


# ------------------------------------------------------------ synthetic data
def synthetic(n, survey, seed, classes=None, size=128, weights=None, framing=None):
    """Synthetic crops, the whole frames and the labels.

    ``framing="gz1"`` frames "sdss" galaxies as gz1_small's cutouts do (a crop
    ``1 / GZ1_FRAMING`` times wider); the ideal look keeps its own.
    """
    X, y = make_galaxies(
        n,
        image_size=size,
        classes=classes,
        weights=weights,
        survey=survey,
        random_state=seed,
        n_jobs=THREADS,
    )
    wider = framing == "gz1" and survey == "sdss"
    return _bench_crop(X, 0.5 / GZ1_FRAMING if wider else 0.5), X, y


def synthetic_votes(n, survey, seed, size=128, weights=None):
    """Synthetic crops (the ten classes) and their 37 vote fractions."""
    X, _, votes = make_galaxies(
        n,
        image_size=size,
        weights=weights,
        survey=survey,
        return_votes=True,
        random_state=seed,
        n_jobs=THREADS,
    )
    return _bench_crop(X), votes


def _bench_crop(X, fraction=0.5):
    """The benchmarks' crop: the central half (or ``fraction``), at 64 pixels."""
    return _to_uint8(CenterCrop(fraction, output_size=64).fit_transform(X))


# ------------------------------------------------------- simple measurements
def _border(size, width=6):
    ring = np.ones((size, size), dtype=bool)
    ring[width:-width, width:-width] = False
    return ring


def sky_stats(X):
    """Per image: sky median and robust noise per channel (the outer 6 pixels),
    and the noise's lag-1 correlation in G (a measure of how smooth it is)."""
    X = X.astype(np.float32)
    ring = _border(X.shape[1])
    b = X[:, ring]
    sky = np.median(b, axis=1)
    mad = 1.4826 * np.median(np.abs(b - sky[:, None]), axis=1)
    e = X[:, :6, :, 1] - sky[:, None, None, 1]
    lag1 = (e[:, :, 1:] * e[:, :, :-1]).mean((1, 2)) / np.maximum(
        (e * e).mean((1, 2)), 1e-6
    )
    return {"sky": sky, "noise": mad, "noise_lag1": lag1}


def corner_stats(X, width=14):
    """Per image, in its quietest corner (of the four ``width``-pixel squares,
    the one least varied): the sky level, noise (standard deviation) and share
    of black pixels per band, the G noise's lag-1 correlation, and the noise's
    correlation between R and G and between G and B: the sky as it is where
    no source is, which the border statistics above mix with the galaxies'
    outskirts and neighbours."""
    X = X.astype(np.float32)
    n = len(X)
    corners = np.stack(
        [
            X[:, :width, :width],
            X[:, :width, -width:],
            X[:, -width:, :width],
            X[:, -width:, -width:],
        ],
        axis=1,
    )
    varied = corners.reshape(n, 4, -1, 3).std(axis=2).sum(axis=-1)
    C = corners[np.arange(n), np.argmin(varied, axis=1)]
    sky = np.median(C, axis=(1, 2))
    e = C - sky[:, None, None]
    var = (e * e).mean(axis=(1, 2))
    g = e[..., 1]
    lag1 = (g[:, :, 1:] * g[:, :, :-1]).mean((1, 2)) / np.maximum(var[:, 1], 1e-3)

    def corr(a, b):
        cov = (e[..., a] * e[..., b]).mean((1, 2))
        return cov / np.sqrt(var[:, a] * var[:, b] + 1e-3)

    return {
        "sky": sky,
        "noise": np.sqrt(var),
        "black": (C <= 0).mean(axis=(1, 2)),
        "lag1": lag1,
        "corr_rg": corr(0, 1),
        "corr_gb": corr(1, 2),
    }


def _corner_pairs(real, synth):
    """``(label, real values, synthetic values)`` of each corner statistic."""
    for key, label in (("sky", "level"), ("noise", "noise"), ("black", "black")):
        for k, band in enumerate("RGB"):
            yield f"{label} {band}", real[key][:, k], synth[key][:, k]
    for key, label in (
        ("lag1", "lag-1 corr. G"),
        ("corr_rg", "noise corr. R-G"),
        ("corr_gb", "noise corr. G-B"),
    ):
        yield label, real[key], synth[key]


# Brightness bins (display counts of the smoothed luma) of texture_stats.
TEXTURE_BINS = (0, 4, 8, 16, 32, 64, 128, 256)


def texture_stats(X, sigma=1.5):
    """Small-scale texture by brightness, pooled over the images.

    Each pixel's luma (Rec.601) and colour (R and B less the luma) are split
    into a smooth part (a Gaussian of ``sigma`` pixels) and the rest, the
    texture: noise, knots, JPEG blocks. Pixels are binned by their smooth
    luma (:data:`TEXTURE_BINS`); per bin, the share of pixels and the
    standard deviation of the texture of luma, R-Y and B-Y. Returns an
    ``(n_bins, 4)`` array.
    """
    X = X.astype(np.float32)
    luma = X @ REC601.astype(np.float32)

    def smooth(image):
        return ndimage.gaussian_filter(image, (0, sigma, sigma))

    smooth_luma = smooth(luma)
    texture = [luma - smooth_luma]
    for k in (0, 2):
        colour = X[..., k] - luma
        texture.append(colour - smooth(colour))
    bins = np.digitize(smooth_luma, TEXTURE_BINS) - 1
    out = np.full((len(TEXTURE_BINS) - 1, 4), np.nan)
    for b in range(len(out)):
        inside = bins == b
        out[b, 0] = inside.mean()
        if inside.sum() > 1:
            out[b, 1:] = [t[inside].std() for t in texture]
    return out


def _segments(L, sigma, nsig, smooth):
    lab, _ = ndimage.label(ndimage.gaussian_filter(L, smooth) > nsig * sigma)
    return lab


def galaxy_stats(X):
    """Per image, from the light above the sky (mean of the channels): the
    central source's half-light and 90 % radii, axis ratio (second moments),
    peak (mean within 2 px) and mean brightness within the half-light radius,
    and the log colours R/G, B/G of the centre (r < 1.5 px) and the outskirts
    (between one and two half-light radii)."""
    X = X.astype(np.float32)
    n, s = X.shape[:2]
    ring = _border(s)
    sky = np.median(X[:, ring], axis=1)
    D = X - sky[:, None, None]
    L = D.mean(-1)
    sig = np.maximum(
        1.4826 * np.median(np.abs(L[:, ring] - np.median(L[:, ring], 1)[:, None]), 1),
        1.0,
    )
    yy, xx = np.mgrid[:s, :s]
    keys = "r50 r90 q peak sb50 centre_rg centre_bg outer_rg outer_bg".split()
    out = {k: np.full(n, np.nan) for k in keys}
    c = s // 2
    for i in range(n):
        lab = _segments(L[i], sig[i], 3.0, 1.0)
        core = lab[c - 2 : c + 3, c - 2 : c + 3]
        core = core[core > 0]
        if not core.size:
            continue
        seg = lab == np.bincount(core).argmax()
        w = np.where(seg, np.maximum(L[i], 0), 0)
        tot = w.sum()
        mx, my = (w * xx).sum() / tot, (w * yy).sum() / tot
        r = np.hypot(xx - mx, yy - my)
        order = np.argsort(r[seg])
        cum, rs = np.cumsum(w[seg][order]), r[seg][order]
        out["r50"][i] = rs[min(np.searchsorted(cum, 0.5 * tot), rs.size - 1)]
        out["r90"][i] = rs[min(np.searchsorted(cum, 0.9 * tot), rs.size - 1)]
        dx, dy = xx - mx, yy - my
        cxx, cyy = (w * dx * dx).sum() / tot, (w * dy * dy).sum() / tot
        cxy = (w * dx * dy).sum() / tot
        root = np.sqrt(((cxx - cyy) / 2) ** 2 + cxy**2)
        major, minor = (cxx + cyy) / 2 + root, (cxx + cyy) / 2 - root
        out["q"][i] = np.sqrt(max(minor, 0) / major)
        r50 = max(out["r50"][i], 1.0)
        out["peak"][i] = L[i][r < 2].mean()
        out["sb50"][i] = L[i][r < r50].mean()
        centre = D[i][r < 1.5].mean(0)
        outer = D[i][(r > r50) & (r < 2 * r50) & seg].mean(0)
        for name, v in (("centre", centre), ("outer", outer)):
            v = np.maximum(v, 0.5)
            out[f"{name}_rg"][i] = np.log10(v[0] / v[1])
            out[f"{name}_bg"][i] = np.log10(v[2] / v[1])
    return out


def source_stats(X):
    """Per image: other sources than the central galaxy (3 sigma above the
    sky, at least 4 pixels): their number, whether one is large (> 40 pixels,
    a neighbouring galaxy) or bright (peak > 120 counts, a bright star)."""
    X = X.astype(np.float32)
    n, s = X.shape[:2]
    ring = _border(s)
    L = X.mean(-1)
    L -= np.median(L[:, ring], axis=1)[:, None, None]
    sig = np.maximum(1.4826 * np.median(np.abs(L[:, ring]), axis=1), 1.0)
    c = s // 2
    count, large, bright = np.zeros(n), np.zeros(n, bool), np.zeros(n, bool)
    for i in range(n):
        lab = _segments(L[i], sig[i], 3.0, 0.7)
        k = lab.max()
        if not k:
            continue
        core = lab[c - 2 : c + 3, c - 2 : c + 3]
        core = core[core > 0]
        central = np.bincount(core).argmax() if core.size else -1
        idx = np.arange(1, k + 1)
        area = np.bincount(lab.ravel(), minlength=k + 1)[1:]
        peak = ndimage.maximum(L[i], lab, idx)
        other = (idx != central) & (area >= 4)
        count[i] = other.sum()
        large[i] = np.any(other & (area > 40))
        bright[i] = np.any(other & (peak > 120))
    return {"sources": count, "neighbour": large, "bright_star": bright}


def star_widths(frames, low=60, high=200, exclude=60):
    """Half-maximum width of the narrowest compact source of each 424-pixel
    frame: unsaturated (peak ``low``-``high`` counts above the sky), away from
    the galaxy. Stars are the narrowest sources, so this follows the PSF."""
    out = []
    for img in frames:
        g = img.astype(np.float32).mean(-1)
        s = g.shape[0]
        d = g - np.median(g[:30])
        peaks = (d == ndimage.maximum_filter(d, 7)) & (d > low) & (d < high)
        best = np.inf
        for y, x in zip(*np.nonzero(peaks)):
            if np.hypot(y - s / 2, x - s / 2) < exclude or not (
                8 <= y < s - 8 and 8 <= x < s - 8
            ):
                continue
            half = d[y - 8 : y + 9, x - 8 : x + 9] > d[y, x] / 2
            lab, _ = ndimage.label(half)
            blob = lab == lab[8, 8]
            edge = blob[0].any() or blob[-1].any() or blob[:, 0].any()
            if not edge and not blob[:, -1].any() and blob.sum() >= 2:
                best = min(best, 2 * np.sqrt(blob.sum() / np.pi))
        if np.isfinite(best):
            out.append(best)
    return np.array(out)


# ------------------------------------------------------------ the vote model
def galaxy10_from_votes(votes):
    """The Galaxy10 class each vote vector points to, down the tree by
    plurality: smooth by roundness; edge-on by bulge; odd mergers and
    disturbed; barred; spirals tight (or medium) and loose. Featured galaxies
    with neither arms nor bar count as tight spirals, the nearest class."""
    v = np.asarray(votes)

    def arg(*names):
        return np.argmax(v[:, [COL[c] for c in names]], axis=1)

    smooth = v[:, COL["Class1.1"]] >= v[:, COL["Class1.2"]]
    shape = arg("Class7.1", "Class7.2", "Class7.3")
    edge = v[:, COL["Class2.1"]] > v[:, COL["Class2.2"]]
    bulge = arg("Class9.1", "Class9.2", "Class9.3")
    odd = v[:, COL["Class6.1"]] > 0.5
    q8 = arg(*(f"Class8.{k}" for k in range(1, 8)))
    bar = v[:, COL["Class3.1"]] > v[:, COL["Class3.2"]]
    winding = arg("Class10.1", "Class10.2", "Class10.3")
    y = np.where(winding == 2, 7, 6)
    y = np.where(bar, 5, y)
    y = np.where(odd & np.isin(q8, [2, 3]), 0, y)
    y = np.where(odd & (q8 == 5), 1, y)
    y = np.where(edge, np.where(bulge == 2, 8, 9), y)
    return np.where(smooth, 2 + shape, y)


def class_shares(votes):
    """Shares of the ten Galaxy10 classes among vote vectors, by plurality."""
    counts = np.bincount(galaxy10_from_votes(votes), minlength=len(GALAXY10_CLASSES))
    return counts / counts.sum()


MARGINALS = {
    "smooth": "Class1.1",
    "features or disk": "Class1.2",
    "star or artifact": "Class1.3",
    "edge-on": "Class2.1",
    "bar": "Class3.1",
    "spiral arms": "Class4.1",
    "odd": "Class6.1",
    "round": "Class7.1",
    "cigar-shaped": "Class7.3",
    "merger": "Class8.6",
}


def vote_marginals(real_votes, synthetic_votes, synthetic_y):
    """Mean vote fraction and share of galaxies above 0.5 of each answer, real
    against synthetic with the synthetic classes weighted to the real shares
    (the generator balances classes; the sky does not)."""
    share = class_shares(real_votes)
    count = np.bincount(synthetic_y, minlength=10)
    w = share[synthetic_y] / np.maximum(count[synthetic_y], 1)
    w /= w.sum()
    rows = {}
    for name, column in MARGINALS.items():
        r = real_votes[:, COL[column]]
        s = synthetic_votes[:, COL[column]]
        rows[name] = {
            "real_mean": float(r.mean()),
            "synthetic_mean": float(np.sum(w * s)),
            "real_share": float(np.mean(r > 0.5)),
            "synthetic_share": float(np.sum(w * (s > 0.5))),
        }
    return rows, share


# ------------------------------------------------------- statmorph statistics
MORPHOLOGY = ("concentration", "asymmetry", "gini", "m20", "rhalf", "g_r")


def _morph_one(image):
    import statmorph
    from photutils.segmentation import SegmentationImage

    g = image[..., 1].astype(np.float64)
    ring = _border(g.shape[0])
    g = g - np.median(g[ring])
    sigma = max(1.4826 * np.median(np.abs(g[ring])), 1.0)
    lab = _segments(g, sigma, 2.0, 1.0)
    c = g.shape[0] // 2
    core = lab[c - 2 : c + 3, c - 2 : c + 3]
    core = core[core > 0]
    if not core.size:
        return None
    label = int(np.bincount(core).argmax())
    segmap = np.where(lab == label, 1, 0)
    mask = (lab > 0) & (lab != label)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        m = statmorph.SourceMorphology(
            g,
            SegmentationImage(segmap),
            1,
            mask=mask,
            weightmap=np.full_like(g, sigma),
            sersic_maxiter=1,
        )
    if m.flag > 1:
        return None
    light = image.astype(np.float64) - np.median(image[ring], axis=0)
    inside = segmap.astype(bool)
    g_flux, r_flux = light[inside, 2].sum(), light[inside, 1].sum()
    colour = -2.5 * np.log10(max(g_flux, 1.0) / max(r_flux, 1.0))
    return (m.concentration, m.asymmetry, m.gini, m.m20, m.rhalf_circ, colour)


def morphology(X):
    """statmorph's statistics of each cutout's central galaxy (G channel)."""
    rows = joblib.Parallel(n_jobs=THREADS)(joblib.delayed(_morph_one)(x) for x in X)
    rows = [r for r in rows if r is not None and np.all(np.isfinite(r))]
    return np.array(rows).reshape(-1, len(MORPHOLOGY))


# -------------------------------------------------------- two-sample testing
def _zero_mean(X):
    return X - X.mean(axis=1, keepdims=True)


def _cache_key(*parts):
    h = hashlib.sha256()
    for p in parts:
        h.update(p.tobytes() if isinstance(p, np.ndarray) else repr(p).encode())
    return h.hexdigest()[:16]


def two_sample(real, fake, cache, max_epochs, skip_cnn):
    """5-fold ROC AUC of telling real from synthetic: pixel LR and the CNN."""
    from sklearn.metrics import roc_auc_score

    X = np.concatenate([real, fake])
    y = np.r_[np.zeros(len(real), int), np.ones(len(fake), int)]
    cv = StratifiedKFold(5, shuffle=True, random_state=0)
    lr = make_pipeline(
        Flatten(),
        FunctionTransformer(_zero_mean),
        StandardScaler(),
        LogisticRegression(C=0.01, max_iter=500),
    )
    result = {"lr": [], "cnn": []}
    for train, test in cv.split(X, y):
        lr.fit(X[train], y[train])
        result["lr"].append(roc_auc_score(y[test], lr.predict_proba(X[test])[:, 1]))
    if skip_cnn:
        return result
    from skgalaxy.neural_network import CNNClassifier

    for k, (train, test) in enumerate(cv.split(X, y)):
        key = _cache_key(X, y, k, max_epochs, "CNNClassifier-v1")
        path = Path(cache) / f"realism_cnn_{key}.joblib"
        if path.exists():
            proba = joblib.load(path)["proba"]
        else:
            model = CNNClassifier(max_epochs=max_epochs, random_state=0)
            model.fit(X[train], y[train])
            proba = model.predict_proba(X[test])[:, 1]
            tmp = path.with_suffix(".tmp")
            joblib.dump({"proba": proba, "model": model}, tmp)
            tmp.replace(path)
        result["cnn"].append(roc_auc_score(y[test], proba))
    return result


# ------------------------------------------- transfer from synthetic to real
# CPU budget: the whole run must stay within about an hour on one thread, and a
# fit at 64x64 costs about 1.6 ms per image and epoch there. Pretraining
# (4 fits: 2 surveys x classifier and regressor) at 4,000 images x 20 epochs is
# about 2 minutes a fit; the fine-tuning grid (3 seeds x scratch, sdss, ideal x
# gz1 100 %, gz1 10 %, votes) at 30 epochs (half the estimators' default 60) is
# about 30 minutes. --quick shrinks everything to a smoke run.
PRETRAIN_N = 4000
PRETRAIN_EPOCHS = 20
FINETUNE_EPOCHS = 30
FINETUNE_SEEDS = (0, 1, 2)
GZ1_FRACTIONS = (0.1, 1.0)
# Section 6's runs: (printed name, kind, share of the training labels).
FINE_TUNES = {
    **{f"gz1-{round(100 * f)}": (f"gz1 {f:.0%}", "gz1", f) for f in GZ1_FRACTIONS},
    "votes": ("votes 100%", "votes", 1.0),
}
# Synthetic sets drawn for zero-shot transfer: one model per draw (the first
# is fine-tuned in section 6); the figures swing by a few points between draws.
ZERO_SHOT_DRAWS = 3
QUICK = {
    "draws": 1,
    "pretrain_n": 200,
    "pretrain_epochs": 2,
    "finetune_epochs": 1,
    "seeds": (0,),
    "gz1_rows": 360,
    "votes_rows": 400,
}
# Goals (and the must-reach floors) of sections 5 and 6
ZERO_SHOT_GZ1_GOAL = 0.75  # accuracy; must beat the majority class
ZERO_SHOT_VOTES_GOAL = 0.15  # Kaggle RMSE; must beat the real training mean
FINETUNE_GAIN_GOAL = {0.1: 0.05, 1.0: 0.02}  # accuracy points over scratch


def _joblib_cached(cache, prefix, key, build):
    """``build()``'s result, stored once in ``cache`` under ``prefix`` + ``key``."""
    path = Path(cache) / f"realism_{prefix}_{key}.joblib"
    if path.exists():
        return joblib.load(path)
    result = build()
    tmp = path.with_suffix(".tmp")
    joblib.dump(result, tmp)
    tmp.replace(path)
    return result


def pretrain(kind, survey, n, epochs, cache, weights, draw=0):
    """A CNN fitted on ``n`` synthetic crops of ``survey``.

    ``kind`` is "gz1" (CNNClassifier on ``classes="gz1"``, labelled by name as
    the real gz1 labels are) or "votes" (CNNRegressor on the 37 vote fractions,
    its "auto" head: the decision tree). ``weights`` is the class mix to draw
    (``make_galaxies(weights=...)``); ``draw`` numbers the synthetic set (its
    ``random_state``: 5 or 6, plus 100 per draw). Returns the fitted model, its
    cache key (the data and the settings) and the fit's seconds.
    """
    from skgalaxy.neural_network import CNNClassifier, CNNRegressor

    if kind == "gz1":
        X, _, y = synthetic(
            n,
            survey,
            seed=5 + 100 * draw,
            classes="gz1",
            weights=weights,
            framing="gz1",
        )
        y = np.asarray(GZ1_ORDER)[y]
        estimator = CNNClassifier(random_state=0, max_epochs=epochs)
    else:
        X, y = synthetic_votes(n, survey, seed=6 + 100 * draw, weights=weights)
        estimator = CNNRegressor(random_state=0, max_epochs=epochs)
    key = _cache_key(X, y, epochs, f"pretrain-{kind}-v2")

    def build():
        t0 = time.perf_counter()
        estimator.fit(X, y)
        return {"model": estimator, "fit_s": time.perf_counter() - t0}

    result = _joblib_cached(cache, f"pretrain_{kind}", key, build)
    return result["model"], key, result["fit_s"]


def _majority(y_train, y_test):
    values, counts = np.unique(y_train, return_counts=True)
    label = values[np.argmax(counts)]
    return str(label), float(np.mean(y_test == label))


def zero_shot_gz1(model, gz1_train_y, test):
    """Accuracy of a synthetic-trained classifier on gz1's test fold."""
    pred = model.predict(test["crop"])
    y = test["y"]
    majority_class, majority = _majority(gz1_train_y, y)
    confusion = {
        true: {p: float(np.mean(pred[y == true] == p)) for p in GZ1_ORDER}
        for true in GZ1_ORDER
    }
    return {
        "accuracy": float(np.mean(pred == y)),
        "majority_class": majority_class,
        "majority_accuracy": majority,
        "predicted_share": {c: float(np.mean(pred == c)) for c in GZ1_ORDER},
        "true_share": {c: float(np.mean(y == c)) for c in GZ1_ORDER},
        "confusion": confusion,
    }


def zero_shot_votes(model, train_votes, test):
    """Kaggle RMSE of a synthetic-trained regressor on the votes' test fold."""
    from skgalaxy.metrics import kaggle_rmse

    pred = model.predict(test["crop"])
    mean = np.broadcast_to(train_votes.mean(0), test["votes"].shape)
    return {
        "rmse": float(kaggle_rmse(test["votes"], pred)),
        "mean_rmse": float(kaggle_rmse(test["votes"], mean)),
    }


def _other_draws(survey, draws, n, epochs, cache, mix, train, test, g, v):
    """Zero-shot figures of further synthetic draws: mean ± std over all draws.

    ``train`` and ``test`` are ``(gz1, votes)`` pairs of the real folds; ``g``
    and ``v`` (the first draw's results) get ``"draws"``: the figures, their
    mean and std, and the mean's verdict.
    """
    acc, rmse = [g["accuracy"]], [v["rmse"]]
    (gz1, votes), (gz1_test, votes_test) = train, test
    for draw in range(1, draws):
        clf, _, _ = pretrain("gz1", survey, n, epochs, cache, mix["gz1"], draw)
        reg, _, _ = pretrain("votes", survey, n, epochs, cache, mix["votes"], draw)
        acc.append(zero_shot_gz1(clf, gz1["y"], gz1_test)["accuracy"])
        rmse.append(zero_shot_votes(reg, votes["votes"], votes_test)["rmse"])
    for result, values, goal, must, higher in (
        (g, acc, ZERO_SHOT_GZ1_GOAL, g["majority_accuracy"], True),
        (v, rmse, ZERO_SHOT_VOTES_GOAL, v["mean_rmse"], False),
    ):
        mean = float(np.mean(values))
        result["draws"] = {
            "values": values,
            "mean": mean,
            "std": _spread(values),
            "verdict": _verdict(mean, goal, must=must, higher=higher),
        }
    for name, result, fmt in (("gz1 accuracy", g, ".3f"), ("votes RMSE", v, ".4f")):
        d = result["draws"]
        print(
            f"    {name} over {draws} synthetic draws: {d['mean']:{fmt}} ± "
            f"{d['std']:{fmt}} ("
            + ", ".join(f"{x:{fmt}}" for x in d["values"])
            + f"): {d['verdict']}",
            flush=True,
        )


def _subset(y, fraction, seed, classify):
    """Indices of a ``fraction`` of the rows (stratified for classes)."""
    idx = np.arange(len(y))
    if fraction >= 1:
        return idx
    sub, _ = train_test_split(
        idx,
        train_size=fraction,
        stratify=y if classify else None,
        random_state=seed,
    )
    return np.sort(sub)


def fine_tune(kind, X, y, test, seed, epochs, cache, pretrained=None, tag="scratch"):
    """Test figure of one fit on real training rows, from scratch or pretrained.

    ``kind`` "gz1": accuracy of a CNNClassifier; "votes": Kaggle RMSE of a
    CNNRegressor. ``pretrained`` is ``(model, key)`` from :func:`pretrain`;
    ``tag`` names it in the cache (scratch fits share one key across surveys).
    """
    from skgalaxy.metrics import kaggle_rmse
    from skgalaxy.neural_network import CNNClassifier, CNNRegressor

    source, source_key = pretrained if pretrained is not None else (None, "scratch")
    test_y = test["y"] if kind == "gz1" else test["votes"]
    key = _cache_key(
        X, y, test["crop"], test_y, seed, epochs, source_key, f"finetune-{kind}-v1"
    )

    def build():
        cls = CNNClassifier if kind == "gz1" else CNNRegressor
        model = cls(
            random_state=seed, max_epochs=epochs, pretrained=source, freeze="none"
        )
        t0 = time.perf_counter()
        model.fit(X, y)
        fit_s = time.perf_counter() - t0
        pred = model.predict(test["crop"])
        if kind == "gz1":
            score = float(np.mean(pred == test_y))
        else:
            score = float(kaggle_rmse(test_y, pred))
        return {"score": score, "fit_s": fit_s}

    return _joblib_cached(cache, f"finetune_{kind}_{tag}", key, build)


def _spread(values):
    v = np.asarray(values, dtype=float)
    return float(v.std(ddof=1)) if v.size > 1 else 0.0


def _verdict(value, goal=None, must=None, higher=True):
    """Whether ``value`` reaches the goal and the must-reach floor, in words:
    "goal met", "must-reach met, goal missed by x" or "missed"."""

    # the must-reach floor is strict (a model that predicts the majority class
    # does not beat it); the goal is reached at equality
    if must is not None and not (value > must if higher else value < must):
        return "missed"
    if goal is None:
        return "must-reach met"
    if value >= goal if higher else value <= goal:
        return "goal met"
    short = abs(goal - value)
    return f"{'must-reach met, ' if must is not None else ''}goal missed by {short:.3f}"


def run_transfer(
    surveys, gz1, votes, cache, quick, report, n_draws=None, fine_tunes=FINE_TUNES
):
    """Sections 5 (zero-shot transfer) and 6 (fine-tuning); fills ``report``.

    ``n_draws`` overrides the number of synthetic draws of section 5;
    ``fine_tunes`` names the runs of section 6 (keys of :data:`FINE_TUNES`;
    none skips it).
    """
    if quick:
        n, e_pre, e_fine = (
            QUICK[k] for k in ("pretrain_n", "pretrain_epochs", "finetune_epochs")
        )
        seeds, draws = QUICK["seeds"], QUICK["draws"]
    else:
        n, e_pre, e_fine, seeds, draws = (
            PRETRAIN_N,
            PRETRAIN_EPOCHS,
            FINETUNE_EPOCHS,
            FINETUNE_SEEDS,
            ZERO_SHOT_DRAWS,
        )
    draws = n_draws or draws
    gz1_test = load_gz1_test(cache)
    votes_test = load_votes_test(cache)
    gz1_X, gz1_y = gz1["crop"], gz1["y"]
    votes_X, votes_y = votes["crop"], votes["votes"].astype(np.float32)
    if quick:
        keep = _subset(gz1_y, QUICK["gz1_rows"] / len(gz1_y), 0, True)
        gz1_X, gz1_y = gz1_X[keep], gz1_y[keep]
        keep = _subset(votes_y, QUICK["votes_rows"] / len(votes_y), 0, False)
        votes_X, votes_y = votes_X[keep], votes_y[keep]

    # 5. zero-shot transfer
    print(
        f"\n5. Zero-shot transfer: CNNs fitted on {n} synthetic crops ({e_pre} "
        f"epochs), scored on the real test folds (gz1 {len(gz1_test['y'])}, "
        f"votes {len(votes_test['votes'])} galaxies)",
        flush=True,
    )
    # The synthetic classes in the real training folds' mix: gz1's shares, and
    # the votes' Galaxy10 classes by plurality (range_sample 1, as the test fold)
    mix = {
        "gz1": [float(np.mean(gz1["y"] == c)) for c in GZ1_ORDER],
        "votes": class_shares(votes["votes"][votes["range_sample"] == 1]).tolist(),
    }
    for kind, shares in mix.items():
        print(
            f"  synthetic class mix ({kind}): " + " ".join(f"{w:.3f}" for w in shares)
        )
    report["pretrain_class_mix"] = mix
    pre = {}
    for survey in surveys:
        clf, clf_key, clf_s = pretrain("gz1", survey, n, e_pre, cache, mix["gz1"])
        reg, reg_key, reg_s = pretrain("votes", survey, n, e_pre, cache, mix["votes"])
        pre["gz1", survey], pre["votes", survey] = (clf, clf_key), (reg, reg_key)
        g = zero_shot_gz1(clf, gz1["y"], gz1_test)
        v = zero_shot_votes(reg, votes["votes"], votes_test)
        g["verdict"] = _verdict(
            g["accuracy"], ZERO_SHOT_GZ1_GOAL, must=g["majority_accuracy"]
        )
        v["verdict"] = _verdict(
            v["rmse"], ZERO_SHOT_VOTES_GOAL, must=v["mean_rmse"], higher=False
        )
        report[f"zero_shot_{survey}"] = {
            "n_synthetic": n,
            "epochs": e_pre,
            "fit_s": {"classifier": clf_s, "regressor": reg_s},
            "gz1": g,
            "votes": v,
        }
        print(
            f"  {survey}: pretraining fits {clf_s:.0f} s (classifier), "
            f"{reg_s:.0f} s (regressor)"
        )
        print(
            f"    gz1 accuracy {g['accuracy']:.3f}  (majority class "
            f"{g['majority_class']} {g['majority_accuracy']:.3f}; goal >= "
            f"{ZERO_SHOT_GZ1_GOAL}, must beat the majority): {g['verdict']}"
        )
        print(
            f"    {'real class':<12s}{'share':>7s}   predicted as: "
            + "".join(f"{c:>11s}" for c in GZ1_ORDER)
        )
        for true in GZ1_ORDER:
            print(
                f"    {true:<12s}{g['true_share'][true]:7.2f}   {'':13s}"
                + "".join(f"{g['confusion'][true][c]:11.2f}" for c in GZ1_ORDER)
            )
        print(
            f"    {'all':<12s}{1:7.2f}   {'':13s}"
            + "".join(f"{g['predicted_share'][c]:11.2f}" for c in GZ1_ORDER)
        )
        print(
            f"    votes Kaggle RMSE {v['rmse']:.4f}  (real training mean "
            f"{v['mean_rmse']:.4f}; goal <= {ZERO_SHOT_VOTES_GOAL}, must beat the "
            f"mean): {v['verdict']}",
            flush=True,
        )
        if draws > 1:
            _other_draws(
                survey,
                draws,
                n,
                e_pre,
                cache,
                mix,
                (gz1, votes),
                (gz1_test, votes_test),
                g,
                v,
            )
            report[f"zero_shot_{survey}"]["draws"] = {
                "gz1": g["draws"],
                "votes": v["draws"],
            }

    if not fine_tunes:
        return
    # 6. fine-tuning
    print(
        f"\n6. Fine-tuning on the real training folds ({e_fine} epochs, "
        f"freeze='none'), from scratch and from section 5's models; test figure "
        f"mean ± std over seeds {', '.join(map(str, seeds))}; gain = pretrained - "
        "scratch, ± the std of the per-seed differences",
        flush=True,
    )
    runs = [FINE_TUNES[name] for name in fine_tunes]
    print(
        f"  {'set':<11s}{'rows':>6s}  {'start':<8s}{'figure':>16s}"
        f"{'gain':>18s}{'fit s':>8s}  verdict"
    )
    fine = report.setdefault("fine_tune", {})
    for name, kind, fraction in runs:
        classify = kind == "gz1"
        X, y, test = (
            (gz1_X, gz1_y, gz1_test) if classify else (votes_X, votes_y, votes_test)
        )
        starts = {"scratch": None, **{s: pre[kind, s] for s in surveys}}
        scores = {start: [] for start in starts}
        seconds = dict.fromkeys(starts, 0.0)
        rows = 0
        for seed in seeds:
            keep = _subset(y, fraction, seed, classify)
            rows = len(keep)
            for start, source in starts.items():
                r = fine_tune(
                    kind,
                    X[keep],
                    y[keep],
                    test,
                    seed,
                    e_fine,
                    cache,
                    pretrained=source,
                    tag=start,
                )
                scores[start].append(r["score"])
                seconds[start] += r["fit_s"]
        entry = {
            "metric": "accuracy" if classify else "Kaggle RMSE",
            "rows": rows,
            "seeds": list(seeds),
            "epochs": e_fine,
            "scores": scores,
            "fit_s": seconds,
            "gain": {},
        }
        for start, values in scores.items():
            line = (
                f"  {name if start == 'scratch' else '':<11s}"
                f"{rows if start == 'scratch' else '':>6}  {start:<8s}"
                f"{np.mean(values):8.4f} ± {_spread(values):.4f}"
            )
            if start == "scratch":
                print(f"{line}{'':18s}{seconds[start]:8.0f}", flush=True)
                continue
            diff = np.subtract(values, scores["scratch"])
            gain, spread = float(diff.mean()), _spread(diff)
            # the sign that helps: higher accuracy, lower RMSE
            better = gain if classify else -gain
            beyond = better > spread
            if not beyond:
                verdict = "missed (no gain beyond the spread)"
            elif classify and better < FINETUNE_GAIN_GOAL[fraction]:
                verdict = (
                    "must-reach met (beyond the spread), goal missed by "
                    f"{FINETUNE_GAIN_GOAL[fraction] - better:.3f}"
                )
            elif classify:
                verdict = "goal met"
            else:
                verdict = "must-reach met (beyond the spread)"
            entry["gain"][start] = {
                "mean": gain,
                "spread": spread,
                "beyond_spread": bool(beyond),
                "verdict": verdict,
            }
            print(
                f"{line}   {gain:+8.4f} ± {spread:.4f}{seconds[start]:8.0f}  {verdict}",
                flush=True,
            )
        fine[name] = entry
    print(
        "  goals: gz1 gain >= "
        + ", ".join(f"{g:+.2f} at {f:.0%}" for f, g in FINETUNE_GAIN_GOAL.items())
        + " and beyond the spread; votes: an RMSE drop beyond the spread"
        + (" (one seed: no spread, a smoke run)" if len(seeds) == 1 else "")
    )


# ------------------------------------------------------------------ printing
def _q(values, q=(16, 50, 84)):
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v)]
    return np.percentile(v, q) if v.size else np.full(len(q), np.nan)


def _row(name, real, synth):
    r, s = _q(real), _q(synth)
    return (
        f"  {name:<26s} {r[1]:8.3f} [{r[0]:7.3f},{r[2]:7.3f}]   "
        f"{s[1]:8.3f} [{s[0]:7.3f},{s[2]:7.3f}]"
    )


def _grid(rows, columns=10):
    """Image rows (lists of uint8 arrays) stacked into one array with gaps."""
    h, w = rows[0][0].shape[:2]
    gap = 4
    canvas = np.full(
        (len(rows) * (h + gap), columns * (w + gap), 3), 255, dtype=np.uint8
    )
    for i, row in enumerate(rows):
        for j, image in enumerate(row[:columns]):
            canvas[
                i * (h + gap) : i * (h + gap) + h, j * (w + gap) : j * (w + gap) + w
            ] = image
    return canvas


def write_grid(path, real_gz1, synth_by_survey):
    """Four rows per panel (gz1's classes), real then each survey."""
    from PIL import Image

    panels = []
    for X, y in [real_gz1, *synth_by_survey.values()]:
        rows = [list(X[y == name][:10]) for name in GZ1_ORDER]
        panels.append(_grid(rows))
    sep = np.full((panels[0].shape[0], 16, 3), 255, dtype=np.uint8)
    image = np.concatenate(sum(([p, sep] for p in panels), [])[:-1], axis=1)
    Image.fromarray(image).resize(
        (image.shape[1] * 2, image.shape[0] * 2), Image.NEAREST
    ).save(path)


# --------------------------------------------------------------------- main
def main(argv=None):
    global THREADS  # the loaders and the generator read it: --threads sets it
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small and short")
    parser.add_argument("--surveys", default=",".join(SURVEYS))
    parser.add_argument("--skip-cnn", action="store_true", help="skip section 1's CNN")
    parser.add_argument(
        "--skip-transfer", action="store_true", help="skip sections 5 and 6"
    )
    parser.add_argument(
        "--fine-tune",
        default=",".join(FINE_TUNES),
        help=f"section 6's runs, of {','.join(FINE_TUNES)} (empty: skip it)",
    )
    parser.add_argument(
        "--draws",
        type=int,
        default=None,
        help=f"synthetic draws of section 5 (default {ZERO_SHOT_DRAWS})",
    )
    parser.add_argument(
        "--threads",
        type=int,
        default=THREADS,
        help="torch threads and workers (default 2); 1 on a machine others use",
    )
    parser.add_argument("--cache", default=None, help="folder for crops and CNNs")
    parser.add_argument("--out", default=None, help="folder for the PNG and JSON")
    args = parser.parse_args(argv)
    fine_tunes = [r for r in args.fine_tune.split(",") if r]
    unknown = set(fine_tunes) - set(FINE_TUNES)
    if unknown:
        parser.error(
            f"unknown --fine-tune runs {sorted(unknown)}; of {list(FINE_TUNES)}"
        )
    if not DATA.is_dir():
        raise SystemExit(
            f"{DATA} is missing: set SKGALAXY_SHARED_DATA to the data folder"
        )
    import torch

    THREADS = args.threads
    torch.set_num_threads(THREADS)
    surveys = [s for s in args.surveys.split(",") if s]
    cache = Path(args.cache or Path.home() / ".cache" / "skgalaxy_bench")
    cache.mkdir(parents=True, exist_ok=True)
    out = Path(args.out) if args.out else None
    if out:
        out.mkdir(parents=True, exist_ok=True)
    n_two = 200 if args.quick else 1000
    n_class = 40 if args.quick else 200
    epochs = 2 if args.quick else 8
    report = {}
    t_start = time.perf_counter()

    votes = load_votes(cache)
    gz1 = load_gz1(cache)
    subset = load_subset(cache)
    rng = np.random.default_rng(0)
    real_two = votes["crop"][rng.choice(len(votes["crop"]), n_two, replace=False)]
    real_by_class = {}
    for name in GZ1_ORDER:
        idx = np.flatnonzero(gz1["y"] == name)
        real_by_class[name] = gz1["crop"][idx[:n_class]]
    print(
        f"real training folds: votes {len(votes['crop'])}, gz1 {len(gz1['crop'])}, "
        f"subset {len(subset['crop'])} cutouts",
        flush=True,
    )

    synth, synth_gz1 = {}, {}
    for survey in surveys:
        crop, _, y = synthetic(n_two, survey, seed=1)
        synth[survey] = (crop, y)
        crop4, frames4, y4 = synthetic(
            4 * n_class, survey, seed=2, classes="gz1", framing="gz1"
        )
        synth_gz1[survey] = (crop4, np.asarray(GZ1_ORDER)[y4], frames4)

    # 1. two-sample test
    print(
        "\n1. Two-sample test, real (votes training rows) vs synthetic, "
        "5-fold ROC AUC (0.5 = indistinguishable)",
        flush=True,
    )
    for survey in surveys:
        res = two_sample(real_two, synth[survey][0], cache, epochs, args.skip_cnn)
        report[f"two_sample_{survey}"] = res
        cnn = f"{np.mean(res['cnn']):.3f}" if res["cnn"] else "skipped"
        print(
            f"  {survey:<6s} CNN {cnn}   pixel LR (zero-mean) {np.mean(res['lr']):.3f}",
            flush=True,
        )

    # 2. morphology statistics
    print(
        "\n2. Morphology statistics per gz1 class (statmorph), median real / "
        "synthetic and the KS distance",
        flush=True,
    )
    try:
        import statmorph  # noqa: F401
    except ImportError:
        print("  statmorph is not installed (pip install statmorph): skipped")
    else:
        real_m = {name: morphology(X) for name, X in real_by_class.items()}
        for survey in surveys:
            crop4, y4, _ = synth_gz1[survey]
            print(f"  {survey}:", flush=True)
            print(f"  {'':12s}" + "".join(f"{s:>24s}" for s in MORPHOLOGY))
            dist = {}
            for name in GZ1_ORDER:
                sm = morphology(crop4[y4 == name])
                cells, dist[name] = [], {}
                for j, stat in enumerate(MORPHOLOGY):
                    d = stats.ks_2samp(real_m[name][:, j], sm[:, j]).statistic
                    dist[name][stat] = float(d)
                    cells.append(
                        f"{np.median(real_m[name][:, j]):7.2f}/"
                        f"{np.median(sm[:, j]):<7.2f} D={d:4.2f}"
                    )
                print(f"  {name:<12s}" + "".join(f"{c:>24s}" for c in cells))
            mean_d = np.mean([v for d in dist.values() for v in d.values()])
            print(f"  mean KS distance: {mean_d:.3f}", flush=True)
            report[f"morphology_{survey}"] = dist

    # 3. calibrated quantities
    print(
        "\n3. Calibrated quantities: median [16th, 84th percentile], real vs synthetic",
        flush=True,
    )
    real_gal = {name: galaxy_stats(X) for name, X in real_by_class.items()}
    real_sky = sky_stats(votes["crop"])
    real_corner = corner_stats(votes["crop"])
    real_texture = texture_stats(real_two)
    real_src = {
        k: source_stats(v) for k, v in (("crop", gz1["crop"]), ("frame", gz1["frame"]))
    }
    n_frames = 60 if args.quick else 200
    real_psf = star_widths(full_frames(n_frames))
    train_votes = votes["votes"][votes["range_sample"] == 1]
    for survey in surveys:
        crop4, y4, frames4 = synth_gz1[survey]
        print(f"  {survey}: {'real':>26s} {'':14s} {'synthetic':>12s}")
        for name in GZ1_ORDER:
            sg = galaxy_stats(crop4[y4 == name])
            print(f"  {name}")
            for key in (
                "r50",
                "r90",
                "q",
                "peak",
                "sb50",
                "centre_rg",
                "centre_bg",
                "outer_rg",
                "outer_bg",
            ):
                print(_row(key, real_gal[name][key], sg[key]))
        ss = sky_stats(synth[survey][0])
        for k, band in enumerate("RGB"):
            print(_row(f"sky level {band}", real_sky["sky"][:, k], ss["sky"][:, k]))
            print(_row(f"sky noise {band}", real_sky["noise"][:, k], ss["noise"][:, k]))
        print(_row("sky noise lag-1 corr.", real_sky["noise_lag1"], ss["noise_lag1"]))
        ks = []
        for label, r, c in _corner_pairs(real_corner, corner_stats(synth[survey][0])):
            print(_row(f"corner {label}", r, c))
            ks.append(stats.ks_2samp(r, c).statistic)
        print(f"  quietest corner: mean KS distance {np.mean(ks):.3f}")
        report[f"corner_ks_{survey}"] = float(np.mean(ks))
        synth_texture = texture_stats(synth[survey][0])
        print(
            "  texture by brightness (smooth luma bin: pixels %, then the "
            "texture's std of luma, R-Y, B-Y; real / synthetic):"
        )
        for b, (r, t) in enumerate(zip(real_texture, synth_texture)):
            print(
                f"    {TEXTURE_BINS[b]:3d}-{TEXTURE_BINS[b + 1]:<3d} "
                f"{100 * r[0]:5.1f}/{100 * t[0]:<5.1f} "
                + " ".join(f"{r[k]:5.2f}/{t[k]:<5.2f}" for k in (1, 2, 3))
            )
        # The texture's mismatch: |ln synthetic / real| over the three
        # textures, weighted by the real share of pixels in each bin (of the
        # bins both hold: the ideal look has no pixel darker than its sky).
        weight = real_texture[:, 0] / real_texture[:, 0].sum()
        ratio = np.abs(np.log(synth_texture[:, 1:] / real_texture[:, 1:]))
        mismatch = float(np.nansum(weight[:, None] * ratio) / 3)
        print(f"  texture: mean |ln synthetic / real| {mismatch:.3f}")
        report[f"texture_{survey}"] = {
            "real": real_texture.tolist(),
            "synthetic": synth_texture.tolist(),
            "mismatch": mismatch,
        }
        for where, X in (("crop", crop4), ("frame", frames4)):
            s_src = source_stats(X)
            r_src = real_src[where]
            print(
                f"  {where}: sources {r_src['sources'].mean():5.2f} / "
                f"{s_src['sources'].mean():5.2f}, with a neighbour "
                f"{r_src['neighbour'].mean():5.1%} / {s_src['neighbour'].mean():5.1%}"
                f", with a bright star {r_src['bright_star'].mean():5.1%} / "
                f"{s_src['bright_star'].mean():5.1%}"
            )
        _, big, _ = synthetic(n_frames // 2, survey, seed=3, size=424)
        print(_row("star width (px of 424)", real_psf, star_widths(big)))
        X, y, votes_s = make_galaxies(
            2000,
            image_size=32,
            survey=survey,
            return_votes=True,
            random_state=4,
            n_jobs=THREADS,
        )
        rows, share = vote_marginals(train_votes, votes_s, y)
        report[f"votes_{survey}"] = rows
        print(
            "  votes: mean fraction real / synthetic, share above 0.5 real / "
            "synthetic (synthetic classes weighted to the real shares)"
        )
        for name, r in rows.items():
            print(
                f"    {name:<18s} {r['real_mean']:6.3f} / {r['synthetic_mean']:6.3f}"
                f"   {r['real_share']:6.3f} / {r['synthetic_share']:6.3f}"
            )
    print(
        "  real class shares by vote plurality: "
        + ", ".join(f"{GALAXY10_CLASSES[c]} {share[c]:.2f}" for c in range(10))
    )

    # 4. throughput
    print("\n4. Throughput at 64x64x3", flush=True)
    for survey in surveys:
        make_galaxies(200, survey=survey, random_state=0, n_jobs=THREADS)
        n = 2000 if args.quick else 10000
        rates = []
        for _ in range(2):  # the best of two: a shared machine's other work slows one
            t0 = time.perf_counter()
            make_galaxies(n, survey=survey, random_state=0, n_jobs=THREADS)
            rates.append(n / (time.perf_counter() - t0))
        report[f"throughput_{survey}"] = max(rates)
        print(
            f"  {survey:<6s} {max(rates):8.0f} galaxies/s ({THREADS} threads; best of "
            f"{', '.join(f'{r:.0f}' for r in rates)})",
            flush=True,
        )

    if not args.skip_transfer:
        run_transfer(
            surveys,
            gz1,
            votes,
            cache,
            args.quick,
            report,
            n_draws=args.draws,
            fine_tunes=fine_tunes,
        )

    if out:
        write_grid(
            out / "realism_grid.png",
            (gz1["crop"], gz1["y"]),
            {s: synth_gz1[s][:2] for s in surveys},
        )
        (out / "bench_realism.json").write_text(json.dumps(report, indent=1))
    print(f"\nbench_realism done in {time.perf_counter() - t_start:.0f} s")


if __name__ == "__main__":
    main()
