"""Words and numbers in the reader's language when Django is set up, plain English otherwise: the
engine stays a pure module that runs (and is tested and benchmarked) without Django's settings.

Importing Django's translation and format helpers reads no setting; only calling them does."""

from __future__ import annotations

import threading
from contextlib import contextmanager
from functools import lru_cache

from django.conf import settings
from django.utils import formats, translation

from experiments.money import is_money_unit, money

_django_ready = False  # settings, once configured, stay so: then a global read, not the lazy object's


def _ready() -> bool:
    global _django_ready
    if not _django_ready:
        _django_ready = settings.configured
    return _django_ready


# The language and catalogue of one wording (``pinned``), read once instead of once per word:
# Django keeps the active language in a context-aware local that costs microseconds per read.
_pinned = threading.local()


@contextmanager
def pinned():
    """Within, gettext and get_language answer from the language active on entry (the caller
    activates none inside: a sentence is worded in one language)."""
    if getattr(_pinned, "catalogue", None) is not None or not _ready() or not settings.USE_I18N:
        yield
        return
    from django.utils.translation import trans_real

    _pinned.language, _pinned.catalogue = translation.get_language(), trans_real.catalog()
    try:
        yield
    finally:
        _pinned.language = _pinned.catalogue = None


@lru_cache(maxsize=2048)  # the engine's few hundred msgids in each language: catalogues are read at start
def _translated(language: str | None, message: str, catalogue) -> str:
    return catalogue.gettext(message)


def gettext(message: str) -> str:
    catalogue = getattr(_pinned, "catalogue", None)
    if catalogue is not None:
        return _translated(_pinned.language, message, catalogue)
    return translation.gettext(message) if _ready() else message


def get_language() -> str | None:
    catalogue = getattr(_pinned, "catalogue", None)
    if catalogue is not None:
        return _pinned.language
    return translation.get_language() if _ready() else None


def get_format(name: str, language: str | None) -> str | None:
    """A format of `language` (DECIMAL_SEPARATOR, ...); None without Django, for the engine's own."""
    return formats.get_format(name, lang=language) if _ready() else None


def grouped(number: int) -> str:
    """A whole number with the language's thousands separator: "12,500" / "12.500"."""
    return formats.number_format(number, force_grouping=True) if _ready() else f"{number:,}"


def date_text(day) -> str:
    """A date in the language's DATE_FORMAT ("4 Des 2026"); ISO without Django."""
    return formats.date_format(day, "DATE_FORMAT") if _ready() else day.isoformat()


def is_cost(unit: str | None) -> bool:
    """A unit naming a currency, shown as money (only where Pagar's currency is set up)."""
    return _ready() and is_money_unit(unit)


__all__ = ["date_text", "gettext", "pinned", "get_language", "get_format", "grouped", "is_cost", "money"]
