"""Tests for make_galaxies: shapes, determinism, physics of each class, votes."""

import numpy as np
import pytest
from numpy.testing import assert_array_equal

from skgalaxy.datasets import (
    CLASS_MAPPINGS,
    GALAXY10_CLASSES,
    GALAXY10_COUNTS,
    VOTE_COLUMNS,
    hubble_class,
    make_galaxies,
    tree_consistency_error,
)

COL = {name: i for i, name in enumerate(VOTE_COLUMNS)}


@pytest.fixture(scope="module")
def galaxies():
    """300 colour galaxies with votes, 30 per class, shared by the physics tests
    of the ideal look (the SDSS look has its own, in test_sdss_look.py)."""
    return make_galaxies(
        300, image_size=48, return_votes=True, survey="ideal", random_state=0
    )


@pytest.fixture(scope="module")
def clean():
    """Noiseless, star-free galaxies for measuring shapes and colours."""
    return make_galaxies(
        400,
        image_size=48,
        noise=0.0,
        n_stars=0.0,
        survey="ideal",
        random_state=1,
        n_jobs=2,
    )


def _moments(images):
    """Axis ratio (minor/major) and size of the light above the sky, per image."""
    light = images.astype(np.float64)
    if light.ndim == 4:
        light = light.mean(axis=-1)
    light = np.clip(light - np.median(light, axis=(1, 2), keepdims=True), 0, None)
    # Keep the galaxy's bright body; the faint outskirts are dominated by the PSF.
    light = np.where(light > 0.25 * light.max(axis=(1, 2), keepdims=True), light, 0)
    s = light.shape[1]
    yy, xx = np.mgrid[:s, :s]
    w = light / light.sum(axis=(1, 2), keepdims=True)
    mx, my = (w * xx).sum((1, 2)), (w * yy).sum((1, 2))
    dx, dy = xx - mx[:, None, None], yy - my[:, None, None]
    cxx, cyy, cxy = (
        (w * dx * dx).sum((1, 2)),
        (w * dy * dy).sum((1, 2)),
        (w * dx * dy).sum((1, 2)),
    )
    root = np.sqrt(((cxx - cyy) / 2) ** 2 + cxy**2)
    major, minor = (cxx + cyy) / 2 + root, (cxx + cyy) / 2 - root
    return np.sqrt(minor / major), np.sqrt(major + minor)


def test_make_galaxies_shapes_and_dtypes():
    X, y = make_galaxies(12, image_size=20, random_state=0)
    assert X.shape == (12, 20, 20, 3) and X.dtype == np.uint8
    assert y.shape == (12,) and y.dtype.kind == "i"
    X, y, votes = make_galaxies(
        5, image_size=16, n_channels=1, return_votes=True, random_state=0
    )
    assert X.shape == (5, 16, 16) and X.dtype == np.uint8
    assert votes.shape == (5, 37) and votes.dtype == np.float64


def test_make_galaxies_image_range_looks_like_survey_cutouts(galaxies):
    X = galaxies[0]
    corners = np.concatenate([X[:, :4, :4], X[:, -4:, -4:]], axis=1)
    # Dark sky with visible noise; bright galaxy cores.
    assert 8 < np.median(corners) < 30
    assert 2 < corners.std(axis=(1, 2)).mean() < 12
    assert np.percentile(X.max(axis=(1, 2, 3)), 50) > 140


def test_make_galaxies_deterministic_and_independent_of_n_jobs():
    a = make_galaxies(70, image_size=24, random_state=3, return_votes=True)
    b = make_galaxies(70, image_size=24, random_state=3, return_votes=True, n_jobs=2)
    for left, right in zip(a, b):
        assert_array_equal(left, right)
    c = make_galaxies(70, image_size=24, random_state=4)
    assert not np.array_equal(a[0], c[0])
    # The votes are drawn after the images: asking for them changes no pixel.
    d = make_galaxies(70, image_size=24, random_state=3)
    assert_array_equal(a[0], d[0])
    assert_array_equal(a[1], d[1])


