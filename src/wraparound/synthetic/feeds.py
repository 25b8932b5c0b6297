"""Activity feeds: what each partner did for the people it knows.

Health partners send FHIR R4 resources (Bulk Data NDJSON, one resource per line) whose subject
is ``Patient/<source_record_id>`` of the same partner's demographic feed. Council partners send
activity CSV rows (see ``docs/feeds.md``/contracts). Resources are plain dicts written with
``orjson``: the generator never imports ``fhir.resources`` (the tests check every shape against
the R4B models instead).
"""

import datetime as dt
import random
from collections.abc import Callable

from wraparound.synthetic import clinical, doorstep
from wraparound.synthetic.clinical import SNOMED, Code, Worker
from wraparound.synthetic.population import EVENTS_FROM, EXTRACT_DATE, Household, Person

ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
PARTICIPATION = "http://terminology.hl7.org/CodeSystem/v3-ParticipationType"
ROLE_CODE = "http://terminology.hl7.org/CodeSystem/v3-RoleCode"
CONTACT_ROLE = "http://terminology.hl7.org/CodeSystem/v2-0131"
NHS_NUMBER_SYSTEM = "https://fhir.nhs.uk/Id/nhs-number"

ACTIVITY_COLUMNS = (
    "event_id",
    "source_record_id",
    "date",
    "kind",
    "text",
    "status",
    "amount",
    "category",
    "worker_name",
    "worker_role",
    "worker_team",
    "worker_phone",
)
_WINDOW_DAYS = (EXTRACT_DATE - EVENTS_FROM).days
END_OF_WINDOW = dt.datetime(EXTRACT_DATE.year, EXTRACT_DATE.month, EXTRACT_DATE.day, 23, 59)
HOSTILE_TEXT = '<script>alert("wraparound")</script>'

Emit = Callable[[dict], None]


# ------------------------------------------------------------------ small shapes
def when(rng: random.Random, not_before: dt.date | None = None) -> dt.datetime:
    """A moment in the five years before the extract (working hours, mostly)."""
    start = max(EVENTS_FROM, not_before) if not_before else EVENTS_FROM
    span = max(1, (EXTRACT_DATE - start).days)
    day = start + dt.timedelta(days=int(rng.random() * span))
    hour, quarter = 8 + int(rng.random() * 11), int(rng.random() * 4)
    return dt.datetime(day.year, day.month, day.day, hour, 15 * quarter)


def stamp(moment: dt.datetime) -> str:
    return f"{moment.isoformat()}+00:00"


def concept(code: Code) -> dict:
    return {"coding": [{"system": SNOMED, "code": code.code, "display": code.display}]}


def meta_for(*codes: Code) -> dict:
    """Security labels for sensitive content, as a careful partner sends them."""
    labels = []
    for code in codes:
        if code.category and code.category in clinical.SECURITY_LABELS:
            label, display = clinical.SECURITY_LABELS[code.category]
            entry = {"system": ACT_CODE, "code": label, "display": display}
            if entry not in labels:
                labels.append(entry)
    return {"meta": {"security": labels}} if labels else {}


def participant(worker: Worker, code: str = "PPRF") -> dict:
    # The participation code says how they took part; the text says who they are ("District
    # Nurse"), which is what a person reading "who is involved" needs.
    return {
        "type": [{"coding": [{"system": PARTICIPATION, "code": code}], "text": worker.role}],
        "individual": {"display": worker.name},
    }


def encounter(
    rid: str,
    record_id: str,
    *,
    klass: str,
    kind: Code,
    start: dt.datetime,
    minutes: int,
    worker: Worker,
    provider: str,
    reason: Code | None = None,
    status: str = "finished",
) -> dict:
    end = start + dt.timedelta(minutes=minutes)
    period = {"start": stamp(start), "end": stamp(end)}
    if end > END_OF_WINDOW:  # still going on the day of the extract
        status, period = "in-progress", {"start": stamp(start)}
    resource = {
        "resourceType": "Encounter",
        "id": rid,
        **meta_for(kind, *(reason and [reason] or [])),
        "status": status,
        "class": {"system": ACT_CODE, "code": klass},
        "type": [concept(kind)],
        "subject": {"reference": f"Patient/{record_id}"},
        "participant": [participant(worker)],
        "period": period,
        "serviceProvider": {"display": provider},
    }
    if reason is not None:
        resource["reasonCode"] = [concept(reason)]
    return resource


