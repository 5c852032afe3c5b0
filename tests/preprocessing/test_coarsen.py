import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from skimage.measure import block_reduce
from skimage.util import img_as_float32

from skgalaxy.preprocessing import Coarsen


def test_coarsen_block_mean_exact():
    X = np.arange(16, dtype=np.float64).reshape(1, 4, 4)
    expected = np.array([[[2.5, 4.5], [10.5, 12.5]]])
    assert_array_equal(Coarsen(factor=2).fit_transform(X), expected)


def test_coarsen_averages_channels_separately():
    X = np.zeros((1, 2, 2, 3))
    X[..., 0] = [[1, 2], [3, 4]]
    X[..., 2] = 8
    out = Coarsen(factor=2).fit_transform(X)
    assert out.shape == (1, 1, 1, 3)
    assert_array_equal(out[0, 0, 0], [2.5, 0.0, 8.0])


def test_coarsen_trims_remainder_evenly():
    X = np.arange(36, dtype=np.float64).reshape(1, 6, 6)
    # 6 = 4 + 2: one pixel trimmed from each side.
    out = Coarsen(factor=4).fit_transform(X)
    assert_array_equal(out, [[[X[0, 1:5, 1:5].mean()]]])


def test_coarsen_odd_remainder_goes_to_bottom_right():
    X = np.arange(49, dtype=np.float64).reshape(1, 7, 7)
    out = Coarsen(factor=2).fit_transform(X)
    assert out.shape == (1, 3, 3)
    assert_allclose(out[0], block_reduce(X[0, :6, :6], (2, 2), np.mean))


@pytest.mark.parametrize("dtype", [np.uint8, np.uint16, np.int16, np.float32, bool])
def test_coarsen_matches_block_reduce_for_each_dtype(dtype, rng):
    X = (rng.random((3, 18, 22, 3)) * 120).astype(dtype)
    out = Coarsen(factor=4).fit_transform(X)
    Xf = X if dtype == np.float32 else img_as_float32(X)
    expected = np.stack([block_reduce(x[1:17, 1:21], (4, 4, 1), np.mean) for x in Xf])
    assert out.dtype == np.float32
    assert_allclose(out, expected, rtol=1e-5, atol=1e-6)


def test_coarsen_keeps_float64():
    X = np.random.default_rng(1).random((2, 8, 8))
    out = Coarsen(factor=2).fit_transform(X)
    assert out.dtype == np.float64
    assert_allclose(out, X.reshape(2, 4, 2, 4, 2).mean(axis=(2, 4)), rtol=1e-14)


def test_coarsen_uint8_white_is_exactly_one():
    X = np.full((2, 8, 8, 3), 255, dtype=np.uint8)
    assert_array_equal(Coarsen(factor=4).fit_transform(X), 1.0)


def test_coarsen_factor_one_copies_values():
    X = np.random.default_rng(2).random((2, 5, 5)).astype(np.float32)
    out = Coarsen(factor=1).fit_transform(X)
    assert_array_equal(out, X)
    assert not np.shares_memory(out, X)


def test_coarsen_factor_larger_than_image():
    X = np.zeros((2, 6, 10))
    with pytest.raises(ValueError, match=r"factor=8 is larger than the images \(6x10"):
        Coarsen(factor=8).fit(X)


@pytest.mark.parametrize("factor", [0, -2, 2.5, "4"])
def test_coarsen_bad_factor(factor):
    with pytest.raises((ValueError, TypeError), match="factor"):
        Coarsen(factor=factor).fit(np.zeros((1, 8, 8)))


def test_coarsen_shape_mismatch_at_transform():
    coarsen = Coarsen(factor=2).fit(np.zeros((2, 8, 8, 3)))
    with pytest.raises(ValueError, match="fitted on images of shape 8x8x3"):
        coarsen.transform(np.zeros((2, 8, 8, 1)))
