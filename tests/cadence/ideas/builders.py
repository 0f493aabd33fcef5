"""Ideas and slot series for the ideas tests."""

import datetime as dt

from cadence.ideas.models import Idea, SlotSeries
from experiments.models import Segment, Touchpoint


def make_idea(author, title="Callback instead of queueing", *, touchpoint="phone", segment=None, **fields):
    values = {
        "title": title,
        "pain_point": "waiting_time",
        "touchpoint": Touchpoint.objects.get(key=touchpoint),
        "segment": Segment.objects.get(key=segment) if segment else None,
        "hypothesis": "offer a callback slot when the wait passes five minutes",
        "expected_effect": "customer effort score falls by 0.2 points",
        "author": author,
    }
    values.update(fields)
    return Idea.objects.create(**values)


def make_series(
    facilitator,
    *attendees,
    name="Weekly ideas slot",
    weekday=2,
    time=dt.time(10, 0),
    timezone="Europe/Amsterdam",
    **fields,
):
    series = SlotSeries.objects.create(
        name=name, weekday=weekday, time=time, timezone=timezone, facilitator=facilitator, **fields
    )
    series.attendees.set(attendees)
    return series
