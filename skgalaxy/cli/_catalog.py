"""Outputs of ``skgalaxy predict``: the resumable ``OUT.partial``, catalogues, formats.

Rows are appended to ``OUT.partial`` (CSV, flushed after every chunk) as they
are predicted. When the run ends, they are written to ``OUT`` in the format
its extension names, atomically, and ``OUT.partial`` is removed: a CSV without
a catalogue is the partial file itself, renamed; FITS, ECSV and Parquet (and a
CSV joined with ``--catalog``) go through an astropy Table.
"""

import csv
import os
from pathlib import Path

import numpy as np

from ._errors import CLIError

#: Output formats by extension of ``-o``: astropy's format names.
FORMATS = {
    ".csv": "csv",
    ".fits": "fits",
    ".fit": "fits",
    ".ecsv": "ascii.ecsv",
    ".parquet": "parquet",
}

_CATALOG_FORMATS = {
    ".csv": "ascii.csv",
    ".csv.gz": "ascii.csv",
    ".ecsv": "ascii.ecsv",
    ".fits": "fits",
    ".fit": "fits",
    ".fits.gz": "fits",
    ".parquet": "parquet",
}


def output_format(path):
    """Return the format of ``-o PATH`` from its extension; CSV is the default."""
    if str(path) == "-":
        return "csv"
    suffix = Path(path).suffix.lower()
    if suffix not in FORMATS:
        raise CLIError(
            f"cannot tell the format of the output {str(path)!r} from its "
            "extension; use .csv, .fits, .ecsv or .parquet"
        )
    return FORMATS[suffix]


def partial_path(output):
    return Path(f"{output}.partial")


def errors_path(output):
    """``out.fits`` -> ``out.errors.csv``: the files that could not be read."""
    output = Path(output)
    return output.with_name(f"{output.stem}.errors.csv")


def astropy_table():
    from skgalaxy.utils import import_optional

    return import_optional(
        "astropy.table", extra="astro", feature="FITS, ECSV and Parquet catalogues"
    )


# ----------------------------------------------------------- the partial file


class PartialFile:
    """``OUT.partial``: CSV rows appended and flushed chunk by chunk."""

    def __init__(self, path, *, resume):
        self.path = Path(path)
        self.header = None
        self.done = set()
        self.n_rows = 0
        if resume and self.path.exists():
            self.header, self.done = _read_done(self.path)
            self.n_rows = len(self.done)
        elif self.path.exists():
            raise CLIError(
                f"{str(self.path)!r} holds the rows of an interrupted run: pass "
                "--resume to continue it, or remove it to start over"
            )
        self.handle = open(self.path, "a", newline="", encoding="utf-8")
        self.writer = csv.writer(self.handle, lineterminator="\n")

    def write(self, header, rows):
        if self.header is None:
            self.writer.writerow(header)
            self.header = list(header)
        elif list(header) != self.header:
            raise CLIError(
                f"{str(self.path)!r} was written with other columns "
                f"({', '.join(self.header[:4])}, ...) than this run's "
                f"({', '.join(header[:4])}, ...): another model or --proba "
                "setting; remove it to start over"
            )
        self.writer.writerows(rows)
        self.handle.flush()
        self.n_rows += len(rows)

    def close(self):
        self.handle.close()

    def discard_if_empty(self):
        """Remove the file when it holds no row (nothing to resume)."""
        self.close()
        if self.n_rows == 0 and self.path.exists():
            self.path.unlink()


def _read_done(path):
    """Header and ids of a partial file; a half-written last line is cut."""
    with open(path, "rb+") as fh:
        data = fh.read()
        end = data.rfind(b"\n") + 1
        if end < len(data):  # the run stopped mid-line
            fh.truncate(end)
    with open(path, newline="", encoding="utf-8") as fh:
        reader = csv.reader(fh)
        header = next(reader, None)
        done = {row[0] for row in reader if row}
    return header, done


def read_columns(path, block=65536):
    """Read the partial file's columns as arrays of strings (in blocks)."""
    with open(path, newline="", encoding="utf-8") as fh:
        reader = csv.reader(fh)
        header = next(reader)
        parts = [[] for _ in header]
        rows = []
        for row in reader:
            rows.append(row)
            if len(rows) == block:
                _flush(rows, parts)
        _flush(rows, parts)
    return header, [np.concatenate(p) if p else np.array([], str) for p in parts]


def _flush(rows, parts):
    if rows:
        for part, column in zip(parts, zip(*rows)):
            part.append(np.array(column, dtype=str))
        rows.clear()


# ---------------------------------------------------------------- catalogue


