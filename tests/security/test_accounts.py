"""Issue 9, item 8 and finding 12: the administrator's accounts screen.

Before: the demo administrator logged in to "Find a person", whose search answered 500 (the
gate refused a role without search and nothing caught it), and there was no accounts screen.
Now the administrator lands on the accounts screen, sees staff and no person data, and every
change that grants or removes access is an audit row written with the change.
"""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from factories import make_organisation, make_person, make_staff, make_team
from wraparound.governance.actions import demo_password, demo_setup
from wraparound.governance.models import AuditEntry, Staff

FAST_HASHERS = [
    "django.contrib.auth.hashers.MD5PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
ADMIN_PAGES = ["/accounts/", "/accounts/new/"]


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = FAST_HASHERS


@pytest.fixture
def admin(client):
    user = make_staff(
        role="administrator", username="alex.admin", first_name="Alex", last_name="Morgan"
    )
    client.force_login(user)
    return user


def _can_log_in(username: str, password: str) -> bool:
    """Through the real login page (axes needs the request, so not ``Client.login``)."""
    response = Client().post("/login/", {"username": username, "password": password})
    return response.status_code == 302


def _changes() -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action=AuditEntry.Action.ACCOUNT_CHANGE).order_by("id"))


def _new_account_form(**overrides) -> dict:
    team = make_team("North Neighbourhood Team", areas=["WV10"])
    org = make_organisation("Community Health NHS Trust", "community")
    data = {
        "first_name": "Nia",
        "last_name": "Okafor",
        "username": "nia.okafor",
        "role": "clinician",
        "organisation": str(org.pk),
        "teams": [str(team.pk)],
        "job_title": "District nurse",
        "phone": "01632 960 101",
        "email": "nia@example.org",
        "password": "",
    }
    data.update(overrides)
    return data


@pytest.mark.django_db
def test_the_demo_administrator_lands_on_the_accounts_screen_not_a_500(client):
    demo_setup(assign_people=0)
    response = client.post(
        "/login/", {"username": "admin", "password": demo_password("admin")}, follow=True
    )
    assert response.redirect_chain[-1][0] == "/accounts/"
    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Staff accounts</h1>" in html
    assert "Nia Okafor" in html and "Clinician (GP, nurse, therapist)" in html
    assert "Find a person" not in html  # no search in the administrator's navigation
    # What used to answer 500: the search, from the page the administrator was shown.
    searched = Client(raise_request_exception=False)
    searched.force_login(get_user_model().objects.get(username="admin"))
    response = searched.get("/?q=Smith")
    assert response.status_code == 302 and response["Location"] == "/accounts/"


@pytest.mark.django_db
def test_the_accounts_screen_lists_staff_and_never_people(client, admin):
    team = make_team("North Neighbourhood Team", areas=["WV10"])
    make_staff(role="housing_officer", teams=[team], first_name="Lena", last_name="Kowalska")
    make_person(given_name="Margaret", family_name="Zebedee")
    html = client.get("/accounts/").content.decode()
    assert "Lena Kowalska" in html
    assert "Housing officer" in html and "housing_officer" not in html
    assert "North Neighbourhood Team" in html
    assert "Zebedee" not in html


@pytest.mark.django_db
def test_a_new_account_gets_a_one_time_password_shown_once_and_audited(client, admin):
    response = client.post("/accounts/new/", _new_account_form())
    assert response.status_code == 200
    html = response.content.decode()
    password = re.search(r'wrap-one-time-password">([^<]+)<', html).group(1)
    assert len(password) >= 12
    assert "no-store" in response["Cache-Control"]
    assert _can_log_in("nia.okafor", password)
    staff = Staff.objects.get(user__username="nia.okafor")
    assert staff.role == "clinician" and staff.job_title == "District nurse"
    assert [t.name for t in staff.teams.all()] == ["North Neighbourhood Team"]
    (entry,) = _changes()
    assert entry.user_id == admin.pk and entry.role == "administrator"
    assert entry.person_id is None
    summary = entry.detail["summary"]
    assert "Alex Morgan made an account for Nia Okafor" in summary
    assert "Clinician (GP, nurse, therapist)" in summary
    assert password not in str(entry.detail)
    # Shown once: the accounts list and the change page never show it again.
    assert password not in client.get("/accounts/").content.decode()
    assert password not in client.get(f"/accounts/{staff.pk}/").content.decode()


@pytest.mark.django_db
def test_a_password_set_by_the_administrator_must_meet_the_rules(client, admin):
    response = client.post("/accounts/new/", _new_account_form(password="password"))
    assert response.status_code == 400
    html = response.content.decode()
    assert "There is a problem" in html
    assert 'type="password"' in html and 'value="password"' not in html
    assert not get_user_model().objects.filter(username="nia.okafor").exists()
    assert _changes() == []
    response = client.post(
        "/accounts/new/", _new_account_form(password="Willow-Harbour-Kestrel-58")
    )
    assert response.status_code == 302
    assert _can_log_in("nia.okafor", "Willow-Harbour-Kestrel-58")


@pytest.mark.django_db
def test_a_taken_username_is_refused_never_overwritten(client, admin):
    existing = make_staff(role="clinician", username="nia.okafor")
    before = existing.password
    response = client.post("/accounts/new/", _new_account_form(username="NIA.okafor"))
    assert response.status_code == 400
    assert "is taken" in response.content.decode()
    existing.refresh_from_db()
    assert existing.password == before
    assert _changes() == []


