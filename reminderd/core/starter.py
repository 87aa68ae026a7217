"""What comes on screen when a routine starts: its guide (the steps, the words said, the
buttons, how long the closing note stays, the judge of whether it was done), or the "Start?"
prompt that asks first; and the routine behind a name.

It makes and shows, and keeps only the day the intro last said where to look; the stage
decides when a routine comes on, and keeps what is on screen. The guide, the exercises'
expansion and their words are loaded when a routine first starts, not while the daemon
idles.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from reminderd.clock import Clock
from reminderd.core.adherence import Judge
from reminderd.core.outputs import Emit, Outputs
from reminderd.core.prompt import ASK_TIMEOUT, DONE, Ask, prompt_note, said_buttons
from reminderd.errors import UnknownNameError
from reminderd.i18n import language, speaking
from reminderd.idle import IdleSource
from reminderd.model import GUIDE_EVENTS, Config, Routine
from reminderd.pace import Tempo

if TYPE_CHECKING:
    from reminderd.guide import Guide

Buttons = Callable[[str], tuple[tuple[str, str], ...]]  # a routine's Start/Snooze/Skip


class Starter:
    """Makes a routine's guide, or shows its "Start?" prompt."""

    def __init__(
        self,
        config: Config,
        clock: Clock,
        *,
        emit: Emit,
        buttons: Buttons,
        idle: Callable[[], IdleSource | None],
        tempo: Tempo,
    ) -> None:
        self.config = config
        self.tempo = tempo
        self._clock = clock
        self._emit = emit
        self._buttons = buttons
        self._idle = idle
        self._safety_day: date | None = None  # the day the intro last said where to look

    def routine(self, name: str) -> Routine | None:
        """A routine of the config, or a single exercise run on request as a routine of its
        own (None if unknown)."""
        from reminderd.exercises import routine_for  # noqa: PLC0415 - when first asked

        try:
            return routine_for(name, self.config.routines, self.config.exercises)
        except UnknownNameError:
            return None

    @staticmethod
    def actions(outputs: Outputs) -> bool:
        """Whether buttons can be offered: the server has them, and it is answering now."""
        notifier = outputs.notifier
        return not notifier.failing and "actions" in notifier.capabilities

    def guide(self, routine: Routine, outputs: Outputs, replaces: int | None = None) -> Guide:
        """The guide of ``routine``, not started yet; its events are reported through
        ``emit``, with the judge's outcome on completion."""
        from reminderd.exercises import closing_seconds, shown_and_said  # noqa: PLC0415
        from reminderd.guide import Guide  # noqa: PLC0415 - when a routine first starts

        today = self._clock.now().astimezone(self._clock.zone()).date()
        first_today, self._safety_day = self._safety_day != today, today
        guidance, speaker = self.config.guidance, outputs.speaker
        timing = speaker.seconds
        steps, said = shown_and_said(
            routine,
            self.config.exercises,
            guidance,
            voice=speaker.language,
            point_to_safety=first_today,
            timing=timing,
            pace=self.tempo.pace,
        )
        judge = Judge(steps, self._clock.monotonic, self._idle())
        actions = said_buttons(self._buttons(routine.name)) if self.actions(outputs) else ()
        with speaking(speaker.language or language()):
            linger = closing_seconds(said, guidance, timing, self.tempo.pace)
        return Guide(
            routine.name,
            steps,
            outputs.notifier,
            self._clock,
            on_event=self._forward(routine.name, judge, linger),
            first_actions=actions,
            last_actions=said_buttons(DONE) if actions else (),
            replaces=replaces,
            speaker=speaker,
            cues=outputs.cues,
            countdown=guidance.countdown,
            linger=linger,
            said=said,
        )

    def _forward(
        self, name: str, judge: Judge, linger: float
    ) -> Callable[[str, dict[str, Any]], None]:
        """A guide's events, as the core's: the judge hears each step and gives the outcome."""

        def forward(kind: str, data: dict[str, Any]) -> None:
            if kind == "step":
                judge.step_began(str(data.get("kind")))
            if kind == "completed":
                data = {**data, "outcome": judge.outcome()}
            if kind == "step" and data.get("kind") == "done":
                # The closing note stays its linger (its words said whole), though the
                # routine ends as it appears: its length as a person sees it.
                data = {**data, "seconds": round(linger, 1)}
            self._emit(GUIDE_EVENTS[kind], name, **data)

        return forward

    def ask(self, routine: Routine, reason: str, outputs: Outputs) -> Ask:
        """Show the "Start?" prompt of ``routine``, waiting a minute for an answer.
        NotifyError if it cannot be shown."""
        from reminderd.exercises import shown_and_said, total_seconds  # noqa: PLC0415
        from reminderd.i18n.formats import duration  # noqa: PLC0415

        config, speaker = self.config, outputs.speaker
        steps, _said = shown_and_said(
            routine,
            config.exercises,
            config.guidance,
            voice=speaker.language,
            timing=speaker.seconds,
        )
        buttons = self._buttons(routine.name) if self.actions(outputs) else ()
        note = prompt_note(routine, duration(total_seconds(steps)), buttons)
        notification_id = outputs.notifier.show(note)
        deadline = self._clock.now() + timedelta(seconds=ASK_TIMEOUT)
        return Ask(routine.name, reason, notification_id, deadline)
