"""Approval requests, decisions, amendments and notifications as the API shows and accepts them."""

from decimal import Decimal
from django.utils.translation import gettext as _

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from experiments.api.fields import StrictBooleanField

from approvals import slots as slot_rules
from approvals.models import ApprovalRequest, Decision, Notification, RequestComment
from approvals.acknowledgement import plan_verdict
from approvals.snapshots import AMENDABLE
from approvals.views.evidence import request_diff
from experiments.api.serializers import PlanSerializer
from experiments.api.serializers.policy import OverlapSerializer
from experiments.models import EffectUnit, MetricRole

VERDICTS = [choice for choice, _ in Decision.Verdict.choices]


class SlotSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField(help_text="Who fills it, for people.")
    kind = serializers.CharField(help_text="named_approver, touchpoint_owner or role.")


class DiffRowSerializer(serializers.Serializer):
    field = serializers.CharField()
    label = serializers.CharField()
    before = serializers.CharField(help_text="In the approved contract.")
    after = serializers.CharField(help_text="As the amendment asks.")


class DecisionSerializer(serializers.ModelSerializer):
    experiment = serializers.CharField(source="request.experiment.key", read_only=True)
    kind = serializers.CharField(source="request.kind", read_only=True, help_text="proposal, amendment or restart.")
    snapshot = serializers.IntegerField(
        source="snapshot.number", read_only=True, help_text="The contract's snapshot number."
    )
    approver = serializers.CharField(source="approver.get_username", read_only=True)

    class Meta:
        model = Decision
        fields = [
            "id",
            "request",
            "experiment",
            "kind",
            "snapshot",
            "approver",
            "slot",
            "verdict",
            "comment",
            "created_at",
        ]
        read_only_fields = fields


class CommentSerializer(serializers.ModelSerializer):
    author = serializers.CharField(source="author.get_username", read_only=True)

    class Meta:
        model = RequestComment
        fields = ["id", "request", "author", "body", "created_at"]
        read_only_fields = ["id", "request", "author", "created_at"]


class CommentCreateSerializer(serializers.Serializer):
    body = serializers.CharField(help_text="Your question or answer; a comment decides nothing.")


class ApprovalRequestSerializer(serializers.ModelSerializer):
    # Plain strings: "kind" and "status" enums already name other things in the schema.
    kind = serializers.CharField(read_only=True, help_text="proposal, amendment or restart.")
    status = serializers.CharField(
        read_only=True, help_text="open, approved, rejected, changes_requested, withdrawn or superseded."
    )
    experiment = serializers.CharField(source="experiment.key", read_only=True)
    experiment_title = serializers.CharField(source="experiment.title", read_only=True)
    snapshot = serializers.IntegerField(source="snapshot.number", read_only=True)
    base_snapshot = serializers.IntegerField(
        source="base_snapshot.number",
        read_only=True,
        allow_null=True,
        help_text="Amendments and restarts: the approved contract.",
    )
    opened_by = serializers.CharField(source="opened_by.get_username", read_only=True, allow_null=True)
    waiting_on = serializers.SerializerMethodField(help_text="Slots not yet filled by an approval.")
    diff = serializers.SerializerMethodField(
        help_text="Amendments: the change against the approved contract; a resubmission: against the version "
        "its last decision was on."
    )
    decisions = DecisionSerializer(many=True, read_only=True)
    comments = CommentSerializer(many=True, read_only=True)

    class Meta:
        model = ApprovalRequest
        fields = [
            "id",
            "experiment",
            "experiment_title",
            "kind",
            "status",
            "reason",
            "snapshot",
            "base_snapshot",
            "opened_by",
            "opened_at",
            "closed_at",
            "escalated_at",
            "waiting_on",
            "diff",
            "decisions",
            "comments",
        ]
        read_only_fields = fields

    @extend_schema_field(SlotSerializer(many=True))
    def get_waiting_on(self, request):
        if request.status != ApprovalRequest.State.OPEN:
            return []
        return SlotSerializer(slot_rules.waiting_on(request), many=True).data

    @extend_schema_field(DiffRowSerializer(many=True))
    def get_diff(self, request):
        # A list's page brought the decisions before each request (ApprovalRequestViewSet); one alone asks.
        return DiffRowSerializer(request_diff(request, getattr(request, "earlier_decisions", None)), many=True).data


