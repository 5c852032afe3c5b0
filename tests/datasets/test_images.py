"""Tests for skgalaxy.datasets.load_images and the shared chunk engine."""

import numpy as np
import pytest
from numpy.testing import assert_array_equal
from PIL import Image
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.preprocessing import FunctionTransformer

from skgalaxy.datasets import list_images, load_images


class CountingScaler(TransformerMixin, BaseEstimator):
    """Stateful transformer: subtracts the mean seen in fit, counts fit calls."""

    n_fits = 0

    def fit(self, X, y=None):
        type(self).n_fits += 1
        self.mean_ = float(np.mean(X))
        self.fit_size_ = len(X)
        return self

    def transform(self, X):
        return np.asarray(X, dtype=np.float32) - self.mean_


def _coarsen2(X):
    n, h, w = X.shape[:3]
    return X.reshape(n, h // 2, 2, w // 2, 2, *X.shape[3:]).mean(axis=(2, 4))


def _write_pngs(folder, images, names=None):
    paths = []
    for i, img in enumerate(images):
        path = folder / (f"{i}.png" if names is None else names[i])
        Image.fromarray(img).save(path)
        paths.append(path)
    return paths


@pytest.fixture
def png_stack(tmp_path, rng):
    images = rng.integers(0, 256, size=(7, 8, 6, 3), dtype=np.uint8)
    return images, _write_pngs(tmp_path, images)


@pytest.mark.parametrize("n_jobs", [None, 2])
@pytest.mark.parametrize("chunk_size", [1, 3, 100])
def test_load_images_roundtrip_png(png_stack, n_jobs, chunk_size):
    images, paths = png_stack
    X = load_images(paths, n_jobs=n_jobs, chunk_size=chunk_size, progress=False)
    assert X.dtype == np.uint8
    assert_array_equal(X, images)


def test_load_images_folder_numeric_order(tmp_path, rng):
    images = rng.integers(0, 256, size=(3, 4, 4), dtype=np.uint8)
    _write_pngs(tmp_path, images, names=["10.png", "9.png", "100.png"])
    (tmp_path / "readme.txt").write_text("not an image")
    X, paths = load_images(tmp_path, progress=False, return_paths=True)
    assert [p.name for p in paths] == ["9.png", "10.png", "100.png"]
    assert X.shape == (3, 4, 4)  # gray files give (n, h, w)
    assert_array_equal(X, images[[1, 0, 2]])


def test_load_images_single_file(png_stack):
    images, paths = png_stack
    X = load_images(str(paths[2]), progress=False)
    assert_array_equal(X, images[2:3])


def test_load_images_transformer_streams_chunks(png_stack):
    images, paths = png_stack
    coarsen = FunctionTransformer(_coarsen2)
    X = load_images(paths, transformer=coarsen, chunk_size=2, progress=False)
    assert X.shape == (7, 4, 3, 3)
    np.testing.assert_allclose(X, _coarsen2(images.astype(np.float64)))


def test_load_images_fits_unfitted_transformer_on_first_chunk(png_stack):
    images, paths = png_stack
    CountingScaler.n_fits = 0
    scaler = CountingScaler()
    X = load_images(paths, transformer=scaler, chunk_size=3, progress=False)
    assert CountingScaler.n_fits == 1
    assert scaler.fit_size_ == 3
    np.testing.assert_allclose(scaler.mean_, images[:3].mean())
    np.testing.assert_allclose(X, images - images[:3].mean(), rtol=1e-5)


def test_load_images_keeps_fitted_transformer(png_stack):
    images, paths = png_stack
    scaler = CountingScaler().fit(np.full((1, 2, 2), 10.0))
    CountingScaler.n_fits = 0
    X = load_images(paths, transformer=scaler, chunk_size=3, progress=False)
    assert CountingScaler.n_fits == 0
    assert scaler.mean_ == 10.0
    np.testing.assert_allclose(X, images - 10.0)


def test_load_images_mode_converts(png_stack):
    images, paths = png_stack
    X = load_images(paths, mode="L", progress=False)
    assert X.shape == (7, 8, 6)
    expected = np.stack([np.asarray(Image.fromarray(i).convert("L")) for i in images])
    assert_array_equal(X, expected)


def test_load_images_progress_bar_writes(png_stack, capsys):
    _, paths = png_stack
    load_images(paths, chunk_size=2, progress=True)
    assert "Reading images" in capsys.readouterr().err


def test_list_images_missing_folder(tmp_path):
    with pytest.raises(FileNotFoundError, match="Image folder not found"):
        list_images(tmp_path / "nope")


def test_load_images_missing_path(tmp_path, png_stack):
    _, paths = png_stack
    with pytest.raises(FileNotFoundError, match="1 image file.*not found.*404.png"):
        load_images([*paths, tmp_path / "404.png"], progress=False)
    with pytest.raises(FileNotFoundError, match="file or folder not found"):
        load_images(tmp_path / "gone", progress=False)


def test_load_images_empty_inputs(tmp_path):
    with pytest.raises(ValueError, match="No image files"):
        load_images(tmp_path, progress=False)
    with pytest.raises(ValueError, match="list of paths is empty"):
        load_images([], progress=False)


def test_load_images_corrupt_file(png_stack):
    _, paths = png_stack
    data = paths[4].read_bytes()
    paths[4].write_bytes(data[: len(data) // 2])  # truncated
    with pytest.raises(ValueError, match=r"could not decode image file .*4\.png"):
        load_images(paths, chunk_size=2, progress=False)
    paths[4].write_bytes(b"not an image at all")
    with pytest.raises(ValueError, match=r"could not decode .*4\.png"):
        load_images(paths, n_jobs=2, progress=False)


def test_load_images_size_mismatch(tmp_path, rng):
    paths = _write_pngs(tmp_path, [np.zeros((4, 4, 3), np.uint8)])
    paths += _write_pngs(tmp_path, [np.zeros((5, 4, 3), np.uint8)], names=["b.png"])
    with pytest.raises(ValueError, match="is a 5x4x3 uint8 image.*first image"):
        load_images(paths, progress=False)


def test_load_images_mode_mismatch(tmp_path):
    paths = _write_pngs(tmp_path, [np.zeros((4, 4, 3), np.uint8)])
    paths += _write_pngs(tmp_path, [np.zeros((4, 4), np.uint8)], names=["g.png"])
    with pytest.raises(ValueError, match="mode='RGB'"):
        load_images(paths, progress=False)
    assert load_images(paths, mode="RGB", progress=False).shape == (2, 4, 4, 3)


def _write_16_bit(path, values):
    Image.fromarray(np.asarray(values, dtype=np.uint16)).save(path)
    return path


def test_load_images_16_bit_png_keeps_its_16_bits(tmp_path):
    values = np.array([[0, 255, 256, 40000], [65535, 1, 2, 3]], dtype=np.uint16)
    path = _write_16_bit(tmp_path / "deep.png", values)
    for mode in (None, "I;16"):
        X = load_images([path], mode=mode, progress=False)
        assert X.dtype == np.uint16 and X.dtype.isnative
        assert_array_equal(X[0], values)


@pytest.mark.parametrize("mode", ["L", "RGB"])
def test_load_images_16_bit_png_is_never_saturated_by_mode(tmp_path, mode):
    # mode="L" used to clip every value above 255 to 255, without a word.
    path = _write_16_bit(tmp_path / "deep.png", np.full((4, 4), 40000))
    with pytest.raises(ValueError, match=r"16-bit image; mode='.+' would clip it"):
        load_images([path], mode=mode, progress=False)


def test_load_images_mode_i16_scales_8_bit_files_alike(tmp_path):
    paths = _write_pngs(tmp_path, [np.full((2, 2), 255, np.uint8)])
    paths.append(_write_16_bit(tmp_path / "deep.png", np.full((2, 2), 65535)))
    X = load_images(paths, mode="I;16", progress=False)
    assert_array_equal(X, np.full((2, 2, 2), 65535, np.uint16))


@pytest.mark.parametrize("mode", ["XYZ", "rgb", 3])
def test_load_images_unknown_mode_names_the_mode(png_stack, mode):
    _, paths = png_stack
    with pytest.raises(ValueError, match=r"mode=.* is not a PIL colour mode") as e:
        load_images(paths, mode=mode, progress=False)
    assert str(paths[0]) not in str(e.value)


@pytest.mark.parametrize("chunk_size", [0, -3, 2.5, True])
def test_load_images_bad_chunk_size(png_stack, chunk_size):
    _, paths = png_stack
    with pytest.raises(
        ValueError,
        match=(
            r"'chunk_size' parameter of load_images "
            r"must be an int in the range \[1, inf\)"
        ),
    ):
        load_images(paths, chunk_size=chunk_size, progress=False)


def test_load_images_bad_transformer(png_stack):
    _, paths = png_stack
    with pytest.raises(TypeError, match="'transform' method"):
        load_images(paths, transformer=np.mean, progress=False)


def test_load_images_transformer_wrong_rows(png_stack):
    _, paths = png_stack
    squash = FunctionTransformer(lambda X: X[:1])
    with pytest.raises(ValueError, match="one row per image"):
        load_images(paths, transformer=squash, chunk_size=3, progress=False)


def test_load_images_gz1_small(shared_data):
    folder = shared_data / "gz1_small" / "images"
    paths = list_images(folder)[:4]
    X = load_images(paths, n_jobs=2, progress=False)
    assert X.shape == (4, 423, 423, 3)
    assert X.dtype == np.uint8
    assert_array_equal(X[1], np.asarray(Image.open(paths[1])))


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_load_images_transformer_never_sees_more_than_a_chunk(png_stack, n_jobs):
    images, paths = png_stack
    sizes = []

    def record(X):
        sizes.append(len(X))
        return X.sum(axis=(1, 2, 3))

    X = load_images(
        paths,
        transformer=FunctionTransformer(record),
        n_jobs=n_jobs,
        chunk_size=4,
        progress=False,
    )
    assert_array_equal(X, images.sum(axis=(1, 2, 3)))
    assert sum(sizes) == 7 and max(sizes) <= 4
