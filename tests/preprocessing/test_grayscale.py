import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from skimage.color import rgb2gray
from skimage.util import img_as_float32

from skgalaxy.preprocessing import Grayscale

PRIMARIES = np.eye(3).reshape(1, 1, 3, 3)  # a red, a green and a blue pixel


@pytest.mark.parametrize(
    "weights, expected",
    [
        ("rec601", [0.299, 0.587, 0.114]),
        ("rec709", [0.2125, 0.7154, 0.0721]),
        ("mean", [1 / 3, 1 / 3, 1 / 3]),
        ([0.5, 0.25, 2.0], [0.5, 0.25, 2.0]),
    ],
)
def test_grayscale_weights_exact(weights, expected):
    out = Grayscale(weights=weights).fit_transform(PRIMARIES)
    assert out.shape == (1, 1, 3)
    assert_allclose(out[0, 0], expected, rtol=1e-12)


def test_grayscale_rec709_matches_rgb2gray(rng):
    X = rng.integers(0, 256, size=(4, 9, 7, 3), dtype=np.uint8)
    out = Grayscale(weights="rec709").fit_transform(X)
    assert out.dtype == np.float32
    assert_allclose(out, rgb2gray(img_as_float32(X)), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("dtype", [np.uint8, np.uint16, np.int16, bool])
def test_grayscale_integer_input_follows_dtype_rule(dtype, rng):
    X = (rng.random((3, 5, 6, 3)) * 200).astype(dtype)
    out = Grayscale().fit_transform(X)
    expected = img_as_float32(X) @ np.array([0.299, 0.587, 0.114], np.float32)
    assert out.dtype == np.float32
    assert_allclose(out, expected, rtol=1e-5, atol=1e-6)


def test_grayscale_keeps_float64(rng):
    X = rng.random((2, 4, 4, 3))
    out = Grayscale().fit_transform(X)
    assert out.dtype == np.float64
    assert_allclose(out, X @ [0.299, 0.587, 0.114], rtol=1e-14)


@pytest.mark.parametrize("shape", [(2, 4, 5), (2, 4, 5, 1)])
def test_grayscale_one_channel_returned_unchanged(shape, rng):
    X = rng.random(shape).astype(np.float32)
    out = Grayscale(weights="mean").fit_transform(X)
    assert out.shape == (2, 4, 5)
    assert_array_equal(out, X.reshape(2, 4, 5))
    assert not np.shares_memory(out, X)


def test_grayscale_one_channel_uint8_scaled():
    X = np.full((1, 2, 2), 51, dtype=np.uint8)
    assert_allclose(Grayscale().fit_transform(X), 0.2)


@pytest.mark.parametrize("n_channels", [2, 4, 5])
def test_grayscale_rejects_other_channel_counts(n_channels):
    X = np.zeros((2, 4, 4, n_channels))
    with pytest.raises(
        ValueError, match=rf"{n_channels} channel\(s\); Grayscale takes 1 or 3"
    ):
        Grayscale().fit(X)


@pytest.mark.parametrize("weights", [[0.5, 0.5], [[0.3, 0.3, 0.4]], [0.3, np.nan, 0.4]])
def test_grayscale_bad_weights(weights):
    with pytest.raises(ValueError, match="three finite numbers"):
        Grayscale(weights=weights).fit(np.zeros((1, 2, 2, 3)))


def test_grayscale_unknown_weights_name():
    with pytest.raises(ValueError, match="weights"):
        Grayscale(weights="rec2020").fit(np.zeros((1, 2, 2, 3)))


def test_grayscale_shape_mismatch_at_transform():
    gray = Grayscale().fit(np.zeros((2, 4, 4, 3)))
    with pytest.raises(ValueError, match="fitted on images of shape 4x4x3"):
        gray.transform(np.zeros((2, 4, 4)))
