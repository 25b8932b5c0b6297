"""Legitimate relationships, break-glass, no IDOR, objections and opt-outs, steward functions."""

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from factories import (
    add_to_caseload,
    assign,
    make_event,
    make_person,
    make_source,
    make_source_record,
    make_staff,
    make_team,
    set_sharing,
)
from wraparound.governance import access
from wraparound.governance.models import AuditEntry, BreakGlass
from wraparound.governance.queries import people_for_analytics

pytestmark = pytest.mark.django_db
REASON = "Called by ambulance crew: found on floor, needs medication history now"


@pytest.fixture
def place():
    north = make_team("North", ["WV10"])
    south = make_team("South", ["WV14 2"])
    person = make_person(given_name="Arthur", family_name="Penn", postcode="WV10 6QH")
    gp = make_source_record(source="gp", person=person)
    housing = make_source_record(source="housing", person=person)
    make_event(gp, kind="GP encounter", summary="Chest infection, antibiotics")
    make_event(housing, kind="Rent arrears", summary="Two months behind on rent")
    return north, south, person


# --- relationships ---------------------------------------------------------------------------


def test_caseload_by_postcode_sector_assignment_and_explicit_entry(place):
    north, south, person = place
    south_nurse = make_staff(role="clinician", teams=[south])
    elsewhere = make_person(given_name="Bea", family_name="Rowe", postcode="WV14 2AB")
    other_sector = make_person(given_name="Cal", family_name="Rowe", postcode="WV14 3AB")
    assert (
        access.open_record(viewer=south_nurse, person_id=elsewhere.id, purpose="c", ip=None).access
        == "caseload"
    )
    with pytest.raises(access.BreakGlassRequired):
        access.open_record(viewer=south_nurse, person_id=other_sector.id, purpose="c", ip=None)
    add_to_caseload(south, other_sector)
    assert (
        access.open_record(
            viewer=south_nurse, person_id=other_sector.id, purpose="c", ip=None
        ).access
        == "caseload"
    )
    assign(south_nurse, person)
    view = access.open_record(viewer=south_nurse, person_id=person.id, purpose="c", ip=None)
    assert view.access == "assigned"
    assert any(i.source == "Wraparound" and i.name == "Sam Taylor" for i in view.involved)


# --- no IDOR oracle ----------------------------------------------------------------------


def test_unknown_and_forbidden_ids_get_the_same_refusal(place):
    _, south, person = place
    volunteer = make_staff(role="voluntary_worker", teams=[south])
    admin = make_staff(role="administrator")
    messages = set()
    for viewer in (volunteer, admin):
        for pid in (person.id, 999_999, -1, "1 OR 1=1"):
            with pytest.raises(access.NoAccess) as caught:
                access.open_record(viewer=viewer, person_id=pid, purpose="c", ip=None)
            messages.add(str(caught.value))
    assert messages == {access.NO_ACCESS_MESSAGE}


def test_retired_people_and_users_without_a_staff_profile_are_refused(place):
    north, _, person = place
    nurse = make_staff(role="clinician", teams=[north])
    person.retired = True
    person.save()
    with pytest.raises(access.NoAccess):
        access.open_record(viewer=nurse, person_id=person.id, purpose="c", ip=None)
    stranger = get_user_model().objects.create(username="no-profile")
    with pytest.raises(access.NoAccess):
        access.search_people(viewer=stranger, query="penn", ip=None)
    superuser = get_user_model().objects.create(username="root", is_superuser=True)
    with pytest.raises(access.NoAccess):
        access.open_record(viewer=superuser, person_id=person.id, purpose="c", ip=None)


# --- break-glass -------------------------------------------------------------------------


