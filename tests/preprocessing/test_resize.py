import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from skimage.transform import resize

from skgalaxy.preprocessing import Resize
from skgalaxy.preprocessing._resize import _sparse_resize_matrix


@pytest.mark.parametrize("anti_aliasing", [True, False])
def test_resize_matrix_equals_skimage_on_the_identity(anti_aliasing):
    sizes = [1, 2, 3, 5, 8, 13, 31, 64, 150, 299, 424]
    for n_in in sizes:
        for n_out in sizes:
            expected = resize(
                np.eye(n_in),
                (n_out, n_in),
                order=1,
                mode="reflect",
                anti_aliasing=anti_aliasing,
                preserve_range=True,
            )
            matrix = _sparse_resize_matrix(n_in, n_out, anti_aliasing, "<f8")
            assert_allclose(matrix.toarray(), expected, rtol=0, atol=1e-14)


@pytest.mark.parametrize("anti_aliasing", [True, False])
@pytest.mark.parametrize(
    "shape, size", [((3, 40, 30, 3), (12, 17)), ((2, 9, 11), (20, 31))]
)
def test_resize_matches_skimage_per_image(shape, size, anti_aliasing, rng):
    X = rng.random(shape)
    out = Resize(output_size=size, anti_aliasing=anti_aliasing).fit_transform(X)
    expected = np.stack([resize(x, size, anti_aliasing=anti_aliasing) for x in X])
    assert out.dtype == np.float64
    assert_allclose(out, expected, rtol=1e-12, atol=1e-12)


def test_resize_halves_without_anti_aliasing_exact():
    X = np.array([[[0.0, 1.0, 2.0, 3.0]] * 4])
    out = Resize(output_size=2, anti_aliasing=False).fit_transform(X)
    assert_array_equal(out, [[[0.5, 2.5], [0.5, 2.5]]])


def test_resize_uint8_to_float32_in_unit_range(rng):
    X = rng.integers(0, 256, size=(2, 30, 30, 3), dtype=np.uint8)
    out = Resize(output_size=10).fit_transform(X)
    assert out.dtype == np.float32
    expected = np.stack([resize(x, (10, 10), anti_aliasing=True) for x in X])
    assert_allclose(out, expected, rtol=1e-5, atol=1e-6)


def test_resize_constant_image_stays_constant():
    X = np.full((1, 50, 40, 2), 0.25, dtype=np.float32)
    assert_allclose(Resize(output_size=(7, 9)).fit_transform(X), 0.25, rtol=1e-6)


def test_resize_same_size_is_a_copy():
    X = np.random.default_rng(3).random((2, 6, 6))
    out = Resize(output_size=6).fit_transform(X)
    assert_array_equal(out, X)
    assert not np.shares_memory(out, X)


@pytest.mark.parametrize("output_size", [0, (5, 0), (5,), "big"])
def test_resize_bad_output_size(output_size):
    with pytest.raises(ValueError, match="output_size"):
        Resize(output_size=output_size).fit(np.zeros((1, 8, 8)))


def test_resize_shape_mismatch_at_transform():
    resizer = Resize(output_size=4).fit(np.zeros((1, 8, 8, 3)))
    with pytest.raises(ValueError, match="fitted on images of shape 8x8x3"):
        resizer.transform(np.zeros((1, 8, 9, 3)))
