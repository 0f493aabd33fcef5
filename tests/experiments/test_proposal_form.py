"""The proposal form's rules, server side: rows come back in the order entered, an empty form
shows each error once and none contradicting another, each metric row needs exactly the fields its
kind and role need (one rule for the check, the form and the page's script), the policy limits
beside the fields, and the approver's request for changes at the top."""

import json
import re
from html.parser import HTMLParser

import pytest
from django.urls import reverse
from django.utils.html import escape

from experiments.forms import MetricFormSet
from experiments.models import Experiment, GuardrailPolicy, Metric, Status
from experiments.validation import PLANNING_FIELDS, metric_row_fields
from tests.experiments.web import field_block, https_client, proposal_data, text_of
from tests.factories import make_experiment

CREATE = reverse("experiment-create")


class SubmittedValues(HTMLParser):
    """What a browser without JavaScript sends for the proposal form as it is rendered."""

    def __init__(self):
        super().__init__()
        self.values, self.in_form, self.in_template = [], False, False
        self.select, self.textarea = None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and attrs.get("id") == "experiment-form":
            self.in_form = True
        elif tag == "template":
            self.in_template = True
        if not self.in_form or self.in_template or "disabled" in attrs:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = attrs.get("type", "text")
            if kind in ("checkbox", "radio"):
                if "checked" in attrs:
                    self.values.append((name, attrs.get("value", "on")))
            elif kind not in ("submit", "button"):
                self.values.append((name, attrs.get("value") or ""))
        elif tag == "select" and name:
            self.select = name
        elif tag == "option" and self.select and "selected" in attrs:
            self.values.append((self.select, attrs.get("value", "")))
        elif tag == "textarea" and name:
            self.textarea = [name, ""]

    def handle_data(self, data):
        if self.textarea:
            self.textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.in_form = False
        elif tag == "template":
            self.in_template = False
        elif tag == "select":
            self.select = None
        elif tag == "textarea" and self.textarea:
            self.values.append((self.textarea[0], self.textarea[1].lstrip("\n")))
            self.textarea = None


def as_sent(html: str) -> dict:
    parser = SubmittedValues()
    parser.feed(html)
    data = {}
    for name, value in parser.values:
        data.setdefault(name, []).append(value)
    return data


# --- An empty form ---------------------------------------------------------------------------


def test_an_empty_form_shows_each_error_once_and_none_contradicting_another(proposer, approver):
    client = https_client(proposer)
    data = as_sent(client.get(CREATE).content.decode())
    response = client.post(CREATE, {**data, "intent": ["submit"]})
    assert response.status_code == 200
    assert not Experiment.objects.exists()
    summary = response.context["error_links"]
    anchors = [anchor for anchor, _message in summary]
    assert len(anchors) == len(set(anchors)), f"a field with two errors: {summary}"
    said = dict(summary)
    # What the proposer has to fill in, each said once...
    messages = {
        "field-title": "Title",
        "field-hypothesis_change": "Hypothesis: the change",
        "field-touchpoints": "Touchpoints",
        "field-exposure_cap_pct": "Exposure cap (%)",
        "field-planned_start": "Planned start",
        "field-planned_end": "Planned end",
        "field-metrics-0-metric": "Metrics row 1: Metric",
    }
    for anchor, label in messages.items():
        assert said[anchor] == f"{label}: This field is required."
    # ...and nothing that says otherwise: no "add a metric" beside the empty metric row, no key
    # error beside the missing title (the key is made from it), none on the suggested variants.
    assert not any(anchor.startswith("section-") for anchor in anchors), summary
    assert "field-key" not in said
    assert not any(anchor.startswith("field-variants-") for anchor in anchors), summary
    html = response.content.decode()
    # The site's one error summary, its lines linking to the fields, and no second summary.
    assert html.count('class="error-summary"') == 1 and 'id="error-summary"' not in html
    summary_html = html[html.index('class="error-summary"') : html.index("</div>", html.index('class="error-summary"'))]
    for anchor, message in said.items():
        assert f'<a href="#{anchor}">{escape(message)}</a>' in summary_html
    assert "problems-heading" not in html
    for anchor in messages:
        assert text_of(field_block(html, anchor.removeprefix("field-"))).count("This field is required.") == 1


