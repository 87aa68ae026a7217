"""Health content true to the articles: every warning, tip and citation is tied to the
article it comes from, word for word where it quotes."""

from __future__ import annotations

from pathlib import Path

import pytest

from reminderd import safety
from reminderd.config import load_library
from reminderd.sources import ARTICLES, OWN, describe

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"


def seed(name: str) -> str:
    path = SEEDS / name
    if not path.exists():
        pytest.skip(f"the articles are not beside the repository ({SEEDS})")
    return " ".join(path.read_text(encoding="utf-8").split()).lower()


ADVICE = (safety.STOP_SIGNS, *safety.WARNINGS, safety.EMERGENCY, *safety.TIPS)


@pytest.mark.parametrize("advice", ADVICE, ids=lambda a: a.text[:40])
def test_every_warning_and_tip_quotes_its_articles(advice: safety.Advice) -> None:
    """Each quoted phrase of a warning or tip appears in one of the articles it cites."""
    texts = [seed(source) for source in advice.sources]
    for quote in advice.quotes:
        assert any(" ".join(quote.lower().split()) in text for text in texts), quote


def test_the_safety_note_names_every_warning_sign_with_its_urgency() -> None:
    """Numbness, tingling, weakness and pain down the arm are named; spasms that keep
    coming need a doctor "as soon as possible"; fever and the like "at once"."""
    text = safety.TEXT
    for sign in ("numbness", "tingling", "weakness", "down the arm", "fingers"):
        assert sign in text
    assert "as soon as possible if your neck spasms keep coming back" in text
    assert "at once if neck pain or spasms come with chills" in text
    assert "emergency care now" in text


def test_every_article_is_named_by_its_own_first_lines() -> None:
    """The titles given for the articles are their own words."""
    for article in ARTICLES.values():
        assert article.title.lower() in seed(article.id), article.id


def test_every_built_in_exercise_cites_an_article_or_says_it_is_its_own() -> None:
    """A source is an article that exists, or "reminderd" with a plain statement; the two
    exercises an article prescribes cite it."""
    library = load_library()
    for exercise in library.values():
        assert exercise.sources
        for source in exercise.sources:
            assert source == OWN or source in ARTICLES, (exercise.id, source)
            assert describe(source) != source
    assert library["chin-to-collarbone"].sources == ("003_8ca7b13792458e4d.txt",)
    assert library["shoulder-blade-squeeze"].sources == ("003_8ca7b13792458e4d.txt",)
    assert library["neck-range-of-motion"].sources == (OWN,)
    prescribed = seed("003_8ca7b13792458e4d.txt")
    assert "pull the chin towards the right collarbone with the arms" in prescribed
    assert "hold this position for about ten seconds" in prescribed
    assert "holding the position for five seconds" in prescribed
    assert "do this about 30 times in sets of three" in prescribed
