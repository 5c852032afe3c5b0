"""What a stored CNN configuration may hold: one rule per parameter.

The safe format stores a CNN estimator's parameters as data, and loads a network
from data only. Every parameter in a file must have a rule in :data:`RULES` (or
be a ``module__*``, ``criterion__*``, ``optimizer__*`` or ``iterator_*__*``
argument of the classes the file names), and its value must pass the rule, before
anything is looked up, imported, created or built. So a file can describe a
network, but never name code to run (callbacks), places to read or write
(checkpoints, pretrained weights) or options that make torch unpickle
(``torch_load_kwargs``). :func:`storable_params` applies the same rules when
saving, so that ``save`` never writes a file that ``load`` refuses.

The parameters that need a rule are those of the estimators' ``__init__``
signatures (skorch's included): a new plain-data parameter of the CNN estimators
needs one line in :data:`RULES`, and the tests fail until it has one.
"""

import inspect
import math
import re
from numbers import Integral, Real

import numpy as np

from ._codec import Ref, Spec, decode, encode, is_plain
from ._errors import PersistenceError, UntrustedTypesError
from ._limits import MAX_ITEMS, MAX_SIZE
from ._registry import lookup, name_of

__all__ = ["RULES", "check_params", "net_class", "parameter_names", "storable_params"]


class _Refused(Exception):
    """A parameter that a rule refuses (the callers say whether saving or loading)."""

    def __init__(self, key, reason, error=PersistenceError):
        super().__init__(f"{key}: {reason}")
        self.key = key
        self.reason = reason
        self.error = error  # UntrustedTypesError for a name the user may trust


# ------------------------------------------------------------------- predicates
def _none(v):
    return v is None


def _bool(v):
    return isinstance(v, bool)


def _int(lo, hi):
    return lambda v: (
        isinstance(v, Integral) and not isinstance(v, bool) and lo <= v <= hi
    )


def _real(lo=-math.inf, hi=math.inf, *, low_open=False):
    def test(v):
        return (
            isinstance(v, Real)
            and not isinstance(v, bool)
            and math.isfinite(v)
            and (lo < v if low_open else lo <= v)
            and v <= hi
        )

    return test


def _one_of(*values):
    return lambda v: isinstance(v, (str, bool, type(None))) and v in values


def _str(v):
    return isinstance(v, str)


def _scalar(v):
    return v is None or isinstance(v, (bool, str)) or _real()(v)


def _labels(v):
    """Class labels as a list, tuple or 1-D array of scalars."""
    if isinstance(v, np.ndarray):
        return v.ndim == 1 and v.size <= MAX_ITEMS
    return isinstance(v, (list, tuple)) and all(_scalar(x) for x in v)


def _class_weights(v):
    return isinstance(v, dict) and all(_scalar(k) and _real(0)(w) for k, w in v.items())


def _augment_options(v):
    from skgalaxy.neural_network._augment import AUGMENT_DEFAULTS

    return isinstance(v, dict) and all(
        k in AUGMENT_DEFAULTS and (_bool(x) or _real()(x)) for k, x in v.items()
    )


_DEVICE = re.compile(r"auto|cpu|mps|(cuda|xpu)(:\d{1,2})?")


def _device(v):
    return isinstance(v, str) and _DEVICE.fullmatch(v) is not None


def _sizes(v):
    """Check data whose numbers may size a network: ints bounded by ``MAX_SIZE``."""
    if isinstance(v, (list, tuple)):
        return len(v) <= MAX_ITEMS and all(_sizes(x) for x in v)
    if isinstance(v, dict):
        return all(_sizes(x) for x in v.values())
    if isinstance(v, Integral) and not isinstance(v, bool):
        return abs(v) <= MAX_SIZE
    if isinstance(v, np.ndarray):
        return v.size <= MAX_ITEMS and bool(np.all(np.abs(v) <= MAX_SIZE))
    return v is None or isinstance(v, (bool, str)) or _real()(v)


