"""Issue 9, findings 5 and 9: the subject access report was incomplete and spoke in codes.

It scanned only the last 5,000 export rows and left out searches; it was keyed by an internal
record number and showed usernames and raw codes (``direct_care``, ``voluntary_worker``); and
audit pages showed stewards category names the agreement withholds from them ("withheld:
hiv"). Now every audit row that showed a person is indexed per person, and the report lists
them all in plain words.
"""

import csv
import datetime as dt
import io
import re
import zoneinfo

import pytest
from django.urls import reverse
from django.utils import timezone

from factories import make_person, make_staff, make_team
from wraparound.governance import access
from wraparound.governance.models import AuditEntry

pytestmark = pytest.mark.django_db
LONDON = zoneinfo.ZoneInfo("Europe/London")


@pytest.fixture
def scene():
    team = make_team("North", ["WV10"])
    nurse = make_staff(
        role="clinician", teams=[team], username="jo.b", first_name="Jo", last_name="Baker"
    )
    volunteer = make_staff(
        role="voluntary_worker", teams=[team], username="ben.v", first_name="Ben", last_name="Vale"
    )
    steward = make_staff(
        role="data_steward", username="priya", first_name="Priya", last_name="Shah"
    )
    person = make_person(
        given_name="Margaret", family_name="Shaw", nhs="9434765919", postcode="WV10 6QH"
    )
    other = make_person(given_name="Albert", family_name="Jones", postcode="WV10 6QH")
    return nurse, volunteer, steward, person, other


def _entry(user, action, at=None, **values) -> AuditEntry:
    staff = user.staff
    return AuditEntry.objects.create(
        at=at or timezone.now(),
        user_id=user.pk,
        username=user.username,
        role=staff.role,
        organisation=staff.organisation.name,
        action=action,
        **values,
    )


def test_searches_and_old_exports_are_in_the_report(scene):
    nurse, volunteer, steward, person, other = scene
    old = timezone.now() - dt.timedelta(days=400)
    _entry(nurse, "export", at=old, detail={"what": "caseload", "person_ids": [person.id]})
    _entry(volunteer, "search", query="smith 1942", detail={"results": [other.id, person.id]})
    # 5,100 later exports that do not name her: the old report looked at the last 5,000 only.
    AuditEntry.objects.bulk_create(
        [
            AuditEntry(
                at=timezone.now(),
                username="jo.b",
                action="export",
                detail={"what": "caseload", "person_ids": [other.id]},
            )
            for _ in range(5100)
        ]
    )
    access.open_record(viewer=nurse, person_id=person.id, purpose="direct_care", ip=None)
    report = access.access_report_for_person(
        viewer=steward, ip=None, nhs_number="943 476 5919", whole=True
    )
    whats = [r.what for r in report.rows]
    assert whats == [
        "Opened the record",
        "Listed in search results for 'smith 1942'",
        "Exported in a caseload list",
    ]
    assert report.total == 3
    assert AuditEntry.objects.filter(action="access_report", person_id=person.id).count() == 1


def test_the_report_speaks_plainly(scene):
    nurse, volunteer, steward, person, _ = scene
    at = dt.datetime(2026, 3, 3, 14, 5, tzinfo=LONDON)
    _entry(nurse, "view_person", at=at, person_id=person.id, purpose="direct_care")
    _entry(volunteer, "search", at=at, query="margaret", detail={"results": [person.id]})
    report = access.access_report_for_person(
        viewer=steward, ip=None, name="margaret SHAW", date_of_birth=dt.date(1942, 3, 3)
    )
    rows = {r.staff_name: r for r in report.rows}
    assert set(rows) == {"Jo Baker", "Ben Vale"}
    jo, ben = rows["Jo Baker"], rows["Ben Vale"]
    assert jo.when == "3 March 2026, 14:05"
    assert jo.role_label == "Clinician (GP, nurse, therapist)"
    assert jo.why == "Direct care"
    assert ben.role_label == "Voluntary sector worker"
    assert ben.what == "Listed in search results for 'margaret'"
    for row in report.rows:
        words = " ".join([row.when, row.staff_name, row.role_label, row.what, row.why])
        assert "_" not in words, words


