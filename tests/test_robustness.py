"""Regression tests for bad and extreme input (reliability issue 13).

Each test names what it checks; each failed before its fix: the MLP's divergence
rule, pixels too large to sum, ROICrop's threshold at extreme scales, the
baseline without ``y``, labels that mix types, non-finite outputs.
"""

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.linear_model import LinearRegression

from skgalaxy.baseline import PixelBaselineRegressor
from skgalaxy.datasets import make_galaxies
from skgalaxy.neural_network import NumpyMLPClassifier
from skgalaxy.preprocessing import (
    AsinhStretch,
    CenterCrop,
    Coarsen,
    Flatten,
    Grayscale,
    Resize,
    ROICrop,
)
from skgalaxy.utils import check_images
from skgalaxy.utils._validation import check_label_types


@pytest.fixture(scope="module")
def galaxies():
    X, y = make_galaxies(200, image_size=16, random_state=0)[:2]
    return X, y


def _mlp(**params):
    return NumpyMLPClassifier((16,), **{"max_iter": 20, "random_state": 0, **params})


# ------------------------------------------------------- MLP divergence rule
@pytest.mark.parametrize("solver", ["sgd", "adam"])
def test_mlp_divergence_stops_when_the_loss_grows_100x(galaxies, solver):
    # the case: the loss reached 2e32 and accuracy 0.1, silently
    clf = _mlp(solver=solver, learning_rate_init=1e6)
    pattern = (
        r"training diverged at epoch \d+: the epoch's training loss \S+ is over "
        r"100 times the first batch's \(learning_rate_init=1e\+06, first batch "
        r"loss \S+\)\. Lower learning_rate_init\."
    )
    with pytest.raises(ValueError, match=pattern):
        clf.fit(*galaxies)
    with pytest.raises(NotFittedError):
        clf.predict(galaxies[0])


def test_mlp_divergence_error_is_the_cnns_floating_point_error_too(galaxies):
    with pytest.raises(FloatingPointError, match="training diverged"):
        _mlp(solver="sgd", learning_rate_init=1e6).fit(*galaxies)


def test_mlp_divergence_reference_is_kept_over_partial_fit(galaxies):
    X, y = galaxies
    clf = _mlp(solver="sgd", learning_rate_init=0.01)
    clf.partial_fit(X, y, classes=np.unique(y))
    first = clf._first_batch_loss
    clf.set_params(learning_rate_init=1e6)
    with pytest.raises(ValueError, match="over 100 times the first batch's"):
        for _ in range(5):
            clf.partial_fit(X, y)
    assert clf._first_batch_loss == first


def test_mlp_training_that_converges_is_not_stopped(galaxies):
    clf = _mlp(solver="sgd", learning_rate_init=0.1, max_iter=30, tol=0.0)
    with pytest.warns(ConvergenceWarning, match="maximum iterations"):
        clf.fit(*galaxies)
    assert max(clf.loss_curve_) < 100 * clf._first_batch_loss
    assert np.all(np.isfinite(clf.predict_proba(galaxies[0])))


def test_mlp_huge_pixels_blame_the_scale_not_the_learning_rate(galaxies):
    X, y = galaxies
    huge = X.astype(np.float64) * 1e300  # finite, and small enough to sum
    with pytest.raises(ValueError, match="X reaches 2.*e\\+302 in magnitude") as info:
        _mlp(solver="sgd").fit(huge, y)
    message = str(info.value)
    assert "scale X first" in message
    assert not message.split(". ")[1].startswith("Lower learning_rate_init")


def test_mlp_cg_huge_pixels_blame_the_scale(galaxies):
    X, y = galaxies
    # 1e300: finite and summable, but the cg objective overflows
    huge = X[:40].astype(np.float64) * 1e300
    with pytest.raises(ValueError, match=r"solver='cg'.*X reaches .*scale X"):
        _mlp(solver="cg").fit(huge, y[:40])


