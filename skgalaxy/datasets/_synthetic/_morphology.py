"""Per-class morphology: the physical model of each of the ten Galaxy10 classes.

Each renderer draws its galaxies' physical parameters, adds their light to the
chunk's :class:`~._canvas.Canvas` population by population, and returns the true
parameters the vote model reads.
"""

import numpy as np

from . import _profiles as P
from ._canvas import DISK, OLD, YOUNG
from ._draws import centre, clipped_normal, colours, log_uniform
from ._votes import votes_params

__all__ = ["RENDERERS"]


def _disk_to_sky(xd, yd, x0, y0, pa, cos_i):
    """Sky positions of points given in a disk's plane; (m, k) arrays."""
    c, s = np.cos(pa)[:, None], np.sin(pa)[:, None]
    yr = yd * cos_i[:, None]
    return x0[:, None] + xd * c - yr * s, y0[:, None] + xd * s + yr * c


# An exponential disk's light at its effective radius (1.678 scale lengths),
# over its central light: the reference its colour grades about.
_DISK_AT_R_EFF = np.exp(-1.678)


def _disk_polar(cv, x0, y0, pa, cos_i):
    """Disk-plane coordinates, radius, log-radius and azimuth of inclined disks."""
    xr, yr = P.rotate(cv.x, cv.y, x0, y0, pa)
    xd, yd = P.deproject(xr, yr, cos_i)
    return (xd, yd, *P.polar(xd, yd, cv.softening))


