"""Exceptions and warnings of skgalaxy.persistence."""

__all__ = ["InconsistentVersionWarning", "PersistenceError", "UntrustedTypesError"]


class PersistenceError(ValueError):
    """A model file is not a valid skgalaxy file, or an object cannot be saved."""


class UntrustedTypesError(PersistenceError):
    """A model file names types or functions that are not trusted.

    Load it only if you trust its source, by passing their names as ``trusted=``.
    """


class InconsistentVersionWarning(UserWarning):
    """A model is loaded under other versions than those it was saved with."""
