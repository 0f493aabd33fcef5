"""The standards panel on the proposal form: what bears on the proposal as it is being written (the
bound form's touchpoints, segments and metric rows), and the re-tests its authors tick."""

import re

from django.urls import reverse

from cadence.standards.citations import declare_retests
from cadence.standards.relevance import Scope, relevant_standards
from experiments.models import Metric, MetricRole, Segment, Touchpoint

METRIC_FIELD = re.compile(r"^metrics-(\d+)-metric$")


def _ids(values) -> list[int]:
    return [int(v) for v in values if str(v).isdigit()]


def scope_of_form(experiment, form) -> Scope:
    if not form.is_bound:
        return Scope.of_experiment(experiment) if experiment.pk else Scope()
    data = form.data
    rows = {}
    for name, value in data.items():
        match = METRIC_FIELD.match(name)
        if match and str(value).isdigit() and not data.get(f"metrics-{match[1]}-DELETE"):
            rows[int(value)] = data.get(f"metrics-{match[1]}-role", "")
    keys = dict(Metric.objects.filter(pk__in=rows).values_list("pk", "key"))
    return Scope.of(
        touchpoints=Touchpoint.objects.filter(pk__in=_ids(data.getlist("touchpoints"))).values_list("key", flat=True),
        segments=Segment.objects.filter(pk__in=_ids(data.getlist("segments"))).values_list("key", flat=True),
        metrics=keys.values(),
        success_metrics=[keys[pk] for pk, role in rows.items() if pk in keys and role == MetricRole.SUCCESS],
    )


def panel_context(experiment, form) -> dict:
    items = relevant_standards(scope_of_form(experiment, form), experiment=experiment)
    # The form's checkboxes and rows carry ids; the live refresh asks the API by keys.
    catalogue_keys = {
        "touchpoints": {str(pk): key for pk, key in Touchpoint.objects.values_list("pk", "key")},
        "segments": {str(pk): key for pk, key in Segment.objects.values_list("pk", "key")},
    }
    return {
        "standards_panel": {"items": items, "live_url": reverse("api-standards-relevant")},
        "standards_catalogue_keys": catalogue_keys,
    }


def save_declared_retests(experiment, data, actor):
    """Only when the form showed the panel: an edit from elsewhere keeps the declarations."""
    if data is None or not data.get("retests_standards_shown"):
        return
    declare_retests(experiment, _ids(data.getlist("retests_standards")), actor)