def test_mlp_pixels_too_large_to_sum_are_refused_up_front(galaxies):
    X, y = galaxies
    with pytest.raises(ValueError, match="too large to sum in float64"):
        _mlp().fit(np.full(X.shape, 1e307), y)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_mlp_non_finite_predictions_are_refused(galaxies):
    X, y = galaxies
    clf = _mlp(max_iter=5).fit(X, y)
    # finite but absurd weights: the logits overflow
    for W in clf.coefs_:
        W *= 1e30
    with pytest.raises(ValueError, match=r"NaN or infinite outputs for \d+ of 200"):
        clf.predict(X)
    with pytest.raises(FloatingPointError, match="or its weights are broken"):
        clf.predict_proba(X)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_mlp_values_beyond_the_fitted_dtype_are_refused(galaxies):
    X, y = galaxies
    clf = _mlp(max_iter=5).fit(X, y)  # uint8 images: a float32 network
    features = X.reshape(len(X), -1) / 255.0 * 1e300
    with pytest.raises(ValueError, match="beyond float32, the dtype the network"):
        clf.predict(features)


# -------------------------------------------------- pixels too large to sum
SUMMING = [
    Coarsen(2),
    Resize(4),
    ROICrop(output_size=4),
    CenterCrop(output_size=4),
    Grayscale(),
    AsinhStretch(),
]


@pytest.mark.parametrize("transformer", SUMMING, ids=lambda t: type(t).__name__)
@pytest.mark.parametrize("dtype, value", [(np.float64, 1e307), (np.float32, 1e37)])
def test_pixels_too_large_to_sum_are_refused_by_summing_transformers(
    transformer, dtype, value
):
    # Coarsen returned inf, ROICrop said "'list' argument must have no negative
    # elements", the others warned of an overflow
    X = np.full((2, 8, 8, 3), value, dtype=dtype)
    X[1] = -value
    name = np.dtype(dtype).name
    with pytest.raises(ValueError, match=f"too large to sum in {name} for"):
        transformer.fit(X)


@pytest.mark.parametrize("transformer", SUMMING, ids=lambda t: type(t).__name__)
def test_large_summable_pixels_give_finite_results(transformer):
    X = np.random.default_rng(0).random((3, 8, 8, 3)) * 1e300
    Xt = transformer.fit_transform(X)
    assert np.all(np.isfinite(Xt))


def test_coarsen_mean_of_large_pixels_is_exact():
    X = np.full((1, 4, 4), 1e305)
    assert_allclose(Coarsen(2).fit_transform(X), np.full((1, 2, 2), 1e305))


@pytest.mark.parametrize("transformer", [Flatten(), CenterCrop()])
def test_transformers_that_do_not_sum_pass_large_pixels_unchanged(transformer):
    X = np.full((2, 4, 4), np.finfo(np.float64).max)
    Xt = transformer.fit_transform(X)
    assert np.all(Xt == np.finfo(np.float64).max)


def test_check_images_finite_sums_limit_depends_on_the_image_size():
    limit = np.finfo(np.float64).max / (2 * 8 * 8)
    check_images(np.full((1, 8, 8), limit * 0.99), finite_sums=True)
    with pytest.raises(ValueError, match="must stay below 1.4e\\+306"):
        check_images(np.full((1, 8, 8), limit * 1.01), finite_sums=True)
    # off by default, and integer images always pass
    check_images(np.full((1, 8, 8), 1e308))
    check_images(np.full((1, 8, 8), 2**62, dtype=np.int64), finite_sums=True)


def _blob_images():
    X = np.zeros((2, 32, 32))
    X[0, 3:11, 18:26] = 1.0
    X[1, 20:30, 2:9] = 0.6
    X[1, 2:4, 2:4] = 0.2
    return X


@pytest.mark.parametrize("scale", [1e200, 1e-310])
def test_roicrop_boxes_do_not_depend_on_the_pixel_scale(scale):
    # Otsu's variances overflowed at 1e200 and its bin scale at a subnormal range
    X = _blob_images()
    roi = ROICrop(output_size=8, detection_size=None)
    expected = roi.fit(X).get_boxes(X)
    assert_array_equal(roi.fit(X * scale).get_boxes(X * scale), expected)
    assert np.all(np.isfinite(roi.transform(X * scale)))


# -------------------------------------------------------------- the baseline
def test_pixel_baseline_without_y_says_y_is_required(galaxies):
    X = galaxies[0]
    with pytest.raises(ValueError, match="requires y to be passed"):
        PixelBaselineRegressor().fit(X, None)
    reg = PixelBaselineRegressor().fit(X, np.linspace(0, 1, len(X)))
    with pytest.raises(ValueError, match="requires y to be passed"):
        reg.score(X, None)


