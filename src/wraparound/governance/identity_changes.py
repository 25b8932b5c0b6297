"""One way through for identity changes: identity computes, governance applies.

Every path that changes who is who (``wraparound link`` and re-links, a steward's merge or
split on the web, a review decision on the web or the command line) ends here, in
``apply_identity_changes``. Identity writes a ``PersonChange`` for each person who was joined
into another or lost records to another, in the same transaction as the links; this action,
in one transaction with its audit rows and under a named data steward:

- a person *merged* into another: their objection and opt-out (the stricter wish wins),
  caseload entries, assignments and the team's writing (what matters, people who matter)
  move to the surviving person;
- a person *split*: the team's writing, caseload and assignments stay with the person who
  keeps the id; their objection and opt-out also protect every person made from their
  records (the stricter wish wins), since the wish was the person's, whichever records are
  theirs;

then refreshes the search index of everyone touched. A change left unapplied (a run killed
half way) is applied by the next call, whoever makes it. See ``docs/linkage.md``, "When people
are joined or split".
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from wraparound.frontdoor import actions as request_actions
from wraparound.governance.access import search
from wraparound.governance.access.audit import _audit
from wraparound.governance.access.errors import NoAccess
from wraparound.governance.access.viewer import _Viewer, _viewer
from wraparound.governance.models import Assignment, AuditEntry, CaseloadEntry, SharingPreference
from wraparound.governance.roles import Permission
from wraparound.identity.models import Link, Person, PersonChange
from wraparound.meetings import actions as meeting_actions
from wraparound.notes import actions as note_actions
from wraparound.plans import actions as plan_actions

# Above this many people (a first link), search is refreshed after the transaction, in
# committed batches, so pages keep answering on SQLite.
SEARCH_IN_TRANSACTION = 5_000


class NotASteward(ValueError):
    """The named member of staff may not change who is who; the message says why."""


@dataclass(frozen=True)
class Applied:
    merged: list[tuple[int, int]]  # (retired person id, surviving person id)
    split: list[tuple[int, int]]  # (person id that kept its id, person made from its records)
    reindexed: int


def steward(username: str) -> _Viewer:
    """The active data steward with this username, or ``NotASteward`` saying why not."""
    name = (username or "").strip()
    if not name:
        raise NotASteward("Name the data steward making this change (--by USERNAME).")
    user = get_user_model().objects.filter(username=name).first()
    if user is None:
        raise NotASteward(f"There is no member of staff with the username '{name}'.")
    try:
        v = _viewer(user)
    except NoAccess:
        raise NotASteward(f"'{name}' is not an active member of staff.") from None
    if not v.may(Permission.REVIEW_LINKAGE):
        raise NotASteward(f"'{name}' is not a data steward, so may not change who is who.")
    return v


def apply_identity_changes(
    *,
    by: str,
    reason: str,
    what: dict | None,
    person_ids: Iterable[int] = (),
    ip: str | None = None,
) -> Applied:
    """Apply every pending ``PersonChange``, audit it under ``by``, refresh search.

    Each change gets an audit row (the person it concerns, what happened, who computed it).
    ``what`` describes the occasion for one more row (a link run's counts, a pair decided on
    the command line); ``None`` when the caller audits the occasion itself (the web gate).
    ``person_ids`` are further people whose linked records changed (their search tokens are
    rebuilt too). Raises ``NotASteward`` before anything is written.
    """
    v = steward(by)
    touched = set(person_ids)
    with transaction.atomic():
        pending = list(
            PersonChange.objects.select_for_update().filter(applied_at=None).order_by("id")
        )
        merged, split, done = [], [], []
        for change in pending:
            src, dst = change.from_person_id, change.to_person_id
            if src == dst or not Person.objects.filter(pk=dst).exists():
                continue  # not written yet (a run still writing, or killed): wait for it
            if change.kind == PersonChange.Kind.MERGED:
                if Link.objects.filter(person_id=src).exists():
                    # Worked out but not yet carried out: protect now, move when it is done.
                    _share_wishes(from_person_id=src, to_person_id=dst)
                    continue
                _move_everything(from_person_id=src, to_person_id=dst)
                merged.append((src, dst))
            else:
                _share_wishes(from_person_id=src, to_person_id=dst)
                split.append((src, dst))
            done.append(change.id)
            touched |= {src, dst}
            _audit(
                v,
                AuditEntry.Action.LINKAGE_DECISION,
                ip,
                person_id=dst,
                purpose=reason,
                detail={
                    "change": change.kind,
                    "from_person_id": src,
                    "to_person_id": dst,
                    "computed_by": change.by,
                },
            )
        PersonChange.objects.filter(id__in=done).update(applied_at=timezone.now())
        if what is not None:
            _audit(
                v,
                AuditEntry.Action.LINKAGE_DECISION,
                ip,
                person_id=next(iter(touched)) if len(touched) == 1 else None,
                purpose=reason,
                detail={**what, "merged": len(merged), "split": len(split)},
            )
        ids = sorted(touched)
        if len(ids) <= SEARCH_IN_TRANSACTION:
            search.index_people(ids)
    if len(ids) > SEARCH_IN_TRANSACTION:
        search.index_people(ids)  # in short transactions of its own
    return Applied(merged=merged, split=split, reindexed=len(ids))


def _move_everything(*, from_person_id: int, to_person_id: int) -> None:
    """Two people were one all along: what the team holds for one follows to the other."""
    for entry in CaseloadEntry.objects.filter(person_id=from_person_id):
        if CaseloadEntry.objects.filter(team_id=entry.team_id, person_id=to_person_id).exists():
            entry.delete()
        else:
            entry.person_id = to_person_id
            entry.save(update_fields=["person_id"])
    Assignment.objects.filter(person_id=from_person_id).update(person_id=to_person_id)
    _share_wishes(from_person_id=from_person_id, to_person_id=to_person_id)
    SharingPreference.objects.filter(person_id=from_person_id).delete()
    plan_actions.move_person(from_person_id=from_person_id, to_person_id=to_person_id)
    note_actions.move_person(from_person_id=from_person_id, to_person_id=to_person_id)
    request_actions.move_person(from_person_id=from_person_id, to_person_id=to_person_id)
    meeting_actions.move_person(from_person_id=from_person_id, to_person_id=to_person_id)


def _share_wishes(*, from_person_id: int, to_person_id: int) -> None:
    """The stricter wish wins: either person's objection or opt-out holds for ``to``."""
    wish = SharingPreference.objects.filter(person_id=from_person_id).first()
    if wish is None or not (wish.objects_to_sharing or wish.national_opt_out or wish.note):
        return
    kept, _ = SharingPreference.objects.get_or_create(person_id=to_person_id)
    kept.national_opt_out = kept.national_opt_out or wish.national_opt_out
    kept.objects_to_sharing = kept.objects_to_sharing or wish.objects_to_sharing
    if wish.note and wish.note not in kept.note:
        kept.note = "\n".join(n for n in (kept.note, wish.note) if n)
    kept.recorded_by = kept.recorded_by or wish.recorded_by
    kept.save()
