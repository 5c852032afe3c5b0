"""Synthetic galaxy images of the ten Galaxy10 DECaLS classes, built from physics.

Each class has a sampler of physical parameters and a renderer that turns them into
light in three bands; the observation (PSF, stars, sky, noise, asinh stretch) is the
same for all classes. Galaxies are generated in chunks of one class on a shared
pixel grid with per-galaxy parameters broadcast, and chunks run on threads.
"""

import numbers
from collections.abc import Mapping

import numpy as np
from joblib import Parallel, delayed
from scipy.special import ive
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import (
    Interval,
    Options,
    StrOptions,
    validate_params,
)
from threadpoolctl import threadpool_limits
from tqdm.auto import tqdm

from . import _profiles as P
from ._classes import CLASS_MAPPINGS, GALAXY10_CLASSES
from ._tree import QUESTION_SLICES, VOTE_COLUMNS, normalize_votes

__all__ = ["make_galaxies"]

F32 = np.float32
# Pixels of one chunk of galaxies of one class rendered together (32 galaxies at
# 64x64): a few MB per float32 array, so temporaries stay in cache. The chunking
# depends only on the arguments, so results never depend on n_jobs.
_CHUNK_PIXELS = 32 * 64 * 64
# Display colours (R, G, B from z, r, g) of the stellar populations: old bulges are
# redder than disks, young star-forming arms and clumps are blue.
_OLD = np.array([1.0, 0.84, 0.64])
_DISK = np.array([0.90, 0.90, 0.92])
_YOUNG = np.array([0.62, 0.78, 1.0])
_REC601 = np.array([0.299, 0.587, 0.114])
# Relative dust opacity in R, G, B (z, r, g bands): dust lanes redden what they cover.
_DUST = np.array([0.55, 0.75, 1.0])
# asinh stretch: sky-noise units -> display counts, as survey colour cutouts do.
_STRETCH_SOFTENING = 6.0
_STRETCH_SCALE = 32.0
# Surface brightnesses below are drawn for a faint survey; Galaxy10's galaxies are
# bright, so all galaxy light is scaled by this factor.
_BRIGHTNESS = 4.0
_SKY_PEDESTAL = np.array([17.5, 16.5, 16.5])
# Photon noise: variance = 1 + flux / gain (sky + read noise give the 1).
_GAIN = 50.0


# ---------------------------------------------------------------------------------
# Parameter draws shared by the classes
# ---------------------------------------------------------------------------------


def _log_uniform(rng, low, high, m):
    return np.exp(rng.uniform(np.log(low), np.log(high), m))


def _clipped_normal(rng, mean, sd, low, high, m):
    return np.clip(rng.normal(mean, sd, m), low, high)


def _colours(rng, base, m, jitter=0.05):
    """Per-galaxy (m, 3) colours scattered around ``base``."""
    return base * np.exp(rng.normal(0.0, jitter, (m, 3)))


def _disk_to_sky(xd, yd, x0, y0, pa, cos_i):
    """Sky positions of points given in a disk's plane; (m, k) arrays."""
    c, s = np.cos(pa)[:, None], np.sin(pa)[:, None]
    yr = yd * cos_i[:, None]
    return x0[:, None] + xd * c - yr * s, y0[:, None] + xd * s + yr * c


def _disk_polar(cv, x0, y0, pa, cos_i):
    """Disk-plane coordinates, radius, log-radius and azimuth of inclined disks."""
    xr, yr = P.rotate(cv.x, cv.y, x0, y0, pa)
    xd, yd = P.deproject(xr, yr, cos_i)
    r2 = xd * xd
    r2 += yd * yd
    r2 += F32(cv.softening) ** 2
    # one log serves both the radius and the spiral arms' log-radius
    log_r = np.log(r2)
    log_r *= F32(0.5)
    return xd, yd, np.exp(log_r), log_r, np.arctan2(yd, xd)


def _centre(rng, m, sd=0.012):
    return np.clip(rng.normal(0.0, sd, (2, m)), -0.04, 0.04)


class _Canvas:
    """Light of a chunk of galaxies, accumulated per stellar population."""

    def __init__(self, m, size):
        self.m = m
        self.size = size
        self.x, self.y = P.grid(size)
        self.softening = 0.3 / size
        self.layers = []  # (image (m, s, s), colour (m, 3))

    def add(self, image, colour):
        self.layers.append((image, colour))

    def render(self, weights):
        """Sum the layers into ``len(weights)`` channels: (m, c, s, s) float32."""
        c = weights.shape[1]
        out = np.zeros((self.m, c, self.size, self.size), dtype=F32)
        for image, colour in self.layers:
            col = (np.asarray(colour) @ weights).astype(F32)  # (m, c)
            for k in range(c):
                out[:, k] += image * col[:, k, None, None]
        return out


def _votes_params(m, **values):
    """The true parameters the vote model reads; unset ones are 'absent'."""
    p = {
        "smooth": np.zeros(m),
        "q": np.ones(m),
        "edge": np.zeros(m),
        "bar": np.zeros(m),
        "arms": np.zeros(m),
        "pitch": np.full(m, 20.0),
        "n_arms": np.zeros(m),
        "bt": np.zeros(m),
        "disturb": np.zeros(m),
        "merger": np.zeros(m),
        "ring": np.zeros(m),
        "lane": np.zeros(m),
        "boxy": np.zeros(m),
        "size": np.full(m, 0.08),
        "brightness": np.ones(m),
    }
    for key, value in values.items():
        p[key] = np.broadcast_to(np.asarray(value, dtype=np.float64), (m,)).copy()
    return p


# ---------------------------------------------------------------------------------
# Classes
# ---------------------------------------------------------------------------------


