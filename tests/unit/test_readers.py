"""Reader building blocks: normalising, dates, sensitivity, FHIR mapping and validation."""

import datetime as dt
import json

import pytest

from wraparound.sources import sensitivity
from wraparound.sources.actions import guess_partner
from wraparound.sources.readers.csv import kind_label
from wraparound.sources.readers.fhir import _Walker, validation_error
from wraparound.sources.readers.mapping import FhirMapper
from wraparound.sources.readers.rows import (
    EventRow,
    RecordRow,
    Rejected,
    clean_postcode,
    date_of_birth_problem,
    normalise_postcode,
    parse_fhir_datetime,
    parse_iso_date,
    sex_problem,
    storable,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("ls177df", "LS17 7DF"),
        ("LS17  7DF", "LS17 7DF"),
        (" m1 1ae ", "M1 1AE"),
        ("EC1A1BB", "EC1A 1BB"),
        ("", ""),
        ("X", "X"),
    ],
)
def test_postcodes_are_upper_case_with_one_space_before_the_inward_code(raw, expected):
    assert normalise_postcode(raw) == expected


def test_iso_dates_only():
    assert parse_iso_date("2024-02-29") == dt.date(2024, 2, 29)
    for bad in ("2023-02-29", "29/02/2024", "2024-2-9", "20240229", " 2024-02-29"):
        assert parse_iso_date(bad) is None


def test_fhir_datetimes_partial_and_zoned():
    assert parse_fhir_datetime("2019").isoformat() == "2019-01-01T00:00:00+00:00"
    assert parse_fhir_datetime("2019-07").isoformat() == "2019-07-01T00:00:00+01:00"
    assert parse_fhir_datetime("2019-12-10T13:00:00Z").isoformat() == "2019-12-10T13:00:00+00:00"
    assert parse_fhir_datetime("nonsense") is None


def test_storable_writes_out_nul_and_undecodable_bytes():
    assert storable("a\x00b") == "a\\x00b"
    assert storable(b"caf\xe9".decode("utf-8", "surrogateescape")) == "caf\\xe9"
    assert storable("plain") == "plain"


@pytest.mark.parametrize(
    ("name", "partner"),
    [
        ("gp", "gp"),
        ("adult_social_care", "adult_social_care"),
        ("housing-north", "housing"),
        ("leeds_mh", "mental_health"),
        ("council_tax_2024", "council_tax"),
        ("st-james-hospital", "acute"),
        ("mystery", "other"),
    ],
)
def test_partner_guessed_from_the_source_name(name, partner):
    assert guess_partner(name) == partner


def test_kind_labels_are_readable():
    assert kind_label("rent_arrears") == "Rent arrears"
    assert kind_label("meals_on_wheels") == "Meals on wheels"


@pytest.mark.parametrize(
    ("kwargs", "category"),
    [
        ({"snomed_codes": ["86406008"]}, "hiv"),
        ({"snomed_codes": ["35489007"]}, "mental_health"),
        ({"words": "Alcohol dependence syndrome"}, "substance_misuse"),
        ({"words": "Referral to safeguarding adults team"}, "safeguarding"),
        ({"words": "Chlamydia screening"}, "sexual_health"),
        ({"words": "Gender dysphoria clinic"}, "gender_identity"),
        ({"words": "New walking aids and hearing aids"}, ""),
        ({"words": "Rent arrears letter sent"}, ""),
        ({"words": "Hip review", "partner": "mental_health"}, "mental_health"),
        ({"words": "Hip review", "partner": "mental_health", "clinical": False}, ""),
    ],
)
def test_sensitive_categories(kwargs, category):
    assert sensitivity.category_for(**kwargs) == category


