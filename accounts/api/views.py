"""Tokens over the API: trade a username and password for one (POST /api/token/), and list,
create and revoke your own (/api/tokens/). Failed passwords count towards the lock-out (django-axes)
and the exchange is rate-limited per address (DRF throttle)."""

from django.contrib.auth import authenticate
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, JSONParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView

from accounts import tokens
from accounts.api.serializers import (
    ApiTokenSerializer,
    IssuedTokenSerializer,
    NewTokenSerializer,
    PasswordLoginSerializer,
)
from accounts.models import ApiToken
from experiments.errors import NotPermitted


class LoginRateThrottle(AnonRateThrottle):
    """Per address, whatever the account: settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["login"]."""

    scope = "login"


def _issued(token, raw) -> dict:
    return {"id": token.pk, "token": raw, "expires_at": token.expires_at}


class TokenView(APIView):
    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = [LoginRateThrottle]
    parser_classes = [JSONParser, FormParser]  # a script may post the form

    @extend_schema(
        summary="Get an API token for your username and password",
        description="Send it afterwards as `Authorization: Token <token>`. It expires at `expires_at`, "
        "and when your password changes. Repeated wrong passwords lock the account and the address out "
        "for a while (429).",
        request=PasswordLoginSerializer,
        responses={
            200: IssuedTokenSerializer,
            400: OpenApiResponse(description="Wrong username or password."),
            429: OpenApiResponse(description="Too many tries: locked out or rate-limited."),
        },
        auth=[],
    )
    def post(self, request, *args, **kwargs):
        given = PasswordLoginSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        # The Django request, not DRF's wrapper: django-axes marks a lock-out on it for its middleware.
        user = authenticate(
            request._request, username=given.validated_data["username"], password=given.validated_data["password"]
        )
        if user is None:
            raise serializers.ValidationError({"non_field_errors": [_("Unable to log in with provided credentials.")]})
        token, raw = tokens.issue(user, given.validated_data.get("name") or _("API (password)"))
        return Response(_issued(token, raw))


class TokenListView(APIView):
    @extend_schema(summary="Your API tokens", responses=ApiTokenSerializer(many=True))
    def get(self, request):
        return Response(ApiTokenSerializer(ApiToken.objects.filter(user=request.user), many=True).data)

    @extend_schema(
        summary="Create an API token (signed in on the site)",
        request=NewTokenSerializer,
        responses={201: IssuedTokenSerializer},
    )
    def post(self, request):
        if isinstance(request.auth, ApiToken):
            # A stolen token must not be able to mint a fresh one that outlives it.
            raise NotPermitted(_("A token cannot create tokens: use your password at /api/token/ or the tokens page."))
        given = NewTokenSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        token, raw = tokens.issue(request.user, given.validated_data.get("name", ""))
        return Response(_issued(token, raw), status=status.HTTP_201_CREATED)


class TokenDetailView(APIView):
    @extend_schema(summary="Revoke one of your API tokens", responses={204: None})
    def delete(self, request, pk):
        tokens.revoke(get_object_or_404(ApiToken, pk=pk, user=request.user))
        return Response(status=status.HTTP_204_NO_CONTENT)
