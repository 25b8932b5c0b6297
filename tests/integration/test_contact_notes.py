"""Contact notes (issue 10, item 3): written through the gate, seen under the agreement.

What each role should see is read from ``agreement.yaml`` by hand, not from the code under
test: a clinician and a care co-ordinator have detail from the community trust
(``detail_from``), a housing officer does not; only the mental health worker lists
``mental_health``; safety flags are summary items everyone with a relationship sees.
"""

import datetime as dt
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from factories import assign, make_organisation, make_person, make_staff, make_team, set_sharing
from wraparound.governance import access
from wraparound.governance.models import AuditEntry
from wraparound.notes import actions as note_actions
from wraparound.notes import queries as note_queries
from wraparound.notes.models import ContactNote

pytestmark = pytest.mark.django_db

VISIT = "Dressing changed on the left leg ulcer; healing well"
IAPT = "Talked about feeling low since the winter; referral to IAPT made"
DOG = "Dog on premises, ask for it to be shut away"


@pytest.fixture
def team():
    return make_team("North", ["WV10"])


@pytest.fixture
def person(team):
    return make_person(given_name="Winifred", family_name="Ash", postcode="WV10 1AB")


@pytest.fixture
def staff(team):
    community = make_organisation("Community Health NHS Trust", "community")
    return {
        "nurse": make_staff(
            role="clinician",
            teams=[team],
            organisation=community,
            first_name="Nia",
            last_name="Okafor",
        ),
        "gp": make_staff(
            role="clinician", teams=[team], organisation=make_organisation("Oak Tree Surgery", "gp")
        ),
        "coordinator": make_staff(role="care_coordinator", teams=[team]),
        "housing": make_staff(role="housing_officer", teams=[team]),
        "social_worker": make_staff(role="social_worker", teams=[team]),
        "mh": make_staff(role="mental_health_worker", teams=[team]),
        "volunteer": make_staff(role="voluntary_worker", teams=[team]),
    }


def write(viewer, person, text=VISIT, **kw):
    kw.setdefault("how", "home_visit")
    return access.write_contact_note(viewer=viewer, person_id=person.id, text=text, ip=None, **kw)


def notes_for(viewer, person):
    return access.contact_notes(viewer=viewer, person_id=person.id, ip=None)


def texts(view):
    return [n.text for n in view.notes]


def test_nurse_note_reaches_clinician_and_coordinator_not_housing(staff, person):
    note = write(staff["nurse"], person)
    assert note.written_by == "Nia Okafor"
    assert note.organisation == "Community Health NHS Trust"
    assert note.how == "Home visit"
    for who in ("nurse", "gp", "coordinator", "social_worker"):
        assert texts(notes_for(staff[who], person)) == [VISIT], who
    seen_by_housing = notes_for(staff["housing"], person)
    assert seen_by_housing.notes == []
    assert seen_by_housing.withheld[0] == "1 item is withheld under the sharing agreement."
    # The same rows H-A merges into the timeline, under the same lens rule.
    rows = note_queries.timeline_notes(person.id)
    assert [(r.text, r.partner, r.organisation) for r in rows] == [
        (VISIT, "community", "Community Health NHS Trust")
    ]


def test_flag_note_shows_its_flag_to_everyone_with_a_relationship(staff, person):
    assign(staff["volunteer"], person)  # volunteers count named assignments only
    write(staff["nurse"], person, is_safety_flag=True, flag_text=DOG)
    for who in staff:
        view = notes_for(staff[who], person)
        assert [f.text for f in view.flags] == [DOG], who
        assert view.flags[0].partner == "Community Health NHS Trust"
    # An objection to sharing does not hide a safety flag (vital interests); it hides the note.
    set_sharing(person, objects_to_sharing=True)
    view = notes_for(staff["gp"], person)
    assert [f.text for f in view.flags] == [DOG] and view.notes == []
    [row] = note_queries.flag_notes(person.id)
    assert (row.is_safety_flag, row.flag_text) == (True, DOG)


def test_no_relationship_no_notes_and_no_flags(staff, person):
    write(staff["nurse"], person, is_safety_flag=True, flag_text=DOG)
    outsider = make_staff(role="clinician", teams=[make_team("South", ["WV14"])])
    with pytest.raises(access.BreakGlassRequired):
        notes_for(outsider, person)
    with pytest.raises(access.NoAccess):
        notes_for(make_staff(role="administrator"), person)


