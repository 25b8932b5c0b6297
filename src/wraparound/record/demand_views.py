"""What demand teaches us: the team's learning page (weekly XmR charts) and its recorded changes.

Thin, like every record view: the gate (``access.open_demand_page``) checks the viewer is in the
team, counts by week in the database and audits the opening; this module turns each weekly series
into an XmR chart (``wraparound.spc``), split only at the changes the team recorded, and renders.
No RAG, no targets, no league tables: the page compares the team only with itself.
"""

from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import format_html_join
from django.views.decorators.http import require_http_methods

from wraparound.governance import access
from wraparound.record.forms import PLAN_DATE_ERRORS, PLAN_DATE_FORMATS
from wraparound.record.views import client_ip
from wraparound.spc import chart as spc_chart
from wraparound.spc import engine

VARIATION_WORDS = {
    "common_cause": "Common cause",
    "improvement": "Special cause: improvement",
    "concern": "Special cause: concern",
    "neither": "Special cause: neither better nor worse",
}
RULE_WORDS = {
    engine.RULE_OUTSIDE_LIMITS: "outside the limits",
    engine.RULE_SHIFT: "a run of 7 on one side of the mean",
    engine.RULE_TREND: "7 rising or falling",
    engine.RULE_TWO_IN_THREE: "2 of 3 close to a limit",
}


class ProcessChangeForm(forms.Form):
    changed_on = forms.DateField(
        label="When did the team make the change?",
        input_formats=PLAN_DATE_FORMATS,
        help_text="For example, 3 March 2026. Limits are recalculated from the week after.",
        error_messages={**PLAN_DATE_ERRORS, "required": "Enter the date of the change"},
    )
    description = forms.CharField(
        label="What did the team change?",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Say what the team changed"},
    )


@dataclass(frozen=True)
class ChartRow:
    week: object
    value: float
    count: int
    variation: str
    variation_words: str
    rules_words: str
    segment: int


@dataclass(frozen=True)
class ChartView:
    key: str
    title: str
    units: str
    improvement: str
    explanation: str
    result: engine.SpcResult | None
    rows: tuple[ChartRow, ...]
    has_limits: bool
    icon: str
    drawn: spc_chart.Chart | None

    @property
    def table_rows(self) -> str:
        """The full-figures table's rows, built here rather than in a template loop: five
        charts of a year's weeks are hundreds of rows, and Django's loop was half the page's
        time. Every value is a number or a date; ``format_html`` escapes them all the same."""
        return format_html_join(
            "\n",
            '<tr class="nhsuk-table__row" data-week="{}" data-value="{}">'
            '<td class="nhsuk-table__cell">{}</td>'
            '<td class="nhsuk-table__cell nhsuk-table__cell--numeric">{}</td>'
            '<td class="nhsuk-table__cell nhsuk-table__cell--numeric">{}</td>'
            '<td class="nhsuk-table__cell">{}</td></tr>',
            (
                (
                    row.week.isoformat(),
                    repr(row.value),
                    f"{row.week.day} {row.week:%B %Y}",
                    f"{row.value:.2f}",
                    row.count,
                    row.variation_words + (f" ({row.rules_words})" if row.rules_words else ""),
                )
                for row in self.rows
            ),
        )


def _chart(measure, changes) -> ChartView:
    points = measure.points
    if not points:
        return ChartView(
            measure.key,
            measure.title,
            measure.units,
            measure.improvement,
            measure.explanation,
            None,
            (),
            False,
            "",
            None,
        )
    result = engine.xmr(
        [p.value for p in points],
        periods=[p.week for p in points],
        improvement=measure.improvement,
        changes=[c.changed_on for c in changes],
    )
    rows = tuple(
        ChartRow(
            week=p.week,
            value=p.value,
            count=p.count,
            variation=r.variation,
            variation_words=VARIATION_WORDS.get(r.variation, r.variation),
            rules_words=", ".join(RULE_WORDS.get(rule, rule) for rule in r.rules),
            segment=r.segment,
        )
        for p, r in zip(points, result.points, strict=True)
    )
    return ChartView(
        key=measure.key,
        title=measure.title,
        units=measure.units,
        improvement=measure.improvement,
        explanation=measure.explanation,
        result=result,
        rows=rows,
        has_limits=any(s.upper_limit is not None for s in result.segments),
        icon=result.icon or "",
        drawn=spc_chart.render(
            result, title=measure.title, units=measure.units, chart_id=f"spc-{measure.key}"
        ),
    )


def _team_id(raw: str | None) -> int | None:
    try:
        return int(raw) if raw else None
    except ValueError:
        return None


@require_http_methods(["GET", "POST"])
@login_required
def demand_page(request: HttpRequest) -> HttpResponse:
    """The team's five weekly measures as XmR charts, and the form to record a change."""
    team_id = _team_id(request.GET.get("team") or request.POST.get("team"))
    form = ProcessChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            access.record_process_change(
                viewer=request.user,
                ip=client_ip(request),
                team_id=team_id,
                changed_on=form.cleaned_data["changed_on"],
                description=form.cleaned_data["description"],
            )
        except access.NoAccess:
            return render(request, "403.html", status=403)
        except access.InvalidRequest as problem:
            form.add_error("description", str(problem))
        else:
            return redirect(f"{reverse('record:demand')}?team={team_id}#changes")
    try:
        page = access.open_demand_page(viewer=request.user, ip=client_ip(request), team_id=team_id)
    except access.NoAccess:
        return render(request, "403.html", status=403)
    charts = [_chart(m, page.changes) for m in page.measures]
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "record/demand.html",
        {"page": page, "charts": charts, "form": form, "nav": "demand"},
        status=status,
    )
