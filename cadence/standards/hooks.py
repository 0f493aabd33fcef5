"""What the standards catalogue adds to the proposal form, registered in StandardsConfig.ready."""

from experiments import hooks

OWNER = "standards"


def _edit_context(experiment, form):
    from cadence.standards.form_panel import panel_context

    return panel_context(experiment, form)


def _form_saved(experiment, data, actor):
    from cadence.standards.form_panel import save_declared_retests

    save_declared_retests(experiment, data, actor)


def _proposal_sections(experiment):
    return _proposal_sections_many([experiment])[experiment.pk]


def _proposal_sections_many(experiments):
    """The standards section of each proposal: those in force on its scope, and those it started from."""
    from cadence.standards.models import Citation
    from cadence.standards.relevance import relevant_to_experiments

    experiments = list(experiments)
    based_on = {experiment.pk: [] for experiment in experiments}
    citations = Citation.objects.filter(experiment__in=[e.pk for e in experiments], kind="based_on")
    for citation in citations.select_related("standard").order_by("pk"):
        based_on[citation.experiment_id].append(citation.standard)
    relevant = relevant_to_experiments(experiments)
    return {
        e.pk: [{"template": "standards/_in_force.html", "items": relevant[e.pk], "based_on": based_on[e.pk]}]
        for e in experiments
    }


def register():
    hooks.registry.add("edit_context", OWNER, _edit_context)
    hooks.registry.add("form_saved", OWNER, _form_saved)
    hooks.registry.add("proposal_sections", OWNER, _proposal_sections, many=_proposal_sections_many)
