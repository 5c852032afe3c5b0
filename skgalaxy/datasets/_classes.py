"""The Galaxy10 DECaLS classes and named groupings of them.

The real-file loader and the synthetic generator both label galaxies by these
names, so they live here rather than in either.
"""

from types import MappingProxyType

__all__ = [
    "CLASS_MAPPINGS",
    "GALAXY10_CLASSES",
    "GALAXY10_COUNTS",
    "GALAXY10_SDSS_CLASSES",
]

#: Names of the ten Galaxy10 DECaLS classes, indexed by their labels.
GALAXY10_CLASSES = (
    "disturbed",
    "merging",
    "round smooth",
    "in-between round smooth",
    "cigar-shaped smooth",
    "barred spiral",
    "unbarred tight spiral",
    "unbarred loose spiral",
    "edge-on without bulge",
    "edge-on with bulge",
)

#: Names of the ten classes of the original Galaxy10 (SDSS, 69x69 images),
#: indexed by their labels: not the DECaLS classes (as astroNN's
#: ``astroNN.datasets.galaxy10sdss`` names them, in lower case).
GALAXY10_SDSS_CLASSES = (
    "disk, face-on, no spiral",
    "smooth, completely round",
    "smooth, in-between round",
    "smooth, cigar shaped",
    "disk, edge-on, rounded bulge",
    "disk, edge-on, boxy bulge",
    "disk, edge-on, no bulge",
    "disk, face-on, tight spiral",
    "disk, face-on, medium spiral",
    "disk, face-on, loose spiral",
)

#: How many of Galaxy10 DECaLS's 17,736 galaxies each class holds (the
#: dataset's README, github.com/henrysky/Galaxy10): how often each class is met
#: among the galaxies volunteers agree on, which weighs the members of a group.
GALAXY10_COUNTS = (1081, 1853, 2645, 2027, 334, 2043, 1829, 2628, 1423, 1873)

_SMOOTH = ("round smooth", "in-between round smooth", "cigar-shaped smooth")

#: Named groupings of the Galaxy10 classes into coarser classes, for
#: ``make_galaxies(classes=name)``: ``{group name: tuple of Galaxy10 names}``.
CLASS_MAPPINGS = MappingProxyType(
    {
        # Mocz's three classes (his Galaxy Zoo 2 subset, read by load_galaxy_csv).
        "elliptical-spiral-irregular": {
            "elliptical": _SMOOTH,
            "spiral": (
                "barred spiral",
                "unbarred tight spiral",
                "unbarred loose spiral",
                "edge-on without bulge",
                "edge-on with bulge",
            ),
            "irregular": ("disturbed", "merging"),
        },
        # The classes of hubble_class: face-on spirals only.
        "hubble": {
            "elliptical": _SMOOTH,
            "spiral": ("unbarred tight spiral", "unbarred loose spiral"),
            "barred spiral": ("barred spiral",),
        },
        # gz1_small's four classes, for benchmarks on it: no "disturbed".
        "gz1": {
            "elliptical": _SMOOTH,
            "spiral": (
                "barred spiral",
                "unbarred tight spiral",
                "unbarred loose spiral",
            ),
            "edge-on": ("edge-on without bulge", "edge-on with bulge"),
            "merger": ("merging",),
        },
    }
)
