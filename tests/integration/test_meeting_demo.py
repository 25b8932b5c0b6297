"""``make demo``'s MDT meetings (issue 12, item 6): past meetings with minutes and actions, and
an upcoming one with a case list, so a new user can rehearse a meeting.

The world here is built with the factories (not ``demo_setup``), so each expectation is about
what the demo must give a team, whatever else the demo loads: counts come from the brief (about
eight months of monthly meetings, six to nine people each, one meeting in the next week).
"""

import datetime as dt
import re

import pytest
from django.utils import timezone

from factories import assign, make_event, make_person, make_source_record, make_staff, make_team
from wraparound.governance.models import Assignment, Staff
from wraparound.identity.models import Person
from wraparound.meetings.demo import load_demo_meetings
from wraparound.meetings.models import CaseItem, Invitation, Meeting
from wraparound.plans.models import PlanAction

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 3, 3)  # a Tuesday: past meetings fall on the first Thursday of each month


@pytest.fixture
def world():
    north = make_team("North Neighbourhood Team", ["WV10"])
    south = make_team("South Neighbourhood Team", ["WV14"])
    users = {
        "coordinator": make_staff(role="care_coordinator", teams=[north], username="coordinator"),
        "nurse": make_staff(role="clinician", teams=[north], username="nurse"),
        "socialworker": make_staff(role="social_worker", teams=[north], username="socialworker"),
        "gp": make_staff(role="clinician", teams=[north], username="gp"),
        "housing": make_staff(role="housing_officer", teams=[north], username="housing"),
        "volunteer": make_staff(role="voluntary_worker", teams=[north], username="volunteer"),
        "nurse.south": make_staff(role="clinician", teams=[south], username="nurse.south"),
        "steward": make_staff(role="data_steward", username="steward"),
    }
    north_people = [
        make_person(given_name=f"North{i}", family_name="Ash", postcode="WV10 6QH", index=False)
        for i in range(40)
    ]
    south_people = [
        make_person(given_name=f"South{i}", family_name="Elm", postcode="WV14 1AA", index=False)
        for i in range(20)
    ]
    # Hospital visits for some North people, spread over the demo's eight months.
    for n, person in enumerate(north_people[5:15]):
        record = make_source_record(source="acute", partner="acute", person=person)
        for visit in range(2):
            make_event(
                record,
                resource_type="Encounter",
                kind="A&E attendance" if visit else "Admission",
                summary="Fall at home",
                occurred_at=timezone.make_aware(
                    dt.datetime.combine(TODAY, dt.time(10))
                    - dt.timedelta(days=20 + n * 21 + visit * 5)
                ),
            )
    for person in north_people[:4]:
        assign(users["volunteer"], person, "Referred to the community link worker")
    for person in north_people[:12]:
        assign(users["nurse"], person, "District nurse")
    return {
        "teams": [north, south],
        "users": users,
        "staff_by_name": {u: user.staff for u, user in users.items()},
        "people_by_team": {
            north.id: [p.id for p in north_people],
            south.id: [p.id for p in south_people],
        },
    }


def _load(world, today=TODAY) -> int:
    return load_demo_meetings(
        teams=world["teams"],
        staff_by_name=world["staff_by_name"],
        people_by_team=world["people_by_team"],
        today=today,
    )


