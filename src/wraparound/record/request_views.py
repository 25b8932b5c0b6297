"""Requests for help: the team's queue, logging a request, and one request's page.

Thin like every view here: parse the request, ask the gate (``access.request_queue``,
``access.log_request``, ``access.open_help_request`` and the changes) and render. A refusal
looks the same whatever its cause (``views.refusal``); words the gate rejects come back on the
form that sent them.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from wraparound.governance import access
from wraparound.record.forms import (
    CloseRequestForm,
    FindPersonForm,
    HandoffForm,
    HelpRequestForm,
    RequestContactForm,
    UrgentVisitForm,
)
from wraparound.record.views import client_ip, refusal

_REFUSED = (access.NoAccess, access.BreakGlassRequired)


@require_GET
@login_required
def request_queue(request: HttpRequest) -> HttpResponse:
    """The team's queue: urgent ones on top with their clock, unowned, mine, stuck."""
    try:
        queue = access.request_queue(viewer=request.user, ip=client_ip(request))
    except _REFUSED:
        return refusal(request)
    return render(request, "record/request_queue.html", {"queue": queue, "nav": "requests"})


@require_http_methods(["GET", "POST"])
@login_required
def new_request(request: HttpRequest) -> HttpResponse:
    """Log a request: find the person (the gate's search) or note details to find them."""
    ip = client_ip(request)
    try:
        teams = access.request_teams(viewer=request.user)
    except _REFUSED:
        return refusal(request)
    source = request.POST if request.method == "POST" else request.GET
    find = FindPersonForm({"q": source.get("q", "")}) if source.get("q") else FindPersonForm()
    results = None
    if find.is_bound and find.is_valid():
        try:
            results = access.search_people(viewer=request.user, query=find.cleaned_data["q"], ip=ip)
        except access.Paused as paused:
            find.add_error("q", str(paused))
        except _REFUSED:
            return refusal(request)
        except access.InvalidRequest as exc:
            find.add_error("q", str(exc))
    form = HelpRequestForm(request.POST) if request.method == "POST" else HelpRequestForm()
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            request_id = access.log_request(
                viewer=request.user,
                what_is_needed=data["what_is_needed"],
                caller_relationship=data["caller_relationship"],
                channel=data["channel"],
                caller_name=data["caller_name"],
                person_id=data.get("person_id"),
                person_details=data["person_details"],
                urgent=data["urgent"],
                urgent_condition=data["urgent_condition"],
                team_id=request.POST.get("team") or None,
                ip=ip,
            )
        except _REFUSED:
            return refusal(request)
        except access.InvalidRequest as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "The request has been logged.")
            return redirect(reverse("record:help_request", args=[request_id]))
    chosen = str(source.get("person_id") or "")
    status = 400 if form.is_bound and form.errors else 200
    return render(
        request,
        "record/request_new.html",
        {
            "form": form,
            "find_form": find,
            "results": results,
            "chosen": chosen,
            "teams": teams,
            "nav": "requests",
        },
        status=status,
    )


def _page(request: HttpRequest, request_id: int, status: int = 200, **forms) -> HttpResponse:
    try:
        view = access.open_help_request(
            viewer=request.user, request_id=request_id, ip=client_ip(request)
        )
    except _REFUSED:
        return refusal(request)
    find, results = FindPersonForm(), None
    if view.item.person_id is None and request.GET.get("q"):
        find = FindPersonForm({"q": request.GET["q"]})
        if find.is_valid():
            try:
                results = access.search_people(
                    viewer=request.user, query=find.cleaned_data["q"], ip=client_ip(request)
                )
            except access.Paused as paused:
                find.add_error("q", str(paused))
            except _REFUSED:
                return refusal(request)
            except access.InvalidRequest as exc:
                find.add_error("q", str(exc))
    context = {
        "find_form": find,
        "results": results,
        "hr": view,
        "handoff_form": forms.get("handoff_form") or HandoffForm(colleagues=view.colleagues),
        "contact_form": forms.get("contact_form")
        or RequestContactForm(
            initial={"demand": view.suggested_demand, "failure_kind": view.suggested_failure_kind}
        ),
        "visit_form": forms.get("visit_form") or UrgentVisitForm(),
        "close_form": forms.get("close_form") or CloseRequestForm(),
        "error_form": next(iter(forms.values()), None),
        "nav": "requests",
    }
    return render(request, "record/request.html", context, status=status)


