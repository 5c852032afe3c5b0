"""
==========================================================
Centre crop and a VGG16-style network, with Hubble classes
==========================================================

Miller's project [1]_ crops each Galaxy Zoo image to its central half, resizes
it, and trains an ImageNet-pretrained VGG16 [2]_ with a dense head (1024,
dropout, 1024, 37 sigmoid outputs) on the vote fractions; it then reads Hubble
classes (elliptical, spiral, barred spiral) off the predicted votes.

skgalaxy builds the same backbone without torchvision:
:class:`~skgalaxy.neural_network.VGG16Net` (the ``"vgg16"`` preset) has
torchvision's layer layout, so a torchvision VGG16 state dict saved to a local
file loads into it with ``module__weights``. The gallery trains a narrow
VGG-style network (``module__base_filters=4`` instead of 64, with batch norm)
from scratch on small synthetic galaxies, then shows how real weights are
loaded.

.. [1] W. Miller, "Naming the Stars: Using a Convoluted Neural Network to
   Classify Galaxy Images", William Miller's Projects (project page).
.. [2] K. Simonyan and A. Zisserman, "Very Deep Convolutional Networks for
   Large-Scale Image Recognition", ICLR 2015. https://arxiv.org/abs/1409.1556
"""

# %%
# Settings
# --------
# ``N_GALAXIES``, ``IMAGE_SIZE`` (before the crop) and ``BASE_FILTERS`` keep the
# gallery fast. Miller's setting is 424-pixel images cropped to 212 pixels and
# ``BASE_FILTERS = 64`` with pretrained weights, on a GPU.
import time

import matplotlib.pyplot as plt
import numpy as np
import torch
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline

from skgalaxy.datasets import hubble_class, make_galaxies
from skgalaxy.metrics import kaggle_rmse
from skgalaxy.neural_network import CNNRegressor
from skgalaxy.preprocessing import CenterCrop

# The gallery's networks are tiny: one thread beats two fighting over them.
# Remove this line for full-size networks.
torch.set_num_threads(1)

N_GALAXIES = 300
IMAGE_SIZE = 64
BASE_FILTERS = 4
MAX_EPOCHS = 10

X, _, votes = make_galaxies(
    N_GALAXIES, image_size=IMAGE_SIZE, return_votes=True, random_state=0
)
votes = votes.astype(np.float32)
X_train, X_test, y_train, y_test = train_test_split(
    X, votes, test_size=0.25, random_state=0
)

# %%
# Centre crop + VGG-style regressor
# ---------------------------------
# ``CenterCrop(fraction=0.5, output_size=32)`` keeps the central half, as Miller
# does, and resizes it to 32x32 (the smallest image VGG16's five poolings take).
pipe = make_pipeline(
    CenterCrop(fraction=0.5, output_size=32),
    CNNRegressor(
        "vgg16",
        module__base_filters=BASE_FILTERS,
        module__hidden_units=(64, 64),
        module__dropout=0.5,
        # batch norm (vgg16_bn's layout) keeps a narrow network trainable from scratch
        module__batch_norm=True,
        max_epochs=MAX_EPOCHS,
        lr=1e-3,
        batch_size=32,
        train_split=None,
        random_state=0,
    ),
)
start = time.perf_counter()
pipe.fit(X_train, y_train)
print(f"fit in {time.perf_counter() - start:.1f} s")
pred = pipe.predict(X_test)
baseline = np.broadcast_to(y_train.mean(axis=0), y_test.shape)
print(
    f"test RMSE {kaggle_rmse(y_test, pred):.4f}; "
    f"mean-prediction baseline {kaggle_rmse(y_test, baseline):.4f}"
)

# %%
# Hubble classes from predicted votes
# -----------------------------------
# Miller's rule (:func:`~skgalaxy.datasets.hubble_class`): elliptical when
# Class1.1 passes the threshold, spiral when Class4.1 and Class3.2 do, barred
# spiral when Class4.1 and Class3.1 do. Predicted votes are less extreme than
# volunteers' (Miller noticed the same), so a lower threshold assigns more.
thresholds = np.linspace(0.3, 0.9, 7)
assigned_true = [np.mean(hubble_class(y_test, t) >= 0) for t in thresholds]
assigned_pred = [np.mean(hubble_class(pred, t) >= 0) for t in thresholds]
agree = [np.mean(hubble_class(pred, t) == hubble_class(y_test, t)) for t in thresholds]
fig, ax = plt.subplots(figsize=(6, 4))
ax.plot(thresholds, assigned_true, "o-", label="assigned, true votes")
ax.plot(thresholds, assigned_pred, "s-", label="assigned, predicted votes")
ax.plot(thresholds, agree, "^-", label="same class (incl. unassigned)")
ax.set(xlabel="threshold", ylabel="fraction of test galaxies", title="Hubble classes")
ax.legend()
fig.tight_layout()
plt.show()

# %%
# Loading real VGG16 weights
# --------------------------
# With torchvision installed (anywhere), save its ImageNet weights once::
#
#     import torch, torchvision
#     model = torchvision.models.vgg16(weights="IMAGENET1K_V1")
#     torch.save(model.state_dict(), "vgg16.pth")
#
# and give the file to the estimator; ``module__normalize="imagenet"``
# standardises inputs as the pretrained filters expect, and gray images are
# repeated to three channels::
#
#     CNNRegressor("vgg16", module__weights="vgg16.pth",
#                  module__normalize="imagenet", lr=1e-5)
#
# Here a file with torchvision's key names is written from a randomly
# initialised VGG16 to show the mechanism (no download): the estimator's
# network starts from exactly those filters.
from pathlib import Path  # noqa: E402
from tempfile import TemporaryDirectory  # noqa: E402

from skgalaxy.neural_network import VGG16Net  # noqa: E402

with TemporaryDirectory() as folder:
    path = Path(folder) / "vgg16.pth"
    torchvision_like = VGG16Net(in_channels=3, image_size=32)  # base_filters=64
    state = {
        f"features.{k}": v for k, v in torchvision_like.features.state_dict().items()
    }
    torch.save(state, path)
    net = CNNRegressor("vgg16", module__weights=str(path), module__normalize="imagenet")
    net.set_params(module__image_size=32, module__n_outputs=37).initialize()
    same = torch.equal(
        net.module_.features[0].weight, torchvision_like.features[0].weight
    )
    print(f"first conv loaded from {path.name}: {same}")
