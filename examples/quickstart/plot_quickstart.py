"""
===============================
Quickstart: a galaxy classifier
===============================

The shortest path from images to a classifier, and a look at what it gets wrong.

skgalaxy's data are stacks of images, ``(n_samples, height, width[,
n_channels])``; its transformers turn them into what an estimator needs inside a
scikit-learn :class:`~sklearn.pipeline.Pipeline`. Here:

- :func:`~skgalaxy.datasets.make_galaxies` draws labelled synthetic galaxies of
  the ten Galaxy10 DECaLS classes (no download);
- :class:`~skgalaxy.preprocessing.Coarsen` averages 4x4 pixel blocks, as a NumPy
  tutorial on Galaxy10 DECaLS does with its 256x256 images (see
  :ref:`references`);
- :class:`~skgalaxy.neural_network.NumpyMLPClassifier`, a network written in
  NumPy, learns the classes;
- :mod:`skgalaxy.plotting` shows the galaxies with their true and predicted
  labels, the confusion matrix and the learning curve.
"""

# %%
# Data
# ----
# ``N_GALAXIES`` keeps the gallery fast; raise it (to 10_000, say) for a better
# classifier. The images are uint8, like survey cutouts.
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline

from skgalaxy.datasets import GALAXY10_CLASSES, make_galaxies
from skgalaxy.neural_network import NumpyMLPClassifier
from skgalaxy.plotting import (
    plot_confusion_matrix,
    plot_galaxies,
    plot_learning_curve,
)
from skgalaxy.preprocessing import Coarsen

N_GALAXIES = 3000

X, y = make_galaxies(N_GALAXIES, image_size=64, random_state=0)
X_train, X_test, y_train, y_test = train_test_split(
    X, y, test_size=0.25, stratify=y, random_state=0
)
print(X.shape, X.dtype)

# %%
# A first look: one galaxy of each class.
first = [list(y).index(k) for k in range(len(GALAXY10_CLASSES))]
fig = plot_galaxies(X[first], y[first], class_names=GALAXY10_CLASSES, ncols=5)

# %%
# A pipeline
# ----------
# Coarsen 64x64x3 images to 16x16x3 (768 numbers per galaxy), then a network
# with one hidden layer. uint8 input becomes float32 in [0, 1] on the way in.
model = make_pipeline(
    Coarsen(factor=4),
    NumpyMLPClassifier(
        hidden_layer_sizes=(128,),
        max_iter=300,
        early_stopping=True,
        random_state=0,
    ),
)
model.fit(X_train, y_train)
print(f"test accuracy: {model.score(X_test, y_test):.3f} (chance: 0.1)")

# %%
# What it gets wrong
# ------------------
# Mistakes are framed in red. Neighbouring classes (round and in-between round,
# tight and loose spirals) are the hard ones, as they are for real galaxies.
y_pred = model.predict(X_test)
fig = plot_galaxies(
    X_test, y_test, y_pred, class_names=GALAXY10_CLASSES, max_images=15, ncols=5
)

# %%
disp = plot_confusion_matrix(
    y_test, y_pred, class_names=GALAXY10_CLASSES, normalize="true", colorbar=False
)

# %%
# How it learned
# --------------
# The training loss per epoch and, with ``early_stopping=True``, the loss and
# accuracy on the held-out validation fraction.
fig = plot_learning_curve(model)
