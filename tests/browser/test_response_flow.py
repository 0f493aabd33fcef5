"""The response owner finds the response a check opened on the dashboard, reads what happened and
what to do, and closes it with what was done; the roles page names them and flags the gaps."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cadence.duties.models import ResponseItem
from cadence.duties.opening import open_for_check
from experiments.models import CharterDuty, Duty, Status, Touchpoint
from tests.browser.test_experiment_after_stop import sign_in
from tests.experiments.live.checks_factory import guardrail_drift, record_looks
from tests.factories import make_experiment, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def responder(seeded_catalogues):
    user = make_user("rosa_responder")
    CharterDuty.objects.create(touchpoint=Touchpoint.objects.get(key="chat"), duty=Duty.RESPONSE_OWNER, user=user)
    return user


@pytest.fixture
def item(seeded_catalogues, proposer, approver, responder):
    today = timezone.localdate()
    experiment = make_experiment(
        proposer,
        approver,
        status=Status.RUNNING,
        title="Shorter chat greeting",
        planned_start=today - dt.timedelta(days=11),
        planned_end=today + dt.timedelta(days=16),
    )
    checks = record_looks(experiment, days=28, rates=guardrail_drift("complaint-rate", from_day=3, per_day=0.5))
    return open_for_check(experiment, checks[-1])


def test_the_response_owner_closes_the_response_from_the_dashboard(page, item, responder):
    sign_in(page, responder)
    panel = page.locator("#open-responses")
    expect(panel).to_contain_text("Stopped by a check")
    expect(panel).to_contain_text("Shorter chat greeting")
    panel.get_by_role("link", name="Stopped by a check").click()
    expect(page.locator(".what-happened")).to_contain_text(item.what_happened[:40])
    expect(page.locator(".what-to-do")).to_contain_text("Roll back the change")

    page.get_by_label("Rolled back the change").check()
    page.get_by_label("In a few words").fill("Switched the greeting back for everyone.")
    page.get_by_role("button", name="Close the response").click()
    expect(page.locator("#closed")).to_contain_text("Switched the greeting back for everyone.")
    item.refresh_from_db()
    assert (item.state, item.action) == (ResponseItem.State.CLOSED, "rolled_back")

    page.goto("/")
    expect(page.locator("#open-responses")).to_contain_text("No signal waits for a response.")


def test_the_roles_page_names_the_response_owner_and_flags_the_gaps(page, responder):
    sign_in(page, make_user("nina_newcomer"))
    page.click("details.user-menu summary")  # Roles sits in the user menu
    page.get_by_role("link", name="Roles", exact=True).click()
    expect(page.locator("#touchpoint-chat")).to_contain_text("Rosa Responder")
    expect(page.locator("#touchpoint-chat .gap")).not_to_contain_text(["No response owner"])
    expect(page.locator("#touchpoint-phone")).to_contain_text("No response owner")
    expect(page.locator("#gap-summary")).to_contain_text("have no response owner")
