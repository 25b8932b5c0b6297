"""Demonstration MDT meetings: months of finished meetings with minutes, and one to rehearse.

A new user should find a team that already meets: monthly meetings for the past eight months
(three for a second team), each with a chair, members from several organisations and a guest
or two by name, attendance, six to nine people discussed in about ten minutes each, notes and
decisions in a practitioner's words, and actions with a lead and a due date. Most actions were
done on time, some late, and some of the last meeting's are still open, so the next meeting
opens with them and each lead's caseload has something to show. People with A&E attendances or
admissions are picked where the data has them, so the impact page has figures before and after.
Then one meeting in the next few days, planned, with a few nominations waiting for the chair
and a few people already on the agenda; the gate suggests the rest by itself.

Everything is written through ``meetings.actions`` and ``plans.actions`` (as a real meeting
would be), then the timestamps those actions stamp as "now" are moved back to when the demo
meeting happened, inside the same transaction. Synthetic only, seeded (the same every run) and
idempotent: a team that already has meetings gets none added, and so does a team working
with fewer than ``MIN_PEOPLE`` people.
"""

from __future__ import annotations

import calendar
import datetime as dt
import random
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from wraparound.frontdoor.models import HelpRequest
from wraparound.governance.models import Assignment, SharingPreference, Staff, Team
from wraparound.identity.models import Person
from wraparound.meetings import actions as meeting_actions
from wraparound.meetings.models import CaseItem, Meeting
from wraparound.plans import actions as plan_actions
from wraparound.plans.models import ActionOwner, ActionStatus, Goal, PlanAction, PlanVersion
from wraparound.sources.models import Event, SourceRecord

PAST_MEETINGS = (8, 3)  # the first team's history, then each other team's
MEETING_TIME = dt.time(13, 30)
HOSPITAL_KINDS = ("A&E attendance", "Admission")
LOOKBACK_DAYS = 90
STUCK_DAYS = 14
SUGGESTED = "Suggested: recent care from other services"
SEED = 20261201
# Months of case lists need people enough not to discuss the same few every month: a team
# working with fewer (a small test world) gets no demo meetings.
MIN_PEOPLE = 20
# The stories are about older adults (carers, pensions, end of life, a son or a daughter who
# helps): the demo discusses people of this age or more, never a child.
STORY_AGE = 50
# Usernames of the demo staff (``governance.actions.DEMO_STAFF``) invited when in the team.
MEMBERS = ("nurse", "socialworker", "gp", "mhworker", "housing", "volunteer")
CHAIRS = ("coordinator", "nurse.south")
GUESTS = (
    ("Carol Whitfield", "St Ann's Hospice", "Hospice community nurse"),
    ("Dev Mistry", "Royal Wolverhampton NHS Trust", "Diabetes specialist nurse"),
    ("Hannah Price", "Community dietetics", "Dietitian"),
)


@dataclass(frozen=True)
class Case:
    """What was said about one kind of person, and who took which action (by username)."""

    sex: str  # the person the words are about: "female" or "male"
    nominated_by: str
    reason: str
    discussion: str
    decisions: str
    actions: tuple[tuple[str, str, int], ...]  # (lead's username, what, due in days)
    # The next time the team discusses the same person: how things went, what changes now.
    # (A story told twice word for word would read as copied notes, not a follow-up.)
    follow_up: str = ""
    follow_up_decisions: str = ""
    follow_up_actions: tuple[tuple[str, str, int], ...] = ()


