"""save / load: skops for scikit-learn-side objects, safetensors for networks."""

import copy
import importlib
import importlib.util
import inspect
import io
import json
import os
import re
import sys
import tempfile
import warnings
import zipfile
import zlib
from pathlib import Path

from ..utils._optional import is_torch_net
from ._errors import InconsistentVersionWarning, PersistenceError, UntrustedTypesError
from ._limits import MAX_JSON_BYTES, loads_json
from ._torch import TorchNetRef, build_net, check_config, net_to_config

__all__ = ["load", "save", "atomic_write"]

FORMAT = "skgalaxy-model"
FORMAT_VERSION = 1
_MANIFEST = "manifest.json"
_OBJECT = "model.skops"
# Extra member that a plain .skops file written by skgalaxy carries.
_SKOPS_VERSIONS = "skgalaxy-versions.json"
_NET_FILE = re.compile(r"cnn_\d+\.(json|safetensors)")
# Every zip that skgalaxy and skops write starts with a member's local header.
_ZIP_MAGIC = b"PK\x03\x04"
# Parts of a module path that are not library code: never imported to vet a name.
_NOT_LIBRARY = {"tests", "conftest", "__main__", "_testing", "externals"}


def _skops():
    from skgalaxy.utils import import_optional

    return import_optional("skops.io", extra="safe", feature="skgalaxy.persistence")


def _versions(with_torch):
    import sklearn

    import skgalaxy

    versions = {"skgalaxy": skgalaxy.__version__, "scikit-learn": sklearn.__version__}
    torch = sys.modules.get("torch")
    versions["torch"] = torch.__version__ if (with_torch and torch) else None
    return versions


def atomic_write(path, write):
    """Write ``path`` through a temporary file in its folder, then rename it.

    A failure (or an interruption) leaves no half-written file behind and keeps
    the previous file, if any.

    Parameters
    ----------
    path : str or path-like
        The file to write.
    write : callable
        Called with the temporary file's path; writes the content there.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from skgalaxy.persistence import atomic_write
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "hello.txt"
    >>> atomic_write(target, lambda tmp: pathlib.Path(tmp).write_text("hi"))
    >>> target.read_text()
    'hi'
    """
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise FileNotFoundError(f"The folder {str(folder)!r} does not exist.")
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        write(tmp)
        # mkstemp makes the file private (0600); give it the mode a plain open()
        # would have given, as the user's umask says.
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise


def _swap(obj, replace, memo):
    """Return a copy of ``obj`` with the parts ``replace`` returns non-None for.

    Those parts are replaced; untouched parts are shared, and ``obj`` itself is
    never modified.
    """
    key = id(obj)
    if key in memo:
        return memo[key]
    new = replace(obj)
    if new is not None:
        memo[key] = new
        return new
    result = obj
    if isinstance(obj, list):
        items = [_swap(v, replace, memo) for v in obj]
        if any(a is not b for a, b in zip(items, obj)):
            result = items
    elif isinstance(obj, tuple) and type(obj) is tuple:
        items = tuple(_swap(v, replace, memo) for v in obj)
        if any(a is not b for a, b in zip(items, obj)):
            result = items
    elif isinstance(obj, dict) and type(obj) is dict:
        items = {k: _swap(v, replace, memo) for k, v in obj.items()}
        if any(items[k] is not obj[k] for k in obj):
            result = items
    elif _is_estimator_like(obj):
        changed = {}
        for k, v in vars(obj).items():
            new_v = _swap(v, replace, memo)
            if new_v is not v:
                changed[k] = new_v
        if changed:
            result = copy.copy(obj)
            result.__dict__.update(changed)
    memo[key] = result
    return result


def _is_estimator_like(obj):
    module = type(obj).__module__.split(".")[0]
    return hasattr(obj, "__dict__") and (
        hasattr(obj, "get_params") or module in ("sklearn", "skgalaxy")
    )


