"""Who is involved, as a person would tell it: who works with me now, by organisation.

One line per person (the same name at the same organisation is one person, however many
encounters name them), their role in plain words ("GP", "District nurse", the job title; never
"Primary performer" or "Author"), the named lead marked. Current involvement first: named in
Wraparound as working with the person, an open episode of care, or seen in the last 12 months;
older involvement is returned apart, for the page to fold away.

Partners' events are judged by the lens as summary items (``record.py`` passes only those the
viewer may see); staff assigned in Wraparound are always shown.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils import timezone

from wraparound.governance.access.doorstep import is_lead
from wraparound.governance.access.results import InvolvedOrganisation, Involvement
from wraparound.governance.roles import Role

CURRENT_DAYS = 365
# Episodes and teams still open (FHIR EpisodeOfCare / CareTeam status).
OPEN_STATUSES = ("active", "planned", "waitlist", "onhold", "proposed")
OPEN_TYPES = ("EpisodeOfCare", "CareTeam")
# FHIR participation words that say how someone took part, not who they are.
FHIR_ROLES = frozenset(
    {
        "primary performer",
        "secondary performer",
        "participant",
        "author",
        "contributor",
        "member",
        "clinician",
        "attending clinician",
        "admitting clinician",
        "discharging clinician",
        "attender",
        "performer",
        "pprf",
        "sprf",
        "part",
        "atnd",
        "adm",
        "dis",
        "author (originator)",
        "referrer",
        "referred to",
    }
)
TEAM_ROLES = frozenset({"care team", "team"})
# When a feed says only how someone took part: what they are, from the kind of partner.
BY_PARTNER = {
    "gp": ("GP", "GP practice staff"),
    "acute": ("Hospital doctor", "Hospital staff"),
    "community": ("Community health doctor", "Community nurse or therapist"),
    "mental_health": ("Psychiatrist", "Mental health practitioner"),
    "adult_social_care": ("Social care", "Social care practitioner"),
    "housing": ("Housing officer", "Housing officer"),
    "council_tax": ("Council officer", "Council officer"),
    "voluntary": ("Volunteer", "Volunteer"),
}
LIMIT = 60


def plain_role(role: str, *, partner: str, name: str, kind: str = "") -> tuple[str, bool]:
    """A role in the words a person would use, and whether it is our guess: the partner's own
    words when they are words, else what the kind of partner and a "Dr" say ("GP", "A&E
    doctor", "Hospital doctor")."""
    role = " ".join(role.split())
    lowered = role.lower().strip("{}")
    if lowered in TEAM_ROLES:
        return "Team", False
    if role and lowered not in FHIR_ROLES and not role.startswith("{"):
        return role[:1].upper() + role[1:], False
    doctor = name.lower().startswith(("dr ", "dr. ", "doctor "))
    if partner == "acute" and doctor and "a&e" in kind.lower():
        return "A&E doctor", True
    as_doctor, otherwise = BY_PARTNER.get(partner, ("Doctor", "Professional"))
    return (as_doctor if doctor else otherwise), True


@dataclass
class _Someone:
    name: str
    organisation: str
    role: str = ""
    contact: str = ""
    source: str = ""
    last_seen: dt.date | None = None
    open_episode: bool = False
    assigned: bool = False
    is_lead: bool = False
    roles: list[str] = field(default_factory=list)  # the partners' own words, newest first
    guesses: list[str] = field(default_factory=list)  # ours, from the kind of partner


def _key(name: str, organisation: str) -> tuple[str, str]:
    return (" ".join(name.lower().split()), " ".join(organisation.lower().split()))


def who_is_involved(
    *,
    partner_items: list[dict],
    assignments: list[dict],
    today: dt.date | None = None,
) -> tuple[list[InvolvedOrganisation], list[InvolvedOrganisation], list[Involvement]]:
    """(current, older, every line) from partners' mentions and Wraparound assignments.

    ``partner_items``: dicts with name, role, organisation, contact, source, partner, kind,
    resource_type, status, occurred_at (newest first). ``assignments``: the ``Assignment``
    values ``record.py`` reads.
    """
    today = today or timezone.localdate()
    people: dict[tuple[str, str], _Someone] = {}
    vague: set[tuple[str, str]] = set()

    for a in assignments:
        full_name = f"{a['staff__user__first_name']} {a['staff__user__last_name']}".strip()
        name = full_name or a["staff__user__username"]
        organisation = a["staff__organisation__name"]
        lead = is_lead(a["role_in_care"] or "")
        job = a["staff__job_title"] or Role(a["staff__role"]).label
        # The lead is marked as such; their line says what they are ("District nurse").
        role = job if lead or not a["role_in_care"] else a["role_in_care"].strip().capitalize()
        key = _key(name, organisation)
        someone = people.setdefault(key, _Someone(name=name, organisation=organisation))
        someone.role = someone.role or role
        someone.contact = someone.contact or " / ".join(
            x for x in (a["staff__phone"], a["staff__email"]) if x
        )
        someone.source = "Wraparound"
        someone.assigned = True
        someone.is_lead = someone.is_lead or lead

    for item in partner_items:
        if len(people) >= LIMIT:
            break
        key = _key(item["name"], item["organisation"])
        someone = people.get(key)
        if someone is None:
            someone = people[key] = _Someone(
                name=item["name"], organisation=item["organisation"], source=item["source"]
            )
        role, guessed = plain_role(
            item["role"], partner=item["partner"], name=item["name"], kind=item["kind"]
        )
        roles = someone.guesses if guessed else someone.roles
        if role not in roles:
            roles.append(role)
        someone.contact = someone.contact or item["contact"]
        day = timezone.localtime(item["occurred_at"]).date() if item["occurred_at"] else None
        if day and (someone.last_seen is None or day > someone.last_seen):
            someone.last_seen = day
        if item["resource_type"] in OPEN_TYPES and item["status"] in OPEN_STATUSES:
            someone.open_episode = True
        if item.get("vague"):
            vague.add(key)

    _merge_vague(people, vague)

    cutoff = today - dt.timedelta(days=CURRENT_DAYS)
    lines = []
    for someone in people.values():
        # A partner's own words beat our guesses from the kind of partner.
        words = someone.roles or someone.guesses
        role = someone.role or (words[0] if words else "")
        current = (
            someone.assigned
            or someone.open_episode
            or bool(someone.last_seen and someone.last_seen >= cutoff)
        )
        lines.append(
            Involvement(
                name=someone.name,
                role=role,
                organisation=someone.organisation,
                contact=someone.contact,
                source=someone.source,
                is_lead=someone.is_lead,
                current=current,
                last_seen=someone.last_seen,
                assigned=someone.assigned,
            )
        )
    return (
        _grouped([i for i in lines if i.current]),
        _grouped([i for i in lines if not i.current]),
        lines,
    )


def _merge_vague(people: dict[tuple[str, str], _Someone], vague: set[tuple[str, str]]) -> None:
    """Someone named under only the feed's own name ("GP practice", for a flag's author) who
    also appears at exactly one named organisation of that feed is that same person."""
    for key in vague:
        someone = people.get(key)
        same_name = [k for k in people if k[0] == key[0] and k != key and k not in vague]
        if someone is None or len(same_name) != 1:
            continue
        other = people[same_name[0]]
        other.roles.extend(r for r in someone.roles if r not in other.roles)
        other.guesses.extend(r for r in someone.guesses if r not in other.guesses)
        other.contact = other.contact or someone.contact
        other.open_episode = other.open_episode or someone.open_episode
        if someone.last_seen and (other.last_seen is None or someone.last_seen > other.last_seen):
            other.last_seen = someone.last_seen
        del people[key]


def _grouped(lines: list[Involvement]) -> list[InvolvedOrganisation]:
    """By organisation: the named lead's first, then those with people assigned, then the most
    recently seen; within one, the lead, the assigned, then the most recently seen."""
    never = dt.date.min

    def order(i: Involvement):
        return (not i.is_lead, not i.assigned, -(i.last_seen or never).toordinal(), i.name)

    groups: dict[str, list[Involvement]] = {}
    for line in sorted(lines, key=order):
        groups.setdefault(line.organisation or "Organisation not recorded", []).append(line)
    ordered = sorted(groups.items(), key=lambda kv: order(kv[1][0]))
    return [InvolvedOrganisation(organisation=org, people=people) for org, people in ordered]
