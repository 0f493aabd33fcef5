"""Demo only: an idea backlog, a weekly ideas slot and a monthly promotion review, so a newcomer
finds the cadence already set up (bin/demo). Created through the apps' own functions."""

import datetime as dt

from django.db import transaction
from django.utils import timezone

from cadence.ideas.agenda import build_agenda as build_slot_agenda
from cadence.ideas.agenda import next_meeting
from cadence.ideas.models import Idea, SlotSeries
from cadence.ideas.scoring import rate
from cadence.reviews.agenda import build_agenda as build_review_agenda
from cadence.reviews.models import ReviewSeries
from cadence.reviews.occurrences import ensure_meeting, next_start
from experiments.models import Experiment, Segment, Touchpoint

# title, pain point, touchpoint, segment, hypothesis, expected effect, author, ICE ratings by rater
DEMO_IDEAS = [
    (
        "Show the refund status in the app",
        "returns",
        "app",
        None,
        "show where a refund stands (received, checked, paid) on the order page",
        "refund-status contacts fall by a third",
        "sam",
        {"priya": (8, 7, 6), "omar": (7, 6, 7)},
    ),
    (
        "Explain the first bill line by line",
        "billing_confusion",
        "billing",
        "new-customers",
        "add a one-line explanation next to every charge on the first bill",
        "billing contacts from new customers fall by 2 points",
        "omar",
        {"priya": (7, 6, 8)},
    ),
    (
        "Skip ID questions for logged-in chat users",
        "verification",
        "chat",
        None,
        "skip the identity questions when the customer is already logged in",
        "chat handling time falls by a minute",
        "priya",
        {"omar": (6, 5, 4)},
    ),
    (
        "Delivery photo in the SMS",
        "delivery",
        "sms",
        "loyal-customers",
        "send a photo of the parcel at the door with the delivered SMS",
        "'where is my parcel' contacts fall by 1 point",
        "sam",
        {},
    ),
]


@transaction.atomic
def create_demo_cadence(users) -> None:
    if SlotSeries.objects.exists() or ReviewSeries.objects.exists():
        return
    for title, pain, touchpoint, segment, hypothesis, effect, author, ratings in DEMO_IDEAS:
        idea = Idea.objects.create(
            title=title,
            pain_point=pain,
            touchpoint=Touchpoint.objects.get(key=touchpoint),
            segment=Segment.objects.get(key=segment) if segment else None,
            hypothesis=hypothesis,
            expected_effect=effect,
            author=users[author],
        )
        for rater, (impact, confidence, ease) in ratings.items():
            rate(idea, users[rater], {"impact": impact, "confidence": confidence, "ease": ease})

    slot = SlotSeries.objects.create(
        name="Weekly ideas slot",
        weekday=2,
        time=dt.time(10, 0),
        timezone="UTC",
        facilitator=users["omar"],
        location="Room 2.14",
    )
    slot.attendees.set([users["priya"], users["sam"], users["alex"], users["kim"]])
    build_slot_agenda(next_meeting(slot))

    _demo_standard(users)

    review = ReviewSeries.objects.create(
        name="Monthly promotion review",
        first_weekday=1,
        time=dt.time(14, 0),
        timezone="UTC",
        chair=users["bo"],
        location="Board room",
        quorum=2,
    )
    review.members.set([users["bo"], users["kim"], users["admin"]])
    build_review_agenda(ensure_meeting(review, next_start(review, timezone.now())))


def _demo_standard(users) -> None:
    """A standard proven by the won in-app return label, kept for app and chat: proposing on chat
    (Priya's greeting draft) shows it on the form and on the approver's card."""
    from cadence.standards.services import create_from_experiment

    proven = Experiment.objects.filter(key="returns-label-in-app", outcome="won").first()
    if proven is None:
        return
    standard = create_from_experiment(
        proven,
        statement="Let customers finish a task in the channel they started it in; do not send them to email.",
        owner=users["kim"],
        actor=users["bo"],
    )
    standard.touchpoints.set(Touchpoint.objects.filter(key__in=["app", "chat"]))
