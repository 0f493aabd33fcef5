"""Read-only views of the admin-maintained catalogues."""

from rest_framework import serializers

from experiments.models import GuardrailPolicy, Metric, Segment, SensitiveCategory, Touchpoint


class MetricSerializer(serializers.ModelSerializer):
    class Meta:
        model = Metric
        fields = ["key", "name", "kind", "direction", "unit", "min_value", "max_value", "description", "is_active"]


class TouchpointSerializer(serializers.ModelSerializer):
    mandatory_guardrails = serializers.SlugRelatedField(slug_field="key", many=True, read_only=True)

    class Meta:
        model = Touchpoint
        fields = ["key", "name", "description", "mandatory_guardrails"]


class SegmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Segment
        fields = ["key", "name", "description"]


class SensitiveCategorySerializer(serializers.ModelSerializer):
    class Meta:
        model = SensitiveCategory
        fields = ["key", "name", "description", "needs_standards_keeper"]


class GuardrailPolicySerializer(serializers.ModelSerializer):
    mandatory_guardrails = serializers.SlugRelatedField(slug_field="key", many=True, read_only=True)

    class Meta:
        model = GuardrailPolicy
        fields = ["max_duration_days", "max_exposure_pct", "mandatory_guardrails", "updated_at"]
        read_only_fields = fields