def test_make_galaxies_accepts_random_state_instance():
    a = make_galaxies(10, image_size=16, random_state=np.random.RandomState(5))
    b = make_galaxies(10, image_size=16, random_state=np.random.RandomState(5))
    assert_array_equal(a[0], b[0])


def test_make_galaxies_class_balance():
    _, y = make_galaxies(103, image_size=16, random_state=0)
    counts = np.bincount(y, minlength=10)
    assert counts.min() == 10 and counts.max() == 11


def test_make_galaxies_cigars_elongated_round_ones_round(clean):
    X, y = clean
    q, _ = _moments(X)
    means = {c: q[y == GALAXY10_CLASSES.index(c)].mean() for c in GALAXY10_CLASSES}
    assert means["round smooth"] > means["in-between round smooth"] + 0.1
    assert means["in-between round smooth"] > means["cigar-shaped smooth"] + 0.1
    # Edge-on disks are thin; the bulgeless ones thinnest.
    assert means["edge-on without bulge"] < 0.3
    assert means["edge-on without bulge"] < means["edge-on with bulge"]
    assert means["edge-on with bulge"] < means["round smooth"] - 0.3


def test_make_galaxies_round_and_in_between_overlap(clean):
    # Neighbouring classes are confusable, as in real data: their axis ratios overlap.
    X, y = clean
    q, _ = _moments(X)
    round_q = q[y == GALAXY10_CLASSES.index("round smooth")]
    between_q = q[y == GALAXY10_CLASSES.index("in-between round smooth")]
    assert between_q.max() > np.percentile(round_q, 10)


def test_make_galaxies_bulges_redder_than_disks(clean):
    X, y = clean
    X = X.astype(np.float64) - np.median(X, axis=(1, 2), keepdims=True)
    s = X.shape[1]
    yy, xx = np.mgrid[:s, :s]
    r = np.hypot(xx - (s - 1) / 2, yy - (s - 1) / 2)
    spirals = np.isin(y, [5, 6, 7])
    centre = X[spirals][:, r < 2.5].mean(axis=1)
    outskirts = X[spirals][:, (r > 6) & (r < 14)].mean(axis=1)
    # Red / blue ratio (R = z band, B = g band) is higher in the centre.
    assert np.mean(centre[:, 0] / centre[:, 2]) > np.mean(
        outskirts[:, 0] / outskirts[:, 2]
    )
    # Ellipticals are redder than the disks of spirals.
    ellipticals = np.isin(y, [2, 3])
    red_e = X[ellipticals][:, r < 6].mean(axis=1)
    assert np.mean(red_e[:, 0] / red_e[:, 2]) > np.mean(
        outskirts[:, 0] / outskirts[:, 2]
    )


def test_make_galaxies_noise_and_psf_knobs():
    sharp, _ = make_galaxies(
        20, image_size=32, noise=0.0, psf_fwhm=0.0, n_stars=0, random_state=2
    )
    blurred, _ = make_galaxies(
        20, image_size=32, noise=0.0, psf_fwhm=4.0, n_stars=0, random_state=2
    )
    noisy, _ = make_galaxies(20, image_size=32, noise=3.0, n_stars=0, random_state=2)
    # A wider PSF lowers the peaks; more noise roughens the sky.
    assert sharp.max(axis=(1, 2, 3)).mean() > blurred.max(axis=(1, 2, 3)).mean()
    assert noisy[:, :4, :4].std() > 2 * sharp[:, :4, :4].std()


def test_make_galaxies_votes_tree_consistent(galaxies):
    _, _, votes = galaxies
    assert tree_consistency_error(votes).max() < 1e-6
    assert np.all((votes >= 0) & (votes <= 1))
    np.testing.assert_allclose(votes[:, 0:3].sum(axis=1), 1.0, atol=1e-9)
    q6 = [COL["Class6.1"], COL["Class6.2"]]
    np.testing.assert_allclose(votes[:, q6].sum(axis=1), 1.0, atol=1e-9)


