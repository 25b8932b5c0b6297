"""MDT meetings through the gate (issue 12): who may see whom, and the audit.

The rules are read from the issue and the sharing agreement, not from the code: being invited
to discuss a person is a legitimate relationship for that meeting only; each attendee sees what
their own role allows; every view is audited as a meeting view; a person who objected to
sharing is handled as the agreement says (never suggested; nominated only with their agreement
to the discussion; seen through their objection).
"""

import datetime as dt

import pytest
import yaml
from django.utils import timezone

from factories import (
    add_to_caseload,
    make_event,
    make_person,
    make_source_record,
    make_staff,
    make_team,
    set_sharing,
)
from wraparound.frontdoor.models import HelpRequest
from wraparound.governance import access
from wraparound.governance.models import AuditEntry
from wraparound.meetings.models import CaseItem, Meeting
from wraparound.plans.models import PlanAction

pytestmark = pytest.mark.django_db

GP_DETAIL = "Diabetes review: metformin increased"
IP = "10.1.2.3"


@pytest.fixture
def team():
    return make_team("North", ["WV10"])


@pytest.fixture
def staff(team):
    south = make_team("South", ["WV4"])
    return {
        "chair": make_staff(
            role="care_coordinator", teams=[team], first_name="Priti", last_name="Sharma"
        ),
        "nurse": make_staff(role="clinician", teams=[team], first_name="Nia", last_name="Okafor"),
        "social": make_staff(
            role="social_worker", teams=[team], first_name="Owen", last_name="Evans"
        ),
        "volunteer": make_staff(
            role="voluntary_worker", teams=[team], first_name="Jim", last_name="Barker"
        ),
        "housing": make_staff(
            role="housing_officer", teams=[south], first_name="Lena", last_name="Kowalska"
        ),
        "outsider": make_staff(role="clinician", teams=[south], first_name="Ruth"),
    }


def _person(given, family, team):
    # In the North team's postcodes (the nurse and the chair work with them), but not on its
    # caseload list: the volunteer, whose agreement counts referrals only, does not.
    person = make_person(given_name=given, family_name=family, postcode="WV10 6QH")
    gp = make_source_record(source="gp", person=person)
    make_event(gp, kind="Consultation", summary=GP_DETAIL, occurred_at=timezone.now())
    return person


@pytest.fixture
def brian(team):
    return _person("Brian", "Hughes", team)


@pytest.fixture
def olive(team):
    person = _person("Olive", "Grant", team)
    set_sharing(person, objects_to_sharing=True)
    return person


def schedule(
    staff,
    team,
    *,
    starts_in=dt.timedelta(minutes=30),
    invite=("nurse", "volunteer"),
    every="monthly",
    chair="chair",
):
    return access.schedule_meeting(
        viewer=staff[chair],
        ip=IP,
        team_id=team.id,
        title="North MDT",
        starts_at=timezone.now() + starts_in,
        chair_staff_id=staff[chair].staff.id,
        invited_staff_ids=[staff[k].staff.id for k in invite],
        guests=[("Ann Lowe", "St Ann's Hospice")],
        every=every,
    )


def on_agenda(staff, meeting_id, person, reason="Carer struggling; joint visit needed", **kw):
    access.nominate_person(
        viewer=staff["chair"],
        ip=IP,
        meeting_id=meeting_id,
        person_id=person.id,
        reason=reason,
        **kw,
    )
    item = CaseItem.objects.get(meeting_id=meeting_id, person_id=person.id)
    access.decide_nomination(viewer=staff["chair"], ip=IP, item_id=item.id, on_agenda=True)
    return item.id


