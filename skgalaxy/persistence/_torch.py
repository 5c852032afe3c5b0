"""skorch networks in the safe format: configuration as JSON, weights as safetensors.

skops alone cannot store a skorch net safely (skorch restores its module from an
embedded pickle), so :func:`skgalaxy.persistence.save` takes each net out of the
object, stores its ``get_params()`` as JSON (classes and functions by registered
name, see :mod:`._registry`) and its module and criterion ``state_dict`` with
safetensors, and leaves a :class:`TorchNetRef` in its place. Loading builds the
net from its parameters, ``initialize()``-s it and loads the weights: nothing is
unpickled.
"""

import inspect
import math
import warnings

import numpy as np

from ._errors import PersistenceError
from ._registry import lookup, name_of

__all__ = ["TorchNetRef", "net_to_config", "net_from_config"]

# skorch's own fitted attributes: rebuilt by ``initialize()``, never stored.
_SKORCH_STATE = {
    "history_",
    "initialized_",
    "virtual_params_",
    "init_context_",
    "callbacks_",
    "prefixes_",
    "cuda_dependent_attributes_",
}


class TorchNetRef:
    """Placeholder for a skorch net inside the skops part of a skgalaxy file.

    Parameters
    ----------
    index : int
        Which of the file's networks (``cnn_<index>.json``) it stands for.
    attrs : dict
        The net's own fitted attributes that are plain data (``classes_``,
        ``image_shape_``, ...), stored by skops.
    """

    def __init__(self, index, attrs):
        self.index = index
        self.attrs = attrs


def _torch_module_names(net):
    return list(getattr(net, "_modules", [])) + list(getattr(net, "_criteria", []))


def _state_attribute_names(net):
    names = set(_SKORCH_STATE)
    for group in ("_modules", "_criteria", "_optimizers"):
        names.update(f"{name}_" for name in getattr(net, group, []))
    return names


