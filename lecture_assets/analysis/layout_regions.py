"""Find where the camera and the screen are in a window of grey frames."""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
import numpy.typing as npt

from lecture_assets.analysis.models import LayoutKind, Rect

U8 = npt.NDArray[np.uint8]
F32 = npt.NDArray[np.float32]


@dataclass(frozen=True)
class WindowLayout:
    """What one analysis window shows, in analysis pixels."""

    kind: LayoutKind
    screen: Rect | None
    camera: Rect | None
    activity: float  # fraction of the frame that moves like a camera picture
    # speaker positions within the window: (seconds from its first frame, x, y)
    speaker: list[tuple[float, float, float]]


@dataclass(frozen=True)
class RegionDetector:
    """Camera regions move all the time; slides hold still between changes.

    Args:
        pixel_delta: grey-level change between samples that counts as movement.
        active_share: share of sample pairs a pixel must move in to count as camera.
        min_camera_area: smallest camera region, as a fraction of the frame.
        full_camera_area: a moving region this large (bounding box) means camera only.
        side_by_side_height: a camera this tall (fraction of frame height) sits beside the
            slides rather than over them.
        bar_level: grey level under which uniform edge rows/columns are letterbox bars.
    """

    pixel_delta: int = 1
    active_share: float = 0.3
    min_camera_area: float = 0.006
    full_camera_area: float = 0.6
    side_by_side_height: float = 0.55
    bar_level: int = 32

    def detect(self, frames: list[U8]) -> WindowLayout:
        """Classify one window (at least two frames) and locate its regions."""
        h, w = frames[0].shape
        stack = np.stack(frames).astype(np.int16)
        delta = np.abs(np.diff(stack, axis=0))
        moving = delta > self.pixel_delta
        # pairs where a big part of the picture jumped are cuts or slide changes, not a camera
        jumped = (delta > 24).reshape(len(delta), -1).mean(axis=1) > 0.25
        steady = moving[~jumped] if (~jumped).sum() >= 1 else moving
        active = (steady.mean(axis=0) >= self.active_share).astype(np.uint8)
        active = np.asarray(
            cv2.morphologyEx(active, cv2.MORPH_OPEN, np.ones((3, 3), np.uint8)), dtype=np.uint8
        )
        active = np.asarray(
            cv2.morphologyEx(active, cv2.MORPH_CLOSE, np.ones((9, 9), np.uint8)), dtype=np.uint8
        )
        mean = stack.mean(axis=0).astype(np.float32)
        activity = float(active.mean())
        camera = self._camera_rect(active, mean)
        centre = self._speaker(frames, delta, jumped, camera) if camera is not None else []
        if camera is None:
            screen = self._screen_rect(mean, Rect(0, 0, w, h))
            kind: LayoutKind = "slides" if screen is not None else "unknown"
            return WindowLayout(kind, screen, None, activity, [])
        if camera.area >= self.full_camera_area * w * h:
            return WindowLayout("camera", None, Rect(0, 0, w, h), activity, centre)
        if camera.height >= self.side_by_side_height * h:
            area = _beside(camera, w, h)
            screen = self._screen_rect(mean, area) if area is not None else None
            kind = "side_by_side" if screen is not None else "camera"
            return WindowLayout(kind, screen, camera, activity, centre)
        screen = self._screen_rect(mean, Rect(0, 0, w, h)) or Rect(0, 0, w, h)
        return WindowLayout("pip", screen, camera, activity, centre)

    def _speaker(
        self,
        frames: list[U8],
        delta: npt.NDArray[np.int16],
        jumped: npt.NDArray[np.bool_],
        camera: Rect,
    ) -> list[tuple[float, float, float]]:
        """Where the speaker is: faces (every 4th sample) or else the centre of strong motion.

        Times are in samples from the window's first frame; the caller converts them.
        """
        found: list[tuple[float, float, float]] = []
        for i in range(0, len(frames), 4):
            face = _face_centre(frames[i], camera)
            if face is not None:
                found.append((float(i), face[0], face[1]))
        if found:
            return found
        for i in range(len(delta)):
            if jumped[i]:
                continue
            centre = _centroid((delta[i] > 16).astype(np.float64), camera)
            if centre is not None:
                found.append((i + 0.5, centre[0], centre[1]))
        return found

    def _camera_rect(self, active: U8, mean: F32) -> Rect | None:
        h, w = active.shape
        count, _labels, stats, _ = cv2.connectedComponentsWithStats(active, connectivity=8)
        if count <= 1:
            return None
        best = 1 + int(np.argmax(stats[1:, cv2.CC_STAT_AREA]))
        x, y, bw, bh, area = (int(v) for v in stats[best])
        if area < self.min_camera_area * w * h:
            return None
        return _snap_to_edges(Rect(x, y, bw, bh), mean)

    def _screen_rect(self, mean: F32, area: Rect) -> Rect | None:
        """The content inside `area` once uniform dark bars are trimmed off its edges."""
        sub = mean[area.y : area.y + area.height, area.x : area.x + area.width]
        if sub.size == 0:
            return None
        rows = (sub.max(axis=1) - sub.min(axis=1) < 12) & (sub.mean(axis=1) < self.bar_level)
        cols = (sub.max(axis=0) - sub.min(axis=0) < 12) & (sub.mean(axis=0) < self.bar_level)
        top, bottom = _trim(rows)
        left, right = _trim(cols)
        if bottom - top < 0.1 * sub.shape[0] or right - left < 0.1 * sub.shape[1]:
            return None
        if float(sub[top:bottom, left:right].std()) < 2.0:
            return None  # a blank (e.g. black) picture shows no screen
        return Rect(area.x + left, area.y + top, right - left, bottom - top)


