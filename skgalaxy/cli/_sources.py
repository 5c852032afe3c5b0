"""Data sources: what ``SOURCE`` and ``INPUT`` name, loaded and made to fit a model."""

import glob
from pathlib import Path

import numpy as np

from ._errors import CLIError
from ._progress import Stage

_HDF5_SUFFIXES = (".h5", ".hdf5")
_CSV_SUFFIXES = (".csv", ".csv.gz")
_IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png")


def _is_csv(name):
    return name.lower().endswith(_CSV_SUFFIXES)


def is_hdf5(name):
    return name.lower().endswith(_HDF5_SUFFIXES)


def load_source(args, *, image_shape=None):
    """Load ``args.source``: images, labels and/or votes, class names.

    Synthetic galaxies take the size and channels of ``image_shape`` (a fitted
    model's) unless ``--image-size`` is given. Returns a dict with ``images``,
    ``labels`` (or None), ``label_names`` (or None), ``votes`` (or None) and
    ``description``.
    """
    source = args.source
    progress = not args.quiet
    if source == "synthetic":
        from skgalaxy.datasets import make_galaxies

        size = args.image_size or (image_shape[0] if image_shape else 64)
        if size < 16:
            raise CLIError(
                f"the model's images are {size} px, but synthetic galaxies are at "
                "least 16 px; pass --image-size 16 or more (the images are then "
                "resized to the model's)"
            )
        channels = 1 if image_shape is not None and len(image_shape) == 2 else 3
        message = f"Generating {args.n_samples:,} synthetic galaxies of {size} px"
        with Stage(args, message):
            images, labels, votes = make_galaxies(
                args.n_samples,
                image_size=size,
                n_channels=channels,
                return_votes=True,
                random_state=args.random_state,
                n_jobs=args.n_jobs,
            )
        return {
            "images": images,
            "labels": labels,
            "label_names": galaxy10_names(),
            "votes": votes,
            "description": f"{len(images):,} synthetic galaxies",
        }
    path = Path(source)
    if not path.exists():
        raise CLIError(
            f"the data source {source!r} does not exist (use 'synthetic', a "
            "Galaxy10 .h5 file, a Kaggle Galaxy Zoo folder or a seed-003 .csv)"
        )
    if path.is_dir():
        from skgalaxy.datasets import load_galaxy_zoo

        bunch = load_galaxy_zoo(
            path, max_images=args.max_images, n_jobs=args.n_jobs, progress=progress
        )
        return {
            "images": bunch.images,
            "labels": None,
            "label_names": None,
            "votes": bunch.target,
            "ids": bunch.ids,
            "description": f"{len(bunch.images):,} galaxies from {source}",
        }
    indices = None if args.max_images is None else slice(0, args.max_images)
    if is_hdf5(path.name):
        from skgalaxy.datasets import load_galaxy10

        bunch = load_galaxy10(path, indices=indices, progress=progress)
    elif _is_csv(path.name):
        from skgalaxy.datasets import load_galaxy_csv

        bunch = load_galaxy_csv(path)
        if indices is not None:
            bunch.images, bunch.target = bunch.images[indices], bunch.target[indices]
    else:
        raise CLIError(
            f"cannot tell what kind of data {source!r} is: expected 'synthetic', "
            "a Galaxy10 .h5/.hdf5 file, a Kaggle Galaxy Zoo folder or a seed-003 "
            ".csv file"
        )
    return {
        "images": bunch.images,
        "labels": bunch.target,
        "label_names": list(bunch.target_names),
        "votes": None,
        "description": f"{len(bunch.images):,} galaxies from {source}",
    }


def galaxy10_names():
    import skgalaxy.datasets as datasets

    names = getattr(datasets, "GALAXY10_CLASSES", None)
    return list(names) if names is not None else None


