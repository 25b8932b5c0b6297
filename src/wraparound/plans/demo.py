"""Synthetic care and support plans for ``make demo``: a new user's first person has a full plan.

Words are picked from small lists by the person's id, so the same database gets the same plans
on every run; nobody's real words are here. Every plan is written through ``plans.actions``
(so every part has its first version, as a real one would), by demo staff, with some actions
and reviews already overdue so the caseload has something to show. A person who already has
plan details is left alone: running ``make demo`` twice adds nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone

from wraparound.identity.models import Person
from wraparound.plans import actions
from wraparound.plans.models import (
    ActionOwner,
    Goal,
    PersonWhoMatters,
    PlanAction,
    PlanDetails,
    PlanSectionText,
    WhatMattersToMe,
)

WHAT_MATTERS = (
    "Staying in my own home, with my cat, and seeing my grandchildren on Sundays.",
    "Getting back to the allotment. Being able to make my own cup of tea.",
    "Going to chapel on Sunday and not being a burden on my daughter.",
    "Keeping my independence. I don't want strangers in the house every day.",
)
PEOPLE = (
    ("Jean", "daughter", "07700 900123"),
    ("Ken", "son", "07700 900456"),
    ("Maureen", "neighbour, has a key", "01632 960 777"),
    ("Pat", "friend from church", ""),
)
SECTIONS = {
    "communication": (
        "I am hard of hearing on the left. Sit on my right and speak slowly.",
        "I wear glasses for reading: give me time to find them.",
        "Phone my daughter first if you are coming; I don't answer unknown numbers.",
    ),
    "wellness": (
        "Mornings are hard; I am at my best after lunch.",
        "My breathing is worse in the cold. I sleep in the chair downstairs.",
    ),
    "please_do": (
        "Knock loudly and wait: it takes me a while to get to the door.",
        "Tell me your name each time you come.",
    ),
    "please_dont": (
        "Don't move things in the kitchen: I know where everything is.",
        "Please don't talk to my daughter instead of me.",
    ),
    "support": (
        "Help with my tablets in the morning. I can manage the rest of the day.",
        "A call on Friday afternoon, when the week has been long.",
    ),
    "also_know": (
        "I was a school cook for thirty years.",
        "My husband died two years ago; his birthday in March is difficult.",
    ),
    "strengths": (
        "I'm stubborn, and I have good neighbours.",
        "I can still cook, and I like company.",
    ),
    "needs": (
        "I worry about falling when I go upstairs at night.",
        "I'm lonely since I stopped driving.",
    ),
    "risks": ("A fall at night.", "A chest infection in the winter."),
    "if_it_does": (
        "Press the pendant alarm. Maureen next door has a key.",
        "Start the rescue pack and phone the GP surgery the same day.",
    ),
    "whom_to_call": ("Jean (daughter) first, then the district nursing team.",),
    "medicines": ("Rescue pack of antibiotics and steroids in the kitchen drawer.", "None."),
}
GOALS = (
    ("To walk to the corner shop on my own by the summer.", "partly"),
    ("To sleep upstairs in my own bed again.", "not_yet"),
    ("To get to chapel once a month.", "achieved"),
    ("To stay out of hospital this winter.", "not_yet"),
)
STAFF_ACTIONS = (
    "Review how the pain relief is working",
    "Arrange a carer's assessment for the daughter",
    "Refer to the falls service",
    "Check the key safe and pendant alarm work",
    "Ask the housing team about a stair rail",
)
PERSON_ACTIONS = ("Try the walking frame indoors every day", "Keep the falls diary")


def _pick(options: Sequence, person_id: int, salt: int = 0):
    return options[(person_id * 7 + salt * 13) % len(options)]


def _writer(staff) -> actions.Writer:
    return actions.Writer(
        by=f"{staff.display_name} ({staff.get_role_display()}, {staff.organisation.name})"[:200],
        user_id=staff.user_id,
        partner=staff.organisation.partner,
    )


def _owner(staff) -> actions.ActionOwnerChoice:
    label = staff.job_title or staff.get_role_display()
    return actions.ActionOwnerChoice(
        kind=ActionOwner.STAFF, name=f"{staff.display_name} ({label})", staff_id=staff.id
    )


@transaction.atomic
def load_demo_plans(
    *, person_ids: Sequence[int], staff: Sequence, today: dt.date | None = None
) -> int:
    """Plans for these people, written by these staff (the first writes most); returns how many
    plans were added. The first person gets every part; overdue actions and reviews recur."""
    if not staff:
        return 0
    today = today or timezone.localdate()
    done = set(
        PlanDetails.objects.filter(person_id__in=list(person_ids)).values_list(
            "person_id", flat=True
        )
    )
    names = {
        pid: f"{given} {family}".strip()
        for pid, given, family in Person.objects.filter(id__in=list(person_ids)).values_list(
            "id", "given_name", "family_name"
        )
    }
    lead, colleagues, added = staff[0], list(staff[1:]) or [staff[0]], 0
    for n, pid in enumerate(person_ids):
        if pid in done or pid not in names:
            continue
        colleague = colleagues[n % len(colleagues)]
        _one_plan(pid, names[pid] or "The person", lead, colleague, n, today)
        added += 1
    return added


def _one_plan(pid: int, name: str, lead, colleague, n: int, today: dt.date) -> None:
    by = _writer(lead)
    if not WhatMattersToMe.objects.filter(person_id=pid).exists():
        actions.record_what_matters(
            person_id=pid, text=_pick(WHAT_MATTERS, pid), by=by.by, by_user_id=by.user_id
        )
    if not PersonWhoMatters.objects.filter(person_id=pid).exists():
        first, relationship, contact = _pick(PEOPLE, pid)
        family = name.split()[-1] if " " in name else ""
        actions.add_person_who_matters(
            person_id=pid,
            name=f"{first} {family}".strip(),
            relationship=relationship,
            contact=contact,
            by=by.by,
            by_user_id=by.user_id,
        )
    # The first people get every section; later ones some, as real plans are uneven.
    for i, (section, options) in enumerate(SECTIONS.items()):
        if n < 12 or (pid + i) % 3:
            actions.save_plan_section(
                person_id=pid, section=section, text=_pick(options, pid, i), by=by
            )
    goals = []
    for i in range(2 + pid % 2):
        text, status = _pick(GOALS, pid, i)
        goals.append(actions.add_goal(person_id=pid, text=text, status=status, by=by))
    # One overdue for the lead (every third person), one soon for a colleague, one for the person.
    overdue = n % 3 == 0
    actions.add_plan_action(
        person_id=pid,
        what=_pick(STAFF_ACTIONS, pid),
        owner=_owner(lead),
        due_on=today + dt.timedelta(days=-3 - pid % 10 if overdue else 2 + pid % 20),
        status="to_do",
        goal_id=goals[0].id,
        by=by,
    )
    actions.add_plan_action(
        person_id=pid,
        what=_pick(STAFF_ACTIONS, pid, 1),
        owner=_owner(colleague),
        due_on=today + dt.timedelta(days=1 + pid % 14),
        status="in_progress" if pid % 2 else "to_do",
        by=by,
    )
    actions.add_plan_action(
        person_id=pid,
        what=_pick(PERSON_ACTIONS, pid),
        owner=actions.ActionOwnerChoice(kind=ActionOwner.PERSON, name=f"{name} (the person)"),
        due_on=None,
        status="in_progress",
        goal_id=goals[-1].id,
        by=by,
    )
    actions.save_plan_details(
        person_id=pid,
        supported_by=by.by,
        supported_on=today - dt.timedelta(days=30 + pid % 60),
        agreed_with=f"{name} (the person)",
        agreed_on=today - dt.timedelta(days=28 + pid % 60),
        # Every fifth review is already overdue: the caseload's "reviews due" has something.
        review_on=today + dt.timedelta(days=-5 if n % 5 == 4 else 14 + pid % 90),
        reviewer_staff_id=lead.id,
        reviewer_name=_owner(lead).name,
        by=by,
    )


def bulk_plans(
    *,
    person_ids: Sequence[int],
    staff: Sequence[tuple[int, str]],
    partner: str = "community",
    today: dt.date | None = None,
    batch: int = 5_000,
) -> int:
    """Plans for a benchmark's many people (100,000 and more), in bulk: what the person page and
    the caseloads read (what matters, four sections, two goals, three actions, a review date),
    without the version history the demo writes (no page a benchmark times reads it).

    ``staff`` is ``(staff_id, "Name (job title)")`` pairs, the owners of the staff actions.
    Returns how many plans were written. Not for real data: nothing here is audited.
    """
    if not staff:
        return 0
    today = today or timezone.localdate()
    now = timezone.now()
    by = "Benchmark (Clinician, Benchmark)"
    written = {"recorded_by": by, "partner": partner, "recorded_at": now}
    sections = ("communication", "please_do", "strengths", "risks")
    total = 0
    for start in range(0, len(person_ids), batch):
        chunk = list(person_ids[start : start + batch])
        texts, goals, steps, details, matters = [], [], [], [], []
        for n, pid in enumerate(chunk, start):
            matters.append(
                WhatMattersToMe(
                    person_id=pid, text=_pick(WHAT_MATTERS, pid), recorded_by=by, recorded_at=now
                )
            )
            for i, section in enumerate(sections):
                texts.append(
                    PlanSectionText(
                        person_id=pid,
                        section=section,
                        text=_pick(SECTIONS[section], pid, i),
                        **written,
                    )
                )
            for i in range(2):
                text, status = _pick(GOALS, pid, i)
                goals.append(
                    Goal(person_id=pid, text=text, status=status, created_at=now, **written)
                )
            owner_id, owner_name = staff[n % len(staff)]
            for i, days in enumerate((-3 - pid % 10 if n % 3 == 0 else 2 + pid % 20, 5 + pid % 30)):
                steps.append(
                    PlanAction(
                        person_id=pid,
                        what=_pick(STAFF_ACTIONS, pid, i),
                        owner_kind=ActionOwner.STAFF,
                        owner_staff_id=owner_id,
                        owner_name=owner_name,
                        due_on=today + dt.timedelta(days=days),
                        status="to_do",
                        created_at=now,
                        **written,
                    )
                )
            steps.append(
                PlanAction(
                    person_id=pid,
                    what=_pick(PERSON_ACTIONS, pid),
                    owner_kind=ActionOwner.PERSON,
                    owner_name="The person",
                    status="in_progress",
                    created_at=now,
                    **written,
                )
            )
            details.append(
                PlanDetails(
                    person_id=pid,
                    review_on=today + dt.timedelta(days=-5 if n % 5 == 4 else 14 + pid % 90),
                    reviewer_staff_id=owner_id,
                    reviewer_name=owner_name,
                    **written,
                )
            )
        with transaction.atomic():
            WhatMattersToMe.objects.bulk_create(matters)
            PlanSectionText.objects.bulk_create(texts)
            Goal.objects.bulk_create(goals)
            PlanAction.objects.bulk_create(steps)
            PlanDetails.objects.bulk_create(details)
        total += len(chunk)
    return total
