"""Extract lecture audio to 16 kHz mono PCM WAV and read it back without loading it whole."""

from __future__ import annotations

import wave
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import numpy.typing as npt

from lecture_assets.analysis.media.ffmpeg import MediaError, run_ffmpeg

SAMPLE_RATE = 16000
_WAV_HEADER_MAX = 4096

Int16Array = npt.NDArray[np.int16]
Float32Array = npt.NDArray[np.float32]


def extract_audio(
    source: Path,
    dest_wav: Path,
    *,
    timeout_s: float,
    duration_s: float | None = None,
    on_progress: Callable[[float], None] | None = None,
) -> Path:
    """Decode the first audio stream of `source` into a 16 kHz mono s16le WAV at `dest_wav`.

    ffmpeg streams the decode to disk, so a two-hour video never sits in memory. Raises
    MediaError("NO_AUDIO", ...) when the file has no audio stream.
    """
    dest_wav.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest_wav.with_name(dest_wav.name + ".part.wav")
    args = [
        "-i",
        str(source),
        "-map",
        "0:a:0?",
        "-vn",
        "-sn",
        "-dn",
        "-ac",
        "1",
        "-ar",
        str(SAMPLE_RATE),
        "-c:a",
        "pcm_s16le",
        "-f",
        "wav",
        str(tmp),
    ]
    no_audio = MediaError(
        "NO_AUDIO",
        f"{source.name} has no audio track, so there is nothing to transcribe. "
        "Upload a recording that includes the lecturer's microphone audio.",
    )
    try:
        try:
            run_ffmpeg(
                args, timeout_s=timeout_s, expected_duration_s=duration_s, on_progress=on_progress
            )
        except MediaError as exc:
            if "does not contain any stream" in exc.message:
                raise no_audio from exc
            raise
        if not tmp.exists() or tmp.stat().st_size <= 44:
            raise no_audio
        tmp.replace(dest_wav)
    finally:
        tmp.unlink(missing_ok=True)
    if on_progress is not None:
        on_progress(1.0)
    return dest_wav


def _data_offset(wav: Path) -> tuple[int, int]:
    """Byte offset and sample count of the PCM data chunk of a 16-bit mono WAV."""
    with wave.open(str(wav), "rb") as handle:
        if handle.getsampwidth() != 2 or handle.getnchannels() != 1:
            raise MediaError(
                "BAD_WAV",
                f"{wav.name} is not 16-bit mono PCM; create it with extract_audio() first.",
            )
        if handle.getframerate() != SAMPLE_RATE:
            raise MediaError(
                "BAD_WAV",
                f"{wav.name} is {handle.getframerate()} Hz, expected {SAMPLE_RATE} Hz; "
                "create it with extract_audio() first.",
            )
        frames = handle.getnframes()
    # the wave module does not expose the data offset, so find the "data" chunk ourselves
    with wav.open("rb") as raw:
        pos = 12
        raw.seek(pos)
        while True:
            chunk = raw.read(8)
            if len(chunk) < 8:
                raise MediaError("BAD_WAV", f"{wav.name} has no data chunk; extract it again.")
            size = int.from_bytes(chunk[4:], "little")
            if chunk[:4] == b"data":
                return pos + 8, frames
            pos += 8 + size + (size & 1)
            raw.seek(pos)


def read_pcm(wav: Path) -> Int16Array:
    """Memory-map the int16 samples of a 16 kHz mono WAV (no copy of the whole file)."""
    offset, frames = _data_offset(wav)
    size = wav.stat().st_size
    # ffmpeg writes a placeholder size when streaming; trust the file length instead
    available = (size - offset) // 2
    frames = min(frames, available) if frames > 0 else available
    if frames <= 0:
        return np.zeros(0, dtype=np.int16)
    return np.memmap(wav, dtype="<i2", mode="r", offset=offset, shape=(frames,))


def duration_of(wav: Path) -> float:
    """Length of a 16 kHz mono WAV in seconds."""
    return len(read_pcm(wav)) / SAMPLE_RATE


def iter_float_chunks(
    pcm: Int16Array, chunk_samples: int, *, start: int = 0, end: int | None = None
) -> Iterator[tuple[int, Float32Array]]:
    """Yield (first_sample, float32 chunk in [-1, 1]) over pcm[start:end], one chunk at a time."""
    stop = len(pcm) if end is None else min(end, len(pcm))
    for first in range(max(0, start), stop, chunk_samples):
        block = np.asarray(pcm[first : min(first + chunk_samples, stop)], dtype=np.float32)
        yield first, block / 32768.0


def float_slice(pcm: Int16Array, start_s: float, end_s: float) -> Float32Array:
    """Copy pcm between two times (seconds) as float32 in [-1, 1]."""
    a = max(0, round(start_s * SAMPLE_RATE))
    b = min(len(pcm), round(end_s * SAMPLE_RATE))
    return np.asarray(pcm[a:b], dtype=np.float32) / 32768.0
