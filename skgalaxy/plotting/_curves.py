"""Learning curves from an estimator's ``loss_curve_`` or a skorch history."""

from collections.abc import Mapping, Sequence
from numbers import Real

import numpy as np

from ._base import _pyplot

__all__ = ["plot_learning_curve"]

# Entries of a skorch history that are bookkeeping, not curves.
_SKIP_KEYS = {"epoch", "dur", "batches", "event_lr", "lr"}
_PREFIXES = (("train_", "train"), ("valid_", "valid"), ("val_", "valid"))


def _split_key(key):
    """``'valid_rmse'`` -> (``'rmse'``, ``'valid'``); ``'loss'`` -> (``'loss'``, '')."""
    for prefix, split in _PREFIXES:
        if key.startswith(prefix):
            return key[len(prefix) :], split
    return key, ""


def _from_history(rows):
    """Curves ``{panel: {label: (x, y)}}`` from a list of per-epoch dicts."""
    panels = {}
    for i, row in enumerate(rows):
        if not isinstance(row, Mapping):
            raise TypeError(
                "a history must be a list of per-epoch dicts (skorch's "
                f"net.history); entry {i} is a {type(row).__name__}."
            )
        epoch = row.get("epoch", i + 1)
        for key, value in row.items():
            if key in _SKIP_KEYS or key.endswith(("_best", "_batch_count")):
                continue
            if isinstance(value, bool) or not isinstance(value, Real):
                continue
            panel, split = _split_key(key)
            xs, ys = panels.setdefault(panel, {}).setdefault(split or key, ([], []))
            xs.append(epoch)
            ys.append(float(value))
    return panels


def _from_mapping(curves):
    """Curves from a dict ``name -> sequence`` (e.g. Keras' ``history.history``)."""
    panels = {}
    for key, values in curves.items():
        values = np.asarray(values, dtype=float)
        if values.ndim != 1:
            raise ValueError(
                f"curve {key!r} must be a 1-D sequence of values, got shape "
                f"{values.shape}."
            )
        panel, split = _split_key(str(key))
        x = np.arange(1, len(values) + 1)
        panels.setdefault(panel, {})[split or str(key)] = (x, values)
    return panels


def _from_estimator(est):
    """Curves from fitted attributes: ``loss_curve_`` and validation curves."""
    attributes = {
        "loss": [
            ("train", "loss_curve_"),
            ("valid", "validation_loss_curve_"),
        ],
        "score": [
            ("train", "train_score_curve_"),
            ("valid", "validation_score_curve_"),
            ("valid", "validation_scores_"),
        ],
    }
    panels = {}
    for panel, pairs in attributes.items():
        for label, attr in pairs:
            values = getattr(est, attr, None)
            if values is None or label in panels.get(panel, {}):
                continue
            values = np.asarray(values, dtype=float)
            if values.ndim != 1 or values.size == 0:
                continue
            x = np.arange(1, len(values) + 1)
            panels.setdefault(panel, {})[label] = (x, values)
    return panels


def _curves(obj):
    if hasattr(obj, "steps") and hasattr(obj, "__getitem__"):
        obj = obj[-1]
    for attr in ("history_", "history"):
        history = getattr(obj, attr, None)
        if history is not None and not isinstance(history, (str, bytes)):
            if isinstance(history, Sequence) or hasattr(history, "to_list"):
                rows = history.to_list() if hasattr(history, "to_list") else history
                return _from_history(rows), "epoch"
    if isinstance(obj, Mapping):
        return _from_mapping(obj), "epoch"
    if isinstance(obj, Sequence) and not isinstance(obj, (str, bytes)):
        return _from_history(obj), "epoch"
    if hasattr(obj, "loss_curve_"):
        x_label = "iteration" if getattr(obj, "solver", None) == "cg" else "epoch"
        return _from_estimator(obj), x_label
    raise TypeError(
        "plot_learning_curve needs a fitted estimator with loss_curve_ (such as "
        "NumpyMLPClassifier), a skorch net or its history (a list of per-epoch "
        f"dicts), or a dict of curves; got {type(obj).__name__}."
    )


def plot_learning_curve(
    estimator_or_history, *, metrics=None, axes=None, figsize=None, title=None
):
    """Plot training and validation curves, one panel per quantity.

    Works with what the estimators record:

    - an estimator with ``loss_curve_``
      (:class:`~skgalaxy.neural_network.NumpyMLPClassifier`, scikit-learn's
      ``MLPClassifier``): the training loss, and the validation loss and scores
      when it recorded them;
    - a skorch net (the CNN estimators) or its history, a list of per-epoch
      dicts: every numeric entry, ``train_loss``/``valid_loss`` on one panel,
      ``train_rmse``/``valid_rmse`` on another, and so on;
    - a dict ``name -> sequence`` (e.g. Keras' ``history.history``);
    - a :class:`~sklearn.pipeline.Pipeline` ending in one of the above.

    Parameters
    ----------
    estimator_or_history : estimator, list of dict or dict
        Where the curves come from (see above).
    metrics : sequence of str, default=None
        Panels to draw, by the name of the quantity without its ``train_`` or
        ``valid_`` prefix, e.g. ``["loss", "rmse"]``; None draws every panel,
        the loss first.
    axes : sequence of matplotlib.axes.Axes, default=None
        One Axes per panel to draw on; None makes a new figure with the panels
        side by side.
    figsize : tuple of (float, float), default=None
        Figure size when ``axes`` is None.
    title : str, default=None
        Title of the figure.

    Returns
    -------
    fig : matplotlib.figure.Figure
        The figure; each panel is titled with its quantity and holds one line
        per split (``train``, ``valid``).

    Examples
    --------
    >>> from skgalaxy.plotting import plot_learning_curve
    >>> history = [{"epoch": 1, "train_loss": 0.9, "valid_loss": 1.0, "valid_acc": 0.5},
    ...            {"epoch": 2, "train_loss": 0.6, "valid_loss": 0.8, "valid_acc": 0.7}]
    >>> fig = plot_learning_curve(history)
    >>> [ax.get_title() for ax in fig.axes]
    ['loss', 'acc']
    >>> [line.get_label() for line in fig.axes[0].get_lines()]
    ['train', 'valid']
    """
    panels, x_label = _curves(estimator_or_history)
    if not panels:
        raise ValueError(
            "no curves found: the estimator or history holds no numeric values "
            "per epoch (is the estimator fitted?)."
        )
    if metrics is None:
        names = sorted(panels, key=lambda name: (name != "loss", name))
    else:
        names = [metrics] if isinstance(metrics, str) else list(metrics)
        unknown = [name for name in names if name not in panels]
        if unknown:
            raise ValueError(
                f"no curve named {unknown[0]!r}; available: {sorted(panels)}."
            )

    plt = _pyplot()
    if axes is None:
        figsize = figsize or (4.5 * len(names), 3.5)
        fig, axes = plt.subplots(1, len(names), figsize=figsize, squeeze=False)
        axes = axes[0]
    else:
        axes = np.ravel(axes)
        if len(axes) < len(names):
            raise ValueError(
                f"axes holds {len(axes)} Axes but {len(names)} panels are drawn "
                f"({names})."
            )
        fig = axes[0].figure
    for ax, name in zip(axes, names):
        for label, (x, y) in panels[name].items():
            ax.plot(x, y, marker="o" if len(x) < 30 else None, label=label)
        ax.set_title(name)
        ax.set_xlabel(x_label)
        ax.set_ylabel(name)
        ax.legend()
    if title is not None:
        fig.suptitle(title)
    fig.tight_layout()
    return fig
