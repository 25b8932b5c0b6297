"""What the gate hands out: frozen dataclasses of plain values.

No model instance leaves ``governance.access``: a template or an export can only show what is
in these shapes, and the gate filled them after deciding what this viewer may see.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


@dataclass(frozen=True)
class PersonSummary:
    """One row of search results or of an exported caseload: enough to tell twins apart."""

    person_id: int
    display_name: str
    age: int | None
    date_of_birth: dt.date | None
    address: str
    postcode: str
    nhs_number: str | None  # formatted "943 476 5919", None when there is none
    nhs_valid: bool
    known_to: list[str]  # organisations this viewer may know know the person
    # "caseload" | "assigned" | "steward" | "break_glass" | "none"; for "none" (a strong match
    # with no relationship) address, postcode, NHS Number and known_to are always empty.
    relationship: str
    sex: str = ""


@dataclass(frozen=True)
class SearchResults:
    query: str
    results: list[PersonSummary]
    # people the viewer may be listed: those they work with matching every criterion, plus
    # strong matches they do not work with (never a count of anyone else)
    total: int
    truncated: bool  # more matched than are shown: add a date of birth or postcode
    understood: list[str]  # how the query was read: "date of birth 3 March 1942", ...
    ignored: list[str]  # words we could not use
    notice: str | None = None
    viewer_is_steward: bool = False  # navigation only (the "Data steward" menu item)
    may_break_glass: bool = False  # offer "Ask for emergency access" beside a stranger
    paused: str | None = None  # searching is paused for this viewer: the plain reason
    page: int = 1  # search paging (H-D): people the viewer works with, 25 a page
    pages: int = 1


@dataclass(frozen=True)
class PersonHeader:
    person_id: int
    display_name: str
    age: int | None
    date_of_birth: dt.date | None
    nhs_number: str | None
    nhs_number_warning: str | None
    address: str
    postcode: str
    preferred_contact: str
    sex: str = ""


@dataclass(frozen=True)
class WhatMattersEntry:
    text: str
    recorded_by: str
    recorded_at: dt.datetime
    is_current: bool = False


@dataclass(frozen=True)
class PersonWhoMatters:
    name: str
    relationship: str
    contact: str
    source: str  # "Recorded by the team" or the organisation that told us


@dataclass(frozen=True)
class Involvement:
    """One person involved, one line: "Jo Baker, District nurse (named lead), 01632 960 000"."""

    name: str
    role: str  # in plain words ("GP", "District nurse", the job title), never a FHIR code
    organisation: str
    contact: str
    source: str
    is_lead: bool = False  # the named lead or key worker (an ``Assignment``)
    current: bool = True  # assigned, an open episode, or seen in the last 12 months
    last_seen: dt.date | None = None
    assigned: bool = False  # named as working with the person in Wraparound


@dataclass(frozen=True)
class FlagItem:
    text: str
    partner: str
    date: dt.date | None


@dataclass(frozen=True)
class ProblemItem:
    text: str
    partner: str
    date: dt.date | None


@dataclass(frozen=True)
class TimelineEntry:
    occurred_at: dt.datetime | None
    kind: str
    summary: str
    partner: str  # partner label, e.g. "GP practice"
    source_name: str
    organisation: str


@dataclass(frozen=True)
class TimelinePage:
    entries: list[TimelineEntry]
    page: int
    pages: int
    total: int
    partners: list[tuple[str, str]]  # (code, label) the viewer may filter by
    kinds: list[str]


@dataclass(frozen=True)
class ProvenanceItem:
    """A linked source record. Non-stewards get ``source`` and ``partner`` only."""

    source: str  # organisation / feed name as shown
    source_record_id: str
    partner: str
    nhs_number: str | None
    nhs_valid: bool | None
    name: str
    date_of_birth: dt.date | None
    postcode: str
    rule: str
    match_probability: float | None
    source_code: str = ""  # the feed's name (``Source.name``), for the steward's split form
    can_split: bool = False
    # Fields the partner sent that cannot be used, in plain words ("date of birth as recorded:
    # 1945-04-93 — not a valid date"); kept on the record, never used to link.
    as_recorded: tuple[str, ...] = ()


@dataclass(frozen=True)
class RecordView:
    person: PersonHeader
    what_matters: list[WhatMattersEntry]
    people_who_matter: list[PersonWhoMatters]
    involved: list[Involvement]
    flags: list[FlagItem]
    problems: list[ProblemItem]
    timeline: TimelinePage
    provenance: list[ProvenanceItem]
    withheld: list[str]
    access: str  # "caseload" | "assigned" | "steward" | "break_glass"
    can_edit: bool
    is_steward: bool
    break_glass_expires_at: dt.datetime | None = None
    sharing_note: str | None = None  # e.g. "Has objected to sharing", shown near the header
    agreement_version: str = ""
    # Issue 10: what a visitor needs at the door, first (H-A), and who is involved, grouped by
    # organisation (current first, older folded away).
    doorstep: Doorstep | None = None
    involved_now: list[InvolvedOrganisation] = field(default_factory=list)
    involved_before: list[InvolvedOrganisation] = field(default_factory=list)
    plan: object | None = None  # the plan summary (``access.plan._plan_summary``), H-B
    # Issue 12: "Discussed at the MDT on 3 March 2026: …" (``mdt_history.MdtDiscussion``).
    mdt: list = field(default_factory=list)


@dataclass(frozen=True)
class BreakGlassGrant:
    grant_id: int
    person_id: int
    reason: str
    granted_at: dt.datetime
    expires_at: dt.datetime


@dataclass(frozen=True)
class BreakGlassReview:
    grant_id: int
    username: str
    role: str
    organisation: str
    person_id: int
    person_name: str
    reason: str
    granted_at: dt.datetime
    expires_at: dt.datetime
    views: int  # record views under this grant
    outcome: str = ""
    reviewed_by: str = ""
    reviewed_at: dt.datetime | None = None
    review_note: str = ""
    staff_name: str = ""
    role_label: str = ""


@dataclass(frozen=True)
class AuditRow:
    entry_id: int
    at: dt.datetime
    username: str
    role: str
    organisation: str
    ip: str
    action: str
    action_label: str
    person_id: int | None
    purpose: str
    query: str
    shown: str  # plain words: what was shown; withheld only as counts the viewer may know
    staff_name: str = ""  # "Priya Shah": the name the staff member had at the time
    role_label: str = ""  # "Clinician (GP, nurse, therapist)", never the code
    when: str = ""  # "3 March 2026, 14:05" (local time)
    what: str = ""  # for one person: "Listed in search results for 'smith 1942'"
    why: str = ""  # the purpose in plain words ("Direct care", not direct_care)


@dataclass(frozen=True)
class ReviewPairView:
    pair_id: int
    match_probability: float
    reason: str
    record_a: ProvenanceItem
    record_b: ProvenanceItem
    evidence: list[tuple[str, str]] = field(default_factory=list)  # (comparison, words)
    person_a: int | None = None
    person_b: int | None = None


@dataclass(frozen=True)
class AccessReport:
    """A subject access report: every audit row that showed one person, newest first.

    ``rows`` is one page (``page`` of ``pages``) or, when asked for whole, every row.
    """

    person_id: int
    person_name: str
    date_of_birth: dt.date | None
    nhs_number: str
    rows: list[AuditRow]
    total: int
    page: int
    pages: int
    page_size: int


@dataclass(frozen=True)
class BreakGlassQueue:
    """Open break-glass grants, oldest first, one page of them, with the true count."""

    reviews: list[BreakGlassReview]
    total: int  # every open grant, however many pages
    page: int
    pages: int
    page_size: int


# --- Issue 10 sections: each helper adds its classes under its own marker ----------------
# --- doorstep summary and who is involved (H-A) ---


@dataclass(frozen=True)
class AllergyItem:
    substance: str  # "Penicillin", as the partner worded it
    reaction: str  # "Hives", "" when the partner did not say
    partner: str
    date: dt.date | None


@dataclass(frozen=True)
class MedicineItem:
    name: str  # "Amlodipine 5 mg tablets"
    dose: str  # "One tablet once a day", "" when the partner did not say
    partner: str
    date: dt.date | None  # prescribed or last recorded


@dataclass(frozen=True)
class CareDecision:
    """DNACPR, ReSPECT or an advance care plan: in place (since when, from whom) or not."""

    kind: str  # "dnacpr" | "respect" | "advance_care_plan"
    label: str  # "DNACPR", "ReSPECT form", "Advance care plan"
    status: str  # "DNACPR in place since 3 March 2026 (GP practice)" is built in the template
    in_place: bool
    since: dt.date | None = None
    partner: str = ""
    detail: str = ""  # the partner's words ("Not for attempted CPR: frailty, agreed with son")


@dataclass(frozen=True)
class NamedLead:
    name: str
    role: str  # "Lead" / "Key worker" as assigned, with the job title
    organisation: str
    phone: str
    email: str


@dataclass(frozen=True)
class Doorstep:
    """What a visitor reads at the door, first and in full (issue 10, item 1)."""

    flags: list[FlagItem]  # risk to visiting staff, key safe and access, pets: their words
    allergies: list[AllergyItem]
    medicines: list[MedicineItem]
    care_decisions: list[CareDecision]  # always DNACPR, ReSPECT, advance care plan, in order
    leads: list[NamedLead]
    last_contact: ContactNoteItem | None  # the newest contact note this viewer may read
    may_see_medicines: bool  # the agreement gives this role medicines from a partner who knows
    may_see_care_decisions: bool  # ... and DNACPR / ReSPECT / advance care plans
    withheld: str = ""  # one line: how many items of this summary are withheld, whom to ask
    medicines_from: str = ""  # "GP practice" (said once for the list, not on every line)
    not_recorded: str = ""  # "No ReSPECT form or advance care plan recorded"


@dataclass(frozen=True)
class InvolvedOrganisation:
    organisation: str
    people: list[Involvement]


# --- personalised care and support plan (H-B) ---
@dataclass(frozen=True)
class PlanPerson:
    """Whose plan it is: enough to be sure on a printed page left in someone's home."""

    person_id: int
    display_name: str
    date_of_birth: dt.date | None
    nhs_number: str | None