def test_break_glass_flow(place):
    _, south, person = place
    nurse = make_staff(role="clinician", teams=[south], username="ruth")
    steward = make_staff(role="data_steward", username="priya")
    with pytest.raises(access.BreakGlassRequired) as caught:
        access.open_record(viewer=nurse, person_id=person.id, purpose="c", ip=None)
    assert caught.value.person_id == person.id
    assert AuditEntry.objects.filter(action="access_denied", person_id=person.id).count() == 1

    with pytest.raises(access.InvalidRequest):
        access.request_break_glass(viewer=nurse, person_id=person.id, reason="urgent", ip=None)
    with pytest.raises(access.NoAccess):
        access.request_break_glass(viewer=nurse, person_id=424242, reason=REASON, ip=None)
    grant = access.request_break_glass(
        viewer=nurse, person_id=person.id, reason=REASON, ip="10.1.1.1"
    )
    assert grant.expires_at - grant.granted_at == dt.timedelta(hours=4)

    view = access.open_record(viewer=nurse, person_id=person.id, purpose="emergency", ip=None)
    assert view.access == "break_glass" and view.break_glass_expires_at == grant.expires_at
    assert [e.summary for e in view.timeline.entries] == ["Chest infection, antibiotics"]
    assert AuditEntry.objects.get(action="view_person").detail["break_glass_id"] == grant.grant_id

    with pytest.raises(access.NoAccess):
        access.open_break_glass_reviews(viewer=nurse, ip=None)
    reviews = access.open_break_glass_reviews(viewer=steward, ip=None)
    assert [(r.grant_id, r.username, r.reason, r.views) for r in reviews] == [
        (grant.grant_id, "ruth", REASON, 1)
    ]
    assert reviews[0].person_name == "Arthur Penn"
    with pytest.raises(access.InvalidRequest):
        access.close_break_glass_review(
            viewer=steward, grant_id=grant.grant_id, outcome="inappropriate", note="", ip=None
        )
    access.close_break_glass_review(
        viewer=steward,
        grant_id=grant.grant_id,
        outcome="appropriate",
        note="Genuine emergency",
        ip=None,
    )
    assert access.open_break_glass_reviews(viewer=steward, ip=None) == []
    with pytest.raises(access.InvalidRequest):
        access.close_break_glass_review(
            viewer=steward, grant_id=grant.grant_id, outcome="appropriate", note="", ip=None
        )

    # Time-limited: once expired, the nurse needs a new reason.
    BreakGlass.objects.filter(id=grant.grant_id).update(
        expires_at=timezone.now() - dt.timedelta(seconds=1)
    )
    with pytest.raises(access.BreakGlassRequired):
        access.open_record(viewer=nurse, person_id=person.id, purpose="c", ip=None)


def test_volunteers_have_no_break_glass(place):
    _, south, person = place
    volunteer = make_staff(role="voluntary_worker", teams=[south])
    with pytest.raises(access.NoAccess):
        access.request_break_glass(viewer=volunteer, person_id=person.id, reason=REASON, ip=None)
    assert not BreakGlass.objects.exists()


def test_a_steward_cannot_close_their_own_break_glass_review(place):
    _, _, person = place
    steward = make_staff(role="data_steward")
    # Stewards have no break-glass permission at all; a clinician-steward pair is the real case.
    with pytest.raises(access.NoAccess):
        access.request_break_glass(viewer=steward, person_id=person.id, reason=REASON, ip=None)


# --- objection and opt-out -----------------------------------------------------------------


def test_an_objection_limits_the_view_to_the_viewers_own_organisation(place):
    north, _, person = place
    clinician = make_staff(role="clinician", teams=[north])  # community trust
    community = make_source_record(source="community", person=person)
    make_event(community, kind="Home visit", summary="Dressing changed")
    flag_source = make_source_record(source="acute", person=person)
    make_event(
        flag_source,
        kind="Allergy",
        resource_type="AllergyIntolerance",
        summary="Penicillin",
        on_timeline=False,
    )
    set_sharing(person, objects_to_sharing=True)

    view = access.open_record(viewer=clinician, person_id=person.id, purpose="c", ip=None)
    assert [e.summary for e in view.timeline.entries] == ["Dressing changed"]
    assert [f.text for f in view.flags] == ["Allergy: Penicillin"]  # safety flags still shown
    assert any("objected to sharing" in line for line in view.withheld)
    assert view.sharing_note.startswith("Has objected")
    assert [p.partner for p in view.provenance] == ["Community trust"]

    found = access.search_people(viewer=clinician, query="arthur penn", ip=None)
    assert found.results[0].known_to == ["Community trust"]


def test_national_opt_out_leaves_people_out_of_analytics_not_care(place):
    north, _, person = place
    other = make_person(given_name="Dora", family_name="Penn")
    set_sharing(person, national_opt_out=True)
    assert set(people_for_analytics().values_list("id", flat=True)) == {other.id}
    nurse = make_staff(role="clinician", teams=[north])
    view = access.open_record(viewer=nurse, person_id=person.id, purpose="c", ip=None)
    assert view.timeline.total == 1
    assert "national data opt-out" in view.sharing_note


def test_recording_a_sharing_preference_is_audited(place):
    north, _, person = place
    nurse = make_staff(role="clinician", teams=[north])
    access.record_sharing_preference(
        viewer=nurse,
        person_id=person.id,
        national_opt_out=False,
        objects_to_sharing=True,
        note="",
        ip=None,
    )
    assert AuditEntry.objects.filter(action="sharing_preference", person_id=person.id).count() == 1


