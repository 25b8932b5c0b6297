"""What demand teaches us (issue 11, item 4): the team's learning page and its demo data.

The central test recomputes every chart's figures from the database independently (plain Python
over the rows, not ``demand.measures``, and its own XmR arithmetic, not ``wraparound.spc``) and
compares them with what the page shows.
"""

from __future__ import annotations

import datetime as dt
import html
import re
import statistics
from collections import defaultdict

import pytest
from django.urls import reverse
from django.utils import timezone

from factories import make_person, make_staff, make_team
from wraparound.demand.demo import CHANGE_AFTER_WEEKS, WEEKS, load_demo_demand
from wraparound.demand.models import ProcessChange
from wraparound.frontdoor.models import Handoff, HelpRequest, RequestContact
from wraparound.governance.models import AuditEntry

pytestmark = pytest.mark.django_db

URL = reverse("record:demand")


@pytest.fixture
def north():
    team = make_team("North", ["WV10"])
    other = make_team("South", ["WV11"])
    nurse = make_staff(role="clinician", teams=[team], first_name="Nia", last_name="Okafor")
    make_staff(role="social_worker", teams=[team], first_name="Sol", last_name="Ade")
    make_staff(role="care_coordinator", teams=[team], first_name="Cath", last_name="Lee")
    south_nurse = make_staff(role="clinician", teams=[other], first_name="Tom", last_name="Day")
    people = [make_person(given_name=f"Pat{i}", index=False).id for i in range(3)]
    load_demo_demand(
        teams=[team, other],
        people_by_team={team.id: people, other.id: people},
        requests_per_week=12,
    )
    return team, other, nurse, south_nurse


def _noon(weeks_ago: int) -> dt.datetime:
    """Midday local time, so no daylight-saving hour moves a request into another week."""
    day = timezone.localdate() - dt.timedelta(weeks=weeks_ago)
    return dt.datetime.combine(day, dt.time(12), tzinfo=timezone.get_current_timezone())


def _monday(moment: dt.datetime) -> dt.date:
    day = timezone.localtime(moment).date()
    return day - dt.timedelta(days=day.weekday())


