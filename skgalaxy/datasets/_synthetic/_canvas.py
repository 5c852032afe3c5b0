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
    ``core`` gives galaxies a colour gradient: log colour offsets ``(3,)`` of
    their cores and of their outskirts (see :meth:`add_graded`).
    """

    def __init__(self, m, size, zoom=None, colour_map=None, structure=None, core=None):
        self.m = m
        self.size = size
        self.colour_map = colour_map
        self.core = core
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

    def _graded(self, image, colour, reference):
        """Split light into layers ``(image, colour)`` graded as add_graded says."""
        if self.colour_map is not None:
            colour = self.colour_map(colour)
        if self.core is None or reference is None:
            return [(image, colour)]
        inner = image * (image / (image + P.col(reference)))
        centre, outskirts = self.core
        return [
            (inner, colour * np.exp(centre)),
            (image - inner, colour * np.exp(outskirts)),
        ]

    def add_graded(self, image, colour, reference):
        """Add light whose colour grades from its core's to its outskirts'.

        With ``core``, a pixel of surface brightness ``I`` takes the core's
        colour offset by the share ``I / (I + reference)`` and the outskirts'
        by the rest: half each where the light is ``reference`` (a Sersic
        profile's amplitude, its surface brightness at the effective radius).
        """
        self.layers.extend(self._graded(image, colour, reference))

    def add_behind_dust(self, image, colour, tau, reference=None):
        """Add light seen through dust of optical depth ``tau`` (V band).

        Each channel is attenuated by its own opacity, which reddens it. With
        a ``reference``, the light's colour is graded as :meth:`add_graded`
        grades it.
        """
        for light, colour in self._graded(image, colour, reference):
            for k in range(3):
                unit = np.zeros((self.m, 3))
                unit[:, k] = colour[:, k]
                self.layers.append((P.attenuate(light, tau, DUST[k]), unit))

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
