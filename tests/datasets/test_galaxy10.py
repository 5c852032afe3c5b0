"""Tests for skgalaxy.datasets.load_galaxy10 on small files in the Galaxy10 format."""

import h5py
import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.preprocessing import FunctionTransformer

from skgalaxy.datasets import GALAXY10_CLASSES, load_galaxy10

N = 11


def _coarsen4(X):
    n, h, w, c = X.shape
    return X.reshape(n, h // 4, 4, w // 4, 4, c).mean(axis=(2, 4), dtype=np.float32)


class FirstChunkMean(TransformerMixin, BaseEstimator):
    def fit(self, X, y=None):
        self.mean_ = float(np.mean(X))
        self.n_fit_ = len(X)
        return self

    def transform(self, X):
        return X.mean(axis=(1, 2, 3)) - self.mean_


def _write(path, *, n=N, images=None, ans=None, drop=(), chunks=None, **extra):
    rng = np.random.default_rng(1)
    data = {
        "images": rng.integers(0, 256, size=(n, 16, 16, 3), dtype=np.uint8)
        if images is None
        else images,
        "ans": rng.integers(0, 10, size=n).astype(np.uint8) if ans is None else ans,
        "ra": rng.uniform(0, 360, n),
        "dec": rng.uniform(-30, 60, n),
        "redshift": np.where(np.arange(n) % 4 == 0, np.nan, rng.uniform(0, 0.3, n)),
        "pxscale": np.full(n, 0.262),
    }
    data.update(extra)
    with h5py.File(path, "w") as f:
        for key, value in data.items():
            if key in drop:
                continue
            if key == "images" and chunks:
                f.create_dataset(key, data=value, chunks=chunks, compression="gzip")
            else:
                f.create_dataset(key, data=value)
    return data


@pytest.fixture
def g10(tmp_path):
    path = tmp_path / "Galaxy10_DECals.h5"
    return path, _write(path)


@pytest.mark.parametrize("chunk_size", [1, 4, 512])
def test_load_galaxy10_reads_everything(g10, chunk_size):
    path, data = g10
    bunch = load_galaxy10(path, chunk_size=chunk_size, progress=False)
    assert bunch.images.dtype == np.uint8
    assert_array_equal(bunch.images, data["images"])
    assert_array_equal(bunch.target, data["ans"])
    assert bunch.target.dtype == np.int64
    for key in ("ra", "dec", "redshift", "pxscale"):
        assert_allclose(bunch[key], data[key])
    assert bunch.data.shape == (N, 16 * 16 * 3)
    assert np.shares_memory(bunch.data, bunch.images)
    assert bunch.target_names == list(GALAXY10_CLASSES)
    assert len(bunch.target_names) == 10
    assert bunch.target_names[5] == "barred spiral"
    assert "Galaxy10 DECaLS" in bunch.DESCR
    assert_array_equal(bunch.indices, np.arange(N))


def test_load_galaxy10_return_X_y(g10):
    path, data = g10
    X, y = load_galaxy10(path, return_X_y=True, progress=False)
    assert_array_equal(X, data["images"])
    assert_array_equal(y, data["ans"])


def test_load_galaxy10_transformer_per_chunk(g10):
    path, data = g10
    coarsen = FunctionTransformer(_coarsen4)
    bunch = load_galaxy10(path, transformer=coarsen, chunk_size=3, progress=False)
    assert bunch.images.shape == (N, 4, 4, 3)
    assert bunch.images.dtype == np.float32
    assert_allclose(bunch.images, _coarsen4(data["images"]), rtol=1e-6)
    assert "FunctionTransformer" in bunch.DESCR


def test_load_galaxy10_fits_transformer_on_first_chunk(g10):
    path, data = g10
    t = FirstChunkMean()
    X, _ = load_galaxy10(
        path, transformer=t, chunk_size=4, return_X_y=True, progress=False
    )
    assert t.n_fit_ == 4
    assert_allclose(t.mean_, data["images"][:4].mean())
    assert_allclose(X, data["images"].mean(axis=(1, 2, 3)) - t.mean_)
    # A fitted transformer is used as it is.
    t2 = FirstChunkMean().fit(np.zeros((1, 1, 1, 1)))
    load_galaxy10(path, transformer=t2, chunk_size=4, progress=False)
    assert t2.n_fit_ == 1 and t2.mean_ == 0.0


def test_load_galaxy10_compressed_chunked_file(tmp_path):
    path = tmp_path / "gz.h5"
    data = _write(path, n=23, chunks=(5, 16, 16, 3))
    X, y = load_galaxy10(path, chunk_size=7, return_X_y=True, progress=False)
    assert_array_equal(X, data["images"])
    assert_array_equal(y, data["ans"])


@pytest.mark.parametrize(
    "indices",
    [[3, 1, 1, 10], np.array([-1, 0]), slice(2, 9, 3), [4, 5, 6], [0, 2, 4, 6, 8]],
)
def test_load_galaxy10_indices(g10, indices):
    path, data = g10
    expected = np.arange(N)[indices]
    bunch = load_galaxy10(path, indices=indices, chunk_size=2, progress=False)
    assert_array_equal(bunch.images, data["images"][expected])
    assert_array_equal(bunch.target, data["ans"][expected])
    assert_allclose(bunch.ra, data["ra"][expected])
    assert_array_equal(bunch.indices, expected % N)


def test_load_galaxy10_boolean_mask_with_transformer(g10):
    path, data = g10
    mask = data["ans"] >= 5
    X, y = load_galaxy10(
        path,
        indices=mask,
        transformer=FunctionTransformer(_coarsen4),
        return_X_y=True,
        progress=False,
    )
    assert_allclose(X, _coarsen4(data["images"][mask]), rtol=1e-6)
    assert_array_equal(y, data["ans"][mask])


def test_load_galaxy10_optional_metadata_absent(tmp_path):
    path = tmp_path / "bare.h5"
    _write(path, drop=("ra", "dec", "redshift", "pxscale"))
    bunch = load_galaxy10(path, progress=False)
    assert "ra" not in bunch and "redshift" not in bunch
    assert "none in this file" in bunch.DESCR


def test_load_galaxy10_gray_images(tmp_path):
    path = tmp_path / "gray.h5"
    images = np.arange(N * 8 * 8, dtype=np.uint8).reshape(N, 8, 8)
    _write(path, images=images)
    assert_array_equal(load_galaxy10(path, progress=False).images, images)


def test_load_galaxy10_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="Galaxy10 file not found"):
        load_galaxy10(tmp_path / "Galaxy10_DECals.h5")


