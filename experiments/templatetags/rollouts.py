"""The experiment page's rollout panel, computed where it is shown (templates/experiments/live/_rollout.html)."""

from django import template

from experiments.views.rollouts import rollout_panel

register = template.Library()


@register.simple_tag(takes_context=True)
def rollout_state(context, experiment):
    return rollout_panel(experiment, context["request"].user)