CASES = (
    Case(
        "male",
        "socialworker",
        "Son is his main carer and is not coping; missed visits last week.",
        "Lives with his son, who cares for him and works nights. District nurses visit twice a "
        "week for his leg ulcers. The son told the nurse he is exhausted and has not seen his "
        "own GP for a year. Social worker has met them once.",
        "Social worker and district nurse to visit together, to see the home and the son "
        "together. GP to offer the son a visit of his own. Safeguarding discussed with him: he "
        "feels safe and wants his son to stay; no concern raised today. Review next month.",
        (
            (
                "socialworker",
                "Joint visit with the district nurse; offer the son a carer's assessment",
                7,
            ),
            (
                "nurse",
                "Joint visit with the social worker; dress the ulcers and ask how the son "
                "is managing",
                7,
            ),
            ("gp", "Offer the son a GP visit at home (carer's health check)", 14),
        ),
        "Joint visit done. His son has a carer's assessment booked and is sleeping better since "
        "a sitting service started one night a week. The leg ulcers are slowly healing.",
        "Carry on the sitting service. District nurses to keep visiting twice a week for the "
        "ulcers. Social worker to follow up the son's carer's assessment.",
        (
            ("socialworker", "Follow up the son's carer's assessment and the sitting service", 14),
            ("nurse", "Measure the leg ulcers and report how they are healing", 21),
        ),
    ),
    Case(
        "female",
        "nurse",
        "Two falls at night since the new tablets; lives alone.",
        "Two falls at night in the last month, one taken to A&E by ambulance, no fracture. "
        "Started a new blood pressure tablet in the summer. Lives alone; daughter visits on "
        "Sundays. The pendant alarm was not worn at the time.",
        "Refer to the falls service. GP to review the blood pressure and night-time tablets. "
        "Check the pendant alarm and the key safe, and talk about wearing the pendant in bed.",
        (
            ("nurse", "Refer to the falls service", 7),
            ("gp", "Medication review: the blood pressure and night-time tablets", 14),
            (
                "volunteer",
                "Check the pendant alarm and key safe work; practise using the pendant with her",
                10,
            ),
        ),
        "No falls since the tablets were changed. The falls service has seen her and she is "
        "doing the strength and balance exercises. She wears the pendant in bed now.",
        "Falls service to carry on the exercise programme. District nurse to check her blood "
        "pressure lying and standing. Link worker to check the pendant once more, then step back.",
        (
            ("nurse", "Check her blood pressure lying and standing at the next visit", 21),
            ("volunteer", "Check the pendant alarm once more, then close", 14),
        ),
    ),
    Case(
        "male",
        "housing",
        "Rent arrears and a damp flat; missed two hospital appointments.",
        "Rent arrears since his hours were cut; the flat is damp and the bedroom is not used. "
        "Missed two outpatient appointments because the letters went to his old address. The "
        "housing officer has met him and he wants help with the forms.",
        "Housing to raise the damp repair and agree a payment plan. Link worker to help with "
        "a benefits check. Care co-ordinator to update his address with the hospital and rebook "
        "the clinic.",
        (
            ("housing", "Raise the damp repair and agree a payment plan for the arrears", 14),
            ("volunteer", "Help with a benefits check at the Tuesday drop-in", 14),
            ("coordinator", "Update his address with the hospital and rebook the clinic", 7),
        ),
        "Payment plan agreed and the damp repair is booked. The new clinic letter came to the "
        "right address. The benefits check found he can claim a council tax reduction.",
        "Housing to confirm the repair is done. Link worker to help him apply for the council "
        "tax reduction. Nothing more needed from the hospital.",
        (
            ("housing", "Confirm the damp repair is done and the payment plan is kept", 21),
            ("volunteer", "Help him apply for the council tax reduction", 14),
        ),
    ),
    Case(
        "female",
        "nurse",
        "Deteriorating; wants to stay at home to the end.",
        "Weaker over the last fortnight, sleeping most of the day, eating little. She has said "
        "clearly she wants to die at home, and her husband agrees. The hospice nurse is "
        "visiting weekly.",
        "Anticipatory medicines to be prescribed and kept at home. ReSPECT form to be updated "
        "with her. Hospice to lead, district nurses to visit daily; respite for her husband "
        "to be offered.",
        (
            ("gp", "Prescribe anticipatory medicines and update the ReSPECT form with her", 3),
            ("nurse", "Daily visits; check the syringe driver stock is at home", 3),
            ("coordinator", "Offer her husband respite and a carer's assessment", 14),
        ),
        "Comfortable at home. The anticipatory medicines are in the house and the ReSPECT form "
        "is updated. Her husband has had two nights of respite and says it helped.",
        "District nurses and the hospice to carry on visiting daily. GP to visit weekly. Offer "
        "her husband more respite nights.",
        (
            ("gp", "Visit her at home each week", 7),
            ("coordinator", "Book more respite nights for her husband", 7),
        ),
    ),
    Case(
        "male",
        "mhworker",
        "Low mood since his wife died; not eating well.",
        "Low mood since his wife died in the spring; has stopped going to the luncheon club and "
        "lost weight. Says he does not see the point in cooking for one. No thoughts of harming "
        "himself when asked.",
        "Community psychiatric nurse to assess his mood at home. Link worker to go with him to "
        "the luncheon club. District nurse to weigh him and ask the dietitian for advice.",
        (
            ("mhworker", "Assess his mood at home", 14),
            ("volunteer", "Go with him to the luncheon club on Thursday", 10),
            ("nurse", "Weigh him and ask the dietitian for advice", 14),
        ),
        "Mood a little better since the assessment. He has been to the luncheon club twice "
        "with the link worker and has put on a kilo.",
        "Community psychiatric nurse to see him again in a month. Link worker to step back once "
        "he goes to the luncheon club on his own. Weigh him again in four weeks.",
        (
            ("mhworker", "See him at home again to review his mood", 28),
            ("nurse", "Weigh him again", 28),
        ),
    ),
    Case(
        "female",
        "socialworker",
        "Neighbour worried about a new friend handling her money.",
        "A neighbour is worried that a new 'friend' is taking her to the bank and handling her "
        "money. She has capacity for this decision and wants to keep the friendship. Her son "
        "lives abroad.",
        "Safeguarding discussed with her at the last visit: she agreed to the bank's carer card "
        "instead of sharing her PIN. Social worker to raise a concern with her agreement and "
        "visit again; review at the next meeting.",
        (
            ("socialworker", "Raise a safeguarding concern with her agreement; visit again", 7),
            ("coordinator", "Phone her son, with her agreement, to tell him the plan", 14),
        ),
        "The bank's carer card is in place and she no longer shares her PIN. The friend has "
        "stopped going to the bank with her. Her son has been told the plan and phones weekly.",
        "Safeguarding concern closed with her agreement. Social worker to visit once more, then "
        "close the case.",
        (("socialworker", "Visit once more and close the safeguarding work with her", 28),),
    ),
    Case(
        "female",
        "nurse",
        "Blood sugars high; daughter wants to learn to give the insulin.",
        "Blood sugars running high for a month. District nurses give insulin twice a day; her "
        "daughter, who lives with her, would like to learn so that visits can be fewer.",
        "Diabetes specialist nurse to review the insulin. District nurse to teach the daughter "
        "and sign her off. Plan review in six weeks.",
        (
            ("nurse", "Teach the daughter to give insulin and sign her off", 21),
            ("gp", "Ask the diabetes specialist nurse to review the insulin", 14),
        ),
        "Her daughter gives the evening insulin now and has been signed off. Blood sugars are "
        "better since the diabetes specialist nurse changed the dose.",
        "District nurses to give the morning insulin only. Her daughter carries on with the "
        "evening dose. Plan review as booked.",
        (("nurse", "Cut visits to the morning insulin only and update the plan", 7),),
    ),
    Case(
        "female",
        "coordinator",
        "Package of care started; check whether the goals are met.",
        "Doing well since the package of care started: up and dressed by nine, back at chapel "
        "on Sundays. No falls. Says she would like fewer visits.",
        "Goals met. No further MDT discussion needed; stays on the team's caseload. Care "
        "co-ordinator to tell her and agree the review date.",
        (("coordinator", "Tell her the outcome and agree a review date", 7),),
        "Still doing well with the package of care and no falls. She has agreed the review date.",
        "No change: the goals are still met. Off the MDT list; the care co-ordinator keeps the "
        "review date.",
        (("coordinator", "Tell her who to call if things change", 14),),
    ),
)
# Cases that need a particular member: the hospital cases, and the link worker's.
FALLS, HOUSING, LOW_MOOD = 1, 2, 4
HOSPITAL_CASES = (FALLS, 6, 3, 0, LOW_MOOD)
VOLUNTEER_CASES = (LOW_MOOD, HOUSING, FALLS)


