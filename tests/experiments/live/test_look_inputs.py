"""The engine's inputs for one look, from the stored daily sums: checked against sums by hand."""

import datetime as dt

import pytest
from django.utils import timezone

from experiments.live.look_inputs import build_look, manager_label, planned_units
from experiments.models import Check, ExperimentMetric, Metric, Variant
from experiments.planning import plan_for_experiment
from experiments.stats.inputs import StatsInputError
from tests.experiments.live.test_monitoring_data import assign, at_noon, started, write_day
from tests.factories import make_experiment

pytestmark = pytest.mark.django_db

D0 = dt.date(2026, 3, 2)  # the day the examples start


@pytest.fixture
def experiment(proposer, approver):
    return started(proposer, approver, on=D0, days=28)


def arms_of(look, metric):
    return next(arms for spec, arms in look.metrics if spec.name == metric)


def test_cumulative_sums_add_the_days_up_to_the_look_date_only(experiment):
    write_day(experiment, D0, "control", "fcr", 100, 70)
    write_day(experiment, D0 + dt.timedelta(days=1), "control", "fcr", 120, 80)
    write_day(experiment, D0, "short", "fcr", 90, 66)
    write_day(experiment, D0 + dt.timedelta(days=1), "short", "fcr", 110, 81)
    write_day(experiment, D0 + dt.timedelta(days=2), "short", "fcr", 500, 400)  # after the look date
    write_day(experiment, D0, "control", "complaint-rate", 100, 3)
    write_day(experiment, D0 + dt.timedelta(days=1), "short", "complaint-rate", 40, 2)

    look = build_look(experiment, D0 + dt.timedelta(days=1))

    assert arms_of(look, "fcr") == {"control": {"n": 220, "successes": 150}, "short": {"n": 200, "successes": 147}}
    assert arms_of(look, "complaint-rate") == {
        "control": {"n": 100, "successes": 3},
        "short": {"n": 40, "successes": 2},
    }
    # a metric with no data yet counts zero units in every arm
    assert arms_of(look, "escalation-rate") == {"control": {"n": 0, "successes": 0}, "short": {"n": 0, "successes": 0}}


def test_units_are_the_assignment_counts_up_to_the_look_date(experiment):
    assign(experiment, D0, control=500, short=480)
    assign(experiment, D0 + dt.timedelta(days=1), control=510, short=530)
    assign(experiment, D0 + dt.timedelta(days=2), control=999, short=999)
    write_day(experiment, D0, "control", "fcr", 5, 3)  # outcome counts do not replace assignments

    look = build_look(experiment, D0 + dt.timedelta(days=1))

    assert look.unit_counts == {"control": 1010, "short": 1010}


def test_without_assignment_counts_units_are_the_most_any_metric_counted(experiment):
    """Data sent as daily figures from a system that assigns by itself: no assignment calls."""
    write_day(experiment, D0, "control", "fcr", 300, 200)
    write_day(experiment, D0, "control", "complaint-rate", 250, 5)
    write_day(experiment, D0, "short", "fcr", 280, 200)
    write_day(experiment, D0 + dt.timedelta(days=1), "short", "complaint-rate", 310, 5)

    look = build_look(experiment, D0 + dt.timedelta(days=1))

    assert look.unit_counts == {"control": 300, "short": 310}


def test_mean_and_nps_metrics_sum_their_own_fields(experiment):
    ExperimentMetric.objects.create(
        experiment=experiment,
        metric=Metric.objects.get(key="csat"),
        role="success",
        minimum_detectable_effect=0.1,
        baseline_mean=4.1,
        baseline_sd=1.0,
    )
    ExperimentMetric.objects.create(
        experiment=experiment,
        metric=Metric.objects.get(key="nps"),
        role="success",
        minimum_detectable_effect=5,
        baseline_mean=30,
        baseline_sd=80,
    )
    write_day(experiment, D0, "control", "csat", 3, 12.0, total_sq=50.0)
    write_day(experiment, D0 + dt.timedelta(days=1), "control", "csat", 2, 9.0, total_sq=41.0)
    write_day(experiment, D0, "short", "nps", 10, 80.0, total_sq=700.0, promoters=6, detractors=1)
    write_day(experiment, D0 + dt.timedelta(days=1), "short", "nps", 5, 30.0, total_sq=200.0, promoters=1, detractors=2)

    look = build_look(experiment, D0 + dt.timedelta(days=1))

    assert arms_of(look, "csat")["control"] == {"n": 5, "total": 21.0, "total_sq": 91.0}
    assert arms_of(look, "nps")["short"] == {"n": 15, "promoters": 7, "detractors": 3}


