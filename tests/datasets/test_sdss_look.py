"""make_galaxies(survey="sdss"): the SDSS look pinned statistically.

The reference figures were measured on the training folds of the real sets
(benchmarks/bench_realism.py prints them beside the synthetic ones); the
tolerances leave room for the 100-400 galaxies a test can afford.
"""

import numpy as np
import pytest
from numpy.testing import assert_array_equal
from PIL import Image

from skgalaxy.datasets import VOTE_COLUMNS, make_galaxies
from skgalaxy.datasets._synthetic import _make, _sdss
from skgalaxy.datasets._synthetic._canvas import Canvas
from skgalaxy.datasets._synthetic._jpeg import jpeg_roundtrip
from skgalaxy.preprocessing import CenterCrop

COL = {name: i for i, name in enumerate(VOTE_COLUMNS)}
GZ1 = ["elliptical", "spiral", "edge-on", "merger"]


@pytest.fixture(scope="module")
def gz1_crops():
    """400 SDSS-look galaxies of the gz1 classes, framed as the real cutouts are
    read: rendered over the whole field, then CenterCrop(0.5, output_size=64)."""
    X, y = make_galaxies(400, image_size=128, classes="gz1", random_state=0)
    return CenterCrop(0.5, output_size=64).fit_transform(X), y


def _radial(X):
    s = X.shape[1]
    yy, xx = np.mgrid[:s, :s]
    return np.hypot(xx - (s - 1) / 2, yy - (s - 1) / 2)


def _sky(X):
    corners = np.concatenate([X[:, :6, :6], X[:, -6:, -6:]], axis=1)
    return np.median(corners, axis=(1, 2))


def _half_light_radius(X):
    """Radius (pixels) holding half the light above the sky inside the crop."""
    light = (X - _sky(X)[:, None, None, :]).mean(axis=-1)
    r = _radial(X)
    inside = r < X.shape[1] / 2
    order = np.argsort(r[inside])
    cum = np.cumsum(np.clip(light[:, inside], 0, None)[:, order], axis=1)
    radii = r[inside][order]
    return np.array([radii[np.searchsorted(c, 0.5 * c[-1])] for c in cum])


def _ring_light(X, r_min, r_max):
    """Mean light above the sky per channel between two radii: ``(n, 3)``."""
    r = _radial(X)
    return (X - _sky(X)[:, None, None, :])[:, (r >= r_min) & (r < r_max)].mean(axis=1)


def _colour(X, r_min, r_max):
    """R/B (i band over g band) of the light above the sky between two radii."""
    ring = _ring_light(X, r_min, r_max)
    return ring[:, 0] / np.maximum(ring[:, 2], 1e-3)


def test_sdss_is_the_default_and_differs_from_ideal():
    a = make_galaxies(20, image_size=32, random_state=0)
    b = make_galaxies(20, image_size=32, survey="sdss", random_state=0)
    c = make_galaxies(20, image_size=32, survey="ideal", random_state=0)
    assert_array_equal(a[0], b[0])
    assert_array_equal(a[1], c[1])  # the same labels, another look
    assert not np.array_equal(a[0], c[0])


def test_sdss_sizes_match_the_real_cutouts(gz1_crops):
    # Real Kaggle training cutouts (kaggle_gz_votes, range_sample 1, classes by
    # the votes' plurality), 64-pixel crops: half-light radius medians of 11.4
    # (smooth) and 10.7 pixels (spirals); their 16-84 % ranges span 3.1 and 2.0
    # pixels (synthetic: 10.6 and 10.8, spans 2.9 and 2.2). Galaxy Zoo frames
    # each galaxy by its own size, so the sizes are alike whatever the class.
    X, y = gz1_crops
    r50 = _half_light_radius(X)
    for k, name in enumerate(GZ1[:2]):
        median = np.median(r50[y == k])
        assert 7.0 < median < 13.0, (name, median)
        spread = np.subtract(*np.percentile(r50[y == k], [84, 16]))
        assert 1.0 < spread < 5.0, (name, spread)


