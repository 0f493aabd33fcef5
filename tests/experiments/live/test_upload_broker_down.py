"""A broker outage never fails an upload: the data are stored and the answer is 2xx."""

import pytest

from experiments.models import Observation
from tests.experiments.live.test_ingestion_scenario import api_client, outcome, running_experiment, send

pytestmark = pytest.mark.django_db


def test_uploading_outcomes_with_the_broker_down_answers_2xx(
    frozen, proposer, approver, no_broker, django_capture_on_commit_callbacks
):
    experiment = running_experiment(proposer, approver)
    with django_capture_on_commit_callbacks(execute=True):
        response = send(api_client(proposer), "/api/outcomes/", [outcome(experiment)])
    assert 200 <= response.status_code < 300, response.content
    assert Observation.objects.filter(experiment=experiment).count() == 1
