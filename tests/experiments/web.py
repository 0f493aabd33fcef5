"""Shared helpers for the web page tests (test_views_*.py, test_forms.py)."""

import datetime as dt
import re

from django.test import Client
from django.utils import timezone

from experiments.models import Metric, Touchpoint


class HttpsClient(Client):
    """Production redirects plain HTTP to HTTPS; talk HTTPS as a real browser would."""

    def generic(self, method, path, data="", content_type="application/octet-stream", secure=True, **extra):
        return super().generic(method, path, data, content_type, secure=True, **extra)


def https_client(user=None, **kwargs) -> HttpsClient:
    """A browser signed in as `user` if given."""
    client = HttpsClient(**kwargs)
    if user is not None:
        client.force_login(user)
    return client


def field_block(html: str, html_name: str) -> str:
    """The rendered markup of one form field, from its wrapper up to the next field."""
    start = html.index(f'id="field-{html_name}"')
    following = html.find('id="field-', start + 1)
    return html[start : following if following != -1 else None]


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def proposal_data(approver, **overrides) -> dict:
    """POST data for a complete, policy-compliant proposal on the chat touchpoint."""
    today = timezone.localdate()
    metric = {m.key: m.pk for m in Metric.objects.filter(key__in=["fcr", "complaint-rate", "escalation-rate"])}
    data = {
        "key": "chat-short-greeting",
        "title": "Shorter chat greeting",
        "hypothesis_change": "shorten the chat greeting to one sentence",
        "hypothesis_audience": "customers who open chat from the help centre",
        "hypothesis_effect": "first-contact resolution rises by 2 points",
        "hypothesis_rationale": "agents reach the question sooner",
        "team": "Customer care",
        "touchpoints": [Touchpoint.objects.get(key="chat").pk],
        "exposure_cap_pct": "20",
        "planned_start": (today + dt.timedelta(days=1)).isoformat(),
        "planned_end": (today + dt.timedelta(days=28)).isoformat(),
        "min_runtime_days": "7",
        "expected_daily_traffic": "5000",
        "alpha": "0.05",
        "power": "0.8",
        "approver": str(approver.pk),
        "variants-TOTAL_FORMS": "2",
        "variants-INITIAL_FORMS": "0",
        "variants-MIN_NUM_FORMS": "2",
        "variants-MAX_NUM_FORMS": "1000",
        "variants-0-key": "control",
        "variants-0-name": "Current greeting",
        "variants-0-is_control": "on",
        "variants-0-weight": "50",
        "variants-1-key": "short",
        "variants-1-name": "One-sentence greeting",
        "variants-1-weight": "50",
        "metrics-TOTAL_FORMS": "3",
        "metrics-INITIAL_FORMS": "0",
        "metrics-MIN_NUM_FORMS": "1",
        "metrics-MAX_NUM_FORMS": "1000",
        "metrics-0-metric": str(metric["fcr"]),
        "metrics-0-role": "success",
        "metrics-0-effect_unit": "absolute",
        "metrics-0-minimum_detectable_effect": "2",
        "metrics-0-baseline_rate": "70",
        "metrics-1-metric": str(metric["complaint-rate"]),
        "metrics-1-role": "guardrail",
        "metrics-1-effect_unit": "absolute",
        "metrics-1-non_inferiority_margin": "0.5",
        "metrics-1-baseline_rate": "3",
        "metrics-2-metric": str(metric["escalation-rate"]),
        "metrics-2-role": "guardrail",
        "metrics-2-effect_unit": "absolute",
        "metrics-2-non_inferiority_margin": "1",
        "metrics-2-baseline_rate": "8",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def form_data_of(experiment, **overrides) -> dict:
    """POST data that re-saves the edit page exactly as it is shown (then `overrides`)."""
    from experiments.forms import ExperimentForm, MetricFormSet, VariantFormSet

    data = {}

    def add(form):
        for field in form:
            value = field.value()
            if value is None or value is False:
                continue
            if value is True:
                value = "on"
            elif isinstance(value, (list, tuple)):
                value = [str(getattr(v, "pk", v)) for v in value]
            else:
                value = str(getattr(value, "pk", value))
            data[field.html_name] = value

    add(ExperimentForm(instance=experiment, owner=experiment.owner))
    for formset in (
        VariantFormSet(instance=experiment, prefix="variants"),
        MetricFormSet(instance=experiment, prefix="metrics"),
    ):
        add(formset.management_form)
        data[f"{formset.prefix}-TOTAL_FORMS"] = str(len(formset.initial_forms))
        for row in formset.initial_forms:
            add(row)
    data.update(overrides)
    return data
