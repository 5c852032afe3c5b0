"""Confusion matrices through scikit-learn's ConfusionMatrixDisplay."""

import numpy as np

from ._base import _label_text, _pyplot

__all__ = ["plot_confusion_matrix"]


def plot_confusion_matrix(
    y_true,
    y_pred,
    *,
    class_names=None,
    labels=None,
    normalize=None,
    ax=None,
    cmap="Blues",
    values_format=None,
    colorbar=True,
    title=None,
):
    """Plot a confusion matrix with class names, through scikit-learn's display.

    A thin wrapper of :meth:`sklearn.metrics.ConfusionMatrixDisplay.from_predictions`
    that names the classes (Galaxy10's ten, say) and rotates long names.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        True labels.
    y_pred : array-like of shape (n_samples,)
        Predicted labels.
    class_names : sequence of str or dict, default=None
        Names of the labels: a sequence indexed by integer labels or a mapping
        label -> name. None shows the labels themselves.
    labels : array-like of shape (n_classes,), default=None
        Labels to include, in order; None uses those present in ``y_true`` or
        ``y_pred``, sorted.
    normalize : {"true", "pred", "all"}, default=None
        Normalise over true labels (rows), predictions (columns) or everything.
    ax : matplotlib.axes.Axes, default=None
        Axes to draw on; None makes a new figure.
    cmap : str, default="Blues"
        Colormap.
    values_format : str, default=None
        Format of the numbers in the cells; None uses ``".2f"`` when normalised
        and scikit-learn's default otherwise.
    colorbar : bool, default=True
        Draw a colorbar.
    title : str, default=None
        Title of the Axes.

    Returns
    -------
    display : sklearn.metrics.ConfusionMatrixDisplay
        The display; ``display.ax_`` is the Axes, ``display.figure_`` the
        figure and ``display.confusion_matrix`` the counts.

    Examples
    --------
    >>> from skgalaxy.plotting import plot_confusion_matrix
    >>> disp = plot_confusion_matrix([0, 1, 1, 2], [0, 1, 2, 2],
    ...                              class_names=["round", "spiral", "edge-on"])
    >>> disp.confusion_matrix.tolist()
    [[1, 0, 0], [0, 1, 1], [0, 0, 1]]
    >>> [t.get_text() for t in disp.ax_.get_xticklabels()]
    ['round', 'spiral', 'edge-on']
    """
    from sklearn.metrics import ConfusionMatrixDisplay
    from sklearn.utils.multiclass import unique_labels

    plt = _pyplot()
    if labels is None:
        labels = unique_labels(y_true, y_pred)
    display_labels = [_label_text(label, class_names) for label in labels]
    new_figure = ax is None
    if new_figure:
        longest = max(len(name) for name in display_labels)
        # Room for the matrix, then for the longest class name on each axis.
        size = max(4.0, 0.6 * len(labels) + 2) + 0.08 * longest
        _, ax = plt.subplots(figsize=(size + 1, size))
    if values_format is None and normalize is not None:
        values_format = ".2f"
    longest = max(len(name) for name in display_labels)
    display = ConfusionMatrixDisplay.from_predictions(
        np.asarray(y_true),
        np.asarray(y_pred),
        labels=labels,
        normalize=normalize,
        display_labels=display_labels,
        ax=ax,
        cmap=cmap,
        values_format=values_format,
        colorbar=colorbar,
        xticks_rotation="vertical" if longest > 6 else "horizontal",
    )
    if title is not None:
        ax.set_title(title)
    if new_figure:
        display.figure_.tight_layout()
    return display
