"""skgalaxy.persistence: joblib and the safe format for every estimator."""

import json
import pickle
import warnings
import zipfile

import joblib
import numpy as np
import pytest
from numpy.testing import assert_array_equal
from sklearn.base import clone, is_classifier, is_regressor
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer

from skgalaxy.persistence import (
    InconsistentVersionWarning,
    PersistenceError,
    UntrustedTypesError,
    atomic_write,
    load,
    register,
    save,
)
from skgalaxy.utils.discovery import all_estimators

# Small settings (set_params) so that every estimator fits in well under a second.
FAST_PARAMS = {
    "ROICrop": {"output_size": 8},
    "CNNClassifier": {
        "max_epochs": 1,
        "module__n_blocks": 1,
        "train_split": None,
        "mixed_precision": False,
    },
    "CNNRegressor": {
        "max_epochs": 1,
        "module__n_blocks": 1,
        "train_split": None,
        "mixed_precision": False,
    },
    "NumpyMLPClassifier": {"hidden_layer_sizes": (8,), "max_iter": 5},
}
ESTIMATORS = dict(all_estimators())


def _data():
    rng = np.random.default_rng(0)
    X = rng.integers(0, 256, size=(24, 16, 16, 3), dtype=np.uint8)
    labels = np.array(["spiral", "elliptical", "merger"])[np.arange(24) % 3]
    votes = rng.uniform(size=(24, 37))
    return X, labels, votes


def _outputs(estimator, X):
    """Everything the estimator computes on ``X``, to compare after a round trip."""
    out = {}
    for method in ("predict", "predict_proba", "transform"):
        try:
            out[method] = np.asarray(getattr(estimator, method)(X))
        except AttributeError:  # not available (CNNRegressor.predict_proba)
            pass
    return out


_FITTED = {}


def _fitted(name):
    """Fit each estimator once (cached): on labels, votes, or images alone."""
    if name not in _FITTED:
        X, labels, votes = _data()
        est = ESTIMATORS[name]().set_params(**FAST_PARAMS.get(name, {}))
        with warnings.catch_warnings():
            # A few epochs only: persistence, not convergence, is tested here.
            warnings.simplefilter("ignore", ConvergenceWarning)
            if is_classifier(est):
                est.fit(X, labels)
            elif is_regressor(est):
                est.fit(X, votes)
            else:
                est.fit(X)
        _FITTED[name] = est
    return _FITTED[name]


_PIPELINES = {}


def _pipeline(name):
    """Pipelines of skgalaxy and scikit-learn steps, fitted once (cached)."""
    from skgalaxy.baseline import PixelBaselineRegressor
    from skgalaxy.neural_network import NumpyMLPClassifier
    from skgalaxy.preprocessing import Coarsen, Flatten, Grayscale

    if name not in _PIPELINES:
        X, labels, votes = _data()
        steps, y = {
            "coarsen+mlp": (
                [
                    ("coarsen", Coarsen(2)),
                    ("mlp", NumpyMLPClassifier((8,), max_iter=5)),
                ],
                labels,
            ),
            "gray+flatten+logistic": (
                [
                    ("gray", Grayscale()),
                    ("flat", Flatten()),
                    ("lr", LogisticRegression()),
                ],
                labels,
            ),
            "coarsen+baseline": (
                [("coarsen", Coarsen(2)), ("base", PixelBaselineRegressor())],
                votes,
            ),
        }[name]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)  # 5 epochs on purpose
            _PIPELINES[name] = Pipeline(steps).fit(X, y)
    return _PIPELINES[name]


def _torch_pipeline():
    pytest.importorskip("skorch")
    from skgalaxy.neural_network import CNNClassifier
    from skgalaxy.preprocessing import Coarsen

    X, labels, _ = _data()
    cnn = CNNClassifier(max_epochs=1, module__n_blocks=1, train_split=None)
    return Pipeline([("coarsen", Coarsen(2)), ("cnn", cnn)]).fit(X, labels)


