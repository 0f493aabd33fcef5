"""Rollouts of a won experiment's winning arm (experiments.rollouts)."""

from rest_framework import serializers

from experiments.models import Rollout


class RolloutSerializer(serializers.ModelSerializer):
    variant = serializers.SlugRelatedField(slug_field="key", read_only=True, help_text="The arm served to everyone.")
    standard = serializers.CharField(
        read_only=True, help_text="The standard's code (e.g. S-4) once the review promoted it; empty before."
    )
    rolled_out_by = serializers.SlugRelatedField(
        slug_field="username",
        read_only=True,
        allow_null=True,
        help_text="Empty when the promotion review's decision rolled it out.",
    )
    reverted_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    in_force = serializers.BooleanField(read_only=True, help_text="False once reverted.")

    class Meta:
        model = Rollout
        fields = [
            "id",
            "variant",
            "standard",
            "in_force",
            "reason",
            "rolled_out_by",
            "rolled_out_at",
            "reverted_by",
            "reverted_at",
            "revert_reason",
        ]
        read_only_fields = fields


class RolloutStateSerializer(serializers.Serializer):
    serving = serializers.CharField(
        help_text="The arm customers in scope now get: the rolled-out arm, or control when nothing is rolled out."
    )
    rollout = RolloutSerializer(allow_null=True, help_text="The rollout in force, if any.")
    may_roll_out = serializers.BooleanField(help_text="You may roll the winning arm out now.")
    may_revert = serializers.BooleanField(help_text="You may revert the rollout in force now.")
    refusal = serializers.CharField(
        allow_blank=True, help_text="Why you may not roll out now (the rule, in words); empty when you may."
    )
    history = RolloutSerializer(many=True, help_text="Every rollout, oldest first, reverted ones included.")


class RolloutRequestSerializer(serializers.Serializer):
    # Plain strings: experiments.rollouts refuses an unknown arm with its own field-named message.
    variant = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="The winning arm's key; may be left out when the experiment has one treatment arm.",
    )
    reason = serializers.CharField(required=False, allow_blank=True, default="", help_text="Optional: why.")


class RolloutRevertSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="", help_text="Optional: why.")
