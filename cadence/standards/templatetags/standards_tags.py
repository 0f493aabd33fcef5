"""The standards in force on an idea's touchpoint, shown in the ideas slot where it may become a
proposal (the one rule: cadence.standards.relevance)."""

from django import template

from cadence.standards.relevance import relevant_to_idea

register = template.Library()


@register.inclusion_tag("standards/_in_force.html")
def standards_for_idea(idea):
    return {"items": relevant_to_idea(idea), "heading_level": 4, "panel_id": f"standards-idea-{idea.pk}"}
