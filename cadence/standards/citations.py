"""An experiment's citations of standards: the re-tests its authors declare and the standard a
template started it from. Called by the proposal form (a form_saved hook), the API and drafting."""

from django.db import transaction
from django.utils.translation import gettext as _

from cadence.standards.models import Citation, Standard
from experiments.errors import Invalid


def _in_force(ids):
    try:
        ids = {int(i) for i in ids}
    except (TypeError, ValueError):
        raise Invalid(_("Standards are named by their numeric id (S-3 is 3)."), field="standards") from None
    found = set(Standard.objects.in_force().filter(pk__in=ids).values_list("pk", flat=True))
    missing = sorted(ids - found)
    if missing:
        raise Invalid(
            _("No standard in force has the id %(ids)s.") % {"ids": ", ".join(str(i) for i in missing)},
            field="standards",
        )
    return found


@transaction.atomic
def declare_retests(experiment, standard_ids, actor) -> list[Citation]:
    """Make the experiment's declared re-tests exactly `standard_ids` (idempotent)."""
    wanted = _in_force(standard_ids)
    current = Citation.objects.filter(experiment=experiment, kind=Citation.Kind.RETESTS)
    current.exclude(standard_id__in=wanted).delete()
    for pk in wanted:
        Citation.objects.get_or_create(
            experiment=experiment, standard_id=pk, kind=Citation.Kind.RETESTS, defaults={"created_by": actor}
        )
    return list(current.select_related("standard"))


def cite_as_template(experiment, standard, actor) -> Citation:
    citation, _created = Citation.objects.get_or_create(
        experiment=experiment, standard=standard, kind=Citation.Kind.BASED_ON, defaults={"created_by": actor}
    )
    return citation
