"""The team's MDT meetings: the list, scheduling, the meeting page, meeting mode, the minutes.

Thin like every view here: parse the form, ask the gate (``governance.access``: ``meeting_list``,
``open_meeting``, ``open_meeting_person``, ``meeting_minutes`` and the changes) and render what
it hands back. The gate decides who may run, nominate or look, applies each attendee's lens and
audits every look at a person as a meeting view. A refusal looks the same whatever its cause
(``views.refusal``); words the gate rejects come back on the form that sent them, or as a
message on the page the button was on. Every change is POST-redirect-GET.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from wraparound.governance import access
from wraparound.record.forms import FindPersonForm
from wraparound.record.meeting_forms import (
    AttendanceForm,
    DiscussionForm,
    MeetingActionForm,
    NominateForm,
    PersonNominateForm,
    ScheduleMeetingForm,
)
from wraparound.record.views import client_ip, refusal

_REFUSED = (access.NoAccess, access.BreakGlassRequired)
NAV = "meetings"
MOVES = ("up", "down")


def _int(raw) -> int | None:
    """A number from a query string or a form; junk is None (the gate decides what it means)."""
    try:
        value = int(str(raw))
    except (TypeError, ValueError):
        return None
    return value if 0 < value < 2**62 else None


def _meeting_url(meeting_id: int, anchor: str = "") -> str:
    return reverse("record:meeting", args=[meeting_id]) + anchor


def _person_url(meeting_id: int, item_id: int, anchor: str = "") -> str:
    return reverse("record:meeting_person", args=[meeting_id, item_id]) + anchor


# --- the list and scheduling ----------------------------------------------------------------


@require_GET
@login_required
def meeting_list(request: HttpRequest) -> HttpResponse:
    """Upcoming and past meetings of the viewer's teams, and those they are invited to."""
    try:
        meetings = access.meeting_list(viewer=request.user, ip=client_ip(request))
    except _REFUSED:
        return refusal(request)
    return render(request, "record/meetings/list.html", {"meetings": meetings, "nav": NAV})


def _schedule_initial(choices) -> dict:
    """A monthly meeting of the team, chaired by the viewer, with the team invited."""
    return {
        "team": choices.teams[0][0] if choices.teams else None,
        "title": choices.default_title,
        "chair": choices.default_chair_staff_id,
        "invited": [s.staff_id for s in choices.staff if s.in_team],
        "every": "monthly",
        "minutes_per_person": 10,
        "place": "in_person",
    }


@require_http_methods(["GET", "POST"])
@login_required
def schedule_meeting(request: HttpRequest) -> HttpResponse:
    """Schedule the team's MDT. Choosing another team (a GET) refreshes who may be invited."""
    source = request.POST if request.method == "POST" else request.GET
    try:
        choices = access.meeting_form_choices(viewer=request.user, team_id=_int(source.get("team")))
    except _REFUSED:
        return refusal(request)
    except access.InvalidRequest as exc:
        messages.error(request, str(exc))
        return redirect(reverse("record:meetings"))
    if request.method == "GET":
        form = ScheduleMeetingForm(initial=_schedule_initial(choices), choices=choices)
        return _schedule_page(request, form, choices)
    form = ScheduleMeetingForm(request.POST, choices=choices)
    if "change_team" not in request.POST and form.is_valid():
        data = form.cleaned_data
        try:
            meeting_id = access.schedule_meeting(
                viewer=request.user,
                ip=client_ip(request),
                team_id=data["team"],
                title=data["title"],
                starts_at=data["starts_at"],
                chair_staff_id=data["chair"],
                invited_staff_ids=list(data["invited"]),
                guests=data["guests"],
                minutes_per_person=data["minutes_per_person"],
                virtual=data["virtual"],
                where=data["where"],
                every=data["every"],
            )
        except _REFUSED:
            return refusal(request)
        except access.InvalidRequest as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "The meeting has been scheduled.")
            return redirect(_meeting_url(meeting_id))
    if "change_team" in request.POST:
        # The team changed: start again from that team's defaults, keeping nothing stale.
        form = ScheduleMeetingForm(initial=_schedule_initial(choices), choices=choices)
        return _schedule_page(request, form, choices)
    return _schedule_page(request, form, choices, status=400)


def _schedule_page(request, form, choices, status: int = 200) -> HttpResponse:
    in_team = [s for s in choices.staff if s.in_team]
    others = [s for s in choices.staff if not s.in_team]
    return render(
        request,
        "record/meetings/schedule.html",
        {
            "form": form,
            "choices": choices,
            "team_staff": in_team,
            "other_staff": others,
            "invited": {int(v) for v in (form["invited"].value() or []) if _int(v)},
            "nav": NAV,
        },
        status=status,
    )


