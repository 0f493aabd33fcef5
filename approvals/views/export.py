"""Decision records as CSV: one experiment's for anyone who may see it; all of them for standards keepers."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from approvals.access import may_export_all
from approvals.export import decisions_csv
from approvals.models import Decision
from experiments import access


def csv_response(text: str, filename: str) -> HttpResponse:
    response = HttpResponse(text, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def experiment_decisions_csv(request, key):
    experiment = access.get_experiment_for(request.user, key)
    text = decisions_csv(Decision.objects.filter(request__experiment=experiment))
    return csv_response(text, f"{experiment.key}-decisions.csv")


@login_required
def all_decisions_csv(request):
    if not may_export_all(request.user):
        raise PermissionDenied(_("Only standards keepers may download every decision."))
    return csv_response(decisions_csv(), f"pagar-decisions-{timezone.localdate().isoformat()}.csv")
