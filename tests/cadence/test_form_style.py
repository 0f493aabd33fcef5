"""Idea, slot and review forms render like the proposal form (cadence.form_style): labels without a
colon, empty choices that say what to choose, the buttons in .form-actions and one error summary
whose links lead to the fields."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from cadence.ideas.agenda import build_agenda, next_meeting
from cadence.ideas.decisions import open_early
from cadence.reviews.agenda import build_agenda as build_review_agenda
from cadence.reviews.occurrences import ensure_meeting
from tests.cadence.ideas.builders import make_idea, make_series
from tests.cadence.reviews.helpers import ended, in_session, send
from tests.cadence.reviews.helpers import make_series as make_review_series
from tests.experiments.web import https_client
from tests.factories import make_user

pytestmark = pytest.mark.django_db

DJANGO_DEFAULTS = ("---------", ":</label>", ":</legend>", 'class="errorlist')


def assert_pagar_style(html: str) -> None:
    found = [mark for mark in DJANGO_DEFAULTS if mark in html]
    assert not found, f"Django's default rendering left: {found}"


def test_the_idea_form_has_no_colons_no_dashes_and_the_proposal_forms_buttons(proposer):
    html = https_client(proposer).get(reverse("idea-create")).content.decode()
    assert_pagar_style(html)
    assert '<label for="id_title">Title</label>' in html
    assert '<option value="" selected>Choose…</option>' in html  # the pain point
    assert '<option value="" selected>Choose a touchpoint</option>' in html
    assert '<option value="" selected>All customers</option>' in html  # an empty segment means all customers
    assert re.search(r'<div class="form-actions">\s*<button type="submit">Submit idea</button>', html)


def test_an_invalid_idea_gets_one_error_summary_linking_to_each_field(proposer):
    response = https_client(proposer).post(reverse("idea-create"), {"title": "", "pain_point": "waiting_time"})
    html = response.content.decode()
    assert_pagar_style(html)
    start = html.index('<div class="error-summary"')
    summary = html[start : html.index("</div>", start)]
    assert "There is a problem" in summary and summary.count("<li>") == 4
    for field in ("title", "touchpoint", "hypothesis", "expected_effect"):
        assert f'<a href="#field-{field}">' in summary and f'id="field-{field}"' in html
    assert html.count('class="error-summary"') == 1 and "Please correct the fields marked below." not in html


def test_the_slot_decision_form_is_in_the_same_style(proposer, approver):
    facilitator = make_user("fay_facilitator")
    meeting = open_early(next_meeting(make_series(facilitator, proposer, approver)), facilitator)
    idea = make_idea(proposer)
    build_agenda(meeting)
    client = https_client(facilitator)
    html = client.get(meeting.get_absolute_url()).content.decode()
    assert_pagar_style(html)
    assert "Choose the owner" in html and "Record decision</button></div>" in html
    refused = client.post(
        reverse("idea-meeting-decide", args=[meeting.pk, idea.pk]), {f"idea-{idea.pk}-action": "park"}
    ).content.decode()
    assert_pagar_style(refused)
    assert f'<a href="#field-idea-{idea.pk}-parked_until">Park until: Give the date' in refused


def test_the_review_vote_and_decision_forms_are_in_the_same_style(board_member, proposer, approver, signal_owner):
    chair = make_user("cora_chair")
    meeting = ensure_meeting(make_review_series(chair, board_member), timezone.now() + dt.timedelta(days=2))
    ended(proposer, approver, signal_owner, title="Shorter chat greeting")
    build_review_agenda(meeting)
    in_session(send(meeting))
    html = https_client(chair).get(meeting.get_absolute_url()).content.decode()
    assert_pagar_style(html)
    assert "Choose the keeper" in html and "Record the decision</button></div>" in html
    item = meeting.items.get()
    refused = https_client(chair).post(reverse("review-decide", args=[item.pk]), {}).content.decode()
    assert_pagar_style(refused)
    assert f'<a href="#field-item{item.pk}-decision">Decision: This field is required.</a>' in refused
