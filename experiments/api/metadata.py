"""OPTIONS answers for every API view, including actions that validate with their own serializer.

DRF's SimpleMetadata describes POST/PUT by calling `view.get_serializer()`, which asserts on a
GenericViewSet without `serializer_class` (the approvals restart and amendments actions): OPTIONS
answered 500. Such views are described without the "actions" part instead.
"""

from rest_framework.metadata import SimpleMetadata


def has_serializer(view) -> bool:
    # Imported here: rest_framework.views reads this class's setting while generics is importing.
    from rest_framework.generics import GenericAPIView

    if not isinstance(view, GenericAPIView):
        return hasattr(view, "get_serializer")
    overridden = type(view).get_serializer_class is not GenericAPIView.get_serializer_class
    return overridden or getattr(view, "serializer_class", None) is not None


class ActionMetadata(SimpleMetadata):
    def determine_actions(self, request, view):
        if not has_serializer(view):
            return {}
        return super().determine_actions(request, view)
