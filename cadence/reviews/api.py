"""/api/reviews/: meetings with their agenda, votes and decisions; vote and decide per item; the
chair opens a meeting early and marks who is present.

Refusals (cadence.reviews.access): 403 when the caller may not do this at all (not on the board,
not the chair, the experiment's proposer); 409 when the meeting or item is not in a state that
allows it now (agenda not sent, decisions not open yet, no quorum, voted or decided already)."""

from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field, inline_serializer
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from cadence.reviews import access
from cadence.reviews.agenda import build_agenda
from cadence.reviews.decisions import cast_vote, decide, tally
from cadence.reviews.meeting_actions import mark_present, open_early
from cadence.reviews.models import AgendaItem, Decision, ReviewMeeting, Vote


class ReviewVoteSerializer(serializers.ModelSerializer):
    voter = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = Vote
        fields = ["voter", "choice", "comment", "created_at"]


class ReviewDecisionSerializer(serializers.ModelSerializer):
    kind = serializers.CharField(read_only=True, help_text="promote, rerun, decline, keep, revise or retire")
    decided_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    standard = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    rerun = serializers.SlugRelatedField(slug_field="key", read_only=True, allow_null=True)

    class Meta:
        model = Decision
        fields = ["kind", "decided_by", "note", "tally", "standard", "rerun", "created_at"]


class ReviewAgendaItemSerializer(serializers.ModelSerializer):
    kind = serializers.CharField(read_only=True, help_text="experiment or standard")
    experiment = serializers.SlugRelatedField(slug_field="key", read_only=True, allow_null=True)
    standard = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    subject = serializers.CharField(source="subject_label", read_only=True)
    votes = ReviewVoteSerializer(many=True, read_only=True)
    tally = serializers.SerializerMethodField()
    decision = serializers.SerializerMethodField()

    class Meta:
        model = AgendaItem
        fields = [
            "id",
            "kind",
            "experiment",
            "standard",
            "subject",
            "reasons",
            "evidence",
            "votes",
            "tally",
            "decision",
        ]

    def get_tally(self, item) -> dict:
        return tally(item)

    def get_decision(self, item) -> dict | None:
        decision = Decision.objects.filter(item=item).first()
        return ReviewDecisionSerializer(decision).data if decision else None


class ReviewMeetingSerializer(serializers.ModelSerializer):
    series = serializers.CharField(source="series.name", read_only=True)
    chair = serializers.CharField(source="series.chair.username", read_only=True)
    items = ReviewAgendaItemSerializer(many=True, read_only=True)
    url = serializers.CharField(source="get_absolute_url", read_only=True)
    opened_early_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    decisions_open = serializers.SerializerMethodField(help_text="Whether the chair may record decisions now (time).")
    state = serializers.SerializerMethodField(help_text="Where the meeting stands, in words.")
    quorum = serializers.SerializerMethodField()

    class Meta:
        model = ReviewMeeting
        fields = [
            "id",
            "series",
            "chair",
            "starts_at",
            "ends_at",
            "since",
            "agenda_built_at",
            "agenda_sent_at",
            "opened_early_at",
            "opened_early_by",
            "decisions_open",
            "state",
            "quorum",
            "summary",
            "items",
            "url",
        ]

    def get_decisions_open(self, meeting) -> bool:
        return access.decisions_open(meeting)

    def get_state(self, meeting) -> str:
        return access.meeting_state(meeting)

    @extend_schema_field(
        inline_serializer(
            "ReviewQuorum",
            {
                "present": serializers.IntegerField(
                    help_text="Board members who voted on any item or were marked present."
                ),
                "required": serializers.IntegerField(help_text="The series' quorum (the whole board if smaller)."),
                "members_present": serializers.ListField(child=serializers.CharField()),
            },
        )
    )
    def get_quorum(self, meeting) -> dict:
        present, required = access.quorum(meeting)
        names = get_user_model().objects.filter(pk__in=access.present_members(meeting)).order_by("username")
        usernames = list(names.values_list("username", flat=True))
        return {"present": present, "required": required, "members_present": usernames}


class ReviewAttendanceRequestSerializer(serializers.Serializer):
    members = serializers.SlugRelatedField(
        slug_field="username",
        queryset=get_user_model().objects.all(),
        many=True,
        help_text="Usernames of board members present.",
    )


