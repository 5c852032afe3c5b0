"""Find every estimator skgalaxy defines, like :mod:`sklearn.utils.discovery`."""

import importlib
import inspect
import pkgutil
from operator import itemgetter
from pathlib import Path

__all__ = ["all_estimators"]

# Modules that hold no estimators, or must not be imported just to look.
_MODULES_TO_IGNORE = {"tests", "conftest", "__main__", "cli", "estimator_checks"}
# Optional packages: a public module or name that needs one that is missing is
# skipped, so discovery works on a core install.
_OPTIONAL = {"torch", "skorch", "matplotlib", "skops", "safetensors", "dask"}


def _missing_optional(exc):
    """Return True when ``exc`` comes from an optional package that is not installed."""
    missing = getattr(exc, "name", None) or ""
    if missing.split(".")[0] in _OPTIONAL:
        return True
    # skgalaxy's import_optional names the package in its message.
    return any(f"'{name}'" in str(exc) for name in _OPTIONAL)


def _public_modules(path, prefix):
    """Names of the public modules under ``path``, imported nothing to find them.

    (:func:`pkgutil.walk_packages` would import every subpackage, ignored ones
    too.)
    """
    for info in pkgutil.iter_modules([str(path)]):
        if info.name.startswith("_") or info.name in _MODULES_TO_IGNORE:
            continue
        yield prefix + info.name
        if info.ispkg:
            yield from _public_modules(Path(path) / info.name, f"{prefix}{info.name}.")


def _public_members(module):
    names = getattr(module, "__all__", None)
    if names is None:
        names = [n for n in dir(module) if not n.startswith("_")]
    for member in names:
        try:
            yield member, getattr(module, member)
        except ImportError as exc:  # a lazy name whose optional extra is missing
            if not _missing_optional(exc):
                raise


def all_estimators(type_filter=None):
    """List the estimators defined in skgalaxy.

    Walks the public modules of the package (not the private ``_*`` modules,
    whose classes the public modules re-export) and keeps the classes that
    inherit from :class:`~sklearn.base.BaseEstimator`. Estimators that need an
    optional extra that is not installed (torch for the CNNs) are left out.

    Parameters
    ----------
    type_filter : {"classifier", "regressor", "transformer", "cluster"} or list \
            of such str, default=None
        Keep only estimators of these kinds; None keeps all.

    Returns
    -------
    estimators : list of (str, type)
        ``(class name, class)`` pairs, sorted by name.

    Examples
    --------
    >>> from skgalaxy.utils.discovery import all_estimators
    >>> names = [name for name, _ in all_estimators(type_filter="transformer")]
    >>> "Coarsen" in names and "ROICrop" in names
    True
    """
    from sklearn.base import (
        BaseEstimator,
        ClassifierMixin,
        ClusterMixin,
        RegressorMixin,
        TransformerMixin,
    )

    import skgalaxy

    modules = [skgalaxy]
    for module_name in _public_modules(Path(skgalaxy.__file__).parent, "skgalaxy."):
        try:
            modules.append(importlib.import_module(module_name))
        except ImportError as exc:
            if not _missing_optional(exc):
                raise

    found = set()
    for module in modules:
        for name, obj in _public_members(module):
            if (
                inspect.isclass(obj)
                and issubclass(obj, BaseEstimator)
                and obj.__module__.startswith("skgalaxy.")
                and not inspect.isabstract(obj)
            ):
                found.add((name, obj))

    if type_filter is not None:
        filters = {
            "classifier": ClassifierMixin,
            "regressor": RegressorMixin,
            "transformer": TransformerMixin,
            "cluster": ClusterMixin,
        }
        kinds = [type_filter] if isinstance(type_filter, str) else list(type_filter)
        unknown = [k for k in kinds if k not in filters]
        if unknown:
            raise ValueError(
                "type_filter must be 'classifier', 'regressor', 'transformer', "
                f"'cluster' or a list of them; got {type_filter!r}."
            )
        found = {
            (name, cls)
            for name, cls in found
            if any(issubclass(cls, filters[k]) for k in kinds)
        }
    return sorted(found, key=itemgetter(0))
