"""The doorstep summary: what a district nurse must know before knocking, on the first screen.

Safety flags in their own words (risk to visiting staff, key safe and access, pets), allergies
with the reaction, current medicines with the dose, whether a DNACPR decision, a ReSPECT form
or an advance care plan is in place, the named lead and how to reach them, and the last contact
note. Each item is judged by the lens like any other (``lens.py``): flags and allergies are
safety items (summary, even under an objection), medicines are detail, and resuscitation
decisions are detail that an objection does not hide. Whatever is held back is counted into one
line, never one line per section.

Works on the rows ``record.py`` has already read (one query of the person's summary events), so
the doorstep costs no query of its own but the named lead's and the last note's.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from wraparound.governance.access import notes as contact_notes
from wraparound.governance.access.lens import Lens, partner_label
from wraparound.governance.access.results import (
    AllergyItem,
    CareDecision,
    Doorstep,
    FlagItem,
    MedicineItem,
    NamedLead,
)

FLAG_TYPES = ("Flag",)
ALLERGY_TYPES = ("AllergyIntolerance",)
MEDICINE_TYPES = ("MedicationRequest", "MedicationStatement")
# Activity rows from CSV feeds that say what they are with a code rather than a resource type.
FLAG_CODES = ("key_safe", "risk_to_staff", "flag", "alert")
ALLERGY_CODES = ("allergy",)
# A flag or allergy that no longer holds, and a medicine no longer taken, are not at the door.
ENDED = ("inactive", "resolved", "entered-in-error", "refuted")
CURRENT_MEDICINE = ("active",)
# A DNACPR decision, ReSPECT form or plan that was withdrawn, replaced or entered in error.
DECISION_ENDED = (
    "inactive",
    "rejected",
    "entered-in-error",
    "superseded",
    "revoked",
    "cancelled",
)
DECISIONS = (
    ("dnacpr", "DNACPR", "No DNACPR decision recorded"),
    ("respect", "ReSPECT form", "No ReSPECT form recorded"),
    ("advance_care_plan", "Advance care plan", "No advance care plan recorded"),
)
NOUNS = {
    "dnacpr": "DNACPR decision",
    "respect": "ReSPECT form",
    "advance_care_plan": "advance care plan",
}
DECISION_KINDS = frozenset(kind for kind, _, _ in DECISIONS)
# Not yet decided: a draft is not a decision anyone may act on.
DECISION_PENDING = ("draft", "proposed")
# ``Assignment.role_in_care`` words that make someone the named lead.
LEAD_WORDS = ("lead", "key worker", "keyworker", "named worker", "care co-ordinator")
MEDICINE_LIMIT = 30


def _date(moment: dt.datetime | None) -> dt.date | None:
    return timezone.localtime(moment).date() if moment else None


def _words(day: dt.date | None) -> str:
    return f"{day.day} {day:%B %Y}" if day else ""


def _text(value) -> str:
    return str(value).strip() if value not in (None, "") else ""


def is_flag(event: dict) -> bool:
    return event["resource_type"] in FLAG_TYPES or event["code"] in FLAG_CODES


def is_allergy(event: dict) -> bool:
    return event["resource_type"] in ALLERGY_TYPES or event["code"] in ALLERGY_CODES


def is_lead(role_in_care: str) -> bool:
    words = role_in_care.lower()
    return any(word in words for word in LEAD_WORDS)


def _decision_status(label: str, none: str, event: dict | None, partner: str) -> CareDecision:
    kind = next(k for k, lab, _ in DECISIONS if lab == label)
    if event is None:
        return CareDecision(kind=kind, label=label, status=none, in_place=False)
    since = _date(event["occurred_at"])
    extra = event["extra"] if isinstance(event["extra"], dict) else {}
    detail = _text(extra.get("care_decision_text")) or _text(event["summary"])
    if event["status"] in DECISION_ENDED:
        status = (
            f"No {label} in place (the last one ended{' on ' + _words(since) if since else ''})"
        )
        return CareDecision(
            kind=kind, label=label, status=status, in_place=False, since=since, partner=partner
        )
    when = f" since {_words(since)}" if since else ""
    return CareDecision(
        kind=kind,
        label=label,
        status=f"{label} in place{when} ({partner})",
        in_place=True,
        since=since,
        partner=partner,
        detail=detail,
    )


def _leads(assignments: list[dict]) -> list[NamedLead]:
    leads = []
    for a in assignments:
        if not is_lead(a["role_in_care"] or ""):
            continue
        full_name = f"{a['staff__user__first_name']} {a['staff__user__last_name']}".strip()
        title = a["staff__job_title"]
        role = a["role_in_care"].strip()
        leads.append(
            NamedLead(
                name=full_name or a["staff__user__username"],
                role=f"{role.capitalize()}, {title}" if title else role.capitalize(),
                organisation=a["staff__organisation__name"],
                phone=a["staff__phone"],
                email=a["staff__email"],
            )
        )
    return leads


def _doorstep(
    lens: Lens,
    *,
    person_id: int,
    records: list[dict],
    sources: dict[int, dict],
    events: list[dict],
    assignments: list[dict],
    note_rows: list | None = None,
) -> tuple[Doorstep, list[FlagItem], dict]:
    """The doorstep for one viewer, the page's safety items (flags then allergies, as the older
    flag list shows them) and the audit detail (counts shown and withheld).

    ``note_rows``: every contact note of the person, newest first, when the caller has read
    them all already (saves two queries); None to ask ``governance.access.notes``.
    """
    flags: list[FlagItem] = []
    allergies: list[AllergyItem] = []
    medicines: list[MedicineItem] = []
    decisions: dict[str, tuple[dict, str]] = {}
    seen: set[tuple[str, str]] = set()
    withheld = 0

    for event in events:
        src = sources[event["source_id"]]
        partner, source_name = src["source__partner"], src["source__name"]
        category = event["sensitive_category"]
        extra = event["extra"] if isinstance(event["extra"], dict) else {}
        label = partner_label(partner)
        text = _text(event["summary"])
        day = _date(event["occurred_at"])
        decision = extra.get("care_decision")
        if decision in DECISION_KINDS:  # before flags: a DNACPR sent as a Flag is a decision
            if event["status"] in DECISION_PENDING:
                continue
            if not lens.may_see_care_decision(partner, source_name, category):
                withheld += 1
                continue
            decisions.setdefault(decision, (event, label))  # newest first: the latest decides
        elif is_allergy(event) or is_flag(event):
            if event["status"] in ENDED or not text:
                continue
            if not lens.may_see_summary(partner, source_name, category, safety=True):
                withheld += 1
                continue
            key = ("allergy" if is_allergy(event) else "flag", text.lower())
            if key in seen:
                continue
            seen.add(key)
            if key[0] == "allergy":
                reaction = _text(extra.get("reaction"))
                allergies.append(
                    AllergyItem(substance=text, reaction=reaction, partner=label, date=day)
                )
            else:
                flags.append(FlagItem(text=text, partner=label, date=day))
        elif event["resource_type"] in MEDICINE_TYPES:
            if event["status"] not in CURRENT_MEDICINE or not text:
                continue
            if not lens.may_see_medicines(partner, source_name, category):
                withheld += 1
                continue
            key = ("medicine", text.lower())
            if key in seen or len(medicines) >= MEDICINE_LIMIT:
                continue
            seen.add(key)
            medicines.append(
                MedicineItem(name=text, dose=_text(extra.get("dose")), partner=label, date=day)
            )

    # Safety flags written in contact notes (H-C's notes), newest first, after partners' flags.
    if note_rows is None:
        note_flags = contact_notes.visible_flags(lens, person_id)
        last = contact_notes.last_visible(lens, person_id)
    else:
        current = [r for r in note_rows if not r.corrected]
        note_flags = [r for r in current if contact_notes.flag_visible(lens, r)]
        last = next((r for r in current if contact_notes.note_visible(lens, r)), None)
    for row in note_flags:
        words = _text(row.flag_text) or _text(row.text)
        if words and ("flag", words.lower()) not in seen:
            seen.add(("flag", words.lower()))
            flags.append(
                FlagItem(text=words, partner=row.organisation, date=_date(row.occurred_at))
            )

    care_decisions = [
        _decision_status(label, none, *(decisions.get(kind) or (None, "")))
        for kind, label, none in DECISIONS
    ]
    may_see_medicines = any(
        lens.may_see_medicines(r["source__partner"], r["source__name"], "") for r in records
    )
    may_see_decisions = any(
        lens.may_see_care_decision(r["source__partner"], r["source__name"], "") for r in records
    )
    line = ""
    if withheld:
        items = "1 item" if withheld == 1 else f"{withheld:,} items"
        verb = "is" if withheld == 1 else "are"
        line = (
            f"{items} of this summary {verb} withheld under the sharing agreement. "
            f"{lens.agreement.ask_steward}"
        )
    # What is not there, in one line: "No ReSPECT form or advance care plan recorded".
    missing = [NOUNS[c.kind] for c in care_decisions if not c.in_place and c.since is None]
    not_recorded = ""
    if missing:
        listed = missing[0] if len(missing) == 1 else f"{', '.join(missing[:-1])} or {missing[-1]}"
        not_recorded = f"No {listed} recorded"
    doorstep = Doorstep(
        flags=flags,
        allergies=allergies,
        medicines=medicines,
        care_decisions=care_decisions,
        leads=_leads(assignments),
        last_contact=contact_notes.item(last) if last else None,
        may_see_medicines=may_see_medicines,
        may_see_care_decisions=may_see_decisions,
        withheld=line,
        medicines_from=" and ".join(dict.fromkeys(m.partner for m in medicines)),
        not_recorded=not_recorded,
    )
    safety = flags + [
        FlagItem(text=f"Allergy: {a.substance}", partner=a.partner, date=a.date) for a in allergies
    ]
    detail = {
        "flags": len(flags),
        "allergies": len(allergies),
        "medicines": len(medicines),
        "care_decisions": sorted(decisions),
        "last_note": last.note_id if last else None,
        "withheld": withheld,
    }
    return doorstep, safety, detail
