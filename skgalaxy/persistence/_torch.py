"""skorch networks in the safe format: configuration as JSON, weights as safetensors.

skops alone cannot store a skorch net safely (skorch restores its module from an
embedded pickle), so :func:`skgalaxy.persistence.save` takes each net out of the
object, stores its parameters as JSON (as the rules of ``_netparams`` allow:
data, and classes by registered name) and its module and criterion
``state_dict`` with safetensors, and leaves a :class:`TorchNetRef` in its place.
Loading checks the configuration (:func:`check_config`), then builds the net
from its parameters, ``initialize()``-s it and loads the weights
(:func:`build_net`): nothing is unpickled.
"""

import warnings
from numbers import Integral

from ._codec import decode, encode
from ._errors import PersistenceError
from ._limits import MAX_PARAMETERS, MAX_SIZE
from ._netparams import check_params, net_class, storable_params
from ._registry import name_of

__all__ = ["NetPlan", "TorchNetRef", "build_net", "check_config", "net_to_config"]

_CONFIG_KEYS = {"class", "params", "initialized", "history"}
# Bytes a weights file may hold beyond the network's own numbers: its header and
# the criterion's state (class weights and the like).
_WEIGHTS_SLACK = 2**24

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


def _plain_history_value(value):
    """``value`` encoded if it is data that loading accepts, else None."""
    try:
        encoded = encode(value, "history")
        decode(encoded, "history")
    except PersistenceError:
        return None
    return encoded


def _json_history(history):
    entries = []
    for entry in history:
        # A callback may record something that is not plain data: keep what is.
        entries.append(
            {
                key: encoded
                for key, value in entry.items()
                if (encoded := _plain_history_value(value)) is not None or value is None
            }
        )
    return entries


