"""Each partner's imperfect view of the true people: who it knows and how it writes them down.

A ``SourceProfile`` holds one partner system's habits as rates (how often the NHS Number is
missing or mistyped, how often a nickname or an old address is kept, whether it shouts surnames
in capitals...). ``DemographicWriter`` applies them to a ``Person`` to make that partner's
demographic row. The rates are documented in ``docs/generator.md``; change them together.
"""

import random
from dataclasses import dataclass

from wraparound.core import nhs_number
from wraparound.synthetic import clinical, noise
from wraparound.synthetic.places import Address
from wraparound.synthetic.population import Household, Person

COMMON_COLUMNS = (
    "source_record_id",
    "nhs_number",
    "given_name",
    "family_name",
    "date_of_birth",
    "sex",
    "postcode",
    "address",
    "phone",
)


PLACEHOLDER_DATE_OF_BIRTH = "1900-01-01"
NO_FIXED_ABODE_POSTCODE = "ZZ99 3VZ"  # the NHS pseudo-postcode for "no fixed abode"


@dataclass(frozen=True, slots=True)
class SourceProfile:
    name: str
    partner: str
    columns: tuple[str, ...]
    nhs_missing: float = 0.0  # blank NHS Number
    nhs_mistyped: float = 0.0  # fails the Modulus 11 check
    nhs_someone_else: float = 0.0  # a valid number that belongs to another person
    nhs_spaced: float = 0.0  # written "943 476 5919"
    dob_missing: float = 0.0
    dob_day_month_swapped: float = 0.0
    dob_wrong: float = 0.0
    # Stand-ins a system writes when a mandatory field is not known: 1 January 1900 for the
    # date of birth; ZZ99 3VZ and "NO FIXED ABODE" for the home; "UNKNOWN" for the given name.
    dob_placeholder: float = 0.0
    no_fixed_abode: float = 0.0
    name_unknown: float = 0.0
    given_typo: float = 0.0
    family_typo: float = 0.0
    nickname: float = 0.0
    initial_only: float = 0.0
    middle_in_given: float = 0.0
    old_address_if_moved: float = 0.0
    maiden_if_married: float = 0.0
    earlier_identity: float = 0.0  # earlier name and sex of a trans person
    other_family_name: float = 0.0  # Kaur for Sandhu, Kowalski for Kowalska, husband's for Begum
    punctuation_stripped: float = 0.0  # O'Neill -> ONeill
    accents_folded: float = 0.0
    family_upper: float = 0.0  # "SMITH", as many patient administration systems store it
    case_noise: float = 0.0
    whitespace_noise: float = 0.0
    names_swapped: float = 0.0  # given name in the family name field and back
    postcode_noise: float = 0.0
    postcode_missing: float = 0.0
    phone_present: float = 0.0
    duplicate: float = 0.0  # the same person registered twice in this system
    sex_codes: tuple[str, str] = ("female", "male")
    address_style: str = "full"
    id_format: str = "{:07d}"
    id_space: int = 10_000_000