def _smooth(cv, rng, kind):
    """Ellipticals: a Sersic spheroid whose axis ratio sets the Galaxy10 class."""
    m = cv.m
    if kind == "round":
        q = 1.0 - np.abs(rng.normal(0.0, 0.1, m))
        q = np.clip(q, 0.6, 1.0)
        n = rng.uniform(2.5, 5.5, m)
    elif kind == "between":
        q = _clipped_normal(rng, 0.63, 0.09, 0.42, 0.92, m)
        n = rng.uniform(2.0, 5.0, m)
    else:
        q = _clipped_normal(rng, 0.33, 0.08, 0.15, 0.55, m)
        n = rng.uniform(1.0, 3.0, m)
    r_eff = rng.uniform(0.05, 0.12, m) * (1.0 + (kind == "cigar") * 0.2)
    amp = _log_uniform(rng, 4.0, 14.0, m)
    x0, y0 = _centre(rng, m)
    pa = rng.uniform(0.0, np.pi, m)
    xr, yr = P.rotate(cv.x, cv.y, x0, y0, pa)
    cv.add(P.sersic(xr, yr, amp, r_eff, n, q, cv.softening), _colours(rng, _OLD, m))
    smooth = np.ones(m)
    edge = np.zeros(m)
    if kind == "cigar":
        # Many Galaxy10 cigars are smooth disks seen edge-on (S0s): a thin,
        # armless, dust-free disk under some of them.
        has_disk = rng.random(m) < 0.4
        h = r_eff * rng.uniform(1.0, 1.5, m)
        disk = P.edge_on_disk(
            xr,
            yr,
            amp * rng.uniform(0.5, 1.0, m) * has_disk,
            h,
            h * rng.uniform(0.15, 0.3, m),
            2 * cv.softening,
        )
        cv.add(disk, _colours(rng, 0.5 * (_OLD + _DISK), m))
        smooth = np.where(has_disk, 0.75, 1.0)
        edge = np.where(has_disk, 0.55, 0.15)
    return _votes_params(
        m,
        smooth=smooth,
        q=q,
        edge=edge,
        bt=1.0,
        size=r_eff * np.sqrt(q),
        brightness=amp / 5.0,
    )


def _disk_galaxy(cv, rng, kind):
    """Face-on to inclined spirals: bulge + exponential disk + log-spiral arms."""
    m = cv.m
    h = rng.uniform(0.06, 0.11, m)
    cos_i = rng.uniform(0.45, 1.0, m)
    q_disk = np.sqrt(cos_i**2 + 0.12**2 * (1 - cos_i**2))
    pa = rng.uniform(0.0, np.pi, m)
    x0, y0 = _centre(rng, m)
    amp = _log_uniform(rng, 12.0, 35.0, m)
    if kind == "tight":
        bt = rng.uniform(0.12, 0.4, m)
        n_bulge = rng.uniform(2.0, 4.0, m)
        n_arms = rng.choice([2, 3, 4], m, p=[0.75, 0.15, 0.1])
        pitch = _clipped_normal(rng, 13.0, 3.5, 7.0, 24.0, m)
        arm_frac = rng.uniform(0.35, 0.65, m)
        sharp = rng.uniform(2.0, 5.0, m)
        n_clumps = rng.integers(0, 5, m)
    elif kind == "loose":
        bt = rng.uniform(0.02, 0.16, m)
        n_bulge = rng.uniform(1.0, 2.5, m)
        n_arms = rng.choice([2, 3, 4], m, p=[0.5, 0.25, 0.25])
        pitch = _clipped_normal(rng, 27.0, 5.0, 16.0, 42.0, m)
        arm_frac = rng.uniform(0.55, 0.85, m)
        sharp = rng.uniform(1.5, 4.0, m)
        n_clumps = rng.integers(3, 11, m)
    else:  # barred
        bt = rng.uniform(0.05, 0.22, m)
        n_bulge = rng.uniform(1.5, 3.5, m)
        n_arms = rng.choice([2, 4], m, p=[0.9, 0.1])
        pitch = rng.uniform(10.0, 30.0, m)
        arm_frac = rng.uniform(0.45, 0.8, m)
        sharp = rng.uniform(2.5, 6.0, m)
        n_clumps = rng.integers(0, 5, m)

    xd, yd, r, log_r, phi = _disk_polar(cv, x0, y0, pa, cos_i)

    disk = P.exponential(r, amp, h)
    if kind == "barred":
        bar_len = h * rng.uniform(1.1, 2.0, m)
        bar_angle = rng.uniform(0.0, np.pi, m)
        # Most bars are strong; some are weak, as in Galaxy10's barred class.
        bar_amp = amp * np.where(
            rng.random(m) < 0.8, rng.uniform(0.8, 2.0, m), rng.uniform(0.3, 0.8, m)
        )
        r_in = bar_len
        # Arms leave the ends of the bar.
        phase0 = n_arms * bar_angle - n_arms * np.log(bar_len) / np.tan(
            np.radians(pitch)
        )
    else:
        r_in = h * rng.uniform(0.4, 0.9, m)
        phase0 = rng.uniform(0.0, 2 * np.pi, m)
    arms = P.log_spiral(phi, log_r, n_arms, np.radians(pitch), phase0, sharp)
    if kind == "loose":
        # Flocculent: spurs and gaps break the arms of late-type spirals up.
        floc = P.log_spiral(
            phi,
            log_r,
            rng.integers(5, 10, m),
            np.radians(rng.uniform(20.0, 50.0, m)),
            rng.uniform(0, 2 * np.pi, m),
            np.ones(m),
        )
        floc *= P.col(rng.uniform(0.5, 1.0, m))
        floc += F32(0.5)
        arms *= floc
    # Normalise the arm pattern to unit mean so arms redistribute, not add, light.
    arms *= P.col(arm_frac / ive(0, sharp))
    # Arms start at r_in (the bar's ends for barred spirals).
    inner = r / P.col(r_in)
    inner *= inner
    inner *= inner
    np.negative(inner, out=inner)
    np.exp(inner, out=inner)  # ~1 inside r_in, ~0 outside
    fade = np.subtract(F32(1.0), inner)
    arms *= fade
    fade *= P.col(arm_frac)
    np.subtract(F32(1.0), fade, out=fade)  # smooth share of the disk
    if kind == "barred":
        # A bar sweeps the disk inside its radius: a darker zone around it.
        inner *= P.col(rng.uniform(0.3, 0.7, m))
        fade -= inner
    arms *= disk
    disk *= fade
    young = rng.uniform(0.2, 0.8, (m, 1))
    cv.add(disk, _colours(rng, _DISK, m))
    cv.add(arms, _colours(rng, (1 - young) * _DISK + young * _YOUNG, m))

    # Bulge flux from B/T against the projected disk flux.
    disk_flux = 2 * np.pi * h**2 * cos_i * amp
    q_bulge = rng.uniform(0.75, 1.0, m)
    r_bulge = h * rng.uniform(0.2, 0.4, m)
    bulge_amp = (
        bt / (1 - bt) * disk_flux / P.sersic_total(1.0, r_bulge, n_bulge, q_bulge)
    )
    bulge_pa = pa + rng.normal(0.0, 0.3, m)
    bx, by = P.rotate(cv.x, cv.y, x0, y0, bulge_pa)
    cv.add(
        P.sersic(bx, by, bulge_amp, r_bulge, n_bulge, q_bulge, cv.softening),
        _colours(rng, _OLD, m),
    )

    bar = np.zeros(m)
    ring = np.zeros(m)
    if kind == "barred":
        bar_q = rng.uniform(0.2, 0.3, m)
        cv.add(
            P.ferrers(xd, yd, bar_amp, bar_len, bar_q, bar_angle),
            _colours(rng, 0.5 * (_OLD + _DISK), m),
        )
        bar = np.clip(bar_amp / amp * bar_len / h / 1.2, 0.0, 1.0)
        has_ring = rng.random(m) < 0.35
        ring_amp = amp * np.exp(-bar_len / h) * rng.uniform(0.4, 0.8, m) * has_ring
        ring_img = r - P.col(bar_len * 1.05)
        ring_img /= P.col(bar_len * 0.12)
        ring_img *= ring_img
        ring_img *= F32(-0.5)
        np.exp(ring_img, out=ring_img)
        ring_img *= P.col(ring_amp)
        cv.add(ring_img, _colours(rng, _YOUNG, m))
        ring = has_ring.astype(float)

    # Star-forming clumps (HII regions) along the arms.
    k = 10
    rad = h[:, None] * rng.uniform(0.8, 2.6, (m, k))
    rad = np.maximum(rad, r_in[:, None])
    arm_idx = rng.integers(0, 4, (m, k)) % n_arms[:, None]
    ang = (
        phase0[:, None]
        + n_arms[:, None] * np.log(rad) / np.tan(np.radians(pitch))[:, None]
        + 2 * np.pi * arm_idx
    ) / n_arms[:, None] + rng.normal(0, 0.08, (m, k))
    width = rng.uniform(0.006, 0.014, m)
    lum = rng.uniform(2.0, 7.0, (m, k)) * (np.arange(k)[None] < n_clumps[:, None])
    sx, sy = _disk_to_sky(rad * np.cos(ang), rad * np.sin(ang), x0, y0, pa, cos_i)
    clumps = P.gaussian_clumps(cv.size, sx, sy, width, lum)
    cv.add(clumps, _colours(rng, _YOUNG, m))

    arm_vis = np.clip(
        1.7 * arm_frac * (sharp / 3.0) ** 0.25 * (0.6 + 0.4 * cos_i), 0, 1
    )
    return _votes_params(
        m,
        q=q_disk,
        edge=np.clip((np.degrees(np.arccos(cos_i)) - 55.0) / 35.0, 0.0, 1.0),
        bar=bar,
        arms=arm_vis,
        pitch=pitch,
        n_arms=n_arms,
        bt=bt,
        ring=ring,
        disturb=0.1 * (kind == "loose") * n_clumps / 10.0,
        size=h,
        brightness=amp / 20.0,
    )


