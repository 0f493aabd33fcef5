"""The one base for every experiment endpoint: what a user may see and edit comes from experiments.access."""

from rest_framework import viewsets

from experiments import access


class GuardedExperimentViewSet(viewsets.GenericViewSet):
    """List queries start from `access.visible_experiments`; object lookups go through
    `access.get_experiment_for` (404 when not visible, 403 when an edit is not allowed).

    Subclasses add routes with @action and must fetch the experiment with `self.get_object()`.
    """

    lookup_field = "key"
    lookup_value_regex = r"[-a-zA-Z0-9_]+"
    edit_actions = frozenset({"update", "partial_update"})
    representation_prefetch = (
        "co_authors",
        "touchpoints",
        "segments",
        "sensitive_categories",
        "variants",
        "metrics__metric",
    )

    def get_queryset(self):
        return (
            access.visible_experiments(self.request.user)
            .select_related("owner", "approver")
            .prefetch_related(*self.representation_prefetch)
        )

    def get_object(self):
        # Django's Http404 and PermissionDenied become DRF's 404 and 403, message kept.
        experiment = access.get_experiment_for(
            self.request.user, self.kwargs[self.lookup_field], edit=self.action in self.edit_actions
        )
        self.check_object_permissions(self.request, experiment)
        return experiment
