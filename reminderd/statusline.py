"""`reminderd status`, answered with as little as possible loaded.

Status bars run it every few seconds, so it is served before the rest of the command line
(click, the config machinery) is imported: this module needs only the control client and
the runtime folder. It prints itself for that reason; every other command prints from
``cli.py``.
"""

from __future__ import annotations

import json
import sys
from datetime import datetime

from reminderd.errors import NotRunningError, ReminderError
from reminderd.i18n import _, text
from reminderd.i18n.formats import day_text, duration, weekday
from reminderd.when import clock_text

TYPE_CHECKING = False  # not typing.TYPE_CHECKING, which would import typing
if TYPE_CHECKING:
    from reminderd.contracts import DaemonStatus, ReloadFailure, RoutineStatus

NOT_RUNNING_JSON = {"version": 1, "running": False}


def elsewhere_text(routine: RoutineStatus, now: datetime, with_next: bool = True) -> str:
    """What another machine did to a routine (the sync folder), as `status` and `list` say
    it: "done on laptop at 10:05, next at 11:55", "in progress on laptop"; "" for nothing."""
    running = routine.get("running_elsewhere")
    if running:
        return _("in progress on {machine}, not started here meanwhile").format(
            machine=running["machine"]
        )
    done = routine.get("done_elsewhere")
    if not done:
        return ""
    at = datetime.fromisoformat(done["at"]).astimezone(now.tzinfo)
    upcoming_text = routine["next"]
    if with_next and upcoming_text not in (None, "paused"):
        upcoming = datetime.fromisoformat(upcoming_text).astimezone(now.tzinfo)
        day = "" if upcoming.date() == now.date() else f"{weekday(upcoming)} "
        return _("done on {machine} at {at}, next at {next}").format(
            machine=done["machine"], at=f"{at:%H:%M}", next=f"{day}{upcoming:%H:%M}"
        )
    return _("done on {machine} at {at}").format(machine=done["machine"], at=f"{at:%H:%M}")


def _sync_lines(data: DaemonStatus, now: datetime) -> list[str]:
    sync = data.get("sync")
    if not sync:
        return []
    lines = [
        _("Sync: {folder} as {machine}; {reason}").format(
            folder=sync["folder"], machine=sync["machine"], reason=text(sync["reason"])
        )
    ]
    if sync.get("error"):
        lines.append("  " + _("not written: {error}").format(error=text(sync["error"])))
    for machine in sync.get("machines", []):
        seen = machine["active"] or machine["written"]
        if seen is None:
            continue
        at = datetime.fromisoformat(seen).astimezone(now.tzinfo)
        day = "" if at.date() == now.date() else f"{day_text(at)} "
        when = f"{day}{at:%H:%M}"
        lines.append(f"  {machine['machine']}: " + _("last active {when}").format(when=when))
    elsewhere = [
        f"  {r['name']}: {said}" for r in data["routines"] if (said := elsewhere_text(r, now))
    ]
    if elsewhere:
        lines += [_("Other machines:"), *elsewhere]
    return lines


def _dnd_text(data: DaemonStatus) -> str:
    """ "on (dunst-paused; ...)", "off (...)", or where it looks and that it was not read yet."""
    source, reason = data["dnd"], text(data["dnd_reason"])
    if source is None:
        return _("not known ({reason})").format(reason=reason)
    on = data.get("dnd_on")
    state = _("not read yet") if on is None else (_("on") if on else _("off"))
    return f"{state} ({source}: {reason})"


def _hold_lines(data: DaemonStatus) -> list[str]:
    """Each hold source: on and why, off, cannot answer, or not used and why."""
    holds = data.get("holds") or []
    if not holds:
        return [_("Holds: chosen when a routine is first due (calls, screen shares, full screen)")]
    lines = [_("Holds:")]
    states = {"off": _("off"), "not asked": _("not asked")}
    for entry in holds:
        if entry["state"] == "on":
            said = _("on ({holds})").format(holds="; ".join(text(h) for h in entry["holds"]))
        elif entry["state"] == "cannot answer":
            said = _("cannot answer ({why})").format(why=text(entry["unknown"]))
        elif entry["state"] == "not used":
            said = _("not used ({why})").format(why=text(entry["why"]))
        else:
            said = states.get(entry["state"], entry["state"])
        lines.append(f"  {entry['source']}: {said}")
    return lines


