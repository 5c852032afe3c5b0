"""Cache-sized chunks: how batched array work in skgalaxy splits a stack of images."""

import numpy as np

__all__ = ["CHUNK_BYTES", "chunk_length"]

#: Batched work runs over chunks of about this many bytes of float32, so each
#: chunk's temporaries stay in the CPU cache (measured: 2 to 4 MiB is best).
CHUNK_BYTES = 4 * 2**20


def chunk_length(X, dtype=np.float32):
    """Return how many images of ``X`` make one chunk of about :data:`CHUNK_BYTES`.

    Parameters
    ----------
    X : ndarray of shape (n_samples, ...)
        The stack of images (only its shape is read).
    dtype : dtype, default=np.float32
        The dtype the chunk's work is done in.

    Returns
    -------
    n : int
        Images per chunk, at least 1.

    Examples
    --------
    >>> import numpy as np
    >>> from skgalaxy.utils._chunks import chunk_length
    >>> chunk_length(np.zeros((10, 256, 256, 3), dtype=np.uint8))
    5
    """
    per_image = int(np.prod(X.shape[1:])) * np.dtype(dtype).itemsize
    return max(1, CHUNK_BYTES // max(per_image, 1))
