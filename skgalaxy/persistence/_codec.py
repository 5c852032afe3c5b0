"""Parameter values as JSON, and back as data.

:func:`encode` writes a value with the JSON types plus a few tagged forms (tuples,
dicts with other keys than strings, non-finite floats, numeric arrays) and names
registered classes by name (``{"__ref__": name}``) or describes registered objects
by their constructor arguments (``{"__object__": name, "params": ...}``).

:func:`decode` reads such JSON back as data only. A name stays a :class:`Ref`,
an object description a :class:`Spec`: nothing is looked up, imported or built
here, and where the caller allows no names they are refused.
"""

import inspect
import math
import re

import numpy as np

from ._errors import PersistenceError
from ._limits import MAX_ITEMS, MAX_STRING
from ._registry import name_of

__all__ = ["Ref", "Spec", "decode", "encode", "is_plain"]

_FLOATS = {"nan": math.nan, "inf": math.inf, "-inf": -math.inf}
_QUALIFIED_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)+")


class Ref:
    """A class that a configuration names, not looked up yet."""

    __slots__ = ("name",)

    def __init__(self, name):
        self.name = name

    def __repr__(self):
        return f"Ref({self.name!r})"


class Spec:
    """An object that a configuration describes, not built yet."""

    __slots__ = ("name", "params")

    def __init__(self, name, params):
        self.name = name
        self.params = params

    def __repr__(self):
        return f"Spec({self.name!r}, {self.params!r})"


def encode(value, where):
    """JSON-able form of a parameter value; registered objects by name."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else {"__float__": repr(value)}
    if isinstance(value, np.generic) and value.dtype.kind in "biuf":
        return encode(value.item(), where)
    if isinstance(value, np.ndarray) and value.dtype.kind in "biuf":
        return {"__ndarray__": encode(value.tolist(), where), "dtype": value.dtype.str}
    if isinstance(value, list):
        return [encode(v, f"{where}[{i}]") for i, v in enumerate(value)]
    if isinstance(value, tuple):
        return {"__tuple__": [encode(v, f"{where}[{i}]") for i, v in enumerate(value)]}
    if isinstance(value, dict):
        if all(isinstance(k, str) and not k.startswith("__") for k in value):
            return {k: encode(v, f"{where}[{k!r}]") for k, v in value.items()}
        return {
            "__dict__": [
                [encode(k, where), encode(v, f"{where}[{k!r}]")]
                for k, v in value.items()
            ]
        }
    try:
        name = name_of(value)
    except TypeError:  # unhashable or odd objects
        name = None
    if name is not None:
        return {"__ref__": name}
    cls_name = name_of(type(value))
    if cls_name is not None and not (
        inspect.isclass(value) or inspect.isroutine(value)
    ):
        return {"__object__": cls_name, "params": encode(_init_params(value), where)}
    what = getattr(value, "__qualname__", type(value).__qualname__)
    raise PersistenceError(
        f"Cannot save {where}={value!r} in the safe format: {what} is not a "
        "registered type. Register it with skgalaxy.persistence.register "
        "(before saving and before loading), or save with joblib instead."
    )


def _init_params(obj):
    """Return the constructor arguments of a registered object (a data splitter)."""
    params = {}
    for name, param in inspect.signature(type(obj).__init__).parameters.items():
        if name == "self" or param.kind in (param.VAR_POSITIONAL, param.VAR_KEYWORD):
            continue
        if not hasattr(obj, name):
            raise PersistenceError(
                f"Cannot save a {type(obj).__qualname__}: its constructor argument "
                f"{name!r} is not stored as an attribute."
            )
        params[name] = getattr(obj, name)
    return params


def _refuse(where, what):
    return PersistenceError(f"{where} {what}")


def decode(value, where, *, refs=False):
    """Decode the data that the JSON ``value`` encodes; names only where ``refs``.

    Raises
    ------
    PersistenceError
        If ``value`` is malformed, too large, or names a class or describes an
        object where ``refs`` is False.
    """
    if value is None or isinstance(value, (bool, int, float)):
        return value
    if isinstance(value, str):
        if len(value) > MAX_STRING:
            raise _refuse(where, f"is a string of {len(value)} characters.")
        return value
    if isinstance(value, list):
        if len(value) > MAX_ITEMS:
            raise _refuse(where, f"is a list of {len(value)} items.")
        return [decode(v, f"{where}[{i}]", refs=refs) for i, v in enumerate(value)]
    if not isinstance(value, dict):
        raise _refuse(where, f"holds an unexpected value {value!r}.")
    if len(value) > MAX_ITEMS:
        raise _refuse(where, f"is a dict of {len(value)} items.")
    keys = set(value)
    if not any(k.startswith("__") for k in keys):
        return {k: decode(v, f"{where}[{k!r}]", refs=refs) for k, v in value.items()}
    if keys == {"__tuple__"} and isinstance(value["__tuple__"], list):
        return tuple(decode(value["__tuple__"], where, refs=refs))
    if keys == {"__dict__"} and isinstance(value["__dict__"], list):
        out = {}
        for pair in decode(value["__dict__"], where, refs=refs):
            if not (
                isinstance(pair, list)
                and len(pair) == 2
                and (pair[0] is None or isinstance(pair[0], (bool, int, float, str)))
            ):
                raise _refuse(where, "holds a malformed dict.")
            out[pair[0]] = pair[1]
        return out
    if keys == {"__float__"} and value["__float__"] in _FLOATS:
        return _FLOATS[value["__float__"]]
    if keys == {"__ndarray__", "dtype"} and isinstance(value["dtype"], str):
        try:
            dtype = np.dtype(value["dtype"])
        except TypeError:
            dtype = np.dtype(object)
        if dtype.kind not in "biuf":
            raise _refuse(where, f"holds an array of dtype {value['dtype']!r}.")
        data = decode(value["__ndarray__"], where)
        if not is_plain(data):
            raise _refuse(where, "holds a malformed array.")
        try:
            return np.asarray(data, dtype=dtype)
        except (TypeError, ValueError, OverflowError) as exc:
            raise _refuse(where, "holds a malformed array.") from exc
    if keys == {"__ref__"} and isinstance(value["__ref__"], str):
        name = value["__ref__"]
        if not refs:
            raise _refuse(where, f"names {name!r} where only data may stand.")
        if len(name) > MAX_STRING or not _QUALIFIED_NAME.fullmatch(name):
            raise _refuse(where, f"names {name[:80]!r}, which is not a class name.")
        return Ref(name)
    if keys == {"__object__", "params"} and isinstance(value["__object__"], str):
        name = value["__object__"]
        if not refs:
            raise _refuse(where, f"describes a {name!r} where only data may stand.")
        params = decode(value["params"], f"{where}.params")
        if not isinstance(params, dict):
            raise _refuse(where, f"describes a {name!r} with malformed parameters.")
        return Spec(name, params)
    raise _refuse(where, f"holds an unexpected entry {sorted(keys)}.")


def is_plain(value):
    """Whether ``value`` (decoded) is data through and through: no Ref or Spec."""
    if isinstance(value, (Ref, Spec)):
        return False
    if isinstance(value, (list, tuple)):
        return all(is_plain(v) for v in value)
    if isinstance(value, dict):
        return all(is_plain(v) for v in value.values())
    return True
