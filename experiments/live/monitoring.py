"""The daily monitoring slot: start what is due, check what is due, act on the decision.

The database says what is due, not beat: approved experiments whose planned start has come, and
running experiments whose `next_check_at` falls on or before the latest look date whose slot has
passed. Beat only wakes the sweep: at the slot ("Daily monitoring") and every few minutes
("Monitoring sweep", MONITORING_SWEEP_SECONDS), so a look missed at the slot is taken by the next sweep that day, and a
day missed altogether is caught up by the next sweep (the latest due look only, never a
backlog; the check records the dates it skipped, when it fell due and why it was late).
Every sweep queues every due look again, whatever was queued before: a task lost with a killed
worker or a broker that was down delays a look by one sweep, not a day.

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
from django.db.models import Max, Q
from django.utils import dateformat, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from experiments import charter, roles
from experiments.hooks import notify, registry
from experiments.lifecycle import TransitionError, transition
from experiments.live import kept_boundaries
from experiments.live.count_sources import dominant_key
from experiments.live.look_inputs import build_look, looks_so_far
from experiments.models import Check, Experiment, Outcome, Status
from experiments.stats.decision import LookResult
from experiments.stats.inputs import StatsInputError
from experiments.stats.phrases import Words, day, joined, phrase, worded
from experiments.stats.verdicts import LookAction
from experiments.verdicts import record_allows_won

log = logging.getLogger(__name__)

MONITORING_TASK = "Daily monitoring"  # the periodic task's name (cadence.schedule)
# Beat may wake the slot's sweep a moment before the minute; the look is due by then all the same.
EARLY_TOLERANCE = dt.timedelta(minutes=2)


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


def next_slot_after(look_date: dt.date, slot: tuple[dt.time, zoneinfo.ZoneInfo] | None = None) -> dt.datetime:
    """When the look after `look_date` is due: the next day's slot."""
    at, zone = slot or slot_time()
    return dt.datetime.combine(look_date + dt.timedelta(days=1), at, tzinfo=zone)


def end_of_day(day: dt.date) -> dt.datetime:
    """The first moment after `day`, local time."""
    return timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time()))


def due_at(look_date: dt.date, slot: tuple[dt.time, zoneinfo.ZoneInfo] | None = None) -> dt.datetime:
    """When the look of `look_date` falls due: that day's slot."""
    at, zone = slot or slot_time()
    return dt.datetime.combine(look_date, at, tzinfo=zone)


def latest_due_date(now: dt.datetime, slot: tuple[dt.time, zoneinfo.ZoneInfo] | None = None) -> dt.date:
    """The latest look date whose slot has passed at `now` (today after the slot, else yesterday);
    never after today's local date."""
    slot = slot or slot_time()
    day = now.astimezone(slot[1]).date()
    if now + EARLY_TOLERANCE < due_at(day, slot):
        day -= dt.timedelta(days=1)
    return min(day, timezone.localdate(now))


def due_for_check(now: dt.datetime, look_day: dt.date | None = None):
    """Running experiments whose next look is due at `now`: their `next_check_at` falls on or
    before the latest look date whose slot has passed, and that date's look is not taken yet.
    The date counts, not the minute: after the slot was moved earlier in the admin, the sweep at
    the new time still takes the day's look."""
    look_day = look_day or latest_due_date(now)
    taken = Check.objects.exclude(action=Check.Action.ERROR).filter(look_date__gte=look_day)
    return (
        Experiment.objects.filter(status=Status.RUNNING)
        .filter(Q(next_check_at__isnull=True) | Q(next_check_at__lt=end_of_day(look_day)))
        .exclude(pk__in=taken.values("experiment_id"))
    )


def _due_looks_query(now: dt.datetime, slot, due_before: dt.datetime | None = None):
    """The running experiments with a look due now and not taken, each with `started_at` (its
    latest start), and the look date. A look falls due at the day's slot, or at the start of an
    experiment started after it. With `due_before`: only the looks that fell due before then."""
    look_day = latest_due_date(now, slot)
    experiments = due_for_check(now, look_day).annotate(
        started_at=Max("events__created_at", filter=Q(events__action="start"))
    )
    if due_before is not None:
        if due_at(look_day, slot) >= due_before:
            return experiments.none(), look_day
        experiments = experiments.filter(Q(started_at__isnull=True) | Q(started_at__lt=due_before))
    return experiments, look_day