def condition(
    rid: str,
    record_id: str,
    code: Code,
    *,
    recorded: dt.datetime,
    onset: dt.date,
    recorder: Worker,
    category: str = "problem-list-item",
    encounter_id: str = "",
) -> dict:
    resource = {
        "resourceType": "Condition",
        "id": rid,
        **meta_for(code),
        "clinicalStatus": {
            "coding": [
                {
                    "system": "http://terminology.hl7.org/CodeSystem/condition-clinical",
                    "code": "active",
                }
            ]
        },
        "verificationStatus": {
            "coding": [
                {
                    "system": "http://terminology.hl7.org/CodeSystem/condition-ver-status",
                    "code": "confirmed",
                }
            ]
        },
        "category": [
            {
                "coding": [
                    {
                        "system": "http://terminology.hl7.org/CodeSystem/condition-category",
                        "code": category,
                    }
                ]
            }
        ],
        "code": concept(code),
        "subject": {"reference": f"Patient/{record_id}"},
        "onsetDateTime": onset.isoformat(),
        "recordedDate": stamp(recorded),
        "recorder": {"display": recorder.name},
    }
    if encounter_id:
        resource["encounter"] = {"reference": f"Encounter/{encounter_id}"}
    return resource


def flag(
    rid: str,
    record_id: str,
    *,
    category: str,
    text: str,
    start: dt.datetime,
    author: Worker,
    code: Code | None = None,
) -> dict:
    flag_code = concept(code) | {"text": text} if code else {"text": text}
    return {
        "resourceType": "Flag",
        "id": rid,
        **(meta_for(code) if code else {}),
        "status": "active",
        "category": [
            {
                "coding": [
                    {
                        "system": "http://terminology.hl7.org/CodeSystem/flag-category",
                        "code": category,
                    }
                ]
            }
        ],
        "code": flag_code,
        "subject": {"reference": f"Patient/{record_id}"},
        "period": {"start": stamp(start)},
        "author": {"display": author.name},
    }


def related_person(
    rid: str, record_id: str, relative: Person, relation: str, *, carer: bool
) -> dict:
    role = "C" if carer else "N"
    text = f"{_RELATION_WORDS.get(relation, 'Relative')}{' (carer)' if carer else ''}"
    resource = {
        "resourceType": "RelatedPerson",
        "id": rid,
        "active": True,
        "patient": {"reference": f"Patient/{record_id}"},
        "relationship": [
            {"coding": [{"system": ROLE_CODE, "code": relation}], "text": text},
            {"coding": [{"system": CONTACT_ROLE, "code": role}]},
        ],
        "name": [{"family": relative.family, "given": [relative.given]}],
        "gender": relative.sex,
    }
    phone = relative.mobile or relative.landline
    if phone:
        resource["telecom"] = [{"system": "phone", "value": phone}]
    return resource


_RELATION_WORDS = {
    "WIFE": "Wife",
    "HUSB": "Husband",
    "SPS": "Spouse",
    "SON": "Son",
    "DAU": "Daughter",
    "MTH": "Mother",
    "FTH": "Father",
    "SIB": "Sibling",
    "FRND": "Friend",
    "GRMTH": "Grandmother",
    "GRFTH": "Grandfather",
    "FAMMEMB": "Family member",
}


def relation_of(relative: Person, person: Person) -> str:
    """How ``relative`` is related to ``person``, guessed from age and sex within a home."""
    gap = relative.age - person.age
    if abs(gap) < 14:
        if relative.family == person.family or relative.maiden_name or person.maiden_name:
            return "WIFE" if relative.sex == "female" else "HUSB"
        return "FRND"
    if gap <= -14:
        return "DAU" if relative.sex == "female" else "SON"
    return "MTH" if relative.sex == "female" else "FTH"


