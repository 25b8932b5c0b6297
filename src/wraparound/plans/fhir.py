"""The care and support plan as FHIR R4: a collection Bundle of Patient, CarePlan, Goal and
RelatedPerson, built with the ``fhir.resources`` R4B models so every element is checked as it
is made (no hand-written JSON).

Input is the ``PlanView`` the gate built for one viewer, so the export holds exactly what that
viewer may see. UK Core profiles are claimed where UK Core has one (Patient, RelatedPerson,
CarePlan); UK Core has no Goal profile, so Goals are plain R4. Our words that FHIR has no
element for (About me, strengths, needs, the contingency plan, who agreed it) travel as
CarePlan notes, each starting with its heading, so a receiving system shows them as written.

Ids are stable (uuid5 of the person, goal or action id): exporting twice gives the same
resources, and a receiver can update rather than duplicate.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import TYPE_CHECKING

from fhir.resources.R4B.annotation import Annotation
from fhir.resources.R4B.bundle import Bundle, BundleEntry
from fhir.resources.R4B.careplan import CarePlan, CarePlanActivity, CarePlanActivityDetail
from fhir.resources.R4B.codeableconcept import CodeableConcept
from fhir.resources.R4B.coding import Coding
from fhir.resources.R4B.contactpoint import ContactPoint
from fhir.resources.R4B.goal import Goal
from fhir.resources.R4B.humanname import HumanName
from fhir.resources.R4B.identifier import Identifier
from fhir.resources.R4B.meta import Meta
from fhir.resources.R4B.patient import Patient
from fhir.resources.R4B.period import Period
from fhir.resources.R4B.reference import Reference
from fhir.resources.R4B.relatedperson import RelatedPerson

if TYPE_CHECKING:
    from wraparound.governance.access.results import PlanView

UK_CORE = "https://fhir.hl7.org.uk/StructureDefinition/"
NHS_NUMBER_SYSTEM = "https://fhir.nhs.uk/Id/nhs-number"
GOAL_ACHIEVEMENT = "http://terminology.hl7.org/CodeSystem/goal-achievement"
_NAMESPACE = uuid.UUID("6f1c1a52-6a7e-4d55-9a43-2b1f2f0c9e10")  # Wraparound's own

# Our status words to FHIR's codes: Goal.achievementStatus and CarePlan.activity.detail.status.
GOAL_ACHIEVEMENT_CODES = {
    "not_yet": ("in-progress", "In Progress"),
    "partly": ("improving", "Improving"),
    "achieved": ("achieved", "Achieved"),
}
ACTIVITY_STATUS = {
    "to_do": "not-started",
    "in_progress": "in-progress",
    "done": "completed",
    "not_needed": "cancelled",
}


def _urn(kind: str, key: int | str) -> str:
    return f"urn:uuid:{uuid.uuid5(_NAMESPACE, f'{kind}/{key}')}"


def _day(value: dt.date) -> str:
    return f"{value.day} {value:%B %Y}"


def _profile(name: str) -> Meta:
    return Meta(profile=[UK_CORE + name])


def _patient(view: PlanView, full_url: str, nhs_number: str) -> Patient:
    digits = "".join(ch for ch in nhs_number or "" if ch.isdigit())
    return Patient(
        id=full_url.rsplit(":", 1)[1],
        meta=_profile("UKCore-Patient"),
        identifier=[Identifier(system=NHS_NUMBER_SYSTEM, value=digits)]
        if len(digits) == 10
        else None,
        name=[HumanName(text=view.person.display_name)],
        birthDate=view.person.date_of_birth,
    )


def _related_person(person, patient_url: str, full_url: str) -> RelatedPerson:
    return RelatedPerson(
        id=full_url.rsplit(":", 1)[1],
        meta=_profile("UKCore-RelatedPerson"),
        patient=Reference(reference=patient_url),
        name=[HumanName(text=person.name)],
        relationship=[CodeableConcept(text=person.relationship)] if person.relationship else None,
        telecom=[ContactPoint(system="phone", value=person.contact)] if person.contact else None,
    )


def _goal(goal, patient_url: str, full_url: str) -> Goal:
    code, display = GOAL_ACHIEVEMENT_CODES.get(goal.status, ("in-progress", "In Progress"))
    return Goal(
        id=full_url.rsplit(":", 1)[1],
        lifecycleStatus="completed" if goal.status == "achieved" else "active",
        achievementStatus=CodeableConcept(
            coding=[Coding(system=GOAL_ACHIEVEMENT, code=code, display=display)],
            text=goal.status_label,
        ),
        description=CodeableConcept(text=goal.text),
        subject=Reference(reference=patient_url),
        statusDate=goal.recorded_at.date(),
    )


def _notes(view: PlanView) -> list[Annotation]:
    """Our own sections, each as a note that starts with its heading."""
    notes = []
    if view.what_matters:
        notes.append(f"What matters to me: {view.what_matters.text}")
    for part in (*view.about_me, view.strengths, view.needs, *view.contingency):
        if part.text:
            notes.append(f"{part.heading}: {part.text}")
    d = view.details
    if d:
        for label, value in (
            ("Supported to write this by", d.supported_by),
            ("Written on", _day(d.supported_on) if d.supported_on else ""),
            ("Agreed with", d.agreed_with),
            ("Agreed on", _day(d.agreed_on) if d.agreed_on else ""),
            ("Review by", _day(d.review_on) if d.review_on else ""),
            ("Reviewed by", d.reviewer_name),
        ):
            if value:
                notes.append(f"{label}: {value}")
    return [Annotation(text=text) for text in notes]


def _activity(action, goal_urls: dict[int, str], people_urls: dict[int, str]) -> CarePlanActivity:
    performer = Reference(display=action.owner)
    pwm_id = action.owner_key.partition(":")[2] if action.owner_kind == "person_who_matters" else ""
    if pwm_id.isdigit() and int(pwm_id) in people_urls:
        performer = Reference(reference=people_urls[int(pwm_id)], display=action.owner)
    return CarePlanActivity(
        detail=CarePlanActivityDetail(
            status=ACTIVITY_STATUS.get(action.status, "unknown"),
            description=action.what,
            scheduledString=f"By {_day(action.due_on)}" if action.due_on else None,
            performer=[performer],
            goal=[Reference(reference=goal_urls[action.goal_id])]
            if action.goal_id in goal_urls
            else None,
        )
    )


def plan_bundle(view: PlanView, *, nhs_number: str, generated_at: dt.datetime) -> dict:
    """The plan as a FHIR R4 collection Bundle (a JSON-ready dict)."""
    pid = view.person.person_id
    patient_url = _urn("person", pid)
    people_urls = {
        p.entry_id: _urn("person-who-matters", p.entry_id) for p in view.people_who_matter
    }
    goal_urls = {g.goal_id: _urn("goal", g.goal_id) for g in view.goals}
    plan_url = _urn("plan", pid)
    care_plan = CarePlan(
        id=plan_url.rsplit(":", 1)[1],
        meta=_profile("UKCore-CarePlan"),
        status="active",
        intent="plan",
        title="Personalised care and support plan",
        description=view.what_matters.text if view.what_matters else None,
        subject=Reference(reference=patient_url, display=view.person.display_name),
        period=Period(end=view.details.review_on)
        if view.details and view.details.review_on
        else None,
        goal=[Reference(reference=url) for url in goal_urls.values()] or None,
        activity=[_activity(a, goal_urls, people_urls) for a in view.actions] or None,
        note=_notes(view) or None,
    )
    entries = [BundleEntry(fullUrl=patient_url, resource=_patient(view, patient_url, nhs_number))]
    entries.append(BundleEntry(fullUrl=plan_url, resource=care_plan))
    for goal in view.goals:
        url = goal_urls[goal.goal_id]
        entries.append(BundleEntry(fullUrl=url, resource=_goal(goal, patient_url, url)))
    for person in view.people_who_matter:
        url = people_urls[person.entry_id]
        entries.append(BundleEntry(fullUrl=url, resource=_related_person(person, patient_url, url)))
    bundle = Bundle(
        id=str(uuid.uuid5(_NAMESPACE, f"plan-export/{pid}/{generated_at.isoformat()}")),
        type="collection",
        timestamp=generated_at,
        entry=entries,
    )
    return json.loads(bundle.model_dump_json())
