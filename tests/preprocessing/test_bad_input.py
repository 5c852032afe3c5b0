"""Every transformer rejects each bad input of issue 2 with a clear message."""

import numpy as np
import pytest

from skgalaxy.preprocessing import (
    CenterCrop,
    Coarsen,
    Flatten,
    Grayscale,
    Resize,
    ROICrop,
)

TRANSFORMERS = [CenterCrop(), Coarsen(2), Flatten(), Grayscale(), Resize(4), ROICrop()]
GOOD = np.zeros((3, 8, 8, 3), dtype=np.uint8)


def _nan():
    X = np.zeros((3, 8, 8, 3))
    X[1, 2, 3, 0] = np.nan
    return X


def _inf():
    X = np.zeros((3, 8, 8, 3), dtype=np.float32)
    X[0, 0, 0, 2] = np.inf
    return X


BAD = {
    "2-D": (
        ValueError,
        r"must be a 3-D or 4-D array of images.* got a 2-D array",
        np.zeros((3, 64)),
    ),
    "5-D": (ValueError, r"got a 5-D array", np.zeros((3, 8, 8, 3, 1))),
    "nan": (ValueError, r"contains NaN; images must be finite", _nan()),
    "inf": (ValueError, r"contains infinity; images must be finite", _inf()),
    "empty": (ValueError, r"X is empty: 0 images", np.zeros((0, 8, 8, 3))),
    "empty axis": (ValueError, r"empty axis", np.zeros((3, 8, 0, 3))),
    "strings": (TypeError, r"numeric dtype", np.full((3, 8, 8, 3), "a")),
    "objects": (TypeError, r"not numbers", np.full((3, 8, 8, 3), "a", dtype=object)),
    "ragged": (ValueError, r"ragged", [np.zeros((8, 8, 3)), np.zeros((6, 8, 3))]),
    "sparse-like scalar": (TypeError, r"must be an array of images", 3.0),
}


@pytest.mark.parametrize("what", sorted(BAD))
@pytest.mark.parametrize("transformer", TRANSFORMERS, ids=lambda t: type(t).__name__)
def test_bad_input_in_fit_and_transform(transformer, what):
    error, match, X = BAD[what]
    with pytest.raises(error, match=match):
        transformer.fit(X)
    fitted = transformer.fit(GOOD)
    with pytest.raises(error, match=match):
        fitted.transform(X)


@pytest.mark.parametrize("transformer", TRANSFORMERS, ids=lambda t: type(t).__name__)
def test_not_fitted_error(transformer):
    from sklearn.base import clone
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        clone(transformer).transform(GOOD)


@pytest.mark.parametrize("transformer", TRANSFORMERS, ids=lambda t: type(t).__name__)
def test_shape_mismatch_names_both_shapes(transformer):
    fitted = transformer.fit(GOOD)
    with pytest.raises(ValueError, match=r"X has images of shape 8x6x3, but .* 8x8x3"):
        fitted.transform(GOOD[:, :, :6])
