"""The practitioner's pages through Django's test client, on a small synthetic neighbourhood.

Each role sees exactly what the agreement allows; forms change the record through the gate.
"""

import pytest
from django.urls import reverse

from browser.world import (
    GP_TEXT,
    HOUSING_TEXT,
    MENTAL_HEALTH_TEXT,
    build_world,
)
from wraparound.governance.models import AuditEntry


@pytest.fixture
def world(db):
    return build_world()


def login(client, world, who):
    # force_login: the password form and its throttling are tested in test_security_web.py.
    client.force_login(world.users[who])
    return client


def page(client, url, **params):
    response = client.get(url, params)
    return response, response.content.decode()


def test_search_finds_by_nhs_number_with_any_spacing(client, world):
    login(client, world, "nurse")
    for q in ["943 476 5919", "9434765919", " 943-476-5919 "]:
        response, html = page(client, "/", q=q)
        assert response.status_code == 200
        assert reverse("record:person", args=[world.margaret]) in html, q


def test_search_results_tell_father_and_son_apart(client, world):
    login(client, world, "nurse")
    response, html = page(client, "/", q="john smith")
    assert "1 June 1950" in html and "9 September 1980" in html
    assert "3 Oak Lane" in html
    assert reverse("record:person", args=[world.john_senior]) in html
    assert reverse("record:person", args=[world.john_junior]) in html
    # Nothing sensitive in results: no timeline text, no mental health trust named to a clinician.
    response, html = page(client, "/", q="margaret smith 1942")
    assert "Oak Tree Surgery" in html
    assert "Mental Health" not in html
    assert MENTAL_HEALTH_TEXT not in html and GP_TEXT not in html


def test_search_with_no_results_says_so(client, world):
    login(client, world, "nurse")
    response, html = page(client, "/", q="Zebedee Quartermain")
    assert response.status_code == 200
    assert "No one found" in html


def test_empty_or_overlong_search_is_a_clear_error(client, world):
    login(client, world, "nurse")
    response, html = page(client, "/", q="")
    assert "There is a problem" in html and "Enter a name" in html
    response, html = page(client, "/", q="x" * 500)
    assert "There is a problem" in html


def test_person_not_on_caseload_offers_emergency_access_in_results(client, world):
    login(client, world, "nurse")
    # Someone the nurse does not work with is listed only on full name and date of birth
    # (issue 9, finding 1), with name and date of birth only.
    response, html = page(client, "/", q="albert jones")
    assert "Albert" not in html.split('id="results-heading"')[1]
    response, html = page(client, "/", q="albert jones 12/01/1938")
    assert "You do not work with this person" in html
    assert reverse("record:break_glass", args=[world.albert]) in html
    assert f'href="{reverse("record:person", args=[world.albert])}"' not in html
    assert "1 High Street" not in html and "WV1 1AA" not in html and "987 654 3210" not in html


def test_person_page_in_principle_one_order(client, world):
    login(client, world, "nurse")
    response, html = page(client, reverse("record:person", args=[world.margaret]))
    assert response.status_code == 200
    assert "<title>Margaret Smith – Wraparound</title>" in html
    order = [
        "943 476 5919",
        'id="what-matters"',
        'id="people-who-matter"',
        'id="involved"',
        'id="flags"',
        'id="timeline-heading"',
        'id="provenance"',
    ]
    positions = [html.index(marker) for marker in order]
    assert positions == sorted(positions)
    assert "Key safe by the back door" in html
    assert "Penicillin" in html
    assert "Type 2 diabetes" in html
    assert "Dee Khan" in html and "01632 960 222" in html


def test_clinician_sees_gp_detail_but_not_mental_health(client, world):
    login(client, world, "nurse")
    response, html = page(client, reverse("record:person", args=[world.margaret]))
    assert GP_TEXT in html
    assert MENTAL_HEALTH_TEXT not in html
    assert HOUSING_TEXT not in html  # housing detail is not in a clinician's agreement
    assert 'id="withheld"' in html


def test_mental_health_worker_sees_mental_health_detail(client, world):
    login(client, world, "mh")
    response, html = page(client, reverse("record:person", args=[world.margaret]))
    assert MENTAL_HEALTH_TEXT in html


def test_housing_officer_sees_housing_but_no_clinical_detail(client, world):
    login(client, world, "housing")
    response, html = page(client, reverse("record:person", args=[world.margaret]))
    assert HOUSING_TEXT in html
    assert GP_TEXT not in html and MENTAL_HEALTH_TEXT not in html
    assert "Type 2 diabetes" not in html


def test_timeline_filters_and_pages_newest_first(client, world):
    login(client, world, "nurse")
    url = reverse("record:person", args=[world.margaret])
    response, html = page(client, url)
    assert "Page 1 of 2" in html
    assert html.index(GP_TEXT) < html.index("Repeat prescription issued (1)")
    response, html = page(client, url, kind="medication")
    assert GP_TEXT not in html.split('id="timeline"')[1]
    assert "Repeat prescription issued (1)" in html
    response, html = page(client, url, page="2")
    assert "Page 2 of 2" in html
    # Junk in the query string is 'no filter', not an error.
    response, html = page(client, url, page="abc", partner="<x>")
    assert response.status_code == 200


