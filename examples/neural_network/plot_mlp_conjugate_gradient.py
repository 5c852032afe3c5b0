"""
========================================================
Conjugate gradient: training and test cost per iteration
========================================================

Philip Mocz's tutorial [1]_ classifies 32x32 gray galaxies as elliptical,
spiral or irregular with a network of 8 sigmoid hidden units, a sigmoid per class
with the binary cross-entropy, an L2 penalty ``lambda / (2 m) sum(Theta**2)`` with
``lambda = 1``, and SciPy's nonlinear conjugate gradient for 600 iterations. It
plots the cost of the training and of the test set at every iteration: the
training cost keeps falling, the test cost reaches a minimum and then rises as the
network overfits. The final model gets 74% of the test set right.

:class:`~skgalaxy.neural_network.NumpyMLPClassifier` with ``solver="cg"``,
``loss="binary_log_loss"`` and ``alpha=1`` is that network. Passing the test set
as ``validation_data`` records its cost (with the same penalty term) at every
iteration in ``validation_loss_curve_``.

The example uses the tutorial's own images when the ``SKGALAXY_SHARED_DATA``
environment variable names a folder holding ``mocz_galaxy32/mocz_galaxy32.npz``;
otherwise it draws the same three classes with
:func:`~skgalaxy.datasets.make_galaxies`.

.. [1] P. Mocz, "Create Your Own Artificial Neural Network for Multi-class
   Classification (With Python)", Level Up Coding, 2023. Code:
   https://github.com/pmocz/artificialneuralnetwork-python
"""

# %%
# Sizes
# -----
# The tutorial runs 600 iterations; the default here is shorter so the example runs
# in seconds. Raise ``MAX_ITER`` to 600 to see the test cost turn up.
MAX_ITER = 150
N_SYNTHETIC = 1500  # images drawn when the tutorial's data is absent

import os
import warnings
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split

from skgalaxy.neural_network import NumpyMLPClassifier


def _shared_data():
    env = os.environ.get("SKGALAXY_SHARED_DATA")
    if env:
        return Path(env)
    # without the variable, look beside the repository's folder
    try:
        root = Path(__file__).resolve().parents[2]
    except NameError:  # run without a file (e.g. pasted into a console)
        root = Path.cwd()
    return root.parent / "shared" / "data"


path = _shared_data() / "mocz_galaxy32" / "mocz_galaxy32.npz"
if path.exists():
    with np.load(path) as data:
        X_train, y_train = data["X_train"], data["y_train"]
        X_test, y_test = data["X_test"], data["y_test"]
    # the files are sorted by class
    order = np.random.RandomState(0).permutation(len(y_train))
    X_train, y_train = X_train[order], y_train[order]
    source = "the tutorial's galaxies"
else:
    from skgalaxy.datasets import make_galaxies

    X, y = make_galaxies(
        N_SYNTHETIC,
        image_size=32,
        n_channels=1,
        classes="elliptical-spiral-irregular",
        random_state=0,
    )
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.2, stratify=y, random_state=0
    )
    source = "synthetic galaxies"
print(f"{source}: {len(X_train)} training and {len(X_test)} test images")

# %%
# The tutorial's network
# -----------------------
clf = NumpyMLPClassifier(
    hidden_layer_sizes=(8,),
    activation="sigmoid",
    loss="binary_log_loss",
    alpha=1.0,
    solver="cg",
    max_iter=MAX_ITER,
    random_state=0,
)
with warnings.catch_warnings():
    # the tutorial stops after a fixed number of iterations, not at convergence
    warnings.simplefilter("ignore", ConvergenceWarning)
    clf.fit(X_train, y_train, validation_data=(X_test, y_test))
print(f"{clf.n_iter_} conjugate-gradient iterations")
print(f"training accuracy {clf.score(X_train, y_train):.3f}")
print(f"test accuracy     {clf.score(X_test, y_test):.3f} (the tutorial: 0.74 at 600)")

# %%
# Cost per iteration
# ------------------
iterations = np.arange(1, clf.n_iter_ + 1)
best = int(np.argmin(clf.validation_loss_curve_))
fig, ax = plt.subplots(figsize=(6, 3.5))
ax.plot(iterations, clf.loss_curve_, label="training cost")
ax.plot(iterations, clf.validation_loss_curve_, label="test cost")
ax.axvline(best + 1, color="gray", linestyle=":", label="lowest test cost")
ax.set_xlabel("conjugate-gradient iteration")
ax.set_ylabel("cost J (cross-entropy + L2)")
ax.set_title(f"The tutorial's network on {source}")
ax.legend()
fig.tight_layout()
plt.show()

# %%
# Stopping at the minimum
# -----------------------
# ``early_stopping=True`` watches the validation cost instead, stops
# ``n_iter_no_change`` iterations after its minimum and restores the weights of
# that iteration. (As in the tutorial, the test set doubles as the validation set
# here; in real work keep a separate one.)
stopped = NumpyMLPClassifier(
    hidden_layer_sizes=(8,),
    activation="sigmoid",
    loss="binary_log_loss",
    alpha=1.0,
    solver="cg",
    max_iter=MAX_ITER,
    early_stopping=True,
    n_iter_no_change=20,
    random_state=0,
)
with warnings.catch_warnings():
    warnings.simplefilter("ignore", ConvergenceWarning)
    stopped.fit(X_train, y_train, validation_data=(X_test, y_test))
print(
    f"early stopping: {stopped.n_iter_} iterations, best validation cost "
    f"{stopped.best_validation_loss_:.4f}, test accuracy "
    f"{stopped.score(X_test, y_test):.3f}"
)
