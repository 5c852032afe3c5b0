"""NumpyMLPClassifier: a multi-layer perceptron written from scratch in NumPy."""

import warnings
from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, _fit_context
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.utils import check_random_state, check_scalar
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.class_weight import compute_class_weight
from sklearn.utils.metaestimators import available_if
from sklearn.utils.multiclass import check_classification_targets, unique_labels
from sklearn.utils.validation import (
    _check_sample_weight,
    check_is_fitted,
    validate_data,
)

from ..utils._validation import (
    as_float_images,
    check_image_shape,
    check_images,
    check_label_types,
)
from . import _mlp_core as core
from ._divergence import DivergenceError
from ._mlp_solvers import AdamOptimizer, SGDOptimizer
from ._mlp_training import (
    LearningRateSchedule,
    MiniBatches,
    StoppingRule,
    TrainingHistory,
    TrainingProblem,
    fit_cg,
    fit_stochastic,
    make_reporter,
)

__all__ = ["NumpyMLPClassifier"]


def _ndim(X):
    """Return the number of dimensions of ``X`` without converting a DataFrame."""
    nd = getattr(X, "ndim", None)
    if nd is not None:
        return nd
    try:
        return np.asarray(X).ndim
    except (TypeError, ValueError):  # ragged or odd input: the validators explain
        return None


def _solver_is_stochastic(estimator):
    if estimator.solver not in ("sgd", "adam"):
        raise AttributeError(
            f"partial_fit is only available for the stochastic solvers 'sgd' and "
            f"'adam'; solver={estimator.solver!r} is a full-batch optimiser."
        )
    return True


