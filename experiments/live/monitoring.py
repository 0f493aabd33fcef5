"""The daily monitoring slot: start what is due, check what is due, act on the decision.

The database says what is due, not beat: approved experiments whose planned start has come, and
running experiments whose `next_check_at` falls on or before today. Beat only wakes the sweep, so
a missed day is caught up by the next sweep (one look per sweep date, never a backlog).

Each look is claimed once: `run_check` locks the experiment row and records one `Check` per
experiment and look date (unique), so two beats, a retried task or a re-run after a killed worker
give exactly one check and one stop. The check, the lifecycle move, its event and the
notifications commit together or not at all.
"""

import datetime as dt
import functools
import logging
import zoneinfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, models, transaction
from django.db.models import Q
from django.utils import dateformat, timezone

from experiments import roles
from experiments.hooks import notify
from experiments.lifecycle import TransitionError, transition
from experiments.live.count_sources import dominant_key
from experiments.live.look_inputs import build_look, looks_so_far
from experiments.models import Check, Experiment, Outcome, Status
from experiments.stats.decision import LookResult
from experiments.stats.inputs import StatsInputError
from experiments.stats.verdicts import LookAction
from experiments.verdicts import record_allows_won

log = logging.getLogger(__name__)

MONITORING_TASK = "Daily monitoring"  # the periodic task's name (cadence.schedule)


# --- when ----------------------------------------------------------------------------------------


def slot_time() -> tuple[dt.time, zoneinfo.ZoneInfo]:
    """The slot's time of day and zone: the periodic task's crontab as edited in the admin, else
    settings.MONITORING_TIME in settings.TIME_ZONE."""
    from django_celery_beat.models import PeriodicTask

    task = PeriodicTask.objects.filter(name=MONITORING_TASK).select_related("crontab").first()
    crontab = task.crontab if task is not None else None
    if crontab is not None and crontab.hour.isdigit() and crontab.minute.isdigit():
        return dt.time(int(crontab.hour), int(crontab.minute)), zoneinfo.ZoneInfo(str(crontab.timezone))
    hour, minute = (int(part) for part in settings.MONITORING_TIME.split(":"))
    return dt.time(hour, minute), zoneinfo.ZoneInfo(settings.TIME_ZONE)


def next_slot_after(look_date: dt.date) -> dt.datetime:
    """When the look after `look_date` is due: the next day's slot."""
    at, zone = slot_time()
    return dt.datetime.combine(look_date + dt.timedelta(days=1), at, tzinfo=zone)


def end_of_day(day: dt.date) -> dt.datetime:
    """The first moment after `day`, local time."""
    return timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time()))


def due_for_check(now: dt.datetime):
    """Running experiments whose next look falls on or before today. The date counts, not the
    minute: a sweep a little early, or after the slot was moved earlier in the admin, still
    takes today's look."""
    today = timezone.localdate(now)
    return Experiment.objects.filter(status=Status.RUNNING).filter(
        Q(next_check_at__isnull=True) | Q(next_check_at__lt=end_of_day(today))
    )


# --- who hears about it --------------------------------------------------------------------------


def signal_owners():
    return list(get_user_model().objects.filter(groups__name=roles.SIGNAL_OWNER, is_active=True).distinct())


def everyone_involved(experiment: Experiment):
    """Owner, co-authors, the named approver and every active signal owner."""
    people = [experiment.owner, experiment.approver, *experiment.co_authors.all(), *signal_owners()]
    return [person for person in people if person is not None]


def day_text(day: dt.date) -> str:
    return dateformat.format(day, "j M Y")


def _title(experiment: Experiment) -> str:
    return f"“{experiment.title}” ({experiment.key})"


# --- starting ------------------------------------------------------------------------------------


