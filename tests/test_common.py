"""Checks every skgalaxy estimator, found by discovery, against its contract.

- Estimators whose tags say ``three_d_array`` get the image-estimator checks
  (:mod:`skgalaxy.utils.estimator_checks`).
- Estimators whose tags say ``two_d_array`` get scikit-learn's
  ``parametrize_with_checks``.
- Every gallery example runs (until the docs build executes them).

A new estimator is checked without being listed here. To keep the suite fast,
add ``set_params`` overrides to ``FAST_PARAMS``; a check that cannot pass for a
good reason goes in ``EXPECTED_FAILED_CHECKS`` (or ``SKLEARN_EXPECTED_FAILED``
for scikit-learn's checks) with the reason written out.
"""

import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from sklearn.base import clone
from sklearn.utils import get_tags
from sklearn.utils.estimator_checks import parametrize_with_checks

from skgalaxy.utils.discovery import all_estimators
from skgalaxy.utils.estimator_checks import parametrize_with_image_checks

# Parameter overrides (set_params) by class name that make the checks fast.
FAST_PARAMS = {
    "ROICrop": {"output_size": 16},
    "CNNClassifier": {
        "max_epochs": 1,
        "module__n_blocks": 2,
        "train_split": None,
        "mixed_precision": False,
    },
    "CNNRegressor": {
        "max_epochs": 1,
        "module__n_blocks": 2,
        "train_split": None,
        "mixed_precision": False,
    },
    # small, and a tol the checks' tiny data sets reach before max_iter (no
    # ConvergenceWarning, which the warnings-as-errors config would turn into a failure)
    "NumpyMLPClassifier": {
        "hidden_layer_sizes": (16,),
        "learning_rate_init": 0.01,
        "tol": 1e-3,
        "max_iter": 500,
    },
}

# Image checks expected to fail, by class name: {check name: reason}.
EXPECTED_FAILED_CHECKS = {}

# scikit-learn checks expected to fail, by class name: {check name: reason}.
SKLEARN_EXPECTED_FAILED = {
    "NumpyMLPClassifier": {
        "check_sample_weight_equivalence_on_dense_data": (
            "mini-batch sgd/adam on shuffled batches: weighting a sample is not the "
            "same as repeating it (scikit-learn's MLPClassifier is marked alike)"
        ),
    },
}


def _instances(tag):
    """One instance (with FAST_PARAMS) of every estimator whose tags say ``tag``."""
    instances = []
    for name, cls in all_estimators():
        estimator = cls()
        estimator.set_params(**FAST_PARAMS.get(name, {}))
        if getattr(get_tags(estimator).input_tags, tag):
            instances.append(estimator)
    return instances


def _expected(table):
    return lambda estimator: table.get(type(estimator).__name__, {})


IMAGE_ESTIMATORS = _instances("three_d_array")
FEATURE_ESTIMATORS = _instances("two_d_array")


def test_discovery_finds_the_image_transformers():
    names = {type(e).__name__ for e in IMAGE_ESTIMATORS}
    expected = {"CenterCrop", "Coarsen", "Flatten", "Grayscale", "ROICrop", "Resize"}
    assert expected <= names


@parametrize_with_image_checks(
    IMAGE_ESTIMATORS, expected_failed_checks=_expected(EXPECTED_FAILED_CHECKS)
)
def test_image_estimator_checks(estimator, check):
    check(clone(estimator))


if FEATURE_ESTIMATORS:
    # scikit-learn's checks fit tiny random problems for a fixed budget and test the
    # contract, not convergence; since scikit-learn 1.9 some of them no longer
    # silence ConvergenceWarning themselves (its own test suite ignores it too).
    @pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
    @parametrize_with_checks(
        FEATURE_ESTIMATORS, expected_failed_checks=_expected(SKLEARN_EXPECTED_FAILED)
    )
    def test_sklearn_estimator_checks(estimator, check):
        check(estimator)


# ------------------------------------------------------------------- examples
ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((ROOT / "examples").glob("**/plot_*.py"))
# Import names an example may need that belong to optional extras.
_OPTIONAL_IMPORTS = {
    "torch": "torch",
    "skorch": "torch",
    "matplotlib": "plot",
    "skops": "safe",
    "safetensors": "safe",
    "dask": "dask",
    "astropy": "astro",
}
# Examples run in about 20 s on a quiet 2-core AVX-512 machine; the CNN examples
# take about four times longer on a 2-core AVX2-only one (AMD Zen 1: 92 s for
# plot_similar_galaxies.py). A busy machine may set SKGALAXY_EXAMPLE_TIMEOUT
# higher.
_EXAMPLE_TIMEOUT = float(os.environ.get("SKGALAXY_EXAMPLE_TIMEOUT", 180))


def _missing_extras(path):
    """Optional packages the example imports (directly or via skgalaxy) that are
    not installed."""
    source = path.read_text(encoding="utf-8")
    needs = set(re.findall(r"^\s*(?:import|from)\s+(\w+)", source, flags=re.M))
    if "CNN" in source or "neural_network" in source:
        needs |= {"torch", "skorch"}
    return sorted(
        name
        for name in needs & set(_OPTIONAL_IMPORTS)
        if importlib.util.find_spec(name) is None
    )


@pytest.mark.slow
@pytest.mark.parametrize(
    "path", EXAMPLES, ids=[str(p.relative_to(ROOT / "examples")) for p in EXAMPLES]
)
def test_example_runs(path, tmp_path):
    missing = _missing_extras(path)
    if missing:
        pytest.skip(f"example needs optional packages not installed: {missing}")
    env = dict(os.environ, MPLBACKEND="Agg")
    try:
        result = subprocess.run(
            [sys.executable, str(path)],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=_EXAMPLE_TIMEOUT,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(
            f"{path.name} ran longer than {_EXAMPLE_TIMEOUT:g} s (examples must run "
            "in about 20 s at their default size; on a busy machine set "
            "SKGALAXY_EXAMPLE_TIMEOUT)"
        )
    assert result.returncode == 0, (
        f"{path.name} failed:\n{result.stdout[-2000:]}\n{result.stderr[-4000:]}"
    )
