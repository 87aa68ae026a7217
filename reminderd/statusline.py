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

from reminderd.durations import format_duration
from reminderd.errors import NotRunningError, ReminderError

TYPE_CHECKING = False  # not typing.TYPE_CHECKING, which would import typing
if TYPE_CHECKING:
    from reminderd.contracts import DaemonStatus, ReloadFailure, RoutineStatus

NOT_RUNNING_JSON = {"version": 1, "running": False}


def when_text(moment: datetime, now: datetime) -> str:
    """A moment as people read it, in ``now``'s time zone: "10:45 (in 12m)", "10:45 (in 40s)"
    under a minute, "Tue 09:00 (in 18h50m)" within a week, "Mon 14 Dec 06:56 (in 22d)"
    beyond. The one formatter of times to come, for `status` and every other command."""
    moment = moment.astimezone(now.tzinfo)
    seconds = (moment - now).total_seconds()
    if seconds < 59.5:
        ahead = f"{max(0, round(seconds))}s"
    elif seconds < 7 * 86400:
        ahead = format_duration(round(seconds / 60) * 60)
    else:
        ahead = f"{round(seconds / 86400)}d"
    if moment.date() == now.date():
        day = ""
    elif seconds < 6.5 * 86400:
        day = moment.strftime("%a ")
    else:
        day = moment.strftime("%a %d %b ")
    return f"{day}{moment:%H:%M} (in {ahead})"


def clock_text(iso: str, now: datetime) -> str:
    """``when_text`` of an ISO 8601 time, as the daemon sends them."""
    return when_text(datetime.fromisoformat(iso), now)


def first_reminder(routines: list[RoutineStatus], now: datetime) -> str:
    """What a person needs right after `start`: when the first reminder comes, and how to
    see a routine now rather than in half an hour."""
    due = [(r["name"], r["next"]) for r in routines if r["next"]]
    if not due:
        return "No reminder is due in the next two weeks. Try one now: `reminderd run NAME`."
    name, first = min(due, key=lambda pair: datetime.fromisoformat(pair[1]))
    when = clock_text(first, now)
    return f"First reminder: {name} at {when}. Try one now: `reminderd run {name}`."


def elsewhere_text(routine: RoutineStatus, now: datetime, with_next: bool = True) -> str:
    """What another machine did to a routine (the sync folder), as `status` and `list` say
    it: "done on laptop at 10:05, next at 11:55", "in progress on laptop"; "" for nothing."""
    running = routine.get("running_elsewhere")
    if running:
        return f"in progress on {running['machine']}, not started here meanwhile"
    done = routine.get("done_elsewhere")
    if not done:
        return ""
    at = datetime.fromisoformat(done["at"]).astimezone(now.tzinfo)
    text = f"done on {done['machine']} at {at:%H:%M}"
    upcoming_text = routine["next"]
    if with_next and upcoming_text not in (None, "paused"):
        upcoming = datetime.fromisoformat(upcoming_text).astimezone(now.tzinfo)
        day = "" if upcoming.date() == now.date() else upcoming.strftime("%a ")
        text += f", next at {day}{upcoming:%H:%M}"
    return text


def _sync_lines(data: DaemonStatus, now: datetime) -> list[str]:
    sync = data.get("sync")
    if not sync:
        return []
    lines = [f"Sync: {sync['folder']} as {sync['machine']}; {sync['reason']}"]
    if sync.get("error"):
        lines.append(f"  not written: {sync['error']}")
    for machine in sync.get("machines", []):
        seen = machine["active"] or machine["written"]
        if seen is None:
            continue
        at = datetime.fromisoformat(seen).astimezone(now.tzinfo)
        day = "" if at.date() == now.date() else at.strftime("%a %d %b ")
        lines.append(f"  {machine['machine']}: last active {day}{at:%H:%M}")
    elsewhere = [
        f"  {r['name']}: {text}" for r in data["routines"] if (text := elsewhere_text(r, now))
    ]
    if elsewhere:
        lines += ["Other machines:", *elsewhere]
    return lines


def _dnd_text(data: DaemonStatus) -> str:
    """ "on (dunst-paused; ...)", "off (...)", or where it looks and that it was not read yet."""
    source, reason = data["dnd"], data["dnd_reason"]
    if source is None:
        return f"not known ({reason})"
    on = data.get("dnd_on")
    state = "not read yet" if on is None else ("on" if on else "off")
    return f"{state} ({source}: {reason})"


