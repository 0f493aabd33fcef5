"""One date format per language, and money in Pagar's currency written the reader's way."""

import datetime as dt

import pytest
from django.template import Context, Template
from django.test import override_settings
from django.utils import translation

from experiments.money import is_money_unit, money
from experiments.stats.wording import amount_text, number_text

MOMENT = dt.datetime(2026, 12, 4, 9, 30, tzinfo=dt.UTC)


def _render(source, **context):
    return Template(source).render(Context(context))


@pytest.mark.parametrize(
    ("language", "date", "datetime", "short"),
    [("en", "4 Dec 2026", "4 Dec 2026 09:30", "4 Dec"), ("id", "4 Des 2026", "4 Des 2026 09.30", "4 Des")],
)
def test_each_language_has_one_date_datetime_and_short_date_format(language, date, datetime, short):
    with translation.override(language):
        source = '{{ m|date:"DATE_FORMAT" }}|{{ m|date:"DATETIME_FORMAT" }}|{{ m|date:"SHORT_DATE_FORMAT" }}'
        assert _render(source, m=MOMENT) == f"{date}|{datetime}|{short}"


@pytest.mark.parametrize(
    ("currency", "language", "amount", "text"),
    [
        ("EUR", "en", 1234.5, "€1,234.50"),
        ("EUR", "id", 1234.5, "€ 1.234,50"),
        ("IDR", "en", 12500, "Rp12,500"),
        ("IDR", "id", 12500, "Rp 12.500"),
        ("IDR", "id", -12500.4, "\u2212Rp 12.500"),
    ],
)
def test_money_is_written_in_the_currency_and_the_readers_language(currency, language, amount, text):
    with override_settings(CURRENCY=currency), translation.override(language):
        assert money(amount) == text
        assert _render("{% load money %}{{ cost|money }}", cost=amount) == text


def test_money_of_nothing_is_a_dash():
    assert money(None) == "—"


def test_a_currency_unit_makes_a_metric_a_cost():
    assert is_money_unit("EUR") and is_money_unit("idr")
    assert not is_money_unit("minutes") and not is_money_unit("%") and not is_money_unit("")


@override_settings(CURRENCY="IDR")
def test_statistics_show_costs_in_the_currency():
    with translation.override("id"):
        assert amount_text(2500, "EUR", signed=True) == "+Rp 2.500"
        assert number_text(1234.56) == "1.235"
        assert number_text(2.5) == "2,5"
    with translation.override("en"):
        assert amount_text(-2500, "EUR") == "\u2212Rp2,500"
        assert number_text(1234.56) == "1,235" and number_text(2.5) == "2.5"
