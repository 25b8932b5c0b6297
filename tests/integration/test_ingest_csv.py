"""Ingesting demographic and activity CSV through the real command and database."""

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

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
    assert first["accepted"] == 6 and first["quarantined"] == 2
    assert again == {**again, "accepted": 0, "updated": 0, "unchanged": 6, "quarantined": 2}
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


def test_only_rows_that_cannot_be_records_are_quarantined_with_a_plain_reason():
    counts = ingest(FIXTURES / "bad_rows.csv")
    assert counts["accepted"] == 3 and counts["quarantined"] == 2
    reasons = dict(QuarantinedRow.objects.values_list("locator", "reason"))
    assert reasons == {
        "bad_rows.csv line 3": "row has no source_record_id",
        "bad_rows.csv line 5": "row has 3 fields but the header has 9",
    }
    row = QuarantinedRow.objects.get(locator="bad_rows.csv line 5")
    assert row.raw == "R4,too,few"
    assert row.run.source.name == "gp"
    # A date not in YYYY-MM-DD form and a postcode that cannot be one cost only that field.
    r3 = SourceRecord.objects.get(source_record_id="R3")
    assert r3.date_of_birth is None and r3.family_name == "Date"
    assert r3.problems == {
        "date_of_birth": {"as_recorded": "12/03/1950", "problem": "not a date in YYYY-MM-DD form"}
    }
    r5 = SourceRecord.objects.get(source_record_id="R5")
    assert r5.postcode == "" and str(r5.date_of_birth) == "1950-03-12"
    assert r5.problems == {
        "postcode": {"as_recorded": "LS1 4AP LS1 4AP LS1 4AP", "problem": "not a valid postcode"}
    }


def test_impossible_dates_are_kept_as_recorded_not_used(tmp_path):
    path = write(tmp_path, "d.csv", "source_record_id,date_of_birth\nA,2023-02-30\nB,1950-3-1\n")
    counts = ingest(path)
    assert (counts["accepted"], counts["quarantined"]) == (2, 0)
    kept = dict(SourceRecord.objects.values_list("source_record_id", "problems"))
    assert kept["A"]["date_of_birth"]["problem"] == "not a valid date"
    assert kept["B"]["date_of_birth"]["as_recorded"] == "1950-3-1"
    assert not SourceRecord.objects.filter(date_of_birth__isnull=False).exists()


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
        "gp: 3 accepted, 0 updated, 0 unchanged, 0 quarantined (3 read from 1 file; "
        "4 lines in the file: 3 rows and 1 other (header, blank, or inside a quoted field))"
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


# --- Quoting: every physical line ends in an outcome (issue 8, finding 2) -------------------

DEMOGRAPHIC_HEADER = "source_record_id,given_name,family_name,date_of_birth,postcode,address\n"


def people_lines(count: int) -> list[str]:
    return [
        f"R{n},Ann{n},Lee,1950-01-{n % 28 + 1:02d},LS1 4AP,{n} Park Row\n" for n in range(count)
    ]


def test_a_stray_quote_costs_only_its_own_line(tmp_path):
    rows = people_lines(1000)
    rows[4] = 'R4,"Anne,Lee,1950-01-05,LS1 4AP,4 Park Row\n'  # an opening quote never closed
    counts = ingest(write(tmp_path, "stray.csv", DEMOGRAPHIC_HEADER + "".join(rows)))
    assert (counts["accepted"], counts["quarantined"], counts["total"]) == (999, 1, 1000)
    # The summary reconciles with the file: 1,001 lines = 1,000 rows + the header.
    assert (counts["lines"], counts["other_lines"]) == (1001, 1)
    held = QuarantinedRow.objects.get()
    assert held.locator == "stray.csv line 6"  # the header is line 1
    assert "quote" in held.reason
    assert held.raw == rows[4].rstrip("\n")
    assert SourceRecord.objects.filter(source_record_id="R999", given_name="Ann999").exists()


def test_a_stray_quote_in_an_activity_csv_costs_only_its_own_line(tmp_path):
    header = "event_id,source_record_id,date,kind,text\n"
    rows = [f"E{n},R{n},2024-05-01,repair,Boiler {n}\n" for n in range(300)]
    rows[10] = 'E10,R10,2024-05-01,repair,"Boiler broken, tenant says\n'
    counts = ingest(write(tmp_path, "act.csv", header + "".join(rows)), source="housing")
    assert (counts["accepted"], counts["quarantined"]) == (299, 1)
    assert QuarantinedRow.objects.get().locator == "act.csv line 12"


