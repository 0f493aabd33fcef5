"""The roles page and /api/roles/: who holds which duty on which touchpoint, and the gaps."""

import pytest

from approvals.models import TouchpointCharter
from experiments.models import CharterDuty, Duty, Metric, Touchpoint
from tests.experiments.api.conftest import HttpsAPIClient
from tests.experiments.web import https_client
from tests.factories import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def chat_charter(db):
    chat = Touchpoint.objects.get(key="chat")
    owner, ruth, sam = make_user("tom_owner"), make_user("ruth_responder"), make_user("sam_chat")
    TouchpointCharter.objects.create(touchpoint=chat, owner=owner)
    CharterDuty.objects.create(touchpoint=chat, duty=Duty.RESPONSE_OWNER, user=ruth)
    CharterDuty.objects.create(
        touchpoint=chat, duty=Duty.SIGNAL_OWNER, user=sam, metric=Metric.objects.get(key="complaint-rate")
    )
    return chat


def test_the_page_shows_holders_and_flags_touchpoints_without_a_response_owner(chat_charter, proposer):
    page = https_client(proposer).get("/roles/")
    assert page.status_code == 200
    rows = {row.touchpoint.key: row for row in page.context["rows"]}
    assert "no_response_owner" not in rows["chat"].gaps
    assert "no_response_owner" in rows["phone"].gaps
    html = page.content.decode()
    chat_section = html.split('id="touchpoint-chat"')[1].split("</section>")[0]
    assert "Ruth Responder" in chat_section and "Tom Owner" in chat_section
    assert "Sam Chat (Complaint rate)" in chat_section
    assert "No response owner" not in chat_section
    phone_section = html.split('id="touchpoint-phone"')[1].split("</section>")[0]
    assert "No response owner" in phone_section
    touchpoints = Touchpoint.objects.count()
    assert f"{touchpoints - 1} touchpoints have no response owner." in html


def test_the_api_lists_duties_and_gaps(chat_charter, proposer):
    client = HttpsAPIClient()
    client.force_login(proposer)
    rows = {row["touchpoint"]: row for row in client.get("/api/roles/").json()}
    assert rows["chat"]["owner"] == "tom_owner"
    assert rows["chat"]["duties"]["response_owner"] == [{"username": "ruth_responder", "metric": None}]
    assert rows["chat"]["duties"]["signal_owner"] == [{"username": "sam_chat", "metric": "complaint-rate"}]
    assert rows["phone"]["gaps"] == ["no_response_owner", "no_owner", "no_signal_owner"]
    assert HttpsAPIClient().get("/api/roles/").status_code in (401, 403)


def test_signed_out_visitors_are_sent_to_sign_in(client):
    assert client.get("/roles/", secure=True).status_code == 302
