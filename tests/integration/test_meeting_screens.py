"""The MDT meeting screens (issue 12): each page renders for the right people and refuses the
others, and each form's errors come back on the form, NHS.UK style.

Expectations come from the issue, not the code: team members with a practitioner's role
schedule meetings and see suggestions with plain reasons; the chair orders the agenda; any team
member nominates with a reason, and a person who objected to sharing only with the tick that
they agreed; invited staff open a person in meeting mode, each seeing what their own role
allows, every look audited as a meeting view; actions have a lead; the minutes list decisions
and actions; the next meeting opens with the open actions.
"""

from __future__ import annotations

import datetime as dt
import re
import types

import pytest
from django.utils import timezone

from factories import (
    add_to_caseload,
    make_event,
    make_organisation,
    make_person,
    make_source_record,
    make_staff,
    make_team,
    set_sharing,
)
from wraparound.governance.models import AuditEntry
from wraparound.meetings.models import CaseItem, Invitation, Meeting
from wraparound.plans.models import PlanAction, PlanDetails

pytestmark = pytest.mark.django_db

GP_TEXT = "Blood pressure reviewed at home by the practice nurse"
VOLUNTARY_TEXT = "Befriending visit: enjoyed the lunch club"


@pytest.fixture
def north():
    team = make_team("North neighbourhood team", ["WV10"])
    south = make_team("South neighbourhood team", ["WV1"])
    gp = make_organisation("Oak Tree Surgery", "gp")
    council = make_organisation("City Council", "adult_social_care")
    volunteers = make_organisation("Neighbourhood Volunteers", "voluntary")
    staff = types.SimpleNamespace(
        chair=make_staff(
            role="clinician", teams=[team], organisation=gp, first_name="Jo", last_name="Baker"
        ),
        social=make_staff(
            role="social_worker",
            teams=[team],
            organisation=council,
            first_name="Sam",
            last_name="Patel",
        ),
        absent=make_staff(
            role="clinician", teams=[team], organisation=gp, first_name="Ann", last_name="Idle"
        ),
        volunteer=make_staff(
            role="voluntary_worker", organisation=volunteers, first_name="Ben", last_name="Hughes"
        ),
        south=make_staff(role="clinician", teams=[south], organisation=gp, first_name="Ola"),
        reception=make_staff(role="receptionist", teams=[team], first_name="Rita"),
    )
    people = types.SimpleNamespace(
        review=make_person(given_name="Ivy", family_name="Review", postcode="WV10 6QH"),
        other=make_person(given_name="Olive", family_name="Other", postcode="WV10 6QH"),
        nominee=make_person(given_name="Nora", family_name="Nominee", postcode="WV10 6QH"),
        objector=make_person(given_name="Otto", family_name="Objector", postcode="WV10 6QH"),
    )
    for person in vars(people).values():
        add_to_caseload(team, person)
    # A plan review a month overdue: the reason the software should give for Ivy.
    PlanDetails.objects.create(
        person_id=people.review.id,
        review_on=timezone.localdate() - dt.timedelta(days=30),
        recorded_by="test",
        recorded_at=timezone.now(),
    )
    PlanDetails.objects.create(
        person_id=people.other.id,
        review_on=timezone.localdate() - dt.timedelta(days=3),
        recorded_by="test",
        recorded_at=timezone.now(),
    )
    set_sharing(people.objector, objects_to_sharing=True)
    gp_record = make_source_record(source="gp", person=people.nominee)
    make_event(gp_record, kind="consultation", summary=GP_TEXT, occurred_at=_ago(days=2))
    vol_record = make_source_record(source="voluntary", partner="voluntary", person=people.nominee)
    make_event(vol_record, kind="contact", summary=VOLUNTARY_TEXT, occurred_at=_ago(days=4))
    return types.SimpleNamespace(team=team, south=south, staff=staff, people=people)


def _ago(**kw) -> dt.datetime:
    return timezone.now() - dt.timedelta(**kw)


def _as(client, user):
    client.force_login(user)
    return client


