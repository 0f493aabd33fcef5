"""Field rules shared by model, forms and API: each error is keyed by the field it concerns."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from experiments.validation import check_dates, check_metric_row, check_variants

START = dt.date(2030, 5, 1)
NAN, INF = float("nan"), float("inf")


def errors_of(call, *args, **kwargs):
    with pytest.raises(ValidationError) as caught:
        call(*args, **kwargs)
    return {field: [str(m) for m in messages] for field, messages in caught.value.message_dict.items()}


# --- dates ---------------------------------------------------------------------------------


@pytest.mark.parametrize("end", [START, START - dt.timedelta(days=1)])
def test_end_must_be_after_start(end):
    assert errors_of(check_dates, START, end, 1) == {
        "planned_end": ["The planned end must be after the planned start."]
    }


def test_minimum_runtime_must_fit_in_the_planned_days():
    end = START + dt.timedelta(days=6)  # 7 days, both ends included
    check_dates(START, end, 7)
    assert errors_of(check_dates, START, end, 8) == {
        "min_runtime_days": ["The minimum runtime (8 days) is longer than the planned duration (7 days)."]
    }


def test_missing_dates_are_left_to_the_required_field_check():
    check_dates(None, START, 7)
    check_dates(START, None, 7)


# --- metric rows ---------------------------------------------------------------------------


def row(kind="binary", role="success", lower_is_better=False, effect_unit="absolute", **values):
    fields = {
        "kind": kind,
        "lower_is_better": lower_is_better,
        "role": role,
        "effect_unit": effect_unit,
        "minimum_detectable_effect": None,
        "non_inferiority_margin": None,
        "baseline_rate": None,
        "baseline_mean": None,
        "baseline_sd": None,
    }
    if kind == "binary":
        fields["baseline_rate"] = 10.0
    else:
        fields.update(baseline_mean=4.1, baseline_sd=1.1)
    fields["minimum_detectable_effect" if role == "success" else "non_inferiority_margin"] = 1.0
    fields.update(values)
    return fields


@pytest.mark.parametrize(
    "fields",
    [
        row(),
        row(role="guardrail"),
        row(kind="mean"),
        row(kind="nps", role="guardrail", baseline_mean=32, baseline_sd=70, non_inferiority_margin=3),
        row(effect_unit="relative", minimum_detectable_effect=50),  # 10% -> 15%
        row(kind="mean", effect_unit="relative", minimum_detectable_effect=5),
    ],
)
def test_complete_rows_pass(fields):
    check_metric_row(**fields)


def test_success_needs_a_minimum_detectable_effect():
    assert errors_of(check_metric_row, **row(minimum_detectable_effect=None)) == {
        "minimum_detectable_effect": ["A success metric needs the minimum detectable effect."]
    }


def test_guardrail_needs_a_margin():
    assert errors_of(check_metric_row, **row(role="guardrail", non_inferiority_margin=None)) == {
        "non_inferiority_margin": ["A guardrail metric needs the non-inferiority margin (the largest harm you accept)."]
    }


def test_success_takes_no_margin_and_guardrail_no_effect():
    assert set(errors_of(check_metric_row, **row(non_inferiority_margin=1.0))) == {"non_inferiority_margin"}
    assert set(errors_of(check_metric_row, **row(role="guardrail", minimum_detectable_effect=1.0))) == {
        "minimum_detectable_effect"
    }


@pytest.mark.parametrize("value", [0, -1.0, NAN, INF, -INF])
@pytest.mark.parametrize(
    "role, field", [("success", "minimum_detectable_effect"), ("guardrail", "non_inferiority_margin")]
)
def test_effect_must_be_a_positive_finite_number(role, field, value):
    assert errors_of(check_metric_row, **row(role=role, **{field: value})) == {
        field: ["Must be a positive number (the direction comes from the metric)."]
    }


def test_binary_needs_a_baseline_rate():
    assert set(errors_of(check_metric_row, **row(baseline_rate=None))) == {"baseline_rate"}


@pytest.mark.parametrize("rate", [0, 100, -1, 120, NAN, INF])
def test_binary_baseline_rate_is_a_percentage_strictly_inside_0_100(rate):
    assert errors_of(check_metric_row, **row(baseline_rate=rate)) == {
        "baseline_rate": ["Must be a percentage strictly between 0 and 100."]
    }


@pytest.mark.parametrize("field", ["baseline_mean", "baseline_sd"])
def test_binary_takes_no_mean_or_sd(field):
    assert errors_of(check_metric_row, **row(**{field: 1.0})) == {
        field: ["Binary metrics are planned from the baseline rate; leave this empty."]
    }


@pytest.mark.parametrize(
    "fields, leaves_the_range",
    [
        # Success moves the better way.
        (row(baseline_rate=99, minimum_detectable_effect=1), True),  # 99% -> 100%
        (row(baseline_rate=2, minimum_detectable_effect=2, lower_is_better=True), True),  # 2% -> 0%
        (row(baseline_rate=99.5, minimum_detectable_effect=2, lower_is_better=True), False),  # -> 97.5%
        (row(baseline_rate=80, minimum_detectable_effect=25, effect_unit="relative"), True),  # +20 points -> 100%
        # A guardrail margin is harm: it moves the worse way.
        (row(role="guardrail", baseline_rate=0.5, non_inferiority_margin=1), True),  # higher better: -> -0.5%
        (row(role="guardrail", baseline_rate=99.5, non_inferiority_margin=1), False),  # -> 98.5%
        (row(role="guardrail", baseline_rate=99.5, non_inferiority_margin=1, lower_is_better=True), True),  # -> 100.5%
        (row(role="guardrail", baseline_rate=0.5, non_inferiority_margin=1, lower_is_better=True), False),  # -> 1.5%
    ],
)
def test_a_rate_moved_by_the_effect_must_stay_inside_0_100(fields, leaves_the_range):
    if not leaves_the_range:
        check_metric_row(**fields)
        return
    field = "minimum_detectable_effect" if fields["role"] == "success" else "non_inferiority_margin"
    errors = errors_of(check_metric_row, **fields)
    assert list(errors) == [field]
    assert "leaves 0-100%" in errors[field][0]


@pytest.mark.parametrize("kind", ["mean", "nps"])
def test_means_take_no_baseline_rate(kind):
    assert set(errors_of(check_metric_row, **row(kind=kind, baseline_rate=10.0))) == {"baseline_rate"}


@pytest.mark.parametrize("field", ["baseline_mean", "baseline_sd"])
def test_means_need_mean_and_sd(field):
    assert set(errors_of(check_metric_row, **row(kind="mean", **{field: None}))) == {field}


@pytest.mark.parametrize("value", [NAN, INF])
def test_mean_must_be_finite(value):
    assert errors_of(check_metric_row, **row(kind="mean", baseline_mean=value)) == {
        "baseline_mean": ["Must be a finite number."]
    }


@pytest.mark.parametrize("value", [0, -0.5, NAN, INF])
def test_sd_must_be_positive_and_finite(value):
    assert errors_of(check_metric_row, **row(kind="mean", baseline_sd=value)) == {
        "baseline_sd": ["Must be a positive number."]
    }


def test_relative_effect_on_a_zero_mean_is_refused():
    assert errors_of(check_metric_row, **row(kind="mean", effect_unit="relative", baseline_mean=0)) == {
        "baseline_mean": ["A relative effect needs a non-zero baseline mean."]
    }


def test_every_bad_field_is_reported_at_once():
    fields = row(kind="mean", minimum_detectable_effect=None, baseline_mean=None, baseline_sd=-1, baseline_rate=5)
    assert set(errors_of(check_metric_row, **fields)) == {
        "minimum_detectable_effect",
        "baseline_rate",
        "baseline_mean",
        "baseline_sd",
    }


# --- variants ------------------------------------------------------------------------------


def variant(key, is_control=False, weight=50):
    return {"key": key, "weight": weight, "is_control": is_control}


def test_one_control_and_a_treatment_pass():
    check_variants([variant("control", True), variant("short")])


@pytest.mark.parametrize(
    "rows, message",
    [
        ([variant("a"), variant("b")], "Mark exactly one variant as the control."),
        ([variant("a", True)], "Add at least one treatment variant besides the control."),
        ([variant("a", True), variant("b"), variant("b")], "Variant keys must be unique; repeated: b."),
    ],
)
def test_variant_rules(rows, message):
    assert message in errors_of(check_variants, rows)["variants"]
