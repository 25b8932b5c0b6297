"""'My caseload' and the team's caseload (issue 10, item 5): whom each list holds under the
agreement, what needs doing for each person through the lens, sorting, filtering, paging, the
audit row, and the header link for roles that hold people."""

import datetime as dt
import types

import pytest
from django.utils import timezone

from factories import (
    add_to_caseload,
    assign,
    make_event,
    make_person,
    make_source_record,
    make_staff,
    make_team,
)
from wraparound.governance import access
from wraparound.governance.access import caseload as caseload_module
from wraparound.governance.models import AuditEntry
from wraparound.identity.models import Person
from wraparound.plans.actions import ActionOwnerChoice, Writer, add_plan_action, save_plan_details

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def _at(days_ago: int) -> dt.datetime:
    return timezone.now() - dt.timedelta(days=days_ago)


def _names(result) -> list[str]:
    return [row.person.display_name for row in result.rows]


@pytest.fixture
def north():
    team = make_team("North", ["WV10"])
    nurse = make_staff(role="clinician", teams=[team], first_name="Nia", last_name="Okafor")
    colleague = make_staff(role="social_worker", teams=[team])
    volunteer = make_staff(role="voluntary_worker", teams=[team])
    people = types.SimpleNamespace(
        mine=make_person(given_name="Ada", family_name="Brown", postcode="WV10 6QH"),
        colleagues=make_person(given_name="Bea", family_name="Cole", postcode="WV10 6QH"),
        referred=make_person(given_name="Cal", family_name="Dunn", postcode="DY1 1AA"),
        neighbour=make_person(given_name="Dot", family_name="Evans", postcode="WV10 7AB"),
        stranger=make_person(given_name="Eve", family_name="Frost", postcode="B1 1AA"),
    )
    assign(nurse, people.mine)
    assign(colleague, people.colleagues)
    add_to_caseload(team, people.referred)
    assign(volunteer, people.referred)
    return types.SimpleNamespace(
        team=team, nurse=nurse, colleague=colleague, volunteer=volunteer, people=people
    )


def test_my_caseload_holds_the_people_assigned_to_me_only(north):
    mine = access.open_caseload(viewer=north.nurse, ip=None, whose="mine")
    assert _names(mine) == ["Ada Brown"]
    assert mine.total == 1 and mine.pages == 1


def test_team_list_holds_referrals_and_colleagues_people_but_no_stranger(north):
    team = access.open_caseload(viewer=north.nurse, ip=None, whose="team")
    assert _names(team) == ["Ada Brown", "Bea Cole", "Cal Dunn"]
    everyone = access.open_caseload(
        viewer=north.nurse, ip=None, whose="team", scope="neighbourhood"
    )
    assert everyone.scope == "neighbourhood"
    assert _names(everyone) == ["Ada Brown", "Bea Cole", "Dot Evans"]


def test_volunteer_sees_only_people_referred_or_assigned_to_them(north):
    mine = access.open_caseload(viewer=north.volunteer, ip=None, whose="mine")
    assert _names(mine) == ["Cal Dunn"]
    team = access.open_caseload(
        viewer=north.volunteer, ip=None, whose="team", scope="neighbourhood"
    )
    # No neighbourhood for a volunteer: the colleague's people in WV10 are not theirs to list.
    assert team.scope == "list" and not team.may_see_neighbourhood
    assert _names(team) == ["Cal Dunn"]


def test_every_list_is_audited_with_the_people_listed(north):
    access.open_caseload(viewer=north.nurse, ip="10.0.0.1", whose="team")
    entry = AuditEntry.objects.filter(user_id=north.nurse.pk).latest("id")
    assert entry.action == AuditEntry.Action.EXPORT
    assert entry.detail["what"] == "caseload_screen"
    assert sorted(entry.detail["person_ids"]) == sorted(
        [north.people.mine.id, north.people.colleagues.id, north.people.referred.id]
    )
    report = access.access_report_for_person(
        viewer=make_staff(role="data_steward"), ip=None, person_id=north.people.referred.id
    )
    assert any("caseload screen" in row.what for row in report.rows)


