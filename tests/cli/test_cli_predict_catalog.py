"""``skgalaxy predict`` for catalogues: formats, ids, skip, resume, signals."""

import csv
import os
import signal
import subprocess
import sys
import textwrap
import time

import h5py
import joblib
import numpy as np
import pytest
from PIL import Image

from skgalaxy.cli import main
from skgalaxy.datasets import make_galaxies


def run_cli(capsys, *argv):
    status = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return status, out, err


def _error_line(err):
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("skgalaxy: error: "), err
    return lines[0]


def _read_csv(path):
    with open(path, newline="") as f:
        return list(csv.reader(f))


@pytest.fixture(scope="module")
def model(tmp_path_factory):
    """A logistic pipeline on 16x16 RGB galaxies, as a joblib file."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    from skgalaxy.preprocessing import Flatten

    X, y = make_galaxies(60, image_size=16, random_state=0)
    pipe = make_pipeline(Flatten(), LogisticRegression(max_iter=200)).fit(X, y)
    path = tmp_path_factory.mktemp("model") / "model.joblib"
    joblib.dump(pipe, path)
    # Flatten records image_shape_ as the CLI reads it from the first step.
    return path


@pytest.fixture
def folder(tmp_path):
    folder = tmp_path / "images"
    folder.mkdir()
    X, _ = make_galaxies(7, image_size=16, random_state=4)
    for i, image in enumerate(X):
        Image.fromarray(image).save(folder / f"g{i}.png")
    return folder


def _expected(model_path, folder, names):
    from skgalaxy.datasets import load_images

    pipe = joblib.load(model_path)
    X = load_images([folder / f"{n}.png" for n in names], progress=False)
    return pipe.predict(X), pipe.predict_proba(X)


NAMES = [f"g{i}" for i in range(7)]


@pytest.mark.parametrize("ext", [".csv", ".fits", ".ecsv", ".parquet"])
def test_predict_writes_each_format_read_back_by_id(capsys, model, folder, ext):
    table = pytest.importorskip("astropy.table")
    if ext == ".parquet":
        pytest.importorskip("pyarrow")
    out = folder.parent / f"out{ext}"
    status, _, err = run_cli(capsys, "predict", model, folder, "--proba", "-o", out)
    assert status == 0, err
    if ext == ".parquet":  # astropy reads Parquet through pandas; pyarrow does not
        import pyarrow.parquet

        t = pyarrow.parquet.read_table(out).to_pydict()
    else:
        t = table.Table.read(out, format="ascii.csv" if ext == ".csv" else None)
    ids = [str(v) for v in t["id"]]
    assert sorted(ids) == NAMES
    labels, proba = _expected(model, folder, ids)
    assert list(t["prediction"]) == list(labels)
    classes = joblib.load(model).classes_
    got = np.column_stack([t[f"proba_{c}"] for c in classes])
    np.testing.assert_allclose(got, proba, rtol=1e-5, atol=1e-6)
    assert sorted(p.name for p in folder.parent.iterdir()) == ["images", out.name]


@pytest.fixture
def catalog(tmp_path):
    """ra/dec for g0..g5 and one galaxy (x9) that has no image."""
    path = tmp_path / "cat.csv"
    rows = [("objid", "ra", "dec")]
    rows += [(f"g{i}", f"{10 + i}.5", f"-{i}.25") for i in range(6)]
    rows += [("x9", "99.0", "9.0")]
    with open(path, "w", newline="") as f:
        csv.writer(f).writerows(rows)
    return path


@pytest.mark.parametrize("ext", [".csv", ".fits"])
def test_predict_catalog_columns_follow_the_ids(capsys, model, folder, catalog, ext):
    table = pytest.importorskip("astropy.table")
    out = folder.parent / f"cat_out{ext}"
    status, _, err = run_cli(
        capsys, "predict", model, folder, "-o", out,
        "--catalog", catalog, "--id-column", "objid",
    )  # fmt: skip
    assert status == 0, err
    # g6 has an image but no catalogue row; x9 a row but no image.
    assert "1 prediction(s) have no row in the catalogue" in err
    assert "1 catalogue row(s) have no image" in err
    t = table.Table.read(out, format="ascii.csv" if ext == ".csv" else None)
    assert [str(v) for v in t["id"]] == NAMES
    assert [str(v) for v in t["objid"][:6]] == NAMES[:6]
    np.testing.assert_allclose(t["ra"][:6], [10.5 + i for i in range(6)])
    np.testing.assert_allclose(t["dec"][:6], [-0.25 - i for i in range(6)])
    assert np.ma.is_masked(t["ra"][6])


def test_predict_catalog_errors(capsys, model, folder, catalog, tmp_path):
    pytest.importorskip("astropy")
    out = tmp_path / "o.csv"
    status, _, err = run_cli(capsys, "predict", model, folder, "-o", out,
                             "--catalog", catalog, "--id-column", "name")  # fmt: skip
    assert status == 1 and "has no column 'name' (--id-column)" in _error_line(err)
    status, _, err = run_cli(capsys, "predict", model, folder, "--catalog", catalog)
    assert status == 1 and "go together" in _error_line(err)
    dup = tmp_path / "dup.csv"
    dup.write_text("objid,ra\ng1,1\ng1,2\n")
    status, _, err = run_cli(capsys, "predict", model, folder, "-o", out,
                             "--catalog", dup, "--id-column", "objid")  # fmt: skip
    assert status == 1 and "repeats 1 id(s), such as 'g1'" in _error_line(err)
    clash = tmp_path / "clash.csv"
    clash.write_text("objid,prediction\ng1,1\n")
    status, _, err = run_cli(capsys, "predict", model, folder, "-o", out,
                             "--catalog", clash, "--id-column", "objid")  # fmt: skip
    assert status == 1 and "['prediction']" in _error_line(err)
    assert not out.exists()


def test_predict_duplicate_ids_are_an_error(capsys, model, folder, tmp_path):
    other = tmp_path / "other"
    other.mkdir()
    Image.open(folder / "g1.png").save(other / "g1.jpg")
    status, _, err = run_cli(capsys, "predict", model, folder, other, "-o", "-")
    assert status == 1
    assert "share an id" in _error_line(err) and "'g1'" in err


def test_predict_hdf5_ids_are_row_numbers(capsys, model, tmp_path):
    table = pytest.importorskip("astropy.table")
    X, _ = make_galaxies(4, image_size=16, random_state=2)
    h5 = tmp_path / "g.h5"
    with h5py.File(h5, "w") as f:
        f["images"] = X
    cat = tmp_path / "cat.ecsv"
    table.Table({"row": [0, 1, 2, 3], "z": [0.1, 0.2, 0.3, 0.4]}).write(cat)
    out = tmp_path / "o.fits"
    status, _, err = run_cli(capsys, "predict", model, h5, "-o", out,
                             "--catalog", cat, "--id-column", "row")  # fmt: skip
    assert status == 0, err
    t = table.Table.read(out)
    assert [str(v) for v in t["id"]] == ["0", "1", "2", "3"]
    np.testing.assert_allclose(t["z"], [0.1, 0.2, 0.3, 0.4])
    assert list(t["prediction"]) == list(joblib.load(model).predict(X))


# ------------------------------------------------------------ FITS inputs


def test_predict_reads_fits_cutouts(capsys, model, tmp_path):
    fits = pytest.importorskip("astropy.io.fits")
    X, _ = make_galaxies(3, image_size=16, random_state=6)
    folder = tmp_path / "fits"
    folder.mkdir()
    for i, image in enumerate(X):
        cube = np.moveaxis(image.astype(np.float32) / 255, -1, 0)
        cube[0, 0, 0] = np.nan  # a masked pixel
        fits.PrimaryHDU(cube).writeto(folder / f"c{i}.fits.gz")
    status, out, err = run_cli(capsys, "predict", model, folder, "-o", "-", "-q")
    assert status == 0, err
    rows = list(csv.reader(out.splitlines()))
    assert [r[0] for r in rows[1:]] == ["c0", "c1", "c2"]
    expected = X.astype(np.float32) / 255
    expected[:, 0, 0, 0] = 0  # the default fill
    predicted = joblib.load(model).predict(expected)
    assert [r[1] for r in rows[1:]] == [str(v) for v in predicted]
    status, _, err = run_cli(capsys, "predict", model, folder, "-o", "-",
                             "--fill-value", "raise")  # fmt: skip
    assert status == 1 and "NaN or infinite" in _error_line(err)


# ------------------------------------------------------------- skip / stop


def test_predict_on_error_skip_lists_unreadable_files(capsys, model, folder):
    (folder / "bad.png").write_bytes(b"\x89PNG not really")
    (folder / "g3.png").write_bytes((folder / "g3.png").read_bytes()[:60])
    out = folder.parent / "skip.csv"
    status, _, err = run_cli(
        capsys, "predict", model, folder, "-o", out, "--on-error", "skip"
    )
    assert status == 0, err
    rows = _read_csv(out)
    assert [r[0] for r in rows[1:]] == [n for n in NAMES if n != "g3"]
    errors = _read_csv(folder.parent / "skip.errors.csv")
    assert errors[0] == ["id", "file", "reason"]
    assert sorted(r[0] for r in errors[1:]) == ["bad", "g3"]
    assert all("could not decode" in r[2] for r in errors[1:])
    assert "2 input(s) could not be read" in err


def test_predict_on_error_stop_is_the_default(capsys, model, folder):
    (folder / "bad.png").write_bytes(b"junk")
    out = folder.parent / "stop.csv"
    status, _, err = run_cli(capsys, "predict", model, folder, "-o", out)
    assert status == 1
    assert "bad.png" in _error_line(err) and "--on-error skip" in err
    assert sorted(p.name for p in folder.parent.iterdir()) == ["images"]


# ----------------------------------------------------------- output checks


@pytest.mark.parametrize("target", ["model", "image"])
def test_predict_refuses_an_output_that_is_an_input(capsys, model, folder, target):
    victim = model if target == "model" else folder / "g2.png"
    before = victim.read_bytes()
    status, _, err = run_cli(capsys, "predict", model, folder, "-o", victim)
    assert status == 1
    line = _error_line(err)
    assert (
        ("is the model file" in line)
        if target == "model"
        else ("is one of the inputs" in line)
    )
    assert victim.read_bytes() == before


def test_predict_unwritable_output_fails_before_the_work(capsys, model, folder):
    target = "/proc/skgalaxy-out.csv"  # no file can be made there, even as root
    if os.access("/proc", os.W_OK) and os.path.exists(target):
        pytest.skip("/proc is writable here")
    status, _, err = run_cli(capsys, "predict", model, folder, "-o", target)
    assert status == 1
    assert "is not writable" in _error_line(err)


def test_train_unwritable_model_path_fails_before_the_work(capsys):
    status, _, err = run_cli(
        capsys, "train", "synthetic", "-m", "logistic", "-o", "/proc/m.joblib"
    )
    assert status == 1
    assert "is not writable" in _error_line(err) and "Generating" not in err


def test_predict_unknown_output_extension(capsys, model, folder):
    status, _, err = run_cli(capsys, "predict", model, folder, "-o", "out.xlsx")
    assert status == 1 and "use .csv, .fits, .ecsv or .parquet" in _error_line(err)


def test_predict_two_hdf5_files_says_one_at_a_time(capsys, model, tmp_path):
    X, _ = make_galaxies(2, image_size=16, random_state=2)
    paths = [tmp_path / "a.h5", tmp_path / "b.h5"]
    for p in paths:
        with h5py.File(p, "w") as f:
            f["images"] = X
    status, _, err = run_cli(capsys, "predict", model, *paths, "-o", "-")
    assert status == 1
    line = _error_line(err)
    assert "one HDF5 file at a time" in line and "could not decode" not in line


def test_predict_hdf5_declaring_unstored_images_is_refused(capsys, model, tmp_path):
    h5 = tmp_path / "huge.h5"
    with h5py.File(h5, "w") as f:
        f.create_dataset(
            "images", shape=(10**7, 16, 16, 3), dtype=np.uint8, chunks=(64, 16, 16, 3)
        )
    assert h5.stat().st_size < 10_000
    start = time.perf_counter()
    status, out, err = run_cli(capsys, "predict", model, h5, "-o", "-")
    assert status == 1 and out == ""
    assert "never written and would read as zeros" in _error_line(err)
    assert time.perf_counter() - start < 10


def test_predict_partial_without_resume_is_refused(capsys, model, folder):
    out = folder.parent / "p.csv"
    (folder.parent / "p.csv.partial").write_text("id,prediction\ng0,spiral\n")
    status, _, err = run_cli(capsys, "predict", model, folder, "-o", out)
    assert status == 1 and "pass --resume" in _error_line(err)


def test_predict_resume_skips_ids_already_written(capsys, model, folder):
    out = folder.parent / "r.csv"
    status, _, err = run_cli(capsys, "predict", model, folder, "-o", out, "-q")
    full = _read_csv(out)
    # A run stopped after three rows, in the middle of the fourth line.
    partial = folder.parent / "r.csv.partial"
    text = "\n".join(",".join(r) for r in full[:4]) + "\ng3,ellip"
    partial.write_text(text)
    os.remove(out)
    status, _, err = run_cli(capsys, "predict", model, folder, "-o", out, "--resume")
    assert status == 0, err
    assert "Resuming: 3 prediction(s) already written" in err
    assert _read_csv(out) == full
    assert not partial.exists()


# ---------------------------------------------- interrupted runs (subprocess)

_SLOW_STEP = """
import time

