"""The personalised care and support plan, through the gate: read, print, export, change.

The plan is the person's own (PRSB About Me and Personalised Care and Support Plan), so under
the agreement it is *summary*: everyone with a legitimate relationship sees it, like flags and
who is involved. Each part is still put through the lens with the kind of organisation that
wrote it as its partner: a person who objects to sharing is shown only what the viewer's own
kind of organisation wrote, and a part written by a partner whose mere involvement is
sensitive (the mental health trust) is withheld from roles that may not see that category.
What is withheld is counted, never named.

Every read is audited (``view_person`` with ``detail.what`` = ``plan``, ``plan_print`` or
``plan_history``; the FHIR export as ``export``); every change is an action in
``plans.actions`` with its audit row in the same transaction.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from wraparound.governance.access.audit import _audit
from wraparound.governance.access.errors import InvalidRequest, NoAccess
from wraparound.governance.access.lens import Lens
from wraparound.governance.access.relationship import _decide, _objections, _relationships
from wraparound.governance.access.results import (
    PlanActionLine,
    PlanDetailsView,
    PlanGoal,
    PlanHistory,
    PlanPerson,
    PlanPersonWhoMatters,
    PlanSummary,
    PlanText,
    PlanVersionEntry,
    PlanView,
    WhatMattersEntry,
)
from wraparound.governance.access.summaries import _display_name, _nhs
from wraparound.governance.access.viewer import _Viewer, _viewer
from wraparound.governance.access.writes import _by, _for_edit
from wraparound.governance.models import Assignment, AuditEntry, Staff
from wraparound.governance.roles import Permission, Role
from wraparound.identity.models import Person
from wraparound.plans import actions as plan_actions
from wraparound.plans import fhir as plan_fhir
from wraparound.plans.models import (
    ABOUT_ME,
    CONTINGENCY,
    OPEN_ACTION,
    ActionOwner,
    ActionStatus,
    Goal,
    GoalStatus,
    PersonWhoMatters,
    PlanAction,
    PlanDetails,
    PlanSection,
    PlanSectionText,
    PlanVersion,
    WhatMattersToMe,
)

# Roles whose members may be named to do something in a plan (not the steward, not accounts).
_CARE_ROLES = frozenset(Role.values) - {Role.DATA_STEWARD, Role.ADMINISTRATOR}
WITHHELD_PLAN = (
    "{items} of this plan {verb} written by an organisation whose information your role "
    "cannot see, or that the person has asked not to share with you."
)


def _day(value: dt.date | None) -> str:
    return f"{value.day} {value:%B %Y}" if value else ""


def _label(choices, value: str) -> str:
    try:
        return choices(value).label
    except ValueError:
        return value


def _lens_for(v: _Viewer, person_id: int) -> Lens:
    return v.lens(person_id in _objections([person_id]))


# Which part of the plan (the agreement's ``plan_summary`` names) each section belongs to.
_SECTION_PART = {
    PlanSection.STRENGTHS: "strengths",
    PlanSection.NEEDS: "needs",
    PlanSection.RISKS: "contingency",
    PlanSection.IF_IT_DOES: "contingency",
    PlanSection.WHOM_TO_CALL: "contingency",
    PlanSection.MEDICINES: "contingency",
}


def _plan_part(key: str) -> str:
    """``section:needs`` / ``needs`` -> "needs"; ``goal:7`` -> "goals"; ``details`` -> "agreement"."""
    kind, _, rest = key.partition(":")
    if kind == "goal":
        return "goals"
    if kind == "action":
        return "actions"
    if kind == "details":
        return "agreement"
    return _SECTION_PART.get(rest if kind == "section" else kind, "about_me")


def _shown(lens: Lens, partner: str, part: str) -> bool:
    """A plan part is detail from the writer's kind of organisation, unless the agreement makes
    it summary (``plan_summary``); either way the lens applies objections and sensitive partners.
    """
    if part in lens.agreement.plan_summary:
        return lens.may_see_summary(partner, "", "")
    return lens.may_see_detail(partner, "", "")


def _withheld_lines(count: int) -> list[str]:
    if not count:
        return []
    items, verb = ("1 part", "was") if count == 1 else (f"{count} parts", "were")
    return [WITHHELD_PLAN.format(items=items, verb=verb)]


def _plan_person(person: Person) -> PlanPerson:
    number, _ = _nhs(person.nhs_number)
    return PlanPerson(
        person_id=person.id,
        display_name=_display_name(person.given_name, person.family_name),
        date_of_birth=person.date_of_birth,
        nhs_number=number,
    )


# --- Who may be named to do something -----------------------------------------------------------


def _staff_label(name: str, job_title: str, role: str) -> str:
    return f"{name} ({job_title or _label(Role, role)})"


def _staff_choices(v: _Viewer, person: Person) -> dict[int, str]:
    """Practitioners who may own an action or review the plan: people in the viewer's teams or
    working with the person by name, *who may themselves open this person's record* under the
    agreement (assigned or caseload; not break-glass). A volunteer in the team who was never
    referred the person is not offered: an action would put a stranger on their caseload."""
    assigned = Assignment.objects.filter(person_id=person.id, ended_at=None).values("staff_id")
    candidates = (
        Staff.objects.filter(user__is_active=True, role__in=_CARE_ROLES)
        .filter(Q(teams__id__in=v.team_ids) | Q(id__in=assigned) | Q(id=v.staff_id))
        .distinct()
        .select_related("user")
    )
    out = {}
    for staff in candidates:
        try:
            other = v if staff.id == v.staff_id else _viewer(staff.user)
        except NoAccess:
            continue
        if _relationships(other, {person.id: person.postcode})[person.id] not in (
            "assigned",
            "caseload",
        ):
            continue
        out[staff.id] = _staff_label(staff.display_name, staff.job_title, staff.role)
    return dict(sorted(out.items(), key=lambda item: item[1].lower()))


def _owner_choices(v: _Viewer, person: Person, staff: dict[int, str]) -> list[tuple[str, str]]:
    name = _display_name(person.given_name, person.family_name)
    choices = [("person", f"{name} (the person)")]
    for row in PersonWhoMatters.objects.filter(person_id=person.id, ended_at=None):
        who = f"{row.name} ({row.relationship})" if row.relationship else row.name
        choices.append((f"pwm:{row.id}", who))
    choices += [(f"staff:{sid}", label) for sid, label in staff.items()]
    return choices


def _resolve_owner(v: _Viewer, person: Person, key: str) -> plan_actions.ActionOwnerChoice:
    """The owner the form named, checked against the choices this viewer was offered."""
    staff = _staff_choices(v, person)
    labels = dict(_owner_choices(v, person, staff))
    if key not in labels:
        raise InvalidRequest("Choose who will do it from the list")
    kind, _, raw = key.partition(":")
    if kind == "staff":
        return plan_actions.ActionOwnerChoice(
            kind=ActionOwner.STAFF, name=labels[key], staff_id=int(raw)
        )
    if kind == "pwm":
        return plan_actions.ActionOwnerChoice(
            kind=ActionOwner.PERSON_WHO_MATTERS, name=labels[key], person_who_matters_id=int(raw)
        )
    return plan_actions.ActionOwnerChoice(kind=ActionOwner.PERSON, name=labels[key])


def _owner_key(row: PlanAction) -> str:
    if row.owner_kind == ActionOwner.STAFF:
        return f"staff:{row.owner_staff_id}"
    if row.owner_kind == ActionOwner.PERSON_WHO_MATTERS:
        return f"pwm:{row.owner_person_who_matters_id}"
    return "person"


# --- Reading ----------------------------------------------------------------------------------


def _goal(row: Goal) -> PlanGoal:
    return PlanGoal(
        goal_id=row.id,
        text=row.text,
        status=row.status,
        status_label=_label(GoalStatus, row.status),
        recorded_by=row.recorded_by,
        recorded_at=row.recorded_at,
    )


def _action(row: PlanAction, today: dt.date) -> PlanActionLine:
    is_open = row.status in OPEN_ACTION
    return PlanActionLine(
        action_id=row.id,
        what=row.what,
        owner=row.owner_name,
        owner_kind=row.owner_kind,
        owner_key=_owner_key(row),
        due_on=row.due_on,
        status=row.status,
        status_label=_label(ActionStatus, row.status),
        is_open=is_open,
        is_overdue=is_open and row.due_on is not None and row.due_on < today,
        goal_id=row.goal_id,
        recorded_by=row.recorded_by,
        recorded_at=row.recorded_at,
    )


def _action_order(line: PlanActionLine) -> tuple:
    return (not line.is_open, line.due_on is None, line.due_on or dt.date.min, line.action_id)


@dataclass
class _Parts:
    goals: list[PlanGoal]
    actions: list[PlanActionLine]
    details: PlanDetails | None
    withheld: int


def _goals_and_actions(person_id: int, lens: Lens, today: dt.date) -> _Parts:
    withheld = 0
    goals = []
    for row in Goal.objects.filter(person_id=person_id):
        if _shown(lens, row.partner, "goals"):
            goals.append(_goal(row))
        else:
            withheld += 1
    actions = []
    for row in PlanAction.objects.filter(person_id=person_id):
        if _shown(lens, row.partner, "actions"):
            actions.append(_action(row, today))
        else:
            withheld += 1
    details = PlanDetails.objects.filter(person_id=person_id).first()
    if details is not None and not _shown(lens, details.partner, "agreement"):
        details, withheld = None, withheld + 1
    actions.sort(key=_action_order)
    return _Parts(goals=goals, actions=actions, details=details, withheld=withheld)


def _build(v: _Viewer, person: Person, access: str, choices: bool = False) -> tuple[PlanView, int]:
    lens = _lens_for(v, person.id)
    today = timezone.localdate()
    withheld = 0
    texts: dict[str, PlanText] = {}
    for row in PlanSectionText.objects.filter(person_id=person.id):
        if not _shown(lens, row.partner, _plan_part(row.section)):
            withheld += 1
            continue
        texts[row.section] = PlanText(
            key=row.section,
            heading=_label(PlanSection, row.section),
            text=row.text,
            recorded_by=row.recorded_by,
            recorded_at=row.recorded_at,
        )

    def section(key: PlanSection) -> PlanText:
        return texts.get(key.value) or PlanText(key=key.value, heading=key.label, text="")

    parts = _goals_and_actions(person.id, lens, today)
    withheld += parts.withheld
    # What matters and people who matter are the team's own notes, shown as the person page
    # shows them (``access.record``): written in Wraparound, not a partner's record.
    current = WhatMattersToMe.objects.filter(person_id=person.id).first()
    what_matters = (
        WhatMattersEntry(
            text=current.text,
            recorded_by=current.recorded_by,
            recorded_at=current.recorded_at,
            is_current=True,
        )
        if current
        else None
    )
    people = [
        PlanPersonWhoMatters(
            entry_id=row.id,
            name=row.name,
            relationship=row.relationship,
            contact=row.contact,
            recorded_by=row.recorded_by,
        )
        for row in PersonWhoMatters.objects.filter(person_id=person.id, ended_at=None)
    ]
    can_edit = v.may(Permission.EDIT_PERSON_CENTRED) and access in (
        "assigned",
        "caseload",
        "break_glass",
    )
    staff = _staff_choices(v, person) if can_edit and choices else {}
    d = parts.details
    view = PlanView(
        person=_plan_person(person),
        what_matters=what_matters,
        people_who_matter=people,
        about_me=[section(key) for key in ABOUT_ME],
        strengths=section(PlanSection.STRENGTHS),
        needs=section(PlanSection.NEEDS),
        contingency=[section(key) for key in CONTINGENCY],
        goals=parts.goals,
        actions=parts.actions,
        details=PlanDetailsView(
            supported_by=d.supported_by,
            supported_on=d.supported_on,
            agreed_with=d.agreed_with,
            agreed_on=d.agreed_on,
            review_on=d.review_on,
            reviewer_key=f"staff:{d.reviewer_staff_id}" if d.reviewer_staff_id else "",
            reviewer_name=d.reviewer_name,
            recorded_by=d.recorded_by,
            recorded_at=d.recorded_at,
        )
        if d
        else None,
        withheld=_withheld_lines(withheld),
        can_edit=can_edit,
        owners=_owner_choices(v, person, staff) if can_edit and choices else [],
        reviewers=[(f"staff:{sid}", label) for sid, label in staff.items()],
        agreement_version=v.agreement.version,
    )
    return view, withheld


def open_plan(
    *, viewer, person_id: int, ip: str | None, printing: bool = False, choices: bool = False
) -> PlanView:
    """The whole plan for the plan page (or its print view); audited as a view of the person.

    ``choices``: also who may be named to do an action or review the plan (``owners``,
    ``reviewers``), for the edit forms: it asks the agreement about each colleague.
    """
    v = _viewer(viewer)
    person, access, grant = _decide(v, person_id, ip, "open the care and support plan")
    with transaction.atomic():
        view, withheld = _build(v, person, access, choices)
        detail = {
            "what": "plan_print" if printing else "plan",
            "access": access,
            "agreement": v.agreement.version,
            "withheld_items": withheld,
        }
        if grant:
            detail["break_glass_id"] = grant.id
        _audit(
            v,
            AuditEntry.Action.VIEW_PERSON,
            ip,
            person_id=person.id,
            purpose="printed the care and support plan" if printing else "care and support plan",
            detail=detail,
        )
    return view


def export_plan_fhir(*, viewer, person_id: int, ip: str | None) -> dict:
    """The plan as a FHIR R4 collection Bundle (Patient, CarePlan, Goals, RelatedPersons), of
    exactly what this viewer may see; audited as an export."""
    v = _viewer(viewer)
    person, access, grant = _decide(v, person_id, ip, "export the care and support plan")
    with transaction.atomic():
        view, withheld = _build(v, person, access)
        bundle = plan_fhir.plan_bundle(
            view, nhs_number=person.nhs_number, generated_at=timezone.now()
        )
        detail = {
            "what": "plan_fhir",
            "access": access,
            "agreement": v.agreement.version,
            "withheld_items": withheld,
            "resources": len(bundle.get("entry", [])),
        }
        if grant:
            detail["break_glass_id"] = grant.id
        _audit(
            v,
            AuditEntry.Action.EXPORT,
            ip,
            person_id=person.id,
            purpose="exported the care and support plan as FHIR",
            detail=detail,
        )
    return bundle


def _plan_summary(v: _Viewer, person_id: int, lens: Lens) -> PlanSummary | None:
    """The plan on the person page (the caller, ``open_record``, has decided and audits).

    None when nothing of a plan is recorded: the page then offers to start one.
    """
    parts = _goals_and_actions(person_id, lens, timezone.localdate())
    if not (parts.goals or parts.actions or parts.details or parts.withheld):
        return None
    d = parts.details
    return PlanSummary(
        goals=parts.goals,
        open_actions=[line for line in parts.actions if line.is_open],
        next_review=d.review_on if d else None,
        reviewer_name=d.reviewer_name if d else "",
        withheld=parts.withheld,
    )


# --- History ----------------------------------------------------------------------------------


def _part_heading(part: str) -> str | None:
    kind, _, key = part.partition(":")
    if part == "what_matters":
        return "What matters to me"
    if part == "details":
        return "Agreeing and reviewing the plan"
    if kind == "section" and key in PlanSection.values:
        return PlanSection(key).label
    if kind in ("goal", "action", "person_who_matters") and key.isdigit() and len(key) < 19:
        return {
            "goal": "Goal",
            "action": "Action",
            "person_who_matters": "Person who matters",
        }[kind]
    return None


def _version_lines(part: str, data: dict) -> list[tuple[str, str]]:
    kind = part.partition(":")[0]
    if kind == "section":
        return [("", data.get("text") or "(cleared)")]
    if kind == "goal":
        return [("Goal", data["text"]), ("How far", _label(GoalStatus, data["status"]))]
    if kind == "action":
        due = dt.date.fromisoformat(data["due_on"]) if data.get("due_on") else None
        return [
            ("What", data["what"]),
            ("Who", data["owner_name"]),
            ("By when", _day(due) or "No date"),
            ("Where it has got to", _label(ActionStatus, data["status"])),
        ]
    if kind == "person_who_matters":
        lines = [("Name", data["name"]), ("Who they are", data["relationship"])]
        if data.get("contact"):
            lines.append(("How to reach them", data["contact"]))
        if data.get("ended"):
            lines.append(("", "No longer recorded as someone who matters"))
        return lines
    lines = []
    for key, label in (
        ("supported_by", "Supported to write this by"),
        ("supported_on", "Written on"),
        ("agreed_with", "Agreed with"),
        ("agreed_on", "Agreed on"),
        ("review_on", "Review by"),
        ("reviewer_name", "Reviewed by"),
    ):
        value = data.get(key)
        if value and key.endswith("_on"):
            value = _day(dt.date.fromisoformat(value))
        lines.append((label, value or "Not recorded"))
    return lines


def plan_history(*, viewer, person_id: int, part: str, ip: str | None) -> PlanHistory:
    """Every version of one part of the plan, newest first, with who wrote it and when."""
    v = _viewer(viewer)
    heading = _part_heading(part or "")
    person, access, grant = _decide(v, person_id, ip, "read earlier versions of the plan")
    if heading is None:
        raise InvalidRequest("There is no such part of the plan")
    lens = _lens_for(v, person.id)
    withheld = 0
    versions: list[PlanVersionEntry] = []
    with transaction.atomic():
        if part == "what_matters":
            rows = WhatMattersToMe.objects.filter(person_id=person.id)[:200]
            versions = [
                PlanVersionEntry(
                    lines=[("", row.text)],
                    recorded_by=row.recorded_by,
                    recorded_at=row.recorded_at,
                    is_current=i == 0,
                )
                for i, row in enumerate(rows)
            ]
        else:
            team_note = part.startswith("person_who_matters:")
            for row in PlanVersion.objects.filter(person_id=person.id, part=part)[:200]:
                if not team_note and not _shown(lens, row.partner, _plan_part(part)):
                    withheld += 1
                    continue
                versions.append(
                    PlanVersionEntry(
                        lines=_version_lines(part, row.data),
                        recorded_by=row.recorded_by,
                        recorded_at=row.recorded_at,
                        is_current=not versions and not withheld,
                    )
                )
        detail = {"what": "plan_history", "part": part, "access": access}
        if grant:
            detail["break_glass_id"] = grant.id
        _audit(
            v,
            AuditEntry.Action.VIEW_PERSON,
            ip,
            person_id=person.id,
            purpose="earlier versions of the care and support plan",
            detail=detail,
        )
    return PlanHistory(
        person=_plan_person(person),
        part=part,
        heading=heading,
        versions=versions,
        withheld=withheld,
    )


# --- Changing ---------------------------------------------------------------------------------


def _writer(v: _Viewer) -> plan_actions.Writer:
    return plan_actions.Writer(by=_by(v), user_id=v.user_id, partner=v.own_partner)


def _changed(v: _Viewer, ip: str | None, person_id: int, purpose: str, detail: dict) -> None:
    _audit(v, AuditEntry.Action.CHANGE, ip, person_id=person_id, purpose=purpose, detail=detail)


def _must_see(lens: Lens, partner: str | None, part: str) -> None:
    """Nobody overwrites words they were not allowed to read."""
    if partner is not None and not _shown(lens, partner, part):
        raise InvalidRequest(
            "Part of this plan was written by an organisation whose information your role "
            "cannot see, so you cannot change it. Ask the person's named lead."
        )


def save_plan_section(
    *, viewer, person_id: int, section: str, text: str, ip: str | None
) -> PlanText:
    v = _viewer(viewer)
    person = _for_edit(v, person_id, ip)
    if section not in PlanSection.values:
        raise InvalidRequest("There is no such part of the plan")
    current = PlanSectionText.objects.filter(person_id=person.id, section=section).first()
    _must_see(_lens_for(v, person.id), current.partner if current else None, _plan_part(section))
    with transaction.atomic():
        try:
            row = plan_actions.save_plan_section(
                person_id=person.id, section=section, text=text, by=_writer(v)
            )
        except plan_actions.InvalidEntry as exc:
            raise InvalidRequest(str(exc)) from None
        if (row.text if row else "") != (current.text if current else ""):
            _changed(
                v,
                ip,
                person.id,
                "changed the care and support plan",
                {"what": "plan_section", "section": section},
            )
    return PlanText(
        key=section,
        heading=PlanSection(section).label,
        text=row.text if row else "",
        recorded_by=row.recorded_by if row else "",
        recorded_at=row.recorded_at if row else None,
    )


def save_goal(
    *,
    viewer,
    person_id: int,
    text: str,
    status: str,
    goal_id: int | None = None,
    ip: str | None,
) -> PlanGoal:
    """A new goal (``goal_id`` None) or a goal's new words or status; every version kept."""
    v = _viewer(viewer)
    person = _for_edit(v, person_id, ip)
    with transaction.atomic():
        try:
            if goal_id is None:
                row = plan_actions.add_goal(
                    person_id=person.id, text=text, status=status, by=_writer(v)
                )
            else:
                current = Goal.objects.filter(id=goal_id, person_id=person.id).first()
                _must_see(_lens_for(v, person.id), current.partner if current else None, "goals")
                row = plan_actions.update_goal(
                    person_id=person.id, goal_id=goal_id, text=text, status=status, by=_writer(v)
                )
        except plan_actions.InvalidEntry as exc:
            raise InvalidRequest(str(exc)) from None
        _changed(
            v,
            ip,
            person.id,
            "changed the care and support plan",
            {"what": "plan_goal", "goal_id": row.id, "new": goal_id is None},
        )
    return _goal(row)


