"""CNNRegressor and CNNClassifier: convolutional networks on skorch.

The estimators subclass skorch's ``NeuralNetRegressor`` / ``NeuralNetClassifier`` and
follow skorch's conventions (``module__*``, ``optimizer__*``, ``iterator_train__*``,
``callbacks__*`` parameters, ``history_``); what they add for galaxy images:

- image input ``(n, h, w)`` or ``(n, h, w, c)`` validated by skgalaxy's
  :func:`~skgalaxy.utils.check_images`; uint8 images stay uint8 in memory and are
  moved to the device once per batch, then converted to float32 channels-first
  there (with random flips, rotations, zoom and contrast when training);
- the module's ``in_channels``, ``n_outputs`` and ``image_size`` filled from the data;
- ``device="auto"``, ``random_state``, ``tta``, ``mixed_precision`` and shortcuts for
  the usual callbacks (early stopping, learning-rate schedule, gradient clipping,
  checkpoint/resume, progress bar) as plain parameters.
"""

import contextlib
import inspect
from numbers import Integral, Real

import numpy as np
import torch
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import (
    Interval,
    Options,
    StrOptions,
    validate_parameter_constraints,
)
from sklearn.utils.class_weight import compute_class_weight
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted
from skorch import NeuralNetClassifier, NeuralNetRegressor
from skorch.callbacks import (
    EarlyStopping,
    EpochTimer,
    GradientNormClipping,
    LRScheduler,
    PassthroughScoring,
    PrintLog,
    ProgressBar,
)
from skorch.utils import is_dataset
from torch.utils.data import DataLoader, default_collate

from ..datasets import PARENT_INDEX, QUESTION_SLICES, tree_consistency_error
from ..utils._validation import as_float_images, check_image_shape, check_images
from ._augment import augment_batch, dihedral_views, resolve_augment
from ._callbacks import (
    DivergenceCheck,
    EpochMetric,
    TrainingCheckpoint,
    WarmupCosineLR,
)
from ._divergence import DivergenceError
from ._modules import PRESETS, ResNet
from ._transfer import (
    backbone_state,
    freeze_parameters,
    frozen_modules,
    load_backbone,
)

__all__ = ["CNNClassifier", "CNNRegressor"]

# Targets whose squares (the MSE loss, in float32) stay far from overflow.
_MAX_TARGET = 1e15
_LR_SCHEDULES = ("warmup_cosine", "cosine", "plateau", "step")


# --------------------------------------------------------------------------- data
class _Batch(tuple):
    """A batch already collated by :meth:`_ImageDataset.__getitems__`."""


def _collate(batch):
    if isinstance(batch, _Batch):
        return list(batch)
    return default_collate(batch)


class _ImageDataset(torch.utils.data.Dataset):
    """Images (any dtype, channels last) and targets; batches by fancy indexing.

    ``__getitems__`` gathers a whole batch with one NumPy indexing operation, so a
    uint8 dataset is copied once per batch, as uint8.
    """

    def __init__(self, X, y=None):
        self.X = X
        self.y = y

    def __len__(self):
        return len(self.X)

    def _y(self, idx):
        if self.y is None:
            return torch.zeros(np.size(idx))
        return torch.from_numpy(np.ascontiguousarray(self.y[idx]))

    def __getitem__(self, i):
        return torch.from_numpy(np.ascontiguousarray(self.X[i])), self._y(i)

    def __getitems__(self, indices):
        idx = np.asarray(indices, dtype=np.intp)
        return _Batch(
            (torch.from_numpy(np.ascontiguousarray(self.X[idx])), self._y(idx))
        )


# ------------------------------------------------------------------------ heads
def _tree_head(logits):
    """Galaxy Zoo tree outputs: per-question softmax times the parent's fraction."""
    columns = []  # one tensor per answer column, filled in question order
    for sl, parent in zip(QUESTION_SLICES, PARENT_INDEX):
        p = torch.softmax(logits[:, sl], dim=1)
        if parent >= 0:
            p = p * columns[parent]
        columns.extend(p[:, j : j + 1] for j in range(p.shape[1]))
    return torch.cat(columns, dim=1)


_HEADS = {
    "sigmoid": torch.sigmoid,
    "tree": _tree_head,
    "linear": lambda x: x,
}


# ------------------------------------------------------------------------- base
def _resolve_module_class(module):
    if isinstance(module, str):
        try:
            return PRESETS[module.lower()]
        except KeyError:
            raise ValueError(
                f"Unknown module preset {module!r}; expected one of "
                f"{sorted(PRESETS)} or an nn.Module class."
            ) from None
    if isinstance(module, torch.nn.Module):
        return type(module)
    if callable(module):
        return module
    raise TypeError(
        f"module must be a preset name {sorted(PRESETS)}, an nn.Module class or "
        f"instance, got {module!r}."
    )


def bf16_supported(device_type="cpu"):
    """Whether ``device_type`` computes in bfloat16 natively (fast autocast).

    Parameters
    ----------
    device_type : {"cpu", "cuda"}, default="cpu"
        The torch device type.

    Returns
    -------
    supported : bool
        For CUDA, what ``torch.cuda.is_bf16_supported()`` says; for the CPU,
        whether it has AVX-512 BF16 or AMX instructions. Anything else is False,
        so ``mixed_precision="auto"`` falls back to float32.

    Examples
    --------
    >>> from skgalaxy.neural_network._cnn import bf16_supported
    >>> isinstance(bf16_supported("cpu"), bool)
    True
    """
    if device_type == "cuda":
        return bool(torch.cuda.is_available() and torch.cuda.is_bf16_supported())
    if device_type != "cpu":
        return False
    try:  # private probes of torch's CPU capabilities; absent in some versions
        return bool(
            torch.cpu._is_avx512_bf16_supported() or torch.cpu._is_amx_tile_supported()
        )
    except AttributeError:
        return False


