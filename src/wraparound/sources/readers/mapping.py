"""From a validated FHIR resource (a plain dict) to a ``RecordRow`` or an ``EventRow``.

Decides, for each resource: whose it is (the subject), when it happened, what a practitioner
should read on the timeline (kind and summary), which organisation and professionals are
involved, and whether it is sensitive. Works on dicts, not models, so it is fast and does not
need ``fhir.resources`` (only ``readers/fhir.py`` imports that).
"""

import re

import orjson

from wraparound.core import nhs_number
from wraparound.sources import sensitivity
from wraparound.sources.models import Partner
from wraparound.sources.readers.rows import (
    EVENT_LIMITS,
    RECORD_LIMITS,
    EventRow,
    Item,
    RecordRow,
    Rejected,
    as_recorded,
    clean_postcode,
    parse_fhir_datetime,
    parse_iso_date,
    sex_problem,
    too_long,
)

NHS_NUMBER_SYSTEM = "https://fhir.nhs.uk/Id/nhs-number"
SNOMED = "http://snomed.info/sct"

# Resource types that never reach a person's timeline even with a patient subject: billing and
# plumbing, kept whole but not shown as things that happened to the person.
OFF_TIMELINE = frozenset(
    {"Claim", "ExplanationOfBenefit", "Coverage", "Provenance", "AuditEvent", "Bundle"}
)
KIND_BY_TYPE = {
    "Condition": "Condition",
    "Observation": "Observation",
    "CarePlan": "Care plan",
    "EpisodeOfCare": "Episode of care",
    "Flag": "Flag",
    "ServiceRequest": "Referral",
    "RelatedPerson": "Person who matters",
    "CareTeam": "Care team",
    "Procedure": "Procedure",
    "Immunization": "Immunisation",
    "MedicationRequest": "Medication",
    "MedicationStatement": "Medication",
    "MedicationAdministration": "Medication",
    "AllergyIntolerance": "Allergy",
    "DiagnosticReport": "Test result",
    "Appointment": "Appointment",
    "Composition": "Document",
    "DocumentReference": "Document",
    "Goal": "Goal",
    "Consent": "Consent",
    "Organization": "Organisation",
    "Practitioner": "Practitioner",
    "PractitionerRole": "Practitioner role",
    "Claim": "Claim",
    "ExplanationOfBenefit": "Explanation of benefit",
    "ImagingStudy": "Imaging",
    "Location": "Location",
    "Coverage": "Coverage",
}
# Where each resource type says when it happened, in order of preference.
WHEN = (
    ("period", "start"),
    ("effectiveDateTime",),
    ("effectivePeriod", "start"),
    ("onsetDateTime",),
    ("onsetPeriod", "start"),
    ("performedDateTime",),
    ("performedPeriod", "start"),
    ("occurrenceDateTime",),
    ("occurrencePeriod", "start"),
    ("authoredOn",),
    ("recordedDate",),
    ("issued",),
    ("start",),
    ("dateTime",),
    ("date",),
    ("created",),
    ("billablePeriod", "start"),
    ("startDate",),
    ("dateAsserted",),
)
CONCEPT_KEYS = (
    "code",
    "type",
    "vaccineCode",
    "medicationCodeableConcept",
    "category",
    "reasonCode",
    "valueCodeableConcept",
)
# References and concepts that name the service an event comes from or goes to (what a
# service's name reveals is decided by ``sensitivity.service_category``).
SERVICE_REFERENCE_KEYS = (
    "serviceProvider",
    "managingOrganization",
    "organization",
    "provider",
    "custodian",
    "performer",
    "location",
    "healthcareService",
    "team",
    "requestedPerformer",
)
SERVICE_CONCEPT_KEYS = ("serviceType", "serviceCategory", "specialty", "performerType")
_HOLDERS = frozenset({"location", "actor", "onBehalfOf", "member"})
_SERVICE_REFERENCES = frozenset({*SERVICE_REFERENCE_KEYS, "participant"})
_SERVICE_CONCEPTS = frozenset(SERVICE_CONCEPT_KEYS)
# HL7 v3 participation types, for encounters that send the code without its words.
PARTICIPATION = {
    "ADM": "Admitting clinician",
    "ATND": "Attending clinician",
    "CALLBCK": "Call-back contact",
    "CON": "Consultant",
    "DIS": "Discharging clinician",
    "ESC": "Escort",
    "PART": "Participant",
    "PPRF": "Primary performer",
    "REF": "Referrer",
    "SPRF": "Secondary performer",
    "translator": "Interpreter",
    "emergency": "Emergency contact",
}
_CAMEL = re.compile(r"(?<!^)(?=[A-Z])")
MEDICINE_TYPES = frozenset({"MedicationRequest", "MedicationStatement"})
# Resuscitation decisions and plans for the doorstep summary (``extra["care_decision"]``),
# whatever resource a partner sends them as. SNOMED CT: 304253006 |Not for resuscitation|,
# 450476008 |Not for attempted cardiopulmonary resuscitation|, 736366004 |Advance care plan|,
# 713603004 |Advance care planning|; and the words partners write.
CARE_DECISION_TYPES = frozenset(
    {
        "Consent",
        "DocumentReference",
        "CarePlan",
        "Flag",
        "Observation",
        "Procedure",
        "Composition",
    }
)
CARE_DECISION_CODES = {
    "304253006": "dnacpr",
    "450476008": "dnacpr",
    "736366004": "advance_care_plan",
    "713603004": "advance_care_plan",
}
CARE_DECISION_WORDS = (
    # The ReSPECT form first: it is the document, whatever CPR recommendation it records.
    # "ReSPECT" in its own capitals: "treated with respect" is not a form.
    ("respect", re.compile(r"\bReSPECT\b|(?i:recommended summary plan for emergency care)")),
    (
        "dnacpr",
        re.compile(
            r"\bDNA ?CPR\b|\bDNAR\b|\bDNR\b|do not attempt (cardio-?pulmonary )?resuscitation"
            r"|not for (attempted )?(cardio-?pulmonary )?resuscitation|not for (attempted )?CPR",
            re.I,
        ),
    ),
    (
        "advance_care_plan",
        re.compile(r"advanced? care plan|advance decision to refuse|\bADRT\b", re.I),
    ),
)
CARE_DECISION_KIND = {
    "dnacpr": "DNACPR decision",
    "respect": "ReSPECT form",
    "advance_care_plan": "Advance care plan",
}
_ADMISSION_CLASSES = {"IMP", "ACUTE", "NONAC", "PRENC", "SS", "OBSENC"}


