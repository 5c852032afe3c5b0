"""Datasets: synthetic galaxies, loaders for real files, the Galaxy Zoo tree."""

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
]
