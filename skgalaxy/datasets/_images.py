"""Read stacks of image files, in parallel chunks, optionally through a transformer.

Files are decoded by the chunk engine every loader shares
(:func:`skgalaxy.utils._chunks.stream_chunks`), so peak memory is the output plus
one chunk, whatever the number of files.
"""

from numbers import Integral
from pathlib import Path

import numpy as np
from joblib import Parallel, effective_n_jobs
from sklearn.utils._param_validation import validate_params

from ..utils._chunks import stream_chunks
from ..utils._param_validation import StrictInterval
from ..utils._validation import describe_shape
from ._fits import FITS_EXTENSIONS, check_fits_options, is_fits, read_fits

__all__ = ["load_images", "list_images"]

PIL_EXTENSIONS = (".jpg", ".jpeg", ".png")
IMAGE_EXTENSIONS = PIL_EXTENSIONS + FITS_EXTENSIONS

# PIL modes of 16-bit gray images: converting them to "L" or "RGB" would clip
# every value above 255, so they are read as uint16 instead.
_SIXTEEN_BIT = ("I;16", "I;16B", "I;16L", "I;16N")


def image_id(path):
    """Return the id of an image file: its name without its image extensions.

    ``g1.fits.gz`` -> ``g1``, ``587722.jpg`` -> ``587722``; a name with another
    ending loses its last suffix only.

    Examples
    --------
    >>> from skgalaxy.datasets._images import image_id
    >>> image_id("cutouts/g1.fits.gz"), image_id("100008.JPG"), image_id("a.b.tif")
    ('g1', '100008', 'a.b')
    """
    name = Path(path).name
    lower = name.lower()
    for ext in sorted(IMAGE_EXTENSIONS, key=len, reverse=True):
        if lower.endswith(ext) and len(name) > len(ext):
            return name[: -len(ext)]
    return Path(name).stem


def _has_image_extension(name, extensions):
    return name.lower().endswith(extensions)


def _natural_key(path):
    stem = image_id(path)
    return (0, int(stem), path.name) if stem.isdigit() else (1, 0, path.name)


def list_images(directory, *, extensions=IMAGE_EXTENSIONS):
    """List the image files of a folder, numeric names in numeric order.

    Parameters
    ----------
    directory : str or path-like
        The folder (not searched recursively).
    extensions : tuple of str, default=IMAGE_EXTENSIONS
        File name endings to keep (case-insensitive): ``.jpg``, ``.jpeg``,
        ``.png`` and the FITS endings (``.fits``, ``.fit``, ``.fts``, each also
        gzipped as ``.gz``, and ``.fits.fz``).

    Returns
    -------
    paths : list of pathlib.Path
        The image files: names that are integers (such as Galaxy Zoo's
        ``<GalaxyID>.jpg``, once stripped of their image extensions) first, in
        numeric order, then the others by name.

    Raises
    ------
    FileNotFoundError
        If ``directory`` does not exist or is not a folder.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from skgalaxy.datasets import list_images
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     for name in ["10.jpg", "9.jpg", "notes.txt"]:
    ...         _ = (Path(tmp) / name).write_bytes(b"")
    ...     [p.name for p in list_images(tmp)]
    ['9.jpg', '10.jpg']
    """
    directory = Path(directory)
    if not directory.is_dir():
        raise FileNotFoundError(f"Image folder not found: {directory}")
    extensions = tuple(e.lower() for e in extensions)
    paths = [
        p
        for p in directory.iterdir()
        if _has_image_extension(p.name, extensions) and p.is_file()
    ]
    return sorted(paths, key=_natural_key)


def check_mode(mode):
    """Refuse a ``mode`` that PIL does not know, before any file is opened."""
    if mode is None:
        return
    from PIL import Image

    if not isinstance(mode, str) or mode not in Image.MODES:
        raise ValueError(
            f"mode={mode!r} is not a PIL colour mode; use None (each file's own), "
            "'RGB', 'L' or 'I;16' (16-bit gray)."
        )


