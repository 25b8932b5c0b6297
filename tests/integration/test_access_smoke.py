"""A first walk through the gate: search, open, withheld, audit."""

import pytest

from factories import make_event, make_person, make_source_record, make_staff, make_team
from wraparound.governance import access
from wraparound.governance.models import AuditEntry

pytestmark = pytest.mark.django_db


def test_nurse_finds_and_opens_a_person_on_the_caseload():
    team = make_team("North", ["WV10"])
    nurse = make_staff(role="clinician", teams=[team])
    person = make_person(given_name="Robert", family_name="Smith", postcode="WV10 6QH")
    gp = make_source_record(source="gp", person=person)
    mh = make_source_record(source="mental_health", person=person)
    make_event(gp, kind="GP encounter", summary="Leg ulcer dressing")
    make_event(mh, kind="Mental health contact", summary="Seen by CPN", category="mental_health")

    found = access.search_people(viewer=nurse, query="bob smith", ip="127.0.0.1")
    assert [r.person_id for r in found.results] == [person.id]
    assert found.results[0].relationship == "caseload"
    assert "Mental health trust" not in found.results[0].known_to

    record = access.open_record(viewer=nurse, person_id=person.id, purpose="direct care", ip=None)
    summaries = [e.summary for e in record.timeline.entries]
    assert summaries == ["Leg ulcer dressing"]
    assert record.withheld and "Mental health" not in " ".join(record.withheld)
    assert AuditEntry.objects.filter(action="view_person", person_id=person.id).count() == 1
