"""``skgalaxy demo``: the main job on synthetic galaxies, start to finish."""

import importlib.util
import time
import warnings
from pathlib import Path

import numpy as np

from ._errors import CLIError
from ._files import make_output_dir, save_figure, save_model, use_agg
from ._models import CLASS_MODELS
from ._progress import Stage, fit, note


def _settings(args):
    quick = args.quick
    return {
        "n_samples": args.n_samples or (1000 if quick else 4000),
        "image_size": args.image_size or (32 if quick else 48),
        "mlp_epochs": 40 if quick else 80,
        "cnn_epochs": 4 if quick else 15,
    }


def _models(args):
    if args.models is None:
        if not all(importlib.util.find_spec(name) for name in ("torch", "skorch")):
            note(
                args,
                "Note: torch is not installed, so no CNN "
                '(pip install "skgalaxy[torch]")',
            )
            return ["mlp"]
        return ["mlp", "cnn"]
    names = [m.strip() for m in args.models.split(",") if m.strip()]
    bad = [m for m in names if m not in CLASS_MODELS]
    if bad or not names:
        raise CLIError(
            f"unknown model(s) {bad or [args.models]} in --models; choose among "
            f"{', '.join(CLASS_MODELS)}"
        )
    return list(dict.fromkeys(names))


def _build(name, image_shape, n_samples, settings, args):
    from . import _models as models

    verbose = 0 if args.quiet else "progress"
    if name == "mlp":
        return models.mlp(
            image_shape,
            n_samples=n_samples,
            max_epochs=settings["mlp_epochs"],
            random_state=args.random_state,
            verbose=verbose,
        )
    if name == "cnn":
        return models.cnn(
            image_shape,
            n_samples=n_samples,
            max_epochs=settings["cnn_epochs"],
            random_state=args.random_state,
        )
    return models.logistic(image_shape, random_state=args.random_state)


def run(args):
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.metrics import accuracy_score, classification_report
    from sklearn.model_selection import train_test_split

    from skgalaxy.datasets import GALAXY10_CLASSES, make_galaxies

    settings = _settings(args)
    names = _models(args)
    out_dir = None if args.no_save else make_output_dir(args.output_dir)
    suffix = None if args.no_save else _model_suffix(args)
    n, size = settings["n_samples"], settings["image_size"]

    with Stage(args, f"Generating {n:,} synthetic galaxies of {size}x{size}x3 pixels"):
        X, y_idx = make_galaxies(
            n, image_size=size, random_state=args.random_state, n_jobs=args.n_jobs
        )
    # Fitted on class names, the saved pipelines predict names, not numbers.
    y = np.asarray(GALAXY10_CLASSES)[y_idx]
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.25, stratify=y, random_state=args.random_state
    )
    note(args, f"  {len(X_train):,} for training, {len(X_test):,} for testing")

    results = []
    for name in names:
        model = _build(name, X.shape[1:], len(X_train), settings, args)
        steps = " + ".join(type(step).__name__ for _, step in model.steps)
        start = time.perf_counter()
        with Stage(args, f"Fitting {name}: {steps}"), warnings.catch_warnings():
            # The demo's epochs are chosen for time, not convergence.
            warnings.simplefilter("ignore", ConvergenceWarning)
            fit(model, X_train, y_train, args, desc=name)
        fit_seconds = time.perf_counter() - start
        y_pred = model.predict(X_test)
        accuracy = accuracy_score(y_test, y_pred)
        print(f"\n{name}: test accuracy {accuracy:.3f} (fit in {fit_seconds:.1f} s)")
        print(
            classification_report(
                y_test, y_pred, labels=list(GALAXY10_CLASSES), zero_division=0
            )
        )
        results.append((name, model, accuracy, fit_seconds, y_pred))

    if len(results) > 1:
        print("model       test accuracy   fit time")
        for name, _, accuracy, seconds, _ in results:
            print(f"{name:<10}  {accuracy:13.3f}   {seconds:6.1f} s")
        print(
            f"(chance: {1 / len(GALAXY10_CLASSES):.3f}; {len(X_test):,} test galaxies)"
        )
    if out_dir is None:
        return 0

    print()
    for name, model, *_ in results:
        path = out_dir / f"{name}{suffix}"
        save_model(model, path)
        print(f"Saved the fitted {name} pipeline to {path}")
    best_name, _, best_accuracy, _, best_pred = max(results, key=lambda r: r[2])
    if importlib.util.find_spec("matplotlib") is not None:
        _plots(out_dir, X_test, y_test, best_pred, best_name, best_accuracy)
    else:
        note(args, 'Note: no pictures without matplotlib ("skgalaxy[plot]")')
    samples = _write_samples(out_dir, X_test, y_test, n_samples=12)
    print(
        f"\nTry it on images:  skgalaxy predict {out_dir / (best_name + suffix)} "
        f"{samples} -o predictions.csv"
    )
    return 0


def _model_suffix(args):
    """.skgalaxy (the safe format) when its extra is installed, else .joblib."""
    try:
        import safetensors  # noqa: F401
        import skops.io  # noqa: F401
    except ImportError:
        note(
            args,
            'Note: saving with joblib; pip install "skgalaxy[safe]" for the safe '
            ".skgalaxy format",
        )
        return ".joblib"
    return ".skgalaxy"


def _plots(out_dir, X_test, y_test, y_pred, name, accuracy):
    use_agg()
    from skgalaxy.datasets import GALAXY10_CLASSES
    from skgalaxy.plotting import plot_confusion_matrix, plot_galaxies

    fig = plot_galaxies(
        X_test,
        y_test,
        y_pred,
        max_images=25,
        title=f"{name} on synthetic galaxies: test accuracy {accuracy:.3f}",
    )
    fig = getattr(fig, "figure", fig)
    save_figure(fig, out_dir / "predictions.png")
    print(f"Wrote {out_dir / 'predictions.png'}")
    display = plot_confusion_matrix(
        y_test,
        y_pred,
        labels=list(GALAXY10_CLASSES),
        normalize="true",
        values_format=".2f",
        title=f"{name}: confusion matrix (rows: true class)",
    )
    save_figure(display.figure_, out_dir / "confusion_matrix.png")
    print(f"Wrote {out_dir / 'confusion_matrix.png'}")


def _write_samples(out_dir, X, y, *, n_samples):
    """Write a few test galaxies as PNG files, to try ``skgalaxy predict`` on."""
    from PIL import Image

    folder = Path(out_dir) / "samples"
    folder.mkdir(exist_ok=True)
    for i in range(min(n_samples, len(X))):
        name = f"{i:02d}_{str(y[i]).replace(' ', '_').replace('-', '_')}.png"
        Image.fromarray(X[i]).save(folder / name)
    return folder
