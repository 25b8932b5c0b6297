"""An MDT meeting in a real browser at tablet width (768 px), the issue's "done when" story:
the chair schedules the team's meeting, accepts two suggested people and one nomination, runs
meeting mode with the timer counting down, records an action with a lead; the lead finds the
person on "My caseload"; a volunteer invited as a guest opens a person in meeting mode and
sees only what a volunteer may (not the GP's timeline entry the chair sees); the chair
finishes, the minutes list the decision and the action, and the next meeting opens with the
open action. axe-core on every page; no console errors (strict CSP); no sideways scrolling.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from browser.conftest import Visitor
from browser.world import GP_TEXT, PASSWORD, build_world
from factories import add_to_caseload
from wraparound.frontdoor.models import HelpRequest
from wraparound.governance import access
from wraparound.governance.models import Team
from wraparound.identity.models import Person
from wraparound.meetings.models import CaseItem
from wraparound.plans.models import PlanDetails

pytestmark = pytest.mark.django_db(transaction=True)

ACTION = "Joint visit with the social worker about the stairs"
DECISION = "Joint visit; GP to review her medicines"
TIMER = re.compile(r"^(\d+) min (\d+) s left$")


@pytest.fixture
def world(transactional_db):
    # No faster password hasher here: test passwords are hashed once per run and cached
    # (``factories._hashed``), so a hasher list of our own would refuse a hash made earlier.
    w = build_world()
    north = Team.objects.get(name="North neighbourhood team")
    margaret = Person.objects.get(id=w.margaret)
    john = Person.objects.get(id=w.john_senior)
    for person in (margaret, john, Person.objects.get(id=w.nadia)):
        add_to_caseload(north, person)
    # Suggestions with reasons a practitioner would accept: Margaret's plan review is overdue
    # (and she went to A&E), John's request for help has been open three weeks.
    PlanDetails.objects.create(
        person_id=margaret.id,
        review_on=timezone.localdate() - dt.timedelta(days=21),
        recorded_by="test",
        recorded_at=timezone.now(),
    )
    request_id = access.log_request(
        viewer=w.users["nurse"],
        person_id=john.id,
        what_is_needed="Help with shopping since his wife went into hospital",
        caller_relationship="family",
        channel="phone",
        ip=None,
    )
    HelpRequest.objects.filter(id=request_id).update(
        received_at=timezone.now() - dt.timedelta(days=21)
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


def _seconds(text: str) -> int:
    found = TIMER.match(text.strip())
    assert found, f"the timer says {text!r}"
    return int(found[1]) * 60 + int(found[2])


def test_an_mdt_meeting_from_scheduling_to_the_next_meeting(tablet, world):
    jo = tablet("nurse.jo")
    page = jo.page
    assert page.locator("a.nhsuk-header__navigation-link", has_text="MDT meetings").count() == 1
    jo.go("/meetings/")
    checked(jo, "the meeting list")
    page.click("#schedule-meeting")
    checked(jo, "the schedule form")
    starts = timezone.localtime(timezone.now() + dt.timedelta(minutes=20))
    page.fill("#id_title", "North MDT")
    page.fill("#id_day", str(starts.day))
    page.fill("#id_month", str(starts.month))
    page.fill("#id_year", str(starts.year))
    page.fill("#id_time", f"{starts:%H:%M}")
    page.fill("#id_where", "Room 2, Oak Tree Surgery")
    sam = world.users["housing"].staff.id
    ben = world.users["volunteer"].staff.id
    assert page.is_checked(f"#invite-{sam}")  # the team is invited by default
    page.check(f"#invite-{ben}")  # the volunteer, from another organisation
    page.fill("#id_guest_name_1", "Hana Hospice")
    page.fill("#id_guest_organisation_1", "St Mary's Hospice")
    page.click("button:has-text('Schedule the meeting')")
    assert "The meeting has been scheduled." in jo.text()
    meeting_url = page.url
    checked(jo, "the meeting page")

    # Two suggested people onto the agenda, each with a plain reason.
    suggestions = page.inner_text("#suggestions-list")
    assert "Plan review overdue" in suggestions and "Request for help stuck" in suggestions
    page.click(f"#suggestion-{world.margaret} button:has-text('Add to agenda')")
    page.click(f"#suggestion-{world.john_senior} button:has-text('Add to agenda')")
    assert "Margaret Smith" in page.inner_text("#agenda-list")

    # A colleague nominates John junior with a reason; the chair accepts the nomination.
    sam_tab = tablet("housing.sam")
    sam_tab.go("/caseload/")
    assert "Margaret Smith" not in sam_tab.text()
    sam_tab.go(meeting_url.removeprefix(sam_tab.base_url))
    sam_tab.page.fill("#id_q", "John Smith 9/9/1980")
    sam_tab.page.click("#nominate-section button:has-text('Search')")
    sam_tab.page.check(f"#nominate-{world.john_junior}")
    sam_tab.page.fill("#id_reason", "Caring for his father; missed his own GP visits")
    sam_tab.page.click("#nominate-form button:has-text('Nominate')")
    assert "The nomination has been sent to the chair." in sam_tab.text()
    page.reload()
    page.click("#nominations-list button:has-text('Add to agenda')")
    assert page.locator("#agenda-list > li").count() == 3
    assert "Caring for his father" in page.inner_text("#agenda-list")
    assert "About 3 people, 10 minutes each" in page.inner_text("#time-plan")
    checked(jo, "the meeting page with its agenda")

    # Meeting mode: the first person, the timer counting down.
    page.click("#start-meeting")
    assert "1 of 3" in page.inner_text("#agenda-place")
    assert "Margaret Smith" in page.inner_text("h1")
    page.click("#start-discussing")
    first = _seconds(page.inner_text("#timer-text"))
    assert 590 <= first <= 600
    page.wait_for_timeout(2_200)
    later = _seconds(page.inner_text("#timer-text"))
    assert first - 4 <= later <= first - 1, (first, later)
    assert page.inner_text("#timer-announce") == ""  # nothing said every second
    assert GP_TEXT in page.inner_text("#timeline-table")
    checked(jo, "meeting mode")

    page.fill("#id_what", ACTION)
    page.select_option("#id_lead", str(sam))
    due = timezone.localdate() + dt.timedelta(days=5)
    page.fill("#id_due_on", f"{due.day} {due:%B %Y}")
    page.click("#add-action")
    assert ACTION in page.inner_text("#actions-table")
    assert "Sam Patel" in page.inner_text("#actions-table")

    # The volunteer guest opens Margaret in meeting mode: a volunteer's view only.
    ben_tab = tablet("vol.ben")
    ben_tab.go(meeting_url.removeprefix(ben_tab.base_url))
    ben_tab.page.click("#agenda-list a:has-text('Margaret Smith')")
    assert "Margaret Smith" in ben_tab.page.inner_text("h1")
    assert GP_TEXT not in ben_tab.text()
    assert ben_tab.page.locator("#discussion-form").count() == 0
    checked(ben_tab, "meeting mode for a volunteer")

    page.fill("#id_decisions", DECISION)
    page.click("#save-next")
    assert "2 of 3" in page.inner_text("#agenda-place")

    # The lead finds the person on their caseload.
    sam_tab.go("/caseload/")
    assert "Margaret Smith" in sam_tab.text()

    # Finish: the minutes, then the next meeting opens with the open action.
    jo.go(meeting_url.removeprefix(jo.base_url))
    page.click("#finish-meeting")
    minutes = jo.text()
    assert DECISION in minutes and ACTION in minutes and "Sam Patel" in minutes
    checked(jo, "the minutes")
    page.click("text=Back to the meeting")
    page.click("#next-meeting")
    assert ACTION in page.inner_text("#open-actions-table")
    checked(jo, "the next meeting")


def _under_way_with_margaret(world) -> tuple[int, int]:
    """Through the gate: a meeting of the North team now, Margaret on the agenda, started."""
    nurse = world.users["nurse"]
    choices = access.meeting_form_choices(viewer=nurse)
    meeting_id = access.schedule_meeting(
        viewer=nurse,
        ip=None,
        team_id=choices.teams[0][0],
        title="North MDT",
        starts_at=timezone.now(),
        chair_staff_id=nurse.staff.id,
        invited_staff_ids=[],
        guests=[],
    )
    access.accept_suggestion(viewer=nurse, ip=None, meeting_id=meeting_id, person_id=world.margaret)
    item_id = access.start_meeting(viewer=nurse, ip=None, meeting_id=meeting_id)
    access.start_discussion(viewer=nurse, ip=None, item_id=item_id)
    return meeting_id, item_id


def test_the_timer_speaks_at_five_minutes_and_at_time_up_and_then_counts_over(tablet, world):
    meeting_id, item_id = _under_way_with_margaret(world)
    jo = tablet("nurse.jo")
    page = jo.page
    # 5 minutes and 2 seconds left: the live region says "5 minutes left" once it passes.
    CaseItem.objects.filter(id=item_id).update(
        started_at=timezone.now() - dt.timedelta(minutes=5, seconds=-2)
    )
    jo.go(f"/meetings/{meeting_id}/people/{item_id}/")
    assert page.inner_text("#timer-announce") == ""
    expect(page.locator("#timer-announce")).to_have_text("5 minutes left", timeout=6_000)
    # Time is up 3 seconds from now: it says so, then counts the minutes over, in a warning style.
    CaseItem.objects.filter(id=item_id).update(
        started_at=timezone.now() - dt.timedelta(minutes=10, seconds=-3)
    )
    page.reload()
    expect(page.locator("#timer-announce")).to_have_text("Time is up", timeout=6_000)
    page.wait_for_timeout(1_100)
    assert re.match(r"^\d+ s over$", page.inner_text("#timer-text").strip())
    assert "wrap-timer--over" in page.get_attribute("#timer", "class")
    checked(jo, "meeting mode, over time")