def test_make_galaxies_votes_follow_class(galaxies):
    _, y, votes = galaxies

    def mean(cls, column):
        return votes[y == GALAXY10_CLASSES.index(cls), COL[column]].mean()

    for cls in ("round smooth", "in-between round smooth"):
        assert mean(cls, "Class1.1") > 0.8
    assert mean("round smooth", "Class7.1") > mean("round smooth", "Class7.2")
    assert mean("cigar-shaped smooth", "Class7.3") > 0.5
    for cls in ("edge-on without bulge", "edge-on with bulge"):
        assert mean(cls, "Class2.1") > 0.8
    assert mean("edge-on with bulge", "Class9.1") > mean(
        "edge-on without bulge", "Class9.1"
    )
    assert mean("barred spiral", "Class3.1") > mean("barred spiral", "Class3.2")
    assert mean("unbarred tight spiral", "Class3.2") > mean(
        "unbarred tight spiral", "Class3.1"
    )
    assert mean("unbarred tight spiral", "Class10.1") > mean(
        "unbarred tight spiral", "Class10.3"
    )
    assert mean("unbarred loose spiral", "Class10.3") > mean(
        "unbarred loose spiral", "Class10.1"
    )
    assert mean("merging", "Class8.6") > 0.6
    assert mean("disturbed", "Class6.1") > 0.6
    # Volunteers disagree: no vote fraction of a class is all or nothing.
    assert 0.01 < votes[y == 2, COL["Class1.1"]].std() < 0.2


def test_make_galaxies_votes_give_hubble_classes(galaxies):
    _, y, votes = galaxies
    h = hubble_class(votes)
    ellipticals = np.isin(y, [2, 3])
    assert np.mean(h[ellipticals] == 0) > 0.5
    assert np.mean(h[np.isin(y, [6, 7])] == 1) > 0.3
    assert np.mean(h[y == 5] == 2) > 0.2
    # Assigned classes agree with the truth.
    assert not np.any(h[np.isin(y, [5, 6, 7])] == 0)
    assert not np.any(h[ellipticals] > 0)


def test_make_galaxies_class_subset_keeps_galaxy10_labels():
    X, y = make_galaxies(
        30, image_size=16, classes=["barred spiral", 2], random_state=0
    )
    assert set(y.tolist()) == {2, 5}
    assert np.bincount(y).max() == 15
    X2, y2 = make_galaxies(30, image_size=16, classes=[5, 2], random_state=0)
    assert_array_equal(y, y2)


@pytest.mark.parametrize("name", sorted(CLASS_MAPPINGS))
def test_make_galaxies_named_mapping(name):
    mapping = CLASS_MAPPINGS[name]
    _, y = make_galaxies(4 * len(mapping), image_size=16, classes=name, random_state=0)
    assert_array_equal(np.bincount(y), [4] * len(mapping))


def test_make_galaxies_mapping_draws_member_classes():
    # Coarse labels from a dict; the votes show which members were drawn.
    mapping = {"smooth": ["round smooth"], "edge-on": [8, "edge-on with bulge"]}
    _, y, votes = make_galaxies(
        60, image_size=16, classes=mapping, return_votes=True, random_state=0
    )
    assert set(y.tolist()) == {0, 1}
    # (the SDSS look's volunteers agree about as much as the real ones, less
    # than the ideal look's)
    assert votes[y == 0, COL["Class1.1"]].mean() > 0.65
    assert votes[y == 1, COL["Class2.1"]].mean() > 0.6


def test_make_galaxies_weights_set_the_class_mix():
    weights = [0.25, 0.43, 0.26, 0.06]  # gz1_small's training shares
    X, y = make_galaxies(
        100, image_size=16, classes="gz1", weights=weights, random_state=0
    )
    assert_array_equal(np.bincount(y), [25, 43, 26, 6])
    # counts always sum to n_samples; unnormalised shares are normalised
    _, y = make_galaxies(
        7, image_size=16, classes=[2, 5], weights=[2, 1], random_state=0
    )
    assert_array_equal(np.bincount(y, minlength=6)[[2, 5]], [5, 2])
    # weights=None is the balanced default, image for image
    X1, y1 = make_galaxies(20, image_size=16, random_state=0)
    X2, y2 = make_galaxies(20, image_size=16, weights=None, random_state=0)
    assert_array_equal(X1, X2)
    assert_array_equal(y1, y2)


