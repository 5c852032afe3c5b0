"""Loader for Mocz's CSV format: a label, then the pixels of one image, per row."""

import warnings
from numbers import Integral
from pathlib import Path

import numpy as np
from sklearn.utils import Bunch
from sklearn.utils._param_validation import validate_params

from ..utils._param_validation import StrictInterval

__all__ = ["load_galaxy_csv", "MOCZ_CLASSES"]

MOCZ_CLASSES = ("elliptical", "spiral", "irregular")

_DESCR = """\
Galaxy images from a label + pixels CSV
---------------------------------------
{n} grayscale images of {shape} pixels read from {path}: each row holds a class
label then the pixel values (0..255, row-major), with no header, as in Philip Mocz's
neural-network tutorial (Galaxy Zoo 2 galaxies, 0 = elliptical, 1 = spiral,
2 = irregular). Labels found: {labels}.
"""


_POSITIVE = StrictInterval(Integral, 1, None, closed="left")


def _check_image_shape(image_shape):
    if len(image_shape) not in (2, 3) or not all(
        _POSITIVE.is_satisfied_by(s) for s in image_shape
    ):
        raise ValueError(
            "image_shape must be (height, width) or (height, width, channels) of "
            f"positive integers, got {image_shape!r}."
        )
    return tuple(int(s) for s in image_shape)


# Labels are class indices: beyond this they are not (and int64 would wrap).
_MAX_LABEL = 2**31 - 1


@validate_params(
    {"image_shape": [tuple, list], "target_names": [tuple, list, None]},
    prefer_skip_nested_validation=True,
)
def load_galaxy_csv(path, *, return_X_y=False, image_shape=(32, 32), target_names=None):
    r"""Load galaxy images stored one per CSV row: a label, then the pixels.

    This is the format of Philip Mocz's galaxy classification tutorial: no
    header, column 0 the class label (0 elliptical, 1 spiral, 2 irregular), then
    ``height * width`` integer pixel values 0..255 in row-major
    order. A ``.gz`` file is decompressed on the fly.

    Parameters
    ----------
    path : str or path-like
        The CSV file (``.csv`` or ``.csv.gz``).
    return_X_y : bool, default=False
        Return ``(images, target)`` instead of a Bunch.
    image_shape : tuple of int, default=(32, 32)
        Shape of one image: ``(height, width)`` or ``(height, width, channels)``;
        each row must hold ``1 + prod(image_shape)`` values.
    target_names : sequence of str or None, default=None
        The class names, indexed by label. ``None`` means Mocz's three
        (elliptical, spiral, irregular), which only fit labels 0, 1 and 2: a
        file with other labels needs its own names.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        With attributes

        - ``images``: uint8 ndarray of shape (n_samples, \*image_shape);
        - ``data``: the same pixels as a 2-D array (a view of ``images``);
        - ``target``: int64 ndarray of shape (n_samples,);
        - ``target_names``: ``["elliptical", "spiral", "irregular"]`` (or
          ``target_names``);
        - ``filename``, ``DESCR``.
    (images, target) : tuple
        If ``return_X_y=True``.

    Raises
    ------
    FileNotFoundError
        If ``path`` does not exist.
    ValueError
        If a cell is not a number, the rows differ in length or do not hold
        ``1 + prod(image_shape)`` values, a pixel is outside 0..255 or not an
        integer, a label is not a non-negative integer (class index), or a
        label has no name in ``target_names``.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from skgalaxy.datasets import load_galaxy_csv
    >>> rows = ["1," + ",".join(["255"] * 16), "0," + ",".join(["7"] * 16)]
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     path = Path(tmp) / "train.csv"
    ...     _ = path.write_text("\n".join(rows) + "\n")
    ...     galaxies = load_galaxy_csv(path, image_shape=(4, 4))
    >>> galaxies.images.shape, galaxies.images.dtype
    ((2, 4, 4), dtype('uint8'))
    >>> galaxies.target, [galaxies.target_names[t] for t in galaxies.target]
    (array([1, 0]), ['spiral', 'elliptical'])
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"CSV file not found: {path}")
    image_shape = _check_image_shape(image_shape)
    n_pixels = int(np.prod(image_shape))
    try:
        with warnings.catch_warnings():
            # An empty file warns; it is reported as an error just below.
            warnings.simplefilter("ignore", UserWarning)
            table = np.loadtxt(path, delimiter=",", dtype=np.float64, ndmin=2)
    except ValueError as exc:
        raise ValueError(
            f"{path} could not be read as a table of numbers ({exc}). Expected "
            f"rows of a label "
            f"then {n_pixels} pixel values, comma-separated, with no header."
        ) from exc
    if table.shape[0] == 0:
        raise ValueError(f"{path} holds no rows.")
    if table.shape[1] != 1 + n_pixels:
        raise ValueError(
            f"{path} has {table.shape[1]} columns per row; expected {1 + n_pixels}: "
            f"a label then {n_pixels} pixel values for images of "
            f"{'x'.join(map(str, image_shape))} (set image_shape to match)."
        )
    labels, pixels = table[:, 0], table[:, 1:]
    if not np.isfinite(table).all():
        row = int(np.flatnonzero(~np.isfinite(table).all(axis=1))[0])
        raise ValueError(f"{path}: row {row} holds NaN or infinity.")
    bad = (pixels < 0) | (pixels > 255) | (pixels != np.round(pixels))
    if bad.any():
        row, col = np.argwhere(bad)[0]
        raise ValueError(
            f"{path}: row {row}, pixel {col} is {pixels[row, col]:g}; pixel values "
            "must be integers in 0..255."
        )
    bad = (labels < 0) | (labels != np.round(labels)) | (labels > _MAX_LABEL)
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        raise ValueError(
            f"{path}: row {row} has label {labels[row]:g}; labels must be "
            f"non-negative integers (class indices, at most {_MAX_LABEL})."
        )
    names = list(MOCZ_CLASSES if target_names is None else target_names)
    if labels.max() >= len(names):
        row = int(np.argmax(labels))
        whose = "Mocz's three classes" if target_names is None else "target_names"
        raise ValueError(
            f"{path}: row {row} has label {labels[row]:g}, but the class names "
            f"are {whose} ({', '.join(names)}), for labels 0..{len(names) - 1}; "
            f"pass target_names with a name for each of the "
            f"{int(labels.max()) + 1} labels."
        )
    images = pixels.astype(np.uint8).reshape(-1, *image_shape)
    target = labels.astype(np.int64)
    if return_X_y:
        return images, target
    return Bunch(
        images=images,
        data=images.reshape(len(images), -1),
        target=target,
        target_names=names,
        filename=str(path),
        DESCR=_DESCR.format(
            n=len(images),
            shape="x".join(map(str, image_shape)),
            path=path.name,
            labels=", ".join(str(v) for v in np.unique(target)),
        ),
    )
