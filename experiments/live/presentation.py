"""What people see of a running experiment, from its Check rows and DailyStat times.

The experiment page shows, in this order: the decision banner (the latest check's sentence and
what it means), the per-metric table, one chart per metric of the effect and its interval over
the looks, data freshness, and the check history. The dashboard shows a status light per
running (or recently auto-stopped) experiment.

Everything here is plain functions of rows and a `now`, so every wording is tested without a
clock; only the loaders at the bottom query (a fixed number of queries per page or list).
Every effect is read through experiments.stats.wording.metric_reading: treatment minus control in
the metric's own units, with the interval of the test that decides it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Max, OuterRef, Subquery
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import Truncator
from django.utils.timesince import timesince
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.utils.translation import gettext_noop as N_
from django.utils.translation import ngettext

from experiments.models import Check, DailyStat, Experiment, ExperimentEvent, Status
from experiments.stats.verdicts import LookAction, LookOutcome, MetricRole, MetricStatus
from experiments.stats.phrases import worded
from experiments.stats.reader import grouped
from experiments.stats.wording import (
    Reading,
    amount_text,
    level_text,
    meaning_words,
    metric_reading,
    number_text,
    p_text,
    signed_text,
    unit_suffix,
)

# A running experiment whose newest data is older than this is judged on stale data.
STALE_AFTER = dt.timedelta(days=2)
# The dashboard keeps showing an experiment a check stopped for this long.
RECENT_STOP = dt.timedelta(days=7)
SHORT_SENTENCE_CHARS = 140

# What each outcome of a stop or conclusion means for the reader: what to do next.
MEANING = {
    (LookAction.STOP, LookOutcome.LOST): gettext_lazy(
        "A metric got clearly worse for customers, so the change was rolled back. "
        "Conclude it as lost, or fix the cause and request a restart."
    ),
    (LookAction.STOP, LookOutcome.INVALID): gettext_lazy(
        "The arms did not receive their planned shares of units, so the results cannot be trusted. "
        "Fix the assignment, then conclude it as invalid or request a restart."
    ),
    (LookAction.CONCLUDE, LookOutcome.WON): gettext_lazy(
        "The change improved a success metric and every guardrail held: it can be shipped."
    ),
    (LookAction.CONCLUDE, LookOutcome.LOST): gettext_lazy(
        "A success metric improved, but a guardrail was not shown to hold: do not ship it as it is."
    ),
    (LookAction.CONCLUDE, LookOutcome.INCONCLUSIVE): gettext_lazy(
        "No effect was shown by the planned end: keep the current version."
    ),
}
CONTINUE_MEANING = gettext_lazy(
    "Nothing to do: it keeps running and is checked again every day. It stops by itself if a metric gets clearly worse."
)
FIRST_CHECK_MEANING = gettext_lazy(
    "The daily monitoring slot checks it every day and stops it by itself if a metric gets clearly worse or the data "
    "cannot be trusted."
)
OUTCOME_WORDS = {
    LookOutcome.WON: gettext_lazy("won"),
    LookOutcome.LOST: gettext_lazy("lost"),
    LookOutcome.INCONCLUSIVE: gettext_lazy("no effect shown"),
    LookOutcome.INVALID: gettext_lazy("invalid data"),
}

# Per-metric status in words (marked for translation, translated where shown), and the tone the table colours it with.
STATUS_TEXT = {
    (MetricRole.SUCCESS, MetricStatus.SUPERIOR): (N_("Improved"), "ok"),
    (MetricRole.SUCCESS, MetricStatus.UNDECIDED): (N_("No improvement shown yet"), "neutral"),
    (MetricRole.GUARDRAIL, MetricStatus.NON_INFERIOR): (N_("Shown to hold"), "ok"),
    (MetricRole.GUARDRAIL, MetricStatus.UNDECIDED): (N_("Not yet shown to hold"), "neutral"),
    (MetricRole.SUCCESS, MetricStatus.HARM): (N_("Clearly worse: stop"), "bad"),
    (MetricRole.GUARDRAIL, MetricStatus.HARM): (N_("Clearly worse: stop"), "bad"),
    (MetricRole.SUCCESS, MetricStatus.NOT_ENOUGH_DATA): (N_("Not enough data yet"), "muted"),
    (MetricRole.GUARDRAIL, MetricStatus.NOT_ENOUGH_DATA): (N_("Not enough data yet"), "muted"),
}


def when(moment: dt.datetime | None) -> str:
    """A moment as the pages show it: "20 Nov 2026 06:00" in the reader's time zone and language."""
    return date_format(timezone.localtime(moment), "DATETIME_FORMAT") if moment else "—"