def test_sensitive_note_is_withheld_but_its_flag_is_not(staff, person):
    write(staff["nurse"], person, text=IAPT, is_safety_flag=True, flag_text=DOG)
    assert ContactNote.objects.get().sensitive_category == "mental_health"
    for who in ("nurse", "gp", "coordinator", "housing"):
        view = notes_for(staff[who], person)
        assert view.notes == [], who
        assert [f.text for f in view.flags] == [DOG], who
        assert all("IAPT" not in line and "mental" not in line.lower() for line in view.withheld)
    assert texts(notes_for(staff["mh"], person)) == [IAPT]


def test_flag_words_that_are_sensitive_are_withheld_too(staff, person):
    write(staff["nurse"], person, is_safety_flag=True, flag_text="Drinks heavily; alcohol team")
    assert notes_for(staff["gp"], person).flags  # clinicians list substance_misuse
    assert notes_for(staff["housing"], person).flags == []  # housing lists no category


def test_the_write_is_audited_in_its_transaction(staff, person):
    before = AuditEntry.objects.count()
    note = write(staff["nurse"], person, is_safety_flag=True, flag_text=DOG)
    [row] = AuditEntry.objects.order_by("id")[before:]
    assert (row.action, row.person_id, row.username) == (
        "change",
        person.id,
        staff["nurse"].username,
    )
    assert row.detail["what"] == "contact_note" and row.detail["entry_id"] == note.note_id
    assert DOG not in str(row.detail) and VISIT not in row.purpose  # no person data in audit
    # Reading the notes is a view of the person, audited with what was shown and withheld.
    notes_for(staff["housing"], person)
    read = AuditEntry.objects.latest("id")
    assert (read.action, read.person_id) == ("view_person", person.id)
    assert read.detail["withheld_items"] == 1 and read.detail["shown_notes"] == []


def test_who_may_not_write_is_refused_and_audited(staff, person):
    steward = make_staff(role="data_steward")
    with pytest.raises(access.NoAccess):
        write(steward, person)
    outsider = make_staff(role="clinician", teams=[make_team("South", ["WV14"])])
    with pytest.raises(access.BreakGlassRequired):
        write(outsider, person)
    assert ContactNote.objects.count() == 0
    assert AuditEntry.objects.filter(action="access_denied", person_id=person.id).count() == 2


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"text": "   "}, "Enter what happened"),
        ({"text": "x" * 10_001}, "Keep what happened under 10,000 characters"),
        ({"how": "telepathy"}, "Choose how you were in contact"),
        ({"is_safety_flag": True, "flag_text": ""}, "Enter the safety flag's words"),
        ({"occurred_at": timezone.now() + dt.timedelta(days=1)}, "cannot be later than now"),
        ({"occurred_at": timezone.now() - dt.timedelta(days=3653)}, "within 7 days"),
        ({"corrects_note_id": 99_999_999}, "not in this person's record"),
        ({"corrects_note_id": "abc"}, "not in this person's record"),
    ],
)
def test_odd_input_is_refused_in_plain_words_and_writes_nothing(staff, person, fields, message):
    with pytest.raises(access.InvalidRequest, match=re.escape(message)):
        write(staff["nurse"], person, **fields)
    assert ContactNote.objects.count() == 0


def test_a_visit_can_be_written_up_later(staff, person):
    earlier = timezone.now() - dt.timedelta(days=6)
    note = write(staff["nurse"], person, occurred_at=earlier)
    assert note.occurred_at == earlier
    assert note_queries.last_note(person.id).note_id == note.note_id


def test_a_correction_keeps_the_old_note_and_replaces_its_flag(staff, person):
    visit_day = timezone.localtime() - dt.timedelta(days=2)
    old = write(staff["nurse"], person, occurred_at=visit_day, is_safety_flag=True, flag_text=DOG)
    correction = write(
        staff["coordinator"],
        person,
        how="phone_call",
        text="Dog rehomed",
        corrects_note_id=old.note_id,
    )
    expected = f"Correction to the note of {visit_day.day} {visit_day:%B %Y}"
    assert correction.correction_line == expected
    view = notes_for(staff["gp"], person)
    assert [(n.text, n.corrected) for n in view.notes] == [("Dog rehomed", False), (VISIT, True)]
    assert view.flags == []  # the correction had no flag: the dog flag has ended
    assert note_queries.flag_notes(person.id) == []
    with pytest.raises(access.InvalidRequest, match="corrected already"):
        write(staff["nurse"], person, text="again", corrects_note_id=old.note_id)


