"""Search across everything (cadence.search): the page, the API, the filters and who sees what.
These run on SQLite (the icontains fallback) and on PostgreSQL (full-text search); the ranking
test needs PostgreSQL."""

import datetime as dt

import pytest
from django.utils import timezone

from cadence.ideas.models import Idea
from cadence.reviews.models import Decision
from cadence.search.engine import Filters, search
from cadence.standards.models import Standard
from experiments import roles
from experiments.models import Status, Touchpoint
from tests.cadence.reviews.helpers import ended, make_series
from tests.concurrency import POSTGRES_ONLY
from tests.experiments.api.conftest import HttpsAPIClient
from tests.experiments.web import https_client, text_of
from tests.factories import make_experiment, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def chair(db):
    return make_user("carla_chair", roles.BOARD)


def api_get(user, **params):
    client = HttpsAPIClient()
    client.force_login(user)
    return client.get("/api/search/", params)


def lost_on_delivery(proposer, approver):
    return ended(
        proposer,
        approver,
        proposer,
        outcome="lost",
        touchpoints=("sms",),
        title="Delivery window by SMS",
        lesson="Customers ignore texts sent before breakfast.",
    )


def test_search_finds_a_lost_experiment_by_a_word_of_its_lesson_with_its_result(proposer, approver, outsider):
    lost = lost_on_delivery(proposer, approver)
    make_experiment(proposer, approver, status=Status.RUNNING, title="Greeting without the lesson word")

    hits = search(outsider, "breakfast")
    assert [(h.kind, h.title, h.outcome, h.lesson) for h in hits] == [
        ("experiment", "Delivery window by SMS", "lost", "Customers ignore texts sent before breakfast.")
    ]
    assert "2.4 points" in hits[0].result  # the latest check's sentence: what it found

    page = text_of(https_client(outsider).get("/search/", {"q": "breakfast"}).content.decode())
    assert "1 result for “breakfast”" in page and "Delivery window by SMS" in page
    assert "Lost" in page and "Customers ignore texts sent before breakfast." in page

    body = api_get(outsider, q="breakfast").json()
    assert body["count"] == 1
    result = body["results"][0]
    assert (result["kind"], result["key"], result["outcome"], result["url"]) == (
        "experiment",
        lost.key,
        "lost",
        lost.get_absolute_url(),
    )
    assert result["lesson"] == "Customers ignore texts sent before breakfast."


def test_everyone_sees_only_what_they_may_see(proposer, approver, outsider, chair, board_member):
    draft = make_experiment(proposer, approver, title="Secret draft about parcels")
    assert [h.title for h in search(proposer, "parcels")] == [draft.title]
    assert search(outsider, "parcels") == []
    assert api_get(outsider, q="parcels").json() == {"count": 0, "results": []}

    # The review's minutes: its board and chair see them, others do not (cadence.reviews.access).
    series = make_series(chair, board_member)
    won = ended(proposer, approver, proposer, title="Shorter chat greeting")
    from cadence.reviews.models import AgendaItem
    from cadence.reviews.occurrences import ensure_meeting

    meeting = ensure_meeting(series, timezone.now() + dt.timedelta(days=2))
    item = AgendaItem.objects.create(meeting=meeting, kind="experiment", experiment=won, reasons=["won"])
    Decision.objects.create(
        item=item,
        kind="decline",
        decided_by=chair,
        note="Seasonal effect: rerun after the holidays.",
        tally={},
        created_at=timezone.now(),
    )
    assert [h.kind for h in search(board_member, "holidays")] == ["minutes"]
    assert search(outsider, "holidays") == []


