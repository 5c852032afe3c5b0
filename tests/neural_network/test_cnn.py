"""CNNRegressor and CNNClassifier: fitting, contract, persistence, bad input.

Networks are tiny (ResNets of 2 stages, 4 filters wide) and images 12x12, so the
file runs in seconds on one CPU thread; fitted nets are shared through
module-scoped fixtures.
"""

import pickle
import sys
import warnings

import joblib
import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("skorch")

from numpy.testing import assert_allclose, assert_array_equal  # noqa: E402
from sklearn.base import clone  # noqa: E402
from sklearn.model_selection import GridSearchCV  # noqa: E402
from sklearn.utils.class_weight import compute_class_weight  # noqa: E402
from skorch.dataset import ValidSplit  # noqa: E402
from skorch.exceptions import DeviceWarning  # noqa: E402

from skgalaxy.neural_network import CNNClassifier, CNNRegressor  # noqa: E402

# Tiny and fp32 (the image checks' tolerances hold for float32), with a
# validation split so the history has validation metrics to check.
TINY = {
    "module__n_blocks": 2,
    "module__width": 4,
    "module__stem_stride": 1,
    "batch_size": 16,
    "max_epochs": 2,
    "train_split": ValidSplit(5),
    "augment": False,
    "mixed_precision": False,
    "random_state": 0,
}
LABELS = np.array(["elliptical", "spiral", "merger"])
needs_cuda = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")


@pytest.fixture(scope="module")
def images():
    rng = np.random.default_rng(0)
    X = rng.integers(0, 256, size=(40, 12, 12), dtype=np.uint8)
    # a learnable signal: bright centres go with high first targets / one class
    X[:20, 4:8, 4:8] = 250
    y = rng.random((40, 3)).astype(np.float32) * 0.2
    y[:20, 0] += 0.7
    labels = np.where(np.arange(40) < 20, "elliptical", "spiral").astype(object)
    labels[::7] = "merger"
    return X, y, labels


@pytest.fixture(scope="module")
def regressor(images):
    X, y, _ = images
    return CNNRegressor(**TINY).fit(X, y)


@pytest.fixture(scope="module")
def classifier(images):
    X, _, labels = images
    return CNNClassifier(**TINY).fit(X, labels)


# ------------------------------------------------------------------ basics
def test_regressor_predicts_in_unit_interval_with_history(regressor, images):
    X, y, _ = images
    pred = regressor.predict(X)
    assert pred.shape == y.shape and pred.dtype == np.float32
    assert (pred > 0).all() and (pred < 1).all()
    assert len(regressor.history_) == 2
    for key in ("train_loss", "valid_loss", "train_rmse", "valid_rmse", "dur"):
        assert key in regressor.history_[-1]
    assert regressor.image_shape_ == (12, 12) and regressor.n_outputs_ == 3


def test_regressor_valid_rmse_is_the_kaggle_rmse_of_the_validation_fold(
    regressor, images
):
    # ValidSplit(5) without stratification holds out the first fifth.
    X, y, _ = images
    pred = regressor.predict(X[:8])
    expected = np.sqrt(np.mean((pred - y[:8]) ** 2))
    assert_allclose(regressor.history_[-1, "valid_rmse"], expected, rtol=1e-5)


def test_regressor_1d_targets_give_1d_predictions(images):
    X, y, _ = images
    reg = CNNRegressor(**{**TINY, "max_epochs": 1}).fit(X, y[:, 0])
    assert reg.predict(X[:3]).shape == (3,)


def test_classifier_labels_of_any_type(classifier, images):
    X, _, labels = images
    assert_array_equal(classifier.classes_, ["elliptical", "merger", "spiral"])
    pred = classifier.predict(X)
    assert set(pred) <= set(classifier.classes_)
    proba = classifier.predict_proba(X)
    assert proba.shape == (40, 3)
    assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-5)
    assert_array_equal(pred, classifier.classes_[proba.argmax(axis=1)])
    for key in ("train_accuracy", "valid_accuracy"):
        assert 0 <= classifier.history_[-1, key] <= 1
    assert 0 <= classifier.score(X, labels) <= 1


