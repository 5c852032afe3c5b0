import numpy as np
import pytest
from numpy.testing import assert_array_equal
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline

from skgalaxy.preprocessing import Coarsen, Flatten


def test_flatten_rows_in_c_order():
    X = np.arange(24, dtype=np.float64).reshape(2, 2, 2, 3)
    out = Flatten().fit_transform(X)
    assert_array_equal(out, np.arange(24).reshape(2, 12))


def test_flatten_uint8_to_float32():
    X = np.full((3, 2, 2), 255, dtype=np.uint8)
    out = Flatten().fit_transform(X)
    assert out.dtype == np.float32
    assert out.shape == (3, 4)
    assert_array_equal(out, 1.0)


def test_flatten_feature_names():
    flatten = Flatten().fit(np.zeros((1, 2, 3)))
    assert list(flatten.get_feature_names_out()) == [
        "pixel_0_0",
        "pixel_0_1",
        "pixel_0_2",
        "pixel_1_0",
        "pixel_1_1",
        "pixel_1_2",
    ]
    names = Flatten().fit(np.zeros((1, 2, 2, 2))).get_feature_names_out()
    assert names[3] == "pixel_0_1_1" and len(names) == 8


def test_flatten_inverse_transform_round_trip(rng):
    X = rng.random((4, 3, 5, 2))
    flatten = Flatten().fit(X)
    assert_array_equal(flatten.inverse_transform(flatten.transform(X)), X)


def test_flatten_inverse_transform_wrong_width():
    flatten = Flatten().fit(np.zeros((1, 3, 3)))
    with pytest.raises(ValueError, match=r"expects \(n_samples, 9\)"):
        flatten.inverse_transform(np.zeros((2, 8)))


def test_flatten_in_pipeline_with_sklearn_classifier(rng):
    X = rng.integers(0, 60, size=(20, 8, 8, 3), dtype=np.uint8)
    y = np.arange(20) % 2
    X[y == 1, 2:6, 2:6] += 150
    model = make_pipeline(Coarsen(2), Flatten(), LogisticRegression()).fit(X, y)
    assert model.score(X, y) == 1.0


def test_flatten_shape_mismatch_at_transform():
    flatten = Flatten().fit(np.zeros((1, 4, 4)))
    with pytest.raises(ValueError, match="fitted on images of shape 4x4"):
        flatten.transform(np.zeros((1, 4, 4, 3)))