def language_text(data: DaemonStatus) -> str:
    """The language of the notifications and the voice, and why: "Deutsch (de:
    [guidance] language)"."""
    from reminderd.i18n.languages import native_name  # noqa: PLC0415

    code = data.get("language") or "en"
    return f"{native_name(code)} ({code}: {text(data.get('language_reason') or '')})"


def status_lines(data: DaemonStatus, now: datetime) -> list[str]:
    """The status reply of the daemon, for people."""
    origins = {"user": _("user"), "default": _("default")}
    origin = origins.get(data["config_origin"], data["config_origin"])
    lines = [
        _("reminderd {version} is running (pid {pid}, up {uptime})").format(
            version=data["reminderd"], pid=data["pid"], uptime=duration(max(data["uptime"], 1))
        ),
        _("Config: {path} ({origin})").format(path=data["config"], origin=origin),
        _("Notifications: {backend} ({reason})").format(
            backend=data["backend"], reason=text(data["backend_reason"])
        ),
        _("Voice: {voice} ({reason})").format(
            voice=_voice_name(data["voice"]),
            reason=_unnamed(_voice_name(data["voice"]), text(data["voice_reason"])),
        ),
        _("Sounds: {sounds} ({reason})").format(
            sounds=_voice_name(data["sounds"]),
            reason=_unnamed(_voice_name(data["sounds"]), text(data["sounds_reason"])),
        ),
        _("Do not disturb: {state}").format(state=_dnd_text(data)),
        _("Idle awareness: {note}").format(note=text(data["idle"]["note"])),
        *_hold_lines(data),
        _("Panel icon: {reason}").format(reason=text(data.get("panel_reason") or _("not known"))),
        _("Language: {language}").format(language=language_text(data)),
    ]
    if data.get("other_breaks"):
        lines.append(_("Note: {note}").format(note=text(data["other_breaks"])))
    failed = data.get("reload_failed")
    if failed:
        lines.append(reload_failed_text(failed, now))
    if data["paused"]:
        until = data["paused_until"]
        lines.append(
            _("Paused until {when}.").format(when=clock_text(until, now))
            if until
            else _("Paused until `reminderd resume`.")
        )
        sync = data.get("sync")
        if sync and sync["paused_by"]:
            lines[-1] += " " + _("(pause --everywhere on {machine})").format(
                machine=sync["paused_by"]
            )
    lines += _sync_lines(data, now)
    current = data.get("current")
    if current and current.get("paused"):
        lines.append(
            _(
                "Held: {routine}, at step {step} of {of}: {text}"
                " (`reminderd resume` goes on from there, within 10 minutes)"
            ).format(
                routine=current["routine"],
                step=current["step"],
                of=current["of"],
                text=current["text"],
            )
        )
    elif current:
        lines.append(
            _("Now: {routine}: {text} ({seconds} s left)").format(
                routine=current["routine"],
                text=current["text"],
                seconds=round(current["remaining"]),
            )
        )
    asking = data.get("asking")
    if asking:
        until = clock_text(asking["until"], now)
        lines.append(
            _("Asking: {routine}, waiting for Start until {until}").format(
                routine=asking["routine"], until=until
            )
        )
    if data.get("queue"):
        lines.append(_("Waiting: {routines}").format(routines=", ".join(data["queue"])))
    requested = data.get("requested")
    if requested:
        names = ", ".join(requested["routines"])
        lines.append(
            _("Asked for, held: {routines} ({hold}); `run --now` overrides").format(
                routines=names, hold=text(requested["hold"])
            )
        )
    return lines + _next_lines(data, now)


def _unnamed(name: str, reason: str) -> str:
    """``reason`` without the name it may begin with: "off (no player)" said after "off"
    is "no player" ("Voice: off (no player)", not "Voice: off (off (no player))")."""
    if reason.startswith(f"{name} (") and reason.endswith(")"):
        return reason[len(name) + 2 : -1]
    return reason


