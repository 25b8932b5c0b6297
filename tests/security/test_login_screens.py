"""Issue 9, findings 11 and 12: the password box, and template comments printed as text.

- The login's password box showed what was typed (``type="text"``) and, after a failed login,
  filled the password back into the page in plain text: ``_field.html`` compared
  ``BoundField.widget_type`` with "passwordinput", but Django names it "password".
- A multi-line ``{# ... #}`` comment is not a comment in Django templates (single-line only):
  it was printed at the top of nearly every page.
"""

import re
from pathlib import Path

import pytest

from factories import make_staff

TEMPLATES = Path(__file__).resolve().parents[2] / "src" / "wraparound"
TYPED = "Correct-Horse-Battery-7"


def _password_inputs(html: str) -> list[str]:
    return re.findall(r'<input[^>]*name="password"[^>]*>', html)


@pytest.mark.django_db
def test_the_password_box_hides_what_is_typed(client):
    inputs = _password_inputs(client.get("/login/").content.decode())
    assert len(inputs) == 1
    assert 'type="password"' in inputs[0]
    assert 'autocomplete="current-password"' in inputs[0]


@pytest.mark.django_db
def test_a_failed_login_never_writes_the_password_back_into_the_page(client):
    make_staff(username="sam.nurse")
    response = client.post("/login/", {"username": "sam.nurse", "password": TYPED})
    html = response.content.decode()
    assert response.status_code == 200  # shown the form again, with its error
    assert "Enter a correct username and password" in html
    assert TYPED not in html
    (box,) = _password_inputs(html)
    assert 'type="password"' in box and "value=" not in box
    # The username is kept, so only the password need be typed again.
    assert 'value="sam.nurse"' in html


@pytest.mark.django_db
def test_no_page_shows_template_comment_syntax(client):
    user = make_staff(username="sam.nurse")
    pages = [client.get("/login/")]
    pages.append(client.post("/login/", {"username": "sam.nurse", "password": "wrong"}))
    client.force_login(user)
    pages += [client.get("/"), client.get("/?q=")]  # "Find a person", with its error summary
    for response in pages:
        html = response.content.decode()
        assert "{#" not in html and "#}" not in html, response.request["PATH_INFO"]


def test_no_template_has_a_comment_that_django_would_print():
    """``{# ... #}`` must open and close on one line; longer notes use ``{% comment %}``."""
    offenders = []
    for path in sorted(TEMPLATES.rglob("*.html")):
        if "static" in path.parts:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            for opened in re.finditer(r"\{#", line):
                if "#}" not in line[opened.end() :]:
                    offenders.append(f"{path.relative_to(TEMPLATES)}:{number}")
    assert offenders == []