def _finite_data(v):
    """Plain data without non-finite numbers or huge ints."""
    if isinstance(v, (list, tuple)):
        return all(_finite_data(x) for x in v)
    if isinstance(v, dict):
        return all(_finite_data(x) for x in v.values())
    if isinstance(v, np.ndarray):
        return bool(np.all(np.isfinite(v)))
    if isinstance(v, Integral) and not isinstance(v, bool):
        return abs(v) <= 2**63
    return v is None or isinstance(v, (bool, str)) or _real()(v)


# ------------------------------------------------------------------------ rules
class Data:
    """A parameter whose value is plain data passing one of ``tests``."""

    refs = False
    never = False

    def __init__(self, expected, *tests, refused=None):
        self.expected = expected
        self.tests = tests
        # why a value outside the rule is refused (saving says it to the user)
        self.refused = refused

    def check(self, value):
        if not (is_plain(value) and any(test(value) for test in self.tests)):
            raise ValueError(self.refused or f"expected {self.expected}")

    def resolve(self, value, trusted):
        return value


class Never(Data):
    """A parameter that is never stored: saving resets it to ``default``.

    Files written before the rule existed hold it at its default, which loading
    accepts; any other value is refused.
    """

    never = True

    def __init__(self, default, why):
        super().__init__(
            repr(default), lambda v: v == default and type(v) is type(default)
        )
        self.default = default
        self.why = why

    def check(self, value):
        if not (is_plain(value) and any(test(value) for test in self.tests)):
            raise ValueError(f"never stored ({self.why}); expected {self.expected}")


def _torch_base(name):
    import torch

    return {
        "module": torch.nn.Module,
        "optimizer": torch.optim.Optimizer,
    }[name]


class ClassRef(Data):
    """A registered class: a subclass of ``base``, or one of ``exact`` only."""

    refs = True

    def __init__(self, expected, base=None, exact=None):
        super().__init__(expected)
        self.base = base
        self.exact = exact

    def check(self, value):
        if not isinstance(value, Ref):
            raise ValueError(f"expected {self.expected}")

    def resolve(self, value, trusted):
        if self.exact is not None:
            allowed = {name_of(cls): cls for cls in self.exact()}
            if value.name not in allowed:
                raise ValueError(f"expected {self.expected}, got {value.name!r}")
            return allowed[value.name]
        cls = lookup(value.name, trusted)
        if not (inspect.isclass(cls) and issubclass(cls, _torch_base(self.base))):
            raise ValueError(f"expected {self.expected}, got {value.name!r}")
        return cls


class Module(ClassRef):
    """The network: a preset name, or a registered ``nn.Module`` class."""

    def __init__(self):
        super().__init__("a preset name or a registered nn.Module class", "module")

    def check(self, value):
        if isinstance(value, str):
            from skgalaxy.neural_network._modules import PRESETS

            if value.lower() not in PRESETS:
                raise ValueError(f"expected one of the presets {sorted(PRESETS)}")
            return
        super().check(value)

    def resolve(self, value, trusted):
        return value if isinstance(value, str) else super().resolve(value, trusted)


_SPLIT_PARAMS = {
    "cv": Data(
        "an int >= 2 or a fraction", _int(2, MAX_SIZE), _real(0, 1, low_open=True)
    ),
    "stratified": Data("a bool", _bool),
    "random_state": Data("None or an int", _none, _int(0, 2**32 - 1)),
}


def _valid_split():
    from skorch.dataset import ValidSplit

    return ValidSplit


class Split(Data):
    """``train_split``: None or skorch's ``ValidSplit``, by its arguments."""

    refs = True

    def __init__(self):
        super().__init__("None or a skorch.dataset.ValidSplit")

    def check(self, value):
        if value is None:
            return
        if not (
            isinstance(value, Spec)
            and value.name == "skorch.dataset.ValidSplit"
            and set(value.params) <= set(_SPLIT_PARAMS)
        ):
            raise ValueError(
                "expected None or a skorch.dataset.ValidSplit (other splitters "
                "cannot be stored; set train_split before saving, or use joblib)"
            )
        for key, param in value.params.items():
            try:
                _SPLIT_PARAMS[key].check(param)
            except ValueError as exc:
                raise ValueError(f"ValidSplit({key}={param!r}): {exc}") from None

    def resolve(self, value, trusted):
        return None if value is None else _valid_split()(**value.params)


