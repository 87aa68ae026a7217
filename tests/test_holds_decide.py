"""The hold decision: a pure function of the moment (reminderd/holds/decide.py)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from reminderd.holds.decide import LOOK_AGAIN, PAUSE, SOFT_START, Fire, Held, Moment, decide
from reminderd.holds.port import SOURCE_REASONS, Answer, Hold, SourceReason

MIC = Hold("call", "zoom", "microphone in use", "pipewire")
FULL = Hold("fullscreen", "firefox", "full-screen window", "x11")
FILM = Hold("inhibited", "totem", "idle inhibited", "gnome")
SHARE = Hold("screen-share", "chromium", "screen cast", "pipewire")


def answers(*holds: Hold) -> tuple[Answer, ...]:
    return tuple(Answer(h.source, (h,)) for h in holds)


def test_nothing_holds_fires_at_once_without_soft_start() -> None:
    """With no hold and the soft start off, a due routine fires at once."""
    assert decide(Moment(now=0, soft_start=0, input_idle=0)) == Fire("at-once")


def test_call_holds_with_its_reason_and_who() -> None:
    """A microphone in use holds the routine for "call", naming the application."""
    held = decide(Moment(now=0, answers=answers(MIC)))
    assert held == Held("call", "zoom", "microphone in use", "pipewire", LOOK_AGAIN)
    assert str(held) == "call: microphone in use by zoom"


def test_fullscreen_reads_as_its_application() -> None:
    """A full-screen hold reads "fullscreen: firefox"."""
    assert str(decide(Moment(now=0, answers=answers(FULL)))) == "fullscreen: firefox"


def test_reasons_are_preferred_call_first() -> None:
    """Several holds at once: the call is named before the share, full screen and inhibitor."""
    moment = Moment(now=0, answers=answers(FILM, FULL, SHARE, MIC))
    assert isinstance(held := decide(moment), Held)
    assert held.reason == "call"


def test_hold_during_leaves_a_reason_out() -> None:
    """A reason left out of hold_during never holds; the next one does."""
    moment = Moment(now=0, answers=answers(FULL, FILM), hold_during=frozenset({"inhibited"}))
    assert decide(moment) == Held("inhibited", "totem", "idle inhibited", "gnome")
    alone = Moment(now=0, soft_start=0, answers=answers(FULL), hold_during=frozenset({"call"}))
    assert decide(alone) == Fire("at-once")


def test_a_source_that_cannot_answer_holds_nothing() -> None:
    """An answer of "cannot answer" is not a hold."""
    moment = Moment(now=0, soft_start=0, answers=(Answer("pipewire", (), "no PipeWire"),))
    assert decide(moment) == Fire("at-once")


def test_run_now_overrides_every_hold() -> None:
    """`run --now` fires through a call, do-not-disturb, an absence and typing."""
    moment = Moment(
        now=0,
        asked="now",
        answers=answers(MIC),
        dnd="dunst-paused",
        away_idle=999,
        pause_when_idle=60,
        input_idle=0,
    )
    assert decide(moment) == Fire("at-once")


def test_run_by_hand_is_held_by_a_call_but_not_by_typing_or_dnd() -> None:
    """`run NAME` waits for a call to end, but not for do-not-disturb, away or a pause."""
    assert decide(Moment(now=0, asked="by-hand", answers=answers(MIC))).reason == "call"  # type: ignore[union-attr]
    moment = Moment(now=0, asked="by-hand", dnd="dunst-paused", input_idle=0)
    assert decide(moment) == Fire("at-once")


def test_away_comes_before_dnd_and_calls() -> None:
    """A person away holds for "idle" first, whatever else is on."""
    moment = Moment(
        now=0, away_idle=600, pause_when_idle=300, dnd="mako-mode", answers=answers(MIC)
    )
    assert decide(moment) == Held("idle", detail="away from the keyboard")


def test_idle_below_pause_when_idle_is_not_away() -> None:
    """Idle shorter than pause_when_idle, or pause_when_idle unset, is not away."""
    assert decide(Moment(now=0, away_idle=299, pause_when_idle=300, soft_start=0)) == Fire(
        "at-once"
    )
    assert decide(Moment(now=0, away_idle=9999, soft_start=0)) == Fire("at-once")


def test_dnd_holds_naming_the_switch() -> None:
    """Do-not-disturb holds for "dnd", naming the switch that is on."""
    held = decide(Moment(now=0, dnd="dunst-paused"))
    assert held == Held("dnd", "dunst-paused", "do not disturb")
    assert str(held) == "dnd: dunst-paused"


def test_soft_start_fires_at_a_pause_in_typing() -> None:
    """Five seconds without input: the routine starts "at a pause"."""
    fired = decide(Moment(now=10, input_idle=PAUSE))
    assert fired == Fire("pause")
    assert isinstance(fired, Fire)
    assert fired.started_at_pause


def test_soft_start_waits_while_typing_and_says_when_to_look_again() -> None:
    """Typing: held for "typing" from now, looking again when a pause could have come."""
    held = decide(Moment(now=100, input_idle=1.5))
    assert held == Held(
        "typing", detail="waiting for a pause in typing", look_again=3.5, typing_since=100
    )


def test_soft_start_gives_up_at_its_deadline() -> None:
    """Typing for the whole soft start: the routine starts at the deadline."""
    moment = Moment(now=220, input_idle=0.5, soft_start=120, typing_since=100)
    fired = decide(moment)
    assert fired == Fire("deadline")
    assert isinstance(fired, Fire)
    assert not fired.started_at_pause


def test_soft_start_look_again_never_passes_the_deadline() -> None:
    """Close to the deadline, the next look is at the deadline, not after it."""
    held = decide(Moment(now=218, input_idle=0, soft_start=120, typing_since=100))
    assert isinstance(held, Held)
    assert held.look_again == 2
    assert held.typing_since == 100


def test_soft_start_off_or_input_unknown_fires_at_once() -> None:
    """soft_start "0s", or an idle source that cannot tell input, fires at once."""
    assert decide(Moment(now=0, input_idle=0, soft_start=0)) == Fire("at-once")
    assert decide(Moment(now=0, input_idle=None)) == Fire("at-once")


def test_holds_come_before_the_soft_start() -> None:
    """A call is named while the person also types: the call is why it waits."""
    assert decide(Moment(now=0, input_idle=0, answers=answers(MIC))).reason == "call"  # type: ignore[union-attr]


REASONS = st.sampled_from(SOURCE_REASONS)
HOLDS = st.builds(Hold, REASONS, st.text(max_size=5), st.text(max_size=5), st.text(max_size=5))
ANSWERS = st.lists(
    st.builds(
        Answer,
        st.text(max_size=5),
        st.lists(HOLDS, max_size=3).map(tuple),
        st.none() | st.text(max_size=5),
    ),
    max_size=4,
).map(tuple)
SECONDS = st.none() | st.floats(min_value=0, max_value=1e5)
MOMENTS = st.builds(
    Moment,
    now=st.floats(min_value=0, max_value=1e6),
    asked=st.sampled_from(["schedule", "by-hand", "now"]),
    busy=st.booleans(),
    away_idle=SECONDS,
    input_idle=SECONDS,
    pause_when_idle=SECONDS,
    dnd=st.none() | st.text(max_size=5),
    answers=ANSWERS,
    hold_during=st.frozensets(REASONS),
    soft_start=st.none() | st.floats(min_value=0, max_value=7200),
    typing_since=st.none() | st.floats(min_value=0, max_value=1e6),
)


@given(MOMENTS)
def test_every_moment_has_one_answer_that_follows_the_rules(moment: Moment) -> None:
    """Any moment gives Fire or Held, the same each time, and a hold has a real cause."""
    result = decide(moment)
    assert result == decide(moment)
    if moment.asked == "now" or moment.busy:
        assert result == Fire("at-once")
        return
    if isinstance(result, Fire):
        live: set[SourceReason] = {
            h.reason for a in moment.answers for h in a.holds if h.reason in moment.hold_during
        }
        assert not live
        if result.start == "pause":
            assert moment.input_idle is not None
            assert moment.input_idle >= PAUSE
        return
    assert result.look_again > 0
    if result.reason in SOURCE_REASONS:
        assert result.reason in moment.hold_during
        assert any(
            h.reason == result.reason and h.who == result.who
            for a in moment.answers
            for h in a.holds
        )
    elif result.reason == "dnd":
        assert moment.dnd is not None
        assert moment.asked == "schedule"
    elif result.reason == "idle":
        assert moment.asked == "schedule"
    else:
        assert result.reason == "typing"
        assert result.typing_since is not None
        assert result.look_again <= PAUSE


@given(MOMENTS)
def test_nothing_on_but_typing_ends_by_the_soft_start_deadline(moment: Moment) -> None:
    """Typing alone never holds past soft_start seconds after the wait began."""
    result = decide(moment)
    if isinstance(result, Held) and result.reason == "typing":
        assert result.typing_since is not None
        limit = SOFT_START if moment.soft_start is None else moment.soft_start
        assert moment.now < result.typing_since + limit
        assert moment.now + result.look_again <= result.typing_since + limit + 1e-6


def test_soft_start_left_out_waits_two_minutes() -> None:
    """soft_start None (the config leaves it out) waits at most SOFT_START, 2 minutes."""
    assert SOFT_START == 120
    assert decide(Moment(now=219, input_idle=0, typing_since=100)).reason == "typing"  # type: ignore[union-attr]
    assert decide(Moment(now=220, input_idle=0, typing_since=100)) == Fire("deadline")


def test_a_routine_on_screen_lets_due_ones_queue() -> None:
    """While a routine is on screen (busy), due ones fire into the queue, whatever holds."""
    moment = Moment(now=0, busy=True, answers=answers(MIC), dnd="dunst-paused", input_idle=0)
    assert decide(moment) == Fire("at-once")
