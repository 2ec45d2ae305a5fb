"""Benchmark: render N highlight clips vs a plain ffmpeg transcode of the same ranges."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from lecture_assets.analysis.captions import build_cues, write_ass
from lecture_assets.analysis.compiler import RenderOptions, plan_clip, render_clips
from lecture_assets.analysis.media import ffmpeg_exe, probe, run_ffmpeg
from lecture_assets.analysis.models import (
    HighlightSegment,
    Interval,
    LayoutPeriod,
    Rect,
    ScreenLayout,
    SpeakerPosition,
    Transcript,
    TranscriptSegment,
    Word,
)

HERE = Path(__file__).parent
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"


def make_source(path: Path, duration: int) -> Path:
    """720p PIP-style lecture: slide with text (changing every 10 s), moving camera, tone."""
    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    text = "".join(
        f",drawtext=fontfile={FONT}:text='Slide %{{eif\\:floor(t/10)\\:d}} line {i}':"
        f"fontsize=40:x=40:y={40 + i * 90}:fontcolor=black"
        for i in range(7)
    )
    graph = f"[0]null{text}[s];[1]scale=320:720[c];[s][c]hstack=2[v]"
    subprocess.run(
        [ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y",
         "-f", "lavfi", "-i", f"color=c=white:s=960x720:r=30:d={duration}",
         "-f", "lavfi", "-i", f"testsrc2=s=180x405:r=30:d={duration}",
         "-f", "lavfi", "-i", f"sine=f=220:beep_factor=4:sample_rate=48000:d={duration}",
         "-filter_complex", graph, "-map", "[v]", "-map", "2:a",
         "-c:v", "libx264", "-preset", "veryfast", "-g", "250", "-pix_fmt", "yuv420p",
         "-c:a", "aac", str(path)],
        check=True,
    )  # fmt: skip
    return path


def plain_transcode(
    src: Path, ranges: list[Interval], out: Path, preset: str = "veryfast", workers: int = 1
) -> float:
    """Wall seconds to transcode `ranges` of `src` to 1080x1920 (scale+pad), one ffmpeg each."""
    out.mkdir(parents=True, exist_ok=True)

    def plain(item: tuple[int, Interval]) -> None:
        i, r = item
        run_ffmpeg(["-ss", f"{r.start}", "-t", f"{r.end - r.start}", "-i", str(src),
                    "-vf", "scale=1080:-2,pad=1080:1920:(ow-iw)/2:(oh-ih)/2",
                    "-c:v", "libx264", "-preset", preset, "-crf", "21", "-threads", "2",
                    "-c:a", "aac", str(out / f"plain{i}.mp4")], timeout_s=3600)  # fmt: skip

    t0 = time.monotonic()
    with ThreadPoolExecutor(max(1, workers)) as pool:
        list(pool.map(plain, enumerate(ranges)))
    return time.monotonic() - t0


def main() -> None:
    """Run the benchmark and write bench/results/render_speed.json."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--clips", type=int, default=2)
    ap.add_argument("--seconds", type=float, default=60.0)
    ap.add_argument("--preset", default="veryfast")
    args = ap.parse_args()
    n, length = args.clips, args.seconds
    src = make_source(
        HERE / ".cache" / f"lecture_{int(n * length + 40)}s.mp4", int(n * length + 40)
    )
    info = probe(src)
    scr, cam = Rect(0, 0, 960, 720), Rect(960, 0, 320, 720)
    track = [SpeakerPosition(t, 1120.0, 300.0) for t in range(int(info.duration_s))]
    layout = ScreenLayout(1280, 720, scr, cam, [LayoutPeriod(0, info.duration_s, "pip", scr, cam)],
                          [], track)  # fmt: skip
    words = [
        Word(t * 0.45, t * 0.45 + 0.35, f"word{t}.") for t in range(int(info.duration_s / 0.45))
    ]
    transcript = Transcript("en", [TranscriptSegment(0, info.duration_s, "", words)], "b", 0)
    out = HERE / ".cache" / "out"
    segments, plans = [], []
    for i in range(n):
        s = 10.0 + i * (length + 10)
        # jump cuts: drop 0.6 s every 8 s
        keep = [
            Interval(a, min(a + 7.4, s + length + 5)) for a in range(int(s), int(s + length + 5), 8)
        ]
        seg = HighlightSegment(i, keep[0].start, keep[-1].end, 1, "b", "b", 0, keep)
        segments.append(seg)
        ass = write_ass(build_cues(transcript, seg), out / f"{i}.ass")
        plans.append(plan_clip(src, info, layout, seg, ass, out / f"{i}.mp4",
                               RenderOptions(preset=args.preset)))  # fmt: skip
    cores = len(os.sched_getaffinity(0))
    t0 = time.monotonic()
    clips = render_clips(plans, timeout_s=3600)
    ours = time.monotonic() - t0
    # baseline: same ranges, one ffmpeg each, scale+pad to 1080x1920, same preset, same concurrency
    base = plain_transcode(
        src,
        [Interval(s.start, s.end) for s in segments],
        out,
        args.preset,
        max(1, min(n, cores // 2)),
    )
    out_s = sum(c.duration_s for c in clips)
    result = {
        "clips": n, "clip_seconds": [round(c.duration_s, 2) for c in clips],
        "cores": cores, "preset": args.preset,
        "ours_s": round(ours, 2), "plain_transcode_s": round(base, 2),
        "ratio_vs_plain": round(ours / base, 3),
        "realtime_factor": round(out_s / ours, 2),
        "duration_errors_s": [round(c.duration_s - c.expected_duration_s, 3) for c in clips],
    }  # fmt: skip
    (HERE / "results").mkdir(exist_ok=True)
    (HERE / "results" / "render_speed.json").write_text(json.dumps(result, indent=2))
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
