"""The smaller sections: [guidance] (voice, sounds, pace), [[hooks]], [notifications]
and [panel]."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from reminderd.config.keys import (
    GUIDANCE_KEYS,
    HOOK_KEYS,
    NOTIFICATION_KEYS,
    PANEL_KEYS,
    SYNC_KEYS,
)
from reminderd.config.limits import HOOK_BOUNDS
from reminderd.config.reader import Reader, did_you_mean, type_name
from reminderd.i18n.said import said
from reminderd.model import EVENT_NAMES, Guidance, Hook, SyncSettings
from reminderd.sync import settings as sync_settings
from reminderd.tomlmap import KeyPath

BACKENDS = ("auto", "freedesktop", "plyer", "console")


def guidance(data: Mapping[str, Any], reader: Reader) -> Guidance:
    path: KeyPath = ("guidance",)
    reader.known_keys(data, path, GUIDANCE_KEYS)
    default = Guidance()
    voice: bool | tuple[str, ...] = default.voice
    value = data.get("voice", default.voice)
    if isinstance(value, bool):
        voice = value
    elif isinstance(value, list) and value and all(isinstance(v, str) and v for v in value):
        voice = tuple(value)
    else:
        reader.problem(
            (*path, "voice"),
            said("expected true, false or a command as a list, got {type}", type=type_name(value)),
            said('write voice = true, or voice = ["espeak-ng", "-s", "150"]'),
        )
    sounds = data.get("sounds", default.sounds)
    if not isinstance(sounds, bool):
        reader.problem((*path, "sounds"), _true_or_false(sounds), "")
        sounds = default.sounds
    pace = {
        "intro": (1.0, 30.0, said("between 1 second and 30 seconds")),
        "lead_in": (
            1.0,
            15.0,
            said("between 1 second and 15 seconds: the time to read or hear a step"),
        ),
        "done": (0.5, 30.0, said("between half a second and 30 seconds")),
    }
    seconds = {key: reader.duration(data, path, key, bounds) for key, bounds in pace.items()}
    pictures = data.get("pictures", default.pictures)
    if not isinstance(pictures, bool):
        reader.problem((*path, "pictures"), _true_or_false(pictures), "")
        pictures = default.pictures
    countdown = data.get("countdown", default.countdown)
    if not isinstance(countdown, bool):
        reader.problem((*path, "countdown"), _true_or_false(countdown), "")
        countdown = default.countdown
    language = _language(data, path, reader)
    return Guidance(
        voice=voice,
        sounds=sounds,
        intro=seconds["intro"] or default.intro,
        lead_in=seconds["lead_in"] or default.lead_in,
        done=seconds["done"] or default.done,
        pictures=pictures,
        countdown=countdown,
        language=language,
    )


def _true_or_false(value: object) -> str:
    return said("expected true or false, got {value}", value=repr(value))


def _language(data: Mapping[str, Any], path: KeyPath, reader: Reader) -> str:
    """``[guidance] language``: the notifications' and the voice's language, one reminderd
    has ("de", "pt_BR"; "pt-BR" and "de_DE" are read as those); "" (unset): the
    environment's."""
    from reminderd.i18n.languages import available, match  # noqa: PLC0415

    if "language" not in data:
        return ""
    value = data["language"]
    code = match(value) if isinstance(value, str) else None
    if code is None:
        codes = available()
        listed = ", ".join(f'"{c}"' for c in codes)
        fix = did_you_mean(str(value), codes, said("use one of {codes}", codes=listed))
        message = said("no translation for {value}", value=repr(value))
        reader.problem((*path, "language"), message, fix)
        return ""
    return code


def hooks(data: Mapping[str, Any], reader: Reader) -> tuple[Hook, ...]:
    hooks = []
    for index, table in enumerate(reader.tables(data, (), "hooks")):
        path: KeyPath = ("hooks", index)
        reader.known_keys(table, path, HOOK_KEYS)
        event = (
            reader.choice(table, path, "event", ("*", *EVENT_NAMES)) if "event" in table else "*"
        )
        command = table.get("command")
        if not (
            isinstance(command, list) and command and all(isinstance(c, str) and c for c in command)
        ):
            reader.problem(
                (*path, "command"),
                said("expected a list of strings: the program and its arguments"),
                said('write command = ["notify-send", "done"]; no shell string'),
            )
            command = None
        timeout = reader.duration(table, path, "timeout", HOOK_BOUNDS) or 10.0
        if command:
            hooks.append(Hook(event=event, command=tuple(command), timeout=timeout))
    return tuple(hooks)


def backend(data: Mapping[str, Any], reader: Reader) -> str:
    """[notifications] backend: how notifications are shown (auto picks one)."""
    notifications = reader.table(data, (), "notifications")
    reader.known_keys(notifications, ("notifications",), NOTIFICATION_KEYS)
    return reader.choice(notifications, ("notifications",), "backend", BACKENDS)


def panel_icon(data: Mapping[str, Any], reader: Reader) -> bool:
    """[panel] icon: whether to show a StatusNotifierItem where a panel hosts one."""
    panel = reader.table(data, (), "panel")
    reader.known_keys(panel, ("panel",), PANEL_KEYS)
    icon = panel.get("icon", True)
    if not isinstance(icon, bool):
        reader.problem(
            ("panel", "icon"),
            said("expected true or false, got {type}", type=type_name(icon)),
            said("write icon = true to show the panel icon, icon = false to hide it"),
        )
        return True
    return icon


def sync(data: Mapping[str, Any], reader: Reader) -> SyncSettings | None:
    """[sync]: the folder shared with the person's other machines (see reminderd/sync/)."""
    table = reader.table(data, (), "sync")
    reader.known_keys(table, ("sync",), SYNC_KEYS)
    return sync_settings.parse(table, reader.problem)