def test_validation_names_the_failing_field():
    assert (
        validation_error({"resourceType": "Patient", "id": "p", "birthDate": "1950-01-01"}) is None
    )
    reason = validation_error({"resourceType": "Patient", "id": "p", "active": "perhaps"})
    assert reason.startswith("failed FHIR validation: Patient.active:")
    reason = validation_error(
        {"resourceType": "Condition", "id": "c", "recordedDate": "01/01/1950"}
    )
    assert reason.startswith("failed FHIR validation: Condition.recordedDate:")


def test_a_patient_with_a_bad_birth_date_or_gender_is_still_valid_as_a_record():
    # Only these fields are set aside (the mapping keeps them as recorded); others still fail.
    for bad in ({"birthDate": "1945-04-93"}, {"birthDate": "01/01/1950"}, {"gender": " x "}):
        assert validation_error({"resourceType": "Patient", "id": "p", **bad}) is None
    mixed = {"resourceType": "Patient", "id": "p", "birthDate": "1945-04-93", "active": "?"}
    assert validation_error(mixed).startswith("failed FHIR validation: Patient.")


def test_patient_fields_that_cannot_be_used_are_kept_as_recorded():
    data = {
        "resourceType": "Patient",
        "id": "p",
        "birthDate": "1906-02-29",
        "gender": "M",
        "address": [{"postalCode": "N/A"}],
        "name": [{"family": "Lee", "given": ["Anne"]}],
    }
    record = mapper().to_item(data, text="{}", digest="h", locator="x")
    assert isinstance(record, RecordRow) and record.family_name == "Lee"
    assert record.date_of_birth is None and record.postcode == ""
    assert record.sex == "M"  # a code partners use: kept and used
    assert record.problems == {
        "date_of_birth": {"as_recorded": "1906-02-29", "problem": "not a valid date"},
        "postcode": {"as_recorded": "N/A", "problem": "not a valid postcode"},
    }
    odd = mapper().to_item({**data, "gender": "zz"}, text="{}", digest="h", locator="x")
    assert odd.sex == "" and odd.problems["sex"]["as_recorded"] == "zz"
    reason = validation_error({"resourceType": "Encounter", "id": "e", "status": "finished"})
    assert reason.startswith("failed FHIR validation: Encounter.class")
    assert validation_error({"resourceType": "Nope"}) == "'Nope' is not a FHIR R4 resource type"
    assert validation_error({"id": "x"}) == "resource has no resourceType"


def test_walker_cuts_out_each_entry_exactly():
    text = (
        '{"resourceType": "Bundle", "type": "batch", "entry": [\n'
        '  {"fullUrl": "urn:uuid:1", "resource": {"resourceType": "Patient",  "id": "1"}},\n'
        '  {"request": {"method": "GET", "url": "Patient/1"}},\n'
        '  {"resource": {"resourceType": "Flag", "id": "f", "note": "a \\"quoted\\" ]}"}}\n'
        '], "id": "b"}'
    )
    entries = _Walker(text).bundle_entries(0)
    assert len(entries) == 3
    start, end, entry = entries[0]  # each entry's span; then its resource's span within it
    inner_start, inner_end = _Walker(text[start:end]).member_span("resource")
    assert text[start:end][inner_start:inner_end] == '{"resourceType": "Patient",  "id": "1"}'
    assert entry["fullUrl"] == "urn:uuid:1"
    assert "resource" not in entries[1][2]
    start, end, _ = entries[2]
    assert json.loads(text[start:end])["resource"]["note"] == 'a "quoted" ]}'


def mapper(partner="acute", full_urls=None, directory=None) -> FhirMapper:
    return FhirMapper(
        partner=partner,
        organisation="Acute trust",
        directory=directory or {},
        full_urls=full_urls or {},
    )


def event(data: dict, **kwargs) -> EventRow:
    item = mapper(**kwargs).to_item(data, text=json.dumps(data), digest="h", locator="x")
    assert isinstance(item, EventRow)
    return item


