"""The personalised care and support plan's pages: the plan, its print view, its FHIR export,
earlier versions, and one edit page per part that opens with what is written now.

Thin, like ``views``: read the request, ask the gate, render what it hands back. A refusal
looks the same whatever its cause (``views.refusal``).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable

from django import forms as django_forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from wraparound.governance import access
from wraparound.record.forms import (
    GoalForm,
    PersonWhoMattersForm,
    PlanActionForm,
    PlanDetailsForm,
    PlanSectionForm,
    WhatMattersForm,
)
from wraparound.record.views import client_ip, refusal

FHIR_JSON = "application/fhir+json"


def _open(request: HttpRequest, person_id: int, printing: bool = False, choices: bool = False):
    return access.open_plan(
        viewer=request.user,
        person_id=person_id,
        ip=client_ip(request),
        printing=printing,
        choices=choices,
    )


def _day(value: dt.date | None) -> str:
    """Dates open in the form as people write them ("3 March 2026"), not ISO."""
    return f"{value.day} {value:%B %Y}" if value else ""


def _plan_url(person_id: int, anchor: str = "") -> str:
    return reverse("record:plan", args=[person_id]) + anchor


@require_GET
@login_required
def plan_page(request: HttpRequest, person_id: int) -> HttpResponse:
    try:
        plan = _open(request, person_id)
    except (access.NoAccess, access.BreakGlassRequired):
        return refusal(request)
    return render(request, "record/plan.html", {"plan": plan, "nav": "search"})


@require_GET
@login_required
def plan_print(request: HttpRequest, person_id: int) -> HttpResponse:
    """A4, large type, no navigation: to leave with the person."""
    try:
        plan = _open(request, person_id, printing=True)
    except (access.NoAccess, access.BreakGlassRequired):
        return refusal(request)
    return render(request, "record/plan_print.html", {"plan": plan})


@require_GET
@login_required
def plan_fhir(request: HttpRequest, person_id: int) -> HttpResponse:
    try:
        bundle = access.export_plan_fhir(
            viewer=request.user, person_id=person_id, ip=client_ip(request)
        )
    except (access.NoAccess, access.BreakGlassRequired):
        return refusal(request)
    response = HttpResponse(json.dumps(bundle, indent=2), content_type=FHIR_JSON)
    response["Content-Disposition"] = f'attachment; filename="care-plan-{person_id}.fhir.json"'
    response["Cache-Control"] = "no-store"
    return response


@require_GET
@login_required
def plan_history(request: HttpRequest, person_id: int, part: str) -> HttpResponse:
    try:
        history = access.plan_history(
            viewer=request.user, person_id=person_id, part=part, ip=client_ip(request)
        )
    except (access.NoAccess, access.BreakGlassRequired, access.InvalidRequest):
        return refusal(request)
    return render(request, "record/plan_history.html", {"history": history, "nav": "search"})


def _edit(
    request: HttpRequest,
    person_id: int,
    *,
    title: str | Callable[[object], str],
    make_form: Callable[..., django_forms.Form],
    initial: Callable[[object], dict | None],
    save: Callable[[dict], object],
    done: str,
    anchor: str,
    submit: str,
) -> HttpResponse:
    """One shape for every part of the plan: GET opens the form with what is written now;
    POST asks the gate to save and goes back to the plan, or shows the gate's words."""
    try:
        plan = _open(request, person_id, choices=True)
    except (access.NoAccess, access.BreakGlassRequired):
        return refusal(request)
    if not plan.can_edit:
        return refusal(request)
    start = initial(plan)
    if start is None:  # the item is not in this plan (or is withheld from this viewer)
        return refusal(request)
    status = 200
    if request.method == "POST":
        form = make_form(plan, request.POST)
        if form.is_valid():
            try:
                save(form.cleaned_data)
            except (access.NoAccess, access.BreakGlassRequired):
                return refusal(request)
            except access.InvalidRequest as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, done)
                return redirect(_plan_url(person_id, anchor))
        status = 400
    else:
        form = make_form(plan, None, initial=start)
    return render(
        request,
        "record/plan_edit.html",
        {
            "plan": plan,
            "form": form,
            "title": title(plan) if callable(title) else title,
            "submit": submit,
            "nav": "search",
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
@login_required
def edit_section(request: HttpRequest, person_id: int, section: str) -> HttpResponse:
    def initial(plan):
        part = plan.section(section)
        return {"text": part.text} if part else None

    return _edit(
        request,
        person_id,
        title=lambda plan: plan.section(section).heading,
        make_form=lambda plan, data, **kw: _titled(PlanSectionForm(data, **kw), plan, section),
        initial=initial,
        save=lambda data: access.save_plan_section(
            viewer=request.user,
            person_id=person_id,
            section=section,
            text=data["text"],
            ip=client_ip(request),
        ),
        done="The plan has been updated.",
        anchor=f"#{section}",
        submit="Save",
    )


def _titled(form: PlanSectionForm, plan, section: str) -> PlanSectionForm:
    part = plan.section(section)
    if part:
        form.fields["text"].label = part.heading
    return form


@require_http_methods(["GET", "POST"])
@login_required
def edit_what_matters(request: HttpRequest, person_id: int) -> HttpResponse:
    return _edit(
        request,
        person_id,
        title="What matters to me",
        make_form=lambda plan, data, **kw: WhatMattersForm(data, **kw),
        initial=lambda plan: {"text": plan.what_matters.text if plan.what_matters else ""},
        save=lambda data: access.record_what_matters(
            viewer=request.user, person_id=person_id, text=data["text"], ip=client_ip(request)
        ),
        done="What matters to the person has been updated.",
        anchor="#what-matters",
        submit="Save what matters",
    )


def _goal_initial(goal_id: int | None):
    def initial(plan):
        if goal_id is None:
            return {"status": "not_yet"}
        goal = next((g for g in plan.goals if g.goal_id == goal_id), None)
        return {"text": goal.text, "status": goal.status} if goal else None

    return initial


@require_http_methods(["GET", "POST"])
@login_required
def edit_goal(request: HttpRequest, person_id: int, goal_id: int | None = None) -> HttpResponse:
    return _edit(
        request,
        person_id,
        title="Add a goal" if goal_id is None else "Change a goal",
        make_form=lambda plan, data, **kw: GoalForm(data, **kw),
        initial=_goal_initial(goal_id),
        save=lambda data: access.save_goal(
            viewer=request.user,
            person_id=person_id,
            goal_id=goal_id,
            text=data["text"],
            status=data["status"],
            ip=client_ip(request),
        ),
        done="The goal has been saved.",
        anchor="#goals",
        submit="Save goal",
    )


def _action_initial(action_id: int | None):
    def initial(plan):
        if action_id is None:
            return {"status": "to_do"}
        line = next((a for a in plan.actions if a.action_id == action_id), None)
        if line is None:
            return None
        return {
            "what": line.what,
            "owner": line.owner_key,
            "due_on": _day(line.due_on),
            "status": line.status,
            "goal": str(line.goal_id or ""),
        }

    return initial


def _action_form(plan, data, **kwargs) -> PlanActionForm:
    goals = [(str(g.goal_id), g.text[:80]) for g in plan.goals]
    return PlanActionForm(data, owners=plan.owners, goals=goals, **kwargs)


@require_http_methods(["GET", "POST"])
@login_required
def edit_action(request: HttpRequest, person_id: int, action_id: int | None = None) -> HttpResponse:
    return _edit(
        request,
        person_id,
        title="Add an action" if action_id is None else "Change an action",
        make_form=_action_form,
        initial=_action_initial(action_id),
        save=lambda data: access.save_plan_action(
            viewer=request.user,
            person_id=person_id,
            action_id=action_id,
            what=data["what"],
            owner=data["owner"],
            due_on=data["due_on"],
            status=data["status"],
            goal_id=int(data["goal"]) if data.get("goal") else None,
            ip=client_ip(request),
        ),
        done="The action has been saved.",
        anchor="#actions",
        submit="Save action",
    )


def _details_initial(plan) -> dict:
    d = plan.details
    if d is None:
        return {}
    return {
        "supported_by": d.supported_by,
        "supported_on": _day(d.supported_on),
        "agreed_with": d.agreed_with,
        "agreed_on": _day(d.agreed_on),
        "review_on": _day(d.review_on),
        "reviewer": d.reviewer_key,
    }


@require_http_methods(["GET", "POST"])
@login_required
def edit_details(request: HttpRequest, person_id: int) -> HttpResponse:
    return _edit(
        request,
        person_id,
        title="Agreeing and reviewing the plan",
        make_form=lambda plan, data, **kw: PlanDetailsForm(data, reviewers=plan.reviewers, **kw),
        initial=_details_initial,
        save=lambda data: access.save_plan_details(
            viewer=request.user, person_id=person_id, ip=client_ip(request), **data
        ),
        done="The plan has been updated.",
        anchor="#agreed",
        submit="Save",
    )


@require_http_methods(["GET", "POST"])
@login_required
def edit_person_who_matters(request: HttpRequest, person_id: int, entry_id: int) -> HttpResponse:
    def initial(plan):
        p = next((p for p in plan.people_who_matter if p.entry_id == entry_id), None)
        if p is None:
            return None
        return {"name": p.name, "relationship": p.relationship, "contact": p.contact}

    return _edit(
        request,
        person_id,
        title="Change a person who matters",
        make_form=lambda plan, data, **kw: PersonWhoMattersForm(data, **kw),
        initial=initial,
        save=lambda data: access.update_person_who_matters(
            viewer=request.user,
            person_id=person_id,
            entry_id=entry_id,
            ip=client_ip(request),
            **data,
        ),
        done="The person who matters has been updated.",
        anchor="#people-who-matter",
        submit="Save",
    )


@require_POST
@login_required
def end_person_who_matters(request: HttpRequest, person_id: int, entry_id: int) -> HttpResponse:
    try:
        access.end_person_who_matters(
            viewer=request.user, person_id=person_id, entry_id=entry_id, ip=client_ip(request)
        )
    except (access.NoAccess, access.BreakGlassRequired, access.InvalidRequest):
        return refusal(request)
    messages.success(
        request, "They are no longer shown as someone who matters. The plan's history keeps them."
    )
    return redirect(_plan_url(person_id, "#people-who-matter"))
