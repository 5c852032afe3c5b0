"""
==================================================
From FITS cutouts to a FITS catalogue of galaxies
==================================================

Surveys hand out cutouts as FITS files of raw flux, several bands per file, with
masked (NaN) pixels, and catalogues as tables of ids and coordinates. This
example

1. writes its own FITS cutouts: synthetic galaxies from
   :func:`~skgalaxy.datasets.make_galaxies` turned into three-band flux cubes
   (``.fits.gz``, a few NaN pixels each), and a FITS catalogue with ``objid``,
   ``ra`` and ``dec``;
2. reads them with :func:`~skgalaxy.datasets.load_images`, which fills the NaN
   pixels and keeps the flux as float32;
3. fits ``AsinhStretch -> CenterCrop -> Coarsen -> NumpyMLPClassifier``: the
   Lupton et al. (2004) asinh stretch turns flux into display colours inside the
   Pipeline, so the model is applied to raw flux;
4. runs ``skgalaxy predict`` on the held-out cutouts with ``--catalog`` and
   writes ``predictions.fits``: an astropy Table with the id, the class, its
   probabilities, and the catalogue's ``ra`` and ``dec`` carried by id.

It needs astropy (``pip install "skgalaxy[astro]"``).
"""

# %%
# Settings
# --------
# ``N_GALAXIES`` cutouts are written; a fifth of them are held out and go
# through ``skgalaxy predict``. Raise it (to 5_000, say) for a better classifier.
import tempfile
from pathlib import Path

import joblib
import matplotlib.pyplot as plt
import numpy as np
from astropy.io import fits
from astropy.table import Table
from sklearn.pipeline import Pipeline

from skgalaxy.cli import main as skgalaxy
from skgalaxy.datasets import CLASS_MAPPINGS, load_images, make_galaxies
from skgalaxy.neural_network import NumpyMLPClassifier
from skgalaxy.preprocessing import AsinhStretch, CenterCrop, Coarsen, lupton_rgb

N_GALAXIES = 800
IMAGE_SIZE = 48

# %%
# Write FITS cutouts and a catalogue
# ----------------------------------
# The synthetic images are display colours (uint8); squaring them and scaling
# gives something shaped like flux: a bright core, faint outskirts, a little
# noise around zero. Each file is a cube ``(band, y, x)``, as FITS stores
# multi-band cutouts, with the coordinates in its header.
rng = np.random.default_rng(0)
X, y = make_galaxies(
    N_GALAXIES,
    image_size=IMAGE_SIZE,
    classes="elliptical-spiral-irregular",
    random_state=0,
)
names = np.asarray(list(CLASS_MAPPINGS["elliptical-spiral-irregular"]))  # by label
flux = 20 * (X / 255.0) ** 2 + rng.normal(0, 0.05, X.shape)
flux = flux.astype(np.float32)

folder = Path(tempfile.mkdtemp()) / "cutouts"
folder.mkdir()
ra = rng.uniform(150, 151, N_GALAXIES)
dec = rng.uniform(2, 3, N_GALAXIES)
for i, cube in enumerate(flux):
    cube = np.moveaxis(cube, -1, 0).copy()
    cube[:, rng.integers(IMAGE_SIZE), rng.integers(IMAGE_SIZE)] = np.nan  # masked
    hdu = fits.PrimaryHDU(cube)
    hdu.header["RA"], hdu.header["DEC"] = ra[i], dec[i]
    hdu.writeto(folder / f"G{i:05d}.fits.gz")
catalogue = Table({"objid": [f"G{i:05d}" for i in range(N_GALAXIES)]})
catalogue["ra"], catalogue["dec"] = ra, dec
catalogue.write(folder.parent / "catalogue.fits")
print(f"wrote {N_GALAXIES} cutouts like {sorted(folder.iterdir())[0].name}")

# %%
# Read the cutouts and fit a Pipeline on raw flux
# -----------------------------------------------
# ``load_images`` reads the cubes channels-last, float32, with the NaN pixels
# replaced by ``fill_value`` (0, the sky level here).
paths = sorted(folder.iterdir())
images = load_images(paths, fill_value=0.0, progress=False)
print(images.shape, images.dtype, "NaN left:", np.isnan(images).any())

n_test = N_GALAXIES // 5
model = Pipeline(
    [
        ("stretch", AsinhStretch(stretch=5.0, Q=8.0)),
        ("crop", CenterCrop(0.75)),
        ("coarsen", Coarsen(3)),
        ("mlp", NumpyMLPClassifier((64,), max_iter=60, random_state=0)),
    ]
)
model.fit(images[n_test:], names[y[n_test:]])
print(f"training accuracy: {model.score(images[n_test:], names[y[n_test:]]):.2f}")

# %%
# ``skgalaxy predict`` writes a FITS catalogue
# --------------------------------------------
# The ids are the file names without ``.fits.gz``; ``--catalog`` brings the
# catalogue's columns along by id.
model_path = folder.parent / "model.joblib"
joblib.dump(model, model_path)
held_out = folder.parent / "held_out"
held_out.mkdir()
for path in paths[:n_test]:
    path.rename(held_out / path.name)
output = folder.parent / "predictions.fits"
status = skgalaxy(
    [
        "predict", str(model_path), str(held_out), "--proba", "-q",
        "-o", str(output),
        "--catalog", str(folder.parent / "catalogue.fits"), "--id-column", "objid",
    ]
)  # fmt: skip
assert status == 0
table = Table.read(output)
print(table[:5])
truth = names[y[:n_test]]
print(f"held-out accuracy: {np.mean(table['prediction'] == truth):.2f}")

# %%
# The cutouts as the stretch shows them
# -------------------------------------
# :func:`~skgalaxy.preprocessing.lupton_rgb` is the function behind
# ``AsinhStretch`` (FITS rows run bottom to top: ``origin="lower"``).
rgb = lupton_rgb(images[:8], stretch=5.0, Q=8.0)
fig, axes = plt.subplots(1, 8, figsize=(12, 2))
for ax, image, row in zip(axes, rgb, table[:8]):
    ax.imshow(image, origin="lower")
    ax.set_title(f"{row['id']}\n{row['prediction']}", fontsize=8)
    ax.axis("off")
plt.show()
