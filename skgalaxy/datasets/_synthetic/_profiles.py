"""Vectorised coordinates and light profiles for :func:`make_galaxies`.

Every function works on a chunk of ``m`` galaxies at once: coordinates are float32
arrays of shape ``(m, s, s)`` (or broadcastable to it) in units of the image width,
per-galaxy parameters are ``m`` values that :func:`col` broadcasts on the images.
Surface brightness is in units of the sky noise of one pixel, so a profile looks the
same at every image size.

Profiles compute in place, in float32, in a fixed order of operations: the same
seed gives the same bytes.
"""

import numpy as np
from scipy.special import gamma as gamma_function
from scipy.special import ive

__all__ = [
    "attenuate",
    "col",
    "deproject",
    "dust_lane",
    "edge_on_disk",
    "exponential",
    "ferrers",
    "flocculence",
    "gaussian_clumps",
    "grid",
    "inner_taper",
    "log_spiral",
    "lopsided_exponential",
    "polar",
    "psf_matrices",
    "ring",
    "rotate",
    "sersic",
    "sersic_amplitude",
    "sersic_b",
    "sersic_total",
    "spiral_azimuth",
    "spiral_disk",
    "splat",
    "tidal_tail",
]

F32 = np.float32


def col(values):
    """Per-galaxy values as a float32 ``(m, 1, 1)`` array that broadcasts on images."""
    return np.asarray(values, dtype=F32).reshape(-1, 1, 1)


def grid(size):
    """Pixel-centre coordinates in image widths: ``x`` (1, 1, s) and ``y`` (1, s, 1).

    ``y`` grows downwards as image rows do; the centre of the image is 0.
    """
    c = ((np.arange(size, dtype=F32) + F32(0.5)) / F32(size) - F32(0.5)).astype(F32)
    return c.reshape(1, 1, size), c.reshape(1, size, 1)


def rotate(x, y, x0, y0, angle):
    """Coordinates relative to ``(x0, y0)``, rotated so ``angle`` lies along +x."""
    c, s = col(np.cos(angle)), col(np.sin(angle))
    dx = x - col(x0)
    dy = y - col(y0)
    return dx * c + dy * s, dy * c - dx * s


def deproject(xr, yr, cos_incl):
    """Disk-plane coordinates of an inclined thin disk (major axis along x)."""
    return xr, yr / col(cos_incl)


def polar(xd, yd, softening):
    """Radius ``r``, ``ln r`` and azimuth of disk-plane coordinates.

    ``r`` is softened by ``softening`` (image widths) so the centre stays finite.
    """
    r2 = xd * xd
    r2 += yd * yd
    r2 += F32(softening) ** 2
    # one log serves both the radius and the spiral arms' log-radius
    log_r = np.log(r2)
    log_r *= F32(0.5)
    return np.exp(log_r), log_r, np.arctan2(yd, xd)


def sersic_b(n):
    """Return the Sersic ``b_n`` (Ciotti & Bertin 1999 expansion, good for n > 0.36)."""
    n = np.asarray(n, dtype=np.float64)
    return 2.0 * n - 1.0 / 3.0 + 4.0 / (405.0 * n) + 46.0 / (25515.0 * n**2)


def sersic_total(amplitude, r_eff, n, q):
    """Total flux of a Sersic profile of surface brightness ``amplitude`` at ``r_eff``.

    ``r_eff`` is in pixels here, so the flux is in sky-noise units times pixels.
    """
    n = np.asarray(n, dtype=np.float64)
    b = sersic_b(n)
    return (
        2.0
        * np.pi
        * n
        * np.asarray(r_eff) ** 2
        * np.asarray(q)
        * np.exp(b)
        / b ** (2.0 * n)
        * gamma_function(2.0 * n)
        * np.asarray(amplitude)
    )


def sersic_amplitude(flux, r_eff, n, q):
    """Surface brightness at ``r_eff`` of a Sersic profile of total ``flux``.

    A bulge is given by its flux (from the bulge-to-total ratio); this is the
    ``amplitude`` :func:`sersic` draws it with.
    """
    return flux / sersic_total(1.0, r_eff, n, q)


