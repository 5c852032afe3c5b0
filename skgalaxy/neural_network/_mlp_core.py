"""Numerical core of :class:`NumpyMLPClassifier`: forward and backward passes.

Everything here works in place on preallocated buffers (a :class:`Workspace`), so a
training step allocates nothing larger than a row of the batch. Weights have
scikit-learn's shapes, ``coefs[i]`` is ``(n_in, n_out)``, stored Fortran-ordered
(``coefs[i].T`` is C-contiguous), and the per-batch buffers are Fortran-ordered too:
OpenBLAS's ``gemm`` runs the mini-batch products ``X_b @ W`` up to twice as fast with
the batch as the short side of a transposed operand and ``W`` read down its columns
(see ``benchmarks/bench_mlp.py``). Any C- or F-contiguous weights give the same
results.

Hidden-layer derivatives are computed from the activations themselves (sigmoid:
``a (1 - a)``, tanh: ``1 - a**2``, relu: ``a > 0``), so pre-activations are never kept.
"""

import numpy as np
from scipy.linalg import get_blas_funcs
from scipy.special import expit, log_expit, logsumexp

__all__ = [
    "ACTIVATIONS",
    "LOSSES",
    "LEAKY_SLOPE",
    "Workspace",
    "gemm_into",
    "fortran_copy",
    "flat_view",
    "column_sums",
    "init_params",
    "forward",
    "output_delta",
    "backward",
    "penalty",
    "loss_and_gradient",
    "mean_loss",
    "predict_logits",
    "proba_from_logits",
    "log_proba_from_logits",
]

ACTIVATIONS = ("logistic", "sigmoid", "tanh", "relu", "leaky_relu")
LOSSES = ("log_loss", "binary_log_loss", "squared_error")
LEAKY_SLOPE = 0.01
# the NumPy tutorial's targets for the squared error: 0.01 for "no", 0.99 for "yes"
SQUARED_ERROR_TARGETS = (0.01, 0.99)


def _fortran_operand(M):
    """``(array, trans)`` with ``array`` Fortran-ordered and ``op(array) == M``."""
    if M.flags.f_contiguous:
        return M, 0
    if M.flags.c_contiguous:
        return M.T, 1
    return np.asfortranarray(M), 0


def gemm_into(alpha, A, B, beta, C):
    """``C = alpha * A @ B + beta * C`` in place through SciPy's BLAS ``gemm``.

    ``C`` must be C- or F-contiguous; no operand is copied when each is C- or
    F-contiguous (transposed views included). Training runs every product through
    this one BLAS library: NumPy and SciPy each bundle an OpenBLAS with its own
    thread pool, and alternating between two pools leaves one pool's spinning
    threads competing with the other's on a small machine.
    """
    gemm = get_blas_funcs("gemm", dtype=C.dtype)
    if C.flags.c_contiguous:
        # C.T = alpha * B.T @ A.T + beta * C.T, with C.T Fortran-ordered
        A, B, C_f = B.T, A.T, C.T
    else:
        C_f = C
    a, trans_a = _fortran_operand(A)
    b, trans_b = _fortran_operand(B)
    out = gemm(
        alpha, a, b, beta=beta, c=C_f, trans_a=trans_a, trans_b=trans_b, overwrite_c=1
    )
    if not np.shares_memory(out, C):  # pragma: no cover - the wrapper copied
        C_f[...] = out
    return C


