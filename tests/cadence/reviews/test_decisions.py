"""Votes and decisions with the role and timing rules; what each decision does."""

import datetime as dt

import pytest
from django.utils import timezone

from cadence.reviews.agenda import build_agenda
from cadence.reviews.decisions import ReviewRefusal, cast_vote, decide
from cadence.reviews.models import Decision, Vote
from cadence.reviews.occurrences import ensure_meeting
from cadence.standards.models import Standard, StandardVersion
from cadence.standards.services import create_from_experiment
from experiments.models import Experiment, Status
from tests.cadence.reviews.helpers import ended, in_session, make_series, send

pytestmark = pytest.mark.django_db


@pytest.fixture
def meeting(chair, board_member, proposer):
    # The proposer sits on the board too: the rule is about the item, not the seat.
    series = make_series(chair, board_member, proposer, quorum=2)
    return ensure_meeting(series, timezone.now() + dt.timedelta(days=3))


@pytest.fixture
def won_item(meeting, proposer, approver, signal_owner):
    """On the agenda, which is sent: votes are open, decisions not yet (the meeting starts in 3 days)."""
    ended(proposer, approver, signal_owner)
    build_agenda(meeting)
    send(meeting)
    return meeting.items.get()


def test_members_vote_once_and_the_proposer_does_not_vote(won_item, board_member, proposer, co_author, outsider):
    won_item.experiment.co_authors.add(co_author)
    won_item.meeting.series.members.add(co_author)
    cast_vote(won_item, board_member, "for", "Clear win.")
    with pytest.raises(ReviewRefusal, match="already voted"):
        cast_vote(won_item, board_member, "against")
    for author in (proposer, co_author):
        with pytest.raises(ReviewRefusal, match="proposed this experiment") as refused:
            cast_vote(won_item, author, "for")
        assert refused.value.status_code == 403
    with pytest.raises(ReviewRefusal, match="Only members"):
        cast_vote(won_item, outsider, "for")
    with pytest.raises(ReviewRefusal) as bad:
        cast_vote(won_item, won_item.meeting.series.chair, "maybe")
    assert bad.value.field == "choice"
    assert list(Vote.objects.values_list("voter__username", "choice")) == [(board_member.username, "for")]


def test_only_the_chair_or_a_superuser_decides(won_item, board_member, standards_keeper):
    with pytest.raises(ReviewRefusal, match="Only the chair") as refused:
        decide(won_item, board_member, "decline")
    assert refused.value.status_code == 403
    assert not Decision.objects.exists()


def test_promote_creates_the_standard_with_evidence_and_promotes_the_experiment(
    won_item, chair, board_member, other_board_member, standards_keeper
):
    won_item.meeting.series.members.add(other_board_member)
    cast_vote(won_item, board_member, "for")
    cast_vote(won_item, other_board_member, "abstain", "Small sample.")
    in_session(won_item.meeting, chair)
    with pytest.raises(ReviewRefusal) as missing:
        decide(won_item, chair, "promote", statement="", keeper=standards_keeper)
    assert missing.value.field == "statement"
    with pytest.raises(ReviewRefusal) as no_keeper:
        decide(won_item, chair, "promote", statement="Greet in one sentence.", keeper=board_member)
    assert no_keeper.value.field == "keeper"

    decision = decide(
        won_item, chair, "promote", statement="Greet chat customers in one sentence.", keeper=standards_keeper
    )
    standard = decision.standard
    assert decision.tally == {"for": 1, "against": 0, "abstain": 1}
    assert standard.owner == standards_keeper and standard.status == "active" and standard.version == 1
    assert list(standard.supporting_experiments.all()) == [won_item.experiment]
    assert standard.evidence["metrics"][0]["estimate"] == 2.4 and standard.evidence["checks_count"] == 1
    assert set(standard.touchpoints.values_list("key", flat=True)) == {"chat"}
    assert standard.rereview_date == standard.effective_date.replace(year=standard.effective_date.year + 1)
    assert Experiment.objects.get(pk=won_item.experiment.pk).status == Status.PROMOTED
    event = won_item.experiment.events.get(action="promote")
    # Pagar carries out the board's decision: the system's move, naming the decision and the chair.
    assert event.action == "promote" and event.actor is None
    assert standard.code in event.reason and chair.get_full_name() in event.reason
    assert Standard.objects.filter(supporting_experiments=won_item.experiment).count() == 1
    assert list(standard.versions.values_list("number", "change")) == [(1, "created")]
    # Decisions are final; votes close.
    with pytest.raises(ReviewRefusal, match="decided already"):
        decide(won_item, chair, "decline")
    with pytest.raises(ReviewRefusal, match="decided"):
        cast_vote(won_item, chair, "for")


