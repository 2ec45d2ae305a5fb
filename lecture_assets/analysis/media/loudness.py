"""EBU R128 integrated loudness of a lecture's audio, measured once with ffmpeg's ebur128."""

from __future__ import annotations

import re
from pathlib import Path

from lecture_assets.analysis.media.ffmpeg import MediaError, run_ffmpeg

_INTEGRATED = re.compile(r"I:\s+(-?\d+(?:\.\d+)?) LUFS")


def integrated_loudness(wav: Path, *, timeout_s: float = 600.0) -> float | None:
    """Integrated loudness in LUFS, or None for silence (ebur128 gates it all out)."""
    result = run_ffmpeg(
        ["-nostats", "-i", str(wav), "-af", "ebur128=framelog=quiet", "-f", "null", "-"],
        timeout_s=timeout_s,
    )
    found = _INTEGRATED.findall(result.stderr_tail)
    if not found:
        raise MediaError("LOUDNESS_FAILED", "could not measure the audio's loudness")
    value = float(found[-1])
    return None if value <= -69.0 else value


def normalising_gain_db(
    measured_lufs: float | None, target_lufs: float = -16.0, max_boost_db: float = 24.0
) -> float:
    """The static gain that brings the lecture to `target_lufs` (0 for silence)."""
    if measured_lufs is None:
        return 0.0
    return max(-20.0, min(max_boost_db, target_lufs - measured_lufs))
