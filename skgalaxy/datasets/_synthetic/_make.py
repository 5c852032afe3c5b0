"""The driver of :func:`make_galaxies`: labels, chunks of one class, threads."""

import numbers
from collections.abc import Mapping

import numpy as np
from joblib import Parallel, delayed
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import (
    Interval,
    Options,
    StrOptions,
    validate_params,
)
from threadpoolctl import threadpool_limits
from tqdm.auto import tqdm

from .._classes import CLASS_MAPPINGS, GALAXY10_CLASSES, GALAXY10_COUNTS
from .._tree import VOTE_COLUMNS, normalize_votes
from ._canvas import Canvas
from ._morphology import RENDERERS
from ._observation import BRIGHTNESS, band_weights, observe
from ._sdss import (
    CORE_COLOUR,
    STRUCTURE,
    VOTES_SEEN,
    colour_map,
    frame,
    light_radii,
    observe_sdss,
)
from ._votes import conditional_votes

__all__ = ["make_galaxies"]


# Pixels of one chunk of galaxies of one class rendered together (64 galaxies at
# 64x64): 3 MB per float32 colour array, about the cores' L2 caches together;
# smaller chunks spend more of their time in Python (32: 10 % slower on two
# threads). The chunking depends only on the arguments, so results never depend
# on n_jobs.
_CHUNK_PIXELS = 64 * 64 * 64
# The first rendering of an SDSS chunk, which measures the galaxies: its size
# and zoom (0.6 shows the model's central 1.7 image widths, where its light is).
_DRY_SIZE = 40
_DRY_ZOOM = 0.6


def _render_chunk(
    label, m, seed, size, n_channels, psf_fwhm, noise, n_stars, votes, survey
):
    if survey == "ideal":
        rng = np.random.default_rng(seed)
        cv = Canvas(m, size)
        params = RENDERERS[label](cv, rng)
        flux = cv.render(band_weights(n_channels) * BRIGHTNESS)
        del cv
        images = observe(flux, rng, psf_fwhm, noise, n_stars)
        if n_channels == 1:
            images = images[..., 0]
    else:
        images, rng, params = _render_sdss(
            label, m, seed, size, n_channels, psf_fwhm, noise, n_stars
        )
    # Votes are drawn last, so the images do not depend on return_votes.
    if survey == "ideal":
        sharpness, seen = 1.0, None
    else:
        sharpness, seen = STRUCTURE["vote_sharpness"], VOTES_SEEN
    cond = conditional_votes(params, rng, sharpness, seen) if votes else None
    return images, cond


def _render_sdss(label, m, seed, size, n_channels, psf_fwhm, noise, n_stars):
    """Render an SDSS chunk in two passes.

    A small first rendering measures each galaxy's radii, so the second,
    replaying the same draws, frames it as the survey does.
    """
    look = np.random.default_rng(
        np.random.SeedSequence(seed.entropy, spawn_key=(*seed.spawn_key, 0))
    )
    sdss = {"colour_map": colour_map, "structure": STRUCTURE, "core": CORE_COLOUR}
    dry = Canvas(m, _DRY_SIZE, zoom=np.full(m, _DRY_ZOOM), **sdss)
    RENDERERS[label](dry, np.random.default_rng(seed))
    light = dry.render(np.array([[0.0], [1.0], [0.0]]))[:, 0]
    del dry
    radii = light_radii(light, 1.0 / (_DRY_SIZE * _DRY_ZOOM))
    framing = frame(look, label, m, size, radii, psf_fwhm)
    rng = np.random.default_rng(seed)
    cv = Canvas(m, size, zoom=framing.zoom, **sdss)
    params = RENDERERS[label](cv, rng)
    flux = cv.render(np.eye(3))
    del cv
    images = observe_sdss(flux, look, framing, noise, n_stars, n_channels)
    return images, rng, params


