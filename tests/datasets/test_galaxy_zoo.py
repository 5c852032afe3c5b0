"""Tests for skgalaxy.datasets.load_galaxy_zoo on small folders in Kaggle's layout."""

import csv

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from PIL import Image
from sklearn.preprocessing import FunctionTransformer

from skgalaxy.datasets import VOTE_COLUMNS, load_galaxy_zoo

IDS = [100008, 100023, 100053, 100078, 100090]


def _write_kaggle(root, *, ids=IDS, votes=None, header=None, size=12, rows=None):
    """Kaggle layout: training_solutions_rev1.csv + images_training_rev1/<id>.jpg."""
    rng = np.random.default_rng(0)
    image_dir = root / "images_training_rev1"
    image_dir.mkdir(exist_ok=True)
    images = {}
    for galaxy_id in ids:
        # Flat colours survive JPEG compression almost exactly.
        img = np.full((size, size, 3), rng.integers(20, 230, 3), dtype=np.uint8)
        Image.fromarray(img).save(image_dir / f"{galaxy_id}.jpg", quality=95)
        images[galaxy_id] = img
    if votes is None:
        votes = rng.uniform(0, 1, (len(ids), 37)).round(6)
    header = ["GalaxyID", *VOTE_COLUMNS] if header is None else header
    if rows is None:
        rows = [[str(i), *(f"{v:.6f}" for v in row)] for i, row in zip(ids, votes)]
    with open(root / "training_solutions_rev1.csv", "w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)
    return images, np.asarray(votes, dtype=float)


def test_load_galaxy_zoo_kaggle_layout(tmp_path):
    images, votes = _write_kaggle(tmp_path)
    zoo = load_galaxy_zoo(tmp_path, progress=False)
    assert zoo.images.shape == (5, 12, 12, 3)
    assert zoo.images.dtype == np.uint8
    expected = np.stack([images[i] for i in IDS]).astype(int)
    assert np.abs(zoo.images.astype(int) - expected).max() <= 3  # JPEG
    assert_array_equal(zoo.ids, IDS)
    assert zoo.target.shape == (5, 37)
    assert_allclose(zoo.target, votes, atol=1e-6)
    assert zoo.target_names == list(VOTE_COLUMNS)
    assert zoo.data.shape == (5, 12 * 12 * 3)
    assert zoo.filename.endswith("training_solutions_rev1.csv")
    assert "vote fractions" in zoo.DESCR


def test_load_galaxy_zoo_columns_reordered_to_kaggle_order(tmp_path):
    votes = np.tile(np.linspace(0, 1, 37), (len(IDS), 1))
    order = np.random.default_rng(3).permutation(37)
    header = ["GalaxyID", *(VOTE_COLUMNS[j] for j in order), "comment"]
    rows = [
        [str(i), *(str(votes[k, j]) for j in order), "x"] for k, i in enumerate(IDS)
    ]
    _write_kaggle(tmp_path, header=header, rows=rows)
    zoo = load_galaxy_zoo(tmp_path, progress=False)
    assert_allclose(zoo.target, votes)


@pytest.mark.parametrize("n_jobs", [None, 2])
def test_load_galaxy_zoo_transformer_max_images(tmp_path, n_jobs):
    images, votes = _write_kaggle(tmp_path)
    mean_colour = FunctionTransformer(lambda X: X.mean(axis=(1, 2)))
    X, y = load_galaxy_zoo(
        tmp_path,
        transformer=mean_colour,
        n_jobs=n_jobs,
        chunk_size=2,
        max_images=3,
        return_X_y=True,
        progress=False,
    )
    assert X.shape == (3, 3)
    assert_allclose(X, [images[i][0, 0] for i in IDS[:3]], atol=3)
    assert_allclose(y, votes[:3], atol=1e-6)


def test_load_galaxy_zoo_folder_without_csv(tmp_path):
    folder = tmp_path / "images"
    folder.mkdir()
    for galaxy_id in (999964, 101654, 2000):
        Image.fromarray(np.zeros((6, 6, 3), np.uint8)).save(folder / f"{galaxy_id}.jpg")
    zoo = load_galaxy_zoo(tmp_path, progress=False)
    assert zoo.target is None
    assert zoo.filename is None
    assert_array_equal(zoo.ids, [2000, 101654, 999964])
    assert zoo.images.shape == (3, 6, 6, 3)
    assert "target is None" in zoo.DESCR
    # A plain folder of <GalaxyID>.jpg works too, and max_images keeps the first.
    X, y = load_galaxy_zoo(folder, max_images=2, return_X_y=True, progress=False)
    assert X.shape == (2, 6, 6, 3) and y is None


def test_load_galaxy_zoo_gray_jpeg_becomes_rgb(tmp_path):
    _write_kaggle(tmp_path)
    gray = np.full((12, 12), 77, np.uint8)
    Image.fromarray(gray).save(tmp_path / "images_training_rev1" / f"{IDS[2]}.jpg")
    zoo = load_galaxy_zoo(tmp_path, progress=False)
    assert zoo.images.shape == (5, 12, 12, 3)
    assert np.abs(zoo.images[2].astype(int) - 77).max() <= 2


def test_load_galaxy_zoo_missing_folder(tmp_path):
    with pytest.raises(FileNotFoundError, match="Galaxy Zoo folder not found"):
        load_galaxy_zoo(tmp_path / "kaggle")


def test_load_galaxy_zoo_empty_folder(tmp_path):
    with pytest.raises(ValueError, match="neither training_solutions_rev1.csv nor"):
        load_galaxy_zoo(tmp_path, progress=False)


def test_load_galaxy_zoo_non_id_file_name(tmp_path):
    Image.fromarray(np.zeros((4, 4, 3), np.uint8)).save(tmp_path / "galaxy.jpg")
    with pytest.raises(ValueError, match=r"galaxy\.jpg is not named <GalaxyID>\.jpg"):
        load_galaxy_zoo(tmp_path, progress=False)


def test_load_galaxy_zoo_missing_jpeg_names_id(tmp_path):
    _write_kaggle(tmp_path)
    (tmp_path / "images_training_rev1" / f"{IDS[3]}.jpg").unlink()
    with pytest.raises(FileNotFoundError, match=f"GalaxyID {IDS[3]}"):
        load_galaxy_zoo(tmp_path, progress=False)


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_load_galaxy_zoo_corrupt_jpeg_names_id(tmp_path, n_jobs):
    _write_kaggle(tmp_path)
    path = tmp_path / "images_training_rev1" / f"{IDS[1]}.jpg"
    path.write_bytes(path.read_bytes()[:40])
    with pytest.raises(ValueError, match=f"GalaxyID {IDS[1]}: could not decode"):
        load_galaxy_zoo(tmp_path, n_jobs=n_jobs, progress=False)


def test_load_galaxy_zoo_image_size_mismatch_names_id(tmp_path):
    _write_kaggle(tmp_path)
    Image.fromarray(np.zeros((10, 12, 3), np.uint8)).save(
        tmp_path / "images_training_rev1" / f"{IDS[4]}.jpg"
    )
    with pytest.raises(ValueError, match=f"GalaxyID {IDS[4]}.*10x12x3"):
        load_galaxy_zoo(tmp_path, progress=False)


def test_load_galaxy_zoo_missing_columns(tmp_path):
    header = ["GalaxyID", *VOTE_COLUMNS[:-2]]
    rows = [[str(i), *(["0.5"] * 35)] for i in IDS]
    _write_kaggle(tmp_path, header=header, rows=rows)
    with pytest.raises(ValueError, match="lacks 2 of the 37 vote columns: Class11.5"):
        load_galaxy_zoo(tmp_path, progress=False)


def test_load_galaxy_zoo_missing_id_column(tmp_path):
    header = ["id", *VOTE_COLUMNS]
    _write_kaggle(tmp_path, header=header)
    with pytest.raises(ValueError, match="first column is 'id'; expected 'GalaxyID'"):
        load_galaxy_zoo(tmp_path, progress=False)


def test_load_galaxy_zoo_empty_csv(tmp_path):
    _write_kaggle(tmp_path)
    (tmp_path / "training_solutions_rev1.csv").write_text("")
    with pytest.raises(ValueError, match="is empty"):
        load_galaxy_zoo(tmp_path, progress=False)
    (tmp_path / "training_solutions_rev1.csv").write_text(
        ",".join(["GalaxyID", *VOTE_COLUMNS]) + "\n"
    )
    with pytest.raises(ValueError, match="header but no rows"):
        load_galaxy_zoo(tmp_path, progress=False)


def test_load_galaxy_zoo_ragged_row(tmp_path):
    rows = [[str(i), *(["0.5"] * 37)] for i in IDS]
    rows[2] = rows[2][:-1]
    _write_kaggle(tmp_path, rows=rows)
    with pytest.raises(ValueError, match="line 4: 37 cells; the header has 38"):
        load_galaxy_zoo(tmp_path, progress=False)


def test_load_galaxy_zoo_non_numeric_vote(tmp_path):
    rows = [[str(i), *(["0.5"] * 37)] for i in IDS]
    rows[1][5] = "n/a"
    _write_kaggle(tmp_path, rows=rows)
    with pytest.raises(
        ValueError, match=r"line 3 \(GalaxyID 100023\): Class2.2 value 'n/a' is not"
    ):
        load_galaxy_zoo(tmp_path, progress=False)


def test_load_galaxy_zoo_non_numeric_id(tmp_path):
    rows = [[str(i), *(["0.5"] * 37)] for i in IDS]
    rows[3][0] = "G100078"
    _write_kaggle(tmp_path, rows=rows)
    with pytest.raises(ValueError, match="line 5: GalaxyID 'G100078' is not a number"):
        load_galaxy_zoo(tmp_path, progress=False)


def test_load_galaxy_zoo_duplicate_ids(tmp_path):
    rows = [[str(i), *(["0.5"] * 37)] for i in IDS]
    rows[4][0] = str(IDS[0])
    _write_kaggle(tmp_path, rows=rows)
    with pytest.raises(ValueError, match=f"GalaxyID {IDS[0]} more than once"):
        load_galaxy_zoo(tmp_path, progress=False)


@pytest.mark.parametrize("value", ["1.5", "-0.01", "nan"])
def test_load_galaxy_zoo_votes_outside_unit_interval(tmp_path, value):
    rows = [[str(i), *(["0.5"] * 37)] for i in IDS]
    rows[2][37] = value
    _write_kaggle(tmp_path, rows=rows)
    with pytest.raises(ValueError, match=r"line 4 \(GalaxyID 100053\), Class11.6"):
        load_galaxy_zoo(tmp_path, progress=False)


@pytest.mark.parametrize("max_images", [0, -1, 2.0, True])
def test_load_galaxy_zoo_bad_max_images(tmp_path, max_images):
    _write_kaggle(tmp_path)
    with pytest.raises(
        ValueError,
        match=(
            r"'max_images' parameter of load_galaxy_zoo "
            r"must be an int in the range \[1, inf\) or None"
        ),
    ):
        load_galaxy_zoo(tmp_path, max_images=max_images)


def test_load_galaxy_zoo_kaggle_subset(shared_data):
    folder = shared_data / "kaggle_gz_subset"
    zoo = load_galaxy_zoo(folder, max_images=4, n_jobs=2, progress=False)
    assert zoo.target is None
    assert zoo.images.shape == (4, 424, 424, 3)
    assert zoo.images.dtype == np.uint8
    assert np.all(np.diff(zoo.ids) > 0)
    assert zoo.ids[0] == 101654  # the smallest GalaxyID (PROVENANCE.md)
    first = np.asarray(Image.open(folder / "images" / f"{zoo.ids[0]}.jpg"))
    assert_array_equal(zoo.images[0], first)


def test_load_galaxy_zoo_csv_with_bom_and_crlf(tmp_path):
    _, votes = _write_kaggle(tmp_path)
    csv_path = tmp_path / "training_solutions_rev1.csv"
    text = csv_path.read_text().replace("\r\n", "\n").replace("\n", "\r\n")
    csv_path.write_bytes(b"\xef\xbb\xbf" + text.encode())
    zoo = load_galaxy_zoo(tmp_path, progress=False)
    assert_allclose(zoo.target, votes, atol=1e-6)


def test_load_galaxy_zoo_reads_fits_cutouts(tmp_path):
    fits = pytest.importorskip("astropy.io.fits")
    _, votes = _write_kaggle(tmp_path)
    rng = np.random.default_rng(1)
    cubes = {}
    for galaxy_id in IDS:
        (tmp_path / "images_training_rev1" / f"{galaxy_id}.jpg").unlink()
        cube = rng.normal(size=(3, 12, 12)).astype(np.float32)
        path = tmp_path / "images_training_rev1" / f"{galaxy_id}.fits.gz"
        fits.PrimaryHDU(cube).writeto(path)
        cubes[galaxy_id] = np.moveaxis(cube, 0, -1)
    zoo = load_galaxy_zoo(tmp_path, progress=False)
    assert zoo.images.dtype == np.float32
    assert_array_equal(zoo.images, np.stack([cubes[i] for i in IDS]))
    assert_allclose(zoo.target, votes, atol=1e-6)
    (tmp_path / "training_solutions_rev1.csv").unlink()
    assert_array_equal(load_galaxy_zoo(tmp_path, progress=False).ids, IDS)