def save_plan_action(
    *,
    viewer,
    person_id: int,
    what: str,
    owner: str,
    due_on: dt.date | None,
    status: str,
    goal_id: int | None = None,
    action_id: int | None = None,
    ip: str | None,
) -> PlanActionLine:
    """A new action (``action_id`` None) or a change to one. ``owner`` is a choice the plan
    page offered: ``person``, ``pwm:<id>`` or ``staff:<id>``."""
    v = _viewer(viewer)
    person = _for_edit(v, person_id, ip)
    chosen = _resolve_owner(v, person, owner or "")
    with transaction.atomic():
        try:
            if action_id is None:
                row = plan_actions.add_plan_action(
                    person_id=person.id,
                    what=what,
                    owner=chosen,
                    due_on=due_on,
                    status=status,
                    goal_id=goal_id,
                    by=_writer(v),
                )
            else:
                current = PlanAction.objects.filter(id=action_id, person_id=person.id).first()
                _must_see(_lens_for(v, person.id), current.partner if current else None, "actions")
                row = plan_actions.update_plan_action(
                    person_id=person.id,
                    action_id=action_id,
                    what=what,
                    owner=chosen,
                    due_on=due_on,
                    status=status,
                    goal_id=goal_id,
                    by=_writer(v),
                )
        except plan_actions.InvalidEntry as exc:
            raise InvalidRequest(str(exc)) from None
        _changed(
            v,
            ip,
            person.id,
            "changed the care and support plan",
            {
                "what": "plan_action",
                "action_id": row.id,
                "new": action_id is None,
                "owner_staff_id": row.owner_staff_id,
            },
        )
    return _action(row, timezone.localdate())


