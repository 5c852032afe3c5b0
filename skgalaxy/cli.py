"""The ``skgalaxy`` command line."""

import argparse
import sys

import skgalaxy


def _build_parser():
    parser = argparse.ArgumentParser(
        prog="skgalaxy",
        description="Classify galaxy images with scikit-learn tools.",
    )
    parser.add_argument(
        "--version", action="version", version=f"skgalaxy {skgalaxy.__version__}"
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    demo = sub.add_parser(
        "demo",
        help="fit a galaxy classifier on synthetic galaxies and report its accuracy",
        description=(
            "The main job on embedded synthetic data: generate galaxies, fit a "
            "preprocessing + classifier Pipeline, print accuracy and a per-class "
            "report, save the fitted pipeline and a PNG of predictions."
        ),
    )
    demo.set_defaults(func=_demo)
    return parser


def _demo(args):
    print(
        "skgalaxy demo will generate synthetic galaxies, fit a preprocessing + "
        "classifier Pipeline and report its accuracy (the generator lands with the "
        "data issue)."
    )
    return 0


def main(argv=None):
    """Run the ``skgalaxy`` command; return its exit status."""
    parser = _build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