def test_steward_and_administrator_hold_no_caseload(north):
    for role in ("data_steward", "administrator"):
        with pytest.raises(access.NoAccess):
            access.open_caseload(viewer=make_staff(role=role), ip=None, whose="mine")


def test_new_flags_and_hospital_visits_since_last_seen_follow_the_lens(north):
    ada = north.people.mine
    community = make_source_record(source="community", person=ada)
    acute = make_source_record(source="acute", person=ada)
    mh = make_source_record(source="mental_health", person=ada)
    make_event(
        community,
        resource_type="Flag",
        code="risk_to_staff",
        summary="Dog on premises",
        occurred_at=_at(3),
    )
    make_event(
        community,
        resource_type="Flag",
        code="key_safe",
        summary="Key safe 1234",
        occurred_at=_at(40),
    )
    make_event(
        acute, resource_type="Encounter", kind="A&E attendance", summary="Fall", occurred_at=_at(30)
    )
    make_event(
        community,
        resource_type="Encounter",
        kind="Home visit",
        summary="Dressing",
        occurred_at=_at(20),
    )
    make_event(
        acute,
        resource_type="Encounter",
        kind="Admission",
        summary="Chest infection",
        occurred_at=_at(5),
    )
    make_event(
        mh,
        resource_type="Encounter",
        kind="Mental health admission",
        summary="Ward 3",
        occurred_at=_at(4),
        category="mental_health",
    )

    todo = access.open_caseload(viewer=north.nurse, ip=None, whose="mine").rows[0].todo
    assert todo.new_flags == ["Dog on premises"]  # the 40-day-old flag is not new
    day = timezone.localtime(_at(5)).date()
    # The A&E visit came before the community team's home visit; the mental health admission
    # is a category a clinician may not see.
    assert todo.hospital == [f"Admission, {day.day} {day:%B %Y}"]

    housing = make_staff(role="housing_officer", teams=[north.team])
    add_to_caseload(north.team, ada)
    row = next(
        r
        for r in access.open_caseload(viewer=housing, ip=None, whose="team").rows
        if r.person.person_id == ada.id
    )
    assert row.todo.new_flags == ["Dog on premises"]  # a safety flag is for everyone
    assert row.todo.hospital == []  # no hospital detail for a housing officer


def _writer(user) -> Writer:
    return Writer(by=user.get_full_name(), user_id=user.pk, partner=user.staff.organisation.partner)


def _action(person, *, owner, due_in: int, by, status: str = "to_do"):
    return add_plan_action(
        person_id=person.id,
        what="Check the dressing",
        owner=ActionOwnerChoice(kind="staff", name=owner.get_full_name(), staff_id=owner.staff.id),
        due_on=TODAY + dt.timedelta(days=due_in),
        status=status,
        by=_writer(by),
    )


def _review(person, *, due_in: int, by):
    save_plan_details(
        person_id=person.id,
        supported_by="",
        supported_on=None,
        agreed_with="",
        agreed_on=None,
        review_on=TODAY + dt.timedelta(days=due_in),
        reviewer_staff_id=None,
        reviewer_name="",
        by=_writer(by),
    )


def test_sort_and_filter_by_what_needs_doing(north):
    p, nurse = north.people, north.nurse
    _action(p.colleagues, owner=nurse, due_in=2, by=nurse)
    _action(p.colleagues, owner=nurse, due_in=-3, by=nurse)
    _action(p.colleagues, owner=nurse, due_in=-1, by=nurse)
    _action(p.colleagues, owner=nurse, due_in=-9, by=nurse, status="done")  # finished
    _action(p.referred, owner=north.colleague, due_in=5, by=nurse)
    _action(p.mine, owner=nurse, due_in=30, by=nurse)  # not due for a month
    _review(p.referred, due_in=2, by=nurse)

    most = access.open_caseload(viewer=nurse, ip=None, whose="team", sort="most")
    assert _names(most) == ["Bea Cole", "Cal Dunn", "Ada Brown"]
    bea = most.rows[0].todo
    assert (bea.actions_due, bea.actions_overdue) == (1, 2)
    needs = access.open_caseload(viewer=nurse, ip=None, whose="team", show="needs")
    assert _names(needs) == ["Bea Cole", "Cal Dunn"]
    overdue = access.open_caseload(viewer=nurse, ip=None, whose="team", overdue_only=True)
    assert _names(overdue) == ["Bea Cole"]
    nxt = access.open_caseload(viewer=nurse, ip=None, whose="team", sort="next_due")
    # Next due: the nurse's own earliest open action (Bea: 3 days ago), or the plan review.
    assert _names(nxt) == ["Bea Cole", "Cal Dunn", "Ada Brown"]
    assert nxt.rows[1].todo.review_due == TODAY + dt.timedelta(days=2)