def net_to_config(net):
    """Split a skorch net into (config dict, safetensors bytes or None, attrs)."""
    from skgalaxy.utils import import_optional

    cls_name = name_of(type(net))
    if cls_name is None:
        raise PersistenceError(
            f"Cannot save a {type(net).__qualname__} in the safe format: the class "
            "is not registered. Register it with skgalaxy.persistence.register."
        )
    initialized = bool(getattr(net, "initialized_", False))
    config = {
        "class": cls_name,
        "params": storable_params(net),
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


class NetPlan:
    """A checked network configuration: what :func:`build_net` builds."""

    def __init__(self, cls, params, initialized, history):
        self.cls = cls
        self.params = params
        self.initialized = initialized
        self.history = history


def check_config(config, trusted=()):
    """Check a stored network configuration (JSON data) against every rule.

    Nothing is built and nothing the file names is imported (the registry only,
    or what the user trusted).

    Raises
    ------
    PersistenceError
        If the configuration is malformed or holds anything the rules refuse.
    """
    from skgalaxy.utils import import_optional

    import_optional("torch", feature="loading a CNN estimator")
    import_optional("skorch", feature="loading a CNN estimator")
    if not (
        isinstance(config, dict)
        and set(config) == _CONFIG_KEYS
        and isinstance(config["class"], str)
        and isinstance(config["initialized"], bool)
        and isinstance(config["history"], list)
    ):
        raise PersistenceError("the configuration is malformed.")
    # entry by entry: a history may be longer than a parameter's list may be
    history = [
        decode(entry, f"history[{i}]") for i, entry in enumerate(config["history"])
    ]
    if not all(isinstance(entry, dict) for entry in history):
        raise PersistenceError("the training history is malformed.")
    cls = net_class(config["class"])
    params = check_params(cls, config["params"], trusted)
    return NetPlan(cls, params, config["initialized"], history)


def _check_attrs(net, attrs):
    bad = [
        key
        for key in attrs
        if not (isinstance(key, str) and key.endswith("_") and not key.startswith("_"))
        or key in _state_attribute_names(net)
    ]
    if bad:
        raise PersistenceError(
            f"the file sets attributes {bad} of the network, which only fitting sets."
        )

    def is_size(v):
        return isinstance(v, Integral) and not isinstance(v, bool) and 0 < v <= MAX_SIZE

    # they size the network that initialize() builds
    shape = attrs.get("image_shape_")
    if shape is not None and not (
        isinstance(shape, tuple) and len(shape) in (2, 3) and all(map(is_size, shape))
    ):
        raise PersistenceError(
            f"the image shape {shape!r} is not 2 or 3 sizes of at most {MAX_SIZE}."
        )
    n_outputs = attrs.get("n_outputs_")
    if n_outputs is not None and not is_size(n_outputs):
        raise PersistenceError(f"n_outputs_={n_outputs!r} is not a size.")


def _state_numbers(net, torch):
    """(numbers, bytes) of the module ``net.initialize()`` would build, on meta.

    The meta device gives every tensor its shape but no memory, so a
    configuration that describes an oversized network is refused before
    anything is allocated.
    """
    try:
        with torch.device("meta"), net._current_init_context("module"):
            net.initialize_module()
        tensors = list(net.module_.state_dict().values())
    except Exception as exc:
        raise PersistenceError(
            f"the network cannot be built from its parameters: {exc}"
        ) from exc
    finally:
        net.__dict__.pop("module_", None)
    numbers = sum(t.numel() for t in tensors)
    return numbers, sum(t.numel() * t.element_size() for t in tensors)


def build_net(plan, attrs, weights_size, read_weights):
    """Build the net that ``plan`` (from :func:`check_config`) describes.

    Parameters
    ----------
    plan : NetPlan
    attrs : dict
        The net's fitted attributes (from the skops part).
    weights_size : int or None
        Size in bytes of the weights member, as the zip states it.
    read_weights : callable
        Returns the weights' bytes; called once the size is checked.
    """
    from skgalaxy.utils import import_optional

    torch = import_optional("torch", feature="loading a CNN estimator")
    skorch = import_optional("skorch", feature="loading a CNN estimator")
    st = import_optional("safetensors.torch", extra="safe", feature="loading a CNN")

    params = dict(plan.params)
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
    net = plan.cls(**params)
    _check_attrs(net, attrs)
    for key, value in attrs.items():
        setattr(net, key, value)
    if not plan.initialized:
        return net
    if weights_size is None:
        raise PersistenceError("the file lacks the weights of a fitted network.")
    numbers, size = _state_numbers(net, torch)
    if numbers > MAX_PARAMETERS:
        raise PersistenceError(
            f"the parameters describe a network of {numbers} numbers, more than a "
            f"model file may hold ({MAX_PARAMETERS})."
        )
    if not size <= weights_size <= size + _WEIGHTS_SLACK:
        raise PersistenceError(
            "the stored weights do not fit the network's module: its parameters "
            f"describe a network of {size} bytes, but the file holds {weights_size} "
            "bytes of weights."
        )
    weights = read_weights()
    net.initialize()
    for key, value in attrs.items():
        setattr(net, key, value)
    try:
        tensors = st.load(weights)
    except Exception as exc:
        raise PersistenceError(
            f"the weights are not a safetensors file: {exc}"
        ) from exc
    groups = {}
    for key, tensor in tensors.items():
        name, _, param = key.partition(".")
        groups.setdefault(name, {})[param] = tensor
    unknown = set(groups) - set(_torch_module_names(net))
    if unknown:
        raise PersistenceError(
            f"the weights name parts {sorted(unknown)} that the network does not have."
        )
    for name in _torch_module_names(net):
        module = getattr(net, f"{name}_")
        if isinstance(module, torch.nn.Module):
            try:
                module.load_state_dict(groups.get(name, {}), strict=True)
            except RuntimeError as exc:
                first = str(exc).strip().splitlines()[0]
                raise PersistenceError(
                    f"the stored weights do not fit the network's {name}: {first}"
                ) from exc
    net.history_ = skorch.history.History(plan.history)
    return net
