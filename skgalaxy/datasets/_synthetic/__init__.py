"""Synthetic galaxy images of the ten Galaxy10 DECaLS classes, built from physics.

Each class has a sampler of physical parameters and a renderer that turns them into
light in three bands; the observation (PSF, stars, sky, noise, asinh stretch) is the
same for all classes. Galaxies are generated in chunks of one class on a shared
pixel grid with per-galaxy parameters broadcast, and chunks run on threads.

One model per module:

- ``_profiles``: coordinates and light profiles (bulges, disks, arms, bars, ...);
- ``_canvas``: the stellar populations' colours and the canvas summing their light;
- ``_draws``: random draws of physical parameters shared by the models;
- ``_morphology``: each class's physical model, its renderer;
- ``_observation``: PSF, stars, sky, noise and stretch;
- ``_votes``: the Galaxy Zoo answers of volunteers;
- ``_make``: :func:`make_galaxies`, which labels, chunks and runs them.
"""

from ._make import make_galaxies

__all__ = ["make_galaxies"]
