"""A pose as shapes, in reminderd's one style: a pictogram on a light card.

The figure is a solid dark silhouette of head, neck, shoulders and (where the step uses
them) arms; an orange arrow shows the movement, and the position the step moves out of
(``from``) is drawn faint behind it. Parts that overlap are kept apart by a thin line of
the card's colour, as in printed pictograms. Front and back views show the side the head
moves to with a letter, R or L, because a figure facing you moves its right hand on your
left. The left side's picture is the right side's, mirrored (its letter excepted).

Coordinates run from 0 to 1 across and down the picture.
"""

from __future__ import annotations

import math
from typing import NamedTuple

from reminderd.pictures.pose import Pose
from reminderd.pictures.raster import (
    Box,
    Colour,
    Disc,
    Ellipse,
    Paint,
    Point,
    Polygon,
    Shape,
    Stroke,
    Union,
)

CARD: Colour = (246, 243, 236)  # warm white: reads the same on light and dark themes
INK: Colour = (38, 50, 56)  # the figure
ACCENT: Colour = (230, 81, 0)  # the movement: arrows, the target
THING: Colour = (120, 144, 156)  # furniture: a chair, a screen, a phone
GHOST = 0.28  # opacity of the position the step moves out of
GAP = 0.022  # the line of card colour between overlapping parts
ARROW = 0.027  # half an arrow's thickness: still two pixels at 64 pixels across

HEAD_R = 0.125
NECK_R = 0.045
PIVOT: Point = (0.5, 0.66)  # where the neck meets the shoulders, front and back views


class Label(NamedTuple):
    """A letter drawn at a place: the place is mirrored with the figure, the letter not."""

    letter: str
    x: float
    y: float


def paints(pose: Pose) -> list[Paint]:
    """Everything to draw for ``pose``, back to front."""
    right = pose._replace(toward="right") if pose.mirrored else pose
    figure = _view(right)
    label = _label(right)
    if pose.mirrored:
        figure = [p._replace(shape=p.shape.mirror()) for p in figure]
        if label:
            label = label._replace(letter="L", x=1 - label.x)
    return [Paint(_card(), CARD, part="card"), *figure, *(_letter(label) if label else [])]


def _card() -> Shape:
    return Box(0.01, 0.01, 0.99, 0.99, 0.12)


def _view(pose: Pose) -> list[Paint]:
    if pose.view == "side":
        return _side(pose)
    return _front_or_back(pose)


# -- front and back ------------------------------------------------------------------------


def _rotate(point: Point, centre: Point, degrees: float) -> Point:
    """``point`` turned about ``centre``; positive degrees lean towards the picture's left."""
    a = math.radians(degrees)
    dx, dy = point[0] - centre[0], point[1] - centre[1]
    return (
        centre[0] + dx * math.cos(a) + dy * math.sin(a),
        centre[1] - dx * math.sin(a) + dy * math.cos(a),
    )


class _Head(NamedTuple):
    """Where the head is drawn and how it is turned."""

    centre: Point
    neck_top: Point
    nose: int = 0  # a nose seen in profile, pointing to the picture's left (-1) or right (1)
    down: bool = False  # the face turned down (chin towards the chest)


def _head(head: str, shoulders_y: float) -> _Head:
    """Where the head is for a head position, on the right side (the picture's left)."""
    pivot = (PIVOT[0], shoulders_y)
    upright = (0.5, shoulders_y - 0.24)
    if head == "tilt":
        centre = _rotate(upright, pivot, 30)
        return _Head(centre, _rotate((0.5, shoulders_y - 0.14), pivot, 30))
    if head == "turn":
        return _Head(upright, (0.5, upright[1] + 0.1), nose=-1)
    if head == "chin-down":
        centre = (0.45, shoulders_y - 0.19)
        return _Head(centre, (0.47, centre[1] + 0.08), nose=-1, down=True)
    return _Head(upright, (0.5, upright[1] + 0.1))


def _head_shapes(head: _Head, back: bool) -> list[Shape]:
    x, y = head.centre
    shapes: list[Shape] = [Disc(x, y, HEAD_R)]
    if back:
        return shapes
    if head.nose:
        s = head.nose
        tip_y = y + (0.06 if head.down else 0.005)
        shapes.append(
            Polygon(
                (
                    (x + s * 0.08, tip_y - 0.05),
                    (x + s * 0.15, tip_y + 0.02),
                    (x + s * 0.07, tip_y + 0.04),
                )
            )
        )
    else:  # ears, seen from the front
        shapes += [
            Ellipse(x - HEAD_R, y + 0.01, 0.022, 0.035),
            Ellipse(x + HEAD_R, y + 0.01, 0.022, 0.035),
        ]
    return shapes