PROFILES: dict[str, SourceProfile] = {
    profile.name: profile
    for profile in (
        SourceProfile(
            "gp",
            "gp",
            (*COMMON_COLUMNS, "registered_practice", "title"),
            nhs_missing=0.003,
            nhs_mistyped=0.004,
            nhs_someone_else=0.001,
            dob_day_month_swapped=0.003,
            dob_wrong=0.002,
            given_typo=0.01,
            family_typo=0.01,
            nickname=0.02,
            middle_in_given=0.12,
            old_address_if_moved=0.08,
            maiden_if_married=0.03,
            other_family_name=0.1,
            punctuation_stripped=0.05,
            whitespace_noise=0.01,
            names_swapped=0.0005,
            postcode_noise=0.01,
            postcode_missing=0.002,
            phone_present=0.85,
            duplicate=0.012,
            id_format="GP{:07d}",
        ),
        SourceProfile(
            "acute",
            "acute",
            (*COMMON_COLUMNS, "registered_gp"),
            nhs_missing=0.03,
            nhs_mistyped=0.008,
            nhs_someone_else=0.001,
            dob_missing=0.002,
            dob_day_month_swapped=0.008,
            dob_wrong=0.004,
            dob_placeholder=0.003,
            no_fixed_abode=0.003,
            name_unknown=0.001,
            given_typo=0.03,
            family_typo=0.03,
            nickname=0.06,
            middle_in_given=0.08,
            old_address_if_moved=0.5,
            maiden_if_married=0.3,
            earlier_identity=0.7,
            other_family_name=0.25,
            punctuation_stripped=0.3,
            accents_folded=0.5,
            family_upper=0.6,
            whitespace_noise=0.02,
            names_swapped=0.003,
            postcode_noise=0.03,
            postcode_missing=0.01,
            phone_present=0.6,
            duplicate=0.025,
            sex_codes=("F", "M"),
            address_style="pas",
            id_format="RXK-{:07d}",
        ),
        SourceProfile(
            "community",
            "community",
            COMMON_COLUMNS,
            nhs_missing=0.02,
            nhs_mistyped=0.005,
            nhs_someone_else=0.001,
            nhs_spaced=0.1,
            dob_day_month_swapped=0.005,
            dob_wrong=0.003,
            dob_placeholder=0.001,
            no_fixed_abode=0.001,
            given_typo=0.02,
            family_typo=0.02,
            nickname=0.12,
            middle_in_given=0.05,
            old_address_if_moved=0.25,
            maiden_if_married=0.1,
            earlier_identity=0.4,
            other_family_name=0.15,
            punctuation_stripped=0.1,
            accents_folded=0.1,
            whitespace_noise=0.02,
            postcode_noise=0.02,
            postcode_missing=0.005,
            phone_present=0.8,
            duplicate=0.01,
            sex_codes=("Female", "Male"),
            id_format="CMT{:07d}",
        ),
        SourceProfile(
            "adult_social_care",
            "adult_social_care",
            (*COMMON_COLUMNS, "client_type"),
            nhs_missing=0.12,
            nhs_mistyped=0.01,
            nhs_someone_else=0.001,
            nhs_spaced=0.3,
            dob_missing=0.02,
            dob_day_month_swapped=0.01,
            dob_wrong=0.006,
            dob_placeholder=0.002,
            no_fixed_abode=0.002,
            given_typo=0.04,
            family_typo=0.04,
            nickname=0.25,
            middle_in_given=0.03,
            old_address_if_moved=0.2,
            maiden_if_married=0.05,
            earlier_identity=0.3,
            other_family_name=0.2,
            punctuation_stripped=0.15,
            accents_folded=0.4,
            case_noise=0.03,
            whitespace_noise=0.03,
            names_swapped=0.002,
            postcode_noise=0.04,
            postcode_missing=0.01,
            phone_present=0.7,
            duplicate=0.015,
            sex_codes=("Female", "Male"),
            address_style="short_town",
            id_format="ASC{:07d}",
        ),
        SourceProfile(
            "mental_health",
            "mental_health",
            COMMON_COLUMNS,
            nhs_missing=0.03,
            nhs_mistyped=0.008,
            nhs_someone_else=0.001,
            dob_missing=0.005,
            dob_day_month_swapped=0.008,
            dob_wrong=0.004,
            dob_placeholder=0.003,
            no_fixed_abode=0.005,
            name_unknown=0.0005,
            given_typo=0.03,
            family_typo=0.03,
            nickname=0.1,
            middle_in_given=0.05,
            old_address_if_moved=0.35,
            maiden_if_married=0.25,
            earlier_identity=0.5,
            other_family_name=0.2,
            punctuation_stripped=0.2,
            accents_folded=0.3,
            family_upper=0.3,
            whitespace_noise=0.02,
            names_swapped=0.002,
            postcode_noise=0.03,
            postcode_missing=0.01,
            phone_present=0.75,
            duplicate=0.015,
            sex_codes=("F", "M"),
            id_format="MH-{:07d}",
        ),
        SourceProfile(
            "housing",
            "housing",
            (
                "source_record_id",
                "given_name",
                "family_name",
                "date_of_birth",
                "postcode",
                "address",
                "phone",
                "tenancy_ref",
                "tenancy_role",
            ),
            dob_missing=0.55,
            dob_day_month_swapped=0.02,
            dob_wrong=0.01,
            dob_placeholder=0.01,
            given_typo=0.05,
            family_typo=0.05,
            nickname=0.3,
            initial_only=0.03,
            maiden_if_married=0.1,
            other_family_name=0.3,
            punctuation_stripped=0.3,
            accents_folded=0.6,
            case_noise=0.1,
            whitespace_noise=0.05,
            names_swapped=0.003,
            postcode_noise=0.05,
            postcode_missing=0.01,
            phone_present=0.6,
            duplicate=0.005,
            address_style="short",
            id_format="TEN-{:06d}",
            id_space=1_000_000,
        ),
        SourceProfile(
            "council_tax",
            "council_tax",
            (
                "source_record_id",
                "title",
                "given_name",
                "family_name",
                "postcode",
                "address",
                "account_ref",
                "liable_from",
            ),
            given_typo=0.04,
            family_typo=0.05,
            nickname=0.12,
            initial_only=0.25,
            maiden_if_married=0.15,
            other_family_name=0.3,
            punctuation_stripped=0.3,
            accents_folded=0.6,
            case_noise=0.3,
            whitespace_noise=0.05,
            names_swapped=0.002,
            postcode_noise=0.03,
            duplicate=0.005,
            address_style="short",
            id_format="CT{:08d}",
            id_space=100_000_000,
        ),
    )
}
# Demographic feeds in ingest order; activity comes after.
SOURCE_ORDER = tuple(PROFILES)


