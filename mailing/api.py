"""Your notification preferences as the API shows and accepts them (served under
/api/approvals/notifications/preferences/, beside the notifications they govern)."""

from rest_framework import serializers

from experiments.api.fields import StrictBooleanField
from mailing.models import NotificationPreference


class NotificationPreferenceSerializer(serializers.ModelSerializer):
    email = StrictBooleanField(required=False, help_text="An email for each event, as it happens.")
    in_app = StrictBooleanField(required=False, help_text="A notice on your notifications page for each event.")
    digest = StrictBooleanField(
        required=False,
        help_text="One email a day with what the monitoring checks changed on the experiments you watch.",
    )

    class Meta:
        model = NotificationPreference
        fields = ["email", "in_app", "digest"]
