"""The ideas backlog makes the same number of queries with 10 ideas as with 1,000, whatever its
filter, sort or page."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cadence.ideas.models import Idea, IdeaStatus, IdeaVote
from experiments.models import Touchpoint
from tests.cadence.ideas.builders import make_idea
from tests.experiments.web import https_client

pytestmark = pytest.mark.django_db


def _ideas(author, voter, count: int) -> None:
    """`count` more ideas on every touchpoint, some parked, every third voted for by `voter`."""
    template = make_idea(author, "Offer a callback")
    touchpoints = list(Touchpoint.objects.all())
    made = Idea.objects.bulk_create(
        Idea(
            title=f"{template.title} #{Idea.objects.count() + i}",
            pain_point=template.pain_point,
            touchpoint=touchpoints[i % len(touchpoints)],
            hypothesis=template.hypothesis,
            expected_effect=template.expected_effect,
            author=author,
            status=IdeaStatus.PARKED if i % 5 == 0 else IdeaStatus.NEW,
            score=float(i % 7),
            rating_count=i % 3,
        )
        for i in range(count - 1)
    )
    IdeaVote.objects.bulk_create(IdeaVote(idea=idea, user=voter) for idea in made[::3])


def _queries(user, url) -> tuple[int, int]:
    client = https_client(user)
    assert client.get(url).status_code == 200  # warm: the session and the caches
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured), response.content.decode().count('/vote/"')


@pytest.mark.parametrize(
    "query", ["", "?status=all&touchpoint=phone", "?q=callback", "?sort=votes", "?sort=newest&page=2"]
)
def test_the_ideas_backlog_s_queries_are_flat_from_10_to_1000(proposer, approver, query):
    _ideas(proposer, approver, 10)
    few, _ = _queries(approver, reverse("idea-list") + query.replace("page=2", "page=1"))
    _ideas(proposer, approver, 990)
    assert Idea.objects.count() == 1_000
    many, cards = _queries(approver, reverse("idea-list") + query)
    assert many == few
    assert cards == 25  # a full page at 1,000 ideas: paged, not all of them
