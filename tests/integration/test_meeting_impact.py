"""The MDT's impact page (issue 12, item 5): figures recounted by hand, edge cases, access.

Meetings, case list items, plan actions and hospital events are made through the meetings and
plans actions (and the factories for partner records), at known dates relative to today; the
expected figures are written out by hand below, from those dates, not worked out by
``meetings.impact``. Only the timestamps the actions stamp with "now" (when a nomination was made,
when an action was done) are set afterwards, as a past meeting's would have been.
"""

from __future__ import annotations

import datetime as dt
import re
import statistics
from collections import defaultdict

import pytest
from django.urls import reverse

from factories import make_person, make_source_record, make_staff, make_team, set_sharing
from meeting_history import ELECTIVE, EMERGENCY, TODAY, Builder, ago, agree_action, at, encounter
from wraparound.governance import access
from wraparound.governance.models import AuditEntry
from wraparound.meetings import actions as meetings
from wraparound.meetings.models import CaseItem

pytestmark = pytest.mark.django_db

URL = reverse("record:meeting_impact")


@pytest.fixture
def world():
    north = make_team("North", ["WV10"])
    south = make_team("South", ["WV11"])
    nurse = make_staff(role="clinician", teams=[north], first_name="Nia", last_name="Okafor")
    south_nurse = make_staff(role="clinician", teams=[south])
    people = {f"P{i}": make_person(given_name=f"Pat{i}", index=False) for i in range(1, 10)}
    acute = {
        name: make_source_record(source="acute", partner="acute", person=p)
        for name, p in people.items()
    }
    community = make_source_record(source="community", partner="community", person=people["P3"])
    set_sharing(people["P8"], objects_to_sharing=True)
    p = people
    b = Builder(north, nurse)
    d1, d2, d3 = ago(200), ago(120), ago(30)
    m1, i1 = b.meeting(
        d1, [p["P1"], p["P2"], p["P3"]], waited={p["P1"]: 3, p["P2"]: 10}, not_reached=[p["P9"]]
    )
    m2, i2 = b.meeting(
        d2, [p["P1"], p["P4"], p["P5"], p["P6"], p["P8"]], waited={p["P4"]: 21, p["P5"]: 0}
    )
    m3, i3 = b.meeting(d3, [p["P7"], p["P2"]], waited={p["P7"]: 14})
    # Discussed, then the meeting was cancelled: nothing of it counts.
    b.meeting(ago(60), [p["P9"]], finish=False)
    meetings.cancel_meeting(meeting_id=CaseItem.objects.latest("id").meeting_id, by=b.by)
    # Another team's meeting about the same people: never on North's page.
    sb = Builder(south, south_nurse)
    _, si = sb.meeting(ago(150), [p["P1"], p["P3"]])
    agree_action(si[p["P1"]], due_on=ago(140), done_at=at(ago(139)), status="done")

    # Actions: the state of each is written beside it.
    agree_action(
        i1[p["P1"]], due_on=d1 + dt.timedelta(14), done_at=at(d1 + dt.timedelta(10)), status="done"
    )  # on time
    agree_action(
        i1[p["P2"]],
        due_on=d1 + dt.timedelta(14),
        done_at=at(d1 + dt.timedelta(14), 23, 30),
        status="done",
    )  # on time, late evening of the day due
    agree_action(
        i1[p["P3"]],
        due_on=d1 + dt.timedelta(14),
        done_at=at(d1 + dt.timedelta(15), 0, 30),
        status="done",
    )  # late: just after midnight, local time
    agree_action(
        i1[p["P3"]], due_on=None, done_at=at(d1 + dt.timedelta(3)), status="done"
    )  # done, no due date
    agree_action(
        i2[p["P4"]], due_on=d2 + dt.timedelta(7), done_at=at(d2 + dt.timedelta(20)), status="done"
    )  # late
    agree_action(i2[p["P5"]], due_on=d2 + dt.timedelta(7))  # open, overdue
    agree_action(i2[p["P6"]], due_on=d2 + dt.timedelta(7), status="not_needed")  # no longer needed
    agree_action(i3[p["P7"]], due_on=TODAY() + dt.timedelta(10))  # open, not yet due
    agree_action(i3[p["P7"]], due_on=None)  # open, no due date

    # Hospital events around each person's FIRST discussion (P1: d1, P4: d2).
    r = acute
    encounter(r["P1"], "A&E attendance", d1 - dt.timedelta(10))  # before
    encounter(r["P1"], "A&E attendance", d1 - dt.timedelta(90))  # before (first day of 90)
    encounter(r["P1"], "A&E attendance", d1 - dt.timedelta(91))  # outside
    encounter(r["P1"], "A&E attendance", d1)  # the day itself: neither
    encounter(r["P1"], "A&E attendance", d1 + dt.timedelta(10))  # after
    encounter(r["P1"], "A&E attendance", d1 + dt.timedelta(90))  # after (last day of 90)
    encounter(r["P1"], "A&E attendance", d1 + dt.timedelta(91))  # outside
    encounter(r["P1"], "Admission", d1 - dt.timedelta(5), code=EMERGENCY)  # before
    encounter(r["P1"], "Admission", d1 + dt.timedelta(20), code=ELECTIVE)  # planned: not counted
    encounter(r["P1"], "Admission", d1 + dt.timedelta(25))  # uncoded: not counted
    encounter(r["P1"], "A&E attendance", d1 + dt.timedelta(5), category="mental_health")  # never
    encounter(r["P1"], "Outpatient attendance", d1 + dt.timedelta(6))  # not emergency care
    encounter(r["P2"], "Admission", d1 + dt.timedelta(30), code=EMERGENCY)  # after
    encounter(r["P4"], "A&E attendance", d2 - dt.timedelta(1))  # before
    encounter(r["P7"], "A&E attendance", d3 + dt.timedelta(5))  # not yet 90 days: excluded
    encounter(r["P8"], "A&E attendance", d2 + dt.timedelta(5))  # objected: left out
    encounter(community, "Admission", d1 + dt.timedelta(5), code=EMERGENCY)  # not an acute feed
    return {
        "north": north,
        "south": south,
        "nurse": nurse,
        "south_nurse": south_nurse,
        "people": people,
        "acute": acute,
        "days": (d1, d2, d3),
    }


