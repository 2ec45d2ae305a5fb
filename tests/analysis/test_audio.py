"""Audio extraction to 16 kHz mono WAV and memory-mapped reading."""

from __future__ import annotations

import subprocess
import wave
from pathlib import Path

import numpy as np
import pytest

from lecture_assets.analysis.media.audio import (
    SAMPLE_RATE,
    duration_of,
    extract_audio,
    iter_float_chunks,
    read_pcm,
)
from lecture_assets.analysis.media.ffmpeg import MediaError, ffmpeg_exe


def _lavfi(tmp_path: Path, name: str, *inputs: str, seconds: float = 3.0) -> Path:
    out = tmp_path / name
    args = [ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y"]
    for spec in inputs:
        args += ["-f", "lavfi", "-i", spec]
    args += ["-t", str(seconds), "-pix_fmt", "yuv420p", str(out)]
    subprocess.run(args, check=True)
    return out


def test_video_with_stereo_44k_audio_becomes_16k_mono_wav(tmp_path: Path) -> None:
    video = _lavfi(
        tmp_path,
        "talk.mp4",
        "testsrc=size=160x120:rate=15",
        "sine=frequency=440:sample_rate=44100",
        seconds=3.0,
    )
    seen: list[float] = []
    wav = extract_audio(
        video, tmp_path / "out" / "a.wav", timeout_s=60, duration_s=3.0, on_progress=seen.append
    )
    with wave.open(str(wav), "rb") as handle:
        assert (handle.getframerate(), handle.getnchannels(), handle.getsampwidth()) == (
            SAMPLE_RATE,
            1,
            2,
        )
    assert duration_of(wav) == pytest.approx(3.0, abs=0.05)
    assert seen[-1] == 1.0
    assert not list((tmp_path / "out").glob("*.part*")), "no half-written files are left"


def test_read_pcm_is_a_memory_map_not_a_copy(tmp_path: Path) -> None:
    wav = tmp_path / "x.wav"
    samples = (np.sin(np.arange(SAMPLE_RATE) / 5) * 10000).astype("<i2")
    with wave.open(str(wav), "wb") as handle:
        handle.setnchannels(1)
        handle.setsampwidth(2)
        handle.setframerate(SAMPLE_RATE)
        handle.writeframes(samples.tobytes())
    pcm = read_pcm(wav)
    assert isinstance(pcm, np.memmap)
    assert pcm.dtype == np.int16
    np.testing.assert_array_equal(pcm, samples)
    # chunks cover every sample exactly once, scaled to [-1, 1]
    pieces = list(iter_float_chunks(pcm, 7000))
    assert [first for first, _ in pieces] == [0, 7000, 14000]
    joined = np.concatenate([block for _, block in pieces])
    np.testing.assert_allclose(joined * 32768.0, samples)


def test_video_without_audio_says_so(tmp_path: Path) -> None:
    video = _lavfi(tmp_path, "silent.mp4", "testsrc=size=64x64:rate=10", seconds=1.0)
    with pytest.raises(MediaError) as err:
        extract_audio(video, tmp_path / "a.wav", timeout_s=60)
    assert err.value.code == "NO_AUDIO"
    assert "no audio track" in err.value.message


def test_wrong_sample_rate_tells_the_user_to_extract_first(tmp_path: Path) -> None:
    wav = tmp_path / "cd.wav"
    with wave.open(str(wav), "wb") as handle:
        handle.setnchannels(1)
        handle.setsampwidth(2)
        handle.setframerate(44100)
        handle.writeframes(b"\0\0" * 100)
    with pytest.raises(MediaError) as err:
        read_pcm(wav)
    assert "extract_audio" in err.value.message
