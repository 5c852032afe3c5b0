"""The Lupton et al. (2004) asinh colour stretch: raw survey flux to display colours.

:func:`lupton_rgb` is the one implementation in skgalaxy (NumPy only, so code
that must run without astropy can use it); :class:`AsinhStretch` wraps it as an
image transformer.
"""

from numbers import Real

import numpy as np
from sklearn.utils._param_validation import Interval

from ..utils._chunks import chunk_length
from ..utils._validation import as_float_images
from ._base import _BaseImageTransformer

__all__ = ["AsinhStretch", "lupton_rgb"]

# Lupton et al.'s constant: the slope of the stretch makes an intensity of
# ``_FRAC * stretch`` map to ``_FRAC`` (astropy's LuptonAsinhStretch uses it too).
_FRAC = 0.1


def _check_stretch_params(stretch, Q):
    if not np.isfinite(stretch) or stretch <= 0:
        raise ValueError(f"stretch must be a positive number; got {stretch!r}.")
    if not np.isfinite(Q) or Q <= 0:
        raise ValueError(f"Q must be a positive number; got {Q!r}.")


def stretch_in_place(x, stretch, Q, axis=-1):
    """Stretch float images ``x``, whose bands lie along ``axis``, in place.

    ``x`` is already less its minimum. With ``axis=1`` it stretches a stack of
    band planes ``(n, bands, h, w)`` without moving the bands last (the
    generator's layout); the values are those of :func:`lupton_rgb`.
    """
    intensity = x.mean(axis=axis)
    soften, slope = Q / stretch, _FRAC / np.arcsinh(_FRAC * Q)
    f = np.arcsinh(intensity * soften) * slope
    with np.errstate(invalid="ignore", divide="ignore"):
        scale = np.where(intensity <= 0, 0, f / intensity)
    x *= np.expand_dims(scale, axis)
    np.clip(x, 0, None, out=x)
    # Pixels brighter than 1 in some band keep their colour: all bands are
    # divided by the brightest one.
    brightest = np.expand_dims(x.max(axis=axis), axis)
    with np.errstate(invalid="ignore", divide="ignore"):
        np.divide(x, brightest, out=x, where=brightest > 1)
    return x


def _stretch_chunk(X, minimum, stretch, Q, out):
    """Stretch float images ``X`` (channels last) into ``out`` (in [0, 1])."""
    x = np.subtract(X, minimum, dtype=out.dtype)
    out[...] = stretch_in_place(x, stretch, Q)


def lupton_rgb(images, *, stretch=5.0, Q=8.0, minimum=0.0, output_dtype=np.uint8):
    """Map fluxes to colours with the asinh stretch of Lupton et al. (2004).

    The intensity ``I`` of a pixel is the mean of its bands (after subtracting
    ``minimum``); every band is multiplied by ``f(I) / I`` with
    ``f(I) = asinh(Q I / stretch) * 0.1 / asinh(0.1 Q)``, so the stretch
    compresses the bright core of a galaxy without changing its colours.
    Negative values are clipped to 0, and a pixel with a band above 1 is
    divided by its brightest band. This is the algorithm of
    :func:`astropy.visualization.make_lupton_rgb` (with ``minimum`` as its
    per-band ``ManualInterval``), on a whole stack at once and on any number
    of bands.

    Parameters
    ----------
    images : array-like of shape (n_samples, height, width[, n_bands])
        Fluxes, channels last (for RGB output, the bands mapped to red, green
        and blue, in that order). Integers are taken as they are (counts), not
        scaled. A 3-D array is a stack of single-band images.
    stretch : float, default=5.0
        The linear stretch: intensities well below ``stretch / Q`` are scaled
        linearly, brighter ones logarithmically.
    Q : float, default=8.0
        The asinh softening parameter.
    minimum : float or array-like of shape (n_bands,), default=0.0
        The flux mapped to black (the sky level), for all bands or per band.
    output_dtype : {np.uint8, np.float32, np.float64}, default=np.uint8
        uint8 (0..255, truncated as astropy does) or floats in [0, 1].

    Returns
    -------
    rgb : ndarray of the shape of ``images``, dtype ``output_dtype``
        The stretched images.

    See Also
    --------
    AsinhStretch : The same stretch as a transformer in a Pipeline.

    References
    ----------
    R. Lupton, M. R. Blanton, G. Fekete, D. W. Hogg, W. O'Mullane, A. Szalay
    and N. Wherry, "Preparing Red-Green-Blue Images from CCD Data", PASP 116,
    133 (2004), https://doi.org/10.1086/382245

    Examples
    --------
    >>> import numpy as np
    >>> from skgalaxy.preprocessing import lupton_rgb
    >>> flux = np.zeros((1, 2, 2, 3))
    >>> flux[0, 0, 0] = [0.5, 1.0, 2.0]  # a blue-ish source
    >>> lupton_rgb(flux)[0, 0, 0]
    array([20, 41, 82], dtype=uint8)
    >>> lupton_rgb(flux, output_dtype=np.float32)[0, 1, 1]
    array([0., 0., 0.], dtype=float32)
    """
    output_dtype = np.dtype(output_dtype)
    if output_dtype not in (np.uint8, np.float32, np.float64):
        raise ValueError(
            f"output_dtype must be np.uint8, np.float32 or np.float64; got "
            f"{output_dtype}."
        )
    _check_stretch_params(stretch, Q)
    X = np.asarray(images)
    if X.ndim not in (3, 4) or X.dtype.kind not in "biuf":
        raise ValueError(
            "images must be a numeric array of shape (n_samples, height, width"
            f"[, n_bands]); got {X.dtype} of shape {X.shape}."
        )
    gray = X.ndim == 3
    if gray:
        X = X[..., None]
    work = X.dtype if X.dtype in (np.float32, np.float64) else np.dtype(np.float64)
    minimum = np.asarray(minimum, dtype=work)
    if minimum.ndim > 1 or minimum.size not in (1, X.shape[-1]):
        raise ValueError(
            f"minimum must be a number or one per band ({X.shape[-1]}); got "
            f"shape {minimum.shape}."
        )
    out = np.empty(X.shape, dtype=output_dtype)
    buf = np.empty(X.shape, dtype=work) if output_dtype == np.uint8 else out
    step = chunk_length(X, work)
    for start in range(0, len(X), step):
        part = slice(start, start + step)
        _stretch_chunk(X[part], minimum, stretch, Q, buf[part])
        if output_dtype == np.uint8:
            np.multiply(buf[part], 255.0, out=buf[part])
            out[part] = buf[part]  # truncates, as astropy's conversion does
    return out[..., 0] if gray else out


