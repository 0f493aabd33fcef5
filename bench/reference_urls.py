"""Bench-only routes: the references the assignment view is measured against, beside Pagar's own
routes. Not in config/urls.py: production never serves them.

- /bench/bare-django/<key>/: a plain Django view answering a body of the same size, no auth;
- /bench/bare-drf/<key>/: a bare DRF view with the same service-key authentication.
"""

from django.http import JsonResponse
from django.urls import include, path
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from experiments.api.service_key_auth import ServiceKeyAuthentication


def _body(key, unit):
    return {
        "experiment": key,
        "unit": unit,
        "enrolled": True,
        "variant": "short",
        "reason": "enrolled",
        "message": "Enrolled: serve arm 'short'.",
        "counted": True,
        "standard": None,
    }


def bare_django(request, key):
    return JsonResponse(_body(key, request.GET.get("unit", "")))


class BareDrf(APIView):
    authentication_classes = [ServiceKeyAuthentication]
    permission_classes = [IsAuthenticated]

    def get(self, request, key):
        return Response(_body(key, request.query_params.get("unit", "")))


urlpatterns = [
    path("bench/bare-django/<slug:key>/", bare_django),
    path("bench/bare-drf/<slug:key>/", BareDrf.as_view()),
    path("", include("config.urls")),
]