def memory_format(device_type="cpu"):
    """Return the memory layout of the CNNs' convolutions on ``device_type``.

    Parameters
    ----------
    device_type : {"cpu", "cuda"}, default="cpu"
        The torch device type.

    Returns
    -------
    memory_format : torch.memory_format
        ``torch.channels_last`` on CUDA (cuDNN) and on CPUs with AVX-512, where
        oneDNN's channels-last kernels are the fastest; channels-first
        (``torch.contiguous_format``) on other CPUs: on an AVX2-only CPU (AMD
        EPYC, Zen 1) the channels-last backward pass of small ResNets corrupted
        the heap and crashed (torch 2.13, one thread). The price there is speed:
        the default network at 64x64 trains about 15 % slower channels-first.

    Examples
    --------
    >>> import torch
    >>> from skgalaxy.neural_network._cnn import memory_format
    >>> memory_format("cuda") is torch.channels_last
    True
    """
    if device_type != "cpu":
        return torch.channels_last
    capability = torch.backends.cpu.get_cpu_capability()
    if capability.startswith("AVX512"):
        return torch.channels_last
    return torch.contiguous_format


def autocast_dtype(mixed_precision, device_type):
    """Return the autocast dtype a ``mixed_precision`` setting asks for, or None.

    Parameters
    ----------
    mixed_precision : "auto", bool, "bf16" or "fp16"
        The estimators' parameter.
    device_type : str
        ``"cpu"`` or ``"cuda"``.

    Returns
    -------
    dtype : torch.dtype or None
        None means float32 (no autocast).
    """
    if mixed_precision == "auto":
        return torch.bfloat16 if bf16_supported(device_type) else None
    if mixed_precision in (True, "bf16"):
        return torch.bfloat16
    if mixed_precision == "fp16":
        return torch.float16
    return None


def batch_to_device(x, device):
    """Move a batch of images to ``device`` once, as float32 channels-first.

    uint8 batches travel as uint8 and are scaled to [0, 1] on the device (a
    quarter of the bytes to move); the channels-last layout is kept (NHWC to
    NCHW is a view with channels-last strides, what the networks run fastest on).

    Parameters
    ----------
    x : array-like or torch.Tensor of shape (n, height, width[, channels])
        Images.
    device : str or torch.device
        Where to put them.

    Returns
    -------
    x : torch.Tensor of shape (n, channels, height, width)
        float32.
    """
    x = torch.as_tensor(x)
    if x.device != torch.device(device):
        x = x.to(device, non_blocking=True)
    if x.dtype == torch.uint8:
        x = x.to(torch.float32).mul_(1.0 / 255.0)
    elif x.dtype != torch.float32:
        x = x.to(torch.float32)
    return x.unsqueeze(1) if x.ndim == 3 else x.permute(0, 3, 1, 2)


def check_float32_range(X, name="X"):
    """Refuse images beyond float32, which the networks compute in.

    Parameters
    ----------
    X : ndarray
        Float images.
    name : str, default="X"
        Named in the message.

    Returns
    -------
    peak : float
        The largest absolute pixel value.
    """
    peak = float(np.max(np.abs(X))) if X.size else 0.0
    if peak > float(np.finfo(np.float32).max):
        raise ValueError(
            f"{name} has pixel values up to {peak:.3g}, beyond float32 (the networks "
            "compute in float32 or bfloat16); scale the images, e.g. to [0, 1] or "
            "with an asinh stretch."
        )
    return peak


def _auto_device():
    return "cuda" if torch.cuda.is_available() else "cpu"


