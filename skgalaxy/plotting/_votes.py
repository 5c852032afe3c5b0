"""Bar charts over the 37 Galaxy Zoo answers: vote fractions and per-answer RMSE."""

from collections.abc import Mapping

import numpy as np

from ..datasets import QUESTIONS, VOTE_COLUMNS, check_votes
from ._base import _pyplot

__all__ = ["plot_vote_fractions", "plot_rmse_per_answer"]


def _question_colors(n_questions):
    plt = _pyplot()
    cmap = plt.get_cmap("tab20")
    return [cmap(i % 20) for i in range(n_questions)]


def _one_row(votes, name):
    array = np.asarray(votes)
    if array.ndim == 2 and array.shape[0] != 1:
        raise ValueError(
            f"{name} must hold the votes of one galaxy, shape (37,) or (1, 37); "
            f"got shape {array.shape}. Pass one row, e.g. votes[i]."
        )
    return check_votes(array.reshape(1, -1), input_name=name)[0]


def plot_vote_fractions(
    votes,
    *,
    predicted=None,
    descriptions=True,
    ax=None,
    title=None,
):
    """Bar chart of one galaxy's 37 vote fractions, grouped by question.

    One horizontal bar per answer, coloured by question (Q1 at the top), so the
    decision tree reads from top to bottom. With ``predicted`` a model's
    fractions are drawn beside the volunteers', hatched.

    Parameters
    ----------
    votes : array-like of shape (37,) or (1, 37)
        The vote fractions of one galaxy, in the Kaggle column order.
    predicted : array-like of shape (37,) or (1, 37), default=None
        Predicted vote fractions of the same galaxy, drawn beside ``votes``.
    descriptions : bool, default=True
        Label each bar with the answer's description as well as its number.
    ax : matplotlib.axes.Axes, default=None
        Axes to draw on; None makes a new figure.
    title : str, default=None
        Title of the Axes.

    Returns
    -------
    ax : matplotlib.axes.Axes
        The Axes; ``ax.patches`` holds the 37 bars of ``votes`` (then the 37 of
        ``predicted``), their widths the fractions.

    See Also
    --------
    plot_most_confident : The most confident galaxy for each answer.

    Examples
    --------
    >>> import numpy as np
    >>> from skgalaxy.datasets import normalize_votes
    >>> from skgalaxy.plotting import plot_vote_fractions
    >>> votes = normalize_votes(np.random.default_rng(0).random((3, 37)))
    >>> ax = plot_vote_fractions(votes[0])
    >>> len(ax.patches)
    37
    >>> bool(ax.patches[0].get_width() == votes[0, 0])
    True
    """
    votes = _one_row(votes, "votes")
    if predicted is not None:
        predicted = _one_row(predicted, "predicted")
    plt = _pyplot()
    new_figure = ax is None
    if new_figure:
        _, ax = plt.subplots(figsize=(7, 9))

    colors = _question_colors(len(QUESTIONS))
    color_of = {}
    labels = []
    for q, question in enumerate(QUESTIONS):
        for answer in question.answers:
            color_of[answer.column] = colors[q]
            label = answer.column.removeprefix("Class")
            if descriptions:
                label = f"{label} {answer.description}"
            labels.append(label)
    bar_colors = [color_of[c] for c in VOTE_COLUMNS]

    positions = np.arange(len(VOTE_COLUMNS), dtype=float)
    height = 0.8 if predicted is None else 0.4
    offset = 0.0 if predicted is None else -0.2
    ax.barh(
        positions + offset,
        votes,
        height=height,
        color=bar_colors,
        edgecolor="black",
        linewidth=0.5,
        label="volunteers",
    )
    if predicted is not None:
        ax.barh(
            positions + 0.2,
            predicted,
            height=height,
            color="white",
            edgecolor=bar_colors,
            hatch="////",
            linewidth=0.8,
            label="predicted",
        )
        ax.legend(loc="lower right")
    # A thin line between questions makes the tree's groups visible.
    start = 0
    for question in QUESTIONS[:-1]:
        start += len(question.answers)
        ax.axhline(start - 0.5, color="0.8", linewidth=0.5)
    ax.set_yticks(positions)
    ax.set_yticklabels(labels, fontsize="small")
    ax.set_ylim(len(VOTE_COLUMNS) - 0.5, -0.5)
    ax.set_xlim(0, 1)
    ax.set_xlabel("vote fraction")
    if title is not None:
        ax.set_title(title)
    if new_figure:
        ax.figure.tight_layout()
    return ax


