"""Service keys as the API shows them (never the secret, except once in the answer to a create)."""

from rest_framework import serializers

from experiments.models import ServiceKey, ServiceKeyAction


class ServiceKeySerializer(serializers.ModelSerializer):
    experiments = serializers.SlugRelatedField(slug_field="key", many=True, read_only=True)
    touchpoint = serializers.SlugRelatedField(slug_field="key", read_only=True, allow_null=True)
    actions = serializers.SerializerMethodField()
    state = serializers.SerializerMethodField()

    class Meta:
        model = ServiceKey
        fields = [
            "prefix",
            "name",
            "experiments",
            "touchpoint",
            "actions",
            "state",
            "created_at",
            "expires_at",
            "last_used_at",
            "revoked_at",
        ]

    def get_actions(self, key) -> list[str]:
        return [str(action) for action in key.actions()]

    def get_state(self, key) -> str:
        return "revoked" if key.is_revoked else "expired" if key.is_expired() else "active"


class ServiceKeyCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    experiments = serializers.ListField(
        child=serializers.SlugField(),
        required=False,
        default=list,
        help_text="Experiment keys (you must author each); or give a touchpoint.",
    )
    touchpoint = serializers.SlugField(
        required=False, allow_blank=True, help_text="A touchpoint key (administrators only)."
    )
    actions = serializers.ListField(child=serializers.ChoiceField(choices=ServiceKeyAction.choices), min_length=1)
    expires_at = serializers.DateTimeField(required=False, help_text="Default: SERVICE_KEY_DAYS from now.")


class ServiceKeyCreatedSerializer(ServiceKeySerializer):
    secret = serializers.SerializerMethodField(help_text="Shown this once: store it now; Pagar keeps only its hash.")

    class Meta(ServiceKeySerializer.Meta):
        fields = [*ServiceKeySerializer.Meta.fields, "secret"]

    def get_secret(self, key) -> str:
        return self.context["secret"]