def test_an_invited_guest_sees_what_their_role_allows_audited_as_a_meeting_view(staff, team, brian):
    mid = schedule(staff, team)
    item = on_agenda(staff, mid, brian)
    # The volunteer has no relationship of their own with Brian (not referred, not assigned).
    with pytest.raises((access.NoAccess, access.BreakGlassRequired)):
        access.open_record(viewer=staff["volunteer"], person_id=brian.id, purpose="x", ip=IP)

    seen = access.open_meeting_person(
        viewer=staff["volunteer"], ip=IP, meeting_id=mid, item_id=item
    )
    assert seen.record.person.display_name == "Brian Hughes"
    assert seen.record.access == "meeting"
    assert GP_DETAIL not in str(seen.record.timeline)  # a volunteer sees no GP detail
    nurse_view = access.open_meeting_person(
        viewer=staff["nurse"], ip=IP, meeting_id=mid, item_id=item
    )
    assert GP_DETAIL in str(nurse_view.record.timeline)

    rows = AuditEntry.objects.filter(action="meeting_view", person_id=brian.id).order_by("id")
    assert [r.username for r in rows] == [staff["volunteer"].username, staff["nurse"].username]
    assert rows[0].detail["meeting_id"] == mid and rows[0].detail["item_id"] == item
    assert rows[0].detail["relationship"] == "meeting"
    assert rows[1].detail["relationship"] == "caseload"  # the nurse's own, recorded as such
    assert "North MDT" in rows[0].purpose
    # The audit's subject access report finds the meeting view under Brian.
    report = access.access_report_for_person(
        viewer=make_staff(role="data_steward"), ip=IP, person_id=brian.id
    )
    assert staff["volunteer"].username in str(report)
    assert "Looked at in an MDT meeting" in str(report)


def test_the_meeting_relationship_ends_with_the_meeting(staff, team, brian):
    mid = schedule(staff, team)
    item = on_agenda(staff, mid, brian)
    access.open_meeting_person(viewer=staff["volunteer"], ip=IP, meeting_id=mid, item_id=item)
    access.finish_meeting(viewer=staff["chair"], ip=IP, meeting_id=mid)
    with pytest.raises(access.NoAccess):
        access.open_meeting_person(viewer=staff["volunteer"], ip=IP, meeting_id=mid, item_id=item)
    refused = AuditEntry.objects.filter(
        action="access_denied", person_id=brian.id, username=staff["volunteer"].username
    )
    assert refused.exists()
    with pytest.raises((access.NoAccess, access.BreakGlassRequired)):
        access.open_record(viewer=staff["volunteer"], person_id=brian.id, purpose="x", ip=IP)


def test_not_invited_not_on_the_agenda_or_not_today_is_refused(staff, team, brian, olive):
    mid = schedule(staff, team)
    item = on_agenda(staff, mid, brian)
    with pytest.raises(access.NoAccess):  # not invited (another team's housing officer)
        access.open_meeting_person(viewer=staff["housing"], ip=IP, meeting_id=mid, item_id=item)
    with pytest.raises(access.NoAccess):
        access.open_meeting(viewer=staff["outsider"], ip=IP, meeting_id=mid)
    # Nominated but not (yet) on the agenda: not open to guests.
    access.nominate_person(
        viewer=staff["nurse"],
        ip=IP,
        meeting_id=mid,
        person_id=olive.id,
        reason="Falls",
        agreed_to_discussion=True,
    )
    waiting = CaseItem.objects.get(meeting_id=mid, person_id=olive.id)
    with pytest.raises(access.NoAccess):
        access.open_meeting_person(
            viewer=staff["volunteer"], ip=IP, meeting_id=mid, item_id=waiting.id
        )
    # A meeting in three days: the relationship is not open yet.
    later = schedule(staff, team, starts_in=dt.timedelta(days=3))
    later_item = on_agenda(staff, later, brian)
    with pytest.raises(access.NoAccess):
        access.open_meeting_person(
            viewer=staff["volunteer"], ip=IP, meeting_id=later, item_id=later_item
        )
    # An item of one meeting cannot be opened through another.
    with pytest.raises(access.NoAccess):
        access.open_meeting_person(
            viewer=staff["volunteer"], ip=IP, meeting_id=mid, item_id=later_item
        )
    assert AuditEntry.objects.filter(
        action="access_denied", username=staff["housing"].username
    ).exists()


