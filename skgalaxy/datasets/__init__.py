"""Datasets: synthetic galaxies, loaders for real files, the Galaxy Zoo tree.

Names load with their module on first use, so importing the decision tree (as
:mod:`skgalaxy.metrics` does) never imports h5py or the synthetic generator.
"""

import importlib

# public name -> private module defining it
_LAZY = {
    "CLASS_MAPPINGS": "._classes",
    "GALAXY10_CLASSES": "._classes",
    "GALAXY10_COUNTS": "._classes",
    "GALAXY10_SDSS_CLASSES": "._classes",
    "fetch_galaxy10_decals": "._fetch",
    "fetch_galaxy10_sdss": "._fetch",
    "get_data_home": "._fetch",
    "load_galaxy_csv": "._csv",
    "load_galaxy10": "._galaxy10",
    "load_galaxy_zoo": "._galaxy_zoo",
    "list_images": "._images",
    "load_images": "._images",
    "make_galaxies": "._synthetic",
    **dict.fromkeys(
        [
            "HUBBLE_CLASSES",
            "PARENT_INDEX",
            "QUESTIONS",
            "QUESTION_SLICES",
            "VOTE_COLUMNS",
            "Answer",
            "Question",
            "check_votes",
            "hubble_class",
            "normalize_votes",
            "plurality_class",
            "tree_consistency_error",
        ],
        "._tree",
    ),
}

__all__ = sorted(_LAZY)


def __getattr__(name):
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name], __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(__all__))