def _figure(page: str, name: str) -> str:
    found = re.search(rf'data-figure="{name}">([^<]+)<', page)
    assert found, name
    return found.group(1).strip()


def _monthly(page: str, key: str) -> list[tuple[str, float, int]]:
    start = page.index(f'data-chart="{key}"')
    table = page[start : page.index("</table>", start)]
    return [
        (m, float(v), int(c))
        for m, v, c in re.findall(
            r'data-month="([\d-]+)" data-value="([^"]+)" data-count="(\d+)"', table
        )
    ]


def _months(first: dt.date, this_month: dt.date) -> list[str]:
    out, month = [], first.replace(day=1)
    while month < this_month:
        out.append(f"{month:%Y-%m}")
        month = (month + dt.timedelta(days=32)).replace(day=1)
    return out


def test_headline_figures_match_a_recount_by_hand(client, world):
    client.force_login(world["nurse"])
    page = client.get(URL).content.decode()
    # Meetings 1, 2 and 3 (the cancelled one never counts); people P1 to P8; 3 + 5 + 2 talks.
    assert _figure(page, "meetings") == "3"
    assert _figure(page, "people") == "8"
    assert _figure(page, "discussions") == "10"
    # Days waited, one per discussion: m1 3, 10, 7; m2 7, 21, 0, 7, 7; m3 14, 7.
    waits = [3, 10, 7, 7, 21, 0, 7, 7, 14, 7]
    assert _figure(page, "wait_median") == "7"
    assert statistics.median(waits) == 7
    assert (_figure(page, "wait_shortest"), _figure(page, "wait_longest")) == ("0", "21")
    assert _figure(page, "actions") == "9"
    expected = {
        "on_time": 2,
        "late": 2,
        "done_no_date": 1,
        "overdue": 1,
        "not_yet_due": 1,
        "open_no_date": 1,
        "not_needed": 1,
    }
    shown = dict(re.findall(r'data-action="(\w+)" data-count="(\d+)"', page))
    assert {k: int(v) for k, v in shown.items()} == expected
    assert "22%" in page  # 2 of 9 on time


