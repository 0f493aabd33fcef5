"""Units per arm: how many the data hold, and whether the data claim more than were assigned.

Pure arithmetic (no Django). Two rules, each in one place:

- ``data_units``: the units a look's tests actually use per arm, the most any metric counted in
  that arm (metrics are measured on the same units; one may lag another). The information
  fraction is taken from these, never from another count than the statistics.
- ``first_excess``: when the units were assigned through Pagar, data can only hold units that were
  assigned. Day by day, cumulatively, the units in the data per arm are compared with the units
  assigned per arm; the first day on which some arm's data exceed its assigned units by more than
  ``tolerance`` (a share: 0.05 is 5 %) is a data error (e.g. daily figures counting all traffic
  while only a sample went through Pagar's assignment).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass


def data_units(metrics, unit_of) -> dict:
    """{arm: most units any metric counted in it}. ``metrics`` is the engine's list of
    (MetricSpec, {arm: statistics}) pairs; ``unit_of(spec, arm, statistics)`` gives one arm's
    units (validated by the caller, so a bad figure is refused naming metric and arm)."""
    units: dict = {}
    for spec, arms in metrics:
        for arm, statistics in arms.items():
            units[arm] = max(units.get(arm, 0), unit_of(spec, arm, statistics))
    return units


def exceeds(in_data: int, assigned: int, tolerance: float) -> bool:
    """The data claim more units than were assigned, beyond ``tolerance`` (a share of assigned)."""
    return in_data > assigned * (1 + tolerance)


@dataclass(frozen=True)
class ArmCounts:
    """One arm's cumulative units up to a day: in the data and assigned."""

    arm: str
    in_data: int
    assigned: int


@dataclass(frozen=True)
class CountExcess:
    """The first day on which the data claimed more units than were assigned: every arm's numbers
    up to that day, and the arms over the tolerance."""

    day: dt.date
    arms: tuple  # ArmCounts for every arm, in the order given
    over: tuple  # the arm keys whose data exceed their assigned units

    def as_dict(self) -> dict:
        return {
            "day": self.day.isoformat(),
            "arms": {a.arm: {"in_data": a.in_data, "assigned": a.assigned} for a in self.arms},
            "over": list(self.over),
        }


def first_excess(
    data_rows: Iterable[tuple],
    assigned_rows: Iterable[tuple],
    arms: Iterable[str],
    tolerance: float,
) -> CountExcess | None:
    """The first day whose cumulative data units exceed the cumulative assigned units of some arm
    beyond ``tolerance``, or None.

    ``data_rows``: (day, arm, metric, units) per day, arm and metric (a unit counted once, on the
    day of its outcome); the data's units per arm up to a day are the most any metric counted up
    to it. ``assigned_rows``: (day, arm, units first assigned that day)."""
    arms = list(arms)
    per_metric: dict = defaultdict(lambda: defaultdict(int))  # (day, arm) -> metric -> units that day
    assigned_on: dict = defaultdict(int)  # (day, arm) -> units assigned that day
    days = set()
    for day, arm, metric, units in data_rows:
        per_metric[(day, arm)][metric] += int(units or 0)
        days.add(day)
    for day, arm, units in assigned_rows:
        assigned_on[(day, arm)] += int(units or 0)
        days.add(day)
    running = {arm: defaultdict(int) for arm in arms}  # arm -> metric -> units so far
    assigned = dict.fromkeys(arms, 0)
    for day in sorted(days):
        for arm in arms:
            for metric, units in per_metric.get((day, arm), {}).items():
                running[arm][metric] += units
            assigned[arm] += assigned_on.get((day, arm), 0)
        counts = tuple(ArmCounts(arm, max(running[arm].values(), default=0), assigned[arm]) for arm in arms)
        over = tuple(c.arm for c in counts if exceeds(c.in_data, c.assigned, tolerance))
        if over:
            return CountExcess(day, counts, over)
    return None
