"""Requests for help (issue 11, items 1-3): one front door, one named owner until helped.

The rules are read from the issue, not from the code: a receptionist logs requests and finds
the person but never opens the record, and sees only what they logged; the team's members see
the team's requests; one owner at a time, a hand-off always has a reason; a second contact on
an open request is suggested as failure demand (chasing progress) and the practitioner
decides; only the owner closes; an urgent request has a 2-hour clock. Every change is audited.
"""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from factories import make_person, make_staff, make_team
from wraparound.frontdoor.models import Handoff, HelpRequest, RequestContact
from wraparound.governance import access
from wraparound.governance.models import AuditEntry

pytestmark = pytest.mark.django_db

NEED = "Mum has had a fall and cannot get up the stairs to bed"


@pytest.fixture
def team():
    return make_team("North", ["WV10"])


@pytest.fixture
def person(team):
    return make_person(given_name="Winifred", family_name="Ash", postcode="WV10 1AB")


@pytest.fixture
def staff(team):
    other = make_team("South", ["WV4"])
    return {
        "reception": make_staff(role="receptionist", teams=[team], first_name="Rita"),
        "reception2": make_staff(role="receptionist", teams=[team], first_name="Ravi"),
        "nurse": make_staff(role="clinician", teams=[team], first_name="Nia", last_name="Okafor"),
        "therapist": make_staff(role="clinician", teams=[team], first_name="Tom", last_name="Reed"),
        "coordinator": make_staff(
            role="care_coordinator", teams=[team], first_name="Cara", last_name="Lund"
        ),
        "south_nurse": make_staff(role="clinician", teams=[other], first_name="Sol"),
    }


def log(viewer, person=None, **kw):
    kw.setdefault("what_is_needed", NEED)
    kw.setdefault("caller_relationship", "family")
    kw.setdefault("channel", "phone")
    return access.log_request(
        viewer=viewer, person_id=person.id if person else None, ip="10.0.0.1", **kw
    )


def audits(action, **kw):
    return AuditEntry.objects.filter(action=action, **kw)


# --- logging ------------------------------------------------------------------------------------


def test_receptionist_logs_a_request_for_a_found_person_unowned_and_audited(staff, person):
    rid = log(staff["reception"], person, caller_name="Jo Ash")
    req = HelpRequest.objects.get(id=rid)
    assert (req.person_id, req.status, req.owner_staff_id) == (person.id, "open", None)
    assert req.what_is_needed == NEED
    assert req.received_by_name == "Rita Taylor"
    row = audits("change", person_id=person.id).get()
    assert row.detail["request_id"] == rid
    assert row.username == staff["reception"].username


def test_receptionist_never_opens_the_record(staff, person):
    with pytest.raises(access.NoAccess):
        access.open_record(viewer=staff["reception"], person_id=person.id, purpose="x", ip=None)


def test_receptionist_finds_the_person_by_name_in_the_teams_area(staff, person):
    found = access.search_people(viewer=staff["reception"], query="Winifred Ash", ip=None)
    assert [p.person_id for p in found.results] == [person.id]


def test_a_request_without_the_person_or_details_is_refused_and_nothing_written(staff):
    with pytest.raises(access.InvalidRequest, match="find them later"):
        log(staff["reception"])
    assert HelpRequest.objects.count() == 0
    assert not audits("change").exists()


def test_details_to_find_them_later_are_enough(staff):
    rid = log(staff["reception"], person_details="Mr Patel, Elm Road, calls back on 07700 900123")
    assert HelpRequest.objects.get(id=rid).person_id is None


def test_an_unknown_person_id_is_refused(staff):
    with pytest.raises(access.InvalidRequest):
        access.log_request(
            viewer=staff["reception"],
            person_id=999_999,
            what_is_needed=NEED,
            caller_relationship="self",
            channel="phone",
            ip=None,
        )
    assert HelpRequest.objects.count() == 0


def test_urgent_needs_one_of_the_national_conditions(staff, person):
    with pytest.raises(access.InvalidRequest, match="urgent 2-hour condition"):
        log(staff["reception"], person, urgent=True, urgent_condition="headache")
    rid = log(staff["reception"], person, urgent=True, urgent_condition="fall")
    assert HelpRequest.objects.get(id=rid).urgent_condition == "fall"
    assert len(access.URGENT_CONDITIONS) == 9


