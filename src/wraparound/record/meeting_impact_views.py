"""The MDT's impact page (``/team/mdt/impact/``): what the team's meetings did, in figures.

Thin, like every record view: the gate (``access.open_meeting_impact``) checks the viewer may see
it, counts and audits; this module draws the three monthly series as XmR charts
(``wraparound.spc``) and renders. No RAG rating and no target line: the team is compared only with
itself, and the hospital figures carry their caveat in plain words.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.html import format_html, format_html_join
from django.views.decorators.http import require_GET

from wraparound.governance import access
from wraparound.record.views import client_ip
from wraparound.spc import chart as spc_chart
from wraparound.spc import engine


@dataclass(frozen=True)
class MonthlyChart:
    key: str
    title: str
    units: str
    explanation: str
    points: tuple  # MonthValue, as the gate gave them
    drawn: spc_chart.Chart | None
    with_range: bool  # durations: the table shows the shortest and longest too

    @property
    def table_rows(self) -> str:
        """The month-by-month table's rows, built here rather than in a template loop (three
        charts of up to 36 months: the loop was most of the template's time, as on the
        learning page). Every value is a number or a date; ``format_html`` escapes them."""
        return format_html_join(
            "\n",
            '<tr class="nhsuk-table__row" data-month="{}" data-value="{}" data-count="{}">'
            '<th scope="row" class="nhsuk-table__cell">{}</th>'
            '<td class="nhsuk-table__cell nhsuk-table__cell--numeric">{}</td>{}'
            '<td class="nhsuk-table__cell nhsuk-table__cell--numeric">{}</td></tr>',
            (
                (
                    f"{p.month:%Y-%m}",
                    repr(p.value),
                    p.count,
                    _month(p.month),
                    f"{p.value:.1f}".removesuffix(".0"),
                    format_html(
                        '<td class="nhsuk-table__cell nhsuk-table__cell--numeric">{} to {}</td>',
                        f"{p.low:.0f}",
                        f"{p.high:.0f}",
                    )
                    if self.with_range
                    else "",
                    p.count,
                )
                for p in self.points
            ),
        )


def _month(month) -> str:
    return f"{month:%B %Y}"


def _chart(key: str, title: str, units: str, improvement: str, explanation: str, points):
    drawn = None
    if points:
        result = engine.xmr(
            [p.value for p in points],
            periods=[_month(p.month) for p in points],
            improvement=improvement,
        )
        drawn = spc_chart.render(result, title=title, units=units, chart_id=f"spc-{key}")
    return MonthlyChart(key, title, units, explanation, tuple(points), drawn, key == "waits")


def _charts(page) -> list[MonthlyChart]:
    return [
        _chart(
            "people",
            "People discussed each month",
            "people",
            "neutral",
            "How many people the team discussed at its MDT each month (each person once a "
            "month). Neither up nor down is better: it is what the team chose to bring.",
            page.people_by_month,
        ),
        _chart(
            "on_time",
            "Actions done on time, by the month they fell due",
            "% of actions due",
            "up",
            "Of the actions agreed at the MDT that fell due that month, how many were done by "
            "their due date. Actions with no due date, and those no longer needed, are left out. "
            "Higher is better.",
            page.on_time_by_month,
        ),
        _chart(
            "waits",
            "Median days from nomination to discussion",
            "median days",
            "down",
            "The median number of days from a person being nominated (or suggested) to the "
            "meeting that discussed them, for people discussed that month. Lower is better.",
            page.waits_by_month,
        ),
    ]


def _team_id(raw: str | None) -> int | None:
    try:
        return int(raw) if raw else None
    except ValueError:
        return None


@require_GET
@login_required
def meeting_impact(request: HttpRequest) -> HttpResponse:
    """The team's MDT in figures; ``?team=`` chooses one of the viewer's teams."""
    try:
        page = access.open_meeting_impact(
            viewer=request.user, ip=client_ip(request), team_id=_team_id(request.GET.get("team"))
        )
    except access.NoAccess:
        return render(request, "403.html", status=403)
    return render(
        request,
        "record/meetings/impact.html",
        {"page": page, "charts": _charts(page), "nav": "meetings"},
    )
