"""Issue 9, finding 10: password spraying across usernames was never throttled.

Only (username, address) pairs were counted, so one address could try a likely password
against every username. Now an address is paused for everybody after 20 wrong passwords
across usernames, as well as one username at one address after 5.
"""

from __future__ import annotations

import pytest
from django.test import Client

RIGHT = "Willow-Harbour-Kestrel-58"
SPRAYER, NEIGHBOUR = "203.0.113.7", "198.51.100.20"


@pytest.fixture
def nurse(django_user_model, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return django_user_model.objects.create_user("nia.okafor", password=RIGHT)


def _log_in(username: str, password: str, address: str):
    return Client(REMOTE_ADDR=address).post("/login/", {"username": username, "password": password})


@pytest.mark.django_db
def test_spraying_25_usernames_from_one_address_pauses_that_address_only(nurse, settings):
    assert (settings.AXES_FAILURE_LIMIT, settings.WRAPAROUND_ADDRESS_FAILURE_LIMIT) == (5, 20)
    answers = [_log_in(f"user{i}", "Summer2026!", SPRAYER).status_code for i in range(25)]
    assert answers[:19] == [200] * 19  # the form again, with its error
    assert answers[19:] == [429] * 6  # the 20th wrong password pauses the address
    refused = _log_in("nia.okafor", RIGHT, SPRAYER)
    assert refused.status_code == 429
    assert "Too many wrong tries" in refused.content.decode()
    assert 'class="nhsuk-header' in refused.content.decode()  # the styled page, not bare text
    assert _log_in("nia.okafor", RIGHT, NEIGHBOUR).status_code == 302


@pytest.mark.django_db
def test_five_wrong_passwords_pause_one_username_at_one_address(nurse, django_user_model):
    django_user_model.objects.create_user("tom.hughes", password=RIGHT)
    for _ in range(5):
        _log_in("nia.okafor", "wrong password", SPRAYER)
    assert _log_in("nia.okafor", RIGHT, SPRAYER).status_code == 429
    assert _log_in("tom.hughes", RIGHT, SPRAYER).status_code == 302
    assert _log_in("nia.okafor", RIGHT, NEIGHBOUR).status_code == 302


@pytest.mark.django_db
def test_a_right_password_does_not_reset_the_addresss_count(nurse):
    """Else one known password would let a sprayer start again every 19 tries."""
    for i in range(19):
        assert _log_in(f"user{i}", "Summer2026!", SPRAYER).status_code == 200
    assert _log_in("nia.okafor", RIGHT, SPRAYER).status_code == 302
    assert _log_in("user19", "Summer2026!", SPRAYER).status_code == 429
    assert _log_in("nia.okafor", RIGHT, SPRAYER).status_code == 429
