"""The owner's amendment form (diff before submitting) and the restart request for a stopped experiment."""

import pytest
from django.urls import reverse

from approvals.models import ApprovalRequest
from experiments.lifecycle import transition
from experiments.models import Status
from tests.approvals.web import messages_of, open_request, web_decide
from tests.experiments.web import https_client, text_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def approved(submit, proposer, approver):
    experiment = submit(proposer, approver)
    web_decide(approver, open_request(experiment), "approve")
    experiment.refresh_from_db()
    return experiment


def amend_url(experiment):
    return reverse("approvals-amend", kwargs={"key": experiment.key})


def form_data(page_response, **changes) -> dict:
    """The amendment form as the browser would post it, prefilled values kept, `changes` applied."""
    form, metrics = page_response.context["form"], page_response.context["metrics"]
    data = {
        "touchpoints": form.initial["touchpoints"],
        "segments": form.initial["segments"],
        "exposure_cap_pct": form.initial["exposure_cap_pct"],
        "planned_start": form.initial["planned_start"],
        "planned_end": form.initial["planned_end"],
        "reason": "More traffic reaches the planned power sooner",
        "metrics-TOTAL_FORMS": str(len(metrics.forms)),
        "metrics-INITIAL_FORMS": str(len(metrics.initial)),
        "metrics-MIN_NUM_FORMS": "0",
        "metrics-MAX_NUM_FORMS": "1000",
    }
    for i, row in enumerate(metrics.initial):
        for field, value in row.items():
            if value is not None:
                data[f"metrics-{i}-{field}"] = value
    blank = len(metrics.initial)
    data[f"metrics-{blank}-role"] = "success"
    data[f"metrics-{blank}-effect_unit"] = "absolute"
    data.update(changes)
    return data


def test_the_owner_previews_the_diff_then_requests_the_amendment(approved, proposer):
    client = https_client(proposer)
    page = client.get(amend_url(approved))
    assert page.status_code == 200
    data = form_data(page, exposure_cap_pct="35", **{"metrics-0-effect": "0.4"})

    preview = client.post(amend_url(approved), {**data, "step": "preview"})
    assert [row["field"] for row in preview.context["diff"]] == ["exposure_cap_pct", "metrics.complaint-rate"]
    assert "Request amendment" in preview.content.decode()
    assert not ApprovalRequest.objects.filter(kind="amendment").exists()

    done = client.post(amend_url(approved), {**data, "step": "submit"}, follow=True)
    assert "Amendment requested. The approved contract holds until it is approved." in messages_of(done)
    amendment = open_request(approved, ApprovalRequest.Kind.AMENDMENT)
    assert amendment.snapshot.data["exposure_cap_pct"] == "35.00"
    assert amendment.reason == "More traffic reaches the planned power sooner"
    approved.refresh_from_db()
    assert str(approved.exposure_cap_pct) == "20.00"  # the old contract holds until approval


def test_an_amendment_that_changes_nothing_is_refused(approved, proposer):
    client = https_client(proposer)
    data = form_data(client.get(amend_url(approved)))
    response = client.post(amend_url(approved), {**data, "step": "submit"}, follow=True)
    assert "The amendment changes nothing." in messages_of(response)
    assert not ApprovalRequest.objects.filter(kind="amendment").exists()


def test_bad_values_name_the_field(approved, proposer):
    client = https_client(proposer)
    data = form_data(client.get(amend_url(approved)), exposure_cap_pct="0", planned_end="2000-01-01")
    response = client.post(amend_url(approved), {**data, "step": "submit"})
    assert response.status_code == 200
    assert "exposure_cap_pct" in response.context["form"].errors
    assert response.context["form"].errors["planned_end"] == ["The end must be on or after the start."]


def test_removing_every_success_metric_is_refused(approved, proposer):
    client = https_client(proposer)
    data = form_data(client.get(amend_url(approved)), **{"metrics-2-DELETE": "on"})
    response = client.post(amend_url(approved), {**data, "step": "preview"})
    assert response.context["metrics"].non_form_errors() == ["Keep at least one success metric."]


def test_only_authors_amend_and_only_approved_or_running(approved, approver, outsider, draft, proposer):
    assert https_client(approver).get(amend_url(approved)).status_code == 403
    assert https_client(outsider).get(amend_url(approved)).status_code == 403
    assert https_client(proposer).get(amend_url(draft)).status_code == 403
    assert https_client(approver).get(amend_url(draft)).status_code == 404


def test_the_detail_page_offers_amending_to_the_owner_only(approved, proposer, approver):
    assert "Request an amendment" in https_client(proposer).get(approved.get_absolute_url()).content.decode()
    assert "Request an amendment" not in https_client(approver).get(approved.get_absolute_url()).content.decode()


def test_a_stopped_experiment_can_ask_to_restart(approved, proposer, approver, signal_owner):
    transition(approved, "start", proposer)
    transition(
        approved,
        "stop",
        signal_owner,
        reason="Complaint rate crossed the margin",
        lesson="We learned what the data showed.",
    )
    url = reverse("approvals-request-restart", kwargs={"key": approved.key})
    page = text_of(https_client(proposer).get(approved.get_absolute_url()).content.decode())
    assert "Request restart" in page

    refused = https_client(proposer).post(url, {"reason": ""}, follow=True)
    assert "A restart needs a reason." in messages_of(refused)
    done = https_client(proposer).post(url, {"reason": "The spike came from an outage"}, follow=True)
    assert "Restart requested. It runs again once the approvers agree." in messages_of(done)
    restart = open_request(approved, ApprovalRequest.Kind.RESTART)

    web_decide(approver, restart, "approve")
    transition(approved, "restart", proposer)
    approved.refresh_from_db()
    assert approved.status == Status.RUNNING


def test_outsiders_cannot_ask_to_restart(approved, proposer, signal_owner, outsider):
    transition(approved, "start", proposer)
    transition(
        approved,
        "stop",
        signal_owner,
        reason="Complaint rate crossed the margin",
        lesson="We learned what the data showed.",
    )
    url = reverse("approvals-request-restart", kwargs={"key": approved.key})
    response = https_client(outsider).post(url, {"reason": "Please"}, follow=True)
    assert "Only the authors or a signal owner may ask to restart this experiment." in messages_of(response)
    assert not ApprovalRequest.objects.filter(kind="restart").exists()
