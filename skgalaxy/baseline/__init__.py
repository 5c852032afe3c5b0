"""Baselines every Galaxy Zoo model is measured against.

- :class:`PixelBaselineRegressor`: the mean vote, linear regression on the central
  or the average pixel (Hildebrandt's report), and Kaggle's central-pixel benchmark.
"""

from ._pixel import PixelBaselineRegressor

__all__ = ["PixelBaselineRegressor"]
