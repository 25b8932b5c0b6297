"""The administrator's accounts screen and the idle warning, in a real browser, with axe-core.

The administrator logs in through the form, lands on the accounts screen (before: a search page
whose search answered 500), adds a member of staff and is shown the one-time password once.
The idle warning appears before the end, is announced, and "Stay signed in" keeps the session.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest

from factories import make_organisation, make_staff, make_team

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "Willow-Harbour-Kestrel-58"


@pytest.fixture
def admin(transactional_db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    make_team("North Neighbourhood Team", areas=["WV10"])
    make_organisation("Community Health NHS Trust", "community")
    user = make_staff(
        role="administrator", username="alex.admin", first_name="Alex", last_name="Morgan"
    )
    user.set_password(PASSWORD)
    user.save()
    return user


def checked(visitor, what: str) -> None:
    visitor.assert_accessible()
    assert visitor.console_errors == [], f"{what}: {visitor.console_errors}"


def test_the_administrator_adds_a_member_of_staff(visitor, admin):
    visitor.log_in("alex.admin", PASSWORD)
    page = visitor.page
    assert page.url.endswith("/accounts/")
    assert page.title() == "Staff accounts – Wraparound"
    assert "Find a person" not in visitor.text()
    checked(visitor, "accounts list")

    page.click("text=Add a member of staff")
    page.click("button:has-text('Add the account')")  # nothing filled in: the error summary
    assert page.locator(".nhsuk-error-summary").is_visible()
    assert page.title().startswith("Error: ")
    checked(visitor, "create form with errors")

    page.fill("#id_first_name", "Nia")
    page.fill("#id_last_name", "Okafor")
    page.fill("#id_username", "nia.okafor")
    page.select_option("#id_role", "clinician")
    page.select_option("#id_organisation", label="Community Health NHS Trust")
    page.check("label:has-text('North Neighbourhood Team')")
    assert page.get_attribute("#id_password", "type") == "password"
    page.click("button:has-text('Add the account')")
    page.wait_for_selector(".wrap-one-time-password")
    password = page.inner_text(".wrap-one-time-password")
    assert re.fullmatch(r"[a-z2-9]{4}(-[a-z2-9]{4}){3}", password)
    checked(visitor, "one-time password")

    page.click("text=Back to staff accounts")
    assert "Nia Okafor" in visitor.text() and password not in visitor.text()
    page.click("a:has-text('Change'):has-text('Nia Okafor')")
    page.wait_for_selector("h1:has-text('Nia Okafor')")
    checked(visitor, "change form")


def test_the_idle_warning_is_announced_and_stay_signed_in_keeps_the_session(
    visitor, admin, settings
):
    settings.WRAPAROUND_IDLE_TIMEOUT = dt.timedelta(seconds=6)
    settings.WRAPAROUND_IDLE_WARNING = dt.timedelta(seconds=5)
    visitor.log_in("alex.admin", PASSWORD)
    page = visitor.page
    page.wait_for_selector("#idle-warning:not([hidden])", timeout=5_000)
    assert "You will be signed out in 1 minute to protect people's information." in (
        page.inner_text("#idle-warning")
    )
    assert "Stay signed in" in page.inner_text("#idle-announce")
    checked(visitor, "idle warning")
    page.click("button:has-text('Stay signed in')")
    page.wait_for_selector("#idle-warning", state="hidden")
    assert page.url.endswith("/accounts/")
    # Left alone, the page goes to the login, which says why.
    page.wait_for_url(re.compile(r"/login/\?signed_out=idle"), timeout=15_000)
    assert "You were signed out after 1 minute without activity" in visitor.text()
    checked(visitor, "signed out")
