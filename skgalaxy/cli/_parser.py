"""The ``skgalaxy`` argument parser: verbs, options and their help.

Only argparse and the model names load here; each verb's module is imported
when the verb runs, so ``skgalaxy --help`` is fast.
"""

import argparse

from ._models import CLASS_MODELS, MODELS, summary

PROG = "skgalaxy"
_TARGETS = ("auto", "labels", "votes", "plurality", "hubble")


class _Parser(argparse.ArgumentParser):
    """argparse, with errors as one line: ``skgalaxy: error: ...``."""

    def error(self, message):
        self.exit(2, f"{PROG}: error: {message} (see '{self.prog} --help')\n")


class _Formatter(argparse.HelpFormatter):
    """Wraps one-paragraph texts; keeps texts with line breaks (the epilogs)."""

    def __init__(self, prog):
        super().__init__(prog, max_help_position=32)

    def _fill_text(self, text, width, indent):
        if "\n" in text:
            return "".join(indent + line for line in text.splitlines(keepends=True))
        return super()._fill_text(text, width, indent)


def _version():
    import skgalaxy

    return f"skgalaxy {skgalaxy.__version__}"


class _VersionAction(argparse.Action):
    def __init__(self, option_strings, dest, **kwargs):
        super().__init__(option_strings, dest, nargs=0, help="show the version")

    def __call__(self, parser, namespace, values, option_string=None):
        print(_version())
        parser.exit(0)


def _add_common(p):
    p.add_argument(
        "-q", "--quiet", action="store_true", help="no progress bars or notes"
    )
    p.add_argument(
        "--n-jobs",
        type=int,
        default=None,
        metavar="N",
        help="threads for decoding and generating images, BLAS and torch "
        "(default: OMP_NUM_THREADS, else 1; -1: all cores)",
    )


def _add_data_options(p, *, default_random_state):
    g = p.add_argument_group("data")
    g.add_argument(
        "--target",
        choices=_TARGETS,
        default="auto",
        help=(
            "what to predict: class labels, the 37 vote fractions, or a class "
            "derived from the votes (plurality answer, Hubble class); auto: "
            "votes for the baseline, labels when the data has them, else "
            "the plurality class (default: auto)"
        ),
    )
    g.add_argument(
        "--n-samples",
        type=_positive_int,
        default=2000,
        metavar="N",
        help="number of synthetic galaxies (source 'synthetic'; default: 2000)",
    )
    g.add_argument(
        "--image-size",
        type=_image_size,
        default=None,
        metavar="PX",
        help="side of synthetic images in pixels (default: 64, or the size the "
        "model was fitted on)",
    )
    g.add_argument(
        "--max-images",
        type=_positive_int,
        default=None,
        metavar="N",
        help="read at most N galaxies from a file or folder",
    )
    g.add_argument(
        "--random-state",
        type=int,
        default=default_random_state,
        metavar="SEED",
        help=f"seed of the synthetic data and the split (default: "
        f"{default_random_state})",
    )


def _positive_int(text):
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an integer, got {text!r}")
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {value}")
    return value


#: The smallest synthetic galaxy make_galaxies draws.
_MIN_IMAGE_SIZE = 16


def _image_size(text):
    value = _positive_int(text)
    if value < _MIN_IMAGE_SIZE:
        raise argparse.ArgumentTypeError(
            f"synthetic galaxies are at least {_MIN_IMAGE_SIZE} px, got {value}"
        )
    return value


def _fraction(text):
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}")
    if not 0.0 <= value < 1.0:
        raise argparse.ArgumentTypeError(f"expected a fraction in [0, 1), got {value}")
    return value


def _among(names):
    quoted = [f"'{name}'" for name in names]
    return f"{', '.join(quoted[:-1])} and {quoted[-1]}"


_MODEL_HELP = (
    "a saved model: .skgalaxy or .skops (safe, nothing is unpickled) or .joblib "
    "(a pickle: load only files you trust)"
)

_SOURCES_HELP = """\
data sources:
  synthetic         galaxies from skgalaxy.datasets.make_galaxies (10 Galaxy10
                    classes, and Galaxy Zoo vote fractions)
  FILE.h5, .hdf5    a Galaxy10 DECaLS file ('images' and 'ans' datasets)
  FOLDER            a Kaggle Galaxy Zoo folder (training_solutions_rev1.csv and
                    images_training_rev1/<GalaxyID>.jpg)
  FILE.csv[.gz]     Mocz's CSV (a label, then 32x32 pixel values, per row)
"""


