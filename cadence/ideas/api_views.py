"""REST endpoints of the backlog and the weekly slot. Everyone signed in reads; authors edit their
open ideas; only the slot's facilitator (or a superuser) decides, builds agendas, opens early and closes.
Decisions are taken from the meeting's start or after the facilitator opened it early
(cadence.ideas.access): 403 for someone else, 409 for a meeting closed or not open yet."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied as ApiPermissionDenied
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.response import Response

from cadence.ideas import agenda as agendas
from cadence.ideas.api_serializers import (
    IdeaCommentSerializer,
    SlotDecisionSerializer,
    IdeaSerializer,
    SlotMeetingSerializer,
    IdeaRatingSerializer,
)
from cadence.ideas.backlog import backlog, may_edit
from cadence.ideas.decisions import close_meeting, decide, open_early
from cadence.ideas.models import IdeaRating, IdeaStatus, PainPoint, SlotMeeting
from cadence.ideas.scoring import rate
from cadence.ideas.views.ideas import toggle_vote
from experiments.lifecycle import TransitionError


def _api_errors(exc: ValidationError) -> ApiValidationError:
    return ApiValidationError(exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages})


def _refusal_response(refusal: TransitionError) -> Response:
    return Response(refusal.as_dict(), status=refusal.status_code)


class IdeaViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """?q= searches title and hypothesis; ?status= (new, proposed, parked, declined, all; default open),
    ?touchpoint=<key>, ?pain_point=, ?sort= score | newest | votes."""

    serializer_class = IdeaSerializer
    filter_backends = []

    def get_queryset(self):
        params = self.request.query_params
        if self.action != "list":
            return backlog(status="all")
        status_value = params.get("status", "")
        if status_value and status_value != "all" and status_value not in IdeaStatus.values:
            raise ApiValidationError(
                {"status": [f"'{status_value}' is not a status; use one of {', '.join(IdeaStatus.values)} or all."]}
            )
        if params.get("pain_point") and params["pain_point"] not in PainPoint.values:
            raise ApiValidationError({"pain_point": [f"'{params['pain_point']}' is not a pain point."]})
        sort = params.get("sort", "score")
        if sort not in ("score", "newest", "votes"):
            raise ApiValidationError({"sort": ["Sort by score, newest or votes."]})
        return backlog(
            q=params.get("q", ""),
            status=status_value,
            touchpoint=params.get("touchpoint"),
            pain_point=params.get("pain_point", ""),
            sort=sort,
        )

    def perform_create(self, serializer):
        serializer.save(author=self.request.user)

    def update(self, request, *args, **kwargs):
        if not may_edit(request.user, self.get_object()):  # before validation: a 403, not field errors
            raise ApiPermissionDenied(_("Only the author edits an idea, and only while it is open."))
        return super().update(request, *args, **kwargs)

    @extend_schema(
        request=None,
        responses=inline_serializer(
            "IdeaVoteResult", {"voted": serializers.BooleanField(), "votes": serializers.IntegerField()}
        ),
    )
    @action(detail=True, methods=["post"])
    def vote(self, request, pk=None):
        """Toggle the caller's vote (one per person)."""
        idea = self.get_object()
        voted = toggle_vote(idea, request.user)
        return Response({"voted": voted, "votes": idea.votes.count()})

    @extend_schema(
        methods=["GET"], summary="The idea's comments, oldest first", responses=IdeaCommentSerializer(many=True)
    )
    @extend_schema(
        methods=["POST"],
        summary="Comment on the idea",
        request=IdeaCommentSerializer,
        responses={201: IdeaCommentSerializer},
    )
    @action(detail=True, methods=["get", "post"], serializer_class=IdeaCommentSerializer, pagination_class=None)
    def comments(self, request, pk=None):
        idea = self.get_object()
        if request.method == "GET":
            return Response(IdeaCommentSerializer(idea.comments.select_related("author"), many=True).data)
        serializer = IdeaCommentSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        serializer.save(idea=idea, author=request.user)
        return Response(serializer.data, status=status.HTTP_201_CREATED)

    @action(detail=True, methods=["get", "put"], serializer_class=IdeaRatingSerializer)
    def rating(self, request, pk=None):
        """The caller's own rating: PUT {"values": {"impact": 8, ...}} records or replaces it."""
        idea = self.get_object()
        if request.method == "GET":
            mine = get_object_or_404(IdeaRating, idea=idea, rater=request.user)
            return Response(IdeaRatingSerializer(mine).data)
        serializer = IdeaRatingSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            rating = rate(idea, request.user, serializer.validated_data["values"])
        except ValidationError as exc:
            raise _api_errors(exc) from exc
        return Response(IdeaRatingSerializer(rating).data)


