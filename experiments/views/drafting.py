"""The experiment page's "Start a proposal like this" button: a new draft from a past experiment
(experiments.drafting), opened on the proposal form."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from experiments import access, drafting


@require_POST
@login_required
def experiment_start_from(request, key):
    source = access.get_experiment_for(request.user, key)
    # A refusal is a DomainError: the page handler (experiments.middleware) shows it.
    draft = drafting.draft_from_experiment(source, request.user)
    messages.success(
        request,
        _("A new draft based on %(key)s: its scope, metrics and margins are copied. Check them and submit.")
        % {"key": source.key},
    )
    return redirect("experiment-edit", key=draft.key)
