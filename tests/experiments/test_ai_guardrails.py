"""An experiment using AI: a guardrail on the path to a human, a disclosure, a named human fallback
and a bias note; the one contract check refuses submit without each, naming its field."""

import pytest
from django.apps import apps as django_apps
from django.urls import reverse

from experiments import lifecycle
from experiments.catalogue_seed import load
from experiments.contract import experiment_problems, policy_summary
from experiments.models import ExperimentMetric, Metric, SensitiveCategory
from tests.approvals.web import evidence_text, open_request
from tests.experiments.web import https_client, text_of
from tests.factories import make_experiment

pytestmark = pytest.mark.django_db

SAFEGUARDS = {
    "ai_disclosure": "You are chatting with our assistant; type “agent” for a person.",
    "human_fallback": "Chat team lead on duty",
    "bias_note": "Checked that customers writing in a second language get the same handoff rate.",
}


@pytest.fixture
def ai_experiment(proposer, approver):
    experiment = make_experiment(proposer, approver)
    experiment.sensitive_categories.add(SensitiveCategory.objects.get(key="uses-ai"))
    return experiment


def add_handoff_guardrail(experiment):
    ExperimentMetric.objects.create(
        experiment=experiment,
        metric=Metric.objects.get(key="handoff-to-human-rate"),
        role="guardrail",
        non_inferiority_margin=2,
        baseline_rate=90,
    )


def test_the_catalogue_has_the_two_ai_metrics_and_the_category_asks_for_them():
    category = SensitiveCategory.objects.get(key="uses-ai")
    assert category.needs_ai_safeguards
    assert {m.key for m in category.guardrail_one_of.all()} == {"containment-rate", "handoff-to-human-rate"}
    assert Metric.objects.get(key="containment-rate").kind == "binary"


def test_the_seed_is_idempotent_and_keeps_admin_edits():
    category = SensitiveCategory.objects.get(key="uses-ai")
    category.guardrail_one_of.set(Metric.objects.filter(key="containment-rate"))
    load(django_apps)
    load(django_apps)
    assert Metric.objects.filter(key="handoff-to-human-rate").count() == 1
    assert [m.key for m in category.guardrail_one_of.all()] == ["containment-rate"]


def test_submit_is_refused_naming_each_missing_safeguard(ai_experiment, proposer):
    problems = experiment_problems(ai_experiment)
    assert {p["field"] for p in problems} == {"metrics", "ai_disclosure", "human_fallback", "bias_note"}
    assert any("Containment rate, Handoff-to-human rate" in p["message"] for p in problems)
    with pytest.raises(lifecycle.TransitionError) as refused:
        lifecycle.transition(ai_experiment, "submit", proposer)
    assert {p["field"] for p in refused.value.problems} >= {"ai_disclosure", "human_fallback", "bias_note"}


def test_with_the_guardrail_and_the_safeguards_it_is_submitted(ai_experiment, proposer):
    add_handoff_guardrail(ai_experiment)
    for name, text in SAFEGUARDS.items():
        setattr(ai_experiment, name, text)
    ai_experiment.save()
    assert experiment_problems(ai_experiment) == []
    lifecycle.transition(ai_experiment, "submit", proposer)
    ai_experiment.refresh_from_db()
    assert ai_experiment.status == "pending_approval"


def test_an_experiment_without_ai_needs_none_of_it(proposer, approver):
    assert experiment_problems(make_experiment(proposer, approver)) == []


def test_the_policy_says_which_guardrails_the_category_needs():
    [ai] = [c for c in policy_summary()["sensitive_categories"] if c["key"] == "uses-ai"]
    assert ai["needs_ai_safeguards"] and {m["key"] for m in ai["guardrail_one_of"]} == {
        "containment-rate",
        "handoff-to-human-rate",
    }


@pytest.mark.approvals
def test_the_form_shows_the_problems_next_to_the_fields_and_the_approver_reads_them(ai_experiment, proposer, approver):
    html = https_client(proposer).get(reverse("experiment-edit", kwargs={"key": ai_experiment.key})).content.decode()
    assert 'id="section-ai"' in html and "Uses AI needs a disclosure" in html
    add_handoff_guardrail(ai_experiment)
    for name, text in SAFEGUARDS.items():
        setattr(ai_experiment, name, text)
    ai_experiment.save()
    lifecycle.transition(ai_experiment, "submit", proposer)
    card = evidence_text(approver, open_request(ai_experiment))  # the card's evidence in full
    assert SAFEGUARDS["human_fallback"] in card and SAFEGUARDS["bias_note"] in card
    assert "their approval records the review" in card


def test_the_api_takes_the_safeguards(ai_experiment, proposer):
    from tests.approvals.web import api_client

    url = f"/api/experiments/{ai_experiment.key}/"
    saved = api_client(proposer).patch(url, SAFEGUARDS, format="json")
    assert saved.status_code == 200, saved.json()
    assert saved.json()["human_fallback"] == SAFEGUARDS["human_fallback"]


@pytest.mark.approvals
def test_the_keepers_approval_records_the_review_of_the_bias_note(ai_experiment, proposer, approver, standards_keeper):
    from approvals.bias_review import bias_note_review
    from approvals.services import decide

    add_handoff_guardrail(ai_experiment)
    for name, text in SAFEGUARDS.items():
        setattr(ai_experiment, name, text)
    ai_experiment.save()
    lifecycle.transition(ai_experiment, "submit", proposer)
    page = text_of(https_client(proposer).get(ai_experiment.get_absolute_url()).content.decode())
    assert "Bias and fairness note not yet reviewed" in page
    decide(ai_experiment, approver, "approve")
    assert bias_note_review(ai_experiment) is None  # the named approver's vote is no keeper's review
    decide(ai_experiment, standards_keeper, "approve")
    review = bias_note_review(ai_experiment)
    assert review.approver == standards_keeper
    page = text_of(https_client(proposer).get(ai_experiment.get_absolute_url()).content.decode())
    assert f"Bias and fairness note reviewed by {standards_keeper.get_full_name()} (standards keeper)" in page
    # A changed note is a new note: the review was of the old one.
    ai_experiment.bias_note = "A different note."
    ai_experiment.save()
    assert bias_note_review(ai_experiment) is None
