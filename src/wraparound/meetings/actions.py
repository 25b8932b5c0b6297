"""Writes of MDT meetings; called only through ``governance.access.meetings``.

The gate decides who may do what (the team's members schedule and nominate, the chair runs the
meeting) and writes the audit row in the same transaction; these functions keep the meeting's
own rules: a finished or cancelled meeting is not changed, a person is on a case list once, a
nomination has a reason, the agenda order is the chair's.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from wraparound.meetings.models import CaseItem, Invitation, Meeting

MAX_TEXT = 10_000
MAX_NAME = 300
MAX_GUESTS = 40
AGENDA_SIZE = 8  # "on average 8 patients discussed at each meeting" (Wolverhampton, seed 002)


class InvalidMeeting(ValueError):
    """The meeting cannot be changed as asked; the message says what to do, fit to show."""


@dataclass(frozen=True)
class By:
    """Who records the change, as plain values (kept on the rows as written)."""

    staff_id: int
    user_id: int
    name: str
    partner: str = ""  # their organisation's kind of partner (whose detail their notes are)


@dataclass(frozen=True)
class Invitee:
    """Someone to invite: a member of staff (``staff_id``) or a guest by name and organisation."""

    name: str
    organisation: str = ""
    role_label: str = ""
    staff_id: int | None = None


def _clean(value: str, what: str, max_length: int = MAX_TEXT, *, required: bool = True) -> str:
    # PostgreSQL refuses NUL in text; nobody types one on purpose.
    text = (value or "").replace("\x00", "").strip()
    if required and not text:
        raise InvalidMeeting(f"Enter {what}")
    if len(text) > max_length:
        raise InvalidMeeting(f"Keep {what} under {max_length:,} characters")
    return text


def _changeable(meeting_id: int) -> Meeting:
    """The meeting, locked for this change; refused once it is finished or cancelled."""
    meeting = Meeting.objects.select_for_update().get(id=meeting_id)
    if meeting.status in (Meeting.Status.FINISHED, Meeting.Status.CANCELLED):
        raise InvalidMeeting(
            "This meeting has finished: its minutes are kept as they were. "
            "Add the person to the next meeting instead."
        )
    return meeting


def _invite(meeting: Meeting, invitees: list[Invitee]) -> None:
    seen: set[tuple] = set()
    rows = []
    for person in invitees:
        name = _clean(person.name, "the name of each person invited", MAX_NAME)
        organisation = _clean(person.organisation, "their organisation", MAX_NAME, required=False)
        key = ("staff", person.staff_id) if person.staff_id else ("guest", name.lower())
        if key in seen:
            continue
        seen.add(key)
        rows.append(
            Invitation(
                meeting=meeting,
                staff_id=person.staff_id,
                name=name,
                organisation=organisation,
                role_label=_clean(person.role_label, "their role", 200, required=False),
                guest=person.staff_id is None,
            )
        )
    if sum(1 for r in rows if r.guest) > MAX_GUESTS:
        raise InvalidMeeting(f"Invite at most {MAX_GUESTS} guests")
    Invitation.objects.bulk_create(rows)


@transaction.atomic
def schedule_meeting(
    *,
    team_id: int,
    title: str,
    starts_at: dt.datetime,
    chair: Invitee,
    invitees: list[Invitee],
    minutes_per_person: int = 10,
    virtual: bool = False,
    where: str = "",
    every: str = Meeting.Every.MONTHLY,
    follows: Meeting | None = None,
    by: By,
) -> Meeting:
    """A new meeting, with its chair and everyone invited (the chair is always invited)."""
    if every not in Meeting.Every.values:
        raise InvalidMeeting("Choose how often the meeting repeats")
    if starts_at is None or not isinstance(starts_at, dt.datetime):
        raise InvalidMeeting("Enter the date and time the meeting starts, for example 3 March 2026")
    if timezone.is_naive(starts_at):
        starts_at = timezone.make_aware(starts_at)
    if not 3 <= int(minutes_per_person) <= 60:
        raise InvalidMeeting("Give each person between 3 and 60 minutes")
    if chair.staff_id is None:
        raise InvalidMeeting("Choose a chair from the team")
    meeting = Meeting.objects.create(
        team_id=team_id,
        title=_clean(title, "the meeting's name", 200),
        starts_at=starts_at,
        minutes_per_person=int(minutes_per_person),
        virtual=bool(virtual),
        where=_clean(where, "where it is held or how to join", MAX_NAME, required=False),
        every=every,
        follows=follows,
        chair_staff_id=chair.staff_id,
        chair_name=_clean(chair.name, "the chair's name", MAX_NAME),
        created_by_name=by.name[:MAX_NAME],
        created_at=timezone.now(),
    )
    _invite(meeting, [chair, *invitees])
    return meeting


def next_date(meeting: Meeting) -> dt.datetime | None:
    """When the next meeting of a repeating series falls (same local time of day).

    Monthly means the same week and weekday ("the second Tuesday"), as teams book rooms; a
    fifth weekday that a month lacks becomes that month's last one.
    """
    start = timezone.localtime(meeting.starts_at)
    if meeting.every == Meeting.Every.WEEKLY:
        return start + dt.timedelta(weeks=1)
    if meeting.every == Meeting.Every.FORTNIGHTLY:
        return start + dt.timedelta(weeks=2)
    if meeting.every != Meeting.Every.MONTHLY:
        return None
    week = (start.day - 1) // 7
    year, month = (start.year + 1, 1) if start.month == 12 else (start.year, start.month + 1)
    days = calendar.monthrange(year, month)[1]
    first = dt.date(year, month, 1)
    offset = (start.weekday() - first.weekday()) % 7
    day = 1 + offset + 7 * week
    while day > days:
        day -= 7
    naive = dt.datetime.combine(dt.date(year, month, day), start.time().replace(tzinfo=None))
    return timezone.make_aware(naive, start.tzinfo)


@transaction.atomic
def schedule_next(*, meeting_id: int, by: By) -> Meeting:
    """The next meeting of a repeating series, with the same people invited (once only)."""
    meeting = Meeting.objects.select_for_update().get(id=meeting_id)
    existing = Meeting.objects.filter(follows=meeting).exclude(status=Meeting.Status.CANCELLED)
    if existing.exists():
        return existing.first()
    when = next_date(meeting)
    if when is None:
        raise InvalidMeeting("This meeting does not repeat: schedule a new one")
    chair_row = meeting.invitations.filter(staff_id=meeting.chair_staff_id).first()
    chair = Invitee(
        name=meeting.chair_name,
        organisation=chair_row.organisation if chair_row else "",
        role_label=chair_row.role_label if chair_row else "",
        staff_id=meeting.chair_staff_id,
    )
    invitees = [
        Invitee(
            name=i.name, organisation=i.organisation, role_label=i.role_label, staff_id=i.staff_id
        )
        for i in meeting.invitations.all()
        if i.staff_id != meeting.chair_staff_id
    ]
    return schedule_meeting(
        team_id=meeting.team_id,
        title=meeting.title,
        starts_at=when,
        chair=chair,
        invitees=invitees,
        minutes_per_person=meeting.minutes_per_person,
        virtual=meeting.virtual,
        where=meeting.where,
        every=meeting.every,
        follows=meeting,
        by=by,
    )


@transaction.atomic
def add_to_case_list(
    *,
    meeting_id: int,
    person_id: int,
    reason: str,
    source: str,
    agreed_to_discussion: bool = False,
    on_agenda: bool = False,
    hospital_reason: str = "",
    by: By,
) -> CaseItem:
    """A nomination (waits for the chair) or an accepted suggestion (straight onto the agenda).

    A person already on the list keeps their place; a second reason is added to the first, so
    two colleagues nominating the same person make one item with both reasons.
    """
    meeting = _changeable(meeting_id)
    if source not in CaseItem.Source.values:
        raise InvalidMeeting("Say why the person is on the list")
    reason = _clean(reason, "why the person should be discussed", 2_000)
    item = CaseItem.objects.select_for_update().filter(meeting=meeting, person_id=person_id).first()
    if item is not None:
        if reason not in item.reason:
            item.reason = f"{item.reason}\n{by.name}: {reason}"[:MAX_TEXT]
        if hospital_reason and hospital_reason not in item.hospital_reason:
            item.hospital_reason = "\n".join(filter(None, (item.hospital_reason, hospital_reason)))
        item.agreed_to_discussion = item.agreed_to_discussion or agreed_to_discussion
        if on_agenda and item.status in (CaseItem.Status.PROPOSED, CaseItem.Status.DECLINED):
            item.status = CaseItem.Status.AGENDA
        item.save()
        return item
    last = meeting.items.order_by("-position").values_list("position", flat=True).first() or 0
    return CaseItem.objects.create(
        meeting=meeting,
        person_id=person_id,
        source=source,
        reason=reason,
        hospital_reason=_clean(hospital_reason, "the hospital reasons", 2_000, required=False),
        nominated_by_staff_id=by.staff_id,
        nominated_by_name=by.name[:MAX_NAME],
        nominated_at=timezone.now(),
        agreed_to_discussion=bool(agreed_to_discussion),
        status=CaseItem.Status.AGENDA if on_agenda else CaseItem.Status.PROPOSED,
        position=last + 1,
    )


@transaction.atomic
def decide_item(*, item_id: int, on_agenda: bool, by: By) -> CaseItem:
    """The chair takes a nomination onto the agenda, or leaves it for another time."""
    item = CaseItem.objects.select_for_update().select_related("meeting").get(id=item_id)
    _changeable(item.meeting_id)
    if item.status in (CaseItem.Status.DISCUSSED,):
        raise InvalidMeeting("This person has been discussed already")
    item.status = CaseItem.Status.AGENDA if on_agenda else CaseItem.Status.DECLINED
    item.save(update_fields=["status"])
    return item


@transaction.atomic
def order_agenda(*, meeting_id: int, item_ids: list[int], by: By) -> None:
    """The chair's order: the items named come first in that order, the rest after them."""
    meeting = _changeable(meeting_id)
    items = {i.id: i for i in meeting.items.select_for_update()}
    ordered = [items[i] for i in dict.fromkeys(item_ids) if i in items]
    rest = [i for i in sorted(items.values(), key=lambda i: (i.position, i.id)) if i not in ordered]
    for position, item in enumerate(ordered + rest, start=1):
        if item.position != position:
            item.position = position
            item.save(update_fields=["position"])


