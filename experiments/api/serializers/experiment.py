"""The experiment as the API reads and writes it, with its variants and metric rows nested."""

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from experiments import lifecycle, roles
from experiments.api.errors import run_check
from experiments.api.fields import exposure_cap_field, outcome_field
from experiments.api.serializers.rows import (
    MetricRowSerializer,
    VariantSerializer,
    validate_metric_rows,
    validate_variant_rows,
)
from experiments.live.presentation import list_results
from experiments.models import Experiment, ExperimentMetric, Segment, SensitiveCategory, Touchpoint, Variant
from experiments.validation import check_dates

User = get_user_model()
MANY_TO_MANY = ("co_authors", "touchpoints", "segments", "sensitive_categories")


class AllowedActionSerializer(serializers.Serializer):
    action = serializers.CharField()
    label = serializers.CharField()
    needs_reason = serializers.BooleanField()
    needs_outcome = serializers.BooleanField()


class HealthSerializer(serializers.Serializer):
    colour = serializers.ChoiceField(choices=["green", "amber", "red"], help_text="The status light, never alone.")
    label = serializers.CharField(help_text="The light in words: On track, Needs attention, Stopped.")
    reason = serializers.CharField(help_text='Why, e.g. "No new data for 3 days".')


class ListResultSerializer(serializers.Serializer):
    text = serializers.CharField(
        help_text='The recorded outcome, else what the latest check said, e.g. "No decision yet".'
    )
    tone = serializers.ChoiceField(choices=["ok", "bad", "warn", "done", "neutral", "muted"])
    health = HealthSerializer(
        allow_null=True, help_text="The health light of a running experiment, or one a check stopped; else null."
    )


