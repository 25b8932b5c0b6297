"""One way through for identity changes (issue 8, finding 7).

Whatever joins or splits people (``wraparound link``, a steward's merge or split on the web, a
review decision on the web or the command line), a person's objection to sharing still
withholds afterwards, as a viewer sees it through ``governance.access``; the team's work
follows the person; and an audit row names the data steward.
"""

import datetime as dt

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone
from test_identity_linking import add_record
from test_linkage_population import population

from factories import (
    add_to_caseload,
    assign,
    link,
    make_person,
    make_source_record,
    make_staff,
    make_team,
    set_sharing,
)
from wraparound.governance import access
from wraparound.governance.models import (
    Assignment,
    AuditEntry,
    CaseloadEntry,
    PersonSearchIndex,
    SharingPreference,
)
from wraparound.identity.models import Link, Person, PersonChange, ReviewPair, StewardDecision
from wraparound.plans.models import WhatMattersToMe

pytestmark = pytest.mark.django_db

NUMBER = "9434765919"  # valid Modulus 11


@pytest.fixture
def world():
    team = make_team("North", ["WV10"])
    nurse = make_staff(role="clinician", teams=[team], username="nia.okafor")
    steward = make_staff(role="data_steward", username="priya.shah")
    # One woman recorded twice: ``kept`` has two records, ``gone`` one, so ``gone`` is retired.
    kept = make_person(given_name="Edith", family_name="Crane", nhs=NUMBER)
    gone = make_person(given_name="Edith", family_name="Crane", nhs=NUMBER)
    records = [
        make_source_record(source="gp", person=kept),
        make_source_record(source="acute", person=kept),
        make_source_record(source="community", person=gone),
    ]
    # What the team recorded about, and for, the person on the id that will be retired.
    set_sharing(gone, objects_to_sharing=True)
    assign(nurse, gone)
    WhatMattersToMe.objects.create(
        person_id=gone.id, text="Staying at home", recorded_by="Nia", recorded_at=timezone.now()
    )
    return {
        "team": team,
        "nurse": nurse,
        "steward": steward,
        "kept": kept,
        "gone": gone,
        "records": records,
    }


def objection_withholds(viewer, person_id: int) -> bool:
    view = access.open_record(viewer=viewer, person_id=person_id, purpose="care", ip=None)
    return any("objected to sharing" in line for line in view.withheld)


def assert_followed(w, survivor: int) -> None:
    """The objection, assignment and the team's writing are on the surviving person."""
    assert objection_withholds(w["nurse"], survivor)
    assert SharingPreference.objects.get(person_id=survivor).objects_to_sharing
    assert Assignment.objects.filter(person_id=survivor, staff=w["nurse"].staff).exists()
    assert WhatMattersToMe.objects.filter(person_id=survivor).exists()
    assert not WhatMattersToMe.objects.filter(person_id=w["gone"].id).exists()
    assert not PersonChange.objects.filter(applied_at=None).exists()


def audited_by(user) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action="linkage_decision", username=user.username))


def test_web_merge_moves_the_objection_and_audits_the_steward(world):
    w = world
    kept = access.merge_people(
        viewer=w["steward"],
        person_id=w["kept"].id,
        other_person_id=w["gone"].id,
        reason="same NHS Number",
        ip=None,
    )
    assert kept == w["kept"].id
    assert_followed(w, kept)
    rows = audited_by(w["steward"])
    assert any(r.detail.get("change") == "merged" and r.person_id == kept for r in rows)


def test_web_review_decision_moves_the_objection_and_audits_the_steward(world):
    w = world
    pair = ReviewPair.objects.create(
        record_a=w["records"][0], record_b=w["records"][2], match_probability=0.6
    )
    access.decide_review_pair(
        viewer=w["steward"], pair_id=pair.id, decision="same", reason="letter", ip=None
    )
    assert_followed(w, w["kept"].id)
    assert any(r.detail.get("change") == "merged" for r in audited_by(w["steward"]))


def test_command_line_review_decision_moves_the_objection_and_audits_the_steward(world):
    w = world
    pair = ReviewPair.objects.create(
        record_a=w["records"][0], record_b=w["records"][2], match_probability=0.6
    )
    call_command("review", "decide", str(pair.id), "--same", "--by", "priya.shah")
    assert_followed(w, w["kept"].id)
    rows = audited_by(w["steward"])
    assert any(r.detail.get("change") == "merged" for r in rows)
    assert any(r.detail.get("pair_id") == pair.id for r in rows)
    assert PersonSearchIndex.objects.filter(person_id=w["kept"].id, token="n:edith").exists()
    assert not PersonSearchIndex.objects.filter(person_id=w["gone"].id).exists()


@pytest.mark.parametrize(
    ("username", "why"),
    [
        ("nobody", "no member of staff"),
        ("nia.okafor", "not a data steward"),
        ("", "Name the data steward"),
        ("inactive", "not an active member of staff"),
    ],
)
def test_command_line_refuses_a_decision_without_a_real_steward(world, username, why):
    w = world
    sleeper = make_staff(role="data_steward", username="inactive")
    sleeper.is_active = False
    sleeper.save()
    pair = ReviewPair.objects.create(
        record_a=w["records"][0], record_b=w["records"][2], match_probability=0.6
    )
    audit_before = AuditEntry.objects.count()
    with pytest.raises(CommandError, match=why):
        call_command("review", "decide", str(pair.id), "--same", "--by", username)
    pair.refresh_from_db()
    assert pair.status == ReviewPair.Status.OPEN and pair.decided_by == ""
    assert not StewardDecision.objects.exists()
    assert Link.objects.get(source_record=w["records"][2]).person_id == w["gone"].id
    assert AuditEntry.objects.count() == audit_before