# --- withheld notes ------------------------------------------------------------------------


def test_withheld_notes_name_a_partner_only_when_the_partner_may_be_named(place):
    north, _, person = place
    housing_officer = make_staff(role="housing_officer", teams=[north])
    mh = make_source_record(source="mental_health", person=person)
    make_event(mh, kind="Mental health contact", summary="CPN visit", category="mental_health")
    view = access.open_record(viewer=housing_officer, person_id=person.id, purpose="c", ip=None)
    text = " ".join(view.withheld)
    assert "More information exists from GP practice" in text
    assert "Mental health" not in text and "mental health" not in text
    assert "Some other information is held" in text
    assert "Priya Shah" in text  # whom to ask
    assert [e.summary for e in view.timeline.entries] == ["Two months behind on rent"]


# --- steward functions ---------------------------------------------------------------------


def test_audit_search_and_subject_access_report(place):
    north, _, person = place
    nurse = make_staff(role="clinician", teams=[north], username="nia")
    steward = make_staff(role="data_steward", username="priya")
    access.open_record(viewer=nurse, person_id=person.id, purpose="home visit", ip="10.0.0.1")
    access.export_caseload(viewer=nurse, ip=None)
    with pytest.raises(access.NoAccess):
        access.search_audit(viewer=nurse, ip=None)
    with pytest.raises(access.NoAccess):
        access.access_report_for_person(viewer=nurse, person_id=person.id, ip=None)

    rows = access.search_audit(viewer=steward, ip=None, username="nia", action="view_person")
    assert [(r.username, r.person_id, r.purpose) for r in rows] == [
        ("nia", person.id, "home visit")
    ]
    today = timezone.localdate()
    assert access.search_audit(viewer=steward, ip=None, date_from=today, date_to=today)
    assert not access.search_audit(viewer=steward, ip=None, date_to=today - dt.timedelta(days=1))

    report = access.access_report_for_person(viewer=steward, person_id=person.id, ip=None)
    assert {(r.username, r.action) for r in report.rows} == {
        ("nia", "view_person"),
        ("nia", "export"),
    }
    # Both steward functions were themselves audited.
    assert AuditEntry.objects.filter(username="priya", action="audit_search").count() == 3
    assert AuditEntry.objects.filter(username="priya", action="access_report").count() == 1


def test_stewards_see_provenance_and_any_summary_but_no_clinical_detail(place):
    _, _, person = place
    steward = make_staff(role="data_steward")
    view = access.open_record(viewer=steward, person_id=person.id, purpose="linkage check", ip=None)
    assert view.access == "steward" and view.is_steward and not view.can_edit
    assert view.timeline.entries == []
    assert {p.source_code for p in view.provenance} == {"gp", "housing"}
    assert all(p.source_record_id for p in view.provenance)
    assert view.person.nhs_number


def test_split_and_merge_through_the_gate(place):
    north, _, person = place
    steward = make_staff(role="data_steward")
    nurse = make_staff(role="clinician", teams=[north])
    record = make_source_record(source=make_source("community"), person=person, given_name="Arthur")
    with pytest.raises(access.NoAccess):
        access.split_link(
            viewer=nurse,
            person_id=person.id,
            source="community",
            source_record_id=record.source_record_id,
            reason="x",
            ip=None,
        )
    new_id = access.split_link(
        viewer=steward,
        person_id=person.id,
        source="community",
        source_record_id=record.source_record_id,
        reason="Different date of birth",
        ip=None,
    )
    assert new_id != person.id
    kept = access.merge_people(
        viewer=steward,
        person_id=person.id,
        other_person_id=new_id,
        reason="Same man after all",
        ip=None,
    )
    assert kept == person.id
    with pytest.raises(access.NoAccess):
        access.open_record(viewer=steward, person_id=new_id, purpose="c", ip=None)
    # Each decision (the gate's row) and each change to who is who (identity_changes' row).
    assert AuditEntry.objects.filter(action="linkage_decision").count() == 4


def test_a_merged_away_person_is_no_longer_found(place):
    _, _, person = place
    steward = make_staff(role="data_steward")
    twin = make_person(given_name="Arthur", family_name="Penn", postcode="WV10 6QH")
    make_source_record(source="acute", person=twin)
    access.merge_people(
        viewer=steward, person_id=person.id, other_person_id=twin.id, reason="Same man", ip=None
    )
    found = access.search_people(viewer=steward, query="arthur penn", ip=None)
    assert [r.person_id for r in found.results] == [person.id] and found.total == 1
