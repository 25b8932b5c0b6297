"""Security of the web pages that needs no person data: login everywhere, CSRF, headers."""

import pytest
from django.test import Client
from django.urls import reverse

# Every page and form target of the web application, with the method a browser would use.
PAGES = [
    ("get", "/"),
    ("get", "/?q=smith"),
    ("get", "/people/1/"),
    ("post", "/people/1/what-matters/"),
    ("post", "/people/1/people-who-matter/"),
    ("get", "/people/1/break-glass/"),
    ("post", "/people/1/break-glass/"),
    ("post", "/people/1/split/"),
    ("post", "/people/1/merge/"),
    ("get", "/steward/"),
    ("get", "/steward/break-glass/"),
    ("post", "/steward/break-glass/1/close/"),
    ("get", "/steward/audit/"),
    ("get", "/steward/access-report/?person_id=1"),
    ("get", "/steward/linkage-review/"),
    ("post", "/steward/linkage-review/1/decide/"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "url"), PAGES)
def test_every_page_needs_login(client, method, url):
    response = getattr(client, method)(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.django_db
def test_login_page_is_open_and_sends_security_headers(client):
    response = client.get("/login/")
    assert response.status_code == 200
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "style-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.django_db
def test_pages_carry_no_inline_script_or_style(client):
    html = client.get("/login/").content.decode()
    assert "style=" not in html
    for tag in html.split("<script")[1:]:
        assert tag.split(">", 1)[0].strip().count("src=") == 1, "every script must be a file"
    assert "onclick" not in html and "<style" not in html


@pytest.mark.django_db
def test_login_form_refuses_a_post_without_csrf_token(django_user_model):
    django_user_model.objects.create_user("nurse.jo", password="a long enough password")
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        "/login/", {"username": "nurse.jo", "password": "a long enough password"}
    )
    assert response.status_code == 403
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_logout_is_post_only(client, django_user_model):
    user = django_user_model.objects.create_user("nurse.jo", password="a long enough password")
    client.force_login(user)
    assert client.get("/logout/").status_code == 405
    assert "_auth_user_id" in client.session
    response = client.post("/logout/")
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_repeated_wrong_passwords_lock_the_login(client, django_user_model, settings):
    django_user_model.objects.create_user("nurse.jo", password="a long enough password")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/login/", {"username": "nurse.jo", "password": "wrong"})
    response = client.post(
        "/login/", {"username": "nurse.jo", "password": "a long enough password"}
    )
    assert response.status_code == 429
    assert "Too many wrong tries" in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_login_redirects_only_to_our_own_pages(client, django_user_model):
    django_user_model.objects.create_user("nurse.jo", password="a long enough password")
    response = client.post(
        "/login/?next=https://evil.example/",
        {
            "username": "nurse.jo",
            "password": "a long enough password",
            "next": "https://evil.example/",
        },
    )
    assert response.status_code == 302
    assert "evil.example" not in response["Location"]
