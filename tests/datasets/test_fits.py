"""FITS cutouts through load_images: single bands, cubes, named bands, NaNs, gzip."""

import numpy as np
import pytest
from numpy.testing import assert_array_equal

from skgalaxy.datasets import list_images, load_images
from skgalaxy.datasets._images import image_id

fits = pytest.importorskip("astropy.io.fits")


def _write(path, data, **header):
    hdu = fits.PrimaryHDU(data)
    for key, value in header.items():
        hdu.header[key] = value
    hdu.writeto(path)
    return path


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("suffix", [".fits", ".fits.gz"])
def test_load_images_fits_single_band_keeps_float_native(tmp_path, rng, dtype, suffix):
    images = rng.normal(size=(3, 6, 5)).astype(dtype)
    paths = [_write(tmp_path / f"g{i}{suffix}", im) for i, im in enumerate(images)]
    X = load_images(paths, progress=False)
    assert X.dtype == dtype and X.dtype.isnative  # FITS is big-endian on disk
    assert_array_equal(X, images)


def test_load_images_fits_gz_folder_and_ids(tmp_path, rng):
    images = rng.normal(size=(3, 4, 4)).astype(np.float32)
    for i, im in zip([10, 9, 100], images):
        _write(tmp_path / f"{i}.fits.gz", im)
    X, paths = load_images(tmp_path, progress=False, return_paths=True)
    assert [image_id(p) for p in paths] == ["9", "10", "100"]
    assert_array_equal(X, images[[1, 0, 2]])
    assert [p.name for p in list_images(tmp_path)] == [
        "9.fits.gz",
        "10.fits.gz",
        "100.fits.gz",
    ]


def test_load_images_fits_cube_is_channels_last(tmp_path, rng):
    cube = rng.normal(size=(5, 6, 7)).astype(np.float32)  # ugriz: (band, y, x)
    path = _write(tmp_path / "c.fits", cube)
    X = load_images([path], progress=False)
    assert X.shape == (1, 6, 7, 5)
    assert_array_equal(X[0], np.moveaxis(cube, 0, -1))
    X = load_images([path], bands=[3, 2, 1], progress=False)
    assert_array_equal(X[0], np.moveaxis(cube[[3, 2, 1]], 0, -1))
    X = load_images([path], bands=[2], progress=False)
    assert X.shape == (1, 6, 7)  # one band is a gray image
    with pytest.raises(ValueError, match="out of range for the 5 planes"):
        load_images([path], bands=[7], progress=False)


def test_load_images_fits_bands_by_extname_and_hdu(tmp_path, rng):
    g, r, z = rng.normal(size=(3, 4, 4)).astype(np.float32)
    hdul = fits.HDUList(
        [fits.PrimaryHDU()]
        + [fits.ImageHDU(b, name=n) for b, n in zip([g, r, z], "grz")]
    )
    path = tmp_path / "mef.fits"
    hdul.writeto(path)
    X = load_images([path], bands=["z", "r", "g"], progress=False)
    assert_array_equal(X[0], np.stack([z, r, g], axis=-1))
    # The empty primary HDU is passed over; hdu= picks another one.
    assert_array_equal(load_images([path], progress=False)[0], g)
    assert_array_equal(load_images([path], hdu="R", progress=False)[0], r)
    assert_array_equal(load_images([path], hdu=3, progress=False)[0], z)
    with pytest.raises(ValueError, match="has no HDU 'i'"):
        load_images([path], bands=["g", "i"], progress=False)


def test_load_images_fits_nan_and_blank_are_filled(tmp_path):
    data = np.ones((3, 3), np.float32)
    data[0, 0], data[1, 1] = np.nan, np.inf
    nan_path = _write(tmp_path / "nan.fits", data)
    ints = np.array([[1, 2], [3, -99]], np.int16)
    blank_path = _write(tmp_path / "blank.fits", ints, BLANK=-99)
    X = load_images([nan_path], progress=False)
    assert np.isfinite(X).all()
    assert X[0, 0, 0] == 0 and X[0, 1, 1] == 0 and X[0, 2, 2] == 1
    X = load_images([nan_path], fill_value=-1.5, progress=False)
    assert X[0, 0, 0] == -1.5
    X = load_images([blank_path], fill_value=7, progress=False)
    assert_array_equal(X[0], [[1, 2], [3, 7]])
    with pytest.raises(ValueError, match="2 NaN or infinite"):
        load_images([nan_path], fill_value="raise", progress=False)


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"fill_value": np.nan}, ValueError, "finite number or 'raise'"),
        ({"fill_value": "median"}, ValueError, "a number or 'raise'"),
        ({"bands": "grz"}, TypeError, "sequence of plane indices"),
        ({"bands": [0, "g"]}, TypeError, "all int"),
        ({"bands": ["g"], "hdu": 1}, ValueError, "pass one of them"),
        ({"hdu": 1.5}, TypeError, "HDU index"),
    ],
)
def test_load_images_fits_bad_options(tmp_path, kwargs, error, match):
    path = _write(tmp_path / "a.fits", np.zeros((2, 2), np.float32))
    with pytest.raises(error, match=match):
        load_images([path], progress=False, **kwargs)


def test_load_images_fits_truncated_file_names_it(tmp_path):
    path = _write(tmp_path / "a.fits", np.zeros((64, 64), np.float64))
    path.write_bytes(path.read_bytes()[:4000])
    with pytest.raises(ValueError, match="a.fits"):
        load_images([path], progress=False)


def test_load_images_fits_without_astropy_names_the_extra(tmp_path, monkeypatch):
    import builtins

    path = _write(tmp_path / "a.fits", np.zeros((2, 2), np.float32))
    real_import = builtins.__import__

    def no_astropy(name, *args, **kwargs):
        if name.startswith("astropy"):
            raise ImportError("No module named 'astropy'")
        return real_import(name, *args, **kwargs)

    import sys

    for name in [m for m in sys.modules if m.startswith("astropy")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setattr(builtins, "__import__", no_astropy)
    with pytest.raises(ImportError, match=r'pip install "skgalaxy\[astro\]"'):
        load_images([path], progress=False)
