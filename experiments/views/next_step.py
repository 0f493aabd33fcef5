"""One sentence per status: what happens next, from the reader's point of view."""

from experiments.models import Experiment, Outcome, Status


def _name(user):
    if user is None:
        return "the approver (not named yet)"
    return user.get_full_name() or user.get_username()


def next_step(experiment: Experiment, user) -> str:
    is_author = user.pk in experiment.authors()
    is_approver = experiment.approver_id == user.pk and not is_author
    status = experiment.status
    approver = _name(experiment.approver)
    if status == Status.DRAFT:
        if is_author:
            return "Complete the proposal, then submit it for approval."
        return "The authors are still writing this proposal."
    if status == Status.CHANGES_REQUESTED:
        if is_author:
            return f"{approver} asked for changes: edit the proposal and submit it again."
        return "The authors are making the changes the approver asked for."
    if status == Status.PENDING_APPROVAL:
        if is_approver:
            return "You are the approver: approve it, request changes or reject it."
        return f"Waiting for {approver} to approve, request changes or reject."
    if status == Status.APPROVED:
        return f"Approved. It starts on {experiment.planned_start:%d %b %Y}; the owner or the scheduler starts it."
    if status == Status.RUNNING:
        return (
            f"Running until {experiment.planned_end:%d %b %Y}. Scheduled checks watch the guardrails and may stop it."
        )
    if status in (Status.STOPPED, Status.COMPLETED):
        return "Data collection has ended: conclude it with an outcome (won, lost, inconclusive or invalid)."
    if status == Status.CONCLUDED:
        if experiment.outcome == Outcome.WON:
            return (
                "Concluded as won: it goes on the next monthly promotion review's agenda, "
                "where the board decides on a standard."
            )
        return "Concluded. It can be archived."
    if status == Status.PROMOTED:
        return "Promoted: the change is now the standard."
    if status == Status.REJECTED:
        return "Rejected by the approver. It can be archived."
    if status == Status.WITHDRAWN:
        return "Withdrawn by its authors. It can be archived."
    return "Archived. Nothing further happens."
