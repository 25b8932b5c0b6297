"""Statistical process control for the team's own learning: the XmR (individuals) chart.

Plain Python on purpose (no Django, no other wraparound app): the same engine draws the team's
learning page, runs in ``wraparound spc`` and can be checked against published cases on its own.

The rules follow NHS England's *Making Data Count* as implemented by the NHS-R community's
NHSRplotthedots package, so a team's chart here says what the same data says there:

* mean and mean moving range per segment; process limits ``mean ± 2.66 × mean moving range``;
  one sigma is ``2.66 / 3 × mean moving range``;
* limits are recalculated only where the team recorded a change (a new segment starts at the
  first point on or after each change period), never because the data moved;
* special cause, judged within a segment: a point outside the limits; a run of ``shift_points``
  (default 7) on one side of the mean (a point on the mean breaks the run); ``trend_points``
  (default 7) points each higher (or each lower) than the one before (a tie breaks it); two of
  three consecutive points close to a limit (beyond two sigma but inside the limit), with all
  three on the same side of the mean;
* a special-cause point is an *improvement* when it lies on the improving side of the mean,
  otherwise a *concern*; with no improvement direction it is *neither*;
* a segment with fewer than ``MIN_POINTS_FOR_LIMITS`` (13) points gets a mean but no limits, so
  no limit-based rule can fire in it: too few points make limits that mislead.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

Improvement = Literal["up", "down", "neutral"]
Variation = Literal["common_cause", "improvement", "concern", "neither"]

LIMIT_FACTOR = 2.66
"""Process limits sit this many mean moving ranges from the mean (3 sigma for an XmR chart)."""
SIGMA_FACTOR = LIMIT_FACTOR / 3
"""One sigma, in mean moving ranges."""
OUTLIER_SCREEN_FACTOR = 3.267
"""With outlier screening on, moving ranges at or above this many mean moving ranges are dropped."""
MIN_POINTS_FOR_LIMITS = 13
"""Fewer points than this in a segment: a mean, but no process limits."""

RULE_OUTSIDE_LIMITS = "outside_limits"
RULE_SHIFT = "shift"
RULE_TREND = "trend"
RULE_TWO_IN_THREE = "two_in_three"
RULES = (RULE_OUTSIDE_LIMITS, RULE_SHIFT, RULE_TREND, RULE_TWO_IN_THREE)

IMPROVEMENTS: tuple[Improvement, ...] = ("up", "down", "neutral")
_DIRECTION = {"up": 1, "down": -1, "neutral": 0}


class SpcError(ValueError):
    """The series or the options cannot make a chart; the message says why, in plain words."""


@dataclass(frozen=True)
class Segment:
    """A stretch of points between recorded changes, with its own mean and (if long enough) limits."""

    start: int
    """Index of the first point in the segment."""
    end: int
    """Index one past the last point."""
    mean: float
    mean_moving_range: float | None
    upper_limit: float | None
    lower_limit: float | None
    upper_two_sigma: float | None
    lower_two_sigma: float | None
    upper_one_sigma: float | None
    lower_one_sigma: float | None

    @property
    def size(self) -> int:
        return self.end - self.start

    @property
    def has_limits(self) -> bool:
        return self.upper_limit is not None


@dataclass(frozen=True)
class Point:
    """One value of the series, with what the chart says about it."""

    index: int
    period: Any
    value: float
    segment: int
    side: int
    """+1 above its segment's mean, -1 below, 0 on it."""
    rules: tuple[str, ...]
    variation: Variation

    @property
    def special_cause(self) -> bool:
        return bool(self.rules)


@dataclass(frozen=True)
class SpcResult:
    points: tuple[Point, ...]
    segments: tuple[Segment, ...]
    improvement: Improvement
    shift_points: int
    trend_points: int
    screen_outliers: bool

    @property
    def latest_segment(self) -> Segment | None:
        return self.segments[-1] if self.segments else None

    @property
    def mean(self) -> float | None:
        segment = self.latest_segment
        return segment.mean if segment else None

    @property
    def upper_limit(self) -> float | None:
        segment = self.latest_segment
        return segment.upper_limit if segment else None

    @property
    def lower_limit(self) -> float | None:
        segment = self.latest_segment
        return segment.lower_limit if segment else None

    @property
    def has_limits(self) -> bool:
        segment = self.latest_segment
        return bool(segment and segment.has_limits)

    @property
    def icon(self) -> str | None:
        """The variation icon for the latest point: ``common_cause`` or ``<variation>_<high|low>``."""
        if not self.points:
            return None
        latest = self.points[-1]
        if not latest.special_cause:
            return "common_cause"
        high = latest.side > 0 or (latest.side == 0 and _latest_trend_rising(self.points))
        return f"{latest.variation}_{'high' if high else 'low'}"