def episode_of_care(
    rid: str,
    record_id: str,
    *,
    kind: Code,
    start: dt.datetime,
    manager: Worker,
    organisation: str,
    finished: bool,
) -> dict:
    period = {"start": stamp(start)}
    if finished:
        period["end"] = stamp(min(start + dt.timedelta(days=120), END_OF_WINDOW))
    return {
        "resourceType": "EpisodeOfCare",
        "id": rid,
        **meta_for(kind),
        "status": "finished" if finished else "active",
        "type": [concept(kind)],
        "patient": {"reference": f"Patient/{record_id}"},
        "managingOrganization": {"display": organisation},
        "period": period,
        "careManager": {"display": manager.name},
        "team": [{"display": manager.team}],
    }


def care_plan(
    rid: str,
    record_id: str,
    *,
    kind: Code,
    title: str,
    description: str,
    start: dt.datetime,
    author: Worker,
) -> dict:
    return {
        "resourceType": "CarePlan",
        "id": rid,
        **meta_for(kind),
        "status": "active",
        "intent": "plan",
        "category": [concept(kind)],
        "title": title,
        "description": description,
        "subject": {"reference": f"Patient/{record_id}"},
        "period": {"start": stamp(start)},
        "author": {"display": author.name},
    }


def observation(
    rid: str,
    record_id: str,
    *,
    code: Code,
    unit: str,
    value: float,
    at: dt.datetime,
    performer: Worker,
) -> dict:
    return {
        "resourceType": "Observation",
        "id": rid,
        "status": "final",
        "category": [
            {
                "coding": [
                    {
                        "system": "http://terminology.hl7.org/CodeSystem/observation-category",
                        "code": "vital-signs" if unit != "{score}" else "survey",
                    }
                ]
            }
        ],
        "code": concept(code),
        "subject": {"reference": f"Patient/{record_id}"},
        "effectiveDateTime": stamp(at),
        "performer": [{"display": performer.name}],
        "valueQuantity": {
            "value": value,
            "unit": unit,
            "system": "http://unitsofmeasure.org",
            "code": unit,
        },
    }


def service_request(
    rid: str,
    record_id: str,
    *,
    code: Code,
    text: str,
    at: dt.datetime,
    requester: Worker,
    reason: Code | None,
) -> dict:
    resource = {
        "resourceType": "ServiceRequest",
        "id": rid,
        **meta_for(code, *(reason and [reason] or [])),
        "status": "completed" if at.date() < EXTRACT_DATE - dt.timedelta(days=60) else "active",
        "intent": "order",
        "code": concept(code) | {"text": text},
        "subject": {"reference": f"Patient/{record_id}"},
        "authoredOn": stamp(at),
        "requester": {"display": requester.name},
    }
    if reason is not None:
        resource["reasonCode"] = [concept(reason)]
    return resource


# ------------------------------------------------------------------ per partner
class FhirActivity:
    """Makes one health partner's resources for one of its patient records."""

    def __init__(self, rng: random.Random, prefix: str, staff: dict[str, tuple[Worker, ...]]):
        self.rng = rng
        self.prefix = prefix
        self.staff = staff
        self.count = 0
        self._by_team: dict[tuple[str, str], tuple[Worker, ...]] = {}
        for role, pool in staff.items():
            for worker in pool:
                key = (role, worker.team)
                self._by_team[key] = (*self._by_team.get(key, ()), worker)

    def rid(self, kind: str) -> str:
        self.count += 1
        return f"{self.prefix}-{kind}-{self.count:08d}"

    def worker(self, role: str, team: str = "") -> Worker:
        pool = self._by_team.get((role, team)) or self.staff[role]
        return pool[self.rng.randrange(len(pool))]

    def relatives(
        self, emit: Emit, record_id: str, person: Person, household: Household, carer_p: float
    ) -> None:
        rng = self.rng
        others = [p for p in household.members if p is not person and p.age >= 18]
        if not others or household.care_home:
            return
        relative = others[0] if person.age >= 18 else others[rng.randrange(len(others))]
        emit(
            related_person(
                self.rid("rp"),
                record_id,
                relative,
                relation_of(relative, person),
                carer=rng.random() < carer_p,
            )
        )


