"""The package's floors: each subpackage imports only the floors below it.

The rule the contributors' page (docs/developers/layout.rst) states, checked on
the source of every module (imports inside functions count too).
"""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

import skgalaxy

ROOT = Path(skgalaxy.__file__).parent

#: subpackage -> the skgalaxy subpackages it may import
ALLOWED = {
    "utils": set(),
    "preprocessing": {"utils"},
    "datasets": {"utils", "preprocessing"},
    "metrics": {"utils", "datasets"},
    "baseline": {"utils", "preprocessing", "datasets"},
    # pretrained= reads saved model files through persistence (lazily: the
    # registry of trusted types in persistence lists the networks in turn)
    "neural_network": {"utils", "preprocessing", "datasets", "persistence"},
    "plotting": {"utils", "datasets", "metrics"},
    # the registry of trusted types lists the networks and estimators
    "persistence": {"utils", "neural_network"},
    "cli": {
        "utils",
        "preprocessing",
        "datasets",
        "metrics",
        "baseline",
        "neural_network",
        "plotting",
        "persistence",
    },
}
MODULES = sorted(p for p in ROOT.rglob("*.py") if len(p.relative_to(ROOT).parts) > 1)


def _imported_subpackages(path):
    parts = path.relative_to(ROOT).with_suffix("").parts
    package = ".".join(("skgalaxy", *parts[:-1]))
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.rsplit(".", node.level - 1)[0]
                base = f"{parent}.{base}" if base else parent
            names = [base, *(f"{base}.{alias.name}" for alias in node.names)]
        else:
            continue
        for name in names:
            if name.startswith("skgalaxy.") and name.split(".")[1] in ALLOWED:
                found.add(name.split(".")[1])
    return found - {parts[0]}


def test_every_subpackage_has_a_floor():
    subpackages = {p.name for p in ROOT.iterdir() if (p / "__init__.py").exists()}
    assert subpackages == set(ALLOWED)


@pytest.mark.parametrize(
    "path", MODULES, ids=lambda p: str(p.relative_to(ROOT)).replace("/", ".")
)
def test_module_imports_only_lower_floors(path):
    floor = path.relative_to(ROOT).parts[0]
    bad = sorted(_imported_subpackages(path) - ALLOWED[floor])
    assert not bad, (
        f"{path.relative_to(ROOT)} (floor {floor!r}) imports {bad}; it may import "
        f"only {sorted(ALLOWED[floor]) or 'nothing of skgalaxy'}."
    )


def test_importing_every_utils_module_leaves_datasets_unloaded():
    names = [
        f"skgalaxy.utils.{p.stem}"
        for p in sorted((ROOT / "utils").glob("*.py"))
        if p.stem != "__init__"
    ]
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
