"""The training callbacks the CNN estimators add to skorch's own.

- :class:`EpochMetric`: RMSE or accuracy per epoch, from outputs already computed.
- :class:`WarmupCosineLR`: the default learning-rate schedule, every batch.
- :class:`DivergenceCheck`: stop with a clear error when training diverges.
- :class:`TrainingCheckpoint`: save after every epoch (atomically) and resume.
"""

import json
import math
import os
import pickle
import tempfile
import zipfile
from pathlib import Path

import numpy as np
import torch
from skorch.callbacks import Callback
from skorch.history import History

from ._divergence import DIVERGENCE_FACTOR, LARGE_INPUT, DivergenceError

__all__ = ["DivergenceCheck", "EpochMetric", "TrainingCheckpoint", "WarmupCosineLR"]


class EpochMetric(Callback):
    """Record RMSE or accuracy of each epoch in ``history_`` from the batches' outputs.

    The metric comes from the predictions the training and validation steps already
    made, so it costs no extra forward pass. The training value is measured on the
    (augmented) training batches while the network trains, as Keras reports it.

    Parameters
    ----------
    kind : {"rmse", "accuracy"}
        ``"rmse"``: ``sqrt(mean squared error over all n x k outputs)`` (the Kaggle
        RMSE); ``"accuracy"``: share of argmax predictions equal to the target.
    """

    def __init__(self, kind="rmse"):
        self.kind = kind

    def on_epoch_begin(self, net, **kwargs):
        self.sums_ = {"train": [0.0, 0], "valid": [0.0, 0]}

    def on_batch_end(self, net, batch=None, training=False, y_pred=None, **kwargs):
        if y_pred is None or batch is None:
            return
        y_pred = y_pred.detach()
        y_true = torch.as_tensor(batch[1]).to(y_pred.device)
        if self.kind == "rmse":
            value = torch.sum((y_pred.float() - y_true.float().view_as(y_pred)) ** 2)
            count = y_pred.numel()
        else:
            value = torch.sum(y_pred.argmax(dim=1) == y_true)
            count = len(y_true)
        acc = self.sums_["train" if training else "valid"]
        acc[0] += float(value)
        acc[1] += count

    def on_epoch_end(self, net, **kwargs):
        for prefix, (total, count) in self.sums_.items():
            if count:
                mean = total / count
                value = float(np.sqrt(mean)) if self.kind == "rmse" else mean
                net.history.record(f"{prefix}_{self.kind}", value)


class WarmupCosineLR(Callback):
    """Linear warm-up, then cosine decay of the learning rate, every batch.

    Over the first ``warmup`` share of the ``max_epochs`` epochs the learning rate
    rises linearly from ``lr * start_ratio`` to the net's ``lr``, then it follows
    half a cosine down to ``lr * final_ratio`` at the end of the last epoch (the
    one-cycle schedule of fast.ai and ``torch.optim.lr_scheduler.OneCycleLR``).
    Epochs are counted from the first row of ``history_``, so a fit resumed from a
    checkpoint continues the same schedule. The learning rate of each epoch's last
    batch is recorded in ``history_`` as ``lr``.

    Parameters
    ----------
    warmup : float, default=0.05
        Share of the epochs spent warming up.
    start_ratio : float, default=0.04
        Learning rate at the first batch, as a share of ``lr``.
    final_ratio : float, default=1e-3
        Learning rate at the last batch, as a share of ``lr``.
    """

    def __init__(self, warmup=0.05, start_ratio=0.04, final_ratio=1e-3):
        self.warmup = warmup
        self.start_ratio = start_ratio
        self.final_ratio = final_ratio

    def factor(self, t):
        """Learning rate as a share of ``lr`` at progress ``t`` in [0, 1]."""
        t = min(max(float(t), 0.0), 1.0)
        if self.warmup > 0 and t < self.warmup:
            return self.start_ratio + (1 - self.start_ratio) * t / self.warmup
        rest = (t - self.warmup) / max(1 - self.warmup, 1e-12)
        cosine = 0.5 * (1 + math.cos(math.pi * rest))
        return self.final_ratio + (1 - self.final_ratio) * cosine

    def on_epoch_begin(self, net, dataset_train=None, **kwargs):
        batch_size = net.get_params_for("iterator_train").get(
            "batch_size", net.batch_size
        )
        n = len(dataset_train) if dataset_train is not None else 1
        if batch_size is None or batch_size < 1:
            batch_size = max(n, 1)
        self.batches_ = max(1, math.ceil(n / batch_size))
        self.epoch_ = len(net.history) - 1
        self.batch_ = 0

    def on_batch_begin(self, net, training=False, **kwargs):
        if not training:
            return
        epochs = max(int(net.max_epochs), 1)
        t = (self.epoch_ + self.batch_ / self.batches_) / epochs
        self.lr_ = net.lr * self.factor(t)
        for group in net.optimizer_.param_groups:
            group["lr"] = self.lr_
        self.batch_ += 1

    def on_epoch_end(self, net, **kwargs):
        if hasattr(self, "lr_"):
            net.history.record("lr", self.lr_)


