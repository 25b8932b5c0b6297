"""Every page every demo role can reach, at a tablet's and a desktop's width (issue 9, item 10).

For each login that ``wraparound demo-setup`` makes (``governance.actions.DEMO_STAFF``), the
browser signs in through the form, starts where the login lands, and follows every same-site
link and GET form (``browser/sweep.py``) at 1280 px; then every page found is checked again at
768 px. On each page: no 500, no template syntax printed as text, every password box hidden,
axe-core clean, no console error (CSP, missing file), and at 768 px no sideways scrolling.

The people are the small synthetic neighbourhood of ``browser/world.py``; the logins, teams and
caseload are demo-setup's own. Passwords are hashed with a fast hasher here only: PBKDF2's
deliberate slowness would cost seconds per login and test nothing the sweep is about.
"""

from __future__ import annotations

import os
import time

import pytest

from browser.sweep import Crawler, SweepResult, check_page, check_shown
from browser.world import build_world
from wraparound.governance import access
from wraparound.governance.actions import DEMO_STAFF, demo_setup
from wraparound.identity.models import Person

pytestmark = pytest.mark.django_db(transaction=True)

ROLES = [row[0] for row in DEMO_STAFF]
WIDTHS = (1280, 768)
PAGES_PER_ROLE = 40
# Pages no link leads to, which every role can still meet: not found, a record that is not
# theirs (or not there), a steward's page, the accounts screen.
UNLINKED = ("/no-such-page/", "/people/999999/", "/steward/", "/accounts/")


@pytest.fixture
def demo(transactional_db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    world = build_world()
    logins, _ = demo_setup()
    # Something on the steward's review list, so its form is on the page the sweep checks.
    access.request_break_glass(
        viewer=world.users["nurse"],
        person_id=world.albert,
        reason="Neighbour called: he has fallen and we need his medication list",
        ip=None,
    )
    _meeting_under_way(logins)  # --- meetings (H-V) ---
    return world, {login.username: login.password for login in logins}


def _meeting_under_way(logins) -> None:
    """--- meetings (H-V) --- An MDT of the North team now, under way, with the volunteer
    invited: meeting mode and its forms are reachable only on the meeting's day."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    users = {
        u.username: u for u in get_user_model().objects.filter(username__in=["nurse", "volunteer"])
    }
    nurse = users["nurse"]
    choices = access.meeting_form_choices(viewer=nurse)
    meeting_id = access.schedule_meeting(
        viewer=nurse,
        ip=None,
        team_id=choices.teams[0][0],
        title="North MDT (today)",
        starts_at=timezone.now(),
        chair_staff_id=choices.default_chair_staff_id,
        invited_staff_ids=[s.staff_id for s in choices.staff if s.in_team],
        guests=[("Hana Hospice", "St Mary's Hospice")],
    )
    for suggestion in access.open_meeting(viewer=nurse, ip=None, meeting_id=meeting_id).suggestions[
        :2
    ]:
        access.accept_suggestion(
            viewer=nurse, ip=None, meeting_id=meeting_id, person_id=suggestion.person_id
        )
    first = access.start_meeting(viewer=nurse, ip=None, meeting_id=meeting_id)
    if first is not None:
        access.start_discussion(viewer=nurse, ip=None, item_id=first)


def samples(world) -> dict[str, list[str]]:
    """What the crawler types into GET forms, by field name: searches that find people on a
    caseload, off it, by NHS Number and by name with date of birth; record numbers."""
    margaret = Person.objects.get(id=world.margaret)
    return {
        "q": ["smith", margaret.nhs_number, "albert jones 12/01/1938", "WV10", "1942"],
        "person_id": [str(world.margaret), str(world.albert)],
        "nhs_number": [margaret.nhs_number],
        "name": ["Margaret Smith"],
        "date_of_birth": ["3 March 1942"],
        "username": ["nurse"],
    }


@pytest.mark.parametrize("username", ROLES)
def test_every_page_a_demo_role_reaches_is_sound(visitor, demo, username):
    """One browser for the session, one context (the ``visitor`` fixture) per role."""
    world, passwords = demo
    started = time.monotonic()
    page = visitor.page
    page.set_default_timeout(15_000)
    page.set_viewport_size({"width": WIDTHS[0], "height": 900})
    visitor.log_in(username, passwords[username])
    landing = page.url.removeprefix(visitor.base_url) or "/"
    assert not landing.startswith("/login/"), f"{username} could not log in"

    urls = Crawler(visitor, samples(world), cap=PAGES_PER_ROLE).crawl(landing, UNLINKED)
    result = SweepResult()
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        for url in urls:
            check_page(visitor, url, width, result)
    if os.environ.get("WRAPAROUND_SWEEP_REPORT"):
        print(f"\n{username}: {len(urls)} pages in {time.monotonic() - started:.1f}s")
        print("\n".join(f"  {u}" for u in urls))
    assert len(urls) >= 2, f"{username} reached only {urls}: the crawl found nothing to follow"
    assert result.problems == [], "\n".join(result.problems)


def test_the_pages_before_signing_in_are_sound(visitor, demo):
    world, _ = demo
    page = visitor.page
    urls = Crawler(visitor, samples(world)).crawl("/login/", ("/no-such-page/", "/login/?next=/x"))
    result = SweepResult()
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        for url in urls:
            check_page(visitor, url, width, result)
    # A form sent without its CSRF token (cookies cleared, as after a long break) meets the
    # refusal page: that page is checked like any other.
    visitor.go("/login/")
    page.context.clear_cookies()
    page.fill("#id_username", "nurse")
    page.fill("#id_password", "nurse-wraparound-demo")
    with page.expect_response(lambda r: r.request.method == "POST") as sent:
        page.click("button[type=submit]")
    assert sent.value.status == 403
    page.wait_for_load_state()
    assert "Your form could not be sent" in visitor.text()
    visitor.console_errors.clear()  # the 403 itself is logged by Chromium
    check_shown(visitor, "/login/ (form sent without its token)", 768, result)
    assert result.problems == [], "\n".join(result.problems)


BROKEN_PAGE = """<!DOCTYPE html><html lang="en"><head><title>{{ title }}</title></head>
<body><main><h1>Broken</h1><p>{% if x %}</p>
<label for="p">Password</label><input id="p" name="password" type="text">
<div class="wide">wide</div></main></body></html>"""


def test_the_sweep_checks_catch_what_they_look_for(visitor):
    """The oracle: a page with printed template syntax, a visible password box and a
    sideways scroll at 768 px must fail each check (served in place of a real page)."""
    visitor.page.route(
        "**/broken-page/",
        lambda route: route.fulfill(
            status=200,
            content_type="text/html",
            headers={"Content-Security-Policy": "default-src 'self'; style-src 'unsafe-inline'"},
            body=BROKEN_PAGE.replace("</head>", "<style>.wide{width:2000px}</style></head>"),
        ),
    )
    visitor.page.set_viewport_size({"width": 768, "height": 900})
    result = SweepResult()
    check_page(visitor, "/broken-page/", 768, result)
    found = "\n".join(result.problems)
    assert "template syntax" in found
    assert "password box 'password' is type='text'" in found
    assert "too wide" in found
