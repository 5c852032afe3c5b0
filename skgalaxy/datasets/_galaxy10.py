"""Loader for the Galaxy10 HDF5 files (DECaLS, and the original SDSS set)."""

import math
from numbers import Integral
from pathlib import Path

import h5py
import numpy as np
from sklearn.utils import Bunch
from sklearn.utils._param_validation import validate_params

from ..utils._chunks import _check_transformer, stream_chunks
from ..utils._param_validation import StrictInterval
from ._classes import GALAXY10_CLASSES

__all__ = ["check_stored", "load_galaxy10"]

_METADATA = ("ra", "dec", "redshift", "pxscale")

_DESCR = """\
Galaxy10
--------
{n} galaxy images of {shape} pixels, each in one of 10 Galaxy Zoo morphology
classes (Leung & Bovy): Galaxy10 DECaLS holds g, r, z cutouts from the DESI
Legacy Imaging Surveys (Walmsley et al. 2021), Galaxy10 SDSS g, r, i cutouts
from the Sloan Digital Sky Survey, each with its own classes. Read from
{path}{indices}.
Images: {images}. Target: class index 0..9, names in ``target_names``.
Metadata columns: {meta}.
"""


def _check_dataset(f, key, path):
    if key not in f:
        raise ValueError(
            f"{path} has no {key!r} dataset; a Galaxy10 file holds 'images' "
            f"(N, 256, 256, 3) uint8 and 'ans' (N,) labels. Found: "
            f"{sorted(f.keys())}."
        )
    ds = f[key]
    if not isinstance(ds, h5py.Dataset):
        raise ValueError(f"{path}: {key!r} is an HDF5 group, expected a dataset.")
    return ds


def check_stored(ds, path):
    """Refuse an HDF5 dataset that declares more data than the file stores.

    HDF5 reads never-written storage as the fill value, so a file of a few
    kilobytes may declare millions of images and read as zeros. The rule:
    every chunk of a chunked dataset must be stored (compressed chunks are
    legitimately small, so their bytes are not counted), and a contiguous
    dataset must have its full size allocated. Virtual and external datasets
    are taken as they are.
    """
    if ds.size == 0 or ds.is_virtual or ds.external:
        return
    if ds.chunks is None:
        stored, needed = ds.id.get_storage_size(), ds.size * ds.dtype.itemsize
        missing = stored < needed
        detail = f"{stored:,} of its {needed:,} bytes"
    else:
        needed = math.prod(math.ceil(s / c) for s, c in zip(ds.shape, ds.chunks))
        stored = ds.id.get_num_chunks()
        missing = stored < needed
        detail = f"{stored:,} of its {needed:,} chunks"
    if missing:
        raise ValueError(
            f"{path}: {ds.name.lstrip('/')!r} declares {ds.shape[0]:,} images of "
            f"shape {ds.shape[1:]}, but the file stores only {detail}; the rest "
            "was never written and would read as zeros. Rewrite the file with "
            "every image."
        )


def _check_indices(indices, n_total):
    """Return the sorted unique rows to read and how to reorder them."""
    if indices is None:
        return None, None
    if isinstance(indices, slice):
        return np.arange(n_total)[indices], None
    idx = np.asarray(indices)
    if idx.dtype == bool:
        if idx.shape != (n_total,):
            raise ValueError(
                f"indices is a boolean mask of shape {idx.shape}; expected "
                f"({n_total},), one entry per image in the file."
            )
        return np.flatnonzero(idx), None
    if idx.ndim != 1 or (idx.size and idx.dtype.kind not in "iu"):
        raise TypeError(
            "indices must be a 1-D array of integer row numbers, a boolean mask or "
            f"a slice; got dtype {idx.dtype} and shape {idx.shape}."
        )
    if idx.size == 0:
        raise ValueError("indices selects no image; select at least one.")
    idx = idx.astype(np.int64)
    bad = (idx < -n_total) | (idx >= n_total)
    if bad.any():
        raise ValueError(
            f"indices holds {idx[bad][0]}, out of range for a file of {n_total} images."
        )
    idx = np.where(idx < 0, idx + n_total, idx)
    rows, inverse = np.unique(idx, return_inverse=True)
    if rows.size == idx.size and (inverse == np.arange(idx.size)).all():
        inverse = None
    return rows, inverse