def xmr(
    values: Sequence[float],
    *,
    periods: Sequence[Any] | None = None,
    improvement: Improvement = "neutral",
    shift_points: int = 7,
    trend_points: int = 7,
    changes: Iterable[Any] = (),
    screen_outliers: bool = False,
    min_points: int = MIN_POINTS_FOR_LIMITS,
) -> SpcResult:
    """Compute an XmR chart of ``values`` (in time order) and classify every point.

    ``periods`` label the points (default 1, 2, 3, …); ``changes`` are periods at which the team
    recorded a change to how it works: a new segment (new mean and limits) starts at the first
    point whose period is on or after each change. ``min_points`` is the fewest points a segment
    needs for limits (13, the issue's rule; lower it only to compare with other tools).
    """
    numbers = [_finite(value, index) for index, value in enumerate(values)]
    labels = list(periods) if periods is not None else list(range(1, len(numbers) + 1))
    if len(labels) != len(numbers):
        raise SpcError("There must be one period for each value.")
    if improvement not in _DIRECTION:
        raise SpcError("The improvement direction must be up, down or neutral.")
    if shift_points < 2 or trend_points < 2:
        raise SpcError("A shift or a trend needs at least 2 points.")
    if min_points < 2:
        raise SpcError("Process limits need at least 2 points.")
    direction = _DIRECTION[improvement]
    bounds = _segment_bounds(labels, changes)
    segments: list[Segment] = []
    points: list[Point] = []
    for number, (start, end) in enumerate(bounds):
        segment = _segment(
            numbers, start, end, screen_outliers=screen_outliers, min_points=min_points
        )
        segments.append(segment)
        chunk = numbers[start:end]
        sides = [_sign(value - segment.mean) for value in chunk]
        fired = _rules(chunk, sides, segment, shift_points=shift_points, trend_points=trend_points)
        for offset, value in enumerate(chunk):
            rules = tuple(rule for rule in RULES if offset in fired[rule])
            points.append(
                Point(
                    index=start + offset,
                    period=labels[start + offset],
                    value=value,
                    segment=number,
                    side=sides[offset],
                    rules=rules,
                    variation=_variation(bool(rules), sides[offset], direction),
                )
            )
    return SpcResult(
        points=tuple(points),
        segments=tuple(segments),
        improvement=improvement,
        shift_points=shift_points,
        trend_points=trend_points,
        screen_outliers=screen_outliers,
    )


def _finite(value: Any, index: int) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise SpcError(f"Value {index + 1} ({value!r}) is not a number.") from None
    if not math.isfinite(number):
        raise SpcError(f"Value {index + 1} ({value!r}) is not a finite number.")
    return number


def _segment_bounds(labels: Sequence[Any], changes: Iterable[Any]) -> list[tuple[int, int]]:
    """Split at the first point on or after each change; a change before the first point or after
    the last starts no segment (there is nothing to recalculate)."""
    starts = {0}
    for change in changes:
        for index, label in enumerate(labels):
            if isinstance(change, dt.datetime) and not isinstance(label, dt.datetime):
                change = change.date()  # a change recorded at a time, periods that are days
            try:
                on_or_after = label >= change
            except TypeError:
                raise SpcError(
                    f"The change {change!r} cannot be compared with the periods."
                ) from None
            if on_or_after:
                starts.add(index)
                break
    if not labels:
        return []
    ordered = sorted(starts)
    return list(zip(ordered, [*ordered[1:], len(labels)], strict=True))


def _segment(
    numbers: Sequence[float], start: int, end: int, *, screen_outliers: bool, min_points: int
) -> Segment:
    chunk = numbers[start:end]
    mean = math.fsum(chunk) / len(chunk)
    if len(chunk) < min_points:
        return Segment(start, end, mean, None, None, None, None, None, None, None)
    ranges = [abs(b - a) for a, b in zip(chunk, chunk[1:], strict=False)]
    mean_range = math.fsum(ranges) / len(ranges)
    if screen_outliers:
        kept = [r for r in ranges if r < OUTLIER_SCREEN_FACTOR * mean_range]
        mean_range = math.fsum(kept) / len(kept) if kept else mean_range
    sigma = SIGMA_FACTOR * mean_range
    return Segment(
        start=start,
        end=end,
        mean=mean,
        mean_moving_range=mean_range,
        upper_limit=mean + LIMIT_FACTOR * mean_range,
        lower_limit=mean - LIMIT_FACTOR * mean_range,
        upper_two_sigma=mean + 2 * sigma,
        lower_two_sigma=mean - 2 * sigma,
        upper_one_sigma=mean + sigma,
        lower_one_sigma=mean - sigma,
    )