def on_day(day: dt.date) -> str:
    return date_format(day, "DATE_FORMAT")


def ago(moment: dt.datetime, now: dt.datetime) -> str:
    if now - moment < dt.timedelta(minutes=1):
        return _("just now")
    return _("%(ago)s ago") % {"ago": timesince(moment, now, depth=1)}


def signed(value: float | None) -> str:
    return signed_text(value)


def with_unit(text: str, unit: str) -> str:
    return unit_suffix(unit, text)


# --- data freshness -------------------------------------------------------------------------


@dataclass(frozen=True)
class Freshness:
    """How recent the data the checks see is. `watched`: the experiment is running, so stale
    data matters (the checks would judge old data)."""

    data_through: dt.datetime | None  # the latest observation time
    last_received: dt.datetime | None  # the latest ingestion into DailyStat
    now: dt.datetime
    watched: bool

    @property
    def no_data(self) -> bool:
        return self.data_through is None and self.last_received is None

    @property
    def newest(self) -> dt.datetime | None:
        return self.data_through or self.last_received

    @property
    def stale(self) -> bool:
        return self.watched and self.newest is not None and self.now - self.newest > STALE_AFTER

    @property
    def summary(self) -> str:
        if self.no_data:
            return _("No data has arrived yet.")
        received = ago(self.last_received, self.now) if self.last_received else ""
        if self.data_through and received:
            return _("Data through %(when)s, last received %(ago)s.") % {
                "when": when(self.data_through),
                "ago": received,
            }
        if self.data_through:
            return _("Data through %(when)s.") % {"when": when(self.data_through)}
        return _("Last received %(ago)s.") % {"ago": received}

    @property
    def warning(self) -> str:
        """Empty unless a running experiment lacks current data."""
        if not self.watched:
            return ""
        if self.no_data:
            return _(
                "No data has arrived yet: the checks have nothing to judge. Send the first outcomes through the data "
                "page or the API."
            )
        if self.stale:
            return _(
                "The newest data is %(age)s old: the checks are judging old data. "
                "Make sure the daily data feed is running."
            ) % {"age": timesince(self.newest, self.now, depth=1)}
        return ""


def freshness(data_through, last_received, *, now, running: bool) -> Freshness:
    return Freshness(data_through, last_received, now, running)


def freshness_of(experiment: Experiment, data: tuple, *, now) -> Freshness:
    """The freshness of `experiment`'s data ((data through, last received), as
    ``freshness_by_experiment`` gives it): only a running experiment's data can go stale."""
    return freshness(*data, now=now, running=experiment.status == Status.RUNNING)


# --- the decision banner --------------------------------------------------------------------


@dataclass(frozen=True)
class Banner:
    tone: str  # "ok" | "info" | "warn" | "bad" | "done"
    headline: str
    sentence: str  # the check's own sentence (or the person's reason)
    meaning: str  # what it means for the reader
    check: Check | None = None


def progress(experiment: Experiment, today: dt.date) -> str:
    total = experiment.duration_days or 1
    day = min(max((today - experiment.planned_start).days + 1, 1), total)
    return _("day %(day)s of %(total)s") % {"day": day, "total": total}


def days_left(experiment: Experiment, today: dt.date) -> int:
    return max((experiment.planned_end - today).days, 0)


def _meaning(check: Check) -> str:
    return MEANING.get((check.action, check.outcome), "")


