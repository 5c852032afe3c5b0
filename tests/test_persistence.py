"""skgalaxy.persistence: joblib and the safe format for every estimator."""

import io
import json
import pickle
import sys
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
    if name == "CNNEmbedder" and fmt == "skgalaxy":
        with pytest.raises(PersistenceError, match="pretrained=<that file>"):
            _round_trip(est, tmp_path, fmt)
        return
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


# ------------------------------------------------ files written by an attacker
# Each test writes an attack file the way an attacker would (editing a saved
# file), and checks that load refuses it with a PersistenceError that says what
# is wrong, before anything in it is imported, created or run.


def _saved_cnn(tmp_path, name="cnn.skgalaxy"):
    path = tmp_path / name
    save(_torch_pipeline(), path)
    return path


def _set_params(**params):
    def edit(config):
        config["params"].update(params)

    return _edit_json(edit)


def _checkpoint_spec(dirname):
    return {
        "__object__": "skorch.callbacks.training.Checkpoint",
        "params": {"dirname": str(dirname), "f_params": "params.pt"},
    }


def _load_init_state_spec(dirname):
    return {
        "__object__": "skorch.callbacks.training.LoadInitState",
        "params": {"checkpoint": _checkpoint_spec(dirname)},
    }


class _Payload:
    """Unpickling this makes a folder: proof that code from a file ran."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        import os

        return os.mkdir, (self.marker,)


def test_load_refuses_torch_load_kwargs_in_a_config(tmp_path):
    path = _saved_cnn(tmp_path)
    _rewrite(path, "cnn_0.json", _set_params(torch_load_kwargs={"weights_only": False}))
    with pytest.raises(PersistenceError, match=r"torch_load_kwargs=.*never stored"):
        load(path)


def test_load_refuses_a_load_init_state_callback_even_if_trusted(tmp_path):
    path = _saved_cnn(tmp_path)
    folder = tmp_path / "attacker"
    _rewrite(path, "cnn_0.json", _set_params(callbacks=[_load_init_state_spec(folder)]))
    trusted = [
        "skorch.callbacks.training.LoadInitState",
        "skorch.callbacks.training.Checkpoint",
    ]
    for kwargs in ({}, {"trusted": trusted}):
        with pytest.raises(
            PersistenceError,
            match=r"callbacks=.*'skorch.callbacks.training.LoadInitState' where only",
        ):
            load(path, **kwargs)
    assert not folder.exists()


def test_load_refuses_the_reported_code_execution_attack(tmp_path):
    # The attack of the report: torch_load_kwargs that let torch unpickle, a
    # LoadInitState(Checkpoint) that would read a pickle on fit, and the pickle
    # itself prepended to the .skgalaxy zip (which zipfile accepts).
    path = _saved_cnn(tmp_path)
    marker = tmp_path / "code-ran"
    _rewrite(
        path,
        "cnn_0.json",
        _set_params(
            torch_load_kwargs={"weights_only": False},
            callbacks=[_load_init_state_spec(path.parent)],
        ),
    )
    plain = path.read_bytes()
    assert zipfile.is_zipfile(path)
    with pytest.raises(PersistenceError, match="cannot be loaded: network 0"):
        load(path)
    path.write_bytes(pickle.dumps(_Payload(marker)) + plain)
    assert zipfile.is_zipfile(path)  # zipfile reads past the pickle
    with pytest.raises(PersistenceError, match="other bytes before its zip content"):
        load(path)
    assert not marker.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cnn.skgalaxy"]


def test_load_refuses_a_checkpoint_folder_and_creates_nothing(tmp_path):
    path = _saved_cnn(tmp_path)
    folder = tmp_path / "made" / "by" / "the" / "file"
    _rewrite(path, "cnn_0.json", _set_params(checkpoint=str(folder)))
    with pytest.raises(PersistenceError, match=r"checkpoint=.*never stored"):
        load(path)
    assert not (tmp_path / "made").exists()


def test_load_refuses_bytes_before_the_zip(tmp_path):
    path = tmp_path / "model.skgalaxy"
    save(_pipeline("coarsen+baseline"), path)
    path.write_bytes(b"#!/bin/sh\necho hello\n" + path.read_bytes())
    with pytest.raises(PersistenceError, match="other bytes before its zip content"):
        load(path)


def test_load_refuses_bytes_before_a_plain_skops_file(tmp_path):
    path = tmp_path / "model.skops"
    save(_pipeline("coarsen+baseline"), path)
    path.write_bytes(b"\x80\x04junk" + path.read_bytes())
    with pytest.raises(PersistenceError, match="other bytes before its zip content"):
        load(path)


def _deep_json(depth):
    return b"[" * depth + b"]" * depth


def _deep_skops_schema(data):
    inner = io.BytesIO(data)
    with zipfile.ZipFile(inner) as zf:
        members = {name: zf.read(name) for name in zf.namelist()}
    members["schema.json"] = _deep_json(10_000)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        for name, member in members.items():
            zf.writestr(name, member)
    return out.getvalue()


@pytest.mark.parametrize(
    "member, edit",
    [
        ("cnn_0.json", lambda data: _deep_json(10_000)),
        ("manifest.json", lambda data: _deep_json(10_000)),
        (
            "cnn_0.json",
            _edit_json(lambda c: c.update(history=json.loads(_deep_json(500)))),
        ),
        ("model.skops", _deep_skops_schema),
    ],
    ids=["config", "manifest", "history", "skops-schema"],
)
def test_load_refuses_deeply_nested_json(tmp_path, member, edit):
    path = _saved_cnn(tmp_path)
    _rewrite(path, member, edit)
    with pytest.raises(PersistenceError, match=r"nests its JSON \d+ levels deep"):
        load(path)


def test_load_refuses_a_json_member_larger_than_a_model_file_may_hold(
    tmp_path, monkeypatch
):
    from skgalaxy.persistence import _io

    path = _saved_cnn(tmp_path)
    monkeypatch.setattr(_io, "MAX_JSON_BYTES", 100)
    with pytest.raises(PersistenceError, match=r"manifest.json states \d+ bytes"):
        load(path)


def test_load_refuses_module_sizes_beyond_the_bounds(tmp_path):
    path = _saved_cnn(tmp_path)
    _rewrite(path, "cnn_0.json", _set_params(module="convnet", module__filters=100000))
    with pytest.raises(
        PersistenceError, match=r"module__filters=100000.*ints are at most 2\*\*16"
    ):
        load(path)


def test_load_refuses_a_network_too_large_before_allocating_it(tmp_path):
    # Every number within the bounds, but together 10**11 weights: the network is
    # sized on torch's meta device (no memory) and refused.
    path = _saved_cnn(tmp_path)
    _rewrite(
        path,
        "cnn_0.json",
        _set_params(module="convnet", module__filters=60000, module__n_blocks=3),
    )
    with pytest.raises(PersistenceError, match="more than a model file may hold"):
        load(path)


def test_load_refuses_an_image_shape_beyond_the_bounds(tmp_path):
    sio = pytest.importorskip("skops.io")
    path = _saved_cnn(tmp_path)

    def huge(data):
        pipeline = sio.loads(data, trusted=sio.get_untrusted_types(data=data))
        pipeline[-1].attrs["image_shape_"] = (10**6, 10**6, 3)
        return sio.dumps(pipeline)

    _rewrite(path, "model.skops", huge)
    with pytest.raises(PersistenceError, match=r"image shape \(1000000, 1000000, 3\)"):
        load(path)


def test_load_refuses_an_unknown_parameter(tmp_path):
    path = _saved_cnn(tmp_path)
    _rewrite(path, "cnn_0.json", _set_params(sneaky=1))
    with pytest.raises(PersistenceError, match="sneaky: CNNClassifier has no such"):
        load(path)


def test_load_refuses_a_class_where_only_data_may_stand(tmp_path):
    path = _saved_cnn(tmp_path)
    _rewrite(path, "cnn_0.json", _set_params(lr={"__ref__": "builtins.eval"}))
    with pytest.raises(PersistenceError, match="'builtins.eval' where only data"):
        load(path)


def test_load_refuses_a_data_loader_argument_that_is_code(tmp_path):
    path = _saved_cnn(tmp_path)
    _rewrite(
        path,
        "cnn_0.json",
        _set_params(iterator_valid__collate_fn={"__ref__": "builtins.print"}),
    )
    with pytest.raises(PersistenceError, match="iterator_valid__collate_fn="):
        load(path)


def test_load_refuses_a_net_class_that_is_not_a_cnn_estimator(tmp_path):
    path = _saved_cnn(tmp_path)
    _rewrite(path, "cnn_0.json", _edit_json(lambda c: c.update({"class": "os.system"})))
    with pytest.raises(PersistenceError, match="'os.system' is not a registered CNN"):
        load(path)


@pytest.fixture
def probe_module(tmp_path, monkeypatch):
    """A module on sys.path whose import leaves a mark: a name a file may invent."""
    name = "skgalaxy_probe_4c1e"
    folder = tmp_path / "site"
    folder.mkdir()
    (folder / f"{name}.py").write_text(
        "import pathlib\n"
        f"pathlib.Path({str(tmp_path / 'imported')!r}).mkdir()\n"
        "class Evil:\n"
        "    def __init__(self, **kwargs):\n"
        f"        pathlib.Path({str(tmp_path / 'created')!r}).mkdir()\n"
    )
    monkeypatch.syspath_prepend(str(folder))
    monkeypatch.delitem(sys.modules, name, raising=False)
    yield name
    assert name not in sys.modules, "load imported a module the file named"
    assert not (tmp_path / "imported").exists()
    assert not (tmp_path / "created").exists()


def test_load_imports_nothing_that_a_config_names(tmp_path, probe_module):
    evil = f"{probe_module}.Evil"
    for params in (
        {"module": {"__ref__": evil}},
        {"criterion": {"__ref__": evil}},
        {"module__activation": {"__ref__": evil}},
        {"callbacks": [{"__object__": evil, "params": {}}]},
        {"train_split": {"__object__": evil, "params": {}}},
    ):
        path = _saved_cnn(tmp_path)
        _rewrite(path, "cnn_0.json", _set_params(**params))
        with pytest.raises(PersistenceError, match=probe_module):
            load(path)
    # Trusting a name does not make a callback or a splitter data.
    for params in (
        {"callbacks": [{"__object__": evil, "params": {}}]},
        {"train_split": {"__object__": evil, "params": {}}},
    ):
        _rewrite(path, "cnn_0.json", _set_params(**params))
        with pytest.raises(PersistenceError, match=probe_module):
            load(path, trusted=[evil])


def test_load_accepts_a_history_longer_than_a_parameter_list(tmp_path):
    path = _saved_cnn(tmp_path)
    epochs = [{"epoch": i, "train_loss": 1.0 / i} for i in range(1, 70_000)]
    _rewrite(path, "cnn_0.json", _edit_json(lambda c: c.update(history=epochs)))
    assert len(load(path)[-1].history_) == len(epochs)


def test_load_checks_every_config_before_building_the_skops_part(tmp_path, monkeypatch):
    sio = pytest.importorskip("skops.io")
    path = _saved_cnn(tmp_path)
    _rewrite(path, "cnn_0.json", _set_params(checkpoint=str(tmp_path / "x")))

    def no_building(*args, **kwargs):
        raise AssertionError("the skops part was built before the check")

    monkeypatch.setattr(sio, "loads", no_building)
    with pytest.raises(PersistenceError, match="checkpoint="):
        load(path)


def test_load_does_not_import_test_modules_to_vet_a_name(tmp_path, monkeypatch):
    # skgalaxy and scikit-learn classes are trusted, which takes importing the
    # module a name points to; never their tests or conftest (sklearn.conftest
    # imports pytest, scipy.datasets and sets up fixtures).
    sio = pytest.importorskip("skops.io")
    monkeypatch.delitem(sys.modules, "sklearn.conftest", raising=False)
    path = tmp_path / "model.skops"
    save(_pipeline("coarsen+baseline"), path)

    def rename(node):
        if isinstance(node, dict):
            if node.get("__module__") == "skgalaxy.baseline._pixel":
                node["__module__"] = "sklearn.conftest"
            for value in node.values():
                rename(value)
        elif isinstance(node, list):
            for value in node:
                rename(value)

    with zipfile.ZipFile(path) as zf:
        members = {name: zf.read(name) for name in zf.namelist()}
    schema = json.loads(members["schema.json"])
    rename(schema)
    members["schema.json"] = json.dumps(schema).encode()
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    assert any(
        t.startswith("sklearn.conftest.") for t in sio.get_untrusted_types(file=path)
    )
    with pytest.raises(UntrustedTypesError, match="sklearn.conftest"):
        load(path)
    assert "sklearn.conftest" not in sys.modules


def test_load_reports_a_truncated_file_as_truncated(tmp_path):
    path = _saved_cnn(tmp_path)
    data = path.read_bytes()
    for size in (len(data) // 2, len(data) - 10):
        path.write_bytes(data[:size])
        with pytest.raises(PersistenceError, match="is truncated or corrupt"):
            load(path)


def test_load_reports_a_damaged_member_as_corrupt(tmp_path):
    path = tmp_path / "model.skgalaxy"
    save(_pipeline("coarsen+baseline"), path)
    data = bytearray(path.read_bytes())
    start = data.index(b"PK\x03\x04", 1)  # the second member: model.skops
    data[start + 60 : start + 80] = bytes(20)
    path.write_bytes(bytes(data))
    with pytest.raises(PersistenceError, match="is corrupt"):
        load(path)


def test_load_says_an_unreadable_file_cannot_be_read(tmp_path, monkeypatch):
    from skgalaxy.persistence import _io

    path = tmp_path / "model.skgalaxy"
    save(_pipeline("coarsen+baseline"), path)

    def denied(file, *args, **kwargs):
        raise PermissionError(13, "Permission denied", str(file))

    monkeypatch.setattr(_io, "open", denied, raising=False)
    with pytest.raises(PermissionError, match="Permission denied"):
        load(path)


def test_load_refuses_a_member_stored_twice(tmp_path):
    path = _saved_cnn(tmp_path)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # zipfile: "Duplicate name"
        with zipfile.ZipFile(path, "a") as zf:
            zf.writestr("cnn_0.json", json.dumps({"class": "x"}))
    with pytest.raises(PersistenceError, match="holds a member twice"):
        load(path)


# ------------------------------------------------ what save stores of a network


def _cnn(**params):
    pytest.importorskip("skorch")
    from skgalaxy.neural_network import CNNClassifier

    defaults = {
        "max_epochs": 1,
        "module__n_blocks": 1,
        "train_split": None,
        "mixed_precision": False,
    }
    return CNNClassifier(**{**defaults, **params})


def _stored_params(path):
    with zipfile.ZipFile(path) as zf:
        return json.loads(zf.read("cnn_0.json"))["params"]


def test_save_resets_the_checkpoint_folder(tmp_path):
    X, labels, _ = _data()
    folder = tmp_path / "checkpoints"
    net = _cnn(checkpoint=folder).fit(X, labels)
    path = tmp_path / "cnn.skgalaxy"
    save(net, path)
    assert "checkpoint" not in _stored_params(path)
    loaded = load(path)
    assert loaded.checkpoint is None
    assert net.checkpoint == folder  # the saved object is left as it was
    _assert_same(net, loaded, X)


def test_save_never_stores_torch_load_kwargs(tmp_path):
    net = _cnn(torch_load_kwargs={"weights_only": True})
    save(net, tmp_path / "cnn.skgalaxy")
    assert "torch_load_kwargs" not in _stored_params(tmp_path / "cnn.skgalaxy")
    assert load(tmp_path / "cnn.skgalaxy").torch_load_kwargs is None


def test_save_refuses_user_callbacks_naming_the_parameter(tmp_path):
    from skorch.callbacks import EpochTimer

    for net in (
        _cnn(callbacks=[("timer", EpochTimer())]),
        _cnn().set_params(callbacks__print_log__sink=print),
    ):
        with pytest.raises(PersistenceError, match=r"callbacks.*save with joblib"):
            save(net, tmp_path / "cnn.skgalaxy")
    assert not list(tmp_path.iterdir())


def test_save_stores_the_requested_device(tmp_path):
    X, labels, _ = _data()
    net = _cnn(device="auto").fit(X, labels)
    save(net, tmp_path / "cnn.skgalaxy")
    assert _stored_params(tmp_path / "cnn.skgalaxy")["device"] == "auto"
    assert load(tmp_path / "cnn.skgalaxy").get_params()["device"] == "auto"


def test_save_refuses_what_load_would_refuse(tmp_path):
    # A value of the right type, outside the rule: save refuses it rather than
    # writing a file that load refuses.
    with pytest.raises(PersistenceError, match=r"module__n_blocks=100000"):
        save(_cnn(module__n_blocks=100000), tmp_path / "cnn.skgalaxy")
    assert not list(tmp_path.iterdir())


def test_round_trip_of_the_data_parameters(tmp_path):
    torch = pytest.importorskip("torch")
    from skorch.dataset import ValidSplit

    X, labels, _ = _data()
    net = _cnn(
        module="convnet",
        module__activation=torch.nn.ELU,
        module__hidden_units=(8,),
        criterion__reduction="mean",
        optimizer__betas=(0.8, 0.99),
        iterator_train__shuffle=True,
        train_split=ValidSplit(0.25, stratified=True, random_state=0),
        class_weight={"spiral": 2.0, "merger": 1.0, "elliptical": 1.0},
        augment={"flip": False},
        lr_schedule="cosine",
        random_state=0,
    ).fit(X, labels)
    loaded = load(_round_trip_path(net, tmp_path))
    params, again = net.get_params(deep=False), loaded.get_params(deep=False)
    split = again.pop("train_split")
    assert (split.cv, split.stratified, split.random_state) == (0.25, True, 0)
    params.pop("train_split")
    assert again == params
    _assert_same(net, loaded, X)


def _round_trip_path(obj, tmp_path):
    path = tmp_path / "model.skgalaxy"
    save(obj, path)
    return path


def test_every_cnn_parameter_has_a_persistence_rule():
    # A new parameter of the CNN estimators needs a line in RULES; the message
    # of save names the file, and this test names the parameter.
    pytest.importorskip("skorch")
    from skorch import NeuralNet

    from skgalaxy.persistence._netparams import RULES, parameter_names

    nets = [cls for cls in ESTIMATORS.values() if issubclass(cls, NeuralNet)]
    assert nets
    for cls in nets:
        assert set(parameter_names(cls)) - set(RULES) == set(), cls.__name__


def test_registry_trusts_no_callback_class():
    pytest.importorskip("skorch")
    from skorch.callbacks import Callback

    from skgalaxy.persistence import registered_names
    from skgalaxy.persistence._registry import lookup

    lookup("torch.optim.adamw.AdamW")  # loads the defaults
    for name in registered_names():
        obj = lookup(name)
        assert not (isinstance(obj, type) and issubclass(obj, Callback)), name
    for name in ("skorch.callbacks.training.Checkpoint", "builtins.print"):
        with pytest.raises(UntrustedTypesError):
            lookup(name)
