"""``wraparound link``, ``export-links``, ``review`` and ``evaluate-linkage`` on a real database."""

import csv
import json
from datetime import date

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from test_linkage_population import population

from factories import make_staff
from wraparound.core.nhs_number import is_valid
from wraparound.identity.actions import link_everyone, merge_records, split_record
from wraparound.identity.models import Link, Person, ReviewPair, StewardDecision
from wraparound.sources.models import Source, SourceRecord

PARTNERS = {"gp": "gp", "acute": "acute", "community": "community",
            "adult_social_care": "adult_social_care", "mental_health": "mental_health",
            "housing": "housing", "council_tax": "council_tax"}  # fmt: skip


def add_record(source: str, record_id: str, **fields) -> SourceRecord:
    src, _ = Source.objects.get_or_create(name=source, defaults={"partner": PARTNERS[source]})
    nhs = fields.pop("nhs_number", "") or ""
    return SourceRecord.objects.create(
        source=src,
        source_record_id=record_id,
        format="csv",
        nhs_number=nhs,
        nhs_number_valid=is_valid(nhs),
        payload="{}",
        content_hash=record_id,
        **{k: ("" if v is None and k != "date_of_birth" else v) for k, v in fields.items()},
    )


@pytest.fixture
def people(db):
    frame, truth = population(220, seed=21)
    by_uid = {}
    for row in frame.to_dict("records"):
        rec = add_record(
            row["source"],
            row["source_record_id"],
            nhs_number=row["nhs_number"],
            given_name=row["given_name"],
            family_name=row["family_name"],
            date_of_birth=row["date_of_birth"],
            sex=row["sex"],
            postcode=row["postcode"],
            address=row["address"],
        )
        by_uid[row["unique_id"]] = rec
    # Father and son of one name at one address, and a tenancy that could be either.
    dad = add_record("gp", "DAD", nhs_number="9434765919", given_name="John", family_name="Ashworth",
                     date_of_birth=date(1960, 2, 11), postcode="LS3 1AB", address="14 Mill Lane")  # fmt: skip
    son = add_record("gp", "SON", nhs_number="9434765870", given_name="John", family_name="Ashworth",
                     date_of_birth=date(1988, 7, 30), postcode="LS3 1AB", address="14 Mill Lane")  # fmt: skip
    tenancy = add_record("housing", "TEN", given_name="John", family_name="Ashworth",
                         postcode="LS3 1AB", address="14 Mill Lane")  # fmt: skip
    truth_rows = [(by_uid[u].source.name, by_uid[u].source_record_id, p) for u, p in truth.items()]
    return {"dad": dad, "son": son, "tenancy": tenancy, "truth": truth_rows}


def person_of() -> dict[int, int]:
    return dict(Link.objects.values_list("source_record_id", "person_id"))


def test_link_links_everyone_and_exports_every_record(people, tmp_path, capsys):
    make_staff(role="data_steward", username="Bob")
    call_command("link", "--json", "--by", "Bob")
    summary = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert summary["records"] == SourceRecord.objects.count() == Link.objects.count()
    assert summary["people"] == Person.objects.filter(retired=False).count()
    assert person_of()[people["dad"].pk] != person_of()[people["son"].pk]
    assert (
        ReviewPair.objects.filter(record_b=people["tenancy"]).exists()
        or ReviewPair.objects.filter(record_a=people["tenancy"]).exists()
    )
    dad_person = Person.objects.get(pk=person_of()[people["dad"].pk])
    assert dad_person.nhs_number == "9434765919" and dad_person.given_name == "John"

    out = tmp_path / "links.csv"
    call_command("export-links", str(out), "--by", "Bob")
    rows = list(csv.reader(out.open()))
    assert rows[0] == ["source", "source_record_id", "person_id"]
    assert len(rows) - 1 == SourceRecord.objects.count()
    assert all(r[2] for r in rows[1:])

    truth = tmp_path / "truth.csv"
    with truth.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["source", "source_record_id", "person_id"])
        writer.writerows(people["truth"])
    call_command("evaluate-linkage", "--truth", str(truth), "--json")
    result = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert result["ours"]["precision"] >= 0.99
    assert result["ours"]["recall"] > result["nhs_number_alone"]["recall"]


def test_person_ids_stay_stable_on_relink_and_with_a_new_record(people):
    link_everyone()
    first = person_of()
    people_before = set(Person.objects.values_list("pk", flat=True))
    link_everyone()
    assert person_of() == first
    new = add_record("gp", "NEW", nhs_number="4010232137", given_name="Zebedee",
                     family_name="Quartermaine", date_of_birth=date(1999, 9, 9),
                     postcode="LS9 9ZZ", address="1 Nowhere Road")  # fmt: skip
    summary = link_everyone()
    after = person_of()
    assert {k: v for k, v in after.items() if k != new.pk} == first
    assert after[new.pk] not in people_before
    assert summary.new_people == 1 and summary.retired_people == 0


