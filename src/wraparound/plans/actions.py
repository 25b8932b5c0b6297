"""Writes to the person-centred record; called only through ``governance.access``.

The gate checks the viewer's relationship to the person and writes the audit row in the same
transaction; these functions only record what was said, by whom, when.
"""

import datetime as dt
from dataclasses import dataclass

from django.db import models, transaction
from django.utils import timezone

from wraparound.plans.models import (
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

MAX_TEXT = 4000


class InvalidEntry(ValueError):
    """The entry cannot be recorded as given (empty, or too long); the message says why."""


def _clean(text: str, what: str, max_length: int) -> str:
    value = (text or "").strip()
    if not value:
        raise InvalidEntry(f"Enter {what}")
    if len(value) > max_length:
        raise InvalidEntry(f"Keep {what} under {max_length} characters")
    return value


@transaction.atomic
def record_what_matters(
    *, person_id: int, text: str, by: str, by_user_id: int | None = None
) -> WhatMattersToMe:
    """A new version of what matters to the person; earlier versions stay as history."""
    return WhatMattersToMe.objects.create(
        person_id=person_id,
        text=_clean(text, "what matters to the person", MAX_TEXT),
        recorded_by=by,
        recorded_by_user_id=by_user_id,
        recorded_at=timezone.now(),
    )


@transaction.atomic
def add_person_who_matters(
    *,
    person_id: int,
    name: str,
    relationship: str,
    contact: str,
    by: str,
    by_user_id: int | None = None,
) -> PersonWhoMatters:
    row = PersonWhoMatters.objects.create(
        person_id=person_id,
        name=_clean(name, "their name", 200),
        relationship=(relationship or "").strip()[:200],
        contact=(contact or "").strip()[:300],
        recorded_by=by,
        recorded_by_user_id=by_user_id,
        recorded_at=timezone.now(),
    )
    # The first version too, so "previous versions" shows what was first written.
    PlanVersion.objects.create(
        person_id=person_id,
        part=f"person_who_matters:{row.id}",
        data=_who_matters_data(row),
        recorded_by=by,
        recorded_by_user_id=by_user_id,
        recorded_at=row.recorded_at,
    )
    return row


# --- The personalised care and support plan (issue 10) -----------------------------------------
#
# Every write keeps the current row for the page and appends the whole part, as it now is, to
# ``PlanVersion``: "previous versions" is a read of that table, never a reconstruction.


@dataclass(frozen=True)
class Writer:
    """Who is writing, as the gate resolved them: shown beside the words, kept with each version."""

    by: str
    user_id: int | None
    partner: str


def _version(*, person_id: int, part: str, data: dict, writer: Writer, at) -> None:
    PlanVersion.objects.create(
        person_id=person_id,
        part=part,
        data=data,
        recorded_by=writer.by,
        recorded_by_user_id=writer.user_id,
        partner=writer.partner,
        recorded_at=at,
    )


def _written(writer: Writer, at) -> dict:
    return {
        "recorded_by": writer.by,
        "recorded_by_user_id": writer.user_id,
        "partner": writer.partner,
        "recorded_at": at,
    }


def _choice(value: str, choices: type[models.TextChoices], what: str) -> str:
    if value not in choices.values:
        raise InvalidEntry(f"Choose {what}")
    return value


@transaction.atomic
def save_plan_section(
    *, person_id: int, section: str, text: str, by: Writer
) -> PlanSectionText | None:
    """The section's words as they now are; unchanged words add no version. Empty clears it."""
    section = _choice(section, PlanSection, "a section of the plan")
    value = (text or "").strip()
    if len(value) > MAX_TEXT:
        raise InvalidEntry(f"Keep this under {MAX_TEXT} characters")
    current = PlanSectionText.objects.filter(person_id=person_id, section=section).first()
    if (current.text if current else "") == value:
        return current
    at = timezone.now()
    row, _ = PlanSectionText.objects.update_or_create(
        person_id=person_id,
        section=section,
        defaults={"text": value, **_written(by, at)},
    )
    _version(person_id=person_id, part=f"section:{section}", data={"text": value}, writer=by, at=at)
    return row


def _goal_data(goal: Goal) -> dict:
    return {"text": goal.text, "status": goal.status}


@transaction.atomic
def add_goal(*, person_id: int, text: str, status: str, by: Writer) -> Goal:
    at = timezone.now()
    goal = Goal.objects.create(
        person_id=person_id,
        text=_clean(text, "the goal, in the person's words", MAX_TEXT),
        status=_choice(status, GoalStatus, "how far the goal is met"),
        created_at=at,
        **_written(by, at),
    )
    _version(person_id=person_id, part=f"goal:{goal.id}", data=_goal_data(goal), writer=by, at=at)
    return goal


@transaction.atomic
def update_goal(*, person_id: int, goal_id: int, text: str, status: str, by: Writer) -> Goal:
    goal = Goal.objects.select_for_update().filter(id=goal_id, person_id=person_id).first()
    if goal is None:
        raise InvalidEntry("This goal is not in this person's plan")
    text = _clean(text, "the goal, in the person's words", MAX_TEXT)
    status = _choice(status, GoalStatus, "how far the goal is met")
    if (goal.text, goal.status) == (text, status):
        return goal
    at = timezone.now()
    goal.text, goal.status = text, status
    for key, value in _written(by, at).items():
        setattr(goal, key, value)
    goal.save()
    _version(person_id=person_id, part=f"goal:{goal.id}", data=_goal_data(goal), writer=by, at=at)
    return goal


@dataclass(frozen=True)
class ActionOwnerChoice:
    """Who will do it, resolved by the gate (a practitioner's name is read from their account)."""

    kind: str
    name: str
    staff_id: int | None = None
    person_who_matters_id: int | None = None


def _action_data(action: PlanAction) -> dict:
    return {
        "what": action.what,
        "owner_kind": action.owner_kind,
        "owner_name": action.owner_name,
        "owner_staff_id": action.owner_staff_id,
        "owner_person_who_matters_id": action.owner_person_who_matters_id,
        "due_on": action.due_on.isoformat() if action.due_on else None,
        "status": action.status,
        "goal_id": action.goal_id,
    }


def _action_fields(
    *, person_id: int, what: str, owner: ActionOwnerChoice, due_on, status: str, goal_id
) -> dict:
    if goal_id is not None and not Goal.objects.filter(id=goal_id, person_id=person_id).exists():
        raise InvalidEntry("Choose one of this person's goals, or none")
    if due_on is not None and not isinstance(due_on, dt.date):
        raise InvalidEntry("Enter the date it should be done by, for example 3 March 2026")
    return {
        "what": _clean(what, "what will be done", MAX_TEXT),
        "owner_kind": _choice(owner.kind, ActionOwner, "who will do it"),
        "owner_name": _clean(owner.name, "who will do it", 300),
        "owner_staff_id": owner.staff_id if owner.kind == ActionOwner.STAFF else None,
        "owner_person_who_matters_id": (
            owner.person_who_matters_id if owner.kind == ActionOwner.PERSON_WHO_MATTERS else None
        ),
        "due_on": due_on,
        "status": _choice(status, ActionStatus, "where the action has got to"),
        "goal_id": goal_id,
    }


@transaction.atomic
def add_plan_action(
    *,
    person_id: int,
    what: str,
    owner: ActionOwnerChoice,
    due_on: dt.date | None,
    status: str,
    goal_id: int | None = None,
    meeting_item_id: int | None = None,
    by: Writer,
) -> PlanAction:
    fields = _action_fields(
        person_id=person_id, what=what, owner=owner, due_on=due_on, status=status, goal_id=goal_id
    )
    at = timezone.now()
    action = PlanAction.objects.create(
        person_id=person_id,
        created_at=at,
        meeting_item_id=meeting_item_id,
        done_at=at if fields["status"] == ActionStatus.DONE else None,
        **fields,
        **_written(by, at),
    )
    _version(
        person_id=person_id, part=f"action:{action.id}", data=_action_data(action), writer=by, at=at
    )
    return action


@transaction.atomic
def update_plan_action(
    *,
    person_id: int,
    action_id: int,
    what: str,
    owner: ActionOwnerChoice,
    due_on: dt.date | None,
    status: str,
    goal_id: int | None = None,
    by: Writer,
) -> PlanAction:
    action = (
        PlanAction.objects.select_for_update().filter(id=action_id, person_id=person_id).first()
    )
    if action is None:
        raise InvalidEntry("This action is not in this person's plan")
    fields = _action_fields(
        person_id=person_id, what=what, owner=owner, due_on=due_on, status=status, goal_id=goal_id
    )
    before = _action_data(action)
    for key, value in fields.items():
        setattr(action, key, value)
    if _action_data(action) == before:
        return action
    at = timezone.now()
    for key, value in _written(by, at).items():
        setattr(action, key, value)
    if action.status == ActionStatus.DONE and action.done_at is None:
        action.done_at = at
    elif action.status in OPEN_ACTION:
        action.done_at = None
    action.save()
    _version(
        person_id=person_id, part=f"action:{action.id}", data=_action_data(action), writer=by, at=at
    )
    return action


DETAIL_FIELDS = (
    "supported_by",
    "supported_on",
    "agreed_with",
    "agreed_on",
    "review_on",
    "reviewer_staff_id",
    "reviewer_name",
)


def _details_data(details: PlanDetails) -> dict:
    out = {}
    for name in DETAIL_FIELDS:
        value = getattr(details, name)
        out[name] = value.isoformat() if isinstance(value, dt.date) else value
    return out


@transaction.atomic
def save_plan_details(
    *,
    person_id: int,
    supported_by: str,
    supported_on: dt.date | None,
    agreed_with: str,
    agreed_on: dt.date | None,
    review_on: dt.date | None,
    reviewer_staff_id: int | None,
    reviewer_name: str,
    by: Writer,
) -> PlanDetails:
    """Who supported writing the plan, who agreed it and when, when it is reviewed and by whom."""
    values = {
        "supported_by": (supported_by or "").strip()[:300],
        "supported_on": supported_on,
        "agreed_with": (agreed_with or "").strip()[:300],
        "agreed_on": agreed_on,
        "review_on": review_on,
        "reviewer_staff_id": reviewer_staff_id,
        "reviewer_name": (reviewer_name or "").strip()[:300] if reviewer_staff_id else "",
    }
    for name in ("supported_on", "agreed_on", "review_on"):
        if values[name] is not None and not isinstance(values[name], dt.date):
            raise InvalidEntry("Enter dates like 3 March 2026")
    current = PlanDetails.objects.select_for_update().filter(person_id=person_id).first()
    if current is not None and all(getattr(current, k) == v for k, v in values.items()):
        return current
    at = timezone.now()
    details, _ = PlanDetails.objects.update_or_create(
        person_id=person_id, defaults={**values, **_written(by, at)}
    )
    _version(person_id=person_id, part="details", data=_details_data(details), writer=by, at=at)
    return details


def _who_matters_data(row: PersonWhoMatters) -> dict:
    return {
        "name": row.name,
        "relationship": row.relationship,
        "contact": row.contact,
        "ended": row.ended_at is not None,
    }


@transaction.atomic
def update_person_who_matters(
    *, person_id: int, entry_id: int, name: str, relationship: str, contact: str, by: Writer
) -> PersonWhoMatters:
    row = (
        PersonWhoMatters.objects.select_for_update()
        .filter(id=entry_id, person_id=person_id, ended_at=None)
        .first()
    )
    if row is None:
        raise InvalidEntry("This person is not among the people who matter to them")
    new = (
        _clean(name, "their name", 200),
        (relationship or "").strip()[:200],
        (contact or "").strip()[:300],
    )
    if (row.name, row.relationship, row.contact) == new:
        return row
    row.name, row.relationship, row.contact = new
    row.save(update_fields=["name", "relationship", "contact"])
    _version(
        person_id=person_id,
        part=f"person_who_matters:{row.id}",
        data=_who_matters_data(row),
        writer=by,
        at=timezone.now(),
    )
    return row


@transaction.atomic
def end_person_who_matters(*, entry_id: int, person_id: int, by: Writer) -> bool:
    """No longer someone who matters (moved away, died); kept as history, not deleted."""
    row = (
        PersonWhoMatters.objects.select_for_update()
        .filter(id=entry_id, person_id=person_id, ended_at=None)
        .first()
    )
    if row is None:
        return False
    row.ended_at = timezone.now()
    row.save(update_fields=["ended_at"])
    _version(
        person_id=person_id,
        part=f"person_who_matters:{row.id}",
        data=_who_matters_data(row),
        writer=by,
        at=row.ended_at,
    )
    return True


@transaction.atomic
def move_person(*, from_person_id: int, to_person_id: int) -> None:
    """Two records were one person all along: the team's words follow the person kept.

    A section both records have keeps the kept person's words; the other's stay as versions.
    """
    WhatMattersToMe.objects.filter(person_id=from_person_id).update(person_id=to_person_id)
    PersonWhoMatters.objects.filter(person_id=from_person_id).update(person_id=to_person_id)
    for model in (Goal, PlanAction, PlanVersion):
        model.objects.filter(person_id=from_person_id).update(person_id=to_person_id)
    kept_sections = PlanSectionText.objects.filter(person_id=to_person_id).values_list(
        "section", flat=True
    )
    PlanSectionText.objects.filter(person_id=from_person_id).exclude(
        section__in=list(kept_sections)
    ).update(person_id=to_person_id)
    PlanSectionText.objects.filter(person_id=from_person_id).delete()
    if PlanDetails.objects.filter(person_id=to_person_id).exists():
        PlanDetails.objects.filter(person_id=from_person_id).delete()
    else:
        PlanDetails.objects.filter(person_id=from_person_id).update(person_id=to_person_id)