def test_standards_ideas_and_filters(proposer, approver, standards_keeper, outsider):
    lost = lost_on_delivery(proposer, approver)
    standard = Standard.objects.create(
        statement="Send delivery windows the evening before, never before breakfast.",
        owner=standards_keeper,
        effective_date=dt.date(2026, 1, 5),
        rereview_date=dt.date(2027, 1, 5),
    )
    standard.touchpoints.set(Touchpoint.objects.filter(key="sms"))
    Idea.objects.create(
        title="Breakfast-time delivery call",
        pain_point="delivery",
        touchpoint=Touchpoint.objects.get(key="phone"),
        hypothesis="Call customers at breakfast to confirm the delivery slot.",
        expected_effect="Fewer missed deliveries",
        author=proposer,
    )
    kinds = sorted(h.kind for h in search(outsider, "breakfast"))
    assert kinds == ["experiment", "idea", "standard"]
    assert sorted(h.kind for h in search(outsider, "breakfast", Filters(touchpoint="sms"))) == [
        "experiment",
        "standard",
    ]
    assert [h.kind for h in search(outsider, "breakfast", Filters(outcomes=("lost",)))] == ["experiment"]
    assert search(outsider, "breakfast", Filters(outcomes=("won",))) == []
    assert [h.kind for h in search(outsider, "breakfast", Filters(kinds=("idea",)))] == ["idea"]
    assert {h.kind for h in search(outsider, "breakfast", Filters(metric="fcr"))} == {"experiment"}
    start = lost.planned_start
    assert search(outsider, "breakfast", Filters(kinds=("experiment",), date_from=start + dt.timedelta(days=1))) == []
    assert len(search(outsider, "breakfast", Filters(kinds=("experiment",), date_to=start))) == 1

    body = api_get(outsider, q="breakfast", touchpoint="sms", kind=["experiment", "standard"]).json()
    assert sorted(r["kind"] for r in body["results"]) == ["experiment", "standard"]
    page = text_of(https_client(outsider).get("/search/", {"q": "breakfast", "outcome": "lost"}).content.decode())
    assert "1 result for “breakfast”" in page


def test_bad_parameters_are_refused_naming_the_field(outsider):
    response = api_get(outsider, q="  ")
    assert response.status_code == 400 and response.json()["problems"][0]["field"] == "q"
    response = api_get(outsider, q="sms", touchpoint="nowhere")
    assert response.status_code == 400 and response.json()["problems"][0]["field"] == "touchpoint"
    response = api_get(outsider, q="sms", date_from="2026-05-02", date_to="2026-05-01")
    assert response.status_code == 400 and response.json()["problems"][0]["field"] == "date_to"
    assert HttpsAPIClient().get("/api/search/", {"q": "sms"}).status_code in (401, 403)
    assert https_client().get("/search/", {"q": "sms"}).status_code == 302  # to the login page


def test_the_header_has_the_search_box(outsider):
    html = https_client(outsider).get("/").content.decode()
    assert 'role="search"' in html and 'action="/search/"' in html


@POSTGRES_ONLY
def test_postgres_ranks_a_title_match_above_a_mention_and_matches_word_forms(proposer, approver, outsider):
    mention = make_experiment(
        proposer, approver, status=Status.RUNNING, title="Shorter greeting", hypothesis_rationale="refunds come later"
    )
    titled = make_experiment(proposer, approver, status=Status.RUNNING, title="Faster refunds in the app")
    hits = search(outsider, "refund")  # stemming: "refund" finds "refunds"
    assert [h.extra["key"] for h in hits] == [titled.key, mention.key]
    assert hits[0].rank > hits[1].rank > 0
    without_greeting = search(outsider, "refunds -shorter")  # websearch syntax: leave a word out
    assert [h.extra["key"] for h in without_greeting] == [titled.key]


def test_the_ideas_slots_minutes_are_found_by_their_follow_ups(proposer, outsider):
    from cadence.ideas.models import SlotMeeting
    from tests.cadence.ideas.builders import make_series as make_slot_series

    series = make_slot_series(proposer)
    start = timezone.now() - dt.timedelta(days=2)
    meeting = SlotMeeting.objects.create(
        series=series,
        starts_at=start,
        ends_at=start + dt.timedelta(hours=1),
        follow_ups="Omar drafts the courier callback proposal by Friday.",
    )
    hits = search(outsider, "courier")
    assert [(h.kind, h.url) for h in hits] == [("minutes", meeting.get_absolute_url())]
    assert "Omar drafts the courier callback proposal" in hits[0].snippet
    assert search(outsider, "courier", Filters(kinds=("experiment",))) == []