def sersic(xr, yr, amplitude, r_eff, n, q, softening):
    """Sersic profile ``I_e exp(-b_n ((r / r_e)^(1/n) - 1))`` on elliptical radii.

    ``softening`` (image widths) caps the central cusp at about a third of a pixel,
    as integrating over the pixel would.
    """
    r2 = xr * xr
    r2 += (yr / col(q)) ** 2
    r2 += F32(softening) ** 2
    log_r = np.log(r2)
    log_r *= F32(0.5)
    log_r -= col(np.log(r_eff))
    log_r /= col(n)
    out = np.exp(log_r, out=log_r)
    out -= F32(1.0)
    out *= col(-sersic_b(n))
    np.exp(out, out=out)
    out *= col(amplitude)
    return out


def exponential(r, amplitude, scale):
    """Exponential disk ``I_0 exp(-r / h)`` from precomputed radii ``r``."""
    out = r / col(-np.asarray(scale))
    np.exp(out, out=out)
    out *= col(amplitude)
    return out


def inner_taper(r, radius):
    """``exp(-(r / radius)^4)``: about 1 inside ``radius``, about 0 outside it."""
    inner = r / col(radius)
    inner *= inner
    inner *= inner
    np.negative(inner, out=inner)
    np.exp(inner, out=inner)
    return inner


def lopsided_exponential(r, log_r, phi, amplitude, scale, modes):
    """Evaluate an exponential disk distorted by spiral modes: lopsided and irregular.

    ``modes`` is a sequence of ``(order, winding, phase, strength)``: each adds
    ``strength cos(order phi + winding ln r - phase)`` to the log of the light,
    growing outwards as ``r / (r + scale / 2)``.
    """
    mod = np.zeros_like(r)
    for order, winding, phase0, strength in modes:
        phase = phi * F32(order)
        phase += log_r * col(winding)
        phase -= col(phase0)
        np.cos(phase, out=phase)
        phase *= col(strength)
        mod += phase
    # Distortions grow outwards, as tides act on the outer disk first.
    grow = r / col(scale)
    grow /= grow + F32(0.5)
    mod *= grow
    mod -= r / col(scale)
    np.exp(mod, out=mod)
    mod *= col(amplitude)
    return mod


def ferrers(xd, yd, amplitude, length, q, angle):
    """Evaluate a bar: Ferrers profile ``I_0 (1 - m^2)^2`` inside the ellipse ``m < 1``.

    ``xd, yd`` are disk-plane coordinates; ``angle`` is the bar's angle in that plane.
    """
    c, s = col(np.cos(angle)), col(np.sin(angle))
    a = col(length)
    u = xd * c + yd * s
    v = yd * c - xd * s
    u /= a
    v /= a * col(q)
    m2 = u * u
    m2 += v * v
    np.subtract(F32(1.0), m2, out=m2)
    np.maximum(m2, F32(0.0), out=m2)
    m2 *= m2
    m2 *= col(amplitude)
    return m2


def ring(r, amplitude, radius, width):
    """Evaluate a ring ``I_0 exp(-(r - radius)^2 / (2 width^2))``.

    Rings sit, for example, at a bar's ends.
    """
    out = r - col(radius)
    out /= col(width)
    out *= out
    out *= F32(-0.5)
    np.exp(out, out=out)
    out *= col(amplitude)
    return out


def log_spiral(phi, log_r, n_arms, pitch, phase0, sharpness):
    """Logarithmic spiral arms: ``exp(k (cos(m phi - m ln r / tan p - phi_0) - 1))``.

    A von Mises ridge along each arm; ``pitch`` in radians (small = tightly wound),
    ``sharpness`` ``k`` narrows the arms. Returns values in (0, 1].
    """
    m = col(n_arms)
    phase = phi * m
    phase -= log_r * (m / col(np.tan(pitch)))
    phase -= col(phase0)
    np.cos(phase, out=phase)
    phase -= F32(1.0)
    phase *= col(sharpness)
    return np.exp(phase, out=phase)


