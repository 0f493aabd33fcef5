"""Pages at volume: each page's time and query count with 10,000 experiments, beside a bare view.

Run:  .venv/bin/python bench/pages.py [--experiments 10000] [--ideas 1000] [--standards 200]
                                      [--requests 30] [--keep] [--reuse]

On PostgreSQL (scratch database `pagar_bench_pages`, dropped and re-created; PGHOST, PGPORT and
PGUSER say where, default postgres@127.0.0.1:5432), with DEBUG off:
1. the demo is seeded (`seed_demo`: users, eight experiments moved through the real lifecycle,
   their checks replayed, the ideas slot and the promotion review);
2. its experiments are cloned, rows and relations, until there are --experiments of them in the
   demo's mix of statuses; every started one gets 28 daily checks (the demo's own, cycled), every
   pending one an open approval request; --ideas ideas and --standards standards likewise;
3. each page is requested --requests times in process (Django's test client, as the person who
   uses it, after one untimed warm-up request) and its p50, p95 and queries are printed beside a
   bare view (a plain HttpResponse through the same middleware) requested alternately with it,
   and the machine's speed (a fixed piece of Python work) before and after.

Before the volume is seeded, the same pages are timed with the demo alone (10 experiments) and
10 standards (the demo has none, and a page shows their panels only when some exist), so the query
counts can be compared like with like: a page whose count grows with the rows shows it in the last
column.
Writes bench/results/pages.txt. The database is dropped at the end unless --keep.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SERVER = "postgres://{user}@{host}:{port}".format(
    user=os.environ.get("PGUSER", "postgres"),
    host=os.environ.get("PGHOST", "127.0.0.1"),
    port=os.environ.get("PGPORT", "5432"),
)
DATABASE = "pagar_bench_pages"
os.environ["DATABASE_URL"] = f"{SERVER}/{DATABASE}"
os.environ.setdefault("SECRET_KEY", "bench-only-not-a-secret")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("LOG_LEVEL", "WARNING")
os.environ["DEBUG"] = "false"
os.environ.setdefault("ALLOWED_HOSTS", "testserver")
# The broker is not needed: nothing is queued while pages are read.
os.environ.setdefault("CELERY_BROKER_URL", "memory://")

CHECKS_PER_EXPERIMENT = 28
STARTED = ("running", "stopped", "concluded", "promoted")


def recreate_database():
    import psycopg

    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
        admin.execute(f"CREATE DATABASE {DATABASE}")


def drop_database():
    import psycopg
    from django.db import connections

    connections.close_all()
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")


def _copy(obj, **changes):
    clone = type(obj)()
    for field in obj._meta.concrete_fields:
        if not field.primary_key:
            setattr(clone, field.attname, getattr(obj, field.attname))
    for name, value in changes.items():
        setattr(clone, name, value)
    return clone


def _clone_m2m(field_owner_model, name, pairs):
    """Copy the `name` many-to-many rows of each (template, clone) pair in one bulk insert."""
    field = field_owner_model._meta.get_field(name)
    through = field.remote_field.through
    source, target = field.m2m_field_name(), field.m2m_reverse_field_name()
    by_template = {}
    for row in through.objects.filter(**{f"{source}__in": [t for t, _ in pairs]}).values_list(
        f"{source}_id", f"{target}_id"
    ):
        by_template.setdefault(row[0], []).append(row[1])
    through.objects.bulk_create(
        [
            through(**{f"{source}_id": clone.pk, f"{target}_id": other})
            for template, clone in pairs
            for other in by_template.get(template.pk, [])
        ],
        batch_size=5000,
    )


def clone_experiments(total: int) -> None:
    """Copy the demo's experiments until there are `total`, with their variants, metrics,
    snapshots, approval requests and decisions, timeline, rollouts and 28 checks if started."""
    from django.db import transaction

    from experiments.models import Experiment

    templates = list(Experiment.objects.order_by("pk"))
    copies = max(0, total - len(templates))
    for start in range(0, copies, 500):
        batch = range(start, min(copies, start + 500))
        with transaction.atomic():
            pairs = []
            for i in batch:
                template = templates[i % len(templates)]
                pairs.append(
                    (template, _copy(template, key=f"{template.key}-{i}"[:60], title=f"{template.title} #{i}"))
                )
            Experiment.objects.bulk_create([clone for _, clone in pairs], batch_size=1000)
            for name in ("touchpoints", "segments", "sensitive_categories", "co_authors"):
                _clone_m2m(Experiment, name, pairs)
            ids = {template.pk: [] for template in templates}
            for template, clone in pairs:
                ids[template.pk].append(clone.pk)
            _clone_children(pairs, ids)
        print(f"  cloned {min(copies, start + 500):,} of {copies:,} experiments", flush=True)


def _clone_children(pairs, ids) -> None:
    from approvals.models import ApprovalRequest, Decision, Snapshot
    from experiments.models import Check, ExperimentEvent, ExperimentMetric, Rollout, Variant

    template_ids = list(ids)
    variant_map = {}
    variants = list(Variant.objects.filter(experiment_id__in=template_ids))
    for template, clone in pairs:
        for variant in (v for v in variants if v.experiment_id == template.pk):
            variant_map[(variant.pk, clone.pk)] = _copy(variant, experiment_id=clone.pk)
    Variant.objects.bulk_create(list(variant_map.values()), batch_size=5000)
    metrics = list(ExperimentMetric.objects.filter(experiment_id__in=template_ids))
    ExperimentMetric.objects.bulk_create(
        [
            _copy(m, experiment_id=clone.pk)
            for template, clone in pairs
            for m in metrics
            if m.experiment_id == template.pk
        ],
        batch_size=5000,
    )
    events = list(ExperimentEvent.objects.filter(experiment_id__in=template_ids))
    ExperimentEvent.objects.bulk_create(
        [
            _copy(e, experiment_id=clone.pk)
            for template, clone in pairs
            for e in events
            if e.experiment_id == template.pk
        ],
        batch_size=5000,
    )
    rollouts = list(Rollout.objects.filter(experiment_id__in=template_ids))
    Rollout.objects.bulk_create(
        [
            _copy(r, experiment_id=clone.pk, variant_id=variant_map[(r.variant_id, clone.pk)].pk)
            for template, clone in pairs
            for r in rollouts
            if r.experiment_id == template.pk
        ],
        batch_size=5000,
    )
    snapshots = list(Snapshot.objects.filter(experiment_id__in=template_ids))
    snapshot_map = {}
    for template, clone in pairs:
        for s in (s for s in snapshots if s.experiment_id == template.pk):
            snapshot_map[(s.pk, clone.pk)] = _copy(s, experiment_id=clone.pk)
    Snapshot.objects.bulk_create(list(snapshot_map.values()), batch_size=5000)
    requests = list(ApprovalRequest.objects.filter(experiment_id__in=template_ids))
    request_map = {}
    for template, clone in pairs:
        for r in (r for r in requests if r.experiment_id == template.pk):
            request_map[(r.pk, clone.pk)] = _copy(
                r,
                experiment_id=clone.pk,
                snapshot_id=snapshot_map[(r.snapshot_id, clone.pk)].pk,
                base_snapshot_id=snapshot_map[(r.base_snapshot_id, clone.pk)].pk if r.base_snapshot_id else None,
            )
    ApprovalRequest.objects.bulk_create(list(request_map.values()), batch_size=5000)
    decisions = list(Decision.objects.filter(request__experiment_id__in=template_ids).select_related("request"))
    Decision.objects.bulk_create(
        [
            _copy(
                d,
                request_id=request_map[(d.request_id, clone.pk)].pk,
                snapshot_id=snapshot_map[(d.snapshot_id, clone.pk)].pk,
            )
            for template, clone in pairs
            for d in decisions
            if d.request.experiment_id == template.pk
        ],
        batch_size=5000,
    )
    checks = {}
    for check in Check.objects.filter(experiment_id__in=template_ids).exclude(action="error").order_by("look_date"):
        checks.setdefault(check.experiment_id, []).append(check)
    Check.objects.bulk_create(
        [
            _copy(c, experiment_id=clone.pk, look_date=c.look_date + dt.timedelta(days=shift))
            for template, clone in pairs
            for c, shift in _cycled(checks.get(template.pk, []))
        ],
        batch_size=5000,
    )


def _cycled(checks):
    """28 checks from the template's: its own, then repeated on the following days."""
    if not checks:
        return []
    out, first = [], checks[0].look_date
    for k in range(CHECKS_PER_EXPERIMENT):
        template = checks[k % len(checks)]
        out.append((template, (first + dt.timedelta(days=k) - template.look_date).days))
    return out


