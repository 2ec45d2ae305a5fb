"""The slides agent reads slide titles and text off real OCR of rendered decks."""

from __future__ import annotations

import shutil
from pathlib import Path

import cv2
import numpy as np
import pytest

from lecture_assets.analysis.content.titles import title_chapters
from lecture_assets.analysis.layout.detect import detect_layout
from lecture_assets.analysis.media.ffmpeg import MediaError, probe
from lecture_assets.analysis.models import Chapter, ScreenLayout
from lecture_assets.analysis.slides import ocr
from lecture_assets.analysis.slides.ocr import OcrLine
from lecture_assets.analysis.slides.read import (
    SlideDeck,
    read_slides,
    reads_as_words,
    slide_title,
)
from tests.fixtures.layouts import _Slides, slide_title_text
from tests.fixtures.slide_video import TECH_DECK, SlideSpec, cached_slide_video

pytestmark = pytest.mark.skipif(shutil.which("tesseract") is None, reason="make system-deps")
OPENCAST = Path(__file__).resolve().parents[3] / "shared" / "realmedia" / "video" / "opencast"


@pytest.fixture(scope="module")
def tech_deck() -> tuple[SlideDeck, list[tuple[float, float]], ScreenLayout]:
    video, times = cached_slide_video(TECH_DECK)
    info = probe(video)
    layout = detect_layout(video, info)
    return read_slides(video, layout, info.duration_s), times, layout


def _same(a: str, b: str) -> bool:
    return " ".join(a.lower().split()) == " ".join(b.lower().split())


def test_titles_of_a_varied_deck_are_read_word_for_word(
    tech_deck: tuple[SlideDeck, list[tuple[float, float]], ScreenLayout],
) -> None:
    deck, times, _ = tech_deck
    right = 0
    for spec, (start, end) in zip(TECH_DECK, times, strict=True):
        slide = deck.at((start + end) / 2)
        right += slide is not None and _same(slide.title, spec.title)
    assert right >= 0.9 * len(TECH_DECK), [s.title for s in deck.slides]
    # body lines are text too, and the camera inset is not read as slide text
    gradient = deck.at(2.0)
    assert gradient is not None and "learning rate" in gradient.text.lower()
    assert "gradient" in {w.lower() for w in deck.vocabulary}


def test_chapters_over_the_deck_carry_their_slide_titles(
    tech_deck: tuple[SlideDeck, list[tuple[float, float]], ScreenLayout],
) -> None:
    deck, times, _ = tech_deck
    # chapters a few seconds off the slide changes, as a text segmenter places them
    chapters = [
        Chapter(max(0.0, a + (1.2 if k % 2 else -1.0)), b, "kw, list, stem", 0, 0)
        for k, (a, b) in enumerate(times)
    ]
    titled = title_chapters(chapters, ["we talk about it"] * len(chapters), deck.slides)
    hits = sum(_same(c.title, s.title) for c, s in zip(titled, TECH_DECK, strict=True))
    assert hits >= 0.9 * len(TECH_DECK), [c.title for c in titled]


def test_a_slide_shown_again_is_read_once(tmp_path: Path) -> None:
    a = SlideSpec("Fourier Transform", ("Signals as sums of sines",), 4.0)
    b = SlideSpec("Sampling Theorem", ("Twice the highest frequency",), 4.0)
    video, _ = cached_slide_video([a, b, a], pip=False)
    info = probe(video)
    layout = ScreenLayout(info.width, info.height, None, None, [], [4.0, 8.0])
    deck = read_slides(video, layout, info.duration_s)
    assert [s.title for s in deck.slides] == [a.title, b.title, a.title]
    # the 0-4 s picture is not the 8-12 s one (theme cycles), so only equal pictures share
    assert deck.frames_read <= 3


def test_title_rules_on_lines() -> None:
    logo = OcrLine("ETH", 10, 10, 14, 90.0)
    wrapped = [OcrLine("Land and Vegetation: Key players on the", 50, 8, 30, 95.0),
               OcrLine("Climate Scene", 90, 8, 30, 95.0)]  # fmt: skip
    body = [OcrLine(f"name {i}, university", 150 + 20 * i, 8, 12, 90.0) for i in range(6)]
    assert slide_title([logo, *wrapped, *body], 400) == (
        "Land and Vegetation: Key players on the Climate Scene"
    )
    # a list of names in one type size has no title line: better none than a name
    assert slide_title(body, 400) == ""
    assert slide_title([], 400) == ""