def _schedule_post(north, starts: dt.datetime, **extra) -> dict:
    local = timezone.localtime(starts)
    data = {
        "team": north.team.id,
        "title": "North MDT",
        "day": str(local.day),
        "month": str(local.month),
        "year": str(local.year),
        "time": f"{local:%H:%M}",
        "minutes_per_person": "10",
        "place": "in_person",
        "where": "Room 2, Oak Tree Surgery",
        "every": "monthly",
        "chair": north.staff.chair.staff.id,
        "invited": [north.staff.social.staff.id, north.staff.absent.staff.id],
        "guest_name_1": "Hana Hospice",
        "guest_organisation_1": "St Mary's Hospice",
    }
    data.update(extra)
    return data


def _schedule(client, north, starts=None, **extra) -> int:
    starts = starts or timezone.now() + dt.timedelta(minutes=30)
    response = _as(client, north.staff.chair).post(
        "/meetings/new/", _schedule_post(north, starts, **extra)
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return int(re.search(r"/meetings/(\d+)/", response["Location"])[1])


def _text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


# --- the list and the header ----------------------------------------------------------------


def test_the_list_offers_scheduling_to_practitioners_in_a_team(client, north):
    page = _text(_as(client, north.staff.chair).get("/meetings/"))
    assert "Schedule a meeting" in page
    assert ">MDT meetings</a>" in page  # the header link


def test_a_volunteer_sees_meetings_but_may_not_schedule(client, north):
    volunteer = north.staff.volunteer
    volunteer.staff.teams.set([north.team])
    response = _as(client, volunteer).get("/meetings/")
    assert response.status_code == 200
    assert "Schedule a meeting" not in _text(response)
    assert client.get("/meetings/new/").status_code == 404


def test_a_receptionist_has_no_meetings(client, north):
    _as(client, north.staff.reception)
    assert client.get("/meetings/").status_code == 404
    assert "MDT meetings</a>" not in _text(client.get("/requests/"))


# --- scheduling -----------------------------------------------------------------------------


def test_the_schedule_form_starts_from_the_team_and_its_chair(client, north):
    page = _text(_as(client, north.staff.chair).get("/meetings/new/"))
    assert 'value="North neighbourhood team MDT"' in page or "North" in page
    chair_id = north.staff.chair.staff.id
    assert re.search(rf'<option value="{chair_id}" selected>Jo Baker', page)
    # The team is invited unless untaken: its members' boxes are ticked.
    social = north.staff.social.staff.id
    assert re.search(
        rf'id="invite-{social}" name="invited" type="checkbox" value="{social}" checked', page
    )
    assert "This team" in page


def test_scheduling_a_meeting_with_invited_staff_and_a_guest(client, north):
    meeting_id = _schedule(client, north)
    meeting = Meeting.objects.get(id=meeting_id)
    assert (meeting.title, meeting.every, meeting.minutes_per_person) == (
        "North MDT",
        "monthly",
        10,
    )
    assert meeting.chair_name == "Jo Baker"
    names = set(Invitation.objects.filter(meeting=meeting).values_list("name", "guest"))
    assert {("Jo Baker", False), ("Sam Patel", False), ("Hana Hospice", True)} <= names
    page = _text(client.get(f"/meetings/{meeting_id}/"))
    assert "The meeting has been scheduled." in page
    assert "Room 2, Oak Tree Surgery" in page and "Hana Hospice" in page


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"day": "", "month": "", "year": ""}, "Enter the date of the meeting"),
        (
            {"day": "31", "month": "2", "year": "2027"},
            "The date of the meeting must be a real date",
        ),
        ({"time": "25:99"}, "Enter the time the meeting starts, for example 10:00"),
        ({"minutes_per_person": "1"}, "Give each person at least 3 minutes"),
        ({"title": ""}, "Enter a name for the meeting"),
        ({"guest_name_1": ""}, "Enter the name of guest 1"),
        ({"chair": ""}, "Choose who chairs the meeting"),
        ({"invited": ["999999"]}, "Choose people to invite from the list"),
        ({"place": "on the moon"}, "Choose in person or virtual"),
        ({"every": "hourly"}, "Choose how often it repeats"),
    ],
)
def test_schedule_errors_come_back_on_the_form_and_nothing_is_saved(client, north, change, message):
    data = _schedule_post(north, timezone.now() + dt.timedelta(hours=1), **change)
    response = _as(client, north.staff.chair).post("/meetings/new/", data)
    assert response.status_code == 400
    page = _text(response)
    assert "There is a problem" in page and message in page
    assert "<title>Error: " in page
    assert Meeting.objects.count() == 0


