"""Root-mean-square errors on vote fractions: the Kaggle score and its breakdowns."""

import numpy as np
from sklearn.metrics import mean_squared_error
from sklearn.utils import check_array
from sklearn.utils._param_validation import validate_params
from sklearn.utils.validation import _check_sample_weight

from ..datasets import QUESTION_SLICES, QUESTIONS, VOTE_COLUMNS

__all__ = ["kaggle_rmse", "rmse_per_answer", "rmse_per_question"]


def _check_pair(y_true, y_pred, sample_weight):
    """Validate two target arrays of one shape; return them 2-D, and the weights."""
    kwargs = {"ensure_2d": False, "allow_nd": True, "dtype": "numeric"}
    y_true = check_array(y_true, input_name="y_true", **kwargs)
    y_pred = check_array(y_pred, input_name="y_pred", **kwargs)
    for name, y in (("y_true", y_true), ("y_pred", y_pred)):
        if y.ndim > 2:
            raise ValueError(
                f"{name} has shape {y.shape}; expected (n_samples,) or "
                "(n_samples, n_outputs)."
            )
    y_true = y_true.reshape(len(y_true), -1)
    y_pred = y_pred.reshape(len(y_pred), -1)
    if y_true.shape != y_pred.shape:
        raise ValueError(
            f"y_true and y_pred have different shapes, {y_true.shape} and "
            f"{y_pred.shape}; they must have the same samples and the same "
            "outputs (for Galaxy Zoo votes, 37 columns in the Kaggle order)."
        )
    if sample_weight is not None:
        sample_weight = _check_sample_weight(
            sample_weight, y_true, ensure_non_negative=True
        )
    return y_true, y_pred, sample_weight


def _squared_errors(y_true, y_pred):
    # float64 whatever the inputs: a sum of n x 37 float32 squares loses digits.
    diff = np.asarray(y_true, dtype=np.float64) - y_pred
    return diff * diff


@validate_params(
    {
        "y_true": ["array-like"],
        "y_pred": ["array-like"],
        "sample_weight": ["array-like", None],
    },
    prefer_skip_nested_validation=True,
)
def kaggle_rmse(y_true, y_pred, *, sample_weight=None):
    r"""Element-wise root-mean-square error: the Galaxy Zoo challenge's score.

    The square root of the mean of all ``n_samples x n_outputs`` squared errors:

    .. math:: \sqrt{\frac{1}{N K} \sum_{i=1}^{N} \sum_{k=1}^{K}
              (y_{ik} - \hat y_{ik})^2}

    This is not scikit-learn's ``root_mean_squared_error(...,
    multioutput="uniform_average")``, which averages the per-column RMSEs (the
    mean of square roots rather than the square root of the mean); the two agree
    only when every column has the same error.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,) or (n_samples, n_outputs)
        True values, e.g. the 37 Galaxy Zoo vote fractions.
    y_pred : array-like of shape (n_samples,) or (n_samples, n_outputs)
        Predicted values, same shape as ``y_true``.
    sample_weight : array-like of shape (n_samples,), default=None
        Non-negative weight of each sample (all its outputs share it).

    Returns
    -------
    rmse : float
        The element-wise RMSE; 0 is perfect, lower is better.

    Raises
    ------
    ValueError
        If the two arrays differ in shape, contain NaN or infinity, or have more
        than two dimensions.

    See Also
    --------
    rmse_per_answer : The same error for each output column.
    rmse_per_question : The same error for each Galaxy Zoo question.
    neg_kaggle_rmse_scorer : This metric as a scorer for ``GridSearchCV``.

    Examples
    --------
    >>> import numpy as np
    >>> from skgalaxy.metrics import kaggle_rmse
    >>> y_true = np.array([[0.0, 1.0], [0.5, 0.5]])
    >>> y_pred = np.array([[0.0, 0.6], [0.5, 0.5]])
    >>> kaggle_rmse(y_true, y_pred)  # sqrt(0.4 ** 2 / 4)
    0.2
    """
    y_true, y_pred, sample_weight = _check_pair(y_true, y_pred, sample_weight)
    # the mean of the per-column MSEs is the mean of all n x k squared errors,
    # so its square root is the Kaggle score
    # (in float64 whatever the inputs: a sum of n x 37 float32 squares loses digits)
    mse = mean_squared_error(
        y_true.astype(np.float64, copy=False),
        y_pred.astype(np.float64, copy=False),
        sample_weight=sample_weight,
    )
    return float(np.sqrt(mse))


