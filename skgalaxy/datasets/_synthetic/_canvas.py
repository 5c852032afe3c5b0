"""Stellar populations: their colours, and the canvas that sums their light.

A renderer adds each population's light (an image per galaxy) with its colour; the
canvas turns the layers into the image's channels only once the galaxy is complete.
"""

import numpy as np

from . import _profiles as P

__all__ = ["DISK", "DUST", "OLD", "YOUNG", "Canvas"]

F32 = np.float32

# Display colours (R, G, B from z, r, g) of the stellar populations: old bulges are
# redder than disks, young star-forming arms and clumps are blue.
OLD = np.array([1.0, 0.84, 0.64])
DISK = np.array([0.90, 0.90, 0.92])
YOUNG = np.array([0.62, 0.78, 1.0])
# Relative dust opacity in R, G, B (z, r, g bands): dust lanes redden what they cover.
DUST = np.array([0.55, 0.75, 1.0])


class Canvas:
    """Light of a chunk of galaxies, accumulated per stellar population."""

    def __init__(self, m, size):
        self.m = m
        self.size = size
        self.x, self.y = P.grid(size)
        self.softening = 0.3 / size
        self.layers = []  # (image (m, s, s), colour (m, 3))

    def add(self, image, colour):
        self.layers.append((image, colour))

    def render(self, weights):
        """Sum the layers into channels by ``weights`` (3, c): (m, c, s, s) float32."""
        c = weights.shape[1]
        out = np.zeros((self.m, c, self.size, self.size), dtype=F32)
        for image, colour in self.layers:
            col = (np.asarray(colour) @ weights).astype(F32)  # (m, c)
            for k in range(c):
                out[:, k] += image * col[:, k, None, None]
        return out
