"""The fault suite's world: people, experiments and data, made through Pagar's own functions, and
the figures the suite reads back from the database afterwards.

Runs inside a Django process (run.py sets it up for the fault's own database). Seeding sends no
email and queues no task: experiments are built as the test factories build them (status put in
place, then started by the scheduler's own lifecycle move on a past day), data comes in through
the ingestion functions the API calls, and people get API tokens and service keys through the
functions the token and key pages call.
"""

import datetime as dt
import hashlib
import json
import math
import random
from collections import Counter
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db.models import Count, Sum
from django.utils import timezone

from accounts import tokens
from experiments import roles
from experiments.lifecycle import transition
from experiments.live.demo_history import as_of, local_moment
from experiments.live.ingestion import ingest_daily_figures
from experiments.models import (
    Check,
    DailyAggregate,
    DailyStat,
    Experiment,
    ExperimentEvent,
    Metric,
    Observation,
    Status,
)
from tests.factories import make_experiment, make_service_key

# The test factories' experiment: arms control/short, success fcr, guardrails complaint-rate and
# escalation-rate (binary). Rates per arm of a normal day, and of a harmful one.
BASE_RATES = {"fcr": 0.70, "complaint-rate": 0.03, "escalation-rate": 0.08}
HARM = {("complaint-rate", "short"): 0.12}  # complaints 3 % -> 12 %: the first look stops it
UNITS_PER_ARM = 800
DAYS_RUNNING = 5
# The periodic tasks the faults move: by name (cadence.schedule), else by the task they run.
MONITORING_TASK_NAMES = ("Daily monitoring", "experiments.monitoring_sweep")
DIGEST_TASK_NAMES = ("Monitoring digest", "approvals.send_monitoring_digest")


@dataclass
class People:
    owner: object
    approver: object
    signal_owners: list = field(default_factory=list)

    @property
    def everyone(self):
        return [self.owner, self.approver, *self.signal_owners]


def person(username, *role_names):
    user, _ = get_user_model().objects.get_or_create(
        username=username, defaults={"email": f"{username}@faults.example", "first_name": username.title()}
    )
    for name in role_names:
        user.groups.add(Group.objects.get_or_create(name=name)[0])
    return user


def people(signal_owners=2) -> People:
    roles.ensure_role_groups()
    return People(
        owner=person("fault_owner", roles.PROPOSER),
        approver=person("fault_approver", roles.APPROVER),
        signal_owners=[person(f"fault_signal_{n}", roles.SIGNAL_OWNER) for n in range(1, signal_owners + 1)],
    )


def api_token(user) -> str:
    _, raw = tokens.issue(user, "fault suite")
    return raw


def today() -> dt.date:
    return timezone.localdate()


def running(key, who: People, *, harmful=False, days=DAYS_RUNNING, seed=0, yesterday=True) -> Experiment:
    """Started by the scheduler `days` days ago, with every finished day's figures sent through
    ingestion (yesterday's left out when `yesterday` is false); today's look is due."""
    start_day = today() - dt.timedelta(days=days)
    with as_of(local_moment(start_day, 5)):
        experiment = make_experiment(
            who.owner,
            who.approver,
            status=Status.APPROVED,
            key=key,
            title=f"Fault suite {key}",
            planned_start=start_day,
            planned_end=start_day + dt.timedelta(days=27),
        )
        transition(experiment, "start", None)
    experiment.refresh_from_db()
    send_days(experiment, who.owner, range(days if yesterday else days - 1), HARM if harmful else {}, seed=seed)
    return experiment


def send_days(experiment, sender, offsets, rates, *, seed=0, metrics=None):
    """Daily figures per arm for the given days since the start (through ingestion, one batch)."""
    rng = random.Random(seed)
    started = experiment.events.filter(action="start").order_by("created_at").first()
    start_day = timezone.localdate(started.created_at)
    rows = []
    for offset in offsets:
        day = start_day + dt.timedelta(days=offset)
        for metric in metrics or BASE_RATES:
            for arm in ("control", "short"):
                rate = rates.get((metric, arm), BASE_RATES[metric])
                n = UNITS_PER_ARM + rng.randint(-20, 20)
                successes = round(n * rate + rng.gauss(0, 1) * math.sqrt(n * rate * (1 - rate)))
                rows.append(
                    {
                        "experiment": experiment.key,
                        "arm": arm,
                        "metric": metric,
                        "day": day.isoformat(),
                        "n": n,
                        "successes": min(max(successes, 0), n),
                    }
                )
    if not rows:
        return
    body = json.dumps(rows, sort_keys=True).encode()
    answer = ingest_daily_figures(sender, rows, f"faults-{experiment.key}-{seed}", hashlib.sha256(body).hexdigest())
    if answer.status != 201:
        raise RuntimeError(f"seed figures for {experiment.key} refused: {answer.status} {answer.payload}")


def approved_due_today(key, who: People) -> Experiment:
    """Approved, planned to start today: the slot starts it (a STARTED notice to everyone involved)."""
    return make_experiment(
        who.owner,
        who.approver,
        status=Status.APPROVED,
        key=key,
        title=f"Fault suite {key}",
        planned_start=today(),
        planned_end=today() + dt.timedelta(days=27),
    )