def banner(
    experiment: Experiment, checks, *, now, stop_event: ExperimentEvent | None = None, fresh: Freshness | None = None
) -> Banner | None:
    """The decision first: what the latest check said and what it means. None when there is
    nothing live to say (never started and never checked)."""
    checks = list(checks)
    latest = checks[-1] if checks else None
    status = experiment.status
    today = timezone.localdate(now)

    if status == Status.RUNNING:
        nxt = (
            _("next check %(when)s") % {"when": when(experiment.next_check_at)}
            if experiment.next_check_at
            else _("next check not scheduled yet")
        )
        head = _("Running — %(progress)s") % {"progress": progress(experiment, today)}
        head_next = _("%(head)s, %(next)s") % {"head": head, "next": nxt}
        if latest is None:
            result = Banner("info", head_next, _("No check has run yet."), FIRST_CHECK_MEANING)
        elif latest.action == Check.Action.ERROR:
            # The same failure is recorded once (monitoring): an older one means every check since failed too.
            if latest.look_date >= today:
                headline = _("%(head)s: the last check could not decide") % {"head": head}
            else:
                headline = _("%(head)s: the last check could not decide (failing the same way since %(day)s)") % {
                    "head": head,
                    "day": on_day(latest.look_date),
                }
            result = Banner(
                "warn",
                headline,
                latest.display_sentence,
                _("Nothing was changed. It is tried again at the %(next)s; make sure data is arriving.")
                % {"next": nxt},
                latest,
            )
        elif latest.action == Check.Action.CONTINUE:
            result = Banner("ok", head_next, latest.display_sentence, CONTINUE_MEANING, latest)
        else:  # the slot stops or concludes in the check's transaction: running again = restarted
            result = Banner(
                "info",
                head_next,
                _("Restarted after the check of %(day)s: %(sentence)s")
                % {"day": on_day(latest.look_date), "sentence": latest.display_sentence},
                _("It runs again after an approved restart; the next check decides whether it continues."),
                latest,
            )
        if fresh is not None and fresh.warning and result.tone in ("ok", "info"):
            result = Banner("warn", result.headline, result.sentence, f"{fresh.warning} {result.meaning}", result.check)
        return result

    if latest is None:
        return None
    if status == Status.STOPPED:
        by_check = latest.action == Check.Action.STOP and (stop_event is None or stop_event.actor_id is None)
        if by_check:
            day = timezone.localdate(stop_event.created_at) if stop_event else timezone.localdate(latest.created_at)
            headline = _("Stopped automatically on %(day)s") % {"day": on_day(day)}
            return Banner("bad", headline, latest.display_sentence, _meaning(latest), latest)
        if stop_event:
            headline = _("Stopped by %(who)s on %(day)s") % {
                "who": stop_event.actor_label,
                "day": on_day(timezone.localdate(stop_event.created_at)),
            }
        else:
            headline = _("Stopped by hand")
        reason = f"“{stop_event.reason}”" if stop_event and stop_event.reason else _("No reason given.")
        return Banner(
            "bad",
            headline,
            reason,
            _("Data collection has ended. The last check (%(day)s) said: %(sentence)s")
            % {"day": on_day(latest.look_date), "sentence": latest.display_sentence},
            latest,
        )
    # Completed, concluded, promoted, archived: what the checks found, for the record.
    if latest.action == Check.Action.CONCLUDE:
        words = OUTCOME_WORDS.get(latest.outcome, latest.outcome)
        return Banner(
            "done",
            _("The checks concluded it on %(day)s: %(words)s") % {"day": on_day(latest.look_date), "words": words},
            latest.display_sentence,
            _meaning(latest),
            latest,
        )
    if latest.action == Check.Action.STOP:
        head = _("Stopped automatically on %(day)s") % {"day": on_day(timezone.localdate(latest.created_at))}
        if not experiment.outcome:
            return Banner("bad", head, latest.display_sentence, _meaning(latest), latest)
        # Concluded since: the advice to conclude is spent; the verdict under the banner says
        # whether the outcome follows the check or an agreed override (experiments.verdicts).
        words = OUTCOME_WORDS.get(experiment.outcome, experiment.outcome)
        headline = _("%(head)s, then concluded as %(words)s") % {"head": head, "words": words}
        return Banner("bad", headline, latest.display_sentence, "", latest)
    label = experiment.get_status_display()
    if experiment.outcome:
        label = f"{label} ({experiment.get_outcome_display().lower()})"
    headline = _("%(label)s — last check on %(day)s") % {"label": label, "day": on_day(latest.look_date)}
    return Banner("done", headline, latest.display_sentence, "", latest)


# --- the per-metric table ------------------------------------------------------------------


def arm_value_text(result: dict, value: float | None) -> str:
    """One arm's level as people know it: "5.1%" (a rate), "NPS 32", "4.12 minutes"."""
    if value is None:
        return "—"
    kind = result.get("kind") or {"points": "binary", "NPS points": "nps"}.get(result.get("unit") or "", "mean")
    if kind == "binary":
        return f"{number_text(value)}%"
    if kind == "nps":
        return _("NPS %(value)s") % {"value": number_text(value)}
    unit = result.get("value_unit") or ("" if result.get("relative") else result.get("unit") or "")
    return amount_text(value, unit)


