"""The daily checks' records, as the experiment page shows them."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from experiments.models import Check
from experiments.stats.wording import metric_reading


class ReadingSerializer(serializers.Serializer):
    """One metric's result read the one way every page reads it (experiments.stats.wording)."""

    metric = serializers.CharField(help_text="The metric's key.")
    treatment = serializers.CharField(help_text="The treatment arm compared with control.")
    role = serializers.CharField(help_text="success or guardrail.")
    status = serializers.CharField(help_text="The metric's status at this look (e.g. harm, superior, undecided).")
    change = serializers.FloatField(
        allow_null=True, help_text="Treatment minus control in the metric's own units (a rise is positive)."
    )
    interval = serializers.ListField(
        child=serializers.FloatField(),
        allow_null=True,
        min_length=2,
        max_length=2,
        help_text="The interval of the test that decides the status, treatment minus control, low to high.",
    )
    interval_level = serializers.FloatField(
        allow_null=True, help_text="Its level: the harm test's when the metric stopped the experiment."
    )
    unit = serializers.CharField(allow_blank=True, help_text="The change's unit: points, NPS points, %, minutes…")
    lower_is_better = serializers.BooleanField()
    meaning = serializers.CharField(allow_blank=True, help_text="better, worse, or empty when unchanged.")
    text = serializers.CharField(help_text='The change in words, e.g. "2.54 points higher: worse".')
    interval_text = serializers.CharField(
        help_text='e.g. "98% interval +0.45 to +4.63 points"; empty without one.', allow_blank=True
    )
    control_value = serializers.FloatField(allow_null=True, help_text="The control arm's rate (%), mean or NPS.")
    treatment_value = serializers.FloatField(allow_null=True, help_text="The treatment arm's rate (%), mean or NPS.")


def readings(result: dict) -> list[dict]:
    out = []
    for m in (result or {}).get("metrics") or []:
        reading = metric_reading(m)
        out.append(
            {
                "metric": m.get("metric", ""),
                "treatment": m.get("treatment", ""),
                "role": m.get("role", ""),
                "status": m.get("status", ""),
                "change": reading.change,
                "interval": list(reading.interval) if reading.interval else None,
                "interval_level": reading.level,
                "unit": reading.unit,
                "lower_is_better": reading.lower_is_better,
                "meaning": reading.meaning,
                "text": reading.amount_text,
                "interval_text": reading.interval_phrase,
                "control_value": m.get("control_value"),
                "treatment_value": m.get("treatment_value"),
            }
        )
    return out


class CheckSerializer(serializers.ModelSerializer):
    result = serializers.JSONField(
        read_only=True,
        help_text=(
            "The statistics engine's full result: per metric estimate, interval, boundary, status; the SRM test; the "
            "decision. Its estimate and interval are oriented so that positive means better; `readings` gives them as "
            "every page shows them."
        ),
    )
    units = serializers.JSONField(read_only=True, help_text="Units counted per arm for this look.")
    sentence = serializers.CharField(
        source="display_sentence",
        read_only=True,
        help_text="What the check said, in the request's language (the person's, or Accept-Language).",
    )
    readings = serializers.SerializerMethodField(
        help_text="Per metric and treatment: the change (treatment minus control) and its interval, as the pages show."
    )

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
            "readings",
            "result",
        ]
        read_only_fields = fields

    @extend_schema_field(ReadingSerializer(many=True))
    def get_readings(self, check: Check) -> list[dict]:
        return readings(check.result)