def test_timeline_htmx_request_gets_only_the_timeline(client, world):
    login(client, world, "nurse")
    url = reverse("record:person", args=[world.margaret])
    response = client.get(
        url, {"kind": "medication"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="timeline"
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith("<section")
    assert "<html" not in html and "What matters to me" not in html
    assert "Repeat prescription issued" in html


def test_what_matters_is_recorded_with_history(client, world):
    login(client, world, "nurse")
    url = reverse("record:what_matters", args=[world.margaret])
    response = client.post(url, {"text": "Staying in my own home with my cat, Biscuit."})
    assert response.status_code == 302
    client.post(url, {"text": "Getting to my granddaughter's wedding in June."})
    response, html = page(client, reverse("record:person", args=[world.margaret]))
    current = html.split('id="what-matters-current"')[1]
    assert current.index("granddaughter") < current.index("Earlier versions")
    assert "Biscuit" in html
    assert "Written by Jo Baker" in html
    assert AuditEntry.objects.filter(action="change", person_id=world.margaret).count() == 2


def test_what_matters_empty_shows_an_error(client, world):
    login(client, world, "nurse")
    response = client.post(reverse("record:what_matters", args=[world.margaret]), {"text": "  "})
    assert response.status_code == 400
    assert "Enter what matters to the person" in response.content.decode()


def test_people_who_matter_can_be_added(client, world):
    login(client, world, "nurse")
    response = client.post(
        reverse("record:people_who_matter", args=[world.margaret]),
        {"name": "Susan Smith", "relationship": "daughter", "contact": "07700 900123"},
    )
    assert response.status_code == 302
    response, html = page(client, reverse("record:person", args=[world.margaret]))
    assert "Susan Smith" in html and "daughter" in html and "07700 900123" in html


def test_no_nhs_number_is_a_clear_warning(client, world):
    login(client, world, "housing")
    response, html = page(client, reverse("record:person", args=[world.nadia]))
    assert response.status_code == 200
    assert "No valid NHS Number" in html


def test_break_glass_opens_the_record_with_a_banner_and_reaches_the_steward(client, world):
    login(client, world, "nurse")
    url = reverse("record:break_glass", args=[world.albert])
    response, html = page(client, url)
    assert "Albert" not in html  # the form names nobody
    response = client.post(url, {"reason": "short"})
    assert response.status_code == 400
    assert "Say in words why you need this record now" in response.content.decode()
    response = client.post(
        url, {"reason": "Called by his neighbour: found on the floor, need his medication"}
    )
    assert response.status_code == 302
    response, html = page(client, reverse("record:person", args=[world.albert]))
    assert response.status_code == 200
    assert 'id="break-glass-banner"' in html and "Chest infection reviewed" in html
    client.logout()
    login(client, world, "steward")
    response, html = page(client, reverse("steward:break_glass_reviews"))
    assert "found on the floor" in html and "Jo Baker" in html


def test_steward_closes_a_break_glass_review(client, world):
    login(client, world, "nurse")
    client.post(
        reverse("record:break_glass", args=[world.albert]),
        {"reason": "Out of hours call: needs his medication list urgently"},
    )
    client.logout()
    login(client, world, "steward")
    response, html = page(client, reverse("steward:break_glass_reviews"))
    grant_id = int(html.split("/steward/break-glass/")[1].split("/close/")[0])
    response = client.post(
        reverse("steward:close_break_glass", args=[grant_id]),
        {"outcome": "appropriate", "note": ""},
    )
    assert response.status_code == 302
    response, html = page(client, reverse("steward:break_glass_reviews"))
    assert "No emergency access is waiting" in html


def test_steward_pages_work_for_a_steward(client, world):
    login(client, world, "steward")
    client.get(reverse("record:person", args=[world.margaret]))
    for name in ["home", "break_glass_reviews", "audit", "access_report", "review_queue"]:
        response = client.get(reverse(f"steward:{name}"))
        assert response.status_code == 200, name
    response, html = page(client, reverse("steward:audit"), username="steward.priya")
    assert "Opened a record" in html or "view_person" in html
    response, html = page(client, reverse("steward:access_report"), person_id=world.margaret)
    assert "Priya Shah" in html and "Data steward" in html  # names and role labels


def test_steward_sees_provenance_detail_and_split_controls(client, world):
    login(client, world, "steward")
    response, html = page(client, reverse("record:person", args=[world.margaret]))
    assert "Split off" in html and "Merge with another record" in html
    login(client, world, "nurse")
    response, html = page(client, reverse("record:person", args=[world.margaret]))
    assert "Split off" not in html and "Merge with another record" not in html


@pytest.mark.parametrize("who", ["nurse", "housing", "volunteer"])
def test_steward_pages_refuse_everyone_else(client, world, who):
    login(client, world, who)
    for name in ["home", "break_glass_reviews", "audit", "access_report", "review_queue"]:
        assert client.get(reverse(f"steward:{name}")).status_code == 403, name
    assert "Data steward" not in client.get("/").content.decode()