@dataclass(frozen=True)
class SegmentTexts:
    """A segment's row read the same way as the results table: arm values, the change with its
    meaning, and the interval (the breakdown's own level, unadjusted)."""

    control: str
    treatment: str
    change: str
    meaning: str
    interval: str


def segment_texts(spec, effect: dict, level: float) -> SegmentTexts:
    """``spec``: the metric's MetricSpec; ``effect``: one row of the segments breakdown (as the API
    gives it: raw treatment minus control, a rise positive)."""
    result = {
        "kind": spec.kind,
        "unit": spec.unit_text.strip(),
        "value_unit": spec.unit or "",
        "relative": spec.relative,
    }
    reading = Reading(
        change=effect.get("change"),
        interval=(effect["interval_low"], effect["interval_high"]) if effect.get("interval_low") is not None else None,
        level=level,
        unit="%" if spec.relative else spec.unit_text.strip(),
        lower_is_better=spec.lower_is_better,
        harm=False,
    )
    return SegmentTexts(
        control=arm_value_text(result, effect.get("control_mean")),
        treatment=arm_value_text(result, effect.get("treatment_mean")),
        change=reading.change_text,
        meaning=meaning_words(reading.meaning),
        interval=f"{reading.level_text} {reading.interval_text}",
    )


def relative_change(result: dict, reading: Reading) -> tuple[float | None, tuple | None]:
    """The change in % of the control arm's value, with its interval. A metric judged relative
    already is; otherwise the absolute interval is divided by the control value (taken as known:
    with the sample sizes a check needs, its own uncertainty barely widens the interval)."""
    if reading.unit == "%":
        return reading.change, reading.interval
    control = result.get("control_value")
    if reading.change is None or not control:
        return None, None
    scale = 100 / abs(control)
    interval = (reading.interval[0] * scale, reading.interval[1] * scale) if reading.interval else None
    return reading.change * scale, interval


def decision_rule(result: dict, reading: Reading) -> list[str]:
    """What the metric's effect must be for the decision, in its own units and direction
    (the engine's boundary and margin, oriented "positive = better", turned back)."""
    at_least = _("at most") if reading.lower_is_better else _("at least")
    rules = []
    margin = result.get("margin")
    if result.get("role") == MetricRole.GUARDRAIL and margin is not None:
        worst = amount_text(reading.raw(-margin), reading.unit, signed=True)
        rules.append(_("Must not be worse than %(worst)s to ship") % {"worst": worst})
    boundary = result.get("boundary_effect")
    if boundary is not None:
        needed = amount_text(reading.raw(boundary), reading.unit, signed=True)
        if result.get("role") == MetricRole.SUCCESS:
            rules.append(_("Needs to be %(side)s %(needed)s to call it a win") % {"side": at_least, "needed": needed})
        else:
            rules.append(
                _("Shown to hold once the change is %(side)s %(needed)s") % {"side": at_least, "needed": needed}
            )
    return rules


@dataclass(frozen=True)
class IntervalBar:
    """A small inline SVG of the interval against zero and the decision's threshold, in a 0-100
    wide box (attributes only: the site's CSP allows no inline style)."""

    low: float
    high: float
    estimate: float
    zero: float
    threshold: float | None
    tone: str


def interval_bar(reading: Reading, result: dict, tone: str) -> IntervalBar | None:
    if reading.change is None or not reading.interval:
        return None
    margin = result.get("margin")
    if result.get("role") == MetricRole.GUARDRAIL and margin is not None:
        threshold = reading.raw(-margin)
    else:
        threshold = reading.raw(result.get("boundary_effect"))
    values = [0.0, reading.change, *reading.interval] + ([threshold] if threshold is not None else [])
    lo, hi = min(values), max(values)
    pad = (hi - lo) * 0.08 or 1.0
    lo, hi = lo - pad, hi + pad

    def x(value):
        return round(100 * (value - lo) / (hi - lo), 2)

    return IntervalBar(
        x(reading.interval[0]),
        x(reading.interval[1]),
        x(reading.change),
        x(0.0),
        x(threshold) if threshold is not None else None,
        tone,
    )


