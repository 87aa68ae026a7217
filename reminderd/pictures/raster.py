"""Shapes drawn as anti-aliased pixels, and PNG files written with zlib: plain Python.

Every shape knows its signed distance from a point (negative inside), in units of the
picture's width: ``measure`` gives it as a function, with what it needs worked out once
(a stroke's segments, say) for the thousands of pixels a shape is asked about. A pixel is
covered by as much of a shape as that distance says (half a pixel either side of the
edge), which gives edges as smooth as a vector renderer's at any size. Only the pixels in
a shape's bounding box are visited.
"""

from __future__ import annotations

import itertools
import math
import struct
import zlib
from collections.abc import Callable, Iterable, Sequence
from typing import NamedTuple

Point = tuple[float, float]
Segment = tuple[float, float, float, float, float]  # a, b - a, and its squared length
Measure = Callable[[float, float], float]  # a point -> its signed distance from a shape
Colour = tuple[int, int, int]
Bounds = tuple[float, float, float, float]


def _segments(points: Iterable[tuple[Point, Point]]) -> list[Segment]:
    """Each segment a-b as ``_nearest`` takes it: a, b - a, and its squared length."""
    out = []
    for (ax, ay), b in points:
        dx, dy = b[0] - ax, b[1] - ay
        out.append((ax, ay, dx, dy, dx * dx + dy * dy))
    return out


def _nearest(px: float, py: float, segments: list[Segment]) -> float:
    """The distance from (px, py) to the nearest of ``segments``: each point's nearest on
    a segment, and one square root for all (the smallest root is the root of the
    smallest)."""
    best = math.inf
    for ax, ay, dx, dy, length in segments:
        t = 0.0 if length == 0 else max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / length))
        ex, ey = px - ax - t * dx, py - ay - t * dy
        squared = ex * ex + ey * ey
        if squared < best:  # noqa: PLR1730 - a comparison, not a call, per segment
            best = squared
    return math.sqrt(best)


class Disc(NamedTuple):
    """A filled circle."""

    x: float
    y: float
    r: float

    def box(self) -> Bounds:
        return (self.x - self.r, self.y - self.r, self.x + self.r, self.y + self.r)

    def measure(self) -> Measure:
        x, y, r = self
        hypot = math.hypot
        return lambda px, py: hypot(px - x, py - y) - r

    def mirror(self) -> Disc:
        return Disc(1 - self.x, self.y, self.r)


class Ellipse(NamedTuple):
    """A filled ellipse."""

    x: float
    y: float
    rx: float
    ry: float

    def box(self) -> Bounds:
        return (self.x - self.rx, self.y - self.ry, self.x + self.rx, self.y + self.ry)

    def measure(self) -> Measure:
        # Not exact away from the edge, but exact on it, which is where it counts.
        x, y, rx, ry = self
        least = min(rx, ry)
        hypot = math.hypot
        return lambda px, py: (hypot((px - x) / rx, (py - y) / ry) - 1) * least

    def mirror(self) -> Ellipse:
        return Ellipse(1 - self.x, self.y, self.rx, self.ry)


class Stroke(NamedTuple):
    """A line through ``points`` with round ends and joins, ``r`` thick on each side."""

    points: tuple[Point, ...]
    r: float

    def box(self) -> Bounds:
        xs = [p[0] for p in self.points]
        ys = [p[1] for p in self.points]
        return (min(xs) - self.r, min(ys) - self.r, max(xs) + self.r, max(ys) + self.r)

    def measure(self) -> Measure:
        points, r = self.points, self.r
        if len(points) == 1:
            (x, y), hypot = points[0], math.hypot
            return lambda px, py: hypot(px - x, py - y) - r
        segments = _segments(itertools.pairwise(points))
        return lambda px, py: _nearest(px, py, segments) - r

    def mirror(self) -> Stroke:
        return Stroke(tuple((1 - x, y) for x, y in self.points), self.r)


class Polygon(NamedTuple):
    """A filled polygon."""

    points: tuple[Point, ...]

    def box(self) -> Bounds:
        xs = [p[0] for p in self.points]
        ys = [p[1] for p in self.points]
        return (min(xs), min(ys), max(xs), max(ys))

    def measure(self) -> Measure:
        points = self.points
        edges = list(zip(points, points[1:] + points[:1], strict=True))
        segments = _segments(edges)
        crossings = [(a[0], a[1], b[0] - a[0], b[1] - a[1], b[1]) for a, b in edges]

        def distance(px: float, py: float) -> float:
            inside = False
            for ax, ay, dx, dy, by in crossings:
                if (ay > py) != (by > py) and px < ax + (py - ay) * dx / dy:
                    inside = not inside
            nearest = _nearest(px, py, segments)
            return -nearest if inside else nearest

        return distance

    def mirror(self) -> Polygon:
        return Polygon(tuple((1 - x, y) for x, y in self.points))


