"""The admin cannot go around the approval workflow: submitted experiments are read-only there."""

import pytest
from django.urls import reverse

from experiments.models import Experiment, Status
from tests.experiments.web import https_client
from tests.factories import make_experiment

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("status", [Status.PENDING_APPROVAL, Status.APPROVED, Status.RUNNING, Status.CONCLUDED])
def test_a_submitted_experiment_is_read_only_in_the_admin(admin_user, proposer, approver, status):
    experiment = make_experiment(proposer, approver, status=status)
    client = https_client(admin_user)
    change = reverse("admin:experiments_experiment_change", args=[experiment.pk])

    page = client.get(change)
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    assert client.post(change, {"title": "Rewritten by an admin"}).status_code == 403
    assert (
        client.post(reverse("admin:experiments_experiment_delete", args=[experiment.pk]), {"post": "yes"}).status_code
        == 403
    )
    experiment.refresh_from_db()
    assert experiment.title != "Rewritten by an admin"
    assert Experiment.objects.filter(pk=experiment.pk).exists()


def test_a_draft_can_still_be_corrected_in_the_admin(admin_user, proposer, approver):
    experiment = make_experiment(proposer, approver)
    page = https_client(admin_user).get(reverse("admin:experiments_experiment_change", args=[experiment.pk]))
    assert 'name="_save"' in page.content.decode()
