"""The models the CLI builds, by name or from a JSON file, and what verbs ask of one.

Only the standard library loads here: the parser lists the model names from
this module, and ``skgalaxy --help`` must stay fast.
"""

import json
import math
from pathlib import Path

from ._errors import CLIError


def _coarsen_factor(image_shape, max_side):
    return max(1, math.ceil(max(image_shape[:2]) / max_side))


def _preprocessing(image_shape, max_side):
    from skgalaxy.preprocessing import Coarsen

    factor = _coarsen_factor(image_shape, max_side)
    return [("coarsen", Coarsen(factor))] if factor > 1 else []


def mlp(
    image_shape,
    *,
    n_samples=None,
    max_epochs=None,
    random_state=0,
    verbose=0,
    max_side=24,
):
    """Coarsen to at most ``max_side`` pixels + skgalaxy's NumPy MLP.

    With 1,000 training images or more, 10 % are held out for early stopping
    (the best epoch's weights are kept).
    """
    from sklearn.pipeline import Pipeline

    from skgalaxy.neural_network import NumpyMLPClassifier

    mlp = NumpyMLPClassifier(
        hidden_layer_sizes=(128, 64),
        learning_rate_init=3e-3,
        max_iter=max_epochs or 60,
        early_stopping=n_samples is not None and n_samples >= 1000,
        n_iter_no_change=10,
        random_state=random_state,
        verbose=verbose,
    )
    return Pipeline([*_preprocessing(image_shape, max_side), ("mlp", mlp)])