# --- the meeting page -----------------------------------------------------------------------


def _meeting_page(
    request: HttpRequest, meeting_id: int, status: int = 200, **forms
) -> HttpResponse:
    ip = client_ip(request)
    try:
        page = access.open_meeting(viewer=request.user, ip=ip, meeting_id=meeting_id)
    except _REFUSED:
        return refusal(request)
    find, results = FindPersonForm(), None
    q = request.GET.get("q") or (request.POST.get("q") if request.method == "POST" else None)
    if page.may_nominate and q:
        find = FindPersonForm({"q": q})
        if find.is_valid():
            try:
                results = access.search_people(
                    viewer=request.user, query=find.cleaned_data["q"], ip=ip
                )
            except access.Paused as paused:
                find.add_error("q", str(paused))
            except _REFUSED:
                return refusal(request)
            except access.InvalidRequest as exc:
                find.add_error("q", str(exc))
    present = [i.invitation_id for i in page.invitations if i.attended]
    waiting = [i.item_id for i in page.agenda if i.status == "agenda"]
    resume = waiting[0] if waiting else (page.agenda[0].item_id if page.agenda else None)
    context = {
        "meeting": page,
        "find_form": find,
        "results": results,
        "nominate_form": forms.get("nominate_form") or NominateForm(),
        "attendance_form": forms.get("attendance_form")
        or AttendanceForm(initial={"present": present}, invitations=page.invitations),
        "present": set(present),
        "resume_item_id": resume,  # meeting mode opens at the first person not yet discussed
        "error_form": next(iter(forms.values()), None),
        "nav": NAV,
    }
    return render(request, "record/meetings/meeting.html", context, status=status)


@require_GET
@login_required
def meeting_page(request: HttpRequest, meeting_id: int) -> HttpResponse:
    return _meeting_page(request, meeting_id)


def _change(request: HttpRequest, meeting_id: int, call, done: str, anchor: str = ""):
    """One button on the meeting page: ask the gate, say what happened, back to the page."""
    try:
        call()
    except _REFUSED:
        return refusal(request)
    except access.InvalidRequest as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, done)
    return redirect(_meeting_url(meeting_id, anchor))


@require_POST
@login_required
def accept_suggestion(request: HttpRequest, meeting_id: int, person_id: int) -> HttpResponse:
    return _change(
        request,
        meeting_id,
        lambda: access.accept_suggestion(
            viewer=request.user, ip=client_ip(request), meeting_id=meeting_id, person_id=person_id
        ),
        "Added to the agenda.",
        "#agenda",
    )


@require_POST
@login_required
def decide_nomination(request: HttpRequest, meeting_id: int, item_id: int) -> HttpResponse:
    on_agenda = request.POST.get("on_agenda") == "yes"
    return _change(
        request,
        meeting_id,
        lambda: access.decide_nomination(
            viewer=request.user,
            ip=client_ip(request),
            meeting_id=meeting_id,
            item_id=item_id,
            on_agenda=on_agenda,
        ),
        "Added to the agenda." if on_agenda else "Not on the agenda this time.",
        "#agenda" if on_agenda else "#nominations",
    )


@require_POST
@login_required
def move_item(request: HttpRequest, meeting_id: int, item_id: int) -> HttpResponse:
    direction = request.POST.get("direction", "")
    if direction not in MOVES:
        # Only the page's own two buttons send a direction: anything else changed nothing.
        messages.error(request, "Choose to move the person up or down the agenda")
        return _meeting_page(request, meeting_id, status=400)
    return _change(
        request,
        meeting_id,
        lambda: access.move_agenda_item(
            viewer=request.user,
            ip=client_ip(request),
            meeting_id=meeting_id,
            item_id=item_id,
            direction=direction,
        ),
        "The agenda order has been changed.",
        "#agenda",
    )


@require_POST
@login_required
def nominate(request: HttpRequest, meeting_id: int) -> HttpResponse:
    form = NominateForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            access.nominate_person(
                viewer=request.user,
                ip=client_ip(request),
                meeting_id=meeting_id,
                person_id=data["person_id"],
                reason=data["reason"],
                agreed_to_discussion=data["agreed_to_discussion"],
            )
        except _REFUSED:
            return refusal(request)
        except access.InvalidRequest as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "The nomination has been sent to the chair.")
            return redirect(_meeting_url(meeting_id, "#nominations"))
    return _meeting_page(request, meeting_id, status=400, nominate_form=form)


