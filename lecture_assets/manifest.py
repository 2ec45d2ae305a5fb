"""The job manifest: one JSON document describing everything a job produced."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from lecture_assets.analysis.models import (
    HighlightPlan,
    Rect,
    ScreenLayout,
    SourceInfo,
    SpeechMap,
    Transcript,
)
from lecture_assets.analysis.slides.read import SlideDeck


@dataclass(frozen=True)
class ClipFiles:
    """Where one rendered clip's files are, relative to the manifest."""

    index: int
    video: str
    srt: str
    vtt: str
    thumbnail: str
    duration_s: float


def _r(value: float) -> float:
    return round(value, 3)


def _rect(rect: Rect | None) -> dict[str, int] | None:
    if rect is None:
        return None
    return {"x": rect.x, "y": rect.y, "width": rect.width, "height": rect.height}


def build_manifest(
    job_id: str,
    info: SourceInfo,
    speech: SpeechMap,
    transcript: Transcript,
    layout: ScreenLayout,
    plan: HighlightPlan,
    clips: list[ClipFiles],
    edl: str | None = None,
    slides: SlideDeck | None = None,
) -> dict[str, Any]:
    """The manifest contract of ARCHITECTURE.md (times in source seconds)."""
    files = {c.index: c for c in clips}
    return {
        "job_id": job_id,
        "source": {
            "duration_s": _r(info.duration_s),
            "width": info.width,
            "height": info.height,
            "fps": info.fps,
        },
        "speech": [[_r(i.start), _r(i.end)] for i in speech.speech],
        "silences": [[_r(i.start), _r(i.end)] for i in speech.silences],
        "transcript": {
            "language": transcript.language,
            "text": transcript.text,
            "segments": [
                {
                    "start": _r(s.start),
                    "end": _r(s.end),
                    "text": s.text.strip(),
                    "words": [
                        {"start": _r(w.start), "end": _r(w.end), "word": w.word.strip()}
                        for w in s.words
                    ],
                }
                for s in transcript.segments
            ],
        },
        "layout": {
            "screen": _rect(layout.screen),
            "camera": _rect(layout.camera),
            "slide_changes": [_r(t) for t in layout.slide_changes],
            "periods": [
                {
                    "start": _r(p.start),
                    "end": _r(p.end),
                    "kind": p.kind,
                    "screen": _rect(p.screen),
                    "camera": _rect(p.camera),
                }
                for p in layout.periods
            ],
        },
        "slides": [
            {
                "start": _r(s.start),
                "end": _r(s.end),
                "title": s.title,
                "text": s.text,
                "lines": list(s.lines),
            }
            for s in (slides.slides if slides is not None else [])
        ],
        "chapters": {"vtt": "clips/chapters.vtt", "youtube": "clips/chapters.txt"},
        "topics": [
            {"start": _r(c.start), "end": _r(c.end), "title": c.title} for c in plan.chapters
        ],
        "clips": [
            {
                "index": s.index,
                "start": _r(s.start),
                "end": _r(s.end),
                "duration_s": _r(files[s.index].duration_s),
                "score": round(s.score, 4),
                "title": s.title,
                "reason": s.reason,
                "keep": [[_r(k.start), _r(k.end)] for k in s.keep],
                "video": files[s.index].video,
                "srt": files[s.index].srt,
                "vtt": files[s.index].vtt,
                "thumbnail": files[s.index].thumbnail,
            }
            for s in plan.segments
            if s.index in files
        ],
        "chapters_text": plan.chapters_text,
        "note": plan.note,
        "edl": edl,
    }
