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