@dataclass(frozen=True)
class _Who:
    """A member of staff as the meeting and the plan record them."""

    username: str
    staff: Staff

    @property
    def by(self) -> meeting_actions.By:
        return meeting_actions.By(
            staff_id=self.staff.id,
            user_id=self.staff.user_id,
            name=self.staff.display_name,
            partner=self.staff.organisation.partner,
        )

    @property
    def writer(self) -> plan_actions.Writer:
        s = self.staff
        return plan_actions.Writer(
            by=f"{s.display_name} ({s.get_role_display()}, {s.organisation.name})"[:200],
            user_id=s.user_id,
            partner=s.organisation.partner,
        )

    @property
    def owner(self) -> plan_actions.ActionOwnerChoice:
        s = self.staff
        return plan_actions.ActionOwnerChoice(
            kind=ActionOwner.STAFF,
            name=f"{s.display_name} ({s.job_title or s.get_role_display()})",
            staff_id=s.id,
        )

    @property
    def invitee(self) -> meeting_actions.Invitee:
        s = self.staff
        return meeting_actions.Invitee(
            name=s.display_name,
            organisation=s.organisation.name,
            role_label=s.job_title or s.get_role_display(),
            staff_id=s.id,
        )


@dataclass
class _Pick:
    person_id: int
    source: str
    reason: str
    by: _Who
    case: int
    hospital_reason: str = ""