def _encode(value, where):
    """JSON-able form of a parameter value; registered objects by name."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else {"__float__": repr(value)}
    if isinstance(value, np.generic) and value.dtype.kind in "biuf":
        return _encode(value.item(), where)
    if isinstance(value, np.ndarray) and value.dtype.kind in "biuf":
        return {"__ndarray__": _encode(value.tolist(), where), "dtype": value.dtype.str}
    if isinstance(value, list):
        return [_encode(v, f"{where}[{i}]") for i, v in enumerate(value)]
    if isinstance(value, tuple):
        return {"__tuple__": [_encode(v, f"{where}[{i}]") for i, v in enumerate(value)]}
    if isinstance(value, dict):
        if all(isinstance(k, str) and not k.startswith("__") for k in value):
            return {k: _encode(v, f"{where}[{k!r}]") for k, v in value.items()}
        return {
            "__dict__": [
                [_encode(k, where), _encode(v, f"{where}[{k!r}]")]
                for k, v in value.items()
            ]
        }
    try:
        name = name_of(value)
    except TypeError:  # unhashable or odd objects
        name = None
    if name is not None:
        return {"__ref__": name}
    cls = type(value)
    cls_name = name_of(cls)
    if cls_name is not None and not (
        inspect.isclass(value) or inspect.isroutine(value)
    ):
        return {"__object__": cls_name, "params": _encode(_init_params(value), where)}
    what = getattr(value, "__qualname__", type(value).__qualname__)
    raise PersistenceError(
        f"Cannot save {where}={value!r} in the safe format: {what} is not a "
        "registered type. Register it with skgalaxy.persistence.register "
        "(before saving and before loading), or save with joblib instead."
    )


def _init_params(obj):
    """The constructor arguments of a registered object (callbacks, splitters)."""
    get_params = getattr(obj, "get_params", None)
    if callable(get_params):
        try:
            return get_params(deep=False)
        except TypeError:
            return get_params()
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


_FLOATS = {"nan": math.nan, "inf": math.inf, "-inf": -math.inf}


def _decode(value, trusted):
    if value is None or isinstance(value, (bool, str, int, float)):
        return value
    if isinstance(value, list):
        return [_decode(v, trusted) for v in value]
    if not isinstance(value, dict):
        raise PersistenceError(
            f"Unexpected value in a network configuration: {value!r}"
        )
    keys = set(value)
    if not any(k.startswith("__") for k in keys):
        return {k: _decode(v, trusted) for k, v in value.items()}
    if keys == {"__tuple__"} and isinstance(value["__tuple__"], list):
        return tuple(_decode(v, trusted) for v in value["__tuple__"])
    if keys == {"__dict__"} and isinstance(value["__dict__"], list):
        out = {}
        for pair in value["__dict__"]:
            if not (isinstance(pair, list) and len(pair) == 2):
                raise PersistenceError("Malformed dict in a network configuration.")
            out[_decode(pair[0], trusted)] = _decode(pair[1], trusted)
        return out
    if keys == {"__float__"} and value["__float__"] in _FLOATS:
        return _FLOATS[value["__float__"]]
    if keys == {"__ndarray__", "dtype"}:
        dtype = np.dtype(value["dtype"])
        if dtype.kind not in "biuf":
            raise PersistenceError(f"Refusing an array of dtype {dtype} in the file.")
        return np.asarray(_decode(value["__ndarray__"], trusted), dtype=dtype)
    if keys == {"__ref__"} and isinstance(value["__ref__"], str):
        return lookup(value["__ref__"], trusted)
    if keys == {"__object__", "params"} and isinstance(value["__object__"], str):
        cls = lookup(value["__object__"], trusted)
        params = _decode(value["params"], trusted)
        if not inspect.isclass(cls) or not isinstance(params, dict):
            raise PersistenceError(
                f"Malformed object {value['__object__']!r} in a network configuration."
            )
        return cls(**params)
    raise PersistenceError(
        f"Unexpected entry {sorted(keys)} in a network configuration; the file "
        "is corrupt or was edited."
    )


def _json_history(history):
    entries = []
    for entry in history:
        try:
            entries.append(_encode(entry, "history"))
        except PersistenceError:
            # A callback wrote something that is not plain data: keep what is.
            entries.append(
                _encode({k: v for k, v in entry.items() if _is_plain(v)}, "history")
            )
    return entries


def _is_plain(value):
    try:
        _encode(value, "history")
    except PersistenceError:
        return False
    return True


def net_to_config(net):
    """Split a skorch net into (config dict, safetensors bytes or None, attrs)."""
    from skgalaxy.utils import import_optional

    params = {
        key: value
        for key, value in net.get_params(deep=False).items()
        if not key.startswith("_")
    }
    cls_name = name_of(type(net))
    if cls_name is None:
        raise PersistenceError(
            f"Cannot save a {type(net).__qualname__} in the safe format: the class "
            "is not registered. Register it with skgalaxy.persistence.register."
        )
    initialized = bool(getattr(net, "initialized_", False))
    config = {
        "class": cls_name,
        "params": _encode(params, "params"),
        "initialized": initialized,
        "history": _json_history(getattr(net, "history_", [])) if initialized else [],
    }
    skip = _state_attribute_names(net)
    attrs = {
        key: value
        for key, value in vars(net).items()
        if key.endswith("_") and not key.startswith("_") and key not in skip
    }
    weights = None
    if initialized:
        torch = import_optional("torch", feature="saving a CNN estimator")
        st = import_optional("safetensors.torch", extra="safe", feature="saving a CNN")
        tensors = {}
        for name in _torch_module_names(net):
            module = getattr(net, f"{name}_", None)
            if isinstance(module, torch.nn.Module):
                for key, tensor in module.state_dict().items():
                    tensor = tensor.detach().cpu().contiguous()
                    # clone: safetensors refuses tensors that share memory
                    tensors[f"{name}.{key}"] = tensor.clone()
        weights = st.save(tensors)
    return config, weights, attrs


def net_from_config(config, weights, attrs, trusted=()):
    """Build the skorch net that ``net_to_config`` described."""
    from skgalaxy.utils import import_optional

    torch = import_optional("torch", feature="loading a CNN estimator")
    skorch = import_optional("skorch", feature="loading a CNN estimator")
    st = import_optional("safetensors.torch", extra="safe", feature="loading a CNN")

    cls = lookup(config["class"], trusted)
    if not (inspect.isclass(cls) and issubclass(cls, skorch.NeuralNet)):
        raise PersistenceError(
            f"{config['class']!r} is not a skorch network class; the file is corrupt "
            "or was edited."
        )
    params = _decode(config["params"], trusted)
    if not isinstance(params, dict):
        raise PersistenceError("Malformed network parameters in the file.")
    device = params.get("device")
    if (
        isinstance(device, str)
        and device.startswith("cuda")
        and not torch.cuda.is_available()
    ):
        warnings.warn(
            f"The network was saved on device {device!r}, but CUDA is not "
            "available; it is loaded on the CPU.",
            skorch.exceptions.DeviceWarning,
            stacklevel=4,
        )
        params["device"] = "cpu"
    net = cls(**params)
    bad = [
        key
        for key in attrs
        if not (isinstance(key, str) and key.endswith("_") and not key.startswith("_"))
        or key in _state_attribute_names(net)
    ]
    if bad:
        raise PersistenceError(
            f"The file sets attributes {bad} of the network, which only fitting "
            "sets; the file is corrupt or was edited."
        )
    for key, value in attrs.items():
        setattr(net, key, value)
    if not config["initialized"]:
        return net
    if weights is None:
        raise PersistenceError("The file lacks the weights of a fitted network.")
    net.initialize()
    for key, value in attrs.items():
        setattr(net, key, value)
    tensors = st.load(weights)
    groups = {}
    for key, tensor in tensors.items():
        name, _, param = key.partition(".")
        groups.setdefault(name, {})[param] = tensor
    unknown = set(groups) - set(_torch_module_names(net))
    if unknown:
        raise PersistenceError(
            f"The weights name parts {sorted(unknown)} that the network does not have."
        )
    for name in _torch_module_names(net):
        module = getattr(net, f"{name}_")
        if isinstance(module, torch.nn.Module):
            try:
                module.load_state_dict(groups.get(name, {}), strict=True)
            except RuntimeError as exc:
                first = str(exc).strip().splitlines()[0]
                raise PersistenceError(
                    f"The stored weights do not fit the network's {name}: {first}"
                ) from exc
    net.history_ = skorch.history.History(_decode(config["history"], trusted))
    return net
