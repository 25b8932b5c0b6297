"""The data steward's pages: break-glass reviews, audit search, subject access report, and the
linkage review queue. Mounted under /steward/ by ``record/steward_urls.py``.

Like every view here, these only call the gate; the gate refuses anyone who is not a data
steward (``access.NoAccess``) and audits the attempt ("refused"), and these views turn it
into the plain 403 page. Pages that show nothing until a form is filled in ask the gate too
(``access.require_steward``), so even a look at an empty steward page by anyone else is
recorded.
"""

from __future__ import annotations

import csv

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from wraparound.core.spreadsheet_cells import as_text
from wraparound.governance import access
from wraparound.record.forms import (
    AccessReportForm,
    AuditSearchForm,
    CloseBreakGlassForm,
    ReviewDecisionForm,
)
from wraparound.record.views import client_ip


def not_for_you(request: HttpRequest) -> HttpResponse:
    return render(request, "403.html", status=403)


def _steward_only(request: HttpRequest) -> bool:
    """Ask the gate; anyone else's attempt is audited there ("refused")."""
    try:
        access.require_steward(
            viewer=request.user, ip=client_ip(request), tried=f"open {request.path}"
        )
    except access.NoAccess:
        return False
    return True


def _page_number(request: HttpRequest) -> int:
    raw = request.GET.get("page", "1")
    return int(raw) if raw.isdigit() and 0 < len(raw) < 7 else 1


@require_GET
@login_required
def home(request: HttpRequest) -> HttpResponse:
    if not _steward_only(request):
        return not_for_you(request)
    return render(request, "record/steward/home.html", {"nav": "steward"})


@require_GET
@login_required
def break_glass_reviews(request: HttpRequest) -> HttpResponse:
    """Every open grant, oldest first, 25 to a page, with the true count of those waiting."""
    try:
        queue = access.break_glass_queue(
            viewer=request.user, ip=client_ip(request), page=_page_number(request)
        )
    except access.NoAccess:
        return not_for_you(request)
    return render(
        request,
        "record/steward/break_glass_reviews.html",
        {"queue": queue, "reviews": queue.reviews, "form": CloseBreakGlassForm(), "nav": "steward"},
    )


def _reviews_page(
    request: HttpRequest, form: CloseBreakGlassForm, grant_id: int | None = None
) -> HttpResponse:
    """The reviews list, with ``form``'s errors shown against the review that failed (400)."""
    try:
        queue = access.break_glass_queue(
            viewer=request.user, ip=client_ip(request), page=_page_number(request)
        )
    except access.NoAccess:
        return not_for_you(request)
    reviews = queue.reviews
    shown = {r.grant_id for r in reviews}
    return render(
        request,
        "record/steward/break_glass_reviews.html",
        {
            "queue": queue,
            "reviews": reviews,
            "form": form,
            "failed_grant": grant_id if grant_id in shown else None,
            # The error summary links to the failed review's first outcome, when it is listed.
            "first_field_id": f"outcome-{grant_id}-1" if grant_id in shown else "",
            "nav": "steward",
        },
        status=400 if form.errors else 200,
    )


@require_POST
@login_required
def close_break_glass_review(request: HttpRequest, grant_id: int) -> HttpResponse:
    """Close one review; the gate's refusals (own access, no note...) show on the same page."""
    form = CloseBreakGlassForm(request.POST)
    if not form.is_valid():
        return _reviews_page(request, form, grant_id)
    try:
        access.close_break_glass_review(
            viewer=request.user,
            grant_id=grant_id,
            outcome=form.cleaned_data["outcome"],
            note=form.cleaned_data["note"],
            ip=client_ip(request),
        )
    except access.NoAccess:
        return not_for_you(request)
    except access.InvalidRequest as exc:
        form.add_error(None, str(exc))
        return _reviews_page(request, form, grant_id)
    messages.success(request, "The review has been closed.")
    return redirect("steward:break_glass_reviews")


@require_GET
@login_required
def audit_search(request: HttpRequest) -> HttpResponse:
    form = AuditSearchForm(request.GET or None)
    rows = None
    if not _steward_only(request):
        return not_for_you(request)
    if form.is_bound and form.is_valid():
        filters = {k: v for k, v in form.cleaned_data.items() if v not in (None, "")}
        try:
            rows = access.search_audit(viewer=request.user, ip=client_ip(request), **filters)
        except access.NoAccess:
            return not_for_you(request)
    status = 400 if form.is_bound and not form.is_valid() else 200
    return render(
        request,
        "record/steward/audit.html",
        {"form": form, "rows": rows, "nav": "steward"},
        status=status,
    )