@pytest.mark.parametrize(
    "weights, error, match",
    [
        ([1, 2], ValueError, "one share per class"),
        ([[0.25, 0.25, 0.25, 0.25]], ValueError, "one share per class"),
        ([1, -1, 1, 1], ValueError, "non-negative"),
        ([0, 0, 0, 0], ValueError, "not all zero"),
        ([1, np.nan, 1, 1], ValueError, "finite"),
        (["a", "b", "c", "d"], TypeError, "sequence of 4 numbers"),
    ],
)
def test_make_galaxies_bad_weights(weights, error, match):
    with pytest.raises(error, match=match):
        make_galaxies(10, image_size=16, classes="gz1", weights=weights)


def test_make_galaxies_group_members_drawn_by_galaxy10_share():
    # Galaxy10 DECaLS holds 2,645 round smooth galaxies and 334 cigar-shaped
    # ones: a group of both is 11 % cigars, not half (the votes tell them apart:
    # every round one answers "completely round" above "cigar-shaped", every
    # cigar the other way).
    share = GALAXY10_COUNTS[4] / (GALAXY10_COUNTS[2] + GALAXY10_COUNTS[4])
    mapping = {"smooth": ["round smooth", "cigar-shaped smooth"]}
    _, _, votes = make_galaxies(
        200, image_size=16, classes=mapping, return_votes=True, random_state=0
    )
    cigar = votes[:, COL["Class7.3"]] > votes[:, COL["Class7.1"]]
    assert abs(cigar.mean() - share) < 0.07


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"n_samples": 0}, ValueError, "n_samples"),
        ({"image_size": 8}, ValueError, "image_size"),
        ({"n_channels": 2}, ValueError, "n_channels"),
        ({"noise": -1.0}, ValueError, "noise"),
        ({"psf_fwhm": -0.5}, ValueError, "psf_fwhm"),
        ({"classes": "spirals"}, ValueError, "classes"),
        ({"classes": ["spiral"]}, ValueError, "Unknown Galaxy10 class 'spiral'"),
        ({"classes": [10]}, ValueError, "out of range"),
        ({"classes": [2, 2]}, ValueError, "twice"),
        ({"classes": []}, ValueError, "empty"),
        ({"classes": [2.5]}, TypeError, "by name or index"),
        ({"classes": {"a": [2], "b": [2, 3]}}, ValueError, "more than one group"),
        ({"classes": {"a": []}}, ValueError, "lists no Galaxy10 class"),
    ],
)
def test_make_galaxies_bad_arguments(kwargs, error, match):
    kwargs = {"n_samples": 4, "image_size": 16, **kwargs}
    with pytest.raises(error, match=match):
        make_galaxies(**kwargs)


def test_make_galaxies_verbose_shows_progress(capsys):
    make_galaxies(4, image_size=16, random_state=0, verbose=True)
    assert "make_galaxies" in capsys.readouterr().err
    make_galaxies(4, image_size=16, random_state=0)
    assert capsys.readouterr().err == ""


def test_profiles_sersic_total_matches_pixel_sum():
    from skgalaxy.datasets._synthetic import _profiles as P

    size = 256
    x, y = P.grid(size)
    r_eff, n, q = 0.05, 2.5, 0.7
    xr, yr = P.rotate(x, y, [0.0], [0.0], [0.3])
    img = P.sersic(xr, yr, [1.0], [r_eff], [n], [q], 0.1 / size)
    # Sum over pixels (in image widths squared) against the analytic total.
    total = P.sersic_total(1.0, r_eff, n, q)
    np.testing.assert_allclose(img.sum() / size**2, total, rtol=0.02)


def test_profiles_psf_conserves_flux_and_has_the_requested_width():
    from skgalaxy.datasets._synthetic import _profiles as P

    size, fwhm = 41, 3.0
    point = np.zeros((1, 1, size, size), dtype=np.float32)
    point[0, 0, 20, 20] = 1.0
    k = P.psf_matrices(size, [fwhm])
    star = (k @ point @ k)[0, 0]
    np.testing.assert_allclose(star.sum(), 1.0, rtol=1e-5)
    # Half maximum is reached at FWHM / 2 from the centre.
    profile = star[20] / star[20, 20]
    half = np.interp(0.5, profile[20:][::-1], np.arange(21)[::-1])
    np.testing.assert_allclose(2 * half, fwhm, rtol=0.05)


