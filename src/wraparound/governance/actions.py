"""Writes to governance's own state: organisations, teams, staff, caseloads, the demo set-up.

Person data is never written here (that goes through ``governance.access``); these are the
administrator's and the data steward's housekeeping, called by management commands.
"""

from __future__ import annotations

import secrets
from collections import Counter
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from wraparound.core import postcodes
from wraparound.demand import demo as demand_demo
from wraparound.governance.agreement import current
from wraparound.governance.models import (
    Assignment,
    CaseloadEntry,
    Organisation,
    SharingPreference,
    Staff,
    Team,
)
from wraparound.governance.roles import Role
from wraparound.identity.models import Person
from wraparound.meetings import demo as meetings_demo  # MDT meetings demo (H-D)
from wraparound.notes import actions as note_actions
from wraparound.plans import demo as plan_demo
from wraparound.sources.models import Partner

GOVERNANCE_ORGANISATION = "Neighbourhood Information Governance Service"
# Used only when there are no people yet: the generator's neighbourhood (Wolverhampton WV10-16).
DEFAULT_AREAS = (("WV10", "WV11", "WV12", "WV13"), ("WV14", "WV15", "WV16"))
_WORDS = (
    "amber",
    "birch",
    "cedar",
    "dover",
    "ember",
    "fern",
    "granite",
    "harbour",
    "iris",
    "juniper",
    "kestrel",
    "linden",
    "maple",
    "nettle",
    "orchard",
    "pebble",
    "quarry",
    "rowan",
    "willow",
)


class StaffError(ValueError):
    """A staff account cannot be made as asked; the message says why."""


@transaction.atomic
def create_organisation(*, name: str, partner: str) -> Organisation:
    if partner not in Partner.values:
        raise StaffError(f"Unknown partner '{partner}' (known: {', '.join(Partner.values)}).")
    org, created = Organisation.objects.get_or_create(
        name=name.strip(), defaults={"partner": partner}
    )
    if not created and org.partner != partner:
        org.partner = partner
        org.save(update_fields=["partner"])
    return org


@transaction.atomic
def create_team(*, name: str, areas: list[str]) -> Team:
    """A neighbourhood team covering postcode districts or sectors (``WV10``, ``WV10 6``)."""
    cleaned = []
    for raw in areas:
        area = postcodes.normalise_area(raw)
        if area is None:
            raise StaffError(f"'{raw}' is not a postcode district (WV10) or sector (WV10 6).")
        cleaned.append(area)
    team, _ = Team.objects.update_or_create(name=name.strip(), defaults={"neighbourhood": cleaned})
    return team


@transaction.atomic
def create_staff(
    *,
    username: str,
    role: str,
    organisation: Organisation,
    teams: list[Team] = (),
    password: str | None = None,
    first_name: str = "",
    last_name: str = "",
    job_title: str = "",
    phone: str = "",
    email: str = "",
) -> tuple[Staff, str]:
    """Create or update a login and its staff profile; returns the profile and the password set.

    A password is always checked by Django's validators (at least 12 characters, not common,
    not like the username). With no password given, a random one is made.
    """
    if role not in Role.values:
        raise StaffError(f"Unknown role '{role}' (known: {', '.join(Role.values)}).")
    User = get_user_model()
    user = User.objects.filter(username=username).first() or User(username=username)
    user.first_name, user.last_name, user.email = first_name, last_name, email
    user.is_active = True
    password = password or generate_password()
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise StaffError(" ".join(exc.messages)) from None
    user.set_password(password)
    user.save()
    staff, _ = Staff.objects.update_or_create(
        user=user,
        defaults={
            "organisation": organisation,
            "role": role,
            "job_title": job_title,
            "phone": phone,
            "email": email,
        },
    )
    staff.teams.set(list(teams))
    return staff, password


def generate_password() -> str:
    words = [secrets.choice(_WORDS) for _ in range(3)]
    return "-".join(words) + f"-{secrets.randbelow(90) + 10}"


@transaction.atomic
def add_to_caseload(*, team: Team, person_id: int, by: str, reason: str = "") -> CaseloadEntry:
    entry, _ = CaseloadEntry.objects.get_or_create(
        team=team, person_id=person_id, defaults={"added_by": by, "reason": reason}
    )
    return entry


@transaction.atomic
def assign(*, staff: Staff, person_id: int, role_in_care: str = "") -> Assignment:
    existing = Assignment.objects.filter(staff=staff, person_id=person_id, ended_at=None).first()
    return existing or Assignment.objects.create(
        staff=staff, person_id=person_id, role_in_care=role_in_care
    )


