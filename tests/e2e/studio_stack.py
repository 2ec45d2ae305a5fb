"""The running stack and a headless Chromium for the studio's browser tests."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import av
import numpy as np
from PIL import Image

from tests.e2e.stack import free_port, wait_http

CHROMIUM = "/usr/bin/chromium"
# Debian's chromium, not Playwright's download (no internet here); nothing phones home
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
RESULTS = Path(__file__).resolve().parents[2] / "bench" / "results"


@dataclass(frozen=True)
class Stack:
    api: str
    s3: str
    log: Path


@contextmanager
def running_stack(tmp: Path, tokens: str) -> Iterator[Stack]:
    """`lecture-highlights serve` on free ports; Ctrl-C (SIGINT) on the way out."""
    api_port, s3_port, ui_port = free_port(), free_port(), free_port()
    env = {
        **os.environ,
        "LECTURE_DATA_DIR": str(tmp / "data"),
        "LECTURE_API_PORT": str(api_port),
        "LECTURE_DAGSTER_PORT": str(ui_port),
        "LECTURE_S3_ENDPOINT_URL": f"http://127.0.0.1:{s3_port}",
        "LECTURE_WHISPER_MODEL": "tiny.en",
        "LECTURE_API_TOKENS": tokens,
    }
    log_path = tmp / "serve.log"
    with log_path.open("w") as log:
        serve = subprocess.Popen(
            [sys.executable, "-m", "lecture_assets.cli", "serve"],
            cwd=Path(__file__).resolve().parents[2],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        stack = Stack(f"http://127.0.0.1:{api_port}", f"http://127.0.0.1:{s3_port}", log_path)
        try:
            # the browser needs the API and the daemon, not the Dagster UI (slow to start on a
            # busy machine)
            wait_http(f"{stack.api}/healthz", 300)
            yield stack
        finally:
            os.killpg(serve.pid, signal.SIGINT)
            try:
                serve.wait(timeout=90)
            except subprocess.TimeoutExpired:
                os.killpg(serve.pid, signal.SIGKILL)


def frame_at(path: Path, t: float) -> np.ndarray:
    """The grey picture of the first frame at or after `t` seconds."""
    with av.open(str(path)) as container:
        for frame in container.decode(video=0):
            if frame.time is not None and frame.time >= t:
                return np.asarray(frame.to_ndarray(format="gray"), dtype=np.int16)
    raise AssertionError(f"{path} has no frame at {t} s")


def duration_of(path: Path) -> float:
    with av.open(str(path)) as container:
        return float(container.duration or 0) / 1e6


def save_small_png(raw: bytes, name: str) -> Path:
    """A screenshot for the README: 64 colours, optimised (tens of kB, not hundreds)."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / name
    tmp = path.with_suffix(".raw.png")
    tmp.write_bytes(raw)
    with Image.open(tmp) as image:
        image.convert("RGB").quantize(colors=64).save(path, optimize=True)
    tmp.unlink()
    return path
