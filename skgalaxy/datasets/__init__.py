"""Datasets: synthetic galaxies, loaders for real files, the Galaxy Zoo tree."""

from ._classes import CLASS_MAPPINGS, GALAXY10_CLASSES
from ._csv import load_galaxy_csv
from ._galaxy10 import load_galaxy10
from ._galaxy_zoo import load_galaxy_zoo
from ._images import list_images, load_images
from ._synthetic import make_galaxies
from ._tree import (
    HUBBLE_CLASSES,
    PARENT_INDEX,
    QUESTION_SLICES,
    QUESTIONS,
    VOTE_COLUMNS,
    Answer,
    Question,
    check_votes,
    hubble_class,
    normalize_votes,
    plurality_class,
    tree_consistency_error,
)

__all__ = [
    "CLASS_MAPPINGS",
    "GALAXY10_CLASSES",
    "HUBBLE_CLASSES",
    "PARENT_INDEX",
    "QUESTIONS",
    "QUESTION_SLICES",
    "VOTE_COLUMNS",
    "Answer",
    "Question",
    "check_votes",
    "hubble_class",
    "list_images",
    "load_galaxy10",
    "load_galaxy_csv",
    "load_galaxy_zoo",
    "load_images",
    "make_galaxies",
    "normalize_votes",
    "plurality_class",
    "tree_consistency_error",
]
