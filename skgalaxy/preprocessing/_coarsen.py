"""Coarsen: block averaging by an integer factor."""

from numbers import Integral

import numpy as np
from sklearn.utils._param_validation import Interval

from ..utils._chunks import chunk_length
from ..utils._validation import as_float_images, float_dtype
from ._base import _BaseImageTransformer

__all__ = ["Coarsen"]


def _accumulator(dtype, n_terms):
    """Integer dtype that sums ``n_terms`` values of ``dtype`` exactly, or None."""
    if dtype.kind == "b":
        top = 1
    elif dtype.kind == "u" and dtype.itemsize <= 2:
        top = np.iinfo(dtype).max
    else:
        return None, None
    for acc in (np.uint16, np.uint32):
        if n_terms * top <= np.iinfo(acc).max:
            return np.dtype(acc), top
    return None, None


def _block_mean(X, factor):
    """Mean over ``factor`` blocks of a validated stack, with trimming.

    ``factor`` is an int or a pair ``(rows, columns)``. The remainder of each
    spatial axis is trimmed evenly from both sides (the odd pixel from the
    bottom/right). Small unsigned integer images are summed exactly in an integer
    accumulator and divided once, with the 1/255 of the dtype rule folded into
    the divisor, so no float copy of the stack is made.
    """
    fh, fw = (factor, factor) if np.ndim(factor) == 0 else factor
    fh, fw = int(fh), int(fw)
    n, height, width = X.shape[:3]
    out_h, out_w = height // fh, width // fw
    top, left = (height - out_h * fh) // 2, (width - out_w * fw) // 2
    X = X[:, top : top + out_h * fh, left : left + out_w * fw]
    rest = X.shape[3:]

    acc, top_value = _accumulator(X.dtype, fh * fw)
    if acc is None:
        X = as_float_images(X)
        acc, divisor = X.dtype, fh * fw
    else:
        divisor = fh * fw * top_value
    out_dtype = float_dtype(X.dtype)
    divisor = out_dtype.type(divisor)

    out = np.empty((n, out_h, out_w, *rest), dtype=out_dtype)
    step = chunk_length(X)
    for start in range(0, n, step):
        chunk = X[start : start + step]
        m = len(chunk)
        # Sum the rows of each block, then its columns: additions of strided
        # views, each a fast vectorised pass over the chunk.
        rows = chunk.reshape(m, out_h, fh, out_w * fw, *rest)
        summed = rows[:, :, 0].astype(acc)
        for i in range(1, fh):
            summed += rows[:, :, i]
        cols = summed.reshape(m, out_h, out_w, fw, *rest)
        block = cols[:, :, :, 0].copy()
        for j in range(1, fw):
            block += cols[:, :, :, j]
        np.divide(block, divisor, out=out[start : start + m], casting="unsafe")
    return out


class Coarsen(_BaseImageTransformer):
    """Average images over square blocks of ``factor x factor`` pixels.

    The resolution drops by ``factor`` on each spatial axis, as the NumPy tutorial
    coarsens Galaxy10's 256x256 images to 64x64 (``factor=4``). Channels are averaged
    separately, so any number of channels works.

    Parameters
    ----------
    factor : int, default=4
        Side of the square blocks. When a side is not a multiple of ``factor``,
        the remainder is trimmed evenly from both sides (the odd pixel from the
        bottom or right), so the galaxy stays centred: 70x70 images with
        ``factor=4`` lose 1 pixel on each side and become 17x17.

    Attributes
    ----------
    image_shape_ : tuple of int
        Shape ``(height, width[, n_channels])`` of the images seen in ``fit``.

    See Also
    --------
    Resize : Resize to any size with anti-aliasing.
    skimage.measure.block_reduce : The per-image function this matches (with
        ``func=np.mean``), after the same trimming.

    Notes
    -----
    Integer images (uint8 ...) become float32 in [0, 1]; float32 and float64
    images keep their dtype and scale. The output has shape
    ``(n_samples, height // factor, width // factor[, n_channels])``.

    The whole stack is averaged with array operations (no loop over images); a
    uint8 stack is summed exactly in integers and divided once.
    Float images too large to sum (``finite_sums`` in
    :func:`~skgalaxy.utils.check_images`) raise a ValueError, so a finite
    input never gives an infinite output.

    Examples
    --------
    >>> import numpy as np
    >>> from skgalaxy.preprocessing import Coarsen
    >>> X = np.arange(16, dtype=np.float64).reshape(1, 4, 4)
    >>> Coarsen(factor=2).fit_transform(X)[0]
    array([[ 2.5,  4.5],
           [10.5, 12.5]])
    >>> X = np.zeros((10, 256, 256, 3), dtype=np.uint8)
    >>> Xt = Coarsen(factor=4).fit_transform(X)
    >>> Xt.shape, Xt.dtype
    ((10, 64, 64, 3), dtype('float32'))
    """

    _parameter_constraints = {"factor": [Interval(Integral, 1, None, closed="left")]}

    def __init__(self, factor=4):
        self.factor = factor

    def _check_params(self, X):
        height, width = X.shape[1:3]
        if self.factor > min(height, width):
            raise ValueError(
                f"factor={self.factor} is larger than the images ({height}x{width} "
                f"pixels): each side must hold at least one {self.factor}x"
                f"{self.factor} block. Use a factor of at most {min(height, width)}."
            )

    def _transform(self, X):
        return _block_mean(X, self.factor)
