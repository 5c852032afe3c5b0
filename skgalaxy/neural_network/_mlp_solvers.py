"""Stochastic optimisers of :class:`NumpyMLPClassifier`, updating weights in place.

Each optimiser keeps only its state (velocities, moments); the parameters are passed
to :meth:`step`, so a caller can train on copies and keep the originals if a run
diverges. The weight gradient of a layer is ``A_in.T @ D + (alpha / n_train) W``,
where ``D`` already carries the ``1 / sum of weights`` factor of the mean loss.

The plain-momentum SGD step is fused into BLAS: one ``gemm`` adds the gradient
product to the velocity in place, one ``axpy`` applies it, ``W -= U``, so a step
reads and writes each weight matrix about twice. The velocity is stored divided
by a running scale, ``U = scale * U_stored``: the decay ``U *= momentum`` becomes
``scale *= momentum``, and the ``gemm`` runs with ``beta=1``, which spares the pass
over ``U`` that OpenBLAS makes to apply any other ``beta`` (about 0.6 ms a step on
the NumPy tutorial's 12,288 x 500 layer). Before the scale gets small the ``gemm``
folds it back into the array through its ``beta``, the unscaled step's cost,
once every few hundred steps at ``momentum=0.9``.
"""

import numpy as np
from scipy.linalg import get_blas_funcs

from ._mlp_core import column_sums, flat_view, gemm_into

__all__ = ["SGDOptimizer", "AdamOptimizer"]

# The smallest velocity scale: below it the scale is folded into the stored
# velocity, which is then at most 2**40 times the true one (finite in float32
# for any velocity short of divergence).
_MIN_VELOCITY_SCALE = 2.0**-40


def _blas(names, dtype):
    return get_blas_funcs(names, dtype=np.dtype(dtype))


def _like(state, W):
    """``state`` in ``W``'s memory layout (C or F), for elementwise BLAS calls."""
    if state.ndim < 2 or state.flags.f_contiguous == W.flags.f_contiguous:
        return state
    return np.asfortranarray(state) if W.flags.f_contiguous else state.copy(order="C")


class SGDOptimizer:
    """Mini-batch SGD with the NumPy tutorial's moving-average momentum.

    ``v = momentum * v + (1 - momentum) * g`` and ``W -= lr * v``; with
    ``nesterov=True`` the step is ``W -= lr * (momentum * v + (1 - momentum) * g)``.
    The velocity ``U = lr * v`` of a weight matrix is stored as
    ``vel_coefs[i] * vel_scales[i]`` (see :meth:`velocities`).
    """

    def __init__(self, coefs, intercepts, *, learning_rate, momentum, nesterov):
        self.learning_rate = float(learning_rate)
        self.momentum = float(momentum)
        self.nesterov = bool(nesterov)
        if self.momentum > 0:
            self.vel_coefs = [np.zeros_like(W) for W in coefs]
            self.vel_scales = [1.0] * len(coefs)
            self.vel_intercepts = [np.zeros_like(b) for b in intercepts]
        self._grad = None

    def astype(self, dtype):
        """Cast the state to ``dtype`` (for a warm start on data of another dtype)."""
        if self.momentum > 0:
            self.vel_coefs = [v.astype(dtype) for v in self.vel_coefs]
            self.vel_intercepts = [v.astype(dtype) for v in self.vel_intercepts]
        self._grad = None
        return self

    def velocities(self):
        """Return the velocities ``lr * v`` of the weight matrices (new arrays)."""
        if self.momentum == 0:
            return None
        return [s * U for U, s in zip(self.vel_coefs, self.vel_scales)]

    def _advance_scale(self, i):
        """Decay layer ``i``'s velocity scale by the momentum for this step.

        Returns ``(scale, rescale)``: the new scale, and the factor the stored
        array must be multiplied by first (1 unless the scale is folded back).
        """
        scale = self.vel_scales[i] * self.momentum
        rescale = 1.0
        if scale < _MIN_VELOCITY_SCALE:
            rescale, scale = scale, 1.0
        self.vel_scales[i] = scale
        return scale, rescale

    def step(self, i, W, b, A_in, D, decay):
        """Update layer ``i``'s ``W`` and ``b`` in place; ``decay = alpha/n_train``."""
        axpy = _blas("axpy", W.dtype)
        lr, beta = self.learning_rate, self.momentum
        g_b = column_sums(D)
        if beta == 0:
            # W = (1 - lr * decay) W - lr A_in.T @ D, one gemm
            gemm_into(-lr, A_in.T, D, 1.0 - lr * decay, W)
            b -= lr * g_b
            return
        c = lr * (1.0 - beta)
        U = self.vel_coefs[i] = _like(self.vel_coefs[i], W)
        u_b = self.vel_intercepts[i]
        # U_new = beta U + c g = scale * (rescale * U_stored + (c / scale) g)
        scale, rescale = self._advance_scale(i)
        if not self.nesterov:
            gemm_into(c / scale, A_in.T, D, rescale, U)
            if decay:
                axpy(flat_view(W), flat_view(U), a=c * decay / scale)
            axpy(flat_view(U), flat_view(W), a=-scale)
            u_b *= beta
            u_b += c * g_b
            b -= u_b
            return
        # Nesterov: W -= beta * U_new + c * g, with g kept explicitly
        if self._grad is None:
            self._grad = [None] * len(self.vel_coefs)
        if self._grad[i] is None or self._grad[i].dtype != W.dtype:
            self._grad[i] = np.empty_like(W)
        G = self._grad[i] = _like(self._grad[i], W)
        gemm_into(1.0, A_in.T, D, 0.0, G)
        if decay:
            axpy(flat_view(W), flat_view(G), a=decay)
        if rescale != 1.0:
            U *= rescale
        axpy(flat_view(G), flat_view(U), a=c / scale)
        axpy(flat_view(U), flat_view(W), a=-beta * scale)
        axpy(flat_view(G), flat_view(W), a=-c)
        u_b *= beta
        u_b += c * g_b
        b -= beta * u_b + c * g_b

    def __getstate__(self):
        state = self.__dict__.copy()
        state["_grad"] = None  # scratch space, not state
        return state

    def __setstate__(self, state):
        # optimisers pickled before the scaled velocity store it unscaled
        if state.get("momentum", 0) > 0 and "vel_scales" not in state:
            state["vel_scales"] = [1.0] * len(state["vel_coefs"])
        self.__dict__.update(state)


