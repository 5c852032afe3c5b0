"""Stochastic optimisers of :class:`NumpyMLPClassifier`, updating weights in place.

Each optimiser keeps only its state (velocities, moments); the parameters are passed
to :meth:`step`, so a caller can train on copies and keep the originals if a run
diverges. The weight gradient of a layer is ``A_in.T @ D + (alpha / n_train) W``,
where ``D`` already carries the ``1 / sum of weights`` factor of the mean loss.

The plain-momentum SGD step is fused into BLAS: one ``gemm`` computes
``U = momentum * U + lr (1 - momentum) A_in.T @ D`` in place, one ``axpy`` applies
``W -= U``, so a step reads and writes each weight matrix only about twice.
"""

import numpy as np
from scipy.linalg import get_blas_funcs

from ._mlp_core import gemm_into

__all__ = ["SGDOptimizer", "AdamOptimizer"]


def _blas(names, dtype):
    return get_blas_funcs(names, dtype=np.dtype(dtype))


class SGDOptimizer:
    """Mini-batch SGD with the NumPy tutorial's moving-average momentum.

    ``v = momentum * v + (1 - momentum) * g`` and ``W -= lr * v``; with
    ``nesterov=True`` the step is ``W -= lr * (momentum * v + (1 - momentum) * g)``.
    The velocity is stored multiplied by the learning rate (``U = lr * v``).
    """

    def __init__(self, coefs, intercepts, *, learning_rate, momentum, nesterov):
        self.learning_rate = float(learning_rate)
        self.momentum = float(momentum)
        self.nesterov = bool(nesterov)
        if self.momentum > 0:
            self.vel_coefs = [np.zeros_like(W) for W in coefs]
            self.vel_intercepts = [np.zeros_like(b) for b in intercepts]
        self._grad = None

    def astype(self, dtype):
        """Cast the state to ``dtype`` (for a warm start on data of another dtype)."""
        if self.momentum > 0:
            self.vel_coefs = [v.astype(dtype) for v in self.vel_coefs]
            self.vel_intercepts = [v.astype(dtype) for v in self.vel_intercepts]
        self._grad = None
        return self

    def step(self, i, W, b, A_in, D, decay):
        """Update layer ``i``'s ``W`` and ``b`` in place; ``decay = alpha/n_train``."""
        axpy = _blas("axpy", W.dtype)
        lr, beta = self.learning_rate, self.momentum
        g_b = D.sum(axis=0)
        if beta == 0:
            # W = (1 - lr * decay) W - lr A_in.T @ D, one gemm
            gemm_into(-lr, A_in.T, D, 1.0 - lr * decay, W)
            b -= lr * g_b
            return
        c = lr * (1.0 - beta)
        U, u_b = self.vel_coefs[i], self.vel_intercepts[i]
        if not self.nesterov:
            gemm_into(c, A_in.T, D, beta, U)
            if decay:
                axpy(W.ravel(), U.ravel(), a=c * decay)
            axpy(U.ravel(), W.ravel(), a=-1.0)
            u_b *= beta
            u_b += c * g_b
            b -= u_b
            return
        # Nesterov: W -= beta * U_new + c * g, with g kept explicitly
        if self._grad is None:
            self._grad = [None] * len(self.vel_coefs)
        if self._grad[i] is None or self._grad[i].dtype != W.dtype:
            self._grad[i] = np.empty_like(W)
        G = self._grad[i]
        gemm_into(1.0, A_in.T, D, 0.0, G)
        if decay:
            axpy(W.ravel(), G.ravel(), a=decay)
        U *= beta
        axpy(G.ravel(), U.ravel(), a=c)
        axpy(U.ravel(), W.ravel(), a=-beta)
        axpy(G.ravel(), W.ravel(), a=-c)
        u_b *= beta
        u_b += c * g_b
        b -= beta * u_b + c * g_b

    def __getstate__(self):
        state = self.__dict__.copy()
        state["_grad"] = None  # scratch space, not state
        return state


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
        m, v = self.m[k], self.v[k]
        axpy = _blas("axpy", P.dtype)
        m *= b1
        axpy(G.ravel(), m.ravel(), a=1 - b1)
        np.multiply(G, G, out=G)
        v *= b2
        axpy(G.ravel(), v.ravel(), a=1 - b2)
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
        G = self._grad[i]
        gemm_into(1.0, A_in.T, D, 0.0, G)
        if decay:
            G += decay * W
        self._update(i, W, G)
        self._update(self.n_layers + i, b, D.sum(axis=0))

    def __getstate__(self):
        state = self.__dict__.copy()
        state["_grad"] = None
        return state
