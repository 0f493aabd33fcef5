"""GET /api/experiments/<key>/segments/: the per-segment breakdown (exploration, never used to stop)."""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from experiments import access
from experiments.live.segments import segment_breakdown


class SegmentNameSerializer(serializers.Serializer):
    key = serializers.CharField()
    name = serializers.CharField()


class SegmentEffectSerializer(serializers.Serializer):
    segment = serializers.CharField(help_text="Segment key.")
    metric = serializers.CharField(help_text="Metric key.")
    label = serializers.CharField(help_text="The metric as a manager calls it.")
    treatment = serializers.CharField(help_text="The treatment arm compared with control.")
    n_control = serializers.IntegerField()
    n_treatment = serializers.IntegerField()
    control_mean = serializers.FloatField(allow_null=True, help_text="Control's value (rate in %, mean, NPS).")
    treatment_mean = serializers.FloatField(allow_null=True)
    change = serializers.FloatField(
        allow_null=True, help_text="Treatment minus control, in the metric's units (or % of control if relative)."
    )
    interval_low = serializers.FloatField(allow_null=True, help_text="Unadjusted two-sided interval at 1 - alpha.")
    interval_high = serializers.FloatField(allow_null=True)
    p_value = serializers.FloatField(allow_null=True, help_text="Two-sided, unadjusted.")
    adjusted_p_value = serializers.FloatField(allow_null=True, help_text="Adjusted across the whole breakdown.")
    differs = serializers.BooleanField(help_text="Adjusted p-value at most alpha: worth a look, never a decision.")
    better = serializers.BooleanField(allow_null=True, help_text="Change in the good direction.")
    cuped = serializers.BooleanField(help_text="The estimate used the units' pre-period values (CUPED).")
    reason = serializers.CharField(allow_null=True, help_text="Why there is no estimate yet.")


class SegmentBreakdownSerializer(serializers.Serializer):
    exploration = serializers.BooleanField(help_text="Always true: segments never stop or conclude an experiment.")
    note = serializers.CharField()
    method = serializers.ChoiceField(choices=["holm", "bh"], help_text="The multiplicity correction.")
    method_name = serializers.CharField()
    alpha = serializers.FloatField()
    comparisons = serializers.IntegerField(help_text="How many comparisons the correction covers.")
    segments = SegmentNameSerializer(many=True)
    effects = SegmentEffectSerializer(many=True)


def breakdown_payload(experiment) -> dict:
    result, segments = segment_breakdown(experiment)
    return {
        "exploration": True,
        "note": _(
            "Exploration: segments (not used to stop). The decision is on the whole population; p-values are "
            "adjusted across every segment, metric and arm (%(method)s)."
        )
        % {"method": result.method_name},
        "method": result.method,
        "method_name": result.method_name,
        "alpha": result.alpha,
        "comparisons": result.comparisons,
        "segments": [{"key": s.key, "name": s.name} for s in sorted(segments.values(), key=lambda s: (s.name, s.key))],
        "effects": [
            {
                "segment": e.segment,
                "metric": e.metric,
                "label": e.label,
                "treatment": e.treatment,
                "n_control": e.n_control,
                "n_treatment": e.n_treatment,
                "control_mean": e.control_mean,
                "treatment_mean": e.treatment_mean,
                "change": e.change,
                "interval_low": e.interval[0] if e.interval else None,
                "interval_high": e.interval[1] if e.interval else None,
                "p_value": e.p_value,
                "adjusted_p_value": e.adjusted_p_value,
                "differs": e.differs,
                "better": e.better,
                "cuped": e.cuped,
                "reason": e.reason,
            }
            for e in result.effects
        ],
    }


class SegmentBreakdownView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Per-segment breakdown of the results (exploration, never used to stop)",
        description="The same effect estimates as the checks, per catalogue segment that has data, with p-values "
        "adjusted across every segment, metric and treatment arm (Holm). The checks decide on the whole "
        "population only.",
        responses={200: SegmentBreakdownSerializer},
    )
    def get(self, request, key):
        experiment = get_object_or_404(access.visible_experiments(request.user), key=key)
        return Response(SegmentBreakdownSerializer(breakdown_payload(experiment)).data)
