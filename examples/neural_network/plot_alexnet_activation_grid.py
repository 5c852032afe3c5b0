"""
===============================================
Twelve AlexNet-like networks in one grid search
===============================================

A neural-networks course assignment [1]_ classifies gray galaxy images by the
plurality answer of their Galaxy Zoo votes with an AlexNet-like network, and
compares twelve variants: four activation functions in the convolutions times 0,
1 or 3 extra convolution layers, by test accuracy and training time (its best:
69 %, ReLU or tanh with no extra layer, a little over five minutes on a GPU).

With :class:`~skgalaxy.neural_network.CNNClassifier` and the ``"alexnet_like"`` preset
(:class:`~skgalaxy.neural_network.AlexNetLike`) the two knobs are the parameters
``module__activation`` and ``module__n_extra_conv``, so the comparison is a single
:class:`~sklearn.model_selection.GridSearchCV`, and ``cv_results_`` holds both the
accuracy and the fit time of every network.

.. [1] "Neural Networks: Assignment 2", course assignment, spring semester 2019
   (AlexNet-like galaxy classifiers on Galaxy Zoo images).
"""

# %%
# Settings
# --------
# The gallery uses ``N_GALAXIES`` small synthetic galaxies at ``IMAGE_SIZE``
# pixels, 2-fold cross-validation and few epochs. The assignment's setting is
# ``IMAGE_SIZE = 60`` with tens of thousands of galaxies and more epochs
# (e.g. ``N_GALAXIES = 20_000``, ``MAX_EPOCHS = 20``), on a GPU.
import matplotlib.pyplot as plt
import numpy as np
import torch
from sklearn.model_selection import GridSearchCV

from skgalaxy.datasets import make_galaxies
from skgalaxy.neural_network import CNNClassifier

# The gallery's networks are tiny: one thread beats two fighting over them.
# Remove this line for full-size networks.
torch.set_num_threads(1)

N_GALAXIES = 300
IMAGE_SIZE = 32
MAX_EPOCHS = 15

# The assignment's label is the plurality answer of the Kaggle votes
# (skgalaxy.datasets.plurality_class(votes)); on synthetic votes that answer is
# mostly "no odd feature", so the gallery uses make_galaxies' four gz1 classes
# (elliptical, spiral, edge-on, merger), balanced, instead.
X, y = make_galaxies(
    N_GALAXIES, image_size=IMAGE_SIZE, n_channels=1, classes="gz1", random_state=0
)
print(X.shape, np.bincount(y))

# %%
# One grid search over activation and depth
# -----------------------------------------
# The assignment's "exponential" activation diverged (an undefined loss); the
# grid here uses ELU in its place. The convolutions and dense layers are narrower
# than the assignment's (96, 256, 384 filters; 1024 and 512 units) to keep the
# gallery fast; drop ``module__filters`` and ``module__hidden_units`` for the
# assignment's network.
clf = CNNClassifier(
    "alexnet_like",
    module__filters=(24, 64, 96, 64),
    module__hidden_units=(64, 32),
    max_epochs=MAX_EPOCHS,
    batch_size=32,
    train_split=None,
    random_state=0,
)
grid = {
    "module__activation": ["relu", "tanh", "sigmoid", "elu"],
    "module__n_extra_conv": [0, 1, 3],
}
search = GridSearchCV(clf, grid, cv=2).fit(X, y)
print("best:", search.best_params_, f"accuracy {search.best_score_:.3f}")

# %%
# The table of the assignment's figure 7
# --------------------------------------
results = search.cv_results_
activations = grid["module__activation"]
depths = grid["module__n_extra_conv"]
acc = np.zeros((len(activations), len(depths)))
fit_time = np.zeros_like(acc)
for params, score, seconds in zip(
    results["params"], results["mean_test_score"], results["mean_fit_time"]
):
    i = activations.index(params["module__activation"])
    j = depths.index(params["module__n_extra_conv"])
    acc[i, j], fit_time[i, j] = score, seconds

header = "activation " + "".join(f"  {d} extra: acc   time" for d in depths)
print(header)
for i, name in enumerate(activations):
    cells = "".join(f"  {acc[i, j]:12.3f} {fit_time[i, j]:5.1f}s" for j in range(3))
    print(f"{name:10s} {cells}")

# %%
# Accuracy against training time
# ------------------------------
fig, ax = plt.subplots(figsize=(7, 4.5))
markers = {0: "o", 1: "s", 3: "^"}
for i, name in enumerate(activations):
    for j, depth in enumerate(depths):
        ax.scatter(
            fit_time[i, j],
            acc[i, j],
            color=f"C{i}",
            marker=markers[depth],
            s=60,
            label=name if j == 0 else None,
        )
for depth, marker in markers.items():
    ax.scatter([], [], color="gray", marker=marker, label=f"{depth} extra conv")
ax.set(
    xlabel="mean fit time per fold (s)",
    ylabel="mean cross-validated accuracy",
    title="Activation x extra convolutions",
)
ax.legend(fontsize="small", ncol=2)
fig.tight_layout()
plt.show()
