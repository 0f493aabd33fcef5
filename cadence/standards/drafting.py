"""Start a proposal from a standard: the standard's scope, and the metrics and margins of the
experiment that proved it, copied into a new draft that cites the standard ("based on S-3")."""

from django.db import transaction
from django.utils.translation import gettext as _

from cadence.standards.citations import cite_as_template
from cadence.standards.models import Standard
from experiments import access, drafting
from experiments.errors import DomainError


class NoSource(DomainError):
    status_code = 409
    code = "conflict"


def source_experiment(standard: Standard):
    """The most recent supporting experiment: its metrics and margins are the proven ones."""
    return standard.supporting_experiments.order_by("-planned_end", "-pk").first()


@transaction.atomic
def draft_from_standard(standard: Standard, actor):
    if not access.can_propose(actor):
        raise drafting.CannotStartFrom(_("Only proposers start a proposal from a standard."))
    if not standard.in_force:
        raise NoSource(_("%(code)s is retired: it is no longer a practice to build on.") % {"code": standard.code})
    source = source_experiment(standard)
    if source is None:
        raise NoSource(_("%(code)s has no supporting experiment to copy from.") % {"code": standard.code})
    draft = drafting.copy_as_draft(
        source,
        actor,
        key=drafting.free_key(f"s-{standard.pk}", "next"),
        title=_("Following %(code)s: %(statement)s") % {"code": standard.code, "statement": standard.statement},
        owner=actor,
        approver=source.approver if source.approver_id != actor.pk else None,
    )
    # The standard's scope, which a review may have set wider or narrower than its first experiment's.
    draft.touchpoints.set(standard.touchpoints.all())
    draft.segments.set(standard.segments.all())
    cite_as_template(draft, standard, actor)
    return draft