def _voice_name(name: str) -> str:
    """A voice's or a player's name; "off" is said in the language."""
    return _("off") if name == "off" else name


def _next_lines(data: DaemonStatus, now: datetime) -> list[str]:
    """When each routine comes: next, or while paused, once the pause ends."""
    lines = []
    if not data["paused"]:
        lines.append(_("Next:"))
    elif data["paused_until"]:
        lines.append(_("Next, once the pause ends:"))
    else:
        lines.append(_("Next, if you resume now:"))
    width = max((len(r["name"]) for r in data["routines"]), default=0)
    held = {
        "idle": " " + _("(waiting: you are away)"),
        "dnd": " " + _("(waiting: do not disturb)"),
        "elsewhere": " " + _("(waiting: in progress on another machine)"),
        "typing": " " + _("(waiting: a pause in typing)"),
    }
    snoozed = " " + _("(snoozed)")

    def upcoming(routine: RoutineStatus) -> str | None:
        return routine.get("after_pause") if data["paused"] else routine["next"]

    coming = sorted(  # in time order; those with no next time last
        data["routines"],
        key=lambda r: (
            upcoming(r) is None,
            datetime.fromisoformat(upcoming(r) or "") if upcoming(r) else now,
        ),
    )
    for routine in coming:
        moment = upcoming(routine)
        when = clock_text(moment, now) if moment else "-"
        reason = routine.get("held") or ""
        note = held.get(reason, snoozed if routine.get("snoozed_until") else "")
        if reason and reason not in held:  # a call, a screen share, full screen, an inhibitor
            why = text(routine.get("hold") or reason)
            note = " " + _("(waiting: {why})").format(why=why)
        lines.append(f"  {routine['name']:<{width}}  {when}{note}")
    return lines


def reload_failed_text(failed: ReloadFailure, now: datetime) -> str:
    """The last reload that failed, its first problem, and that the config in use stayed."""
    from reminderd.plural import plural  # noqa: PLC0415 - only after a failed reload

    at = datetime.fromisoformat(failed["at"]).astimezone(now.tzinfo)
    day = "" if at.date() == now.date() else f"{day_text(at)} "
    named = {"at": f"{day}{at:%H:%M}", "problem": text(failed["problem"])}
    more = failed["problems"] - 1
    if more == 0:
        return _(
            "Config not reloaded at {at}: {problem}. The config in use stays;"
            " fix it, then `reminderd reload`."
        ).format(**named)
    return plural(
        more,
        "Config not reloaded at {at}: {problem}, and {count} more problem. The config in"
        " use stays; `reminderd check` lists them.",
        "Config not reloaded at {at}: {problem}, and {count} more problems. The config in"
        " use stays; `reminderd check` lists them.",
        **named,
    )


def status(as_json: bool) -> int:
    """Ask the daemon and print; the exit status is 0 when it runs, 1 when not."""
    from reminderd import control  # noqa: PLC0415
    from reminderd.paths import socket_path  # noqa: PLC0415

    if not as_json:
        from reminderd.i18n import use  # noqa: PLC0415
        from reminderd.i18n.languages import from_environment  # noqa: PLC0415

        use(from_environment()[0])
    try:
        data = control.status(socket_path())
    except NotRunningError as error:
        if as_json:
            print(json.dumps(NOT_RUNNING_JSON))
        else:
            print(_("Error: {message}").format(message=text(error.args[0])), file=sys.stderr)
        return 1
    except (ReminderError, OSError, ValueError) as error:
        # An unusable runtime folder, a broken reply: status bars still get JSON.
        if as_json:
            print(json.dumps({**NOT_RUNNING_JSON, "error": str(error)}))
        else:
            said = error.args[0] if isinstance(error, ReminderError) and error.args else error
            print(_("Error: {message}").format(message=text(said)), file=sys.stderr)
        return 1
    if as_json:
        print(json.dumps(data))
    else:
        print("\n".join(status_lines(data, datetime.now().astimezone())))
    return 0