def test_one_wide_word_does_not_make_a_list_of_names_titled() -> None:
    # the last name of a line wrapped on its own: "W" is wide, so its letters measure wide
    names = [OcrLine(f"Name {i} Surname, University of Somewhere", 30 + 10 * i, 15, 6, 90.0,
                     size=3.7 + 0.1 * (i % 3)) for i in range(8)]  # fmt: skip
    wrapped = OcrLine("Widmer", 65, 175, 6, 95.0, size=4.67)
    assert slide_title([*names, wrapped], 240) == ""
    # a short title in large type still is one
    outline = OcrLine("Outline", 10, 15, 12, 95.0, size=6.0)
    assert slide_title([outline, *names], 240) == "Outline"


def test_ocr_noise_never_titles_a_slide() -> None:
    noise = OcrLine("dU] oxo] am", 20, 8, 40, 60.0)
    body = [OcrLine(f"point {i} of the argument", 150 + 30 * i, 8, 14, 90.0) for i in range(3)]
    assert slide_title([noise, *body], 400) == ""
    for text in ("dU] oxo] am", "a are", "Ans ga]", "le 10]", "2026 10 11"):
        assert not reads_as_words(text), text
    for text in ("Lecture 7.14: bound error model", "Self-attention", "GPU Memory",
                 "PyTorch DataLoaders", "2.3 Results", "Big-O and O(n log n)"):  # fmt: skip
        assert reads_as_words(text), text


def _as_captured(slide: np.ndarray) -> np.ndarray:
    """The slide as `read_slides` crops it from a side-by-side recording: the dark frame
    around the screen region in the margin above and right, and lossy compression."""
    framed = cv2.copyMakeBorder(slide, 35, 0, 0, 23, cv2.BORDER_CONSTANT, value=(18, 18, 18))
    ok, jpeg = cv2.imencode(".jpg", framed, [cv2.IMWRITE_JPEG_QUALITY, 70])
    assert ok
    return np.asarray(cv2.imdecode(jpeg, cv2.IMREAD_COLOR), np.uint8)


@pytest.mark.parametrize(("size", "captured"), [((1280, 720), False), ((794, 596), True)])
def test_titles_on_coloured_bars_and_bullets_read_cleanly(
    size: tuple[int, int], captured: bool
) -> None:
    # white titles on bars of random colours, on light and dark slides, bullets as dots
    deck = _Slides(seed=0)
    w, h = size
    titled, bulleted = 0, 0
    for k in range(1, 9):
        picture = deck.render(k, 3, w, h)
        picture = _as_captured(picture) if captured else picture
        lines = ocr.read_text(picture)
        titled += slide_title(lines, picture.shape[0]) == slide_title_text(k)
        body = [ln.text for ln in lines[1:]]
        bulleted += len(body) == 3 and all(len(t.split()[0]) > 2 for t in body)
    assert titled >= 7 and bulleted >= 7, (titled, bulleted)


def test_missing_tesseract_says_how_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ocr.shutil, "which", lambda _name: None)
    with pytest.raises(MediaError) as err:
        ocr.tesseract_exe()
    assert err.value.code == "OCR_UNAVAILABLE"
    assert "apt-get install tesseract-ocr" in err.value.message


@pytest.mark.skipif(not OPENCAST.exists(), reason="real media not present")
def test_opencast_capture_slide_titles() -> None:
    video = OPENCAST / "slidechanges.mov"
    info = probe(video)
    deck = read_slides(video, detect_layout(video, info), info.duration_s)
    titles = [s.title.lower() for s in deck.slides]
    assert titles == ["titel der veranstaltung", "folie nummer 1", "folie nummer 2",
                      "folie nummer drei"]  # fmt: skip


def test_slides_flicking_by_stay_within_the_ocr_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    from lecture_assets.analysis.slides import read as agent

    reads: list[float] = []

    def frame(_video: Path, t: float, width: int) -> np.ndarray:
        return np.random.default_rng(int(t * 10)).integers(0, 255, (360, 640, 3), dtype=np.uint8)

    def read(picture: np.ndarray) -> list[OcrLine]:
        reads.append(1.0)
        return [OcrLine("Some Title", 10, 10, 30, 90.0)]

    monkeypatch.setattr(agent, "grab_frame_bgr", frame)
    monkeypatch.setattr(agent, "read_text", read)
    # a 20-minute lecture whose screen changes every 3 s, and one slide held for a minute
    changes = [3.0 * i for i in range(1, 400) if not 600 < 3.0 * i < 660]
    layout = ScreenLayout(640, 360, None, None, [], changes)
    deck = read_slides(Path("lecture.mp4"), layout, 1200.0)
    assert len(reads) <= 1200 / agent.SECONDS_PER_READ
    assert deck.at(630.0) is not None  # the slide shown longest is always read
