"""Review pages: who sees, votes and decides; refusals shown at the field; minutes export."""

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from cadence.reviews.agenda import build_agenda
from cadence.reviews.models import Decision, Vote
from cadence.reviews.occurrences import ensure_meeting
from cadence.standards.models import Standard
from experiments.models import Experiment, Status
from tests.cadence.reviews.helpers import ended, in_session, make_series, send
from tests.experiments.web import https_client, text_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def item(chair, board_member, proposer, approver, signal_owner):
    series = make_series(chair, board_member, proposer)
    meeting = ensure_meeting(series, timezone.now() + dt.timedelta(days=2))
    ended(proposer, approver, signal_owner, title="Shorter chat greeting")
    build_agenda(meeting)
    send(meeting)
    return meeting.items.get()


def test_meeting_page_shows_evidence_and_forms_by_role(item, chair, board_member, proposer, outsider, standards_keeper):
    in_session(item.meeting)
    url = reverse("review-meeting", args=[item.meeting.pk])
    page = text_of(https_client(board_member).get(url).content.decode())
    assert "Shorter chat greeting" in page and "0.9 to 3.9" in page and "Record my vote" in page
    assert "Record the decision" not in page
    chair_page = text_of(https_client(chair).get(url).content.decode())
    assert "Record the decision" in chair_page
    proposer_page = text_of(https_client(proposer).get(url).content.decode())
    assert "you do not vote on it" in proposer_page and "Record my vote" not in proposer_page
    assert https_client(outsider).get(url).status_code == 404
    assert https_client(standards_keeper).get(url).status_code == 200  # keepers follow the review, without a vote
    assert https_client().get(url).status_code == 302


def test_vote_by_the_proposer_is_refused_with_the_reason(item, proposer):
    response = https_client(proposer).post(reverse("review-vote", args=[item.pk]), {f"item{item.pk}-choice": "for"})
    assert response.status_code == 403
    assert "you do not vote on it" in text_of(response.content.decode())
    assert not Vote.objects.exists()


def test_vote_without_a_choice_names_the_field(item, board_member):
    response = https_client(board_member).post(reverse("review-vote", args=[item.pk]), {f"item{item.pk}-comment": "?"})
    assert response.status_code == 400
    assert (
        f'id="id_item{item.pk}-choice_error"' in response.content.decode()
        or "This field is required" in response.content.decode()
    )


def test_board_votes_chair_promotes_on_the_page(item, chair, board_member, proposer, standards_keeper):
    https_client(board_member).post(
        reverse("review-vote", args=[item.pk]), {f"item{item.pk}-choice": "for", f"item{item.pk}-comment": "Clear."}
    )
    again = https_client(board_member).post(
        reverse("review-vote", args=[item.pk]), {f"item{item.pk}-choice": "against"}
    )
    assert again.status_code == 409 and "already voted" in text_of(again.content.decode())
    decide_url = reverse("review-decide", args=[item.pk])
    refused = https_client(board_member).post(decide_url, {f"item{item.pk}-decision": "decline"})
    assert refused.status_code == 403
    # The meeting starts in two days: the chair opens it early and marks who is present (quorum 3).
    early = https_client(chair).post(decide_url, {f"item{item.pk}-decision": "decline"})
    assert early.status_code == 409 and "the chair may open it early" in text_of(early.content.decode())
    assert https_client(chair).post(reverse("review-open-early", args=[item.meeting.pk])).status_code == 302
    no_quorum = https_client(chair).post(decide_url, {f"item{item.pk}-decision": "decline"})
    assert no_quorum.status_code == 409 and "No quorum: 1 of the 3" in text_of(no_quorum.content.decode())
    https_client(chair).post(
        reverse("review-attendance", args=[item.meeting.pk]), {"members": [chair.pk, board_member.pk]}
    )
    page = text_of(https_client(chair).get(reverse("review-meeting", args=[item.meeting.pk])).content.decode())
    assert "Quorum: 2 of 3 board members present or voted." in page
    https_client(chair).post(reverse("review-attendance", args=[item.meeting.pk]), {"members": [proposer.pk]})
    missing = https_client(chair).post(
        decide_url, {f"item{item.pk}-decision": "promote", f"item{item.pk}-statement": "Greet briefly."}
    )
    assert missing.status_code == 400 and "Choose the standards keeper" in text_of(missing.content.decode())
    done = https_client(chair).post(
        decide_url,
        {
            f"item{item.pk}-decision": "promote",
            f"item{item.pk}-statement": "Greet chat customers in one sentence.",
            f"item{item.pk}-keeper": standards_keeper.pk,
        },
    )
    assert done.status_code == 302
    standard = Standard.objects.get()
    assert Experiment.objects.get(pk=item.experiment_id).status == Status.PROMOTED
    page = text_of(https_client(board_member).get(reverse("review-meeting", args=[item.meeting.pk])).content.decode())
    assert f"Decided: Promote to a standard → {standard.code} in the catalogue" in page
    assert "votes 1 for, 0 against, 0 abstain" in page
    catalogue = text_of(https_client(board_member).get(reverse("standard-list")).content.decode())
    assert "Greet chat customers in one sentence." in catalogue
    detail = text_of(https_client(board_member).get(reverse("standard-detail", args=[standard.pk])).content.decode())
    assert "Promoted from an experiment" in detail and item.experiment.key in detail and "2.4" in detail


