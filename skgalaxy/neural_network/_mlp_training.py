"""Training loops of :class:`NumpyMLPClassifier`.

Two loops update the weights in place: :func:`fit_stochastic` runs epochs of
mini-batch steps of an optimiser from ``_mlp_solvers`` (sgd, adam), :func:`fit_cg`
hands the flattened weights to SciPy's nonlinear conjugate gradient. What they share
is explicit: a :class:`TrainingProblem` (the data and the objective), a
:class:`TrainingHistory` they append to, one :class:`StoppingRule` (tol /
``n_iter_no_change``, early stopping's best weights) and a reporter for the epoch
table or progress bar. The estimator validates, builds these, calls a loop and
publishes the result (and warns when a loop did not converge).
"""

import time
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import minimize

from . import _mlp_core as core
from ._divergence import DIVERGENCE_FACTOR, LARGE_INPUT, DivergenceError
from ._mlp_solvers import AdamOptimizer

__all__ = [
    "TrainingProblem",
    "TrainingHistory",
    "StoppingRule",
    "LearningRateSchedule",
    "MiniBatches",
    "make_reporter",
    "fit_stochastic",
    "fit_cg",
]

_MIN_LEARNING_RATE = 1e-6  # the adaptive schedule stops below this


@dataclass
class TrainingProblem:
    """The training data and the objective a loop minimises.

    The objective is ``sum_i w_i loss_i / sum_i w_i + alpha / (2 n_train) sum W**2``
    on ``(X, yi, sw)``; ``validation`` is ``(X_val, yi_val, sw_val)`` or None.
    """

    X: np.ndarray
    yi: np.ndarray
    sw: np.ndarray | None
    validation: tuple | None
    loss: str
    activation: str
    alpha: float

    @property
    def n_train(self):
        return self.X.shape[0]

    def penalty(self, coefs):
        return core.penalty(coefs, self.alpha, self.n_train)

    def validate(self, coefs, intercepts):
        """``(objective, accuracy)`` on the validation set; ``(None, None)`` without."""
        if self.validation is None:
            return None, None
        X, yi, sw = self.validation
        logits = core.predict_logits(coefs, intercepts, self.activation, X)
        # the training objective's penalty too, so the two curves compare
        loss = core.mean_loss(self.loss, logits, yi, sw) + self.penalty(coefs)
        score = float(np.average(np.argmax(logits, axis=1) == yi, weights=sw))
        return loss, score


@dataclass
class TrainingHistory:
    """Curves and counters over all (warm-started) fits of one estimator."""

    loss: list = field(default_factory=list)
    validation_loss: list = field(default_factory=list)
    validation_score: list = field(default_factory=list)
    n_iter: int = 0
    t: int = 0  # training samples seen by the stochastic solvers
    # the divergence rule's reference: the first training batch's mean loss
    first_loss: float | None = None

    def record(self, loss, validation_loss=None, validation_score=None):
        """Close an epoch (cg: an iteration)."""
        self.loss.append(loss)
        self.n_iter += 1
        if validation_loss is not None:
            self.validation_loss.append(validation_loss)
            self.validation_score.append(validation_score)


class StoppingRule:
    """Stop after ``n_iter_no_change`` updates without an improvement over ``tol``.

    With ``early_stopping=True`` the rule monitors the validation loss and keeps a
    copy of the parameters at its best value, for :meth:`restore_best`; otherwise
    it monitors the training loss.
    """

    def __init__(self, tol, n_iter_no_change, *, early_stopping=False):
        self.tol = tol
        self.n_iter_no_change = n_iter_no_change
        self.early_stopping = early_stopping
        self.best = np.inf
        self.best_params = None
        self.no_improvement = 0

    def update(self, loss, validation_loss, params):
        """Take an epoch's losses and parameters; return True when training ends."""
        value = validation_loss if self.early_stopping else loss
        # an improvement smaller than tol still moves the best value (and the
        # weights kept), but does not reset the patience
        if value > self.best - self.tol:
            self.no_improvement += 1
        else:
            self.no_improvement = 0
        if value < self.best:
            self.best = value
            if self.early_stopping:
                self.best_params = [p.copy() for p in params]
        return self.no_improvement >= self.n_iter_no_change

    def restart(self):
        """Grant a new patience (after the adaptive schedule lowered the rate)."""
        self.no_improvement = 0

    def restore_best(self, params):
        """Write the kept best parameters back into ``params`` (early stopping)."""
        if self.best_params is not None:
            for p, saved in zip(params, self.best_params):
                p[...] = saved

    def reason(self, unit):
        what = "validation loss" if self.early_stopping else "training loss"
        return (
            f"{what} did not improve by more than tol={self.tol} for "
            f"{self.n_iter_no_change} consecutive {unit}; stopping."
        )


