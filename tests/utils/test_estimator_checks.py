"""The image-estimator checks pass correct estimators and catch broken ones."""

import numpy as np
import pytest
from numpy.testing import assert_array_equal
from sklearn.base import (
    BaseEstimator,
    ClassifierMixin,
    RegressorMixin,
    TransformerMixin,
)
from sklearn.linear_model import Ridge
from sklearn.neighbors import NearestCentroid
from sklearn.utils.validation import check_is_fitted

from skgalaxy.preprocessing import Coarsen, ROICrop
from skgalaxy.utils import check_image_shape, check_images
from skgalaxy.utils import estimator_checks as ec


def _tags(tags):
    tags.input_tags.three_d_array = True
    tags.input_tags.two_d_array = False
    return tags


class Doubler(TransformerMixin, BaseEstimator):
    """A correct image transformer: twice the images, as float."""

    def __init__(self, scale=2.0):
        self.scale = scale

    def fit(self, X, y=None):
        X = check_images(X, estimator=self)
        check_image_shape(self, X, reset=True)
        return self

    def transform(self, X):
        check_is_fitted(self)
        X = check_images(X, estimator=self)
        check_image_shape(self, X, reset=False)
        return X * X.dtype.type(self.scale)

    def __sklearn_tags__(self):
        return _tags(super().__sklearn_tags__())


class CentroidClassifier(ClassifierMixin, BaseEstimator):
    """A correct image classifier: nearest centroid on the pixels."""

    def fit(self, X, y):
        X = check_images(X, estimator=self)
        check_image_shape(self, X, reset=True)
        self.model_ = NearestCentroid().fit(X.reshape(len(X), -1), y)
        self.classes_ = self.model_.classes_
        return self

    def predict(self, X):
        check_is_fitted(self)
        X = check_images(X, estimator=self)
        check_image_shape(self, X, reset=False)
        return self.model_.predict(X.reshape(len(X), -1))

    def __sklearn_tags__(self):
        return _tags(super().__sklearn_tags__())


class MeanColourRegressor(RegressorMixin, BaseEstimator):
    """A correct image regressor: ridge regression on the mean colour."""

    def fit(self, X, y):
        X = check_images(X, estimator=self)
        check_image_shape(self, X, reset=True)
        self.model_ = Ridge().fit(X.mean(axis=(1, 2)), y)
        return self

    def predict(self, X):
        check_is_fitted(self)
        X = check_images(X, estimator=self)
        check_image_shape(self, X, reset=False)
        return self.model_.predict(X.mean(axis=(1, 2)))

    def __sklearn_tags__(self):
        tags = _tags(super().__sklearn_tags__())
        tags.target_tags.multi_output = True
        return tags


# ---------------------------------------------------------- broken estimators
class FitReturnsNone(Doubler):
    def fit(self, X, y=None):
        super().fit(X, y)


class MutatesInput(Doubler):
    def transform(self, X):
        if isinstance(X, np.ndarray) and X.dtype.kind == "f":
            X *= 1.5
        return super().transform(X)


class ChangesParams(Doubler):
    def fit(self, X, y=None):
        self.scale = 3.0
        return super().fit(X, y)


class NoValidation(Doubler):
    """Skips check_images: no NaN, inf, empty, ndim checks."""

    def fit(self, X, y=None):
        self.image_shape_ = np.shape(X)[1:]
        return self

    def transform(self, X):
        check_is_fitted(self)
        return np.asarray(X, dtype=np.float32) * 2


class NoShapeCheck(Doubler):
    def transform(self, X):
        check_is_fitted(self)
        return check_images(X) * 2


class WrongDtype(Doubler):
    def transform(self, X):
        return super().transform(X).astype(np.float64)


_HIDDEN_STATE = np.random.default_rng()


class Noisy(Doubler):
    """Output depends on hidden global randomness: pickle and refits differ."""

    def transform(self, X):
        return super().transform(X) + _HIDDEN_STATE.random()


class PerImageMeans(Doubler):
    """Works image by image without validation, so ragged lists slip through."""

    def fit(self, X, y=None):
        self.image_shape_ = np.shape(X[0])
        return self

    def transform(self, X):
        check_is_fitted(self)
        return np.array([[np.mean(x)] for x in X], dtype=np.float32)


class BatchNormalised(Doubler):
    """Output depends on the batch: a subset is not the subset of the output."""

    def transform(self, X):
        Xt = super().transform(X)
        return Xt - Xt.mean()


class AttributeErrorWhenUnfitted(Doubler):
    def transform(self, X):
        return check_images(X) * self.image_shape_[0]


class EncodedLabels(CentroidClassifier):
    """Predicts the encoded class index instead of the label."""

    def predict(self, X):
        labels = super().predict(X)
        return np.searchsorted(self.classes_, labels)


class FlatRegressor(MeanColourRegressor):
    """Drops all but the first target."""

    def predict(self, X):
        return super().predict(X)[:, 0]


def _fails(check, estimator, match=None):
    with pytest.raises(AssertionError, match=match):
        check(type(estimator).__name__, estimator)


# --------------------------------------------------------------------- tests
@pytest.mark.parametrize(
    "estimator",
    [Doubler(), CentroidClassifier(), MeanColourRegressor(), Coarsen(2)],
    ids=lambda e: type(e).__name__,
)
def test_check_image_estimator_passes_correct_estimators(estimator):
    results = ec.check_image_estimator(estimator)
    assert {r["status"] for r in results} == {"passed"}
    names = {r["check_name"] for r in results}
    assert ("check_image_classifier_labels" in names) == isinstance(
        estimator, CentroidClassifier
    )
    assert ("check_image_regressor_targets" in names) == isinstance(
        estimator, MeanColourRegressor
    )
    assert ("check_image_fit_transform" in names) == hasattr(estimator, "transform")