def gp_activity(
    feed: FhirActivity, emit: Emit, record_id: str, person: Person, household: Household
) -> None:
    rng = feed.rng
    practice = person.practice
    age = person.age
    for code in person.conditions:
        onset_year = rng.randint(max(person.dob.year, 1990), EXTRACT_DATE.year)
        onset = dt.date(onset_year, rng.randint(1, 12), rng.randint(1, 28))
        onset = max(min(onset, EXTRACT_DATE), person.dob)
        recorded = when(rng, onset)
        emit(
            condition(
                feed.rid("con"),
                record_id,
                code,
                recorded=recorded,
                onset=onset,
                recorder=feed.worker("gp_doctor", practice),
            )
        )
    expected = 1 + 1.2 * len(person.conditions) + (2 if age >= 75 else 0)
    for _ in range(rng.randint(0, int(2 * expected))):
        x = rng.random()
        if age >= 80 and x < 0.12:
            kind, klass, minutes = clinical.HOME_VISIT, "HH", 30
        elif x < 0.4:
            kind, klass, minutes = clinical.GP_TELEPHONE, "VR", 10
        else:
            kind, klass, minutes = clinical.GP_CONSULTATION, "AMB", 10
        role = "gp_doctor" if rng.random() < 0.7 else "gp_nurse"
        reason = (
            person.conditions[rng.randrange(len(person.conditions))]
            if person.conditions and rng.random() < 0.6
            else None
        )
        emit(
            encounter(
                feed.rid("enc"),
                record_id,
                klass=klass,
                kind=kind,
                start=when(rng),
                minutes=minutes,
                worker=feed.worker(role, practice),
                provider=practice,
                reason=reason,
            )
        )
    if age >= 40:
        for _ in range(rng.randint(0, 2)):
            code, unit, low, high, decimals = clinical.OBSERVATIONS[rng.randrange(3)]
            emit(
                observation(
                    feed.rid("obs"),
                    record_id,
                    code=code,
                    unit=unit,
                    value=round(rng.uniform(low, high), decimals),
                    at=when(rng),
                    performer=feed.worker("gp_nurse", practice),
                )
            )
    if age >= 65 and rng.random() < 0.7:
        code, unit, low, high, decimals = clinical.FRAILTY_INDEX
        score = (
            low
            + (high - low) * (0.8 if clinical.FRAILTY in person.conditions else 0.3) * rng.random()
        )
        emit(
            observation(
                feed.rid("obs"),
                record_id,
                code=code,
                unit=unit,
                value=round(score, decimals),
                at=when(rng),
                performer=feed.worker("gp_doctor", practice),
            )
        )
    if rng.random() < 0.08:
        allergy = clinical.ALLERGIES[rng.randrange(len(clinical.ALLERGIES))]
        # The same draws as the allergy Flag this replaced, so the main stream is unchanged.
        emit(
            doorstep.allergy_intolerance(
                feed.rid("alg"),
                record_id,
                allergy,
                recorded=when(rng),
                recorder=feed.worker("gp_doctor", practice),
            )
        )
    concern = clinical.CHILD_PROTECTION if age < 18 else clinical.SAFEGUARDING_CONCERN
    if rng.random() < (0.006 if age < 18 else 0.004):
        emit(
            flag(
                feed.rid("flag"),
                record_id,
                category="safety",
                text=concern.display,
                code=concern,
                start=when(rng),
                author=feed.worker("gp_doctor", practice),
            )
        )
    conditions = set(person.conditions)
    # chances, in the order of clinical.REFERRALS
    chances = (
        0.15 if age >= 75 else 0.0,  # district nursing
        0.3 if conditions & clinical.MENTAL_ILLNESS else 0.0,  # community mental health team
        0.12 if age >= 80 else 0.0,  # adult social care
        0.4 if clinical.FALLS in conditions else 0.0,  # falls prevention
        0.03,  # social prescribing
        0.5 if conditions & clinical.SUBSTANCE_MISUSE else 0.0,  # drug and alcohol service
    )
    for (referral, text), p in zip(clinical.REFERRALS, chances, strict=True):
        if p and rng.random() < p:
            reason = next((c for c in person.conditions if c.category == referral.category), None)
            emit(
                service_request(
                    feed.rid("sr"),
                    record_id,
                    code=referral,
                    text=text,
                    at=when(rng),
                    requester=feed.worker("gp_doctor", practice),
                    reason=reason,
                )
            )
    if age >= 75 and rng.random() < 0.3:
        feed.relatives(emit, record_id, person, household, carer_p=0.3)
    doorstep.gp_medicines_and_decisions(feed.prefix, feed.staff, emit, record_id, person)