def clone_rows(model, total: int, **renames) -> None:
    rows = list(model.objects.order_by("pk"))
    if not rows:
        return
    clones = []
    for i in range(max(0, total - len(rows))):
        template = rows[i % len(rows)]
        clones.append(_copy(template, **{k: f"{getattr(template, k)} #{i}" for k in renames}))
    model.objects.bulk_create(clones, batch_size=5000)


def seed_standards(total: int) -> None:
    """Standards: the demo has none yet, so each is made from a concluded experiment's record."""
    from django.contrib.auth import get_user_model

    from cadence.standards.models import Standard
    from experiments.models import Touchpoint

    owner = get_user_model().objects.get(username="kim")
    touchpoints = list(Touchpoint.objects.all())
    today = dt.date.today()
    made = Standard.objects.bulk_create(
        [
            Standard(
                statement=f"Serve customers with practice {i} on this touchpoint.",
                owner=owner,
                effective_date=today - dt.timedelta(days=i % 300),
                rereview_date=today + dt.timedelta(days=30 + i % 300),
            )
            for i in range(total - Standard.objects.count())
        ]
        if Standard.objects.count() < total
        else []
    )
    through = Standard.touchpoints.through
    through.objects.bulk_create(
        [through(standard_id=s.pk, touchpoint_id=touchpoints[i % len(touchpoints)].pk) for i, s in enumerate(made)]
    )


