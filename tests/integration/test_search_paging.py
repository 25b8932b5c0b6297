"""Search that finishes the job (issue 10, item 6): paging beyond 25 results, and a search box
whose example names find people in the demonstration neighbourhood."""

import csv
import datetime as dt
import re

import pytest
from django.core.management import call_command

from factories import make_person, make_staff, make_team
from wraparound.governance import access
from wraparound.governance.access import search
from wraparound.governance.actions import _demo_areas
from wraparound.governance.models import AuditEntry
from wraparound.identity.models import Person
from wraparound.record.forms import FindPersonForm

pytestmark = pytest.mark.django_db


@pytest.fixture
def smiths():
    team = make_team("North", ["WV10"])
    nurse = make_staff(role="clinician", teams=[team])
    people = [
        make_person(
            given_name=f"Ann{i:02d}",
            family_name="Smith",
            date_of_birth=dt.date(1940 + i, 1, 1),
            postcode="WV10 6QH",
            index=False,
        )
        for i in range(30)
    ]
    search.index_people(p.id for p in people)
    return nurse, {p.id for p in people}


def _ids(found) -> list[int]:
    return [r.person_id for r in found.results]


def test_search_pages_through_every_match_25_at_a_time(smiths):
    nurse, everyone = smiths
    first = access.search_people(viewer=nurse, query="smith", ip=None)
    assert (first.total, first.page, first.pages, len(first.results)) == (30, 1, 2, 25)
    second = access.search_people(viewer=nurse, query="smith", ip=None, page=2)
    assert (second.page, second.pages, len(second.results)) == (2, 2, 5)
    assert set(_ids(first)) | set(_ids(second)) == everyone
    assert not set(_ids(first)) & set(_ids(second))
    # Each page is audited with exactly the people it listed.
    rows = AuditEntry.objects.filter(action="search").order_by("id")
    assert [sorted(r.detail["results"]) for r in rows] == [
        sorted(_ids(first)),
        sorted(_ids(second)),
    ]


def test_a_page_past_the_end_shows_the_last_page(smiths):
    nurse, _ = smiths
    found = access.search_people(viewer=nurse, query="smith", ip=None, page=9)
    assert (found.page, found.pages, len(found.results)) == (2, 2, 5)


def test_strangers_strongly_identified_are_listed_once_on_the_first_page(smiths):
    nurse, _ = smiths
    stranger = make_person(
        given_name="Ann05", family_name="Smith", date_of_birth="1945-01-01", postcode="B1 1AA"
    )
    first = access.search_people(viewer=nurse, query="ann05 smith 1/1/1945", ip=None)
    assert stranger.id in _ids(first)
    assert all(
        stranger.id not in _ids(p)
        for p in [access.search_people(viewer=nurse, query="smith", ip=None, page=2)]
    )


def test_search_page_links_next_and_previous(client, smiths):
    nurse, _ = smiths
    client.force_login(nurse)
    html = client.get("/", {"q": "smith"}).content.decode()
    assert "30 people found (page 1 of 2)" in html
    assert 'href="?q=smith&amp;page=2"' in html and 'rel="prev"' not in html
    html = client.get("/", {"q": "smith", "page": "2"}).content.decode()
    assert "(page 2 of 2)" in html and 'href="?q=smith&amp;page=1"' in html
    html = client.get("/", {"q": "smith", "page": "junk"}).content.decode()
    assert "(page 1 of 2)" in html


def _hint_examples() -> list[str]:
    """The examples the search box offers, as a practitioner reads them."""
    hint = str(FindPersonForm().fields["q"].help_text)
    listed = hint.split("For example:", 1)[1].split(".", 1)[0]
    return [part.strip() for part in re.split(r",| or ", listed) if part.strip()]


@pytest.mark.slow
def test_the_search_box_examples_find_people_in_the_demo(tmp_path):
    """The demonstration's own neighbourhood (``make demo``: 20,000 people, seed 1), as the
    demo's district nurse (the North team) searches it."""
    out = tmp_path / "demo"
    call_command(
        "generate", "--people", "20000", "--seed", "1", "--out", str(out), verbosity=0
    )  # fmt: skip
    with (out / "truth_people.csv").open(newline="") as handle:
        Person.objects.bulk_create(
            Person(
                nhs_number=row["nhs_number"],
                given_name=row["given_name"],
                family_name=row["family_name"],
                date_of_birth=dt.date.fromisoformat(row["date_of_birth"]),
                postcode=row["postcode"],
                address=row["address"],
            )
            for row in csv.DictReader(handle)
        )
    for _ in search.rebuild_all():
        pass
    north, _south = _demo_areas()
    nurse = make_staff(role="clinician", teams=[make_team("North Neighbourhood Team", north)])
    examples = _hint_examples()
    assert len(examples) >= 4, examples
    for example in examples:
        found = access.search_people(viewer=nurse, query=example, ip=None)
        assert found.results, f"the example '{example}' finds no one in the demo"
