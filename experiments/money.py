"""Money as a reader sees it: the one rule for showing an amount in Pagar's currency.

Costs are kept in one currency, settings.CURRENCY (ISO 4217). A metric whose unit is a currency code
is a cost and is shown in that currency, with the symbol, separators and symbol placement of the
active language (rupiah without decimals: "Rp 12.500" in Indonesian, "Rp12,500" in English)."""

from django.conf import settings
from django.utils import formats
from django.utils.translation import pgettext

SYMBOLS = {"EUR": "€", "IDR": "Rp", "USD": "$", "GBP": "£", "SGD": "S$", "MYR": "RM", "AUD": "A$", "JPY": "¥"}
# Currencies written without minor units.
WHOLE_UNITS = {"IDR", "JPY"}
MINUS = "\u2212"


def is_money_unit(unit: str | None) -> bool:
    """A metric unit that names a currency (the catalogue's "EUR", say): its values are costs."""
    return bool(unit) and unit.strip().upper() in SYMBOLS


def money(amount, *, signed: bool = False) -> str:
    """The amount in settings.CURRENCY, formatted for the active language; "—" for no amount."""
    if amount is None or amount == "":
        return "—"
    value = float(amount)
    code = settings.CURRENCY
    decimals = 0 if code in WHOLE_UNITS else 2
    digits = formats.number_format(abs(value), decimal_pos=decimals, use_l10n=True, force_grouping=True)
    # Translators: how an amount of money is written; symbol is "Rp", "€", ...; amount is "12.500".
    text = pgettext("money", "%(symbol)s%(amount)s") % {"symbol": SYMBOLS.get(code, code + " "), "amount": digits}
    if value < 0 and digits.strip("0.,") != "":
        return MINUS + text
    if signed and value > 0:
        return "+" + text
    return text
