"""The daily digest: what the slot changed since the last one, emailed to every signal owner."""

import datetime as dt
from unittest import mock

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from approvals.digest import send_digest
from approvals.models import DigestClaim, Notification
from config.celery import app
from experiments.lifecycle import transition
from experiments.live.monitoring import run_check, start_due
from experiments.models import Status
from mailing.models import Outbox
from tests.experiments.live.test_monitoring_data import started, write_day, write_rates
from tests.factories import make_experiment, make_user

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 3, 10)


def at(hour, minute=0, day=DAY):
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def later_experiment(proposer, approver):
    """A running experiment that joins after the day's digest was sent."""
    return make_experiment(
        proposer,
        approver,
        status=Status.RUNNING,
        key="later",
        title="Later",
        planned_start=DAY,
        planned_end=DAY + dt.timedelta(days=20),
    )


@pytest.fixture
def sent(django_capture_on_commit_callbacks):
    """Runs the digest at a time; emails really sent (the worker's task run in-process). The
    emails the set-up's notices queued are dropped first: only the digest's are sent here."""

    def run(now):
        Outbox.objects.filter(status=Outbox.Status.PENDING).delete()
        app.conf.task_always_eager = True
        try:
            with time_machine.travel(now, tick=False), django_capture_on_commit_callbacks(execute=True):
                return send_digest()
        finally:
            app.conf.task_always_eager = False

    return run


@pytest.fixture
def owners(signal_owner):
    second = make_user("sid_signal", "signal_owner")
    make_user("ivy_inactive", "signal_owner").__class__.objects.filter(username="ivy_inactive").update(is_active=False)
    return [signal_owner, second]


@pytest.fixture
def a_day_of_monitoring(proposer, approver, owners):
    """Yesterday's digest, then this morning's slot: one stop, one conclusion, one start, one error,
    one plain check; plus a stop by hand in the afternoon."""
    with mock.patch("mailing.outbox.nudge"):
        harmed = started(proposer, approver, on=DAY - dt.timedelta(days=5), key="harmed", title="Shorter greeting")
        write_rates(harmed, DAY - dt.timedelta(days=2), 3000, {("complaint-rate", "short"): 0.10})
        winner = started(proposer, approver, on=DAY - dt.timedelta(days=9), key="winner", title="Warmer sign-off")
        write_rates(
            winner,
            DAY - dt.timedelta(days=2),
            8000,
            {("fcr", "short"): 0.76, ("complaint-rate", "short"): 0.02, ("escalation-rate", "short"): 0.06},
        )
        broken = started(proposer, approver, on=DAY - dt.timedelta(days=3), key="broken", title="Callback offer")
        write_day(broken, DAY - dt.timedelta(days=1), "short", "fcr", 10, 60)
        steady = started(proposer, approver, on=DAY - dt.timedelta(days=3), key="steady", title="Queue position")
        handstop = started(proposer, approver, on=DAY - dt.timedelta(days=3), key="handstop", title="New IVR menu")
        make_experiment(
            proposer,
            approver,
            status=Status.APPROVED,
            key="fresh",
            title="Chat hours",
            planned_start=DAY,
            planned_end=DAY + dt.timedelta(days=13),
        )
        old = started(proposer, approver, on=DAY - dt.timedelta(days=3), key="old-news", title="Old news")

        with time_machine.travel(at(6, 0, DAY - dt.timedelta(days=1)), tick=False):
            run_check(old.pk, DAY - dt.timedelta(days=1))  # before the last digest: not news any more
        with time_machine.travel(at(6, 30, DAY - dt.timedelta(days=1)), tick=False):
            Notification.objects.create(
                user=owners[0], kind="digest", experiment=old, message="-", created_at=timezone.now()
            )

        with time_machine.travel(at(6, 0), tick=False):
            start_due(DAY)
            for experiment in (harmed, winner, broken, steady):
                run_check(experiment.pk, DAY)
        with time_machine.travel(at(14, 0), tick=False):
            transition(
                handstop,
                "stop",
                proposer,
                reason="The IVR vendor had an outage.",
                lesson="We learned what the data showed.",
            )


def test_each_signal_owner_gets_what_changed_since_the_last_digest(a_day_of_monitoring, owners, sent):
    assert sent(at(18, 0)) == 2

    assert sorted(m.to[0] for m in mail.outbox) == ["sam_signal@example.test", "sid_signal@example.test"]
    email = mail.outbox[0]
    assert (
        email.subject
        == "[Pagar] Monitoring digest: 2 stopped, 1 concluded, 1 started, 4 checks, 1 could not be checked"
    )
    lines = email.body.splitlines()
    assert lines[0] == "What the daily monitoring slot changed from 09 Mar 2026 06:30 to 10 Mar 2026 18:00 (UTC)."
    items = [line for line in lines if line.startswith("- ")]
    # stops first, then the conclusion, the error, the start, plain checks last
    assert items[0] == "- Stopped by Priya Proposer: “New IVR menu” (handstop). The IVR vendor had an outage."
    assert items[1].startswith(
        "- Stopped by the daily check: “Shorter greeting” (harmed). Stop and roll back: complaint rate 7 points"
    )
    assert items[2].startswith(
        "- Concluded as won by the daily check: “Warmer sign-off” (winner). Conclude (won): First-contact resolution "
        "improved"
    )
    assert items[3].startswith(
        "- Could not check “Callback offer” (broken) for 10 Mar 2026: metrics[fcr].short.successes: cannot exceed"
    )
    assert items[4] == "- Started by the daily check: “Chat hours” (fresh)."
    assert items[5] == (
        "- Checked “Queue position” (steady) for 10 Mar 2026: Continue: not enough data yet — each arm needs at "
        "least 10 units and control has 0."
    )
    assert len(items) == 6  # a stop's or conclusion's check is not repeated under its move
    assert "Old news" not in email.body  # checked before the last digest
    assert mail.outbox[1].body == email.body

    digests = Notification.objects.filter(kind="digest", created_at=at(18, 0))
    assert digests.count() == 2 * 6  # per owner, one per experiment mentioned
    assert set(digests.values_list("user__username", flat=True)) == {"sam_signal", "sid_signal"}
    assert digests.get(user=owners[1], experiment__key="harmed").message.startswith("Stopped by the daily check")


