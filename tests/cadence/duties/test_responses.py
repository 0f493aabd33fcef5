"""A check that stops an experiment, finds an SRM or cannot read its data opens one response item
for the touchpoint's response owner; it is reminded when due, escalated to the touchpoint owner a
business day later, and closed with what was done (page and API)."""

import datetime as dt
from unittest import mock

import pytest

from approvals.models import Notification
from cadence.duties.models import ResponseItem
from cadence.duties.reminders import send_reminders
from experiments.live import monitoring
from experiments.live.monitoring import run_check
from experiments.models import Check
from experiments.stats.inputs import StatsInputError
from tests.cadence.duties.conftest import D0, HARMFUL, on
from tests.experiments.api.conftest import HttpsAPIClient
from tests.experiments.live.test_monitoring_data import assign, write_rates
from tests.experiments.web import https_client
from tests.factories import make_user

pytestmark = [pytest.mark.django_db, pytest.mark.approvals]
THURSDAY = D0 + dt.timedelta(days=3)


def stop_by_check(experiment):
    write_rates(experiment, D0 + dt.timedelta(days=1), 3000, HARMFUL)
    with on(THURSDAY):
        return run_check(experiment.pk, THURSDAY)


def notices(user, kind):
    return list(Notification.objects.filter(user=user, kind=kind).values_list("message", flat=True))


def api(user):
    client = HttpsAPIClient()
    client.force_login(user)
    return client


def test_a_stop_opens_one_item_for_the_response_owner_due_in_one_business_day(experiment, responder):
    check = stop_by_check(experiment)
    item = ResponseItem.objects.get()
    assert (item.experiment, item.owner, item.kind, item.state) == (experiment, responder, "stopped", "open")
    assert item.check_record == check and item.what_happened == check.sentence
    assert "Roll back the change" in item.what_to_do
    assert item.due_at - item.opened_at == dt.timedelta(days=1)  # Thursday to Friday
    [told] = notices(responder, Notification.Kind.RESPONSE)
    assert "response owner" in told and experiment.key in told
    # The same look again (a retried task) opens nothing more.
    with on(THURSDAY):
        run_check(experiment.pk, THURSDAY)
    assert ResponseItem.objects.count() == 1
    assert len(notices(responder, Notification.Kind.RESPONSE)) == 1


def test_a_friday_stop_is_due_on_monday(experiment):
    write_rates(experiment, D0 + dt.timedelta(days=1), 3000, HARMFUL)
    friday = D0 + dt.timedelta(days=4)
    with on(friday):
        run_check(experiment.pk, friday)
    item = ResponseItem.objects.get()
    assert item.due_at.weekday() == 0 and item.due_at - item.opened_at == dt.timedelta(days=3)


def test_an_srm_opens_an_srm_item(experiment, responder):
    write_rates(experiment, D0 + dt.timedelta(days=1), 3000, {})
    assign(experiment, D0 + dt.timedelta(days=2), control=600, short=0)
    with on(THURSDAY):
        run_check(experiment.pk, THURSDAY)
    item = ResponseItem.objects.get()
    assert item.kind == "srm" and "assignment" in item.what_to_do


def test_a_data_error_opens_a_data_error_item_once(experiment, responder):
    error = StatsInputError("metrics[fcr]", "bad sums")
    with mock.patch.object(monitoring, "build_look", side_effect=error), on(THURSDAY):
        check = run_check(experiment.pk, THURSDAY)
        run_check(experiment.pk, THURSDAY)  # the same look failing again tells nobody again
    assert check.action == Check.Action.ERROR
    item = ResponseItem.objects.get()
    assert (item.kind, item.owner) == ("data_error", responder)
    assert "Fix the data" in item.what_to_do


def test_open_remind_escalate_close(experiment, responder, chat_owner):
    stop_by_check(experiment)
    item = ResponseItem.objects.get()
    with on(THURSDAY, 18):
        assert send_reminders() == {"reminders": 0, "escalations": 0}  # not due yet
    friday = D0 + dt.timedelta(days=4)
    with on(friday, 7):
        assert send_reminders() == {"reminders": 1, "escalations": 0}
        assert send_reminders() == {"reminders": 0, "escalations": 0}  # a second beat sends nothing
    [reminder] = notices(responder, Notification.Kind.REMINDER)
    assert "was due" in reminder
    assert notices(chat_owner, Notification.Kind.ESCALATION) == []
    with on(D0 + dt.timedelta(days=7), 6, 0):  # Monday, before a full business day past due
        assert send_reminders() == {"reminders": 0, "escalations": 0}
    with on(D0 + dt.timedelta(days=7), 7):
        assert send_reminders() == {"reminders": 0, "escalations": 1}
    [escalation] = notices(chat_owner, Notification.Kind.ESCALATION)
    assert "Rosa Responder" in escalation and experiment.key in escalation
    assert notices(responder, Notification.Kind.ESCALATION) == []

    # The touchpoint owner sees it waiting for them, and the response owner closes it.
    inbox = https_client(chat_owner).get("/approvals/").content.decode()
    assert "Responses waiting for you" in inbox and item.get_absolute_url() in inbox
    response = https_client(responder).post(
        f"/responses/{item.pk}/close/",
        {"action": "rolled_back", "what_was_done": "Switched the greeting back for everyone at 09:10."},
        follow=True,
    )
    item.refresh_from_db()
    assert (item.state, item.action, item.closed_by) == ("closed", "rolled_back", responder)
    assert "Switched the greeting back" in response.content.decode()
    with on(D0 + dt.timedelta(days=9), 7):
        assert send_reminders() == {"reminders": 0, "escalations": 0}
    assert "Responses waiting for you" not in https_client(chat_owner).get("/approvals/").content.decode()


