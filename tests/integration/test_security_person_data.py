"""Security of the pages that show person data: no IDOR oracle, hostile input stays inert,
CSRF on every form."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from browser.world import build_world
from wraparound.identity.models import Person


@pytest.fixture
def world(db):
    return build_world()


def as_user(world, who, **kwargs):
    client = Client(**kwargs)
    client.force_login(world.users[who])
    return client


def unmasked(html: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html)


def refusal(client, url):
    response = client.get(url)
    return response.status_code, response.content.decode()


@pytest.mark.parametrize("who", ["nurse", "volunteer", "outsider"])
def test_someone_elses_id_looks_exactly_like_a_missing_id(world, who):
    client = as_user(world, who)
    missing = Person.objects.order_by("-id").first().id + 1000
    status_missing, html_missing = refusal(client, reverse("record:person", args=[missing]))
    status_other, html_other = refusal(client, reverse("record:person", args=[world.albert]))
    if who == "outsider":  # Albert is on the South team's caseload: use a North person instead
        status_other, html_other = refusal(client, reverse("record:person", args=[world.margaret]))
    assert status_missing == status_other == 404
    # Identical pages, once the per-response CSRF mask is set aside.
    assert unmasked(html_missing) == unmasked(html_other)
    assert "Albert" not in html_other and "Margaret" not in html_other


def test_writes_to_someone_elses_record_are_refused_the_same_way(world):
    client = as_user(world, "nurse")
    missing = Person.objects.order_by("-id").first().id + 1000
    for person_id in (world.albert, missing):
        response = client.post(
            reverse("record:what_matters", args=[person_id]), {"text": "Sneaky change"}
        )
        assert response.status_code == 404
        response = client.post(
            reverse("record:people_who_matter", args=[person_id]),
            {"name": "X", "relationship": "Y", "contact": ""},
        )
        assert response.status_code == 404
    # A steward-only action by a practitioner is refused too.
    response = client.post(
        reverse("record:merge", args=[world.margaret]),
        {"other_person_id": world.john_senior, "reason": "looks the same"},
    )
    assert response.status_code == 404
    assert Person.objects.filter(id=world.john_senior, retired=False).exists()


def test_break_glass_for_a_missing_id_is_refused(world):
    client = as_user(world, "nurse")
    missing = Person.objects.order_by("-id").first().id + 1000
    response = client.post(
        reverse("record:break_glass", args=[missing]),
        {"reason": "Trying ids one after another to see who exists"},
    )
    assert response.status_code == 404


def test_volunteer_cannot_break_glass(world):
    client = as_user(world, "volunteer")
    response = client.post(
        reverse("record:break_glass", args=[world.albert]),
        {"reason": "I would like to read this record please, it is urgent"},
    )
    assert response.status_code == 404
    assert client.get(reverse("record:person", args=[world.albert])).status_code == 404


def test_hostile_names_and_text_are_shown_as_text(world):
    client = as_user(world, "nurse")
    html = client.get("/", {"q": "o'brien"}).content.decode()
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in html
    response = client.get(reverse("record:person", args=[world.hostile]))
    html = response.content.decode()
    assert response.status_code == 200
    assert (
        "<script>document.title" not in html
        and "<img src=x" not in html
        and "<b>kind</b>" not in html
    )
    assert "&lt;script&gt;document.title" in html
    assert "DROP TABLE identity_person" in html  # shown, harmlessly, as text
    title = html.split("<title>")[1].split("</title>")[0]
    assert "<" not in title
    assert Person.objects.count() >= 6  # the table is still there


def test_hostile_input_through_the_forms_is_stored_and_shown_harmlessly(world):
    client = as_user(world, "nurse")
    hostile = "<script>alert(1)</script>'; DELETE FROM plans_whatmatterstome; -- " + "é" * 50
    response = client.post(reverse("record:what_matters", args=[world.margaret]), {"text": hostile})
    assert response.status_code == 302
    response = client.post(
        reverse("record:people_who_matter", args=[world.margaret]),
        {"name": '"><svg onload=alert(1)>', "relationship": "neighbour", "contact": "' OR 1=1 --"},
    )
    assert response.status_code == 302
    html = client.get(reverse("record:person", args=[world.margaret])).content.decode()
    assert "<script>alert(1)</script>" not in html and "<svg onload" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&quot;&gt;&lt;svg onload=alert(1)&gt;" in html
    assert "' OR 1=1 --" in html.replace("&#x27;", "'")


def test_very_long_input_is_refused_politely(world):
    client = as_user(world, "nurse")
    response = client.post(
        reverse("record:what_matters", args=[world.margaret]), {"text": "a" * 20_000}
    )
    assert response.status_code == 400
    assert "Keep this under" in response.content.decode()
    response = client.get("/", {"q": "smith " * 1000})
    assert response.status_code == 200
    assert "There is a problem" in response.content.decode()


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("record:what_matters", {"text": "Something"}),
        ("record:people_who_matter", {"name": "A", "relationship": "B"}),
        ("record:break_glass", {"reason": "A long enough reason to open the record"}),
        ("record:split", {"source": "gp", "source_record_id": "X", "reason": "r"}),
        ("record:merge", {"other_person_id": 1, "reason": "r"}),
    ],
)
def test_every_person_form_needs_a_csrf_token(world, name, data):
    client = as_user(world, "nurse", enforce_csrf_checks=True)
    response = client.post(reverse(name, args=[world.margaret]), data)
    assert response.status_code == 403
    assert "Your form could not be sent" in response.content.decode()


@pytest.mark.parametrize(
    ("name", "args", "data"),
    [
        ("steward:close_break_glass", [1], {"outcome": "appropriate"}),
        ("steward:decide_review_pair", [1], {"decision": "same"}),
    ],
)
def test_every_steward_form_needs_a_csrf_token(world, name, args, data):
    client = as_user(world, "steward", enforce_csrf_checks=True)
    assert client.post(reverse(name, args=args), data).status_code == 403


def test_forms_on_pages_carry_the_csrf_token(world):
    client = as_user(world, "nurse")
    html = client.get(reverse("record:person", args=[world.margaret])).content.decode()
    posts = html.count('method="post"')
    assert posts >= 3  # what matters, people who matter, logout
    assert html.count('name="csrfmiddlewaretoken"') == posts


def test_person_pages_send_security_headers_and_no_inline_code(world):
    client = as_user(world, "nurse")
    response = client.get(reverse("record:person", args=[world.margaret]))
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    html = response.content.decode()
    assert " style=" not in html and "<style" not in html and "onclick" not in html
    for tag in html.split("<script")[1:]:
        assert "src=" in tag.split(">", 1)[0]