def test_demo_gives_each_team_finished_meetings_with_minutes_and_actions(world):
    assert _load(world) == 9 + 4  # North: 8 past and the next one; South: 3 and the next
    north, south = world["teams"]
    for team, past in ((north, 8), (south, 3)):
        finished = list(Meeting.objects.filter(team=team, status="finished").order_by("starts_at"))
        assert len(finished) == past
        # Monthly, each following the one before, all before today, oldest about 8 months ago.
        assert all(m.starts_at.date() < TODAY for m in finished)
        assert (TODAY - finished[0].starts_at.date()).days > 28 * (past - 1)
        for earlier, later in zip(finished, finished[1:], strict=False):
            assert later.follows_id == earlier.id
            assert 27 <= (later.starts_at - earlier.starts_at).days <= 36
        for meeting in finished:
            assert meeting.finished_at > meeting.started_at >= meeting.starts_at
            assert meeting.created_at < meeting.starts_at
            discussed = list(meeting.items.filter(status="discussed"))
            assert 5 <= len(discussed) <= 9
            for item in discussed:
                assert item.reason and item.discussion and item.decisions
                assert item.nominated_at < meeting.starts_at
                minutes = (item.ended_at - item.started_at).total_seconds() / 60
                assert 5 <= minutes <= 19
                assert PlanAction.objects.filter(meeting_item_id=item.id).exists()
            assert meeting.invitations.filter(attended=True).count() >= 1
            assert meeting.invitations.filter(attended__isnull=True).count() == 0
    north_meeting = Meeting.objects.filter(team=north, status="finished").first()
    assert north_meeting.chair_staff_id == world["staff_by_name"]["coordinator"].id
    invited = set(north_meeting.invitations.values_list("name", "organisation", "guest"))
    assert ("Carol Whitfield", "St Ann's Hospice", True) in invited
    organisations = {o for _, o, _ in invited}
    assert len(organisations) >= 4  # members from several organisations, and guests


def test_actions_have_real_leads_some_done_on_time_some_late_some_still_open(world):
    _load(world)
    actions = list(PlanAction.objects.filter(meeting_item_id__isnull=False))
    assert len(actions) >= 30
    staff_ids = set(Staff.objects.values_list("id", flat=True))
    items = {i.id: i for i in CaseItem.objects.select_related("meeting")}
    for action in actions:
        assert action.owner_kind == "staff" and action.owner_staff_id in staff_ids
        assert action.owner_name.startswith(
            Staff.objects.get(id=action.owner_staff_id).display_name
        )
        item = items[action.meeting_item_id]
        assert item.person_id == action.person_id
        meeting_day = timezone.localtime(item.meeting.starts_at).date()
        assert 1 <= (action.due_on - meeting_day).days <= 28
        assert timezone.localtime(action.created_at).date() == meeting_day
        if action.status == "done":
            assert action.done_at is not None
            assert timezone.localtime(action.done_at).date() > meeting_day
        else:
            assert action.done_at is None
    done = [a for a in actions if a.status == "done"]
    on_time = [a for a in done if timezone.localtime(a.done_at).date() <= a.due_on]
    late = [a for a in done if timezone.localtime(a.done_at).date() > a.due_on]
    still_open = [a for a in actions if a.status == "to_do"]
    assert len(on_time) > len(late) > 0 and still_open
    last = Meeting.objects.filter(team=world["teams"][0], status="finished").last()
    assert any(items[a.meeting_item_id].meeting_id == last.id for a in still_open)
    # Open actions sit on their lead's caseload: the demo gives the nurse some.
    nurse = world["staff_by_name"]["nurse"]
    assert any(a.owner_staff_id == nurse.id for a in still_open)


def test_an_upcoming_meeting_to_rehearse_with_nominations_and_an_agenda(world):
    _load(world)
    north = world["teams"][0]
    upcoming = Meeting.objects.get(team=north, status="planned")
    # Today (a fixed day in the test: at 13:30), so meeting mode can be rehearsed at once.
    assert timezone.localtime(upcoming.starts_at).date() == TODAY
    assert upcoming.every == "monthly"
    assert upcoming.follows == Meeting.objects.filter(team=north, status="finished").last()
    statuses = sorted(upcoming.items.values_list("status", flat=True))
    assert statuses == ["agenda"] * 3 + ["proposed"] * 2
    # Invited as before (the volunteer too), nobody marked present yet.
    volunteer = world["staff_by_name"]["volunteer"]
    assert upcoming.invitations.filter(staff_id=volunteer.id).exists()
    assert not upcoming.invitations.exclude(attended__isnull=True).exists()


