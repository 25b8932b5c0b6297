"""Ingesting demographic and activity CSV through the real command and database."""

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from wraparound.sources.models import Event, IngestRun, QuarantinedRow, Source, SourceRecord

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures_ingest"
pytestmark = pytest.mark.django_db


def ingest(*paths, source="gp", partner=None) -> dict:
    """Run ``wraparound ingest --json`` and return the JSON object on its last line."""
    out = StringIO()
    args = ["ingest", "--source", source, "--json", *map(str, paths)]
    if partner:
        args += ["--partner", partner]
    call_command(*args, stdout=out, verbosity=0)
    return json.loads(out.getvalue().strip().splitlines()[-1])


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_demographic_csv_is_stored_normalised_with_extra_columns():
    counts = ingest(FIXTURES / "people.csv")
    assert counts["accepted"] == 3
    assert counts["quarantined"] == 0
    ann = SourceRecord.objects.get(source_record_id="GP001")
    assert ann.format == "csv"
    assert (ann.given_name, ann.family_name) == ("Ann", "Smith")
    assert str(ann.date_of_birth) == "1950-03-12"
    assert ann.nhs_number == "9434765919" and ann.nhs_number_valid
    assert ann.postcode == "LS17 7DF"
    assert ann.address == "4 Sandmoor Drive, Leeds"
    assert ann.extra == {"preferred_language": "English"}
    assert ann.payload.startswith("GP001,943 476 5919,Ann,Smith")
    bashir = SourceRecord.objects.get(source_record_id="GP002")
    assert bashir.nhs_number == "4010232137" and bashir.nhs_number_valid  # dashes removed
    assert bashir.postcode == "LS8 3DR"


def test_invalid_nhs_number_is_kept_and_flagged():
    ingest(FIXTURES / "people.csv")
    cerys = SourceRecord.objects.get(source_record_id="GP003")
    assert cerys.nhs_number == "1234567890"
    assert cerys.nhs_number_valid is False


def test_source_created_on_first_use_with_partner_guessed_or_given():
    ingest(FIXTURES / "people.csv", source="housing_north")
    assert Source.objects.get(name="housing_north").partner == "housing"
    ingest(FIXTURES / "people.csv", source="riverside", partner="voluntary")
    assert Source.objects.get(name="riverside").partner == "voluntary"
    ingest(FIXTURES / "people.csv", source="zebra")
    assert Source.objects.get(name="zebra").partner == "other"


def test_reingesting_the_same_file_changes_nothing():
    first = ingest(FIXTURES / "people.csv", FIXTURES / "bad_rows.csv")
    before = (SourceRecord.objects.count(), QuarantinedRow.objects.count())
    stamps = list(SourceRecord.objects.order_by("pk").values_list("updated_at", flat=True))
    again = ingest(FIXTURES / "people.csv", FIXTURES / "bad_rows.csv")
    assert first["accepted"] == 4 and first["quarantined"] == 4
    assert again == {**again, "accepted": 0, "updated": 0, "unchanged": 4, "quarantined": 4}
    assert (SourceRecord.objects.count(), QuarantinedRow.objects.count()) == before
    assert list(SourceRecord.objects.order_by("pk").values_list("updated_at", flat=True)) == stamps
    assert IngestRun.objects.filter(status="completed").count() == 2


def test_changed_rows_count_as_updated(tmp_path):
    header = "source_record_id,given_name,family_name,postcode\n"
    ingest(write(tmp_path, "day1.csv", header + "A,Ann,Smith,LS1 4AP\nB,Bob,Jones,LS2 7HY\n"))
    counts = ingest(
        write(tmp_path, "day2.csv", header + "A,Ann,Smith-Jones,LS1 4AP\nB,Bob,Jones,LS2 7HY\n")
    )
    assert (counts["accepted"], counts["updated"], counts["unchanged"]) == (0, 1, 1)
    assert SourceRecord.objects.get(source_record_id="A").family_name == "Smith-Jones"
    assert SourceRecord.objects.count() == 2


