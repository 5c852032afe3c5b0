import pickle

import numpy as np
import pytest
from sklearn.dummy import DummyRegressor
from sklearn.linear_model import LinearRegression, Ridge
from sklearn.model_selection import GridSearchCV, cross_validate

from skgalaxy.metrics import (
    SCORERS,
    kaggle_rmse,
    neg_kaggle_rmse_scorer,
    plurality_accuracy,
    plurality_accuracy_scorer,
)


@pytest.fixture
def regression(rng):
    X = rng.random((120, 3))
    W = rng.random((3, 37)) / 3
    Y = np.clip(X @ W + rng.normal(0, 0.02, (120, 37)), 0, 1)
    return X, Y


def test_neg_kaggle_rmse_scorer_is_negated_metric(regression):
    X, Y = regression
    est = LinearRegression().fit(X, Y)
    assert neg_kaggle_rmse_scorer(est, X, Y) == pytest.approx(
        -kaggle_rmse(Y, est.predict(X))
    )


def test_neg_kaggle_rmse_scorer_in_grid_search_prefers_lower_error(regression):
    X, Y = regression
    grid = GridSearchCV(
        Ridge(), {"alpha": [1e-3, 1e3]}, scoring=neg_kaggle_rmse_scorer, cv=3
    ).fit(X, Y)
    assert grid.best_params_ == {"alpha": 1e-3}
    assert grid.best_score_ < 0


def test_scorers_in_cross_validate(regression):
    X, Y = regression
    result = cross_validate(
        DummyRegressor(), X, Y, cv=3, scoring={"rmse": neg_kaggle_rmse_scorer}
    )
    assert np.all(result["test_rmse"] < 0)


def test_plurality_accuracy_scorer(regression):
    X, Y = regression
    est = LinearRegression().fit(X, Y)
    assert plurality_accuracy_scorer(est, X, Y) == pytest.approx(
        plurality_accuracy(Y, est.predict(X))
    )


def test_scorers_pickle_and_are_listed():
    assert set(SCORERS) == {"neg_kaggle_rmse", "hubble_accuracy", "plurality_accuracy"}
    restored = pickle.loads(pickle.dumps(neg_kaggle_rmse_scorer))
    assert "kaggle_rmse" in repr(restored)
