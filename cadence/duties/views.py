"""The roles page and the response items' pages. Signed-in users read; closing asks cadence.duties.access."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cadence.duties import access, closing, roles_page
from cadence.duties.forms import CloseForm
from cadence.duties.models import ResponseItem
from experiments.errors import DomainError


@login_required
def roles(request):
    rows = roles_page.touchpoint_roles()
    return render(
        request,
        "duties/roles.html",
        {
            "rows": rows,
            "gap_count": sum(1 for row in rows if roles_page.GAP_NO_RESPONSE_OWNER in row.gaps),
            "global_roles": roles_page.global_role_holders(),
            "overrides": roles_page.experiment_response_owners(),
        },
    )


@login_required
def response_list(request):
    items = access.visible_items(request.user)
    state = request.GET.get("state", ResponseItem.State.OPEN)
    if state in ResponseItem.State.values:
        items = items.filter(state=state)
    if request.GET.get("mine"):
        items = items.filter(owner=request.user)
    return render(
        request,
        "duties/responses.html",
        {"items": items.order_by("due_at", "pk")[:200], "state": state, "mine": bool(request.GET.get("mine"))},
    )


def _item_for(user, pk) -> ResponseItem:
    item = access.visible_items(user).filter(pk=pk).first()
    if item is None:
        raise Http404(_("No such response."))
    return item


@login_required
def response_detail(request, pk, form=None):
    item = _item_for(request.user, pk)
    may_close = access.close_refusal(request.user, item) is None
    return render(
        request,
        "duties/response.html",
        {"item": item, "may_close": may_close, "form": form or (CloseForm() if may_close else None)},
        status=400 if form is not None else 200,
    )


@login_required
@require_POST
def response_close(request, pk):
    item = _item_for(request.user, pk)
    form = CloseForm(request.POST)
    if not form.is_valid():
        refusal = access.close_refusal(request.user, item)
        if refusal is not None:
            raise refusal
        return response_detail(request, pk, form=form)
    try:
        item = closing.close(item, request.user, **form.cleaned_data)
    except DomainError as refused:
        if refused.status_code != 400:
            raise
        for problem in refused.problems:
            form.add_error(problem["field"] if problem["field"] in form.fields else None, problem["message"])
        return response_detail(request, pk, form=form)
    messages.success(request, _("Response closed: %(action)s.") % {"action": item.get_action_display().lower()})
    return redirect(item.get_absolute_url())
