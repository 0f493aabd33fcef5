"""The propose/edit form classes: choices, field rules and set-level rules."""

import pytest
from django.contrib.auth.models import User

from experiments.forms import ExperimentForm, MetricFormSet, VariantFormSet
from experiments.models import Experiment, Metric, Status
from tests.experiments.web import proposal_data  # noqa: F401
from tests.factories import make_experiment, make_user


def test_approver_choices_exclude_the_owner_co_authors_and_inactive_users(
    proposer, approver, other_approver, co_author
):
    experiment = make_experiment(proposer, approver)
    experiment.co_authors.add(other_approver)
    retired = make_user("rita_retired", "approver")
    User.objects.filter(pk=retired.pk).update(is_active=False)
    form = ExperimentForm(instance=experiment, owner=proposer)
    assert set(form.fields["approver"].queryset) == {approver}
    assert proposer not in form.fields["co_authors"].queryset
    assert co_author in form.fields["co_authors"].queryset


def test_key_is_fixed_once_the_proposal_was_submitted(proposer, approver):
    experiment = make_experiment(proposer, approver, key="fixed-key", status=Status.CHANGES_REQUESTED)
    form = ExperimentForm(proposal_data(approver, key="other-key"), instance=experiment, owner=proposer)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["key"] == "fixed-key"


def test_a_drafts_key_may_still_change(proposer, approver):
    experiment = make_experiment(proposer, approver, key="first-key")
    form = ExperimentForm(proposal_data(approver, key="second-key"), instance=experiment, owner=proposer)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["key"] == "second-key"


@pytest.mark.parametrize(
    "title, key",
    [
        ("Shorter chat greeting", "shorter-chat-greeting"),
        ("Café: déjà vu for the 2nd time!", "cafe-deja-vu-for-the-2nd-time"),
        # Cut at a word boundary, never mid-word (at most 40 characters).
        ("Offer a callback slot instead of queueing on the billing line", "offer-a-callback-slot-instead-of"),
    ],
)
def test_a_key_left_empty_is_made_from_the_title(proposer, approver, title, key):
    form = ExperimentForm(proposal_data(approver, key="", title=title), instance=Experiment(), owner=proposer)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["key"] == key


def test_minimum_runtime_longer_than_the_plan_is_refused(proposer, approver):
    form = ExperimentForm(
        proposal_data(approver, min_runtime_days="40"), instance=Experiment(owner=proposer), owner=proposer
    )
    assert not form.is_valid()
    assert form.errors["min_runtime_days"] == [
        "The minimum runtime (40 days) is longer than the planned duration (28 days)."
    ]


def test_infinite_numbers_are_refused(proposer, approver):
    form = ExperimentForm(proposal_data(approver, power="inf"), instance=Experiment(owner=proposer), owner=proposer)
    assert not form.is_valid()
    assert form.errors["power"] == ["Enter a number."]


def _variants(data):
    return VariantFormSet(data, instance=Experiment(), prefix="variants")


def test_variant_set_needs_one_control_and_a_treatment(approver):
    data = proposal_data(approver, **{"variants-0-is_control": None})
    formset = _variants(data)
    assert not formset.is_valid()
    assert formset.non_form_errors() == ["Mark exactly one variant as the control."]


def test_variant_keys_must_be_unique(approver):
    formset = _variants(proposal_data(approver, **{"variants-1-key": "control"}))
    assert not formset.is_valid()
    assert "Variant keys must be unique; repeated: control." in formset.non_form_errors()


def test_deleted_rows_do_not_count_as_variants(proposer, approver):
    experiment = make_experiment(proposer, approver)
    control, treatment = experiment.variants.order_by("-is_control", "pk")
    data = proposal_data(
        approver,
        **{
            "variants-INITIAL_FORMS": "2",
            "variants-0-id": str(control.pk),
            "variants-1-id": str(treatment.pk),
            "variants-1-DELETE": "on",
        },
    )
    formset = VariantFormSet(data, instance=experiment, prefix="variants")
    assert not formset.is_valid()
    assert formset.non_form_errors() == ["Add a control and at least one treatment variant."]


def test_metric_rows_are_checked_field_by_field(approver):
    mean_metric = Metric.objects.get(key="csat")
    data = proposal_data(
        approver,
        **{
            "metrics-2-metric": str(mean_metric.pk),
            "metrics-2-non_inferiority_margin": "0.1",
            "metrics-2-baseline_rate": "40",
            "metrics-2-baseline_mean": "",
            "metrics-2-baseline_sd": "-1",
        },
    )
    formset = MetricFormSet(data, instance=Experiment(), prefix="metrics")
    assert not formset.is_valid()
    errors = formset.forms[2].errors
    # The rate a binary row needed is dropped, not refused: a mean metric's row does not show it.
    assert "baseline_rate" not in errors and formset.forms[2].cleaned_data["baseline_rate"] is None
    assert errors["baseline_mean"] == ["Needed for planning: the metric's current mean."]
    assert errors["baseline_sd"] == ["Must be a positive number."]
    assert not formset.forms[0].errors and not formset.forms[1].errors


def test_blank_extra_metric_rows_are_ignored(approver):
    data = proposal_data(approver, **{"metrics-TOTAL_FORMS": "4", "metrics-3-effect_unit": "absolute"})
    formset = MetricFormSet(data, instance=Experiment(), prefix="metrics")
    assert formset.is_valid(), formset.errors