def slow(X):
    time.sleep(0.05)
    return X
"""


@pytest.fixture
def slow_run(tmp_path, monkeypatch):
    """A model that takes 50 ms a chunk, 60 images, and a command to run it."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import FunctionTransformer

    from skgalaxy.preprocessing import Flatten

    (tmp_path / "slowstep.py").write_text(textwrap.dedent(_SLOW_STEP))
    monkeypatch.syspath_prepend(str(tmp_path))
    import slowstep

    X, y = make_galaxies(60, image_size=16, random_state=0)
    pipe = make_pipeline(
        Flatten(), FunctionTransformer(slowstep.slow), LogisticRegression()
    ).fit(X, y)
    # Flatten first: the CLI reads the model's image shape from it.
    model_path = tmp_path / "slow.joblib"
    joblib.dump(pipe, model_path)
    folder = tmp_path / "images"
    folder.mkdir()
    for i, image in enumerate(X):
        Image.fromarray(image).save(folder / f"{i}.png")
    env = dict(os.environ, OMP_NUM_THREADS="1")
    env["PYTHONPATH"] = os.pathsep.join(
        [str(tmp_path), *sys.path[:1], env.get("PYTHONPATH", "")]
    )

    def command(out, *extra):
        return [
            sys.executable, "-m", "skgalaxy", "predict", str(model_path),
            str(folder), "-o", str(out), "--chunk-size", "2", "-q", *extra,
        ]  # fmt: skip

    return command, env


