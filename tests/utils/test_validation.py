import numpy as np
import pytest
from numpy.testing import assert_allclose
from scipy import sparse

from skgalaxy.utils import check_image_shape, check_images


@pytest.mark.parametrize("dtype", [np.uint8, np.float32, np.float64])
def test_check_images_dtype_rule(dtype):
    X = np.full((2, 3, 3), 255 if dtype == np.uint8 else 0.5, dtype=dtype)
    Xt = check_images(X)
    expected = np.float32 if dtype == np.uint8 else dtype
    assert Xt.dtype == expected
    assert_allclose(Xt, 1.0 if dtype == np.uint8 else 0.5)


def test_check_images_other_integers_scale_like_scikit_image():
    X = np.full((1, 2, 2), 65535, dtype=np.uint16)
    assert_allclose(check_images(X), 1.0)
    assert check_images(np.ones((1, 2, 2), dtype=bool)).dtype == np.float32


def test_check_images_convert_false_keeps_uint8():
    X = np.zeros((1, 2, 2, 3), dtype=np.uint8)
    assert check_images(X, convert=False).dtype == np.uint8


def test_check_images_does_not_mutate_input():
    X = np.arange(12, dtype=np.uint8).reshape(1, 2, 2, 3)
    before = X.copy()
    check_images(X)
    np.testing.assert_array_equal(X, before)


def test_check_images_accepts_nested_lists():
    Xt = check_images([[[0.0, 1.0], [2.0, 3.0]]])
    assert Xt.shape == (1, 2, 2)


@pytest.mark.parametrize(
    "X, err, match",
    [
        (np.zeros((4, 5)), ValueError, "got a 2-D array of shape"),
        (np.zeros((1, 2, 3, 4, 5)), ValueError, "got a 5-D array"),
        (np.zeros((0, 4, 4)), ValueError, "empty: 0 images"),
        (np.zeros((2, 0, 4)), ValueError, "empty axis"),
        (np.array([[[np.nan]]]), ValueError, "contains NaN"),
        (np.array([[[np.inf]]]), ValueError, "contains infinity"),
        (np.array([[["a"]]]), TypeError, "numeric dtype"),
        (np.zeros((1, 2, 2), dtype=complex), TypeError, "numeric dtype"),
        (np.array([[[object()]]]), TypeError, "not numbers"),
        ([[[0, 1]], [[0, 1, 2]]], ValueError, "ragged"),
        (sparse.eye(3, format="csr"), TypeError, "sparse"),
        ("image.png", TypeError, "must be an array"),
        (None, TypeError, "must be an array"),
    ],
)
def test_check_images_bad_input(X, err, match):
    with pytest.raises(err, match=match):
        check_images(X)


def test_check_images_channels_and_size():
    X = np.zeros((1, 8, 8, 5))
    with pytest.raises(ValueError, match="5 channel.*takes 1 or 3"):
        check_images(X, allowed_channels=(1, 3))
    assert check_images(X[..., 0], allowed_channels=(1, 3)).shape == (1, 8, 8)
    with pytest.raises(ValueError, match="8x8 pixels.*at least 16x16"):
        check_images(X, min_size=16)
    with pytest.raises(ValueError, match="at least 4x10"):
        check_images(X, min_size=(4, 10))


def test_check_image_shape_records_and_compares():
    class Est:
        pass

    est = Est()
    check_image_shape(est, np.zeros((2, 8, 8, 3)), reset=True)
    assert est.image_shape_ == (8, 8, 3)
    check_image_shape(est, np.zeros((5, 8, 8, 3)), reset=False)
    expected = "shape 8x8, but Est was fitted on images of shape 8x8x3"
    with pytest.raises(ValueError, match=expected):
        check_image_shape(est, np.zeros((1, 8, 8)), reset=False)
