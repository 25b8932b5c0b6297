"""What a visitor needs at the door, in the GP's and community trust's FHIR feeds: allergies
(AllergyIntolerance, with the reaction), current and stopped medicines (MedicationRequest, the
GP's repeat prescriptions; MedicationStatement, what the district nurse saw in the home), DNACPR
decisions (a Flag coded 450476008 |Not for attempted cardiopulmonary resuscitation|), ReSPECT
forms (DocumentReference) and advance care plans (CarePlan, 736366004 |Advance care plan|).

Medicines are written in words (dm+d codes are not made up here); those that reveal a
sensitive category (an antidepressant, methadone, HIV treatment) carry the partner's
confidentiality label as well, and their names alone are enough for ingest to classify them.

Each record draws from its own random stream (seeded by the record id), so adding these did not
change a single draw of the main stream that makes people, records and their noise: the same
seed still makes the same neighbourhood for the linkage tests.
"""

import datetime as dt
import random

from wraparound.synthetic import clinical
from wraparound.synthetic.clinical import SNOMED, Code, Worker
from wraparound.synthetic.population import EXTRACT_DATE, Person

ALLERGY_CLINICAL = "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical"
ALLERGY_VERIFICATION = "http://terminology.hl7.org/CodeSystem/allergyintolerance-verification"
FLAG_CATEGORY = "http://terminology.hl7.org/CodeSystem/flag-category"
NOT_FOR_CPR = Code("450476008", "Not for attempted cardiopulmonary resuscitation")
ADVANCE_CARE_PLAN = Code("736366004", "Advance care plan")

# The substance in the words a nurse reads, the reaction (SNOMED CT), and whether it is severe.
ALLERGY_DETAILS = {
    "91936005": ("Penicillin", Code("126485001", "Urticaria"), False),
    "293586001": ("Aspirin", Code("56018004", "Wheezing"), False),
    "300916003": ("Latex", Code("40275004", "Contact dermatitis"), False),
    "91935009": ("Peanuts", Code("39579001", "Anaphylaxis"), True),
    "294505008": (
        "Sulfonamide antibiotics (co-trimoxazole)",
        Code("271807003", "Skin rash"),
        False,
    ),
}
# Medicines a long-term condition usually brings: (name, dose), sensitive ones labelled.
MEDICINES: dict[Code, tuple[tuple[str, str], ...]] = {
    clinical.HYPERTENSION: (("Amlodipine 5 mg tablets", "One tablet once a day"),),
    clinical.TYPE_2_DIABETES: (("Metformin 500 mg tablets", "One tablet twice a day with food"),),
    clinical.ASTHMA: (
        ("Salbutamol 100 micrograms/dose inhaler", "Two puffs when needed for breathlessness"),
    ),
    clinical.COPD: (
        ("Tiotropium 2.5 micrograms/dose inhaler", "Two puffs once a day"),
        ("Salbutamol 100 micrograms/dose inhaler", "Two puffs when needed for breathlessness"),
    ),
    clinical.HEART_FAILURE: (
        ("Bisoprolol 2.5 mg tablets", "One tablet once a day"),
        ("Furosemide 40 mg tablets", "One tablet each morning"),
    ),
    clinical.ATRIAL_FIBRILLATION: (("Apixaban 5 mg tablets", "One tablet twice a day"),),
    clinical.DEMENTIA: (("Donepezil 5 mg tablets", "One tablet at night"),),
    clinical.OSTEOARTHRITIS: (
        ("Paracetamol 500 mg tablets", "Two tablets up to four times a day when needed"),
    ),
    clinical.STROKE: (
        ("Clopidogrel 75 mg tablets", "One tablet once a day"),
        ("Atorvastatin 20 mg tablets", "One tablet at night"),
    ),
    clinical.DEPRESSION: (("Sertraline 50 mg tablets", "One tablet once a day"),),
    clinical.ANXIETY: (("Citalopram 20 mg tablets", "One tablet once a day"),),
    clinical.SCHIZOPHRENIA: (("Olanzapine 10 mg tablets", "One tablet at night"),),
    clinical.BIPOLAR: (("Lithium carbonate 400 mg modified-release tablets", "One at night"),),
    clinical.HIV: (("Biktarvy 50 mg/200 mg/25 mg tablets", "One tablet once a day"),),
    clinical.OPIOID_DEPENDENCE: (
        ("Methadone 1 mg/ml oral solution", "60 ml once a day, supervised at the pharmacy"),
    ),
}
RESPECT_TEXTS = (
    "ReSPECT form: for ward-based care, not for attempted CPR; wishes to stay at home",
    "ReSPECT form: for all treatment including CPR; would accept admission",
    "ReSPECT form: symptom control at home, not for attempted CPR; daughter knows",
)
ADVANCE_CARE_PLAN_TEXTS = (
    "Wishes to be cared for and to die at home; family know where the plan is kept",
    "Prefers the hospice to hospital; anticipatory medicines in the home",
    "Would not want to go back into hospital unless in pain that cannot be managed at home",
)