def test_a_later_file_in_the_same_command_supersedes_an_earlier_one(tmp_path):
    header = "source_record_id,given_name\n"
    one = write(tmp_path, "one.csv", header + "A,Ann\n")
    two = write(tmp_path, "two.csv", header + "A,Anne\n")
    counts = ingest(one, two)
    assert (counts["accepted"], counts["updated"]) == (1, 1)
    assert SourceRecord.objects.get(source_record_id="A").given_name == "Anne"


def test_duplicate_key_within_a_file_is_quarantined_not_doubled(tmp_path):
    path = write(tmp_path, "dup.csv", "source_record_id,given_name\nA,Ann\nA,Anne\nA,Ann\n")
    counts = ingest(path)
    assert (counts["accepted"], counts["unchanged"], counts["quarantined"]) == (1, 1, 1)
    assert SourceRecord.objects.get().given_name == "Ann"
    assert "appears earlier in this file" in QuarantinedRow.objects.get().reason


def test_each_bad_row_is_quarantined_with_a_plain_reason():
    counts = ingest(FIXTURES / "bad_rows.csv")
    assert counts["accepted"] == 1 and counts["quarantined"] == 4
    reasons = dict(QuarantinedRow.objects.values_list("locator", "reason"))
    assert reasons == {
        "bad_rows.csv line 3": "row has no source_record_id",
        "bad_rows.csv line 4": "date_of_birth '12/03/1950' is not a date in YYYY-MM-DD form",
        "bad_rows.csv line 5": "row has 3 fields but the header has 9",
        "bad_rows.csv line 6": "field 'postcode' is 18 characters, over the limit of 16",
    }
    row = QuarantinedRow.objects.get(locator="bad_rows.csv line 4")
    assert row.raw.startswith("R3,9434765919,Bad,Date,12/03/1950")
    assert row.run.source.name == "gp"


def test_impossible_dates_are_quarantined(tmp_path):
    path = write(tmp_path, "d.csv", "source_record_id,date_of_birth\nA,2023-02-30\nB,1950-3-1\n")
    counts = ingest(path)
    assert counts["quarantined"] == 2


def test_hostile_strings_are_stored_verbatim_or_quarantined(tmp_path):
    script = "<script>alert('x')</script>"
    sql = "Robert'); DROP TABLE sources_sourcerecord;--"
    long_text = "x" * 30_000
    path = tmp_path / "hostile.csv"
    path.write_bytes(
        (
            "source_record_id,given_name,family_name,address\n"
            f'H1,"{script}","{sql}",ok\n'
            "H2,Nul\x00Byte,Smith,ok\n"
            f"H3,Long,Address,{long_text}\n"
            "H4,Fine,Row,ok\n"
        ).encode()
        + b"H5,Caf\xe9,Latin1,ok\n"
    )
    counts = ingest(path)
    assert counts["accepted"] == 2 and counts["quarantined"] == 3
    stored = SourceRecord.objects.get(source_record_id="H1")
    assert stored.given_name == script and stored.family_name == sql
    reasons = dict(QuarantinedRow.objects.values_list("locator", "reason"))
    assert reasons["hostile.csv line 3"] == "field 'given_name' contains a NUL character"
    assert reasons["hostile.csv line 4"].startswith("field 'address' is 30000 characters")
    assert reasons["hostile.csv line 6"] == "field 'given_name' is not valid UTF-8 text"
    raw = QuarantinedRow.objects.get(locator="hostile.csv line 6").raw
    assert "\\xe9" in raw  # the bad byte is kept, written out visibly
    assert "\\x00" in QuarantinedRow.objects.get(locator="hostile.csv line 3").raw


def test_bom_and_header_case_are_tolerated(tmp_path):
    path = tmp_path / "bom.csv"
    path.write_bytes("\ufeffSource_Record_ID,Given_Name\r\nA1,Ann\r\n".encode())
    assert ingest(path)["accepted"] == 1
    assert SourceRecord.objects.get().given_name == "Ann"


