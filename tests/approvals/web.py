"""Helpers for the approvals web and API tests: signed-in clients and request lookups."""

from django.urls import reverse

from approvals.models import ApprovalRequest
from tests.experiments.api.conftest import HttpsAPIClient
from tests.experiments.web import https_client


def api_client(user=None) -> HttpsAPIClient:
    client = HttpsAPIClient()
    if user is not None:
        client.force_login(user)
    return client


def open_request(experiment, kind=ApprovalRequest.Kind.PROPOSAL) -> ApprovalRequest:
    return experiment.approval_requests.get(status=ApprovalRequest.State.OPEN, kind=kind)


def decide_url(approval_request) -> str:
    return reverse("approvals-decide", kwargs={"key": approval_request.experiment.key, "pk": approval_request.pk})


def evidence_url(approval_request, *, part=False) -> str:
    url = reverse(
        "approvals-request-evidence", kwargs={"key": approval_request.experiment.key, "pk": approval_request.pk}
    )
    return url + ("?part=1" if part else "")


def evidence_text(user, approval_request) -> str:
    """The text of a request's evidence in full, as the inbox card loads it when opened."""
    from tests.experiments.web import text_of

    response = https_client(user).get(evidence_url(approval_request, part=True))
    assert response.status_code == 200, response.status_code
    return text_of(response.content.decode())


def web_decide(user, approval_request, verdict, comment="", **extra):
    return https_client(user).post(
        decide_url(approval_request), {"verdict": verdict, "comment": comment, **extra}, follow=True
    )


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def approval_mails() -> list:
    """The "Approved" emails sent so far (Django's test outbox)."""
    from django.core import mail

    return [m for m in mail.outbox if " approved “" in m.subject]