def test_hospital_use_before_and_after_matches_a_recount_by_hand(client, world):
    client.force_login(world["nurse"])
    page = client.get(URL).content.decode()
    # Followed up: P1 to P6 (first discussed 200 or 120 days ago); not P7 (30 days ago), not P8
    # (objected to sharing), not P9 (never discussed by a meeting that counts).
    assert _figure(page, "hospital_people") == "6"
    rows = dict(
        (event, (int(b), int(a)))
        for event, b, a in re.findall(
            r'data-event="(\w+)" data-before="(\d+)" data-after="(\d+)"', page
        )
    )
    # A&E: P1 day -10 and -90, P4 day -1 before; P1 day +10 and +90 after.
    # Emergency admissions: P1 day -5 before; P2 day +30 after.
    assert rows == {"attendances": (3, 2), "admissions": (1, 1)}
    # 3 among 6 people: 50.0 per 100; exact Poisson 95% for 3 is 0.619 to 8.767 → /6 × 100.
    assert "3: 50.0 per 100 people (10.3 to 146.1)" in page
    # Change in A&E: (2 - 3) / 6 × 100 = -16.7, ± 1.96 × √5 / 6 × 100 = ± 73.0.
    assert "-16.7 per 100 people (-89.7 to 56.4)" in page
    assert "1 person who objected to sharing their records is left out" in page
    assert "regression to the mean" in page
    assert "not proof" in page


def test_monthly_series_match_a_recount_by_hand(client, world):
    client.force_login(world["nurse"])
    page = client.get(URL).content.decode()
    d1, d2, d3 = world["days"]
    this_month = TODAY().replace(day=1)
    people: dict[str, set[str]] = defaultdict(set)
    for day, names in (
        (d1, {"P1", "P2", "P3"}),
        (d2, {"P1", "P4", "P5", "P6", "P8"}),
        (d3, {"P7", "P2"}),
    ):
        people[f"{day:%Y-%m}"] |= names
    months = _months(d1, this_month)
    assert _monthly(page, "people") == [
        (m, float(len(people.get(m, ()))), len(people.get(m, ()))) for m in months
    ]
    # On time, by the month actions fell due: three due d1+14 (2 on time), two due d2+7
    # (late, overdue); the not needed one and those without a due date are left out.
    due = [(d1 + dt.timedelta(14), 2, 3), (d2 + dt.timedelta(7), 0, 2)]
    assert _monthly(page, "on_time") == [
        (f"{day:%Y-%m}", 100.0 * good / n, n) for day, good, n in due if day < this_month
    ]
    waits = {d1: [3, 10, 7], d2: [7, 21, 0, 7, 7], d3: [14, 7]}
    assert _monthly(page, "waits") == [
        (f"{day:%Y-%m}", float(statistics.median(w)), len(w))
        for day, w in waits.items()
        if day < this_month
    ]
    assert "spc-people" in page and "<svg" in page
    assert "target" not in page.lower().replace("no targets", "")
    assert not re.search(r"\b(red|amber|green)\b", page.lower())


def test_the_view_is_audited_and_other_teams_see_only_their_own(client, world):
    client.force_login(world["nurse"])
    assert client.get(URL).status_code == 200
    row = AuditEntry.objects.filter(username=world["nurse"].username).latest("id")
    assert row.action == AuditEntry.Action.EXPORT
    assert row.detail["what"] == "meeting_impact"
    assert row.detail["team_id"] == world["north"].id
    client.force_login(world["south_nurse"])
    assert client.get(f"{URL}?team={world['north'].id}").status_code == 403
    refused = AuditEntry.objects.filter(username=world["south_nurse"].username).latest("id")
    assert refused.action == AuditEntry.Action.REFUSED
    south = client.get(URL).content.decode()
    # South discussed 2 people once, followed up fewer than 5: the hospital counts are withheld.
    assert _figure(south, "people") == "2"
    assert 'id="hospital-withheld"' in south and 'data-event="' not in south