def test_check_fit_returns_self_catches_none():
    _fails(ec.check_image_fit_returns_self, FitReturnsNone(), "must return self")


def test_check_no_mutation_catches_in_place_change():
    _fails(ec.check_image_no_mutation, MutatesInput(), "transform changed X")


def test_check_no_mutation_catches_parameter_change():
    _fails(ec.check_image_no_mutation, ChangesParams(), "changed parameter 'scale'")


@pytest.mark.parametrize(
    "check",
    [
        ec.check_image_nan,
        ec.check_image_inf,
        ec.check_image_empty,
        ec.check_image_bad_ndim,
        ec.check_image_non_numeric,
    ],
    ids=lambda c: c.__name__,
)
def test_bad_input_checks_catch_missing_validation(check):
    with pytest.raises(AssertionError):
        check("NoValidation", NoValidation())


def test_check_ragged_catches_per_image_loops():
    _fails(ec.check_image_ragged, PerImageMeans(), "did not raise")


def test_bad_input_check_requires_a_telling_message():
    class VagueError(Doubler):
        def fit(self, X, y=None):
            if np.isnan(np.asarray(X, dtype=float)).any():
                raise ValueError("bad")
            return super().fit(X, y)

    _fails(ec.check_image_nan, VagueError(), "does not say what is wrong")


def test_check_shape_mismatch_catches_missing_shape_check():
    _fails(ec.check_image_shape_mismatch, NoShapeCheck(), "did not raise")


def test_check_dtypes_catches_float64_for_uint8():
    _fails(ec.check_image_dtypes, WrongDtype(), "dtype rule says float32")


def test_check_pickle_and_idempotence_catch_global_randomness():
    _fails(ec.check_image_pickle, Noisy(), "differs after pickle")
    _fails(ec.check_image_fit_idempotent, Noisy(), "after refit")


def test_check_subset_invariance_catches_batch_dependence():
    _fails(ec.check_image_subset_invariance, BatchNormalised(), "on a subset")


def test_check_not_fitted_requires_not_fitted_error():
    _fails(ec.check_image_not_fitted, AttributeErrorWhenUnfitted(), "NotFittedError")


def test_check_classifier_labels_catches_encoded_predictions():
    _fails(ec.check_image_classifier_labels, EncodedLabels(), "not in classes_")


def test_check_regressor_targets_catches_wrong_shape():
    _fails(ec.check_image_regressor_targets, FlatRegressor(), "returned shape")


def test_check_tags_requires_three_d_array():
    class Untagged(Doubler):
        def __sklearn_tags__(self):
            tags = super().__sklearn_tags__()
            tags.input_tags.three_d_array = False
            return tags

    _fails(ec.check_image_estimator_tags, Untagged(), "three_d_array")


def test_expected_failures_are_reported_not_raised():
    expected = {
        "check_image_dtypes": "returns float64 on purpose",
        "check_image_clone_params": "passes: reported as xpass",
    }
    results = ec.check_image_estimator(WrongDtype(), expected_failed_checks=expected)
    status = {r["check_name"]: r["status"] for r in results}
    assert status.pop("check_image_dtypes") == "xfail"
    assert status.pop("check_image_clone_params") == "xpass"
    assert set(status.values()) == {"passed"}


def test_unexpected_failure_raises_or_is_recorded():
    with pytest.raises(AssertionError, match="dtype rule"):
        ec.check_image_estimator(WrongDtype())
    results = ec.check_image_estimator(WrongDtype(), on_fail=None)
    failed = [r for r in results if r["status"] == "failed"]
    assert [r["check_name"] for r in failed] == ["check_image_dtypes"]
    assert isinstance(failed[0]["exception"], AssertionError)
    with pytest.raises(ValueError, match="on_fail"):
        ec.check_image_estimator(WrongDtype(), on_fail="warn")


def test_parametrize_with_image_checks_marks_expected_failures():
    decorator = ec.parametrize_with_image_checks(
        [Doubler(), Noisy()],
        expected_failed_checks=lambda e: (
            {"check_image_pickle": "random"} if isinstance(e, Noisy) else {}
        ),
    )
    argnames, params = decorator.args
    assert argnames == "estimator, check"
    checks = [(type(p.values[0]).__name__, p.values[1].func.__name__) for p in params]
    assert ("Doubler", "check_image_pickle") in checks
    marked = [
        (type(p.values[0]).__name__, p.values[1].func.__name__)
        for p in params
        if any(m.name == "xfail" for m in p.marks)
    ]
    assert marked == [("Noisy", "check_image_pickle")]


def test_make_check_images_is_deterministic_and_roi_finds_the_galaxy():
    X, labels, fractions = ec.make_check_images()
    X2, _, _ = ec.make_check_images()
    assert_array_equal(X, X2)
    assert X.dtype == np.uint8 and X.shape == (20, 32, 32, 3)
    assert_array_equal(np.bincount(labels), [7, 7, 6])
    assert np.allclose(fractions.sum(axis=1), 1) and fractions.min() >= 0
    boxes = ROICrop(padding=0.0).fit(X).get_boxes(X)
    centres = boxes[:, :2] + boxes[:, 2:] / 2
    assert np.all(np.abs(centres - 16) <= 3.5)
    assert np.all(boxes[:, 2] < 32)  # a galaxy, not the fallback full frame
