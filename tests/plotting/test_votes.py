import numpy as np
import pytest
from numpy.testing import assert_allclose

from skgalaxy.plotting import plot_rmse_per_answer, plot_vote_fractions


@pytest.fixture
def votes(rng):
    from skgalaxy.datasets import normalize_votes

    return normalize_votes(rng.random((3, 37)))


def test_plot_vote_fractions_bar_widths_are_the_votes(votes):
    ax = plot_vote_fractions(votes[1], title="galaxy 1")
    widths = [p.get_width() for p in ax.patches]
    assert_allclose(widths, votes[1])
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels[0].startswith("1.1 ")
    assert labels[-1].startswith("11.6")
    assert ax.get_title() == "galaxy 1"


def test_plot_vote_fractions_colours_by_question(votes):
    ax = plot_vote_fractions(votes[0], descriptions=False)
    colors = [p.get_facecolor() for p in ax.patches]
    # Q1 has three answers of one colour; Q2's first answer differs.
    assert colors[0] == colors[1] == colors[2] != colors[3]
    assert [t.get_text() for t in ax.get_yticklabels()][:2] == ["1.1", "1.2"]


def test_plot_vote_fractions_with_prediction(votes):
    ax = plot_vote_fractions(votes[0:1], predicted=votes[2])
    widths = [p.get_width() for p in ax.patches]
    assert len(widths) == 74
    assert_allclose(widths[37:], votes[2])
    assert ax.get_legend_handles_labels()[1] == ["volunteers", "predicted"]


def test_plot_vote_fractions_bad_input_raises(votes):
    with pytest.raises(ValueError, match="votes of one galaxy"):
        plot_vote_fractions(votes)
    with pytest.raises(ValueError):
        plot_vote_fractions(votes[0, :36])
    bad = votes[0].copy()
    bad[0] = 1.5
    with pytest.raises(ValueError):
        plot_vote_fractions(bad)


def test_plot_rmse_per_answer_single_model():
    rmse = np.linspace(0.05, 0.2, 37)
    ax = plot_rmse_per_answer(rmse, title="cnn")
    assert_allclose([p.get_height() for p in ax.patches], rmse)
    labels = [t.get_text() for t in ax.get_xticklabels()]
    assert labels[0] == "1.1" and labels[-1] == "11.6"
    assert ax.get_legend() is None
    assert ax.get_title() == "cnn"


def test_plot_rmse_per_answer_grouped_models():
    ax = plot_rmse_per_answer({"mean": np.full(11, 0.2), "cnn": np.full(11, 0.1)})
    heights = [p.get_height() for p in ax.patches]
    assert_allclose(heights, [0.2] * 11 + [0.1] * 11)
    assert ax.get_legend_handles_labels()[1] == ["mean", "cnn"]
    assert [t.get_text() for t in ax.get_xticklabels()][:2] == ["Q1", "Q2"]
    # Bars of one answer sit side by side, not on top of each other.
    assert ax.patches[0].get_x() < ax.patches[11].get_x()


def test_plot_rmse_per_answer_custom_labels():
    ax = plot_rmse_per_answer([0.1, 0.2], labels=["a", "b"])
    assert [t.get_text() for t in ax.get_xticklabels()] == ["a", "b"]


def test_plot_rmse_per_answer_bad_input_raises():
    with pytest.raises(ValueError, match="one length"):
        plot_rmse_per_answer({"a": np.ones(37), "b": np.ones(11)})
    with pytest.raises(ValueError, match="empty dict"):
        plot_rmse_per_answer({})
    with pytest.raises(ValueError, match="finite and non-negative"):
        plot_rmse_per_answer([0.1, -0.2])
    with pytest.raises(ValueError, match="labels has 1 entries"):
        plot_rmse_per_answer([0.1, 0.2], labels=["a"])