@pytest.mark.django_db
def test_a_change_of_role_organisation_and_teams_is_audited_and_applies_at_once(client, admin):
    north = make_team("North Neighbourhood Team", areas=["WV10"])
    south = make_team("South Neighbourhood Team", areas=["WV14"])
    user = make_staff(role="clinician", teams=[north], first_name="Tom", last_name="Hughes")
    housing = make_organisation("Wolverhampton Homes", "housing")
    form = _new_account_form(
        first_name="Tom",
        last_name="Hughes",
        role="housing_officer",
        organisation=str(housing.pk),
        teams=[str(south.pk)],
    )
    form.pop("username"), form.pop("password")
    response = client.post(f"/accounts/{user.staff.pk}/", form)
    assert response.status_code == 302
    staff = Staff.objects.get(pk=user.staff.pk)
    assert staff.role == "housing_officer" and staff.organisation == housing
    assert [t.name for t in staff.teams.all()] == ["South Neighbourhood Team"]
    (entry,) = _changes()
    summary = entry.detail["summary"]
    assert "Alex Morgan changed Tom Hughes's account" in summary
    assert "role from 'Clinician (GP, nurse, therapist)' to 'Housing officer'" in summary
    assert "teams from North Neighbourhood Team to South Neighbourhood Team" in summary


@pytest.mark.django_db
def test_switching_an_account_off_ends_its_session_and_on_again_is_audited(client, admin):
    user = make_staff(role="clinician", first_name="Tom", last_name="Hughes")
    theirs = Client()
    theirs.force_login(user)
    assert theirs.get("/").status_code == 200
    assert client.post(f"/accounts/{user.staff.pk}/switch-off/").status_code == 302
    assert theirs.get("/").status_code == 302  # signed out on their very next page
    assert not _can_log_in(user.username, "correct-horse-battery-staple-42")
    assert client.post(f"/accounts/{user.staff.pk}/switch-on/").status_code == 302
    summaries = [e.detail["summary"] for e in _changes()]
    assert summaries == [
        f"Alex Morgan switched off Tom Hughes's account ({user.username}).",
        f"Alex Morgan switched on Tom Hughes's account ({user.username}).",
    ]


@pytest.mark.django_db
def test_a_reset_password_is_shown_once_and_ends_the_old_one(client, admin):
    user = make_staff(role="clinician", first_name="Tom", last_name="Hughes")
    theirs = Client()
    theirs.force_login(user)
    response = client.post(f"/accounts/{user.staff.pk}/reset-password/")
    assert response.status_code == 200
    password = re.search(r'wrap-one-time-password">([^<]+)<', response.content.decode()).group(1)
    assert theirs.get("/").status_code == 302  # the old session ends with the old password
    assert _can_log_in(user.username, password)
    (entry,) = _changes()
    assert "reset the password of Tom Hughes" in entry.detail["summary"]
    assert password not in str(entry.detail)


@pytest.mark.django_db
def test_an_administrator_cannot_switch_off_or_demote_themselves(client, admin):
    response = client.post(f"/accounts/{admin.staff.pk}/switch-off/", follow=True)
    assert "You cannot switch off your own account" in response.content.decode()
    form = _new_account_form(first_name="Alex", last_name="Morgan", role="clinician")
    form.pop("username"), form.pop("password")
    response = client.post(f"/accounts/{admin.staff.pk}/", form)
    assert response.status_code == 400
    # Administrator is a privileged role: it is changed only on the server, never here.
    assert "made and changed on the server" in response.content.decode()
    admin.refresh_from_db()
    assert admin.is_active and admin.staff.role == "administrator"
    assert _changes() == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    "role",
    [
        "clinician",
        "mental_health_worker",
        "social_worker",
        "housing_officer",
        "care_coordinator",
        "voluntary_worker",
        "data_steward",
    ],
)
def test_only_the_administrator_may_use_the_accounts_screen(client, role):
    user = make_staff(role=role)
    target = make_staff(role="clinician", username="target")
    client.force_login(user)
    for path in ADMIN_PAGES + [f"/accounts/{target.staff.pk}/"]:
        assert client.get(path).status_code == 403, path
    assert client.post("/accounts/new/", _new_account_form()).status_code == 403
    assert client.post(f"/accounts/{target.staff.pk}/switch-off/").status_code == 403
    assert client.post(f"/accounts/{target.staff.pk}/reset-password/").status_code == 403
    target.refresh_from_db()
    assert target.is_active
    assert not get_user_model().objects.filter(username="nia.okafor").exists()
    refused = AuditEntry.objects.filter(action=AuditEntry.Action.REFUSED, user_id=user.pk)
    assert refused.count() == 6
    assert _changes() == []


@pytest.mark.django_db
def test_a_login_without_a_staff_profile_is_refused_too(client, django_user_model):
    client.force_login(django_user_model.objects.create_user("nobody", password="x" * 20))
    assert client.get("/accounts/").status_code == 403
    assert AuditEntry.objects.filter(action=AuditEntry.Action.REFUSED).count() == 1


@pytest.mark.django_db
def test_account_forms_need_the_csrf_token(admin):
    forged = Client(enforce_csrf_checks=True)
    forged.force_login(admin)
    target = make_staff(role="clinician")
    assert forged.post("/accounts/new/", _new_account_form()).status_code == 403
    assert forged.post(f"/accounts/{target.staff.pk}/switch-off/").status_code == 403
    target.refresh_from_db()
    assert target.is_active


@pytest.mark.django_db
def test_the_administrators_navigation_offers_accounts_and_no_search(client, admin):
    html = client.get("/accounts/").content.decode()
    assert 'href="/accounts/"' in html and "Staff accounts" in html
    assert "Find a person" not in html and "Data steward" not in html
    nurse = make_staff(role="clinician")
    client.force_login(nurse)
    html = client.get("/").content.decode()
    assert "Find a person" in html and "Staff accounts" not in html