def test_load_galaxy10_not_hdf5(tmp_path):
    path = tmp_path / "fake.h5"
    path.write_text("images,ans\n")
    with pytest.raises(ValueError, match="not an HDF5 file"):
        load_galaxy10(path)


@pytest.mark.parametrize("key", ["images", "ans"])
def test_load_galaxy10_missing_key(tmp_path, key):
    path = tmp_path / "g.h5"
    _write(path, drop=(key,))
    with pytest.raises(ValueError, match=f"has no '{key}' dataset.*Found"):
        load_galaxy10(path, progress=False)


def test_load_galaxy10_group_instead_of_dataset(tmp_path):
    path = tmp_path / "g.h5"
    _write(path, drop=("ans",))
    with h5py.File(path, "a") as f:
        f.create_group("ans")
    with pytest.raises(ValueError, match="'ans' is an HDF5 group"):
        load_galaxy10(path, progress=False)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"images": np.zeros((N, 16), np.uint8)}, r"'images' has shape \(11, 16\)"),
        ({"images": np.zeros((N, 4, 4, 3), np.float32)}, "'images' has dtype float32"),
        ({"ans": np.zeros(N - 1, np.uint8)}, r"'ans' has shape \(10,\)"),
        ({"ans": np.zeros((N, 10), np.uint8)}, r"'ans' has shape \(11, 10\)"),
        ({"ans": np.full(N, 0.5)}, "'ans' has dtype float64"),
        ({"ans": np.full(N, 10, np.uint8)}, r"labels in \[10, 10\].*0\.\.9"),
        ({"ans": np.full(N, -1, np.int8)}, r"labels in \[-1, -1\]"),
        ({"ra": np.zeros(N - 2)}, r"'ra' has shape \(9,\)"),
        ({"redshift": np.array(["a"] * N, dtype="S1")}, "'redshift'.*dtype"),
    ],
)
def test_load_galaxy10_bad_datasets(tmp_path, kwargs, match):
    path = tmp_path / "bad.h5"
    _write(path, **kwargs)
    with pytest.raises(ValueError, match=match):
        load_galaxy10(path, progress=False)


