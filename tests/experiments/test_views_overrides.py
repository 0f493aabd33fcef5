"""The experiment page: concluding against the checks is refused, the override is filed and answered
through its forms, and the page explains the verdict instead of contradicting itself."""

import pytest
from django.urls import reverse

from experiments.models import Override, Status
from tests.experiments.verdict_scenarios import agreed_override_to_won, harm_stopped
from tests.experiments.web import https_client, text_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def stopped(proposer, approver):
    return harm_stopped(proposer, approver)


def page_text(user, experiment):
    return text_of(https_client(user).get(experiment.get_absolute_url()).content.decode())


def conclude(user, experiment, outcome):
    url = reverse("experiment-transition", kwargs={"key": experiment.key})
    fields = {"action": "conclude", "outcome": outcome, "reason": "Done.", "lesson": "The checks saw the harm first."}
    return https_client(user).post(url, fields, follow=True)


def test_the_page_refuses_to_conclude_as_won_and_offers_only_lost_or_invalid(stopped, proposer):
    experiment, stop = stopped
    response = conclude(proposer, experiment, "won")
    experiment.refresh_from_db()
    assert experiment.status == Status.STOPPED
    text = text_of(response.content.decode())
    assert f"The check of {stop.look_date:%-d %b %Y} stopped this experiment for harm" in text
    form = response.content.decode().split('id="outcome-conclude"', 1)[1].split("</select>", 1)[0]
    assert 'value="lost"' in form and 'value="invalid"' in form and 'value="won"' not in form
    conclude(proposer, experiment, "lost")
    experiment.refresh_from_db()
    assert (experiment.status, experiment.outcome) == (Status.CONCLUDED, "lost")


def test_override_filed_and_agreed_through_the_page_then_won_is_allowed(stopped, proposer, standards_keeper):
    experiment, _ = stopped
    assert "Disagree with the check" in page_text(proposer, experiment)
    https_client(proposer).post(
        reverse("experiment-override", kwargs={"key": experiment.key}),
        {"outcome": "won", "reason": "The complaints came from an outage."},
    )
    override = Override.objects.get(experiment=experiment)
    assert "Override to won waiting for a standards keeper" in page_text(proposer, experiment)
    assert "Agree to the override" not in page_text(proposer, experiment)
    assert "Agree to the override" in page_text(standards_keeper, experiment)
    answer_url = reverse("experiment-override-answer", kwargs={"key": experiment.key, "pk": override.pk})
    https_client(standards_keeper).post(answer_url, {"answer": "agree"})
    conclude(proposer, experiment, "won")
    experiment.refresh_from_db()
    assert (experiment.status, experiment.outcome) == (Status.CONCLUDED, "won")
    text = page_text(proposer, experiment)
    assert "then concluded as won" in text and "Conclude it as lost" not in text
    assert "Override to won agreed by Kim Keeper (standards keeper)" in text
    assert "asked to conclude it as won (an override)" in text
    assert "agreed to the override: it may be concluded as won" in text


def test_the_page_refuses_an_author_agreeing_and_a_blank_decline(stopped, proposer, standards_keeper):
    experiment, _ = stopped
    experiment.co_authors.add(standards_keeper)
    https_client(proposer).post(
        reverse("experiment-override", kwargs={"key": experiment.key}), {"outcome": "won", "reason": "Outage."}
    )
    override = Override.objects.get(experiment=experiment)
    answer_url = reverse("experiment-override-answer", kwargs={"key": experiment.key, "pk": override.pk})
    response = https_client(standards_keeper).post(answer_url, {"answer": "agree"}, follow=True)
    assert "Only a standards keeper who is neither the requester nor an author" in text_of(response.content.decode())
    override.refresh_from_db()
    assert override.status == Override.Status.REQUESTED


def test_old_data_concluded_as_won_without_override_is_flagged_on_the_page(stopped, proposer):
    experiment, _ = stopped
    type(experiment).objects.filter(pk=experiment.pk).update(status=Status.CONCLUDED, outcome="won")
    text = page_text(proposer, experiment)
    assert "Concluded as won against the checks' record, with no agreed override" in text


def test_the_page_shows_the_real_runtime(stopped, proposer, standards_keeper):
    experiment, _ = stopped
    agreed_override_to_won(experiment, proposer, standards_keeper)
    text = page_text(proposer, experiment)
    assert "Ran 11 days from its start to its stop" in text