def _hold_lines(data: DaemonStatus) -> list[str]:
    """Each hold source: on and why, off, cannot answer, or not used and why."""
    holds = data.get("holds") or []
    if not holds:
        return ["Holds: chosen when a routine is first due (calls, screen shares, full screen)"]
    lines = ["Holds:"]
    for entry in holds:
        if entry["state"] == "on":
            said = "on (" + "; ".join(entry["holds"]) + ")"
        elif entry["state"] == "cannot answer":
            said = f"cannot answer ({entry['unknown']})"
        elif entry["state"] == "not used":
            said = f"not used ({entry['why']})"
        else:
            said = entry["state"]
        lines.append(f"  {entry['source']}: {said}")
    return lines


def status_lines(data: DaemonStatus, now: datetime) -> list[str]:
    """The status reply of the daemon, for people."""
    lines = [
        f"reminderd {data['reminderd']} is running (pid {data['pid']}, "
        f"up {format_duration(max(data['uptime'], 1))})",
        f"Config: {data['config']} ({data['config_origin']})",
        f"Notifications: {data['backend']} ({data['backend_reason']})",
        f"Voice: {data['voice']} ({data['voice_reason']})",
        f"Sounds: {data['sounds']} ({data['sounds_reason']})",
        f"Do not disturb: {_dnd_text(data)}",
        f"Idle awareness: {data['idle']['note']}",
        *_hold_lines(data),
        f"Panel icon: {data.get('panel_reason') or 'not known'}",
    ]
    if data.get("other_breaks"):
        lines.append(f"Note: {data['other_breaks']}")
    failed = data.get("reload_failed")
    if failed:
        lines.append(reload_failed_text(failed, now))
    if data["paused"]:
        until = data["paused_until"]
        lines.append(
            f"Paused until {clock_text(until, now)}."
            if until
            else "Paused until `reminderd resume`."
        )
        sync = data.get("sync")
        if sync and sync["paused_by"]:
            lines[-1] += f" (pause --everywhere on {sync['paused_by']})"
    lines += _sync_lines(data, now)
    current = data.get("current")
    if current and current.get("paused"):
        lines.append(
            f"Held: {current['routine']}, at step {current['step']} of {current['of']}: "
            f"{current['text']} (`reminderd resume` goes on from there, within 10 minutes)"
        )
    elif current:
        lines.append(
            f"Now: {current['routine']}: {current['text']} ({round(current['remaining'])} s left)"
        )
    asking = data.get("asking")
    if asking:
        until = clock_text(asking["until"], now)
        lines.append(f"Asking: {asking['routine']}, waiting for Start until {until}")
    if data.get("queue"):
        lines.append("Waiting: " + ", ".join(data["queue"]))
    requested = data.get("requested")
    if requested:
        names = ", ".join(requested["routines"])
        lines.append(f"Asked for, held: {names} ({requested['hold']}); `run --now` overrides")
    return lines + _next_lines(data, now)


def _next_lines(data: DaemonStatus, now: datetime) -> list[str]:
    """When each routine comes: next, or while paused, once the pause ends."""
    lines = []
    if not data["paused"]:
        lines.append("Next:")
    elif data["paused_until"]:
        lines.append("Next, once the pause ends:")
    else:
        lines.append("Next, if you resume now:")
    width = max((len(r["name"]) for r in data["routines"]), default=0)
    held = {
        "idle": " (waiting: you are away)",
        "dnd": " (waiting: do not disturb)",
        "elsewhere": " (waiting: in progress on another machine)",
        "typing": " (waiting: a pause in typing)",
    }

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
        note = held.get(reason, " (snoozed)" if routine.get("snoozed_until") else "")
        if reason and reason not in held:  # a call, a screen share, full screen, an inhibitor
            note = f" (waiting: {routine.get('hold') or reason})"
        lines.append(f"  {routine['name']:<{width}}  {when}{note}")
    return lines


def reload_failed_text(failed: ReloadFailure, now: datetime) -> str:
    """The last reload that failed, its first problem, and that the config in use stayed."""
    from reminderd.plural import plural  # noqa: PLC0415 - only after a failed reload

    at = datetime.fromisoformat(failed["at"]).astimezone(now.tzinfo)
    day = "" if at.date() == now.date() else at.strftime("%a %d %b ")
    named = {"at": f"{day}{at:%H:%M}", "problem": failed["problem"]}
    more = failed["problems"] - 1
    if more == 0:
        return (
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

    try:
        data = control.status(socket_path())
    except NotRunningError as error:
        if as_json:
            print(json.dumps(NOT_RUNNING_JSON))
        else:
            print(f"Error: {error}", file=sys.stderr)
        return 1
    except (ReminderError, OSError, ValueError) as error:
        # An unusable runtime folder, a broken reply: status bars still get JSON.
        if as_json:
            print(json.dumps({**NOT_RUNNING_JSON, "error": str(error)}))
        else:
            print(f"Error: {error}", file=sys.stderr)
        return 1
    if as_json:
        print(json.dumps(data))
    else:
        print("\n".join(status_lines(data, datetime.now().astimezone())))
    return 0