def test_classifier_integer_labels(images):
    X, _, _ = images
    y = np.tile([3, 7], 20)
    clf = CNNClassifier(**{**TINY, "max_epochs": 1}).fit(X, y)
    assert_array_equal(clf.classes_, [3, 7])
    assert set(clf.predict(X)) <= {3, 7}


def test_classifier_class_weight(images):
    X, _, labels = images
    clf = CNNClassifier(**{**TINY, "max_epochs": 1}, class_weight="balanced")
    clf.fit(X, labels)
    codes = np.searchsorted(clf.classes_, labels)
    expected = compute_class_weight("balanced", classes=np.arange(3), y=codes)
    assert_allclose(clf.criterion_.weight.numpy(), expected, rtol=1e-6)
    clf.set_params(class_weight={"merger": 5.0}).fit(X, labels)
    assert_allclose(clf.criterion_.weight.numpy(), [1, 5, 1])


def test_fit_is_reproducible_and_leaves_global_rng_alone(regressor, images):
    X, y, _ = images
    state = torch.random.get_rng_state()
    again = clone(regressor).fit(X, y)
    assert torch.equal(torch.random.get_rng_state(), state)
    assert_array_equal(again.predict(X), regressor.predict(X))
    other = clone(regressor).set_params(random_state=1).fit(X, y)
    assert not np.array_equal(other.predict(X), regressor.predict(X))


def test_uint8_and_float_images_train_the_same_network(regressor, images):
    X, y, _ = images
    floats = clone(regressor).fit(X.astype(np.float32) / 255, y)
    assert_allclose(floats.predict(X / np.float32(255)), regressor.predict(X), 1e-4)


