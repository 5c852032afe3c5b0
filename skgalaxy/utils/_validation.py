"""Validation of image arrays, shared by every skgalaxy estimator.

Every estimator that takes images calls :func:`check_images` once at its boundary,
so a bad input gets the same clear message wherever it enters the package.
"""

import numbers

import numpy as np
from scipy import sparse
from skimage.util import img_as_float32

from ._chunks import chunk_length

__all__ = [
    "as_float_images",
    "check_image_shape",
    "check_images",
    "check_label_types",
    "describe_shape",
    "float_dtype",
]

_SHAPE_HELP = (
    "Images are (n_samples, height, width) for one channel or "
    "(n_samples, height, width, n_channels); pass a single image as X[None]."
)


def describe_shape(shape):
    """Return an image shape as text, as error messages print it.

    Parameters
    ----------
    shape : tuple of int
        An image shape such as ``(64, 64, 3)``.

    Returns
    -------
    text : str
        The sizes joined by ``x``.

    Examples
    --------
    >>> from skgalaxy.utils import describe_shape
    >>> describe_shape((64, 64, 3))
    '64x64x3'
    """
    return "x".join(str(int(s)) for s in shape)


def _to_array(X, input_name):
    if sparse.issparse(X):
        raise TypeError(
            f"{input_name} is a sparse matrix; images must be a dense array. "
            + _SHAPE_HELP
        )
    if hasattr(X, "__array__") or isinstance(X, np.ndarray):
        return np.asarray(X)
    if isinstance(X, (str, bytes, numbers.Number)) or X is None:
        raise TypeError(
            f"{input_name} must be an array of images, got {type(X).__name__}. "
            + _SHAPE_HELP
        )
    try:
        return np.asarray(X)
    except ValueError as exc:
        # NumPy refuses nested lists whose images differ in size.
        raise ValueError(
            f"{input_name} is ragged: its images do not all have the same shape. "
            "Resize them to one size first (for example with skgalaxy's Resize)."
        ) from exc


def _check_dtype(X, input_name):
    kind = X.dtype.kind
    if kind in "biuf":
        return X
    if kind == "O":
        try:
            return X.astype(np.float64)
        except (TypeError, ValueError) as exc:
            raise TypeError(
                f"{input_name} holds objects that are not numbers; images must "
                "have a numeric dtype (an integer type such as uint8, or float)."
            ) from exc
    raise TypeError(
        f"{input_name} has dtype {X.dtype}; images must have a numeric dtype "
        "(an integer type such as uint8, or float32/float64)."
    )


def _check_finite(X, input_name):
    """Refuse NaN and infinity; return the largest magnitude of float ``X``."""
    if X.dtype.kind != "f":
        return None
    # Two reductions without a temporary array: NaN and inf propagate to min/max.
    lo, hi = np.min(X), np.max(X)
    if np.isfinite(lo) and np.isfinite(hi):
        return max(-float(lo), float(hi))
    if np.isnan(lo) or np.isnan(hi) or np.isnan(X).any():
        raise ValueError(
            f"{input_name} contains NaN; images must be finite. Replace or drop "
            "the bad pixels (for example with np.nan_to_num) before fitting."
        )
    raise ValueError(
        f"{input_name} contains infinity; images must be finite. Replace or drop "
        "the bad pixels (for example with np.nan_to_num) before fitting."
    )


def _check_sums(X, peak, input_name, where):
    """Refuse float images whose pixel sums could overflow the working dtype.

    The bound is half the dtype's largest value shared among the values of one
    image, so any sum or mean over an image (a block, a channel mean, a resize
    tap, a threshold's range) is finite, rounding included.
    """
    n_values = int(np.prod(X.shape[1:], dtype=np.int64))
    work = float_dtype(X.dtype)
    limit = float(np.finfo(work).max) / (2 * n_values)
    if peak > limit:
        raise ValueError(
            f"{input_name} has pixel values up to {peak:.3g} in magnitude, too "
            f"large to sum in {work}{where}: the values of one "
            f"{describe_shape(X.shape[1:])} image must stay below {limit:.3g} "
            "(the largest float divided by twice the values per image). Scale "
            "the images first, for example divide them by their maximum."
        )


