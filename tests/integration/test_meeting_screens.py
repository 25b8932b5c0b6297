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
    assert re.search(r'id="timer-text">Discussed in (less than a minute|[1-9]\d* min)<', page)
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


# --- red team fixes (issue 12) ----------------------------------------------------------------


def _two_meetings(client, north) -> types.SimpleNamespace:
    """Meeting A next week (planned), meeting B now, under way, with Ivy on its agenda and a
    nomination of Nora waiting for its chair."""
    a = _schedule(client, north, starts=timezone.now() + dt.timedelta(days=7))
    b = _schedule(client, north)
    client.post(f"/meetings/{b}/suggestions/{north.people.review.id}/accept/")
    _as(client, north.staff.social).post(
        f"/meetings/{b}/nominate/",
        {"person_id": north.people.nominee.id, "reason": "Carer struggling since the fall"},
    )
    _as(client, north.staff.chair).post(f"/meetings/{b}/start/")
    on_agenda = CaseItem.objects.get(meeting_id=b, person_id=north.people.review.id)
    waiting = CaseItem.objects.get(meeting_id=b, person_id=north.people.nominee.id)
    return types.SimpleNamespace(a=a, b=b, on_agenda=on_agenda, waiting=waiting)


def test_an_item_of_another_meeting_is_refused_through_this_meetings_addresses(client, north):
    """Each button's address names the meeting: an item of meeting B sent through meeting A's
    addresses changes nothing, whichever of the chair's buttons it is."""
    m = _two_meetings(client, north)
    wrong = f"/meetings/{m.a}"
    before = AuditEntry.objects.filter(action="meeting_view").count()
    responses = [
        client.post(f"{wrong}/items/{m.waiting.id}/decide/", {"on_agenda": "yes"}),
        client.post(f"{wrong}/items/{m.on_agenda.id}/move/", {"direction": "down"}),
        client.post(f"{wrong}/people/{m.on_agenda.id}/start/"),
        client.post(
            f"{wrong}/people/{m.on_agenda.id}/discussion/",
            {"discussion": "Wrong meeting", "decisions": "Wrong meeting", "next": "1"},
        ),
    ]
    assert [r.status_code for r in responses] == [404] * 4
    m.waiting.refresh_from_db()
    m.on_agenda.refresh_from_db()
    assert m.waiting.status == "proposed"
    assert (m.on_agenda.status, m.on_agenda.started_at, m.on_agenda.decisions) == (
        "agenda",
        None,
        "",
    )
    assert not PlanAction.objects.exists()
    assert AuditEntry.objects.filter(action="meeting_view").count() == before
    # Through its own meeting's address the same button works.
    client.post(f"/meetings/{m.b}/items/{m.waiting.id}/decide/", {"on_agenda": "yes"})
    m.waiting.refresh_from_db()
    assert m.waiting.status == "agenda"


def test_only_the_chair_is_offered_cancel_and_cancelling_asks_first(client, north):
    meeting_id = _schedule(client, north, starts=timezone.now() + dt.timedelta(days=7))
    url = f"/meetings/{meeting_id}/"
    # A team member standing in may run the meeting, but only its chair cancels it.
    social_page = _text(_as(client, north.staff.social).get(url))
    assert 'id="start-meeting"' in social_page and 'id="cancel-meeting"' not in social_page
    assert client.post(url + "cancel/").status_code == 404
    assert client.post(url + "cancel/", {"confirm": "yes"}).status_code == 404
    assert Meeting.objects.get(id=meeting_id).status == "planned"

    _as(client, north.staff.chair)
    assert 'id="cancel-meeting"' in _text(client.get(url))
    asked = client.post(url + "cancel/")
    assert asked.status_code == 200
    page = _text(asked)
    assert "Yes, cancel the meeting" in page and 'name="confirm" value="yes"' in page
    assert f'href="{url}" id="keep-meeting"' in page
    assert Meeting.objects.get(id=meeting_id).status == "planned"
    done = client.post(url + "cancel/", {"confirm": "yes"})
    assert done.status_code == 302
    assert Meeting.objects.get(id=meeting_id).status == "cancelled"
    page = _text(client.get(url))
    assert "The meeting has been cancelled." in page
    assert "minutes" not in page.lower().replace("minutes each", "")
    listing = _text(client.get("/meetings/"))
    assert f"/meetings/{meeting_id}/minutes/" not in listing