def due_looks(
    now: dt.datetime | None = None, due_before: dt.datetime | None = None
) -> list[tuple[Experiment, dt.date, dt.datetime]]:
    """Every look due now and not taken: (experiment, look date, when it fell due), oldest first;
    with `due_before`, only those that fell due before then."""
    now = now or timezone.now()
    slot = slot_time()
    experiments, look_day = _due_looks_query(now, slot, due_before)
    looks = []
    for experiment in experiments.order_by("pk"):
        due = due_at(look_day, slot)
        if experiment.started_at is not None and experiment.started_at > due:
            due = experiment.started_at  # started after the slot: due from its start
        looks.append((experiment, look_day, due))
    return sorted(looks, key=lambda look: (look[2], look[0].pk))


def count_due_looks(now: dt.datetime | None = None, due_before: dt.datetime | None = None) -> int:
    """How many of `due_looks(now, due_before)` there are, counted by the database (the footer's
    light on every page needs the number, not the looks)."""
    now = now or timezone.now()
    experiments, _look_day = _due_looks_query(now, slot_time(), due_before)
    return experiments.count()


_UNREAD = object()


def _last_start(experiment: Experiment):
    return experiment.events.filter(action="start").aggregate(last=Max("created_at"))["last"]


def missed_dates(experiment: Experiment, look_date: dt.date, slot=None, last_start=_UNREAD) -> list[dt.date]:
    """The look dates before `look_date` that were never taken: from the date its next look was
    due (or the day it started, if never checked) up to the day before."""
    if experiment.next_check_at is not None:
        since = experiment.next_check_at.astimezone((slot or slot_time())[1]).date()
    else:
        started = _last_start(experiment) if last_start is _UNREAD else last_start
        if started is None:
            return []
        since = timezone.localdate(started)
    last_taken = (
        Check.objects.exclude(action=Check.Action.ERROR)
        .filter(experiment=experiment, look_date__lt=look_date)
        .aggregate(last=Max("look_date"))["last"]
    )
    if last_taken is not None:
        since = max(since, last_taken + dt.timedelta(days=1))  # never a date whose look was taken
    return [since + dt.timedelta(days=n) for n in range((look_date - since).days)]


def look_timing(experiment: Experiment, look_date: dt.date, now: dt.datetime, slot=None, last_start=_UNREAD) -> dict:
    """When the look fell due, whether it was taken late, why, and the dates it skipped: the
    fields a check records. Late means taken more than MONITORING_GRACE_MINUTES after due, or
    catching up days missed altogether. `slot` and `last_start` (the latest start event's time)
    may come read already, for a chunk of looks."""
    slot = slot or slot_time()
    due = due_at(look_date, slot)
    started = _last_start(experiment) if last_start is _UNREAD else last_start
    if started is not None and started > due:
        due = started
    skipped = missed_dates(experiment, look_date, slot, started)
    late = now - due > dt.timedelta(minutes=settings.MONITORING_GRACE_MINUTES) or bool(skipped)
    return {
        "due_at": due,
        "late": late,
        "late_reason": lateness_reason(now, due, look_date, skipped) if late else "",
        "skipped_dates": [day.isoformat() for day in skipped],
    }


