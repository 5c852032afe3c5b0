"""Checks that an image estimator keeps scikit-learn's contract.

scikit-learn's :func:`~sklearn.utils.estimator_checks.check_estimator` feeds 2-D
feature arrays, so it cannot test estimators that take images. These checks do
the same job for images ``(n_samples, height, width[, n_channels])``: API
contract, no mutation, persistence, dtypes, every bad input, and use inside a
:class:`~sklearn.pipeline.Pipeline` with
:class:`~sklearn.model_selection.GridSearchCV`. They work for transformers,
classifiers (labels) and regressors (targets of shape ``(n_samples, k)`` in
[0, 1], like Galaxy Zoo vote fractions), inferred from
:func:`~sklearn.base.is_classifier` and :func:`~sklearn.base.is_regressor`.

Each check is a function ``check_image_<what>(name, estimator_orig)`` that
clones the estimator it is given and raises ``AssertionError`` (or the
estimator's own error) when the contract is broken, like scikit-learn's checks.
Run them all with :func:`check_image_estimator`, or generate pytest cases with
:func:`parametrize_with_image_checks`. The check data are 20 deterministic
uint8 images of 32x32x3: a bright blob (the galaxy) near the centre on noisy
dark sky, with three classes that differ in blob size and colour.

To make a slow estimator fast in the checks, set its parameters before passing
it (``CNNClassifier(max_epochs=1)``): the checks clone it and keep them.
"""

import pickle
import re
import warnings
from functools import partial

import numpy as np
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.base import clone, is_classifier, is_regressor
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import RidgeClassifier
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer
from sklearn.utils import get_tags

__all__ = [
    "check_image_bad_ndim",
    "check_image_classifier_labels",
    "check_image_clone_params",
    "check_image_dtypes",
    "check_image_empty",
    "check_image_estimator",
    "check_image_estimator_tags",
    "check_image_fit_idempotent",
    "check_image_fit_returns_self",
    "check_image_fit_transform",
    "check_image_inf",
    "check_image_nan",
    "check_image_no_mutation",
    "check_image_non_numeric",
    "check_image_not_fitted",
    "check_image_pickle",
    "check_image_pipeline_grid_search",
    "check_image_ragged",
    "check_image_regressor_targets",
    "check_image_shape_mismatch",
    "check_image_subset_invariance",
    "make_check_images",
    "parametrize_with_image_checks",
]

# Tolerances for float32 results (the package's convention); float64 results are
# compared more tightly.
_RTOL32, _ATOL32 = 1e-5, 1e-6
_RTOL64, _ATOL64 = 1e-7, 1e-9
_CLASS_NAMES = np.array(["elliptical", "merger", "spiral"])
_BAD_INPUT = (ValueError, TypeError)


def make_check_images(n_samples=20, size=32, n_channels=3, random_state=0):
    """Make the images, labels and vote-fraction-like targets used by the checks.

    Parameters
    ----------
    n_samples : int, default=20
        Number of images.
    size : int, default=32
        Side of the square images.
    n_channels : int, default=3
        Channels of the images.
    random_state : int, default=0
        Seed of the sky noise and blob positions.

    Returns
    -------
    X : ndarray of shape (n_samples, size, size, n_channels), dtype uint8
        A bright Gaussian blob near the centre (within 2 pixels) on dark
        noisy sky; its radius and colour depend on the class.
    labels : ndarray of shape (n_samples,), dtype int
        Classes 0, 1, 2 in turn.
    fractions : ndarray of shape (n_samples, 3), dtype float64
        Targets in [0, 1] whose rows sum to 1, mostly on the true class.

    Examples
    --------
    >>> from skgalaxy.utils.estimator_checks import make_check_images
    >>> X, labels, fractions = make_check_images()
    >>> X.shape, X.dtype, labels[:4], fractions.shape
    ((20, 32, 32, 3), dtype('uint8'), array([0, 1, 2, 0]), (20, 3))
    """
    rng = np.random.default_rng(random_state)
    labels = np.arange(n_samples) % 3
    rows, cols = np.mgrid[:size, :size].astype(np.float64)
    centre = (size - 1) / 2 + rng.uniform(-2, 2, size=(n_samples, 2))
    radius = size * (0.08 + 0.05 * labels) * rng.uniform(0.9, 1.1, n_samples)
    r2 = (rows - centre[:, 0, None, None]) ** 2 + (cols - centre[:, 1, None, None]) ** 2
    blob = np.exp(-r2 / (2 * radius[:, None, None] ** 2))
    colour = np.array([[1.0, 0.8, 0.6], [0.9, 0.9, 0.9], [0.6, 0.8, 1.0]])
    colour = np.resize(colour[labels], (n_samples, n_channels))
    sky = 12 + 4 * rng.standard_normal((n_samples, size, size, n_channels))
    X = np.clip(sky + 220 * blob[..., None] * colour[:, None, None, :], 0, 255)
    fractions = np.full((n_samples, 3), 0.1)
    fractions[np.arange(n_samples), labels] = 0.8
    fractions += rng.uniform(0, 0.05, size=fractions.shape)
    fractions /= fractions.sum(axis=1, keepdims=True)
    return X.astype(np.uint8), labels, fractions


