"""Template filters for the responses as other pages keep them (frozen in an agenda's summary)."""

from django import template

from cadence.duties.queries import response_kind as kind_of

register = template.Library()


@register.filter
def response_kind(response: dict) -> str:
    """{{ r|response_kind }}: a frozen open response's kind in the reader's language."""
    return kind_of(response)
