"""The experiment page says what customers now get once it won, and its owner rolls the winning arm
out (or reverts it) from there; others are refused with the reason."""

import pytest
from django.urls import reverse

from experiments import rollouts
from experiments.live.assignment import assign
from experiments.models import Rollout, Status
from tests.experiments.web import https_client, text_of
from tests.factories import make_experiment

pytestmark = pytest.mark.django_db


@pytest.fixture
def won(proposer, approver):
    return make_experiment(proposer, approver, key="won", status=Status.CONCLUDED, outcome="won")


def page(user, experiment):
    response = https_client(user).get(experiment.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def post(user, experiment, **data):
    return https_client(user).post(reverse("experiment-rollout", kwargs={"key": experiment.key}), data, follow=True)


def test_the_owner_rolls_out_and_reverts_from_the_page(won, proposer):
    html = page(proposer, won)
    text = text_of(html)
    assert "Customers still get the control arm, “Current greeting” (control)" in text
    assert "Roll out the winning arm" in text

    response = post(proposer, won, action="rollout", reason="Clear win.")
    text = text_of(response.content.decode())
    assert "Customers now get “One-sentence greeting” (short), the winning arm" in text
    assert "rolled the winning arm out to everyone in scope." in text and "“Clear win.”" in text
    assert "Revert the rollout" in text
    assert assign("won", "u1", touchpoint="chat").reason == "rolled_out"

    response = post(proposer, won, action="revert", reason="Complaints.")
    text = text_of(response.content.decode())
    assert "reverted the rollout: everyone gets the control arm again." in text
    assert "Customers still get the control arm" in text
    assert assign("won", "u1", touchpoint="chat").variant == "control"


def test_others_see_what_customers_get_but_no_forms_and_are_refused(won, proposer, signal_owner):
    rollouts.roll_out(won, proposer)
    text = text_of(page(signal_owner, won))
    assert "Customers now get “One-sentence greeting” (short)" in text
    assert "Revert the rollout" not in text
    refused = https_client(signal_owner).post(
        reverse("experiment-rollout", kwargs={"key": won.key}), {"action": "revert"}
    )
    assert refused.status_code == 403
    assert "owner, its co-authors and administrators" in text_of(refused.content.decode())
    assert rollouts.in_force(won) is not None


def test_a_not_won_experiment_shows_no_panel_and_is_refused(proposer, approver):
    lost = make_experiment(proposer, approver, key="lost", status=Status.CONCLUDED, outcome="lost")
    assert "Roll out the winning arm" not in page(proposer, lost)
    refused = https_client(proposer).post(
        reverse("experiment-rollout", kwargs={"key": lost.key}), {"action": "rollout"}
    )
    assert refused.status_code == 409
    assert "Only a won experiment can be rolled out" in text_of(refused.content.decode())
    assert not Rollout.objects.exists()


def test_a_promoted_experiment_says_its_standard(proposer, approver, admin_user):
    promoted = make_experiment(proposer, approver, key="promoted", status=Status.PROMOTED, outcome="won")
    rollouts.roll_out_promoted(promoted, "S-5")
    text = text_of(page(admin_user, promoted))
    assert "Customers now get “One-sentence greeting” (short)" in text and "It is standard S-5." in text
    assert "Rolled out on" in text and "by the promotion review's decision" in text
