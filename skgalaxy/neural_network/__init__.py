"""Neural-network estimators.

- :class:`NumpyMLPClassifier`: a multi-layer perceptron written in NumPy/SciPy.
- :class:`CNNClassifier`, :class:`CNNRegressor`: convolutional networks on skorch.
- :class:`CNNEmbedder`: images to feature vectors with a (pretrained) network.
- The networks they train (:class:`ResNet`, :class:`RotationInvariantResNet`,
  :class:`ConvNet`, :class:`GalaxyZooNet`,
  :class:`AlexNetLike`, :class:`VGG16Net`), plain ``nn.Module`` classes.

The classes load on first use, so importing this package never imports torch. The
torch-side modules are imported only after checking that the ``torch`` extra is
installed, so a missing extra gets an ImportError that says what to install.
"""

import importlib

from ..utils._optional import import_optional

# public name -> private module defining it
_LAZY = {
    "NumpyMLPClassifier": "._mlp",
    "CNNClassifier": "._cnn",
    "CNNRegressor": "._cnn",
    "CNNEmbedder": "._embedder",
    "DivergenceError": "._divergence",
    "ConvNet": "._modules",
    "ResNet": "._modules",
    "RotationInvariantResNet": "._modules",
    "GalaxyZooNet": "._modules",
    "AlexNetLike": "._modules",
    "VGG16Net": "._modules",
}
# modules that need the torch extra (torch and skorch)
_TORCH_MODULES = {
    "._cnn": ("torch", "skorch"),
    "._embedder": ("torch", "skorch"),
    "._modules": ("torch",),
}

__all__ = sorted(_LAZY)


def __getattr__(name):
    if name in _LAZY:
        module = _LAZY[name]
        for package in _TORCH_MODULES.get(module, ()):
            import_optional(package, extra="torch", feature=name)
        return getattr(importlib.import_module(module, __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(__all__))
