"""Which hold sources this desktop offers, and why: for the runner, ``check`` and ``status``.

Only the environment and the file system are looked at (no source is asked here): a
source that is chosen but cannot answer when a routine is due says so then, once.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import NamedTuple

from reminderd.bus import Bus, session_bus_address, system_bus_address
from reminderd.holds.port import SOURCE_REASONS, HoldSource, SourceReason, reason_word
from reminderd.i18n.said import Said, said, said_join
from reminderd.paths import on_path


class Offer(NamedTuple):
    """One source this desktop has or lacks, and the sentence that says why."""

    name: str
    reasons: frozenset[SourceReason]
    used: bool
    why: str

    def said(self) -> Said:
        """``pipewire (call, screen-share): used, PipeWire at ...``, for check and status."""
        reasons = said_join(", ", [reason_word(r) for r in SOURCE_REASONS if r in self.reasons])
        if self.used:
            return said(
                "{source} ({reasons}): used, {why}", source=self.name, reasons=reasons, why=self.why
            )
        return said(
            "{source} ({reasons}): not used, {why}", source=self.name, reasons=reasons, why=self.why
        )

    def __str__(self) -> str:
        return str(self.said())


class Choice(NamedTuple):
    """The sources to ask, and every source considered, used or not, with why."""

    sources: tuple[HoldSource, ...]
    offers: tuple[Offer, ...]

    def reasons(self) -> frozenset[SourceReason]:
        """The reasons some chosen source can give: the others cannot hold a routine here."""
        return frozenset(r for s in self.sources for r in s.reasons)


def desktops(environ: Mapping[str, str]) -> set[str]:
    """``XDG_CURRENT_DESKTOP``'s names, lower case ("GNOME:ubuntu" -> gnome, ubuntu)."""
    return {d.strip().lower() for d in environ.get("XDG_CURRENT_DESKTOP", "").split(":") if d}


def choose(
    hold_during: frozenset[SourceReason] = frozenset(SOURCE_REASONS),
    environ: Mapping[str, str] | None = None,
    *,
    session_bus: Bus | None = None,
    platform: str = sys.platform,
) -> Choice:
    """The hold sources for this desktop and ``hold_during``, with a reason for each.
    ``session_bus``: the daemon's own connection, shared (a new one is made otherwise)."""
    env = dict(os.environ if environ is None else environ)
    chosen: list[tuple[HoldSource | None, Offer]] = []
    if platform in ("darwin", "win32"):
        why = said("holds are read from Linux desktops only (docs/holds.md)")
        return Choice((), (Offer("holds", frozenset(), False, why),))
    chosen.append(_pipewire(env))
    chosen.append(_v4l2())
    chosen.extend(_windows(env))
    chosen.extend(_inhibitors(env, session_bus))
    sources: list[HoldSource] = []
    offers: list[Offer] = []
    for source, offer in chosen:
        if offer.used and not offer.reasons & hold_during:
            left_out = said_join(
                ", ", [reason_word(r) for r in SOURCE_REASONS if r in offer.reasons]
            )
            why = said("hold_during leaves out {reasons}", reasons=left_out)
            offers.append(Offer(offer.name, offer.reasons, False, why))
            continue
        if offer.used and source is not None:
            sources.append(source)
        offers.append(offer)
    return Choice(tuple(sources), tuple(offers))


def _pipewire(env: Mapping[str, str]) -> tuple[HoldSource | None, Offer]:
    from reminderd.holds.pipewire import PipeWireStreams, socket_path  # noqa: PLC0415

    reasons: frozenset[SourceReason] = frozenset({"call", "screen-share"})
    if not on_path("pw-dump", env.get("PATH", "")):
        why = said("pw-dump is not installed (the pipewire-bin package)")
        return None, Offer("pipewire", reasons, False, why)
    where = socket_path(env)
    if where is None:
        return None, Offer("pipewire", reasons, False, said("XDG_RUNTIME_DIR is not set"))
    if where.exists():
        why = said("PipeWire at {socket}, asked with pw-dump", socket=str(where))
    else:
        why = said(
            "PipeWire at {socket} (not there yet: looked for when a routine is due),"
            " asked with pw-dump",
            socket=str(where),
        )
    return PipeWireStreams(env), Offer("pipewire", reasons, True, why)


