"""``wraparound generate``: write a synthetic neighbourhood's partner feeds and the answer key.

One function, ``generate_neighbourhood``, does the work; the management command only parses its
arguments. Everything is drawn from one ``random.Random(seed)`` in a fixed order and nothing
depends on the clock or on set order, so the same seed writes byte-identical files. Households
stream through one at a time and rows go straight to the files, so memory stays flat as the
population grows; each demographic file is sorted by record id at the end (as a partner's
extract would be), so households do not sit together in the files.

Files are written into a hidden staging directory inside ``out`` and moved into place only when
everything has been written: a failure leaves no partial feed behind.
"""

import csv
import os
import random
import shutil
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import orjson
from tqdm import tqdm

from wraparound.synthetic import clinical, feeds, names
from wraparound.synthetic.population import Household, Neighbourhood, Person
from wraparound.synthetic.sources import (
    PROFILES,
    SOURCE_ORDER,
    DemographicWriter,
    in_acute,
    in_adult_social_care,
    in_community,
    in_gp,
    in_mental_health,
)

DEMOGRAPHIC_FILES = {
    "gp": "gp_patients.csv",
    "acute": "acute_patients.csv",
    "community": "community_patients.csv",
    "adult_social_care": "adult_social_care_people.csv",
    "mental_health": "mental_health_patients.csv",
    "housing": "housing_tenants.csv",
    "council_tax": "council_tax_accounts.csv",
}
FHIR_FILES = {
    "gp": ("gp_activity.ndjson", "gp", feeds.gp_activity),
    "acute": ("acute_activity.ndjson", "ac", feeds.acute_activity),
    "community": ("community_activity.ndjson", "cm", feeds.community_activity),
    "mental_health": ("mental_health_activity.ndjson", "mh", feeds.mental_health_activity),
}
CSV_ACTIVITY_FILES = {
    "adult_social_care": (
        "adult_social_care_activity.csv",
        "ASCEV",
        feeds.adult_social_care_activity,
    ),
    "housing": ("housing_activity.csv", "HSGEV", feeds.housing_activity),
    "council_tax": ("council_tax_activity.csv", "CTEV", feeds.council_tax_activity),
}
TRUTH_FILE = "truth.csv"
PEOPLE_TRUTH_FILE = "truth_people.csv"
MANIFEST_FILE = "manifest.json"
PEOPLE_TRUTH_COLUMNS = (
    "person_id",
    "household_id",
    "nhs_number",
    "given_name",
    "middle_name",
    "family_name",
    "date_of_birth",
    "sex",
    "postcode",
    "address",
    "tags",
)


class GenerateRefused(Exception):
    """The request cannot be carried out (bad size, or an output directory in use)."""


@dataclass
class GenerationSummary:
    people: int
    households: int = 0
    demographic_records: dict[str, int] = field(default_factory=dict)
    activity_records: dict[str, int] = field(default_factory=dict)

    @property
    def records_per_person(self) -> float:
        return sum(self.demographic_records.values()) / self.people


def generate_neighbourhood(
    *, people: int, seed: int, out: Path, force: bool = False, progress: bool = True
) -> GenerationSummary:
    """Write the feeds of ``people`` synthetic people (seed ``seed``) into directory ``out``."""
    if people <= 0:
        raise GenerateRefused(f"--people must be a positive number, not {people}")
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise GenerateRefused(f"{out} exists and is not a directory")
    if out.is_dir() and any(out.iterdir()) and not force:
        raise GenerateRefused(f"{out} is not empty; choose an empty directory or pass --force")
    out.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".generating-", dir=out))
    try:
        summary = _Run(people=people, seed=seed, folder=staging, progress=progress).write()
        for item in sorted(staging.iterdir()):
            os.replace(item, out / item.name)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return summary


