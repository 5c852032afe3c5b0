"""skgalaxy.datasets loads each name's module on first use, and only that one."""

import subprocess
import sys

import pytest

import skgalaxy.datasets


def _loaded_after(code):
    """The skgalaxy.datasets modules, and h5py, loaded by ``code`` in a fresh Python."""
    report = (
        "import sys\n"
        "print(sorted(m for m in sys.modules\n"
        "             if m == 'h5py' or m.startswith('skgalaxy.datasets')))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code + "\n" + report],
        capture_output=True,
        text=True,
        check=True,
    )
    return out.stdout.strip()


def test_tree_names_load_only_the_tree():
    loaded = _loaded_after(
        "from skgalaxy.datasets import VOTE_COLUMNS, QUESTION_SLICES"
    )
    assert loaded == "['skgalaxy.datasets', 'skgalaxy.datasets._tree']"


@pytest.mark.parametrize("name", skgalaxy.datasets.__all__)
def test_every_public_name_resolves(name):
    assert getattr(skgalaxy.datasets, name) is not None
    assert name in dir(skgalaxy.datasets)


def test_unknown_name_raises_attribute_error():
    with pytest.raises(AttributeError, match="has no attribute 'load_sdss'"):
        skgalaxy.datasets.load_sdss