@pytest.mark.parametrize(
    ("reference", "subject"),
    [
        ("Patient/p1", "p1"),
        ("https://fhir.example.org/R4/Patient/p1", "p1"),
        ("Patient/p1/_history/3", "p1"),
        ("urn:uuid:abc", "abc-id"),
        ("Group/g1", ""),
        ("urn:uuid:unknown", ""),
    ],
)
def test_subject_references_resolve_to_the_patient_id(reference, subject):
    data = {"resourceType": "Flag", "id": "f", "subject": {"reference": reference}}
    found = event(data, full_urls={"urn:uuid:abc": "Patient/abc-id"})
    assert found.subject_record_id == subject
    assert found.on_timeline is bool(subject)


@pytest.mark.parametrize(
    ("klass", "partner", "organisation", "kind"),
    [
        ("EMER", "gp", "", "A&E attendance"),
        ("IMP", "acute", "", "Admission"),
        ("IMP", "mental_health", "", "Mental health admission"),
        ("AMB", "gp", "", "GP encounter"),
        ("AMB", "mental_health", "", "Mental health contact"),
        ("AMB", "community", "", "Community health contact"),
        ("HH", "other", "", "Home visit"),
        ("AMB", "other", "Chapeltown Surgery", "GP encounter"),
        ("AMB", "other", "St James's Hospital", "Outpatient attendance"),
    ],
)
def test_encounter_kinds(klass, partner, organisation, kind):
    data = {"resourceType": "Encounter", "id": "e", "status": "finished", "class": {"code": klass}}
    if organisation:
        data["serviceProvider"] = {"display": organisation}
    assert event(data, partner=partner).kind == kind


def test_patient_without_id_is_refused_and_partial_birth_date_kept_aside():
    refused = mapper().to_item({"resourceType": "Patient"}, text="{}", digest="h", locator="x")
    assert isinstance(refused, Rejected) and refused.reason == "Patient has no id"
    record = mapper().to_item(
        {"resourceType": "Patient", "id": "p", "birthDate": "1950-03"},
        text="{}",
        digest="h",
        locator="x",
    )
    assert isinstance(record, RecordRow)
    assert record.date_of_birth is None and record.extra["birth_date_as_sent"] == "1950-03"


def test_observation_summary_shows_the_value():
    data = {
        "resourceType": "Observation",
        "id": "o",
        "status": "final",
        "code": {"coding": [{"display": "Body weight"}]},
        "valueQuantity": {"value": 72.456, "unit": "kg"},
        "effectivePeriod": {"start": "2024-01-02"},
    }
    found = event(data)
    assert found.summary == "Body weight: 72.46 kg"
    assert found.occurred_at.date() == dt.date(2024, 1, 2)


@pytest.mark.parametrize(
    ("raw", "stored", "problem"),
    [
        ("ls177df", "LS17 7DF", ""),
        ("wv 10 6qh", "WV10 6QH", ""),
        ("LS17", "LS17", ""),  # a partial postcode still says where
        ("4350", "4350", ""),  # another country's (FEBRL) too
        ("N/A", "", "not a valid postcode"),
        ("unknown", "", "not a valid postcode"),
        ("LS17 7D?", "", "not a valid postcode"),
        ("LS1 4AP LS1 4AP LS1 4AP", "", "not a valid postcode"),
        ("", "", ""),
    ],
)
def test_postcodes_that_cannot_be_one_are_set_aside(raw, stored, problem):
    assert clean_postcode(raw) == (stored, problem)


def test_dates_of_birth_and_sex_codes_that_cannot_be_used_say_why():
    assert date_of_birth_problem("1945-04-93") == "not a valid date"
    assert date_of_birth_problem("1906-02-29") == "not a valid date"
    assert date_of_birth_problem("12/03/1950") == "not a date in YYYY-MM-DD form"
    assert date_of_birth_problem("1950-03-12") == ""
    assert [sex_problem(code) for code in ("Female", "M", "unknown", "9")] == [""] * 4
    assert sex_problem("Q") == "not a known sex code"