def test_a_quote_closed_many_lines_later_costs_only_the_line_that_opened_it(tmp_path):
    rows = people_lines(200)
    rows[3] = 'R3,"Anne,Lee,1950-01-04,LS1 4AP,3 Park Row\n'
    rows[150] = 'R150,Ann150",Lee,1950-01-19,LS1 4AP,150 Park Row\n'  # a quote then a comma
    counts = ingest(write(tmp_path, "late.csv", DEMOGRAPHIC_HEADER + "".join(rows)))
    assert counts["total"] == 200 and (counts["lines"], counts["other_lines"]) == (201, 1)
    held = dict(QuarantinedRow.objects.values_list("locator", "reason"))
    assert set(held) == {"late.csv line 5"}
    assert counts["accepted"] == 199
    assert SourceRecord.objects.get(source_record_id="R150").given_name == 'Ann150"'


def test_a_quote_closed_a_few_lines_later_is_not_allowed_to_join_rows(tmp_path):
    rows = people_lines(20)
    rows[3] = 'R3,"Anne,Lee,1950-01-04,LS1 4AP,3 Park Row\n'
    rows[6] = 'R6,"Ann6",Lee,1950-01-07,LS1 4AP,6 Park Row\n'  # quoted properly on its own
    counts = ingest(write(tmp_path, "few.csv", DEMOGRAPHIC_HEADER + "".join(rows)))
    assert (counts["accepted"], counts["quarantined"], counts["total"]) == (19, 1, 20)
    assert QuarantinedRow.objects.get().locator == "few.csv line 5"
    assert SourceRecord.objects.get(source_record_id="R6").given_name == "Ann6"


def test_a_quote_inside_an_unquoted_field_is_just_a_character(tmp_path):
    text = DEMOGRAPHIC_HEADER + 'R1,Siobhan,O"Brien,1950-01-01,LS1 4AP,1 Park Row\n'
    counts = ingest(write(tmp_path, "obrien.csv", text))
    assert counts["accepted"] == 1
    assert SourceRecord.objects.get().family_name == 'O"Brien'


def test_a_closed_multi_line_address_is_one_row_with_crlf_and_bom(tmp_path):
    text = (
        "\ufeffsource_record_id,given_name,address,postcode\r\n"
        'R1,Ann,"4 Park Row\r\nLeeds",LS1 4AP\r\n'
        "\r\n"
        'R2,Bob,"Flat 2\r\n10 High Street\r\nLeeds",LS2 7HY\r\n'
        'R3,"Cerys, ""Cez""",1 Low Road,LS3 1AA\r\n'
        'R4,Dev,unclosed,"LS4 2AB\r\n'
    )
    path = tmp_path / "multi.csv"
    path.write_bytes(text.encode("utf-8"))
    counts = ingest(path)
    assert (counts["accepted"], counts["quarantined"]) == (3, 1)
    # 9 lines: 4 rows, the header, a blank line, and 3 more lines of the two quoted addresses.
    assert (counts["lines"], counts["other_lines"]) == (9, 5)
    records = {r.source_record_id: r for r in SourceRecord.objects.all()}
    assert records["R1"].address == "4 Park Row\r\nLeeds"
    assert records["R1"].payload == 'R1,Ann,"4 Park Row\r\nLeeds",LS1 4AP'
    assert records["R2"].address == "Flat 2\r\n10 High Street\r\nLeeds"
    assert records["R3"].given_name == 'Cerys, "Cez"'
    held = QuarantinedRow.objects.get()
    assert held.locator == "multi.csv line 9"  # 1 header, 2-3 R1, 4 blank, 5-7 R2, 8 R3
    assert "never closed" in held.reason


def test_a_header_with_an_unclosed_quote_refuses_the_file_naming_the_line(tmp_path):
    path = write(tmp_path, "h.csv", 'source_record_id,"given_name\nR1,Ann\n')
    with pytest.raises(CommandError, match="line 1"):
        ingest(path)
    assert not SourceRecord.objects.exists() and not QuarantinedRow.objects.exists()