def choose_target(data, target, *, wants_votes, model_name="the model"):
    """Return ``(y, kind, class_names)`` for the ``--target`` choice.

    ``kind`` is "labels" or "votes". Labels are the class names when the source
    has names, so a saved classifier predicts names.
    """
    from skgalaxy.datasets import (
        HUBBLE_CLASSES,
        VOTE_COLUMNS,
        hubble_class,
        plurality_class,
    )

    if target == "auto":
        if wants_votes:
            target = "votes"
        elif data["labels"] is not None:
            target = "labels"
        else:
            target = "plurality"
    if target == "votes":
        if not wants_votes:
            raise CLIError(
                f"{model_name} predicts classes; --target votes needs a vote "
                "regressor (cnn or baseline)"
            )
        if data["votes"] is None:
            raise CLIError(
                f"{data['description']} have no vote fractions; --target votes "
                "needs 'synthetic' or a Kaggle Galaxy Zoo folder with its CSV"
            )
        return np.asarray(data["votes"]), "votes", list(VOTE_COLUMNS)
    if wants_votes:
        raise CLIError(f"{model_name} predicts vote fractions: use --target votes")
    if target == "labels":
        if data["labels"] is None:
            raise CLIError(
                f"{data['description']} have no class labels; use --target "
                "plurality or hubble to derive classes from the vote fractions"
            )
        labels, names = np.asarray(data["labels"]), data["label_names"]
        if names is not None and labels.dtype.kind in "iu":
            if labels.min() < 0 or labels.max() >= len(names):
                raise CLIError("the class labels do not match the class names")
            return np.asarray(names, dtype=object)[labels].astype(str), "labels", names
        return labels, "labels", None
    if data["votes"] is None:
        raise CLIError(
            f"{data['description']} have no vote fractions to derive "
            f"--target {target} from"
        )
    votes = np.asarray(data["votes"])
    if target == "plurality":
        idx = plurality_class(votes)
        return np.asarray(VOTE_COLUMNS)[idx], "labels", None
    idx = hubble_class(votes)
    keep = idx >= 0
    if not keep.any():
        raise CLIError("no galaxy has a Hubble class at the default 0.9 threshold")
    data["images"] = data["images"][keep]
    names = np.asarray(HUBBLE_CLASSES)
    return names[idx[keep]], "labels", list(HUBBLE_CLASSES)


def expand_inputs(inputs):
    """Files from a list of files, folders and glob patterns, in order."""
    from skgalaxy.datasets import list_images

    files = []
    for item in inputs:
        path = Path(item)
        if path.is_dir():
            found = list_images(path)
            if not found:
                raise CLIError(f"the folder {item!r} holds no .jpg, .jpeg or .png")
            files.extend(found)
        elif path.is_file():
            files.append(path)
        elif glob.has_magic(item):
            found = sorted(
                Path(p)
                for p in glob.glob(item)
                if Path(p).is_file() and p.lower().endswith(_IMAGE_SUFFIXES)
            )
            if not found:
                raise CLIError(f"no .jpg, .jpeg or .png file matches {item!r}")
            files.extend(found)
        else:
            raise CLIError(f"the input {item!r} does not exist")
    return files


def fit_images(images, shape, *, resize=True):
    """Bring ``images`` to the (h, w[, c]) a model was fitted on."""
    if shape is None:
        return images
    target_hw, target_c = shape[:2], (shape[2:] or (None,))[0]
    c = images.shape[3] if images.ndim == 4 else None
    if c != target_c:
        if c is None and target_c is not None:
            images = np.repeat(images[..., None], target_c, axis=-1)
        elif target_c is None and c in (3, 4):
            from skgalaxy.preprocessing import Grayscale

            images = Grayscale().fit_transform(images[..., :3])
        else:
            raise CLIError(
                f"the images have {c or 1} channel(s); the model expects "
                f"{target_c or 1}"
            )
    if images.shape[1:3] != tuple(target_hw):
        if not resize:
            raise CLIError(
                f"the images are {images.shape[1]}x{images.shape[2]} pixels; the "
                f"model expects {target_hw[0]}x{target_hw[1]} (drop --no-resize "
                "to resize them)"
            )
        from skgalaxy.preprocessing import Resize

        resized = Resize(output_size=tuple(target_hw)).fit_transform(images)
        if images.dtype == np.uint8:  # keep the files' dtype for the model
            resized = np.clip(np.rint(resized * 255), 0, 255).astype(np.uint8)
        images = resized
    return images
