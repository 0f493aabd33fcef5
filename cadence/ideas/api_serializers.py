"""API shapes of ideas, ratings, comments, meetings and decisions."""

from django.contrib.auth import get_user_model
from rest_framework import serializers

from cadence.ideas.models import AgendaItem, DecisionAction, Idea, IdeaComment, IdeaRating, SlotDecision, SlotMeeting
from experiments.models import Segment, Touchpoint

User = get_user_model()


class IdeaSerializer(serializers.ModelSerializer):
    touchpoint = serializers.SlugRelatedField(slug_field="key", queryset=Touchpoint.objects.all())
    segment = serializers.SlugRelatedField(
        slug_field="key", queryset=Segment.objects.all(), required=False, allow_null=True
    )
    author = serializers.SlugRelatedField(slug_field="username", read_only=True)
    experiment = serializers.SlugRelatedField(slug_field="key", read_only=True, allow_null=True)
    votes = serializers.SerializerMethodField()
    url = serializers.CharField(source="get_absolute_url", read_only=True)
    # Plain strings: a "status" enum per app collides in the OpenAPI schema's enum names.
    status = serializers.CharField(read_only=True, help_text="new, proposed, parked or declined")

    class Meta:
        model = Idea
        fields = [
            "id",
            "title",
            "pain_point",
            "touchpoint",
            "segment",
            "hypothesis",
            "expected_effect",
            "author",
            "created_at",
            "status",
            "parked_until",
            "decline_reason",
            "experiment",
            "score",
            "rating_count",
            "votes",
            "url",
        ]
        read_only_fields = ["created_at", "status", "parked_until", "decline_reason", "score", "rating_count"]

    def get_votes(self, idea) -> int:
        count = getattr(idea, "vote_count", None)
        return count if count is not None else idea.votes.count()


class IdeaCommentSerializer(serializers.ModelSerializer):
    author = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = IdeaComment
        fields = ["id", "author", "body", "created_at"]
        read_only_fields = ["created_at"]


class IdeaRatingSerializer(serializers.ModelSerializer):
    rater = serializers.SlugRelatedField(slug_field="username", read_only=True)
    model = serializers.SlugRelatedField(slug_field="name", read_only=True)
    values = serializers.DictField(child=serializers.JSONField())

    class Meta:
        model = IdeaRating
        fields = ["rater", "model", "values", "score", "updated_at"]
        read_only_fields = ["score", "updated_at"]


class AgendaItemSerializer(serializers.ModelSerializer):
    idea = IdeaSerializer(read_only=True)

    class Meta:
        model = AgendaItem
        fields = ["position", "reason", "idea"]


class SlotDecisionSerializer(serializers.ModelSerializer):
    idea = serializers.PrimaryKeyRelatedField(queryset=Idea.objects.all())
    action = serializers.ChoiceField(choices=DecisionAction.choices)
    owner = serializers.SlugRelatedField(
        slug_field="username", queryset=User.objects.filter(is_active=True), required=False, allow_null=True
    )
    experiment = serializers.SlugRelatedField(slug_field="key", read_only=True, allow_null=True)
    decided_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = SlotDecision
        fields = [
            "id",
            "idea",
            "action",
            "owner",
            "parked_until",
            "reason",
            "experiment",
            "wip_warning",
            "decided_by",
            "decided_at",
        ]
        read_only_fields = ["wip_warning", "decided_at"]
        extra_kwargs = {"parked_until": {"required": False}, "reason": {"required": False}}


class SlotMeetingSerializer(serializers.ModelSerializer):
    series = serializers.CharField(source="series.name", read_only=True)
    facilitator = serializers.CharField(source="series.facilitator.username", read_only=True)
    agenda = AgendaItemSerializer(many=True, read_only=True)
    decisions = SlotDecisionSerializer(many=True, read_only=True)
    minutes = serializers.SerializerMethodField()
    url = serializers.CharField(source="get_absolute_url", read_only=True)
    status = serializers.CharField(read_only=True, help_text="scheduled or closed")
    opened_early_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    decisions_open = serializers.SerializerMethodField(
        help_text="Whether the facilitator may record decisions now (time)."
    )
    state = serializers.SerializerMethodField(help_text="Where the meeting stands, in words.")

    class Meta:
        model = SlotMeeting
        fields = [
            "id",
            "series",
            "facilitator",
            "starts_at",
            "ends_at",
            "status",
            "agenda_built_at",
            "agenda_sent_at",
            "opened_early_at",
            "opened_early_by",
            "decisions_open",
            "state",
            "closed_at",
            "follow_ups",
            "agenda",
            "decisions",
            "minutes",
            "url",
        ]

    def get_decisions_open(self, meeting) -> bool:
        from cadence.ideas.access import decisions_open

        return decisions_open(meeting)

    def get_state(self, meeting) -> str:
        from cadence.ideas.access import meeting_state

        return meeting_state(meeting)

    def get_minutes(self, meeting) -> str:
        from cadence.ideas.notices import minutes_text

        return minutes_text(meeting)
