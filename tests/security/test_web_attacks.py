"""Attacks that held in the red-team pass (issue 9, item 10), kept as tests so they keep holding.

Every URL the application answers is found from Django's URL resolver, not from a list written
here, so a form or page added later (the accounts screens, the unusual-searching list) is
covered without anyone remembering to add it:

- CSRF: every URL refuses a POST without a token (Django's CSRF failure page, nothing written),
  and the URLs that take a POST include at least the forms the red team attacked.
- HTTP methods: GET on a POST-only action changes nothing (405); odd verbs never answer 500.
- Session fixation: the session key changes at login (a key planted before login is dead).
- Open redirect: ``next=`` never sends a browser off-site, however it is spelt.
- Security headers on every page, signed in or not: CSP without ``unsafe-inline``, framing
  refused, ``nosniff``, a referrer policy, and ``no-store`` for anything seen signed in.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from django.apps import apps
from django.contrib.sessions.backends.db import SessionStore
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from browser.world import PASSWORD, build_world
from factories import make_staff
from wraparound.governance import access
from wraparound.governance.models import BreakGlass
from wraparound.identity.models import ReviewPair

# Forms the red team attacked by hand; discovery must find each of them (it may find more).
KNOWN_POST_URLS = {
    "record:what_matters",
    "record:people_who_matter",
    "record:break_glass",
    "record:split",
    "record:merge",
    "steward:close_break_glass",
    "steward:decide_review_pair",
    "login",
    "logout",
}
KNOWN_POST_ONLY = KNOWN_POST_URLS - {"record:break_glass", "login"}
ODD_VERBS = ("put", "patch", "delete", "options", "trace")


@dataclass(frozen=True)
class Route:
    name: str  # "namespace:name" (or the pattern itself when unnamed)
    pattern: str  # "people/<int:person_id>/"

    def url(self, ids: dict[str, int], default_id: int) -> str:
        """The route with each ``<converter:name>`` filled with a real object's id."""

        def fill(match: re.Match) -> str:
            converter, name = match.group(1) or "str", match.group(2)
            if converter == "int":
                return str(ids.get(name, default_id))
            return "x"

        return "/" + re.sub(r"<(?:(\w+):)?(\w+)>", fill, self.pattern)


def every_route() -> list[Route]:
    """Every route of the project's URLconf, with its namespaced name (static files aside)."""
    found: list[Route] = []

    def walk(patterns, prefix: str, namespace: str) -> None:
        for entry in patterns:
            if isinstance(entry, URLResolver):
                ns = entry.namespace or ""
                joined = f"{namespace}:{ns}" if namespace and ns else (ns or namespace)
                walk(entry.url_patterns, prefix + str(entry.pattern), joined)
            elif isinstance(entry, URLPattern):
                pattern = prefix + str(entry.pattern)
                if "(?P<" in pattern or pattern.startswith(("static/", "^static")):
                    continue
                name = entry.name or pattern
                found.append(Route(f"{namespace}:{name}" if namespace else name, pattern))

    walk(get_resolver().url_patterns, "", "")
    return found


ROUTES = every_route()


def test_the_resolver_walk_finds_every_page_the_red_team_attacked():
    names = {r.name for r in ROUTES}
    assert KNOWN_POST_URLS | {"record:search", "record:person", "steward:audit"} <= names


@pytest.fixture
def world(db):
    w = build_world()
    # An open break-glass grant and a review pair, so the ids in the URLs are real ones.
    nurse = w.users["nurse"]
    access.request_break_glass(
        viewer=nurse,
        person_id=w.albert,
        reason="Neighbour called: he has fallen and we need his medication list",
        ip=None,
    )
    w.users["admin"] = make_staff(
        role="administrator", username="admin.alex", first_name="Alex", last_name="Morgan"
    )
    return w


def _ids(world) -> dict[str, int]:
    return {
        "person_id": world.margaret,
        "grant_id": BreakGlass.objects.order_by("id").values_list("id", flat=True).first(),
        "pair_id": ReviewPair.objects.order_by("id").values_list("id", flat=True).first(),
        "user_id": world.users["nurse"].id,
        "staff_id": world.users["nurse"].staff.id,
    }


def _url(route: Route, world) -> str:
    return route.url(_ids(world), default_id=world.users["nurse"].id)


def row_counts() -> dict[str, int]:
    """How many rows every model holds (sessions and login throttling aside): a write shows."""
    skip = {"sessions", "axes", "contenttypes", "auth.permission"}
    return {
        m._meta.label: m.objects.count()
        for m in apps.get_models()
        if m._meta.app_label not in skip and m._meta.label_lower not in skip and m._meta.managed
    }


def signed_in(user, *, csrf: bool = True) -> Client:
    """A client that enforces CSRF as a browser's requests would meet it."""
    client = Client(enforce_csrf_checks=csrf)
    client.force_login(user)
    return client