def test_a_person_who_objected_is_never_suggested_and_needs_their_agreement(
    staff, team, brian, olive
):
    for person in (brian, olive):  # both have a request for help stuck for 20 days
        HelpRequest.objects.create(
            team=team,
            person_id=person.id,
            caller_relationship="self",
            channel="phone",
            what_is_needed="Help with shopping",
            received_at=timezone.now() - dt.timedelta(days=20),
            received_by_user_id=staff["nurse"].id,
            received_by_name="Nia Okafor",
        )
    mid = schedule(staff, team)
    page = access.open_meeting(viewer=staff["chair"], ip=IP, meeting_id=mid)
    suggested = {s.person_id: s for s in page.suggestions}
    assert brian.id in suggested and olive.id not in suggested
    assert any("Request for help stuck: open 20 days" in r for r in suggested[brian.id].reasons)

    with pytest.raises(access.InvalidRequest, match="objected to sharing"):
        access.nominate_person(
            viewer=staff["nurse"], ip=IP, meeting_id=mid, person_id=olive.id, reason="Falls"
        )
    assert not CaseItem.objects.filter(person_id=olive.id).exists()
    item = on_agenda(staff, mid, olive, agreed_to_discussion=True)
    seen = access.open_meeting_person(viewer=staff["nurse"], ip=IP, meeting_id=mid, item_id=item)
    # Seen through her objection: the GP's detail is not shared with the community nurse.
    assert GP_DETAIL not in str(seen.record.timeline)
    assert seen.item.objection and seen.item.agreed_to_discussion
    row = AuditEntry.objects.filter(action="meeting_view", person_id=olive.id).get()
    assert row.detail["objection"] is True


def test_under_an_agreement_that_says_never_she_is_not_nominated(
    staff, team, olive, settings, tmp_path
):
    agreement = yaml.safe_load(open(settings.WRAPAROUND_AGREEMENT).read())
    agreement["meetings"]["objection"] = "never"
    stricter = tmp_path / "agreement.yaml"
    stricter.write_text(yaml.safe_dump(agreement))
    settings.WRAPAROUND_AGREEMENT = str(stricter)
    mid = schedule(staff, team)
    with pytest.raises(access.InvalidRequest, match="keeps them off"):
        access.nominate_person(
            viewer=staff["nurse"],
            ip=IP,
            meeting_id=mid,
            person_id=olive.id,
            reason="Falls",
            agreed_to_discussion=True,
        )


def test_suggestions_give_reasons_a_practitioner_would_accept(staff, team, brian):
    add_to_caseload(team, brian)  # the team's list: whom suggestions look at
    acute = make_source_record(source="acute", person=brian)
    make_event(
        acute,
        kind="A&E attendance",
        resource_type="Encounter",
        summary="Fall at home",
        occurred_at=timezone.now() - dt.timedelta(days=5),
    )
    access.save_plan_details(
        viewer=staff["nurse"],
        person_id=brian.id,
        review_on=timezone.localdate() - dt.timedelta(days=3),
        ip=IP,
    )
    mid = schedule(staff, team)
    page = access.open_meeting(viewer=staff["chair"], ip=IP, meeting_id=mid)
    reasons = " | ".join(next(s for s in page.suggestions if s.person_id == brian.id).reasons)
    assert "Plan review overdue" in reasons
    # The care co-ordinator's role sees no hospital detail (the agreement): not a reason shown
    # to them. A district nurse chairing sees it.
    assert "A&E" not in reasons
    nurse_mid = schedule(staff, team, chair="nurse", invite=("volunteer",))
    page = access.open_meeting(viewer=staff["nurse"], ip=IP, meeting_id=nurse_mid)
    nurse_reasons = " | ".join(next(s for s in page.suggestions if s.person_id == brian.id).reasons)
    assert "In the last 90 days: A&E attendance" in nurse_reasons
    # Accepted, the hospital reason stays acute detail: the invited volunteer's case list
    # does not show it, the nurse's does.
    access.accept_suggestion(viewer=staff["nurse"], ip=IP, meeting_id=nurse_mid, person_id=brian.id)
    guest = access.open_meeting(viewer=staff["volunteer"], ip=IP, meeting_id=nurse_mid)
    assert "Plan review overdue" in guest.agenda[0].reason and "A&E" not in guest.agenda[0].reason
    own = access.open_meeting(viewer=staff["nurse"], ip=IP, meeting_id=nurse_mid)
    assert "A&E attendance" in own.agenda[0].reason
    # Suggestions are for the chair; an invited guest sees the case list only.
    guest_page = access.open_meeting(viewer=staff["volunteer"], ip=IP, meeting_id=mid)
    assert guest_page.suggestions == [] and not guest_page.may_run
    # The page is audited with every person it named.
    row = AuditEntry.objects.filter(action="meeting_view", username=staff["chair"].username).last()
    assert brian.id in row.detail["person_ids"]

    access.accept_suggestion(viewer=staff["chair"], ip=IP, meeting_id=mid, person_id=brian.id)
    item = CaseItem.objects.get(meeting_id=mid, person_id=brian.id)
    assert item.status == "agenda" and item.source == "suggested"
    assert "Plan review overdue" in item.reason
    with pytest.raises(access.NoAccess):  # a guest cannot run the meeting
        access.accept_suggestion(
            viewer=staff["volunteer"], ip=IP, meeting_id=mid, person_id=brian.id
        )


