"""Inputs of ``skgalaxy predict``: files or HDF5 rows, decoded ahead of the model.

Threads decode the next chunk while the model predicts this one, and at most
two chunks are in memory at once (this one and the next), so memory stays flat
however many files there are. Each file is decoded, converted to the model's
channels and resized in a worker thread; a file that fails is reported, with its reason,
instead of stopping the others (the caller decides what a failure means).
"""

from collections import deque
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

from ._errors import CLIError
from ._sources import fit_images


class FileInput:
    """Image files; ids are the names without their image extensions."""

    def __init__(self, paths, *, shape, resize, fits, draft):
        from skgalaxy.datasets._images import image_id

        self.paths = list(paths)
        self.ids = [image_id(p) for p in self.paths]
        self.shape, self.resize, self.fits = shape, resize, fits
        # JPEG DCT scaling: decode at the smallest scale still at least as
        # large as the model's images (the resize then does the rest).
        self.draft = None
        if draft and shape is not None:
            self.draft = (int(shape[1]), int(shape[0]))
        self.mode = None
        if shape is not None:
            self.mode = "L" if len(shape) == 2 else ("RGB" if shape[2] == 3 else None)

    def __len__(self):
        return len(self.paths)

    def jobs(self, positions):
        """One job per file: ``job() -> [(position, image or None, error)]``."""
        return [lambda k=k: [self._one(k)] for k in positions]

    def _one(self, k):
        from skgalaxy.datasets._images import decode_image

        path = self.paths[k]
        try:
            image = decode_image(
                path,
                str(path),
                mode=self.mode,
                fits=self.fits,
                draft=self.draft,
                keep_16_bit=True,
            )
            return k, fit_images(image[None], self.shape, resize=self.resize)[0], None
        except (ValueError, OSError, CLIError) as exc:
            return k, None, " ".join(str(exc).split())


class HDF5Input:
    """The ``images`` of one HDF5 file; ids are the row numbers."""

    def __init__(self, path, *, shape, resize):
        import h5py

        from skgalaxy.datasets._galaxy10 import check_stored

        path = Path(path)
        if not path.is_file():
            raise CLIError(f"the input {str(path)!r} does not exist")
        try:
            self.file = h5py.File(path, "r")
        except OSError as exc:
            raise CLIError(f"cannot read {str(path)!r} as HDF5: {exc}") from exc
        f = self.file
        if "images" not in f or not isinstance(f["images"], h5py.Dataset):
            f.close()
            raise CLIError(
                f"{str(path)!r} has no 'images' dataset; found {sorted(f.keys())}"
            )
        self.ds = f["images"]
        if self.ds.ndim not in (3, 4) or self.ds.shape[0] == 0:
            shape_ = self.ds.shape
            f.close()
            raise CLIError(
                f"'images' in {str(path)!r} has shape {shape_}; expected "
                "(n, height, width[, channels]) with n >= 1"
            )
        try:
            check_stored(self.ds, path)
        except ValueError:
            f.close()
            raise
        self.ids = [str(i) for i in range(self.ds.shape[0])]
        self.shape, self.resize = shape, resize

    def __len__(self):
        return len(self.ids)

    def close(self):
        self.file.close()

    def jobs(self, positions):
        """One job per contiguous run of rows (one read each)."""
        runs, start = [], None
        for prev, k in zip([None, *positions], positions):
            if prev is None or k != prev + 1:
                if start is not None:
                    runs.append((start, prev + 1))
                start = k
        if start is not None:
            runs.append((start, positions[-1] + 1))
        return [lambda a=a, b=b: self._rows(a, b) for a, b in runs]

    def _rows(self, a, b):
        try:
            X = fit_images(self.ds[a:b], self.shape, resize=self.resize)
        except (ValueError, OSError, CLIError) as exc:
            reason = " ".join(str(exc).split())
            return [(k, None, reason) for k in range(a, b)]
        return [(k, X[i], None) for i, k in enumerate(range(a, b))]


def stack(images):
    """One array from images that may differ in dtype (uint8, uint16, float)."""
    dtypes = {im.dtype for im in images}
    if len(dtypes) == 1:
        return np.stack(images)
    from skgalaxy.utils import as_float_images

    return np.stack([as_float_images(im) for im in images]).astype(
        np.float64 if np.dtype(np.float64) in dtypes else np.float32, copy=False
    )


def decoded_chunks(source, positions, *, chunk_size, n_threads, ahead=1):
    """Yield ``(positions, images, errors)`` per chunk, ``ahead`` chunks ahead.

    ``images`` is the list of decoded arrays for the positions that decoded
    (in order), ``errors`` a list of ``(position, reason)``.
    """
    chunks = [
        positions[i : i + chunk_size] for i in range(0, len(positions), chunk_size)
    ]
    pool = ThreadPoolExecutor(max_workers=max(1, n_threads))
    pending = deque()
    todo = iter(chunks)

    def submit():
        chunk = next(todo, None)
        if chunk is not None:
            pending.append([pool.submit(job) for job in source.jobs(chunk)])

    try:
        for _ in range(ahead):
            submit()
        while pending:
            futures = pending.popleft()
            results = [r for f in futures for r in f.result()]
            submit()
            done = [(k, im) for k, im, err in results if err is None]
            errors = [(k, err) for k, im, err in results if err is not None]
            yield [k for k, _ in done], [im for _, im in done], errors
    finally:
        # An interrupt must not wait for chunks nobody will predict.
        pool.shutdown(wait=False, cancel_futures=True)