def _boundaries(rows, chunk_size, ds):
    """Chunk starts; whole rows read in multiples of the file's stored chunks.

    Each compressed HDF5 chunk is then decompressed exactly once, straight into
    the loader's buffer, and HDF5's chunk cache is not needed.
    """
    step = chunk_size
    if ds.chunks is not None and rows is None:
        stored = ds.chunks[0]
        step = max(1, chunk_size // stored) * stored
    n = ds.shape[0] if rows is None else rows.size
    return list(range(0, n, step))


@validate_params(
    {"chunk_size": [StrictInterval(Integral, 1, None, closed="left")]},
    prefer_skip_nested_validation=True,
)
def load_galaxy10(
    path,
    *,
    transformer=None,
    chunk_size=512,
    indices=None,
    return_X_y=False,
    progress=True,
    target_names=None,
):
    """Load a Galaxy10 dataset from its HDF5 file, in chunks.

    The file (``Galaxy10_DECals.h5``, 17,736 images, 2.5 GB, or Galaxy10 SDSS's
    ``Galaxy10.h5``, 21,785 images of 69x69) is read
    ``chunk_size`` images at a time. With a ``transformer`` (for example
    ``Coarsen(4)``) each chunk is transformed before the next is read, so peak
    memory follows the transformed output, not the raw images.

    Parameters
    ----------
    path : str or path-like
        The HDF5 file. It must hold ``images`` (uint8, shape ``(N, h, w)`` or
        ``(N, h, w, c)``; 256x256x3 in Galaxy10 DECaLS) and ``ans`` (N integer
        labels in 0..9). ``ra``, ``dec``, ``redshift`` and ``pxscale`` are read
        when present.
    transformer : transformer or None, default=None
        A scikit-learn style transformer applied chunk by chunk. It is fitted on
        the first chunk unless it is already fitted; it is modified in place.
    chunk_size : int, default=512
        Images read (and transformed) at a time: 512 raw images take 100 MB.
        For a chunked (compressed) file it is rounded down to whole stored
        chunks (up to one stored chunk), so each is decompressed once.
    indices : array-like of int or bool, slice or None, default=None
        Rows of the file to load: row numbers (loaded in the order given) or a
        boolean mask with one entry per image; ``None`` loads all.
    return_X_y : bool, default=False
        Return ``(images, target)`` instead of a Bunch.
    progress : bool, default=True
        Show a progress bar.
    target_names : sequence of 10 str or None, default=None
        The class names, indexed by label. ``None`` gives Galaxy10 DECaLS's
        (:data:`GALAXY10_CLASSES`); pass :data:`GALAXY10_SDSS_CLASSES` for the
        SDSS file (:func:`fetch_galaxy10_sdss` does).

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        With attributes

        - ``images``: ndarray of shape (n_samples, h, w, c), uint8 (or the
          transformer's output);
        - ``data``: the same values as a 2-D array (a view of ``images``);
        - ``target``: ndarray of shape (n_samples,), int64 class indices;
        - ``target_names``: the 10 class names (``target_names``);
        - ``ra``, ``dec``, ``redshift``, ``pxscale``: float arrays of shape
          (n_samples,), those present in the file;
        - ``indices``: the rows of the file that were read;
        - ``filename``, ``DESCR``.
    (images, target) : tuple
        If ``return_X_y=True``.

    Raises
    ------
    FileNotFoundError
        If ``path`` does not exist.
    ValueError
        If the file is not HDF5, lacks ``images`` or ``ans``, or a dataset has
        the wrong shape, dtype or values.

    See Also
    --------
    fetch_galaxy10_decals : Download the file (once) and load it.
    load_galaxy_zoo : The Kaggle Galaxy Zoo images and vote fractions.
    make_galaxies : Synthetic galaxies in the Galaxy10 classes.

    Examples
    --------
    Write a tiny file in the Galaxy10 format and load it, coarsened 4x:

    >>> import tempfile
    >>> from pathlib import Path
    >>> import h5py
    >>> import numpy as np
    >>> from sklearn.preprocessing import FunctionTransformer
    >>> from skgalaxy.datasets import load_galaxy10
    >>> rng = np.random.default_rng(0)
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     path = Path(tmp) / "Galaxy10_DECals.h5"
    ...     with h5py.File(path, "w") as f:
    ...         _ = f.create_dataset("images", data=rng.integers(
    ...             0, 256, (5, 16, 16, 3), dtype=np.uint8))
    ...         _ = f.create_dataset("ans", data=np.array([0, 3, 3, 9, 5], np.uint8))
    ...         _ = f.create_dataset("redshift", data=rng.uniform(0, 0.2, 5))
    ...     coarsen = FunctionTransformer(
    ...         lambda X: X.reshape(len(X), 4, 4, 4, 4, 3).mean(axis=(2, 4)))
    ...     galaxies = load_galaxy10(path, transformer=coarsen, chunk_size=2,
    ...                              progress=False)
    >>> galaxies.images.shape, galaxies.target
    ((5, 4, 4, 3), array([0, 3, 3, 9, 5]))
    >>> galaxies.target_names[galaxies.target[1]]
    'in-between round smooth'
    >>> galaxies.redshift.shape
    (5,)
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(
            f"Galaxy10 file not found: {path}. Download Galaxy10_DECals.h5 from "
            "https://github.com/henrysky/Galaxy10 and pass its path."
        )
    _check_transformer(transformer)
    names = list(GALAXY10_CLASSES if target_names is None else target_names)
    if len(names) != len(GALAXY10_CLASSES) or not all(
        isinstance(n, str) for n in names
    ):
        raise ValueError(
            f"target_names must be {len(GALAXY10_CLASSES)} class names (str); got "
            f"{target_names!r}."
        )
    if not h5py.is_hdf5(path):
        raise ValueError(f"{path} is not an HDF5 file; expected Galaxy10_DECals.h5.")
    with h5py.File(path, "r") as f:
        images = _check_dataset(f, "images", path)
        ans = _check_dataset(f, "ans", path)
        if images.ndim not in (3, 4) or 0 in images.shape:
            raise ValueError(
                f"{path}: 'images' has shape {images.shape}; expected "
                "(N, height, width[, channels]), e.g. (N, 256, 256, 3)."
            )
        if images.dtype != np.uint8:
            raise ValueError(
                f"{path}: 'images' has dtype {images.dtype}; Galaxy10 images are "
                "uint8 (0..255)."
            )
        check_stored(images, path)
        n_total = images.shape[0]
        if ans.shape != (n_total,):
            raise ValueError(
                f"{path}: 'ans' has shape {ans.shape}; expected ({n_total},), one "
                "label per image."
            )
        if ans.dtype.kind not in "iu":
            raise ValueError(
                f"{path}: 'ans' has dtype {ans.dtype}; expected integer class "
                "labels 0..9."
            )
        rows, inverse = _check_indices(indices, n_total)
        if rows is not None and rows.size == 0:
            raise ValueError("indices selects no image; select at least one.")
        sel = slice(None) if rows is None else rows
        target = np.asarray(ans[()], dtype=np.int64)[sel]
        if target.size and (target.min() < 0 or target.max() >= len(GALAXY10_CLASSES)):
            raise ValueError(
                f"{path}: 'ans' holds labels in [{target.min()}, {target.max()}]; "
                f"Galaxy10 labels are 0..{len(GALAXY10_CLASSES) - 1}."
            )
        meta = {}
        for key in _METADATA:
            if key not in f:
                continue
            ds = _check_dataset(f, key, path)
            if ds.shape != (n_total,) or ds.dtype.kind not in "iuf":
                raise ValueError(
                    f"{path}: {key!r} has shape {ds.shape} and dtype {ds.dtype}; "
                    f"expected ({n_total},) numbers, one per image."
                )
            meta[key] = np.asarray(ds[()], dtype=np.float64)[sel]

        if rows is None:

            def read_chunk(start, stop, out):
                images.read_direct(out, source_sel=np.s_[start:stop])

        else:

            def read_chunk(start, stop, out):
                lo, hi = rows[start], rows[stop - 1] + 1
                if hi - lo == stop - start:  # contiguous rows: no fancy indexing
                    images.read_direct(out, source_sel=np.s_[lo:hi])
                else:
                    out[...] = images[rows[start:stop]]

        n_rows = n_total if rows is None else rows.size
        X = stream_chunks(
            n_rows,
            read_chunk,
            row_shape=images.shape[1:],
            row_dtype=images.dtype,
            transformer=transformer,
            chunk_size=chunk_size,
            progress=progress,
            desc="Galaxy10",
            boundaries=_boundaries(rows, chunk_size, images),
        )
    if inverse is not None:
        X, target = X[inverse], target[inverse]
        meta = {k: v[inverse] for k, v in meta.items()}
        rows = rows[inverse]
    if return_X_y:
        return X, target
    descr = _DESCR.format(
        n=len(X),
        shape="x".join(str(s) for s in images.shape[1:]),
        path=path.name,
        indices="" if rows is None else " (rows selected by indices)",
        images=f"{X.dtype} array of shape {X.shape}"
        + ("" if transformer is None else f" after {type(transformer).__name__}"),
        meta=", ".join(meta) or "none in this file",
    )
    return Bunch(
        images=X,
        data=X.reshape(len(X), -1),
        target=target,
        target_names=names,
        indices=np.arange(n_total) if rows is None else rows,
        filename=str(path),
        DESCR=descr,
        **meta,
    )