def test_empty_words_are_refused(staff, person):
    with pytest.raises(access.InvalidRequest, match="caller's words"):
        log(staff["reception"], person, what_is_needed="   \x00 ")


# --- who sees what ------------------------------------------------------------------------------


def test_receptionist_sees_only_what_they_logged(staff, person):
    mine = log(staff["reception"], person)
    theirs = log(staff["reception2"], person)
    queue = access.request_queue(viewer=staff["reception"], ip=None)
    assert [i.request_id for i in queue.logged_by_me] == [mine]
    with pytest.raises(access.NoAccess):
        access.open_help_request(viewer=staff["reception"], request_id=theirs, ip=None)
    assert audits("access_denied", user_id=staff["reception"].pk).count() == 1
    # The person page's box is not theirs either.
    assert (
        access.open_requests_for_person(viewer=staff["reception"], person_id=person.id, ip=None)
        == []
    )


def test_receptionist_cannot_take_ownership_or_close(staff, person):
    rid = log(staff["reception"], person)
    with pytest.raises(access.NoAccess):
        access.take_ownership(viewer=staff["reception"], request_id=rid, ip=None)
    assert audits("refused", user_id=staff["reception"].pk).exists()
    assert HelpRequest.objects.get(id=rid).owner_staff_id is None


def test_another_team_cannot_see_or_change_the_request(staff, person):
    rid = log(staff["reception"], person)
    with pytest.raises(access.NoAccess):
        access.open_help_request(viewer=staff["south_nurse"], request_id=rid, ip=None)
    with pytest.raises(access.NoAccess):
        access.take_ownership(viewer=staff["south_nurse"], request_id=rid, ip=None)
    with pytest.raises(access.NoAccess):
        access.open_help_request(viewer=staff["nurse"], request_id=rid + 1000, ip=None)
    assert access.request_queue(viewer=staff["south_nurse"], ip=None).unowned == []


# --- ownership, hand-offs, contacts, closing --------------------------------------------------


def test_story_owner_hand_off_chasing_call_and_close(staff, person):
    rid = log(staff["reception"], person)
    nurse, therapist = staff["nurse"], staff["therapist"]
    access.take_ownership(viewer=nurse, request_id=rid, ip=None)
    assert HelpRequest.objects.get(id=rid).owner_name == "Nia Okafor"
    with pytest.raises(access.InvalidRequest, match="reason"):
        access.hand_off(
            viewer=nurse, request_id=rid, to_staff_id=therapist.staff.id, reason=" ", ip=None
        )
    access.hand_off(
        viewer=nurse,
        request_id=rid,
        to_staff_id=therapist.staff.id,
        reason="Needs a stair rail: therapy assessment",
        ip=None,
    )
    h = Handoff.objects.get(request_id=rid)
    assert (h.from_name, h.to_name, h.by_name) == ("Nia Okafor", "Tom Reed", "Nia Okafor")
    assert h.reason == "Needs a stair rail: therapy assessment"
    assert HelpRequest.objects.get(id=rid).owner_staff_id == therapist.staff.id
    # The nurse no longer owns it: she can neither hand it on nor close it.
    with pytest.raises(access.InvalidRequest, match="Only its owner"):
        access.hand_off(
            viewer=nurse, request_id=rid, to_staff_id=nurse.staff.id, reason="back", ip=None
        )
    view = access.open_help_request(viewer=therapist, request_id=rid, ip=None)
    assert (view.suggested_demand, view.suggested_failure_kind) == ("failure", "chasing")
    access.record_contact(
        viewer=therapist,
        request_id=rid,
        who="Daughter",
        what="Rang to ask when someone is coming",
        demand="failure",
        failure_kind="chasing",
        ip=None,
    )
    with pytest.raises(access.InvalidRequest, match="owner"):
        access.close_request(
            viewer=nurse,
            request_id=rid,
            helped=True,
            what_helped="x",
            person_agrees="yes",
            ip=None,
        )
    access.close_request(
        viewer=therapist,
        request_id=rid,
        helped=True,
        what_helped="Stair rail fitted; managing the stairs",
        person_agrees="yes",
        ip=None,
    )
    req = HelpRequest.objects.get(id=rid)
    assert (req.status, req.person_agrees_helped) == ("helped", "yes")
    assert req.closed_at is not None
    c = RequestContact.objects.get(request_id=rid)
    assert (c.demand, c.failure_kind, c.suggested_demand) == ("failure", "chasing", "failure")
    whats = list(
        audits("change", person_id=person.id).order_by("id").values_list("detail__what", flat=True)
    )
    assert whats == [
        "help_request",
        "help_request_owner",
        "help_request_handoff",
        "help_request_contact",
        "help_request_closed",
    ]
    # A closed request is not changed again.
    with pytest.raises(access.InvalidRequest, match="closed"):
        access.take_ownership(viewer=nurse, request_id=rid, ip=None)


