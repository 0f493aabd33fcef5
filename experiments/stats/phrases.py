"""Sentences kept as what to say, worded when someone reads them, in the reader's language.

The engine decides without wording anything (a look costs no translation lookups) and records
phrases; every surface words them with ``worded`` when it shows them, so an Indonesian reader
gets Indonesian on a check recorded while the site spoke English, and the reverse.

A phrase is JSON, kept in a check's record: ``{"t": msgid, "v": {name: value}}``. A value is
- a plain string: a name (a metric's, an arm's), never translated;
- a phrase;
- a number worded by kind: ``{"n": x}`` as ``number_text``, ``{"count": n}`` grouped,
  ``{"amount": x, "unit": unit, "signed": bool}`` with its unit (money for a currency),
  ``{"reading": fields, "text": name}`` one text of a ``Reading`` made of ``fields``,
  ``{"date": "YYYY-MM-DD"}`` in the reader's date format, ``{"p": x}`` a p-value (``p_text``);
- ``{"join": [values]}`` joined by spaces, ``{"lower": value}`` with its first letter in lower case.

``phrase(msgid, **values)`` is also the keyword ``makemessages`` extracts (see
experiments/management/commands/makemessages.py), so each msgid stays in the catalogue.
"""

from __future__ import annotations

import datetime as dt

from .reader import date_text, grouped, pinned
from .reader import gettext as _
from .wording import Reading, amount_text, number_text, p_text

READING_TEXTS = frozenset({"amount_text", "moved_text", "interval_phrase", "change_text", "interval_text"})


def phrase(msgid: str, /, **values) -> dict:
    return {"t": msgid, "v": values} if values else {"t": msgid}


def number(x: float) -> dict:
    return {"n": x}


def count(n: int) -> dict:
    return {"count": n}


def amount(x: float, unit: str, *, signed: bool = False) -> dict:
    return {"amount": x, "unit": unit, "signed": signed}


def reading(fields: dict, text: str) -> dict:
    """One text of the reading made of ``fields`` (``Reading``'s fields): "2.5 points higher: worse"."""
    return {"reading": fields, "text": text}


def day(date: dt.date) -> dict:
    return {"date": date.isoformat()}


def joined(*values) -> dict:
    return {"join": list(values)}


def lowered(value) -> dict:
    return {"lower": value}


def worded(value) -> str:
    """The words of a phrase (or of any value above) in the active language."""
    if isinstance(value, str):
        return value
    with pinned():
        return _worded(value)


def _worded(value) -> str:
    if isinstance(value, str):
        return value
    if value is None:
        return ""
    if "t" in value:
        text = _(value["t"])
        values = value.get("v")
        return text % {name: _worded(v) for name, v in values.items()} if values else text
    if "n" in value:
        return number_text(value["n"])
    if "count" in value:
        return grouped(value["count"])
    if "amount" in value:
        return amount_text(value["amount"], value["unit"], signed=value["signed"])
    if "reading" in value:
        return _reading_text(value["reading"], value["text"])
    if "p" in value:
        return p_text(value["p"])
    if "date" in value:
        return date_text(dt.date.fromisoformat(value["date"]))
    if "join" in value:
        return " ".join(text for text in map(_worded, value["join"]) if text)
    if "lower" in value:
        text = _worded(value["lower"])
        return text[:1].lower() + text[1:]
    raise ValueError(f"not a phrase: {value!r}")


def _reading_text(fields: dict, text: str) -> str:
    if text not in READING_TEXTS:
        raise ValueError(f"not a reading's text: {text}")
    interval = fields.get("interval")
    made = Reading(**{**fields, "interval": tuple(interval) if interval else None})
    return getattr(made, text)


class Words:
    """A phrase that words itself when shown (``str()``, a template): in each reader's language,
    e.g. an email rendered once per recipient."""

    __slots__ = ("said",)

    def __init__(self, said):
        self.said = said

    def __str__(self) -> str:
        return worded(self.said)

    def __repr__(self) -> str:
        return f"Words({self.said!r})"
