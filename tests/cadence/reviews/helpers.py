"""Builders for review tests: experiments that ran and ended through the real lifecycle, with a check."""

import datetime as dt

from django.utils import timezone

from cadence.reviews.models import ReviewSeries
from experiments import lifecycle
from experiments.models import Check
from tests.factories import make_experiment

RESULT = {
    "metrics": [
        {
            "metric": "fcr",
            "label": "First-contact resolution",
            "role": "success",
            "status": "superior",
            "estimate": 2.4,
            "interval": [0.9, 3.9],
            "interval_level": 0.95,
            "unit": "pt",
            "relative": False,
            "sentence": "FCR rose by 2.4 points.",
        },
        {
            "metric": "complaint-rate",
            "label": "Complaint rate",
            "role": "guardrail",
            "status": "non_inferior",
            "estimate": 0.1,
            "interval": [-0.2, 0.4],
            "interval_level": 0.95,
            "unit": "pt",
            "relative": False,
            "margin": 0.5,
            "sentence": "No harm.",
        },
    ]
}


def ended(
    owner,
    approver,
    actor,
    *,
    outcome="won",
    touchpoints=("chat",),
    segments=(),
    stop=False,
    lesson="We learned what the data showed.",
    **kw,
):
    """Approved, started, checked once, then concluded with `outcome` (or stopped) by `actor`."""
    experiment = make_experiment(owner, approver, status="approved", touchpoints=touchpoints, segments=segments, **kw)
    lifecycle.transition(experiment, "start", actor)
    Check.objects.create(
        experiment=experiment,
        look_date=timezone.localdate(),
        look=1,
        action="conclude",
        outcome=outcome,
        sentence="First-contact resolution rose by 2.4 points (95% CI 0.9 to 3.9); no guardrail harmed.",
        result=RESULT,
        created_at=timezone.now(),
    )
    if stop:
        lifecycle.transition(experiment, "stop", actor, reason="Complaints rose.", lesson=lesson)
        return experiment
    lifecycle.transition(experiment, "complete", actor)
    lifecycle.transition(experiment, "conclude", actor, outcome=outcome, lesson=lesson)
    return experiment


def make_series(chair, *members, **kw):
    fields = {
        "name": "Monthly promotion review",
        "first_weekday": 1,
        "time": dt.time(10, 0),
        "timezone": "Europe/Amsterdam",
        "duration_minutes": 90,
        "chair": chair,
    }
    fields.update(kw)
    series = ReviewSeries.objects.create(**fields)
    series.members.set([chair, *members])
    return series


def send(meeting):
    """The agenda goes out (as the schedule sends it): votes open."""
    from cadence.reviews.sending import send_agenda

    send_agenda(meeting)
    meeting.refresh_from_db()
    return meeting


def in_session(meeting, *present):
    """The chair opens the meeting early and marks `present` (default: the chair and every member)."""
    from cadence.reviews.meeting_actions import mark_present, open_early

    chair = meeting.series.chair
    open_early(meeting, chair)
    mark_present(meeting, chair, list(present) or [chair, *meeting.series.members.exclude(pk=chair.pk)])
    return meeting


def promote_through_review(experiment, chair, keeper, statement="Greet briefly."):
    """The one way an experiment becomes promoted: a review meeting's promote decision."""
    from cadence.reviews.decisions import decide
    from cadence.reviews.models import AgendaItem
    from cadence.reviews.occurrences import ensure_meeting

    series = make_series(chair, quorum=1, name=f"Review of {experiment.key}")
    meeting = in_session(send(ensure_meeting(series, timezone.now() + dt.timedelta(days=1))))
    item = AgendaItem.objects.create(
        meeting=meeting, kind=AgendaItem.Kind.EXPERIMENT, experiment=experiment, reasons=["won"]
    )
    return decide(item, chair, "promote", statement=statement, keeper=keeper).standard