def test_the_practitioner_decides_the_class_not_the_software(staff, person):
    rid = log(staff["reception"], person)
    access.record_contact(
        viewer=staff["nurse"],
        request_id=rid,
        who="GP",
        what="New information: now also needs a commode",
        demand="value",
        failure_kind="chasing",
        ip=None,
    )
    c = RequestContact.objects.get(request_id=rid)
    assert (c.demand, c.failure_kind, c.suggested_demand) == ("value", "", "failure")
    with pytest.raises(access.InvalidRequest, match="kind of failure"):
        access.record_contact(
            viewer=staff["nurse"], request_id=rid, who="x", what="y", demand="failure", ip=None
        )


def test_hand_off_only_to_a_practitioner_in_the_team(staff, person):
    rid = log(staff["reception"], person)
    for to in (staff["south_nurse"], staff["reception2"]):
        with pytest.raises(access.InvalidRequest, match="colleague"):
            access.hand_off(
                viewer=staff["nurse"], request_id=rid, to_staff_id=to.staff.id, reason="r", ip=None
            )
    assert not Handoff.objects.exists()


def test_taking_over_from_an_owner_is_a_recorded_hand_off(staff, person):
    rid = log(staff["reception"], person)
    access.take_ownership(viewer=staff["nurse"], request_id=rid, ip=None)
    access.take_ownership(viewer=staff["coordinator"], request_id=rid, ip=None)
    h = Handoff.objects.get(request_id=rid)
    assert (h.from_name, h.to_name, h.reason) == ("Nia Okafor", "Cara Lund", "Taken over")


# --- the 2-hour clock -------------------------------------------------------------------------


def _received(rid, minutes_ago):
    at = timezone.now() - dt.timedelta(minutes=minutes_ago)
    HelpRequest.objects.filter(id=rid).update(received_at=at)
    return at


def test_urgent_clock_time_left_and_over(staff, person):
    rid = log(staff["reception"], person, urgent=True, urgent_condition="fall")
    _received(rid, 30)
    item = access.open_help_request(viewer=staff["nurse"], request_id=rid, ip=None).item
    # 2 h minus 30 min, give or take the seconds the test takes.
    assert item.clock in ("1 h 30 min left", "1 h 29 min left")
    assert not item.clock_overdue
    _received(rid, 150)
    item = access.open_help_request(viewer=staff["nurse"], request_id=rid, ip=None).item
    assert item.clock.startswith("Not seen yet: 30 min") or item.clock.startswith(
        "Not seen yet: 29 min"
    )
    assert item.clock_overdue


def test_urgent_seen_after_2_h_15_min_and_outcome(staff, person):
    rid = log(staff["reception"], person, urgent=True, urgent_condition="delirium")
    received = _received(rid, 200)
    access.record_urgent_visit(
        viewer=staff["nurse"],
        request_id=rid,
        first_visit_at=received + dt.timedelta(hours=2, minutes=15),
        outcome="stayed_at_home",
        ip=None,
    )
    item = access.open_help_request(viewer=staff["nurse"], request_id=rid, ip=None).item
    assert item.clock == "Seen after 2 h 15 min"
    assert item.urgent_outcome == "Stayed at home"
    with pytest.raises(access.InvalidRequest, match="before the request"):
        access.record_urgent_visit(
            viewer=staff["nurse"],
            request_id=rid,
            first_visit_at=received - dt.timedelta(minutes=1),
            ip=None,
        )


# --- the queue --------------------------------------------------------------------------------


