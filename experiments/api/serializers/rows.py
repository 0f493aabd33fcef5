"""Nested rows of an experiment (variants, metrics), validated by the same rules as the web form."""

from rest_framework import serializers
from django.utils.translation import gettext as _

from experiments.api.errors import run_check
from experiments.models import EffectUnit, ExperimentMetric, Metric, Variant
from experiments.validation import check_metric_row, check_variants


class RowListSerializer(serializers.ListSerializer):
    """Row errors as a list aligned with the rows, {} for a good row:
    {"metrics": [{}, {"baseline_rate": ["..."]}]}. DRF's own default keys them by index in a dict;
    the list is the API's documented shape and what the form's script reads."""

    def to_internal_value(self, data):
        try:
            return super().to_internal_value(data)
        except serializers.ValidationError as exc:
            detail = exc.detail
            if isinstance(detail, dict) and detail and all(isinstance(index, int) for index in detail):
                raise serializers.ValidationError([detail.get(i, {}) for i in range(len(data))]) from exc
            raise


class RowSerializer(serializers.ModelSerializer):
    """A row is sent whole, in a PATCH of its experiment too: DRF's partial update would skip the
    row's missing required fields (and the row's checks then fail on them, a 500)."""

    def to_internal_value(self, data):
        attrs = super().to_internal_value(data)
        missing = {
            field.field_name: [field.error_messages["required"]]
            for field in self._writable_fields
            if field.required and field.source not in attrs
        }
        if missing:
            raise serializers.ValidationError(missing)
        return attrs


class VariantSerializer(RowSerializer):
    class Meta:
        model = Variant
        fields = ["key", "name", "description", "is_control", "weight"]
        list_serializer_class = RowListSerializer


class PlanningVariantSerializer(RowSerializer):
    """A variant as the calculator needs it: no name or description."""

    class Meta:
        model = Variant
        fields = ["key", "weight", "is_control"]
        list_serializer_class = RowListSerializer


class MetricRowSerializer(RowSerializer):
    metric = serializers.SlugRelatedField(
        slug_field="key",
        queryset=Metric.objects.filter(is_active=True),
        error_messages={"does_not_exist": "No active metric has the key “{value}”; see /api/metrics/."},
    )
    metric_name = serializers.CharField(source="metric.name", read_only=True)

    class Meta:
        model = ExperimentMetric
        fields = [
            "metric",
            "metric_name",
            "role",
            "effect_unit",
            "minimum_detectable_effect",
            "non_inferiority_margin",
            "baseline_rate",
            "baseline_mean",
            "baseline_sd",
            "data_source",
        ]
        list_serializer_class = RowListSerializer

    def validate(self, attrs):
        metric = attrs["metric"]
        run_check(
            check_metric_row,
            kind=metric.kind,
            lower_is_better=metric.lower_is_better,
            role=attrs["role"],
            effect_unit=attrs.get("effect_unit", EffectUnit.ABSOLUTE),
            minimum_detectable_effect=attrs.get("minimum_detectable_effect"),
            non_inferiority_margin=attrs.get("non_inferiority_margin"),
            baseline_rate=attrs.get("baseline_rate"),
            baseline_mean=attrs.get("baseline_mean"),
            baseline_sd=attrs.get("baseline_sd"),
        )
        return attrs


def validate_variant_rows(rows):
    run_check(check_variants, rows, field="variants")
    return rows


def validate_metric_rows(rows):
    """At least one metric, each once per experiment (the table has a unique constraint on it)."""
    if not rows:
        raise serializers.ValidationError(_("Add at least one metric: the success metric that decides the experiment."))
    keys = [row["metric"].key for row in rows]
    repeated = sorted({key for key in keys if keys.count(key) > 1})
    if repeated:
        raise serializers.ValidationError(
            _("Each metric may appear once; repeated: %(keys)s.") % {"keys": ", ".join(repeated)}
        )
    return rows
