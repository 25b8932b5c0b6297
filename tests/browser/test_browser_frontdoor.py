"""Requests for help in a real browser at tablet width (768 px), the issue's story: the
receptionist logs a request for Margaret; the nurse takes ownership and hands it off with a
reason; the colleague records the daughter's chasing call (suggested, and kept, as failure
demand) and closes it as helped; an urgent request shows its 2-hour clock in the queue.
axe-core on every page; no console errors (strict CSP); nothing scrolls sideways."""

import re

import pytest

from browser.conftest import Visitor
from browser.world import PASSWORD, build_world
from factories import make_organisation, make_staff
from wraparound.frontdoor.models import HelpRequest, RequestContact
from wraparound.governance.models import Team

pytestmark = pytest.mark.django_db(transaction=True)

NEED = "Had a fall yesterday; managing but frightened of the stairs"


@pytest.fixture
def world(transactional_db):
    w = build_world()
    north = Team.objects.get(name="North neighbourhood team")
    community = make_organisation("Community Health NHS Trust", "community")
    for username, first, last, role in (
        ("reception.rita", "Rita", "Mensah", "receptionist"),
        ("ot.tom", "Tom", "Reed", "clinician"),
    ):
        make_staff(
            role=role,
            teams=[north],
            organisation=community,
            username=username,
            first_name=first,
            last_name=last,
            password=PASSWORD,
        )
    return w


@pytest.fixture
def tablet(browser, live_server):
    contexts = []

    def open_as(username: str) -> Visitor:
        context = browser.new_context(viewport={"width": 768, "height": 1024}, locale="en-GB")
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        visitor = Visitor(page, live_server.url)
        visitor.log_in(username, PASSWORD)
        return visitor

    yield open_as
    for context in contexts:
        context.close()


def checked(visitor: Visitor, what: str) -> None:
    visitor.assert_accessible()
    assert visitor.console_errors == [], f"{what}: {visitor.console_errors}"
    width = visitor.page.evaluate("document.documentElement.scrollWidth")
    assert width <= 768, f"{what}: the page scrolls sideways at 768 px ({width} px)"


def test_front_door_story_from_receptionist_to_helped(tablet, world):
    rita = tablet("reception.rita")
    page = rita.page
    page.click("a.nhsuk-header__navigation-link:has-text('Requests')")
    page.click("a:has-text('Log a request')")
    checked(rita, "log a request")
    page.fill("#id_q", "Margaret Smith 3 March 1942")
    page.click("button:has-text('Search')")
    page.check(f"#person-{world.margaret}")
    page.fill("#id_what_is_needed", NEED)
    page.check("input[name=caller_relationship][value=family]")
    page.fill("#id_caller_name", "Sue Smith")
    page.check("input[name=channel][value=phone]")
    checked(rita, "log a request with the person found")
    page.click("button:has-text('Log the request')")
    page.wait_for_selector("h1:has-text('Margaret Smith')")
    assert "No owner yet" in rita.text()
    checked(rita, "the logged request")
    request_id = HelpRequest.objects.get().id

    jo = tablet("nurse.jo")
    jo.go("/requests/")
    assert re.search(r"No owner yet\s+Margaret Smith", jo.text())
    checked(jo, "the team's queue")
    jo.page.click(f"a[href='/requests/{request_id}/']")
    jo.page.click("button:has-text('Take ownership')")
    assert jo.page.inner_text("#owner") == "Jo Baker"
    jo.page.select_option("#id_to_staff", label="Tom Reed")
    jo.page.fill("#id_reason", "Needs a stair rail: occupational therapy")
    jo.page.click("button:has-text('Hand off')")
    assert jo.page.inner_text("#owner") == "Tom Reed"
    assert "Reason: Needs a stair rail: occupational therapy" in jo.text()
    checked(jo, "after the hand-off")

    tom = tablet("ot.tom")
    tom.go(f"/requests/{request_id}/")
    # The software suggests failure demand, chasing progress; the practitioner keeps it.
    assert tom.page.is_checked("input[name=demand][value=failure]")
    assert tom.page.input_value("#id_failure_kind") == "chasing"
    tom.page.fill("#id_who", "Sue Smith, daughter")
    tom.page.fill("#id_what", "Rang to ask when someone is coming")
    tom.page.click("button:has-text('Record the contact')")
    assert "Failure demand: chasing progress" in tom.text()
    tom.page.check("input[name=helped][value=yes]")
    tom.page.fill("#id_what_helped", "Stair rail fitted; managing the stairs")
    tom.page.check("input[name=person_agrees][value=yes]")
    tom.page.click("button:has-text('Close the request')")
    assert tom.page.inner_text("#status") == "Helped"
    checked(tom, "the closed request")
    contact = RequestContact.objects.get()
    assert (contact.demand, contact.failure_kind) == ("failure", "chasing")

    # An urgent request: the clock is on top of the team's queue.
    page.click("a.nhsuk-header__navigation-link:has-text('Requests')")
    page.click("a:has-text('Log a request')")
    page.fill("#id_person_details", "Mr Ahmed, 4 Ash Grove, WV10; son calls back on 07700 900123")
    page.fill("#id_what_is_needed", "Dad is suddenly confused and not himself")
    page.check("input[name=caller_relationship][value=family]")
    page.check("input[name=channel][value=phone]")
    page.check("input[name=urgent][value=yes]")
    page.select_option("#id_urgent_condition", "delirium")
    page.click("button:has-text('Log the request')")
    page.wait_for_selector("#clock")
    jo.go("/requests/")
    urgent = jo.page.inner_text("#urgent + ul")
    assert "Urgent: New confusion or delirium" in urgent
    assert re.search(r"1 h 5\d min left", urgent), urgent
    checked(jo, "the queue with an urgent request")
