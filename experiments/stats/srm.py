"""Sample ratio mismatch: Pearson chi-square goodness of fit of unit counts to the planned split."""

from __future__ import annotations

import math
from dataclasses import dataclass

from scipy.stats import chi2 as chi2_distribution

from .inputs import StatsInputError, checked_count
from .phrases import count, joined, phrase, worded
from .verdicts import SrmStatus

SRM_ALPHA = 0.001
SRM_MIN_UNITS = 8


@dataclass(frozen=True)
class SrmResult:
    status: SrmStatus
    chi2: float | None
    df: int
    p_value: float | None
    counts: dict
    expected: dict

    @property
    def failed(self) -> bool:
        return self.status == SrmStatus.MISMATCH

    def said(self) -> dict:
        """What the check says of the split (a phrase: see ``phrases``)."""
        shares = []
        for arm, units in self.counts.items():
            # Translators: between two arms' unit counts, e.g. "control 1,204 vs treatment 1,187".
            shares += [phrase("vs"), arm, count(units)] if shares else [arm, count(units)]
        words = {"shares": joined(*shares)}
        if self.status == SrmStatus.NOT_ENOUGH_DATA:
            return phrase("Too few units to check the split between arms yet (%(shares)s).", **words)
        words["p"] = {"p": self.p_value}
        if self.status == SrmStatus.MISMATCH:
            return phrase(
                "The split of units between arms (%(shares)s) does not match the plan (p = %(p)s); "
                "the assignment or logging is broken, so the results cannot be trusted.",
                **words,
            )
        return phrase("The split of units between arms (%(shares)s) matches the plan (p = %(p)s).", **words)

    def sentence(self) -> str:
        return worded(self.said())


def srm_test(counts: dict, weights: dict, *, alpha: float = SRM_ALPHA, min_units: int = SRM_MIN_UNITS) -> SrmResult:
    """Chi-square test of ``counts`` (units per arm) against ``weights`` (planned allocation).

    The test only runs once every arm has ``min_units`` units; before that the status is
    NOT_ENOUGH_DATA (a tiny sample says nothing about the split).
    """
    if set(counts) != set(weights):
        raise StatsInputError("unit_counts", f"need a count for exactly the arms {sorted(weights)}")
    if len(weights) < 2:
        raise StatsInputError("arms", "need at least two arms")
    clean = {arm: checked_count(f"unit_counts.{arm}", counts[arm]) for arm in weights}
    for arm, w in weights.items():
        if isinstance(w, bool) or not isinstance(w, (int, float)) or not math.isfinite(w) or w <= 0:
            raise StatsInputError(f"weights.{arm}", "must be a positive number")
    total_weight = float(sum(weights.values()))
    total = sum(clean.values())
    expected = {arm: total * w / total_weight for arm, w in weights.items()}
    df = len(weights) - 1
    if min(clean.values()) < min_units:
        return SrmResult(SrmStatus.NOT_ENOUGH_DATA, None, df, None, clean, expected)
    chi2 = sum((clean[a] - expected[a]) ** 2 / expected[a] for a in weights)
    p = float(chi2_distribution.sf(chi2, df))
    return SrmResult(SrmStatus.MISMATCH if p < alpha else SrmStatus.OK, chi2, df, p, clean, expected)
