"""The Python client against a live Pagar: it answers exactly as the server's assignment does, a
stop reaches it through the version, and its exposures are counted once, in the counts the
count-agreement check reads."""

import inspect
import itertools

import pytest
from pagar_client import PagarClient, PagarError
from pagar_client import hashing as client_hashing
from pagar_client import rules as client_rules

from experiments import lifecycle, rollouts
from experiments.live import assignment, assignment_buffer, sdk_config
from experiments.live import hashing as server_hashing
from experiments.models import AssignedUnit, AssignmentCount, Status, Touchpoint, Variant
from tests.factories import make_experiment, make_service_key

UNITS = 100_000
TOUCHPOINTS = ["chat", "web", "app", None]
SEGMENTS = ["new-customers", "business", "seniors", None]


@pytest.fixture(autouse=True)
def fresh_assignment_state():
    assignment.clear_caches()
    assignment_buffer.buffer.discard()
    yield
    assignment_buffer.buffer.discard()


@pytest.fixture
def experiments(seeded_catalogues, proposer, approver):
    """Three arms, segments and a 60% cap; a plain one on two touchpoints; a stopped one; a won
    one rolled out; and a draft (never in the configuration)."""
    fenced = make_experiment(
        proposer,
        approver,
        key="fenced",
        status=Status.RUNNING,
        exposure_cap_pct=60,
        segments=("new-customers", "business"),
    )
    Variant.objects.filter(experiment=fenced, key="short").update(weight=30)
    Variant.objects.create(experiment=fenced, key="long", name="Long greeting", weight=20)
    plain = make_experiment(
        proposer, approver, key="plain", status=Status.RUNNING, exposure_cap_pct=100, touchpoints=("chat", "web")
    )
    stopped = make_experiment(proposer, approver, key="stopped", status=Status.STOPPED, exposure_cap_pct=100)
    won = make_experiment(proposer, approver, key="won", status=Status.CONCLUDED, outcome="won", exposure_cap_pct=5)
    rollouts.roll_out(won, proposer)
    make_experiment(proposer, approver, key="draft")
    return {e.key: e for e in (fenced, plain, stopped, won)}


@pytest.fixture
def secret(experiments, outsider):
    """A key for the chat touchpoint, made by someone with no role (every experiment is on chat)."""
    return make_service_key(outsider, touchpoint=Touchpoint.objects.get(key="chat"), actions=("assign",))[1]


@pytest.fixture
def sdk(plain_live_server, secret):
    client = PagarClient(plain_live_server.url, secret, refresh_seconds=3600, background=False)
    yield client
    client._queue.clear()  # the test decides what is sent


def test_the_client_ships_the_servers_hashing_function_for_function():
    for name in ("unit_fraction", "is_exposed", "arm_for"):
        assert inspect.getsource(getattr(client_hashing, name)) == inspect.getsource(getattr(server_hashing, name))
    assert client_hashing.ALGORITHM == sdk_config.ALGORITHM


def test_the_client_speaks_the_servers_reasons():
    words = {getattr(client_rules, name) for name in dir(client_rules) if name.isupper() and name != "NOT_IN_CONFIG"}
    assert set(assignment.REASONS) <= words
    assert client_rules.SERVES_ROLLOUT == assignment.SERVES_ROLLOUT


