"""Finding people: search and the caseload export, both audited lists of ``PersonSummary``.

The search itself (parsing and the index) is ``governance.access.search``; this is the gate around it.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from wraparound.governance.access import search, throttle
from wraparound.governance.access.audit import _audit
from wraparound.governance.access.relationship import _scope
from wraparound.governance.access.results import PersonSummary, SearchResults
from wraparound.governance.access.summaries import _summaries
from wraparound.governance.access.viewer import _require, _viewer
from wraparound.governance.models import Assignment, AuditEntry, CaseloadEntry, PersonSearchIndex
from wraparound.governance.roles import Permission

# The last page search turns to: 40 pages of 25 is more than care work needs, and the
# throttle pauses anyone listing that many new people long before.
MAX_PAGE = 40


def search_people(
    *, viewer, query: str, ip: str | None, limit: int = 25, page: int = 1
) -> SearchResults:
    """People the viewer works with who match the query, and strangers it strongly identifies.

    Those the viewer works with (the agreement's relationships for the role, open break-glass,
    everyone for a steward) are found as a practitioner types. Anyone else is listed only on
    a strong identifying match (``search.strong_matches``) and only with name and date of
    birth. Tokens held only by feeds whose involvement the viewer may not know about are never
    matched. Every person listed is in the audit row (``results``; strangers also in
    ``no_relationship``), and listing too many people in a short time pauses searching
    (``throttle``).

    ``page`` turns through the people the viewer works with, ``limit`` at a time, best
    matches first; strangers a strong match identifies are listed on the first page only.
    """
    v = _viewer(viewer)
    _require(v, Permission.SEARCH_PEOPLE, ip, "search for people")
    limit = max(1, min(int(limit), 100))
    page = max(1, min(int(page), MAX_PAGE))
    offset = (page - 1) * limit
    query = (query or "").strip()[:200]
    now = timezone.now()
    with transaction.atomic():
        pause = throttle.paused(v, now)
        if pause is not None:
            throttle.refuse_while_paused(v, ip, query, pause)
            return _paused(v, query, pause)
        allowed = search.allowed_restrictions(v.rules.sensitive)
        scope = _scope(v)
        found = search.find(query, limit=offset + limit, allowed=allowed, scope=scope)
        if offset and offset >= found.total > 0:  # past the last page: show the last page
            page = min(-(-found.total // limit), MAX_PAGE)
            offset = (page - 1) * limit
            found = search.find(query, limit=offset + limit, allowed=allowed, scope=scope)
        on_page = found.person_ids[offset:]
        related = [s for s in _summaries(v, on_page) if s.relationship != "none"]
        strangers = []
        guessed = False
        if page == 1:
            shown = {s.person_id for s in related}
            identified = search.strong_matches(query, allowed=allowed, limit=limit)
            strong = [pid for pid in identified if pid not in shown]
            # NHS Number, or full name and date of birth, that identifies no one: a guess.
            # Guesses count with strangers listed, so a date of birth cannot be found day by day.
            guessed = not identified and search.is_identifying(query)
            strangers = [s for s in _summaries(v, strong) if s.relationship == "none"]
        results = related + strangers
        total = found.total - (len(on_page) - len(related)) + len(strangers)
        pages = max(1, -(-found.total // limit))
        listed = [r.person_id for r in results]
        stranger_ids = [s.person_id for s in strangers]
        over = throttle.over_limit(v, now, listed, stranger_ids, guessed=guessed)
        if over is not None:
            return _paused(v, query, throttle.pause(v, ip, query, now, *over))
        _audit(
            v,
            AuditEntry.Action.SEARCH,
            ip,
            query=query,
            purpose="find a person",
            detail={
                "results": listed,
                "total": total,
                "no_relationship": stranger_ids,
                "page": page,
                **({"guessed": True} if guessed else {}),
            },
        )
        notice = _notice(v, total)
    return SearchResults(
        query=query,
        results=results,
        total=total,
        truncated=total > len(results),
        understood=found.understood,
        ignored=found.ignored,
        notice=notice,
        viewer_is_steward=v.may(Permission.SEARCH_AUDIT),
        may_break_glass=v.may(Permission.BREAK_GLASS),
        page=min(page, pages),
        pages=min(pages, MAX_PAGE),
    )


def _notice(v, total: int) -> str | None:
    """Search cannot work without its index, nor find a neighbourhood an old index lacks."""
    if total:
        return None
    if not PersonSearchIndex.objects.exists():
        return "Search is not ready yet: an administrator needs to run 'wraparound reindex-search'."
    if "neighbourhood" in v.rules.relationships and v.areas:
        areas = [search.current_area_token(area) for area in v.areas]
        if not PersonSearchIndex.objects.filter(token__in=areas).exists():
            return (
                "No one living in your team's postcode areas is in the search index. If people "
                "live there, an administrator needs to run 'wraparound reindex-search'."
            )
    return None


def _paused(v, query: str, pause: throttle.Pause) -> SearchResults:
    return SearchResults(
        query=query,
        results=[],
        total=0,
        truncated=False,
        understood=[],
        ignored=[],
        viewer_is_steward=v.may(Permission.SEARCH_AUDIT),
        paused=pause.message,
    )


def export_caseload(*, viewer, ip: str | None) -> list[PersonSummary]:
    """The people the viewer works with (the agreement's relationships for the role), for
    direct care: their own assignments, their teams' caseload lists, their neighbourhood."""
    v = _viewer(viewer)
    _require(v, Permission.EXPORT_CASELOAD, ip, "export a caseload")
    counts = v.rules.relationships
    with transaction.atomic():
        ids: set[int] = set()
        if "assigned" in counts:
            ids |= set(
                Assignment.objects.filter(staff_id=v.staff_id, ended_at=None).values_list(
                    "person_id", flat=True
                )
            )
        if "team_caseload" in counts:
            ids |= set(
                CaseloadEntry.objects.filter(team_id__in=v.team_ids).values_list(
                    "person_id", flat=True
                )
            )
        tokens = []
        if "neighbourhood" in counts:
            tokens = [search.current_area_token(area) for area in v.areas]
        if tokens:
            ids |= set(
                PersonSearchIndex.objects.filter(token__in=tokens).values_list(
                    "person_id", flat=True
                )
            )
        summaries = [
            s
            for chunk in _chunks(sorted(ids), 500)
            for s in _summaries(v, chunk)
            if s.relationship in ("assigned", "caseload")
        ]
        summaries.sort(
            key=lambda s: (
                s.display_name.split(" ")[-1].lower(),
                s.display_name.lower(),
                s.person_id,
            )
        )
        _audit(
            v,
            AuditEntry.Action.EXPORT,
            ip,
            purpose="caseload list for direct care",
            detail={"what": "caseload", "person_ids": [s.person_id for s in summaries]},
        )
    return summaries


def _chunks(items: list[int], size: int):
    for start in range(0, len(items), size):
        yield items[start : start + size]
