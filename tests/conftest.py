"""Shared base: one named user per role, all with the same password (factories.PASSWORD)."""

import pytest
from django.test import override_settings
from django.utils import translation

from experiments import roles
from tests.factories import PASSWORD, make_experiment, make_user


@pytest.fixture(scope="session", autouse=True)
def test_wide_settings():
    """Serve static files unhashed, from the source folders, as runserver does (production uses
    WhiteNoise's hashed manifest, which exists only after collectstatic), and hash passwords
    fast: users are made per test and the production hasher would dominate the run time.
    Assignment counts are flushed only when a test says so (flush_assignments()): the buffer's
    timer thread would write on its own connection, outside the test's transaction."""
    storages = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    with override_settings(
        STORAGES=storages,
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        ASSIGNMENT_FLUSH_THREAD=False,
        ASSIGNMENT_FLUSH_SIZE=100_000,
        ASSIGNMENT_FLUSH_SECONDS=3600,
    ):
        yield


@pytest.fixture(autouse=True)
def _empty_cache():
    """The cache holds the API's rate-limit counters (per address): each test starts with none."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def seeded_catalogues(db):
    """The seed migration's catalogues. Transactional tests flush the database afterwards, so a
    transactional test that needs them asks for this fixture (loading is idempotent)."""
    from django.apps import apps

    from experiments.catalogue_seed import load

    load(apps)


@pytest.fixture
def password():
    return PASSWORD


@pytest.fixture
def proposer(db):
    return make_user("priya_proposer", roles.PROPOSER)


@pytest.fixture
def co_author(db):
    return make_user("colin_coauthor", roles.PROPOSER)


@pytest.fixture
def approver(db):
    return make_user("alex_approver", roles.APPROVER)


@pytest.fixture
def other_approver(db):
    return make_user("olga_approver", roles.APPROVER)


@pytest.fixture
def signal_owner(db):
    return make_user("sam_signal", roles.SIGNAL_OWNER)


@pytest.fixture
def standards_keeper(db):
    return make_user("kim_keeper", roles.STANDARDS_KEEPER)


@pytest.fixture
def board_member(db):
    return make_user("bo_board", roles.BOARD)


@pytest.fixture
def outsider(db):
    """Signed in, but holds no role."""
    return make_user("nora_norole")


@pytest.fixture
def admin_user(db):
    return make_user("ada_admin", superuser=True)


@pytest.fixture
def draft(proposer, approver):
    return make_experiment(proposer, approver)


@pytest.fixture
def experiment_factory(db):
    return make_experiment


def _withheld_apps():
    import os

    return [owner for owner in os.environ.get("PAGAR_TEST_WITHOUT", "").split(",") if owner]


def pytest_collection_modifyitems(config, items):
    """Tests marked with an app's name exercise that app through its hooks: skipped when withheld."""
    for owner in _withheld_apps():
        skip = pytest.mark.skip(reason=f"needs the {owner} app's hooks, withheld by PAGAR_TEST_WITHOUT")
        for item in items:
            if owner in item.keywords:
                item.add_marker(skip)


@pytest.fixture(autouse=True)
def _without_app_hooks():
    """PAGAR_TEST_WITHOUT=approvals runs the tests with that app's lifecycle hooks taken away
    (CI does so for the experiments app's own tests: experiments stands without approvals)."""
    from experiments.hooks import registry

    owners = _withheld_apps()
    if not owners:
        yield
        return
    with registry.without(*owners):
        yield


_REAL_PUBLISH = []


@pytest.fixture(autouse=True)
def _outbox_worker(monkeypatch):
    """The outbox's nudge after commit (mailing.outbox.publish) runs the delivery at once, as a
    worker would, instead of publishing to the broker: what an action emails is in mail.outbox
    after its on_commit callbacks ran. A test of a broker outage patches publish to raise."""
    from mailing import outbox

    if not _REAL_PUBLISH:
        _REAL_PUBLISH.append(outbox.publish)
    monkeypatch.setattr(outbox, "publish", outbox.deliver_pending)


@pytest.fixture
def broker_down(monkeypatch):
    """The outbox's nudge after commit cannot reach the broker (kombu's error from publish).
    Yields the mock, to see that the nudge was tried."""
    from unittest import mock

    from kombu.exceptions import OperationalError

    from mailing import outbox

    refused = OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")
    with mock.patch.object(outbox, "publish", side_effect=refused) as publish:
        yield publish


@pytest.fixture
def no_broker(monkeypatch):
    """The broker is down: the outbox's real nudge (not the stand-in worker above) and every other
    .delay/.apply_async fail to connect, as kombu does. Yields the connection attempts made."""
    from celery.app.task import Task
    from kombu.exceptions import OperationalError

    from config.celery import app
    from mailing import outbox

    monkeypatch.setattr(outbox, "publish", _REAL_PUBLISH[0])  # not _outbox_worker's stand-in
    attempts = []

    def refused(*args, **kwargs):
        attempts.append(args)
        raise OperationalError("[Errno 111] Connection refused")

    monkeypatch.setattr(type(app), "connection_for_write", refused)
    monkeypatch.setattr(Task, "apply_async", refused)
    assert outbox.publish is not outbox.deliver_pending
    return attempts


@pytest.fixture(autouse=True)
def _default_language_between_tests():
    """A request's language (LocaleMiddleware, a person's setting) stays active on the thread after
    the test client returns; each test starts in the site's default, whatever ran before it."""
    translation.deactivate()
    yield
    translation.deactivate()
