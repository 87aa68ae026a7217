"""The closing notes of routines that ended: each stays a few seconds (GNOME ignores expiry
times and would keep it, and queue the next routine behind it), then is withdrawn; one with
a Done button can be confirmed while it shows."""

from __future__ import annotations


class ClosingNotes:
    """Closing notes on screen: their withdrawal deadlines and the routines they close."""

    def __init__(self) -> None:
        self._deadlines: list[tuple[float, int]] = []  # (monotonic deadline, note id)
        self._routines: dict[int, str] = {}  # note id -> its routine, for Done

    def add(self, notification_id: int, routine: str, deadline: float) -> None:
        self._deadlines.append((deadline, notification_id))
        self._routines[notification_id] = routine

    def due(self, now: float | None) -> list[int]:
        """Take the notes whose time is up (all of them when ``now`` is None): their ids."""
        due = [item for item in self._deadlines if now is None or item[0] <= now + 1e-9]
        for item in due:
            self._deadlines.remove(item)
            self._routines.pop(item[1], None)
        return [notification_id for _, notification_id in due]

    def confirm(self, notification_id: int) -> str | None:
        """Done was pressed on a closing note: its routine (None if not one of ours)."""
        routine = self._routines.pop(notification_id, None)
        if routine is not None:
            self._deadlines = [item for item in self._deadlines if item[1] != notification_id]
        return routine

    def next_deadline(self) -> float | None:
        return min((deadline for deadline, _ in self._deadlines), default=None)
