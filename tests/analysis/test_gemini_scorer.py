"""GeminiScorer against a local HTTP server speaking the generateContent wire format."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from lecture_assets.analysis.content.features import sentence_features, sentence_scores
from lecture_assets.analysis.content.gemini import GeminiScorer
from lecture_assets.analysis.models import Chapter, ContentScores, Sentence
from lecture_assets.analysis.transcript.sentences import split_sentences
from tests.fixtures.topic_lectures import easy_lectures


class FakeGemini:
    """Scripted replies: each item is (status, body-text-or-None-for-auto)."""

    def __init__(self) -> None:
        self.script: list[tuple[int, str | None]] = []
        self.requests: list[dict[str, Any]] = []
        self.paths: list[str] = []
        self.keys: list[str | None] = []

    def reply(self, request: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        status, text = self.script.pop(0) if self.script else (200, None)
        if status != 200:
            err = {"code": status, "message": "slow down", "status": "RESOURCE_EXHAUSTED"}
            return status, {"error": err}
        if text is None:
            text = json.dumps(auto_answer(request["contents"][0]["parts"][0]["text"]))
        body = {
            "candidates": [
                {"content": {"role": "model", "parts": [{"text": text}]}, "finishReason": "STOP"}
            ],
            "usageMetadata": {"promptTokenCount": 10, "totalTokenCount": 20},
            "modelVersion": "gemini-2.5-flash",
        }
        return 200, body


def auto_answer(prompt: str) -> dict[str, Any]:
    """Pretend model: a chapter at each cue sentence, one highlight per chapter."""
    idx = [
        int(line[1 : line.index("]")])
        for line in prompt.splitlines()
        if line.startswith("[") and "]" in line and line[1 : line.index("]")].isdigit()
    ]
    cues = [i for i, line in zip(idx, [ln for ln in prompt.splitlines() if ln.startswith("[")],
            strict=False) if "move on" in line or "next topic" in line or "talk about" in line
            or "brings us" in line]  # fmt: skip
    chapters = [{"first_sentence": i, "title": f"Topic at {i}"} for i in [idx[0], *cues]]
    highlights = [
        {"first_sentence": c["first_sentence"] + 1, "last_sentence": c["first_sentence"] + 5,
         "title": "A highlight", "reason": "Defines the core idea", "score": 0.9}
        for c in chapters
    ]  # fmt: skip
    return {
        "continues_previous_topic": False,
        "chapters": chapters,
        "highlights": highlights,
        "key_sentences": [{"index": idx[1], "score": 1.0}],
    }


@pytest.fixture()
def server() -> Iterator[tuple[str, FakeGemini]]:
    fake = FakeGemini()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("content-length", "0"))
            request = json.loads(self.rfile.read(length))
            fake.paths.append(self.path)
            fake.keys.append(self.headers.get("x-goog-api-key"))
            fake.requests.append(request)
            status, body = fake.reply(request)
            raw = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)

        def log_message(self, *args: Any) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", fake
    httpd.shutdown()
    httpd.server_close()


class StubFallback:
    """A cheap offline scorer standing in for LocalScorer."""

    name = "stub-local"

    def score(self, transcript: Any, sentences: list[Sentence], speech: Any, layout: Any) -> Any:
        ch = Chapter(sentences[0].start, sentences[-1].end, "All", 0, len(sentences) - 1)
        scores = sentence_scores(sentence_features(sentences))
        return ContentScores(sentences, [ch], [], "local: stub", scores)


def _scorer(url: str, **kw: Any) -> GeminiScorer:
    return GeminiScorer("test-key", base_url=url, backoff_s=0.01, timeout_s=10, **kw)


def test_structured_call_produces_chapters_and_candidates(server: tuple[str, FakeGemini]) -> None:
    url, fake = server
    lecture = easy_lectures(range(1))[0]
    sents = split_sentences(lecture.transcript)
    out = _scorer(url).score(lecture.transcript, sents, None, lecture.layout)
    assert fake.paths[0].startswith("/v1beta/models/gemini-2.5-flash:generateContent")
    assert fake.keys[0] == "test-key"
    cfg = fake.requests[0]["generationConfig"]
    assert cfg["responseMimeType"] == "application/json"
    assert "chapters" in json.dumps(cfg["responseSchema"])
    assert len(out.chapters) == len(lecture.topics)
    assert out.chapters[0].first_sentence == 0 and out.chapters[-1].last_sentence == len(sents) - 1
    assert out.candidates and all(c.reason == "Defines the core idea" for c in out.candidates)
    assert len(out.sentence_scores) == len(sents)
    assert out.method.startswith("gemini")


def test_long_transcript_is_chunked_and_merged(server: tuple[str, FakeGemini]) -> None:
    url, fake = server
    lecture = easy_lectures(range(1))[0]
    sents = split_sentences(lecture.transcript)
    out = _scorer(url, max_chars_per_chunk=2000).score(lecture.transcript, sents, None, None)
    assert len(fake.requests) >= 3
    for req in fake.requests:
        assert len(req["contents"][0]["parts"][0]["text"]) < 2000 + 3000  # prompt + chunk
    # chapters cover the lecture without gaps or overlaps
    assert out.chapters[0].first_sentence == 0
    for a, b in zip(out.chapters, out.chapters[1:], strict=False):
        assert b.first_sentence == a.last_sentence + 1
    # a merged chunk boundary that 'continues' must not invent a chapter
    assert len(out.chapters) <= len(lecture.topics) + len(fake.requests)


def test_rate_limit_is_retried_then_succeeds(server: tuple[str, FakeGemini]) -> None:
    url, fake = server
    fake.script = [(429, None), (503, None)]
    lecture = easy_lectures(range(1))[0]
    sents = split_sentences(lecture.transcript)
    out = _scorer(url).score(lecture.transcript, sents, None, None)
    assert len(fake.requests) == 3
    assert out.method.startswith("gemini") and len(out.chapters) > 1


def test_invalid_json_retries_then_falls_back_with_reason(server: tuple[str, FakeGemini]) -> None:
    url, fake = server
    fake.script = [(200, "not json {")] * 3
    lecture = easy_lectures(range(1))[0]
    sents = split_sentences(lecture.transcript)
    out = _scorer(url, max_retries=2, fallback=StubFallback()).score(
        lecture.transcript, sents, None, None
    )
    assert len(fake.requests) == 3
    assert out.method.startswith("local: stub (fallback: gemini failed: InvalidResponseError")


def test_invalid_json_then_valid_recovers(server: tuple[str, FakeGemini]) -> None:
    url, fake = server
    fake.script = [(200, '{"oops": 1}')]
    lecture = easy_lectures(range(1))[0]
    sents = split_sentences(lecture.transcript)
    out = _scorer(url, fallback=StubFallback()).score(lecture.transcript, sents, None, None)
    assert out.method.startswith("gemini")


def test_without_fallback_the_error_says_what_to_do(server: tuple[str, FakeGemini]) -> None:
    url, fake = server
    fake.script = [(429, None)] * 5
    lecture = easy_lectures(range(1))[0]
    sents = split_sentences(lecture.transcript)
    with pytest.raises(RuntimeError, match="API key and quota"):
        _scorer(url, max_retries=1).score(lecture.transcript, sents, None, None)
    assert len(fake.requests) == 2