# --- the demonstration --------------------------------------------------------------------


@dataclass(frozen=True)
class DemoLogin:
    username: str
    password: str
    role: str
    organisation: str
    teams: str
    note: str


# username, role, partner of their organisation, team index (None: no team), first, last, title, note
DEMO_STAFF = (
    (
        "nurse",
        Role.CLINICIAN,
        "community",
        0,
        "Nia",
        "Okafor",
        "District nurse",
        "North caseload; sees GP, hospital, community and social care detail",
    ),
    ("gp", Role.CLINICIAN, "gp", 0, "Tom", "Hughes", "GP", "North caseload"),
    (
        "mhworker",
        Role.MENTAL_HEALTH_WORKER,
        "mental_health",
        0,
        "Aisha",
        "Patel",
        "Community psychiatric nurse",
        "the only role that sees mental health detail",
    ),
    (
        "socialworker",
        Role.SOCIAL_WORKER,
        "adult_social_care",
        0,
        "Gareth",
        "Evans",
        "Social worker",
        "social care, housing and community detail",
    ),
    (
        "housing",
        Role.HOUSING_OFFICER,
        "housing",
        0,
        "Lena",
        "Kowalska",
        "Tenancy sustainment officer",
        "housing, council tax and social care; no clinical detail",
    ),
    (
        "coordinator",
        Role.CARE_COORDINATOR,
        "gp",
        0,
        "Priti",
        "Sharma",
        "Care co-ordinator",
        "chairs the North MDT: today's meeting is under MDT meetings",
    ),
    (
        "volunteer",
        Role.VOLUNTARY_WORKER,
        "voluntary",
        0,
        "Jim",
        "Barker",
        "Community link worker",
        "people referred or assigned to them; summary only, no emergency access",
    ),
    (
        "reception",
        Role.RECEPTIONIST,
        "community",
        0,
        "Rita",
        "Mensah",
        "Neighbourhood team receptionist",
        "the front door: logs requests for help and finds the person; never opens the record",
    ),
    (
        "nurse.south",
        Role.CLINICIAN,
        "community",
        1,
        "Ruth",
        "Adeyemi",
        "District nurse",
        "South caseload: try a North person to see break-glass",
    ),
    (
        "steward",
        Role.DATA_STEWARD,
        "other",
        None,
        "Priya",
        "Shah",
        "Information governance lead",
        "audit, break-glass reviews, linkage, any record's summary",
    ),
    (
        "admin",
        Role.ADMINISTRATOR,
        "other",
        None,
        "Alex",
        "Morgan",
        "System administrator",
        "accounts only; no person data",
    ),
)


def demo_password(username: str) -> str:
    """Fixed, printed passwords for the synthetic demonstration only (refused outside DEBUG)."""
    return f"{username.replace('.', '-')}-wraparound-demo"


def _demo_areas() -> tuple[list[str], list[str]]:
    """Split the postcode sectors where people live into two neighbourhoods of similar size.

    Sectors (``WV10 6``), not districts, because one district often holds most of a
    neighbourhood. Sectors with under 0.5% of people (those who live elsewhere) are left out.
    """
    counts: Counter[str] = Counter()
    people = Person.objects.filter(retired=False).values_list("postcode", flat=True)
    for raw in people.iterator(chunk_size=20000):
        code = postcodes.normalise(raw)
        if postcodes.district(code):
            counts[code[:-2]] += 1
    total = sum(counts.values())
    sectors = sorted(s for s, n in counts.items() if n >= total * 0.005)
    if len(sectors) < 2:
        return list(DEFAULT_AREAS[0]), list(DEFAULT_AREAS[1])
    half = sum(counts[s] for s in sectors) / 2
    running, north = 0, []
    for sector in sectors:
        if running >= half:
            break
        north.append(sector)
        running += counts[sector]
    south = [s for s in sectors if s not in north] or [north.pop()]
    return north, south


