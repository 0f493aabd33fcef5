"""Workers and beats at the same moment on PostgreSQL: each outbox row sent once, each digest
claimed once per person and day."""

import datetime as dt
from unittest import mock

import pytest
from django.core import mail
from django.utils import timezone

from approvals.digest import send_digest
from approvals.models import DigestClaim
from experiments.models import Check, Status
from mailing import outbox
from mailing.models import Outbox
from tests.concurrency import POSTGRES_ONLY, at_once
from tests.factories import make_experiment, make_user

pytestmark = [pytest.mark.django_db(transaction=True), POSTGRES_ONLY]


def test_four_workers_at_once_send_each_row_once():
    with mock.patch.object(outbox, "nudge"):
        outbox.enqueue_email([f"person{n}@example.test" for n in range(30)], "Subject", "Body")
    results = at_once(*[outbox.deliver_pending] * 4)
    assert all(isinstance(r, dict) for r in results), results
    assert sum(r["sent"] for r in results) == 30
    assert sorted(m.to[0] for m in mail.outbox) == sorted(f"person{n}@example.test" for n in range(30))
    assert set(Outbox.objects.values_list("status", flat=True)) == {"sent"}


def test_four_digest_runs_at_once_send_one_digest_per_person(seeded_catalogues, proposer, approver, signal_owner):
    make_user("sid_signal", "signal_owner")
    experiment = make_experiment(proposer, approver, status=Status.RUNNING)
    Check.objects.create(
        experiment=experiment,
        look_date=timezone.localdate(),
        look=1,
        action="continue",
        sentence="Continue.",
        created_at=timezone.now() - dt.timedelta(minutes=5),
    )
    with mock.patch.object(outbox, "nudge"):
        results = at_once(*[send_digest] * 4)
    assert all(isinstance(r, int) for r in results) and sum(results) == 2, results
    assert DigestClaim.objects.count() == 2
    outbox.deliver_pending()
    assert sorted(m.to[0] for m in mail.outbox) == ["sam_signal@example.test", "sid_signal@example.test"]
