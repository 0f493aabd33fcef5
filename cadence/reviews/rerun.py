"""Ask for more evidence: a new draft copy of the experiment for its owner, who submits it for
approval like any proposal (submit runs the one contract check, experiments.contract). The copy
itself is experiments.drafting's, shared with the templates a proposer starts from."""

from django.utils.translation import gettext as _

from experiments import drafting
from experiments.models import Experiment


def copy_as_draft(original: Experiment, actor) -> Experiment:
    return drafting.copy_as_draft(
        original,
        actor,
        key=drafting.free_key(original.key, "rerun"),
        title=_("%(title)s (rerun)") % {"title": original.title},
    )
