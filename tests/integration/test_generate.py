"""``wraparound generate``: the files a synthetic neighbourhood is made of, and their difficulties.

One neighbourhood of 2,000 people is generated per test module and read by most tests; the
determinism tests make their own smaller ones.
"""

import csv
import hashlib
import json
import os
import random
import subprocess
import sys
from collections import Counter, defaultdict
from pathlib import Path

import orjson
import pytest
from django.core.management import CommandError, call_command
from fhir.resources.R4B import get_fhir_model_class

from wraparound.core import nhs_number
from wraparound.core.nicknames import NICKNAMES

PEOPLE = 2000
CONTRACT_COLUMNS = {
    "source_record_id",
    "nhs_number",
    "given_name",
    "family_name",
    "date_of_birth",
    "sex",
    "postcode",
    "address",
    "phone",
}
PARTNERS = {
    "gp",
    "acute",
    "community",
    "adult_social_care",
    "mental_health",
    "housing",
    "council_tax",
    "voluntary",
    "other",
}


def generate(out: Path, people: int, seed: int, *extra: str) -> None:
    call_command(
        "generate", "--people", str(people), "--seed", str(seed), "--out", str(out), *extra,
        verbosity=0,
    )  # fmt: skip


def read_csv(path: Path) -> list[dict]:
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def is_demographic(path: Path) -> bool:
    """As ingest tells them apart: a CSV without ``event_id`` in its header."""
    if path.suffix != ".csv":
        return False
    with open(path, encoding="utf-8") as handle:
        return "event_id" not in handle.readline().split(",")


def digest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


@pytest.fixture(scope="module")
def hood(tmp_path_factory) -> dict:
    """The generated folder, its manifest, and the truth read into lookups."""
    out = tmp_path_factory.mktemp("hood")
    generate(out, PEOPLE, 7)
    manifest = json.loads((out / "manifest.json").read_text())
    people = {r["person_id"]: r for r in read_csv(out / "truth_people.csv")}
    truth = {
        (r["source"], r["source_record_id"]): r["person_id"] for r in read_csv(out / "truth.csv")
    }
    demographic = {
        f["source"]: read_csv(out / f["file"])
        for f in manifest["feeds"]
        if is_demographic(out / f["file"])
    }
    return {
        "out": out,
        "manifest": manifest,
        "people": people,
        "truth": truth,
        "demographic": demographic,
    }


# ------------------------------------------------------------------ determinism
def test_same_seed_writes_the_same_bytes_and_another_seed_does_not(tmp_path):
    generate(tmp_path / "a", 400, 3)
    # a second process with another hash seed: no dependence on set or dict-of-str order
    subprocess.run(
        [sys.executable, "-m", "wraparound.manage", "generate", "--people", "400", "--seed", "3",
         "--out", str(tmp_path / "b"), "--verbosity", "0"],
        check=True,
        env={**os.environ, "PYTHONHASHSEED": "12345"},
    )  # fmt: skip
    generate(tmp_path / "c", 400, 4)
    a, b, c = digest(tmp_path / "a"), digest(tmp_path / "b"), digest(tmp_path / "c")
    assert a == b
    assert a.keys() == c.keys()
    assert all(a[name] != c[name] for name in a if name != "manifest.json")


# ------------------------------------------------------------------ the manifest and truth
def test_manifest_lists_every_feed_in_ingest_order(hood):
    manifest, out = hood["manifest"], hood["out"]
    assert manifest["people"] == PEOPLE and manifest["seed"] == 7
    feeds = manifest["feeds"]
    for feed in feeds:
        assert (out / feed["file"]).is_file(), feed
        assert feed["partner"] in PARTNERS
        assert feed["format"] in {"csv", "ndjson"}
    kinds = [is_demographic(out / f["file"]) for f in feeds]
    assert kinds == sorted(kinds, reverse=True), "demographic feeds come first"
    assert set(hood["demographic"]) >= {
        "gp", "acute", "adult_social_care", "mental_health", "housing", "council_tax"
    }  # fmt: skip
    assert (out / manifest["truth"]).is_file()


def test_truth_names_every_demographic_record_exactly_once(hood):
    truth_rows = read_csv(hood["out"] / "truth.csv")
    keys = [(r["source"], r["source_record_id"]) for r in truth_rows]
    assert len(keys) == len(set(keys))
    records = {(s, r["source_record_id"]) for s, rows in hood["demographic"].items() for r in rows}
    assert records == set(keys)
    assert sum(len(rows) for rows in hood["demographic"].values()) == len(keys)
    assert {r["person_id"] for r in truth_rows} <= set(hood["people"])
    assert len(hood["people"]) == PEOPLE


def test_records_per_person_is_between_two_and_five(hood):
    ratio = len(hood["truth"]) / PEOPLE
    assert 2 <= ratio <= 5


def test_every_true_person_has_a_distinct_valid_nhs_number(hood):
    numbers = [p["nhs_number"] for p in hood["people"].values()]
    assert all(nhs_number.is_valid(n) for n in numbers)
    assert len(set(numbers)) == len(numbers)