def _edge_on(cv, rng, kind):
    """Edge-on disks, thin and bulgeless or thicker with a bulge and a dust lane."""
    m = cv.m
    h = rng.uniform(0.08, 0.14, m)
    pa = rng.uniform(0.0, np.pi, m)
    x0, y0 = _centre(rng, m)
    incl = np.radians(rng.uniform(83.0, 90.0, m))
    if kind == "bulge":
        h *= 1.15
        z0 = h * rng.uniform(0.15, 0.25, m)
        amp = _log_uniform(rng, 20.0, 60.0, m)
        bt = rng.uniform(0.25, 0.6, m)
        lane_tau = rng.uniform(1.5, 4.0, m) * (rng.random(m) < 0.75)
    else:
        z0 = h * rng.uniform(0.06, 0.13, m)
        amp = _log_uniform(rng, 30.0, 90.0, m)
        bt = np.zeros(m)
        lane_tau = rng.uniform(0.2, 0.8, m) * (rng.random(m) < 0.2)
    z_eff = z0 + 0.7 * h * np.cos(incl)
    xr, yr = P.rotate(cv.x, cv.y, x0, y0, pa)
    disk = P.edge_on_disk(xr, yr, amp, h, z_eff, 0.5 * h)
    disk_colour = _colours(
        rng, _DISK if kind == "bulge" else 0.4 * _DISK + 0.6 * _YOUNG, m
    )

    # Bulge flux against the edge-on disk's flux (2 h * 2 z_eff * I0 for sech^2).
    disk_flux = 4.0 * h * z_eff * amp
    n_bulge = rng.uniform(1.5, 4.0, m)
    q_bulge = rng.uniform(0.55, 0.9, m)
    r_bulge = h * rng.uniform(0.25, 0.5, m)
    bulge_amp = (
        bt / (1 - bt) * disk_flux / P.sersic_total(1.0, r_bulge, n_bulge, q_bulge)
    )

    # The dust lane sits along the midplane, shifted by the small tilt from 90 deg.
    lane_width = z_eff * rng.uniform(0.3, 0.55, m)
    lane_y = rng.choice([-1.0, 1.0], m) * np.minimum(
        np.cos(incl) * h, lane_width * rng.uniform(0.3, 1.0, m)
    )
    lane = yr - P.col(lane_y)
    lane /= P.col(lane_width)
    lane *= lane
    lane *= F32(-0.5)
    lane -= np.abs(xr) / P.col(1.6 * h)
    np.exp(lane, out=lane)
    lane *= P.col(lane_tau)
    if kind == "bulge":
        bulge = P.sersic(xr, yr, bulge_amp, r_bulge, n_bulge, q_bulge, cv.softening)
        layers = [(disk, disk_colour), (bulge, _colours(rng, _OLD, m))]
    else:
        layers = [(disk, disk_colour)]
    if np.any(lane_tau > 0):
        # Attenuation depends on colour: split each layer into channels here.
        for image, colour in layers:
            for k in range(3):
                att = np.exp(lane * F32(-_DUST[k]))
                att *= image
                unit = np.zeros((m, 3))
                unit[:, k] = colour[:, k]
                cv.add(att, unit)
    else:
        for image, colour in layers:
            cv.add(image, colour)
    return _votes_params(
        m,
        q=z_eff / h,
        edge=np.clip(0.85 + 0.15 * (np.degrees(incl) - 83.0) / 7.0, 0.0, 1.0),
        bt=bt,
        lane=np.clip(lane_tau / 1.5, 0.0, 1.0),
        boxy=(rng.random(m) < 0.2) * (kind == "bulge"),
        size=h,
        brightness=amp / 40.0,
    )