def load_demo_meetings(
    *,
    teams: Sequence[Team],
    staff_by_name: Mapping[str, Staff],
    people_by_team: Mapping[int, Sequence[int]],
    today: dt.date | None = None,
) -> int:
    """Write each team's demo meetings, unless it has meetings; returns how many were written."""
    today = today or timezone.localdate()
    written = 0
    for number, team in enumerate(teams):
        if Meeting.objects.filter(team=team).exists():
            continue
        members = set(Staff.objects.filter(teams=team).values_list("id", flat=True))
        team_staff = {u: _Who(u, s) for u, s in staff_by_name.items() if s.id in members}
        chair = next((team_staff[u] for u in CHAIRS if u in team_staff), None)
        chair = chair or next(iter(team_staff.values()), None)
        if chair is None:
            continue
        written += _load_team(
            team,
            chair,
            team_staff,
            list(dict.fromkeys(people_by_team.get(team.id, ()))),
            past=PAST_MEETINGS[min(number, len(PAST_MEETINGS) - 1)],
            guests=GUESTS[:2] if number == 0 else GUESTS[2:],
            rng=random.Random(SEED + number),
            today=today,
        )
    return written


def meeting_dates(today: dt.date, past: int) -> tuple[list[dt.date], dt.date]:
    """The past meetings' dates (oldest first) and the next one's, two to six days ahead.

    The next falls on a Tuesday to Thursday, as MDTs are booked; the past ones on the same
    week and weekday of each earlier month, the way ``actions.next_date`` repeats a series.
    """
    upcoming = today + dt.timedelta(days=2)
    while upcoming.weekday() not in (1, 2, 3):
        upcoming += dt.timedelta(days=1)
    week, weekday = (upcoming.day - 1) // 7, upcoming.weekday()
    dates = []
    for back in range(past, 0, -1):
        year, month = divmod(upcoming.year * 12 + upcoming.month - 1 - back, 12)
        month += 1
        days = calendar.monthrange(year, month)[1]
        first = dt.date(year, month, 1)
        day = 1 + (weekday - first.weekday()) % 7 + 7 * week
        while day > days:
            day -= 7
        dates.append(dt.date(year, month, day))
    return dates, upcoming


def rehearsal_start(today: dt.date) -> dt.datetime:
    """The next meeting is today, at the next whole hour, so a new user can open the case list
    and run meeting mode straight away (the agreement opens meeting mode 2 hours before a
    meeting starts, until 12 hours after). On a day that is not today (a test's fixed day) it
    starts at ``MEETING_TIME``."""
    local = timezone.localtime()
    if local.date() != today:
        return _at(today)
    return local.replace(minute=0, second=0, microsecond=0) + dt.timedelta(hours=1)


def _at(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, MEETING_TIME))


