"""The sample-size plan, and the live calculator's input (same rules as the experiment form)."""

from rest_framework import serializers

from experiments.api.errors import run_check
from experiments.api.fields import exposure_cap_field
from experiments.api.serializers.lifecycle import ProblemSerializer
from experiments.api.serializers.rows import (
    MetricRowSerializer,
    PlanningVariantSerializer,
    validate_metric_rows,
    validate_variant_rows,
)
from experiments.models import Experiment
from experiments.validation import check_dates


class MetricPlanSerializer(serializers.Serializer):
    name = serializers.CharField()
    role = serializers.CharField()
    alpha = serializers.FloatField(help_text="One-sided level of this metric's test.")
    power = serializers.FloatField(help_text="Power asked of this metric's test.")
    absolute_effect = serializers.FloatField(help_text="In metric units; rate metrics in percentage points.")
    standardized_effect = serializers.FloatField()
    control_units = serializers.IntegerField()
    total_units = serializers.IntegerField()
    inflation = serializers.FloatField(
        help_text="Sequential inflation R for the planned daily looks (1 = one final look)."
    )


class PlanSerializer(serializers.Serializer):
    """Serializes experiments.stats.planning.Plan."""

    units_per_arm = serializers.DictField(child=serializers.IntegerField())
    total_units = serializers.IntegerField()
    daily_units = serializers.FloatField(help_text="Units entering per day after the exposure cap.")
    days_needed = serializers.IntegerField(allow_null=True)
    planned_days = serializers.IntegerField(allow_null=True)
    looks = serializers.IntegerField(help_text="Daily checks the plan is sized for (one per planned day).")
    fits = serializers.BooleanField(help_text="True when the planned days are enough.")
    warnings = serializers.ListField(child=serializers.CharField())
    deciding_metric = serializers.CharField(source="deciding_metric.name", allow_null=True)
    metrics = MetricPlanSerializer(many=True)


class CalculatorPlanSerializer(PlanSerializer):
    """The calculator's plan, sized at the exposure the policy allows, with the policy's limits."""

    planned_exposure_pct = serializers.CharField(
        help_text="The exposure the plan assumes: the entered cap, or the policy maximum when the cap is above it."
    )
    policy_problems = ProblemSerializer(
        many=True, help_text="The duration, runtime and exposure limits the entered values break."
    )
    expected_correlation = serializers.FloatField(
        help_text="The correlation with pre-period values the plan assumes for mean metrics (CUPED); 0: none."
    )
    total_units_without_cuped = serializers.IntegerField(
        allow_null=True,
        help_text="Units the same plan needs without CUPED (null when no correlation was given); with it, mean "
        "metrics need n x (1 - rho^2).",
    )


class CalculatorRequestSerializer(serializers.ModelSerializer):
    """The planning inputs of an experiment form, before it is saved."""

    exposure_cap_pct = exposure_cap_field()
    variants = PlanningVariantSerializer(many=True)
    metrics = MetricRowSerializer(many=True)
    expected_correlation = serializers.FloatField(
        required=False,
        default=0.0,
        min_value=0.0,
        max_value=0.99,
        help_text="Optional: the correlation expected between each mean metric and its units' pre-period values. "
        "The checks use CUPED when the outcomes carry pre-period values, and mean metrics then need n x (1 - rho^2).",
    )

    class Meta:
        model = Experiment
        fields = [
            "expected_correlation",
            "alpha",
            "power",
            "expected_daily_traffic",
            "exposure_cap_pct",
            "planned_start",
            "planned_end",
            "min_runtime_days",
            "variants",
            "metrics",
        ]
        extra_kwargs = {
            "min_runtime_days": {"required": False},
            "planned_start": {"required": False, "allow_null": True},
            "planned_end": {"required": False, "allow_null": True},
        }

    def validate_variants(self, rows):
        return validate_variant_rows(rows)

    def validate_metrics(self, rows):
        return validate_metric_rows(rows)

    def validate(self, attrs):
        run_check(check_dates, attrs.get("planned_start"), attrs.get("planned_end"), None)
        return attrs