BARE_PATH = "/__bench_bare__/"
SMALL_STANDARDS = 10

PAGES = [
    # (label, user, path)
    ("bare view (reference)", "sam", BARE_PATH),
    ("dashboard", "sam", "/"),
    ("experiments list", "sam", "/experiments/"),
    ("experiments list, filtered", "sam", "/experiments/?status=running&touchpoint=phone"),
    ("experiments list, search", "sam", "/experiments/?q=callback"),
    ("experiment detail (stopped)", "sam", "/experiments/ivr-shortcut/"),
    ("approvals inbox", "alex", "/approvals/"),
    ("ideas backlog", "omar", "/ideas/"),
    ("ideas slot", "omar", "/ideas/slot/{slot}/"),
    ("promotion review", "bo", "/reviews/{review}/"),
    ("standards", "kim", "/standards/"),
    ("notifications", "sam", "/approvals/notifications/"),
]


def percentile_95(times: list[float]) -> float:
    times = sorted(times)
    return times[min(len(times) - 1, int(round(0.95 * (len(times) - 1))))]


def machine_speed_ms() -> float:
    """A fixed piece of pure-Python work, best of 5 (ms): the same code runs 3-5x slower on some
    days on this shared machine, and this says how fast it was during the run."""
    import timeit

    return min(timeit.repeat("sum(i * i for i in range(100_000))", number=1, repeat=5)) * 1000


def bare_view(request):
    from django.http import HttpResponse

    return HttpResponse("ok")


