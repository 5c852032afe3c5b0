"""Files the command writes and reads: model files, CSV, JSON, figures, folders."""

import json
import os
import sys
import tempfile
from pathlib import Path

from ._errors import CLIError

# The one pickle suffix the help names (as a pickle: load only your own files);
# other pickle suffixes are refused rather than unpickled unannounced.
_JOBLIB_SUFFIXES = (".joblib",)
_SAFE_SUFFIXES = (".skgalaxy", ".skops")
_OTHER_PICKLE_SUFFIXES = (".pkl", ".pickle")
_FORMATS = ".skgalaxy or .skops (skgalaxy's safe format) or .joblib (a pickle)"


def _suffix_hint(path):
    if path.name.lower().endswith(_OTHER_PICKLE_SUFFIXES):
        return (
            "; a pickle must be named .joblib, so that its name says it runs "
            "code when loaded (rename it only if you trust its source)"
        )
    return ""


# ---------------------------------------------------------------- model files


def check_model_path(path):
    """Fail before any work if ``path`` cannot take a model file."""
    path = Path(path)
    if not path.name.endswith(_JOBLIB_SUFFIXES + _SAFE_SUFFIXES):
        raise CLIError(
            f"cannot tell the format of {str(path)!r} from its extension; use "
            f"{_FORMATS}{_suffix_hint(path)}"
        )
    folder = path.parent
    if not folder.is_dir():
        raise CLIError(f"the folder {str(folder)!r} of {str(path)!r} does not exist")
    if path.is_dir():
        raise CLIError(f"{str(path)!r} is a folder, not a file name")
    check_writable(path)
    return path


def check_writable(path):
    """Fail before any work if nothing can be written beside ``path``.

    A real file is made and removed (``os.access`` says yes to root even on a
    read-only file system).
    """
    folder = Path(path).parent
    try:
        fd, probe = tempfile.mkstemp(dir=folder, prefix=".skgalaxy-probe-")
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise CLIError(
            f"cannot write {str(path)!r}: the folder {str(folder)!r} is not "
            f"writable ({reason})"
        ) from exc
    os.close(fd)
    os.remove(probe)


def save_model(model, path):
    """Write ``model`` in the format ``path``'s extension names, atomically."""
    import joblib

    from skgalaxy.persistence import atomic_write, save

    path = check_model_path(path)
    if path.name.endswith(_JOBLIB_SUFFIXES):
        atomic_write(path, lambda tmp: joblib.dump(model, tmp))
    else:
        save(model, path)


def load_model(path, trusted=()):
    """Read a model file: the safe format by content (or by name), else joblib."""
    from skgalaxy.persistence import load

    path = Path(path)
    if path.is_dir():
        raise CLIError(f"the model {str(path)!r} is a folder, not a file")
    if not path.is_file():
        raise CLIError(f"the model file {str(path)!r} does not exist")
    try:
        with open(path, "rb") as f:
            head = f.read(4)
    except OSError as exc:
        raise CLIError(
            f"cannot read the model file {str(path)!r}: {exc.strerror or exc}"
        ) from exc
    # By content first: a zip is the safe format whatever its name; a file
    # named as the safe format goes there too, which says why it does not load
    # (truncated, a pickle, bytes before the zip).
    if head.startswith(b"PK") or path.name.endswith(_SAFE_SUFFIXES):
        try:
            return load(path, trusted=list(trusted) or None)
        except Exception as exc:
            raise CLIError(f"cannot load the model {str(path)!r}: {exc}") from exc
    if not path.name.endswith(_JOBLIB_SUFFIXES):
        raise CLIError(
            f"{str(path)!r} is not a model file (expected {_FORMATS})"
            f"{_suffix_hint(path)}"
        )
    import joblib

    try:
        # A pickle the user names as theirs: joblib is the documented format.
        return joblib.load(path)
    except Exception as exc:
        raise CLIError(f"cannot load the model {str(path)!r}: {exc}") from exc


# ------------------------------------------------------------------ outputs


def write_csv(path, header, rows_iter):
    """Write a CSV (or to stdout for '-'), atomically for files."""
    import csv

    def write(handle):
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        for rows in rows_iter:
            writer.writerows(rows)

    if str(path) == "-":
        write(sys.stdout)
        return
    from skgalaxy.persistence import atomic_write

    path = Path(path)

    def write_file(tmp):
        with open(tmp, "w", newline="", encoding="utf-8") as handle:
            write(handle)

    atomic_write(path, write_file)


def check_output_file(path):
    if str(path) == "-":
        return
    path = Path(path)
    if path.is_dir():
        raise CLIError(f"the output {str(path)!r} is a folder, not a file name")
    if not path.parent.is_dir():
        raise CLIError(f"the folder {str(path.parent)!r} does not exist")
    check_writable(path)


def make_output_dir(path):
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise CLIError(f"the output folder {str(path)!r} is a file")
    path.mkdir(parents=True, exist_ok=True)
    return path


def write_json(path, data):
    from skgalaxy.persistence import atomic_write

    atomic_write(
        path, lambda tmp: Path(tmp).write_text(json.dumps(data, indent=2) + "\n")
    )


def save_figure(fig, path):
    """Save a matplotlib figure atomically, then close it."""
    import matplotlib.pyplot as plt

    from skgalaxy.persistence import atomic_write

    try:
        atomic_write(
            path,
            lambda tmp: fig.savefig(tmp, format="png", dpi=100, bbox_inches="tight"),
        )
    finally:
        plt.close(fig)


def use_agg():
    """Select matplotlib's file backend (no window) before pyplot loads."""
    from skgalaxy.utils import import_optional

    matplotlib = import_optional("matplotlib", extra="plot", feature="plots")
    if "matplotlib.pyplot" not in sys.modules:
        matplotlib.use("Agg")
    return matplotlib