def _first(value):
    if isinstance(value, list):
        return value[0] if value else None
    return value


def _concepts(value) -> list[dict]:
    if isinstance(value, list):
        return [v for v in value if isinstance(v, dict)]
    return [value] if isinstance(value, dict) else []


def concept_text(value) -> str:
    """A CodeableConcept's words: its text, else its first coding's display, else its code."""
    for concept in _concepts(value):
        if concept.get("text"):
            return str(concept["text"])
        if "coding" not in concept and concept.get("display"):  # a Coding
            return str(concept["display"])
        for coding in concept.get("coding") or ():
            if coding.get("display"):
                return str(coding["display"])
        for coding in concept.get("coding") or ():
            if coding.get("code"):
                return str(coding["code"])
        if concept.get("code"):
            return str(concept["code"])
    return ""


def human_name(names) -> str:
    """A HumanName (or list) as one line: official first, then usual, then the first given."""
    name = _preferred(names)
    if not name:
        return ""
    if name.get("text"):
        return str(name["text"])
    given = " ".join(name.get("given") or [])
    return " ".join(part for part in (given, name.get("family") or "") if part)


def _preferred(names) -> dict | None:
    if isinstance(names, dict):
        return names
    if not names:
        return None
    for use in ("official", "usual"):
        for name in names:
            if name.get("use") == use:
                return name
    return names[0]


def phone_of(telecoms) -> str:
    for telecom in telecoms or ():
        if telecom.get("system") == "phone" and telecom.get("value"):
            return str(telecom["value"])
    return ""


