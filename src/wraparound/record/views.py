"""The practitioner's pages: find a person, the person page, break-glass.

Views are thin: they read the request, ask the gate (``governance.access``) and render what it
hands back. They never query person-linked models: the gate decides what this viewer may see,
writes the audit row in the same transaction and returns plain frozen dataclasses, so a
template can only show what the gate allowed.

One refusal for everything the viewer may not open: an id that does not exist and an id of a
person the viewer has no right to see give the same page, status and text (no IDOR oracle).
"""

from __future__ import annotations

from collections.abc import Callable

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
def unusual_searching(request: HttpRequest) -> HttpResponse:
    """Data steward: each time someone's searching was paused (``access.unusual_searching``).

    Here rather than in ``steward_views`` only to keep one file per helper while issue 9 is
    built; it is a steward page like the others (mounted by ``steward_urls``).
    """
    try:
        found = access.unusual_searching(viewer=request.user, ip=client_ip(request))
    except access.NoAccess:
        return render(request, "403.html", status=403)
    return render(
        request,
        "record/steward/unusual_searching.html",
        {"pauses": found.pauses, "limits": found.limits, "nav": "steward"},
    )


@require_GET
@login_required
def find_person(request: HttpRequest) -> HttpResponse:
    """One search box: NHS Number, name, date of birth, postcode, or a mix of them."""
    form = FindPersonForm(request.GET if "q" in request.GET else None)
    results = None
    if form.is_bound and form.is_valid():
        results = access.search_people(
            viewer=request.user,
            query=form.cleaned_data["q"],
            ip=client_ip(request),
            page=_page(request),
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


def _page(request: HttpRequest) -> int:
    """The page asked for; junk is page 1 (the gate caps the last page)."""
    try:
        return max(1, min(int(request.GET.get("page", "1")), 100_000))
    except ValueError:
        return 1


def _timeline_filters(request: HttpRequest) -> dict:
    """Timeline filter and page from the query string; junk becomes 'no filter' or page 1.

    A NUL character is taken out: PostgreSQL stores none in text or in the audit row's JSON
    (``?kind=%00`` was a server error there).
    """
    partner = request.GET.get("partner", "").replace("\x00", "").strip()[:64] or None
    kind = request.GET.get("kind", "").replace("\x00", "").strip()[:100] or None
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
    except access.Paused as paused:
        return render(
            request, "record/paused.html", {"message": str(paused), "nav": "search"}, status=429
        )
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


def _post_to_gate(
    request: HttpRequest,
    person_id: int,
    *,
    form,
    form_name: str,
    write,
    error_field: str | None,
    success: str | Callable[[dict], str],
    anchor: str,
    follow_result: bool = False,
) -> HttpResponse:
    """One shape for every form on the person page: validate, ask the gate to write, report.

    ``write(cleaned_data)`` calls the gate; with ``follow_result`` its result is the person to
    show next (a merge keeps one of two ids). A refusal looks the same whatever its cause; a request the gate
    rejects (``InvalidRequest``) comes back on the same form with the gate's own words.
    """
    if not form.is_valid():
        return _render_person(request, person_id, status=400, **{form_name: form})
    try:
        next_person = write(form.cleaned_data)
    except (access.NoAccess, access.BreakGlassRequired):
        return refusal(request)
    except access.InvalidRequest as exc:
        form.add_error(error_field, str(exc))
        return _render_person(request, person_id, status=400, **{form_name: form})
    messages.success(request, success(form.cleaned_data) if callable(success) else success)
    target = next_person if follow_result else person_id
    return redirect(reverse("record:person", args=[target]) + anchor)


@require_POST
@login_required
def record_what_matters(request: HttpRequest, person_id: int) -> HttpResponse:
    return _post_to_gate(
        request,
        person_id,
        form=WhatMattersForm(request.POST),
        form_name="what_matters_form",
        write=lambda data: access.record_what_matters(
            viewer=request.user, person_id=person_id, text=data["text"], ip=client_ip(request)
        ),
        error_field="text",
        success="What matters to the person has been updated.",
        anchor="#what-matters",
    )


@require_POST
@login_required
def add_person_who_matters(request: HttpRequest, person_id: int) -> HttpResponse:
    return _post_to_gate(
        request,
        person_id,
        form=PersonWhoMattersForm(request.POST),
        form_name="person_who_matters_form",
        write=lambda data: access.add_person_who_matters(
            viewer=request.user, person_id=person_id, ip=client_ip(request), **data
        ),
        error_field=None,
        success=lambda data: f"{data['name']} has been added.",
        anchor="#people-who-matter",
    )


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
    return _post_to_gate(
        request,
        person_id,
        form=SplitLinkForm(request.POST),
        form_name="split_form",
        write=lambda data: access.split_link(
            viewer=request.user, person_id=person_id, ip=client_ip(request), **data
        ),
        error_field=None,
        success="The record has been split off. Linkage will keep them apart.",
        anchor="#provenance",
    )


@require_POST
@login_required
def merge_people(request: HttpRequest, person_id: int) -> HttpResponse:
    """Steward: these two people are one (feeds the linkage decisions)."""
    return _post_to_gate(
        request,
        person_id,
        form=MergePeopleForm(request.POST),
        form_name="merge_form",
        write=lambda data: access.merge_people(
            viewer=request.user,
            person_id=person_id,
            other_person_id=data["other_person_id"],
            reason=data["reason"],
            ip=client_ip(request),
        ),
        error_field=None,
        success="The two records have been merged.",
        anchor="#provenance",
        follow_result=True,
    )
