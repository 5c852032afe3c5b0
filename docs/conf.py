"""Sphinx configuration for the skgalaxy documentation.

Build with the gallery executed and warnings as errors, as CI does::

    python -m sphinx -W --keep-going -b html docs docs/_build/html

``-D plot_gallery=0`` skips running the examples for a quick look at the text.
"""

import os
import re
import warnings
from datetime import date
from pathlib import Path

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

# numpydoc validation: with -W, a skgalaxy docstring that breaks one of these
# checks fails the build.
numpydoc_validation_checks = {
    # GL: layout. A docstring exists (GL08), starts and ends where numpydoc
    # expects (GL01, GL02), has no doubled blank lines (GL03) or tabs (GL05), and
    # only known sections (GL06), in numpydoc's order (GL07); deprecations and
    # directives are well formed (GL09, GL10).
    *("GL01", "GL02", "GL03", "GL05", "GL06", "GL07", "GL08", "GL09", "GL10"),
    # SS: a one-line summary (SS01, SS06), capitalised, ending in a period, with
    # no leading space (SS02-SS04), not in the third person: "Return", not
    # "Returns" (SS05).
    *("SS01", "SS02", "SS03", "SS04", "SS05", "SS06"),
    # PR: every parameter documented, none unknown, in signature order (PR01-PR03),
    # each written ``name : type`` (PR10) with a type in numpydoc's spelling,
    # "bool" not "boolean" (PR04-PR06), and a description that is a capitalised
    # sentence (PR07-PR09).
    *("PR01", "PR02", "PR03", "PR04", "PR05", "PR06", "PR07", "PR08", "PR09"),
    "PR10",
    # RT/YD: what a function returns or yields is documented and described.
    *("RT01", "RT03", "RT04", "RT05", "YD01"),
    # SA: the entries of a See Also section, where there is one, are well formed.
    *("SA02", "SA03", "SA04"),
}
# Off, and why:
# - ES01 (extended summary): a method such as ``fit`` or ``transform`` says all
#   it needs in its summary line; the class docstring carries the explanation.
# - RT02 (Returns line holds only the type): scikit-learn's style names the
#   returned value (``self : object``, ``X_new : ndarray of shape ...``), which
#   RT02 reads as an error for every single return value.
# - SA01 (a See Also section): the classes and functions with neighbours to
#   point to have one (the transformers, loaders, metrics); on every method and
#   small helper it would be noise.
# - EX01 (an Examples section): the house style asks one per public class and
#   function, doctested by pytest; methods are shown in their class's example.

# Validation covers what skgalaxy writes, not what it inherits or generates.
numpydoc_validation_exclude = {
    r"\._[^.]*$",  # private names and dunders (``__init__``, ``__call__``)
}


def _not_written_here():
    """Return regexes for the documented names whose docstrings skgalaxy did not write.

    A class page lists inherited members too (the class template's
    ``:inherited-members: Module``): scikit-learn's ``get_params`` and
    ``fit_transform``, skorch's many ``NeuralNet`` methods, a named tuple's
    ``count``, an exception's ``with_traceback``. Their docstrings follow their
    own projects' conventions, as do those of skgalaxy overrides that leave the
    docstring to scikit-learn or skorch (``get_params``, ``fit_loop``). Public
    constants are documented by ``#:`` comments, which numpydoc does not see: it
    would validate the docstring of their type.
    """
    import importlib
    import inspect

    upstream = ("sklearn.", "skorch.")
    api = Path(__file__).with_name("api.rst").read_text()
    patterns = []
    for modname in re.findall(r"^\.\. currentmodule:: (\S+)$", api, re.MULTILINE):
        module = importlib.import_module(modname)
        for name in module.__all__:
            obj = getattr(module, name)
            prefix = re.escape(f"{modname}.{name}")
            if not (inspect.isclass(obj) or inspect.isroutine(obj)):
                patterns.append(f"^{prefix}$")
            if not inspect.isclass(obj):
                continue
            foreign = []
            for attr in dir(obj):
                if attr.startswith("_"):
                    continue
                mro = obj.__mro__
                i = next(i for i, cls in enumerate(mro) if attr in vars(cls))
                if not mro[i].__module__.startswith("skgalaxy."):
                    foreign.append(attr)
                elif getattr(vars(mro[i])[attr], "__doc__", None) is None and any(
                    attr in vars(cls) and cls.__module__.startswith(upstream)
                    for cls in mro[i + 1 :]
                ):
                    foreign.append(attr)
            if foreign:
                names = "|".join(map(re.escape, foreign))
                patterns.append(f"^{prefix}\\.({names})$")
    return patterns


numpydoc_validation_exclude |= set(_not_written_here())

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
