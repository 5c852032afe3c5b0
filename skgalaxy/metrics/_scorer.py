"""Scorer objects for ``GridSearchCV(scoring=...)`` and ``cross_validate``.

scikit-learn's convention: a scorer's greater is better, so an error metric is
wrapped negated and named ``neg_<metric>_scorer``.
"""

from sklearn.metrics import make_scorer

from ._classification import hubble_accuracy, plurality_accuracy
from ._regression import kaggle_rmse

__all__ = [
    "SCORERS",
    "hubble_accuracy_scorer",
    "neg_kaggle_rmse_scorer",
    "plurality_accuracy_scorer",
]

#: The negated Kaggle RMSE (:func:`kaggle_rmse`): greater is better.
neg_kaggle_rmse_scorer = make_scorer(kaggle_rmse, greater_is_better=False)

#: Accuracy of the Hubble class at threshold 0.9 (:func:`hubble_accuracy`).
hubble_accuracy_scorer = make_scorer(hubble_accuracy)

#: Accuracy of the plurality answer over the 37 columns (:func:`plurality_accuracy`).
plurality_accuracy_scorer = make_scorer(plurality_accuracy)

#: Every scorer by name, ready for ``cross_validate(scoring=SCORERS)``.
SCORERS = {
    "neg_kaggle_rmse": neg_kaggle_rmse_scorer,
    "hubble_accuracy": hubble_accuracy_scorer,
    "plurality_accuracy": plurality_accuracy_scorer,
}