def _trusted_names(trusted):
    if trusted is None:
        return set()
    if isinstance(trusted, (str, type)):
        trusted = [trusted]
    names = set()
    for item in trusted:
        if isinstance(item, str):
            names.add(item)
        elif inspect.isclass(item) or inspect.isroutine(item):
            names.add(f"{item.__module__}.{item.__qualname__}")
        else:
            raise TypeError(
                "trusted must be a list of types or qualified names (str), got an "
                f"item of type {type(item).__name__}."
            )
    return names


def _is_known_safe(name):
    """Classes defined by skgalaxy or scikit-learn (not functions).

    Classes built on torch or skorch are excluded: skorch's ``__setstate__``
    unpickles, and networks never belong in the skops part of a file anyway.
    Vetting a name imports the module it names (skgalaxy's or scikit-learn's,
    as loading would), never one outside those packages, and never their tests,
    conftest or vendored code.
    """
    parts = name.split(".")
    if (
        parts[0] not in ("skgalaxy", "sklearn")
        or not all(p.isidentifier() for p in parts)
        or any(p in _NOT_LIBRARY or p.startswith("test_") for p in parts)
    ):
        return False
    for i in range(len(parts) - 1, 0, -1):
        module_name = ".".join(parts[:i])
        try:
            found = importlib.util.find_spec(module_name) is not None
        except (ImportError, ValueError):
            found = False
        if not found:
            continue
        try:
            obj = importlib.import_module(module_name)
        except ImportError:
            return False
        try:
            for attr in parts[i:]:
                obj = getattr(obj, attr)
        except AttributeError:
            return False
        return (
            inspect.isclass(obj)
            and obj.__module__.split(".")[0] == parts[0]
            and not any(
                base.__module__.split(".")[0] in ("torch", "skorch")
                for base in obj.__mro__
            )
        )
    return False


def _check_skops_data(data, source):
    """Check that the skops bytes ``data`` are a plain zip with a bounded schema."""
    zf = _open_zip_bytes(data, source)
    with zf:
        _check_layout(zf, source)
        if "schema.json" not in zf.namelist():
            raise PersistenceError(f"{source} is not a skgalaxy or skops file.")
        # skops parses the schema recursively: bound its depth first
        loads_json(_read(zf, "schema.json", source, MAX_JSON_BYTES), source)


def _skops_load(data, trusted_names, source):
    sio = _skops()
    _check_skops_data(data, source)
    try:
        untrusted = sio.get_untrusted_types(data=data)
    except Exception as exc:
        raise PersistenceError(f"{source} is corrupt: {exc}") from exc
    refused = [t for t in untrusted if t not in trusted_names and not _is_known_safe(t)]
    if refused:
        raise UntrustedTypesError(
            f"{source} contains types or functions that are not trusted: "
            f"{refused}. Load it only if you trust its source, with "
            f"trusted={refused}."
        )
    try:
        return sio.loads(data, trusted=list(untrusted))
    except Exception as exc:
        raise PersistenceError(f"{source} could not be loaded: {exc}") from exc


