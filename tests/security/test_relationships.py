"""Issue 9, finding 2 and item 2: which relationships count is the agreement's, per role.

The volunteer could open anyone in the neighbourhood (identity, contacts, key-safe flags),
because living in the team's postcode area counted as a relationship for every role. Now each
role's ``relationships`` in ``agreement.yaml`` say what counts: the voluntary worker has
people assigned to them or referred to their team (its caseload list), not the neighbourhood.
"""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from factories import (
    add_to_caseload,
    assign,
    make_person,
    make_source_record,
    make_staff,
    make_team,
)
from wraparound.governance import access
from wraparound.governance.actions import demo_setup
from wraparound.governance.agreement import current
from wraparound.governance.models import Assignment, AuditEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def street():
    north = make_team("North", ["WV10"])
    people = {}
    for name, postcode in (
        ("neighbour", "WV10 6QH"),
        ("referred", "WS2 9ZZ"),
        ("assigned", "WV10 6QJ"),
        ("elsewhere", "B1 1AA"),
    ):
        people[name] = make_person(given_name=name.title(), family_name="Street", postcode=postcode)
        make_source_record(source="gp", person=people[name])
    volunteer = make_staff(role="voluntary_worker", teams=[north], username="vol.jim")
    add_to_caseload(north, people["referred"])
    assign(volunteer, people["assigned"])
    return north, volunteer, people


def test_the_volunteer_cannot_open_a_neighbourhood_person(street, client):
    """Finding 2 as the red team found it: a person in the team's postcode area."""
    _, volunteer, people = street
    with pytest.raises(access.NoAccess):
        access.open_record(
            viewer=volunteer, person_id=people["neighbour"].id, purpose="visit", ip=None
        )
    refusal = AuditEntry.objects.get(action="access_denied", person_id=people["neighbour"].id)
    assert refusal.detail["why"] == "no legitimate relationship"
    client.force_login(volunteer)
    page = client.get(reverse("record:person", args=[people["neighbour"].id]))
    assert page.status_code == 404 and "Neighbour" not in page.content.decode()


def test_the_volunteer_opens_people_referred_or_assigned_to_them(street):
    _, volunteer, people = street
    referred = access.open_record(
        viewer=volunteer, person_id=people["referred"].id, purpose="visit", ip=None
    )
    assigned = access.open_record(
        viewer=volunteer, person_id=people["assigned"].id, purpose="visit", ip=None
    )
    assert (referred.access, assigned.access) == ("caseload", "assigned")


def test_the_volunteer_finds_only_people_referred_or_assigned_to_them(street):
    _, volunteer, people = street
    found = access.search_people(viewer=volunteer, query="street", ip=None)
    assert {r.person_id: r.relationship for r in found.results} == {
        people["referred"].id: "caseload",
        people["assigned"].id: "assigned",
    }
    assert found.total == 2
    assert access.search_people(viewer=volunteer, query="WV10", ip=None).results == [
        r for r in found.results if r.person_id == people["assigned"].id
    ]


def test_a_nurse_on_the_same_team_still_has_the_neighbourhood(street):
    north, _, people = street
    nurse = make_staff(role="clinician", teams=[north])
    record = access.open_record(
        viewer=nurse, person_id=people["neighbour"].id, purpose="visit", ip=None
    )
    assert record.access == "caseload"
    exported = {s.person_id for s in access.export_caseload(viewer=nurse, ip=None)}
    assert exported == {people["neighbour"].id, people["assigned"].id, people["referred"].id}
    with pytest.raises(access.BreakGlassRequired):
        access.open_record(viewer=nurse, person_id=people["elsewhere"].id, purpose="x", ip=None)


def test_a_role_whose_rules_leave_relationships_out_has_only_people_named_to_it(
    street, settings, tmp_path
):
    north, _, people = street
    text = open(settings.WRAPAROUND_AGREEMENT, encoding="utf-8").read()
    line = "    relationships: [assigned, team_caseload, neighbourhood]\n"
    assert line in text
    path = tmp_path / "agreement.yaml"
    path.write_text(text.replace(line, "", 1), encoding="utf-8")  # the clinician's, first
    settings.WRAPAROUND_AGREEMENT = str(path)
    assert current().rules_for("clinician").relationships == {"assigned"}
    nurse = make_staff(role="clinician", teams=[north])
    assign(nurse, people["assigned"])
    for name in ("neighbour", "referred"):
        with pytest.raises(access.BreakGlassRequired):
            access.open_record(viewer=nurse, person_id=people[name].id, purpose="x", ip=None)
    assert access.open_record(
        viewer=nurse, person_id=people["assigned"].id, purpose="x", ip=None
    ).access == ("assigned")


def test_the_demo_volunteer_starts_with_people_to_see(settings):
    settings.DEBUG = True
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    for i in range(12):
        make_person(given_name=f"Person{i}", postcode=f"WV10 1A{chr(65 + i)}")
    for i in range(12):
        make_person(given_name=f"Other{i}", postcode=f"WV14 1A{chr(65 + i)}")
    demo_setup()
    users = get_user_model().objects
    volunteer = users.get(username="volunteer")
    mine = set(Assignment.objects.filter(staff__user=volunteer).values_list("person_id", flat=True))
    assert len(mine) >= 3
    found = access.search_people(viewer=volunteer, query="shaw", ip=None)
    assert {r.person_id for r in found.results} == mine
    assert {r.relationship for r in found.results} == {"assigned"}
    # Nobody else in the North neighbourhood opens for the volunteer.
    nurse = users.get(username="nurse")
    north = {r.person_id for r in access.search_people(viewer=nurse, query="WV10", ip=None).results}
    assert north - mine
    for pid in north - mine:
        with pytest.raises(access.NoAccess):
            access.open_record(viewer=volunteer, person_id=pid, purpose="x", ip=None)
