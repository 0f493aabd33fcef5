"""Validated cumulative sufficient statistics for one arm of one metric.

Three kinds of metric, each summarised per arm by counts and sums that can simply be added up
day by day:

- ``MeanArm(n, total, total_sq, covariate=None)`` for a numeric metric (sum and sum of squares),
  optionally with a pre-experiment covariate for CUPED (``Covariate(total_x, total_x_sq, total_xy)``);
- ``BinaryArm(n, successes)`` for a rate (shown in percent, effects in percentage points);
- ``NpsArm(n, promoters, detractors)`` for a 0-10 score summarised as NPS (-100..100).

Bad numbers raise ``StatsInputError`` (a ValueError) whose ``field`` names the input. Numbers that are
valid but too few to test on are not errors: ``summary()`` then reports ``enough=False``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from numbers import Real

from .frozen import made


class StatsInputError(ValueError):
    """An input the engine refuses; ``field`` names it, ``message`` says why."""

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message

    def within(self, prefix: str) -> StatsInputError:
        """The same error, with the field placed under ``prefix`` (e.g. ``metrics[nps].control``)."""
        return StatsInputError(f"{prefix}.{self.field}", self.message)


def _number(field: str, value) -> float:
    if isinstance(value, bool) or not isinstance(value, Real):
        raise StatsInputError(field, f"must be a number, got {value!r}")
    value = float(value)
    if not math.isfinite(value):
        raise StatsInputError(field, "must be a finite number (not NaN or infinity)")
    return value


def checked_count(field: str, value) -> int:
    """A non-negative whole number (integral floats accepted), or StatsInputError naming ``field``."""
    number = _number(field, value)
    if number < 0:
        raise StatsInputError(field, f"must not be negative, got {value!r}")
    if number != int(number):
        raise StatsInputError(field, f"must be a whole number of units, got {value!r}")
    return int(number)


# Sums of squares come from floating-point accumulation; a relative slack this small only absorbs
# rounding, never a genuinely impossible input.
_ROUNDING_SLACK = 1e-9


def _centered_square(field: str, n: int, total: float, total_sq: float) -> float:
    """sum (y - mean)^2 from the raw sums; refuses sums no real data could produce."""
    if n == 0:
        if total != 0 or total_sq != 0:
            raise StatsInputError(field, "sums must be 0 when there are no units")
        return 0.0
    centered = total_sq - total * total / n
    if centered < 0:
        if centered < -_ROUNDING_SLACK * max(abs(total_sq), 1.0):
            raise StatsInputError(
                field,
                f"the sum of squares ({total_sq:g}) is too small for the sum ({total:g}) over {n} units: it implies a "
                "negative variance",
            )
        centered = 0.0
    return centered


@dataclass(frozen=True)
class ArmSummary:
    """What a test needs from one arm: units, mean and per-unit variance (display units)."""

    n: int
    mean: float
    variance: float
    # sample covariance with the covariate and the covariate's variance and mean (CUPED), if given
    covariance_xy: float | None = None
    variance_x: float | None = None
    mean_x: float | None = None


def _summary(n: int, mean: float, variance: float) -> ArmSummary:
    """``ArmSummary(n, mean, variance)`` (no covariate), made on every metric of every look."""
    return made(ArmSummary, {"n": n, "mean": mean, "variance": variance, **_NO_COVARIATE})


_NO_COVARIATE = {"covariance_xy": None, "variance_x": None, "mean_x": None}


@dataclass(frozen=True)
class Covariate:
    """Pre-experiment covariate sums for CUPED: sum x, sum x^2 and sum x*y over the arm's units."""

    total_x: float
    total_x_sq: float
    total_xy: float

    def __post_init__(self):
        for name in ("total_x", "total_x_sq", "total_xy"):
            object.__setattr__(self, name, _number(f"covariate.{name}", getattr(self, name)))


