"""Data in: check a batch of per-unit outcomes or daily figures, write it whole or not at all, and
add it into DailyStat (sufficient statistics per experiment, arm, metric and day) in the same
transaction, so the daily checks never read raw rows.

Public entry points (API and upload page both call them):
- ``ingest_outcomes(user, rows, idempotency_key, body_sha, source, experiment=None) -> Answer``
- ``ingest_daily_figures(user, rows, idempotency_key, body_sha, source, experiment=None) -> Answer``
- ``ingest_parsed(kind, user, parsed, idempotency_key, body_sha, source, experiment=None) -> Answer``
- ``first_data_day(experiment) -> date`` (who may send data: ``experiments.access.may_send_data``)

``rows`` are dicts (numbered 1, 2, ... as given) or ``ingestion_csv.Row`` (CSV keeps line
numbers). ``Answer`` is ``(status, payload, replayed)``. Any bad row refuses the whole batch with a
per-row report; refused batches are recorded too, so a retry gets the same answer.
"""

import datetime as dt
import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from types import MappingProxyType

from django.conf import settings
from django.db import IntegrityError, connection
from django.db.models import Min, Q
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from experiments import access, service_keys
from experiments.errors import NotPermitted
from experiments.live import cell_sources, hashing, idempotency
from experiments.live.idempotency import Answer
from experiments.inputs import cleaning
from experiments.live.ingestion_csv import COLUMNS, BodyError, Parsed, Row
from experiments.live.units import BadUnitId, clean_unit_id
from experiments.models import (
    DailyAggregate,
    DailyStat,
    Experiment,
    ExperimentEvent,
    IngestBatch,
    Metric,
    Observation,
    Segment,
    SegmentDailyStat,
    ServiceKeyAction,
    Status,
)
from experiments.stats.inputs import BinaryArm, Covariate, MeanArm, NpsArm, StatsInputError, checked_count
import contextlib

OUTCOMES = IngestBatch.Kind.OUTCOMES
DAILY = IngestBatch.Kind.DAILY
ACCEPTING_DATA = frozenset({Status.RUNNING, Status.STOPPED, Status.COMPLETED})
MAX_REPORTED_ERRORS = 1000
NPS_PROMOTER, NPS_DETRACTOR = 9, 6  # promoters score 9-10, detractors 0-6, passives 7-8
INSERT_BATCH = 2000
# What each metric kind needs in a daily-figures row (others must be left empty).
DAILY_FIELDS = {
    Metric.Kind.BINARY: ("n", "successes"),
    Metric.Kind.MEAN: ("n", "sum", "sum_sq"),
    Metric.Kind.NPS: ("n", "promoters", "detractors", "sum", "sum_sq"),
}
DAILY_SUMS = ("successes", "sum", "sum_sq", "promoters", "detractors")
# CUPED's covariate sums in a daily-figures row (mean metrics; all three or none), and the
# DailyAggregate fields they are stored in.
PRE_SUMS = {"pre_sum": "pre_total", "pre_sum_sq": "pre_total_sq", "pre_cross": "pre_cross"}


def max_rows() -> int:
    return settings.INGEST_MAX_ROWS


def first_data_day(experiment: Experiment) -> dt.date:
    """The first day data counts for: the day it started running (its first start event)."""
    started = experiment.events.filter(action="start").aggregate(first=Min("created_at"))["first"]
    return timezone.localdate(started) if started else experiment.planned_start


def ingest_outcomes(user, rows, idempotency_key, body_sha, source=IngestBatch.Source.API, experiment=None) -> Answer:
    return ingest_parsed(OUTCOMES, user, Parsed(rows=_numbered(rows)), idempotency_key, body_sha, source, experiment)


def ingest_daily_figures(
    user, rows, idempotency_key, body_sha, source=IngestBatch.Source.API, experiment=None
) -> Answer:
    return ingest_parsed(DAILY, user, Parsed(rows=_numbered(rows)), idempotency_key, body_sha, source, experiment)


def ingest_parsed(
    kind, user, parsed: Parsed, idempotency_key, body_sha, source, experiment=None, *, service_key=None
) -> Answer:
    """Check and write one batch at most once per (user, key). `experiment` (the upload page's)
    fills rows that leave the experiment out, and is the only one such a batch may name.
    `service_key` (the API's caller): every experiment named must be in its scope, else 403."""

    # A batch without errors is written straight away: looking up every row among the stored ones
    # would cost more than the insert. Should the unique index find a duplicate after all, the
    # transaction rolls back and idempotency.once runs this again, then looking them up.
    look_up_stored_rows = False

    def attempt(record):
        nonlocal look_up_stored_rows
        now = timezone.now()
        refusal = (*parsed.refusal, 0) if parsed.refusal is not None else None
        batch = None
        if refusal is None:
            batch = _Batch(kind, user, parsed.rows, experiment, now)
            refusal = batch.read()
        if refusal is not None:
            status, payload, row_count = refusal
            if experiment is not None:
                payload = {**payload, "experiments": {experiment.key: {"rows": 0}}}
            record(status, payload, row_count, source)
            return Answer(status, payload)
        batch.check(look_up_stored_rows)
        if service_key is not None:
            outside = batch.outside_scope(service_key)
            if outside is not None:
                # Not recorded: the same Idempotency-Key stays free for the right key.
                return Answer(403, {"detail": outside.message, "field": outside.field})
        if batch.report.count or batch.cells_taken_by_the_other_kind():
            payload = batch.refusal()
            record(400, payload, batch.row_count, source)
            return Answer(400, payload)
        payload = batch.summary()
        ingest_batch = record(201, payload, batch.row_count, source)
        look_up_stored_rows = True  # if the write fails on a duplicate, the next attempt reports it
        batch.write(ingest_batch)
        return Answer(201, payload)

    return idempotency.once(user, idempotency_key, kind, body_sha, attempt)


