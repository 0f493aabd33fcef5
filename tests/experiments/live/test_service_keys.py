"""Service keys at the machine doors: only keyed calls in scope are counted; people preview."""

import datetime as dt

import pytest
import time_machine
from django.core.cache import cache
from django.utils import timezone

from accounts.tokens import issue
from experiments import service_keys
from experiments.live import assignment_buffer
from experiments.live.assignment_buffer import flush_assignments
from experiments.models import AssignedUnit, ServiceKey, Status
from tests.experiments.api.conftest import HttpsAPIClient
from tests.experiments.live.keyed import keyed_client
from tests.factories import make_experiment, make_service_key


@pytest.fixture(autouse=True)
def empty_throttle_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def live(proposer, approver):
    return make_experiment(proposer, approver, key="live", status=Status.RUNNING, exposure_cap_pct=100)


def batch(client, units=("u1", "u2", "u3"), experiment="live"):
    return client.post(
        "/api/assignments/",
        {"experiment": experiment, "units": [{"unit": u, "touchpoint": "chat"} for u in units]},
        format="json",
    )


def with_secret(secret, header="authorization"):
    client = HttpsAPIClient()
    if header == "authorization":
        client.credentials(HTTP_AUTHORIZATION=f"Key {secret}")
    else:
        client.credentials(HTTP_X_PAGAR_KEY=secret)
    return client


def test_a_persons_token_on_the_batch_is_403_saying_a_key_is_needed(live, proposer):
    client = HttpsAPIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {issue(proposer)[1]}")
    response = batch(client)
    assert response.status_code == 403
    assert response.json()["problems"] == [{"field": "Authorization", "message": response.json()["detail"]}]
    assert "takes a service key, not a person's sign-in" in response.json()["detail"]
    assert len(assignment_buffer.buffer) == 0


@pytest.mark.parametrize("header", ["authorization", "x-pagar-key"])
def test_a_key_in_scope_is_answered_and_counted_with_the_key(live, proposer, header):
    key, secret = make_service_key(proposer, [live], actions=("assign",))
    response = batch(with_secret(secret, header))
    assert response.status_code == 200
    assert [row["counted"] for row in response.json()] == [True, True, True]
    assert flush_assignments() == 3
    counted = set(AssignedUnit.objects.values_list("unit_id", "service_key"))
    assert counted == {("u1", key.pk), ("u2", key.pk), ("u3", key.pk)}
    key.refresh_from_db()
    assert key.last_used_at is not None


def test_a_persons_get_is_a_preview_and_not_counted(live, outsider):
    client = HttpsAPIClient()
    client.force_login(outsider)
    answer = client.get("/api/experiments/live/assignment/", {"unit": "u1", "touchpoint": "chat"}).json()
    assert (answer["enrolled"], answer["counted"]) == (True, False)
    assert len(assignment_buffer.buffer) == 0
    assert flush_assignments() == 0 and not AssignedUnit.objects.exists()


def test_a_keyed_get_is_counted(live, proposer):
    client = keyed_client(proposer, [live])
    answer = client.get("/api/experiments/live/assignment/", {"unit": "u1", "touchpoint": "chat"}).json()
    assert answer["counted"] is True
    flush_assignments()
    assert AssignedUnit.objects.get().service_key == client.service_key


def test_a_revoked_key_is_401(live, proposer):
    key, secret = make_service_key(proposer, [live])
    service_keys.revoke_key(proposer, key)
    response = batch(with_secret(secret))
    assert response.status_code == 401
    assert response.json()["detail"] == "This service key was revoked."
    assert response["WWW-Authenticate"] == "Key"


def test_an_expired_key_is_401(live, proposer):
    key, secret = make_service_key(proposer, [live], expires_at=timezone.now() + dt.timedelta(days=2))
    assert batch(with_secret(secret)).status_code == 200
    with time_machine.travel(timezone.now() + dt.timedelta(days=3)):
        response = batch(with_secret(secret))
    assert response.status_code == 401
    assert response.json()["detail"].startswith("This service key expired on")


def test_a_wrong_secret_with_a_real_prefix_is_401(live, proposer):
    key, secret = make_service_key(proposer, [live])
    assert batch(with_secret(secret[:-2] + "xx")).status_code == 401


def test_an_experiment_outside_the_scope_is_403_naming_the_scope(live, proposer, approver):
    other = make_experiment(proposer, approver, key="other", status=Status.RUNNING, exposure_cap_pct=100)
    _, secret = make_service_key(proposer, [other], actions=("assign",))
    response = batch(with_secret(secret))
    assert response.status_code == 403
    assert response.json()["detail"] == (
        "Experiment 'live' is outside this service key's scope (experiments other; actions: assign)."
    )
    get = with_secret(secret).get("/api/experiments/live/assignment/", {"unit": "u1", "touchpoint": "chat"})
    assert get.status_code == 403
    assert len(assignment_buffer.buffer) == 0


