"""Tests for skgalaxy.datasets.load_galaxy_csv (Mocz's label + pixels CSV)."""

import gzip

import numpy as np
import pytest
from numpy.testing import assert_array_equal

from skgalaxy.datasets import load_galaxy_csv


def _rows(labels, images):
    return [
        ",".join([str(int(label)), *(str(int(v)) for v in img.ravel())])
        for label, img in zip(labels, images)
    ]


def _write(path, lines):
    text = "\n".join(lines) + "\n"
    if path.suffix == ".gz":
        with gzip.open(path, "wt") as fh:
            fh.write(text)
    else:
        path.write_text(text)
    return path


@pytest.fixture
def galaxies(rng):
    images = rng.integers(0, 256, size=(6, 32, 32), dtype=np.uint8)
    labels = np.array([0, 0, 1, 1, 2, 2])
    return images, labels


@pytest.mark.parametrize("name", ["train.csv", "train.csv.gz"])
def test_load_galaxy_csv_roundtrip(tmp_path, galaxies, name):
    images, labels = galaxies
    path = _write(tmp_path / name, _rows(labels, images))
    bunch = load_galaxy_csv(path)
    assert bunch.images.dtype == np.uint8
    assert_array_equal(bunch.images, images)
    assert_array_equal(bunch.target, labels)
    assert bunch.target.dtype == np.int64
    assert bunch.target_names == ["elliptical", "spiral", "irregular"]
    assert bunch.data.shape == (6, 1024)
    assert np.shares_memory(bunch.data, bunch.images)
    assert "Labels found: 0, 1, 2" in bunch.DESCR
    X, y = load_galaxy_csv(str(path), return_X_y=True)
    assert_array_equal(X, images)
    assert_array_equal(y, labels)


def test_load_galaxy_csv_float_cells_and_image_shape(tmp_path):
    # Values written as floats ("2.0") are accepted when they are integers.
    lines = ["2.0," + ",".join(["17.0"] * 12), "1," + ",".join(["255"] * 12)]
    path = _write(tmp_path / "rgb.csv", lines)
    X, y = load_galaxy_csv(path, image_shape=(2, 2, 3), return_X_y=True)
    assert X.shape == (2, 2, 2, 3)
    assert_array_equal(X[0], 17)
    assert_array_equal(y, [2, 1])


def test_load_galaxy_csv_single_row(tmp_path, galaxies):
    images, labels = galaxies
    path = _write(tmp_path / "one.csv", _rows(labels[:1], images[:1]))
    assert load_galaxy_csv(path).images.shape == (1, 32, 32)


def test_load_galaxy_csv_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="CSV file not found"):
        load_galaxy_csv(tmp_path / "train.csv")


def test_load_galaxy_csv_empty_file(tmp_path):
    path = tmp_path / "empty.csv"
    path.write_text("")
    with pytest.raises(ValueError, match="holds no rows"):
        load_galaxy_csv(path)


def test_load_galaxy_csv_wrong_pixel_count(tmp_path, galaxies):
    images, labels = galaxies
    lines = [row.rsplit(",", 1)[0] for row in _rows(labels, images)]
    path = _write(tmp_path / "short.csv", lines)
    with pytest.raises(ValueError, match="1024 columns per row; expected 1025"):
        load_galaxy_csv(path)
    with pytest.raises(ValueError, match="expected 17: a label then 16 pixel"):
        load_galaxy_csv(path, image_shape=(4, 4))


def test_load_galaxy_csv_ragged_rows(tmp_path, galaxies):
    images, labels = galaxies
    lines = _rows(labels, images)
    lines[3] = lines[3] + ",0"
    path = _write(tmp_path / "ragged.csv", lines)
    with pytest.raises(ValueError, match="could not be read as a table of numbers"):
        load_galaxy_csv(path)


def test_load_galaxy_csv_header_or_text_cell(tmp_path, galaxies):
    images, labels = galaxies
    header = ",".join(["label", *(f"p{i}" for i in range(1024))])
    path = _write(tmp_path / "header.csv", [header, *_rows(labels, images)])
    with pytest.raises(ValueError, match="with no header"):
        load_galaxy_csv(path)
    lines = _rows(labels, images)
    lines[2] = lines[2].replace(",", ",abc,", 1).rsplit(",", 1)[0]
    path = _write(tmp_path / "text.csv", lines)
    with pytest.raises(ValueError, match="abc"):
        load_galaxy_csv(path)


