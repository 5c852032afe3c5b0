"""train, predict, evaluate and demo in-process, on tiny synthetic data."""

import csv
import json

import h5py
import joblib
import numpy as np
import pytest

from skgalaxy.cli import main
from skgalaxy.datasets import GALAXY10_CLASSES, VOTE_COLUMNS, make_galaxies
from skgalaxy.persistence import load, save


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


def run_cli(capsys, *argv):
    """Run ``skgalaxy argv`` in-process; return (status, stdout, stderr)."""
    status = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return status, out, err


def _one_error_line(err):
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("skgalaxy: error: "), err
    return lines[0]


def _read_csv(path):
    with open(path, newline="") as f:
        return list(csv.reader(f))


def _leftovers(folder):
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


# ------------------------------------------------------------------ train


def test_train_writes_a_model_that_predicts_class_names(logistic_model):
    model = load(logistic_model)
    assert [type(step).__name__ for _, step in model.steps] == [
        "Flatten",
        "LogisticRegression",
    ]
    X, _ = make_galaxies(5, image_size=16, random_state=9)
    assert set(model.predict(X)) <= set(GALAXY10_CLASSES)


def test_train_parameter_file(capsys, tmp_path):
    params = tmp_path / "params.json"
    params.write_text(
        json.dumps(
            {
                "preprocessing": [{"estimator": "Coarsen", "params": {"factor": 2}}],
                "estimator": "NumpyMLPClassifier",
                "params": {"hidden_layer_sizes": [8], "max_iter": 3},
            }
        )
    )
    out = tmp_path / "mlp.joblib"
    status, stdout, err = run_cli(
        capsys, "train", "synthetic", "--n-samples", "40", "--image-size", "16",
        "-m", params, "-o", out, "-q",
    )  # fmt: skip
    assert status == 0, err
    assert "Held-out (8) accuracy" in stdout
    model = joblib.load(out)
    assert model.steps[0][1].factor == 2
    assert model.steps[-1][1].hidden_layer_sizes == [8]
    assert "ConvergenceWarning" in err  # shown as one line, not raised


def _csv_file(tmp_path):
    rng = np.random.default_rng(0)
    rows = np.column_stack([np.arange(12) % 3, rng.integers(0, 256, (12, 1024))])
    path = tmp_path / "galaxies.csv"
    np.savetxt(path, rows, fmt="%d", delimiter=",")
    return path


@pytest.mark.parametrize(
    "extra, message",
    [
        (["synthetic", "-o", "{tmp}/model.txt"], "cannot tell the format"),
        (["synthetic", "-o", "{tmp}/no/model.joblib"], "does not exist"),
        (["{tmp}/missing.h5", "-o", "{tmp}/m.joblib"], "does not exist"),
        (["{tmp}/notes.txt", "-o", "{tmp}/m.joblib"], "cannot tell what kind of data"),
        (["synthetic", "-m", "forest", "-o", "{tmp}/m.joblib"],
         "unknown model 'forest'"),
        (["synthetic", "-m", "{tmp}/bad.json", "-o", "{tmp}/m.joblib"], "is not JSON"),
        (["synthetic", "-m", "{tmp}/evil.json", "-o", "{tmp}/m.joblib"],
         "neither a skgalaxy nor a scikit-learn estimator"),
        (["synthetic", "-m", "{tmp}/typo.json", "-o", "{tmp}/m.joblib"],
         "bad parameters for Coarsen"),
        (["{tmp}/galaxies.csv", "-m", "baseline", "-o", "{tmp}/m.joblib"],
         "have no vote fractions"),
        (["synthetic", "--target", "votes", "-o", "{tmp}/m.joblib"],
         "--model mlp predicts classes; --target votes needs a vote regressor"),
    ],
)  # fmt: skip
def test_train_errors_are_one_line(capsys, tmp_path, extra, message):
    (tmp_path / "notes.txt").write_text("hello")
    (tmp_path / "bad.json").write_text("{not json")
    (tmp_path / "evil.json").write_text('{"estimator": "os.system"}')
    (tmp_path / "typo.json").write_text(
        '{"estimator": "Coarsen", "params": {"factr": 2}}'
    )
    _csv_file(tmp_path)
    argv = [a.replace("{tmp}", str(tmp_path)) for a in ["train", *extra, "-q"]]
    status, _, err = run_cli(capsys, *argv)
    assert status == 1
    assert message in _one_error_line(err)
    assert not (tmp_path / "m.joblib").exists()


