"""Overrides of a check's verdict, and the verdict itself (experiments.verdicts, experiments.overrides)."""

from rest_framework import serializers

from experiments.models import Override
from experiments.overrides import OVERRIDE_OUTCOMES


class OverrideSerializer(serializers.ModelSerializer):
    disputed_check = serializers.DateField(
        source="disputed_check.look_date", read_only=True, help_text="Look date of the check disagreed with."
    )
    requested_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    answered_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)

    class Meta:
        model = Override
        fields = [
            "id",
            "disputed_check",
            "outcome",
            "reason",
            "status",
            "requested_by",
            "requested_at",
            "answered_by",
            "answered_at",
            "answer_reason",
        ]
        read_only_fields = fields


class OverrideRequestSerializer(serializers.Serializer):
    # Plain strings: experiments.overrides refuses with its own field-named messages.
    outcome = serializers.CharField(
        help_text=f"The outcome wanted instead of the check's: one of {', '.join(OVERRIDE_OUTCOMES)}."
    )
    reason = serializers.CharField(allow_blank=True, help_text="Required: why the check's verdict is wrong.")


class OverrideAnswerSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="", help_text="Required to decline.")


class StoppingCheckSerializer(serializers.Serializer):
    look_date = serializers.DateField()
    day = serializers.CharField()
    outcome = serializers.CharField(help_text="lost (harm) or invalid (sample ratio mismatch or untrustworthy data).")
    why = serializers.CharField()


class OverrideSummarySerializer(serializers.Serializer):
    outcome = serializers.CharField()
    outcome_label = serializers.CharField()
    reason = serializers.CharField()
    status = serializers.CharField()
    requested_by = serializers.CharField()
    requested_on = serializers.CharField()
    answered_by = serializers.CharField()
    answered_on = serializers.CharField()
    answer_reason = serializers.CharField()


class VerdictSerializer(serializers.Serializer):
    outcome = serializers.CharField(help_text="The outcome given; empty until concluded.")
    outcome_label = serializers.CharField()
    stopped_by_check = StoppingCheckSerializer(
        allow_null=True, help_text="The check whose stop binds the verdict, if any."
    )
    override = OverrideSummarySerializer(allow_null=True, help_text="The latest override on that check.")
    follows_record = serializers.BooleanField(
        help_text="False when the outcome given is one the checks' record forbids."
    )
    runtime_days = serializers.IntegerField(
        allow_null=True, help_text="Days it really ran, start to stop; null if never started."
    )
    allowed_outcomes = serializers.ListField(
        child=serializers.CharField(), help_text="Outcomes a person may conclude now."
    )
