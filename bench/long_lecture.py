"""Long synthetic lectures (20-120 min, 720p25) built with ffmpeg, with ground truth, cached."""

from __future__ import annotations

import itertools
import json
import random
import subprocess
import time
import wave
from dataclasses import asdict, dataclass
from pathlib import Path

import cv2
import numpy as np

from lecture_assets.analysis.media.ffmpeg import ffmpeg_exe
from lecture_assets.analysis.models import Interval, LayoutPeriod, Rect
from tests.fixtures.layouts import LayoutTruth, Segment, _Camera, _Slides, segment_regions
from tests.fixtures.speech import SAMPLE_RATE, LectureParams, make_lecture
from tests.fixtures.topic_lectures import LINEAR_ALGEBRA

CACHE = Path(__file__).resolve().parent / ".cache"
SIZE = (1280, 720)
FPS = 25
CHUNK_S = 8.0  # the camera loop; chunks of this length are encoded once
VERSION = 2
# layout plans: (segment, share of the lecture); "switch" changes layout mid-lecture
LAYOUTS: dict[str, tuple[tuple[Segment, float], ...]] = {
    "pip": ((Segment("pip", 1.0, corner="br", inset_frac=0.28), 1.0),),
    "side_by_side": ((Segment("side_by_side", 1.0), 1.0),),
    "slides": ((Segment("slides", 1.0), 1.0),),
    "switch": (
        (Segment("pip", 1.0, corner="br", inset_frac=0.28), 0.45),
        (Segment("side_by_side", 1.0), 0.35),
        (Segment("slides", 1.0), 0.20),
    ),
}


@dataclass(frozen=True)
class LongLecture:
    """A generated long lecture and what a perfect pipeline would find in it."""

    path: Path
    minutes: float
    layout_name: str
    duration_s: float
    sentences: list[str]
    sentence_times: list[Interval]
    topic_starts: list[float]
    layout: LayoutTruth
    generate_s: float  # wall seconds it took to build (when it was built, maybe an earlier run)


def make_long_lecture(minutes: float, layout: str = "switch", seed: int = 0) -> LongLecture:
    """Build (or load from bench/.cache) a `minutes`-long lecture mp4 with its ground truth."""
    CACHE.mkdir(parents=True, exist_ok=True)
    stem = f"long-{minutes:g}min-{layout}-s{seed}-v{VERSION}"
    video, meta = CACHE / f"{stem}.mp4", CACHE / f"{stem}.json"
    if not (video.exists() and meta.exists()):
        t0 = time.monotonic()
        truth = _build(video, minutes, layout, seed)
        truth["generate_s"] = round(time.monotonic() - t0, 1)
        meta.write_text(json.dumps(truth))
    return _load(video, meta, minutes, layout)


def _build(video: Path, minutes: float, layout: str, seed: int) -> dict[str, object]:
    work = CACHE / f"{video.stem}.work"
    work.mkdir(exist_ok=True)
    rng = random.Random(seed)
    wav, sentences, times, topic_starts = _audio(work / "speech.wav", minutes * 60.0, rng)
    with wave.open(str(wav), "rb") as handle:
        duration = handle.getnframes() / SAMPLE_RATE
    duration = round(duration * FPS) / FPS
    periods, changes = _picture(work, duration, layout, rng)
    parts = work / "parts.ffconcat"
    subprocess.run(
        [ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y",
         "-f", "concat", "-safe", "0", "-i", str(parts), "-i", str(wav),
         "-map", "0:v", "-map", "1:a", "-c:v", "copy", "-c:a", "aac", "-b:a", "96k",
         "-t", f"{duration:.3f}", "-movflags", "+faststart", str(video.with_suffix(".part.mp4"))],
        check=True,
    )  # fmt: skip
    video.with_suffix(".part.mp4").replace(video)
    for f in work.iterdir():
        f.unlink()
    work.rmdir()
    return {
        "duration_s": duration,
        "sentences": sentences,
        "sentence_times": [[i.start, i.end] for i in times],
        "topic_starts": topic_starts,
        "periods": [
            {
                **asdict(p),
                "screen": p.screen and asdict(p.screen),
                "camera": p.camera and asdict(p.camera),
            }
            for p in periods
        ],
        "slide_changes": changes,
    }


