"""Issue 9, findings 1 and 3: search listed people nobody had a reason to see.

Finding 1: 107 year searches (``/?q=1920`` ... ``/?q=2026``) listed 1,846 of 2,068 people,
827 of them outside the viewer's caseload, with name, date of birth, NHS Number and address.
Now someone the viewer does not work with is listed only on a strong identifying match (their
NHS Number, or full name with full date of birth), with just enough to ask for emergency
access; every person listed is recorded in the audit; listing many people in a short time
pauses searching and shows on the data steward's "Unusual searching" page.

Finding 3: a surname held only by the mental health trust found the person for the housing
officer (and an empty "Known to" gave it away).

Expectations come from the people each test makes (who is whose), not from the search code.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from factories import (
    add_to_caseload,
    assign,
    make_person,
    make_source,
    make_source_record,
    make_staff,
    make_team,
)
from wraparound.governance import access
from wraparound.governance.access.search import index_people
from wraparound.governance.models import AuditEntry, BreakGlass, PersonSearchIndex

pytestmark = pytest.mark.django_db

YEARS = range(1920, 2027)


@pytest.fixture
def town():
    """Ten people in the North team's postcode area, ten outside it, one of them assigned."""
    north = make_team("North", ["WV10"])
    make_team("South", ["WV1"])
    gp = make_source("gp")
    inside, outside = [], []
    for i in range(10):
        for bucket, postcode in (
            (inside, f"WV10 6Q{chr(65 + i)}"),
            (outside, f"WV1 1A{chr(65 + i)}"),
        ):
            person = make_person(
                given_name=f"Given{chr(65 + i)}",
                family_name=f"Family{chr(65 + i)}" + ("north" if bucket is inside else "south"),
                date_of_birth=dt.date(1920 + 10 * i, 1 + i, 1 + i),
                postcode=postcode,
                address=f"{i} Hidden Street",
            )
            make_source_record(source=gp, person=person)
            bucket.append(person)
    return north, inside, outside


def listed(viewer, query):
    return access.search_people(viewer=viewer, query=query, ip="10.0.0.9").results


@pytest.mark.parametrize("role", ["clinician", "voluntary_worker", "housing_officer"])
def test_year_searches_list_no_one_outside_the_viewers_relationships(town, role):
    """Finding 1 as the red team ran it: every year from 1920 to 2026."""
    north, inside, outside = town
    viewer = make_staff(role=role, teams=[north])
    seen = set()
    for year in YEARS:
        seen |= {r.person_id for r in listed(viewer, str(year))}
    assert seen.isdisjoint({p.id for p in outside})


@pytest.mark.parametrize(
    "query",
    [
        "WV1",  # district
        "WV1 1",  # sector
        "WV1 1AC",  # postcode
        "familycsouth",  # surname only
        "givenc",  # given name only
        "givenc familycsouth",  # full name, no date of birth
        "familycsouth 3/3/1940",  # surname and date of birth
        "givenc familycsouth 1940",  # full name and year only
        "givenc familycsout 3/3/1940",  # a typo is not a strong match
        "givenc familycsoth 3/3/1940",  # nor a sound-alike
    ],
)
def test_weak_searches_never_list_a_person_the_nurse_does_not_work_with(town, query):
    north, inside, outside = town
    nurse = make_staff(role="clinician", teams=[north])
    found = access.search_people(viewer=nurse, query=query, ip=None)
    listed = {r.person_id for r in found.results}
    # People in the nurse's own area may match by sound or first letters; no one else.
    assert listed <= {p.id for p in inside}
    assert found.total == len(listed) and not found.truncated


def test_a_stranger_is_listed_on_nhs_number_with_name_and_date_of_birth_only(town, client):
    north, _, outside = town
    nurse = make_staff(role="clinician", teams=[north], username="nurse.nia")
    stranger = outside[2]
    (row,) = listed(nurse, stranger.nhs_number)
    assert (row.person_id, row.relationship) == (stranger.id, "none")
    assert (row.display_name, row.date_of_birth) == ("GivenC FamilyCsouth", dt.date(1940, 3, 3))
    assert (row.address, row.postcode, row.nhs_number, row.known_to) == ("", "", None, [])
    client.force_login(nurse)
    html = client.get(reverse("record:search"), {"q": stranger.nhs_number}).content.decode()
    assert "GivenC FamilyCsouth" in html and "You do not work with this person" in html
    assert "Hidden Street" not in html and "WV1 1AC" not in html
    assert "GP practice" not in html.split('id="results"')[1]


