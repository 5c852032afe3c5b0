"""Resize: images to a fixed size, with anti-aliasing, as one batched operation."""

import functools
from numbers import Integral

import numpy as np
from scipy import sparse
from sklearn.utils._param_validation import Interval

from ..utils._chunks import chunk_length
from ..utils._validation import as_float_images, float_dtype
from ._base import _BaseImageTransformer, _check_size_pair

__all__ = ["Resize"]


def _mirror(index, size):
    """Reflect indices about the edge pixels (scipy.ndimage's "mirror" mode)."""
    if size == 1:
        return np.zeros_like(index)
    period = 2 * (size - 1)
    index = np.abs(index) % period
    return np.where(index > size - 1, period - index, index)


@functools.lru_cache(maxsize=1024)
def _sparse_resize_matrix(n_in, n_out, anti_aliasing, dtype):
    """Build the ``(n_out, n_in)`` CSR matrix of scikit-image's resize along one axis.

    :func:`skimage.transform.resize` (``order=1``, ``mode="reflect"``) is linear
    and separable: a Gaussian filter of sigma ``(n_in / n_out - 1) / 2`` (when
    anti-aliasing a reduction; scipy's kernel, radius ``int(4 sigma + 0.5)``,
    mirrored at the edges), then linear interpolation at input coordinates
    ``(j + 0.5) n_in / n_out - 0.5`` (scipy's ``zoom`` with ``grid_mode=True``).
    Built directly, row by row, in O(n_out x taps) rather than by resizing an
    identity matrix; the tests check both agree to 1e-15. The matrix is banded
    (a few taps per row), so sparse products are cheap.
    """
    factor = n_in / n_out
    coords = np.abs((np.arange(n_out) + 0.5) * factor - 0.5)
    coords = np.minimum(coords, 2 * (n_in - 1) - coords) if n_in > 1 else 0 * coords
    left = np.floor(coords).astype(np.intp)
    frac = coords - left
    right = np.minimum(left + 1, n_in - 1)
    sigma = max(0.0, (factor - 1) / 2) if anti_aliasing else 0.0
    if sigma > 0:
        radius = int(4.0 * sigma + 0.5)
        taps = np.arange(-radius, radius + 1)
        weights = np.exp(-0.5 / sigma**2 * taps.astype(np.float64) ** 2)
        weights /= weights.sum()
    else:
        taps, weights = np.zeros(1, dtype=np.intp), np.ones(1)
    columns = np.concatenate(
        [_mirror(left[:, None] + taps, n_in), _mirror(right[:, None] + taps, n_in)],
        axis=1,
    )
    data = np.concatenate(
        [(1 - frac)[:, None] * weights, frac[:, None] * weights], axis=1
    )
    indptr = np.arange(0, data.size + 1, data.shape[1])
    matrix = sparse.csr_array(
        (data.ravel(), columns.ravel(), indptr), shape=(n_out, n_in)
    )
    matrix.sum_duplicates()  # mirrored taps that land on one pixel
    return matrix.astype(dtype)


def _resize_one(image, output_size, anti_aliasing=True):
    """Resize one float image ``(h, w[, c])``; for per-image work (ROICrop).

    Two sparse products with the banded resize matrices: about 10x faster than
    the dense products for one large image.
    """
    height, width = image.shape[:2]
    out_h, out_w = output_size
    rest = image.shape[2:]
    n_channels = int(np.prod(rest, dtype=int))
    dtype = image.dtype.str
    rows = _sparse_resize_matrix(height, out_h, bool(anti_aliasing), dtype)
    cols = _sparse_resize_matrix(width, out_w, bool(anti_aliasing), dtype)
    tall = rows @ image.reshape(height, width * n_channels)
    # Put the width axis first for the second product, then back.
    tall = tall.reshape(out_h, width, n_channels).transpose(1, 0, 2)
    wide = cols @ tall.reshape(width, out_h * n_channels)
    return wide.reshape(out_w, out_h, *rest).swapaxes(0, 1)