def test_activity_csv_becomes_timeline_events_with_people_involved():
    ingest(FIXTURES / "people.csv", source="housing")
    counts = ingest(FIXTURES / "activity.csv", source="housing")
    assert counts["accepted"] == 3
    arrears = Event.objects.get(event_id="H-1")
    assert arrears.resource_type == "activity"
    assert arrears.kind == "Rent arrears" and arrears.code == "rent_arrears"
    assert arrears.subject_record_id == "GP001" and arrears.on_timeline
    assert arrears.occurred_at.date().isoformat() == "2024-01-15"
    assert arrears.summary == "Two months behind with rent"
    assert arrears.status == "open"
    assert arrears.extra["amount"] == "412.50"
    assert arrears.extra["tenancy_ref"] == "T-991"  # extra column kept
    assert arrears.extra["organisation"] == "Housing"
    assert arrears.extra["involved"] == [
        {
            "name": "Sam Okafor",
            "role": "Housing officer",
            "organisation": "North tenancy team",
            "contact": "0113 496 0100",
        }
    ]
    assert arrears.sensitive_category == ""
    assert Event.objects.get(event_id="H-3").sensitive_category == "mental_health"
    assert "involved" not in Event.objects.get(event_id="H-2").extra


def test_activity_rows_missing_required_fields_are_quarantined(tmp_path):
    header = "event_id,source_record_id,date,kind,text,category,amount\n"
    path = write(
        tmp_path,
        "act.csv",
        header
        + ",P1,2024-01-01,repair,no id,,\n"
        + "E2,P1,,repair,no date,,\n"
        + "E3,P1,2024-01-01,,no kind,,\n"
        + "E4,,2024-01-01,repair,no person,,\n"
        + "E5,P1,01/01/2024,repair,bad date,,\n"
        + "E6,P1,2024-01-01,repair,bad category,gossip,\n"
        + "E7,P1,2024-01-01,rent_arrears,bad amount,,lots\n"
        + "E8,P1,2024-01-01,repair,fine,,\n",
    )
    counts = ingest(path, source="housing")
    assert counts["accepted"] == 1 and counts["quarantined"] == 7
    reasons = sorted(QuarantinedRow.objects.values_list("reason", flat=True))
    assert reasons == sorted(
        [
            "row has no event_id",
            "row has no date",
            "row has no kind",
            "row has no source_record_id",
            "date '01/01/2024' is not a date in YYYY-MM-DD form",
            "category 'gossip' is not one of: mental_health, sexual_health, safeguarding, "
            "substance_misuse, hiv, gender_identity",
            "amount 'lots' is not a number of pounds",
        ]
    )


def test_mental_health_partner_activity_counts_as_mental_health(tmp_path):
    path = write(
        tmp_path,
        "mh.csv",
        "event_id,source_record_id,date,kind,text\nM1,P1,2024-01-01,review,Routine review\n",
    )
    ingest(path, source="mh_trust", partner="mental_health")
    assert Event.objects.get().sensitive_category == "mental_health"


def test_json_flag_prints_counts_as_the_last_line_and_plain_summary_without_it():
    out = StringIO()
    call_command("ingest", "--source", "gp", str(FIXTURES / "people.csv"), stdout=out)
    assert out.getvalue().strip() == (
        "gp: 3 accepted, 0 updated, 0 unchanged, 0 quarantined (3 read from 1 file)"
    )
    out = StringIO()
    call_command("ingest", "--source", "gp", "--json", str(FIXTURES / "people.csv"), stdout=out)
    last = json.loads(out.getvalue().strip().splitlines()[-1])
    assert {k: last[k] for k in ("accepted", "updated", "unchanged", "quarantined")} == {
        "accepted": 0,
        "updated": 0,
        "unchanged": 3,
        "quarantined": 0,
    }