def logistic(image_shape, *, random_state=0, max_side=24, **_):
    """Coarsen + Flatten + a pixel logistic regression (a linear baseline)."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline

    from skgalaxy.preprocessing import Flatten

    return Pipeline(
        [
            *_preprocessing(image_shape, max_side),
            ("flatten", Flatten()),
            ("logistic", LogisticRegression(C=0.1, max_iter=300)),
        ]
    )


def cnn(
    image_shape,
    *,
    kind="labels",
    n_samples=None,
    max_epochs=None,
    random_state=0,
    verbose=0,
    max_side=64,
):
    """Coarsen to at most ``max_side`` pixels + skgalaxy's CNN with its defaults.

    The defaults are the recipe measured on real survey cutouts (a small ResNet,
    AdamW, warm-up and cosine decay, augmentation, bf16 where the CPU has it);
    ``max_epochs`` (``--max-epochs``) is the one knob the CLI turns.
    """
    from sklearn.pipeline import Pipeline

    from skgalaxy.neural_network import CNNClassifier, CNNRegressor

    params = {"random_state": random_state, "verbose": verbose}
    if max_epochs:
        params["max_epochs"] = max_epochs
    est = CNNRegressor(**params) if kind == "votes" else CNNClassifier(**params)
    return Pipeline([*_preprocessing(image_shape, max_side), ("cnn", est)])


def baseline(image_shape, *, strategy="central_pixel", **_):
    """Build the Galaxy Zoo pixel baseline (PixelBaselineRegressor, votes)."""
    from skgalaxy.baseline import PixelBaselineRegressor

    return PixelBaselineRegressor(strategy=strategy)


#: The built-in models by ``--model`` name: the builder, and the line that
#: ``skgalaxy train --help`` shows for it.
_BUILT_IN = {
    "mlp": (mlp, "Coarsen + skgalaxy's NumPy MLP classifier"),
    "cnn": (cnn, "skgalaxy's CNNClassifier, or CNNRegressor for vote fractions"),
    "baseline": (
        baseline,
        "PixelBaselineRegressor (Hildebrandt's pixel baselines) on votes",
    ),
    "logistic": (
        logistic,
        "Flatten + scikit-learn's LogisticRegression (a linear baseline)",
    ),
}

#: The built-in model names, in the order the help lists them.
MODELS = tuple(_BUILT_IN)

#: Models that predict the 37 vote fractions rather than classes.
VOTE_MODELS = ("baseline",)

#: Models that fit class labels: those ``skgalaxy demo`` can fit.
CLASS_MODELS = tuple(name for name in MODELS if name not in VOTE_MODELS)


def summary(name):
    """One line on the built-in model ``name``, for the help."""
    return _BUILT_IN[name][1]


def unknown_model_message(name):
    return f"unknown model {name!r}: use {', '.join(MODELS)} or a JSON parameter file"


def build(name, image_shape, *, kind, args, n_samples=None):
    """Build the estimator for ``--model name`` (a built-in name or a JSON file)."""
    if name in _BUILT_IN:
        kwargs = {"random_state": args.random_state}
        if name in ("mlp", "cnn"):
            kwargs["max_epochs"] = args.max_epochs
        if name in ("mlp", "cnn"):
            kwargs["n_samples"] = n_samples
        if name == "mlp":
            kwargs["verbose"] = 0 if args.quiet else "progress"
        if name == "cnn":
            kwargs["kind"] = kind
        if name == "baseline":
            kwargs["strategy"] = args.strategy
        builder, _ = _BUILT_IN[name]
        return builder(image_shape, **kwargs)
    path = Path(name)
    if path.suffix.lower() != ".json":
        raise CLIError(unknown_model_message(name))
    return from_parameter_file(path)


def _estimator_classes():
    """Estimator classes by name: skgalaxy's, then scikit-learn's."""
    from sklearn.utils.discovery import all_estimators as sk_all

    classes = dict(sk_all())
    try:
        from skgalaxy.utils.discovery import all_estimators
    except ImportError:  # before the discovery helper exists
        all_estimators = None
    if all_estimators is not None:
        classes.update(dict(all_estimators()))
    else:
        import skgalaxy

        for sub in ("preprocessing", "neural_network", "baseline"):
            module = getattr(skgalaxy, sub)
            for public in getattr(module, "__all__", []):
                obj = getattr(module, public, None)
                if isinstance(obj, type) and hasattr(obj, "fit"):
                    classes[public] = obj
    return classes


def _make(spec, where, classes):
    if not isinstance(spec, dict) or "estimator" not in spec:
        raise CLIError(f"{where} must be an object with an 'estimator' name")
    unknown = set(spec) - {"estimator", "params", "name"}
    if unknown:
        raise CLIError(f"{where} has unknown keys {sorted(unknown)}")
    name = spec["estimator"]
    if name not in classes:
        raise CLIError(
            f"{where} names the estimator {name!r}, which is neither a skgalaxy "
            "nor a scikit-learn estimator class"
        )
    params = spec.get("params", {})
    if not isinstance(params, dict):
        raise CLIError(f"{where}: 'params' must be an object")
    try:
        return classes[name](**params)
    except TypeError as exc:
        raise CLIError(f"{where}: bad parameters for {name}: {exc}") from exc


def from_parameter_file(path):
    """Build a Pipeline from a JSON file naming the estimator and its parameters.

    The file holds ``{"estimator": NAME, "params": {...}}`` and optionally
    ``"preprocessing": [{"estimator": NAME, "params": {...}}, ...]``; NAME is a
    skgalaxy or scikit-learn estimator class name.
    """
    from sklearn.pipeline import Pipeline

    if not path.is_file():
        raise CLIError(f"the parameter file {str(path)!r} does not exist")
    try:
        spec = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise CLIError(f"the parameter file {str(path)!r} is not JSON: {exc}") from exc
    if not isinstance(spec, dict):
        raise CLIError(f"the parameter file {str(path)!r} must hold a JSON object")
    unknown = set(spec) - {"estimator", "params", "preprocessing"}
    if unknown:
        raise CLIError(f"the parameter file has unknown keys {sorted(unknown)}")
    classes = _estimator_classes()
    steps = []
    pre = spec.get("preprocessing", [])
    if not isinstance(pre, list):
        raise CLIError("'preprocessing' in the parameter file must be a list")
    for i, item in enumerate(pre):
        est = _make(item, f"preprocessing[{i}]", classes)
        steps.append((item.get("name") or f"{type(est).__name__.lower()}{i}", est))
    final = _make(
        {k: spec[k] for k in ("estimator", "params") if k in spec},
        "the parameter file",
        classes,
    )
    steps.append((type(final).__name__.lower(), final))
    return Pipeline(steps)


def predicts_votes(name_or_model):
    from sklearn.base import is_regressor

    if isinstance(name_or_model, str):
        return name_or_model in VOTE_MODELS
    return is_regressor(name_or_model)


def final_estimator(model):
    return model.steps[-1][1] if hasattr(model, "steps") else model


def is_classifier(model):
    from sklearn.base import is_classifier as sk_is_classifier

    return sk_is_classifier(model)


def expected_image_shape(model):
    """Return the (h, w[, c]) the model's first image step was fitted on, or None."""
    first = model.steps[0][1] if hasattr(model, "steps") else model
    shape = getattr(first, "image_shape_", None)
    return tuple(int(s) for s in shape) if shape is not None else None
