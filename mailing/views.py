"""Your notification preferences: which channels tell you about your work. Only your own."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from mailing.forms import PreferencesForm
from mailing.preferences import preferences_for


@login_required
def preferences(request):
    mine = preferences_for([request.user])[request.user.pk]
    form = PreferencesForm(request.POST or None, instance=mine)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Your notification preferences are saved."))
        return redirect("notification-preferences")
    return render(request, "mailing/preferences.html", {"form": form}, status=400 if form.errors else 200)