def save(obj, path):
    """Save a fitted estimator in skgalaxy's safe format (no pickle).

    scikit-learn-side objects (skgalaxy transformers, ``NumpyMLPClassifier``,
    ``PixelBaselineRegressor``, scikit-learn estimators, pipelines of them) are
    stored with skops; skorch networks (``CNNClassifier``, ``CNNRegressor``,
    anywhere inside the object) as their parameters in JSON plus their weights in
    safetensors. The file also records the skgalaxy, scikit-learn and torch
    versions. The file is written through a temporary file, so a failure leaves
    nothing half-written.

    Parameters
    ----------
    obj : object
        The estimator (or any skops-serialisable object) to save.
    path : str or path-like
        Target file. A ``.skops`` suffix writes a plain skops file (readable by
        ``skops.io.load`` too; it cannot hold networks); any other suffix
        (``.skgalaxy`` is the convention) writes a zip container holding
        ``manifest.json``, ``model.skops`` and ``cnn_<i>.json`` /
        ``cnn_<i>.safetensors`` for each network.

    See Also
    --------
    load : Read the file back.

    Notes
    -----
    joblib (``joblib.dump``) works for every skgalaxy estimator too, and is the
    format to use for objects skops cannot store, but loading a joblib file
    runs arbitrary code: only load those you made yourself.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skgalaxy.persistence import load, save
    >>> X, y = np.arange(20.0).reshape(10, 2), np.arange(10) % 2
    >>> clf = LogisticRegression().fit(X, y)
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "model.skgalaxy"
    >>> save(clf, path)
    >>> (load(path).predict(X) == clf.predict(X)).all()
    np.True_
    """
    path = Path(path)
    sio = _skops()
    nets = []

    def take_net(part):
        if type(part).__name__ == "CNNEmbedder" and hasattr(part, "network_"):
            # its network may be any nn.Module: there is no data-only form of it
            raise PersistenceError(
                "A fitted CNNEmbedder cannot be saved in the safe format. Save the "
                "CNN estimator it embeds with (skgalaxy.persistence.save) and build "
                "the embedder again with pretrained=<that file> (its fit learns "
                "nothing), or use joblib for files you trust."
            )
        if is_torch_net(part):
            config, weights, attrs = net_to_config(part)
            nets.append((config, weights))
            return TorchNetRef(len(nets) - 1, attrs)
        return None

    stripped = _swap(obj, take_net, {})
    try:
        data = sio.dumps(stripped)
    except Exception as exc:
        raise PersistenceError(
            f"skops cannot store this {type(obj).__name__}: {exc}"
        ) from exc
    versions = _versions(with_torch=bool(nets))

    if path.suffix == ".skops":
        if nets:
            raise PersistenceError(
                "A .skops file cannot hold a neural network (skops would store "
                "skorch's pickle); save to a .skgalaxy file instead."
            )

        def write_skops(tmp):
            Path(tmp).write_bytes(data)
            with zipfile.ZipFile(tmp, "a") as zf:
                zf.writestr(_SKOPS_VERSIONS, json.dumps({"versions": versions}))

        atomic_write(path, write_skops)
        return

    manifest = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "versions": versions,
        "object": _OBJECT,
        "networks": [
            {
                "config": f"cnn_{i}.json",
                "weights": None if weights is None else f"cnn_{i}.safetensors",
            }
            for i, (_, weights) in enumerate(nets)
        ],
    }

    def write_container(tmp):
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            zf.writestr(_MANIFEST, json.dumps(manifest, indent=2))
            zf.writestr(_OBJECT, data)
            for i, (config, weights) in enumerate(nets):
                zf.writestr(f"cnn_{i}.json", json.dumps(config, indent=2))
                if weights is not None:
                    zf.writestr(f"cnn_{i}.safetensors", weights)

    atomic_write(path, write_container)


def _check_versions(saved, with_torch, source):
    if not isinstance(saved, dict):
        return
    current = _versions(with_torch)
    if with_torch and current["torch"] is None:
        import torch

        current["torch"] = torch.__version__
    differ = [
        f"{name} {saved.get(name)} (now {now})"
        for name, now in current.items()
        if now is not None and saved.get(name) is not None and saved.get(name) != now
    ]
    if differ:
        warnings.warn(
            f"{source} was saved with " + ", ".join(differ) + "; predictions may "
            "differ or the model may fail. Refit it under the current versions if "
            "you can.",
            InconsistentVersionWarning,
            stacklevel=3,
        )


