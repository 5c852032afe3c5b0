"""CenterCrop: the central part of each image."""

from numbers import Integral, Real

import numpy as np
from sklearn.utils._param_validation import Interval

from ..utils._validation import as_float_images
from ._base import _BaseImageTransformer, _check_size_pair
from ._resize import _resize_images

__all__ = ["CenterCrop"]


def _crop_window(size, fraction):
    """Start and length of the central ``fraction`` of an axis of ``size`` pixels."""
    length = int(np.floor(size * fraction + 0.5))  # halves round up
    return (size - length) // 2, length


class CenterCrop(_BaseImageTransformer):
    """Keep the central part of each image, optionally resized.

    Galaxy survey cutouts are centred on their galaxy, so the middle of the
    image holds most of its light (Miller's project keeps the middle half of each axis
    of the 424x424 Galaxy Zoo images).

    Parameters
    ----------
    fraction : float in (0, 1], default=0.5
        Fraction of each spatial axis to keep: the crop is
        ``round(fraction * height) x round(fraction * width)`` pixels (halves
        round up), centred (when the margins are odd, the extra pixel goes to
        the bottom/right margin). ``fraction=1`` keeps the whole image.
    output_size : int or tuple of (int, int) or None, default=None
        If given, the crops are resized to ``(height, width)`` (an int gives
        square images) with anti-aliasing, as :class:`Resize` does.

    Attributes
    ----------
    image_shape_ : tuple of int
        Shape ``(height, width[, n_channels])`` of the images seen in ``fit``.

    See Also
    --------
    ROICrop : Crop around the galaxy that a threshold finds.
    Resize : Resize without cropping.

    Notes
    -----
    Channels are cropped alike, so any number of channels works. Integer images
    (uint8 ...) become float32 in [0, 1] after cropping (pixels that are cut away
    are never converted); float32 and float64 images keep their dtype and scale.
    A fraction that keeps less than one pixel of the fitted images raises a
    ValueError in ``fit``.
    With ``output_size``, float images too large to sum (``finite_sums`` in
    :func:`~skgalaxy.utils.check_images`) raise a ValueError, so a finite
    input never gives an infinite output.

    Examples
    --------
    >>> import numpy as np
    >>> from skgalaxy.preprocessing import CenterCrop
    >>> X = np.arange(16, dtype=np.float64).reshape(1, 4, 4)
    >>> CenterCrop(fraction=0.5).fit_transform(X)[0]
    array([[ 5.,  6.],
           [ 9., 10.]])
    >>> X = np.zeros((4, 424, 424, 3), dtype=np.uint8)
    >>> CenterCrop(output_size=64).fit_transform(X).shape
    (4, 64, 64, 3)
    """

    _parameter_constraints = {
        "fraction": [Interval(Real, 0, 1, closed="right")],
        "output_size": [Interval(Integral, 1, None, closed="left"), tuple, list, None],
    }

    def __init__(self, fraction=0.5, output_size=None):
        self.fraction = fraction
        self.output_size = output_size

    @property
    def _sums_pixels(self):
        # only the resize sums pixels; a plain crop passes any finite value on
        return self.output_size is not None

    def _check_params(self, X):
        height, width = X.shape[1:3]
        crop_h = _crop_window(height, self.fraction)[1]
        crop_w = _crop_window(width, self.fraction)[1]
        if crop_h < 1 or crop_w < 1:
            raise ValueError(
                f"fraction={self.fraction} keeps {crop_h}x{crop_w} pixels of "
                f"{height}x{width} images; the crop must keep at least 1 pixel a "
                f"side. Use a fraction of at least {1 / (2 * min(height, width)):.3g}."
            )
        if self.output_size is not None:
            _check_size_pair(self.output_size, "output_size")

    def _transform(self, X):
        height, width = X.shape[1:3]
        top, crop_h = _crop_window(height, self.fraction)
        left, crop_w = _crop_window(width, self.fraction)
        crop = X[:, top : top + crop_h, left : left + crop_w]
        if self.output_size is None:
            crop = as_float_images(crop)
            # A float crop is a view of X: copy it, so the output never aliases X.
            return crop.copy() if np.may_share_memory(crop, X) else crop
        size = _check_size_pair(self.output_size, "output_size")
        return _resize_images(crop, size)
