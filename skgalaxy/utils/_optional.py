"""Optional dependencies: import them lazily with a message naming the extra."""

import importlib
import sys

__all__ = ["import_optional", "is_torch_net"]

_EXTRA = {
    "torch": "torch",
    "skorch": "torch",
    "matplotlib": "plot",
    "skops": "safe",
    "safetensors": "safe",
    "dask": "dask",
    "distributed": "dask",
    "astropy": "astro",
    "pyarrow": "astro",
    "PIL": "test",
}


def import_optional(name, *, extra=None, feature=None):
    """Import module ``name`` or raise an ImportError that says what to install.

    Parameters
    ----------
    name : str
        Module to import, e.g. ``"torch"`` or ``"matplotlib.pyplot"``.
    extra : str or None, default=None
        The skgalaxy extra providing it; guessed from the top-level package if None.
    feature : str or None, default=None
        What needs the module, for the message.

    Returns
    -------
    module : module
        The imported module.

    Examples
    --------
    >>> from skgalaxy.utils import import_optional
    >>> import_optional("numpy").__name__
    'numpy'
    """
    try:
        return importlib.import_module(name)
    except ImportError as exc:
        top = name.split(".")[0]
        extra = extra or _EXTRA.get(top, "all")
        what = feature or "this feature of skgalaxy"
        raise ImportError(
            f"{what} needs the optional package {top!r}, which is not installed. "
            f'Install it with: pip install "skgalaxy[{extra}]"'
        ) from exc


def is_torch_net(obj):
    """Whether ``obj`` is a skorch net, without importing skorch.

    An object can only be a skorch net once skorch is imported, so asking
    ``sys.modules`` keeps code that merely checks from loading torch.

    Examples
    --------
    >>> from skgalaxy.utils._optional import is_torch_net
    >>> is_torch_net(object())
    False
    """
    skorch = sys.modules.get("skorch")
    return skorch is not None and isinstance(obj, skorch.NeuralNet)
