"""The caseloads and search paging in a real browser at tablet width (issue 10, items 5 and 6).

As the nurse at 768 px: "My caseload" and the team's caseload are usable (no sideways
scrolling, axe-core clean), sorting and paging swap the list in place and move keyboard focus
to its heading; search pages beyond 25 the same way; a colleague's plan action shows on the
colleague's "My caseload".
"""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from browser.world import PASSWORD, build_world
from factories import assign, make_person
from wraparound.governance.access import search
from wraparound.identity.models import Person
from wraparound.plans.actions import ActionOwnerChoice, Writer, add_plan_action

pytestmark = pytest.mark.django_db(transaction=True)

TABLET = {"width": 768, "height": 1024}


@pytest.fixture
def world(transactional_db):
    built = build_world()
    extra = [
        make_person(
            given_name=f"Ann{i:02d}",
            family_name="Smith",
            date_of_birth=dt.date(1940 + i, 1, 1),
            postcode="WV10 6QH",
            index=False,
        )
        for i in range(30)
    ]
    search.index_people(p.id for p in extra)
    assign(built.users["nurse"], Person.objects.get(id=built.margaret))
    return built


def checked(visitor, what: str):
    visitor.assert_accessible()
    assert visitor.console_errors == [], f"{what}: {visitor.console_errors}"
    width = visitor.page.evaluate("document.documentElement.scrollWidth")
    assert width <= TABLET["width"], f"{what}: the page scrolls sideways ({width} px)"


def test_the_nurse_works_from_the_caseloads_at_tablet_width(visitor, world):
    visitor.page.set_viewport_size(TABLET)
    visitor.log_in("nurse.jo", PASSWORD)
    page = visitor.page
    page.click("text=My caseload")
    expect(page.locator("h1")).to_have_text("My caseload")
    expect(page.locator("#caseload-table")).to_contain_text("Margaret Smith")
    checked(visitor, "my caseload")

    page.click("text=Team caseload")
    expect(page.locator("h1")).to_have_text("Team caseload")
    page.click("#caseload-scope a:has-text('Everyone in the team')")
    expect(page.locator("#caseload-heading")).to_contain_text("(page 1 of 2)")
    checked(visitor, "team caseload, the neighbourhood")
    page.click("#caseload a[rel=next]")
    expect(page.locator("#caseload-heading")).to_contain_text("(page 2 of 2)")
    expect(page.locator("#caseload-heading")).to_be_focused()
    assert "page=2" in page.url  # the address follows, so Back and a shared link work

    page.select_option("#caseload-sort", "most")
    page.click("#caseload button:has-text('Show')")
    expect(page.locator("#caseload-heading")).to_contain_text("(page 1 of 2)")
    expect(page.locator("#caseload-heading")).to_be_focused()
    checked(visitor, "team caseload, sorted")

    page.click("#caseload-print")  # the morning huddle's sheet
    expect(page.locator("#print-caseload")).to_be_visible()
    expect(page.locator("#caseload-heading")).to_have_text("36 people")  # all on one sheet
    checked(visitor, "the huddle's sheet")
    page.emulate_media(media="print")
    expect(page.locator("header.nhsuk-header")).to_be_hidden()
    expect(page.locator("#print-caseload")).to_be_hidden()
    expect(page.locator("#caseload-table")).to_be_visible()


def test_search_pages_beyond_25_and_focus_follows(visitor, world):
    visitor.page.set_viewport_size(TABLET)
    visitor.log_in("nurse.jo", PASSWORD)
    page = visitor.page
    page.fill("#id_q", "smith")
    page.click("button:has-text('Search')")
    expect(page.locator("#results-heading")).to_contain_text("(page 1 of 2)")
    page.click("#search-results a[rel=next]")
    expect(page.locator("#results-heading")).to_contain_text("(page 2 of 2)")
    expect(page.locator("#results-heading")).to_be_focused()
    page.click("#search-results a[rel=prev]")
    expect(page.locator("#results-heading")).to_contain_text("(page 1 of 2)")
    expect(page.locator("#results-heading")).to_be_focused()
    checked(visitor, "search results, page 1 of 2")


def test_a_colleagues_plan_action_appears_on_their_caseload(visitor, world):
    nurse, colleague = world.users["nurse"], world.users["mh"]
    add_plan_action(
        person_id=world.john_senior,
        what="Talk through the care plan with John",
        owner=ActionOwnerChoice(
            kind="staff", name=colleague.get_full_name(), staff_id=colleague.staff.id
        ),
        due_on=timezone.localdate() - dt.timedelta(days=1),
        status="to_do",
        by=Writer(by=nurse.get_full_name(), user_id=nurse.pk, partner="gp"),
    )
    visitor.page.set_viewport_size(TABLET)
    visitor.log_in("mh.kim", PASSWORD)
    visitor.page.click("text=My caseload")
    row = visitor.page.locator("#caseload-table tr", has_text="John Smith")
    expect(row).to_contain_text("1 action overdue")
    checked(visitor, "a colleague's caseload")