def test_color_images_channels_last(images):
    X, y, _ = images
    rgb = np.stack([X, X // 2, X // 3], axis=-1)
    reg = CNNRegressor(**{**TINY, "max_epochs": 1}).fit(rgb, y)
    assert reg.module_.stem[0].in_channels == 3
    assert reg.predict(rgb[:2]).shape == (2, 3)


# ------------------------------------------------------------------ options
def test_tta_predictions_are_invariant_to_flips_and_quarter_turns(images):
    X, y, _ = images
    reg = CNNRegressor(**TINY, tta=True).fit(X, y)
    pred = reg.predict(X[:6])
    assert_allclose(reg.predict(X[:6, ::-1, :]), pred, atol=1e-5)
    assert_allclose(reg.predict(np.rot90(X[:6], axes=(1, 2))), pred, atol=1e-5)
    reg.set_params(tta=False)
    assert not np.allclose(reg.predict(X[:6, ::-1, :]), reg.predict(X[:6]), atol=1e-5)


def test_augment_changes_training_not_prediction(regressor, images):
    X, y, _ = images
    aug = clone(regressor).set_params(augment=True).fit(X, y)
    assert not np.allclose(aug.predict(X), regressor.predict(X))
    assert_array_equal(aug.predict(X), aug.predict(X))


def test_early_stopping_lr_schedule_and_clipping(images):
    X, y, _ = images
    plain = {k: v for k, v in TINY.items() if not k.startswith("module__")}
    reg = CNNRegressor(
        **{**plain, "max_epochs": 6},
        module="convnet",
        module__n_blocks=2,
        module__filters=4,
        lr=0.0,
        module__batch_norm=False,
        early_stopping=1,
        lr_schedule="plateau",
        clip_grad_norm=0.5,
    ).fit(X, y)
    # lr=0 and no batch norm: the validation loss never improves after epoch 1
    assert len(reg.history_) == 2
    names = dict(reg.callbacks_)
    assert names["clip_grad_norm"].gradient_clip_value == 0.5
    cos = CNNRegressor(**{**TINY, "train_split": None}, lr_schedule="cosine").fit(X, y)
    assert cos.optimizer_.param_groups[0]["lr"] < 1e-3


def test_checkpoint_resumes_an_interrupted_fit(images, tmp_path):
    X, y, _ = images
    first = CNNRegressor(**{**TINY, "max_epochs": 1}, checkpoint=tmp_path).fit(X, y)
    assert (tmp_path / "checkpoint.pt").is_file()
    resumed = clone(first).set_params(max_epochs=3).fit(X, y)
    assert len(resumed.history_) == 3
    assert resumed.history_[0, "train_loss"] == first.history_[0, "train_loss"]
    # a finished fit resumed again trains no further epoch
    done = clone(resumed).fit(X, y)
    assert len(done.history_) == 3
    assert_allclose(done.predict(X), resumed.predict(X), rtol=1e-6)


def test_verbose_prints_the_resolved_device_and_the_epoch_table(images, capsys):
    X, y, _ = images
    CNNRegressor(**{**TINY, "max_epochs": 1}, verbose=1).fit(X, y)
    out = capsys.readouterr().out
    assert "device='auto' resolved to 'cpu'" in out
    assert "valid_rmse" in out


def test_dataloader_workers(images):
    X, y, _ = images
    reg = CNNRegressor(**{**TINY, "max_epochs": 1}, iterator_train__num_workers=1).fit(
        X, y
    )
    assert reg.predict(X[:2]).shape == (2, 3)


def test_mixed_precision_auto_falls_back_to_fp32_without_native_bf16(
    monkeypatch, regressor, images
):
    from skgalaxy.neural_network import _cnn

    X, y, _ = images
    monkeypatch.setattr(_cnn, "bf16_supported", lambda device_type="cpu": False)
    auto = clone(regressor).set_params(mixed_precision="auto").fit(X, y)
    assert auto._autocast_dtype() is None
    assert_array_equal(auto.predict(X), regressor.predict(X))
    monkeypatch.setattr(_cnn, "bf16_supported", lambda device_type="cpu": True)
    assert auto._autocast_dtype() == torch.bfloat16


@pytest.mark.parametrize(
    "capability, layout",
    [("AVX512", "channels_last"), ("AVX2", "contiguous_format"), ("DEFAULT", None)],
)
def test_channels_last_only_on_cpus_whose_kernels_run_it(
    monkeypatch, capability, layout
):
    # An AVX2-only CPU (AMD Zen 1) crashed in channels-last backward passes.
    from skgalaxy.neural_network import _cnn

    monkeypatch.setattr(torch.backends.cpu, "get_cpu_capability", lambda: capability)
    assert _cnn.memory_format("cpu") is getattr(torch, layout or "contiguous_format")
    assert _cnn.memory_format("cuda") is torch.channels_last


def test_fitted_network_is_in_the_layout_of_its_device(regressor, images):
    from skgalaxy.neural_network import _cnn

    X, _, _ = images
    layout = _cnn.memory_format("cpu")
    weights = [p for p in regressor.module_.parameters() if p.dim() == 4]
    assert weights and all(w.is_contiguous(memory_format=layout) for w in weights)
    assert np.isfinite(regressor.predict(X)).all()


def test_bf16_regressor_stays_close_to_fp32(regressor, images):
    # bfloat16 keeps 8 bits of mantissa: outputs agree to about 1e-2, not 1e-6
    X, y, _ = images
    bf16 = clone(regressor).set_params(mixed_precision="bf16").fit(X, y)
    pred = bf16.predict(X)
    assert pred.dtype == np.float32 and np.isfinite(pred).all()
    assert_allclose(pred, regressor.predict(X), atol=0.03)
    assert not np.array_equal(pred, regressor.predict(X))


def test_bf16_classifier_stays_close_to_fp32(classifier, images):
    X, _, labels = images
    bf16 = clone(classifier).set_params(mixed_precision=True).fit(X, labels)
    proba = bf16.predict_proba(X)
    assert proba.dtype == np.float32
    assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-5)
    assert_allclose(proba, classifier.predict_proba(X), atol=0.05)


# ------------------------------------------------------------------ device
def test_device_auto_resolves_from_cuda_availability(monkeypatch, images):
    X, y, _ = images
    reg = CNNRegressor(**TINY)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "get_device_name", lambda *a: "FakeGPU")
    reg._resolve_device()
    assert reg.device == "cuda" and reg.get_params()["device"] == "auto"
    twin = clone(reg)
    assert twin.get_params()["device"] == "auto" and not hasattr(twin, "device_")
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    cpu = CNNRegressor(**{**TINY, "max_epochs": 1}).fit(X, y)
    assert cpu.device == "cpu" and cpu.device_ == "cpu"
    # fit resolves the device without overwriting the parameter the user gave
    assert cpu.get_params()["device"] == "auto" and vars(cpu)["device"] == "auto"
    cpu.set_params(device="cpu")
    assert cpu.get_params()["device"] == "cpu" and not hasattr(cpu, "device_")


