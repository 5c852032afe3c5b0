"""The metrics need only the decision tree: importing them stays light."""

import subprocess
import sys


def test_import_skgalaxy_metrics_imports_neither_h5py_nor_the_generator():
    code = (
        "import sys\n"
        "import skgalaxy.metrics\n"
        "print(sorted(m for m in sys.modules\n"
        "             if m == 'h5py' or m.startswith('skgalaxy.datasets')))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "['skgalaxy.datasets', 'skgalaxy.datasets._tree']"
