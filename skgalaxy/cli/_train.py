"""``skgalaxy train``: fit a model on a data source and save it."""

import sys

import numpy as np

from ._errors import CLIError
from ._files import check_model_path, save_model
from ._models import MODELS, build, predicts_votes, unknown_model_message
from ._progress import Stage, fit, note
from ._sources import choose_target, load_source


def _report_score(model, X, y, kind, label):
    if kind == "votes":
        from skgalaxy.metrics import kaggle_rmse

        value = kaggle_rmse(y, model.predict(X))
        print(f"{label} RMSE (Kaggle, all 37 answers): {value:.4f}")
    else:
        from sklearn.metrics import accuracy_score

        value = accuracy_score(y, model.predict(X))
        print(f"{label} accuracy: {value:.3f}")
    return value


def run(args):
    output = check_model_path(args.output)
    model_name = args.model
    is_file = model_name.lower().endswith(".json")
    if not is_file and model_name not in MODELS:
        raise CLIError(unknown_model_message(model_name))
    # A parameter file is read before the data, so its errors come at once.
    model = build(model_name, (1, 1), kind="labels", args=args) if is_file else None
    wants_votes = predicts_votes(model if is_file else model_name)
    if model_name == "cnn" and args.target == "votes":
        wants_votes = True

    data = load_source(args)
    y, kind, _ = choose_target(
        data, args.target, wants_votes=wants_votes, model_name=f"--model {model_name}"
    )
    X = data["images"]
    if kind == "labels" and len(np.unique(y)) < 2:
        raise CLIError("the data holds a single class; a classifier needs two")

    X_test = y_test = None
    if args.test_size > 0:
        from sklearn.model_selection import train_test_split

        stratify = y if kind == "labels" and _can_stratify(y, args.test_size) else None
        X, X_test, y, y_test = train_test_split(
            X,
            y,
            test_size=args.test_size,
            random_state=args.random_state,
            stratify=stratify,
        )
    if model is None:
        model = build(model_name, X.shape[1:], kind=kind, args=args, n_samples=len(X))
    with Stage(args, f"Fitting {_describe(model)} on {len(X):,} galaxies"):
        try:
            fit(model, X, y, args)
        except (ValueError, TypeError) as exc:
            raise CLIError(f"fitting failed: {exc}") from exc
    _report_score(model, X, y, kind, "Training")
    if X_test is not None:
        _report_score(model, X_test, y_test, kind, f"Held-out ({len(X_test):,})")
    save_model(model, output)
    note(args, f"Saved the fitted model to {output}")
    sys.stdout.flush()
    return 0


def _can_stratify(y, test_size):
    _, counts = np.unique(y, return_counts=True)
    return counts.min() >= 2 and test_size * len(y) >= len(counts)


def _describe(model):
    if hasattr(model, "steps"):
        return " + ".join(type(step).__name__ for _, step in model.steps)
    return type(model).__name__
