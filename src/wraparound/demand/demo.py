"""Demonstration demand: a year of requests for help and contacts for each demo team.

Realistic enough to learn from: about a third of contacts are failure demand (chasing, asking
again, being bounced) until, half-way through the year, the team changes how it works (one
number, and whoever answers owns the request until the person is helped). That change is
recorded as a ``ProcessChange``, so the charts split their limits there and show a real shift:
fewer failure contacts, fewer hand-offs, quicker help. Urgent requests are mostly, not always,
seen within 2 hours. Owners and hand-offs are among the team's own staff; the people are from
the team's caseload or neighbourhood.

Synthetic only, seeded (the same every run), written with bulk inserts, and idempotent: a team
that already has requests gets none added.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from wraparound.demand.models import ProcessChange
from wraparound.frontdoor.models import Handoff, HelpRequest, RequestContact
from wraparound.governance.models import Staff, Team

WEEKS = 52
CHANGE_AFTER_WEEKS = 26
CHANGE_DESCRIPTION = (
    "One number for everyone, and a morning huddle: whoever answers owns the request until "
    "the person says they are helped."
)
NEEDS = (
    "She has had a fall and cannot get up off the floor on her own.",
    "He is more confused than usual since the weekend.",
    "Needs help with washing and dressing now her husband is in hospital.",
    "The bath board has broken and he cannot get in the shower.",
    "Asking when the physio is coming; nobody has been.",
    "Worried about her mum's tablets: she keeps forgetting them.",
    "His catheter is blocked and he is in pain.",
    "Would like someone to talk to about money worries and the heating.",
    "The carer says she cannot cope any more.",
    "Needs a key safe fitted so the carers can get in.",
    "Wants to know what happened to the referral the GP made last month.",
    "Lonely since moving; asked about groups nearby.",
)
FAILURE_WORDS = {
    "chasing": "Rang to ask when someone is coming.",
    "asked_again": "Still not sorted: asking again.",
    "bounced": "Was told to ring another service, who sent them back.",
    "wrong_referral": "Referred to the wrong team; passed back.",
    "information": "Did not know what happens next; nobody had said.",
}
VALUE_WORDS = (
    "Rang with an update: the daughter is staying this week.",
    "Asked for a visit time that suits the carers.",
    "New problem with the same need: more help at night.",
)
CALLERS = (
    ("self", "phone"),
    ("family", "phone"),
    ("gp_receptionist", "phone"),
    ("111", "other_team"),
    ("another_team", "other_team"),
    ("self", "form"),
    ("family", "in_person"),
)
CONDITIONS = (
    "fall",
    "frailty",
    "function",
    "palliative",
    "equipment",
    "delirium",
    "catheter",
    "diabetes",
    "carer",
)
OUTCOMES = (("stayed_at_home", 80), ("step_up_bed", 10), ("admitted", 8), ("died_at_home", 2))


@dataclass(frozen=True)
class _Phase:
    """How the team worked before and after its change."""

    failure_share: float
    handoff_mean: float
    median_days: float
    late_urgent: float  # share of urgent requests seen after 2 hours


BEFORE = _Phase(failure_share=0.36, handoff_mean=1.3, median_days=7.0, late_urgent=0.14)
AFTER = _Phase(failure_share=0.20, handoff_mean=0.5, median_days=4.0, late_urgent=0.07)


def _monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def load_demo_demand(
    *,
    teams: Sequence[Team],
    people_by_team: dict[int, Sequence[int]],
    requests_per_week: int = 30,
    today: dt.date | None = None,
) -> int:
    """Write a year of demo requests for each team without any; returns how many were written."""
    today = today or timezone.localdate()
    written = 0
    for number, team in enumerate(teams):
        if HelpRequest.objects.filter(team=team).exists():
            continue
        staff = list(Staff.objects.filter(teams=team).select_related("user").order_by("id"))
        if not staff:
            continue
        written += _load_team(
            team,
            staff,
            list(people_by_team.get(team.id, ())),
            rng=random.Random(20261130 + number),
            per_week=requests_per_week,
            today=today,
        )
    return written


@transaction.atomic
def _load_team(
    team: Team,
    staff: list[Staff],
    people: list[int],
    *,
    rng: random.Random,
    per_week: int,
    today: dt.date,
) -> int:
    tz = timezone.get_current_timezone()
    now = timezone.now()
    first_monday = _monday(today) - dt.timedelta(weeks=WEEKS - 1)
    change_on = first_monday + dt.timedelta(weeks=CHANGE_AFTER_WEEKS)
    names = [(s.id, s.user_id, s.display_name) for s in staff]
    # A few requests fall through the cracks and are still open weeks later (the queue's
    # "stuck" section, and a reason the MDT is asked to look at someone). A separate random
    # stream, so the rest of the year is as it was.
    cracks = random.Random(f"cracks {team.name}")
    requests: list[HelpRequest] = []
    plans: list[tuple[_Phase, list[tuple[int, str]]]] = []
    for week in range(WEEKS):
        monday = first_monday + dt.timedelta(weeks=week)
        phase = BEFORE if monday < change_on else AFTER
        for _ in range(max(1, round(rng.gauss(per_week, per_week * 0.15)))):
            received = dt.datetime.combine(
                monday + dt.timedelta(days=rng.randrange(5)),
                dt.time(8 + rng.randrange(10), rng.randrange(60)),
                tzinfo=tz,
            )
            if received > now:
                continue
            chain = _owners(rng, names, phase)
            relationship, channel = rng.choice(CALLERS)
            urgent = rng.random() < 0.08
            person_id = rng.choice(people) if people and rng.random() < 0.9 else None
            req = HelpRequest(
                team=team,
                person_id=person_id,
                caller_name="" if relationship == "self" else "Caller (demonstration)",
                caller_relationship=relationship,
                channel=channel,
                person_details=""
                if person_id
                else "Lives on the estate near the shops; daughter has the address.",
                what_is_needed=rng.choice(NEEDS),
                received_at=received,
                received_by_user_id=names[0][1],
                received_by_name=names[0][2],
                owner_staff_id=chain[-1][0],
                owner_name=chain[-1][1],
                urgent=urgent,
            )
            if urgent:
                late = rng.random() < phase.late_urgent
                minutes = rng.randint(125, 300) if late else rng.randint(25, 115)
                req.urgent_condition = rng.choice(CONDITIONS)
                req.first_visit_at = received + dt.timedelta(minutes=minutes)
                req.urgent_outcome = rng.choices(
                    [o for o, _ in OUTCOMES], weights=[w for _, w in OUTCOMES]
                )[0]
            days = rng.lognormvariate(0, 0.6) * phase.median_days * (0.3 if urgent else 1)
            closed = received + dt.timedelta(days=days)
            waiting = (now - received).days
            stuck = not urgent and 16 <= waiting <= 60 and cracks.random() < 0.03
            if closed < now and not stuck:
                helped = rng.random() < 0.92
                req.status = "helped" if helped else "closed_not_helped"
                req.closed_at = closed
                req.what_helped = "Visited and arranged what was needed." if helped else ""
                req.person_agrees_helped = rng.choice(("yes", "yes", "yes", "not_asked"))
            requests.append(req)
            plans.append((phase, chain))
    HelpRequest.objects.bulk_create(requests, batch_size=1000)
    handoffs: list[Handoff] = []
    contacts: list[RequestContact] = []
    for req, (phase, chain) in zip(requests, plans, strict=True):
        end = req.closed_at or now
        span = max((end - req.received_at).total_seconds(), 60.0)
        for (from_id, from_name), (to_id, to_name) in zip(chain, chain[1:], strict=False):
            handoffs.append(
                Handoff(
                    request_id=req.id,
                    at=req.received_at + dt.timedelta(seconds=rng.uniform(0, span)),
                    from_staff_id=from_id,
                    from_name=from_name,
                    to_staff_id=to_id,
                    to_name=to_name,
                    reason="Needs someone who can visit this week.",
                    by_name=from_name,
                )
            )
        for _ in range(rng.choices((0, 1, 2, 3), weights=(35, 35, 20, 10))[0]):
            failure = rng.random() < phase.failure_share
            kind = rng.choice(tuple(FAILURE_WORDS)) if failure else ""
            contacts.append(
                RequestContact(
                    request_id=req.id,
                    at=req.received_at + dt.timedelta(seconds=rng.uniform(0, span)),
                    who=req.caller_name or "The person",
                    what=FAILURE_WORDS[kind] if failure else rng.choice(VALUE_WORDS),
                    demand="failure" if failure else "value",
                    failure_kind=kind,
                    suggested_demand="failure",
                    recorded_by_name=rng.choice(chain)[1],
                )
            )
    Handoff.objects.bulk_create(handoffs, batch_size=2000)
    RequestContact.objects.bulk_create(contacts, batch_size=2000)
    ProcessChange.objects.get_or_create(
        team=team,
        changed_on=change_on,
        defaults={
            "description": CHANGE_DESCRIPTION,
            "recorded_by_name": names[0][2],
            "recorded_at": now,
        },
    )
    return len(requests)


def _owners(
    rng: random.Random, names: list[tuple[int, int, str]], phase: _Phase
) -> list[tuple[int, str]]:
    """The first owner and then each owner after a hand-off (never handed to oneself)."""
    first = rng.choice(names)
    chain = [(first[0], first[2])]
    handoffs = min(4, int(rng.expovariate(1 / phase.handoff_mean))) if len(names) > 1 else 0
    for _ in range(handoffs):
        nxt = rng.choice([n for n in names if n[0] != chain[-1][0]])
        chain.append((nxt[0], nxt[2]))
    return chain
