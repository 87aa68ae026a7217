"""The articles on neck pain and spasms that reminderd's health content comes from.

They are the only medical source: every exercise, dose and warning either cites one of
them (by its title and publisher, as the article gives them in its own first lines; the
file name is kept as the id) or says plainly that it is reminderd's own.
"""

from __future__ import annotations

from typing import NamedTuple

from reminderd.i18n import N_, _

OWN = "reminderd"  # the `source` of an exercise the articles do not describe


class Article(NamedTuple):
    """One source article of the health content, as a reader can find it."""

    id: str  # the article's file name
    title: str
    publisher: str

    def cite(self) -> str:
        """ "Title" (publisher), file id: enough for a reader to find it. The title stays as
        the article gives it (English), so that it can be found; the rest is said in the
        language in use."""
        return _('"{title}" ({publisher}), {id}').format(
            title=self.title, publisher=_(self.publisher), id=self.id
        )


ARTICLES = {
    article.id: article
    for article in (
        Article(
            "000_91de0cbf5c0d124c.txt",
            "What Are the Causes of Muscle Spasms in the Neck?",
            "LIVESTRONG.COM, 2019",
        ),
        Article(
            "001_ca2fbe79079b621f.txt",
            "Understanding Neck Spasms",  # its own contents list; the text has no title line
            N_("publisher not named in the text"),
        ),
        Article(
            "002_a39b60545ab819be.txt",
            "What Causes Neck Spasms? From Triggers to Underlying Issues",
            N_("publisher not named in the text"),
        ),
        Article(
            "003_8ca7b13792458e4d.txt",
            "Introduction to neck muscle spasms",
            N_("publisher not named in the text"),
        ),
        Article(
            "004_8e9ddecb5037ed4d.txt",
            "Causes of Back Spasms",
            "Mobi Blog, Neck Pain, 2 October 2019",
        ),
    )
}


def describe(source: str) -> str:
    """A readable line for one entry of an exercise's ``source``."""
    if not source:
        return ""
    if source == OWN:
        return _("not from the articles: a gentle movement chosen by reminderd")
    article = ARTICLES.get(source)
    return article.cite() if article else source
