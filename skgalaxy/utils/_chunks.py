"""Chunks: how skgalaxy splits a stack of images, to compute on it or to read it.

Batched array work runs over cache-sized chunks (:func:`chunk_length`). Loaders
share one engine, :func:`stream_chunks`: rows are read chunk by chunk into a reused
buffer, passed through an optional transformer (fitted on the first chunk unless it
is already fitted), and copied into one preallocated output array. Peak memory is
therefore the output plus one chunk, whatever the size of the input.
"""

import numbers

import numpy as np
from joblib import delayed
from sklearn.exceptions import NotFittedError
from sklearn.utils import check_scalar
from sklearn.utils.validation import check_is_fitted
from tqdm.auto import tqdm

__all__ = ["CHUNK_BYTES", "chunk_length", "stream_chunks"]

#: Batched work runs over chunks of about this many bytes of float32, so each
#: chunk's temporaries stay in the CPU cache (measured: 2 to 4 MiB is best).
CHUNK_BYTES = 4 * 2**20


def chunk_length(X, dtype=np.float32):
    """Return how many images of ``X`` make one chunk of about :data:`CHUNK_BYTES`.

    Parameters
    ----------
    X : ndarray of shape (n_samples, ...)
        The stack of images (only its shape is read).
    dtype : dtype, default=np.float32
        The dtype the chunk's work is done in.

    Returns
    -------
    n : int
        Images per chunk, at least 1.

    Examples
    --------
    >>> import numpy as np
    >>> from skgalaxy.utils._chunks import chunk_length
    >>> chunk_length(np.zeros((10, 256, 256, 3), dtype=np.uint8))
    5
    """
    per_image = int(np.prod(X.shape[1:])) * np.dtype(dtype).itemsize
    return max(1, CHUNK_BYTES // max(per_image, 1))


def _check_transformer(transformer):
    if transformer is not None and not hasattr(transformer, "transform"):
        raise TypeError(
            "transformer must be a scikit-learn style transformer with a "
            f"'transform' method, got {type(transformer).__name__}."
        )


def _needs_fit(transformer):
    """Return True when ``transformer`` has ``fit`` and is not fitted yet."""
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
    chunk_size = check_scalar(chunk_size, "chunk_size", numbers.Integral, min_val=1)
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