_NO_FIELDS = MappingProxyType({})


def _kept(row: Row) -> Row:
    """What a checked row keeps for later reports (duplicates): its numbers, not its fields."""
    return Row(row.number, _NO_FIELDS, row.line)


def _numbered(rows) -> list[Row]:
    return [row if isinstance(row, Row) else Row(number, row) for number, row in enumerate(rows, start=1)]


# --- the experiments a batch names ------------------------------------------------------------


@dataclass
class _Target:
    """One experiment named in a batch, with what its rows are checked against."""

    experiment: Experiment
    may_send: bool
    variants: dict
    weights: list
    metrics: dict
    sources: dict  # metric key -> the source its plan declares (DataSource; blank: whichever first)
    first_day: dt.date
    last_day: dt.date
    arm_of_unit: dict = field(default_factory=dict)  # unit -> arm key, or None when not enrolled

    def assigned_arm(self, unit: str):
        if unit not in self.arm_of_unit:
            exposed = hashing.is_exposed(self.experiment.key, self.experiment.exposure_cap_pct, unit)
            self.arm_of_unit[unit] = hashing.arm_for(self.experiment.key, self.weights, unit) if exposed else None
        return self.arm_of_unit[unit]


def _targets(user, keys) -> dict[str, _Target]:
    experiments = list(
        access.visible_experiments(user)
        .filter(key__in=keys)
        .prefetch_related("variants", "metrics__metric", "co_authors", "touchpoints")
    )
    started = dict(
        ExperimentEvent.objects.filter(experiment__in=experiments, action="start")
        .values_list("experiment_id")
        .annotate(first=Min("created_at"))
    )
    targets = {}
    for experiment in experiments:
        # The arms in stored order (control first, then as created), exactly as the assignment
        # API hashes them, so a unit is checked against the arm it was actually given.
        variants = list(experiment.variants.all())
        first_start = started.get(experiment.pk)
        targets[experiment.key] = _Target(
            experiment=experiment,
            may_send=access.may_send_data(user, experiment),
            variants={v.key: v for v in variants},
            weights=[(v.key, v.weight) for v in variants],
            metrics={row.metric.key: row.metric for row in experiment.metrics.all()},
            sources={row.metric.key: row.data_source for row in experiment.metrics.all()},
            # Data counts from the day it started running; an experiment put in place without its
            # start event (fixtures, imports) counts from its planned start.
            first_day=timezone.localdate(first_start) if first_start else experiment.planned_start,
            last_day=experiment.planned_end,
        )
    return targets


# --- one batch: check every row, then write ---------------------------------------------------


@dataclass(slots=True)
class _Good:
    """A row that passed its own checks, ready to write."""

    row: Row
    target: _Target
    variant: object
    metric: Metric
    day: dt.date
    unit: str = ""
    value: float = 0.0
    when: dt.datetime | None = None
    figures: dict | None = None
    segment: Segment | None = None  # optional: exploration per catalogue segment
    pre_value: float | None = None  # optional: the unit's pre-period value (CUPED)
    cell: tuple = field(init=False)  # (experiment_id, variant_id, metric_id, day): its DailyStat row

    def __post_init__(self):
        self.cell = (self.target.experiment.pk, self.variant.pk, self.metric.pk, self.day)


class _Report:
    def __init__(self):
        self.errors = []
        self.count = 0

    def add(self, row: Row, field_name, message):
        self.count += 1
        if len(self.errors) < MAX_REPORTED_ERRORS:
            error = {"row": row.number, "field": field_name, "message": message}
            if row.line is not None:
                error["line"] = row.line
            self.errors.append(error)


