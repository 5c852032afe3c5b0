"""Grids of galaxy images: labelled galaxies and the most confident example."""

from numbers import Integral

import numpy as np
from sklearn.utils._param_validation import validate_params

from ..datasets import QUESTIONS, VOTE_COLUMNS, check_votes
from ..utils._param_validation import StrictInterval
from ._base import (
    _check_labels,
    _image_grid,
    _images_for_display,
    _label_text,
)

__all__ = ["plot_galaxies", "plot_most_confident"]

_WRONG_COLOR = "tab:red"
_RIGHT_COLOR = "tab:green"


@validate_params(
    {
        "max_images": [StrictInterval(Integral, 1, None, closed="left")],
        "ncols": [StrictInterval(Integral, 1, None, closed="left")],
    },
    prefer_skip_nested_validation=True,
)
def plot_galaxies(
    X,
    y_true=None,
    y_pred=None,
    *,
    class_names=None,
    max_images=25,
    ncols=5,
    axes=None,
    figsize=None,
    title=None,
):
    r"""Show galaxies on a grid, titled with their true and predicted classes.

    The NumPy tutorial's ``Galaxy.plot`` for many galaxies at once: each panel shows one
    image with its true label, its predicted label, or both. A wrong prediction
    is drawn in red with a red frame, a right one in green.

    Parameters
    ----------
    X : array-like of shape (n_samples, height, width[, n_channels])
        The images. One channel is shown in gray, three as RGB, any other number
        as the mean over channels. Integer images map to [0, 1]; float images
        outside [0, 1] are stretched per image.
    y_true : array-like of shape (n_samples,), default=None
        True labels, shown as ``true: <name>``.
    y_pred : array-like of shape (n_samples,), default=None
        Predicted labels, shown as ``pred: <name>``.
    class_names : sequence of str or dict, default=None
        Names of the labels: a sequence indexed by integer labels (for example
        :data:`skgalaxy.datasets.GALAXY10_CLASSES`) or a mapping label -> name.
        None shows the labels themselves.
    max_images : int, default=25
        Show at most the first ``max_images`` images.
    ncols : int, default=5
        Number of columns of the grid.
    axes : array-like of matplotlib.axes.Axes, default=None
        Axes to draw on, one per image in row-major order (e.g. from
        ``plt.subplots``); None makes a new figure with a grid of ``ncols``
        columns.
    figsize : tuple of (float, float), default=None
        Figure size in inches when ``axes`` is None; None sizes it from the grid.
    title : str, default=None
        Title of the whole figure.

    Returns
    -------
    fig : matplotlib.figure.Figure
        The figure; ``fig.axes`` holds one Axes per image.

    See Also
    --------
    plot_most_confident : The most confident galaxy for each Galaxy Zoo answer.

    Examples
    --------
    >>> import numpy as np
    >>> from skgalaxy.plotting import plot_galaxies
    >>> X = np.random.default_rng(0).integers(0, 256, (6, 16, 16, 3), dtype=np.uint8)
    >>> fig = plot_galaxies(X, y_true=[0, 1, 2, 0, 1, 2], y_pred=[0, 1, 1, 0, 1, 2],
    ...                     class_names=["round", "spiral", "edge-on"], ncols=3)
    >>> len(fig.axes)
    6
    >>> fig.axes[2].get_title()
    'true: edge-on\npred: spiral'
    """
    n_total = len(X)
    n = min(n_total, max_images)
    images, cmap = _images_for_display(X[:n])
    y_true = _check_labels(y_true, n_total, "y_true")
    y_pred = _check_labels(y_pred, n_total, "y_pred")

    n_lines = (y_true is not None) + (y_pred is not None)
    new_figure = axes is None
    fig, axes = _image_grid(n, ncols, axes=axes, figsize=figsize, title_lines=n_lines)
    for i, ax in enumerate(axes):
        ax.imshow(images[i], cmap=cmap, vmin=0, vmax=1, interpolation="nearest")
        lines = []
        if y_true is not None:
            lines.append(f"true: {_label_text(y_true[i], class_names)}")
        if y_pred is not None:
            lines.append(f"pred: {_label_text(y_pred[i], class_names)}")
        color = None
        if y_true is not None and y_pred is not None:
            color = _RIGHT_COLOR if y_true[i] == y_pred[i] else _WRONG_COLOR
            if y_true[i] != y_pred[i]:
                for spine in ax.spines.values():
                    spine.set_color(_WRONG_COLOR)
                    spine.set_linewidth(2.5)
        title_kwargs = {} if color is None else {"color": color}
        ax.set_title("\n".join(lines), fontsize="small", **title_kwargs)
    if title is not None:
        fig.suptitle(title)
    if new_figure:
        fig.tight_layout()
    return fig