def _data(estimator):
    """(X uint8, y) for ``estimator``: labels, or fractions for regressors."""
    X, labels, fractions = make_check_images()
    return X, (fractions if is_regressor(estimator) else labels)


def _prepare(estimator_orig):
    """Return a clone with ``random_state=0`` where it has one."""
    estimator = clone(estimator_orig)
    if "random_state" in estimator.get_params():
        estimator.set_params(random_state=0)
    return estimator


def _methods(estimator):
    """Output methods the estimator offers, in a fixed order.

    ``predict_proba`` and ``decision_function`` count for classifiers only
    (a regressor may inherit one that refuses to run).
    """
    names = ["transform", "predict"]
    if is_classifier(estimator):
        names += ["predict_proba", "decision_function"]
    found = []
    for method in names:
        try:
            if hasattr(estimator, method):
                found.append(method)
        except Exception:  # available_if may raise on unfitted estimators
            continue
    return found


def _outputs(estimator, X):
    return {m: getattr(estimator, m)(X) for m in _methods(estimator)}


def _assert_outputs_close(a, b, context, single=False):
    """Compare outputs: exactly for labels, with the float tolerances otherwise.

    The float32 tolerances apply when either output is float32, or when
    ``single`` says the inputs were only float32-precise.
    """
    a, b = np.asarray(a), np.asarray(b)
    assert a.shape == b.shape, f"{context}: shapes differ, {a.shape} vs {b.shape}."
    if a.dtype.kind == "f" or b.dtype.kind == "f":
        single = single or np.float32 in (a.dtype, b.dtype)
        rtol, atol = (_RTOL32, _ATOL32) if single else (_RTOL64, _ATOL64)
        assert_allclose(a, b, rtol=rtol, atol=atol, err_msg=context)
    else:
        assert_array_equal(a, b, err_msg=context)


def _params_equal(a, b):
    if a is b:
        return True
    if hasattr(a, "get_params") and hasattr(b, "get_params"):
        return type(a) is type(b) and repr(a) == repr(b)
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return np.array_equal(np.asarray(a), np.asarray(b))
    try:
        equal = a == b
        return bool(equal) or (a != a and b != b)  # NaN == NaN here
    except (TypeError, ValueError):
        return repr(a) == repr(b)


def _assert_raises_bad_input(call, pattern, context):
    """``call()`` must raise ValueError/TypeError whose message matches."""
    try:
        call()
    except _BAD_INPUT as exc:
        message = str(exc)
        assert re.search(pattern, message, flags=re.IGNORECASE), (
            f"{context}: raised {type(exc).__name__} but its message does not "
            f"say what is wrong (expected it to match {pattern!r}): {message!r}"
        )
        return
    except Exception as exc:
        raise AssertionError(
            f"{context}: raised {type(exc).__name__} ({exc}); expected a "
            "ValueError or TypeError that names the problem."
        ) from exc
    raise AssertionError(f"{context}: did not raise; expected ValueError/TypeError.")


def _fit_and_call(estimator, X, y, X_bad, pattern, what):
    """Bad ``X_bad`` must fail in fit, and in every output method after fit."""
    name = type(estimator).__name__
    y_bad = y[: len(X_bad)] if hasattr(X_bad, "__len__") else y
    _assert_raises_bad_input(
        lambda: clone(estimator).fit(X_bad, y_bad), pattern, f"{name}.fit with {what}"
    )
    fitted = clone(estimator).fit(X, y)
    for method in _methods(fitted):
        _assert_raises_bad_input(
            lambda m=method: getattr(fitted, m)(X_bad),
            pattern,
            f"{name}.{method} with {what}",
        )