@require_POST
@login_required
def record_attendance(request: HttpRequest, meeting_id: int) -> HttpResponse:
    try:
        page = access.open_meeting(
            viewer=request.user, ip=client_ip(request), meeting_id=meeting_id
        )
    except _REFUSED:
        return refusal(request)
    form = AttendanceForm(request.POST, invitations=page.invitations)
    if form.is_valid():
        try:
            access.record_attendance(
                viewer=request.user,
                ip=client_ip(request),
                meeting_id=meeting_id,
                present=list(form.cleaned_data["present"]),
            )
        except _REFUSED:
            return refusal(request)
        except access.InvalidRequest as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "Attendance has been saved.")
            return redirect(_meeting_url(meeting_id, "#invited"))
    return _meeting_page(request, meeting_id, status=400, attendance_form=form)


@require_POST
@login_required
def start_meeting(request: HttpRequest, meeting_id: int) -> HttpResponse:
    """Start the meeting and go to the first person on the agenda."""
    try:
        first = access.start_meeting(
            viewer=request.user, ip=client_ip(request), meeting_id=meeting_id
        )
    except _REFUSED:
        return refusal(request)
    except access.InvalidRequest as exc:
        messages.error(request, str(exc))
        return redirect(_meeting_url(meeting_id))
    if first is None:
        messages.success(request, "The meeting has started. There is no one on the agenda yet.")
        return redirect(_meeting_url(meeting_id))
    return redirect(_person_url(meeting_id, first))


@require_POST
@login_required
def finish_meeting(request: HttpRequest, meeting_id: int) -> HttpResponse:
    try:
        next_id = access.finish_meeting(
            viewer=request.user, ip=client_ip(request), meeting_id=meeting_id
        )
    except _REFUSED:
        return refusal(request)
    except access.InvalidRequest as exc:
        messages.error(request, str(exc))
        return redirect(_meeting_url(meeting_id))
    messages.success(
        request,
        "The meeting has finished."
        + (" The next one is scheduled." if next_id is not None else ""),
    )
    return redirect(reverse("record:meeting_minutes", args=[meeting_id]))


@require_POST
@login_required
def cancel_meeting(request: HttpRequest, meeting_id: int) -> HttpResponse:
    """Cancelling cannot be undone, so the first press asks; "Yes, cancel it" does it."""
    if request.POST.get("confirm") != "yes":
        try:
            page = access.open_meeting(
                viewer=request.user, ip=client_ip(request), meeting_id=meeting_id
            )
        except _REFUSED:
            return refusal(request)
        if not page.may_cancel:
            return refusal(request)
        return render(request, "record/meetings/cancel.html", {"meeting": page, "nav": NAV})
    return _change(
        request,
        meeting_id,
        lambda: access.cancel_meeting(
            viewer=request.user, ip=client_ip(request), meeting_id=meeting_id
        ),
        "The meeting has been cancelled.",
    )


# --- meeting mode: one person, one screen ---------------------------------------------------


def _timer(view) -> dict:
    """What the timer shows before the script takes over (and without it)."""
    seconds_left, item = view.seconds_left, view.item
    if item.status == "discussed":
        taken = item.minutes_taken
        if taken is None:
            text = "Discussed"
        elif taken < 1:
            text = "Discussed in less than a minute"
        else:
            text = f"Discussed in {taken} min"
        return {"started": False, "text": text, "over": False}
    if seconds_left is None:
        minutes = getattr(view, "minutes_per_person", None)
        text = f"{minutes} min for this person" if minutes else "Not started"
        return {"started": False, "text": text, "over": False}
    if seconds_left >= 0:
        text = f"{seconds_left // 60} min {seconds_left % 60} s left"
        return {"started": True, "text": text, "over": False}
    over = -seconds_left
    text = f"{over // 60} min over" if over >= 60 else f"{over} s over"
    return {"started": True, "text": text, "over": True}


def _person_page(
    request: HttpRequest, meeting_id: int, item_id: int, status: int = 200, **forms
) -> HttpResponse:
    try:
        view = access.open_meeting_person(
            viewer=request.user, ip=client_ip(request), meeting_id=meeting_id, item_id=item_id
        )
    except _REFUSED:
        return refusal(request)
    item = view.item
    discussion = DiscussionForm(
        initial={
            "discussion": getattr(item, "discussion", ""),
            "decisions": item.decisions,
        }
    )
    context = {
        "view": view,
        "item": item,
        "record": view.record,
        "person": view.record.person,
        "discussion_form": forms.get("discussion_form") or discussion,
        "action_form": forms.get("action_form")
        or MeetingActionForm(leads=view.leads, goals=view.goals),
        "timer": _timer(view),
        "error_form": next(iter(forms.values()), None),
        "nav": NAV,
    }
    return render(request, "record/meetings/person.html", context, status=status)


