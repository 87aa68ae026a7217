"""Text for notification servers: commands quoted, and markup escaped where it is read."""

from __future__ import annotations

from reminderd.markup import body, plain, reads_markup


def test_commands_in_backticks_become_quoted() -> None:
    """Backticks around a command become quotes; a lone backtick is left as it is."""
    assert plain("When to see a doctor: `reminderd safety`.") == (
        "When to see a doctor: “reminderd safety”."
    )
    assert plain("`a` and `b`") == "“a” and “b”"
    assert plain("it's a ` alone") == "it's a ` alone"


def test_a_server_that_reads_markup_gets_it_escaped() -> None:
    """&, < and > are escaped for a server that reads markup, and left for one that does not."""
    text = "Hold < 5 s & breathe: `reminderd safety`"
    assert body(text, markup=True) == "Hold &lt; 5 s &amp; breathe: “reminderd safety”"
    assert body(text, markup=False) == "Hold < 5 s & breathe: “reminderd safety”"


def test_dunst_reads_markup_without_declaring_it() -> None:
    """A server reads markup when it declares body-markup, and dunst always (measured in
    tests/test_e2e_markup.py)."""
    assert reads_markup(frozenset({"body", "body-markup"}), "mako")
    assert reads_markup(frozenset({"body", "actions"}), "dunst")
    assert not reads_markup(frozenset({"body", "actions"}), "recorder")