@validate_params(
    {
        "y_true": ["array-like"],
        "y_pred": ["array-like"],
        "sample_weight": ["array-like", None],
    },
    prefer_skip_nested_validation=True,
)
def rmse_per_answer(y_true, y_pred, *, sample_weight=None):
    """Root-mean-square error of each output column (each Galaxy Zoo answer).

    Parameters
    ----------
    y_true : array-like of shape (n_samples,) or (n_samples, n_outputs)
        True values.
    y_pred : array-like of shape (n_samples,) or (n_samples, n_outputs)
        Predicted values, same shape as ``y_true``.
    sample_weight : array-like of shape (n_samples,), default=None
        Non-negative weight of each sample.

    Returns
    -------
    rmse : ndarray of shape (n_outputs,)
        The RMSE of each column. The Kaggle score is
        ``sqrt(mean(rmse_per_answer(...) ** 2))``.

    See Also
    --------
    kaggle_rmse : The score over all columns.
    skgalaxy.datasets.VOTE_COLUMNS : The names of the 37 Galaxy Zoo columns.

    Examples
    --------
    >>> import numpy as np
    >>> from skgalaxy.metrics import rmse_per_answer
    >>> rmse_per_answer([[0.0, 1.0], [0.5, 0.5]], [[0.0, 0.6], [0.5, 0.5]])
    array([0.    , 0.2828...])
    """
    y_true, y_pred, sample_weight = _check_pair(y_true, y_pred, sample_weight)
    sq = _squared_errors(y_true, y_pred)
    return np.sqrt(np.average(sq, axis=0, weights=sample_weight))


@validate_params(
    {
        "y_true": ["array-like"],
        "y_pred": ["array-like"],
        "sample_weight": ["array-like", None],
    },
    prefer_skip_nested_validation=True,
)
def rmse_per_question(y_true, y_pred, *, sample_weight=None):
    """Root-mean-square error over the answers of each Galaxy Zoo question.

    For question ``q`` with answer columns ``A_q`` (from
    :data:`skgalaxy.datasets.QUESTION_SLICES`), the square root of the mean of the
    ``n_samples x len(A_q)`` squared errors.

    Parameters
    ----------
    y_true : array-like of shape (n_samples, 37)
        True vote fractions in the Kaggle order ``Class1.1 ... Class11.6``.
    y_pred : array-like of shape (n_samples, 37)
        Predicted vote fractions.
    sample_weight : array-like of shape (n_samples,), default=None
        Non-negative weight of each sample.

    Returns
    -------
    rmse : ndarray of shape (11,)
        The RMSE of questions 1 to 11, in order.

    Raises
    ------
    ValueError
        If the arrays are not ``(n_samples, 37)`` or differ in shape.

    See Also
    --------
    skgalaxy.datasets.QUESTIONS : The text and answers of each question.

    Examples
    --------
    >>> import numpy as np
    >>> from skgalaxy.metrics import rmse_per_question
    >>> y_true = np.zeros((4, 37))
    >>> y_pred = y_true.copy()
    >>> y_pred[:, 0] = 0.3  # Class1.1: only question 1 (3 answers) is off
    >>> rmse_per_question(y_true, y_pred).round(4)
    array([0.1732, 0.    , 0.    , 0.    , 0.    , 0.    , 0.    , 0.    , 0.    ,
           0.    , 0.    ])
    """
    y_true, y_pred, sample_weight = _check_pair(y_true, y_pred, sample_weight)
    if y_true.shape[1] != len(VOTE_COLUMNS):
        raise ValueError(
            f"rmse_per_question needs the {len(VOTE_COLUMNS)} Galaxy Zoo vote "
            f"columns (Class1.1 ... Class11.6, Kaggle order); got "
            f"{y_true.shape[1]} column(s). Use rmse_per_answer for other targets."
        )
    sq = _squared_errors(y_true, y_pred)
    out = np.empty(len(QUESTIONS))
    for q, sl in enumerate(QUESTION_SLICES):
        out[q] = np.sqrt(np.average(sq[:, sl].mean(axis=1), weights=sample_weight))
    return out
