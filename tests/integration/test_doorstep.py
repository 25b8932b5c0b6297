"""The doorstep summary and "who is involved" (issue 10, items 1 and 4), through the gate.

A district nurse at the door needs, first: the safety flags in their own words, allergies with
the reaction, current medicines with the dose, whether a DNACPR decision, ReSPECT form or
advance care plan is in place, the named lead and how to reach them, and the last contact
note; each item following the sharing agreement like any other. "Who is involved" is told as a
person would tell it: who works with me now, by organisation, one line each, in plain words.

Partners' items arrive the real way where it matters: FHIR resources made by the synthetic
generator's own builders, ingested with ``wraparound ingest``, linked to a person, opened
through ``access.open_record``. Expectations are written out by hand from the agreement
(``agreement.yaml``), not computed with the lens.
"""

import datetime as dt
import json
from io import StringIO
from pathlib import Path

import orjson
import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from factories import (
    assign,
    link,
    make_event,
    make_person,
    make_source_record,
    make_staff,
    make_team,
    set_sharing,
)
from wraparound.governance import access
from wraparound.governance.models import AuditEntry
from wraparound.sources.models import Event, SourceRecord
from wraparound.synthetic import doorstep as made
from wraparound.synthetic.clinical import ALLERGIES, Worker

pytestmark = pytest.mark.django_db

DOCTOR = Worker("Dr Amira Hassan", "GP", "Oak Tree Surgery", "01632 960 300")
MARCH_3 = dt.datetime(2026, 3, 3, 10, 0)
PENICILLIN = next(a for a in ALLERGIES if a.code == "91936005")
PEANUTS = next(a for a in ALLERGIES if a.code == "91935009")


def _ingest(tmp_path: Path, resources: list[dict], *, source: str, partner: str) -> None:
    feed = tmp_path / f"{source}.ndjson"
    feed.write_bytes(b"\n".join(orjson.dumps(r) for r in resources) + b"\n")
    out = StringIO()
    call_command(
        "ingest", "--source", source, "--partner", partner, "--json", str(feed), stdout=out
    )
    counts = json.loads(out.getvalue().strip().splitlines()[-1])
    assert counts["quarantined"] == 0, counts


def _patient(record_id: str) -> dict:
    return {
        "resourceType": "Patient",
        "id": record_id,
        "name": [{"family": "Shaw", "given": ["Margaret"]}],
        "birthDate": "1942-03-03",
        "address": [{"postalCode": "WV10 6QH"}],
    }


@pytest.fixture
def home(tmp_path):
    """Margaret Shaw: her GP's feed (FHIR, ingested) and a community trust's record."""
    north = make_team("North", ["WV10"])
    person = make_person(given_name="Margaret", family_name="Shaw", postcode="WV10 6QH")
    rid = "gp-p-1"
    resources = [
        _patient(rid),
        made.allergy_intolerance("alg-1", rid, PENICILLIN, recorded=MARCH_3, recorder=DOCTOR),
        made.allergy_intolerance("alg-2", rid, PEANUTS, recorded=MARCH_3, recorder=DOCTOR),
        made.medication_request(
            "med-1",
            rid,
            name="Amlodipine 5 mg tablets",
            dose="One tablet once a day",
            category="",
            status="active",
            authored=MARCH_3,
            requester=DOCTOR,
        ),
        made.medication_request(
            "med-2",
            rid,
            name="Simvastatin 40 mg tablets",
            dose="One tablet at night",
            category="",
            status="stopped",
            authored=MARCH_3 - dt.timedelta(days=400),
            requester=DOCTOR,
        ),
        # An antidepressant is mental health information: no label, its name is enough.
        made.medication_request(
            "med-3",
            rid,
            name="Sertraline 50 mg tablets",
            dose="One tablet once a day",
            category="",
            status="active",
            authored=MARCH_3,
            requester=DOCTOR,
        ),
        made.dnacpr_flag("dnacpr-1", rid, start=MARCH_3, author=DOCTOR),
    ]
    _ingest(tmp_path, resources, source="gp", partner="gp")
    link(SourceRecord.objects.get(source_record_id=rid), person)
    community = make_source_record(source="community", person=person)
    make_event(
        community,
        kind="Flag",
        resource_type="Flag",
        status="active",
        summary="Dog on premises: ask for it to be shut away before the visit",
        on_timeline=False,
    )
    make_event(
        community,
        kind="Flag",
        resource_type="Flag",
        status="active",
        summary="Key safe by the back door: code from daughter",
        on_timeline=False,
    )
    return north, person