def test_an_action_reaches_the_leads_caseload_the_plan_the_record_and_the_next_meeting(
    staff, team, brian
):
    mid = schedule(staff, team, invite=("nurse", "social", "volunteer"))
    item = on_agenda(staff, mid, brian)
    first = access.start_meeting(viewer=staff["chair"], ip=IP, meeting_id=mid)
    assert first == item
    access.start_discussion(viewer=staff["chair"], ip=IP, item_id=item)
    seen = access.open_meeting_person(viewer=staff["chair"], ip=IP, meeting_id=mid, item_id=item)
    assert 590 <= seen.seconds_left <= 600 and seen.may_record
    due = timezone.localdate() + dt.timedelta(days=7)
    access.add_meeting_action(
        viewer=staff["chair"],
        ip=IP,
        item_id=item,
        what="Joint visit with the district nurse",
        lead_staff_id=staff["social"].staff.id,
        due_on=due,
    )
    with pytest.raises(access.InvalidRequest):  # a lead must be in the meeting or the team
        access.add_meeting_action(
            viewer=staff["chair"],
            ip=IP,
            item_id=item,
            what="Visit",
            lead_staff_id=staff["outsider"].staff.id,
            due_on=due,
        )
    access.record_discussion(
        viewer=staff["chair"],
        ip=IP,
        item_id=item,
        discussion="Son is struggling",
        decisions="Joint visit; GP to see the son",
        finished=True,
    )
    access.record_attendance(
        viewer=staff["chair"],
        ip=IP,
        meeting_id=mid,
        present=[
            i.invitation_id
            for i in access.open_meeting(viewer=staff["chair"], ip=IP, meeting_id=mid).invitations
            if not i.guest
        ],
    )
    action = PlanAction.objects.get(meeting_item_id=item)
    assert (action.owner_staff_id, action.due_on, action.person_id) == (
        staff["social"].staff.id,
        due,
        brian.id,
    )

    caseload = access.open_caseload(viewer=staff["social"], ip=IP, whose="mine")
    row = next(row for row in caseload.rows if row.person.person_id == brian.id)
    day = timezone.localtime(Meeting.objects.get(id=mid).starts_at).date()
    assert row.todo.mine == [
        f"Joint visit with the district nurse, due {due.day} {due:%B %Y} "
        f"(agreed at the MDT on {day.day} {day:%B %Y})"
    ]
    plan = access.open_plan(viewer=staff["nurse"], person_id=brian.id, ip=IP)
    assert "Joint visit with the district nurse" in [a.what for a in plan.actions]

    following = access.finish_meeting(viewer=staff["chair"], ip=IP, meeting_id=mid)
    nxt = Meeting.objects.get(id=following)
    assert nxt.follows_id == mid and nxt.status == "planned"
    assert nxt.starts_at.weekday() == Meeting.objects.get(id=mid).starts_at.weekday()
    assert set(nxt.invitations.values_list("name", flat=True)) >= {"Ann Lowe", "Owen Evans"}
    page = access.open_meeting(viewer=staff["chair"], ip=IP, meeting_id=following)
    assert [a.what for a in page.open_actions] == ["Joint visit with the district nurse"]
    assert any("from an earlier MDT still open" in r for s in page.suggestions for r in s.reasons)

    record = access.open_record(viewer=staff["nurse"], person_id=brian.id, purpose="care", ip=IP)
    assert record.mdt[0].decisions == "Joint visit; GP to see the son"
    assert record.mdt[0].on == timezone.localtime(nxt.follows.starts_at).date()
    minutes = access.meeting_minutes(viewer=staff["chair"], ip=IP, meeting_id=mid)
    assert [p.item.name for p in minutes.people] == ["Brian Hughes"]
    assert minutes.people[0].actions[0].lead.startswith("Owen Evans")
    assert {p.name for p in minutes.present} >= {"Priti Sharma", "Owen Evans"}
    # A finished meeting's minutes are kept as they were.
    with pytest.raises(access.InvalidRequest):
        access.record_discussion(
            viewer=staff["chair"], ip=IP, item_id=item, discussion="", decisions="x", finished=True
        )