def erroring(key, who: People) -> Experiment:
    """Running, with one day of figures no ingestion would accept (far more successes than units),
    as corrupt or hand-edited data would be: every look of it fails with the same error."""
    experiment = running(key, who, days=2)
    day = today() - dt.timedelta(days=1)
    stat = DailyStat.objects.get(experiment=experiment, variant__key="short", metric__key="fcr", day=day)
    DailyStat.objects.filter(pk=stat.pk).update(total=stat.n * 10)
    return experiment


def service_key_for(user, experiments):
    """A key that may send data for these experiments, and its secret."""
    return make_service_key(user, experiments, actions=("send_data",), name="fault suite")


# --- the daily slot in the database --------------------------------------------------------------


def periodic_task(names):
    from django_celery_beat.models import PeriodicTask

    name, task_name = names
    task = PeriodicTask.objects.filter(name=name).first()
    if task is None:
        task = PeriodicTask.objects.filter(task=task_name, crontab__isnull=False).order_by("pk").first()
    if task is None:
        raise LookupError(f"no periodic task named {name!r} or running {task_name!r} on a crontab")
    return task


def set_daily_time(names, when: dt.datetime):
    """Move a daily periodic task (found by name) to `when`'s minute, UTC. Saved through the model,
    so django-celery-beat's change marker moves and a running beat reloads its schedule."""
    from django_celery_beat.models import CrontabSchedule

    when = when.astimezone(dt.UTC)
    crontab, _ = CrontabSchedule.objects.get_or_create(
        minute=str(when.minute),
        hour=str(when.hour),
        day_of_week="*",
        day_of_month="*",
        month_of_year="*",
        timezone="UTC",
    )
    task = periodic_task(names)
    task.crontab = crontab
    task.interval = None
    task.enabled = True
    task.save()
    return task


# --- reading the outcome back --------------------------------------------------------------------


def checks_per_look(experiments, look_date=None) -> dict:
    """experiment key -> (checks that took today's look, error checks of today)."""
    look_date = look_date or today()
    keys = [e.key for e in experiments]
    taken = Counter(
        Check.objects.filter(experiment__key__in=keys, look_date=look_date)
        .exclude(action=Check.Action.ERROR)
        .values_list("experiment__key", flat=True)
    )
    errors = Counter(
        Check.objects.filter(experiment__key__in=keys, look_date=look_date, action=Check.Action.ERROR).values_list(
            "experiment__key", flat=True
        )
    )
    return {key: (taken[key], errors[key]) for key in keys}


def moves_per_experiment(experiments, action) -> dict:
    keys = [e.key for e in experiments]
    counted = Counter(
        ExperimentEvent.objects.filter(experiment__key__in=keys, action=action).values_list(
            "experiment__key", flat=True
        )
    )
    return {key: counted[key] for key in keys}


def notices(experiments, kind) -> Counter:
    """(username, experiment key) -> notifications of `kind`."""
    from approvals.models import Notification

    rows = Notification.objects.filter(experiment__key__in=[e.key for e in experiments], kind=kind)
    return Counter(rows.values_list("user__username", "experiment__key"))


def notice_label(kind) -> str:
    from approvals.models import Notification

    return str(Notification.Kind(kind).label)


def cell_figures(experiment) -> list[dict]:
    """Per (arm, metric, day): DailyStat's n and sum, and the same from the raw rows (per-unit
    outcomes plus daily figures). They must agree."""
    stats = {
        (s["variant__key"], s["metric__key"], s["day"]): (s["n"], s["total"])
        for s in DailyStat.objects.filter(experiment=experiment).values(
            "variant__key", "metric__key", "day", "n", "total"
        )
    }
    raw = Counter()
    raw_total = Counter()
    for row in (
        Observation.objects.filter(experiment=experiment)
        .values("variant__key", "metric__key", "observed_at__date")
        .annotate(n=Count("pk"), total=Sum("value"))
    ):
        cell = (row["variant__key"], row["metric__key"], row["observed_at__date"])
        raw[cell] += row["n"]
        raw_total[cell] += row["total"] or 0
    for row in DailyAggregate.objects.filter(experiment=experiment).values(
        "variant__key", "metric__key", "day", "n", "total"
    ):
        cell = (row["variant__key"], row["metric__key"], row["day"])
        raw[cell] += row["n"]
        raw_total[cell] += row["total"]
    cells = sorted(set(stats) | set(raw), key=str)
    return [
        {
            "cell": cell,
            "stat_n": stats.get(cell, (0, 0))[0],
            "raw_n": raw[cell],
            "stat_total": stats.get(cell, (0, 0))[1],
            "raw_total": raw_total[cell],
        }
        for cell in cells
    ]


def units_for_arm(experiment, arm, count, prefix="u"):
    """Unit ids the assignment hashing puts in `arm` (exposed), as a client would have them."""
    from experiments.live import hashing

    variants = list(experiment.variants.all())
    weights = [(v.key, v.weight) for v in variants]
    found, n = [], 0
    while len(found) < count:
        unit = f"{prefix}-{n}"
        n += 1
        if hashing.is_exposed(experiment.key, experiment.exposure_cap_pct, unit) and (
            hashing.arm_for(experiment.key, weights, unit) == arm
        ):
            found.append(unit)
    return found


def metric(key) -> Metric:
    return Metric.objects.get(key=key)
