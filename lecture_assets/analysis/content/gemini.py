"""Gemini content scorer: chunked structured-output calls, merged into ContentScores."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import httpx
from tenacity import Retrying, retry_if_exception, stop_after_attempt, wait_exponential

from lecture_assets.analysis.content.chapters import build_chapters, snap_to_slides
from lecture_assets.analysis.content.features import sentence_features, sentence_scores
from lecture_assets.analysis.content.score import Scorer, chapter_of
from lecture_assets.analysis.models import (
    CandidateWindow,
    ContentScores,
    ScreenLayout,
    Sentence,
    SpeechMap,
    Transcript,
)

log = logging.getLogger(__name__)
PROMPT_PATH = Path(__file__).parent / "prompts" / "highlights.md"

_INT = {"type": "INTEGER"}
_NUM = {"type": "NUMBER"}
_STR = {"type": "STRING"}
RESPONSE_SCHEMA: dict[str, Any] = {
    "type": "OBJECT",
    "properties": {
        "continues_previous_topic": {"type": "BOOLEAN"},
        "chapters": {
            "type": "ARRAY",
            "items": {
                "type": "OBJECT",
                "properties": {"first_sentence": _INT, "title": _STR},
                "required": ["first_sentence", "title"],
            },
        },
        "highlights": {
            "type": "ARRAY",
            "items": {
                "type": "OBJECT",
                "properties": {
                    "first_sentence": _INT,
                    "last_sentence": _INT,
                    "title": _STR,
                    "reason": _STR,
                    "score": _NUM,
                },
                "required": ["first_sentence", "last_sentence", "title", "reason", "score"],
            },
        },
        "key_sentences": {
            "type": "ARRAY",
            "items": {
                "type": "OBJECT",
                "properties": {"index": _INT, "score": _NUM},
                "required": ["index", "score"],
            },
        },
    },
    "required": ["chapters", "highlights"],
}


class InvalidResponseError(ValueError):
    """Gemini answered, but not with JSON matching the schema."""


def _retryable(exc: BaseException) -> bool:
    from google.genai import errors

    if isinstance(exc, InvalidResponseError | httpx.TransportError):
        return True
    return isinstance(exc, errors.APIError) and (exc.code == 429 or exc.code >= 500)


def _stamp(t: float) -> str:
    s = int(t)
    return f"{s // 60:02d}:{s % 60:02d}"


def chunk_sentences(sentences: list[Sentence], max_chars: int) -> list[list[Sentence]]:
    """Consecutive groups of sentences whose prompt lines fit in max_chars."""
    chunks: list[list[Sentence]] = [[]]
    size = 0
    for s in sentences:
        line = len(s.text) + 16
        if chunks[-1] and size + line > max_chars:
            chunks.append([])
            size = 0
        chunks[-1].append(s)
        size += line
    return [c for c in chunks if c]


@dataclass
class GeminiScorer:
    """Scores a lecture with Gemini structured output; falls back to `fallback` on failure."""

    api_key: str
    model: str = "gemini-2.5-flash"
    base_url: str | None = None
    timeout_s: float = 120.0
    max_retries: int = 4
    max_chars_per_chunk: int = 60_000
    fallback: Scorer | None = None
    backoff_s: float = 2.0
    name: str = field(default="gemini")

    def __post_init__(self) -> None:
        if not self.api_key:
            raise ValueError("GeminiScorer needs an API key; set it or use the local scorer")
        self._client: Any = None

    def _get_client(self) -> Any:
        if self._client is None:
            from google import genai
            from google.genai import types

            opts = types.HttpOptions(api_version="v1beta", timeout=int(self.timeout_s * 1000))
            if self.base_url:
                opts.base_url = self.base_url
            self._client = genai.Client(api_key=self.api_key, http_options=opts)
        return self._client

    def _call(self, prompt: str) -> dict[str, Any]:
        from google.genai import types

        config = types.GenerateContentConfig(
            response_mime_type="application/json",
            response_schema=RESPONSE_SCHEMA,
            temperature=0.2,
        )
        for attempt in Retrying(
            stop=stop_after_attempt(self.max_retries + 1),
            wait=wait_exponential(multiplier=self.backoff_s, max=60.0),
            retry=retry_if_exception(_retryable),
            reraise=True,
        ):
            with attempt:
                resp = self._get_client().models.generate_content(
                    model=self.model, contents=prompt, config=config
                )
                try:
                    data = json.loads(resp.text or "")
                except json.JSONDecodeError as exc:
                    raise InvalidResponseError(f"not JSON: {str(resp.text)[:80]!r}") from exc
                if not isinstance(data, dict) or not isinstance(data.get("chapters"), list):
                    raise InvalidResponseError("JSON without a 'chapters' list")
                return data
        raise AssertionError("unreachable")  # pragma: no cover

    def score(
        self,
        transcript: Transcript,
        sentences: list[Sentence],
        speech: SpeechMap | None,
        layout: ScreenLayout | None,
    ) -> ContentScores:
        """Ask Gemini chunk by chunk, then merge chapters, highlights and sentence scores."""
        if not sentences:
            return ContentScores([], [], [], method="gemini: no sentences")
        try:
            answers = self._ask_all(sentences)
        except Exception as exc:
            from google.genai import errors

            if not isinstance(exc, errors.APIError | InvalidResponseError | httpx.HTTPError):
                raise
            why = f"{type(exc).__name__}: {str(exc)[:160]}"
            if self.fallback is None:
                raise RuntimeError(
                    f"Gemini scoring failed after {self.max_retries} retries ({why}); check the "
                    "API key and quota, or configure the local scorer as fallback"
                ) from exc
            log.warning("gemini scoring failed, using fallback scorer: %s", why)
            result = self.fallback.score(transcript, sentences, speech, layout)
            return replace(result, method=f"{result.method} (fallback: gemini failed: {why})")
        return self._merge(answers, sentences, layout)

    def _ask_all(self, sentences: list[Sentence]) -> list[tuple[list[Sentence], dict[str, Any]]]:
        template = PROMPT_PATH.read_text(encoding="utf-8")
        chunks = chunk_sentences(sentences, self.max_chars_per_chunk)
        out = []
        for n, chunk in enumerate(chunks, start=1):
            lines = "\n".join(f"[{s.index}] {_stamp(s.start)} {s.text}" for s in chunk)
            prompt = (
                template.replace("{chunk}", str(n))
                .replace("{chunks}", str(len(chunks)))
                .replace("{max_highlights}", "8")
                .replace("{max_key}", "40")
                .replace("{sentences}", lines)
            )
            log.info("gemini scoring chunk %d/%d (%d sentences)", n, len(chunks), len(chunk))
            out.append((chunk, self._call(prompt)))
        return out

    def _merge(
        self,
        answers: list[tuple[list[Sentence], dict[str, Any]]],
        sentences: list[Sentence],
        layout: ScreenLayout | None,
    ) -> ContentScores:
        starts: dict[int, str] = {}
        for n, (chunk, data) in enumerate(answers):
            lo, hi = chunk[0].index, chunk[-1].index
            found = {}
            for ch in data.get("chapters", []):
                i = _as_int(ch.get("first_sentence"))
                if i is not None and lo <= i <= hi:
                    found[i] = str(ch.get("title") or "").strip() or "Untitled"
            continues = bool(data.get("continues_previous_topic")) and n > 0
            if continues:
                found.pop(lo, None)
            elif lo not in found:
                found[lo] = found[min(found)] if found else "Untitled"
            starts.update(found)
        cuts = sorted(starts)
        slides = list(layout.slide_changes) if layout else []
        snapped = snap_to_slides(cuts, sentences, slides, 8.0)
        titles = {new: starts[old] for old, new in zip(cuts, snapped, strict=True)}
        chapters = [replace(c, title=titles.get(c.first_sentence, c.title)) for c in
                    build_chapters(sentences, snapped)]  # fmt: skip
        llm: dict[int, float] = {}
        candidates: list[CandidateWindow] = []
        for _, data in answers:
            for ks in data.get("key_sentences", []) or []:
                i = _as_int(ks.get("index"))
                if i is not None and 0 <= i < len(sentences):
                    llm[i] = _clamp(ks.get("score"))
            for h in data.get("highlights", []) or []:
                a, b = _as_int(h.get("first_sentence")), _as_int(h.get("last_sentence"))
                if a is None or b is None or not (0 <= a <= b < len(sentences)):
                    continue
                k = chapter_of(chapters, a)
                b = min(b, chapters[k].last_sentence)  # a clip never crosses a chapter
                sc = _clamp(h.get("score"))
                candidates.append(
                    CandidateWindow(
                        start=sentences[a].start,
                        end=sentences[b].end,
                        first_sentence=a,
                        last_sentence=b,
                        chapter_index=k,
                        score=sc,
                        title=str(h.get("title") or chapters[k].title),
                        reason=str(h.get("reason") or ""),
                        features={"llm_score": sc},
                    )
                )
        local = sentence_scores(sentence_features(sentences))
        scores = [round(0.5 * v + 0.5 * llm[i], 4) if i in llm else v for i, v in enumerate(local)]
        method = f"gemini: {self.model}, {len(answers)} chunk(s), {len(chapters)} chapters"
        return ContentScores(sentences, chapters, sorted(candidates, key=lambda c: c.start),
                             method, scores)  # fmt: skip


def _as_int(v: object) -> int | None:
    if isinstance(v, bool):
        return None
    if isinstance(v, int):
        return v
    if isinstance(v, float) and v.is_integer():
        return int(v)
    return None


def _clamp(v: object) -> float:
    return min(1.0, max(0.0, float(v))) if isinstance(v, int | float) else 0.5
