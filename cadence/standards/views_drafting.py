"""The standard page's "Start a proposal from this standard" button (cadence.standards.drafting)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cadence.standards.drafting import draft_from_standard
from cadence.standards.models import Standard


@require_POST
@login_required
def standard_start_from(request, pk):
    standard = get_object_or_404(Standard, pk=pk)
    draft = draft_from_standard(standard, request.user)
    messages.success(
        request,
        _("A new draft following %(code)s: its scope, metrics and margins are copied. Check them and submit.")
        % {"code": standard.code},
    )
    return redirect("experiment-edit", key=draft.key)