def test_only_a_team_member_who_works_with_the_person_nominates(staff, team, brian):
    mid = schedule(staff, team)
    stranger = make_person(given_name="Stan", family_name="Far", postcode="B1 1AA")
    with pytest.raises(access.NoAccess):
        access.nominate_person(
            viewer=staff["nurse"], ip=IP, meeting_id=mid, person_id=stranger.id, reason="x"
        )
    with pytest.raises(access.NoAccess):  # invited guest from another team cannot nominate
        access.nominate_person(
            viewer=staff["housing"], ip=IP, meeting_id=mid, person_id=brian.id, reason="x"
        )
    with pytest.raises(access.InvalidRequest):
        access.nominate_person(
            viewer=staff["nurse"], ip=IP, meeting_id=mid, person_id=brian.id, reason="  "
        )
    assert not CaseItem.objects.exists()


def test_a_merge_brings_the_case_list_and_actions_with_the_person(staff, team, brian):
    twin = _person("Brian", "Hughes", team)  # the same man, a second record
    mid = schedule(staff, team)
    on_agenda(staff, mid, brian, reason="Falls")
    on_agenda(staff, mid, twin, reason="Carer struggling")
    steward = make_staff(role="data_steward")
    kept = access.merge_people(
        viewer=steward, person_id=brian.id, other_person_id=twin.id, reason="Same man", ip=IP
    )
    items = CaseItem.objects.filter(meeting_id=mid)
    assert list(items.values_list("person_id", flat=True)) == [kept]
    assert "Falls" in items.get().reason and "Carer struggling" in items.get().reason


# --- Found by the red team on a served demo (each failed before its fix) ----------------------


