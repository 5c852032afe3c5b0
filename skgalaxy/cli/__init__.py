"""The ``skgalaxy`` command line (also ``python -m skgalaxy``).

Verbs: ``demo`` (the main job on synthetic galaxies), ``train``, ``predict`` and
``evaluate``. Only argparse is imported to build the parser; NumPy,
scikit-learn, torch and matplotlib load when a verb needs them, so
``skgalaxy --help`` is fast.

The parser is in ``_parser``, running it (one-line errors, thread limits) in
``_main``; the verbs (``_demo``, ``_train``, ``_predict``, ``_evaluate``) share
data sources (``_sources``), model and output files (``_files``), progress
display (``_progress``) and the built-in models (``_models``).
"""

from ._errors import CLIError as CLIError
from ._main import main

__all__ = ["main"]