def _torso(shoulders_y: float, width: float = 0.0) -> Shape:
    """Shoulders and chest, cut off at the waist."""
    y = shoulders_y
    half = 0.19 + width
    return Union(
        (
            Stroke(((0.5 - half, y + 0.08), (0.5 + half, y + 0.08)), 0.08),
            Polygon(
                (
                    (0.5 - half - 0.075, y + 0.1),
                    (0.5 + half + 0.075, y + 0.1),
                    (0.5 + half + 0.02, 0.93),
                    (0.5 - half - 0.02, 0.93),
                )
            ),
        )
    )


def _arms(arms: str, shoulders_y: float, head: _Head) -> list[Shape]:
    """The arms, both sides; the right (the picture's left) first."""
    y = shoulders_y + 0.08
    r = 0.045
    hx, hy = head.centre
    if arms == "behind-head":
        # Hands meet behind the head, so they follow it when it moves.
        return [
            Stroke(((0.29, y), (0.13, hy - 0.02), (hx - 0.07, hy - 0.05)), r),
            Stroke(((0.71, y), (0.87, hy - 0.02), (hx + 0.07, hy - 0.05)), r),
        ]
    if arms == "on-sides":
        return [
            Stroke(((0.26, y + 0.02), (0.12, y + 0.14), (0.24, 0.9)), r),
            Stroke(((0.74, y + 0.02), (0.88, y + 0.14), (0.76, 0.9)), r),
        ]
    if arms == "lap":
        return [
            Stroke(((0.24, y + 0.04), (0.2, 0.86), (0.42, 0.93)), r),
            Stroke(((0.76, y + 0.04), (0.8, 0.86), (0.58, 0.93)), r),
        ]
    return [Stroke(((0.24, y + 0.04), (0.2, 0.95)), r), Stroke(((0.76, y + 0.04), (0.8, 0.95)), r)]


def _person(pose: Pose, opacity: float = 1.0, part: str = "") -> list[Paint]:
    """The figure itself, front or back; behind it first."""
    back = pose.view == "back"
    shoulders_y = 0.6 if pose.shoulders == "raised" else 0.64
    head = _head(pose.head, shoulders_y)
    chest = 0.02 if pose.breath == "in" else 0.0
    shapes: list[tuple[str, Shape]] = []
    behind = pose.arms == "behind-head"
    arms = [("arm", shape) for shape in _arms(pose.arms, shoulders_y, head)]
    if behind:
        shapes += arms
    shapes.append(("body", _torso(shoulders_y, chest)))
    if not behind:
        shapes += arms
    shapes.append(("neck", Stroke(((PIVOT[0], shoulders_y + 0.04), head.neck_top), NECK_R)))
    shapes.append(("head", Union(tuple(_head_shapes(head, back)))))
    paints = []
    for name, shape in shapes:
        if opacity == 1.0:
            paints.append(Paint(Union((shape,), grow=GAP), CARD, part="gap"))
        paints.append(Paint(shape, INK, opacity, part or name))
    if back and opacity == 1.0:
        paints += _blades(pose.shoulders == "squeeze", shoulders_y)
    if head.nose and not head.down and not back and opacity == 1.0:
        # An eye on the side the face turns to: a turned head, not a head with a bump.
        x, y = head.centre
        eye = Disc(x + head.nose * 0.055, y - 0.025, 0.017)
        paints.append(Paint(eye, CARD, part="eye"))
    return paints


def _blades(squeezed: bool, shoulders_y: float) -> list[Paint]:
    """The shoulder blades on the back, in a lighter colour."""
    inward = 0.035 if squeezed else 0.0
    y = shoulders_y + 0.2
    return [
        Paint(Ellipse(0.38 + inward, y, 0.055, 0.085), THING, part="blade"),
        Paint(Ellipse(0.62 - inward, y, 0.055, 0.085), THING, part="blade"),
    ]


def _front_or_back(pose: Pose) -> list[Paint]:
    paints: list[Paint] = []
    moved_from = pose.from_
    if moved_from:
        before = pose._replace(from_="")
        if moved_from in ("tilt", "turn", "chin-down"):
            before = before._replace(head=moved_from)
        elif moved_from in ("raised", "squeeze"):
            before = before._replace(shoulders=moved_from)
        if moved_from != "squeeze":
            paints += _person(before, GHOST, "ghost")
    paints += _person(pose)
    paints += _front_arrows(pose)
    return paints