def _open(user, person):
    return access.open_record(viewer=user, person_id=person.id, purpose="home visit", ip=None)


# --- 1. the doorstep, for the nurse -------------------------------------------------------------


def test_nurse_sees_flags_in_full_allergies_with_reaction_and_current_medicines(home):
    north, person = home
    nurse = make_staff(role="clinician", teams=[north])
    d = _open(nurse, person).doorstep

    assert sorted(f.text for f in d.flags) == [
        "Dog on premises: ask for it to be shut away before the visit",
        "Key safe by the back door: code from daughter",
    ]
    assert {(a.substance, a.reaction) for a in d.allergies} == {
        ("Penicillin", "Urticaria"),
        ("Peanuts", "Anaphylaxis (severe)"),
    }
    # Active only (the stopped statin is not at the door); sertraline is mental health, which
    # a clinician's agreement does not list: withheld, and counted in one line.
    assert [(m.name, m.dose) for m in d.medicines] == [
        ("Amlodipine 5 mg tablets", "One tablet once a day")
    ]
    assert d.withheld.startswith("1 item of this summary is withheld under the sharing agreement")
    assert "Priya Shah" in d.withheld and "mental" not in d.withheld.lower()


def test_dnacpr_in_place_and_no_respect_form_in_plain_words(home):
    north, person = home
    nurse = make_staff(role="clinician", teams=[north])
    decisions = {c.kind: c for c in _open(nurse, person).doorstep.care_decisions}
    assert decisions["dnacpr"].status == "DNACPR in place since 3 March 2026 (GP practice)"
    assert decisions["dnacpr"].in_place
    assert decisions["respect"].status == "No ReSPECT form recorded"
    assert decisions["advance_care_plan"].status == "No advance care plan recorded"
    assert _open(nurse, person).doorstep.not_recorded == (
        "No ReSPECT form or advance care plan recorded"
    )


def test_a_withdrawn_dnacpr_is_not_in_place(home, tmp_path):
    north, person = home
    withdrawn = made.dnacpr_flag("dnacpr-1", "gp-p-1", start=MARCH_3, author=DOCTOR)
    withdrawn["status"] = "inactive"
    _ingest(tmp_path, [withdrawn], source="gp", partner="gp")  # the same resource, updated
    nurse = make_staff(role="clinician", teams=[north])
    decision = _open(nurse, person).doorstep.care_decisions[0]
    assert not decision.in_place
    assert decision.status == "No DNACPR in place (the last one ended on 3 March 2026)"


def test_respect_form_and_advance_care_plan_from_the_generator_are_recognised(home, tmp_path):
    north, person = home
    community = SourceRecord.objects.get(source__name="community")
    resources = [
        _patient(community.source_record_id),
        made.respect_form(
            "respect-1",
            community.source_record_id,
            text=made.RESPECT_TEXTS[0],
            date=MARCH_3,
            author=DOCTOR,
        ),
        made.advance_care_plan(
            "acp-1",
            community.source_record_id,
            text=made.ADVANCE_CARE_PLAN_TEXTS[0],
            start=MARCH_3,
            author=DOCTOR,
        ),
    ]
    _ingest(tmp_path, resources, source="community", partner="community")
    nurse = make_staff(role="clinician", teams=[north])
    decisions = {c.kind: c for c in _open(nurse, person).doorstep.care_decisions}
    assert decisions["respect"].status == (
        "ReSPECT form in place since 3 March 2026 (Community trust)"
    )
    assert "not for attempted CPR" in decisions["respect"].detail
    assert decisions["advance_care_plan"].in_place
    assert Event.objects.get(event_id="DocumentReference/respect-1").kind == "ReSPECT form"


