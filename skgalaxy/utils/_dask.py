"""Dask helpers: images in an HDF5 file as a lazy array, estimators block by block.

Both work on a laptop's threads and on a ``dask.distributed`` cluster alike: the
HDF5 file is reopened by path inside each task (an open h5py dataset cannot be
sent to another process), and the estimator travels inside the task graph.
"""

from numbers import Integral
from pathlib import Path

import numpy as np
from sklearn.utils._param_validation import validate_params

from ._chunks import _needs_fit
from ._optional import import_optional
from ._param_validation import StrictInterval

__all__ = ["dask_apply", "hdf5_to_dask", "local_gpu_cluster"]


class _HDF5Rows:
    """Array-like view of one HDF5 dataset that opens the file on each read.

    ``dask.array.from_array`` needs ``shape``, ``dtype``, ``ndim`` and
    ``__getitem__``; this object pickles as a path and a key, so a read can run
    in any worker process.
    """

    def __init__(self, path, key, shape, dtype):
        self.path = str(path)
        self.key = key
        self.shape = tuple(shape)
        self.dtype = np.dtype(dtype)
        self.ndim = len(self.shape)

    def __getitem__(self, index):
        import h5py

        with h5py.File(self.path, "r") as f:
            return f[self.key][index]


@validate_params(
    {"chunk_size": [StrictInterval(Integral, 1, None, closed="left")]},
    prefer_skip_nested_validation=True,
)
def hdf5_to_dask(path, key="images", *, chunk_size=512):
    """Open an image dataset of an HDF5 file as a lazy dask array, in row chunks.

    Nothing is read until the array (or something computed from it) is
    computed; then each chunk of ``chunk_size`` images is read by whichever
    thread or worker process needs it. Use it for files larger than memory,
    such as the 2.5 GB Galaxy10 DECaLS file, with :func:`dask_apply` to
    transform or predict block by block.

    Parameters
    ----------
    path : str or path-like
        The HDF5 file.
    key : str, default="images"
        The dataset holding the images, shape ``(n_samples, height, width[,
        n_channels])``.
    chunk_size : int, default=512
        Images per dask chunk (512 Galaxy10 images are 100 MB).

    Returns
    -------
    images : dask.array.Array of shape (n_samples, height, width[, n_channels])
        Lazy images, in the file's dtype, chunked along the first axis only.

    Raises
    ------
    FileNotFoundError
        If ``path`` does not exist.
    ValueError
        If ``key`` is missing or is not a dataset of images.

    See Also
    --------
    skgalaxy.datasets.load_galaxy10 : Read the file into memory in chunks,
        through a transformer.
    dask_apply : Apply a transformer or a model block by block.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> import h5py
    >>> import numpy as np
    >>> from skgalaxy.utils import hdf5_to_dask
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     path = Path(tmp) / "galaxies.h5"
    ...     with h5py.File(path, "w") as f:
    ...         _ = f.create_dataset("images", data=np.zeros((10, 8, 8, 3), np.uint8))
    ...     images = hdf5_to_dask(path, chunk_size=4)
    ...     total = int(images.sum().compute())
    >>> images.shape, images.chunks[0], total
    ((10, 8, 8, 3), (4, 4, 2), 0)
    """
    import h5py

    da = import_optional("dask.array", extra="dask", feature="hdf5_to_dask")
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"HDF5 file not found: {path}.")
    try:
        f = h5py.File(path, "r")
    except OSError as exc:
        raise ValueError(f"{path} is not a readable HDF5 file: {exc}") from exc
    with f:
        if key not in f or not isinstance(f[key], h5py.Dataset):
            raise ValueError(
                f"{path} has no dataset {key!r}; found {sorted(f.keys())}. Pass "
                "the name of the images dataset as key."
            )
        shape, dtype = f[key].shape, f[key].dtype
    if len(shape) not in (3, 4):
        raise ValueError(
            f"dataset {key!r} of {path} has shape {shape}; images must be "
            "(n_samples, height, width) or (n_samples, height, width, n_channels)."
        )
    rows = _HDF5Rows(path, key, shape, dtype)
    token = da.core.tokenize(str(path.resolve()), key, path.stat().st_mtime_ns)
    return da.from_array(
        rows,
        chunks=(chunk_size, *shape[1:]),
        name=f"hdf5-{key}-{token}",
        meta=np.empty((0,) * len(shape), dtype=dtype),
    )