@pytest.mark.skipif(torch.cuda.is_available(), reason="checks the CPU fallback")
def test_cuda_pickle_loads_on_a_cpu_machine_with_a_warning(regressor, images):
    X, _, _ = images
    expected = regressor.predict(X)
    # what a net fitted with device="auto" on a GPU records
    state = pickle.dumps(regressor)
    cuda_state = state.replace(b"\x8c\x03cpu", b"\x8c\x04cuda", 1)
    assert cuda_state != state
    with pytest.warns(DeviceWarning) as record:
        loaded = pickle.loads(cuda_state)
    assert any("no CUDA devices are available" in str(w.message) for w in record)
    assert str(loaded.device) == "cpu"
    assert_array_equal(loaded.predict(X), expected)


@needs_cuda
def test_cuda_fit_channels_last_bf16_and_pickle(images):
    X, y, _ = images
    reg = CNNRegressor(**TINY, device="auto", mixed_precision=True, augment=True)
    reg.fit(X, y)
    assert reg.device == "cuda" and next(reg.module_.parameters()).is_cuda
    weight = reg.module_.features[0].weight
    assert weight.is_contiguous(memory_format=torch.channels_last)
    assert reg.set_params(tta=True).predict(X).shape == (40, 3)
    reg.set_params(tta=False)
    pred = reg.predict(X)
    assert np.isfinite(pred).all()
    reg.set_params(mixed_precision=False)
    loaded = pickle.loads(pickle.dumps(reg))
    assert_allclose(loaded.predict(X), reg.predict(X), rtol=1e-5)


# ------------------------------------------------------------------ contract
def test_pickle_and_joblib_round_trips(classifier, images, tmp_path):
    X, _, _ = images
    expected = classifier.predict_proba(X)
    loaded = pickle.loads(pickle.dumps(classifier))
    assert_array_equal(loaded.predict_proba(X), expected)
    joblib.dump(classifier, tmp_path / "clf.joblib")
    loaded = joblib.load(tmp_path / "clf.joblib")
    assert_array_equal(loaded.predict_proba(X), expected)
    assert_array_equal(loaded.classes_, classifier.classes_)


def test_get_params_set_params_and_module_routing(images):
    X, y, _ = images
    reg = CNNRegressor(**{**TINY, "max_epochs": 1})
    params = reg.get_params()
    assert params["module__n_blocks"] == 2 and params["device"] == "auto"
    reg.set_params(module__n_blocks=3, module__activation="tanh").fit(X, y)
    convs = [m for m in reg.module_.modules() if isinstance(m, torch.nn.Conv2d)]
    assert len(convs) == 1 + 3 * 2 + 2  # stem, two per block, two projections
    assert any(isinstance(m, torch.nn.Tanh) for m in reg.module_.modules())
    twin = clone(reg)
    assert twin.get_params()["module__n_blocks"] == 3
    assert not hasattr(twin, "module_")


def test_module_by_preset_name_and_class(images):
    from skgalaxy.neural_network import AlexNetLike

    X, _, labels = images
    small = {"module__hidden_units": (8,), "max_epochs": 1, "random_state": 0}
    by_name = CNNClassifier("alexnet_like", **small).fit(X, labels)
    by_class = CNNClassifier(AlexNetLike, **small).fit(X, labels)
    assert isinstance(by_name.module_, AlexNetLike)
    assert_array_equal(by_name.predict_proba(X), by_class.predict_proba(X))
    with pytest.raises(ValueError, match="Unknown module preset 'lenet'"):
        CNNClassifier("lenet", max_epochs=1).fit(X, labels)


