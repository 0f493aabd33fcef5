"""One whole cycle in the browser: idea -> weekly slot -> proposal -> approved, run, concluded as
won -> monthly review -> a standard in the catalogue.

People act through the pages; the days pass through the real daily monitoring slot (run_checks)
on data written as the ingestion would leave it. Completing the draft's metrics uses the ORM:
the proposal form has its own browser test (test_propose_flow.py).
"""

import io
import datetime as dt
from importlib import import_module

import pytest
import time_machine
from django.apps import apps
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from cadence.ideas.models import Idea
from cadence.reviews.agenda import build_agenda
from cadence.reviews.occurrences import ensure_meeting
from cadence.standards.models import Standard
from experiments.models import ExperimentMetric, Metric, Outcome, Status
from tests.browser.conftest import ARTIFACTS
from tests.cadence.ideas.builders import make_series as make_slot_series
from tests.cadence.reviews.helpers import make_series as make_review_series
from tests.cadence.reviews.helpers import send
from tests.experiments.live.test_monitoring_data import write_rates
from tests.factories import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def complete_the_draft(experiment, approver):
    """What the owner fills in on the proposal form: approver, dates, metrics (effects and margins
    sized so that a few thousand units are most of the plan)."""
    today = timezone.localdate()
    experiment.approver = approver
    experiment.planned_start, experiment.planned_end = today, today + dt.timedelta(days=27)
    experiment.min_runtime_days, experiment.expected_daily_traffic = 1, 5000
    experiment.save(
        update_fields=["approver", "planned_start", "planned_end", "min_runtime_days", "expected_daily_traffic"]
    )
    for key, role, extra in (
        ("fcr", "success", {"minimum_detectable_effect": 8, "baseline_rate": 70}),
        ("complaint-rate", "guardrail", {"non_inferiority_margin": 3, "baseline_rate": 3}),
        ("escalation-rate", "guardrail", {"non_inferiority_margin": 4, "baseline_rate": 8}),
    ):
        ExperimentMetric.objects.update_or_create(
            experiment=experiment, metric=Metric.objects.get(key=key), defaults={"role": role, **extra}
        )


def test_an_idea_becomes_a_standard(
    seeded_catalogues, browser_for, proposer, approver, signal_owner, standards_keeper, board_member
):
    import_module("cadence.ideas.migrations.0002_seed_scoring_models").seed(apps, None)
    facilitator = make_user("fay_facilitator")
    make_slot_series(facilitator, proposer, approver)

    # 1. Anyone puts an idea in the backlog.
    page = browser_for(signal_owner)
    page.get_by_role("link", name="Ideas", exact=True).click()
    page.get_by_role("link", name="Submit an idea").first.click()
    page.fill("#id_title", "Greet chat customers in one sentence")
    page.select_option("#id_pain_point", label="Waiting time")
    page.select_option("#id_touchpoint", label="Chat")
    page.fill("#id_hypothesis", "shorten the chat greeting to one sentence")
    page.fill("#id_expected_effect", "first-contact resolution rises by 2 points")
    page.click("button:has-text('Submit idea')")
    expect(page.get_by_role("heading", name="Greet chat customers in one sentence")).to_be_visible()

    # 2. The weekly slot turns it into a proposal owned by Priya.
    page = browser_for(facilitator)
    page.goto("/ideas/slot/")
    page.click("button:has-text('Open the next meeting')")
    page.get_by_role("button", name="Open the meeting early").click()  # it meets later this week
    item = page.locator("article.agenda-item", has_text="Greet chat customers in one sentence")
    item.get_by_label("Turn into a proposal").check()
    item.locator("select[name$='-owner']").select_option(label=proposer.get_full_name())
    item.get_by_role("button", name="Record decision").click()
    expect(page.locator(".message-success")).to_contain_text("is now the draft")
    experiment = Idea.objects.get().experiment
    assert (experiment.status, experiment.owner) == (Status.DRAFT, proposer)

    # 3. Priya completes and submits it; Alex approves it from his inbox.
    complete_the_draft(experiment, approver)
    owner = browser_for(proposer)
    owner.goto(experiment.get_absolute_url())
    owner.click("button:has-text('Submit for approval')")
    expect(owner.locator(".banner .badge")).to_have_text("Pending approval")
    decider = browser_for(approver)
    decider.get_by_role("link", name="Waiting for me").click()
    decider.locator(".request-card").get_by_role("button", name="Approve").click()
    expect(decider.locator(".message-success")).to_contain_text("It is now approved")

    # 4. The daily slot starts it; the data show a clear win; a later slot concludes it as won.
    call_command("run_checks", stdout=io.StringIO())
    experiment.refresh_from_db()
    assert experiment.status == Status.RUNNING
    today = timezone.localdate()
    write_rates(
        experiment, today, 6000, {("fcr", "treatment"): 0.78, ("fcr", "control"): 0.70}, arms=("control", "treatment")
    )
    with time_machine.travel(timezone.now() + dt.timedelta(days=2), tick=True):
        call_command("run_checks", stdout=io.StringIO())
    experiment.refresh_from_db()
    assert (experiment.status, experiment.outcome) == (Status.CONCLUDED, Outcome.WON), experiment.checks.last().sentence

    # 5. The monthly review: a board member votes, the chair promotes it.
    chair = make_user("carla_chair", "board")
    series = make_review_series(chair, board_member, name="Monthly promotion review")
    meeting = send(build_agenda(ensure_meeting(series, timezone.now() + dt.timedelta(days=2))))
    item = meeting.items.get(experiment=experiment)

    member = browser_for(board_member)
    member.goto(meeting.get_absolute_url())
    card = member.locator(f"#item-{item.pk}")
    expect(card).to_contain_text("Greet chat customers in one sentence")
    card.get_by_label("For").check()
    card.get_by_role("button", name="Record my vote").click()
    expect(member.locator(".message-success")).to_contain_text("Your vote")

    page = browser_for(chair)
    page.goto(meeting.get_absolute_url())
    state = page.locator("#meeting-state")  # two days early: the chair opens it and marks themself present
    state.get_by_role("button", name="Open the meeting early").click()
    state.get_by_label(chair.get_full_name()).check()
    state.get_by_role("button", name="Mark present").click()
    expect(state).to_contain_text("Quorum: 2 of 2")
    card = page.locator(f"#item-{item.pk}")
    expect(card.locator(".decision-line")).to_contain_text("1 for, 0 against, 0 abstain")
    card.get_by_label("Promote to a standard").check()
    card.get_by_label("Statement").fill("Greet chat customers in one sentence.")
    card.get_by_label("Standards keeper (owner)").select_option(label=standards_keeper.get_full_name())
    card.get_by_role("button", name="Record the decision").click()
    expect(page.locator(".message-success")).to_contain_text("is in the standards catalogue")

    # 6. The standard is in the catalogue, with its evidence.
    page.get_by_role("link", name="Standards", exact=True).click()
    row = page.locator("tr", has_text="Greet chat customers in one sentence.")
    expect(row).to_contain_text("Active")
    expect(row).to_contain_text(experiment.key)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "whole-cycle-standards.png"), full_page=True)
    experiment.refresh_from_db()
    assert experiment.status == Status.PROMOTED
    standard = Standard.objects.get()
    assert standard.owner == standards_keeper and list(standard.supporting_experiments.all()) == [experiment]