# ------------------------------------------------------------------ feed shapes
def test_demographic_headers_follow_the_contract(hood):
    out = hood["out"]
    for feed in hood["manifest"]["feeds"]:
        if not is_demographic(out / feed["file"]):
            continue
        with open(out / feed["file"], encoding="utf-8") as handle:
            header = handle.readline().strip().split(",")
        assert header[0] == "source_record_id"
        assert {"given_name", "family_name", "postcode", "address"} <= set(header)
    council_tax = hood["demographic"]["council_tax"][0]
    assert "nhs_number" not in council_tax and "date_of_birth" not in council_tax
    assert "nhs_number" not in hood["demographic"]["housing"][0]
    for rows in hood["demographic"].values():
        for row in rows:
            if row.get("date_of_birth"):
                assert len(row["date_of_birth"]) == 10 and row["date_of_birth"][4] == "-"


def test_activity_csv_rows_point_at_records_of_the_same_source(hood):
    out = hood["out"]
    for feed in hood["manifest"]["feeds"]:
        path = out / feed["file"]
        if feed["format"] != "csv" or is_demographic(path):
            continue
        rows = read_csv(path)
        assert rows, feed
        assert {"event_id", "source_record_id", "date", "kind", "text"} <= set(rows[0])
        assert len({r["event_id"] for r in rows}) == len(rows)
        for row in rows:
            assert (feed["source"], row["source_record_id"]) in hood["truth"]
            assert "2021-11-01" < row["date"] <= "2026-11-01"
            if row["amount"]:
                float(row["amount"])
        assert any(r["worker_name"] and r["worker_role"] for r in rows)


def test_fhir_resources_validate_as_r4b_and_refer_to_their_own_patients(hood):
    out = hood["out"]
    seen: Counter = Counter()
    for feed in hood["manifest"]["feeds"]:
        if feed["format"] != "ndjson":
            continue
        lines = (out / feed["file"]).read_bytes().splitlines()
        sample = random.Random(1).sample(lines, min(len(lines), 400))
        for line in sample:
            resource = orjson.loads(line)
            kind = resource["resourceType"]
            get_fhir_model_class(kind).model_validate(resource)
            seen[kind] += 1
            reference = (resource.get("subject") or resource.get("patient"))["reference"]
            assert reference.startswith("Patient/")
            assert (feed["source"], reference.removeprefix("Patient/")) in hood["truth"]
            if kind == "Encounter":
                assert resource["participant"][0]["individual"]["display"]
                assert resource["serviceProvider"]["display"]
            if kind == "EpisodeOfCare":
                assert resource["careManager"]["display"]
                assert resource["managingOrganization"]["display"]
            period = resource.get("period", {})
            for moment in (period.get("start"), period.get("end"), resource.get("recordedDate")):
                if moment:
                    assert "2021-11-02" <= moment[:10] <= "2026-11-01", resource["id"]
    assert set(seen) >= {
        "Encounter", "Condition", "Flag", "EpisodeOfCare", "RelatedPerson", "CarePlan",
        "Observation", "ServiceRequest",
    }  # fmt: skip


def test_sensitive_content_exists_for_the_sharing_agreement_to_withhold(hood):
    out = hood["out"]
    codes: set[str] = set()
    labels: set[str] = set()
    for name in ("gp_activity.ndjson", "mental_health_activity.ndjson", "acute_activity.ndjson"):
        for line in (out / name).read_bytes().splitlines():
            resource = orjson.loads(line)
            for label in resource.get("meta", {}).get("security", []):
                labels.add(label["code"])
            for coding in resource.get("code", {}).get("coding", []):
                codes.add(coding["code"])
            types = resource.get("type")  # a list of concepts, one concept, or a code
            for concept in types if isinstance(types, list) else ():
                codes.update(c["code"] for c in concept["coding"])
    assert {"35489007", "58214004"} & codes  # depression, schizophrenia
    assert "86406008" in codes  # HIV infection
    assert {"7200002", "75544000"} & codes  # alcohol / opioid dependence
    assert "1087251000000107" in codes  # sexual health clinic
    assert {"PSY", "HIV", "ETH", "SEX"} <= labels
    categories = {r["category"] for r in read_csv(out / "adult_social_care_activity.csv")}
    assert "safeguarding" in categories or "mental_health" in categories


# ------------------------------------------------------------------ the difficulties
def _records(hood, source):
    for row in hood["demographic"][source]:
        yield row, hood["people"][hood["truth"][(source, row["source_record_id"])]]


