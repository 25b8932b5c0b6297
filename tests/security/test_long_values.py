"""Long but allowed values never break a page (found by this suite on PostgreSQL).

SQLite stores a string of any length in a ``CharField``; PostgreSQL refuses one longer than the
column, and the request fails with a 500. A staff member's name may be 150 + 150 characters
(Django's own limits), so anything built from it ("recorded by: name, role") must fit.
"""

import pytest
from django.test import Client

from factories import make_person, make_staff, make_team
from wraparound.plans.models import PersonWhoMatters, WhatMattersToMe


@pytest.fixture
def long_named_nurse(db):
    team = make_team("North neighbourhood team", areas=["WV10"])
    return make_staff(
        role="clinician",
        teams=[team],
        username="nurse.long",
        first_name="Anna-" + "Maria" * 29,  # 150 characters: the most the account allows
        last_name="Smith-" + "Jones" * 28 + "son",  # 149
    )


def test_a_practitioner_with_the_longest_allowed_name_can_record_what_matters(
    long_named_nurse,
):
    person = make_person(postcode="WV10 6QP")
    client = Client(raise_request_exception=False)
    client.force_login(long_named_nurse)
    response = client.post(f"/people/{person.id}/what-matters/", {"text": "My garden"})
    assert response.status_code == 302, response.status_code
    assert WhatMattersToMe.objects.filter(person_id=person.id).exists()
    response = client.post(
        f"/people/{person.id}/people-who-matter/",
        {"name": "Sue", "relationship": "Daughter", "contact": "01632 960 111"},
    )
    assert response.status_code == 302, response.status_code
    assert PersonWhoMatters.objects.filter(person_id=person.id).exists()
    page = client.get(f"/people/{person.id}/")
    assert page.status_code == 200
