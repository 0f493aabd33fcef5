"""/api/approvals/: the inbox, deciding, amendments, restarts, decision records and notifications.

Experiments are looked up through the guarded base (experiments.access): 404 when you may not see
one. Requests are found only among experiments you may see. Refusals from approvals.services are
domain errors, answered by the one API exception handler (experiments.api.exceptions) with their
status: 400 bad input, 403 not yours to decide, 409 someone decided first or wrong status.
"""

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response
from rest_framework.generics import ListAPIView

from approvals import services
from approvals.export import decisions_csv
from approvals.models import ApprovalRequest, Decision, Notification
from approvals.api.serializers import (
    AmendmentCreateSerializer,
    ApprovalRequestSerializer,
    CommentCreateSerializer,
    CommentSerializer,
    DecideSerializer,
    DecisionSerializer,
    DiffRowSerializer,
    InboxItemSerializer,
    NotificationSerializer,
    RestartRequestSerializer,
)
from experiments.api.serializers import RefusalSerializer
from mailing.api import NotificationPreferenceSerializer
from mailing.preferences import preferences_for
from approvals.views.evidence import earlier_decisions, evidence_for_page, request_diff
from approvals.access import may_export_all
from approvals.views.waiting import comments_prefetch, decisions_prefetch, preloaded_for_cards, waiting_requests
from experiments import access
from experiments.api.views.guarded import GuardedExperimentViewSet

NOT_FOUND = OpenApiResponse(OpenApiTypes.OBJECT, description="Nothing with this id or key that you may see.")
REFUSED = {
    400: OpenApiResponse(
        RefusalSerializer,
        description="Missing comment or reason, invalid values, or an infeasible plan approved without "
        "acknowledge_plan (code plan_not_acknowledged, problem field acknowledge_plan).",
    ),
    403: OpenApiResponse(
        RefusalSerializer, description="Not yours to do (authors never decide on their own experiment)."
    ),
    404: NOT_FOUND,
    409: OpenApiResponse(
        RefusalSerializer, description="Someone decided first, you already did, or the status does not allow it."
    ),
}
CSV = OpenApiResponse(OpenApiTypes.STR, description="text/csv: one row per decision.")
REQUEST_RELATED = ("experiment", "snapshot", "base_snapshot", "opened_by")


