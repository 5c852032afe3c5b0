"""Helpers shared by the plotting functions: lazy pyplot, image display, labels."""

import math
from collections.abc import Mapping

import numpy as np

from ..utils import check_images, import_optional


def _pyplot():
    """Return ``matplotlib.pyplot``, or raise an ImportError naming the extra."""
    return import_optional(
        "matplotlib.pyplot", extra="plot", feature="skgalaxy.plotting"
    )


def _images_for_display(X, input_name="X"):
    """Validate images and return them ready for ``imshow``, with their colormap.

    One channel is shown in gray; three channels as RGB; any other count (SDSS's
    five bands, say) as the mean over channels in gray. Integer images map to
    [0, 1]; float images already in [0, 1] are shown as they are, others are
    stretched per image to their own minimum and maximum.
    """
    X = check_images(X, input_name=input_name)
    if X.ndim == 4:
        if X.shape[-1] == 1:
            X = X[..., 0]
        elif X.shape[-1] != 3:
            X = X.mean(axis=-1)
    if X.min() < 0 or X.max() > 1:
        axes = tuple(range(1, X.ndim))
        lo = X.min(axis=axes, keepdims=True)
        span = X.max(axis=axes, keepdims=True) - lo
        X = (X - lo) / np.where(span > 0, span, 1)
    cmap = "gray" if X.ndim == 3 else None
    return X, cmap


def _label_text(label, class_names):
    """Return the display name of one label: ``class_names[label]`` or the label."""
    if class_names is None:
        return str(label)
    if isinstance(class_names, Mapping):
        return str(class_names.get(label, label))
    try:
        return str(class_names[int(label)])
    except (ValueError, TypeError, IndexError) as exc:
        label = label.item() if isinstance(label, np.generic) else label
        raise ValueError(
            f"class_names has no entry for label {label!r}; pass a sequence indexed "
            f"by integer labels 0..{len(class_names) - 1} or a mapping "
            "label -> name."
        ) from exc


def _check_labels(y, n_samples, name):
    if y is None:
        return None
    y = np.asarray(y)
    if y.ndim != 1 or y.shape[0] != n_samples:
        raise ValueError(
            f"{name} must be a 1-D array with one label per image ({n_samples}); "
            f"got shape {y.shape}."
        )
    return y


def _image_grid(
    n_panels, ncols, *, axes=None, figsize=None, panel_size=2.0, title_lines=1
):
    """Make a figure with ``n_panels`` image axes on a grid of ``ncols`` columns.

    With ``axes`` (any array of Axes) the panels are drawn on its first
    ``n_panels`` Axes instead, in row-major order.
    """
    if axes is not None:
        axes = np.ravel(axes)
        if len(axes) < n_panels:
            raise ValueError(
                f"axes holds {len(axes)} Axes but {n_panels} images are shown; "
                "pass at least one Axes per image."
            )
        for ax in axes[:n_panels]:
            ax.set_xticks([])
            ax.set_yticks([])
        return axes[0].figure, axes[:n_panels]
    plt = _pyplot()
    ncols = min(ncols, n_panels)
    nrows = math.ceil(n_panels / ncols)
    if figsize is None:
        figsize = (panel_size * ncols, (panel_size + 0.25 * title_lines) * nrows)
    fig, axes = plt.subplots(nrows, ncols, figsize=figsize, squeeze=False)
    axes = axes.ravel()
    for ax in axes[n_panels:]:
        ax.remove()
    for ax in axes[:n_panels]:
        ax.set_xticks([])
        ax.set_yticks([])
    return fig, axes[:n_panels]