def _lopsided_disk(cv, rng, x0, y0, h, amp, strength):
    """An exponential disk with m = 1, 2, 3 distortions: asymmetric, irregular."""
    m = cv.m
    pa = rng.uniform(0.0, np.pi, m)
    cos_i = rng.uniform(0.4, 1.0, m)
    xd, yd, r, log_r, phi = _disk_polar(cv, x0, y0, pa, cos_i)
    mod = np.zeros_like(r)
    for order, share in ((1, 1.0), (2, 0.6), (3, 0.4)):
        wind = P.col(rng.uniform(-3.0, 3.0, m))
        phase = phi * F32(order)
        phase += log_r * wind
        phase -= P.col(rng.uniform(0, 2 * np.pi, m))
        np.cos(phase, out=phase)
        phase *= P.col(strength * share * rng.uniform(0.5, 1.0, m))
        mod += phase
    # Distortions grow outwards, as tides act on the outer disk first.
    grow = r / P.col(h)
    grow /= grow + F32(0.5)
    mod *= grow
    mod -= r / P.col(h)
    np.exp(mod, out=mod)
    mod *= P.col(amp)
    return mod, (x0, y0, pa, cos_i)


def _disturbed(cv, rng):
    """Disturbed galaxies: lopsided, irregular, clumpy light with no companion."""
    m = cv.m
    h = rng.uniform(0.06, 0.12, m)
    amp = _log_uniform(rng, 12.0, 40.0, m)
    x0, y0 = _centre(rng, m, 0.02)
    strength = rng.uniform(0.7, 1.6, m)
    disk, geometry = _lopsided_disk(cv, rng, x0, y0, h, amp, strength)
    cv.add(disk, _colours(rng, 0.6 * _DISK + 0.4 * _YOUNG, m))
    k = 10
    n_clumps = rng.integers(3, 11, m)
    rad = h[:, None] * np.sqrt(rng.uniform(0.0, 5.0, (m, k)))
    ang = rng.uniform(0, 2 * np.pi, (m, k))
    width = rng.uniform(0.007, 0.016, m)
    lum = rng.uniform(2.0, 8.0, (m, k)) * (np.arange(k)[None] < n_clumps[:, None])
    sx, sy = _disk_to_sky(rad * np.cos(ang), rad * np.sin(ang), *geometry)
    cv.add(P.gaussian_clumps(cv.size, sx, sy, width, lum), _colours(rng, _YOUNG, m))
    bt = rng.uniform(0.0, 0.2, m)
    r_bulge = h * 0.25
    bulge_amp = bt * 2 * np.pi * h**2 * amp / P.sersic_total(1.0, r_bulge, 2.0, 0.9)
    bx, by = P.rotate(cv.x, cv.y, x0 + rng.normal(0, 0.01, m), y0, np.zeros(m))
    cv.add(
        P.sersic(bx, by, bulge_amp, r_bulge, 2.0, 0.9, cv.softening),
        _colours(rng, _OLD, m),
    )
    # A faint plume or shell on some.
    has_plume = rng.random(m) < 0.5
    tx, ty = P.rotate(cv.x, cv.y, x0, y0, rng.uniform(0, 2 * np.pi, m))
    cv.add(
        P.tidal_tail(
            tx,
            ty,
            amp * 0.12 * has_plume,
            h * rng.uniform(1.0, 2.0, m),
            h * rng.uniform(0.2, 0.6, m),
            h * rng.uniform(0.3, 0.6, m),
            rng.uniform(0.8, 2.0, m),
            rng.choice([-1.0, 1.0], m),
        ),
        _colours(rng, _DISK, m),
    )
    return _votes_params(
        m,
        q=rng.uniform(0.5, 1.0, m),
        disturb=np.clip(0.35 + 0.5 * strength + 0.03 * n_clumps, 0, 1),
        merger=0.1 * has_plume,
        bt=bt,
        arms=0.15 * strength,
        n_arms=1.0,
        size=h,
        brightness=amp / 15.0,
    )


