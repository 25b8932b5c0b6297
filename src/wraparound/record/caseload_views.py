"""'My caseload' and the team's caseload: the lists a team works from (the morning huddle's).

Thin, like every record view: read the sort, filter and page from the query string (junk
becomes the default), ask the gate (``access.open_caseload``: whom the list holds, what needs
doing, the audit row) and render. The filter form and the page links work without
JavaScript; with it, htmx swaps just the list and focus moves to its heading.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from wraparound.governance import access
from wraparound.record.views import client_ip, is_htmx

SORT_CHOICES = (
    ("name", "Name"),
    ("most", "Most to do"),
    ("next_due", "Next due"),
)


def _int(raw: str | None, default: int) -> int:
    try:
        return max(1, min(int(raw or default), 100_000))
    except ValueError:
        return default


def _choices(request: HttpRequest, *, default_show: str) -> dict:
    return {
        "sort": request.GET.get("sort", "name")[:20],
        "show": request.GET.get("show", default_show)[:20],
        "overdue_only": request.GET.get("overdue") == "1",
        "page": _int(request.GET.get("page"), 1),
    }


def _query_base(request: HttpRequest) -> str:
    """The list's choices as a query string, for the page links (without the page)."""
    params = request.GET.copy()
    for key in ("page", "print"):
        params.pop(key, None)
    return params.urlencode()


def _render(request: HttpRequest, *, whose: str, scope: str = "list") -> HttpResponse:
    choices = _choices(request, default_show="all")
    printing = request.GET.get("print") == "1"
    if printing:  # the huddle's sheet: up to 100 people on one page, no page links to follow
        choices["page_size"] = 100
    try:
        caseload = access.open_caseload(
            viewer=request.user, ip=client_ip(request), whose=whose, scope=scope, **choices
        )
    except access.NoAccess:
        return render(request, "403.html", status=403)
    context = {
        "caseload": caseload,
        "sort_choices": SORT_CHOICES,
        "nav": "my_caseload" if whose == "mine" else "team_caseload",
        "printing": printing,
        "query_base": _query_base(request),
    }
    if is_htmx(request, "caseload"):
        return render(request, "record/caseload_list.html", context)
    return render(request, "record/caseload.html", context)


@require_GET
@login_required
def my_caseload(request: HttpRequest) -> HttpResponse:
    """The people assigned to me, and those I hold a plan action for, with what needs doing."""
    return _render(request, whose="mine")


@require_GET
@login_required
def team_caseload(request: HttpRequest) -> HttpResponse:
    """The team's list (referrals, colleagues' people), or everyone in the team's areas."""
    scope = "neighbourhood" if request.GET.get("scope") == "neighbourhood" else "list"
    return _render(request, whose="team", scope=scope)
