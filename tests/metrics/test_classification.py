import numpy as np
import pytest

from skgalaxy.datasets import VOTE_COLUMNS, hubble_class
from skgalaxy.metrics import hubble_accuracy, plurality_accuracy

C = {name: i for i, name in enumerate(VOTE_COLUMNS)}


def _galaxy(kind, strength=0.95):
    v = np.zeros(37)
    if kind == "elliptical":
        v[C["Class1.1"]] = strength
    elif kind in ("spiral", "barred"):
        v[C["Class1.2"]] = v[C["Class2.2"]] = v[C["Class4.1"]] = strength
        v[C["Class3.1" if kind == "barred" else "Class3.2"]] = strength
    return v


@pytest.fixture
def hubble_votes():
    true = np.stack(
        [
            _galaxy("elliptical"),
            _galaxy("spiral"),
            _galaxy("barred"),
            _galaxy("elliptical"),
            _galaxy("none"),
        ]
    )
    pred = np.stack(
        [
            _galaxy("elliptical"),
            _galaxy("barred"),  # wrong class
            _galaxy("barred"),
            _galaxy("elliptical", 0.6),  # hedged: unassigned, counts as wrong
            _galaxy("elliptical"),  # true class unassigned: not counted
        ]
    )
    return true, pred


def test_hubble_accuracy_counts_assigned_true_classes(hubble_votes):
    true, pred = hubble_votes
    assert list(hubble_class(true)) == [0, 1, 2, 0, -1]
    assert hubble_accuracy(true, pred) == pytest.approx(2 / 4)


def test_hubble_accuracy_threshold(hubble_votes):
    true, pred = hubble_votes
    # At 0.5 the hedged elliptical (0.6) is assigned and right.
    assert hubble_accuracy(true, pred, threshold=0.5) == pytest.approx(3 / 4)


def test_hubble_accuracy_sample_weight(hubble_votes):
    true, pred = hubble_votes
    w = np.array([1.0, 3.0, 1.0, 1.0, 100.0])
    assert hubble_accuracy(true, pred, sample_weight=w) == pytest.approx(2 / 6)


def test_hubble_accuracy_accepts_predictions_outside_unit_interval(hubble_votes):
    true, pred = hubble_votes
    pred = pred.copy()
    pred[0, C["Class1.1"]] = 1.05
    pred[0, C["Class1.3"]] = -0.05
    assert hubble_accuracy(true, pred) == pytest.approx(2 / 4)


def test_hubble_accuracy_no_assigned_galaxy():
    true = np.full((3, 37), 0.3)
    with pytest.raises(ValueError, match="No galaxy in votes_true has a Hubble class"):
        hubble_accuracy(true, true)


def test_hubble_accuracy_rejects_bad_true_votes(hubble_votes):
    true, pred = hubble_votes
    bad = true.copy()
    bad[0, 0] = 1.5
    with pytest.raises(ValueError, match="votes_true holds values in"):
        hubble_accuracy(bad, pred)
    with pytest.raises(ValueError, match=r"expected \(n_samples, 37\)"):
        hubble_accuracy(true[:, :36], pred[:, :36])


def test_hubble_accuracy_rejects_shape_mismatch(hubble_votes):
    true, pred = hubble_votes
    with pytest.raises(ValueError, match="votes_pred has shape"):
        hubble_accuracy(true, pred[:, :36])
    with pytest.raises(ValueError, match="votes_pred has shape"):
        hubble_accuracy(true, pred[:3])


def test_hubble_accuracy_rejects_nan_prediction(hubble_votes):
    true, pred = hubble_votes
    pred = pred.copy()
    pred[1, 1] = np.nan
    with pytest.raises(ValueError, match="votes_pred contains NaN"):
        hubble_accuracy(true, pred)


def test_hubble_accuracy_rejects_zero_threshold(hubble_votes):
    with pytest.raises(ValueError, match="threshold"):
        hubble_accuracy(*hubble_votes, threshold=0.0)


def test_plurality_accuracy_all_columns():
    true = np.zeros((3, 37))
    true[:, 0] = [0.9, 0.1, 0.4]
    true[:, 1] = [0.1, 0.9, 0.1]
    true[:, C["Class6.2"]] = [0.0, 0.0, 0.5]
    pred = np.zeros((3, 37))
    pred[:, 0] = [0.8, 0.8, 0.8]
    pred[:, C["Class6.2"]] = 0.5
    assert plurality_accuracy(true, pred) == pytest.approx(1 / 3)


def test_plurality_accuracy_restricted_answers():
    true = np.zeros((2, 37))
    true[:, C["Class6.2"]] = 0.9
    true[:, C["Class1.1"]] = [0.6, 0.2]
    true[:, C["Class1.2"]] = [0.4, 0.8]
    pred = true.copy()
    pred[1, C["Class1.1"]] = 0.85  # below Class6.2: the 37-way argmax holds
    q1 = ["Class1.1", "Class1.2", "Class1.3"]
    assert plurality_accuracy(true, pred) == 1.0
    assert plurality_accuracy(true, pred, answers=q1) == 0.5


def test_plurality_accuracy_unknown_answer():
    v = np.full((2, 37), 0.5)
    with pytest.raises(ValueError, match="unknown"):
        plurality_accuracy(v, v, answers=["Class12.1"])