@pytest.mark.parametrize("value", ["256", "-1", "12.5"])
def test_load_galaxy_csv_pixel_out_of_range(tmp_path, galaxies, value):
    images, labels = galaxies
    lines = _rows(labels, images)
    cells = lines[4].split(",")
    cells[8] = value
    lines[4] = ",".join(cells)
    path = _write(tmp_path / "bad.csv", lines)
    with pytest.raises(ValueError, match=f"row 4, pixel 7 is {value}; pixel values"):
        load_galaxy_csv(path)


def test_load_galaxy_csv_nan_cell(tmp_path, galaxies):
    images, labels = galaxies
    lines = _rows(labels, images)
    lines[1] = lines[1].replace(",", ",nan,", 1).rsplit(",", 1)[0]
    path = _write(tmp_path / "nan.csv", lines)
    with pytest.raises(ValueError, match="row 1 holds NaN or infinity"):
        load_galaxy_csv(path)


@pytest.mark.parametrize("label", ["-1", "0.5"])
def test_load_galaxy_csv_bad_label(tmp_path, galaxies, label):
    images, labels = galaxies
    lines = _rows(labels, images)
    lines[5] = label + lines[5][1:]
    path = _write(tmp_path / "label.csv", lines)
    with pytest.raises(ValueError, match=f"row 5 has label {label}"):
        load_galaxy_csv(path)


@pytest.mark.parametrize(
    "shape, match",
    [
        ((32,), "image_shape must be"),
        ((0, 32), "image_shape must be"),
        ((32, 32.0), "image_shape must be"),
        ((True, 32), "image_shape must be"),
        ((1, 2, 3, 4), "image_shape must be"),
        ("32x32", "'image_shape' parameter of load_galaxy_csv must be an instance"),
    ],
)
def test_load_galaxy_csv_bad_image_shape(tmp_path, galaxies, shape, match):
    images, labels = galaxies
    path = _write(tmp_path / "g.csv", _rows(labels, images))
    with pytest.raises(ValueError, match=match):
        load_galaxy_csv(path, image_shape=shape)


def test_load_galaxy_csv_mocz_matches_npz(shared_data):
    folder = shared_data / "mocz_galaxy32"
    ref = np.load(folder / "mocz_galaxy32.npz")
    for split, n in (("train", 2700), ("test", 675)):
        bunch = load_galaxy_csv(folder / f"{split}.csv.gz")
        assert bunch.images.shape == (n, 32, 32)
        assert_array_equal(bunch.images, ref[f"X_{split}"])
        assert_array_equal(bunch.target, ref[f"y_{split}"])
        assert_array_equal(np.bincount(bunch.target), [n // 3] * 3)
        assert bunch.target_names == list(ref["class_names"])


def test_load_galaxy_csv_names_match_make_galaxies_mapping():
    # Labels 0, 1, 2 mean the same classes in the CSV and in make_galaxies.
    from skgalaxy.datasets import CLASS_MAPPINGS
    from skgalaxy.datasets._csv import MOCZ_CLASSES

    assert tuple(CLASS_MAPPINGS["elliptical-spiral-irregular"]) == MOCZ_CLASSES


def _csv(tmp_path, labels, n_pixels=4):
    path = tmp_path / "g.csv"
    rows = [f"{label}," + ",".join(["7"] * n_pixels) for label in labels]
    path.write_text("\n".join(rows) + "\n")
    return path


def test_load_galaxy_csv_huge_label_is_an_error_not_int64_min(tmp_path):
    # 1e20 used to become -9223372036854775808 with only a RuntimeWarning.
    path = _csv(tmp_path, ["0", "1e20"])
    with pytest.raises(ValueError, match=r"row 1 has label 1e\+20.*class indices"):
        load_galaxy_csv(path, image_shape=(2, 2))


def test_load_galaxy_csv_ten_classes_need_their_names(tmp_path):
    path = _csv(tmp_path, list(range(10)))
    with pytest.raises(ValueError, match="Mocz's three classes.*each of the 10"):
        load_galaxy_csv(path, image_shape=(2, 2))
    names = [f"class {i}" for i in range(10)]
    data = load_galaxy_csv(path, image_shape=(2, 2), target_names=names)
    assert data.target_names == names
    assert [data.target_names[t] for t in data.target] == names