@dataclass(frozen=True)
class MetricRow:
    metric: str
    label: str
    role: str
    arm: str
    reading: Reading
    estimate_text: str  # "+2.54 points": treatment minus control
    meaning_text: str  # "2.54 points higher: worse"
    interval_text: str  # "+0.45 to +4.63 points"
    level_text: str  # "98%"
    boundaries: list  # what the effect must be for the decision, in words
    status: str
    status_text: str
    tone: str
    units: list  # (arm name, units as text)
    sentence: str
    control_value_text: str = "—"
    treatment_value_text: str = "—"
    relative_text: str = "—"
    relative_interval_text: str = ""
    bar: IntervalBar | None = None
    relative: float | None = None  # the change in % of the control arm's value
    result: dict = field(default_factory=dict)  # the metric's recorded result (exports read its figures)

    @property
    def estimate(self) -> float | None:
        return self.reading.change

    @property
    def boundary_text(self) -> str:
        return " · ".join(self.boundaries) or "—"


def metric_row(m: dict, arm_names: dict, control: str) -> MetricRow:
    reading = metric_reading(m)
    status_text, tone = STATUS_TEXT.get(
        (m.get("role"), m.get("status")), (m.get("status", "").replace("_", " ").capitalize(), "neutral")
    )
    n_control, n_treatment = m.get("n_control"), m.get("n_treatment")
    treatment = m.get("treatment", "")
    units = [
        (arm_names.get(arm, arm), grouped(n))
        for arm, n in ((control, n_control), (treatment, n_treatment))
        if n is not None
    ]
    relative, relative_interval = relative_change(m, reading)
    label = m.get("label") or m.get("metric", "")
    return MetricRow(
        metric=m.get("metric", ""),
        label=label[:1].upper() + label[1:],
        role=m.get("role", ""),
        arm=arm_names.get(treatment, treatment),
        reading=reading,
        estimate_text=reading.change_text,
        meaning_text=reading.amount_text if reading.change is not None else "—",
        interval_text=reading.interval_text,
        level_text=reading.level_text,
        boundaries=decision_rule(m, reading),
        status=m.get("status", ""),
        status_text=_(status_text),
        tone=tone,
        units=units,
        sentence=worded(m["said"]) if m.get("said") else m.get("sentence", ""),
        control_value_text=arm_value_text(m, m.get("control_value")),
        treatment_value_text=arm_value_text(m, m.get("treatment_value")),
        relative_text=with_unit(signed(relative), "%") if relative is not None else "—",
        relative_interval_text=(
            _("%(low)s to %(high)s")
            % {"low": signed(relative_interval[0]), "high": with_unit(signed(relative_interval[1]), "%")}
            if relative_interval
            else ""
        ),
        bar=interval_bar(reading, m, tone),
        relative=relative,
        result=m,
    )


def metric_rows(check: Check | None, arm_names: dict, control: str) -> list[MetricRow]:
    """One row per metric and treatment arm, from the check's result (success metrics first)."""
    if check is None:
        return []
    metrics = sorted(check.result.get("metrics") or [], key=lambda m: m.get("role") != MetricRole.SUCCESS)
    return [metric_row(m, arm_names, control) for m in metrics]


def interval_levels(rows) -> str:
    """The interval levels a table uses, each named once with its purpose."""
    harm = sorted({r.reading.level for r in rows if r.reading.harm and r.reading.level})
    decide = sorted({r.reading.level for r in rows if not r.reading.harm and r.reading.level})
    parts = []
    if decide:
        levels = ", ".join(level_text(x) for x in decide)
        parts.append(_("%(levels)s intervals for the decision to ship") % {"levels": levels})
    if harm:
        levels = ", ".join(level_text(x) for x in harm)
        parts.append(_("%(levels)s for a metric stopped as clearly worse") % {"levels": levels})
    return "; ".join(parts)


@dataclass(frozen=True)
class SampleRatio:
    """The sample-ratio test's line: counts per arm and whether the split matches the plan."""

    tone: str
    text: str
    counts: list  # (arm name, units as text)


def sample_ratio(check: Check | None, arm_names: dict) -> SampleRatio | None:
    srm = (check.result.get("srm") if check is not None else None) or None
    if not srm or not srm.get("counts"):
        return None
    counts = [(arm_names.get(arm, arm), grouped(n)) for arm, n in srm["counts"].items()]
    split = f" {_('vs')} ".join(f"{name} {n}" for name, n in counts)
    p = srm.get("p_value")
    if srm.get("status") == "mismatch":
        text = _("The split of units (%(split)s) does not match the plan (p = %(p)s): results cannot be trusted.")
        tone = "bad"
    elif srm.get("status") == "ok":
        text = _("The split of units (%(split)s) matches the plan (p = %(p)s).")
        tone = "ok"
    else:
        text = _("Too few units to test the split yet (%(split)s).")
        tone = "muted"
    return SampleRatio(tone, text % {"split": split, "p": p_text(p)}, counts)