def test_a_touchpoint_key_covers_the_experiments_on_it_only(live, proposer, approver, admin_user):
    make_experiment(proposer, approver, key="by-email", status=Status.RUNNING, touchpoints=("email",))
    client = keyed_client(admin_user, touchpoint="chat", actions=("assign",))
    assert batch(client).status_code == 200
    response = batch(client, experiment="by-email")
    assert response.status_code == 403
    assert "(touchpoint chat; actions: assign)" in response.json()["detail"]


def test_a_key_that_may_only_send_data_may_not_assign(live, proposer):
    _, secret = make_service_key(proposer, [live], actions=("send_data",))
    response = batch(with_secret(secret))
    assert response.status_code == 403
    assert response.json()["detail"] == (
        "This service key may not assign; its scope is experiments live; actions: send data."
    )


def test_each_key_has_its_own_rate_limit(live, proposer, settings):
    settings.SERVICE_KEY_RATE = "3/min"
    busy, calm = keyed_client(proposer, [live]), keyed_client(proposer, [live])
    assert [batch(busy).status_code for _ in range(4)] == [200, 200, 200, 429]
    assert batch(calm).status_code == 200


# --- making, listing and revoking --------------------------------------------------------------


def test_an_author_makes_a_key_and_sees_the_secret_once(live, proposer):
    client = HttpsAPIClient()
    client.force_login(proposer)
    made = client.post(
        "/api/service-keys/", {"name": "chat router", "experiments": ["live"], "actions": ["assign"]}, format="json"
    )
    assert made.status_code == 201, made.json()
    secret = made.json()["secret"]
    key = ServiceKey.objects.get(prefix=made.json()["prefix"])
    assert secret.startswith(f"pgk_{key.prefix}_") and secret not in key.secret_sha256
    assert "secret" not in client.get("/api/service-keys/").json()[0]
    assert batch(with_secret(secret)).status_code == 200

    revoked = client.post(f"/api/service-keys/{key.prefix}/revoke/")
    assert revoked.json()["state"] == "revoked"
    assert batch(with_secret(secret)).status_code == 401


def test_someone_who_is_no_author_may_not_make_a_key_for_the_experiment(live, outsider):
    client = HttpsAPIClient()
    client.force_login(outsider)
    body = {"name": "x", "experiments": ["live"], "actions": ["assign"]}
    response = client.post("/api/service-keys/", body, format="json")
    assert response.status_code == 403
    assert response.json()["problems"][0]["field"] == "experiments"
    assert not ServiceKey.objects.exists()


def test_only_administrators_make_touchpoint_keys(live, proposer, admin_user):
    for user, expected in ((proposer, 403), (admin_user, 201)):
        client = HttpsAPIClient()
        client.force_login(user)
        body = {"name": "router", "touchpoint": "chat", "actions": ["assign", "send_data"]}
        assert client.post("/api/service-keys/", body, format="json").status_code == expected


def test_the_keys_page_makes_a_key_shows_its_secret_once_and_revokes(live, proposer, client):
    client.force_login(proposer)
    page = client.post(
        "/keys/", {"name": "chat router", "experiments": ["live"], "actions": ["assign"], "days": 30}, secure=True
    )
    assert page.status_code == 200
    key = ServiceKey.objects.get()
    secret = page.context["secret"]
    assert secret.startswith(f"pgk_{key.prefix}_") and secret in page.content.decode()
    listing = client.get("/keys/", secure=True).content.decode()
    assert key.prefix in listing and secret not in listing

    assert client.post(f"/keys/{key.prefix}/revoke/", secure=True).status_code == 302
    key.refresh_from_db()
    assert key.revoked_at is not None and key.revoked_by == proposer


def test_someone_elses_key_cannot_be_revoked(live, proposer, outsider, client):
    key, _ = make_service_key(proposer, [live])
    client.force_login(outsider)
    assert client.post(f"/keys/{key.prefix}/revoke/", secure=True).status_code == 404
    key.refresh_from_db()
    assert key.revoked_at is None


def test_the_admin_lists_keys_and_revokes_them(live, proposer, admin_user, client):
    key, _ = make_service_key(proposer, [live], name="chat router")
    client.force_login(admin_user)
    listing = client.get("/admin/experiments/servicekey/", secure=True)
    assert listing.status_code == 200 and "chat router" in listing.content.decode()
    assert client.get("/admin/experiments/servicekey/add/", secure=True).status_code == 403  # made on the keys page
    client.post("/admin/experiments/servicekey/", {"action": "revoke", "_selected_action": [key.pk]}, secure=True)
    key.refresh_from_db()
    assert key.revoked_by == admin_user
