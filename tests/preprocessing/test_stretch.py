"""Tests for lupton_rgb and AsinhStretch: held against astropy's make_lupton_rgb."""

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.pipeline import Pipeline

from skgalaxy.preprocessing import AsinhStretch, CenterCrop, Flatten, lupton_rgb


@pytest.fixture
def flux(rng):
    """Three-band sky-subtracted flux: noise around 0 and a bright source."""
    X = rng.normal(0, 0.05, size=(4, 12, 10, 3))
    yy, xx = np.mgrid[:12, :10]
    X += (30 * np.exp(-((yy - 6) ** 2 + (xx - 5) ** 2) / 6))[None, ..., None] * [
        0.6,
        1.0,
        1.5,
    ]
    return X


@pytest.mark.parametrize(
    "params",
    [{}, {"stretch": 0.5, "Q": 10}, {"stretch": 2.0, "Q": 3, "minimum": -0.05}],
)
def test_lupton_rgb_matches_astropy_make_lupton_rgb(flux, params):
    visualization = pytest.importorskip("astropy.visualization")
    ours_f = lupton_rgb(flux, output_dtype=np.float64, **params)
    ours_u = lupton_rgb(flux, **params)
    for i, image in enumerate(flux):
        r, g, b = (image[..., k] for k in range(3))
        theirs_f = visualization.make_lupton_rgb(r, g, b, output_dtype=float, **params)
        theirs_u = visualization.make_lupton_rgb(r, g, b, **params)
        assert_allclose(ours_f[i], theirs_f, rtol=1e-12, atol=1e-15)
        # Truncation to uint8 may differ by one where the float is a hair from
        # an integer; nowhere more.
        assert np.abs(ours_u[i].astype(int) - theirs_u).max() <= 1
        assert (ours_u[i] == theirs_u).mean() > 0.99


def test_lupton_rgb_is_in_unit_range_and_keeps_colours(flux):
    out = lupton_rgb(flux, output_dtype=np.float32)
    assert out.dtype == np.float32 and out.shape == flux.shape
    assert out.min() >= 0 and out.max() <= 1
    # At the saturated core, the ratios of the bands are the input's (noise aside).
    core = out[0, 6, 5]
    assert_allclose(core / core.max(), np.array([0.6, 1.0, 1.5]) / 1.5, rtol=0.01)


def test_lupton_rgb_gray_and_many_bands(rng):
    X = rng.uniform(0, 3, size=(2, 5, 5))
    gray = lupton_rgb(X, output_dtype=np.float64)
    assert gray.shape == X.shape
    # One band: the stretch itself, clipped at 1.
    f = np.arcsinh(X * 8 / 5) * 0.1 / np.arcsinh(0.8)
    assert_allclose(gray, np.clip(f, 0, 1))
    five = lupton_rgb(rng.uniform(0, 3, size=(2, 5, 5, 5)))
    assert five.shape == (2, 5, 5, 5) and five.dtype == np.uint8


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"stretch": 0}, "stretch must be a positive"),
        ({"Q": -1}, "Q must be a positive"),
        ({"output_dtype": np.int16}, "output_dtype must be"),
        ({"minimum": [0, 0]}, "one per band"),
    ],
)
def test_lupton_rgb_bad_parameters(flux, kwargs, match):
    with pytest.raises(ValueError, match=match):
        lupton_rgb(flux, **kwargs)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_asinh_stretch_uses_lupton_rgb(flux, dtype):
    X = flux.astype(dtype)
    Xt = AsinhStretch(stretch=2.0, Q=5).fit_transform(X)
    assert Xt.dtype == dtype
    assert_allclose(Xt, lupton_rgb(X, stretch=2.0, Q=5, output_dtype=dtype), rtol=1e-6)


def test_asinh_stretch_selects_bands(rng):
    X = rng.uniform(0, 2, size=(3, 6, 6, 5)).astype(np.float32)
    Xt = AsinhStretch(bands=(3, 2, 1)).fit_transform(X)
    assert Xt.shape == (3, 6, 6, 3)
    assert_array_equal(Xt, lupton_rgb(X[..., [3, 2, 1]], output_dtype=np.float32))
    with pytest.raises(ValueError, match="channel indices of the 5-channel"):
        AsinhStretch(bands=(0, 5)).fit(X)
    with pytest.raises(ValueError, match="channel indices of the 1-channel"):
        AsinhStretch(bands=(0,)).fit(X[..., 0])


def test_asinh_stretch_in_a_pipeline_on_raw_flux(flux):
    from sklearn.linear_model import LogisticRegression

    y = np.array([0, 1, 0, 1])
    model = Pipeline(
        [
            ("stretch", AsinhStretch()),
            ("crop", CenterCrop(0.5)),
            ("flatten", Flatten()),
            ("clf", LogisticRegression()),
        ]
    ).fit(flux, y)
    assert model.predict(flux).shape == (4,)
    assert model.named_steps["stretch"].image_shape_ == (12, 10, 3)


def test_stretch_of_band_planes_is_lupton_rgb():
    # The generator stretches (n, bands, h, w) planes in place: the values are
    # lupton_rgb's on the same images with their bands last, bit for bit,
    # including negative, saturated and zero pixels.
    from skgalaxy.preprocessing._stretch import stretch_in_place

    rng = np.random.default_rng(0)
    planes = rng.normal(0.0, 3.0, (4, 3, 16, 16)).astype(np.float32)
    planes[0, :, 0, 0] = 0.0
    planes[1, 0, 3, 3] = 1e4
    expected = lupton_rgb(
        np.moveaxis(planes, 1, -1), stretch=55.0, Q=8.0, output_dtype=np.float32
    )
    got = stretch_in_place(planes.copy(), 55.0, 8.0, axis=1)
    assert_array_equal(np.moveaxis(got, 1, -1), expected)