# --- 2. the same doorstep for other roles ---------------------------------------------------------


def test_mental_health_worker_sees_the_antidepressant(home):
    north, person = home
    mh = make_staff(role="mental_health_worker", teams=[north])
    names = {m.name for m in _open(mh, person).doorstep.medicines}
    assert names == {"Amlodipine 5 mg tablets", "Sertraline 50 mg tablets"}


@pytest.mark.parametrize("role", ["housing_officer", "voluntary_worker"])
def test_housing_and_volunteer_see_safety_items_and_the_lead_but_no_medicines_or_dnacpr(home, role):
    north, person = home
    viewer = make_staff(role=role, teams=[north])
    lead = make_staff(role="clinician", first_name="Jo", last_name="Baker", phone="01632 960 555")
    assign(lead, person, role_in_care="Lead")
    assign(viewer, person)  # a volunteer has no neighbourhood: referred or assigned only
    d = _open(viewer, person).doorstep

    assert len(d.flags) == 2 and {a.substance for a in d.allergies} == {"Penicillin", "Peanuts"}
    assert d.medicines == [] and not d.may_see_medicines
    assert not any(c.in_place for c in d.care_decisions) and not d.may_see_care_decisions
    assert [(lead.name, lead.phone) for lead in d.leads] == [("Jo Baker", "01632 960 555")]
    # Two medicines and the DNACPR decision: withheld, in one line that names no category.
    assert d.withheld.startswith("3 items of this summary are withheld")


def test_volunteer_page_says_in_plain_words_what_is_not_shared(client, home):
    north, person = home
    volunteer = make_staff(role="voluntary_worker")
    assign(volunteer, person)
    client.force_login(volunteer)
    html = client.get(reverse("record:person", args=[person.id])).content.decode()
    doorstep = html.split('id="doorstep"')[1].split("</section>")[0]
    assert "Medicines are not shared with your role." in doorstep
    assert "DNACPR, ReSPECT and advance care plans are not shared with your role." in doorstep
    assert "Amlodipine" not in html and "DNACPR in place" not in html
    assert "Penicillin" in doorstep and "Dog on premises" in doorstep
    assert doorstep.count('id="doorstep-withheld"') == 1


def test_an_objection_hides_medicines_from_other_organisations_but_not_the_dnacpr(home):
    north, person = home
    set_sharing(person, objects_to_sharing=True)
    nurse = make_staff(role="clinician", teams=[north])  # community trust: the GP is another
    d = _open(nurse, person).doorstep
    assert d.medicines == []
    assert d.care_decisions[0].in_place  # vital interests: the decision reaches the door
    assert {a.substance for a in d.allergies} == {"Penicillin", "Peanuts"}


# --- 3. the named lead, the last contact note -------------------------------------------------


def test_no_named_lead_is_said_and_a_lead_is_shown_with_how_to_reach_them(client, home):
    north, person = home
    nurse = make_staff(role="clinician", teams=[north])
    client.force_login(nurse)
    url = reverse("record:person", args=[person.id])
    assert "No named lead." in client.get(url).content.decode()

    lead = make_staff(
        role="care_coordinator",
        first_name="Rosa",
        last_name="Diaz",
        phone="01632 960 777",
        organisation="Oak Tree Surgery",
    )
    assign(lead, person, role_in_care="Key worker")
    assign(nurse, person, role_in_care="District nurse")
    d = _open(nurse, person).doorstep
    assert [(x.name, x.role, x.organisation, x.phone) for x in d.leads] == [
        ("Rosa Diaz", "Key worker", "Oak Tree Surgery", "01632 960 777")
    ]
    html = client.get(url).content.decode()
    lead_row = html.split('id="doorstep-lead"')[1].split("</div>")[0]
    assert "Rosa Diaz" in lead_row and "01632 960 777" in lead_row


