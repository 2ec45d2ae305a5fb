"""Find where the camera and the screen are in a window of grey frames."""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
import numpy.typing as npt

from lecture_assets.analysis.layout.picture import content_area, enclose_picture, looks_like_slides
from lecture_assets.analysis.models import LayoutKind, Rect

U8 = npt.NDArray[np.uint8]
F32 = npt.NDArray[np.float32]
Face = tuple[float, float, float]  # centre x, centre y and side, in analysis pixels


@dataclass(frozen=True)
class WindowLayout:
    """What one analysis window shows, in analysis pixels."""

    kind: LayoutKind
    screen: Rect | None
    camera: Rect | None
    activity: float  # fraction of the frame that moves like a camera picture
    # speaker positions within the window: (seconds from its first frame, x, y)
    speaker: list[tuple[float, float, float]]
    face: Face | None = None  # the last face seen, a hint for the next window
    face_searched: bool = False  # whether the whole camera region was searched for a face


@dataclass(frozen=True)
class RegionDetector:
    """Camera regions move all the time; slides hold still between changes.

    Args:
        pixel_delta: grey-level change between samples that counts as movement.
        active_share: share of sample pairs a pixel must move in to count as camera.
        min_seed_area: smallest moving blob that may be a person, as a fraction of the frame.
        min_camera_area: smallest camera region, as a fraction of the frame.
        full_camera_area: a moving region this large (bounding box) means camera only.
        side_by_side_height: a camera this tall (fraction of frame height) sits beside the
            slides rather than over them.
        bar_level: grey level under which uniform edge rows/columns are letterbox bars.
    """

    pixel_delta: int = 1
    active_share: float = 0.3
    min_seed_area: float = 0.0006
    min_camera_area: float = 0.006
    full_camera_area: float = 0.6
    side_by_side_height: float = 0.55
    bar_level: int = 32

    def detect(
        self, frames: list[U8], face_hint: Face | None = None, face_search: bool = True
    ) -> WindowLayout:
        """Classify one window (at least two frames) and locate its regions.

        `face_hint` is the face found last (the previous window's `face`): the search for
        the speaker's face starts around it. Without `face_search` the camera region is
        searched around the hint only (a cheap window after one that found no face).
        """
        h, w = frames[0].shape
        stack = np.stack(frames).astype(np.int16)
        delta = np.abs(np.diff(stack, axis=0))
        moving = delta > self.pixel_delta
        # pairs where a big part of the picture jumped are cuts or slide changes, not a camera
        jumped = (delta > 24).reshape(len(delta), -1).mean(axis=1) > 0.25
        steady = moving[~jumped] if (~jumped).sum() >= 1 else moving
        active = (steady.mean(axis=0) >= self.active_share).astype(np.uint8)
        # pixels that change a lot (a moving person, sensor noise), not the compression
        # flicker of a still picture next to a moving one
        strong = delta[~jumped] if (~jumped).sum() >= 1 else delta
        changing = (strong > 6).mean(axis=0) >= self.active_share
        active = np.asarray(
            cv2.morphologyEx(active, cv2.MORPH_OPEN, np.ones((3, 3), np.uint8)), dtype=np.uint8
        )
        active = np.asarray(
            cv2.morphologyEx(active, cv2.MORPH_CLOSE, np.ones((9, 9), np.uint8)), dtype=np.uint8
        )
        mean = stack.mean(axis=0).astype(np.float32)
        activity = float(active.mean())
        content = content_area(mean, self.bar_level)
        # edges are looked for in a few frames across the window (and in its mean)
        picks = [stack[0], stack[len(stack) // 2], stack[-1]]
        stills = [mean, *(f.astype(np.float32) for f in picks)]
        camera = self._camera_rect(active, changing, mean, stills, content)
        if camera is None:
            screen = self._screen_rect(mean, Rect(0, 0, w, h))
            kind: LayoutKind = "slides" if screen is not None else "unknown"
            return WindowLayout(kind, screen, None, activity, [])
        centre, face = self._speaker(frames, delta, jumped, camera, face_hint, face_search)
        if camera.area >= self.full_camera_area * content.area:
            return WindowLayout("camera", None, content, activity, centre, face, face_search)
        if camera.height >= self.side_by_side_height * content.height:
            area = _beside(camera, w, h)
            screen = self._screen_rect(mean, area) if area is not None else None
            kind = "side_by_side" if screen is not None else "camera"
            return WindowLayout(kind, screen, camera, activity, centre, face, face_search)
        screen = self._screen_rect(mean, Rect(0, 0, w, h)) or Rect(0, 0, w, h)
        return WindowLayout("pip", screen, camera, activity, centre, face, face_search)

    def _speaker(
        self,
        frames: list[U8],
        delta: npt.NDArray[np.int16],
        jumped: npt.NDArray[np.bool_],
        camera: Rect,
        hint: Face | None,
        search: bool,
    ) -> tuple[list[tuple[float, float, float]], Face | None]:
        """Where the speaker is: faces (every 4th sample) or else the centre of strong motion.

        Times are in samples from the window's first frame; the caller converts them. Also
        returns the last face seen. A search of the whole camera region is the costly part:
        it is made at most once a window, and only while no face is being followed.
        """
        found: list[tuple[float, float, float]] = []
        for i in range(0, len(frames), 4):
            face = _find_face(frames[i], camera, hint, search)
            if face is not None:
                found.append((float(i), face[0], face[1]))
                hint = face
            else:
                hint, search = None, False
        if found:
            return found, hint
        for i in range(len(delta)):
            if jumped[i]:
                continue
            centre = _centroid((delta[i] > 16).astype(np.float64), camera)
            if centre is not None:
                found.append((i + 0.5, centre[0], centre[1]))
        return found, None

    def _camera_rect(
        self,
        active: U8,
        moving: npt.NDArray[np.bool_],
        mean: F32,
        stills: list[F32],
        content: Rect,
    ) -> Rect | None:
        """The whole camera picture around the largest moving blob, or None.

        Movement only seeds the search: with a still background only the person moves, so
        the picture is the rectangle of straight edges around the blob (or all the content
        when none closes). A small blob with no such rectangle on a slide-like picture is a
        slide animation or a pointer, not a camera.
        """
        h, w = active.shape
        count, _labels, stats, _ = cv2.connectedComponentsWithStats(active, connectivity=8)
        if count <= 1:
            return None
        best = 1 + int(np.argmax(stats[1:, cv2.CC_STAT_AREA]))
        x, y, bw, bh, area = (int(v) for v in stats[best])
        if area < self.min_seed_area * w * h:
            return None
        seed = _snap_to_edges(Rect(x, y, bw, bh), mean)
        min_area = self.min_camera_area * w * h
        picture = enclose_picture(seed, stills, moving, content, min_area)
        small = seed.area < self.full_camera_area * 0.25 * content.area
        if picture == content and small and looks_like_slides(mean, content):
            return None
        return picture if picture.area >= min_area else None

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
    # the camera's edge rings a few pixels into the gutter: leave those out, so the dark
    # gutter beside the slides is trimmed as a bar
    pad = max(2, w // 160)
    if right_room > left_room:
        x0 = camera.x + camera.width + pad
        return Rect(x0, 0, w - x0, h)
    return Rect(0, 0, camera.x - pad, h)


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


def _cascade() -> cv2.CascadeClassifier:
    if not _FACES:
        _FACES.append(
            cv2.CascadeClassifier(
                cv2.data.haarcascades + "haarcascade_frontalface_default.xml"  # type: ignore[attr-defined]
            )
        )
    return _FACES[0]


def _find_face(frame: U8, camera: Rect, hint: Face | None, search: bool) -> Face | None:
    """The speaker's face in the camera region: near `hint` first, else anywhere if `search`."""
    if hint is not None:
        cx, cy, side = hint
        inside = (
            camera.x <= cx < camera.x + camera.width and camera.y <= cy < camera.y + camera.height
        )
        if inside:
            # a face moves little between samples: look around the last one, at its size
            reach = 1.5 * side
            x0, y0 = max(camera.x, int(cx - reach)), max(camera.y, int(cy - reach))
            x1 = min(camera.x + camera.width, int(cx + reach))
            y1 = min(camera.y + camera.height, int(cy + reach))
            near = _detect_face(frame, Rect(x0, y0, x1 - x0, y1 - y0), 0.7 * side, 1.45 * side)
            if near is not None:
                return near
    return _face_centre(frame, camera) if search else None


def _face_centre(frame: U8, camera: Rect) -> Face | None:
    """Centre and side of the largest frontal face in the camera region (OpenCV's Haar model)."""
    if min(camera.width, camera.height) < 40:
        return None
    side = max(20, min(camera.width, camera.height) // 8)
    return _detect_face(frame, camera, side, 0.9 * min(camera.width, camera.height))


def _detect_face(frame: U8, area: Rect, min_side: float, max_side: float) -> Face | None:
    """Largest face between `min_side` and `max_side` pixels in `area`.

    The crop is shrunk so the smallest face wanted is as small as the model's own window
    (24 pixels): the model cannot see smaller faces anyway, and it scans far fewer places.
    """
    crop = frame[area.y : area.y + area.height, area.x : area.x + area.width]
    if min(crop.shape[:2]) < 24 or max_side < min_side:
        return None
    scale = min(1.0, 24.0 / max(1.0, min_side))
    if scale < 1.0:
        size = (max(24, round(crop.shape[1] * scale)), max(24, round(crop.shape[0] * scale)))
        crop = np.asarray(cv2.resize(crop, size, interpolation=cv2.INTER_AREA), dtype=np.uint8)
    lo = max(24, int(min_side * scale))
    hi = max(lo + 1, int(max_side * scale))
    faces = _cascade().detectMultiScale(
        crop, scaleFactor=1.15, minNeighbors=7, minSize=(lo, lo), maxSize=(hi, hi)
    )
    if len(faces) == 0:
        return None
    x, y, w, h = (float(v) for v in max(faces, key=lambda f: int(f[2]) * int(f[3])))
    return area.x + (x + w / 2.0) / scale, area.y + (y + h / 2.0) / scale, w / scale


def _centroid(weights: npt.NDArray[np.float64], rect: Rect) -> tuple[float, float] | None:
    sub = weights[rect.y : rect.y + rect.height, rect.x : rect.x + rect.width]
    total = float(sub.sum())
    if total < 20.0:  # a few flickering pixels say nothing about where the speaker is
        return None
    ys, xs = np.indices(sub.shape)
    return rect.x + float((xs * sub).sum()) / total, rect.y + float((ys * sub).sum()) / total
