"""The observation model: PSF, foreground stars, sky, noise and the asinh stretch.

It turns a chunk's light ``(m, c, s, s)`` (float32, in units of the sky noise of one
pixel) into the uint8 images a survey's colour cutouts show.
"""

import numpy as np
from scipy.special import ndtri

from . import _profiles as P
from ._canvas import DISK, OLD
from ._draws import colours, log_uniform

__all__ = ["BRIGHTNESS", "asinh_to_uint8", "band_weights", "fast_normal", "observe"]

F32 = np.float32

# The look of Galaxy10 DECaLS cutouts. Rec.601 luminance of R, G, B makes the gray
# images.
REC601 = np.array([0.299, 0.587, 0.114])
# The renderers draw surface brightnesses for a faint survey; Galaxy10's galaxies
# are bright, so all galaxy light is scaled by this factor.
BRIGHTNESS = 4.0
# Photon noise: variance = 1 + flux / gain (sky + read noise give the 1).
_GAIN = 50.0
# asinh stretch: sky-noise units -> display counts, as survey colour cutouts do,
# with the sky at these counts in R, G, B.
_STRETCH_SOFTENING = 6.0
_STRETCH_SCALE = 32.0
_SKY_PEDESTAL = np.array([17.5, 16.5, 16.5])


def band_weights(n_channels):
    """Weights ``(3, n_channels)`` from R, G, B light to the image's channels.

    Gray images are the Rec.601 luminance of the colour light.
    """
    return np.eye(3) if n_channels == 3 else REC601[:, None]


def normal_table(bits=16):
    """Inverse-CDF table of the standard normal: ``table[u]`` for uniform ``u`` bits.

    The table's values are the quantiles at the centres of ``2**bits`` equal bins,
    rescaled to unit variance (the tails stop at about 4.2 sigma for 16 bits).
    """
    n = 2**bits
    q = ndtri((np.arange(n) + 0.5) / n)
    return (q / q.std()).astype(F32)


_NORMAL = normal_table()


