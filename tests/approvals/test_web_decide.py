"""Deciding from the inbox or the experiment page: votes recorded, authors refused, clicks twice safe."""

import pytest
from django.urls import reverse

from approvals import services
from approvals.models import ApprovalRequest, Decision
from experiments.models import Status
from tests.approvals.web import decide_url, messages_of, open_request, web_decide
from tests.experiments.web import https_client, text_of

pytestmark = pytest.mark.django_db
INBOX = reverse("approvals-inbox")


def test_approving_from_the_inbox_approves_and_returns_to_the_inbox(pending, approver):
    response = web_decide(approver, open_request(pending), "approve", "Looks safe", next=INBOX)
    assert response.redirect_chain[-1][0] == INBOX
    assert f"You approved the proposal for “{pending.title}”. It is now approved." in messages_of(response)
    pending.refresh_from_db()
    assert pending.status == Status.APPROVED
    decision = Decision.objects.get()
    assert (decision.approver, decision.verdict, decision.comment) == (approver, "approve", "Looks safe")


@pytest.mark.parametrize(
    "verdict, status", [("reject", Status.REJECTED), ("request_changes", Status.CHANGES_REQUESTED)]
)
def test_reject_and_request_changes_need_a_comment(pending, approver, verdict, status):
    response = web_decide(approver, open_request(pending), verdict, "")
    assert "This action needs a reason." in messages_of(response)
    assert not Decision.objects.exists()
    web_decide(approver, open_request(pending), verdict, "Name the segment")
    pending.refresh_from_db()
    assert pending.status == status


@pytest.mark.parametrize("author", ["proposer", "co_author"])
def test_authors_cannot_decide_even_with_the_approver_role(pending, author, approver, request):
    person = request.getfixturevalue(author)
    person.groups.add(*approver.groups.all())
    response = web_decide(person, open_request(pending), "approve")
    assert "You cannot approve an experiment you own or co-author." in messages_of(response)
    pending.refresh_from_db()
    assert pending.status == Status.PENDING_APPROVAL and not Decision.objects.exists()


def test_someone_who_holds_no_slot_is_refused(pending, other_approver):
    response = web_decide(other_approver, open_request(pending), "approve")
    assert "You may not approve this experiment." in messages_of(response)
    assert not Decision.objects.exists()


def test_a_double_click_leaves_one_decision_and_says_so(pending, approver):
    approval_request = open_request(pending)
    web_decide(approver, approval_request, "approve")
    response = web_decide(approver, approval_request, "approve")
    assert "You have already decided on this request; your first decision stands." in messages_of(response)
    assert Decision.objects.count() == 1


def test_a_request_of_another_experiment_is_not_found(pending, submit, proposer, approver):
    other = submit(proposer, approver)
    url = reverse("approvals-decide", kwargs={"key": other.key, "pk": open_request(pending).pk})
    assert https_client(approver).post(url, {"verdict": "approve"}).status_code == 404


def test_a_draft_is_not_found_for_approvers(draft, approver):
    url = reverse("approvals-decide", kwargs={"key": draft.key, "pk": 1})
    assert https_client(approver).post(url, {"verdict": "approve"}).status_code == 404


def test_only_post(pending, approver):
    assert https_client(approver).get(decide_url(open_request(pending))).status_code == 405


def test_the_next_parameter_never_leaves_the_site(pending, approver):
    response = https_client(approver).post(
        decide_url(open_request(pending)), {"verdict": "approve", "next": "https://evil.example/"}
    )
    assert response["Location"] == pending.get_absolute_url()


def test_the_detail_page_shows_who_is_needed_the_forms_and_the_decisions(pending, approver, proposer):
    page = https_client(approver).get(pending.get_absolute_url())
    text = text_of(page.content.decode())
    assert "Proposal waiting for approval" in text and "Still needed: Named approver" in text
    assert page.content.decode().count('name="verdict" value="approve"') == 1
    # The panel's forms replace the plain lifecycle buttons: no second Approve.
    assert 'name="action" value="approve"' not in page.content.decode()

    web_decide(approver, open_request(pending), "request_changes", "Name the segment")
    owner_page = text_of(https_client(proposer).get(pending.get_absolute_url()).content.decode())
    assert "Alex Approver requested changes on the proposal" in owner_page
    assert "“Name the segment”" in owner_page
    assert "Download the decisions as CSV" in owner_page


def test_amendments_are_decided_from_the_detail_page(submit, proposer, approver):
    experiment = submit(proposer, approver)
    web_decide(approver, open_request(experiment), "approve")
    services.request_amendment(experiment, proposer, {"exposure_cap_pct": "35"}, reason="More traffic")
    page = text_of(https_client(approver).get(experiment.get_absolute_url()).content.decode())
    assert "Amendment waiting for approval" in page and "35.00" in page
    web_decide(approver, open_request(experiment, ApprovalRequest.Kind.AMENDMENT), "approve")
    experiment.refresh_from_db()
    assert str(experiment.exposure_cap_pct) == "35.00"