@require_GET
@login_required
def help_request(request: HttpRequest, request_id: int) -> HttpResponse:
    return _page(request, request_id)


def _change(request: HttpRequest, request_id: int, name: str, form, call, done: str):
    """Apply one change through the gate; on bad input, the request's page with the errors."""
    if form.is_valid():
        try:
            call(form.cleaned_data)
        except _REFUSED:
            return refusal(request)
        except access.InvalidRequest as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, done)
            return redirect(reverse("record:help_request", args=[request_id]))
    return _page(request, request_id, status=400, **{name: form})


@require_POST
@login_required
def take_ownership(request: HttpRequest, request_id: int) -> HttpResponse:
    try:
        access.take_ownership(viewer=request.user, request_id=request_id, ip=client_ip(request))
    except _REFUSED:
        return refusal(request)
    except access.InvalidRequest as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "You own this request now.")
    return redirect(reverse("record:help_request", args=[request_id]))


@require_POST
@login_required
def hand_off(request: HttpRequest, request_id: int) -> HttpResponse:
    try:
        colleagues = access.open_help_request(
            viewer=request.user, request_id=request_id, ip=client_ip(request)
        ).colleagues
    except _REFUSED:
        return refusal(request)
    form = HandoffForm(request.POST, colleagues=colleagues)
    return _change(
        request,
        request_id,
        "handoff_form",
        form,
        lambda d: access.hand_off(
            viewer=request.user,
            request_id=request_id,
            to_staff_id=d["to_staff"],
            reason=d["reason"],
            ip=client_ip(request),
        ),
        "The request has been handed off.",
    )


@require_POST
@login_required
def record_contact(request: HttpRequest, request_id: int) -> HttpResponse:
    return _change(
        request,
        request_id,
        "contact_form",
        RequestContactForm(request.POST),
        lambda d: access.record_contact(
            viewer=request.user,
            request_id=request_id,
            who=d["who"],
            what=d["what"],
            demand=d["demand"],
            failure_kind=d["failure_kind"],
            ip=client_ip(request),
        ),
        "The contact has been recorded.",
    )


@require_POST
@login_required
def record_visit(request: HttpRequest, request_id: int) -> HttpResponse:
    return _change(
        request,
        request_id,
        "visit_form",
        UrgentVisitForm(request.POST),
        lambda d: access.record_urgent_visit(
            viewer=request.user,
            request_id=request_id,
            first_visit_at=d["first_visit_at"],
            outcome=d["outcome"],
            ip=client_ip(request),
        ),
        "The first visit has been recorded.",
    )


@require_POST
@login_required
def close_request(request: HttpRequest, request_id: int) -> HttpResponse:
    return _change(
        request,
        request_id,
        "close_form",
        CloseRequestForm(request.POST),
        lambda d: access.close_request(
            viewer=request.user,
            request_id=request_id,
            helped=d["helped"] == "yes",
            what_helped=d["what_helped"],
            person_agrees=d["person_agrees"],
            ip=client_ip(request),
        ),
        "The request has been closed.",
    )


@require_POST
@login_required
def find_person(request: HttpRequest, request_id: int) -> HttpResponse:
    """Record who the request is for, once found (a person from the gate's search)."""
    try:
        access.find_person_for_request(
            viewer=request.user,
            request_id=request_id,
            person_id=request.POST.get("person_id"),
            ip=client_ip(request),
        )
    except _REFUSED:
        return refusal(request)
    except access.InvalidRequest as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "The request now names the person.")
    return redirect(reverse("record:help_request", args=[request_id]))