def test_last_contact_note_and_note_flags_follow_the_agreement(home):
    north, person = home
    nurse = make_staff(role="clinician", teams=[north], first_name="Dee", last_name="Khan")
    housing = make_staff(role="housing_officer", teams=[north])
    access.write_contact_note(
        viewer=nurse,
        person_id=person.id,
        how="home_visit",
        text="Dressing changed on left leg; healing well",
        is_safety_flag=True,
        flag_text="Cat in the kitchen: allergic visitors beware",
        ip=None,
    )
    d = _open(nurse, person).doorstep
    assert d.last_contact.text == "Dressing changed on left leg; healing well"
    assert d.last_contact.written_by == "Dee Khan"
    assert "Cat in the kitchen: allergic visitors beware" in [f.text for f in d.flags]

    # Housing has no detail from the community trust: no note, but the safety flag.
    seen_by_housing = _open(housing, person)
    assert seen_by_housing.doorstep.last_contact is None
    assert "Cat in the kitchen: allergic visitors beware" in [
        f.text for f in seen_by_housing.doorstep.flags
    ]
    assert "Dressing changed" not in " ".join(e.summary for e in seen_by_housing.timeline.entries)

    # The nurse's timeline has the note under the team's own organisation.
    entries = _open(nurse, person).timeline.entries
    note = next(e for e in entries if e.kind == "Contact note")
    assert "Dressing changed on left leg" in note.summary and "Dee Khan" in note.summary


def test_notes_merge_into_the_timeline_in_date_order_across_pages(home):
    north, person = home
    nurse = make_staff(role="clinician", teams=[north])
    community = SourceRecord.objects.get(source__name="community")
    now = timezone.now()
    for days in (1, 3, 5):
        make_event(
            community, summary=f"Visit {days} days ago", occurred_at=now - dt.timedelta(days)
        )
    for days in (2, 4):
        access.write_contact_note(
            viewer=nurse,
            person_id=person.id,
            how="phone_call",
            text=f"Note {days} days ago",
            occurred_at=now - dt.timedelta(days=days),
            ip=None,
        )
    pages = [
        access.open_record(
            viewer=nurse,
            person_id=person.id,
            purpose="c",
            ip=None,
            timeline_page=n,
            page_size=2,
            timeline_kind=None,
        ).timeline
        for n in (1, 2, 3)
    ]
    order = [e.summary.split(" (")[0] for p in pages for e in p.entries][:5]
    assert order == [
        "Visit 1 days ago",
        "Phone call: Note 2 days ago",
        "Visit 3 days ago",
        "Phone call: Note 4 days ago",
        "Visit 5 days ago",
    ]
    assert pages[0].total >= 5 and "Contact note" in pages[0].kinds


# --- 4. who is involved ---------------------------------------------------------------------------


def _encounter(record, *, name, role, organisation, days_ago, kind="GP encounter", **extra):
    return make_event(
        record,
        kind=kind,
        resource_type=extra.pop("resource_type", "Encounter"),
        status=extra.pop("status", "finished"),
        occurred_at=timezone.now() - dt.timedelta(days=days_ago),
        extra={"involved": [{"name": name, "role": role, "organisation": organisation}]},
    )


