"""The gate's "cannot do that as asked" (``access.InvalidRequest``) shown on the form that asked.

Each refusal below comes from the gate, not from a form: the view must put the gate's message
in an NHS.UK error summary on the same page (400), never a 500 or a bare redirect, and must
change nothing.
"""

import datetime as dt
import re
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from browser.world import build_world
from factories import make_person
from wraparound.governance.models import BreakGlass
from wraparound.identity.models import Link
from wraparound.plans.models import WhatMattersToMe

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db):
    return build_world()


def as_user(client, world, who):
    client.force_login(world.users[who])
    return client


def error_summary(html: str) -> str:
    """The text of the page's NHS.UK error summary (empty when there is none)."""
    match = re.search(r'<div class="nhsuk-error-summary".*?</ul>', html, re.S)
    return re.sub(r"<[^>]+>", " ", match.group(0)) if match else ""


def grant_for(user, person_id: int, reason: str = "Called out overnight: needs his medicines"):
    """A break-glass grant as the gate writes it (tests may write rows directly)."""
    now = timezone.now()
    return BreakGlass.objects.create(
        user_id=user.pk,
        username=user.username,
        role=user.staff.role,
        organisation=user.staff.organisation.name,
        person_id=person_id,
        reason=reason,
        granted_at=now,
        expires_at=now + dt.timedelta(hours=4),
    )


def test_break_glass_reason_too_short_is_shown_on_the_form(client, world):
    as_user(client, world, "nurse")
    response = client.post(
        reverse("record:break_glass", args=[world.albert]), {"reason": "need it"}
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "at least 3 different words and 20 letters" in error_summary(html)
    assert 'href="#id_reason"' in html
    assert re.search(r"<title>\s*Error: Emergency access", html)
    assert not BreakGlass.objects.exists()


def test_break_glass_minimum_comes_from_the_agreement(client, world, settings, tmp_path):
    stricter = tmp_path / "agreement.yaml"
    text = Path(settings.WRAPAROUND_AGREEMENT).read_text()
    assert "min_reason_length: 20" in text
    stricter.write_text(text.replace("min_reason_length: 20", "min_reason_length: 60"))
    settings.WRAPAROUND_AGREEMENT = str(stricter)
    as_user(client, world, "nurse")
    reason = "Found on the floor by a neighbour, urgent"  # over 20, under 60
    response = client.post(reverse("record:break_glass", args=[world.albert]), {"reason": reason})
    assert response.status_code == 400
    assert "and 60 letters" in error_summary(response.content.decode())
    assert not BreakGlass.objects.exists()


def test_steward_cannot_close_their_own_break_glass_review(client, world):
    steward = world.users["steward"]
    grant = grant_for(steward, world.albert)
    as_user(client, world, "steward")
    response = client.post(
        reverse("steward:close_break_glass", args=[grant.id]),
        {"outcome": "appropriate", "note": ""},
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "Another data steward must review your own break-glass access" in error_summary(html)
    assert f'href="#outcome-{grant.id}-1"' in html  # the summary links to the failed review
    grant.refresh_from_db()
    assert grant.reviewed_at is None


def test_inappropriate_without_a_note_keeps_the_review_open(client, world):
    grant = grant_for(world.users["nurse"], world.albert)
    as_user(client, world, "steward")
    response = client.post(
        reverse("steward:close_break_glass", args=[grant.id]),
        {"outcome": "inappropriate", "note": "   "},
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "Say what follow-up will happen" in error_summary(html)
    assert f'id="outcome-{grant.id}-error"' in html
    assert re.search(rf'id="outcome-{grant.id}-2"[^>]*checked', html)  # the choice is kept
    grant.refresh_from_db()
    assert grant.reviewed_at is None and grant.outcome == ""


def test_closing_a_review_twice_says_it_is_already_closed(client, world):
    grant = grant_for(world.users["nurse"], world.albert)
    as_user(client, world, "steward")
    url = reverse("steward:close_break_glass", args=[grant.id])
    assert client.post(url, {"outcome": "appropriate", "note": ""}).status_code == 302
    response = client.post(url, {"outcome": "unclear", "note": "again"})
    assert response.status_code == 400
    summary = error_summary(response.content.decode())
    assert "already been reviewed" in summary
    grant.refresh_from_db()
    assert grant.outcome == "appropriate"


def test_review_without_an_outcome_is_an_error_on_the_same_page(client, world):
    grant = grant_for(world.users["nurse"], world.albert)
    as_user(client, world, "steward")
    response = client.post(reverse("steward:close_break_glass", args=[grant.id]), {"note": "x"})
    html = response.content.decode()
    assert response.status_code == 400
    assert "Choose an outcome" in error_summary(html)
    assert 'href="#id_outcome"' not in html  # no link to a control that does not exist


def test_merge_with_someone_with_no_linked_records_is_shown_on_the_merge_form(client, world):
    unlinked = make_person(given_name="Margret", family_name="Smith", postcode="WV10 6QP")
    assert not Link.objects.filter(person_id=unlinked.id).exists()
    as_user(client, world, "steward")
    response = client.post(
        reverse("record:merge", args=[world.margaret]),
        {"other_person_id": unlinked.id, "reason": "Same date of birth and address"},
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "Both people need a linked record to merge" in error_summary(html)
    assert "Merge with another record" in html  # the same page, the form is still there
    assert Link.objects.filter(person_id=world.margaret).count() == 4


@pytest.mark.parametrize("other", ["self", "unknown"])
def test_merge_with_self_or_an_unknown_number_is_shown_on_the_merge_form(client, world, other):
    as_user(client, world, "steward")
    other_id = world.margaret if other == "self" else 987_654
    response = client.post(
        reverse("record:merge", args=[world.margaret]),
        {"other_person_id": other_id, "reason": "Same person"},
    )
    assert response.status_code == 400
    summary = error_summary(response.content.decode())
    assert ("different person" in summary) if other == "self" else ("no record" in summary)


@pytest.mark.parametrize("text", ["", "   \n\t  "])
def test_empty_what_matters_is_an_error_on_the_form(client, world, text):
    as_user(client, world, "nurse")
    response = client.post(reverse("record:what_matters", args=[world.margaret]), {"text": text})
    html = response.content.decode()
    assert response.status_code == 400
    assert "Enter what matters to the person" in error_summary(html)
    assert 'href="#id_text"' in html
    assert not WhatMattersToMe.objects.exists()


def test_linkage_decision_that_is_not_a_choice_is_shown_on_the_queue(client, world):
    as_user(client, world, "steward")
    response = client.get(reverse("steward:review_queue"))
    pair_id = int(re.search(r"/steward/linkage-review/(\d+)/decide/", response.content.decode())[1])
    response = client.post(
        reverse("steward:decide_review_pair", args=[pair_id]),
        {"decision": "merge-everything", "reason": "typed by hand"},
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert error_summary(html)
    assert f'href="#reason-{pair_id}"' in html and 'value="typed by hand"' in html
