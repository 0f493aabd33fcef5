"""The SDK's doors: the configuration a key may see (and its ETag), and exposures refused or
counted by the same rules as the assignment API."""

import pytest

from experiments import lifecycle, rollouts
from experiments.live import assignment_buffer
from experiments.live.hashing import arm_for, is_exposed
from experiments.models import AssignmentCount, Status, Touchpoint
from tests.experiments.api.conftest import HttpsAPIClient
from tests.experiments.live.keyed import keyed_client
from tests.factories import make_experiment

pytestmark = pytest.mark.django_db


@pytest.fixture
def live(proposer, approver):
    return make_experiment(proposer, approver, key="live", status=Status.RUNNING, exposure_cap_pct=50)


def config(client, **headers):
    return client.get("/api/sdk/config/", **headers)


def expose(client, exposures):
    return client.post("/api/sdk/exposures/", {"exposures": exposures}, format="json")


def test_the_config_lists_the_keys_experiments_with_their_rule(live, proposer, approver, outsider):
    make_experiment(proposer, approver, key="on-web", status=Status.RUNNING, touchpoints=("web",))
    make_experiment(proposer, approver, key="a-draft")
    make_experiment(proposer, approver, key="archived", status=Status.ARCHIVED)
    body = config(keyed_client(outsider)).json()  # a key for the chat touchpoint
    assert body["algorithm"] == "sha256-first8-v1"
    [rule] = body["experiments"]
    assert rule == {
        "key": "live",
        "status": "running",
        "version": 1,
        "salt": {"seed": "live", "exposure": "exposure", "arm": "arm"},
        "exposure_cap_pct": 50.0,
        "variants": [
            {"key": "control", "weight": 50, "is_control": True},
            {"key": "short", "weight": 50, "is_control": False},
        ],
        "control": "control",
        "touchpoints": ["chat"],
        "segments": [],
        "rolled_out": None,
        "standard": None,
    }


def test_a_key_for_a_list_sees_only_its_list(live, proposer, approver, outsider):
    other = make_experiment(proposer, approver, key="other", status=Status.RUNNING)
    body = config(keyed_client(outsider, [other])).json()
    assert [rule["key"] for rule in body["experiments"]] == ["other"]


def test_unchanged_is_304_and_a_stop_changes_the_etag_and_bumps_the_version(live, proposer, outsider):
    client = keyed_client(outsider)
    first = config(client)
    etag = first["ETag"]
    assert config(client, HTTP_IF_NONE_MATCH=etag).status_code == 304

    lifecycle.transition(live, "stop", proposer, reason="Complaints are rising.", lesson="Complaints rose.")
    again = config(client, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 200 and again["ETag"] != etag
    [rule] = again.json()["experiments"]
    assert (rule["status"], rule["version"]) == ("stopped", 2)


def test_a_rollout_is_listed_even_once_archived_and_leaves_with_its_revert(proposer, approver, outsider):
    won = make_experiment(proposer, approver, key="won", status=Status.CONCLUDED, outcome="won")
    rollouts.roll_out(won, proposer)
    won.refresh_from_db()
    won.status = Status.ARCHIVED
    won.save(update_fields=["status"])
    [rule] = config(keyed_client(outsider)).json()["experiments"]
    assert (rule["status"], rule["rolled_out"], rule["version"]) == ("archived", "short", 2)
    rollouts.revert(won, proposer)
    assert config(keyed_client(outsider)).json()["experiments"] == []


def test_people_and_keys_that_may_not_assign_are_refused(live, outsider):
    person = HttpsAPIClient()
    person.force_login(outsider)
    for response in (config(person), expose(person, [{"experiment": "live", "unit": "u1"}])):
        assert response.status_code == 403 and "service key" in response.json()["detail"]
    sender = keyed_client(outsider, actions=("send_data",))
    assert config(sender).status_code == 403
    assert config(HttpsAPIClient()).status_code == 401


def test_exposures_count_what_the_server_enrols_once(live, outsider):
    client = keyed_client(outsider)
    units = [f"u{n}" for n in range(200)]
    enrolled = [u for u in units if is_exposed("live", 50, u)]
    sent = [{"experiment": "live", "unit": u, "touchpoint": "chat"} for u in units]
    sent[0]["variant"] = "not-this-arm"
    body = expose(client, sent).json()
    assert body["received"] == 200 and body["counted"] == len(enrolled)
    assert body["not_enrolled"] == 200 - len(enrolled) and body["disagreements"] == [0]
    expose(client, sent)  # sent again
    assignment_buffer.flush_assignments()
    counts = dict(AssignmentCount.objects.filter(experiment=live).values_list("variant__key", "count"))
    weights = [("control", 50), ("short", 50)]
    expected = {arm: sum(arm_for("live", weights, u) == arm for u in enrolled) for arm in ("control", "short")}
    assert counts == {arm: n for arm, n in expected.items() if n}


def test_a_bad_batch_is_refused_whole_naming_each_entry(live, outsider):
    client = keyed_client(outsider)
    response = expose(
        client,
        [
            {"experiment": "live", "unit": "fine", "touchpoint": "chat"},
            {"experiment": "live", "unit": ""},
            {"unit": "u3"},
            {"experiment": "live", "unit": "u4", "colour": "red"},
        ],
    )
    assert response.status_code == 400
    fields = {problem["field"] for problem in response.json()["problems"]}
    assert fields == {
        "exposures[1].unit",
        "exposures[2].experiment",
        "exposures[3].colour",
    }
    # Well-formed entries naming what does not exist: each named too, and nothing counted.
    response = expose(
        client,
        [
            {"experiment": "live", "unit": "fine", "touchpoint": "chat"},
            {"experiment": "nope", "unit": "u1"},
            {"experiment": "live", "unit": "u2", "touchpoint": "pigeon"},
        ],
    )
    assert response.status_code == 400
    problems = {problem["field"]: problem["message"] for problem in response.json()["problems"]}
    assert problems == {
        "exposures[1].experiment": "No experiment 'nope' that this key may see.",
        "exposures[2].touchpoint": "Unknown touchpoint 'pigeon'; see /api/touchpoints/ for the keys.",
    }
    assert len(assignment_buffer.buffer) == 0
    assert expose(client, []).status_code == 400
    assert client.post("/api/sdk/exposures/", {"units": []}, format="json").status_code == 400


def test_exposures_outside_the_keys_scope_are_refused(live, proposer, approver, outsider):
    make_experiment(proposer, approver, key="on-web", status=Status.RUNNING, touchpoints=("web",))
    client = keyed_client(outsider, touchpoint="chat")
    response = expose(client, [{"experiment": "on-web", "unit": "u1", "touchpoint": "web"}])
    assert response.status_code == 403 and "outside this service key's scope" in response.json()["detail"]
    assert len(assignment_buffer.buffer) == 0
    assert Touchpoint.objects.filter(key="web").exists()
