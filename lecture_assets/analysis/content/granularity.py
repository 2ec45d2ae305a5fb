"""How many chapters a lecture has: a boundary must out-gain cuts of the same text shuffled."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
# shuffles averaged for the noise level; two already agree within a few per cent
NOISE_SHUFFLES = 2
# cuts of the shuffled lecture whose gains are averaged
NOISE_CUTS = 8


def smooth_rows(x: FloatArray, radius: int) -> FloatArray:
    """Mean of each row with its `radius` neighbours either side (lecture sentences are short)."""
    if radius <= 0 or len(x) == 0:
        return x
    n = len(x)
    cum = np.vstack([np.zeros((1, x.shape[1])), np.cumsum(x, axis=0)])
    lo = np.maximum(0, np.arange(n) - radius)
    hi = np.minimum(n, np.arange(n) + radius + 1)
    return np.asarray((cum[hi] - cum[lo]) / (hi - lo)[:, None])


def gain_matrix(
    sim: FloatArray, weights: FloatArray, starts: FloatArray, ends: FloatArray, min_s: float
) -> FloatArray:
    """G[i, j]: weighted cohesion of one chapter holding sentences i..j-1 (-inf if too short).

    The same gain the chapter DP maximises: the weighted sum of similarities inside the
    chapter divided by its weight.
    """
    n = sim.shape[0]
    wsim = sim * weights[:, None] * weights[None, :]
    cum = np.zeros((n + 1, n + 1))
    cum[1:, 1:] = wsim.cumsum(0).cumsum(1)
    wcum = np.concatenate([[0.0], np.cumsum(weights)])
    diag = np.diag(cum)
    block = diag[None, :] + diag[:, None] - cum - cum.T
    gain = block / np.maximum(wcum[None, :] - wcum[:, None], 1e-9)
    i = np.arange(n + 1)[:, None]
    j = np.arange(n + 1)[None, :]
    span = ends[np.maximum(j - 1, 0)] - starts[np.minimum(i, n - 1)]
    return np.asarray(np.where((j > i) & (span >= min_s), gain, -np.inf))


def best_gains(gain: FloatArray, kmax: int) -> FloatArray:
    """Best total gain of the lecture cut into 1..kmax chapters (-inf where impossible)."""
    n = gain.shape[0] - 1
    prev = np.full(n + 1, -np.inf)
    prev[0] = 0.0
    out = []
    for _ in range(kmax):
        prev = np.max(prev[:, None] + gain, axis=0)
        out.append(prev[n])
    return np.array(out)


def noise_gain(
    similarity: Callable[[npt.NDArray[np.int64]], FloatArray],
    weights: FloatArray,
    starts: FloatArray,
    ends: FloatArray,
    min_s: float,
) -> float:
    """What one more chapter boundary gains when the lecture's sentences are in random order.

    `similarity(order)` builds the cohesion matrix of the sentences taken in `order`, exactly
    as for the real lecture (smoothing included), so the shuffled lecture has the same words,
    sentence lengths and noise but no topic structure. A real topic boundary has to gain
    clearly more than this; the level adapts to each lecture's vocabulary and length, which a
    fixed chapter length cannot (human chapters run from 1 to 10 minutes).
    """
    n = len(weights)
    if n < 4:
        return 0.0
    rng = np.random.default_rng(n)  # deterministic: the same lecture gets the same chapters
    gains = []
    for _ in range(NOISE_SHUFFLES):
        order = rng.permutation(n).astype(np.int64)
        curve = best_gains(
            gain_matrix(similarity(order), weights[order], starts, ends, min_s), NOISE_CUTS + 1
        )
        steps = np.diff(curve[np.isfinite(curve)])
        if steps.size:
            gains.append(float(np.mean(steps)))
    return float(np.mean(gains)) if gains else 0.0