def test_steward_decisions_survive_relink_both_ways(people):
    link_everyone()
    links = person_of()
    # "Different": split a record out of a person the model built.
    by_person: dict[int, list[int]] = {}
    for rec, person in links.items():
        by_person.setdefault(person, []).append(rec)
    multi = sorted(recs for recs in by_person.values() if len(recs) > 1)[0]
    moved = SourceRecord.objects.get(pk=multi[-1])
    split_record(record=moved, by="Alice Steward", reason="different date of birth on letter")
    # "Same": join two records the model kept apart (father and son, against the NHS rule).
    merge_records(record_a=people["dad"], record_b=people["tenancy"], by="Alice Steward")
    link_everyone()
    again = person_of()
    assert again[moved.pk] != again[multi[0]]
    assert again[people["dad"].pk] == again[people["tenancy"].pk]
    assert Link.objects.get(source_record=people["tenancy"]).rule == Link.Rule.STEWARD
    assert StewardDecision.objects.filter(decided_by="Alice Steward").count() >= 2


def test_review_commands(people, capsys):
    make_staff(role="data_steward", username="Bob")
    link_everyone()
    call_command("review", "list", "--json", "--by", "Bob")
    listed = json.loads(capsys.readouterr().out)
    assert listed["total"] == ReviewPair.objects.filter(status="open").count() >= 1
    pair = listed["pairs"][0]
    assert {"comparisons", "records", "match_weight"} <= set(pair["evidence"])
    call_command("review", "decide", str(pair["id"]), "--different", "--by", "Bob", "--reason", "x")
    decided = ReviewPair.objects.get(pk=pair["id"])
    assert decided.status == ReviewPair.Status.KEPT_APART and decided.decided_by == "Bob"
    link_everyone()
    links = person_of()
    assert links[decided.record_a_id] != links[decided.record_b_id]
    assert not ReviewPair.objects.filter(
        record_a=decided.record_a, record_b=decided.record_b, status="open"
    ).exists()
    with pytest.raises(CommandError, match="No review pair"):
        call_command("review", "decide", "999999", "--same", "--by", "Bob")


def test_link_copes_with_no_records_and_with_very_few(db):
    assert link_everyone().records == 0
    add_record("gp", "A1", nhs_number="9434765919", given_name="Ann", family_name="Lee",
               date_of_birth=date(1950, 1, 2), postcode="LS1 1AA", address="1 High Street")  # fmt: skip
    add_record("acute", "B1", nhs_number="9434765919", given_name="Ann", family_name="Lee",
               date_of_birth=date(1950, 1, 2), postcode="LS1 1AA", address="1 High Street")  # fmt: skip
    add_record("housing", "C1", given_name="Bob", family_name="Stone", postcode="LS2 2BB",
               address="9 Low Road")  # fmt: skip
    summary = link_everyone()
    assert summary.records == Link.objects.count() == 3
    links = person_of()
    ids = sorted(links)
    assert links[ids[0]] == links[ids[1]] != links[ids[2]]


def assert_consistent() -> None:
    """No link to a missing person; every live person has a link (a record has one at most by
    the table's unique constraint)."""
    people = set(Person.objects.values_list("pk", flat=True))
    assert set(Link.objects.values_list("person_id", flat=True)) <= people
    linked = set(Link.objects.values_list("person_id", flat=True))
    assert set(Person.objects.filter(retired=False).values_list("pk", flat=True)) <= linked


class Killed(Exception):
    pass


@pytest.mark.parametrize("stage", ["links", "review queue"])
def test_a_link_killed_part_way_leaves_a_consistent_database_and_the_rerun_completes(
    people, monkeypatch, stage
):
    from wraparound.identity import actions

    monkeypatch.setattr(actions, "WRITE_BATCH", 40)
    real_insert, calls = actions.insert_rows, []

    def insert(model, columns, rows):
        calls.append(model.__name__)
        if stage == "links" and calls.count("Link") == 3:
            raise Killed  # part way through the batches of people and links
        real_insert(model, columns, rows)

    def review_queue(*args):
        raise Killed

    monkeypatch.setattr(actions, "insert_rows", insert)
    if stage == "review queue":
        monkeypatch.setattr(actions, "_write_review_queue", review_queue)
    with pytest.raises(Killed):
        link_everyone()
    assert_consistent()
    assert 0 < Link.objects.count() <= SourceRecord.objects.count()

    monkeypatch.undo()
    summary = link_everyone()
    assert_consistent()
    after = person_of()
    assert set(after) == set(SourceRecord.objects.values_list("pk", flat=True))
    assert summary.review_pairs == ReviewPair.objects.filter(status="open").count() >= 1
    assert after[people["dad"].pk] != after[people["son"].pk]


def test_new_people_get_ids_in_the_order_of_their_first_record(people):
    """Identical data gives identical ids: new clusters are numbered by their lowest record."""
    link_everyone()
    first_record: dict[int, int] = {}
    for record, person in person_of().items():
        first_record[person] = min(record, first_record.get(person, record))
    by_id = [first_record[p] for p in sorted(first_record)]
    assert by_id == sorted(by_id)