def _resolve_classes(classes):
    """Galaxy10 indices to draw and the label of each: (indices, labels)."""

    def to_index(c):
        if isinstance(c, str):
            if c not in GALAXY10_CLASSES:
                raise ValueError(
                    f"Unknown Galaxy10 class {c!r}; expected one of "
                    f"{list(GALAXY10_CLASSES)} or an index 0-9."
                )
            return GALAXY10_CLASSES.index(c)
        if isinstance(c, numbers.Integral) and not isinstance(c, bool):
            if not 0 <= c < len(GALAXY10_CLASSES):
                raise ValueError(
                    f"Galaxy10 class index {c} is out of range; expected 0-9."
                )
            return int(c)
        raise TypeError(
            f"Galaxy10 classes are given by name or index 0-9, got {c!r} "
            f"({type(c).__name__})."
        )

    if classes is None:
        idx = list(range(len(GALAXY10_CLASSES)))
        return [[i] for i in idx], idx
    if isinstance(classes, str):
        classes = CLASS_MAPPINGS[classes]
    if isinstance(classes, Mapping):
        groups = []
        for name, members in classes.items():
            if isinstance(members, (str, numbers.Integral)):
                members = [members]
            members = [to_index(c) for c in members]
            if not members:
                raise ValueError(f"Class group {name!r} lists no Galaxy10 class.")
            groups.append(members)
        flat = [i for g in groups for i in g]
        if len(set(flat)) != len(flat):
            raise ValueError(
                "A Galaxy10 class appears in more than one group of `classes`."
            )
        return groups, list(range(len(groups)))
    idx = [to_index(c) for c in np.asarray(classes, dtype=object).ravel()]
    if not idx:
        raise ValueError("`classes` is empty; give at least one Galaxy10 class.")
    if len(set(idx)) != len(idx):
        raise ValueError(f"`classes` lists a Galaxy10 class twice: {classes!r}.")
    return [[i] for i in idx], idx