def test_a_colleague_holding_an_action_sees_the_person_on_my_caseload(north):
    p = north.people
    _action(p.neighbour, owner=north.colleague, due_in=0, by=north.nurse)
    _action(p.stranger, owner=north.colleague, due_in=0, by=north.nurse)
    mine = access.open_caseload(viewer=north.colleague, ip=None, whose="mine")
    # The stranger lives outside the team's areas: an action alone gives no right to list them.
    assert _names(mine) == ["Bea Cole", "Dot Evans"]
    assert mine.rows[1].todo.next_due == TODAY and mine.rows[1].todo.actions_due == 1


def test_a_whole_neighbourhood_is_paged_by_name_and_worked_out_for_the_page(north, monkeypatch):
    for i in range(7):
        make_person(given_name=f"Zed{i}", family_name=f"Young{6 - i}", postcode="WV10 6QH")
    monkeypatch.setattr(caseload_module, "RANK_LIMIT", 3)
    asked: list[list[int]] = []
    real = caseload_module._todos
    monkeypatch.setattr(
        caseload_module,
        "_todos",
        lambda v, ids, today: asked.append(list(ids)) or real(v, ids, today),
    )
    page2 = access.open_caseload(
        viewer=north.nurse, ip=None, whose="team", scope="neighbourhood", page=2, page_size=4
    )
    # 3 people in the fixture live in WV10, plus 7: ten, by family name; page 1 is Brown,
    # Cole, Evans and Young0.
    assert page2.total == 10 and page2.pages == 3 and page2.page == 2
    assert not page2.by_todo and page2.note
    assert _names(page2) == ["Zed5 Young1", "Zed4 Young2", "Zed3 Young3", "Zed2 Young4"]
    assert asked == [[r.person.person_id for r in page2.rows]]


def test_junk_choices_fall_back_to_the_defaults(north):
    result = access.open_caseload(
        viewer=north.nurse, ip=None, whose="everyone", sort="drop table", show="x", page=99
    )
    assert result.whose == "mine" and result.sort == "name" and result.show == "all"
    assert result.page == 1


def test_caseload_pages_and_header_links(client, north):
    client.force_login(north.nurse)
    html = client.get("/caseload/team/", {"sort": "name", "page": "x"}).content.decode()
    assert "Team caseload" in html and "Bea Cole" in html and "Eve Frost" not in html
    assert 'href="/caseload/"' in html  # "My caseload" in the header
    printed = client.get("/caseload/", {"print": "1"})
    assert printed.status_code == 200 and "Ada Brown" in printed.content.decode()
    swapped = client.get(
        "/caseload/team/", {"show": "needs"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="caseload"
    ).content.decode()
    assert "<html" not in swapped and 'id="caseload-heading"' in swapped

    steward = make_staff(role="data_steward")
    client.force_login(steward)
    assert client.get("/caseload/").status_code == 403
    assert "My caseload" not in client.get("/").content.decode()


def test_the_neighbourhood_list_follows_people_moving_in_and_renamed(north, monkeypatch):
    monkeypatch.setattr(caseload_module, "RANK_LIMIT", 2)

    def names():
        return _names(
            access.open_caseload(viewer=north.nurse, ip=None, whose="team", scope="neighbourhood")
        )

    assert names() == ["Ada Brown", "Bea Cole", "Dot Evans"]
    make_person(given_name="Abe", family_name="Able", postcode="WV10 1AA")
    assert names() == ["Abe Able", "Ada Brown", "Bea Cole", "Dot Evans"]
    Person.objects.filter(id=north.people.mine.id).update(family_name="Zeal")
    assert names() == ["Abe Able", "Bea Cole", "Dot Evans", "Ada Zeal"]