def _round_trip(obj, tmp_path, fmt, **load_kwargs):
    if fmt == "joblib":
        path = tmp_path / "model.joblib"
        joblib.dump(obj, path)
        return joblib.load(path)
    path = tmp_path / f"model.{fmt}"
    save(obj, path)
    return load(path, **load_kwargs)


def _assert_same(before, after, X):
    out_before, out_after = _outputs(before, X), _outputs(after, X)
    assert out_before.keys() == out_after.keys() and out_before
    for method, values in out_before.items():
        assert_array_equal(out_after[method], values, err_msg=method)


def test_discovery_lists_the_estimators_to_round_trip():
    assert {"Coarsen", "NumpyMLPClassifier", "PixelBaselineRegressor"} <= set(
        ESTIMATORS
    )


@pytest.mark.parametrize("fmt", ["joblib", "skgalaxy"])
@pytest.mark.parametrize("name", sorted(ESTIMATORS))
def test_round_trip_every_estimator(name, fmt, tmp_path):
    est = _fitted(name)
    loaded = _round_trip(est, tmp_path, fmt)
    assert type(loaded) is type(est)
    assert loaded is not est
    _assert_same(est, loaded, _data()[0])


@pytest.mark.parametrize("fmt", ["joblib", "skgalaxy", "skops"])
@pytest.mark.parametrize(
    "name", ["coarsen+mlp", "gray+flatten+logistic", "coarsen+baseline"]
)
def test_round_trip_pipelines(name, fmt, tmp_path):
    pipeline = _pipeline(name)
    _assert_same(pipeline, _round_trip(pipeline, tmp_path, fmt), _data()[0])


def test_round_trip_cnn_in_pipeline_never_unpickles(tmp_path, monkeypatch):
    pipeline = _torch_pipeline()
    path = tmp_path / "cnn.skgalaxy"
    save(pipeline, path)
    with zipfile.ZipFile(path) as zf:
        assert set(zf.namelist()) == {
            "manifest.json",
            "model.skops",
            "cnn_0.json",
            "cnn_0.safetensors",
        }
        config = json.loads(zf.read("cnn_0.json"))
    assert config["class"] == "skgalaxy.neural_network._cnn.CNNClassifier"
    assert config["params"]["module__n_blocks"] == 1

    def no_unpickling(*args, **kwargs):
        raise AssertionError("loading must not unpickle")

    monkeypatch.setattr(pickle, "loads", no_unpickling)
    monkeypatch.setattr(pickle, "load", no_unpickling)
    loaded = load(path)
    monkeypatch.undo()
    _assert_same(pipeline, loaded, _data()[0])
    # The original keeps its network: save works on a copy.
    assert pipeline.steps[-1][1].initialized_
    assert len(loaded[-1].history_) == len(pipeline[-1].history_)
    assert_array_equal(loaded[-1].classes_, pipeline[-1].classes_)


def test_skops_suffix_refuses_a_network(tmp_path):
    pipeline = _torch_pipeline()
    with pytest.raises(PersistenceError, match=r"\.skops file cannot hold a neural"):
        save(pipeline, tmp_path / "cnn.skops")
    assert not list(tmp_path.iterdir())


def test_skops_file_loads_with_skops_itself(tmp_path):
    sio = pytest.importorskip("skops.io")
    pipeline = _pipeline("coarsen+mlp")
    path = tmp_path / "model.skops"
    save(pipeline, path)
    untrusted = sio.get_untrusted_types(file=path)
    assert all(name.startswith("skgalaxy.") for name in untrusted)
    plain = sio.load(path, trusted=untrusted)
    _assert_same(pipeline, plain, _data()[0])


def _rewrite(path, member, edit):
    """Rewrite one member of a zip file through ``edit(bytes) -> bytes``."""
    with zipfile.ZipFile(path) as zf:
        members = {name: zf.read(name) for name in zf.namelist()}
    members[member] = edit(members[member])
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)


def _edit_json(edit):
    def run(data):
        obj = json.loads(data)
        edit(obj)
        return json.dumps(obj).encode()

    return run


