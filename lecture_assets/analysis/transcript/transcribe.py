"""Turn lecture audio into a word-timed transcript with an offline Whisper model."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import numpy as np

from lecture_assets.analysis.media.audio import (
    SAMPLE_RATE,
    Float32Array,
    Int16Array,
    float_slice,
    read_pcm,
)
from lecture_assets.analysis.models import (
    Interval,
    SpeechMap,
    Transcript,
    TranscriptSegment,
    Word,
)
from lecture_assets.analysis.silence.detect import detect_silences
from lecture_assets.analysis.transcript.chunks import (
    Pack,
    enforce_order,
    pack_chunks,
    plan_chunks,
    total_speech,
)
from lecture_assets.analysis.transcript.decoding import (
    FIRST_PASS,
    RELISTEN,
    SECOND_PASS,
    decode_quality,
    max_tokens,
)
from lecture_assets.analysis.transcript.hints import TranscriptHints
from lecture_assets.analysis.transcript.relisten import GAP_S, relisten_for_terms
from lecture_assets.analysis.transcript.term_fix import TermFix
from lecture_assets.analysis.transcript.whisper_models import decode_budget, load_model

ProgressCallback = Callable[[float], None]
NO_SPEECH = "no speech was detected in the audio, so there is nothing to transcribe"


@runtime_checkable
class Transcriber(Protocol):
    """Anything that can transcribe a 16 kHz mono WAV into a Transcript."""

    name: str

    def transcribe(
        self,
        wav: Path,
        *,
        speech: SpeechMap | None = None,
        language: str | None = None,
        on_progress: ProgressCallback | None = None,
        hints: TranscriptHints | None = None,
    ) -> Transcript:
        """Transcribe `wav`; `speech` lets it skip long silences, `hints` prime its vocabulary."""
        ...


class FasterWhisperTranscriber:
    """Local CPU transcription with faster-whisper (CTranslate2), the offline default.

    model_source: "base" (bundled, multilingual), "tiny.en" (bundled, fast, English only),
        a local CTranslate2 model directory, or a hub name when allow_download is True.
    compute_type: CTranslate2 quantisation ("int8" is fastest on CPU).
    workers: chunks decoded at once; 0 = one per core (up to 4).
    cpu_threads: threads per worker; 0 = the cores shared out among the workers.
    beam_size: 1 is greedy decoding (fast); 5 is a little more accurate and ~2x slower.
    max_pack_s: seconds of speech joined into one stretch for the model (see `Pack`).
    allow_download: permit fetching a hub model when model_source is not available locally.

    Packs of chunks (cut in silences, so independent) are decoded side by side, one thread each:
    greedy decoding of one chunk is a chain of small steps that two threads cannot share
    well (1.3 of 2 cores busy), while two chunks at once keep both cores busy. Measured on
    8 minutes of lecture, 2 cores: 108 s wall / 133 s CPU one chunk at a time with 2
    threads, 48 s / 87 s two at a time with 1 thread each. Joining chunks into packs of up to
    two minutes (so no window is half empty) took 12 minutes of the bench lecture from 110 s
    to 95 s CPU (mean of two runs), WER 0.21 -> 0.20.
    """

    def __init__(
        self,
        model_source: str = "base",
        *,
        compute_type: str = "int8",
        workers: int = 0,
        cpu_threads: int = 0,
        beam_size: int = 1,
        max_pack_s: float = 120.0,
        allow_download: bool = False,
    ) -> None:
        self.model_source = model_source
        self.compute_type = compute_type
        self.workers = workers
        self.cpu_threads = cpu_threads
        self.beam_size = beam_size
        self.max_pack_s = max_pack_s
        self.allow_download = allow_download
        self.name = f"faster-whisper:{model_source}"

    def transcribe(
        self,
        wav: Path,
        *,
        speech: SpeechMap | None = None,
        language: str | None = None,
        on_progress: ProgressCallback | None = None,
        hints: TranscriptHints | None = None,
    ) -> Transcript:
        """Transcribe the speech regions of `wav` chunk by chunk with word timestamps.

        Each pack is primed with the glossary (and, when asked, the slide text on screen while
        it was said). The language, unless given, is heard from windows spread over the speech.
        Decoding is deterministic (`decoding`): temperature 0, and a pack with a doubtful
        window is decoded once more without its prompt and with repeats penalised.
        """
        pcm = read_pcm(wav)
        duration = len(pcm) / SAMPLE_RATE
        speech = speech or detect_silences(wav)
        chunks = pack_chunks(plan_chunks(speech.speech, duration), self.max_pack_s)
        if not chunks:
            return Transcript(language or "en", [], self.name, round(duration, 3), NO_SPEECH)
        workers, threads = decode_budget(self.workers, self.cpu_threads)
        model = self._model(threads, workers)
        if not model.model.is_multilingual:
            language = "en"

        def decode(chunk: Pack, lang: str) -> list[TranscriptSegment]:
            prompt = hints.prompt(chunk.pieces[0].start, chunk.pieces[-1].end) if hints else ""
            audio = _audio(pcm, chunk)
            parts = self._run(model, audio, lang, prompt, **FIRST_PASS)
            quality = decode_quality(parts)
            if quality.failed_windows:
                retry = self._run(model, audio, lang, "", **SECOND_PASS)
                if decode_quality(retry).better_than(quality):
                    parts = retry
            return [_segment(part, chunk) for part in parts]

        todo, done = total_speech(chunks), 0.0
        if language is None:
            language = _detect_language(model, pcm, chunks)
        with ThreadPoolExecutor(workers, thread_name_prefix="whisper") as pool:
            futures = {pool.submit(decode, chunk, language): chunk for chunk in chunks}
            try:
                for future in as_completed(futures):
                    future.result()  # a failed pack stops the transcript here
                    done += futures[future].duration
                    if on_progress is not None:
                        on_progress(min(0.99, done / todo))
            except BaseException:
                pool.shutdown(wait=True, cancel_futures=True)
                raise
        by_chunk = [future.result() for future in futures]
        if on_progress is not None:
            on_progress(1.0)
        cleaned = enforce_order([segment for segments in by_chunk for segment in segments])
        reason = None if cleaned else "the model heard no words in the detected speech"
        return Transcript(language, cleaned, self.name, round(duration, 3), reason)

    def hear_terms_again(
        self, wav: Path, transcript: Transcript, hints: TranscriptHints
    ) -> tuple[Transcript, list[TermFix]]:
        """`transcript` with the slide terms it missed heard again, primed with their slide
        (`relisten`); the first transcript's other words stay as they are."""
        if not hints.slides or not transcript.segments:
            return transcript, []
        pcm = read_pcm(wav)
        workers, threads = decode_budget(self.workers, self.cpu_threads)
        model = self._model(threads, workers)  # the one the transcript was decoded with

        def decode(pieces: Sequence[Interval], prompt: str) -> list[Word]:
            pack = Pack(tuple(pieces), gap_s=GAP_S)
            audio = _audio(pcm, pack)
            # one window of speech: a decode that runs on past what it can hold is a loop
            cap = {"max_new_tokens": max_tokens(len(audio) / SAMPLE_RATE)}
            parts = self._run(model, audio, transcript.language, prompt, **RELISTEN, **cap)
            return [w for part in parts for w in _segment(part, pack).words]

        return relisten_for_terms(
            transcript, hints.slides, decode, hints.slide_prompt, workers=workers
        )

    def _model(self, threads: int, workers: int) -> Any:
        return load_model(
            self.model_source,
            compute_type=self.compute_type,
            cpu_threads=threads,
            workers=workers,
            allow_download=self.allow_download,
        )

    def _run(
        self, model: Any, audio: Float32Array, lang: str, prompt: str, **options: Any
    ) -> list[Any]:
        settings: dict[str, Any] = {
            "language": lang,
            "beam_size": self.beam_size,
            "initial_prompt": prompt or None,
            "word_timestamps": True,
            "vad_filter": False,
            "without_timestamps": False,
            **options,
        }
        parts, _ = model.transcribe(audio, **settings)
        # the parts are a lazy generator: the decoding happens here, on this thread
        return list(parts)


