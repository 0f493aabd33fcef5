"""The guardrail-policy report of one experiment."""

from rest_framework import serializers

from experiments.api.serializers.lifecycle import ProblemSerializer


class OverlapSerializer(serializers.Serializer):
    key = serializers.CharField()
    title = serializers.CharField()
    status = serializers.CharField()
    planned_start = serializers.DateField()
    planned_end = serializers.DateField()


class PolicyReportSerializer(serializers.Serializer):
    problems = ProblemSerializer(many=True, help_text="Must be empty before the experiment can be submitted.")
    overlapping = OverlapSerializer(many=True, help_text="Approved or running experiments on the same scope and dates.")


class NamedMetricSerializer(serializers.Serializer):
    key = serializers.CharField()
    name = serializers.CharField()


class PolicyTouchpointSerializer(serializers.Serializer):
    key = serializers.CharField()
    name = serializers.CharField()
    mandatory_guardrails = NamedMetricSerializer(many=True, help_text="Guardrails every experiment on it must carry.")


class PolicySensitiveCategorySerializer(serializers.Serializer):
    key = serializers.CharField()
    name = serializers.CharField()
    description = serializers.CharField()
    adds_approvals = serializers.ListField(child=serializers.CharField(), help_text="Approvals the category adds.")
    guardrail_one_of = NamedMetricSerializer(
        many=True, help_text="An experiment in the category carries at least one of these as a guardrail."
    )
    needs_ai_safeguards = serializers.BooleanField(
        help_text="An experiment in the category states ai_disclosure, human_fallback and bias_note."
    )


class NeverTestAreaSerializer(serializers.Serializer):
    name = serializers.CharField()
    why = serializers.CharField()
    touchpoints = serializers.ListField(
        child=serializers.CharField(), help_text="Touchpoint keys; empty = every touchpoint."
    )
    keywords = serializers.ListField(
        child=serializers.CharField(), help_text="Words or phrases in a title or hypothesis."
    )


class PolicySerializer(serializers.Serializer):
    """experiments.contract.policy_summary: what the one contract check applies."""

    max_duration_days = serializers.IntegerField(help_text="Planned start to planned end, both days counted.")
    max_exposure_pct = serializers.CharField(help_text="Largest exposure cap in percent of eligible traffic.")
    mandatory_guardrails = NamedMetricSerializer(many=True, help_text="Guardrails every experiment must carry.")
    touchpoints = PolicyTouchpointSerializer(many=True)
    sensitive_categories = PolicySensitiveCategorySerializer(many=True)
    never_test = NeverTestAreaSerializer(many=True, help_text="Areas no experiment may touch at all.")
    rules = serializers.ListField(
        child=serializers.CharField(), help_text="The rules in words, in the order they are checked."
    )
    approval_rules = serializers.ListField(
        child=serializers.CharField(),
        help_text="Approvals required beyond the named approver's, per touchpoint or sensitive category.",
    )
