"""What the pages make of the checks: chart series, metric rows, freshness and history.

Checks come from the real engine over simulated daily looks (checks_factory), so the figures
asserted here are the engine's, read back from the stored Check rows.
"""

import datetime as dt

import pytest
from django.utils import timezone

from experiments.live import presentation
from experiments.models import Check, Status, Variant
from experiments.stats.wording import metric_reading
from tests.experiments.live.checks_factory import error_check, guardrail_drift, no_difference, record_looks
from tests.factories import make_experiment

START = dt.date(2026, 11, 10)
UTC = dt.UTC


@pytest.fixture
def running(proposer, approver):
    return make_experiment(
        proposer, approver, status=Status.RUNNING, planned_start=START, planned_end=START + dt.timedelta(days=27)
    )


@pytest.fixture
def drifted(running):
    """The complaint rate drifts up in the treatment until a check stops the experiment."""
    checks = record_looks(running, days=28, rates=guardrail_drift("complaint-rate", from_day=3, per_day=0.5))
    running.refresh_from_db()
    return running, checks


def arm_names(experiment):
    return {v.key: v.name for v in experiment.variants.all()}


def result_of(check, metric, arm="short"):
    return next(m for m in check.result["metrics"] if (m["metric"], m["treatment"]) == (metric, arm))


def test_chart_series_are_the_checks_own_figures(drifted):
    experiment, checks = drifted
    assert checks[-1].action == "stop" and len(checks) > 5  # continued for days, then stopped
    charts = presentation.chart_series(checks, arm_names(experiment))

    # One chart per metric, success first; one point per look, dated by the look.
    assert [c["metric"] for c in charts] == ["fcr", "complaint-rate", "escalation-rate"]
    for chart in charts:
        assert chart["dates"] == [c.look_date.isoformat() for c in checks]
        for i, check in enumerate(checks):
            stored = result_of(check, chart["metric"])
            reading = metric_reading(stored)
            # The chart draws the one reading: treatment minus control, the deciding interval.
            assert chart["estimate"][i] == stored["change"] == reading.change
            assert [chart["low"][i], chart["high"][i]] == list(reading.interval or [None, None])
    complaint = charts[1]
    # The drift shows: complaints (lower is better) end far above zero and above the worst accepted.
    assert complaint["estimate"][-1] > complaint["margin"] == 0.5
    assert complaint["estimate"][0] == 0
    assert complaint["boundary"][-2] == -result_of(checks[-2], "complaint-rate")["boundary_effect"]
    assert charts[2]["margin"] == 1.0  # escalation rate: at most 1 point higher
    assert charts[0]["margin"] is None  # success metrics have a boundary, no margin
    assert charts[0]["boundary"][-1] > 0  # first-contact resolution: higher is better
    assert complaint["unit"] == "points" and "lower is better" in complaint["axis"]
    # The stopping look's interval is the harm test's; the earlier ones the guardrail's.
    assert complaint["interval_label"] == "90% / 98% interval"


def test_early_looks_without_a_finite_interval_are_gaps_not_zeros(drifted):
    _, checks = drifted
    first = result_of(checks[0], "complaint-rate")
    chart = presentation.chart_series(checks, {})[1]
    # The first look spends almost no alpha: its boundary is infinite, stored as None.
    assert first["interval"] == [None, None] and first["boundary_effect"] is None
    assert chart["low"][0] is None and chart["high"][0] is None and chart["boundary"][0] is None


def test_a_failed_check_leaves_the_charts_to_the_checks_with_results(running):
    checks = record_looks(running, days=3)
    failed = error_check(running, checks[-1].look_date + dt.timedelta(days=1))
    everything = checks + [failed]
    charts = presentation.chart_series(everything, arm_names(running))
    assert charts[0]["dates"] == [c.look_date.isoformat() for c in checks]
    rows = presentation.history(everything)
    assert [r.look_date for r in rows] == sorted((c.look_date for c in everything), reverse=True)
    assert (rows[0].decision, rows[0].tone) == ("Could not check", "warn")
    assert rows[0].sentence == failed.sentence and rows[0].trigger == "Daily slot"
    assert presentation.chart_series([failed], {}) == []