@require_GET
@login_required
def meeting_person(request: HttpRequest, meeting_id: int, item_id: int) -> HttpResponse:
    return _person_page(request, meeting_id, item_id)


@require_POST
@login_required
def start_discussion(request: HttpRequest, meeting_id: int, item_id: int) -> HttpResponse:
    """The person's turn starts: the timer runs from now, and survives a reload."""
    try:
        access.start_discussion(
            viewer=request.user, ip=client_ip(request), meeting_id=meeting_id, item_id=item_id
        )
    except _REFUSED:
        return refusal(request)
    except access.InvalidRequest as exc:
        messages.error(request, str(exc))
    return redirect(_person_url(meeting_id, item_id, "#timer"))


@require_POST
@login_required
def record_discussion(request: HttpRequest, meeting_id: int, item_id: int) -> HttpResponse:
    """Save the notes and decisions; "Save and go to next person" also ends this person's turn."""
    form = DiscussionForm(request.POST)
    finished = "next" in request.POST
    if form.is_valid():
        try:
            access.record_discussion(
                viewer=request.user,
                ip=client_ip(request),
                meeting_id=meeting_id,
                item_id=item_id,
                discussion=form.cleaned_data["discussion"],
                decisions=form.cleaned_data["decisions"],
                finished=finished,
            )
        except _REFUSED:
            return refusal(request)
        except access.InvalidRequest as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "The discussion has been saved.")
            next_item = _int(request.POST.get("next_item"))
            if finished and next_item:
                return redirect(_person_url(meeting_id, next_item))
            if finished:
                return redirect(_meeting_url(meeting_id, "#agenda"))
            return redirect(_person_url(meeting_id, item_id, "#discussion"))
    return _person_page(request, meeting_id, item_id, status=400, discussion_form=form)


@require_POST
@login_required
def add_action(request: HttpRequest, meeting_id: int, item_id: int) -> HttpResponse:
    """An action with a lead: it goes in the person's plan and on the lead's caseload."""
    try:
        view = access.open_meeting_person(
            viewer=request.user, ip=client_ip(request), meeting_id=meeting_id, item_id=item_id
        )
    except _REFUSED:
        return refusal(request)
    form = MeetingActionForm(request.POST, leads=view.leads, goals=view.goals)
    if form.is_valid():
        data = form.cleaned_data
        try:
            access.add_meeting_action(
                viewer=request.user,
                ip=client_ip(request),
                meeting_id=meeting_id,
                item_id=item_id,
                what=data["what"],
                lead_staff_id=data["lead"],
                due_on=data["due_on"],
                goal_id=data["goal"],
            )
        except _REFUSED:
            return refusal(request)
        except access.InvalidRequest as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "The action has been added.")
            return redirect(_person_url(meeting_id, item_id, "#actions"))
    return _person_page(request, meeting_id, item_id, status=400, action_form=form)


# --- after the meeting ----------------------------------------------------------------------


@require_GET
@login_required
def minutes(request: HttpRequest, meeting_id: int) -> HttpResponse:
    """The minutes, to print: who came, each person discussed, decisions and actions."""
    try:
        found = access.meeting_minutes(
            viewer=request.user, ip=client_ip(request), meeting_id=meeting_id
        )
    except _REFUSED:
        return refusal(request)
    return render(request, "record/meetings/minutes.html", {"minutes": found})


@require_POST
@login_required
def nominate_from_record(request: HttpRequest, person_id: int) -> HttpResponse:
    """The person page's "Nominate for an MDT meeting": errors come back as a message there."""
    try:
        meetings = access.meetings_for_nomination(viewer=request.user)
    except _REFUSED:
        return refusal(request)
    data = request.POST.copy()
    data["person_id"] = str(person_id)
    form = PersonNominateForm(data, meetings=meetings)
    back = reverse("record:person", args=[person_id]) + "#mdt"
    if not form.is_valid():
        messages.error(request, next(iter(form.errors.values()))[0])
        return redirect(back)
    try:
        access.nominate_person(
            viewer=request.user,
            ip=client_ip(request),
            meeting_id=form.cleaned_data["meeting"],
            person_id=person_id,
            reason=form.cleaned_data["reason"],
            agreed_to_discussion=form.cleaned_data["agreed_to_discussion"],
        )
    except _REFUSED:
        return refusal(request)
    except access.InvalidRequest as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "The nomination has been sent to the chair of the meeting.")
    return redirect(back)
