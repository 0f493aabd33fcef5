"""The lesson form on the experiment page posts here: an author writes or corrects the lesson of a
stopped or concluded experiment (experiments.lessons decides; a refusal is shown by the page handler)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from experiments import access, errors, lessons
from experiments.middleware import report_refusal


@require_POST
@login_required
def experiment_lesson(request, key):
    experiment = access.get_experiment_for(request.user, key)
    try:
        lessons.update(
            experiment,
            request.user,
            learned=request.POST.get("lesson", ""),
            differently=request.POST.get("lesson_differently", ""),
        )
    except errors.DomainError as exc:
        report_refusal(request, exc)
    else:
        messages.success(request, _("The lesson is recorded."))
    return redirect(experiment)