def with_token(client: Client) -> dict:
    """The header a page's own JavaScript would send: the CSRF cookie's value."""
    if "csrftoken" not in client.cookies:
        client.get("/")  # every signed-in page carries the log-out form, which sets the cookie
    if "csrftoken" not in client.cookies:
        client.get("/login/")
    return {"HTTP_X_CSRFTOKEN": client.cookies["csrftoken"].value}


def template_names(response) -> set[str]:
    return {t.name for t in (response.templates or []) if t.name}


# --- CSRF ---------------------------------------------------------------------------------


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: r.name)
def test_every_url_refuses_a_post_without_a_csrf_token(world, route):
    client = signed_in(world.users["steward"])
    before = row_counts()
    response = client.post(_url(route, world), {"text": "Forged", "reason": "Forged request"})
    assert response.status_code == 403, (route.name, response.status_code)
    assert "403_csrf.html" in template_names(response), template_names(response)
    assert row_counts() == before
    # Anonymous visitors (a forged log-in) meet the same refusal.
    anonymous = Client(enforce_csrf_checks=True)
    response = anonymous.post(
        _url(route, world), {"username": "steward.priya", "password": PASSWORD}
    )
    assert response.status_code == 403 and "_auth_user_id" not in anonymous.session


def test_the_urls_that_take_a_post_include_every_form_the_red_team_attacked(world):
    """Found by asking each URL (with a valid token and empty data, so nothing is written)."""
    takes_post = set()
    for route in ROUTES:
        client = signed_in(world.users["steward"])
        response = client.post(_url(route, world), {}, **with_token(client))
        assert response.status_code < 500, (route.name, response.status_code)
        assert "403_csrf.html" not in template_names(response), route.name
        if response.status_code != 405:
            takes_post.add(route.name)
    assert KNOWN_POST_URLS <= takes_post, KNOWN_POST_URLS - takes_post


def test_every_post_form_on_every_page_carries_a_csrf_token(world):
    for who in ("nurse", "steward", "admin"):
        client = signed_in(world.users[who], csrf=False)
        for route in ROUTES:
            html = client.get(_url(route, world)).content.decode()
            for form in re.findall(r"<form\b[^>]*>.*?</form>", html, flags=re.S | re.I):
                opening = form.split(">", 1)[0].lower()
                if 'method="post"' in opening or "method=post" in opening:
                    assert 'name="csrfmiddlewaretoken"' in form, (who, route.name, opening)


# --- HTTP methods -------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(KNOWN_POST_ONLY))
def test_get_on_a_post_only_action_changes_nothing(world, name):
    (route,) = [r for r in ROUTES if r.name == name]
    client = signed_in(world.users["steward"])
    before = row_counts()
    response = client.get(_url(route, world), {"text": "Forged", "outcome": "appropriate"})
    assert response.status_code == 405
    assert row_counts() == before
    assert "_auth_user_id" in client.session  # GET /logout/ did not log out


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: r.name)
def test_odd_http_verbs_never_answer_500_or_write(world, route):
    client = signed_in(world.users["steward"])
    token = with_token(client)
    before = row_counts()
    for verb in ODD_VERBS:
        response = getattr(client, verb)(_url(route, world), **token)
        assert response.status_code < 500, (verb, route.name, response.status_code)
    assert row_counts() == before


# --- Session fixation ---------------------------------------------------------------------


def _log_in(client: Client, username: str, **extra):
    return client.post("/login/", {"username": username, "password": PASSWORD, **extra})