# --------------------------------------------------------------------- checks
def check_image_estimator_tags(name, estimator_orig):
    """Check that the tags say the estimator takes 3-D arrays (images).

    Parameters
    ----------
    name : str
        Name of the estimator, used in the error messages.
    estimator_orig : estimator instance
        Estimator to check; it is left unchanged (checks that fit use a clone).
    """
    tags = get_tags(estimator_orig)
    assert tags.input_tags.three_d_array, (
        f"{name}: set tags.input_tags.three_d_array = True in __sklearn_tags__ "
        "for an estimator that takes images."
    )


def check_image_clone_params(name, estimator_orig):
    """Check that clone, get_params and set_params round-trip; clones are unfitted.

    Parameters
    ----------
    name : str
        Name of the estimator, used in the error messages.
    estimator_orig : estimator instance
        Estimator to check; it is left unchanged (checks that fit use a clone).
    """
    estimator = clone(estimator_orig)
    params = estimator_orig.get_params(deep=False)
    cloned = estimator.get_params(deep=False)
    assert set(params) == set(cloned), f"{name}: clone changed the parameter names."
    for key, value in params.items():
        assert _params_equal(value, cloned[key]), (
            f"{name}: clone changed parameter {key!r}: {value!r} -> {cloned[key]!r}."
        )
    estimator.set_params(**params)
    for key, value in estimator.get_params(deep=False).items():
        assert _params_equal(value, params[key]), (
            f"{name}: set_params(**get_params()) changed {key!r}."
        )
    X, y = _data(estimator_orig)
    fitted = _prepare(estimator_orig).fit(X, y)
    refit = clone(fitted)
    for method in _methods(refit):
        try:
            getattr(refit, method)(X)
        except NotFittedError:
            continue
        raise AssertionError(f"{name}: a clone of a fitted estimator is fitted.")


def check_image_fit_returns_self(name, estimator_orig):
    """Check that ``fit`` returns the estimator itself.

    Parameters
    ----------
    name : str
        Name of the estimator, used in the error messages.
    estimator_orig : estimator instance
        Estimator to check; it is left unchanged (checks that fit use a clone).
    """
    estimator = _prepare(estimator_orig)
    X, y = _data(estimator)
    result = estimator.fit(X, y)
    assert result is estimator, f"{name}.fit must return self, got {result!r}."


def check_image_not_fitted(name, estimator_orig):
    """Check that output methods of an unfitted estimator raise NotFittedError.

    Parameters
    ----------
    name : str
        Name of the estimator, used in the error messages.
    estimator_orig : estimator instance
        Estimator to check; it is left unchanged (checks that fit use a clone).
    """
    estimator = _prepare(estimator_orig)
    X, _ = _data(estimator)
    methods = _methods(estimator)
    assert methods, f"{name} has no transform, predict or predict_proba method."
    for method in methods:
        try:
            getattr(estimator, method)(X)
        except NotFittedError:
            continue
        except Exception as exc:
            raise AssertionError(
                f"{name}.{method} before fit raised {type(exc).__name__} ({exc}); "
                "expected sklearn.exceptions.NotFittedError."
            ) from exc
        raise AssertionError(f"{name}.{method} before fit did not raise.")


def check_image_no_mutation(name, estimator_orig):
    """Check that fit and the output methods change neither input nor parameters.

    Parameters
    ----------
    name : str
        Name of the estimator, used in the error messages.
    estimator_orig : estimator instance
        Estimator to check; it is left unchanged (checks that fit use a clone).
    """
    estimator = _prepare(estimator_orig)
    X, y = _data(estimator)
    for X_in in (X, X.astype(np.float32) / 255):
        X_copy, y_copy = X_in.copy(), y.copy()
        params = estimator.get_params(deep=False)
        estimator.fit(X_in, y)
        assert_array_equal(X_in, X_copy, err_msg=f"{name}.fit changed X.")
        assert_array_equal(y, y_copy, err_msg=f"{name}.fit changed y.")
        for key, value in estimator.get_params(deep=False).items():
            assert _params_equal(value, params[key]), (
                f"{name}.fit changed parameter {key!r}; fitted state belongs in "
                "attributes ending in '_'."
            )
        for method in _methods(estimator):
            getattr(estimator, method)(X_in)
            assert_array_equal(X_in, X_copy, err_msg=f"{name}.{method} changed X.")


