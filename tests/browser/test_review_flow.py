"""The monthly review in a browser: a board member votes, the chair promotes, the standard is in the catalogue."""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone
from playwright.sync_api import expect

from cadence.reviews.agenda import build_agenda
from cadence.reviews.occurrences import ensure_meeting
from tests.cadence.reviews.helpers import ended, make_series, promote_through_review, send
from tests.factories import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def meeting(seeded_catalogues, proposer, approver, signal_owner, standards_keeper, board_member):
    chair = make_user("carla_chair", "board")
    with time_machine.travel(timezone.now() - dt.timedelta(days=90)):
        older = ended(
            proposer, approver, signal_owner, title="Callback offer on the phone line", touchpoints=("phone",)
        )
        promote_through_review(
            older, chair, standards_keeper, statement="Offer a callback when the phone wait passes five minutes."
        )
    ended(
        proposer,
        approver,
        signal_owner,
        outcome="lost",
        title="Callback offer for business callers",
        touchpoints=("phone",),
    )
    ended(proposer, approver, signal_owner, title="Shorter chat greeting")
    series = make_series(chair, board_member, name="Monthly promotion review", location="Room 4.1")
    meeting = ensure_meeting(series, timezone.now() + dt.timedelta(days=2))
    build_agenda(meeting)
    send(meeting)
    return meeting, chair


def test_board_votes_chair_promotes_standard_in_catalogue(meeting, browser_for, board_member, standards_keeper):
    meeting, chair = meeting
    item = meeting.items.get(experiment__isnull=False)

    member = browser_for(board_member)
    member.get_by_role("link", name="Reviews").click()
    member.get_by_role("link", name="Monthly promotion review").click()
    card = member.locator(f"#item-{item.pk}")
    expect(card).to_contain_text("Shorter chat greeting")
    expect(card).to_contain_text("0.9 to 3.9")
    card.get_by_label("For").check()
    card.get_by_label("Comment").fill("Clear win, guardrails flat.")
    card.get_by_role("button", name="Record my vote").click()
    expect(member.locator(".message-success")).to_contain_text("Your vote")
    expect(member.locator(f"#item-{item.pk} .votes")).to_contain_text("Clear win, guardrails flat.")
    expect(member.locator(f"#item-{item.pk}").get_by_role("button", name="Record the decision")).to_have_count(0)

    page = browser_for(chair)
    page.goto(meeting.get_absolute_url())
    # The meeting starts in two days: the chair opens it early and marks themself present (quorum 2).
    state = page.locator("#meeting-state")
    expect(state).to_contain_text("Quorum: 1 of 2 board members present or voted.")
    expect(page.locator(f"#item-{item.pk} .decide-refusal")).to_contain_text("the chair may open it early")
    state.get_by_role("button", name="Open the meeting early").click()
    expect(page.locator(".message-success")).to_contain_text("The meeting is open")
    state.get_by_label(chair.get_full_name()).check()
    state.get_by_role("button", name="Mark present").click()
    expect(state).to_contain_text("Quorum: 2 of 2 board members present or voted.")
    expect(state).to_contain_text("opened early by")
    card = page.locator(f"#item-{item.pk}")
    expect(card.locator(".decision-line")).to_contain_text("1 for, 0 against, 0 abstain")
    page.screenshot(path=str(_artifacts() / "review-meeting.png"), full_page=True)
    card.get_by_label("Promote to a standard").check()
    card.get_by_label("Statement").fill("Greet chat customers in one sentence.")
    card.get_by_label("Standards keeper (owner)").select_option(label=standards_keeper.get_full_name())
    card.get_by_role("button", name="Record the decision").click()
    expect(page.locator(".message-success")).to_contain_text("is in the standards catalogue")
    expect(page.locator(f"#item-{item.pk} .decision-line")).to_contain_text("Decided: Promote to a standard")
    page.screenshot(path=str(_artifacts() / "review-meeting-decided.png"), full_page=True)

    page.get_by_role("link", name="Standards", exact=True).click()
    row = page.locator("tr", has_text="Greet chat customers in one sentence.")
    expect(row).to_contain_text("Active")
    expect(row).to_contain_text(item.experiment.key)
    page.screenshot(path=str(_artifacts() / "standards-catalogue.png"), full_page=True)
    row.locator("a").first.click()
    expect(page.locator("h1")).to_have_text("Greet chat customers in one sentence.")
    expect(page.locator("body")).to_contain_text("Promoted from an experiment")
    page.screenshot(path=str(_artifacts() / "standard-detail.png"), full_page=True)

    page.goto(meeting.get_absolute_url() + "minutes/")
    page.emulate_media(media="print")
    expect(page.locator(".minutes-table")).to_contain_text("Clear win, guardrails flat.")
    page.screenshot(path=str(_artifacts() / "review-minutes-print.png"), full_page=True)


def _artifacts():
    from tests.browser.conftest import ARTIFACTS

    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
