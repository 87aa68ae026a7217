"""Which language: the languages reminderd has catalogues for, and the one a person's
environment or config asks for, found the way gettext finds it.

The environment is read in gettext's order: the first of ``LANGUAGE``, ``LC_ALL``,
``LC_MESSAGES`` and ``LANG`` that is set decides (``LANGUAGE`` may list several,
``de:fr``: the first that reminderd has wins). ``de_AT.UTF-8`` finds ``de``, ``pt_BR.UTF-8``
``pt_BR``; ``C`` and ``POSIX`` mean English, and so does a language reminderd lacks. The
standard library's ``gettext.find`` reads the same variables in the same order, so
click's own messages (which go through it) come out in the same language as reminderd's.
``[guidance] language`` chooses for the notifications and the voice instead.
"""

from __future__ import annotations

import os

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: `reminderd status` need not import typing
if TYPE_CHECKING:
    from collections.abc import Mapping

SOURCE = "en"
# Each language with a catalogue, by its code, with its name in itself (as `status` and
# `check` name it) and in English (for the log).
NAMES = {
    "en": ("English", "English"),
    "de": ("Deutsch", "German"),
    "es": ("Español", "Spanish"),
    "fr": ("Français", "French"),
    "pt_BR": ("Português (Brasil)", "Brazilian Portuguese"),
    "zh_CN": ("简体中文", "Simplified Chinese"),
}
VARIABLES = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")
DOMAIN = "reminderd"


def locale_dir() -> str:
    """The folder of the compiled catalogues: ``<code>/LC_MESSAGES/reminderd.mo``."""
    return os.path.join(os.path.dirname(os.path.dirname(__file__)), "locale")


def catalogue_file(code: str) -> str:
    return os.path.join(locale_dir(), code, "LC_MESSAGES", DOMAIN + ".mo")


def available() -> tuple[str, ...]:
    """The languages reminderd can speak, English first."""
    return tuple(NAMES)


def match(name: str) -> str | None:
    """The language of ``name`` (a locale such as ``de_DE.UTF-8``, ``pt-BR`` or ``zh_CN``)
    that reminderd has: itself, else its language alone; ``None`` if none."""
    bare = name.strip().split(".")[0].split("@")[0].replace("-", "_")
    if not bare:
        return None
    language, _, region = bare.partition("_")
    candidates = [f"{language.lower()}_{region.upper()}" if region else language.lower()]
    candidates.append(language.lower())
    return next((code for code in candidates if code in NAMES), None)


def from_environment(environ: Mapping[str, str] | None = None) -> tuple[str, str]:
    """The language the environment asks for, and why: ("de", "LANGUAGE=de:en")."""
    code, why = _environment(environ)
    return code, why


def for_guidance(setting: str, environ: Mapping[str, str] | None = None) -> tuple[str, str]:
    """The notes' and the voice's language: ``[guidance] language`` when set, else the
    environment's; with why, as `status` says it."""
    if setting:
        from reminderd.i18n.said import said  # noqa: PLC0415

        return setting, said("[guidance] language")
    return from_environment(environ)


def _environment(environ: Mapping[str, str] | None) -> tuple[str, str]:
    environ = os.environ if environ is None else environ
    for variable in VARIABLES:
        value = environ.get(variable, "")
        if not value:
            continue
        for name in value.split(":"):
            if name in ("C", "POSIX") or name.startswith(("C.", "POSIX.")):
                return SOURCE, f"{variable}={value}"
            code = match(name)
            if code:
                return code, f"{variable}={value}"
        return SOURCE, f"{variable}={value}"
    from reminderd.i18n.said import said  # noqa: PLC0415

    return SOURCE, said("no LANGUAGE, LC_ALL, LC_MESSAGES or LANG")


def native_name(code: str) -> str:
    return NAMES.get(code, (code, code))[0]


def english_name(code: str) -> str:
    return NAMES.get(code, (code, code))[1]
