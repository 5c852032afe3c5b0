"""skgalaxy: galaxy-morphology image classification with scikit-learn tools.

Subpackages are imported on first use, so ``import skgalaxy`` (and the
``skgalaxy`` command's ``--help``) stays fast and never imports torch.

- :mod:`skgalaxy.preprocessing`: image transformers (crops, grayscale, coarsen, ...).
- :mod:`skgalaxy.neural_network`: the NumPy MLP and the skorch CNN estimators.
- :mod:`skgalaxy.baseline`: the pixel baselines of the Galaxy Zoo challenge.
- :mod:`skgalaxy.datasets`: synthetic galaxies, loaders, the Galaxy Zoo decision tree.
- :mod:`skgalaxy.metrics`: the Kaggle RMSE and friends.
- :mod:`skgalaxy.utils`: validation of image arrays and estimator checks.
"""

import importlib

__version__ = "0.1.0.dev0"

_SUBMODULES = [
    "baseline",
    "datasets",
    "metrics",
    "neural_network",
    "persistence",
    "plotting",
    "preprocessing",
    "utils",
]

# Public names re-exported at the top level, and the subpackage that defines each.
_PUBLIC = {
    **dict.fromkeys(
        [
            "AsinhStretch",
            "CenterCrop",
            "Coarsen",
            "Flatten",
            "Grayscale",
            "ROICrop",
            "Resize",
        ],
        "preprocessing",
    ),
    **dict.fromkeys(
        ["NumpyMLPClassifier", "CNNClassifier", "CNNRegressor"], "neural_network"
    ),
    "PixelBaselineRegressor": "baseline",
    **dict.fromkeys(
        [
            "make_galaxies",
            "load_galaxy10",
            "load_galaxy_zoo",
            "load_galaxy_csv",
            "load_images",
        ],
        "datasets",
    ),
    "kaggle_rmse": "metrics",
}

__all__ = ["__version__", *_SUBMODULES, *_PUBLIC]


def __getattr__(name):
    if name in _SUBMODULES:
        return importlib.import_module(f"{__name__}.{name}")
    if name in _PUBLIC:
        return getattr(importlib.import_module(f"{__name__}.{_PUBLIC[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(__all__))