def dask_apply(estimator, X, *, method="transform"):
    """Apply a fitted estimator's method to a dask array of images, block by block.

    Each chunk of images goes through ``getattr(estimator, method)`` on its own,
    so memory holds a few chunks at a time and the work spreads over the
    threads or workers of the current dask scheduler. The output is lazy;
    ``.compute()`` it, or store it (``da.to_hdf5``, ``da.to_zarr``).

    A transformer that is not fitted yet is fitted on the first chunk, as the
    loaders do; a model used through ``predict``-like methods must be fitted.

    Parameters
    ----------
    estimator : estimator
        A transformer (``Coarsen``, a ``Pipeline`` of transformers) or a fitted
        model.
    X : dask.array.Array of shape (n_samples, ...)
        The images, e.g. from :func:`hdf5_to_dask`. Chunks along the first axis
        only; other axes are merged into one chunk if needed.
    method : str, default="transform"
        The method to apply: ``"transform"``, ``"predict"``,
        ``"predict_proba"``, ``"decision_function"``, ...

    Returns
    -------
    result : dask.array.Array
        The method's output for every image, chunked like ``X`` along the first
        axis.

    Raises
    ------
    TypeError
        If ``X`` is not a dask array.
    ValueError
        If the estimator has no method ``method``.

    See Also
    --------
    hdf5_to_dask : Images of an HDF5 file as a lazy dask array.

    Examples
    --------
    >>> import dask.array as da
    >>> import numpy as np
    >>> from sklearn.preprocessing import FunctionTransformer
    >>> from skgalaxy.utils import dask_apply
    >>> X = da.ones((10, 8, 8, 3), chunks=(4, 8, 8, 3))
    >>> half = FunctionTransformer(lambda X: X[:, ::2, ::2] / 2)
    >>> out = dask_apply(half, X)
    >>> out.shape, out.chunks[0], float(out.max().compute())
    ((10, 4, 4, 3), (4, 4, 2), 0.5)
    """
    da = import_optional("dask.array", extra="dask", feature="dask_apply")
    if not isinstance(X, da.Array):
        raise TypeError(
            f"X must be a dask array, got {type(X).__name__}; wrap a NumPy array "
            "with dask.array.from_array(X, chunks=(chunk_size, ...)) or use "
            "hdf5_to_dask."
        )
    if X.ndim < 2:
        raise ValueError(
            f"X must hold one sample per row (2 or more dimensions); got a "
            f"{X.ndim}-D array."
        )
    if not callable(getattr(estimator, method, None)):
        raise ValueError(
            f"{type(estimator).__name__} has no method {method!r}; pick one it "
            "has, such as 'transform', 'predict' or 'predict_proba'."
        )
    X = X.rechunk(dict.fromkeys(range(1, X.ndim), -1))
    if method == "transform":
        if _needs_fit(estimator):
            estimator.fit(X.blocks[0].compute())
    func = getattr(estimator, method)

    # One sample through the method gives the output's shape and dtype.
    probe = np.asarray(func(X[:1].compute()))
    out_ndim = probe.ndim
    chunks = (X.chunks[0], *((size,) for size in probe.shape[1:]))
    kwargs = {}
    if out_ndim < X.ndim:
        kwargs["drop_axis"] = list(range(out_ndim, X.ndim))
    elif out_ndim > X.ndim:
        kwargs["new_axis"] = list(range(X.ndim, out_ndim))
    return X.map_blocks(
        func,
        chunks=chunks,
        dtype=probe.dtype,
        meta=np.empty((0,) * out_ndim, dtype=probe.dtype),
        **kwargs,
    )