def _data_loader():
    import torch.utils.data

    return [torch.utils.data.DataLoader]


def _skorch_dataset():
    import skorch.dataset

    return [skorch.dataset.Dataset]


_NOT_STORED = (
    "save with joblib instead (only for files you trust: loading a pickle runs "
    "arbitrary code)"
)

#: The rule of each parameter of the CNN estimators (and skorch's own).
RULES = {
    # skgalaxy's CNN estimators
    "module": Module(),
    "criterion": ClassRef("a registered torch.nn loss class", "module"),
    "optimizer": ClassRef("a registered torch.optim optimizer class", "optimizer"),
    "lr": Data("a finite real >= 0", _real(0)),
    "weight_decay": Data("None or a finite real >= 0", _none, _real(0)),
    "max_epochs": Data("an int in [0, 10**6]", _int(0, 10**6)),
    "batch_size": Data("-1 or an int in [1, 2**24]", _int(-1, -1), _int(1, 2**24)),
    "train_split": Split(),
    "output": Data("a head name", _str),
    "class_weight": Data(
        "None, 'balanced' or a dict of weights",
        _none,
        _one_of("balanced"),
        _class_weights,
    ),
    "classes": Data("None or a list of labels", _none, _labels),
    "label_smoothing": Data("a real in [0, 1]", _real(0, 1)),
    "augment": Data("a bool or a dict of augment options", _bool, _augment_options),
    "tta": Data("a bool", _bool),
    "early_stopping": Data("None or an int in [1, 10**6]", _none, _int(1, 10**6)),
    "lr_schedule": Data("None or a schedule name", _none, _str),
    "clip_grad_norm": Data("None or a finite real > 0", _none, _real(0, low_open=True)),
    "mixed_precision": Data("a bool or 'auto', 'bf16', 'fp16'", _bool, _str),
    "device": Data(
        "None or a device name ('auto', 'cpu', 'cuda:0', ...)", _none, _device
    ),
    "random_state": Data("None or an int in [0, 2**32 - 1]", _none, _int(0, 2**32 - 1)),
    "verbose": Data("a bool or an int in [0, 100]", _bool, _int(0, 100)),
    "checkpoint": Never(
        None, "a checkpoint folder is a place on the machine that trained the model"
    ),
    "pretrained": Never(None, "the weights are stored, never where they came from"),
    "freeze": Never(
        "none", "it belongs with the pretrained weights, which are not stored"
    ),
    # skorch's NeuralNet parameters
    "iterator_train": ClassRef("torch's DataLoader", exact=_data_loader),
    "iterator_valid": ClassRef("torch's DataLoader", exact=_data_loader),
    "dataset": ClassRef("skorch's Dataset", exact=_skorch_dataset),
    "callbacks": Data(
        "None or 'disable'",
        _one_of(None, "disable"),
        refused=(
            "callbacks are code, which the safe format never stores (the "
            "estimator's own callbacks come from its parameters); set "
            f"callbacks=None before saving, or {_NOT_STORED}"
        ),
    ),
    "predict_nonlinearity": Data("'auto' or None", _one_of("auto", None)),
    "warm_start": Data("a bool", _bool),
    "compile": Data("a bool", _bool),
    "use_caching": Data("'auto' or a bool", _one_of("auto", True, False)),
    "torch_load_kwargs": Never(None, "torch.load options can make torch unpickle"),
}

# Keyword arguments passed on to a part of the network: ``<prefix>__<name>``.
# The names must be arguments of the class that the parameter ``<prefix>`` names.
_SIZES = Data("data whose ints are at most 2**16", _sizes)
_KWARGS = Data("plain data", _finite_data)
_LOADER_KWARGS = {
    "batch_size": Data("None or an int in [1, 2**24]", _none, _int(1, 2**24)),
    "shuffle": Data("None or a bool", _none, _bool),
    "num_workers": Data("an int in [0, 256]", _int(0, 256)),
    "pin_memory": Data("a bool", _bool),
    "drop_last": Data("a bool", _bool),
    "timeout": Data("a finite real >= 0", _real(0)),
    "prefetch_factor": Data("None or an int in [1, 2**16]", _none, _int(1, MAX_SIZE)),
    "persistent_workers": Data("a bool", _bool),
    "pin_memory_device": Data("a device name", _str),
    "in_order": Data("a bool", _bool),
}
_PREFIXES = ("module", "criterion", "optimizer", "iterator_train", "iterator_valid")


