"""The MDT's impact, in figures, for one of the viewer's teams (issue 12, item 5).

The page names nobody and shows counts only, but the counts are made from person data (who was
discussed, their plan actions, their hospital events), so it is still a look at person data:
only a member of the team whose role may open records (``VIEW_PERSON``) may open it, a refusal
is audited, and every opening is audited (``export``, like the team's learning page).

Why aggregates are fine here, and where they stop being fine:

* the hospital counts go through no per-person lens because no person's events are shown; but
  a count over people the team knows by name is still about them, so it counts only what every
  role could be told: encounters from acute trust feeds with no sensitive category (a mental
  health admission is never counted, for anybody);
* people who objected to sharing are left out of the hospital counts altogether (their trust
  data are not shared with the team, so a count would share them by the back door);
* with fewer than ``MIN_PEOPLE`` people followed up the hospital figures are not shown at all:
  "1 admission after" about the one person discussed is that person's record, not a statistic.
"""

from __future__ import annotations

import datetime as dt
import statistics
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from wraparound.governance.access.audit import _audit, _refused
from wraparound.governance.access.errors import NoAccess
from wraparound.governance.access.relationship import _objections
from wraparound.governance.access.viewer import _require, _viewer
from wraparound.governance.models import AuditEntry, Team
from wraparound.governance.roles import Permission
from wraparound.meetings import impact
from wraparound.meetings.impact import Difference, MonthValue, Rate

MIN_PEOPLE = 5
"""Fewer people followed up than this: hospital figures are withheld (see the module's note)."""

ACTION_STATES = (
    ("on_time", "Done on time (on or before the due date)"),
    ("late", "Done late"),
    ("done_no_date", "Done (no due date was set)"),
    ("overdue", "Still open: overdue"),
    ("not_yet_due", "Still open: not yet due"),
    ("open_no_date", "Still open: no due date"),
    ("not_needed", "No longer needed"),
)


@dataclass(frozen=True)
class ActionCount:
    key: str
    label: str
    count: int
    percent: float  # of all actions agreed in the period


@dataclass(frozen=True)
class Waits:
    """Whole days from nomination to discussion over the headline period."""

    discussions: int
    median: float
    shortest: int
    longest: int


@dataclass(frozen=True)
class HospitalFigures:
    """Emergency admissions and A&E attendances, 90 days before and after the first discussion."""

    since: dt.date  # first discussions on or after this day are followed up
    until: dt.date  # ... and on or before this one (their 90 days after have passed)
    people: int
    left_out_objecting: int
    shown: bool  # False when fewer than MIN_PEOPLE people: the counts are withheld
    admissions_before: Rate | None
    admissions_after: Rate | None
    admissions_change: Difference | None
    attendances_before: Rate | None
    attendances_after: Rate | None
    attendances_change: Difference | None


@dataclass(frozen=True)
class MeetingImpact:
    team_id: int
    team_name: str
    teams: tuple[tuple[int, str], ...]  # the viewer's teams, to switch between
    today: dt.date
    has_discussions: bool  # False: "No meetings yet"
    headline_from: dt.date
    meetings_held: int
    people_discussed: int  # distinct people, headline period
    discussions: int
    actions_total: int
    actions: tuple[ActionCount, ...]
    waits: Waits | None
    people_by_month: tuple[MonthValue, ...]
    on_time_by_month: tuple[MonthValue, ...]
    waits_by_month: tuple[MonthValue, ...]
    hospital: HospitalFigures
    min_people: int = MIN_PEOPLE


def _team(v, team_id: int | None, ip: str | None) -> Team:
    tried = "open the MDT impact page"
    _require(v, Permission.VIEW_PERSON, ip, tried)
    chosen = v.team_ids[0] if team_id is None and v.team_ids else team_id
    if chosen is None or chosen not in v.team_ids:
        _refused(v, ip, permission="team_member", tried=tried)
        raise NoAccess()
    return Team.objects.get(pk=chosen)


def _actions(agreed, today: dt.date) -> tuple[int, tuple[ActionCount, ...]]:
    counts = dict.fromkeys((key for key, _ in ACTION_STATES), 0)
    for action in agreed:
        counts[action.state(today)] += 1
    total = sum(counts.values())
    return total, tuple(
        ActionCount(key, label, counts[key], 100.0 * counts[key] / total if total else 0.0)
        for key, label in ACTION_STATES
    )


def _hospital(found, today: dt.date, since: dt.date) -> HospitalFigures:
    first = impact.first_discussions(found, today)
    objecting = _objections(first) if first else set()
    followed = {pid: day for pid, day in first.items() if pid not in objecting}
    until = today - dt.timedelta(days=impact.WINDOW_DAYS + 1)
    shown = len(followed) >= MIN_PEOPLE
    use = impact.hospital_use(followed) if shown else None
    n = len(followed)
    return HospitalFigures(
        since=since,
        until=until,
        people=n,
        left_out_objecting=len(objecting),
        shown=shown,
        admissions_before=impact.rate_per_100(use.admissions_before, n) if use else None,
        admissions_after=impact.rate_per_100(use.admissions_after, n) if use else None,
        admissions_change=(
            impact.difference_per_100(use.admissions_before, use.admissions_after, n)
            if use
            else None
        ),
        attendances_before=impact.rate_per_100(use.attendances_before, n) if use else None,
        attendances_after=impact.rate_per_100(use.attendances_after, n) if use else None,
        attendances_change=(
            impact.difference_per_100(use.attendances_before, use.attendances_after, n)
            if use
            else None
        ),
    )


def open_meeting_impact(
    *, viewer, ip: str | None, team_id: int | None = None, today: dt.date | None = None
) -> MeetingImpact:
    """The team's MDT in figures: people discussed, actions done on time, the wait from
    nomination to discussion, and hospital use before and after (see the module's note).

    Raises NoAccess (audited) for a role without ``VIEW_PERSON`` or a team the viewer is not in.
    """
    v = _viewer(viewer)
    team = _team(v, team_id, ip)
    today = today or timezone.localdate()
    months, since, headline_from = impact.windows(today)
    with transaction.atomic():
        found = impact.discussions(team.id, since)
        recent = [d for d in found if headline_from <= d.day <= today]
        every_action = impact.agreed_actions(team.id)
        total, actions = _actions(
            [a for a in every_action if headline_from <= a.meeting_day <= today], today
        )
        waited = [d.waited_days for d in recent]
        page = MeetingImpact(
            team_id=team.id,
            team_name=team.name,
            teams=tuple(zip(v.team_ids, v.team_names, strict=True)),
            today=today,
            has_discussions=bool(found),
            headline_from=headline_from,
            meetings_held=len({d.meeting_id for d in recent}),
            people_discussed=impact.distinct_people(recent),
            discussions=len(recent),
            actions_total=total,
            actions=actions,
            waits=(
                Waits(len(waited), float(statistics.median(waited)), min(waited), max(waited))
                if waited
                else None
            ),
            people_by_month=tuple(impact.people_by_month(found, months)),
            on_time_by_month=tuple(impact.on_time_by_month(every_action, months, today)),
            waits_by_month=tuple(impact.waits_by_month(found, months)),
            hospital=_hospital(found, today, since),
        )
        _audit(
            v,
            AuditEntry.Action.EXPORT,
            ip,
            purpose="MDT impact page (counts only, no person named)",
            detail={"what": "meeting_impact", "team_id": team.id, "team": team.name},
        )
    return page
