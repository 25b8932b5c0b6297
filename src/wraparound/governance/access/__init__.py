"""The gate: the one way to person data. Decides under the agreement, audits, hands out values.

Every function here that shows or changes person data checks the viewer's rights, applies the
information sharing agreement (``governance.access.lens``), writes its ``AuditEntry`` and returns frozen
dataclasses (``governance.access.results``), all inside one ``transaction.atomic``: if the audit row
cannot be written, nothing is returned. Refusals are audited too (``access_denied``) and then
raised.

``viewer`` is always the Django user (``request.user``); a user without a ``Staff`` profile, or
inactive, can do nothing. The API (keyword-only arguments throughout):

Finding and opening
    search_people(*, viewer, query, ip, limit=25) -> SearchResults
        NHS Number (any spacing), names (any case, typos, nicknames), dates of birth
        (1942-03-03, 3/3/1942, 3/3/42, 3 March 1942, 03031942), postcodes, districts
        (WV10), sectors (WV10 6), years, and combinations. ``PersonSummary.relationship`` is
        "assigned" | "caseload" | "steward" | "break_glass" | "none". ``known_to`` lists only
        organisations this viewer may be told about. Audited ("search").
    open_record(*, viewer, person_id, purpose, ip, timeline_partner=None, timeline_kind=None,
                timeline_page=1, page_size=25) -> RecordView
        Raises NoAccess (unknown or retired id, or a role that may not open records: one
        message for all) or BreakGlassRequired (a real person, but no legitimate relationship;
        the viewer may request break-glass). ``RecordView.access`` is "assigned" | "caseload" |
        "steward" | "break_glass". Audited ("view_person", with what was shown and withheld).
    export_caseload(*, viewer, ip) -> list[PersonSummary]
        The viewer's teams' caseloads and assignments, for direct care. Audited ("export").
    who_am_i(*, viewer) -> ViewerInfo            (no person data; for headers and navigation)
    is_data_steward(user) -> bool

Break-glass
    request_break_glass(*, viewer, person_id, reason, ip) -> BreakGlassGrant
        Raises NoAccess (unknown id or the role has no break-glass), InvalidRequest (reason
        shorter than the agreement's minimum). Time-limited (agreement: break_glass.hours).
        Also InvalidRequest when the reason has too few words or letters once zero-width
        characters and punctuation are taken out, when the viewer may already open the
        person, or when the agreement's renewal or per-day limits are reached (audited).
    break_glass_queue(*, viewer, ip, page=1, page_size=25, include_closed=False)
        -> BreakGlassQueue (every open grant, oldest first, paged, with the true ``total``)
    open_break_glass_reviews(*, viewer, ip, include_closed=False) -> list[BreakGlassReview]
    close_break_glass_review(*, viewer, grant_id, outcome, note, ip) -> None
        outcome: "appropriate" | "inappropriate" | "unclear" (InvalidRequest otherwise, or
        when already closed, or "inappropriate" without a note).

Audit (data stewards)
    search_audit(*, viewer, ip, username=None, person_id=None, action=None, date_from=None,
                 date_to=None, limit=500) -> list[AuditRow]
    access_report_for_person(*, viewer, ip, person_id=None, nhs_number=None, name=None,
                             date_of_birth=None, page=1, page_size=50, whole=False)
        -> AccessReport (every audit row that showed the person, via AuditPersonIndex,
        in plain words; InvalidRequest when no one or more than one person matches)
    require_steward(*, viewer, ip, tried) -> None   (NoAccess, audited as "refused")
    Every refusal of a privileged action (``viewer._require``) is audited as "refused".
    unusual_searching(*, viewer, ip) -> UnusualSearching  (.pauses, .limits)
        Every time searching was paused for someone (many people listed in a short time).

Linkage (data stewards)
    open_review_queue(*, viewer, ip, limit=50) -> list[ReviewPairView]
    decide_review_pair(*, viewer, pair_id, decision, reason, ip) -> None   # same|different|not_sure
    split_link(*, viewer, person_id, source, source_record_id, reason, ip) -> int (new person id)
    merge_people(*, viewer, person_id, other_person_id, reason, ip) -> int (kept person id)
        InvalidRequest (shown on the form): the same person twice, no reason, an unknown
        other record number, or a person with no linked record.

Person-centred writes (legitimate relationship or break-glass, and a role that may edit)
    record_what_matters(*, viewer, person_id, text, ip) -> WhatMattersEntry
    add_person_who_matters(*, viewer, person_id, name, relationship, contact, ip)
        -> PersonWhoMatters
    record_sharing_preference(*, viewer, person_id, national_opt_out, objects_to_sharing,
                              note, ip) -> None
    (InvalidRequest for empty or over-long text.)

Exceptions: NoAccess (always the message ``NO_ACCESS_MESSAGE``), BreakGlassRequired
(``person_id``), InvalidRequest (a ValueError whose message is fit to show).

Callers import this package only (``from wraparound.governance import access``). Inside it, one
module per concern: ``errors`` (the exceptions), ``viewer`` (who is asking: role, teams,
agreement rules), ``audit`` (the audit row and audited refusals), ``relationship`` (assigned,
caseload, steward or break-glass: ``_decide``), ``summaries`` (a person in a list),
``finding`` (search and the caseload export), ``record`` and ``provenance`` (open_record and
the ``RecordView``), ``break_glass``, ``steward`` (audit search, subject access report,
linkage decisions) and ``writes`` (person-centred writes).
"""