class DivergenceCheck(Callback):
    """Stop training with a clear error when the loss diverges.

    The package's divergence rule (``neural_network._divergence``, the NumPy MLP
    follows it too): training stops with a :class:`DivergenceError` as soon as a
    training batch's loss is NaN or infinite, or when an epoch's mean training
    loss grows past ``factor`` times the loss of the first training batch (where
    a fresh network starts: about ``log(n_classes)`` for cross-entropy). The
    message names the learning rate, the epoch and the losses seen. Turn it off
    with ``callbacks__divergence=None``.

    Parameters
    ----------
    factor : float, default=100.0
        How far past the first batch's loss an epoch's mean loss may grow.
    """

    def __init__(self, factor=DIVERGENCE_FACTOR):
        self.factor = factor

    def initialize(self):
        self.first_loss_ = None
        return self

    def _fail(self, net, what):
        scale = getattr(net, "_input_peak_", None)
        images = ""
        if scale is not None and scale > LARGE_INPUT:
            images = (
                f" The images reach {scale:.3g}: skgalaxy expects uint8 images or "
                "floats of order 1 (scale them, e.g. with an asinh stretch)."
            )
        epoch = len(net.history)
        raise DivergenceError(
            f"{type(net).__name__} diverged at epoch {epoch}: {what} (lr={net.lr:g}, "
            f"first batch loss {self.first_loss_:.4g}). Lower lr (and check "
            f"weight_decay and the schedule); the model is not usable.{images}"
        )

    def on_batch_end(self, net, batch=None, training=False, loss=None, **kwargs):
        if not training or loss is None:
            return
        value = float(loss.detach())
        if self.first_loss_ is None:
            self.first_loss_ = value
        if not math.isfinite(value):
            self._fail(net, f"the training loss became {value}")

    def on_epoch_end(self, net, **kwargs):
        loss = net.history[-1].get("train_loss")
        first = self.first_loss_
        if loss is None or first is None or not math.isfinite(first):
            return
        if loss > self.factor * max(first, 1e-12):
            self._fail(
                net,
                f"the epoch's training loss {loss:.4g} is over {self.factor:g} times "
                "the first batch's",
            )


class TrainingCheckpoint(Callback):
    """Save the training state after every epoch and resume from it.

    One file, ``checkpoint.pt`` in ``dirname``, holds the network's parameters,
    the optimizer state, the history and the random-number generators' state, so
    a resumed fit continues exactly as the uninterrupted fit would have (on the
    CPU). It is written to a temporary file in the same folder and moved into
    place, so an interrupted save leaves the previous checkpoint whole and no
    temporary file behind. At the start of training an existing checkpoint is
    loaded; a folder that holds other files but no checkpoint, or a checkpoint
    that cannot be read or belongs to another network, is an error that names
    the folder.

    Parameters
    ----------
    dirname : str or path-like
        The checkpoint folder (created when needed).
    """

    filename = "checkpoint.pt"

    def __init__(self, dirname):
        self.dirname = dirname

    @property
    def path(self):
        """The checkpoint file."""
        return Path(self.dirname) / self.filename

    def initialize(self):
        self.did_load_ = False
        return self

    # ------------------------------------------------------------- saving
    def on_epoch_end(self, net, **kwargs):
        state = {
            "params": net.module_.state_dict(),
            "optimizer": net.optimizer_.state_dict(),
            "history": json.dumps(net.history.to_list()),
            "rng": torch.get_rng_state(),
        }
        if torch.cuda.is_available() and torch.device(net.device).type == "cuda":
            state["cuda_rng"] = torch.cuda.get_rng_state_all()
        folder = Path(self.dirname)
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".checkpoint-", suffix=".tmp", dir=folder)
        try:
            with os.fdopen(fd, "wb") as f:
                torch.save(state, f)
            os.replace(tmp, self.path)
        except BaseException:  # interrupted or failed: no half-written file left
            Path(tmp).unlink(missing_ok=True)
            raise

    # ------------------------------------------------------------ resuming
    def _fail(self, why):
        return ValueError(
            f"Cannot resume from the checkpoint in {str(self.dirname)!r}: {why}. "
            "Delete the folder to train from scratch, or give checkpoint= another "
            "folder."
        )

    def on_train_begin(self, net, **kwargs):
        if self.did_load_:
            return
        self.did_load_ = True
        folder = Path(self.dirname)
        if not self.path.exists():
            if folder.is_dir() and any(folder.iterdir()):
                raise self._fail(
                    f"the folder holds files but no {self.filename} (is it another "
                    "program's folder?)"
                )
            return  # a first run: nothing to resume
        try:
            state = torch.load(self.path, map_location=net.device, weights_only=True)
            history = json.loads(state["history"])
            params, optimizer = state["params"], state["optimizer"]
            rng = state["rng"]
        except (
            OSError,
            EOFError,
            KeyError,
            TypeError,
            ValueError,
            RuntimeError,
            zipfile.BadZipFile,
            pickle.UnpicklingError,
        ) as exc:
            raise self._fail(
                f"{self.filename} is damaged or not skgalaxy's ({type(exc).__name__}: "
                f"{str(exc)[:200]})"
            ) from None
        try:
            net.module_.load_state_dict(params)
        except RuntimeError as exc:
            raise self._fail(
                "it holds a network of another architecture or size "
                f"({str(exc).splitlines()[0][:200]})"
            ) from None
        net.optimizer_.load_state_dict(optimizer)
        net.history = History(history)
        torch.set_rng_state(rng)
        if "cuda_rng" in state and torch.cuda.is_available():
            torch.cuda.set_rng_state_all(state["cuda_rng"])
        # (the DataLoader shuffles with torch's default generator: restored above)