def test_after_the_meeting_guests_see_only_people_they_work_with(staff, team, brian):
    mid = schedule(staff, team, invite=("nurse", "volunteer", "housing"))
    item = on_agenda(staff, mid, brian)
    access.start_meeting(viewer=staff["chair"], ip=IP, meeting_id=mid)
    access.record_discussion(
        viewer=staff["chair"],
        ip=IP,
        item_id=item,
        discussion="Low mood; took an overdose",
        decisions="Mental health team to assess",
        finished=True,
    )
    live = access.open_meeting(viewer=staff["housing"], ip=IP, meeting_id=mid)
    assert [line.decisions for line in live.agenda] == ["Mental health team to assess"]
    access.finish_meeting(viewer=staff["chair"], ip=IP, meeting_id=mid)
    # The housing officer (another team, invited) no longer has the meeting's relationship.
    minutes = access.meeting_minutes(viewer=staff["housing"], ip=IP, meeting_id=mid)
    assert minutes.people == [] and minutes.withheld_people == 1
    assert "overdose" not in str(minutes)
    page = access.open_meeting(viewer=staff["housing"], ip=IP, meeting_id=mid)
    assert page.agenda == [] and page.people_not_shown == 1
    # The nurse works with Brian and her role reads the chair's (GP practice's) notes.
    nurse_minutes = access.meeting_minutes(viewer=staff["nurse"], ip=IP, meeting_id=mid)
    assert nurse_minutes.people[0].discussion == "Low mood; took an overdose"
    # A North social worker works with Brian, but her role does not read a GP practice's
    # detail: the decisions are withheld on the minutes and on the record, like a contact note.
    social = access.meeting_minutes(viewer=staff["social"], ip=IP, meeting_id=mid)
    assert social.people[0].item.decisions == "" and social.people[0].item.notes_withheld
    record = access.open_record(viewer=staff["social"], person_id=brian.id, purpose="c", ip=IP)
    assert record.mdt and record.mdt[0].decisions == ""


def test_an_action_lead_who_did_not_work_with_the_person_now_does(staff, team, brian):
    mid = schedule(staff, team)
    item = on_agenda(staff, mid, brian)
    access.start_meeting(viewer=staff["chair"], ip=IP, meeting_id=mid)
    access.add_meeting_action(
        viewer=staff["chair"],
        ip=IP,
        item_id=item,
        what="Go with him to the luncheon club",
        lead_staff_id=staff["volunteer"].staff.id,
        due_on=timezone.localdate(),
    )
    caseload = access.open_caseload(viewer=staff["volunteer"], ip=IP, whose="mine")
    assert brian.id in [row.person.person_id for row in caseload.rows]
    assert access.open_record(viewer=staff["volunteer"], person_id=brian.id, purpose="c", ip=IP)
    row = AuditEntry.objects.filter(action="change", person_id=brian.id).last()
    assert row.detail["lead_assigned"] is True


def test_only_the_chair_cancels_and_items_stay_in_their_own_meeting(staff, team, brian):
    mid = schedule(staff, team, invite=("nurse", "volunteer"))
    other = schedule(staff, team, invite=("nurse",))
    item = on_agenda(staff, mid, brian)
    with pytest.raises(access.NoAccess):  # an invited nurse may stand in, but not cancel
        access.cancel_meeting(viewer=staff["nurse"], ip=IP, meeting_id=mid)
    with pytest.raises(access.NoAccess):  # an item of one meeting through another's screen
        access.start_discussion(viewer=staff["chair"], ip=IP, item_id=item, meeting_id=other)
    assert CaseItem.objects.get(id=item).started_at is None
    with pytest.raises(access.InvalidRequest):
        access.move_agenda_item(
            viewer=staff["chair"], ip=IP, item_id=item, direction="sideways", meeting_id=mid
        )
    access.cancel_meeting(viewer=staff["chair"], ip=IP, meeting_id=mid)
    assert Meeting.objects.get(id=mid).status == "cancelled"


def test_dates_that_cannot_be_right_are_refused(staff, team, brian):
    with pytest.raises(access.InvalidRequest):
        schedule(staff, team, starts_in=-dt.timedelta(days=365 * 6))
    with pytest.raises(access.InvalidRequest):
        schedule(staff, team, starts_in=dt.timedelta(days=365 * 9))
    mid = schedule(staff, team)
    item = on_agenda(staff, mid, brian)
    for due in (dt.date(2020, 1, 1), dt.date(9999, 1, 1)):
        with pytest.raises(access.InvalidRequest):
            access.add_meeting_action(
                viewer=staff["chair"],
                ip=IP,
                item_id=item,
                what="Visit",
                lead_staff_id=staff["nurse"].staff.id,
                due_on=due,
            )
    assert not PlanAction.objects.exists()