def acute_activity(
    feed: FhirActivity, emit: Emit, record_id: str, person: Person, household: Household
) -> None:
    rng = feed.rng
    age = person.age
    made = 0
    attendances = rng.choice((0, 1, 1, 1, 2, 2, 3)) + (rng.randint(0, 3) if age >= 80 else 0)
    for _ in range(attendances):
        reason = clinical.ED_REASONS[rng.randrange(len(clinical.ED_REASONS))]
        emit(
            encounter(
                feed.rid("enc"),
                record_id,
                klass="EMER",
                kind=clinical.ED_ATTENDANCE,
                start=when(rng),
                minutes=rng.randint(60, 720),
                worker=feed.worker("ed_doctor"),
                provider=clinical.ACUTE_TRUST,
                reason=reason,
            )
        )
        made += 1
    admission_p = 0.15 if age < 65 else 0.35 if age < 80 else 0.55
    while rng.random() < admission_p:
        admission_p /= 2
        reason = clinical.ADMISSION_REASONS[rng.randrange(len(clinical.ADMISSION_REASONS))]
        enc_id = feed.rid("enc")
        start = when(rng)
        stay = rng.choice((1, 1, 2, 3, 4, 6, 9, 14, 21, 35))
        doctor = feed.worker("ward_doctor")
        emit(
            encounter(
                enc_id,
                record_id,
                klass="IMP",
                kind=clinical.EMERGENCY_ADMISSION,
                start=start,
                minutes=stay * 24 * 60,
                worker=doctor,
                provider=clinical.ACUTE_TRUST,
                reason=reason,
            )
        )
        emit(
            condition(
                feed.rid("con"),
                record_id,
                reason,
                recorded=start,
                onset=start.date(),
                recorder=doctor,
                category="encounter-diagnosis",
                encounter_id=enc_id,
            )
        )
        made += 1
    if 16 <= age <= 50 and rng.random() < 0.04:
        emit(
            encounter(
                feed.rid("enc"),
                record_id,
                klass="AMB",
                kind=clinical.SEXUAL_HEALTH_CLINIC,
                start=when(rng),
                minutes=30,
                worker=feed.worker("sexual_health"),
                provider=f"{clinical.ACUTE_TRUST}: Sexual Health Clinic",
            )
        )
        made += 1
    if clinical.HIV in person.conditions:
        for _ in range(rng.randint(1, 4)):
            emit(
                encounter(
                    feed.rid("enc"),
                    record_id,
                    klass="AMB",
                    kind=clinical.OUTPATIENT,
                    start=when(rng),
                    minutes=20,
                    worker=feed.worker("sexual_health"),
                    provider=f"{clinical.ACUTE_TRUST}: HIV Clinic",
                    reason=clinical.HIV,
                )
            )
            made += 1
    if not made:  # everyone the trust knows came at least once (an outpatient visit)
        emit(
            encounter(
                feed.rid("enc"),
                record_id,
                klass="AMB",
                kind=clinical.OUTPATIENT,
                start=when(rng),
                minutes=20,
                worker=feed.worker("ward_doctor"),
                provider=clinical.ACUTE_TRUST,
            )
        )