def _england(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


@transaction.atomic
def _load_team(
    team: Team,
    chair: _Who,
    team_staff: dict[str, _Who],
    people: list[int],
    *,
    past: int,
    guests: Sequence[tuple[str, str, str]],
    rng: random.Random,
    today: dt.date,
) -> int:
    objecting = set(
        SharingPreference.objects.filter(person_id__in=people, objects_to_sharing=True).values_list(
            "person_id", flat=True
        )
    )
    # A person who objected to sharing is discussed only with their agreement: the demo leaves
    # them out rather than invent that agreement.
    people = [p for p in people if p not in objecting]
    people = _old_enough(people, today)
    if len(people) < MIN_PEOPLE:
        return 0
    hospital = _hospital_visits(people)
    sexes = _sexes(people)
    requests = _requests(team, people)
    volunteer_people = []
    if "volunteer" in team_staff:
        volunteer_people = [
            p
            for p in Assignment.objects.filter(staff=team_staff["volunteer"].staff, ended_at=None)
            .order_by("person_id")
            .values_list("person_id", flat=True)
            if p in set(people)
        ]
    goals: dict[int, int] = {}
    for pid, goal_id in (
        Goal.objects.filter(person_id__in=people).order_by("id").values_list("person_id", "id")
    ):
        goals.setdefault(pid, goal_id)
    invitees = [w.invitee for u, w in team_staff.items() if u in MEMBERS and w is not chair]
    invitees += [
        meeting_actions.Invitee(name=n, organisation=o, role_label=r) for n, o, r in guests
    ]
    dates, upcoming = meeting_dates(today, past)
    title = f"{team.name.replace(' Neighbourhood Team', '')} MDT"
    state = _History()
    previous = None
    # "Now" for the demo is today's end at the latest, so a test's fixed day gives fixed data.
    now = min(timezone.now(), _at(today) + dt.timedelta(hours=10))
    for k, day in enumerate(dates):
        previous = _past_meeting(
            team,
            title,
            day,
            chair,
            team_staff,
            invitees,
            previous,
            picks=_choose(
                day,
                people,
                sexes,
                hospital,
                requests,
                volunteer_people,
                state,
                team_staff,
                chair,
                rng,
                volunteer_turn=k in (len(dates) - 1, len(dates) - 4),
            ),
            goals=goals,
            last=k == len(dates) - 1,
            state=state,
            rng=rng,
            now=now,
        )
    _upcoming_meeting(
        team,
        title,
        rehearsal_start(today),
        chair,
        team_staff,
        invitees,
        previous,
        people,
        state,
        volunteer_people,
        rng,
        now,
        sexes,
    )
    return len(dates) + 1


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _old_enough(people: list[int], today: dt.date) -> list[int]:
    """The people aged ``STORY_AGE`` or more (a date of birth is needed to know), in order."""
    born_by = _years_before(today, STORY_AGE)
    old: set[int] = set()
    for start in range(0, len(people), 500):
        old.update(
            Person.objects.filter(
                id__in=people[start : start + 500], date_of_birth__lte=born_by
            ).values_list("id", flat=True)
        )
    return [p for p in people if p in old]


class _History:
    """What earlier demo meetings did, so later ones follow on (open actions, last discussed)."""

    def __init__(self) -> None:
        self.discussed: dict[int, dt.date] = {}
        # Each person's story, once told: the same person has the same family and troubles
        # at every meeting (a son one month is not a daughter the next).
        self.cases: dict[int, int] = {}
        self.actions: dict[int, list[tuple[dt.date, dt.datetime | None]]] = defaultdict(list)
        self.last_meeting: dt.date | None = None
        self.last_people: set[int] = set()

    def still_open(self, pid: int, day: dt.date) -> int:
        at = _at(day)
        return sum(1 for _, done in self.actions.get(pid, ()) if done is None or done > at)


def _hospital_visits(people: list[int]) -> dict[int, list[tuple[dt.datetime, str]]]:
    """Each person's A&E attendances and admissions, in date order, from partners' events."""
    records: dict[tuple[int, str], int] = {}
    for start in range(0, len(people), 500):
        for pid, source_id, record_id in SourceRecord.objects.filter(
            link__person_id__in=people[start : start + 500]
        ).values_list("link__person_id", "source_id", "source_record_id"):
            records[(source_id, record_id)] = pid
    by_source: dict[int, list[str]] = defaultdict(list)
    for source_id, record_id in records:
        by_source[source_id].append(record_id)
    visits: dict[int, list[tuple[dt.datetime, str]]] = defaultdict(list)
    for source_id, record_ids in by_source.items():
        for start in range(0, len(record_ids), 500):
            for record_id, at, kind in Event.objects.filter(
                source_id=source_id,
                subject_record_id__in=record_ids[start : start + 500],
                resource_type="Encounter",
                kind__in=HOSPITAL_KINDS,
                occurred_at__isnull=False,
            ).values_list("subject_record_id", "occurred_at", "kind"):
                visits[records[(source_id, record_id)]].append((at, kind))
    return {pid: sorted(v) for pid, v in visits.items()}


def _requests(team: Team, people: list[int]) -> dict[int, list[tuple]]:
    """Each person's requests for help to the team: (received, closed or None, hand-offs)."""
    found: dict[int, list[tuple]] = defaultdict(list)
    rows = (
        HelpRequest.objects.filter(team=team, person_id__isnull=False)
        .annotate(moves=Count("handoffs"))
        .values_list("person_id", "received_at", "closed_at", "moves")
    )
    wanted = set(people)
    for pid, received, closed, moves in rows:
        if pid in wanted:
            found[pid].append((received, closed, moves))
    return found


def _hospital_reason(visits: list[tuple[dt.datetime, str]], since: dt.datetime, again: bool):
    ae = sum(1 for _, kind in visits if kind == "A&E attendance")
    admitted = len(visits) - ae
    parts = [_plural(ae, "A&E attendance")] if ae else []
    parts += [_plural(admitted, "hospital admission")] if admitted else []
    when = "since last discussed" if again else f"in the last {LOOKBACK_DAYS} days"
    return f"{' and '.join(parts)} {when}"


def _case(
    rng: random.Random, options: Sequence[int], sex: str | None, used: Sequence[int] = ()
) -> int:
    """One of these stories, about someone of the person's sex where the feeds say it, and
    not one told already at this meeting where another will do."""
    matching = [i for i in options if CASES[i].sex == sex] or list(options)
    return rng.choice([i for i in matching if i not in used] or matching)


def _sexes(people: list[int]) -> dict[int, str]:
    """Each person's sex as their partners' records give it (the stories say "he" or "she")."""
    found: dict[int, str] = {}
    for start in range(0, len(people), 500):
        for pid, sex in (
            SourceRecord.objects.filter(
                link__person_id__in=people[start : start + 500], sex__in=("female", "male")
            )
            .order_by("id")
            .values_list("link__person_id", "sex")
        ):
            found.setdefault(pid, sex)
    return found


def _choose(
    day: dt.date,
    people: list[int],
    sexes: dict[int, str],
    hospital: dict[int, list[tuple[dt.datetime, str]]],
    requests: dict[int, list[tuple]],
    volunteer_people: list[int],
    state: _History,
    team_staff: dict[str, _Who],
    chair: _Who,
    rng: random.Random,
    *,
    volunteer_turn: bool,
) -> list[_Pick]:
    """Six to nine people for one meeting, with the reasons a practitioner would accept:
    open actions carried over, hospital visits, stuck requests, then nominations."""
    at = _at(day)
    wanted = rng.randint(6, 9)
    picks: list[_Pick] = []
    taken: set[int] = set()

    def add(pid: int, source: str, reason: str, by: _Who, case: int, hospital: str = "") -> None:
        if pid not in taken and len(picks) < wanted:
            taken.add(pid)
            picks.append(_Pick(pid, source, reason, by, case, hospital))

    def who(username: str) -> _Who:
        return team_staff.get(username, chair)

    def story(pid: int, options: Sequence[int] = range(len(CASES))) -> int:
        if pid in state.cases:
            return state.cases[pid]
        return _case(rng, options, sexes.get(pid), [p.case for p in picks])

    if volunteer_turn and volunteer_people:
        pid = volunteer_people[len(state.discussed) % len(volunteer_people)]
        case = story(pid, VOLUNTEER_CASES)
        add(pid, CaseItem.Source.NOMINATED, CASES[case].reason, who("volunteer"), case)
    if state.last_meeting:
        for pid in sorted(state.last_people):
            n = state.still_open(pid, day)
            if n and len(picks) < 2:
                reason = (
                    f"{_plural(n, 'action')} from the MDT on {_england(state.last_meeting)} "
                    "still open"
                )
                # The same story as last time: the meeting follows it up.
                add(pid, CaseItem.Source.CARRIED, reason, chair, state.cases[pid])
    for pid in people:
        if len(picks) >= 4:
            break
        since = max(
            at - dt.timedelta(days=LOOKBACK_DAYS),
            _at(state.discussed[pid]) if pid in state.discussed else at - dt.timedelta(days=999),
        )
        visits = hospital.get(pid, [])
        recent = visits[bisect_left(visits, (since,)) : bisect_left(visits, (at,))]
        if recent and pid not in state.last_people:
            # Acute hospital detail is kept apart from the reason everyone invited sees:
            # the gate shows it only to attendees whose role may see it.
            add(
                pid,
                CaseItem.Source.SUGGESTED,
                SUGGESTED,
                chair,
                story(pid, HOSPITAL_CASES),
                hospital=_hospital_reason(recent, since, pid in state.discussed),
            )
    for pid in people:
        if len(picks) >= 5:
            break
        for received, closed, moves in requests.get(pid, ()):
            open_days = (at - received).days
            if (
                open_days >= STUCK_DAYS
                and moves >= 2
                and (closed is None or closed > at)
                and pid not in state.last_people
            ):
                reason = f"Request for help open {open_days} days with {_plural(moves, 'hand-off')}"
                add(pid, CaseItem.Source.SUGGESTED, reason, chair, story(pid))
                break
    pool = [p for p in people[:60] if p not in state.last_people and p not in taken]
    rng.shuffle(pool)
    for pid in pool:
        if len(picks) >= wanted:
            break
        case = story(pid)
        add(pid, CaseItem.Source.NOMINATED, CASES[case].reason, who(CASES[case].nominated_by), case)
    return picks


def _past_meeting(
    team: Team,
    title: str,
    day: dt.date,
    chair: _Who,
    team_staff: dict[str, _Who],
    invitees: list[meeting_actions.Invitee],
    previous: Meeting | None,
    *,
    picks: list[_Pick],
    goals: dict[int, int],
    last: bool,
    state: _History,
    rng: random.Random,
    now: dt.datetime,
) -> Meeting:
    """One finished meeting, as the chair would have run it, then moved back to its day."""
    at = _at(day)
    meeting = meeting_actions.schedule_meeting(
        team_id=team.id,
        title=title,
        starts_at=at,
        chair=chair.invitee,
        invitees=invitees,
        virtual=bool(day.month % 2),
        where="Microsoft Teams (link in the invitation)"
        if day.month % 2
        else "Meeting room 2, Bilston Health Centre",
        every=Meeting.Every.MONTHLY,
        follows=previous,
        by=chair.by,
    )
    items = []
    for pick in picks:
        item = meeting_actions.add_to_case_list(
            meeting_id=meeting.id,
            person_id=pick.person_id,
            reason=pick.reason,
            source=pick.source,
            on_agenda=True,
            hospital_reason=pick.hospital_reason,
            by=pick.by.by,
        )
        items.append((item, pick))
        state.cases[pick.person_id] = pick.case  # reached or not, this is their story now
    if rng.random() < 0.4 and len(picks) > 6:
        # The chair ran out of time for the last person: "not reached", suggested next time.
        items = items[:-1]
    clock = at + dt.timedelta(minutes=5)
    state.last_people = set()
    for item, pick in items:
        discussion, decisions, agreed = _what_was_said(
            CASES[pick.case], state.discussed.get(pick.person_id)
        )
        if pick.source == CaseItem.Source.CARRIED and state.last_meeting:
            discussion = (
                f"Open actions from {_england(state.last_meeting)} gone through first. "
                + discussion
            )
        meeting_actions.record_discussion(
            item_id=item.id,
            discussion=discussion,
            decisions=decisions,
            finished=True,
            by=chair.by,
        )
        minutes = min(18, max(5, round(rng.gauss(10, 2.5))))
        started, clock = clock, clock + dt.timedelta(minutes=minutes, seconds=rng.randrange(60))
        CaseItem.objects.filter(id=item.id).update(
            nominated_at=at - dt.timedelta(days=rng.randint(2, 20), hours=rng.randint(0, 8)),
            started_at=started,
            ended_at=clock,
        )
        for username, what, due_days in agreed:
            lead = team_staff.get(username, chair)
            due = day + dt.timedelta(days=due_days)
            done = _done_at(day, due, last=last, rng=rng, now=now)
            _action(item, pick.person_id, what, lead, chair, due, done, clock, goals)
            state.actions[pick.person_id].append((due, done))
        state.discussed[pick.person_id] = day
        state.cases[pick.person_id] = pick.case
        state.last_people.add(pick.person_id)
    invitations = list(meeting.invitations.all())
    present = {
        i.id
        for i in invitations
        if i.staff_id == chair.staff.id or rng.random() < (0.8 if i.guest else 0.85)
    }
    meeting_actions.record_attendance(meeting_id=meeting.id, present=present, by=chair.by)
    meeting_actions.finish_meeting(meeting_id=meeting.id, by=chair.by)
    Meeting.objects.filter(id=meeting.id).update(
        created_at=at - dt.timedelta(days=28),
        started_at=at,
        finished_at=clock + dt.timedelta(minutes=5),
    )
    state.last_meeting = day
    return meeting


def _what_was_said(
    case: Case, before: dt.date | None
) -> tuple[str, str, tuple[tuple[str, str, int], ...]]:
    """The notes, decisions and actions: the story the first time, then how it went since."""
    if before is None:
        return case.discussion, case.decisions, case.actions
    since = f"Following up the MDT on {_england(before)}."
    return (
        f"{since} {case.follow_up}",
        f"{since} {case.follow_up_decisions}",
        case.follow_up_actions,
    )


def _done_at(
    day: dt.date, due: dt.date, *, last: bool, rng: random.Random, now: dt.datetime
) -> dt.datetime | None:
    """Most actions done on time, some late, some still open (more of the last meeting's).

    Done in working hours, from the day after the meeting; an action "done" after now is open.
    """
    roll = rng.random()
    if roll < (0.45 if last else 0.05):
        return None
    if roll < 0.8:
        done_on = day + dt.timedelta(days=rng.randint(1, max(1, (due - day).days)))
    else:
        done_on = due + dt.timedelta(days=rng.randint(2, 21))
    done = timezone.make_aware(
        dt.datetime.combine(done_on, dt.time(rng.randint(9, 16), rng.randrange(60)))
    )
    return done if done < now else None


def _action(
    item: CaseItem,
    person_id: int,
    what: str,
    lead: _Who,
    chair: _Who,
    due: dt.date,
    done: dt.datetime | None,
    agreed_at: dt.datetime,
    goals: dict[int, int],
) -> None:
    """A plan action agreed at the meeting (recorded by the chair) and, if done, marked done
    by its lead; each write's time is moved back to when it happened."""
    goal_id = goals.get(person_id) if item.id % 2 else None
    action = plan_actions.add_plan_action(
        person_id=person_id,
        what=what,
        owner=lead.owner,
        due_on=due,
        status=ActionStatus.TO_DO,
        goal_id=goal_id,
        meeting_item_id=item.id,
        by=chair.writer,
    )
    if lead.staff.role == "voluntary_worker":
        # As through the gate: a lead who does not work with the person is named as working
        # with them, so the action reaches them (volunteers count referrals, not postcodes).
        Assignment.objects.get_or_create(
            staff=lead.staff,
            person_id=person_id,
            ended_at=None,
            defaults={"role_in_care": f"Leads an action agreed at the MDT on {_england(due)}"},
        )
    versions = PlanVersion.objects.filter(person_id=person_id, part=f"action:{action.id}")
    versions.update(recorded_at=agreed_at)
    stamp = {"created_at": agreed_at, "recorded_at": agreed_at}
    if done is not None:
        plan_actions.update_plan_action(
            person_id=person_id,
            action_id=action.id,
            what=what,
            owner=lead.owner,
            due_on=due,
            status=ActionStatus.DONE,
            goal_id=goal_id,
            by=lead.writer,
        )
        versions.filter(recorded_at__gt=agreed_at).update(recorded_at=done)
        stamp = {"created_at": agreed_at, "recorded_at": done, "done_at": done}
    PlanAction.objects.filter(id=action.id).update(**stamp)


def _upcoming_meeting(
    team: Team,
    title: str,
    starts_at: dt.datetime,
    chair: _Who,
    team_staff: dict[str, _Who],
    invitees: list[meeting_actions.Invitee],
    previous: Meeting | None,
    people: list[int],
    state: _History,
    volunteer_people: list[int],
    rng: random.Random,
    now: dt.datetime,
    sexes: dict[int, str],
) -> Meeting:
    """The next meeting of the series, planned: three people on the agenda, two nominations
    waiting for the chair. Suggestions (open actions, hospital visits, stuck requests) are
    the gate's to make when the chair opens it."""
    meeting = meeting_actions.schedule_meeting(
        team_id=team.id,
        title=title,
        starts_at=starts_at,
        chair=chair.invitee,
        invitees=invitees,
        every=Meeting.Every.MONTHLY,
        where="Meeting room 2, Bilston Health Centre",
        follows=previous,
        by=chair.by,
    )
    if previous is not None:
        Meeting.objects.filter(id=meeting.id).update(created_at=previous.starts_at)
    assigned: dict[int, list[str]] = defaultdict(list)
    ids = {w.staff.id: u for u, w in team_staff.items()}
    for staff_id, pid in (
        Assignment.objects.filter(staff_id__in=list(ids), person_id__in=people, ended_at=None)
        .order_by("id")
        .values_list("staff_id", "person_id")
    ):
        assigned[pid].append(ids[staff_id])
    fresh = [p for p in people if p not in state.last_people]
    chosen = list(dict.fromkeys([*volunteer_people[:1], *[p for p in fresh if assigned[p]]]))
    chosen += [p for p in fresh[:80] if p not in chosen]
    told: list[int] = []
    for n, pid in enumerate(chosen[:5]):
        known = state.cases.get(pid)
        told.append(
            known if known is not None else _case(rng, range(len(CASES)), sexes.get(pid), told)
        )
        case = CASES[told[-1]]
        usernames = [u for u in assigned[pid] if u != "volunteer"] or assigned[pid]
        nominator = team_staff.get(usernames[0] if usernames else case.nominated_by, chair)
        item = meeting_actions.add_to_case_list(
            meeting_id=meeting.id,
            person_id=pid,
            reason=case.reason,
            source=CaseItem.Source.NOMINATED,
            on_agenda=n < 3,
            by=nominator.by,
        )
        CaseItem.objects.filter(id=item.id).update(
            nominated_at=now - dt.timedelta(days=rng.randint(1, 12), hours=rng.randint(0, 8))
        )
    return meeting
