"""``skgalaxy evaluate``: score a saved model on labelled data, plot the errors."""

import importlib.util

import numpy as np

from ._errors import CLIError
from ._files import load_model, make_output_dir, save_figure, use_agg, write_json
from ._models import expected_image_shape, final_estimator, is_classifier
from ._progress import Stage, note
from ._sources import choose_target, fit_images, load_source


def _match_labels(model, y, names):
    """Labels in the model's terms: names, or the indices of the names."""
    classes = np.asarray(final_estimator(model).classes_)
    if classes.dtype.kind in "iu" and y.dtype.kind in "UO" and names is not None:
        lookup = {name: i for i, name in enumerate(names)}
        return np.asarray([lookup.get(v, -1) for v in y])
    return y


def _evaluate_classifier(model, X, y, names, args, out_dir):
    from sklearn.metrics import accuracy_score, classification_report

    y = _match_labels(model, y, names)
    classes = final_estimator(model).classes_
    unseen = sorted(set(np.unique(y).tolist()) - set(np.asarray(classes).tolist()))
    if unseen:
        note(args, f"Note: labels the model never saw: {unseen[:5]}")
    with Stage(args, f"Predicting {len(X):,} galaxies"):
        y_pred = model.predict(X)
    accuracy = accuracy_score(y, y_pred)
    print(f"Accuracy: {accuracy:.3f} on {len(y):,} galaxies")
    print(classification_report(y, y_pred, zero_division=0))
    metrics = {
        "n_samples": int(len(y)),
        "accuracy": float(accuracy),
        "report": classification_report(y, y_pred, zero_division=0, output_dict=True),
    }
    if out_dir is not None:
        use_agg()
        from skgalaxy.plotting import plot_confusion_matrix

        labels = list(classes) + [v for v in unseen if v not in classes]
        if names is not None and set(labels) <= set(names):
            labels = [name for name in names if name in labels]  # the data's order
        class_names = None
        if names is not None and np.asarray(classes).dtype.kind in "iu":
            class_names = list(names)
        display = plot_confusion_matrix(
            y,
            y_pred,
            labels=labels,
            class_names=class_names,
            normalize="true",
            values_format=".2f",
            title=f"Confusion matrix (accuracy {accuracy:.3f})",
        )
        save_figure(display.figure_, out_dir / "confusion_matrix.png")
        print(f"Wrote {out_dir / 'confusion_matrix.png'}")
    return metrics


def _evaluate_regressor(model, X, Y, args, out_dir):
    from skgalaxy.datasets import QUESTIONS
    from skgalaxy.metrics import kaggle_rmse, rmse_per_answer, rmse_per_question

    with Stage(args, f"Predicting {len(X):,} galaxies"):
        Y_pred = np.asarray(model.predict(X)).reshape(len(X), -1)
    if Y_pred.shape[1] != Y.shape[1]:
        raise CLIError(
            f"the model predicts {Y_pred.shape[1]} outputs; the data has "
            f"{Y.shape[1]} vote fractions"
        )
    rmse = kaggle_rmse(Y, Y_pred)
    mean_rmse = kaggle_rmse(Y, np.broadcast_to(Y.mean(axis=0), Y.shape))
    print(f"RMSE (Kaggle, all {Y.shape[1]} answers): {rmse:.4f} on {len(Y):,} galaxies")
    print(f"  (predicting the mean vote of these galaxies: {mean_rmse:.4f})")
    per_question = rmse_per_question(Y, Y_pred)
    per_answer = rmse_per_answer(Y, Y_pred)
    print("RMSE per question:")
    for q, value in zip(QUESTIONS, per_question):
        print(f"  Q{q.number:<2} {value:.4f}  {q.text}")
    metrics = {
        "n_samples": int(len(Y)),
        "kaggle_rmse": float(rmse),
        "mean_prediction_rmse": float(mean_rmse),
        "rmse_per_question": [float(v) for v in per_question],
        "rmse_per_answer": [float(v) for v in per_answer],
    }
    if out_dir is not None:
        use_agg()
        from skgalaxy.plotting import plot_rmse_per_answer

        ax = plot_rmse_per_answer(per_answer, title=f"RMSE per answer ({rmse:.4f})")
        save_figure(ax.figure, out_dir / "rmse_per_answer.png")
        print(f"Wrote {out_dir / 'rmse_per_answer.png'}")
    return metrics


def run(args):
    model = load_model(args.model, args.trust)
    if not hasattr(model, "predict"):
        raise CLIError(f"{args.model!r} does not hold a model with a predict method")
    if not args.no_plots and importlib.util.find_spec("matplotlib") is None:
        raise CLIError(
            'the plots need matplotlib: pip install "skgalaxy[plot]", or pass '
            "--no-plots"
        )
    out_dir = None if args.no_plots else make_output_dir(args.output_dir)
    classifier = is_classifier(model)
    data = load_source(args, image_shape=expected_image_shape(model))
    y, kind, names = choose_target(
        data, args.target, wants_votes=not classifier, model_name="this model"
    )
    X = fit_images(data["images"], expected_image_shape(model))
    if classifier:
        metrics = _evaluate_classifier(model, X, y, names, args, out_dir)
    else:
        metrics = _evaluate_regressor(model, X, y, args, out_dir)
    metrics["model"] = str(args.model)
    metrics["source"] = data["description"]
    if out_dir is not None:
        write_json(out_dir / "metrics.json", metrics)
        print(f"Wrote {out_dir / 'metrics.json'}")
    return 0