class _CNNMixin:
    """What CNNRegressor and CNNClassifier share (left of the skorch net)."""

    _output_kind = "rmse"

    # Checked in fit (skorch owns __init__); module, augment dicts and the
    # module__* parameters get checks of their own.
    _parameter_constraints = {
        "module": [str, type, torch.nn.Module, callable],
        "augment": ["boolean", dict, None],
        "tta": ["boolean"],
        "early_stopping": [Interval(Integral, 1, None, closed="left"), None],
        "lr_schedule": [StrOptions(set(_LR_SCHEDULES)), None],
        "clip_grad_norm": [Interval(Real, 0, None, closed="neither"), None],
        "mixed_precision": ["boolean", StrOptions({"auto", "bf16", "fp16"})],
        "max_epochs": [Interval(Integral, 1, None, closed="left")],
        "batch_size": [Interval(Integral, 1, None, closed="left"), Options(int, {-1})],
        "random_state": ["random_state"],
        "weight_decay": [Interval(Real, 0, None, closed="left"), None],
        "freeze": [
            StrOptions({"none", "backbone"}),
            Interval(Integral, 0, None, closed="left"),
        ],
    }

    # ------------------------------------------------------------- parameters
    # ``device`` is the parameter as the user gave it (``"auto"`` included); what
    # skorch and torch read as ``self.device`` is the resolved device. The
    # parameter lives in ``__dict__`` (skorch's get_params lists ``__dict__``), so
    # fitting never overwrites it.
    @property
    def device(self):
        """The torch device: the ``device`` parameter with ``"auto"`` resolved."""
        requested = self.__dict__.get("device", "auto")
        if requested != "auto":
            return requested
        return self.__dict__.get("device_") or _auto_device()

    @device.setter
    def device(self, value):
        self.__dict__["device"] = value
        self.__dict__.pop("device_", None)

    def get_params(self, deep=True, **kwargs):
        params = super().get_params(deep=deep, **kwargs)
        if "device" in params:
            params["device"] = self.__dict__.get("device")
        return params

    def __getstate__(self):
        state = super().__getstate__()
        # A pickle records the resolved device, so that skorch's unpickling maps
        # a GPU-trained net to the CPU (with its DeviceWarning) where needed.
        state["device"] = self.device
        return state

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        tags.input_tags.two_d_array = False
        return tags

    def _check_params(self):
        validate_parameter_constraints(
            self._parameter_constraints,
            self.get_params(deep=False),
            caller_name=type(self).__name__,
        )
        resolve_augment(self.augment)
        _resolve_module_class(self.module)

    # ----------------------------------------------------------------- device
    def _resolve_device(self):
        requested = self.__dict__.get("device")
        if requested != "auto":
            try:
                kind = torch.device(requested).type
            except (RuntimeError, TypeError, ValueError):
                raise ValueError(
                    f"device={requested!r} is not a torch device; use 'auto' (CUDA "
                    "when present, else the CPU), 'cpu', 'cuda' or 'cuda:N'."
                ) from None
            available = {
                "cpu": True,
                "cuda": torch.cuda.is_available(),
                "mps": torch.backends.mps.is_available(),
            }
            if not available.get(kind, False):
                what = (
                    "is not available on this machine"
                    if kind in available
                    else ("is not a device skgalaxy trains on")
                )
                raise ValueError(
                    f"device={requested!r}: {kind.upper()} {what}; use "
                    "device='auto' (CUDA when present, else the CPU) or device='cpu'."
                )
            return
        self.device_ = _auto_device()
        if self.verbose:
            name = torch.cuda.get_device_name() if self.device_ == "cuda" else "CPU"
            print(
                f"{type(self).__name__}: device='auto' resolved to {self.device_!r} "
                f"({name})."
            )

    def _device_type(self):
        if self.device in (None, "auto"):
            return "cpu"
        return torch.device(self.device).type

    @contextlib.contextmanager
    def _rng_context(self):
        """Seed torch inside fit from random_state without touching global state."""
        seed = int(
            check_random_state(self.random_state).randint(np.iinfo(np.int32).max)
        )
        devices = []
        if self._device_type() == "cuda" and torch.cuda.is_available():
            index = torch.device(self.device).index
            devices = [torch.cuda.current_device() if index is None else index]
        with torch.random.fork_rng(devices=devices):
            torch.manual_seed(seed)
            if not devices:
                yield
                return
            # cuDNN autotuning for the fixed image size; restored afterwards
            previous = torch.backends.cudnn.benchmark
            torch.backends.cudnn.benchmark = True
            try:
                yield
            finally:
                torch.backends.cudnn.benchmark = previous

    def _autocast_dtype(self):
        """Return the autocast dtype ``mixed_precision`` asks for here, or None."""
        return autocast_dtype(self.mixed_precision, self._device_type())

    def _autocast(self):
        dtype = self._autocast_dtype()
        if dtype is None:
            return contextlib.nullcontext()
        return torch.autocast(self._device_type(), dtype=dtype)

    # ------------------------------------------------------------------ input
    def _validate_X(self, X, *, reset):
        if is_dataset(X):
            raise TypeError(
                f"{type(self).__name__} takes image arrays (n, h, w[, c]), not a "
                "torch Dataset."
            )
        X = check_images(X, convert=False, estimator=self)
        if X.dtype != np.uint8:
            # uint8 stays uint8 in memory (batches convert on the device); other
            # integers, bools and float16 follow the package's dtype rule
            X = as_float_images(X)
            peak = check_float32_range(X)
            if reset:
                self._input_peak_ = peak  # named when training diverges
        elif reset:
            self._input_peak_ = 1.0
        if reset:
            check_image_shape(self, X, reset=True)
        elif hasattr(self, "image_shape_"):
            check_image_shape(self, X, reset=False)
        return X

    def _module_data_kwargs(self):
        shape = getattr(self, "image_shape_", None)
        kwargs = {}
        if shape is not None:
            kwargs["in_channels"] = 1 if len(shape) == 2 else shape[2]
            kwargs["image_size"] = tuple(shape[:2])
        if getattr(self, "n_outputs_", None) is not None:
            kwargs["n_outputs"] = self.n_outputs_
        return kwargs

    def _check_module_params(self):
        """Check that module parameters set by hand agree with the data."""
        data = self._module_data_kwargs()
        for key, value in data.items():
            given = self.__dict__.get(f"module__{key}")
            if given is None:
                continue
            if key == "image_size" and isinstance(given, Integral):
                given = (given, given)
            if tuple(np.atleast_1d(given)) != tuple(np.atleast_1d(value)):
                raise ValueError(
                    f"module__{key}={given!r} does not match the training data "
                    f"({key}={value!r}); leave it unset, it is inferred at fit."
                )

    # ---------------------------------------------------------------- initialize
    def initialize(self):
        self._resolve_device()
        return super().initialize()

    def initialize_module(self):
        kwargs = self.get_params_for("module")
        if isinstance(self.module, torch.nn.Module) and not kwargs:
            module = self.module
        else:
            cls = _resolve_module_class(self.module)
            try:
                accepted = inspect.signature(cls).parameters
            except (TypeError, ValueError):
                accepted = {}
            var_kw = any(p.kind == p.VAR_KEYWORD for p in accepted.values())
            for key, value in self._module_data_kwargs().items():
                if key not in kwargs and (key in accepted or var_kw):
                    kwargs[key] = value
            module = cls(**kwargs)
            self._init_output_bias(module)
        if self.pretrained is not None:
            load_backbone(module, backbone_state(self.pretrained))
        freeze_parameters(frozen_modules(module, self.freeze))
        # channels-last where oneDNN (AVX-512) and cuDNN convolutions run fastest
        self.module_ = module.to(memory_format=memory_format(self._device_type()))
        return self

    def _set_training(self, training=True):
        super()._set_training(training)
        if training and self.freeze != "none":
            # frozen parts stay in evaluation mode: their batch-norm statistics
            # and dropout do not change either
            for part in frozen_modules(self.module_, self.freeze):
                part.eval()

    def initialize_optimizer(self, triggered_directly=None):
        named = [(n, p) for n, p in self.get_all_learnable_params() if p.requires_grad]
        args, kwargs = self.get_params_for_optimizer("optimizer", named)
        wd = self.weight_decay
        takes_wd = "weight_decay" in inspect.signature(self.optimizer).parameters
        if wd and takes_wd and "weight_decay" not in kwargs:
            if "optimizer__param_groups" in self.__dict__:
                kwargs["weight_decay"] = wd  # the user's groups, decayed alike
            else:
                # decay the weights, not the biases and norm scales (as AdamW is
                # usually run): decaying a batch-norm scale only fights the norm
                decay = [p for _, p in named if p.ndim > 1]
                other = [p for _, p in named if p.ndim <= 1]
                args = (
                    [
                        {"params": decay, "weight_decay": wd},
                        {"params": other, "weight_decay": 0.0},
                    ],
                )
        self.optimizer_ = self.optimizer(*args, **kwargs)
        return self

    def _init_output_bias(self, module):
        """Start the output layer at the targets' prior (see the Notes)."""
        prior = self._output_bias_prior()
        if prior is None:
            return
        last = [m for m in module.modules() if isinstance(m, torch.nn.Linear)]
        if not last or last[-1].bias is None or last[-1].out_features != len(prior):
            return
        with torch.no_grad():
            last[-1].bias.copy_(torch.as_tensor(prior, dtype=last[-1].bias.dtype))

    def _output_bias_prior(self):
        return None

    @property
    def _default_callbacks(self):
        # skorch's get_params(deep=True) reads this before fit has validated the
        # parameters (even inside skorch's __init__), so it is built from them
        # without ever raising; fit validates them first, so a fitted net always
        # got the callbacks its parameters say.
        params = self.__dict__
        monitor = "valid_loss" if params.get("train_split") else "train_loss"
        cbs = [
            ("epoch_timer", EpochTimer()),
            ("train_loss", PassthroughScoring(name="train_loss", on_train=True)),
            ("valid_loss", PassthroughScoring(name="valid_loss")),
            (self._output_kind, EpochMetric(self._output_kind)),
        ]
        if params.get("clip_grad_norm") is not None:
            cbs.append(
                ("clip_grad_norm", GradientNormClipping(params["clip_grad_norm"]))
            )
        schedule = params.get("lr_schedule")
        if schedule == "warmup_cosine":
            cbs.append(("lr_schedule", WarmupCosineLR()))
        elif schedule == "plateau":  # Hildebrandt's ReduceLROnPlateau
            policy = LRScheduler(
                "ReduceLROnPlateau",
                monitor=monitor,
                factor=0.2,
                patience=7,
                min_lr=1e-5,
            )
            cbs.append(("lr_schedule", policy))
        elif schedule == "step":  # Hildebrandt's decay_schedule
            cbs.append(("lr_schedule", LRScheduler("StepLR", step_size=10, gamma=0.8)))
        elif schedule == "cosine":
            epochs = params.get("max_epochs")
            t_max = epochs if isinstance(epochs, Integral) and epochs > 0 else 1
            cbs.append(("lr_schedule", LRScheduler("CosineAnnealingLR", T_max=t_max)))
        patience = params.get("early_stopping")
        if isinstance(patience, Integral) and not isinstance(patience, bool):
            cbs.append(
                (
                    "early_stopping",
                    EarlyStopping(monitor=monitor, patience=patience, load_best=True),
                )
            )
        cbs.append(("divergence", DivergenceCheck()))
        if params.get("checkpoint") is not None:
            cbs.append(("checkpoint", TrainingCheckpoint(params["checkpoint"])))
        if params.get("verbose"):
            cbs.append(("progress_bar", ProgressBar()))
        cbs.append(("print_log", PrintLog()))
        return cbs

    # ---------------------------------------------------------------- batches
    def get_dataset(self, X, y=None):
        if is_dataset(X):
            return X
        return _ImageDataset(X, y)

    def get_iterator(self, dataset, training=False):
        prefix = "iterator_train" if training else "iterator_valid"
        iterator = self.iterator_train if training else self.iterator_valid
        kwargs = self.get_params_for(prefix)
        kwargs.setdefault("batch_size", self.batch_size)
        if kwargs["batch_size"] == -1:
            kwargs["batch_size"] = len(dataset)
        if iterator is DataLoader:
            kwargs.setdefault("collate_fn", _collate)
            if training:
                kwargs.setdefault("shuffle", True)
                if len(dataset) > 1 and len(dataset) % kwargs["batch_size"] == 1:
                    # a last batch of one image: batch norm cannot train on it
                    kwargs.setdefault("drop_last", True)
            if self._device_type() == "cuda":
                kwargs.setdefault("pin_memory", True)
        return iterator(dataset, **kwargs)

    def _prepare_batch(self, x):
        """Move a batch to the device once, then make it float32 channels-first."""
        return batch_to_device(x, self.device)

    def _forward_module(self, x, **fit_params):
        # after augmentation or a TTA view: back to the module's layout (a
        # no-op when the batch already is in it)
        x = x.contiguous(memory_format=memory_format(self._device_type()))
        with self._autocast():
            out = self.module_(x, **fit_params)
        return out.float()

    def infer(self, x, **fit_params):
        x = self._prepare_batch(x)
        if self.module_.training:
            options = resolve_augment(self.augment)
            if options is not None:
                x = augment_batch(x, options)
        return self._train_output(self._forward_module(x, **fit_params))

    def _predict_outputs(self, X):
        """Return the prediction head's outputs (fractions or probabilities)."""
        check_is_fitted(self)
        X = self._validate_X(X, reset=False)
        iterator = self.get_iterator(_ImageDataset(X), training=False)
        self._set_training(False)
        outputs = []
        with torch.no_grad():
            for xb, _ in iterator:
                x = self._prepare_batch(xb)
                if self.tta:
                    views = dihedral_views(x)
                    out = sum(
                        self._predict_head(self._forward_module(v)) for v in views
                    )
                    out = out / len(views)
                else:
                    out = self._predict_head(self._forward_module(x))
                outputs.append(out.cpu().numpy())
        outputs = np.concatenate(outputs, axis=0)
        if not np.all(np.isfinite(outputs)):
            raise DivergenceError(
                f"{type(self).__name__} computed NaN or infinite outputs for "
                f"{int(np.sum(~np.isfinite(outputs).all(axis=1)))} of {len(X)} "
                "images: the network is broken (diverged training?) or the images "
                "are far outside the scale it was trained on. Refit with a lower lr."
            )
        return outputs

    # -------------------------------------------------------------------- fit
    def fit_loop(self, X, y=None, epochs=None, **fit_params):
        if epochs is None and self.checkpoint is not None:
            # resuming from a checkpoint: train up to max_epochs in all
            epochs = max(int(self.max_epochs) - len(self.history), 0)
        try:
            return super().fit_loop(X, y, epochs=epochs, **fit_params)
        except KeyboardInterrupt as exc:
            # skorch swallows the interrupt and returns as if training had
            # finished; remember it, so fit raises it again after skorch's
            # cleanup: a half-trained model must not look fitted. (skorch's
            # EarlyStopping stops training by raising KeyboardInterrupt too:
            # that one is a planned end, not an interrupt.)
            if not self._early_stopped():
                self._interrupt_ = exc
            raise

    def _early_stopped(self):
        return any(
            isinstance(cb, EarlyStopping) and getattr(cb, "misses_", 0) >= cb.patience
            for _, cb in getattr(self, "callbacks_", [])
        )

    def _train(self, method, *args, **kwargs):
        """Run skorch's fit/partial_fit seeded, and re-raise an interrupt."""
        self._interrupt_ = None
        with self._rng_context():
            method(*args, **kwargs)
        interrupt, self._interrupt_ = self._interrupt_, None
        if interrupt is not None:
            raise interrupt

    def fit(self, X, y, **fit_params):
        """Validate the images and targets, then initialise and train the network.

        Parameters
        ----------
        X : array-like of shape (n_samples, height, width[, n_channels])
            Training images, uint8 (kept uint8 in memory) or float.
        y : array-like
            Targets.
        **fit_params : dict
            Passed to the module's ``forward`` and to ``train_split``.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        self._check_params()
        keep = bool(self.warm_start and self.initialized_)
        X, y = self._validate_data_fit(X, y, reset=not keep)
        self._resolve_device()
        self._train(super().fit, X, y, **fit_params)
        return self

    def partial_fit(self, X, y=None, classes=None, **fit_params):
        """Train for ``max_epochs`` more epochs without re-initialising the network.

        Parameters
        ----------
        X : array-like of shape (n_samples, height, width[, n_channels])
            Training images.
        y : array-like
            Targets, with the classes or outputs of the first fit.
        classes : array-like or None, default=None
            Unused; for scikit-learn compatibility.
        **fit_params : dict
            Passed to the module's ``forward`` and to ``train_split``.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        if "_routing_method" in fit_params:  # called by fit: data already checked
            return super().partial_fit(X, y, classes, **fit_params)
        self._check_params()
        X, y = self._validate_data_fit(X, y, reset=not self.initialized_)
        self._resolve_device()
        self._train(super().partial_fit, X, y, classes, **fit_params)
        return self

    def _validate_data_fit(self, X, y, *, reset):
        X = self._validate_X(X, reset=reset)
        if y is None:
            raise ValueError(f"{type(self).__name__} requires y; got y=None.")
        if len(X) < 2:
            raise ValueError(
                f"{type(self).__name__} needs at least 2 training images (batch "
                f"normalisation learns from batches); got {len(X)}."
            )
        y = self._validate_y(np.asarray(y), reset=reset)
        if len(y) != len(X):
            raise ValueError(
                f"X has {len(X)} images but y has {len(y)} targets; they must match."
            )
        self._check_module_params()
        return X, y