def test_choosing_another_team_offers_that_teams_members(client, north):
    chair = north.staff.chair
    chair.staff.teams.add(north.south)
    south_member = north.staff.south.staff.id
    _as(client, chair)
    page = _text(client.get("/meetings/new/"))
    assert "Choose this team" in page
    response = client.post("/meetings/new/", {"team": north.south.id, "change_team": "1"})
    assert response.status_code == 200
    page = _text(response)
    assert re.search(
        rf'id="invite-{south_member}" name="invited" type="checkbox" value="{south_member}" checked',
        page,
    )
    assert Meeting.objects.count() == 0


def test_a_chair_from_another_team_is_refused_by_the_form(client, north):
    data = _schedule_post(north, timezone.now(), chair=north.staff.south.staff.id)
    response = _as(client, north.staff.chair).post("/meetings/new/", data)
    assert response.status_code == 400
    assert Meeting.objects.count() == 0


# --- the meeting page -----------------------------------------------------------------------


def test_the_chair_sees_suggestions_with_plain_reasons_and_accepts_one(client, north):
    meeting_id = _schedule(client, north)
    page = _text(client.get(f"/meetings/{meeting_id}/"))
    assert "Suggested for discussion" in page
    assert "Ivy Review" in page and "Plan review overdue" in page
    # A person who objected to sharing is never suggested.
    assert "Otto Objector" not in page
    response = client.post(f"/meetings/{meeting_id}/suggestions/{north.people.review.id}/accept/")
    assert response.status_code == 302
    item = CaseItem.objects.get(meeting_id=meeting_id, person_id=north.people.review.id)
    assert (item.status, item.source) == ("agenda", "suggested")
    page = _text(client.get(f"/meetings/{meeting_id}/"))
    assert "Added to the agenda." in page
    assert re.search(r'id="agenda-list".*Ivy Review', page)
    assert "About 1 person, 10 minutes each, ends about" in page


def test_a_team_member_nominates_with_a_reason_and_the_chair_decides(client, north):
    meeting_id = _schedule(client, north)
    _as(client, north.staff.social)
    page = _text(client.get(f"/meetings/{meeting_id}/?q=Nora+Nominee"))
    assert "Nominate someone" in page and f'id="nominate-{north.people.nominee.id}"' in page
    missing = client.post(
        f"/meetings/{meeting_id}/nominate/", {"person_id": north.people.nominee.id, "reason": ""}
    )
    assert missing.status_code == 400
    assert "Enter why the team should discuss them" in _text(missing)
    response = client.post(
        f"/meetings/{meeting_id}/nominate/",
        {"person_id": north.people.nominee.id, "reason": "Carer struggling since the fall"},
    )
    assert response.status_code == 302
    item = CaseItem.objects.get(meeting_id=meeting_id, person_id=north.people.nominee.id)
    assert item.status == "proposed"
    _as(client, north.staff.chair)
    page = _text(client.get(f"/meetings/{meeting_id}/"))
    assert "Nominations waiting for the chair" in page and "Carer struggling since the fall" in page
    client.post(f"/meetings/{meeting_id}/items/{item.id}/decide/", {"on_agenda": "yes"})
    item.refresh_from_db()
    assert item.status == "agenda"


def test_a_person_who_objected_is_nominated_only_with_their_agreement(client, north):
    meeting_id = _schedule(client, north)
    _as(client, north.staff.social)
    url = f"/meetings/{meeting_id}/nominate/"
    person = north.people.objector.id
    refused = client.post(url, {"person_id": person, "reason": "Lives alone, falls", "q": "Otto"})
    assert refused.status_code == 400
    assert "objected to sharing" in _text(refused)
    assert not CaseItem.objects.filter(person_id=person).exists()
    agreed = client.post(
        url, {"person_id": person, "reason": "Lives alone, falls", "agreed_to_discussion": "on"}
    )
    assert agreed.status_code == 302
    assert CaseItem.objects.get(person_id=person).agreed_to_discussion is True