def test_sdss_colours_red_ellipticals_blue_disks(gz1_crops):
    # Real Kaggle training cutouts (as above), R/B medians [16-84 %]: 1.76
    # [1.31, 2.24] in the centres of smooth galaxies (r < 3 pixels), 1.59 in
    # the centres of spirals, 1.27 [0.95, 1.67] in their disks (6-12 pixels);
    # synthetic 1.83, 1.60 and 1.29 (gz1_small's spirals, picked for their
    # arms, are bluer: 1.46 and 1.10).
    X, y = gz1_crops
    e_centre = np.median(_colour(X[y == 0], 0, 3))
    s_centre = np.median(_colour(X[y == 1], 0, 3))
    s_disk = np.median(_colour(X[y == 1], 6, 12))
    assert 1.31 < e_centre < 2.24
    assert 0.95 < s_disk < 1.67
    assert e_centre > s_centre > s_disk
    # The sky is dark: near the stretch's black point (real median 0.015).
    assert np.median(_sky(X)) < 0.04


def _log_b_over_g(X, r_min, r_max):
    ring = _ring_light(X, r_min, r_max)
    return np.log10(np.maximum(ring[:, 2], 1e-3) / np.maximum(ring[:, 1], 1e-3))


def test_sdss_galaxies_are_redder_in_their_cores(monkeypatch):
    # gz1's training cutouts: log10 B/G is 0.04 dex lower at the centre of
    # ellipticals than between one and two half-light radii, 0.10 dex for
    # spirals. Noise-free synthetic galaxies, centre (r < 2 px) less disk
    # (6-12 px): -0.03 for round smooth galaxies and -0.08 for tight spirals;
    # with uniform colours +0.035 and -0.03.
    kwargs = {
        "image_size": 64,
        "classes": ["round smooth", "unbarred tight spiral"],
        "noise": 0,
        "n_stars": 0,
        "random_state": 0,
    }

    def gradients():
        X, y = make_galaxies(200, **kwargs)
        return [
            np.median(_log_b_over_g(X[y == k], 0, 2) - _log_b_over_g(X[y == k], 6, 12))
            for k in (2, 6)
        ]

    graded = gradients()
    monkeypatch.setattr(_make, "CORE_COLOUR", None)
    uniform = gradients()
    assert graded[0] < -0.01 and graded[1] < -0.05, graded
    assert graded[0] < uniform[0] - 0.04 and graded[1] < uniform[1] - 0.03


def test_graded_light_without_a_core_colour_is_one_layer():
    rng = np.random.default_rng(0)
    image = rng.random((2, 8, 8))
    colour = np.array([[1.2, 1.0, 0.7], [0.9, 1.0, 1.1]])
    plain = Canvas(2, 8)
    plain.add(image, colour)
    graded = Canvas(2, 8)
    graded.add_graded(image, colour, np.ones(2))
    assert_array_equal(plain.render(np.eye(3)), graded.render(np.eye(3)))
    # With core colours, the layers sum to the light, the core's share
    # I / (I + reference) reddened and the rest bluer.
    core = (np.array([0.1, 0.0, -0.2]), np.array([0.0, 0.0, 0.05]))
    cv = Canvas(2, 8, core=core)
    cv.add_graded(image, colour, np.ones(2))
    (inner, c_in), (outer, c_out) = cv.layers
    np.testing.assert_allclose(inner + outer, image)
    np.testing.assert_allclose(inner, image**2 / (image + 1.0))
    np.testing.assert_allclose(c_in, colour * np.exp(core[0]))
    np.testing.assert_allclose(c_out, colour * np.exp(core[1]))


def test_sdss_volunteers_seldom_call_lanes_and_rings_odd():
    # The training votes per Galaxy10 class (by plurality): 16 % call the
    # edge-ons with a bulge odd and 1 % see a dust lane; 26 % call the barred
    # spirals odd. The ideal look's volunteers: 74 %, 73 % and 38 %; the SDSS
    # look's 16 %, 2 % and 27 % here.
    for survey, lanes_odd, lane, rings_odd in (
        ("sdss", (0.08, 0.25), (0.0, 0.05), (0.18, 0.34)),
        ("ideal", (0.6, 0.9), (0.6, 0.9), (0.3, 0.5)),
    ):
        _, y, votes = make_galaxies(
            300,
            image_size=16,
            classes=["edge-on with bulge", "barred spiral"],
            return_votes=True,
            survey=survey,
            random_state=0,
        )
        for (low, high), k, column in (
            (lanes_odd, 9, "Class6.1"),
            (lane, 9, "Class8.7"),
            (rings_odd, 5, "Class6.1"),
        ):
            share = votes[y == k, COL[column]].mean()
            assert low < share < high, (survey, k, column, share)