def _smooth(cv, rng, kind):
    """Ellipticals: a Sersic spheroid whose axis ratio sets the Galaxy10 class."""
    m = cv.m
    if kind == "round":
        q = 1.0 - np.abs(rng.normal(0.0, 0.1, m))
        q = np.clip(q, 0.6, 1.0)
        n = rng.uniform(2.5, 5.5, m)
    elif kind == "between":
        q = clipped_normal(rng, 0.63, 0.09, 0.42, 0.92, m)
        n = rng.uniform(2.0, 5.0, m)
    else:
        q = clipped_normal(rng, 0.33, 0.08, 0.15, 0.55, m)
        n = rng.uniform(1.0, 3.0, m)
    n = n * cv.structure["sersic_n"]
    r_eff = rng.uniform(0.05, 0.12, m) * (1.0 + (kind == "cigar") * 0.2)
    amp = log_uniform(rng, 4.0, 14.0, m)
    x0, y0 = centre(rng, m)
    pa = rng.uniform(0.0, np.pi, m)
    xr, yr = P.rotate(cv.x, cv.y, x0, y0, pa)
    cv.add_graded(
        P.sersic(xr, yr, amp, r_eff, n, q, cv.softening), colours(rng, OLD, m), amp
    )
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
        cv.add(disk, colours(rng, 0.5 * (OLD + DISK), m))
        smooth = np.where(has_disk, 0.75, 1.0)
        edge = np.where(has_disk, 0.55, 0.15)
    return votes_params(
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
    x0, y0 = centre(rng, m)
    amp = log_uniform(rng, 12.0, 35.0, m)
    if kind == "tight":
        bt = rng.uniform(0.12, 0.4, m)
        n_bulge = rng.uniform(2.0, 4.0, m)
        n_arms = rng.choice([2, 3, 4], m, p=[0.75, 0.15, 0.1])
        pitch = clipped_normal(rng, 13.0, 3.5, 7.0, 24.0, m)
        arm_frac = rng.uniform(0.35, 0.65, m)
        sharp = rng.uniform(2.0, 5.0, m)
        n_clumps = rng.integers(0, 5, m)
    elif kind == "loose":
        bt = rng.uniform(0.02, 0.16, m)
        n_bulge = rng.uniform(1.0, 2.5, m)
        n_arms = rng.choice([2, 3, 4], m, p=[0.5, 0.25, 0.25])
        pitch = clipped_normal(rng, 27.0, 5.0, 16.0, 42.0, m)
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

    # The volunteers judged the arms on the survey's full-resolution cutouts,
    # which show them better than the images drawn here.
    arm_seen = arm_frac * cv.structure["arm_votes"]
    # The share of the disk's light in its arms, as the survey shows it.
    arm_frac = arm_frac * cv.structure["arms"]
    xd, yd, r, log_r, phi = _disk_polar(cv, x0, y0, pa, cos_i)

    lopsided = cv.structure["lopsided"]
    if lopsided > 0:
        # Real disks are lopsided (an m = 1 mode, wound as the arms are).
        mode = (
            1,
            rng.uniform(-2.0, 2.0, m),
            rng.uniform(0.0, 2 * np.pi, m),
            lopsided * rng.uniform(0.0, 1.0, m),
        )
        disk = P.lopsided_exponential(r, log_r, phi, amp, h, [mode])
    else:
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
        # Late-type spirals' arms are flocculent, broken up by spurs and gaps.
        arms *= P.flocculence(
            phi,
            log_r,
            rng.integers(5, 10, m),
            np.radians(rng.uniform(20.0, 50.0, m)),
            rng.uniform(0, 2 * np.pi, m),
            rng.uniform(0.5, 1.0, m),
        )
    # Arms start at r_in (the bar's ends for barred spirals); a bar sweeps the
    # disk inside its radius, leaving a darker zone around it.
    clearing = rng.uniform(0.3, 0.7, m) if kind == "barred" else None
    disk, arms = P.spiral_disk(
        disk, arms, sharp, arm_frac, P.inner_taper(r, r_in), clearing
    )
    young = rng.uniform(0.2, 0.8, (m, 1))
    cv.add_graded(disk, colours(rng, DISK, m), amp * _DISK_AT_R_EFF)
    cv.add(arms, colours(rng, (1 - young) * DISK + young * YOUNG, m))

    # Bulge flux from B/T against the projected disk flux.
    disk_flux = 2 * np.pi * h**2 * cos_i * amp
    q_bulge = rng.uniform(0.75, 1.0, m)
    r_bulge = h * rng.uniform(0.2, 0.4, m)
    bulge_amp = P.sersic_amplitude(bt / (1 - bt) * disk_flux, r_bulge, n_bulge, q_bulge)
    bulge_pa = pa + rng.normal(0.0, 0.3, m)
    bx, by = P.rotate(cv.x, cv.y, x0, y0, bulge_pa)
    cv.add_graded(
        P.sersic(bx, by, bulge_amp, r_bulge, n_bulge, q_bulge, cv.softening),
        colours(rng, OLD, m),
        bulge_amp,
    )

    bar = np.zeros(m)
    ring = np.zeros(m)
    if kind == "barred":
        bar_q = rng.uniform(0.2, 0.3, m)
        cv.add(
            P.ferrers(xd, yd, bar_amp, bar_len, bar_q, bar_angle),
            colours(rng, 0.5 * (OLD + DISK), m),
        )
        bar = np.clip(bar_amp / amp * bar_len / h / 1.2, 0.0, 1.0)
        has_ring = rng.random(m) < 0.35
        ring_amp = amp * np.exp(-bar_len / h) * rng.uniform(0.4, 0.8, m) * has_ring
        cv.add(
            P.ring(r, ring_amp, bar_len * 1.05, bar_len * 0.12),
            colours(rng, YOUNG, m),
        )
        ring = has_ring.astype(float)

    # Star-forming clumps (HII regions) along the arms.
    k = 10
    rad = h[:, None] * rng.uniform(0.8, 2.6, (m, k))
    rad = np.maximum(rad, r_in[:, None])
    arm_idx = rng.integers(0, 4, (m, k)) % n_arms[:, None]
    ang = P.spiral_azimuth(
        rad, n_arms, np.radians(pitch), phase0, arm_idx
    ) + rng.normal(0, 0.08, (m, k))
    width = rng.uniform(0.006, 0.014, m)
    lum = rng.uniform(2.0, 7.0, (m, k)) * (np.arange(k)[None] < n_clumps[:, None])
    lum = lum * cv.structure["clumps"]
    sx, sy = _disk_to_sky(rad * np.cos(ang), rad * np.sin(ang), x0, y0, pa, cos_i)
    clumps = cv.clumps(sx, sy, width, lum)
    cv.add(clumps, colours(rng, YOUNG, m))

    arm_vis = np.clip(
        1.7 * arm_seen * (sharp / 3.0) ** 0.25 * (0.6 + 0.4 * cos_i), 0, 1
    )
    return votes_params(
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
    x0, y0 = centre(rng, m)
    incl = np.radians(rng.uniform(cv.structure["edge_on_inclination"], 90.0, m))
    if kind == "bulge":
        h *= 1.15
        z0 = h * rng.uniform(0.15, 0.25, m)
        amp = log_uniform(rng, 20.0, 60.0, m)
        bt = rng.uniform(0.25, 0.6, m)
        lane_tau = rng.uniform(1.5, 4.0, m) * (rng.random(m) < 0.75)
    else:
        z0 = h * rng.uniform(0.06, 0.13, m)
        amp = log_uniform(rng, 30.0, 90.0, m)
        bt = np.zeros(m)
        lane_tau = rng.uniform(0.2, 0.8, m) * (rng.random(m) < 0.2)
    # A survey's edge-on disks are seldom thinner than a share of their length.
    z0 = np.hypot(z0, cv.structure["thickness"] * h)
    lane_tau = lane_tau * cv.structure["dust"]
    z_eff = z0 + 0.7 * h * np.cos(incl)
    xr, yr = P.rotate(cv.x, cv.y, x0, y0, pa)
    disk = P.edge_on_disk(xr, yr, amp, h, z_eff, 0.5 * h)
    disk_colour = colours(rng, DISK if kind == "bulge" else 0.4 * DISK + 0.6 * YOUNG, m)

    # Bulge flux against the edge-on disk's flux (2 h * 2 z_eff * I0 for sech^2).
    disk_flux = 4.0 * h * z_eff * amp
    n_bulge = rng.uniform(1.5, 4.0, m)
    q_bulge = rng.uniform(0.55, 0.9, m)
    r_bulge = h * rng.uniform(0.25, 0.5, m)
    bulge_amp = P.sersic_amplitude(bt / (1 - bt) * disk_flux, r_bulge, n_bulge, q_bulge)

    # The dust lane sits along the midplane, shifted by the small tilt from 90 deg.
    lane_width = z_eff * rng.uniform(0.3, 0.55, m)
    lane_y = rng.choice([-1.0, 1.0], m) * np.minimum(
        np.cos(incl) * h, lane_width * rng.uniform(0.3, 1.0, m)
    )
    lane = P.dust_lane(xr, yr, lane_tau, lane_y, lane_width, 1.6 * h)
    # Each layer's colour grades about its light at its effective radius.
    layers = [(disk, disk_colour, amp * _DISK_AT_R_EFF)]
    if kind == "bulge":
        bulge = P.sersic(xr, yr, bulge_amp, r_bulge, n_bulge, q_bulge, cv.softening)
        layers.append((bulge, colours(rng, OLD, m), bulge_amp))
    if np.any(lane_tau > 0):
        for image, colour, reference in layers:
            cv.add_behind_dust(image, colour, lane, reference)
    else:
        for image, colour, reference in layers:
            cv.add_graded(image, colour, reference)
    return votes_params(
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
    """Draw an exponential disk with m = 1, 2, 3 distortions: asymmetric, irregular."""
    m = cv.m
    pa = rng.uniform(0.0, np.pi, m)
    cos_i = rng.uniform(0.4, 1.0, m)
    _, _, r, log_r, phi = _disk_polar(cv, x0, y0, pa, cos_i)
    # Lopsided (m = 1) and irregular (m = 2, 3) modes, each wound its own way.
    modes = [
        (
            order,
            rng.uniform(-3.0, 3.0, m),
            rng.uniform(0, 2 * np.pi, m),
            strength * share * rng.uniform(0.5, 1.0, m),
        )
        for order, share in ((1, 1.0), (2, 0.6), (3, 0.4))
    ]
    disk = P.lopsided_exponential(r, log_r, phi, amp, h, modes)
    return disk, (x0, y0, pa, cos_i)


def _disturbed(cv, rng):
    """Disturbed galaxies: lopsided, irregular, clumpy light with no companion."""
    m = cv.m
    h = rng.uniform(0.06, 0.12, m)
    amp = log_uniform(rng, 12.0, 40.0, m)
    x0, y0 = centre(rng, m, 0.02)
    strength = rng.uniform(0.7, 1.6, m)
    disk, geometry = _lopsided_disk(cv, rng, x0, y0, h, amp, strength)
    cv.add(disk, colours(rng, 0.6 * DISK + 0.4 * YOUNG, m))
    k = 10
    n_clumps = rng.integers(3, 11, m)
    rad = h[:, None] * np.sqrt(rng.uniform(0.0, 5.0, (m, k)))
    ang = rng.uniform(0, 2 * np.pi, (m, k))
    width = rng.uniform(0.007, 0.016, m)
    lum = rng.uniform(2.0, 8.0, (m, k)) * (np.arange(k)[None] < n_clumps[:, None])
    lum = lum * cv.structure["clumps"]
    sx, sy = _disk_to_sky(rad * np.cos(ang), rad * np.sin(ang), *geometry)
    cv.add(cv.clumps(sx, sy, width, lum), colours(rng, YOUNG, m))
    bt = rng.uniform(0.0, 0.2, m)
    r_bulge = h * 0.25
    bulge_amp = P.sersic_amplitude(bt * 2 * np.pi * h**2 * amp, r_bulge, 2.0, 0.9)
    bx, by = P.rotate(cv.x, cv.y, x0 + rng.normal(0, 0.01, m), y0, np.zeros(m))
    cv.add_graded(
        P.sersic(bx, by, bulge_amp, r_bulge, 2.0, 0.9, cv.softening),
        colours(rng, OLD, m),
        bulge_amp,
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
        colours(rng, DISK, m),
    )
    return votes_params(
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
    cx, cy = centre(rng, m)
    share = ratio / (1 + ratio)
    pos = [
        (cx - share * sep * np.cos(ang), cy - share * sep * np.sin(ang)),
        (cx + (1 - share) * sep * np.cos(ang), cy + (1 - share) * sep * np.sin(ang)),
    ]
    amp0 = log_uniform(rng, 8.0, 25.0, m)
    tails = np.zeros(m)
    for j, (x0, y0) in enumerate(pos):
        scale = 1.0 if j == 0 else np.sqrt(ratio)
        h = rng.uniform(0.05, 0.09, m) * scale
        amp = amp0 * (1.0 if j == 0 else rng.uniform(0.6, 1.2, m))
        disk, _ = _lopsided_disk(cv, rng, x0, y0, h, amp, rng.uniform(0.2, 0.6, m))
        cv.add(disk, colours(rng, DISK, m))
        r_bulge = h * rng.uniform(0.2, 0.5, m)
        bt = rng.uniform(0.15, 0.6, m)
        n_b = rng.uniform(1.5, 4.0, m)
        bulge_flux = bt / (1 - bt) * 2 * np.pi * h**2 * amp
        bulge_amp = P.sersic_amplitude(bulge_flux, r_bulge, n_b, 0.9)
        bx, by = P.rotate(cv.x, cv.y, x0, y0, rng.uniform(0, np.pi, m))
        cv.add_graded(
            P.sersic(
                bx, by, bulge_amp, r_bulge, n_b, rng.uniform(0.7, 1.0, m), cv.softening
            ),
            colours(rng, OLD, m),
            bulge_amp,
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
            colours(rng, 0.5 * (DISK + YOUNG), m),
        )
    return votes_params(
        m,
        q=rng.uniform(0.5, 1.0, m),
        merger=np.clip(0.55 + 0.2 * tails + 0.3 * (sep < 0.2), 0, 1),
        disturb=np.clip(0.3 + 0.15 * tails, 0, 1),
        bt=0.35,
        smooth=0.25 * (tails == 0),
        size=sep,
        brightness=amp0 / 15.0,
    )


RENDERERS = {
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
