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
    name: str
    role: str
    organisation: str
    contact: str
    source: str


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
