"""``skgalaxy predict``: a saved model on image files or an HDF5 file -> a catalogue.

The run is built for surveys: threads decode the next chunk while the model
predicts this one (memory stays flat), rows go to ``OUT.partial`` as they are
predicted so ``--resume`` continues an interrupted run, ``--on-error skip``
lists unreadable files in ``OUT.errors.csv`` instead of stopping, and the
output's extension picks its format (CSV, FITS, ECSV, Parquet), optionally
joined with the user's catalogue by id.
"""

import csv
import os
import sys

import numpy as np

from ._catalog import (
    Catalog,
    PartialFile,
    astropy_table,
    errors_path,
    finish,
    output_format,
    partial_path,
)
from ._decode import FileInput, HDF5Input, decoded_chunks, stack
from ._errors import CLIError
from ._files import check_output_file, load_model
from ._main import _threads
from ._models import expected_image_shape, final_estimator, is_classifier
from ._progress import note
from ._sources import expand_inputs, is_hdf5


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
    try:
        if is_classifier(model):
            if proba:
                P = model.predict_proba(X)
                classes = final_estimator(model).classes_
                labels = classes[np.argmax(P, axis=1)]
                return [
                    [i, label, *(f"{p:.6g}" for p in row)]
                    for i, label, row in zip(ids, labels, P)
                ]
            return [[i, label] for i, label in zip(ids, model.predict(X))]
        Y = np.asarray(model.predict(X)).reshape(len(X), -1)
    except (ValueError, TypeError) as exc:
        raise CLIError(f"the model cannot predict these images: {exc}") from exc
    return [[i, *(f"{v:.6g}" for v in row)] for i, row in zip(ids, Y)]


def _parse_bands(text):
    if text is None:
        return None
    parts = [p.strip() for p in text.split(",") if p.strip()]
    if not parts:
        raise CLIError("--bands is empty; give e.g. 0,1,2 or g,r,z")
    if all(p.lstrip("-").isdigit() for p in parts):
        return [int(p) for p in parts]
    return parts


def _fits_options(args):
    hdu = args.hdu
    if hdu is not None and hdu.lstrip("-").isdigit():
        hdu = int(hdu)
    fill = args.fill_value
    if fill != "raise":
        try:
            fill = float(fill)
        except ValueError:
            raise CLIError(
                f"--fill-value must be a number or 'raise', got {fill!r}"
            ) from None
    options = {"hdu": hdu, "bands": _parse_bands(args.bands), "fill_value": fill}
    from skgalaxy.datasets._fits import check_fits_options

    try:
        check_fits_options(**options)
    except (TypeError, ValueError) as exc:
        raise CLIError(str(exc)) from exc
    return options


def _source(args, shape):
    resize = not args.no_resize
    hdf5 = [i for i in args.inputs if is_hdf5(i)]
    if hdf5:
        if len(args.inputs) > 1:
            raise CLIError(
                f"predict reads one HDF5 file at a time, alone (got {len(hdf5)} "
                f"HDF5 file(s) among {len(args.inputs)} inputs); run it once per "
                "HDF5 file"
            )
        return HDF5Input(hdf5[0], shape=shape, resize=resize)
    return FileInput(
        expand_inputs(args.inputs),
        shape=shape,
        resize=resize,
        fits=_fits_options(args),
        draft=args.jpeg_draft,
    )


def _same_file(a, b):
    return os.path.realpath(a) == os.path.realpath(b)


def _check_output_is_not_an_input(args):
    """Refuse an ``-o`` that would overwrite the model, an input or the catalogue.

    Checked first, before the output's format, so the message says what the
    file is (the inputs are matched by name, without listing the folders).
    """
    import fnmatch

    from skgalaxy.datasets._images import IMAGE_EXTENSIONS

    out = os.path.realpath(args.output)
    if os.path.realpath(args.model) == out:
        raise CLIError(
            f"the output {args.output!r} is the model file; writing it would "
            "replace the model: choose another -o"
        )
    if args.catalog and os.path.realpath(args.catalog) == out:
        raise CLIError(f"the output {args.output!r} is the --catalog file")
    is_image = out.lower().endswith(IMAGE_EXTENSIONS + (".h5", ".hdf5"))
    for item in args.inputs:
        real = os.path.realpath(item)
        if (
            real == out
            or (is_image and os.path.isdir(real) and os.path.dirname(out) == real)
            or (is_image and fnmatch.fnmatch(out, os.path.realpath(item)))
        ):
            raise CLIError(
                f"the output {args.output!r} is one of the inputs; writing it "
                "would replace the image: choose another -o"
            )


def _check_unique_ids(ids):
    seen, dup = set(), []
    for i in ids:
        if i in seen:
            dup.append(i)
        seen.add(i)
    if dup:
        raise CLIError(
            f"{len(dup)} input(s) share an id with another (the file name without "
            f"its image extensions), such as {dup[0]!r}; ids must be unique"
        )