def check_image_pickle(name, estimator_orig):
    """Check that a pickled and unpickled fitted estimator gives identical outputs.

    Parameters
    ----------
    name : str
        Name of the estimator, used in the error messages.
    estimator_orig : estimator instance
        Estimator to check; it is left unchanged (checks that fit use a clone).
    """
    estimator = _prepare(estimator_orig)
    X, y = _data(estimator)
    estimator.fit(X, y)
    before = _outputs(estimator, X)
    loaded = pickle.loads(pickle.dumps(estimator))
    after = _outputs(loaded, X)
    for method, result in before.items():
        assert_array_equal(
            after[method], result, err_msg=f"{name}.{method} differs after pickle."
        )


def check_image_subset_invariance(name, estimator_orig):
    """Check that outputs for a subset of images are the subset of the full outputs.

    Parameters
    ----------
    name : str
        Name of the estimator, used in the error messages.
    estimator_orig : estimator instance
        Estimator to check; it is left unchanged (checks that fit use a clone).
    """
    estimator = _prepare(estimator_orig)
    X, y = _data(estimator)
    estimator.fit(X, y)
    full = _outputs(estimator, X)
    part = _outputs(estimator, X[3:10])
    for method, result in full.items():
        _assert_outputs_close(
            part[method], np.asarray(result)[3:10], f"{name}.{method} on a subset"
        )


def check_image_dtypes(name, estimator_orig):
    """Check that uint8, float32 and float64 images follow the dtype rule.

    uint8 images must give the same results as the same images in float32 on
    [0, 1]; transformers return float32 for uint8/float32 and float64 for
    float64 input.

    Parameters
    ----------
    name : str
        Name of the estimator, used in the error messages.
    estimator_orig : estimator instance
        Estimator to check; it is left unchanged (checks that fit use a clone).
    """
    estimator = _prepare(estimator_orig)
    X, y = _data(estimator)
    inputs = {
        "uint8": X,
        "float32": X.astype(np.float32) / np.float32(255),
        "float64": X.astype(np.float64) / 255,
    }
    is_transformer = hasattr(estimator, "transform")
    results = {}
    for kind, X_in in inputs.items():
        fitted = clone(estimator).fit(X_in, y)
        results[kind] = _outputs(fitted, X_in)
        for method, result in results[kind].items():
            result = np.asarray(result)
            assert len(result) == len(X), f"{name}.{method}: wrong number of rows."
            if result.dtype.kind == "f":
                assert np.all(np.isfinite(result)), f"{name}.{method}: not finite."
            if is_transformer and method == "transform":
                expected = np.float64 if kind == "float64" else np.float32
                assert result.dtype == expected, (
                    f"{name}.transform of {kind} images returned {result.dtype}; "
                    f"the dtype rule says {np.dtype(expected)}."
                )
    if is_transformer:
        for method in results["uint8"]:
            for kind in ("float32", "float64"):
                _assert_outputs_close(
                    results[kind][method],
                    results["uint8"][method],
                    f"{name}.{method}: {kind} vs uint8 images",
                )
    else:
        # Predictors: one model, fitted on float32, applied to each dtype.
        fitted = clone(estimator).fit(inputs["float32"], y)
        reference = _outputs(fitted, inputs["float32"])
        for method, result in _outputs(fitted, inputs["uint8"]).items():
            if np.asarray(result).dtype.kind == "f":
                _assert_outputs_close(
                    result,
                    reference[method],
                    f"{name}.{method}: uint8 vs float32",
                    single=True,
                )


def check_image_fit_transform(name, estimator_orig):
    """Check that ``fit_transform(X)`` equals ``fit(X).transform(X)``.

    Parameters
    ----------
    name : str
        Name of the estimator, used in the error messages.
    estimator_orig : estimator instance
        Estimator to check; it is left unchanged (checks that fit use a clone).
    """
    estimator = _prepare(estimator_orig)
    X, y = _data(estimator)
    one = clone(estimator).fit_transform(X, y)
    two = clone(estimator).fit(X, y).transform(X)
    _assert_outputs_close(one, two, f"{name}: fit_transform vs fit + transform")