def community_activity(
    feed: FhirActivity, emit: Emit, record_id: str, person: Person, household: Household
) -> None:
    rng = feed.rng
    team = clinical.COMMUNITY_TEAMS[rng.randrange(2)]
    nurse = feed.worker("district_nurse", team)
    start = when(rng)
    emit(
        episode_of_care(
            feed.rid("eoc"),
            record_id,
            kind=clinical.DISTRICT_NURSE_VISIT,
            start=start,
            manager=nurse,
            organisation=clinical.COMMUNITY_PROVIDER,
            finished=rng.random() < 0.4,
        )
    )
    for _ in range(rng.randint(1, 10)):
        rapid = rng.random() < 0.08
        emit(
            encounter(
                feed.rid("enc"),
                record_id,
                klass="HH",
                kind=clinical.HOME_VISIT,
                start=when(rng, start.date()),
                minutes=rng.choice((20, 30, 45, 60)),
                worker=feed.worker("rapid_response")
                if rapid
                else (nurse if rng.random() < 0.6 else feed.worker("district_nurse", team)),
                provider=clinical.COMMUNITY_PROVIDER,
                reason=person.conditions[0] if person.conditions and rng.random() < 0.5 else None,
            )
        )
    if person.age >= 75 and not person.care_home and rng.random() < 0.45:
        emit(
            flag(
                feed.rid("flag"),
                record_id,
                category="admin",
                text=clinical.KEY_SAFE_TEXTS[rng.randrange(len(clinical.KEY_SAFE_TEXTS))],
                start=when(rng),
                author=nurse,
            )
        )
    if rng.random() < 0.06:
        emit(
            flag(
                feed.rid("flag"),
                record_id,
                category="safety",
                text=clinical.STAFF_RISK_TEXTS[rng.randrange(len(clinical.STAFF_RISK_TEXTS))],
                start=when(rng),
                author=nurse,
            )
        )
    if rng.random() < 0.5:
        emit(
            care_plan(
                feed.rid("cp"),
                record_id,
                kind=clinical.CARE_PLAN,
                title="District nursing care plan",
                description=rng.choice(
                    (
                        "Leg ulcer dressings twice a week; compression bandaging",
                        "Insulin administration daily; monitor blood glucose",
                        "Pressure area care; repositioning advice for carers",
                        "Catheter care and review every 12 weeks",
                        "End of life care: anticipatory medicines in the home",
                    )
                ),
                start=start,
                author=nurse,
            )
        )
    if rng.random() < 0.5:
        feed.relatives(emit, record_id, person, household, carer_p=0.6)
    doorstep.community_medicines_and_plans(feed.prefix, nurse, emit, record_id, person)


def mental_health_activity(
    feed: FhirActivity, emit: Emit, record_id: str, person: Person, household: Household
) -> None:
    rng = feed.rng
    mh = [c for c in person.conditions if c in clinical.MENTAL_ILLNESS]
    if not mh:
        mh = [clinical.DEMENTIA] if clinical.DEMENTIA in person.conditions else [clinical.ANXIETY]
    older = person.age >= 65
    team = clinical.MENTAL_HEALTH_TEAMS[1 if older else 0]
    coordinator = feed.worker("mh_coordinator", team)
    start = when(rng)
    emit(
        episode_of_care(
            feed.rid("eoc"),
            record_id,
            kind=clinical.MENTAL_HEALTH_CONTACT,
            start=start,
            manager=coordinator,
            organisation=clinical.MENTAL_HEALTH_TRUST,
            finished=rng.random() < 0.3,
        )
    )
    psychiatrist = feed.worker("psychiatrist")
    for code in mh:
        emit(
            condition(
                feed.rid("con"),
                record_id,
                code,
                recorded=start,
                onset=max(person.dob, start.date() - dt.timedelta(days=rng.randrange(2000))),
                recorder=psychiatrist,
            )
        )
    for _ in range(rng.randint(1, 8)):
        emit(
            encounter(
                feed.rid("enc"),
                record_id,
                klass="HH" if rng.random() < 0.3 else "AMB",
                kind=clinical.MENTAL_HEALTH_CONTACT,
                start=when(rng, start.date()),
                minutes=rng.choice((30, 45, 60)),
                worker=coordinator if rng.random() < 0.75 else psychiatrist,
                provider=clinical.MENTAL_HEALTH_TRUST,
                reason=mh[rng.randrange(len(mh))],
            )
        )
    if clinical.SEVERE_MENTAL_ILLNESS & set(mh) or rng.random() < 0.3:
        emit(
            care_plan(
                feed.rid("cp"),
                record_id,
                kind=clinical.MENTAL_HEALTH_CARE_PLAN,
                title="Care Programme Approach care plan",
                description="Weekly contact with care co-ordinator; crisis plan agreed with family",
                start=start,
                author=coordinator,
            )
        )
    if rng.random() < 0.05:
        emit(
            flag(
                feed.rid("flag"),
                record_id,
                category="safety",
                text="Risk of harm to others: visit in pairs",
                start=when(rng),
                author=coordinator,
            )
        )
    if rng.random() < 0.4:
        feed.relatives(emit, record_id, person, household, carer_p=0.3)