@pytest.mark.parametrize(
    "query",
    [
        "givenc familycsouth 3/3/1940",
        "FamilyCsouth, GivenC 3 March 1940",
        "givenc familycsouth 1940-03-03",
    ],
)
def test_a_stranger_is_listed_on_full_name_and_full_date_of_birth(town, query):
    north, inside, outside = town
    nurse = make_staff(role="clinician", teams=[north])
    found = access.search_people(viewer=nurse, query=query, ip=None)
    rows = {r.person_id: r.relationship for r in found.results}
    assert rows.pop(outside[2].id) == "none"
    # Anyone else listed is someone the nurse works with (a sound-alike in WV10).
    assert set(rows.values()) <= {"caseload"} and set(rows) <= {p.id for p in inside}
    assert found.total == len(found.results)


def test_a_nickname_counts_as_the_given_name_but_place_is_never_checked(town):
    north, _, _ = town
    bob = make_person(
        given_name="Robert", family_name="Lowe", date_of_birth="1951-06-02", postcode="B1 1AA"
    )
    nurse = make_staff(role="clinician", teams=[north])
    assert [r.person_id for r in listed(nurse, "bob lowe 2/6/1951")] == [bob.id]
    # A postcode typed with it neither hides nor confirms where a stranger lives.
    assert [r.person_id for r in listed(nurse, "bob lowe 2/6/1951 WV1 1AA")] == [bob.id]
    assert [r.person_id for r in listed(nurse, "bob lowe 2/6/1951 B1 1AA")] == [bob.id]


def test_every_person_listed_is_in_the_audit_row_and_strangers_are_marked(town):
    north, inside, outside = town
    nurse = make_staff(role="clinician", teams=[north])
    listed(nurse, "WV10")
    listed(nurse, outside[4].nhs_number)
    first, second = AuditEntry.objects.filter(action="search").order_by("id")
    assert sorted(first.detail["results"]) == sorted(p.id for p in inside)
    assert first.detail["no_relationship"] == []
    assert second.detail["results"] == [outside[4].id]
    assert second.detail["no_relationship"] == [outside[4].id]


def test_relationships_that_count_for_search_are_the_agreements(town):
    north, inside, outside = town
    volunteer = make_staff(role="voluntary_worker", teams=[north])
    # The volunteer's team covers WV10, but the neighbourhood is no relationship for them.
    assert listed(volunteer, "WV10") == []
    assign(volunteer, inside[0])
    add_to_caseload(north, outside[1])
    found = {r.person_id: r.relationship for r in listed(volunteer, "given")}
    assert found == {inside[0].id: "assigned", outside[1].id: "caseload"}
    # An open break-glass grant counts too, for a role that has break-glass.
    nurse = make_staff(role="clinician", teams=[north])
    BreakGlass.objects.create(
        user_id=nurse.pk,
        username=nurse.username,
        person_id=outside[5].id,
        reason="Called by a neighbour: fallen at home and needs medication",
        granted_at=timezone.now(),
        expires_at=timezone.now() + dt.timedelta(hours=1),
    )
    rows = {r.person_id: r for r in listed(nurse, "familyfsouth")}
    assert rows[outside[5].id].relationship == "break_glass"
    assert rows[outside[5].id].postcode == "WV1 1AF"


# --- throttling -----------------------------------------------------------------------------


@pytest.fixture
def tight(settings, tmp_path):
    """The default agreement with small search limits, so a test can cross them quickly."""
    text = open(settings.WRAPAROUND_AGREEMENT, encoding="utf-8").read()
    for old, new in (("people: 200", "people: 12"), ("strangers: 30", "strangers: 3")):
        assert old in text
        text = text.replace(old, new)
    path = tmp_path / "agreement.yaml"
    path.write_text(text, encoding="utf-8")
    settings.WRAPAROUND_AGREEMENT = str(path)


