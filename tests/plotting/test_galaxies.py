import matplotlib.colors as mcolors
import numpy as np
import pytest
from numpy.testing import assert_allclose

from skgalaxy.plotting import plot_galaxies, plot_most_confident


@pytest.fixture
def images(rng):
    return rng.integers(0, 256, size=(7, 12, 12, 3), dtype=np.uint8)


def test_plot_galaxies_one_panel_per_image_with_labels(images):
    y_true = np.array([0, 1, 2, 0, 1, 2, 0])
    y_pred = np.array([0, 1, 1, 0, 2, 2, 0])
    fig = plot_galaxies(
        images, y_true, y_pred, class_names=["round", "spiral", "edge-on"], ncols=3
    )
    assert len(fig.axes) == 7
    assert fig.axes[0].get_title() == "true: round\npred: round"
    assert fig.axes[2].get_title() == "true: edge-on\npred: spiral"
    # The shown image is the input scaled to [0, 1].
    assert_allclose(fig.axes[1].images[0].get_array(), images[1] / 255, atol=1e-6)


def test_plot_galaxies_marks_wrong_predictions_in_red(images):
    y_true = np.array([0, 1, 2, 0, 1, 2, 0])
    y_pred = np.array([0, 1, 1, 0, 1, 2, 0])
    fig = plot_galaxies(images, y_true, y_pred)
    red = mcolors.to_rgba("tab:red")
    colors = [mcolors.to_rgba(ax.title.get_color()) for ax in fig.axes]
    assert [c == red for c in colors] == [i == 2 for i in range(7)]
    assert mcolors.to_rgba(fig.axes[2].spines["left"].get_edgecolor()) == red


def test_plot_galaxies_titles_without_predictions(images):
    fig = plot_galaxies(images, y_true=np.arange(7), class_names={3: "three"})
    assert fig.axes[3].get_title() == "true: three"
    assert fig.axes[4].get_title() == "true: 4"


def test_plot_galaxies_max_images_and_grid(images):
    fig = plot_galaxies(images, max_images=4, ncols=2, title="four")
    assert len(fig.axes) == 4
    assert fig.axes[3].get_subplotspec().rowspan.start == 1
    assert fig.get_suptitle() == "four"


@pytest.mark.parametrize(
    "shape, image_ndim", [((3, 8, 8), 2), ((3, 8, 8, 1), 2), ((3, 8, 8, 5), 2)]
)
def test_plot_galaxies_channels_shown_in_gray(shape, image_ndim, rng):
    X = rng.random(shape)
    fig = plot_galaxies(X)
    shown = fig.axes[0].images[0]
    assert shown.get_array().ndim == image_ndim
    assert shown.get_cmap().name == "gray"
    if shape[-1] == 5:
        assert_allclose(shown.get_array(), X[0].mean(axis=-1))


def test_plot_galaxies_stretches_floats_outside_unit_range(rng):
    X = rng.normal(100.0, 50.0, size=(2, 8, 8, 3))
    fig = plot_galaxies(X)
    shown = np.asarray(fig.axes[1].images[0].get_array())
    assert shown.min() == pytest.approx(0.0)
    assert shown.max() == pytest.approx(1.0)


def test_plot_galaxies_bad_labels_raise(images):
    with pytest.raises(ValueError, match="one label per image"):
        plot_galaxies(images, y_true=[0, 1])
    with pytest.raises(ValueError, match="class_names has no entry for label 5"):
        plot_galaxies(images, y_true=np.full(7, 5), class_names=["a", "b"])
    with pytest.raises(
        ValueError,
        match=(
            r"'max_images' parameter of plot_galaxies "
            r"must be an int in the range \[1, inf\)"
        ),
    ):
        plot_galaxies(images, max_images=0)
    with pytest.raises(
        TypeError,
        match=(
            r"'ncols' parameter of plot_galaxies "
            r"must be an int in the range \[1, inf\)"
        ),
    ):
        plot_galaxies(images, ncols=2.5)


def test_plot_galaxies_bad_images_raise():
    with pytest.raises(ValueError, match="3-D or 4-D"):
        plot_galaxies(np.zeros((4, 4)))


def test_plot_galaxies_missing_matplotlib_names_extra(images, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    with pytest.raises(ImportError, match=r"skgalaxy\[plot\]"):
        plot_galaxies(images)


def _votes(n, rng):
    from skgalaxy.datasets import normalize_votes

    return normalize_votes(rng.random((n, 37)))


def test_plot_most_confident_shows_argmax_galaxy(images, rng):
    from skgalaxy.datasets import VOTE_COLUMNS

    votes = _votes(7, rng)
    fig = plot_most_confident(images, votes)
    assert len(fig.axes) == 37
    for column in (0, 5, 36):
        ax = fig.axes[column]
        best = np.argmax(votes[:, column])
        lines = ax.get_title().splitlines()
        assert lines[0] == VOTE_COLUMNS[column]
        assert lines[-1] == f"fraction {votes[best, column]:.2f}"
        assert_allclose(ax.images[0].get_array(), images[best] / 255, atol=1e-6)


def test_plot_most_confident_selected_answers(images, rng):
    fig = plot_most_confident(
        images, _votes(7, rng), answers=["Class1.1", "Class7.3"], descriptions=False
    )
    titles = [ax.get_title().splitlines() for ax in fig.axes]
    assert [t[0] for t in titles] == ["Class1.1", "Class7.3"]
    assert all(len(t) == 2 for t in titles)


def test_plot_most_confident_descriptions_from_tree(images, rng):
    from skgalaxy.datasets import QUESTIONS

    fig = plot_most_confident(images, _votes(7, rng), answers="Class1.1")
    assert fig.axes[0].get_title().splitlines()[1] == QUESTIONS[0].answers[0][1]


def test_plot_most_confident_bad_input_raises(images, rng):
    votes = _votes(7, rng)
    with pytest.raises(ValueError, match="Unknown answer 'Class12.1'"):
        plot_most_confident(images, votes, answers=["Class12.1"])
    with pytest.raises(ValueError, match="votes has 6 rows but X has 7"):
        plot_most_confident(images, votes[:6])
    with pytest.raises(ValueError, match="answers is empty"):
        plot_most_confident(images, votes, answers=[])
    with pytest.raises(ValueError):
        plot_most_confident(images, votes[:, :30])


def test_plot_galaxies_on_given_axes(images):
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(2, 4)
    out = plot_galaxies(images, y_true=np.arange(7), axes=axes)
    assert out is fig
    assert axes[1, 2].get_title() == "true: 6"
    assert not axes[1, 3].images
    with pytest.raises(ValueError, match="axes holds 8 Axes but 9 images"):
        plot_galaxies(np.concatenate([images, images[:2]]), axes=axes)


def test_plot_most_confident_on_given_axes(images, rng):
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2)
    out = plot_most_confident(
        images, _votes(7, rng), answers=["Class6.1", "Class6.2"], axes=axes
    )
    assert out is fig
    assert [ax.get_title().splitlines()[0] for ax in axes] == ["Class6.1", "Class6.2"]