def plot_rmse_per_answer(rmse, *, ax=None, labels=None, title=None):
    """Bar chart of the RMSE of each answer (or question), for one or more models.

    Hildebrandt's report and Miller's project compare models by their error on each
    of the 37 Galaxy Zoo answers; give one array for one model, or a dict
    ``name -> array`` for grouped bars side by side.

    Parameters
    ----------
    rmse : array-like of shape (n_outputs,) or dict of str to array-like
        Per-output RMSE, e.g. from :func:`skgalaxy.metrics.rmse_per_answer`.
        With 37 outputs the bars are labelled with the answer numbers (1.1 ...
        11.6), with 11 with the question numbers (Q1 ... Q11); otherwise give
        ``labels``. All arrays of a dict must have the same length.
    ax : matplotlib.axes.Axes, default=None
        Axes to draw on; None makes a new figure.
    labels : sequence of str, default=None
        One tick label per output; None labels them as described above.
    title : str, default=None
        Title of the Axes.

    Returns
    -------
    ax : matplotlib.axes.Axes
        The Axes; ``ax.patches`` holds the bars, model after model.

    Examples
    --------
    >>> import numpy as np
    >>> from skgalaxy.plotting import plot_rmse_per_answer
    >>> ax = plot_rmse_per_answer({"mean": np.full(37, 0.2),
    ...                            "cnn": np.full(37, 0.1)})
    >>> len(ax.patches), ax.get_legend_handles_labels()[1]
    (74, ['mean', 'cnn'])
    """
    if isinstance(rmse, Mapping):
        if not rmse:
            raise ValueError("rmse is an empty dict; give at least one model.")
        series = {str(k): np.asarray(v, dtype=float) for k, v in rmse.items()}
    else:
        series = {None: np.asarray(rmse, dtype=float)}
    lengths = {v.shape for v in series.values()}
    if len(lengths) != 1 or any(v.ndim != 1 for v in series.values()):
        raise ValueError(
            "rmse must be a 1-D array (one value per output) or a dict of 1-D "
            f"arrays of one length; got shapes {sorted(lengths)}."
        )
    n_outputs = next(iter(series.values())).shape[0]
    if n_outputs == 0:
        raise ValueError("rmse is empty; give at least one value.")
    for v in series.values():
        if not np.all(np.isfinite(v)) or np.any(v < 0):
            raise ValueError("rmse values must be finite and non-negative.")

    if labels is None:
        if n_outputs == len(VOTE_COLUMNS):
            labels = [c.removeprefix("Class") for c in VOTE_COLUMNS]
        elif n_outputs == len(QUESTIONS):
            labels = [f"Q{q.number}" for q in QUESTIONS]
        else:
            labels = [str(i) for i in range(n_outputs)]
    elif len(labels) != n_outputs:
        raise ValueError(
            f"labels has {len(labels)} entries but rmse has {n_outputs} values."
        )

    plt = _pyplot()
    new_figure = ax is None
    if new_figure:
        width = min(14.0, max(6.0, 0.18 * n_outputs * (len(series) + 1)))
        _, ax = plt.subplots(figsize=(width, 4))
    positions = np.arange(n_outputs, dtype=float)
    width = 0.8 / len(series)
    for i, (name, values) in enumerate(series.items()):
        ax.bar(
            positions - 0.4 + width * (i + 0.5),
            values,
            width=width,
            label=name,
        )
    ax.set_xticks(positions)
    ax.set_xticklabels(labels, rotation=90 if n_outputs > 12 else 0)
    ax.set_xlim(-0.6, n_outputs - 0.4)
    ax.set_ylabel("RMSE")
    if len(series) > 1 or None not in series:
        ax.legend()
    if title is not None:
        ax.set_title(title)
    if new_figure:
        ax.figure.tight_layout()
    return ax
