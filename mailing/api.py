"""Your notification preferences as the API shows and accepts them (served under
/api/approvals/notifications/preferences/, beside the notifications they govern)."""

from rest_framework import serializers

from mailing.models import NotificationPreference


class NotificationPreferenceSerializer(serializers.ModelSerializer):
    class Meta:
        model = NotificationPreference
        fields = ["email", "in_app", "digest"]