def test_moving_a_person_up_changes_the_agenda_order_shown(client, north):
    """The chair's "Move up" moves the person above the one shown before them, even when a
    nomination waiting for the chair sits between them on the case list."""
    meeting_id = _schedule(client, north)
    client.post(f"/meetings/{meeting_id}/suggestions/{north.people.review.id}/accept/")
    _as(client, north.staff.social).post(
        f"/meetings/{meeting_id}/nominate/",
        {"person_id": north.people.nominee.id, "reason": "Waiting for the chair"},
    )
    _as(client, north.staff.chair)
    client.post(f"/meetings/{meeting_id}/suggestions/{north.people.other.id}/accept/")
    page = _text(client.get(f"/meetings/{meeting_id}/"))
    agenda = page[page.index('id="agenda-list"') : page.index('id="nominations"')]
    assert agenda.index("Ivy Review") < agenda.index("Olive Other")
    other = CaseItem.objects.get(meeting_id=meeting_id, person_id=north.people.other.id)
    client.post(f"/meetings/{meeting_id}/items/{other.id}/move/", {"direction": "up"})
    page = _text(client.get(f"/meetings/{meeting_id}/"))
    agenda = page[page.index('id="agenda-list"') : page.index('id="nominations"')]
    assert agenda.index("Olive Other") < agenda.index("Ivy Review")


def test_another_teams_member_and_the_uninvited_are_refused(client, north):
    meeting_id = _schedule(client, north)
    assert _as(client, north.staff.south).get(f"/meetings/{meeting_id}/").status_code == 404
    assert client.get("/meetings/999999/").status_code == 404
    assert _as(client, north.staff.volunteer).get(f"/meetings/{meeting_id}/").status_code == 404


# --- meeting mode ---------------------------------------------------------------------------


def _ready(client, north) -> types.SimpleNamespace:
    """A meeting under way with Ivy (suggested) and Nora (nominated, accepted) on the agenda,
    and the volunteer invited from another organisation."""
    meeting_id = _schedule(
        client,
        north,
        invited=[
            north.staff.social.staff.id,
            north.staff.absent.staff.id,
            north.staff.volunteer.staff.id,
        ],
    )
    client.post(f"/meetings/{meeting_id}/suggestions/{north.people.review.id}/accept/")
    _as(client, north.staff.social).post(
        f"/meetings/{meeting_id}/nominate/",
        {"person_id": north.people.nominee.id, "reason": "Carer struggling since the fall"},
    )
    nominee = CaseItem.objects.get(meeting_id=meeting_id, person_id=north.people.nominee.id)
    _as(client, north.staff.chair).post(
        f"/meetings/{meeting_id}/items/{nominee.id}/decide/", {"on_agenda": "yes"}
    )
    first = CaseItem.objects.get(meeting_id=meeting_id, person_id=north.people.review.id)
    return types.SimpleNamespace(meeting_id=meeting_id, first=first, nominee=nominee)


def test_the_schedule_form_offers_staff_of_other_organisations(client, north):
    north.staff.volunteer.staff.teams.set([north.south])
    page = _text(_as(client, north.staff.chair).get("/meetings/new/"))
    assert "Other organisations" in page or "Ben Hughes" in page


