"""When to stop, and when to see a doctor: shown by `reminderd safety`, at the first start,
by `config init`, and in docs/health.md. Every warning sign the articles give is here, with
its urgency, and each line keeps its source: the phrases quoted below appear word for word
in the articles (a test holds them to the files)."""

from __future__ import annotations

from typing import NamedTuple

from reminderd.i18n import N_, _


class Advice(NamedTuple):
    """A line of safety advice, with the articles and phrases it rests on."""

    text: str  # English, a message of the catalogues: shown as ``_(advice.text)``
    sources: tuple[str, ...]  # article ids (see reminderd.sources)
    quotes: tuple[str, ...]  # phrases of those articles that the text rests on


STOP = N_(
    "Stop any exercise if the pain gets worse. Move gently, and only as far as is comfortable."
)

# The stop rule as the intro of every routine says it aloud: reminderd's own "stop if pain
# increases", and the warning signs the articles give for a pressed nerve and for a spasm
# that pulls the head (each is a reason to see a doctor, in WARNINGS below).
STOP_SIGNS = Advice(
    "Stop if pain increases, or on tingling, numbness, pain into the arm, or dizziness.",
    ("000_91de0cbf5c0d124c.txt", "001_ca2fbe79079b621f.txt"),
    ("numbness and tingling", "may also go down into the arm", "Dizziness or balance issues"),
)

WARNINGS = (
    Advice(
        "as soon as possible if your neck spasms keep coming back or never quite go away",
        ("003_8ca7b13792458e4d.txt", "001_ca2fbe79079b621f.txt"),
        ("you must visit the doctor as soon as possible", "keep returning"),
    ),
    Advice(
        "if pain spreads from the neck into the shoulder, down the arm or into the fingers, "
        "or comes with numbness, tingling or weakness in the arm or hand: a nerve may be "
        "pressed",
        ("000_91de0cbf5c0d124c.txt", "001_ca2fbe79079b621f.txt"),
        (
            "travel to the shoulder, down the arms and into the fingertips",
            "numbness and tingling",
            "muscle weakness",
            "may also go down into the arm",
        ),
    ),
    Advice(
        "if the pain is severe, if a spasm pulls your head to one side, or if it comes with "
        "dizziness, balance trouble or blurred vision",
        ("001_ca2fbe79079b621f.txt", "004_8e9ddecb5037ed4d.txt"),
        (
            "severe pain or pulls the head to one direction",
            "Dizziness or balance issues",
            "blurred vision",
            "cause the head to twist to one side",
        ),
    ),
    Advice(
        "at once if neck pain or spasms come with chills, a sudden high fever, bruise-like "
        "marks on the skin, or a headache that will not go away",
        ("004_8e9ddecb5037ed4d.txt",),
        ("chills, sudden high fever, bruise-like marks on the skin, or a chronic headache",),
    ),
    Advice(
        "if the pain or spasm started after an accident or a fall, to rule out a worse injury",
        ("004_8e9ddecb5037ed4d.txt",),
        ("if the spasm is caused by an accident",),
    ),
)

EMERGENCY = Advice(
    "If you have serious symptoms, get emergency care now.",
    ("000_91de0cbf5c0d124c.txt",),
    ("seek emergency treatment immediately",),
)

NOT_ADVICE = N_("reminderd reminds you to move; it is not medical advice.")


def _wrap(text: str, width: int = 88, indent: str = "  ") -> str:
    import textwrap  # noqa: PLC0415 - only `reminderd safety` and the first start need it

    return textwrap.fill(text, width, initial_indent="- ", subsequent_indent=indent)


def text() -> str:
    """The safety note as people read it, in the language in use."""
    lines = [_(STOP), "", _("See a doctor:")]
    lines += [_wrap(_("{warning};").format(warning=_(w.text))) for w in WARNINGS[:-1]]
    lines.append(_wrap(_("{warning}.").format(warning=_(WARNINGS[-1].text))))
    lines += ["", _(EMERGENCY.text), "", _(NOT_ADVICE)]
    return "\n".join(lines)


def _english() -> str:
    from reminderd.i18n import speaking  # noqa: PLC0415

    with speaking("en"):
        return text()


# The note in English: what the safety notice keeps as the mark of the note it showed
# (reminderd.safety_notice), whatever the language it was shown in.
TEXT = _english()

# What the articles advise while a spasm is happening, each with its article. Medicines,
# minerals and bed rest are left out on purpose (see docs/health.md).
TIPS = (
    Advice(
        "Moist heat over the neck can ease the discomfort.",
        ("003_8ca7b13792458e4d.txt", "000_91de0cbf5c0d124c.txt", "004_8e9ddecb5037ed4d.txt"),
        ("apply some moist heat over the neck", "ice or heat pack", "Ice and heating packs"),
    ),
    Advice(
        "Ice, or massaging the neck with ice cubes, can ease the soreness.",
        ("003_8ca7b13792458e4d.txt", "000_91de0cbf5c0d124c.txt"),
        ("Massaging the neck with ice cubes", "using an ice or heat pack"),
    ),
    Advice(
        "Gently massaging the muscle, and the muscles around it, can relieve tension.",
        ("004_8e9ddecb5037ed4d.txt",),
        ("Massaging the muscle, and the surrounding muscles",),
    ),
    Advice(
        "Stress tightens the neck: calming activities such as slow breathing help.",
        ("004_8e9ddecb5037ed4d.txt", "002_a39b60545ab819be.txt"),
        ("breathing exercises", "Psychological stress is a significant contributor"),
    ),
    Advice(
        "Stretch the muscle gently, and keep moving it within what is comfortable.",
        ("000_91de0cbf5c0d124c.txt", "004_8e9ddecb5037ed4d.txt"),
        ("gently stretching the muscle", "Exercise and stretch"),
    ),
)


def tips_text() -> str:
    from reminderd.sources import ARTICLES  # noqa: PLC0415

    lines = [_("While a neck spasm is happening, the articles suggest:"), ""]
    for tip in TIPS:
        cited = "; ".join(f'"{ARTICLES[s].title}"' for s in tip.sources)
        lines.append(_wrap(_("{tip} ({articles})").format(tip=_(tip.text), articles=cited)))
    lines += [
        "",
        _("If it does not ease, or comes with the signs in `reminderd safety`, see a doctor."),
    ]
    return "\n".join(lines)