@validate_params(
    {"ncols": [StrictInterval(Integral, 1, None, closed="left")]},
    prefer_skip_nested_validation=True,
)
def plot_most_confident(
    X,
    votes,
    *,
    answers=None,
    descriptions=True,
    ncols=6,
    axes=None,
    figsize=None,
):
    """Show, for each Galaxy Zoo answer, the galaxy with the highest vote fraction.

    Hildebrandt's first look at the Kaggle data: one panel per answer (Class1.1 to
    Class11.6), showing the galaxy the volunteers were most sure of.

    Parameters
    ----------
    X : array-like of shape (n_samples, height, width[, n_channels])
        The images.
    votes : array-like of shape (n_samples, 37)
        Galaxy Zoo vote fractions in the Kaggle column order.
    answers : sequence of str, default=None
        Column names to show (for example ``["Class1.1", "Class1.2"]``); None
        shows all 37.
    descriptions : bool, default=True
        Add each answer's description (``"smooth"``, ...) to its title.
    ncols : int, default=6
        Number of columns of the grid.
    axes : array-like of matplotlib.axes.Axes, default=None
        Axes to draw on, one per answer in row-major order; None makes a new
        figure with a grid of ``ncols`` columns.
    figsize : tuple of (float, float), default=None
        Figure size in inches when ``axes`` is None; None sizes it from the grid.

    Returns
    -------
    fig : matplotlib.figure.Figure
        The figure; ``fig.axes`` holds one Axes per answer, titled with the
        column name, its description and the winning vote fraction.

    See Also
    --------
    plot_vote_fractions : All 37 vote fractions of one galaxy.

    Examples
    --------
    >>> import numpy as np
    >>> from skgalaxy.datasets import normalize_votes
    >>> from skgalaxy.plotting import plot_most_confident
    >>> rng = np.random.default_rng(0)
    >>> X = rng.integers(0, 256, (10, 16, 16, 3), dtype=np.uint8)
    >>> votes = normalize_votes(rng.random((10, 37)))
    >>> fig = plot_most_confident(X, votes, answers=["Class1.1", "Class1.2"])
    >>> [ax.get_title().splitlines()[0] for ax in fig.axes]
    ['Class1.1', 'Class1.2']
    """
    votes = check_votes(votes)
    if len(votes) != len(X):
        raise ValueError(
            f"votes has {len(votes)} rows but X has {len(X)} images; they must match."
        )
    if answers is None:
        answers = list(VOTE_COLUMNS)
    elif isinstance(answers, str):
        answers = [answers]
    columns = []
    for answer in answers:
        if answer not in VOTE_COLUMNS:
            raise ValueError(
                f"Unknown answer {answer!r}; answers must be Galaxy Zoo column "
                f"names from {VOTE_COLUMNS[0]!r} to {VOTE_COLUMNS[-1]!r}."
            )
        columns.append(VOTE_COLUMNS.index(answer))
    if not columns:
        raise ValueError("answers is empty; give at least one column name.")
    description = {a.column: a.description for q in QUESTIONS for a in q.answers}

    best = np.argmax(votes[:, columns], axis=0)
    images, cmap = _images_for_display(np.asarray(X)[best])
    n_lines = 3 if descriptions else 2
    new_figure = axes is None
    fig, axes = _image_grid(
        len(columns), ncols, axes=axes, figsize=figsize, title_lines=n_lines
    )
    for ax, image, column, row in zip(axes, images, columns, best):
        name = VOTE_COLUMNS[column]
        lines = [name]
        if descriptions:
            lines.append(description[name])
        lines.append(f"fraction {votes[row, column]:.2f}")
        ax.imshow(image, cmap=cmap, vmin=0, vmax=1, interpolation="nearest")
        ax.set_title("\n".join(lines), fontsize="small")
    if new_figure:
        fig.tight_layout()
    return fig