def test_the_volunteer_is_invited_to_a_meeting_that_discussed_someone_they_support(world):
    _load(world)
    volunteer = world["staff_by_name"]["volunteer"]
    theirs = set(volunteer.assignments.values_list("person_id", flat=True))
    meetings = Invitation.objects.filter(staff_id=volunteer.id).values_list("meeting", flat=True)
    assert CaseItem.objects.filter(
        meeting__in=meetings, meeting__status="finished", status="discussed", person_id__in=theirs
    ).exists()


def test_people_with_hospital_visits_are_discussed_so_the_impact_has_figures(world):
    _load(world)
    reasons = list(
        CaseItem.objects.filter(status="discussed", source="suggested").values_list(
            "reason", "hospital_reason"
        )
    )
    assert any("A&E attendance" in h or "hospital admission" in h for _, h in reasons)
    # Acute detail never in the reason every attendee sees (a volunteer may not see it).
    assert not any("A&E" in r or "admission" in r for r, _ in reasons)


def test_a_person_who_objected_to_sharing_is_not_put_on_a_demo_case_list(world):
    from factories import set_sharing
    from wraparound.identity.models import Person

    objector = Person.objects.get(id=world["people_by_team"][world["teams"][0].id][0])
    set_sharing(objector, objects_to_sharing=True)
    _load(world)
    assert not CaseItem.objects.filter(person_id=objector.id).exists()


def test_demo_is_idempotent_and_deterministic(world):
    _load(world)
    first = (
        Meeting.objects.count(),
        CaseItem.objects.count(),
        Invitation.objects.count(),
        PlanAction.objects.count(),
    )
    snapshot = list(CaseItem.objects.order_by("id").values_list("person_id", "reason", "status"))
    assert _load(world) == 0
    assert _load(world, today=TODAY + dt.timedelta(days=40)) == 0
    assert (
        Meeting.objects.count(),
        CaseItem.objects.count(),
        Invitation.objects.count(),
        PlanAction.objects.count(),
    ) == first
    # Seeded: the same world gives the same case lists.
    Meeting.objects.all().delete()
    PlanAction.objects.filter(meeting_item_id__isnull=False).delete()
    # Leading an action made the volunteer work with the person: undone with the demo.
    Assignment.objects.filter(role_in_care__startswith="Leads an action agreed").delete()
    _load(world)
    again = list(CaseItem.objects.order_by("id").values_list("person_id", "reason", "status"))
    assert again == snapshot


def test_a_team_working_with_too_few_people_gets_no_demo_meetings(world):
    """A case list every month from four people would discuss them every month: no demo."""
    north, south = world["teams"]
    few = {north.id: world["people_by_team"][north.id][:4], south.id: []}
    assert (
        load_demo_meetings(
            teams=world["teams"],
            staff_by_name=world["staff_by_name"],
            people_by_team=few,
            today=TODAY,
        )
        == 0
    )
    assert not Meeting.objects.exists() and not PlanAction.objects.exists()


def test_demo_minutes_through_the_gate_name_leads_and_keep_hospital_detail_to_roles(world):
    """The minutes a new user opens: every person discussed, decisions, actions with leads; the
    A&E attendances behind a suggestion shown to the nurse (acute detail is hers to see), not
    to the invited volunteer (agreement: a voluntary worker sees voluntary sector detail only)."""
    from wraparound.governance import access

    _load(world)
    users = world["users"]
    north = world["teams"][0]
    with_hospital = set(
        CaseItem.objects.filter(meeting__team=north, meeting__status="finished", status="discussed")
        .exclude(hospital_reason="")
        .values_list("meeting_id", flat=True)
    )
    invited = set(
        Invitation.objects.filter(staff_id=users["volunteer"].staff.id).values_list(
            "meeting_id", flat=True
        )
    )
    meeting_id = min(with_hospital & invited)
    discussed = CaseItem.objects.filter(meeting_id=meeting_id, status="discussed").count()
    staff_ids = set(Staff.objects.values_list("id", flat=True))

    minutes = access.meeting_minutes(viewer=users["nurse"], ip=None, meeting_id=meeting_id)
    assert len(minutes.people) == discussed and minutes.present
    for person in minutes.people:
        assert person.item.decisions and person.actions
        assert all(a.lead and a.lead_staff_id in staff_ids and a.due_on for a in person.actions)
    assert any("A&E attendance" in p.item.reason for p in minutes.people)

    theirs = access.meeting_minutes(viewer=users["volunteer"], ip=None, meeting_id=meeting_id)
    # After the meeting the volunteer reads only the people they work with (named, or leading
    # an action for), and a count of the rest; no notes of an organisation their role does
    # not read (the chair's, a GP practice's).
    mine = set(users["volunteer"].staff.assignments.values_list("person_id", flat=True))
    assert theirs.people and {p.item.person_id for p in theirs.people} <= mine
    assert len(theirs.people) + theirs.withheld_people == discussed
    assert all(p.item.decisions == "" and p.discussion == "" for p in theirs.people)
    assert not any("A&E" in p.item.reason or "admission" in p.item.reason for p in theirs.people)


