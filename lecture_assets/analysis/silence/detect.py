"""Find where the lecturer speaks and where nobody does (Silero v6 VAD or an energy fallback)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
import numpy.typing as npt

from lecture_assets.analysis.media.audio import SAMPLE_RATE, Int16Array, iter_float_chunks, read_pcm
from lecture_assets.analysis.models import Interval, LoudnessStats, SpeechMap
from lecture_assets.analysis.silence.energy import (
    band_dbfs,
    energy_probabilities,
    frame_dbfs,
    smooth_levels,
)

FloatArray = npt.NDArray[np.float64]
_SILERO_WINDOW = 512  # samples per silero decision (32 ms)
_SILERO_CONTEXT = 64
_SILERO_BATCH = 2048  # windows per onnx call (~65 s of audio, ~5 MB float32)
_FLOOR_DBFS = -100.0
_HOP = 0.01  # seconds per frame of the speech decision
_ABOVE_FLOOR = 0.05  # energy score above which a frame is not the noise floor


@dataclass(frozen=True)
class SilenceParams:
    """How speech is told apart from silence; the defaults suit lecture recordings.

    method: "silero" (neural VAD bundled with faster-whisper, robust to noise and hum) or
        "energy" (adaptive noise-floor threshold in numpy, no model needed).
    threshold: speech probability needed to start speech (silero, default 0.35) or, for
        "energy", the fraction of the way from the local noise floor to the local speech
        level (default 0.35). None picks the method's default.
    min_silence_s: gaps shorter than this stay inside speech (breaths, word gaps).
    speech_pad_s: lead-in added before every speech onset (silero fires a window or two
        after a word starts). Ends get no fixed padding: see extend_s.
    extend_s: each edge of speech then grows by up to this much while the sound goes on
        (soft onsets, word tails), and never into silence, so the map stays tight where
        the recording is quiet. Consumers that cut add their own margin.
    extend_db: how far (dB) below the segment's median speech-band level the sound may
        fall and still count as going on; it must also stay above the local noise floor.
    min_speech_s: speech bursts shorter than this are dropped (coughs, clicks).
    normalize: scale quiet recordings up to a normal speech level before silero sees them.
    energy_gate: with silero, frames whose speech-band level sits within this fraction of
        the way from the local noise floor to the speech level are silence (0 disables).
    """

    method: Literal["silero", "energy"] = "silero"
    threshold: float | None = None
    min_silence_s: float = 0.3
    speech_pad_s: float = 0.1
    extend_s: float = 0.3
    extend_db: float = 25.0
    min_speech_s: float = 0.12
    normalize: bool = True
    energy_gate: float = 0.15


def detect_silences(
    wav: Path,
    params: SilenceParams | None = None,
    *,
    on_progress: Callable[[float], None] | None = None,
) -> SpeechMap:
    """Map speech and silence in a 16 kHz mono WAV made by extract_audio().

    The audio is read through a memory map and processed in chunks of about a minute, so
    a two-hour lecture never sits in memory as float32.
    """
    p = params or SilenceParams()
    if p.method not in ("silero", "energy"):
        raise ValueError(f"unknown silence method {p.method!r}; use 'silero' or 'energy'")
    pcm = read_pcm(wav)
    duration = len(pcm) / SAMPLE_RATE
    db = frame_dbfs(pcm)
    if len(pcm) == 0 or float(np.max(db, initial=_FLOOR_DBFS)) <= -80.0:
        return _result(duration, [], db, pcm, p.method)
    band = band_dbfs(pcm)
    energy = energy_probabilities(pcm, band)
    if p.method == "energy":
        probs = energy
        on = 0.35 if p.threshold is None else p.threshold
        off = max(0.0, on - 0.15)
    else:
        gain = _normalizing_gain(db) if p.normalize else 1.0
        silero = _silero_probabilities(pcm, gain, on_progress)
        on = 0.35 if p.threshold is None else p.threshold
        probs = _gate(silero, on, max(0.01, on - 0.15), energy, p.energy_gate)
        on = off = 0.5
    raw = _segments(probs, _HOP, on, off, p)
    speech = _edges(raw, smooth_levels(band), energy, duration, p)
    if on_progress is not None:
        on_progress(1.0)
    return _result(duration, speech, db, pcm, p.method)


def _normalizing_gain(db: FloatArray) -> float:
    """Gain that brings the loud (speech) frames near -20 dBFS, at most +30 dB."""
    voiced = float(np.percentile(db, 95))
    return float(10 ** (np.clip(-20.0 - voiced, 0.0, 30.0) / 20))


def _gate(silero: FloatArray, on: float, off: float, energy: FloatArray, gate: float) -> FloatArray:
    """Silero's hysteresis decision on a 10 ms grid, cleared where the speech band is at
    the local noise floor (this trims silero's slow release in steady room noise)."""
    active = np.zeros(len(silero), dtype=bool)
    state = False
    for i, prob in enumerate(silero):
        state = prob >= on or (state and prob >= off)
        active[i] = state
    n = len(energy)
    idx = np.minimum((np.arange(n) * (SAMPLE_RATE // 100)) // _SILERO_WINDOW, len(active) - 1)
    frames = active[idx].astype(np.float64)
    if gate > 0:
        frames *= energy >= gate
    return frames


def _silero_probabilities(
    pcm: Int16Array, gain: float, on_progress: Callable[[float], None] | None
) -> FloatArray:
    """Speech probability per 32 ms window, streaming state and context between chunks."""
    from faster_whisper.vad import get_vad_model

    session = get_vad_model().session
    h = np.zeros((1, 1, 128), dtype=np.float32)
    c = np.zeros((1, 1, 128), dtype=np.float32)
    context = np.zeros(_SILERO_CONTEXT, dtype=np.float32)
    step = _SILERO_WINDOW * _SILERO_BATCH
    out: list[npt.NDArray[np.float32]] = []
    for first, block in iter_float_chunks(pcm, step):
        if gain != 1.0:
            block = np.clip(block * np.float32(gain), -1.0, 1.0)
        pad = (-len(block)) % _SILERO_WINDOW
        windows = np.pad(block, (0, pad)).reshape(-1, _SILERO_WINDOW)
        # each window sees the last 64 samples of the one before it, as silero expects
        prev = np.concatenate([context[None, :], windows[:-1, -_SILERO_CONTEXT:]], axis=0)
        batch = np.concatenate([prev, windows], axis=1).astype(np.float32)
        probs, h, c = session.run(None, {"input": batch, "h": h, "c": c})
        out.append(np.asarray(probs, dtype=np.float32).reshape(-1))
        context = windows[-1, -_SILERO_CONTEXT:].copy()
        if on_progress is not None:
            on_progress(min(0.99, (first + len(block)) / len(pcm)))
    return np.concatenate(out).astype(np.float64) if out else np.zeros(0)


def _segments(
    probs: FloatArray, hop: float, on: float, off: float, p: SilenceParams
) -> list[tuple[int, int]]:
    """Hysteresis over frame probabilities, then merge short gaps and drop blips.

    Returns [start, end) frame ranges of unpadded speech.
    """
    raw: list[list[int]] = []
    active, start = False, 0
    for i, prob in enumerate(probs):
        if not active and prob >= on:
            active, start = True, i
        elif active and prob < off:
            active = False
            raw.append([start, i])
    if active:
        raw.append([start, len(probs)])
    merged: list[list[int]] = []
    for seg in raw:
        if merged and (seg[0] - merged[-1][1]) * hop < p.min_silence_s:
            merged[-1][1] = seg[1]
        else:
            merged.append(seg)
    return [(a, b) for a, b in merged if (b - a) * hop >= p.min_speech_s]


def _edges(
    segments: list[tuple[int, int]],
    level: FloatArray,
    energy: FloatArray,
    duration: float,
    p: SilenceParams,
) -> list[Interval]:
    """Widen each speech range over the sound around it, then add the lead-in.

    An edge moves outwards (by at most extend_s) while the smoothed speech-band `level`
    stays within extend_db of the range's median level and the `energy` score is above
    the noise floor: word tails and soft onsets are kept, silence is not. Every onset then
    starts at least speech_pad_s early. Ranges that come to touch are merged.
    """
    n, hop = len(level), _HOP
    reach = round(p.extend_s / hop)
    lead = round(p.speech_pad_s / hop)

    def sounding(i: int, floor_db: float) -> bool:
        return bool(level[i] >= floor_db and energy[i] >= _ABOVE_FLOOR)

    out: list[list[int]] = []
    for a, b in segments:
        lo, hi = a, b
        if n > 0 and reach > 0:
            a_in, b_in = min(a, n - 1), min(max(b, a + 1), n)
            floor_db = float(np.median(level[a_in:b_in])) - p.extend_db
            while lo > 0 and a - lo < reach and sounding(lo - 1, floor_db):
                lo -= 1
            while hi < n and hi - b < reach and sounding(hi, floor_db):
                hi += 1
        lo = max(0, min(lo, a - lead))
        if out and lo <= out[-1][1]:
            out[-1][1] = max(out[-1][1], hi)
        else:
            out.append([lo, hi])
    spans = ((round(a * hop, 3), round(min(duration, b * hop), 3)) for a, b in out)
    return [Interval(a, b) for a, b in spans if b > a]


def complement(speech: list[Interval], duration: float) -> list[Interval]:
    """The parts of [0, duration] not covered by the sorted, disjoint `speech` intervals."""
    gaps: list[Interval] = []
    cursor = 0.0
    for seg in speech:
        if seg.start > cursor:
            gaps.append(Interval(round(cursor, 3), seg.start))
        cursor = max(cursor, seg.end)
    if duration > cursor:
        gaps.append(Interval(round(cursor, 3), round(duration, 3)))
    return gaps


def _result(
    duration: float, speech: list[Interval], db: FloatArray, pcm: Int16Array, method: str
) -> SpeechMap:
    return SpeechMap(
        duration_s=round(duration, 3),
        speech=speech,
        silences=complement(speech, duration),
        loudness=_loudness(db, pcm, speech),
        method=method,
    )


def _loudness(db: FloatArray, pcm: Int16Array, speech: list[Interval]) -> LoudnessStats:
    """Loudness summary from 30 ms frame levels (frames hop 10 ms)."""
    if len(db) == 0:
        return LoudnessStats(_FLOOR_DBFS, _FLOOR_DBFS, _FLOOR_DBFS, _FLOOR_DBFS)
    power = np.mean(10 ** (db / 10))
    peak = 0.0
    for _, block in iter_float_chunks(pcm, SAMPLE_RATE * 60):
        peak = max(peak, float(np.max(np.abs(block), initial=0.0)))
    mask = np.zeros(len(db), dtype=bool)
    for seg in speech:
        mask[int(seg.start * 100) : int(seg.end * 100) + 1] = True
    speech_db = db[mask] if mask.any() else db
    noise_db = db[~mask] if (~mask).sum() > 10 else db
    return LoudnessStats(
        mean_dbfs=round(float(10 * np.log10(max(float(power), 1e-10))), 2),
        peak_dbfs=round(float(20 * np.log10(max(peak, 1e-5))), 2),
        noise_floor_dbfs=round(float(np.percentile(noise_db, 20)), 2),
        speech_level_dbfs=round(float(np.percentile(speech_db, 50)), 2),
    )
