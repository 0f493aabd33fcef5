"""/policy/: the guardrail policy in one place, for anyone signed in.

Fed by experiments.contract.policy_summary: the same rules and data the contract check applies.
"""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from experiments import contract


@login_required
def policy_page(request):
    return render(request, "experiments/policy.html", {"policy": contract.policy_summary()})