def _trim(bars: npt.NDArray[np.bool_]) -> tuple[int, int]:
    start, end = 0, len(bars)
    while start < end and bars[start]:
        start += 1
    while end > start and bars[end - 1]:
        end -= 1
    return start, end


def _beside(camera: Rect, w: int, h: int) -> Rect | None:
    """The part of the frame on the other side of a tall camera region."""
    left_room, right_room = camera.x, w - (camera.x + camera.width)
    if max(left_room, right_room) < 0.2 * w:
        return None
    if right_room > left_room:
        x0 = camera.x + camera.width
        return Rect(x0, 0, w - x0, h)
    return Rect(0, 0, camera.x, h)


def _snap_to_edges(rect: Rect, mean: F32, reach: int = 4) -> Rect:
    """Move each side of a motion box onto the strongest nearby straight edge of the frame."""
    h, w = mean.shape
    gy = np.abs(np.diff(mean, axis=0))  # between rows r and r+1
    gx = np.abs(np.diff(mean, axis=1))
    x0, y0, x1, y1 = rect.x, rect.y, rect.x + rect.width, rect.y + rect.height

    def best(profile: F32, guess: int, lo: int, hi: int) -> int:
        lo, hi = max(lo, guess - reach), min(hi, guess + reach)
        if hi <= lo:
            return guess
        window = profile[lo:hi]
        peak = int(np.argmax(window))
        return lo + peak if window[peak] > 2.5 * (float(np.median(profile)) + 1.0) else guess

    top = best(gy[:, x0:x1].mean(axis=1), y0 - 1, 0, h - 1) + 1
    bottom = best(gy[:, x0:x1].mean(axis=1), y1 - 1, 0, h - 1) + 1
    left = best(gx[y0:y1, :].mean(axis=0), x0 - 1, 0, w - 1) + 1
    right = best(gx[y0:y1, :].mean(axis=0), x1 - 1, 0, w - 1) + 1
    top, left = min(max(0, top), y0 + reach), min(max(0, left), x0 + reach)
    if bottom - top < 4 or right - left < 4:
        return rect
    return Rect(left, top, right - left, bottom - top)


_FACES: list[cv2.CascadeClassifier] = []


def _face_centre(frame: U8, camera: Rect) -> tuple[float, float] | None:
    """Centre of the largest frontal face in the camera region (OpenCV's bundled Haar model)."""
    if not _FACES:
        _FACES.append(
            cv2.CascadeClassifier(
                cv2.data.haarcascades + "haarcascade_frontalface_default.xml"  # type: ignore[attr-defined]
            )
        )
    crop = frame[camera.y : camera.y + camera.height, camera.x : camera.x + camera.width]
    if min(crop.shape[:2]) < 40:
        return None
    side = max(20, min(crop.shape[:2]) // 8)
    faces = _FACES[0].detectMultiScale(crop, scaleFactor=1.15, minNeighbors=7, minSize=(side, side))
    if len(faces) == 0:
        return None
    x, y, w, h = max(faces, key=lambda f: int(f[2]) * int(f[3]))
    return camera.x + x + w / 2.0, camera.y + y + h / 2.0


def _centroid(weights: npt.NDArray[np.float64], rect: Rect) -> tuple[float, float] | None:
    sub = weights[rect.y : rect.y + rect.height, rect.x : rect.x + rect.width]
    total = float(sub.sum())
    if total < 20.0:  # a few flickering pixels say nothing about where the speaker is
        return None
    ys, xs = np.indices(sub.shape)
    return rect.x + float((xs * sub).sum()) / total, rect.y + float((ys * sub).sum()) / total
