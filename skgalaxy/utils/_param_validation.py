"""Parameter constraints for scikit-learn's ``validate_params``, as skgalaxy uses it."""

from sklearn.utils._param_validation import Interval

__all__ = ["StrictInterval"]


class StrictInterval(Interval):
    """scikit-learn's ``Interval``, except that a bool is not a number in it.

    ``Interval(Integral, 1, None, closed="left")`` accepts ``True`` (bool is an int
    subclass); a count such as ``chunk_size=True`` is a mistake, so skgalaxy's
    public functions refuse it. The error message is scikit-learn's own.

    Examples
    --------
    >>> from numbers import Integral
    >>> from skgalaxy.utils._param_validation import StrictInterval
    >>> positive = StrictInterval(Integral, 1, None, closed="left")
    >>> positive.is_satisfied_by(3), positive.is_satisfied_by(True)
    (True, False)
    """

    def is_satisfied_by(self, val):
        return not isinstance(val, bool) and super().is_satisfied_by(val)