@pytest.mark.django_db(transaction=True)
def test_client_and_server_give_identical_answers_on_100000_units(sdk, experiments):
    assert set(sdk._rules) == {"fenced", "plain", "stopped", "won"}  # not the draft
    keys = ["fenced", "plain", "stopped", "won"]
    cases = [(keys[n % 4], f"customer-{n}", SEGMENTS[(n // 4) % 4], TOUCHPOINTS[(n // 16) % 4]) for n in range(UNITS)]
    reasons = set()
    for experiment, group in itertools.groupby(sorted(cases, key=lambda case: case[0]), key=lambda case: case[0]):
        group = list(group)
        for start in range(0, len(group), 1000):
            chunk = group[start : start + 1000]
            items = [
                {"unit": unit, "segment": segment, "touchpoint": touchpoint} for _, unit, segment, touchpoint in chunk
            ]
            server = assignment.assign_many(experiment, items, count=False)
            client = [sdk.assign(experiment, unit, segment, touchpoint) for _, unit, segment, touchpoint in chunk]
            for s, c in zip(server, client, strict=True):
                assert (s.experiment, s.unit, s.enrolled, s.variant, s.reason) == (
                    c.experiment,
                    c.unit,
                    c.enrolled,
                    c.variant,
                    c.reason,
                ), (experiment, s.unit)
                reasons.add(s.reason)
    # Every branch of the fence was compared, not just the easy ones.
    assert reasons == set(assignment.REASONS)


@pytest.mark.django_db(transaction=True)
def test_a_stop_bumps_the_version_and_the_next_fetch_says_stopped(sdk, experiments, proposer):
    before = sdk.rule("plain")
    assert before.status == "running"
    assert sdk.assign("plain", "customer-1", touchpoint="chat").enrolled is True
    assert sdk.refresh() is False  # unchanged: the server answered 304

    lifecycle.transition(
        experiments["plain"], "stop", proposer, reason="Complaints are rising.", lesson="Complaints rose."
    )

    assert sdk.refresh() is True
    after = sdk.rule("plain")
    assert after.status == "stopped" and after.version == before.version + 1
    answer = sdk.assign("plain", "customer-1", touchpoint="chat")
    assert (answer.enrolled, answer.variant, answer.reason) == (False, "control", "not_running")


@pytest.mark.django_db(transaction=True)
def test_a_revert_reaches_the_client_through_the_version(sdk, experiments, proposer):
    assert sdk.assign("won", "u1", touchpoint="chat").variant == "short"
    version = sdk.rule("won").version
    rollouts.revert(experiments["won"], proposer)
    assert sdk.refresh() is True
    assert sdk.rule("won").version == version + 1
    assert sdk.assign("won", "u1", touchpoint="chat").reason == "not_running"


@pytest.mark.django_db(transaction=True)
def test_exposures_are_counted_once_in_the_assignment_counts(sdk, experiments):
    units = [f"customer-{n}" for n in range(300)]
    answers = [sdk.assign("fenced", unit, "business", "chat") for unit in units]
    enrolled = {a.unit: a.variant for a in answers if a.enrolled}
    for unit in units[:50]:  # asked again: queued once
        sdk.assign("fenced", unit, "business", "chat")
    assert sdk.queued_exposures == len(enrolled)
    queued = list(sdk._queue)

    [report] = sdk.flush_exposures()
    assert report == {"received": len(enrolled), "counted": len(enrolled), "not_enrolled": 0, "disagreements": []}
    # The same batch again (a retry after a lost answer): nothing counted twice.
    sdk._queue[:] = queued
    sdk.flush_exposures()
    assignment_buffer.flush_assignments()

    stored = dict(AssignedUnit.objects.filter(experiment__key="fenced").values_list("unit_id", "variant__key"))
    assert stored == enrolled
    assert sum(AssignmentCount.objects.filter(experiment__key="fenced").values_list("count", flat=True)) == len(
        enrolled
    )


@pytest.mark.django_db(transaction=True)
def test_an_unchanged_configuration_is_a_304_with_the_same_etag(plain_live_server, secret, experiments):
    import urllib.error
    import urllib.request

    first = urllib.request.urlopen(
        urllib.request.Request(plain_live_server.url + "/api/sdk/config/", headers={"Authorization": f"Key {secret}"})
    )
    etag = first.headers["ETag"]
    with pytest.raises(urllib.error.HTTPError) as not_modified:
        urllib.request.urlopen(
            urllib.request.Request(
                plain_live_server.url + "/api/sdk/config/",
                headers={"Authorization": f"Key {secret}", "If-None-Match": etag},
            )
        )
    assert not_modified.value.code == 304 and not_modified.value.headers["ETag"] == etag


@pytest.mark.django_db(transaction=True)
def test_a_wrong_key_fails_at_start(plain_live_server, experiments):
    with pytest.raises(PagarError) as refused:
        PagarClient(plain_live_server.url, "pgk_nope_nope", background=False)
    assert refused.value.status == 401


def test_the_client_refuses_unit_ids_the_server_refuses():
    from pagar_client.rules import clean_unit

    assert clean_unit("  u1 ") == "u1" and clean_unit(42) == "42"
    for bad in ("", "   ", "bad\tid", "x" * 201, None, True):
        with pytest.raises(ValueError):
            clean_unit(bad)


@pytest.mark.django_db(transaction=True)
def test_a_refused_batch_is_dropped_and_does_not_block_the_queue(plain_live_server, experiments, outsider):
    key, secret = make_service_key(outsider, [experiments["plain"]], actions=("assign",))
    sdk = PagarClient(plain_live_server.url, secret, refresh_seconds=3600, exposure_batch=10, background=False)
    enrolled = [sdk.assign("plain", f"u{n}", touchpoint="chat") for n in range(10)]
    assert all(answer.enrolled for answer in enrolled)
    key.experiments.clear()  # the key loses the experiment: the server refuses these exposures (403)
    assert sdk.flush_exposures() == []
    assert (sdk.queued_exposures, sdk.dropped_exposures, sdk.last_error.status) == (0, 10, 403)


@pytest.mark.django_db(transaction=True)
def test_the_background_thread_brings_a_stop_within_the_bound_and_sends_exposures(
    plain_live_server, secret, experiments, proposer
):
    import time

    sdk = PagarClient(plain_live_server.url, secret, refresh_seconds=0.2, timeout=2)
    try:
        assert sdk.assign("plain", "customer-1", touchpoint="chat").enrolled is True
        # Sent by the thread and counted by the server before the stop (the queue empties when a
        # batch is taken, before its request is answered; one retried after the stop would not count).
        sent_by = time.monotonic() + sdk.refresh_seconds + 2 * sdk.timeout
        counted = AssignedUnit.objects.filter(experiment__key="plain", unit_id="customer-1")
        while time.monotonic() < sent_by:
            assignment_buffer.flush_assignments()
            if counted.exists():
                break
            time.sleep(0.02)
        assert sdk.queued_exposures == 0 and counted.exists()
        lifecycle.transition(
            experiments["plain"], "stop", proposer, reason="Complaints are rising.", lesson="Complaints rose."
        )
        stopped_at = time.monotonic()
        bound = sdk.refresh_seconds + 2 * sdk.timeout
        while sdk.rule("plain").status != "stopped" and time.monotonic() - stopped_at < bound:
            time.sleep(0.02)
        assert sdk.rule("plain").status == "stopped"
    finally:
        sdk.close()
    assignment_buffer.flush_assignments()
    assert AssignedUnit.objects.filter(experiment__key="plain", unit_id="customer-1").exists()
