"""Deterministic decoding: the same audio gives the same transcript, every run.

faster-whisper's default fallback re-decodes a doubtful 30 s window by sampling at rising
temperatures; CTranslate2 draws those samples from a per-thread generator seeded from the
clock, so a noisy lecture came out differently from run to run (a clip edge test failed in
CI on "before the 11 Thursday" where the same machine had heard "before the Lamb on
Thursday"). Here a pack is decoded at temperature 0; when any of its windows fails
faster-whisper's own quality thresholds, the pack is decoded once more, still at temperature
0, without the prompt (a prompt is what most often starts a loop) and with repeated phrases
penalised, and the steadier of the two decodes is kept.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

# faster-whisper's defaults: above this gzip ratio a window's text is a loop
COMPRESSION_RATIO_MAX = 2.4
# below this mean token log probability a window is doubtful ...
LOG_PROB_MIN = -1.0
# ... unless the model is this sure it holds no speech at all
NO_SPEECH_MIN = 0.6

# each window of a pack reads on from the text of the one before: bench.asr, base beam 5,
# WER 0.212 -> 0.169 (terms 0.72 -> 0.86) on the clean term lecture, 0.291 -> 0.238 noisy
FIRST_PASS: dict[str, Any] = {"temperature": 0.0, "condition_on_previous_text": True}
# the second pass starts each window afresh (a loop in one window can't carry over) and goes
# without the pack's prompt: the caller leaves it out
SECOND_PASS: dict[str, Any] = {
    "temperature": 0.0,
    "condition_on_previous_text": False,
    "repetition_penalty": 1.2,
    "no_repeat_ngram_size": 4,
}


# hearing a stretch again primed with its slide (`relisten`): a slide's lines as the prompt
# invite loops, so no phrase is said twice, and the window is one segment (a loop can't seek
# on into a second); a repetition penalty as well lost the terms the prompt was there for
# (bench.asr noisy term lecture, four noise draws: 104 of 116 terms instead of 112)
RELISTEN: dict[str, Any] = {**FIRST_PASS, "no_repeat_ngram_size": 4, "without_timestamps": True}

# tokens a window of speech can hold: a fast lecturer says about 4 words (5.5 tokens) a
# second; whisper's 448-token context also carries the prompt (up to 224)
TOKENS_PER_S = 7.0
MAX_NEW_TOKENS = 220


def max_tokens(seconds: float) -> int:
    """New tokens enough for `seconds` (at most one window) of even fast speech; a decode
    that needs more is looping, and the cap stops it early (a 24 s stretch that looped took
    30 s to decode, 6 s once capped and decoded again)."""
    return min(MAX_NEW_TOKENS, round(TOKENS_PER_S * seconds) + 16)


@dataclass(frozen=True)
class DecodeQuality:
    """How trustworthy a decode of one pack is: fewer failed windows, then surer tokens."""

    segments: int
    failed_windows: int
    mean_log_prob: float

    def better_than(self, other: DecodeQuality) -> bool:
        """True when this decode should be kept over `other` (ties keep `other`); a decode
        that heard nothing never replaces one that heard something."""
        if not self.segments or not other.segments:
            return bool(self.segments) and not other.segments
        if self.failed_windows != other.failed_windows:
            return self.failed_windows < other.failed_windows
        return self.mean_log_prob > other.mean_log_prob


def window_failed(part: Any) -> bool:
    """faster-whisper's fallback test for the window a segment came from."""
    if float(part.compression_ratio) > COMPRESSION_RATIO_MAX:
        return True
    silent = float(part.no_speech_prob) > NO_SPEECH_MIN
    return float(part.avg_logprob) < LOG_PROB_MIN and not silent


def decode_quality(parts: Sequence[Any]) -> DecodeQuality:
    """The quality of one decode from its segments (a window's figures repeat on each of its
    segments, so windows are told apart by their `seek`)."""
    windows: dict[int, Any] = {}
    for part in parts:
        windows.setdefault(int(part.seek), part)
    failed = sum(window_failed(part) for part in windows.values())
    spans = [(max(0.0, float(p.end) - float(p.start)), float(p.avg_logprob)) for p in parts]
    total = sum(span for span, _ in spans)
    mean = sum(span * lp for span, lp in spans) / total if total > 0 else 0.0
    return DecodeQuality(len(parts), failed, mean)
