"""Extension points: other apps register here in their AppConfig.ready, so that experiments
imports none of them (approvals, cadence). Each registration names its owner (an app label), so a
test can run the experiments app with another app's hooks taken away (`registry.without`).

Points:
- ``guard:<action>``: fn(experiment, actor, outcome) raises a DomainError to refuse the move.
  Option ``hides_move``: also hide the move's button while the guard refuses.
- ``delegate:<action>``: fn(experiment, actor, action, reason) -> ExperimentEvent | None. The move
  is another app's record first (an approver's vote): `lifecycle.transition` hands it over.
- ``after_move``: fn(experiment, action, actor, event), inside the move's transaction.
- ``relations``: fn(user, experiment) -> set of extra relations (e.g. holds an approval slot).
- ``after_edit``: fn(experiment, actor) -> object | None, inside the edit's transaction.
- ``notify``: fn(kind, experiment, users, message, key=None): tell people (in-app, email, webhook),
  once per person and key when a key is given.
- ``detail_panel``: fn(experiment, user) -> (name, context) for the experiment page.
- ``edit_context``: fn(experiment, form) -> dict added to the proposal form's context.
- ``form_saved``: fn(experiment, data, actor), inside the proposal form's save transaction (data:
  the POST, for fields another app adds to the form, e.g. the standards a proposal re-tests).
- ``proposal_sections``: fn(experiment) -> list of {"template", ...context}: notes on a proposal
  that its page and the approver's card show (standards: those in force on its scope).
  Option ``many``: fn(experiments) -> {experiment pk: list of sections}, the same notes for a
  page of proposals in a few queries (the approver's inbox); fn then answers one by calling it.
- ``policy_approvals``: fn() -> list of sentences: the approvals another app adds beyond the named
  approver (e.g. per touchpoint or sensitive category), shown with the policy.
- ``signal_fired``: fn(experiment, check, srm_failed=bool): a check stopped the experiment or could
  not read its data, inside the check's transaction.
- ``dashboard_panel``: fn(user) -> dict with "template" (and its context as "panel") for the dashboard.
- ``after_sweep``: fn(now, report): a monitoring sweep ran (report: started, queued, look_date).
"""

from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Hook:
    owner: str
    fn: object
    options: dict = field(default_factory=dict, compare=False, hash=False)


class Registry:
    def __init__(self):
        self._hooks: dict[str, list[Hook]] = defaultdict(list)

    def add(self, point: str, owner: str, fn, **options):
        """Register `fn` at `point`; registering the same function twice keeps one."""
        hooks = self._hooks[point]
        if not any(h.fn is fn for h in hooks):
            hooks.append(Hook(owner, fn, options))

    def get(self, point: str) -> list[Hook]:
        return list(self._hooks.get(point, ()))

    def one(self, point: str) -> Hook | None:
        hooks = self.get(point)
        return hooks[0] if hooks else None

    @contextmanager
    def without(self, *owners: str):
        """Take away every hook the named apps registered, for the duration."""
        saved = {point: list(hooks) for point, hooks in self._hooks.items()}
        try:
            for point, hooks in saved.items():
                self._hooks[point] = [h for h in hooks if h.owner not in owners]
            yield self
        finally:
            self._hooks.clear()
            self._hooks.update(saved)


registry = Registry()


def notify(kind: str, experiment, users, message: str, *, key: str):
    """Tell people about `experiment` through whatever app registered to deliver notices. `key`
    names the event: each person is told once per key, however often this runs."""
    for hook in registry.get("notify"):
        hook.fn(kind, experiment, users, message, key=key)


def proposal_sections(experiment) -> list[dict]:
    """Every app's notes on a proposal, for its page and the approver's card."""
    return [section for hook in registry.get("proposal_sections") for section in hook.fn(experiment)]


def proposal_sections_of_many(experiments) -> dict[int, list[dict]]:
    """`proposal_sections` for a page of proposals: each app answers for all of them at once when it
    registered a ``many`` function (few queries a page), else one by one."""
    experiments = list(experiments)
    found: dict[int, list[dict]] = {experiment.pk: [] for experiment in experiments}
    for hook in registry.get("proposal_sections"):
        many = hook.options.get("many")
        by_pk = many(experiments) if many else {e.pk: hook.fn(e) for e in experiments}
        for experiment in experiments:
            found[experiment.pk].extend(by_pk.get(experiment.pk, []))
    return found
