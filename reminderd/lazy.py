"""A package's names read from their modules on first use (PEP 562): importing the package
costs nothing, and a process holds only the modules whose names it asked for.

Each such package lists its names twice: under ``TYPE_CHECKING`` as imports, which mypy
reads (and with them finds a misspelt name), and in a table of where each one lives.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Mapping
from typing import Any


def exports(package: str, homes: Mapping[str, str]) -> Callable[[str], Any]:
    """The ``__getattr__`` of ``package``: a name of ``homes`` (name -> module of the
    package) imported from its module the first time it is asked for, then kept."""

    def __getattr__(name: str) -> Any:
        home = homes.get(name)
        if home is None:
            msg = f"module {package!r} has no attribute {name!r}"
            raise AttributeError(msg)
        value = getattr(importlib.import_module(f"{package}.{home}"), name)
        vars(sys.modules[package])[name] = value
        return value

    return __getattr__
