"""
===========================
Find galaxies like this one
===========================

A network trained to classify galaxies learns, on the way, to describe them:
the vector its head sees places galaxies that look alike close together.
:class:`~skgalaxy.neural_network.CNNEmbedder` turns images into those vectors,
so scikit-learn does the rest. Here :class:`~sklearn.neighbors.NearestNeighbors`
finds, in a catalogue the network never saw, the galaxies most like a query
galaxy, and we measure how often they share its class, against the vectors of
the same network with random weights.

Everything runs on :func:`~skgalaxy.datasets.make_galaxies` (SDSS look), so it
needs no download; with your own cutouts, pass them where the synthetic ones go.
"""

# %%
# A classifier to learn from
# --------------------------
# Galaxies of the four Galaxy Zoo 1 classes, rendered over the whole frame and
# cut to the central half at 64 pixels, as real 424-pixel cutouts are read.
# ``N_EPOCHS`` is kept small for the docs; the defaults (60 epochs) learn more.
import matplotlib.pyplot as plt
import numpy as np
from sklearn.neighbors import NearestNeighbors

from skgalaxy.datasets import make_galaxies
from skgalaxy.neural_network import CNNClassifier, CNNEmbedder
from skgalaxy.preprocessing import CenterCrop

N_TRAIN, N_CATALOGUE, N_EPOCHS, K = 1000, 400, 10, 5
NAMES = ["elliptical", "spiral", "edge-on", "merger"]

X, y = make_galaxies(
    N_TRAIN + N_CATALOGUE, image_size=128, classes="gz1", random_state=0
)
X = CenterCrop(0.5, output_size=64).fit_transform(X)
X_train, y_train = X[:N_TRAIN], y[:N_TRAIN]
catalogue, labels = X[N_TRAIN:], y[N_TRAIN:]

clf = CNNClassifier(max_epochs=N_EPOCHS, random_state=0).fit(X_train, y_train)

# %%
# Images to vectors
# -----------------
# ``CNNEmbedder(clf)`` copies the fitted network; its ``transform`` gives the
# globally pooled output of the last stage, one vector per galaxy. With
# ``views=True`` it would average the vectors of the eight rotations and flips
# of each galaxy, which a galaxy's identity does not depend on.
embedder = CNNEmbedder(clf).fit(catalogue)
features = embedder.transform(catalogue)
print(f"catalogue: {features.shape[0]} galaxies, {features.shape[1]} features each")

# %%
# The nearest galaxies
# --------------------
# Cosine distance between the vectors; the first neighbour of a catalogue galaxy
# is itself, so ask for one more.
search = NearestNeighbors(n_neighbors=K + 1, metric="cosine").fit(features)
_, neighbours = search.kneighbors(features)
neighbours = neighbours[:, 1:]

queries = [np.flatnonzero(labels == k)[0] for k in range(len(NAMES))]
fig, axes = plt.subplots(len(queries), K + 1, figsize=(1.6 * (K + 1), 6.6))
for row, q in zip(axes, queries):
    row[0].imshow(catalogue[q])
    row[0].set_title(f"query: {NAMES[labels[q]]}", fontsize=8)
    for ax, j in zip(row[1:], neighbours[q]):
        ax.imshow(catalogue[j])
        ax.set_title(NAMES[labels[j]], fontsize=8)
    for ax in row:
        ax.set_axis_off()
fig.suptitle("Each row: a galaxy and the five most like it")
fig.tight_layout()


# %%
# How good is the search?
# -----------------------
# The share of neighbours in the query's class, over the whole catalogue, for
# the trained network and for the same architecture with random weights
# (``CNNEmbedder()``). A random network already groups galaxies by brightness
# and size; the trained one by what tells the classes apart. Chance is about
# one in four.
def same_class_share(vectors):
    nn = NearestNeighbors(n_neighbors=K + 1, metric="cosine").fit(vectors)
    found = nn.kneighbors(vectors, return_distance=False)[:, 1:]
    return np.mean(labels[found] == labels[:, None])


random_features = CNNEmbedder(random_state=0).fit_transform(catalogue)
for name, vectors in (("trained", features), ("random weights", random_features)):
    print(
        f"{name:>15}: {same_class_share(vectors):.2f} of the neighbours share the class"
    )

# %%
# The same vectors serve other searches: ``IsolationForest().fit(features)``
# ranks unusual galaxies, and ``make_pipeline(CNNEmbedder(clf),
# LogisticRegression())`` is a linear probe.