def as_float_images(X):
    """Apply skgalaxy's dtype rule: integers become float32 in [0, 1], floats stay.

    Integer and boolean images are scaled as :func:`skimage.util.img_as_float32`
    scales them (uint8 0..255 becomes 0..1); float16 becomes float32; float32 and
    float64 are returned as they are. uint8/uint16 stacks are converted chunk by
    chunk into one output array (``x * (1 / max)`` in float32, exactly as
    scikit-image computes it, but several times faster on a large stack).

    Parameters
    ----------
    X : ndarray
        Validated images (see :func:`check_images`) or any part of them.

    Returns
    -------
    X : ndarray
        Images in float32 or float64; a new array whenever a conversion took place.

    Examples
    --------
    >>> import numpy as np
    >>> from skgalaxy.utils import as_float_images
    >>> as_float_images(np.array([[0, 255]], dtype=np.uint8))
    array([[0., 1.]], dtype=float32)
    """
    if X.dtype.kind == "u" and X.dtype.itemsize <= 2 and X.ndim >= 1:
        scale = 1.0 / np.iinfo(X.dtype).max
        out = np.empty(X.shape, dtype=np.float32)
        step = chunk_length(X)
        for start in range(0, len(X), step):
            np.multiply(
                X[start : start + step],
                scale,
                dtype=np.float32,
                out=out[start : start + step],
            )
        return out
    if X.dtype.kind in "biu":
        return img_as_float32(X)
    if X.dtype == np.float16:
        return X.astype(np.float32)
    return X


def float_dtype(dtype):
    """Return the dtype that :func:`as_float_images` gives input of ``dtype``.

    Parameters
    ----------
    dtype : dtype
        Input dtype.

    Returns
    -------
    dtype : numpy.dtype
        ``float64`` for float64 input, ``float32`` for everything else.

    Examples
    --------
    >>> import numpy as np
    >>> from skgalaxy.utils import float_dtype
    >>> float_dtype(np.uint8), float_dtype(np.float64)
    (dtype('float32'), dtype('float64'))
    """
    return np.dtype(np.float64) if np.dtype(dtype) == np.float64 else np.dtype("f4")


def check_images(
    X,
    *,
    input_name="X",
    allowed_channels=None,
    min_size=None,
    convert=True,
    finite_sums=False,
    estimator=None,
):
    """Validate a stack of images and convert it to floating point.

    Parameters
    ----------
    X : array-like of shape (n_samples, height, width[, n_channels])
        The images. A 3-D array is always a stack of one-channel images.
    input_name : str, default="X"
        Name used in error messages.
    allowed_channels : tuple of int or None, default=None
        Channel counts the operation accepts; ``None`` accepts any. A 3-D input has
        one channel.
    min_size : int or tuple of (int, int) or None, default=None
        Smallest ``(height, width)`` the operation can take.
    convert : bool, default=True
        If True, integer and boolean images become float32 in scikit-image's scale
        (uint8 0..255 becomes 0..1); float32 and float64 keep their dtype and
        scale. If False the validated array is returned in its own dtype (the CNN
        estimators convert per batch, so uint8 data stays small in memory).
    finite_sums : bool, default=False
        If True, also refuse float images so large that summing the values of
        one image could overflow the working dtype (float64 for float64 input,
        float32 otherwise): every value must stay below
        ``finfo(dtype).max / (2 * height * width * n_channels)``, about
        ``1e302`` for 424x424x3 float64 images and ``3e34`` for 64x64x3
        float32 ones. Operations that sum or average pixels (Coarsen, Resize,
        ROICrop's threshold, the baselines, the MLP's first layer) ask for it,
        so a finite input never gives them an infinite result. Integer images
        map to [0, 1] and always pass.
    estimator : estimator instance or None, default=None
        Named in error messages when given.

    Returns
    -------
    X : ndarray of shape (n_samples, height, width[, n_channels])
        The validated images; never a view that the caller could mutate the
        input through when a conversion took place.

    Raises
    ------
    TypeError
        If ``X`` is sparse, not array-like, or not numeric.
    ValueError
        If ``X`` is ragged, has the wrong number of dimensions, is empty, contains
        NaN or infinity, has a channel count not in ``allowed_channels`` or images
        smaller than ``min_size``, or (with ``finite_sums``) values too large to
        sum.

    Examples
    --------
    >>> import numpy as np
    >>> from skgalaxy.utils import check_images
    >>> X = np.full((2, 4, 4, 3), 255, dtype=np.uint8)
    >>> Xf = check_images(X)
    >>> Xf.dtype, Xf.shape, float(Xf.max())
    (dtype('float32'), (2, 4, 4, 3), 1.0)
    """
    where = f" for {type(estimator).__name__}" if estimator is not None else ""
    X = _to_array(X, input_name)
    X = _check_dtype(X, input_name)
    if X.ndim not in (3, 4):
        raise ValueError(
            f"{input_name} must be a 3-D or 4-D array of images{where}; got a "
            f"{X.ndim}-D array of shape {X.shape}. " + _SHAPE_HELP
        )
    if X.shape[0] == 0:
        raise ValueError(
            f"{input_name} is empty: 0 images of shape {X.shape[1:]}; at least one "
            "image is required."
        )
    if 0 in X.shape[1:]:
        raise ValueError(
            f"{input_name} has images of shape {X.shape[1:]} with an empty axis; "
            "height, width and channels must all be at least 1."
        )
    n_channels = 1 if X.ndim == 3 else X.shape[3]
    if allowed_channels is not None and n_channels not in allowed_channels:
        expected = " or ".join(str(c) for c in allowed_channels)
        raise ValueError(
            f"{input_name} has images with {n_channels} channel(s); "
            f"{type(estimator).__name__ if estimator is not None else 'this'} "
            f"takes {expected} channel(s) (shape {X.shape})."
        )
    if min_size is not None:
        min_h, min_w = (
            (min_size, min_size) if isinstance(min_size, numbers.Integral) else min_size
        )
        if X.shape[1] < min_h or X.shape[2] < min_w:
            raise ValueError(
                f"{input_name} has images of {X.shape[1]}x{X.shape[2]} pixels; "
                f"this operation{where} needs at least {min_h}x{min_w}."
            )
    peak = _check_finite(X, input_name)
    if finite_sums and peak is not None:
        _check_sums(X, peak, input_name, where)
    return as_float_images(X) if convert else X