def test_alexnet_like_grid_of_twelve_networks_in_one_grid_search(images):
    X, _, labels = images
    clf = CNNClassifier(
        "alexnet_like",
        module__hidden_units=(8, 8),
        max_epochs=1,
        batch_size=16,
        train_split=None,
        random_state=0,
    )
    grid = {
        "module__activation": ["relu", "tanh", "sigmoid", "elu"],
        "module__n_extra_conv": [0, 1, 3],
    }
    search = GridSearchCV(clf, grid, cv=2).fit(X[:24], labels[:24])
    assert len(search.cv_results_["params"]) == 12
    assert np.isfinite(search.cv_results_["mean_test_score"]).all()
    assert (search.cv_results_["mean_fit_time"] > 0).all()
    best = search.best_estimator_.module_
    n_conv = sum(isinstance(m, torch.nn.Conv2d) for m in best.features)
    assert n_conv == 2 + search.best_params_["module__n_extra_conv"]


def test_tags():
    tags = CNNClassifier().__sklearn_tags__()
    assert tags.input_tags.three_d_array and not tags.input_tags.two_d_array
    assert CNNRegressor().__sklearn_tags__().target_tags.multi_output


def test_missing_torch_extra_is_named(monkeypatch):
    import skgalaxy.neural_network as nn_package

    monkeypatch.setitem(sys.modules, "skorch", None)
    with pytest.raises(ImportError, match=r"skgalaxy\[torch\]"):
        nn_package.CNNClassifier  # noqa: B018


# ------------------------------------------------------------------ tree head
def test_tree_output_is_consistent_with_the_decision_tree(images):
    from skgalaxy.datasets import normalize_votes, tree_consistency_error

    X, _, _ = images
    rng = np.random.default_rng(1)
    votes = normalize_votes(rng.random((40, 37))).astype(np.float32)
    reg = CNNRegressor(**{**TINY, "max_epochs": 1}, output="tree").fit(X, votes)
    pred = reg.predict(X)
    assert pred.shape == (40, 37)
    assert np.max(tree_consistency_error(pred)) < 1e-5


# ------------------------------------------------------------------ bad input
@pytest.mark.parametrize(
    "make_X, error, match",
    [
        (lambda X: X[:, :, 0], ValueError, "must be a 3-D or 4-D array"),
        (lambda X: X[..., None, None], ValueError, "must be a 3-D or 4-D array"),
        (
            lambda X: np.where(np.arange(12) == 3, np.nan, X / 255.0),
            ValueError,
            "contains NaN",
        ),
        (
            lambda X: np.where(np.arange(12) == 3, np.inf, X / 255.0),
            ValueError,
            "contains infinity",
        ),
        (lambda X: X.astype(str), TypeError, "numeric dtype"),
    ],
)
def test_bad_images_fail_before_training(images, make_X, error, match):
    X, y, _ = images
    reg = CNNRegressor(**TINY)
    with pytest.raises(error, match=match):
        reg.fit(make_X(X), y)
    assert not reg.initialized_


@pytest.mark.parametrize(
    "kwargs, make_y, match",
    [
        ({}, lambda y: y[:-1], "40 images but y has 39 targets"),
        ({}, lambda y: y[:, :, None], "y must be 1-D .* or 2-D"),
        (
            {"output": "sigmoid"},
            lambda y: y + 1.5,
            r"predicts values in \[0, 1\] but y ranges",
        ),
        ({"output": "tree"}, lambda y: y, "needs the 37 Galaxy Zoo vote fractions"),
        ({"output": "tree"}, lambda y: np.full((40, 37), 2.0), r"in \[0, 1\]"),
        ({}, lambda y: np.where(y > 0.5, np.nan, y), "y contains NaN"),
        ({"output": "softmax"}, lambda y: y, "'output' parameter of CNNRegressor"),
        ({"augment": {"spin": 1}}, lambda y: y, "Unknown augment option"),
        ({"lr_schedule": "fast"}, lambda y: y, "'lr_schedule' parameter of"),
        ({"early_stopping": 0}, lambda y: y, "'early_stopping' parameter of"),
        ({"clip_grad_norm": -1}, lambda y: y, "'clip_grad_norm' parameter of"),
        ({"max_epochs": -1}, lambda y: y, "'max_epochs' parameter of"),
        ({"batch_size": 0}, lambda y: y, "'batch_size' parameter of"),
        ({"tta": "yes"}, lambda y: y, "'tta' parameter of"),
        ({"mixed_precision": "fp8"}, lambda y: y, "'mixed_precision' parameter of"),
        ({"module__in_channels": 3}, lambda y: y, "module__in_channels=3 does not"),
    ],
)
def test_bad_targets_and_parameters_fail_before_training(images, kwargs, make_y, match):
    X, y, _ = images
    reg = CNNRegressor(**{**TINY, **kwargs})
    with pytest.raises((ValueError, TypeError), match=match):
        reg.fit(X, make_y(y))
    assert not reg.initialized_