def _expected_series(team) -> dict[str, list[tuple[dt.date, float]]]:
    """The five weekly series, worked out from the rows in plain Python."""
    requests = list(HelpRequest.objects.filter(team=team).values())
    by_week: dict[dt.date, int] = defaultdict(int)
    for r in requests:
        by_week[_monday(r["received_at"])] += 1
    this_week = _monday(timezone.now())  # under way: not charted
    first = min(by_week)
    weeks = [first + dt.timedelta(weeks=i) for i in range((this_week - first).days // 7)]
    series: dict[str, list[tuple[dt.date, float]]] = {
        "requests": [(w, float(by_week.get(w, 0))) for w in weeks]
    }

    contacts: dict[dt.date, list[str]] = defaultdict(list)
    for c in RequestContact.objects.filter(request__team=team).values("at", "demand"):
        if _monday(c["at"]) < this_week:
            contacts[_monday(c["at"])].append(c["demand"])
    series["failure_demand"] = [
        (w, 100.0 * d.count("failure") / len(d)) for w, d in sorted(contacts.items())
    ]

    took: dict[dt.date, list[float]] = defaultdict(list)
    closed: dict[dt.date, list[int]] = defaultdict(list)
    for r in requests:
        if r["closed_at"] is None or _monday(r["closed_at"]) >= this_week:
            continue
        closed[_monday(r["closed_at"])].append(r["id"])
        if r["status"] == "helped":
            took[_monday(r["closed_at"])].append(
                (r["closed_at"] - r["received_at"]).total_seconds() / 86400
            )
    series["end_to_end"] = [(w, statistics.median(v)) for w, v in sorted(took.items())]

    moves: dict[int, int] = defaultdict(int)
    for h in Handoff.objects.filter(request__team=team).values("request_id"):
        moves[h["request_id"]] += 1
    series["handoffs"] = [
        (w, sum(moves[i] for i in ids) / len(ids)) for w, ids in sorted(closed.items())
    ]

    urgent: dict[dt.date, list[bool]] = defaultdict(list)
    for r in requests:
        if r["urgent"] and _monday(r["received_at"]) < this_week:
            seen = r["first_visit_at"] is not None and r["first_visit_at"] - r[
                "received_at"
            ] <= dt.timedelta(hours=2)
            urgent[_monday(r["received_at"])].append(seen)
    series["urgent_two_hours"] = [(w, 100.0 * sum(v) / len(v)) for w, v in sorted(urgent.items())]
    return series


def _xmr(values: list[float]) -> tuple[float, float | None, float | None]:
    mean = sum(values) / len(values)
    if len(values) < 13:
        return mean, None, None
    mr = sum(abs(b - a) for a, b in zip(values, values[1:], strict=False)) / (len(values) - 1)
    return mean, mean - 2.66 * mr, mean + 2.66 * mr


def _section(page: str, key: str) -> str:
    """One chart's part of the page: from its wrapper to the next chart (or the changes)."""
    start = page.index(f'id="chart-{key}"')
    end = page.find('class="wrap-demand-chart"', start)
    return page[start : end if end != -1 else page.index('id="changes"')]


def _shown(section: str) -> list[tuple[dt.date, float]]:
    return [
        (dt.date.fromisoformat(w), float(v))
        for w, v in re.findall(r'data-week="([\d-]+)" data-value="([^"]+)"', section)
    ]


def _figure(section: str, name: str) -> str | None:
    found = re.search(rf'data-figure="{name}">([^<]+)<', section)
    return html.unescape(found.group(1)).strip() if found else None


def test_every_chart_matches_an_independent_recount_from_the_database(client, north):
    team, _, nurse, _ = north
    client.force_login(nurse)
    page = client.get(URL).content.decode()
    change = ProcessChange.objects.get(team=team).changed_on
    for key, expected in _expected_series(team).items():
        section = _section(page, key)
        shown = _shown(section)
        assert [w for w, _ in shown] == [w for w, _ in expected], key
        # Durations come from the database's clock arithmetic, to the millisecond.
        tolerance = 1e-6 if key == "end_to_end" else 1e-9
        for (_, got), (_, want) in zip(shown, expected, strict=True):
            assert got == pytest.approx(want, abs=tolerance), key
        latest = [v for w, v in expected if w >= change]  # limits recalculated at the change
        mean, lower, upper = _xmr(latest)
        # Shown to 2 decimal places: a value on a half (78.125) may round either way.
        assert float(_figure(section, "mean")) == pytest.approx(mean, abs=0.005 + 1e-9), key
        if upper is None:
            assert "Not drawn" in section
        else:
            for name, want in (("upper_limit", upper), ("lower_limit", lower)):
                got = float(_figure(section, name))
                assert got == pytest.approx(want, abs=0.005 + 1e-9), (key, name)


def test_demo_year_shows_a_real_shift_after_the_recorded_change(north):
    team, *_ = north
    series = _expected_series(team)
    change = ProcessChange.objects.get(team=team).changed_on
    assert len(series["requests"]) == WEEKS - 1  # the demo's last week is this one, under way
    before = [v for w, v in series["failure_demand"] if w < change]
    after = [v for w, v in series["failure_demand"] if w >= change]
    assert 30 <= statistics.mean(before) <= 42
    assert statistics.mean(after) < statistics.mean(before) - 8
    handoffs_before = [v for w, v in series["handoffs"] if w < change]
    handoffs_after = [v for w, v in series["handoffs"] if w >= change]
    assert statistics.mean(handoffs_after) < statistics.mean(handoffs_before)
    urgent = list(HelpRequest.objects.filter(team=team, urgent=True))
    within = [r.first_visit_at - r.received_at <= dt.timedelta(hours=2) for r in urgent]
    assert 0.75 < sum(within) / len(within) < 1.0  # mostly, not always
    staff_ids = set(team.members.values_list("id", flat=True))
    assert set(HelpRequest.objects.filter(team=team).values_list("owner_staff_id", flat=True)) <= (
        staff_ids
    )
    assert change == timezone.localdate() - dt.timedelta(
        days=timezone.localdate().weekday(), weeks=WEEKS - 1 - CHANGE_AFTER_WEEKS
    )


def test_demo_is_idempotent(north):
    team, other, *_ = north
    counts = (HelpRequest.objects.count(), RequestContact.objects.count(), Handoff.objects.count())
    load_demo_demand(teams=[team, other], people_by_team={}, requests_per_week=12)
    assert counts == (
        HelpRequest.objects.count(),
        RequestContact.objects.count(),
        Handoff.objects.count(),
    )
    assert ProcessChange.objects.filter(team=team).count() == 1


def test_each_team_sees_only_its_own_demand_and_others_are_refused(client, north):
    team, other, nurse, south_nurse = north
    client.force_login(nurse)
    mine = client.get(URL).content.decode()
    north_total = sum(v for _, v in _shown(_section(mine, "requests")))
    this_week = _monday(timezone.now())
    assert north_total == sum(
        1 for r in HelpRequest.objects.filter(team=team) if _monday(r.received_at) < this_week
    )
    refused = client.get(URL, {"team": other.id})
    assert refused.status_code == 403
    assert AuditEntry.objects.filter(
        username=nurse.username, action=AuditEntry.Action.REFUSED
    ).exists()
    outsider = make_staff(role="clinician", teams=[])
    client.force_login(outsider)
    assert client.get(URL).status_code == 403


def test_opening_the_page_is_audited_and_names_no_one(client, north):
    _, _, nurse, _ = north
    client.force_login(nurse)
    page = client.get(URL).content.decode()
    entry = AuditEntry.objects.filter(username=nurse.username).latest("id")
    assert entry.detail["what"] == "demand_page" and entry.person_id is None
    assert "person_ids" not in entry.detail
    assert (
        "Pat0" not in page
        and "RAG" not in page
        and "target" not in page.lower().replace("no targets", "")
    )


def test_recording_a_change_splits_the_limits_there_and_is_audited(client, north):
    team, _, nurse, _ = north
    client.force_login(nurse)
    weeks = [w for w, _ in _expected_series(team)["requests"]]
    on = weeks[-14]  # leaves 14 weeks after: limits are drawn for the new segment
    response = client.post(
        f"{URL}?team={team.id}",
        {"team": team.id, "changed_on": on.strftime("%d %B %Y"), "description": "Triage huddle"},
    )
    assert response.status_code == 302
    assert ProcessChange.objects.filter(team=team, changed_on=on).exists()
    audit = AuditEntry.objects.filter(action=AuditEntry.Action.CHANGE).latest("id")
    assert audit.detail["what"] == "process_change" and audit.username == nurse.username
    page = client.get(URL).content.decode()
    section = _section(page, "requests")
    mean, lower, upper = _xmr([v for w, v in _shown(section) if w >= on])
    assert float(_figure(section, "mean")) == pytest.approx(mean, abs=0.005 + 1e-9)
    assert float(_figure(section, "upper_limit")) == pytest.approx(upper, abs=0.005 + 1e-9)
    assert "Triage huddle" in page


def test_a_change_in_the_future_or_without_words_is_refused_and_nothing_is_written(client, north):
    team, _, nurse, _ = north
    client.force_login(nurse)
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    for data in (
        {"changed_on": tomorrow.strftime("%d %B %Y"), "description": "Later"},
        {"changed_on": "3 March 2026", "description": "   "},
        {"changed_on": "31 February 2026", "description": "Huddle"},
    ):
        response = client.post(f"{URL}?team={team.id}", {"team": team.id, **data})
        assert response.status_code == 400
        assert "nhsuk-error-message" in response.content.decode()
    assert ProcessChange.objects.filter(team=team).count() == 1


def test_a_team_with_few_weeks_gets_a_mean_but_no_limits(client):
    team = make_team("Tiny", ["WV12"])
    nurse = make_staff(role="clinician", teams=[team])
    for weeks_ago in range(1, 6):
        HelpRequest.objects.create(
            team=team,
            caller_relationship="self",
            channel="phone",
            what_is_needed="Help",
            received_at=_noon(weeks_ago),
            received_by_user_id=nurse.pk,
            received_by_name="Sam Taylor",
        )
    client.force_login(nurse)
    section = _section(client.get(URL).content.decode(), "requests")
    assert len(_shown(section)) == 5
    assert "Not drawn" in section and _figure(section, "upper_limit") is None


def test_weeks_start_at_local_midnight_on_monday_across_summer_time(client):
    """Monday 00:30 in summer is Sunday 23:30 in UTC: it belongs to the Monday's week."""
    team = make_team("Clock", ["WV13"])
    nurse = make_staff(role="clinician", teams=[team])
    london = timezone.get_current_timezone()
    today = timezone.localdate()
    summer_monday = dt.date(today.year - 1, 7, 1)
    summer_monday -= dt.timedelta(days=summer_monday.weekday())
    winter_monday = dt.date(today.year - 1, 1, 10)
    winter_monday -= dt.timedelta(days=winter_monday.weekday())
    moments = [
        dt.datetime.combine(summer_monday, dt.time(0, 0), tzinfo=london),  # 23:00 UTC Sunday
        dt.datetime.combine(summer_monday, dt.time(0, 30), tzinfo=london),
        dt.datetime.combine(summer_monday, dt.time(23, 59), tzinfo=london)
        - dt.timedelta(days=1),  # Sunday night: the week before
        dt.datetime.combine(winter_monday, dt.time(0, 0), tzinfo=london),
    ]
    for moment in moments:
        HelpRequest.objects.create(
            team=team,
            caller_relationship="self",
            channel="phone",
            what_is_needed="Help",
            received_at=moment,
            received_by_user_id=nurse.pk,
            received_by_name="Sam Taylor",
        )
    client.force_login(nurse)
    shown = dict(_shown(_section(client.get(URL).content.decode(), "requests")))
    assert shown[summer_monday] == 2
    assert shown[summer_monday - dt.timedelta(weeks=1)] == 1
    assert shown[winter_monday] == 1
    assert sum(shown.values()) == 4


def test_the_week_under_way_is_not_charted(client):
    """A Monday's few requests are not a week: charted, they look like a sudden fall."""
    team = make_team("Monday", ["WV14"])
    nurse = make_staff(role="clinician", teams=[team])
    for weeks_ago in range(0, 15):
        for _ in range(10 if weeks_ago else 1):
            HelpRequest.objects.create(
                team=team,
                caller_relationship="self",
                channel="phone",
                what_is_needed="Help",
                received_at=_noon(weeks_ago),
                received_by_user_id=nurse.pk,
                received_by_name="Sam Taylor",
            )
    client.force_login(nurse)
    shown = _shown(_section(client.get(URL).content.decode(), "requests"))
    assert len(shown) == 14 and {v for _, v in shown} == {10.0}
    assert shown[-1][0] == _monday(timezone.now()) - dt.timedelta(weeks=1)
