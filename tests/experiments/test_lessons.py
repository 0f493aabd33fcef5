"""A lesson for every ending (experiments.lessons through lifecycle.transition): required from a
person who stops, or concludes as lost or invalid; missing (and flagged) when a check ended it."""

import pytest

from experiments import lessons
from experiments.errors import DomainError
from experiments.lifecycle import transition
from experiments.models import Lesson, Status
from tests.experiments.web import https_client, text_of
from tests.factories import make_experiment


def test_a_lost_experiment_cannot_be_concluded_without_a_lesson(proposer, approver):
    experiment = make_experiment(proposer, approver, status=Status.COMPLETED)
    with pytest.raises(DomainError) as refused:
        transition(experiment, "conclude", proposer, outcome="lost", lesson="   ")
    assert refused.value.field == "lesson"
    experiment.refresh_from_db()
    assert experiment.status == Status.COMPLETED and experiment.events.count() == 1
    transition(
        experiment,
        "conclude",
        proposer,
        outcome="lost",
        lesson="Customers skip long greetings.",
        lesson_differently="Test the greeting on mobile first.",
    )
    experiment.refresh_from_db()
    assert experiment.status == Status.CONCLUDED
    assert (experiment.lesson.learned, experiment.lesson.differently, experiment.lesson.recorded_by) == (
        "Customers skip long greetings.",
        "Test the greeting on mobile first.",
        proposer,
    )


@pytest.mark.parametrize("outcome", ["invalid"])
def test_an_invalid_ending_needs_a_lesson_too(proposer, approver, outcome):
    experiment = make_experiment(proposer, approver, status=Status.COMPLETED)
    with pytest.raises(DomainError):
        transition(experiment, "conclude", proposer, outcome=outcome)


def test_a_person_who_stops_writes_the_lesson_and_concluding_later_needs_no_second_one(proposer, approver):
    experiment = make_experiment(proposer, approver, status=Status.RUNNING)
    with pytest.raises(DomainError) as refused:
        transition(experiment, "stop", proposer, reason="Complaints rose.")
    assert refused.value.field == "lesson"
    transition(experiment, "stop", proposer, reason="Complaints rose.", lesson="Night-shift customers complain more.")
    transition(experiment, "conclude", proposer, outcome="inconclusive")
    experiment.refresh_from_db()
    assert experiment.status == Status.CONCLUDED
    assert experiment.lesson.learned == "Night-shift customers complain more."
    assert not lessons.lesson_missing(experiment)


def test_a_win_may_end_without_a_lesson(proposer, approver):
    experiment = make_experiment(proposer, approver, status=Status.COMPLETED)
    transition(experiment, "conclude", proposer, outcome="won")
    assert not Lesson.objects.filter(experiment=experiment).exists()
    assert not lessons.lesson_missing(experiment)


def test_a_lesson_on_a_move_that_does_not_end_is_refused(proposer, approver):
    experiment = make_experiment(proposer, approver, status=Status.PENDING_APPROVAL)
    with pytest.raises(DomainError) as refused:
        transition(experiment, "approve", approver, lesson="Nothing to learn yet.")
    assert refused.value.field == "lesson"


def test_a_lesson_longer_than_the_limit_is_refused(proposer, approver):
    experiment = make_experiment(proposer, approver, status=Status.COMPLETED)
    with pytest.raises(DomainError) as refused:
        transition(experiment, "conclude", proposer, outcome="lost", lesson="x" * 2001)
    assert refused.value.field == "lesson"


def test_a_check_stops_without_a_lesson_and_the_owner_adds_it_afterwards(proposer, approver, co_author):
    experiment = make_experiment(proposer, approver, status=Status.RUNNING)
    transition(experiment, "stop", None, reason="The complaint rate crossed its margin.")
    assert lessons.lesson_missing(experiment)
    with pytest.raises(DomainError) as refused:
        lessons.update(experiment, approver, learned="Not mine to write.")
    assert refused.value.status_code == 403
    lessons.update(experiment, proposer, learned="Complaints react within two days.")
    assert not lessons.lesson_missing(experiment)


def test_the_page_asks_for_the_lesson_and_shows_it_missing(proposer, approver):
    experiment = make_experiment(proposer, approver, status=Status.RUNNING)
    client = https_client(proposer)
    page = text_of(client.get(experiment.get_absolute_url()).content.decode())
    assert "What we learned" in page
    url = f"/experiments/{experiment.key}/transition/"
    response = client.post(url, {"action": "stop", "reason": "Complaints rose."}, follow=True)
    assert "Say what we learned from this experiment." in text_of(response.content.decode())
    transition(experiment, "stop", None, reason="The check stopped it.")
    page = text_of(client.get(experiment.get_absolute_url()).content.decode())
    assert "Lesson missing" in page
    client.post(f"/experiments/{experiment.key}/lesson/", {"lesson": "Stop sooner.", "lesson_differently": ""})
    page = text_of(client.get(experiment.get_absolute_url()).content.decode())
    assert "Lesson missing" not in page and "Stop sooner." in page


def test_the_experiments_list_shows_each_lesson_next_to_its_result(proposer, approver, outsider):
    experiment = make_experiment(proposer, approver, status=Status.COMPLETED, title="Delivery window by SMS")
    transition(experiment, "conclude", proposer, outcome="lost", lesson="Texts before eight are ignored.")
    page = text_of(https_client(outsider).get("/experiments/", {"outcome": "lost"}).content.decode())
    assert "Delivery window by SMS" in page and "Learned: Texts before eight are ignored." in page
