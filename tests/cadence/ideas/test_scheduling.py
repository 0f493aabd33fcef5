"""Saving a slot series keeps its django-celery-beat task in step: crontab in the series' zone,
the agenda lead before the slot, one task per series whatever is renamed."""

import datetime as dt
import json
import zoneinfo

import pytest
from django_celery_beat.models import PeriodicTask

from cadence.ideas.scheduling import TASK_NAME, occurrences_between
from tests.cadence.ideas.builders import make_series

pytestmark = pytest.mark.django_db


def test_saving_a_series_creates_its_agenda_task(facilitator):
    series = make_series(facilitator, weekday=2, time=dt.time(10, 30), timezone="Asia/Jakarta")  # Wednesday
    task = PeriodicTask.objects.get(name="Ideas slot agenda: Weekly ideas slot")
    assert task.task == TASK_NAME and json.loads(task.args) == [series.pk] and task.enabled
    cron = task.crontab
    # 24 h before Wednesday 10:30 is Tuesday 10:30 (cron's Tuesday is 2), in Jakarta time.
    assert (cron.minute, cron.hour, cron.day_of_week) == ("30", "10", "2")
    assert str(cron.timezone) == "Asia/Jakarta"
    series.refresh_from_db()
    assert series.periodic_task == task


def test_editing_the_series_updates_the_same_task(facilitator):
    series = make_series(facilitator, weekday=0, time=dt.time(9, 0))  # Monday 09:00
    series.name = "Ideas slot (care)"
    series.time = dt.time(8, 15)
    series.agenda_lead_hours = 48
    series.active = False
    series.save()
    task = PeriodicTask.objects.get(task=TASK_NAME)
    assert task.name == "Ideas slot agenda: Ideas slot (care)"
    assert (task.crontab.hour, task.crontab.minute, task.crontab.day_of_week) == ("8", "15", "6")  # Saturday
    assert task.enabled is False
    assert PeriodicTask.objects.filter(task=TASK_NAME).count() == 1


def test_occurrences_follow_the_local_clock_across_daylight_saving(facilitator):
    series = make_series(facilitator, weekday=2, time=dt.time(10, 0), timezone="Europe/Amsterdam")
    utc = dt.UTC
    starts = occurrences_between(series, dt.datetime(2025, 3, 20, tzinfo=utc), dt.datetime(2025, 4, 10, tzinfo=utc))
    assert [s.astimezone(utc).hour for s in starts] == [9, 8, 8]  # CET, then CEST from 30 March
    assert all(s.astimezone(zoneinfo.ZoneInfo("Europe/Amsterdam")).hour == 10 for s in starts)


def test_a_bad_time_zone_names_the_field(facilitator):
    from django.core.exceptions import ValidationError

    from cadence.ideas.models import SlotSeries

    series = SlotSeries(name="X", weekday=1, time=dt.time(9), timezone="Mars/Olympus", facilitator=facilitator)
    with pytest.raises(ValidationError) as refused:
        series.full_clean()
    assert "time zone" in refused.value.message_dict["timezone"][0]
