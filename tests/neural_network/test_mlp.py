"""Tests of NumpyMLPClassifier (scikit-learn's common checks run in test_common)."""

import itertools
import pickle
import re
import warnings

import joblib
import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.datasets import make_blobs
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.metrics import log_loss
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils._param_validation import InvalidParameterError

from skgalaxy.neural_network import NumpyMLPClassifier
from skgalaxy.neural_network import _mlp_core as core
from skgalaxy.neural_network._mlp_solvers import AdamOptimizer, SGDOptimizer

ACTIVATIONS = ["logistic", "tanh", "relu", "leaky_relu"]
LOSSES = ["log_loss", "binary_log_loss", "squared_error"]
DEPTHS = {1: (5,), 2: (5, 4), 3: (5, 4, 3)}

# Short fits that stop at max_iter warn by design; tests that are not about
# convergence ignore that warning.
ignore_convergence = pytest.mark.filterwarnings(
    "ignore::sklearn.exceptions.ConvergenceWarning"
)


@pytest.fixture(scope="module")
def blobs():
    X, y = make_blobs(n_samples=150, centers=3, n_features=6, random_state=0)
    return StandardScaler().fit_transform(X), y


def _images(n=60, size=8, channels=None, seed=0):
    """Gray or colour images whose class is which half is brighter."""
    rng = np.random.RandomState(seed)
    shape = (n, size, size) if channels is None else (n, size, size, channels)
    X = rng.rand(*shape)
    y = (X[:, : size // 2].mean(axis=tuple(range(1, X.ndim))) > 0.5).astype(int)
    return X, y


def _params(rng, sizes):
    coefs = [rng.standard_normal((a, b)) * 0.7 for a, b in itertools.pairwise(sizes)]
    intercepts = [rng.standard_normal(b) * 0.3 for b in sizes[1:]]
    return coefs, intercepts


# ------------------------------------------------------------ gradients
@pytest.mark.parametrize("depth", sorted(DEPTHS))
@pytest.mark.parametrize("loss", LOSSES)
@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_mlp_gradient_matches_finite_differences(activation, loss, depth):
    rng = np.random.default_rng(0)
    n, n_features, n_classes = 7, 4, 3
    X = rng.standard_normal((n, n_features))
    yi = np.array([0, 1, 2, 0, 1, 2, 1])
    sw = rng.uniform(0.2, 2.0, n)
    sizes = [n_features, *DEPTHS[depth], n_classes]
    coefs, intercepts = _params(rng, sizes)
    kwargs = {
        "activation": activation,
        "loss": loss,
        "alpha": 0.7,
        "n_train": n,
    }
    _, g_coefs, g_intercepts = core.loss_and_gradient(
        coefs, intercepts, X, yi, sw, **kwargs
    )
    eps = 1e-6
    for params, grads in ((coefs, g_coefs), (intercepts, g_intercepts)):
        for p, g in zip(params, grads):
            numeric = np.empty_like(p)
            for idx in np.ndindex(p.shape):
                old = p[idx]
                p[idx] = old + eps
                up = core.loss_and_gradient(
                    coefs, intercepts, X, yi, sw, grad_coefs=False, **kwargs
                )[0]
                p[idx] = old - eps
                down = core.loss_and_gradient(
                    coefs, intercepts, X, yi, sw, grad_coefs=False, **kwargs
                )[0]
                p[idx] = old
                numeric[idx] = (up - down) / (2 * eps)
            assert_allclose(g, numeric, rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("loss", LOSSES)
def test_mlp_objective_matches_validation_loss_and_chunks(loss):
    # the full-batch objective, computed in chunks, equals the validation formula
    rng = np.random.default_rng(1)
    X = rng.standard_normal((50, 4))
    yi = rng.integers(0, 3, 50)
    sw = rng.uniform(0.5, 1.5, 50)
    coefs, intercepts = _params(rng, [4, 6, 3])
    obj, _, _ = core.loss_and_gradient(
        coefs,
        intercepts,
        X,
        yi,
        sw,
        activation="tanh",
        loss=loss,
        alpha=0.0,
        n_train=50,
        chunk_size=7,
    )
    logits = core.predict_logits(coefs, intercepts, "tanh", X)
    assert_allclose(obj, core.mean_loss(loss, logits, yi, sw), rtol=1e-12)
    if loss == "log_loss":
        proba = core.proba_from_logits(loss, logits)
        assert_allclose(obj, log_loss(yi, proba, sample_weight=sw), rtol=1e-10)


def _reference_grads(coefs, intercepts, X, yi, alpha):
    _, gc, gi = core.loss_and_gradient(
        coefs,
        intercepts,
        X,
        yi,
        None,
        activation="logistic",
        loss="squared_error",
        alpha=alpha,
        n_train=len(X),
    )
    return gc, gi


def _one_step(optimizer, coefs, intercepts, X, yi, alpha):
    n = len(X)
    sizes = [X.shape[1]] + [W.shape[1] for W in coefs]
    ws = core.Workspace(sizes, n, X.dtype)
    logits = core.forward(coefs, intercepts, "logistic", X, ws, n)
    core.output_delta("squared_error", logits, yi, None, 1.0 / n, ws, n)
    if isinstance(optimizer, AdamOptimizer):
        optimizer.start_batch()
    core.backward(
        coefs,
        "logistic",
        X,
        ws,
        n,
        lambda i, A, D: optimizer.step(i, coefs[i], intercepts[i], A, D, alpha / n),
    )


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize(
    "kind, beta",
    [
        ("plain", 0.0),
        ("momentum", 0.8),
        ("nesterov", 0.8),
        # a momentum so small that the stored velocity's scale is folded back
        # into it on the second step
        ("momentum", 1e-7),
        ("nesterov", 1e-7),
        ("adam", None),
    ],
)
@pytest.mark.parametrize("layout", ["F", "C"])
def test_mlp_optimizer_steps_match_their_formulas(kind, beta, dtype, layout):
    rng = np.random.default_rng(2)
    X = rng.standard_normal((9, 5)).astype(dtype)
    yi = rng.integers(0, 3, 9)
    coefs, intercepts = _params(rng, [5, 4, 3])
    # C-ordered weights are those of estimators fitted before the Fortran layout
    coefs = [np.asarray(W, dtype=dtype, order=layout) for W in coefs]
    intercepts = [b.astype(dtype) for b in intercepts]
    params = [*coefs, *intercepts]
    lr, alpha = 0.3, 0.5
    if kind == "adam":
        opt = AdamOptimizer(
            coefs, intercepts, learning_rate=lr, beta_1=0.9, beta_2=0.99, epsilon=1e-8
        )
    else:
        opt = SGDOptimizer(
            coefs,
            intercepts,
            learning_rate=lr,
            momentum=beta,
            nesterov=kind == "nesterov",
        )
    expected = [p.astype(np.float64) for p in params]
    vel = [np.zeros_like(p) for p in expected]
    m2 = [np.zeros_like(p) for p in expected]
    for t in (1, 2):  # two steps, so the velocity matters
        k = len(coefs)
        gc, gi = _reference_grads(
            expected[:k], expected[k:], X.astype(np.float64), yi, alpha
        )
        grads = [*gc, *gi]
        for j, g in enumerate(grads):
            if kind == "plain":
                expected[j] -= lr * g
            elif kind in ("momentum", "nesterov"):
                vel[j] = beta * vel[j] + (1 - beta) * g
                step = beta * vel[j] + (1 - beta) * g if kind == "nesterov" else vel[j]
                expected[j] -= lr * step
            else:
                vel[j] = 0.9 * vel[j] + 0.1 * g
                m2[j] = 0.99 * m2[j] + 0.01 * g**2
                lr_t = lr * np.sqrt(1 - 0.99**t) / (1 - 0.9**t)
                expected[j] -= lr_t * vel[j] / (np.sqrt(m2[j]) + 1e-8)
        _one_step(opt, coefs, intercepts, X, yi, alpha)
    rtol = 1e-4 if dtype == np.float32 else 1e-10
    for p, e in zip([*coefs, *intercepts], expected):
        assert p.dtype == dtype
        assert_allclose(p, e, rtol=rtol, atol=rtol * 1e-2)
    if kind in ("momentum", "nesterov"):
        # the stored velocity times its scale is lr * v
        for U, v in zip(opt.velocities(), vel):
            assert_allclose(U, lr * v, rtol=rtol, atol=rtol * 1e-4)
        assert opt.vel_scales == ([1.0] * 2 if beta < 1e-6 else [beta**2] * 2)


def test_mlp_velocity_scale_is_folded_back_before_it_underflows():
    # 300 steps at momentum 0.9 pass the scale's 2**-40 floor (263 steps)
    rng = np.random.default_rng(3)
    W = np.asfortranarray(rng.standard_normal((6, 4)))
    b = np.zeros(4)
    opt = SGDOptimizer([W], [b], learning_rate=0.1, momentum=0.9, nesterov=False)
    U = np.zeros_like(W)
    expected = W.copy()
    scales = []
    for _ in range(300):
        A, D = rng.standard_normal((5, 6)), rng.standard_normal((5, 4))
        U = 0.9 * U + 0.1 * 0.1 * (A.T @ D)
        expected -= U
        opt.step(0, W, b, A, D, 0.0)
        scales.append(opt.vel_scales[0])
    assert min(scales) >= 2.0**-40
    assert scales.count(1.0) == 1  # folded back once
    assert_allclose(opt.velocities()[0], U, rtol=1e-10)
    assert_allclose(W, expected, rtol=1e-10)


def test_mlp_old_optimizer_state_loads_unscaled():
    # an optimiser pickled before the scaled velocity has no scales
    opt = SGDOptimizer(
        [np.ones((3, 2))],
        [np.zeros(2)],
        learning_rate=0.1,
        momentum=0.5,
        nesterov=False,
    )
    opt.vel_coefs[0][...] = 2.0
    state = opt.__getstate__()
    del state["vel_scales"]
    old = SGDOptimizer.__new__(SGDOptimizer)
    old.__setstate__(state)
    assert_array_equal(old.velocities()[0], np.full((3, 2), 2.0))


# ---------------------------------------------------------- behaviour
@ignore_convergence
@pytest.mark.parametrize("solver", ["sgd", "adam", "cg"])
def test_mlp_weights_are_fortran_ordered_and_c_ordered_ones_still_fit(blobs, solver):
    # every solver leaves (n_in, n_out) weights Fortran-ordered, the layout the
    # mini-batch products run fastest with; C-ordered weights (fitted before it)
    # warm-start to the same model
    X, y = blobs
    params = {"solver": solver, "max_iter": 3, "warm_start": True, "random_state": 0}
    a = NumpyMLPClassifier((7, 5), **params).fit(X, y)
    assert all(W.flags.f_contiguous and not W.flags.c_contiguous for W in a.coefs_)
    b = pickle.loads(pickle.dumps(a))
    b.coefs_ = [np.ascontiguousarray(W) for W in b.coefs_]
    a.fit(X, y)
    b.fit(X, y)
    for Wa, Wb in zip(a.coefs_, b.coefs_):
        assert_allclose(Wa, Wb, rtol=1e-10, atol=1e-12)
    assert_allclose(a.predict_proba(X), b.predict_proba(X), rtol=1e-10)


@ignore_convergence
@pytest.mark.parametrize("solver", ["sgd", "adam", "cg"])
@pytest.mark.parametrize("loss", LOSSES)
def test_mlp_learns_and_proba_rows_sum_to_one(blobs, solver, loss):
    X, y = blobs
    clf = NumpyMLPClassifier(
        (10,),
        solver=solver,
        loss=loss,
        activation="tanh",
        max_iter=60,
        learning_rate_init=0.05 if solver == "sgd" else 0.01,
        random_state=0,
    ).fit(X, y)
    proba = clf.predict_proba(X)
    assert proba.shape == (len(X), 3)
    assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-12)
    assert_array_equal(clf.predict(X), clf.classes_[proba.argmax(axis=1)])
    assert_allclose(clf.predict_log_proba(X), np.log(proba))
    assert clf.score(X, y) > 0.9
    assert len(clf.loss_curve_) == clf.n_iter_
    assert clf.best_loss_ == min(clf.loss_curve_)
    assert clf.loss_curve_[-1] < clf.loss_curve_[0]
    assert clf.out_activation_ == ("softmax" if loss == "log_loss" else "logistic")


@ignore_convergence
def test_mlp_stochastic_attributes(blobs):
    X, y = blobs
    clf = NumpyMLPClassifier(
        (4, 3), solver="sgd", max_iter=3, batch_size=32, random_state=0
    ).fit(X, y)
    assert clf.n_iter_ == 3 and clf.t_ == 3 * len(X)
    assert [W.shape for W in clf.coefs_] == [(6, 4), (4, 3), (3, 3)]
    assert [b.shape for b in clf.intercepts_] == [(4,), (3,), (3,)]
    assert clf.n_layers_ == 4 and clf.n_outputs_ == 3
    assert not hasattr(clf, "validation_loss_curve_")


def test_mlp_string_labels_and_sigmoid_alias(blobs):
    X, y = blobs
    labels = np.array(["elliptical", "irregular", "spiral"])[y]
    clf = NumpyMLPClassifier(
        (8,), activation="sigmoid", solver="cg", max_iter=40, tol=1e-2, random_state=0
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X, labels)
    assert_array_equal(clf.classes_, ["elliptical", "irregular", "spiral"])
    assert set(clf.predict(X)) <= set(labels)
    assert clf.score(X, labels) > 0.9


@ignore_convergence
@pytest.mark.parametrize("solver", ["sgd", "adam", "cg"])
def test_mlp_same_random_state_same_model(blobs, solver):
    X, y = blobs
    a = NumpyMLPClassifier((7,), solver=solver, max_iter=5, random_state=3).fit(X, y)
    b = NumpyMLPClassifier((7,), solver=solver, max_iter=5, random_state=3).fit(X, y)
    for Wa, Wb in zip(a.coefs_, b.coefs_):
        assert_array_equal(Wa, Wb)


# ------------------------------------------------------- input handling
@ignore_convergence
@pytest.mark.parametrize("channels", [None, 3])
def test_mlp_images_are_flattened(channels):
    X, y = _images(channels=channels)
    params = {"hidden_layer_sizes": (6,), "max_iter": 5, "random_state": 0}
    on_images = NumpyMLPClassifier(**params).fit(X, y)
    on_rows = NumpyMLPClassifier(**params).fit(X.reshape(len(X), -1), y)
    assert on_images.image_shape_ == X.shape[1:]
    assert on_images.n_features_in_ == np.prod(X.shape[1:])
    assert not hasattr(on_rows, "image_shape_")
    assert_allclose(on_images.predict_proba(X), on_rows.predict_proba(X))
    # images of another shape are refused with the fitted shape in the message
    with pytest.raises(ValueError, match="fitted on images of shape 8x8"):
        on_images.predict(X[:, :4])


@ignore_convergence
@pytest.mark.parametrize(
    "dtype, expected",
    [(np.uint8, np.float32), (np.float32, np.float32), (np.float64, np.float64)],
)
@pytest.mark.parametrize("images", [True, False])
def test_mlp_dtype_rule(dtype, expected, images):
    X, y = _images(n=40)
    if dtype == np.uint8:
        X = (X * 255).astype(np.uint8)
    else:
        X = X.astype(dtype)
    if not images:
        X = X.reshape(len(X), -1)
    clf = NumpyMLPClassifier((5,), max_iter=3, random_state=0).fit(X, y)
    assert all(W.dtype == expected for W in clf.coefs_)
    assert clf.predict_proba(X).dtype == expected
    if dtype == np.uint8:
        # uint8 is scaled to [0, 1]: the same model as on X / 255
        ref = NumpyMLPClassifier((5,), max_iter=3, random_state=0)
        ref.fit((X / 255).astype(np.float32), y)
        assert_allclose(clf.coefs_[0], ref.coefs_[0], rtol=1e-5, atol=1e-6)


@ignore_convergence
@pytest.mark.parametrize("solver", ["sgd", "adam", "cg"])
def test_mlp_flattened_uint8_images_fit_exactly_like_images(solver):
    # one conversion for both layouts, so they give the same model bit for bit
    X, y = _images(n=40)
    X = (X * 255).astype(np.uint8)
    params = {"solver": solver, "max_iter": 3, "random_state": 0}
    on_images = NumpyMLPClassifier((5,), **params).fit(X, y)
    on_rows = NumpyMLPClassifier((5,), **params).fit(X.reshape(len(X), -1), y)
    for W, W_rows in zip(on_images.coefs_, on_rows.coefs_):
        assert_array_equal(W, W_rows)
    assert on_images.loss_curve_ == on_rows.loss_curve_


@ignore_convergence
def test_mlp_in_pipeline_with_coarsen():
    from skgalaxy.preprocessing import Coarsen

    X, y = _images(n=40, size=16, channels=3)
    pipe = Pipeline(
        [
            ("coarsen", Coarsen(4)),
            ("mlp", NumpyMLPClassifier((5,), max_iter=5, random_state=0)),
        ]
    ).fit(X, y)
    assert pipe.named_steps["mlp"].image_shape_ == (4, 4, 3)
    assert pipe.predict(X).shape == (40,)


# ------------------------------------------------------ scikit-learn tools
@ignore_convergence
def test_mlp_grid_search(blobs):
    X, y = blobs
    grid = GridSearchCV(
        NumpyMLPClassifier(max_iter=20, learning_rate_init=0.01, random_state=0),
        {
            "hidden_layer_sizes": [(4,), (8, 4)],
            "activation": ["relu", "tanh"],
            "alpha": [1e-4, 1.0],
        },
        cv=2,
    ).fit(X, y)
    assert len(grid.cv_results_["params"]) == 8
    assert np.all(np.isfinite(grid.cv_results_["mean_test_score"]))
    assert grid.best_score_ > 0.8
    assert grid.best_estimator_.hidden_layer_sizes in [(4,), (8, 4)]


@ignore_convergence
@pytest.mark.parametrize("solver", ["sgd", "cg"])
def test_mlp_joblib_round_trip(blobs, tmp_path, solver):
    X, y = blobs
    clf = NumpyMLPClassifier((6,), solver=solver, max_iter=5, random_state=0)
    clf.fit(X, y)
    path = tmp_path / "mlp.joblib"
    joblib.dump(clf, path)
    loaded = joblib.load(path)
    assert_array_equal(loaded.predict_proba(X), clf.predict_proba(X))
    assert_array_equal(loaded.predict(X), clf.predict(X))
    # the optimiser state survives, so warm starts continue identically
    again = pickle.loads(pickle.dumps(clf))
    clf.set_params(warm_start=True, max_iter=2).fit(X, y)
    again.set_params(warm_start=True, max_iter=2).fit(X, y)
    assert_array_equal(again.coefs_[0], clf.coefs_[0])


# ------------------------------------------------ incremental training
def test_mlp_partial_fit(blobs):
    X, y = blobs
    clf = NumpyMLPClassifier((8,), solver="sgd", learning_rate_init=0.1, random_state=0)
    with pytest.raises(ValueError, match="classes must be passed on the first"):
        clf.partial_fit(X, y)
    clf.partial_fit(X[:50], y[:50], classes=[0, 1, 2])
    assert clf.n_iter_ == 1 and clf.t_ == 50
    for _ in range(20):
        clf.partial_fit(X, y)
    assert clf.n_iter_ == 21 and clf.t_ == 50 + 20 * len(X)
    assert clf.loss_curve_[-1] < clf.loss_curve_[1]
    assert clf.score(X, y) > 0.9
    with pytest.raises(ValueError, match="differs from the classes"):
        clf.partial_fit(X, y, classes=[0, 1])
    with pytest.raises(ValueError, match="not among the classes"):
        clf.partial_fit(X[:3], [0, 1, 7])


def test_mlp_partial_fit_equals_one_epoch_of_fit(blobs):
    X, y = blobs
    params = {
        "hidden_layer_sizes": (5,),
        "solver": "adam",
        "random_state": 0,
        "shuffle": False,
    }
    a = NumpyMLPClassifier(**params).partial_fit(X, y, classes=[0, 1, 2])
    b = NumpyMLPClassifier(max_iter=1, **params)
    with pytest.warns(ConvergenceWarning, match="maximum iterations"):
        b.fit(X, y)
    assert_allclose(a.coefs_[0], b.coefs_[0])


def test_mlp_partial_fit_needs_a_stochastic_solver(blobs):
    clf = NumpyMLPClassifier(solver="cg")
    assert not hasattr(clf, "partial_fit")
    with pytest.raises(AttributeError, match="has no attribute 'partial_fit'") as exc:
        clf.partial_fit(*blobs, classes=[0, 1, 2])
    assert "only available for the stochastic solvers" in str(exc.value.__cause__)


@ignore_convergence
@pytest.mark.parametrize("solver", ["sgd", "cg"])
def test_mlp_warm_start_continues(blobs, solver):
    X, y = blobs
    clf = NumpyMLPClassifier(
        (6,), solver=solver, max_iter=4, warm_start=True, random_state=0
    ).fit(X, y)
    first = [W.copy() for W in clf.coefs_]
    curve = list(clf.loss_curve_)
    clf.fit(X, y)
    assert 4 < clf.n_iter_ <= 8 and len(clf.loss_curve_) == clf.n_iter_
    assert clf.loss_curve_[:4] == curve
    # it started from the fitted weights: the new curve continues the old one
    assert clf.loss_curve_[4] < curve[0]
    cold = NumpyMLPClassifier((6,), solver=solver, max_iter=4, random_state=0).fit(X, y)
    assert_array_equal(cold.coefs_[0], first[0])
    assert not np.array_equal(clf.coefs_[0], first[0])
    with pytest.raises(ValueError, match="cannot change the architecture"):
        clf.set_params(hidden_layer_sizes=(3,)).fit(X, y)


# ------------------------------------------------------- early stopping
def test_mlp_early_stopping_restores_best_weights():
    # a big network on few noisy samples overfits: the validation loss rises
    rng = np.random.RandomState(0)
    X = rng.standard_normal((80, 20))
    y = (X[:, 0] + rng.standard_normal(80) > 0).astype(int)
    X_val = rng.standard_normal((200, 20))
    y_val = (X_val[:, 0] + rng.standard_normal(200) > 0).astype(int)
    clf = NumpyMLPClassifier(
        (64,),
        solver="adam",
        learning_rate_init=0.01,
        alpha=0.0,
        max_iter=300,
        early_stopping=True,
        n_iter_no_change=15,
        random_state=0,
    ).fit(X, y, validation_data=(X_val, y_val))
    curve = clf.validation_loss_curve_
    best = int(np.argmin(curve))
    assert best < len(curve) - 1  # it went on after the best epoch...
    # ...for at most the patience (an improvement under tol does not count)
    assert len(curve) <= best + 1 + 15
    assert clf.n_iter_ < 300
    assert len(clf.validation_score_curve_) == len(curve)
    # ...and the weights are those of the best epoch
    final = log_loss(y_val, clf.predict_proba(X_val))
    assert_allclose(final, curve[best], rtol=1e-10)
    assert_allclose(clf.best_validation_loss_, curve[best])
    assert final < curve[-1]


def test_mlp_early_stopping_split_and_cg(blobs):
    X, y = blobs
    clf = NumpyMLPClassifier(
        (6,),
        solver="cg",
        early_stopping=True,
        validation_fraction=0.2,
        max_iter=300,
        n_iter_no_change=5,
        tol=0.0,
        random_state=0,
    )
    clf.fit(X, y)
    assert len(clf.validation_loss_curve_) == clf.n_iter_ < 300
    best = int(np.argmin(clf.validation_loss_curve_))
    assert clf.n_iter_ == best + 1 + 5


def test_mlp_validation_data_is_monitored_without_early_stopping(blobs, capsys):
    X, y = blobs
    clf = NumpyMLPClassifier(
        (6,), solver="cg", max_iter=10, tol=0, verbose=1, random_state=0
    )
    with pytest.warns(ConvergenceWarning, match="cg: maximum iterations"):
        clf.fit(X[:100], y[:100], validation_data=(X[100:], y[100:]))
    assert len(clf.validation_loss_curve_) == len(clf.loss_curve_) == 10
    assert all(0 <= s <= 1 for s in clf.validation_score_curve_)
    out = capsys.readouterr().out
    assert "iter   1 | training loss:" in out and "validation accuracy:" in out


def test_mlp_verbose_prints_the_epoch_table(blobs, capsys):
    X, y = blobs
    clf = NumpyMLPClassifier(
        (4,), solver="sgd", max_iter=3, verbose=1, early_stopping=True, random_state=0
    )
    with pytest.warns(ConvergenceWarning):
        clf.fit(X, y)
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 3
    assert lines[0].startswith("epoch   1 | training loss: ")
    assert "validation accuracy: " in lines[0] and lines[0].endswith(" s")


@pytest.mark.parametrize("verbose", ["progress", 2])
def test_mlp_verbose_progress_bar(blobs, capsys, verbose):
    X, y = blobs
    clf = NumpyMLPClassifier((4,), max_iter=2, verbose=verbose, random_state=0)
    with pytest.warns(ConvergenceWarning):
        clf.fit(X, y)
    captured = capsys.readouterr()
    assert "2/2" in captured.err and captured.out == ""


# ------------------------------------------------------------ schedules
def test_mlp_adaptive_learning_rate_decreases(blobs):
    X, y = blobs
    clf = NumpyMLPClassifier(
        (4,),
        solver="sgd",
        learning_rate="adaptive",
        learning_rate_init=0.5,
        n_iter_no_change=2,
        tol=0.5,
        max_iter=30,
        random_state=0,
    ).fit(X, y)
    # the rate is divided by 5 after every 2 epochs without a 0.5 improvement
    assert clf._optimizer.learning_rate < 0.5 / 5**3
    assert clf.n_iter_ < 30


@ignore_convergence
def test_mlp_invscaling_learning_rate(blobs):
    X, y = blobs
    clf = NumpyMLPClassifier(
        (4,),
        solver="sgd",
        learning_rate="invscaling",
        learning_rate_init=0.5,
        power_t=0.5,
        max_iter=2,
        random_state=0,
    ).fit(X, y)
    assert_allclose(clf._optimizer.learning_rate, 0.5 / (2 * len(X) + 1) ** 0.5)


def test_mlp_stops_when_training_loss_plateaus(blobs):
    X, y = blobs
    clf = NumpyMLPClassifier(
        (4,), tol=10.0, n_iter_no_change=3, max_iter=50, random_state=0
    ).fit(X, y)
    # the first epoch sets the best loss; the next 3 do not improve it by 10
    assert clf.n_iter_ == 4


# -------------------------------------------------------------- weights
@ignore_convergence
def test_mlp_class_weight_shifts_predictions():
    X, y = make_blobs(200, centers=[[0, 0], [1, 1]], cluster_std=1.5, random_state=0)
    params = {
        "hidden_layer_sizes": (8,),
        "solver": "cg",
        "max_iter": 50,
        "random_state": 0,
    }
    plain = NumpyMLPClassifier(**params).fit(X, y)
    weighted = NumpyMLPClassifier(class_weight={0: 20.0, 1: 1.0}, **params).fit(X, y)
    frac_plain = np.mean(plain.predict(X) == 0)
    frac_weighted = np.mean(weighted.predict(X) == 0)
    assert frac_weighted > frac_plain + 0.2
    # "balanced" on imbalanced classes favours the rare class
    Xi, yi = X[:120], np.r_[np.zeros(100, int), np.ones(20, int)]
    rare_plain = np.mean(NumpyMLPClassifier(**params).fit(Xi, yi).predict(Xi) == 1)
    balanced = NumpyMLPClassifier(class_weight="balanced", **params).fit(Xi, yi)
    assert np.mean(balanced.predict(Xi) == 1) > rare_plain


@ignore_convergence
def test_mlp_zero_sample_weight_equals_dropping_samples(blobs):
    # full-batch cg with alpha=0: a zero weight is the same as no sample
    X, y = blobs
    sw = np.ones(len(X))
    sw[::3] = 0
    params = {
        "hidden_layer_sizes": (5,),
        "solver": "cg",
        "alpha": 0.0,
        "max_iter": 15,
        "random_state": 0,
    }
    weighted = NumpyMLPClassifier(**params).fit(X, y, sample_weight=sw)
    dropped = NumpyMLPClassifier(**params).fit(X[sw > 0], y[sw > 0])
    assert_allclose(weighted.predict_proba(X), dropped.predict_proba(X), rtol=1e-6)


@ignore_convergence
def test_mlp_sample_weight_scales_the_loss(blobs):
    X, y = blobs
    sw = np.where(y == 0, 10.0, 1.0)
    clf = NumpyMLPClassifier((5,), solver="cg", max_iter=5, random_state=0)
    clf.fit(X, y, sample_weight=sw)
    ref = NumpyMLPClassifier((5,), solver="cg", max_iter=5, random_state=0)
    ref.fit(X, y, sample_weight=3 * sw)  # only relative weights matter
    assert_allclose(clf.loss_curve_, ref.loss_curve_, rtol=1e-10)


def test_mlp_weights_leaving_one_class_are_refused(blobs):
    X, y = blobs
    with pytest.raises(ValueError, match="fewer than 2 classes with a positive"):
        NumpyMLPClassifier().fit(X, y, sample_weight=(y == 1).astype(float))


# ------------------------------------------------------------ divergence
@pytest.mark.parametrize("solver, lr", [("sgd", 1e25), ("adam", 1e36)])
def test_mlp_divergence_raises_and_keeps_the_model(blobs, solver, lr):
    X, y = blobs
    X = (X * 1e4).astype(np.float32)
    clf = NumpyMLPClassifier(
        (8,),
        solver=solver,
        momentum=0.0,
        max_iter=2,
        learning_rate_init=1e-12,
        warm_start=True,
        random_state=0,
    )
    with pytest.warns(ConvergenceWarning):
        clf.fit(X, y)
    before = [W.copy() for W in clf.coefs_]
    curve = list(clf.loss_curve_)
    clf.set_params(learning_rate_init=lr, max_iter=50)
    pattern = (
        r"training diverged at epoch \d+: .* \("
        rf"learning_rate_init={re.escape(f'{lr:g}')}, first batch loss"
    )
    with pytest.raises(ValueError, match=pattern):
        clf.fit(X, y)
    for W, W0 in zip(clf.coefs_, before):
        assert_array_equal(W, W0)
    assert clf.loss_curve_ == curve
    assert clf.n_iter_ == 2


def test_mlp_divergence_on_a_fresh_fit_leaves_it_unfitted(blobs):
    X, y = blobs
    clf = NumpyMLPClassifier((8,), solver="sgd", momentum=0, learning_rate_init=1e30)
    with pytest.raises(ValueError, match=r"\(learning_rate_init=1e\+30, first"):
        clf.fit(X * 1e6, y)
    with pytest.raises(NotFittedError):
        clf.predict(X)


# ------------------------------------------------------------ bad input
@pytest.mark.parametrize(
    "params, error, match",
    [
        ({"hidden_layer_sizes": (4, 0)}, ValueError, r"hidden_layer_sizes\[1\] == 0"),
        ({"hidden_layer_sizes": 0}, InvalidParameterError, "'hidden_layer_sizes'"),
        (
            {"hidden_layer_sizes": (4, 2.5)},
            TypeError,
            r"hidden_layer_sizes\[1\] must be an instance of int, not float",
        ),
        ({"activation": "softplus"}, InvalidParameterError, "'activation' parameter"),
        ({"solver": "lbfgs"}, InvalidParameterError, "'solver' parameter"),
        ({"loss": "hinge"}, InvalidParameterError, "'loss' parameter"),
        ({"alpha": -1.0}, InvalidParameterError, "'alpha' parameter"),
        ({"learning_rate_init": 0.0}, InvalidParameterError, "'learning_rate_init'"),
        ({"momentum": 1.0}, InvalidParameterError, "'momentum' parameter"),
        ({"batch_size": 0}, InvalidParameterError, "'batch_size' parameter"),
        ({"verbose": "loud"}, InvalidParameterError, "'verbose' parameter"),
        ({"class_weight": "uniform"}, InvalidParameterError, "'class_weight'"),
    ],
)
def test_mlp_bad_parameters(blobs, params, error, match):
    with pytest.raises(error, match=match):
        NumpyMLPClassifier(**params).fit(*blobs)


def test_mlp_bad_inputs(blobs):
    X, y = blobs
    clf = NumpyMLPClassifier((4,), max_iter=1)
    with pytest.raises(ValueError, match="only one class"):
        clf.fit(X, np.zeros(len(X)))
    with pytest.raises(ValueError, match="Unknown label type"):
        clf.fit(X, np.linspace(0, 1, len(X)))
    with pytest.raises(ValueError, match="3-D or 4-D array of images"):
        clf.fit(np.zeros((4, 2, 2, 2, 2)), [0, 1, 0, 1])
    with pytest.raises(ValueError, match="contains NaN"):
        clf.fit(np.full((4, 3, 3), np.nan), [0, 1, 0, 1])
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        clf.fit(X, y[:-1])
    with pytest.raises(ValueError, match="zero"):
        clf.fit(X, y, sample_weight=np.zeros(len(X)))
    with pytest.raises(ValueError, match="validation_data must be a tuple"):
        clf.fit(X, y, validation_data=X)
    with pytest.raises(ValueError, match="not in the training classes"):
        clf.fit(X, y, validation_data=(X, y + 5))
    with pytest.raises(ValueError, match="early_stopping could not hold out"):
        NumpyMLPClassifier(early_stopping=True).fit(X[:4], [0, 1, 2, 2])
    with pytest.raises(ValueError, match="class_weight='balanced' is not supported"):
        NumpyMLPClassifier(class_weight="balanced").partial_fit(X, y, classes=[0, 1, 2])
    with pytest.warns(ConvergenceWarning):
        clf.fit(X, y)
    with pytest.raises(ValueError, match="X has 5 features"):
        clf.predict(X[:, :5])


# ------------------------------------------------------------ real data
@ignore_convergence
def test_mlp_short_fit_on_mocz_galaxies(shared_data):
    path = shared_data / "mocz_galaxy32" / "mocz_galaxy32.npz"
    if not path.exists():
        pytest.skip(f"{path} not found")
    with np.load(path) as data:
        X, y = data["X_train"], data["y_train"]
        X_test, y_test = data["X_test"], data["y_test"]
    order = np.random.RandomState(0).permutation(len(y))  # stored sorted by class
    X, y = X[order][:900], y[order][:900]  # a short fit: 900 images
    clf = NumpyMLPClassifier(
        (8,),
        activation="sigmoid",
        solver="cg",
        alpha=1.0,
        loss="binary_log_loss",
        max_iter=100,
        random_state=0,
    )
    clf.fit(X, y, validation_data=(X_test, y_test))
    assert clf.image_shape_ == (32, 32)
    assert clf.coefs_[0].dtype == np.float32
    assert clf.loss_curve_[-1] < clf.loss_curve_[0]
    assert clf.score(X_test, y_test) > 0.45  # chance is 1/3; 600 iterations: 74%


@ignore_convergence
@pytest.mark.parametrize(
    "sizes, shapes",
    [
        ((), [(6, 3)]),
        (5, [(6, 5), (5, 3)]),
        (np.array([4, 2]), [(6, 4), (4, 2), (2, 3)]),
    ],
)
def test_mlp_hidden_layer_sizes_forms(blobs, sizes, shapes):
    # () is a linear softmax model; an int is one hidden layer
    clf = NumpyMLPClassifier(sizes, max_iter=2, random_state=0).fit(*blobs)
    assert [W.shape for W in clf.coefs_] == shapes


@ignore_convergence
@pytest.mark.parametrize("loss", LOSSES)
def test_mlp_probabilities_stay_finite_for_extreme_logits(blobs, loss):
    X, y = blobs
    clf = NumpyMLPClassifier((4,), loss=loss, max_iter=2, random_state=0).fit(X, y)
    clf.coefs_[-1] *= 1e6  # logits of order 1e6: exp overflows without care
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no overflow warnings either
        proba = clf.predict_proba(X)
        log_proba = clf.predict_log_proba(X)
    assert np.all(np.isfinite(proba))
    assert not np.any(np.isnan(log_proba))
    assert_allclose(np.exp(log_proba), proba)
    assert_allclose(proba.sum(axis=1), 1.0)
    assert_array_equal(clf.classes_[proba.argmax(axis=1)], clf.predict(X))


@pytest.mark.parametrize(
    "activation, bound",
    [
        ("relu", np.sqrt(6 / 400)),  # He
        ("leaky_relu", np.sqrt(6 / 400)),
        ("tanh", np.sqrt(6 / 700)),  # Glorot
        ("logistic", np.sqrt(2 / 700)),  # scikit-learn's Glorot for the sigmoid
    ],
)
def test_mlp_initialisation_suits_the_activation(activation, bound):
    sizes = [400, 300, 10]
    coefs, intercepts = core.init_params(
        sizes, activation, np.random.RandomState(0), np.float32
    )
    W = coefs[0]
    assert W.dtype == np.float32 and W.shape == (400, 300)
    assert np.abs(W).max() <= bound
    assert np.abs(W).max() > 0.99 * bound
    assert_allclose(W.std(), bound / np.sqrt(3), rtol=0.02)  # uniform on +-bound
    assert np.abs(coefs[1]).max() <= np.sqrt(6 / 310)  # Glorot output layer
    assert all(np.all(b == 0) for b in intercepts)