class RecordIds:
    """A partner's record numbers: unique, but not in the order people were made.

    Numbers come from an affine permutation of the id space, so neighbours in a household do not
    get neighbouring numbers and the sorted file does not group households together.
    """

    def __init__(self, rng: random.Random, fmt: str, space: int) -> None:
        self._fmt = fmt
        self._space = space
        self._multiplier = rng.randrange(space // 3, space) | 1
        while self._multiplier % 5 == 0:
            self._multiplier += 2
        self._offset = rng.randrange(space)
        self._count = 0

    def issue(self) -> str:
        if self._count >= self._space:
            raise ValueError(f"ran out of record numbers ({self._fmt})")
        value = (self._count * self._multiplier + self._offset) % self._space
        self._count += 1
        return self._fmt.format(value)


# ------------------------------------------------------------------ who each partner knows
def in_gp(rng: random.Random, person: Person) -> bool:
    return person.care_home or rng.random() < 0.993


def in_acute(rng: random.Random, person: Person) -> bool:
    age = person.age
    p = 0.42 if age < 65 else 0.6 if age < 80 else 0.75
    p += 0.06 * min(len(person.conditions), 3)
    return rng.random() < min(p, 0.92)


def in_community(rng: random.Random, person: Person) -> bool:
    age = person.age
    p = 0.05 if age < 65 else 0.18 if age < 80 else 0.45
    if {clinical.FRAILTY, clinical.HEART_FAILURE, clinical.DEMENTIA} & set(person.conditions):
        p += 0.2
    if person.care_home:
        p = 0.6
    return rng.random() < p


def in_adult_social_care(rng: random.Random, person: Person) -> bool:
    age = person.age
    conditions = set(person.conditions)
    p = 0.01 if age < 18 else 0.015 if age < 65 else 0.07 if age < 80 else 0.3
    if clinical.LEARNING_DISABILITY in conditions:
        p += 0.5
    if clinical.SEVERE_MENTAL_ILLNESS & conditions:
        p += 0.15
    if clinical.FRAILTY in conditions:
        p += 0.2
    if clinical.DEMENTIA in conditions:
        p += 0.3
    if person.care_home:
        p = 0.95
    return rng.random() < p


def in_mental_health(rng: random.Random, person: Person) -> bool:
    conditions = set(person.conditions)
    p = 0.02 if person.age < 18 else 0.015
    if clinical.SEVERE_MENTAL_ILLNESS & conditions:
        p += 0.9
    elif {clinical.DEPRESSION, clinical.ANXIETY} & conditions:
        p += 0.25
    if clinical.DEMENTIA in conditions:
        p += 0.5
    return rng.random() < p


# ------------------------------------------------------------------ how each partner writes
_SHORT_WORD = {"Flat": "Flat"}


def _address_text(rng: random.Random, home: Address, style: str) -> str:
    if style == "pas":
        line = home.line()
        street = home.street_short if rng.random() < 0.6 else home.street
        line = line.replace(home.street, street)
        return f"{line}, {home.town}".upper()
    if style == "short":
        return home.line()
    if style == "short_town":
        return f"{home.line()}, {home.town}"
    return home.full()


class DemographicWriter:
    """Writes one partner's demographic rows for true people, applying that partner's habits."""

    def __init__(self, rng: random.Random, profile: SourceProfile) -> None:
        self.rng = rng
        self.profile = profile
        self.ids = RecordIds(rng, profile.id_format, profile.id_space)
        self.nhs_numbers_seen: list[str] = []  # a short memory for "somebody else's number"

    def remember(self, person: Person) -> None:
        seen = self.nhs_numbers_seen
        if len(seen) < 500:
            seen.append(person.nhs_number)
        else:
            seen[self.rng.randrange(500)] = person.nhs_number

    def row(self, person: Person, record_id: str, *, stale: bool = False, **extra: str) -> dict:
        """The partner's row for ``person``. ``stale`` is an older duplicate registration."""
        rng, p = self.rng, self.profile
        given, family, sex = self._names(person, stale)
        home = person.home
        if person.previous_home is not None and (stale or rng.random() < p.old_address_if_moved):
            home = person.previous_home
        postcode = home.postcode
        address = _address_text(rng, home, p.address_style)
        if rng.random() < p.no_fixed_abode:
            postcode, address = NO_FIXED_ABODE_POSTCODE, "NO FIXED ABODE"
        elif rng.random() < p.postcode_missing:
            postcode = ""
        elif rng.random() < p.postcode_noise:
            postcode = noise.postcode(rng, postcode)
        phone = ""
        if rng.random() < p.phone_present:
            phone = person.mobile or person.landline
            if person.mobile and person.landline and rng.random() < 0.3:
                phone = person.landline
            if phone and rng.random() < 0.2:
                phone = noise.phone(rng, phone)
        row = {
            "source_record_id": record_id,
            "nhs_number": self._nhs_number(person, stale),
            "given_name": given,
            "family_name": family,
            "date_of_birth": self._dob(person),
            "sex": p.sex_codes[0] if sex == "female" else p.sex_codes[1],
            "postcode": postcode,
            "address": address,
            "phone": phone,
            "registered_practice": person.practice,
            "registered_gp": person.practice,
            "title": self._title(person, sex),
        }
        row.update(extra)
        return row

    def _title(self, person: Person, sex: str) -> str:
        if person.age < 16:
            return ""
        if sex == "male":
            return "Mr"
        if person.maiden_name or person.other_family_names and person.age > 30:
            return "Mrs" if self.rng.random() < 0.85 else "Ms"
        return ("Ms", "Miss", "Mrs")[self.rng.randrange(3)]

    def _names(self, person: Person, stale: bool) -> tuple[str, str, str]:
        rng, p = self.rng, self.profile
        given, family, sex = person.given, person.family, person.sex
        if person.previous_given and (stale or rng.random() < p.earlier_identity):
            given, sex = person.previous_given, person.previous_sex
        elif person.known_by_middle_name and rng.random() < 0.5:
            given = person.middle
        elif rng.random() < p.nickname:
            given = noise.nickname(rng, given) or given
        if person.middle and rng.random() < p.middle_in_given and given != person.middle:
            given = f"{given} {person.middle}"
        if person.maiden_name and (
            rng.random() < p.maiden_if_married or stale and rng.random() < 0.5
        ):
            family = person.maiden_name
        elif person.other_family_names and rng.random() < p.other_family_name:
            family = person.other_family_names[0]
        if person.suffix and p.name in ("gp", "acute") and rng.random() < 0.2:
            family = f"{family} {person.suffix}"
        if rng.random() < p.punctuation_stripped and ("'" in family or "-" in family):
            family = (
                noise.strip_punctuation(family) if rng.random() < 0.5 else family.replace("'", "")
            )
        if rng.random() < p.given_typo:
            given = noise.typo(rng, given)
        if rng.random() < p.family_typo:
            family = noise.typo(rng, family)
        if rng.random() < p.accents_folded:
            given, family = noise.fold_accents(given), noise.fold_accents(family)
        if not given.strip():
            # Some noise paths (a middle name or earlier name that was blank) leave nothing:
            # a partner system would still hold the person's given name.
            given = person.given
        if rng.random() < p.initial_only and given:
            given = given[0]
        if rng.random() < p.names_swapped:
            given, family = family, given
        if rng.random() < p.name_unknown:
            given = "UNKNOWN"
        if rng.random() < p.family_upper:
            family = family.upper()
        if rng.random() < p.case_noise:
            given, family = noise.case(rng, given), noise.case(rng, family)
        if rng.random() < p.whitespace_noise:
            if rng.random() < 0.5:
                given = noise.whitespace(rng, given)
            else:
                family = noise.whitespace(rng, family)
        return given, family, sex

    def _nhs_number(self, person: Person, stale: bool) -> str:
        rng, p = self.rng, self.profile
        if "nhs_number" not in p.columns:
            return ""
        x = rng.random()
        if x < p.nhs_missing or stale and x < 0.3:
            return ""
        x -= p.nhs_missing
        number = person.nhs_number
        if x < p.nhs_mistyped:
            number = noise.mistyped_nhs_number(rng, number)
        elif x < p.nhs_mistyped + p.nhs_someone_else and self.nhs_numbers_seen:
            other = self.nhs_numbers_seen[rng.randrange(len(self.nhs_numbers_seen))]
            if other != person.nhs_number:
                number = other
        if rng.random() < p.nhs_spaced:
            number = nhs_number.formatted(number)
        return number

    def _dob(self, person: Person) -> str:
        rng, p = self.rng, self.profile
        if "date_of_birth" not in p.columns or rng.random() < p.dob_missing:
            return ""
        if rng.random() < p.dob_placeholder:
            return PLACEHOLDER_DATE_OF_BIRTH
        dob = person.dob
        x = rng.random()
        if x < p.dob_day_month_swapped:
            dob = noise.swap_day_month(dob) or dob
        elif x < p.dob_day_month_swapped + p.dob_wrong:
            dob = noise.wrong_date(rng, dob)
        return dob.isoformat()


def carers_in(household: Household, cared_for: Person) -> list[Person]:
    """Adults in the same home who may care for somebody: partner first, then grown-up children."""
    return [p for p in household.members if p is not cared_for and p.age >= 18 and not p.care_home]
