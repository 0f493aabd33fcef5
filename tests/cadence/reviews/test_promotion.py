"""Promotion only through the monthly review: no person promotes through the lifecycle (code, page
or API), the system only with the review's promote decision, and that decision creates exactly one
standard with its evidence and promotes, in one transaction."""

import html

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from cadence.reviews.models import Decision
from cadence.standards.models import Standard
from experiments import lifecycle
from experiments.models import Experiment, Status
from experiments.views.next_step import next_step
from tests.cadence.reviews.helpers import ended, promote_through_review
from tests.experiments.web import https_client, text_of

pytestmark = pytest.mark.django_db

ONLY_BY_REVIEW = lifecycle.SYSTEM_ONLY_MESSAGES["promote"]
PEOPLE = ["standards_keeper", "board_member", "admin_user"]


@pytest.fixture
def won(proposer, approver, signal_owner):
    return ended(proposer, approver, signal_owner, title="Shorter chat greeting")


def untouched(experiment):
    fresh = Experiment.objects.get(pk=experiment.pk)
    promoted = fresh.events.filter(action="promote").exists()
    return fresh.status == Status.CONCLUDED and not promoted and not Standard.objects.exists()


@pytest.mark.parametrize("who", PEOPLE)
def test_no_person_promotes_through_the_lifecycle_in_code(who, won, request):
    with pytest.raises(lifecycle.NotPermitted) as refused:
        lifecycle.transition(won, "promote", request.getfixturevalue(who))
    assert refused.value.message == ONLY_BY_REVIEW and refused.value.status_code == 403
    assert untouched(won)


@pytest.mark.parametrize("who", PEOPLE)
def test_no_promote_button_and_the_page_refuses(who, won, request):
    person = request.getfixturevalue(who)
    client = https_client(person)
    page = html.unescape(text_of(client.get(won.get_absolute_url()).content.decode()))
    assert "Promote to standard" not in page
    assert "goes on the next monthly promotion review's agenda" in next_step(won, person)
    response = client.post(reverse("experiment-transition", args=[won.key]), {"action": "promote"}, follow=True)
    assert ONLY_BY_REVIEW in html.unescape(text_of(response.content.decode()))
    assert untouched(won)


@pytest.mark.parametrize("who", PEOPLE)
def test_the_api_transition_refuses_promote(who, won, request):
    client = APIClient()
    client.force_authenticate(request.getfixturevalue(who))
    response = client.post(f"/api/experiments/{won.key}/transition/", {"action": "promote"}, format="json", secure=True)
    assert response.status_code == 403 and response.json()["detail"] == ONLY_BY_REVIEW
    assert untouched(won)


def test_even_the_system_needs_the_reviews_decision(won):
    with pytest.raises(lifecycle.NotPermitted, match="only by the monthly promotion review"):
        lifecycle.transition(won, "promote", None)
    assert untouched(won)


def test_the_reviews_decision_creates_one_standard_and_promotes(won, chair, standards_keeper):
    standard = promote_through_review(won, chair, standards_keeper, statement="Greet chat customers in one sentence.")
    fresh = Experiment.objects.get(pk=won.pk)
    assert fresh.status == Status.PROMOTED
    assert list(Standard.objects.filter(supporting_experiments=won)) == [standard]
    assert standard.evidence["metrics"][0]["estimate"] == 2.4
    decision = Decision.objects.get(item__experiment=won)
    assert (decision.kind, decision.standard) == ("promote", standard)
    assert fresh.events.get(action="promote").actor is None


def test_a_refused_promotion_leaves_neither_decision_nor_standard(won, chair, standards_keeper):
    """One transaction: when the lifecycle refuses (here: another guard), nothing of the decision stays."""
    from cadence.reviews.decisions import ReviewRefusal
    from experiments.hooks import registry

    def refuse(experiment, actor, outcome):
        raise lifecycle.IllegalMove("Refused for the test.")

    with registry.without():  # puts the registry back as it was on leaving
        lifecycle.register_guard("promote", "test", refuse)
        with pytest.raises(ReviewRefusal, match="Refused for the test"):
            promote_through_review(won, chair, standards_keeper)
    assert untouched(won) and not Decision.objects.exists()


def test_the_review_app_registers_its_promote_guard():
    from experiments.hooks import registry

    assert [h.owner for h in registry.get("guard:promote")] == ["reviews"]
