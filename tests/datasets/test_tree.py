import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from skgalaxy.datasets import (
    PARENT_INDEX,
    QUESTION_SLICES,
    QUESTIONS,
    VOTE_COLUMNS,
    check_votes,
    hubble_class,
    normalize_votes,
    plurality_class,
    tree_consistency_error,
)


def _col(name):
    return VOTE_COLUMNS.index(name)


def test_tree_has_kaggle_columns_in_order():
    assert len(VOTE_COLUMNS) == 37
    assert VOTE_COLUMNS[:3] == ("Class1.1", "Class1.2", "Class1.3")
    assert VOTE_COLUMNS[-1] == "Class11.6"
    assert [len(q.answers) for q in QUESTIONS] == [3, 2, 2, 2, 4, 2, 3, 7, 3, 3, 6]
    assert QUESTIONS[7].answers[5].description == "merger"


def test_tree_parents_match_the_galaxy_zoo_tree():
    parents = {q.number: q.parent for q in QUESTIONS}
    assert parents == {
        1: None,
        2: "Class1.2",
        3: "Class2.2",
        4: "Class2.2",
        5: "Class2.2",
        6: None,
        7: "Class1.1",
        8: "Class6.1",
        9: "Class2.1",
        10: "Class4.1",
        11: "Class4.1",
    }
    for sl, parent in zip(QUESTION_SLICES, PARENT_INDEX):
        # a parent answer is processed before its children
        assert parent < sl.start


def test_normalize_votes_is_tree_consistent_and_in_range(rng):
    raw = rng.normal(size=(50, 37))
    v = normalize_votes(raw)
    assert v.shape == (50, 37)
    assert v.min() >= 0 and v.max() <= 1
    assert_allclose(tree_consistency_error(v), 0, atol=1e-12)
    assert_allclose(v[:, QUESTION_SLICES[0]].sum(1), 1)
    assert_allclose(v[:, QUESTION_SLICES[5]].sum(1), 1)
    assert_allclose(v[:, QUESTION_SLICES[6]].sum(1), v[:, _col("Class1.1")])
    assert_allclose(v[:, QUESTION_SLICES[9]].sum(1), v[:, _col("Class4.1")])


def test_normalize_votes_keeps_consistent_votes_and_input():
    v = normalize_votes(np.random.default_rng(1).random((5, 37)))
    before = v.copy()
    assert_allclose(normalize_votes(v), v, atol=1e-12)
    assert_array_equal(v, before)


def test_normalize_votes_conditional_probabilities_multiply_down_the_tree():
    cond = np.zeros((1, 37))
    cond[0, [_col("Class1.2"), _col("Class2.2"), _col("Class4.1")]] = 1
    cond[0, [_col("Class6.2"), _col("Class3.2"), _col("Class5.2")]] = 1
    cond[0, [_col("Class10.1"), _col("Class10.3")]] = 0.5
    v = normalize_votes(cond)
    assert v[0, _col("Class10.1")] == pytest.approx(0.5)
    # an all-zero question becomes uniform over the fraction that reached it
    assert_allclose(v[0, QUESTION_SLICES[10]], 1 / 6)
    assert_allclose(v[0, QUESTION_SLICES[6]], 0)


def test_tree_consistency_error_detects_inconsistency():
    v = normalize_votes(np.ones((2, 37)))
    v[1, _col("Class7.1")] += 0.2
    err = tree_consistency_error(v)
    assert err[0] == pytest.approx(0)
    assert err[1] == pytest.approx(0.2)


def test_hubble_class_rules():
    v = np.zeros((5, 37))
    v[0, _col("Class1.1")] = 0.95
    v[1, [_col("Class4.1"), _col("Class3.2")]] = 0.92
    v[2, [_col("Class4.1"), _col("Class3.1")]] = 0.91
    v[3, [_col("Class4.1"), _col("Class3.1")]] = [0.95, 0.5]
    v[4, _col("Class1.1")] = 0.6
    assert_array_equal(hubble_class(v), [0, 1, 2, -1, -1])
    assert_array_equal(hubble_class(v, threshold=0.5), [0, 1, 2, 2, 0])


def test_plurality_class_over_all_and_restricted():
    v = np.zeros((2, 37))
    v[0, _col("Class6.2")] = 0.8
    v[0, _col("Class1.2")] = 0.6
    v[1, _col("Class1.3")] = 0.5
    assert_array_equal(plurality_class(v), [_col("Class6.2"), _col("Class1.3")])
    answers = ["Class1.1", "Class1.2", "Class1.3"]
    assert_array_equal(plurality_class(v, answers=answers), [1, 2])
    with pytest.raises(ValueError, match="unknown: \\['Class12.1'\\]"):
        plurality_class(v, answers=["Class12.1"])


@pytest.mark.parametrize(
    "votes, err, match",
    [
        (np.zeros((3, 36)), ValueError, "expected \\(n_samples, 37\\)"),
        (np.zeros(37), ValueError, "expected \\(n_samples, 37\\)"),
        (np.full((1, 37), np.nan), ValueError, "NaN"),
        (np.full((1, 37), 1.5), ValueError, "must lie in \\[0, 1\\]"),
        (np.full((1, 37), -0.1), ValueError, "must lie in \\[0, 1\\]"),
        (np.zeros((0, 37)), ValueError, "empty"),
        (np.full((1, 37), "a"), TypeError, "numeric"),
    ],
)
def test_check_votes_bad_input(votes, err, match):
    with pytest.raises(err, match=match):
        check_votes(votes)


def test_tree_functions_reject_wrong_width():
    for func in (normalize_votes, tree_consistency_error, hubble_class):
        with pytest.raises(ValueError, match="expected \\(n_samples, 37\\)"):
            func(np.zeros((2, 5)))