def _pil_array(img, path, name, mode, draft, keep_16_bit):
    if draft is not None and img.format == "JPEG":
        # DCT scaling: decode straight at the smallest scale still at least
        # as large as the requested size.
        img.draft(mode if mode in ("RGB", "L") else None, draft)
    if img.mode in _SIXTEEN_BIT or (img.mode == "I" and img.format == "PNG"):
        if mode is None or mode in _SIXTEEN_BIT or keep_16_bit:
            img.load()
            return np.asarray(img).astype(np.uint16)  # native byte order
        raise ValueError(
            f"{name}: {path} is a 16-bit image; mode={mode!r} would clip it to 8 "
            "bits. Pass mode=None or mode='I;16' to keep its 16 bits (uint16, "
            "which becomes float32 in [0, 1] in skgalaxy's transformers)."
        )
    if mode in _SIXTEEN_BIT:
        # 8-bit data as 16-bit: 255 -> 65535, so both scale to [0, 1] alike.
        gray = img if img.mode == "L" else img.convert("L")
        return np.asarray(gray, dtype=np.uint16) * np.uint16(257)
    if mode is not None and img.mode != mode:
        img = img.convert(mode)
    else:
        img.load()
    return np.asarray(img)


def decode_image(
    path, name=None, *, mode=None, fits=None, draft=None, keep_16_bit=False
):
    """Decode one image file (JPEG/PNG with Pillow, FITS with astropy).

    ``fits`` holds the FITS options (``hdu``, ``bands``, ``fill_value``);
    ``draft`` is a ``(width, height)`` a JPEG may be decoded at (DCT scaling:
    the smallest scale that is still at least that size). ``keep_16_bit``
    returns a 16-bit gray file as uint16 whatever ``mode`` asks (the caller
    converts channels itself) instead of refusing to clip it. Every failure
    to decode a file is a ValueError that names it.
    """
    from PIL import Image, UnidentifiedImageError

    name = str(path) if name is None else name
    try:
        if is_fits(path):
            return read_fits(path, **(fits or {}))
        with Image.open(path) as img:
            return _pil_array(img, path, name, mode, draft, keep_16_bit)
    except FileNotFoundError as exc:
        raise FileNotFoundError(f"{name}: image file not found: {path}") from exc
    except (PermissionError, ImportError):
        raise
    except ValueError as exc:
        if str(path) in str(exc):
            raise
        raise ValueError(f"{name}: could not decode image file {path} ({exc})") from exc
    except (UnidentifiedImageError, OSError, SyntaxError) as exc:
        # PIL raises OSError for truncated files, UnidentifiedImageError for
        # files that are not images, SyntaxError for some malformed headers.
        raise ValueError(
            f"{name}: could not decode image file {path} ({exc}). The file is "
            "missing data or is not a JPEG/PNG/FITS image; replace or remove it."
        ) from exc


class _ImageReader:
    """Decode a list of image files into chunks, with a thread pool."""

    def __init__(self, paths, names, mode, fits):
        self.paths = paths
        self.names = names
        self.mode = mode
        self.fits = fits
        first = decode_image(paths[0], names[0], mode=mode, fits=fits)
        self.row_shape = first.shape
        self.row_dtype = first.dtype
        if first.dtype.kind not in "uif" or first.dtype == np.float16:
            raise ValueError(
                f"{names[0]} ({paths[0]}) decodes to {first.dtype} pixels; "
                "skgalaxy reads 8- and 16-bit images and FITS numbers. Pass "
                "mode='RGB' or mode='L' to convert."
            )

    def _decode_into(self, out, i, k):
        img = decode_image(self.paths[k], self.names[k], mode=self.mode, fits=self.fits)
        if img.shape != self.row_shape or img.dtype != self.row_dtype:
            raise ValueError(
                f"{self.names[k]} ({self.paths[k]}) is a "
                f"{describe_shape(img.shape)} {img.dtype} image, but the first "
                f"image ({self.paths[0]}) is {describe_shape(self.row_shape)} "
                f"{self.row_dtype}; all images must have one size, one colour "
                "mode and one dtype (pass mode='RGB' or mode='L' to convert the "
                "colour mode of JPEG/PNG files)."
            )
        out[i] = img

    def __call__(self, start, stop, out):
        for i, k in enumerate(range(start, stop)):
            self._decode_into(out, i, k)


