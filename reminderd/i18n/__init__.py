"""Everything a person reads or hears, in their language, through gettext catalogues.

``_("...")`` translates a sentence into the language in use, ``ngettext`` chooses a plural
form, ``N_("...")`` marks a sentence kept in a table for translation where it is used,
and ``text(value)`` says a ``Said`` (reminderd.i18n.said) in the language in use. English
is the source: with English in use nothing is loaded at all.

The language in use is the process's: the command line takes the environment's
(reminderd.i18n.languages), the daemon its ``[guidance] language`` or the environment's;
``speaking(code)`` changes it for a while (the voice's lines in another language). Its
catalogue is read on the first sentence that needs it: an idle daemon, which shows
nothing, reads none.

Log lines stay in English: they are for whoever fixes reminderd, and are searched for.
"""

from __future__ import annotations

from reminderd.i18n.languages import SOURCE
from reminderd.i18n.said import Said

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: `reminderd status` need not import typing
if TYPE_CHECKING:
    from reminderd.i18n.mo import Catalogue

_language = SOURCE
_catalogues: dict[str, Catalogue | None] = {}


def use(code: str) -> None:
    """Speak ``code`` from now on (a code of ``languages.NAMES``; anything else: English)."""
    global _language  # noqa: PLW0603 - the process's language, as gettext's own is
    _language = code or SOURCE


def language() -> str:
    """The code of the language in use."""
    return _language


class speaking:
    """The language ``code`` while the ``with`` block runs, then the one before."""

    def __init__(self, code: str) -> None:
        self.code = code
        self.before = _language

    def __enter__(self) -> None:
        self.before = _language
        use(self.code)

    def __exit__(self, *_exc: object) -> None:
        use(self.before)


def catalogue(code: str | None = None) -> Catalogue | None:
    """The compiled catalogue of ``code`` (the language in use), read once; None for
    English or where the file is missing or damaged."""
    code = code or _language
    if code == SOURCE:
        return None
    if code not in _catalogues:
        from reminderd.i18n.languages import catalogue_file  # noqa: PLC0415
        from reminderd.i18n.mo import Catalogue  # noqa: PLC0415

        try:
            with open(catalogue_file(code), "rb") as file:
                _catalogues[code] = Catalogue(file.read())
        except (OSError, ValueError) as error:
            import logging  # noqa: PLC0415 - only when a catalogue is missing

            logging.getLogger("reminderd").warning("no catalogue for %s: %s", code, error)
            _catalogues[code] = None
    return _catalogues[code]


def _(message: str) -> str:
    """``message`` in the language in use."""
    if _language == SOURCE:
        return message
    found = catalogue()
    return found.gettext(message) if found else message


def N_(message: str) -> str:
    """Marks ``message`` for the catalogues, to be translated where it is used."""
    return message


def NC_(context: str, message: str) -> str:
    """Marks ``message`` for the catalogues in ``context``, to be translated with
    ``pgettext(context, message)`` where it is used."""
    return message


def N_plural(one: str, other: str) -> tuple[str, str]:
    """Marks a sentence's two English forms for the catalogues, to be chosen between with
    ``ngettext(one, other, count)`` where they are used."""
    return (one, other)


def ngettext(one: str, other: str, count: int) -> str:
    """The form of ``one``/``other`` that ``count`` takes in the language in use."""
    if _language != SOURCE and (found := catalogue()):
        return found.ngettext(one, other, count)
    return one if count == 1 else other


def pgettext(context: str, message: str) -> str:
    """``message`` in the language in use, as meant in ``context`` ("May" the month)."""
    if _language != SOURCE and (found := catalogue()):
        return found.pgettext(context, message)
    return message


def text(value: object) -> str:
    """``value`` as a person reads it in the language in use: a ``Said`` said again from
    its template and values, anything else as it is."""
    if not isinstance(value, Said):
        return str(value)
    if _language == SOURCE:
        return str(value)
    if value.parts is not None:
        return value.separator.join(text(part) for part in value.parts)
    if value.other is not None and value.number is not None:
        template = ngettext(value.template, value.other, value.number)
        values = {name: _shown(item) for name, item in value.values.items()}
        return _format(template, value, count=value.number, **values)
    template = _(value.template)
    if not value.values:
        return template
    return _format(template, value, **{name: _shown(item) for name, item in value.values.items()})


def _shown(item: object) -> object:
    return text(item) if isinstance(item, Said) else item


def _format(template: str, english: Said, **values: object) -> str:
    try:
        return template.format(**values)
    except (KeyError, IndexError, ValueError):  # a translation that lost a placeholder
        return str(english)


__all__ = [
    "NC_",
    "N_",
    "N_plural",
    "Said",
    "_",
    "catalogue",
    "language",
    "ngettext",
    "pgettext",
    "speaking",
    "text",
    "use",
]
