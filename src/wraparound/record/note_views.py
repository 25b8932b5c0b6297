"""Contact notes: the list of notes a viewer may see, and the page that writes one.

Thin like every view here: parse the request, ask the gate (``access.contact_notes``,
``access.open_note_form``, ``access.write_contact_note``) and render. A refusal looks the same
whatever its cause (``views.refusal``); words the gate rejects come back on the form.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from wraparound.governance import access
from wraparound.record.forms import ContactNoteForm
from wraparound.record.views import client_ip, refusal


def _page(request: HttpRequest) -> int:
    try:
        return max(1, min(int(request.GET.get("page", "1")), 100_000))
    except ValueError:
        return 1


@require_GET
@login_required
def contact_notes(request: HttpRequest, person_id: int) -> HttpResponse:
    """Every contact note this viewer may see, newest first; what is withheld in one line."""
    try:
        view = access.contact_notes(
            viewer=request.user, person_id=person_id, ip=client_ip(request), page=_page(request)
        )
    except (access.NoAccess, access.BreakGlassRequired):
        return refusal(request)
    return render(request, "record/notes.html", {"notes": view, "nav": "search"})


@require_http_methods(["GET", "POST"])
@login_required
def write_note(request: HttpRequest, person_id: int) -> HttpResponse:
    """Write what happened at a visit or call; ``?corrects=<note>`` writes a correction."""
    ip = client_ip(request)
    if request.method == "POST":
        form = ContactNoteForm(request.POST)
        corrects = request.POST.get("corrects") or None
    else:
        corrects = request.GET.get("corrects") or None
        form = ContactNoteForm.for_now(corrects=corrects)
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        try:
            access.write_contact_note(
                viewer=request.user,
                person_id=person_id,
                how=data["how"],
                text=data["text"],
                occurred_at=data["occurred_at"],
                is_safety_flag=data["is_safety_flag"],
                flag_text=data["flag_text"],
                corrects_note_id=data.get("corrects"),
                ip=ip,
            )
        except (access.NoAccess, access.BreakGlassRequired):
            return refusal(request)
        except access.InvalidRequest as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "Your contact note has been saved.")
            return redirect(reverse("record:notes", args=[person_id]))
    # The page itself (first visit, or the form again with what to put right): audited.
    try:
        page = access.open_note_form(
            viewer=request.user, person_id=person_id, ip=ip, corrects_note_id=corrects
        )
    except (access.NoAccess, access.BreakGlassRequired, access.InvalidRequest):
        return refusal(request)
    status = 400 if form.is_bound and form.errors else 200
    return render(
        request,
        "record/note_write.html",
        {"page": page, "note_form": form, "person_id": person_id, "nav": "search"},
        status=status,
    )
