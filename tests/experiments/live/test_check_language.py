"""A check is worded in each reader's language: its record keeps the site's words, and every
surface (the page, the notices, the emails) words the kept phrases for whoever reads them."""

import datetime as dt
import json

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from accounts import preferences
from approvals.models import Notification
from experiments.hooks import notify
from experiments.live.monitoring import run_check
from experiments.stats.phrases import phrase, worded
from tests.experiments.live.test_monitoring import D0, HARMFUL, experiment, on  # noqa: F401
from tests.experiments.live.test_monitoring_data import quiet, write_rates  # noqa: F401
from tests.experiments.web import https_client

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("quiet")]

ENGLISH = "clearly worse than control"


def in_indonesian(msgid: str) -> str:
    """The Indonesian words of a msgid's fixed part (before its first placeholder)."""
    with translation.override("id"):
        return gettext(msgid).split("%(")[0]


@pytest.fixture
def stopped(experiment):  # noqa: F811
    write_rates(experiment, D0 + dt.timedelta(days=1), 3000, HARMFUL)
    with on(D0 + dt.timedelta(days=3)):
        return run_check(experiment.pk, D0 + dt.timedelta(days=3))


def test_the_record_keeps_the_sites_words_and_each_reader_gets_their_own(stopped):
    assert ENGLISH in stopped.sentence  # the record, as written in the site's language
    with translation.override("id"):
        indonesian = stopped.display_sentence
    assert indonesian.startswith(in_indonesian("Stop and roll back: %(said)s"))
    assert ENGLISH not in indonesian and "points higher" not in indonesian
    with translation.override("en"):
        assert stopped.display_sentence == stopped.sentence


def test_the_page_shows_the_check_in_the_readers_language(stopped, proposer):
    preferences.save_language(proposer, "id")
    page = https_client(proposer).get(reverse("experiment-detail", args=[stopped.experiment.key]))
    text = page.content.decode()
    with translation.override("id"):
        assert stopped.display_sentence.split(" (")[0] in text
    assert ENGLISH not in text


@pytest.mark.approvals  # the approvals app delivers the notices
def test_each_person_is_told_of_the_stop_in_their_own_language(stopped, proposer, approver):
    preferences.save_language(proposer, "id")
    # The notices were written when the check stopped it: the proposer's before choosing Indonesian.
    Notification.objects.all().delete()
    notify("stopped", stopped.experiment, [proposer, approver], stopped.words, key="stopped:again")
    by_person = {n.user.username: n.message for n in Notification.objects.filter(dedupe_key="stopped:again")}
    assert ENGLISH in by_person[approver.username]
    assert ENGLISH not in by_person[proposer.username]
    with translation.override("id"):
        assert stopped.display_sentence.split(" (")[0] in by_person[proposer.username]


def test_a_phrase_kept_as_json_is_worded_the_same():
    said = phrase("Continue: %(said)s", said=phrase("no win and no harm shown yet."))
    assert worded(json.loads(json.dumps(said))) == "Continue: no win and no harm shown yet."
    with translation.override("id"):
        assert worded(said) == gettext("Continue: %(said)s") % {"said": gettext("no win and no harm shown yet.")}
        assert worded(said) != "Continue: no win and no harm shown yet."
