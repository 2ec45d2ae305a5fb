"""Slide-change detection inside the screen region: hard cuts and incremental builds."""

from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np
import numpy.typing as npt

from lecture_assets.analysis.models import Rect

U8 = npt.NDArray[np.uint8]


@dataclass
class SlideChangeDetector:
    """Report a change when part of the screen changes at once and then holds still.

    Args:
        pixel_delta: grey-level difference that counts as a changed pixel.
        min_changed: fraction of the screen that must change (a new bullet is ~0.5 %).
        settle_ratio: the next sample pair must change less than this share of the jump.
        min_gap_s: changes closer than this are one change (animations, fades).
    """

    pixel_delta: int = 24
    min_changed: float = 0.003
    settle_ratio: float = 0.5
    min_gap_s: float = 1.5
    changes: list[float] = field(default_factory=list)
    _prev: U8 | None = None
    _pending: tuple[float, float] | None = None

    def reset(self) -> None:
        """Forget the previous frame (at a layout switch the whole picture changes)."""
        self._prev, self._pending = None, None

    def feed(self, t: float, frame: U8, screen: Rect | None, camera: Rect | None) -> None:
        """Look at the next sample; `screen`/`camera` are in the frame's pixels."""
        if screen is None:
            self.reset()
            return
        if self._prev is None or self._prev.shape != frame.shape:
            self._prev = frame.copy()
            return
        # the whole frame is compared (so a screen box that wobbles between windows does not
        # matter), with the camera masked out; the share is taken of the screen's area
        changed = cv2.absdiff(frame, self._prev) > self.pixel_delta
        if camera is not None:
            pad = 2
            changed[
                max(0, camera.y - pad) : camera.y + camera.height + pad,
                max(0, camera.x - pad) : camera.x + camera.width + pad,
            ] = False
        share = float(changed.sum()) / max(1, screen.area)
        if self._pending is not None:
            start, jump = self._pending
            if share < self.settle_ratio * jump:
                self._accept(start)
                self._pending = None
            elif share < self.min_changed:
                self._pending = None
        if self._pending is None and share >= self.min_changed:
            self._pending = (t, share)
        self._prev = frame.copy()

    def finish(self) -> list[float]:
        """All accepted change times, in seconds."""
        if self._pending is not None:
            self._accept(self._pending[0])
            self._pending = None
        return self.changes

    def _accept(self, t: float) -> None:
        if not self.changes or t - self.changes[-1] >= self.min_gap_s:
            self.changes.append(round(t, 3))