def _galaxy10_file(folder):
    X, y = make_galaxies(30, image_size=16, random_state=2)
    path = folder / "Galaxy10.h5"
    with h5py.File(path, "w") as f:
        f["images"], f["ans"] = X, y.astype(np.uint8)
    return path


def _kaggle_folder(folder):
    from PIL import Image

    X, _, votes = make_galaxies(20, image_size=16, return_votes=True, random_state=4)
    images = folder / "zoo" / "images_training_rev1"
    images.mkdir(parents=True)
    ids = 100_000 + np.arange(len(X))
    with open(folder / "zoo" / "training_solutions_rev1.csv", "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["GalaxyID", *VOTE_COLUMNS])
        writer.writerows([i, *v] for i, v in zip(ids, votes.round(6)))
    for i, image in zip(ids, X):
        Image.fromarray(image).save(images / f"{i}.jpg")
    return folder / "zoo"


@pytest.mark.parametrize(
    "make_source, argv, expected",
    [
        (_galaxy10_file, ["-m", "logistic"], "Held-out (6) accuracy"),
        (_csv_file, ["-m", "logistic", "--max-images", "9"], "Held-out (2) accuracy"),
        (_kaggle_folder, ["-m", "baseline"], "Held-out (4) RMSE"),
        (_kaggle_folder, ["-m", "logistic", "--target", "plurality"], "accuracy"),
    ],
)
def test_train_on_each_file_source(capsys, tmp_path, make_source, argv, expected):
    source = make_source(tmp_path)
    out = tmp_path / "model.skops"
    status, stdout, err = run_cli(capsys, "train", source, *argv, "-o", out, "-q")
    assert status == 0, err
    assert expected in stdout
    model = load(out)
    if make_source is _galaxy10_file:
        assert set(model.classes_) <= set(GALAXY10_CLASSES)
    if make_source is _csv_file:
        assert set(model.classes_) == {"elliptical", "spiral", "irregular"}


# ---------------------------------------------------------------- predict


def test_predict_classes_and_probabilities(capsys, logistic_model, image_folder):
    out = image_folder.parent / "proba.csv"
    status, _, err = run_cli(
        capsys, "predict", logistic_model, image_folder, "--proba", "-o", out, "-q"
    )
    assert status == 0, err
    rows = _read_csv(out)
    classes = load(logistic_model).classes_
    assert rows[0] == ["id", "prediction", *(f"proba_{c}" for c in classes)]
    assert [r[0] for r in rows[1:]] == [str(i) for i in range(6)]
    proba = np.array([r[2:] for r in rows[1:]], dtype=float)
    np.testing.assert_allclose(proba.sum(axis=1), 1, atol=1e-4)
    assert [r[1] for r in rows[1:]] == list(classes[proba.argmax(axis=1)])


def test_predict_glob_to_stdout(capsys, logistic_model, image_folder):
    pattern = str(image_folder / "[12].png")
    status, out, _ = run_cli(capsys, "predict", logistic_model, pattern, "-o", "-")
    assert status == 0
    lines = out.strip().splitlines()
    assert lines[0] == "id,prediction"
    assert [line.split(",")[0] for line in lines[1:]] == ["1", "2"]


def test_predict_resizes_images_unless_told_not_to(
    capsys, logistic_model, image_folder, tmp_path
):
    from PIL import Image

    Image.fromarray(np.full((20, 24), 90, dtype=np.uint8)).save(tmp_path / "big.png")
    status, out, _ = run_cli(
        capsys, "predict", logistic_model, tmp_path / "big.png", "-o", "-", "-q"
    )
    assert status == 0 and out.count("\n") == 2
    status, _, err = run_cli(
        capsys, "predict", logistic_model, tmp_path / "big.png", "--no-resize"
    )
    assert status == 1
    assert "the images are 20x24 pixels; the model expects 16x16" in err


def test_predict_vote_fractions_from_hdf5(capsys, baseline_model, tmp_path):
    X, _ = make_galaxies(5, image_size=16, random_state=1)
    h5 = tmp_path / "galaxies.h5"
    with h5py.File(h5, "w") as f:
        f["images"] = X
    out = tmp_path / "votes.csv"
    status, _, err = run_cli(capsys, "predict", baseline_model, h5, "-o", out)
    assert status == 0, err
    rows = _read_csv(out)
    assert rows[0] == ["id", *VOTE_COLUMNS]
    assert [r[0] for r in rows[1:]] == ["0", "1", "2", "3", "4"]
    expected = joblib.load(baseline_model).predict(X)
    np.testing.assert_allclose(np.array([r[1:] for r in rows[1:]], float), expected,
                               rtol=1e-5)  # fmt: skip


def test_predict_unreadable_image_leaves_nothing(
    capsys, logistic_model, image_folder, tmp_path
):
    (tmp_path / "broken.png").write_text("not an image")
    out = tmp_path / "out.csv"
    status, _, err = run_cli(
        capsys, "predict", logistic_model, image_folder, tmp_path / "broken.png",
        "-o", out,
    )  # fmt: skip
    assert status == 1
    assert "broken.png" in _one_error_line(err)
    assert not out.exists() and _leftovers(tmp_path) == []


@pytest.mark.parametrize("content", [b"\x80\x04garbage", b"PK\x03\x04 truncated zip"])
@pytest.mark.parametrize("name", ["model.skgalaxy", "model.joblib"])
def test_predict_model_that_does_not_load(
    capsys, image_folder, tmp_path, name, content
):
    model = tmp_path / name
    model.write_bytes(content)
    status, _, err = run_cli(capsys, "predict", model, image_folder, "-o", "-")
    assert status == 1
    line = _one_error_line(err)
    assert "model" in line and str(model) in line


def test_predict_refuses_untrusted_model_unless_trusted(capsys, image_folder, tmp_path):
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import FunctionTransformer

    from skgalaxy.preprocessing import Flatten
    from skgalaxy.utils import check_images

    X, y = make_galaxies(20, image_size=16, random_state=0)
    from sklearn.linear_model import LogisticRegression

    model = make_pipeline(
        FunctionTransformer(check_images), Flatten(), LogisticRegression()
    ).fit(X, y)
    path = tmp_path / "untrusted.skgalaxy"
    save(model, path)
    status, _, err = run_cli(capsys, "predict", path, image_folder, "-o", "-")
    assert status == 1
    assert "not trusted: ['skgalaxy.utils._validation.check_images']" in err
    status, out, _ = run_cli(
        capsys, "predict", path, image_folder, "-o", "-",
        "--trust", "skgalaxy.utils._validation.check_images",
    )  # fmt: skip
    assert status == 0 and out.startswith("id,prediction")


@pytest.mark.parametrize(
    "inputs, message",
    [
        (["{tmp}/nothing.png"], "does not exist"),
        (["{tmp}/*.jpg"], "no .jpg, .jpeg or .png file matches"),
        (["{tmp}/*"], "no .jpg, .jpeg or .png file matches"),
        (["{tmp}/empty"], "holds no .jpg, .jpeg or .png"),
    ],
)
def test_predict_bad_inputs(capsys, logistic_model, tmp_path, inputs, message):
    (tmp_path / "empty").mkdir()
    (tmp_path / "notes.txt").write_text("not an image")
    inputs = [i.replace("{tmp}", str(tmp_path)) for i in inputs]
    status, _, err = run_cli(capsys, "predict", logistic_model, *inputs, "-o", "-")
    assert status == 1
    assert message in _one_error_line(err)


def test_predict_proba_on_a_regressor(capsys, baseline_model, image_folder):
    status, _, err = run_cli(
        capsys, "predict", baseline_model, image_folder, "--proba", "-o", "-"
    )
    assert status == 1
    assert "--proba needs a classifier" in err


def test_cnn_train_and_predict(capsys, image_folder, tmp_path):
    pytest.importorskip("skorch")
    model = tmp_path / "cnn.skgalaxy"
    status, out, err = run_cli(
        capsys, "train", "synthetic", "--n-samples", "40", "--image-size", "16",
        "-m", "cnn", "--max-epochs", "1", "-o", model,
    )  # fmt: skip
    assert status == 0, err
    assert "Held-out (8) accuracy:" in out
    pipeline = load(model)
    assert type(pipeline.steps[-1][1]).__name__ == "CNNClassifier"
    assert pipeline.steps[-1][1].callbacks is None  # the progress bar is not saved
    status, out, err = run_cli(capsys, "predict", model, image_folder, "-o", "-")
    assert status == 0, err
    assert len(out.strip().splitlines()) == 7


def test_cnn_regressor_on_votes(capsys, image_folder, tmp_path):
    pytest.importorskip("skorch")
    model = tmp_path / "cnn.joblib"
    status, out, err = run_cli(
        capsys, "train", "synthetic", "--n-samples", "20", "--image-size", "16",
        "-m", "cnn", "--target", "votes", "--max-epochs", "1", "-o", model, "-q",
    )  # fmt: skip
    assert status == 0, err
    assert "Held-out (4) RMSE (Kaggle, all 37 answers):" in out
    status, out, err = run_cli(capsys, "predict", model, image_folder, "-o", "-")
    assert status == 0, err
    assert out.splitlines()[0] == ",".join(["id", *VOTE_COLUMNS])


# --------------------------------------------------------------- evaluate


def test_evaluate_classifier(capsys, logistic_model, tmp_path):
    out_dir = tmp_path / "eval"
    status, out, err = run_cli(
        capsys, "evaluate", logistic_model, "synthetic", "--n-samples", "30",
        "--image-size", "16", "-o", out_dir, "-q",
    )  # fmt: skip
    assert status == 0, err
    metrics = json.loads((out_dir / "metrics.json").read_text())
    assert f"Accuracy: {metrics['accuracy']:.3f} on 30 galaxies" in out
    assert "round smooth" in out  # the per-class report names the classes
    assert metrics["report"]["macro avg"]["support"] == 30
    assert (out_dir / "confusion_matrix.png").stat().st_size > 1000


def test_evaluate_vote_regressor(capsys, baseline_model, tmp_path):
    out_dir = tmp_path / "eval"
    status, out, err = run_cli(
        capsys, "evaluate", baseline_model, "synthetic", "--n-samples", "30",
        "-o", out_dir,
    )  # fmt: skip
    assert status == 0, err
    # Without --image-size, synthetic galaxies take the model's image size.
    assert "Generating 30 synthetic galaxies of 16 px" in err
    metrics = json.loads((out_dir / "metrics.json").read_text())
    assert f"RMSE (Kaggle, all 37 answers): {metrics['kaggle_rmse']:.4f}" in out
    assert len(metrics["rmse_per_answer"]) == 37
    assert len(metrics["rmse_per_question"]) == 11
    assert (out_dir / "rmse_per_answer.png").stat().st_size > 1000


def test_evaluate_classifier_needs_labels(capsys, logistic_model, baseline_model):
    status, _, err = run_cli(
        capsys, "evaluate", baseline_model, "synthetic", "--target", "labels",
        "--n-samples", "20", "--image-size", "16", "--no-plots",
    )  # fmt: skip
    assert status == 1
    assert "predicts vote fractions: use --target votes" in err


# ------------------------------------------------------------------- demo


def test_demo_rejects_unknown_models(capsys, tmp_path):
    status, _, err = run_cli(capsys, "demo", "--models", "mlp,forest", "--no-save")
    assert status == 1
    assert "unknown model(s) ['forest']" in _one_error_line(err)


def test_demo_rejects_vote_models(capsys):
    # The demo fits class labels; a vote regressor has nothing to fit there.
    status, _, err = run_cli(capsys, "demo", "--models", "baseline", "--no-save")
    assert status == 1
    line = _one_error_line(err)
    assert "unknown model(s) ['baseline']" in line
    assert line.endswith("choose among mlp, cnn, logistic")


def test_demo_output_dir_is_a_file(capsys, tmp_path):
    (tmp_path / "taken").write_text("")
    status, _, err = run_cli(capsys, "demo", "-o", tmp_path / "taken")
    assert status == 1
    assert "is a file" in _one_error_line(err)


def test_evaluate_without_matplotlib_fails_before_work(
    capsys, monkeypatch, logistic_model
):
    import importlib.util

    find_spec = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util,
        "find_spec",
        lambda name, *a: None if name == "matplotlib" else find_spec(name, *a),
    )
    status, _, err = run_cli(capsys, "evaluate", logistic_model, "synthetic")
    assert status == 1
    assert "the plots need matplotlib" in _one_error_line(err)
    assert "Generating" not in err