@pytest.mark.parametrize("role", ["receptionist", "administrator", "data_steward"])
def test_roles_without_record_access_or_a_team_are_refused(client, world, role):
    teams = [world["north"]] if role != "data_steward" else []
    user = make_staff(role=role, teams=teams)
    client.force_login(user)
    response = client.get(URL)
    assert response.status_code == 403
    assert b"data-figure" not in response.content
    refused = AuditEntry.objects.filter(username=user.username).latest("id")
    assert refused.action == AuditEntry.Action.REFUSED


def test_a_team_with_no_meetings_gets_a_plain_page(client, db):
    team = make_team("East", ["WV12"])
    nurse = make_staff(role="clinician", teams=[team])
    client.force_login(nurse)
    response = client.get(URL)
    assert response.status_code == 200
    page = response.content.decode()
    assert "No meetings yet" in page
    assert "data-figure" not in page and "<svg" not in page


def test_a_merged_person_is_counted_once_with_the_events_of_both_records(client, db):
    team = make_team("North", ["WV10"])
    nurse = make_staff(role="clinician", teams=[team])
    steward = make_staff(role="data_steward")
    kept = make_person(given_name="Edith", family_name="Crane", nhs="9434765919")
    gone = make_person(given_name="Edith", family_name="Crane", nhs="9434765919")
    make_source_record(source="gp", partner="gp", person=kept)
    make_source_record(source="acute", partner="acute", person=kept)
    gone_acute = make_source_record(source="acute2", partner="acute", person=gone)
    others = [make_person(given_name=f"Other{i}", index=False) for i in range(4)]
    b = Builder(team, nurse)
    d_kept, d_gone = ago(200), ago(120)
    b.meeting(d_kept, [kept, *others])
    b.meeting(d_gone, [gone])
    # 20 days after Edith's first discussion, 60 days before the second record's discussion.
    encounter(gone_acute, "A&E attendance", d_kept + dt.timedelta(20))

    def shown():
        page = access.open_meeting_impact(viewer=nurse, ip=None)
        h = page.hospital
        return (
            page.people_discussed,
            h.people,
            h.attendances_before.events,
            (h.attendances_after.events),
        )

    # Before the merge: two people, the attendance is "before" the second one's discussion.
    assert shown() == (6, 6, 1, 0)
    survivor = access.merge_people(
        viewer=steward,
        person_id=kept.id,
        other_person_id=gone.id,
        reason="same NHS Number",
        ip=None,
    )
    assert set(
        CaseItem.objects.filter(person_id__in=[kept.id, gone.id]).values_list(
            "person_id", flat=True
        )
    ) == {survivor}
    # After: one person, followed from her first discussion, the attendance 20 days after it.
    assert shown() == (5, 5, 0, 1)


def test_discussions_less_than_90_days_ago_are_left_out_of_the_after_counts(db):
    team = make_team("North", ["WV10"])
    nurse = make_staff(role="clinician", teams=[team])
    people = [make_person(given_name=f"Pat{i}", index=False) for i in range(5)]
    records = [make_source_record(source="acute", partner="acute", person=p) for p in people]
    Builder(team, nurse).meeting(ago(90), people)  # day 90 after is today: not over yet
    for r in records:
        encounter(r, "A&E attendance", ago(1))
    page = access.open_meeting_impact(viewer=nurse, ip=None)
    assert page.hospital.people == 0 and not page.hospital.shown
    later = access.open_meeting_impact(viewer=nurse, ip=None, today=TODAY() + dt.timedelta(1))
    assert later.hospital.people == 5
    assert later.hospital.attendances_after.events == 5