REPORT_COLUMNS = ["Date and time", "Staff member", "Role", "Organisation", "What", "Why"]


def _report_csv(report) -> StreamingHttpResponse:
    """The whole report as a CSV file; cells a spreadsheet would run as formulas are text."""

    class Echo:
        def write(self, value: str) -> str:
            return value

    writer = csv.writer(Echo())
    lines = [
        [f"Subject access report: {report.person_name}"],
        [f"{report.total} entries, newest first"],
        REPORT_COLUMNS,
        *[[r.when, r.staff_name, r.role_label, r.organisation, r.what, r.why] for r in report.rows],
    ]
    response = StreamingHttpResponse(
        (writer.writerow([as_text(cell) for cell in line]) for line in lines),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = 'attachment; filename="subject-access-report.csv"'
    response["Cache-Control"] = "no-store"
    return response


@require_GET
@login_required
def access_report(request: HttpRequest) -> HttpResponse:
    """Subject access request: every audit row that showed one person, in plain words.

    Found by NHS Number, or full name and date of birth. Paged on screen; ``?download=csv``
    gives every row as a file and ``?whole=1`` every row on one page, for printing.
    """
    form = AccessReportForm(request.GET or None)
    report = None
    if not _steward_only(request):
        return not_for_you(request)
    whole = request.GET.get("download") == "csv" or request.GET.get("whole") == "1"
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        try:
            report = access.access_report_for_person(
                viewer=request.user,
                ip=client_ip(request),
                person_id=data.get("person_id"),
                nhs_number=data.get("nhs_number") or None,
                name=data.get("name") or None,
                date_of_birth=data.get("date_of_birth"),
                page=data.get("page") or 1,
                whole=whole,
            )
        except access.NoAccess:
            return not_for_you(request)
        except access.InvalidRequest as exc:
            form.add_error(None, str(exc))
    if report is not None and request.GET.get("download") == "csv":
        return _report_csv(report)
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("whole", None)
    query.pop("download", None)
    status = 400 if form.is_bound and form.errors else 200
    return render(
        request,
        "record/steward/access_report.html",
        {
            "form": form,
            "report": report,
            "rows": report.rows if report else None,
            "query": query.urlencode(),
            "whole": whole,
            "first_field_id": "id_nhs_number",
            "nav": "steward",
        },
        status=status,
    )


def _queue_page(
    request: HttpRequest, form: ReviewDecisionForm | None = None, pair_id: int | None = None
) -> HttpResponse:
    try:
        pairs = access.open_review_queue(viewer=request.user, ip=client_ip(request))
    except access.NoAccess:
        return not_for_you(request)
    shown = {p.pair_id for p in pairs}
    failed = pair_id if pair_id in shown else None
    return render(
        request,
        "record/steward/review_queue.html",
        {
            "pairs": pairs,
            "form": form,
            "failed_pair": failed,
            "first_field_id": f"reason-{failed}" if failed else "",
            "nav": "steward",
        },
        status=400 if form is not None and form.errors else 200,
    )


@require_GET
@login_required
def review_queue(request: HttpRequest) -> HttpResponse:
    """Linkage review: uncertain pairs side by side with the evidence for each comparison."""
    return _queue_page(request)


@require_POST
@login_required
def decide_review_pair(request: HttpRequest, pair_id: int) -> HttpResponse:
    form = ReviewDecisionForm(request.POST)
    if not form.is_valid():
        return _queue_page(request, form, pair_id)
    try:
        access.decide_review_pair(
            viewer=request.user,
            pair_id=pair_id,
            decision=form.cleaned_data["decision"],
            reason=form.cleaned_data["reason"],
            ip=client_ip(request),
        )
    except access.NoAccess:
        return not_for_you(request)
    except access.InvalidRequest as exc:
        form.add_error(None, str(exc))
        return _queue_page(request, form, pair_id)
    words = dict(ReviewDecisionForm.DECISIONS)[form.cleaned_data["decision"]]
    messages.success(request, f"Decision recorded: {words}.")
    return redirect("steward:review_queue")
