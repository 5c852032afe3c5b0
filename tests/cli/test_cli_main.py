"""The skgalaxy command: parser, help, and one-line errors (in-process)."""

import re

import pytest

import skgalaxy
from skgalaxy import cli
from skgalaxy.cli import _models, _parser, main


def run_cli(capsys, *argv):
    """Run ``skgalaxy argv`` in-process; return (status, stdout, stderr)."""
    status = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return status, out, err


VERBS = ["demo", "train", "predict", "evaluate"]


def _one_error_line(err):
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("skgalaxy: error: ")
    assert "Traceback" not in err
    return lines[0]


def test_main_help_lists_every_verb(capsys):
    status, out, _ = run_cli(capsys, "--help")
    assert status == 0
    for verb in VERBS:
        assert f"    {verb} " in out


@pytest.mark.parametrize("verb", VERBS)
def test_main_help_of_each_verb(capsys, verb):
    status, out, _ = run_cli(capsys, verb, "--help")
    assert status == 0
    assert out.startswith(f"usage: skgalaxy {verb}")


def test_main_help_lists_every_built_in_model(capsys):
    _, train_help, _ = run_cli(capsys, "train", "--help")
    _, demo_help, _ = run_cli(capsys, "demo", "--help")
    for name in _models.MODELS:
        assert f"  {name:<18}{_models.summary(name)}\n" in train_help
        assert (f"'{name}'" in demo_help) == (name in _models.CLASS_MODELS)


def test_main_version(capsys):
    status, out, _ = run_cli(capsys, "--version")
    assert (status, out) == (0, f"skgalaxy {skgalaxy.__version__}\n")


def test_main_without_verb_prints_help(capsys):
    status, out, _ = run_cli(capsys)
    assert status == 0 and out.startswith("usage: skgalaxy")


@pytest.mark.parametrize(
    "argv, message",
    [
        (["fly"], "invalid choice: 'fly'"),
        (["train", "synthetic"], "the following arguments are required: -o/--output"),
        (["demo", "--n-samples", "0"], "expected a positive integer, got 0"),
        (["demo", "--n-samples", "many"], "expected an integer, got 'many'"),
        (["train", "x", "-o", "m.joblib", "--test-size", "1.5"], r"in \[0, 1\)"),
        (["evaluate", "m.skgalaxy", "synthetic", "--target", "x"], "invalid choice"),
        (["predict", "m.skgalaxy"], "the following arguments are required: INPUT"),
    ],
)
def test_main_bad_arguments_exit_2_with_one_line(capsys, argv, message):
    status, out, err = run_cli(capsys, *argv)
    assert status == 2
    assert out == ""
    line = _one_error_line(err)
    assert re.search(message, line)
    assert "--help'" in line


def test_main_unexpected_exception_is_one_line(capsys, monkeypatch):
    def boom(args):
        raise RuntimeError("something broke")

    monkeypatch.setattr(_parser, "_run", lambda name: boom)
    status, _, err = run_cli(capsys, "demo")
    assert status == 1
    line = _one_error_line(err)
    assert "unexpected RuntimeError: something broke" in line
    assert "SKGALAXY_DEBUG=1" in line


def test_main_debug_shows_the_traceback(monkeypatch):
    def boom(args):
        raise RuntimeError("something broke")

    monkeypatch.setattr(_parser, "_run", lambda name: boom)
    monkeypatch.setenv("SKGALAXY_DEBUG", "1")
    with pytest.raises(RuntimeError, match="something broke"):
        cli.main(["demo"])


def test_main_keyboard_interrupt(capsys, monkeypatch):
    def interrupted(args):
        raise KeyboardInterrupt

    monkeypatch.setattr(_parser, "_run", lambda name: interrupted)
    status, _, err = run_cli(capsys, "train", "synthetic", "-o", "m.joblib")
    assert status == 130
    assert _one_error_line(err) == "skgalaxy: error: interrupted"


def test_main_warnings_are_one_line(capsys, monkeypatch):
    import warnings

    def warn(args):
        warnings.warn("careful\nnow", UserWarning)
        return 0

    monkeypatch.setattr(_parser, "_run", lambda name: warn)
    status, _, err = run_cli(capsys, "demo")
    assert status == 0
    assert err == "skgalaxy: warning: careful now (UserWarning)\n"


@pytest.mark.parametrize(
    "n_jobs, env, expected",
    [(None, None, 1), (3, "2", 3), (None, "2", 2), (-1, None, 0)],
)
def test_main_limits_threads(monkeypatch, n_jobs, env, expected):
    import os

    from threadpoolctl import threadpool_info

    if env is None:
        monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
    else:
        monkeypatch.setenv("OMP_NUM_THREADS", env)
    expected = expected or os.cpu_count()
    seen = {}

    def record(args):
        seen["env"] = os.environ["OPENBLAS_NUM_THREADS"]
        seen["blas"] = {i["num_threads"] for i in threadpool_info()}
        return 0

    monkeypatch.setattr(_parser, "_run", lambda name: record)
    argv = ["demo"] + ([] if n_jobs is None else ["--n-jobs", str(n_jobs)])
    assert cli.main(argv) == 0
    assert seen["env"] == str(expected)
    assert seen["blas"] <= {expected}
    assert os.environ.get("OMP_NUM_THREADS") == env  # restored


@pytest.mark.parametrize(
    "argv",
    [
        ["train", "synthetic", "-o", "m.joblib", "--image-size", "8"],
        ["evaluate", "model.joblib", "synthetic", "--image-size", "8"],
    ],
)
def test_image_size_error_names_the_flag(capsys, argv):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "argument --image-size: synthetic galaxies are at least 16 px" in err
    assert "image_size" not in err.replace("--image-size", "")