@validate_params(
    {"n_gpus": [StrictInterval(Integral, 1, None, closed="left"), None]},
    prefer_skip_nested_validation=True,
)
def local_gpu_cluster(
    n_gpus=None,
    *,
    threads_per_worker=1,
    host="127.0.0.1",
    dashboard_address=None,
):
    """Start a Dask cluster on this machine with one worker process per GPU.

    Worker ``i`` runs with ``CUDA_VISIBLE_DEVICES=i``, so inside it PyTorch sees
    exactly one GPU, as ``cuda:0``; with one thread per worker, each GPU trains
    one network at a time. Workers also advertise the resource ``GPU=1``. Use it
    to spread a :class:`~sklearn.model_selection.GridSearchCV` over CNN
    estimators across the GPUs of one machine through joblib's ``"dask"``
    backend (see the user guide's scaling page for a cluster of several
    machines).

    Parameters
    ----------
    n_gpus : int or None, default=None
        Number of workers (GPUs); None counts the GPUs PyTorch sees.
    threads_per_worker : int, default=1
        Threads of each worker; keep 1 so two fits never share a GPU.
    host : str, default="127.0.0.1"
        Address the scheduler and workers listen on (loopback by default).
    dashboard_address : str or None, default=None
        Where to serve Dask's dashboard, e.g. ``":8787"``; None serves none.

    Returns
    -------
    cluster : distributed.SpecCluster
        The running cluster; connect with ``distributed.Client(cluster)`` and
        close it when done (both are context managers).

    Raises
    ------
    ValueError
        If ``n_gpus`` is not a positive integer, or is None and PyTorch sees no
        GPU.

    See Also
    --------
    dask_apply : Apply an estimator to a dask array block by block.

    Notes
    -----
    The workers are new processes: run the code that starts the cluster under
    ``if __name__ == "__main__":`` in a script. ``dask-cuda``'s
    ``LocalCUDACluster`` does the same with more options, where it is
    installed.

    Examples
    --------
    Search over CNNs with one network per GPU at a time (``X``, ``y`` and
    ``grid`` are yours):

    >>> import joblib
    >>> from distributed import Client
    >>> from sklearn.model_selection import GridSearchCV
    >>> from skgalaxy.utils import local_gpu_cluster
    >>> def search_on_gpus(X, y, grid):
    ...     from skgalaxy.neural_network import CNNClassifier
    ...     with local_gpu_cluster() as cluster, Client(cluster):
    ...         with joblib.parallel_config(backend="dask"):
    ...             search = GridSearchCV(CNNClassifier(device="cuda"), grid, n_jobs=-1)
    ...             return search.fit(X, y)
    """
    distributed = import_optional(
        "distributed", extra="dask", feature="local_gpu_cluster"
    )
    if n_gpus is None:
        torch = import_optional("torch", extra="torch", feature="local_gpu_cluster")
        n_gpus = torch.cuda.device_count()
        if n_gpus == 0:
            raise ValueError(
                "local_gpu_cluster found no GPU (torch.cuda.device_count() is 0); "
                "pass n_gpus to start workers anyway, or use LocalCluster on CPUs."
            )
    workers = {
        f"gpu{i}": {
            "cls": distributed.Nanny,
            "options": {
                "nthreads": threads_per_worker,
                "host": host,
                "resources": {"GPU": 1},
                "dashboard": False,
                # Set before the worker process starts, so before CUDA is set up.
                "env": {"CUDA_VISIBLE_DEVICES": str(i)},
            },
        }
        for i in range(int(n_gpus))
    }
    if dashboard_address is None:
        # The scheduler serves health checks over HTTP anyway: any free port.
        dashboard = {"dashboard": False, "dashboard_address": ":0"}
    else:
        dashboard = {"dashboard": True, "dashboard_address": dashboard_address}
    scheduler = {"cls": distributed.Scheduler, "options": {"host": host, **dashboard}}
    return distributed.SpecCluster(
        workers=workers, scheduler=scheduler, name="skgalaxy-gpu"
    )
