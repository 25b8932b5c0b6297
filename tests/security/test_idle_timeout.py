"""Issue 9, finding 10: a signed-in session had no idle timeout.

The server ends a session after ``WRAPAROUND_IDLE_TIMEOUT`` (30 minutes) without a request,
whatever the page's script does; each request slides the deadline. These tests move the
session's last-activity time back instead of sleeping.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from django.test import Client

from factories import make_staff
from wraparound.governance.middleware import LAST_ACTIVITY

SCRIPT = Path(__file__).resolve().parents[2] / "src/wraparound/static/js/idle-timeout.js"


def _idle_for(client: Client, minutes: float) -> None:
    session = client.session
    session[LAST_ACTIVITY] = time.time() - minutes * 60
    session.save()


@pytest.fixture
def nurse(client):
    user = make_staff(role="clinician")
    client.force_login(user)
    assert client.get("/").status_code == 200
    return user


@pytest.mark.django_db
def test_the_first_request_after_30_idle_minutes_goes_to_the_login(client, nurse, settings):
    assert settings.WRAPAROUND_IDLE_TIMEOUT.total_seconds() == 30 * 60
    _idle_for(client, 30.5)
    response = client.get("/people/1/")
    assert response.status_code == 302
    assert response["Location"] == "/login/?signed_out=idle&next=%2Fpeople%2F1%2F"
    assert "_auth_user_id" not in client.session  # logged out on the server, not just sent away
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "You were signed out after 30 minutes without activity" in page.content.decode()
    assert client.get("/").status_code == 302  # and it stays signed out


@pytest.mark.django_db
def test_activity_slides_the_deadline(client, nurse):
    _idle_for(client, 29)
    assert client.get("/").status_code == 200
    assert time.time() - client.session[LAST_ACTIVITY] < 5
    _idle_for(client, 29)
    assert client.get("/").status_code == 200


@pytest.mark.django_db
def test_an_htmx_request_after_the_idle_period_is_sent_to_the_login(client, nurse):
    _idle_for(client, 31)
    response = client.get("/", headers={"HX-Request": "true", "HX-Target": "timeline"})
    assert response["HX-Redirect"].startswith("/login/?signed_out=idle")
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_stay_signed_in_pings_with_csrf_and_returns_nothing(nurse):
    client = Client(enforce_csrf_checks=True)
    client.force_login(nurse)
    page = client.get("/")
    token = client.cookies["csrftoken"].value
    html = page.content.decode()
    assert 'action="/accounts/session/keep-alive/"' in html
    assert client.post("/accounts/session/keep-alive/").status_code == 403  # no token
    _idle_for(client, 29)
    response = client.post("/accounts/session/keep-alive/", headers={"X-CSRFToken": token})
    assert response.status_code == 204 and response.content == b""
    assert time.time() - client.session[LAST_ACTIVITY] < 5
    _idle_for(client, 31)
    response = client.post("/accounts/session/keep-alive/", headers={"X-CSRFToken": token})
    assert response.status_code == 401  # too late: the page's script goes to the login
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_signed_in_pages_carry_the_warning_and_its_settings(client, nurse):
    html = client.get("/").content.decode()
    assert 'data-idle-seconds="1800"' in html and 'data-idle-warning-seconds="120"' in html
    assert "/static/js/idle-timeout.js" in html
    assert 'id="idle-announce" aria-live="assertive"' in html
    assert "Stay signed in" in html
    script = SCRIPT.read_text(encoding="utf-8")
    assert "You will be signed out in " in script and "to protect people's information" in script
    anonymous = Client().get("/login/").content.decode()
    assert "idle-timeout.js" not in anonymous and "Stay signed in" not in anonymous