class FhirMapper:
    """Maps the resources of one file, resolving references within the file and the directory
    of organisations and practitioners this source has sent before."""

    def __init__(
        self,
        *,
        partner: str,
        organisation: str,
        directory: dict[str, dict],
        full_urls: dict[str, str],
    ):
        self.partner = partner
        self.organisation = organisation
        self.directory = directory
        self.full_urls = full_urls

    # -- references ----------------------------------------------------------------------

    def resolve(self, reference: str) -> str:
        """``Type/id`` for a reference (relative, absolute URL or a bundle ``urn:uuid``)."""
        if not reference:
            return ""
        if reference in self.full_urls:
            return self.full_urls[reference]
        if reference.startswith(("urn:", "#")) or "?" in reference:
            return ""
        parts = reference.rstrip("/").split("/")
        if len(parts) >= 4 and parts[-2] == "_history":
            parts = parts[:-2]
        if len(parts) >= 2:
            return f"{parts[-2]}/{parts[-1]}"
        return ""

    def name_of(self, reference) -> tuple[str, str]:
        """(name, phone) of whoever a Reference points at."""
        if not isinstance(reference, dict):
            return "", ""
        known = self.directory.get(self.resolve(reference.get("reference") or "")) or {}
        name = reference.get("display") or known.get("name") or ""
        return str(name), str(known.get("phone") or "")

    def learn(self, data: dict) -> None:
        """Remember names of organisations, practitioners and teams for later references."""
        resource_type = data.get("resourceType")
        if resource_type not in {"Organization", "Practitioner", "CareTeam", "Location"}:
            return
        entry = self._directory_entry(data)
        if entry.get("name") and data.get("id"):
            self.directory[f"{resource_type}/{data['id']}"] = entry

    def _directory_entry(self, data: dict) -> dict:
        if data.get("resourceType") == "Practitioner":
            name = human_name(data.get("name"))
        else:
            name = data.get("name") or ""
        return {"name": str(name), "phone": phone_of(data.get("telecom"))}

    def subject(self, data: dict) -> str:
        for key in ("subject", "patient", "beneficiary"):
            reference = data.get(key)
            if isinstance(reference, dict):
                target = self.resolve(reference.get("reference") or "")
                if target.startswith("Patient/"):
                    return target[len("Patient/") :]
        return ""

    # -- the mapping --------------------------------------------------------------------

    def to_item(
        self, data: dict, *, text: str, digest: str, locator: str, full_url: str = ""
    ) -> Item:
        resource_type = data["resourceType"]
        resource_id = data.get("id") or ""
        if not resource_id and full_url.startswith("urn:uuid:"):
            resource_id = full_url[len("urn:uuid:") :]
        if not resource_id:
            return Rejected(locator, f"{resource_type} has no id", text)
        if resource_type == "Patient":
            return self.patient(data, resource_id, text=text, digest=digest, locator=locator)
        return self.event(
            data, resource_type, resource_id, text=text, digest=digest, locator=locator
        )

    def patient(
        self, data: dict, resource_id: str, *, text: str, digest: str, locator: str
    ) -> Item:
        number = ""
        for identifier in data.get("identifier") or ():
            if identifier.get("system") == NHS_NUMBER_SYSTEM and identifier.get("value"):
                number = nhs_number.normalise(identifier["value"])
                break
        name = _preferred(data.get("name")) or {}
        given = (name.get("given") or [""])[0]
        address = self._home(data.get("address"))
        lines = [*(address.get("line") or []), address.get("city") or ""]
        address_text = ", ".join(line for line in lines if line) or address.get("text") or ""
        extra: dict = {}
        # As for CSV: a field that cannot be used is kept as recorded, not used to link, and
        # the Patient still becomes a record (see ``SourceRecord.problems``).
        problems: dict = {}
        birth = str(data.get("birthDate") or "")
        dob = parse_iso_date(birth) if birth else None
        if birth and dob is None:
            extra["birth_date_as_sent"] = birth
            partial = re.fullmatch(r"\d{4}(-\d{2})?", birth)
            problems["date_of_birth"] = as_recorded(
                birth, "only part of a date" if partial else "not a valid date"
            )
        sex = str(data.get("gender") or "")
        if sex and sex_problem(sex):
            problems["sex"] = as_recorded(sex, sex_problem(sex))
            sex = ""
        raw_postcode = str(address.get("postalCode") or "")
        postcode, postcode_problem = clean_postcode(raw_postcode)
        if postcode_problem:
            problems["postcode"] = as_recorded(raw_postcode, postcode_problem)
        contacts = [
            {
                "name": human_name(contact.get("name")),
                "relationship": concept_text(contact.get("relationship")),
                "phone": phone_of(contact.get("telecom")),
            }
            for contact in data.get("contact") or ()
        ]
        if contacts:
            extra["contacts"] = contacts
        practitioners = [self.name_of(ref)[0] for ref in data.get("generalPractitioner") or ()]
        if any(practitioners):
            extra["general_practitioner"] = [name for name in practitioners if name]
        if data.get("deceasedDateTime") or data.get("deceasedBoolean"):
            extra["deceased"] = data.get("deceasedDateTime") or True
        fields = {
            "source_record_id": resource_id,
            "nhs_number": number,
            "given_name": str(given),
            "family_name": str(name.get("family") or ""),
            "sex": sex,
            "postcode": postcode,
            "phone": phone_of(data.get("telecom")),
        }
        problem = too_long(fields, RECORD_LIMITS)
        if problem:
            return Rejected(locator, f"Patient {problem}", text)
        return RecordRow(
            format="fhir",
            payload=text,
            content_hash=digest,
            locator=locator,
            nhs_number_valid=nhs_number.is_valid(number),
            date_of_birth=dob,
            address=address_text,
            extra=extra,
            problems=problems,
            **fields,
        )

    @staticmethod
    def _home(addresses) -> dict:
        if not addresses:
            return {}
        for address in addresses:
            if address.get("use") == "home":
                return address
        return addresses[0]

    def event(
        self,
        data: dict,
        resource_type: str,
        resource_id: str,
        *,
        text: str,
        digest: str,
        locator: str,
    ) -> Item:
        subject = self.subject(data)
        organisation = self._organisation(data)
        extra: dict = {"organisation": organisation}
        involved = self._involved(data, resource_type, organisation)
        if involved:
            extra["involved"] = involved
        if resource_type == "RelatedPerson":
            extra["related_person"] = {
                "name": human_name(data.get("name")),
                "relationship": concept_text(data.get("relationship")),
                "phone": phone_of(data.get("telecom")),
            }
        elif resource_type in {"Organization", "Practitioner", "Location"}:
            extra.update(self._directory_entry(data))
        codes, codings, words = self._codes_and_words(data)
        if resource_type in MEDICINE_TYPES:
            extra["dose"] = _dose(data)
        elif resource_type == "AllergyIntolerance":
            extra["reaction"] = _reaction(data)
        summary = self._summary(data, resource_type, extra)
        decision = care_decision(data, resource_type, codes, f"{words} {summary}")
        if decision:
            extra["care_decision"] = decision
        fields = {
            "event_id": f"{resource_type}/{resource_id}",
            "subject_record_id": subject,
            "kind": CARE_DECISION_KIND.get(decision)
            or self._kind(data, resource_type, organisation),
            "status": self._status(data),
            "code": next((c for c in codes if len(c) <= EVENT_LIMITS["code"]), ""),
        }
        problem = too_long(fields, EVENT_LIMITS)
        if problem:
            return Rejected(locator, f"{resource_type} {problem}", text)
        return EventRow(
            resource_type=resource_type,
            payload=text,
            content_hash=digest,
            locator=locator,
            occurred_at=self._when(data),
            summary=summary,
            sensitive_category=sensitivity.category_for(
                codes=codings,
                # Services matter for what happened to a person; a directory entry (an
                # Organization, a Practitioner) concerns nobody.
                services=self._services(data, organisation, involved) if subject else (),
                words=f"{words} {summary}",
                partner=self.partner,
                clinical=bool(subject),
            ),
            on_timeline=bool(subject) and resource_type not in OFF_TIMELINE,
            extra=extra,
            **fields,
        )

    def _organisation(self, data: dict) -> str:
        for key in (
            "serviceProvider",
            "managingOrganization",
            "organization",
            "provider",
            "custodian",
        ):
            reference = _first(data.get(key))
            if isinstance(reference, dict):
                name = self.name_of(reference)[0]
                if name:
                    return name
        return self.organisation

    def _involved(self, data: dict, resource_type: str, organisation: str) -> list[dict]:
        people: list[dict] = []

        def add(reference, role: str, org: str = "") -> None:
            name, phone = self.name_of(reference)
            if name and not any(p["name"] == name and p["role"] == role for p in people):
                people.append(
                    {
                        "name": name,
                        "role": role,
                        "organisation": org or organisation,
                        "contact": phone,
                    }
                )

        if resource_type == "Encounter":
            for participant in data.get("participant") or ():
                role = concept_text(participant.get("type"))
                add(participant.get("individual"), PARTICIPATION.get(role, role) or "Clinician")
        elif resource_type == "EpisodeOfCare":
            add(data.get("careManager"), "Care manager")
            for team in data.get("team") or ():
                add(team, "Care team")
        elif resource_type == "CareTeam":
            for participant in data.get("participant") or ():
                org = self.name_of(participant.get("onBehalfOf"))[0]
                add(
                    participant.get("member"),
                    concept_text(participant.get("role")) or "Member",
                    org,
                )
        elif resource_type == "ServiceRequest":
            add(data.get("requester"), "Referrer")
            for performer in data.get("performer") or ():
                add(performer, "Referred to")
        elif resource_type in {"CarePlan", "Flag", "Composition", "Condition"}:
            for author in _concepts(data.get("author")) or _concepts(data.get("asserter")):
                add(author, "Author")
            for contributor in data.get("contributor") or ():
                add(contributor, "Contributor")
        return people

    def _codes_and_words(self, data: dict) -> tuple[list[str], list[tuple[str, str]], str]:
        """SNOMED CT codes first then others (for ``Event.code``), every ``(system, code)``
        pair including ``meta.security`` labels (for sensitivity), and the concepts' words."""
        codes: list[str] = []
        others: list[str] = []
        codings: list[tuple[str, str]] = []
        words: list[str] = []
        for key in CONCEPT_KEYS:
            for concept in _concepts(data.get(key)):
                if concept.get("text"):
                    words.append(str(concept["text"]))
                for coding in concept.get("coding") or ():
                    if not isinstance(coding, dict):
                        continue
                    code = coding.get("code")
                    if code:
                        system = str(coding.get("system") or "")
                        (codes if system == SNOMED else others).append(str(code))
                        codings.append((system, str(code)))
                    if coding.get("display"):
                        words.append(str(coding["display"]))
        meta = data.get("meta")
        for label in (meta.get("security") or ()) if isinstance(meta, dict) else ():
            if isinstance(label, dict) and label.get("code"):
                codings.append((sensitivity.SECURITY_SYSTEM, str(label["code"])))
        return codes + others, codings, " ".join(words)

    def _services(self, data: dict, organisation: str, involved: list[dict]) -> list[str]:
        """Names of the organisations, teams, locations and services an event involves: a
        sexual health clinic's or a CAMHS team's involvement is sensitive in itself."""
        names = [organisation, self.organisation]
        for key in _SERVICE_REFERENCES.intersection(data):  # most resources have one or two
            value = data[key]
            for item in value if isinstance(value, list) else (value,):
                if not isinstance(item, dict):
                    continue
                # A Reference, or a backbone holding one (Encounter.location.location,
                # Procedure.performer.actor, CareTeam.participant.onBehalfOf...).
                names.append(self.name_of(item)[0])
                for holder in _HOLDERS.intersection(item):
                    if isinstance(item[holder], dict):
                        names.append(self.name_of(item[holder])[0])
        for key in _SERVICE_CONCEPTS.intersection(data):
            for concept in _concepts(data[key]):
                names.append(concept_text(concept))
        if data.get("resourceType") in {"HealthcareService", "Organization", "Location"}:
            names.append(str(data.get("name") or ""))
        names.extend(person.get("organisation") or "" for person in involved)
        return [name for name in dict.fromkeys(names) if name]

    def _kind(self, data: dict, resource_type: str, organisation: str) -> str:
        if resource_type == "Encounter":
            return self._encounter_kind(data, organisation)
        if resource_type == "EpisodeOfCare" and self.partner == Partner.MENTAL_HEALTH:
            return "Mental health episode of care"
        return KIND_BY_TYPE.get(resource_type) or _CAMEL.sub(" ", resource_type).capitalize()

    def _encounter_kind(self, data: dict, organisation: str) -> str:
        klass = str((data.get("class") or {}).get("code") or "").upper()
        kinds = " ".join(concept_text(t) for t in data.get("type") or ()).lower()
        where = organisation.lower()
        if klass == "EMER" or "emergency" in kinds or "a&e" in kinds:
            return "A&E attendance"
        if klass in _ADMISSION_CLASSES or "inpatient" in kinds or "admission" in kinds:
            return (
                "Mental health admission" if self.partner == Partner.MENTAL_HEALTH else "Admission"
            )
        if self.partner == Partner.MENTAL_HEALTH:
            return "Mental health contact"
        if klass == "HH" or "home visit" in kinds:
            return "Home visit"
        if klass == "VR" or "telephone" in kinds:
            return "Phone or video contact"
        by_partner = {
            Partner.GP: "GP encounter",
            Partner.COMMUNITY: "Community health contact",
            Partner.ACUTE: "Outpatient attendance",
            Partner.ADULT_SOCIAL_CARE: "Social care contact",
        }
        if self.partner in by_partner:
            return by_partner[self.partner]
        if any(w in where for w in ("surgery", "practice", "medical centre", "health centre")):
            return "GP encounter"
        if "hospital" in where:
            return "Outpatient attendance"
        return "Appointment"

    @staticmethod
    def _status(data: dict) -> str:
        status = data.get("status")
        if isinstance(status, str):
            return status
        for key in ("clinicalStatus", "verificationStatus"):
            value = data.get(key)
            if isinstance(value, dict):
                for coding in value.get("coding") or ():
                    if coding.get("code"):
                        return str(coding["code"])
        if isinstance(data.get("active"), bool):
            return "active" if data["active"] else "inactive"
        return ""

    @staticmethod
    def _when(data: dict):
        for path in WHEN:
            value = data.get(path[0])
            if len(path) == 2:
                value = value.get(path[1]) if isinstance(value, dict) else None
            if isinstance(value, str):
                moment = parse_fhir_datetime(value)
                if moment is not None:
                    return moment
        return None

    def _summary(self, data: dict, resource_type: str, extra: dict) -> str:
        if resource_type == "RelatedPerson":
            person = extra["related_person"]
            relation = f" ({person['relationship']})" if person["relationship"] else ""
            return f"{person['name'] or 'Unnamed person'}{relation}"
        if resource_type in {"Organization", "Practitioner", "Location"}:
            return extra.get("name") or resource_type
        if resource_type == "Encounter":
            what = concept_text(data.get("type")) or concept_text(data.get("serviceType"))
            why = concept_text(data.get("reasonCode"))
            return ": ".join(part for part in (what, why) if part)
        if resource_type == "Observation":
            what = concept_text(data.get("code"))
            value = self._observation_value(data)
            return f"{what}: {value}" if value else what
        if resource_type in MEDICINE_TYPES:
            name = (
                concept_text(data.get("medicationCodeableConcept"))
                or self.name_of(data.get("medicationReference"))[0]
            )
            if name:
                return name
        if resource_type in {"CarePlan", "CareTeam", "Composition", "Goal", "DocumentReference"}:
            title = data.get("title") or data.get("name")
            if isinstance(title, str) and title:
                return title
            description = data.get("description")
            if isinstance(description, dict):
                description = concept_text(description)
            if isinstance(description, str) and description:
                return description
        for key in CONCEPT_KEYS:
            words = concept_text(data.get(key))
            if words:
                return words
        return KIND_BY_TYPE.get(resource_type, resource_type)

    @staticmethod
    def _observation_value(data: dict) -> str:
        quantity = data.get("valueQuantity")
        if isinstance(quantity, dict) and quantity.get("value") is not None:
            value = quantity["value"]
            shown = f"{value:.4g}" if isinstance(value, float) else str(value)
            unit = str(quantity.get("unit") or quantity.get("code") or "")
            if unit.startswith("{") and unit.endswith("}"):
                unit = ""  # a UCUM annotation ("{score}") is no unit a reader needs
            return f"{shown} {unit}".strip()
        if data.get("valueCodeableConcept"):
            return concept_text(data["valueCodeableConcept"])
        for key in ("valueString", "valueBoolean", "valueInteger", "valueDateTime"):
            if data.get(key) is not None:
                return str(data[key])
        return ""


