"""End to end: the ``skgalaxy`` command in a subprocess, on tiny synthetic data.

Each subprocess pays Python's and scikit-learn's start-up, so these are few;
the error paths are tested in-process in test_cli_verbs.py and test_cli_main.py.
"""

import csv
import os
import subprocess
import sys
from pathlib import Path

import pytest


def _skgalaxy(*argv, cwd=None):
    env = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1")
    return subprocess.run(
        [sys.executable, "-m", "skgalaxy", *map(str, argv)],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=300,
    )


def test_help_does_not_import_torch_or_matplotlib():
    code = (
        "import sys\n"
        "from skgalaxy.cli import main\n"
        "assert main(['--help']) == 0 and main(['train', '--help']) == 0\n"
        "heavy = {'torch', 'skorch', 'matplotlib', 'sklearn', 'numpy'}\n"
        "print(sorted(heavy & {m.split('.')[0] for m in sys.modules}))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "[]"


def test_console_script_bad_arguments():
    script = Path(sys.executable).with_name("skgalaxy")
    if not script.exists():
        pytest.skip("the skgalaxy console script is not installed beside Python")
    done = subprocess.run(
        [script, "train", "synthetic"], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.splitlines() == [
        "skgalaxy: error: the following arguments are required: -o/--output "
        "(see 'skgalaxy train --help')"
    ]


def test_demo_end_to_end(tmp_path):
    done = _skgalaxy(
        "demo", "--quick", "--n-samples", "100", "--image-size", "16",
        "--models", "mlp,logistic", "-o", tmp_path / "demo", "-q",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    out = done.stdout
    assert "mlp: test accuracy" in out and "logistic: test accuracy" in out
    assert "edge-on with bulge" in out  # the per-class report names the classes
    names = {p.name for p in (tmp_path / "demo").iterdir()}
    assert names == {
        "mlp.skgalaxy",
        "logistic.skgalaxy",
        "predictions.png",
        "confusion_matrix.png",
        "samples",
    }
    assert len(list((tmp_path / "demo" / "samples").glob("*.png"))) == 12


def test_train_predict_evaluate_end_to_end(tmp_path):
    # joblib: loading the safe format imports skops, which imports torch (slow).
    model = tmp_path / "mlp.joblib"
    done = _skgalaxy(
        "train", "synthetic", "--n-samples", "60", "--image-size", "16",
        "-m", "mlp", "--max-epochs", "3", "-o", model, "-q",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "Held-out (12) accuracy:" in done.stdout

    images = tmp_path / "images"
    images.mkdir()
    from PIL import Image

    from skgalaxy.datasets import make_galaxies

    for i, image in enumerate(make_galaxies(3, image_size=16, random_state=5)[0]):
        Image.fromarray(image).save(images / f"g{i}.jpg")
    csv_path = tmp_path / "predictions.csv"
    done = _skgalaxy("predict", model, images / "*.jpg", "--proba", "-o", csv_path)
    assert done.returncode == 0, done.stderr
    with open(csv_path, newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0][:2] == ["id", "prediction"] and len(rows[0]) == 12
    assert [r[0] for r in rows[1:]] == ["g0", "g1", "g2"]  # ids: no extensions

    done = _skgalaxy(
        "evaluate", model, "synthetic", "--n-samples", "20", "--image-size", "16",
        "-o", tmp_path / "eval", "-q",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "Accuracy: " in done.stdout
    assert (tmp_path / "eval" / "confusion_matrix.png").exists()


@pytest.mark.slow
@pytest.mark.parametrize("sig, status", [("SIGINT", 130), ("SIGTERM", 143)])
def test_interrupted_cnn_training_saves_nothing(tmp_path, sig, status):
    """Ctrl-C or SIGTERM during a CNN fit: exit 130/143, no model file, no temp."""
    pytest.importorskip("torch")
    import signal
    import threading
    import time

    model = tmp_path / "cnn.skgalaxy"
    env = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "skgalaxy",
            "train",
            "synthetic",
            "-m",
            "cnn",
            "--n-samples",
            "400",
            "--image-size",
            "32",
            "--max-epochs",
            "200",
            "-o",
            str(model),
        ],
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        env=env,
    )
    seen = bytearray()
    started = threading.Event()

    def read():
        while chunk := proc.stderr.read1(256):
            seen.extend(chunk)
            if b"epoch" in seen:
                started.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    assert started.wait(240), bytes(seen)[-500:]
    time.sleep(1.0)  # inside the epochs
    proc.send_signal(getattr(signal, sig))
    assert proc.wait(timeout=120) == status, bytes(seen)[-500:]
    reader.join(10)
    proc.stderr.close()
    assert not any(tmp_path.iterdir()), list(tmp_path.iterdir())
    assert b"Saved" not in seen
