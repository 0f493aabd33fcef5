"""The experiment page's exploration section: the per-segment breakdown and whether the checks
used CUPED. Read here so the page's view stays as it is (templates/experiments/live/_segments.html)."""

from django import template

from experiments.live.look_inputs import metric_spec
from experiments.live.presentation import segment_texts
from experiments.models import Check

register = template.Library()


@register.simple_tag
def segment_section(experiment):
    """{"breakdown": the API's payload or None when no segment has data, "cuped_metrics": labels of
    the metrics whose latest check used CUPED}."""
    from experiments.live.api_segments import breakdown_payload
    from experiments.models import SegmentDailyStat

    breakdown = None
    if SegmentDailyStat.objects.filter(experiment=experiment).exists():
        breakdown = breakdown_payload(experiment)
        names = {s["key"]: s["name"] for s in breakdown["segments"]}
        specs = {spec.name: spec for spec in map(metric_spec, experiment.metric_rows())}
        level = 1 - float(experiment.alpha)
        for effect in breakdown["effects"]:
            effect["segment_name"] = names.get(effect["segment"], effect["segment"])
            if effect["metric"] in specs:  # read as the results table reads its numbers
                effect["texts"] = segment_texts(specs[effect["metric"]], effect, level)
    latest = (
        Check.objects.filter(experiment=experiment)
        .exclude(action=Check.Action.ERROR)
        .order_by("-look_date")
        .values_list("result", flat=True)
        .first()
    )
    cuped_metrics = [
        metric.get("label") or metric.get("metric")
        for metric in ((latest or {}).get("metrics") or [])
        if isinstance(metric, dict) and metric.get("cuped_theta") is not None
    ]
    return {"breakdown": breakdown, "cuped_metrics": cuped_metrics}