class _Batch:
    def __init__(self, kind, user, rows, page_experiment, now):
        self.kind = kind
        self.user = user
        self.rows = rows
        self.page_experiment = page_experiment
        self.now = now
        self.today = timezone.localdate(now)
        self.tz = timezone.get_default_timezone()
        self.report = _Report()
        self.clean: list[_Good] = []
        self.targets = {}
        self.row_count = 0
        self.rows_per_key = Counter()
        self._cells = {}
        self.segments = {}  # the segment catalogue, by key (read when rows are checked)

    def _keep(self, good: _Good):
        # Rows share their cell's key and day: a large batch has few cells and many rows.
        good.cell = self._cells.setdefault(good.cell, good.cell)
        good.day = good.cell[3]
        self.clean.append(good)

    # Reading: the body as a whole, before any row is checked -------------------------------------

    def read(self):
        """A first pass over the rows, keeping none of them: count them, note the experiment keys
        they name, and find a problem with the body as a whole. (status, payload, row_count) when
        the batch is refused whole (unreadable, empty, too many rows), else None."""
        try:
            for row in self.rows:
                self.row_count += 1
                key = self._experiment_key(row)
                if isinstance(key, str) and key and not cleaning.text_problem(key):
                    self.rows_per_key[key] += 1
        except BodyError as error:
            return error.status, error.payload, 0
        if not self.row_count:
            return 400, {"detail": _("The batch has no rows.")}, 0
        limit = max_rows()
        if self.row_count > limit:
            detail = _(
                "A batch holds at most %(limit)s rows; this one has %(count)s. Split it into smaller batches."
            ) % {"limit": _grouped(limit), "count": _grouped(self.row_count)}
            return 413, {"detail": detail}, self.row_count
        return None

    # Checking ---------------------------------------------------------------------------------

    def check(self, look_up_stored_rows: bool):
        self.targets = _targets(self.user, set(self.rows_per_key))
        self.segments = {segment.key: segment for segment in Segment.objects.all()}
        check_row = self._outcome_row if self.kind == OUTCOMES else self._daily_row
        for row in self.rows:
            check_row(row)
        if self.kind == OUTCOMES:
            unique = self._duplicates_within_batch()
            self._cells_with_figures()
            # A refused batch's report lists every problem, stored duplicates included.
            if look_up_stored_rows or self.report.count:
                self._outcomes_already_stored(unique)
        else:
            self._duplicates_of_figures()

    def outside_scope(self, service_key):
        """The refusal for the first experiment named that is outside the key's scope, or None."""
        for key in sorted(self.targets):
            experiment = self.targets[key].experiment
            touchpoints = [t.key for t in experiment.touchpoints.all()]
            try:
                service_keys.require_scope(service_key, ServiceKeyAction.SEND_DATA, experiment.pk, key, touchpoints)
            except NotPermitted as refusal:
                return refusal
        return None

    def _experiment_key(self, row):
        value = row.fields.get("experiment")
        if value in (None, "") and self.page_experiment is not None:
            return self.page_experiment.key
        return value.strip() if isinstance(value, str) else value

    def _shape_ok(self, row) -> bool:
        fields = row.fields
        if "__not_an_object__" in fields:
            self.report.add(
                row,
                None,
                _("Each row must be an object with the fields %(fields)s.") % {"fields": _listed(COLUMNS[self.kind])},
            )
            return False
        if "__width__" in fields:
            got, want = fields["__width__"]
            self.report.add(
                row,
                None,
                _("This line has %(got)d values; the header has %(want)d columns.") % {"got": got, "want": want},
            )
            return False
        # The one input rule (no NUL, no control characters), field by field, before any lookup.
        problems = cleaning.problems_in(fields)
        for problem in problems:
            self.report.add(row, problem["field"], problem["message"])
        return not problems

    def _common(self, row):
        """The checks every row shares: known fields, experiment, arm and metric."""
        fields = row.fields
        for name in sorted(set(fields) - set(COLUMNS[self.kind])):
            self.report.add(
                row, name, _("Unknown field; a row has %(fields)s.") % {"fields": _listed(COLUMNS[self.kind])}
            )
        target = self._target(row)
        if target is None:
            return None
        variant = self._choice(row, "arm", target.variants, "arms")
        metric = self._choice(row, "metric", target.metrics, "metrics")
        if metric is not None:
            refusal = cell_sources.declared_refusal(
                self.kind, target.experiment.key, metric.key, target.sources.get(metric.key, "")
            )
            if refusal is not None:
                self.report.add(row, "metric", refusal)
                metric = None
        return target, variant, metric

    def _target(self, row):
        key = self._experiment_key(row)
        if key in (None, ""):
            self.report.add(row, "experiment", _("Required: the key of the experiment this row belongs to."))
            return None
        if not isinstance(key, str):
            self.report.add(row, "experiment", _("Must be an experiment key (text), got %(value)r.") % {"value": key})
            return None
        if self.page_experiment is not None and key != self.page_experiment.key:
            self.report.add(
                row,
                "experiment",
                _("This page takes rows for %(page)r only; this row names %(key)r.")
                % {"page": self.page_experiment.key, "key": key},
            )
            return None
        target = self.targets.get(key)
        if target is None:
            self.report.add(row, "experiment", _("No experiment with key %(key)r that you may see.") % {"key": key})
            return None
        if not target.may_send:
            self.report.add(
                row,
                "experiment",
                _("You may not send data for this experiment: only its authors, signal owners and administrators may."),
            )
            return None
        experiment = target.experiment
        if experiment.status not in ACCEPTING_DATA:
            self.report.add(
                row,
                "experiment",
                _("This experiment is %(status)s; it accepts data only while running, stopped or completed.")
                % {"status": str(experiment.get_status_display()).lower()},
            )
            return None
        return target

    def _choice(self, row, name, options: dict, plural: str):
        value = row.fields.get(name)
        if value in (None, ""):
            self.report.add(row, name, _("Required."))
            return None
        found = options.get(value.strip()) if isinstance(value, str) else None
        if found is None:
            unknown = (
                _("Unknown arm %(value)r; this experiment's arms are %(options)s.")
                if name == "arm"
                else _("Unknown metric %(value)r; this experiment's metrics are %(options)s.")
            )
            self.report.add(row, name, unknown % {"value": value, "options": _listed(options)})
        return found

    def _number(self, row, name, required=True):
        """A finite number from JSON or CSV text; None (reported) when it is not one."""
        value = row.fields.get(name)
        if value is None or value == "":
            if required:
                self.report.add(row, name, _("Required."))
            return None
        number = None
        if isinstance(value, str):
            with contextlib.suppress(ValueError):
                number = float(value)
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            number = float(value)
        if number is None:
            self.report.add(row, name, _("Must be a number, got %(value)r.") % {"value": value})
            return None
        if not math.isfinite(number):
            self.report.add(row, name, _("Must be a finite number (not NaN or infinity)."))
            return None
        return number

    def _outcome_row(self, row):
        if not self._shape_ok(row):
            return
        common = self._common(row)
        unit = self._unit(row)
        value = self._number(row, "value")
        when = self._time(row)
        segment = self._segment(row)
        pre_value = self._number(row, "pre_value", required=False)
        if common is None:
            return
        target, variant, metric = common
        if metric is not None and value is not None and not self._in_range(row, metric, value):
            value = None
        if pre_value is not None and metric is not None and not self._takes_pre_period(row, "pre_value", metric):
            return
        day = None
        if when is not None:
            day = when.astimezone(self.tz).date()
            if not self._in_window(row, "time", target, day) or not self._not_future(row, when):
                when = None
        if unit is not None and variant is not None:
            arm = target.assigned_arm(unit)
            if arm is None:
                self.report.add(
                    row,
                    "unit",
                    _("Unit %(unit)r is not enrolled: it falls outside the exposure cap of %(cap)s%%.")
                    % {"unit": unit, "cap": _g(float(target.experiment.exposure_cap_pct))},
                )
                unit = None
            elif arm != variant.key:
                self.report.add(
                    row,
                    "arm",
                    _("Unit %(unit)r is assigned to arm %(arm)r, not %(sent)r.")
                    % {"unit": unit, "arm": arm, "sent": variant.key},
                )
                unit = None
        if None in (variant, metric, unit, value, when) or segment is False:
            return
        self._keep(
            _Good(
                _kept(row),
                target,
                variant,
                metric,
                day,
                unit=unit,
                value=value,
                when=when,
                segment=segment,
                pre_value=pre_value,
            )
        )

    def _segment(self, row):
        """The row's catalogue segment; None when it has none, False (reported) when unknown."""
        value = row.fields.get("segment")
        if value is None or value == "":
            return None
        found = self.segments.get(value.strip()) if isinstance(value, str) else None
        if found is None:
            known = _listed(sorted(self.segments)) or _("none yet")
            self.report.add(
                row,
                "segment",
                _("Unknown segment %(value)r; the catalogue's segments are %(known)s.")
                % {"value": value, "known": known},
            )
            return False
        return found

    def _takes_pre_period(self, row, name, metric: Metric) -> bool:
        if metric.kind == Metric.Kind.MEAN:
            return True
        self.report.add(
            row,
            name,
            _(
                "%(metric)s is not a mean metric: a pre-period value (CUPED) is taken for mean metrics only; "
                "leave it empty."
            )
            % {"metric": metric.name},
        )
        return False

    def _unit(self, row):
        try:
            return clean_unit_id(row.fields.get("unit"))
        except BadUnitId as problem:
            if problem.missing:
                self.report.add(
                    row, "unit", _("Required: the id of the unit (customer, case, session) the outcome belongs to.")
                )
            else:
                self.report.add(row, "unit", problem.message)
            return None

    def _time(self, row):
        value = row.fields.get("time")
        if value is None or value == "":
            self.report.add(row, "time", "Required: when the outcome was observed, e.g. 2026-03-04T10:15:00Z.")
            return None
        when = None
        if isinstance(value, str):
            with contextlib.suppress(ValueError):
                when = dt.datetime.fromisoformat(value.strip())
        if when is None:
            self.report.add(
                row,
                "time",
                _("Must be an ISO 8601 time such as 2026-03-04T10:15:00Z, got %(value)r.") % {"value": value},
            )
            return None
        if when.tzinfo is None or when.utcoffset() is None:
            self.report.add(
                row,
                "time",
                _(
                    "Needs a UTC offset or Z, e.g. 2026-03-04T10:15:00Z or 2026-03-04T11:15:00+01:00: %(value)r "
                    "could be any time zone."
                )
                % {"value": value},
            )
            return None
        return when

    def _in_range(self, row, metric: Metric, value: float) -> bool:
        if metric.kind == Metric.Kind.BINARY:
            if value not in (0.0, 1.0):
                self.report.add(
                    row,
                    "value",
                    _("%(metric)s is a rate: each unit's value is 0 or 1, not %(value)s.")
                    % {"metric": metric.name, "value": _g(value)},
                )
                return False
            return True
        if metric.kind == Metric.Kind.NPS and (value != int(value) or not 0 <= value <= 10):
            self.report.add(
                row,
                "value",
                _("%(metric)s is scored as a whole number from 0 to 10, not %(value)s.")
                % {"metric": metric.name, "value": _g(value)},
            )
            return False
        low, high = metric.min_value, metric.max_value
        if (low is not None and value < low) or (high is not None and value > high):
            self.report.add(
                row,
                "value",
                _("%(metric)s takes values %(range)s; %(value)s is outside.")
                % {"metric": metric.name, "range": _range_text(metric), "value": _g(value)},
            )
            return False
        return True

    def _in_window(self, row, name, target: _Target, day: dt.date) -> bool:
        if day < target.first_day:
            self.report.add(
                row,
                name,
                _("%(day)s is before the experiment started running (%(first)s).")
                % {"day": _date(day), "first": _date(target.first_day)},
            )
            return False
        if day > target.last_day:
            self.report.add(
                row,
                name,
                _("%(day)s is after the experiment's planned end (%(last)s).")
                % {"day": _date(day), "last": _date(target.last_day)},
            )
            return False
        return True

    def _not_future(self, row, when: dt.datetime) -> bool:
        if when > self.now:
            self.report.add(row, "time", _("%(time)s is in the future.") % {"time": when.isoformat()})
            return False
        return True

    def _daily_row(self, row):
        if not self._shape_ok(row):
            return
        common = self._common(row)
        day = self._day(row)
        numbers = {name: self._number(row, name, required=False) for name in ("n", *DAILY_SUMS, *PRE_SUMS)}
        segment = self._segment(row)
        if common is None:
            return
        target, variant, metric = common
        if day is not None:
            if not self._in_window(row, "day", target, day):
                day = None
            elif day >= self.today:
                self.report.add(
                    row,
                    "day",
                    _(
                        "%(day)s is not over yet: send a day's figures once the day has ended "
                        "(they cannot be changed later)."
                    )
                    % {"day": _date(day)},
                )
                day = None
        if metric is None:
            return
        figures = self._figures(row, metric, numbers)
        if None in (variant, day, figures) or segment is False:
            return
        self._keep(_Good(_kept(row), target, variant, metric, day, figures=figures, segment=segment))

    def _day(self, row):
        value = row.fields.get("day")
        if value is None or value == "":
            self.report.add(row, "day", _("Required: the date the figures cover, e.g. 2026-03-04."))
            return None
        try:
            return dt.date.fromisoformat(value.strip())
        except (AttributeError, ValueError):  # not text, or not a date
            self.report.add(row, "day", _("Must be a date such as 2026-03-04, got %(value)r.") % {"value": value})
            return None

    def _figures(self, row, metric: Metric, numbers: dict):
        """n and the kind's sums, checked for consistency; None (reported) when they are not."""
        wanted = DAILY_FIELDS[metric.kind]
        ok = True
        for name in ("n", *DAILY_SUMS):
            given = row.fields.get(name) not in (None, "")
            if name in wanted and not given:
                self.report.add(
                    row,
                    name,
                    _("Required for %(kind)s metrics (%(fields)s).")
                    % {"kind": str(metric.get_kind_display()).lower(), "fields": _listed(wanted)},
                )
                ok = False
            elif name not in wanted and given:
                self.report.add(
                    row,
                    name,
                    _("Not used for %(kind)s metrics: leave it empty (they take %(fields)s).")
                    % {"kind": str(metric.get_kind_display()).lower(), "fields": _listed(wanted)},
                )
                ok = False
            elif name in wanted and numbers[name] is None:
                ok = False  # reported as not a number
        given_pre = [name for name in PRE_SUMS if row.fields.get(name) not in (None, "")]
        if given_pre:
            if not self._takes_pre_period(row, given_pre[0], metric):
                ok = False
            else:
                for name in PRE_SUMS:
                    if name not in given_pre:
                        self.report.add(
                            row,
                            name,
                            _("Required with %(given)s: CUPED takes %(fields)s together.")
                            % {"given": given_pre[0], "fields": _listed(PRE_SUMS)},
                        )
                        ok = False
                    elif numbers[name] is None:
                        ok = False  # reported as not a number
        if not ok:
            return None
        try:
            figures = _consistent_figures(metric, numbers)
            figures.update(dict.fromkeys(PRE_SUMS.values()))
            if given_pre:
                figures.update(_consistent_pre_sums(figures, numbers))
            return figures
        except StatsInputError as error:
            self.report.add(row, error.field, error.message)
            return None

    # Duplicates, within the batch and against what is stored ------------------------------------

    def _duplicates_within_batch(self) -> list[_Good]:
        """Report repeats of an earlier row; returns the rows that are first of their kind."""
        seen, unique = {}, []
        for good in self.clean:
            key = (good.target.experiment.pk, good.metric.pk, good.unit, good.when)
            if key in seen:
                self.report.add(
                    good.row,
                    "time",
                    _("Duplicate of row %(number)d: the same experiment, metric, unit and time.")
                    % {"number": seen[key].number},
                )
                continue
            seen[key] = good.row
            unique.append(good)
        return unique

    def _outcomes_already_stored(self, rows: list[_Good]):
        by_target = defaultdict(list)
        for good in rows:
            by_target[(good.target.experiment.pk, good.metric.pk)].append(good)
        for (experiment_id, metric_id), items in by_target.items():
            units = sorted({good.unit for good in items})
            times = [good.when for good in items]
            stored = set()
            chunk = 500 if connection.vendor == "sqlite" else 20_000  # SQLite caps query parameters
            for start in range(0, len(units), chunk):
                stored.update(
                    Observation.objects.filter(
                        experiment_id=experiment_id,
                        metric_id=metric_id,
                        unit_id__in=units[start : start + chunk],
                        observed_at__gte=min(times),
                        observed_at__lte=max(times),
                    ).values_list("unit_id", "observed_at")
                )
            for good in items:
                if (good.unit, good.when) in stored:
                    self.report.add(
                        good.row,
                        "time",
                        _("Already recorded: an earlier batch sent the same experiment, metric, unit and time."),
                    )

    def _cells_with_figures(self):
        """Per-unit outcomes for a cell that daily figures already cover would count it twice."""
        taken = self._existing_cells(DailyAggregate.objects.all())
        for good in self.clean:
            if good.cell in taken:
                self.report.add(
                    good.row,
                    "metric",
                    _(
                        "Daily figures were already sent for %(arm)s, %(metric)s on %(day)s: "
                        "send per-unit outcomes or daily figures for a day, not both."
                    )
                    % {"arm": good.variant.key, "metric": good.metric.key, "day": _date(good.day)},
                )

    def _duplicates_of_figures(self):
        # A cell's rows (one per segment, at most one without) come in one batch and add up to it.
        seen = {}
        for good in self.clean:
            key = (good.cell, good.segment.pk if good.segment else None)
            if key in seen:
                self.report.add(
                    good.row,
                    "day",
                    _("Duplicate of row %(number)d: one row per experiment, arm, metric, day and segment.")
                    % {"number": seen[key].number},
                )
            seen.setdefault(key, good.row)
        # Counted cells first: figures commit their DailyAggregate with their DailyStat, so a batch
        # committing between the two reads shows up in `given` (already recorded), never as a
        # counted cell without figures (which would be misread as per-unit outcomes).
        counted = self._existing_cells(DailyStat.objects.filter(n__gt=0))
        given = self._existing_cells(DailyAggregate.objects.all())
        for good in self.clean:
            if good.cell in given:
                self.report.add(
                    good.row,
                    "day",
                    _(
                        "Already recorded: figures for this experiment, arm, metric and day were sent before; "
                        "each is sent once."
                    ),
                )
            elif good.cell in counted:
                self.report.add(
                    good.row,
                    "metric",  # the same field as the other way round: one source per cell
                    _(
                        "Per-unit outcomes were already sent for %(arm)s, %(metric)s on %(day)s: "
                        "send per-unit outcomes or daily figures for a day, not both."
                    )
                    % {"arm": good.variant.key, "metric": good.metric.key, "day": _date(good.day)},
                )

    def _existing_cells(self, queryset) -> set:
        days = sorted({good.day for good in self.clean})
        experiment_ids = {good.target.experiment.pk for good in self.clean}
        if not days:
            return set()
        return set(
            queryset.filter(experiment_id__in=experiment_ids, day__gte=days[0], day__lte=days[-1]).values_list(
                "experiment_id", "variant_id", "metric_id", "day"
            )
        )

    def cells_taken_by_the_other_kind(self) -> bool:
        """Claim this batch's cells for its kind (experiments.live.cell_sources); a cell the other
        kind holds, committed by a batch at the same moment too, refuses the batch. Reported per row."""
        taken = cell_sources.claim(self.kind, self._cells)
        for good in self.clean:
            held = taken.get(good.cell)
            if held is not None:
                self.report.add(
                    good.row,
                    "metric",
                    cell_sources.cell_refusal(
                        self.kind, held, good.target.experiment.key, good.variant.key, good.metric.key, good.day
                    ),
                )
        return bool(taken)

    # Answers ----------------------------------------------------------------------------------

    def _named_experiments(self) -> dict:
        return {key: {"rows": 0} for key in self.targets}

    def refusal(self) -> dict:
        count = self.report.count
        shown = len(self.report.errors)
        detail = ngettext(
            "%(count)s error in %(rows)s rows; nothing was written. Fix it and send the whole batch again.",
            "%(count)s errors in %(rows)s rows; nothing was written. Fix them and send the whole batch again.",
            count,
        ) % {"count": _grouped(count), "rows": _grouped(self.row_count)}
        if shown < count:
            detail += " " + _("The first %(shown)s are listed.") % {"shown": _grouped(shown)}
        experiments = self._named_experiments()
        for key in experiments:
            experiments[key]["rows"] = self.rows_per_key[key]
        return {
            "detail": detail,
            "errors": self.report.errors,
            "error_count": count,
            "rows_received": self.row_count,
            "experiments": experiments,
        }

    def summary(self) -> dict:
        experiments = {}
        for good in self.clean:
            entry = experiments.setdefault(
                good.target.experiment.key, {"rows": 0, "arms": dict.fromkeys(good.target.variants, 0)}
            )
            entry["rows"] += 1
            entry["arms"][good.variant.key] += 1
        accepted = (
            ngettext("Accepted %(count)s outcome row.", "Accepted %(count)s outcome rows.", len(self.clean))
            if self.kind == OUTCOMES
            else ngettext("Accepted %(count)s daily figure.", "Accepted %(count)s daily figures.", len(self.clean))
        )
        return {
            "detail": accepted % {"count": _grouped(len(self.clean))},
            "kind": self.kind,
            "rows_written": len(self.clean),
            "experiments": experiments,
        }

    # Writing ----------------------------------------------------------------------------------

    def write(self, batch: IngestBatch):
        cells = defaultdict(_Cell)
        segment_cells = defaultdict(_Cell)  # (experiment_id, variant_id, metric_id, day, segment_id)
        if self.kind == OUTCOMES:
            for good in self.clean:
                cells[good.cell].add_value(good.metric.kind, good.value, good.when, good.pre_value)
                if good.segment is not None:
                    segment_cells[(*good.cell, good.segment.pk)].add_value(
                        good.metric.kind, good.value, good.when, good.pre_value
                    )
            # One insert order for every batch: two batches racing on the same rows wait, not deadlock.
            # Sorted in place and handed over one tuple at a time: no second copy of the batch.
            self.clean.sort(key=lambda good: (good.cell[0], good.cell[2], good.unit, good.when))
            _insert_observations(
                (
                    good.cell[0],
                    good.cell[2],
                    good.unit,
                    good.when,
                    good.cell[1],
                    good.value,
                    batch.pk,
                    good.segment.pk if good.segment else None,
                    good.pre_value,
                )
                for good in self.clean
            )
        else:
            aggregates = []
            for good in self.clean:
                aggregates.append(
                    DailyAggregate(
                        experiment_id=good.target.experiment.pk,
                        variant_id=good.variant.pk,
                        metric_id=good.metric.pk,
                        day=good.day,
                        batch=batch,
                        segment=good.segment,
                        **good.figures,
                    )
                )
                # The figures cover the whole day: fresh up to its end.
                end_of_day = dt.datetime.combine(good.day + dt.timedelta(days=1), dt.time(), tzinfo=self.tz)
                cells[good.cell].add_figures(good.figures, min(end_of_day, self.now))
                if good.segment is not None:
                    segment_cells[(*good.cell, good.segment.pk)].add_figures(good.figures, min(end_of_day, self.now))
            aggregates.sort(key=lambda a: (a.experiment_id, a.variant_id, a.metric_id, a.day))
            DailyAggregate.objects.bulk_create(aggregates, batch_size=INSERT_BATCH)
        add_to_daily_stats(cells, self.now)
        if self.kind != OUTCOMES:
            self._no_figures_from_another_batch(batch, cells)
        add_to_segment_stats(segment_cells, self.now)

    def _no_figures_from_another_batch(self, batch: IngestBatch, cells):
        """A cell's figures come in one batch. Two batches giving different segments of one cell at
        the same moment both pass the "already recorded" check and insert without a conflict; but
        add_to_daily_stats has just locked the cell's DailyStat rows, so the other batch has
        committed by now and is visible: this one rolls back (IntegrityError, as for a duplicate
        found by the unique index) and is answered "already recorded" when tried again."""
        given = self._existing_cells(DailyAggregate.objects.exclude(batch=batch))
        if given & set(cells):
            raise IntegrityError("daily figures for these cells were given by another batch at the same moment")


