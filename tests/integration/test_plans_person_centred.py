"""What matters to the person and who matters to them: written by the team, through the gate."""

import pytest

from factories import assign, make_event, make_person, make_source_record, make_staff, make_team
from wraparound.governance import access
from wraparound.governance.models import AuditEntry
from wraparound.plans.models import WhatMattersToMe

pytestmark = pytest.mark.django_db


@pytest.fixture
def team_and_person():
    team = make_team("North", ["WV10"])
    return team, make_person(given_name="Winifred", family_name="Ash", postcode="WV10 1AB")


def test_what_matters_keeps_every_version_newest_first(team_and_person):
    team, person = team_and_person
    nurse = make_staff(role="clinician", teams=[team], first_name="Nia", last_name="Okafor")
    access.record_what_matters(
        viewer=nurse, person_id=person.id, text="Staying in my own home", ip=None
    )
    access.record_what_matters(
        viewer=nurse, person_id=person.id, text="Staying at home with my cat, Biscuit", ip=None
    )
    assert WhatMattersToMe.objects.filter(person_id=person.id).count() == 2
    view = access.open_record(viewer=nurse, person_id=person.id, purpose="c", ip=None)
    assert [(w.text, w.is_current) for w in view.what_matters] == [
        ("Staying at home with my cat, Biscuit", True),
        ("Staying in my own home", False),
    ]
    assert view.what_matters[0].recorded_by.startswith("Nia Okafor (Clinician")
    assert AuditEntry.objects.filter(action="change", person_id=person.id).count() == 2


def test_people_who_matter_from_the_team_and_from_partners(team_and_person):
    team, person = team_and_person
    volunteer = make_staff(role="voluntary_worker", teams=[team])
    assign(volunteer, person)  # volunteers work with people referred or assigned (issue 9)
    access.add_person_who_matters(
        viewer=volunteer,
        person_id=person.id,
        name="Jean Ash",
        relationship="daughter",
        contact="07700 900123",
        ip=None,
    )
    gp = make_source_record(source="gp", person=person)
    make_event(
        gp,
        resource_type="RelatedPerson",
        kind="Person who matters",
        on_timeline=False,
        extra={
            "related_person": {"name": "Ken Ash", "relationship": "son", "phone": "01632 960 555"}
        },
    )
    view = access.open_record(viewer=volunteer, person_id=person.id, purpose="c", ip=None)
    assert [(p.name, p.relationship, p.contact) for p in view.people_who_matter] == [
        ("Jean Ash", "daughter", "07700 900123"),
        ("Ken Ash", "son", "01632 960 555"),
    ]
    assert view.timeline.entries == []  # a volunteer sees no GP detail


def test_empty_text_is_refused_and_stewards_cannot_write(team_and_person):
    team, person = team_and_person
    nurse = make_staff(role="clinician", teams=[team])
    with pytest.raises(access.InvalidRequest):
        access.record_what_matters(viewer=nurse, person_id=person.id, text="   ", ip=None)
    steward = make_staff(role="data_steward")
    with pytest.raises(access.NoAccess):
        access.record_what_matters(viewer=steward, person_id=person.id, text="x", ip=None)
    outsider = make_staff(role="clinician", teams=[make_team("South", ["WV14"])])
    with pytest.raises(access.BreakGlassRequired):
        access.add_person_who_matters(
            viewer=outsider, person_id=person.id, name="X", relationship="y", contact="", ip=None
        )
    assert not WhatMattersToMe.objects.exists()
