"""Hypothesis strategies for D-Bus messages: any signature, and values of it, for fuzzing
what reminderd accepts from the bus. File descriptors ("h") are left out: no connection
here passes them."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

BASIC = "ybnqiuxtdsog"
RANGES = {
    "y": (0, 2**8 - 1),
    "n": (-(2**15), 2**15 - 1),
    "q": (0, 2**16 - 1),
    "i": (-(2**31), 2**31 - 1),
    "u": (0, 2**32 - 1),
    "x": (-(2**63), 2**63 - 1),
    "t": (0, 2**64 - 1),
}
# Strings a bus carries (no NUL, no lone surrogates), and some that mean something here.
TEXT = st.one_of(
    st.text(st.characters(codec="utf-8", exclude_characters="\x00"), max_size=30),
    st.sampled_from(
        [
            "",
            "clicked",
            "hovered",
            "skip",
            "snooze",
            "start",
            "done",
            "default",
            "true",
            "org.kde.StatusNotifierItem",
            "com.canonical.dbusmenu",
            "org.freedesktop.Notifications",
            "Inhibited",
            "IconName",
            "label",
        ]
    ),
)
PATHS = st.sampled_from(["/", "/MenuBar", "/StatusNotifierItem", "/org/freedesktop/login1", "/x/y"])


def basic_value(code: str) -> st.SearchStrategy[Any]:
    if code == "b":
        return st.booleans()
    if code == "d":
        return st.floats(allow_nan=True, allow_infinity=True)
    if code == "s":
        return TEXT
    if code == "o":
        return PATHS
    if code == "g":
        return st.sampled_from(["", "s", "u", "as", "a{sv}", "(ii)", "v"])
    low, high = RANGES[code]
    return st.one_of(
        st.integers(low, high), st.sampled_from([low, high, max(low, -1), 0, 1, 2, 5, 30])
    )


def complete_type(depth: int = 2) -> st.SearchStrategy[str]:
    """One complete D-Bus type: a basic one, a variant, an array, a dict or a struct."""
    basic = st.sampled_from(BASIC)
    if depth <= 0:
        return st.one_of(basic, st.just("v"))
    inner = complete_type(depth - 1)
    return st.one_of(
        basic,
        st.just("v"),
        inner.map(lambda t: f"a{t}"),
        st.tuples(basic, inner).map(lambda kv: f"a{{{kv[0]}{kv[1]}}}"),
        st.lists(inner, min_size=1, max_size=3).map(lambda ts: f"({''.join(ts)})"),
    )


def split(signature: str) -> list[str]:
    """The complete types of a signature, in order."""
    types, start, depth = [], 0, 0
    for index, char in enumerate(signature):
        if char in "({":
            depth += 1
        elif char in ")}":
            depth -= 1
        if depth == 0 and char != "a":
            types.append(signature[start : index + 1])
            start = index + 1
    return types


@st.composite
def value_of(draw: st.DrawFn, code: str, depth: int = 0) -> Any:
    """A value of the complete type ``code``."""
    if code in BASIC:
        return draw(basic_value(code))
    if code == "v":
        inner = draw(complete_type(1)) if depth < 2 else draw(st.sampled_from(BASIC))
        return (inner, draw(value_of(inner, depth + 1)))
    if code.startswith("a{"):
        key, item = code[2], code[3:-1]
        keys = draw(st.lists(basic_value(key), max_size=4, unique_by=repr))
        return {k: draw(value_of(item, depth + 1)) for k in keys if not _nan(k)}
    if code.startswith("a"):
        item = code[1:]
        if item == "y":
            return draw(st.binary(max_size=20))
        return draw(st.lists(value_of(item, depth + 1), max_size=4))
    fields = split(code[1:-1])
    return tuple(draw(value_of(field, depth + 1)) for field in fields)


@st.composite
def bodies(draw: st.DrawFn, *likely: str) -> tuple[str, tuple[Any, ...]]:
    """A (signature, body): often one of the ``likely`` signatures (those a surface
    takes, with values that may be wrong in every other way), else any at all."""
    signature = "".join(draw(st.lists(complete_type(), max_size=4)))
    if likely:
        signature = draw(st.sampled_from([*likely, signature]))
    return signature, tuple(draw(value_of(t)) for t in split(signature))


def _nan(value: object) -> bool:
    """A NaN cannot be a dictionary key that anyone finds again."""
    return isinstance(value, float) and value != value  # noqa: PLR0124 - NaN's one test
