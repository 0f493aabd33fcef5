"""GET /api/search/?q=…: the search page's results as JSON (cadence.search.engine), with the same
filters and the same visibility: each person gets only what they may see."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView
from django.utils.translation import gettext as _

from cadence.search.engine import KINDS, search
from cadence.search.forms import OUTCOME_CHOICES, SearchForm
from experiments.api.serializers import RefusalSerializer
from experiments.errors import Invalid


class HitSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=KINDS)
    title = serializers.CharField()
    url = serializers.CharField(help_text="The page that shows it.")
    snippet = serializers.CharField(help_text="The start of its text.")
    date = serializers.DateField(
        allow_null=True, help_text="Experiments: planned start; standards: effective; ideas: filed; minutes: meeting."
    )
    rank = serializers.FloatField(help_text="Full-text rank on PostgreSQL (higher is better); 0 on SQLite.")
    key = serializers.CharField(source="extra.key", default="", help_text="Experiments: the key.")
    status = serializers.CharField(help_text="Experiments, standards and ideas: their status; empty for minutes.")
    outcome = serializers.CharField(help_text="Experiments: won, lost, inconclusive, invalid; empty until concluded.")
    result = serializers.CharField(help_text="Experiments: what the latest check found; empty before a check.")
    lesson = serializers.CharField(help_text="Experiments: what we learned; empty when none is written.")


class SearchResultsSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    results = HitSerializer(many=True)


PARAMETERS = [
    OpenApiParameter("q", OpenApiTypes.STR, required=True, description="Words to find (at most 200 characters)."),
    OpenApiParameter("touchpoint", OpenApiTypes.STR, description="A touchpoint key."),
    OpenApiParameter("metric", OpenApiTypes.STR, description="A metric key; leaves ideas out."),
    OpenApiParameter(
        "outcome",
        OpenApiTypes.STR,
        enum=[value for value, _ in OUTCOME_CHOICES],
        many=True,
        explode=True,
        description="Experiments' outcome (repeat for several); leaves standards, ideas and minutes out.",
    ),
    OpenApiParameter(
        "kind", OpenApiTypes.STR, enum=list(KINDS), many=True, explode=True, description="Look only here."
    ),
    OpenApiParameter("date_from", OpenApiTypes.DATE, description="On or after this day (YYYY-MM-DD)."),
    OpenApiParameter("date_to", OpenApiTypes.DATE, description="On or before this day (YYYY-MM-DD)."),
]


class SearchView(APIView):
    @extend_schema(
        summary="Search experiments, standards, ideas and meeting minutes you may see",
        description="PostgreSQL full-text search, best first; on SQLite every word must appear (newest first). "
        "Experiments are matched on title, hypothesis, lesson and results summary and come with their outcome, "
        "result and lesson.",
        parameters=PARAMETERS,
        responses={
            200: SearchResultsSerializer,
            400: OpenApiResponse(
                RefusalSerializer,
                description="No words, an unknown touchpoint, metric, outcome "
                "or kind, or a bad date; each problem names its parameter.",
            ),
            401: OpenApiResponse(RefusalSerializer, description="Not signed in."),
            403: OpenApiResponse(RefusalSerializer, description="Not signed in (session without credentials)."),
        },
    )
    def get(self, request):
        form = SearchForm(request.query_params)
        if not form.is_valid():
            problems = [
                {"field": name, "message": message} for name, messages in form.errors.items() for message in messages
            ]
            message = problems[0]["message"] if len(problems) == 1 else _("Check the search parameters.")
            raise Invalid(message, problems)
        hits = search(request.user, form.cleaned_data["q"], form.filters())
        return Response(SearchResultsSerializer({"count": len(hits), "results": hits}).data)
