"""JPEG compression, the last stage of a survey cutout, with Pillow."""

import io

import numpy as np
from PIL import Image

__all__ = ["jpeg_roundtrip"]

# Images per mosaic row when a chunk is compressed as one JPEG file.
_MOSAIC_COLUMNS = 16


def _roundtrip(image, quality, subsampling, gray):
    buffer = io.BytesIO()
    Image.fromarray(image).save(
        buffer, format="JPEG", quality=quality, subsampling=subsampling
    )
    buffer.seek(0)
    with Image.open(buffer) as decoded:
        return np.asarray(decoded.convert("L") if gray else decoded)


def jpeg_roundtrip(images, quality, subsampling, gray=False):
    """Compress and decode uint8 ``(m, s, s, 3)`` images as JPEG files would be.

    ``subsampling`` is Pillow's: 0 keeps the colour at full resolution (4:4:4),
    2 halves it both ways (4:2:0). With ``gray``, the decoded colour images are
    converted to Rec.601 luminance as Pillow's ``convert("L")`` does, which is
    how a gray loader reads a colour JPEG. Returns a new uint8 array.

    Without chroma subsampling, JPEG codes each 8x8 block on its own (the
    entropy coding that links blocks is lossless), so images whose side is a
    multiple of 8 are compressed together as the tiles of one mosaic, with the
    same result as one file each, many times faster.
    """
    m, s = images.shape[:2]
    if subsampling != 0 or s % 8 or m < 2:
        out = np.empty(images.shape[:3] if gray else images.shape, dtype=np.uint8)
        for i, image in enumerate(images):
            out[i] = _roundtrip(image, quality, subsampling, gray)
        return out
    columns = min(_MOSAIC_COLUMNS, m)
    rows = -(-m // columns)
    tiles = np.zeros((rows * columns, s, s, 3), dtype=np.uint8)
    tiles[:m] = images
    mosaic = tiles.reshape(rows, columns, s, s, 3).swapaxes(1, 2)
    mosaic = mosaic.reshape(rows * s, columns * s, 3)
    decoded = _roundtrip(mosaic, quality, subsampling, gray)
    shape = (rows, s, columns, s) + (() if gray else (3,))
    tiles = decoded.reshape(shape).swapaxes(1, 2).reshape((-1, s, s) + shape[4:])
    return np.ascontiguousarray(tiles[:m])