def test_running_the_meeting_with_the_timer_actions_and_minutes(client, north):
    m = _ready(client, north)
    response = client.post(f"/meetings/{m.meeting_id}/start/")
    assert response["Location"] == f"/meetings/{m.meeting_id}/people/{m.first.id}/"
    page = _text(client.get(response["Location"]))
    assert "1 of 2" in page and "Ivy Review" in page
    assert "Start discussing" in page and "data-seconds-left" not in page
    client.post(f"/meetings/{m.meeting_id}/people/{m.first.id}/start/")
    page = _text(client.get(f"/meetings/{m.meeting_id}/people/{m.first.id}/"))
    left = int(re.search(r'data-seconds-left="(-?\d+)"', page)[1])
    assert 590 <= left <= 600
    assert re.search(r'id="timer-text">(9 min \d+ s|10 min 0 s) left<', page)
    assert 'aria-live="polite"' in page and "meeting-timer.js" in page

    # An action needs a lead; then it is in the person's plan with that lead.
    bad = client.post(
        f"/meetings/{m.meeting_id}/people/{m.first.id}/actions/", {"what": "Joint visit"}
    )
    assert bad.status_code == 400 and "Choose who leads the action" in _text(bad)
    lead = north.staff.social.staff.id
    due = timezone.localdate() + dt.timedelta(days=7)
    ok = client.post(
        f"/meetings/{m.meeting_id}/people/{m.first.id}/actions/",
        {"what": "Joint visit with the district nurse", "lead": lead, "due_on": f"{due:%d/%m/%Y}"},
    )
    assert ok.status_code == 302
    action = PlanAction.objects.get(meeting_item_id=m.first.id)
    assert (action.person_id, action.due_on) == (north.people.review.id, due)
    page = _text(client.get(f"/meetings/{m.meeting_id}/people/{m.first.id}/"))
    assert "Joint visit with the district nurse" in page and "Sam Patel" in page

    saved = client.post(
        f"/meetings/{m.meeting_id}/people/{m.first.id}/discussion/",
        {
            "discussion": "Falls twice this month",
            "decisions": "Joint visit; review the plan",
            "next_item": m.nominee.id,
            "next": "1",
        },
    )
    assert saved["Location"] == f"/meetings/{m.meeting_id}/people/{m.nominee.id}/"
    m.first.refresh_from_db()
    assert m.first.status == "discussed"
    # Back on the meeting page, meeting mode resumes at the first person not yet discussed.
    page = _text(client.get(f"/meetings/{m.meeting_id}/"))
    assert f'href="/meetings/{m.meeting_id}/people/{m.nominee.id}/" id="meeting-mode"' in page

    present = Invitation.objects.filter(meeting_id=m.meeting_id).exclude(
        staff_id=north.staff.absent.staff.id
    )
    client.post(
        f"/meetings/{m.meeting_id}/attendance/",
        {"present": [i.id for i in present]},
    )
    finished = client.post(f"/meetings/{m.meeting_id}/finish/")
    assert finished["Location"] == f"/meetings/{m.meeting_id}/minutes/"
    minutes = _text(client.get(finished["Location"]))
    assert "Joint visit; review the plan" in minutes
    assert "Joint visit with the district nurse" in minutes and "Sam Patel" in minutes
    assert re.search(r'id="minutes-apologies">.*Ann Idle', minutes)
    assert re.search(r'id="minutes-not-reached">.*Nora Nominee', minutes)

    # The next meeting opens with the open action.
    page = _text(client.get(f"/meetings/{m.meeting_id}/"))
    next_id = int(re.search(r'href="/meetings/(\d+)/" id="next-meeting"', page)[1])
    upcoming = _text(client.get(f"/meetings/{next_id}/"))
    assert re.search(r'id="open-actions-table".*Joint visit with the district nurse', upcoming)


def test_saved_notes_come_back_in_the_form_and_survive_a_second_save(client, north):
    m = _ready(client, north)
    client.post(f"/meetings/{m.meeting_id}/start/")
    url = f"/meetings/{m.meeting_id}/people/{m.first.id}/"
    client.post(url + "discussion/", {"discussion": "Falls twice this month", "decisions": ""})
    page = _text(client.get(url))
    assert re.search(r'<textarea[^>]*id="id_discussion"[^>]*>Falls twice this month<', page)


def test_a_person_discussed_shows_it_instead_of_a_timer(client, north):
    m = _ready(client, north)
    client.post(f"/meetings/{m.meeting_id}/start/")
    url = f"/meetings/{m.meeting_id}/people/{m.first.id}/"
    client.post(url + "start/")
    client.post(url + "discussion/", {"decisions": "Joint visit", "next": "1"})
    page = _text(client.get(url))
    assert re.search(r'id="timer-text">Discussed in \d+ min<', page)
    assert "data-seconds-left" not in page and "Start discussing" not in page
    finishing = client.post(url + "discussion/", {"decisions": "", "next": "1"})
    assert finishing.status_code == 400  # a person's turn ends with what was decided
    assert "There is a problem" in _text(finishing)