def test_a_note_the_viewer_cannot_see_cannot_be_corrected(staff, person):
    hidden = write(staff["nurse"], person, text=IAPT)
    with pytest.raises(access.InvalidRequest, match="not in this person's record"):
        write(staff["housing"], person, text="x", corrects_note_id=hidden.note_id)
    other = make_person(given_name="Other", postcode="WV10 1AA")
    theirs = write(staff["nurse"], other)
    with pytest.raises(access.InvalidRequest, match="not in this person's record"):
        write(staff["nurse"], person, text="x", corrects_note_id=theirs.note_id)


def test_notes_follow_the_person_when_two_records_are_one(staff, person):
    other = make_person(given_name="Winnie", family_name="Ash", postcode="WV10 1AB")
    write(staff["nurse"], other)
    note_actions.move_person(from_person_id=other.id, to_person_id=person.id)
    assert texts(notes_for(staff["gp"], person)) == [VISIT]


# --- the pages ---------------------------------------------------------------------------------


def _form(**overrides):
    now = timezone.localtime()
    data = {
        "how": "home_visit",
        "day": str(now.day),
        "month": str(now.month),
        "year": str(now.year),
        "time": f"{now:%H:%M}",
        "text": VISIT,
    }
    data.update(overrides)
    return data


def test_write_a_note_on_the_page_and_read_it(client, staff, person):
    client.force_login(staff["nurse"])
    url = reverse("record:write_note", args=[person.id])
    response = client.get(url)
    html = response.content.decode()
    now = timezone.localtime()
    assert response.status_code == 200
    assert "Write a contact note" in html and "Winifred Ash" in html
    assert f'value="{now.year}"' in html  # opens with today's date
    response = client.post(url, _form(is_safety_flag="on", flag_text=DOG))
    assert response.status_code == 302
    assert response["Location"] == reverse("record:notes", args=[person.id])
    html = client.get(response["Location"]).content.decode()
    assert VISIT in html and DOG in html and "Your contact note has been saved." in html
    client.force_login(staff["housing"])
    html = client.get(reverse("record:notes", args=[person.id])).content.decode()
    assert VISIT not in html and DOG in html
    assert "1 item is withheld under the sharing agreement." in html


def test_the_form_needs_the_csrf_token(staff, person):
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff["nurse"])
    response = client.post(reverse("record:write_note", args=[person.id]), _form())
    assert response.status_code == 403
    assert ContactNote.objects.count() == 0


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"text": "w" * 20_000}, "Keep the note under 10,000 characters"),
        ({"text": "a\x00b"}, "Null characters are not allowed"),
        ({"how": "séance"}, "Select a valid choice"),
        ({"day": "31", "month": "2"}, "must be a real date"),
        ({"day": "", "month": "", "year": ""}, "Enter the date of the visit or call"),
        ({"year": "99999"}, "Ensure this value has at most 4 characters"),
        ({"year": "0001"}, "Enter the year with four numbers"),
        ({"time": "25:99"}, "Enter the time of the visit or call"),
        ({"time": "<script>"}, "Enter the time of the visit or call"),
        ({"is_safety_flag": "on", "flag_text": ""}, "Enter what visiting staff need to know"),
        ({"flag_text": "f" * 400, "is_safety_flag": "on"}, "Keep the flag under 300 characters"),
        ({"year": str(timezone.localdate().year + 1)}, "cannot be later than now"),
        ({"year": str(timezone.localdate().year - 10)}, "within 7 days"),
    ],
)
def test_odd_input_on_the_page_is_a_400_with_words_not_a_500(
    client, staff, person, overrides, message
):
    client.force_login(staff["nurse"])
    response = client.post(reverse("record:write_note", args=[person.id]), _form(**overrides))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert ContactNote.objects.count() == 0