# --- red team fixes (issue 12): the stories fit the people, and follow on ------------------


def _discussed_by_person(team) -> dict[int, list[CaseItem]]:
    found: dict[int, list[CaseItem]] = {}
    for item in CaseItem.objects.filter(meeting__team=team, status="discussed").order_by(
        "meeting__starts_at"
    ):
        found.setdefault(item.person_id, []).append(item)
    return found


def test_demo_stories_are_told_only_about_people_aged_fifty_or_more(world):
    """A 7-year-old with a "PIN" and a friend handling her money, a 2-year-old with a syringe
    driver: the stories are about older adults, so children (and younger adults) are left out,
    even when they come first in the team's list and have hospital visits."""
    north = world["teams"][0]
    young = []
    for n, age in enumerate((2, 7, 10, 16, 25, 34, 49)):
        born = dt.date(TODAY.year - age, 1 + n, 10)
        person = make_person(
            given_name=f"Young{n}",
            family_name="Oak",
            postcode="WV10 6QH",
            date_of_birth=born,
            index=False,
        )
        record = make_source_record(source="acute", partner="acute", person=person)
        make_event(
            record,
            resource_type="Encounter",
            kind="A&E attendance",
            summary="Fall at home",
            occurred_at=timezone.make_aware(dt.datetime.combine(TODAY, dt.time(10)))
            - dt.timedelta(days=30 + n * 20),
        )
        young.append(person.id)
    assign(world["users"]["volunteer"], Person.objects.get(id=young[1]), "Link worker")
    world["people_by_team"][north.id] = young + world["people_by_team"][north.id]
    assert _load(world) == 9 + 4
    listed = set(CaseItem.objects.values_list("person_id", flat=True))
    assert listed and not listed & set(young)
    fifty = TODAY.replace(year=TODAY.year - 50)
    assert not Person.objects.filter(id__in=listed, date_of_birth__gt=fifty).exists()


def test_a_persons_decisions_do_not_repeat_word_for_word_from_meeting_to_meeting(world):
    _load(world)
    again = 0
    for items in _discussed_by_person(world["teams"][0]).values():
        decisions = [i.decisions for i in items]
        notes = [i.discussion for i in items]
        assert len(set(decisions)) == len(decisions), decisions
        assert len(set(notes)) == len(notes), notes
        again += len(items) > 1
    assert again >= 3  # people the team came back to, so the check above means something


def test_a_persons_story_stays_the_same_from_meeting_to_meeting(world):
    """A son one month must not be a daughter the next: whoever put the person forward, the
    reason given for them is the same story each time, and their notes name one family."""
    _load(world)
    north = world["teams"][0]
    told = {}
    for item in CaseItem.objects.filter(meeting__team=north, source="nominated"):
        told.setdefault(item.person_id, set()).add(item.reason)
    assert any(len(reasons) == 1 for reasons in told.values())
    assert all(len(reasons) == 1 for reasons in told.values()), told
    for items in _discussed_by_person(north).values():
        words = " ".join(i.discussion + " " + i.decisions for i in items).lower()
        assert not (re.search(r"\bson\b", words) and re.search(r"\bdaughter\b", words)), words