class CloseMeetingSerializer(serializers.Serializer):
    follow_ups = serializers.CharField(required=False, allow_blank=True)


class MeetingViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = SlotMeetingSerializer
    filter_backends = []
    queryset = SlotMeeting.objects.select_related("series__facilitator").prefetch_related(
        "agenda__idea__touchpoint",
        "agenda__idea__segment",
        "agenda__idea__author",
        "decisions__idea",
        "decisions__owner",
        "decisions__decided_by",
        "decisions__experiment",
    )

    def _facilitated(self):
        meeting = self.get_object()
        if not meeting.may_decide(self.request.user):
            raise ApiPermissionDenied(_("Only the slot's facilitator may do this."))
        return meeting

    @extend_schema(
        responses={
            201: SlotDecisionSerializer,
            400: OpenApiResponse(description="A field is wrong"),
            403: OpenApiResponse(description="Not the facilitator"),
            409: OpenApiResponse(
                description="The meeting is closed, or not open yet (before its start, "
                "unless the facilitator opened it early)"
            ),
        }
    )
    @action(detail=True, methods=["post"], serializer_class=SlotDecisionSerializer)
    def decisions(self, request, pk=None):
        meeting = self._facilitated()
        serializer = SlotDecisionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            decision = decide(
                meeting,
                data["idea"],
                request.user,
                data["action"],
                owner=data.get("owner"),
                parked_until=data.get("parked_until"),
                reason=data.get("reason", ""),
            )
        except ValidationError as exc:
            raise _api_errors(exc) from exc
        except PermissionDenied as exc:
            raise ApiPermissionDenied(str(exc)) from exc
        except TransitionError as refusal:
            return _refusal_response(refusal)
        return Response(SlotDecisionSerializer(decision).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Open the meeting for decisions before its start (the facilitator); recorded",
        request=None,
        responses={
            200: SlotMeetingSerializer,
            403: OpenApiResponse(description="Not the facilitator"),
            409: OpenApiResponse(description="Open already, started already, or closed"),
        },
    )
    @action(detail=True, methods=["post"], url_path="open-early")
    def open_early(self, request, pk=None):
        meeting = self.get_object()
        try:
            open_early(meeting, request.user)
        except TransitionError as refusal:
            return _refusal_response(refusal)
        return Response(SlotMeetingSerializer(self.get_queryset().get(pk=meeting.pk)).data)

    @extend_schema(request=None, responses=SlotMeetingSerializer)
    @action(detail=True, methods=["post"])
    def agenda(self, request, pk=None):
        """Build (or bring up to date) the meeting's agenda; idempotent."""
        meeting = self._facilitated()
        agendas.build_agenda(meeting)
        return Response(SlotMeetingSerializer(self.get_queryset().get(pk=meeting.pk)).data)

    @action(detail=True, methods=["post"], serializer_class=CloseMeetingSerializer)
    def close(self, request, pk=None):
        meeting = self._facilitated()
        serializer = CloseMeetingSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            close_meeting(meeting, request.user, serializer.validated_data.get("follow_ups"))
        except ValidationError as exc:
            raise _api_errors(exc) from exc
        return Response(SlotMeetingSerializer(self.get_queryset().get(pk=meeting.pk)).data)
