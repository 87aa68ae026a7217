"""What a person hears, step by step: made of whole sentences with named placeholders.

A person whose chin is on their collarbone cannot read a notification. In order, they hear
the routine and its stop rule; each exercise's name as it starts; the side and the action;
how long a hold lasts, said before the hold; the count of each repetition ("4.") and "Set 2
of 3."; optionally "3, 2, 1" at the end of a hold; and "And release." after it.

Every sentence is a whole entry of ``PHRASES`` with named placeholders, so that a
translation can order its words as its language does; numbers are left as digits, which
every speech engine reads aloud in its own language ("10" is "ten", "zehn", "dix"), with
the language's decimal mark ("2,5" is "zwei Komma fünf"). The words are said in the
language in use (the voice's: reminderd.exercises.shown_and_said).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple

from reminderd.i18n import NC_, N_plural, _, ngettext, pgettext
from reminderd.i18n.formats import number
from reminderd.model import Step
from reminderd.safety import STOP_SIGNS

# The English sentences, each an entry of the catalogues. A pair is (one, many).
PHRASES: Mapping[str, str | tuple[str, str]] = {
    "intro": NC_("spoken", "{routine}."),
    "exercise": NC_("spoken", "{exercise}."),
    "side": NC_("spoken", "{side} side."),
    "set": NC_("spoken", "Set {set} of {sets}."),
    "count": NC_("spoken", "{count}."),
    "hold": N_plural("Hold {seconds} second.", "Hold {seconds} seconds."),
    "release": NC_("spoken", "And release."),
    "countdown": NC_("spoken, a countdown's number", "{count}."),
    "done": NC_("spoken", "Done. Well done."),
    "doctor": NC_("spoken", "When to see a doctor: reminderd safety."),
}
# The context each sentence is translated in: what is said can differ from what is
# written ("Done. Well done." on the note and in the voice).
CONTEXTS = {"countdown": "spoken, a countdown's number"}
# The sides of the built-in exercises, said whole (an adjective agrees with "side").
SIDES_SAID = {"right": NC_("spoken", "right side."), "left": NC_("spoken", "left side.")}
# The stop rule, whole, as the intro says it: the articles' warning signs, cited there.
STOP_RULE = STOP_SIGNS.text
COUNTDOWN = 3  # the last seconds of a hold that are counted down, when asked for
COUNTDOWN_FROM = 6.0  # seconds: a shorter hold has its count at the start, and no countdown


Phrases = Mapping[str, "str | tuple[str, str]"]


def phrase(key: str, /, phrases: Phrases = PHRASES, **values: object) -> str:
    """One sentence of ``phrases`` with its placeholders filled; ``seconds`` or ``count``
    chooses between the forms of a pair."""
    entry = phrases[key]
    if isinstance(entry, tuple):
        count = float(str(values.get("seconds", values.get("count", 0))).replace(",", "."))
        # A whole number chooses the form by the language's rule; 2.5 takes the plural.
        entry = ngettext(entry[0], entry[1], int(count) if count == int(count) else 2)
    elif phrases is PHRASES:
        entry = pgettext(CONTEXTS.get(key, "spoken"), entry)
    return entry.format(**values)


def digits(value: float) -> str:
    """10 -> "10", 2.5 -> "2.5" ("2,5" in German): for the engine to read aloud in its
    language."""
    return number(value)


ENDS = (".", "!", "?", "\u3002", "\uff01", "\uff1f")  # and the full-width stops of Chinese


def sentence(text: str) -> str:
    """``text`` as a sentence: ends with a full stop unless it has its own (a Chinese
    text with Chinese's own "。")."""
    text = text.strip()
    if not text or text.endswith(ENDS):
        return text
    return f"{text}\u3002" if "\u4e00" <= text[-1] <= "\u9fff" else f"{text}."


def _before(steps: tuple[Step, ...], index: int) -> Step | None:
    """The exercising step before ``index``, if any."""
    return next((s for s in reversed(steps[:index]) if s.exercising), None)


def _opening(steps: tuple[Step, ...], index: int, step: Step) -> list[str]:
    """What is said before the action of ``step`` (spoken at ``index``): the exercise's
    name at its start, the side when it changes, the set when one begins."""
    parts = []
    before = _before(steps, index)
    routine = steps[0].title if steps and steps[0].kind == "intro" else ""
    new_exercise = before is None or before.exercise_id != step.exercise_id
    if new_exercise and step.title and step.title != routine:
        parts.append(phrase("exercise", exercise=step.title))
    if step.side and (new_exercise or before is None or before.side != step.side):
        known = SIDES_SAID.get(step.side)
        side = pgettext("spoken", known) if known else phrase("side", side=_(step.side))
        parts.append(side)
    sets = step.set_of
    if sets[1] > 1 and step.rep_of[0] <= 1 and (before is None or before.set_of != sets):
        parts.append(phrase("set", set=sets[0], sets=sets[1]))
    return parts


def words(steps: tuple[Step, ...], index: int) -> str:
    """The words spoken when step ``index`` starts.

    A lead-in says everything about the hold it announces (the exercise, side, set, the
    action and "Hold 10 seconds."), so that the hold itself begins in silence but for its
    cue and, on repetitions, its count ("4."). The step after a hold begins "And release.".
    """
    step = steps[index]
    if step.kind in ("intro", "done"):
        return step.say or phrase("done")
    previous = steps[index - 1] if index > 0 else None
    if step.kind == "lead-in" and index + 1 < len(steps):
        hold = steps[index + 1]
        action = sentence(hold.say or hold.text)
        held = phrase("hold", seconds=digits(hold.seconds))
        return " ".join([*_opening(steps, index, hold), action, held])
    if step.kind == "hold":
        if previous is not None and previous.kind == "lead-in":
            return _count(step)
        if step.rep_of[1] > 1 and step.rep_of[0] > 1:
            return _count(step)  # the next squeeze of a set: its count, nothing more
        held = phrase("hold", seconds=digits(step.seconds))
        return " ".join([*_opening(steps, index, step), sentence(step.say or step.text), held])
    action = sentence(step.say or step.text)
    release = phrase("release")
    parts = []
    if previous is not None and previous.kind == "hold" and not action.startswith(release):
        parts.append(release)  # unless the step's own words say it already
    parts += _opening(steps, index, step)
    if step.spec == 0 and step.rep_of[1] > 1:
        parts.append(_count(step))
    parts.append(action)
    return " ".join(parts)


def _count(step: Step) -> str:
    return phrase("count", count=step.rep_of[0]) if step.rep_of[1] > 1 else ""


class Beat(NamedTuple):
    """Something said during a step, ``after`` seconds into it: a countdown's number."""

    after: float
    words: str


def beats(step: Step, countdown: bool) -> tuple[Beat, ...]:
    """What is said inside ``step``: with ``countdown``, "3.", "2.", "1." in the last three
    seconds of a hold long enough that they do not run into its start."""
    if not countdown or step.kind != "hold" or step.seconds < COUNTDOWN_FROM:
        return ()
    return tuple(
        Beat(step.seconds - left, phrase("countdown", count=left))
        for left in range(COUNTDOWN, 0, -1)
    )


def intro_words(routine: str, point_to_safety: bool) -> str:
    """The intro: the routine's name and the whole stop rule; on the day's first routine,
    where to read when to see a doctor."""
    parts = [phrase("intro", routine=routine), _(STOP_RULE)]
    if point_to_safety:
        parts.append(phrase("doctor"))
    return " ".join(parts)