@transaction.atomic
def start_meeting(*, meeting_id: int, by: By) -> Meeting:
    meeting = _changeable(meeting_id)
    if meeting.status == Meeting.Status.PLANNED:
        meeting.status = Meeting.Status.UNDER_WAY
        meeting.started_at = timezone.now()
        meeting.save(update_fields=["status", "started_at"])
    return meeting


@transaction.atomic
def start_item(*, item_id: int, by: By) -> CaseItem:
    """The person's ten minutes begin (the timer counts from here; it survives a reload)."""
    item = CaseItem.objects.select_for_update().get(id=item_id)
    start_meeting(meeting_id=item.meeting_id, by=by)
    if item.status not in (CaseItem.Status.AGENDA, CaseItem.Status.DISCUSSED):
        raise InvalidMeeting("Only people on the agenda are discussed: ask the chair to add them")
    if item.started_at is None:
        item.started_at = timezone.now()
        item.save(update_fields=["started_at"])
    return item


@transaction.atomic
def record_discussion(
    *, item_id: int, discussion: str, decisions: str, finished: bool, by: By
) -> CaseItem:
    """The notes of the discussion and what was decided; ``finished`` ends the person's turn."""
    item = CaseItem.objects.select_for_update().get(id=item_id)
    _changeable(item.meeting_id)
    if item.status not in (CaseItem.Status.AGENDA, CaseItem.Status.DISCUSSED):
        raise InvalidMeeting("Only people on the agenda are discussed: ask the chair to add them")
    item.discussion = _clean(discussion, "the notes of the discussion", required=False)
    item.decisions = _clean(decisions, "what was decided", required=finished)
    item.recorded_by_name = by.name[:MAX_NAME]
    item.recorded_partner = by.partner[:32]
    now = timezone.now()
    item.started_at = item.started_at or now
    if finished:
        item.status = CaseItem.Status.DISCUSSED
        item.ended_at = item.ended_at or now
    item.save()
    return item