# --- Rows in the order entered ---------------------------------------------------------------


def test_rows_come_back_in_the_order_they_were_entered(proposer, approver):
    metric = {m.key: str(m.pk) for m in Metric.objects.all()}
    # A guardrail first, the success metric second; the treatment before the control.
    data = proposal_data(
        approver,
        **{
            "metrics-0-metric": metric["complaint-rate"],
            "metrics-0-role": "guardrail",
            "metrics-0-non_inferiority_margin": "0.5",
            "metrics-0-minimum_detectable_effect": "",
            "metrics-0-baseline_rate": "3",
            "metrics-1-metric": metric["fcr"],
            "metrics-1-role": "success",
            "metrics-1-minimum_detectable_effect": "2",
            "metrics-1-non_inferiority_margin": "",
            "metrics-1-baseline_rate": "70",
            "variants-0-key": "short",
            "variants-0-name": "One-sentence greeting",
            "variants-0-is_control": None,
            "variants-1-key": "control",
            "variants-1-name": "Current greeting",
            "variants-1-is_control": "on",
            "intent": "save",
        },
    )
    client = https_client(proposer)
    assert client.post(CREATE, data).status_code == 302
    page = client.get(reverse("experiment-edit", kwargs={"key": "chat-short-greeting"}))
    rows = page.context["metrics"].forms
    assert [row.instance.metric.key for row in rows if row.instance.pk] == ["complaint-rate", "fcr", "escalation-rate"]
    assert [row.instance.key for row in page.context["variants"].forms] == ["short", "control"]
    html = page.content.decode()
    assert html.index('value="short"') < html.index('value="control"')


# --- The fields a metric row needs, by kind and role ------------------------------------------

VALID = {
    ("binary", "success"): {"minimum_detectable_effect": "2", "baseline_rate": "70"},
    ("binary", "guardrail"): {"non_inferiority_margin": "1", "baseline_rate": "3"},
    ("mean", "success"): {"minimum_detectable_effect": "0.1", "baseline_mean": "4", "baseline_sd": "1"},
    ("mean", "guardrail"): {"non_inferiority_margin": "0.2", "baseline_mean": "4", "baseline_sd": "1"},
    ("nps", "success"): {"minimum_detectable_effect": "0.3", "baseline_mean": "7", "baseline_sd": "2"},
    ("nps", "guardrail"): {"non_inferiority_margin": "0.3", "baseline_mean": "7", "baseline_sd": "2"},
}
METRIC_OF_KIND = {"binary": "fcr", "mean": "csat", "nps": "nps"}


def one_metric_row(metric_key, role, values):
    data = {
        "metrics-TOTAL_FORMS": "1",
        "metrics-INITIAL_FORMS": "0",
        "metrics-MIN_NUM_FORMS": "1",
        "metrics-MAX_NUM_FORMS": "1000",
        "metrics-0-metric": str(Metric.objects.get(key=metric_key).pk),
        "metrics-0-role": role,
        "metrics-0-effect_unit": "absolute",
    }
    data.update({f"metrics-0-{name}": value for name, value in values.items()})
    return MetricFormSet(data, instance=Experiment(), prefix="metrics")


def test_the_rule_names_the_effect_of_the_role_and_the_baseline_of_the_kind():
    assert metric_row_fields("binary", "success") == ("minimum_detectable_effect", "baseline_rate")
    assert metric_row_fields("binary", "guardrail") == ("non_inferiority_margin", "baseline_rate")
    assert metric_row_fields("mean", "success") == ("minimum_detectable_effect", "baseline_mean", "baseline_sd")
    assert metric_row_fields("nps", "guardrail") == ("non_inferiority_margin", "baseline_mean", "baseline_sd")


