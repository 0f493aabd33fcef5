"""What a business day is, for every due time and reminder: Monday to Friday (no holiday calendar)."""

import datetime as dt


def is_business_day(day: dt.date) -> bool:
    return day.weekday() < 5


def business_days_between(start: dt.date, end: dt.date) -> int:
    """Business days after `start` up to and including `end`."""
    days, day = 0, start
    while day < end:
        day += dt.timedelta(days=1)
        if is_business_day(day):
            days += 1
    return days


def add_business_days(moment: dt.datetime, days: int) -> dt.datetime:
    """`moment` moved on by `days` business days, same time of day."""
    while days > 0:
        moment += dt.timedelta(days=1)
        if is_business_day(moment):
            days -= 1
    return moment
