"""XSS through every field that reaches a page (issue 9, item 10; held in the red-team pass).

Each field gets a payload that would run script if it were printed as HTML: a script element,
an attribute break-out with an event handler, and a ``javascript:`` address. A page passes
when the payload is there as text (the HTML parser hands it back unchanged, so it was escaped)
and the parsed page holds no element the payload could have made: no script but our own
files, no ``on...`` attribute, no ``javascript:`` or ``data:`` address, no ``<img src=x>``.

Fields come from partners' feeds (names, addresses, timeline entries, who is involved, the
feed's and organisation's names, linkage evidence), from practitioners' forms (what matters,
people who matter, break-glass reasons), from staff accounts (names, organisations) and from
the address bar (the search box and the audit search echo what was asked).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import quote

import pytest
from django.test import Client

from factories import (
    link,
    make_event,
    make_organisation,
    make_person,
    make_source,
    make_source_record,
    make_staff,
    make_team,
)
from wraparound.governance.access.search import index_people
from wraparound.identity.models import ReviewPair

ATTACK = "<script>alert(1)</script>\"><img src=x onerror=alert(1)>'><svg onload=alert(1)>"
JS_LINK = "javascript:alert(1)"
AUDITED_SEARCH = "XSS-audited search <script>alert(1)</script>"


def payload(field_name: str) -> str:
    """A marker naming the field, then the attack, then a would-be link."""
    return f"XSS-{field_name} {ATTACK} {JS_LINK}"


def short_payload(field_name: str) -> str:
    """For fields that are joined with others into one stored line (a staff name and role
    become "recorded by"): the same attack, without the rest (see test_long_values.py)."""
    return f"XSS-{field_name} <script>alert(1)</script><img src=x onerror=alert(1)>"


class Page(HTMLParser):
    """The parsed page: its visible text, and every element a payload could have made."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.values: list[str] = []  # what form fields are filled with (an echoed query)
        self.dangers: list[str] = []
        self._in_script = False
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        attributes = {name.lower(): (value or "") for name, value in attrs}
        if tag in {"svg", "iframe", "object", "embed", "base", "meta"} and tag != "meta":
            self.dangers.append(f"<{tag}> element")
        if tag == "script":
            self._in_script = True
            if not attributes.get("src", "").startswith("/static/"):
                self.dangers.append(f"script not from our static files: {attrs}")
        if tag == "img" and attributes.get("src") == "x":
            self.dangers.append(f"injected image: {attrs}")
        if tag in {"input", "textarea"} and "value" in attributes:
            self.values.append(attributes["value"])
        for name, value in attributes.items():
            if name.startswith("on"):
                self.dangers.append(f"event handler {name}={value!r} on <{tag}>")
            if name in {"href", "src", "action", "formaction", "xlink:href", "data"}:
                address = re.sub(r"[\x00-\x20]", "", value).lower()
                if address.startswith(("javascript:", "data:text/html", "vbscript:")):
                    self.dangers.append(f"{name}={value!r} on <{tag}>")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script and data.strip():
            self.dangers.append(f"inline script: {data[:80]!r}")
        self.text.append(data)

    @property
    def visible(self) -> str:
        return "".join(self.text)


def test_the_page_check_sees_an_unescaped_payload():
    """The oracle itself: the same payload printed raw must be caught."""
    page = Page(f"<p>{payload('raw')}</p><a href='{JS_LINK}'>x</a>")
    assert len(page.dangers) >= 4
    assert Page("<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>").dangers == []


@dataclass
class Hostile:
    people: dict = field(default_factory=dict)
    users: dict = field(default_factory=dict)
    nhs: str = ""


@pytest.fixture
def hostile(db):
    """A neighbourhood where every stored field carries its own payload."""
    north = make_team("North neighbourhood team", areas=["WV10"])
    south = make_team("South neighbourhood team", areas=["WV1"])
    hostile_org = make_organisation(payload("organisation name"), "community")
    w = Hostile()
    w.users["nurse"] = make_staff(role="clinician", teams=[north], username="nurse.jo")
    # A colleague whose own account carries payloads (name, organisation). They only look
    # and search: what they write is signed with their name (see test_long_values.py).
    w.users["hostile nurse"] = make_staff(
        role="clinician",
        teams=[north],
        organisation=hostile_org,
        username="nurse.hostile",
        first_name=short_payload("staff first name"),
        last_name=short_payload("staff last name"),
    )
    w.users["outsider"] = make_staff(role="clinician", teams=[south], username="nurse.ola")
    w.users["steward"] = make_staff(role="data_steward", username="steward.priya")

    person = make_person(
        given_name=payload("given name"),
        family_name=payload("family name"),
        address=payload("address"),
        postcode="WV10 6QP",
        date_of_birth=dt.date(1942, 3, 3),
    )
    w.nhs = person.nhs_number
    gp = make_source("gp", "gp", display_name=payload("feed name"))
    record = make_source_record(
        source=gp,
        person=person,
        source_record_id=payload("source record id")[:200],
        given_name=payload("record given name"),
    )
    make_event(record, kind=payload("timeline kind")[:100], summary=payload("timeline summary"))
    make_event(
        record,
        summary="District nurse visits",
        extra={
            "involved": {
                "name": payload("involved name"),
                "role": payload("involved role"),
                "organisation": payload("involved organisation"),
                "contact": payload("involved contact"),
            }
        },
    )
    make_event(
        record,
        kind="flag",
        resource_type="Flag",
        code="key_safe",
        summary=payload("flag text"),
    )
    other = make_source_record(source=gp, given_name=payload("pair name"), postcode="WV10 6QP")
    link(other, make_person(postcode="WV10 6QP", index=False))
    ReviewPair.objects.create(
        record_a=record,
        record_b=other,
        match_probability=0.6,
        reason=payload("pair reason"),
        evidence={
            "comparisons": [
                {
                    "comparison": payload("evidence comparison"),
                    "level": payload("evidence level"),
                    "weight": 1.0,
                }
            ]
        },
    )
    far = make_person(postcode="WV1 1AA", family_name="Jones", given_name="Albert")
    index_people([person.id, far.id])
    w.people = {"person": person.id, "far": far.id}

    # Through the forms, as a practitioner would type them.
    nurse = signed_in(w.users["nurse"])
    pid = person.id
    assert (
        nurse.post(f"/people/{pid}/what-matters/", {"text": payload("what matters")}).status_code
        == 302
    )
    added = nurse.post(
        f"/people/{pid}/people-who-matter/",
        {
            "name": payload("person who matters")[:200],
            "relationship": payload("relationship")[:200],
            "contact": payload("contact")[:200],
        },
    )
    assert added.status_code == 302
    # A search lands in the audit trail with its query (a short one: see
    # test_web_attacks.test_a_search_of_many_words_is_answered_not_500).
    colleague = signed_in(w.users["hostile nurse"])
    colleague.get("/", {"q": AUDITED_SEARCH})
    colleague.get(f"/people/{pid}/")
    outsider = signed_in(w.users["outsider"])
    assert (
        outsider.post(
            f"/people/{pid}/break-glass/", {"reason": "Fallen at home: " + payload("reason")}
        ).status_code
        == 302
    )
    return w


