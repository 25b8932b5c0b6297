"""The governance commands: demo-setup, create-staff, reindex-search."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.management import CommandError, call_command

from factories import make_person
from wraparound.governance import access
from wraparound.governance.actions import DEMO_STAFF, demo_password
from wraparound.governance.models import Organisation, PersonSearchIndex, Staff, Team
from wraparound.governance.roles import Role

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fast_hashing(settings):
    """These tests set many passwords; PBKDF2 is slow on purpose, so use a fast hasher here."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def run(*args, **kwargs) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, **kwargs)
    return out.getvalue()


def test_demo_setup_is_idempotent_and_prints_working_logins(settings):
    settings.DEBUG = True
    for postcode in ("WV10 1AA", "WV11 1AA", "WV14 1AA", "WV15 1AA"):
        make_person(postcode=postcode)
    first = run("demo-setup")
    second = run("demo-setup")
    assert first == second
    users = get_user_model().objects
    assert users.count() == len(DEMO_STAFF)
    assert Team.objects.count() == 2 and Organisation.objects.count() >= 8
    assert {s.role for s in Staff.objects.all()} == set(Role.values)
    for username, *_ in DEMO_STAFF:
        assert username in first and demo_password(username) in first
        user = users.get(username=username)
        assert user.check_password(demo_password(username))
        validate_password(demo_password(username), user)
    north = Team.objects.get(name="North Neighbourhood Team")
    assert north.neighbourhood == ["WV10 1", "WV11 1"]
    nurse = users.get(username="nurse")
    assert access.search_people(viewer=nurse, query="WV10", ip=None).results[0].relationship in (
        "caseload",
        "assigned",
    )


def test_demo_setup_refuses_outside_debug(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="WRAPAROUND_DEBUG"):
        run("demo-setup")


def test_create_staff(settings):
    out = run(
        "create-staff",
        "j.bloggs",
        "--role",
        "social_worker",
        "--organisation",
        "City Council ASC",
        "--partner",
        "adult_social_care",
        "--team",
        "East",
        "--areas",
        "WV12,WV13 4",
    )
    assert "Password (shown once):" in out
    staff = Staff.objects.get(user__username="j.bloggs")
    assert staff.role == "social_worker"
    assert list(staff.teams.values_list("neighbourhood", flat=True)) == [["WV12", "WV13 4"]]
    with pytest.raises(CommandError, match="too short"):
        run(
            "create-staff",
            "k",
            "--role",
            "clinician",
            "--organisation",
            "City Council ASC",
            "--password",
            "short",
        )
    with pytest.raises(CommandError, match="No organisation"):
        run("create-staff", "k", "--role", "clinician", "--organisation", "Nowhere")
    with pytest.raises(CommandError, match="not a postcode district"):
        run(
            "create-staff",
            "k",
            "--role",
            "clinician",
            "--organisation",
            "City Council ASC",
            "--team",
            "West",
            "--areas",
            "banana",
        )


def test_reindex_search_rebuilds_every_person():
    people = [make_person(index=False, given_name=f"P{i}") for i in range(3)]
    assert not PersonSearchIndex.objects.exists()
    assert "Indexed 3 people" in run("reindex-search")
    assert set(PersonSearchIndex.objects.values_list("person_id", flat=True)) == {
        p.id for p in people
    }