def check_label_types(y, *, input_name="y"):
    """Refuse class labels of types that cannot be compared (str mixed with int).

    NumPy sorts labels to find the classes; an object array that mixes strings
    and numbers cannot be sorted and would fail deep inside NumPy.

    Parameters
    ----------
    y : ndarray
        Class labels.
    input_name : str, default="y"
        Name used in the error message.

    Raises
    ------
    TypeError
        If ``y`` holds labels that cannot be ordered against each other.

    Examples
    --------
    >>> import numpy as np
    >>> from skgalaxy.utils._validation import check_label_types
    >>> check_label_types(np.array(["spiral", "elliptical"], dtype=object))
    >>> check_label_types(np.array(["spiral", 1], dtype=object))
    Traceback (most recent call last):
        ...
    TypeError: y mixes label types ['int', 'str']; give every label the same ...
    """
    y = np.asarray(y)
    if y.dtype != object or y.size == 0:
        return
    try:
        distinct = set(y.ravel().tolist())
    except TypeError:
        return  # unhashable labels: scikit-learn's own checks explain them
    try:
        sorted(distinct)
    except TypeError:
        kinds = sorted({type(v).__name__ for v in distinct})
        raise TypeError(
            f"{input_name} mixes label types {kinds}; give every label the same "
            "type (for example all strings)."
        ) from None


def check_image_shape(estimator, X, *, reset):
    """Record ``image_shape_`` at fit time and check it at transform time.

    Parameters
    ----------
    estimator : estimator instance
        Gets or has the attribute ``image_shape_``.
    X : ndarray of shape (n_samples, height, width[, n_channels])
        Validated images (see :func:`check_images`).
    reset : bool
        True in ``fit``: record the shape. False later: compare with it.

    Raises
    ------
    ValueError
        If ``reset=False`` and the images differ in shape from those seen in
        ``fit``.
    """
    shape = tuple(int(s) for s in X.shape[1:])
    if reset:
        estimator.image_shape_ = shape
        return
    fitted = tuple(estimator.image_shape_)
    if shape != fitted:
        raise ValueError(
            f"X has images of shape {describe_shape(shape)}, but "
            f"{type(estimator).__name__} was fitted on images of shape "
            f"{describe_shape(fitted)}. Transform images of the size and channel "
            "count seen in fit, or fit again."
        )