def read_image_files(
    paths,
    *,
    names=None,
    transformer=None,
    n_jobs=None,
    chunk_size=256,
    progress=True,
    mode=None,
    fits=None,
    desc="Reading images",
):
    """Decode image files into one array (the engine behind :func:`load_images`).

    ``names`` label each file in error messages (e.g. ``"GalaxyID 100008"``).
    """
    paths = [Path(p) for p in paths]
    if not paths:
        raise ValueError("No image files to read: the list of paths is empty.")
    names = [str(p) for p in paths] if names is None else list(names)
    missing = [(n, p) for n, p in zip(names, paths) if not p.is_file()]
    if missing:
        shown = "; ".join(f"{n}: {p}" for n, p in missing[:5])
        more = f" (and {len(missing) - 5} more)" if len(missing) > 5 else ""
        raise FileNotFoundError(
            f"{len(missing)} image file(s) not found: {shown}{more}."
        )
    reader = _ImageReader(paths, names, mode, fits)
    n_workers = effective_n_jobs(n_jobs)
    # PIL and zlib release the GIL while decoding, so threads use every core.
    with Parallel(n_jobs=n_workers, prefer="threads") as parallel:
        return stream_chunks(
            len(paths),
            reader,
            row_shape=reader.row_shape,
            row_dtype=reader.row_dtype,
            transformer=transformer,
            chunk_size=chunk_size,
            progress=progress,
            desc=desc,
            parallel=parallel,
            n_workers=n_workers,
        )