def save_plan_details(
    *,
    viewer,
    person_id: int,
    supported_by: str = "",
    supported_on: dt.date | None = None,
    agreed_with: str = "",
    agreed_on: dt.date | None = None,
    review_on: dt.date | None = None,
    reviewer: str = "",
    ip: str | None,
) -> None:
    """Who supported writing the plan, who agreed it, when it is reviewed and by whom."""
    v = _viewer(viewer)
    person = _for_edit(v, person_id, ip)
    current = PlanDetails.objects.filter(person_id=person.id).first()
    _must_see(_lens_for(v, person.id), current.partner if current else None, "agreement")
    reviewer_id, reviewer_name = None, ""
    if reviewer:
        staff = _staff_choices(v, person)
        kind, _, raw = reviewer.partition(":")
        if kind != "staff" or not raw.isdigit() or int(raw) not in staff:
            raise InvalidRequest("Choose who will review the plan from the list")
        reviewer_id, reviewer_name = int(raw), staff[int(raw)]
    with transaction.atomic():
        try:
            plan_actions.save_plan_details(
                person_id=person.id,
                supported_by=supported_by,
                supported_on=supported_on,
                agreed_with=agreed_with,
                agreed_on=agreed_on,
                review_on=review_on,
                reviewer_staff_id=reviewer_id,
                reviewer_name=reviewer_name,
                by=_writer(v),
            )
        except plan_actions.InvalidEntry as exc:
            raise InvalidRequest(str(exc)) from None
        _changed(
            v,
            ip,
            person.id,
            "changed the care and support plan",
            {"what": "plan_details", "review_on": review_on.isoformat() if review_on else None},
        )


