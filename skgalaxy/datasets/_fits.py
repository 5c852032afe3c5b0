"""Read one FITS cutout into an image array: an image HDU, a cube, or named bands.

FITS needs astropy (the ``astro`` extra); it is imported when the first FITS
file is read, so the rest of the loaders never pay for it.
"""

import numbers

import numpy as np

from ..utils._optional import import_optional

__all__ = ["FITS_EXTENSIONS", "check_fits_options", "read_fits"]

#: File name endings read as FITS (gzip and tile-compressed FITS included).
FITS_EXTENSIONS = (
    ".fits",
    ".fit",
    ".fts",
    ".fits.gz",
    ".fit.gz",
    ".fts.gz",
    ".fits.fz",
)


def is_fits(path):
    return str(path).lower().endswith(FITS_EXTENSIONS)


def _fits_module():
    return import_optional(
        "astropy.io.fits", extra="astro", feature="Reading FITS files"
    )


def check_fits_options(hdu, bands, fill_value):
    """Raise before any file is read when the FITS options cannot be right."""
    if hdu is not None and not (
        isinstance(hdu, str)
        or (isinstance(hdu, numbers.Integral) and not isinstance(hdu, bool))
    ):
        raise TypeError(
            f"hdu must be an HDU index (int), an EXTNAME (str) or None; got {hdu!r}."
        )
    if bands is not None:
        if isinstance(bands, (str, bytes)) or not hasattr(bands, "__len__"):
            raise TypeError(
                "bands must be a sequence of plane indices (int) or of HDU names "
                f"(str), such as [0, 1, 2] or ['g', 'r', 'z']; got {bands!r}."
            )
        kinds = {isinstance(b, str) for b in bands}
        ints = all(
            isinstance(b, numbers.Integral) and not isinstance(b, bool) for b in bands
        )
        if not bands or len(kinds) != 1 or (kinds == {False} and not ints):
            raise TypeError(
                "bands must be a non-empty sequence of plane indices (all int) or "
                f"of HDU names (all str); got {bands!r}."
            )
        if kinds == {True} and hdu is not None:
            raise ValueError(
                "bands names HDUs (str) and hdu names one too; pass one of them."
            )
    if isinstance(fill_value, str):
        if fill_value != "raise":
            raise ValueError(
                f"fill_value must be a number or 'raise'; got {fill_value!r}."
            )
    elif not isinstance(fill_value, numbers.Real) or not np.isfinite(fill_value):
        raise ValueError(
            f"fill_value must be a finite number or 'raise'; got {fill_value!r}."
        )


def _is_image(h):
    return (
        getattr(h, "is_image", False)
        and h.data is not None
        and h.data.ndim
        in (
            2,
            3,
        )
    )


def _select_hdu(hdul, hdu, path):
    if hdu is None:
        for h in hdul:
            if _is_image(h):
                return h
        raise ValueError(
            f"{path} holds no 2-D image or 3-D cube in any of its {len(hdul)} HDUs."
        )
    try:
        h = hdul[hdu]
    except (KeyError, IndexError):
        names = [h.name for h in hdul]
        raise ValueError(
            f"{path} has no HDU {hdu!r}; it has {len(hdul)}: {names}."
        ) from None
    if not _is_image(h):
        shape = None if h.data is None else getattr(h.data, "shape", None)
        raise ValueError(
            f"HDU {hdu!r} of {path} is not a 2-D image or 3-D cube (data shape "
            f"{shape})."
        )
    return h


def _native(data):
    """Return the array in native byte order (FITS stores big-endian numbers)."""
    data = np.asarray(data)
    if not data.dtype.isnative:
        data = data.astype(data.dtype.newbyteorder("="))
    return data


def _read_data(hdul, hdu, bands, path):
    if bands is not None and isinstance(bands[0], str):
        planes = []
        for name in bands:
            h = _select_hdu(hdul, name, path)
            if h.data.ndim != 2:
                raise ValueError(
                    f"HDU {name!r} of {path} is a cube of shape {h.data.shape}; "
                    "bands by name need 2-D images."
                )
            planes.append(_native(h.data))
        if len({p.shape for p in planes}) > 1:
            raise ValueError(
                f"the bands {list(bands)} of {path} differ in shape: "
                f"{[p.shape for p in planes]}."
            )
        return np.stack(planes, axis=-1)
    data = _native(_select_hdu(hdul, hdu, path).data)
    if data.ndim == 2:
        if bands is not None:
            raise ValueError(
                f"bands={list(bands)} selects planes of a cube, but {path} holds "
                f"a 2-D image of shape {data.shape}."
            )
        return data
    n_planes = data.shape[0]
    if bands is not None:
        bad = [b for b in bands if not -n_planes <= b < n_planes]
        if bad:
            raise ValueError(
                f"bands {list(bands)}: {bad[0]} is out of range for the "
                f"{n_planes} planes of the cube in {path}."
            )
        data = data[list(bands)]
    return np.moveaxis(data, 0, -1)


def read_fits(path, *, hdu=None, bands=None, fill_value=0.0):
    """Read a FITS file into an ``(h, w)`` or ``(h, w, c)`` array.

    ``hdu`` selects the HDU (default: the first with a 2-D image or a 3-D cube);
    ``bands`` selects planes of a cube (ints) or stacks 2-D HDUs by EXTNAME
    (strs) as channels. A cube is ``(band, y, x)`` as FITS stores it
    (``NAXIS3`` is the band) and comes out channels-last. NaN and infinite
    pixels (masked, or integer ``BLANK`` pixels that astropy reads as NaN) are
    replaced by ``fill_value``, or raise with ``fill_value="raise"``. Rows keep
    the FITS order (row 0 is the bottom of the picture, as astropy reads it).
    """
    fits = _fits_module()
    # A warning is caught only where warnings are errors: astropy warns of a
    # truncated file, then fails to read its data. The file is opened here,
    # so it is closed whatever astropy raises.
    failures = (OSError, ValueError, TypeError, EOFError, Warning)
    with open(path, "rb") as fh:
        try:
            hdul = fits.open(fh, memmap=False)
        except failures as exc:
            raise ValueError(f"could not read {path} as FITS ({exc})") from exc
        with hdul:
            try:
                data = _read_data(hdul, hdu, bands, path)
            except ValueError as exc:
                if str(path) in str(exc):
                    raise
                raise ValueError(f"could not read the data of {path} ({exc})") from exc
            except failures as exc:
                raise ValueError(f"could not read the data of {path} ({exc})") from exc
    if data.ndim == 3 and data.shape[2] == 1:
        data = data[..., 0]  # one band is a gray image, (h, w)
    data = np.ascontiguousarray(data)
    if data.dtype.kind == "f":
        bad = ~np.isfinite(data)
        if bad.any():
            if fill_value == "raise":
                raise ValueError(
                    f"{path} has {int(bad.sum())} NaN or infinite (masked) pixels; "
                    "pass fill_value=<number> to replace them."
                )
            data[bad] = fill_value
    elif data.dtype.kind not in "iu":
        raise ValueError(f"{path} holds {data.dtype} data; expected numbers.")
    return data