def _merging(cv, rng):
    """Two overlapping galaxies with tidal tails."""
    m = cv.m
    sep = rng.uniform(0.07, 0.28, m)
    ang = rng.uniform(0, 2 * np.pi, m)
    ratio = rng.uniform(0.3, 1.0, m)
    cx, cy = _centre(rng, m)
    share = ratio / (1 + ratio)
    pos = [
        (cx - share * sep * np.cos(ang), cy - share * sep * np.sin(ang)),
        (cx + (1 - share) * sep * np.cos(ang), cy + (1 - share) * sep * np.sin(ang)),
    ]
    amp0 = _log_uniform(rng, 8.0, 25.0, m)
    tails = np.zeros(m)
    for j, (x0, y0) in enumerate(pos):
        scale = 1.0 if j == 0 else np.sqrt(ratio)
        h = rng.uniform(0.05, 0.09, m) * scale
        amp = amp0 * (1.0 if j == 0 else rng.uniform(0.6, 1.2, m))
        disk, _ = _lopsided_disk(cv, rng, x0, y0, h, amp, rng.uniform(0.2, 0.6, m))
        cv.add(disk, _colours(rng, _DISK, m))
        r_bulge = h * rng.uniform(0.2, 0.5, m)
        bt = rng.uniform(0.15, 0.6, m)
        n_b = rng.uniform(1.5, 4.0, m)
        bulge_amp = (
            bt
            / (1 - bt)
            * 2
            * np.pi
            * h**2
            * amp
            / P.sersic_total(1.0, r_bulge, n_b, 0.9)
        )
        bx, by = P.rotate(cv.x, cv.y, x0, y0, rng.uniform(0, np.pi, m))
        cv.add(
            P.sersic(
                bx, by, bulge_amp, r_bulge, n_b, rng.uniform(0.7, 1.0, m), cv.softening
            ),
            _colours(rng, _OLD, m),
        )
        has_tail = rng.random(m) < (0.85 if j == 0 else 0.6)
        tails += has_tail
        tx, ty = P.rotate(cv.x, cv.y, x0, y0, rng.uniform(0, 2 * np.pi, m))
        cv.add(
            P.tidal_tail(
                tx,
                ty,
                rng.uniform(2.5, 8.0, m) * has_tail,
                h * rng.uniform(1.0, 1.8, m),
                rng.uniform(0.025, 0.06, m),
                rng.uniform(0.012, 0.025, m),
                rng.uniform(1.5, 3.5, m),
                rng.choice([-1.0, 1.0], m),
            ),
            _colours(rng, 0.5 * (_DISK + _YOUNG), m),
        )
    return _votes_params(
        m,
        q=rng.uniform(0.5, 1.0, m),
        merger=np.clip(0.55 + 0.2 * tails + 0.3 * (sep < 0.2), 0, 1),
        disturb=np.clip(0.3 + 0.15 * tails, 0, 1),
        bt=0.35,
        smooth=0.25 * (tails == 0),
        size=sep,
        brightness=amp0 / 15.0,
    )


_RENDERERS = {
    0: _disturbed,
    1: _merging,
    2: lambda cv, rng: _smooth(cv, rng, "round"),
    3: lambda cv, rng: _smooth(cv, rng, "between"),
    4: lambda cv, rng: _smooth(cv, rng, "cigar"),
    5: lambda cv, rng: _disk_galaxy(cv, rng, "barred"),
    6: lambda cv, rng: _disk_galaxy(cv, rng, "tight"),
    7: lambda cv, rng: _disk_galaxy(cv, rng, "loose"),
    8: lambda cv, rng: _edge_on(cv, rng, "thin"),
    9: lambda cv, rng: _edge_on(cv, rng, "bulge"),
}


# ---------------------------------------------------------------------------------
# Observation
# ---------------------------------------------------------------------------------


def _point_sources(flux, rng, n_stars, fwhm):
    """Foreground stars and faint background galaxies, as deltas before the PSF."""
    m, c, s, _ = flux.shape
    weights = np.eye(3) if c == 3 else _REC601[:, None]
    sigma_px = np.maximum(np.asarray(fwhm) / 2.3548, 0.5)
    # Stars: peak surface brightness from a steep power law; colours blue to red.
    counts = rng.poisson(n_stars, m) if n_stars > 0 else np.zeros(m, int)
    gal = np.repeat(np.arange(m), counts)
    if gal.size:
        peak = _log_uniform(rng, 4.0, 1500.0, gal.size) ** rng.uniform(
            0.6, 1.0, gal.size
        )
        total = peak * 2 * np.pi * sigma_px[gal] ** 2
        t = rng.random(gal.size)[:, None]
        colour = (
            t * np.array([1.0, 0.85, 0.62]) + (1 - t) * np.array([0.78, 0.88, 1.0])
        ) @ weights
        yi, xi = rng.integers(0, s, (2, gal.size))
        for k in range(c):
            np.add.at(flux[:, k], (gal, yi, xi), (total * colour[:, k]).astype(F32))
    # Faint, barely resolved background galaxies: two adjacent pixels each.
    counts = rng.poisson(2.5 * n_stars * (s / 64.0) ** 0.5, m)
    gal = np.repeat(np.arange(m), counts)
    if gal.size:
        total = _log_uniform(rng, 3.0, 25.0, gal.size) * 2 * np.pi * sigma_px[gal] ** 2
        split = rng.uniform(0.5, 1.0, gal.size)
        colour = _colours(rng, 0.5 * (_OLD + _DISK), gal.size, 0.1) @ weights
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


def _observe(flux, rng, psf_fwhm, noise, n_stars):
    """PSF, stars, sky and noise, then the asinh stretch: (m, c, s, s) -> uint8."""
    m, c, s, _ = flux.shape
    fwhm = psf_fwhm * rng.uniform(0.85, 1.2, m)
    _point_sources(flux, rng, n_stars, fwhm)
    if psf_fwhm > 0:
        kernel = P.psf_matrices(s, fwhm)
        flux = kernel @ flux
        flux = flux @ kernel  # the kernel is symmetric: K @ F @ K.T
    if noise > 0:
        sigma = np.maximum(flux, F32(0.0))
        sigma *= F32(1.0 / _GAIN)
        sigma += F32(1.0)
        np.sqrt(sigma, out=sigma)
        sigma *= F32(noise)
        sigma *= P.fast_normal(rng, flux.shape)
        flux += sigma
        # Imperfect sky subtraction leaves a small offset per image (and band).
        sky = rng.normal(0.0, 0.25, (m, 1, 1, 1)) + rng.normal(0.0, 0.05, (m, c, 1, 1))
        flux += (noise * sky).astype(F32)
    pedestal = _SKY_PEDESTAL if c == 3 else [_SKY_PEDESTAL @ _REC601]
    offset = np.asarray(pedestal, dtype=F32).reshape(1, c, 1, 1)
    # Channels last, written by the uint8 cast itself (no extra transpose copy).
    out = np.empty((m, s, s, c), dtype=np.uint8)
    P.asinh_to_uint8(
        flux, _STRETCH_SOFTENING, _STRETCH_SCALE, offset, np.moveaxis(out, -1, 1)
    )
    return out