def test_profiles_fast_normal_is_standard_normal():
    from skgalaxy.datasets._synthetic._observation import fast_normal

    z = fast_normal(np.random.default_rng(0), (200_000,))
    assert z.dtype == np.float32
    np.testing.assert_allclose([z.mean(), z.std()], [0.0, 1.0], atol=0.01)
    assert abs(np.mean(np.abs(z) > 2) - 0.0455) < 0.003


def test_profiles_splat_conserves_flux():
    from skgalaxy.datasets._synthetic import _profiles as P

    img = P.splat(16, np.array([[0.013, -0.2]]), np.array([[0.1, 0.3]]), [[2.0, 3.0]])
    np.testing.assert_allclose(img.sum(), 5.0, rtol=1e-6)


def test_profiles_spiral_azimuth_lies_on_the_arms():
    from skgalaxy.datasets._synthetic import _profiles as P

    n_arms, pitch, phase0 = np.array([2.0, 3.0]), np.radians([12.0, 30.0]), [0.4, 2]
    r = np.array([[0.05, 0.1, 0.2], [0.03, 0.08, 0.3]])
    phi = P.spiral_azimuth(r, n_arms, pitch, np.array(phase0), np.array([[0, 1, 0]]))
    ridge = P.log_spiral(
        phi[..., None], np.log(r)[..., None], n_arms, pitch, phase0, [4.0, 4.0]
    )
    np.testing.assert_allclose(ridge, 1.0, rtol=1e-5)


def test_profiles_spiral_disk_redistributes_the_disk_light():
    from skgalaxy.datasets._synthetic import _profiles as P

    # Rings of pixels at fixed radii, every azimuth: arms move light around them.
    phi = np.linspace(-np.pi, np.pi, 720, endpoint=False, dtype=np.float32)
    r = np.array([0.02, 0.1, 0.2], dtype=np.float32)[:, None] + 0 * phi
    phi, r = phi[None] + 0 * r, r[None]
    disk = P.exponential(r, [10.0], [0.08])
    arms = P.log_spiral(phi, np.log(r), [2], np.radians([20.0]), [0.0], [3.0])
    smooth, arm_light = P.spiral_disk(
        disk.copy(), arms, [3.0], [0.6], P.inner_taper(r, [0.05])
    )
    total = (smooth + arm_light).mean(axis=-1)
    np.testing.assert_allclose(total, disk.mean(axis=-1), rtol=1e-3)
    # Outside the arms' start radius arm_frac of the light is in the arms, inside
    # (0.4 of it) almost none.
    np.testing.assert_allclose(
        arm_light[0, 2].mean() / disk[0, 2].mean(), 0.6, rtol=1e-3
    )
    assert arm_light[0, 0].mean() < 0.02 * disk[0, 0].mean()


@pytest.mark.parametrize("skip", [0, 1, 3])
@pytest.mark.parametrize("n", [4, 7, 8, 4096])
def test_uniform_draws_are_the_generators_bytes(skip, n):
    # The fast path (raw 64-bit draws) gives Generator.bytes' values and
    # leaves the generator where bytes would, with or without a 32-bit draw
    # left over from earlier calls.
    from skgalaxy.datasets._synthetic._observation import _uniform_u16

    a, b = np.random.default_rng(7), np.random.default_rng(7)
    a.integers(0, 10, skip, dtype=np.uint32)
    b.integers(0, 10, skip, dtype=np.uint32)
    for _ in range(2):
        got = _uniform_u16(a, n)
        assert_array_equal(got, np.frombuffer(b.bytes(2 * n), dtype="<u2"))
    assert a.integers(0, 2**32, 3, dtype=np.uint32).tolist() == (
        b.integers(0, 2**32, 3, dtype=np.uint32).tolist()
    )