def test_closing_needs_an_action_and_what_was_done(experiment, responder):
    stop_by_check(experiment)
    item = ResponseItem.objects.get()
    page = https_client(responder).post(f"/responses/{item.pk}/close/", {"action": "rolled_back"})
    assert page.status_code == 400 and "This field is required" in page.content.decode()
    response = api(responder).post(f"/api/responses/{item.pk}/close/", {"action": "shrugged"}, format="json")
    assert response.status_code == 400
    assert {"action", "what_was_done"} <= {p["field"] for p in response.json()["problems"]}
    item.refresh_from_db()
    assert item.state == "open"


def test_only_the_response_owner_touchpoint_owner_or_admin_closes(experiment, responder, signal_owner, proposer):
    stop_by_check(experiment)
    item = ResponseItem.objects.get()
    body = {"action": "explained", "what_was_done": "Expected: a holiday week."}
    for stranger in (signal_owner, proposer):
        assert api(stranger).post(f"/api/responses/{item.pk}/close/", body, format="json").status_code == 403
        assert https_client(stranger).post(f"/responses/{item.pk}/close/", body).status_code == 403
        assert "Close the response" not in https_client(stranger).get(item.get_absolute_url()).content.decode()
    response = api(responder).post(f"/api/responses/{item.pk}/close/", body, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["state"] == "closed" and response.json()["what_was_done"] == body["what_was_done"]
    again = api(responder).post(f"/api/responses/{item.pk}/close/", body, format="json")
    assert again.status_code == 409


def test_the_api_lists_mine_and_hides_nothing_it_should_show(experiment, responder, proposer):
    stop_by_check(experiment)
    mine = api(responder).get("/api/responses/?mine=1&state=open").json()
    rows = mine["results"] if isinstance(mine, dict) else mine
    assert [r["experiment"] for r in rows] == [experiment.key]
    theirs = api(make_user("nobody_special")).get("/api/responses/?mine=1").json()
    assert (theirs["results"] if isinstance(theirs, dict) else theirs) == []
    assert api(proposer).get("/api/responses/999999/").status_code == 404


def test_open_responses_show_on_the_dashboard_and_without_an_owner_go_to_the_touchpoint_owner(
    proposer, approver, chat_owner, quiet
):
    from tests.experiments.live.test_monitoring_data import started

    experiment = started(proposer, approver, on=D0, days=28)
    stop_by_check(experiment)
    item = ResponseItem.objects.get()
    assert item.owner == chat_owner  # no response owner named: the touchpoint owner answers
    page = https_client(proposer).get("/").content.decode()
    assert "Open responses" in page and item.get_absolute_url() in page


def test_the_experiment_page_names_the_response_owner_and_links_the_response(experiment, proposer):
    stop_by_check(experiment)
    item = ResponseItem.objects.get()
    page = https_client(proposer).get(experiment.get_absolute_url()).content.decode()
    section = page.split('id="responses"')[1].split("</section>")[0]
    assert "Response owner: Rosa Responder." in section and item.get_absolute_url() in section


def test_the_nav_counts_the_responses_waiting(experiment, responder, chat_owner, signal_owner):
    stop_by_check(experiment)
    for user in (responder, chat_owner):
        assert https_client(user).get("/approvals/").context["waiting_count"] == 1
    assert https_client(signal_owner).get("/approvals/").context["waiting_count"] == 0


def test_a_wrong_filter_or_id_is_refused_by_name(experiment, proposer):
    assert api(proposer).get("/api/responses/?state=").status_code == 400
    response = api(proposer).get("/api/responses/?state=AAA")
    assert response.status_code == 400 and {p["field"] for p in response.json()["problems"]} == {"state"}
    assert api(proposer).get("/api/responses/null/").status_code == 404
