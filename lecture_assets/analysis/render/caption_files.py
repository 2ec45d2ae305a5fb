"""Read existing lecture captions (SRT, WebVTT or JSON cues) into a timed Transcript."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pysubs2

from lecture_assets.analysis.models import Transcript, TranscriptSegment, Word

_TAG_RE = re.compile(r"\{[^}]*\}|<[^>]+>")
_FORMATS = {".srt": "srt", ".vtt": "vtt", ".json": "json"}


class CaptionFileError(ValueError):
    """A caption file that cannot be read; the message says what to do about it."""


def _spread_words(start: float, end: float, text: str) -> list[Word]:
    # cues carry no word timings: spread the words evenly over the cue
    tokens = text.split()
    if not tokens:
        return []
    step = max(end - start, 0.0) / len(tokens)
    return [Word(start + i * step, start + (i + 1) * step, tok) for i, tok in enumerate(tokens)]


def _segment(start: float, end: float, text: str) -> TranscriptSegment | None:
    clean = " ".join(_TAG_RE.sub(" ", text.replace("\\N", " ").replace("\\n", " ")).split())
    if not clean or end < start:
        return None
    return TranscriptSegment(start, end, clean, _spread_words(start, end, clean))


def _subtitle_cues(path: Path, fmt: str) -> list[TranscriptSegment]:
    try:
        subs = pysubs2.load(str(path), encoding="utf-8", format_=fmt)
    except UnicodeDecodeError as exc:
        raise CaptionFileError(f"{path}: not UTF-8 text; re-save it as UTF-8") from exc
    except Exception as exc:  # pysubs2 raises several unrelated types on malformed input
        raise CaptionFileError(
            f"{path}: not a readable {fmt.upper()} file ({exc}); check it opens in a player"
        ) from exc
    events = [e for e in subs if not e.is_comment]
    segs = [_segment(e.start / 1000.0, e.end / 1000.0, e.plaintext) for e in events]
    return [s for s in segs if s is not None]


def _json_cues(path: Path) -> list[TranscriptSegment]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as exc:
        raise CaptionFileError(f"{path}: not UTF-8 text; re-save it as UTF-8") from exc
    except json.JSONDecodeError as exc:
        raise CaptionFileError(
            f"{path}: invalid JSON at line {exc.lineno} ({exc.msg}); "
            'expected [{"start": s, "end": s, "text": "..."}, ...]'
        ) from exc
    if isinstance(data, dict) and isinstance(data.get("segments"), list):
        data = data["segments"]  # a transcript or manifest-like object holding the cues
    if not isinstance(data, list):
        raise CaptionFileError(
            f'{path}: expected a JSON list of cues [{{"start", "end", "text"}}], '
            f"got {type(data).__name__}"
        )
    out: list[TranscriptSegment] = []
    for k, cue in enumerate(data):
        try:
            start, end, text = float(cue["start"]), float(cue["end"]), str(cue["text"])
        except (TypeError, KeyError, ValueError) as exc:
            raise CaptionFileError(
                f"{path}: cue {k} needs numeric 'start' and 'end' (seconds) and a 'text' "
                f"({exc!r}); fix that cue or drop it"
            ) from exc
        seg = _segment(start, end, text)
        if seg is not None:
            out.append(seg)
    return out


def read_captions(path: Path) -> Transcript:
    """Load an SRT, VTT or JSON (`[{start, end, text}]`) caption file as a Transcript.

    Cue words get evenly spread timings. Raises CaptionFileError with an actionable message
    when the file is missing, of an unknown kind, malformed or holds no text.
    """
    fmt = _FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise CaptionFileError(
            f"{path}: unknown caption format {path.suffix or '(no extension)'!r}; "
            "give a .srt, .vtt or .json file"
        )
    if not path.is_file():
        raise CaptionFileError(f"{path}: no such file; check the path")
    segs = _json_cues(path) if fmt == "json" else _subtitle_cues(path, fmt)
    if not segs:
        raise CaptionFileError(f"{path}: no caption text found; is it an empty {fmt} file?")
    segs.sort(key=lambda s: (s.start, s.end))
    return Transcript("und", segs, f"captions:{fmt}", max(s.end for s in segs))
