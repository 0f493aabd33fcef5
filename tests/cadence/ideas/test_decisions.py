"""The facilitator's decisions in the slot: drafts pre-filled from the idea, park, decline, WIP
warnings, append-only rows, and the minutes when the meeting closes."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from approvals.models import Notification
from cadence.ideas.agenda import build_agenda, next_meeting
from cadence.ideas.decisions import close_meeting, decide, open_early
from cadence.ideas.models import IdeaStatus, SlotDecision
from experiments.lifecycle import NotPermitted
from experiments.models import ExperimentEvent, Status
from tests.cadence.ideas.builders import make_idea
from tests.factories import make_experiment

pytestmark = pytest.mark.django_db


@pytest.fixture
def meeting(series):
    """The next slot, opened early by its facilitator so decisions can be taken now
    (test_meeting_time.py covers the timing itself)."""
    return open_early(next_meeting(series), series.facilitator)


def on_agenda(meeting, *ideas):
    build_agenda(meeting)
    assert set(meeting.agenda.values_list("idea_id", flat=True)) >= {i.pk for i in ideas}
    return ideas


def test_proposal_creates_a_prefilled_draft_owned_by_the_named_proposer(meeting, facilitator, proposer, approver):
    idea = make_idea(approver, "Callback instead of queueing", segment="business")
    on_agenda(meeting, idea)
    decision = decide(meeting, idea, facilitator, "propose", owner=proposer)

    experiment = decision.experiment
    assert experiment.status == Status.DRAFT
    assert experiment.owner == proposer
    assert experiment.title == "Callback instead of queueing"
    assert experiment.key == "callback-instead-of-queueing"
    assert experiment.hypothesis_change == f"try “Callback instead of queueing” (idea #{idea.pk})"
    assert experiment.hypothesis_effect == idea.expected_effect
    assert idea.hypothesis in experiment.hypothesis_rationale
    assert experiment.hypothesis_audience == idea.segment.name
    assert list(experiment.touchpoints.values_list("key", flat=True)) == ["phone"]
    assert list(experiment.segments.values_list("key", flat=True)) == ["business"]
    assert [(v.key, v.is_control) for v in experiment.variants.all()] == [("control", True), ("treatment", False)]
    event = ExperimentEvent.objects.get(experiment=experiment)
    assert (event.action, event.to_status, event.actor) == ("create", "draft", facilitator)
    idea.refresh_from_db()
    assert (idea.status, idea.experiment) == (IdeaStatus.PROPOSED, experiment)
    assert (decision.decided_by, decision.owner, decision.meeting) == (facilitator, proposer, meeting)


def test_a_second_idea_with_the_same_title_gets_its_own_key(meeting, facilitator, proposer):
    first, second = make_idea(proposer, "Same title"), make_idea(proposer, "Same title")
    on_agenda(meeting, first, second)
    keys = [decide(meeting, i, facilitator, "propose", owner=proposer).experiment.key for i in (first, second)]
    assert keys == ["same-title", "same-title-2"]


def test_owner_must_be_named_and_hold_the_proposer_role(meeting, facilitator, proposer, outsider):
    idea = make_idea(proposer)
    on_agenda(meeting, idea)
    with pytest.raises(ValidationError) as missing:
        decide(meeting, idea, facilitator, "propose")
    assert "owner" in missing.value.message_dict
    with pytest.raises(ValidationError) as no_role:
        decide(meeting, idea, facilitator, "propose", owner=outsider)
    assert "proposer role" in no_role.value.message_dict["owner"][0]
    idea.refresh_from_db()
    assert idea.status == IdeaStatus.NEW and not SlotDecision.objects.exists()


def test_park_needs_a_future_date_and_decline_a_reason(meeting, facilitator, proposer):
    parked, declined = make_idea(proposer, "Park me"), make_idea(proposer, "Decline me")
    on_agenda(meeting, parked, declined)
    with pytest.raises(ValidationError) as no_date:
        decide(meeting, parked, facilitator, "park")
    assert "parked_until" in no_date.value.message_dict
    with pytest.raises(ValidationError) as past:
        decide(meeting, parked, facilitator, "park", parked_until=timezone.localdate())
    assert "after today" in past.value.message_dict["parked_until"][0]
    with pytest.raises(ValidationError) as no_reason:
        decide(meeting, declined, facilitator, "decline", reason="  ")
    assert "reason" in no_reason.value.message_dict

    until = timezone.localdate() + dt.timedelta(days=30)
    decide(meeting, parked, facilitator, "park", parked_until=until)
    decide(meeting, declined, facilitator, "decline", reason="Legal will not allow it.")
    parked.refresh_from_db(), declined.refresh_from_db()
    assert (parked.status, parked.parked_until) == (IdeaStatus.PARKED, until)
    assert (declined.status, declined.decline_reason) == (IdeaStatus.DECLINED, "Legal will not allow it.")
    with pytest.raises(ValidationError):  # decided already
        decide(meeting, declined, facilitator, "propose", owner=proposer)


def test_only_the_facilitator_or_a_superuser_decides(meeting, facilitator, proposer, approver, admin_user):
    idea = make_idea(proposer)
    on_agenda(meeting, idea)
    for someone in (proposer, approver):
        with pytest.raises(NotPermitted):
            decide(meeting, idea, someone, "decline", reason="No")
    assert decide(meeting, idea, admin_user, "decline", reason="No").decided_by == admin_user


def test_an_idea_not_on_the_agenda_is_refused(meeting, facilitator, proposer):
    build_agenda(meeting)
    later = make_idea(proposer, "Came in after the agenda")
    with pytest.raises(ValidationError) as refused:
        decide(meeting, later, facilitator, "decline", reason="No")
    assert "agenda" in refused.value.message_dict["idea"][0]


def test_wip_warning_counts_running_approved_and_this_meetings_proposals(meeting, facilitator, proposer, approver):
    make_experiment(proposer, approver, status=Status.RUNNING, touchpoints=("phone",))
    make_experiment(proposer, approver, status=Status.DRAFT, touchpoints=("phone",))  # not work in progress
    make_experiment(proposer, approver, status=Status.APPROVED, touchpoints=("chat",))  # another touchpoint
    first, second, third = (make_idea(proposer, f"Phone idea {n}") for n in (1, 2, 3))
    chat_idea = make_idea(proposer, "Chat idea", touchpoint="chat")
    on_agenda(meeting, first, second, third, chat_idea)
    meeting.series.wip_limit_per_touchpoint = 2
    meeting.series.save()

    assert decide(meeting, first, facilitator, "propose", owner=proposer).wip_warning == ""  # 1 running + 1 = 2
    warned = decide(meeting, second, facilitator, "propose", owner=proposer)
    assert "Phone already has 2 of 2" in warned.wip_warning
    assert warned.experiment is not None  # a warning, not a block
    make_experiment(proposer, approver, status=Status.APPROVED, touchpoints=("phone",))
    assert "already has 4 of 2" in decide(meeting, third, facilitator, "propose", owner=proposer).wip_warning
    assert decide(meeting, chat_idea, facilitator, "propose", owner=proposer).wip_warning == ""


def test_decisions_are_append_only(meeting, facilitator, proposer):
    idea = make_idea(proposer)
    on_agenda(meeting, idea)
    decision = decide(meeting, idea, facilitator, "decline", reason="No")
    decision.reason = "Changed"
    with pytest.raises(ValueError):
        decision.save()
    with pytest.raises(ValueError):
        SlotDecision.objects.all().delete()


def test_closing_keeps_and_sends_the_minutes(
    meeting, facilitator, proposer, approver, django_capture_on_commit_callbacks, eager_celery
):
    from django.core import mail

    owner = proposer
    idea, other = make_idea(approver, "Callback"), make_idea(approver, "Declined one")
    on_agenda(meeting, idea, other)
    decide(meeting, idea, facilitator, "propose", owner=owner)
    decide(meeting, other, facilitator, "decline", reason="Done elsewhere")
    with django_capture_on_commit_callbacks(execute=True):
        close_meeting(meeting, facilitator, follow_ups="Priya books the IVR team.")
    meeting.refresh_from_db()
    assert meeting.is_closed and meeting.follow_ups == "Priya books the IVR team."
    rows = Notification.objects.filter(kind="slot_minutes")
    assert sorted(rows.values_list("user__username", flat=True)) == sorted(
        [facilitator.username, proposer.username, approver.username]
    )
    text = rows.first().message
    assert "Callback: turned into a proposal, owner" in text and "Declined one: declined: Done elsewhere" in text
    assert "Priya books the IVR team." in text
    minutes = [m for m in mail.outbox if "The minutes of" in m.subject]
    assert len(minutes) == 3  # one per person
    # The draft's owner heard of the draft too, when it was made.
    assert [m.to for m in mail.outbox if "made you the owner of the draft" in m.subject] == [[owner.email]]
    with pytest.raises(ValidationError):
        close_meeting(meeting, facilitator)
    with pytest.raises(PermissionDenied):
        close_meeting(meeting, proposer)