def test_queue_sections_urgent_unowned_mine_stuck(staff, person):
    nurse = staff["nurse"]
    plain = log(staff["reception"], person)
    urgent_late = log(staff["reception"], person, urgent=True, urgent_condition="carer")
    urgent_new = log(staff["reception"], person, urgent=True, urgent_condition="fall")
    _received(urgent_late, 100)
    _received(urgent_new, 10)
    mine = log(staff["reception"], person)
    access.take_ownership(viewer=nurse, request_id=mine, ip=None)
    chased = log(staff["reception"], person)
    access.take_ownership(viewer=staff["coordinator"], request_id=chased, ip=None)
    for _ in range(3):
        access.record_contact(
            viewer=nurse,
            request_id=chased,
            who="Son",
            what="Any news?",
            demand="failure",
            failure_kind="chasing",
            ip=None,
        )
    old = log(staff["reception"], person)
    access.take_ownership(viewer=staff["therapist"], request_id=old, ip=None)
    _received(old, 15 * 24 * 60)
    quiet = log(staff["reception"], person)
    access.take_ownership(viewer=staff["therapist"], request_id=quiet, ip=None)
    queue = access.request_queue(viewer=nurse, ip=None)
    assert [i.request_id for i in queue.urgent] == [urgent_late, urgent_new]
    assert [i.request_id for i in queue.unowned] == [plain]
    assert [i.request_id for i in queue.mine] == [mine]
    assert sorted(i.request_id for i in queue.stuck) == sorted([chased, old])
    assert [i.request_id for i in queue.others] == [quiet]
    row = audits("view_person", detail__what="request_queue").get()
    assert row.detail["person_ids"] == [person.id]


# --- pages ------------------------------------------------------------------------------------


def test_pages_log_take_and_person_page_shows_owner(client, staff, person):
    client.force_login(staff["reception"])
    page = client.get(reverse("record:new_request"), {"q": "Winifred Ash"})
    assert page.status_code == 200
    assert f'value="{person.id}"' in page.content.decode()
    response = client.post(
        reverse("record:new_request"),
        {
            "q": "Winifred Ash",
            "person_id": person.id,
            "what_is_needed": NEED,
            "caller_relationship": "family",
            "channel": "phone",
            "urgent": "no",
        },
    )
    req = HelpRequest.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("record:help_request", args=[req.id])
    assert client.get(reverse("record:person", args=[person.id])).status_code != 200
    client.force_login(staff["nurse"])
    queue = client.get(reverse("record:requests")).content.decode()
    assert "Winifred Ash" in queue and "No owner yet" in queue
    client.post(reverse("record:request_take", args=[req.id]))
    person_page = client.get(reverse("record:person", args=[person.id])).content.decode()
    assert "Open requests for help" in person_page
    assert "Owner: Nia Okafor" in person_page


def test_bad_form_input_is_a_400_with_words_not_a_write(client, staff, person):
    client.force_login(staff["reception"])
    response = client.post(
        reverse("record:new_request"),
        {"what_is_needed": "", "caller_relationship": "nobody", "urgent": "yes"},
    )
    assert response.status_code == 400
    text = response.content.decode()
    assert "There is a problem" in text and "Choose which urgent 2-hour condition" in text
    assert HelpRequest.objects.count() == 0
    rid = log(staff["reception"], person)
    client.force_login(staff["nurse"])
    response = client.post(
        reverse("record:request_handoff", args=[rid]), {"to_staff": "abc", "reason": ""}
    )
    assert response.status_code == 400
    assert client.get(reverse("record:help_request", args=[10**15])).status_code in (403, 404)


def test_the_person_found_later_is_recorded_audited(client, staff, person):
    rid = log(staff["reception"], person_details="Winifred, Elm Road, about 80")
    client.force_login(staff["reception"])
    page = client.get(reverse("record:help_request", args=[rid]), {"q": "Winifred Ash"})
    assert f'value="{person.id}"' in page.content.decode()
    client.post(reverse("record:request_person", args=[rid]), {"person_id": person.id})
    assert HelpRequest.objects.get(id=rid).person_id == person.id
    assert audits("change", person_id=person.id, detail__what="help_request_person").exists()
    for bad in ("999999", "x", ""):
        with pytest.raises(access.InvalidRequest):
            access.find_person_for_request(
                viewer=staff["reception"], request_id=rid, person_id=bad, ip=None
            )


