"""The fault suite: real web, worker and beat processes with a private Redis, one fault at a time,
and the invariants read back from the database, the mailbox and the HTTP answers.

    .venv/bin/python bench/faults/run.py                 # every fault
    .venv/bin/python bench/faults/run.py slot kill       # some of them
    .venv/bin/python bench/faults/run.py --list

Prints one block per fault (its figures, each with what it should be, and PASS or FAIL) and a
summary; exits 1 if any fault fails. bench/faults/README.md says what each fault does.

How it runs: this process migrates a template database once (pagar_faults_<pid>_tpl), then per
fault copies it (CREATE DATABASE ... TEMPLATE), and runs the fault in a child process of its own
(`run.py --child FAULT`), which starts the fault's processes (stack.py), seeds its world
(world.py), injects the fault and measures. Every process, database and temporary folder is
removed at the end, whatever happened (--keep keeps the folder with the logs).
"""

import argparse
import contextlib
import datetime as dt
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parents[1]), str(HERE)]

import stack as stack_module  # noqa: E402

FAULTS = {
    "baseline": "No fault: the daily slot with everything up",
    "slot": "Broker down at the daily slot, up later",
    "kill": "Worker group SIGKILLed ten times during a sweep",
    "beats": "Two beats running",
    "error": "The same look delivered three times to an erroring experiment",
    "cell": "Per-unit outcomes and daily figures for one cell sent at once",
    "outage": "Broker down: approving, stopping and uploading",
}


def seconds(name, default):
    return float(os.environ.get(name, default))


# Scaled windows (the minutes become seconds); each can be set from the environment.
SLOT_LEAD = seconds("FAULTS_SLOT_LEAD", 20)  # at least this long between setting the slot and it
SLOT_WAIT = seconds("FAULTS_SLOT_WAIT", 90)  # baseline: every look taken this long after the slot
SLOT_OUTAGE = seconds("FAULTS_SLOT_OUTAGE", 45)  # slot: broker down from 10 s before the slot, this long
SLOT_CATCHUP = seconds("FAULTS_SLOT_CATCHUP", 120)  # slot: every look taken this long after the broker is back
KILLS = int(seconds("FAULTS_KILLS", 10))
KILL_WINDOW = seconds("FAULTS_KILL_WINDOW", 150)  # kill: every look taken this long after the sweep was sent
OUTAGE_HOLD = seconds("FAULTS_OUTAGE_HOLD", 20)  # outage: broker stays down this long after the calls
MAIL_WAIT = seconds("FAULTS_MAIL_WAIT", 90)  # emails expected within this long (after the broker is back)
CHILD_TIMEOUT = seconds("FAULTS_CHILD_TIMEOUT", 600)  # a fault is killed after this long, whatever it does


# --- figures -------------------------------------------------------------------------------------


class Report:
    def __init__(self, fault):
        self.fault = fault
        self.setup = []
        self.rows = []  # (label, value, want, ok or None for information)
        self.started = time.monotonic()

    def note(self, text):
        self.setup.append(text)
        print(f"  .. {text}", flush=True)

    def figure(self, label, value, want=None, ok=None):
        self.rows.append((label, str(value), "" if want is None else str(want), ok))

    @property
    def passed(self):
        return all(ok is not False for *_, ok in self.rows) and any(ok is True for *_, ok in self.rows)

    def block(self) -> str:
        width = max([len(label) for label, *_ in self.rows] + [10])
        lines = [f"== {self.fault}: {FAULTS[self.fault]} =="]
        lines += [f"   {text}" for text in self.setup]
        for label, value, want, ok in self.rows:
            mark = "" if ok is None else ("ok  " if ok else "FAIL")
            wanted = f"  (want {want})" if want else ""
            lines.append(f"   {mark:4} {label:<{width}}  {value}{wanted}")
        lines.append(f"   => {'PASS' if self.passed else 'FAIL'}  ({time.monotonic() - self.started:.0f} s)")
        return "\n".join(lines)


def wait_until(predicate, timeout, interval=1.0):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value or time.monotonic() >= deadline:
            return value
        time.sleep(interval)


def utcnow():
    return dt.datetime.now(dt.UTC)


def sleep_until(moment: dt.datetime):
    remaining = (moment - utcnow()).total_seconds()
    if remaining > 0:
        time.sleep(remaining)


