"""The standards in force on an idea's touchpoint, shown in the ideas slot where it may become a
proposal (the one rule: cadence.standards.relevance)."""

from django import template

from cadence.standards.relevance import relevant_to_idea

register = template.Library()


@register.inclusion_tag("standards/_in_force.html", takes_context=True)
def standards_for_idea(context, idea):
    # Once per touchpoint and segment in a page: an agenda of 12 ideas costs what one of 3 does.
    found = context.render_context.setdefault("standards_by_idea_scope", {})
    scope = (idea.touchpoint_id, idea.segment_id)
    if scope not in found:
        found[scope] = relevant_to_idea(idea)
    return {"items": found[scope], "heading_level": 4, "panel_id": f"standards-idea-{idea.pk}"}
