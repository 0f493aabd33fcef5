"""Counts that disagree are an error: data claiming more units than Pagar assigned.

When an experiment's units are assigned through Pagar (it has keyed assignment counts), every
unit in its data was assigned first. Data that hold more units per arm than were assigned up to
a day (beyond DATA_UNITS_TOLERANCE_PERCENT) cannot be judged: daily figures counting all traffic
while a sample went through the assignment API, say, would make the tests far more certain than
the assigned units allow. The check then records a data error (the monitoring error path: once
per look date, told to the signal owners once) naming both numbers per arm. The rule itself is
`experiments.stats.counts.first_excess`; this module reads the rows and words the error.
"""

import datetime as dt

from django.conf import settings
from django.utils import dateformat
from django.utils.translation import gettext as _

from experiments.models import AssignmentCount, DailyStat
from experiments.stats.counts import CountExcess, first_excess
from experiments.stats.inputs import StatsInputError


class CountDisagreement(StatsInputError):
    """The data claim more units than were assigned; ``counts`` holds both numbers per arm."""

    def __init__(self, excess: CountExcess, tolerance_percent: int):
        super().__init__("units", disagreement_message(excess, tolerance_percent))
        self.counts = excess.as_dict()


def disagreement_message(excess: CountExcess, tolerance_percent: int) -> str:
    arms = "; ".join(
        _("%(arm)s: %(in_data)s units in the data, %(assigned)s assigned")
        % {"arm": counts.arm, "in_data": f"{counts.in_data:,}", "assigned": f"{counts.assigned:,}"}
        for counts in excess.arms
    )
    return _(
        "the data claim more units than were assigned through Pagar up to %(day)s, more than %(tolerance)s%% "
        "over — %(arms)s. Check that the outcomes and daily figures count only the units Pagar assigned to this "
        "experiment (not traffic assigned elsewhere, not another experiment's units), then correct and resend them"
    ) % {"day": dateformat.format(excess.day, "j M Y"), "tolerance": tolerance_percent, "arms": arms}


def check_counts_agree(experiment, look_date: dt.date, variants, assigned=None, daily_units=None) -> None:
    """Raise CountDisagreement when the experiment uses Pagar's assignment and its data, on some
    day up to `look_date`, claim more units per arm than were assigned by then. An experiment
    assigned outside Pagar (no assignment counts) is not checked. `assigned` ((day, variant id,
    count) rows) and `daily_units` ((day, variant id, metric id, n) rows) up to the look date may
    come read already (look_batch); otherwise they are read here."""
    if assigned is None:
        assigned = list(
            AssignmentCount.objects.filter(experiment=experiment, day__lte=look_date).values_list(
                "day", "variant_id", "count"
            )
        )
    if not assigned:
        return
    keys = {v.pk: v.key for v in variants}
    data = daily_units
    if data is None:
        data = DailyStat.objects.filter(experiment=experiment, day__lte=look_date).values_list(
            "day", "variant_id", "metric_id", "n"
        )
    tolerance = settings.DATA_UNITS_TOLERANCE_PERCENT
    excess = first_excess(
        ((day, keys[variant], metric, n) for day, variant, metric, n in data if variant in keys),
        ((day, keys[variant], count) for day, variant, count in assigned if variant in keys),
        [v.key for v in variants],
        tolerance / 100,
    )
    if excess is not None:
        raise CountDisagreement(excess, tolerance)
