"""The impact page's rate maths against published values (no database).

Exact (Garwood 1936) Poisson 95% limits for small counts, as printed in the usual tables of
confidence limits for a Poisson count: 0 events: 0 to 3.689; 1: 0.0253 to 5.572; 10: 4.795 to
18.390. Larger counts are checked against the chi-squared form where scipy is installed.
"""

from __future__ import annotations

import datetime as dt
import math

import pytest

from wraparound.meetings.impact import (
    AgreedAction,
    add_months,
    difference_per_100,
    months_between,
    poisson_interval,
    rate_per_100,
)

PUBLISHED = {
    0: (0.0, 3.689),
    1: (0.0253, 5.572),
    2: (0.242, 7.225),
    3: (0.619, 8.767),
    5: (1.623, 11.668),
    10: (4.795, 18.390),
}


@pytest.mark.parametrize(("count", "limits"), PUBLISHED.items())
def test_exact_poisson_limits_match_the_published_table(count, limits):
    low, high = poisson_interval(count)
    assert low == pytest.approx(limits[0], abs=6e-4)
    assert high == pytest.approx(limits[1], abs=6e-4)


@pytest.mark.parametrize("count", [0, 1, 4, 17, 250, 3000])
def test_exact_poisson_limits_match_the_chi_squared_form(count):
    """Where scipy happens to be installed, the same limits from chi-squared quantiles."""
    chi2 = pytest.importorskip("scipy.stats").chi2
    low, high = poisson_interval(count)
    want_low = chi2.ppf(0.025, 2 * count) / 2 if count else 0.0
    assert low == pytest.approx(want_low, rel=1e-8, abs=1e-10)
    assert high == pytest.approx(chi2.ppf(0.975, 2 * count + 2) / 2, rel=1e-8)


def test_a_negative_count_is_refused():
    with pytest.raises(ValueError):
        poisson_interval(-1)


def test_rates_are_per_100_people_with_the_count_limits_scaled():
    rate = rate_per_100(10, 40)
    assert rate.per_100 == 25.0
    assert rate.low == pytest.approx(4.795 * 100 / 40, abs=2e-3)
    assert rate.high == pytest.approx(18.390 * 100 / 40, abs=2e-3)
    with pytest.raises(ValueError):
        rate_per_100(1, 0)


def test_difference_uses_the_normal_approximation_for_two_poisson_counts():
    # 12 before, 5 after among 50 people: (5 - 12) / 50 * 100 = -14; 1.96 * sqrt(17) * 2 = 16.16
    change = difference_per_100(12, 5, 50)
    assert change.per_100 == pytest.approx(-14.0)
    half = 1.959963984540054 * math.sqrt(17) * 2
    assert (change.low, change.high) == pytest.approx((-14.0 - half, -14.0 + half))
    assert difference_per_100(0, 0, 10).per_100 == 0.0


def test_months_run_across_the_year_end():
    assert add_months(dt.date(2025, 11, 1), 3) == dt.date(2026, 2, 1)
    assert add_months(dt.date(2026, 1, 1), -1) == dt.date(2025, 12, 1)
    assert months_between(dt.date(2025, 11, 1), dt.date(2026, 2, 1)) == [
        dt.date(2025, 11, 1),
        dt.date(2025, 12, 1),
        dt.date(2026, 1, 1),
    ]


@pytest.mark.parametrize(
    ("due", "done", "not_needed", "state"),
    [
        (dt.date(2026, 3, 3), dt.date(2026, 3, 3), False, "on_time"),
        (dt.date(2026, 3, 3), dt.date(2026, 3, 4), False, "late"),
        (None, dt.date(2026, 3, 4), False, "done_no_date"),
        (dt.date(2026, 3, 2), None, False, "overdue"),
        (dt.date(2026, 3, 3), None, False, "not_yet_due"),  # due today: not overdue yet
        (None, None, False, "open_no_date"),
        (dt.date(2026, 3, 1), None, True, "not_needed"),
    ],
)
def test_each_action_state(due, done, not_needed, state):
    action = AgreedAction(
        meeting_day=dt.date(2026, 2, 1), due_on=due, done_on=done, not_needed=not_needed
    )
    assert action.state(dt.date(2026, 3, 3)) == state
