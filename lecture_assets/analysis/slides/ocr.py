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
# light-on-dark blocks: cells of 8 px whose background differs from the page's by this much,
# at least this many cells; their light part must be letters (a small share, clear contrast)
CELL = 8
MIN_BLOCK_CONTRAST = 35
MIN_BLOCK_CELLS = 12
FILL_STEP = 12  # a step in background this big between neighbouring cells ends a block
MIN_INK_SHARE, MAX_INK_SHARE = 0.002, 0.4
MIN_INK_CONTRAST = 50.0
# a "word" this many times wider than tall per letter is a rule or an edge
MAX_LETTER_ASPECT = 2.5
_BULLET = re.compile(r"^[\s=•·\-\u2013\u2014*>o§«»|]+(?=\w)")
# a bullet read as text: at most one letter among signs, set off by a wide gap
_GLYPH = re.compile(r"^[^\sA-Za-z0-9]*[A-Za-z]?[^\sA-Za-z0-9]*$")
BULLET_GAP = 0.8
_LETTERS = re.compile(r"[A-Za-zÀ-ÿ0-9]")


@dataclass(frozen=True)
class OcrLine:
    """One line of text: its words, position, letter height and width in picture pixels."""

    text: str
    top: int
    left: int
    height: int
    conf: float
    size: float = 0.0  # mean letter width: compares font sizes (heights vary with g, l, p)


def tesseract_exe() -> str:
    """The tesseract binary, or a MediaError telling the operator how to install it."""
    exe = shutil.which("tesseract")
    if exe is None:
        raise MediaError("OCR_UNAVAILABLE", TESSERACT_MISSING)
    return exe


def _clean(text: str) -> str:
    text = _BULLET.sub("", text.strip())
    return re.sub(r"\s+", " ", text).strip()


def _without_bullet(words: list[dict[str, str]]) -> list[dict[str, str]]:
    """The line's words without a bullet read as a letter or a sign ("e", "@", "e@"): a lone
    glyph set apart from the words after it by more than a space."""
    if len(words) < 2 or not _GLYPH.match(words[0]["text"].strip()):
        return words
    first, second = words[0], words[1]
    gap = int(second["left"]) - int(first["left"]) - int(first["width"])
    return words[1:] if gap > BULLET_GAP * int(second["height"]) else words