def _write_errors(path, errors, source):
    from skgalaxy.persistence import atomic_write

    def write(tmp):
        with open(tmp, "w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh, lineterminator="\n")
            writer.writerow(["id", "file", "reason"])
            for k, reason in errors:
                where = source.paths[k] if isinstance(source, FileInput) else ""
                writer.writerow([source.ids[k], str(where), reason])

    atomic_write(path, write)


def run(args):
    stdout = args.output == "-"
    if not stdout:
        _check_output_is_not_an_input(args)
    fmt = output_format(args.output)
    if stdout and (args.resume or args.catalog):
        raise CLIError("--resume and --catalog need an output file (-o FILE)")
    if bool(args.catalog) != bool(args.id_column):
        raise CLIError("--catalog FILE and --id-column NAME go together")
    check_output_file(args.output)
    if fmt != "csv":
        astropy_table()  # the missing extra is reported before any work
    if fmt == "parquet":
        from skgalaxy.utils import import_optional

        import_optional("pyarrow", extra="astro", feature="Parquet output")
    catalog = Catalog(args.catalog, args.id_column) if args.catalog else None
    model = load_model(args.model, args.trust)
    if not hasattr(model, "predict"):
        raise CLIError(f"{args.model!r} does not hold a model with a predict method")
    if args.proba and not is_classifier(model):
        raise CLIError("--proba needs a classifier; this model is a regressor")
    if args.proba and not hasattr(model, "predict_proba"):
        raise CLIError("this model has no predict_proba; drop --proba")
    classes = final_estimator(model).classes_ if is_classifier(model) else None
    if catalog is not None and classes is not None:
        catalog.check_clashes(_header(model, None, args.proba))
    source = _source(args, expected_image_shape(model))
    try:
        _check_unique_ids(source.ids)
        return _predict(args, model, source, catalog, classes, stdout)
    finally:
        if isinstance(source, HDF5Input):
            source.close()


def _predict(args, model, source, catalog, classes, stdout):
    from tqdm.auto import tqdm

    partial = None
    done = set()
    if not stdout:
        partial = PartialFile(partial_path(args.output), resume=args.resume)
        done = partial.done
        if args.resume and done:
            note(args, f"Resuming: {len(done):,} prediction(s) already written")
    positions = [k for k, i in enumerate(source.ids) if i not in done]
    writer = csv.writer(sys.stdout, lineterminator="\n") if stdout else None
    errors = []
    header = None
    bar = tqdm(
        total=len(positions),
        unit="img",
        disable=args.quiet or len(positions) <= args.chunk_size,
        leave=False,
    )
    try:
        for ks, images, failed in decoded_chunks(
            source,
            positions,
            chunk_size=args.chunk_size,
            n_threads=_threads(args.n_jobs),
        ):
            if failed and args.on_error == "stop":
                raise CLIError(_stop_message(failed[0][1], partial, args))
            errors.extend(failed)
            bar.update(len(ks) + len(failed))
            if not ks:
                continue
            rows = _rows(model, [source.ids[k] for k in ks], stack(images), args.proba)
            if header is None:
                n_outputs = None if classes is not None else len(rows[0]) - 1
                header = _header(model, n_outputs, args.proba)
                if catalog is not None:
                    catalog.check_clashes(header)
                if writer is not None:
                    writer.writerow(header)
            if writer is not None:
                writer.writerows(rows)
            else:
                partial.write(header, rows)
    except BaseException:
        if partial is not None:
            partial.discard_if_empty()
        raise
    finally:
        bar.close()
    if stdout:
        if header is None:
            raise CLIError(f"no image could be read ({errors[0][1]})")
        if errors:
            note(
                args,
                f"{len(errors):,} input(s) could not be read, such as "
                f"{source.ids[errors[0][0]]!r}: {errors[0][1]}",
            )
        return 0
    partial.close()
    errors_file = errors_path(args.output)
    if errors:
        _write_errors(errors_file, errors, source)
    elif args.on_error == "skip" and errors_file.exists():
        errors_file.unlink()  # from an earlier run: nothing failed this time
    if partial.n_rows == 0:
        partial.discard_if_empty()
        raise CLIError(
            f"no image could be read; the {len(errors):,} failure(s) are listed "
            f"in {str(errors_file)!r}"
        )
    for line in finish(args.output, partial.path, classes=classes, catalog=catalog):
        note(args, f"Note: {line}")
    note(args, f"Wrote {args.output} ({partial.n_rows:,} predictions)")
    if errors:
        note(
            args,
            f"{len(errors):,} input(s) could not be read; listed with the reason "
            f"in {errors_file}",
        )
    return 0


def _stop_message(reason, partial, args):
    message = reason
    if partial is not None and partial.n_rows:
        message += (
            f" ({partial.n_rows:,} predictions so far are kept in "
            f"{str(partial.path)!r}: fix or remove the file and rerun with "
            "--resume, or pass --on-error skip)"
        )
    else:
        message += " (pass --on-error skip to list such files and go on)"
    return message
