"""The review agenda and the standard's evidence follow the checks' record: an experiment a check
stopped for harm is put forward only with an agreed override, which the evidence shows; the
runtime shown is the real one (start to stop), not the planned or the concluded date."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from cadence.reviews.agenda import build_agenda
from cadence.reviews.occurrences import ensure_meeting
from cadence.standards.services import create_from_experiment
from experiments import lifecycle
from experiments.models import Experiment, ExperimentEvent, Status
from tests.cadence.reviews.helpers import make_series
from tests.experiments.verdict_scenarios import agreed_override_to_won, harm_stopped
from tests.experiments.web import https_client, text_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def meeting(chair, board_member):
    return ensure_meeting(make_series(chair, board_member), timezone.now() + dt.timedelta(days=2))


def test_a_harm_stopped_experiment_concluded_won_by_override_shows_it_on_the_agenda_and_the_standard(
    meeting, chair, board_member, proposer, approver, standards_keeper
):
    experiment, _ = harm_stopped(proposer, approver, title="Shorter chat greeting")
    agreed_override_to_won(experiment, proposer, standards_keeper)
    lifecycle.transition(experiment, "conclude", proposer, outcome="won", lesson="We learned what the data showed.")
    build_agenda(meeting)
    item = meeting.items.get()
    assert item.experiment == experiment
    assert item.evidence["duration_days"] == 11  # started 10 Nov 09:00, stopped by the check of 21 Nov 06:00
    assert item.evidence["verdict"]["override"]["status"] == "agreed"
    page = text_of(https_client(board_member).get(reverse("review-meeting", args=[meeting.pk])).content.decode())
    assert "Override to won agreed by Kim Keeper (standards keeper)" in page
    assert "The complaints came from an unrelated outage." in page
    assert "Ran 11 days" in page

    standard = create_from_experiment(experiment, statement="Greet briefly.", owner=standards_keeper, actor=chair)
    standard_page = text_of(https_client(board_member).get(standard.get_absolute_url()).content.decode())
    assert "Override to won agreed by Kim Keeper (standards keeper)" in standard_page
    assert "Ran 11 days" in standard_page


def test_old_data_concluded_won_against_a_stop_stays_off_the_agenda(meeting, proposer, approver):
    experiment, _ = harm_stopped(proposer, approver)
    # Concluded as won before the guard existed, twenty days after the start.
    Experiment.objects.filter(pk=experiment.pk).update(status=Status.CONCLUDED, outcome="won")
    ExperimentEvent.objects.create(
        experiment=experiment,
        action="conclude",
        from_status="stopped",
        to_status="concluded",
        outcome="won",
        actor=proposer,
        created_at=timezone.now() - dt.timedelta(days=1),
    )
    build_agenda(meeting)
    assert not meeting.items.exists()
