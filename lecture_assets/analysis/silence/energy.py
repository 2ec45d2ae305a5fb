"""Frame levels and an adaptive, hum-resistant energy speech detector in plain numpy."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from lecture_assets.analysis.media.audio import SAMPLE_RATE, Int16Array, iter_float_chunks

FloatArray = npt.NDArray[np.float64]
HOP = SAMPLE_RATE // 100  # 10 ms
FRAME_HOPS = 3  # 30 ms frames
_CHUNK = HOP * 100 * 60  # one minute of samples per pass
_BAND_HZ = (250.0, 3800.0)  # above mains hum and its first harmonics, below hiss
_CONTEXT_S = 15  # seconds either side used for the local noise floor and speech level


def frame_dbfs(pcm: Int16Array) -> FloatArray:
    """RMS level in dBFS of 30 ms frames every 10 ms (one value per 10 ms hop)."""
    energies: list[FloatArray] = []
    for _, block in iter_float_chunks(pcm, _CHUNK):
        n = len(block) // HOP * HOP
        if n == 0:
            continue
        energies.append(np.sum(block[:n].astype(np.float64).reshape(-1, HOP) ** 2, axis=1))
    if not energies:
        return np.zeros(0)
    hop_energy = np.concatenate(energies)
    window = np.convolve(hop_energy, np.ones(FRAME_HOPS), mode="same") / (HOP * FRAME_HOPS)
    return np.asarray(10 * np.log10(np.maximum(window, 1e-10)))


def band_dbfs(pcm: Int16Array) -> FloatArray:
    """Speech-band (250-3800 Hz) level in dB of 30 ms frames every 10 ms."""
    size = HOP * FRAME_HOPS
    freqs = np.fft.rfftfreq(size, 1 / SAMPLE_RATE)
    band = (freqs >= _BAND_HZ[0]) & (freqs <= _BAND_HZ[1])
    taper = np.hanning(size)
    out: list[FloatArray] = []
    tail = np.zeros(size - HOP, dtype=np.float32)
    for _, block in iter_float_chunks(pcm, _CHUNK):
        data = np.concatenate([tail, block])
        count = (len(data) - size) // HOP + 1
        if count <= 0:
            tail = data[-(size - HOP) :]
            continue
        idx = np.arange(size)[None, :] + HOP * np.arange(count)[:, None]
        spectrum = np.abs(np.fft.rfft(data[idx] * taper, axis=1)) ** 2
        out.append(np.sum(spectrum[:, band], axis=1) / size)
        tail = data[count * HOP : count * HOP + size - HOP]
    if not out:
        return np.zeros(0)
    return np.asarray(10 * np.log10(np.maximum(np.concatenate(out), 1e-10)))


def _rolling(values: FloatArray, radius: int, q: float) -> FloatArray:
    """Percentile q of values within +-radius positions (values are per-second summaries)."""
    out = np.empty_like(values)
    for i in range(len(values)):
        out[i] = np.percentile(values[max(0, i - radius) : i + radius + 1], q)
    return out


def smooth_levels(db: FloatArray) -> FloatArray:
    """Frame levels averaged over five hops (50 ms), the same length as `db`."""
    if len(db) == 0:
        return db
    return np.asarray(np.convolve(db, np.ones(5) / 5, mode="same"))


def energy_probabilities(pcm: Int16Array, band: FloatArray | None = None) -> FloatArray:
    """A 0..1 speech score per 10 ms frame: where the band level sits between the local
    noise floor and the local speech level (both from rolling percentiles, so level changes
    and steady room noise move the thresholds with them).

    `band` is band_dbfs(pcm) when the caller has already computed it.
    """
    db = band_dbfs(pcm) if band is None else band
    if len(db) == 0:
        return db
    per_s = 100
    n_blocks = int(np.ceil(len(db) / per_s))
    padded = np.pad(db, (0, n_blocks * per_s - len(db)), mode="edge").reshape(n_blocks, per_s)
    low = np.percentile(padded, 10, axis=1)
    high = np.percentile(padded, 95, axis=1)
    floor = _rolling(low, _CONTEXT_S, 20)
    level = _rolling(high, _CONTEXT_S, 80)
    floor_f = np.repeat(floor, per_s)[: len(db)]
    # at least 12 dB of headroom, so a steady noise bed never counts as speech
    level_f = np.maximum(np.repeat(level, per_s)[: len(db)], floor_f + 12.0)
    return np.asarray(np.clip((smooth_levels(db) - floor_f) / (level_f - floor_f), 0.0, 1.0))
