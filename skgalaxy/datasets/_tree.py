"""The Galaxy Zoo 2 decision tree, as data, and functions on vote fractions.

This module is the only place in skgalaxy that knows the tree. Vote arrays have
shape ``(n_samples, 37)`` with columns in the Kaggle order ``Class1.1 ... Class11.6``
(:data:`VOTE_COLUMNS`). In the Kaggle data every answer's fraction is *cumulative*:
the answers of a question sum to the fraction of volunteers who reached it, which
is the fraction of its parent answer (1 for the two root questions, Q1 and Q6).
"""

from numbers import Real
from typing import NamedTuple

import numpy as np
from sklearn.utils._param_validation import Interval, validate_params

__all__ = [
    "HUBBLE_CLASSES",
    "PARENT_INDEX",
    "QUESTIONS",
    "QUESTION_SLICES",
    "VOTE_COLUMNS",
    "Answer",
    "Question",
    "check_votes",
    "hubble_class",
    "normalize_votes",
    "plurality_class",
    "tree_consistency_error",
]


class Answer(NamedTuple):
    """One answer: its Kaggle column name and what volunteers were told.

    Parameters
    ----------
    column : str
        Kaggle column name, e.g. ``"Class1.1"``.
    description : str
        The answer as volunteers read it, e.g. ``"smooth"``.

    Examples
    --------
    >>> from skgalaxy.datasets import QUESTIONS
    >>> QUESTIONS[0].answers[0]
    Answer(column='Class1.1', description='smooth')
    """

    column: str
    description: str


class Question(NamedTuple):
    """One question of the tree and the answer (column name) that leads to it.

    Parameters
    ----------
    number : int
        Question number, 1 to 11.
    text : str
        The question as volunteers read it.
    answers : tuple of Answer
        Its answers, in Kaggle column order.
    parent : str or None
        Column of the answer that leads to this question; None for Q1 and Q6.

    Examples
    --------
    >>> from skgalaxy.datasets import QUESTIONS
    >>> q = QUESTIONS[9]
    >>> q.number, q.parent, [a.description for a in q.answers]
    (10, 'Class4.1', ['tight', 'medium', 'loose'])
    """

    number: int
    text: str
    answers: tuple
    parent: str | None


# The fields' own docstrings, shown on the class pages ("Alias for field number
# 0" otherwise).
Answer.column.__doc__ = 'Kaggle column name, e.g. ``"Class1.1"``.'
Answer.description.__doc__ = 'The answer as volunteers read it, e.g. ``"smooth"``.'
Question.number.__doc__ = "Question number, 1 to 11."
Question.text.__doc__ = "The question as volunteers read it."
Question.answers.__doc__ = "Its answers (tuple of Answer), in Kaggle column order."
Question.parent.__doc__ = (
    "Column of the answer that leads to this question; None for Q1 and Q6."
)


def _question(number, text, parent, *descriptions):
    answers = tuple(
        Answer(f"Class{number}.{i}", d) for i, d in enumerate(descriptions, start=1)
    )
    return Question(number, text, answers, parent)


#: The 11 questions in Kaggle order; a parent answer always precedes its children.
QUESTIONS = (
    _question(
        1,
        "Is the galaxy simply smooth and rounded, with no sign of a disk?",
        None,
        "smooth",
        "features or disk",
        "star or artifact",
    ),
    _question(2, "Could this be a disk viewed edge-on?", "Class1.2", "yes", "no"),
    _question(
        3,
        "Is there a sign of a bar feature through the centre of the galaxy?",
        "Class2.2",
        "bar",
        "no bar",
    ),
    _question(
        4, "Is there any sign of a spiral arm pattern?", "Class2.2", "spiral", "none"
    ),
    _question(
        5,
        "How prominent is the central bulge, compared with the rest of the galaxy?",
        "Class2.2",
        "no bulge",
        "just noticeable",
        "obvious",
        "dominant",
    ),
    _question(6, "Is there anything odd?", None, "yes", "no"),
    _question(
        7,
        "How rounded is it?",
        "Class1.1",
        "completely round",
        "in between",
        "cigar-shaped",
    ),
    _question(
        8,
        "Is the odd feature a ring, or is the galaxy disturbed or irregular?",
        "Class6.1",
        "ring",
        "lens or arc",
        "disturbed",
        "irregular",
        "other",
        "merger",
        "dust lane",
    ),
    _question(
        9,
        "Does the galaxy have a bulge at its centre? If so, what shape?",
        "Class2.1",
        "rounded",
        "boxy",
        "no bulge",
    ),
    _question(
        10,
        "How tightly wound do the spiral arms appear?",
        "Class4.1",
        "tight",
        "medium",
        "loose",
    ),
    _question(
        11,
        "How many spiral arms are there?",
        "Class4.1",
        "1",
        "2",
        "3",
        "4",
        "more than four",
        "can't tell",
    ),
)