_DOC_HEAD = """
    module : str, nn.Module class or instance, default=ResNet
        The network. A class gets its constructor arguments from ``module__*``
        parameters, plus ``in_channels``, ``n_outputs`` and ``image_size`` from the
        data. The presets can be given by class or by name: ``"resnet"``
        (:class:`ResNet`, the default: depth ``module__n_blocks``, width
        ``module__width``), ``"rotation_invariant_resnet"``
        (:class:`RotationInvariantResNet`, features pooled over the eight
        rotations and flips; eight times the cost), ``"convnet"``
        (:class:`ConvNet`, plain conv blocks), ``"galaxyzoo"``
        (:class:`GalaxyZooNet`), ``"alexnet_like"`` (:class:`AlexNetLike`, with
        ``module__n_extra_conv`` and ``module__activation``), ``"vgg16"``
        (:class:`VGG16Net`, ``module__weights`` loads torchvision weights).
    pretrained : CNN estimator, nn.Module, str, path-like or None, default=None
        Start from these weights instead of random ones: a fitted CNN estimator
        (or a Pipeline ending in one), a network's ``state_dict()``, a model
        file written by
        :func:`skgalaxy.persistence.save`, an encoder file (``.safetensors``, a
        state dict) or the name of an encoder shipped with skgalaxy
        (``"synthetic-sdss"``: the default ResNet trained on SDSS-look synthetic
        galaxies, for 3-channel images). Every layer
        but the head is copied; the head is new, sized for this task. The network
        (``module``, ``module__*``) must be the one the weights come from. Inside
        ``GridSearchCV``, which clones estimator-valued parameters without their
        weights, pass ``est.module_.state_dict()`` or a file. Saved models store
        the weights, never this reference.
    freeze : "none", "backbone" or int, default="none"
        What does not train: ``"none"``; ``"backbone"`` (only the new head
        trains: a linear probe); or ``k``, the number of trailing blocks that
        train with the head (:class:`ResNet`: the stem and each residual block
        are blocks). Frozen parts keep their weights and batch-norm statistics.
"""
_DOC_MID = """
    optimizer : torch optimizer class, default=torch.optim.AdamW
        Its arguments are ``optimizer__*`` parameters.
    lr : float, default=3e-3
        Peak learning rate (see ``lr_schedule``).
    weight_decay : float or None, default=0.05
        Decoupled weight decay of the optimizer (AdamW's), on the weights but not
        on the biases and batch-norm scales; ``optimizer__weight_decay`` or
        ``optimizer__param_groups`` take precedence. None or 0: no decay.
    max_epochs : int, default=60
        Epochs of training (in all, counting those resumed from ``checkpoint``).
    batch_size : int, default=64
        Mini-batch size for training and prediction.
    train_split : callable or None, default=None
        The skorch validation split, e.g. ``ValidSplit(5{strat})`` (20% of
        the data), whose metrics go to ``history_``. None (the default) trains on
        every image: with the fixed schedule below, held-out images buy nothing
        but a curve to look at, and real labelled sets are small.
"""
_DOC_TAIL = """
    augment : bool or dict, default=True
        Augmentation of each training batch, on the device: the eight flips and
        quarter turns of the square, a small rotation (``max_angle`` degrees),
        zoom, shift and contrast; all physically valid for galaxies, which have no
        preferred orientation on the sky. A dict overrides options of
        ``skgalaxy.neural_network._augment.AUGMENT_DEFAULTS``; a task that labels
        the handedness of spiral arms must set ``{{"flip": False}}`` (a mirror
        image turns a clockwise spiral anticlockwise). False turns it off.
    tta : bool, default=False
        Test-time augmentation: predictions are averaged over the eight flips and
        quarter turns (four flips for non-square images); eight times the
        prediction cost.
    early_stopping : int or None, default=None
        Patience in epochs: stop when the validation loss (training loss without a
        validation split) has not improved for that long, and restore the best
        weights.
    lr_schedule : {{"warmup_cosine", "cosine", "plateau", "step"}} or None, \
            default="warmup_cosine"
        ``"warmup_cosine"``: a linear warm-up over the first 5% of the epochs,
        then a cosine decay to ``lr / 1000``, updated every batch
        (the callback ``WarmupCosineLR``); ``"cosine"``: cosine annealing over
        ``max_epochs``, every epoch; ``"plateau"``: ReduceLROnPlateau (factor
        0.2, patience 7, min 1e-5, as in Hildebrandt's Galaxy Zoo report);
        ``"step"``: decay by 0.8 every 10 epochs (the report's other schedule);
        None: a constant ``lr``.
    clip_grad_norm : float or None, default=None
        Clip the gradient norm to this value (skorch's GradientNormClipping).
    checkpoint : str or path-like or None, default=None
        Directory where the parameters, optimizer state and history are saved after
        every epoch. A fit whose directory already holds a checkpoint resumes from
        it and trains only the epochs missing to reach ``max_epochs``: run the
        same fit again after an interruption.
    mixed_precision : "auto", bool or {{"bf16", "fp16"}}, default="auto"
        Run the forward pass under ``torch.autocast``. ``"auto"``: bfloat16 where
        the device computes it natively (CPUs with AVX-512 BF16 or AMX, CUDA GPUs
        that support it), float32 elsewhere; True or ``"bf16"``: bfloat16
        everywhere; ``"fp16"``: float16; False: float32. Losses, outputs and the
        weights stay float32.
    device : str, default="auto"
        ``"auto"`` picks ``"cuda"`` when available, otherwise ``"cpu"``, when the
        net initialises (and says so when ``verbose``); the parameter keeps the
        value you gave, the resolved device is ``device_`` (and what ``net.device``
        returns). A pickle records the resolved device, so a net trained on a GPU
        loads on a CPU-only machine with skorch's DeviceWarning.
    random_state : int, RandomState instance or None, default=None
        Seeds weight initialisation, shuffling, dropout and augmentation inside
        ``fit`` through a forked torch generator; the caller's global torch state
        is untouched. CPU results are reproducible; on CUDA only as far as cuDNN
        allows (``fit`` turns cuDNN autotuning on for its duration).
    verbose : int, default=0
        1 or more: skorch's epoch table and a progress bar.
    **kwargs
        Any other skorch parameter: ``callbacks``, ``criterion``,
        ``iterator_train__num_workers``, ``warm_start``, ``module__*``, ...
"""