# ------------------------------------------------------------------ activity CSV partners
class CsvActivity:
    """Makes activity CSV rows (``ACTIVITY_COLUMNS``) for the council partners."""

    def __init__(self, rng: random.Random, prefix: str, staff: dict[str, tuple[Worker, ...]]):
        self.rng = rng
        self.prefix = prefix
        self.staff = staff
        self.count = 0

    def row(
        self,
        record_id: str,
        *,
        kind: str,
        text: str,
        status: str = "",
        amount: float | None = None,
        category: str = "",
        worker_role: str = "",
        when_: dt.date | None = None,
    ) -> dict:
        rng = self.rng
        self.count += 1
        row = {
            "event_id": f"{self.prefix}-{self.count:08d}",
            "source_record_id": record_id,
            "date": (when_ or when(rng).date()).isoformat(),
            "kind": kind,
            "text": _hostile(rng, text),
            "status": status,
            "amount": f"{amount:.2f}" if amount is not None else "",
            "category": category,
        }
        if worker_role:
            pool = self.staff[worker_role]
            worker = pool[rng.randrange(len(pool))]
            row |= {
                "worker_name": worker.name,
                "worker_role": worker.role,
                "worker_team": worker.team,
                "worker_phone": worker.phone,
            }
        return row


def _hostile(rng: random.Random, text: str) -> str:
    """Free text as people type it: quotes, commas, line breaks, and very rarely markup."""
    x = rng.random()
    if x < 0.0005:
        return f"{text} {HOSTILE_TEXT}"
    if x < 0.005:
        return f'{text}.\nSpoke to "next of kin", agreed to review'
    return text


_NEEDS = (
    "needs help with washing and dressing",
    "needs help with meals and medication prompts",
    "struggling with stairs; bed downstairs",
    "memory problems; daughter worried about safety at home",
    "recent fall; lost confidence going out",
    "carer (wife) exhausted and asking for a break",
    "lives alone, isolated since husband died",
)


def adult_social_care_activity(
    feed: CsvActivity, emit: Emit, record_id: str, person: Person, household: Household
) -> None:
    rng = feed.rng
    first = when(rng).date()
    emit(
        feed.row(
            record_id,
            kind="care_assessment",
            text=f"Care Act assessment: {_NEEDS[rng.randrange(len(_NEEDS))]}",
            status="completed",
            worker_role="social_worker",
            when_=first,
        )
    )
    if person.care_home:
        emit(
            feed.row(
                record_id,
                kind="care_package",
                text=f"Residential care placement at {person.home.care_home}",
                status="active",
                amount=round(rng.uniform(850, 1400), 2),
                worker_role="social_worker",
                when_=min(first + dt.timedelta(days=rng.randint(3, 40)), EXTRACT_DATE),
            )
        )
    elif rng.random() < 0.6:
        calls = rng.randint(1, 4)
        emit(
            feed.row(
                record_id,
                kind="care_package",
                text=f"Home care: {calls} call{'s' if calls > 1 else ''} a day, 30 minutes each",
                status="active" if rng.random() < 0.7 else "ended",
                amount=round(calls * 7 * rng.uniform(18, 26) * 0.5, 2),
                worker_role="social_worker",
                when_=min(first + dt.timedelta(days=rng.randint(3, 40)), EXTRACT_DATE),
            )
        )
    if rng.random() < 0.5:
        emit(
            feed.row(
                record_id,
                kind="review",
                text="Annual review: package meets needs; person says what matters is staying at home",
                status="completed",
                worker_role="social_worker",
            )
        )
    if rng.random() < 0.2:
        emit(
            feed.row(
                record_id,
                kind="equipment",
                text="Occupational therapy assessment: grab rails and perching stool provided",
                status="completed",
                worker_role="occupational_therapist",
            )
        )
    if rng.random() < 0.03:
        emit(
            feed.row(
                record_id,
                kind="safeguarding_concern",
                text=rng.choice(
                    (
                        "Safeguarding concern raised by district nurse: unexplained bruising",
                        "Concern about financial abuse by a relative",
                        "Self-neglect: house cold, little food",
                    )
                ),
                status="section 42 enquiry",
                category="safeguarding",
                worker_role="social_worker",
            )
        )
    if clinical.SEVERE_MENTAL_ILLNESS & set(person.conditions) and rng.random() < 0.5:
        emit(
            feed.row(
                record_id,
                kind="aftercare",
                text="Section 117 aftercare: supported living placement",
                status="active",
                category="mental_health",
                worker_role="social_worker",
            )
        )