@dataclass(frozen=True)
class PlanText:
    """One section of the plan in the person's words ("" when nothing is written yet)."""

    key: str
    heading: str
    text: str
    recorded_by: str = ""
    recorded_at: dt.datetime | None = None

    @property
    def history_part(self) -> str:
        return f"section:{self.key}"


@dataclass(frozen=True)
class PlanGoal:
    goal_id: int
    text: str
    status: str  # not_yet | partly | achieved
    status_label: str
    recorded_by: str
    recorded_at: dt.datetime

    @property
    def history_part(self) -> str:
        return f"goal:{self.goal_id}"


@dataclass(frozen=True)
class PlanActionLine:
    action_id: int
    what: str
    owner: str  # "Nia Okafor (District nurse)", "Winifred Ash (the person)", "Jean Ash (daughter)"
    owner_kind: str  # staff | person | person_who_matters
    owner_key: str  # the form's value for this owner: "staff:12", "person", "pwm:3"
    due_on: dt.date | None
    status: str
    status_label: str
    is_open: bool
    is_overdue: bool
    goal_id: int | None
    recorded_by: str
    recorded_at: dt.datetime

    @property
    def history_part(self) -> str:
        return f"action:{self.action_id}"


@dataclass(frozen=True)
class PlanDetailsView:
    supported_by: str
    supported_on: dt.date | None
    agreed_with: str
    agreed_on: dt.date | None
    review_on: dt.date | None
    reviewer_key: str  # "staff:12" or ""
    reviewer_name: str
    recorded_by: str
    recorded_at: dt.datetime