def test_data_through_is_the_latest_observation_seen(experiment):
    latest = timezone.make_aware(dt.datetime(2026, 3, 3, 23, 40))
    write_day(experiment, D0, "control", "fcr", 10, 7)
    write_day(experiment, D0 + dt.timedelta(days=1), "short", "fcr", 10, 7, last_observed_at=latest)
    write_day(experiment, D0 + dt.timedelta(days=2), "short", "fcr", 10, 7)  # after the look

    assert build_look(experiment, D0 + dt.timedelta(days=1)).data_through == latest
    assert build_look(experiment, D0 - dt.timedelta(days=1)).data_through is None


def test_design_is_the_approved_plan(experiment):
    Variant.objects.filter(experiment=experiment, key="short").update(weight=150)
    experiment.alpha = 0.1
    experiment.save(update_fields=["alpha"])

    design = build_look(experiment, D0).design

    assert design.weights == {"control": 50.0, "short": 150.0}
    assert design.control == "control"
    assert design.alpha == 0.1
    assert design.min_runtime_days == 7
    # sized exactly as the proposal's sample-size plan: one look per planned day, harm power kept
    plan = plan_for_experiment(experiment)
    assert plan.looks == 28
    assert design.planned_units == plan.total_units == planned_units(experiment)


def test_a_plan_that_cannot_be_made_leaves_every_metric_open_ended(experiment):
    experiment.metrics.filter(metric__key="fcr").update(baseline_rate=None)
    assert build_look(experiment, D0).design.planned_units is None


def test_metric_specs_say_how_each_metric_is_judged(experiment):
    experiment.metrics.filter(metric__key="escalation-rate").update(effect_unit="relative", non_inferiority_margin=10)
    specs = {spec.name: spec for spec, _ in build_look(experiment, D0).metrics}

    assert (specs["fcr"].role, specs["fcr"].margin, specs["fcr"].lower_is_better) == ("success", None, False)
    assert (specs["complaint-rate"].role, specs["complaint-rate"].margin, specs["complaint-rate"].lower_is_better) == (
        "guardrail",
        0.5,
        True,
    )
    assert specs["complaint-rate"].label == "complaint rate"
    assert specs["escalation-rate"].relative is True and specs["escalation-rate"].margin == 10


def test_previous_fractions_come_from_earlier_checks_in_order(experiment):
    for day, fraction in [
        (D0 + dt.timedelta(days=2), 0.2),
        (D0, 0.05),
        (D0 + dt.timedelta(days=1), None),
        (D0 + dt.timedelta(days=5), 0.5),
    ]:
        Check.objects.create(
            experiment=experiment,
            look_date=day,
            look=1,
            action="continue",
            sentence="-",
            information_fraction=fraction,
            created_at=at_noon(day),
        )

    look = build_look(experiment, D0 + dt.timedelta(days=3))

    assert look.previous_fractions == (0.05, 0.2)  # error checks carry none; later looks are not earlier


def test_days_elapsed_count_from_the_start_event_and_the_last_planned_day_is_final(experiment):
    # planned start moved later by hand: the start event still counts
    experiment.planned_start = D0 + dt.timedelta(days=3)
    experiment.save(update_fields=["planned_start"])
    assert build_look(experiment, D0 + dt.timedelta(days=9)).days_elapsed == 9
    assert build_look(experiment, D0).days_elapsed == 0
    assert build_look(experiment, experiment.planned_end - dt.timedelta(days=1)).final is False
    assert build_look(experiment, experiment.planned_end).final is True
    assert build_look(experiment, experiment.planned_end + dt.timedelta(days=2)).final is True


def test_an_experiment_without_a_control_cannot_be_judged(experiment):
    Variant.objects.filter(experiment=experiment).update(is_control=False)
    with pytest.raises(StatsInputError) as error:
        build_look(experiment, D0)
    assert error.value.field == "variants"


def test_bad_sums_are_refused_naming_metric_and_arm(experiment):
    write_day(experiment, D0, "short", "fcr", 10, 12)  # 12 successes out of 10
    look = build_look(experiment, D0)
    with pytest.raises(StatsInputError) as error:
        look.evaluate()
    assert error.value.field == "metrics[fcr].short.successes"


@pytest.mark.parametrize(
    "name, label",
    [
        ("Complaint rate", "complaint rate"),
        ("First-contact resolution", "first-contact resolution"),
        ("Customer satisfaction (CSAT)", "customer satisfaction (CSAT)"),
        ("Net Promoter Score", "Net Promoter Score"),
        ("NPS", "NPS"),
        ("30-day retention", "30-day retention"),
    ],
)
def test_metric_names_read_naturally_mid_sentence(name, label):
    assert manager_label(name) == label


def test_an_experiment_that_never_started_counts_from_its_planned_start(proposer, approver):
    experiment = make_experiment(
        proposer, approver, status="running", planned_start=D0, planned_end=D0 + dt.timedelta(days=9)
    )
    assert build_look(experiment, D0 + dt.timedelta(days=4)).days_elapsed == 4
