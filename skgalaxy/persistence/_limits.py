"""Bounds on what a model file may hold, checked before anything is built from it.

A model file may come from anyone, so every size it states is bounded before use:
the members of the zip, the nesting of its JSON, the numbers that size a network.
The bounds are far above what skgalaxy's networks need.
"""

import json
import re

import numpy as np

from ._errors import PersistenceError

__all__ = [
    "MAX_ITEMS",
    "MAX_JSON_BYTES",
    "MAX_JSON_DEPTH",
    "MAX_PARAMETERS",
    "MAX_SIZE",
    "MAX_STRING",
    "loads_json",
]

# Nesting of any JSON member (skops' schema included). A fitted GridSearchCV over
# a pipeline nests 18 deep; skops itself overflows the stack near 600.
MAX_JSON_DEPTH = 100
# Bytes of one JSON member once inflated (a long training history stays under 10 MB).
MAX_JSON_BYTES = 64 * 2**20
# Any int that sizes a network (filters, widths, image sides, layer counts).
MAX_SIZE = 2**16
# Items of a list or dict in a network parameter, and characters of a string.
MAX_ITEMS = 2**16
MAX_STRING = 1024
# Numbers in a network's weights (4 GiB in float32; AlexNetLike at 424 px has 0.2e9).
MAX_PARAMETERS = 2**30

# A JSON string, escapes included, so that brackets inside strings are not counted.
_JSON_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)


def json_depth(data):
    """Nesting depth of the JSON text ``data`` (bytes), without parsing it.

    The json module parses recursively, so a deep enough text raises
    RecursionError (or worse); this counts brackets in linear time instead.
    """
    stripped = np.frombuffer(_JSON_STRING.sub(b'""', data), dtype=np.uint8)
    if not stripped.size:
        return 0
    step = np.zeros(stripped.shape, dtype=np.int64)
    step[(stripped == ord("[")) | (stripped == ord("{"))] = 1
    step[(stripped == ord("]")) | (stripped == ord("}"))] = -1
    return int(np.cumsum(step).max(initial=0))


def loads_json(data, where):
    """Parse the JSON bytes ``data`` of ``where`` once its size and depth are bounded.

    Raises
    ------
    PersistenceError
        If ``data`` is too large, nested too deep or not JSON.
    """
    if len(data) > MAX_JSON_BYTES:
        raise PersistenceError(
            f"{where} holds {len(data)} bytes of JSON, more than a model file may "
            f"({MAX_JSON_BYTES}); the file is corrupt or was edited."
        )
    depth = json_depth(data)
    if depth > MAX_JSON_DEPTH:
        raise PersistenceError(
            f"{where} nests its JSON {depth} levels deep, more than a model file may "
            f"({MAX_JSON_DEPTH}); the file is corrupt or was edited."
        )
    try:
        return json.loads(data)
    except (ValueError, UnicodeDecodeError) as exc:
        raise PersistenceError(f"{where} is not JSON: {exc}") from exc