def test_images_too_small_for_the_depth(images):
    X, y, _ = images
    with pytest.raises(ValueError, match=r"12x12 pixels are too small for n_blocks=5"):
        CNNRegressor(**{**TINY, "module__n_blocks": 5}).fit(X, y)
    with pytest.raises(ValueError, match=r"too small for GalaxyZooNet.*146"):
        CNNRegressor("galaxyzoo", max_epochs=1).fit(X, y)


def test_predict_checks_image_shape_and_fitted(regressor, images):
    X, _, _ = images
    with pytest.raises(ValueError, match="fitted on images of shape 12x12"):
        regressor.predict(np.zeros((2, 10, 12), dtype=np.uint8))
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        CNNRegressor().predict(X)


def test_classifier_labels_unseen_at_fit(classifier, images):
    X, _, labels = images
    with pytest.raises(ValueError, match=r"label\(s\) \['barred'\] unseen at fit"):
        classifier.partial_fit(X[:4], np.array(["barred", "spiral"] * 2))
    with pytest.raises(ValueError, match=r"label\(s\) \['lens'\] unseen at fit"):
        CNNClassifier(**TINY, class_weight={"lens": 2.0}).fit(X, labels)
    with pytest.raises(ValueError, match=r"label\(s\) \['merger'\] unseen at fit"):
        CNNClassifier(**TINY, classes=["elliptical", "spiral"]).fit(X, labels)
    with pytest.raises(ValueError, match="needs at least 2"):
        CNNClassifier(**TINY).fit(X, np.zeros(40))
    with pytest.raises(ValueError, match="1-D array of class labels"):
        CNNClassifier(**TINY).fit(X, np.zeros((40, 2)))


def test_classifier_partial_fit_continues_training(images):
    X, _, labels = images
    clf = CNNClassifier(**{**TINY, "max_epochs": 1}).fit(X, labels)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        clf.partial_fit(X, labels)
    assert len(clf.history_) == 2


def test_regressor_output_bias_starts_at_the_target_mean(images):
    X, y, _ = images
    # lr=0: the output layer's bias stays where it was initialised
    reg = CNNRegressor(**{**TINY, "max_epochs": 1, "train_split": None}, lr=0.0)
    reg.fit(X, y)
    bias = reg.module_.head.bias.detach().numpy()
    mean = np.clip(y.mean(axis=0), 1e-3, 1 - 1e-3)
    assert_allclose(bias, np.log(mean / (1 - mean)), rtol=1e-5)
    linear = clone(reg).set_params(output="linear").fit(X, y)
    assert_allclose(linear.module_.head.bias.detach().numpy(), y.mean(axis=0))


def test_safe_persistence_round_trip(classifier, images, tmp_path):
    pytest.importorskip("skops")
    pytest.importorskip("safetensors")
    from skgalaxy import persistence

    X, _, _ = images
    persistence.save(classifier, tmp_path / "clf.skg")
    loaded = persistence.load(tmp_path / "clf.skg")
    assert_array_equal(loaded.predict_proba(X), classifier.predict_proba(X))
    assert_array_equal(loaded.classes_, classifier.classes_)
    assert loaded.get_params()["device"] == "auto"


