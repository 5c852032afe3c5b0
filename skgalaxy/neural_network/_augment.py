"""Batch augmentation and test-time augmentation in torch, on the batch's device.

The CNN estimators call :func:`augment_batch` on every training batch after it has
been moved to the compute device and converted to float, so on a GPU the random
flips, rotations, zoom and contrast cost one ``grid_sample`` per batch and no host
work. :func:`dihedral_transforms` lists the eight flips and quarter turns used for
test-time augmentation.
"""

import math

import torch
import torch.nn.functional as F

__all__ = [
    "AUGMENT_DEFAULTS",
    "augment_batch",
    "dihedral_transforms",
    "resolve_augment",
]

#: The augmentation of Hildebrandt's Galaxy Zoo network (Keras RandomFlip,
#: RandomRotation, RandomZoom(0.1), RandomContrast(0.05)). ``max_angle`` (degrees)
#: adds a small rotation on top of the quarter turns; the report used
#: RandomRotation(0.3), i.e. up to 108 degrees.
AUGMENT_DEFAULTS = {
    "flip": True,
    "rot90": True,
    "max_angle": 15.0,
    "zoom": 0.1,
    "contrast": 0.05,
}


def resolve_augment(augment):
    """Return the augmentation options for an ``augment`` parameter, or None.

    Parameters
    ----------
    augment : bool or dict or None
        False/None: no augmentation. True: :data:`AUGMENT_DEFAULTS`. A dict
        overrides some of the defaults, e.g. ``{"max_angle": 108}``.

    Returns
    -------
    options : dict or None

    Examples
    --------
    >>> from skgalaxy.neural_network._augment import resolve_augment
    >>> resolve_augment({"zoom": 0.0})["zoom"], resolve_augment(False)
    (0.0, None)
    """
    if augment is None or augment is False:
        return None
    if augment is True:
        return dict(AUGMENT_DEFAULTS)
    if isinstance(augment, dict):
        unknown = set(augment) - set(AUGMENT_DEFAULTS)
        if unknown:
            raise ValueError(
                f"Unknown augment option(s) {sorted(unknown)}; expected keys among "
                f"{sorted(AUGMENT_DEFAULTS)}."
            )
        for key in ("max_angle", "zoom", "contrast"):
            if key in augment and not 0 <= float(augment[key]) < 1e6:
                raise ValueError(f"augment[{key!r}] must be >= 0, got {augment[key]}.")
        if float(augment.get("zoom", 0)) >= 1 or float(augment.get("contrast", 0)) >= 1:
            raise ValueError("augment 'zoom' and 'contrast' must be in [0, 1).")
        return {**AUGMENT_DEFAULTS, **augment}
    raise TypeError(f"augment must be a bool or a dict of options, got {augment!r}.")


def _uniform(n, low, high, like):
    return torch.rand(n, device=like.device, dtype=torch.float32) * (high - low) + low


def augment_batch(x, options):
    """Randomly flip, rotate, zoom and change the contrast of each image of a batch.

    Draws from torch's default generator of ``x``'s device (the estimators seed it
    inside ``fit`` from ``random_state``).

    Parameters
    ----------
    x : torch.Tensor of shape (n, channels, height, width)
        Float images on any device.
    options : dict
        As returned by :func:`resolve_augment`.

    Returns
    -------
    x_aug : torch.Tensor
        A new tensor of the same shape, dtype and device.

    Examples
    --------
    >>> import torch
    >>> from skgalaxy.neural_network._augment import augment_batch, resolve_augment
    >>> x = torch.rand(4, 1, 16, 16)
    >>> augment_batch(x, resolve_augment(True)).shape
    torch.Size([4, 1, 16, 16])
    """
    n, _, h, w = x.shape
    dev = x.device
    angle = torch.zeros(n, device=dev)
    if options["rot90"] and h == w:
        angle = angle + torch.randint(0, 4, (n,), device=dev).float() * (math.pi / 2)
    if options["max_angle"]:
        a = math.radians(float(options["max_angle"]))
        angle = angle + _uniform(n, -a, a, x)
    scale = torch.ones(n, device=dev)
    if options["zoom"]:
        z = float(options["zoom"])
        scale = _uniform(n, 1 - z, 1 + z, x)
    sx = torch.ones(n, device=dev)
    sy = torch.ones(n, device=dev)
    if options["flip"]:
        sx = torch.where(torch.rand(n, device=dev) < 0.5, -sx, sx)
        sy = torch.where(torch.rand(n, device=dev) < 0.5, -sy, sy)
    out = x
    if options["rot90"] or options["max_angle"] or options["zoom"] or options["flip"]:
        # Output pixel p_out samples the input at A @ p_out (pixel units, centred):
        # A = R(angle) * scale * diag(sx, sy); in grid_sample's normalised
        # coordinates this is D^-1 A D with D = diag(w, h), so non-square images
        # rotate without shear.
        cos, sin = torch.cos(angle) * scale, torch.sin(angle) * scale
        theta = torch.zeros(n, 2, 3, device=dev)
        theta[:, 0, 0] = cos * sx
        theta[:, 0, 1] = -sin * sy * (h / w)
        theta[:, 1, 0] = sin * sx * (w / h)
        theta[:, 1, 1] = cos * sy
        grid = F.affine_grid(theta.to(x.dtype), list(x.shape), align_corners=False)
        out = F.grid_sample(
            x, grid, mode="bilinear", padding_mode="reflection", align_corners=False
        )
    if options["contrast"]:
        c = float(options["contrast"])
        factor = _uniform(n, 1 - c, 1 + c, x).to(x.dtype).view(n, 1, 1, 1)
        mean = out.mean(dim=(2, 3), keepdim=True)
        out = (out - mean) * factor + mean
    return out


def dihedral_transforms(square=True):
    """Return the flips and quarter turns used for test-time augmentation.

    Parameters
    ----------
    square : bool, default=True
        True: the eight elements of the dihedral group (identity, three quarter
        turns, four reflections). False (non-square images): the four that keep the
        shape (identity, two flips, half turn).

    Returns
    -------
    transforms : list of callable
        Each maps a ``(n, c, h, w)`` tensor to a transformed tensor.

    Examples
    --------
    >>> import torch
    >>> from skgalaxy.neural_network._augment import dihedral_transforms
    >>> x = torch.arange(4.0).view(1, 1, 2, 2)
    >>> len({tuple(t(x).flatten().tolist()) for t in dihedral_transforms()})
    8
    """
    ops = [
        lambda x: x,
        lambda x: torch.flip(x, (-1,)),
        lambda x: torch.flip(x, (-2,)),
        lambda x: torch.flip(x, (-2, -1)),
    ]
    if square:
        ops += [
            lambda x: x.transpose(-1, -2),
            lambda x: torch.rot90(x, 1, (-2, -1)),
            lambda x: torch.rot90(x, -1, (-2, -1)),
            lambda x: torch.flip(x, (-2, -1)).transpose(-1, -2),
        ]
    return ops
