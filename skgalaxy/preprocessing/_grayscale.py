"""Grayscale: RGB images to one luminance channel."""

import numpy as np
from sklearn.utils._param_validation import StrOptions

from ..utils._chunks import chunk_length
from ..utils._validation import as_float_images, float_dtype
from ._base import _BaseImageTransformer

__all__ = ["Grayscale"]

_WEIGHTS = {
    # ITU-R BT.601, as OpenCV's cvtColor (the reference projects') and PIL's "L".
    "rec601": (0.299, 0.587, 0.114),
    # ITU-R BT.709, as skimage.color.rgb2gray.
    "rec709": (0.2125, 0.7154, 0.0721),
    "mean": (1 / 3, 1 / 3, 1 / 3),
}


class Grayscale(_BaseImageTransformer):
    """Convert RGB images to grayscale with luminance weights.

    Parameters
    ----------
    weights : {"rec601", "rec709", "mean"} or array-like of shape (3,), \
            default="rec601"
        Weights of the red, green and blue channels. ``"rec601"`` (0.299, 0.587,
        0.114) is OpenCV's ``cvtColor`` conversion that the seed notebooks used;
        ``"rec709"`` (0.2125, 0.7154, 0.0721) is :func:`skimage.color.rgb2gray`'s;
        ``"mean"`` is the plain average. Weights that sum to 1 keep the images'
        scale; other finite weights are applied as given.

    Attributes
    ----------
    image_shape_ : tuple of int
        Shape ``(height, width[, n_channels])`` of the images seen in ``fit``.
    weights_ : ndarray of shape (3,)
        The channel weights used.

    See Also
    --------
    skimage.color.rgb2gray : The per-image function (Rec.709 weights).

    Notes
    -----
    Input images have 3 channels ``(n, h, w, 3)``, or one: ``(n, h, w)`` or
    ``(n, h, w, 1)``. One-channel images are already gray: they are returned as
    ``(n, h, w)`` with their values unchanged (only the dtype rule applies).
    Other channel counts raise a ValueError. The output is always
    ``(n_samples, height, width)``.

    Integer images (uint8 ...) become float32 in [0, 1]; float32 and float64
    images keep their dtype and scale. uint8 images are converted chunk by chunk
    with the 1/255 folded into the weights, so no float copy of the whole stack
    is made.
    Float images too large to sum (``finite_sums`` in
    :func:`~skgalaxy.utils.check_images`) raise a ValueError.

    Examples
    --------
    >>> import numpy as np
    >>> from skgalaxy.preprocessing import Grayscale
    >>> X = np.zeros((1, 1, 2, 3))
    >>> X[0, 0, 0] = [1.0, 0.0, 0.0]  # a red pixel
    >>> X[0, 0, 1] = [0.0, 0.0, 1.0]  # a blue pixel
    >>> Grayscale().fit_transform(X)
    array([[[0.299, 0.114]]])
    >>> Grayscale(weights="mean").fit_transform(X).round(4)
    array([[[0.3333, 0.3333]]])
    """

    _parameter_constraints = {
        "weights": [StrOptions(set(_WEIGHTS)), "array-like"],
    }
    _allowed_channels = (1, 3)

    def __init__(self, weights="rec601"):
        self.weights = weights

    def _resolve_weights(self):
        if isinstance(self.weights, str):
            return np.array(_WEIGHTS[self.weights], dtype=np.float64)
        try:
            weights = np.asarray(self.weights, dtype=np.float64)
        except (TypeError, ValueError) as exc:
            raise ValueError(
                "weights must be 'rec601', 'rec709', 'mean' or three numbers "
                f"(red, green, blue); got {self.weights!r}."
            ) from exc
        if weights.shape != (3,) or not np.all(np.isfinite(weights)):
            raise ValueError(
                "weights must be three finite numbers (red, green, blue); got "
                f"{self.weights!r}."
            )
        return weights

    def _check_params(self, X):
        self.weights_ = self._resolve_weights()

    def _transform(self, X):
        if X.ndim == 3 or X.shape[3] == 1:
            gray = as_float_images(X if X.ndim == 3 else X[..., 0])
            return gray.copy() if np.may_share_memory(gray, X) else gray

        out_dtype = float_dtype(X.dtype)
        weights = self.weights_
        if X.dtype.kind in "bu":
            # Fold the integer-to-[0, 1] scale of the dtype rule into the weights.
            top = 1 if X.dtype.kind == "b" else np.iinfo(X.dtype).max
            weights = weights / top
        weights = weights.astype(out_dtype)

        n = X.shape[0]
        out = np.empty(X.shape[:3], dtype=out_dtype)
        step = chunk_length(X, out_dtype)
        cast = X.dtype.kind in "bfu" and X.dtype != out_dtype
        if cast:
            buffer = np.empty((min(step, n), *X.shape[1:]), dtype=out_dtype)
        # Casting a chunk into a reused float buffer keeps it in the CPU cache;
        # then one matrix-vector product per chunk.
        for start in range(0, n, step):
            chunk = X[start : start + step]
            m = len(chunk)
            if cast:
                buffer[:m] = chunk
                chunk = buffer[:m]
            elif chunk.dtype.kind == "i":
                # Signed integers map to x / max, clipped at -1 (skimage's rule).
                chunk = as_float_images(chunk)
            np.matmul(chunk, weights, out=out[start : start + m])
        return out