def measure(requests: int) -> list[tuple]:
    from django.contrib.auth import get_user_model
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from cadence.ideas.models import SlotMeeting
    from cadence.reviews.models import ReviewMeeting

    ids = {
        "slot": SlotMeeting.objects.order_by("pk").first().pk,
        "review": ReviewMeeting.objects.order_by("pk").first().pk,
    }
    clients = {}
    rows = []
    for label, username, path in PAGES:
        if username not in clients:
            clients[username] = Client()
            clients[username].force_login(get_user_model().objects.get(username=username))
        client, url = clients[username], path.format(**ids)
        response = client.get(url, secure=True)  # warm-up (production settings redirect plain HTTP)
        assert response.status_code == 200, (label, url, response.status_code)
        client.get(BARE_PATH, secure=True)
        reset_queries()  # each request starts by clearing the log; counted from empty
        with CaptureQueriesContext(connection) as queries:
            client.get(url, secure=True)
        query_count = len(queries)  # read now: the log is cleared by the next request
        # Each page request is paired with a bare one by the same client, so the page's ratio to
        # the bare view holds however the machine's speed drifts during the run.
        times, bare_times = [], []
        for _ in range(requests):
            began = time.perf_counter()
            client.get(url, secure=True)
            times.append((time.perf_counter() - began) * 1000)
            began = time.perf_counter()
            client.get(BARE_PATH, secure=True)
            bare_times.append((time.perf_counter() - began) * 1000)
        rows.append((label, statistics.median(times), percentile_95(times), query_count, statistics.median(bare_times)))
    return rows


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--experiments", type=int, default=10_000)
    parser.add_argument("--ideas", type=int, default=1_000)
    parser.add_argument("--standards", type=int, default=200)
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="time the pages of a database kept by an earlier --keep run (migrated, not re-seeded; "
        "the 10-experiment query counts are not re-measured)",
    )
    args = parser.parse_args(argv)

    if not args.reuse:
        recreate_database()
    import django
    from django.conf import settings

    django.setup()
    from django.urls import clear_url_caches, path

    import config.urls

    config.urls.urlpatterns.insert(0, path("__bench_bare__/", bare_view))
    clear_url_caches()
    # Static files unhashed from the source folders (the hashed manifest exists only after
    # collectstatic); everything else as production has it.
    settings.STORAGES = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    from django.core.management import call_command

    import config.wsgi  # noqa: F401 - production's start-up (it freezes what start-up made; see there)

    began = time.perf_counter()
    call_command("migrate", verbosity=0)
    from cadence.ideas.models import Idea
    from experiments.models import Check, Experiment

    if args.reuse:
        small = None
    else:
        with open(os.devnull, "w") as quiet:
            call_command("seed_demo", stdout=quiet)
        # A few standards first (the demo has none), so the small run shows the same panels as
        # the big one and the two query counts compare like with like.
        seed_standards(SMALL_STANDARDS)
        small = measure(args.requests)
        clone_experiments(args.experiments)
        clone_rows(Idea, args.ideas, title="title")
        seed_standards(args.standards)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # fresh planner statistics, as a quiet production database has
    seeded = time.perf_counter() - began
    speed_before = machine_speed_ms()
    big = measure(args.requests)

    from cadence.standards.models import Standard

    lines = [
        f"Pagar pages at volume — {Experiment.objects.count():,} experiments "
        f"({Experiment.objects.filter(status__in=STARTED).count():,} started), {Check.objects.count():,} checks, "
        f"{Idea.objects.count():,} ideas, {Standard.objects.count():,} standards; PostgreSQL, DEBUG {settings.DEBUG}, "
        f"in-process test client, {args.requests} timed requests per page",
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
        f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}; seeding took {seeded:.0f} s",
        "",
        f"machine speed: {speed_before:.1f} ms before and {machine_speed_ms():.1f} ms after the timed requests for a "
        "fixed piece of Python work (best of 5; lower is faster)",
        "x bare: the page's p50 over the p50 of a bare view requested alternately with it by the same client",
        "",
        f"{'page':<32}{'p50 ms':>9}{'p95 ms':>9}{'bare p50':>9}{'x bare':>8}{'queries':>9}{'queries (10 exp.)':>19}",
        "-" * 95,
    ]
    small_counts = [row[3] for row in small] if small else ["(reused)"] * len(big)
    for (label, p50, p95, queries, bare_p50), small_queries in zip(big, small_counts, strict=True):
        lines.append(
            f"{label:<32}{p50:>9.1f}{p95:>9.1f}{bare_p50:>9.1f}{p50 / bare_p50:>8.1f}{queries:>9}{small_queries:>19}"
        )
    text = "\n".join(lines)
    print(text)
    (ROOT / "bench" / "results").mkdir(exist_ok=True)
    (ROOT / "bench" / "results" / "pages.txt").write_text(text + "\n")
    if not (args.keep or args.reuse):
        drop_database()


if __name__ == "__main__":
    main()
