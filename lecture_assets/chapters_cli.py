"""`lecture-highlights chapters FILE...`: chapters of caption files, one JSON line per file."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import TextIO

from lecture_assets.analysis.content.score import Scorer, score_content
from lecture_assets.analysis.render.caption_files import CaptionFileError, read_captions


def chapters_for_files(files: Iterable[Path], scorer: Scorer, out: TextIO, err: TextIO) -> int:
    """Print `{"file", "chapters": [{"start", "end", "title"}]}` per file; return the exit code.

    One scorer (one model load) serves every file. A file that cannot be read gets an error
    line on `err` and a JSON line with an "error" field on `out`; the other files go on, and
    the exit code is 1 when any file failed, else 0.
    """
    failed = 0
    for path in files:
        try:
            transcript = read_captions(path)
            result = score_content(transcript, None, None, scorer)
        except CaptionFileError as exc:
            failed += 1
            err.write(f"error: {exc}\n")
            out.write(json.dumps({"file": str(path), "chapters": [], "error": str(exc)}) + "\n")
            out.flush()
            continue
        chapters = [
            {"start": round(c.start, 3), "end": round(c.end, 3), "title": c.title}
            for c in result.chapters
        ]
        out.write(json.dumps({"file": str(path), "chapters": chapters}) + "\n")
        out.flush()
    return 1 if failed else 0