@dataclass(frozen=True)
class PlanPersonWhoMatters:
    entry_id: int
    name: str
    relationship: str
    contact: str
    recorded_by: str

    @property
    def history_part(self) -> str:
        return f"person_who_matters:{self.entry_id}"


@dataclass(frozen=True)
class PlanView:
    """The personalised care and support plan, as this viewer may see it."""

    person: PlanPerson
    what_matters: WhatMattersEntry | None
    people_who_matter: list[PlanPersonWhoMatters]
    about_me: list[PlanText]
    strengths: PlanText
    needs: PlanText
    contingency: list[PlanText]
    goals: list[PlanGoal]
    actions: list[PlanActionLine]
    details: PlanDetailsView | None
    withheld: list[str]
    can_edit: bool
    # (value, label) choices for the forms, only when the viewer may edit
    owners: list[tuple[str, str]] = field(default_factory=list)
    reviewers: list[tuple[str, str]] = field(default_factory=list)
    agreement_version: str = ""

    def section(self, key: str) -> PlanText | None:
        for item in (*self.about_me, self.strengths, self.needs, *self.contingency):
            if item.key == key:
                return item
        return None


@dataclass(frozen=True)
class PlanVersionEntry:
    lines: list[tuple[str, str]]  # (label, value) pairs, as the page shows them
    recorded_by: str
    recorded_at: dt.datetime
    is_current: bool