def check_image_fit_idempotent(name, estimator_orig):
    """Check that fitting twice (same random_state) gives the same outputs.

    Parameters
    ----------
    name : str
        Name of the estimator, used in the error messages.
    estimator_orig : estimator instance
        Estimator to check; it is left unchanged (checks that fit use a clone).
    """
    estimator = _prepare(estimator_orig)
    X, y = _data(estimator)
    first = _outputs(estimator.fit(X, y), X)
    second = _outputs(estimator.fit(X, y), X)
    for method, result in first.items():
        _assert_outputs_close(second[method], result, f"{name}.{method} after refit")


def check_image_bad_ndim(name, estimator_orig):
    """Check that arrays that are not image stacks raise a clear error.

    Parameters
    ----------
    name : str
        Name of the estimator, used in the error messages.
    estimator_orig : estimator instance
        Estimator to check; it is left unchanged (checks that fit use a clone).
    """
    estimator = _prepare(estimator_orig)
    X, y = _data(estimator)
    pattern = r"dimension|\d-D|ndim|shape"
    bad = {"a 1-D array": X[:, 0, 0, 0], "a 5-D array": X[..., None]}
    if not get_tags(estimator).input_tags.two_d_array:
        bad["a 2-D array"] = X.reshape(len(X), -1)
    for what, X_bad in bad.items():
        _fit_and_call(estimator, X, y, X_bad, pattern, what)


def check_image_nan(name, estimator_orig):
    """Check that images with NaN raise a clear error (unless the tags allow NaN).

    Parameters
    ----------
    name : str
        Name of the estimator, used in the error messages.
    estimator_orig : estimator instance
        Estimator to check; it is left unchanged (checks that fit use a clone).
    """
    estimator = _prepare(estimator_orig)
    if get_tags(estimator).input_tags.allow_nan:
        return
    X, y = _data(estimator)
    X_bad = X.astype(np.float64) / 255
    X_bad[2, 5, 5, 0] = np.nan
    _fit_and_call(estimator, X, y, X_bad, r"nan", "NaN in the images")


def check_image_inf(name, estimator_orig):
    """Check that images with infinity raise a clear error (unless tags allow NaN).

    Parameters
    ----------
    name : str
        Name of the estimator, used in the error messages.
    estimator_orig : estimator instance
        Estimator to check; it is left unchanged (checks that fit use a clone).
    """
    estimator = _prepare(estimator_orig)
    if get_tags(estimator).input_tags.allow_nan:
        return
    X, y = _data(estimator)
    X_bad = X.astype(np.float32) / 255
    X_bad[1, 0, 3, 2] = -np.inf
    _fit_and_call(estimator, X, y, X_bad, r"inf", "infinity in the images")


def check_image_empty(name, estimator_orig):
    """Check that zero images raise a clear error.

    Parameters
    ----------
    name : str
        Name of the estimator, used in the error messages.
    estimator_orig : estimator instance
        Estimator to check; it is left unchanged (checks that fit use a clone).
    """
    estimator = _prepare(estimator_orig)
    X, y = _data(estimator)
    pattern = r"empty|0 (images|samples)|at least (one|1)"
    _fit_and_call(estimator, X, y, X[:0], pattern, "0 images")


def check_image_non_numeric(name, estimator_orig):
    """Check that images of strings raise a clear error.

    Parameters
    ----------
    name : str
        Name of the estimator, used in the error messages.
    estimator_orig : estimator instance
        Estimator to check; it is left unchanged (checks that fit use a clone).
    """
    estimator = _prepare(estimator_orig)
    X, y = _data(estimator)
    X_bad = X.astype(str)
    pattern = r"numeric|dtype|number|float|string|convert"
    _fit_and_call(estimator, X, y, X_bad, pattern, "images of strings")


def check_image_ragged(name, estimator_orig):
    """Check that a list of images of different sizes raises a clear error.

    Parameters
    ----------
    name : str
        Name of the estimator, used in the error messages.
    estimator_orig : estimator instance
        Estimator to check; it is left unchanged (checks that fit use a clone).
    """
    estimator = _prepare(estimator_orig)
    X, y = _data(estimator)
    X_bad = [X[0], X[1, :30, :30], X[2]]
    pattern = r"ragged|same shape|inhomogeneous|sequence|size"
    _fit_and_call(estimator, X, y, X_bad, pattern, "images of different sizes")