def update_person_who_matters(
    *,
    viewer,
    person_id: int,
    entry_id: int,
    name: str,
    relationship: str,
    contact: str = "",
    ip: str | None,
) -> PlanPersonWhoMatters:
    v = _viewer(viewer)
    person = _for_edit(v, person_id, ip)
    with transaction.atomic():
        try:
            row = plan_actions.update_person_who_matters(
                person_id=person.id,
                entry_id=entry_id,
                name=name,
                relationship=relationship,
                contact=contact,
                by=_writer(v),
            )
        except plan_actions.InvalidEntry as exc:
            raise InvalidRequest(str(exc)) from None
        _changed(
            v,
            ip,
            person.id,
            "changed a person who matters",
            {"what": "person_who_matters", "entry_id": row.id},
        )
    return PlanPersonWhoMatters(
        entry_id=row.id,
        name=row.name,
        relationship=row.relationship,
        contact=row.contact,
        recorded_by=row.recorded_by,
    )


def end_person_who_matters(*, viewer, person_id: int, entry_id: int, ip: str | None) -> None:
    """No longer someone who matters to the person; kept in the plan's history."""
    v = _viewer(viewer)
    person = _for_edit(v, person_id, ip)
    with transaction.atomic():
        if not plan_actions.end_person_who_matters(
            entry_id=entry_id, person_id=person.id, by=_writer(v)
        ):
            raise InvalidRequest("This person is not among the people who matter to them")
        _changed(
            v,
            ip,
            person.id,
            "ended a person who matters",
            {"what": "person_who_matters_ended", "entry_id": entry_id},
        )
