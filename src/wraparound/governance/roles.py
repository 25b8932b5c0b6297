"""Roles and what each may *do*; the sharing agreement decides what each may *see*.

Two questions, two places. "May a care co-ordinator search for people?" is a question about the
software's functions, answered here in code, reviewed like code. "May a care co-ordinator see
the mental health trust's detail?" is a question for the information sharing agreement, which
the data steward edits (``agreement.yaml``). Every function check goes through the one
``has_permission`` below, so a reader finds every rule in one hop.
"""

from django.db import models


class Role(models.TextChoices):
    """A member of staff's role in the neighbourhood, as the agreement names it."""

    CLINICIAN = "clinician", "Clinician (GP, nurse, therapist)"
    MENTAL_HEALTH_WORKER = "mental_health_worker", "Mental health practitioner"
    SOCIAL_WORKER = "social_worker", "Social worker"
    HOUSING_OFFICER = "housing_officer", "Housing officer"
    CARE_COORDINATOR = "care_coordinator", "Care co-ordinator"
    VOLUNTARY_WORKER = "voluntary_worker", "Voluntary sector worker"
    DATA_STEWARD = "data_steward", "Data steward"
    ADMINISTRATOR = "administrator", "Administrator"
    RECEPTIONIST = "receptionist", "Neighbourhood team receptionist (front door)"


class Permission(models.TextChoices):
    """Things a member of staff may do; data visibility is the agreement's business."""

    SEARCH_PEOPLE = "search_people", "Find people"
    VIEW_PERSON = "view_person", "Open a person's record"
    BREAK_GLASS = "break_glass", "Open a record in an emergency (break-glass)"
    EDIT_PERSON_CENTRED = "edit_person_centred", "Record what matters and who matters"
    EXPORT_CASELOAD = "export_caseload", "Export the team's caseload list"
    REVIEW_BREAK_GLASS = "review_break_glass", "Review break-glass access"
    SEARCH_AUDIT = "search_audit", "Search the audit trail"
    SUBJECT_ACCESS_REPORT = "subject_access_report", "Report who looked at a person's record"
    REVIEW_LINKAGE = "review_linkage", "Decide record linkage (same person, different people)"
    RECORD_SHARING_PREFERENCE = "record_sharing_preference", "Record opt-out and objections"
    MANAGE_STAFF = "manage_staff", "Manage staff, teams and caseloads"
    LOG_REQUESTS = "log_requests", "Log requests for help at the team's front door"
    RUN_MEETINGS = "run_meetings", "Schedule and chair the team's MDT meetings"


_PRACTITIONER = frozenset(
    {
        Permission.SEARCH_PEOPLE,
        Permission.VIEW_PERSON,
        Permission.BREAK_GLASS,
        Permission.EDIT_PERSON_CENTRED,
        Permission.EXPORT_CASELOAD,
        Permission.RECORD_SHARING_PREFERENCE,
        Permission.LOG_REQUESTS,
        Permission.RUN_MEETINGS,
    }
)

PERMISSIONS: dict[str, frozenset[Permission]] = {
    Role.CLINICIAN: _PRACTITIONER,
    Role.MENTAL_HEALTH_WORKER: _PRACTITIONER,
    Role.SOCIAL_WORKER: _PRACTITIONER,
    Role.HOUSING_OFFICER: _PRACTITIONER,
    Role.CARE_COORDINATOR: _PRACTITIONER,
    # Volunteers see the summary of the people they work with; no emergency access, no exports.
    Role.VOLUNTARY_WORKER: frozenset(
        {Permission.SEARCH_PEOPLE, Permission.VIEW_PERSON, Permission.EDIT_PERSON_CENTRED}
    ),
    Role.DATA_STEWARD: frozenset(
        {
            Permission.SEARCH_PEOPLE,
            Permission.VIEW_PERSON,
            Permission.REVIEW_BREAK_GLASS,
            Permission.SEARCH_AUDIT,
            Permission.SUBJECT_ACCESS_REPORT,
            Permission.REVIEW_LINKAGE,
            Permission.RECORD_SHARING_PREFERENCE,
        }
    ),
    # Administrators run accounts, not care: they never see person data.
    Role.ADMINISTRATOR: frozenset({Permission.MANAGE_STAFF}),
    # The front door: log requests and find the person (name and date of birth, the identity
    # summary); never the record itself.
    Role.RECEPTIONIST: frozenset({Permission.SEARCH_PEOPLE, Permission.LOG_REQUESTS}),
}


def has_permission(role: str | None, permission: Permission) -> bool:
    """The one place that says whether a role may do a thing. Unknown roles may do nothing."""
    if not role:
        return False
    return permission in PERMISSIONS.get(role, frozenset())
