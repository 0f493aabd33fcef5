"""Run the shared Django validation rules (experiments.validation) inside DRF serializers."""

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers
from rest_framework.fields import get_error_detail


def run_check(check, *args, field=None, **kwargs):
    """Call `check`; turn its Django ValidationError into DRF's, keyed by field.

    With `field`, the errors for that one field are raised bare, for use in `validate_<field>`.
    """
    try:
        check(*args, **kwargs)
    except DjangoValidationError as exc:
        detail = get_error_detail(exc)
        if field is not None and isinstance(detail, dict):
            detail = detail.get(field, [message for messages in detail.values() for message in messages])
        raise serializers.ValidationError(detail) from exc