@pytest.mark.skipif(torch.cuda.is_available(), reason="checks a CPU-only machine")
def test_explicit_cuda_device_without_cuda_is_a_clear_error(images):
    X, y, _ = images
    reg = CNNRegressor(**TINY, device="cuda")
    with pytest.raises(ValueError, match="CUDA is not available on this machine"):
        reg.fit(X, y)
    assert not reg.initialized_


def test_get_params_and_repr_work_before_fit_validates_bad_parameters(images):
    # skorch's get_params(deep=True) builds the default callbacks: it must not
    # raise on parameters that fit will refuse, nor hide a bug by returning []
    X, y, _ = images
    reg = CNNRegressor(
        **{**TINY, "max_epochs": "ten"}, lr_schedule="cosine", early_stopping=3
    )
    params = reg.get_params(deep=True)
    assert "callbacks__lr_schedule__policy" in params
    assert "callbacks__early_stopping__patience" in params
    assert "CNNRegressor" in repr(reg)
    with pytest.raises(ValueError, match="'max_epochs' parameter of CNNRegressor"):
        reg.fit(X, y)


# ------------------------------------------------------ failures and interrupts
class _InterruptAfter:
    """A callback that raises KeyboardInterrupt after ``epochs`` epochs."""

    def __new__(cls, epochs):
        from skorch.callbacks import Callback

        class Interrupt(Callback):
            def on_epoch_end(self, net, **kwargs):
                if len(net.history) >= epochs:
                    raise KeyboardInterrupt

        return Interrupt()


def test_interrupted_fit_raises_instead_of_returning_a_half_trained_model(images):
    X, y, _ = images
    reg = CNNRegressor(
        **{**TINY, "max_epochs": 5}, callbacks=[("stop", _InterruptAfter(2))]
    )
    with pytest.raises(KeyboardInterrupt):
        reg.fit(X, y)
    assert len(reg.history_) == 2  # skorch's cleanup ran; the fit did not "finish"
    with pytest.raises(KeyboardInterrupt):
        reg.partial_fit(X, y)


@pytest.mark.parametrize("estimator", ["classifier", "regressor"])
def test_divergence_stops_with_an_error_naming_the_learning_rate(estimator, images):
    X, y, labels = images
    cls, target = (
        (CNNClassifier, labels) if estimator == "classifier" else (CNNRegressor, y)
    )
    kwargs = {} if estimator == "classifier" else {"output": "linear"}
    net = cls(**{**TINY, "max_epochs": 5, "train_split": None}, lr=1e6, **kwargs)
    with pytest.raises(FloatingPointError, match=r"diverged at epoch \d.*lr=1e\+06"):
        net.fit(X, target)


def test_divergence_check_can_be_turned_off(images):
    X, y, _ = images
    reg = CNNRegressor(
        **{**TINY, "max_epochs": 1}, lr=1e6, output="linear", callbacks__divergence=None
    )
    try:
        reg.fit(X, y)
    except FloatingPointError as exc:  # only the prediction check may refuse it
        assert "diverged" not in str(exc)


def test_images_beyond_float32_are_refused_before_training(images):
    X, y, _ = images
    huge = X / 255.0 * 1e308
    reg = CNNRegressor(**TINY)
    with pytest.raises(ValueError, match="beyond float32"):
        reg.fit(huge, y)
    assert not reg.initialized_


def test_huge_images_that_make_training_diverge_are_named(images):
    # Whether such images alone overflow depends on the CPU's kernels (the
    # channels-first ones of an AVX2-only CPU keep the loss finite); a huge
    # learning rate makes training diverge on any of them.
    X, _, labels = images
    clf = CNNClassifier(**{**TINY, "max_epochs": 3, "train_split": None, "lr": 1e30})
    with pytest.raises(FloatingPointError, match=r"images reach \d\.\d+e\+37"):
        clf.fit(X.astype(np.float64) * 1e35, labels)


def test_non_finite_predictions_are_refused(regressor, images):
    X, _, _ = images
    broken = clone(regressor).fit(*images[:2])
    with torch.no_grad():
        broken.module_.head.weight.fill_(float("nan"))
    with pytest.raises(FloatingPointError, match="NaN or infinite outputs"):
        broken.predict(X)


