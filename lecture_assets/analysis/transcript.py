"""Turn lecture audio into a word-timed transcript with an offline Whisper model."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Protocol, runtime_checkable

from lecture_assets.analysis.audio import SAMPLE_RATE, float_slice, read_pcm
from lecture_assets.analysis.models import SpeechMap, Transcript, TranscriptSegment, Word
from lecture_assets.analysis.silence import detect_silences
from lecture_assets.analysis.transcript_chunks import (
    enforce_order,
    plan_chunks,
    shift_segment,
    total_speech,
)
from lecture_assets.analysis.whisper_models import load_model

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
    ) -> Transcript:
        """Transcribe `wav`; `speech` lets the transcriber skip long silences."""
        ...


class FasterWhisperTranscriber:
    """Local CPU transcription with faster-whisper (CTranslate2), the offline default.

    model_source: "base" (bundled, multilingual), "tiny.en" (bundled, fast, English only),
        a local CTranslate2 model directory, or a hub name when allow_download is True.
    compute_type: CTranslate2 quantisation ("int8" is fastest on CPU).
    cpu_threads: threads for the model; 0 uses up to 4 of the machine's cores.
    beam_size: 1 is greedy decoding (fast); 5 is a little more accurate and ~2x slower.
    allow_download: permit fetching a hub model when model_source is not available locally.
    """

    def __init__(
        self,
        model_source: str = "base",
        *,
        compute_type: str = "int8",
        cpu_threads: int = 0,
        beam_size: int = 1,
        allow_download: bool = False,
    ) -> None:
        self.model_source = model_source
        self.compute_type = compute_type
        self.cpu_threads = cpu_threads
        self.beam_size = beam_size
        self.allow_download = allow_download
        self.name = f"faster-whisper:{model_source}"

    def transcribe(
        self,
        wav: Path,
        *,
        speech: SpeechMap | None = None,
        language: str | None = None,
        on_progress: ProgressCallback | None = None,
    ) -> Transcript:
        """Transcribe the speech regions of `wav` chunk by chunk with word timestamps."""
        pcm = read_pcm(wav)
        duration = len(pcm) / SAMPLE_RATE
        speech = speech or detect_silences(wav)
        chunks = plan_chunks(speech.speech, duration)
        if not chunks:
            return Transcript(language or "en", [], self.name, round(duration, 3), NO_SPEECH)
        model = load_model(
            self.model_source,
            compute_type=self.compute_type,
            cpu_threads=self.cpu_threads,
            allow_download=self.allow_download,
        )
        if not model.model.is_multilingual:
            language = "en"
        todo, done = total_speech(chunks), 0.0
        segments: list[TranscriptSegment] = []
        detected = language
        for chunk in chunks:
            audio = float_slice(pcm, chunk.start, chunk.end)
            parts, info = model.transcribe(
                audio,
                language=detected,
                beam_size=self.beam_size,
                word_timestamps=True,
                vad_filter=False,
                condition_on_previous_text=False,
                without_timestamps=False,
            )
            detected = detected or info.language
            for part in parts:
                words = [
                    Word(
                        float(w.start), float(w.end), w.word.strip(), round(float(w.probability), 3)
                    )
                    for w in (part.words or [])
                    if w.word.strip()
                ]
                segments.append(
                    shift_segment(part.start, part.end, part.text, words, chunk.start, chunk.end)
                )
                if on_progress is not None:
                    on_progress(min(0.99, (done + min(part.end, chunk.duration)) / todo))
            done += chunk.duration
            if on_progress is not None:
                on_progress(min(0.99, done / todo))
        if on_progress is not None:
            on_progress(1.0)
        cleaned = enforce_order(segments)
        reason = None if cleaned else "the model heard no words in the detected speech"
        return Transcript(detected or "en", cleaned, self.name, round(duration, 3), reason)


def transcribe(
    wav: Path,
    *,
    transcriber: Transcriber | None = None,
    speech: SpeechMap | None = None,
    language: str | None = None,
    on_progress: ProgressCallback | None = None,
) -> Transcript:
    """Transcribe `wav` with `transcriber` (default: the bundled offline base model)."""
    engine = transcriber or FasterWhisperTranscriber()
    return engine.transcribe(wav, speech=speech, language=language, on_progress=on_progress)