def test_load_refuses_a_config_naming_an_arbitrary_callable(tmp_path):
    path = tmp_path / "cnn.skgalaxy"
    save(_torch_pipeline(), path)

    def evil(config):
        config["params"]["module"] = {"__ref__": "os.system"}

    _rewrite(path, "cnn_0.json", _edit_json(evil))
    with pytest.raises(UntrustedTypesError, match="'os.system', which is neither"):
        load(path)


def test_load_refuses_a_manifest_pointing_elsewhere(tmp_path):
    path = tmp_path / "cnn.skgalaxy"
    save(_torch_pipeline(), path)

    def evil(manifest):
        manifest["networks"][0]["config"] = "../../etc/passwd"

    _rewrite(path, "manifest.json", _edit_json(evil))
    with pytest.raises(PersistenceError, match="malformed manifest.json"):
        load(path)


def test_load_refuses_weights_that_do_not_fit(tmp_path):
    path = tmp_path / "cnn.skgalaxy"
    save(_torch_pipeline(), path)

    def deeper(config):
        config["params"]["module__n_blocks"] = 2

    _rewrite(path, "cnn_0.json", _edit_json(deeper))
    with pytest.raises(PersistenceError, match="do not fit the network's module"):
        load(path)


def square(X):
    return X**2


def test_untrusted_function_in_skops_part_is_refused_unless_trusted(tmp_path):
    X = np.arange(6.0).reshape(3, 2)
    model = FunctionTransformer(square).fit(X)
    path = tmp_path / "model.skgalaxy"
    save(model, path)
    name = f"{__name__}.square"
    with pytest.raises(UntrustedTypesError, match=f"not trusted: \\['{name}'\\]"):
        load(path)
    assert_array_equal(load(path, trusted=[name]).transform(X), X**2)
    assert_array_equal(load(path, trusted=[square]).transform(X), X**2)


def test_load_warns_under_other_versions(tmp_path):
    path = tmp_path / "model.skgalaxy"
    save(_pipeline("coarsen+baseline"), path)

    def older(manifest):
        manifest["versions"]["skgalaxy"] = "0.0.1"
        manifest["versions"]["scikit-learn"] = "1.0"

    _rewrite(path, "manifest.json", _edit_json(older))
    with pytest.warns(InconsistentVersionWarning, match=r"skgalaxy 0\.0\.1 \(now"):
        load(path)
    assert issubclass(InconsistentVersionWarning, UserWarning)


def test_saved_file_records_versions(tmp_path):
    import sklearn

    import skgalaxy

    path = tmp_path / "cnn.skgalaxy"
    save(_torch_pipeline(), path)
    with zipfile.ZipFile(path) as zf:
        versions = json.loads(zf.read("manifest.json"))["versions"]
    import torch

    assert versions == {
        "skgalaxy": skgalaxy.__version__,
        "scikit-learn": sklearn.__version__,
        "torch": torch.__version__,
    }
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        load(path)  # same versions: no warning


def test_network_saved_on_cuda_loads_on_cpu_with_a_warning(tmp_path):
    torch = pytest.importorskip("torch")
    if torch.cuda.is_available():
        pytest.skip("needs a machine without CUDA")
    from skorch.exceptions import DeviceWarning

    pipeline = _torch_pipeline()
    path = tmp_path / "cnn.skgalaxy"
    save(pipeline, path)

    def on_cuda(config):
        config["params"]["device"] = "cuda"

    _rewrite(path, "cnn_0.json", _edit_json(on_cuda))
    with pytest.warns(DeviceWarning, match="loaded on the CPU"):
        loaded = load(path)
    assert loaded[-1].device == "cpu"
    _assert_same(pipeline, loaded, _data()[0])


