"""Transcribe lecture audio with the OpenAI Whisper API, chunked at silences and retried."""

from __future__ import annotations

import io
import wave
from collections.abc import Callable
from pathlib import Path

import openai
from openai.types.audio import TranscriptionVerbose
from tenacity import (
    RetryError,
    Retrying,
    retry_if_exception_type,
    stop_after_attempt,
    wait_exponential,
)

from lecture_assets.analysis.media.audio import SAMPLE_RATE, Int16Array, read_pcm
from lecture_assets.analysis.models import Interval, SpeechMap, Transcript, TranscriptSegment, Word
from lecture_assets.analysis.silence.detect import detect_silences
from lecture_assets.analysis.transcript.chunks import (
    enforce_order,
    plan_chunks,
    shift_segment,
    total_speech,
)
from lecture_assets.analysis.transcript.hints import TranscriptHints
from lecture_assets.analysis.transcript.transcribe import NO_SPEECH

_RETRYABLE = (
    openai.RateLimitError,
    openai.InternalServerError,
    openai.APITimeoutError,
    openai.APIConnectionError,
)
_LANGUAGES = {"english": "en", "german": "de", "french": "fr", "spanish": "es", "italian": "it"}
_WAV_HEADER = 44


class TranscriptionError(RuntimeError):
    """The remote transcription failed for good; the message says what to do next."""


class OpenAIWhisperTranscriber:
    """Transcription through the OpenAI audio API (or a compatible server at base_url).

    Audio is sent as 16 kHz mono WAV chunks under max_chunk_bytes, cut inside silences,
    and the word and segment timestamps are shifted back onto the lecture timeline.
    Rate limits (429), server errors (5xx), timeouts and dropped connections are retried
    max_retries times with exponential backoff starting at retry_base_s.
    """

    def __init__(
        self,
        api_key: str,
        *,
        base_url: str | None = None,
        model: str = "whisper-1",
        timeout_s: float = 120,
        max_retries: int = 4,
        max_chunk_bytes: int = 24 * 1024 * 1024,
        retry_base_s: float = 1.0,
    ) -> None:
        if not api_key:
            raise ValueError("an OpenAI API key is required; set it in the transcriber settings")
        self.model = model
        self.max_retries = max_retries
        self.retry_base_s = retry_base_s
        self.max_chunk_s = max(1.0, (max_chunk_bytes - _WAV_HEADER) / (2 * SAMPLE_RATE))
        self.name = f"openai:{model}"
        self._client = openai.OpenAI(
            api_key=api_key, base_url=base_url, timeout=timeout_s, max_retries=0
        )

    def transcribe(
        self,
        wav: Path,
        *,
        speech: SpeechMap | None = None,
        language: str | None = None,
        on_progress: Callable[[float], None] | None = None,
        hints: TranscriptHints | None = None,
    ) -> Transcript:
        """Send each speech chunk to the API and stitch the answers onto one timeline."""
        pcm = read_pcm(wav)
        duration = len(pcm) / SAMPLE_RATE
        speech = speech or detect_silences(wav)
        chunks = plan_chunks(speech.speech, duration, split_gap_s=3.0, max_chunk_s=self.max_chunk_s)
        if not chunks:
            return Transcript(language or "en", [], self.name, round(duration, 3), NO_SPEECH)
        todo, done = total_speech(chunks), 0.0
        segments: list[TranscriptSegment] = []
        detected = language
        for chunk in chunks:
            prompt = hints.prompt(chunk.start, chunk.end) if hints else ""
            reply = self._call(_wav_bytes(pcm, chunk), language, prompt)
            detected = detected or _LANGUAGES.get(reply.language.lower(), reply.language)
            segments.extend(_segments(reply, chunk))
            done += chunk.duration
            if on_progress is not None:
                on_progress(min(1.0, done / todo))
        cleaned = enforce_order(segments)
        reason = None if cleaned else "the API returned no words for the detected speech"
        return Transcript(detected or "en", cleaned, self.name, round(duration, 3), reason)

    def _call(self, audio: bytes, language: str | None, prompt: str = "") -> TranscriptionVerbose:
        retrying = Retrying(
            stop=stop_after_attempt(self.max_retries + 1),
            wait=wait_exponential(multiplier=self.retry_base_s, max=60 * self.retry_base_s),
            retry=retry_if_exception_type(_RETRYABLE),
        )
        try:
            for attempt in retrying:
                with attempt:
                    return self._client.audio.transcriptions.create(
                        model=self.model,
                        file=("chunk.wav", audio, "audio/wav"),
                        response_format="verbose_json",
                        timestamp_granularities=["word", "segment"],
                        language=language or openai.omit,
                        prompt=prompt or openai.omit,
                    )
        except RetryError as exc:
            last = exc.last_attempt.exception()
            raise TranscriptionError(
                f"OpenAI transcription failed after {self.max_retries + 1} attempts "
                f"({_describe(last)}). Try again later, raise max_retries, or switch the "
                "transcriber setting to the offline local model."
            ) from last
        except openai.AuthenticationError as exc:
            raise TranscriptionError(
                "OpenAI rejected the API key (401). Set a valid key in the transcriber settings."
            ) from exc
        except openai.APIStatusError as exc:
            raise TranscriptionError(
                f"OpenAI refused the audio ({_describe(exc)}); check the model name and "
                "max_chunk_bytes, or switch the transcriber setting to the offline model."
            ) from exc
        raise TranscriptionError("OpenAI transcription made no attempt; check max_retries >= 0.")


def _describe(exc: BaseException | None) -> str:
    if isinstance(exc, openai.APIStatusError):
        return f"HTTP {exc.status_code}: {exc.message}"
    return f"{type(exc).__name__}: {exc}" if exc is not None else "unknown error"


def _wav_bytes(pcm: Int16Array, chunk: Interval) -> bytes:
    """One chunk of the lecture as an in-memory 16 kHz mono WAV."""
    a, b = int(chunk.start * SAMPLE_RATE), int(chunk.end * SAMPLE_RATE)
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as handle:
        handle.setnchannels(1)
        handle.setsampwidth(2)
        handle.setframerate(SAMPLE_RATE)
        handle.writeframes(pcm[a:b].astype("<i2").tobytes())
    return buffer.getvalue()


def _segments(reply: TranscriptionVerbose, chunk: Interval) -> list[TranscriptSegment]:
    """Attach the reply's word list to its segments by time and move both to the timeline."""
    words = sorted(reply.words or [], key=lambda w: w.start)
    raw = sorted(reply.segments or [], key=lambda s: s.start)
    if not raw and reply.text.strip():
        end = max([w.end for w in words] or [chunk.duration])
        raw_spans = [(0.0, end, reply.text)]
    else:
        raw_spans = [(s.start, s.end, s.text) for s in raw]
    out: list[TranscriptSegment] = []
    cursor = 0
    for i, (start, end, text) in enumerate(raw_spans):
        last = i == len(raw_spans) - 1
        mine: list[Word] = []
        # a word belongs to the segment its midpoint falls in (the last takes the rest)
        while cursor < len(words) and (last or (words[cursor].start + words[cursor].end) / 2 < end):
            w = words[cursor]
            mine.append(Word(w.start, w.end, w.word.strip()))
            cursor += 1
        out.append(shift_segment(start, end, text, mine, chunk.start, chunk.end))
    return out
