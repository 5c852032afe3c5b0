"""Loader for the Kaggle "Galaxy Zoo - The Galaxy Challenge" training data."""

import csv
from numbers import Integral
from pathlib import Path

import numpy as np
from sklearn.utils import Bunch
from sklearn.utils._param_validation import validate_params

from ..utils._chunks import _check_transformer
from ..utils._param_validation import StrictInterval
from ._images import IMAGE_EXTENSIONS, image_id, list_images, read_image_files
from ._tree import VOTE_COLUMNS, check_votes

__all__ = ["load_galaxy_zoo"]

SOLUTIONS_CSV = "training_solutions_rev1.csv"
IMAGE_FOLDERS = ("images_training_rev1", "images")

_DESCR = """\
Galaxy Zoo (Kaggle "The Galaxy Challenge")
------------------------------------------
{n} SDSS galaxy images ({shape}) from Galaxy Zoo 2, read from {image_dir}.
{targets}
Images: {images}. ``ids`` holds each image's GalaxyID.
"""


def _image_path(image_dir, galaxy_id):
    """Return ``<GalaxyID>.jpg``, or the file with another image extension.

    (FITS cutouts, ``<GalaxyID>.fits.gz``) when only that one exists.
    """
    jpg = image_dir / f"{galaxy_id}.jpg"
    if jpg.is_file():
        return jpg
    for ext in IMAGE_EXTENSIONS:
        other = image_dir / f"{galaxy_id}{ext}"
        if other.is_file():
            return other
    return jpg


def _image_folder(directory):
    for name in IMAGE_FOLDERS:
        if (directory / name).is_dir():
            return directory / name
    return directory


def _parse_numbers(column, dtype, what, csv_path, ids=None):
    """Convert a column of strings, naming the first bad cell on failure."""
    try:
        return np.asarray(column).astype(dtype)
    except ValueError:
        for i, cell in enumerate(column):
            try:
                dtype(cell)
            except ValueError:
                where = f"line {i + 2}" + (
                    "" if ids is None else f" (GalaxyID {ids[i]})"
                )
                raise ValueError(
                    f"{csv_path}, {where}: {what} {str(cell)!r} is not a number."
                ) from None
        raise


def _read_solutions(csv_path):
    """Read the GalaxyIDs and the 37 vote fractions of the Kaggle CSV."""
    with open(csv_path, newline="", encoding="utf-8-sig") as fh:
        reader = csv.reader(fh)
        header = next(reader, None)
        rows = list(reader)
    if header is None:
        raise ValueError(f"{csv_path} is empty; expected a header 'GalaxyID,...'.")
    header = [h.strip() for h in header]
    if not header or header[0] != "GalaxyID":
        raise ValueError(
            f"{csv_path}: the first column is {header[0]!r}; expected 'GalaxyID' "
            "then the 37 vote columns Class1.1 ... Class11.6."
        )
    missing = [c for c in VOTE_COLUMNS if c not in header]
    if missing:
        raise ValueError(
            f"{csv_path} lacks {len(missing)} of the 37 vote columns: "
            f"{', '.join(missing[:6])}{' ...' if len(missing) > 6 else ''}. "
            "Expected the Kaggle header GalaxyID,Class1.1,...,Class11.6."
        )
    if not rows:
        raise ValueError(f"{csv_path} has a header but no rows.")
    rows = [r for r in rows if r]  # a blank last line is harmless
    for i, r in enumerate(rows):
        if len(r) != len(header):
            raise ValueError(
                f"{csv_path}, line {i + 2}: {len(r)} cells; the header has "
                f"{len(header)}."
            )
    table = np.array(rows, dtype=str)
    id_cells = np.char.strip(table[:, 0])
    ids = _parse_numbers(id_cells, int, "GalaxyID", csv_path).astype(np.int64)
    unique, counts = np.unique(ids, return_counts=True)
    if (counts > 1).any():
        dup = unique[counts > 1]
        raise ValueError(
            f"{csv_path} lists GalaxyID {dup[0]} more than once "
            f"({dup.size} duplicated id(s)); each galaxy must appear once."
        )
    columns = [header.index(c) for c in VOTE_COLUMNS]
    votes = np.empty((len(rows), len(columns)), dtype=np.float64)
    for j, col in enumerate(columns):
        votes[:, j] = _parse_numbers(
            table[:, col], float, f"{header[col]} value", csv_path, ids
        )
    try:
        return ids, check_votes(votes, input_name=f"vote fractions in {csv_path}")
    except ValueError as exc:
        # Name the first bad cell: a user fixes a 61,578-row file by its line.
        bad = ~np.isfinite(votes) | (votes < 0) | (votes > 1)
        if not bad.any():
            raise
        i, j = np.argwhere(bad)[0]
        raise ValueError(
            f"{exc} First bad cell: line {i + 2} (GalaxyID {ids[i]}), "
            f"{VOTE_COLUMNS[j]} = {votes[i, j]:g}."
        ) from exc


