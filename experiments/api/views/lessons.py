"""/api/experiments/<key>/lesson/: read or write an ended experiment's lesson. Mixed into
ExperimentViewSet, so the experiment is fetched through the same visibility rules; who may write
is access.may_record_lesson, what is accepted is experiments.lessons."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.decorators import action
from rest_framework.response import Response

from experiments import lessons
from experiments.api.serializers import RefusalSerializer
from experiments.api.serializers.lessons import LessonStateSerializer, LessonWriteSerializer

NOT_FOUND = OpenApiResponse(OpenApiTypes.OBJECT, description="No experiment with this key that you may see.")


class LessonActions:
    """Actions for a GuardedExperimentViewSet (needs its get_object and get_serializer)."""

    @extend_schema(
        methods=["GET"],
        summary="The experiment's lesson: what we learned, what we would do differently",
        responses={200: LessonStateSerializer, 404: NOT_FOUND},
    )
    @extend_schema(
        methods=["PUT"],
        summary="Write or correct the lesson of a stopped or concluded experiment (its authors)",
        description="A person who stops an experiment or concludes it as lost or invalid writes the lesson with the "
        "transition (`lesson`, `lesson_differently`). When a check ended it, the lesson is missing until an author "
        "writes it here.",
        request=LessonWriteSerializer,
        responses={
            200: LessonStateSerializer,
            400: OpenApiResponse(RefusalSerializer, description="`lesson` empty, or a text too long."),
            403: OpenApiResponse(RefusalSerializer, description="Not the owner, a co-author or an administrator."),
            404: NOT_FOUND,
            409: OpenApiResponse(RefusalSerializer, description="The experiment has not been stopped or concluded."),
        },
    )
    @action(
        detail=True,
        methods=["get", "put"],
        pagination_class=None,
        filterset_class=None,
        serializer_class=LessonWriteSerializer,
    )
    def lesson(self, request, key=None):
        experiment = self.get_object()
        if request.method == "PUT":
            body = self.get_serializer(data=request.data)
            body.is_valid(raise_exception=True)
            # A refusal is a DomainError: the API's one exception handler answers it.
            data = body.validated_data
            lessons.update(experiment, request.user, learned=data["lesson"], differently=data["lesson_differently"])
        return Response(LessonStateSerializer(lessons.state(experiment, request.user)).data)
