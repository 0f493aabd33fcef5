"""/api/experiments/: the registry, its lifecycle actions, timeline, plan and policy report."""

from django.db import transaction
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from experiments import access, lifecycle, planning, policy
from experiments.api.permissions import CanProposeExperiments
from experiments.api.serializers import (
    CheckSerializer,
    EventSerializer,
    ExperimentSerializer,
    PlanSerializer,
    PolicyReportSerializer,
    RefusalSerializer,
    TransitionRequestSerializer,
)
from experiments.errors import Invalid
from experiments.api.views.guarded import GuardedExperimentViewSet
from experiments.api.views.lessons import LessonActions
from experiments.api.views.overrides import OverrideActions
from experiments.api.views.rollouts import RolloutActions
from experiments.filters import ExperimentFilter
from experiments.models import Experiment

NOT_FOUND = OpenApiResponse(OpenApiTypes.OBJECT, description="No experiment with this key that you may see.")


@extend_schema_view(
    list=extend_schema(summary="Experiments you may see", description="Drafts are visible to their authors only."),
    create=extend_schema(summary="Propose an experiment (proposers only); it starts as a draft"),
    retrieve=extend_schema(summary="One experiment", responses={200: ExperimentSerializer, 404: NOT_FOUND}),
    update=extend_schema(
        summary="Edit a proposal (authors only, until it is decided)",
        description=(
            "Editing one that waits for approval withdraws the approvals given so far and asks every approver again."
        ),
    ),
    partial_update=extend_schema(summary="Edit some fields of a proposal (authors only, until it is decided)"),
)
class ExperimentViewSet(
    OverrideActions,  # /verdict/ and /overrides/
    RolloutActions,  # /rollout/ and /rollout/revert/
    LessonActions,  # /lesson/
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    GuardedExperimentViewSet,
):
    serializer_class = ExperimentSerializer
    permission_classes = [IsAuthenticated, CanProposeExperiments]
    filterset_class = ExperimentFilter

    def perform_create(self, serializer):
        serializer.save(owner=self.request.user)

    def perform_update(self, serializer):
        with transaction.atomic():
            # Lock the row and look again: a transition may have moved it since get_object().
            locked = Experiment.objects.select_for_update().get(pk=serializer.instance.pk)
            if not access.can_edit(self.request.user, locked):
                raise PermissionDenied(
                    _("This experiment is %(status)s and can no longer be edited.")
                    % {"status": str(locked.get_status_display()).lower()}
                )
            lifecycle.after_edit(serializer.save(), self.request.user)

    def _fresh(self, experiment):
        """Re-read after a change, with what the representation needs prefetched."""
        return (
            Experiment.objects.filter(pk=experiment.pk)
            .select_related("owner", "approver")
            .prefetch_related(*self.representation_prefetch)
            .get()
        )

    @extend_schema(
        summary="Move the experiment through its lifecycle",
        request=TransitionRequestSerializer,
        responses={
            200: ExperimentSerializer,
            400: OpenApiResponse(
                RefusalSerializer, description="Unknown action, missing reason/outcome, or policy problems."
            ),
            403: OpenApiResponse(RefusalSerializer, description="You may not take this action on this experiment."),
            404: NOT_FOUND,
            409: OpenApiResponse(
                RefusalSerializer, description="Not allowed from the current status, or changed meanwhile."
            ),
        },
    )
    @action(detail=True, methods=["post"], serializer_class=TransitionRequestSerializer)
    def transition(self, request, key=None):
        experiment = self.get_object()
        body = self.get_serializer(data=request.data)
        body.is_valid(raise_exception=True)
        # Approvers' decisions are handed to the approvals app (a recorded vote first); a refusal
        # becomes its response in the one exception handler (experiments.api.exceptions).
        lifecycle.transition(
            experiment,
            body.validated_data["action"],
            request.user,
            reason=body.validated_data["reason"],
            outcome=body.validated_data["outcome"],
            lesson=body.validated_data["lesson"],
            lesson_differently=body.validated_data["lesson_differently"],
            acknowledged_plan=body.validated_data["acknowledge_plan"],
        )
        return Response(ExperimentSerializer(self._fresh(experiment), context=self.get_serializer_context()).data)

    @extend_schema(summary="The experiment's timeline", responses={200: EventSerializer(many=True), 404: NOT_FOUND})
    @action(detail=True, methods=["get"], pagination_class=None, filterset_class=None)
    def events(self, request, key=None):
        experiment = self.get_object()
        events = experiment.events.select_related("actor")
        return Response(EventSerializer(events, many=True).data)

    @extend_schema(
        summary="The daily checks' records, newest first",
        description="One per look: the decision, its sentence and the statistics engine's full result.",
        responses={200: CheckSerializer(many=True), 404: NOT_FOUND},
    )
    @action(detail=True, methods=["get"], pagination_class=None, filterset_class=None)
    def checks(self, request, key=None):
        experiment = self.get_object()
        return Response(CheckSerializer(experiment.checks.order_by("-look_date"), many=True).data)

    @extend_schema(
        summary="Sample size and duration for the experiment's metrics",
        responses={200: PlanSerializer, 400: RefusalSerializer, 404: NOT_FOUND},
    )
    @action(detail=True, methods=["get"], pagination_class=None, filterset_class=None)
    def plan(self, request, key=None):
        experiment = self.get_object()
        try:
            plan = planning.plan_for_experiment(experiment)
        except planning.PlanningError as error:
            raise Invalid(str(error), field=error.field) from error
        return Response(PlanSerializer(plan).data)

    @extend_schema(
        summary="Guardrail-policy problems that block submission, and overlapping experiments",
        responses={200: PolicyReportSerializer, 404: NOT_FOUND},
    )
    @action(detail=True, methods=["get"], pagination_class=None, filterset_class=None)
    def policy(self, request, key=None):
        experiment = self.get_object()
        report = {
            "problems": policy.blocking_problems(experiment),
            "overlapping": list(policy.overlapping_experiments(experiment)),
        }
        return Response(PolicyReportSerializer(report).data)
