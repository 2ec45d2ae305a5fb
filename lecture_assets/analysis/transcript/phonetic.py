"""How words sound: their phonemes from espeak-ng, to match a misheard word to a term by ear.

Spelling misses what a transcriber hears as other words: "item values" for "eigenvalues",
"off max" for "softmax"; their phonemes are close (espeak-ng: aIR@m v"alju:z / aIdZ@nv"alju:z).
espeak-ng (a Debian package, installed by `make system-deps` and the image) reads a whole
batch of words in one call; without it, matching falls back to spelling alone.
"""

from __future__ import annotations

import logging
import re
import shutil
import subprocess
from collections.abc import Iterable

from rapidfuzz.distance import Indel

log = logging.getLogger(__name__)

_MARKS = re.compile("[ˈˌːˑ\u200d\u0361 .]")  # stress, length, ties and spaces
# words, apostrophes, hyphens and spaces, with at least one letter: espeak-ng says nothing
# for a lone "-", and one silent line would leave the batch's lines out of step
_SAFE = re.compile(r"^(?=.*[^\W\d_])[\w' -]+$")
_VOICES = {"en": "en-us"}
TIMEOUT_S = 60.0


def espeak_binary() -> str | None:
    """The espeak-ng (or espeak) executable on PATH, if any."""
    return shutil.which("espeak-ng") or shutil.which("espeak")


def pronunciations(items: Iterable[str], language: str = "en") -> dict[str, str]:
    """Phonemes of each item (a word or a few words), stress and length marks removed.

    One espeak-ng call for the batch. Returns {} when espeak-ng is missing, does not know the
    language, or answers with a line count that does not match (nothing is guessed).
    """
    words = sorted({item.strip() for item in items if item.strip() and _SAFE.match(item)})
    binary = espeak_binary()
    if not words or binary is None:
        return {}
    voice = _VOICES.get(language.split("-")[0], language)
    try:
        done = subprocess.run(
            [binary, "-q", "--ipa", "-v", voice],
            input="\n".join(f"{word}." for word in words),
            capture_output=True, text=True, timeout=TIMEOUT_S, check=True,
        )  # fmt: skip
    except (OSError, subprocess.SubprocessError) as exc:
        log.warning("espeak-ng could not read the words (%s): terms match by spelling only", exc)
        return {}
    lines = [line.strip() for line in done.stdout.splitlines() if line.strip()]
    if len(lines) != len(words):
        log.warning("espeak-ng gave %d lines for %d words: terms match by spelling only",
                    len(lines), len(words))  # fmt: skip
        return {}
    return {word: _MARKS.sub("", line) for word, line in zip(words, lines, strict=True)}


def sound_similarity(a: str, b: str) -> float:
    """Similarity (0..1) of two phoneme strings from `pronunciations`."""
    return float(Indel.normalized_similarity(a, b))