def _dose(data: dict) -> str:
    """How a medicine is taken, in the prescriber's words ("One tablet twice a day")."""
    for key in ("dosageInstruction", "dosage"):
        for dosage in data.get(key) or ():
            if not isinstance(dosage, dict):
                continue
            words = dosage.get("text") or dosage.get("patientInstruction")
            if words:
                return str(words)
    return ""


def _reaction(data: dict) -> str:
    """What an allergy does to the person ("Hives, wheeze"), with its severity if severe."""
    found: list[str] = []
    severe = False
    for reaction in data.get("reaction") or ():
        if not isinstance(reaction, dict):
            continue
        for manifestation in _concepts(reaction.get("manifestation")):
            words = concept_text(manifestation)
            if words and words not in found:
                found.append(words)
        severe = severe or reaction.get("severity") == "severe"
    text = ", ".join(found)
    return f"{text} (severe)" if text and severe else text


def care_decision(data: dict, resource_type: str, codes: list[str], words: str) -> str:
    """ "dnacpr", "respect", "advance_care_plan" or "": is this resource one of them?"""
    if resource_type not in CARE_DECISION_TYPES:
        return ""
    for code in codes:
        if code in CARE_DECISION_CODES:
            return CARE_DECISION_CODES[code]
    title = " ".join(
        str(data.get(key) or "")
        for key in ("title", "description")
        if isinstance(data.get(key), str)
    )
    for decision, pattern in CARE_DECISION_WORDS:
        if pattern.search(f"{words} {title}"):
            return decision
    return ""