def test_nhs_numbers_are_sometimes_missing_mistyped_or_another_persons(hood):
    kinds: Counter = Counter()
    for source in ("gp", "acute", "community", "adult_social_care", "mental_health"):
        for row, person in _records(hood, source):
            number = nhs_number.normalise(row["nhs_number"])
            if not number:
                kinds["missing"] += 1
            elif not nhs_number.is_valid(number):
                kinds["invalid"] += 1
            elif number != person["nhs_number"]:
                kinds["someone_else"] += 1
            else:
                kinds["right"] += 1
            if " " in row["nhs_number"]:
                kinds["spaced"] += 1
    total = sum(kinds.values()) - kinds["spaced"]
    assert 0.001 < kinds["invalid"] / total < 0.02
    assert 0.01 < kinds["missing"] / total < 0.1
    assert 0 < kinds["someone_else"] / total < 0.005
    assert kinds["spaced"] > 0


def test_council_tax_and_housing_rows_lack_nhs_number_and_often_date_of_birth(hood):
    council_tax = hood["demographic"]["council_tax"]
    initials = sum(len(r["given_name"].strip()) == 1 for r in council_tax)
    assert 0.1 < initials / len(council_tax) < 0.4
    housing = hood["demographic"]["housing"]
    no_dob = sum(not r["date_of_birth"] for r in housing)
    assert 0.3 < no_dob / len(housing) < 0.8
    joint = Counter(r["account_ref"] for r in council_tax)
    assert any(n >= 2 for n in joint.values()), "some homes have two liable people"


def test_twins_share_birth_date_surname_and_home_with_different_given_names(hood):
    by_household = defaultdict(list)
    for person in hood["people"].values():
        if "twin" in person["tags"].split():
            by_household[(person["household_id"], person["date_of_birth"])].append(person)
    pairs = [group for group in by_household.values() if len(group) >= 2]
    assert pairs
    for group in pairs:
        assert len({p["given_name"] for p in group}) == len(group)
        assert len({p["postcode"] for p in group}) == 1


def test_a_son_with_his_fathers_full_name_lives_with_him(hood):
    people = list(hood["people"].values())
    sons = [p for p in people if "same_name_as_father" in p["tags"].split()]
    assert sons
    for son in sons:
        fathers = [
            p
            for p in people
            if p["household_id"] == son["household_id"]
            and "same_name_as_son" in p["tags"].split()
            and p["given_name"] == son["given_name"]
            and p["family_name"] == son["family_name"]
        ]
        assert fathers and fathers[0]["date_of_birth"] != son["date_of_birth"]


def test_nicknames_maiden_names_old_addresses_and_date_swaps_appear(hood):
    found: Counter = Counter()
    for source in hood["demographic"]:
        for row, person in _records(hood, source):
            given = row["given_name"].strip().lower()
            if given != person["given_name"].lower() and person[
                "given_name"
            ].lower() in NICKNAMES.get(given, ()):
                found["nickname"] += 1
            dob = row.get("date_of_birth") or ""
            y, m, d = person["date_of_birth"].split("-")
            if dob and dob != person["date_of_birth"] and dob == f"{y}-{d}-{m}":
                found["day_month_swap"] += 1
            if (
                "moved" in person["tags"]
                and row["postcode"]
                and row["postcode"] != person["postcode"]
                and row["postcode"].strip().upper()
                not in (person["postcode"], person["postcode"].replace(" ", ""))
            ):
                found["old_postcode"] += 1
            if (
                "maiden_name" in person["tags"]
                and row["family_name"].strip().lower() != person["family_name"].lower()
            ):
                found["other_family_name"] += 1
            if row["given_name"] != row["given_name"].strip() or row["family_name"].isupper():
                found["case_or_whitespace"] += 1
    for kind in (
        "nickname",
        "day_month_swap",
        "old_postcode",
        "other_family_name",
        "case_or_whitespace",
    ):
        assert found[kind] > 0, kind


def test_some_people_are_registered_twice_with_one_gp(hood):
    per_person = Counter(
        hood["truth"][("gp", r["source_record_id"])] for r in hood["demographic"]["gp"]
    )
    duplicated = [pid for pid, n in per_person.items() if n > 1]
    assert 0.002 < len(duplicated) / len(per_person) < 0.05


def test_names_carry_apostrophes_hyphens_and_accents(hood):
    names = [
        r["family_name"] + r["given_name"] for rows in hood["demographic"].values() for r in rows
    ]
    assert any("'" in n for n in names)
    assert any(not n.isascii() for n in names)


# ------------------------------------------------------------------ the command line
def test_refuses_a_non_positive_size(tmp_path):
    with pytest.raises(CommandError, match="positive"):
        generate(tmp_path / "x", 0, 1)
    assert not (tmp_path / "x").exists()


def test_refuses_a_non_empty_directory_unless_forced(tmp_path):
    (tmp_path / "notes.txt").write_text("keep me")
    with pytest.raises(CommandError, match="not empty"):
        generate(tmp_path, 50, 1)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]
    generate(tmp_path, 50, 1, "--force")
    assert (tmp_path / "manifest.json").is_file() and (tmp_path / "notes.txt").is_file()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".generating")]


def test_refuses_a_file_as_the_output_directory(tmp_path):
    target = tmp_path / "file"
    target.write_text("")
    with pytest.raises(CommandError, match="not a directory"):
        generate(target, 10, 1)