@dataclass(frozen=True)
class LearningRateSchedule:
    """scikit-learn's sgd schedules, applied to an optimiser's ``learning_rate``.

    ``"constant"`` keeps the rate (adam always uses it), ``"invscaling"`` sets it to
    ``learning_rate_init / (t + 1) ** power_t`` after every batch, ``"adaptive"``
    divides it by 5 when the stopping rule would stop, until it falls below 1e-6.
    """

    kind: str
    learning_rate_init: float
    power_t: float = 0.5

    def after_batch(self, optimizer, t):
        if self.kind == "invscaling":
            optimizer.learning_rate = self.learning_rate_init / (t + 1) ** self.power_t

    def lower_on_plateau(self, optimizer):
        """Lower the rate and return True, or return False: time to stop."""
        if self.kind == "adaptive" and optimizer.learning_rate > _MIN_LEARNING_RATE:
            optimizer.learning_rate /= 5.0
            return True
        return False


class MiniBatches:
    """Mini-batches ``(X_b, yi_b, sw_b)`` of a problem's training set, an epoch a pass.

    With ``shuffle`` every pass draws a fresh order from ``random_state`` and
    gathers each batch into one preallocated buffer, valid until the next batch.
    """

    def __init__(self, problem, *, batch_size, shuffle, random_state):
        self.X, self.yi, self.sw = problem.X, problem.yi, problem.sw
        self.size = batch_size
        self.random_state = random_state
        self._buffer = None
        if shuffle:
            self._buffer = np.empty((batch_size, self.X.shape[1]), dtype=self.X.dtype)

    def __iter__(self):
        X, yi, sw = self.X, self.yi, self.sw
        n = X.shape[0]
        order = None
        if self._buffer is not None:
            order = self.random_state.permutation(n)
        for start in range(0, n, self.size):
            stop = min(start + self.size, n)
            if order is None:
                rows = slice(start, stop)
                yield X[rows], yi[rows], None if sw is None else sw[rows]
                continue
            idx = order[start:stop]
            X_b = self._buffer[: stop - start]
            # mode="clip" keeps np.take from buffering the output
            np.take(X, idx, axis=0, out=X_b, mode="clip")
            yield X_b, yi[idx], None if sw is None else sw[idx]


def fit_stochastic(
    coefs,
    intercepts,
    problem,
    optimizer,
    history,
    *,
    batches,
    schedule,
    max_iter,
    stopping=None,
    reporter=None,
):
    """Run up to ``max_iter`` epochs of mini-batch steps, updating the weights in place.

    Parameters
    ----------
    coefs, intercepts : list of ndarray
        The weights, updated in place (with early stopping: the best epoch's).
    problem : TrainingProblem
    optimizer : SGDOptimizer or AdamOptimizer
    history : TrainingHistory
        Receives every epoch; ``history.t`` counts the samples seen.
    batches : MiniBatches
        The batches of ``problem``'s training set.
    schedule : LearningRateSchedule
    max_iter : int
        Epochs.
    stopping : StoppingRule or None
        None runs ``max_iter`` epochs with no stopping rule (``partial_fit``'s
        single epoch).
    reporter : reporter from :func:`make_reporter` or None
        Shows each epoch.

    Returns
    -------
    converged : bool
        Whether the stopping rule ended training before ``max_iter`` epochs.

    Raises
    ------
    DivergenceError
        If a batch's loss or the weights stop being finite, or an epoch's mean
        training loss (without the penalty) exceeds ``DIVERGENCE_FACTOR`` times
        the first training batch's (``history.first_loss``).
    """
    reporter = _SILENT if reporter is None else reporter
    n, n_features = problem.X.shape
    sw = problem.sw
    layer_sizes = [n_features] + [W.shape[1] for W in coefs]
    ws = core.Workspace(layer_sizes, batches.size, problem.X.dtype)
    decay = problem.alpha / problem.n_train
    total_w = float(n) if sw is None else float(np.sum(sw, dtype=np.float64))
    is_adam = isinstance(optimizer, AdamOptimizer)
    params = (*coefs, *intercepts)

    def step(i, A_in, D):
        optimizer.step(i, coefs[i], intercepts[i], A_in, D, decay)

    converged = False
    for _ in range(max_iter):
        start_time = time.perf_counter()
        epoch = history.n_iter + 1
        summed = 0.0
        for A0, yb, swb in batches:
            S = A0.shape[0]
            batch_w = S if swb is None else float(np.sum(swb, dtype=np.float64))
            if batch_w == 0:
                continue  # nothing to learn from an all-zero-weight batch
            logits = core.forward(coefs, intercepts, problem.activation, A0, ws, S)
            total = core.output_delta(
                problem.loss, logits, yb, swb, 1.0 / batch_w, ws, S
            )
            if history.first_loss is None:
                history.first_loss = float(total / batch_w)
            if not np.isfinite(total):
                raise _diverged(
                    problem,
                    history,
                    f"epoch {epoch}",
                    f"the training loss became {total / batch_w}",
                    schedule,
                    optimizer.learning_rate,
                )
            summed += total
            if is_adam:
                optimizer.start_batch()
            core.backward(coefs, problem.activation, A0, ws, S, step)
            history.t += S
            schedule.after_batch(optimizer, history.t)
        data_loss = summed / total_w
        loss = data_loss + problem.penalty(coefs)
        what = None
        if not np.isfinite(loss) or not _all_finite(coefs):
            what = "the weights became NaN or infinite"
        elif history.first_loss is not None and data_loss > DIVERGENCE_FACTOR * max(
            history.first_loss, 1e-12
        ):
            what = (
                f"the epoch's training loss {data_loss:.4g} is over "
                f"{DIVERGENCE_FACTOR:g} times the first batch's"
            )
        if what is not None:
            raise _diverged(
                problem,
                history,
                f"epoch {epoch}",
                what,
                schedule,
                optimizer.learning_rate,
            )
        val_loss, val_score = problem.validate(coefs, intercepts)
        history.record(loss, val_loss, val_score)
        reporter.row(epoch, loss, val_score, time.perf_counter() - start_time)
        if stopping is None or not stopping.update(loss, val_loss, params):
            continue
        if schedule.lower_on_plateau(optimizer):
            stopping.restart()
            reporter.note(f"learning rate set to {optimizer.learning_rate:g}")
            continue
        reporter.note(stopping.reason("epochs"))
        converged = True
        break
    if stopping is not None:
        stopping.restore_best(params)
    return converged


