import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from skimage.transform import resize
from skimage.util import img_as_float32

from skgalaxy.preprocessing import CenterCrop


def test_center_crop_window_exact():
    X = np.arange(36, dtype=np.float64).reshape(1, 6, 6)
    assert_array_equal(CenterCrop(fraction=0.5).fit_transform(X), X[:, 1:4, 1:4])


def test_center_crop_odd_margin_goes_to_bottom_right():
    X = np.arange(35, dtype=np.float64).reshape(1, 5, 7)
    # 0.5 * 5 = 2.5 rounds up to 3 rows (margins 1, 1); 3.5 -> 4 columns (1, 2).
    assert_array_equal(CenterCrop(fraction=0.5).fit_transform(X), X[:, 1:4, 1:5])


def test_center_crop_keeps_half_of_424_pixels():
    X = np.zeros((2, 424, 424, 3), dtype=np.uint8)
    X[:, 106:318, 106:318] = 255
    out = CenterCrop().fit_transform(X)
    assert out.shape == (2, 212, 212, 3)
    assert out.dtype == np.float32
    assert_array_equal(out, 1.0)


def test_center_crop_fraction_one_is_a_copy():
    X = np.random.default_rng(0).random((2, 5, 5, 2))
    out = CenterCrop(fraction=1.0).fit_transform(X)
    assert_array_equal(out, X)
    assert not np.shares_memory(out, X)


@pytest.mark.parametrize("output_size", [16, (10, 20)])
def test_center_crop_output_size_matches_skimage(output_size, rng):
    X = rng.integers(0, 256, size=(3, 64, 64, 3), dtype=np.uint8)
    out = CenterCrop(fraction=0.5, output_size=output_size).fit_transform(X)
    size = (output_size, output_size) if np.ndim(output_size) == 0 else output_size
    expected = np.stack(
        [resize(img_as_float32(x[16:48, 16:48]), size, anti_aliasing=True) for x in X]
    )
    assert out.dtype == np.float32
    assert_allclose(out, expected, rtol=1e-5, atol=1e-6)


def test_center_crop_fraction_keeping_no_pixel():
    with pytest.raises(ValueError, match=r"fraction=0.01 keeps 0x0 pixels of 32x32"):
        CenterCrop(fraction=0.01).fit(np.zeros((1, 32, 32)))


@pytest.mark.parametrize("fraction", [0, -0.5, 1.5])
def test_center_crop_fraction_out_of_range(fraction):
    with pytest.raises(ValueError, match="fraction"):
        CenterCrop(fraction=fraction).fit(np.zeros((1, 8, 8)))


@pytest.mark.parametrize("output_size", [0, (0, 4), (4, 4, 4), ("a", 3)])
def test_center_crop_bad_output_size(output_size):
    with pytest.raises(ValueError, match="output_size"):
        CenterCrop(output_size=output_size).fit(np.zeros((1, 8, 8)))


def test_center_crop_shape_mismatch_at_transform():
    crop = CenterCrop().fit(np.zeros((1, 8, 8)))
    with pytest.raises(ValueError, match="fitted on images of shape 8x8"):
        crop.transform(np.zeros((1, 10, 10)))