LANGUAGE_WINDOWS = 3  # 30 s windows of speech heard to name the language, spread over it
_WINDOW_S = 30.0  # what whisper hears at once


def _detect_language(model: Any, pcm: Int16Array, chunks: list[Pack]) -> str:
    """The lecture's language from LANGUAGE_WINDOWS windows spread over its speech, their
    probabilities summed: the first 30 s alone, in a noisy room, was heard as Finnish (0.46)
    and the whole English lecture came out Finnish (bench.asr noisy set; the next two
    windows said English at 0.94 and 0.90)."""
    count = min(LANGUAGE_WINDOWS, len(chunks))
    packs = sorted({round(i * (len(chunks) - 1) / max(1, count - 1)) for i in range(count)})
    per_pack = -(-LANGUAGE_WINDOWS // len(packs))
    width = round(_WINDOW_S * SAMPLE_RATE)
    totals: dict[str, float] = {}
    for index in packs:
        audio = _audio(pcm, chunks[index])
        room = max(0, len(audio) - width)
        starts = sorted({round(k * room / max(1, per_pack - 1)) for k in range(per_pack)})
        for start in starts:
            _, _, probs = model.detect_language(audio[start : start + width])
            for lang, prob in probs:
                totals[lang] = totals.get(lang, 0.0) + float(prob)
    return max(totals, key=lambda lang: totals[lang])


def _audio(pcm: Int16Array, chunk: Pack) -> Float32Array:
    """The pieces of `chunk` joined end to end (its gap of silence between two), as the
    model's float input."""
    gap = np.zeros(round(chunk.gap_s * SAMPLE_RATE), dtype=np.float32)
    joined: list[Float32Array] = []
    for p in chunk.pieces:
        if joined:
            joined.append(gap)
        joined.append(float_slice(pcm, p.start, p.end))
    return np.concatenate(joined)


def _segment(part: Any, chunk: Pack) -> TranscriptSegment:
    """One faster-whisper segment of `chunk`, on the source timeline."""
    words = [
        Word(float(w.start), float(w.end), w.word.strip(), round(float(w.probability), 3))
        for w in (part.words or [])
        if w.word.strip()
    ]
    return chunk.place_segment(part.start, part.end, part.text, words)
