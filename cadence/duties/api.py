"""/api/responses/: the response items (read; close with what was done) and /api/roles/: who holds
which duty on which touchpoint, with the gaps.

Refusals (cadence.duties.access): 404 for an item on an experiment the caller cannot see; 403 when
the caller is not its response owner, a touchpoint owner or an administrator; 409 when it is closed."""

from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from django.utils.translation import gettext as _
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from cadence.duties import access, closing, roles_page
from cadence.duties.models import ResponseItem


class ResponseItemSerializer(serializers.ModelSerializer):
    experiment = serializers.SlugRelatedField(slug_field="key", read_only=True)
    # Plain strings (values as on ResponseItem.Kind / State / Action): no clash with other apps' enums.
    kind = serializers.CharField(read_only=True, help_text="stopped, srm or data_error")
    state = serializers.CharField(read_only=True, help_text="open or closed")
    action = serializers.CharField(read_only=True, help_text="rolled_back, fixed_data or explained; empty while open")
    owner = serializers.SlugRelatedField(slug_field="username", read_only=True)
    closed_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    url = serializers.CharField(source="get_absolute_url", read_only=True)

    class Meta:
        model = ResponseItem
        fields = [
            "id",
            "experiment",
            "kind",
            "state",
            "owner",
            "what_happened",
            "what_to_do",
            "opened_at",
            "due_at",
            "reminded_at",
            "escalated_at",
            "closed_at",
            "closed_by",
            "action",
            "what_was_done",
            "url",
        ]


class ResponseListQuerySerializer(serializers.Serializer):
    state = serializers.ChoiceField(
        choices=ResponseItem.State.choices, required=False, help_text="Only items in this state."
    )
    mine = serializers.BooleanField(required=False, help_text="Only items you are the response owner of.")


class ResponseCloseSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=ResponseItem.Action.choices, help_text="What was done.")
    what_was_done = serializers.CharField(help_text="In a few words: what was changed, fixed or found.")


@extend_schema_view(
    list=extend_schema(
        summary="Response items on experiments you can see",
        parameters=[ResponseListQuerySerializer],
        responses={
            200: ResponseItemSerializer(many=True),
            400: OpenApiResponse(description="A filter is wrong (state, mine)"),
        },
    ),
    retrieve=extend_schema(
        summary="One response item",
        responses={
            200: ResponseItemSerializer,
            404: OpenApiResponse(description="No such response, or on an experiment you cannot see"),
        },
    ),
)
class ResponseItemViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = ResponseItemSerializer
    lookup_value_regex = r"[0-9]+"

    def get_queryset(self):
        items = access.visible_items(self.request.user).order_by("due_at", "pk")
        if self.action == "list":
            # A plain dict: from a QueryDict an empty "?state=" would count as not given.
            query = ResponseListQuerySerializer(data=self.request.query_params.dict())
            query.is_valid(raise_exception=True)
            if state := query.validated_data.get("state"):
                items = items.filter(state=state)
            if query.validated_data.get("mine"):
                items = items.filter(owner=self.request.user)
        return items

    def get_object(self):
        item = access.visible_items(self.request.user).filter(pk=self.kwargs["pk"]).first()
        if item is None:
            raise NotFound(_("No such response."))
        return item

    @extend_schema(
        summary="Close the response with what was done (response owner, touchpoint owner, administrator)",
        request=ResponseCloseSerializer,
        responses={
            200: ResponseItemSerializer,
            400: OpenApiResponse(description="A field is wrong (action, what_was_done)"),
            403: OpenApiResponse(description="Not the response owner, a touchpoint owner or an administrator"),
            404: OpenApiResponse(description="No such response, or on an experiment you cannot see"),
            409: OpenApiResponse(description="Closed already"),
        },
    )
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        item = self.get_object()
        refusal = access.close_refusal(request.user, item)
        if refusal is not None:
            raise refusal  # before the body is read: a stranger learns nothing from a field error
        data = ResponseCloseSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        item = closing.close(item, request.user, **data.validated_data)
        return Response(ResponseItemSerializer(item).data)


class RoleHolderSerializer(serializers.Serializer):
    username = serializers.CharField(source="user.username")
    metric = serializers.CharField(source="metric.key", allow_null=True, default=None)


class TouchpointRolesSerializer(serializers.Serializer):
    touchpoint = serializers.CharField(source="touchpoint.key")
    name = serializers.CharField(source="touchpoint.name")
    owner = serializers.CharField(source="owner.username", allow_null=True, default=None)
    backup = serializers.CharField(source="backup.username", allow_null=True, default=None)
    duties = serializers.SerializerMethodField()
    gaps = serializers.ListField(
        child=serializers.CharField(), help_text="no_response_owner, no_owner, no_signal_owner"
    )

    def get_duties(self, row) -> dict[str, list[dict]]:
        return {duty: RoleHolderSerializer(row.duties.get(duty, []), many=True).data for duty in roles_page.Duty.values}


class RolesView(APIView):
    @extend_schema(
        summary="Who holds which duty on which touchpoint, and the gaps",
        responses={200: TouchpointRolesSerializer(many=True)},
    )
    def get(self, request):
        return Response(TouchpointRolesSerializer(roles_page.touchpoint_roles(), many=True).data)
