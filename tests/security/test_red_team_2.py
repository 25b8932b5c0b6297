"""Second red-team pass on issue 9: attacks the issue did not list that got through.

Each test reproduces what was done against a served copy (``make demo``, loopback only):

- **Guessing a stranger's date of birth.** The search pause counted only people *listed*; a
  search that lists no one cost nothing. Knowing a neighbour's name, 365 searches
  ("Harold Winter 1/1/1958" … "31/12/1958") in 9 seconds found the one date that listed him,
  confirming that he is known to the neighbourhood's services and his date of birth. The same
  hole let NHS Numbers be guessed at full speed (about 40 searches a second). Now an NHS
  Number, or full name with date of birth, that identifies no one counts as a guess at a
  stranger (30 an hour), and more than 120 searches in 10 minutes pause too.
- **Invisible letters as a break-glass reason.** Hangul filler characters (U+3164 and
  friends) are letters to Unicode but draw nothing: "ㅤㅤㅤㅤㅤㅤㅤㅤ ㅤㅤㅤㅤㅤㅤㅤ ㅤㅤㅤㅤㅤㅤ" was
  accepted as a reason and a grant was opened with a blank reason on the steward's list.
- **Sensitive words in other spellings.** Accents ("dépression", "méthadone"), full-width
  letters ("ＨＩＶ positive", "ＭＡＲＡＣ referral") and a zero-width space inside a word
  ("sertr<ZWSP>aline") were all stored unclassified, so shown to every role with detail.
- **The audit page told the steward who is known to the mental health trust.** A mental
  health worker's look at a record was shown to the steward as "shown: …, Mental health
  trust", while the steward's own view of the same person names no such partner (the
  agreement keeps mental health from stewards).
- **Feeds named for a sensitive service in short words were guessed as ordinary partners.**
  ``community_sti``, ``community_drugs``, ``housing_dv``, ``acute_sexual``, ``community_gender``
  ingested without ``--partner`` became community, housing or acute feeds, shown (with their
  names) to every role that sees those partners, instead of staying unclassified.
- **An administrator made a data steward account, logged in with its one-time password and
  read a person's record and subject access report** within a minute. That power stays with
  the administrator (see the report), but the steward's audit page showed the change only as
  "Changed a staff account" with nothing under "Why and detail": nobody reading the audit
  could see that a steward's powers had been given, or to whom.
- **Break-glass told real record numbers from made-up ones.** Once a nurse had used the day's
  five grants, asking for a real record answered "you have used emergency access 5 times"
  (400) and a made-up number "no record to show" (404): a free, unlimited test of which
  numbers exist, against the promise of one answer for both.
- **Opening records by number got round the search pause.** Search pauses after 200
  different people in 10 minutes, but a mental health worker walking ``/people/100/`` …
  ``/people/699/`` opened 337 full records (mental health detail included) in 45 seconds and
  was never paused: the whole neighbourhood in under half an hour. Records opened now count
  with people listed in search.
- **A NUL character in the timeline's "kind" filter** (``?kind=%00``) reached the database; on
  PostgreSQL that is a server error (SQLite happens to accept it).
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from browser.world import build_world
from factories import (
    add_to_caseload,
    make_event,
    make_person,
    make_source,
    make_source_record,
    make_staff,
    make_team,
    valid_nhs_number,
)
from security.test_web_attacks import ROUTES
from wraparound.accounts import actions as accounts
from wraparound.governance import access
from wraparound.governance.access.search import index_people
from wraparound.governance.models import AuditEntry, BreakGlass, Organisation
from wraparound.sources.actions import guess_partner
from wraparound.sources.sensitivity import category_for, service_category

pytestmark = pytest.mark.django_db

# The stranger's birthday is late in the year, so a guesser going day by day needs hundreds
# of searches that list no one before the one that would list her.
BIRTHDAY = dt.date(1958, 12, 20)


@pytest.fixture
def stranger_and_nurse():
    north = make_team("North", ["WV10"])
    make_team("South", ["WV1"])
    nurse = make_staff(role="clinician", teams=[north], username="nurse.guess")
    stranger = make_person(
        given_name="Harriet",
        family_name="Winterbourne",
        date_of_birth=BIRTHDAY,
        postcode="WV1 1AA",
        address="7 Quiet Lane",
    )
    make_source_record(source=make_source("gp"), person=stranger)
    return nurse, stranger


def _every_day_of(year: int):
    day = dt.date(year, 1, 1)
    while day.year == year:
        yield day
        day += dt.timedelta(days=1)


@pytest.mark.parametrize("birthday", [BIRTHDAY, dt.date(1958, 3, 1)])
def test_guessing_a_strangers_date_of_birth_day_by_day_pauses_before_it_is_found(
    stranger_and_nurse, birthday
):
    nurse, stranger = stranger_and_nurse
    stranger.date_of_birth = birthday
    stranger.save()
    index_people([stranger.id])
    listed_on = None
    for day in _every_day_of(BIRTHDAY.year):
        query = f"Harriet Winterbourne {day.day}/{day.month}/{day.year}"
        found = access.search_people(viewer=nurse, query=query, ip="10.0.0.7")
        if any(r.person_id == stranger.id for r in found.results):
            listed_on = day
            break
    # Dozens of full-name-and-birth-date searches that identified no one are guesses:
    # searching paused before the guess that would have confirmed her date of birth.
    assert listed_on is None
    pauses = AuditEntry.objects.filter(user_id=nurse.id, action=AuditEntry.Action.SEARCH_THROTTLED)
    assert pauses.filter(detail__started=True).count() == 1
    # The data steward sees it, in plain words.
    steward = make_staff(role="data_steward", username="priya.s")
    (pause,) = access.unusual_searching(viewer=steward, ip=None).pauses
    assert pause.username == "nurse.guess" and "guesses" in pause.what


def test_guessing_nhs_numbers_pauses_before_many_are_tried(stranger_and_nurse):
    nurse, stranger = stranger_and_nurse
    guesses = [valid_nhs_number(seed) for seed in range(500_000, 500_400)]
    guesses = [g for g in guesses if g != stranger.nhs_number][:350] + [stranger.nhs_number]
    listed = set()
    for guess in guesses:
        found = access.search_people(viewer=nurse, query=guess, ip=None)
        listed |= {r.person_id for r in found.results}
    assert stranger.id not in listed
    assert AuditEntry.objects.filter(
        user_id=nurse.id, action=AuditEntry.Action.SEARCH_THROTTLED, detail__started=True
    ).exists()


def test_a_person_typing_searches_by_hand_is_never_paused(stranger_and_nurse):
    """Sixty searches in ten minutes (one every ten seconds) is a busy clinic, not a guesser."""
    nurse, stranger = stranger_and_nurse
    for n in range(59):
        access.search_people(viewer=nurse, query=f"someone {n}", ip=None)
    found = access.search_people(
        viewer=nurse, query=f"Harriet Winterbourne {BIRTHDAY:%d/%m/%Y}", ip=None
    )
    assert found.paused is None
    assert [r.person_id for r in found.results] == [stranger.id]


@pytest.mark.parametrize(
    "filler",
    [
        "\u3164",  # HANGUL FILLER
        "\u115f",  # HANGUL CHOSEONG FILLER
        "\u1160",  # HANGUL JUNGSEONG FILLER
        "\uffa0",  # HALFWIDTH HANGUL FILLER
    ],
)
def test_a_reason_of_invisible_letters_is_refused(stranger_and_nurse, filler):
    nurse, stranger = stranger_and_nurse
    reason = " ".join([filler * 8, filler * 7, filler * 6])
    with pytest.raises(access.InvalidRequest, match="Say in words"):
        access.request_break_glass(viewer=nurse, person_id=stranger.id, reason=reason, ip=None)
    assert not BreakGlass.objects.exists()


def test_invisible_letters_do_not_count_towards_a_real_reason(stranger_and_nurse):
    nurse, stranger = stranger_and_nurse
    padded = "fell " + "\u3164" * 30 + " \u3164\u3164 \u3164\u3164\u3164"
    with pytest.raises(access.InvalidRequest, match="Say in words"):
        access.request_break_glass(viewer=nurse, person_id=stranger.id, reason=padded, ip=None)


@pytest.mark.parametrize("field", ["kind", "partner"])
def test_a_nul_character_in_a_timeline_filter_is_no_server_error(client, field):
    north = make_team("North", ["WV10"])
    nurse = make_staff(role="clinician", teams=[north])
    person = make_person(postcode="WV10 6QH")
    add_to_caseload(north, person)
    gp = make_source("gp")
    make_event(make_source_record(source=gp, person=person), kind="appointment")
    client.force_login(nurse)
    response = client.get(reverse("record:person", args=[person.id]), {field: "appoint\x00ment"})
    assert response.status_code == 200


# Every parameter any page reads from its address, each given a NUL character.
NUL_PARAMS = (
    "q",
    "page",
    "partner",
    "kind",
    "username",
    "person",
    "action",
    "since",
    "until",
    "nhs_number",
    "name",
    "date_of_birth",
    "person_id",
    "download",
    "whole",
    "next",
    "signed_out",
)


def test_a_nul_character_in_any_parameter_of_any_page_is_no_server_error():
    """Every page every demo role can ask for, with a NUL in every parameter at once."""
    world = build_world()
    ids = {"person_id": world.margaret, "user_id": 1, "staff_id": 1, "grant_id": 1, "pair_id": 1}
    query = {name: "a\x00b" for name in NUL_PARAMS}
    failures = []
    for username, user in world.users.items():
        client = Client(raise_request_exception=False)
        client.force_login(user)
        for route in ROUTES:
            url = route.url(ids, default_id=world.margaret)
            status = client.get(url, query).status_code
            if status >= 500:
                failures.append((username, url, status))
    assert failures == []


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("Dépression sévère", "mental_health"),
        ("de\u0301pression", "mental_health"),  # the accent as a separate mark
        ("Started sertr\u200baline 50mg", "mental_health"),
        ("Flu\u00adoxetine 20mg", "mental_health"),  # soft hyphen
        ("ＨＩＶ positive", "hiv"),
        ("ＭＡＲＡＣ referral made", "safeguarding"),
        ("Collected méthadone script", "substance_misuse"),
        ("Seen at the ＧＵＭ clinic", "sexual_health"),
    ],
)
def test_sensitive_words_in_other_spellings_are_classified(text, category):
    assert category_for(words=text) == category


@pytest.mark.parametrize(
    ("name", "category"),
    [("ＧＵＭ clinic, Whitmore Reans", "sexual_health"), ("ＣＡＭＨＳ North", "mental_health")],
)
def test_service_names_in_other_spellings_are_classified(name, category):
    assert service_category(name) == category


def test_the_stewards_audit_page_does_not_name_a_protected_partner_shown_to_someone_else():
    north = make_team("North", ["WV10"])
    worker = make_staff(role="mental_health_worker", teams=[north], username="aisha")
    steward = make_staff(role="data_steward", username="priya")
    person = make_person(postcode="WV10 6QH")
    add_to_caseload(north, person)
    make_event(make_source_record(source=make_source("gp"), person=person))
    trust = make_source("mental_health_trust", partner="mental_health")
    make_event(make_source_record(source=trust, person=person), kind="Appointment")
    access.open_record(viewer=worker, person_id=person.id, purpose="direct_care", ip=None)
    rows = access.search_audit(viewer=steward, ip=None, person_id=person.id)
    words = " ".join(r.shown for r in rows).lower()
    assert "gp practice" in words  # the row is there, with what may be named
    assert "mental health" not in words


@pytest.mark.parametrize(
    "name",
    [
        "community_sti",
        "community_drugs",
        "gp_drug_and_alcohol",
        "housing_dv",
        "acute_sexual",
        "community_gender",
        "hospital_hep_c_drugs",
        "community-substance",
    ],
)
def test_a_feed_named_for_a_sensitive_service_is_not_guessed_as_an_ordinary_partner(name):
    assert guess_partner(name) == "other"


def test_the_steward_can_read_in_the_audit_which_account_was_given_which_role():
    admin = make_staff(role="administrator", username="admin.alex")
    steward = make_staff(role="data_steward", username="priya")
    accounts.create_account(
        by=admin,
        ip=None,
        username="eve.new",
        first_name="Eve",
        last_name="Newman",
        role="care_coordinator",
        organisation=Organisation.objects.get(pk=admin.staff.organisation_id),
    )
    (row,) = access.search_audit(viewer=steward, ip=None, action="account_change")
    assert "eve.new" in row.shown and "Care co-ordinator" in row.shown


@pytest.mark.parametrize("role", ["data_steward", "administrator"])
def test_the_administrator_cannot_make_an_account_that_reaches_everyone(role):
    """Red team: the administrator made a data steward account, signed in with its one-time
    password and read a record and a subject access report within a minute."""
    admin = make_staff(role="administrator", username="admin.alex")
    with pytest.raises(accounts.AccountError, match="on the server"):
        accounts.create_account(
            by=admin,
            ip=None,
            username="eve.new",
            first_name="Eve",
            last_name="Newman",
            role=role,
            organisation=Organisation.objects.get(pk=admin.staff.organisation_id),
        )
    assert not User.objects.filter(username="eve.new").exists()
    refused = AuditEntry.objects.filter(action="refused", user_id=admin.pk).get()
    assert "create an account" in refused.detail["tried"]


def test_the_administrator_cannot_promote_restore_or_reset_a_privileged_account():
    admin = make_staff(role="administrator", username="admin.alex")
    nurse = make_staff(role="clinician", username="jo.nurse")
    steward = make_staff(role="data_steward", username="priya")
    organisation = Organisation.objects.get(pk=nurse.staff.organisation_id)
    with pytest.raises(accounts.AccountError, match="on the server"):
        accounts.change_account(
            by=admin,
            ip=None,
            staff_id=nurse.staff.pk,
            first_name="Jo",
            last_name="Nurse",
            role="data_steward",
            organisation=organisation,
            teams=[],
        )
    with pytest.raises(accounts.AccountError, match="on the server"):
        accounts.reset_password(by=admin, ip=None, staff_id=steward.staff.pk)
    steward.is_active = False
    steward.save()
    with pytest.raises(accounts.AccountError, match="on the server"):
        accounts.reactivate_account(by=admin, ip=None, staff_id=steward.staff.pk)
    nurse.staff.refresh_from_db()
    assert nurse.staff.role == "clinician"
    assert AuditEntry.objects.filter(action="refused", user_id=admin.pk).count() == 3
    assert not AuditEntry.objects.filter(action="account_change").exists()


def test_after_the_days_grants_are_used_a_real_and_a_made_up_number_answer_the_same(
    stranger_and_nurse, client
):
    nurse, stranger = stranger_and_nurse
    for n in range(5):
        other = make_person(given_name=f"Other{chr(65 + n)}", postcode="WV1 1AB")
        access.request_break_glass(
            viewer=nurse,
            person_id=other.id,
            reason="Collapsed in the street and we need the medication list now",
            ip=None,
        )
    client.force_login(nurse)
    answers = []
    for person_id in (stranger.id, 987_654_321):
        response = client.post(
            reverse("record:break_glass", args=[person_id]),
            {"reason": "Collapsed in the street and we need the medication list now"},
        )
        answers.append((response.status_code, "5 times" in response.content.decode()))
    assert answers[0] == answers[1]
    assert BreakGlass.objects.filter(person_id=stranger.id).count() == 0


def test_opening_records_one_number_after_another_pauses_like_search(client):
    north = make_team("North", ["WV10"])
    worker = make_staff(role="mental_health_worker", teams=[north], username="aisha.walk")
    people = [
        make_person(given_name=f"Walk{n}", postcode="WV10 6QH", index=False) for n in range(260)
    ]
    for person in people:
        add_to_caseload(north, person)
    client.force_login(worker)
    opened = 0
    for person in people:
        response = client.get(reverse("record:person", args=[person.id]))
        if response.status_code != 200:
            break
        opened += 1
    # Far fewer than 260: a pause, with its reason, and the steward is told.
    assert opened < 260
    assert "paused" in response.content.decode()
    assert AuditEntry.objects.filter(
        user_id=worker.id, action=AuditEntry.Action.SEARCH_THROTTLED, detail__started=True
    ).exists()
    # While paused, a record the worker could open before is not opened either.
    again = client.get(reverse("record:person", args=[people[0].id]))
    assert again.status_code != 200 and "paused" in again.content.decode()


def test_a_clinic_session_of_records_is_never_paused(client):
    """Forty people's records in ten minutes, each opened a few times: care work, not a crawl."""
    north = make_team("North", ["WV10"])
    nurse = make_staff(role="clinician", teams=[north])
    people = [make_person(postcode="WV10 6QH", index=False) for _ in range(40)]
    for person in people:
        add_to_caseload(north, person)
    client.force_login(nurse)
    for person in people * 3:
        assert client.get(reverse("record:person", args=[person.id])).status_code == 200
