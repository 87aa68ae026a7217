"""System-wide defaults under the person's own config, key by key, with where each value
came from.

An organisation deploys ``/etc/xdg/reminderd/config.toml`` (or one in another folder of
``$XDG_CONFIG_DIRS``) with its configuration management; each person's file is read over
it. The rules, in one place:

* Layers, lowest first: the built-in default (only when the person has no file of their
  own, as without system files), the system files (the least important folder of
  ``$XDG_CONFIG_DIRS`` first, ``/etc/xdg`` when it is unset), then the person's file
  (``--config``, ``$REMINDERD_CONFIG`` or the one in their config folder).
* Tables merge key by key at every depth: the organisation's ``schedule.working_hours``
  and the person's ``schedule.pause_when_idle`` both hold.
* Any other value is replaced whole by a higher layer: a list, and so ``[[routines]]`` and
  ``[[hooks]]`` (a person's routines replace the organisation's, all of them; a routine
  half from each file would be hard to read and to check).
* ``[[exercises]]`` merge by ``id``: they are a library, and a routine of the organisation
  must keep finding its exercise when the person adds one of their own.
* ``[locked] keys = ["schedule.working_hours", ...]`` in a system file: those keys keep
  the value they have there (or below it). A higher layer that sets one differently is
  ignored there, and ``check`` says so with both places. Locking a table locks every key
  in it; a list (``routines``) is locked whole.

Every merged value remembers its layer and its path in that layer, so that a mistake is
reported at the file and line where it was written, a broken system file included.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, NamedTuple

from reminderd.config.discovery import ConfigSource, default_config_path
from reminderd.config.files import read_toml
from reminderd.config.keys import SECTIONS
from reminderd.config.reader import did_you_mean, key_text
from reminderd.errors import Problem
from reminderd.i18n import _
from reminderd.i18n.said import said
from reminderd.paths import system_config_dirs
from reminderd.tomlmap import KeyPath, TomlMap

SYSTEM = "system"
LOCKED = "locked"
MERGED_BY_ID: dict[KeyPath, str] = {
    ("exercises",): "id"
}  # arrays of tables that merge by a key of their own


class Layer(NamedTuple):
    """One config file as read: its path, why it is a layer, its data and its lines."""

    path: Path
    kind: str  # "default" (built-in), "system", or the person's file's origin ("user", ...)
    data: dict[str, Any]
    where: TomlMap


class Setting(NamedTuple):
    """One value of the merged config, for `config path` and `check`."""

    key: str
    file: Path
    line: int | None
    locked: bool


def stack(
    top: Path, origin: str, default: Path, environ: Mapping[str, str] | None = None
) -> list[tuple[Path, str]]:
    """The files to read, lowest layer first, each with its kind."""
    system: list[Path] = []
    for folder in reversed(system_config_dirs(environ)):
        candidate = folder / "reminderd" / "config.toml"
        if candidate.is_file() and candidate not in system:
            system.append(candidate)
    if origin == "default":
        return [(default, "default"), *((path, SYSTEM) for path in system)]
    return [*((path, SYSTEM) for path in system if path != top), (top, origin)]


class Layered:
    """The merged config data of several layers, and the provenance of every value."""

    __slots__ = ("data", "layers", "locks", "origins", "problems", "warnings")

    def __init__(self, layers: tuple[Layer, ...]) -> None:
        self.layers = layers
        self.data: dict[str, Any] = {}
        # merged key path -> (layer index, the same value's key path in that layer)
        self.origins: dict[KeyPath, tuple[int, KeyPath]] = {}
        self.locks: dict[KeyPath, tuple[int, KeyPath]] = {}  # -> where locked
        self.problems: list[Problem] = []
        self.warnings: list[Problem] = []

    @property
    def top(self) -> Layer:
        return self.layers[-1]

    def locate(self, path: KeyPath) -> tuple[Path, int | None]:
        """The file and line where the value at ``path`` of the merged data was written (for a
        path that no layer wrote, its nearest ancestor's; the top file when none did)."""
        for length in range(len(path), -1, -1):
            found = self.origins.get(path[:length])
            if found is not None:
                index, there = found
                layer = self.layers[index]
                return layer.path, layer.where.line((*there, *path[length:]))
        return self.top.path, self.top.where.line(path)

    def line(self, path: KeyPath) -> int | None:
        return self.locate(path)[1]

    def settings(self) -> list[Setting]:
        """Each value the config sets, with its file and line: the leaves of the tables, and
        lists whole."""

        found = []
        for path, (index, there) in self.origins.items():
            if not path or self._is_table(path) or path in MERGED_BY_ID:
                continue
            layer = self.layers[index]
            locked = any(path[: len(lock)] == lock for lock in self.locks)
            found.append(
                Setting(self._name(path, key_text), layer.path, layer.where.line(there), locked)
            )
        return sorted(found, key=lambda setting: setting.key)

    def _name(self, path: KeyPath, key_text: Any) -> str:
        """``exercises.wall-angel`` for an exercise (merged by id), else the key path."""
        if len(path) == 2 and path[:1] in MERGED_BY_ID and isinstance(path[1], int):
            item = self.data[str(path[0])][path[1]]
            ident = item.get(MERGED_BY_ID[path[:1]]) if isinstance(item, dict) else None
            if isinstance(ident, str):
                return f"{path[0]}.{ident}"
        return str(key_text(path))

    def _is_table(self, path: KeyPath) -> bool:
        value: Any = self.data
        for part in path:
            try:
                value = value[part]
            except (KeyError, IndexError, TypeError):
                return False
        return isinstance(value, dict) and not (
            len(path) == 2 and (path[0],) in MERGED_BY_ID and isinstance(path[1], int)
        )

    def exercise_dirs(self) -> list[Path]:
        """The ``exercises/`` folders beside each file (not the built-in one), lowest first."""
        return [
            layer.path.parent / "exercises"
            for layer in self.layers
            if layer.kind != "default" and (layer.path.parent / "exercises").is_dir()
        ]


def merge(layers: Iterable[Layer], known: Mapping[str, tuple[str, ...]]) -> Layered:
    """Merge ``layers`` (lowest first); ``known`` is the config's key table (section ->
    allowed keys), used to check the keys a ``[locked]`` table names."""
    result = Layered(tuple(layers))
    for index, layer in enumerate(result.layers):
        merger = _Merger(result, index, known)
        merger.table(result.data, layer.data, ())
        # A layer's locks bind the layers above it, not its own values.
        if LOCKED in layer.data:
            merger.locked(layer.data[LOCKED])
    return result


class _Merger:
    """Merges one layer into the result."""

    def __init__(self, result: Layered, index: int, known: Mapping[str, tuple[str, ...]]) -> None:
        self.result = result
        self.index = index
        self.layer = result.layers[index]
        self.known = known

    def _problem(self, path: KeyPath, message: str, fix: str, *, warn: bool = False) -> None:

        problem = Problem(
            self.layer.path, self.layer.where.line(path), key_text(path), message, fix
        )
        (self.result.warnings if warn else self.result.problems).append(problem)

    def table(self, into: dict[str, Any], data: Mapping[str, Any], path: KeyPath) -> None:
        for key, value in data.items():
            here = (*path, key)
            if here == (LOCKED,) or self.refused(here, into.get(key, _MISSING), value):
                continue
            if isinstance(value, dict) and isinstance(into.get(key), dict):
                self.result.origins[here] = (self.index, here)  # the table's latest writer
                self.table(into[key], value, here)
            elif here in MERGED_BY_ID and isinstance(value, list):
                if not isinstance(into.get(key), list):
                    into[key] = []
                    self.result.origins[here] = (self.index, here)
                self.by_id(into[key], value, here, MERGED_BY_ID[here])
            else:
                self.replace(into, key, value, here)

    def replace(self, into: dict[str, Any], key: str, value: Any, path: KeyPath) -> None:
        into[key] = _copy(value)
        self._forget(path)
        self._record(path, path, value)

    def _forget(self, path: KeyPath) -> None:
        """Drop the provenance of a value that is replaced, and of everything inside it."""
        origins = self.result.origins
        for old in [p for p in origins if p[: len(path)] == path]:
            del origins[old]

    def _record(self, path: KeyPath, there: KeyPath, value: Any) -> None:
        """Remember where ``value`` and every key of its tables came from (a later layer may
        change one key of a table and keep the rest)."""
        self.result.origins[path] = (self.index, there)
        if isinstance(value, dict):
            for key, item in value.items():
                self._record((*path, key), (*there, key), item)

    def by_id(self, into: list[Any], items: list[Any], path: KeyPath, id_key: str) -> None:
        """An array of tables that merges by id: a table whose id a lower layer has replaces
        that one in place, any other is added (two of one id in one file stay two, for the
        config's check to name)."""
        lower = len(into)
        taken: set[int] = set()
        for position, item in enumerate(items):
            ident = item.get(id_key) if isinstance(item, dict) else None
            slot = next(
                (
                    i
                    for i, old in enumerate(into[:lower])
                    if ident is not None
                    and i not in taken
                    and isinstance(old, dict)
                    and old.get(id_key) == ident
                ),
                None,
            )
            if slot is None:
                slot = len(into)
                into.append(None)
            taken.add(slot)
            merged = (*path, slot)
            self._forget(merged)
            into[slot] = _copy(item)
            self.result.origins[merged] = (self.index, (*path, position))

    def refused(self, path: KeyPath, old: Any, new: Any) -> bool:
        """A locked key (or a table or list holding one) that this layer would change: keep
        the value from below and warn. True if refused."""
        if isinstance(new, dict) and isinstance(old, dict):
            return False  # merged key by key: each key inside is checked on its own
        locks = self.result.locks
        lock = next((lk for lk in locks if path[: len(lk)] == lk), None)
        lock = lock or next((lk for lk in locks if lk[: len(path)] == path), None)
        if lock is None:
            return False
        if _same(old, new):
            return True
        index, there = locks[lock]
        owner = self.result.layers[index]

        line = owner.where.line(there)
        where = f"{owner.path}:{line}" if line else str(owner.path)
        self._problem(
            path,
            said(
                "locked by the system-wide file {where} ([locked] {key}); "
                "the value from there stays in force",
                where=where,
                key=key_text(lock),
            ),
            said("remove it from this file, or ask whoever looks after the system-wide file"),
            warn=True,
        )
        return True

    def locked(self, table: Any) -> None:
        """A ``[locked]`` table: only a system-wide file may hold one."""
        path: KeyPath = (LOCKED,)
        if self.layer.kind != SYSTEM:
            self._problem(
                path,
                said(
                    "only a system-wide file (in $XDG_CONFIG_DIRS, /etc/xdg by default)"
                    " can lock keys"
                ),
                said("remove [locked] from this file"),
            )
            return
        if not isinstance(table, dict):
            self._problem(
                path, said("expected a table"), said('write [locked] with keys = ["..."]')
            )
            return
        for key in table:
            if key != "keys":
                message = said('unknown key "{key}"', key=key)
                self._problem((*path, key), message, said("allowed: {keys}", keys="keys"))
        keys = table.get("keys", [])
        if not isinstance(keys, list):
            self._problem(
                (*path, "keys"),
                said("expected a list of keys"),
                said('write keys = ["schedule.working_hours"]'),
            )
            return
        for position, text in enumerate(keys):
            lock = self._lock_path((*path, "keys", position), text)
            if lock is not None:
                self.result.locks.setdefault(lock, (self.index, (*path, "keys", position)))

    def _lock_path(self, where: KeyPath, text: object) -> KeyPath | None:
        """``"schedule.working_hours"`` -> ("schedule", "working_hours"), checked against the
        config's keys; None (and a problem) for a key that does not exist."""

        if not isinstance(text, str) or not text.strip():
            message = said('expected a key such as "schedule.days", got {value}', value=repr(text))
            self._problem(where, message, "")
            return None
        parts = tuple(text.strip().split("."))
        top = self.known[""]
        if parts[0] not in top or parts[0] == LOCKED:
            fix = did_you_mean(parts[0], top, said("allowed: {keys}", keys=", ".join(top)))
            self._problem(where, said('"{key}": no such key', key=text), fix)
            return None
        if len(parts) > 1:
            section = self.known.get(parts[0])
            if section is None or parts[0] in ("routines", "hooks", "exercises"):
                self._problem(
                    where,
                    said(
                        '"{key}": {list} is a list, locked whole or not at all',
                        key=text,
                        list=parts[0],
                    ),
                    said('write "{key}"', key=parts[0]),
                )
                return None
            if parts[1] not in section:
                fix = did_you_mean(
                    parts[1], section, said("allowed: {keys}", keys=", ".join(section))
                )
                message = said('"{key}": no such key in [{section}]', key=text, section=parts[0])
                self._problem(where, message, fix)
                return None
            if len(parts) > 2 and parts[:2] != ("schedule", "hours"):
                self._problem(
                    where,
                    said('"{key}": {name} is not a table', key=text, name=parts[1]),
                    said('write "{key}"', key=".".join(parts[:2])),
                )
                return None
        return parts


class _Missing:
    pass


_MISSING = _Missing()


def _same(old: Any, new: Any) -> bool:
    return not isinstance(old, _Missing) and old == new


def _copy(value: Any) -> Any:
    """A copy of TOML data (tables, lists and values that are never changed in place)."""
    if isinstance(value, dict):
        return {key: _copy(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_copy(item) for item in value]
    return value


def describe(layered: Layered) -> list[str]:
    """For `config path` and `check`: the files read, and the file and line of each setting
    (nothing when there is only one file)."""
    if len(layered.layers) < 2:
        return []
    kinds = {"system": _("system"), "user": _("user"), "default": _("default")}
    lines = [_("Read in this order, each over the one before:")]
    lines += [f"  {layer.path} ({kinds.get(layer.kind, layer.kind)})" for layer in layered.layers]
    settings = layered.settings()
    width = max((len(setting.key) for setting in settings), default=0)
    lines.append(_("Settings, and where each comes from:"))
    locked = " " + _("(locked)")
    for setting in settings:
        where = f"{setting.file}:{setting.line}" if setting.line else str(setting.file)
        lines.append(f"  {setting.key:<{width}}  {where}{locked if setting.locked else ''}")
    return lines


def read_layers(source: ConfigSource) -> Layered:
    """The config files of ``source`` read and merged, lowest first."""
    files = stack(source.path, source.origin, default_config_path())
    return merge([Layer(file, kind, *read_toml(file)) for file, kind in files], SECTIONS)
