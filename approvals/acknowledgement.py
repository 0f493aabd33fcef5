"""THE rule for approving a plan the calculator calls infeasible: the approver says so explicitly.

The web form's checkbox and the API's `acknowledge_plan` both reach `approvals.services.decide`,
which calls `refuse_unacknowledged_plan`; the inbox card and the detail page ask
`plan_needs_acknowledgement` to show the checkbox. One field name everywhere: FIELD.
"""

from django.utils.translation import gettext as _

from experiments import errors
from experiments.planning import PlanningError, plan_for_experiment

FIELD = "acknowledge_plan"


class PlanNotAcknowledged(errors.Invalid):
    code = "plan_not_acknowledged"


def plan_needs_acknowledgement(plan, plan_error: str = "") -> bool:
    """Infeasible: no plan can be made from the contract, or it needs more days than are planned.
    (No traffic estimate means no verdict either way: nothing to acknowledge.)"""
    if plan is None:
        return bool(plan_error)
    return plan.days_needed is not None and plan.planned_days is not None and not plan.fits


def plan_verdict(plan, plan_error: str = "") -> str:
    """The plan's verdict in one sentence, as the card, the refusal and the API say it."""
    if plan is None:
        return _("No plan can be made: %(error)s.") % {"error": plan_error}
    if plan.days_needed is None or plan.planned_days is None:
        return _("No verdict: the plan needs the expected daily traffic and the planned dates.")
    if plan.fits:
        return _("Fits: needs %(needed)s days, %(planned)s planned.") % {
            "needed": plan.days_needed,
            "planned": plan.planned_days,
        }
    return _("Too short: needs %(needed)s days, %(planned)s planned (%(missing)s days short).") % {
        "needed": plan.days_needed,
        "planned": plan.planned_days,
        "missing": plan.days_needed - plan.planned_days,
    }


def plan_of(experiment):
    """(plan, error message): the calculator's answer on the experiment's contract."""
    try:
        return plan_for_experiment(experiment), ""
    except PlanningError as exc:
        return None, exc.message


def refuse_unacknowledged_plan(experiment, acknowledged: bool) -> None:
    """Refuse an approval of an infeasible plan that the approver did not acknowledge."""
    if acknowledged:
        return
    plan, error = plan_of(experiment)
    if plan_needs_acknowledgement(plan, error):
        message = _("%(verdict)s To approve anyway, tick “I approve knowing the plan's verdict”.") % {
            "verdict": plan_verdict(plan, error)
        }
        raise PlanNotAcknowledged(message, [{"field": FIELD, "message": message}])
