"""/api/experiments/<key>/transition/ takes the lesson; /api/experiments/<key>/lesson/ reads and writes it."""

from experiments.models import Status
from tests.factories import make_experiment


def test_the_api_takes_the_lesson_with_the_move_and_on_its_own(api_as, proposer, approver, other_approver):
    experiment = make_experiment(proposer, approver, status=Status.COMPLETED)
    client = api_as(proposer)
    base = f"/api/experiments/{experiment.key}"
    refused = client.post(f"{base}/transition/", {"action": "conclude", "outcome": "lost"}, format="json")
    assert refused.status_code == 400 and refused.json()["problems"][0]["field"] == "lesson"
    done = client.post(
        f"{base}/transition/",
        {"action": "conclude", "outcome": "lost", "lesson": "Delivery texts are read."},
        format="json",
    )
    assert done.status_code == 200, done.json()
    state = client.get(f"{base}/lesson/").json()
    assert (state["learned"], state["missing"], state["may_edit"]) == ("Delivery texts are read.", False, True)
    corrected = client.put(f"{base}/lesson/", {"lesson": "Delivery texts are read at once."}, format="json")
    assert corrected.status_code == 200 and corrected.json()["learned"] == "Delivery texts are read at once."
    empty = client.put(f"{base}/lesson/", {"lesson": " "}, format="json")
    assert empty.status_code == 400 and empty.json()["problems"][0]["field"] == "lesson"
    assert api_as(other_approver).put(f"{base}/lesson/", {"lesson": "Mine."}, format="json").status_code == 403
