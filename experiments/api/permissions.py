"""Permissions that are not per-object. Per-object rules live in experiments.access and lifecycle."""

from rest_framework.permissions import BasePermission

from experiments import access


class CanProposeExperiments(BasePermission):
    """Creating an experiment needs the proposer role (or superuser); other actions are not its concern."""

    message = "Only users with the proposer role may propose experiments."

    def has_permission(self, request, view):
        return getattr(view, "action", None) != "create" or access.can_propose(request.user)