@validate_params(
    {
        "chunk_size": [StrictInterval(Integral, 1, None, closed="left")],
        "max_images": [StrictInterval(Integral, 1, None, closed="left"), None],
    },
    prefer_skip_nested_validation=True,
)
def load_galaxy_zoo(
    directory,
    *,
    transformer=None,
    n_jobs=None,
    chunk_size=256,
    max_images=None,
    return_X_y=False,
    progress=True,
):
    r"""Load the Kaggle Galaxy Zoo training images and their vote fractions.

    Reads the layout of Kaggle's "Galaxy Zoo - The Galaxy Challenge":
    ``training_solutions_rev1.csv`` (a ``GalaxyID`` column and the 37 vote
    fractions ``Class1.1`` ... ``Class11.6``) and the JPEGs
    ``images_training_rev1/<GalaxyID>.jpg``. The 61,578 raw 424x424x3 images
    take 33 GB, so they are decoded in chunks on ``n_jobs`` threads and passed
    through ``transformer`` chunk by chunk: memory follows the transformed
    output.

    Without the CSV, the folder's ``<GalaxyID>.jpg`` images are loaded with
    ``target=None``.

    Parameters
    ----------
    directory : str or path-like
        The folder holding ``training_solutions_rev1.csv`` (optional) and the
        images, in ``images_training_rev1/``, ``images/`` or the folder itself.
    transformer : transformer or None, default=None
        A scikit-learn style transformer applied to each chunk of images. It is
        fitted on the first chunk unless it is already fitted; it is modified in
        place. Its ``transform`` runs in the decoding threads, on parts of each
        chunk.
    n_jobs : int or None, default=None
        Threads decoding JPEGs. ``None`` means 1 unless in a
        :func:`joblib.parallel_config` context; ``-1`` means all cores.
    chunk_size : int, default=256
        Images decoded (and transformed) at a time (256 raw images: 138 MB).
    max_images : int or None, default=None
        Load only the first ``max_images`` galaxies (CSV order, or increasing
        GalaxyID without a CSV).
    return_X_y : bool, default=False
        Return ``(images, target)`` instead of a Bunch.
    progress : bool, default=True
        Show a progress bar.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        With attributes

        - ``images``: uint8 ndarray of shape (n_samples, 424, 424, 3) (or the
          transformer's output);
        - ``data``: the same values as a 2-D array (a view of ``images``);
        - ``target``: float64 ndarray of shape (n_samples, 37), the vote
          fractions in Kaggle order, or None without the CSV;
        - ``target_names``: the 37 column names, ``VOTE_COLUMNS``;
        - ``ids``: int64 ndarray of shape (n_samples,), the GalaxyIDs;
        - ``filename`` (the CSV, or None), ``image_dir``, ``DESCR``.
    (images, target) : tuple
        If ``return_X_y=True``.

    Raises
    ------
    FileNotFoundError
        If the folder or an image listed in the CSV is missing (the message
        names the GalaxyIDs).
    ValueError
        If the CSV lacks ``GalaxyID`` or a vote column, holds a non-numeric
        cell, a duplicated GalaxyID or a vote outside [0, 1]; if an image cannot
        be decoded (the message names its GalaxyID) or the images differ in size.

    See Also
    --------
    load_images : Read any list of image files.
    VOTE_COLUMNS : The 37 answer columns.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> import numpy as np
    >>> from PIL import Image
    >>> from skgalaxy.datasets import VOTE_COLUMNS, load_galaxy_zoo
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     (Path(tmp) / "images_training_rev1").mkdir()
    ...     lines = ["GalaxyID," + ",".join(VOTE_COLUMNS)]
    ...     for galaxy_id in (100008, 100023):
    ...         img = np.zeros((24, 24, 3), dtype=np.uint8)
    ...         Image.fromarray(img).save(
    ...             Path(tmp) / "images_training_rev1" / f"{galaxy_id}.jpg")
    ...         lines.append(f"{galaxy_id}," + ",".join(["0.5"] * 37))
    ...     _ = (Path(tmp) / "training_solutions_rev1.csv").write_text(
    ...         "\n".join(lines))
    ...     zoo = load_galaxy_zoo(tmp, progress=False)
    >>> zoo.images.shape, zoo.target.shape, zoo.ids
    ((2, 24, 24, 3), (2, 37), array([100008, 100023]))
    >>> zoo.target_names[:3]
    ['Class1.1', 'Class1.2', 'Class1.3']
    """
    directory = Path(directory)
    if not directory.is_dir():
        raise FileNotFoundError(
            f"Galaxy Zoo folder not found: {directory}. Expected Kaggle's "
            f"{SOLUTIONS_CSV} and images_training_rev1/ inside it."
        )
    _check_transformer(transformer)
    image_dir = _image_folder(directory)
    csv_path = directory / SOLUTIONS_CSV
    if csv_path.is_file():
        ids, target = _read_solutions(csv_path)
        paths = [_image_path(image_dir, i) for i in ids[:max_images]]
    else:
        csv_path, target = None, None
        paths = list_images(image_dir)
        if not paths:
            raise ValueError(
                f"{directory} holds neither {SOLUTIONS_CSV} nor <GalaxyID>.jpg "
                f"images (looked in {image_dir})."
            )
        for p in paths:
            if not image_id(p).isdigit():
                raise ValueError(
                    f"{p} is not named <GalaxyID>.jpg; every image in {image_dir} "
                    "must be named by its integer GalaxyID."
                )
        ids = np.array([int(image_id(p)) for p in paths], dtype=np.int64)
        if np.unique(ids).size != ids.size:
            raise ValueError(f"{image_dir} holds two files with the same GalaxyID.")
        paths = paths[:max_images]
    ids = ids[: len(paths)]
    if target is not None:
        target = target[: len(paths)]
    X = read_image_files(
        paths,
        names=[f"GalaxyID {i}" for i in ids],
        transformer=transformer,
        n_jobs=n_jobs,
        chunk_size=chunk_size,
        progress=progress,
        mode="RGB",
        desc="Galaxy Zoo",
    )
    if return_X_y:
        return X, target
    descr = _DESCR.format(
        n=len(X),
        shape=f"{X.dtype} array of shape {X.shape}",
        image_dir=image_dir,
        targets=(
            "No vote fractions: the folder has no solutions CSV (target is None)."
            if target is None
            else f"Target: the 37 vote fractions of {SOLUTIONS_CSV}, Kaggle order."
        ),
        images="uint8 RGB"
        if transformer is None
        else f"after {type(transformer).__name__}",
    )
    return Bunch(
        images=X,
        data=X.reshape(len(X), -1),
        target=target,
        target_names=list(VOTE_COLUMNS),
        ids=ids,
        filename=None if csv_path is None else str(csv_path),
        image_dir=str(image_dir),
        DESCR=descr,
    )