def flocculence(phi, log_r, n_spurs, pitch, phase0, depth):
    """Flocculent structure: a factor from 0.5 to ``0.5 + depth`` along open spurs.

    Multiplied into :func:`log_spiral` arms, the spurs and gaps between them break
    the arms of late-type spirals up. ``pitch`` in radians.
    """
    floc = log_spiral(phi, log_r, n_spurs, pitch, phase0, np.ones(len(depth)))
    floc *= col(depth)
    floc += F32(0.5)
    return floc


def spiral_disk(disk, arms, sharpness, arm_frac, inner, clearing=None):
    """Share a disk's light between its smooth part and its spiral arms.

    ``arms`` is the :func:`log_spiral` pattern of the given ``sharpness``; it is
    scaled to mean ``arm_frac``, so arms redistribute the disk's light rather than
    add to it. Inside the radius where the arms start (``inner``, from
    :func:`inner_taper`) the light stays smooth, less a share ``clearing`` (None
    for none) that a bar sweeping that zone removes.

    Returns the smooth light and the arms' light, written over ``disk`` and
    ``arms`` (``inner`` is overwritten too).
    """
    # exp(k (cos - 1)) has mean ive(0, k) over a turn.
    arms *= col(arm_frac / ive(0, sharpness))
    fade = np.subtract(F32(1.0), inner)
    arms *= fade
    fade *= col(arm_frac)
    np.subtract(F32(1.0), fade, out=fade)  # smooth share of the disk
    if clearing is not None:
        inner *= col(clearing)
        fade -= inner
    arms *= disk
    disk *= fade
    return disk, arms


def spiral_azimuth(r, n_arms, pitch, phase0, arm):
    """Azimuth of arm number ``arm`` of a :func:`log_spiral` at radius ``r``.

    Per-galaxy ``n_arms``, ``pitch`` (radians) and ``phase0`` have shape (m,);
    ``r`` and ``arm`` (m, k), for k points along the arms.
    """
    return (
        phase0[:, None]
        + n_arms[:, None] * np.log(r) / np.tan(pitch)[:, None]
        + 2 * np.pi * arm
    ) / n_arms[:, None]


def edge_on_disk(xr, yr, amplitude, scale_length, scale_height, softening):
    """Evaluate an edge-on disk ``I_0 exp(-R / h) sech^2(z / z_0)``, seen in its plane.

    ``R`` is softened over ``softening`` so the centre is flat, as the projected
    ``(R/h) K_1(R/h)`` profile of a real edge-on exponential disk is.
    """
    rad = xr * xr
    rad += col(softening) ** 2
    np.sqrt(rad, out=rad)
    rad /= col(-np.asarray(scale_length))
    # sech^2(t) = 4 e / (1 + e)^2 with e = exp(-2 |t|): one exp, no overflow.
    e = np.abs(yr) / col(np.asarray(scale_height) / -2.0)
    rad += e
    np.exp(e, out=e)
    np.exp(rad, out=rad)
    e += F32(1.0)
    e *= e
    rad /= e
    rad *= col(4.0 * np.asarray(amplitude))
    return rad


def dust_lane(xr, yr, tau, offset, width, length):
    """Optical depth of a dust lane along an edge-on disk's major axis (x).

    Gaussian across the lane (``width``, its centre ``offset`` from the major
    axis), exponential along it (scale ``length``), ``tau`` at its centre.
    """
    lane = yr - col(offset)
    lane /= col(width)
    lane *= lane
    lane *= F32(-0.5)
    lane -= np.abs(xr) / col(length)
    np.exp(lane, out=lane)
    lane *= col(tau)
    return lane


def attenuate(image, tau, opacity):
    """Light of ``image`` behind dust of optical depth ``opacity * tau``."""
    att = np.exp(tau * F32(-opacity))
    att *= image
    return att