#: The 37 answer columns, ``Class1.1`` ... ``Class11.6``, in Kaggle order.
VOTE_COLUMNS = tuple(a.column for q in QUESTIONS for a in q.answers)


def _slices():
    out, start = [], 0
    for q in QUESTIONS:
        out.append(slice(start, start + len(q.answers)))
        start += len(q.answers)
    return tuple(out)


#: One slice per question into the 37 columns.
QUESTION_SLICES = _slices()

#: Column index of each question's parent answer; -1 for the roots Q1 and Q6.
PARENT_INDEX = tuple(
    -1 if q.parent is None else VOTE_COLUMNS.index(q.parent) for q in QUESTIONS
)

#: Names of the classes :func:`hubble_class` returns (0, 1, 2; -1 is unassigned).
HUBBLE_CLASSES = ("elliptical", "spiral", "barred spiral")

_COL = {name: i for i, name in enumerate(VOTE_COLUMNS)}


def check_votes(votes, *, input_name="votes"):
    """Validate an array of Galaxy Zoo vote fractions.

    Parameters
    ----------
    votes : array-like of shape (n_samples, 37)
        Vote fractions in the Kaggle column order.
    input_name : str, default="votes"
        Name used in error messages.

    Returns
    -------
    votes : ndarray of shape (n_samples, 37)
        The votes as a float array (float32 and float64 kept, others float64).

    Raises
    ------
    TypeError
        If the votes are not numeric.
    ValueError
        If the shape is not ``(n_samples, 37)``, or a value is NaN, infinite or
        outside [0, 1].

    Examples
    --------
    >>> import numpy as np
    >>> from skgalaxy.datasets import check_votes
    >>> check_votes(np.full((2, 37), 0.5)).shape
    (2, 37)
    """
    votes = _as_float_2d(votes, input_name)
    if votes.shape[0] == 0:
        raise ValueError(f"{input_name} is empty; at least one row is required.")
    lo, hi = votes.min(), votes.max()
    if lo < 0 or hi > 1:
        raise ValueError(
            f"{input_name} holds values in [{lo:.3g}, {hi:.3g}]; vote fractions "
            "must lie in [0, 1]."
        )
    return votes


def _as_float_2d(votes, input_name):
    """Votes as a finite float array of shape (n, 37); ints become float64."""
    try:
        votes = np.asarray(votes)
    except ValueError as exc:
        raise ValueError(f"{input_name} is ragged; expected shape (n, 37).") from exc
    if votes.dtype.kind not in "biuf":
        raise TypeError(
            f"{input_name} has dtype {votes.dtype}; vote fractions must be numeric."
        )
    if votes.ndim != 2 or votes.shape[1] != len(VOTE_COLUMNS):
        raise ValueError(
            f"{input_name} has shape {votes.shape}; expected (n_samples, 37): one "
            "column per Galaxy Zoo answer, Class1.1 ... Class11.6."
        )
    if not np.isfinite(votes).all():
        raise ValueError(f"{input_name} contains NaN or infinity.")
    return votes if votes.dtype.kind == "f" else votes.astype(np.float64)


@validate_params({"votes": ["array-like"]}, prefer_skip_nested_validation=True)
def normalize_votes(votes):
    """Make any ``(n, 37)`` prediction consistent with the decision tree.

    Each question's answers are clipped at 0 and normalised to sum to 1 (uniform
    when they are all 0), then multiplied by the fraction of the parent answer,
    itself already normalised; the roots Q1 and Q6 sum to 1. This is the Kaggle
    winner's post-processing. Given per-question *conditional* probabilities, it
    returns the tree's cumulative vote fractions.

    Parameters
    ----------
    votes : array-like of shape (n_samples, 37)
        Predicted vote fractions (any real values).

    Returns
    -------
    normalized : ndarray of shape (n_samples, 37)
        Tree-consistent fractions in [0, 1], a new array.

    See Also
    --------
    tree_consistency_error : How far votes are from consistency.

    Examples
    --------
    >>> import numpy as np
    >>> from skgalaxy.datasets import normalize_votes, tree_consistency_error
    >>> v = normalize_votes(np.random.default_rng(0).random((3, 37)))
    >>> float(tree_consistency_error(v).max()) < 1e-6
    True
    """
    votes = _as_float_2d(votes, "votes")
    out = np.clip(votes, 0, None)
    for sl, parent in zip(QUESTION_SLICES, PARENT_INDEX):
        block = out[:, sl]
        total = block.sum(axis=1, keepdims=True)
        width = sl.stop - sl.start
        block = np.where(total > 0, block / np.where(total > 0, total, 1), 1 / width)
        if parent >= 0:
            block = block * out[:, parent : parent + 1]
        out[:, sl] = block
    return out


