"""Speech-frame scoring for the silence agent and the baselines it is compared with."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from lecture_assets.analysis.media.audio import SAMPLE_RATE, extract_audio, read_pcm
from lecture_assets.analysis.models import Interval
from lecture_assets.analysis.silence.detect import SilenceParams, detect_silences
from lecture_assets.analysis.silence.energy import frame_dbfs

REALMEDIA = Path(__file__).resolve().parents[2] / "shared" / "realmedia"
CACHE = Path(__file__).resolve().parent / ".cache"
FRAME = 0.01
Detector = Callable[[Path], list[Interval]]
BoolArray = npt.NDArray[np.bool_]


@dataclass
class Labelled:
    """One file with human speech regions, scored inside `scored` only."""

    group: str
    name: str
    wav: Path
    speech: list[Interval]
    scored: Interval


def to_wav(src: Path) -> Path:
    """16 kHz mono copy of any media file, cached under bench/.cache."""
    CACHE.mkdir(exist_ok=True)
    dest = CACHE / (src.parent.name + "__" + src.stem + ".wav")
    if not dest.exists():
        extract_audio(src, dest, timeout_s=120)
    return dest


def mask(intervals: list[Interval], n: int) -> BoolArray:
    """10 ms frame mask of the union of intervals."""
    out = np.zeros(n, dtype=bool)
    for iv in intervals:
        out[round(iv.start / FRAME) : round(iv.end / FRAME)] = True
    return out


def counts(truth: list[Interval], pred: list[Interval], scored: Interval) -> tuple[int, int, int]:
    """(tp, fp, fn) speech frames inside the scored range."""
    n = round(scored.end / FRAME)
    lo = round(scored.start / FRAME)
    t, p = mask(truth, n)[lo:], mask(pred, n)[lo:]
    return int(np.sum(t & p)), int(np.sum(~t & p)), int(np.sum(t & ~p))


def f1(tp: int, fp: int, fn: int) -> float:
    """F1 of the speech class (1.0 when there is nothing to find and nothing found)."""
    return 1.0 if tp + fp + fn == 0 else 2 * tp / (2 * tp + fp + fn)


def labelled_sets() -> list[Labelled]:
    """Human-labelled VAD material in ../shared/realmedia/vad."""
    out: list[Labelled] = []
    for js in sorted((REALMEDIA / "vad" / "pyannote_ami_debug").glob("*.json")):
        d = json.loads(js.read_text())
        speech = [Interval(a, b) for a, b in d["speech"]]
        out.append(
            Labelled(
                "ami", js.stem, to_wav(js.with_suffix(".wav")), speech, Interval(*d["annotated"])
            )
        )
    d = json.loads((REALMEDIA / "vad/pyannote_sample/sample.speech_regions.json").read_text())
    wav = to_wav(REALMEDIA / "vad/pyannote_sample/sample.wav")
    dur = len(read_pcm(wav)) / SAMPLE_RATE
    out.append(
        Labelled(
            "pyannote_sample",
            "sample",
            wav,
            [Interval(a, b) for a, b in d["speech"]],
            Interval(0, min(30.0, dur)),
        )
    )
    for name in ("count", "count2"):
        d = json.loads((REALMEDIA / f"vad/pyaudioanalysis/{name}.segments.json").read_text())
        segs = d["segments"]
        speech = [Interval(s["start"], s["end"]) for s in segs if s["label"] == "speech"]
        wav = to_wav(REALMEDIA / f"vad/pyaudioanalysis/{name}.wav")
        end = min(segs[-1]["end"], len(read_pcm(wav)) / SAMPLE_RATE)
        out.append(Labelled("pyaudioanalysis", name, wav, speech, Interval(0, end)))
    return out


def ours(params: SilenceParams) -> Detector:
    """Our silence agent as a detector."""
    return lambda wav: detect_silences(wav, params).speech


def faster_whisper_vad(wav: Path) -> list[Interval]:
    """faster-whisper's own vad_filter with its default VadOptions."""
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    audio = np.asarray(read_pcm(wav), dtype=np.float32) / 32768.0
    stamps = get_speech_timestamps(audio, VadOptions())
    return [Interval(s["start"] / SAMPLE_RATE, s["end"] / SAMPLE_RATE) for s in stamps]


def pydub_relative(wav: Path, drop_db: float = 16.0, min_silence_s: float = 0.5) -> list[Interval]:
    """pydub-style detect_nonsilent: 500 ms windows quieter than (file dBFS - 16) are silent."""
    pcm = read_pcm(wav)
    db = frame_dbfs(pcm)
    if len(db) == 0:
        return []
    power = 10 ** (db / 10)
    thresh = 10 * np.log10(max(float(np.mean(power)), 1e-10)) - drop_db
    win = int(min_silence_s / FRAME)
    silent = np.zeros(len(db), dtype=bool)
    if len(db) >= win:
        rolling = np.convolve(power, np.ones(win) / win, mode="valid")
        for k in np.flatnonzero(10 * np.log10(np.maximum(rolling, 1e-10)) < thresh):
            silent[k : k + win] = True
    speech: list[Interval] = []
    start: int | None = None
    for i, s in enumerate(np.append(silent, True).tolist()):
        if not s and start is None:
            start = i
        elif s and start is not None:
            speech.append(Interval(start * FRAME, i * FRAME))
            start = None
    return speech
