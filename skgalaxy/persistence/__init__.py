"""Saving and loading fitted models safely (no pickle).

- :func:`save`, :func:`load`: skops for scikit-learn-side objects; skorch
  networks as their configuration (JSON) plus weights (safetensors).
- :func:`register`: allow your own ``nn.Module`` (network, loss, activation) or
  optimizer in saved networks; callbacks are never stored.
- :class:`InconsistentVersionWarning`, :class:`PersistenceError`,
  :class:`UntrustedTypesError`.

joblib works for every skgalaxy estimator as well; use it only for files you
trust, since loading a pickle runs arbitrary code.
"""

from ._errors import InconsistentVersionWarning, PersistenceError, UntrustedTypesError
from ._io import atomic_write, load, save
from ._registry import register, registered_names

__all__ = [
    "InconsistentVersionWarning",
    "PersistenceError",
    "UntrustedTypesError",
    "atomic_write",
    "load",
    "register",
    "registered_names",
    "save",
]
