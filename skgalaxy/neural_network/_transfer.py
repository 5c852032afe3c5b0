"""Transfer learning: start a network from pretrained weights, and freeze parts of it.

A CNN estimator's ``pretrained=`` names where the weights come from (a fitted CNN
estimator, an ``nn.Module``, a saved model file, an encoder file in safetensors
format, or the name of an encoder shipped with skgalaxy); :func:`backbone_state`
turns any of them into a state dict, and :func:`load_backbone` copies it into a
new network, every layer but the head (a new task gets a new head). ``freeze=``
says what does not train: :func:`frozen_modules` lists those parts.
"""

import numbers
from collections.abc import Mapping
from pathlib import Path

import torch
from torch import nn

__all__ = [
    "ENCODERS",
    "backbone_state",
    "blocks",
    "freeze_parameters",
    "frozen_modules",
    "head_name",
    "load_backbone",
]

#: Encoders shipped with skgalaxy, by name: file in ``neural_network/encoders/``.
#: ``"synthetic-sdss"``: the default ResNet's backbone (3-channel images) trained
#: only on ``make_galaxies(survey="sdss")`` galaxies by
#: ``scripts/make_synthetic_encoder.py``.
ENCODERS = {"synthetic-sdss": "synthetic-sdss.safetensors"}
_ENCODER_DIR = Path(__file__).parent / "encoders"


def head_name(module):
    """Return the name of the module's output layer (its last ``nn.Linear``).

    Parameters
    ----------
    module : nn.Module
        A network.

    Returns
    -------
    name : str or None
        The qualified name, e.g. ``"head"``, or None without a linear layer.

    Examples
    --------
    >>> from skgalaxy.neural_network import ResNet
    >>> from skgalaxy.neural_network._transfer import head_name
    >>> head_name(ResNet())
    'head'
    """
    names = [n for n, m in module.named_modules() if isinstance(m, nn.Linear)]
    return names[-1] if names else None


def _is_head_key(key, head):
    return head is not None and (key == head or key.startswith(head + "."))


def _describe(pretrained):
    if isinstance(pretrained, (str, Path)):
        return repr(str(pretrained))
    return type(pretrained).__name__


def backbone_state(pretrained):
    """Return the state dict that ``pretrained`` names (CPU tensors, every layer).

    Parameters
    ----------
    pretrained : CNN estimator, nn.Module, dict, str or path-like
        A fitted ``CNNClassifier``/``CNNRegressor`` (or a Pipeline ending in
        one), an ``nn.Module`` or its ``state_dict()``, a model file written by
        :func:`skgalaxy.persistence.save`, an encoder file (``.safetensors``) or
        the name of a shipped encoder (:data:`ENCODERS`).

    Returns
    -------
    state : dict of str to torch.Tensor
        The weights and buffers.

    Examples
    --------
    >>> from skgalaxy.neural_network import ResNet
    >>> from skgalaxy.neural_network._transfer import backbone_state
    >>> sorted(backbone_state(ResNet(width=4)))[:2]
    ['features.0.bn1.bias', 'features.0.bn1.num_batches_tracked']
    """
    if isinstance(pretrained, nn.Module):
        return backbone_state(pretrained.state_dict())
    if isinstance(pretrained, Mapping) and all(
        isinstance(v, torch.Tensor) for v in pretrained.values()
    ):
        return {str(k): v.detach().cpu() for k, v in pretrained.items()}
    if hasattr(pretrained, "steps"):  # a Pipeline: its final step holds the network
        pretrained = pretrained.steps[-1][1]
    if hasattr(pretrained, "get_params") and hasattr(pretrained, "module"):
        module = getattr(pretrained, "module_", None)
        if not isinstance(module, nn.Module):
            raise ValueError(
                f"pretrained={type(pretrained).__name__}(...) is not fitted. Pass a "
                "fitted estimator; inside GridSearchCV (which clones estimator "
                "parameters, dropping their weights) pass pretrained=est.module_ or "
                "a file written by skgalaxy.persistence.save."
            )
        return backbone_state(module)
    if isinstance(pretrained, (str, Path)):
        return _state_from_file(pretrained)
    raise TypeError(
        "pretrained must be a fitted CNN estimator, an nn.Module or its state "
        "dict, a model or "
        f"encoder file, or the name of a shipped encoder {sorted(ENCODERS)}; got "
        f"{type(pretrained).__name__}."
    )


