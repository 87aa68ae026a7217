"""One error family for the whole program.

Library code raises these; only ``cli.py`` turns them into messages and exit codes.
"""

from __future__ import annotations

from reminderd.i18n.said import Said, said

TYPE_CHECKING = False  # typing itself is not imported: `reminderd status` loads this module
if TYPE_CHECKING:
    from pathlib import PurePath


class ReminderError(Exception):
    """Base of every error reminderd raises on purpose."""


class Problem:
    """One mistake in a config or exercise file, with where it is and how to fix it.

    A small immutable value class rather than a dataclass: this module is imported by
    `reminderd status`, which status bars run every few seconds, and dataclasses (or typing)
    would cost more to import than the rest of that command.
    """

    __slots__ = ("column", "file", "fix", "key", "line", "message")
    file: PurePath | str | None
    line: int | None
    key: str
    message: str
    fix: str
    column: int | None

    def __init__(
        self,
        file: PurePath | str | None,
        line: int | None,
        key: str,
        message: str,
        fix: str = "",
        *,
        column: int | None = None,
    ) -> None:
        for name, value in (
            ("file", file),
            ("line", line),
            ("key", key),
            ("message", message),
            ("fix", fix),
            ("column", column),
        ):
            object.__setattr__(self, name, value)

    def __setattr__(self, name: str, value: object) -> None:
        msg = "Problem is immutable"
        raise AttributeError(msg)

    def _fields(self) -> tuple[object, ...]:
        return (self.file, self.line, self.key, self.message, self.fix, self.column)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Problem) and self._fields() == other._fields()

    def __hash__(self) -> int:
        return hash(self._fields())

    def __repr__(self) -> str:
        return f"Problem{self._fields()!r}"

    def said(self) -> Said:
        """The problem on one line, "file:line: key: message (fix)": English as ``str``
        gives it, and said again in a person's language by ``reminderd.i18n.text``."""
        where = str(self.file) if self.file else "<config>"
        if self.line:
            where += f":{self.line}"
            if self.column:
                where += f":{self.column}"
        if self.key and self.fix:
            return said(
                "{where}: {key}: {message} ({fix})",
                where=where,
                key=self.key,
                message=self.message,
                fix=self.fix,
            )
        if self.key:
            return said(
                "{where}: {key}: {message}", where=where, key=self.key, message=self.message
            )
        if self.fix:
            return said(
                "{where}: {message} ({fix})", where=where, message=self.message, fix=self.fix
            )
        return said("{where}: {message}", where=where, message=self.message)

    def __str__(self) -> str:
        return str(self.said())


class ConfigError(ReminderError):
    """A config or exercise file cannot be used; carries every problem found, not just the first."""

    def __init__(self, problems: list[Problem] | tuple[Problem, ...]) -> None:
        self.problems = tuple(problems)
        super().__init__("\n".join(str(p) for p in self.problems))

    def report(self) -> list[str]:
        """One line per problem, then how many: what `check` and every command print, in
        the language in use."""
        from reminderd.i18n import text  # noqa: PLC0415 - only when there are problems
        from reminderd.plural import plural  # noqa: PLC0415

        found = plural(len(self.problems), "{count} problem found.", "{count} problems found.")
        return [*(text(p.said()) for p in self.problems), found]


class DurationError(ReminderError, ValueError):
    """A duration or time of day that cannot be read ("45 minutes", "25:00")."""


class UnknownNameError(ReminderError):
    """A routine or exercise name that the config does not define."""


class ControlError(ReminderError):
    """The control channel to the daemon failed, or the daemon refused a command."""


class NotRunningError(ControlError):
    """No daemon answers on the control socket."""


class AlreadyRunningError(ControlError):
    """Another daemon of the same user already holds the lock."""


class SkipBudgetError(ReminderError):
    """A routine's skips for today are used up (``max_skips_per_day``)."""


class NothingToUndoError(ReminderError):
    """`unskip` or `snooze NAME 0` for a routine that is not skipped or snoozed."""


class NotifyError(ReminderError):
    """A notification backend could not show a notification."""


class IdleError(ReminderError):
    """An idle source cannot answer (not on this desktop, or it stopped answering)."""


class StateError(ReminderError):
    """The state or history folder cannot be read or written."""
