"""``wraparound spc PATH.csv``: an XmR chart of a ``period,value`` series, in words or JSON."""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from wraparound.spc.engine import (
    ICON_WORDS,
    IMPROVEMENTS,
    MIN_POINTS_FOR_LIMITS,
    RULE_WORDS,
    VARIATION_WORDS,
    SpcError,
    SpcResult,
    as_dict,
    xmr,
)
from wraparound.spc.series_csv import read_series


class Command(BaseCommand):
    help = (
        "XmR chart (NHS England's Making Data Count) of a CSV with columns period,value: "
        "mean, process limits, and each point's variation and the rules that fired."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path, help="CSV file with columns period,value")
        parser.add_argument("--improvement", choices=IMPROVEMENTS, default="neutral")
        parser.add_argument("--shift-points", type=int, default=7, dest="shift_points")
        parser.add_argument("--trend-points", type=int, default=7, dest="trend_points")
        parser.add_argument(
            "--change",
            action="append",
            default=[],
            metavar="PERIOD",
            help="a period at which the team changed how it works: limits are recalculated "
            "from the first point on or after it (repeatable)",
        )
        parser.add_argument(
            "--screen-outliers",
            action="store_true",
            help="leave moving ranges of 3.267 × the mean moving range or more out of the limits",
        )
        parser.add_argument("--json", action="store_true", help="print one JSON object")

    def handle(self, *args: object, **options: object) -> None:
        try:
            periods, values = read_series(options["path"])  # type: ignore[arg-type]
            result = xmr(
                values,
                periods=periods,
                improvement=options["improvement"],  # type: ignore[arg-type]
                shift_points=options["shift_points"],  # type: ignore[arg-type]
                trend_points=options["trend_points"],  # type: ignore[arg-type]
                changes=options["change"],  # type: ignore[arg-type]
                screen_outliers=bool(options["screen_outliers"]),
            )
        except SpcError as problem:
            raise CommandError(str(problem)) from None
        if options["json"]:
            self.stdout.write(json.dumps(as_dict(result)))
        else:
            self.stdout.write(_as_text(result))


def _number(value: float | None) -> str:
    return "none" if value is None else f"{value:.2f}"


def _as_text(result: SpcResult) -> str:
    lines = []
    for number, segment in enumerate(result.segments, start=1):
        first = result.points[segment.start].period
        heading = f"Segment {number} (from {first}, {segment.size} points)"
        lines.append(heading if len(result.segments) > 1 else f"{segment.size} points")
        lines.append(f"Mean: {_number(segment.mean)}")
        if segment.has_limits:
            lines.append(f"Upper process limit: {_number(segment.upper_limit)}")
            lines.append(f"Lower process limit: {_number(segment.lower_limit)}")
        else:
            lines.append(
                f"No process limits: fewer than {MIN_POINTS_FOR_LIMITS} points, too few to judge "
                "special cause from limits."
            )
    lines.append(f"Improvement: {result.improvement}")
    if result.icon:
        lines.append(f"Latest point: {ICON_WORDS[result.icon]}")
    lines.append("")
    lines.append("period\tvalue\tvariation\trules")
    for point in result.points:
        rules = "; ".join(RULE_WORDS[rule] for rule in point.rules) or "-"
        lines.append(
            f"{point.period}\t{point.value:g}\t{VARIATION_WORDS[point.variation]}\t{rules}"
        )
    return "\n".join(lines)
