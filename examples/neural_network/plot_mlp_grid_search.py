"""
====================================================
Tuning the NumPy network: size, depth and activation
====================================================

Mocz's tutorial [1]_ ends by suggesting other hidden-layer sizes and
regularisation; the course assignment with the AlexNet-like grid [2]_ compares
activations and depths for its CNN. With
:class:`~skgalaxy.neural_network.NumpyMLPClassifier` those are parameters, so
:class:`~sklearn.model_selection.GridSearchCV` can search them: here the number of
hidden units, the number of hidden layers and the activation, on gray synthetic
galaxies of the tutorial's three classes (elliptical, spiral, irregular).

.. [1] P. Mocz, "Create Your Own Artificial Neural Network for Multi-class
   Classification (With Python)", Level Up Coding, 2023. Code:
   https://github.com/pmocz/artificialneuralnetwork-python
.. [2] "Neural Networks: Assignment 2", course assignment, spring semester 2019
   (AlexNet-like galaxy classifiers on Galaxy Zoo images).
"""

# %%
# Sizes
# -----
# Small by default; raise ``N_SAMPLES`` and ``MAX_ITER`` for a more careful search.
N_SAMPLES = 900
MAX_ITER = 60

import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV, StratifiedKFold, train_test_split
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

from skgalaxy.datasets import make_galaxies
from skgalaxy.neural_network import NumpyMLPClassifier
from skgalaxy.preprocessing import Coarsen, Flatten

X, y = make_galaxies(
    N_SAMPLES,
    image_size=32,
    n_channels=1,
    classes="elliptical-spiral-irregular",
    random_state=0,
)
X_train, X_test, y_train, y_test = train_test_split(
    X, y, test_size=0.25, stratify=y, random_state=0
)

# %%
# The pipeline and the grid
# -------------------------
# Coarsen to 16x16, standardise every pixel, then the network. Depth is the
# length of ``hidden_layer_sizes``.
pipe = Pipeline(
    [
        ("coarsen", Coarsen(2)),
        ("flatten", Flatten()),
        ("scale", StandardScaler()),
        (
            "mlp",
            NumpyMLPClassifier(
                solver="adam", alpha=1.0, max_iter=MAX_ITER, random_state=0
            ),
        ),
    ]
)
sizes = [16, 64]
depths = [1, 2]
activations = ["relu", "tanh", "logistic"]
grid = {
    "mlp__hidden_layer_sizes": [(n,) * d for d in depths for n in sizes],
    "mlp__activation": activations,
}
search = GridSearchCV(pipe, grid, cv=StratifiedKFold(3, shuffle=True, random_state=0))
# These networks are small: one BLAS thread runs their many small matrix
# products faster than two that must synchronise (and much faster on a busy
# machine). On more cores, ``n_jobs`` fits candidates in parallel instead.
with warnings.catch_warnings(), threadpool_limits(limits=1):
    # short fits stop at max_iter; the comparison is still fair
    warnings.simplefilter("ignore", ConvergenceWarning)
    search.fit(X_train, y_train)

best = search.best_params_
print(
    f"best: {best['mlp__hidden_layer_sizes']} {best['mlp__activation']}, "
    f"cross-validated accuracy {search.best_score_:.3f}, "
    f"test accuracy {search.score(X_test, y_test):.3f}"
)

# %%
# Scores
# ------
# One group of bars per architecture, one bar per activation, with the spread
# over the folds.
results = search.cv_results_
labels = [f"{d} x {n}" for d in depths for n in sizes]
width = 0.8 / len(activations)
fig, ax = plt.subplots(figsize=(7, 3.5))
for k, activation in enumerate(activations):
    means, stds = [], []
    for layers in grid["mlp__hidden_layer_sizes"]:
        i = next(
            j
            for j, p in enumerate(results["params"])
            if p["mlp__activation"] == activation
            and p["mlp__hidden_layer_sizes"] == layers
        )
        means.append(results["mean_test_score"][i])
        stds.append(results["std_test_score"][i])
    positions = np.arange(len(labels)) + (k - 1) * width
    ax.bar(positions, means, width, yerr=stds, capsize=3, label=activation)
ax.axhline(1 / 3, color="gray", linestyle=":", linewidth=1, label="chance")
ax.set_xticks(np.arange(len(labels)), labels)
ax.set_xlabel("hidden layers x units")
ax.set_ylabel("cross-validated accuracy")
ax.set_ylim(0, 1)
ax.legend(ncols=4, fontsize="small", loc="upper left")
ax.set_title("GridSearchCV over NumpyMLPClassifier")
fig.tight_layout()
plt.show()