def _front_arrows(pose: Pose) -> list[Paint]:
    shoulders_y = 0.6 if pose.shoulders == "raised" else 0.64
    pivot = (PIVOT[0], shoulders_y)
    arrows: list[Shape] = []
    extra: list[Paint] = []
    if pose.head == "tilt":
        arrows.append(_arc_arrow(pivot, 0.43, -2, 28))
    elif pose.from_ == "tilt":
        arrows.append(_arc_arrow(pivot, 0.43, 28, -2))
    if pose.head == "turn":
        arrows.append(_turn_arrow(0.36, 1))
    elif pose.from_ == "turn":
        arrows.append(_turn_arrow(0.36, -1))
    if pose.head == "chin-down":
        arrows.append(_arrow(((0.27, 0.33), (0.25, 0.45), (0.32, 0.58)), ARROW))
        extra.append(Paint(Stroke(((0.34, 0.7), (0.45, 0.72)), 0.018), ACCENT, part="target"))
    elif pose.from_ == "chin-down":
        arrows.append(_arrow(((0.3, 0.58), (0.24, 0.45), (0.27, 0.3)), ARROW))
    if pose.from_ == "raised":
        for x in (0.27, 0.73):
            arrows.append(_arrow(((x, 0.5), (x, 0.62)), ARROW))
    if pose.shoulders == "squeeze":
        arrows += [
            _arrow(((0.16, 0.84), (0.3, 0.84)), ARROW),
            _arrow(((0.84, 0.84), (0.7, 0.84)), ARROW),
        ]
    elif pose.from_ == "squeeze":
        arrows += [
            _arrow(((0.3, 0.84), (0.16, 0.84)), ARROW),
            _arrow(((0.7, 0.84), (0.84, 0.84)), ARROW),
        ]
    if pose.breath == "in":
        arrows.append(_arrow(((0.8, 0.2), (0.72, 0.3), (0.6, 0.34)), ARROW))
        arrows += [
            _arrow(((0.36, 0.82), (0.2, 0.82)), 0.018),
            _arrow(((0.64, 0.82), (0.8, 0.82)), 0.018),
        ]
    elif pose.breath == "out":
        arrows.append(_arrow(((0.58, 0.4), (0.7, 0.42), (0.82, 0.34)), ARROW))
    return [*extra, *(Paint(a, ACCENT, part="arrow") for a in arrows)]


def _arc_arrow(centre: Point, radius: float, start: float, end: float) -> Shape:
    """An arrow along a circle about ``centre``, from ``start`` to ``end`` degrees (0 is
    straight up, positive towards the picture's left)."""
    steps = 12
    points = tuple(
        _rotate((centre[0], centre[1] - radius), centre, start + (end - start) * i / steps)
        for i in range(steps + 1)
    )
    return _arrow(points, ARROW)


def _turn_arrow(y: float, direction: int) -> Shape:
    """A turning arrow around the forehead, passing in front of it: towards the picture's
    left for ``direction`` 1, back to the middle for -1."""
    steps = 12
    angles = [math.radians(25 + 120 * i / steps) for i in range(steps + 1)]
    points = [(0.5 + 0.2 * math.cos(a), y - 0.2 + 0.07 * math.sin(a)) for a in angles]
    if direction < 0:
        points = [
            (0.5 + 0.2 * math.cos(a), y - 0.2 + 0.07 * math.sin(a)) for a in reversed(angles[:7])
        ]
    return _arrow(tuple(points), ARROW)


def _arrow(points: tuple[Point, ...], r: float) -> Shape:
    """A line through ``points`` with a head at the last one."""
    (x0, y0), (x1, y1) = points[-2], points[-1]
    length = math.hypot(x1 - x0, y1 - y0) or 1.0
    ux, uy = (x1 - x0) / length, (y1 - y0) / length
    size = r * 3.2
    tip = (x1 + ux * size * 0.6, y1 + uy * size * 0.6)
    back = (x1 - ux * size * 0.6, y1 - uy * size * 0.6)
    head = Polygon(
        (
            tip,
            (back[0] - uy * size, back[1] + ux * size),
            (back[0] + uy * size, back[1] - ux * size),
        )
    )
    return Union((Stroke(points, r), head))


# -- the side view ---------------------------------------------------------------------------


