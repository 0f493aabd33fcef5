"""GET /api/calendar/ and POST /api/calendar/regenerate/ for the signed-in user."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from cadence.calendars import feeds


class CalendarEventSerializer(serializers.Serializer):
    uid = serializers.CharField()
    summary = serializers.CharField()
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    url = serializers.CharField()
    location = serializers.CharField()
    cancelled = serializers.BooleanField()


class CalendarSerializer(serializers.Serializer):
    feed_url = serializers.URLField(help_text="Subscribe to this address; it is secret, like a password.")
    webcal_url = serializers.CharField(help_text="The same address for Apple Calendar.")
    events = CalendarEventSerializer(many=True, help_text="Your next meetings, soonest first.")


def _answer(request, feed):
    return Response(CalendarSerializer({**feeds.feed_urls(request, feed), "events": feeds.upcoming(request.user)}).data)


class CalendarView(APIView):
    @extend_schema(summary="Your calendar feed address and your next meetings", responses={200: CalendarSerializer})
    def get(self, request):
        return _answer(request, feeds.feed_for(request.user))


class RegenerateCalendarView(APIView):
    @extend_schema(
        summary="A new calendar feed address; the old one stops working",
        request=None,
        responses={200: CalendarSerializer},
    )
    def post(self, request):
        return _answer(request, feeds.regenerate(request.user))
