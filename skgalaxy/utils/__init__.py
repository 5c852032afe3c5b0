"""Utilities: image-array validation, optional imports, estimator checks."""

from ._dask import dask_apply, hdf5_to_dask, local_gpu_cluster
from ._optional import import_optional
from ._validation import (
    as_float_images,
    check_image_shape,
    check_images,
    describe_shape,
    float_dtype,
)

__all__ = [
    "as_float_images",
    "check_image_shape",
    "check_images",
    "dask_apply",
    "describe_shape",
    "float_dtype",
    "hdf5_to_dask",
    "import_optional",
    "local_gpu_cluster",
]