def test_only_the_chair_builds_the_agenda(item, chair, board_member):
    url = reverse("review-build-agenda", args=[item.meeting.pk])
    assert https_client(board_member).post(url).status_code == 403
    assert https_client(chair).post(url).status_code == 302
    assert item.meeting.items.count() == 1


def test_minutes_export_csv_markdown_and_print(item, chair, board_member):
    Vote.objects.create(
        item=item, voter=board_member, choice="against", comment="Too short a run.", created_at=timezone.now()
    )
    Decision.objects.create(
        item=item,
        kind="decline",
        decided_by=chair,
        note="Not convincing yet.",
        tally={"for": 0, "against": 1, "abstain": 0},
        created_at=timezone.now(),
    )
    client = https_client(board_member)
    response = client.get(reverse("review-minutes-csv", args=[item.meeting.pk]))
    assert response["Content-Type"].startswith("text/csv") and "attachment" in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [(r["row"], r["who"], r["choice_or_decision"]) for r in rows] == [
        ("vote", board_member.get_full_name(), "against"),
        ("decision", chair.get_full_name(), "decline"),
    ]
    assert rows[1]["tally"] == "0 for, 1 against, 0 abstain" and rows[1]["comment_or_note"] == "Not convincing yet."
    markdown = client.get(reverse("review-minutes-md", args=[item.meeting.pk])).content.decode()
    assert "**Decline**" in markdown and "Too short a run." in markdown
    printable = client.get(reverse("review-minutes", args=[item.meeting.pk])).content.decode()
    assert "Minutes:" in printable and "Not convincing yet." in printable
    assert (
        https_client(board_member).get(reverse("review-minutes-csv", args=[item.meeting.pk + 999])).status_code == 404
    )


def test_minutes_csv_neutralises_formulas(item, chair, board_member):
    Vote.objects.create(
        item=item,
        voter=board_member,
        choice="against",
        comment='=HYPERLINK("http://evil","x")',
        created_at=timezone.now(),
    )
    Decision.objects.create(
        item=item,
        kind="decline",
        decided_by=chair,
        note="\t=1+1",
        tally={"for": 0, "against": 1, "abstain": 0},
        created_at=timezone.now(),
    )
    response = https_client(board_member).get(reverse("review-minutes-csv", args=[item.meeting.pk]))
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [r["comment_or_note"] for r in rows] == ['\'=HYPERLINK("http://evil","x")', "'\t=1+1"]


def test_the_meeting_page_costs_the_same_with_1_or_5_items(db, proposer, approver, signal_owner, board_member):
    import datetime as dt

    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from cadence.reviews.agenda import build_agenda
    from cadence.reviews.occurrences import ensure_meeting
    from tests.cadence.reviews.helpers import ended, in_session, make_series, send
    from tests.experiments.web import https_client
    from tests.factories import make_user

    chair = make_user("carla_chair", "board")
    costs = []
    for count in (1, 5):
        series = make_series(chair, board_member, name=f"Review with {count}")
        meeting = ensure_meeting(series, timezone.now() + dt.timedelta(days=2))
        experiments = [ended(proposer, approver, signal_owner, title=f"Won {count}-{i}") for i in range(count)]
        build_agenda(meeting)
        in_session(send(meeting))
        meeting.items.exclude(experiment__in=experiments).delete()
        client = https_client(chair)
        client.get(meeting.get_absolute_url())  # the session's first request costs more
        with CaptureQueriesContext(connection) as captured:
            page = client.get(meeting.get_absolute_url()).content.decode()
        assert page.count("Record the decision") == count
        costs.append(len(captured))
    assert costs[0] == costs[1]
