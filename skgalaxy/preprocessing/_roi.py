"""ROICrop: a square crop around the galaxy that a threshold finds."""

import math
from numbers import Integral, Real

import numpy as np
from joblib import Parallel, delayed, effective_n_jobs
from scipy import ndimage as ndi
from skimage.filters import threshold_otsu
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from ..utils._validation import as_float_images, float_dtype
from ._base import _BaseImageTransformer, _check_size_pair
from ._coarsen import _block_mean
from ._resize import _resize_one

__all__ = ["ROICrop"]

# 8-connectivity, as OpenCV's contours (Hildebrandt's report) join diagonal neighbours.
_EIGHT = np.ones((3, 3), dtype=bool)
# Regions smaller than this fraction of the largest are specks that
# select="central" ignores.
_MIN_REGION_FRACTION = 0.01
# Images per task handed to a joblib worker.
_BATCH = 16


def _detection_images(X, detection_size):
    """Channel-mean images, block-averaged to about ``detection_size`` a side.

    Returns the images, the block size and the (top, left) trim offset that
    maps detection pixels back to the full images.
    """
    height, width = X.shape[1:3]
    block = 1
    if detection_size is not None:
        block = max(1, min(height, width) // detection_size)
    top, left = (height % block) // 2, (width % block) // 2
    X = X[:, top : top + height - height % block, left : left + width - width % block]
    if X.ndim == 4:
        # Pixels store their channels side by side, so a block of `block` pixels
        # and all their channels is one run of block * n_channels values: one
        # block mean gives the channel mean too, summed in integers for uint8.
        n_channels = X.shape[3]
        X = X.reshape(*X.shape[:2], -1)
        return _block_mean(X, (block, block * n_channels)), block, (top, left)
    return _block_mean(X, block), block, (top, left)


def _otsu(image):
    """Otsu's level of ``image`` from a 256-bin histogram over its range."""
    low, high = float(image.min()), float(image.max())
    if high <= low:
        return low
    # Divide by the bin width, not multiply by its inverse: for a range of
    # subnormal width the inverse overflows.
    width = (high - low) / 256
    bins = np.minimum(((image - low) / width).astype(np.intp), 255)
    counts = np.bincount(bins.ravel(), minlength=256)
    # Otsu's level is the centre of a bin and does not depend on where the bins
    # lie: find it on the bin numbers (its variances square the centres, which
    # overflows for pixels of order 1e160), then map it to the pixels' scale.
    level = threshold_otsu(hist=(counts, np.arange(256) + 0.5))
    return low + level * width


def _select_region(labels, n_labels, select):
    """Label of the region to keep: the largest, or the most central."""
    flat = labels.ravel()
    sizes = np.bincount(flat, minlength=n_labels + 1).astype(np.float64)
    sizes[0] = 0.0
    if select == "largest" or n_labels == 1:
        return int(np.argmax(sizes))
    rows, cols = np.indices(labels.shape)
    with np.errstate(invalid="ignore", divide="ignore"):
        row_c = np.bincount(flat, weights=rows.ravel(), minlength=n_labels + 1) / sizes
        col_c = np.bincount(flat, weights=cols.ravel(), minlength=n_labels + 1) / sizes
    centre_r, centre_c = (labels.shape[0] - 1) / 2, (labels.shape[1] - 1) / 2
    distance = (row_c - centre_r) ** 2 + (col_c - centre_c) ** 2
    distance[sizes < _MIN_REGION_FRACTION * sizes.max()] = np.inf
    distance[0] = np.inf
    return int(np.argmin(distance))


def _square_start(centre, side, size):
    """Start of a ``side`` window centred at ``centre``, shifted inside ``size``."""
    start = int(math.floor(centre - side / 2 + 0.5))
    if side <= size:
        start = min(max(start, 0), size - side)
    return start


def _find_box(small, block, offset, shape, threshold, select, padding):
    """Square box ``(top, left, side)`` around the galaxy of one image.

    ``small`` is the detection image; the box is in full-image pixels and may
    extend past the frame when it is larger than the frame (it is then padded).
    Returns None when nothing lies above the threshold (a blank image).
    """
    height, width = shape
    level = _otsu(small) if threshold == "otsu" else threshold
    mask = small > level
    if not mask.any():
        return None
    labels, n_labels = ndi.label(mask, structure=_EIGHT)
    label = _select_region(labels, n_labels, select)
    row_slice, col_slice = ndi.find_objects(labels, max_label=label)[label - 1]
    top = offset[0] + row_slice.start * block
    bottom = min(offset[0] + row_slice.stop * block, height)
    left = offset[1] + col_slice.start * block
    right = min(offset[1] + col_slice.stop * block, width)
    side = max(bottom - top, right - left)
    side = max(1, int(math.ceil(side * (1 + 2 * padding) - 1e-9)))
    return (
        _square_start((top + bottom) / 2, side, height),
        _square_start((left + right) / 2, side, width),
        side,
    )


def _fallback_box(shape):
    """Return the centred square of side min(height, width), for blank images."""
    height, width = shape
    side = min(height, width)
    return ((height - side) // 2, (width - side) // 2, side)


def _extract(image, box, pad_mode):
    """Cut ``box`` out of ``image`` as float, padding where it leaves the frame."""
    top, left, side = box
    height, width = image.shape[:2]
    r0, r1 = max(top, 0), min(top + side, height)
    c0, c1 = max(left, 0), min(left + side, width)
    crop = as_float_images(image[r0:r1, c0:c1])
    pads = [(r0 - top, top + side - r1), (c0 - left, left + side - c1)]
    if any(p for pair in pads for p in pair):
        pads += [(0, 0)] * (image.ndim - 2)
        crop = np.pad(crop, pads, mode=pad_mode)
    return crop


def _boxes_batch(X, params):
    """Boxes of a batch of images, and which of them used the fallback."""
    small, block, offset = _detection_images(X, params["detection_size"])
    boxes = np.empty((len(X), 3), dtype=np.int64)
    blank = np.zeros(len(X), dtype=bool)
    for i in range(len(X)):
        box = _find_box(
            small[i],
            block,
            offset,
            X.shape[1:3],
            params["threshold"],
            params["select"],
            params["padding"],
        )
        if box is None:
            box, blank[i] = _fallback_box(X.shape[1:3]), True
        boxes[i] = box
    return boxes, blank


def _crop_batch(X, params, out):
    """Write the ROI crops of a batch of images, resized, into ``out``."""
    boxes, _ = _boxes_batch(X, params)
    for i, box in enumerate(boxes):
        crop = _extract(X[i], tuple(int(v) for v in box), params["pad_mode"])
        out[i] = _resize_one(crop, params["output_size"])


class ROICrop(_BaseImageTransformer):
    """Crop a square around the galaxy that a threshold finds, then resize it.

    For each image: threshold the channel mean (Otsu's level or a fixed one),
    label the connected regions (8-connectivity), keep the galaxy (the largest
    region, or the most central), and cut a square of side ``max(box height,
    box width) * (1 + 2 * padding)`` centred on its bounding box; the square is
    resized to ``output_size`` with anti-aliasing. This is Hildebrandt's
    region-of-interest crop, done so it never silently gives up:

    - a square that crosses the border is shifted back inside the frame;
    - a square larger than the frame is padded (``pad_mode``), still centred on
      the galaxy;
    - a blank image (nothing above the threshold, e.g. a constant image) gets
      the centred square of side ``min(height, width)``.

    Parameters
    ----------
    threshold : "otsu" or float, default="otsu"
        ``"otsu"`` computes Otsu's level per image
        (:func:`skimage.filters.threshold_otsu`). A float is a fixed level on the
        images' float scale (uint8 maps to [0, 1]: Hildebrandt's level of 10 on
        0..255 is ``10 / 255``). Pixels strictly above the level are galaxy.
    select : {"largest", "central"}, default="largest"
        Keep the region with the most pixels, or the region whose centroid is
        nearest the image centre (ignoring specks under 1% of the largest
        region's area), for fields where a bright neighbour may outshine the
        target.
    padding : float >= 0, default=0.1
        Margin added on each side, as a fraction of the box's longer side.
    output_size : int or tuple of (int, int), default=150
        Size ``(height, width)`` of the returned crops; an int gives squares.
    detection_size : int >= 8 or None, default=128
        Detection runs on the channel mean block-averaged by an integer factor
        so that its shorter side is about ``detection_size`` pixels: faster,
        and the averaging suppresses single-pixel noise. The box is then accurate
        to one block (3 pixels at 424x424). None detects at full resolution.
    pad_mode : {"constant", "edge", "reflect"}, default="constant"
        How a square larger than the frame is filled (:func:`numpy.pad`'s mode;
        ``"constant"`` fills with 0, dark sky).
    n_jobs : int or None, default=None
        Number of threads for the per-image work (batches of 16 images); None
        means 1 unless in a :func:`joblib.parallel_backend` context, -1 means
        all processors. Threads, not processes: the work is NumPy/SciPy calls
        that release the GIL, and worker processes spent more time receiving
        the images than they saved (measured: 2 processes at about 0.4x the
        speed of 2 threads on 424x424x3 images).

    Attributes
    ----------
    image_shape_ : tuple of int
        Shape ``(height, width[, n_channels])`` of the images seen in ``fit``.

    See Also
    --------
    CenterCrop : A fixed central crop (no detection).
    skimage.filters.threshold_otsu : The automatic threshold.
    scipy.ndimage.label : The connected-component labelling.

    Notes
    -----
    Channels are cropped alike, so any number of channels works; combine with
    :class:`Grayscale` for Hildebrandt's 150x150 gray crops. Integer images (uint8
    ...) become float32 in [0, 1] (each crop is converted, not the whole
    image); float32 and float64 images keep their dtype and scale. Use
    :meth:`get_boxes` to see the squares.
    Float images too large to sum (``finite_sums`` in
    :func:`~skgalaxy.utils.check_images`) raise a ValueError, so a finite
    input never gives an infinite output.

    Examples
    --------
    >>> import numpy as np
    >>> from skgalaxy.preprocessing import ROICrop
    >>> X = np.zeros((1, 40, 40), dtype=np.uint8)
    >>> X[0, 4:12, 24:32] = 255  # a bright 8x8 galaxy, off centre
    >>> roi = ROICrop(padding=0.25, output_size=12, detection_size=None).fit(X)
    >>> roi.get_boxes(X)  # top, left, height, width
    array([[ 2, 22, 12, 12]])
    >>> Xt = roi.transform(X)
    >>> Xt.shape, Xt.dtype
    ((1, 12, 12), dtype('float32'))
    >>> Xt[0, 2:10, 2:10].min(), Xt[0, 0].max()  # the galaxy fills the centre
    (np.float32(1.0), np.float32(0.0))
    """

    _parameter_constraints = {
        "threshold": [
            StrOptions({"otsu"}),
            Interval(Real, None, None, closed="neither"),
        ],
        "select": [StrOptions({"largest", "central"})],
        "padding": [Interval(Real, 0, None, closed="left")],
        "output_size": [Interval(Integral, 1, None, closed="left"), tuple, list],
        "detection_size": [Interval(Integral, 8, None, closed="left"), None],
        "pad_mode": [StrOptions({"constant", "edge", "reflect"})],
        "n_jobs": [Integral, None],
    }

    def __init__(
        self,
        *,
        threshold="otsu",
        select="largest",
        padding=0.1,
        output_size=150,
        detection_size=128,
        pad_mode="constant",
        n_jobs=None,
    ):
        self.threshold = threshold
        self.select = select
        self.padding = padding
        self.output_size = output_size
        self.detection_size = detection_size
        self.pad_mode = pad_mode
        self.n_jobs = n_jobs

    def _check_params(self, X):
        _check_size_pair(self.output_size, "output_size")

    def _params(self):
        return {
            "threshold": self.threshold,
            "select": self.select,
            "padding": float(self.padding),
            "output_size": _check_size_pair(self.output_size, "output_size"),
            "detection_size": self.detection_size,
            "pad_mode": self.pad_mode,
        }

    def _map(self, function, X, out=None):
        """Run ``function(batch, params[, out_batch])`` over batches of images."""
        params = self._params()
        starts = range(0, len(X), _BATCH)
        extra = [() if out is None else (out[i : i + _BATCH],) for i in starts]
        batches = [X[i : i + _BATCH] for i in starts]
        if effective_n_jobs(self.n_jobs) == 1 or len(batches) == 1:
            return [function(b, params, *e) for b, e in zip(batches, extra)]
        # Threads: the work is NumPy/SciPy calls that release the GIL for most
        # of their time, and each writes its own slice of the shared output.
        return Parallel(n_jobs=self.n_jobs, require="sharedmem")(
            delayed(function)(b, params, *e) for b, e in zip(batches, extra)
        )

    def _transform(self, X):
        size = _check_size_pair(self.output_size, "output_size")
        out = np.empty((len(X), *size, *X.shape[3:]), dtype=float_dtype(X.dtype))
        self._map(_crop_batch, X, out)
        return out

    def get_boxes(self, X):
        """Return the square each image is cropped to, before resizing.

        Parameters
        ----------
        X : array-like of shape (n_samples, height, width[, n_channels])
            Images of the shape seen in ``fit``.

        Returns
        -------
        boxes : ndarray of shape (n_samples, 4)
            ``(top, left, height, width)`` of each square in pixels of ``X``;
            ``top`` or ``left`` is negative (and the square extends past the
            frame) only when the square is larger than the frame and is padded.
        """
        check_is_fitted(self)
        X = self._validate(X, reset=False)
        boxes = np.concatenate([b for b, _ in self._map(_boxes_batch, X)])
        return np.column_stack([boxes[:, 0], boxes[:, 1], boxes[:, 2], boxes[:, 2]])
