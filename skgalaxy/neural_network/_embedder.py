"""CNNEmbedder: images to feature vectors with a (pretrained) network."""

import copy
from numbers import Integral

import numpy as np
import torch
from sklearn.base import BaseEstimator, TransformerMixin, _fit_context
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from ..utils._validation import (
    as_float_images,
    check_image_shape,
    check_images,
    float_dtype,
)
from ._augment import dihedral_views
from ._cnn import (
    _resolve_module_class,
    autocast_dtype,
    batch_to_device,
    check_float32_range,
    memory_format,
)
from ._divergence import DivergenceError
from ._transfer import backbone_state, head_name, load_backbone

__all__ = ["CNNEmbedder"]


def _features(network, x):
    """Return the input of the network's head: what the network learnt to see."""
    if hasattr(network, "embed"):
        return network.embed(x)
    head = dict(network.named_modules())[head_name(network)]
    seen = []
    handle = head.register_forward_hook(lambda m, args, out: seen.append(args[0]))
    try:
        network(x)
    finally:
        handle.remove()
    return torch.flatten(seen[0], 1)


class CNNEmbedder(TransformerMixin, BaseEstimator):
    """Turn images into feature vectors with a convolutional network.

    The features are what a network's head sees: for :class:`ResNet`, the
    globally pooled output of its last stage. From a network trained on galaxies
    (a fitted CNN estimator, or a saved one), they place similar galaxies close
    together, so scikit-learn does the rest: a linear probe
    (``make_pipeline(CNNEmbedder(clf), LogisticRegression())``), similarity search
    with :class:`~sklearn.neighbors.NearestNeighbors`, anomaly search with
    :class:`~sklearn.ensemble.IsolationForest`, clustering, a 2-D map.

    ``fit`` learns nothing from the images: it builds or copies the network and
    records the image shape, so the transformer composes in a Pipeline.

    Parameters
    ----------
    pretrained : CNN estimator, nn.Module, dict, str, path-like or None, \
            default=None
        Where the network comes from: a fitted ``CNNClassifier``/``CNNRegressor``
        (or a Pipeline ending in one) or an ``nn.Module``, used with its own
        architecture; or weights (a ``state_dict()``, a model file written by
        :func:`skgalaxy.persistence.save`, an encoder ``.safetensors`` file, a
        shipped encoder's name) loaded into ``module``. None: ``module`` with
        random weights (seeded by ``random_state``), a baseline that any trained
        network should beat.
    module : str or nn.Module class, default="resnet"
        The architecture built when ``pretrained`` holds only weights (or None),
        with ``in_channels`` and ``image_size`` from the images.
    module_params : dict or None, default=None
        More constructor arguments of ``module`` (e.g. ``{"width": 64}``).
    views : bool, default=False
        Average the features over the eight rotations and flips of each image
        (four for rectangular images), so they do not depend on the galaxy's
        orientation; eight times the cost.
    batch_size : int, default=256
        Images per forward pass.
    device : str, default="auto"
        ``"auto"``: CUDA when available, else the CPU.
    mixed_precision : "auto", bool, "bf16" or "fp16", default="auto"
        As for the CNN estimators: bfloat16 where the device computes it natively.
    random_state : int, RandomState instance or None, default=None
        Seeds the random weights when ``pretrained`` is None.

    Attributes
    ----------
    network_ : nn.Module
        The network, in evaluation mode.
    image_shape_ : tuple of int
        Image shape seen in fit.
    n_features_out_ : int
        Length of each feature vector.

    See Also
    --------
    CNNClassifier : Trains the networks whose features are worth embedding.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.neighbors import NearestNeighbors
    >>> from sklearn.pipeline import make_pipeline
    >>> from skgalaxy.neural_network import CNNEmbedder
    >>> X = np.random.default_rng(0).integers(0, 256, (20, 32, 32, 3), dtype=np.uint8)
    >>> embed = CNNEmbedder(module_params={"width": 8}, random_state=0).fit(X)
    >>> F = embed.transform(X)
    >>> F.shape, F.dtype
    ((20, 32), dtype('float32'))
    >>> NearestNeighbors(n_neighbors=2).fit(F).kneighbors(F[:1])[1][0, 0]
    np.int64(0)
    """

    _parameter_constraints = {
        "pretrained": "no_validation",
        "module": [str, type],
        "module_params": [dict, None],
        "views": ["boolean"],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "device": [str],
        "mixed_precision": ["boolean", StrOptions({"auto", "bf16", "fp16"})],
        "random_state": ["random_state"],
    }

    def __init__(
        self,
        pretrained=None,
        *,
        module="resnet",
        module_params=None,
        views=False,
        batch_size=256,
        device="auto",
        mixed_precision="auto",
        random_state=None,
    ):
        self.pretrained = pretrained
        self.module = module
        self.module_params = module_params
        self.views = views
        self.batch_size = batch_size
        self.device = device
        self.mixed_precision = mixed_precision
        self.random_state = random_state

    def _device(self):
        if self.device == "auto":
            return "cuda" if torch.cuda.is_available() else "cpu"
        return self.device

    def _network(self, X):
        source = self.pretrained
        if hasattr(source, "steps"):
            source = source.steps[-1][1]
        if isinstance(source, torch.nn.Module):
            return copy.deepcopy(source)
        if isinstance(getattr(source, "module_", None), torch.nn.Module):
            return copy.deepcopy(source.module_)
        cls = _resolve_module_class(self.module)
        kwargs = {
            "in_channels": 1 if X.ndim == 3 else X.shape[3],
            "n_outputs": 1,
            "image_size": tuple(X.shape[1:3]),
            **(self.module_params or {}),
        }
        seed = int(check_random_state(self.random_state).randint(2**31 - 1))
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            network = cls(**kwargs)
        if source is not None:
            load_backbone(network, backbone_state(source), source="pretrained")
        return network

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Build (or copy) the network and record the image shape.

        Parameters
        ----------
        X : array-like of shape (n_samples, height, width[, n_channels])
            Images; only their shape is used.
        y : None
            Ignored.

        Returns
        -------
        self : CNNEmbedder
            The fitted transformer.
        """
        X = check_images(X, convert=False, estimator=self)
        if X.dtype != np.uint8:
            check_float32_range(X)
        check_image_shape(self, X, reset=True)
        network = self._network(X)
        device = torch.device(self._device())
        self.network_ = network.to(device).eval()
        self.network_ = self.network_.to(memory_format=memory_format(device.type))
        try:
            probe = self._embed(X[:1])
        except RuntimeError as exc:
            raise ValueError(
                f"The network cannot take images of shape {X.shape[1:]}: "
                f"{str(exc).splitlines()[0]}"
            ) from None
        self.n_features_out_ = probe.shape[1]
        return self

    def _embed(self, X):
        device = self._device()
        device_type = torch.device(device).type
        dtype = autocast_dtype(self.mixed_precision, device_type)
        layout = memory_format(device_type)
        out = []
        with torch.no_grad():
            for start in range(0, len(X), self.batch_size):
                xb = X[start : start + self.batch_size]
                if xb.dtype != np.uint8:
                    xb = as_float_images(xb).astype(np.float32, copy=False)
                x = batch_to_device(np.ascontiguousarray(xb), device)
                views = dihedral_views(x) if self.views else [x]
                total = 0
                for view in views:
                    view = view.contiguous(memory_format=layout)
                    with torch.autocast(
                        device_type,
                        dtype=dtype or torch.float32,
                        enabled=dtype is not None,
                    ):
                        total = total + _features(self.network_, view).float()
                out.append((total / len(views)).cpu().numpy())
        # the package's dtype rule: float64 images give float64 features
        features = np.concatenate(out).astype(float_dtype(X.dtype), copy=False)
        if not np.all(np.isfinite(features)):
            raise DivergenceError(
                "The network computed NaN or infinite features; the images are far "
                "outside the scale it was trained on."
            )
        return features

    def transform(self, X):
        """Return the feature vector of each image.

        Parameters
        ----------
        X : array-like of shape (n_samples, height, width[, n_channels])
            Images of the shape seen in fit.

        Returns
        -------
        features : ndarray of shape (n_samples, n_features_out_)
            The features: float64 for float64 images, float32 otherwise (the
            network computes in float32 or bfloat16 either way).
        """
        check_is_fitted(self)
        X = check_images(X, convert=False, estimator=self)
        if X.dtype != np.uint8:
            check_float32_range(X)
        check_image_shape(self, X, reset=False)
        return self._embed(X)

    def get_feature_names_out(self, input_features=None):
        """Return names for the output features: ``cnnembedder0``, ...

        Parameters
        ----------
        input_features : None
            Ignored (the input is images).

        Returns
        -------
        names : ndarray of str
            One name per feature.
        """
        check_is_fitted(self)
        return np.asarray([f"cnnembedder{i}" for i in range(self.n_features_out_)])

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        tags.input_tags.two_d_array = False
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        tags.requires_fit = True
        tags.non_deterministic = False
        return tags