def _asymmetry(X):
    """Rotational asymmetry sum|I - I_180| / sum|I| of the central 32 pixels."""
    light = X.astype(float).mean(axis=-1)
    c = light.shape[1] // 2
    light = light[:, c - 16 : c + 16, c - 16 : c + 16]
    light = light - np.median(light[:, :3], axis=(1, 2))[:, None, None]
    rotated = light[:, ::-1, ::-1]
    return np.abs(light - rotated).sum(axis=(1, 2)) / np.abs(light).sum(axis=(1, 2))


def test_sdss_spiral_disks_are_lopsided(monkeypatch):
    # Real gz1 spirals are more asymmetric than symmetric model disks
    # (statmorph's asymmetry 0.12-0.13 against 0.08); the SDSS look's m = 1
    # mode makes them so. The same loose spirals (no noise, no field) measure
    # 0.251 with it and 0.148 without, when a round smooth galaxy measures
    # 0.21 (its median over draws of 200: 0.17-0.21).
    kwargs = {
        "image_size": 64,
        "classes": ["unbarred loose spiral", "round smooth"],
        "noise": 0,
        "n_stars": 0,
        "random_state": 0,
    }
    X, y = make_galaxies(200, **kwargs)
    lopsided = np.median(_asymmetry(X)[y == 7])
    monkeypatch.setitem(_sdss.STRUCTURE, "lopsided", 0.0)
    X, y = make_galaxies(200, **kwargs)
    a = _asymmetry(X)
    assert lopsided > 1.4 * np.median(a[y == 7])
    assert np.median(a[y == 7]) < 1.15 * np.median(a[y == 2])


def test_sdss_psf_follows_the_galaxy_size():
    # Galaxy Zoo frames are 8.48 R90 wide and the seeing's FWHM is a median
    # 0.115 R90 (the stars' widths on the real frames), log-normal.
    rng = np.random.default_rng(0)
    m, size = 4000, 128
    radii = (np.full(m, 0.05), np.full(m, 0.1), np.full(m, 1.0))
    framing = _sdss.frame(rng, 2, m, size, radii, None)
    ratio = framing.psf_px / (size / 8.48)
    assert 0.11 < np.median(ratio) < 0.12
    assert 0.25 < np.std(np.log(ratio)) < 0.45
    # A psf_fwhm sets the median; each galaxy scatters by -15 % to +20 %.
    framing = _sdss.frame(rng, 2, m, size, radii, 3.0)
    assert np.all((framing.psf_px >= 2.55) & (framing.psf_px <= 3.6))
    # The PSF blur is a Gaussian of the requested width (plus the pixels' own
    # footprint): a point comes out with that FWHM.
    point = np.zeros((1, 1, 65, 65), np.float32)
    point[..., 32, 32] = 1.0
    fwhm = 6.0
    blurred = _sdss._smooth(point, _sdss._optics_sigma(np.array([fwhm]), 424))
    profile = blurred[0, 0, 32]
    width = np.sum(profile > profile.max() / 2)
    assert abs(width - fwhm) <= 1.5
    np.testing.assert_allclose(blurred.sum(), 1.0, rtol=1e-4)


def test_sdss_wider_psf_lowers_the_peaks():
    sharp, _ = make_galaxies(
        30, image_size=64, noise=0, n_stars=0, psf_fwhm=0, random_state=2
    )
    blurred, _ = make_galaxies(
        30, image_size=64, noise=0, n_stars=0, psf_fwhm=5, random_state=2
    )
    assert sharp.max(axis=(1, 2, 3)).mean() > blurred.max(axis=(1, 2, 3)).mean()


