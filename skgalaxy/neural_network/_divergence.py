"""The package's one divergence rule, shared by the NumPy MLP and the CNNs.

Training stops with a :class:`DivergenceError` as soon as a training batch's loss
is NaN or infinite, or when an epoch's mean training loss grows past
:data:`DIVERGENCE_FACTOR` times the loss of the first training batch (where a
fresh network starts). A loss that only wanders, or rises for a while, never
comes near that; in practice it fires for learning rates far too large and for
inputs on an absurd scale.
"""

__all__ = ["DIVERGENCE_FACTOR", "LARGE_INPUT", "DivergenceError"]

#: How far past the first batch's loss an epoch's mean training loss may grow.
DIVERGENCE_FACTOR = 100.0
#: Inputs beyond this magnitude are named as the likely cause of a divergence.
LARGE_INPUT = 1e3


class DivergenceError(ValueError, FloatingPointError):
    """Training diverged, or a prediction came out NaN or infinite.

    A ``ValueError``, as for any bad input or parameter (so the CLI reports it
    as one), and a ``FloatingPointError``, so either ``except`` clause catches it.

    Examples
    --------
    >>> from skgalaxy.neural_network import DivergenceError
    >>> issubclass(DivergenceError, ValueError), issubclass(
    ...     DivergenceError, FloatingPointError)
    (True, True)
    """