class AsinhStretch(_BaseImageTransformer):
    """Stretch raw survey flux to display colours in [0, 1] (Lupton et al. 2004).

    Astronomers look at cutouts through an asinh stretch: faint outskirts are
    scaled linearly, the bright core logarithmically, and every band of a
    pixel by the same factor, so colours survive. This transformer applies
    :func:`lupton_rgb` to each image, so a Pipeline such as
    ``AsinhStretch() -> CenterCrop -> CNNClassifier`` runs on FITS flux.

    Parameters
    ----------
    stretch : float, default=5.0
        The linear stretch (in flux units).
    Q : float, default=8.0
        The asinh softening parameter.
    minimum : float, default=0.0
        The flux mapped to black (the sky level).
    bands : tuple of int or None, default=None
        Channels to keep, in the order they come out (for ugriz cutouts,
        ``(3, 2, 1)`` maps i, r, g to red, green, blue). ``None`` keeps every
        channel.

    Attributes
    ----------
    image_shape_ : tuple of int
        Shape ``(height, width[, n_channels])`` of the images seen in ``fit``.

    See Also
    --------
    lupton_rgb : The function, with uint8 output.
    skgalaxy.datasets.load_images : Reads FITS cutouts as float flux.

    Notes
    -----
    The output is float in [0, 1], in the input's float dtype (float32 and
    float64 stay; integer images become float32 in [0, 1] first, by the
    package's dtype rule, so give the stretch parameters in those units). Gray
    images ``(n, h, w)`` are stretched as one band.
    Float images too large to sum (``finite_sums`` in
    :func:`~skgalaxy.utils.check_images`) raise a ValueError.

    References
    ----------
    R. Lupton et al., "Preparing Red-Green-Blue Images from CCD Data", PASP
    116, 133 (2004), https://doi.org/10.1086/382245

    Examples
    --------
    >>> import numpy as np
    >>> from skgalaxy.preprocessing import AsinhStretch
    >>> flux = np.zeros((1, 4, 4, 5), dtype=np.float32)  # u, g, r, i, z
    >>> flux[0, 1, 1] = [0.1, 0.4, 0.8, 1.0, 1.2]
    >>> Xt = AsinhStretch(bands=(3, 2, 1)).fit_transform(flux)
    >>> Xt.shape, Xt.dtype
    ((1, 4, 4, 3), dtype('float32'))
    >>> Xt[0, 1, 1].round(3)
    array([0.186, 0.149, 0.074], dtype=float32)
    """

    _parameter_constraints = {
        "stretch": [Interval(Real, 0, None, closed="neither")],
        "Q": [Interval(Real, 0, None, closed="neither")],
        "minimum": [Real],
        "bands": [tuple, list, None],
    }

    def __init__(self, stretch=5.0, Q=8.0, minimum=0.0, bands=None):
        self.stretch = stretch
        self.Q = Q
        self.minimum = minimum
        self.bands = bands

    def _check_params(self, X):
        if self.bands is None:
            return
        n_channels = X.shape[3] if X.ndim == 4 else 1
        ok = len(self.bands) > 0 and all(
            isinstance(b, (int, np.integer))
            and not isinstance(b, bool)
            and -n_channels <= b < n_channels
            for b in self.bands
        )
        if X.ndim != 4 or not ok:
            raise ValueError(
                f"bands={self.bands!r} must list channel indices of the "
                f"{n_channels}-channel images."
            )

    def _transform(self, X):
        X = as_float_images(X)
        if self.bands is not None:
            X = X[..., list(self.bands)]
        return lupton_rgb(
            X,
            stretch=self.stretch,
            Q=self.Q,
            minimum=self.minimum,
            output_dtype=X.dtype,
        )