class Union(NamedTuple):
    """Several shapes drawn as one: where they overlap, nothing is drawn twice."""

    shapes: tuple[Shape, ...]
    grow: float = 0.0  # grown by this much on every side (a halo around the shapes)

    def box(self) -> Bounds:
        boxes = [shape.box() for shape in self.shapes]
        g = self.grow
        return (
            min(b[0] for b in boxes) - g,
            min(b[1] for b in boxes) - g,
            max(b[2] for b in boxes) + g,
            max(b[3] for b in boxes) + g,
        )

    def measure(self) -> Measure:
        measures = [shape.measure() for shape in self.shapes]
        grow = self.grow

        def distance(px: float, py: float) -> float:
            return min([measure(px, py) for measure in measures]) - grow

        return distance

    def mirror(self) -> Union:
        return Union(tuple(shape.mirror() for shape in self.shapes), self.grow)


class Box(NamedTuple):
    """A rectangle with rounded corners of radius ``r``."""

    x0: float
    y0: float
    x1: float
    y1: float
    r: float

    def box(self) -> Bounds:
        return (self.x0, self.y0, self.x1, self.y1)

    def measure(self) -> Measure:
        x0, y0, x1, y1, r = self
        half_w, half_h = (x1 - x0) / 2, (y1 - y0) / 2
        hypot = math.hypot

        def distance(px: float, py: float) -> float:
            qx = abs(px - x0 - half_w) - half_w + r
            qy = abs(py - y0 - half_h) - half_h + r
            outside = hypot(max(qx, 0.0), max(qy, 0.0))
            return outside + min(max(qx, qy), 0.0) - r

        return distance

    def mirror(self) -> Box:
        return Box(1 - self.x1, self.y0, 1 - self.x0, self.y1, self.r)


Shape = Disc | Ellipse | Stroke | Polygon | Union | Box


class Paint(NamedTuple):
    """One shape in one colour, at an opacity; ``part`` names what it is, for tests."""

    shape: Shape
    colour: Colour
    opacity: float = 1.0
    part: str = ""


class Canvas:
    """A square of ``size`` pixels; shapes are given in units of that size (0 to 1)."""

    def __init__(self, size: int) -> None:
        self.size = size
        count = size * size
        # Premultiplied red, green, blue and alpha, 0 to 1.
        self.red = [0.0] * count
        self.green = [0.0] * count
        self.blue = [0.0] * count
        self.alpha = [0.0] * count

    def paint(self, paint: Paint) -> None:
        size = self.size
        shape = paint.shape
        x0, y0, x1, y1 = shape.box()
        columns = range(max(0, int(x0 * size) - 1), min(size, int(x1 * size) + 2))
        rows = range(max(0, int(y0 * size) - 1), min(size, int(y1 * size) + 2))
        red, green, blue = (channel / 255 for channel in paint.colour)
        opacity = paint.opacity
        distance = shape.measure()
        red_, green_, blue_, alpha_ = self.red, self.green, self.blue, self.alpha
        stop = columns.stop
        for row in rows:
            py = (row + 0.5) / size
            base = row * size
            column = columns.start
            while column < stop:
                # Every shape's distance changes by at most one pixel from one pixel to the
                # next (it is exact, or as for the ellipse a bound that keeps that): so a
                # pixel well outside, or well inside, tells that its next ones are too.
                gap = distance((column + 0.5) / size, py) * size
                if gap >= 0.5:  # outside: nothing to paint here, nor for the next ones
                    column += int(gap - 0.5) + 1
                    continue
                if gap <= -0.5:  # wholly inside: painted whole, and so are the next ones
                    end = min(stop, column + int(-gap - 0.5) + 1)
                    keep = 1 - opacity
                    for i in range(base + column, base + end):
                        red_[i] = red * opacity + red_[i] * keep
                        green_[i] = green * opacity + green_[i] * keep
                        blue_[i] = blue * opacity + blue_[i] * keep
                        alpha_[i] = opacity + alpha_[i] * keep
                    column = end
                    continue
                k = (0.5 - gap) * opacity
                i = base + column
                keep = 1 - k
                red_[i] = red * k + red_[i] * keep
                green_[i] = green * k + green_[i] * keep
                blue_[i] = blue * k + blue_[i] * keep
                alpha_[i] = k + alpha_[i] * keep
                column += 1

    def rgba(self) -> bytes:
        """The pixels as 8-bit RGBA, row by row, not premultiplied."""
        alphas = self.alpha
        out = bytearray(len(alphas) * 4)
        for offset, channel in enumerate((self.red, self.green, self.blue)):
            out[offset::4] = bytes(
                [
                    round(min(1.0, value / alpha) * 255) if alpha > 0 else 0
                    for value, alpha in zip(channel, alphas, strict=True)
                ]
            )
        out[3::4] = bytes([round(alpha * 255) if alpha > 0 else 0 for alpha in alphas])
        return bytes(out)


