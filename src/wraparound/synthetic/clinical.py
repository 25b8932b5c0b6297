"""Clinical and care vocabulary for the synthetic feeds: SNOMED CT codes, organisations, staff.

Codes are SNOMED CT concept ids with their usual display terms; most are the well-known
international concepts (hypertension 38341003, type 2 diabetes 44054006...), a few UK-only
concepts are written in the UK extension's shape and have not been checked against a terminology
server. ``category`` marks what a sharing agreement may withhold (the sensitive categories of
``sources.models.SensitiveCategory``); ``SECURITY_LABELS`` gives the matching HL7 v3
confidentiality codes that a careful partner puts in ``meta.security``.
"""

import random
from dataclasses import dataclass

from wraparound.synthetic.places import staff_phone

SNOMED = "http://snomed.info/sct"


@dataclass(frozen=True, slots=True)
class Code:
    code: str
    display: str
    category: str = ""  # a sensitive category, or blank


# ------------------------------------------------------------ long-term conditions by age
# (code, lowest age, prevalence under 40, 40–64, 65–79, 80+)
HYPERTENSION = Code("38341003", "Hypertensive disorder, systemic arterial")
TYPE_2_DIABETES = Code("44054006", "Diabetes mellitus type 2")
ASTHMA = Code("195967001", "Asthma")
COPD = Code("13645005", "Chronic obstructive lung disease")
HEART_FAILURE = Code("84114007", "Heart failure")
ATRIAL_FIBRILLATION = Code("49436004", "Atrial fibrillation")
CKD3 = Code("433144002", "Chronic kidney disease stage 3")
DEMENTIA = Code("52448006", "Dementia")
OSTEOARTHRITIS = Code("396275006", "Osteoarthritis")
FRAILTY = Code("248279007", "Frailty")
FALLS = Code("161898004", "Falls")
OBESITY = Code("414916001", "Obesity")
STROKE = Code("230690007", "Cerebrovascular accident")
LEARNING_DISABILITY = Code("110359009", "Intellectual disability")
DEPRESSION = Code("35489007", "Depressive disorder", "mental_health")
ANXIETY = Code("197480006", "Anxiety disorder", "mental_health")
SCHIZOPHRENIA = Code("58214004", "Schizophrenia", "mental_health")
BIPOLAR = Code("13746004", "Bipolar disorder", "mental_health")
HIV = Code("86406008", "Human immunodeficiency virus infection", "hiv")
ALCOHOL_DEPENDENCE = Code("7200002", "Alcohol dependence", "substance_misuse")
OPIOID_DEPENDENCE = Code("75544000", "Opioid dependence", "substance_misuse")
GENDER_DYSPHORIA = Code("93461009", "Gender dysphoria", "gender_identity")

CONDITION_PREVALENCE: tuple[tuple[Code, int, tuple[float, float, float, float]], ...] = (
    (HYPERTENSION, 18, (0.02, 0.18, 0.45, 0.60)),
    (TYPE_2_DIABETES, 18, (0.01, 0.08, 0.18, 0.20)),
    (ASTHMA, 2, (0.08, 0.08, 0.08, 0.07)),
    (COPD, 35, (0.0, 0.03, 0.09, 0.11)),
    (HEART_FAILURE, 40, (0.0, 0.005, 0.04, 0.10)),
    (ATRIAL_FIBRILLATION, 40, (0.0, 0.01, 0.06, 0.14)),
    (CKD3, 40, (0.0, 0.03, 0.10, 0.25)),
    (DEMENTIA, 55, (0.0, 0.002, 0.03, 0.17)),
    (OSTEOARTHRITIS, 40, (0.0, 0.10, 0.30, 0.40)),
    (FRAILTY, 65, (0.0, 0.0, 0.10, 0.35)),
    (FALLS, 65, (0.0, 0.0, 0.08, 0.20)),
    (OBESITY, 18, (0.15, 0.25, 0.22, 0.12)),
    (STROKE, 45, (0.0, 0.01, 0.05, 0.08)),
    (LEARNING_DISABILITY, 0, (0.005, 0.005, 0.003, 0.002)),
    (DEPRESSION, 16, (0.10, 0.11, 0.08, 0.07)),
    (ANXIETY, 14, (0.08, 0.07, 0.05, 0.03)),
    (SCHIZOPHRENIA, 18, (0.006, 0.007, 0.005, 0.003)),
    (BIPOLAR, 18, (0.008, 0.008, 0.005, 0.003)),
    (HIV, 18, (0.0025, 0.003, 0.001, 0.0)),
    (ALCOHOL_DEPENDENCE, 18, (0.012, 0.02, 0.012, 0.004)),
    (OPIOID_DEPENDENCE, 18, (0.006, 0.005, 0.001, 0.0)),
)
MENTAL_ILLNESS = frozenset({DEPRESSION, ANXIETY, SCHIZOPHRENIA, BIPOLAR})
SEVERE_MENTAL_ILLNESS = frozenset({SCHIZOPHRENIA, BIPOLAR})
SUBSTANCE_MISUSE = frozenset({ALCOHOL_DEPENDENCE, OPIOID_DEPENDENCE})