def _topic_clips() -> dict[str, tuple[list[str], list[np.ndarray]]]:
    """Every sentence of every topic spoken once by espeak-ng (cached by tests/fixtures)."""
    out: dict[str, tuple[list[str], list[np.ndarray]]] = {}
    for n, (topic, pool) in enumerate(LINEAR_ALGEBRA.items()):
        lec = make_lecture(
            LectureParams(sentences=tuple(pool), pauses_s=(0.5,) * (len(pool) - 1), seed=n,
                          rate_wpm=170)
        )  # fmt: skip
        with wave.open(str(lec.wav), "rb") as handle:
            pcm = np.frombuffer(handle.readframes(handle.getnframes()), dtype="<i2")
        clips = [pcm[round(s.start * SAMPLE_RATE) : round(s.end * SAMPLE_RATE)] for s in lec.speech]
        out[topic] = (list(pool), clips)
    return out


def _audio(
    path: Path, target_s: float, rng: random.Random
) -> tuple[Path, list[str], list[Interval], list[float]]:
    """Loop the topics (shuffled sentences, varied pauses) until `target_s` is filled."""
    pools = _topic_clips()
    topics = list(pools)
    parts: list[np.ndarray] = [np.zeros(SAMPLE_RATE, dtype="<i2")]
    pos = SAMPLE_RATE
    sentences: list[str] = []
    times: list[Interval] = []
    starts: list[float] = []
    order: list[str] = []
    while pos / SAMPLE_RATE < target_s - 2.0:
        if not order:
            order = rng.sample(topics, len(topics))
        topic = order.pop()
        texts, clips = pools[topic]
        picks = rng.sample(range(len(texts)), rng.randint(12, len(texts)))
        if sentences:
            gap = round(rng.uniform(2.5, 4.0) * SAMPLE_RATE)
            parts.append(np.zeros(gap, dtype="<i2"))
            pos += gap
            starts.append(pos / SAMPLE_RATE)
        for k, i in enumerate(picks):
            if pos / SAMPLE_RATE + len(clips[i]) / SAMPLE_RATE > target_s - 1.0:
                break
            if k:
                long_pause = rng.random() < 0.1
                gap = round(rng.uniform(*((2.0, 4.0) if long_pause else (0.35, 1.2))) * SAMPLE_RATE)
                parts.append(np.zeros(gap, dtype="<i2"))
                pos += gap
            times.append(Interval(pos / SAMPLE_RATE, (pos + len(clips[i])) / SAMPLE_RATE))
            sentences.append(texts[i])
            parts.append(clips[i])
            pos += len(clips[i])
        else:
            continue
        break
    parts.append(np.zeros(max(SAMPLE_RATE, round(target_s * SAMPLE_RATE) - pos), dtype="<i2"))
    with wave.open(str(path), "wb") as handle:
        handle.setnchannels(1)
        handle.setsampwidth(2)
        handle.setframerate(SAMPLE_RATE)
        handle.writeframes(np.concatenate(parts).tobytes())
    if starts and starts[-1] >= times[-1].start:
        starts.pop()  # a topic that got no sentence before the end
    return path, sentences, times, starts


