"""The camera band of a clip: how large the speaker's picture may get, band heights, rates."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from lecture_assets.analysis.models import Rect
from lecture_assets.analysis.render.frame import OUT_H, OUT_W, even

# camera pictures are small and get enlarged several times: sensor noise would be enlarged
# with them and cost the encoder most of its bits, so it is smoothed first (cheap at that size)
DENOISE = "hqdn3d=8:6:12:9"
# the enlarged camera carries little real detail: x264 spends fewer bits there (higher QP)
# and more on slide text; this halves encode time at no visible cost (frames checked by eye)
CAMERA_QP_OFFSET = 0.3


# a camera band never shows the camera picture larger than this (a blown-up face is blocky)
MAX_ENLARGE = 2.5


def camera_box(camera: Rect, band_w: int, band_h: int) -> tuple[int, int]:
    """Size of the camera picture in a band of band_w x band_h: the whole band, unless that
    would enlarge the camera more than MAX_ENLARGE times; then the largest box that does not.

    The picture is a cover crop of the camera at the box's aspect, so its enlargement is
    box width / camera width or box height / camera height, whichever side is cropped.
    """
    limit = MAX_ENLARGE * 0.98  # even rounding of the crop must not push it over the limit
    w = min(band_w, even(limit * camera.width - 1))
    h = min(band_h, even(limit * camera.height - 1))
    return max(2, w), max(2, h)


@dataclass(frozen=True)
class SplitBands:
    """Rows of a split frame, top to bottom: fill, screen, caption strip, camera, fill."""

    above: int
    screen_h: int
    strip_h: int
    camera_w: int
    camera_h: int
    below: int


def split_bands(screen: Rect, camera: Rect, strip: int) -> SplitBands:
    """Band heights of a split frame: the camera band exactly as tall as its (at most
    MAX_ENLARGE times) picture, the slides up to their natural height at full width, and
    any rows left over shared evenly as fill above and below the whole stack.
    """
    natural = even(OUT_W * screen.height / screen.width)
    top = min(max(natural, even(OUT_H * 0.22)), even(OUT_H * 0.6))
    pic_w, pic_h = camera_box(camera, OUT_W, OUT_H - top - strip)
    if natural > top:
        # a short camera band leaves room: tall (e.g. 4:3) slides get it, never cropped
        top = max(top, min(natural, OUT_H - strip - pic_h))
    spare = OUT_H - top - strip - pic_h
    above = even(spare / 2)
    return SplitBands(above, top, strip, pic_w, pic_h, spare - above)


def enlarge(w: int, h: int, rates: tuple[Fraction, Fraction] | None = None) -> str:
    """Denoise a small camera crop, then scale it up to its band.

    Bilinear, not bicubic: at 3-5x enlargement of a denoised face the two look the same
    (compared side by side on GRID footage), and bilinear costs ~40 % less.

    With `rates` (camera rate, clip rate) the camera keeps one picture in two (say) and holds
    it: the encoder skips the held frames' camera blocks, ~10 % less render CPU, and the
    denoiser and scaler see half the frames; the face moves less fluidly.
    """
    chain = f"{DENOISE},scale={w}:{h}:flags=bilinear,setsar=1"
    if rates is None:
        return chain
    camera_rate, clip_rate = rates
    return f"fps={_rate_text(camera_rate)},{chain},fps={_rate_text(clip_rate)}"


def _rate_text(rate: Fraction) -> str:
    return f"{rate.numerator}/{rate.denominator}"


def camera_rates(camera_fps: float, clip_rate: Fraction) -> tuple[Fraction, Fraction] | None:
    """(camera band rate, clip rate) when `camera_fps` asks for a slower camera than the
    clip's rate, else None (0 or anything at or above the clip's rate: full rate)."""
    if camera_fps <= 0:
        return None
    camera_rate = Fraction(camera_fps).limit_denominator(1001)
    return (camera_rate, clip_rate) if camera_rate < clip_rate else None
