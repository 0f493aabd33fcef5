"""The approver's desk on the web: the card leads with what to decide, a resubmission shows its diff
beside what the approver asked, an infeasible plan needs the acknowledgement, and decided requests
leave the inbox while the pages say who decided and when."""

import re

import pytest

from approvals.models import ApprovalRequest
from experiments.models import Status
from tests.approvals.desk_world import REQUESTED, resubmitted
from tests.approvals.web import decide_url, messages_of, open_request, web_decide
from tests.experiments.web import https_client
from tests.factories import make_experiment

pytestmark = pytest.mark.django_db
INBOX = "/approvals/"


@pytest.fixture
def too_short(submit, proposer, approver):
    return submit(proposer, approver, expected_daily_traffic=2000)


def test_the_card_leads_with_the_decision_and_ends_with_the_buttons(too_short, approver):
    page = https_client(approver).get(INBOX).content.decode()
    card = page[page.index('class="card request-card"') :]
    lead = card.index("What to decide")
    for fact in ("first-contact resolution", "minimum detectable effect 2", "non-inferiority margin 0.5", "Risk flags"):
        assert lead < card.index(fact)
    assert re.search(r"Too short: needs \d+ days, \d+ planned \(\d+ days short\)\.", card)
    assert card.index("The evidence in full") < card.index('name="verdict" value="approve"')
    assert 'name="acknowledge_plan"' in card


def test_an_infeasible_plan_is_not_approved_without_the_acknowledgement(too_short, approver):
    request = open_request(too_short)
    response = web_decide(approver, request, "approve", next=INBOX)
    assert response.redirect_chain[-1][0] == f"{INBOX}?unacknowledged={request.pk}#decide-{request.pk}"
    assert any("To approve anyway" in m for m in messages_of(response))
    page = response.content.decode()
    assert f'id="acknowledge-plan-{request.pk}-error"' in page and 'aria-invalid="true"' in page
    assert "Acknowledge the plan's verdict: tick this box" in page
    request.refresh_from_db()
    assert (request.status, request.decisions.count()) == (ApprovalRequest.State.OPEN, 0)

    response = web_decide(approver, request, "approve", next=INBOX, acknowledge_plan="on")
    too_short.refresh_from_db()
    assert too_short.status == Status.APPROVED
    assert "It is now approved." in " ".join(messages_of(response))


def test_a_plan_that_fits_needs_no_acknowledgement(submit, proposer, approver):
    experiment = submit(proposer, approver)
    page = https_client(approver).get(INBOX).content.decode()
    assert 'name="acknowledge_plan"' not in page and "Fits: needs" in page
    web_decide(approver, open_request(experiment), "approve")
    experiment.refresh_from_db()
    assert experiment.status == Status.APPROVED


def test_a_resubmission_shows_the_diff_beside_the_approvers_own_request(proposer, approver):
    resubmitted(proposer, approver)
    page = https_client(approver).get(INBOX).content.decode()
    assert "Resubmitted" in page and "Changed since the last decision" in page
    assert "Shorter chat greeting, first try" in page and "Shorter chat greeting, second try" in page
    assert "What you asked for" in page and REQUESTED in page


def test_a_decided_request_leaves_the_inbox_and_the_pages_say_who_decided(submit, proposer, approver):
    experiment = submit(proposer, approver)
    response = web_decide(approver, open_request(experiment), "approve", next=INBOX)
    page = response.content.decode()
    assert "Nothing waits for your decision." in page
    assert "Decided by you lately" in page and experiment.title in page
    assert 'name="verdict"' not in page
    detail = https_client(approver).get(experiment.get_absolute_url()).content.decode()
    assert 'id="approval-decided"' in detail and "Decided on" in detail and "approved" in detail
    assert 'name="verdict"' not in detail and decide_url(open_request_or_none(experiment)) not in detail


def open_request_or_none(experiment):
    return experiment.approval_requests.order_by("-pk").first()


def test_a_second_slot_holder_still_decides_after_the_first_approves(
    submit, proposer, approver, standards_keeper, personal_data
):
    experiment = make_experiment(proposer, approver)
    experiment.sensitive_categories.add(personal_data)
    from experiments.lifecycle import transition

    transition(experiment, "submit", proposer)
    web_decide(approver, open_request(experiment), "approve")
    detail = https_client(approver).get(experiment.get_absolute_url()).content.decode()
    assert 'name="verdict" value="approve"' not in detail  # voted: no buttons left for them
    assert 'name="verdict" value="approve"' in https_client(standards_keeper).get(INBOX).content.decode()


def test_the_detail_page_asks_the_same_acknowledgement(too_short, approver, proposer):
    request = open_request(too_short)
    detail = https_client(approver).get(too_short.get_absolute_url()).content.decode()
    assert 'name="acknowledge_plan"' in detail and "Too short: needs" in detail
    owner_view = https_client(proposer).get(too_short.get_absolute_url()).content.decode()
    assert 'name="acknowledge_plan"' not in owner_view  # authors never decide
    response = web_decide(approver, request, "approve")  # next: the experiment's page
    assert response.redirect_chain[-1][0].endswith(f"?unacknowledged={request.pk}#decide-{request.pk}")
    assert f'id="acknowledge-plan-{request.pk}-error"' in response.content.decode()
