"""
=============================================
Grid search on a Dask cluster, data from HDF5
=============================================

scikit-learn parallelises :class:`~sklearn.model_selection.GridSearchCV` with
joblib, and joblib can hand its tasks to a `Dask <https://www.dask.org>`_
cluster: the same code then spreads a search over many machines. This example

1. starts a small :class:`~distributed.LocalCluster` on this machine (a stand-in
   for a real cluster), runs one grid search over a skgalaxy pipeline locally and
   on the cluster, and checks the results are identical;
2. streams images from an HDF5 file in chunks with
   :func:`~skgalaxy.utils.hdf5_to_dask` and classifies them block by block with
   :func:`~skgalaxy.utils.dask_apply`, as one would a file larger than memory.

Dask is an optional extra: ``pip install "skgalaxy[dask]"``. The
:doc:`user guide </user_guide/scaling>` has the recipe for a search over CNNs with
one Dask worker per GPU.
"""

# %%
# Settings
# --------
# ``N_GALAXIES`` keeps the gallery fast; raise it (say to 20_000) and give the
# cluster more workers to see the search scale.
import tempfile
import time
from pathlib import Path

import h5py
import joblib
import matplotlib.pyplot as plt
import numpy as np
from distributed import Client, LocalCluster
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, train_test_split
from sklearn.pipeline import Pipeline

from skgalaxy.datasets import make_galaxies
from skgalaxy.preprocessing import Coarsen, Flatten, Grayscale
from skgalaxy.utils import dask_apply, hdf5_to_dask

N_GALAXIES = 900
N_WORKERS = 2

# The three classes of Mocz's tutorial: elliptical, spiral, irregular.
X, y = make_galaxies(
    N_GALAXIES, image_size=32, classes="elliptical-spiral-irregular", random_state=0
)
X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
print(f"{len(X_train)} training galaxies of shape {X.shape[1:]}, {X.dtype}")

# %%
# A cluster on this machine
# -------------------------
# On a real cluster you would connect to its scheduler instead, with
# ``Client("tcp://scheduler-host:8786")``; nothing else in this example changes.
# Here the workers are threads of this process that talk over the loopback
# network, so the example needs no network access.
cluster = LocalCluster(
    n_workers=N_WORKERS,
    threads_per_worker=1,
    processes=False,
    protocol="tcp",
    host="127.0.0.1",
    dashboard_address=None,
)
client = Client(cluster)
print(f"Workers: {sorted(client.scheduler_info()['workers'])}")

# %%
# One grid search, twice
# ----------------------
# A pipeline of skgalaxy transformers and a logistic regression; the grid asks how
# far the images can be coarsened, in colour or in gray, and how strongly to
# regularise.
pipe = Pipeline(
    [
        ("gray", "passthrough"),
        ("coarsen", Coarsen(factor=4)),
        ("flatten", Flatten()),
        ("clf", LogisticRegression(max_iter=300)),
    ]
)
grid = {
    "gray": ["passthrough", Grayscale()],
    "coarsen__factor": [4, 8],
    "clf__C": [0.01, 1.0],
}

t0 = time.perf_counter()
local = GridSearchCV(pipe, grid, cv=3, n_jobs=1).fit(X_train, y_train)
local_time = time.perf_counter() - t0

# joblib's "dask" backend sends every fit to the cluster.
t0 = time.perf_counter()
with joblib.parallel_config(backend="dask"):
    remote = GridSearchCV(pipe, grid, cv=3, n_jobs=-1).fit(X_train, y_train)
remote_time = time.perf_counter() - t0

same = np.array_equal(
    local.cv_results_["mean_test_score"], remote.cv_results_["mean_test_score"]
)
print(f"local: {local_time:.1f} s, on the cluster: {remote_time:.1f} s")
print(f"identical cross-validation scores: {same}")
print(f"best: {remote.best_params_}, test accuracy {remote.score(X_test, y_test):.3f}")

# %%
# The scores of the grid, from ``cv_results_`` (its rows run over the grid's keys
# in sorted order: C, then the factor, then gray).
scores = remote.cv_results_["mean_test_score"].reshape(2, 2, 2)
fig, axes = plt.subplots(1, 2, figsize=(9, 3.5), sharey=True)
for ax, c, name in zip(axes, grid["clf__C"], ["C=0.01", "C=1"]):
    for i, label in enumerate(["colour", "gray"]):
        row = scores[grid["clf__C"].index(c), :, i]
        ax.plot(grid["coarsen__factor"], row, marker="o", label=label)
    ax.set_xticks(grid["coarsen__factor"])
    ax.set_xlabel("Coarsen factor")
    ax.set_title(name)
axes[0].set_ylabel("mean CV accuracy")
axes[0].legend()
fig.tight_layout()

# %%
# Data larger than memory, streamed from HDF5
# -------------------------------------------
# Galaxy10 DECaLS is a 2.5 GB HDF5 file of 256x256x3 images. To train, it is
# usually enough to load it coarsened: :func:`~skgalaxy.datasets.load_galaxy10`
# reads it in chunks through a transformer, so memory holds the small output
# only. To *apply* a model to a file of any size, keep it on disk:
# :func:`~skgalaxy.utils.hdf5_to_dask` opens the images as a lazy dask array,
# and :func:`~skgalaxy.utils.dask_apply` runs the transformer and the model on
# each chunk, on the cluster's workers. Here we write a small file in the
# Galaxy10 format first.
tmp = tempfile.TemporaryDirectory()
path = Path(tmp.name) / "galaxies.h5"
with h5py.File(path, "w") as f:
    f.create_dataset("images", data=X_test, chunks=(64, *X_test.shape[1:]))
    f.create_dataset("ans", data=y_test)

images = hdf5_to_dask(path, chunk_size=64)
print(images)

best = remote.best_estimator_
predicted = dask_apply(best, images, method="predict")
t0 = time.perf_counter()
predicted = predicted.compute()  # runs on the cluster, a chunk per task
print(f"{len(predicted)} galaxies classified in {time.perf_counter() - t0:.2f} s")
print(f"same as in memory: {np.array_equal(predicted, best.predict(X_test))}")

# %%
# A transformer on its own works the same way: coarsened images, still lazy,
# ready for ``dask.array.to_hdf5`` or for a model's ``partial_fit`` chunk by
# chunk.
coarse = dask_apply(Coarsen(factor=4), images)
print(coarse.shape, coarse.dtype, coarse.chunks[0])

# %%
# Clean up: close the client and the cluster (a ``with`` block does it too).
client.close()
cluster.close()
tmp.cleanup()
