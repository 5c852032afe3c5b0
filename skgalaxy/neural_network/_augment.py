"""Batch augmentation and the dihedral views, in torch, on the batch's device.

The CNN estimators call :func:`augment_batch` on every training batch after it has
been moved to the compute device and converted to float, so on a GPU the random
flips, rotations, zoom, shifts and contrast cost one ``grid_sample`` per batch and
no host work. :func:`dihedral_views` gives the eight flips and quarter turns of the
square, used for test-time augmentation and by the rotation-pooled network.

Which transforms are physically valid for galaxies: a galaxy seen from Earth has no
preferred orientation on the sky, so rotations by any angle, the flips, small
changes of scale (distance) and of position (imperfect centring) and small changes
of contrast (sky, exposure) all give images of the same class. Flips are the one
exception for tasks that label handedness (clockwise versus anticlockwise spiral
arms): a flip turns one into the other, so such tasks set ``flip=False``.
"""

import math

import torch
import torch.nn.functional as F

__all__ = [
    "AUGMENT_DEFAULTS",
    "augment_batch",
    "dihedral_views",
    "resolve_augment",
]

#: The default augmentation: the flips and quarter turns of the square, a small
#: extra rotation (``max_angle`` degrees), zoom (a scale factor in
#: ``1 +- zoom``), shift (up to ``shift`` of the image size) and contrast (``1 +-
#: contrast``), the kind of augmentation of Hildebrandt's Galaxy Zoo network
#: (Keras RandomFlip, RandomRotation, RandomZoom(0.1), RandomContrast(0.05)).
AUGMENT_DEFAULTS = {
    "flip": True,
    "rot90": True,
    "max_angle": 15.0,
    "zoom": 0.1,
    "shift": 0.05,
    "contrast": 0.05,
}
_FRACTIONS = ("zoom", "shift", "contrast")


def resolve_augment(augment):
    """Return the augmentation options for an ``augment`` parameter, or None.

    Parameters
    ----------
    augment : bool or dict or None
        False/None: no augmentation. True: :data:`AUGMENT_DEFAULTS`. A dict
        overrides some of the defaults, e.g. ``{"flip": False}`` for tasks that
        label the handedness of spiral arms.

    Returns
    -------
    options : dict or None
        The options, or None for no augmentation.

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
        for key in ("max_angle", *_FRACTIONS):
            if key in augment and not 0 <= float(augment[key]) < 1e6:
                raise ValueError(f"augment[{key!r}] must be >= 0, got {augment[key]}.")
        for key in _FRACTIONS:
            if float(augment.get(key, 0)) >= 1:
                raise ValueError(
                    f"augment[{key!r}] must be in [0, 1), got {augment[key]}."
                )
        return {**AUGMENT_DEFAULTS, **augment}
    raise TypeError(f"augment must be a bool or a dict of options, got {augment!r}.")


def _uniform(n, low, high, like):
    return torch.rand(n, device=like.device, dtype=torch.float32) * (high - low) + low


def _random_dihedral(x, flip, rot90):
    """Each image through a random element of the group the options allow.

    Exact (no interpolation): a transpose and two flips, each chosen per image.
    With flips and quarter turns that is the whole group of the square (eight
    elements); quarter turns alone are the four rotations (a transpose followed by
    a flip is a quarter turn); flips alone the four of the rectangle.
    """
    n = x.shape[0]
    draw = torch.rand(3, n, device=x.device) < 0.5
    keep = draw.view(3, n, 1, 1, 1)
    if rot90 and x.shape[-1] == x.shape[-2]:
        x = torch.where(keep[0], x.transpose(-1, -2), x)
        if not flip:  # a transpose alone is a reflection: make it a quarter turn
            x = torch.where(keep[0], x.flip(-1), x)
            half = keep[1]  # and a half turn (both flips) for the other two
            return torch.where(half, x.flip(-2, -1), x)
    if flip:
        x = torch.where(keep[1], x.flip(-1), x)
        x = torch.where(keep[2], x.flip(-2), x)
    elif rot90:  # rectangular images, rotations only: the half turn
        x = torch.where(keep[1], x.flip(-2, -1), x)
    return x


def augment_batch(x, options):
    """Randomly flip, rotate, zoom, shift and change the contrast of a batch.

    Draws from torch's default generator of ``x``'s device (the estimators seed it
    inside ``fit`` from ``random_state``). Quarter turns and flips are exact; the
    small rotation, zoom and shift are one bilinear ``grid_sample`` with
    reflected borders.

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
    out = x
    if options["flip"] or options["rot90"]:
        out = _random_dihedral(out, options["flip"], options["rot90"])
    angle = float(options["max_angle"])
    zoom = float(options["zoom"])
    shift = float(options["shift"])
    if angle or zoom or shift:
        # Output pixel p_out samples the input at A @ p_out + t (pixel units,
        # centred): A = R(angle) * scale; in grid_sample's normalised coordinates
        # this is D^-1 A D with D = diag(w, h), so non-square images rotate
        # without shear, and a shift of s image sizes is 2 s.
        a = _uniform(n, -1, 1, x) * math.radians(angle)
        scale = _uniform(n, 1 - zoom, 1 + zoom, x)
        cos, sin = torch.cos(a) * scale, torch.sin(a) * scale
        theta = torch.zeros(n, 2, 3, device=x.device)
        theta[:, 0, 0] = cos
        theta[:, 0, 1] = -sin * (h / w)
        theta[:, 1, 0] = sin * (w / h)
        theta[:, 1, 1] = cos
        theta[:, :, 2] = _uniform(2 * n, -2 * shift, 2 * shift, x).view(n, 2)
        grid = F.affine_grid(theta.to(x.dtype), list(x.shape), align_corners=False)
        out = F.grid_sample(
            out, grid, mode="bilinear", padding_mode="reflection", align_corners=False
        )
    if options["contrast"]:
        c = float(options["contrast"])
        factor = _uniform(n, 1 - c, 1 + c, x).to(x.dtype).view(n, 1, 1, 1)
        mean = out.mean(dim=(2, 3), keepdim=True)
        out = (out - mean) * factor + mean
    return out if out is not x else x.clone()


def dihedral_views(x):
    """Return the images of ``x`` under the symmetries of the square (or rectangle).

    Parameters
    ----------
    x : torch.Tensor of shape (n, channels, height, width)
        Images.

    Returns
    -------
    views : list of torch.Tensor
        Eight views for square images (the identity, three quarter turns and four
        reflections), four for rectangular ones (identity, two flips, half turn).

    Examples
    --------
    >>> import torch
    >>> from skgalaxy.neural_network._augment import dihedral_views
    >>> sq = torch.arange(9.0).view(1, 1, 3, 3)
    >>> len({tuple(v.flatten().tolist()) for v in dihedral_views(sq)})
    8
    >>> len(dihedral_views(torch.zeros(1, 1, 4, 6)))
    4
    """
    views = [x, x.flip(-1), x.flip(-2), x.flip(-2, -1)]
    if x.shape[-1] == x.shape[-2]:
        t = x.transpose(-1, -2)
        views += [t, t.flip(-1), t.flip(-2), t.flip(-2, -1)]
    return views