def _read(zf, name, source, limit=None):
    """Read the bytes of member ``name``, refused beyond ``limit`` before inflating."""
    try:
        info = zf.getinfo(name)
    except KeyError as exc:
        raise PersistenceError(f"{source} lacks {name}.") from exc
    if limit is not None and info.file_size > limit:
        raise PersistenceError(
            f"{source}: {name} states {info.file_size} bytes, more than a model "
            f"file may hold ({limit}); the file is corrupt or was edited."
        )
    try:
        return zf.read(info)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError) as exc:
        raise PersistenceError(f"{source} is corrupt: {name}: {exc}") from exc


def _read_json(zf, name, source):
    return loads_json(_read(zf, name, source, MAX_JSON_BYTES), f"{source}: {name}")


def _open_zip_bytes(data, source):
    if data[:4] != _ZIP_MAGIC:
        raise PersistenceError(f"{source} is not a skgalaxy or skops file.")
    try:
        return zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise PersistenceError(f"{source} is corrupt: {exc}") from exc


def _open_zip(path, source):
    """Open ``path`` as the zip a model file is, or say precisely why not."""
    with open(path, "rb") as f:
        head = f.read(4)
    if head != _ZIP_MAGIC:
        if zipfile.is_zipfile(path):
            # zipfile accepts a zip behind other bytes (a pickle, say); skgalaxy
            # and skops never write one, and other tools would read the prefix.
            raise PersistenceError(
                f"{source} has other bytes before its zip content, which "
                "skgalaxy never writes; the file was tampered with. Refusing it."
            )
        hint = (
            " It looks like a pickle/joblib file: load it with joblib.load, but "
            "only if you trust its source (unpickling runs arbitrary code)."
            if head[:1] == b"\x80"
            else ""
        )
        raise PersistenceError(f"{source} is not a skgalaxy or skops file.{hint}")
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise PersistenceError(
            f"{source} is truncated or corrupt: it starts as a model file does, "
            "but its zip directory (at the end) is missing or damaged. Was it "
            f"copied or downloaded completely? ({exc})"
        ) from exc
    try:
        _check_layout(zf, source)
    except BaseException:
        zf.close()
        raise
    return zf


def _check_layout(zf, source):
    infos = zf.infolist()
    names = [info.filename for info in infos]
    if len(set(names)) != len(names):
        raise PersistenceError(
            f"{source} holds a member twice, which skgalaxy never writes; the "
            "file was tampered with."
        )
    if infos and min(info.header_offset for info in infos) != 0:
        raise PersistenceError(
            f"{source} has other bytes before its zip content, which skgalaxy "
            "never writes; the file was tampered with. Refusing it."
        )


