"""MDT history for tests: meetings run through ``meetings.actions`` at known past dates, plan
actions agreed at them and acute trust encounters around them (synthetic, tests only).

The actions stamp "now" on a nomination and on an action done; a past meeting's real times are
set afterwards, as they would have been when it happened.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from factories import make_event
from wraparound.meetings import actions as meetings
from wraparound.meetings.models import CaseItem
from wraparound.plans import actions as plans
from wraparound.plans.models import PlanAction

EMERGENCY = "183452005"  # SNOMED CT Emergency hospital admission
ELECTIVE = "8715000"  # SNOMED CT Hospital admission, elective
TODAY = timezone.localdate


def at(day: dt.date, hour: int = 12, minute: int = 0) -> dt.datetime:
    """A local time on ``day`` (midday unless said): no clock change moves it to another day."""
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=timezone.get_current_timezone())


def ago(days: int) -> dt.date:
    return TODAY() - dt.timedelta(days=days)


class Builder:
    """Meetings of a team, run through ``meetings.actions`` as the gate would run them."""

    def __init__(self, team, chair):
        self.team = team
        self.by = meetings.By(staff_id=chair.staff.id, user_id=chair.id, name="Nia Okafor")
        self.chair = meetings.Invitee(name="Nia Okafor", staff_id=chair.staff.id)

    def meeting(self, day: dt.date, people, *, waited=None, not_reached=(), finish=True):
        """A meeting on ``day`` that discussed ``people`` (person: days since nomination)."""
        meeting = meetings.schedule_meeting(
            team_id=self.team.id,
            title="North MDT",
            starts_at=at(day, 13),
            chair=self.chair,
            invitees=[],
            every="once",
            by=self.by,
        )
        items = {}
        for person in [*people, *not_reached]:
            item = meetings.add_to_case_list(
                meeting_id=meeting.id,
                person_id=person.id,
                reason="Two A&E attendances this month",
                source="nominated",
                agreed_to_discussion=True,
                on_agenda=True,
                by=self.by,
            )
            days = (waited or {}).get(person, 7)
            CaseItem.objects.filter(id=item.id).update(
                nominated_at=at(day - dt.timedelta(days=days), 9)
            )
            items[person] = item
        for person in people:
            meetings.record_discussion(
                item_id=items[person].id,
                discussion="Joint visit agreed",
                decisions="District nurse and social worker to visit together",
                finished=True,
                by=self.by,
            )
        if finish:
            meetings.finish_meeting(meeting_id=meeting.id, by=self.by)
        return meeting, items


def agree_action(item, *, due_on, done_at=None, status="to_do"):
    """An action agreed at the meeting; ``done_at`` as it was recorded when it was done."""
    writer = plans.Writer(by="Nia Okafor", user_id=None, partner="community")
    action = plans.add_plan_action(
        person_id=item.person_id,
        what="Visit together",
        owner=plans.ActionOwnerChoice(kind="staff", name="Nia Okafor", staff_id=1),
        due_on=due_on,
        status="to_do",
        meeting_item_id=item.id,
        by=writer,
    )
    PlanAction.objects.filter(id=action.id).update(status=status, done_at=done_at)
    return action


def encounter(record, kind: str, day: dt.date, *, code: str = "", category: str = "", hour=12):
    return make_event(
        record,
        kind=kind,
        resource_type="Encounter",
        code=code,
        category=category,
        occurred_at=at(day, hour),
        summary=kind,
    )
