"""
============================================
A CNN regressor on Galaxy Zoo vote fractions
============================================

Hildebrandt's Galaxy Zoo report [1]_ predicts the 37 vote fractions of each
galaxy with a convolutional network: it crops every image to the region of
interest, turns it gray, resizes it to 150x150 and trains six conv blocks with
batch norm, a dense head and sigmoid outputs, scored by the element-wise RMSE
(0.0926 on the real data). In skgalaxy that is a :class:`~sklearn.pipeline.Pipeline` of
:class:`~skgalaxy.preprocessing.ROICrop`, :class:`~skgalaxy.preprocessing.Grayscale`
and :class:`~skgalaxy.neural_network.CNNRegressor`; the learning curves come from
the estimator's ``history_``.

The gallery runs a small network on small synthetic galaxies from
:func:`~skgalaxy.datasets.make_galaxies` so it finishes in seconds on a CPU.

.. [1] P. Hildebrandt, "Galaxy morphology classification with Convolutional
   Neural Networks", course project report for PH0101 (Kaggle Galaxy Zoo
   challenge data).
"""

# %%
# Settings
# --------
# ``FULL_SIZE = True`` runs the report's own network (``module="galaxyzoo"``,
# 848,133 parameters) on 150x150 crops of ``N_GALAXIES`` galaxies for
# ``MAX_EPOCHS`` epochs with the report's augmentation; that wants a GPU
# (``device="auto"`` picks it) and e.g. ``N_GALAXIES = 20_000``, ``MAX_EPOCHS = 50``.
import time

import matplotlib.pyplot as plt
import numpy as np
import torch
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from skorch.dataset import ValidSplit

from skgalaxy.datasets import make_galaxies
from skgalaxy.metrics import kaggle_rmse
from skgalaxy.neural_network import CNNRegressor
from skgalaxy.preprocessing import Grayscale, ROICrop

FULL_SIZE = False
N_GALAXIES = 400
MAX_EPOCHS = 15

if FULL_SIZE:
    image_size, crop_size, module, module_params = 212, 150, "galaxyzoo", {}
else:
    # the gallery's network is tiny: one thread beats two fighting over it
    torch.set_num_threads(1)
    image_size, crop_size, module = 64, 24, "convnet"
    # with a few hundred galaxies, batch norm's running statistics lag behind the
    # weights and the validation error suffers: the small network goes without
    module_params = {
        "module__n_blocks": 3,
        "module__filters": (8, 16, 32),
        "module__batch_norm": False,
    }

X, _, votes = make_galaxies(
    N_GALAXIES, image_size=image_size, return_votes=True, random_state=0
)
votes = votes.astype(np.float32)
X_train, X_test, y_train, y_test = train_test_split(
    X, votes, test_size=0.25, random_state=0
)
print(f"{len(X_train)} training and {len(X_test)} test galaxies, {X.shape[1:]} each")

# %%
# The pipeline
# ------------
# ``ROICrop`` finds the galaxy by a threshold and crops a padded square around it,
# as the report's OpenCV code did; ``Grayscale`` uses the same Rec.601 weights.
# ``train_split=ValidSplit(5)`` holds out 20 % of the training set to report a
# validation RMSE each epoch (by default the CNN estimators train on every image);
# the default augmentation adds random flips, rotations, zoom, shifts and contrast
# to every training batch, as the report did.
pipe = make_pipeline(
    ROICrop(output_size=crop_size),
    Grayscale(),
    CNNRegressor(
        module,
        **module_params,
        max_epochs=MAX_EPOCHS,
        lr=2e-3,
        train_split=ValidSplit(5),
        random_state=0,
    ),
)
start = time.perf_counter()
pipe.fit(X_train, y_train)
print(f"fit in {time.perf_counter() - start:.1f} s")

# %%
# Test RMSE against the mean-prediction baseline
# ----------------------------------------------
# The report's first baseline predicts every galaxy's votes as the training mean.
pred = pipe.predict(X_test)
baseline = kaggle_rmse(y_test, np.broadcast_to(y_train.mean(axis=0), y_test.shape))
print(f"CNN test RMSE {kaggle_rmse(y_test, pred):.4f}, mean baseline {baseline:.4f}")

# %%
# Learning curves
# ---------------
# ``history_`` stores the RMSE of each epoch on the (augmented) training batches
# and on the validation split, as Keras' ``history.history`` did in the report.
history = pipe[-1].history_
epochs = history[:, "epoch"]
fig, axes = plt.subplots(1, 2, figsize=(10, 4))
axes[0].plot(epochs, history[:, "train_rmse"], label="training")
axes[0].plot(epochs, history[:, "valid_rmse"], label="validation")
axes[0].axhline(baseline, color="gray", ls="--", label="mean baseline (test)")
axes[0].set(xlabel="epoch", ylabel="RMSE", title="Root-mean-square error")
axes[0].legend()
axes[1].plot(epochs, history[:, "train_loss"], label="training")
axes[1].plot(epochs, history[:, "valid_loss"], label="validation")
axes[1].set(xlabel="epoch", ylabel="MSE loss", title="Loss")
axes[1].legend()
fig.tight_layout()
plt.show()
