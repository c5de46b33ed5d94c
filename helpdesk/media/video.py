"""Videos: duration and frame count, sampled key frames, the sharpest one.

OpenCV's wheel bundles FFmpeg, so MP4 (H.264/HEVC), 3GP (H.263) and WebM decode without a
system FFmpeg. Frames are sampled evenly (at most ``MAX_VIDEO_SAMPLES``) by seeking, and
each is measured at the working size; the sharpest one stands for the video.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from helpdesk.media import limits, sharpness
from helpdesk.media.decode import reject
from helpdesk.scratch import memory_file


@dataclass
class VideoFrames:
    duration_s: float
    frame_count: int
    fps: float
    width: int
    height: int
    best: np.ndarray  # grey, full decoded size
    best_index: int
    best_blur: float
    sampled: int


def read_video(data: bytes, mime: str) -> VideoFrames:
    import cv2

    # In memory, not in the temp folder: a crash must not leave the customer's video behind.
    # FFmpeg probes the container from its bytes, so the name needs no extension.
    with memory_file(data, name="helpdesk-video") as clip:
        capture = cv2.VideoCapture(clip.path)
        try:
            if not capture.isOpened():
                raise reject("corrupt", "the video cannot be opened")
            fps = float(capture.get(cv2.CAP_PROP_FPS) or 0.0)
            count = int(capture.get(cv2.CAP_PROP_FRAME_COUNT) or 0)
            width = int(capture.get(cv2.CAP_PROP_FRAME_WIDTH) or 0)
            height = int(capture.get(cv2.CAP_PROP_FRAME_HEIGHT) or 0)
            if width * height > limits.MAX_VIDEO_PIXELS:
                raise reject("decompression_bomb", f"{width}x{height} video")
            duration = count / fps if fps > 0 and count > 0 else 0.0
            if duration > limits.MAX_VIDEO_SECONDS:
                raise reject("too_long", f"{duration:.0f} s")
            return _sample(capture, count, fps, width, height, duration)
        finally:
            capture.release()


def _sample(capture, count: int, fps: float, width: int, height: int, duration: float):  # type: ignore[no-untyped-def]
    import cv2

    samples = min(limits.MAX_VIDEO_SAMPLES, max(1, count))
    # Skip the very first and last frames: phones often record a shaky start and stop.
    positions = sorted({int(count * (i + 0.5) / samples) for i in range(samples)}) if count else [0]
    best: tuple[float, int, np.ndarray] | None = None
    seen = 0
    for position in positions:
        capture.set(cv2.CAP_PROP_POS_FRAMES, position)
        ok, frame = capture.read()
        if not ok or frame is None:
            continue
        seen += 1
        grey = cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)
        work = _work(grey)
        blur, _ = sharpness.blur_score(work, noise=sharpness.estimate_noise(work))
        if best is None or blur < best[0]:
            best = (blur, position, grey)
    if best is None:
        raise reject("corrupt", "no frame of the video could be decoded")
    return VideoFrames(duration, count, fps, width, height, best[2], best[1], best[0], seen)


def _work(grey: np.ndarray) -> np.ndarray:
    import cv2

    long_side = max(grey.shape)
    if long_side <= limits.WORK_LONG_SIDE:
        return grey
    scale = limits.WORK_LONG_SIDE / long_side
    return cv2.resize(grey, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