def _picture(
    work: Path, duration: float, layout: str, rng: random.Random
) -> tuple[list[LayoutPeriod], list[float]]:
    """List H.264 chunks for the whole lecture: each distinct (layout, slide) chunk of one camera
    loop (CHUNK_S) is encoded once and repeated by stream copy, so encoding is ~1/6 of the film."""
    w, h = SIZE
    plan = LAYOUTS[layout]
    total = sum(share for _, share in plan)
    bounds = [0.0]
    for _, share in plan:
        bounds.append(round((bounds[-1] + duration * share / total) / CHUNK_S) * CHUNK_S)
    bounds[-1] = duration
    # slide changes every 24-72 s, on camera-loop boundaries (a layout switch keeps the slide)
    changes: list[float] = []
    t = CHUNK_S * rng.randint(3, 9)
    while t < duration - CHUNK_S:
        changes.append(t)
        t += CHUNK_S * rng.randint(3, 9)
    slides, camera = _Slides(0), _Camera(0)
    periods: list[LayoutPeriod] = []
    truth_changes: list[float] = []
    listing = ["ffconcat version 1.0"]
    for n, (seg, _) in enumerate(plan):
        start, end = bounds[n], bounds[n + 1]
        screen, cam = segment_regions(seg, w, h)
        periods.append(LayoutPeriod(start, end, seg.kind, screen, cam))
        if screen is not None:
            truth_changes += [c for c in changes if start < c < end]
        cuts = [start] + [c for c in changes if start < c < end] + [end]
        for a, b in itertools.pairwise(cuts):
            slide = sum(1 for c in changes if c <= a + 1e-6) if screen is not None else 0
            full = int((b - a + 1e-6) // CHUNK_S)
            rem = round((b - a - full * CHUNK_S) * FPS) / FPS
            chunk = _chunk(work, n, slide, CHUNK_S, screen, cam, slides, camera)
            listing += [f"file '{chunk.name}'"] * full
            if rem > 0:
                tail = _chunk(work, n, slide, rem, screen, cam, slides, camera)
                listing.append(f"file '{tail.name}'")
    (work / "parts.ffconcat").write_text("\n".join(listing) + "\n")
    return periods, truth_changes


def _chunk(
    work: Path,
    n: int,
    slide: int,
    seconds: float,
    screen: Rect | None,
    cam: Rect | None,
    slides: _Slides,
    camera: _Camera,
) -> Path:
    """One closed-GOP chunk: background, slide image and one pass of the camera loop."""
    out = work / f"chunk-{n}-{slide}-{seconds:.2f}.mp4"
    if out.exists():
        return out
    w, h = SIZE
    inputs = ["-f", "lavfi", "-i", f"color=c=0x121212:s={w}x{h}:r={FPS}:d={seconds:.3f}"]
    graph, last, k = [], "0:v", 1
    if screen is not None:
        png = work / f"slide{slide}-{screen.width}x{screen.height}.png"
        if not png.exists():
            image = slides.render(slide, 2 + slide % 4, screen.width, screen.height)
            cv2.imwrite(str(png), image)
        inputs += ["-loop", "1", "-framerate", str(FPS), "-t", f"{seconds:.3f}", "-i", str(png)]
        graph.append(f"[{k}:v]format=yuv420p[s];[{last}][s]overlay={screen.x}:{screen.y}[o{k}]")
        last, k = f"o{k}", k + 1
    if cam is not None:
        inputs += ["-i", str(_camera_clip(work, cam.width, cam.height, camera))]
        graph.append(f"[{last}][{k}:v]overlay={cam.x}:{cam.y}[o{k}]")
        last = f"o{k}"
    subprocess.run(
        [ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y", *inputs,
         "-filter_complex", ";".join(graph) or "[0:v]null[o0]",
         "-map", f"[{last if graph else 'o0'}]",
         "-t", f"{seconds:.3f}", "-r", str(FPS), "-c:v", "libx264", "-preset", "veryfast",
         "-crf", "23", "-bf", "0", "-g", "250", "-pix_fmt", "yuv420p", str(out)],
        check=True,
    )  # fmt: skip
    return out


def _camera_clip(work: Path, cw: int, ch: int, camera: _Camera, seconds: float = CHUNK_S) -> Path:
    """A short camera loop at the inset size, rendered frame by frame once."""
    clip = work / f"camera-{cw}x{ch}.mp4"
    if clip.exists():
        return clip
    cmd = [ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y", "-f", "rawvideo",
           "-pix_fmt", "bgr24", "-s", f"{cw}x{ch}", "-r", str(FPS), "-i", "pipe:",
           "-c:v", "libx264", "-preset", "veryfast", "-crf", "20", "-pix_fmt", "yuv420p",
           str(clip)]  # fmt: skip
    proc = subprocess.Popen(cmd, stdin=subprocess.PIPE)
    assert proc.stdin is not None
    for i in range(round(seconds * FPS)):
        proc.stdin.write(camera.render(i / FPS, cw, ch).tobytes())
    proc.stdin.close()
    if proc.wait() != 0:
        raise RuntimeError(f"ffmpeg failed to encode the camera loop {clip}")
    return clip


def _rect(raw: dict[str, int] | None) -> Rect | None:
    return None if raw is None else Rect(**raw)


def _load(video: Path, meta: Path, minutes: float, layout: str) -> LongLecture:
    m = json.loads(meta.read_text())
    periods = [
        LayoutPeriod(p["start"], p["end"], p["kind"], _rect(p["screen"]), _rect(p["camera"]))
        for p in m["periods"]
    ]
    truth = LayoutTruth(SIZE[0], SIZE[1], m["duration_s"], periods, m["slide_changes"])
    return LongLecture(
        path=video,
        minutes=minutes,
        layout_name=layout,
        duration_s=m["duration_s"],
        sentences=m["sentences"],
        sentence_times=[Interval(a, b) for a, b in m["sentence_times"]],
        topic_starts=m["topic_starts"],
        layout=truth,
        generate_s=m["generate_s"],
    )


if __name__ == "__main__":
    import sys

    lec = make_long_lecture(float(sys.argv[1]) if len(sys.argv) > 1 else 20.0)
    sys.stdout.write(f"{lec.path} {lec.duration_s:.0f} s, built in {lec.generate_s} s\n")