def _lines_from_tsv(tsv: str, scale: float) -> list[OcrLine]:
    rows = list(csv.DictReader(io.StringIO(tsv), delimiter="\t", quoting=csv.QUOTE_NONE))
    grouped: dict[tuple[str, str, str], list[dict[str, str]]] = {}
    for row in rows:
        if row.get("level") != "5" or not (row.get("text") or "").strip():
            continue
        if float(row.get("conf") or -1) < MIN_WORD_CONF:
            continue
        if int(row["width"]) > MAX_LETTER_ASPECT * int(row["height"]) * len(row["text"].strip()):
            continue  # a rule or an edge read as letters ("ee" across the slide)
        key = (row["block_num"], row["par_num"], row["line_num"])
        grouped.setdefault(key, []).append(row)
    lines: list[OcrLine] = []
    for words in grouped.values():
        words = _without_bullet(words)
        text = _clean(" ".join(w["text"] for w in words))
        if len(_LETTERS.findall(text)) < 2:
            continue
        heights = sorted(int(w["height"]) for w in words if _LETTERS.search(w["text"]))
        height = heights[len(heights) // 2] if heights else int(words[0]["height"])
        # letter width is the font size whatever the words' ascenders and descenders are
        chars = sum(len(w["text"]) for w in words)
        width = sum(int(w["width"]) for w in words) / max(1, chars)
        lines.append(
            OcrLine(
                text=text,
                top=round(min(int(w["top"]) for w in words) / scale),
                left=round(min(int(w["left"]) for w in words) / scale),
                height=max(1, round(height / scale)),
                size=round(width / scale, 2),
                conf=round(sum(float(w["conf"]) for w in words) / len(words), 1),
            )
        )
    return sorted(lines, key=lambda ln: (ln.top, ln.left))


def _ink_black_on_white(
    gray: NDArray[np.uint8], box: tuple[slice, slice], inside: NDArray[np.bool_]
) -> None:
    """One block's letters black on white, whichever way round they were; a block without
    letters (a flat bar, a solid chart) stays as it is."""
    region = gray[box]
    values = region[inside]
    threshold, _ = cv2.threshold(values.reshape(-1, 1), 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    light = values > threshold
    if not light.any() or light.all():
        return
    if float(values[light].mean()) - float(values[~light].mean()) < MIN_INK_CONTRAST:
        return
    share = float(light.mean())
    if MIN_INK_SHARE <= share <= MAX_INK_SHARE:  # light letters on a darker block
        paper, ink = float(np.median(values[~light])), float(np.percentile(values[light], 90))
    elif MIN_INK_SHARE <= 1.0 - share <= MAX_INK_SHARE:  # dark letters on a lighter block
        paper, ink = float(np.median(values[light])), float(np.percentile(values[~light], 10))
    else:
        return
    # stretched, not thresholded: the letters' anti-aliased edges are what Tesseract reads
    stretched = (region.astype(np.float32) - ink) * (255.0 / (paper - ink))
    region[inside] = np.clip(stretched, 0, 255).astype(np.uint8)[inside]


def _blocks(background: NDArray[np.uint8], page: float) -> list[NDArray[np.bool_]]:
    """Cells of each block unlike the page: a block grows over neighbours whose background
    steps by less than FILL_STEP, so a title bar touching the dark frame around a captured
    screen is a block of its own, and letters shading the bar's background do not split it."""
    todo = np.abs(background.astype(np.int16) - page) > MIN_BLOCK_CONTRAST
    out: list[NDArray[np.bool_]] = []
    while todo.any():
        y, x = (int(v) for v in np.argwhere(todo)[0])
        mask = np.zeros((background.shape[0] + 2, background.shape[1] + 2), np.uint8)
        flags = 4 | cv2.FLOODFILL_MASK_ONLY | (1 << 8)
        cv2.floodFill(background.copy(), mask, (x, y), 0, FILL_STEP, FILL_STEP, flags)
        block = mask[1:-1, 1:-1].astype(bool) & todo
        block[y, x] = True
        todo &= ~block
        if int(block.sum()) >= MIN_BLOCK_CELLS:
            out.append(block)
    return out


def dark_text_on_light(gray: NDArray[np.uint8]) -> NDArray[np.uint8]:
    """The picture with text on blocks unlike the page (a coloured title bar, a dark
    callout) turned into black text on white: Tesseract reads one polarity, on one
    background level."""
    h, w = gray.shape
    if h < 4 * CELL or w < 4 * CELL:
        return gray
    small = cv2.resize(gray, (w // CELL, h // CELL), interpolation=cv2.INTER_AREA)
    background = np.asarray(cv2.medianBlur(small, 5), np.uint8)
    out = gray.copy()
    for block in _blocks(background, float(np.median(small))):
        # closed over the holes large letters leave in the background estimate, then one
        # cell in from the block's edge: its border is neither block nor page
        cells = cv2.morphologyEx(block.astype(np.uint8), cv2.MORPH_CLOSE, np.ones((7, 7), np.uint8))
        cells = cv2.erode(cells, np.ones((3, 3), np.uint8))
        if int(cells.sum()) < MIN_BLOCK_CELLS:
            continue
        ys, xs = np.nonzero(cells)
        y0, y1, x0, x1 = int(ys.min()), int(ys.max()) + 1, int(xs.min()), int(xs.max()) + 1
        box = (slice(y0 * CELL, min(h, y1 * CELL)), slice(x0 * CELL, min(w, x1 * CELL)))
        size = (box[1].stop - box[1].start, box[0].stop - box[0].start)
        inside = cv2.resize(cells[y0:y1, x0:x1], size, interpolation=cv2.INTER_NEAREST)
        _ink_black_on_white(out, box, inside.astype(bool))
    return out


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
    gray = dark_text_on_light(np.asarray(gray, np.uint8))
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
