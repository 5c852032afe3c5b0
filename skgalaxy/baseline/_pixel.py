"""Pixel baselines of the Galaxy Zoo challenge (Hildebrandt's and Kaggle's)."""

import math
from numbers import Integral

import numpy as np
from skimage.util import img_as_float64
from sklearn.base import BaseEstimator, RegressorMixin, _fit_context, clone
from sklearn.linear_model import LinearRegression
from sklearn.utils import check_array, check_consistent_length
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions
from sklearn.utils.validation import (
    _check_sample_weight,
    check_is_fitted,
    has_fit_parameter,
)

from ..utils import check_image_shape, check_images

__all__ = ["PixelBaselineRegressor"]

_STRATEGIES = ("mean", "central_pixel", "average_pixel", "central_patch_cluster")


def _to_image_scale(values, dtype):
    """Map features computed on raw pixels to the scale ``check_images`` gives.

    Integer images become [0, 1] floats through an affine map (scikit-image's), so
    a mean or a pixel taken before the map equals one taken after it. Working on
    the raw pixels keeps a uint8 stack uint8 in memory: a baseline reads a few
    pixels, it need not convert millions.
    """
    if dtype.kind not in "biu":
        return values
    lo, hi = img_as_float64(np.array([0, 1], dtype=dtype))
    return lo + values * (hi - lo)


def _check_targets(y, estimator):
    if y is None:
        # check_array's own message for None is about scalar arrays
        raise ValueError(
            f"{type(estimator).__name__} requires y to be passed, but the target y "
            "is None: pass the targets, e.g. the 37 vote fractions."
        )
    # check_array's quick finiteness test sums y, which overflows for huge
    # values (a warning); its exact test then names the problem
    with np.errstate(over="ignore", invalid="ignore"):
        return check_array(
            y, ensure_2d=False, allow_nd=True, dtype="numeric", input_name="y"
        )


def _check_fitted_finite(estimator, features):
    """Refuse a linear model whose coefficients overflowed (features near 0)."""
    for name in ("coef_", "intercept_"):
        value = getattr(estimator, name, None)
        if value is not None and not np.all(np.isfinite(value)):
            span = float(np.max(np.ptp(features, axis=0))) if len(features) else 0.0
            raise ValueError(
                f"{type(estimator).__name__} fitted non-finite {name}: the colour "
                f"features span only {span:.3g}, too small a scale for a linear "
                "fit in float64. Scale the images, for example divide them by "
                "their maximum."
            )


