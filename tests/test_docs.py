"""The docs stay in step with the code: every public name in the API reference,
every gallery folder with a README, every example titled and scalable."""

import ast
import importlib
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
API = ROOT / "docs" / "api.rst"
EXAMPLES = ROOT / "examples"

PUBLIC_MODULES = [
    "skgalaxy.baseline",
    "skgalaxy.datasets",
    "skgalaxy.metrics",
    "skgalaxy.neural_network",
    "skgalaxy.persistence",
    "skgalaxy.plotting",
    "skgalaxy.preprocessing",
    "skgalaxy.utils",
    "skgalaxy.utils.estimator_checks",
]


def _documented():
    """``{module: set of names}`` listed in autosummary blocks of api.rst."""
    documented = {}
    module = None
    in_summary = False
    for line in API.read_text().splitlines():
        if m := re.match(r"\.\. currentmodule:: (\S+)", line):
            module = m.group(1)
            in_summary = False
        elif line.startswith(".. autosummary::"):
            in_summary = True
        elif in_summary and re.match(r"   [A-Za-z_]\w*$", line):
            documented.setdefault(module, set()).add(line.strip())
        elif in_summary and line and not line.startswith(" "):
            in_summary = False
    return documented


@pytest.mark.skipif(not API.exists(), reason="docs/api.rst not in this checkout")
@pytest.mark.parametrize("module_name", PUBLIC_MODULES)
def test_api_reference_lists_every_public_name(module_name):
    module = importlib.import_module(module_name)
    public = set(getattr(module, "__all__", ()))
    documented = _documented().get(module_name, set())
    missing = sorted(public - documented)
    assert not missing, f"add to docs/api.rst under {module_name}: {missing}"
    unknown = sorted(name for name in documented if not hasattr(module, name))
    assert not unknown, f"docs/api.rst lists names {module_name} lacks: {unknown}"


def _examples():
    return sorted(EXAMPLES.glob("*/plot_*.py"))


def test_every_gallery_folder_has_a_readme():
    folders = {p.parent for p in EXAMPLES.glob("*/*.py")}
    assert (EXAMPLES / "README.txt").is_file()
    missing = sorted(
        str(f.relative_to(ROOT)) for f in folders if not (f / "README.txt").is_file()
    )
    assert not missing, f"sphinx-gallery needs a README.txt in {missing}"


@pytest.mark.parametrize("path", _examples(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_example_has_a_title_and_a_size_variable(path):
    tree = ast.parse(path.read_text())
    doc = ast.get_docstring(tree, clean=False)
    assert doc, "an example starts with a docstring: its title and story"
    lines = doc.strip("\n").splitlines()
    overline = lines.pop(0) if set(lines[0]) == {"="} else None
    title, underline = lines[0], lines[1]
    assert set(underline) == {"="}, f"title {title!r} needs an === underline"
    assert len(underline) >= len(title.rstrip()), f"underline of {title!r} too short"
    if overline is not None:
        assert len(overline) >= len(title.rstrip()), f"overline of {title!r} too short"
    names = [
        target.id
        for node in tree.body
        if isinstance(node, ast.Assign)
        for target in node.targets
        if isinstance(target, ast.Name)
    ]
    assert any(name.isupper() for name in names), (
        "an example has an UPPERCASE size variable that a reader raises for the "
        "full-size run"
    )
