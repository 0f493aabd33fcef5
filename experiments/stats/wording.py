"""How the engine words numbers for a manager, and the one reading of a metric's result.

Every surface (the check's sentence, the page's table and chart, the digest, the emails, the
review's evidence, the API) reads a metric through ``metric_reading``: the effect is always
treatment minus control in the metric's own units (a rise is positive, whichever way is better),
with the direction's meaning said in words ("escalation rate 2.54 points higher: worse"), and the
interval is the one of the test that decides the metric's status: the harm test's when it stopped
for harm (its level names that purpose), the role's test otherwise. No surface flips a sign or
picks another interval by itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from .frozen import made
from .reader import get_format, get_language, is_cost, money
from .reader import gettext as _
from .once import once

if TYPE_CHECKING:
    from .decision import MetricSpec
    from .effects import Effect

MINUS = "\u2212"  # a real minus sign: "−2.54" reads better than "-2.54" and never breaks a line
HIGHER, LOWER, UNCHANGED = "higher", "lower", "unchanged"
BETTER, WORSE = "better", "worse"


@lru_cache(maxsize=8)
def _separators(language: str | None) -> dict[int, str]:
    """The active language's decimal point and thousands separator, as a str.translate table."""
    point, group = get_format("DECIMAL_SEPARATOR", language), get_format("THOUSAND_SEPARATOR", language)
    return {ord("."): point, ord(","): group} if point and group else {}


def number_text(x: float) -> str:
    """ "1,234.5" in English, "1.234,5" in Indonesian: the active language's separators."""
    size = abs(x)
    text = format(x, ",.0f" if size >= 100 else ",.2f" if size < 10 else ",.1f")
    if size < 100:  # 2 decimals below 10, 1 below 100, without trailing zeros
        text = text.rstrip("0").rstrip(".")
    if text == "-0":
        return "0"
    return text.translate(_separators(get_language()))


def signed_text(x: float | None) -> str:
    """ "+2.54", "−0.97", "0"; an em dash for no number."""
    if x is None:
        return "—"
    text = number_text(x)
    if text == "0":
        return text
    return f"+{text}" if x > 0 else MINUS + text.lstrip("-")


def unit_words(unit: str) -> str:
    """The engine's own units in the reader's language (a metric's own unit, e.g. "minutes", is
    the catalogue's text and shown as written)."""
    if unit == "points":
        return _("points")
    if unit == "point":
        return _("point")
    if unit == "NPS points":
        return _("NPS points")
    if unit == "NPS point":
        return _("NPS point")
    return unit


def unit_suffix(unit: str, text: str) -> str:
    """A number text with its unit: "2.5 points", "1 point", "3%", "0.58 minutes"."""
    if not unit or text == "—":
        return text
    if unit == "%":
        return f"{text}%"
    if unit.endswith("points") and text.lstrip("+-" + MINUS) == "1":
        unit = unit[:-1]
    return f"{text} {unit_words(unit)}"


def meaning_words(meaning: str) -> str:
    """ "better" / "worse" in the reader's language."""
    if meaning == BETTER:
        return _("better")
    if meaning == WORSE:
        return _("worse")
    return meaning


def p_text(p: float | None) -> str:
    """A p-value to two significant digits with the language's decimal point: "0.73" / "0,73"."""
    if p is None:
        return "—"
    text = f"{p:.2g}"
    point = get_format("DECIMAL_SEPARATOR", get_language())
    return text.replace(".", point) if point else text


def amount_text(x: float | None, unit: str, *, signed: bool = False) -> str:
    """A value with its unit; a cost (a currency unit) as money in Pagar's currency."""
    if x is None:
        return "—"
    if is_cost(unit):
        return money(x, signed=signed)
    return unit_suffix(unit, signed_text(x) if signed else number_text(x))


def with_unit(x: float, spec: MetricSpec) -> str:
    return amount_text(x, spec.unit_text.strip())


def level_text(level: float | None) -> str:
    return _level_text(level, get_language()) if level else ""


@lru_cache(maxsize=64)  # a few levels (1 - 2 alpha per test) are worded on every metric of every look
def _level_text(level: float, language: str | None) -> str:
    return f"{number_text(100 * level)}%"


