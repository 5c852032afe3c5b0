"""JPEG compression, the last stage of a survey cutout, with Pillow."""

import io

import numpy as np
from PIL import Image

__all__ = ["jpeg_roundtrip"]


def jpeg_roundtrip(images, quality, subsampling, gray=False):
    """Compress and decode uint8 ``(m, s, s, 3)`` images as JPEG files would be.

    ``subsampling`` is Pillow's: 0 keeps the colour at full resolution (4:4:4),
    2 halves it both ways (4:2:0). With ``gray``, the decoded colour images are
    converted to Rec.601 luminance as Pillow's ``convert("L")`` does, which is
    how a gray loader reads a colour JPEG. Returns a new uint8 array.
    """
    out = np.empty(images.shape[:3] if gray else images.shape, dtype=np.uint8)
    buffer = io.BytesIO()
    for i, image in enumerate(images):
        buffer.seek(0)
        buffer.truncate()
        Image.fromarray(image).save(
            buffer, format="JPEG", quality=quality, subsampling=subsampling
        )
        buffer.seek(0)
        with Image.open(buffer) as decoded:
            out[i] = decoded.convert("L") if gray else decoded
    return out