def fit_cg(
    coefs, intercepts, problem, history, *, max_iter, tol, stopping=None, reporter=None
):
    """Minimise the full-batch objective with :func:`scipy.optimize.minimize` (CG).

    Parameters
    ----------
    coefs, intercepts : list of ndarray
        The initial weights (not modified).
    problem : TrainingProblem
    history : TrainingHistory
        Receives every iteration.
    max_iter : int
        Iterations of the optimiser.
    tol : float
        Its gradient-norm tolerance ``gtol``.
    stopping : StoppingRule or None
        An early-stopping rule on the validation loss, checked every iteration.
    reporter : reporter from :func:`make_reporter` or None
        Shows about 20 iterations (a progress bar: every one).

    Returns
    -------
    coefs, intercepts : list of ndarray
        The fitted weights (with early stopping: the best iteration's).
    converged : bool
        False when the optimiser ran out of iterations (and no early stop came).

    Raises
    ------
    DivergenceError
        If the objective or the weights stop being finite (the line search
        never lets the objective grow, so the stochastic solvers' growth rule
        does not apply).
    """
    reporter = _SILENT if reporter is None else reporter
    X = problem.X
    dtype = X.dtype
    # every parameter is a view of one flat vector, the optimiser's variable
    params = (*coefs, *intercepts)
    sizes = [p.size for p in params]
    flat = np.empty(sum(sizes), dtype=dtype)
    gflat = np.empty_like(flat)
    views, gviews = [], []
    offset = 0
    for p, size in zip(params, sizes):
        views.append(flat[offset : offset + size].reshape(p.shape))
        gviews.append(gflat[offset : offset + size].reshape(p.shape))
        views[-1][...] = p
        offset += size
    k = len(coefs)
    coefs, intercepts = views[:k], views[k:]
    gcoefs, gintercepts = gviews[:k], gviews[k:]
    layer_sizes = [X.shape[1]] + [W.shape[1] for W in coefs]
    ws = core.Workspace(layer_sizes, min(X.shape[0], 4096), dtype)

    def fun(theta):
        flat[...] = theta
        objective, _, _ = core.loss_and_gradient(
            coefs,
            intercepts,
            X,
            problem.yi,
            problem.sw,
            activation=problem.activation,
            loss=problem.loss,
            alpha=problem.alpha,
            n_train=problem.n_train,
            grad_coefs=gcoefs,
            grad_intercepts=gintercepts,
            ws=ws,
        )
        return objective, gflat.astype(np.float64)

    every = max(1, max_iter // 20)
    show_all = isinstance(reporter, _ProgressReporter)
    last_row = time.perf_counter()
    stopped = False

    def callback(intermediate_result):
        nonlocal last_row, stopped
        it = history.n_iter + 1
        loss = float(intermediate_result.fun)
        if not np.isfinite(loss):
            raise _diverged(
                problem, history, f"iteration {it}", f"the loss became {loss}"
            )
        if problem.validation is not None:
            flat[...] = intermediate_result.x
        val_loss, val_score = problem.validate(coefs, intercepts)
        history.record(loss, val_loss, val_score)
        if show_all or it % every == 0:
            now = time.perf_counter()
            reporter.row(it, loss, val_score, now - last_row)
            last_row = now
        if stopping is not None and stopping.update(loss, val_loss, (flat,)):
            stopped = True
            raise StopIteration

    result = minimize(
        fun,
        flat.astype(np.float64),
        jac=True,
        method="CG",
        callback=callback,
        options={"maxiter": max_iter, "gtol": tol},
    )
    flat[...] = result.x
    if stopping is not None:
        stopping.restore_best((flat,))
    if not np.isfinite(result.fun) or not np.all(np.isfinite(flat)):
        raise _diverged(
            problem,
            history,
            f"iteration {history.n_iter}",
            f"the loss became {result.fun} or the weights NaN or infinite",
        )
    converged = result.status != 1 or stopped
    # hand back separate arrays, not views of one buffer (pickles smaller), with
    # the weights Fortran-ordered as every solver leaves them
    coefs = [core.fortran_copy(W) for W in coefs]
    return coefs, [b.copy() for b in intercepts], converged


def _diverged(problem, history, where, what, schedule=None, learning_rate=None):
    """Make the error for a diverged run; ``schedule`` is None for cg.

    The message names the learning rate and the losses, as the CNNs' does, and
    names the scale of the input when it is far from order 1: then the scale,
    not the learning rate, is what to change first.
    """
    if schedule is None:
        settings = "solver='cg'"
    else:
        settings = f"learning_rate_init={schedule.learning_rate_init:g}"
        if learning_rate is not None and learning_rate != schedule.learning_rate_init:
            settings += f", current learning rate {learning_rate:g}"
    if history.first_loss is not None:
        settings += f", first batch loss {history.first_loss:.4g}"
    X = problem.X
    peak = max(-float(np.min(X)), float(np.max(X))) if X.size else 0.0
    if peak > LARGE_INPUT:
        advice = (
            f"X reaches {peak:.3g} in magnitude, far from the uint8 images or "
            "features of order 1 the network expects: scale X first (for "
            "example divide it by its maximum, or use a StandardScaler)"
        )
        if schedule is not None:
            advice += ", then lower learning_rate_init if it still diverges"
    elif schedule is None:
        advice = "the data may be badly scaled: scale the features to about [0, 1]"
    else:
        advice = "lower learning_rate_init"
    return DivergenceError(
        f"training diverged at {where}: {what} ({settings}). "
        f"{advice[0].upper()}{advice[1:]}. The estimator keeps the state it had "
        "before this call."
    )


def _all_finite(arrays):
    # a sum of squares is finite exactly when every entry is (or it overflowed,
    # which is divergence too); one BLAS pass, no temporary array
    return all(
        np.isfinite(np.dot(core.flat_view(a), core.flat_view(a))) for a in arrays
    )


# ------------------------------------------------------------------ display
def make_reporter(verbose, total, unit, name):
    """Make the display of a training run, a context manager that closes it.

    ``verbose``: falsy shows nothing; ``1``/``True`` prints the epoch table;
    ``2`` or more, or ``"progress"``, shows a tqdm bar named ``name`` counting
    ``total`` ``unit`` ("epoch" or "it").
    """
    if verbose == "progress" or (not isinstance(verbose, str) and verbose >= 2):
        from tqdm.auto import tqdm

        return _ProgressReporter(tqdm(total=total, desc=name, unit=unit))
    if verbose:
        return _TableReporter(unit)
    return _SILENT


class _Reporter:
    def row(self, epoch, loss, val_score, seconds):
        pass

    def note(self, text):
        pass

    def close(self):
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()


_SILENT = _Reporter()


class _TableReporter(_Reporter):
    """One line per epoch: epoch, training loss, validation accuracy, seconds."""

    def __init__(self, unit):
        self.unit = "epoch" if unit == "epoch" else "iter"

    def row(self, epoch, loss, val_score, seconds):
        val = "  -  " if val_score is None else f"{val_score:5.3f}"
        print(
            f"{self.unit} {epoch:3d} | training loss: {loss:.5f} | "
            f"validation accuracy: {val} | time: {seconds:7.3f} s",
            flush=True,
        )

    def note(self, text):
        print(text, flush=True)


class _ProgressReporter(_Reporter):
    """A tqdm bar with the loss and validation accuracy as postfix."""

    def __init__(self, bar):
        self.bar = bar

    def row(self, epoch, loss, val_score, seconds):
        post = {"loss": f"{loss:.4f}"}
        if val_score is not None:
            post["val_acc"] = f"{val_score:.3f}"
        self.bar.set_postfix(post, refresh=False)
        self.bar.update(1)

    def note(self, text):
        self.bar.write(text)

    def close(self):
        self.bar.close()