def signed_in(user) -> Client:
    # A page that fails answers 500 here (and fails its test) rather than raising in setup.
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


# (field, who looks, where). Every field must be shown to that viewer there, as text.
CASES = [
    ("given name", "nurse", "person"),
    ("family name", "nurse", "person"),
    ("address", "nurse", "person"),
    ("timeline summary", "nurse", "person"),
    ("timeline kind", "nurse", "person"),
    ("feed name", "nurse", "person"),
    ("involved name", "nurse", "person"),
    ("involved role", "nurse", "person"),
    ("involved organisation", "nurse", "person"),
    ("involved contact", "nurse", "person"),
    ("flag text", "nurse", "person"),
    ("what matters", "nurse", "person"),
    ("person who matters", "nurse", "person"),
    ("relationship", "nurse", "person"),
    ("contact", "nurse", "person"),
    ("staff first name", "hostile nurse", "person"),
    ("staff last name", "hostile nurse", "person"),
    ("given name", "nurse", "search by NHS Number"),
    ("address", "nurse", "search by NHS Number"),
    ("feed name", "nurse", "search by NHS Number"),
    ("search query", "nurse", "search echo"),
    ("source record id", "steward", "person"),
    ("record given name", "steward", "person"),
    ("reason", "steward", "break-glass reviews"),
    ("organisation name", "steward", "audit"),
    ("audited search", "steward", "audit"),
    ("audit query", "steward", "audit echo"),
    ("pair reason", "steward", "linkage review"),
    ("evidence comparison", "steward", "linkage review"),
    ("evidence level", "steward", "linkage review"),
    ("pair name", "steward", "linkage review"),
]


def _url(where: str, w: Hostile) -> str:
    pid = w.people["person"]
    return {
        "person": f"/people/{pid}/",
        "search by NHS Number": f"/?q={w.nhs}",
        "search echo": "/?q=" + quote(payload("search query")),
        "break-glass reviews": "/steward/break-glass/",
        "audit": "/steward/audit/?username=nurse.hostile",
        "audit echo": "/steward/audit/?username="
        + quote(payload("audit query")[:150])
        + "&action="
        + quote(payload("audit action")[:64]),
        "linkage review": "/steward/linkage-review/",
    }[where]


@pytest.mark.parametrize(("field_name", "who", "where"), CASES, ids=lambda v: str(v))
def test_a_hostile_field_is_shown_as_text_and_runs_nothing(hostile, field_name, who, where):
    client = signed_in(hostile.users[who])
    response = client.get(_url(where, hostile), follow=True)
    assert response.status_code < 500
    page = Page(response.content.decode())
    assert page.dangers == [], (field_name, where, page.dangers)
    marker = f"XSS-{field_name} <script>alert(1)</script>"
    shown = marker in page.visible or any(marker in value for value in page.values)
    assert shown, f"{field_name} is not shown as text on {where}"


@pytest.mark.parametrize("who", ["nurse", "outsider", "steward"])
def test_no_page_any_viewer_reaches_carries_an_injected_element(hostile, who):
    """Beyond the listed fields: every page of the application, as each viewer."""
    from test_web_attacks import ROUTES

    client = signed_in(hostile.users[who])
    ids = {"person_id": hostile.people["person"]}
    for route in ROUTES:
        if route.name in {"logout"}:
            continue
        url = route.url(ids, default_id=1)
        for page_url in (url, url + "?q=" + quote(payload("q"))):
            response = client.get(page_url)
            assert response.status_code < 500, page_url
            kind = response.get("Content-Type", "")
            if not kind.startswith("text/html"):
                # A download (the plan as FHIR JSON, a CSV) is never rendered as a page: it
                # must say what it is and forbid the browser guessing otherwise.
                assert response.get("X-Content-Type-Options") == "nosniff", page_url
                assert "html" not in kind and "javascript" not in kind, (page_url, kind)
                continue
            dangers = Page(response.content.decode()).dangers
            assert dangers == [], (who, page_url, dangers)