def test_superuser_chair_without_board_role_still_promotes(won_item, admin_user, standards_keeper):
    in_session(won_item.meeting)
    decision = decide(won_item, admin_user, "promote", statement="Greet briefly.", keeper=standards_keeper)
    assert decision.decided_by == admin_user
    assert Experiment.objects.get(pk=won_item.experiment.pk).status == Status.PROMOTED


def test_rerun_makes_a_draft_copy_for_the_owner(won_item, chair, proposer):
    in_session(won_item.meeting)
    decision = decide(won_item, chair, "rerun", note="Run it on phone too.")
    copy = decision.rerun
    assert copy.status == Status.DRAFT and copy.owner == proposer
    assert copy.key == f"{won_item.experiment.key}-rerun"
    assert copy.variants.count() == 2 and copy.metrics.count() == 3
    assert list(copy.touchpoints.all()) == list(won_item.experiment.touchpoints.all())
    assert copy.events.get().action == "create"
    assert Experiment.objects.get(pk=won_item.experiment.pk).status == Status.CONCLUDED
    assert proposer.notifications.filter(url=f"/experiments/{copy.key}/edit/").exists()


def test_an_experiment_item_refuses_a_standard_decision(won_item, chair):
    in_session(won_item.meeting)
    with pytest.raises(ReviewRefusal) as wrong:
        decide(won_item, chair, "retire")
    assert wrong.value.field == "decision"


@pytest.fixture
def standard_item(meeting, chair, proposer, approver, signal_owner, standards_keeper):
    experiment = ended(proposer, approver, signal_owner)
    standard = create_from_experiment(experiment, statement="Greet briefly.", owner=standards_keeper, actor=chair)
    Standard.objects.filter(pk=standard.pk).update(rereview_date=timezone.localdate())
    build_agenda(meeting)
    in_session(send(meeting))
    return meeting.items.get(standard=standard)


def test_keep_sets_a_new_rereview_date_and_a_version(standard_item, chair):
    later = timezone.localdate() + dt.timedelta(days=200)
    with pytest.raises(ReviewRefusal) as past:
        decide(standard_item, chair, "keep", rereview=timezone.localdate())
    assert past.value.field == "rereview_date"
    decide(standard_item, chair, "keep", rereview=later)
    standard = Standard.objects.get(pk=standard_item.standard_id)
    assert standard.rereview_date == later and standard.version == 2
    assert list(standard.versions.values_list("change", flat=True)) == ["created", "kept"]


def test_revise_writes_a_new_statement_version(standard_item, chair):
    decide(standard_item, chair, "revise", statement="Greet in one sentence, and name the agent.")
    standard = Standard.objects.get(pk=standard_item.standard_id)
    assert standard.statement == "Greet in one sentence, and name the agent." and standard.version == 2
    first, second = standard.versions.all()
    assert first.statement == "Greet briefly." and second.change == "revised"


def test_retire_keeps_the_history(standard_item, chair):
    decide(standard_item, chair, "retire", note="Superseded.")
    standard = Standard.objects.get(pk=standard_item.standard_id)
    assert standard.status == "retired"
    assert standard.versions.last().note == "Superseded."
    with pytest.raises(ValueError):
        StandardVersion.objects.filter(standard=standard).delete()