@pytest.mark.parametrize("corrects", ["abc", "99999999999999999999", "-1", "42"])
def test_a_tampered_correction_is_refused_not_a_500(client, staff, person, corrects):
    client.force_login(staff["nurse"])
    url = reverse("record:write_note", args=[person.id])
    assert client.get(url, {"corrects": corrects}).status_code == 404
    assert client.post(url, _form(corrects=corrects)).status_code in (400, 404)
    assert ContactNote.objects.count() == 0


def test_pages_refuse_the_same_way_for_strangers_and_unknown_ids(client, staff, person):
    outsider = make_staff(role="clinician", teams=[make_team("South", ["WV14"])])
    client.force_login(outsider)
    for pid in (person.id, 987654321):
        assert client.get(reverse("record:notes", args=[pid])).status_code == 404
        assert client.get(reverse("record:write_note", args=[pid])).status_code == 404
        assert client.post(reverse("record:write_note", args=[pid]), _form()).status_code == 404


def test_demo_notes_are_synthetic_flagged_and_written_once(staff, team, settings):
    from wraparound.governance.actions import demo_setup

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed only

    people = [make_person(given_name=f"P{i}", postcode=f"WV10 {i % 9}AB").id for i in range(30)]
    people += [make_person(given_name=f"S{i}", postcode="WV14 1AB").id for i in range(10)]
    demo_setup()
    written = ContactNote.objects.count()
    assert written >= 30
    north_with_notes = set(ContactNote.objects.values_list("person_id", flat=True))
    assert north_with_notes and north_with_notes <= set(people[:30])
    assert ContactNote.objects.filter(is_safety_flag=True, flag_text__startswith="Dog").exists()
    demo_setup()
    assert ContactNote.objects.count() == written


def test_lists_of_people_get_flags_and_last_notes_in_one_go(staff, person):
    a, b, c = person, make_person(postcode="WV10 2AB"), make_person(postcode="WV10 3AB")
    two_days = timezone.now() - dt.timedelta(days=2)
    flag = write(staff["nurse"], a, occurred_at=two_days, is_safety_flag=True, flag_text=DOG)
    newest = write(staff["coordinator"], a, how="phone_call", text="Rang: all well")
    old = write(staff["nurse"], b, occurred_at=two_days, is_safety_flag=True, flag_text="Key safe")
    fix = write(staff["nurse"], b, text="No key safe after all", corrects_note_id=old.note_id)
    ids = [a.id, b.id, c.id]
    flags = note_queries.flag_notes_for(ids)
    assert {pid: [r.note_id for r in rows] for pid, rows in flags.items()} == {a.id: [flag.note_id]}
    last = note_queries.last_notes_for(ids)
    assert {pid: r.note_id for pid, r in last.items()} == {
        a.id: newest.note_id,
        b.id: fix.note_id,
    }
    by_community = note_queries.last_notes_for(ids, partner="community")
    assert {pid: r.note_id for pid, r in by_community.items()} == {
        a.id: flag.note_id,
        b.id: fix.note_id,
    }
    assert note_queries.last_notes_for(ids, partner="housing") == {}


def test_hostile_words_are_shown_as_words(client, staff, person):
    hostile = "<script>alert(1)</script><img src=x onerror=alert(2)>"
    write(staff["nurse"], person, text=hostile, is_safety_flag=True, flag_text=hostile[:60])
    client.force_login(staff["gp"])
    html = client.get(reverse("record:notes", args=[person.id])).content.decode()
    assert "<script>alert(1)" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_on_the_person_page_the_note_follows_the_same_rule(staff, person):
    """Through ``open_record`` (the timeline, the flags and the doorstep): whatever shape the
    record takes, the note's words reach exactly the roles above, the flag's words everyone."""
    write(staff["nurse"], person, is_safety_flag=True, flag_text=DOG)

    def handed_out(who):
        return repr(
            access.open_record(viewer=staff[who], person_id=person.id, purpose="c", ip=None)
        )

    for who in ("nurse", "gp", "coordinator"):
        view = access.open_record(viewer=staff[who], person_id=person.id, purpose="c", ip=None)
        assert any(VISIT in entry.summary for entry in view.timeline.entries), who
        assert DOG in repr(view), who
    for who in ("housing", "volunteer"):
        if who == "volunteer":
            assign(staff["volunteer"], person)
        assert VISIT not in handed_out(who) and DOG in handed_out(who), who