def _render_chunk(label, m, seed, size, n_channels, psf_fwhm, noise, n_stars, votes):
    rng = np.random.default_rng(seed)
    cv = _Canvas(m, size)
    params = _RENDERERS[label](cv, rng)
    weights = np.eye(3) if n_channels == 3 else _REC601[:, None]
    flux = cv.render(weights * _BRIGHTNESS)
    del cv
    images = _observe(flux, rng, psf_fwhm, noise, n_stars)
    if n_channels == 1:
        images = images[..., 0]
    # Votes are drawn last, so the images do not depend on return_votes.
    cond = _conditional_votes(params, rng) if votes else None
    return images, cond


# ---------------------------------------------------------------------------------
# Galaxy Zoo votes
# ---------------------------------------------------------------------------------


def _bump(value, centre, width):
    return -0.5 * ((np.asarray(value) - centre) / width) ** 2


def _answer_logits(p):
    """Logits of each Galaxy Zoo answer given a galaxy's true parameters."""
    feat = np.clip(
        np.maximum.reduce(
            [
                p["arms"],
                p["bar"],
                0.8 * p["disturb"],
                0.95 * p["edge"],
                0.7 * p["merger"],
                p["lane"],
            ]
        ),
        0.0,
        1.0,
    )
    odd = np.maximum.reduce(
        [p["disturb"], p["merger"], 0.85 * p["ring"], 0.7 * p["lane"]]
    )
    irregular = np.clip(p["disturb"] - 0.3, 0.0, 1.0)
    bt = np.clip(p["bt"], 0.0, 1.0)
    has_bulge = bt > 0.05
    arms = p["arms"]
    n = p["n_arms"]
    zero = np.zeros_like(feat)
    return {
        # Q1: smooth / features or disk / star or artifact.
        "Class1.1": 3.0 * p["smooth"] - 5.0 * feat + 0.3,
        "Class1.2": zero,
        "Class1.3": zero - 5.0,
        # Q2: edge-on yes / no.
        "Class2.1": 9.0 * (p["edge"] - 0.5),
        "Class2.2": zero,
        # Q3: bar yes / no.
        "Class3.1": 8.0 * (p["bar"] - 0.45),
        "Class3.2": zero,
        # Q4: spiral arms yes / no.
        "Class4.1": 9.0 * (arms - 0.3),
        "Class4.2": zero,
        # Q5: bulge none / just noticeable / obvious / dominant.
        "Class5.1": _bump(bt, 0.0, 0.04),
        "Class5.2": _bump(bt, 0.09, 0.05),
        "Class5.3": _bump(bt, 0.25, 0.09),
        "Class5.4": _bump(bt, 0.6, 0.15),
        # Q6: anything odd yes / no.
        "Class6.1": 7.0 * (odd - 0.4),
        "Class6.2": zero,
        # Q7: completely round / in between / cigar-shaped.
        "Class7.1": 2 * _bump(p["q"], 0.95, 0.09),
        "Class7.2": 2 * _bump(p["q"], 0.65, 0.1),
        "Class7.3": 2 * _bump(p["q"], 0.3, 0.1),
        # Q8: ring, lens or arc, disturbed, irregular, other, merger, dust lane.
        "Class8.1": 7.0 * p["ring"] - 2.5,
        "Class8.2": zero - 2.5,
        "Class8.3": 6.0 * p["disturb"] - 2.5,
        "Class8.4": 6.0 * irregular - 1.5,
        "Class8.5": zero - 1.0,
        "Class8.6": 8.0 * p["merger"] - 2.5,
        "Class8.7": 7.0 * p["lane"] - 2.0,
        # Q9: edge-on bulge rounded / boxy / none.
        "Class9.1": np.where(has_bulge, 2.5, -2.5),
        "Class9.2": np.where(has_bulge, 3.0 * p["boxy"], -3.0),
        "Class9.3": np.where(has_bulge, -2.5, 2.5),
        # Q10: arms tightly wound / medium / loose (pitch angle, degrees).
        "Class10.1": 2 * _bump(p["pitch"], 9.0, 5.0),
        "Class10.2": 2 * _bump(p["pitch"], 19.0, 5.0),
        "Class10.3": 2 * _bump(p["pitch"], 31.0, 6.0),
        # Q11: number of arms 1, 2, 3, 4, more than four, can't tell.
        "Class11.1": -1.5 * (n - 1) ** 2,
        "Class11.2": -1.5 * (n - 2) ** 2,
        "Class11.3": -1.5 * (n - 3) ** 2,
        "Class11.4": -1.5 * (n - 4) ** 2,
        "Class11.5": -1.5 * (n - 5.5) ** 2,
        "Class11.6": 3.0 * (0.6 - arms) - 1.0,
    }


def _conditional_votes(p, rng):
    """Per-question answer fractions: a softmax of the answers' logits, seen by a
    few dozen volunteers (Dirichlet noise), less certain for small or faint galaxies.
    """
    logits = _answer_logits(p)
    m = len(p["q"])
    confidence = np.clip(
        0.55 + 0.25 * np.log1p(p["brightness"]) + 3.0 * p["size"], 0.5, 1.4
    )
    volunteers = rng.uniform(25.0, 50.0, m)
    cond = np.empty((m, len(VOTE_COLUMNS)))
    for sl in QUESTION_SLICES:
        z = np.stack([logits[name] for name in VOTE_COLUMNS[sl]], axis=1)
        z = z * confidence[:, None]
        z -= z.max(axis=1, keepdims=True)
        prob = np.exp(z)
        prob /= prob.sum(axis=1, keepdims=True)
        draw = rng.standard_gamma(volunteers[:, None] * prob + 1e-3)
        total = draw.sum(axis=1, keepdims=True)
        cond[:, sl] = np.divide(draw, total, out=prob.copy(), where=total > 0)
    return cond