def build_parser():
    parser = _Parser(
        prog=PROG,
        description=(
            "Classify galaxy images with scikit-learn tools: fit a model on "
            "synthetic or real galaxies, save it, and use it on new images."
        ),
        epilog=(
            "Run 'skgalaxy demo' for the main job, and 'skgalaxy COMMAND --help' "
            "for the options of each command."
        ),
        formatter_class=_Formatter,
    )
    parser.add_argument("--version", action=_VersionAction)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    demo = sub.add_parser(
        "demo",
        help="fit galaxy classifiers on synthetic galaxies and report their accuracy",
        description=(
            "The main job, on synthetic galaxies: generate them, fit preprocessing "
            "+ classifier Pipelines (skgalaxy's NumPy MLP, and a small CNN when "
            "torch is installed), print the accuracy and a per-class report, and "
            "save the fitted pipelines, a PNG of predictions and a few sample "
            "images to --output-dir."
        ),
        formatter_class=_Formatter,
    )
    demo.add_argument(
        "--n-samples",
        type=_positive_int,
        default=None,
        metavar="N",
        help="number of galaxies (default: 4000; 1000 with --quick)",
    )
    demo.add_argument(
        "--image-size",
        type=_image_size,
        default=None,
        metavar="PX",
        help="side of the images in pixels (default: 48; 32 with --quick)",
    )
    demo.add_argument(
        "--models",
        default=None,
        metavar="LIST",
        help=f"comma-separated models to fit, among {_among(CLASS_MODELS)} "
        "(default: mlp,cnn when torch is installed, else mlp)",
    )
    demo.add_argument(
        "--random-state", type=int, default=0, metavar="SEED", help="(default: 0)"
    )
    demo.add_argument(
        "-o",
        "--output-dir",
        default="skgalaxy-demo",
        metavar="DIR",
        help="where the models and pictures go (default: ./skgalaxy-demo)",
    )
    demo.add_argument(
        "--quick",
        action="store_true",
        help="a smaller, faster run (fewer and smaller galaxies, fewer epochs)",
    )
    demo.add_argument(
        "--no-save", action="store_true", help="write nothing, only print the results"
    )
    _add_common(demo)
    demo.set_defaults(func=_run("_demo"))

    train = sub.add_parser(
        "train",
        help="fit a model on a data source and save it",
        description=(
            "Fit a model on a data source and save the fitted pipeline. The "
            "model file's format follows its extension: .skgalaxy (or .skops) "
            "is skgalaxy's safe format, .joblib a pickle (load only your own)."
        ),
        epilog=_SOURCES_HELP
        + "\nmodels:\n"
        + "".join(f"  {name:<18}{summary(name)}\n" for name in MODELS)
        + """\
  PARAMS.json       a parameter file, e.g.
                    {"preprocessing": [{"estimator": "Coarsen",
                                        "params": {"factor": 2}}],
                     "estimator": "NumpyMLPClassifier",
                     "params": {"hidden_layer_sizes": [64], "max_iter": 50}}
                    (skgalaxy or scikit-learn estimators, by class name)
""",
        formatter_class=_Formatter,
    )
    train.add_argument("source", metavar="SOURCE", help="data source (see below)")
    train.add_argument(
        "-m",
        "--model",
        default="mlp",
        metavar="MODEL",
        help=f"{', '.join(MODELS)} or a JSON parameter file (default: mlp)",
    )
    train.add_argument(
        "-o",
        "--output",
        required=True,
        metavar="FILE",
        help="where to write the fitted model (.skgalaxy, .skops or .joblib)",
    )
    train.add_argument(
        "--test-size",
        type=_fraction,
        default=0.2,
        metavar="FRACTION",
        help="fraction held out to report a test score; 0 fits on everything "
        "(default: 0.2)",
    )
    train.add_argument(
        "--max-epochs",
        type=_positive_int,
        default=None,
        metavar="N",
        help="epochs of the MLP or CNN (default: the model's own)",
    )
    train.add_argument(
        "--strategy",
        default="central_pixel",
        metavar="NAME",
        help="PixelBaselineRegressor strategy for --model baseline "
        "(default: central_pixel)",
    )
    _add_data_options(train, default_random_state=0)
    _add_common(train)
    train.set_defaults(func=_run("_train"))

    predict = sub.add_parser(
        "predict",
        help="apply a saved model to images and write a catalogue",
        description=(
            "Apply a saved model to image files (JPEG, PNG or FITS cutouts: "
            "files, a folder or a glob such as 'galaxies/*.jpg') or to the "
            "'images' of one HDF5 file, and write a table: an 'id' (the file "
            "name without its image extensions, or the HDF5 row), the "
            "predicted class (and with --proba the probability of each class), "
            "or the predicted outputs of a regressor (the 37 vote fractions "
            "named Class1.1 ... Class11.6). Rows go to OUT.partial as they are "
            "predicted; --resume continues an interrupted run from it."
        ),
        epilog=(
            "output formats (by the extension of -o):\n"
            "  .csv              the default; needs nothing more\n"
            '  .fits .ecsv       an astropy Table (pip install "skgalaxy[astro]")\n'
            "  .parquet          an astropy Table through pyarrow (the same extra)\n"
            "\n"
            "with --catalog, every prediction keeps its row and gains the\n"
            "catalogue's columns (empty where its id has no catalogue row);\n"
            "catalogue rows without an image are left out. Ids are compared as\n"
            "strings.\n"
        ),
        formatter_class=_Formatter,
    )
    predict.add_argument("model", metavar="MODEL", help=_MODEL_HELP)
    predict.add_argument(
        "inputs",
        nargs="+",
        metavar="INPUT",
        help="image files, folders, glob patterns, or one HDF5 file",
    )
    predict.add_argument(
        "-o",
        "--output",
        default="predictions.csv",
        metavar="FILE",
        help="the table to write (.csv, .fits, .ecsv or .parquet), '-' for CSV "
        "on standard output (default: predictions.csv)",
    )
    predict.add_argument(
        "--proba",
        action="store_true",
        help="also write the probability of each class (classifiers)",
    )
    predict.add_argument(
        "--no-resize",
        action="store_true",
        help="refuse images whose size differs from the model's, instead of "
        "resizing them",
    )
    predict.add_argument(
        "--on-error",
        choices=("stop", "skip"),
        default="stop",
        help="what an unreadable image does: stop the run, or skip it and list "
        "it with the reason in OUT's .errors.csv (default: stop)",
    )
    predict.add_argument(
        "--resume",
        action="store_true",
        help="continue an interrupted run from OUT.partial (ids already there "
        "are not predicted again)",
    )
    predict.add_argument(
        "--catalog",
        default=None,
        metavar="FILE",
        help="a table (.csv, .fits, .ecsv, .parquet) whose columns (ra, dec, "
        "...) are carried to the output by id; needs --id-column",
    )
    predict.add_argument(
        "--id-column",
        default=None,
        metavar="NAME",
        help="the catalogue's column holding the ids",
    )
    predict.add_argument(
        "--chunk-size",
        type=_positive_int,
        default=256,
        metavar="N",
        help="images decoded and predicted at a time (default: 256)",
    )
    fits = predict.add_argument_group("FITS cutouts")
    fits.add_argument(
        "--hdu",
        default=None,
        metavar="HDU",
        help="the HDU to read, by index or EXTNAME (default: the first image)",
    )
    fits.add_argument(
        "--bands",
        default=None,
        metavar="LIST",
        help="planes of a cube (0,1,2) or image HDUs by EXTNAME (g,r,z), as "
        "channels in that order",
    )
    fits.add_argument(
        "--fill-value",
        default="0",
        metavar="VALUE",
        help="the value NaN and masked pixels take, or 'raise' to refuse such "
        "files (default: 0)",
    )
    predict.add_argument(
        "--jpeg-draft",
        action="store_true",
        help="decode JPEGs at a reduced scale (PIL draft mode) when the model's "
        "images are at least 2x smaller: faster, slightly different pixels",
    )
    predict.add_argument(
        "--trust",
        action="append",
        default=[],
        metavar="NAME",
        help="trust this type when loading a .skgalaxy/.skops file (repeatable)",
    )
    _add_common(predict)
    predict.set_defaults(func=_run("_predict"))

    evaluate = sub.add_parser(
        "evaluate",
        help="score a saved model on labelled data and plot the errors",
        description=(
            "Score a saved model on labelled data: accuracy and a per-class "
            "report for classifiers (and a confusion matrix PNG), the Kaggle RMSE "
            "and per-question RMSE for vote-fraction regressors (and a per-answer "
            "RMSE PNG). Metrics also go to metrics.json in --output-dir."
        ),
        epilog=_SOURCES_HELP,
        formatter_class=_Formatter,
    )
    evaluate.add_argument("model", metavar="MODEL", help=_MODEL_HELP)
    evaluate.add_argument("source", metavar="SOURCE", help="data source (see below)")
    evaluate.add_argument(
        "-o",
        "--output-dir",
        default="skgalaxy-evaluation",
        metavar="DIR",
        help="where the plots and metrics.json go (default: ./skgalaxy-evaluation)",
    )
    evaluate.add_argument(
        "--no-plots", action="store_true", help="print the metrics only"
    )
    evaluate.add_argument(
        "--trust",
        action="append",
        default=[],
        metavar="NAME",
        help="trust this type when loading a .skgalaxy/.skops file (repeatable)",
    )
    # Another seed than train's default, so synthetic galaxies are new ones.
    _add_data_options(evaluate, default_random_state=1)
    _add_common(evaluate)
    evaluate.set_defaults(func=_run("_evaluate"))
    return parser


def _run(module_name):
    """Return the verb's ``run(args)``, which imports the verb only when it runs."""

    def run(args):
        import importlib

        module = importlib.import_module(f".{module_name}", __package__)
        return module.run(args)

    return run