class ReviewVoteRequestSerializer(serializers.Serializer):
    choice = serializers.ChoiceField(choices=Vote.Choice.choices)
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class ReviewDecisionRequestSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=Decision.Kind.choices)
    note = serializers.CharField(required=False, allow_blank=True, default="")
    statement = serializers.CharField(required=False, allow_blank=True, default="")
    keeper = serializers.SlugRelatedField(
        slug_field="username", queryset=get_user_model().objects.all(), required=False, allow_null=True
    )
    rereview_date = serializers.DateField(required=False, allow_null=True)
    lesson = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="Decline or rerun: what the experiment taught us (optional); kept as its lesson.",
    )


class ReviewMeetingViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = ReviewMeetingSerializer

    def get_queryset(self):
        return access.visible_meetings(self.request.user).prefetch_related(
            "items__votes__voter", "items__experiment", "items__standard"
        )

    def get_object(self):
        return access.get_meeting_for(self.request.user, self.kwargs["pk"])

    @extend_schema(
        summary="Build (or refresh) the meeting's agenda (the chair)",
        request=None,
        responses={200: ReviewMeetingSerializer},
    )
    @action(detail=True, methods=["post"])
    def agenda(self, request, pk=None):
        meeting = self.get_object()
        if not access.is_chair(request.user, meeting):
            raise PermissionDenied(_("Only the chair of the review builds its agenda."))
        return Response(ReviewMeetingSerializer(build_agenda(meeting)).data)

    @extend_schema(
        summary="Open the meeting for decisions before its start (the chair); recorded",
        request=None,
        responses={
            200: ReviewMeetingSerializer,
            403: OpenApiResponse(description="Not the chair"),
            409: OpenApiResponse(description="Open already, started already, or the agenda is not sent"),
        },
    )
    @action(detail=True, methods=["post"], url_path="open-early")
    def open_early(self, request, pk=None):
        meeting = self.get_object()
        open_early(meeting, request.user)
        return Response(ReviewMeetingSerializer(self.get_queryset().get(pk=meeting.pk)).data)

    @extend_schema(
        summary="Mark board members present, for the quorum (the chair); recorded",
        request=ReviewAttendanceRequestSerializer,
        responses={
            200: ReviewMeetingSerializer,
            400: OpenApiResponse(description="Someone named is not on the board"),
            403: OpenApiResponse(description="Not the chair"),
        },
    )
    @action(detail=True, methods=["post"])
    def attendance(self, request, pk=None):
        meeting = self.get_object()
        data = ReviewAttendanceRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        mark_present(meeting, request.user, data.validated_data["members"])
        return Response(ReviewMeetingSerializer(self.get_queryset().get(pk=meeting.pk)).data)


class ItemVoteView(APIView):
    @extend_schema(
        summary="Vote on an agenda item (board members; not the experiment's proposer)",
        request=ReviewVoteRequestSerializer,
        responses={
            201: ReviewVoteSerializer,
            400: OpenApiResponse(description="A field is wrong"),
            403: OpenApiResponse(description="Not on the board, or the proposer"),
            409: OpenApiResponse(description="The agenda is not sent yet, voted already, or decided"),
        },
    )
    def post(self, request, pk):
        item = access.get_item_for(request.user, pk)
        data = ReviewVoteRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        vote = cast_vote(item, request.user, data.validated_data["choice"], data.validated_data["comment"])
        return Response(ReviewVoteSerializer(vote).data, status=status.HTTP_201_CREATED)


class ItemDecisionView(APIView):
    @extend_schema(
        summary="Record the decision on an agenda item (the chair); final",
        request=ReviewDecisionRequestSerializer,
        responses={
            201: ReviewDecisionSerializer,
            400: OpenApiResponse(description="A field is wrong"),
            403: OpenApiResponse(description="Not the chair"),
            409: OpenApiResponse(
                description="Decisions not open yet (before the start, unless opened early), "
                "no quorum, or decided already"
            ),
        },
    )
    def post(self, request, pk):
        item = access.get_item_for(request.user, pk)
        data = ReviewDecisionRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = data.validated_data
        decision = decide(
            item,
            request.user,
            fields["decision"],
            note=fields["note"],
            statement=fields["statement"],
            keeper=fields.get("keeper"),
            rereview=fields.get("rereview_date"),
            lesson=fields["lesson"],
        )
        return Response(ReviewDecisionSerializer(decision).data, status=status.HTTP_201_CREATED)