def _resize_images(X, output_size, anti_aliasing=True):
    """Resize a validated stack to ``output_size = (height, width)``.

    Equal to ``skimage.transform.resize(image, output_size, anti_aliasing=...)``
    on each image (to float32 rounding), computed per chunk of images as two
    sparse products with the banded resize matrices (single-threaded: no BLAS
    threads to oversubscribe a busy machine). Integer images are converted per
    chunk (dtype rule).
    """
    n, height, width = X.shape[:3]
    out_h, out_w = output_size
    rest = X.shape[3:]
    if (out_h, out_w) == (height, width):
        Xf = as_float_images(X)
        return Xf.copy() if Xf is X else Xf

    out_dtype = float_dtype(X.dtype)
    rows = _sparse_resize_matrix(height, out_h, bool(anti_aliasing), out_dtype.str)
    cols = _sparse_resize_matrix(width, out_w, bool(anti_aliasing), out_dtype.str)
    out = np.empty((n, out_h, out_w, *rest), dtype=out_dtype)
    out_view = out.reshape(n, out_h, out_w, -1)
    step = chunk_length(X, out_dtype)
    for start in range(0, n, step):
        chunk = as_float_images(X[start : start + step]).astype(out_dtype, copy=False)
        m = len(chunk)
        # Resize the height axis with it in front: (height, m * width * channels).
        tall = rows @ chunk.reshape(m, height, width, -1).transpose(1, 0, 2, 3).reshape(
            height, -1
        )
        # Then the width axis: (width, m * out_h * channels).
        tall = (
            tall.reshape(out_h, m, width, -1).transpose(2, 1, 0, 3).reshape(width, -1)
        )
        wide = cols @ tall
        out_view[start : start + m] = wide.reshape(out_w, m, out_h, -1).transpose(
            1, 2, 0, 3
        )
    return out


class Resize(_BaseImageTransformer):
    """Resize images to a fixed size, with anti-aliasing.

    The result equals :func:`skimage.transform.resize` with linear interpolation
    and ``mode="reflect"`` applied to each image, but the whole stack is resized
    at once: the operation is linear and separable, so it runs as two (sparse,
    banded) matrix products per chunk of images instead of a Python loop.

    Parameters
    ----------
    output_size : int or tuple of (int, int), default=64
        Output ``(height, width)``; an int gives square images.
    anti_aliasing : bool, default=True
        Smooth with a Gaussian of sigma ``(factor - 1) / 2`` before downsampling
        (scikit-image's rule), so fine structure does not alias.

    Attributes
    ----------
    image_shape_ : tuple of int
        Shape ``(height, width[, n_channels])`` of the images seen in ``fit``.

    See Also
    --------
    Coarsen : Block averaging by an integer factor.
    CenterCrop : Crop the centre, optionally resizing it.
    skimage.transform.resize : The per-image function.

    Notes
    -----
    Channels are resized separately, so any number of channels works. Integer
    images (uint8 ...) become float32 in [0, 1]; float32 and float64 images keep
    their dtype and scale. The output has shape
    ``(n_samples, *output_size[, n_channels])``.
    Float images too large to sum (``finite_sums`` in
    :func:`~skgalaxy.utils.check_images`) raise a ValueError, so a finite
    input never gives an infinite output.

    Examples
    --------
    >>> import numpy as np
    >>> from skgalaxy.preprocessing import Resize
    >>> X = np.zeros((5, 424, 424, 3), dtype=np.uint8)
    >>> Xt = Resize(output_size=(60, 80)).fit_transform(X)
    >>> Xt.shape, Xt.dtype
    ((5, 60, 80, 3), dtype('float32'))
    >>> Resize(output_size=2, anti_aliasing=False).fit_transform(
    ...     np.array([[[0.0, 1.0, 2.0, 3.0]] * 4])
    ... )
    array([[[0.5, 2.5],
            [0.5, 2.5]]])
    """

    _parameter_constraints = {
        "output_size": [Interval(Integral, 1, None, closed="left"), tuple, list],
        "anti_aliasing": ["boolean"],
    }

    def __init__(self, output_size=64, anti_aliasing=True):
        self.output_size = output_size
        self.anti_aliasing = anti_aliasing

    def _check_params(self, X):
        _check_size_pair(self.output_size, "output_size")

    def _transform(self, X):
        size = _check_size_pair(self.output_size, "output_size")
        return _resize_images(X, size, self.anti_aliasing)