def test_classifier_refuses_continuous_targets(images):
    X, y, _ = images
    with pytest.raises(ValueError, match="Unknown label type: continuous"):
        CNNClassifier(**TINY).fit(X, y[:, 0])


def test_classifier_refuses_mixed_label_types(images):
    X, _, _ = images
    mixed = np.array(["spiral", 1] * 20, dtype=object)
    with pytest.raises(TypeError, match=r"mixes label types \['int', 'str'\]"):
        CNNClassifier(**TINY).fit(X, mixed)


@pytest.mark.parametrize(
    "device, match",
    [
        ("garbage", "is not a torch device"),
        ("mps", "MPS is not available on this machine"),
        ("xla", "XLA is not a device skgalaxy trains on"),
    ],
)
def test_unusable_devices_are_clear_errors(images, device, match):
    if device == "mps" and torch.backends.mps.is_available():
        pytest.skip("this machine has MPS")
    X, y, _ = images
    reg = CNNRegressor(**TINY, device=device)
    with pytest.raises(ValueError, match=match):
        reg.fit(X, y)


def test_max_epochs_zero_is_refused(images):
    X, y, _ = images
    with pytest.raises(ValueError, match="'max_epochs' parameter"):
        CNNRegressor(**{**TINY, "max_epochs": 0}).fit(X, y)


# ------------------------------------------------------------ checkpoints
def test_resumed_fit_equals_the_uninterrupted_fit(images, tmp_path):
    X, y, _ = images
    params = {**TINY, "max_epochs": 4, "augment": True}
    whole = CNNRegressor(**params).fit(X, y)
    interrupted = CNNRegressor(
        **params, checkpoint=tmp_path, callbacks=[("stop", _InterruptAfter(2))]
    )
    with pytest.raises(KeyboardInterrupt):
        interrupted.fit(X, y)
    resumed = CNNRegressor(**params, checkpoint=tmp_path).fit(X, y)
    assert len(resumed.history_) == 4
    assert_allclose(
        resumed.history_[:, "train_loss"], whole.history_[:, "train_loss"], rtol=1e-6
    )
    assert_allclose(resumed.predict(X), whole.predict(X), rtol=1e-5)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["checkpoint.pt"]


def test_checkpoint_faults_name_the_folder(images, tmp_path):
    X, y, _ = images
    fitted = CNNRegressor(**{**TINY, "max_epochs": 1}, checkpoint=tmp_path).fit(X, y)
    data = (tmp_path / "checkpoint.pt").read_bytes()
    (tmp_path / "checkpoint.pt").write_bytes(data[: len(data) // 2])
    with pytest.raises(ValueError, match=r"Cannot resume .* is damaged"):
        clone(fitted).set_params(max_epochs=2).fit(X, y)
    (tmp_path / "checkpoint.pt").write_bytes(data)
    wider = clone(fitted).set_params(max_epochs=2, module__width=8)
    with pytest.raises(ValueError, match="another architecture"):
        wider.fit(X, y)
    other = tmp_path / "other"
    other.mkdir()
    (other / "notes.txt").write_text("not a checkpoint")
    with pytest.raises(ValueError, match="holds files but no checkpoint.pt"):
        clone(fitted).set_params(checkpoint=other).fit(X, y)


def test_output_auto_picks_the_head_from_the_targets(images):
    from skgalaxy.datasets import normalize_votes

    X, y, _ = images
    fit = {**TINY, "max_epochs": 1}
    assert CNNRegressor(**fit).fit(X, y).output_ == "sigmoid"
    assert CNNRegressor(**fit).fit(X, y * 10 - 3).output_ == "linear"
    votes = normalize_votes(np.random.default_rng(0).random((40, 37)))
    reg = CNNRegressor(**fit).fit(X, votes.astype(np.float32))
    assert reg.output_ == "tree" and reg.get_params()["output"] == "auto"
    # 37 columns that do not follow the tree are not votes
    assert CNNRegressor(**fit).fit(X, np.full((40, 37), 0.5)).output_ == "sigmoid"
