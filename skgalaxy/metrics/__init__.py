"""Metrics for Galaxy Zoo vote fractions.

- :func:`kaggle_rmse`: the challenge's element-wise RMSE over all n x 37 values;
  :func:`rmse_per_answer` and :func:`rmse_per_question` break it down.
- :func:`hubble_accuracy`, :func:`plurality_accuracy`: accuracy of classes derived
  from the votes through the decision tree (:mod:`skgalaxy.datasets`).
- Scorer objects for ``GridSearchCV(scoring=...)``: :data:`neg_kaggle_rmse_scorer`,
  :data:`hubble_accuracy_scorer`, :data:`plurality_accuracy_scorer`, and
  :data:`SCORERS` (all of them by name).
"""

from ._classification import hubble_accuracy, plurality_accuracy
from ._regression import kaggle_rmse, rmse_per_answer, rmse_per_question
from ._scorer import (
    SCORERS,
    hubble_accuracy_scorer,
    neg_kaggle_rmse_scorer,
    plurality_accuracy_scorer,
)

__all__ = [
    "SCORERS",
    "hubble_accuracy",
    "hubble_accuracy_scorer",
    "kaggle_rmse",
    "neg_kaggle_rmse_scorer",
    "plurality_accuracy",
    "plurality_accuracy_scorer",
    "rmse_per_answer",
    "rmse_per_question",
]