def carer_activity(feed: CsvActivity, emit: Emit, record_id: str, cared_for: Person) -> None:
    emit(
        feed.row(
            record_id,
            kind="carer_assessment",
            text=f"Carer's assessment: cares for {cared_for.given}; would like a regular break",
            status="completed",
            worker_role="social_worker",
        )
    )


_REPAIRS = (
    "Boiler not working, no hot water",
    "Damp and mould in back bedroom",
    "Front door lock broken",
    "Leaking kitchen tap",
    "Broken window in living room",
    "Toilet not flushing",
    "Rats seen in the garden",
    "Stair rail loose",
    "Electric sockets sparking in kitchen",
)


def housing_activity(
    feed: CsvActivity, emit: Emit, record_id: str, person: Person, household: Household
) -> None:
    rng = feed.rng
    for _ in range(rng.choice((0, 0, 1, 1, 2, 3, 5))):
        emit(
            feed.row(
                record_id,
                kind="repair",
                text=_REPAIRS[rng.randrange(len(_REPAIRS))],
                status=rng.choice(("completed", "completed", "completed", "open", "no access")),
                worker_role="repairs" if rng.random() < 0.4 else "",
            )
        )
    if rng.random() < 0.15:
        weeks = rng.randint(2, 16)
        emit(
            feed.row(
                record_id,
                kind="rent_arrears",
                text=f"Rent account {weeks} weeks in arrears",
                status=rng.choice(
                    ("arrears letter sent", "payment plan agreed", "referred for money advice")
                ),
                amount=round(weeks * rng.uniform(85, 125), 2),
                worker_role="housing_officer",
            )
        )
    if rng.random() < 0.3:
        others = [p.given for p in household.members if p is not person]
        lives_with = f"lives with {', '.join(others)}" if others else "lives alone"
        emit(
            feed.row(
                record_id,
                kind="tenancy_visit",
                text=f"Tenancy visit: {lives_with}; home in fair condition",
                status="completed",
                worker_role="housing_officer",
            )
        )
    if person.age >= 70 and rng.random() < 0.12:
        emit(
            feed.row(
                record_id,
                kind="adaptation",
                text="Level access shower fitted",
                status="completed",
                worker_role="housing_officer",
            )
        )


def council_tax_activity(
    feed: CsvActivity, emit: Emit, record_id: str, person: Person, household: Household
) -> None:
    rng = feed.rng
    adults = [p for p in household.members if p.age >= 18]
    if len(adults) == 1 and rng.random() < 0.6:
        emit(
            feed.row(
                record_id,
                kind="discount",
                text="Single person discount 25% applied",
                status="active",
            )
        )
    if rng.random() < 0.08:
        emit(
            feed.row(
                record_id,
                kind="council_tax_arrears",
                text="Council tax instalments missed",
                status=rng.choice(
                    (
                        "reminder issued",
                        "final notice",
                        "summons issued",
                        "payment arrangement agreed",
                    )
                ),
                amount=round(rng.uniform(120, 1900), 2),
                worker_role="revenues" if rng.random() < 0.3 else "",
            )
        )
    if rng.random() < 0.12:
        emit(
            feed.row(
                record_id,
                kind="council_tax_reduction",
                text="Council tax reduction awarded",
                status="active",
                amount=round(rng.uniform(5, 30), 2),
            )
        )
