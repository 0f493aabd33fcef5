"""The decision buttons (inbox and detail page) post here; approvals.services.decide records the vote."""

from urllib.parse import urlsplit, urlunsplit

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import QueryDict
from django.shortcuts import get_object_or_404, redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from approvals.acknowledgement import FIELD as ACKNOWLEDGE_FIELD
from approvals.acknowledgement import PlanNotAcknowledged
from approvals.models import ApprovalRequest, Decision
from approvals.services import decide
from experiments import access, lifecycle
from experiments.views.transition import report_refusal

State = ApprovalRequest.State
# The query parameter that brings the refused checkbox's error back onto the card it belongs to.
REFUSED_PARAM = "unacknowledged"


def done_message(verdict: str, what: str, title: str, status: str) -> str:
    sentences = {
        Decision.Verdict.APPROVE: _("You approved the %(what)s for “%(title)s”."),
        Decision.Verdict.REJECT: _("You rejected the %(what)s for “%(title)s”."),
        Decision.Verdict.REQUEST_CHANGES: _("You requested changes on the %(what)s for “%(title)s”."),
    }
    afterwards = {
        State.OPEN: _("It still waits for other approvals."),
        State.APPROVED: _("It is now approved."),
        State.REJECTED: _("It is now rejected."),
        State.CHANGES_REQUESTED: _("It goes back to the owner for changes."),
    }
    done = sentences[verdict] % {"what": what, "title": title}
    return f"{done} {afterwards[status]}" if status in afterwards else done


def back_to(request, fallback):
    """Where the form came from (inbox or detail page), if it is one of ours."""
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return fallback


def with_refusal(url: str, request_pk: int) -> str:
    """`url` with the card whose checkbox was missing named, scrolled to its decision forms."""
    parts = urlsplit(url)
    query = QueryDict(parts.query, mutable=True)
    query[REFUSED_PARAM] = str(request_pk)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query.urlencode(), f"decide-{request_pk}"))


@require_POST
@login_required
def decide_request(request, key, pk):
    experiment = access.get_experiment_for(request.user, key)
    approval_request = get_object_or_404(experiment.approval_requests, pk=pk)
    verdict = request.POST.get("verdict", "")
    target = back_to(request, experiment.get_absolute_url())
    try:
        decide(
            approval_request,
            request.user,
            verdict,
            request.POST.get("comment", ""),
            acknowledged_plan=request.POST.get(ACKNOWLEDGE_FIELD) == "on",
        )
    except PlanNotAcknowledged as exc:
        report_refusal(request, exc)
        return redirect(with_refusal(target, approval_request.pk))
    except lifecycle.TransitionError as exc:
        report_refusal(request, exc)
    else:
        approval_request.refresh_from_db()
        what = approval_request.get_kind_display().lower()
        messages.success(request, done_message(verdict, what, experiment.title, approval_request.status))
    return redirect(target)
