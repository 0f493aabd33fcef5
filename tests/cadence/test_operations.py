"""/operations/ and the footer's scheduler light: the last sweep, looks taken late, looks overdue."""

import datetime as dt

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse
from django.utils import formats, timezone

from cadence.heartbeat import SWEEP, last_heartbeat, record_heartbeat
from cadence.operations import overdue_look_count, overdue_looks
from config.celery import app
from experiments.live.monitoring import run_check, sweep
from experiments.models import Experiment
from experiments.tasks import check_experiment, monitoring_sweep
from tests.experiments.live.test_monitoring_data import quiet, started  # noqa: F401
from tests.experiments.web import https_client, text_of
from tests.factories import make_user

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("quiet")]

TODAY = dt.date(2026, 3, 10)


def at(day, hour, minute=0):
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


@pytest.fixture
def staff(db):
    """Staff, not a superuser: may use the admin site and the operations page."""
    user = make_user("stan_staff")
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    return user


@pytest.fixture
def overdue_experiment(proposer, approver):
    """Checked on the 9th; the 10th's look (due 06:00) not taken by 09:00."""
    experiment = started(proposer, approver, on=TODAY - dt.timedelta(days=3), key="greeting-late")
    Experiment.objects.filter(pk=experiment.pk).update(next_check_at=at(TODAY - dt.timedelta(days=1), 6))
    with time_machine.travel(at(TODAY - dt.timedelta(days=1), 6, 1), tick=False):
        run_check(experiment.pk, TODAY - dt.timedelta(days=1))
    return Experiment.objects.get(pk=experiment.pk)


def test_overdue_looks_are_those_past_the_grace(overdue_experiment):
    assert overdue_looks(at(TODAY, 5, 0)) == []  # the 9th's look was taken; the 10th's not due yet
    assert overdue_looks(at(TODAY, 6, 10)) == []  # due, within the grace
    [look] = overdue_looks(at(TODAY, 9, 0))
    assert (look.experiment.key, look.look_date, look.due_at) == ("greeting-late", TODAY, at(TODAY, 6))
    assert look.overdue_by == dt.timedelta(hours=3)
    with time_machine.travel(at(TODAY, 9, 1), tick=False):
        run_check(overdue_experiment.pk, TODAY)
    assert overdue_looks(at(TODAY, 9, 2)) == []


def test_the_footer_count_is_the_overdue_looks_counted(overdue_experiment, proposer, approver):
    """The light on every page counts in the database what the operations page lists."""
    # Started at noon today, after the 06:00 slot: its look falls due from its start.
    late_start = started(proposer, approver, on=TODAY, key="greeting-noon")
    Experiment.objects.filter(pk=late_start.pk).update(next_check_at=None)
    for moment in [at(TODAY, 5), at(TODAY, 6, 10), at(TODAY, 9), at(TODAY, 12, 10), at(TODAY, 12, 20), at(TODAY, 23)]:
        listed = overdue_looks(moment)
        assert overdue_look_count(moment) == len(listed), moment
    assert [look.experiment.key for look in overdue_looks(at(TODAY, 12, 10))] == ["greeting-late"]  # within its grace
    assert [look.experiment.key for look in overdue_looks(at(TODAY, 12, 20))] == ["greeting-late", "greeting-noon"]


def test_staff_see_the_last_sweep_the_overdue_and_the_late_looks(staff, overdue_experiment):
    with time_machine.travel(at(TODAY, 9, 0), tick=False):
        page = https_client(staff).get(reverse("operations"))
    assert page.status_code == 200
    text = text_of(page.content.decode())
    assert "No sweep has run yet." in text
    assert "greeting-late" in text and "10 Mar 2026" in text and "3 hours" in text
    assert "No look was taken late." in text
    assert "Scheduler has not reported yet · 1 look overdue" in text  # the footer says so, beat or not

    with time_machine.travel(at(TODAY, 9, 15), tick=False):
        sweep()
        run_check(overdue_experiment.pk, TODAY)
        page = https_client(staff).get(reverse("operations"))
    text = text_of(page.content.decode())
    assert last_heartbeat(SWEEP).last_run_at == at(TODAY, 9, 15)
    assert formats.date_format(timezone.localtime(at(TODAY, 9, 15)), "DATETIME_FORMAT") in text  # the locale's format
    assert "No look is overdue." in text
    assert "taken at 09:15, 3 h 15 min after the 06:00 slot of 10 Mar 2026" in text


@pytest.mark.parametrize("who", ["proposer", "signal_owner", "approver"])
def test_others_are_refused(who, request):
    page = https_client(request.getfixturevalue(who)).get(reverse("operations"))
    assert page.status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in(db):
    page = https_client().get(reverse("operations"))
    assert page.status_code == 302 and reverse("login") in page["Location"]


def test_the_menu_links_the_page_for_staff_only(staff, proposer):
    assert reverse("operations") in https_client(staff).get(reverse("dashboard")).content.decode()
    assert reverse("operations") not in https_client(proposer).get(reverse("dashboard")).content.decode()


def test_the_footer_light_turns_amber_when_a_look_is_overdue(proposer, overdue_experiment):
    with time_machine.travel(at(TODAY, 6, 5), tick=False):
        record_heartbeat()
        html = https_client(proposer).get(reverse("dashboard")).content.decode()
    assert "dot-ok" in html and "overdue" not in text_of(html)
    with time_machine.travel(at(TODAY, 9, 0), tick=False):
        record_heartbeat()
        html = https_client(proposer).get(reverse("dashboard")).content.decode()
    assert "dot-warn" in html
    assert "Scheduler alive, but 1 look is overdue" in text_of(html)
    assert reverse("operations") not in html  # the link is for staff


def test_the_check_tasks_survive_a_dead_worker():
    for task in (check_experiment, monitoring_sweep):
        assert task.acks_late is True and task.reject_on_worker_lost is True, task.name
    assert app.conf.task_time_limit == settings.CELERY_TASK_TIME_LIMIT == 300
    options = app.conf.broker_transport_options or {}
    if settings.CELERY_BROKER_URL.startswith("redis"):
        # Redis hands an unacknowledged task to another worker only after this: above the longest task.
        assert options["visibility_timeout"] > app.conf.task_time_limit
    else:
        assert "visibility_timeout" not in options  # the SQL transport has no such option
