"""The vote model: the Galaxy Zoo answers volunteers would give a galaxy.

Each renderer returns the true parameters of its galaxies (:func:`votes_params`);
the answers' logits follow from them, and a Dirichlet draw around their softmax
gives the disagreement of a few dozen volunteers.
"""

import numpy as np

from .._tree import QUESTION_SLICES, VOTE_COLUMNS

__all__ = ["conditional_votes", "votes_params"]


def votes_params(m, **values):
    """Collect the true parameters the vote model reads; unset ones are 'absent'."""
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


def _bump(value, centre, width):
    return -0.5 * ((np.asarray(value) - centre) / width) ** 2


# How clearly the volunteers see rings and dust lanes (factors on them in the
# "odd" answer and their own answers) and how sure they are of smoothness (a
# factor on it in the first answer): 1 in the ideal look.
SEEN = {"rings": 1.0, "lanes": 1.0, "smooth": 1.0, "odd": 1.0}


def _answer_logits(p, seen=None):
    """Logits of each Galaxy Zoo answer given a galaxy's true parameters.

    ``seen`` scales how the volunteers see rings, dust lanes and smoothness
    (see :data:`SEEN`).
    """
    seen = SEEN if seen is None else seen
    ring = p["ring"] * seen["rings"]
    lane = p["lane"] * seen["lanes"]
    feat = np.clip(
        np.maximum.reduce(
            [
                p["arms"],
                p["bar"],
                0.8 * p["disturb"],
                0.95 * p["edge"],
                0.7 * p["merger"],
                lane,
            ]
        ),
        0.0,
        1.0,
    )
    odd = seen["odd"] * np.maximum.reduce(
        [p["disturb"], p["merger"], 0.85 * ring, 0.7 * lane]
    )
    irregular = np.clip(p["disturb"] - 0.3, 0.0, 1.0)
    bt = np.clip(p["bt"], 0.0, 1.0)
    has_bulge = bt > 0.05
    arms = p["arms"]
    n = p["n_arms"]
    zero = np.zeros_like(feat)
    return {
        # Q1: smooth / features or disk / star or artifact.
        "Class1.1": 3.0 * seen["smooth"] * p["smooth"] - 5.0 * feat + 0.3,
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
        "Class8.1": 7.0 * ring - 2.5,
        "Class8.2": zero - 2.5,
        "Class8.3": 6.0 * p["disturb"] - 2.5,
        "Class8.4": 6.0 * irregular - 1.5,
        "Class8.5": zero - 1.0,
        "Class8.6": 8.0 * p["merger"] - 2.5,
        "Class8.7": 7.0 * lane - 2.0,
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


def conditional_votes(p, rng, sharpness=1.0, seen=None):
    """Draw per-question answer fractions from the answers' logits.

    The fractions are a softmax of the logits as seen by a few dozen volunteers
    (Dirichlet noise), less certain for small or faint galaxies. ``sharpness``
    scales every logit: below 1 the volunteers agree less; ``seen`` is passed
    to :func:`_answer_logits`.
    """
    logits = _answer_logits(p, seen)
    m = len(p["q"])
    confidence = np.clip(
        0.55 + 0.25 * np.log1p(p["brightness"]) + 3.0 * p["size"], 0.5, 1.4
    )
    volunteers = rng.uniform(25.0, 50.0, m)
    cond = np.empty((m, len(VOTE_COLUMNS)))
    for sl in QUESTION_SLICES:
        z = np.stack([logits[name] for name in VOTE_COLUMNS[sl]], axis=1)
        z = z * (sharpness * confidence)[:, None]
        z -= z.max(axis=1, keepdims=True)
        prob = np.exp(z)
        prob /= prob.sum(axis=1, keepdims=True)
        draw = rng.standard_gamma(volunteers[:, None] * prob + 1e-3)
        total = draw.sum(axis=1, keepdims=True)
        cond[:, sl] = np.divide(draw, total, out=prob.copy(), where=total > 0)
    return cond
