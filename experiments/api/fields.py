"""Field declarations shared by the experiment and calculator serializers."""

from decimal import Decimal

from rest_framework import serializers

from experiments.models import Outcome


def exposure_cap_field(**kwargs):
    # Declared rather than generated: the model's float MinValueValidator(0.01) makes DRF warn
    # on a DecimalField; the bounds are the same.
    return serializers.DecimalField(
        max_digits=5,
        decimal_places=2,
        min_value=Decimal("0.01"),
        max_value=Decimal("100"),
        help_text="Largest share of eligible traffic that may enter the experiment, in percent.",
        **kwargs,
    )


def outcome_field():
    """An experiment's (or event's) outcome as read: one of the outcomes, or "" until concluded."""
    return serializers.ChoiceField(
        choices=Outcome.choices, allow_blank=True, read_only=True, help_text="Empty until the experiment is concluded."
    )


class StrictBooleanField(serializers.BooleanField):
    """JSON true or false only: the OpenAPI document says boolean, so 0, 1, "yes" and "on" are
    refused naming the field, not read as a choice the caller may not have meant."""

    default_error_messages = {"invalid": "Must be true or false."}

    def to_internal_value(self, data):
        if isinstance(data, bool):
            return data
        self.fail("invalid")
