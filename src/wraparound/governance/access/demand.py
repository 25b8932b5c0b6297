"""The team's learning page: weekly counts of its front door, and the changes it recorded.

No person is named or counted individually here, but the page is still the team's own: only a
member of the team may open it (anyone else is refused, and the refusal audited), and every
opening is audited, as is every change recorded, so the steward can see who looked and who moved
the limits.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from wraparound.demand import actions as demand_actions
from wraparound.demand.measures import Measure, team_measures
from wraparound.demand.models import ProcessChange
from wraparound.governance.access.audit import _audit, _refused
from wraparound.governance.access.errors import InvalidRequest, NoAccess
from wraparound.governance.access.viewer import _viewer
from wraparound.governance.models import AuditEntry, Team


@dataclass(frozen=True)
class RecordedChange:
    changed_on: dt.date
    description: str
    recorded_by_name: str


@dataclass(frozen=True)
class DemandPage:
    team_id: int
    team_name: str
    teams: tuple[tuple[int, str], ...]  # the viewer's teams, to switch between
    measures: tuple[Measure, ...]
    changes: tuple[RecordedChange, ...]


def _team_for(v, team_id: int | None, ip: str | None, tried: str) -> Team:
    if not v.team_ids:
        _refused(v, ip, permission="team_member", tried=tried)
        raise NoAccess()
    if team_id is None:
        team_id = v.team_ids[0]
    if team_id not in v.team_ids:
        _refused(v, ip, permission="team_member", tried=tried)
        raise NoAccess()
    return Team.objects.get(pk=team_id)


def open_demand_page(
    *, viewer, ip: str | None, team_id: int | None = None, today: dt.date | None = None
) -> DemandPage:
    """The five weekly measures and the recorded changes for one of the viewer's teams."""
    v = _viewer(viewer)
    team = _team_for(v, team_id, ip, "open a team's learning page")
    today = today or timezone.localdate()
    with transaction.atomic():
        changes = tuple(
            RecordedChange(c.changed_on, c.description, c.recorded_by_name)
            for c in ProcessChange.objects.filter(team=team).order_by("changed_on", "id")
        )
        measures = tuple(team_measures(team.id, today))
        _audit(
            v,
            AuditEntry.Action.EXPORT,
            ip,
            purpose="team learning page (weekly counts, no person data)",
            detail={"what": "demand_page", "team_id": team.id, "team": team.name},
        )
    return DemandPage(
        team_id=team.id,
        team_name=team.name,
        teams=tuple(zip(v.team_ids, v.team_names, strict=True)),
        measures=measures,
        changes=changes,
    )


def record_process_change(
    *, viewer, ip: str | None, team_id: int, changed_on: dt.date, description: str
) -> RecordedChange:
    """Record a change the team made to its process; the charts split their limits there.

    Raises NoAccess for anyone outside the team (audited) and InvalidRequest when the change
    cannot be recorded as given (no description, a date in the future).
    """
    v = _viewer(viewer)
    team = _team_for(v, team_id, ip, "record a change to a team's process")
    with transaction.atomic():
        try:
            change = demand_actions.record_process_change(
                team=team, changed_on=changed_on, description=description, by=v.display_name
            )
        except demand_actions.ChangeProblem as problem:
            raise InvalidRequest(str(problem)) from None
        _audit(
            v,
            AuditEntry.Action.CHANGE,
            ip,
            purpose="recorded a change to the team's process",
            detail={
                "what": "process_change",
                "team_id": team.id,
                "changed_on": changed_on.isoformat(),
                "description": change.description[:500],
            },
        )
    return RecordedChange(change.changed_on, change.description, change.recorded_by_name)
