"""Slide-change detection inside the screen region: hard cuts and incremental builds."""

from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np
import numpy.typing as npt

from lecture_assets.analysis.models import Rect

U8 = npt.NDArray[np.uint8]
F64 = npt.NDArray[np.float64]

_THUMB = (192, 144)  # screens of different layouts are compared at this common size


@dataclass(frozen=True)
class _Reference:
    """The screen as it looked just before a layout switch."""

    t: float  # the switch
    start: float  # when a change still pending at the switch began, else the switch
    thumb: U8
    valid: npt.NDArray[np.bool_]


@dataclass
class SlideChangeDetector:
    """Report a change when part of the screen changes at once and then holds still.

    Across a layout switch the picture is not compared pixel by pixel: the screens before and
    after are scaled to one size and compared by their grey-level make-up, so the switch
    itself is never a change but a new slide shown with (or just after) it is.

    Args:
        pixel_delta: grey-level difference that counts as a changed pixel.
        min_changed: fraction of the screen that must change (a new bullet is ~0.5 %).
        settle_ratio: the next sample pair must change less than this share of the jump.
        min_gap_s: changes closer than this are one change (animations, fades).
        switch_hist: grey-level histograms of the screen before and after a switch that
            differ by this much (total variation) show new content.
        switch_pixels: or this share of the scaled screens differs beyond a pixel's reach.
        switch_check_s: changes this soon after a switch must show new content too, so a
            switch timed one sample early is not taken for a slide change.
    """

    pixel_delta: int = 24
    min_changed: float = 0.003
    settle_ratio: float = 0.5
    min_gap_s: float = 1.5
    switch_hist: float = 0.1
    switch_pixels: float = 0.1
    switch_check_s: float = 1.0
    changes: list[float] = field(default_factory=list)
    _prev: U8 | None = None
    _base: U8 | None = None  # the frame before the pending jump
    _pending: tuple[float, float] | None = None
    _screen: Rect | None = None
    _camera: Rect | None = None
    _ref: _Reference | None = None
    _post: list[bool] = field(default_factory=list)

    def reset(self) -> None:
        """Forget the previous frame (nothing to compare the next one with)."""
        self._prev, self._base, self._pending = None, None, None
        self._ref, self._post = None, []

    def switch(self, t: float) -> None:
        """The layout changes at `t`: the next frames show the screen somewhere else."""
        ref = None
        if self._prev is not None and self._screen is not None:
            pending = self._pending
            base = self._base if pending is not None and self._base is not None else self._prev
            thumb, valid = _thumbnail(base, self._screen, self._camera)
            start = pending[0] if pending is not None else t
            ref = _Reference(t, start, thumb, valid)
        self.reset()
        self._ref = ref

    def feed(self, t: float, frame: U8, screen: Rect | None, camera: Rect | None) -> None:
        """Look at the next sample; `screen`/`camera` are in the frame's pixels."""
        if screen is None:
            self.reset()
            self._screen = None
            return
        self._screen, self._camera = screen, camera
        ref = self._ref
        if ref is not None and len(self._post) < 2:
            # the first two samples after a switch: a new slide if both differ from before
            self._post.append(self._differs(ref, frame, screen, camera))
            if len(self._post) == 2 and all(self._post):
                self._add(ref.start)
        if ref is not None and t - ref.t > self.switch_check_s + self.min_gap_s:
            self._ref = None
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
        share = float(np.count_nonzero(changed)) / max(1, screen.area)
        if self._pending is not None:
            start, jump = self._pending
            if share < self.settle_ratio * jump:
                self._accept(start, frame, screen, camera)
                self._pending = None
            elif share < self.min_changed:
                self._pending = None
        if self._pending is None and share >= self.min_changed:
            self._pending = (t, share)
            self._base = self._prev
        self._prev = frame.copy()

    def finish(self) -> list[float]:
        """All accepted change times, in seconds."""
        if self._pending is not None and self._prev is not None and self._screen is not None:
            self._accept(self._pending[0], self._prev, self._screen, self._camera)
        self._pending = None
        return self.changes

    def _accept(self, t: float, frame: U8, screen: Rect, camera: Rect | None) -> None:
        ref = self._ref
        # so soon after a switch the jump may be the switch itself: keep it only when the
        # screen now differs from the one before the switch
        soon = ref is not None and 0.0 < t - ref.t <= self.switch_check_s
        if soon and ref is not None and not self._differs(ref, frame, screen, camera):
            return
        self._add(t)

    def _add(self, t: float) -> None:
        if not self.changes or t - self.changes[-1] >= self.min_gap_s:
            self.changes.append(round(t, 3))

    def _differs(self, ref: _Reference, frame: U8, screen: Rect, camera: Rect | None) -> bool:
        thumb, valid = _thumbnail(frame, screen, camera)
        both = valid & ref.valid
        if np.count_nonzero(both) < 0.2 * both.size:
            return False
        hist = _histogram(thumb, both)
        ref_hist = _histogram(ref.thumb, both)
        if 0.5 * float(np.abs(hist - ref_hist).sum()) >= self.switch_hist:
            return True
        # pixels that differ from everything within one pixel of the same place in the other
        kernel = np.ones((3, 3), np.uint8)
        a, b = ref.thumb.astype(np.int16), thumb.astype(np.int16)
        d = self.pixel_delta
        changed = (
            (b > cv2.dilate(ref.thumb, kernel).astype(np.int16) + d)
            | (b < cv2.erode(ref.thumb, kernel).astype(np.int16) - d)
            | (a > cv2.dilate(thumb, kernel).astype(np.int16) + d)
            | (a < cv2.erode(thumb, kernel).astype(np.int16) - d)
        )
        share = float(np.count_nonzero(changed & both)) / float(np.count_nonzero(both))
        return share >= self.switch_pixels


def _thumbnail(frame: U8, screen: Rect, camera: Rect | None) -> tuple[U8, npt.NDArray[np.bool_]]:
    """The screen scaled to the common size, and where it is not covered by the camera."""
    w, h = _THUMB
    crop = frame[screen.y : screen.y + screen.height, screen.x : screen.x + screen.width]
    valid = np.ones((h, w), dtype=bool)
    if crop.size == 0:
        return np.zeros((h, w), np.uint8), ~valid
    thumb = np.asarray(cv2.resize(crop, (w, h), interpolation=cv2.INTER_AREA), dtype=np.uint8)
    if camera is not None:
        sx, sy = w / max(1, screen.width), h / max(1, screen.height)
        x0 = int((camera.x - screen.x) * sx) - 2
        y0 = int((camera.y - screen.y) * sy) - 2
        x1 = int(np.ceil((camera.x + camera.width - screen.x) * sx)) + 2
        y1 = int(np.ceil((camera.y + camera.height - screen.y) * sy)) + 2
        valid[max(0, y0) : max(0, y1), max(0, x0) : max(0, x1)] = False
    return thumb, valid


def _histogram(thumb: U8, valid: npt.NDArray[np.bool_]) -> F64:
    counts = np.bincount((thumb[valid] // 8).ravel(), minlength=32).astype(np.float64)
    return counts / max(1.0, float(counts.sum()))
