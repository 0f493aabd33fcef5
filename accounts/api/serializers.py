from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from accounts.models import ApiToken


class PasswordLoginSerializer(serializers.Serializer):
    username = serializers.CharField()
    password = serializers.CharField(trim_whitespace=False, write_only=True, style={"input_type": "password"})
    name = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=100,
        help_text=_("What the token is for (shown in your token list)."),
    )


class NewTokenSerializer(serializers.Serializer):
    name = serializers.CharField(required=False, allow_blank=True, max_length=100)


class IssuedTokenSerializer(serializers.Serializer):
    """The token itself, shown this once: only its digest is stored."""

    id = serializers.IntegerField()
    token = serializers.CharField()
    expires_at = serializers.DateTimeField()


class ApiTokenSerializer(serializers.ModelSerializer):
    status = serializers.ChoiceField(choices=["active", "expired", "revoked"])

    class Meta:
        model = ApiToken
        fields = ["id", "name", "prefix", "created_at", "expires_at", "last_used_at", "revoked_at", "status"]