def test_jpeg_roundtrip_is_pillows_encoder_and_decoder():
    rng = np.random.default_rng(0)
    yy, xx = np.mgrid[:32, :32]
    images = np.stack([(4 * xx + 3 * yy) % 256, 8 * yy, 255 - 6 * xx], -1)
    images = (images[None] + rng.integers(0, 20, (3, 32, 32, 3))).clip(0, 255)
    images = images.astype(np.uint8)
    out = jpeg_roundtrip(images, 75, 2)
    assert out.dtype == np.uint8 and out.shape == images.shape
    assert not np.array_equal(out, images)  # lossy
    assert np.abs(out.astype(int) - images).mean() < 8  # but close
    import io

    buffer = io.BytesIO()
    Image.fromarray(images[1]).save(buffer, format="JPEG", quality=75, subsampling=2)
    assert_array_equal(out[1], np.asarray(Image.open(io.BytesIO(buffer.getvalue()))))
    gray = jpeg_roundtrip(images, 75, 2, gray=True)
    assert gray.shape == images.shape[:3]
    assert_array_equal(gray[1], np.asarray(Image.fromarray(out[1]).convert("L")))


def test_sdss_jpeg_is_the_last_stage(monkeypatch):
    X, _ = make_galaxies(20, image_size=64, random_state=3)
    calls = []

    def lossless(images, quality, subsampling, gray=False):
        calls.append((quality, subsampling, gray))
        return images.copy()

    monkeypatch.setattr(_sdss, "jpeg_roundtrip", lossless)
    raw, _ = make_galaxies(20, image_size=64, random_state=3)
    # 64-pixel images of 424-pixel quality-75 cutouts: quality 99, chroma kept.
    assert calls and set(calls) == {(99, 0, False)}
    diff = np.abs(X.astype(int) - raw)
    assert 0 < diff.mean() < 2 and diff.max() < 40


def test_sdss_vote_marginals_match_the_training_votes():
    # Training rows of kaggle_gz_votes: mean vote fraction per answer, and the
    # Galaxy10 class shares read from the votes by plurality, by which the
    # generator's balanced classes are weighted.
    real = {
        "Class1.1": 0.436,  # smooth
        "Class1.2": 0.537,  # features or disk
        "Class2.1": 0.105,  # edge-on
        "Class4.1": 0.213,  # spiral arms
        "Class6.1": 0.241,  # odd
    }
    share = np.array(
        [0.031, 0.026, 0.199, 0.214, 0.024, 0.075, 0.303, 0.022, 0.031, 0.075]
    )
    _, y, votes = make_galaxies(2000, image_size=16, return_votes=True, random_state=4)
    w = share[y] / np.bincount(y, minlength=10)[y]
    w /= w.sum()
    for column, mean in real.items():
        synthetic = float(np.sum(w * votes[:, COL[column]]))
        assert abs(synthetic - mean) < 0.06, (column, mean, synthetic)
    # Volunteers disagree as much as the real ones: the RMS of the votes about
    # their mean is 0.163 in the training votes (the Kaggle RMSE of predicting
    # the mean); the ideal look's volunteers agree more (0.218).
    mean = w @ votes
    spread = np.sqrt(w @ ((votes - mean) ** 2).mean(axis=1))
    assert 0.14 < spread < 0.19, spread


@pytest.mark.parametrize("size, subsampling", [(20, 0), (32, 2), (32, 0)])
def test_jpeg_roundtrip_equals_one_file_per_image(size, subsampling):
    # Sides that are multiples of 8 without chroma subsampling go through one
    # mosaic; the others one file each: the same pixels either way.
    import io

    rng = np.random.default_rng(1)
    images = rng.integers(0, 256, (19, size, size, 3), dtype=np.uint8)
    images[::2] //= 4  # some smooth, some busy
    out = jpeg_roundtrip(images, 90, subsampling)
    for image, got in zip(images, out):
        buffer = io.BytesIO()
        Image.fromarray(image).save(
            buffer, format="JPEG", quality=90, subsampling=subsampling
        )
        assert_array_equal(got, np.asarray(Image.open(io.BytesIO(buffer.getvalue()))))


