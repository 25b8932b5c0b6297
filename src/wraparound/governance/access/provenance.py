"""Where each piece of a record came from: one line per organisation, or per linked record for a
data steward (with the link rule and match probability, for linkage work).
"""

from __future__ import annotations

from dataclasses import replace

from wraparound.core import postcodes
from wraparound.governance.access.lens import Lens, partner_label
from wraparound.governance.access.results import ProvenanceItem
from wraparound.governance.access.summaries import _display_name, _nhs, _organisation_name

# What a steward reads beside a feed whose kind of partner nobody has stated.
UNCLASSIFIED_WORDS = (
    "Kind of partner not stated: withheld from everyone until you classify it "
    "(wraparound reclassify --source NAME --partner KIND)"
)

# The words a practitioner reads for each field a partner may send unusable.
_FIELD_WORDS = {"date_of_birth": "date of birth", "sex": "sex", "postcode": "postcode"}


def as_recorded(problems: dict | None) -> tuple[str, ...]:
    """``{"date_of_birth": {"as_recorded": "1945-04-93", "problem": "not a valid date"}}`` ->
    ``("date of birth as recorded: 1945-04-93 — not a valid date",)``, so a value the partner
    holds is visible even though linkage and the person's details do not use it."""
    lines = []
    for field, found in sorted((problems or {}).items()):
        if not isinstance(found, dict):
            continue
        words = _FIELD_WORDS.get(field, field.replace("_", " "))
        lines.append(
            f"{words} as recorded: {found.get('as_recorded', '')} — {found.get('problem', '')}"
        )
    return tuple(lines)


def _provenance(lens: Lens, records: list[dict], is_steward: bool) -> list[ProvenanceItem]:
    items = []
    seen: dict[str, int] = {}
    for r in records:
        partner, source_name = r["source__partner"], r["source__name"]
        nameable = lens.may_name_source(partner, source_name, r["source__display_name"])
        organisation = _organisation_name(r["source__display_name"], partner)
        if is_steward:
            number, _ = _nhs(r["nhs_number"])
            # A feed nobody has classified is named to the steward (by its feed name only:
            # its display name could say more), so they can classify it; nobody else sees it.
            unclassified = not nameable and lens.awaits_classification(partner, source_name)
            if unclassified:
                source, partner_words = f"Feed {source_name}", UNCLASSIFIED_WORDS
            elif nameable:
                source, partner_words = organisation, partner_label(partner)
            else:
                source, partner_words = "A protected service", ""
            items.append(
                ProvenanceItem(
                    source=source,
                    source_record_id=r["source_record_id"] if nameable else "",
                    partner=partner_words,
                    nhs_number=number,
                    nhs_valid=r["nhs_number_valid"],
                    name=_display_name(r["given_name"], r["family_name"]),
                    date_of_birth=r["date_of_birth"],
                    postcode=postcodes.normalise(r["postcode"]),
                    rule=r["link__rule"] or "",
                    match_probability=r["link__match_probability"],
                    source_code=source_name if nameable or unclassified else "",
                    can_split=nameable and len(records) > 1,
                    as_recorded=as_recorded(r.get("problems")),
                )
            )
        elif nameable and organisation in seen:
            at = seen[organisation]  # one line per organisation: add this record's problems
            items[at] = replace(
                items[at], as_recorded=items[at].as_recorded + as_recorded(r.get("problems"))
            )
        elif nameable:
            seen[organisation] = len(items)
            items.append(
                ProvenanceItem(
                    source=organisation,
                    source_record_id="",
                    partner=partner_label(partner),
                    nhs_number=None,
                    nhs_valid=None,
                    name="",
                    date_of_birth=None,
                    postcode="",
                    rule="",
                    match_probability=None,
                    as_recorded=as_recorded(r.get("problems")),
                )
            )
    return items