def test_someone_there_only_through_the_meeting_is_not_offered_the_record(client, north):
    """The volunteer sees Nora in meeting mode, but has no relationship to open her record:
    the page offers no link the gate would refuse (and audit as a refusal)."""
    m = _ready(client, north)
    client.post(f"/meetings/{m.meeting_id}/start/")
    url = f"/meetings/{m.meeting_id}/people/{m.nominee.id}/"
    person = north.people.nominee.id
    assert f'href="/people/{person}/plan/"' in _text(client.get(url))  # the chair may open it
    _as(client, north.staff.volunteer)
    refusals = AuditEntry.objects.filter(action__in=("refused", "access_denied"))
    before = refusals.count()
    page = _text(client.get(url))
    assert "Nora Nominee" in page
    assert "Open the whole plan" not in page and f'href="/people/{person}/' not in page
    assert refusals.count() == before


def test_the_minutes_read_well_and_say_the_meeting_finished(client, north):
    m = _ready(client, north)
    client.post(f"/meetings/{m.meeting_id}/start/")
    url = f"/meetings/{m.meeting_id}/people/{m.nominee.id}/"
    client.post(url + "start/")
    client.post(url + "discussion/", {"decisions": "Joint visit.", "next": "1"})
    page = _text(client.get(url))
    assert "Discussed in less than a minute" in page and "0 min" not in page
    CaseItem.objects.filter(id=m.nominee.id).update(reason="Missed two appointments.")
    finished = client.post(f"/meetings/{m.meeting_id}/finish/", follow=True)
    minutes = _text(finished)
    assert "The meeting has finished." in minutes
    assert "Missed two appointments." in minutes and ".." not in minutes
    assert "Discussed for less than a minute." in minutes
    assert "0 minutes" not in minutes


def test_the_impact_page_says_the_waits_in_words(client, north):
    m = _ready(client, north)
    client.post(f"/meetings/{m.meeting_id}/start/")
    client.post(
        f"/meetings/{m.meeting_id}/people/{m.first.id}/discussion/",
        {"decisions": "Joint visit", "next": "1"},
    )
    client.post(f"/meetings/{m.meeting_id}/finish/")
    page = _text(client.get("/team/mdt/impact/"))
    words = re.sub(r"<[^>]+>", "", page)
    assert "The shortest wait was 0 days" in words and "longest 0 days" in words
    assert " ," not in words and "days (median)" not in words


@pytest.mark.parametrize(
    ("url", "data", "django", "ours"),
    [
        (
            "new",
            {"title": "x" * 5000},
            "Ensure this value has at most",
            "The name of the meeting must be 200 characters or fewer",
        ),
        (
            "new",
            {"title": "North\x00MDT"},
            "Null characters are not allowed",
            "Name of the meeting: remove the hidden character",
        ),
        (
            "new",
            {"where": "Room\x002"},
            "Null characters are not allowed",
            "remove the hidden character",
        ),
        (
            "new",
            {"guest_name_1": "y" * 400},
            "Ensure this value has at most",
            "Guest 1: name must be 300 characters or fewer",
        ),
        (
            "nominate",
            {"person_id": "0", "reason": "Falls"},
            "Ensure this value is greater than or equal to 1",
            "Choose the person to nominate",
        ),
        (
            "nominate",
            {"person_id": "1", "reason": "Falls\x00"},
            "Null characters are not allowed",
            "remove the hidden character",
        ),
    ],
)
def test_form_errors_are_in_our_words_not_djangos(client, north, url, data, django, ours):
    if url == "new":
        response = _as(client, north.staff.chair).post(
            "/meetings/new/", _schedule_post(north, timezone.now(), **data)
        )
    else:
        meeting_id = _schedule(client, north)
        response = client.post(f"/meetings/{meeting_id}/nominate/", data)
    assert response.status_code == 400
    page = _text(response)
    assert "There is a problem" in page and ours in page
    assert django not in page and "This field is required" not in page