def start_due(today: dt.date, experiments=None) -> list[Experiment]:
    """Start approved experiments whose planned start has come (each in its own transaction, with
    its STARTED notifications). One whose planned end has already passed is left alone: starting
    it would only conclude it at once with no data. Returns those started."""
    candidates = Experiment.objects.filter(status=Status.APPROVED, planned_start__lte=today, planned_end__gte=today)
    if experiments is not None:
        candidates = candidates.filter(pk__in=[e.pk for e in experiments])
    started = []
    for experiment in candidates.order_by("planned_start", "pk"):
        try:
            with transaction.atomic():
                transition(experiment, "start", None, reason=f"Planned start {day_text(experiment.planned_start)}.")
                late = (
                    ""
                    if experiment.planned_start == today
                    else f" (planned start {day_text(experiment.planned_start)})"
                )
                notify(
                    "started",
                    experiment,
                    everyone_involved(experiment),
                    f"{_title(experiment)} started on {day_text(today)}{late}. The daily checks watch it from now on.",
                )
        except TransitionError as refused:  # another sweep started it at the same moment
            log.info("Not starting %s: %s", experiment.key, refused.message)
            continue
        started.append(experiment)
    return started


# --- the sweep -----------------------------------------------------------------------------------


def sweep(now: dt.datetime | None = None) -> dict:
    """The slot: start what is due, then queue one check task per due experiment (after commit).
    Returns {"started": [keys], "queued": [keys]}."""
    from experiments.tasks import check_experiment

    now = now or timezone.now()
    today = timezone.localdate(now)
    started = start_due(today)
    with transaction.atomic():
        due = list(due_for_check(now).order_by("pk").values_list("pk", "key"))
        for pk, _ in due:
            # robust: one failed send is logged and the others still go; the next sweep retries it.
            transaction.on_commit(functools.partial(check_experiment.delay, pk, today.isoformat()), robust=True)
    return {"started": [e.key for e in started], "queued": [key for _, key in due]}


# --- one look ------------------------------------------------------------------------------------


def run_check(experiment_id: int, look_date: dt.date, trigger: str = Check.Trigger.SCHEDULE) -> Check | None:
    """Take the look of `look_date` once and act on it. Returns the Check (the one already recorded
    if this look was taken before), or None when the experiment is not running or a later look
    exists (a stale task)."""
    if look_date > timezone.localdate():
        raise ValueError(f"look_date: {look_date} is in the future; a look reads data up to its date")
    try:
        with transaction.atomic():
            experiment = Experiment.objects.select_for_update().filter(pk=experiment_id).first()
            if experiment is None:
                return None  # deleted since the task was queued
            existing = Check.objects.taken(experiment, look_date).first()
            if existing is not None:
                return existing
            if experiment.status != Status.RUNNING:
                return None
            if (
                Check.objects.exclude(action=Check.Action.ERROR)
                .filter(experiment=experiment, look_date__gt=look_date)
                .exists()
            ):
                return None  # looks are taken in order; the boundaries depend on it
            return _look_and_act(experiment, look_date, trigger)
    except IntegrityError:
        # The unique look was recorded by someone else between our read and our write.
        existing = Check.objects.taken(experiment_id, look_date).first()
        if existing is None:
            raise
        return existing


def _look_and_act(experiment: Experiment, look_date: dt.date, trigger: str) -> Check:
    now = timezone.now()
    try:
        look = build_look(experiment, look_date)
        result = look.evaluate()
    except StatsInputError as error:
        return _record_error(experiment, look_date, trigger, now, error)

    sentence = check_sentence(result)
    if result.action == LookAction.STOP and result.srm.failed:
        sentence = _with_dominant_key(sentence, experiment, look_date)
    check = Check.objects.create(
        experiment=experiment,
        look_date=look_date,
        look=result.look,
        action=result.action,
        outcome=result.outcome or "",
        sentence=sentence,
        information_fraction=result.information_fraction,
        days_elapsed=look.days_elapsed,
        final=look.final,
        units=result.srm.counts,
        result=result.as_dict(),
        data_through=look.data_through,
        trigger=trigger,
        created_at=now,
    )
    when = day_text(look_date)
    if result.action == LookAction.STOP:
        transition(experiment, "stop", None, reason=sentence)
        notify(
            "stopped",
            experiment,
            everyone_involved(experiment),
            f"{_title(experiment)} was stopped by the check of {when}. {sentence}",
        )
        _set_next_check(experiment, None)
    elif result.action == LookAction.CONCLUDE:
        transition(experiment, "complete", None, reason=f"The check of {when} reached a decision.")
        transition(experiment, "conclude", None, reason=sentence, outcome=result.outcome)
        notify(
            "concluded",
            experiment,
            everyone_involved(experiment),
            f"{_title(experiment)} was concluded by the check of {when}. {sentence}",
        )
        _set_next_check(experiment, None)
    else:
        _set_next_check(experiment, next_slot_after(look_date))
    return check