def _state_from_file(name):
    path = Path(name)
    if str(name) in ENCODERS:
        path = _ENCODER_DIR / ENCODERS[str(name)]
    elif not path.exists():
        shipped = f"; shipped encoders: {sorted(ENCODERS)}" if ENCODERS else ""
        raise FileNotFoundError(
            f"pretrained={str(name)!r} is neither a file nor the name of a shipped "
            f"encoder{shipped}."
        )
    if path.suffix == ".safetensors":
        from ..utils._optional import import_optional

        import_optional("safetensors", extra="safe", feature="reading encoder files")
        from safetensors import SafetensorError
        from safetensors.torch import load_file

        try:
            return load_file(str(path))
        except (SafetensorError, OSError, ValueError) as exc:
            raise ValueError(
                f"pretrained={str(name)!r} is not a readable safetensors file: {exc}"
            ) from None
    # a model file: skgalaxy.persistence reads it (safely: no unpickling)
    from ..persistence import load

    return backbone_state(load(path))


def load_backbone(module, state, *, source="pretrained"):
    """Copy every layer of ``state`` but the head into ``module``.

    Parameters
    ----------
    module : nn.Module
        The new network, built for the data at hand.
    state : dict of str to torch.Tensor
        Weights of a network of the same architecture (see :func:`backbone_state`).
    source : str, default="pretrained"
        How the weights are named in error messages.

    Returns
    -------
    loaded : list of str
        The state-dict keys copied.

    Raises
    ------
    ValueError
        If ``state`` is another architecture, or its layers differ in shape
        (other channels, another width).
    """
    head = head_name(module)
    own = {k: v for k, v in module.state_dict().items() if not _is_head_key(k, head)}
    theirs = {k: v for k, v in state.items() if not _is_head_key(k, head)}
    missing = sorted(set(own) - set(theirs))
    unexpected = sorted(set(theirs) - set(own))
    if missing or unexpected:
        raise ValueError(
            f"{source} holds another architecture than {type(module).__name__}: "
            f"missing {missing[:3]}, unexpected {unexpected[:3]}. Build the new "
            "estimator with the same module and module__* parameters."
        )
    for key, value in own.items():
        if tuple(theirs[key].shape) != tuple(value.shape):
            hint = ""
            if key.endswith("weight") and theirs[key].ndim == 4 and value.ndim == 4:
                if theirs[key].shape[1] != value.shape[1]:
                    hint = (
                        f" (it was trained on {theirs[key].shape[1]}-channel images, "
                        f"these have {value.shape[1]})"
                    )
            raise ValueError(
                f"{source} does not fit {type(module).__name__}: {key} has shape "
                f"{tuple(theirs[key].shape)} there, {tuple(value.shape)} here{hint}."
            )
    module.load_state_dict({**module.state_dict(), **theirs})
    return list(theirs)


def blocks(module):
    """Return the network's trainable units in input-to-output order, head excluded.

    A module that defines ``blocks()`` says itself (:class:`ResNet`: the stem and
    each residual block); otherwise the layers with parameters, in order.

    Parameters
    ----------
    module : nn.Module
        A network.

    Returns
    -------
    blocks : list of nn.Module
    """
    if hasattr(module, "blocks"):
        return list(module.blocks())
    head = head_name(module)
    units = []
    for name, child in module.named_modules():
        if child is module or _is_head_key(name, head):
            continue
        if any(True for _ in child.parameters(recurse=False)):
            units.append(child)
    return units


def frozen_modules(module, freeze):
    """Return the parts of ``module`` that ``freeze`` keeps from training.

    Parameters
    ----------
    module : nn.Module
        A network.
    freeze : "none", "backbone" or int
        ``"none"``: everything trains. ``"backbone"``: only the head trains.
        An int ``k``: the last ``k`` blocks (see :func:`blocks`) and the head
        train, the blocks before them are frozen.

    Returns
    -------
    frozen : list of nn.Module
    """
    if freeze == "none":
        return []
    units = blocks(module)
    if freeze == "backbone":
        return units
    if isinstance(freeze, numbers.Integral) and not isinstance(freeze, bool):
        if not 0 <= freeze <= len(units):
            raise ValueError(
                f"freeze={freeze}: the network has {len(units)} blocks before its "
                f"head; give 0 to {len(units)} trailing blocks to train."
            )
        return units[: len(units) - freeze]
    raise ValueError(
        f"freeze must be 'none', 'backbone' or the number of trailing blocks that "
        f"train; got {freeze!r}."
    )


def freeze_parameters(parts):
    """Stop gradients in ``parts``: their parameters do not train.

    Parameters
    ----------
    parts : list of nn.Module
        As returned by :func:`frozen_modules`.
    """
    for part in parts:
        for param in part.parameters():
            param.requires_grad_(False)
