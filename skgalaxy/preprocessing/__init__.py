"""Image transformers: crops, grayscale, block averaging, resizing, flattening.

Every transformer takes images of shape ``(n_samples, height, width)`` or
``(n_samples, height, width, n_channels)``. Integer images (uint8 ...) become
float32 in [0, 1]; float32 and float64 images keep their dtype and scale.

- :class:`CenterCrop`: the central part of each image, optionally resized.
- :class:`ROICrop`: a square around the galaxy a threshold finds, resized.
- :class:`Grayscale`: RGB to one luminance channel.
- :class:`Coarsen`: block averaging by an integer factor.
- :class:`Resize`: any output size, with anti-aliasing.
- :class:`Flatten`: images to 2-D features for any scikit-learn estimator.
- :class:`AsinhStretch`: raw survey flux to display colours (Lupton et al. 2004),
  and :func:`lupton_rgb`, the function behind it.
"""

from ._coarsen import Coarsen
from ._crop import CenterCrop
from ._flatten import Flatten
from ._grayscale import Grayscale
from ._resize import Resize
from ._roi import ROICrop
from ._stretch import AsinhStretch, lupton_rgb

__all__ = [
    "AsinhStretch",
    "CenterCrop",
    "Coarsen",
    "Flatten",
    "Grayscale",
    "ROICrop",
    "Resize",
    "lupton_rgb",
]
