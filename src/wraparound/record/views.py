"""The practitioner's pages: find a person, the person page, break-glass.

Views are thin: they read the request, ask the gate (``governance.access``) and render what it
hands back. They never query person-linked models: the gate decides what this viewer may see,
writes the audit row in the same transaction and returns plain frozen dataclasses, so a
template can only show what the gate allowed.

One refusal for everything the viewer may not open: an id that does not exist and an id of a
person the viewer has no right to see give the same page, status and text (no IDOR oracle).
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
    BreakGlassForm,
    FindPersonForm,
    MergePeopleForm,
    PersonWhoMattersForm,
    SplitLinkForm,
    WhatMattersForm,
)

PURPOSE_DIRECT_CARE = "direct_care"
REFUSAL_STATUS = 404


def client_ip(request: HttpRequest) -> str | None:
    """The address the audit row records: the direct peer (no proxy headers are trusted)."""
    return request.META.get("REMOTE_ADDR") or None


def refusal(request: HttpRequest) -> HttpResponse:
    """The one page for 'no such record' and 'not yours': same status, same words."""
    return render(request, "record/no_record.html", status=REFUSAL_STATUS)


def is_htmx(request: HttpRequest, target: str) -> bool:
    return (
        request.headers.get("HX-Request") == "true" and request.headers.get("HX-Target") == target
    )


@require_GET
@login_required
def find_person(request: HttpRequest) -> HttpResponse:
    """One search box: NHS Number, name, date of birth, postcode, or a mix of them."""
    form = FindPersonForm(request.GET if "q" in request.GET else None)
    results = None
    if form.is_bound and form.is_valid():
        results = access.search_people(
            viewer=request.user, query=form.cleaned_data["q"], ip=client_ip(request)
        )
    return render(
        request,
        "record/find_person.html",
        {
            "form": form,
            "results": results,
            "nav": "search",
            # The gate already knows; saves the menu asking again (see templatetags/viewer.py).
            "viewer_is_steward": results.viewer_is_steward if results is not None else None,
        },
    )


def _timeline_filters(request: HttpRequest) -> dict:
    """Timeline filter and page from the query string; junk becomes 'no filter' or page 1."""
    partner = request.GET.get("partner", "").strip()[:64] or None
    kind = request.GET.get("kind", "").strip()[:100] or None
    try:
        page = max(1, min(int(request.GET.get("page", "1")), 100_000))
    except ValueError:
        page = 1
    return {"timeline_partner": partner, "timeline_kind": kind, "timeline_page": page}


def _open(request: HttpRequest, person_id: int):
    return access.open_record(
        viewer=request.user,
        person_id=person_id,
        purpose=PURPOSE_DIRECT_CARE,
        ip=client_ip(request),
        **_timeline_filters(request),
    )


def _render_person(
    request: HttpRequest, person_id: int, status: int = 200, **forms
) -> HttpResponse:
    try:
        record = _open(request, person_id)
    except access.BreakGlassRequired:
        return refusal(request)
    except access.NoAccess:
        return refusal(request)
    context = {
        "record": record,
        "person": record.person,
        "filters": _timeline_filters(request),
        "what_matters_form": forms.get("what_matters_form") or WhatMattersForm(),
        "person_who_matters_form": forms.get("person_who_matters_form") or PersonWhoMattersForm(),
        "merge_form": forms.get("merge_form") or MergePeopleForm(),
        "split_form": forms.get("split_form"),
        "nav": "search",
        "viewer_is_steward": record.is_steward,
    }
    if is_htmx(request, "timeline"):
        return render(request, "record/_timeline.html", context, status=status)
    return render(request, "record/person.html", context, status=status)


@require_GET
@login_required
def person_page(request: HttpRequest, person_id: int) -> HttpResponse:
    """The person page, in the order principle 1 asks for (see templates/record/person.html)."""
    return _render_person(request, person_id)


@require_POST
@login_required
def record_what_matters(request: HttpRequest, person_id: int) -> HttpResponse:
    form = WhatMattersForm(request.POST)
    if not form.is_valid():
        return _render_person(request, person_id, status=400, what_matters_form=form)
    try:
        access.record_what_matters(
            viewer=request.user,
            person_id=person_id,
            text=form.cleaned_data["text"],
            ip=client_ip(request),
        )
    except (access.NoAccess, access.BreakGlassRequired):
        return refusal(request)
    except access.InvalidRequest as exc:
        form.add_error("text", str(exc))
        return _render_person(request, person_id, status=400, what_matters_form=form)
    messages.success(request, "What matters to the person has been updated.")
    return redirect(reverse("record:person", args=[person_id]) + "#what-matters")


@require_POST
@login_required
def add_person_who_matters(request: HttpRequest, person_id: int) -> HttpResponse:
    form = PersonWhoMattersForm(request.POST)
    if not form.is_valid():
        return _render_person(request, person_id, status=400, person_who_matters_form=form)
    try:
        access.add_person_who_matters(
            viewer=request.user,
            person_id=person_id,
            ip=client_ip(request),
            **form.cleaned_data,
        )
    except (access.NoAccess, access.BreakGlassRequired):
        return refusal(request)
    except access.InvalidRequest as exc:
        form.add_error(None, str(exc))
        return _render_person(request, person_id, status=400, person_who_matters_form=form)
    messages.success(request, f"{form.cleaned_data['name']} has been added.")
    return redirect(reverse("record:person", args=[person_id]) + "#people-who-matter")


@require_http_methods(["GET", "POST"])
@login_required
def break_glass(request: HttpRequest, person_id: int) -> HttpResponse:
    """Emergency access to a person not on the viewer's caseload: a stated reason, time-limited.

    The form shows the same for any id (it names nobody); the gate refuses unknown ids on POST.
    """
    form = BreakGlassForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            access.request_break_glass(
                viewer=request.user,
                person_id=person_id,
                reason=form.cleaned_data["reason"],
                ip=client_ip(request),
            )
        except access.NoAccess:
            return refusal(request)
        except access.InvalidRequest as exc:
            form.add_error("reason", str(exc))
        else:
            return redirect("record:person", person_id=person_id)
    status = 400 if form.is_bound and form.errors else 200
    return render(
        request,
        "record/break_glass.html",
        {"form": form, "person_id": person_id, "nav": "search"},
        status=status,
    )


@require_POST
@login_required
def split_link(request: HttpRequest, person_id: int) -> HttpResponse:
    """Steward: this source record is not this person (feeds the linkage decisions)."""
    form = SplitLinkForm(request.POST)
    if not form.is_valid():
        return _render_person(request, person_id, status=400, split_form=form)
    try:
        access.split_link(
            viewer=request.user,
            person_id=person_id,
            ip=client_ip(request),
            **form.cleaned_data,
        )
    except (access.NoAccess, access.BreakGlassRequired):
        return refusal(request)
    except access.InvalidRequest as exc:
        form.add_error(None, str(exc))
        return _render_person(request, person_id, status=400, split_form=form)
    messages.success(request, "The record has been split off. Linkage will keep them apart.")
    return redirect(reverse("record:person", args=[person_id]) + "#provenance")


@require_POST
@login_required
def merge_people(request: HttpRequest, person_id: int) -> HttpResponse:
    """Steward: these two people are one (feeds the linkage decisions)."""
    form = MergePeopleForm(request.POST)
    if not form.is_valid():
        return _render_person(request, person_id, status=400, merge_form=form)
    try:
        kept = access.merge_people(
            viewer=request.user,
            person_id=person_id,
            other_person_id=form.cleaned_data["other_person_id"],
            reason=form.cleaned_data["reason"],
            ip=client_ip(request),
        )
    except (access.NoAccess, access.BreakGlassRequired):
        return refusal(request)
    except access.InvalidRequest as exc:
        form.add_error(None, str(exc))
        return _render_person(request, person_id, status=400, merge_form=form)
    messages.success(request, "The two records have been merged.")
    target = kept
    return redirect(reverse("record:person", args=[target]) + "#provenance")