def check_sentence(result: LookResult) -> str:
    """The engine's sentence, except before any metric has enough data, where it says so."""
    reason = result.not_enough_data_reason
    if reason is not None:
        return f"Continue: not enough data yet — {reason}."
    return result.sentence


def _with_dominant_key(sentence: str, experiment: Experiment, look_date: dt.date) -> str:
    """The engine's sentence, and which service key brought most of the last day's units if one did."""
    dominant = dominant_key(experiment, look_date)
    return sentence if dominant is None else f"{sentence} {dominant.sentence()}"


def _same_error_as_last_check(experiment, error: StatsInputError) -> Check | None:
    """The latest check, when it failed with this very error: a failure is recorded and told once,
    not again every day (the experiment page keeps showing it until a check succeeds)."""
    latest = Check.objects.filter(experiment=experiment).order_by("-look_date", "-created_at", "-pk").first()
    if latest is None or latest.action != Check.Action.ERROR:
        return None
    same = latest.result.get("field") == error.field and latest.result.get("message") == error.message
    return latest if same else None


def _record_error(experiment, look_date, trigger, now, error: StatsInputError) -> Check:
    """Bad or missing data: recorded, signal owners told, the experiment keeps running. The same
    failure again is not recorded or told again: the first record stands (and is shown). The same
    look failing again (a redelivered task, an operator's re-run) updates that look's error record
    (tries, last error) and tells nobody: one error check and one notice per look date."""
    earlier = (
        Check.objects.filter(experiment=experiment, look_date=look_date, action=Check.Action.ERROR)
        .order_by("pk")
        .first()
    )
    if earlier is not None:
        _error_again(earlier, error, now)
        log.info(
            "Check of %s on %s failed again (try %s): %s", experiment.key, look_date, earlier.result["tries"], error
        )
        _set_next_check(experiment, next_slot_after(look_date))
        return earlier
    repeated = _same_error_as_last_check(experiment, error)
    if repeated is not None:
        log.info("Check of %s on %s failed again as on %s: %s", experiment.key, look_date, repeated.look_date, error)
        _set_next_check(experiment, next_slot_after(look_date))
        return repeated
    sentence = (
        f"Could not check: {error}. The experiment keeps running; fix the data or the setup and the next check will "
        "try again."
    )
    check = Check.objects.create(
        experiment=experiment,
        look_date=look_date,
        look=looks_so_far(experiment, look_date),
        action=Check.Action.ERROR,
        sentence=sentence,
        result={"action": "error", "field": error.field, "message": error.message, "sentence": sentence},
        trigger=trigger,
        created_at=now,
    )
    # No notification kind says "could not check"; an escalation to the signal owners is what it is.
    notify(
        "check_failed",
        experiment,
        signal_owners(),
        f"{_title(experiment)}, check of {day_text(look_date)}: {sentence}",
        key=f"check_failed:{experiment.pk}:{look_date.isoformat()}",
    )
    _set_next_check(experiment, next_slot_after(look_date))
    return check


def _error_again(check: Check, error: StatsInputError, now: dt.datetime) -> None:
    """Count one more try on the look's error record and keep its last error. Checks are
    append-only; an error record is no look (one_check_per_look leaves it out), and its tries and
    last error are all that is ever updated on it."""
    result = {
        **check.result,
        "tries": check.result.get("tries", 1) + 1,
        "last_error": {"field": error.field, "message": error.message, "at": now.isoformat()},
    }
    models.QuerySet.update(Check.objects.filter(pk=check.pk, action=Check.Action.ERROR), result=result)
    check.result = result


def _set_next_check(experiment: Experiment, when: dt.datetime | None):
    experiment.next_check_at = when
    experiment.save(update_fields=["next_check_at"])


# --- after the slot ------------------------------------------------------------------------------


def awaiting_promotion():
    """Concluded as won and not promoted yet: the monthly promotion review's queue, oldest first.
    Not one a check stopped for harm or invalid data without an agreed override (old data too)."""
    won = Experiment.objects.filter(status=Status.CONCLUDED, outcome=Outcome.WON)
    return record_allows_won(won).order_by("updated_at", "pk")