@transaction.atomic
def record_attendance(*, meeting_id: int, present: set[int], by: By) -> None:
    """Who was there: every invitation is marked present or not (ids not named are absent)."""
    meeting = _changeable(meeting_id)
    for invitation in meeting.invitations.select_for_update():
        attended = invitation.id in present
        if invitation.attended is not attended:
            invitation.attended = attended
            invitation.save(update_fields=["attended"])


@transaction.atomic
def finish_meeting(*, meeting_id: int, by: By) -> Meeting:
    """The meeting ends: people on the agenda not discussed are marked "not reached" (they are
    suggested again next time) and the minutes are fixed."""
    meeting = _changeable(meeting_id)
    now = timezone.now()
    meeting.items.filter(status=CaseItem.Status.AGENDA).update(status=CaseItem.Status.NOT_REACHED)
    meeting.items.filter(status=CaseItem.Status.PROPOSED).update(status=CaseItem.Status.DECLINED)
    meeting.status = Meeting.Status.FINISHED
    meeting.started_at = meeting.started_at or now
    meeting.finished_at = now
    meeting.save(update_fields=["status", "started_at", "finished_at"])
    return meeting


@transaction.atomic
def cancel_meeting(*, meeting_id: int, by: By) -> Meeting:
    meeting = _changeable(meeting_id)
    meeting.status = Meeting.Status.CANCELLED
    meeting.save(update_fields=["status"])
    return meeting


def move_person(*, from_person_id: int, to_person_id: int) -> None:
    """Two records were one person all along: their case list items follow the person kept.

    Where both were on the same meeting's list, the kept person's item keeps the discussion and
    the other's reason is added to it.
    """
    for item in CaseItem.objects.filter(person_id=from_person_id):
        other = CaseItem.objects.filter(meeting_id=item.meeting_id, person_id=to_person_id).first()
        if other is None:
            item.person_id = to_person_id
            item.save(update_fields=["person_id"])
            continue
        other.reason = f"{other.reason}\n{item.reason}"[:MAX_TEXT]
        for field in ("discussion", "decisions"):
            extra = getattr(item, field)
            if extra:
                setattr(other, field, f"{getattr(other, field)}\n{extra}".strip()[:MAX_TEXT])
        other.save()
        item.delete()