def test_several_treatment_arms_get_a_chart_each(running):
    Variant.objects.create(experiment=running, key="long", name="Two-sentence greeting", weight=50)
    checks = record_looks(running, days=3)
    charts = presentation.chart_series(checks, arm_names(running))
    assert len(charts) == 6
    assert {c["title"] for c in charts if c["metric"] == "fcr"} == {
        "First-contact resolution — One-sentence greeting",
        "First-contact resolution — Two-sentence greeting",
    }
    assert len({c["id"] for c in charts}) == 6  # one canvas each


def test_metric_rows_say_where_each_metric_stands(drifted):
    experiment, checks = drifted
    stop = checks[-1]
    rows = presentation.metric_rows(stop, arm_names(experiment), "control")
    assert [r.metric for r in rows] == ["fcr", "complaint-rate", "escalation-rate"]
    complaint = rows[1]
    stored = result_of(stop, "complaint-rate")
    assert complaint.estimate == stored["change"] == -stored["estimate"] > 1
    assert complaint.estimate_text == f"+{stored['change']:.2f} points"
    assert complaint.meaning_text == f"{stored['change']:.2f} points higher: worse"
    assert (complaint.status_text, complaint.tone) == ("Clearly worse: stop", "bad")
    assert complaint.label == "Complaint rate" and complaint.role == "guardrail"
    assert complaint.arm == "One-sentence greeting"
    assert complaint.boundaries[0] == "Must not be worse than +0.5 points to ship"
    # Stopped for harm: the interval is the harm test's, wholly above zero, its level named.
    low, high = stored["harm_interval"]
    assert complaint.level_text == "98%" and complaint.interval_text == f"+{-high:.2f} to +{-low:.2f} points"
    assert complaint.control_value_text.endswith("%") and complaint.treatment_value_text.endswith("%")
    assert complaint.units == [
        ("Current greeting", f"{stored['n_control']:,}"),
        ("One-sentence greeting", f"{stored['n_treatment']:,}"),
    ]
    assert complaint.sentence == stored["sentence"]
    assert rows[0].status_text == "No improvement shown yet"
    assert rows[2].boundaries[0] == "Must not be worse than +1 point to ship"  # singular
    assert presentation.metric_rows(None, {}, "control") == []


def test_not_enough_data_reads_as_such():
    check = Check(
        look_date=START,
        result={
            "metrics": [
                {
                    "metric": "fcr",
                    "label": "first-contact resolution",
                    "role": "success",
                    "treatment": "short",
                    "status": "not_enough_data",
                    "unit": "points",
                    "n_control": 4,
                    "n_treatment": 5,
                }
            ]
        },
    )
    (row,) = presentation.metric_rows(check, {"control": "Current", "short": "Short"}, "control")
    assert (row.estimate_text, row.interval_text, row.boundary_text, row.status_text) == (
        "—",
        "—",
        "—",
        "Not enough data yet",
    )
    assert row.units == [("Current", "4"), ("Short", "5")]


# --- freshness -----------------------------------------------------------------------------

THROUGH = dt.datetime(2026, 11, 20, 23, 30, tzinfo=UTC)
RECEIVED = dt.datetime(2026, 11, 20, 23, 50, tzinfo=UTC)


def test_fresh_data_reads_as_through_and_received():
    fresh = presentation.freshness(THROUGH, RECEIVED, now=RECEIVED + dt.timedelta(hours=10), running=True)
    assert not fresh.stale and fresh.warning == ""
    assert fresh.summary == "Data through 20 Nov 2026 23:30, last received 10\xa0hours ago."


