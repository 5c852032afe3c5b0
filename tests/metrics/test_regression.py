import numpy as np
import pytest
from numpy.testing import assert_allclose
from sklearn.metrics import root_mean_squared_error

from skgalaxy.datasets import QUESTION_SLICES, VOTE_COLUMNS
from skgalaxy.metrics import kaggle_rmse, rmse_per_answer, rmse_per_question


@pytest.fixture
def votes(rng):
    y_true = rng.random((50, 37))
    y_pred = np.clip(y_true + rng.normal(0, 0.1, size=y_true.shape), 0, 1)
    return y_true, y_pred


def test_kaggle_rmse_is_elementwise_rmse(votes):
    y_true, y_pred = votes
    expected = np.sqrt(np.mean((y_true.ravel() - y_pred.ravel()) ** 2))
    assert_allclose(kaggle_rmse(y_true, y_pred), expected, rtol=1e-12)
    assert isinstance(kaggle_rmse(y_true, y_pred), float)


def test_kaggle_rmse_differs_from_sklearn_uniform_average():
    # Column errors 0 and 0.4: element-wise sqrt(0.16 / 2) = 0.283, while the
    # average of per-column RMSEs is (0 + 0.4) / 2 = 0.2.
    y_true = np.array([[0.0, 1.0], [0.0, 1.0]])
    y_pred = np.array([[0.0, 0.6], [0.0, 0.6]])
    ours = kaggle_rmse(y_true, y_pred)
    theirs = root_mean_squared_error(y_true, y_pred, multioutput="uniform_average")
    assert_allclose(ours, np.sqrt(0.08))
    assert_allclose(theirs, 0.2)
    assert ours > theirs + 0.05


def test_kaggle_rmse_equals_rms_of_per_answer(votes):
    y_true, y_pred = votes
    per_answer = rmse_per_answer(y_true, y_pred)
    assert_allclose(kaggle_rmse(y_true, y_pred), np.sqrt(np.mean(per_answer**2)))


def test_kaggle_rmse_perfect_prediction_is_zero(votes):
    assert kaggle_rmse(votes[0], votes[0]) == 0.0


def test_kaggle_rmse_one_dimensional(rng):
    a, b = rng.random(20), rng.random(20)
    assert_allclose(kaggle_rmse(a, b), root_mean_squared_error(a, b))
    assert_allclose(kaggle_rmse(a, b), kaggle_rmse(a[:, None], b[:, None]))


def test_kaggle_rmse_sample_weight_equals_repetition(votes):
    y_true, y_pred = votes
    w = np.arange(len(y_true)) % 3
    repeated = np.repeat(np.arange(len(y_true)), w)
    assert_allclose(
        kaggle_rmse(y_true, y_pred, sample_weight=w),
        kaggle_rmse(y_true[repeated], y_pred[repeated]),
    )


def test_kaggle_rmse_float32_inputs(votes):
    y_true, y_pred = votes
    assert_allclose(
        kaggle_rmse(y_true.astype(np.float32), y_pred.astype(np.float32)),
        kaggle_rmse(y_true, y_pred),
        rtol=1e-6,
    )


def test_rmse_per_answer_matches_sklearn_raw_values(votes):
    y_true, y_pred = votes
    got = rmse_per_answer(y_true, y_pred)
    assert got.shape == (37,)
    assert_allclose(
        got, root_mean_squared_error(y_true, y_pred, multioutput="raw_values")
    )


def test_rmse_per_question_uses_the_tree_slices(votes):
    y_true, y_pred = votes
    got = rmse_per_question(y_true, y_pred)
    assert got.shape == (11,)
    for q, sl in enumerate(QUESTION_SLICES):
        expected = np.sqrt(np.mean((y_true[:, sl] - y_pred[:, sl]) ** 2))
        assert_allclose(got[q], expected)


def test_rmse_per_question_localises_an_error():
    y_true = np.zeros((3, 37))
    y_pred = y_true.copy()
    y_pred[:, VOTE_COLUMNS.index("Class8.3")] = 0.7
    got = rmse_per_question(y_true, y_pred)
    assert_allclose(got[7], np.sqrt(0.49 / 7))
    assert_allclose(np.delete(got, 7), 0.0)


@pytest.mark.parametrize("func", [kaggle_rmse, rmse_per_answer, rmse_per_question])
def test_metrics_reject_shape_mismatch(func, votes):
    y_true, y_pred = votes
    with pytest.raises(ValueError, match="different shapes"):
        func(y_true, y_pred[:, :36])
    with pytest.raises(ValueError, match="inconsistent numbers of samples|different"):
        func(y_true, y_pred[:10])


@pytest.mark.parametrize("func", [kaggle_rmse, rmse_per_answer, rmse_per_question])
def test_metrics_reject_nan(func, votes):
    y_true, y_pred = votes
    y_pred = y_pred.copy()
    y_pred[3, 4] = np.nan
    with pytest.raises(ValueError, match="y_pred contains NaN"):
        func(y_true, y_pred)


def test_metrics_reject_three_dimensional(rng):
    y = rng.random((4, 37, 2))
    with pytest.raises(
        ValueError, match=r"shape \(4, 37, 2\); expected \(n_samples,\) or"
    ):
        kaggle_rmse(y, y)


def test_rmse_per_question_rejects_wrong_width(rng):
    y = rng.random((5, 36))
    with pytest.raises(ValueError, match="needs the 37 Galaxy Zoo vote columns"):
        rmse_per_question(y, y)


def test_metrics_reject_negative_sample_weight(votes):
    with pytest.raises(ValueError, match="[Nn]egative"):
        kaggle_rmse(*votes, sample_weight=-np.ones(len(votes[0])))


def test_metrics_validate_params():
    with pytest.raises(ValueError, match="y_true"):
        kaggle_rmse("abc", [1.0])