# ---------------------------------------------------------------------------------
# Public function
# ---------------------------------------------------------------------------------


def _resolve_classes(classes):
    """Galaxy10 indices to draw and the label of each: (indices, labels)."""

    def to_index(c):
        if isinstance(c, str):
            if c not in GALAXY10_CLASSES:
                raise ValueError(
                    f"Unknown Galaxy10 class {c!r}; expected one of "
                    f"{list(GALAXY10_CLASSES)} or an index 0-9."
                )
            return GALAXY10_CLASSES.index(c)
        if isinstance(c, numbers.Integral) and not isinstance(c, bool):
            if not 0 <= c < len(GALAXY10_CLASSES):
                raise ValueError(
                    f"Galaxy10 class index {c} is out of range; expected 0-9."
                )
            return int(c)
        raise TypeError(
            f"Galaxy10 classes are given by name or index 0-9, got {c!r} "
            f"({type(c).__name__})."
        )

    if classes is None:
        idx = list(range(len(GALAXY10_CLASSES)))
        return [[i] for i in idx], idx
    if isinstance(classes, str):
        classes = CLASS_MAPPINGS[classes]
    if isinstance(classes, Mapping):
        groups = []
        for name, members in classes.items():
            if isinstance(members, (str, numbers.Integral)):
                members = [members]
            members = [to_index(c) for c in members]
            if not members:
                raise ValueError(f"Class group {name!r} lists no Galaxy10 class.")
            groups.append(members)
        flat = [i for g in groups for i in g]
        if len(set(flat)) != len(flat):
            raise ValueError(
                "A Galaxy10 class appears in more than one group of `classes`."
            )
        return groups, list(range(len(groups)))
    idx = [to_index(c) for c in np.asarray(classes, dtype=object).ravel()]
    if not idx:
        raise ValueError("`classes` is empty; give at least one Galaxy10 class.")
    if len(set(idx)) != len(idx):
        raise ValueError(f"`classes` lists a Galaxy10 class twice: {classes!r}.")
    return [[i] for i in idx], idx


