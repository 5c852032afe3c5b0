"""Flatten: images to 2-D feature arrays for any scikit-learn estimator."""

import numpy as np
from sklearn.utils.validation import check_is_fitted

from ..utils._validation import as_float_images
from ._base import _BaseImageTransformer

__all__ = ["Flatten"]


class Flatten(_BaseImageTransformer):
    """Flatten images to rows of pixel features.

    ``(n_samples, height, width[, n_channels])`` becomes
    ``(n_samples, height * width * n_channels)`` in C order (the channels of a
    pixel are adjacent), so any scikit-learn estimator can follow in a
    :class:`~sklearn.pipeline.Pipeline`.

    Attributes
    ----------
    image_shape_ : tuple of int
        Shape ``(height, width[, n_channels])`` of the images seen in ``fit``.

    See Also
    --------
    Coarsen : Reduce the number of pixels before flattening.

    Notes
    -----
    Integer images (uint8 ...) become float32 in [0, 1]; float32 and float64
    images keep their dtype and scale, and the result is then a reshaped view of
    the input when NumPy can make one (no copy, as :func:`numpy.reshape`).
    :meth:`inverse_transform` restores the image shape.

    Examples
    --------
    >>> import numpy as np
    >>> from skgalaxy.preprocessing import Flatten
    >>> X = np.full((2, 3, 3, 3), 255, dtype=np.uint8)
    >>> flatten = Flatten().fit(X)
    >>> Xt = flatten.transform(X)
    >>> Xt.shape, Xt.dtype, float(Xt.max())
    ((2, 27), dtype('float32'), 1.0)
    >>> flatten.get_feature_names_out()[:4]
    array(['pixel_0_0_0', 'pixel_0_0_1', 'pixel_0_0_2', 'pixel_0_1_0'],
          dtype=object)
    >>> flatten.inverse_transform(Xt).shape
    (2, 3, 3, 3)
    """

    _parameter_constraints = {}
    _sums_pixels = False  # a reshape: any finite value comes out unchanged

    def __init__(self):
        pass

    def _transform(self, X):
        return as_float_images(X).reshape(len(X), -1)

    def inverse_transform(self, X):
        """Reshape rows of pixel features back to images.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Rows as returned by :meth:`transform`.

        Returns
        -------
        images : ndarray of shape (n_samples, height, width[, n_channels])
            The images, in the shape seen in ``fit``.
        """
        check_is_fitted(self)
        X = np.asarray(X)
        n_features = int(np.prod(self.image_shape_))
        if X.ndim != 2 or X.shape[1] != n_features:
            raise ValueError(
                f"X has shape {X.shape}; Flatten was fitted on images of shape "
                f"{self.image_shape_}, so it expects (n_samples, {n_features})."
            )
        return X.reshape(len(X), *self.image_shape_)

    def get_feature_names_out(self, input_features=None):
        """Get the names of the pixel features: ``pixel_<row>_<col>[_<channel>]``.

        Parameters
        ----------
        input_features : None
            Ignored; images have no input feature names.

        Returns
        -------
        feature_names_out : ndarray of str objects
            One name per output column, in the order of :meth:`transform`.
        """
        check_is_fitted(self)
        grids = np.indices(self.image_shape_).reshape(len(self.image_shape_), -1)
        names = np.full(grids.shape[1], "pixel", dtype=object)
        for grid in grids:
            names = names + "_" + grid.astype(str).astype(object)
        return names
