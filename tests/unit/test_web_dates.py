"""Dates on pages read the way people write them in England."""

import datetime as dt
import zoneinfo

from wraparound.record.templatetags.england import (
    age_in_words,
    england_date,
    england_datetime,
    england_time,
    percent,
)

LONDON = zoneinfo.ZoneInfo("Europe/London")


def test_date_has_no_leading_zero_and_month_in_words():
    assert england_date(dt.date(2026, 3, 3)) == "3 March 2026"
    assert england_date(dt.date(1942, 12, 25)) == "25 December 1942"


def test_missing_date_shows_the_words_given():
    assert england_date(None) == ""
    assert england_date(None, "Not known") == "Not known"


def test_aware_datetime_is_shown_in_london_time():
    # 23:30 UTC on 30 June is 00:30 on 1 July in British Summer Time.
    value = dt.datetime(2026, 6, 30, 23, 30, tzinfo=dt.UTC)
    assert england_date(value) == "1 July 2026"
    assert england_datetime(value) == "1 July 2026 at 12:30am"


def test_times_as_a_rota_writes_them():
    assert england_time(dt.datetime(2026, 1, 5, 14, 5, tzinfo=LONDON)) == "2:05pm"
    assert england_time(dt.datetime(2026, 1, 5, 10, 0, tzinfo=LONDON)) == "10am"
    assert england_time(dt.datetime(2026, 1, 5, 12, 0, tzinfo=LONDON)) == "midday"
    assert england_time(dt.datetime(2026, 1, 5, 0, 0, tzinfo=LONDON)) == "midnight"


def test_age_and_percent():
    assert age_in_words(83) == "83 years old"
    assert age_in_words(1) == "1 year old"
    assert age_in_words(0) == "under 1 year old"
    assert age_in_words(None) == "Age not known"
    assert percent(0.9731) == "97%"
    assert percent(None) == ""
