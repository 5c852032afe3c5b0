"""``skgalaxy predict``: a saved model on image files or an HDF5 file -> CSV."""

from pathlib import Path

import numpy as np

from ._errors import CLIError
from ._files import check_output_file, load_model, write_csv
from ._models import expected_image_shape, final_estimator, is_classifier
from ._progress import note
from ._sources import expand_inputs, fit_images, is_hdf5

_CHUNK = 256


def _header(model, n_outputs, proba):
    if is_classifier(model):
        header = ["id", "prediction"]
        if proba:
            header += [f"proba_{c}" for c in final_estimator(model).classes_]
        return header
    if n_outputs == 37:
        from skgalaxy.datasets import VOTE_COLUMNS

        return ["id", *VOTE_COLUMNS]
    if n_outputs == 1:
        return ["id", "prediction"]
    return ["id", *(f"output_{i}" for i in range(n_outputs))]


def _rows(model, ids, X, proba):
    if is_classifier(model):
        if proba:
            if not hasattr(model, "predict_proba"):
                raise CLIError("this model has no predict_proba; drop --proba")
            P = model.predict_proba(X)
            classes = final_estimator(model).classes_
            labels = classes[np.argmax(P, axis=1)]
            return [
                [i, label, *(f"{p:.6g}" for p in row)]
                for i, label, row in zip(ids, labels, P)
            ]
        return [[i, label] for i, label in zip(ids, model.predict(X))]
    Y = np.asarray(model.predict(X))
    Y = Y.reshape(len(X), -1)
    return [[i, *(f"{v:.6g}" for v in row)] for i, row in zip(ids, Y)]


def run(args):
    check_output_file(args.output)
    model = load_model(args.model, args.trust)
    if not hasattr(model, "predict"):
        raise CLIError(f"{args.model!r} does not hold a model with a predict method")
    if args.proba and not is_classifier(model):
        raise CLIError("--proba needs a classifier; this model is a regressor")
    shape = expected_image_shape(model)
    resize = not args.no_resize
    if len(args.inputs) == 1 and is_hdf5(args.inputs[0]):
        chunks = _hdf5_chunks(args.inputs[0], args)
    else:
        chunks = _image_chunks(args.inputs, shape, args)

    def predicted(ids, X):
        X = fit_images(X, shape, resize=resize)
        try:
            return X, _rows(model, ids, X, args.proba)
        except (ValueError, TypeError) as exc:
            raise CLIError(f"the model cannot predict these images: {exc}") from exc

    # The CSV header needs the number of outputs: predict the first chunk first.
    _, first_rows = predicted(*next(chunks))
    n_outputs = None if is_classifier(model) else len(first_rows[0]) - 1
    header = _header(model, n_outputs, args.proba)

    def all_rows():
        yield first_rows
        for ids, X in chunks:
            yield predicted(ids, X)[1]

    write_csv(args.output, header, all_rows())
    if args.output != "-":
        note(args, f"Wrote {args.output}")
    return 0


def _image_chunks(inputs, shape, args):
    from skgalaxy.datasets import load_images

    files = expand_inputs(inputs)
    mode = None
    if shape is not None:
        mode = "L" if len(shape) == 2 else ("RGB" if shape[2] == 3 else None)
    from tqdm.auto import tqdm

    bar = tqdm(total=len(files), unit="img", disable=args.quiet or len(files) <= _CHUNK)
    for start in range(0, len(files), _CHUNK):
        part = files[start : start + _CHUNK]
        try:
            X = load_images(part, mode=mode, n_jobs=args.n_jobs, progress=False)
        except ValueError as exc:
            raise CLIError(str(exc)) from exc
        if X.shape[0] != len(part):
            raise CLIError("some images could not be read")
        bar.update(len(part))
        yield [p.name for p in part], X
    bar.close()


def _hdf5_chunks(path, args):
    import h5py
    from tqdm.auto import tqdm

    path = Path(path)
    if not path.is_file():
        raise CLIError(f"the input {str(path)!r} does not exist")
    try:
        f = h5py.File(path, "r")
    except OSError as exc:
        raise CLIError(f"cannot read {str(path)!r} as HDF5: {exc}") from exc
    with f:
        if "images" not in f or not isinstance(f["images"], h5py.Dataset):
            raise CLIError(
                f"{str(path)!r} has no 'images' dataset; found {sorted(f.keys())}"
            )
        ds = f["images"]
        if ds.ndim not in (3, 4) or ds.shape[0] == 0:
            raise CLIError(
                f"'images' in {str(path)!r} has shape {ds.shape}; expected "
                "(n, height, width[, channels]) with n >= 1"
            )
        n = ds.shape[0]
        bar = tqdm(total=n, unit="img", disable=args.quiet or n <= _CHUNK)
        for start in range(0, n, _CHUNK):
            X = ds[start : start + _CHUNK]
            bar.update(len(X))
            yield list(range(start, start + len(X))), X
        bar.close()