def test_listing_many_people_pauses_searching_and_tells_the_steward(town, tight, client):
    north, inside, outside = town
    nurse = make_staff(role="clinician", teams=[north], first_name="Nia", last_name="Okafor")
    steward = make_staff(role="data_steward", username="steward.s")
    assert len(listed(nurse, "WV10")) == 10  # 10 different people: under the limit of 12
    for p in outside:  # ten more are referred to the team
        add_to_caseload(north, p)
    assert len(listed(nurse, "WV10")) == 10  # the same ten again: still 10
    # Listing the ten referred people would make 20: nobody is listed, searching pauses.
    found = access.search_people(viewer=nurse, query="WV1", ip="10.0.0.7")
    assert found.results == [] and found.total == 0
    assert found.paused and "Searching is paused" in found.paused
    (row,) = AuditEntry.objects.filter(action="search_throttled")
    assert (row.user_id, row.ip, row.detail["started"], row.detail["why"]) == (
        nurse.pk,
        "10.0.0.7",
        True,
        "people",
    )
    assert row.detail["people"] == 20
    # While paused even a search for one known person is refused, and audited.
    again = access.search_people(viewer=nurse, query=inside[0].nhs_number, ip=None)
    assert again.results == [] and again.paused
    assert AuditEntry.objects.filter(action="search_throttled").count() == 2
    assert AuditEntry.objects.filter(action="search").count() == 2

    found = access.unusual_searching(viewer=steward, ip=None)
    (pause,) = found.pauses
    assert pause.staff_name == "Nia Okafor" and pause.role.startswith("Clinician")
    assert pause.tried_while_paused == 1 and pause.what == "20 different people in 10 minutes"
    client.force_login(steward)
    html = client.get(reverse("steward:unusual_searching")).content.decode()
    assert "Nia Okafor" in html and f"username={nurse.username}" in html
    home = client.get(reverse("steward:home")).content.decode()
    assert reverse("steward:unusual_searching") in home
    with pytest.raises(access.NoAccess):
        access.unusual_searching(viewer=nurse, ip=None)


def _paused_nurse(north, outside):
    nurse = make_staff(role="clinician", teams=[north])
    listed(nurse, "WV10")
    for p in outside:
        add_to_caseload(north, p)
    assert access.search_people(viewer=nurse, query="WV1", ip=None).paused
    return nurse


def test_many_strangers_in_an_hour_pause_searching(town, tight):
    north, _, outside = town
    nurse = make_staff(role="clinician", teams=[north])
    for p in outside[:3]:
        assert len(listed(nurse, p.nhs_number)) == 1
    found = access.search_people(viewer=nurse, query=outside[3].nhs_number, ip=None)
    assert found.results == [] and found.paused
    (row,) = AuditEntry.objects.filter(action="search_throttled")
    assert row.detail["why"] == "strangers" and row.detail["people"] == 4


def test_the_pause_ends(town, tight):
    north, inside, outside = town
    nurse = _paused_nurse(north, outside)
    assert access.search_people(viewer=nurse, query="WV10", ip=None).paused
    later = timezone.now() + dt.timedelta(minutes=16)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(timezone, "now", lambda: later)
        found = access.search_people(viewer=nurse, query="WV10", ip=None)
    assert found.paused is None and len(found.results) == 10


def test_other_staff_are_not_paused_and_the_steward_page_refuses_others(town, tight, client):
    north, _, outside = town
    _paused_nurse(north, outside)
    other = make_staff(role="clinician", teams=[north], username="nurse.other")
    assert access.search_people(viewer=other, query="WV10", ip=None).paused is None
    client.force_login(other)
    assert client.get(reverse("steward:unusual_searching")).status_code == 403
    assert AuditEntry.objects.filter(action="refused", user_id=other.pk).exists()


# --- finding 3: protected involvement -------------------------------------------------------