@pytest.mark.parametrize(
    "indices, error, match",
    [
        ([0, 11], ValueError, "holds 11, out of range for a file of 11"),
        ([-12], ValueError, "out of range"),
        ([], ValueError, "selects no image"),
        (np.zeros(N, bool), ValueError, "selects no image"),
        (np.ones(3, bool), ValueError, r"boolean mask of shape \(3,\)"),
        ([0.5, 1.0], TypeError, "integer row numbers"),
        ([[0, 1]], TypeError, "1-D array"),
    ],
)
def test_load_galaxy10_bad_indices(g10, indices, error, match):
    path, _ = g10
    with pytest.raises(error, match=match):
        load_galaxy10(path, indices=indices, progress=False)


def test_load_galaxy10_bad_parameters(g10):
    path, _ = g10
    with pytest.raises(
        ValueError,
        match=(
            r"'chunk_size' parameter of load_galaxy10 "
            r"must be an int in the range \[1, inf\)"
        ),
    ):
        load_galaxy10(path, chunk_size=0)
    with pytest.raises(TypeError, match="'transform' method"):
        load_galaxy10(path, transformer="coarsen")


def test_load_galaxy10_transformer_never_sees_more_than_a_chunk(tmp_path):
    # Streaming: the raw images exist one chunk at a time, never all at once.
    path = tmp_path / "g.h5"
    _write(path, n=40, chunks=(6, 16, 16, 3))
    sizes = []

    def record(X):
        sizes.append(len(X))
        return _coarsen4(X)

    X, _ = load_galaxy10(
        path,
        transformer=FunctionTransformer(record),
        chunk_size=13,
        return_X_y=True,
        progress=False,
    )
    assert X.shape == (40, 4, 4, 3)
    assert sum(sizes) == 40
    assert max(sizes) == 12  # chunk_size rounded down to the file's 6-row chunks


def test_load_galaxy10_chunk_size_below_stored_chunk(tmp_path):
    path = tmp_path / "g.h5"
    data = _write(path, n=17, chunks=(8, 16, 16, 3))
    sizes = []

    def record(X):
        sizes.append(len(X))
        return X

    X, _ = load_galaxy10(
        path,
        transformer=FunctionTransformer(record),
        chunk_size=3,
        return_X_y=True,
        progress=False,
    )
    assert_array_equal(X, data["images"])
    assert sizes == [8, 8, 1]  # one stored chunk at a time


def test_load_galaxy10_refuses_images_the_file_never_stored(tmp_path):
    path = tmp_path / "huge.h5"
    with h5py.File(path, "w") as f:
        f.create_dataset(
            "images",
            shape=(10**7, 256, 256, 3),
            dtype=np.uint8,
            chunks=(1, 256, 256, 3),
        )
        f["ans"] = np.zeros(10**7, np.uint8)
    with pytest.raises(ValueError, match="never written and would read as zeros"):
        load_galaxy10(path, progress=False)


def test_load_galaxy10_compressed_file_is_not_refused(tmp_path):
    path = tmp_path / "small.h5"
    with h5py.File(path, "w") as f:
        f.create_dataset(
            "images", data=np.zeros((64, 16, 16, 3), np.uint8), compression="gzip",
            chunks=(8, 16, 16, 3),
        )  # fmt: skip
        f["ans"] = np.zeros(64, np.uint8)
    assert path.stat().st_size < 64 * 16 * 16 * 3 / 4  # zeros compress well
    assert load_galaxy10(path, progress=False).images.shape == (64, 16, 16, 3)