def test_urgent_closed_as_helped_needs_the_visit_and_not_helped_is_recorded(staff, person):
    nurse = staff["nurse"]
    rid = log(staff["reception"], person, urgent=True, urgent_condition="catheter")
    access.take_ownership(viewer=nurse, request_id=rid, ip=None)
    close = dict(viewer=nurse, request_id=rid, what_helped="Catheter changed", ip=None)
    with pytest.raises(access.InvalidRequest, match="first seen"):
        access.close_request(helped=True, person_agrees="yes", **close)
    with pytest.raises(access.InvalidRequest, match="agrees"):
        access.close_request(helped=False, person_agrees="maybe", **close)
    access.close_request(helped=False, person_agrees="not_asked", **close)
    req = HelpRequest.objects.get(id=rid)
    assert (req.status, req.person_agrees_helped) == ("closed_not_helped", "not_asked")


def test_requests_follow_the_person_through_a_merge(staff, person):
    from wraparound.governance.identity_changes import _move_everything

    duplicate = make_person(given_name="Winnie", family_name="Ash", postcode="WV10 1AB")
    rid = log(staff["reception"], duplicate)
    _move_everything(from_person_id=duplicate.id, to_person_id=person.id)
    assert HelpRequest.objects.get(id=rid).person_id == person.id


def test_each_queue_section_shows_its_oldest_25_and_says_how_many(client, staff, person):
    ids = [log(staff["reception"], person) for _ in range(27)]
    queue = access.request_queue(viewer=staff["nurse"], ip=None)
    assert [i.request_id for i in queue.unowned] == ids[:25]
    assert queue.totals["unowned"] == 27
    row = audits("view_person", detail__what="request_queue").get()
    assert row.detail["request_ids"] == ids[:25]
    client.force_login(staff["nurse"])
    assert "The oldest 25 of 27." in client.get(reverse("record:requests")).content.decode()


def test_hostile_words_are_shown_as_words(client, staff, person):
    payload = '<script>alert(1)</script><img src=x onerror="alert(2)">'
    rid = log(staff["reception"], person, what_is_needed=payload, caller_name=payload)
    access.record_contact(
        viewer=staff["nurse"],
        request_id=rid,
        who=payload,
        what=payload,
        demand="value",
        ip=None,
    )
    client.force_login(staff["nurse"])
    for url in (reverse("record:requests"), reverse("record:help_request", args=[rid])):
        html = client.get(url).content.decode()
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
        assert "<script>alert(1)" not in html and "<img src=x" not in html


def test_sensitive_words_are_withheld_from_roles_the_agreement_does_not_give_them(staff, person):
    # agreement.yaml: only the mental health worker lists mental_health under ``sensitive``.
    words = "Feeling low since the winter; asking for a referral to IAPT talking therapies"
    mh = make_staff(role="mental_health_worker", teams=[staff["nurse"].staff.teams.first()])
    rid = log(staff["coordinator"], person, what_is_needed=words)
    nurse_sees = access.open_help_request(viewer=staff["nurse"], request_id=rid, ip=None)
    assert words not in nurse_sees.item.what_is_needed
    assert nurse_sees.item.what_is_needed.startswith("Not shown")
    mh_sees = access.open_help_request(viewer=mh, request_id=rid, ip=None)
    assert mh_sees.item.what_is_needed == words
    # Whoever wrote the words sees them.
    own = access.open_help_request(viewer=staff["coordinator"], request_id=rid, ip=None)
    assert own.item.what_is_needed == words
    queue = access.request_queue(viewer=staff["nurse"], ip=None)
    assert queue.unowned[0].what_is_needed.startswith("Not shown")


def test_a_request_may_name_only_someone_the_viewer_may_know(staff):
    """A record number typed into the form must not attach a request to (and so probe) any
    person: only someone the viewer works with, or whom their own search just listed."""
    stranger = make_person(
        given_name="Harold",
        family_name="Winter",
        postcode="WV4 4AA",
        date_of_birth=dt.date(1958, 12, 20),
    )
    with pytest.raises(access.InvalidRequest):
        log(staff["nurse"], stranger)
    assert HelpRequest.objects.count() == 0
    found = access.search_people(viewer=staff["nurse"], query="Harold Winter 20/12/1958", ip=None)
    assert [r.person_id for r in found.results] == [stranger.id]
    assert HelpRequest.objects.get(id=log(staff["nurse"], stranger)).person_id == stranger.id