def next_minute(lead: float) -> dt.datetime:
    """The first whole minute at least `lead` seconds from now."""
    soon = utcnow() + dt.timedelta(seconds=lead)
    minute = soon.replace(second=0, microsecond=0)
    return minute if minute >= soon else minute + dt.timedelta(minutes=1)


def hhmmss(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%H:%M:%S")


class Http:
    """requests, counting every answer: 5xx and connection failures are what the suite reports."""

    def __init__(self, base):
        import requests

        self.base = base
        self.session = requests.Session()
        self.calls = []  # (method, path, status or 0, seconds)

    def request(self, method, path, **kwargs):
        import requests

        started = time.monotonic()
        try:
            response = self.session.request(method, self.base + path, timeout=90, **kwargs)
        except requests.RequestException as error:
            self.calls.append((method, path, 0, time.monotonic() - started))
            raise RuntimeError(f"{method} {path}: {error}") from error
        self.calls.append((method, path, response.status_code, time.monotonic() - started))
        return response

    @property
    def five_xx(self):
        return sum(1 for *_, status, _ in self.calls if status >= 500 or status == 0)


# --- the child: one fault ------------------------------------------------------------------------


class Context:
    def __init__(self, fault, run_dir: Path, database: str):
        self.fault = fault
        self.run_dir = run_dir
        self.stack = stack_module.Stack(run_dir, database)
        os.environ.update(self.stack.env)
        import django

        django.setup()
        import world

        self.world = world
        self.report = Report(fault)
        self.http = None

    def task_named(self, name, suffix):
        """`name` if the app has that task, else the one task whose name ends with `suffix`."""
        from config.celery import app

        app.loader.import_default_modules()
        if name in app.tasks:
            return name
        found = [task for task in app.tasks if task.endswith(suffix)]
        if len(found) != 1:
            raise LookupError(f"no task {name!r}, and {len(found)} ending with {suffix!r}")
        return found[0]

    def send_task(self, name, *args):
        from config.celery import app

        return app.send_task(name, args=list(args))

    def mailbox(self):
        from faults_mailbox import read_mailbox

        return read_mailbox(self.run_dir / "mail")

    def schedule(self, names, when: dt.datetime):
        """Move a daily task to `when` and make sure every running beat reloaded its schedule
        (a change made before a beat's first tick goes unnoticed, so it is made again until each
        beat logs that it saw it)."""
        for _attempt in range(4):
            seen = [beat.log().count("Schedule changed") for beat in self.stack.beats]
            self.world.set_daily_time(names, when)
            if wait_until(
                lambda seen=seen: all(
                    beat.log().count("Schedule changed") > n for beat, n in zip(self.stack.beats, seen, strict=True)
                ),
                12,
                interval=0.5,
            ):
                break
        else:
            raise RuntimeError("the beats did not reload their schedule")
        if (when - utcnow()).total_seconds() < 2:
            raise RuntimeError(f"the slot {hhmmss(when)} passed before every beat had it; raise FAULTS_SLOT_LEAD")

    def web(self):
        self.stack.start_web()
        self.http = Http(self.stack.url)
        return self.http


def emails_per_notice(ctx, notices_by_kind, experiments) -> tuple[int, int, int]:
    """For each (recipient, kind, experiment) notified: how many emails arrived with that kind's
    label and the experiment's title in the subject. Returns (expected, exactly once, more than once)."""
    from django.contrib.auth import get_user_model

    emails_of = dict(get_user_model().objects.values_list("username", "email"))
    titles = {e.key: e.title for e in experiments}
    mail = ctx.mailbox()
    expected = once = more = 0
    for kind, counted in notices_by_kind.items():
        label = ctx.world.notice_label(kind)
        for username, key in counted:
            address = emails_of.get(username)
            if not address:
                continue
            expected += 1
            got = sum(
                1 for m in mail if address in m["to"] and label in m["subject"] and m["subject"].endswith(titles[key])
            )
            once += got == 1
            more += got > 1
    return expected, once, more


def wait_for_mail(ctx, kinds, experiments, timeout):
    """Until every notice of these kinds has its email (or `timeout`), then a little longer, so a
    duplicate on its way is counted too."""

    def complete():
        notices = {kind: ctx.world.notices(experiments, kind) for kind in kinds}
        expected, once, more = emails_per_notice(ctx, notices, experiments)
        return expected and once + more >= expected

    wait_until(complete, timeout, interval=2)
    time.sleep(5)


def slot_world(ctx, prefix, running=6, harmful=2):
    who = ctx.world.people()
    experiments = [ctx.world.running(f"{prefix}-{n:02d}", who, harmful=n < harmful, seed=n) for n in range(running)]
    starting = ctx.world.approved_due_today(f"{prefix}-{running:02d}", who)
    ctx.report.note(
        f"{running} running experiments due today ({harmful} with a harmful guardrail), 1 approved to start today; "
        f"{len(who.everyone)} people involved, {len(who.signal_owners)} signal owners"
    )
    return who, experiments, experiments[:harmful], starting


def slot_figures(ctx, who, experiments, harmful, starting, look_deadline: float):
    """The invariants of a daily slot: every due look once, each harmful experiment stopped once,
    the approved one started once, one notice per person per event and one email per notice."""
    world, report = ctx.world, ctx.report
    everyone = [*experiments, starting]

    def all_taken():
        return all(taken >= 1 for taken, _ in world.checks_per_look(experiments).values())

    wait_until(all_taken, max(0.0, look_deadline - time.monotonic()), interval=2)
    wait_for_mail(ctx, ("stopped", "started"), everyone, MAIL_WAIT if all_taken() else 5)

    looks = world.checks_per_look(experiments)
    taken_once = sum(1 for taken, _ in looks.values() if taken == 1)
    report.figure(
        "due looks taken exactly once",
        f"{taken_once}/{len(looks)}",
        f"{len(looks)}/{len(looks)}",
        taken_once == len(looks),
    )
    twice = sum(1 for taken, _ in looks.values() if taken > 1)
    report.figure("looks taken more than once", twice, 0, twice == 0)
    stops = world.moves_per_experiment(experiments, "stop")
    stopped_once = sum(1 for e in harmful if stops[e.key] == 1)
    report.figure(
        "stops per harmful experiment = 1",
        f"{stopped_once}/{len(harmful)}",
        f"{len(harmful)}/{len(harmful)}",
        stopped_once == len(harmful),
    )
    extra = sum(max(0, stops[e.key] - 1) for e in harmful) + sum(stops[e.key] for e in experiments if e not in harmful)
    report.figure("extra stops", extra, 0, extra == 0)
    starts = world.moves_per_experiment([starting], "start")[starting.key]
    report.figure("starts of the approved experiment", starts, 1, starts == 1)
    notices = {kind: world.notices(everyone, kind) for kind in ("stopped", "started")}
    per_event = Counter(notices["stopped"].values()) + Counter(notices["started"].values())
    want_notices = len(who.everyone) * (len(harmful) + 1)  # each stop and the start, to everyone involved
    got_once = per_event.get(1, 0)
    report.figure(
        "notices per person per event (count: how many)",
        dict(sorted(per_event.items())) or "none",
        f"{{1: {want_notices}}}",
        got_once == want_notices and set(per_event) <= {1},
    )
    expected, once, more = emails_per_notice(ctx, notices, everyone)
    report.figure(
        "emails per notice exactly once",
        f"{once}/{want_notices}",
        f"{want_notices}/{want_notices}",
        expected == want_notices and once == expected,
    )
    report.figure("emails sent more than once", more, 0, more == 0)
    return looks


def fault_baseline(ctx):
    who, experiments, harmful, starting = slot_world(ctx, "bl")
    ctx.stack.start_redis()
    http = ctx.web()
    ctx.stack.start_worker()
    ctx.stack.start_beat()
    slot = next_minute(SLOT_LEAD)
    ctx.schedule(ctx.world.MONITORING_TASK_NAMES, slot)
    ctx.report.note(f"daily slot set to {hhmmss(slot)} UTC; nothing injected")
    token = ctx.world.api_token(who.owner)
    http.request("GET", "/api/experiments/", headers={"Authorization": f"Token {token}"})
    sleep_until(slot)
    slot_figures(ctx, who, experiments, harmful, starting, time.monotonic() + SLOT_WAIT)
    http.request("GET", "/api/experiments/", headers={"Authorization": f"Token {token}"})
    ctx.report.figure("HTTP 5xx", http.five_xx, 0, http.five_xx == 0)


def fault_slot(ctx):
    who, experiments, harmful, starting = slot_world(ctx, "sl")
    ctx.stack.start_redis()
    ctx.stack.start_worker()
    ctx.stack.start_beat()
    slot = next_minute(SLOT_LEAD)
    ctx.schedule(ctx.world.MONITORING_TASK_NAMES, slot)
    down_at = slot - dt.timedelta(seconds=10)
    up_at = down_at + dt.timedelta(seconds=SLOT_OUTAGE)
    sleep_until(down_at)
    ctx.stack.broker_down()
    ctx.report.note(
        f"daily slot {hhmmss(slot)} UTC; broker down {hhmmss(utcnow())} -> {hhmmss(up_at)} ({SLOT_OUTAGE:.0f} s); "
        f"looks expected within {SLOT_CATCHUP:.0f} s of the broker's return"
    )
    sleep_until(up_at)
    ctx.stack.start_redis()
    back = time.monotonic()
    slot_figures(ctx, who, experiments, harmful, starting, back + SLOT_CATCHUP)
    missed = "Couldn't apply scheduled task" in ctx.stack.logs("beat")
    ctx.report.figure('beat logged "Couldn\'t apply scheduled task"', "yes" if missed else "no")


def fault_kill(ctx, experiments_count=100, harmful=4):
    world = ctx.world
    who = world.people()
    experiments = [world.running(f"kl-{n:02d}", who, harmful=n < harmful, seed=n) for n in range(experiments_count)]
    ctx.report.note(f"{experiments_count} running experiments due today ({harmful} harmful)")
    ctx.stack.start_redis()
    ctx.stack.start_beat()
    ctx.stack.start_worker()
    sweep = world.periodic_task(world.MONITORING_TASK_NAMES).task
    from experiments.models import Check

    looks_today = (
        Check.objects.filter(experiment__in=experiments, look_date=world.today())
        .exclude(action=Check.Action.ERROR)
        .values("experiment")
        .distinct()
    )

    def taken():
        return looks_today.count()

    sent = time.monotonic()
    ctx.send_task(sweep)
    kills = []
    before = taken()
    for _ in range(KILLS):
        worker = ctx.stack.worker
        # Kill while it works: as soon as it has taken one more look (15 s at most).
        wait_until(lambda before=before: taken() > before, 15, interval=0.1)
        worker.kill(signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            worker.popen.wait(timeout=10)
        before = taken()
        kills.append(before)
        ctx.stack.start_worker(wait=True)
    ctx.report.note(
        f"sweep sent ({sweep}); worker group SIGKILLed {len(kills)} times, {time.monotonic() - sent:.0f} s; "
        f"looks taken at each kill: {kills}; window {KILL_WINDOW:.0f} s from the sweep"
    )
    wait_until(lambda: taken() == len(experiments), max(0.0, sent + KILL_WINDOW - time.monotonic()), interval=2)
    looks = world.checks_per_look(experiments)
    once = sum(1 for t, _ in looks.values() if t == 1)
    ctx.report.figure(
        "due looks taken exactly once within the window",
        f"{once}/{len(looks)}",
        f"{len(looks)}/{len(looks)}",
        once == len(looks),
    )
    twice = sum(1 for t, _ in looks.values() if t > 1)
    ctx.report.figure("looks taken more than once", twice, 0, twice == 0)
    stops = world.moves_per_experiment(experiments, "stop")
    harmful_keys = {e.key for e in experiments[:harmful]}
    stopped = sum(1 for key in harmful_keys if stops[key] == 1)
    extra = sum(n for key, n in stops.items() if key not in harmful_keys) + sum(
        max(0, stops[key] - 1) for key in harmful_keys
    )
    ctx.report.figure(
        "harmful experiments stopped once", f"{stopped}/{harmful}", f"{harmful}/{harmful}", stopped == harmful
    )
    ctx.report.figure("extra stops", extra, 0, extra == 0)
    notices = world.notices(experiments, "stopped")
    per_event = Counter(notices.values())
    ctx.report.figure(
        "stop notices per person per event",
        dict(per_event) or "none",
        f"{{1: {len(who.everyone) * harmful}}}",
        dict(per_event) == {1: len(who.everyone) * harmful},
    )
    ctx.report.figure("messages unacked / queued in Redis at the end", broker_backlog(ctx))
    ctx.report.figure(
        "seconds from the sweep to the last look",
        f"{time.monotonic() - sent:.0f}" if once == len(looks) else "not all taken",
    )


def broker_backlog(ctx) -> str:
    """kombu's Redis transport keeps delivered, unacknowledged messages in the hash "unacked"
    until the visibility timeout restores them; the default queue is the list "celery"."""
    import redis

    try:
        client = redis.Redis(host="127.0.0.1", port=ctx.stack.broker_port, socket_timeout=5)
        return f"{client.hlen('unacked')} / {client.llen('celery')}"
    except redis.RedisError as error:
        return f"unknown ({error})"


def fault_beats(ctx):
    world = ctx.world
    who, experiments, harmful, starting = slot_world(ctx, "bt", running=4, harmful=2)
    ctx.stack.start_redis()
    ctx.stack.start_worker()
    ctx.stack.start_beat(wait=False)
    ctx.stack.start_beat(wait=False)
    for beat in ctx.stack.beats:
        ctx.stack.wait_for_log(beat, "beat: Starting")
    slot = next_minute(SLOT_LEAD)
    digest_at = slot + dt.timedelta(minutes=1)
    ctx.schedule(world.MONITORING_TASK_NAMES, slot)
    ctx.schedule(world.DIGEST_TASK_NAMES, digest_at)
    ctx.report.note(f"two beats; daily slot {hhmmss(slot)} UTC, digest {hhmmss(digest_at)} UTC")
    sleep_until(slot)
    slot_figures(ctx, who, experiments, harmful, starting, time.monotonic() + SLOT_WAIT)
    sleep_until(digest_at)

    def digests():
        return Counter(address for m in ctx.mailbox() if "Monitoring digest" in m["subject"] for address in m["to"])

    owners = [u.email for u in who.signal_owners]
    wait_until(lambda: all(digests()[a] >= 1 for a in owners), 60, interval=2)
    time.sleep(10)  # a second digest on its way is counted too
    got = digests()
    once = sum(1 for a in owners if got[a] == 1)
    ctx.report.figure(
        "digest emails per signal owner (today)",
        {a.split("@")[0]: got[a] for a in owners},
        "1 each",
        once == len(owners),
    )
    from approvals.models import Notification

    digest_rows = Counter(
        Notification.objects.filter(kind=Notification.Kind.DIGEST).values_list("user__username", "experiment__key")
    )
    ctx.report.figure(
        "digest notices per (person, experiment) (count: how many)",
        dict(Counter(digest_rows.values())) or "none",
        "all 1",
        set(digest_rows.values()) == {1},
    )
    sweeps = ctx.stack.logs("beat").count("Sending due task Daily monitoring")
    ctx.report.figure("beats that sent the slot", sweeps)


def fault_error(ctx):
    world = ctx.world
    who = world.people()
    experiment = world.erroring("er-01", who)
    ctx.report.note("1 running experiment whose data fail every look (more successes than units)")
    ctx.stack.start_redis()
    ctx.stack.start_beat()
    ctx.stack.start_worker()
    task = ctx.task_named("experiments.check_experiment", "check_experiment")
    for _ in range(3):
        ctx.send_task(task, experiment.pk, world.today().isoformat())
    ctx.report.note(f"the look of today delivered three times at once ({task})")

    def handled():
        return ctx.stack.worker.log().count(f"Task {task}[") >= 6  # received + succeeded/failed, each

    wait_until(handled, 90, interval=1)
    wait_for_mail(ctx, ("check_failed",), [experiment], MAIL_WAIT)
    _, errors = world.checks_per_look([experiment])[experiment.key]
    ctx.report.figure("error checks of the look", errors, 1, errors == 1)
    notices = world.notices([experiment], "check_failed")
    want = {(u.username, experiment.key): 1 for u in who.signal_owners}
    ctx.report.figure(
        "'could not check' notices per signal owner",
        dict(Counter(notices.values())) or "none",
        f"{{1: {len(want)}}}",
        dict(notices) == want,
    )
    expected, once, more = emails_per_notice(ctx, {"check_failed": notices}, [experiment])
    ctx.report.figure(
        "emails per notice exactly once",
        f"{once}/{expected}",
        f"{len(want)}/{len(want)}",
        expected == len(want) and once == expected,
    )
    ctx.report.figure("emails sent more than once", more, 0, more == 0)


def fault_cell(ctx, experiments_count=3):
    world = ctx.world
    who = world.people()
    experiments = [world.running(f"ce-{n:02d}", who, seed=n, yesterday=False) for n in range(experiments_count)]
    _, secret = world.service_key_for(who.owner, experiments)
    yesterday = world.today() - dt.timedelta(days=1)
    ctx.stack.start_redis()
    http = ctx.web()
    ctx.stack.start_worker()
    cells = [(e, arm, m) for e in experiments for arm in ("control", "short") for m in world.BASE_RATES]
    ctx.report.note(
        f"{len(cells)} cells (experiment, arm, metric, {yesterday}); each gets per-unit outcomes (40 units) and daily "
        "figures, sent at the same moment with a service key"
    )
    headers = {"Authorization": f"Key {secret}", "Content-Type": "application/json"}
    rng = random.Random(5)
    answers = []
    for experiment, arm, metric in cells:
        units = world.units_for_arm(experiment, arm, 40, prefix=f"{arm}-{metric}")
        values = [1 if rng.random() < world.BASE_RATES[metric] else 0 for _ in units]
        outcomes = {
            "rows": [
                {
                    "experiment": experiment.key,
                    "unit": unit,
                    "arm": arm,
                    "metric": metric,
                    "value": value,
                    "time": f"{yesterday.isoformat()}T12:{i // 60:02d}:{i % 60:02d}Z",
                }
                for i, (unit, value) in enumerate(zip(units, values, strict=True))
            ]
        }
        figures = {
            "rows": [
                {
                    "experiment": experiment.key,
                    "arm": arm,
                    "metric": metric,
                    "day": yesterday.isoformat(),
                    "n": 40,
                    "successes": sum(values),
                }
            ]
        }
        barrier = threading.Barrier(2)
        got = {}

        def send(name, path, body, barrier=barrier, got=got):
            barrier.wait()
            try:
                response = http.request(
                    "POST", path, data=json.dumps(body), headers={**headers, "Idempotency-Key": uuid.uuid4().hex}
                )
                got[name] = (response.status_code, response.json() if response.content else {})
            except RuntimeError as error:
                got[name] = (0, {"detail": str(error)})

        threads = [
            threading.Thread(target=send, args=("outcomes", "/api/outcomes/", outcomes)),
            threading.Thread(target=send, args=("figures", "/api/daily-figures/", figures)),
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(120)
        answers.append(got)

    accepted = [sum(1 for status, _ in got.values() if status == 201) for got in answers]
    exactly_one = accepted.count(1)
    ctx.report.figure(
        "cells with exactly one batch accepted",
        f"{exactly_one}/{len(cells)}",
        f"{len(cells)}/{len(cells)}",
        exactly_one == len(cells),
    )
    ctx.report.figure("cells with both accepted", accepted.count(2), 0, accepted.count(2) == 0)
    ctx.report.figure("cells with neither accepted", accepted.count(0), 0, accepted.count(0) == 0)
    refused = [(status, body) for got in answers for status, body in got.values() if status != 201]
    with_reason = sum(
        1 for status, body in refused if 400 <= status < 500 and (body.get("errors") or body.get("detail"))
    )
    ctx.report.figure(
        "refusals that are 4xx with a reason",
        f"{with_reason}/{len(refused)}",
        f"{len(refused)}/{len(refused)}",
        with_reason == len(refused),
    )
    example = next((body for status, body in refused if 400 <= status < 500), None)
    if example:
        reason = (example.get("errors") or [{}])[0].get("message") or example.get("detail", "")
        ctx.report.figure("a refusal's reason", reason[:110])
    mismatched = total = 0
    for experiment in experiments:
        for row in world.cell_figures(experiment):
            total += 1
            same = row["stat_n"] == row["raw_n"] and abs(row["stat_total"] - row["raw_total"]) < 1e-6
            mismatched += not same
    ctx.report.figure("DailyStat cells that differ from the raw rows", f"{mismatched} of {total}", 0, mismatched == 0)
    doubled = sum(
        1
        for experiment in experiments
        for row in world.cell_figures(experiment)
        if row["cell"][2] == yesterday and row["stat_n"] > 40
    )
    ctx.report.figure("cells of that day counted twice in DailyStat (n > 40)", doubled, 0, doubled == 0)
    ctx.report.figure("HTTP 5xx", http.five_xx, 0, http.five_xx == 0)


def fault_outage(ctx):
    world = ctx.world
    from approvals.slots import open_request
    from experiments.lifecycle import transition
    from tests.factories import make_experiment

    who = world.people()
    pending = make_experiment(who.owner, who.approver, key="ou-01", title="Fault suite ou-01")
    transition(pending, "submit", who.owner)
    request = open_request(pending)
    stopping = world.running("ou-02", who, seed=2)
    uploading = world.running("ou-03", who, seed=3, yesterday=False)
    _, secret = world.service_key_for(who.owner, [uploading])
    approver_token, owner_token = world.api_token(who.approver), world.api_token(who.owner)
    ctx.stack.start_redis()
    http = ctx.web()
    ctx.stack.start_worker()
    ctx.stack.start_beat()
    from approvals.models import Notification

    before = set(Notification.objects.values_list("pk", flat=True))
    ctx.stack.broker_down()
    down = time.monotonic()
    ctx.report.note(f"broker down at {hhmmss(utcnow())}; approve ou-01, stop ou-02, upload ou-03's figures")
    yesterday = (world.today() - dt.timedelta(days=1)).isoformat()
    calls = [
        (
            "approve",
            "POST",
            f"/api/approvals/requests/{request.pk}/decide/",
            {"verdict": "approve"},
            {"Authorization": f"Token {approver_token}"},
        ),
        (
            "stop",
            "POST",
            "/api/experiments/ou-02/transition/",
            {"action": "stop", "reason": "Fault suite: stop.", "lesson": "Fault suite: a stop asks what we learned."},
            {"Authorization": f"Token {owner_token}"},
        ),
        (
            "upload",
            "POST",
            "/api/daily-figures/",
            {
                "rows": [
                    {"experiment": "ou-03", "arm": arm, "metric": "fcr", "day": yesterday, "n": 500, "successes": 350}
                    for arm in ("control", "short")
                ]
            },
            {"Authorization": f"Key {secret}", "Idempotency-Key": uuid.uuid4().hex},
        ),
    ]
    answers = {}
    for name, method, path, body, headers in calls:
        started = time.monotonic()
        try:
            response = http.request(method, path, json=body, headers=headers)
            answers[name] = (response.status_code, time.monotonic() - started)
        except RuntimeError:
            answers[name] = (0, time.monotonic() - started)
    two_xx = sum(1 for status, _ in answers.values() if 200 <= status < 300)
    ctx.report.figure(
        "answers 2xx while the broker is down",
        f"{two_xx}/{len(calls)}",
        f"{len(calls)}/{len(calls)}",
        two_xx == len(calls),
    )
    ctx.report.figure("answers (status, seconds)", ", ".join(f"{n} {s} {t:.1f}s" for n, (s, t) in answers.items()))
    ctx.report.figure("HTTP 5xx", http.five_xx, 0, http.five_xx == 0)
    time.sleep(max(0.0, down + OUTAGE_HOLD - time.monotonic()))
    ctx.stack.start_redis()
    ctx.report.note(f"broker back at {hhmmss(utcnow())}")
    experiments = [pending, stopping, uploading]
    written = Notification.objects.exclude(pk__in=before).filter(experiment__in=experiments)
    kinds = sorted(set(written.values_list("kind", flat=True)))
    wait_for_mail(ctx, kinds, experiments, MAIL_WAIT)
    notices = {kind: world.notices(experiments, kind) for kind in kinds}
    ctx.report.figure(
        "notices written during the outage", ", ".join(f"{k}: {sum(v.values())}" for k, v in notices.items()) or "none"
    )
    expected, once, more = emails_per_notice(ctx, notices, experiments)
    ctx.report.figure(
        "their emails delivered exactly once after the broker returned",
        f"{once}/{expected}",
        f"{expected}/{expected}",
        expected > 0 and once == expected,
    )
    ctx.report.figure("emails sent more than once", more, 0, more == 0)
    ctx.report.figure("web logged 'Could not queue'", ctx.stack.logs("web").count("Could not queue"))


RUNNERS = {
    "baseline": fault_baseline,
    "slot": fault_slot,
    "kill": fault_kill,
    "beats": fault_beats,
    "error": fault_error,
    "cell": fault_cell,
    "outage": fault_outage,
}


def child(fault, run_dir: Path, database: str) -> int:
    ctx = Context(fault, run_dir, database)
    report = ctx.report
    print(f"-- {fault}: {FAULTS[fault]}", flush=True)
    error = None
    try:
        RUNNERS[fault](ctx)
    except Exception as exc:  # a harness failure is reported as such, never as the invariant's
        import traceback

        traceback.print_exc()
        error = f"{type(exc).__name__}: {exc}"
        report.figure("HARNESS ERROR (not a measurement)", error[:300], "none", False)
    finally:
        ctx.stack.stop()
    block = report.block()
    print(block, flush=True)
    result = {
        "fault": fault,
        "passed": report.passed,
        "seconds": time.monotonic() - report.started,
        "harness_error": error,
        "block": block,
    }
    (run_dir / "result.json").write_text(json.dumps(result))
    return 0


# --- the orchestrator ----------------------------------------------------------------------------


def migrate_template(root: Path, name: str):
    stack_module.psql(f'CREATE DATABASE "{name}"')
    env = stack_module.base_env(root, name, 1)
    subprocess.run(
        [stack_module.PYTHON, "manage.py", "migrate", "--no-input", "-v", "0"],
        cwd=stack_module.REPO,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=open(root / "migrate.log", "w"),  # noqa: SIM115
        timeout=600,
    )


def orchestrate(faults, keep) -> int:
    started = time.monotonic()
    root = Path(tempfile.mkdtemp(prefix="pagar-faults-"))
    tag = f"pagar_faults_{os.getpid()}"
    template = f"{tag}_tpl"
    databases = [template]
    results = []
    children = []
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # clean up on SIGTERM as on Ctrl-C
    print(f"Pagar fault suite: {', '.join(faults)}  (started {hhmmss(utcnow())} UTC; logs in {root})", flush=True)
    try:
        migrate_template(root, template)
        print(f"   template database migrated ({time.monotonic() - started:.0f} s)", flush=True)
        for fault in faults:
            run_dir = root / fault
            run_dir.mkdir()
            database = f"{tag}_{fault}"
            databases.append(database)
            stack_module.psql(f'CREATE DATABASE "{database}" TEMPLATE "{template}"')
            argv = [stack_module.PYTHON, __file__, "--child", fault, "--run-dir", str(run_dir), "--db", database]
            with open(run_dir / "harness.log", "w") as log:
                proc = subprocess.Popen(argv, stdout=sys.stdout, stderr=log, start_new_session=True)
                children.append(proc)
                try:
                    proc.wait(timeout=CHILD_TIMEOUT)
                except subprocess.TimeoutExpired:
                    print(f"   {fault}: killed after {CHILD_TIMEOUT:.0f} s", flush=True)
                    with contextlib.suppress(ProcessLookupError):
                        os.killpg(proc.pid, signal.SIGKILL)
                    proc.wait()
            stack_module.kill_recorded(run_dir)
            result_file = run_dir / "result.json"
            if result_file.exists():
                results.append(json.loads(result_file.read_text()))
            else:
                tail = (run_dir / "harness.log").read_text(errors="replace")[-1500:]
                print(f"== {fault}: no result (harness crashed) ==\n{tail}", flush=True)
                results.append({"fault": fault, "passed": False, "seconds": 0, "harness_error": "crashed"})
            with contextlib.suppress(subprocess.CalledProcessError, subprocess.TimeoutExpired):
                stack_module.drop_database(database)
            print(flush=True)
    finally:
        for proc in children:
            if proc.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
        for fault in faults:
            stack_module.kill_recorded(root / fault)
        for database in databases:
            with contextlib.suppress(subprocess.CalledProcessError, subprocess.TimeoutExpired):
                stack_module.drop_database(database)
        if keep:
            print(f"logs kept in {root}")
        else:
            shutil.rmtree(root, ignore_errors=True)
    print("== summary ==")
    for result in results:
        verdict = "PASS" if result["passed"] else "FAIL"
        note = "  (harness error: see above)" if result.get("harness_error") else ""
        print(f"   {verdict}  {result['fault']:<9} {FAULTS[result['fault']]}  ({result['seconds']:.0f} s){note}")
    failed = [r["fault"] for r in results if not r["passed"]]
    print(f"   {len(results) - len(failed)} passed, {len(failed)} failed; total {time.monotonic() - started:.0f} s")
    return 1 if failed or len(results) < len(faults) else 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("faults", nargs="*", metavar="FAULT", help=f"any of: {', '.join(FAULTS)} (default: all)")
    parser.add_argument("--list", action="store_true", help="list the faults and exit")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder with every process's log")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--run-dir", help=argparse.SUPPRESS)
    parser.add_argument("--db", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.list:
        for name, title in FAULTS.items():
            print(f"{name:<9} {title}")
        return 0
    if args.child:
        return child(args.child, Path(args.run_dir), args.db)
    unknown = [f for f in args.faults if f not in FAULTS]
    if unknown:
        parser.error(f"unknown fault(s): {', '.join(unknown)}; choose from {', '.join(FAULTS)}")
    return orchestrate(args.faults or list(FAULTS), args.keep)


if __name__ == "__main__":
    sys.exit(main())
