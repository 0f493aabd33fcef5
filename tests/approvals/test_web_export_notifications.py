"""Decision records as CSV, and the in-app notifications list."""

import csv
import io

import pytest
from django.urls import reverse

from approvals.models import Notification
from tests.approvals.web import open_request, web_decide
from tests.experiments.web import https_client, text_of

pytestmark = pytest.mark.django_db
ALL_CSV = reverse("approvals-decisions-csv")
NOTIFICATIONS = reverse("approvals-notifications")


def rows_of(response):
    return list(csv.reader(io.StringIO(response.content.decode())))


def experiment_csv(experiment):
    return reverse("approvals-experiment-decisions-csv", kwargs={"key": experiment.key})


def test_an_experiments_decisions_download_as_csv(pending, approver, outsider):
    web_decide(approver, open_request(pending), "reject", '=HYPERLINK("x") is not a reason')
    response = https_client(outsider).get(experiment_csv(pending))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="{pending.key}-decisions.csv"'
    header, row = rows_of(response)
    assert header[:3] == ["experiment", "title", "request"]
    assert row[0] == pending.key and row[5] == approver.username and row[8] == "reject"
    assert row[9].startswith("'=")  # a spreadsheet must not run it


def test_a_draft_csv_is_not_found_for_others(draft, approver):
    assert https_client(approver).get(experiment_csv(draft)).status_code == 404


@pytest.mark.parametrize(
    "who, status", [("standards_keeper", 200), ("admin_user", 200), ("approver", 403), ("outsider", 403)]
)
def test_every_decision_is_for_standards_keepers(pending, approver, who, status, request):
    web_decide(approver, open_request(pending), "approve")
    response = https_client(request.getfixturevalue(who)).get(ALL_CSV)
    assert response.status_code == status
    if status == 200:
        assert len(rows_of(response)) == 2


def test_the_inbox_links_every_decision_for_standards_keepers_only(standards_keeper, approver):
    assert ALL_CSV in https_client(standards_keeper).get(reverse("approvals-inbox")).content.decode()
    assert ALL_CSV not in https_client(approver).get(reverse("approvals-inbox")).content.decode()


def test_notifications_list_with_unread_count_and_mark_as_read(pending, approver):
    response = https_client(approver).get(NOTIFICATIONS)
    text = text_of(response.content.decode())
    assert response.context["unread"] == 1 and "1 unread" in text
    assert f"asks you to approve “{pending.title}” ({pending.key})." in text
    assert response.context["unread_notifications"] == 1  # the nav badge

    note = Notification.objects.get(user=approver)
    https_client(approver).post(reverse("approvals-notification-read", kwargs={"pk": note.pk}))
    note.refresh_from_db()
    assert note.read_at is not None
    assert "All read" in text_of(https_client(approver).get(NOTIFICATIONS).content.decode())


def test_only_the_owner_of_a_notification_marks_it_read(pending, approver, other_approver, proposer):
    note = Notification.objects.get(user=approver)
    for person in (other_approver, proposer):
        response = https_client(person).post(reverse("approvals-notification-read", kwargs={"pk": note.pk}))
        assert response.status_code == 404
    note.refresh_from_db()
    assert note.read_at is None


def test_mark_all_read_touches_only_your_own(pending, approver, proposer):
    web_decide(approver, open_request(pending), "reject", "Not now")
    https_client(proposer).post(reverse("approvals-notifications-read-all"))
    assert not Notification.objects.filter(user=proposer, read_at__isnull=True).exists()
    assert Notification.objects.filter(user=approver, read_at__isnull=True).exists()


def test_anonymous_visitors_log_in_first(pending):
    for url in (NOTIFICATIONS, ALL_CSV, experiment_csv(pending)):
        response = https_client().get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