def _private(feed_prefix: str, record_id: str) -> random.Random:
    return random.Random(f"doorstep:{feed_prefix}:{record_id}")


def _moment(rng: random.Random, days_back: int) -> dt.datetime:
    day = EXTRACT_DATE - dt.timedelta(days=rng.randrange(1, days_back))
    return dt.datetime(day.year, day.month, day.day, 8 + rng.randrange(10), 15 * rng.randrange(4))


def _stamp(moment: dt.datetime) -> str:
    return f"{moment.isoformat()}+00:00"


def _concept(code: Code, text: str = "") -> dict:
    concept = {"coding": [{"system": SNOMED, "code": code.code, "display": code.display}]}
    return concept | {"text": text} if text else concept


def _labels(category: str) -> dict:
    if category not in clinical.SECURITY_LABELS:
        return {}
    label, display = clinical.SECURITY_LABELS[category]
    system = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
    return {"meta": {"security": [{"system": system, "code": label, "display": display}]}}


def allergy_intolerance(
    rid: str, record_id: str, allergy: Code, *, recorded: dt.datetime, recorder: Worker
) -> dict:
    substance, reaction, severe = ALLERGY_DETAILS[allergy.code]
    return {
        "resourceType": "AllergyIntolerance",
        "id": rid,
        "clinicalStatus": {"coding": [{"system": ALLERGY_CLINICAL, "code": "active"}]},
        "verificationStatus": {"coding": [{"system": ALLERGY_VERIFICATION, "code": "confirmed"}]},
        "type": "allergy",
        "category": ["food" if substance == "Peanuts" else "medication"],
        "criticality": "high" if severe else "low",
        "code": _concept(allergy, substance),
        "patient": {"reference": f"Patient/{record_id}"},
        "recordedDate": _stamp(recorded),
        "recorder": {"display": recorder.name},
        "reaction": [
            {
                "manifestation": [_concept(reaction)],
                "severity": "severe" if severe else "mild",
            }
        ],
    }


def medication_request(
    rid: str,
    record_id: str,
    *,
    name: str,
    dose: str,
    category: str,
    status: str,
    authored: dt.datetime,
    requester: Worker,
) -> dict:
    return {
        "resourceType": "MedicationRequest",
        "id": rid,
        **_labels(category),
        "status": status,
        "intent": "order",
        "courseOfTherapyType": {
            "coding": [
                {
                    "system": "http://terminology.hl7.org/CodeSystem/medicationrequest-course-of-therapy",
                    "code": "continuous",
                }
            ]
        },
        "medicationCodeableConcept": {"text": name},
        "subject": {"reference": f"Patient/{record_id}"},
        "authoredOn": _stamp(authored),
        "requester": {"display": requester.name},
        "dosageInstruction": [{"text": dose}],
    }


def medication_statement(
    rid: str, record_id: str, *, name: str, dose: str, category: str, seen: dt.datetime
) -> dict:
    return {
        "resourceType": "MedicationStatement",
        "id": rid,
        **_labels(category),
        "status": "active",
        "medicationCodeableConcept": {"text": name},
        "subject": {"reference": f"Patient/{record_id}"},
        "dateAsserted": _stamp(seen),
        "dosage": [{"text": dose}],
    }


def dnacpr_flag(rid: str, record_id: str, *, start: dt.datetime, author: Worker) -> dict:
    return {
        "resourceType": "Flag",
        "id": rid,
        "status": "active",
        "category": [{"coding": [{"system": FLAG_CATEGORY, "code": "clinical"}]}],
        "code": _concept(NOT_FOR_CPR, "DNACPR: do not attempt cardiopulmonary resuscitation"),
        "subject": {"reference": f"Patient/{record_id}"},
        "period": {"start": _stamp(start)},
        "author": {"display": author.name},
    }


