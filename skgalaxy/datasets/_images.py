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

__all__ = ["load_images", "list_images"]

IMAGE_EXTENSIONS = (".jpg", ".jpeg", ".png")


def _natural_key(path):
    stem = path.stem
    return (0, int(stem), path.name) if stem.isdigit() else (1, 0, path.name)


def list_images(directory, *, extensions=IMAGE_EXTENSIONS):
    """List the image files of a folder, numeric names in numeric order.

    Parameters
    ----------
    directory : str or path-like
        The folder (not searched recursively).
    extensions : tuple of str, default=(".jpg", ".jpeg", ".png")
        File name endings to keep (case-insensitive).

    Returns
    -------
    paths : list of pathlib.Path
        The image files: names that are integers (such as Galaxy Zoo's
        ``<GalaxyID>.jpg``) first, in numeric order, then the others by name.

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
        p for p in directory.iterdir() if p.suffix.lower() in extensions and p.is_file()
    ]
    return sorted(paths, key=_natural_key)


def _open_image(path, name, mode):
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as img:
            if mode is not None and img.mode != mode:
                img = img.convert(mode)
            else:
                img.load()
            return np.asarray(img)
    except FileNotFoundError as exc:
        raise FileNotFoundError(f"{name}: image file not found: {path}") from exc
    except PermissionError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        # PIL raises OSError for truncated files, UnidentifiedImageError for
        # files that are not images, SyntaxError for some malformed headers.
        raise ValueError(
            f"{name}: could not decode image file {path} ({exc}). The file is "
            "missing data or is not a JPEG/PNG image; replace or remove it."
        ) from exc


class _ImageReader:
    """Decode a list of image files into chunks, with a thread pool."""

    def __init__(self, paths, names, mode):
        self.paths = paths
        self.names = names
        self.mode = mode
        first = _open_image(paths[0], names[0], mode)
        self.row_shape = first.shape
        self.row_dtype = first.dtype
        if first.dtype != np.uint8:
            raise ValueError(
                f"{names[0]} ({paths[0]}) decodes to {first.dtype} pixels "
                f"(PIL mode {self._mode_of(paths[0])!r}); skgalaxy reads 8-bit "
                "images. Pass mode='RGB' or mode='L' to convert."
            )

    @staticmethod
    def _mode_of(path):
        from PIL import Image

        with Image.open(path) as img:
            return img.mode

    def _decode_into(self, out, i, k):
        img = _open_image(self.paths[k], self.names[k], self.mode)
        if img.shape != self.row_shape or img.dtype != self.row_dtype:
            raise ValueError(
                f"{self.names[k]} ({self.paths[k]}) is a "
                f"{describe_shape(img.shape)} {img.dtype} image, but the first "
                f"image ({self.paths[0]}) is {describe_shape(self.row_shape)} "
                f"{self.row_dtype}; all images must have one size and one colour "
                "mode (pass mode='RGB' or mode='L' to convert the colour mode)."
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
    reader = _ImageReader(paths, names, mode)
    n_workers = effective_n_jobs(n_jobs)
    # PIL releases the GIL while decoding, so threads use every core.
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
    return_paths=False,
):
    """Read JPEG or PNG files into one uint8 array, in parallel chunks.

    Files are decoded on ``n_jobs`` threads (Pillow releases the GIL while it
    decodes) one chunk at a time. With a ``transformer``, each chunk goes through
    it before the next is read, so memory follows the transformed output, not the
    raw images.

    Parameters
    ----------
    paths : str, path-like or sequence of them
        The image files, or a folder whose ``.jpg``, ``.jpeg`` and ``.png`` files
        are read (numeric names in numeric order, see :func:`list_images`).
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
        PIL colour mode to convert every image to (``"RGB"``, ``"L"``); ``None``
        keeps each file's own mode (then all files must share it).
    return_paths : bool, default=False
        Also return the list of files read, in the order of the rows.

    Returns
    -------
    X : ndarray of shape (n_images, height, width[, n_channels])
        The images as uint8 (``(n, h, w)`` for gray files, ``(n, h, w, 3)`` for
        RGB), or the transformer's output.
    paths : list of pathlib.Path
        Only if ``return_paths=True``.

    Raises
    ------
    FileNotFoundError
        If a file or the folder does not exist.
    ValueError
        If a file cannot be decoded, the images differ in size or colour mode,
        or the folder holds no images.

    See Also
    --------
    load_galaxy_zoo : The Kaggle Galaxy Zoo layout, with its vote fractions.

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
    )
    return (X, paths) if return_paths else X