# --- charts --------------------------------------------------------------------------------


def _key(metric_result: dict) -> tuple:
    return (metric_result.get("metric"), metric_result.get("treatment"))


def chart_series(checks, arm_names: dict) -> list[dict]:
    """One chart per metric (and treatment arm, when there are several) over the looks that
    carry results: each look's reading (treatment minus control in the metric's units, with the
    interval of the test that decides it), the value needed to call a win or show a guardrail
    holds, and for a guardrail the worst change accepted. JSON-ready (for json_script)."""
    looks = [c for c in checks if c.result.get("metrics")]
    per_look = {}  # (metric, arm) -> its result at each look (None where missing), first seen first
    for index, check in enumerate(looks):
        for m in check.result["metrics"]:
            per_look.setdefault(_key(m), [None] * len(looks))[index] = m
    latest = {key: next(m for m in reversed(results) if m is not None) for key, results in per_look.items()}
    many_arms = len({arm for _key_metric, arm in per_look}) > 1
    # Success metrics first, as in the table (a stable sort keeps the engine's order otherwise).
    keys = sorted(per_look, key=lambda key: latest[key].get("role") != MetricRole.SUCCESS)
    charts = []
    for index, (metric, arm) in enumerate(keys):
        by_look, spec = per_look[(metric, arm)], latest[(metric, arm)]
        readings = [metric_reading(m) if m is not None else None for m in by_look]
        last = metric_reading(spec)
        unit = last.unit
        label = spec.get("label") or metric
        title = label[:1].upper() + label[1:]
        if many_arms:
            title += f" — {arm_names.get(arm, arm)}"
        is_guardrail = spec.get("role") == MetricRole.GUARDRAIL
        better = _("lower is better") if last.lower_is_better else _("higher is better")
        levels = sorted({r.level for r in readings if r is not None and r.level})
        charts.append(
            {
                "id": f"check-chart-{index}",
                "metric": metric,
                "arm": arm,
                "title": title,
                "role": spec.get("role"),
                "unit": unit,
                "axis": _("Change%(unit)s, %(better)s") % {"unit": f" ({unit})" if unit else "", "better": better},
                "axis_short": f"{unit or _('Change')}, {better}",
                "dates": [c.look_date.isoformat() for c in looks],
                "labels": [date_format(c.look_date, "j M") for c in looks],
                "estimate": [r.change if r else None for r in readings],
                "low": [r.interval[0] if r and r.interval else None for r in readings],
                "high": [r.interval[1] if r and r.interval else None for r in readings],
                "boundary": [
                    r.raw(m.get("boundary_effect")) if r else None for r, m in zip(readings, by_look, strict=True)
                ],
                "boundary_label": _("Needed to call a win") if not is_guardrail else _("Needed to show it holds"),
                "margin": last.raw(-spec["margin"]) if is_guardrail and spec.get("margin") is not None else None,
                "margin_label": _("Worst accepted"),
                "interval_label": (
                    _("%(levels)s interval") % {"levels": " / ".join(level_text(x) for x in levels)}
                    if levels
                    else _("Interval")
                ),
            }
        )
    return charts


# --- check history --------------------------------------------------------------------------


DECISION_TEXT = {
    LookAction.CONTINUE: gettext_lazy("Continue"),
    Check.Action.ERROR: gettext_lazy("Could not check"),
    (LookAction.STOP, LookOutcome.LOST): gettext_lazy("Stop (harm)"),
    (LookAction.STOP, LookOutcome.INVALID): gettext_lazy("Stop (invalid data)"),
    (LookAction.CONCLUDE, LookOutcome.WON): gettext_lazy("Conclude: won"),
    (LookAction.CONCLUDE, LookOutcome.LOST): gettext_lazy("Conclude: lost"),
    (LookAction.CONCLUDE, LookOutcome.INCONCLUSIVE): gettext_lazy("Conclude: no effect shown"),
}
DECISION_TONE = {
    LookAction.CONTINUE: "ok",
    Check.Action.ERROR: "warn",
    LookAction.STOP: "bad",
    LookAction.CONCLUDE: "done",
}