def test_user_module_needs_registration(tmp_path):
    torch = pytest.importorskip("torch")
    from skgalaxy.neural_network import CNNClassifier

    class Tiny(torch.nn.Module):
        def __init__(self, in_channels=1, n_outputs=1, image_size=None):
            super().__init__()
            self.linear = torch.nn.Linear(in_channels, n_outputs)

        def forward(self, x):
            return self.linear(x.mean(dim=(2, 3)))

    X, labels, _ = _data()
    net = CNNClassifier(Tiny, max_epochs=1, train_split=None).fit(X, labels)
    with pytest.raises(PersistenceError, match="is not a registered type"):
        save(net, tmp_path / "tiny.skgalaxy")
    assert not list(tmp_path.iterdir())
    register(Tiny, name="tests.Tiny")
    save(net, tmp_path / "tiny.skgalaxy")
    _assert_same(net, load(tmp_path / "tiny.skgalaxy"), X)


def test_load_refuses_a_pickle(tmp_path):
    path = tmp_path / "model.skgalaxy"
    joblib.dump(LogisticRegression(), path)
    with pytest.raises(PersistenceError, match="looks like a pickle/joblib file"):
        load(path)


def test_load_refuses_a_foreign_zip(tmp_path):
    path = tmp_path / "model.skgalaxy"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("readme.txt", "hello")
    with pytest.raises(PersistenceError, match="not a skgalaxy or skops file"):
        load(path)


def test_load_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        load(tmp_path / "nothing.skgalaxy")


def test_load_rejects_bad_trusted(tmp_path):
    path = tmp_path / "m.skgalaxy"
    save(LogisticRegression(), path)
    with pytest.raises(TypeError, match="trusted must be a list of types"):
        load(path, trusted=[3])


def test_save_unfitted_estimator_round_trips(tmp_path):
    pytest.importorskip("skorch")
    from skgalaxy.neural_network import CNNRegressor

    net = CNNRegressor(max_epochs=3, module__n_blocks=2)
    loaded = _round_trip(net, tmp_path, "skgalaxy")
    assert loaded.get_params()["module__n_blocks"] == 2
    assert clone(loaded).max_epochs == 3


def test_atomic_write_leaves_nothing_on_failure(tmp_path):
    target = tmp_path / "out.txt"
    target.write_text("old")

    def fail(tmp):
        with open(tmp, "w") as f:
            f.write("half")
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError, match="disk full"):
        atomic_write(target, fail)
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]


def test_atomic_write_gives_the_mode_of_a_plain_open(tmp_path):
    import os
    import stat

    plain = tmp_path / "plain.txt"
    plain.write_text("x")
    target = tmp_path / "atomic.txt"
    atomic_write(target, lambda tmp: open(tmp, "w").close())
    mode = stat.S_IMODE(os.stat(target).st_mode)
    assert mode == stat.S_IMODE(os.stat(plain).st_mode)


def test_round_trip_grid_search_over_a_cnn(tmp_path):
    pytest.importorskip("skorch")
    from sklearn.model_selection import GridSearchCV

    from skgalaxy.neural_network import CNNClassifier

    X, labels, _ = _data()
    cnn = CNNClassifier(max_epochs=1, module__n_blocks=1, train_split=None)
    grid = GridSearchCV(cnn, {"module__activation": ["relu", "tanh"]}, cv=2)
    grid.fit(X, labels)
    loaded = _round_trip(grid, tmp_path, "skgalaxy")
    assert loaded.best_params_ == grid.best_params_
    assert not loaded.estimator.initialized_  # the unfitted template stays unfitted
    _assert_same(grid, loaded, X)


def test_load_refuses_a_network_smuggled_into_the_skops_part(tmp_path):
    # skops would rebuild a skorch net through its __setstate__, which unpickles.
    sio = pytest.importorskip("skops.io")
    pipeline = _torch_pipeline()
    path = tmp_path / "cnn.skgalaxy"
    save(_pipeline("coarsen+mlp"), path)
    _rewrite(path, "model.skops", lambda data: sio.dumps(pipeline))
    with pytest.raises(UntrustedTypesError, match=r"_cnn\.CNNClassifier"):
        load(path)