def load(path, *, trusted=None):
    """Load a file written by :func:`save`, refusing anything not trusted.

    Parameters
    ----------
    path : str or path-like
        A ``.skgalaxy`` container or a ``.skops`` file.
    trusted : list of str or type, default=None
        Extra types or functions (objects or qualified names, as the error
        message lists them) to accept. Classes of skgalaxy and scikit-learn are
        trusted; everything else in the file is refused unless listed here.
        A CNN's configuration is data only whatever ``trusted`` says: the
        names it may hold are those its parameters' rules allow (a network,
        a loss, an optimizer, an activation).

    Returns
    -------
    obj : object
        The saved object; skorch networks are rebuilt from their parameters and
        weights (a network saved on a GPU loads on the CPU with a warning).

    Raises
    ------
    FileNotFoundError
        If ``path`` does not exist.
    UntrustedTypesError
        If the file names a type or function that is not trusted.
    PersistenceError
        If the file is not a skgalaxy or skops file, is truncated or corrupt,
        or was edited: a CNN parameter that is not data, sizes beyond the
        bounds a model file may state, bytes before the zip content. All of
        this is checked before the file's objects are built.

    Warns
    -----
    InconsistentVersionWarning
        If the file was saved under other skgalaxy, scikit-learn or torch
        versions.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> import numpy as np
    >>> from sklearn.preprocessing import StandardScaler
    >>> from skgalaxy.persistence import load, save
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "scaler.skops"
    >>> save(StandardScaler().fit(np.ones((3, 2))), path)
    >>> load(path).mean_
    array([1., 1.])
    """
    path = Path(path)
    source = f"The model file {str(path)!r}"
    if path.is_dir():
        raise IsADirectoryError(f"{source} is a folder, not a file.")
    if not path.is_file():
        raise FileNotFoundError(f"{source} does not exist.")
    trusted_names = _trusted_names(trusted)
    with _open_zip(path, source) as zf:
        names = set(zf.namelist())
        if "schema.json" in names:  # a plain skops file
            if _SKOPS_VERSIONS in names:
                info = _read_json(zf, _SKOPS_VERSIONS, source)
                if isinstance(info, dict):
                    _check_versions(info.get("versions"), False, source)
            return _skops_load(path.read_bytes(), trusted_names, source)
        if _MANIFEST not in names:
            raise PersistenceError(f"{source} is not a skgalaxy or skops file.")
        manifest = _read_json(zf, _MANIFEST, source)
        networks = _check_manifest(manifest, names, source)
        _check_versions(manifest["versions"], bool(networks), source)
        # Every network's configuration is checked before anything in the file
        # is built (the skops part included).
        plans = []
        for i, entry in enumerate(networks):
            config = _read_json(zf, entry["config"], source)
            try:
                plans.append(check_config(config, trusted_names))
            except PersistenceError as exc:
                raise _in_file(exc, source, f"network {i} ({entry['config']})")
        obj = _skops_load(_read(zf, manifest["object"], source), trusted_names, source)
        if not networks:
            return obj

        def put_net(part):
            if not isinstance(part, TorchNetRef):
                return None
            if not (
                isinstance(part.index, int)
                and 0 <= part.index < len(plans)
                and isinstance(part.attrs, dict)
            ):
                raise PersistenceError(f"{source}: a network reference is malformed.")
            member = networks[part.index]["weights"]
            size = None if member is None else zf.getinfo(member).file_size
            try:
                return build_net(
                    plans[part.index],
                    part.attrs,
                    size,
                    lambda: _read(zf, member, source),
                )
            except PersistenceError as exc:
                raise _in_file(exc, source, f"network {part.index}")
            except ImportError:
                raise
            except Exception as exc:
                raise PersistenceError(
                    f"{source}: network {part.index} could not be rebuilt: {exc}"
                ) from exc

        return _swap(obj, put_net, {})


def _in_file(exc, source, where):
    """``exc`` (of the same type) with the file and the part of it named."""
    message = f"{source} cannot be loaded: {where}: {exc}"
    if not isinstance(exc, UntrustedTypesError):
        message += " The file is corrupt or was edited."
    new = type(exc)(message)
    new.__cause__ = exc
    return new


def _check_manifest(manifest, names, source):
    bad = PersistenceError(
        f"{source} has a malformed manifest.json; the file is corrupt or was edited."
    )
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise bad
    version = manifest.get("format_version")
    if not isinstance(version, int) or version > FORMAT_VERSION:
        raise PersistenceError(
            f"{source} uses format version {version!r}; this skgalaxy reads up to "
            f"{FORMAT_VERSION}. Upgrade skgalaxy."
        )
    if set(manifest) != {"format", "format_version", "versions", "object", "networks"}:
        raise bad
    if manifest["object"] != _OBJECT or not isinstance(manifest["networks"], list):
        raise bad
    for i, entry in enumerate(manifest["networks"]):
        if not isinstance(entry, dict) or set(entry) != {"config", "weights"}:
            raise bad
        if entry["config"] != f"cnn_{i}.json" or entry["weights"] not in (
            None,
            f"cnn_{i}.safetensors",
        ):
            raise bad
        for member in (entry["config"], entry["weights"]):
            if member is not None and (
                member not in names or not _NET_FILE.fullmatch(member)
            ):
                raise bad
    return manifest["networks"]
