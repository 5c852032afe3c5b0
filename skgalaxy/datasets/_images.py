"""Read stacks of image files, in parallel chunks, optionally through a transformer.

The chunk engine here is shared by every loader: rows are read chunk by chunk into a
reused buffer, passed through an optional transformer (fitted on the first chunk
unless it is already fitted), and copied into one preallocated output array. Peak
memory is therefore the output plus one chunk, whatever the size of the input.
"""

import numbers
from pathlib import Path

import numpy as np
from joblib import Parallel, delayed, effective_n_jobs
from sklearn.exceptions import NotFittedError
from sklearn.utils.validation import check_is_fitted
from tqdm.auto import tqdm

from ..utils._validation import describe_shape

__all__ = ["load_images", "list_images"]

IMAGE_EXTENSIONS = (".jpg", ".jpeg", ".png")


def _check_chunk_size(chunk_size):
    if (
        isinstance(chunk_size, bool)
        or not isinstance(chunk_size, numbers.Integral)
        or chunk_size < 1
    ):
        raise ValueError(f"chunk_size must be a positive integer, got {chunk_size!r}.")
    return int(chunk_size)


def _check_transformer(transformer):
    if transformer is not None and not hasattr(transformer, "transform"):
        raise TypeError(
            "transformer must be a scikit-learn style transformer with a "
            f"'transform' method, got {type(transformer).__name__}."
        )


def _needs_fit(transformer):
    """True when ``transformer`` has ``fit`` and is not fitted yet."""
    if not hasattr(transformer, "fit"):
        return False
    try:
        check_is_fitted(transformer)
    except NotFittedError:
        return True
    except TypeError:  # not an estimator in scikit-learn's sense: use as is
        return False
    return False


def _split(start, stop, n_pieces):
    """Cut ``[start, stop)`` into at most ``n_pieces`` contiguous ranges."""
    edges = np.linspace(start, stop, min(n_pieces, stop - start) + 1).astype(int)
    return list(zip(edges[:-1].tolist(), edges[1:].tolist()))


def stream_chunks(
    n_rows,
    read_chunk,
    *,
    row_shape,
    row_dtype,
    transformer=None,
    chunk_size=256,
    progress=True,
    desc=None,
    boundaries=None,
    parallel=None,
    n_workers=1,
):
    """Read ``n_rows`` rows chunk by chunk into one array, through a transformer.

    Parameters
    ----------
    n_rows : int
        Number of rows (images) to read.
    read_chunk : callable
        ``read_chunk(start, stop, out)`` fills ``out`` (shape
        ``(stop - start, *row_shape)``, dtype ``row_dtype``) with rows
        ``start:stop``. With ``parallel``, it is called from several threads at
        once on disjoint ranges.
    row_shape : tuple of int
        Shape of one raw row.
    row_dtype : dtype
        dtype of the raw rows.
    transformer : transformer or None, default=None
        Applied to each chunk; fitted on the first chunk unless already fitted.
        With ``parallel``, ``transform`` runs on parts of a chunk in the threads
        that read them (``fit`` always sees a whole chunk, in this thread).
    chunk_size : int, default=256
        Rows per chunk.
    progress : bool, default=True
        Show a tqdm progress bar.
    desc : str or None, default=None
        Label of the progress bar.
    boundaries : sequence of int or None, default=None
        Chunk start positions to use instead of multiples of ``chunk_size``
        (a loader aligns them with the storage layout of its file).
    parallel : joblib.Parallel or None, default=None
        A thread pool; each chunk is split in ``2 * n_workers`` parts.
    n_workers : int, default=1
        Threads in ``parallel``.

    Returns
    -------
    X : ndarray of shape (n_rows, ...)
        The raw rows, or the transformer's output for them.
    """
    chunk_size = _check_chunk_size(chunk_size)
    _check_transformer(transformer)
    if boundaries is None:
        boundaries = list(range(0, n_rows, chunk_size))
    starts = [int(b) for b in boundaries] + [n_rows]
    ranges = list(zip(starts[:-1], starts[1:]))
    n_pieces = 1 if parallel is None or n_workers <= 1 else 2 * n_workers

    def run(tasks):
        if n_pieces == 1:
            return [func(*args) for func, *args in tasks]
        return parallel(delayed(func)(*args) for func, *args in tasks)

    transform = None if transformer is None else transformer.transform

    def read_transform(a, b, buf):
        read_chunk(a, b, buf)
        return None if transform is None else transform(buf)

    out = None
    if transformer is None:
        out = np.empty((n_rows, *row_shape), dtype=row_dtype)
    else:
        largest = max((b - a for a, b in ranges), default=0)
        buffer = np.empty((largest, *row_shape), dtype=row_dtype)
        fit = _needs_fit(transformer)
    with tqdm(
        total=n_rows, desc=desc, unit="img", disable=not progress, leave=False
    ) as bar:
        for start, stop in ranges:
            pieces = _split(start, stop, n_pieces)
            if transformer is None:
                run([(read_chunk, a, b, out[a:b]) for a, b in pieces])
                bar.update(stop - start)
                continue
            views = [buffer[a - start : b - start] for a, b in pieces]
            if fit:
                run([(read_chunk, a, b, v) for (a, b), v in zip(pieces, views)])
                transformer.fit(buffer[: stop - start])
                fit = False
                results = run([(transform, v) for v in views])
            else:
                results = run(
                    [(read_transform, a, b, v) for (a, b), v in zip(pieces, views)]
                )
            for (a, b), Xt in zip(pieces, results):
                Xt = np.asarray(Xt)
                if Xt.ndim == 0 or Xt.shape[0] != b - a:
                    raise ValueError(
                        f"{type(transformer).__name__}.transform returned shape "
                        f"{Xt.shape} for {b - a} images; a loader's transformer "
                        "must return one row per image."
                    )
                if out is None:
                    out = np.empty((n_rows, *Xt.shape[1:]), dtype=Xt.dtype)
                elif Xt.shape[1:] != out.shape[1:]:
                    raise ValueError(
                        f"{type(transformer).__name__}.transform returned rows of "
                        f"shape {Xt.shape[1:]} for images {a}:{b}, but "
                        f"{out.shape[1:]} for the first ones."
                    )
                out[a:b] = Xt
            bar.update(stop - start)
    return out


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
