"""Model files on the command line: the formats the help names, and what is refused."""

import json
import pickle
import re
import zipfile

import pytest

from skgalaxy.cli import _files, main
from skgalaxy.datasets import make_galaxies


def run_cli(capsys, *argv):
    """Run ``skgalaxy argv`` in-process; return (status, stdout, stderr)."""
    status = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return status, out, err


def _error_line(err):
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("skgalaxy: error: "), err
    return lines[0]


@pytest.fixture(scope="module")
def image_folder(tmp_path_factory):
    """Four synthetic 16x16 RGB galaxies as PNG files."""
    from PIL import Image

    folder = tmp_path_factory.mktemp("images")
    X, _ = make_galaxies(4, image_size=16, random_state=3)
    for i, image in enumerate(X):
        Image.fromarray(image).save(folder / f"{i}.png")
    return folder


@pytest.fixture(scope="module")
def logistic_model(tmp_path_factory):
    path = tmp_path_factory.mktemp("model") / "logistic.skgalaxy"
    argv = ["train", "synthetic", "--n-samples", "40", "--image-size", "16"]
    assert (
        main([*argv, "-m", "logistic", "--test-size", "0", "-q", "-o", str(path)]) == 0
    )
    return path


class _Payload:
    """Unpickling this makes a folder: proof that code from the file ran."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        import os

        return os.mkdir, (self.marker,)


def _named_suffixes(text):
    return set(re.findall(r"(?<![\w.])\.(?:joblib|pkl|pickle|skgalaxy|skops)\b", text))


def test_help_and_accepted_pickle_suffixes_agree(capsys):
    named = set()
    for verb in ("train", "predict", "evaluate"):
        status, out, _ = run_cli(capsys, verb, "--help")
        assert status == 0
        named |= _named_suffixes(out)
    safe = set(_files._SAFE_SUFFIXES)
    assert named - safe == set(_files._JOBLIB_SUFFIXES) == {".joblib"}


@pytest.mark.parametrize("name", ["model.pkl", "model.pickle"])
def test_predict_refuses_a_pickle_not_named_joblib_without_unpickling_it(
    capsys, image_folder, tmp_path, name
):
    model = tmp_path / name
    marker = tmp_path / "code-ran"
    model.write_bytes(pickle.dumps(_Payload(marker)))
    status, _, err = run_cli(capsys, "predict", model, image_folder, "-o", "-")
    assert status == 1
    line = _error_line(err)
    assert "is not a model file" in line and "must be named .joblib" in line
    assert not marker.exists()


@pytest.mark.parametrize("name", ["model.pkl", "model.pickle"])
def test_train_refuses_a_pickle_output_not_named_joblib(capsys, tmp_path, name):
    status, _, err = run_cli(
        capsys, "train", "synthetic", "--n-samples", "20", "--image-size", "16",
        "-m", "logistic", "-q", "-o", tmp_path / name,
    )  # fmt: skip
    assert status == 1
    line = _error_line(err)
    assert "cannot tell the format" in line and "must be named .joblib" in line
    assert not list(tmp_path.iterdir())


def test_predict_reports_a_truncated_model_as_truncated(
    capsys, image_folder, logistic_model, tmp_path
):
    model = tmp_path / "copy.skgalaxy"
    model.write_bytes(logistic_model.read_bytes()[:-100])
    status, _, err = run_cli(capsys, "predict", model, image_folder, "-o", "-")
    assert status == 1
    line = _error_line(err)
    assert "truncated or corrupt" in line and "not a model file" not in line


def test_predict_says_an_unreadable_model_cannot_be_read(
    capsys, image_folder, logistic_model, monkeypatch
):
    def denied(file, *args, **kwargs):
        raise PermissionError(13, "Permission denied", str(file))

    monkeypatch.setattr(_files, "open", denied, raising=False)
    status, _, err = run_cli(capsys, "predict", logistic_model, image_folder, "-o", "-")
    assert status == 1
    line = _error_line(err)
    assert "cannot read the model file" in line and "Permission denied" in line


def test_predict_refuses_a_checkpoint_folder_in_a_model_and_creates_nothing(
    capsys, image_folder, tmp_path
):
    pytest.importorskip("skorch")
    from skgalaxy.neural_network import CNNClassifier
    from skgalaxy.persistence import save

    X, y = make_galaxies(8, image_size=16, random_state=0)
    net = CNNClassifier(
        max_epochs=1, module__n_blocks=1, train_split=None, mixed_precision=False
    ).fit(X, y)
    model = tmp_path / "cnn.skgalaxy"
    save(net, model)
    folder = tmp_path / "planted"
    with zipfile.ZipFile(model) as zf:
        members = {name: zf.read(name) for name in zf.namelist()}
    config = json.loads(members["cnn_0.json"])
    config["params"]["checkpoint"] = str(folder)
    members["cnn_0.json"] = json.dumps(config).encode()
    with zipfile.ZipFile(model, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    status, out, err = run_cli(capsys, "predict", model, image_folder, "-o", "-")
    assert status == 1 and not out
    assert "checkpoint=" in _error_line(err)
    assert not folder.exists()