def _class_counts(weights, k, n_samples):
    """Galaxies per class from ``weights``, summing to ``n_samples``.

    Each count is rounded down, then the largest remainders get one more.
    """
    try:
        w = np.asarray(weights, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(
            f"`weights` must be a sequence of {k} numbers, got {weights!r}."
        ) from None
    if w.shape != (k,):
        raise ValueError(
            f"`weights` must hold one share per class ({k}, in the order of "
            f"`classes`), got shape {w.shape}."
        )
    if not np.all(np.isfinite(w)) or np.any(w < 0) or w.sum() <= 0:
        raise ValueError(
            f"`weights` must be finite, non-negative and not all zero, got {w}."
        )
    exact = w / w.sum() * n_samples
    counts = np.floor(exact).astype(np.intp)
    short = n_samples - counts.sum()
    counts[np.argsort(counts - exact, kind="stable")[:short]] += 1
    return counts


@validate_params(
    {
        "n_samples": [Interval(numbers.Integral, 1, None, closed="left")],
        "image_size": [Interval(numbers.Integral, 16, None, closed="left")],
        "n_channels": [Options(numbers.Integral, {1, 3})],
        "classes": [None, StrOptions(set(CLASS_MAPPINGS)), Mapping, "array-like"],
        "weights": [None, "array-like"],
        "noise": [Interval(numbers.Real, 0, None, closed="left")],
        "psf_fwhm": [None, Interval(numbers.Real, 0, None, closed="left")],
        "n_stars": [Interval(numbers.Real, 0, None, closed="left")],
        "survey": [StrOptions({"sdss", "ideal"})],
        "return_votes": ["boolean"],
        "random_state": ["random_state"],
        "n_jobs": [numbers.Integral, None],
        "verbose": ["boolean"],
    },
    prefer_skip_nested_validation=True,
)
def make_galaxies(
    n_samples=1000,
    *,
    image_size=64,
    n_channels=3,
    classes=None,
    weights=None,
    noise=1.0,
    psf_fwhm=None,
    n_stars=1.0,
    survey="sdss",
    return_votes=False,
    random_state=None,
    n_jobs=None,
    verbose=False,
):
    """Generate labelled galaxy images of the ten Galaxy10 DECaLS classes.

    Each galaxy is rendered from a physical model of its class: Sersic spheroids
    whose axis ratio makes them round, in-between or cigar-shaped; exponential disks
    with logarithmic spiral arms (tightly or loosely wound by their pitch angle),
    bars, rings and star-forming clumps; thin edge-on disks with or without a bulge
    and a dust lane; lopsided, clumpy disturbed galaxies; and merging pairs with
    tidal tails. Orientation, size, inclination and a small centre offset are random.
    Bulges and ellipticals are redder than disks, arms and clumps bluer.

    The light is then observed as a survey would. ``survey="sdss"`` (the default)
    frames and observes each galaxy as the Sloan Digital Sky Survey gri colour
    cutouts of Galaxy Zoo 2 and the Kaggle challenge show them: the frame spans
    8.5 Petrosian radii R90 of the galaxy, the seeing blurs small galaxies most,
    neighbouring galaxies and field stars share the frame, sky and noise are those
    of the survey's images, the Lupton et al. (2004) asinh stretch makes the colour
    image (R, G, B = i, r, g) and JPEG compression comes last. Every distribution
    was calibrated on the training folds of real cutouts (see the data guide).
    ``survey="ideal"`` keeps the first look of the generator: large, sharp galaxies
    on a clean sky, with a Gaussian PSF, stars, noise and an asinh stretch per band
    in the manner of Galaxy10 DECaLS (R, G, B = z, r, g).

    Parameters
    ----------
    n_samples : int, default=1000
        Number of galaxies. Classes are balanced (they differ by at most one)
        unless ``weights`` says otherwise.
    image_size : int, default=64
        Height and width of the images in pixels, at least 16. The field of view
        is fixed, so a larger size shows the same galaxies in finer detail.
    n_channels : {1, 3}, default=3
        3 gives colour images ``(n, h, w, 3)``; 1 gives gray images ``(n, h, w)``
        (Rec.601 luminance of the colour light, observed with the same noise).
    classes : None, str, dict or sequence of {int, str}, default=None
        Which classes to draw and how to label them:

        - None: all ten Galaxy10 classes, labels 0-9 as in
          :data:`GALAXY10_CLASSES`;
        - a sequence of Galaxy10 indices or names: only those classes, labels
          keep their Galaxy10 index;
        - a dict ``{group name: sequence of Galaxy10 classes}``: coarser classes,
          labelled 0, 1, ... in the dict's order; each group is equally frequent
          and its members are drawn as often as Galaxy10 DECaLS holds them
          (:data:`GALAXY10_COUNTS`: of the smooth galaxies, 53 % round, 40 %
          in-between, 7 % cigar-shaped);
        - a str naming one of :data:`CLASS_MAPPINGS`:
          ``"elliptical-spiral-irregular"`` (Mocz's three classes),
          ``"hubble"`` (the classes of :func:`hubble_class`) or ``"gz1"``
          (elliptical, spiral, edge-on, merger as in gz1_small).
    weights : array-like of shape (n_classes,) or None, default=None
        The share of each class (in the order of ``classes``; normalised to
        sum to 1), as in :func:`sklearn.datasets.make_classification`: to draw
        a survey's own mix of classes, such as the shares of a labelled
        training set. Counts are ``n_samples * weights`` rounded so that they
        sum to ``n_samples``. None draws the classes equally often.
    noise : float, default=1.0
        Scale of the sky, read and photon noise: 1 is survey-like, 0 noiseless.
    psf_fwhm : float or None, default=None
        Full width at half maximum of the Gaussian PSF in pixels. None means the
        survey's own: for ``"sdss"``, the seeing drawn per galaxy as a share of
        its size (a median of 0.12 R90, the width of the stars on the real
        frames); for ``"ideal"``, ``image_size / 50`` (about 1.3 arcsec on a
        256-pixel Galaxy10 cutout). A number sets the median; each galaxy's
        seeing scatters by -15 % to +20 % around it; 0 turns the PSF off.
    n_stars : float, default=1.0
        Scale of the field's other sources. In the ideal look, the mean number
        of foreground stars per image (Poisson), faint background galaxies
        scaling with it (2.5 per 64-pixel image at 1.0); in the SDSS look, the
        factor on the survey's own numbers of field stars, small and faint
        galaxies and resolved neighbours. 0 gives a clean field.
    survey : {"sdss", "ideal"}, default="sdss"
        How the galaxies look: ``"sdss"`` as SDSS colour cutouts (Galaxy Zoo 2,
        Kaggle), ``"ideal"`` as the generator's first, idealised look (see
        above). The classes, their morphology and the vote model are the same.
    return_votes : bool, default=False
        Also return Galaxy Zoo vote fractions derived from each galaxy's true
        parameters (see Notes).
    random_state : int, RandomState instance or None, default=None
        Seeds the generator; pass an int for reproducible output.
    n_jobs : int or None, default=None
        Threads rendering chunks of galaxies in parallel (NumPy releases the GIL).
        None means 1 unless in a :func:`joblib.parallel_config` context; -1 uses all
        processors. The output does not depend on ``n_jobs``.
    verbose : bool, default=False
        Show a progress bar (tqdm).

    Returns
    -------
    X : ndarray of shape (n_samples, image_size, image_size[, 3]), dtype uint8
        The images.
    y : ndarray of shape (n_samples,), dtype int
        The labels (see ``classes``).
    votes : ndarray of shape (n_samples, 37), dtype float64
        Only with ``return_votes=True``: vote fractions in the Kaggle column order
        :data:`VOTE_COLUMNS`, consistent with the decision tree.

    See Also
    --------
    load_galaxy10 : The real Galaxy10 DECaLS images these imitate.
    normalize_votes : The tree normalisation applied to the votes.
    hubble_class : Hubble classes from vote fractions.

    Notes
    -----
    Surface brightness is in units of the sky noise of one pixel, so images look
    the same at every ``image_size``. In the ideal look, the stretch is
    ``17 + 40 asinh(f / 8)`` counts per band, so the sky sits near 17 with a
    noise of about 5 counts and bright cores reach 200-255, as in Galaxy10
    cutouts. Noise is Gaussian with
    variance ``noise**2 (1 + f / 50)`` (read and sky noise plus photon noise at
    high counts), drawn from a 16-bit inverse-CDF table for speed.

    Neighbouring classes overlap as they do in real data: the axis-ratio
    distributions of round and in-between smooth galaxies overlap, as do the pitch
    angles of tight and loose spirals, and some bars are weak.

    The votes are what a few dozen volunteers might answer: for each question, the
    answers' probabilities are a softmax of logits computed from the true
    parameters (smoothness, axis ratio, inclination, bar strength, arm visibility,
    pitch angle and number of arms, bulge fraction, disturbance, merger, ring, dust
    lane), sharper for large bright galaxies; a Dirichlet draw around them gives
    the volunteers' disagreement, and :func:`normalize_votes` makes the answers
    tree-consistent.

    Galaxies are rendered in chunks of one class, each from its own
    :class:`numpy.random.SeedSequence` child, so results depend only on
    ``random_state`` and the arguments, never on ``n_jobs``.

    Examples
    --------
    >>> from skgalaxy.datasets import GALAXY10_CLASSES, make_galaxies
    >>> X, y = make_galaxies(20, image_size=32, random_state=0)
    >>> X.shape, X.dtype, y.shape
    ((20, 32, 32, 3), dtype('uint8'), (20,))
    >>> sorted(set(y.tolist())) == list(range(10))
    True
    >>> GALAXY10_CLASSES[y[0]] in GALAXY10_CLASSES
    True

    Gray images of Mocz's three classes, with vote fractions:

    >>> X, y, votes = make_galaxies(
    ...     9, image_size=32, n_channels=1, classes="elliptical-spiral-irregular",
    ...     return_votes=True, random_state=0)
    >>> X.shape, sorted(set(y.tolist())), votes.shape
    ((9, 32, 32), [0, 1, 2], (9, 37))
    """
    groups, labels = _resolve_classes(classes)
    if survey == "ideal":
        psf = image_size / 50.0 if psf_fwhm is None else float(psf_fwhm)
    else:
        psf = None if psf_fwhm is None else float(psf_fwhm)

    rs = check_random_state(random_state)
    root = np.random.SeedSequence(rs.randint(0, 2**32 - 1, size=4, dtype=np.uint64))
    label_rng = np.random.default_rng(root.spawn(1)[0])
    # Balanced labels (or weights' counts); within a group, its Galaxy10 classes
    # are drawn as often as Galaxy10 DECaLS holds them (a cigar-shaped smooth
    # galaxy is rarer than a round one). A group of one draws nothing, so lists
    # of classes keep their images.
    k = len(groups)
    if weights is None:
        y = np.arange(n_samples) % k
    else:
        y = np.repeat(np.arange(k), _class_counts(weights, k, n_samples))
    label_rng.shuffle(y)
    g10 = np.empty(n_samples, dtype=np.intp)
    for j, members in enumerate(groups):
        sel = np.flatnonzero(y == j)
        if len(members) == 1:
            g10[sel] = members[0]
            continue
        share = np.asarray(GALAXY10_COUNTS, dtype=float)[members]
        g10[sel] = label_rng.choice(members, sel.size, p=share / share.sum())
    y = np.asarray(labels)[y]

    chunk = int(np.clip(_CHUNK_PIXELS // image_size**2, 4, 64))
    tasks = []
    for c in range(len(GALAXY10_CLASSES)):
        idx = np.flatnonzero(g10 == c)
        for j, start in enumerate(range(0, idx.size, chunk)):
            seed = np.random.SeedSequence(root.entropy, spawn_key=(1, c, j))
            tasks.append((c, idx[start : start + chunk], seed))

    shape = (n_samples, image_size, image_size) + ((3,) if n_channels == 3 else ())
    X = np.empty(shape, dtype=np.uint8)
    cond = np.empty((n_samples, len(VOTE_COLUMNS))) if return_votes else None

    def run(c, idx, seed):
        images, votes = _render_chunk(
            c,
            idx.size,
            seed,
            image_size,
            n_channels,
            psf,
            noise,
            n_stars,
            return_votes,
            survey,
        )
        return idx, images, votes

    parallel = Parallel(
        n_jobs=n_jobs, prefer="threads", return_as="generator_unordered"
    )
    progress = tqdm(
        total=n_samples, desc="make_galaxies", unit="galaxy", disable=not verbose
    )
    with threadpool_limits(limits=1, user_api="blas"), progress:
        for idx, images, votes in parallel(delayed(run)(*t) for t in tasks):
            X[idx] = images
            if return_votes:
                cond[idx] = votes
            progress.update(idx.size)
    if not return_votes:
        return X, y
    return X, y, normalize_votes(cond)
