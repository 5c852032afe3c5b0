import numpy as np
import pytest
from numpy.testing import assert_allclose

from skgalaxy.plotting import plot_confusion_matrix, plot_learning_curve

HISTORY = [
    {"epoch": 1, "train_loss": 0.9, "valid_loss": 1.0, "valid_rmse": 0.3, "dur": 1.0,
     "train_loss_best": True, "batches": [], "train_batch_count": 3},
    {"epoch": 2, "train_loss": 0.6, "valid_loss": 0.8, "valid_rmse": 0.2, "dur": 1.1,
     "train_loss_best": True, "batches": [], "train_batch_count": 3},
]  # fmt: skip


class _Net:
    """Stands in for a fitted skorch net: a ``history_`` list of dicts."""

    history_ = HISTORY


def test_plot_learning_curve_from_history_list():
    fig = plot_learning_curve(HISTORY, title="cnn")
    assert [ax.get_title() for ax in fig.axes] == ["loss", "rmse"]
    lines = fig.axes[0].get_lines()
    assert [line.get_label() for line in lines] == ["train", "valid"]
    assert_allclose(lines[1].get_ydata(), [1.0, 0.8])
    assert_allclose(lines[1].get_xdata(), [1, 2])
    assert fig.get_suptitle() == "cnn"


def test_plot_learning_curve_from_net_history_and_selected_metric():
    fig = plot_learning_curve(_Net(), metrics=["rmse"])
    assert len(fig.axes) == 1
    assert_allclose(fig.axes[0].get_lines()[0].get_ydata(), [0.3, 0.2])


def test_plot_learning_curve_from_skorch_history_object():
    skorch = pytest.importorskip("skorch")
    history = skorch.history.History()
    for row in HISTORY:
        history.new_epoch()
        for key, value in row.items():
            history.record(key, value)
    fig = plot_learning_curve(history)
    assert [ax.get_title() for ax in fig.axes] == ["loss", "rmse"]


def test_plot_learning_curve_from_sklearn_mlp(rng):
    from sklearn.neural_network import MLPClassifier

    X = rng.random((60, 4))
    y = (X[:, 0] > 0.5).astype(int)
    mlp = MLPClassifier(
        hidden_layer_sizes=(3,),
        max_iter=5,
        early_stopping=True,
        n_iter_no_change=50,
        random_state=0,
    )
    import warnings

    from sklearn.exceptions import ConvergenceWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        mlp.fit(X, y)
    fig = plot_learning_curve(mlp)
    assert [ax.get_title() for ax in fig.axes] == ["loss", "score"]
    assert_allclose(fig.axes[0].get_lines()[0].get_ydata(), mlp.loss_curve_)
    assert_allclose(fig.axes[1].get_lines()[0].get_ydata(), mlp.validation_scores_)
    assert fig.axes[0].get_xlabel() == "epoch"


def test_plot_learning_curve_from_dict_on_given_axes():
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 3)
    out = plot_learning_curve(
        {"loss": [3, 2, 1], "val_loss": [4, 3, 2], "accuracy": [0.1, 0.5, 0.9]},
        axes=axes,
    )
    assert out is fig
    assert axes[0].get_title() == "loss"
    assert [line.get_label() for line in axes[0].get_lines()] == ["loss", "valid"]
    assert axes[1].get_title() == "accuracy"
    assert not axes[2].get_lines()


def test_plot_learning_curve_bad_input_raises():
    with pytest.raises(TypeError, match="loss_curve_"):
        plot_learning_curve(object())
    with pytest.raises(ValueError, match="no curves found"):
        plot_learning_curve([{"epoch": 1, "dur": 0.1}])
    with pytest.raises(ValueError, match="no curve named 'acc'"):
        plot_learning_curve(HISTORY, metrics=["acc"])
    with pytest.raises(TypeError, match="list of per-epoch dicts"):
        plot_learning_curve([1.0, 2.0])
    with pytest.raises(ValueError, match="axes holds 1 Axes but 2 panels"):
        import matplotlib.pyplot as plt

        plot_learning_curve(HISTORY, axes=[plt.gca()])


def test_plot_confusion_matrix_counts_and_names():
    y_true = np.array([0, 0, 1, 1, 2, 2])
    y_pred = np.array([0, 1, 1, 1, 2, 0])
    disp = plot_confusion_matrix(
        y_true, y_pred, class_names=["round smooth", "barred", "edge-on"], title="cm"
    )
    assert disp.confusion_matrix.tolist() == [[1, 1, 0], [0, 2, 0], [1, 0, 1]]
    names = [t.get_text() for t in disp.ax_.get_yticklabels()]
    assert names == ["round smooth", "barred", "edge-on"]
    assert disp.ax_.get_title() == "cm"


def test_plot_confusion_matrix_normalized_on_given_axes():
    import matplotlib.pyplot as plt

    _, ax = plt.subplots()
    disp = plot_confusion_matrix(
        ["a", "a", "b"], ["a", "b", "b"], normalize="true", ax=ax, colorbar=False
    )
    assert disp.ax_ is ax
    assert_allclose(disp.confusion_matrix, [[0.5, 0.5], [0.0, 1.0]])
    assert disp.text_[0, 0].get_text() == "0.50"


def test_plot_learning_curve_from_numpy_mlp_pipeline(rng):
    from sklearn.pipeline import make_pipeline

    from skgalaxy.neural_network import NumpyMLPClassifier
    from skgalaxy.preprocessing import Flatten

    X = rng.random((80, 4, 4))
    y = (X[:, 0, 0] > 0.5).astype(int)
    mlp = NumpyMLPClassifier(
        hidden_layer_sizes=(4,),
        max_iter=6,
        early_stopping=True,
        n_iter_no_change=50,
        random_state=0,
    )
    import warnings

    from sklearn.exceptions import ConvergenceWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model = make_pipeline(Flatten(), mlp).fit(X, y)
    fig = plot_learning_curve(model)
    assert [ax.get_title() for ax in fig.axes] == ["loss", "score"]
    loss_lines = fig.axes[0].get_lines()
    assert [line.get_label() for line in loss_lines] == ["train", "valid"]
    assert_allclose(loss_lines[0].get_ydata(), mlp.loss_curve_)
    assert_allclose(loss_lines[1].get_ydata(), mlp.validation_loss_curve_)
    assert_allclose(fig.axes[1].get_lines()[0].get_ydata(), mlp.validation_score_curve_)