def check_image_shape_mismatch(name, estimator_orig):
    """Check that images of another size or channel count than in fit raise an error.

    Parameters
    ----------
    name : str
        Name of the estimator, used in the error messages.
    estimator_orig : estimator instance
        Estimator to check; it is left unchanged (checks that fit use a clone).
    """
    estimator = _prepare(estimator_orig)
    X, y = _data(estimator)
    fitted = estimator.fit(X, y)
    pattern = r"shape|size|channel|fitted|features"
    others = {
        "smaller images": X[:, 2:30, 2:30],
        "one channel instead of three": X[..., :1],
    }
    for what, X_bad in others.items():
        for method in _methods(fitted):
            _assert_raises_bad_input(
                lambda m=method, Xb=X_bad: getattr(fitted, m)(Xb),
                pattern,
                f"{name}.{method} with {what} than in fit",
            )


def _flatten_rows(X):
    return np.asarray(X).reshape(len(X), -1)


def check_image_pipeline_grid_search(name, estimator_orig):
    """Check that the estimator works as a Pipeline step tuned by GridSearchCV.

    Parameters
    ----------
    name : str
        Name of the estimator, used in the error messages.
    estimator_orig : estimator instance
        Estimator to check; it is left unchanged (checks that fit use a clone).
    """
    estimator = _prepare(estimator_orig)
    X, y = _data(estimator)
    params = estimator.get_params(deep=False)
    tunable = sorted(k for k in params if k not in ("n_jobs", "verbose"))
    grid = {f"est__{k}": [params[k]] for k in tunable[:1]}
    steps = [("est", estimator)]
    if not (is_classifier(estimator) or is_regressor(estimator)):
        steps += [
            ("flatten", FunctionTransformer(_flatten_rows)),
            ("clf", RidgeClassifier()),
        ]
        grid["clf__alpha"] = [0.1, 1.0]
    search = GridSearchCV(Pipeline(steps), grid, cv=2, error_score="raise")
    search.fit(X, y)
    predictions = search.predict(X)
    assert len(predictions) == len(X), f"{name}: GridSearchCV.predict length."
    score = search.score(X, y)
    assert np.isfinite(score), f"{name}: score in a Pipeline is {score}."


def check_image_classifier_labels(name, estimator_orig):
    """Check string labels: ``classes_`` are sorted, predictions are labels.

    Parameters
    ----------
    name : str
        Name of the estimator, used in the error messages.
    estimator_orig : estimator instance
        Estimator to check; it is left unchanged (checks that fit use a clone).
    """
    estimator = _prepare(estimator_orig)
    X, labels, _ = make_check_images()
    y = _CLASS_NAMES[labels]
    estimator.fit(X, y)
    assert_array_equal(
        estimator.classes_, np.unique(y), err_msg=f"{name}.classes_ are wrong."
    )
    predictions = estimator.predict(X)
    assert predictions.shape == (len(X),), f"{name}.predict shape {predictions.shape}."
    assert np.isin(predictions, estimator.classes_).all(), (
        f"{name}.predict returned values that are not in classes_."
    )
    if hasattr(estimator, "predict_proba"):
        proba = estimator.predict_proba(X)
        assert proba.shape == (len(X), 3), f"{name}.predict_proba shape {proba.shape}."
        assert_allclose(proba.sum(axis=1), 1, rtol=0, atol=1e-5)
        assert_array_equal(
            estimator.classes_[np.argmax(proba, axis=1)],
            predictions,
            err_msg=f"{name}.predict disagrees with argmax of predict_proba.",
        )


def check_image_regressor_targets(name, estimator_orig):
    """Check that targets of shape (n, k) give predictions of shape (n, k).

    Parameters
    ----------
    name : str
        Name of the estimator, used in the error messages.
    estimator_orig : estimator instance
        Estimator to check; it is left unchanged (checks that fit use a clone).
    """
    estimator = _prepare(estimator_orig)
    X, _, fractions = make_check_images()
    predictions = np.asarray(estimator.fit(X, fractions).predict(X))
    assert predictions.shape == fractions.shape, (
        f"{name}.predict returned shape {predictions.shape} for targets of shape "
        f"{fractions.shape}."
    )
    assert np.all(np.isfinite(predictions)), f"{name}.predict is not finite."


