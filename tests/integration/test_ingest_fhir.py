"""Ingesting FHIR R4: JSON bundles, single resources, NDJSON, XML and the shared fixtures."""

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from wraparound.sources.models import Event, QuarantinedRow, SourceRecord

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures_ingest"
# Real-world shaped fixtures nobody here wrote (Synthea bundles, UK Core examples), copied into
# the repository so CI always runs these tests.
SHARED = Path(__file__).resolve().parents[1] / "fixtures"
pytestmark = pytest.mark.django_db


def ingest(*paths, source="acute", partner=None) -> dict:
    out = StringIO()
    args = ["ingest", "--source", source, "--json", *map(str, paths)]
    if partner:
        args += ["--partner", partner]
    call_command(*args, stdout=out, verbosity=0)
    return json.loads(out.getvalue().strip().splitlines()[-1])


def test_bundle_resources_become_a_record_and_timeline_events():
    counts = ingest(FIXTURES / "bundle.json")
    # 10 entries: 8 stored, one failing validation, one with no resource.
    assert (counts["accepted"], counts["quarantined"]) == (8, 2)
    dev = SourceRecord.objects.get(source_record_id="11111111-1111-1111-1111-111111111111")
    assert dev.format == "fhir" and dev.nhs_number == "4010232137" and dev.nhs_number_valid
    assert json.loads(dev.payload)["name"][0]["family"] == "Patel"

    visit = Event.objects.get(event_id="Encounter/44444444-4444-4444-4444-444444444444")
    assert visit.subject_record_id == dev.source_record_id  # urn:uuid resolved to the Patient
    assert visit.on_timeline and visit.kind == "A&E attendance"
    assert visit.summary == "Emergency room admission" and visit.status == "finished"
    assert visit.code == "50849002"
    assert visit.occurred_at.isoformat() == "2024-02-03T22:15:00+00:00"
    assert visit.extra["organisation"] == "Leeds General Infirmary"
    assert visit.extra["involved"] == [
        {
            "name": "Ada Okoro",
            "role": "Attending doctor",
            "organisation": "Leeds General Infirmary",
            "contact": "0113 243 0000",
        }
    ]
    low_mood = Event.objects.get(resource_type="Condition")
    assert low_mood.sensitive_category == "mental_health" and low_mood.code == "35489007"
    assert not Event.objects.get(resource_type="Organization").on_timeline

    daughter = Event.objects.get(resource_type="RelatedPerson")
    assert daughter.on_timeline and daughter.subject_record_id == dev.source_record_id
    assert daughter.extra["related_person"] == {
        "name": "Priya Patel",
        "relationship": "daughter",
        "phone": "07700 900456",
    }
    team = Event.objects.get(resource_type="CareTeam")
    assert team.extra["involved"][0] == {
        "name": "Jo Bloggs",
        "role": "District nurse",
        "organisation": "Leeds Community Healthcare",
        "contact": "",
    }
    episode = Event.objects.get(resource_type="EpisodeOfCare")
    assert episode.extra["organisation"] == "Leeds and York Partnership"
    assert episode.extra["involved"][0]["name"] == "Kim Lee"
    assert episode.extra["involved"][0]["role"] == "Care manager"

    reasons = dict(QuarantinedRow.objects.values_list("locator", "reason"))
    assert reasons["bundle.json entry 7"] == "bundle entry has no resource"
    assert reasons["bundle.json entry 6"].startswith(
        "failed FHIR validation: Observation.effectiveDateTime:"
    )


def test_payload_is_the_original_json_text_not_a_re_dump():
    ingest(FIXTURES / "bundle.json")
    text = (FIXTURES / "bundle.json").read_text()
    org = Event.objects.get(resource_type="Organization")
    assert org.payload in text  # exact characters, spacing included
    assert org.payload.startswith('{"resourceType": "Organization"')


def test_single_resource_file():
    assert ingest(FIXTURES / "patient.json")["accepted"] == 1
    ann = SourceRecord.objects.get(source_record_id="pat-1")
    assert (ann.given_name, ann.family_name) == ("Ann", "Smith")  # official name, first given
    assert ann.nhs_number == "9434765919" and ann.nhs_number_valid
    assert ann.phone == "0113 496 0001" and ann.sex == "female"
    assert ann.postcode == "LS17 7DF" and ann.address == "4 Sandmoor Drive, Leeds"
    assert str(ann.date_of_birth) == "1950-03-12"
    assert ann.extra["contacts"] == [
        {"name": "Beth Smith", "relationship": "Daughter", "phone": "07700 900001"}
    ]
    assert ann.payload == (FIXTURES / "patient.json").read_text().strip()


