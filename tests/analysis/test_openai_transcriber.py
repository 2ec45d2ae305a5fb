"""OpenAI Whisper API client against a local server that speaks the API's wire format."""

from __future__ import annotations

import io
import json
import threading
import wave
from collections.abc import Iterator
from email.parser import BytesParser
from email.policy import default
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from lecture_assets.analysis.silence.detect import detect_silences
from lecture_assets.analysis.transcript.openai_api import (
    OpenAIWhisperTranscriber,
    TranscriptionError,
)
from tests.fixtures.speech import LectureParams, SyntheticLecture, make_lecture


class FakeAPI:
    """Answers POST /v1/audio/transcriptions; `script` lists status codes to return first."""

    def __init__(self, script: list[int] | None = None) -> None:
        self.script = list(script or [])
        self.requests: list[dict[str, object]] = []


def _handler(api: FakeAPI) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:  # keep pytest output quiet
            pass

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            head = f"Content-Type: {self.headers['Content-Type']}\r\n\r\n".encode()
            form = BytesParser(policy=default).parsebytes(head + body)
            parts = [
                (p.get_param("name", header="content-disposition"), p) for p in form.iter_parts()
            ]
            fields = dict(parts)
            audio = fields["file"].get_payload(decode=True)
            with wave.open(io.BytesIO(audio), "rb") as handle:
                seconds = handle.getnframes() / handle.getframerate()
            api.requests.append(
                {
                    "path": self.path,
                    "bytes": len(audio),
                    "seconds": seconds,
                    "format": fields["response_format"].get_content().strip(),
                    "granularity": [
                        p.get_content().strip()
                        for n, p in parts
                        if str(n).startswith("timestamp_granularities")
                    ],
                }
            )
            status = api.script.pop(0) if api.script else 200
            if status != 200:
                reply = {"error": {"message": f"fake {status}", "type": "server_error"}}
            else:
                n = len(api.requests)
                reply = {
                    "task": "transcribe",
                    "language": "english",
                    "duration": seconds,
                    "text": f"chunk {n} start chunk {n} end",
                    "segments": [
                        {
                            "id": 0,
                            "seek": 0,
                            "start": 0.0,
                            "end": seconds / 2,
                            "text": f" chunk {n} start",
                            "tokens": [],
                            "temperature": 0.0,
                            "avg_logprob": -0.1,
                            "compression_ratio": 1.0,
                            "no_speech_prob": 0.0,
                        },
                        {
                            "id": 1,
                            "seek": 0,
                            "start": seconds / 2,
                            "end": seconds,
                            "text": f" chunk {n} end",
                            "tokens": [],
                            "temperature": 0.0,
                            "avg_logprob": -0.1,
                            "compression_ratio": 1.0,
                            "no_speech_prob": 0.0,
                        },
                    ],
                    "words": [
                        {"word": f"start{n}", "start": 0.2, "end": 0.6},
                        {"word": f"end{n}", "start": seconds - 0.6, "end": seconds - 0.2},
                    ],
                }
            data = json.dumps(reply).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    return Handler


@pytest.fixture()
def serve() -> Iterator[tuple[FakeAPI, str]]:
    servers: list[ThreadingHTTPServer] = []
    api = FakeAPI()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(api))
    servers.append(server)
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    yield api, f"http://127.0.0.1:{server.server_address[1]}/v1"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def lecture() -> SyntheticLecture:
    return make_lecture(LectureParams())


def _client(url: str, **kw: object) -> OpenAIWhisperTranscriber:
    return OpenAIWhisperTranscriber("sk-test", base_url=url, retry_base_s=0.01, **kw)  # type: ignore[arg-type]


def test_long_audio_is_sent_in_chunks_cut_at_silences_and_restitched(
    serve: tuple[FakeAPI, str], lecture: SyntheticLecture
) -> None:
    api, url = serve
    limit = 10 * 32000 + 44  # 10 s of 16 kHz mono pcm per request
    speech = detect_silences(lecture.wav)
    progress: list[float] = []
    transcript = _client(url, max_chunk_bytes=limit).transcribe(
        lecture.wav, speech=speech, on_progress=progress.append
    )
    assert len(api.requests) >= 3
    assert all(r["bytes"] <= limit for r in api.requests)  # type: ignore[operator]
    assert all(r["format"] == "verbose_json" for r in api.requests)
    assert api.requests[0]["path"] == "/v1/audio/transcriptions"
    assert set(api.requests[0]["granularity"]) == {"word", "segment"}  # type: ignore[arg-type]
    # every chunk's words come back once, in order, shifted onto the lecture timeline
    names = [w.word for w in transcript.words]
    n = len(api.requests)
    assert names == [x for i in range(1, n + 1) for x in (f"start{i}", f"end{i}")]
    starts = [w.start for w in transcript.words if w.word.startswith("start")]
    assert starts == sorted(starts) and starts[0] >= speech.speech[0].start - 0.5
    for word in transcript.words:  # each word lies on real speech, not in a pause
        assert any(s.start - 0.5 <= word.start <= s.end + 0.5 for s in lecture.speech)
    assert transcript.language == "en" and progress[-1] == 1.0


def test_rate_limit_is_retried_then_succeeds(
    serve: tuple[FakeAPI, str], lecture: SyntheticLecture
) -> None:
    api, url = serve
    api.script = [429]
    transcript = _client(url).transcribe(lecture.wav)
    assert len(api.requests) == 2
    assert transcript.words[0].word == "start2"


def test_server_error_every_time_gives_a_clear_error_after_the_last_retry(
    serve: tuple[FakeAPI, str], lecture: SyntheticLecture
) -> None:
    api, url = serve
    api.script = [500] * 10
    with pytest.raises(TranscriptionError) as err:
        _client(url, max_retries=2).transcribe(lecture.wav)
    assert len(api.requests) == 3
    assert "after 3 attempts" in str(err.value) and "HTTP 500" in str(err.value)
    assert "offline" in str(err.value)


def test_bad_key_is_not_retried(serve: tuple[FakeAPI, str], lecture: SyntheticLecture) -> None:
    api, url = serve
    api.script = [401]
    with pytest.raises(TranscriptionError, match="API key"):
        _client(url).transcribe(lecture.wav)
    assert len(api.requests) == 1


def test_silent_audio_never_calls_the_api(serve: tuple[FakeAPI, str], tmp_path: Path) -> None:
    api, url = serve
    wav = tmp_path / "q.wav"
    with wave.open(str(wav), "wb") as handle:
        handle.setnchannels(1)
        handle.setsampwidth(2)
        handle.setframerate(16000)
        handle.writeframes(b"\0\0" * 32000)
    transcript = _client(url).transcribe(wav)
    assert transcript.segments == [] and transcript.reason
    assert api.requests == []
