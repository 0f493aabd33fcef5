"""What the duties app adds to the experiments app, registered once in DutiesConfig.ready."""

from experiments import hooks

OWNER = "duties"


def _signal_fired(experiment, check, srm_failed=False):
    from cadence.duties.opening import open_for_check

    open_for_check(experiment, check, srm_failed=srm_failed)


def _dashboard_panel(user):
    from cadence.duties.queries import dashboard_panel

    return dashboard_panel(user)


def _detail_panel(experiment, user):
    from cadence.duties.queries import experiment_panel

    return "duties", experiment_panel(experiment, user)


def register():
    hooks.registry.add("signal_fired", OWNER, _signal_fired)
    hooks.registry.add("dashboard_panel", OWNER, _dashboard_panel)
    hooks.registry.add("detail_panel", OWNER, _detail_panel)
