"""Sphinx configuration for the skgalaxy documentation.

Build with the gallery executed and warnings as errors, as CI does::

    python -m sphinx -W --keep-going -b html docs docs/_build/html

``-D plot_gallery=0`` skips running the examples for a quick look at the text.
"""

import os
import re
import warnings
from datetime import date

# Examples draw with Agg: no window opens, and every example is scraped the same way.
os.environ.setdefault("MPLBACKEND", "Agg")
# One BLAS thread: the examples' timings then reflect the code, not the scheduler.
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

from sphinx_gallery.sorting import ExplicitOrder

import skgalaxy

project = "skgalaxy"
author = "The skgalaxy developers"
copyright = f"{date.today().year}, {author}"
release = skgalaxy.__version__
version = ".".join(release.split(".")[:2])

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
]

templates_path = ["_templates"]
exclude_patterns = ["_build", "Thumbs.db", ".DS_Store", "**.ipynb_checkpoints"]
root_doc = "index"
default_role = "obj"

# API reference: one generated page per public name (docs/generated, gitignored).
autosummary_generate = True
autosummary_imported_members = True
autodoc_default_options = {"members": True}
autodoc_typehints = "none"

# numpydoc renders the docstrings; the class pages list their methods themselves.
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_attributes_as_param_list = True
numpydoc_xref_param_type = False

html_theme = "pydata_sphinx_theme"
html_title = f"skgalaxy {release}"
html_theme_options = {
    "navigation_with_keys": False,
    "show_prev_next": False,
    "header_links_before_dropdown": 6,
    "github_url": "https://github.com/skgalaxy/skgalaxy",
}
html_show_sourcelink = False

# The gallery: every examples/<topic>/plot_*.py runs during the build, and a
# failing example fails the build.
sphinx_gallery_conf = {
    "examples_dirs": "../examples",
    "gallery_dirs": "auto_examples",
    "filename_pattern": "/plot_",
    "ignore_pattern": r"__init__\.py",
    "subsection_order": ExplicitOrder(
        [
            "../examples/quickstart",
            "../examples/datasets",
            "../examples/preprocessing",
            "../examples/neural_network",
            "../examples/baseline",
            "*",
            "../examples/sky",
            "../examples/scaling",
        ]
    ),
    "within_subsection_order": "FileNameSortKey",
    "image_scrapers": ("matplotlib",),
    "abort_on_example_error": True,
    "only_warn_on_example_error": False,
    "backreferences_dir": "generated/backreferences",
    "doc_module": ("skgalaxy",),
    "log_level": {"backreference_missing": "debug"},
    "remove_config_comments": True,
    "min_reported_time": 0,
    "download_all_examples": False,
    "show_memory": False,
}

# Examples run with warnings visible but not fatal, except matplotlib's
# non-interactive notice, which says nothing about the example.
warnings.filterwarnings(
    "ignore",
    category=UserWarning,
    message="Matplotlib is currently using agg, which is a non-GUI backend",
)


def _skip_member(app, what, name, obj, skip, options):
    """Leave out scikit-learn's metadata-routing and output-container methods.

    ``set_fit_request`` and friends, ``get_metadata_routing`` and ``set_output``
    come with every scikit-learn estimator; their docstrings point into
    scikit-learn's own documentation, which this site cannot link to.
    """
    if name.startswith("set_") and name.endswith("_request"):
        return True
    if name in ("get_metadata_routing", "set_output"):
        return True
    return None


# In a numpydoc type such as ``ndarray of shape (n_features_in_,)`` a name ending
# in "_" reads as a reST reference; escape it (before numpydoc sees the text).
_TYPE_LINE = re.compile(r"^\s*\*{0,2}\w+\s+:\s")
_TRAILING_UNDERSCORE = re.compile(r"\b([A-Za-z]\w*)_(?=[,)\]\s]|$)")


def _escape_type_references(app, what, name, obj, options, lines):
    for i, line in enumerate(lines):
        if _TYPE_LINE.match(line):
            head, sep, type_text = line.partition(" : ")
            lines[i] = head + sep + _TRAILING_UNDERSCORE.sub(r"\1\\_", type_text)


def _constant_docstring(app, what, name, obj, options, lines):
    """Document a public constant by the ``#:`` comment where it is defined.

    Constants are re-exported by their subpackage (``skgalaxy.datasets``) from a
    private module (``skgalaxy.datasets._tree``), where the comment is; without
    this, a tuple would be documented by the docstring of ``tuple`` itself.
    """
    if what not in ("data", "attribute"):
        return
    import importlib
    import pkgutil

    from sphinx.pycode import ModuleAnalyzer

    modname, _, attr = name.rpartition(".")
    try:
        package = importlib.import_module(modname)
    except ImportError:
        return
    candidates = [modname] + [
        f"{modname}.{info.name}"
        for info in pkgutil.iter_modules(getattr(package, "__path__", []))
    ]
    for candidate in candidates:
        try:
            docs = ModuleAnalyzer.for_module(candidate).find_attr_docs()
        except Exception:  # a module without source (or not Python)
            continue
        if ("", attr) in docs:
            lines[:] = list(docs[("", attr)])
            return
    if type(obj).__doc__ and "\n".join(lines).strip() == type(obj).__doc__.strip():
        lines[:] = []


# Methods inherited from scikit-learn (``score``, ``get_params``...) keep their
# docstrings, whose :ref: and :term: roles point into scikit-learn's own site.
_SKLEARN_ROLE = re.compile(r":(?:ref|term):`([^`<]*?)\s*(?:<[^`>]*>)?`")


def _unlink_sklearn_roles(app, what, name, obj, options, lines):
    if not (getattr(obj, "__module__", None) or "").startswith("sklearn"):
        return
    for i, line in enumerate(lines):
        lines[i] = _SKLEARN_ROLE.sub(lambda m: m.group(1), line)


def setup(app):
    app.connect("autodoc-skip-member", _skip_member)
    app.connect("autodoc-process-docstring", _unlink_sklearn_roles, priority=100)
    app.connect("autodoc-process-docstring", _constant_docstring, priority=50)
    app.connect("autodoc-process-docstring", _escape_type_references, priority=100)