class _Run:
    """One generation: the open files, the partners' writers and the counts."""

    def __init__(self, *, people: int, seed: int, folder: Path, progress: bool) -> None:
        self.people = people
        self.seed = seed
        self.folder = folder
        self.progress = progress
        self.rng = random.Random(seed)
        self.summary = GenerationSummary(people=people)
        self._files: list[IO] = []

    # ------------------------------------------------------------------ files
    def _open_csv(self, name: str, columns: tuple[str, ...]) -> csv.DictWriter:
        handle = open(self.folder / name, "w", newline="", encoding="utf-8")
        self._files.append(handle)
        writer = csv.DictWriter(
            handle, fieldnames=columns, extrasaction="ignore", lineterminator="\n"
        )
        writer.writeheader()
        return writer

    def _open_ndjson(self, name: str) -> Callable[[dict], None]:
        handle = open(self.folder / name, "wb")
        self._files.append(handle)
        count_key = name

        def emit(resource: dict) -> None:
            handle.write(orjson.dumps(resource))
            handle.write(b"\n")
            self.summary.activity_records[count_key] += 1

        self.summary.activity_records[count_key] = 0
        return emit

    def _csv_emitter(self, name: str, columns: tuple[str, ...]) -> Callable[[dict], None]:
        writer = self._open_csv(name, columns)
        self.summary.activity_records[name] = 0

        def emit(row: dict) -> None:
            writer.writerow(row)
            self.summary.activity_records[name] += 1

        return emit

    # ------------------------------------------------------------------ the run
    def write(self) -> GenerationSummary:
        rng = self.rng
        hood = Neighbourhood(rng, self.people)
        staff = clinical.staff_roster(rng, _staff_name)
        self.writers = {name: DemographicWriter(rng, PROFILES[name]) for name in SOURCE_ORDER}
        self.demographic = {
            name: self._open_csv(DEMOGRAPHIC_FILES[name], PROFILES[name].columns)
            for name in SOURCE_ORDER
        }
        self.summary.demographic_records = dict.fromkeys(SOURCE_ORDER, 0)
        self.truth = self._open_csv(TRUTH_FILE, ("source", "source_record_id", "person_id"))
        self.people_truth = self._open_csv(PEOPLE_TRUTH_FILE, PEOPLE_TRUTH_COLUMNS)
        self.fhir = {
            source: (feeds.FhirActivity(rng, prefix, staff), self._open_ndjson(file), activity)
            for source, (file, prefix, activity) in FHIR_FILES.items()
        }
        self.activity_csv = {
            source: (
                feeds.CsvActivity(rng, prefix, staff),
                self._csv_emitter(file, feeds.ACTIVITY_COLUMNS),
                activity,
            )
            for source, (file, prefix, activity) in CSV_ACTIVITY_FILES.items()
        }
        try:
            with tqdm(
                total=self.people,
                unit="people",
                desc="generate",
                file=sys.stderr,
                disable=not self.progress,
            ) as bar:
                for household in hood.households():
                    self._household(household)
                    self.summary.households += 1
                    bar.update(len(household.members))
        finally:
            for handle in self._files:
                handle.close()
        for source in SOURCE_ORDER:
            _sort_by_record_id(self.folder / DEMOGRAPHIC_FILES[source])
        self._write_manifest()
        return self.summary

    def _household(self, household: Household) -> None:
        rng = self.rng
        asc_people: list[Person] = []
        for person in household.members:
            self._person_truth(person)
            if in_gp(rng, person):
                self._register("gp", person, household)
            if in_acute(rng, person):
                self._register("acute", person, household)
            if in_community(rng, person):
                self._register("community", person, household)
            if in_adult_social_care(rng, person):
                self._register("adult_social_care", person, household, client_type="Service user")
                asc_people.append(person)
            if in_mental_health(rng, person):
                self._register("mental_health", person, household)
        self._carers(household, asc_people)
        self._tenancy(household)
        self._council_tax(household)

    def _register(
        self,
        source: str,
        person: Person,
        household: Household,
        *,
        record_id: Callable[[], str] | None = None,
        activity: bool = True,
        **extra: str,
    ) -> list[str]:
        """Write a person's record in one partner's feed (twice, for a duplicate registration)."""
        rng = self.rng
        writer = self.writers[source]
        issue = record_id or writer.ids.issue
        ids = [issue()]
        rows = [writer.row(person, ids[0], **extra)]
        if rng.random() < writer.profile.duplicate:
            ids.append(issue())
            rows.append(writer.row(person, ids[1], stale=True, **extra))
        writer.remember(person)
        for rid, row in zip(ids, rows, strict=True):
            self.demographic[source].writerow(row)
            self.truth.writerow(
                {"source": source, "source_record_id": rid, "person_id": person.person_id}
            )
            self.summary.demographic_records[source] += 1
        if activity:
            for n, rid in enumerate(ids):
                if n == 0 or rng.random() < 0.5:
                    self._activity(source, rid, person, household)
        return ids

    def _activity(self, source: str, record_id: str, person: Person, household: Household) -> None:
        if source in self.fhir:
            maker, emit, activity = self.fhir[source]
        else:
            maker, emit, activity = self.activity_csv[source]
        activity(maker, emit, record_id, person, household)

    def _carers(self, household: Household, asc_people: list[Person]) -> None:
        """A partner or grown-up child of somebody social care supports may be known as a carer."""
        if household.care_home or not asc_people:
            return
        rng = self.rng
        cared_for = asc_people[0]
        candidates = [p for p in household.members if p.age >= 18 and p not in asc_people]
        if candidates and rng.random() < 0.3:
            carer = candidates[0]
            ids = self._register(
                "adult_social_care", carer, household, activity=False, client_type="Carer"
            )
            maker, emit, _ = self.activity_csv["adult_social_care"]
            feeds.carer_activity(maker, emit, ids[0], cared_for)

    def _tenancy(self, household: Household) -> None:
        tenants = [p for p in household.members if p.social_tenant]
        if not tenants:
            return
        rng = self.rng
        writer = self.writers["housing"]
        tenancy = writer.ids.issue()
        sequence = iter(range(1, 100))

        def next_id() -> str:
            return f"{tenancy}-{next(sequence):02d}"

        for person in tenants:
            listed = person.tenancy_role != "Household member" or rng.random() < (
                0.7 if person.age >= 16 else 0.4
            )
            if not listed:
                continue
            self._register(
                "housing",
                person,
                household,
                record_id=next_id,
                activity=person.tenancy_role == "Lead tenant",
                tenancy_ref=tenancy,
                tenancy_role=person.tenancy_role,
            )

    def _council_tax(self, household: Household) -> None:
        if household.care_home:
            return
        rng = self.rng
        adults = [p for p in household.members if p.age >= 18]
        if not adults:
            return
        if household.kind == "sharers":
            liable = [p for p in adults if rng.random() < 0.7] or adults[:1]
        elif len(adults) >= 2 and rng.random() < 0.3:
            liable = adults[:2]
        else:
            liable = [adults[0] if rng.random() < 0.85 else adults[rng.randrange(len(adults))]]
        writer = self.writers["council_tax"]
        account = writer.ids.issue()
        sequence = iter(range(1, 10))
        liable_from = (
            f"{rng.randint(2000, 2026)}-{rng.randint(1, 12):02d}-01"
            if rng.random() < 0.9
            else "2026-04-01"
        )

        def next_id() -> str:
            return f"{account}-{next(sequence)}"

        for n, person in enumerate(liable):
            self._register(
                "council_tax",
                person,
                household,
                record_id=next_id,
                activity=n == 0,
                account_ref=account,
                liable_from=liable_from,
            )

    def _person_truth(self, person: Person) -> None:
        self.people_truth.writerow(
            {
                "person_id": person.person_id,
                "household_id": person.household_id,
                "nhs_number": person.nhs_number,
                "given_name": person.given,
                "middle_name": person.middle,
                "family_name": person.family,
                "date_of_birth": person.dob.isoformat(),
                "sex": person.sex,
                "postcode": person.home.postcode,
                "address": person.home.full(),
                "tags": " ".join(person.tags),
            }
        )

    def _write_manifest(self) -> None:
        entries = [
            {
                "source": source,
                "partner": PROFILES[source].partner,
                "file": DEMOGRAPHIC_FILES[source],
                "format": "csv",
            }
            for source in SOURCE_ORDER
        ]
        for source in SOURCE_ORDER:
            if source in FHIR_FILES:
                file, format_ = FHIR_FILES[source][0], "ndjson"
            elif source in CSV_ACTIVITY_FILES:
                file, format_ = CSV_ACTIVITY_FILES[source][0], "csv"
            else:
                continue
            entries.append(
                {
                    "source": source,
                    "partner": PROFILES[source].partner,
                    "file": file,
                    "format": format_,
                }
            )
        manifest = {
            "people": self.people,
            "seed": self.seed,
            "feeds": entries,
            "truth": TRUTH_FILE,
            "people_truth": PEOPLE_TRUTH_FILE,
            "households": self.summary.households,
            "demographic_records": self.summary.demographic_records,
            "activity_records": self.summary.activity_records,
            "extract_date": "2026-11-01",
        }
        (self.folder / MANIFEST_FILE).write_bytes(
            orjson.dumps(manifest, option=orjson.OPT_INDENT_2) + b"\n"
        )


def _staff_name(rng: random.Random) -> str:
    heritage = names.HERITAGE_WEIGHTS[rng.randrange(len(names.HERITAGE_WEIGHTS))][0]
    sex = "female" if rng.random() < 0.6 else "male"
    given = names.GIVEN[heritage][sex]["middle"]
    family = names.FAMILY[heritage]
    return f"{given[rng.randrange(len(given))]} {family[rng.randrange(len(family))]}"


def _sort_by_record_id(path: Path) -> None:
    """Sort a demographic CSV by its first column (record ids are fixed width, never quoted)."""
    with open(path, encoding="utf-8", newline="") as handle:
        header = handle.readline()
        rows = handle.readlines()
    rows.sort(key=lambda line: line.split(",", 1)[0])
    with open(path, "w", encoding="utf-8", newline="") as handle:
        handle.write(header)
        handle.writelines(rows)