@dataclass(frozen=True)
class Reading:
    """One metric's result as every surface shows it. ``change`` and ``interval`` are treatment
    minus control in the metric's own units (``unit``; "%" when the metric is judged relative to
    control); ``meaning`` says whether that direction is better or worse for customers."""

    change: float | None
    interval: tuple[float, float] | None
    level: float | None
    unit: str
    lower_is_better: bool
    harm: bool  # the interval is the harm test's (the metric stopped the experiment)

    @once
    def _size_text(self) -> str:
        """ "2.54": the change without its sign (read for the direction and the sentence)."""
        return number_text(abs(self.change))

    @once  # read several times per sentence
    def direction(self) -> str:
        if self.change is None or self._size_text == "0":
            return UNCHANGED
        return HIGHER if self.change > 0 else LOWER

    @once
    def meaning(self) -> str:
        """ "better" / "worse" for the reader; empty when unchanged or unknown."""
        if self.direction == UNCHANGED:
            return ""
        return BETTER if (self.direction == HIGHER) != self.lower_is_better else WORSE

    @property
    def change_text(self) -> str:
        """ "+2.54 points" (signed, with its unit)."""
        return amount_text(self.change, self.unit, signed=True)

    @property
    def moved_text(self) -> str:
        """ "2.54 points higher", "barely changed"."""
        if self.change is None:
            return "—"
        if self.direction == UNCHANGED:
            return _("barely changed")
        amount = {"amount": amount_text(abs(self.change), self.unit)}
        return (_("%(amount)s higher") if self.direction == HIGHER else _("%(amount)s lower")) % amount

    @property
    def amount_text(self) -> str:
        """ "2.54 points higher: worse", "barely changed"."""
        if not self.meaning:
            return self.moved_text
        words = {"moved": self.moved_text}
        return (_("%(moved)s: better") if self.meaning == BETTER else _("%(moved)s: worse")) % words

    @property
    def level_text(self) -> str:
        return level_text(self.level)

    @property
    def interval_text(self) -> str:
        """ "+0.45 to +4.63 points"."""
        if not self.interval:
            return "—"
        low, high = self.interval
        low_text = amount_text(low, self.unit, signed=True) if is_cost(self.unit) else signed_text(low)
        return _("%(low)s to %(high)s") % {"low": low_text, "high": amount_text(high, self.unit, signed=True)}

    @property
    def interval_phrase(self) -> str:
        """ "98% interval +0.45 to +4.63 points"."""
        if not self.interval:
            return ""
        if not self.level_text:
            return _("interval %(interval)s") % {"interval": self.interval_text}
        return _("%(level)s interval %(interval)s") % {"level": self.level_text, "interval": self.interval_text}

    def raw(self, oriented: float | None) -> float | None:
        """An engine value oriented "positive = better" in this reading's direction."""
        if oriented is None:
            return None
        return -oriented if self.lower_is_better else oriented


def _raw_pair(pair, flipped: bool):
    if not pair or None in pair:
        return None
    a, b = (-pair[0], -pair[1]) if flipped else (pair[0], pair[1])
    return (min(a, b), max(a, b))


def is_flipped(result: dict) -> bool:
    """Whether the engine turned this metric round (lower is better). Results recorded before the
    engine stored ``lower_is_better`` say it by a change of the opposite sign to the estimate."""
    if result.get("lower_is_better") is not None:
        return bool(result["lower_is_better"])
    estimate, change = result.get("estimate"), result.get("change")
    return estimate is not None and change is not None and estimate != 0 and (estimate > 0) != (change > 0)


def metric_reading(result: dict) -> Reading:
    """The one reading of a metric's recorded result (``MetricResult`` as a dict): the raw change
    and the interval of the test that decides its status, both treatment minus control."""
    flipped = is_flipped(result)
    harm = result.get("status") == "harm" and bool(result.get("harm_interval"))
    oriented, level = (
        (result.get("harm_interval"), result.get("harm_interval_level"))
        if harm
        else (result.get("interval"), result.get("interval_level"))
    )
    change = result.get("change")
    if change is None and result.get("estimate") is not None:
        change = -result["estimate"] if flipped else result["estimate"]
    return Reading(
        change=change,
        interval=_raw_pair(oriented, flipped),
        level=level if oriented else None,
        unit="%" if result.get("relative") else (result.get("unit") or ""),
        lower_is_better=flipped,
        harm=harm,
    )


def effect_reading_fields(spec: MetricSpec, effect: Effect, interval, level: float, *, harm: bool = False) -> dict:
    """The fields of the reading the engine makes from an Effect and an oriented interval."""
    return {
        "change": effect.raw(effect.estimate),
        "interval": _raw_pair(interval, effect.flipped),
        "level": level,
        "unit": spec.unit_text.strip(),
        "lower_is_better": effect.flipped,
        "harm": harm,
    }


def effect_reading(spec: MetricSpec, effect: Effect, interval, level: float, *, harm: bool = False) -> Reading:
    """The same reading as ``metric_reading``, made by the engine from an Effect and an oriented interval."""
    return made(Reading, effect_reading_fields(spec, effect, interval, level, harm=harm))
