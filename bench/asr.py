"""Side-by-side transcription bench: plain faster-whisper base against the pipeline's transcriber.

`python -m bench.asr` runs, on the same audio in one run, faster-whisper base with VAD at beam
1 and beam 5 (what a user could run instead) and our transcriber (slide text as hints where a
lecture has slides), on the shared real speech and on synthetic lectures whose slides carry
technical terms that espeak-ng says (clean and in a noisy room). Prints WER, term accuracy
(share of on-slide terms heard right) and realtime factor (CPU seconds / audio seconds) each;
writes bench/results/asr.json.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import jiwer
import numpy as np

from bench.asr_eval import normalize, speech_set
from lecture_assets.analysis.media.audio import SAMPLE_RATE, read_pcm
from lecture_assets.analysis.slides.read import Slide
from lecture_assets.analysis.transcript.hints import TranscriptHints
from lecture_assets.analysis.transcript.screen_terms import fit_screen_terms
from lecture_assets.analysis.transcript.transcribe import FasterWhisperTranscriber
from lecture_assets.analysis.transcript.whisper_models import load_model
from resources.settings import Settings

RESULTS = Path(__file__).resolve().parent / "results"
PIPELINE_BEAM = Settings.model_fields["whisper_beam_size"].default  # as the pipeline runs

# slide title and lines, then what the lecturer says while it is shown
TECH_LECTURE: list[tuple[tuple[str, ...], tuple[str, ...]]] = [
    (("Gradient Descent", "Step size is the learning rate"),
     ("Today we look at gradient descent, the workhorse of machine learning.",
      "Gradient descent follows the negative gradient with a step called the learning rate.")),
    (("Stochastic Optimisation", "Minibatches estimate the gradient"),
     ("Stochastic gradient descent estimates the gradient from a small minibatch.",
      "The noise of stochastic updates can even help us escape saddle points.")),
    (("Backpropagation", "Chain rule through the network"),
     ("Backpropagation applies the chain rule through the network layer by layer.",
      "It is reverse mode automatic differentiation, nothing more.")),
    (("Convolutional Networks", "Shared kernels slide over images"),
     ("Convolutional networks share kernels that slide over the image.",
      "Pooling then shrinks the feature maps.")),
    (("Eigenvalues and Eigenvectors", "Curvature of the Hessian"),
     ("The eigenvalues of the Hessian tell us about the curvature.",
      "Eigenvectors give the directions of steepest curvature.")),
    (("Regularisation", "Dropout and weight decay"),
     ("Regularisation with dropout randomly silences units during training.",
      "Weight decay penalises large weights instead.")),
    (("Attention", "Softmax over queries and keys"),
     ("Attention computes a softmax over the similarities of queries and keys.",
      "The values are then averaged with those softmax weights.")),
    (("Bayesian Inference", "Posterior is prior times likelihood"),
     ("Bayesian inference multiplies the prior by the likelihood.",
      "The posterior then tells us what we believe after seeing the data.")),
]  # fmt: skip


@dataclass
class Item:
    """One recording with its reference, on-slide terms and slide timeline."""

    wav: Path
    reference: str
    terms: list[str]
    slides: list[Slide]


def _terms(slide_lines: tuple[str, ...], said: str) -> list[str]:
    """Words of five letters or more that are on the slide and said (normalised)."""
    spoken = set(normalize(said).split())
    shown = {w for line in slide_lines for w in normalize(line).split() if len(w) >= 5}
    return sorted(shown & spoken)


def tech_lecture(noisy: bool, seed: int) -> Item:
    """A synthetic lecture reading TECH_LECTURE, its slides timed to the sentences."""
    from tests.fixtures.speech import LectureParams, make_lecture, noisy_params

    sentences = tuple(s for _, said in TECH_LECTURE for s in said)
    pauses = tuple([0.6, 1.4] * len(TECH_LECTURE))[: len(sentences) - 1]
    params = LectureParams(sentences=sentences, pauses_s=pauses, seed=seed)
    lec = make_lecture(noisy_params(params, 15.0) if noisy else params)
    slides: list[Slide] = []
    terms: list[str] = []
    k = 0
    for lines, said in TECH_LECTURE:
        start = 0.0 if k == 0 else lec.speech[k].start - 0.5
        last = k + len(said) - 1
        end = lec.duration_s if last + 1 >= len(lec.speech) else lec.speech[last + 1].start - 0.5
        slides.append(Slide(start, end, lines[0], "\n".join(lines), list(lines)))
        terms += _terms(lines, " ".join(said))
        k += len(said)
    return Item(lec.wav, normalize(" ".join(sentences)), terms, slides)


def _plain(beam: int) -> Callable[[Item], str]:
    model = load_model("base", compute_type="int8", cpu_threads=2, allow_download=False)

    def run(item: Item) -> str:
        audio = np.asarray(read_pcm(item.wav), dtype=np.float32) / 32768.0
        segments, _ = model.transcribe(audio, beam_size=beam, vad_filter=True)
        return " ".join(s.text for s in segments)

    return run


def _ours(item: Item) -> str:
    # as the pipeline runs by default: no slide priming; misheard words snapped to the terms
    # on the slide shown at that moment, slide terms still missing heard again
    engine = FasterWhisperTranscriber("base", beam_size=PIPELINE_BEAM)
    hints = TranscriptHints(item.slides, prime_slides=False)
    transcript = engine.transcribe(item.wav, hints=hints)
    return fit_screen_terms(engine, item.wav, transcript, hints)[0].text


def _ours_primed(item: Item) -> str:
    # LECTURE_TRANSCRIPT_SLIDE_HINTS=true: the slide lines also prime the first decoding
    engine = FasterWhisperTranscriber("base", beam_size=PIPELINE_BEAM)
    hints = TranscriptHints(item.slides)
    transcript = engine.transcribe(item.wav, hints=hints)
    return fit_screen_terms(engine, item.wav, transcript, hints)[0].text


def _score(items: list[Item], run: Callable[[Item], str]) -> dict[str, float]:
    errors = words = right = shown = 0
    audio = cpu = 0.0
    for item in items:
        audio += len(read_pcm(item.wav)) / SAMPLE_RATE
        t0 = time.process_time()
        hyp = normalize(run(item))
        cpu += time.process_time() - t0
        m = jiwer.process_words(item.reference, hyp)
        errors += m.substitutions + m.deletions + m.insertions
        words += len(item.reference.split())
        heard = set(hyp.split())
        right += sum(t in heard for t in item.terms)
        shown += len(item.terms)
    out = {"wer": round(errors / max(1, words), 4), "rtf_cpu": round(cpu / max(audio, 1e-9), 4)}
    if shown:
        out["term_accuracy"] = round(right / shown, 4)
    return out


def main() -> None:
    """Run every set through every system and print one table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-real", action="store_true", help="only the synthetic lectures")
    args = parser.parse_args()
    sets: dict[str, list[Item]] = {
        "tech lecture (clean)": [tech_lecture(False, 11)],
        "tech lecture (noisy 15 dB)": [tech_lecture(True, 12)],
    }
    if not args.skip_real:
        sets["realmedia speech"] = [Item(u.wav, u.reference, [], []) for u in speech_set()]
    systems = {
        "faster-whisper base beam 1 + VAD": _plain(1),
        "faster-whisper base beam 5 + VAD": _plain(5),
        "ours (terms snapped, heard again)": _ours,
        "ours, slides also priming": _ours_primed,
    }
    table: dict[str, dict[str, dict[str, float]]] = {}
    for set_name, items in sets.items():
        for system, run in systems.items():
            table.setdefault(set_name, {})[system] = _score(items, run)
    for set_name, rows in table.items():
        print(f"\n{set_name}")
        for system, r in rows.items():
            terms = f"{r['term_accuracy']:.2f}" if "term_accuracy" in r else "  - "
            print(f"  {system:36s} WER {r['wer']:.3f}  terms {terms}  rtf {r['rtf_cpu']:.3f}")
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "asr.json").write_text(json.dumps(table, indent=2))


if __name__ == "__main__":
    main()