def csv_response(text: str, filename: str) -> HttpResponse:
    response = HttpResponse(text, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class InboxView(ListAPIView):
    """Paginated like every list: the waiting ids (oldest first) are paged, and only one page of
    requests is loaded, with the evidence gathered for the page at once."""

    serializer_class = InboxItemSerializer
    filter_backends = []  # the page is a list of ids, not a queryset to filter

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ApprovalRequest.objects.none()
        return waiting_requests(self.request.user).values_list("pk", flat=True)

    @extend_schema(summary="Requests waiting for your decision, oldest first, with the evidence to decide them")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def paginate_queryset(self, queryset):
        ids = super().paginate_queryset(queryset)
        page = list(preloaded_for_cards(list(ids)))
        for item, evidence in zip(page, evidence_for_page(page, viewer=self.request.user), strict=True):
            item.evidence = evidence
        return page


@extend_schema_view(
    list=extend_schema(
        summary="Approval requests on experiments you may see",
        parameters=[
            OpenApiParameter("status", str, enum=ApprovalRequest.State.values),
            OpenApiParameter("kind", str, enum=ApprovalRequest.Kind.values),
        ],
    ),
    retrieve=extend_schema(
        summary="One approval request with its decisions", responses={200: ApprovalRequestSerializer, 404: NOT_FOUND}
    ),
)
class ApprovalRequestViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = ApprovalRequestSerializer
    filterset_fields = ["status", "kind"]

    def get_queryset(self):
        return (
            ApprovalRequest.objects.filter(experiment__in=access.visible_experiments(self.request.user))
            .select_related(*REQUEST_RELATED)
            .prefetch_related(decisions_prefetch(), comments_prefetch())
        )

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        if page is not None:
            # A resubmission's diff needs the decisions before it: one query for the page, not one a row.
            earlier = earlier_decisions(page)
            for approval_request in page:
                approval_request.earlier_decisions = earlier.get(approval_request.experiment_id, [])
        return page

    @extend_schema(
        summary="Approve, reject or request changes",
        request=DecideSerializer,
        responses={200: ApprovalRequestSerializer, **REFUSED},
    )
    @action(detail=True, methods=["post"], serializer_class=DecideSerializer)
    def decide(self, request, pk=None):
        approval_request = self.get_object()
        body = DecideSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.decide(
            approval_request,
            request.user,
            body.validated_data["verdict"],
            body.validated_data["comment"],
            acknowledged_plan=body.validated_data["acknowledge_plan"],
        )
        fresh = self.get_queryset().get(pk=approval_request.pk)
        return Response(ApprovalRequestSerializer(fresh).data)

    @extend_schema(
        methods=["get"],
        summary="The request's discussion, oldest first",
        responses={200: CommentSerializer(many=True), 404: NOT_FOUND},
    )
    @extend_schema(
        methods=["post"],
        summary="Add to the discussion (authors and this request's approvers)",
        request=CommentCreateSerializer,
        responses={201: CommentSerializer, **REFUSED},
    )
    @action(detail=True, methods=["get", "post"], pagination_class=None, filter_backends=[])
    def comments(self, request, pk=None):
        approval_request = self.get_object()
        if request.method == "GET":
            return Response(CommentSerializer(approval_request.comments.select_related("author"), many=True).data)
        body = CommentCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        comment = services.add_comment(approval_request, request.user, body.validated_data["body"])
        return Response(CommentSerializer(comment).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="An amendment's change against the approved contract",
        responses={200: DiffRowSerializer(many=True), 404: NOT_FOUND},
    )
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def diff(self, request, pk=None):
        return Response(DiffRowSerializer(request_diff(self.get_object()), many=True).data)


class ExperimentApprovalsViewSet(GuardedExperimentViewSet):
    """/api/approvals/experiments/<key>/…: one experiment's amendments, restart and decisions."""

    def _requests(self, experiment, kind):
        return (
            experiment.approval_requests.filter(kind=kind)
            .select_related(*REQUEST_RELATED)
            .prefetch_related(decisions_prefetch(), comments_prefetch())
        )

    @extend_schema(
        methods=["get"],
        summary="The experiment's amendments, newest first",
        responses={200: ApprovalRequestSerializer(many=True), 404: NOT_FOUND},
    )
    @extend_schema(
        methods=["post"],
        summary="Ask to change scope, exposure, duration or metrics (authors only)",
        request=AmendmentCreateSerializer,
        responses={201: ApprovalRequestSerializer, **REFUSED},
    )
    @action(detail=True, methods=["get", "post"], pagination_class=None)
    def amendments(self, request, key=None):
        experiment = self.get_object()
        if request.method == "GET":
            return Response(
                ApprovalRequestSerializer(self._requests(experiment, ApprovalRequest.Kind.AMENDMENT), many=True).data
            )
        body = AmendmentCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        opened = services.request_amendment(
            experiment, request.user, body.changes(), reason=body.validated_data["reason"]
        )
        fresh = self._requests(experiment, ApprovalRequest.Kind.AMENDMENT).get(pk=opened.pk)
        return Response(ApprovalRequestSerializer(fresh).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Ask to run a stopped experiment again (authors or signal owners)",
        request=RestartRequestSerializer,
        responses={201: ApprovalRequestSerializer, **REFUSED},
    )
    @action(detail=True, methods=["post"])
    def restart(self, request, key=None):
        experiment = self.get_object()
        body = RestartRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        opened = services.request_restart(experiment, request.user, body.validated_data["reason"])
        fresh = self._requests(experiment, ApprovalRequest.Kind.RESTART).get(pk=opened.pk)
        return Response(ApprovalRequestSerializer(fresh).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Every decision on the experiment, oldest first",
        responses={200: DecisionSerializer(many=True), 404: NOT_FOUND},
    )
    @action(detail=True, methods=["get"], pagination_class=None)
    def decisions(self, request, key=None):
        experiment = self.get_object()
        rows = Decision.objects.filter(request__experiment=experiment).select_related(
            "approver", "snapshot", "request__experiment"
        )
        return Response(DecisionSerializer(rows, many=True).data)

    @extend_schema(summary="The experiment's decisions as CSV", responses={(200, "text/csv"): CSV, 404: NOT_FOUND})
    @action(detail=True, methods=["get"], url_path="decisions/csv", pagination_class=None)
    def decisions_csv(self, request, key=None):
        experiment = self.get_object()
        return csv_response(
            decisions_csv(Decision.objects.filter(request__experiment=experiment)), f"{experiment.key}-decisions.csv"
        )


class AllDecisionsViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Every decision on every experiment: standards keepers and superusers only."""

    serializer_class = DecisionSerializer
    filterset_fields = ["verdict"]

    def check_permissions(self, request):
        super().check_permissions(request)
        if not may_export_all(request.user):
            raise PermissionDenied(_("Only standards keepers may read every decision."))

    def get_queryset(self):
        return Decision.objects.select_related("approver", "snapshot", "request__experiment").order_by(
            "created_at", "pk"
        )

    @extend_schema(
        summary="Every decision (standards keepers)",
        responses={200: DecisionSerializer(many=True), 403: RefusalSerializer},
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(
        summary="Every decision as CSV (standards keepers)", responses={(200, "text/csv"): CSV, 403: RefusalSerializer}
    )
    @action(detail=False, methods=["get"], pagination_class=None)
    def csv(self, request):
        return csv_response(
            decisions_csv(self.get_queryset()), f"pagar-decisions-{timezone.localdate().isoformat()}.csv"
        )


@extend_schema_view(
    list=extend_schema(
        summary="Your notifications, newest first",
        parameters=[OpenApiParameter("unread", bool, description="Only unread ones.")],
    )
)
class NotificationViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = NotificationSerializer
    queryset = Notification.objects.none()  # the schema generator's hint; get_queryset is what runs
    filterset_class = None

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        # Only your own: anyone else's notification answers 404.
        mine = Notification.objects.filter(user=self.request.user).select_related("experiment")
        unread = self.request.query_params.get("unread") if self.action == "list" else None
        if unread is not None and unread not in ("true", "false"):
            raise ValidationError({"unread": ["Must be true or false."]})
        if unread == "true":
            mine = mine.filter(read_at__isnull=True)
        return mine

    @extend_schema(
        summary="Mark one notification as read", request=None, responses={200: NotificationSerializer, 404: NOT_FOUND}
    )
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        notification = self.get_object()
        if notification.read_at is None:
            Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=timezone.now())
            notification.refresh_from_db()
        return Response(NotificationSerializer(notification).data)

    @extend_schema(
        summary="Mark all your notifications as read",
        request=None,
        responses={200: OpenApiResponse(OpenApiTypes.OBJECT, description='{"marked": <count>}')},
    )
    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request):
        marked = Notification.objects.filter(user=request.user, read_at__isnull=True).update(read_at=timezone.now())
        return Response({"marked": marked})

    @extend_schema(
        methods=["GET"],
        summary="Your notification preferences (email, in-app, daily digest)",
        request=None,
        responses={200: NotificationPreferenceSerializer},
    )
    @extend_schema(
        methods=["PATCH"],
        summary="Change your notification preferences",
        request=NotificationPreferenceSerializer,
        responses={
            200: NotificationPreferenceSerializer,
            400: OpenApiResponse(RefusalSerializer, description="A value that is not true or false."),
        },
    )
    @action(detail=False, methods=["get", "patch"], pagination_class=None, filter_backends=[])
    def preferences(self, request):
        mine = preferences_for([request.user])[request.user.pk]
        if request.method == "GET":
            return Response(NotificationPreferenceSerializer(mine).data)
        serializer = NotificationPreferenceSerializer(mine, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        serializer.save()
        return Response(serializer.data)
