import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from scipy import ndimage as ndi

from skgalaxy.preprocessing import ROICrop


def _blob_image(shape, centre, radius, value=1.0):
    rows, cols = np.indices(shape[:2])
    disc = (rows - centre[0]) ** 2 + (cols - centre[1]) ** 2 <= radius**2
    image = np.zeros(shape)
    image[disc] = value
    return image


def test_roi_crop_centres_off_centre_blob():
    X = np.zeros((1, 40, 40), dtype=np.uint8)
    X[0, 4:12, 24:32] = 255
    roi = ROICrop(padding=0.25, output_size=12, detection_size=None).fit(X)
    # 8x8 box, side 8 * 1.5 = 12, centred on (8, 28).
    assert_array_equal(roi.get_boxes(X), [[2, 22, 12, 12]])
    out = roi.transform(X)
    expected = np.zeros((12, 12), dtype=np.float32)
    expected[2:10, 2:10] = 1.0
    assert_array_equal(out[0], expected)


def test_roi_crop_blob_lands_in_the_centre_of_the_output():
    X = _blob_image((64, 64, 3), centre=(15, 45), radius=6)[None]
    out = ROICrop(output_size=32).fit_transform(X)
    centre = ndi.center_of_mass(out[0].mean(axis=2))
    # Within half an input pixel (the square sits on the pixel grid): 1 output px.
    assert_allclose(centre, (15.5, 15.5), atol=1.1)
    assert out.shape == (1, 32, 32, 3)


def test_roi_crop_each_image_gets_its_own_box():
    X = np.stack(
        [_blob_image((50, 50), (10, 10), 4), _blob_image((50, 50), (35, 30), 8)]
    )
    boxes = ROICrop(padding=0.0, detection_size=None).fit(X).get_boxes(X)
    assert_array_equal(boxes, [[6, 6, 9, 9], [27, 22, 17, 17]])


def test_roi_crop_select_largest_or_central():
    image = _blob_image((60, 60), (10, 10), 8)  # big, in a corner
    image += _blob_image((60, 60), (30, 30), 3)  # small, central
    X = image[None]
    kwargs = {"padding": 0.0, "detection_size": None}
    largest = ROICrop(select="largest", **kwargs).fit(X).get_boxes(X)
    central = ROICrop(select="central", **kwargs).fit(X).get_boxes(X)
    assert_array_equal(largest, [[2, 2, 17, 17]])
    assert_array_equal(central, [[27, 27, 7, 7]])


def test_roi_crop_blank_image_falls_back_to_centred_square():
    X = np.zeros((2, 40, 60, 3), dtype=np.uint8)
    X[1] = 7  # constant, not black: still nothing above Otsu's level
    roi = ROICrop(output_size=20).fit(X)
    assert_array_equal(roi.get_boxes(X), [[0, 10, 40, 40]] * 2)
    out = roi.transform(X)
    assert_allclose(out[1], 7 / 255, rtol=1e-6)


def test_roi_crop_fixed_threshold_above_everything_falls_back():
    X = _blob_image((30, 30), (15, 15), 5, value=0.5)[None]
    assert_array_equal(ROICrop(threshold=0.6).fit(X).get_boxes(X), [[0, 0, 30, 30]])
    assert_array_equal(
        ROICrop(threshold=0.4, padding=0.0, detection_size=None).fit(X).get_boxes(X),
        [[10, 10, 11, 11]],
    )


def test_roi_crop_box_near_border_is_shifted_inside():
    X = _blob_image((40, 40), (3, 36), 3)[None]
    box = ROICrop(padding=0.5, detection_size=None).fit(X).get_boxes(X)[0]
    # side 7 * 2 = 14 would start at row -4 and end at column 44: shifted in.
    assert_array_equal(box, [0, 26, 14, 14])


def test_roi_crop_box_larger_than_frame_is_padded():
    X = np.full((1, 20, 30), 0.5)
    X[0, 2:18, 5:25] = 1.0  # 16x20 galaxy: side 20 * 1.5 = 30 > 20 rows
    roi = ROICrop(padding=0.25, output_size=30, detection_size=None).fit(X)
    assert_array_equal(roi.get_boxes(X), [[-5, 0, 30, 30]])
    out = roi.transform(X)
    assert_array_equal(out[0, :5], 0.0)  # constant padding above the frame
    assert_array_equal(out[0, 5:25], X[0])
    edge = ROICrop(padding=0.25, output_size=30, detection_size=None, pad_mode="edge")
    assert_array_equal(edge.fit_transform(X)[0, :5], 0.5)


def test_roi_crop_detection_size_gives_nearly_the_same_box(rng):
    X = _blob_image((256, 256), (100, 150), 30)[None] + 0.05 * rng.random((1, 256, 256))
    full = ROICrop(detection_size=None).fit(X).get_boxes(X)[0]
    fast = ROICrop(detection_size=64).fit(X).get_boxes(X)[0]
    assert np.all(np.abs(full - fast) <= 8)


def test_roi_crop_threads_give_the_same_result(rng):
    centres = rng.integers(12, 36, size=(40, 2))
    X = np.stack([_blob_image((48, 48, 2), c, 5) for c in centres])
    X = (X * 200 + rng.integers(0, 30, X.shape)).astype(np.uint8)
    one = ROICrop(output_size=16).fit_transform(X)
    two = ROICrop(output_size=16, n_jobs=2).fit_transform(X)
    assert_array_equal(one, two)


@pytest.mark.parametrize(
    "dtype, expected", [(np.float64, np.float64), (np.uint8, np.float32)]
)
def test_roi_crop_dtype_rule(dtype, expected):
    X = (_blob_image((32, 32, 5), (16, 16), 6) * 200).astype(dtype)[None]
    out = ROICrop(output_size=(10, 12)).fit_transform(X)
    assert out.dtype == expected
    assert out.shape == (1, 10, 12, 5)


@pytest.mark.parametrize("threshold", [np.nan, np.inf])
def test_roi_crop_non_finite_threshold(threshold):
    with pytest.raises(ValueError, match="'threshold' parameter of ROICrop"):
        ROICrop(threshold=threshold).fit(np.zeros((1, 8, 8)))


@pytest.mark.parametrize(
    "params, match",
    [
        ({"threshold": "mean"}, "threshold"),
        ({"select": "brightest"}, "select"),
        ({"padding": -0.1}, "padding"),
        ({"output_size": (0, 3)}, "output_size"),
        ({"detection_size": 2}, "detection_size"),
    ],
)
def test_roi_crop_bad_parameters(params, match):
    with pytest.raises(ValueError, match=match):
        ROICrop(**params).fit(np.zeros((1, 8, 8)))


def test_roi_crop_shape_mismatch_at_transform():
    roi = ROICrop().fit(np.zeros((1, 16, 16, 3)))
    with pytest.raises(ValueError, match="fitted on images of shape 16x16x3"):
        roi.transform(np.zeros((1, 17, 16, 3)))
    with pytest.raises(ValueError, match="fitted on images of shape 16x16x3"):
        roi.get_boxes(np.zeros((1, 16, 16)))
