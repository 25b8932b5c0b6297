"""The MDT impact page in a real browser (issue 12, item 5): axe-core clean, no console error
(strict CSP), and usable at tablet width (768 px, no sideways scrolling), with every section
drawn: the year's figures, the actions table, hospital use, and three monthly XmR charts.
"""

import datetime as dt
import os

import pytest
from playwright.sync_api import expect

from browser.world import PASSWORD, build_world
from factories import make_person, make_source_record
from meeting_history import EMERGENCY, Builder, ago, agree_action, at, encounter
from wraparound.governance.models import Team
from wraparound.identity.models import Person

pytestmark = pytest.mark.django_db(transaction=True)

TABLET = {"width": 768, "height": 1024}


@pytest.fixture
def world(transactional_db):
    built = build_world()
    north = Team.objects.get(name="North neighbourhood team")
    b = Builder(north, built.users["nurse"])
    people = [Person.objects.get(id=built.margaret)] + [
        make_person(given_name=f"Ann{i}", family_name="Smith", index=False) for i in range(7)
    ]
    records = [make_source_record(source="acute", partner="acute", person=p) for p in people]
    # A meeting a month for 15 months, a few people each: enough months for process limits.
    for month in range(15, 0, -1):
        day = ago(30 * month + 3)
        chosen = people[month % 4 : month % 4 + 3]
        _, items = b.meeting(day, chosen, waited={p: 3 + month % 9 for p in chosen})
        for n, item in enumerate(items.values()):
            done = at(day + dt.timedelta(days=10 + 3 * n)) if n != 2 else None
            status = "done" if done else "to_do"
            agree_action(item, due_on=day + dt.timedelta(days=14), done_at=done, status=status)
        for record in records[month % 4 : month % 4 + 3]:
            encounter(record, "A&E attendance", day - dt.timedelta(days=20))
        encounter(records[month % 8], "Admission", day + dt.timedelta(days=40), code=EMERGENCY)
    return built


def test_the_impact_page_is_accessible_at_tablet_width(visitor, world):
    visitor.page.set_viewport_size(TABLET)
    visitor.log_in("nurse.jo", PASSWORD)
    visitor.go("/team/mdt/impact/")
    page = visitor.page
    expect(page.locator("h1")).to_have_text("What our MDT does")
    expect(page.locator("#hospital-table")).to_be_visible()
    expect(page.locator("#hospital-caveat")).to_contain_text("regression to the mean")
    assert page.locator("svg.spc-chart").count() == 3
    for details in page.locator("details").all():
        details.locator("summary").click()
    folder = os.environ.get("WRAPAROUND_SCREENSHOTS")
    if folder:
        page.screenshot(path=os.path.join(folder, "meeting-impact-768.png"), full_page=True)
    visitor.assert_accessible()
    assert visitor.console_errors == [], visitor.console_errors
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= TABLET["width"], f"the page scrolls sideways ({width} px)"


def test_someone_outside_every_team_is_refused(visitor, world):
    visitor.log_in("vol.ben", PASSWORD)
    response = visitor.go("/team/mdt/impact/")
    assert response.status == 403
    visitor.assert_accessible()