class AdamOptimizer:
    """Adam (Kingma & Ba, 2014), as scikit-learn's MLP uses it."""

    def __init__(self, coefs, intercepts, *, learning_rate, beta_1, beta_2, epsilon):
        self.learning_rate = float(learning_rate)
        self.beta_1, self.beta_2, self.epsilon = float(beta_1), float(beta_2), epsilon
        self.t = 0
        self.m = [np.zeros_like(p) for p in (*coefs, *intercepts)]
        self.v = [np.zeros_like(p) for p in (*coefs, *intercepts)]
        self.n_layers = len(coefs)
        self._grad = None

    def astype(self, dtype):
        """Cast the state to ``dtype``."""
        self.m = [a.astype(dtype) for a in self.m]
        self.v = [a.astype(dtype) for a in self.v]
        self._grad = None
        return self

    def start_batch(self):
        """Advance the time step (once per mini-batch, before the layer steps)."""
        self.t += 1

    def _update(self, k, P, G):
        b1, b2 = self.beta_1, self.beta_2
        lr_t = self.learning_rate * np.sqrt(1 - b2**self.t) / (1 - b1**self.t)
        axpy = _blas("axpy", P.dtype)
        m = self.m[k] = _like(self.m[k], P)
        v = self.v[k] = _like(self.v[k], P)
        m *= b1
        axpy(flat_view(G), flat_view(m), a=1 - b1)
        np.multiply(G, G, out=G)
        v *= b2
        axpy(flat_view(G), flat_view(v), a=1 - b2)
        np.sqrt(v, out=G)
        G += self.epsilon
        np.divide(m, G, out=G)
        G *= lr_t
        P -= G

    def step(self, i, W, b, A_in, D, decay):
        """Update layer ``i``'s ``W`` and ``b`` in place; ``decay = alpha/n_train``."""
        if self._grad is None:
            self._grad = [None] * self.n_layers
        if self._grad[i] is None or self._grad[i].dtype != W.dtype:
            self._grad[i] = np.empty_like(W)
        G = self._grad[i] = _like(self._grad[i], W)
        gemm_into(1.0, A_in.T, D, 0.0, G)
        if decay:
            G += decay * W
        self._update(i, W, G)
        self._update(self.n_layers + i, b, column_sums(D))

    def __getstate__(self):
        state = self.__dict__.copy()
        state["_grad"] = None
        return state