def test_who_is_involved_is_one_line_each_in_plain_words_current_first(home):
    north, person = home
    gp = SourceRecord.objects.get(source__name="gp")
    acute = make_source_record(source="acute", person=person)
    for days in (10, 40, 90):  # three encounters with the same GP: one line
        _encounter(gp, name="Dr Amira Hassan", role="Primary performer", organisation="Oak Tree Surgery", days_ago=days)  # fmt: skip
    _encounter(gp, name="Dr Amira Hassan", role="Author", organisation="", days_ago=20)
    _encounter(acute, name="Dr Tom Reed", role="PPRF", organisation="City Hospital", days_ago=700, kind="A&E attendance")  # fmt: skip
    make_event(
        make_source_record(source="community", person=person),
        kind="Episode of care",
        resource_type="EpisodeOfCare",
        status="active",
        occurred_at=timezone.now() - dt.timedelta(days=800),  # opened long ago, still open
        extra={
            "involved": [
                {
                    "name": "Dee Khan",
                    "role": "Care manager",
                    "organisation": "Community Health NHS Trust",
                }
            ]
        },  # fmt: skip
    )
    nurse = make_staff(role="clinician", teams=[north], first_name="Jo", last_name="Baker")
    assign(nurse, person, role_in_care="Lead")
    view = _open(nurse, person)

    now = {
        g.organisation: [(i.name, i.role, i.is_lead) for i in g.people] for g in view.involved_now
    }
    assert now["Oak Tree Surgery"] == [("Dr Amira Hassan", "GP", False)]
    assert now["Community Health NHS Trust"] == [("Dee Khan", "Care manager", False)]
    lead_org = view.involved_now[0]
    assert [(i.name, i.is_lead) for i in lead_org.people] == [("Jo Baker", True)]
    before = {g.organisation: [(i.name, i.role) for i in g.people] for g in view.involved_before}
    assert before == {"City Hospital": [("Dr Tom Reed", "A&E doctor")]}
    names = [i.name for g in view.involved_now + view.involved_before for i in g.people]
    assert len(names) == len(set(names)) == 4


def test_who_is_involved_page_has_no_fhir_words_and_folds_older_involvement(client, home):
    north, person = home
    gp = SourceRecord.objects.get(source__name="gp")
    _encounter(gp, name="Dr Amira Hassan", role="Primary performer", organisation="Oak Tree Surgery", days_ago=5)  # fmt: skip
    _encounter(gp, name="Dr Old Locum", role="Author", organisation="Oak Tree Surgery", days_ago=600)  # fmt: skip
    client.force_login(make_staff(role="clinician", teams=[north]))
    html = client.get(reverse("record:person", args=[person.id])).content.decode()
    section = html.split('aria-labelledby="involved"')[1].split("</section>")[0]
    for fhir_word in ("Primary performer", "Author", "PPRF", "{score}"):
        assert fhir_word not in section
    current, older = section.split('id="involved-before"')
    assert "Dr Amira Hassan" in current and "Dr Old Locum" not in current
    assert "Dr Old Locum" in older and "<details" in section


# --- 5. the page: doorstep first, audited --------------------------------------------------------


def test_doorstep_comes_before_everything_else_and_is_audited(client, home):
    north, person = home
    client.force_login(make_staff(role="clinician", teams=[north]))
    html = client.get(reverse("record:person", args=[person.id])).content.decode()
    positions = [
        html.index(marker)
        for marker in (
            'id="doorstep"',
            "Dog on premises: ask for it to be shut away",
            "Penicillin",
            "DNACPR in place since 3 March 2026",
            "Amlodipine 5 mg tablets",
            'id="what-matters"',
        )
    ]
    assert positions == sorted(positions)
    assert "safety flags</strong>" not in html  # no longer just a count
    entry = AuditEntry.objects.filter(action="view_person", person_id=person.id).latest("id")
    assert entry.detail["doorstep"]["medicines"] == 1
    assert entry.detail["doorstep"]["withheld"] == 1
    assert entry.detail["doorstep"]["care_decisions"] == ["dnacpr"]


# --- 6. the generator -----------------------------------------------------------------------------


def _generate(out: Path) -> None:
    call_command("generate", people=1500, seed=5, out=str(out), stdout=StringIO())


