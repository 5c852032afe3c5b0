"""skgalaxy.utils is the ground floor: nothing in it imports skgalaxy.datasets."""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

import skgalaxy.utils

UTILS = Path(skgalaxy.utils.__file__).parent
MODULES = sorted(UTILS.rglob("*.py"))


def _imported_modules(path):
    """Absolute names of the modules a file imports, anywhere in it."""
    package = ".".join(
        ("skgalaxy", *path.relative_to(UTILS.parent).with_suffix("").parts[:-1])
    )
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.rsplit(".", node.level - 1)[0]
                base = f"{parent}.{base}" if base else parent
            yield base
            # ``from .. import datasets`` imports a module by its attribute name.
            yield from (f"{base}.{alias.name}" for alias in node.names)


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_utils_module_does_not_import_datasets(path):
    bad = sorted(
        {
            name
            for name in _imported_modules(path)
            if name == "skgalaxy.datasets" or name.startswith("skgalaxy.datasets.")
        }
    )
    assert not bad, f"{path.name} imports {bad}; skgalaxy.utils must not."


def test_importing_every_utils_module_leaves_datasets_unloaded():
    names = [f"skgalaxy.utils.{p.stem}" for p in MODULES if p.stem != "__init__"]
    code = (
        "import importlib, sys\n"
        f"for name in {names!r}:\n"
        "    importlib.import_module(name)\n"
        "print(sorted(m for m in sys.modules if m.startswith('skgalaxy.datasets')))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[]"