class InboxItemSerializer(ApprovalRequestSerializer):
    """A request waiting for you, with the evidence to decide it."""

    hypothesis = serializers.CharField(source="experiment.hypothesis_sentence", read_only=True)
    touchpoints = serializers.SerializerMethodField()
    segments = serializers.SerializerMethodField()
    exposure_cap_pct = serializers.DecimalField(
        source="experiment.exposure_cap_pct", max_digits=5, decimal_places=2, read_only=True
    )
    planned_start = serializers.DateField(source="experiment.planned_start", read_only=True)
    planned_end = serializers.DateField(source="experiment.planned_end", read_only=True)
    risk_flags = serializers.SerializerMethodField(help_text="Sensitive categories (AI, personal data, price…).")
    plan = PlanSerializer(source="evidence.plan", read_only=True, allow_null=True)
    plan_error = serializers.CharField(source="evidence.plan_error", read_only=True)
    overlapping = OverlapSerializer(
        source="evidence.overlapping",
        many=True,
        read_only=True,
        help_text="The first 10 overlapping experiments, starting soonest (all: /api/experiments/{key}/policy/).",
    )
    more_overlapping = serializers.BooleanField(
        source="evidence.more_overlapping", read_only=True, help_text="More overlap than the 10 listed."
    )
    plan_verdict = serializers.SerializerMethodField(help_text="The plan's verdict in a sentence (fits or too short).")
    needs_acknowledgement = serializers.BooleanField(
        source="evidence.needs_acknowledgement",
        read_only=True,
        help_text="The plan is infeasible: approving needs acknowledge_plan=true.",
    )
    last_decision = DecisionSerializer(
        source="evidence.last_decision",
        read_only=True,
        allow_null=True,
        help_text="A resubmission: the decision it comes back from (the diff is against its snapshot).",
    )
    my_last_request = DecisionSerializer(
        source="evidence.my_last_request",
        read_only=True,
        allow_null=True,
        help_text="Your own latest verdict with a comment on an earlier request of this experiment.",
    )

    class Meta(ApprovalRequestSerializer.Meta):
        fields = ApprovalRequestSerializer.Meta.fields + [
            "hypothesis",
            "touchpoints",
            "segments",
            "exposure_cap_pct",
            "planned_start",
            "planned_end",
            "risk_flags",
            "plan",
            "plan_error",
            "overlapping",
            "more_overlapping",
            "plan_verdict",
            "needs_acknowledgement",
            "last_decision",
            "my_last_request",
        ]
        read_only_fields = fields

    @extend_schema_field(DiffRowSerializer(many=True))
    def get_diff(self, request):
        return DiffRowSerializer(request.evidence.diff, many=True).data

    def get_plan_verdict(self, request) -> str:
        return plan_verdict(request.evidence.plan, request.evidence.plan_error)

    def get_touchpoints(self, request) -> list[str]:
        return [t.key for t in request.experiment.touchpoints.all()]

    def get_segments(self, request) -> list[str]:
        return [s.key for s in request.experiment.segments.all()]

    def get_risk_flags(self, request) -> list[str]:
        return [c.key for c in request.experiment.sensitive_categories.all()]


class DecideSerializer(serializers.Serializer):
    verdict = serializers.ChoiceField(choices=VERDICTS)
    comment = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="Required to reject or request changes."
    )
    acknowledge_plan = StrictBooleanField(
        required=False,
        default=False,
        help_text="To approve a plan the calculator calls infeasible (too short, or no plan can be made: the "
        "inbox item's needs_acknowledgement): true says you approve knowing its verdict.",
    )

    def validate(self, data):
        if data["verdict"] != Decision.Verdict.APPROVE and not data["comment"].strip():
            raise serializers.ValidationError(
                {"comment": ["Say why: rejecting or requesting changes needs a comment."]}
            )
        return data


class AmendmentMetricSerializer(serializers.Serializer):
    metric = serializers.CharField(help_text="Metric key.")
    role = serializers.ChoiceField(choices=MetricRole.choices)
    effect_unit = serializers.ChoiceField(choices=EffectUnit.choices, default=EffectUnit.ABSOLUTE)
    minimum_detectable_effect = serializers.FloatField(required=False, allow_null=True, default=None)
    non_inferiority_margin = serializers.FloatField(required=False, allow_null=True, default=None)
    baseline_rate = serializers.FloatField(required=False, allow_null=True, default=None)
    baseline_mean = serializers.FloatField(required=False, allow_null=True, default=None)
    baseline_sd = serializers.FloatField(required=False, allow_null=True, default=None)

    def validate(self, row):
        needed = "minimum_detectable_effect" if row["role"] == MetricRole.SUCCESS else "non_inferiority_margin"
        if row.get(needed) is None or row[needed] <= 0:
            raise serializers.ValidationError({needed: _("A positive number for this metric's role.")})
        return row


class AmendmentCreateSerializer(serializers.Serializer):
    """Only the parts you change; the rest of the approved contract stays as it is."""

    touchpoints = serializers.ListField(child=serializers.CharField(), required=False, help_text="Touchpoint keys.")
    segments = serializers.ListField(
        child=serializers.CharField(), required=False, help_text="Segment keys; empty means all customers."
    )
    exposure_cap_pct = serializers.DecimalField(
        max_digits=5, decimal_places=2, min_value=Decimal("0.01"), max_value=100, required=False
    )
    planned_start = serializers.DateField(required=False)
    planned_end = serializers.DateField(required=False)
    metrics = AmendmentMetricSerializer(many=True, required=False, help_text="The complete new list of metrics.")
    reason = serializers.CharField(help_text="Why the change; the approvers read it first.")

    def validate(self, data):
        if not any(field in data for field in AMENDABLE):
            raise serializers.ValidationError(
                {"non_field_errors": ["Name at least one of: " + ", ".join(AMENDABLE) + "."]}
            )
        return data

    def changes(self) -> dict:
        data, changes = self.validated_data, {}
        for field in AMENDABLE:
            if field not in data:
                continue
            value = data[field]
            if field in ("planned_start", "planned_end"):
                value = value.isoformat()
            elif field == "exposure_cap_pct":
                value = str(value)
            elif field == "metrics":
                value = [dict(row) for row in value]
            changes[field] = value
        return changes


class RestartRequestSerializer(serializers.Serializer):
    reason = serializers.CharField(help_text="Why it is safe to run again.")


class NotificationSerializer(serializers.ModelSerializer):
    kind = serializers.CharField(read_only=True, help_text=", ".join(Notification.Kind.values) + ".")
    experiment = serializers.CharField(source="experiment.key", read_only=True, allow_null=True, default=None)
    link = serializers.CharField(read_only=True, help_text="The page the notice is about.")
    unread = serializers.SerializerMethodField()

    class Meta:
        model = Notification
        fields = ["id", "kind", "experiment", "request", "message", "link", "created_at", "read_at", "unread"]
        read_only_fields = fields

    def get_unread(self, notification) -> bool:
        return notification.read_at is None
