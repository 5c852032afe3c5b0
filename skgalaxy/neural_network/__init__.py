"""Neural-network estimators.

- :class:`NumpyMLPClassifier`: a multi-layer perceptron written in NumPy/SciPy.
- :class:`CNNClassifier`, :class:`CNNRegressor`: convolutional networks on skorch.

The classes load on first use, so importing this package never imports torch.
"""

import importlib

# public name -> private module defining it
_LAZY = {
    "NumpyMLPClassifier": "._mlp",
    "CNNClassifier": "._cnn",
    "CNNRegressor": "._cnn",
    "ConvNet": "._modules",
    "Seed001Net": "._modules",
    "Seed004Net": "._modules",
    "VGG16Net": "._modules",
}

__all__ = sorted(_LAZY)


def __getattr__(name):
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name], __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(__all__))
