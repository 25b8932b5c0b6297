"""Contact notes in a real browser at tablet width (768 px): the nurse writes a visit note with
a safety flag, puts a mistake right with a correction, and the housing officer sees the flag
but not the nurse's clinical words. axe-core on every page; no console errors (strict CSP)."""

import os
import re

import pytest

from browser.conftest import Visitor
from browser.world import PASSWORD, build_world

pytestmark = pytest.mark.django_db(transaction=True)

VISIT = "Dressing changed on the left leg; healing well. Next visit Friday."
DOG = "Dog on premises, ask for it to be shut away"


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
    folder = os.environ.get("WRAPAROUND_SCREENSHOTS")
    if folder:
        name = re.sub(r"[^a-z0-9]+", "-", what.lower()).strip("-")
        visitor.page.screenshot(path=os.path.join(folder, f"notes-{name}.png"), full_page=True)
    visitor.assert_accessible()
    assert visitor.console_errors == [], f"{what}: {visitor.console_errors}"
    width = visitor.page.evaluate("document.documentElement.scrollWidth")
    assert width <= 768, f"{what}: the page scrolls sideways at 768 px ({width} px)"


def test_nurse_writes_flags_and_corrects_a_note_housing_sees_only_the_flag(tablet, world):
    page = tablet.page
    tablet.log_in("nurse.jo", PASSWORD)
    tablet.go(f"/people/{world.margaret}/notes/")
    page.click("a:has-text('Write a contact note')")
    page.wait_for_selector("#contact-note-form")
    checked(tablet, "write a contact note")

    # Nothing chosen, nothing written: the error summary says what to do, focused.
    page.fill("#id_text", "")
    page.click("button:has-text('Save the contact note')")
    page.wait_for_selector(".nhsuk-error-summary")
    summary = page.inner_text(".nhsuk-error-summary")
    assert "Choose how you were in contact" in summary
    assert "Enter what happened at the visit or call" in summary
    checked(tablet, "contact note with errors")

    page.check("input[name=how][value=home_visit]")
    page.fill("#id_text", VISIT)
    assert not page.is_visible("#id_flag_text")  # revealed only when ticked
    page.check("#id_is_safety_flag")
    page.fill("#id_flag_text", DOG)
    page.click("button:has-text('Save the contact note')")
    page.wait_for_selector("#contact-notes")
    assert "Your contact note has been saved." in tablet.text()
    assert DOG in page.inner_text("#note-flags")
    assert VISIT in page.inner_text("#contact-notes")
    assert "Home visit" in page.inner_text("#contact-notes")
    checked(tablet, "contact notes")

    # The housing officer: the flag (everyone who visits needs it), not the clinical words.
    page.context.clear_cookies()
    tablet.log_in("housing.sam", PASSWORD)
    tablet.go(f"/people/{world.margaret}/notes/")
    page.wait_for_selector("#note-flags")
    body = tablet.text()
    assert DOG in body and VISIT not in body
    assert "withheld under the sharing agreement" in page.inner_text("#notes-withheld")
    checked(tablet, "contact notes as housing")

    # The nurse: the dog has been rehomed. A correction, not an edit; the flag ends.
    page.context.clear_cookies()
    tablet.log_in("nurse.jo", PASSWORD)
    tablet.go(f"/people/{world.margaret}/notes/")
    page.click("a:has-text('Correct this note')")
    page.wait_for_selector("#note-corrected")
    assert VISIT in page.inner_text("#note-corrected")
    checked(tablet, "correct a contact note")
    page.check("input[name=how][value=phone_call]")
    page.fill("#id_text", "Daughter rang: the dog has been rehomed.")
    page.click("button:has-text('Save the contact note')")
    page.wait_for_selector("#contact-notes")
    notes = page.inner_text("#contact-notes")
    assert "Correction to the note of" in notes and "Corrected" in notes
    assert not page.is_visible("#note-flags")
    checked(tablet, "contact notes after a correction")
