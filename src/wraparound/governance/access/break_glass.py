"""Break-glass: time-limited access without a care relationship, and the steward's review of it.

It cannot be hidden or worn out (issue 9, finding 6): the steward's list shows every open
grant, oldest first, paged, with the true count; a reason must contain words; renewals for
one person and grants per member of staff per day are limited by the agreement
(``break_glass:`` in ``agreement.yaml``); and nobody gets a grant for a person they may
already open.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from wraparound.governance.access.audit import _audit, _refuse
from wraparound.governance.access.errors import InvalidRequest, NoAccess
from wraparound.governance.access.relationship import _person, _person_id, _relationships
from wraparound.governance.access.results import (
    BreakGlassGrant,
    BreakGlassQueue,
    BreakGlassReview,
)
from wraparound.governance.access.summaries import _display_name
from wraparound.governance.access.viewer import _require, _Viewer, _viewer
from wraparound.governance.models import AuditEntry, BreakGlass, Staff
from wraparound.governance.roles import Permission, Role
from wraparound.identity.models import Person

_WORD = re.compile(r"[^\W\d_]{2,}")
_LETTER = re.compile(r"[^\W\d_]")
# Letters to Unicode that draw nothing (Hangul fillers, Khmer inherent vowels): a reason made
# of them passed the word rule while the steward's list showed a blank.
_BLANK_LETTERS = frozenset("\u115f\u1160\u17b4\u17b5\u3164\uffa0")


def reason_words(reason: str) -> tuple[str, list[str]]:
    """The reason as read by a person: format characters (zero-width spaces, joiners, marks
    that draw nothing) and letters that draw nothing taken out, whitespace collapsed; and its
    words of two letters or more.
    """
    visible = unicodedata.normalize("NFKC", reason or "")
    visible = "".join(
        ch
        for ch in visible
        if unicodedata.category(ch) not in {"Cf", "Cc"} and ch not in _BLANK_LETTERS
    )
    visible = " ".join(visible.split())
    return visible, _WORD.findall(visible)


def _check_reason(reason: str, agreement) -> str:
    """A reason must say something: enough distinct words and enough letters.

    Twenty zero-width spaces, dots or "aa aa aa aa" passed as a reason before; now the
    agreement's ``min_reason_length`` counts letters only, and ``min_reason_words`` distinct
    words of two letters or more are needed.
    """
    visible, words = reason_words(reason)
    letters = len(_LETTER.findall(visible))
    distinct = {w.casefold() for w in words}
    need_words, need_letters = agreement.break_glass_min_words, agreement.break_glass_min_reason
    if len(distinct) < need_words or letters < need_letters:
        raise InvalidRequest(
            f"Say in words why you need this record now: at least {need_words} different "
            f"words and {need_letters} letters."
        )
    return visible


def _daily_refusal(v: _Viewer, now: dt.datetime) -> str:
    """Why the viewer may have no more grants today, or ""."""
    most = v.agreement.break_glass_max_per_day
    day_ago = now - dt.timedelta(hours=24)
    if BreakGlass.objects.filter(user_id=v.user_id, granted_at__gte=day_ago).count() >= most:
        return (
            f"You have used emergency access {most} times in the "
            "last 24 hours, the most the sharing agreement allows. Ask a data steward."
        )
    return ""


def _limit_refusal(v: _Viewer, person_id: int, now: dt.datetime) -> str:
    """Why another grant would wear the limits out, or "" when it may be given."""
    agreement = v.agreement
    day_ago = now - dt.timedelta(hours=24)
    mine = BreakGlass.objects.filter(user_id=v.user_id)
    daily = _daily_refusal(v, now)
    if daily:
        return daily
    earlier = (
        mine.filter(person_id=person_id)
        .filter(Q(granted_at__gte=day_ago) | Q(reviewed_at=None))
        .count()
    )
    if earlier > agreement.break_glass_max_renewals:
        return (
            "You have renewed emergency access to this person as often as the sharing agreement "
            "allows. If you are caring for them, ask for them to be added to your caseload."
        )
    return ""


def request_break_glass(*, viewer, person_id: int, reason: str, ip: str | None) -> BreakGlassGrant:
    """Time-limited access outside one's relationships, with limits that cannot be worn out.

    Refused (``InvalidRequest``, with a plain message; the refusal audited) when the reason
    says nothing, when the viewer already may open the person (caseload, assignment), when an
    earlier grant is still running, or when the agreement's limits on renewals for one
    person and on grants per member of staff per day are reached.
    """
    v = _viewer(viewer)
    pid = _person_id(person_id)
    if not v.may(Permission.BREAK_GLASS):
        _refuse(v, ip, pid, "role may not use break-glass")
        raise NoAccess()
    reason = _check_reason(reason, v.agreement)
    # The daily limit is said before looking the number up: said after, it answered "limit
    # reached" for a real record and "no record" for a made-up number, free of any grant.
    daily = _daily_refusal(v, timezone.now())
    if daily:
        _refuse(v, ip, pid, f"break-glass limit: {daily}")
        raise InvalidRequest(daily)
    person = _person(pid)
    if person is None:
        _refuse(v, ip, pid, "break-glass for no such person")
        raise NoAccess()
    now = timezone.now()
    with transaction.atomic():
        # One grant at a time per member of staff: two requests at once cannot both pass.
        Staff.objects.select_for_update().filter(id=v.staff_id).first()
        relationship = _relationships(v, {person.id: person.postcode})[person.id]
        if relationship == "break_glass":
            raise InvalidRequest("You already have emergency access to this record.")
        if relationship != "none":
            raise InvalidRequest(
                "You do not need emergency access: this person is already on your caseload or "
                "assigned to you. Open their record from search."
            )
        refusal = _limit_refusal(v, person.id, now)
        if not refusal:
            renewal = BreakGlass.objects.filter(
                user_id=v.user_id,
                person_id=person.id,
                granted_at__gte=now - dt.timedelta(hours=24),
            ).count()
            grant = BreakGlass.objects.create(
                user_id=v.user_id,
                username=v.username,
                role=v.role,
                organisation=v.organisation,
                person_id=person.id,
                reason=reason[:2000],
                granted_at=now,
                expires_at=now + dt.timedelta(hours=v.agreement.break_glass_hours),
            )
            _audit(
                v,
                AuditEntry.Action.BREAK_GLASS,
                ip,
                person_id=person.id,
                purpose=reason,
                detail={
                    "break_glass_id": grant.id,
                    "expires_at": grant.expires_at.isoformat(),
                    "renewal": renewal,
                },
            )
    if refusal:
        _refuse(v, ip, person.id, f"break-glass limit: {refusal}")
        raise InvalidRequest(refusal)
    return BreakGlassGrant(
        grant_id=grant.id,
        person_id=person.id,
        reason=grant.reason,
        granted_at=grant.granted_at,
        expires_at=grant.expires_at,
    )


def _role_label(role: str) -> str:
    try:
        return Role(role).label
    except ValueError:
        return role


def _review(grant: BreakGlass, names: dict[int, str], views: int, staff: dict[int, str]):
    return BreakGlassReview(
        grant_id=grant.id,
        username=grant.username,
        role=grant.role,
        organisation=grant.organisation,
        person_id=grant.person_id,
        person_name=names.get(grant.person_id, "Record no longer in use"),
        reason=grant.reason,
        granted_at=grant.granted_at,
        expires_at=grant.expires_at,
        views=views,
        outcome=grant.outcome,
        reviewed_by=grant.reviewed_by,
        reviewed_at=grant.reviewed_at,
        review_note=grant.review_note,
        staff_name=staff.get(grant.user_id, grant.username),
        role_label=_role_label(grant.role),
    )


def _views_under(grants: list[BreakGlass]) -> dict[int, int]:
    """Record views made under each grant (one query per grant on this page only)."""
    return {
        g.id: AuditEntry.objects.filter(
            action=AuditEntry.Action.VIEW_PERSON,
            user_id=g.user_id,
            person_id=g.person_id,
            at__gte=g.granted_at,
            at__lte=g.expires_at,
        ).count()
        for g in grants
    }


def break_glass_queue(
    *, viewer, ip: str | None, page: int = 1, page_size: int = 25, include_closed: bool = False
) -> BreakGlassQueue:
    """Every open (unreviewed) grant, oldest first, one page at a time, with the true count.

    Oldest first, so a flood of cheap new grants cannot push an earlier, real one off the
    list; the count is of every open grant, not of the page.
    """
    v = _viewer(viewer)
    _require(v, Permission.REVIEW_BREAK_GLASS, ip, "open the break-glass reviews")
    page_size = max(1, min(int(page_size), 200))
    with transaction.atomic():
        grants = BreakGlass.objects.order_by("granted_at", "id")
        if not include_closed:
            grants = grants.filter(reviewed_at=None)
        total = grants.count()
        pages = max(1, -(-total // page_size))
        page = max(1, min(int(page or 1), pages))
        shown = list(grants[(page - 1) * page_size : page * page_size])
        names = {
            p["id"]: _display_name(p["given_name"], p["family_name"])
            for p in Person.objects.filter(id__in=[g.person_id for g in shown]).values(
                "id", "given_name", "family_name"
            )
        }
        staff = {
            s.user_id: s.display_name
            for s in Staff.objects.filter(user_id__in={g.user_id for g in shown}).select_related(
                "user"
            )
        }
        views = _views_under(shown)
        reviews = [_review(g, names, views[g.id], staff) for g in shown]
        _audit(
            v,
            AuditEntry.Action.BREAK_GLASS_REVIEW,
            ip,
            purpose="break-glass review list",
            detail={
                "grants": [g.id for g in shown],
                "total": total,
                "page": page,
                "person_ids": sorted({g.person_id for g in shown}),
            },
        )
    return BreakGlassQueue(
        reviews=reviews, total=total, page=page, pages=pages, page_size=page_size
    )


def open_break_glass_reviews(
    *, viewer, ip: str | None, include_closed: bool = False
) -> list[BreakGlassReview]:
    """The first page of ``break_glass_queue`` (oldest first), for callers that want a list."""
    return break_glass_queue(viewer=viewer, ip=ip, include_closed=include_closed).reviews


def close_break_glass_review(
    *, viewer, grant_id: int, outcome: str, note: str, ip: str | None
) -> None:
    v = _viewer(viewer)
    _require(v, Permission.REVIEW_BREAK_GLASS, ip, "close a break-glass review")
    if outcome not in BreakGlass.Outcome.values:
        raise InvalidRequest("Choose an outcome: appropriate, inappropriate or unclear.")
    note = (note or "").strip()
    if outcome == BreakGlass.Outcome.INAPPROPRIATE and not note:
        raise InvalidRequest("Say what follow-up will happen.")
    with transaction.atomic():
        grant = BreakGlass.objects.select_for_update().filter(id=_person_id(grant_id)).first()
        if grant is None:
            raise NoAccess()
        if grant.reviewed_at is not None:
            raise InvalidRequest("This break-glass access has already been reviewed.")
        if grant.user_id == v.user_id:
            raise InvalidRequest("Another data steward must review your own break-glass access.")
        grant.reviewed_at = timezone.now()
        grant.reviewed_by = v.username
        grant.outcome = outcome
        grant.review_note = note[:2000]
        grant.save(update_fields=["reviewed_at", "reviewed_by", "outcome", "review_note"])
        _audit(
            v,
            AuditEntry.Action.BREAK_GLASS_REVIEW,
            ip,
            person_id=grant.person_id,
            purpose=f"closed break-glass review: {outcome}",
            detail={"break_glass_id": grant.id, "outcome": outcome, "note": note[:500]},
        )