def fortran_copy(M):
    """Return a Fortran-ordered copy of the 2-D array ``M``."""
    out = np.empty(M.shape, dtype=M.dtype, order="F")
    # slabs of rows that fit in cache: a single strided copy of a C-ordered
    # 12,288 x 500 matrix walks the output across cache lines and runs 4x slower
    rows = max(1, (1 << 19) // max(1, M.shape[1] * M.itemsize))
    for start in range(0, M.shape[0], rows):
        out[start : start + rows] = M[start : start + rows]
    return out


def flat_view(M):
    """Return a 1-D view of the C- or F-contiguous ``M``, in memory order.

    Arrays combined elementwise this way must share one layout.
    """
    flat = M.ravel(order="K")
    if not np.shares_memory(flat, M):
        raise ValueError("flat_view needs a C- or F-contiguous array")
    return flat


def column_sums(D):
    """Return ``D.sum(axis=0)`` (a bias gradient) for a C- or F-ordered ``D``."""
    # einsum walks a Fortran-ordered batch down its columns: 3x faster than sum
    return np.einsum("ij->j", D)


def _activate(name, Z, tmp):
    """Apply the hidden activation to ``Z`` in place (``tmp``: scratch of Z's shape)."""
    if name in ("logistic", "sigmoid"):
        # expit's formula 1 / (1 + exp(-z)) with NumPy's vectorised exp: 3-5x
        # faster than expit's scalar loop, equal to it within 2 ulp
        with np.errstate(over="ignore"):  # exp(-z) = inf gives 0, as expit
            np.negative(Z, out=Z)
            np.exp(Z, out=Z)
        Z += 1
        np.reciprocal(Z, out=Z)
    elif name == "tanh":
        np.tanh(Z, out=Z)
    elif name == "relu":
        np.maximum(Z, 0, out=Z)
    else:  # leaky_relu: max(z, slope * z) for 0 < slope < 1
        np.multiply(Z, LEAKY_SLOPE, out=tmp)
        np.maximum(Z, tmp, out=Z)


def _multiply_derivative(name, A, D, tmp):
    """``D *= f'(z)``, with ``f'`` written in terms of the activation ``A = f(z)``."""
    if name in ("logistic", "sigmoid"):
        np.subtract(1, A, out=tmp)
        tmp *= A
    elif name == "tanh":
        np.multiply(A, A, out=tmp)
        np.subtract(1, tmp, out=tmp)
    elif name == "relu":
        np.greater(A, 0, out=tmp)
    else:
        np.greater(A, 0, out=tmp)
        tmp *= 1 - LEAKY_SLOPE
        tmp += LEAKY_SLOPE
    D *= tmp


class Workspace:
    """Preallocated per-batch buffers for a network with the given layer sizes.

    ``Z(i, S)`` holds layer ``i + 1``'s activations (the last one holds the output
    logits), ``D(i, S)`` the loss gradient with respect to layer ``i + 1``'s
    pre-activations, ``T(i, S)`` scratch space and ``P(S)`` the output activations,
    each for the ``S`` rows in use.
    """

    def __init__(self, layer_sizes, batch_size, dtype):
        self.batch_size = int(batch_size)
        self.dtype = np.dtype(dtype)
        self.widths = [int(m) for m in layer_sizes[1:]]
        self._bufs = {
            name: [np.empty(self.batch_size * m, dtype=dtype) for m in self.widths]
            for name in "ZDT"
        }
        self._p = np.empty(self.batch_size * self.widths[-1], dtype=dtype)
        self.rows = np.arange(self.batch_size)

    def _view(self, buf, m, S):
        # Fortran order: the products run fastest with these buffers as gemm's
        # output, untransposed (see the module's docstring); a view of the first
        # S * m elements keeps a short last batch contiguous, as gemm needs
        return buf[: S * m].reshape((S, m), order="F")

    def Z(self, i, S):
        """Activations of layer ``i + 1`` (the logits for the last layer)."""
        return self._view(self._bufs["Z"][i], self.widths[i], S)

    def D(self, i, S):
        """Gradient of the loss with respect to layer ``i + 1``'s pre-activations."""
        return self._view(self._bufs["D"][i], self.widths[i], S)

    def T(self, i, S):
        """Scratch space of layer ``i + 1``'s shape."""
        return self._view(self._bufs["T"][i], self.widths[i], S)

    def P(self, S):
        """Output activations (softmax or sigmoid)."""
        return self._view(self._p, self.widths[-1], S)


def _uniform_fortran(gen, shape, bound, dtype, draw_dtype):
    """Draw uniform weights on ``[-bound, bound)`` row after row, Fortran-ordered."""
    out = np.empty(shape, dtype=dtype, order="F")
    # slabs of rows of about 1 MB: drawn, scaled and transposed into place while
    # in cache, they cost little more than drawing one C-ordered array, and the
    # stream of draws (so every weight) is the same
    rows = max(1, (1 << 20) // (shape[1] * np.dtype(draw_dtype).itemsize))
    buf = np.empty((min(rows, shape[0]), shape[1]), dtype=draw_dtype)
    for start in range(0, shape[0], rows):
        slab = buf[: min(rows, shape[0] - start)]
        gen.random(out=slab, dtype=draw_dtype)
        slab *= 2 * bound
        slab -= bound
        out[start : start + rows] = slab
    return out


def init_params(layer_sizes, activation, random_state, dtype):
    """Initialise weights suited to the activation; biases start at zero.

    Hidden layers: He uniform (``sqrt(6 / fan_in)``) for relu and leaky relu,
    Glorot uniform (``sqrt(6 / (fan_in + fan_out))``) for tanh, and scikit-learn's
    narrower Glorot bound ``sqrt(2 / (fan_in + fan_out))`` for the sigmoid. The output
    layer always uses Glorot uniform. Weights are drawn row by row, as a C-ordered
    array, and returned Fortran-ordered.
    """
    coefs, intercepts = [], []
    n_layers = len(layer_sizes) - 1
    # a Generator draws float32 directly: 10x faster than RandomState.uniform plus
    # a cast for the NumPy tutorial's 6-million-weight layer
    gen = np.random.default_rng(random_state.randint(np.iinfo(np.int32).max))
    dtype = np.dtype(dtype)
    draw_dtype = dtype if dtype in (np.float32, np.float64) else np.float64
    for i in range(n_layers):
        fan_in, fan_out = int(layer_sizes[i]), int(layer_sizes[i + 1])
        if i == n_layers - 1 or activation == "tanh":
            bound = np.sqrt(6.0 / (fan_in + fan_out))
        elif activation in ("relu", "leaky_relu"):
            bound = np.sqrt(6.0 / fan_in)
        else:
            bound = np.sqrt(2.0 / (fan_in + fan_out))
        coefs.append(_uniform_fortran(gen, (fan_in, fan_out), bound, dtype, draw_dtype))
        intercepts.append(np.zeros(fan_out, dtype=dtype))
    return coefs, intercepts


def forward(coefs, intercepts, activation, X, ws, S):
    """Propagate ``X`` (S rows) through the network; return the output logits."""
    A = X
    last = len(coefs) - 1
    for i, (W, b) in enumerate(zip(coefs, intercepts)):
        Z = ws.Z(i, S)
        gemm_into(1.0, A, W, 0.0, Z)
        Z += b
        if i < last:
            _activate(activation, Z, ws.T(i, S))
        A = Z
    return A


def output_delta(loss, logits, yi, sw, scale, ws, S):
    """Loss of a batch and the gradient of the scaled loss w.r.t. the output logits.

    Parameters
    ----------
    loss : {"log_loss", "binary_log_loss", "squared_error"}
    logits : ndarray of shape (S, n_classes)
    yi : ndarray of shape (S,)
        Class indices.
    sw : ndarray of shape (S,) or None
        Sample weights (None: all ones).
    scale : float
        Factor applied to the gradient: ``1 / sum of the weights`` of the set the
        mean loss runs over.
    ws : Workspace
        ``ws.D(-1, S)`` receives ``scale * w_i * d loss_i / d logits``, ``ws.P(S)``
        the output activations (softmax or sigmoid).
    S : int

    Returns
    -------
    total : float
        ``sum_i w_i loss_i`` (unscaled, in float64).
    """
    P = ws.P(S)
    D = ws.D(-1, S)
    rows = ws.rows[:S]
    if loss == "log_loss":
        lse = logsumexp(logits, axis=1)
        per_sample = lse - logits[rows, yi]
        np.subtract(logits, lse[:, None], out=P)
        np.exp(P, out=P)
        np.copyto(D, P)
        D[rows, yi] -= 1
    elif loss == "binary_log_loss":
        # sum_k [log(1 + e^z_k) - y_k z_k], computed without overflow
        np.logaddexp(0, logits, out=P)
        per_sample = P.sum(axis=1, dtype=np.float64) - logits[rows, yi]
        expit(logits, out=P)
        np.copyto(D, P)
        D[rows, yi] -= 1
    else:  # squared_error: sum_k (sigmoid(z_k) - t_k)^2 on 0.01/0.99 targets
        lo, hi = SQUARED_ERROR_TARGETS
        expit(logits, out=P)
        np.subtract(P, lo, out=D)
        D[rows, yi] -= hi - lo
        per_sample = np.einsum("ij,ij->i", D, D, dtype=np.float64)
        D *= P
        D *= 1 - P  # allocates (S, n_classes): the output layer is small
        D *= 2
    if sw is None:
        total = float(np.sum(per_sample, dtype=np.float64))
        D *= scale
    else:
        total = float(np.dot(per_sample.astype(np.float64, copy=False), sw))
        D *= (sw * scale)[:, None].astype(D.dtype, copy=False)
    return total


def backward(coefs, activation, X, ws, S, step):
    """Back-propagate ``ws.D(-1, S)`` and call ``step(i, A_in, D)`` for every layer.

    ``step`` receives the layer index, the layer's input activations ``A_in`` (S
    rows) and the gradient ``D`` w.r.t. its pre-activations; the layer's weight
    gradient is ``A_in.T @ D`` and its bias gradient ``D.sum(0)``. It may update
    ``coefs[i]`` in place: the delta of the layer below is computed before.
    """
    for i in range(len(coefs) - 1, -1, -1):
        D = ws.D(i, S)
        A_in = X if i == 0 else ws.Z(i - 1, S)
        if i > 0:
            D_below = ws.D(i - 1, S)
            gemm_into(1.0, D, coefs[i].T, 0.0, D_below)
            _multiply_derivative(activation, A_in, D_below, ws.T(i - 1, S))
        step(i, A_in, D)


def penalty(coefs, alpha, n_train):
    """``alpha / (2 n_train) * sum of squared weights`` (biases excluded)."""
    if alpha == 0:
        return 0.0
    sq = sum(float(np.dot(flat_view(W), flat_view(W))) for W in coefs)
    return 0.5 * alpha / n_train * sq


def loss_and_gradient(
    coefs,
    intercepts,
    X,
    yi,
    sw,
    *,
    activation,
    loss,
    alpha,
    n_train,
    grad_coefs=None,
    grad_intercepts=None,
    chunk_size=4096,
    ws=None,
):
    """Full-batch objective and its gradient, accumulated over row chunks.

    The objective is ``sum_i w_i loss_i / sum_i w_i + alpha / (2 n_train) sum W**2``.

    Parameters
    ----------
    coefs, intercepts : list of ndarray
        The parameters.
    X : ndarray of shape (n_samples, n_features)
    yi : ndarray of shape (n_samples,)
        Class indices.
    sw : ndarray of shape (n_samples,) or None
    activation, loss : str
    alpha : float
    n_train : int
        The training-set size in the penalty.
    grad_coefs, grad_intercepts : list of ndarray or None
        Receive the gradient when given (if None, they are allocated); pass
        ``grad_coefs=False`` to compute the objective only.
    chunk_size : int, default=4096
    ws : Workspace or None

    Returns
    -------
    objective : float
    grad_coefs, grad_intercepts : list of ndarray or None
    """
    n = X.shape[0]
    dtype = coefs[0].dtype
    want_grad = grad_coefs is not False
    if want_grad and grad_coefs is None:
        grad_coefs = [np.empty_like(W) for W in coefs]
        grad_intercepts = [np.empty_like(b) for b in intercepts]
    if want_grad:
        for g in (*grad_coefs, *grad_intercepts):
            g[...] = 0
    sizes = [coefs[0].shape[0]] + [W.shape[1] for W in coefs]
    if ws is None or ws.batch_size < min(n, chunk_size) or ws.dtype != dtype:
        ws = Workspace(sizes, min(n, chunk_size), dtype)
    total_w = float(n) if sw is None else float(np.sum(sw, dtype=np.float64))
    scale = 1.0 / total_w

    def accumulate(i, A_in, D):
        gemm_into(1.0, A_in.T, D, 1.0, grad_coefs[i])
        grad_intercepts[i] += column_sums(D)

    total = 0.0
    for start in range(0, n, ws.batch_size):
        stop = min(start + ws.batch_size, n)
        S = stop - start
        Xc = X[start:stop]
        logits = forward(coefs, intercepts, activation, Xc, ws, S)
        swc = None if sw is None else sw[start:stop]
        total += output_delta(loss, logits, yi[start:stop], swc, scale, ws, S)
        if want_grad:
            backward(coefs, activation, Xc, ws, S, accumulate)
    objective = total * scale + penalty(coefs, alpha, n_train)
    if want_grad and alpha:
        for W, g in zip(coefs, grad_coefs):
            g += (alpha / n_train) * W
    if not want_grad:
        return objective, None, None
    return objective, grad_coefs, grad_intercepts


def predict_logits(coefs, intercepts, activation, X, chunk_size=2048):
    """Output logits for all rows of ``X``, computed chunk by chunk."""
    n = X.shape[0]
    out = np.empty((n, coefs[-1].shape[1]), dtype=coefs[-1].dtype)
    sizes = [coefs[0].shape[0]] + [W.shape[1] for W in coefs]
    ws = Workspace(sizes, min(max(n, 1), chunk_size), coefs[0].dtype)
    for start in range(0, n, ws.batch_size):
        stop = min(start + ws.batch_size, n)
        out[start:stop] = forward(
            coefs, intercepts, activation, X[start:stop], ws, stop - start
        )
    return out


def log_proba_from_logits(loss, logits):
    """Log-probabilities of the classes, computed in the log domain.

    Log-softmax for ``log_loss``; for the one-vs-all sigmoid losses the log of the
    per-class sigmoids normalised to sum to one, so rows never underflow.
    """
    if loss == "log_loss":
        return logits - logsumexp(logits, axis=1, keepdims=True)
    log_s = log_expit(logits)
    return log_s - logsumexp(log_s, axis=1, keepdims=True)


def proba_from_logits(loss, logits):
    """Class probabilities whose rows sum to one (see :func:`log_proba_from_logits`)."""
    return np.exp(log_proba_from_logits(loss, logits))


def mean_loss(loss, logits, yi, sw=None):
    """Weighted mean data loss of ``logits`` (no penalty), in float64.

    The same per-sample losses as :func:`output_delta`, for validation sets.
    """
    rows = np.arange(logits.shape[0])
    if loss == "log_loss":
        per_sample = logsumexp(logits, axis=1) - logits[rows, yi]
    elif loss == "binary_log_loss":
        per_sample = np.logaddexp(0, logits).sum(axis=1) - logits[rows, yi]
    else:
        lo, hi = SQUARED_ERROR_TARGETS
        err = expit(logits) - lo
        err[rows, yi] -= hi - lo
        per_sample = np.einsum("ij,ij->i", err, err)
    per_sample = per_sample.astype(np.float64, copy=False)
    return float(np.average(per_sample, weights=sw))
