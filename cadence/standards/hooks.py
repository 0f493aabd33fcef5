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
    from cadence.standards.models import Citation
    from cadence.standards.relevance import relevant_to_experiment

    based_on = [
        c.standard for c in Citation.objects.filter(experiment=experiment, kind="based_on").select_related("standard")
    ]
    return [{"template": "standards/_in_force.html", "items": relevant_to_experiment(experiment), "based_on": based_on}]


def register():
    hooks.registry.add("edit_context", OWNER, _edit_context)
    hooks.registry.add("form_saved", OWNER, _form_saved)
    hooks.registry.add("proposal_sections", OWNER, _proposal_sections)
