"""Accuracy of classes derived from vote fractions through the Galaxy Zoo tree."""

from numbers import Real

from sklearn.metrics import accuracy_score
from sklearn.utils import check_array
from sklearn.utils._param_validation import Interval, validate_params
from sklearn.utils.validation import _check_sample_weight

from ..datasets import VOTE_COLUMNS, check_votes, hubble_class, plurality_class

__all__ = ["hubble_accuracy", "plurality_accuracy"]


def _check_vote_pair(votes_true, votes_pred, sample_weight):
    votes_true = check_votes(votes_true, input_name="votes_true")
    # Predictions are any finite reals: a linear model may leave [0, 1] slightly,
    # and thresholds and argmax are still defined.
    votes_pred = check_array(
        votes_pred, ensure_2d=False, dtype="numeric", input_name="votes_pred"
    )
    if votes_pred.shape != votes_true.shape:
        raise ValueError(
            f"votes_pred has shape {votes_pred.shape} but votes_true has shape "
            f"{votes_true.shape}; both must be (n_samples, {len(VOTE_COLUMNS)}) "
            "vote fractions in the Kaggle order."
        )
    if sample_weight is not None:
        sample_weight = _check_sample_weight(
            sample_weight, votes_true, ensure_non_negative=True
        )
    return votes_true, votes_pred, sample_weight


@validate_params(
    {
        "votes_true": ["array-like"],
        "votes_pred": ["array-like"],
        "threshold": [Interval(Real, 0, 1, closed="right")],
        "sample_weight": ["array-like", None],
    },
    prefer_skip_nested_validation=True,
)
def hubble_accuracy(votes_true, votes_pred, threshold=0.9, *, sample_weight=None):
    """Accuracy of the Hubble class derived from predicted vote fractions.

    Both arrays go through :func:`skgalaxy.datasets.hubble_class` at the same
    ``threshold`` (Miller's rule: elliptical, spiral, barred spiral). Only
    galaxies whose *true* class is assigned count; a prediction that reaches no
    class there (``-1``) counts as wrong, so a model that hedges every answer
    towards the mean vote scores low.

    Parameters
    ----------
    votes_true : array-like of shape (n_samples, 37)
        True vote fractions in [0, 1], Kaggle column order.
    votes_pred : array-like of shape (n_samples, 37)
        Predicted vote fractions (any finite values).
    threshold : float, default=0.9
        Fraction of volunteers needed to assign a class, in (0, 1].
    sample_weight : array-like of shape (n_samples,), default=None
        Non-negative weight of each sample.

    Returns
    -------
    accuracy : float
        Fraction of the galaxies with an assigned true class whose predicted
        class is the same.

    Raises
    ------
    ValueError
        If the arrays are not ``(n_samples, 37)`` or differ in shape, if
        ``votes_true`` leaves [0, 1], or if no galaxy has an assigned true class
        at this threshold (lower it).

    See Also
    --------
    skgalaxy.datasets.hubble_class : The rule that assigns the classes.
    plurality_accuracy : Accuracy of the argmax answer.

    Examples
    --------
    >>> import numpy as np
    >>> from skgalaxy.datasets import VOTE_COLUMNS
    >>> from skgalaxy.metrics import hubble_accuracy
    >>> true = np.zeros((3, 37))
    >>> true[:2, VOTE_COLUMNS.index("Class1.1")] = 0.95  # two ellipticals
    >>> pred = true.copy()
    >>> pred[1, VOTE_COLUMNS.index("Class1.1")] = 0.6  # hedged: unassigned
    >>> hubble_accuracy(true, pred)  # the third galaxy is unassigned: not counted
    0.5
    """
    votes_true, votes_pred, sample_weight = _check_vote_pair(
        votes_true, votes_pred, sample_weight
    )
    true = hubble_class(votes_true, threshold)
    assigned = true >= 0
    if not assigned.any():
        raise ValueError(
            f"No galaxy in votes_true has a Hubble class at threshold={threshold}: "
            "none reaches it for Class1.1, or for Class4.1 with Class3.1 or "
            "Class3.2. Lower the threshold or evaluate on more galaxies."
        )
    pred = hubble_class(votes_pred, threshold)
    weights = None if sample_weight is None else sample_weight[assigned]
    return float(accuracy_score(true[assigned], pred[assigned], sample_weight=weights))


@validate_params(
    {
        "votes_true": ["array-like"],
        "votes_pred": ["array-like"],
        "answers": ["array-like", None],
        "sample_weight": ["array-like", None],
    },
    prefer_skip_nested_validation=True,
)
def plurality_accuracy(votes_true, votes_pred, *, answers=None, sample_weight=None):
    """Accuracy of the plurality answer derived from predicted vote fractions.

    Both arrays go through :func:`skgalaxy.datasets.plurality_class`: the course
    assignment's argmax over all 37 columns, or over ``answers`` only.

    Parameters
    ----------
    votes_true : array-like of shape (n_samples, 37)
        True vote fractions in [0, 1], Kaggle column order.
    votes_pred : array-like of shape (n_samples, 37)
        Predicted vote fractions (any finite values).
    answers : sequence of str or None, default=None
        Column names to choose among, e.g. ``["Class1.1", "Class1.2",
        "Class1.3"]`` for question 1. None uses all 37 columns, as the course
        assignment did.
    sample_weight : array-like of shape (n_samples,), default=None
        Non-negative weight of each sample.

    Returns
    -------
    accuracy : float
        Fraction of galaxies whose predicted plurality answer is the true one.

    Raises
    ------
    ValueError
        If the arrays are not ``(n_samples, 37)`` or differ in shape, if
        ``votes_true`` leaves [0, 1], or if ``answers`` names an unknown column.

    See Also
    --------
    skgalaxy.datasets.plurality_class : The argmax rule.
    hubble_accuracy : Accuracy of the Hubble class.

    Examples
    --------
    >>> import numpy as np
    >>> from skgalaxy.metrics import plurality_accuracy
    >>> true = np.zeros((2, 37)); true[:, 0] = [0.8, 0.3]; true[:, 1] = [0.2, 0.7]
    >>> pred = np.zeros((2, 37)); pred[:, 0] = [0.6, 0.6]; pred[:, 1] = 0.4
    >>> plurality_accuracy(true, pred)
    0.5
    """
    votes_true, votes_pred, sample_weight = _check_vote_pair(
        votes_true, votes_pred, sample_weight
    )
    true = plurality_class(votes_true, answers=answers)
    pred = plurality_class(votes_pred, answers=answers)
    return float(accuracy_score(true, pred, sample_weight=sample_weight))
