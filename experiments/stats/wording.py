"""How the engine words numbers for a manager: "rose by 0.8 points (90% CI 0.3 to 1.3)"."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .decision import MetricSpec
    from .effects import Effect


def number_text(x: float) -> str:
    size = abs(x)
    decimals = 2 if size < 10 else 1 if size < 100 else 0
    text = f"{x:,.{decimals}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def with_unit(x: float, spec: MetricSpec) -> str:
    text, unit = number_text(x), spec.unit_text
    if text == "1" and unit.endswith(" points"):
        unit = unit[:-1]
    return f"{text}{unit}"


def change_phrase(spec: MetricSpec, effect: Effect) -> str:
    change = effect.raw(effect.estimate)
    if number_text(abs(change)) == "0":
        return "barely changed"
    return f"{'rose' if change > 0 else 'fell'} by {with_unit(abs(change), spec)}"


def raw_interval(effect: Effect, interval: tuple[float, float]) -> tuple[float, float]:
    a, b = effect.raw(interval[0]), effect.raw(interval[1])
    return (min(a, b), max(a, b))


def interval_phrase(effect: Effect, interval: tuple[float, float], level: float) -> str:
    low, high = raw_interval(effect, interval)
    return f"{number_text(100 * level)}% CI {number_text(low)} to {number_text(high)}"
