"""The frozen values the MDT meeting screens are given (``governance.access.meetings``).

Plain words throughout: dates as datetimes for the template's ``england_date`` filters, people
as names and roles, statuses as labels. Nothing here is a model instance.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from wraparound.governance.access.results import RecordView


@dataclass(frozen=True)
class MeetingLine:
    """A meeting in a list: no person data."""

    meeting_id: int
    team: str
    title: str
    starts_at: dt.datetime
    status: str  # "planned" | "under_way" | "finished" | "cancelled"
    status_label: str
    chair: str
    virtual: bool
    where: str
    every_label: str
    people_on_agenda: int
    people_discussed: int
    is_chair: bool
    invited: bool


@dataclass(frozen=True)
class MeetingList:
    upcoming: list[MeetingLine]
    past: list[MeetingLine]
    may_schedule: bool  # the viewer is in a team and may run meetings
    teams: list[tuple[int, str]]  # the viewer's teams: (team_id, name)


@dataclass(frozen=True)
class StaffChoice:
    """Someone who may be invited, or named as an action's lead."""

    staff_id: int
    name: str
    role: str  # "District nurse" (job title) or the role's label
    organisation: str
    in_team: bool  # a member of the meeting's (or the viewer's) team
    may_chair: bool = False  # their role may run meetings


@dataclass(frozen=True)
class MeetingFormChoices:
    teams: list[tuple[int, str]]
    staff: list[StaffChoice]  # people with accounts who may attend: the team first
    every: list[tuple[str, str]]  # (value, label)
    default_title: str
    default_chair_staff_id: int


@dataclass(frozen=True)
class InvitationLine:
    invitation_id: int
    name: str
    organisation: str
    role: str
    guest: bool  # invited by name only (no account)
    attended: bool | None  # None until attendance is taken
    is_chair: bool


@dataclass(frozen=True)
class CaseItemLine:
    """One person on the case list, as the viewer may be told about them."""

    item_id: int
    person_id: int
    name: str  # "Brian Hughes"; never hidden from an invited attendee (the case list is shared)
    date_of_birth: dt.date | None
    age: int | None
    source: str  # "nominated" | "suggested" | "carried"
    source_label: str
    reason: str  # the nominator's words, or the suggestion's plain reasons (hospital activity
    # only when this viewer's role may see acute detail)
    nominated_by: str
    nominated_at: dt.datetime
    status: str  # "proposed" | "agenda" | "declined" | "discussed" | "not_reached"
    status_label: str
    position: int
    objection: bool  # the person objected to sharing between organisations
    agreed_to_discussion: bool
    decisions: str
    started_at: dt.datetime | None
    ended_at: dt.datetime | None
    minutes_taken: int | None  # whole minutes from start to end of the person's turn
    discussion: str = ""  # the notes of the discussion (put back in the form, and the minutes)
    # Notes and decisions are the recording organisation's detail once the meeting is over:
    # withheld from a viewer whose role may not see it, or who does not work with the person.
    notes_withheld: bool = False


@dataclass(frozen=True)
class Suggestion:
    """Someone the software suggests discussing, with reasons a practitioner would accept."""

    person_id: int
    name: str
    date_of_birth: dt.date | None
    age: int | None
    reasons: list[str]  # "Request for help open 23 days with 4 hand-offs", ...
    score: int  # how many reasons (the order they are shown in)
    # The admissions and A&E reasons among ``reasons`` (acute detail: kept apart on the case
    # list, shown only to attendees whose role sees it).
    hospital: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class ActionLine:
    """An action agreed at a meeting (a plan action): what, who leads, by when, how it stands."""

    action_id: int
    person_id: int
    person_name: str
    what: str
    lead: str
    lead_staff_id: int | None
    due_on: dt.date | None
    status: str  # "to_do" | "in_progress" | "done" | "not_needed"
    status_label: str
    overdue: bool
    done_at: dt.datetime | None
    meeting_id: int
    meeting_on: dt.date  # the meeting it was agreed at
    goal: str  # the plan goal it belongs to, "" when none


@dataclass(frozen=True)
class MeetingPage:
    """The meeting: details, who is invited, the case list, suggestions, open actions."""

    meeting_id: int
    team_id: int
    team: str
    title: str
    starts_at: dt.datetime
    ends_at: dt.datetime  # starts_at + people on the agenda x minutes per person
    minutes_per_person: int
    status: str
    status_label: str
    virtual: bool
    where: str
    every_label: str
    chair: str
    may_run: bool  # chair (or a team member standing in): order, accept, start, finish
    may_nominate: bool  # a team member, while the meeting is not finished
    may_open_people: bool  # meeting mode is open to this viewer now (the meeting's window)
    invitations: list[InvitationLine]
    agenda: list[CaseItemLine]  # "agenda" and "discussed" and "not_reached", in order
    proposed: list[CaseItemLine]  # nominations waiting for the chair
    declined: list[CaseItemLine]
    suggestions: list[Suggestion]  # empty once finished, or for a viewer who may not run it
    open_actions: list[ActionLine]  # from earlier meetings of the team, still open
    previous_meeting_id: int | None
    next_meeting_id: int | None
    agenda_size: int  # about eight
    may_cancel: bool = False  # only the chair cancels
    # People on the list this viewer may not be told about (not working with them, and the
    # meeting not on now): a count only.
    people_not_shown: int = 0


@dataclass(frozen=True)
class MeetingPersonView:
    """Meeting mode: one person, one screen, for one attendee (what their role allows)."""

    meeting_id: int
    meeting_title: str
    meeting_status: str
    item: CaseItemLine
    record: RecordView  # doorstep, what matters, plan summary, timeline (recent), withheld lines
    open_requests: list  # requests for help still open (``RequestItem``), the viewer's teams
    actions: list[ActionLine]  # agreed for this person at this meeting
    earlier_actions: list[ActionLine]  # from earlier meetings, still open
    earlier_discussions: list[tuple[dt.date, str]]  # (meeting day, decisions)
    leads: list[StaffChoice]  # who may lead an action: invited staff and the team
    goals: list[tuple[int, str]]  # the person's plan goals, for "belongs to"
    may_record: bool  # may write the discussion, decisions and actions
    seconds_left: int | None  # of the person's time, when their turn has started
    position: int  # 1-based place on the agenda
    agenda_count: int
    previous_item_id: int | None
    next_item_id: int | None
    minutes_per_person: int = 10


@dataclass(frozen=True)
class MinutesPerson:
    item: CaseItemLine
    discussion: str
    actions: list[ActionLine]


@dataclass(frozen=True)
class Minutes:
    meeting_id: int
    team: str
    title: str
    starts_at: dt.datetime
    finished_at: dt.datetime | None
    chair: str
    virtual: bool
    where: str
    present: list[InvitationLine]
    apologies: list[InvitationLine]
    people: list[MinutesPerson]  # discussed, in agenda order
    not_reached: list[CaseItemLine]
    withheld_people: int  # discussed people this viewer may not be told about (count only)


@dataclass(frozen=True)
class MdtDiscussion:
    """On the person's record: "Discussed at the MDT on 3 March 2026: …"."""

    meeting_id: int
    meeting_title: str
    on: dt.date
    decisions: str
    actions: list[str] = field(default_factory=list)  # "Joint visit – Sam Patel, by 10 March"
