"""Random draws of physical parameters shared by the models of :func:`make_galaxies`.

Each takes the chunk's generator and the number ``m`` of galaxies, and returns
float64 values for each galaxy.
"""

import numpy as np

__all__ = ["centre", "clipped_normal", "colours", "log_uniform"]


def log_uniform(rng, low, high, m):
    return np.exp(rng.uniform(np.log(low), np.log(high), m))


def clipped_normal(rng, mean, sd, low, high, m):
    return np.clip(rng.normal(mean, sd, m), low, high)


def colours(rng, base, m, jitter=0.05):
    """Per-galaxy (m, 3) colours scattered around ``base``."""
    return base * np.exp(rng.normal(0.0, jitter, (m, 3)))


def centre(rng, m, sd=0.012):
    return np.clip(rng.normal(0.0, sd, (2, m)), -0.04, 0.04)