def tree_consistency_error(votes):
    """Largest deviation of each row from the tree's sum rules.

    Parameters
    ----------
    votes : array-like of shape (n_samples, 37)
        Vote fractions.

    Returns
    -------
    error : ndarray of shape (n_samples,)
        For each row, the largest absolute difference between a question's answer
        sum and the fraction that reached it (its parent answer, or 1 for Q1 and
        Q6). 0 for perfectly consistent votes.

    Examples
    --------
    >>> import numpy as np
    >>> from skgalaxy.datasets import tree_consistency_error
    >>> tree_consistency_error(np.zeros((1, 37)))
    array([1.])
    """
    votes = _as_float_2d(votes, "votes")
    errors = []
    for sl, parent in zip(QUESTION_SLICES, PARENT_INDEX):
        reached = 1.0 if parent < 0 else votes[:, parent]
        errors.append(np.abs(votes[:, sl].sum(axis=1) - reached))
    return np.max(errors, axis=0)


@validate_params(
    {"votes": ["array-like"], "threshold": [Interval(Real, 0, 1, closed="both")]},
    prefer_skip_nested_validation=True,
)
def hubble_class(votes, threshold=0.9):
    """Hubble class from vote fractions, as Miller's project derived it.

    Parameters
    ----------
    votes : array-like of shape (n_samples, 37)
        Vote fractions in the Kaggle order.
    threshold : float, default=0.9
        Fraction of volunteers needed to assign a class.

    Returns
    -------
    classes : ndarray of shape (n_samples,) of int
        0 elliptical (Class1.1 >= threshold), 1 spiral (Class4.1 and Class3.2 >=
        threshold), 2 barred spiral (Class4.1 and Class3.1 >= threshold), -1 when
        no rule applies. Names are in :data:`HUBBLE_CLASSES`.

    Examples
    --------
    >>> import numpy as np
    >>> from skgalaxy.datasets import VOTE_COLUMNS, hubble_class
    >>> v = np.zeros((2, 37))
    >>> v[0, VOTE_COLUMNS.index("Class1.1")] = 0.95
    >>> hubble_class(v)
    array([ 0, -1])
    """
    votes = _as_float_2d(votes, "votes")
    t = threshold
    out = np.full(votes.shape[0], -1, dtype=np.int64)
    spiral = votes[:, _COL["Class4.1"]] >= t
    out[spiral & (votes[:, _COL["Class3.1"]] >= t)] = 2
    out[spiral & (votes[:, _COL["Class3.2"]] >= t)] = 1
    out[votes[:, _COL["Class1.1"]] >= t] = 0
    return out


@validate_params(
    {"votes": ["array-like"], "answers": ["array-like", None]},
    prefer_skip_nested_validation=True,
)
def plurality_class(votes, answers=None):
    """Return the answer with the largest vote fraction (the course assignment's class).

    Parameters
    ----------
    votes : array-like of shape (n_samples, 37)
        Vote fractions in the Kaggle order.
    answers : sequence of str or None, default=None
        Column names to choose among (e.g. ``["Class1.1", "Class1.2", "Class1.3"]``).
        None uses all 37 columns, as the course assignment did; note that Q6 ("anything
        odd?") is not a morphology, yet Class6.2 is often the largest column.

    Returns
    -------
    classes : ndarray of shape (n_samples,) of int
        The argmax column index (into :data:`VOTE_COLUMNS`), or, with ``answers``,
        the index within ``answers``.

    Examples
    --------
    >>> import numpy as np
    >>> from skgalaxy.datasets import plurality_class
    >>> v = np.zeros((1, 37)); v[0, 2] = 0.7; v[0, 0] = 0.2
    >>> plurality_class(v), plurality_class(v, answers=["Class1.1", "Class1.2"])
    (array([2]), array([0]))
    """
    votes = _as_float_2d(votes, "votes")
    if answers is None:
        return np.argmax(votes, axis=1)
    unknown = [a for a in answers if a not in _COL]
    if unknown or len(answers) == 0:
        raise ValueError(
            f"answers must be a non-empty list of Kaggle column names such as "
            f"'Class1.1'; unknown: {unknown}."
        )
    return np.argmax(votes[:, [_COL[a] for a in answers]], axis=1)
