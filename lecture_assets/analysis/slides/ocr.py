"""Offline OCR of one picture with the Tesseract command-line engine, as lines with sizes."""

from __future__ import annotations

import csv
import io
import os
import re
import shutil
import subprocess
from dataclasses import dataclass

import cv2
import numpy as np
from numpy.typing import NDArray

from lecture_assets.analysis.media.ffmpeg import MediaError

TESSERACT_MISSING = (
    "Tesseract OCR is not installed, so slide text cannot be read. Install it with "
    "`apt-get install tesseract-ocr tesseract-ocr-eng` (`make system-deps` does), then "
    "reprocess the job from `slides`."
)
# text this short or this unsure is noise (logos, icons, textures read as letters)
MIN_WORD_CONF = 45.0
_BULLET = re.compile(r"^[\s=•·\-\u2013\u2014*>o§«»|]+(?=\w)")
_LETTERS = re.compile(r"[A-Za-zÀ-ÿ0-9]")


@dataclass(frozen=True)
class OcrLine:
    """One line of text: its words, position and letter height in the picture's pixels."""

    text: str
    top: int
    left: int
    height: int
    conf: float


def tesseract_exe() -> str:
    """The tesseract binary, or a MediaError telling the operator how to install it."""
    exe = shutil.which("tesseract")
    if exe is None:
        raise MediaError("OCR_UNAVAILABLE", TESSERACT_MISSING)
    return exe


def _clean(text: str) -> str:
    text = _BULLET.sub("", text.strip())
    return re.sub(r"\s+", " ", text).strip()


def _lines_from_tsv(tsv: str, scale: float) -> list[OcrLine]:
    rows = list(csv.DictReader(io.StringIO(tsv), delimiter="\t", quoting=csv.QUOTE_NONE))
    grouped: dict[tuple[str, str, str], list[dict[str, str]]] = {}
    for row in rows:
        if row.get("level") != "5" or not (row.get("text") or "").strip():
            continue
        if float(row.get("conf") or -1) < MIN_WORD_CONF:
            continue
        key = (row["block_num"], row["par_num"], row["line_num"])
        grouped.setdefault(key, []).append(row)
    lines: list[OcrLine] = []
    for words in grouped.values():
        text = _clean(" ".join(w["text"] for w in words))
        if len(_LETTERS.findall(text)) < 2:
            continue
        heights = sorted(int(w["height"]) for w in words if _LETTERS.search(w["text"]))
        height = heights[len(heights) // 2] if heights else int(words[0]["height"])
        lines.append(
            OcrLine(
                text=text,
                top=round(min(int(w["top"]) for w in words) / scale),
                left=round(min(int(w["left"]) for w in words) / scale),
                height=max(1, round(height / scale)),
                conf=round(sum(float(w["conf"]) for w in words) / len(words), 1),
            )
        )
    return sorted(lines, key=lambda ln: (ln.top, ln.left))


def read_text(
    image: NDArray[np.uint8], languages: str = "eng", timeout_s: float = 120.0
) -> list[OcrLine]:
    """Lines of text in a BGR picture, top to bottom; positions in the picture's own pixels."""
    if image.size == 0:
        return []
    gray = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY) if image.ndim == 3 else image
    if float(np.median(gray)) < 110:
        # light text on a dark deck: invert here, so tesseract need not try both (a third
        # less cpu with tessedit_do_invert=0)
        gray = 255 - gray
    # small captures (320-640 px) hold 8-12 px letters: tesseract needs them about twice that
    scale = min(4.0, max(1.0, 1280.0 / max(1, gray.shape[1])))
    if scale != 1.0:
        gray = cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_CUBIC)
    ok, png = cv2.imencode(".png", gray)
    if not ok:
        return []
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}  # one core: the transcriber has the other
    cmd = [tesseract_exe(), "stdin", "stdout", "-l", languages, "--psm", "3",
           "-c", "tessedit_do_invert=0", "tsv"]  # fmt: skip
    out = subprocess.run(
        cmd, input=png.tobytes(), capture_output=True, timeout=timeout_s, check=False, env=env
    )
    if out.returncode != 0:
        detail = out.stderr.decode(errors="replace").strip()[-300:]
        raise MediaError(
            "OCR_FAILED",
            f"Tesseract could not read a slide ({detail}); check the tesseract-ocr install "
            "(and its language data, `tesseract --list-langs`) then reprocess from `slides`.",
        )
    return _lines_from_tsv(out.stdout.decode(errors="replace"), scale)
