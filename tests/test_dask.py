"""Scaling out: GridSearchCV on a dask.distributed cluster, HDF5 streamed in chunks.

The cluster is a LocalCluster on loopback (threads in this process talking over TCP),
so the tests run without network access and clean up after themselves.
"""

import pickle

import h5py
import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import Pipeline

from skgalaxy.datasets import make_galaxies
from skgalaxy.preprocessing import Coarsen, Flatten
from skgalaxy.utils import dask_apply, hdf5_to_dask

da = pytest.importorskip("dask.array")
distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def client():
    cluster = distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=False,
        protocol="tcp",
        host="127.0.0.1",
        dashboard_address=None,
    )
    client = distributed.Client(cluster)
    try:
        yield client
    finally:
        client.close()
        cluster.close()


@pytest.fixture(scope="module")
def galaxies():
    X, y = make_galaxies(90, image_size=16, random_state=0)
    return X, y


def _search(final):
    pipe = Pipeline(
        [
            ("coarsen", Coarsen(factor=2)),
            ("flatten", Flatten()),
            ("clf", final),
        ]
    )
    penalty = "clf__alpha" if "alpha" in final.get_params() else "clf__C"
    grid = {"coarsen__factor": [2, 4], penalty: [0.1, 10.0]}
    return GridSearchCV(pipe, grid, cv=3, n_jobs=2)


def _mlp():
    from skgalaxy.neural_network import NumpyMLPClassifier

    return NumpyMLPClassifier(hidden_layer_sizes=(8,), max_iter=10, random_state=0)


# The short MLP fits stop before converging, on purpose (speed).
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize(
    "final", [LogisticRegression(max_iter=200), _mlp()], ids=["logistic", "mlp"]
)
def test_grid_search_on_dask_cluster_matches_local_run(client, galaxies, final):
    import joblib

    X, y = galaxies
    local = _search(final).set_params(n_jobs=1).fit(X, y)
    remote = _search(final)
    with distributed.get_task_stream(client) as stream:
        with joblib.parallel_config(backend="dask"):
            remote.fit(X, y)
    # The fits ran as tasks on the cluster's workers (joblib batches them).
    workers = {task["worker"] for task in stream.data}
    assert workers and workers <= set(client.scheduler_info()["workers"])
    assert_array_equal(
        remote.cv_results_["mean_test_score"], local.cv_results_["mean_test_score"]
    )
    assert remote.best_params_ == local.best_params_
    assert_array_equal(remote.predict(X), local.predict(X))


@pytest.fixture
def h5_images(tmp_path, galaxies):
    path = tmp_path / "galaxies.h5"
    with h5py.File(path, "w") as f:
        f.create_dataset("images", data=galaxies[0], chunks=(8, 16, 16, 3))
        f.create_dataset("ans", data=galaxies[1])
    return path


def test_hdf5_streamed_in_chunks_on_cluster(client, galaxies, h5_images):
    X, y = galaxies
    images = hdf5_to_dask(h5_images, chunk_size=32)
    assert images.chunks[0] == (32, 32, 26)
    assert images.dtype == np.uint8

    coarsen = Coarsen(factor=4)
    features = dask_apply(coarsen, images)  # fitted on the first chunk
    assert coarsen.image_shape_ is not None
    assert features.shape == (90, 4, 4, 3)
    assert_allclose(features.compute(), Coarsen(factor=4).fit_transform(X))

    model = Pipeline([("flatten", Flatten()), ("clf", LogisticRegression())])
    model.fit(features[:60].compute(), y[:60])
    predicted = dask_apply(model, features, method="predict")
    proba = dask_apply(model, features, method="predict_proba")
    assert predicted.shape == (90,)
    assert proba.shape == (90, len(model.classes_))
    expected = model.predict(Coarsen(factor=4).fit_transform(X))
    assert_array_equal(predicted.compute(), expected)


def test_hdf5_to_dask_reads_the_file_lazily(h5_images, galaxies):
    images = hdf5_to_dask(h5_images, chunk_size=40)
    # The graph pickles (a path and a key, no open file), so workers can read it.
    restored = pickle.loads(pickle.dumps(images))
    assert_array_equal(restored[35:45].compute(), galaxies[0][35:45])


def test_hdf5_to_dask_bad_input_raises(tmp_path, h5_images):
    with pytest.raises(FileNotFoundError, match="HDF5 file not found"):
        hdf5_to_dask(tmp_path / "missing.h5")
    with pytest.raises(ValueError, match="has no dataset 'pixels'"):
        hdf5_to_dask(h5_images, key="pixels")
    with pytest.raises(ValueError, match=r"has shape \(90,\); images must be"):
        hdf5_to_dask(h5_images, key="ans")
    with pytest.raises(
        ValueError,
        match=(
            r"'chunk_size' parameter of hdf5_to_dask "
            r"must be an int in the range \[1, inf\)"
        ),
    ):
        hdf5_to_dask(h5_images, chunk_size=0)
    text = tmp_path / "not.h5"
    text.write_text("hello")
    with pytest.raises(ValueError, match="not a readable HDF5 file"):
        hdf5_to_dask(text)


def test_dask_apply_bad_input_raises(galaxies):
    X = galaxies[0]
    with pytest.raises(TypeError, match="X must be a dask array"):
        dask_apply(Coarsen(factor=2), X)
    with pytest.raises(ValueError, match="has no method 'predict'"):
        dask_apply(Coarsen(factor=2), da.from_array(X), method="predict")
    with pytest.raises(ValueError, match="2 or more dimensions"):
        dask_apply(Coarsen(factor=2), da.ones(5))


def _visible_devices():
    import os

    return os.environ.get("CUDA_VISIBLE_DEVICES")


def test_local_gpu_cluster_pins_one_device_per_worker():
    from skgalaxy.utils import local_gpu_cluster

    # No GPU is needed to check the pinning: each worker process gets its own
    # CUDA_VISIBLE_DEVICES before anything in it can initialise CUDA.
    with local_gpu_cluster(n_gpus=2) as cluster, distributed.Client(cluster) as c:
        seen = c.run(_visible_devices)
        resources = {
            w["resources"]["GPU"] for w in c.scheduler_info()["workers"].values()
        }
    assert sorted(seen.values()) == ["0", "1"]
    assert resources == {1}


@pytest.mark.parametrize("n_gpus", [0, -1, 1.5, True])
def test_local_gpu_cluster_bad_n_gpus_raises(n_gpus):
    from skgalaxy.utils import local_gpu_cluster

    with pytest.raises(
        ValueError,
        match=(
            r"'n_gpus' parameter of local_gpu_cluster "
            r"must be an int in the range \[1, inf\) or None"
        ),
    ):
        local_gpu_cluster(n_gpus=n_gpus)