def _uniform_u16(rng, n):
    """``n`` uniform 16-bit draws: the bytes of ``rng.bytes(2 * n)``, as uint16.

    ``Generator.bytes`` reads 32-bit draws, each 64-bit draw of PCG64 giving its
    low half first; with none left over from an earlier call and a length that
    uses whole 64-bit draws, the raw 64-bit draws are the same bytes and the
    generator ends in the same state, twice as fast.
    """
    bitgen = rng.bit_generator
    if n % 4 == 0 and bitgen.state.get("has_uint32", 1) == 0:
        return bitgen.random_raw(n // 4).view("<u2")
    return np.frombuffer(rng.bytes(2 * n), dtype="<u2")


def fast_normal(rng, shape):
    """Draw standard normal float32 noise by table lookup: ~5x faster than NumPy's."""
    n = int(np.prod(shape))
    u = _uniform_u16(rng, n)
    # 16-bit draws always index the 2**16-entry table: "wrap" skips the bounds
    # checks (40 % faster), with the same values.
    return np.take(_NORMAL, u, mode="wrap").reshape(shape)


def asinh_to_uint8(flux, softening, scale, offset, out):
    """Survey-style asinh stretch ``offset + scale * asinh(flux / softening)`` to uint8.

    Writes into ``out`` (uint8 of the same shape as ``flux``); ``flux`` is overwritten.
    """
    flux /= F32(softening)
    np.arcsinh(flux, out=flux)
    flux *= F32(scale)
    flux += offset
    np.clip(flux, F32(0.0), F32(255.0), out=flux)
    np.rint(flux, out=flux)
    out[...] = flux
    return out


def _add_stars(flux, rng, n_stars, sigma_px):
    """Foreground stars, Poisson in number, as deltas before the PSF."""
    m, c, s, _ = flux.shape
    counts = rng.poisson(n_stars, m) if n_stars > 0 else np.zeros(m, int)
    gal = np.repeat(np.arange(m), counts)
    if not gal.size:
        return
    # Peak surface brightness from a steep power law; colours blue to red.
    peak = log_uniform(rng, 4.0, 1500.0, gal.size) ** rng.uniform(0.6, 1.0, gal.size)
    total = peak * 2 * np.pi * sigma_px[gal] ** 2
    t = rng.random(gal.size)[:, None]
    colour = (
        t * np.array([1.0, 0.85, 0.62]) + (1 - t) * np.array([0.78, 0.88, 1.0])
    ) @ band_weights(c)
    yi, xi = rng.integers(0, s, (2, gal.size))
    for k in range(c):
        np.add.at(flux[:, k], (gal, yi, xi), (total * colour[:, k]).astype(F32))


def _add_background_galaxies(flux, rng, n_stars, sigma_px):
    """Faint, barely resolved background galaxies: two adjacent pixels each."""
    m, c, s, _ = flux.shape
    counts = rng.poisson(2.5 * n_stars * (s / 64.0) ** 0.5, m)
    gal = np.repeat(np.arange(m), counts)
    if not gal.size:
        return
    total = log_uniform(rng, 3.0, 25.0, gal.size) * 2 * np.pi * sigma_px[gal] ** 2
    split = rng.uniform(0.5, 1.0, gal.size)
    colour = colours(rng, 0.5 * (OLD + DISK), gal.size, 0.1) @ band_weights(c)
    yi, xi = rng.integers(1, s - 1, (2, gal.size))
    step = rng.choice([-1, 1], (2, gal.size)) * (rng.random((2, gal.size)) < 0.7)
    for k in range(c):
        part = (total * colour[:, k]).astype(F32)
        np.add.at(flux[:, k], (gal, yi, xi), part * split.astype(F32))
        np.add.at(
            flux[:, k],
            (gal, yi + step[0], xi + step[1]),
            part * (1 - split).astype(F32),
        )


def _convolve_psf(flux, fwhm):
    """Convolve with the Gaussian PSF of each galaxy's seeing ``fwhm`` (pixels)."""
    kernel = P.psf_matrices(flux.shape[-1], fwhm)
    flux = kernel @ flux
    return flux @ kernel  # the kernel is symmetric: K @ F @ K.T


def _add_noise(flux, rng, noise):
    """Sky, read and photon noise, and what sky subtraction leaves, in place."""
    m, c = flux.shape[:2]
    sigma = np.maximum(flux, F32(0.0))
    sigma *= F32(1.0 / _GAIN)
    sigma += F32(1.0)
    np.sqrt(sigma, out=sigma)
    sigma *= F32(noise)
    sigma *= fast_normal(rng, flux.shape)
    flux += sigma
    # Imperfect sky subtraction leaves a small offset per image (and band).
    sky = rng.normal(0.0, 0.25, (m, 1, 1, 1)) + rng.normal(0.0, 0.05, (m, c, 1, 1))
    flux += (noise * sky).astype(F32)


def _stretch(flux):
    """Stretch by asinh over the sky pedestal: (m, c, s, s) -> (m, s, s, c) uint8."""
    m, c, s, _ = flux.shape
    pedestal = _SKY_PEDESTAL if c == 3 else [_SKY_PEDESTAL @ REC601]
    offset = np.asarray(pedestal, dtype=F32).reshape(1, c, 1, 1)
    # Channels last, written by the uint8 cast itself (no extra transpose copy).
    out = np.empty((m, s, s, c), dtype=np.uint8)
    asinh_to_uint8(
        flux, _STRETCH_SOFTENING, _STRETCH_SCALE, offset, np.moveaxis(out, -1, 1)
    )
    return out


def observe(flux, rng, psf_fwhm, noise, n_stars):
    """PSF, stars, sky and noise, then the asinh stretch: (m, c, s, s) -> uint8.

    ``flux`` is the galaxies' light, float32 in sky-noise units; it is overwritten.
    """
    fwhm = psf_fwhm * rng.uniform(0.85, 1.2, len(flux))
    sigma_px = np.maximum(np.asarray(fwhm) / 2.3548, 0.5)
    _add_stars(flux, rng, n_stars, sigma_px)
    _add_background_galaxies(flux, rng, n_stars, sigma_px)
    if psf_fwhm > 0:
        flux = _convolve_psf(flux, fwhm)
    if noise > 0:
        _add_noise(flux, rng, noise)
    return _stretch(flux)