def tidal_tail(xr, yr, amplitude, r0, growth, width, extent, direction):
    """Evaluate a curved tidal tail winding out from a galaxy, seen face-on.

    In polar coordinates ``(r, phi)`` about the galaxy, the tail follows the
    Archimedean arc ``r = r0 + growth * psi`` for ``psi`` in ``[0, extent]`` measured
    from +x in the sense ``direction`` (+1 or -1), fading along its length.
    """
    r = xr * xr
    r += yr * yr
    np.sqrt(r, out=r)
    psi = np.arctan2(yr * col(direction), xr)
    psi %= F32(2.0 * np.pi)
    ext = col(extent)
    ridge = psi * col(growth)
    ridge += col(r0)
    ridge -= r
    ridge /= col(width) * (F32(0.6) + psi * F32(0.4))
    ridge *= ridge
    ridge *= F32(-0.5)
    # Fade along the tail and stop smoothly at its end.
    ridge -= psi / ext
    fade = psi - ext
    np.maximum(fade, F32(0.0), out=fade)
    fade /= F32(0.25)
    fade *= fade
    ridge -= fade
    np.exp(ridge, out=ridge)
    ridge *= col(amplitude)
    return ridge


def psf_matrices(size, fwhm):
    """Banded matrices ``K`` so that ``K @ img @ K.T`` convolves with a Gaussian PSF.

    ``fwhm`` is in pixels, one value per galaxy; returns float32 ``(m, 1, s, s)``
    (symmetric, so ``K.T == K``). Light scattered beyond the image edge is lost, as
    on a real detector cutout.
    """
    sigma = np.asarray(fwhm, dtype=np.float64).reshape(-1, 1) / 2.3548200450309493
    d = np.arange(-size + 1, size, dtype=np.float64)[None]
    g = np.exp(-0.5 * (d / np.maximum(sigma, 1e-3)) ** 2)
    g /= g.sum(axis=1, keepdims=True)
    g = g.astype(F32)
    # Far taps underflow to float32 subnormals, which multiply about ten times
    # slower than normal numbers; they lie far below the resolution of the sums
    # they enter, so zeroing them leaves the images unchanged, byte for byte.
    g[g < np.finfo(F32).tiny] = 0.0
    idx = np.arange(size)
    toeplitz = idx[:, None] - idx[None, :] + size - 1
    return g[:, toeplitz][:, None]


def splat(size, x, y, amplitude):
    """Deposit point fluxes at ``(x, y)`` (image widths, shape (m, k)) bilinearly.

    Returns an ``(m, s, s)`` float32 image whose pixels sum to ``amplitude.sum(1)``
    (less what falls off the edge).
    """
    m, k = np.shape(x)
    px = (np.asarray(x) + 0.5) * size - 0.5
    py = (np.asarray(y) + 0.5) * size - 0.5
    x0 = np.floor(px).astype(np.intp)
    y0 = np.floor(py).astype(np.intp)
    fx = px - x0
    fy = py - y0
    gal = np.broadcast_to(np.arange(m)[:, None], (m, k))
    out = np.zeros((m, size + 2, size + 2), dtype=F32)
    amp = np.asarray(amplitude, dtype=np.float64)
    for dy, wy in ((0, 1 - fy), (1, fy)):
        for dx, wx in ((0, 1 - fx), (1, fx)):
            yi = np.clip(y0 + dy + 1, 0, size + 1)
            xi = np.clip(x0 + dx + 1, 0, size + 1)
            np.add.at(out, (gal, yi, xi), (amp * wy * wx).astype(F32))
    return out[:, 1:-1, 1:-1]


def gaussian_clumps(size, x, y, width, peak):
    """Round Gaussian clumps of one ``width`` per galaxy (image widths, shape (m,)).

    ``x, y, peak`` have shape (m, k); zero ``peak`` means no clump. Deposited as points
    and blurred with a separable Gaussian: two small matrix products per chunk.
    """
    w_px = np.asarray(width, dtype=np.float64) * size
    total = np.asarray(peak) * (2 * np.pi * w_px[:, None] ** 2)
    img = splat(size, x, y, total)[:, None]
    k = psf_matrices(size, 2.3548200450309493 * w_px)
    return (k @ img @ k)[:, 0]
