"""Progress on standard error: notes, timed stages, and an epoch bar for CNN fits."""

import sys
import time

from ..utils._optional import is_torch_net
from ._models import final_estimator


def note(args, message):
    """Print a progress note on standard error (silenced by --quiet)."""
    if not getattr(args, "quiet", False):
        print(message, file=sys.stderr, flush=True)


class Stage:
    """Times a stage and reports it as ``message ... done in 1.2 s``."""

    def __init__(self, args, message):
        self.args, self.message = args, message

    def __enter__(self):
        note(self.args, f"{self.message} ...")
        self.start = time.perf_counter()
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is None:
            self.seconds = time.perf_counter() - self.start
            note(self.args, f"  done in {self.seconds:.1f} s")


def _epoch_bar(total, desc):
    """Make a skorch callback showing one tqdm bar over the epochs of a fit."""
    from skorch.callbacks import Callback
    from tqdm.auto import tqdm

    class EpochBar(Callback):
        def on_train_begin(self, net, **kwargs):
            self.bar = tqdm(total=total, desc=desc, unit="epoch", leave=False)

        def on_epoch_end(self, net, **kwargs):
            row = net.history[-1]
            shown = {
                key: f"{row[key]:.3f}"
                for key in ("train_loss", "valid_loss", "valid_accuracy", "valid_rmse")
                if isinstance(row.get(key), float)
            }
            self.bar.set_postfix(shown, refresh=False)
            self.bar.update(1)

        def on_train_end(self, net, **kwargs):
            self.bar.close()

    return EpochBar()


def fit(model, X, y, args, desc="training"):
    """``model.fit(X, y)`` with one progress bar over the epochs of a CNN."""
    net = final_estimator(model)
    if args.quiet or not is_torch_net(net):
        return model.fit(X, y)
    before = net.callbacks
    bar = _epoch_bar(net.max_epochs, desc)
    net.set_params(callbacks=[*(before or []), ("cli_progress", bar)])
    try:
        return model.fit(X, y)
    finally:
        # The bar is not part of the model: a saved model must not need it.
        net.set_params(callbacks=before)