def draw(paints: Iterable[Paint], size: int) -> Canvas:
    canvas = Canvas(size)
    for paint in paints:
        canvas.paint(paint)
    return canvas


def png(width: int, height: int, rgba: bytes) -> bytes:
    """A PNG file of 8-bit RGBA pixels (each row filtered by the one above, which suits
    flat drawings: most rows repeat the previous one)."""
    stride = width * 4
    if len(rgba) != stride * height:
        msg = f"{len(rgba)} bytes of pixels for {width}x{height}"
        raise ValueError(msg)
    rows = bytearray()
    # Each byte minus the one above it, modulo 256, a whole row at once: as integers of
    # a row's bytes, with each byte's top bit set aside so that no borrow crosses a byte.
    top = int.from_bytes(b"\x80" * stride, "big")
    rest = top ^ ((1 << (8 * stride)) - 1)
    previous = 0
    for y in range(height):
        row = int.from_bytes(rgba[y * stride : (y + 1) * stride], "big")
        rows.append(2)  # filter "Up"
        difference = ((row | top) - (previous & rest)) ^ ((row ^ previous ^ top) & top)
        rows += difference.to_bytes(stride, "big")
        previous = row
    return b"".join(
        (
            b"\x89PNG\r\n\x1a\n",
            _chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)),
            _chunk(b"IDAT", zlib.compress(bytes(rows), 9)),
            _chunk(b"IEND", b""),
        )
    )


def _chunk(kind: bytes, data: bytes) -> bytes:
    crc = zlib.crc32(kind + data) & 0xFFFFFFFF
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)


def read_png(data: bytes) -> tuple[int, int, bytes]:
    """(width, height, RGBA) of a PNG of 8-bit RGB or RGBA pixels, not interlaced (as
    ``png`` and screenshot tools write them): for tests and the terminal's picture, not a
    general decoder. ValueError for any other."""
    if not data.startswith(b"\x89PNG\r\n\x1a\n") or data[24] != 8 or data[28]:
        msg = "not a PNG of 8-bit pixels without interlacing"
        raise ValueError(msg)
    channels = {2: 3, 6: 4}.get(data[25])
    if channels is None:
        msg = "not a PNG of RGB or RGBA pixels"
        raise ValueError(msg)
    width, height = struct.unpack(">II", data[16:24])
    chunks = bytearray()
    at = 8
    while at < len(data):
        (length,) = struct.unpack(">I", data[at : at + 4])
        if data[at + 4 : at + 8] == b"IDAT":
            chunks += data[at + 8 : at + 8 + length]
        at += 12 + length
    raw = zlib.decompress(bytes(chunks))
    stride = width * channels
    out = bytearray()
    previous = bytearray(stride)
    for y in range(height):
        kind = raw[y * (stride + 1)]
        row = bytearray(raw[y * (stride + 1) + 1 : (y + 1) * (stride + 1)])
        _unfilter(kind, row, previous, channels)
        if channels == 3:
            out += b"".join(bytes(row[i : i + 3]) + b"\xff" for i in range(0, stride, 3))
        else:
            out += row
        previous = row
    return width, height, bytes(out)


def _unfilter(kind: int, row: bytearray, previous: Sequence[int], step: int) -> None:
    for i in range(len(row)):
        left = row[i - step] if i >= step else 0
        up = previous[i]
        corner = previous[i - step] if i >= step else 0
        if kind == 1:
            row[i] = (row[i] + left) & 0xFF
        elif kind == 2:
            row[i] = (row[i] + up) & 0xFF
        elif kind == 3:
            row[i] = (row[i] + (left + up) // 2) & 0xFF
        elif kind == 4:
            p = left + up - corner
            pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
            pred = left if pa <= pb and pa <= pc else up if pb <= pc else corner
            row[i] = (row[i] + pred) & 0xFF