def test_a_session_planted_before_login_is_not_the_one_used_after(world):
    client = Client()
    planted = client.session  # a real, saved session, its cookie in the browser
    planted["planted"] = "by an attacker"
    planted.save()
    planted_key = planted.session_key
    client.cookies["sessionid"] = planted_key
    assert _log_in(client, "nurse.jo").status_code == 302
    after = client.cookies["sessionid"].value
    assert after != planted_key
    assert not SessionStore().exists(planted_key)  # the old key is dead, not merely unused
    # The attacker, holding the planted key, is not signed in.
    attacker = Client()
    attacker.cookies["sessionid"] = planted_key
    response = attacker.get("/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_a_made_up_session_key_is_never_adopted_at_login(world):
    client = Client()
    client.cookies["sessionid"] = "attackerchosenkey0123456789abcdef"
    _log_in(client, "nurse.jo")
    assert client.cookies["sessionid"].value != "attackerchosenkey0123456789abcdef"
    assert client.get("/").status_code == 200


def test_logging_out_ends_the_session_on_the_server(world):
    client = Client()
    _log_in(client, "nurse.jo")
    key = client.cookies["sessionid"].value
    client.post("/logout/")
    assert not SessionStore().exists(key)
    replay = Client()
    replay.cookies["sessionid"] = key
    assert replay.get("/").status_code == 302


def test_the_csrf_token_changes_at_login(world):
    client = Client()
    client.get("/login/")
    before = client.cookies["csrftoken"].value
    _log_in(client, "nurse.jo")
    assert client.cookies["csrftoken"].value != before


# --- Open redirect ------------------------------------------------------------------------

OFF_SITE = [
    "https://evil.example/",
    "http://evil.example",
    "//evil.example",
    "///evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "/\\/evil.example",
    " //evil.example",
    "\t//evil.example",
    "/\t/evil.example",
    "https:evil.example",
    "https:/evil.example",
    "https://testserver@evil.example/",
    "https://testserver.evil.example/",
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "%2F%2Fevil.example",
]


def lands_on_site(location: str) -> bool:
    """Whether a browser following ``location`` stays on this site. Browsers drop tabs and
    newlines, read a backslash as a slash and take any run of two or more leading slashes
    as "another host follows", so ``/\\evil.example`` and ``///evil.example`` leave the site."""
    cleaned = re.sub(r"[\t\r\n]", "", location).replace("\\", "/").strip()
    if cleaned.startswith("//"):
        return False
    if re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", cleaned):  # absolute: only our own origin
        return re.match(r"^https?://testserver(/|$)", cleaned, flags=re.I) is not None
    return True  # a path on this site


@pytest.mark.parametrize("target", OFF_SITE)
def test_login_never_redirects_off_site(world, target):
    client = Client()
    response = _log_in(client, "nurse.jo", next=target)
    assert response.status_code == 302
    assert lands_on_site(response["Location"]), response["Location"]
    # The same ``next`` in the address of the login page (the usual phishing link).
    client = Client()
    response = client.post("/login/?next=" + target, {"username": "nurse.jo", "password": PASSWORD})
    assert lands_on_site(response["Location"]), response["Location"]
    # Already signed in: the login page sends you on at once, and still not off-site.
    response = client.get("/login/", {"next": target})
    assert response.status_code == 302 and lands_on_site(response["Location"])
    # Logging out with a ``next`` does not bounce off-site either.
    response = client.post("/logout/", {"next": target})
    assert response.status_code == 302 and lands_on_site(response["Location"])


def test_lands_on_site_knows_an_off_site_address_when_it_sees_one():
    """The oracle itself: it must say "no" to each attack and "yes" to our own pages."""
    assert not any(lands_on_site(t) for t in OFF_SITE if not t.startswith("%2F"))
    assert lands_on_site("/people/1/") and lands_on_site("http://testserver/")


# --- Hostile input in the address bar ------------------------------------------------------


SEARCHES = {
    "two words": "w0x w1x",
    "ten words": " ".join(f"w{i}x" for i in range(10)),
    "forty words": " ".join(f"w{i}x" for i in range(40)),
    "the longest query the form takes": ("smith 1942 " * 40)[:200],
}


@pytest.mark.parametrize("query", SEARCHES.values(), ids=SEARCHES.keys())
def test_a_search_of_many_words_is_answered_not_500(world, query):
    """Found by this suite: ten short words made the search's nested SQL too deep for
    SQLite's parser ("parser stack overflow"), a 500 for any signed-in user."""
    client = Client(raise_request_exception=False)
    client.force_login(world.users["nurse"])
    assert client.get("/", {"q": query}).status_code < 500


# --- Security headers ---------------------------------------------------------------------

STRICT_REFERRER = {"same-origin", "no-referrer", "strict-origin", "strict-origin-when-cross-origin"}


def _csp(response) -> dict[str, list[str]]:
    policy = response.get("Content-Security-Policy", "")
    directives = {}
    for part in policy.split(";"):
        words = part.split()
        if words:
            directives[words[0]] = words[1:]
    return directives


def assert_security_headers(response, *, signed_in: bool, where: str) -> None:
    csp = _csp(response)
    assert csp, f"{where}: no Content-Security-Policy"
    script = csp.get("script-src", csp.get("default-src"))
    style = csp.get("style-src", csp.get("default-src"))
    assert script and style, where
    for directive in (script, style, csp.get("default-src", [])):
        assert not {"'unsafe-inline'", "'unsafe-eval'", "*", "data:", "http:", "https:"} & set(
            directive
        ), (where, directive)
    assert csp.get("frame-ancestors") == ["'none'"], where
    assert response.get("X-Frame-Options") == "DENY", where
    assert response.get("X-Content-Type-Options") == "nosniff", where
    assert response.get("Referrer-Policy") in STRICT_REFERRER, where
    if signed_in:
        directives = {d.strip() for d in response.get("Cache-Control", "").split(",")}
        assert "no-store" in directives, (where, response.get("Cache-Control"))


@pytest.mark.parametrize("who", ["anonymous", "nurse", "volunteer", "steward", "admin"])
def test_every_page_sends_the_security_headers(world, who):
    client = Client()
    if who != "anonymous":
        client.force_login(world.users[who])
    checked = 0
    for route in ROUTES:
        for url in (_url(route, world), _url(route, world) + "?q=smith"):
            response = client.get(url)
            assert response.status_code < 500, (who, url)
            assert_security_headers(response, signed_in=who != "anonymous", where=f"{who} {url}")
            checked += 1
    # Pages that are not there, and refusals, carry them too.
    for url in ("/no-such-page/", "/people/999999/", "/steward/"):
        assert_security_headers(client.get(url), signed_in=who != "anonymous", where=f"{who} {url}")
    assert checked == 2 * len(ROUTES)