def duration_text(delta: dt.timedelta) -> str:
    """3 h 15 min, 2 d 1 h, 40 min."""
    minutes = max(0, int(delta.total_seconds() // 60))
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    if days:
        return _("%(days)d d %(hours)d h") % {"days": days, "hours": hours}
    if hours:
        return _("%(hours)d h %(minutes)d min") % {"hours": hours, "minutes": minutes}
    return _("%(minutes)d min") % {"minutes": minutes}


def lateness_reason(now: dt.datetime, due: dt.datetime, look_date: dt.date, skipped: list[dt.date]) -> str:
    """E.g. "taken at 09:15, 3 h 15 min after the 06:00 slot of 2 Dec 2026; missed: 1 Dec"."""
    reason = _("taken at %(taken)s, %(after)s after the %(slot)s slot of %(day)s") % {
        "taken": dateformat.format(timezone.localtime(now), "H:i"),
        "after": duration_text(now - due),
        "slot": dateformat.format(timezone.localtime(due), "H:i"),
        "day": day_text(look_date),
    }
    if skipped:
        shown = ", ".join(dateformat.format(day, "j M") for day in skipped[:5])
        more = len(skipped) - 5
        if more > 0:
            shown += " " + ngettext("and %(count)d more day", "and %(count)d more days", more) % {"count": more}
        reason += "; " + _("missed: %(dates)s") % {"dates": shown}
    return reason


# --- who hears about it --------------------------------------------------------------------------


def signal_owners():
    """Everyone who owns some signal: the global group and every signal owner a charter names."""
    return list(
        get_user_model()
        .objects.filter(Q(groups__name=roles.SIGNAL_OWNER) | Q(charter_duties__duty="signal_owner"), is_active=True)
        .distinct()
    )


def everyone_involved(experiment: Experiment):
    """Owner, co-authors, the named approver and the experiment's own signal owners (experiments.charter)."""
    people = [experiment.owner, experiment.approver, *experiment.co_authors.all()]
    people += charter.signal_owners_of(experiment)
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
                planned = phrase("Planned start %(day)s.", day=day(experiment.planned_start))
                transition(experiment, "start", None, reason=planned)
                words = {"title": _title(experiment), "day": day(today), "planned": day(experiment.planned_start)}
                if experiment.planned_start == today:
                    said = phrase("%(title)s started on %(day)s. The daily checks watch it from now on.", **words)
                else:
                    said = phrase(
                        "%(title)s started on %(day)s (planned start %(planned)s). The daily checks watch it from "
                        "now on.",
                        **words,
                    )
                notify(
                    "started",
                    experiment,
                    everyone_involved(experiment),
                    Words(said),
                    key=f"started:{experiment.pk}:{today.isoformat()}",
                )
        except TransitionError as refused:  # another sweep started it at the same moment
            log.info("Not starting %s: %s", experiment.key, refused.message)
            continue
        started.append(experiment)
    return started


# --- the sweep -----------------------------------------------------------------------------------


# Looks per check task: a chunk reads its experiments' data in a few queries (look_batch) and takes
# each look in its own transaction; small enough that a redelivered chunk redoes little.
CHECKS_PER_TASK = 25


def chunks(ids: list, size: int | None = None) -> list[list]:
    size = size or CHECKS_PER_TASK
    return [ids[i : i + size] for i in range(0, len(ids), size)]


def sweep(now: dt.datetime | None = None) -> dict:
    """Start what is due, then queue the due looks (after commit) in chunks of CHECKS_PER_TASK
    experiment ids, every time: each check claims its look once, so a look queued twice is taken
    once. Returns {"started": [keys], "queued": [keys], "look_date": iso date}; apps registered
    at `after_sweep` hear of it."""
    from experiments.tasks import check_experiments

    now = now or timezone.now()
    look_day = latest_due_date(now)
    started = start_due(look_day)
    with transaction.atomic():
        due = list(due_for_check(now, look_day).order_by("pk").values_list("pk", "key"))
        for chunk in chunks([pk for pk, _key in due]):
            # robust: one failed send is logged and the others still go; the next sweep retries it.
            transaction.on_commit(functools.partial(check_experiments.delay, chunk, look_day.isoformat()), robust=True)
    report = {
        "started": [e.key for e in started],
        "queued": [key for _key, key in due],
        "look_date": look_day.isoformat(),
    }
    for hook in registry.get("after_sweep"):
        hook.fn(now, report)
    return report


# --- one look ------------------------------------------------------------------------------------


def run_checks(
    experiment_ids, look_date: dt.date, trigger: str = Check.Trigger.SCHEDULE
) -> list[tuple[int, Check | None]]:
    """Take the looks of `look_date` of many experiments: their data read in a few queries for all
    (look_batch), each look then claimed once and acted on in its own transaction (`run_check`).
    One look failing does not keep the others from being taken; the first failure is raised after
    all were tried (a lock timeout then retries the chunk: the looks taken are not taken again)."""
    from experiments.live import look_batch

    ids = list(experiment_ids)
    batch = look_batch.prefetch(ids, look_date) if ids else {}
    slot = slot_time()
    done, failure = [], None
    for experiment_id in ids:
        try:
            done.append((experiment_id, run_check(experiment_id, look_date, trigger, batch.get(experiment_id), slot)))
        except Exception as error:  # noqa: BLE001 - raised again below, once the others are taken
            log.exception("Check of experiment %s on %s failed", experiment_id, look_date)
            failure = failure or error
    if failure is not None:
        raise failure
    return done


def run_check(
    experiment_id: int, look_date: dt.date, trigger: str = Check.Trigger.SCHEDULE, data=None, slot=None
) -> Check | None:
    """Take the look of `look_date` once and act on it. Returns the Check (the one already recorded
    if this look was taken before), or None when the experiment is not running or a later look
    exists (a stale task). `data` and `slot`: what a chunk of looks read already (`run_checks`)."""
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
            if data is not None:
                experiment._prefetched_objects_cache = dict(data.prefetched)  # variants, metrics
            # The check's sentences are a record everyone reads: written in the site's language,
            # whoever triggered the look (an operator reading Pagar in Indonesian, say).
            with translation.override(settings.LANGUAGE_CODE):
                return _look_and_act(experiment, look_date, trigger, data, slot)
    except IntegrityError:
        # The unique look was recorded by someone else between our read and our write.
        existing = Check.objects.taken(experiment_id, look_date).first()
        if existing is None:
            raise
        return existing


def _look_and_act(experiment: Experiment, look_date: dt.date, trigger: str, data=None, slot=None) -> Check:
    now = timezone.now()
    slot = slot or slot_time()
    try:
        look = build_look(experiment, look_date, data)
        kept = kept_boundaries.load(experiment, look.design, data.kept_states if data is not None else None)
        result = look.evaluate(kept)
    except StatsInputError as error:
        return _record_error(experiment, look_date, trigger, now, error)

    said = check_said(result)
    if result.action == LookAction.STOP and result.srm.failed:
        said = _with_dominant_key(said, experiment, look_date)
    sentence = worded(said)  # the record's own words, in the site's language (Check.display_sentence: the reader's)
    check = Check.objects.create(
        experiment=experiment,
        look_date=look_date,
        look=result.look,
        action=result.action,
        outcome=result.outcome or "",
        sentence=sentence,
        said=said,
        information_fraction=result.information_fraction,
        days_elapsed=look.days_elapsed,
        final=look.final,
        units=result.srm.counts,
        result=result.as_dict(),
        data_through=look.data_through,
        trigger=trigger,
        created_at=now,
        **look_timing(experiment, look_date, now, slot, data.last_start if data is not None else _UNREAD),
    )
    kept_boundaries.save(experiment, look.design, kept)  # the next look extends these
    if result.action == LookAction.STOP:
        transition(experiment, "stop", None, reason=said)
        said_by_check = phrase(
            "%(title)s was stopped by the check of %(day)s. %(sentence)s",
            title=_title(experiment),
            day=day(look_date),
            sentence=said,
        )
        notify(
            "stopped", experiment, everyone_involved(experiment), Words(said_by_check), key=f"stopped:check:{check.pk}"
        )
        _signal_fired(experiment, check, srm_failed=result.srm.failed)
        _set_next_check(experiment, None)
    elif result.action == LookAction.CONCLUDE:
        reached = phrase("The check of %(day)s reached a decision.", day=day(look_date))
        transition(experiment, "complete", None, reason=reached)
        transition(experiment, "conclude", None, reason=said, outcome=result.outcome)
        said_by_check = phrase(
            "%(title)s was concluded by the check of %(day)s. %(sentence)s",
            title=_title(experiment),
            day=day(look_date),
            sentence=said,
        )
        key = f"concluded:check:{check.pk}"
        notify("concluded", experiment, everyone_involved(experiment), Words(said_by_check), key=key)
        _set_next_check(experiment, None)
    else:
        _set_next_check(experiment, next_slot_after(look_date, slot))
    return check


def check_said(result: LookResult) -> dict:
    """What the check says (a phrase): the engine's, except before any metric has enough data,
    where it says so."""
    reason = result.not_enough_data_said
    if reason is not None:
        return phrase("Continue: not enough data yet — %(reason)s.", reason=reason)
    return result.said


def check_sentence(result: LookResult) -> str:
    """What the check says, in the active language."""
    return worded(check_said(result))


def _with_dominant_key(said: dict, experiment: Experiment, look_date: dt.date) -> dict:
    """The engine's sentence, and which service key brought most of the last day's units if one did."""
    dominant = dominant_key(experiment, look_date)
    return said if dominant is None else joined(said, dominant.said())


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
    said = phrase(
        "Could not check: %(error)s. The experiment keeps running; fix the data or the setup and the next check will "
        "try again.",
        error=str(error),
    )
    sentence = worded(said)
    check = Check.objects.create(
        experiment=experiment,
        look_date=look_date,
        look=looks_so_far(experiment, look_date),
        action=Check.Action.ERROR,
        sentence=sentence,
        said=said,
        result={
            "action": "error",
            "field": error.field,
            "message": error.message,
            "sentence": sentence,
            **({"counts": error.counts} if getattr(error, "counts", None) else {}),  # count_agreement: both numbers
        },
        trigger=trigger,
        created_at=now,
    )
    # No notification kind says "could not check"; an escalation to the signal owners is what it is.
    notify(
        "check_failed",
        experiment,
        charter.signal_owners_of(experiment),
        Words(
            phrase(
                "%(title)s, check of %(day)s: %(sentence)s", title=_title(experiment), day=day(look_date), sentence=said
            )
        ),
        key=f"check_failed:{experiment.pk}:{look_date.isoformat()}",
    )
    _signal_fired(experiment, check, srm_failed=False)
    _set_next_check(experiment, next_slot_after(look_date))
    return check


def _signal_fired(experiment: Experiment, check: Check, *, srm_failed: bool) -> None:
    """A check stopped it or could not read its data: apps registered at `signal_fired` act on it
    (cadence.duties opens a response item for the response owner), in the check's transaction."""
    for hook in registry.get("signal_fired"):
        hook.fn(experiment, check, srm_failed=srm_failed)


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