@dataclass(frozen=True)
class MeanArm:
    n: int
    total: float
    total_sq: float
    covariate: Covariate | None = None

    kind = "mean"

    def __post_init__(self):
        n = checked_count("n", self.n)
        total = _number("total", self.total)
        total_sq = _number("total_sq", self.total_sq)
        if total_sq < 0:
            raise StatsInputError("total_sq", "a sum of squares cannot be negative")
        _centered_square("total_sq", n, total, total_sq)
        object.__setattr__(self, "n", n)
        object.__setattr__(self, "total", total)
        object.__setattr__(self, "total_sq", total_sq)
        if self.covariate is not None:
            if not isinstance(self.covariate, Covariate):
                raise StatsInputError("covariate", "must be a Covariate(total_x, total_x_sq, total_xy)")
            c = self.covariate
            if c.total_x_sq < 0:
                raise StatsInputError("covariate.total_x_sq", "a sum of squares cannot be negative")
            sxx = _centered_square("covariate.total_x_sq", n, c.total_x, c.total_x_sq)
            syy = _centered_square("total_sq", n, total, total_sq)
            sxy = c.total_xy - c.total_x * total / n if n else 0.0
            # Cauchy-Schwarz: no data has |Sxy| > sqrt(Sxx Syy).
            if sxy * sxy > sxx * syy * (1 + 1e-9) + _ROUNDING_SLACK * max(abs(c.total_xy), 1.0) ** 2:
                raise StatsInputError("covariate.total_xy", "the cross-product implies a correlation beyond +/-1")

    def summary(self) -> ArmSummary:
        n = self.n
        if n < 2:
            return ArmSummary(n, self.total / n if n else math.nan, math.nan)
        mean = self.total / n
        variance = _centered_square("total_sq", n, self.total, self.total_sq) / (n - 1)
        if self.covariate is None:
            return _summary(n, mean, variance)
        c = self.covariate
        variance_x = _centered_square("covariate.total_x_sq", n, c.total_x, c.total_x_sq) / (n - 1)
        covariance = (c.total_xy - c.total_x * self.total / n) / (n - 1)
        return ArmSummary(n, mean, variance, covariance, variance_x, c.total_x / n)


@dataclass(frozen=True)
class BinaryArm:
    n: int
    successes: int

    kind = "binary"

    def __post_init__(self):
        n = checked_count("n", self.n)
        successes = checked_count("successes", self.successes)
        if successes > n:
            raise StatsInputError("successes", f"cannot exceed the number of units ({successes} > {n})")
        object.__setattr__(self, "n", n)
        object.__setattr__(self, "successes", successes)

    def summary(self) -> ArmSummary:
        if self.n == 0:
            return ArmSummary(0, math.nan, math.nan)
        p = self.successes / self.n
        # percent scale: effects come out in percentage points
        return _summary(self.n, 100 * p, 10_000 * p * (1 - p))


@dataclass(frozen=True)
class NpsArm:
    n: int
    promoters: int
    detractors: int

    kind = "nps"

    def __post_init__(self):
        n = checked_count("n", self.n)
        promoters = checked_count("promoters", self.promoters)
        detractors = checked_count("detractors", self.detractors)
        if promoters + detractors > n:
            raise StatsInputError(
                "detractors",
                f"promoters + detractors cannot exceed the number of respondents ({promoters + detractors} > {n})",
            )
        object.__setattr__(self, "n", n)
        object.__setattr__(self, "promoters", promoters)
        object.__setattr__(self, "detractors", detractors)

    def summary(self) -> ArmSummary:
        if self.n == 0:
            return ArmSummary(0, math.nan, math.nan)
        pp, pd = self.promoters / self.n, self.detractors / self.n
        # each unit scores +1 / 0 / -1; NPS is 100 x the mean score
        return _summary(self.n, 100 * (pp - pd), 10_000 * (pp + pd - (pp - pd) ** 2))


ARM_KINDS = {"mean": MeanArm, "binary": BinaryArm, "nps": NpsArm}


def as_arm(kind: str, value, where: str):
    """Build (or check) an arm of ``kind`` from an arm object or a plain dict; errors name ``where``."""
    try:
        cls = ARM_KINDS[kind]
    except KeyError:
        raise StatsInputError(f"{where}.kind", f"unknown metric kind {kind!r}; choose mean, binary or nps") from None
    if isinstance(value, cls):
        return value
    if isinstance(value, (MeanArm, BinaryArm, NpsArm)):
        raise StatsInputError(where, f"expected {kind} statistics, got {value.kind}")
    if not isinstance(value, dict):
        raise StatsInputError(where, f"expected a {cls.__name__} or a dict of its fields")
    try:
        fields = dict(value)
        if kind == "mean" and isinstance(fields.get("covariate"), dict):
            fields["covariate"] = Covariate(**fields["covariate"])
        return cls(**fields)
    except StatsInputError as error:
        raise error.within(where) from None
    except TypeError as error:
        raise StatsInputError(where, f"wrong fields for {kind} statistics ({error})") from None
