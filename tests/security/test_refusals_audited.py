"""Issue 9, finding 8: refused privileged actions left no trace, and two commands that print
or write person data (``review list``, ``export-links``) wrote no audit at all.

Now every refusal of a steward page or action, and of a split or merge, is an audit row
``refused`` (who, what they tried); both commands need ``--by`` an active data steward and
are audited under that steward with the people they named.
"""

import csv
import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from factories import make_person, make_source, make_source_record, make_staff, make_team
from wraparound.governance import access
from wraparound.governance.models import AuditEntry, AuditPersonIndex
from wraparound.identity.models import ReviewPair

pytestmark = pytest.mark.django_db

STEWARD_GETS = ["home", "break_glass_reviews", "audit", "access_report", "review_queue"]


@pytest.fixture
def people():
    gp, mh = make_source("gp"), make_source("mental_health")
    a = make_person(given_name="Ann", family_name="Lee", postcode="WV10 6QH")
    b = make_person(given_name="Anne", family_name="Lee", postcode="WV10 6QH")
    ra = make_source_record(source=gp, source_record_id="G1", person=a)
    rb = make_source_record(source=mh, source_record_id="M1", person=b)
    return a, b, ra, rb


def _refused(username: str) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action="refused", username=username).order_by("id"))


@pytest.mark.parametrize("who", ["clinician", "housing_officer", "voluntary_worker"])
def test_every_steward_page_refused_to_anyone_else_is_audited(client, who):
    user = make_staff(role=who, teams=[make_team()], username=f"{who}.x")
    client.force_login(user)
    for name in STEWARD_GETS:
        assert client.get(reverse(f"steward:{name}")).status_code == 403, name
    posts = [
        (reverse("steward:close_break_glass", args=[1]), {"outcome": "appropriate"}),
        (reverse("steward:decide_review_pair", args=[1]), {"decision": "same"}),
    ]
    for url, data in posts:
        assert client.post(url, data).status_code == 403, url
    rows = _refused(user.username)
    assert len(rows) == len(STEWARD_GETS) + len(posts)
    assert all(r.role == who and r.user_id == user.pk for r in rows)
    assert any("/steward/audit/" in r.purpose for r in rows)


def test_a_housing_officers_split_and_merge_attempts_are_audited(client, people):
    a, b, _, _ = people
    team = make_team("North", ["WV10"])
    housing = make_staff(role="housing_officer", teams=[team], username="sam")
    with pytest.raises(access.NoAccess):
        access.merge_people(
            viewer=housing, person_id=a.id, other_person_id=b.id, reason="same", ip="10.0.0.9"
        )
    with pytest.raises(access.NoAccess):
        access.split_link(
            viewer=housing,
            person_id=a.id,
            source="gp",
            source_record_id="G1",
            reason="not her",
            ip="10.0.0.9",
        )
    client.force_login(housing)
    client.post(reverse("record:merge", args=[a.id]), {"other_person_id": b.id, "reason": "x"})
    rows = _refused("sam")
    assert len(rows) >= 3
    assert "merge" in rows[0].purpose and "split" in rows[1].purpose
    assert rows[0].ip == "10.0.0.9"
    assert rows[0].detail["permission"] == "review_linkage"


def test_review_list_needs_a_steward_and_is_audited_with_the_people_it_printed(people):
    _, _, ra, rb = people
    ReviewPair.objects.create(record_a=ra, record_b=rb, match_probability=0.7, reason="names")
    with pytest.raises(CommandError):
        call_command("review", "list", stdout=StringIO())
    nurse = make_staff(role="clinician", username="nia")
    with pytest.raises(CommandError, match="not a data steward"):
        call_command("review", "list", "--by", nurse.username, stdout=StringIO())
    assert not AuditEntry.objects.filter(action="linkage_review").exists()

    steward = make_staff(role="data_steward", username="priya", first_name="Priya")
    out = StringIO()
    call_command("review", "list", "--json", "--by", "priya", stdout=out)
    assert json.loads(out.getvalue())["total"] == 1
    row = AuditEntry.objects.get(action="linkage_review")
    assert (row.username, row.user_id) == ("priya", steward.pk)
    assert sorted(row.detail["person_ids"]) == sorted([ra.link.person_id, rb.link.person_id])
    indexed = set(AuditPersonIndex.objects.filter(entry_id=row.id).values_list("person_id"))
    assert indexed == {(ra.link.person_id,), (rb.link.person_id,)}


def test_export_links_needs_a_steward_and_is_audited_with_which_people(people, tmp_path):
    a, b, _, _ = people
    out = tmp_path / "links.csv"
    with pytest.raises(CommandError):
        call_command("export-links", str(out), stdout=StringIO())
    volunteer = make_staff(role="voluntary_worker", username="ben")
    with pytest.raises(CommandError, match="not a data steward"):
        call_command("export-links", str(out), "--by", volunteer.username, stdout=StringIO())
    assert not out.exists()

    make_staff(role="data_steward", username="priya")
    call_command("export-links", str(out), "--by", "priya", stdout=StringIO())
    with open(out, newline="") as handle:
        rows = list(csv.DictReader(handle))
    row = AuditEntry.objects.get(action="export")
    assert row.username == "priya"
    assert row.detail["rows"] == len(rows) == 2
    assert sorted(row.detail["person_ids"]) == sorted([a.id, b.id])
    assert AuditPersonIndex.objects.filter(entry_id=row.id, person_id=a.id).exists()