OBSERVATION_COLUMNS = (
    "experiment",
    "metric",
    "unit_id",
    "observed_at",
    "variant",
    "value",
    "batch",
    "segment",
    "pre_value",
)


def _insert_observations(rows):
    """Insert (experiment_id, metric_id, unit_id, observed_at, variant_id, value, batch_id,
    segment_id, pre_value) rows.

    On PostgreSQL through COPY, in the batch's transaction: the same constraints apply (a
    duplicate still raises IntegrityError) at a fraction of the cost of building model objects
    and one huge INSERT. Elsewhere (SQLite) through bulk_create.
    """
    fields = [Observation._meta.get_field(name) for name in OBSERVATION_COLUMNS]
    if connection.vendor == "postgresql":
        table = connection.ops.quote_name(Observation._meta.db_table)
        columns = ", ".join(connection.ops.quote_name(field.column) for field in fields)
        with (
            connection.cursor() as cursor,
            connection.wrap_database_errors,
            cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row(row)
        return
    attnames = [field.attname for field in fields]
    Observation.objects.bulk_create(
        (Observation(**dict(zip(attnames, row, strict=False))) for row in rows), batch_size=INSERT_BATCH
    )


def _range_text(metric: Metric) -> str:
    unit = f" {metric.unit}" if metric.unit and metric.unit != "%" else ""
    low, high = metric.min_value, metric.max_value
    if low is not None and high is not None:
        return _("from %(low)s to %(high)s") % {"low": _g(low), "high": _g(high)} + unit
    if low is not None:
        return _("of at least %(low)s") % {"low": _g(low)} + unit
    return _("of at most %(high)s") % {"high": _g(high)} + unit


# The sender's language (the request's, set by the middleware) for what the report says: numbers,
# dates and lists as that language writes them; keys and values as sent.


def _grouped(number: int) -> str:
    return formats.number_format(number, force_grouping=True)


def _g(value: float) -> str:
    """A value as short as Python's :g writes it, with the language's decimal separator."""
    return formats.number_format(f"{value:g}") if "e" not in f"{value:g}" else f"{value:g}"


def _date(day: dt.date) -> str:
    return formats.date_format(day, "DATE_FORMAT")


def _listed(names) -> str:
    return ", ".join(str(name) for name in names)


# --- daily figures: consistent sums -----------------------------------------------------------

_SLACK = 1e-9  # floating-point rounding in sums of squares, never a real inconsistency


def _consistent_figures(metric: Metric, numbers: dict) -> dict:
    """DailyAggregate fields from a row's figures; StatsInputError naming the field if impossible."""
    n = checked_count("n", numbers["n"])
    if metric.kind == Metric.Kind.BINARY:
        arm = BinaryArm(n, numbers["successes"])
        return {
            "n": n,
            "total": float(arm.successes),
            "total_sq": float(arm.successes),
            "promoters": 0,
            "detractors": 0,
        }
    total, total_sq = numbers["sum"], numbers["sum_sq"]
    try:
        MeanArm(n, total, total_sq)
    except StatsInputError as error:
        raise StatsInputError(
            {"total": "sum", "total_sq": "sum_sq"}.get(error.field, error.field), error.message
        ) from None
    if metric.kind == Metric.Kind.MEAN:
        _within_bounds(n, total, total_sq, metric.min_value, metric.max_value, metric)
        return {"n": n, "total": total, "total_sq": total_sq, "promoters": 0, "detractors": 0}
    arm = NpsArm(n, numbers["promoters"], numbers["detractors"])
    promoters, detractors = arm.promoters, arm.detractors
    passives = n - promoters - detractors
    # Each promoter scored 9-10, each passive 7-8, each detractor 0-6: the sums must fit.
    low, high = 9 * promoters + 7 * passives, 10 * promoters + 8 * passives + 6 * detractors
    if not low - _SLACK <= total <= high + _SLACK:
        raise StatsInputError(
            "sum",
            f"{total:g} does not fit {promoters} promoters (9-10), {passives} passives (7-8) and {detractors} "
            f"detractors (0-6): it must lie between {low} and {high}",
        )
    low_sq, high_sq = 81 * promoters + 49 * passives, 100 * promoters + 64 * passives + 36 * detractors
    if not low_sq - _SLACK * max(low_sq, 1) <= total_sq <= high_sq * (1 + _SLACK):
        raise StatsInputError(
            "sum_sq",
            f"{total_sq:g} does not fit those promoters, passives and detractors: it must lie between {low_sq} and "
            f"{high_sq}",
        )
    return {"n": n, "total": total, "total_sq": total_sq, "promoters": promoters, "detractors": detractors}


def _consistent_pre_sums(figures: dict, numbers: dict) -> dict:
    """CUPED's covariate sums over the row's n units, checked as the engine checks them (a sum of
    squares that fits the sum, a cross-product within Cauchy-Schwarz); StatsInputError naming the field."""
    fields = {"total_x": "pre_sum", "total_x_sq": "pre_sum_sq", "total_xy": "pre_cross"}
    try:
        MeanArm(
            figures["n"],
            figures["total"],
            figures["total_sq"],
            Covariate(numbers["pre_sum"], numbers["pre_sum_sq"], numbers["pre_cross"]),
        )
    except StatsInputError as error:
        name = error.field.removeprefix("covariate.")
        raise StatsInputError(fields.get(name, name), error.message) from None
    return {stored: numbers[given] for given, stored in PRE_SUMS.items()}


def _within_bounds(n, total, total_sq, low, high, metric):
    unit = f" {metric.unit}" if metric.unit else ""
    if low is not None and total < n * low - _SLACK * max(abs(n * low), 1):
        raise StatsInputError("sum", f"{total:g} is below {n} units x the minimum {low:g}{unit}")
    if high is not None and total > n * high + _SLACK * max(abs(n * high), 1):
        raise StatsInputError("sum", f"{total:g} is above {n} units x the maximum {high:g}{unit}")
    if low is not None and high is not None:
        # Every value y in [low, high] has y^2 <= (low + high) y - low high.
        ceiling = (low + high) * total - n * low * high
        if total_sq > ceiling + _SLACK * max(abs(ceiling), abs(total_sq), 1):
            raise StatsInputError(
                "sum_sq", f"{total_sq:g} is too large for {n} values between {low:g} and {high:g} summing to {total:g}"
            )


# --- DailyStat --------------------------------------------------------------------------------


class _Cell:
    __slots__ = (
        "n",
        "total",
        "total_sq",
        "promoters",
        "detractors",
        "last",
        "pre_n",
        "pre_total",
        "pre_total_sq",
        "pre_cross",
    )

    def __init__(self):
        self.n, self.total, self.total_sq, self.promoters, self.detractors, self.last = 0, 0.0, 0.0, 0, 0, None
        self.pre_n, self.pre_total, self.pre_total_sq, self.pre_cross = 0, 0.0, 0.0, 0.0

    def add_value(self, kind, value, when, pre_value=None):
        self.n += 1
        self.total += value
        self.total_sq += value * value
        if kind == Metric.Kind.NPS:
            self.promoters += value >= NPS_PROMOTER
            self.detractors += value <= NPS_DETRACTOR
        if pre_value is not None:
            self.pre_n += 1
            self.pre_total += pre_value
            self.pre_total_sq += pre_value * pre_value
            self.pre_cross += pre_value * value
        self._seen(when)

    def add_figures(self, figures, when):
        self.n += figures["n"]
        self.total += figures["total"]
        self.total_sq += figures["total_sq"]
        self.promoters += figures["promoters"]
        self.detractors += figures["detractors"]
        if figures.get("pre_total") is not None:
            self.pre_n += figures["n"]
            self.pre_total += figures["pre_total"]
            self.pre_total_sq += figures["pre_total_sq"]
            self.pre_cross += figures["pre_cross"]
        self._seen(when)

    def _seen(self, when):
        if self.last is None or when > self.last:
            self.last = when


SUM_FIELDS = ("n", "total", "total_sq", "promoters", "detractors", "pre_n", "pre_total", "pre_total_sq", "pre_cross")
STAT_FIELDS = [*SUM_FIELDS, "last_observed_at", "updated_at"]


def add_to_daily_stats(cells: dict, now):
    """Add each (experiment_id, variant_id, metric_id, day) cell's sums into DailyStat.

    Missing rows are created empty first (ignoring ones another batch just created), then every
    row is locked and added to, so concurrent batches on the same cells add up instead of
    overwriting each other. Call inside the batch's transaction.
    """
    if not cells:
        return
    keys = sorted(cells)  # one insert order for every batch: they wait for each other, never deadlock
    DailyStat.objects.bulk_create(
        [DailyStat(experiment_id=e, variant_id=v, metric_id=m, day=d, updated_at=now) for e, v, m, d in keys],
        ignore_conflicts=True,
        batch_size=INSERT_BATCH,
    )
    wanted = Q()
    for experiment_id in {k[0] for k in keys}:
        days = [k[3] for k in keys if k[0] == experiment_id]
        wanted |= Q(experiment_id=experiment_id, day__gte=min(days), day__lte=max(days))
    changed = []
    for stat in DailyStat.objects.select_for_update().filter(wanted).order_by("pk"):
        cell = cells.get((stat.experiment_id, stat.variant_id, stat.metric_id, stat.day))
        if cell is None:
            continue
        for name in SUM_FIELDS:
            setattr(stat, name, getattr(stat, name) + getattr(cell, name))
        if stat.last_observed_at is None or cell.last > stat.last_observed_at:
            stat.last_observed_at = cell.last
        stat.updated_at = now
        changed.append(stat)
    DailyStat.objects.bulk_update(changed, fields=STAT_FIELDS, batch_size=INSERT_BATCH)


def add_to_segment_stats(cells: dict, now):
    """Add each (experiment_id, variant_id, metric_id, day, segment_id) cell's sums into
    SegmentDailyStat, as add_to_daily_stats does for the whole population (which already counts
    these rows: the segments are a breakdown of it, never added to it)."""
    if not cells:
        return
    keys = sorted(cells)
    SegmentDailyStat.objects.bulk_create(
        [
            SegmentDailyStat(experiment_id=e, variant_id=v, metric_id=m, day=d, segment_id=s, updated_at=now)
            for e, v, m, d, s in keys
        ],
        ignore_conflicts=True,
        batch_size=INSERT_BATCH,
    )
    wanted = Q()
    for experiment_id in {k[0] for k in keys}:
        days = [k[3] for k in keys if k[0] == experiment_id]
        wanted |= Q(experiment_id=experiment_id, day__gte=min(days), day__lte=max(days))
    changed = []
    for stat in SegmentDailyStat.objects.select_for_update().filter(wanted).order_by("pk"):
        cell = cells.get((stat.experiment_id, stat.variant_id, stat.metric_id, stat.day, stat.segment_id))
        if cell is None:
            continue
        for name in SUM_FIELDS:
            setattr(stat, name, getattr(stat, name) + getattr(cell, name))
        stat.updated_at = now
        changed.append(stat)
    SegmentDailyStat.objects.bulk_update(changed, fields=[*SUM_FIELDS, "updated_at"], batch_size=INSERT_BATCH)