def age_band(age: int) -> int:
    return 0 if age < 40 else 1 if age < 65 else 2 if age < 80 else 3


def conditions_for(rng: random.Random, age: int, south_asian: bool) -> list[Code]:
    """A person's long-term conditions, drawn at rough English prevalence for their age."""
    band = age_band(age)
    found = []
    for code, lowest_age, prevalence in CONDITION_PREVALENCE:
        if age < lowest_age:
            continue
        p = prevalence[band]
        if south_asian and code is TYPE_2_DIABETES:
            p *= 2
        if rng.random() < p:
            found.append(code)
    return found


# ------------------------------------------------------------ encounters and what they are for
GP_CONSULTATION = Code("11429006", "Consultation")
GP_TELEPHONE = Code("185317003", "Telephone encounter")
HOME_VISIT = Code("439708006", "Home visit")
FOLLOW_UP = Code("390906007", "Follow-up encounter")
ED_ATTENDANCE = Code("50849002", "Emergency department admission")
EMERGENCY_ADMISSION = Code("183452005", "Emergency hospital admission")
ELECTIVE_ADMISSION = Code("8715000", "Hospital admission, elective")
OUTPATIENT = Code("185345009", "Encounter for symptom")
SEXUAL_HEALTH_CLINIC = Code("1087251000000107", "Seen in sexual health clinic", "sexual_health")
MENTAL_HEALTH_CONTACT = Code("1091000000105", "Seen by mental health team", "mental_health")
DISTRICT_NURSE_VISIT = Code("1087861000000106", "Seen by district nurse")

ED_REASONS = (
    Code("29857009", "Chest pain"),
    Code("267036007", "Dyspnoea"),
    Code("161898004", "Falls"),
    Code("125605004", "Fracture of bone"),
    Code("21522001", "Abdominal pain"),
    Code("68566005", "Urinary tract infectious disease"),
    Code("271594007", "Syncope"),
    Code("283385000", "Laceration of skin"),
    Code("422587007", "Nausea"),
    Code("25064002", "Headache"),
)
ADMISSION_REASONS = (
    Code("233604007", "Pneumonia"),
    Code("68566005", "Urinary tract infectious disease"),
    Code("195951007", "Acute exacerbation of chronic obstructive airways disease"),
    Code("84114007", "Heart failure"),
    Code("5913000", "Fracture of neck of femur"),
    Code("230690007", "Cerebrovascular accident"),
    Code("22298006", "Myocardial infarction"),
    Code("91302008", "Sepsis"),
    Code("34095006", "Dehydration"),
    Code("2776000", "Delirium"),
)
MENTAL_HEALTH_REASONS = (
    Code("35489007", "Depressive disorder", "mental_health"),
    Code("58214004", "Schizophrenia", "mental_health"),
    Code("13746004", "Bipolar disorder", "mental_health"),
    Code("197480006", "Anxiety disorder", "mental_health"),
    Code("225444004", "At risk for suicide", "mental_health"),
)
OBSERVATIONS = (
    # (code, unit, low, high, decimals)
    (Code("271649006", "Systolic blood pressure"), "mm[Hg]", 105, 175, 0),
    (Code("27113001", "Body weight"), "kg", 45, 120, 1),
    (Code("60621009", "Body mass index"), "kg/m2", 18, 40, 1),
)
FRAILTY_INDEX = (Code("713636003", "Electronic frailty index score"), "{score}", 0.05, 0.5, 2)

ALLERGIES = (
    Code("91936005", "Allergy to penicillin"),
    Code("293586001", "Allergy to aspirin"),
    Code("300916003", "Latex allergy"),
    Code("91935009", "Allergy to peanuts"),
    Code("294505008", "Allergy to sulfonamide"),
)
SAFEGUARDING_CONCERN = Code("1104331000000108", "Adult safeguarding concern", "safeguarding")
CHILD_PROTECTION = Code("1104301000000104", "Subject of child protection plan", "safeguarding")
KEY_SAFE_TEXTS = (
    "Key safe by front door: code held by district nursing team",
    "Key safe at back door; ring before entering",
    "Key safe fitted: ask the care agency for the code",
)
STAFF_RISK_TEXTS = (
    "Dog on premises: ask for it to be shut away before the visit",
    "Lone working risk: visit in pairs",
    "Verbal aggression from a family member in the past: visit in pairs",
    "Smoker using oxygen at home: fire risk",
    "Steep steps to front door, no handrail",
)
REFERRALS = (
    (Code("306206005", "Referral to service"), "Referral to district nursing"),
    (
        Code("183524004", "Referral to psychiatry service", "mental_health"),
        "Referral to community mental health team",
    ),
    (Code("306230001", "Referral to social worker"), "Referral to adult social care"),
    (Code("183516009", "Referral to falls clinic"), "Referral to falls prevention"),
    (
        Code("1082331000000109", "Referral to social prescribing service"),
        "Social prescribing: befriending",
    ),
    (
        Code("304091000000104", "Referral to drug and alcohol service", "substance_misuse"),
        "Referral to drug and alcohol service",
    ),
)
CARE_PLAN = Code("734163000", "Care plan")
MENTAL_HEALTH_CARE_PLAN = Code("718347000", "Mental health care plan", "mental_health")

