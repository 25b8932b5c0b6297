"""Issue 11 follow-ups found at its close: the caller's role in the users' words, and a first
visit recorded just after midnight is not put in the future.

Expectations come from how a nurse would say it ("Sue Bell (GP receptionist)") and from the
clock itself (a visit is in the past, within the last day), not from the code.
"""

import datetime as dt

import pytest
from django.utils import timezone

from factories import make_person, make_staff, make_team
from wraparound.governance import access
from wraparound.record.forms import UrgentVisitForm

pytestmark = pytest.mark.django_db


def test_the_callers_role_keeps_its_capitals():
    team = make_team("North", ["WV10"])
    nurse = make_staff(role="clinician", teams=[team])
    person = make_person(postcode="WV10 1AB")
    for name, relationship in (("Sue Bell", "gp_receptionist"), ("Jo Ash", "family")):
        access.log_request(
            viewer=nurse,
            person_id=person.id,
            ip=None,
            what_is_needed="Needs help with a dressing",
            caller_relationship=relationship,
            channel="phone",
            caller_name=name,
        )
    queue = access.request_queue(viewer=nurse, ip=None)
    callers = {item.caller for section in (queue.unowned, queue.others) for item in section}
    assert "Sue Bell (GP receptionist)" in callers
    assert "Jo Ash (family, friend or unpaid carer)" in callers


@pytest.mark.parametrize("minutes", [-30, 30])
def test_a_first_visit_time_is_always_in_the_last_day(minutes):
    now = timezone.localtime()
    typed = (now + dt.timedelta(minutes=minutes)).strftime("%H:%M")
    form = UrgentVisitForm(data={"time": typed, "outcome": ""})
    assert form.is_valid(), form.errors
    visit = form.cleaned_data["first_visit_at"]
    assert visit <= timezone.now()
    ago = timezone.now() - visit
    expected = dt.timedelta(minutes=30) if minutes < 0 else dt.timedelta(hours=23, minutes=30)
    assert abs(ago - expected) < dt.timedelta(minutes=2)
