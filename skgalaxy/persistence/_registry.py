"""Names under which the safe format stores classes and functions.

A saved CNN's configuration names its module class, criterion and optimizer by a
registered name (the object's qualified name). Loading only looks names up in
this table, and only where the parameter's rule allows a class (see
``_netparams``): a file can never make skgalaxy import or call anything that was
not registered, or that the user did not trust explicitly.
"""

import importlib
import inspect
import pkgutil

__all__ = ["register", "registered_names"]

_REGISTRY = {}
_DEFAULTS_LOADED = False


def _qualified_name(obj):
    return f"{obj.__module__}.{obj.__qualname__}"


def register(obj, name=None):
    """Allow a class or function to appear in files written by :func:`save`.

    skgalaxy registers the torch, skorch and skgalaxy classes a CNN estimator's
    parameters may name (networks, layers, activations, losses, optimizers).
    Register your own ``nn.Module`` (a network, a loss or an activation) or
    optimizer before saving *and* before loading a network that uses it.
    Callbacks are never stored, registered or not: they are code.

    Parameters
    ----------
    obj : class or function
        The object to register.
    name : str or None, default=None
        The name stored in files; defaults to ``"<module>.<qualname>"``.

    Returns
    -------
    obj : class or function
        ``obj`` itself, so ``register`` can decorate a class.

    Examples
    --------
    >>> from skgalaxy.persistence import register, registered_names
    >>> class MyModule:  # in practice a torch.nn.Module subclass
    ...     pass
    >>> register(MyModule, name="mypackage.MyModule") is MyModule
    True
    >>> "mypackage.MyModule" in registered_names()
    True
    """
    if not (inspect.isclass(obj) or callable(obj)):
        raise TypeError(
            f"register expects a class or a function, got {type(obj).__name__}."
        )
    name = _qualified_name(obj) if name is None else name
    if not isinstance(name, str) or not name:
        raise TypeError(f"name must be a non-empty str, got {name!r}.")
    previous = _REGISTRY.get(name)
    if previous is not None and previous is not obj:
        raise ValueError(
            f"The name {name!r} is already registered for {previous!r}; "
            "choose another name."
        )
    _REGISTRY[name] = obj
    return obj


def registered_names():
    """Return the sorted list of names registered so far.

    Returns
    -------
    names : list of str
        The registered names (the torch defaults appear once torch is in use).

    Examples
    --------
    >>> from skgalaxy.persistence import registered_names
    >>> isinstance(registered_names(), list)
    True
    """
    return sorted(_REGISTRY)


def _register_members(module, predicate):
    for _, member in inspect.getmembers(module, predicate):
        name = _qualified_name(member)
        if name.startswith(module.__name__.split(".")[0]) and name not in _REGISTRY:
            _REGISTRY[name] = member


def _load_torch_defaults():
    """Register the torch/skorch/skgalaxy classes a CNN estimator's data may name.

    Only classes that are inert data once built: layers, losses and activations,
    optimizers, torch's DataLoader, skorch's Dataset and ValidSplit, skgalaxy's
    networks and CNN estimators. Never callbacks, which run code during fit
    (skorch's Checkpoint and LoadInitState read and write files, and can unpickle).
    """
    global _DEFAULTS_LOADED
    if _DEFAULTS_LOADED:
        return
    import skorch
    import skorch.dataset
    import torch
    import torch.nn
    import torch.optim
    import torch.utils.data

    def is_module(obj):
        return inspect.isclass(obj) and issubclass(obj, torch.nn.Module)

    def is_optimizer(obj):
        return inspect.isclass(obj) and issubclass(obj, torch.optim.Optimizer)

    _register_members(torch.nn, is_module)  # layers, activations, losses
    _register_members(torch.optim, is_optimizer)
    for obj in (
        torch.utils.data.DataLoader,
        skorch.dataset.Dataset,
        skorch.dataset.ValidSplit,
    ):
        _REGISTRY.setdefault(_qualified_name(obj), obj)
    # skgalaxy's own networks and CNN estimators.
    import skgalaxy.neural_network as nn_pkg

    for info in pkgutil.iter_modules(nn_pkg.__path__):
        module = importlib.import_module(f"{nn_pkg.__name__}.{info.name}")
        for _, member in inspect.getmembers(module, inspect.isclass):
            if member.__module__ == module.__name__ and (
                issubclass(member, (torch.nn.Module, skorch.NeuralNet))
            ):
                _REGISTRY.setdefault(_qualified_name(member), member)
    _DEFAULTS_LOADED = True


def _resolve_trusted_name(name):
    """Import ``name`` ("pkg.module.Object"), which the user trusted explicitly."""
    parts = name.split(".")
    for i in range(len(parts) - 1, 0, -1):
        module_name = ".".join(parts[:i])
        try:
            obj = importlib.import_module(module_name)
        except ImportError:
            continue
        try:
            for attr in parts[i:]:
                obj = getattr(obj, attr)
        except AttributeError:
            break
        return obj
    raise ValueError(f"The trusted name {name!r} cannot be imported.")


def lookup(name, trusted=()):
    """Return the object registered as ``name``, or the trusted name imported.

    Raises
    ------
    UntrustedTypesError
        If ``name`` is neither registered nor in ``trusted``.
    """
    from ._errors import UntrustedTypesError

    _load_torch_defaults()
    if name in _REGISTRY:
        return _REGISTRY[name]
    if name in trusted:
        return _resolve_trusted_name(name)
    raise UntrustedTypesError(
        f"The file names {name!r}, which is neither a registered skgalaxy "
        "persistence name nor trusted. If you trust the file's source, pass "
        f"trusted=[{name!r}] to load (or register the object with "
        "skgalaxy.persistence.register)."
    )


def name_of(obj):
    """Return the registered name of ``obj``, or None."""
    _load_torch_defaults()
    name = _qualified_name(obj) if hasattr(obj, "__qualname__") else None
    if name is not None and _REGISTRY.get(name) is obj:
        return name
    for key, value in _REGISTRY.items():
        if value is obj:
            return key
    return None
