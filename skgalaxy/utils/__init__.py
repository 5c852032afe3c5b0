"""Utilities: image-array validation, optional imports, estimator checks."""

from ._optional import import_optional
from ._validation import check_image_shape, check_images, describe_shape

__all__ = ["check_image_shape", "check_images", "describe_shape", "import_optional"]