# ------------------------------------------------------------------ the checks
def parameter_names(cls):
    """Return the constructor parameters of the net class ``cls``, skorch's too."""
    names = {}
    for klass in reversed(cls.__mro__):
        init = vars(klass).get("__init__")
        if init is None:
            continue
        for p in inspect.signature(init).parameters.values():
            if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY) and p.name != "self":
                names[p.name] = p.default
    return names


def net_class(name):
    """Return the CNN estimator class stored as ``name``, if it may be loaded."""
    import skorch

    try:
        cls = lookup(name, ())  # the registry only: never imports what a file names
    except UntrustedTypesError:
        cls = None
    if not (inspect.isclass(cls) and issubclass(cls, skorch.NeuralNet)):
        raise PersistenceError(
            f"the network class {name[:80]!r} is not a registered CNN estimator "
            "(a class of your own must be registered with "
            "skgalaxy.persistence.register before saving and loading)."
        )
    return cls


def _rule(cls, key, names):
    if key in names:
        if key not in RULES:
            raise _Refused(
                key,
                f"{cls.__name__}'s parameter has no rule in skgalaxy.persistence "
                "(RULES in skgalaxy/persistence/_netparams.py), so the safe format "
                f"cannot store it; {_NOT_STORED}",
            )
        return RULES[key]
    if key in RULES and RULES[key].never:
        return RULES[key]  # never stored, whether or not this version has it
    prefix, sep, rest = key.partition("__")
    if sep and rest and prefix in _PREFIXES:
        return prefix
    if sep and prefix in ("callbacks", "dataset"):
        raise _Refused(key, f"settings of {prefix} are not data; {_NOT_STORED}")
    raise _Refused(key, f"{cls.__name__} has no such parameter")


def _accepts(target, name):
    """Whether calling ``target`` accepts the keyword argument ``name``."""
    try:
        parameters = inspect.signature(target).parameters
    except (TypeError, ValueError):
        return False
    if name in parameters:
        return parameters[name].kind in (
            inspect.Parameter.POSITIONAL_OR_KEYWORD,
            inspect.Parameter.KEYWORD_ONLY,
        )
    return any(p.kind == p.VAR_KEYWORD for p in parameters.values())


def _module_class(module):
    if isinstance(module, str):
        from skgalaxy.neural_network._modules import PRESETS

        return PRESETS[module.lower()]
    return module


def check_params(cls, encoded, trusted=()):
    """Decode the parameters of a ``cls`` net, every rule checked.

    Three passes, so that a file is refused before anything is looked up: first
    every key and value as data; then the classes the file names (the registry
    only, or ``trusted``); then the ``<part>__<name>`` arguments against those
    classes and every value against the estimator's own constraints.

    Raises
    ------
    PersistenceError
        Naming the first refused parameter.
    """
    try:
        return _check_params(cls, encoded, trusted)
    except _Refused as exc:
        raise exc.error(f"the parameter {exc}") from None


