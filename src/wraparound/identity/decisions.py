"""A data steward's linkage decisions: merge, split, and answers on review pairs.

These are writes (actions), kept apart from ``actions.py`` because that module runs the Splink
model: governance calls these from the person page and the review queue, and must not import
Splink (only ``identity`` may). Every decision becomes a ``StewardDecision`` that each later
``wraparound link`` obeys, and every change to who is who a ``PersonChange`` in the same
transaction, which governance applies (``governance.identity_changes``): identity computes,
governance applies.
"""

from django.db import transaction
from django.utils import timezone

from wraparound.identity.models import Link, Person, PersonChange, ReviewPair, StewardDecision
from wraparound.sources.models import SourceRecord


def _ordered(a: SourceRecord, b: SourceRecord) -> tuple[SourceRecord, SourceRecord]:
    return (a, b) if a.pk < b.pk else (b, a)


def _record_decision(
    *, a: SourceRecord, b: SourceRecord, decision: str, by: str, reason: str
) -> StewardDecision:
    a, b = _ordered(a, b)
    obj, _created = StewardDecision.objects.update_or_create(
        record_a=a,
        record_b=b,
        defaults={"decision": decision, "decided_by": by, "reason": reason},
    )
    return obj


def record_change(*, kind: str, from_person_id: int, to_person_id: int, by: str) -> None:
    """Note what a change did to people, for governance to apply (see ``PersonChange``)."""
    PersonChange.objects.create(
        kind=kind, from_person_id=from_person_id, to_person_id=to_person_id, by=by[:150]
    )


@transaction.atomic
def merge_records(
    *, record_a: SourceRecord, record_b: SourceRecord, by: str, reason: str = ""
) -> Person:
    """A steward says two records are the same person: join their people now and for good.

    The person with more links keeps its id (ties: the lower id); the other is retired.
    """
    _record_decision(
        a=record_a, b=record_b, decision=StewardDecision.Decision.SAME, by=by, reason=reason
    )
    link_a = Link.objects.select_related("person").filter(source_record=record_a).first()
    link_b = Link.objects.select_related("person").filter(source_record=record_b).first()
    if link_a is None or link_b is None:
        # Not linked yet: the next ``wraparound link`` applies the decision.
        return link_a.person if link_a else (link_b.person if link_b else None)
    if link_a.person_id == link_b.person_id:
        Link.objects.filter(pk__in=[link_a.pk, link_b.pk]).update(rule=Link.Rule.STEWARD)
        return link_a.person
    size_a = Link.objects.filter(person_id=link_a.person_id).count()
    size_b = Link.objects.filter(person_id=link_b.person_id).count()
    keep, drop = (link_a.person, link_b.person)
    if size_b > size_a or (size_b == size_a and link_b.person_id < link_a.person_id):
        keep, drop = drop, keep
    Link.objects.filter(person=drop).update(person=keep)
    Link.objects.filter(pk__in=[link_a.pk, link_b.pk]).update(rule=Link.Rule.STEWARD)
    drop.retired = True
    drop.save(update_fields=["retired"])
    record_change(
        kind=PersonChange.Kind.MERGED, from_person_id=drop.pk, to_person_id=keep.pk, by=by
    )
    return keep


@transaction.atomic
def split_record(*, record: SourceRecord, by: str, reason: str = "") -> Person:
    """A steward says a record does not belong with the others of its person: give it its own.

    A "different people" decision is stored against each record it leaves, so no re-link puts
    it back.
    """
    link = Link.objects.select_related("person").filter(source_record=record).first()
    others = (
        list(SourceRecord.objects.filter(link__person_id=link.person_id).exclude(pk=record.pk))
        if link
        else []
    )
    for other in others:
        _record_decision(
            a=record, b=other, decision=StewardDecision.Decision.DIFFERENT, by=by, reason=reason
        )
    if link is None or not others:
        return link.person if link else None
    person = Person.objects.create(
        nhs_number=record.nhs_number if record.nhs_number_valid else "",
        given_name=record.given_name,
        family_name=record.family_name,
        date_of_birth=record.date_of_birth,
        postcode=record.postcode,
        address=record.address,
    )
    left = link.person_id
    link.person = person
    link.rule = Link.Rule.STEWARD
    link.match_probability = None
    link.save()
    record_change(kind=PersonChange.Kind.SPLIT, from_person_id=left, to_person_id=person.pk, by=by)
    return person


@transaction.atomic
def decide_pair(*, pair: ReviewPair, decision: str, by: str, reason: str = "") -> ReviewPair:
    """A steward's answer on a review pair: "same", "different" or "not_sure".

    "same" and "different" become ``StewardDecision`` rows that every later re-link obeys, and
    take effect at once; "not sure" leaves the pair marked for a second opinion.
    """
    if not by.strip():
        raise ValueError("A decision needs the name of the steward who made it.")
    pair = (
        ReviewPair.objects.select_for_update()
        .select_related("record_a", "record_b")
        .get(pk=pair.pk)
    )
    if decision == "same":
        merge_records(record_a=pair.record_a, record_b=pair.record_b, by=by, reason=reason)
        pair.status = ReviewPair.Status.LINKED
    elif decision == "different":
        _record_decision(
            a=pair.record_a,
            b=pair.record_b,
            decision=StewardDecision.Decision.DIFFERENT,
            by=by,
            reason=reason,
        )
        link_a = Link.objects.filter(source_record=pair.record_a).first()
        link_b = Link.objects.filter(source_record=pair.record_b).first()
        if link_a and link_b and link_a.person_id == link_b.person_id:
            split_record(record=pair.record_b, by=by, reason=reason)
        pair.status = ReviewPair.Status.KEPT_APART
    elif decision == "not_sure":
        pair.status = ReviewPair.Status.NOT_SURE
    else:
        raise ValueError(f"Unknown decision {decision!r}: use same, different or not_sure.")
    pair.decided_by = by
    pair.decided_at = timezone.now()
    if reason:
        pair.reason = f"{pair.reason}\nSteward: {reason}".strip()
    pair.save()
    return pair
