"""The steward's linkage work as the gate offers it: the review queue, split, merge.

This module finds the rows a steward's form names, shows pairs through the agreement's lens
(a feed whose existence is sensitive is not named), and records the decisions.

The decisions themselves are identity's (``identity.decisions``: ``decide_pair``,
``split_record``, ``merge_records``), each a ``StewardDecision`` that every re-link obeys,
applied at once. That module imports no Splink, so governance may call it. What follows
the person (objections, caseload, the team's writing, search) is applied by the one action for
identity changes, ``governance.identity_changes.apply_identity_changes``.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from wraparound.core import nhs_number as nhs
from wraparound.core import postcodes
from wraparound.governance import identity_changes
from wraparound.governance.access.lens import Lens, partner_label
from wraparound.governance.access.results import ProvenanceItem, ReviewPairView
from wraparound.identity import decisions as identity_actions
from wraparound.identity.models import Link, ReviewPair
from wraparound.sources.models import SourceRecord


@dataclass(frozen=True)
class Decided:
    pair_id: int
    person_ids: list[int]


def open_pairs(*, limit: int) -> list[ReviewPair]:
    return list(
        ReviewPair.objects.filter(status__in=[ReviewPair.Status.OPEN, ReviewPair.Status.NOT_SURE])
        .select_related("record_a__source", "record_b__source")
        .order_by("-match_probability", "id")[:limit]
    )


def _item(record: SourceRecord, lens: Lens, person_id: int | None) -> ProvenanceItem:
    nameable = lens.may_name(record.source.partner, record.source.name)
    number = nhs.normalise(record.nhs_number)
    link = Link.objects.filter(source_record=record).values("rule", "match_probability").first()
    return ProvenanceItem(
        source=(record.source.display_name or partner_label(record.source.partner))
        if nameable
        else "A protected service",
        source_record_id=record.source_record_id if nameable else "",
        partner=partner_label(record.source.partner) if nameable else "",
        nhs_number=nhs.formatted(number) if number else None,
        nhs_valid=record.nhs_number_valid,
        name=" ".join(p for p in (record.given_name, record.family_name) if p),
        date_of_birth=record.date_of_birth,
        postcode=postcodes.normalise(record.postcode),
        rule=link["rule"] if link else "",
        match_probability=link["match_probability"] if link else None,
        source_code=record.source.name if nameable else "",
    )


def pair_view(pair: ReviewPair, lens: Lens) -> ReviewPairView:
    people = dict(
        Link.objects.filter(source_record_id__in=[pair.record_a_id, pair.record_b_id]).values_list(
            "source_record_id", "person_id"
        )
    )
    evidence = []
    raw = pair.evidence if isinstance(pair.evidence, dict) else {}
    for comparison in raw.get("comparisons", []) or []:
        if isinstance(comparison, dict):
            weight = comparison.get("weight")
            words = str(comparison.get("level", ""))
            if isinstance(weight, int | float):
                words += f" (weight {weight:+.1f})"
            evidence.append((str(comparison.get("comparison", "")), words))
    return ReviewPairView(
        pair_id=pair.id,
        match_probability=pair.match_probability,
        reason=pair.reason,
        record_a=_item(pair.record_a, lens, people.get(pair.record_a_id)),
        record_b=_item(pair.record_b, lens, people.get(pair.record_b_id)),
        evidence=evidence,
        person_a=people.get(pair.record_a_id),
        person_b=people.get(pair.record_b_id),
    )


@transaction.atomic
def decide_pair(
    *, pair_id: int | None, decision: str, reason: str, by: str, audit_decision: bool = False
) -> Decided | None:
    """A steward's answer on a review pair (web or ``wraparound review decide``), applied.

    ``by`` must be an active data steward's username (``identity_changes.NotASteward``).
    ``audit_decision``: also audit the decision itself (the web gate audits its own).
    """
    identity_changes.steward(by)
    pair = ReviewPair.objects.filter(id=pair_id).first() if pair_id else None
    if pair is None:
        return None
    ids = [pair.record_a_id, pair.record_b_id]
    before = set(Link.objects.filter(source_record_id__in=ids).values_list("person_id", flat=True))
    identity_actions.decide_pair(pair=pair, decision=decision, by=by, reason=reason)
    after = set(Link.objects.filter(source_record_id__in=ids).values_list("person_id", flat=True))
    identity_changes.apply_identity_changes(
        by=by,
        reason=reason,
        what={"pair_id": pair.id, "decision": decision} if audit_decision else None,
        person_ids=before | after,
    )
    return Decided(pair_id=pair.id, person_ids=sorted(before | after))


@transaction.atomic
def split(
    *, person_id: int, source: str, source_record_id: str, reason: str, by: str
) -> int | None:
    identity_changes.steward(by)
    record = (
        SourceRecord.objects.filter(
            source__name=source, source_record_id=source_record_id, link__person_id=person_id
        )
        .select_related("source")
        .first()
    )
    if record is None:
        return None
    person = identity_actions.split_record(record=record, by=by, reason=reason)
    new_id = person.pk if person is not None else None
    identity_changes.apply_identity_changes(
        by=by,
        reason=reason,
        what=None,  # the gate audits the split itself
        person_ids={person_id} | ({new_id} if new_id else set()),
    )
    return new_id


@transaction.atomic
def merge(*, person_id: int, other_person_id: int, reason: str, by: str) -> int:
    identity_changes.steward(by)
    record_a = SourceRecord.objects.filter(link__person_id=person_id).order_by("id").first()
    record_b = SourceRecord.objects.filter(link__person_id=other_person_id).order_by("id").first()
    if record_a is None or record_b is None:
        raise ValueError("Both people need a linked record to merge.")
    kept = identity_actions.merge_records(
        record_a=record_a, record_b=record_b, by=by, reason=reason
    )
    identity_changes.apply_identity_changes(
        by=by,
        reason=reason,
        what=None,  # the gate audits the merge itself
        person_ids={person_id, other_person_id},
    )
    return kept.pk