def test_ndjson_lines_each_end_somewhere():
    counts = ingest(FIXTURES / "resources.ndjson")
    assert (counts["accepted"], counts["quarantined"]) == (4, 3)
    eve = SourceRecord.objects.get(source_record_id="nd-1")
    assert eve.nhs_number == "9434765918" and not eve.nhs_number_valid
    flag = Event.objects.get(event_id="Flag/flag-1")
    assert flag.on_timeline and flag.subject_record_id == "nd-1" and flag.kind == "Flag"
    referral = Event.objects.get(event_id="ServiceRequest/sr-1")
    assert referral.kind == "Referral" and referral.summary == "Falls assessment"
    assert {p["role"] for p in referral.extra["involved"]} == {"Referrer", "Referred to"}
    reasons = dict(QuarantinedRow.objects.values_list("locator", "reason"))
    assert "resources.ndjson line 5" not in reasons  # a bad birth date keeps the record
    assert reasons["resources.ndjson line 6"].startswith("failed FHIR validation: Patient.name:")
    assert reasons["resources.ndjson line 7"].startswith("line is not valid JSON")
    assert reasons["resources.ndjson line 8"] == "'Spaceship' is not a FHIR R4 resource type"


def test_fhir_reingest_is_idempotent_and_changes_are_updates(tmp_path):
    first = ingest(FIXTURES / "bundle.json", FIXTURES / "resources.ndjson")
    again = ingest(FIXTURES / "bundle.json", FIXTURES / "resources.ndjson")
    assert again["accepted"] == 0 and again["updated"] == 0
    assert again["unchanged"] == first["accepted"]
    assert again["quarantined"] == first["quarantined"]
    assert QuarantinedRow.objects.count() == first["quarantined"]
    changed = tmp_path / "changed.ndjson"
    changed.write_text(
        (FIXTURES / "resources.ndjson").read_text().replace("Falls assessment", "Falls review")
    )
    third = ingest(changed)
    assert (third["updated"], third["unchanged"]) == (1, 3)
    assert Event.objects.get(event_id="ServiceRequest/sr-1").summary == "Falls review"


def test_mental_health_partner_clinical_detail_is_mental_health(tmp_path):
    path = tmp_path / "mh.ndjson"
    path.write_text(
        '{"resourceType":"Encounter","id":"e1","status":"finished",'
        '"class":{"code":"AMB"},"subject":{"reference":"Patient/p1"}}\n'
        '{"resourceType":"Organization","id":"o1","name":"LYPFT"}\n'
    )
    ingest(path, source="lypft", partner="mental_health")
    visit = Event.objects.get(resource_type="Encounter")
    assert visit.sensitive_category == "mental_health" and visit.kind == "Mental health contact"
    assert Event.objects.get(resource_type="Organization").sensitive_category == ""


def test_hostile_fhir_strings(tmp_path):
    path = tmp_path / "hostile.ndjson"
    path.write_text(
        '{"resourceType":"Patient","id":"h1","name":[{"family":"<img src=x onerror=alert(1)>"}]}\n'
        '{"resourceType":"Patient","id":"h2","name":[{"family":"Nul\\u0000Byte"}]}\n'
        '{"resourceType":"Patient","id":"h3","name":[{"family":"Lone\\ud800Surrogate"}]}\n'
        '{"resourceType":"Patient","id":"h4","name":[{"family":"' + "x" * 300 + '"}]}\n'
    )
    counts = ingest(path)
    assert (counts["accepted"], counts["quarantined"]) == (1, 3)
    assert SourceRecord.objects.get().family_name == "<img src=x onerror=alert(1)>"
    reasons = sorted(QuarantinedRow.objects.values_list("reason", flat=True))
    assert any("NUL character" in r for r in reasons)
    assert any("not valid JSON" in r for r in reasons)
    assert any("'family_name' is 300 characters" in r for r in reasons)


