"""“Waiting for me”: what it lists, what each request shows, and the count in the nav."""

import pytest
import time_machine
from django.urls import reverse

from approvals import services
from experiments.lifecycle import transition
from experiments.models import Status
from tests.approvals.web import evidence_text, evidence_url, open_request, web_decide
from tests.experiments.web import https_client, text_of
from tests.factories import make_experiment

pytestmark = pytest.mark.django_db
INBOX = reverse("approvals-inbox")


def inbox_text(user):
    response = https_client(user).get(INBOX)
    assert response.status_code == 200
    return response, text_of(response.content.decode())


def test_the_named_approver_sees_the_request_with_its_evidence(pending, approver):
    response, text = inbox_text(approver)
    assert [item.request.experiment for item in response.context["items"]] == [pending]
    assert pending.hypothesis_sentence in text
    assert "Chat" in text and "20% of eligible traffic" in text
    # The evidence in full is loaded when the card's section opens: linked, not rendered.
    assert "days needed" not in text and evidence_url(open_request(pending), part=True) in response.content.decode()
    evidence = evidence_text(approver, open_request(pending))
    assert "days needed" in evidence  # the sample-size plan
    assert "None on the same touchpoints" in evidence
    assert "Approve" in text and "Request changes" in text and "Reject" in text
    assert "Still needed: Named approver." in text


def test_the_inbox_shows_overlaps_risk_flags_and_how_long_it_waited(submit, proposer, approver, personal_data):
    running = make_experiment(proposer, approver, status=Status.RUNNING, title="Bot hand-over wording")
    with time_machine.travel("2026-03-02 09:00Z", tick=False):
        experiment = make_experiment(
            proposer, approver, planned_start=running.planned_start, planned_end=running.planned_end
        )
        experiment.sensitive_categories.add(personal_data)
        transition(experiment, "submit", proposer)
    with time_machine.travel("2026-03-05 09:00Z", tick=False):
        _, text = inbox_text(approver)
    assert "waiting 3 days" in text
    assert "Uses personal data" in text
    assert "1 overlapping experiment" in text  # counted on the card, listed in the evidence in full
    assert "Bot hand-over wording" in evidence_text(approver, open_request(experiment))


def test_authors_others_and_people_who_already_voted_see_nothing(
    pending, proposer, co_author, other_approver, outsider, approver, standards_keeper, personal_data
):
    for person in (proposer, co_author, other_approver, outsider, standards_keeper):
        response, text = inbox_text(person)
        assert response.context["items"] == []
        assert "Nothing waits for your decision." in text


def test_a_role_slot_puts_the_request_in_every_holders_inbox_until_filled(
    submit, proposer, approver, standards_keeper, personal_data
):
    experiment = make_experiment(proposer, approver)
    experiment.sensitive_categories.add(personal_data)
    transition(experiment, "submit", proposer)
    response, _ = inbox_text(standards_keeper)
    assert [i.request.experiment for i in response.context["items"]] == [experiment]

    web_decide(approver, open_request(experiment), "approve")
    response, _ = inbox_text(approver)
    assert response.context["items"] == []  # voted: no longer waiting for them
    response, text = inbox_text(standards_keeper)
    assert "Still needed: Standards keeper." in text


def test_an_amendment_shows_its_diff_against_the_approved_contract(submit, proposer, approver):
    experiment = submit(proposer, approver)
    web_decide(approver, open_request(experiment), "approve")
    services.request_amendment(experiment, proposer, {"exposure_cap_pct": "35"}, reason="More traffic")
    response, text = inbox_text(approver)
    [item] = response.context["items"]
    assert item.diff == [
        {"field": "exposure_cap_pct", "label": "Exposure cap (%)", "before": "20.00", "after": "35.00"}
    ]
    assert "The change asked for" in text and "Why: More traffic" in text


def test_the_nav_counts_what_waits_on_every_page(submit, proposer, approver, other_approver):
    submit(proposer, approver)
    submit(proposer, approver)
    page = https_client(approver).get(reverse("experiment-list"))
    assert page.context["waiting_count"] == 2
    assert 'aria-label="2 waiting"' in page.content.decode()
    page = https_client(other_approver).get(reverse("dashboard"))
    assert page.context["waiting_count"] == 0
    assert 'waiting"' not in page.content.decode()


def test_the_nav_count_stays_cheap(submit, proposer, approver, django_assert_max_num_queries):
    for _ in range(5):
        submit(proposer, approver)
    from approvals.views.waiting import waiting_ids

    approver.refresh_from_db()
    with django_assert_max_num_queries(3):
        assert len(waiting_ids(approver)) == 5


def test_anonymous_visitors_are_sent_to_log_in():
    response = https_client().get(INBOX)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