def test_nothing_new_sends_nothing_and_the_next_digest_covers_the_gap(a_day_of_monitoring, sent, proposer, approver):
    assert sent(at(18, 0)) == 2
    mail.outbox.clear()
    assert sent(at(18, 0, DAY + dt.timedelta(days=1))) == 0
    assert mail.outbox == []

    late = Notification.objects.filter(kind="digest").count()
    quiet_one = later_experiment(proposer, approver)
    with (
        time_machine.travel(at(6, 0, DAY + dt.timedelta(days=2)), tick=False),
        mock.patch("mailing.outbox.nudge"),
    ):
        run_check(quiet_one.pk, DAY + dt.timedelta(days=2))
    assert sent(at(18, 0, DAY + dt.timedelta(days=2))) == 2
    assert "from 10 Mar 2026 18:00 to 12 Mar 2026 18:00" in mail.outbox[0].body
    assert Notification.objects.filter(kind="digest").count() == late + 2


def test_no_signal_owner_no_digest(proposer, approver, sent):
    experiment = make_experiment(
        proposer, approver, status=Status.RUNNING, planned_start=DAY, planned_end=DAY + dt.timedelta(days=9)
    )
    with time_machine.travel(at(6, 0), tick=False):
        run_check(experiment.pk, DAY)
    assert sent(at(7, 0)) == 0
    assert mail.outbox == [] and not Notification.objects.filter(kind="digest").exists()


def test_two_beats_for_ten_minutes_send_one_digest_per_person_per_day(
    a_day_of_monitoring, owners, sent, proposer, approver
):
    """Two beats fire the digest every minute from 18:00 to 18:09 (a misconfigured schedule, a
    second beat left running); a check lands at 18:04. Each owner gets one digest that day, and
    the 18:04 news comes in the next day's."""
    later = later_experiment(proposer, approver)
    queued = []
    for minute in range(10):
        if minute == 4:
            with time_machine.travel(at(18, 4), tick=False), mock.patch("mailing.outbox.nudge"):
                run_check(later.pk, DAY)
        queued += [sent(at(18, minute)), sent(at(18, minute))]
    assert queued[0] == 2 and sum(queued) == 2
    assert sorted(m.to[0] for m in mail.outbox) == ["sam_signal@example.test", "sid_signal@example.test"]
    assert sorted(DigestClaim.objects.values_list("user__username", "day")) == [
        ("sam_signal", DAY),
        ("sid_signal", DAY),
    ]
    assert not Notification.objects.filter(kind="digest", experiment=later).exists()

    mail.outbox.clear()
    assert sent(at(18, 0, DAY + dt.timedelta(days=1))) == 2
    assert "“Later” (later)" in mail.outbox[0].body
    assert "from 10 Mar 2026 18:00 to 11 Mar 2026 18:00" in mail.outbox[0].body


def test_the_digest_email_is_claimed_once_even_when_queued_twice(a_day_of_monitoring, owners, sent):
    """A retried digest task after its claim committed: the outbox key keeps it to one email."""
    from mailing import outbox

    assert sent(at(18, 0)) == 2
    outbox.enqueue_email(["sam_signal@example.test"], "again", "again", key=f"digest:{DAY.isoformat()}:{owners[0].pk}")
    assert outbox.deliver_pending()["sent"] == 0
    assert len(mail.outbox) == 2


def test_each_signal_owner_reads_the_digest_in_their_own_language(
    a_day_of_monitoring, owners, sent, settings, tmp_path
):
    from accounts import preferences
    from tests.i18n.catalogue import compile_indonesian

    settings.LOCALE_PATHS = [str(compile_indonesian(tmp_path / "locale")), *settings.LOCALE_PATHS]
    preferences.save_language(owners[1], "id")
    assert sent(at(18, 0)) == 2
    (english,) = [m for m in mail.outbox if m.to == [owners[0].email]]
    (indonesian,) = [m for m in mail.outbox if m.to == [owners[1].email]]
    assert english.subject.startswith("[Pagar] Monitoring digest: 2 stopped, 1 concluded")
    assert indonesian.subject.startswith("[Pagar] Ringkasan pemantauan: 2 dihentikan, 1 disimpulkan")
    assert indonesian.body.startswith("Yang diubah slot pemantauan harian dari 09 Mar 2026 06:30 sampai 10 Mar 2026")
    assert "Dihentikan oleh pemeriksaan harian: “Shorter greeting” (harmed)." in indonesian.body
    assert "Stopped by the daily check" in english.body and "Stopped by" not in indonesian.body
    notice = Notification.objects.get(kind="digest", user=owners[1], experiment__key="harmed")
    assert notice.message.startswith("Dihentikan oleh pemeriksaan harian")
