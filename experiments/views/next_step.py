"""One sentence per status: what happens next, from the reader's point of view."""

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from experiments.models import Experiment, Outcome, Status


def _name(user):
    if user is None:
        return _("the approver (not named yet)")
    return user.get_full_name() or user.get_username()


def next_step(experiment: Experiment, user) -> str:
    is_author = user.pk in experiment.authors()
    is_approver = experiment.approver_id == user.pk and not is_author
    status = experiment.status
    approver = _name(experiment.approver)
    if status == Status.DRAFT:
        if is_author:
            return _("Complete the proposal, then submit it for approval.")
        return _("The authors are still writing this proposal.")
    if status == Status.CHANGES_REQUESTED:
        if is_author:
            return _("%(approver)s asked for changes: edit the proposal and submit it again.") % {"approver": approver}
        return _("The authors are making the changes the approver asked for.")
    if status == Status.PENDING_APPROVAL:
        if is_approver:
            return _("You are the approver: approve it, request changes or reject it.")
        return _("Waiting for %(approver)s to approve, request changes or reject.") % {"approver": approver}
    if status == Status.APPROVED:
        day = date_format(experiment.planned_start, "DATE_FORMAT")
        return _("Approved. It starts on %(day)s; the owner or the scheduler starts it.") % {"day": day}
    if status == Status.RUNNING:
        day = date_format(experiment.planned_end, "DATE_FORMAT")
        return _("Running until %(day)s. Scheduled checks watch the guardrails and may stop it.") % {"day": day}
    if status in (Status.STOPPED, Status.COMPLETED):
        return _("Data collection has ended: conclude it with an outcome (won, lost, inconclusive or invalid).")
    if status == Status.CONCLUDED:
        if experiment.outcome == Outcome.WON:
            return _(
                "Concluded as won: it goes on the next monthly promotion review's agenda, "
                "where the board decides on a standard."
            )
        return _("Concluded. It can be archived.")
    if status == Status.PROMOTED:
        return _("Promoted: the change is now the standard.")
    if status == Status.REJECTED:
        return _("Rejected by the approver. It can be archived.")
    if status == Status.WITHDRAWN:
        return _("Withdrawn by its authors. It can be archived.")
    return _("Archived. Nothing further happens.")
