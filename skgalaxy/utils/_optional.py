"""Optional dependencies: import them lazily with a message naming the extra."""

import importlib

__all__ = ["import_optional"]

_EXTRA = {
    "torch": "torch",
    "skorch": "torch",
    "matplotlib": "plot",
    "skops": "safe",
    "safetensors": "safe",
    "dask": "dask",
    "distributed": "dask",
    "PIL": "test",
}


def import_optional(name, *, extra=None, feature=None):
    """Import module ``name`` or raise an ImportError that says what to install.

    Parameters
    ----------
    name : str
        Module to import, e.g. ``"torch"`` or ``"matplotlib.pyplot"``.
    extra : str or None, default=None
        skgalaxy extra providing it; guessed from the top-level package if None.
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
