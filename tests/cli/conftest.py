"""Tiny data and models for the command-line tests."""

import pytest

from skgalaxy.cli import main


def run_cli(capsys, *argv):
    """Run ``skgalaxy argv`` in-process; return (status, stdout, stderr)."""
    status = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return status, out, err


@pytest.fixture(scope="session")
def workdir(tmp_path_factory):
    return tmp_path_factory.mktemp("cli")


@pytest.fixture(scope="session")
def image_folder(workdir):
    """Six synthetic 16x16 RGB galaxies as PNG files."""
    from PIL import Image

    from skgalaxy.datasets import make_galaxies

    folder = workdir / "images"
    folder.mkdir()
    X, _ = make_galaxies(6, image_size=16, random_state=3)
    for i, image in enumerate(X):
        Image.fromarray(image).save(folder / f"{i}.png")
    return folder


@pytest.fixture(scope="session")
def logistic_model(workdir):
    """A Flatten + LogisticRegression pipeline trained by ``skgalaxy train``."""
    path = workdir / "logistic.skgalaxy"
    argv = ["train", "synthetic", "--n-samples", "60", "--image-size", "16"]
    argv += ["-m", "logistic", "--test-size", "0", "-q", "-o", str(path)]
    assert main(argv) == 0
    return path


@pytest.fixture(scope="session")
def baseline_model(workdir):
    """A PixelBaselineRegressor on synthetic vote fractions, as a joblib file."""
    path = workdir / "baseline.joblib"
    argv = ["train", "synthetic", "--n-samples", "40", "--image-size", "16"]
    argv += ["-m", "baseline", "-q", "-o", str(path)]
    assert main(argv) == 0
    return path
