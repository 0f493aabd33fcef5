import pytest

from tests.cadence.ideas.builders import make_series


@pytest.fixture
def facilitator(db):
    from tests.factories import make_user

    return make_user("fay_facilitator")


@pytest.fixture
def series(facilitator, proposer, approver):
    return make_series(facilitator, proposer, approver)


@pytest.fixture
def eager_celery():
    """Run queued tasks in place (the on-commit callbacks of a test run them)."""
    from django.test import override_settings

    from config.celery import app

    with override_settings(CELERY_TASK_ALWAYS_EAGER=True):
        app.conf.task_always_eager = True
        try:
            yield
        finally:
            app.conf.task_always_eager = False