def test_every_look_in_meeting_mode_is_audited_as_a_meeting_view(client, north):
    m = _ready(client, north)
    client.post(f"/meetings/{m.meeting_id}/start/")
    before = AuditEntry.objects.filter(action="meeting_view", person_id=north.people.review.id)
    count = before.count()
    _as(client, north.staff.volunteer).get(f"/meetings/{m.meeting_id}/people/{m.first.id}/")
    rows = AuditEntry.objects.filter(action="meeting_view", person_id=north.people.review.id)
    assert rows.count() == count + 1
    assert rows.order_by("-id").first().username == north.staff.volunteer.username


def test_a_volunteer_guest_sees_only_what_a_volunteer_may(client, north):
    m = _ready(client, north)
    client.post(f"/meetings/{m.meeting_id}/start/")
    url = f"/meetings/{m.meeting_id}/people/{m.nominee.id}/"
    nurse_page = _text(client.get(url))
    assert GP_TEXT in nurse_page
    _as(client, north.staff.volunteer)
    meeting_page = _text(client.get(f"/meetings/{m.meeting_id}/"))
    assert 'id="meeting-mode"' in meeting_page and "Start the meeting" not in meeting_page
    response = client.get(url)
    assert response.status_code == 200
    page = _text(response)
    assert "Nora Nominee" in page and VOLUNTARY_TEXT in page
    assert GP_TEXT not in page
    # A guest looks; only the chair records.
    assert 'id="discussion-form"' not in page and 'id="action-form"' not in page
    assert client.post(f"/meetings/{m.meeting_id}/start/").status_code == 404


def test_meeting_mode_is_refused_to_those_not_invited(client, north):
    m = _ready(client, north)
    client.post(f"/meetings/{m.meeting_id}/start/")
    url = f"/meetings/{m.meeting_id}/people/{m.first.id}/"
    assert _as(client, north.staff.south).get(url).status_code == 404
    assert _as(client, north.staff.reception).get(url).status_code == 404


def test_meeting_mode_is_closed_before_the_meeting_day(client, north):
    meeting_id = _schedule(client, north, starts=timezone.now() + dt.timedelta(days=7))
    client.post(f"/meetings/{meeting_id}/suggestions/{north.people.review.id}/accept/")
    item = CaseItem.objects.get(meeting_id=meeting_id)
    assert client.get(f"/meetings/{meeting_id}/people/{item.id}/").status_code == 404
    started = client.post(f"/meetings/{meeting_id}/start/", follow=True)
    assert "on its day only" in _text(started)


# --- the person page ------------------------------------------------------------------------


def test_the_person_page_offers_nomination_and_says_when_they_were_discussed(client, north):
    m = _ready(client, north)
    client.post(f"/meetings/{m.meeting_id}/start/")
    page = _text(client.get(f"/people/{north.people.other.id}/"))
    assert "Nominate for an MDT meeting" in page and "North MDT, " in page
    response = client.post(
        f"/people/{north.people.other.id}/nominate/",
        {"meeting": m.meeting_id, "reason": "Lonely since her husband died"},
    )
    assert response.status_code == 302
    assert CaseItem.objects.filter(person_id=north.people.other.id, status="proposed").exists()
    empty = client.post(
        f"/people/{north.people.other.id}/nominate/",
        {"meeting": m.meeting_id, "reason": ""},
        follow=True,
    )
    assert "Enter why the team should discuss them" in _text(empty)

    client.post(
        f"/meetings/{m.meeting_id}/people/{m.first.id}/discussion/",
        {"discussion": "", "decisions": "Joint visit agreed", "next": "1"},
    )
    client.post(f"/meetings/{m.meeting_id}/finish/")
    page = _text(client.get(f"/people/{north.people.review.id}/"))
    day = timezone.localtime(Meeting.objects.get(id=m.meeting_id).starts_at)
    assert f"Discussed at the MDT on {day.day} {day:%B %Y}" in page
    assert "Joint visit agreed" in page
