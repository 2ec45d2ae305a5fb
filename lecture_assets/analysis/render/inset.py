"""A picture-in-picture camera inside the screen, filled from the picture around it."""

from __future__ import annotations

from lecture_assets.analysis.models import Rect
from lecture_assets.analysis.render.frame import even

# the inset's fill is worked out on a picture this many times smaller, then enlarged: the fill
# is a smooth blend of the picture around the inset either way, and delogo's per-pixel
# interpolation (64-bit divisions) costs ~5 % of a clip's render at full size
FILL_SCALE = 4
# picture around the inset that the fill is blended from (full-size pixels, per side)
FILL_MARGIN = 8


def screen_without_inset(
    screen: Rect, camera: Rect, frame: tuple[int, int] | None, crop_s: str
) -> str:
    """Graph text from [s] (the whole frame) to [sc]: the screen crop, with a picture-in-picture
    camera inside it filled from the picture around it (the camera has its own band).

    The fill is delogo's blend of the inset's surroundings, computed on the frame before the
    crop: for an inset that runs over the screen's edge, the surroundings there are the real
    picture beyond the edge, not camera pixels smeared across the fill as streaks. Without
    `frame` (the decoded size) only the screen's own pixels are used.
    """
    plain = f"[s]{crop_s}[sc]"
    # the area to fill: the camera and two pixels of its edge, on the screen's part of it
    x0, y0 = camera.x - 2, camera.y - 2
    x1, y1 = camera.x + camera.width + 2, camera.y + camera.height + 2
    vx0, vy0 = max(x0, screen.x), max(y0, screen.y)
    vx1, vy1 = min(x1, screen.x + screen.width), min(y1, screen.y + screen.height)
    if vx1 - vx0 < 8 or vy1 - vy0 < 8 or (vx1 - vx0) * (vy1 - vy0) > 0.3 * screen.area:
        return plain
    bound = Rect(0, 0, frame[0], frame[1]) if frame is not None else screen
    f = FILL_SCALE if min(vx1 - vx0, vy1 - vy0) >= 16 * FILL_SCALE else 1
    step = 2 * f  # keeps the small picture's sizes and offsets even (4:2:0 chroma)
    bx0, by0 = bound.x, bound.y
    bx1, by1 = bound.x + bound.width, bound.y + bound.height
    # the fill area itself, inside the bound, and the region with surroundings around it
    ax0, ay0 = max(x0, bx0), max(y0, by0)
    ax1, ay1 = min(x1, bx1), min(y1, by1)
    rx0 = max(bx0, ax0 - FILL_MARGIN) // step * step
    ry0 = max(by0, ay0 - FILL_MARGIN) // step * step
    rx1 = min(bx1 - (bx1 - rx0) % step, -(-(ax1 + FILL_MARGIN) // step) * step)
    ry1 = min(by1 - (by1 - ry0) % step, -(-(ay1 + FILL_MARGIN) // step) * step)
    ax0, ay0, ax1, ay1 = even(ax0), even(ay0), min(rx1, even(ax1)), min(ry1, even(ay1))
    rw, rh = rx1 - rx0, ry1 - ry0
    if ax1 - ax0 < 8 or ay1 - ay0 < 8:
        return plain
    # delogo needs one pixel of real picture around the area on every side
    sw, sh = rw // f, rh // f
    dx0, dy0 = max(1, (ax0 - rx0) // f), max(1, (ay0 - ry0) // f)
    dx1, dy1 = min(sw - 1, -(-(ax1 - rx0) // f)), min(sh - 1, -(-(ay1 - ry0) // f))
    if dx1 - dx0 < 2 or dy1 - dy0 < 2:
        return plain
    small = f"scale={sw}:{sh}:flags=area," if f > 1 else ""
    enlarge = f"scale={rw}:{rh}:flags=bilinear," if f > 1 else ""
    return (
        f"[s]split=2[s_full][s_around];"
        f"[s_around]crop={rw}:{rh}:{rx0}:{ry0},{small}"
        f"delogo=x={dx0}:y={dy0}:w={dx1 - dx0}:h={dy1 - dy0},{enlarge}"
        f"crop={ax1 - ax0}:{ay1 - ay0}:{ax0 - rx0}:{ay0 - ry0}[s_fill];"
        f"[s_full]{crop_s}[s_crop];"
        f"[s_crop][s_fill]overlay={ax0 - screen.x}:{ay0 - screen.y}:format=yuv420[sc]"
    )
