"""Reminders after N business days, escalation to the backup after M; each sent once."""

import pytest
from django.test import override_settings

from approvals.models import Notification
from approvals.reminders import business_days_between, send_reminders
from approvals.tasks import remind_approvers
from cadence.schedule import PERIODIC_TASKS

pytestmark = pytest.mark.django_db

MONDAY = "2026-03-02 09:00:00+00:00"


def test_business_days_skip_weekends():
    import datetime as dt

    friday = dt.date(2026, 3, 6)
    assert business_days_between(friday, friday) == 0
    assert business_days_between(friday, dt.date(2026, 3, 8)) == 0  # Sunday
    assert business_days_between(friday, dt.date(2026, 3, 9)) == 1  # Monday
    assert business_days_between(dt.date(2026, 3, 2), dt.date(2026, 3, 13)) == 9


def kinds():
    return sorted(
        Notification.objects.filter(kind__in=["reminder", "escalation"]).values_list("kind", "user__username")
    )


@override_settings(APPROVAL_REMINDER_BUSINESS_DAYS=2, APPROVAL_ESCALATION_BUSINESS_DAYS=5)
def test_reminder_then_escalation_each_once(submit, proposer, approver, chat_charter, time_machine):
    time_machine.move_to(MONDAY, tick=False)
    experiment = submit(proposer, approver)
    request = experiment.approval_requests.get()

    time_machine.move_to("2026-03-04 18:00:00+00:00", tick=False)  # Wednesday: 2 business days, not more
    assert send_reminders() == {"reminders": 0, "escalations": 0}

    time_machine.move_to("2026-03-05 08:00:00+00:00", tick=False)  # Thursday: 3
    assert send_reminders() == {"reminders": 1, "escalations": 0}
    assert send_reminders() == {"reminders": 0, "escalations": 0}  # a second beat sends nothing
    assert kinds() == [("reminder", "alex_approver")]

    time_machine.move_to("2026-03-09 08:00:00+00:00", tick=False)  # next Monday: 5, not more
    assert send_reminders()["escalations"] == 0
    time_machine.move_to("2026-03-10 08:00:00+00:00", tick=False)  # Tuesday: 6
    remind_approvers.apply()
    remind_approvers.apply()
    assert kinds() == [("escalation", "bill_backup"), ("reminder", "alex_approver")]
    request.refresh_from_db()
    assert request.reminded_at.isoformat() == "2026-03-05T08:00:00+00:00"
    assert request.escalated_at.isoformat() == "2026-03-10T08:00:00+00:00"


def test_the_backup_may_decide_once_escalated(submit, proposer, approver, chat_backup, chat_charter, time_machine):
    from approvals.services import decide
    from experiments.lifecycle import NotPermitted

    time_machine.move_to(MONDAY, tick=False)
    experiment = submit(proposer, approver)
    with pytest.raises(NotPermitted):
        decide(experiment, chat_backup, "approve")
    time_machine.move_to("2026-03-10 08:00:00+00:00", tick=False)
    send_reminders()
    decide(experiment, chat_backup, "approve", "Standing in for Alex")
    experiment.refresh_from_db()
    assert experiment.status == "approved"


def test_the_escalated_request_waits_in_the_backups_inbox(
    submit, proposer, approver, chat_backup, chat_charter, time_machine
):
    from approvals.views.waiting import waiting_ids

    time_machine.move_to(MONDAY, tick=False)
    experiment = submit(proposer, approver)
    request = experiment.approval_requests.get()
    assert waiting_ids(chat_backup) == []
    time_machine.move_to("2026-03-10 08:00:00+00:00", tick=False)
    send_reminders()
    assert waiting_ids(chat_backup) == [request.pk]
    assert waiting_ids(approver) == [request.pk]


def test_a_claimed_reminder_is_not_sent_again_by_a_concurrent_beat(submit, proposer, approver, time_machine):
    """Two beats that both read the request before either claimed it: the conditional UPDATE lets one send."""
    from approvals.models import ApprovalRequest

    time_machine.move_to(MONDAY, tick=False)
    submit(proposer, approver)
    time_machine.move_to("2026-03-05 08:00:00+00:00", tick=False)
    stale = list(ApprovalRequest.objects.filter(status="open"))
    send_reminders()
    from unittest import mock

    with mock.patch("approvals.reminders.ApprovalRequest.objects.filter") as filtered:
        filtered.return_value.select_related.return_value = stale  # the other beat's earlier read
        filtered.return_value.update.return_value = 0  # ...whose claim finds it already taken
        assert send_reminders() == {"reminders": 0, "escalations": 0}
    assert kinds() == [("reminder", "alex_approver")]


def test_closed_requests_are_not_reminded(pending, approver, time_machine):
    from approvals.services import decide

    decide(pending, approver, "approve")
    time_machine.move_to("2030-01-10 08:00:00+00:00", tick=False)
    assert send_reminders() == {"reminders": 0, "escalations": 0}


def test_the_reminder_task_is_scheduled():
    spec = next(s for s in PERIODIC_TASKS if s.task == "approvals.remind_approvers")
    assert spec.every_seconds == 3600