def _sign(number: float) -> int:
    return (number > 0) - (number < 0)


def _rules(
    chunk: Sequence[float],
    sides: Sequence[int],
    segment: Segment,
    *,
    shift_points: int,
    trend_points: int,
) -> dict[str, set[int]]:
    """Which offsets (within the segment) each rule marks."""
    fired: dict[str, set[int]] = {rule: set() for rule in RULES}
    fired[RULE_SHIFT] = _runs(sides, shift_points)
    steps = [_sign(b - a) for a, b in zip(chunk, chunk[1:], strict=False)]
    # A trend of n points is n - 1 steps the same way; step i joins points i and i + 1.
    for step_offset in _runs(steps, trend_points - 1):
        fired[RULE_TREND].update({step_offset, step_offset + 1})
    if segment.has_limits:
        assert segment.upper_limit is not None and segment.lower_limit is not None
        assert segment.upper_two_sigma is not None and segment.lower_two_sigma is not None
        outside = [v > segment.upper_limit or v < segment.lower_limit for v in chunk]
        fired[RULE_OUTSIDE_LIMITS] = {i for i, out in enumerate(outside) if out}
        close = [
            not outside[i] and (v > segment.upper_two_sigma or v < segment.lower_two_sigma)
            for i, v in enumerate(chunk)
        ]
        for first in range(len(chunk) - 2):
            window = range(first, first + 3)
            same_side = abs(sum(sides[i] for i in window)) == 3
            if same_side and sum(close[i] for i in window) >= 2:
                fired[RULE_TWO_IN_THREE].update(i for i in window if close[i])
    return fired


def _runs(signs: Sequence[int], length: int) -> set[int]:
    """Offsets belonging to a run of at least ``length`` equal, non-zero signs."""
    marked: set[int] = set()
    run_start = 0
    for index in range(1, len(signs) + 1):
        if index == len(signs) or signs[index] != signs[run_start]:
            if signs[run_start] != 0 and index - run_start >= length:
                marked.update(range(run_start, index))
            run_start = index
    return marked


def _variation(special: bool, side: int, direction: int) -> Variation:
    if not special:
        return "common_cause"
    if direction == 0:
        return "neither"
    return "improvement" if side == direction else "concern"


def _latest_trend_rising(points: Sequence[Point]) -> bool:
    return len(points) >= 2 and points[-1].value > points[-2].value


VARIATION_WORDS: dict[str, str] = {
    "common_cause": "common cause",
    "improvement": "special cause: improvement",
    "concern": "special cause: concern",
    "neither": "special cause: neither improvement nor concern",
}
RULE_WORDS: dict[str, str] = {
    RULE_OUTSIDE_LIMITS: "outside the process limits",
    RULE_SHIFT: "part of a run on one side of the mean",
    RULE_TREND: "part of a run rising or falling",
    RULE_TWO_IN_THREE: "two of three close to a process limit",
}
ICON_WORDS: dict[str, str] = {
    "common_cause": "common cause variation",
    "improvement_high": "special cause improvement, higher",
    "improvement_low": "special cause improvement, lower",
    "concern_high": "special cause concern, higher",
    "concern_low": "special cause concern, lower",
    "neither_high": "special cause, higher (neither improvement nor concern)",
    "neither_low": "special cause, lower (neither improvement nor concern)",
}


def as_dict(result: SpcResult) -> dict[str, Any]:
    """The JSON shape documented in docs/spc.md (limits are those of the latest segment)."""
    return {
        "mean": result.mean,
        "upper_limit": result.upper_limit,
        "lower_limit": result.lower_limit,
        "improvement": result.improvement,
        "icon": result.icon,
        "limits_shown": result.has_limits,
        "segments": [
            {
                "first_period": _plain(result.points[s.start].period),
                "points": s.size,
                "mean": s.mean,
                "mean_moving_range": s.mean_moving_range,
                "upper_limit": s.upper_limit,
                "lower_limit": s.lower_limit,
            }
            for s in result.segments
        ],
        "points": [
            {
                "period": _plain(p.period),
                "value": p.value,
                "special_cause": p.special_cause,
                "variation": p.variation,
                "rules": list(p.rules),
            }
            for p in result.points
        ],
    }


def _plain(period: Any) -> Any:
    if isinstance(period, (str, int, float)) or period is None:
        return period
    isoformat = getattr(period, "isoformat", None)
    return isoformat() if callable(isoformat) else str(period)
