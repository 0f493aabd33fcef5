from django.contrib import admin
from django.utils.translation import gettext_lazy

from experiments import service_keys

from experiments.models import (
    CharterDuty,
    ExperimentResponseOwner,
    Experiment,
    ExperimentEvent,
    ExperimentMetric,
    GuardrailPolicy,
    Metric,
    NeverTestArea,
    Override,
    Rollout,
    Segment,
    SensitiveCategory,
    ServiceKey,
    Status,
    Touchpoint,
    Variant,
)


@admin.register(Metric)
class MetricAdmin(admin.ModelAdmin):
    list_display = ("name", "key", "kind", "direction", "unit", "min_value", "max_value", "is_active")
    list_filter = ("kind", "direction", "is_active")
    search_fields = ("name", "key", "description")
    prepopulated_fields = {"key": ("name",)}


@admin.register(Touchpoint)
class TouchpointAdmin(admin.ModelAdmin):
    list_display = ("name", "key")
    search_fields = ("name", "key")
    filter_horizontal = ("mandatory_guardrails",)
    prepopulated_fields = {"key": ("name",)}


@admin.register(Segment)
class SegmentAdmin(admin.ModelAdmin):
    list_display = ("name", "key")
    search_fields = ("name", "key")
    prepopulated_fields = {"key": ("name",)}


@admin.register(SensitiveCategory)
class SensitiveCategoryAdmin(admin.ModelAdmin):
    list_display = ("name", "key", "needs_standards_keeper", "needs_ai_safeguards")
    prepopulated_fields = {"key": ("name",)}
    filter_horizontal = ("guardrail_one_of",)


@admin.register(NeverTestArea)
class NeverTestAreaAdmin(admin.ModelAdmin):
    """The policy's never-test list: areas no experiment may touch (checked by experiments.contract)."""

    list_display = ("name", "is_active")
    list_filter = ("is_active",)
    search_fields = ("name", "why", "keywords")
    filter_horizontal = ("touchpoints",)


@admin.register(GuardrailPolicy)
class GuardrailPolicyAdmin(admin.ModelAdmin):
    list_display = ("__str__", "updated_at")
    filter_horizontal = ("mandatory_guardrails",)

    def has_add_permission(self, request):
        return not GuardrailPolicy.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False


def in_authors_hands(obj) -> bool:
    """Once submitted, an experiment changes only through the app: an edit reopens its approval,
    an amendment needs one, and its timeline is never deleted."""
    return obj is None or obj.status in (Status.DRAFT, Status.CHANGES_REQUESTED)


class ContractInline(admin.TabularInline):
    extra = 0

    def has_add_permission(self, request, obj=None):
        return in_authors_hands(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return in_authors_hands(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return in_authors_hands(obj) and super().has_delete_permission(request, obj)


class VariantInline(ContractInline):
    model = Variant


class ExperimentMetricInline(ContractInline):
    model = ExperimentMetric


class ExperimentEventInline(admin.TabularInline):
    model = ExperimentEvent
    extra = 0
    can_delete = False
    readonly_fields = ("created_at", "action", "from_status", "to_status", "outcome", "actor", "reason")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Experiment)
class ExperimentAdmin(admin.ModelAdmin):
    """Read-mostly: status changes go through the lifecycle (web or API), never the admin."""

    list_display = ("key", "title", "status", "outcome", "owner", "approver", "planned_start", "planned_end")
    list_filter = ("status", "outcome", "touchpoints")
    search_fields = ("key", "title", "hypothesis_change", "team")
    readonly_fields = ("status", "outcome", "created_at", "updated_at")
    inlines = [VariantInline, ExperimentMetricInline, ExperimentEventInline]
    filter_horizontal = ("touchpoints", "segments", "sensitive_categories", "co_authors")

    def has_change_permission(self, request, obj=None):
        return in_authors_hands(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return in_authors_hands(obj) and super().has_delete_permission(request, obj)


@admin.register(ExperimentEvent)
class ExperimentEventAdmin(admin.ModelAdmin):
    list_display = ("created_at", "experiment", "action", "from_status", "to_status", "actor")
    list_filter = ("action", "to_status")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Override)
class OverrideAdmin(admin.ModelAdmin):
    """Read-only: overrides are filed and answered on the experiment page or the API (experiments.overrides)."""

    list_display = ("requested_at", "experiment", "outcome", "status", "requested_by", "answered_by")
    list_filter = ("status", "outcome")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Rollout)
class RolloutAdmin(admin.ModelAdmin):
    """Read-only: rollouts are made and reverted on the experiment page or the API (experiments.rollouts)."""

    list_display = ("rolled_out_at", "experiment", "variant", "standard", "rolled_out_by", "reverted_at")
    list_filter = ("reverted_at",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ServiceKey)
class ServiceKeyAdmin(admin.ModelAdmin):
    """Keys are made on the Service keys page (the secret is shown there once); here they are
    listed, searched and revoked."""

    list_display = (
        "name",
        "prefix",
        "created_by",
        "touchpoint",
        "can_assign",
        "can_send_data",
        "last_used_at",
        "expires_at",
        "revoked_at",
    )
    list_filter = ("can_assign", "can_send_data", "revoked_at")
    search_fields = ("name", "prefix", "created_by__username", "experiments__key")
    readonly_fields = ("prefix", "created_by", "created_at", "last_used_at", "revoked_at", "revoked_by")
    filter_horizontal = ("experiments",)
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False

    @admin.action(description=gettext_lazy("Revoke the selected keys"))
    def revoke(self, request, queryset):
        for key in queryset.filter(revoked_at__isnull=True):
            service_keys.revoke_key(request.user, key)


class CharterDutyInline(admin.TabularInline):
    """The touchpoint's charter: who designs, builds, operates, updates, owns signals and responds."""

    model = CharterDuty
    extra = 1
    autocomplete_fields = ("user",)


TouchpointAdmin.inlines = [*TouchpointAdmin.inlines, CharterDutyInline]


@admin.register(CharterDuty)
class CharterDutyAdmin(admin.ModelAdmin):
    list_display = ("touchpoint", "duty", "user", "metric")
    list_filter = ("duty", "touchpoint")
    search_fields = ("user__username", "touchpoint__name")
    autocomplete_fields = ("user",)


@admin.register(ExperimentResponseOwner)
class ExperimentResponseOwnerAdmin(admin.ModelAdmin):
    """An experiment's own response owner, in place of its touchpoints' charter."""

    list_display = ("experiment", "user")
    autocomplete_fields = ("user",)
    raw_id_fields = ("experiment",)
