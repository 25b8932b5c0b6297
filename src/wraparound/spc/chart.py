"""The accessible XmR chart: a server-rendered SVG and the data table that goes beside it.

Plain Python (no Django): it takes the engine's result and returns strings and small dataclasses,
so the learning page, a test and a print-out all draw the same chart. No JavaScript and no inline
``style`` (strict CSP): colours are SVG presentation attributes plus classes styled by
``static/css/spc.css``. Colour is never the only cue: each variation has its own shape and the
table says it in words. Every text that reaches the markup is escaped here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from html import escape
from typing import Any

from wraparound.spc.engine import (
    ICON_WORDS,
    MIN_POINTS_FOR_LIMITS,
    RULE_WORDS,
    VARIATION_WORDS,
    Point,
    SpcResult,
)

WIDTH, HEIGHT = 720, 320
LEFT, RIGHT, TOP, BOTTOM = 64, 16, 16, 48

# NHS England Making Data Count palette: improvement blue, concern orange, neither purple,
# common cause grey.
COLOURS: dict[str, str] = {
    "improvement": "#289de0",
    "concern": "#fab428",
    "neither": "#361475",
    "common_cause": "#7b7d7d",
}
SHAPE_WORDS: dict[str, str] = {
    "common_cause": "grey circle",
    "improvement": "blue triangle",
    "concern": "orange diamond",
    "neither": "purple square",
}


@dataclass(frozen=True)
class Row:
    """One row of the data table, in words."""

    period: str
    value: str
    variation: str
    rules: str
    special_cause: bool


@dataclass(frozen=True)
class Chart:
    title: str
    svg: str
    """Escaped SVG markup, safe to place in a page as it is."""
    summary: str
    """The chart in one sentence (also the SVG's ``<desc>``)."""
    icon: str | None
    icon_words: str
    icon_svg: str
    limits_note: str
    """Why no limits are drawn, or empty when they are."""
    rows: tuple[Row, ...]
    units: str
    chart_id: str


def plain_period(period: Any) -> str:
    """Dates in plain words ("3 March 2026"); anything else as written."""
    if isinstance(period, dt.datetime):
        period = period.date()
    if isinstance(period, str):
        try:
            period = dt.date.fromisoformat(period.strip())
        except ValueError:
            return period
    if isinstance(period, dt.date):
        return f"{period.day} {period:%B %Y}"
    return str(period)


def number(value: float | None) -> str:
    """Short, readable figures: one decimal from 10 up, two below."""
    if value is None:
        return "none"
    text = f"{value:.1f}" if abs(value) >= 10 else f"{value:.2f}"
    return "0" if text.strip("-0.") == "" else text


def render(result: SpcResult, *, title: str, units: str = "", chart_id: str = "") -> Chart:
    """The chart of ``result`` titled ``title``; ``units`` name what is counted ("requests").

    ``chart_id`` keeps the SVG's title and description ids unique when a page shows several
    charts (default: made from the title).
    """
    chart_id = chart_id or _slug(title)
    summary = _summary(result, units)
    icon = result.icon
    icon_words = ICON_WORDS[icon] if icon else "no points yet"
    limits_note = (
        ""
        if result.has_limits or not result.points
        else f"No process limits are drawn: fewer than {MIN_POINTS_FOR_LIMITS} points since the "
        "last recorded change, too few to judge special cause from limits."
    )
    rows = tuple(
        Row(
            period=plain_period(point.period),
            value=number(point.value),
            variation=VARIATION_WORDS[point.variation],
            rules="; ".join(RULE_WORDS[rule] for rule in point.rules) or "none",
            special_cause=point.special_cause,
        )
        for point in result.points
    )
    return Chart(
        title=title,
        svg=_svg(result, title=title, summary=summary, chart_id=chart_id),
        summary=summary,
        icon=icon,
        icon_words=icon_words,
        icon_svg=_icon_svg(icon, icon_words),
        limits_note=limits_note,
        rows=rows,
        units=units,
        chart_id=chart_id,
    )


def _slug(title: str) -> str:
    words = "".join(c if c.isalnum() else "-" for c in title.lower()).strip("-")
    return "spc-" + "-".join(part for part in words.split("-") if part)


def _summary(result: SpcResult, units: str) -> str:
    if not result.points:
        return "No data yet."
    unit = f" {units}" if units else ""
    parts = [f"Mean {number(result.mean)}{unit}"]
    if result.has_limits:
        parts.append(f"process limits {number(result.lower_limit)} to {number(result.upper_limit)}")
    else:
        parts.append("no process limits (too few points)")
    parts.append(f"latest point {ICON_WORDS[result.icon or 'common_cause']}")
    special = sum(point.special_cause for point in result.points)
    parts.append(f"{special} of {len(result.points)} points show special cause")
    if len(result.segments) > 1:
        parts.append(f"limits recalculated at {len(result.segments) - 1} recorded change(s)")
    return "; ".join(parts) + "."


def _svg(result: SpcResult, *, title: str, summary: str, chart_id: str) -> str:
    title_text, desc_text, ident = escape(title), escape(summary), escape(chart_id)
    head = (
        f'<svg class="spc-chart" role="img" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'xmlns="http://www.w3.org/2000/svg" aria-labelledby="{ident}-title {ident}-desc" focusable="false">'
        f'<title id="{ident}-title">{title_text}</title><desc id="{ident}-desc">{desc_text}</desc>'
    )
    if not result.points:
        return head + "</svg>"
    low, high = _y_range(result)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    count = len(result.points)

    def x(index: float) -> float:
        return LEFT + (plot_w * (index / (count - 1)) if count > 1 else plot_w / 2)

    def y(value: float) -> float:
        return TOP + plot_h * (high - value) / (high - low)

    parts = [head, _axes(low, high, y)]
    for segment in result.segments:
        x1, x2 = x(segment.start), x(segment.end - 1)
        if segment.start:
            # A recorded change: a faint vertical line where the new limits begin.
            at = (x(segment.start - 1) + x1) / 2
            parts.append(
                f'<line class="spc-change" x1="{at:.1f}" y1="{TOP}" x2="{at:.1f}" '
                f'y2="{HEIGHT - BOTTOM}" stroke="#768692" stroke-dasharray="2 3"/>'
                f'<text class="spc-tick" x="{at + 4:.1f}" y="{TOP + 12}" font-size="12" '
                'fill="#212b32">change</text>'
            )
        parts.append(_hline("spc-mean", x1, x2, y(segment.mean), "#231f20", dashed=False))
        if segment.has_limits:
            assert segment.upper_limit is not None and segment.lower_limit is not None
            for limit in (segment.upper_limit, segment.lower_limit):
                parts.append(_hline("spc-limit", x1, x2, y(limit), "#425563", dashed=True))
    line = " ".join(f"{x(p.index):.1f},{y(p.value):.1f}" for p in result.points)
    parts.append(
        f'<polyline class="spc-line" points="{line}" fill="none" stroke="#aeb7bd" stroke-width="1.5"/>'
    )
    parts.extend(_marker(p, x(p.index), y(p.value)) for p in result.points)
    parts.append(_x_labels(result, x))
    parts.append("</svg>")
    return "".join(parts)


def _y_range(result: SpcResult) -> tuple[float, float]:
    figures = [p.value for p in result.points]
    for segment in result.segments:
        figures.append(segment.mean)
        figures.extend(v for v in (segment.upper_limit, segment.lower_limit) if v is not None)
    low, high = min(figures), max(figures)
    pad = (high - low) * 0.08 or max(abs(high), 1.0) * 0.1
    return low - pad, high + pad


def _axes(low: float, high: float, y: Any) -> str:
    bottom = HEIGHT - BOTTOM
    parts = [
        f'<line class="spc-axis" x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{bottom}" stroke="#4c6272"/>',
        f'<line class="spc-axis" x1="{LEFT}" y1="{bottom}" x2="{WIDTH - RIGHT}" y2="{bottom}" '
        'stroke="#4c6272"/>',
    ]
    for step in range(5):
        value = low + (high - low) * step / 4
        parts.append(
            f'<text class="spc-tick" x="{LEFT - 6}" y="{y(value) + 4:.1f}" text-anchor="end" '
            f'font-size="12" fill="#212b32">{escape(number(value))}</text>'
        )
    return "".join(parts)


def _hline(css: str, x1: float, x2: float, y: float, colour: str, *, dashed: bool) -> str:
    dash = ' stroke-dasharray="6 4"' if dashed else ""
    return (
        f'<line class="{css}" x1="{x1:.1f}" y1="{y:.1f}" x2="{x2:.1f}" y2="{y:.1f}" '
        f'stroke="{colour}" stroke-width="2"{dash}/>'
    )


def _marker(point: Point, cx: float, cy: float) -> str:
    colour = COLOURS[point.variation]
    css = f"spc-point spc-point--{point.variation.replace('_', '-')}"
    label = escape(
        f"{plain_period(point.period)}: {number(point.value)}, {VARIATION_WORDS[point.variation]}"
    )
    if point.variation == "improvement":
        tip = -6 if point.side >= 0 else 6
        shape = (
            f'<polygon class="{css}" points="{cx:.1f},{cy + tip:.1f} {cx - 6:.1f},{cy - tip:.1f} '
            f'{cx + 6:.1f},{cy - tip:.1f}" fill="{colour}" stroke="#212b32"/>'
        )
    elif point.variation == "concern":
        shape = (
            f'<polygon class="{css}" points="{cx:.1f},{cy - 7:.1f} {cx + 7:.1f},{cy:.1f} '
            f'{cx:.1f},{cy + 7:.1f} {cx - 7:.1f},{cy:.1f}" fill="{colour}" stroke="#212b32"/>'
        )
    elif point.variation == "neither":
        shape = (
            f'<rect class="{css}" x="{cx - 5:.1f}" y="{cy - 5:.1f}" width="10" height="10" '
            f'fill="{colour}" stroke="#212b32"/>'
        )
    else:
        shape = f'<circle class="{css}" cx="{cx:.1f}" cy="{cy:.1f}" r="4" fill="{colour}"/>'
    return f"<g><title>{label}</title>{shape}</g>"


def _x_labels(result: SpcResult, x: Any) -> str:
    """The first and last periods, each segment's first, and a few between, in plain words."""
    count = len(result.points)
    wanted = {0, count - 1, *(segment.start for segment in result.segments)}
    step = max(1, (count - 1) // 4)
    wanted.update(range(0, count, step))
    chosen: list[int] = []
    for index in sorted(wanted):
        if not chosen or x(index) - x(chosen[-1]) >= 90 or index == count - 1:
            if chosen and index == count - 1 and x(index) - x(chosen[-1]) < 90 and len(chosen) > 1:
                chosen.pop()
            chosen.append(index)
    y = HEIGHT - BOTTOM + 18

    def anchor(index: int) -> str:
        # The first label starts at its point and the last ends at it, so neither is cut off.
        if count > 1 and index == 0:
            return "start"
        return "end" if count > 1 and index == count - 1 else "middle"

    return "".join(
        f'<text class="spc-tick" x="{x(index):.1f}" y="{y}" text-anchor="{anchor(index)}" '
        f'font-size="12" fill="#212b32">{escape(plain_period(result.points[index].period))}</text>'
        for index in chosen
    )


def _icon_svg(icon: str | None, words: str) -> str:
    """The Making Data Count variation icon: a coloured disc with H (higher) or L (lower)."""
    variation, _, direction = (icon or "common_cause").rpartition("_")
    if icon in (None, "common_cause"):
        variation, letter = "common_cause", ""
    else:
        letter = "H" if direction == "high" else "L"
    colour = COLOURS[variation]
    text_colour = (
        "#ffffff" if variation in ("neither", "common_cause", "improvement") else "#212b32"
    )
    mark = (
        f'<text x="20" y="26" text-anchor="middle" font-size="18" font-weight="bold" '
        f'fill="{text_colour}">{letter}</text>'
        if letter
        else '<polyline points="8,22 14,16 20,24 26,14 32,20" fill="none" stroke="#ffffff" '
        'stroke-width="2.5"/>'
    )
    return (
        f'<svg class="spc-icon" role="img" aria-label="{escape(words)}" viewBox="0 0 40 40" '
        f'width="40" height="40" xmlns="http://www.w3.org/2000/svg">'
        f'<circle cx="20" cy="20" r="18" fill="{colour}" stroke="#212b32"/>{mark}</svg>'
    )
