"""Doctest set-up for skgalaxy.plotting: a non-interactive backend, figures closed."""

import pytest


@pytest.fixture(autouse=True)
def _close_figures():
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    yield
    plt.close("all")