def test_the_steward_finds_the_person_without_a_record_number(scene, client):
    nurse, _, steward, person, _ = scene
    access.open_record(viewer=nurse, person_id=person.id, purpose="home visit", ip=None)
    client.force_login(steward)
    url = reverse("steward:access_report")
    html = client.get(url, {"nhs_number": "943 476 5919"}).content.decode()
    assert "Margaret Shaw" in html and "Opened the record" in html and "Jo Baker" in html
    html = client.get(url, {"name": "Margaret Shaw", "date_of_birth": "3/3/1942"}).content.decode()
    assert "Opened the record" in html and "home visit" in html
    response = client.get(url, {"name": "Margaret Shaw"})
    assert response.status_code == 400
    make_person(given_name="Margaret", family_name="Shaw", postcode="WV14 2AB")
    response = client.get(url, {"name": "Margaret Shaw", "date_of_birth": "3 March 1942"})
    assert response.status_code == 400
    assert "More than one person matches" in response.content.decode()
    assert "record number" not in client.get(url).content.decode().lower()


def test_every_row_on_pages_and_all_of_them_in_the_download(scene, client):
    nurse, _, steward, person, _ = scene
    start = timezone.now() - dt.timedelta(days=1)
    for i in range(120):
        _entry(
            nurse,
            "search",
            at=start + dt.timedelta(minutes=i),
            query=f'=HYPERLINK("http://x") {i}',
            detail={"results": [person.id]},
        )
    first = access.access_report_for_person(viewer=steward, ip=None, person_id=person.id)
    assert (first.total, first.pages, len(first.rows)) == (120, 3, 50)
    last = access.access_report_for_person(viewer=steward, ip=None, person_id=person.id, page=3)
    assert last.total == 121  # the first report is itself a row about her
    assert len(last.rows) == 21
    client.force_login(steward)
    response = client.get(
        reverse("steward:access_report"), {"nhs_number": "9434765919", "download": "csv"}
    )
    assert response["Content-Type"].startswith("text/csv")
    body = b"".join(response.streaming_content).decode()
    rows = list(csv.reader(io.StringIO(body)))
    data = rows[3:]
    assert len(data) == 122  # 120 searches and the two reports before this one
    assert sum(row[4].startswith("Listed in search results") for row in data) == 120
    assert all(not cell.startswith("=") for row in rows for cell in row)
    assert data[-1][1] == "Jo Baker" and data[0][1] == "Priya Shah"


def test_audit_pages_never_name_categories_the_steward_may_not_see(scene, client):
    nurse, _, steward, person, _ = scene
    _entry(
        nurse,
        "view_person",
        person_id=person.id,
        purpose="direct_care",
        detail={
            "access": "caseload",
            "shown_partners": ["gp"],
            "withheld": ["partner:sexual_health", "generic"],
            "withheld_categories": ["hiv", "sexual_health", "gender_identity"],
        },
    )
    client.force_login(steward)
    pages = [
        client.get(reverse("steward:audit"), {"person_id": person.id}).content.decode(),
        client.get(reverse("steward:access_report"), {"person_id": person.id}).content.decode(),
    ]
    rows = access.search_audit(viewer=steward, ip=None, person_id=person.id)
    assert "some information withheld (3 items)" in rows[-1].shown
    assert "some information withheld (3 items)" in pages[0]
    for html in pages + [r.shown for r in rows]:
        for name in ("hiv", "sexual.health", "gender.identity", "sexual health clinic"):
            assert not re.search(rf"\b{name}\b", html, re.IGNORECASE), name


def test_history_under_a_record_number_since_joined_to_the_person_is_included(scene):
    from wraparound.identity.models import PersonChange

    nurse, _, steward, person, other = scene
    _entry(nurse, "view_person", person_id=other.id, purpose="direct_care")
    PersonChange.objects.create(kind="merged", from_person_id=other.id, to_person_id=person.id)
    report = access.access_report_for_person(viewer=steward, ip=None, person_id=person.id)
    assert [r.person_id for r in report.rows] == [other.id]
