"""Model rules: catalogue validation, the experiment's own checks, and the append-only timeline."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from experiments.models import ExperimentEvent, ExperimentMetric, GuardrailPolicy, Metric, Status, Variant
from tests.factories import make_experiment


def error_fields(instance, **kwargs):
    with pytest.raises(ValidationError) as caught:
        instance.full_clean(**kwargs)
    return set(caught.value.message_dict)


# --- catalogues ----------------------------------------------------------------------------


def test_every_seeded_metric_is_valid(db):
    metrics = list(Metric.objects.all())
    assert len(metrics) == 16  # with containment and handoff-to-human (the AI guardrails)
    for metric in metrics:
        metric.full_clean()


def test_seeded_policy_is_the_documented_fence(db):
    policy = GuardrailPolicy.current()
    assert (policy.max_duration_days, policy.max_exposure_pct) == (60, 50)
    assert list(policy.mandatory_guardrails.values_list("key", flat=True)) == ["complaint-rate"]
    assert GuardrailPolicy.objects.count() == 1


def test_policy_is_created_with_defaults_when_missing(db):
    GuardrailPolicy.objects.all().delete()
    policy = GuardrailPolicy.current()
    assert (policy.max_duration_days, policy.max_exposure_pct) == (60, 50)
    assert GuardrailPolicy.current() == policy


@pytest.mark.parametrize(
    "kind, low, high, bad_field",
    [
        ("mean", float("nan"), 5, "min_value"),
        ("mean", 1, float("inf"), "max_value"),
        ("mean", 5, 5, "max_value"),
        ("mean", 6, 5, "max_value"),
        ("binary", 0, 100, "kind"),  # per-unit values of a rate are 0 or 1, not percent
        ("nps", 1, 10, "kind"),
    ],
)
def test_metric_range_rules(db, kind, low, high, bad_field):
    metric = Metric(key="m", name="M", kind=kind, direction="higher", min_value=low, max_value=high)
    assert error_fields(metric) == {bad_field}


@pytest.mark.parametrize(
    "kind, low, high", [("binary", 0, 1), ("binary", None, None), ("nps", 0, 10), ("mean", 1, 7), ("mean", 0, None)]
)
def test_metric_valid_ranges(db, kind, low, high):
    Metric(key="m", name="M", kind=kind, direction="lower", min_value=low, max_value=high).full_clean()


# --- experiment ----------------------------------------------------------------------------


def test_factory_experiment_is_valid(draft):
    draft.full_clean()


def test_duration_counts_both_ends(draft):
    draft.planned_start = dt.date(2030, 1, 1)
    draft.planned_end = dt.date(2030, 1, 28)
    assert draft.duration_days == 28


def test_hypothesis_reads_as_one_sentence(draft):
    assert draft.hypothesis_sentence == (
        "If we shorten the chat greeting to one sentence for customers who open chat from the help centre, "
        "then first-contact resolution rises by 2 points, because agents reach the question sooner."
    )


def test_authors_are_owner_and_co_authors(draft, co_author, approver):
    draft.co_authors.add(co_author)
    assert draft.authors() == {draft.owner_id, co_author.pk}
    assert approver.pk not in draft.authors()


def test_editable_until_it_starts(draft):
    editable = set()
    for status in Status.values:
        draft.status = status
        if draft.is_editable:
            editable.add(status)
    # Approved but not started: an edit withdraws the approval (the approvals app's after-edit hook).
    assert editable == {Status.DRAFT, Status.CHANGES_REQUESTED, Status.PENDING_APPROVAL, Status.APPROVED}


def test_clean_checks_the_dates(draft):
    draft.planned_end = draft.planned_start
    assert error_fields(draft) == {"planned_end"}


def test_clean_checks_the_minimum_runtime(draft):
    draft.min_runtime_days = draft.duration_days + 1
    assert error_fields(draft) == {"min_runtime_days"}


@pytest.mark.parametrize(
    "field, value",
    [
        ("alpha", float("nan")),
        ("alpha", 0.5),
        ("power", float("inf")),
        ("power", 0.3),
        ("exposure_cap_pct", 0),
        ("exposure_cap_pct", 101),
        ("expected_daily_traffic", 0),
        ("min_runtime_days", 0),
    ],
)
def test_experiment_field_bounds(draft, field, value):
    setattr(draft, field, value)
    assert field in error_fields(draft)


def test_experiment_key_is_unique(proposer, approver):
    make_experiment(proposer, approver, key="greeting")
    with pytest.raises(IntegrityError), transaction.atomic():
        make_experiment(proposer, approver, key="greeting")


def test_variant_key_is_unique_per_experiment(draft):
    with pytest.raises(IntegrityError), transaction.atomic():
        Variant.objects.create(experiment=draft, key="short", name="Again")


def test_a_metric_appears_once_per_experiment(draft):
    with pytest.raises(IntegrityError), transaction.atomic():
        ExperimentMetric.objects.create(
            experiment=draft,
            metric=Metric.objects.get(key="fcr"),
            role="guardrail",
            non_inferiority_margin=1,
            baseline_rate=70,
        )


def test_metric_row_clean_applies_the_shared_rules(draft):
    row = draft.metrics.get(metric__key="fcr")
    row.full_clean()
    row.baseline_rate = 100
    assert error_fields(row) == {"baseline_rate"}
    row.baseline_rate = float("nan")
    assert "baseline_rate" in error_fields(row)


def test_planning_effect_is_the_mde_or_the_margin(draft):
    rows = {r.metric.key: r for r in draft.metrics.select_related("metric")}
    assert rows["fcr"].planning_effect == 2
    assert rows["complaint-rate"].planning_effect == 0.5


# --- the timeline is append-only ----------------------------------------------------------


def test_an_event_cannot_be_changed(draft):
    event = draft.events.get()
    event.reason = "rewritten"
    with pytest.raises(ValueError, match="append-only"):
        event.save()
    assert ExperimentEvent.objects.get(pk=event.pk).reason == ""


def test_an_event_cannot_be_deleted(draft):
    event = draft.events.get()
    with pytest.raises(ValueError, match="append-only"):
        event.delete()
    assert ExperimentEvent.objects.filter(pk=event.pk).exists()


def test_events_cannot_be_changed_or_deleted_in_bulk(draft):
    with pytest.raises(ValueError, match="append-only"):
        ExperimentEvent.objects.filter(experiment=draft).update(reason="rewritten")
    with pytest.raises(ValueError, match="append-only"):
        draft.events.all().delete()
    assert draft.events.get().reason == ""


def test_a_key_that_is_a_page_address_is_refused(draft):
    draft.key = "new"
    with pytest.raises(ValidationError) as caught:
        draft.full_clean()
    assert "page address" in caught.value.message_dict["key"][0]


def test_authors_use_prefetched_co_authors(draft, co_author, django_assert_num_queries):
    from experiments.models import Experiment

    draft.co_authors.add(co_author)
    listed = Experiment.objects.prefetch_related("co_authors").get(pk=draft.pk)
    with django_assert_num_queries(0):
        assert listed.authors() == {draft.owner_id, co_author.pk}


def test_creation_is_the_first_event(draft, proposer):
    event = draft.events.get()
    assert (event.action, event.from_status, event.to_status, event.actor) == ("create", "", Status.DRAFT, proposer)
    assert event.actor_label == "Priya Proposer"
    assert str(event) == f"{draft.key}: - -> draft"