@pytest.mark.parametrize("kind, role", sorted(VALID))
def test_a_row_with_the_fields_its_kind_and_role_need_is_complete(db, kind, role):
    needed = metric_row_fields(kind, role)
    assert set(VALID[kind, role]) == set(needed)
    # Values left in the fields the row does not show are dropped, not refused.
    others = {name: "5" for name in PLANNING_FIELDS if name not in needed}
    formset = one_metric_row(METRIC_OF_KIND[kind], role, {**VALID[kind, role], **others})
    assert formset.is_valid(), formset.errors
    row = formset.forms[0].cleaned_data
    assert all(row[name] is None for name in others)
    assert all(row[name] is not None for name in needed)


@pytest.mark.parametrize("kind, role", sorted(VALID))
def test_each_field_the_row_needs_is_required(db, kind, role):
    for missing in metric_row_fields(kind, role):
        values = {k: v for k, v in VALID[kind, role].items() if k != missing}
        formset = one_metric_row(METRIC_OF_KIND[kind], role, values)
        assert not formset.is_valid()
        errors = formset.forms[0].errors
        assert list(errors) == [missing], (missing, errors)
        assert len(errors[missing]) == 1


def test_the_page_hands_the_script_the_same_rule(proposer):
    html = https_client(proposer).get(CREATE).content.decode()
    table = json.loads(re.search(r'<script id="metric-fields" type="application/json">(.*?)</script>', html).group(1))
    for kind in Metric.Kind.values:
        for role in ("success", "guardrail"):
            assert table[kind][role] == list(metric_row_fields(kind, role))
    kinds = json.loads(re.search(r'<script id="metric-kinds" type="application/json">(.*?)</script>', html).group(1))
    assert kinds[str(Metric.objects.get(key="csat").pk)] == "mean"


# --- Policy limits beside the fields ---------------------------------------------------------


def test_the_limits_beside_the_fields_are_the_policys_own(proposer):
    policy = GuardrailPolicy.current()
    policy.max_exposure_pct, policy.max_duration_days = 35, 42
    policy.save()
    html = https_client(proposer).get(CREATE).content.decode()
    assert "Policy maximum: 35%." in text_of(html[html.index('id="limit-exposure"') :])
    assert "Policy maximum: 42 days from start to end." in text_of(html[html.index('id="limit-duration"') :])
    assert 'data-max-exposure="35"' in html


# --- The approver's request for changes ------------------------------------------------------


@pytest.mark.approvals
def test_the_request_for_changes_leads_the_form_with_links_to_its_fields(proposer, approver):
    from approvals.services import decide
    from experiments.lifecycle import transition

    experiment = make_experiment(proposer, approver)
    transition(experiment, "submit", proposer)
    decide(experiment, approver, "request_changes", "Name the segment you mean and widen the margin.")
    experiment.refresh_from_db()
    assert experiment.status == Status.CHANGES_REQUESTED

    html = https_client(proposer).get(reverse("experiment-edit", kwargs={"key": experiment.key})).content.decode()
    request = html[
        html.index('id="changes-requested"') : html.index("</section>", html.index('id="changes-requested"'))
    ]
    assert "Name the segment you mean and widen the margin." in request
    assert "asked for changes" in text_of(request)
    assert 'href="#field-segments"' in request and 'href="#section-metrics"' in request
    # First thing on the page, above the button that sends the proposal back.
    assert html.index('id="changes-requested"') < html.index("Save and submit for approval")
    assert html.index('id="changes-requested"') < html.index('id="experiment-form"')
    # The key is fixed now: the proposal has been submitted once.
    assert 'name="key"' in html and re.search(r'<input[^>]*name="key"[^>]*disabled', html)


def test_a_draft_shows_no_request_for_changes(proposer, approver):
    experiment = make_experiment(proposer, approver)
    html = https_client(proposer).get(reverse("experiment-edit", kwargs={"key": experiment.key})).content.decode()
    assert 'id="changes-requested"' not in html