class PixelBaselineRegressor(RegressorMixin, BaseEstimator):
    """Baselines that predict vote fractions from a galaxy's colour.

    The benchmarks that Hildebrandt's report measures every model against on the
    Galaxy Zoo 2 vote fractions [2]_, as one estimator whose ``strategy`` a
    ``GridSearchCV`` can search:

    - ``"mean"``: the training mean of each target, whatever the image
      (Hildebrandt's "average confidence", RMSE 0.1639 on the Kaggle data);
    - ``"central_pixel"``: ``estimator`` (a linear regression by default) on the
      colour of the central pixel, ``X[:, h // 2, w // 2]`` (the report: 0.1577);
    - ``"average_pixel"``: ``estimator`` on the mean colour of the whole image
      (the report: 0.1597);
    - ``"central_patch_cluster"``: Kaggle's "central pixel benchmark" [1]_ (0.16194):
      training galaxies are grouped by the quantised colour of their central
      ``patch_size x patch_size`` patch, and a galaxy is predicted the mean
      targets of its group, or the global mean when its group was never seen.

    Parameters
    ----------
    strategy : {"mean", "central_pixel", "average_pixel", \
"central_patch_cluster"}, default="central_pixel"
        Which baseline to fit; ``"central_pixel"`` is the best of Hildebrandt's.
    estimator : regressor or None, default=None
        Regressor fitted on the colour features (one per channel) by the
        ``"central_pixel"`` and ``"average_pixel"`` strategies; None means
        :class:`~sklearn.linear_model.LinearRegression`, as in Hildebrandt's
        report. It is cloned at fit, and ignored by the other strategies (so a
        grid over ``strategy`` can keep one ``estimator``).
    patch_size : int, default=10
        Side in pixels of the central patch whose mean colour groups galaxies in
        ``"central_patch_cluster"``. The patch starts at ``(h - patch_size) // 2``
        on each axis. Images smaller than the patch raise an error.
    n_levels : int, default=16
        Number of quantisation levels per channel in
        ``"central_patch_cluster"``: each channel's range of patch colours seen in
        fit is cut into ``n_levels`` equal bins (values outside it go to the end
        bins), so there are at most ``n_levels ** n_channels`` groups; as the
        channels of a galaxy's colour are correlated, far fewer are occupied
        (about 180 for 4,000 synthetic galaxies). More levels give finer but
        smaller, noisier groups.
    clip : bool, default=False
        If True, clip predictions to the range of each target seen in fit (for
        vote fractions, inside [0, 1]), which can only lower the error of a
        linear ``estimator`` that overshoots. False reproduces the report, whose
        linear regressions were not clipped; the other strategies predict means
        of training targets and never leave that range.

    Attributes
    ----------
    image_shape_ : tuple of int
        Shape of one training image, ``(height, width)`` or
        ``(height, width, n_channels)``.
    n_outputs_ : int
        Number of targets (37 for Galaxy Zoo votes; 1 for a 1-D ``y``).
    constant_ : ndarray of shape (n_outputs,)
        The (weighted) training mean of each target: the ``"mean"`` prediction
        and the fallback for unseen groups.
    target_min_, target_max_ : ndarray of shape (n_outputs,)
        Smallest and largest training value of each target (used by ``clip``).
    estimator_ : regressor
        The fitted regressor (``"central_pixel"`` and ``"average_pixel"`` only).
    colour_min_, colour_max_ : ndarray of shape (n_channels,)
        Range of the training patch colours that the quantisation bins divide
        (``"central_patch_cluster"`` only).
    group_keys_ : ndarray of shape (n_groups,)
        Sorted code of each group seen in fit: the channels' bin indices
        ``b_c`` combined as ``sum(b_c * n_levels ** c)``
        (``"central_patch_cluster"`` only).
    group_means_ : ndarray of shape (n_groups, n_outputs)
        Mean targets of each group (``"central_patch_cluster"`` only).
    group_counts_ : ndarray of shape (n_groups,)
        Number of training galaxies in each group (``"central_patch_cluster"``
        only).

    See Also
    --------
    sklearn.dummy.DummyRegressor : The ``"mean"`` strategy for 2-D features.
    skgalaxy.metrics.kaggle_rmse : The score the report compares the baselines by.

    Notes
    -----
    Images follow skgalaxy's dtype rule: integer images count in [0, 1] (uint8
    divided by 255), float images keep their scale. Only the pixels a strategy
    needs are converted, so a uint8 stack is never copied to float. Features
    and predictions are float64. Float images whose pixel sums would overflow
    (``finite_sums`` in :func:`~skgalaxy.utils.check_images`) and targets whose
    squares would overflow (beyond ``sqrt(finfo.max / n_samples) / 4``, about
    3e152 for 100 samples) raise a ValueError, and so does a regressor's NaN
    or infinite prediction: predictions are always finite.

    A 1-D ``y`` gives 1-D predictions and a 2-D ``y`` 2-D ones, as in
    :class:`~sklearn.linear_model.LinearRegression`. ``score`` is the
    coefficient of determination :math:`R^2` averaged over targets
    (:class:`~sklearn.base.RegressorMixin`); use
    ``skgalaxy.metrics.neg_kaggle_rmse_scorer`` for the challenge's score.

    References
    ----------
    .. [1] Kaggle, "Galaxy Zoo - The Galaxy Challenge" (2014), the
       ``central_pixel_benchmark`` submission.
    .. [2] K. W. Willett et al., "Galaxy Zoo 2", MNRAS 435, 2835 (2013).

    Examples
    --------
    >>> from skgalaxy.baseline import PixelBaselineRegressor
    >>> from skgalaxy.datasets import make_galaxies
    >>> from skgalaxy.metrics import kaggle_rmse
    >>> X, _, votes = make_galaxies(400, image_size=32, return_votes=True,
    ...                             random_state=0)
    >>> reg = PixelBaselineRegressor("average_pixel").fit(X[:300], votes[:300])
    >>> reg.predict(X[300:]).shape
    (100, 37)
    >>> mean = PixelBaselineRegressor("mean").fit(X[:300], votes[:300])
    >>> bool(kaggle_rmse(votes[300:], reg.predict(X[300:]))
    ...      < kaggle_rmse(votes[300:], mean.predict(X[300:])))
    True
    """

    _parameter_constraints: dict = {
        "strategy": [StrOptions(set(_STRATEGIES))],
        "estimator": [HasMethods(["fit", "predict"]), None],
        "patch_size": [Interval(Integral, 1, None, closed="left")],
        "n_levels": [Interval(Integral, 1, None, closed="left")],
        "clip": ["boolean"],
    }

    def __init__(
        self,
        strategy="central_pixel",
        *,
        estimator=None,
        patch_size=10,
        n_levels=16,
        clip=False,
    ):
        self.strategy = strategy
        self.estimator = estimator
        self.patch_size = patch_size
        self.n_levels = n_levels
        self.clip = clip

    # -- features -------------------------------------------------------------

    def _check_X(self, X, *, reset):
        # the features are means of pixels: refuse values whose sums overflow
        X = check_images(X, convert=False, finite_sums=True, estimator=self)
        p = self.patch_size
        if self.strategy == "central_patch_cluster" and min(X.shape[1:3]) < p:
            raise ValueError(
                f"X has images of {X.shape[1]}x{X.shape[2]} pixels, smaller than the "
                "central patch of strategy='central_patch_cluster' "
                f"(patch_size={p} needs at least {p}x{p}); lower patch_size or "
                "use larger images."
            )
        check_image_shape(self, X, reset=reset)
        return X

    def _features(self, X):
        """Colour features of validated raw images: float64 (n_samples, n_channels)."""
        if X.ndim == 3:
            X = X[..., None]
        _, h, w, _ = X.shape
        if self.strategy == "central_pixel":
            # Hildebrandt's pixel: int(h / 2), the lower-right one of the middle four
            # when the size is even.
            features = X[:, h // 2, w // 2, :].astype(np.float64)
        elif self.strategy == "average_pixel":
            features = X.mean(axis=(1, 2), dtype=np.float64)
        else:
            p = self.patch_size
            r0, c0 = (h - p) // 2, (w - p) // 2
            patch = X[:, r0 : r0 + p, c0 : c0 + p, :]
            features = patch.mean(axis=(1, 2), dtype=np.float64)
        return _to_image_scale(features, X.dtype)

    def _group_keys(self, colours):
        span = self.colour_max_ - self.colour_min_
        # A channel constant in training cannot split groups: all its codes are 0.
        scale = np.divide(self.n_levels, span, out=np.zeros_like(span), where=span > 0)
        codes = np.floor((colours - self.colour_min_) * scale)
        codes = np.clip(codes, 0, self.n_levels - 1).astype(np.int64)
        place = self.n_levels ** np.arange(colours.shape[1], dtype=np.int64)
        return codes @ place

    # -- fit / predict --------------------------------------------------------

    @_fit_context(
        # The nested estimator's parameters are validated when it is fitted.
        prefer_skip_nested_validation=False
    )
    def fit(self, X, y, sample_weight=None):
        """Fit the baseline.

        Parameters
        ----------
        X : array-like of shape (n_samples, height, width[, n_channels])
            Training images, uint8 or float.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Targets, e.g. the 37 Galaxy Zoo vote fractions.
        sample_weight : array-like of shape (n_samples,), default=None
            Weight of each galaxy in the means and, when it accepts them, in
            ``estimator``'s fit.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        X = self._check_X(X, reset=True)
        y = _check_targets(y, self)
        if y.ndim > 2:
            raise ValueError(
                f"y has shape {y.shape}; expected (n_samples,) or "
                "(n_samples, n_outputs) targets."
            )
        check_consistent_length(X, y)
        n_samples = X.shape[0]
        Y = y.reshape(n_samples, -1).astype(np.float64)
        peak = float(np.max(np.abs(Y))) if Y.size else 0.0
        # the strategies average the targets, and least squares sums the squares
        # of residuals up to twice their size: both must stay finite
        limit = math.sqrt(np.finfo(np.float64).max / n_samples) / 4
        if peak > limit:
            raise ValueError(
                f"y has values up to {peak:.3g} in magnitude, too large to fit "
                f"over {n_samples} samples in float64 (the limit is {limit:.3g}); "
                "scale the targets, e.g. to vote fractions in [0, 1]."
            )
        if sample_weight is not None:
            sample_weight = _check_sample_weight(
                sample_weight, Y, ensure_non_negative=True
            )
        self._y_ndim = y.ndim
        self.n_outputs_ = Y.shape[1]
        self.constant_ = np.average(Y, axis=0, weights=sample_weight)
        self.target_min_, self.target_max_ = Y.min(axis=0), Y.max(axis=0)

        if self.strategy in ("central_pixel", "average_pixel"):
            estimator = (
                LinearRegression() if self.estimator is None else clone(self.estimator)
            )
            fit_params = {}
            if sample_weight is not None:
                if not has_fit_parameter(estimator, "sample_weight"):
                    raise ValueError(
                        f"sample_weight was given but {type(estimator).__name__} "
                        "does not accept sample_weight in fit; choose another "
                        "estimator or drop the weights."
                    )
                fit_params["sample_weight"] = sample_weight
            features = self._features(X)
            # coefficients that overflow are reported below, with their cause
            with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
                self.estimator_ = estimator.fit(features, y, **fit_params)
            _check_fitted_finite(self.estimator_, features)
        elif self.strategy == "central_patch_cluster":
            self._fit_groups(self._features(X), Y, sample_weight)
        return self

    def _fit_groups(self, colours, Y, sample_weight):
        n_channels = colours.shape[1]
        if n_channels * math.log2(max(self.n_levels, 2)) > 62:
            raise ValueError(
                f"n_levels={self.n_levels} with {n_channels} channels makes "
                f"{self.n_levels}**{n_channels} possible groups, more than a 64-bit "
                "group code holds; lower n_levels or reduce the channels."
            )
        self.colour_min_ = colours.min(axis=0)
        self.colour_max_ = colours.max(axis=0)
        keys = self._group_keys(colours)
        uniq, inverse, counts = np.unique(keys, return_inverse=True, return_counts=True)
        w = np.ones(len(keys)) if sample_weight is None else sample_weight
        sums = np.zeros((len(uniq), Y.shape[1]))
        np.add.at(sums, inverse, Y * w[:, None])
        totals = np.bincount(inverse, weights=w, minlength=len(uniq))
        # A group whose galaxies all weigh 0 carries no information: drop it.
        kept = totals > 0
        self.group_keys_ = uniq[kept]
        self.group_means_ = sums[kept] / totals[kept, None]
        self.group_counts_ = counts[kept]

    def predict(self, X):
        """Predict the targets of images.

        Parameters
        ----------
        X : array-like of shape (n_samples, height, width[, n_channels])
            Images of the shape seen in fit.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,) or (n_samples, n_outputs)
            Predictions, 1-D when ``y`` was 1-D in fit.
        """
        check_is_fitted(self)
        X = self._check_X(X, reset=False)
        n_samples = X.shape[0]
        if self.strategy == "mean":
            pred = np.tile(self.constant_, (n_samples, 1))
        elif self.strategy == "central_patch_cluster":
            keys = self._group_keys(self._features(X))
            idx = np.searchsorted(self.group_keys_, keys)
            idx = np.minimum(idx, len(self.group_keys_) - 1)
            seen = self.group_keys_[idx] == keys
            pred = np.where(seen[:, None], self.group_means_[idx], self.constant_)
        else:
            # a non-finite prediction is reported below, with its cause
            with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
                pred = np.asarray(self.estimator_.predict(self._features(X)))
            pred = pred.reshape(n_samples, -1).astype(np.float64, copy=False)
            # means of finite targets are finite; a regressor's output need not be
            if not np.all(np.isfinite(pred)):
                bad = int(np.sum(~np.isfinite(pred).all(axis=1)))
                raise ValueError(
                    f"{type(self.estimator_).__name__} predicted NaN or infinity "
                    f"for {bad} of {n_samples} images; the images' colours may "
                    "lie far outside those seen in fit, or the estimator is "
                    "broken."
                )
        if self.clip:
            pred = np.clip(pred, self.target_min_, self.target_max_)
        return pred.ravel() if self._y_ndim == 1 else pred

    def score(self, X, y, sample_weight=None):
        """Coefficient of determination :math:`R^2` of the predictions.

        As :meth:`sklearn.base.RegressorMixin.score` (uniform average over
        targets), after checking that ``y`` has the targets seen in fit.

        Parameters
        ----------
        X : array-like of shape (n_samples, height, width[, n_channels])
            Test images.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            True targets.
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights.

        Returns
        -------
        score : float
            :math:`R^2` of ``self.predict(X)`` against ``y``.
        """
        check_is_fitted(self)
        y = _check_targets(y, self)
        n_outputs = 1 if y.ndim == 1 else int(np.prod(y.shape[1:]))
        if y.ndim > 2 or n_outputs != self.n_outputs_:
            raise ValueError(
                f"y has shape {y.shape}, but {type(self).__name__} was fitted on "
                f"{self.n_outputs_} target(s) per sample; pass the same targets "
                "(e.g. all 37 vote columns, in the Kaggle order)."
            )
        return super().score(X, y, sample_weight=sample_weight)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        tags.input_tags.two_d_array = False
        tags.target_tags.multi_output = True
        return tags