@dataclass(frozen=True)
class PlanHistory:
    """Every version of one part of a plan, newest first, as this viewer may see them."""

    person: PlanPerson
    part: str
    heading: str
    versions: list[PlanVersionEntry]
    withheld: int


@dataclass(frozen=True)
class PlanSummary:
    """The plan on the person page: goals, open actions with owner and date, the next review."""

    goals: list[PlanGoal]
    open_actions: list[PlanActionLine]
    next_review: dt.date | None
    reviewer_name: str
    withheld: int


# --- contact notes (H-C) ---


@dataclass(frozen=True)
class ContactNoteItem:
    """One contact note as this viewer may see it (``governance.access.notes``)."""

    note_id: int
    occurred_at: dt.datetime
    how: str  # "Home visit", "Phone call", ...
    text: str
    written_by: str
    role_label: str
    organisation: str
    is_safety_flag: bool
    flag_text: str
    correction_line: str  # "Correction to the note of 3 March 2026", or ""
    corrected: bool  # a later note corrects this one
    written_at: dt.datetime | None


@dataclass(frozen=True)
class ContactNotesView:
    """The contact notes this viewer may see for one person, newest first, paged."""

    person_id: int
    display_name: str
    notes: list[ContactNoteItem]
    withheld: list[str]  # plain lines: how many notes are withheld, and whom to ask
    flags: list[FlagItem]  # current safety flags from notes (shown even if the note is not)
    can_write: bool
    page: int
    pages: int
    total: int


@dataclass(frozen=True)
class NoteFormView:
    """What the "write a contact note" page shows: whose record, and the note corrected."""

    person_id: int
    display_name: str
    corrects: ContactNoteItem | None
    days_back: int  # how many days back a visit may be written up


# --- caseloads (H-D) ---


@dataclass(frozen=True)
class ToDo:
    """What needs doing for one person on a caseload, as far as this viewer may be told."""

    actions_due: int = 0  # plan actions due within the week
    actions_overdue: int = 0
    review_due: dt.date | None = None  # the plan's review date, when it is due within the week
    new_flags: list[str] = field(default_factory=list)  # safety flags from the last 14 days
    hospital: list[str] = field(default_factory=list)  # "A&E attendance, 3 March 2026"
    next_due: dt.date | None = None
    # The viewer's own open actions for the person, in words: "Joint visit, due 10 March 2026
    # (agreed at the MDT on 3 March 2026)". Shown, not counted: what needs doing this week is
    # counted above.
    mine: list[str] = field(default_factory=list)

    @property
    def count(self) -> int:
        return (
            self.actions_due
            + self.actions_overdue
            + (1 if self.review_due else 0)
            + len(self.new_flags)
            + len(self.hospital)
        )


@dataclass(frozen=True)
class CaseloadRow:
    person: PersonSummary
    todo: ToDo


@dataclass(frozen=True)
class Caseload:
    """One page of "My caseload" or the team's caseload, with what needs doing for each person."""

    whose: str  # "mine" | "team"
    scope: str  # "assigned" | "list" | "neighbourhood"
    rows: list[CaseloadRow]
    total: int  # people on this caseload after the filter (the neighbourhood: everyone)
    page: int
    pages: int
    page_size: int
    sort: str  # "name" | "most" | "next_due"
    show: str  # "needs" | "all"
    overdue_only: bool
    # False when the caseload is too big to rank by what needs doing (a whole neighbourhood):
    # then it is in name order, and what needs doing is worked out for the page shown.
    by_todo: bool
    team_names: list[str]
    may_see_neighbourhood: bool
    note: str | None = None