def _check_params(cls, encoded, trusted):
    if not isinstance(encoded, dict):
        raise _Refused("params", "expected a dict")
    names = parameter_names(cls)
    decoded = {}
    for key, raw in encoded.items():
        rule = _rule(cls, key, names)
        try:
            if isinstance(rule, str):  # <part>__<name>
                value = decode(raw, key, refs=rule == "module")
                (_KWARGS if rule != "module" else _module_kwarg_rule(value)).check(
                    value
                )
                if rule.startswith("iterator"):
                    name = key.partition("__")[2]
                    if name not in _LOADER_KWARGS:
                        raise ValueError(
                            f"the data loader's {name!r} is not data; expected "
                            f"one of {sorted(_LOADER_KWARGS)}"
                        )
                    _LOADER_KWARGS[name].check(value)
            else:
                value = decode(raw, key, refs=rule.refs)
                rule.check(value)
        except (ValueError, PersistenceError) as exc:
            raise _Refused(f"{key}={_show(raw)}", str(exc)) from None
        decoded[key] = (rule, value)

    params = {}
    for key, (rule, value) in decoded.items():
        if isinstance(rule, str) or rule.never:
            continue
        try:
            params[key] = rule.resolve(value, trusted)
        except ValueError as exc:
            raise _Refused(
                f"{key}={_show(encoded[key])}", str(exc), type(exc)
            ) from None

    parts = {prefix: params.get(prefix, names.get(prefix)) for prefix in _PREFIXES}
    parts["module"] = _module_class(parts["module"])
    for key, (rule, value) in decoded.items():
        if not isinstance(rule, str):
            continue
        name = key.partition("__")[2]
        target = parts[rule]
        if rule == "optimizer" and name == "param_groups":
            pass  # skorch's own argument: (pattern, options) pairs
        elif not rule.startswith("iterator") and not _accepts(target, name):
            raise _Refused(
                key, f"{getattr(target, '__name__', target)} takes no argument {name!r}"
            )
        if isinstance(value, Ref):
            try:
                value = _MODULE_CLASS.resolve(value, trusted)
            except ValueError as exc:
                raise _Refused(
                    f"{key}={_show(encoded[key])}", str(exc), type(exc)
                ) from None
        params[key] = value

    _check_constraints(cls, params)
    return params


_MODULE_CLASS = ClassRef("a registered nn.Module class", "module")


def _module_kwarg_rule(value):
    """Return the rule of a ``module__*`` value: sizes, or an nn.Module class."""
    return _MODULE_CLASS if isinstance(value, Ref) else _SIZES


def _check_constraints(cls, params):
    """Check the estimator's own parameter constraints (those fit checks)."""
    constraints = getattr(cls, "_parameter_constraints", None)
    if not constraints:
        return
    from sklearn.utils._param_validation import (
        InvalidParameterError,
        validate_parameter_constraints,
    )

    for key in params.keys() & constraints.keys():
        try:
            validate_parameter_constraints(
                {key: constraints[key]}, {key: params[key]}, caller_name=cls.__name__
            )
        except InvalidParameterError as exc:
            raise _Refused(f"{key}={params[key]!r}", str(exc)) from None


def _show(raw, limit=80):
    text = repr(raw)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def storable_params(net, trusted=()):
    """Encode the parameters of ``net`` to store; the never-stored ones left out.

    Raises
    ------
    PersistenceError
        If a parameter cannot be stored (callbacks, objects that are not data),
        naming it and what to do instead.
    """
    cls = type(net)
    names = parameter_names(cls)
    encoded = {}
    for key, value in net.get_params(deep=False).items():
        if key.startswith("_"):
            continue
        try:
            rule = _rule(cls, key, names)
        except _Refused as exc:
            raise _save_error(cls, exc) from None
        if not isinstance(rule, str):
            if rule.never:
                continue
            if rule.refused is not None and not _is_data_value(value, rule):
                raise _save_error(cls, _Refused(f"{key}={value!r}", rule.refused))
        if key == "device" and not isinstance(value, (str, type(None))):
            value = str(value)  # a torch.device
        encoded[key] = encode(value, key)
    try:
        # the checks load makes: save writes nothing that load would refuse
        _check_params(cls, encoded, trusted)
    except _Refused as exc:
        raise _save_error(cls, exc) from None
    return encoded


def _is_data_value(value, rule):
    try:
        rule.check(value)
    except ValueError:
        return False
    return True


def _save_error(cls, exc):
    message = f"Cannot save this {cls.__name__} in the safe format: {exc.key}: "
    message += exc.reason
    if _NOT_STORED not in exc.reason:
        message += f"; change it before saving, or {_NOT_STORED}"
    return exc.error(message + ".")
