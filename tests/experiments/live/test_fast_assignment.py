"""The plain assignment view for services: the same answers as the DRF view, one query per call,
and a key refused elsewhere is refused here within the cache's time."""

import json
from unittest import mock

import pytest
from django.test import RequestFactory

from experiments import lifecycle, rollouts, service_key_cache
from experiments.live import fast_assignment
from experiments.live.fast_assignment import assignment_view
from experiments.models import ServiceKey, Status, Variant
from tests.experiments.live.keyed import keyed_client
from tests.factories import make_experiment

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def empty_key_cache():
    service_key_cache.forget_all()
    yield
    service_key_cache.forget_all()


@pytest.fixture
def fenced(proposer, approver):
    experiment = make_experiment(
        proposer, approver, key="fenced", status=Status.RUNNING, exposure_cap_pct=60, segments=("business",)
    )
    Variant.objects.create(experiment=experiment, key="long", name="Long greeting", weight=20)
    return experiment


@pytest.fixture
def service(outsider, fenced):
    return keyed_client(outsider)


def ask(client, **params):
    return client.get("/api/experiments/fenced/assignment/", params)


CASES = [
    {"unit": f"u{n}", "touchpoint": touchpoint, "segment": segment}
    for n in range(30)
    for touchpoint, segment in (("chat", "business"), ("chat", "seniors"), ("chat", ""), ("web", "business"), ("", ""))
]


def test_fast_answers_are_the_drf_views_answers(service, fenced, proposer):
    secret = service._credentials["HTTP_AUTHORIZATION"]
    factory = RequestFactory()

    def both(params):
        fast = assignment_view(factory.get("/", params, HTTP_AUTHORIZATION=secret), key="fenced")
        # An Accept the fast view leaves to DRF: the DRF view's own answer.
        slow = assignment_view(
            factory.get("/", params, HTTP_AUTHORIZATION=secret, HTTP_ACCEPT="application/json; indent=0"),
            key="fenced",
        )
        slow.render()
        assert fast.status_code == slow.status_code == 200
        return fast, slow

    seen = set()
    with mock.patch.object(fast_assignment, "_drf_view", wraps=fast_assignment._drf_view) as drf:
        for params in CASES:
            fast, slow = both(params)
            assert b'"indent' not in fast.content
            assert json.loads(fast.content) == json.loads(slow.content)
            assert fast["Content-Type"] == "application/json" and slow["Content-Type"].startswith("application/json")
            assert (fast["Allow"], fast["Vary"]) == (slow["Allow"], slow["Vary"])
            seen.add(json.loads(fast.content)["reason"])
        assert drf.call_count == len(CASES)  # only the slow ones went to DRF
    assert seen == {
        "enrolled",
        "outside_exposure_cap",
        "segment_outside_scope",
        "segment_missing",
        "touchpoint_outside_scope",
        "touchpoint_missing",
    }


def test_a_services_call_is_one_query_once_warm(service, fenced, django_assert_num_queries):
    assert ask(service, unit="u0", touchpoint="chat", segment="business").status_code == 200
    with django_assert_num_queries(1):
        body = ask(service, unit="u1", touchpoint="chat", segment="business").json()
    assert body["unit"] == "u1"


def test_a_stop_and_a_rollout_reach_the_next_call(service, fenced, proposer):
    assert ask(service, unit="u1", touchpoint="chat", segment="business").json()["reason"] in (
        "enrolled",
        "outside_exposure_cap",
    )
    lifecycle.transition(fenced, "stop", proposer, reason="Complaints are rising.", lesson="Complaints rose.")
    assert ask(service, unit="u1", touchpoint="chat", segment="business").json()["reason"] == "not_running"
    fenced.refresh_from_db()
    assert fenced.config_version == 2


def test_a_key_revoked_in_another_process_is_refused_within_the_cache_time(service, fenced):
    assert ask(service, unit="u1", touchpoint="chat", segment="business").status_code == 200
    # Another process revokes it: no signal reaches this one.
    ServiceKey.objects.filter(pk=service.service_key.pk).update(revoked_at="2020-01-01T00:00:00Z")
    assert ask(service, unit="u2", touchpoint="chat", segment="business").status_code == 200  # still held
    later = service_key_cache._clock() + service_key_cache.KEEP_SECONDS
    with mock.patch.object(service_key_cache, "_clock", return_value=later):
        response = ask(service, unit="u3", touchpoint="chat", segment="business")
    assert response.status_code == 401 and response.json()["detail"] == "This service key was revoked."


def test_a_rollout_is_served_by_the_fast_view(outsider, proposer, approver):
    won = make_experiment(proposer, approver, key="won", status=Status.CONCLUDED, outcome="won", exposure_cap_pct=5)
    client = keyed_client(outsider, [won])
    assert client.get("/api/experiments/won/assignment/", {"unit": "u1", "touchpoint": "chat"}).json()["reason"] == (
        "not_running"
    )
    rollouts.roll_out(won, proposer)
    body = client.get("/api/experiments/won/assignment/", {"unit": "u1", "touchpoint": "chat"}).json()
    assert (body["variant"], body["reason"], body["counted"]) == ("short", "rolled_out", False)


def test_the_fast_view_keeps_the_keys_rate_limit(service, fenced, settings):
    settings.SERVICE_KEY_RATE = "3/min"
    codes = [ask(service, unit=f"u{n}", touchpoint="chat", segment="business").status_code for n in range(4)]
    assert codes == [200, 200, 200, 429]
    refused = ask(service, unit="u9", touchpoint="chat", segment="business")
    assert refused.json()["code"] == "throttled" and int(refused["Retry-After"]) <= 60