class CNNRegressor(_CNNMixin, NeuralNetRegressor):
    """Convolutional network regressor for continuous targets such as vote fractions.

    Parameters
    ----------
    {head}
    criterion : torch loss class, default=torch.nn.MSELoss
        Training loss (mean squared error, the Kaggle challenge's metric).
    {mid}
    output : {{"auto", "sigmoid", "tree", "linear"}}, default="auto"
        Output head. ``"auto"`` chooses from the training targets: ``"tree"`` for
        the 37 Galaxy Zoo vote fractions (when they follow the decision tree, as
        real votes do), ``"sigmoid"`` for other targets in [0, 1], ``"linear"``
        otherwise; ``output_`` says which. ``"sigmoid"``: one sigmoid per target
        (as Hildebrandt's network), targets in [0, 1]. ``"tree"``: the Galaxy Zoo
        decision tree; each question's answers are a softmax multiplied by the
        fraction of its parent answer, so the 37 predictions are consistent with
        the tree (needs 37 targets in [0, 1], Kaggle column order).
        ``"linear"``: unbounded outputs.
    {tail}

    Attributes
    ----------
    image_shape_ : tuple of int
        Image shape seen in fit, ``(height, width)`` or ``(height, width, channels)``.
    output_ : {{"sigmoid", "tree", "linear"}}
        The output head used (``output``, or what ``"auto"`` chose).
    n_outputs_ : int
        Number of targets.
    target_mean_ : ndarray of shape (n_outputs,)
        Mean training target; the output layer's bias starts there.
    module_ : nn.Module
        The trained network.
    history_ : skorch History
        Per-epoch ``train_loss``, ``valid_loss``, ``train_rmse``, ``valid_rmse``,
        ``dur`` and the per-batch losses.

    See Also
    --------
    CNNClassifier : The same networks for class labels.

    Notes
    -----
    When the module ends in an ``nn.Linear`` layer with one unit per target, its
    bias is initialised to the mean training target (through the inverse sigmoid,
    or the log of each question's mean answer shares for the tree head), so
    training starts from the mean-prediction baseline instead of 0.5 everywhere.

    Examples
    --------
    >>> import numpy as np
    >>> from skgalaxy.neural_network import CNNRegressor
    >>> rng = np.random.default_rng(0)
    >>> X = rng.integers(0, 256, size=(32, 16, 16), dtype=np.uint8)
    >>> y = rng.random((32, 3)).astype(np.float32)
    >>> reg = CNNRegressor(module__n_blocks=2, max_epochs=2, train_split=None,
    ...                    random_state=0)
    >>> reg.fit(X, y).predict(X[:2]).shape
    (2, 3)
    >>> len(reg.history_), "train_rmse" in reg.history_[-1]
    (2, True)
    """

    _output_kind = "rmse"
    _parameter_constraints = {
        **_CNNMixin._parameter_constraints,
        "output": [StrOptions({"auto", *_HEADS})],
    }

    def __init__(
        self,
        module=ResNet,
        *,
        pretrained=None,
        freeze="none",
        criterion=torch.nn.MSELoss,
        optimizer=torch.optim.AdamW,
        lr=3e-3,
        weight_decay=0.05,
        max_epochs=60,
        batch_size=64,
        train_split=None,
        output="auto",
        augment=True,
        tta=False,
        early_stopping=None,
        lr_schedule="warmup_cosine",
        clip_grad_norm=None,
        checkpoint=None,
        mixed_precision="auto",
        device="auto",
        random_state=None,
        verbose=0,
        **kwargs,
    ):
        super().__init__(
            module,
            criterion=criterion,
            optimizer=optimizer,
            lr=lr,
            max_epochs=max_epochs,
            batch_size=batch_size,
            train_split=train_split,
            device=device,
            verbose=verbose,
            **kwargs,
        )
        self.pretrained = pretrained
        self.freeze = freeze
        self.weight_decay = weight_decay
        self.output = output
        self.augment = augment
        self.tta = tta
        self.early_stopping = early_stopping
        self.lr_schedule = lr_schedule
        self.clip_grad_norm = clip_grad_norm
        self.checkpoint = checkpoint
        self.mixed_precision = mixed_precision
        self.random_state = random_state

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags

    def _validate_y(self, y, *, reset):
        if y.dtype.kind not in "biuf":
            raise TypeError(f"y must be numeric, got dtype {y.dtype}.")
        if y.ndim not in (1, 2):
            raise ValueError(
                f"y must be 1-D (n_samples,) or 2-D (n_samples, n_outputs); got shape "
                f"{y.shape}."
            )
        if not np.all(np.isfinite(y)):
            raise ValueError("y contains NaN or infinity; targets must be finite.")
        top = float(np.max(np.abs(y))) if y.size else 0.0
        if top > _MAX_TARGET:
            raise ValueError(
                f"y has values up to {top:.3g}: their squared errors overflow the "
                f"float32 loss (beyond about {_MAX_TARGET:.0e}); scale the targets."
            )
        y = y.astype(np.float32)
        y2 = y.reshape(len(y), -1)
        output = self._resolve_output(y2) if reset else self.output_
        if output in ("sigmoid", "tree") and y2.size and (y2.min() < 0 or y2.max() > 1):
            raise ValueError(
                f"output={output!r} predicts values in [0, 1] but y ranges from "
                f"{y2.min():.3g} to {y2.max():.3g}; scale the targets to [0, 1] or "
                "use output='linear'."
            )
        if output == "tree" and y2.shape[1] != 37:
            raise ValueError(
                "output='tree' needs the 37 Galaxy Zoo vote fractions (Kaggle columns "
                f"Class1.1 ... Class11.6) as y; got {y2.shape[1]} column(s)."
            )
        if reset:
            self.output_ = output
            self.n_outputs_ = y2.shape[1]
            self.y_ndim_ = y.ndim
            self.target_mean_ = y2.mean(axis=0)
        elif y2.shape[1] != self.n_outputs_:
            raise ValueError(
                f"y has {y2.shape[1]} output(s) but the network was fitted with "
                f"{self.n_outputs_}."
            )
        return y2

    def _resolve_output(self, y2):
        """Return the head ``output`` names, choosing one for ``"auto"``."""
        if self.output != "auto":
            return self.output
        if y2.size and (y2.min() < 0 or y2.max() > 1):
            return "linear"
        if y2.shape[1] == 37 and np.max(tree_consistency_error(y2)) < 0.01:
            return "tree"  # Galaxy Zoo votes: predictions follow the tree too
        return "sigmoid"

    def _output_bias_prior(self):
        mean = getattr(self, "target_mean_", None)
        if mean is None or len(mean) != getattr(self, "n_outputs_", None):
            return None
        mean = np.asarray(mean, dtype=np.float64)
        if self.output_ == "linear":
            return mean
        if self.output_ == "sigmoid":
            p = np.clip(mean, 1e-3, 1 - 1e-3)
            return np.log(p / (1 - p))
        if self.output_ == "tree" and len(mean) == 37:
            prior = np.zeros(37)
            for sl in QUESTION_SLICES:  # log of each question's mean answer shares
                share = np.clip(mean[sl], 1e-6, None)
                prior[sl] = np.log(share / share.sum())
            return prior
        return None

    def _train_output(self, out):
        return _HEADS[self.output_](out)

    _predict_head = _train_output

    def predict(self, X):
        """Predict the targets of images.

        Parameters
        ----------
        X : array-like of shape (n_samples, height, width[, n_channels])
            Images of the shape seen in fit.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,) or (n_samples, n_outputs)
            The float32 predictions (1-D when ``y`` was 1-D in fit).
        """
        y = self._predict_outputs(X)
        if getattr(self, "y_ndim_", 2) == 1:
            y = y.ravel()
        return y

    def predict_proba(self, X):
        """Refuse: a regressor has no class probabilities (use ``predict``).

        Parameters
        ----------
        X : array-like of shape (n_samples, height, width[, n_channels])
            Images (unused).

        Raises
        ------
        AttributeError
            Always.
        """
        raise AttributeError("CNNRegressor has no predict_proba; use predict.")


