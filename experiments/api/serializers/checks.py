"""The daily checks' records, as the experiment page shows them."""

from rest_framework import serializers

from experiments.models import Check


class CheckSerializer(serializers.ModelSerializer):
    result = serializers.JSONField(
        read_only=True,
        help_text=(
            "The statistics engine's full result: per metric estimate, interval, boundary, status; the SRM test; the "
            "decision."
        ),
    )
    units = serializers.JSONField(read_only=True, help_text="Units counted per arm for this look.")

    class Meta:
        model = Check
        fields = [
            "look_date",
            "look",
            "action",
            "outcome",
            "sentence",
            "information_fraction",
            "days_elapsed",
            "final",
            "units",
            "data_through",
            "trigger",
            "created_at",
            "result",
        ]
        read_only_fields = fields
