"""Words and numbers in the reader's language when Django is set up, plain English otherwise: the
engine stays a pure module that runs (and is tested and benchmarked) without Django's settings.

Importing Django's translation and format helpers reads no setting; only calling them does."""

from __future__ import annotations

from django.conf import settings
from django.utils import formats, translation

from experiments.money import is_money_unit, money

_django_ready = False  # settings, once configured, stay so: then a global read, not the lazy object's


def _ready() -> bool:
    global _django_ready
    if not _django_ready:
        _django_ready = settings.configured
    return _django_ready


def gettext(message: str) -> str:
    return translation.gettext(message) if _ready() else message


def get_language() -> str | None:
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


__all__ = ["date_text", "gettext", "get_language", "get_format", "grouped", "is_cost", "money"]