TRIGGER_TEXT = {"schedule": gettext_lazy("Daily slot"), "operator": gettext_lazy("Operator")}


def decision_text(check: Check) -> str:
    return (
        DECISION_TEXT.get((check.action, check.outcome))
        or DECISION_TEXT.get(check.action)
        or check.get_action_display()
    )


@dataclass(frozen=True)
class HistoryRow:
    look_date: dt.date
    decision: str
    tone: str
    sentence: str
    trigger: str


def history(checks) -> list[HistoryRow]:
    """Newest first."""
    return [
        HistoryRow(
            c.look_date,
            decision_text(c),
            DECISION_TONE.get(c.action, "neutral"),
            c.display_sentence,
            TRIGGER_TEXT.get(c.trigger) or c.get_trigger_display(),
        )
        for c in sorted(checks, key=lambda c: c.look_date, reverse=True)
    ]


# --- dashboard lights -----------------------------------------------------------------------


@dataclass(frozen=True)
class Light:
    colour: str  # "green" | "amber" | "red"
    label: str  # the colour in words (never colour alone)
    reason: str


# Problems first: the board's order of the colours (experiments.live.board ranks in SQL with it).
LIGHT_RANK = {"red": 0, "amber": 1, "green": 2}


def light(experiment: Experiment, latest: Check | None, fresh: Freshness) -> Light:
    """Red: a check stopped it; amber: running without current data or after a failed check;
    green: running, the checks say continue (or have not run yet) and data is fresh.
    experiments.live.board.with_light_rank is the same rule in SQL (a test proves they agree)."""
    if experiment.status == Status.STOPPED:
        return Light("red", _("Stopped"), _("By a check"))
    attention = _("Needs attention")
    if fresh.no_data:
        return Light("amber", attention, _("No data yet"))
    if fresh.stale:
        since = timesince(fresh.newest, fresh.now, depth=1)
        return Light("amber", attention, _("No new data for %(duration)s") % {"duration": since})
    if latest is not None and latest.action == Check.Action.ERROR:
        return Light("amber", attention, _("The last check could not run"))
    on_track = _("On track")
    if latest is not None and latest.action != Check.Action.CONTINUE:
        return Light("green", on_track, _("Restarted, next check pending"))  # running after a stop: restarted
    return Light(
        "green", on_track, _("Data fresh, checks say continue") if latest else _("Data fresh, first check pending")
    )


@dataclass
class BoardRow:
    experiment: Experiment
    light: Light
    when_text: str
    full_sentence: str = ""
    order: tuple = field(default=())

    @property
    def sentence(self) -> str:
        """Cut short for the table (only for the rows shown: the board ranks many more)."""
        return Truncator(self.full_sentence).chars(SHORT_SENTENCE_CHARS)


def board_row(experiment: Experiment, latest: Check | None, fresh: Freshness, *, now) -> BoardRow:
    today = timezone.localdate(now)
    lamp = light(experiment, latest, fresh)
    if experiment.status == Status.RUNNING:
        left = days_left(experiment, today)
        when_text = (
            ngettext("%(count)d day left", "%(count)d days left", left) % {"count": left} if left else _("Last day")
        )
    elif latest:
        when_text = _("Stopped %(date)s") % {"date": on_day(timezone.localdate(latest.created_at))}
    else:
        when_text = _("Stopped")
    sentence = latest.display_sentence if latest else _("No check has run yet.")
    return BoardRow(
        experiment, lamp, when_text, sentence, (LIGHT_RANK[lamp.colour], experiment.planned_end, experiment.pk)
    )


# --- loaders (the only queries) -------------------------------------------------------------


def freshness_by_experiment(experiment_ids) -> dict:
    """{experiment id: (data through, last received)} in one query."""
    rows = (
        DailyStat.objects.filter(experiment_id__in=list(experiment_ids))
        .values("experiment_id")
        .annotate(through=Max("last_observed_at"), received=Max("updated_at"))
    )
    return {row["experiment_id"]: (row["through"], row["received"]) for row in rows}


