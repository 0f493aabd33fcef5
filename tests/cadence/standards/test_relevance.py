"""One rule says which standards bear on a proposal: shared touchpoint, or proven on a metric it measures."""

import pytest

from cadence.standards.citations import declare_retests
from cadence.standards.models import Citation, Standard
from cadence.standards.relevance import Scope, relevant_standards, relevant_to_experiment
from experiments.errors import Invalid
from tests.factories import make_experiment

pytestmark = pytest.mark.django_db


def only(found):
    assert len(found) == 1
    return found[0]


def test_a_standard_on_the_same_touchpoint_is_relevant(chat_standard):
    item = only(relevant_standards(Scope.of(touchpoints=["chat"])))
    assert item.standard == chat_standard and item.touchpoints == ["Chat"]
    assert item.on_scope  # all customers overlaps its segment: a loss here would contradict it


def test_another_touchpoint_without_its_metric_is_not(chat_standard):
    assert relevant_standards(Scope.of(touchpoints=["phone"], metrics=["csat"])) == []


def test_a_proposal_measuring_the_metric_it_was_proven_on_sees_it_elsewhere(chat_standard):
    item = only(relevant_standards(Scope.of(touchpoints=["phone"], metrics=["fcr"])))
    assert item.metrics == ["First-contact resolution"] and item.touchpoints == [] and not item.on_scope


def test_another_segment_is_relevant_but_not_on_scope(chat_standard):
    item = only(relevant_standards(Scope.of(touchpoints=["chat"], segments=["business"])))
    assert not item.on_scope and not item.retest_detected


def test_a_retired_standard_is_not_in_force(chat_standard):
    Standard.objects.filter(pk=chat_standard.pk).update(status=Standard.Status.RETIRED)
    assert relevant_standards(Scope.of(touchpoints=["chat"])) == []


def test_same_scope_and_success_metric_is_detected_as_a_retest(chat_standard, proposer, approver):
    experiment = make_experiment(proposer, approver, segments=("new-customers",))
    item = only(relevant_to_experiment(experiment))
    assert item.retest_detected and not item.retest_declared


def test_a_different_success_metric_is_no_detected_retest(chat_standard, proposer, approver):
    experiment = make_experiment(proposer, approver)
    experiment.metrics.filter(role="success").delete()
    item = only(relevant_to_experiment(experiment))
    assert item.on_scope and not item.retest_detected


def test_the_authors_declare_a_retest_and_take_it_back(chat_standard, proposer, approver):
    experiment = make_experiment(proposer, approver, touchpoints=("phone",))
    declare_retests(experiment, [chat_standard.pk], proposer)
    declare_retests(experiment, [chat_standard.pk], proposer)  # idempotent
    item = only(relevant_to_experiment(experiment))
    assert item.retest_declared
    assert Citation.objects.filter(experiment=experiment, kind="retests").count() == 1
    declare_retests(experiment, [], proposer)
    assert not Citation.objects.filter(experiment=experiment).exists()


def test_a_retest_of_no_standard_in_force_is_refused_naming_the_field(chat_standard, proposer, approver):
    experiment = make_experiment(proposer, approver)
    with pytest.raises(Invalid) as refused:
        declare_retests(experiment, [chat_standard.pk + 99], proposer)
    assert refused.value.field == "standards"


def test_the_standard_does_not_bear_on_its_own_evidence(chat_standard):
    source = chat_standard.supporting_experiments.get()
    assert relevant_to_experiment(source) == []
