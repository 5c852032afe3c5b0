"""
===================================================
A NumPy network with momentum on coarsened galaxies
===================================================

A NumPy tutorial [1]_ writes a neural network from scratch: one sigmoid hidden
layer, a sigmoid output per class trained on the squared error against 0.01/0.99
targets, mini-batches of 64 and momentum in its moving-average form
``v = 0.9 v + 0.1 grad``, ``W -= 0.2 v``. Its images, Galaxy10 DECaLS at 256x256x3,
are first coarsened 4x by block averaging; each epoch prints the fraction of the
test set classified correctly and the time it took.

Here the same network is a :class:`~skgalaxy.neural_network.NumpyMLPClassifier`
behind :class:`~skgalaxy.preprocessing.Coarsen` in a pipeline, trained on
synthetic Galaxy10-like images from :func:`~skgalaxy.datasets.make_galaxies`.
``verbose=1`` prints the tutorial's epoch table.

.. [1] "Galaxy Classification with a Neural Net from Scratch", a tutorial that
   builds the network in NumPy and trains it on Galaxy10 DECaLS.
"""

# %%
# Sizes
# -----
# Small by default so the example runs in seconds. The tutorial used 14,188 training
# images, 500 hidden units and 100 epochs: raise these to get closer.
N_SAMPLES = 2000
N_HIDDEN = 100
N_EPOCHS = 20

import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.pipeline import Pipeline

from skgalaxy.datasets import make_galaxies
from skgalaxy.neural_network import NumpyMLPClassifier
from skgalaxy.preprocessing import Coarsen

X, y = make_galaxies(N_SAMPLES, image_size=64, random_state=0)
X_train, X_test, y_train, y_test = train_test_split(
    X, y, test_size=0.2, stratify=y, random_state=0
)
print(f"{len(X_train)} training and {len(X_test)} test images of shape {X.shape[1:]}")

# %%
# The tutorial's network
# -----------------------
# The test set is passed as ``validation_data`` so every epoch reports its
# accuracy, as in the tutorial (it is only monitored: no early stopping). It skips
# the pipeline, so it is coarsened here by hand.
mlp = NumpyMLPClassifier(
    hidden_layer_sizes=(N_HIDDEN,),
    activation="sigmoid",
    loss="squared_error",
    solver="sgd",
    learning_rate_init=0.2,
    momentum=0.9,
    nesterovs_momentum=False,
    alpha=0.0,
    batch_size=64,
    max_iter=N_EPOCHS,
    tol=0.0,  # run every epoch, as the tutorial does
    verbose=1,
    random_state=0,
)
pipe = Pipeline([("coarsen", Coarsen(4)), ("mlp", mlp)])
X_test_small = Coarsen(4).fit_transform(X_test)

with warnings.catch_warnings():
    # a fixed number of epochs never "converges"; that is the point here
    warnings.simplefilter("ignore", ConvergenceWarning)
    pipe.fit(X_train, y_train, mlp__validation_data=(X_test_small, y_test))

print(f"input: {mlp.image_shape_} = {mlp.n_features_in_} features")
print(f"test accuracy after {mlp.n_iter_} epochs: {pipe.score(X_test, y_test):.3f}")

# %%
# A modern variant
# ----------------
# The tutorial ends by blaming the sigmoid's vanishing gradients. The same estimator
# with relu units, a softmax output with the cross-entropy and Adam learns
# faster on the same data: only parameters change.
modern = NumpyMLPClassifier(
    hidden_layer_sizes=(N_HIDDEN,),
    activation="relu",
    loss="log_loss",
    solver="adam",
    learning_rate_init=1e-3,
    batch_size=64,
    max_iter=N_EPOCHS,
    tol=0.0,
    random_state=0,
)
modern_pipe = Pipeline([("coarsen", Coarsen(4)), ("mlp", modern)])
with warnings.catch_warnings():
    warnings.simplefilter("ignore", ConvergenceWarning)
    modern_pipe.fit(X_train, y_train, mlp__validation_data=(X_test_small, y_test))
print(f"relu + softmax + adam: test accuracy {modern_pipe.score(X_test, y_test):.3f}")

# %%
# Learning curves
# ---------------
# The training loss falls steadily; momentum keeps the test accuracy from
# swinging much between epochs, as the tutorial notes. (The two losses differ, so
# only their shapes compare.)
epochs = np.arange(1, N_EPOCHS + 1)
fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(9, 3.5))
ax_loss.plot(epochs, mlp.loss_curve_, "o-", label="sigmoid/sgd (squared error)")
ax_loss.plot(epochs, modern.loss_curve_, "s-", label="relu/adam (log loss)")
ax_loss.set_xlabel("epoch")
ax_loss.set_ylabel("training loss")
ax_loss.legend()
ax_acc.plot(epochs, mlp.validation_score_curve_, "o-", label="sigmoid/sgd")
ax_acc.plot(epochs, modern.validation_score_curve_, "s-", label="relu/adam")
ax_acc.axhline(1 / 10, color="gray", linestyle=":", linewidth=1, label="chance")
ax_acc.set_xlabel("epoch")
ax_acc.set_ylabel("test accuracy")
ax_acc.legend()
fig.suptitle("NumPy networks on coarsened 16x16x3 galaxies")
fig.tight_layout()
plt.show()