def test_discussion_errors_are_in_our_words(client, north):
    m = _ready(client, north)
    client.post(f"/meetings/{m.meeting_id}/start/")
    url = f"/meetings/{m.meeting_id}/people/{m.first.id}/"
    bad = client.post(url + "discussion/", {"discussion": "Falls\x00", "decisions": "Visit"})
    assert bad.status_code == 400
    page = _text(bad)
    assert "Notes of the discussion: remove the hidden character" in page
    assert "Null characters" not in page
    long = client.post(url + "actions/", {"what": "z" * 5000, "lead": north.staff.social.staff.id})
    assert long.status_code == 400 and "Ensure this value" not in _text(long)


def test_the_nomination_reason_box_stops_where_the_server_does(client, north):
    """The server keeps a reason of up to 2,000 characters: the box stops there, on the
    meeting page and on the person page, and a longer one is refused in our words."""
    m = _ready(client, north)
    client.post(f"/meetings/{m.meeting_id}/start/")
    _as(client, north.staff.social)
    meeting_page = _text(client.get(f"/meetings/{m.meeting_id}/?q=Olive+Other"))
    assert re.search(r'<textarea[^>]*name="reason"[^>]*maxlength="2000"', meeting_page)
    person_page = _text(client.get(f"/people/{north.people.other.id}/"))
    assert re.search(r'<textarea[^>]*id="nominate-reason"[^>]*maxlength="2000"', person_page)
    too_long = client.post(
        f"/meetings/{m.meeting_id}/nominate/",
        {"person_id": north.people.other.id, "reason": "w" * 2001},
    )
    assert too_long.status_code == 400
    assert "Keep the reason under 2,000 characters" in _text(too_long)
    assert not CaseItem.objects.filter(person_id=north.people.other.id).exists()


def test_moving_in_a_direction_that_is_not_up_or_down_is_refused(client, north):
    m = _ready(client, north)
    response = client.post(
        f"/meetings/{m.meeting_id}/items/{m.nominee.id}/move/", {"direction": "sideways"}
    )
    assert response.status_code == 400
    page = _text(response)
    assert "Choose to move the person up or down the agenda" in page
    assert "The agenda order has been changed." not in page
    order = list(
        CaseItem.objects.filter(meeting_id=m.meeting_id)
        .order_by("position")
        .values_list("id", flat=True)
    )
    assert order == [m.first.id, m.nominee.id]


def test_the_chair_is_chosen_from_the_team_only(client, north):
    """Other teams' staff and other organisations' guests may be invited, not chair; nor may
    a member of the team whose role does not run meetings (a volunteer)."""
    page = _text(_as(client, north.staff.chair).get("/meetings/new/"))
    chair_select = re.search(r'<select[^>]*name="chair".*?</select>', page)[0]
    assert f'value="{north.staff.volunteer.staff.id}"' not in chair_select
    north.staff.volunteer.staff.teams.set([north.south])
    page = _text(_as(client, north.staff.chair).get("/meetings/new/"))
    chair_select = re.search(r'<select[^>]*name="chair".*?</select>', page)[0]
    for member in (north.staff.chair, north.staff.social, north.staff.absent):
        assert f'value="{member.staff.id}"' in chair_select
    for outsider in (north.staff.south, north.staff.volunteer):
        assert f'value="{outsider.staff.id}"' not in chair_select
        assert f'id="invite-{outsider.staff.id}"' in page  # still invited as a guest
    assert not re.search(r" ,|, ,", chair_select)