def latest_checks(experiment_ids) -> dict:
    """{experiment id: its newest Check (without the full result)} in one query: per experiment
    one seek on the (experiment, look date) index, however many checks each has."""
    newest = Check.objects.filter(experiment=OuterRef("pk")).order_by("-look_date", "-pk").values("pk")[:1]
    latest_ids = Experiment.objects.filter(pk__in=list(experiment_ids)).values(latest=Subquery(newest))
    rows = Check.objects.filter(pk__in=latest_ids).defer("result", "units", "skipped_dates", "late_reason")
    return {c.experiment_id: c for c in rows}


@dataclass(frozen=True)
class LivePage:
    banner: Banner | None
    rows: list
    rows_as_of: Check | None
    charts: list
    freshness: Freshness
    history: list
    several_treatments: bool = False  # the table then names the arm of each row
    sample_ratio: SampleRatio | None = None
    interval_levels: str = ""  # each interval level the table uses, named once with its purpose


def live_page(experiment: Experiment, *, now=None) -> LivePage | None:
    """Everything the experiment page shows of its checks; None when it was never running and
    never checked (the page then stays as it was)."""
    now = now or timezone.now()
    checks = list(experiment.checks.order_by("look_date"))
    running = experiment.status == Status.RUNNING
    if not checks and not running:
        return None
    fresh = freshness_of(experiment, freshness_by_experiment([experiment.pk]).get(experiment.pk, (None, None)), now=now)
    stop_event = None
    if experiment.status == Status.STOPPED:
        stop_event = (
            experiment.events.filter(to_status=Status.STOPPED)
            .select_related("actor")
            .order_by("-created_at", "-pk")
            .first()
        )
    variants = list(experiment.variants.all())
    arm_names = {v.key: v.name for v in variants}
    control = next((v.key for v in variants if v.is_control), "")
    with_results = [c for c in checks if c.result.get("metrics")]
    as_of = with_results[-1] if with_results else None
    rows = metric_rows(as_of, arm_names, control)
    return LivePage(
        banner=banner(experiment, checks, now=now, stop_event=stop_event, fresh=fresh),
        rows=rows,
        sample_ratio=sample_ratio(as_of, arm_names),
        interval_levels=interval_levels(rows),
        several_treatments=len(variants) > 2,
        rows_as_of=as_of,
        charts=chart_series(checks, arm_names),
        freshness=fresh,
        history=history(checks),
    )


# --- the experiments list: result and health ------------------------------------------------


LIST_RESULT_TEXT = {
    (LookAction.STOP, LookOutcome.LOST): N_("Stopped: clearly worse"),
    (LookAction.STOP, LookOutcome.INVALID): N_("Stopped: invalid data"),
    LookAction.CONTINUE: N_("No decision yet"),
    Check.Action.ERROR: N_("Could not check"),
}


@dataclass(frozen=True)
class ListResult:
    """An experiment's result and health as the list shows them: the recorded outcome, else
    what its latest check said; the health light for running or stopped ones."""

    result: str
    tone: str
    light: Light | None


def list_result(experiment: Experiment, latest: Check | None, fresh: Freshness) -> ListResult:
    if experiment.outcome:
        tone = {"won": "ok", "lost": "bad", "invalid": "bad"}.get(experiment.outcome, "neutral")
        result = ListResult(_(experiment.get_outcome_display()), tone, None)
    elif latest is None:
        result = ListResult("—", "muted", None)
    else:
        text = (
            LIST_RESULT_TEXT.get((latest.action, latest.outcome))
            or LIST_RESULT_TEXT.get(latest.action)
            or decision_text(latest)
        )
        # Continuing is no result yet: neutral, not the "ok" green of the page's check history.
        tone = "neutral" if latest.action == Check.Action.CONTINUE else DECISION_TONE.get(latest.action, "neutral")
        result = ListResult(_(text), tone, None)
    watched = experiment.status == Status.RUNNING or (
        experiment.status == Status.STOPPED and latest is not None and latest.action == Check.Action.STOP
    )
    lamp = light(experiment, latest, fresh) if watched else None
    return ListResult(result.result, result.tone, lamp)


def list_results(experiments, *, now=None) -> dict:
    """{experiment id: ListResult} for a page of experiments, in two queries."""
    now = now or timezone.now()
    ids = [e.pk for e in experiments]
    latest = latest_checks(ids)
    fresh = freshness_by_experiment(ids)
    results = {}
    for experiment in experiments:
        watched = freshness_of(experiment, fresh.get(experiment.pk, (None, None)), now=now)
        results[experiment.pk] = list_result(experiment, latest.get(experiment.pk), watched)
    return results