@pytest.fixture
def involvement():
    north = make_team("North", ["WV10"])
    gp = make_source("gp")
    mh = make_source("mental_health")
    # Known to the GP as Doyle and to the mental health trust by a later surname.
    both = make_person(
        given_name="Teresa", family_name="Doyle", postcode="WV10 6QH", date_of_birth="1961-04-05"
    )
    make_source_record(source=gp, person=both)
    make_source_record(source=mh, person=both, family_name="Kendrick")
    # Known to the mental health trust only.
    only = make_person(
        given_name="Colin", family_name="Ashdown", postcode="WV10 6QJ", date_of_birth="1977-09-10"
    )
    make_source_record(source=mh, person=only)
    index_people([both.id, only.id])
    return north, both, only


def test_a_surname_only_the_mental_health_trust_holds_finds_no_one_for_housing(involvement):
    north, both, _ = involvement
    housing = make_staff(role="housing_officer", teams=[north])
    mh_worker = make_staff(role="mental_health_worker", teams=[north])
    assert listed(housing, "kendrick") == []
    assert listed(housing, "teresa kendrick 5/4/1961") == []
    assert [r.person_id for r in listed(housing, "doyle")] == [both.id]
    assert [r.person_id for r in listed(mh_worker, "kendrick")] == [both.id]


def test_a_person_known_only_to_the_mental_health_trust_is_not_listed_with_an_empty_known_to(
    involvement,
):
    north, both, only = involvement
    housing = make_staff(role="housing_officer", teams=[north])
    for query in ("ashdown", "colin ashdown 10/9/1977", "WV10 6QJ", "1977", only.nhs_number):
        assert [r for r in listed(housing, query) if r.person_id == only.id] == [], query
    for row in listed(housing, "WV10"):
        assert row.known_to, row  # nobody listed with an empty "Known to"
    mh_worker = make_staff(role="mental_health_worker", teams=[north])
    (row,) = listed(mh_worker, "ashdown")
    assert row.known_to == ["Mental health trust"]


def test_a_summary_value_no_record_gives_is_restricted_like_the_persons_sensitive_records():
    """The cached summary may have come from a sensitive record: fail closed."""
    mh = make_source("mental_health")
    gp = make_source("gp")
    person = make_person(given_name="Iris", family_name="Brennan", postcode="WV10 6QH")
    make_source_record(source=mh, person=person, family_name="Kendrick")
    make_source_record(source=gp, person=person, family_name="Okoro")
    lonely = make_person(given_name="Ivo", family_name="Alone", postcode="WV10 6QH")
    index_people([person.id, lonely.id])
    held = {
        (row.token, row.restricted) for row in PersonSearchIndex.objects.filter(person_id=person.id)
    }
    assert ("n:kendrick", "mental_health") in held  # only the mental health trust has it
    assert ("n:okoro", "") in held  # the GP has it
    assert ("n:brennan", "mental_health") in held  # the summary only: restricted
    assert ("n:iris", "") in held  # the summary and the GP's record agree
    assert ("cd:WV10", "") in held and ("cs:WV10 6", "") in held
    assert not PersonSearchIndex.objects.filter(person_id=lonely.id).exclude(restricted="")


def test_year_searches_over_the_web_show_no_one_outside_the_volunteers_people(town, client):
    north, inside, outside = town
    volunteer = make_staff(role="voluntary_worker", teams=[north])
    assign(volunteer, inside[3])
    client.force_login(volunteer)
    pages = "".join(
        client.get(reverse("record:search"), {"q": str(year)}).content.decode()
        for year in range(1920, 2027, 10)
    )
    assert "GivenD FamilyDnorth" in pages  # the one person assigned to them
    for person in [*inside[:3], *inside[4:], *outside]:
        assert f"{person.given_name} {person.family_name}" not in pages
        assert person.postcode not in pages


def test_the_search_page_says_plainly_that_searching_is_paused(town, tight, client):
    north, _, outside = town
    nurse = _paused_nurse(north, outside)
    client.force_login(nurse)
    html = client.get(reverse("record:search"), {"q": "WV10"}).content.decode()
    assert "Searching is paused" in html and 'id="results"' not in html
