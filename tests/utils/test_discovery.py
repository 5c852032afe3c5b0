import subprocess
import sys

import pytest
from sklearn.base import BaseEstimator, TransformerMixin, is_classifier, is_regressor

from skgalaxy.utils.discovery import all_estimators


def test_all_estimators_finds_public_estimators_once():
    found = all_estimators()
    names = [name for name, _ in found]
    assert names == sorted(set(names))
    assert {
        "CenterCrop",
        "Coarsen",
        "Flatten",
        "Grayscale",
        "ROICrop",
        "Resize",
    } <= set(names)
    for name, cls in found:
        assert issubclass(cls, BaseEstimator)
        assert cls.__module__.startswith("skgalaxy.")
        assert cls.__name__ == name


def test_all_estimators_type_filter():
    transformers = all_estimators(type_filter="transformer")
    assert all(issubclass(cls, TransformerMixin) for _, cls in transformers)
    assert "ROICrop" in dict(transformers)
    both = all_estimators(type_filter=["classifier", "regressor"])
    assert all(is_classifier(cls()) or is_regressor(cls()) for _, cls in both)
    assert "ROICrop" not in dict(both)


def test_all_estimators_bad_type_filter():
    with pytest.raises(ValueError, match="type_filter must be"):
        all_estimators(type_filter="clusterer")


def test_all_estimators_without_torch():
    # Simulate a core install: importing torch or skorch fails.
    code = """
import sys


class NoTorch:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("torch", "skorch"):
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)


sys.meta_path.insert(0, NoTorch())
from skgalaxy.utils.discovery import all_estimators

print(" ".join(name for name, _ in all_estimators()))
"""
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    names = result.stdout.split()
    assert "Coarsen" in names and "ROICrop" in names
    assert not any(name.startswith("CNN") for name in names)
