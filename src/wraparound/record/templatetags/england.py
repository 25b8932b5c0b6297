"""Dates, times and numbers as people write them in England: "3 March 2026", "2:05pm".

Templates never format dates themselves; every date on a page goes through these filters so a
practitioner reads the same shape everywhere (no "03/03/2026", which half the world reads as
the third of March and half as the third of... something else).
"""

import datetime as dt

from django import template
from django.utils import timezone

register = template.Library()


def _as_local(value: dt.datetime) -> dt.datetime:
    if timezone.is_aware(value):
        return timezone.localtime(value)
    return value


@register.filter
def england_date(value: dt.date | dt.datetime | None, missing: str = "") -> str:
    """3 March 2026 (no leading zero, month in words)."""
    if value is None or value == "":
        return missing
    if isinstance(value, dt.datetime):
        value = _as_local(value).date()
    if not isinstance(value, dt.date):
        return str(value)
    return f"{value.day} {value:%B %Y}"


@register.filter
def england_time(value: dt.datetime | None) -> str:
    """2:05pm, 10am, midday: the way a rota or a letter writes it."""
    if value is None or not isinstance(value, dt.datetime):
        return ""
    value = _as_local(value)
    if value.hour == 12 and value.minute == 0:
        return "midday"
    if value.hour == 0 and value.minute == 0:
        return "midnight"
    hour = value.hour % 12 or 12
    suffix = "am" if value.hour < 12 else "pm"
    return f"{hour}{suffix}" if value.minute == 0 else f"{hour}:{value.minute:02d}{suffix}"


@register.filter
def england_datetime(value: dt.datetime | None, missing: str = "") -> str:
    """3 March 2026 at 2:05pm."""
    if value is None or not isinstance(value, dt.datetime):
        return england_date(value, missing)
    return f"{england_date(value)} at {england_time(value)}"


@register.filter
def age_in_words(age: int | None) -> str:
    """'83' -> '83 years old'; a baby under one shows as 'under 1 year old'."""
    if age is None:
        return "Age not known"
    if age < 1:
        return "under 1 year old"
    return f"{age} year{'s' if age != 1 else ''} old"


@register.filter
def percent(value: float | None) -> str:
    """A match probability as a whole percentage (0.9731 -> '97%'), '' when absent."""
    if value is None:
        return ""
    return f"{round(value * 100)}%"