class Catalog:
    """The user's table, indexed by its id column (compared as strings)."""

    def __init__(self, path, id_column):
        table_module = astropy_table()
        path = Path(path)
        if not path.is_file():
            raise CLIError(f"the catalogue {str(path)!r} does not exist")
        name = path.name.lower()
        fmt = next(
            (f for ext, f in _CATALOG_FORMATS.items() if name.endswith(ext)), None
        )
        try:
            table = table_module.Table.read(path, format=fmt)
        except Exception as exc:  # astropy raises many types for a bad file
            raise CLIError(f"cannot read the catalogue {str(path)!r}: {exc}") from exc
        if id_column not in table.colnames:
            raise CLIError(
                f"the catalogue {str(path)!r} has no column {id_column!r} "
                f"(--id-column); its columns: {', '.join(table.colnames[:12])}"
            )
        column = table[id_column]
        if getattr(column, "mask", None) is not None and np.any(column.mask):
            raise CLIError(f"the catalogue's {id_column!r} column has empty ids")
        if len(column) == 0:
            raise CLIError(f"the catalogue {str(path)!r} has no rows")
        ids = np.array([str(v) for v in column], dtype=str)
        unique, counts = np.unique(ids, return_counts=True)
        if (counts > 1).any():
            dup = unique[counts > 1]
            raise CLIError(
                f"the catalogue's {id_column!r} column repeats {len(dup)} id(s), "
                f"such as {', '.join(map(repr, dup[:3].tolist()))}; ids must be unique"
            )
        self.path, self.table, self.id_column, self.ids = path, table, id_column, ids

    def columns(self):
        return [c for c in self.table.colnames if c != "id"]

    def check_clashes(self, header):
        clash = sorted(set(self.columns()) & set(header))
        if clash:
            raise CLIError(
                f"the catalogue's column(s) {clash} have the names of output "
                "columns; rename them in the catalogue"
            )

    def join(self, table, ids):
        """Append the catalogue's columns to ``table`` by id (a left join).

        Every prediction keeps its row; catalogue columns are masked where
        an id has no catalogue row. Returns the counts of predictions without
        a catalogue row and of catalogue rows without a prediction.
        """
        table_module = astropy_table()
        lookup = {v: i for i, v in enumerate(self.ids)}
        rows = np.array([lookup.get(i, -1) for i in ids], dtype=np.int64)
        missing = rows < 0
        for name in self.columns():
            taken = self.table[name][np.where(missing, 0, rows)]
            if missing.any():
                mask = missing.reshape(-1, *([1] * (taken.ndim - 1)))
                mask = np.broadcast_to(mask, taken.shape) | _mask(taken)
                taken = table_module.MaskedColumn(taken, name=name, mask=mask)
            table[name] = taken
        unmatched = len(self.ids) - len(set(rows[~missing].tolist()))
        return int(missing.sum()), unmatched


def _mask(column):
    mask = getattr(column, "mask", None)
    return np.zeros(column.shape, bool) if mask is None else np.asarray(mask)


# ------------------------------------------------------------------ writing


def _typed(name, values, classes):
    if name == "id":
        return values
    if name == "prediction" and classes is not None:
        kind = np.asarray(classes).dtype.kind
        if kind in "iub":
            return values.astype(np.int64)
        if kind == "f":
            return values.astype(np.float64)
        return values
    return values.astype(np.float64)


def finish(output, partial, *, classes, catalog):
    """Write ``output`` from the partial file atomically; remove the partial.

    Returns the notes to show (catalogue matches), as lines.
    """
    from skgalaxy.persistence import atomic_write

    fmt = output_format(output)
    notes = []
    if fmt == "csv" and catalog is None:
        os.replace(partial, output)  # the partial file is the CSV
        return notes
    table_module = astropy_table()
    header, columns = read_columns(partial)
    table = table_module.Table(
        [_typed(n, c, classes) for n, c in zip(header, columns)], names=header
    )
    if catalog is not None:
        no_row, no_prediction = catalog.join(table, columns[0])
        if no_row:
            notes.append(
                f"{no_row:,} prediction(s) have no row in the catalogue (their "
                "catalogue columns are empty)"
            )
        if no_prediction:
            notes.append(
                f"{no_prediction:,} catalogue row(s) have no image (left out of "
                "the output)"
            )
    astropy_format = "ascii.csv" if fmt == "csv" else fmt
    if fmt == "parquet":
        from skgalaxy.utils import import_optional

        import_optional("pyarrow", extra="astro", feature="Parquet output")

    def write(tmp):
        table.write(tmp, format=astropy_format, overwrite=True)

    atomic_write(output, write)
    os.remove(partial)
    return notes
