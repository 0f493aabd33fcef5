from django import template

from experiments import money as money_rule

register = template.Library()


@register.filter
def money(amount):
    """{{ cost|money }}: the amount in settings.CURRENCY, written the way the reader's language writes it."""
    return money_rule.money(amount)
