"""The care and support plan in a real browser: the nurse writes a plan with two goals and an
action owned by a colleague, changes a goal, reads its previous version and prints the plan.
axe-core at 768 px and 1280 px on every page; no console errors (strict CSP); no sideways
scrolling at tablet width."""

import os
import re

import pytest

from browser.conftest import Visitor
from browser.world import PASSWORD, build_world

pytestmark = pytest.mark.django_db(transaction=True)

FIRST_GOAL = "To walk to the corner shop on my own"
FIRST_GOAL_CHANGED = "To walk to the corner shop on my own by the summer"
SECOND_GOAL = "To sleep upstairs in my own bed again"
ACTION = "Ask City Homes about a stair rail"


@pytest.fixture
def world(transactional_db):
    return build_world()


@pytest.fixture
def tablet(browser, live_server):
    context = browser.new_context(viewport={"width": 768, "height": 1024}, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield Visitor(page, live_server.url)
    context.close()


def checked(visitor: Visitor, what: str) -> None:
    """axe-core at tablet and desktop widths, no console errors, no sideways scroll at 768."""
    folder = os.environ.get("WRAPAROUND_SCREENSHOTS")
    page = visitor.page
    for width in (768, 1280):
        page.set_viewport_size({"width": width, "height": 1024})
        if folder:
            name = re.sub(r"[^a-z0-9]+", "-", what.lower()).strip("-")
            page.screenshot(path=os.path.join(folder, f"plan-{name}-{width}.png"), full_page=True)
        visitor.assert_accessible()
        if width == 768:
            scroll = page.evaluate("document.documentElement.scrollWidth")
            assert scroll <= 768, f"{what}: the page scrolls sideways at 768 px ({scroll} px)"
    page.set_viewport_size({"width": 768, "height": 1024})
    assert visitor.console_errors == [], f"{what}: {visitor.console_errors}"


def add_goal(page, text: str) -> None:
    page.click("a:has-text('Add a goal')")
    page.fill("#id_text", text)
    page.check("input[name=status][value=not_yet]")
    page.click("button:has-text('Save goal')")
    page.wait_for_selector("#goals")


def test_nurse_writes_changes_and_prints_a_plan(tablet, world):
    page = tablet.page
    tablet.log_in("nurse.jo", PASSWORD)
    tablet.go(f"/people/{world.margaret}/plan/")
    assert "Personalised care and support plan" in page.inner_text("h1")
    checked(tablet, "empty plan")

    # A section, written in the person's words; the form opens with them next time.
    page.click("a:has-text('Write'):has-text('Please do')")
    page.fill("#id_text", "Knock loudly and wait")
    checked(tablet, "write a section")
    page.click("button:has-text('Save')")
    page.wait_for_selector("#please_do")
    assert "Knock loudly and wait" in page.inner_text("#please_do")

    add_goal(page, FIRST_GOAL)
    add_goal(page, SECOND_GOAL)
    goals = page.inner_text("#goals ~ ol, section[aria-labelledby=goals]")
    assert FIRST_GOAL in goals and SECOND_GOAL in goals

    # An action owned by a colleague in the same team, with a date.
    page.click("a:has-text('Add an action')")
    page.fill("#id_what", ACTION)
    page.select_option("#id_owner", label="Sam Patel (Housing officer)")
    page.fill("#id_due_on", "3 March 2027")
    checked(tablet, "add an action")
    page.click("button:has-text('Save action')")
    page.wait_for_selector("#actions")
    actions = page.inner_text("section[aria-labelledby=actions]")
    assert ACTION in actions and "Sam Patel (Housing officer)" in actions
    assert "3 March 2027" in actions
    checked(tablet, "plan with goals and an action")

    # Change the first goal: the form opens with the words as they are.
    page.click("a:has-text('Change'):has-text('goal 1')")
    assert page.input_value("#id_text") == FIRST_GOAL
    page.fill("#id_text", FIRST_GOAL_CHANGED)
    page.check("input[name=status][value=partly]")
    page.click("button:has-text('Save goal')")
    page.wait_for_selector("#goals")
    assert FIRST_GOAL_CHANGED in page.inner_text("section[aria-labelledby=goals]")

    # Its previous version, with who wrote it.
    page.click("a:has-text('Previous versions'):has-text('goal 1')")
    history = tablet.text()
    assert "Current version" in history and "Earlier version" in history
    assert FIRST_GOAL_CHANGED in history and f"Goal: {FIRST_GOAL}\n" in history + "\n"
    assert "Jo Baker" in history
    checked(tablet, "previous versions of a goal")

    # Print: its own page, no navigation, large type on A4.
    tablet.go(f"/people/{world.margaret}/plan/")
    page.click("a:has-text('Print the plan')")
    page.wait_for_selector("h1:has-text('My care and support plan')")
    assert page.locator("nav").count() == 0 and page.locator(".nhsuk-header").count() == 0
    assert page.is_visible("#print-plan")  # the button appears once its script runs
    printed = tablet.text()
    assert FIRST_GOAL_CHANGED in printed and ACTION in printed and "Sam Patel" in printed
    checked(tablet, "print view")
    page.emulate_media(media="print")
    assert not page.is_visible("#print-plan")
    size = page.evaluate(
        "parseFloat(getComputedStyle(document.querySelector('.plan-print__words')).fontSize)"
    )
    assert size >= 20, f"print type is {size}px; the plan is printed in large type"
    pdf = page.pdf(format="A4", prefer_css_page_size=True)
    assert pdf.startswith(b"%PDF")

    # The colleague finds the person on "My caseload", with the action's date as next due.
    page.emulate_media(media="screen")
    page.context.clear_cookies()
    tablet.log_in("housing.sam", PASSWORD)
    tablet.go("/caseload/")
    caseload = tablet.text()
    assert "Margaret Smith" in caseload and "3 March 2027" in caseload