@transaction.atomic
def demo_setup(*, assign_people: int = 12) -> tuple[list[DemoLogin], list[Team]]:
    """Organisations, two neighbourhood teams, one login per role, some caseload. Idempotent."""
    agreement = current()
    orgs_by_partner: dict[str, Organisation] = {}
    for party in agreement.parties:
        org = create_organisation(name=party.name, partner=party.partner)
        orgs_by_partner.setdefault(party.partner, org)
    orgs_by_partner["other"] = create_organisation(name=GOVERNANCE_ORGANISATION, partner="other")
    for partner in Partner.values:
        if partner not in orgs_by_partner:
            orgs_by_partner[partner] = create_organisation(
                name=f"{Partner(partner).label} (demonstration)", partner=partner
            )

    north_areas, south_areas = _demo_areas()
    teams = [
        create_team(name="North Neighbourhood Team", areas=north_areas),
        create_team(name="South Neighbourhood Team", areas=south_areas),
    ]
    logins = []
    staff_by_name = {}
    for username, role, partner, team_index, first, last, title, note in DEMO_STAFF:
        org = orgs_by_partner[partner]
        member_of = [teams[team_index]] if team_index is not None else []
        staff, password = create_staff(
            username=username,
            role=role,
            organisation=org,
            teams=member_of,
            password=demo_password(username),
            first_name=first,
            last_name=last,
            job_title=title,
            phone="01632 960 " + f"{100 + len(logins):03d}",
            email=f"{username}@example.org",
        )
        staff_by_name[username] = staff
        logins.append(
            DemoLogin(
                username=username,
                password=password,
                role=Role(role).label,
                organisation=org.name,
                teams=", ".join(t.name for t in member_of) or "-",
                note=note,
            )
        )

    # Some people the North team works with by name, and a few from outside its postcodes.
    north_people = [
        pid
        for pid, raw in Person.objects.filter(retired=False)
        .order_by("id")
        .values_list("id", "postcode")[:5000]
        if postcodes.in_neighbourhood(raw, north_areas)
    ][:assign_people]
    for i, pid in enumerate(north_people):
        for username in ("nurse", "socialworker", "coordinator")[: 1 + i % 3]:
            assign(
                staff=staff_by_name[username],
                person_id=pid,
                role_in_care=staff_by_name[username].job_title,
            )
    # The voluntary worker's agreement counts named assignments and the team's caseload list
    # (referrals), not the neighbourhood: a few people are referred to them by name.
    for pid in north_people[:4]:
        assign(
            staff=staff_by_name["volunteer"],
            person_id=pid,
            role_in_care="Referred to the community link worker",
        )
    outside = list(
        Person.objects.filter(retired=False)
        .exclude(id__in=north_people)
        .order_by("-id")
        .values_list("id", "postcode")[:2000]
    )
    added = 0
    for pid, raw in outside:
        if added >= 3:
            break
        if not postcodes.in_neighbourhood(raw, north_areas + south_areas):
            add_to_caseload(
                team=teams[0], person_id=pid, by="demo-setup", reason="Moved out; still supported"
            )
            added += 1
    if len(north_people) > 2:
        SharingPreference.objects.get_or_create(
            person_id=north_people[-1],
            defaults={
                "objects_to_sharing": True,
                "recorded_by": "demo-setup",
                "note": "Asked that their records are not shared between organisations.",
            },
        )
    # Contact notes (issue 10): the North team's named people first, then a few hundred more.
    more = [pid for pid in _north_people(north_areas) if pid not in north_people]
    note_actions.write_demo_notes(
        people=north_people + more,
        nurse=_note_author(staff_by_name["nurse"]),
        coordinator=_note_author(staff_by_name["coordinator"]),
    )
    # Care and support plans (issue 10, H-B): the same people, so the first one opened has a plan.
    plan_demo.load_demo_plans(
        person_ids=north_people + more,
        staff=[staff_by_name[u] for u in ("nurse", "socialworker", "coordinator", "gp")],
    )
    # A year of requests for help for each team, with a change half-way (issue 11, H-P).
    demand_demo.load_demo_demand(
        teams=teams,
        people_by_team={teams[0].id: north_people + more, teams[1].id: _north_people(south_areas)},
    )
    # --- MDT meetings demo (H-D) ---
    # Past monthly MDTs with minutes and actions, and one coming up to rehearse (issue 12).
    meetings_demo.load_demo_meetings(
        teams=teams,
        staff_by_name=staff_by_name,
        people_by_team={teams[0].id: north_people + more, teams[1].id: _north_people(south_areas)},
    )
    return logins, teams


def _north_people(areas: list[str], limit: int = 300) -> list[int]:
    rows = Person.objects.filter(retired=False).order_by("id").values_list("id", "postcode")
    return [pid for pid, raw in rows[:5000] if postcodes.in_neighbourhood(raw, areas)][:limit]


def _note_author(staff: Staff) -> note_actions.Author:
    return note_actions.Author(
        staff_id=staff.id,
        user_id=staff.user_id,
        name=staff.display_name,
        role=staff.role,
        role_label=Role(staff.role).label,
        organisation=staff.organisation.name,
        partner=staff.organisation.partner,
    )
