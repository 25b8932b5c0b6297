"""A field that cannot be used costs that field, never the record (issue 8, finding 3).

A date of birth that is not a date, an unknown sex code or text that cannot be a postcode is
kept as recorded in ``SourceRecord.problems``, its column left empty so linkage ignores it, and
shown on the person page in plain words. Quarantine is only for rows that cannot be a record.
"""

import json
from io import StringIO
from pathlib import Path

import pandas as pd
import pytest
from django.core.management import call_command
from django.urls import reverse

from factories import link, make_person, make_staff, make_team
from wraparound.governance import access
from wraparound.identity.actions import read_records
from wraparound.sources.models import QuarantinedRow, SourceRecord

pytestmark = pytest.mark.django_db

HEADER = "source_record_id,nhs_number,given_name,family_name,date_of_birth,sex,postcode,address\n"


def ingest(path: Path, source: str = "gp") -> dict:
    out = StringIO()
    call_command("ingest", "--source", source, "--json", str(path), stdout=out, verbosity=0)
    return json.loads(out.getvalue().strip().splitlines()[-1])


def test_unusable_fields_are_kept_as_recorded_and_the_record_accepted(tmp_path):
    path = tmp_path / "gp.csv"
    path.write_text(
        HEADER
        + "A1,9434765919,Anne,Lee,1945-04-93,female,WV10 6QH,1 Oak Street\n"
        + "A2,,Bill,Lee,1906-02-29,Q,WV10 6QH,1 Oak Street\n"
        + "A3,,Cath,Lee,1950-01-01,F,unknown,1 Oak Street\n"
        + "A4,,Dan,Lee,03/04/1961,,WV10 6QH,1 Oak Street\n",
        encoding="utf-8",
    )
    counts = ingest(path)
    assert (counts["accepted"], counts["quarantined"]) == (4, 0)
    assert not QuarantinedRow.objects.exists()
    kept = {r.source_record_id: r for r in SourceRecord.objects.all()}
    assert kept["A1"].date_of_birth is None and kept["A1"].family_name == "Lee"
    assert kept["A1"].problems == {
        "date_of_birth": {"as_recorded": "1945-04-93", "problem": "not a valid date"}
    }
    assert kept["A1"].nhs_number_valid and kept["A1"].postcode == "WV10 6QH"
    assert kept["A2"].problems["date_of_birth"]["problem"] == "not a valid date"  # not a leap year
    assert kept["A2"].sex == "" and kept["A2"].problems["sex"] == {
        "as_recorded": "Q",
        "problem": "not a known sex code",
    }
    assert str(kept["A3"].date_of_birth) == "1950-01-01" and kept["A3"].sex == "F"
    assert kept["A3"].postcode == "" and kept["A3"].problems == {
        "postcode": {"as_recorded": "unknown", "problem": "not a valid postcode"}
    }
    assert kept["A4"].problems["date_of_birth"]["problem"] == "not a date in YYYY-MM-DD form"
    # Queryable: which records hold a date of birth nobody can use?
    flagged = SourceRecord.objects.filter(problems__has_key="date_of_birth")
    assert sorted(flagged.values_list("source_record_id", flat=True)) == ["A1", "A2", "A4"]
    # Linkage reads the empty columns, never the values kept as recorded.
    frame = read_records().set_index("source_record_id")
    assert pd.isna(frame.loc["A1", "date_of_birth"]) and pd.isna(frame.loc["A2", "date_of_birth"])
    assert frame.loc["A3", "postcode"] is None and frame.loc["A2", "sex"] is None
    assert frame.loc["A1", "given_name"] == "Anne" and frame.loc["A1", "postcode"] == "WV10 6QH"


def test_a_fhir_patient_with_an_impossible_birth_date_is_kept(tmp_path):
    patient = {
        "resourceType": "Patient",
        "id": "p1",
        "name": [{"family": "Lee", "given": ["Anne"]}],
        "birthDate": "1945-04-93",
        "gender": "female",
        "address": [{"postalCode": "wv106qh"}],
    }
    path = tmp_path / "patient.json"
    path.write_text(json.dumps(patient), encoding="utf-8")
    counts = ingest(path, source="acute")
    assert (counts["accepted"], counts["quarantined"]) == (1, 0)
    record = SourceRecord.objects.get()
    assert record.date_of_birth is None and record.postcode == "WV10 6QH"
    assert record.problems == {
        "date_of_birth": {"as_recorded": "1945-04-93", "problem": "not a valid date"}
    }
    assert json.loads(record.payload)["birthDate"] == "1945-04-93"  # kept exactly as sent


def test_an_xml_patient_with_an_impossible_birth_date_is_kept(tmp_path):
    path = tmp_path / "patient.xml"
    path.write_text(
        '<Patient xmlns="http://hl7.org/fhir"><id value="x1"/>'
        '<name><family value="Lee"/><given value="Anne"/></name><gender value="female"/>'
        '<birthDate value="1906-02-29"/></Patient>',
        encoding="utf-8",
    )
    counts = ingest(path, source="acute")
    assert (counts["accepted"], counts["quarantined"]) == (1, 0)
    record = SourceRecord.objects.get()
    assert (record.family_name, record.sex, record.date_of_birth) == ("Lee", "female", None)
    assert record.problems["date_of_birth"]["as_recorded"] == "1906-02-29"


def test_the_person_page_shows_what_was_recorded_in_plain_words(tmp_path, client):
    path = tmp_path / "gp.csv"
    path.write_text(HEADER + "A1,,Anne,Lee,1945-04-93,Q,WV10 6QH,1 Oak Street\n", "utf-8")
    ingest(path)
    person = make_person(given_name="Anne", family_name="Lee", date_of_birth=None)
    link(SourceRecord.objects.get(), person)
    expected = "Date of birth as recorded: 1945-04-93 — not a valid date"

    steward = make_staff(role="data_steward")
    view = access.open_record(viewer=steward, person_id=person.id, purpose="c", ip=None)
    (item,) = view.provenance
    assert item.as_recorded == (
        "date of birth as recorded: 1945-04-93 — not a valid date",
        "sex as recorded: Q — not a known sex code",
    )
    client.force_login(steward)
    html = client.get(reverse("record:person", args=[person.id])).content.decode()
    assert expected in html

    nurse = make_staff(role="clinician", teams=[make_team("North", ["WV10"])])
    client.force_login(nurse)
    response = client.get(reverse("record:person", args=[person.id]))
    assert response.status_code == 200
    assert expected in response.content.decode()
