"""Issue 9, item 8: no page answers 500 for any role.

Every demo role (plus a login without a staff profile, and nobody logged in) asks for every
page in ``record/urls.py``, ``record/steward_urls.py`` and ``accounts/urls.py``, by GET and
by an empty POST, with ids that exist and ids that do not. Each answer must be one a person
can act on: the page (200), a redirect (302), a refused form (400), "you cannot see this"
(403), "no such record" (404) or a wrong method (405); the session keep-alive answers 204, or
401 when nobody is signed in. Before, the administrator's search answered 500.
"""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from factories import make_person, make_staff, make_team
from wraparound.governance.actions import DEMO_STAFF

ALLOWED = {200, 204, 302, 400, 401, 403, 404, 405}
MODULES = ("wraparound.record.urls", "wraparound.record.steward_urls", "wraparound.accounts.urls")


def _patterns() -> list[str]:
    """Every route of the three modules, as mounted, with its ``<int:...>`` left to fill in."""
    routes = []
    for entry in get_resolver().url_patterns:
        if not isinstance(entry, URLResolver) or entry.urlconf_name.__name__ not in MODULES:
            continue
        for pattern in entry.url_patterns:
            assert isinstance(pattern, URLPattern)
            routes.append("/" + str(entry.pattern) + str(pattern.pattern))
    return routes


def _fill(route: str, number: int) -> str:
    parts = route.split("/")
    return "/".join(str(number) if p.startswith("<int:") else p for p in parts)


@pytest.mark.django_db
def test_every_role_gets_a_plain_answer_from_every_page(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    team = make_team("North Neighbourhood Team", areas=["WV10"])
    person = make_person(postcode="WV10 6QH")
    target = make_staff(role="clinician", username="target")  # the accounts pages' subject
    viewers = {"nobody logged in": None}
    for username, role, _partner, team_index, *_ in DEMO_STAFF:
        teams = [team] if team_index == 0 else []
        viewers[username] = make_staff(role=role, teams=teams, username=f"sweep-{username}")
    viewers["no staff profile"] = get_user_model().objects.create_user("sweep-none")
    routes = _patterns()
    assert {"/", "/steward/", "/accounts/"} <= set(routes)
    ids = {person.id, target.staff.pk, 999_999}
    failures = []
    for name, user in viewers.items():
        client = Client(raise_request_exception=False)
        if user is not None:
            client.force_login(user)
        for route in routes:
            paths = {_fill(route, n) for n in ids} if "<int:" in route else {route}
            for path in sorted(paths):
                for method, status in (
                    ("GET", client.get(path).status_code),
                    ("GET ?q", client.get(path, {"q": "Smith 1942"}).status_code),
                    ("POST", client.post(path, {}).status_code),
                ):
                    if status not in ALLOWED:
                        failures.append(f"{name}: {method} {path} -> {status}")
            if user is not None:
                client.force_login(user)  # a POST (log out, reset) may have ended the session
    assert failures == []