@validate_params(
    {
        "n_samples": [Interval(numbers.Integral, 1, None, closed="left")],
        "image_size": [Interval(numbers.Integral, 16, None, closed="left")],
        "n_channels": [Options(numbers.Integral, {1, 3})],
        "classes": [None, StrOptions(set(CLASS_MAPPINGS)), Mapping, "array-like"],
        "noise": [Interval(numbers.Real, 0, None, closed="left")],
        "psf_fwhm": [None, Interval(numbers.Real, 0, None, closed="left")],
        "n_stars": [Interval(numbers.Real, 0, None, closed="left")],
        "return_votes": ["boolean"],
        "random_state": ["random_state"],
        "n_jobs": [numbers.Integral, None],
        "verbose": ["boolean"],
    },
    prefer_skip_nested_validation=True,
)
def make_galaxies(
    n_samples=1000,
    *,
    image_size=64,
    n_channels=3,
    classes=None,
    noise=1.0,
    psf_fwhm=None,
    n_stars=1.0,
    return_votes=False,
    random_state=None,
    n_jobs=None,
    verbose=False,
):
    """Generate labelled galaxy images of the ten Galaxy10 DECaLS classes.

    Each galaxy is rendered from a physical model of its class: Sersic spheroids
    whose axis ratio makes them round, in-between or cigar-shaped; exponential disks
    with logarithmic spiral arms (tightly or loosely wound by their pitch angle),
    bars, rings and star-forming clumps; thin edge-on disks with or without a bulge
    and a dust lane; lopsided, clumpy disturbed galaxies; and merging pairs with
    tidal tails. Orientation, size, inclination and a small centre offset are random.
    The light is then observed: a Gaussian point-spread function, foreground stars
    and faint background galaxies, sky with photon and read noise, and the asinh
    stretch to 8 bits that survey colour cutouts use. Bulges and ellipticals are
    redder than disks, arms and clumps bluer, so colour carries information as in
    the g, r, z images of Galaxy10 DECaLS (shown as R = z, G = r, B = g).

    Parameters
    ----------
    n_samples : int, default=1000
        Number of galaxies. Classes are balanced (they differ by at most one).
    image_size : int, default=64
        Height and width of the images in pixels, at least 16. The field of view
        is fixed, so a larger size shows the same galaxies in finer detail.
    n_channels : {1, 3}, default=3
        3 gives colour images ``(n, h, w, 3)``; 1 gives gray images ``(n, h, w)``
        (Rec.601 luminance of the colour light, observed with the same noise).
    classes : None, str, dict or sequence of {int, str}, default=None
        Which classes to draw and how to label them:

        - None: all ten Galaxy10 classes, labels 0-9 as in
          :data:`GALAXY10_CLASSES`;
        - a sequence of Galaxy10 indices or names: only those classes, labels
          keep their Galaxy10 index;
        - a dict ``{group name: sequence of Galaxy10 classes}``: coarser classes,
          labelled 0, 1, ... in the dict's order; each group is equally frequent
          and its members are drawn uniformly within it;
        - a str naming one of :data:`CLASS_MAPPINGS`:
          ``"elliptical-spiral-irregular"`` (seed 003's three classes),
          ``"hubble"`` (the classes of :func:`hubble_class`) or ``"gz1"``
          (elliptical, spiral, edge-on, merger as in gz1_small).
    noise : float, default=1.0
        Scale of the sky, read and photon noise: 1 is survey-like, 0 noiseless.
    psf_fwhm : float or None, default=None
        Full width at half maximum of the Gaussian PSF in pixels;
        None means ``image_size / 50`` (about 1.3 arcsec on a 256-pixel Galaxy10
        cutout). Each galaxy's seeing scatters by -15 % to +20 % around it; 0
        turns the PSF off.
    n_stars : float, default=1.0
        Mean number of foreground stars per image (Poisson); faint, barely
        resolved background galaxies scale with it (2.5 per 64-pixel image at
        1.0). 0 gives a clean field.
    return_votes : bool, default=False
        Also return Galaxy Zoo vote fractions derived from each galaxy's true
        parameters (see Notes).
    random_state : int, RandomState instance or None, default=None
        Seeds the generator; pass an int for reproducible output.
    n_jobs : int or None, default=None
        Threads rendering chunks of galaxies in parallel (NumPy releases the GIL).
        None means 1 unless in a :func:`joblib.parallel_config` context; -1 uses all
        processors. The output does not depend on ``n_jobs``.
    verbose : bool, default=False
        Show a progress bar (tqdm).

    Returns
    -------
    X : ndarray of shape (n_samples, image_size, image_size[, 3]), dtype uint8
        The images.
    y : ndarray of shape (n_samples,), dtype int
        The labels (see ``classes``).
    votes : ndarray of shape (n_samples, 37), dtype float64
        Only with ``return_votes=True``: vote fractions in the Kaggle column order
        :data:`VOTE_COLUMNS`, consistent with the decision tree.

    See Also
    --------
    load_galaxy10 : The real Galaxy10 DECaLS images these imitate.
    normalize_votes : The tree normalisation applied to the votes.
    hubble_class : Hubble classes from vote fractions.

    Notes
    -----
    Surface brightness is in units of the sky noise of one pixel, so images look
    the same at every ``image_size``. The stretch is ``17 + 40 asinh(f / 8)``
    counts per band, so the sky sits near 17 with a noise of about 5 counts and
    bright cores reach 200-255, as in Galaxy10 cutouts. Noise is Gaussian with
    variance ``noise**2 (1 + f / 50)`` (read and sky noise plus photon noise at
    high counts), drawn from a 16-bit inverse-CDF table for speed.

    Neighbouring classes overlap as they do in real data: the axis-ratio
    distributions of round and in-between smooth galaxies overlap, as do the pitch
    angles of tight and loose spirals, and some bars are weak.

    The votes are what a few dozen volunteers might answer: for each question, the
    answers' probabilities are a softmax of logits computed from the true
    parameters (smoothness, axis ratio, inclination, bar strength, arm visibility,
    pitch angle and number of arms, bulge fraction, disturbance, merger, ring, dust
    lane), sharper for large bright galaxies; a Dirichlet draw around them gives
    the volunteers' disagreement, and :func:`normalize_votes` makes the answers
    tree-consistent.

    Galaxies are rendered in chunks of one class, each from its own
    :class:`numpy.random.SeedSequence` child, so results depend only on
    ``random_state`` and the arguments, never on ``n_jobs``.

    Examples
    --------
    >>> from skgalaxy.datasets import GALAXY10_CLASSES, make_galaxies
    >>> X, y = make_galaxies(20, image_size=32, random_state=0)
    >>> X.shape, X.dtype, y.shape
    ((20, 32, 32, 3), dtype('uint8'), (20,))
    >>> sorted(set(y.tolist())) == list(range(10))
    True
    >>> GALAXY10_CLASSES[y[0]] in GALAXY10_CLASSES
    True

    Gray images of seed 003's three classes, with vote fractions:

    >>> X, y, votes = make_galaxies(
    ...     9, image_size=32, n_channels=1, classes="elliptical-spiral-irregular",
    ...     return_votes=True, random_state=0)
    >>> X.shape, sorted(set(y.tolist())), votes.shape
    ((9, 32, 32), [0, 1, 2], (9, 37))
    """
    groups, labels = _resolve_classes(classes)
    psf = image_size / 50.0 if psf_fwhm is None else float(psf_fwhm)

    rs = check_random_state(random_state)
    root = np.random.SeedSequence(rs.randint(0, 2**32 - 1, size=4, dtype=np.uint64))
    label_rng = np.random.default_rng(root.spawn(1)[0])
    # Balanced labels; within a group, its Galaxy10 classes are drawn uniformly.
    k = len(groups)
    y = np.arange(n_samples) % k
    label_rng.shuffle(y)
    g10 = np.empty(n_samples, dtype=np.intp)
    for j, members in enumerate(groups):
        sel = np.flatnonzero(y == j)
        g10[sel] = label_rng.choice(members, sel.size)
    y = np.asarray(labels)[y]

    chunk = int(np.clip(_CHUNK_PIXELS // image_size**2, 4, 64))
    tasks = []
    for c in range(len(GALAXY10_CLASSES)):
        idx = np.flatnonzero(g10 == c)
        for j, start in enumerate(range(0, idx.size, chunk)):
            seed = np.random.SeedSequence(root.entropy, spawn_key=(1, c, j))
            tasks.append((c, idx[start : start + chunk], seed))

    shape = (n_samples, image_size, image_size) + ((3,) if n_channels == 3 else ())
    X = np.empty(shape, dtype=np.uint8)
    cond = np.empty((n_samples, len(VOTE_COLUMNS))) if return_votes else None

    def run(c, idx, seed):
        images, votes = _render_chunk(
            c, idx.size, seed, image_size, n_channels, psf, noise, n_stars, return_votes
        )
        return idx, images, votes

    parallel = Parallel(
        n_jobs=n_jobs, prefer="threads", return_as="generator_unordered"
    )
    progress = tqdm(
        total=n_samples, desc="make_galaxies", unit="galaxy", disable=not verbose
    )
    with threadpool_limits(limits=1, user_api="blas"), progress:
        for idx, images, votes in parallel(delayed(run)(*t) for t in tasks):
            X[idx] = images
            if return_votes:
                cond[idx] = votes
            progress.update(idx.size)
    if not return_votes:
        return X, y
    return X, y, normalize_votes(cond)
