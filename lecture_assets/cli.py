"""`lecture-highlights`: process a local file, chapter caption files, or serve the stack."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeRemainingColumn

from lecture_assets.analysis.transcript.hints import parse_glossary
from lecture_assets.stages import spans
from resources.jobs import JobEvent, JobOptions
from resources.logging_setup import configure_logging
from resources.settings import get_settings


def main(argv: list[str] | None = None) -> int:
    """Entry point of the console script."""
    parser = argparse.ArgumentParser(prog="lecture-highlights", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    proc = sub.add_parser("process", help="make highlight clips from a local video file")
    proc.add_argument("video", type=Path)
    proc.add_argument("--out", type=Path, required=True, help="folder for manifest.json and clips")
    proc.add_argument("--max-clips", type=int, default=None)
    proc.add_argument("--min-seconds", type=float, default=None)
    proc.add_argument("--max-seconds", type=float, default=None)
    proc.add_argument("--layout", default="auto", choices=["auto", "split", "screen", "camera"])
    proc.add_argument("--captions", default="standard", choices=["standard", "karaoke", "none"])
    proc.add_argument("--language", default=None, help="spoken language code (default: detect)")
    proc.add_argument(
        "--glossary",
        default=None,
        help="terms the lecture uses, comma-separated (e.g. 'Hessian, Adam, Kullback-Leibler'); "
        "they steer the transcriber's spelling",
    )
    chap = sub.add_parser("chapters", help="chapters of lectures from SRT, VTT or JSON captions")
    chap.add_argument("files", type=Path, nargs="+", help="caption files (.srt, .vtt, .json)")
    serve = sub.add_parser("serve", help="run the embedded stack: local S3, Dagster, the API")
    serve.add_argument("--no-dagster", action="store_true", help="start only S3 and the API")
    args = parser.parse_args(argv)
    configure_logging(get_settings())
    if args.command == "process":
        return _process(args)
    if args.command == "chapters":
        return _chapters(args)
    from lecture_assets.embedded import serve_embedded

    return serve_embedded(get_settings(), with_dagster=not args.no_dagster)


def _chapters(args: argparse.Namespace) -> int:
    from lecture_assets.chapters_cli import chapters_for_files
    from lecture_assets.resources_by_settings import build_resources

    # the scorer the pipeline is configured with, built once (one model load) for every file
    scorer = build_resources(get_settings())["scorer"].build()
    return chapters_for_files(args.files, scorer, sys.stdout, sys.stderr)


def _process(args: argparse.Namespace) -> int:
    from lecture_assets.local_run import process_local

    console = Console(stderr=True)
    video: Path = args.video
    if not video.is_file():
        console.print(f"[red]error:[/] {video} is not a file; give the path of a lecture video")
        return 2
    options = JobOptions(
        max_clips=args.max_clips,
        min_seconds=args.min_seconds,
        max_seconds=args.max_seconds,
        layout=args.layout,
        caption_style=args.captions,
        language=args.language,
        glossary=tuple(parse_glossary(args.glossary)) or None,
    )
    # the progress bars are the interface here: library chatter only when something is wrong
    logging.getLogger().setLevel(max(logging.getLogger().level, logging.WARNING))
    logging.getLogger("dagster").setLevel(logging.WARNING)
    with Progress(
        TextColumn("{task.description:<20}"),
        BarColumn(),
        TextColumn("{task.percentage:>5.1f}%"),
        TimeRemainingColumn(),
        TextColumn("{task.fields[note]}"),
        console=console,
    ) as bars:
        tasks: dict[str, TaskID] = {}
        bar = spans()

        def on_event(event: JobEvent) -> None:
            if event.stage not in bar:
                return
            if event.stage not in tasks:
                tasks[event.stage] = bars.add_task(event.stage, total=100.0, note="")
            lo, hi = bar[event.stage]
            done = 100.0 * (event.percent - lo) / (hi - lo) if hi > lo else 0.0
            if event.message.endswith(" started"):
                done = 0.0
            elif " done in " in event.message:
                done = 100.0
            bars.update(
                tasks[event.stage], completed=max(0.0, min(100.0, done)), note=event.message[:60]
            )

        result = process_local(video, args.out, get_settings(), options, on_event=on_event)
    if not result.succeeded or result.manifest is None:
        job = result.job
        console.print(
            f"[red]failed[/] at {job.stage}: [{job.error_code or 'ERROR'}] "
            f"{job.error_message or job.message}"
        )
        return 1
    manifest = result.manifest
    clips = manifest["clips"]
    total = sum(c["duration_s"] for c in clips)
    sys.stdout.write(
        f"{len(clips)} clips ({total:.0f} s) from {manifest['source']['duration_s']:.0f} s of "
        f"lecture, {len(manifest['topics'])} chapters -> {args.out / 'manifest.json'}\n"
    )
    if manifest.get("note"):
        sys.stdout.write(f"note: {manifest['note']}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
