"""An ended experiment's lesson in the API (experiments.lessons is the rule)."""

from rest_framework import serializers

from experiments.models import LESSON_MAX_CHARS


class LessonStateSerializer(serializers.Serializer):
    learned = serializers.CharField(help_text="What we learned; empty when none is written yet.")
    differently = serializers.CharField(help_text="What we would do differently; may be empty.")
    recorded_by = serializers.CharField(allow_null=True, help_text="Who wrote it last (username); empty: none yet.")
    updated_at = serializers.DateTimeField(allow_null=True)
    missing = serializers.BooleanField(
        help_text="True when the ending needs a lesson (stopped, lost, invalid) and none is written: "
        "a check ended it, and its authors are asked to add one."
    )
    may_edit = serializers.BooleanField(help_text="Whether you may write or correct it (its authors, once ended).")


class LessonWriteSerializer(serializers.Serializer):
    # The names the transition takes too; experiments.lessons refuses empty or too long text itself.
    lesson = serializers.CharField(
        allow_blank=True, trim_whitespace=False, help_text=f"What we learned (at most {LESSON_MAX_CHARS} characters)."
    )
    lesson_differently = serializers.CharField(
        required=False, allow_blank=True, default="", trim_whitespace=False, help_text="What we would do differently."
    )
