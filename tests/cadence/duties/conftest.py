"""A running chat experiment whose touchpoint charter names a response owner and an owner."""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from approvals.models import TouchpointCharter
from experiments import roles
from experiments.models import CharterDuty, Duty, Touchpoint
from tests.experiments.live.test_monitoring_data import quiet, started  # noqa: F401
from tests.factories import make_user

D0 = dt.date(2026, 3, 2)  # a Monday
HARMFUL = {("complaint-rate", "short"): 0.10}


def on(day: dt.date, hour: int = 6, minute: int = 5):
    return time_machine.travel(timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute))), tick=False)


@pytest.fixture
def responder(db):
    user = make_user("rosa_responder")
    CharterDuty.objects.create(touchpoint=Touchpoint.objects.get(key="chat"), duty=Duty.RESPONSE_OWNER, user=user)
    return user


@pytest.fixture
def chat_owner(db):
    user = make_user("tom_touchpoint_owner", roles.APPROVER)
    TouchpointCharter.objects.create(touchpoint=Touchpoint.objects.get(key="chat"), owner=user)
    return user


@pytest.fixture
def experiment(proposer, approver, signal_owner, responder, chat_owner, quiet):  # noqa: F811
    return started(proposer, approver, on=D0, days=28)