@validate_params(
    {"chunk_size": [StrictInterval(Integral, 1, None, closed="left")]},
    prefer_skip_nested_validation=True,
)
def load_images(
    paths,
    *,
    transformer=None,
    n_jobs=None,
    chunk_size=256,
    progress=True,
    mode=None,
    hdu=None,
    bands=None,
    fill_value=0.0,
    return_paths=False,
):
    """Read JPEG, PNG or FITS files into one array, in parallel chunks.

    Files are decoded on ``n_jobs`` threads (Pillow, zlib and astropy's readers
    release the GIL) one chunk at a time. With a ``transformer``, each chunk
    goes through it before the next is read, so memory follows the transformed
    output, not the raw images.

    Parameters
    ----------
    paths : str, path-like or sequence of them
        The image files, or a folder whose image files are read (``.jpg``,
        ``.jpeg``, ``.png`` and FITS: ``.fits``, ``.fit``, ``.fts``, gzipped
        ``.gz`` or tile-compressed ``.fits.fz``; numeric names in numeric
        order, see :func:`list_images`).
    transformer : transformer or None, default=None
        A scikit-learn style transformer applied to each chunk of images (for
        example ``Coarsen(4)``). It is fitted on the first chunk unless it is
        already fitted; it is modified in place. Its ``transform`` runs in the
        decoding threads, on parts of each chunk.
    n_jobs : int or None, default=None
        Threads decoding images. ``None`` means 1 unless in a
        :func:`joblib.parallel_config` context; ``-1`` means all cores.
    chunk_size : int, default=256
        Images decoded (and transformed) at a time.
    progress : bool, default=True
        Show a progress bar.
    mode : str or None, default=None
        PIL colour mode to convert every JPEG/PNG image to (``"RGB"``, ``"L"``,
        or ``"I;16"`` for 16-bit gray); ``None`` keeps each file's own mode
        (then all files must share it). 16-bit PNGs are read as uint16; asking
        for ``"L"`` or ``"RGB"`` on one raises rather than clip it to 8 bits.
        FITS files ignore it.
    hdu : int, str or None, default=None
        FITS only: the HDU to read, by index or EXTNAME. ``None`` reads the
        first HDU holding a 2-D image or a 3-D cube.
    bands : sequence of int, sequence of str, or None, default=None
        FITS only: for a cube (``NAXIS3`` bands, stored ``(band, y, x)``), the
        planes to keep, as channels in that order; or the EXTNAMEs of 2-D
        image HDUs to stack as channels (``["g", "r", "z"]``). ``None`` keeps
        every plane of a cube. One band gives gray ``(h, w)`` images.
    fill_value : float or "raise", default=0.0
        FITS only: the value that replaces NaN and infinite pixels (masked
        pixels, and integer ``BLANK`` pixels, which astropy reads as NaN), so
        no NaN ever reaches a model. ``"raise"`` refuses such files instead.
    return_paths : bool, default=False
        Also return the list of files read, in the order of the rows.

    Returns
    -------
    X : ndarray of shape (n_images, height, width[, n_channels])
        The images (``(n, h, w)`` for gray files and single bands), or the
        transformer's output. JPEG/PNG give uint8 (uint16 for 16-bit PNGs);
        FITS keeps its data type in native byte order (float32 and float64
        flux stay float, scaled integers become float32 as astropy reads
        them). FITS rows are in FITS order: row 0 is the bottom of the picture
        (show it with ``origin="lower"``).
    paths : list of pathlib.Path
        Only if ``return_paths=True``.

    Raises
    ------
    FileNotFoundError
        If a file or the folder does not exist.
    ValueError
        If a file cannot be decoded, the images differ in size, colour mode or
        dtype, ``mode`` is not a PIL mode, or the folder holds no images.
    ImportError
        If a FITS file is read without astropy (``pip install
        "skgalaxy[astro]"``).

    See Also
    --------
    load_galaxy_zoo : The Kaggle Galaxy Zoo layout, with its vote fractions.
    skgalaxy.preprocessing.AsinhStretch : The display stretch for FITS flux.

    Notes
    -----
    Spiral handedness depends on the row order: the JPEG of a galaxy is the
    vertical mirror of its FITS data as read here (``X[:, ::-1]`` flips it).
    Morphology classes without handedness do not depend on it.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> import numpy as np
    >>> from PIL import Image
    >>> from skgalaxy.datasets import load_images
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     for i in range(3):
    ...         img = np.full((8, 8, 3), 40 * i, dtype=np.uint8)
    ...         Image.fromarray(img).save(Path(tmp) / f"{i}.png")
    ...     X, paths = load_images(tmp, progress=False, return_paths=True)
    >>> X.shape, X.dtype, [p.name for p in paths]
    ((3, 8, 8, 3), dtype('uint8'), ['0.png', '1.png', '2.png'])
    >>> X[:, 0, 0, 0]
    array([ 0, 40, 80], dtype=uint8)
    """
    check_mode(mode)
    check_fits_options(hdu, bands, fill_value)
    if isinstance(paths, (str, Path)):
        folder = Path(paths)
        if not folder.exists():
            raise FileNotFoundError(f"Image file or folder not found: {folder}")
        if folder.is_dir():
            paths = list_images(folder)
            if not paths:
                raise ValueError(
                    f"No image files ({', '.join(IMAGE_EXTENSIONS)}) in {folder}."
                )
        else:
            paths = [folder]
    else:
        paths = [Path(p) for p in paths]
    X = read_image_files(
        paths,
        transformer=transformer,
        n_jobs=n_jobs,
        chunk_size=chunk_size,
        progress=progress,
        mode=mode,
        fits={"hdu": hdu, "bands": bands, "fill_value": fill_value},
    )
    return (X, paths) if return_paths else X
