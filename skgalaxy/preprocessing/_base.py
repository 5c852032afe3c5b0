"""What every image transformer shares: validation, the dtype rule, tags."""

import numbers

from sklearn.base import BaseEstimator, TransformerMixin, _fit_context
from sklearn.utils.validation import check_is_fitted

from ..utils._validation import check_image_shape, check_images


def _check_size_pair(value, name):
    """Return ``value`` (an int or a pair of ints) as a ``(height, width)`` tuple."""
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        pair = (int(value), int(value))
    else:
        try:
            pair = tuple(value)
        except TypeError:
            pair = ()
        if len(pair) != 2 or not all(
            isinstance(v, numbers.Integral) and not isinstance(v, bool) for v in pair
        ):
            raise ValueError(
                f"{name} must be an int or a pair of ints (height, width); "
                f"got {value!r}."
            )
        pair = tuple(int(v) for v in pair)
    if min(pair) < 1:
        raise ValueError(
            f"{name} must be at least 1 pixel on each side; got {value!r}."
        )
    return pair


class _BaseImageTransformer(TransformerMixin, BaseEstimator):
    """Base class: ``fit`` validates and records ``image_shape_``.

    Subclasses implement ``_transform(X)`` on validated images in their own dtype
    (integer images are converted by the subclass, after any crop, so a crop
    never pays for converting pixels it throws away), and may override
    ``_check_params(X)`` to reject parameters that do not fit the images.
    """

    # Channel counts the transformer takes; None takes any.
    _allowed_channels = None
    # Whether the transform sums or averages pixels: it then refuses float images
    # whose sums would overflow (check_images' finite_sums), so a finite input
    # never gives an infinite output.
    _sums_pixels = True

    def _check_params(self, X):
        """Raise ValueError when the parameters cannot apply to images ``X``."""

    def _validate(self, X, *, reset):
        X = check_images(
            X,
            allowed_channels=self._allowed_channels,
            convert=False,
            finite_sums=self._sums_pixels,
            estimator=self,
        )
        if reset:
            self._check_params(X)
        check_image_shape(self, X, reset=reset)
        return X

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Check the images and parameters, and record the image shape.

        Parameters
        ----------
        X : array-like of shape (n_samples, height, width[, n_channels])
            Training images, integer (uint8 ...) or float.
        y : None
            Ignored; present for API consistency.

        Returns
        -------
        self : object
            The fitted transformer.
        """
        self._validate(X, reset=True)
        return self

    def transform(self, X):
        """Transform the images.

        Parameters
        ----------
        X : array-like of shape (n_samples, height, width[, n_channels])
            Images of the shape seen in ``fit``. Integer images become float32
            in [0, 1]; float32 and float64 images keep their dtype and scale.

        Returns
        -------
        Xt : ndarray
            The transformed images (see the class description for the shape).
        """
        check_is_fitted(self)
        X = self._validate(X, reset=False)
        return self._transform(X)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        tags.input_tags.two_d_array = False
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        tags.requires_fit = True
        return tags