# ------------------------------------------------------------------- running
def _yield_image_checks(estimator):
    yield check_image_estimator_tags
    yield check_image_clone_params
    yield check_image_fit_returns_self
    yield check_image_not_fitted
    yield check_image_no_mutation
    yield check_image_pickle
    yield check_image_subset_invariance
    yield check_image_dtypes
    yield check_image_fit_idempotent
    if hasattr(estimator, "transform"):
        yield check_image_fit_transform
    yield check_image_bad_ndim
    yield check_image_nan
    yield check_image_inf
    yield check_image_empty
    yield check_image_non_numeric
    yield check_image_ragged
    yield check_image_shape_mismatch
    yield check_image_pipeline_grid_search
    if is_classifier(estimator):
        yield check_image_classifier_labels
    if is_regressor(estimator):
        yield check_image_regressor_targets


def _expected_failures(expected_failed_checks, estimator):
    if expected_failed_checks is None:
        return {}
    if callable(expected_failed_checks):
        return dict(expected_failed_checks(estimator) or {})
    return dict(expected_failed_checks)


def check_image_estimator(estimator, *, expected_failed_checks=None, on_fail="raise"):
    """Run every image-estimator check on ``estimator``.

    Parameters
    ----------
    estimator : estimator instance
        An estimator taking images (its parameters are kept: set fast ones).
    expected_failed_checks : dict or None, default=None
        ``{check name: reason}`` of checks expected to fail; they run, and a
        failure is reported as ``"xfail"`` rather than raised.
    on_fail : {"raise", None}, default="raise"
        Raise the first unexpected failure, or only record it.

    Returns
    -------
    results : list of dict
        One dict per check with keys ``"check_name"``, ``"status"`` (``"passed"``,
        ``"failed"``, ``"xfail"`` or ``"xpass"``), ``"exception"`` and
        ``"expected_to_fail_reason"``.

    Examples
    --------
    >>> from skgalaxy.preprocessing import Coarsen
    >>> from skgalaxy.utils.estimator_checks import check_image_estimator
    >>> results = check_image_estimator(Coarsen(factor=2))
    >>> sorted({r["status"] for r in results})
    ['passed']
    """
    if on_fail not in ("raise", None):
        raise ValueError(f"on_fail must be 'raise' or None, got {on_fail!r}.")
    expected = _expected_failures(expected_failed_checks, estimator)
    name = type(estimator).__name__
    results = []
    for check in _yield_image_checks(estimator):
        check_name = check.__name__
        reason = expected.get(check_name)
        status, error = "passed", None
        try:
            check(name, estimator)
        except Exception as exc:
            if reason is None and on_fail == "raise":
                raise
            status, error = ("xfail" if reason else "failed"), exc
        else:
            if reason is not None:
                status = "xpass"
        results.append(
            {
                "estimator": estimator,
                "check_name": check_name,
                "status": status,
                "exception": error,
                "expected_to_fail_reason": reason,
            }
        )
    return results


def _estimator_id(obj):
    if isinstance(obj, partial):
        return obj.func.__name__
    if hasattr(obj, "get_params"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            text = re.sub(r"\s", "", repr(obj))
        name = type(obj).__name__
        return text if text.startswith(name + "(") else name
    return None


def parametrize_with_image_checks(estimators, *, expected_failed_checks=None):
    """Make a pytest ``parametrize`` decorator with every check for every estimator.

    Parameters
    ----------
    estimators : list of estimator instances
        Estimators taking images.
    expected_failed_checks : callable, dict or None, default=None
        ``estimator -> {check name: reason}``, or one such dict for all
        estimators. Those cases are marked ``xfail`` with the reason.

    Returns
    -------
    decorator : pytest.mark.parametrize
        Parametrizes ``estimator, check``; the test calls ``check(estimator)``.

    Examples
    --------
    >>> from skgalaxy.preprocessing import Coarsen, Flatten
    >>> from skgalaxy.utils.estimator_checks import parametrize_with_image_checks
    >>> @parametrize_with_image_checks([Coarsen(factor=2), Flatten()])
    ... def test_image_estimators(estimator, check):
    ...     check(estimator)
    """
    import pytest

    params = []
    for estimator in estimators:
        expected = _expected_failures(expected_failed_checks, estimator)
        name = type(estimator).__name__
        for check in _yield_image_checks(estimator):
            marks = []
            if check.__name__ in expected:
                marks.append(pytest.mark.xfail(reason=expected[check.__name__]))
            params.append(pytest.param(estimator, partial(check, name), marks=marks))
    return pytest.mark.parametrize("estimator, check", params, ids=_estimator_id)
