"""Benchmark the silence and transcript agents on ../shared/realmedia and synthetic lectures.

Run: .venv/bin/python -m bench.audio_accuracy [--skip-asr]
Writes bench/results/audio_accuracy.json and prints a table.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from bench.asr_eval import long_lecture, run_wer
from bench.vad_eval import (
    REALMEDIA,
    Detector,
    counts,
    f1,
    faster_whisper_vad,
    labelled_sets,
    ours,
    pydub_relative,
    to_wav,
)
from lecture_assets.analysis.models import Interval
from lecture_assets.analysis.silence.detect import SilenceParams
from tests.fixtures.speech import (
    DEFAULT_PAUSES,
    LECTURE_SENTENCES,
    LectureParams,
    make_lecture,
    noisy_params,
)

RESULTS = Path(__file__).resolve().parent / "results" / "audio_accuracy.json"
DETECTORS: dict[str, Detector] = {
    "ours_silero": ours(SilenceParams()),
    "ours_energy": ours(SilenceParams(method="energy")),
    "faster_whisper_vad_defaults": faster_whisper_vad,
    "pydub_dbfs_minus_16": pydub_relative,
}


def _lectures() -> dict[str, list[LectureParams]]:
    """Three lectures (different sentences, pause orders, voices), clean and in noisy rooms."""
    base = [
        LectureParams(),
        LectureParams(sentences=tuple(LECTURE_SENTENCES[4:]),
                      pauses_s=tuple(reversed(DEFAULT_PAUSES[:5])), seed=1, rate_wpm=180),
        LectureParams(sentences=tuple(LECTURE_SENTENCES[::2]) + tuple(LECTURE_SENTENCES[1::2]),
                      pauses_s=tuple(DEFAULT_PAUSES), seed=2, voices=("en-gb-x-rp", "en-us+m3")),
    ]  # fmt: skip
    return {
        "synthetic_clean": base,
        "synthetic_noisy_snr15": [noisy_params(p, 15.0) for p in base],
        "synthetic_noisy_snr5": [noisy_params(p, 5.0) for p in base],
    }


def _pause_found(pause: Interval, silences: list[Interval], tol: float = 0.3) -> bool:
    return any(
        abs(s.start - pause.start) <= tol and abs(s.end - pause.end) <= tol for s in silences
    )


def _complement(speech: list[Interval], duration: float) -> list[Interval]:
    out, cur = [], 0.0
    for s in sorted(speech, key=lambda s: s.start):
        if s.start > cur:
            out.append(Interval(cur, s.start))
        cur = max(cur, s.end)
    return [*out, Interval(cur, duration)] if duration > cur else out


def vad_table() -> dict[str, dict[str, dict[str, float]]]:
    """F1 per labelled group, synthetic F1 and pause recall, per detector."""
    table: dict[str, dict[str, dict[str, float]]] = {}
    labelled = labelled_sets()
    lectures = {k: [make_lecture(p) for p in v] for k, v in _lectures().items()}
    for name, det in DETECTORS.items():
        row: dict[str, dict[str, float]] = {}
        agg: dict[str, list[int]] = {}
        t0, audio = time.perf_counter(), 0.0
        for item in labelled:
            c = counts(item.speech, det(item.wav), item.scored)
            audio += item.scored.end
            for g in (item.group, "ALL_human"):
                agg[g] = [a + b for a, b in zip(agg.get(g, [0, 0, 0]), c, strict=True)]
        row["human_vad_f1"] = {g: round(f1(*v), 4) for g, v in agg.items()}
        for group, lecs in lectures.items():
            tot, found, long_pauses, all_found, all_pauses = [0, 0, 0], 0, 0, 0, 0
            for lec in lecs:
                pred = det(lec.wav)
                audio += lec.duration_s
                c = counts(lec.speech, pred, Interval(0, lec.duration_s))
                tot = [a + b for a, b in zip(tot, c, strict=True)]
                sil = _complement(pred, lec.duration_s)
                for p in lec.pauses:
                    hit = _pause_found(p, sil)
                    all_pauses, all_found = all_pauses + 1, all_found + hit
                    if p.duration >= 1.0:
                        long_pauses, found = long_pauses + 1, found + hit
            row[group] = {
                "f1": round(f1(*tot), 4),
                "pause_recall_ge_1s": round(found / long_pauses, 4),
                "pause_recall_all": round(all_found / all_pauses, 4),
            }
        row["speed"] = {"realtime_factor": round((time.perf_counter() - t0) / audio, 5)}
        table[name] = row
    return table


def auto_editor_agreement() -> dict[str, dict[str, float]]:
    """How our speech map compares with auto-editor's kept ranges on its own example video."""
    ref = json.loads((REALMEDIA / "video/auto_editor/example.autoeditor_ranges.json").read_text())
    kept = [Interval(a, b) for a, b in ref["kept_loud_s"]]
    wav = to_wav(REALMEDIA / "video/auto_editor/example.mp4")
    out: dict[str, dict[str, float]] = {}
    for name, det in DETECTORS.items():
        pred = det(wav)
        out[name] = {
            "frame_f1_vs_auto_editor": round(f1(*counts(kept, pred, Interval(0, 42.4))), 4),
            "kept_seconds": round(sum(p.duration for p in pred), 2),
            "auto_editor_kept_seconds": round(ref["kept_total_s"], 2),
        }
    return out


def main() -> None:
    """Run everything, print a table, write JSON."""
    results: dict[str, object] = {
        "vad": vad_table(),
        "auto_editor_example": auto_editor_agreement(),
    }
    if "--skip-asr" not in sys.argv:
        results["wer"] = run_wer("base")
        results["long_synthetic_lecture"] = {
            "clean": long_lecture(noisy=False),
            "noisy_snr15": long_lecture(noisy=True),
        }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2))
    vad = results["vad"]
    assert isinstance(vad, dict)
    cols = ["human_vad_f1", "synthetic_clean", "synthetic_noisy_snr15", "synthetic_noisy_snr5"]
    print(f"{'detector':30s} {'ami':>6s} {'pyann':>6s} {'pyAA':>6s} {'human':>6s}  "
          + "  ".join(f"{c[10:]:>22s}" for c in cols[1:]) + "   xRT")  # fmt: skip
    for name, row in vad.items():
        h = row["human_vad_f1"]
        syn = "  ".join(
            f"F1 {row[c]['f1']:.3f} p1s {row[c]['pause_recall_ge_1s']:.2f}"
            f"/{row[c]['pause_recall_all']:.2f}"
            for c in cols[1:]
        )
        print(f"{name:30s} {h['ami']:6.3f} {h['pyannote_sample']:6.3f} {h['pyaudioanalysis']:6.3f} "
              f"{h['ALL_human']:6.3f}  {syn}  {row['speed']['realtime_factor']:.4f}")  # fmt: skip
    print("\nauto-editor example.mp4:", json.dumps(results["auto_editor_example"], indent=1))
    if "wer" in results:
        print("\nWER:", json.dumps(results["wer"], indent=1))
        print("\nlong lecture:", json.dumps(results["long_synthetic_lecture"], indent=1))
    print(f"\nwrote {RESULTS}")


if __name__ == "__main__":
    main()