def respect_form(rid: str, record_id: str, *, text: str, date: dt.datetime, author: Worker) -> dict:
    return {
        "resourceType": "DocumentReference",
        "id": rid,
        "status": "current",
        "type": {"text": "ReSPECT form"},
        "subject": {"reference": f"Patient/{record_id}"},
        "date": _stamp(date),
        "author": [{"display": author.name}],
        "description": text,
        "content": [{"attachment": {"contentType": "application/pdf", "title": "ReSPECT form"}}],
    }


def advance_care_plan(
    rid: str, record_id: str, *, text: str, start: dt.datetime, author: Worker
) -> dict:
    return {
        "resourceType": "CarePlan",
        "id": rid,
        "status": "active",
        "intent": "plan",
        "category": [_concept(ADVANCE_CARE_PLAN)],
        "title": "Advance care plan",
        "description": text,
        "subject": {"reference": f"Patient/{record_id}"},
        "period": {"start": _stamp(start)},
        "author": {"display": author.name},
    }


def _doctor(rng: random.Random, staff: dict[str, tuple[Worker, ...]], practice: str) -> Worker:
    pool = [w for w in staff["gp_doctor"] if w.team == practice] or list(staff["gp_doctor"])
    return pool[rng.randrange(len(pool))]


def gp_medicines_and_decisions(
    prefix: str, staff: dict[str, tuple[Worker, ...]], emit, record_id: str, person: Person
) -> None:
    """The GP's repeat prescriptions (a few stopped), DNACPR decisions and ReSPECT forms."""
    rng = _private(prefix, record_id)
    n = 0

    def rid(kind: str) -> str:
        nonlocal n
        n += 1
        return f"{prefix}-{kind}-{record_id}-{n}"

    for condition in person.conditions:
        for name, dose in MEDICINES.get(condition, ()):
            if rng.random() < 0.85:
                emit(
                    medication_request(
                        rid("med"),
                        record_id,
                        name=name,
                        dose=dose,
                        category=condition.category,
                        status="active" if rng.random() < 0.9 else "stopped",
                        authored=_moment(rng, 400),
                        requester=_doctor(rng, staff, person.practice),
                    )
                )
    frail = {clinical.FRAILTY, clinical.DEMENTIA, clinical.HEART_FAILURE} & set(person.conditions)
    if person.age >= 85 or (person.age >= 70 and frail):
        if rng.random() < 0.35:
            text = RESPECT_TEXTS[rng.randrange(len(RESPECT_TEXTS))]
            when = _moment(rng, 900)
            doctor = _doctor(rng, staff, person.practice)
            emit(respect_form(rid("respect"), record_id, text=text, date=when, author=doctor))
            if "not for attempted CPR" in text:
                emit(dnacpr_flag(rid("dnacpr"), record_id, start=when, author=doctor))
        elif rng.random() < 0.1:
            when = _moment(rng, 900)
            doctor = _doctor(rng, staff, person.practice)
            emit(dnacpr_flag(rid("dnacpr"), record_id, start=when, author=doctor))


def community_medicines_and_plans(
    prefix: str, nurse: Worker, emit, record_id: str, person: Person
) -> None:
    """What the district nurse saw in the home (medicines) and advance care plans."""
    rng = _private(prefix, record_id)
    n = 0

    def rid(kind: str) -> str:
        nonlocal n
        n += 1
        return f"{prefix}-{kind}-{record_id}-{n}"

    if person.conditions and rng.random() < 0.3:
        condition = person.conditions[rng.randrange(len(person.conditions))]
        for name, dose in MEDICINES.get(condition, ())[:1]:
            emit(
                medication_statement(
                    rid("ms"),
                    record_id,
                    name=name,
                    dose=dose,
                    category=condition.category,
                    seen=_moment(rng, 200),
                )
            )
    if person.age >= 75 and rng.random() < 0.2:
        text = ADVANCE_CARE_PLAN_TEXTS[rng.randrange(len(ADVANCE_CARE_PLAN_TEXTS))]
        emit(
            advance_care_plan(
                rid("acp"), record_id, text=text, start=_moment(rng, 700), author=nurse
            )
        )
