"""Signal owners named per touchpoint get the digest lines and the alerts of what they own only."""

import datetime as dt
from unittest import mock

import pytest
import time_machine
from django.utils import timezone

from approvals.digest import send_digest
from approvals.models import Notification
from experiments.lifecycle import transition
from experiments.live import monitoring
from experiments.models import CharterDuty, Duty, Status, Touchpoint
from experiments.stats.inputs import StatsInputError
from tests.factories import make_experiment, make_user

pytestmark = [pytest.mark.django_db, pytest.mark.approvals]


def at(hour, day=dt.date(2026, 3, 10)):
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))


@pytest.fixture
def named(db):
    chat = make_user("cara_chat_signal")
    phone = make_user("pete_phone_signal")
    CharterDuty.objects.create(touchpoint=Touchpoint.objects.get(key="chat"), duty=Duty.SIGNAL_OWNER, user=chat)
    CharterDuty.objects.create(touchpoint=Touchpoint.objects.get(key="phone"), duty=Duty.SIGNAL_OWNER, user=phone)
    return chat, phone


def test_each_named_signal_owner_gets_the_digest_of_their_touchpoint_only(proposer, approver, signal_owner, named):
    chat, phone = named
    on_chat = make_experiment(proposer, approver, status=Status.RUNNING, key="on-chat")
    on_phone = make_experiment(proposer, approver, status=Status.RUNNING, key="on-phone", touchpoints=("phone",))
    on_email = make_experiment(proposer, approver, status=Status.RUNNING, key="on-email", touchpoints=("email",))
    with mock.patch("mailing.outbox.nudge"):
        for experiment in (on_chat, on_phone, on_email):
            with time_machine.travel(at(9), tick=False):
                transition(
                    experiment, "stop", proposer, reason="Complaints are climbing.", lesson="Complaints climbed."
                )
        with time_machine.travel(at(18), tick=False):
            send_digest()

    def digest_of(user):
        rows = Notification.objects.filter(user=user, kind=Notification.Kind.DIGEST)
        return sorted(rows.values_list("experiment__key", flat=True))

    assert digest_of(chat) == ["on-chat"]
    assert digest_of(phone) == ["on-phone"]
    assert digest_of(signal_owner) == ["on-email"]  # no charter on email: the global group, as before


def test_a_check_that_could_not_read_the_data_alerts_its_own_signal_owners(proposer, approver, signal_owner, named):
    chat, phone = named
    experiment = make_experiment(proposer, approver, status=Status.RUNNING)
    error = StatsInputError("metrics[fcr]", "bad sums")
    with mock.patch.object(monitoring, "build_look", side_effect=error), mock.patch("mailing.outbox.nudge"):
        monitoring.run_check(experiment.pk, timezone.localdate())
    alerted = Notification.objects.filter(kind=Notification.Kind.CHECK_FAILED).values_list("user__username", flat=True)
    assert list(alerted) == ["cara_chat_signal"]
