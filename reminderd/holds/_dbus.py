"""What the D-Bus hold sources share: one call within the bound, and replies checked for
type before use (a service that answers nonsense is "cannot answer", never a crash)."""

from __future__ import annotations

from typing import Any

from reminderd.bus import Bus, BusError
from reminderd.holds.port import HoldUnknown


def call(
    bus: Bus,
    source: str,
    target: tuple[str, str, str],
    method: str,
    timeout: float,
    *,
    signature: str = "",
    args: tuple[Any, ...] = (),
) -> tuple[Any, ...]:
    """One method call; HoldUnknown naming ``source`` if it fails or takes too long."""
    destination, path, interface = target
    try:
        return bus.call(
            destination, path, interface, method, signature=signature, args=args, timeout=timeout
        )
    except BusError as error:
        raise HoldUnknown(f"{source}: {error}") from None


def one(reply: tuple[Any, ...], kind: type, what: str) -> Any:
    """The single value of a reply, of ``kind``; HoldUnknown otherwise."""
    if (
        len(reply) != 1
        or not isinstance(reply[0], kind)
        or isinstance(reply[0], bool) != (kind is bool)
    ):
        got = ", ".join(type(v).__name__ for v in reply) or "nothing"
        raise HoldUnknown(f"{what}: expected one {kind.__name__}, got {got}")
    return reply[0]


def text(value: Any, limit: int = 80) -> str:
    """A string a service sent, for display: trimmed, or "" if it is not one."""
    return value.strip()[:limit] if isinstance(value, str) else ""