def _v4l2() -> tuple[HoldSource | None, Offer]:
    from reminderd.holds.v4l2 import PREFIX, V4l2Camera  # noqa: PLC0415

    reasons: frozenset[SourceReason] = frozenset({"call"})
    if not Path("/proc/self/fd").is_dir():
        return None, Offer("v4l2", reasons, False, said("no /proc to look in"))
    why = said("this user's processes holding {devices} open, from /proc", devices=f"{PREFIX}*")
    return V4l2Camera(), Offer("v4l2", reasons, True, why)


def _windows(env: Mapping[str, str]) -> list[tuple[HoldSource | None, Offer]]:
    """Full screen (and on sway, idle inhibitors): the window manager's own answer."""
    full: frozenset[SourceReason] = frozenset({"fullscreen"})
    names = desktops(env)
    if env.get("SWAYSOCK") or env.get("I3SOCK"):
        from reminderd.holds.sway import SwayTree  # noqa: PLC0415

        source = SwayTree(env)
        if source.name == "sway":
            why = said(
                "the focused window's fullscreen_mode from get_tree on {socket},"
                " and each window's inhibit_idle",
                socket=str(source.path),
            )
        else:
            why = said(
                "the focused window's fullscreen_mode from get_tree on {socket}",
                socket=str(source.path),
            )
        return [(source, Offer(source.name, source.reasons, True, why))]
    if env.get("WAYLAND_DISPLAY"):
        if "gnome" in names:
            why = said("GNOME on Wayland tells no application a window's full-screen state")
            return [(None, Offer("fullscreen", full, False, why))]
        if "kde" in names:
            why = said("KWin on Wayland offers no foreign-toplevel list to applications")
            return [(None, Offer("fullscreen", full, False, why))]
        from reminderd.holds.wayland import ForeignToplevel  # noqa: PLC0415

        why = said("the activated window's fullscreen state from zwlr_foreign_toplevel_manager_v1")
        return [(ForeignToplevel(), Offer("wayland-toplevel", full, True, why))]
    if env.get("DISPLAY"):
        from reminderd.holds.x11 import X11Fullscreen  # noqa: PLC0415

        why = said("the active window's _NET_WM_STATE on {display} (EWMH)", display=env["DISPLAY"])
        return [(X11Fullscreen(env), Offer("x11", full, True, why))]
    why = said("no window system (neither WAYLAND_DISPLAY nor DISPLAY is set)")
    return [(None, Offer("fullscreen", full, False, why))]


def _inhibitors(
    env: Mapping[str, str], session: Bus | None
) -> list[tuple[HoldSource | None, Offer]]:
    inhibited: frozenset[SourceReason] = frozenset({"inhibited"})
    names = desktops(env)
    found: list[tuple[HoldSource | None, Offer]] = []
    address = session_bus_address(dict(env))
    if session is None and address is not None:
        session = Bus(address)  # one connection for both, opened on the first question
    has_session = session is not None
    for desktop, label in (("gnome", "GNOME"), ("kde", "KDE")):
        if desktop not in names:
            why = said("XDG_CURRENT_DESKTOP does not name {desktop}", desktop=label)
            found.append((None, Offer(desktop, inhibited, False, why)))
        elif not has_session:
            found.append((None, Offer(desktop, inhibited, False, said("no session bus"))))
        elif desktop == "gnome":
            from reminderd.holds.gnome import GnomeInhibitors  # noqa: PLC0415

            why = said("org.gnome.SessionManager's InhibitedActions on the session bus")
            found.append((GnomeInhibitors(session), Offer(desktop, inhibited, True, why)))
        else:
            from reminderd.holds.kde import KdeInhibitions  # noqa: PLC0415

            why = said("PowerDevil's PolicyAgent HasInhibition on the session bus")
            found.append((KdeInhibitions(session), Offer(desktop, inhibited, True, why)))
    if system_bus_address() is None:
        found.append((None, Offer("logind", inhibited, False, said("no system bus"))))
    else:
        from reminderd.holds.logind import LogindInhibitors  # noqa: PLC0415

        why = said("this user's idle inhibitors in logind's ListInhibitors (system bus)")
        found.append((LogindInhibitors(), Offer("logind", inhibited, True, why)))
    return found