@pytest.mark.parametrize("strategy", ["mean", "central_pixel"])
def test_pixel_baseline_targets_too_large_to_fit_are_refused(galaxies, strategy):
    X = galaxies[0]
    y = np.full(len(X), 1e300)  # LinearRegression's least squares overflowed
    with pytest.raises(ValueError, match="y has values up to 1e\\+300"):
        PixelBaselineRegressor(strategy).fit(X, y)


SUBNORMAL = [
    np.array([[[4.1e-312]], [[1.7e-312]]]),
    # the slope overflowed in fit: the intercept warned of an invalid value
    np.array([[[[4.1e-312, 1.7e-312, 8.1e-311]]], [[[9.1e-311, 6.1e-311, 7.3e-311]]]]),
]


@pytest.mark.parametrize("X", SUBNORMAL, ids=["gray", "colour"])
def test_pixel_baseline_subnormal_pixels_give_a_clear_error(X):
    # found by the fuzz: the slope overflowed, then fit or predict warned of
    # invalid values
    with pytest.raises(ValueError, match="features span only"):
        PixelBaselineRegressor("central_pixel").fit(X, [0.95, 0.14])


class _NaNRegressor(LinearRegression):
    def predict(self, X):
        return np.full(len(X), np.nan)


def test_pixel_baseline_refuses_non_finite_predictions(galaxies):
    X = galaxies[0]
    reg = PixelBaselineRegressor(estimator=_NaNRegressor()).fit(X, np.arange(len(X)))
    with pytest.raises(ValueError, match="_NaNRegressor predicted NaN or infinity"):
        reg.predict(X)


# ------------------------------------------------------------- mixed labels
MIXED = np.array(["spiral", 1] * 100, dtype=object)


def test_mlp_mixed_label_types_raise_a_type_error(galaxies):
    X = galaxies[0]
    with pytest.raises(TypeError, match=r"y mixes label types \['int', 'str'\]"):
        _mlp().fit(X, MIXED)


def test_mlp_partial_fit_mixed_classes_raise_a_type_error(galaxies):
    X = galaxies[0]
    y = np.array(["spiral", "elliptical"] * 100, dtype=object)
    with pytest.raises(TypeError, match=r"classes mixes label types"):
        _mlp().partial_fit(X, y, classes=np.array(["spiral", 1], dtype=object))


def test_mlp_validation_data_mixed_labels_raise_a_type_error(galaxies):
    X = galaxies[0]
    y = np.array(["spiral", "elliptical"] * 100, dtype=object)
    with pytest.raises(TypeError, match=r"validation_data's y mixes label types"):
        _mlp().fit(X, y, validation_data=(X, MIXED))


def test_check_label_types_accepts_labels_that_compare():
    check_label_types(np.array([1, 2.5, True], dtype=object))
    check_label_types(np.array(["a", "b"]))
    with pytest.raises(TypeError, match=r"\['NoneType', 'str'\]"):
        check_label_types(np.array(["a", None], dtype=object))


def test_mlp_huge_2d_features_give_a_clear_error():
    # scikit-learn's finiteness check summed them and warned of an overflow
    X = np.random.default_rng(0).random((20, 4)) * 1.7e308
    y = np.arange(20) % 2
    with pytest.raises(ValueError, match="X reaches 1.*e\\+308 in magnitude"):
        _mlp(solver="sgd").fit(X, y)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_mlp_probabilities_of_huge_but_finite_logits_do_not_warn(galaxies):
    # found by the fuzz: softmax's shift by the maximum overflowed float32
    X = np.array(
        [
            [
                [253, 24, 249, 163],
                [2, 177, 53, 114],
                [92, 33, 205, 208],
                [233, 238, 5, 185],
            ],
            [
                [94, 103, 241, 14],
                [68, 48, 199, 223],
                [169, 239, 23, 241],
                [212, 240, 45, 31],
            ],
        ],
        dtype=np.uint8,
    )
    clf = NumpyMLPClassifier((4,), solver="cg", max_iter=3, random_state=0)
    clf.fit(X, ["elliptical", "spiral"])
    X_new = X.astype(np.float64)
    X_new[0, 2, 1] = 3e38  # float32 holds it; the logits reach -1e38
    proba = clf.predict_proba(X_new)
    assert np.all(np.isfinite(proba))
    assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-6)
