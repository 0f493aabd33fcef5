"""/keys/: the service keys you made: list, make one (its secret shown on that page once), revoke."""

import datetime as dt

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.conf import settings
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from experiments import access, service_keys
from experiments.errors import DomainError
from experiments.models import Experiment, ServiceKey, ServiceKeyAction, Status, Touchpoint


# Keys serve experiments about to run, running, or still taking their late data.
KEYED_STATUSES = (Status.APPROVED, Status.RUNNING, Status.STOPPED, Status.COMPLETED)


def authored_experiments(user):
    """The experiments a person may offer a key for: theirs (every one for a superuser)."""
    qs = Experiment.objects.filter(status__in=KEYED_STATUSES)
    if not user.is_superuser:
        qs = qs.filter(Q(owner=user) | Q(co_authors=user))
    return qs.distinct().order_by("key")


class ServiceKeyForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Name"), max_length=100, help_text=gettext_lazy("What will call with it.")
    )
    experiments = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Experiments"),
        queryset=Experiment.objects.none(),
        required=False,
        to_field_name="key",
        widget=forms.CheckboxSelectMultiple,
    )
    touchpoint = forms.ModelChoiceField(
        label=gettext_lazy("Or a whole touchpoint (administrators)"),
        queryset=Touchpoint.objects.none(),
        required=False,
        to_field_name="key",
    )
    actions = forms.MultipleChoiceField(
        label=gettext_lazy("It may"),
        choices=ServiceKeyAction.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    days = forms.IntegerField(label=gettext_lazy("Valid for (days)"), min_value=1, max_value=3650)

    def __init__(self, user, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["experiments"].queryset = authored_experiments(user)
        self.fields["days"].initial = settings.SERVICE_KEY_DAYS
        if user.is_superuser:
            self.fields["touchpoint"].queryset = Touchpoint.objects.order_by("name")
        else:
            del self.fields["touchpoint"]


@login_required
@require_http_methods(["GET", "POST"])
def service_key_list(request):
    form = ServiceKeyForm(request.user, request.POST or None)
    created = secret = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                created, secret = service_keys.create_key(
                    request.user,
                    data["name"],
                    actions=data["actions"],
                    experiments=list(data["experiments"]),
                    touchpoint=data.get("touchpoint"),
                    expires_at=timezone.now() + dt.timedelta(days=data["days"]),
                )
            except DomainError as refused:
                for problem in refused.problems or [{"field": "", "message": refused.message}]:
                    form.add_error(problem["field"] if problem["field"] in form.fields else None, problem["message"])
        if created is None:
            status = 400
        else:
            form = ServiceKeyForm(request.user)  # a fresh form: the secret is shown once, above
    keys = service_keys.keys_of(request.user)
    context = {"form": form, "keys": keys, "created": created, "secret": secret, "now": timezone.now()}
    return render(request, "experiments/service_keys.html", context, status=status)


@login_required
@require_POST
def service_key_revoke(request, prefix):
    key = get_object_or_404(ServiceKey, prefix=prefix)
    if not access.may_revoke_service_key(request.user, key):
        raise Http404(_("No such service key of yours."))
    service_keys.revoke_key(request.user, key)
    done = _("Service key “%(name)s” (%(prefix)s) is revoked: calls with it are refused from now on.")
    messages.success(request, done % {"name": key.name, "prefix": key.prefix})
    return redirect("service-keys")
