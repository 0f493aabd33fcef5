"""The "Your API tokens" page: list, create (the token is shown once) and revoke your own tokens."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import tokens
from accounts.forms import NewTokenForm
from accounts.models import ApiToken


@login_required
def token_list(request):
    form = NewTokenForm(request.POST or None, label_suffix="")
    new_token = ""
    if request.method == "POST" and form.is_valid():
        _row, new_token = tokens.issue(request.user, form.cleaned_data["name"])
        form = NewTokenForm(label_suffix="")
    response = render(
        request,
        "accounts/tokens.html",
        {
            "tokens": ApiToken.objects.filter(user=request.user),
            "form": form,
            "new_token": new_token,
        },
    )
    if new_token:
        response["Cache-Control"] = "no-store"  # the one showing of the token stays out of caches
    return response


@login_required
@require_POST
def token_revoke(request, pk):
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    tokens.revoke(token)
    messages.success(request, _("Token %(prefix)s… is revoked.") % {"prefix": token.prefix})
    return redirect("api-tokens")