def stored_fhir_category(
    payload: str, *, partner: str, organisation: str, extra: dict, subject: str
) -> str | None:
    """The category a FHIR resource stored earlier would be given now (``wraparound
    reclassify``): the same mapping as at ingest, from its kept JSON, plus the organisations
    ingest resolved then (``extra``). None when the payload is not JSON (readers keep every
    resource as JSON, XML included, so only a hand-edited row would be)."""
    text = payload.lstrip()
    if not text.startswith("{"):
        return None
    try:
        data = orjson.loads(text)
    except orjson.JSONDecodeError:
        return None
    if not isinstance(data, dict) or not data.get("resourceType"):
        return None
    mapper = FhirMapper(partner=partner, organisation=organisation, directory={}, full_urls={})
    resource_type = str(data["resourceType"])
    resource_id = str(data.get("id") or "stored")  # a bundle entry may have had only a fullUrl
    item = mapper.event(data, resource_type, resource_id, text="", digest="", locator="")
    found = item.sensitive_category if isinstance(item, EventRow) else ""
    services = [str(extra.get("organisation") or "")]
    services.extend(
        str(person.get("organisation") or "")
        for person in extra.get("involved") or ()
        if isinstance(person, dict)
    )
    return sensitivity.most_restricted(
        (
            found,
            sensitivity.category_for(
                services=services if subject else (), partner=partner, clinical=bool(subject)
            ),
        )
    )
