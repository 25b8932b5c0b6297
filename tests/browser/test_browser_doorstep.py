"""The doorstep summary in a real browser at tablet width (issue 10, item 1; "Done when").

As the district nurse on a 768 px wide tablet: the flags' words, the allergies, the current
medicines and the named lead are on the first screen (their boxes end above 1,024 px), with
axe-core finding nothing. The volunteer sees only what a volunteer may (flags, allergies, the
lead; no medicines, no DNACPR).
"""

from __future__ import annotations

import datetime as dt
import os

import pytest
from django.utils import timezone

from browser.world import PASSWORD, build_world
from factories import assign, make_event, make_staff
from wraparound.sources.models import SourceRecord

pytestmark = pytest.mark.django_db(transaction=True)
FIRST_SCREEN = 1024
DOG = "Dog on premises: ask for it to be shut away before the visit"


@pytest.fixture
def world(transactional_db):
    world = build_world()
    gp = SourceRecord.objects.get(source__name="gp", link__person_id=world.margaret)
    now = timezone.now()
    make_event(
        gp,
        kind="Flag",
        resource_type="Flag",
        status="active",
        summary=DOG,
        occurred_at=now - dt.timedelta(days=30),
        on_timeline=False,
    )
    for i, (name, dose) in enumerate(
        (
            ("Metformin 500 mg tablets", "One tablet twice a day with food"),
            ("Amlodipine 5 mg tablets", "One tablet once a day"),
            ("Apixaban 5 mg tablets", "One tablet twice a day"),
            ("Paracetamol 500 mg tablets", "Two tablets up to four times a day when needed"),
            ("Furosemide 40 mg tablets", "One tablet each morning"),
        )
    ):
        make_event(
            gp,
            kind="Medication",
            resource_type="MedicationRequest",
            status="active",
            summary=name,
            occurred_at=now - dt.timedelta(days=60 + i),
            extra={"dose": dose},
        )
    make_event(
        gp,
        kind="DNACPR decision",
        resource_type="Flag",
        status="active",
        summary="DNACPR: do not attempt cardiopulmonary resuscitation",
        occurred_at=now - dt.timedelta(days=90),
        on_timeline=False,
        extra={"care_decision": "dnacpr"},
    )
    lead = make_staff(
        role="care_coordinator",
        first_name="Rosa",
        last_name="Diaz",
        phone="01632 960 777",
        organisation="Oak Tree Surgery",
    )
    assign(lead, _Person(world.margaret), role_in_care="Key worker")
    assign(world.users["volunteer"], _Person(world.margaret))
    return world


class _Person:
    """``factories.assign`` wants something with an ``id``."""

    def __init__(self, pid: int):
        self.id = pid


def _bottom(page, selector: str) -> float:
    box = page.locator(selector).first.bounding_box()
    assert box is not None, f"{selector} is not on the page"
    return box["y"] + box["height"]


def test_nurse_at_tablet_width_sees_the_doorstep_on_the_first_screen(visitor, world):
    page = visitor.page
    page.set_viewport_size({"width": 768, "height": FIRST_SCREEN})
    visitor.log_in("nurse.jo", PASSWORD)
    visitor.go(f"/people/{world.margaret}/")
    page.wait_for_selector("#doorstep")
    if os.environ.get("WRAPAROUND_SCREENSHOTS"):  # to look at: the first screen only
        folder = os.environ["WRAPAROUND_SCREENSHOTS"]
        os.makedirs(folder, exist_ok=True)
        page.screenshot(path=os.path.join(folder, "doorstep-768.png"))
    for words in (DOG, "Key safe by the back door", "Penicillin", "Furosemide 40 mg tablets"):
        assert _bottom(page, f"#doorstep :text('{words}')") <= FIRST_SCREEN, words
    assert _bottom(page, "#doorstep-lead :text('Rosa Diaz')") <= FIRST_SCREEN
    assert _bottom(page, "#doorstep-lead :text('01632 960 777')") <= FIRST_SCREEN
    assert _bottom(page, "#doorstep-decisions :text('DNACPR in place')") <= FIRST_SCREEN
    # Nothing wider than the tablet: no sideways scrolling at the door.
    assert page.evaluate("document.documentElement.scrollWidth") <= 768
    visitor.assert_accessible()
    assert visitor.console_errors == []


def test_volunteer_sees_only_what_a_volunteer_may(visitor, world):
    page = visitor.page
    page.set_viewport_size({"width": 768, "height": FIRST_SCREEN})
    visitor.log_in("vol.ben", PASSWORD)
    visitor.go(f"/people/{world.margaret}/")
    page.wait_for_selector("#doorstep")
    doorstep = page.inner_text("#doorstep")
    assert DOG in doorstep and "Penicillin" in doorstep and "Rosa Diaz" in doorstep
    assert "Medicines are not shared with your role." in doorstep
    assert "DNACPR, ReSPECT and advance care plans are not shared with your role." in doorstep
    body = visitor.text()
    assert "Metformin" not in body and "DNACPR in place" not in body
    assert "Type 2 diabetes" not in body  # a GP problem is detail a volunteer does not have
    visitor.assert_accessible()
    assert visitor.console_errors == []