def _side_person(pose: Pose, opacity: float = 1.0, part: str = "") -> list[Paint]:
    """A person seated, facing the picture's right."""
    slouch = pose.body == "slouch"
    if slouch:
        spine: tuple[Point, ...] = ((0.36, 0.97), (0.33, 0.8), (0.4, 0.66), (0.5, 0.6))
        shoulder = (0.46, 0.63)
        head = (0.64, 0.45)
    else:
        spine = ((0.38, 0.97), (0.4, 0.78), (0.42, 0.62))
        shoulder = (0.43, 0.64)
        head = (0.6, 0.4) if pose.head == "forward" else (0.44, 0.37)
    neck_base = spine[-1]
    neck_top = ((neck_base[0] + head[0]) / 2 + 0.01, (neck_base[1] + head[1]) / 2 + 0.02)
    if pose.arms == "phone-up":
        arm: Shape = Stroke((shoulder, (0.5, 0.82), (0.68, 0.42)), 0.04)
    else:
        arm = Stroke((shoulder, (0.46, 0.82), (0.64, 0.84)), 0.04)
    nose = Polygon(
        (
            (head[0] + 0.09, head[1] - 0.04),
            (head[0] + 0.15, head[1] + 0.02),
            (head[0] + 0.08, head[1] + 0.04),
        )
    )
    shapes: list[tuple[str, Shape]] = [
        ("body", Stroke(spine, 0.09)),
        ("neck", Stroke((neck_base, neck_top), NECK_R)),
        ("head", Union((Disc(*head, HEAD_R), nose))),
        ("arm", arm),
    ]
    paints = []
    for name, shape in shapes:
        if opacity == 1.0:
            paints.append(Paint(Union((shape,), grow=GAP), CARD, part="gap"))
        paints.append(Paint(shape, INK, opacity, part or name))
    return paints


def _side(pose: Pose) -> list[Paint]:
    paints = [Paint(Stroke(((0.22, 0.5), (0.25, 0.97)), 0.025), THING, part="chair")]
    eye = (0.5, 0.35)
    if pose.from_ in ("slouch", "forward"):
        before = pose._replace(from_="", body="slouch" if pose.from_ == "slouch" else pose.body)
        if pose.from_ == "forward":
            before = before._replace(head="forward")
        paints += _side_person(before, GHOST, "ghost")
    if pose.screen:
        paints += [
            Paint(
                Polygon(((0.8, 0.24), (0.95, 0.24), (0.95, 0.5), (0.8, 0.5))), THING, part="screen"
            ),
            Paint(
                Stroke(((0.875, 0.5), (0.875, 0.66), (0.83, 0.66), (0.92, 0.66)), 0.015),
                THING,
                part="screen",
            ),
        ]
    paints += _side_person(pose)
    if pose.arms == "phone-up":
        paints.append(
            Paint(
                Union(
                    (Polygon(((0.66, 0.22), (0.72, 0.22), (0.72, 0.42), (0.66, 0.42))),), grow=0.012
                ),
                THING,
                part="phone",
            )
        )
    arrows: list[Shape] = []
    if pose.screen or pose.arms == "phone-up":
        end = 0.78 if pose.screen else 0.64
        arrows += [
            Stroke(((x, eye[1]), (min(x + 0.03, end), eye[1])), 0.012) for x in _dashes(0.6, end)
        ]
    if pose.from_ == "slouch":
        arrows.append(_arrow(((0.7, 0.52), (0.64, 0.34), (0.54, 0.24)), ARROW))
    if pose.from_ == "forward":
        arrows.append(_arrow(((0.72, 0.2), (0.58, 0.2)), ARROW))
        arrows += [Stroke(((0.42, y), (0.42, y + 0.03)), 0.01) for y in _dashes(0.2, 0.96)]
    return [*paints, *(Paint(a, ACCENT, part="arrow") for a in arrows)]


def _dashes(start: float, end: float, step: float = 0.06) -> list[float]:
    return [start + i * step for i in range(int((end - start) / step) + 1)]


# -- the side's letter ------------------------------------------------------------------------


def _label(pose: Pose) -> Label | None:
    """R or L where the head moves to; the person's right is the picture's left from the
    front and its right from the back."""
    if pose.toward not in ("right", "left"):
        return None
    on_left = (pose.toward == "right") == (pose.view == "front")
    return Label(pose.toward[0].upper(), 0.1 if on_left else 0.82, 0.08)


GLYPHS: dict[str, tuple[tuple[Point, ...], ...]] = {
    "L": (((0, 0), (0, 1), (0.6, 1)),),
    "R": (
        ((0, 1), (0, 0), (0.4, 0), (0.6, 0.12), (0.6, 0.38), (0.4, 0.5), (0, 0.5)),
        ((0.3, 0.5), (0.65, 1)),
    ),
}


def _letter(label: Label) -> list[Paint]:
    height = 0.12
    strokes = tuple(
        Stroke(tuple((label.x + x * height, label.y + y * height) for x, y in line), 0.014)
        for line in GLYPHS[label.letter]
    )
    return [Paint(Union(strokes), ACCENT, part="label")]
