"""Start a proposal like a past experiment (the page button; the API is in tests/cadence/standards)."""

import pytest
from django.urls import reverse

from experiments.models import Experiment
from tests.experiments.web import https_client, text_of
from tests.factories import make_experiment, make_user

pytestmark = pytest.mark.django_db


def test_a_proposer_starts_a_new_draft_from_a_past_experiment(proposer, approver):
    past = make_experiment(proposer, approver, status="concluded", outcome="lost")
    colleague = make_user("pia_proposer", "proposer")
    page = https_client(colleague).get(past.get_absolute_url()).content.decode()
    assert "Start a proposal like this" in page
    response = https_client(colleague).post(reverse("experiment-start-from", kwargs={"key": past.key}))
    draft = Experiment.objects.get(based_on=past)
    assert response.status_code == 302 and response["Location"] == reverse("experiment-edit", kwargs={"key": draft.key})
    assert draft.owner == colleague and draft.status == "draft" and draft.co_authors.count() == 0
    detail = text_of(https_client(colleague).get(draft.get_absolute_url()).content.decode())
    assert f"Based on {past.key}: {past.title}" in detail


def test_the_own_approver_is_not_copied_onto_their_own_proposal(proposer, approver):
    past = make_experiment(proposer, approver, status="concluded", outcome="won")
    approver_who_proposes = make_user("ada_both", "proposer", "approver")
    past.approver = approver_who_proposes
    past.save()
    https_client(approver_who_proposes).post(reverse("experiment-start-from", kwargs={"key": past.key}))
    assert Experiment.objects.get(based_on=past).approver is None


def test_people_without_the_proposer_role_cannot(proposer, approver, outsider):
    past = make_experiment(proposer, approver, status="concluded", outcome="won")
    assert "Start a proposal like this" not in https_client(outsider).get(past.get_absolute_url()).content.decode()
    refused = https_client(outsider).post(reverse("experiment-start-from", kwargs={"key": past.key}))
    assert refused.status_code == 403 and not Experiment.objects.filter(based_on=past).exists()
