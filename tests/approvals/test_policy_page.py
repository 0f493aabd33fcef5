"""The approval policies the approvals app holds are part of the one policy: shown on /policy/ and
in /api/policy/ through the experiments app's policy_approvals hook, not repeated there."""

import pytest
from django.urls import reverse

from approvals.models import ApprovalPolicy
from experiments import roles
from experiments.hooks import registry
from experiments.models import SensitiveCategory, Touchpoint
from tests.experiments.api.conftest import HttpsAPIClient
from tests.experiments.web import https_client, text_of

pytestmark = pytest.mark.approvals


@pytest.fixture
def policies(db):
    chat = Touchpoint.objects.get(key="chat")
    ai = SensitiveCategory.objects.get(name="Uses AI")
    ApprovalPolicy.objects.create(
        name="Chat board", touchpoint=chat, requirement=ApprovalPolicy.Requirement.ROLE, role=roles.BOARD, count=2
    )
    ApprovalPolicy.objects.create(
        name="AI owners", sensitive_category=ai, requirement=ApprovalPolicy.Requirement.TOUCHPOINT_OWNER
    )
    ApprovalPolicy.objects.create(name="Retired", touchpoint=chat, is_active=False)


def test_the_policy_page_lists_the_approvals_each_policy_adds(policies, outsider):
    page = text_of(https_client(outsider).get(reverse("policy")).content.decode())
    assert "An experiment on Chat needs 2 approval(s) from holders of the Review board role (Chat board)." in page
    assert "An experiment in the sensitive category Uses AI needs the approval of each touchpoint" in page
    assert "owner (or backup) (AI owners)." in page
    assert "Retired" not in page


def test_the_policy_api_lists_the_same_sentences(policies, outsider):
    client = HttpsAPIClient()
    client.force_login(outsider)
    rules = client.get("/api/policy/").json()["approval_rules"]
    assert len(rules) == 2 and any("(Chat board)" in rule for rule in rules)


def test_without_the_approvals_app_the_policy_names_no_extra_approvals(policies, outsider):
    with registry.without("approvals"):
        page = text_of(https_client(outsider).get(reverse("policy")).content.decode())
    assert "None: the named approver's decision is the only one asked." in page
