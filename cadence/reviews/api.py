"""/api/reviews/: meetings with their agenda, votes and decisions; vote and decide per item."""
from django.contrib.auth import get_user_model
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from cadence.reviews import access
from cadence.reviews.agenda import build_agenda
from cadence.reviews.decisions import ReviewRefusal, cast_vote, decide, tally
from cadence.reviews.models import AgendaItem, Decision, ReviewMeeting, Vote


class ReviewVoteSerializer(serializers.ModelSerializer):
    voter = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = Vote
        fields = ["voter", "choice", "comment", "created_at"]


class ReviewDecisionSerializer(serializers.ModelSerializer):
    kind = serializers.CharField(read_only=True, help_text="promote, rerun, decline, keep, revise or retire")
    decided_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    standard = serializers.PrimaryKeyRelatedField(read_only=True)
    rerun = serializers.SlugRelatedField(slug_field="key", read_only=True)

    class Meta:
        model = Decision
        fields = ["kind", "decided_by", "note", "tally", "standard", "rerun", "created_at"]


class ReviewAgendaItemSerializer(serializers.ModelSerializer):
    kind = serializers.CharField(read_only=True, help_text="experiment or standard")
    experiment = serializers.SlugRelatedField(slug_field="key", read_only=True)
    standard = serializers.PrimaryKeyRelatedField(read_only=True)
    subject = serializers.CharField(source="subject_label", read_only=True)
    votes = ReviewVoteSerializer(many=True, read_only=True)
    tally = serializers.SerializerMethodField()
    decision = serializers.SerializerMethodField()

    class Meta:
        model = AgendaItem
        fields = ["id", "kind", "experiment", "standard", "subject", "reasons", "evidence", "votes", "tally", "decision"]

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

    class Meta:
        model = ReviewMeeting
        fields = ["id", "series", "chair", "starts_at", "ends_at", "since", "agenda_built_at", "agenda_sent_at", "summary", "items", "url"]


class ReviewVoteRequestSerializer(serializers.Serializer):
    choice = serializers.ChoiceField(choices=Vote.Choice.choices)
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class ReviewDecisionRequestSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=Decision.Kind.choices)
    note = serializers.CharField(required=False, allow_blank=True, default="")
    statement = serializers.CharField(required=False, allow_blank=True, default="")
    keeper = serializers.SlugRelatedField(slug_field="username", queryset=get_user_model().objects.all(), required=False, allow_null=True)
    rereview_date = serializers.DateField(required=False, allow_null=True)


def refusal_response(refusal: ReviewRefusal) -> Response:
    body = {"detail": refusal.message}
    if refusal.field:
        body[refusal.field] = [refusal.message]
    return Response(body, status=refusal.status_code)


class ReviewMeetingViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = ReviewMeetingSerializer

    def get_queryset(self):
        return access.visible_meetings(self.request.user).prefetch_related("items__votes__voter", "items__experiment", "items__standard")

    def get_object(self):
        return access.get_meeting_for(self.request.user, self.kwargs["pk"])

    @extend_schema(summary="Build (or refresh) the meeting's agenda (the chair)", request=None, responses={200: ReviewMeetingSerializer})
    @action(detail=True, methods=["post"])
    def agenda(self, request, pk=None):
        meeting = self.get_object()
        if not access.is_chair(request.user, meeting):
            raise PermissionDenied("Only the chair of the review builds its agenda.")
        return Response(ReviewMeetingSerializer(build_agenda(meeting)).data)


class ItemVoteView(APIView):
    @extend_schema(summary="Vote on an agenda item (board members; not the experiment's proposer)", request=ReviewVoteRequestSerializer,
                   responses={201: ReviewVoteSerializer, 400: OpenApiResponse(description="A field is wrong"),
                              403: OpenApiResponse(description="Not on the board, or the proposer"),
                              409: OpenApiResponse(description="Voted already, or decided")})
    def post(self, request, pk):
        item = access.get_item_for(request.user, pk)
        data = ReviewVoteRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            vote = cast_vote(item, request.user, data.validated_data["choice"], data.validated_data["comment"])
        except ReviewRefusal as refusal:
            return refusal_response(refusal)
        return Response(ReviewVoteSerializer(vote).data, status=status.HTTP_201_CREATED)


class ItemDecisionView(APIView):
    @extend_schema(summary="Record the decision on an agenda item (the chair); final", request=ReviewDecisionRequestSerializer,
                   responses={201: ReviewDecisionSerializer, 400: OpenApiResponse(description="A field is wrong"),
                              403: OpenApiResponse(description="Not the chair"), 409: OpenApiResponse(description="Decided already")})
    def post(self, request, pk):
        item = access.get_item_for(request.user, pk)
        data = ReviewDecisionRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = data.validated_data
        try:
            decision = decide(item, request.user, fields["decision"], note=fields["note"], statement=fields["statement"],
                              keeper=fields.get("keeper"), rereview=fields.get("rereview_date"))
        except ReviewRefusal as refusal:
            return refusal_response(refusal)
        return Response(ReviewDecisionSerializer(decision).data, status=status.HTTP_201_CREATED)