class NumpyMLPClassifier(ClassifierMixin, BaseEstimator):
    """Multi-layer perceptron classifier written in NumPy and SciPy.

    The network of the NumPy tutorial [1]_ and Mocz's tutorial [2]_ as a
    scikit-learn estimator: fully connected hidden layers, an output layer with a
    loss to match, mini-batch SGD with momentum, Adam, or full-batch nonlinear
    conjugate gradient. Images of any
    shape ``(n_samples, height, width[, n_channels])`` are flattened inside, so
    ``Pipeline([("coarsen", Coarsen(4)), ("mlp", NumpyMLPClassifier())])`` works.

    Parameters
    ----------
    hidden_layer_sizes : int or array-like of int, default=(100,)
        Units of each hidden layer; the depth is its length (``()`` gives a
        linear model).
    activation : {"relu", "logistic", "sigmoid", "tanh", "leaky_relu"}, \
            default="relu"
        Hidden-layer activation; ``"sigmoid"`` is an alias of ``"logistic"``;
        leaky relu has slope 0.01 below zero.
    solver : {"adam", "sgd", "cg"}, default="adam"
        ``"sgd"``: mini-batch gradient descent with the momentum of the NumPy
        tutorial [1]_. ``"adam"``: Adam. ``"cg"``: full-batch nonlinear conjugate
        gradient on the flattened weights through :func:`scipy.optimize.minimize`
        (Mocz's tutorial [2]_).
    loss : {"log_loss", "binary_log_loss", "squared_error"}, default="log_loss"
        Output layer and loss as a pair: ``"log_loss"``, a softmax with the
        cross-entropy; ``"binary_log_loss"``, a sigmoid per class with the
        binary cross-entropy summed over classes (one-vs-all, as Mocz's tutorial);
        ``"squared_error"``, a sigmoid per class with the squared error summed
        over classes on 0.01/0.99 targets (the NumPy tutorial's).
    alpha : float, default=1e-4
        L2 penalty ``alpha / (2 n_train) * sum(W**2)`` on the weights (not the
        biases), ``n_train`` the size of the training set (of one
        ``partial_fit`` call) for every solver: Mocz's lambda.
    batch_size : int or "auto", default="auto"
        Mini-batch size for sgd and adam; ``"auto"`` is ``min(200, n_samples)``.
        Larger values are clipped to the number of samples.
    learning_rate : {"constant", "invscaling", "adaptive"}, default="constant"
        Schedule for ``solver="sgd"``, as in scikit-learn: ``"invscaling"``
        uses ``learning_rate_init / (t + 1) ** power_t`` with ``t`` the samples
        seen; ``"adaptive"`` divides the rate by 5 each time
        ``n_iter_no_change`` epochs bring no improvement larger than ``tol``
        and stops once it falls below 1e-6.
    learning_rate_init : float, default=0.001
        Step size of sgd and adam.
    power_t : float, default=0.5
        Exponent of the ``"invscaling"`` schedule.
    max_iter : int, default=200
        Epochs for sgd and adam, iterations for cg.
    shuffle : bool, default=True
        Shuffle the samples every epoch (sgd, adam).
    random_state : int, RandomState instance or None, default=None
        Seeds the initial weights, the shuffling and the validation split.
    tol : float, default=1e-4
        Training stops when the monitored loss (the training loss, or the
        validation loss with early stopping) has not improved by at least
        ``tol`` for ``n_iter_no_change`` consecutive epochs. For cg it is the
        gradient-norm tolerance ``gtol``.
    verbose : bool, int or "progress", default=False
        ``1``/``True`` prints the NumPy tutorial's epoch table (epoch, training loss,
        validation accuracy, seconds; cg prints about 20 rows); ``2`` or
        ``"progress"`` shows a tqdm progress bar instead.
    warm_start : bool, default=False
        Continue from the previous fit's weights (and optimiser state).
    momentum : float, default=0.9
        The NumPy tutorial's moving-average momentum ``v = momentum * v + (1 - momentum)
        * grad``, ``W -= learning_rate * v``, for sgd. Note the ``(1 -
        momentum)`` factor: at the same settings the steps are ``1 - momentum``
        times scikit-learn's.
    nesterovs_momentum : bool, default=True
        Use Nesterov's look-ahead step ``W -= learning_rate * (momentum * v +
        (1 - momentum) * grad)``.
    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the training data (stratified), stop
        when its loss has not improved by ``tol`` for ``n_iter_no_change``
        epochs (iterations for cg), and restore the weights of the best epoch.
        A ``validation_data`` passed to :meth:`fit` is used instead of a split.
    validation_fraction : float, default=0.1
        Fraction held out for early stopping.
    beta_1, beta_2, epsilon : float, default=0.9, 0.999, 1e-8
        Adam's moment decay rates and its numerical-stability constant.
    n_iter_no_change : int, default=10
        Patience, in epochs (cg: iterations), of the stopping rule.
    class_weight : dict, "balanced" or None, default=None
        Weights of the classes, multiplied into ``sample_weight``.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Class labels.
    coefs_ : list of ndarray
        ``coefs_[i]`` is the ``(n_in, n_out)`` weight matrix of layer ``i``.
    intercepts_ : list of ndarray
        Bias vectors.
    loss_curve_ : list of float
        Training objective (data loss plus penalty) per epoch (cg: iteration).
        For sgd and adam it is the mean of the batch losses over the epoch plus
        the penalty at the epoch's end.
    validation_loss_curve_ : list of float
        Validation objective per epoch, with the same penalty term as the
        training objective (the test cost of Mocz's tutorial); only when early
        stopping or ``validation_data`` is used.
    validation_score_curve_ : list of float
        Validation accuracy per epoch, alongside ``validation_loss_curve_``.
    best_loss_ : float
        Smallest value of ``loss_curve_``.
    best_validation_loss_ : float
        Smallest validation loss (with early stopping the weights are those of
        that epoch); only with a validation set.
    n_iter_ : int
        Epochs (cg: iterations) run, over all warm-started fits.
    t_ : int
        Training samples seen by the stochastic solvers.
    n_layers_ : int
        Layers including input and output.
    n_outputs_ : int
        Output units (one per class).
    out_activation_ : str
        ``"softmax"`` or ``"logistic"``.
    n_features_in_ : int
        Features seen in fit (pixels times channels for images).
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of the features, for a DataFrame with string column names.
    image_shape_ : tuple of int
        ``(height, width[, n_channels])`` when fitted on images.

    See Also
    --------
    sklearn.neural_network.MLPClassifier : The multi-layer perceptron of scikit-learn.

    Notes
    -----
    Computation runs in the input's float dtype: float32 and float64 are kept,
    integer images (and 2-D ``uint8`` arrays, taken as flattened images) become
    float32 in [0, 1]; other integer 2-D features become float64 unscaled. Later
    calls (predict, ``partial_fit``, warm starts) cast to the fitted dtype.

    The objective is ``sum_i w_i loss_i / sum_i w_i + alpha / (2 n_train)
    sum(W**2)``, with ``w_i`` the sample weights times the class weights. Each
    mini-batch step uses the same formula on its batch.

    Training stops with an error when it diverges, by the rule the CNN
    estimators follow: for sgd and adam, as soon as a batch's loss is NaN or
    infinite, or when an epoch's mean training loss (without the penalty)
    exceeds 100 times the loss of the first training batch (about
    ``log(n_classes)`` for a fresh network; the reference is kept over warm
    starts and ``partial_fit`` calls); for cg, whose line search never lets the
    loss grow, when the loss becomes NaN or infinite. The error, a
    ``ValueError`` that is also a ``FloatingPointError`` (as the CNNs raise),
    names the epoch, the losses and ``learning_rate_init``, or, when ``X``
    reaches beyond 1e3 in magnitude, says to scale ``X`` first; the estimator
    keeps the state it had before the call. Images whose pixel sums would
    overflow are refused up front (``finite_sums`` in
    :func:`~skgalaxy.utils.check_images`), and predictions that come out NaN or
    infinite raise the same error instead of being returned.

    ``predict_proba`` for the one-vs-all losses normalises the per-class
    sigmoids to sum to one.

    Plain-momentum SGD updates each weight matrix with one fused BLAS ``gemm``
    and one ``axpy`` on preallocated buffers; see ``benchmarks/bench_mlp.py``.

    References
    ----------
    .. [1] "Galaxy Classification with a Neural Net from Scratch", a NumPy
       tutorial on Galaxy10 DECaLS (one sigmoid hidden layer, mini-batches with
       momentum, about 60% test accuracy).
    .. [2] P. Mocz, "Create Your Own Artificial Neural Network for Multi-class
       Classification (With Python)", Level Up Coding, 2023.
       https://github.com/pmocz/artificialneuralnetwork-python

    Examples
    --------
    >>> import numpy as np
    >>> from skgalaxy.neural_network import NumpyMLPClassifier
    >>> rng = np.random.RandomState(0)
    >>> X = rng.rand(80, 8, 8)  # 80 gray 8x8 images
    >>> y = (X[:, :4].mean(axis=(1, 2)) > X[:, 4:].mean(axis=(1, 2))).astype(int)
    >>> clf = NumpyMLPClassifier(hidden_layer_sizes=(16,), solver="cg",
    ...                          max_iter=50, tol=1e-3, random_state=0)
    >>> clf = clf.fit(X, y)
    >>> clf.image_shape_, clf.n_features_in_
    ((8, 8), 64)
    >>> clf.score(X, y) > 0.9
    True
    >>> clf.predict_proba(X[:2]).sum(axis=1)
    array([1., 1.])
    """

    _parameter_constraints: dict = {
        "hidden_layer_sizes": [
            "array-like",
            Interval(Integral, 1, None, closed="left"),
        ],
        "activation": [
            StrOptions({"relu", "logistic", "sigmoid", "tanh", "leaky_relu"})
        ],
        "solver": [StrOptions({"adam", "sgd", "cg"})],
        "loss": [StrOptions({"log_loss", "binary_log_loss", "squared_error"})],
        "alpha": [Interval(Real, 0, None, closed="left")],
        "batch_size": [
            StrOptions({"auto"}),
            Interval(Integral, 1, None, closed="left"),
        ],
        "learning_rate": [StrOptions({"constant", "invscaling", "adaptive"})],
        "learning_rate_init": [Interval(Real, 0, None, closed="neither")],
        "power_t": [Interval(Real, 0, None, closed="left")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "shuffle": ["boolean"],
        "random_state": ["random_state"],
        "tol": [Interval(Real, 0, None, closed="left")],
        "verbose": ["verbose", StrOptions({"progress"})],
        "warm_start": ["boolean"],
        "momentum": [Interval(Real, 0, 1, closed="left")],
        "nesterovs_momentum": ["boolean"],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
        "beta_1": [Interval(Real, 0, 1, closed="left")],
        "beta_2": [Interval(Real, 0, 1, closed="left")],
        "epsilon": [Interval(Real, 0, None, closed="neither")],
        "n_iter_no_change": [Interval(Integral, 1, None, closed="left")],
        "class_weight": [dict, StrOptions({"balanced"}), None],
    }

    def __init__(
        self,
        hidden_layer_sizes=(100,),
        *,
        activation="relu",
        solver="adam",
        loss="log_loss",
        alpha=1e-4,
        batch_size="auto",
        learning_rate="constant",
        learning_rate_init=0.001,
        power_t=0.5,
        max_iter=200,
        shuffle=True,
        random_state=None,
        tol=1e-4,
        verbose=False,
        warm_start=False,
        momentum=0.9,
        nesterovs_momentum=True,
        early_stopping=False,
        validation_fraction=0.1,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-8,
        n_iter_no_change=10,
        class_weight=None,
    ):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.solver = solver
        self.loss = loss
        self.alpha = alpha
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.learning_rate_init = learning_rate_init
        self.power_t = power_t
        self.max_iter = max_iter
        self.shuffle = shuffle
        self.random_state = random_state
        self.tol = tol
        self.verbose = verbose
        self.warm_start = warm_start
        self.momentum = momentum
        self.nesterovs_momentum = nesterovs_momentum
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.n_iter_no_change = n_iter_no_change
        self.class_weight = class_weight

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.two_d_array = True
        tags.input_tags.three_d_array = True
        return tags

    # ------------------------------------------------------------------ input
    def _validate_input(self, X, y="no_validation", *, reset):
        """2-D float C-contiguous features (and y) from features or images."""
        nd = _ndim(X)
        # 2-D uint8 input is taken as flattened images, so the images' dtype rule
        # applies to it as well
        flat_images = (
            nd is not None and nd <= 2 and getattr(X, "dtype", None) == np.uint8
        )
        if nd is not None and nd > 2:
            # the first layer sums the pixels of an image: refuse values whose
            # sums overflow, as the transformers do
            X = check_images(X, finite_sums=True, estimator=self)
            if reset:
                check_image_shape(self, X, reset=True)
            elif hasattr(self, "image_shape_"):
                check_image_shape(self, X, reset=False)
            X = X.reshape(X.shape[0], -1)
            # check_images has already checked the values
            kwargs = {"dtype": None, "ensure_all_finite": False}
        else:
            if reset and hasattr(self, "image_shape_"):
                del self.image_shape_
            kwargs = {"dtype": None if flat_images else (np.float64, np.float32)}
        # check_array's quick finiteness test sums X, which overflows for huge
        # values (a warning); its exact test then names the problem
        with np.errstate(over="ignore", invalid="ignore"):
            out = validate_data(self, X, y, reset=reset, order="C", **kwargs)
        Xv = out[0] if isinstance(out, tuple) else out
        if flat_images:
            Xv = as_float_images(Xv)
        if isinstance(out, tuple):
            return Xv, out[1]
        return Xv

    def _model_dtype(self):
        return self.coefs_[0].dtype

    # -------------------------------------------------------------- fitting
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None, *, validation_data=None):
        """Fit the network to images or features.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or \
                (n_samples, height, width[, n_channels])
            Training features or images.
        y : array-like of shape (n_samples,)
            Class labels.
        sample_weight : array-like of shape (n_samples,), default=None
            Weights of the samples (multiplied by ``class_weight``).
        validation_data : tuple (X_val, y_val) or (X_val, y_val, w_val), \
                default=None
            A validation set, evaluated after every epoch (cg: iteration) into
            ``validation_loss_curve_`` and ``validation_score_curve_``; with
            ``early_stopping=True`` it replaces the ``validation_fraction``
            split. Not meant for cross-validation (it is not split with ``X``).

        Returns
        -------
        self : NumpyMLPClassifier
            The fitted estimator.
        """
        reuse = bool(self.warm_start) and hasattr(self, "coefs_")
        return self._fit(
            X, y, sample_weight, validation_data, reuse=reuse, partial=False
        )

    @available_if(_solver_is_stochastic)
    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, classes=None, sample_weight=None):
        """Run one epoch of sgd or adam over ``(X, y)``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or \
                (n_samples, height, width[, n_channels])
            Training features or images.
        y : array-like of shape (n_samples,)
            Class labels.
        classes : array-like of shape (n_classes,), default=None
            All the classes; required on the first call, optional later.
        sample_weight : array-like of shape (n_samples,), default=None
            Weights of the samples.

        Returns
        -------
        self : NumpyMLPClassifier
            The updated estimator.
        """
        reuse = hasattr(self, "coefs_")
        if not reuse and classes is None:
            raise ValueError(
                "classes must be passed on the first call to partial_fit "
                "(all the labels the model will see, e.g. classes=np.unique(y))."
            )
        if self.class_weight == "balanced":
            raise ValueError(
                "class_weight='balanced' is not supported by partial_fit, which sees "
                "one chunk at a time; pass a dict, e.g. computed with "
                "sklearn.utils.class_weight.compute_class_weight on all labels."
            )
        return self._fit(
            X, y, sample_weight, None, reuse=reuse, partial=True, classes=classes
        )

    def _resolve_classes(self, y, *, reuse, partial, classes):
        check_label_types(y)
        check_classification_targets(y)
        if partial and classes is not None:
            check_label_types(classes, input_name="classes")
            new = unique_labels(classes)
            if reuse and not np.array_equal(new, self.classes_):
                raise ValueError(
                    f"classes={new!r} differs from the classes of the first "
                    f"partial_fit call, {self.classes_!r}."
                )
            classes_ = self.classes_ if reuse else new
        elif reuse:
            classes_ = self.classes_
        else:
            classes_ = unique_labels(y)
        seen = unique_labels(y)
        missing = np.setdiff1d(seen, classes_)
        if missing.size:
            where = "passed to partial_fit" if partial else "seen in the first fit"
            raise ValueError(
                f"y contains labels {missing!r} that are not among the classes "
                f"{where}: {classes_!r}."
            )
        if len(classes_) < 2:
            raise ValueError(
                f"y has only one class ({classes_[0]!r}); {type(self).__name__} "
                "needs samples of at least 2 classes."
            )
        return classes_

    def _weights(self, sample_weight, X, y, yi, classes_):
        sw = None
        if sample_weight is not None:
            sw = _check_sample_weight(
                sample_weight, X, dtype=X.dtype, ensure_non_negative=True, copy=True
            )
        if self.class_weight is not None:
            present = unique_labels(y)
            if isinstance(self.class_weight, dict):
                cw = compute_class_weight(self.class_weight, classes=classes_, y=y)
            else:
                cw_present = compute_class_weight("balanced", classes=present, y=y)
                cw = np.ones(len(classes_))
                cw[np.searchsorted(classes_, present)] = cw_present
            per_sample = cw[yi].astype(X.dtype)
            sw = per_sample if sw is None else sw * per_sample
        if sw is not None:
            weight_per_class = np.bincount(yi, weights=sw, minlength=len(classes_))
            if np.count_nonzero(weight_per_class > 0) < 2:
                raise ValueError(
                    "sample_weight and class_weight leave fewer than 2 classes with "
                    f"a positive total weight (per class: {weight_per_class}); the "
                    "classifier needs at least 2 classes to learn from."
                )
        return sw

    def _encode(self, y, classes_):
        return np.searchsorted(classes_, y).astype(np.intp)

    def _validation_set(self, validation_data, classes_, dtype):
        if not isinstance(validation_data, (tuple, list)) or len(
            validation_data
        ) not in (
            2,
            3,
        ):
            raise ValueError(
                "validation_data must be a tuple (X_val, y_val) or (X_val, y_val, "
                f"sample_weight_val); got {type(validation_data).__name__}."
            )
        X_val, y_val = validation_data[0], validation_data[1]
        X_val, y_val = self._validate_input(X_val, y_val, reset=False)
        check_label_types(y_val, input_name="validation_data's y")
        X_val = _cast(X_val, dtype)
        unknown = np.setdiff1d(unique_labels(y_val), classes_)
        if unknown.size:
            raise ValueError(
                f"validation_data has labels {unknown!r} that are not in the "
                f"training classes {classes_!r}."
            )
        w_val = None
        if len(validation_data) == 3 and validation_data[2] is not None:
            w_val = _check_sample_weight(validation_data[2], X_val, dtype=X_val.dtype)
        return X_val, self._encode(y_val, classes_), w_val

    def _fit(self, X, y, sample_weight, validation_data, **kwargs):
        # On any error (a diverging run included) the estimator keeps the state
        # it had before the call, not half-set attributes.
        state = self.__dict__.copy()
        try:
            return self._fit_unsafe(X, y, sample_weight, validation_data, **kwargs)
        except BaseException:
            self.__dict__.clear()
            self.__dict__.update(state)
            raise

    def _fit_unsafe(
        self, X, y, sample_weight, validation_data, *, reuse, partial, classes=None
    ):
        hidden = self._hidden_sizes()
        X, y = self._validate_input(X, y, reset=not reuse)
        classes_ = self._resolve_classes(
            y, reuse=reuse, partial=partial, classes=classes
        )
        yi = self._encode(y, classes_)
        if reuse:
            dtype = self._model_dtype()
            X = _cast(X, dtype)
        else:
            dtype = X.dtype
        sw = self._weights(sample_weight, X, y, yi, classes_)
        activation = "logistic" if self.activation == "sigmoid" else self.activation
        rng = check_random_state(self.random_state)

        val = None
        if validation_data is not None:
            val = self._validation_set(validation_data, classes_, dtype)
        elif self.early_stopping and not partial:
            X, yi, sw, val = self._split(X, yi, sw, rng)
        layer_sizes = [X.shape[1], *hidden, len(classes_)]

        if reuse:
            old = [W.shape for W in self.coefs_]
            new = list(zip(layer_sizes[:-1], layer_sizes[1:]))
            if old != new:
                raise ValueError(
                    f"warm_start/partial_fit cannot change the architecture: the "
                    f"fitted layers have shapes {old}, the parameters ask for {new}. "
                    "Set warm_start=False (or start a new estimator) to refit."
                )
            coefs = [W.astype(dtype, copy=True) for W in self.coefs_]
            intercepts = [b.astype(dtype, copy=True) for b in self.intercepts_]
            history = TrainingHistory(
                loss=list(self.loss_curve_),
                validation_loss=list(getattr(self, "validation_loss_curve_", [])),
                validation_score=list(getattr(self, "validation_score_curve_", [])),
                n_iter=self.n_iter_,
                t=self.t_,
                first_loss=getattr(self, "_first_batch_loss", None),
            )
        else:
            coefs, intercepts = core.init_params(layer_sizes, activation, rng, dtype)
            history = TrainingHistory()

        problem = TrainingProblem(
            X, yi, sw, val, loss=self.loss, activation=activation, alpha=self.alpha
        )
        stopping = None if partial else self._stopping_rule(val)
        optimizer = None
        if self.solver != "cg":
            optimizer = self._make_optimizer(coefs, intercepts, reuse, dtype)
        reporter = make_reporter(
            0 if partial else self.verbose,
            self.max_iter,
            "it" if self.solver == "cg" else "epoch",
            type(self).__name__,
        )
        # Divergence is detected from the loss and reported with a clear error,
        # so NumPy's overflow warnings on the way there are noise.
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"), reporter:
            if self.solver == "cg":
                coefs, intercepts, converged = fit_cg(
                    coefs,
                    intercepts,
                    problem,
                    history,
                    max_iter=self.max_iter,
                    tol=self.tol,
                    stopping=stopping,
                    reporter=reporter,
                )
            else:
                converged = fit_stochastic(
                    coefs,
                    intercepts,
                    problem,
                    optimizer,
                    history,
                    batches=MiniBatches(
                        problem,
                        batch_size=self._batch_size(problem.n_train),
                        shuffle=self.shuffle,
                        random_state=rng,
                    ),
                    schedule=LearningRateSchedule(
                        self.learning_rate if self.solver == "sgd" else "constant",
                        self.learning_rate_init,
                        self.power_t,
                    ),
                    max_iter=1 if partial else self.max_iter,
                    stopping=stopping,
                    reporter=reporter,
                )
        if not partial and not converged:
            what = "cg:" if self.solver == "cg" else "Stochastic optimiser:"
            warnings.warn(
                f"{what} maximum iterations ({self.max_iter}) reached and the "
                "optimisation has not converged yet.",
                ConvergenceWarning,
                stacklevel=4,  # past _fit, fit and scikit-learn's _fit_context
            )
        # Only a successful run reaches here: publish everything at once.
        self._publish(classes_, layer_sizes, coefs, intercepts, history, optimizer)
        return self

    def _publish(self, classes_, layer_sizes, coefs, intercepts, history, optimizer):
        self.classes_ = classes_
        self.coefs_ = coefs
        self.intercepts_ = intercepts
        self.n_layers_ = len(layer_sizes)
        self.n_outputs_ = len(classes_)
        self.out_activation_ = "softmax" if self.loss == "log_loss" else "logistic"
        self.loss_curve_ = history.loss
        self.best_loss_ = float(np.min(history.loss)) if history.loss else np.inf
        self.n_iter_ = history.n_iter
        self.t_ = history.t
        # the divergence rule's reference, kept for warm starts and partial_fit
        self._first_batch_loss = history.first_loss
        if history.validation_loss:
            self.validation_loss_curve_ = history.validation_loss
            self.validation_score_curve_ = history.validation_score
            self.best_validation_loss_ = float(np.min(history.validation_loss))
        else:
            for name in (
                "validation_loss_curve_",
                "validation_score_curve_",
                "best_validation_loss_",
            ):
                if hasattr(self, name):
                    delattr(self, name)
        self._optimizer = optimizer

    def _hidden_sizes(self):
        sizes = self.hidden_layer_sizes
        sizes = [sizes] if isinstance(sizes, Integral) else list(sizes)
        # _parameter_constraints accepts any array-like; its entries are checked here
        for i, size in enumerate(sizes):
            check_scalar(
                size, f"hidden_layer_sizes[{i}]", target_type=Integral, min_val=1
            )
        return [int(s) for s in sizes]

    def _stopping_rule(self, val):
        early = self.early_stopping and val is not None
        if self.solver == "cg" and not early:
            return None  # cg stops on its gradient tolerance alone
        return StoppingRule(self.tol, self.n_iter_no_change, early_stopping=early)

    def _batch_size(self, n_train):
        if self.batch_size == "auto":
            return min(200, n_train)
        return min(self.batch_size, n_train)

    def _split(self, X, yi, sw, rng):
        arrays = [X, yi] if sw is None else [X, yi, sw]
        try:
            parts = train_test_split(
                *arrays,
                test_size=self.validation_fraction,
                random_state=rng,
                stratify=yi,
            )
        except ValueError as exc:
            raise ValueError(
                f"early_stopping could not hold out validation_fraction="
                f"{self.validation_fraction} of {X.shape[0]} samples with every "
                f"class in both parts ({exc}). Use more data, a larger "
                "validation_fraction, or pass validation_data."
            ) from exc
        X_tr, X_val, y_tr, y_val = parts[:4]
        sw_tr, sw_val = (parts[4], parts[5]) if sw is not None else (None, None)
        return X_tr, y_tr, sw_tr, (X_val, y_val, sw_val)

    def _make_optimizer(self, coefs, intercepts, reuse, dtype):
        previous = getattr(self, "_optimizer", None) if reuse else None
        if self.solver == "sgd":
            if (
                isinstance(previous, SGDOptimizer)
                and previous.momentum == self.momentum
                and previous.nesterov == self.nesterovs_momentum
            ):
                opt = _copy_state(previous, dtype)
                if self.learning_rate != "adaptive":
                    opt.learning_rate = self.learning_rate_init
                return opt
            return SGDOptimizer(
                coefs,
                intercepts,
                learning_rate=self.learning_rate_init,
                momentum=self.momentum,
                nesterov=self.nesterovs_momentum,
            )
        if isinstance(previous, AdamOptimizer):
            opt = _copy_state(previous, dtype)
            opt.learning_rate = self.learning_rate_init
            opt.beta_1, opt.beta_2, opt.epsilon = self.beta_1, self.beta_2, self.epsilon
            return opt
        return AdamOptimizer(
            coefs,
            intercepts,
            learning_rate=self.learning_rate_init,
            beta_1=self.beta_1,
            beta_2=self.beta_2,
            epsilon=self.epsilon,
        )

    # ----------------------------------------------------------- predicting
    def _logits(self, X):
        check_is_fitted(self)
        X = self._validate_input(X, reset=False)
        X = _cast(X, self._model_dtype())
        activation = "logistic" if self.activation == "sigmoid" else self.activation
        # an overflow is reported below, with its cause, not as NumPy's warning
        with np.errstate(over="ignore", invalid="ignore"):
            logits = core.predict_logits(self.coefs_, self.intercepts_, activation, X)
        bad = ~np.isfinite(logits).all(axis=1)
        if bad.any():
            peak = max(-float(np.min(X)), float(np.max(X)))
            raise DivergenceError(
                f"{type(self).__name__} computed NaN or infinite outputs for "
                f"{int(bad.sum())} of {len(X)} samples (X reaches {peak:.3g} in "
                "magnitude): X is far outside the scale the network was trained "
                "on, or its weights are broken. Scale X as the training data "
                "were scaled."
            )
        return logits

    def predict_proba(self, X):
        """Class probabilities of images or features.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or \
                (n_samples, height, width[, n_channels])
            Features or images like those seen in fit.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Probabilities in the order of ``classes_``; rows sum to one.
        """
        logits = self._logits(X)
        # finite logits of order 1e38 overflow in the shift by their maximum, to
        # -inf, whose exponential is the right 0
        with np.errstate(over="ignore"):
            return core.proba_from_logits(self.loss, logits)

    def predict_log_proba(self, X):
        """Logarithm of :meth:`predict_proba`.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or \
                (n_samples, height, width[, n_channels])
            Features or images like those seen in fit.

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
            Log-probabilities in the order of ``classes_``; ``-inf`` where a
            probability underflows to 0, as in scikit-learn.
        """
        logits = self._logits(X)
        with np.errstate(over="ignore"):
            return core.log_proba_from_logits(self.loss, logits)

    def predict(self, X):
        """Predict class labels.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or \
                (n_samples, height, width[, n_channels])
            Features or images like those seen in fit.

        Returns
        -------
        y : ndarray of shape (n_samples,)
            Predicted labels from ``classes_``.
        """
        # argmax of the probabilities, not of the logits: the two agree except
        # where saturated sigmoids tie, and predict must agree with predict_proba
        proba = self.predict_proba(X)
        return self.classes_[np.argmax(proba, axis=1)]


def _cast(X, dtype):
    """Cast ``X`` to the fitted dtype, refusing values that dtype cannot hold."""
    if X.dtype.itemsize > np.dtype(dtype).itemsize and X.size:
        peak = max(-float(np.min(X)), float(np.max(X)))
        if peak > float(np.finfo(dtype).max):
            raise ValueError(
                f"X has values up to {peak:.3g} in magnitude, beyond "
                f"{np.dtype(dtype)}, the dtype the network was fitted in; scale X "
                "as the training data were scaled."
            )
    return X.astype(dtype, copy=False)


def _copy_state(optimizer, dtype):
    import copy

    opt = copy.deepcopy(optimizer)
    return opt.astype(dtype)