def test_generator_gives_a_believable_share_doorstep_resources_valid_as_r4b(tmp_path):
    from fhir.resources.R4B import get_fhir_model_class

    _generate(tmp_path)
    patients: dict[str, set[str]] = {}
    for name in ("gp_activity.ndjson", "community_activity.ndjson"):
        for line in (tmp_path / name).read_bytes().splitlines():
            resource = orjson.loads(line)
            kind = resource["resourceType"]
            code = (resource.get("code") or {}).get("coding", [{}])[0].get("code")
            if kind == "Flag" and code == made.NOT_FOR_CPR.code:
                kind = "DNACPR"
            elif kind == "CarePlan" and resource.get("title") == "Advance care plan":
                kind = "Advance care plan"
            elif kind not in (
                "AllergyIntolerance",
                "MedicationRequest",
                "MedicationStatement",
                "DocumentReference",
            ):
                continue
            get_fhir_model_class(resource["resourceType"]).model_validate(resource)
            subject = (resource.get("subject") or resource.get("patient"))["reference"]
            patients.setdefault(kind, set()).add(f"{name}:{subject}")
    gp_patients = len((tmp_path / "gp_patients.csv").read_text().splitlines()) - 1
    share = {kind: len(people) / gp_patients for kind, people in patients.items()}
    # Rough English shares: a few percent have a recorded allergy; about half of a practice's
    # list has a repeat prescription; DNACPR / ReSPECT / advance care plans for the frail few.
    assert 0.02 < share["AllergyIntolerance"] < 0.15, share
    assert 0.25 < share["MedicationRequest"] < 0.8, share
    for kind in ("DNACPR", "DocumentReference", "Advance care plan", "MedicationStatement"):
        assert 0.002 < share[kind] < 0.1, (kind, share)


def test_adding_doorstep_resources_left_people_and_their_records_unchanged(tmp_path, monkeypatch):
    """The linkage tests depend on the same seed making the same people and records."""
    _generate(tmp_path / "with")
    monkeypatch.setattr(made, "gp_medicines_and_decisions", lambda *a, **k: None)
    monkeypatch.setattr(made, "community_medicines_and_plans", lambda *a, **k: None)
    _generate(tmp_path / "without")
    names = [p.name for p in (tmp_path / "with").glob("*.csv")]
    assert "truth.csv" in names and "gp_patients.csv" in names
    for name in names:
        assert (tmp_path / "with" / name).read_bytes() == (tmp_path / "without" / name).read_bytes()


def test_a_score_reads_as_a_number_not_with_its_ucum_annotation(home, tmp_path):
    from wraparound.synthetic import feeds
    from wraparound.synthetic.clinical import FRAILTY_INDEX

    code, unit, *_ = FRAILTY_INDEX
    score = feeds.observation(
        "obs-1", "gp-p-1", code=code, unit=unit, value=0.21, at=MARCH_3, performer=DOCTOR
    )
    _ingest(tmp_path, [score], source="gp", partner="gp")
    assert Event.objects.get(event_id="Observation/obs-1").summary == (
        "Electronic frailty index score: 0.21"
    )


def test_a_corrected_notes_flag_leaves_the_doorstep_and_the_correction_is_the_last_contact(home):
    north, person = home
    nurse = make_staff(role="clinician", teams=[north])
    first = access.write_contact_note(
        viewer=nurse,
        person_id=person.id,
        how="home_visit",
        text="Visited; dog loose in the garden",
        is_safety_flag=True,
        flag_text="Dog loose in the garden",
        occurred_at=timezone.now() - dt.timedelta(hours=3),
        ip=None,
    )
    access.write_contact_note(
        viewer=nurse,
        person_id=person.id,
        how="home_visit",
        text="Correction: the dog was the neighbour's, not hers",
        corrects_note_id=first.note_id,
        ip=None,
    )
    d = _open(nurse, person).doorstep
    assert "Dog loose in the garden" not in [f.text for f in d.flags]
    assert d.last_contact.text == "Correction: the dog was the neighbour's, not hers"