# HL7 v3 ActCode confidentiality labels, by sensitive category.
SECURITY_LABELS = {
    "mental_health": ("PSY", "psychiatry information sensitivity"),
    "hiv": ("HIV", "HIV/AIDS information sensitivity"),
    "substance_misuse": ("ETH", "substance abuse information sensitivity"),
    "sexual_health": ("SEX", "sexuality and reproductive health information sensitivity"),
    "safeguarding": ("SDV", "sexual assault, abuse, or domestic violence information sensitivity"),
    "gender_identity": ("SEX", "sexuality and reproductive health information sensitivity"),
}

# ------------------------------------------------------------ organisations
GP_PRACTICES = (
    "Heronsgate Medical Practice",
    "Fallow Road Surgery",
    "Ashmore Green Health Centre",
    "Kestrel Park Family Practice",
    "Brookhill Surgery",
    "Oxley Vale Medical Centre",
)
ACUTE_TRUST = "Wulfrun General Hospital NHS Trust"
ACUTE_SITES = ("Wulfrun General Hospital", "Wulfrun General Hospital Emergency Department")
COMMUNITY_PROVIDER = "Wulfrun Community Health Services"
COMMUNITY_TEAMS = (
    "Heronsgate District Nursing Team",
    "Kestrel Park District Nursing Team",
    "Rapid Intervention Team",
    "Community Therapy Team",
)
MENTAL_HEALTH_TRUST = "Black Heath Mental Health Partnership NHS Trust"
MENTAL_HEALTH_TEAMS = (
    "North Community Mental Health Team",
    "Older Adults Mental Health Team",
    "Early Intervention in Psychosis Team",
    "Crisis Resolution and Home Treatment Team",
)
ASC_TEAMS = ("North Locality Social Work Team", "Hospital Discharge Team", "Reablement Team")
HOUSING_TEAMS = ("Heronsgate Housing Office", "Tenancy Sustainment Team", "Repairs Contact Centre")
REVENUES_TEAM = "Council Tax and Benefits Service"


@dataclass(frozen=True, slots=True)
class Worker:
    name: str
    role: str
    team: str
    phone: str


def staff_roster(rng: random.Random, make_name) -> dict[str, tuple[Worker, ...]]:
    """The professionals of the neighbourhood, made once per run (``make_name(rng) -> str``)."""

    def workers(n: int, title: str, role: str, teams: tuple[str, ...]) -> tuple[Worker, ...]:
        return tuple(
            Worker(
                f"{title} {make_name(rng)}".strip(),
                role,
                teams[i % len(teams)],
                staff_phone(rng),
            )
            for i in range(n)
        )

    return {
        "gp_doctor": workers(24, "Dr", "GP", GP_PRACTICES),
        "gp_nurse": workers(12, "", "Practice Nurse", GP_PRACTICES),
        "ed_doctor": workers(20, "Dr", "Emergency Medicine Doctor", ACUTE_SITES[1:]),
        "ward_doctor": workers(20, "Dr", "Consultant Physician", ACUTE_SITES[:1]),
        "sexual_health": workers(4, "Dr", "Sexual Health Consultant", ("Sexual Health Clinic",)),
        "district_nurse": workers(18, "", "District Nurse", COMMUNITY_TEAMS[:2]),
        "rapid_response": workers(6, "", "Advanced Nurse Practitioner", COMMUNITY_TEAMS[2:3]),
        "therapist": workers(6, "", "Physiotherapist", COMMUNITY_TEAMS[3:]),
        "mh_coordinator": workers(14, "", "Care Co-ordinator", MENTAL_HEALTH_TEAMS),
        "psychiatrist": workers(5, "Dr", "Consultant Psychiatrist", MENTAL_HEALTH_TEAMS),
        "social_worker": workers(14, "", "Social Worker", ASC_TEAMS),
        "occupational_therapist": workers(5, "", "Occupational Therapist", ASC_TEAMS),
        "housing_officer": workers(8, "", "Housing Officer", HOUSING_TEAMS[:2]),
        "repairs": workers(4, "", "Repairs Adviser", HOUSING_TEAMS[2:]),
        "revenues": workers(4, "", "Revenues Officer", (REVENUES_TEAM,)),
    }
