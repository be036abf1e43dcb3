"""A synthetic test chart for edge filters: every orientation, circles, colour and a ramp."""

from __future__ import annotations

import math

import cv2
import numpy as np

from engine.checks import check_int

_SHIFT = 4  # sub-pixel bits for cv2 drawing
_ONE = 1 << _SHIFT


def _pts(points: list[tuple[float, float]]) -> np.ndarray:
    return np.array([[round(x * _ONE), round(y * _ONE)] for x, y in points], dtype=np.int32)


def make_test_chart(height: int = 480, width: int = 640) -> np.ndarray:
    """RGB uint8 chart: a Siemens star (edges at every angle), squares rotated by 0°, 22.5° and
    45°, concentric rings, red/green/blue disks, a horizontal 0→255 ramp and an 8-step wedge.

    The layout scales with ``height`` × ``width`` (each at least 64).
    """
    height = check_int(height, "height", minimum=64, maximum=8192)
    width = check_int(width, "width", minimum=64, maximum=8192)
    img = np.full((height, width, 3), 160, dtype=np.uint8)
    top_h = int(height * 5 / 6)
    aa = cv2.LINE_AA

    # Siemens star in the left half: 16 black wedges, edges at every orientation.
    cx, cy = width * 0.25, top_h * 0.5
    radius = 0.45 * min(width * 0.5, top_h)
    for n in range(16):
        a0, a1 = 2 * math.pi * n / 16, 2 * math.pi * (n + 0.5) / 16
        wedge = [(cx, cy)] + [
            (cx + radius * math.cos(a), cy + radius * math.sin(a)) for a in np.linspace(a0, a1, 12)
        ]
        cv2.fillPoly(img, [_pts(wedge)], (20, 20, 20), aa, _SHIFT)
    centre = (round(cx * _ONE), round(cy * _ONE))
    cv2.circle(img, centre, round(radius * _ONE), (20, 20, 20), 2, aa, _SHIFT)

    # Rotated squares (top right): straight edges at 0°, 22.5°, 45° (and their normals).
    side = min(width * 0.5 / 3 / 1.5, top_h * 0.5 / 1.6)
    for i, angle in enumerate((0.0, 22.5, 45.0)):
        qx, qy = width * 0.5 + width * 0.5 * (i + 0.5) / 3, top_h * 0.25
        a = math.radians(angle)
        corners = [
            (
                qx + side / 2 * (dx * math.cos(a) - dy * math.sin(a)),
                qy + side / 2 * (dx * math.sin(a) + dy * math.cos(a)),
            )
            for dx, dy in ((-1, -1), (1, -1), (1, 1), (-1, 1))
        ]
        cv2.fillPoly(img, [_pts(corners)], (235, 235, 235), aa, _SHIFT)

    # Concentric rings and coloured disks (bottom right of the upper part).
    rx, ry = width * 0.6, top_h * 0.72
    ring_r = min(width * 0.1, top_h * 0.22)
    for k in range(5, 0, -1):
        shade = (240, 240, 240) if k % 2 else (40, 40, 40)
        cv2.circle(
            img,
            (round(rx * _ONE), round(ry * _ONE)),
            round(ring_r * k / 5 * _ONE),
            shade,
            -1,
            aa,
            _SHIFT,
        )
    disk_r = ring_r * 0.38
    for j, colour in enumerate(((220, 30, 30), (30, 180, 30), (30, 60, 220))):
        dx = width * 0.745 + j * (disk_r * 2.4)
        for yy in (ry - disk_r * 1.2, ry + disk_r * 1.2):
            cv2.circle(
                img,
                (round(dx * _ONE), round(yy * _ONE)),
                round(disk_r * _ONE),
                colour,
                -1,
                aa,
                _SHIFT,
            )

    # Bottom band: a smooth ramp (no edges inside it) above an 8-step wedge (7 vertical edges).
    band = height - top_h
    ramp = np.linspace(0, 255, width, dtype=np.float64)
    img[top_h : top_h + band // 2] = np.rint(ramp)[None, :, None].astype(np.uint8)
    steps = np.minimum((np.arange(width) * 8) // width, 7) * (255 // 7)
    img[top_h + band // 2 :] = steps[None, :, None].astype(np.uint8)
    return img
