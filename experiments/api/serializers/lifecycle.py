"""Transition requests, refusals and the timeline."""

from rest_framework import serializers

from experiments.api.fields import StrictBooleanField, outcome_field
from experiments.lifecycle import MOVES
from experiments.models import ExperimentEvent


class TransitionRequestSerializer(serializers.Serializer):
    # A plain string, not a choice: lifecycle.transition refuses unknown actions with its own message.
    action = serializers.CharField(help_text=f"One of: {', '.join(MOVES)}.")
    reason = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="Needed to reject, request changes or stop."
    )
    outcome = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="Needed to conclude: won, lost, inconclusive or invalid.",
    )
    lesson = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="Stop and conclude: what we learned. Required to stop, to conclude as lost or invalid, and to "
        "conclude a stopped experiment, unless it has a lesson already.",
    )
    lesson_differently = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="Stop and conclude: what we would do differently."
    )
    acknowledge_plan = StrictBooleanField(
        required=False,
        default=False,
        help_text="Approve: true says you approve a plan the calculator calls infeasible knowing its verdict "
        "(the same acknowledgement as the approvals inbox's).",
    )


class ProblemSerializer(serializers.Serializer):
    field = serializers.CharField()
    message = serializers.CharField()


class RefusalProblemSerializer(serializers.Serializer):
    field = serializers.CharField(
        allow_null=True, allow_blank=True, help_text='The input at fault, dotted when nested ("metrics.0.effect").'
    )
    message = serializers.CharField()


class RefusalSerializer(serializers.Serializer):
    """Every API error (experiments.api.exceptions)."""

    detail = serializers.CharField(help_text="Why, for the person who asked.")
    code = serializers.CharField(help_text="The kind of refusal, e.g. invalid, not_found, permission_denied.")
    problems = RefusalProblemSerializer(many=True, help_text="One row per input at fault; may be empty.")


class EventSerializer(serializers.ModelSerializer):
    # Plain strings: the status enum is documented once, on the experiment.
    from_status = serializers.CharField(read_only=True, help_text="Experiment status before; empty on creation.")
    to_status = serializers.CharField(read_only=True, help_text="Experiment status after.")
    outcome = outcome_field()
    actor = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True, help_text="Empty when the scheduler acted."
    )

    class Meta:
        model = ExperimentEvent
        fields = ["action", "from_status", "to_status", "outcome", "actor", "reason", "created_at"]
        read_only_fields = fields