class CNNClassifier(_CNNMixin, NeuralNetClassifier):
    """Convolutional network classifier for galaxy class labels of any type.

    Parameters
    ----------
    {head}
    criterion : torch loss class, default=torch.nn.CrossEntropyLoss
        Training loss; the module returns one score (logit) per class.
    {mid}
    class_weight : "balanced", dict or None, default=None
        Weights of the classes in the cross-entropy loss: ``"balanced"`` (inversely
        proportional to the class frequencies) or ``{{label: weight}}`` (missing
        labels weigh 1).
    classes : array-like or None, default=None
        All class labels, when ``y`` of the first fit does not show them all.
    label_smoothing : float, default=0.1
        Share of each target's probability spread evenly over all classes in the
        cross-entropy loss (``CrossEntropyLoss(label_smoothing=...)``); it keeps
        the network from growing over-confident on small, noisily labelled sets.
    {tail}

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Class labels; ``predict`` returns values from it.
    class_weight_ : ndarray of shape (n_classes,) or None
        Loss weight of each class.
    image_shape_ : tuple of int
        Image shape seen in fit.
    module_ : nn.Module
        The trained network.
    history_ : skorch History
        Per-epoch ``train_loss``, ``valid_loss``, ``train_accuracy``,
        ``valid_accuracy``, ``dur`` and the per-batch losses.

    See Also
    --------
    CNNRegressor : The same networks for vote fractions.

    Examples
    --------
    >>> import numpy as np
    >>> from skgalaxy.neural_network import CNNClassifier
    >>> rng = np.random.default_rng(0)
    >>> X = rng.random((32, 16, 16), dtype=np.float32)
    >>> y = np.array(["elliptical", "spiral"] * 16)
    >>> clf = CNNClassifier(module__n_blocks=2, max_epochs=1, train_split=None,
    ...                     random_state=0).fit(X, y)
    >>> clf.classes_
    array(['elliptical', 'spiral'], dtype='<U10')
    >>> clf.predict_proba(X[:3]).shape
    (3, 2)
    """

    _output_kind = "accuracy"
    _parameter_constraints = {
        **_CNNMixin._parameter_constraints,
        "class_weight": [StrOptions({"balanced"}), dict, None],
        "label_smoothing": [Interval(Real, 0, 1, closed="left")],
        "classes": ["array-like", None],
    }

    def __init__(
        self,
        module=ResNet,
        *,
        pretrained=None,
        freeze="none",
        criterion=torch.nn.CrossEntropyLoss,
        optimizer=torch.optim.AdamW,
        lr=3e-3,
        weight_decay=0.05,
        max_epochs=60,
        batch_size=64,
        train_split=None,
        class_weight=None,
        classes=None,
        label_smoothing=0.1,
        augment=True,
        tta=False,
        early_stopping=None,
        lr_schedule="warmup_cosine",
        clip_grad_norm=None,
        checkpoint=None,
        mixed_precision="auto",
        device="auto",
        random_state=None,
        verbose=0,
        **kwargs,
    ):
        super().__init__(
            module,
            criterion=criterion,
            optimizer=optimizer,
            lr=lr,
            max_epochs=max_epochs,
            batch_size=batch_size,
            train_split=train_split,
            classes=classes,
            device=device,
            verbose=verbose,
            **kwargs,
        )
        self.pretrained = pretrained
        self.freeze = freeze
        self.weight_decay = weight_decay
        self.class_weight = class_weight
        self.label_smoothing = label_smoothing
        self.augment = augment
        self.tta = tta
        self.early_stopping = early_stopping
        self.lr_schedule = lr_schedule
        self.clip_grad_norm = clip_grad_norm
        self.checkpoint = checkpoint
        self.mixed_precision = mixed_precision
        self.random_state = random_state

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_class = True
        return tags

    def check_data(self, X, y=None):
        # classes_ come from _validate_y (skorch would store the encoded labels)
        pass

    def _validate_y(self, y, *, reset):
        if y.ndim == 2 and y.shape[1] == 1:
            y = y.ravel()
        if y.ndim != 1:
            raise ValueError(
                f"y must be a 1-D array of class labels; got shape {y.shape}. For "
                "vote fractions use CNNRegressor."
            )
        if y.dtype.kind == "f" and not np.all(np.isfinite(y)):
            raise ValueError("y contains NaN or infinity; labels must be finite.")
        if y.dtype == object and len({type(v) for v in y.tolist()}) > 1:
            kinds = sorted({type(v).__name__ for v in y.tolist()})
            raise TypeError(
                f"y mixes label types {kinds}; give every label the same type "
                "(for example all strings)."
            )
        if reset:
            # continuous targets are not classes (thousands of them, one per value)
            check_classification_targets(y)
            if self.classes is not None:
                classes = np.asarray(self.classes)
                if len(np.unique(classes)) != len(classes):
                    raise ValueError(f"classes has repeated labels: {classes}.")
            else:
                classes = np.unique(y)
            if len(classes) < 2:
                raise ValueError(
                    f"y has {len(classes)} class(es); a classifier needs at least 2."
                )
            self.classes_inferred_ = classes
            self.n_outputs_ = len(classes)
        codes = self._encode(y)
        if reset:
            self.class_weight_ = self._compute_class_weight(codes)
        return codes

    def _encode(self, y):
        classes = np.asarray(self.classes_)
        order = np.argsort(classes, kind="stable")
        sorted_classes = classes[order]
        pos = np.clip(np.searchsorted(sorted_classes, y), 0, len(classes) - 1)
        unseen = sorted_classes[pos] != y
        if np.any(unseen):
            bad = np.unique(np.asarray(y)[unseen])
            raise ValueError(
                f"y has label(s) {bad.tolist()[:10]} unseen at fit; the classifier "
                f"knows {classes.tolist()}. Refit, or pass all labels as classes=."
            )
        return order[pos].astype(np.int64)

    def _compute_class_weight(self, codes):
        cw = self.class_weight
        if cw is None:
            return None
        n = len(self.classes_)
        if isinstance(cw, str):  # "balanced", the one string the constraints allow
            present = np.unique(codes)
            weights = np.ones(n)
            weights[present] = compute_class_weight(
                "balanced", classes=present, y=codes
            )
            return weights.astype(np.float32)
        classes = list(np.asarray(self.classes_).tolist())  # cw is a dict
        unknown = [k for k in cw if k not in classes]
        if unknown:
            raise ValueError(
                f"class_weight has label(s) {unknown} unseen at fit; classes are "
                f"{classes}."
            )
        weights = np.ones(n, dtype=np.float32)
        for label, w in cw.items():
            weights[classes.index(label)] = float(w)
        if np.any(weights < 0) or not np.all(np.isfinite(weights)):
            raise ValueError("class_weight values must be finite and >= 0.")
        return weights

    def initialize_criterion(self):
        kwargs = self.get_params_for("criterion")
        weights = getattr(self, "class_weight_", None)
        if weights is not None and "weight" not in kwargs:
            kwargs["weight"] = torch.as_tensor(weights, dtype=torch.float32)
        smoothing = self.label_smoothing
        if smoothing and "label_smoothing" not in kwargs:
            if "label_smoothing" not in inspect.signature(self.criterion).parameters:
                raise ValueError(
                    f"label_smoothing={smoothing} but the criterion "
                    f"{getattr(self.criterion, '__name__', self.criterion)!r} takes "
                    "no label_smoothing; set label_smoothing=0."
                )
            kwargs["label_smoothing"] = float(smoothing)
        self.criterion_ = self.initialized_instance(self.criterion, kwargs)
        return self

    def _train_output(self, out):
        return out  # logits for CrossEntropyLoss

    def _predict_head(self, out):
        return torch.softmax(out, dim=1)

    def predict_proba(self, X):
        """Class probabilities of images.

        Parameters
        ----------
        X : array-like of shape (n_samples, height, width[, n_channels])
            Images of the shape seen in fit.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            The float32 probabilities, columns in the order of ``classes_``.
        """
        return self._predict_outputs(X)

    def predict(self, X):
        """Predict class labels of images.

        Parameters
        ----------
        X : array-like of shape (n_samples, height, width[, n_channels])
            Images of the shape seen in fit.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
            Labels from ``classes_``.
        """
        proba = self.predict_proba(X)  # checks fitted before classes_ is read
        return np.asarray(self.classes_)[proba.argmax(axis=1)]


if CNNRegressor.__doc__:  # None under python -OO

    def _pieces(strat):
        return {
            name: text.format(strat=strat).strip()
            for name, text in (
                ("head", _DOC_HEAD),
                ("mid", _DOC_MID),
                ("tail", _DOC_TAIL),
            )
        }

    CNNRegressor.__doc__ = CNNRegressor.__doc__.format(**_pieces(""))
    CNNClassifier.__doc__ = CNNClassifier.__doc__.format(**_pieces(", stratified=True"))
