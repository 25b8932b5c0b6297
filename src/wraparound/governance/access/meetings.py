"""Community MDT meetings through the gate: who may schedule, nominate, run and attend, and
what each attendee may see of each person discussed.

The rules, in one place:

- **Scheduling and suggestions**: members of the meeting's team whose role may run meetings
  (``Permission.RUN_MEETINGS``: practitioners). The software suggests people the team works
  with, each with reasons a practitioner would accept (``_suggest``), worked out through the
  viewer's lens: an admission the viewer may not see is not a reason shown to them.
- **Nominating**: any member of the team who may open the person's record by their own
  relationship (assigned or caseload; not break-glass, which is for emergencies).
- **Running** (accepting, ordering, starting, recording, finishing): the chair, or an invited
  member of the team who may run meetings, standing in.
- **Meeting mode**: being invited to discuss a person is a legitimate relationship to that
  person, for that meeting only (``_meeting_access``): only for people on the agenda, only from
  ``meetings.hours_before`` the start until the chair finishes it (at most ``hours_after``
  the start). Each attendee sees what their own role allows (the lens, exactly as on the
  record page), and every look is audited as a meeting view (``AuditEntry.Action.MEETING_VIEW``).
- **Objections**: a person who objected to sharing between organisations is never suggested;
  under ``meetings.objection: ask_person`` they may be nominated only with their agreement to
  this discussion recorded, and are then seen through the objection lens; under ``never`` they
  are not put on a multi-agency case list at all.

Actions agreed are plan actions (``plans.PlanAction.meeting_item_id``): they sit in the person's
plan, on the lead's caseload ("My caseload" lists open actions a practitioner leads) and open
the next meeting.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from wraparound.frontdoor import queries as fq
from wraparound.frontdoor.models import HelpRequest
from wraparound.governance.access import requests as request_gate
from wraparound.governance.access.audit import _audit, _refuse
from wraparound.governance.access.caseload import _from_events
from wraparound.governance.access.errors import InvalidRequest, NoAccess
from wraparound.governance.access.mdt_history import (
    _day,
    _discussions,
    _local_day,
    notes_readable,
)
from wraparound.governance.access.meeting_results import (
    ActionLine,
    CaseItemLine,
    InvitationLine,
    MeetingFormChoices,
    MeetingLine,
    MeetingList,
    MeetingPage,
    MeetingPersonView,
    Minutes,
    MinutesPerson,
    StaffChoice,
    Suggestion,
)
from wraparound.governance.access.record import _build_record
from wraparound.governance.access.relationship import _objections, _person_id, _relationships
from wraparound.governance.access.summaries import _age, _display_name
from wraparound.governance.access.viewer import _Viewer, _viewer
from wraparound.governance.models import Assignment, AuditEntry, CaseloadEntry, Staff, Team
from wraparound.governance.roles import Permission, Role, has_permission
from wraparound.identity.models import Person
from wraparound.meetings import actions as mdt
from wraparound.meetings.models import CaseItem, Invitation, Meeting
from wraparound.plans import actions as plan_actions
from wraparound.plans import queries as plan_queries
from wraparound.plans.models import OPEN_ACTION, ActionOwner, ActionStatus, Goal, PlanAction

# How many people the software suggests at most (the chair picks about eight).
MAX_SUGGESTIONS = 15
# A team's people looked at for suggestions, at most (caseload list, named staff, requests).
MAX_CANDIDATES = 3_000
TIMELINE_ITEMS = 10
MAX_AHEAD_DAYS = 731  # meetings and actions: dates within about two years
_OWN_RELATIONSHIPS = ("assigned", "caseload")
_RUNNING = (CaseItem.Status.AGENDA, CaseItem.Status.DISCUSSED)


def _by(v: _Viewer) -> mdt.By:
    return mdt.By(
        staff_id=v.staff_id, user_id=v.user_id, name=v.display_name, partner=v.own_partner
    )


def _label(choices, value: str) -> str:
    try:
        return choices(value).label
    except ValueError:
        return value


# --- Who may do what --------------------------------------------------------------------------


def _meeting(v: _Viewer, meeting_id, ip: str | None, tried: str) -> Meeting:
    """The meeting, if the viewer is invited to it or is in its team; else refused (audited).

    One refusal for "no such meeting" and "not yours", so ids cannot be probed.
    """
    mid = _person_id(meeting_id)  # the same bounds: a positive id that fits
    meeting = (
        Meeting.objects.select_related("team").filter(id=mid).first() if mid is not None else None
    )
    if (
        meeting is None
        or not v.may(Permission.VIEW_PERSON)
        or not (_in_team(v, meeting) or _invited(v, meeting))
    ):
        _refuse(v, ip, None, f"not invited to this meeting: {tried}", "MDT meeting")
        raise NoAccess()
    return meeting


def _in_team(v: _Viewer, meeting: Meeting) -> bool:
    return meeting.team_id in v.team_ids


def _invited(v: _Viewer, meeting: Meeting) -> bool:
    return meeting.invitations.filter(staff_id=v.staff_id).exists()


def _may_run(v: _Viewer, meeting: Meeting) -> bool:
    if not v.may(Permission.RUN_MEETINGS):
        return False
    return meeting.chair_staff_id == v.staff_id or (_in_team(v, meeting) and _invited(v, meeting))


def _require_run(v: _Viewer, meeting: Meeting, ip: str | None, tried: str) -> None:
    if not _may_run(v, meeting):
        _refuse(v, ip, None, f"not the chair: {tried}", "MDT meeting")
        raise NoAccess()


def _window_open(v: _Viewer, meeting: Meeting, now: dt.datetime) -> bool:
    """The meeting relationship holds from a little before the start until the chair finishes."""
    if meeting.status not in (Meeting.Status.PLANNED, Meeting.Status.UNDER_WAY):
        return False
    rules = v.agreement.meetings
    opens = meeting.starts_at - dt.timedelta(hours=rules.hours_before)
    closes = meeting.starts_at + dt.timedelta(hours=rules.hours_after)
    return opens <= now <= closes


def _item(meeting: Meeting, item_id, v: _Viewer, ip: str | None, tried: str) -> CaseItem:
    iid = _person_id(item_id)
    item = meeting.items.filter(id=iid).first() if iid is not None else None
    if item is None:
        _refuse(v, ip, None, f"not on this meeting's list: {tried}", "MDT meeting")
        raise NoAccess()
    return item


def _item_and_meeting(v: _Viewer, item_id, ip: str | None, tried: str, meeting_id=None) -> CaseItem:
    """The item and its meeting; with ``meeting_id`` (the screen's), an item of another
    meeting is refused like one that does not exist."""
    iid = _person_id(item_id)
    row = CaseItem.objects.filter(id=iid).values_list("meeting_id", flat=True).first()
    if meeting_id is not None and row != _person_id(meeting_id):
        row = None
    meeting = _meeting(v, row or 0, ip, tried)
    return _item(meeting, iid, v, ip, tried)


def _invalid(exc: Exception) -> InvalidRequest:
    return InvalidRequest(str(exc))


def _write(
    v: _Viewer,
    ip: str | None,
    write,
    *,
    purpose: str,
    detail,
    person_id: int | None = None,
    action: str = AuditEntry.Action.MEETING,
):
    """One shape for every meeting write: the change and its audit row in one transaction.

    ``detail`` is a dict, or a function of what ``write`` returned (for ids made by it). The
    meeting's own rules refuse with a message fit to show (``InvalidMeeting``), as the plan's do.
    """
    with transaction.atomic():
        try:
            result = write()
        except (mdt.InvalidMeeting, plan_actions.InvalidEntry) as exc:
            raise _invalid(exc) from None
        _audit(
            v,
            action,
            ip,
            person_id=person_id,
            purpose=purpose,
            detail=detail(result) if callable(detail) else detail,
        )
    return result


# --- Values handed out ------------------------------------------------------------------------


def _people(person_ids) -> dict[int, dict]:
    return {
        p["id"]: p
        for p in Person.objects.filter(id__in=list(person_ids), retired=False).values(
            "id", "given_name", "family_name", "date_of_birth", "postcode"
        )
    }


HOSPITAL = ("acute",)


def _sees_hospital(v: _Viewer) -> bool:
    """Admissions and A&E attendances are the acute trust's detail."""
    return all(v.lens().may_see_detail(partner, "", "") for partner in HOSPITAL)


def _item_line(
    item: CaseItem,
    person: dict | None,
    objection: bool,
    hospital: bool = False,
    notes: bool = True,
) -> CaseItemLine:
    minutes = None
    if item.started_at and item.ended_at:
        minutes = max(0, round((item.ended_at - item.started_at).total_seconds() / 60))
    return CaseItemLine(
        item_id=item.id,
        person_id=item.person_id,
        name=(
            _display_name(person["given_name"], person["family_name"])
            if person
            else "Record no longer held"
        ),
        date_of_birth=person["date_of_birth"] if person else None,
        age=_age(person["date_of_birth"]) if person else None,
        source=item.source,
        source_label=_label(CaseItem.Source, item.source),
        reason="; ".join(
            filter(None, (item.reason, item.hospital_reason if hospital else ""))
        ).replace("\n", "; "),
        nominated_by=item.nominated_by_name,
        nominated_at=item.nominated_at,
        status=item.status,
        status_label=_label(CaseItem.Status, item.status),
        position=item.position,
        objection=objection,
        agreed_to_discussion=item.agreed_to_discussion,
        decisions=item.decisions if notes else "",
        started_at=item.started_at,
        ended_at=item.ended_at,
        minutes_taken=minutes,
        discussion=item.discussion if notes else "",
        notes_withheld=not notes and bool(item.decisions or item.discussion),
    )


def _own_people(v: _Viewer, people: dict[int, dict]) -> set[int]:
    """The people this viewer works with by their own relationship (not the meeting's)."""
    relationships = _relationships(v, {pid: p["postcode"] for pid, p in people.items()})
    return {pid for pid, rel in relationships.items() if rel in _OWN_RELATIONSHIPS}


def _item_lines(v: _Viewer, items: list[CaseItem], *, live: bool) -> list[CaseItemLine]:
    """The case list as this viewer may read it. While the meeting is on (``live``: invited,
    in the meeting's window) attendees read the notes being written, as they hear them; after
    it, the notes and decisions are the recording organisation's detail, for those who work
    with the person and whose role reads that organisation's detail (``notes_readable``)."""
    people = _people(i.person_id for i in items)
    objecting = _objections([i.person_id for i in items])
    hospital = _sees_hospital(v)
    own = set() if live else _own_people(v, people)
    lenses = {False: v.lens(False), True: v.lens(True)}
    return [
        _item_line(
            i,
            people.get(i.person_id),
            i.person_id in objecting,
            hospital,
            notes=live
            or (
                i.person_id in own
                and notes_readable(lenses[i.person_id in objecting], i.recorded_partner)
            ),
        )
        for i in items
    ]


def _action_lines(rows: list[PlanAction], today: dt.date) -> list[ActionLine]:
    if not rows:
        return []
    items = {
        i["id"]: i
        for i in CaseItem.objects.filter(id__in={r.meeting_item_id for r in rows}).values(
            "id", "meeting_id", "meeting__starts_at"
        )
    }
    people = _people({r.person_id for r in rows})
    goals = dict(
        Goal.objects.filter(id__in={r.goal_id for r in rows if r.goal_id}).values_list("id", "text")
    )
    out = []
    for r in rows:
        item = items.get(r.meeting_item_id)
        person = people.get(r.person_id)
        out.append(
            ActionLine(
                action_id=r.id,
                person_id=r.person_id,
                person_name=(
                    _display_name(person["given_name"], person["family_name"]) if person else ""
                ),
                what=r.what,
                lead=r.owner_name,
                lead_staff_id=r.owner_staff_id,
                due_on=r.due_on,
                status=r.status,
                status_label=_label(ActionStatus, r.status),
                overdue=bool(r.due_on and r.due_on < today and r.status in OPEN_ACTION),
                done_at=r.done_at,
                meeting_id=item["meeting_id"] if item else 0,
                meeting_on=_local_day(item["meeting__starts_at"]) if item else r.created_at.date(),
                goal=goals.get(r.goal_id, ""),
            )
        )
    return out


def _invitation_lines(meeting: Meeting) -> list[InvitationLine]:
    return [
        InvitationLine(
            invitation_id=i.id,
            name=i.name,
            organisation=i.organisation,
            role=i.role_label,
            guest=i.guest,
            attended=i.attended,
            is_chair=i.staff_id is not None and i.staff_id == meeting.chair_staff_id,
        )
        for i in meeting.invitations.all()
    ]


def _staff_label(staff: Staff) -> str:
    return staff.job_title or _label(Role, staff.role)


_CARE_ROLES = tuple(
    r for r in Role.values if has_permission(r, Permission.VIEW_PERSON) and r != Role.DATA_STEWARD
)


def _staff_choices(team_id: int | None, *, among: set[int] | None = None) -> list[StaffChoice]:
    """Everyone with an account who may attend (care roles only), this team first; with
    ``among``, only the team's members and those staff (an action's possible leads)."""
    members = set(
        Staff.teams.through.objects.filter(team_id=team_id).values_list("staff_id", flat=True)
        if team_id
        else ()
    )
    staff = Staff.objects.filter(user__is_active=True, role__in=_CARE_ROLES)
    if among is not None:
        staff = staff.filter(id__in=members | among)
    out = [
        StaffChoice(
            staff_id=s.id,
            name=s.display_name,
            role=_staff_label(s),
            organisation=s.organisation.name,
            in_team=s.id in members,
            may_chair=has_permission(s.role, Permission.RUN_MEETINGS),
        )
        for s in staff.select_related("user", "organisation")
    ]
    out.sort(key=lambda c: (not c.in_team, c.organisation.lower(), c.name.lower()))
    return out


def _meeting_line(v: _Viewer, m: Meeting, counts: dict, invited: set[int]) -> MeetingLine:
    agenda, discussed = counts.get(m.id, (0, 0))
    return MeetingLine(
        meeting_id=m.id,
        team=m.team.name,
        title=m.title,
        starts_at=m.starts_at,
        status=m.status,
        status_label=_label(Meeting.Status, m.status),
        chair=m.chair_name,
        virtual=m.virtual,
        where=m.where,
        every_label=_label(Meeting.Every, m.every),
        people_on_agenda=agenda,
        people_discussed=discussed,
        is_chair=m.chair_staff_id == v.staff_id,
        invited=m.id in invited,
    )


# --- Lists and forms (no person data) ---------------------------------------------------------


def meeting_list(*, viewer, ip: str | None) -> MeetingList:
    """The viewer's teams' meetings and those they are invited to: upcoming first, then the
    last 24 past. No person is named, so nothing is audited."""
    v = _viewer(viewer)
    if not v.may(Permission.VIEW_PERSON):
        raise NoAccess()
    invited = set(
        Invitation.objects.filter(staff_id=v.staff_id).values_list("meeting_id", flat=True)
    )
    mine = Meeting.objects.filter(team_id__in=v.team_ids) | Meeting.objects.filter(id__in=invited)
    mine = mine.select_related("team").distinct()
    now = timezone.now()
    today_start = now - dt.timedelta(hours=v.agreement.meetings.hours_after)
    upcoming = list(
        mine.filter(status__in=(Meeting.Status.PLANNED, Meeting.Status.UNDER_WAY))
        .filter(starts_at__gte=today_start)
        .order_by("starts_at")[:24]
    )
    upcoming += [
        m
        for m in mine.filter(status=Meeting.Status.UNDER_WAY, starts_at__lt=today_start)
        if m not in upcoming
    ]
    past = list(mine.exclude(id__in=[m.id for m in upcoming]).order_by("-starts_at")[:24])
    counts: dict[int, tuple[int, int]] = defaultdict(lambda: (0, 0))
    for mid, status in CaseItem.objects.filter(
        meeting_id__in=[m.id for m in upcoming + past], status__in=_RUNNING
    ).values_list("meeting_id", "status"):
        agenda, discussed = counts[mid]
        counts[mid] = (agenda + 1, discussed + (status == CaseItem.Status.DISCUSSED))
    teams = list(Team.objects.filter(id__in=v.team_ids).order_by("name").values_list("id", "name"))
    return MeetingList(
        upcoming=[_meeting_line(v, m, counts, invited) for m in upcoming],
        past=[_meeting_line(v, m, counts, invited) for m in past],
        may_schedule=bool(teams) and v.may(Permission.RUN_MEETINGS),
        teams=teams,
    )


def meeting_form_choices(*, viewer, team_id=None) -> MeetingFormChoices:
    v = _viewer(viewer)
    if not v.may(Permission.RUN_MEETINGS) or not v.team_ids:
        raise NoAccess()
    teams = list(Team.objects.filter(id__in=v.team_ids).order_by("name").values_list("id", "name"))
    chosen = _person_id(team_id)
    chosen = chosen if chosen in v.team_ids else teams[0][0]
    name = dict(teams)[chosen]
    return MeetingFormChoices(
        teams=teams,
        staff=_staff_choices(chosen),
        every=list(Meeting.Every.choices),
        default_title=f"{name.removesuffix(' Team')} MDT",
        default_chair_staff_id=v.staff_id,
    )


def meetings_for_nomination(*, viewer) -> list[tuple[int, str]]:
    """Upcoming meetings of the viewer's teams a person may be nominated for."""
    v = _viewer(viewer)
    if not v.may(Permission.VIEW_PERSON) or not v.team_ids:
        return []
    rows = (
        Meeting.objects.filter(
            team_id__in=v.team_ids,
            status__in=(Meeting.Status.PLANNED, Meeting.Status.UNDER_WAY),
            starts_at__gte=timezone.now() - dt.timedelta(hours=v.agreement.meetings.hours_after),
        )
        .order_by("starts_at")
        .values_list("id", "title", "starts_at")[:12]
    )
    return [(mid, f"{title}, {_day(_local_day(at))}") for mid, title, at in rows]


# --- Scheduling -------------------------------------------------------------------------------


def schedule_meeting(
    *,
    viewer,
    ip: str | None,
    team_id,
    title: str,
    starts_at: dt.datetime,
    chair_staff_id,
    invited_staff_ids,
    guests,
    minutes_per_person: int = 10,
    virtual: bool = False,
    where: str = "",
    every: str = Meeting.Every.MONTHLY,
) -> int:
    """A new meeting of one of the viewer's teams; the chair must be a member who may run it."""
    v = _viewer(viewer)
    tid = _person_id(team_id)
    if not v.may(Permission.RUN_MEETINGS) or tid not in v.team_ids:
        _refuse(v, ip, None, "schedule a meeting for a team one is not in", "MDT meeting")
        raise NoAccess()
    choices = {c.staff_id: c for c in _staff_choices(tid)}
    chair = choices.get(_person_id(chair_staff_id))
    if chair is None or not chair.in_team:
        raise InvalidRequest("Choose a chair from the team")
    chair_role = Staff.objects.filter(id=chair.staff_id).values_list("role", flat=True).first()
    if not has_permission(chair_role, Permission.RUN_MEETINGS):
        raise InvalidRequest("Choose a chair whose role may run meetings")
    invitees = []
    for raw in invited_staff_ids or []:
        choice = choices.get(_person_id(raw))
        if choice is None:
            raise InvalidRequest("Choose the people to invite from the list")
        invitees.append(
            mdt.Invitee(
                name=choice.name,
                organisation=choice.organisation,
                role_label=choice.role,
                staff_id=choice.staff_id,
            )
        )
    for name, organisation in guests or []:
        if (name or "").strip() or (organisation or "").strip():
            if not (name or "").strip():
                raise InvalidRequest("Enter each guest's name as well as their organisation")
            invitees.append(mdt.Invitee(name=name, organisation=organisation, role_label="Guest"))
    if isinstance(starts_at, dt.datetime):
        now = timezone.now()
        if starts_at < now - dt.timedelta(hours=v.agreement.meetings.hours_after):
            raise InvalidRequest("Enter a date and time from today onwards")
        if starts_at > now + dt.timedelta(days=MAX_AHEAD_DAYS):
            raise InvalidRequest("Enter a date within the next 2 years")
    try:
        minutes = int(minutes_per_person)
    except (TypeError, ValueError):
        raise InvalidRequest(
            "Enter the minutes for each person as a number, for example 10"
        ) from None
    meeting = _write(
        v,
        ip,
        lambda: mdt.schedule_meeting(
            team_id=tid,
            title=title,
            starts_at=starts_at,
            chair=mdt.Invitee(
                name=chair.name,
                organisation=chair.organisation,
                role_label=chair.role,
                staff_id=chair.staff_id,
            ),
            invitees=invitees,
            minutes_per_person=minutes,
            virtual=bool(virtual),
            where=where,
            every=every,
            by=_by(v),
        ),
        purpose="scheduled an MDT meeting",
        detail=lambda m: {"meeting_id": m.id, "invited": m.invitations.count()},
    )
    return meeting.id


def cancel_meeting(*, viewer, ip: str | None, meeting_id) -> None:
    v = _viewer(viewer)
    meeting = _meeting(v, meeting_id, ip, "cancel a meeting")
    if meeting.chair_staff_id != v.staff_id or not v.may(Permission.RUN_MEETINGS):
        _refuse(v, ip, None, "not the chair: cancel a meeting", "MDT meeting")
        raise NoAccess()
    _write(
        v,
        ip,
        lambda: mdt.cancel_meeting(meeting_id=meeting.id, by=_by(v)),
        purpose="cancelled an MDT meeting",
        detail={"meeting_id": meeting.id},
    )


# --- Suggestions ------------------------------------------------------------------------------


def _team_people(team_id: int, today: dt.date) -> list[int]:
    """Whom the team works with by name: its caseload list, its members' named people, and
    people who asked the team for help in the last 90 days (bounded)."""
    members = list(Staff.objects.filter(teams__id=team_id).values_list("id", flat=True))
    ids = list(
        CaseloadEntry.objects.filter(team_id=team_id).values_list("person_id", flat=True)[
            :MAX_CANDIDATES
        ]
    )
    ids += list(
        Assignment.objects.filter(staff_id__in=members, ended_at=None).values_list(
            "person_id", flat=True
        )[:MAX_CANDIDATES]
    )
    since = timezone.make_aware(dt.datetime.combine(today - dt.timedelta(days=90), dt.time()))
    ids += list(
        HelpRequest.objects.filter(team_id=team_id, received_at__gte=since, person_id__isnull=False)
        .order_by("-received_at")
        .values_list("person_id", flat=True)[:MAX_CANDIDATES]
    )
    return list(dict.fromkeys(ids))[:MAX_CANDIDATES]


def _last_discussed(team_id: int, person_ids: list[int]) -> dict[int, dt.datetime]:
    out: dict[int, dt.datetime] = {}
    rows = CaseItem.objects.filter(
        meeting__team_id=team_id,
        person_id__in=person_ids,
        status=CaseItem.Status.DISCUSSED,
    ).values_list("person_id", "ended_at", "meeting__starts_at")
    for pid, ended, started in rows:
        when = ended or started
        if pid not in out or when > out[pid]:
            out[pid] = when
    return out


def _suggest(v: _Viewer, meeting: Meeting, today: dt.date) -> list[Suggestion]:
    """People the team might discuss, each with plain reasons, most reasons first.

    Reasons: a request for help stuck (passed on or chased three times, or open over two
    weeks); a plan review overdue; admissions or A&E attendances since last discussed (in the
    last 90 days); a new safety flag (14 days); actions from an earlier meeting still open or
    overdue; not reached at the last meeting. People already on this meeting's list, people
    who objected to sharing, and people the viewer has no relationship with are left out.
    """
    now = timezone.now()
    reasons: dict[int, list[str]] = defaultdict(list)
    for row in fq.open_for_teams([meeting.team_id]):
        if row.person_id and row.is_stuck(now):
            days = max(0, (now - row.received_at).days)
            bits = [f"open {days} days"]
            if row.handoffs:
                bits.append(f"{row.handoffs} hand-off{'s' if row.handoffs != 1 else ''}")
            if row.contacts:
                bits.append(f"{row.contacts} further contact{'s' if row.contacts != 1 else ''}")
            reasons[row.person_id].append("Request for help stuck: " + ", ".join(bits))
    earlier = PlanAction.objects.filter(
        meeting_item_id__in=CaseItem.objects.filter(meeting__team_id=meeting.team_id)
        .exclude(meeting=meeting)
        .values("id"),
        status__in=OPEN_ACTION,
    ).values_list("person_id", "due_on")
    open_actions: dict[int, list[dt.date | None]] = defaultdict(list)
    for pid, due in earlier:
        open_actions[pid].append(due)
    for pid, dues in open_actions.items():
        late = sum(1 for d in dues if d and d < today)
        text = f"{len(dues)} action{'s' if len(dues) != 1 else ''} from an earlier MDT still open"
        reasons[pid].append(f"{text} ({late} overdue)" if late else text)
    previous = meeting.follows_id or (
        Meeting.objects.filter(
            team_id=meeting.team_id,
            status=Meeting.Status.FINISHED,
            starts_at__lt=meeting.starts_at,
        )
        .order_by("-starts_at")
        .values_list("id", flat=True)
        .first()
    )
    if previous:
        for pid in CaseItem.objects.filter(
            meeting_id=previous, status=CaseItem.Status.NOT_REACHED
        ).values_list("person_id", flat=True):
            reasons[pid].append("Not reached at the last meeting")
    candidates = list(dict.fromkeys(list(reasons) + _team_people(meeting.team_id, today)))
    for pid, review_on in plan_queries.reviews_due(
        candidates, today - dt.timedelta(days=1)
    ).items():
        reasons[pid].append(f"Plan review overdue (due {_day(review_on)})")
    since = _last_discussed(meeting.team_id, candidates)
    flags, hospital = _from_events(v, candidates, today, since=since, hospital_partners=HOSPITAL)
    hospital_reason: dict[int, str] = {}
    for pid, lines in hospital.items():
        when = since.get(pid)
        head = (
            f"Since last discussed on {_day(_local_day(when))}" if when else "In the last 90 days"
        )
        shown = "; ".join(lines[:3]) + (f" and {len(lines) - 3} more" if len(lines) > 3 else "")
        hospital_reason[pid] = f"{head}: {shown}"
        reasons[pid].append(hospital_reason[pid])
    for pid, lines in flags.items():
        reasons[pid].append(f"New safety flag: {lines[0]}")
    taken = set(meeting.items.values_list("person_id", flat=True))
    objecting = _objections(list(reasons))
    wanted = [pid for pid in reasons if pid not in taken and pid not in objecting]
    people = _people(wanted)
    relationships = _relationships(v, {pid: people[pid]["postcode"] for pid in people})
    out = [
        Suggestion(
            person_id=pid,
            name=_display_name(people[pid]["given_name"], people[pid]["family_name"]),
            date_of_birth=people[pid]["date_of_birth"],
            age=_age(people[pid]["date_of_birth"], today),
            reasons=reasons[pid],
            score=len(reasons[pid]),
            hospital=[hospital_reason[pid]] if pid in hospital_reason else [],
        )
        for pid in wanted
        if pid in people and relationships.get(pid) in _OWN_RELATIONSHIPS
    ]
    out.sort(key=lambda s: (-s.score, s.name.lower(), s.person_id))
    return out[:MAX_SUGGESTIONS]


# --- The meeting page -------------------------------------------------------------------------


def open_meeting(*, viewer, ip: str | None, meeting_id) -> MeetingPage:
    """The meeting: who is invited, the case list, suggestions (for those who run it) and the
    actions from earlier meetings still open. Audited with every person named on the page."""
    v = _viewer(viewer)
    meeting = _meeting(v, meeting_id, ip, "open a meeting")
    today = timezone.localdate()
    may_run = _may_run(v, meeting)
    changeable = meeting.status in (Meeting.Status.PLANNED, Meeting.Status.UNDER_WAY)
    with transaction.atomic():
        items = list(meeting.items.all())
        live = _invited(v, meeting) and _window_open(v, meeting, timezone.now())
        lines = _item_lines(v, items, live=live)
        # The whole case list is for those who prepare it (the team's practitioners) and for
        # attendees while the meeting is on; anyone else sees the people they work with, and
        # how many others there are.
        hidden = 0
        if not live and not (_in_team(v, meeting) and v.may(Permission.RUN_MEETINGS)):
            own = _own_people(v, _people(i.person_id for i in items))
            hidden = sum(1 for line in lines if line.person_id not in own)
            lines = [line for line in lines if line.person_id in own]
        suggestions = _suggest(v, meeting, today) if may_run and changeable else []
        earlier = (
            list(
                PlanAction.objects.filter(
                    meeting_item_id__in=CaseItem.objects.filter(
                        meeting__team_id=meeting.team_id, meeting__starts_at__lt=meeting.starts_at
                    ).values("id"),
                    status__in=OPEN_ACTION,
                ).order_by("due_on", "id")[:100]
            )
            if _in_team(v, meeting) or may_run
            else []
        )
        # Actions name people and what is done for them: only those the viewer works with.
        own = _own_people(v, _people({a.person_id for a in earlier}))
        open_actions = _action_lines([a for a in earlier if a.person_id in own], today)
        agenda = [line for line in lines if line.status in (*_RUNNING, CaseItem.Status.NOT_REACHED)]
        named = sorted(
            {line.person_id for line in lines}
            | {s.person_id for s in suggestions}
            | {a.person_id for a in open_actions}
        )
        _audit(
            v,
            AuditEntry.Action.MEETING_VIEW,
            ip,
            purpose=f"MDT meeting: {meeting.title} on {_day(_local_day(meeting.starts_at))}",
            detail={"what": "meeting_page", "meeting_id": meeting.id, "person_ids": named},
        )
    following = (
        Meeting.objects.filter(follows=meeting)
        .exclude(status=Meeting.Status.CANCELLED)
        .values_list("id", flat=True)
        .first()
    )
    people_on = sum(1 for line in agenda if line.status in _RUNNING)
    return MeetingPage(
        meeting_id=meeting.id,
        team_id=meeting.team_id,
        team=meeting.team.name,
        title=meeting.title,
        starts_at=meeting.starts_at,
        ends_at=meeting.starts_at + dt.timedelta(minutes=meeting.minutes_per_person * people_on),
        minutes_per_person=meeting.minutes_per_person,
        status=meeting.status,
        status_label=_label(Meeting.Status, meeting.status),
        virtual=meeting.virtual,
        where=meeting.where,
        every_label=_label(Meeting.Every, meeting.every),
        chair=meeting.chair_name,
        may_run=may_run and changeable,
        may_nominate=_in_team(v, meeting) and changeable,
        may_open_people=_invited(v, meeting) and _window_open(v, meeting, timezone.now()),
        invitations=_invitation_lines(meeting),
        agenda=agenda,
        proposed=[line for line in lines if line.status == CaseItem.Status.PROPOSED],
        declined=[line for line in lines if line.status == CaseItem.Status.DECLINED],
        suggestions=suggestions,
        open_actions=open_actions,
        previous_meeting_id=meeting.follows_id,
        next_meeting_id=following,
        agenda_size=mdt.AGENDA_SIZE,
        may_cancel=changeable and meeting.chair_staff_id == v.staff_id,
        people_not_shown=hidden,
    )


# --- The case list ----------------------------------------------------------------------------


def _objection_rule(v: _Viewer, person_id: int, agreed: bool) -> None:
    if person_id not in _objections([person_id]):
        return
    if v.agreement.meetings.objection == "never":
        raise InvalidRequest(
            "This person has objected to sharing information between organisations, and the "
            "sharing agreement keeps them off multi-agency meetings."
        )
    if not agreed:
        raise InvalidRequest(
            "This person has objected to sharing information between organisations. Ask them "
            "first: nominate them only if they agree to be discussed at this meeting, and tick "
            "the box to say so."
        )


def nominate_person(
    *,
    viewer,
    ip: str | None,
    meeting_id,
    person_id,
    reason: str,
    agreed_to_discussion: bool = False,
) -> None:
    """A member of the team puts someone they work with forward, with a reason."""
    v = _viewer(viewer)
    meeting = _meeting(v, meeting_id, ip, "nominate a person")
    pid = _person_id(person_id)
    person = Person.objects.filter(id=pid, retired=False).values("id", "postcode").first()
    if not _in_team(v, meeting) or person is None:
        _refuse(v, ip, pid, "nominate for a meeting of another team", "MDT meeting")
        raise NoAccess()
    if _relationships(v, {pid: person["postcode"]})[pid] not in _OWN_RELATIONSHIPS:
        _refuse(v, ip, pid, "nominate a person one does not work with", "MDT meeting")
        raise NoAccess()
    _objection_rule(v, pid, bool(agreed_to_discussion))
    with transaction.atomic():
        try:
            item = mdt.add_to_case_list(
                meeting_id=meeting.id,
                person_id=pid,
                reason=reason,
                source=CaseItem.Source.NOMINATED,
                agreed_to_discussion=bool(agreed_to_discussion),
                on_agenda=False,
                by=_by(v),
            )
        except mdt.InvalidMeeting as exc:
            raise _invalid(exc) from None
        _audit(
            v,
            AuditEntry.Action.MEETING,
            ip,
            person_id=pid,
            purpose="nominated for an MDT meeting",
            detail={"meeting_id": meeting.id, "item_id": item.id},
        )


def accept_suggestion(*, viewer, ip: str | None, meeting_id, person_id) -> None:
    """The chair takes a suggested person onto the agenda, with the suggestion's reasons."""
    v = _viewer(viewer)
    meeting = _meeting(v, meeting_id, ip, "accept a suggestion")
    _require_run(v, meeting, ip, "accept a suggestion")
    pid = _person_id(person_id)
    found = {s.person_id: s for s in _suggest(v, meeting, timezone.localdate())}
    if pid not in found:
        raise InvalidRequest("This person is no longer suggested: nominate them with a reason")
    with transaction.atomic():
        try:
            item = mdt.add_to_case_list(
                meeting_id=meeting.id,
                person_id=pid,
                reason="; ".join(r for r in found[pid].reasons if r not in found[pid].hospital),
                hospital_reason="; ".join(found[pid].hospital),
                source=CaseItem.Source.SUGGESTED,
                on_agenda=True,
                by=_by(v),
            )
        except mdt.InvalidMeeting as exc:
            raise _invalid(exc) from None
        _audit(
            v,
            AuditEntry.Action.MEETING,
            ip,
            person_id=pid,
            purpose="added to an MDT meeting's agenda (suggested)",
            detail={"meeting_id": meeting.id, "item_id": item.id},
        )


def _chair_change(v: _Viewer, ip, item_id, tried: str, change, meeting_id=None) -> CaseItem:
    """One shape for the chair's changes to an item: find, check, change, audit."""
    item = _item_and_meeting(v, item_id, ip, tried, meeting_id)
    _require_run(v, item.meeting, ip, tried)
    return _write(
        v,
        ip,
        lambda: change(item),
        purpose=tried,
        detail={"meeting_id": item.meeting_id, "item_id": item.id},
        person_id=item.person_id,
    )


def decide_nomination(*, viewer, ip: str | None, item_id, on_agenda: bool, meeting_id=None) -> None:
    v = _viewer(viewer)

    def change(item: CaseItem) -> CaseItem:
        if on_agenda and item.person_id in _objections([item.person_id]):
            _objection_rule(v, item.person_id, item.agreed_to_discussion)
        return mdt.decide_item(item_id=item.id, on_agenda=bool(on_agenda), by=_by(v))

    _chair_change(
        v,
        ip,
        item_id,
        "added a nomination to the agenda" if on_agenda else "left a nomination for another time",
        change,
        meeting_id,
    )


def move_agenda_item(*, viewer, ip: str | None, item_id, direction: str, meeting_id=None) -> None:
    v = _viewer(viewer)
    if direction not in ("up", "down"):
        raise InvalidRequest("Choose up or down")

    def change(item: CaseItem) -> CaseItem:
        # Up and down move among the people on the agenda, as the chair sees it; nominations
        # waiting and people left for another time keep their places after them.
        order = list(
            item.meeting.items.filter(status__in=(*_RUNNING, CaseItem.Status.NOT_REACHED))
            .order_by("position", "id")
            .values_list("id", flat=True)
        )
        if item.id not in order:
            raise mdt.InvalidMeeting("Only people on the agenda are put in order")
        at = order.index(item.id)
        swap = at - 1 if direction == "up" else at + 1
        if 0 <= swap < len(order):
            order[at], order[swap] = order[swap], order[at]
        mdt.order_agenda(meeting_id=item.meeting_id, item_ids=order, by=_by(v))
        return item

    _chair_change(v, ip, item_id, "changed the order of an MDT agenda", change, meeting_id)


# --- Running the meeting ----------------------------------------------------------------------


def start_meeting(*, viewer, ip: str | None, meeting_id) -> int | None:
    """The meeting begins; returns the first person on the agenda (None when it is empty)."""
    v = _viewer(viewer)
    meeting = _meeting(v, meeting_id, ip, "start a meeting")
    _require_run(v, meeting, ip, "start a meeting")
    if not _window_open(v, meeting, timezone.now()):
        raise InvalidRequest(
            "A meeting can be started on its day only, up to "
            f"{v.agreement.meetings.hours_before} hours before it is due to begin."
        )
    _write(
        v,
        ip,
        lambda: mdt.start_meeting(meeting_id=meeting.id, by=_by(v)),
        purpose="started an MDT meeting",
        detail={"meeting_id": meeting.id},
    )
    return meeting.items.filter(status=CaseItem.Status.AGENDA).values_list("id", flat=True).first()


def _meeting_access(v: _Viewer, meeting: Meeting, item: CaseItem, ip: str | None):
    """Whether this attendee may see this person now, and how (their own relationship, or the
    meeting's). Refusals are audited. Returns (person, relationship)."""
    person = Person.objects.filter(id=item.person_id, retired=False).first()
    why = None
    if person is None:
        why = "no such person"
    elif not _invited(v, meeting):
        why = "not invited to this meeting"
    elif item.status not in _RUNNING:
        why = "not on this meeting's agenda"
    elif not _window_open(v, meeting, timezone.now()):
        why = "the meeting is not on now"
    if why:
        _refuse(v, ip, item.person_id, why, f"MDT meeting {meeting.id}")
        raise NoAccess()
    own = _relationships(v, {person.id: person.postcode})[person.id]
    if own == "none" and person.id in _objections([person.id]) and not item.agreed_to_discussion:
        _refuse(
            v,
            ip,
            person.id,
            "objected to sharing; not agreed to this discussion",
            f"MDT meeting {meeting.id}",
        )
        raise NoAccess()
    return person, (own if own in _OWN_RELATIONSHIPS else "meeting")


def _leads(meeting: Meeting) -> list[StaffChoice]:
    invited = set(meeting.invitations.exclude(staff_id=None).values_list("staff_id", flat=True))
    return _staff_choices(meeting.team_id, among=invited)


def open_meeting_person(*, viewer, ip: str | None, meeting_id, item_id) -> MeetingPersonView:
    """Meeting mode: one person, one screen, as this attendee's role allows. Audited as a
    meeting view with what was shown and withheld."""
    v = _viewer(viewer)
    meeting = _meeting(v, meeting_id, ip, "open a person in meeting mode")
    item = _item(meeting, item_id, v, ip, "open a person in meeting mode")
    if not v.may(Permission.VIEW_PERSON):
        raise NoAccess()
    person, access = _meeting_access(v, meeting, item, ip)
    today = timezone.localdate()
    now = timezone.now()
    with transaction.atomic():
        record, detail = _build_record(
            v,
            person,
            access,
            None,
            timeline_partner=None,
            timeline_kind=None,
            timeline_page=1,
            page_size=TIMELINE_ITEMS,
        )
        requests = request_gate._items(v, fq.open_for_person(person.id, [meeting.team_id]))
        # This meeting's actions for the person, and earlier meetings' still open: one read.
        lines = _action_lines(
            list(
                PlanAction.objects.filter(person_id=person.id, meeting_item_id__isnull=False)
                .filter(Q(meeting_item_id=item.id) | Q(status__in=OPEN_ACTION))
                .order_by("due_on", "id")
            ),
            today,
        )
        mine = {a.action_id for a in lines if a.meeting_id == meeting.id}
        actions = sorted((a for a in lines if a.action_id in mine), key=lambda a: a.action_id)
        earlier = [a for a in lines if a.action_id not in mine]
        detail.update(
            {
                "what": "meeting_person",
                "meeting_id": meeting.id,
                "item_id": item.id,
                "relationship": access,
                "request_ids": [r.request_id for r in requests],
            }
        )
        _audit(
            v,
            AuditEntry.Action.MEETING_VIEW,
            ip,
            person_id=person.id,
            purpose=f"MDT meeting: {meeting.title} on {_day(_local_day(meeting.starts_at))}",
            detail=detail,
        )
    agenda = list(
        meeting.items.filter(status__in=_RUNNING)
        .order_by("position", "id")
        .values_list("id", flat=True)
    )
    place = agenda.index(item.id) if item.id in agenda else 0
    seconds_left = None
    if item.started_at and item.status == CaseItem.Status.AGENDA:
        allowed = dt.timedelta(minutes=meeting.minutes_per_person)
        seconds_left = math.floor((item.started_at + allowed - now).total_seconds())
    objection = bool(detail.get("objection"))
    return MeetingPersonView(
        meeting_id=meeting.id,
        meeting_title=meeting.title,
        meeting_status=meeting.status,
        item=_item_line(
            item,
            {
                "given_name": person.given_name,
                "family_name": person.family_name,
                "date_of_birth": person.date_of_birth,
            },
            objection,
            _sees_hospital(v),
        ),
        record=record,
        open_requests=requests,
        actions=actions,
        earlier_actions=earlier,
        earlier_discussions=_discussions(person.id, v.lens(objection), exclude_item=item.id),
        leads=_leads(meeting),
        goals=list(
            Goal.objects.filter(person_id=person.id).order_by("id").values_list("id", "text")
        ),
        may_record=_may_run(v, meeting),
        seconds_left=seconds_left,
        minutes_per_person=meeting.minutes_per_person,
        position=place + 1,
        agenda_count=len(agenda),
        previous_item_id=agenda[place - 1] if place > 0 else None,
        next_item_id=agenda[place + 1] if place + 1 < len(agenda) else None,
    )


def _running_item(v: _Viewer, ip, item_id, tried: str, meeting_id=None) -> CaseItem:
    item = _item_and_meeting(v, item_id, ip, tried, meeting_id)
    _require_run(v, item.meeting, ip, tried)
    if not _window_open(v, item.meeting, timezone.now()):
        raise InvalidRequest("The meeting is not on now: its minutes are kept as they were.")
    return item


def start_discussion(*, viewer, ip: str | None, item_id, meeting_id=None) -> None:
    """The person's time starts (the timer counts from the moment saved, so it survives reloads)."""
    v = _viewer(viewer)
    item = _running_item(v, ip, item_id, "start discussing a person", meeting_id)
    _write(
        v,
        ip,
        lambda: mdt.start_item(item_id=item.id, by=_by(v)),
        purpose="started discussing a person at an MDT meeting",
        detail={"meeting_id": item.meeting_id, "item_id": item.id},
        person_id=item.person_id,
    )


def record_discussion(
    *,
    viewer,
    ip: str | None,
    item_id,
    discussion: str,
    decisions: str,
    finished: bool,
    meeting_id=None,
) -> None:
    v = _viewer(viewer)
    item = _running_item(v, ip, item_id, "record an MDT discussion", meeting_id)
    with transaction.atomic():
        try:
            mdt.record_discussion(
                item_id=item.id,
                discussion=discussion,
                decisions=decisions,
                finished=bool(finished),
                by=_by(v),
            )
        except mdt.InvalidMeeting as exc:
            raise _invalid(exc) from None
        _audit(
            v,
            AuditEntry.Action.CHANGE,
            ip,
            person_id=item.person_id,
            purpose="recorded an MDT discussion",
            detail={"meeting_id": item.meeting_id, "item_id": item.id, "finished": bool(finished)},
        )


def add_meeting_action(
    *,
    viewer,
    ip: str | None,
    item_id,
    what: str,
    lead_staff_id,
    due_on: dt.date | None,
    goal_id=None,
    meeting_id=None,
) -> None:
    """An action agreed for the person: a plan action with a lead from the meeting or the team,
    a due date, and (optionally) the plan goal it serves."""
    v = _viewer(viewer)
    item = _running_item(v, ip, item_id, "agree an MDT action", meeting_id)
    if item.status not in _RUNNING:
        raise InvalidRequest("Only people on the agenda are discussed: ask the chair to add them")
    lead = {c.staff_id: c for c in _leads(item.meeting)}.get(_person_id(lead_staff_id))
    if lead is None:
        raise InvalidRequest("Choose who will lead the action from the list")
    if due_on is None:
        raise InvalidRequest("Enter the date it should be done by, for example 3 March 2026")
    meeting_day = _local_day(item.meeting.starts_at)
    if not meeting_day <= due_on <= meeting_day + dt.timedelta(days=MAX_AHEAD_DAYS):
        raise InvalidRequest(
            f"Enter a date from {_day(meeting_day)} to "
            f"{_day(meeting_day + dt.timedelta(days=MAX_AHEAD_DAYS))}"
        )
    goal = _person_id(goal_id) if goal_id not in (None, "") else None

    def write():
        action = plan_actions.add_plan_action(
            person_id=item.person_id,
            what=what,
            owner=plan_actions.ActionOwnerChoice(
                kind=ActionOwner.STAFF, name=lead.name, staff_id=lead.staff_id
            ),
            due_on=due_on,
            status=ActionStatus.TO_DO,
            goal_id=goal,
            meeting_item_id=item.id,
            by=plan_actions.Writer(by=v.display_name, user_id=v.user_id, partner=v.own_partner),
        )
        return action, _lead_works_with(lead.staff_id, item.person_id, meeting_day)

    action, assigned = _write(
        v,
        ip,
        write,
        purpose="agreed an action at an MDT meeting",
        detail=lambda done: {
            "meeting_id": item.meeting_id,
            "item_id": item.id,
            "action_id": done[0].id,
            "lead_staff_id": lead.staff_id,
            "lead_assigned": done[1],
        },
        person_id=item.person_id,
        action=AuditEntry.Action.CHANGE,
    )


def _lead_works_with(staff_id: int, person_id: int, meeting_day: dt.date) -> bool:
    """A lead who does not yet work with the person is named as working with them (an
    assignment), so the action reaches their caseload and they can open what their role
    allows: the meeting gave them a task for this person. Returns whether one was made."""
    staff = Staff.objects.select_related("user").get(id=staff_id)
    lead = _viewer(staff.user)
    person = Person.objects.filter(id=person_id).values("postcode").first() or {"postcode": ""}
    if _relationships(lead, {person_id: person["postcode"]})[person_id] in _OWN_RELATIONSHIPS:
        return False
    Assignment.objects.create(
        staff=staff,
        person_id=person_id,
        role_in_care=f"Leads an action agreed at the MDT on {_day(meeting_day)}",
    )
    return True


def record_attendance(*, viewer, ip: str | None, meeting_id, present) -> None:
    v = _viewer(viewer)
    meeting = _meeting(v, meeting_id, ip, "take attendance")
    _require_run(v, meeting, ip, "take attendance")
    ids = {i for i in (_person_id(raw) for raw in present or []) if i is not None}
    _write(
        v,
        ip,
        lambda: mdt.record_attendance(meeting_id=meeting.id, present=ids, by=_by(v)),
        purpose="took attendance at an MDT meeting",
        detail={"meeting_id": meeting.id, "present": sorted(ids)},
    )


def finish_meeting(*, viewer, ip: str | None, meeting_id) -> int | None:
    """The meeting ends (minutes fixed); a repeating meeting's next one is scheduled."""
    v = _viewer(viewer)
    meeting = _meeting(v, meeting_id, ip, "finish a meeting")
    _require_run(v, meeting, ip, "finish a meeting")
    with transaction.atomic():
        try:
            mdt.finish_meeting(meeting_id=meeting.id, by=_by(v))
            following = None
            if meeting.every != Meeting.Every.ONCE:
                following = mdt.schedule_next(meeting_id=meeting.id, by=_by(v)).id
        except mdt.InvalidMeeting as exc:
            raise _invalid(exc) from None
        _audit(
            v,
            AuditEntry.Action.MEETING,
            ip,
            purpose="finished an MDT meeting",
            detail={"meeting_id": meeting.id, "next_meeting_id": following},
        )
    return following


# --- After the meeting ------------------------------------------------------------------------


def meeting_minutes(*, viewer, ip: str | None, meeting_id) -> Minutes:
    """The minutes: who came, each person discussed with decisions and actions.

    Minutes are read after the meeting: everyone sees only the people they work with by their
    own relationship (the meeting's relationship has ended), and a count of the rest; notes and
    decisions as the recording organisation's detail (``_item_lines``). Audited with every
    person named.
    """
    v = _viewer(viewer)
    meeting = _meeting(v, meeting_id, ip, "read the minutes")
    today = timezone.localdate()
    items = list(meeting.items.order_by("position", "id"))
    people = _people(i.person_id for i in items)
    allowed = _own_people(v, people)
    shown = [i for i in items if i.person_id in allowed]
    lines = {line.item_id: line for line in _item_lines(v, shown, live=False)}
    actions_by_item: dict[int, list[ActionLine]] = defaultdict(list)
    for line in _action_lines(
        list(PlanAction.objects.filter(meeting_item_id__in=[i.id for i in shown]).order_by("id")),
        today,
    ):
        item_id = next(i.id for i in shown if i.person_id == line.person_id)
        actions_by_item[item_id].append(line)
    discussed = [i for i in shown if i.status == CaseItem.Status.DISCUSSED]
    with transaction.atomic():
        _audit(
            v,
            AuditEntry.Action.MEETING_VIEW,
            ip,
            purpose=f"minutes of {meeting.title} on {_day(_local_day(meeting.starts_at))}",
            detail={
                "what": "minutes",
                "meeting_id": meeting.id,
                "person_ids": sorted({i.person_id for i in shown}),
            },
        )
    invitations = _invitation_lines(meeting)
    return Minutes(
        meeting_id=meeting.id,
        team=meeting.team.name,
        title=meeting.title,
        starts_at=meeting.starts_at,
        finished_at=meeting.finished_at,
        chair=meeting.chair_name,
        virtual=meeting.virtual,
        where=meeting.where,
        present=[i for i in invitations if i.attended],
        apologies=[i for i in invitations if i.attended is False],
        people=[
            MinutesPerson(
                item=lines[i.id],
                discussion=lines[i.id].discussion,
                actions=actions_by_item.get(i.id, []),
            )
            for i in discussed
        ],
        not_reached=[lines[i.id] for i in shown if i.status == CaseItem.Status.NOT_REACHED],
        withheld_people=sum(
            1 for i in items if i.status == CaseItem.Status.DISCUSSED and i.person_id not in allowed
        ),
    )