def test_link_refuses_to_run_without_a_real_steward(world):
    people_before = Person.objects.count()
    with pytest.raises(CommandError, match="not a data steward"):
        call_command("link", "--by", "nia.okafor")
    assert Person.objects.count() == people_before
    assert not AuditEntry.objects.filter(action="linkage_decision").exists()


@pytest.fixture
def neighbourhood(world):
    """World plus a few hundred other people, so the linkage model has data to train on."""
    frame, _truth = population(150, seed=5)
    for row in frame.to_dict("records"):
        add_record(
            row["source"],
            row["source_record_id"],
            **{k: row[k] for k in ("nhs_number", "given_name", "family_name", "date_of_birth",
                                   "sex", "postcode", "address")},
        )  # fmt: skip
    return world


def test_relink_that_merges_moves_the_objection_and_audits_the_steward(neighbourhood):
    w = neighbourhood
    add_to_caseload(w["team"], w["gone"])
    call_command("link", "--by", "priya.shah")
    survivor = Link.objects.get(source_record=w["records"][2]).person_id
    assert survivor == w["kept"].id
    assert Person.objects.get(pk=w["gone"].id).retired
    assert_followed(w, survivor)
    assert CaseloadEntry.objects.filter(team=w["team"], person_id=survivor).exists()
    rows = audited_by(w["steward"])
    assert any(r.detail.get("run") == "wraparound link" for r in rows)
    assert any(r.detail.get("change") == "merged" and r.person_id == survivor for r in rows)
    # Search is current without `reindex-search`: the new people are found at once.
    nobody_indexed = (
        Person.objects.filter(retired=False)
        .exclude(id__in=PersonSearchIndex.objects.values("person_id"))
        .count()
    )
    assert nobody_indexed == 0


def test_relink_that_splits_keeps_the_objection_on_every_resulting_person(neighbourhood):
    w = neighbourhood
    # Two clearly different people wrongly held as one: the split must protect both.
    mixed = make_person(given_name="Walter", family_name="Bright", nhs="9434765870")
    a = make_source_record(source="gp", person=mixed, nhs="9434765870",
                           given_name="Walter", family_name="Bright",
                           date_of_birth=dt.date(1931, 1, 2), postcode="WV10 6QH")  # fmt: skip
    b = make_source_record(source="housing", person=mixed, nhs="4010232137",
                           given_name="Zara", family_name="Okonkwo",
                           date_of_birth=dt.date(1999, 9, 9), postcode="WV10 6QH")  # fmt: skip
    link(a, mixed)
    set_sharing(mixed, objects_to_sharing=True)
    call_command("link", "--by", "priya.shah")
    pa = Link.objects.get(source_record=a).person_id
    pb = Link.objects.get(source_record=b).person_id
    assert pa != pb and mixed.id in (pa, pb)
    assert objection_withholds(w["nurse"], pa)
    assert objection_withholds(w["nurse"], pb)
    assert any(r.detail.get("change") == "split" for r in audited_by(w["steward"]))


def test_web_split_keeps_the_objection_on_both_people(world):
    w = world
    set_sharing(w["kept"], objects_to_sharing=True)
    new_id = access.split_link(
        viewer=w["steward"],
        person_id=w["kept"].id,
        source="acute",
        source_record_id=w["records"][1].source_record_id,
        reason="different date of birth",
        ip=None,
    )
    assert new_id != w["kept"].id
    assert objection_withholds(w["nurse"], w["kept"].id)
    assert objection_withholds(w["nurse"], new_id)
    assert any(r.detail.get("change") == "split" for r in audited_by(w["steward"]))


def test_a_change_left_by_a_killed_run_is_applied_by_the_next_one(world):
    w = world
    # A run killed after moving the link but before governance applied the change.
    Link.objects.filter(source_record=w["records"][2]).update(person=w["kept"])
    PersonChange.objects.create(
        kind="merged", from_person_id=w["gone"].id, to_person_id=w["kept"].id, by="link"
    )
    pair = ReviewPair.objects.create(
        record_a=w["records"][0], record_b=w["records"][1], match_probability=0.9
    )
    call_command("review", "decide", str(pair.id), "--not-sure", "--by", "priya.shah")
    assert_followed(w, w["kept"].id)


def test_a_merge_worked_out_but_not_yet_written_protects_now_and_moves_later(world):
    """A steward decides while ``link`` is still writing: nothing moves before the links do."""
    w = world
    PersonChange.objects.create(
        kind="merged", from_person_id=w["gone"].id, to_person_id=w["kept"].id, by="link"
    )
    pair = ReviewPair.objects.create(
        record_a=w["records"][0], record_b=w["records"][1], match_probability=0.9
    )
    call_command("review", "decide", str(pair.id), "--not-sure", "--by", "priya.shah")
    assert objection_withholds(w["nurse"], w["kept"].id)  # protected at once
    assert Assignment.objects.filter(person_id=w["gone"].id).exists()  # nothing moved yet
    assert PersonChange.objects.filter(applied_at=None).count() == 1

    Link.objects.filter(source_record=w["records"][2]).update(person=w["kept"])  # link wrote it
    call_command("review", "decide", str(pair.id), "--not-sure", "--by", "priya.shah")
    assert_followed(w, w["kept"].id)
