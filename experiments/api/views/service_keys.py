"""/api/service-keys/: your service keys: list, make (the secret is in that one answer), revoke."""

from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from experiments import access, service_keys
from experiments.api.serializers.service_keys import (
    ServiceKeyCreatedSerializer,
    ServiceKeyCreateSerializer,
    ServiceKeySerializer,
)
from experiments.errors import Invalid
from experiments.models import ServiceKey, Touchpoint


def scope_from(user, experiment_keys, touchpoint_key):
    """The experiments (that `user` may see) and touchpoint a request names; unknown ones refused."""
    experiments = list(access.visible_experiments(user).filter(key__in=experiment_keys))
    missing = sorted(set(experiment_keys) - {e.key for e in experiments})
    if missing:
        raise Invalid(_("No experiment %(keys)s that you may see.") % {"keys": ", ".join(missing)}, field="experiments")
    touchpoint = None
    if touchpoint_key:
        touchpoint = Touchpoint.objects.filter(key=touchpoint_key).first()
        if touchpoint is None:
            raise Invalid(_("No touchpoint '%(key)s'.") % {"key": touchpoint_key}, field="touchpoint")
    return experiments, touchpoint


class ServiceKeysView(APIView):
    @extend_schema(summary="Your service keys", responses=ServiceKeySerializer(many=True))
    def get(self, request):
        return Response(ServiceKeySerializer(service_keys.keys_of(request.user), many=True).data)

    @extend_schema(
        summary="Make a service key",
        description="For machines that assign units or send data. The answer carries the secret once.",
        request=ServiceKeyCreateSerializer,
        responses={201: ServiceKeyCreatedSerializer},
    )
    def post(self, request):
        given = ServiceKeyCreateSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        data = given.validated_data
        experiments, touchpoint = scope_from(request.user, data["experiments"], data.get("touchpoint"))
        key, secret = service_keys.create_key(
            request.user,
            data["name"],
            actions=data["actions"],
            experiments=experiments,
            touchpoint=touchpoint,
            expires_at=data.get("expires_at"),
        )
        answer = ServiceKeyCreatedSerializer(key, context={"secret": secret})
        return Response(answer.data, status=status.HTTP_201_CREATED)


class ServiceKeyRevokeView(APIView):
    @extend_schema(summary="Revoke a service key (at once, for good)", request=None, responses=ServiceKeySerializer)
    def post(self, request, prefix):
        key = ServiceKey.objects.filter(prefix=prefix).first()
        if key is None or not access.may_revoke_service_key(request.user, key):
            raise Http404(_("No such service key of yours."))
        return Response(ServiceKeySerializer(service_keys.revoke_key(request.user, key)).data)