from __future__ import annotations

from wraparound.governance.access.break_glass import (
    break_glass_queue,
    close_break_glass_review,
    open_break_glass_reviews,
    request_break_glass,
)

# --- caseloads (H-D) ---
from wraparound.governance.access.caseload import open_caseload
from wraparound.governance.access.demand import (  # team learning page (H-P)
    open_demand_page,
    record_process_change,
)
from wraparound.governance.access.errors import (
    NO_ACCESS_MESSAGE,
    BreakGlassRequired,
    InvalidRequest,
    NoAccess,
    Paused,
)
from wraparound.governance.access.finding import export_caseload, search_people

# --- meeting impact (H-I) ---
from wraparound.governance.access.meeting_impact import open_meeting_impact

# --- meetings (lead) ---
from wraparound.governance.access.meetings import (
    accept_suggestion,
    add_meeting_action,
    cancel_meeting,
    decide_nomination,
    finish_meeting,
    meeting_form_choices,
    meeting_list,
    meeting_minutes,
    meetings_for_nomination,
    move_agenda_item,
    nominate_person,
    open_meeting,
    open_meeting_person,
    record_attendance,
    record_discussion,
    schedule_meeting,
    start_discussion,
    start_meeting,
)

# --- contact notes (H-C) ---
from wraparound.governance.access.notes import (
    CONTACT_NOTE_HOW,
    contact_notes,
    open_note_form,
    write_contact_note,
)

# Issue 10 gate modules (each helper adds its import under its own marker):
# --- plan (H-B) ---
from wraparound.governance.access.plan import (
    end_person_who_matters,
    export_plan_fhir,
    open_plan,
    plan_history,
    save_goal,
    save_plan_action,
    save_plan_details,
    save_plan_section,
    update_person_who_matters,
)
from wraparound.governance.access.record import open_record
from wraparound.governance.access.requests import (  # requests for help (H-R)
    CALLER_RELATIONSHIPS,
    CHANNELS,
    DEMANDS,
    FAILURE_KINDS,
    REQUEST_AGREES,
    URGENT_CONDITIONS,
    URGENT_OUTCOMES,
    close_request,
    find_person_for_request,
    hand_off,
    log_request,
    open_help_request,
    open_requests_for_person,
    record_contact,
    record_urgent_visit,
    request_queue,
    request_teams,
    take_ownership,
)
from wraparound.governance.access.steward import (
    access_report_for_person,
    decide_review_pair,
    merge_people,
    open_review_queue,
    require_steward,
    search_audit,
    split_link,
)
from wraparound.governance.access.throttle import UnusualSearching, unusual_searching
from wraparound.governance.access.viewer import ViewerInfo, is_data_steward, who_am_i
from wraparound.governance.access.writes import (
    add_person_who_matters,
    record_sharing_preference,
    record_what_matters,
)

__all__ = [
    "NO_ACCESS_MESSAGE",
    "BreakGlassRequired",
    "InvalidRequest",
    "NoAccess",
    "Paused",
    "UnusualSearching",
    "ViewerInfo",
    "access_report_for_person",
    "add_person_who_matters",
    "break_glass_queue",
    "close_break_glass_review",
    "decide_review_pair",
    "export_caseload",
    "is_data_steward",
    "merge_people",
    "open_break_glass_reviews",
    "open_record",
    "open_review_queue",
    "record_sharing_preference",
    "record_what_matters",
    "request_break_glass",
    "require_steward",
    "search_audit",
    "search_people",
    "split_link",
    "unusual_searching",
    "who_am_i",
]
__all__ += ["open_caseload"]  # caseloads (H-D)
__all__ += [  # contact notes (H-C)
    "CONTACT_NOTE_HOW",
    "contact_notes",
    "open_note_form",
    "write_contact_note",
]
__all__ += [  # plan (H-B)
    "end_person_who_matters",
    "export_plan_fhir",
    "open_plan",
    "plan_history",
    "save_goal",
    "save_plan_action",
    "save_plan_details",
    "save_plan_section",
    "update_person_who_matters",
]
__all__ += ["open_demand_page", "record_process_change"]  # team learning page (H-P)
__all__ += [  # requests for help (H-R)
    "REQUEST_AGREES",
    "CALLER_RELATIONSHIPS",
    "CHANNELS",
    "DEMANDS",
    "FAILURE_KINDS",
    "URGENT_CONDITIONS",
    "URGENT_OUTCOMES",
    "close_request",
    "find_person_for_request",
    "hand_off",
    "log_request",
    "open_help_request",
    "open_requests_for_person",
    "record_contact",
    "record_urgent_visit",
    "request_queue",
    "request_teams",
    "take_ownership",
]
__all__ += [  # meetings (lead)
    "accept_suggestion",
    "add_meeting_action",
    "cancel_meeting",
    "decide_nomination",
    "finish_meeting",
    "meeting_form_choices",
    "meeting_list",
    "meeting_minutes",
    "meetings_for_nomination",
    "move_agenda_item",
    "nominate_person",
    "open_meeting",
    "open_meeting_person",
    "record_attendance",
    "record_discussion",
    "schedule_meeting",
    "start_discussion",
    "start_meeting",
]
__all__ += ["open_meeting_impact"]  # --- meeting impact (H-I) ---
