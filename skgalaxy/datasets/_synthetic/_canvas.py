"""Stellar populations: their colours, and the canvas that sums their light.

A renderer adds each population's light (an image per galaxy) with its colour; the
canvas turns the layers into the image's channels only once the galaxy is complete.
"""

import numpy as np

from . import _profiles as P

__all__ = ["DISK", "DUST", "OLD", "STRUCTURE", "YOUNG", "Canvas"]

F32 = np.float32

# Display colours (R, G, B from z, r, g) of the stellar populations: old bulges are
# redder than disks, young star-forming arms and clumps are blue.
OLD = np.array([1.0, 0.84, 0.64])
DISK = np.array([0.90, 0.90, 0.92])
YOUNG = np.array([0.62, 0.78, 1.0])
# How structures show, in the ideal look: factors on the share of a disk's light
# in its spiral arms (on the image, and as the vote model's volunteers see it),
# the light of star-forming clumps, the dust lanes' optical depth and the Sersic
# index of smooth galaxies; the least thickness of edge-on disks (scale height
# over scale length, added in quadrature) and their lowest inclination
# (degrees); the largest lopsidedness (m = 1 strength) of spiral disks.
STRUCTURE = {
    "arms": 1.0,
    "arm_votes": 1.0,
    "clumps": 1.0,
    "thickness": 0.0,
    "dust": 1.0,
    "sersic_n": 1.0,
    "edge_on_inclination": 83.0,
    "lopsided": 0.0,
}
# Relative dust opacity in R, G, B (z, r, g bands): dust lanes redden what they cover.
DUST = np.array([0.55, 0.75, 1.0])


class Canvas:
    """Light of a chunk of galaxies, accumulated per stellar population.

    The renderers draw in model units, the image width of the ideal look. A
    ``zoom`` (one value per galaxy) shows each galaxy that many times smaller
    or larger on the image, as a survey frames its galaxies: coordinates, the
    central softening and clump positions are scaled, surface brightness is not.
    A ``colour_map`` turns the populations' colours into a survey's own as each
    layer is added, and ``structure`` scales the contrast of structures the
    survey resolves less well than the ideal look (see :data:`STRUCTURE`).
    """

    def __init__(self, m, size, zoom=None, colour_map=None, structure=None):
        self.m = m
        self.size = size
        self.colour_map = colour_map
        self.structure = STRUCTURE if structure is None else structure
        self.zoom = None if zoom is None else np.asarray(zoom, dtype=np.float64)
        x, y = P.grid(size)
        if self.zoom is None:
            self.x, self.y = x, y
            self.softening = 0.3 / size
        else:
            # (m, 1, s) and (m, s, 1): every profile broadcasts them per galaxy.
            self.x, self.y = x / P.col(self.zoom), y / P.col(self.zoom)
            self.softening = P.col(0.3 / size / self.zoom)
        self.layers = []  # (image (m, s, s), colour (m, 3))

    def add(self, image, colour):
        if self.colour_map is not None:
            colour = self.colour_map(colour)
        self.layers.append((image, colour))

    def add_behind_dust(self, image, colour, tau):
        """Add light seen through dust of optical depth ``tau`` (V band).

        Each channel is attenuated by its own opacity, which reddens it.
        """
        if self.colour_map is not None:
            colour = self.colour_map(colour)
        for k in range(3):
            unit = np.zeros((self.m, 3))
            unit[:, k] = colour[:, k]
            self.layers.append((P.attenuate(image, tau, DUST[k]), unit))

    def clumps(self, x, y, width, peak):
        """Draw round Gaussian clumps at model positions ``(x, y)``.

        See :func:`~._profiles.gaussian_clumps`; returns an ``(m, s, s)`` image.
        """
        if self.zoom is not None:
            z = self.zoom
            x, y, width = x * z[:, None], y * z[:, None], width * z
        return P.gaussian_clumps(self.size, x, y, width, peak)

    def render(self, weights):
        """Sum the layers into channels by ``weights`` (3, c): (m, c, s, s) float32."""
        c = weights.shape[1]
        out = np.zeros((self.m, c, self.size, self.size), dtype=F32)
        for image, colour in self.layers:
            col = (np.asarray(colour) @ weights).astype(F32)  # (m, c)
            for k in range(c):
                out[:, k] += image * col[:, k, None, None]
        return out
