"""A step's pose: a few named choices, read from the exercise's TOML, mirrored by side.

A pose is written once for both sides: ``toward = "{side}"`` is filled in with the side
as the step's text is, and the picture of the left side is the mirror image of the right.
Light on purpose: the daemon reads poses with the config, and draws nothing itself.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, NamedTuple

# The drawing's version: part of every picture's file name, so that a change to the drawing
# (reminderd/pictures/figure.py) makes new files instead of showing the old ones.
STYLE = 1

# Every choice a pose key takes, the default first. "Right" and "left" are the person's.
CHOICES: dict[str, tuple[str, ...]] = {
    "view": ("front", "side", "back"),
    "head": ("upright", "tilt", "turn", "chin-down", "forward"),
    "toward": ("", "right", "left"),
    "arms": ("down", "behind-head", "on-sides", "lap", "phone-up"),
    "shoulders": ("relaxed", "raised", "squeeze"),
    "body": ("upright", "slouch"),
    "breath": ("", "in", "out"),
    "screen": ("", "eye-level"),
    # The position the step moves out of: drawn faint, with an arrow to the pose.
    "from": ("", "tilt", "turn", "chin-down", "forward", "raised", "squeeze", "slouch"),
}
# Which views each choice can be seen in (any view when not named).
VIEWS_OF: dict[str, tuple[str, ...]] = {
    "tilt": ("front", "back"),
    "turn": ("front",),
    "chin-down": ("front",),
    "forward": ("side",),
    "slouch": ("side",),
    "squeeze": ("back",),
    "phone-up": ("side",),
    "eye-level": ("side",),
    "lap": ("front",),
    "behind-head": ("front",),
}
SIDED = frozenset({"tilt", "turn", "chin-down"})  # head movements made towards one side
FIELD = {"from": "from_"}  # TOML key -> attribute, where they differ


class Pose(NamedTuple):
    """What the figure of one step does; every field is one of CHOICES."""

    view: str = "front"
    head: str = "upright"
    toward: str = ""  # "right" or "left" (the person's); "{side}" until the side is known
    arms: str = "down"
    shoulders: str = "relaxed"
    body: str = "upright"
    breath: str = ""
    screen: str = ""
    from_: str = ""

    def for_side(self, side: str | None) -> Pose:
        """The pose with ``{side}`` filled in."""
        return self._replace(toward=side or "") if self.toward == "{side}" else self

    @property
    def mirrored(self) -> bool:
        """Drawn as the mirror image of the right side's picture."""
        return self.toward == "left"

    @property
    def key(self) -> str:
        """The pose as a short, file-name-safe text ("view-front_head-tilt_toward-left"):
        the same pose always gives the same text, and any change gives another."""
        parts = []
        for name, value in zip(self._fields, self, strict=True):
            if value != CHOICES[_key(name)][0] or name == "view":
                parts.append(f"{_key(name)}-{value}")
        return "_".join(parts)

    @classmethod
    def from_key(cls, key: str) -> Pose:
        """The pose a ``key`` was made from; ValueError for a text no pose makes."""
        values: dict[str, str] = {}
        for part in key.split("_"):
            name, _, value = part.partition("-")
            if name not in CHOICES or value not in CHOICES[name]:
                msg = f"not a pose: {key!r} ({part!r})"
                raise ValueError(msg)
            values[FIELD.get(str(name), str(name))] = value
        return cls(**values)


def _key(attribute: str) -> str:
    return "from" if attribute == "from_" else attribute


# (the key's name or "" for the table itself, the message, the fix)
Report = Callable[[str, str, str], None]


def read_pose(table: object, sides: tuple[str, ...], report: Report) -> Pose | None:
    """A pose from its TOML table; each mistake goes to ``report``, and None comes back."""
    if not isinstance(table, Mapping):
        report("", "expected a table", 'write pose = { head = "tilt", toward = "{side}" }')
        return None
    ok = True
    values: dict[str, Any] = {}
    for name, value in table.items():
        if name not in CHOICES:
            allowed = ", ".join(CHOICES)
            report(name, f'unknown pose key "{name}"', f"allowed: {allowed}")
            ok = False
            continue
        allowed_values = [c for c in CHOICES[name] if c]
        if name == "toward":
            allowed_values.append("{side}")
        if not isinstance(value, str) or value not in allowed_values:
            report(
                name, f"{value!r} is not a {name}", "choose one of: " + ", ".join(allowed_values)
            )
            ok = False
            continue
        values[FIELD.get(str(name), str(name))] = value
    if not ok:
        return None
    pose = Pose(**values)
    for problem in pose_problems(pose, sides):
        report(*problem)
    return None if pose_problems(pose, sides) else pose


def pose_problems(pose: Pose, sides: tuple[str, ...]) -> list[tuple[str, str, str]]:
    """What cannot be drawn: a choice the view does not show, a side missing or unused."""
    problems = []
    for name in ("head", "arms", "shoulders", "body", "screen", "from"):
        value = getattr(pose, FIELD.get(name, name))
        views = VIEWS_OF.get(value)
        if views and pose.view not in views:
            problems.append(
                (name, f'"{value}" cannot be seen from the {pose.view}', f'use view = "{views[0]}"')
            )
    moved = {pose.head, pose.from_} & SIDED
    if moved and not pose.toward:
        fix = 'add toward = "{side}"' if sides else 'add toward = "right" or "left"'
        problems.append(("toward", f'"{sorted(moved)[0]}" is made towards a side', fix))
    if pose.toward and not moved:
        problems.append(
            ("toward", "only a tilt, a turn or a chin-down goes towards a side", "remove toward")
        )
    if pose.toward == "{side}" and not sides:
        problems.append(
            ("toward", "uses {side} but the exercise has no sides", 'write "right" or "left"')
        )
    return problems


def file_name(pose: Pose, size: int) -> str:
    """The file a picture of ``pose`` at ``size`` pixels is drawn into: the drawing's style
    version, the size and the pose, so that a changed pose or drawing makes a new file."""
    return f"{STYLE}-{size}-{pose.key}.png"
