"""Plots of galaxies, votes, learning curves and errors (needs matplotlib).

matplotlib is imported when a function is called, so ``import skgalaxy.plotting``
works without it; calling a function without it raises an ImportError that says
``pip install "skgalaxy[plot]"``.

- :func:`plot_galaxies`: a grid of images with true and predicted labels.
- :func:`plot_most_confident`: the most confident galaxy for each Galaxy Zoo answer.
- :func:`plot_vote_fractions`: one galaxy's 37 vote fractions, grouped by question.
- :func:`plot_learning_curve`: loss and score curves of a fitted network.
- :func:`plot_rmse_per_answer`: per-answer RMSE of one or more models.
- :func:`plot_confusion_matrix`: scikit-learn's confusion-matrix display with names.

Grid and multi-panel functions return the :class:`~matplotlib.figure.Figure`;
single-panel ones take ``ax=`` and return the :class:`~matplotlib.axes.Axes`;
:func:`plot_confusion_matrix` returns scikit-learn's display.
"""

from ._confusion import plot_confusion_matrix
from ._curves import plot_learning_curve
from ._galaxies import plot_galaxies, plot_most_confident
from ._votes import plot_rmse_per_answer, plot_vote_fractions

__all__ = [
    "plot_confusion_matrix",
    "plot_galaxies",
    "plot_learning_curve",
    "plot_most_confident",
    "plot_rmse_per_answer",
    "plot_vote_fractions",
]