def _start_and_wait_for_rows(command, env, partial, n_lines):
    proc = subprocess.Popen(
        command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if partial.exists() and partial.read_text().count("\n") >= n_lines:
            return proc
        if proc.poll() is not None:
            break
        time.sleep(0.01)
    proc.kill()
    _, err = proc.communicate()
    pytest.fail(f"the run ended before writing {n_lines} lines: {err}")


def test_predict_killed_mid_run_resumes_to_the_same_output(tmp_path, slow_run):
    command, env = slow_run
    reference = tmp_path / "reference.csv"
    done = subprocess.run(command(reference), env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr

    csv_out = tmp_path / "out.csv"
    partial = tmp_path / "out.csv.partial"
    proc = _start_and_wait_for_rows(command(csv_out), env, partial, 11)
    proc.kill()  # SIGKILL: no cleanup at all
    proc.communicate()
    assert not csv_out.exists() and partial.exists()
    written = partial.read_text().count("\n") - 1
    assert 0 < written < 60
    done = subprocess.run(
        command(csv_out, "--resume"), env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert sorted(_read_csv(csv_out)[1:]) == sorted(_read_csv(reference)[1:])
    assert _read_csv(csv_out)[0] == _read_csv(reference)[0]
    assert not partial.exists()


@pytest.mark.parametrize("sig, status", [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_predict_signal_leaves_only_the_partial(tmp_path, slow_run, sig, status):
    command, env = slow_run
    out = tmp_path / "sig.csv"
    partial = tmp_path / "sig.csv.partial"
    proc = _start_and_wait_for_rows(command(out), env, partial, 5)
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == status, err
    assert err.strip().splitlines()[-1] in (
        "skgalaxy: error: terminated",
        "skgalaxy: error: interrupted",
    )
    names = sorted(p.name for p in tmp_path.iterdir())
    assert not any(n.startswith(".") for n in names), names  # no temporary file
    assert "sig.csv" not in names and "sig.csv.partial" in names