def test_xml_resources_and_bundle(tmp_path):
    patient = tmp_path / "patient.xml"
    patient.write_text(
        '<Patient xmlns="http://hl7.org/fhir"><id value="x1"/>'
        '<identifier><system value="https://fhir.nhs.uk/Id/nhs-number"/>'
        '<value value="9434765919"/></identifier>'
        '<name><use value="official"/><family value="Smith"/><given value="Ann"/></name>'
        '<birthDate value="1950-03-12"/></Patient>'
    )
    bundle = tmp_path / "bundle.xml"
    bundle.write_text(
        '<Bundle xmlns="http://hl7.org/fhir"><type value="collection"/>'
        '<entry><resource><Flag><id value="f1"/><status value="active"/>'
        '<code><text value="Lives alone"/></code><subject><reference value="Patient/x1"/>'
        "</subject></Flag></resource></entry>"
        '<entry><resource><Flag><id value="f2"/><status value="sideways"/>'
        '<code><text value="x"/></code><subject><reference value="Patient/x1"/></subject>'
        '<period><start value="yesterday"/></period></Flag></resource></entry>'
        '<entry><request><method value="GET"/><url value="Patient/x1"/></request></entry>'
        "</Bundle>"
    )
    counts = ingest(patient, bundle)
    assert (counts["accepted"], counts["quarantined"]) == (2, 2)
    assert SourceRecord.objects.get().nhs_number_valid
    flag = Event.objects.get()
    assert flag.subject_record_id == "x1" and flag.summary == "Lives alone" and flag.on_timeline
    assert json.loads(flag.payload)["resourceType"] == "Flag"  # XML is kept as JSON
    reasons = sorted(QuarantinedRow.objects.values_list("reason", flat=True))
    assert reasons[0] == "bundle entry has no resource"
    assert "Flag: Period.start" in reasons[1]


def test_large_ndjson_is_validated_in_worker_processes(tmp_path):
    lines = [
        json.dumps(
            {
                "resourceType": "Observation",
                "id": f"o{i}",
                "status": "final",
                "code": {"text": "Pulse"},
                "subject": {"reference": "Patient/p1"},
                "effectiveDateTime": "2024-01-01" if i != 1500 else "last Tuesday",
            }
        )
        for i in range(2500)
    ]
    path = tmp_path / "big.ndjson"
    path.write_text("\n".join(lines))
    counts = ingest(path)
    assert (counts["accepted"], counts["quarantined"]) == (2499, 1)
    row = QuarantinedRow.objects.get()
    assert row.locator == "big.ndjson line 1501"
    assert "Observation.effectiveDateTime" in row.reason


def test_synthea_fixtures_ingest_without_error():
    files = sorted((SHARED / "synthea-r4").glob("*.json"))
    assert files
    counts = ingest(*files, source="synthea")
    assert counts["quarantined"] == 0
    assert SourceRecord.objects.count() == len(files)
    assert counts["accepted"] + counts["unchanged"] == counts["total"]
    kinds = set(Event.objects.values_list("kind", flat=True))
    assert {"A&E attendance", "Admission", "Condition", "Observation", "Care plan"} <= kinds
    on_timeline = Event.objects.filter(on_timeline=True)
    assert (
        on_timeline.exclude(
            subject_record_id__in=SourceRecord.objects.values("source_record_id")
        ).count()
        == 0
    )
    assert not Event.objects.filter(resource_type="Claim", on_timeline=True).exists()
    named = Event.objects.filter(resource_type="Encounter").first()
    assert named.extra["organisation"] and named.extra["involved"][0]["name"]


def test_ukcore_fixtures_ingest_without_error():
    files = sorted((SHARED / "ukcore").glob("*.xml"))
    assert files
    counts = ingest(*files, source="ukcore", partner="acute")
    # The batch bundle's three entries are requests with no resource: quarantined, said why.
    assert counts["quarantined"] == 3
    assert set(QuarantinedRow.objects.values_list("reason", flat=True)) == {
        "bundle entry has no resource"
    }
    assert counts["accepted"] == len(files) - 1
    richard = SourceRecord.objects.get(source_record_id="UKCore-Patient-RichardSmith-Example")
    assert richard.nhs_number == "9912003888" and richard.nhs_number_valid
    assert richard.postcode == "LS17 7DF" and richard.given_name == "Richard"
    types = set(Event.objects.filter(on_timeline=True).values_list("resource_type", flat=True))
    assert {
        "Encounter",
        "Condition",
        "Observation",
        "CarePlan",
        "EpisodeOfCare",
        "Flag",
        "ServiceRequest",
        "RelatedPerson",
    } <= types
    stay = Event.objects.get(resource_type="Encounter")
    assert stay.kind == "Admission"
    assert stay.extra["organisation"] == "LEEDS TEACHING HOSPITALS NHS TRUST"
    wife = Event.objects.get(resource_type="RelatedPerson")
    assert wife.extra["related_person"]["relationship"] == "wife"
