"""Where a day's counted units came from: the service key that first assigned them.

A sample-ratio stop caused by one caller (a broken router, or someone choosing unit ids to skew
the split) looks like any other; saying which key brought most of the last day's units tells
the people reading the stop where to look.
"""

from dataclasses import dataclass

from django.db.models import Count, Max
from experiments.models import AssignedUnit, ServiceKey
from experiments.stats.phrases import count, day, phrase

DOMINANT_SHARE = 0.5  # more than half of the day's units


@dataclass(frozen=True)
class DominantKey:
    key: ServiceKey
    units: int
    total: int
    day: object

    def said(self) -> dict:
        """Which key brought most of the day's units (a phrase, worded in each reader's language)."""
        return phrase(
            "%(share)s%% of the units first counted on %(day)s (%(units)s of %(total)s) came from service key "
            "“%(name)s” (%(prefix)s) made by %(person)s.",
            share=count(round(100 * self.units / self.total)),
            day=day(self.day),
            units=count(self.units),
            total=count(self.total),
            name=self.key.name,
            prefix=self.key.prefix,
            person=self.key.created_by.get_username(),
        )


def dominant_key(experiment, look_date) -> DominantKey | None:
    """The key that first assigned more than half of the units of the last day with counts up to
    `look_date`, or None."""
    units = AssignedUnit.objects.filter(experiment=experiment, day__lte=look_date)
    last_day = units.aggregate(last=Max("day"))["last"]
    if last_day is None:
        return None
    per_key = list(units.filter(day=last_day).values_list("service_key").annotate(n=Count("*")).order_by("-n"))
    total = sum(n for _, n in per_key)
    key_id, n = per_key[0]
    if key_id is None or n <= DOMINANT_SHARE * total:
        return None
    key = ServiceKey.objects.select_related("created_by").get(pk=key_id)
    return DominantKey(key, n, total, last_day)
