"""Resize: images to a fixed size, with anti-aliasing, as one batched operation."""

import functools
from numbers import Integral

import numpy as np
from scipy import sparse
from skimage.transform import resize
from sklearn.utils._param_validation import Interval

from ._base import (
    _as_float,
    _BaseImageTransformer,
    _check_size_pair,
    _chunk_size,
    _float_dtype,
)

__all__ = ["Resize"]


def _resize_matrix(n_in, n_out, anti_aliasing, dtype):
    """The ``(n_out, n_in)`` matrix of scikit-image's resize along one axis.

    ``skimage.transform.resize`` (linear interpolation, ``mode="reflect"``, with a
    Gaussian anti-aliasing filter of sigma ``(factor - 1) / 2``) is linear and
    separable, so along one axis it is a matrix; resizing the identity along
    that axis (and not the other) gives the matrix exactly.
    """
    matrix = resize(
        np.eye(n_in),
        (n_out, n_in),
        order=1,
        mode="reflect",
        anti_aliasing=anti_aliasing,
        preserve_range=True,
    ).astype(dtype)
    matrix.flags.writeable = False
    return matrix


@functools.lru_cache(maxsize=1024)
def _sparse_resize_matrix(n_in, n_out, anti_aliasing, dtype):
    """:func:`_resize_matrix` as a CSR matrix (it is banded: a few taps a row)."""
    dense = _resize_matrix(n_in, n_out, anti_aliasing, dtype)
    return sparse.csr_array(dense)


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
        Xf = _as_float(X)
        return Xf.copy() if Xf is X else Xf

    out_dtype = _float_dtype(X.dtype)
    rows = _sparse_resize_matrix(height, out_h, bool(anti_aliasing), out_dtype.str)
    cols = _sparse_resize_matrix(width, out_w, bool(anti_aliasing), out_dtype.str)
    out = np.empty((n, out_h, out_w, *rest), dtype=out_dtype)
    out_view = out.reshape(n, out_h, out_w, -1)
    step = _chunk_size(X, out_dtype)
    for start in range(0, n, step):
        chunk = _as_float(X[start : start + step]).astype(out_dtype, copy=False)
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