def test_data_older_than_two_days_warns_while_running():
    at_the_limit = presentation.freshness(THROUGH, RECEIVED, now=THROUGH + presentation.STALE_AFTER, running=True)
    assert not at_the_limit.stale
    late = presentation.freshness(THROUGH, RECEIVED, now=THROUGH + dt.timedelta(days=3, hours=1), running=True)
    assert late.stale
    assert late.warning.startswith("The newest data is 3\xa0days old: the checks are judging old data.")
    # Once the experiment no longer runs, old data is simply history.
    ended = presentation.freshness(THROUGH, RECEIVED, now=THROUGH + dt.timedelta(days=30), running=False)
    assert not ended.stale and ended.warning == ""


def test_no_data_yet():
    fresh = presentation.freshness(None, None, now=THROUGH, running=True)
    assert fresh.no_data and fresh.summary == "No data has arrived yet."
    assert fresh.warning.startswith("No data has arrived yet")
    assert presentation.freshness(None, None, now=THROUGH, running=False).warning == ""


def test_freshness_comes_from_the_daily_stats(running):
    checks = record_looks(running, days=4)
    through, received = presentation.freshness_by_experiment([running.pk])[running.pk]
    assert through == checks[-1].data_through  # the last day's last observation
    assert received > through
    assert presentation.freshness_by_experiment([running.pk + 1000]) == {}


# --- dashboard lights ----------------------------------------------------------------------


def test_lights(drifted, proposer, approver):
    experiment, checks = drifted
    now = checks[-1].created_at + dt.timedelta(hours=2)
    fresh = presentation.freshness(THROUGH, RECEIVED, now=RECEIVED + dt.timedelta(hours=5), running=True)
    stale = presentation.freshness(THROUGH, RECEIVED, now=RECEIVED + dt.timedelta(days=3), running=True)
    nothing = presentation.freshness(None, None, now=now, running=True)
    other = make_experiment(proposer, approver, status=Status.RUNNING)
    continuing = Check(action="continue", sentence="Continue.")
    failed = Check(action="error", sentence="Could not check.")

    def lamp(exp, check, fr):
        found = presentation.light(exp, check, fr)
        return found.colour, found.reason

    assert lamp(experiment, checks[-1], presentation.freshness(None, None, now=now, running=False)) == (
        "red",
        "By a check",
    )
    assert lamp(other, continuing, fresh) == ("green", "Data fresh, checks say continue")
    assert lamp(other, None, fresh) == ("green", "Data fresh, first check pending")
    assert lamp(other, None, nothing) == ("amber", "No data yet")
    assert lamp(other, continuing, stale) == ("amber", "No new data for 3\xa0days")
    assert lamp(other, failed, fresh) == ("amber", "The last check could not run")


def test_days_left_and_progress(running):
    assert presentation.progress(running, START) == "day 1 of 28"
    assert presentation.progress(running, START + dt.timedelta(days=8)) == "day 9 of 28"
    assert presentation.progress(running, START - dt.timedelta(days=3)) == "day 1 of 28"
    assert presentation.progress(running, START + dt.timedelta(days=60)) == "day 28 of 28"
    assert presentation.days_left(running, START + dt.timedelta(days=8)) == 19
    assert presentation.days_left(running, running.planned_end) == 0


def test_board_row_shortens_the_sentence(running):
    long = Check(action="continue", sentence="Continue: " + "word " * 60, look_date=START, created_at=timezone.now())
    fresh = presentation.freshness(THROUGH, RECEIVED, now=RECEIVED, running=True)
    row = presentation.board_row(
        running, long, fresh, now=dt.datetime.combine(START + dt.timedelta(days=8), dt.time(9), tzinfo=UTC)
    )
    assert len(row.sentence) <= presentation.SHORT_SENTENCE_CHARS and row.sentence.endswith("…")
    assert row.full_sentence == long.sentence
    assert row.when_text == "19 days left"


def test_unused_baseline_rates_keep_every_arm_equal(running):
    """The factory's baseline: equal rates in every arm never stop anything."""
    checks = record_looks(running, days=6, rates=no_difference)
    assert {c.action for c in checks} == {"continue"}
