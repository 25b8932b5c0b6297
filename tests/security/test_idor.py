"""IDOR: asking for records by number (issue 9, item 10; an attack that held in the red-team pass).

A practitioner who types ``/people/<id>/`` for someone they have no relationship with gets the
refusal page or the break-glass page, never the person's data; walking the ids one by one
tells them nothing (a missing id and someone else's id look the same); another practitioner's
break-glass grant opens nothing for them; and the steward's actions refuse everyone else.

Who works with whom is set up here, so the expectations come from this file, not from the gate:
the North team covers WV10, the South team WV1; the volunteer has no team and no assignment.
"""

from __future__ import annotations

import re

import pytest
from django.test import Client

from browser.world import GP_TEXT, HOUSING_TEXT, MENTAL_HEALTH_TEXT, build_world
from wraparound.governance.models import BreakGlass
from wraparound.identity.models import Link, Person
from wraparound.plans.models import PersonWhoMatters, WhatMattersToMe

REFUSAL_TITLE = "No record to show"
BREAK_GLASS_TITLE = "Emergency access to a record"


@pytest.fixture
def world(db):
    return build_world()


def as_user(world, who: str) -> Client:
    client = Client()
    client.force_login(world.users[who])
    return client


def secrets_of(person_ids) -> dict[str, str]:
    """What would give a person away on a page: names, NHS Number, address, date of birth."""
    found = {}
    for p in Person.objects.filter(id__in=person_ids):
        for value in (p.nhs_number, p.address.split(",")[0], p.family_name, p.given_name):
            if value and len(value) > 3:
                found[value] = f"person {p.id}"
        if p.date_of_birth:
            found[f"{p.date_of_birth.day} {p.date_of_birth:%B %Y}"] = f"person {p.id} (birth)"
    for text in (GP_TEXT, HOUSING_TEXT, MENTAL_HEALTH_TEXT, "Chest infection reviewed"):
        found[text] = "a timeline entry"
    return found


def unmasked(html: str) -> str:
    """The page without its per-request CSRF token (the one thing allowed to differ)."""
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html)


def title(html: str) -> str:
    match = re.search(r"<title>(.*?)</title>", html, flags=re.S)
    return match.group(1).split("–")[0].strip() if match else ""


def test_a_practitioner_asking_for_someone_outside_their_work_gets_no_data(world):
    """Albert lives in WV1: the North nurse, housing officer and mental health worker have no
    relationship with him."""
    leaks = secrets_of([world.albert])
    for who in ("nurse", "housing", "mh", "volunteer"):
        response = as_user(world, who).get(f"/people/{world.albert}/")
        html = response.content.decode()
        assert response.status_code in {403, 404} or title(html) == BREAK_GLASS_TITLE, who
        assert title(html) in {REFUSAL_TITLE, BREAK_GLASS_TITLE}, (who, title(html))
        shown = [f"{v} ({k})" for v, k in leaks.items() if v in html]
        assert shown == [], (who, shown)
    # The oracle works: the South nurse, whose team covers WV1, does see him.
    html = as_user(world, "outsider").get(f"/people/{world.albert}/").content.decode()
    assert "Chest infection reviewed" in html and "Jones" in html


@pytest.mark.parametrize("who", ["outsider", "volunteer"])
def test_walking_the_ids_one_by_one_reveals_nobody(world, who):
    """Every id of this world's people and past the last, and the first ids: no data for
    anyone outside the viewer's work, and every refusal is the same page, byte for byte,
    whether the id exists or not.

    Not every id from 1: on PostgreSQL sequences are not rolled back between tests, so after
    the rest of the suite the first id of this world is in the tens of thousands, and a walk
    from 1 cost CI half an hour while proving nothing more (ids below this world's are ids
    that exist no longer, which the first ids and the gaps already cover)."""
    client = as_user(world, who)
    theirs = {world.albert} if who == "outsider" else set()
    everyone = set(Person.objects.values_list("id", flat=True))
    leaks = secrets_of(everyone - theirs)
    for mine in Person.objects.filter(id__in=theirs):  # what they may see is no leak
        for value in (mine.family_name, mine.given_name, mine.nhs_number):
            leaks.pop(value, None)
    refusals = set()
    walk = sorted({*range(1, 6), *range(max(1, min(everyone) - 5), max(everyone) + 6)})
    for person_id in walk:
        if person_id in theirs:
            continue
        response = client.get(f"/people/{person_id}/")
        html = response.content.decode()
        shown = [f"{v} ({k})" for v, k in leaks.items() if v in html]
        assert shown == [], (person_id, shown)
        assert title(html) == REFUSAL_TITLE, (person_id, title(html))
        refusals.add((response.status_code, unmasked(html)))
    assert len(refusals) == 1, "a missing id and someone else's id must look the same"


def test_another_practitioners_break_glass_opens_nothing_for_you(world):
    nurse = as_user(world, "nurse")
    response = nurse.post(
        f"/people/{world.albert}/break-glass/",
        {"reason": "Neighbour called: he has fallen and we need his medication list"},
    )
    assert response.status_code == 302
    assert "Chest infection reviewed" in nurse.get(f"/people/{world.albert}/").content.decode()
    for who in ("housing", "mh", "volunteer"):
        html = as_user(world, who).get(f"/people/{world.albert}/").content.decode()
        assert "Chest infection reviewed" not in html and "9876543210" not in html, who


def test_only_a_steward_sees_or_closes_break_glass_grants(world):
    as_user(world, "nurse").post(
        f"/people/{world.albert}/break-glass/",
        {"reason": "Neighbour called: he has fallen and we need his medication list"},
    )
    grant = BreakGlass.objects.get()
    for who in ("nurse", "housing", "outsider", "volunteer"):
        client = as_user(world, who)
        listing = client.get("/steward/break-glass/")
        assert listing.status_code == 403, who
        assert "he has fallen" not in listing.content.decode()
        closing = client.post(
            f"/steward/break-glass/{grant.id}/close/", {"outcome": "appropriate", "note": "ok"}
        )
        assert closing.status_code == 403, who
    grant.refresh_from_db()
    assert grant.reviewed_at is None


def test_writes_by_number_to_someone_elses_record_change_nothing(world):
    links = list(Link.objects.order_by("id").values_list("id", "person_id"))
    client = as_user(world, "housing")
    forged = {
        f"/people/{world.albert}/what-matters/": {"text": "Forged"},
        f"/people/{world.albert}/people-who-matter/": {
            "name": "Forged",
            "relationship": "Friend",
            "contact": "01632 960 999",
        },
        f"/people/{world.margaret}/split/": {
            "source": "gp",
            "source_record_id": "gp-1",
            "reason": "Forged split",
        },
        f"/people/{world.margaret}/merge/": {
            "other_person_id": world.john_senior,
            "reason": "Forged merge",
        },
    }
    for url, data in forged.items():
        response = client.post(url, data)
        assert response.status_code in {403, 404}, (url, response.status_code)
    assert not WhatMattersToMe.objects.exists() and not PersonWhoMatters.objects.exists()
    assert list(Link.objects.order_by("id").values_list("id", "person_id")) == links
