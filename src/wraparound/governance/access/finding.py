"""Finding people: search and the caseload export, both audited lists of ``PersonSummary``.

The search itself (parsing and the index) is ``governance.access.search``; this is the gate around it.
"""

from __future__ import annotations

from django.db import transaction

from wraparound.governance.access import search
from wraparound.governance.access.audit import _audit
from wraparound.governance.access.results import PersonSummary, SearchResults
from wraparound.governance.access.summaries import _summaries
from wraparound.governance.access.viewer import _require, _viewer
from wraparound.governance.models import Assignment, AuditEntry, CaseloadEntry, PersonSearchIndex
from wraparound.governance.roles import Permission


def search_people(*, viewer, query: str, ip: str | None, limit: int = 25) -> SearchResults:
    v = _viewer(viewer)
    _require(v, Permission.SEARCH_PEOPLE)
    limit = max(1, min(int(limit), 100))
    query = (query or "").strip()[:200]
    with transaction.atomic():
        found = search.find(query, limit=limit)
        results = _summaries(v, found.person_ids)
        notice = None
        if not found.total and not PersonSearchIndex.objects.exists():
            notice = (
                "Search is not ready yet: an administrator needs to run "
                "'wraparound reindex-search'."
            )
        _audit(
            v,
            AuditEntry.Action.SEARCH,
            ip,
            query=query,
            purpose="find a person",
            detail={"results": [r.person_id for r in results], "total": found.total},
        )
    return SearchResults(
        query=query,
        results=results,
        total=found.total,
        truncated=found.total > len(results),
        understood=found.understood,
        ignored=found.ignored,
        notice=notice,
        viewer_is_steward=v.may(Permission.SEARCH_AUDIT),
    )


def export_caseload(*, viewer, ip: str | None) -> list[PersonSummary]:
    """The viewer's teams' caseloads and their own assignments, for direct care."""
    v = _viewer(viewer)
    _require(v, Permission.EXPORT_CASELOAD)
    with transaction.atomic():
        ids: set[int] = set(
            Assignment.objects.filter(staff_id=v.staff_id, ended_at=None).values_list(
                "person_id", flat=True
            )
        )
        ids |= set(
            CaseloadEntry.objects.filter(team_id__in=v.team_ids).values_list("person_id", flat=True)
        )
        tokens = []
        for area in v.areas:
            tokens.append(f"ps:{area}" if " " in area else f"pd:{area}")
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