def test_sdss_field_sources_land_in_their_bands():
    # Sources of one colour deposit it band by band into the chunk itself
    # (one flat add over all bands): each band's total keeps the colour.
    flux = np.zeros((5, 3, 32, 32), dtype=np.float32)
    colour = np.array([1.0, 2.0, 4.0])
    _sdss._add_points(
        flux,
        np.random.default_rng(0),
        30.0,
        np.full(5, 2.0),
        1.0,
        100.0,
        1.0,
        lambda rng, k: np.broadcast_to(colour, (k, 3)),
        lambda rng, k: rng.uniform(0.5, 3.0, k),
    )
    totals = flux.sum(axis=(0, 2, 3))
    assert totals[0] > 0
    np.testing.assert_allclose(totals / totals[0], colour, rtol=1e-5)
    # Every galaxy of the chunk gets sources of its own.
    assert np.all(flux.sum(axis=(1, 2, 3)) > 0)


def _x_centroid_and_width(images):
    """Centroid along x and the light's width there, over the last two axes."""
    profile = images.sum(axis=-2)
    idx = np.arange(profile.shape[-1])
    total = profile.sum(axis=-1)
    cx = (profile * idx).sum(axis=-1) / total
    var = (profile * (idx - cx[..., None]) ** 2).sum(axis=-1) / total
    return cx, np.sqrt(var)


def test_sdss_bands_have_their_own_seeing_and_registration():
    # Each band is blurred by its own Gaussian (g wider than r, i narrower),
    # its centre offset by a share of the FWHM; a point keeps its flux.
    m, s = 400, 65
    point = np.zeros((m, 3, s, s), np.float32)
    point[:, :, 32, 32] = 1.0
    psf = np.full(m, 6.0)
    blurred = _sdss._seeing(point, np.random.default_rng(0), psf)
    np.testing.assert_allclose(blurred.sum(axis=(2, 3)), 1.0, rtol=1e-4)
    cx, width = _x_centroid_and_width(blurred.astype(np.float64))
    ratio = np.median(width / width[:, 1:2], axis=0)
    np.testing.assert_allclose(ratio, _sdss._BAND_SEEING, atol=0.01)
    shift = cx - 32.0
    np.testing.assert_allclose(
        np.std(shift, axis=0), _sdss._REGISTRATION * 6.0, rtol=0.15
    )
    # The bands move independently: their offsets are uncorrelated.
    assert abs(np.corrcoef(shift[:, 0], shift[:, 2])[0, 1]) < 0.15


def test_gaussian_matrices_shift_moves_the_light():
    x = np.zeros((1, 1, 33, 1), np.float32)
    x[0, 0, 16, 0] = 1.0
    for shift in (-1.5, 0.0, 2.0):
        kernel = _sdss._gaussian_matrices(33, np.array([1.0]), np.array([shift]))
        out = (kernel @ x)[0, 0, :, 0]
        centre = (out * np.arange(33)).sum() / out.sum()
        assert abs(centre - (16 + shift)) < 1e-3


def test_sdss_colour_is_smoother_in_the_faint_sky_than_in_bright_light():
    # The same colour noise, kept where the luma is bright and smoothed away
    # where it is faint (the cutout's JPEG quantises a faint sky's colour).
    rng = np.random.default_rng(0)
    m, s = 8, 64
    grey = np.empty((m, 3, s, s), np.float32)
    grey[: m // 2] = 0.02  # faint sky, below the first level
    grey[m // 2 :] = 0.5  # bright light, above the second
    noise = rng.normal(0.0, 0.01, (m, 3, s, s)).astype(np.float32)
    out = _sdss._resample(grey + noise, np.full(m, 1.0), _sdss._CHROMA_BLUR, s)
    luma = np.moveaxis(out, 1, -1) @ _sdss._REC601.astype(np.float32)
    colour = out[:, 0] - luma
    faint, bright = colour[: m // 2].std(), colour[m // 2 :].std()
    assert bright > 2.0 * faint
    # Every channel keeps the luma it had.
    luma_in = np.moveaxis(grey + noise, 1, -1) @ _sdss._REC601.astype(np.float32)
    np.testing.assert_allclose(
        luma.mean(axis=(1, 2)), luma_in.mean(axis=(1, 2)), atol=1e-4
    )