class ExperimentSerializer(serializers.ModelSerializer):
    owner = serializers.SlugRelatedField(slug_field="username", read_only=True)
    outcome = outcome_field()
    co_authors = serializers.SlugRelatedField(
        slug_field="username", many=True, required=False, queryset=User.objects.filter(is_active=True)
    )
    approver = serializers.SlugRelatedField(
        slug_field="username", allow_null=True, required=False, queryset=User.objects.filter(is_active=True)
    )
    touchpoints = serializers.SlugRelatedField(
        slug_field="key", many=True, allow_empty=False, queryset=Touchpoint.objects.all()
    )
    segments = serializers.SlugRelatedField(slug_field="key", many=True, required=False, queryset=Segment.objects.all())
    sensitive_categories = serializers.SlugRelatedField(
        slug_field="key", many=True, required=False, queryset=SensitiveCategory.objects.all()
    )
    exposure_cap_pct = exposure_cap_field()
    variants = VariantSerializer(
        many=True, required=False, help_text="The control and the treatments; replaces all rows when given."
    )
    metrics = MetricRowSerializer(
        many=True, required=False, help_text="Success and guardrail metrics; replaces all rows when given."
    )
    hypothesis_sentence = serializers.CharField(read_only=True)
    based_on = serializers.SlugRelatedField(
        slug_field="key",
        read_only=True,
        allow_null=True,
        help_text="The past experiment this proposal was started from, if any.",
    )
    duration_days = serializers.IntegerField(read_only=True, allow_null=True)
    allowed_actions = serializers.SerializerMethodField(help_text="Lifecycle actions the requesting user may take now.")
    result = serializers.SerializerMethodField(help_text="Its result and health, as the experiments list shows them.")

    class Meta:
        model = Experiment
        fields = [
            "key",
            "title",
            "hypothesis_change",
            "hypothesis_audience",
            "hypothesis_effect",
            "hypothesis_rationale",
            "hypothesis_sentence",
            "owner",
            "co_authors",
            "team",
            "touchpoints",
            "segments",
            "exposure_cap_pct",
            "sensitive_categories",
            "ai_disclosure",
            "human_fallback",
            "bias_note",
            "based_on",
            "planned_start",
            "planned_end",
            "duration_days",
            "min_runtime_days",
            "approver",
            "alpha",
            "power",
            "expected_daily_traffic",
            "variants",
            "metrics",
            "status",
            "outcome",
            "allowed_actions",
            "result",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["status", "outcome", "created_at", "updated_at"]

    @extend_schema_field(AllowedActionSerializer(many=True))
    def get_allowed_actions(self, experiment):
        request = self.context.get("request")
        if request is None:
            return []
        return [
            {"action": m.action, "label": m.label, "needs_reason": m.needs_reason, "needs_outcome": m.needs_outcome}
            for m in lifecycle.available_moves(request.user, experiment)
        ]

    @extend_schema_field(ListResultSerializer)
    def get_result(self, experiment):
        # Worked out once for the whole page of a list (two queries), else for this one experiment.
        results = self.context.get("_list_results")
        if results is None or experiment.pk not in results:
            many = isinstance(self.parent, serializers.ListSerializer) and self.parent.instance is not None
            results = list_results(list(self.parent.instance) if many else [experiment])
            self.context["_list_results"] = results
        cell = results[experiment.pk]
        health = cell.light
        return {
            "text": cell.result,
            "tone": cell.tone,
            "health": {"colour": health.colour, "label": health.label, "reason": health.reason} if health else None,
        }

    def get_fields(self):
        fields = super().get_fields()
        # A new experiment needs its variants and metrics; an update may leave them as they are.
        fields["variants"].required = fields["metrics"].required = self.instance is None
        return fields

    # Field rules -----------------------------------------------------------------------------

    def validate_key(self, value):
        if self.instance is not None and value != self.instance.key and not lifecycle.key_is_free(self.instance):
            raise serializers.ValidationError(_("The key is fixed once the proposal has been submitted."))
        return value

    def validate_approver(self, user):
        if user is not None and not user.is_superuser and not roles.has_role(user, roles.APPROVER):
            raise serializers.ValidationError(
                _("%(username)s does not hold the approver role.") % {"username": user.username}
            )
        return user

    def validate_variants(self, rows):
        return validate_variant_rows(rows)

    def validate_metrics(self, rows):
        return validate_metric_rows(rows)

    def validate(self, attrs):
        instance = self.instance

        def current(name, default=None):
            if name in attrs:
                return attrs[name]
            return getattr(instance, name) if instance is not None else default

        run_check(
            check_dates,
            current("planned_start"),
            current("planned_end"),
            current("min_runtime_days", Experiment._meta.get_field("min_runtime_days").default),
        )
        owner = instance.owner if instance is not None else self.context["request"].user
        if "co_authors" in attrs:
            co_authors = attrs["co_authors"]
        else:
            co_authors = list(instance.co_authors.all()) if instance is not None else []
        if owner in co_authors:
            raise serializers.ValidationError(
                {"co_authors": "The owner is already an author; list only the other people."}
            )
        approver = current("approver")
        if approver is not None and (approver == owner or approver in co_authors):
            raise serializers.ValidationError(
                {"approver": "The approver cannot be the owner or a co-author of the experiment."}
            )
        return attrs

    # Writes: one transaction, so a bad nested row leaves nothing behind ------------------------

    def create(self, validated_data):
        variants = validated_data.pop("variants", [])
        metrics = validated_data.pop("metrics", [])
        relations = {name: validated_data.pop(name) for name in MANY_TO_MANY if name in validated_data}
        with transaction.atomic():
            experiment = Experiment.objects.create(**validated_data)
            self._write_relations(experiment, relations, variants, metrics)
            lifecycle.record_creation(experiment, experiment.owner)
        return experiment

    def update(self, experiment, validated_data):
        variants = validated_data.pop("variants", None)
        metrics = validated_data.pop("metrics", None)
        relations = {name: validated_data.pop(name) for name in MANY_TO_MANY if name in validated_data}
        with transaction.atomic():
            for name, value in validated_data.items():
                setattr(experiment, name, value)
            # Only the fields sent: status belongs to lifecycle.transition, never to an edit.
            experiment.save(update_fields=[*validated_data, "updated_at"])
            self._write_relations(experiment, relations, variants, metrics)
        return experiment

    @staticmethod
    def _write_relations(experiment, relations, variants, metrics):
        for name, values in relations.items():
            getattr(experiment, name).set(values)
        if variants is not None:
            experiment.variants.all().delete()
            Variant.objects.bulk_create(Variant(experiment=experiment, **row) for row in variants)
        if metrics is not None:
            experiment.metrics.all().delete()
            ExperimentMetric.objects.bulk_create(ExperimentMetric(experiment=experiment, **row) for row in metrics)
        # Drop caches filled before the rows changed (prefetch or earlier reads).
        getattr(experiment, "_prefetched_objects_cache", {}).clear()
