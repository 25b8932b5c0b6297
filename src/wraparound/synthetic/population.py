"""The true people of the synthetic neighbourhood, household by household.

This is the answer key: who really exists, where they live, who shares a home with whom. The
partner feeds (``sources.py``) are then each partner's imperfect view of these people. Households
are made one at a time and handed on, so a population of any size streams through in constant
memory.

The difficulties that belong to people rather than to records are made here: twins, a son with
his father's full name, married women with a maiden name, Sikh and Muslim naming, Polish
feminine surnames, people who moved, care home residents, a small number of people whose name
and recorded sex changed.
"""

import datetime as dt
import random
from collections.abc import Iterator
from dataclasses import dataclass, field

from wraparound.core import nhs_number
from wraparound.synthetic import clinical, names
from wraparound.synthetic.places import Address, AddressBook, landline, mobile

# The day the extract was taken: ages are counted from here, events happen before it.
EXTRACT_DATE = dt.date(2026, 11, 1)
EVENTS_FROM = dt.date(2021, 11, 2)

SOUTH_ASIAN = frozenset({"sikh", "pakistani", "bangladeshi", "gujarati"})
MUSLIM = frozenset({"pakistani", "bangladeshi"})
# How likely a married woman is to have taken her husband's family name, by heritage.
TAKES_HUSBANDS_NAME = {
    "british": 0.85,
    "irish": 0.85,
    "caribbean": 0.75,
    "gujarati": 0.85,
    "pakistani": 0.45,
    "bangladeshi": 0.45,
    "polish": 0.9,
    "romanian": 0.85,
    "african": 0.7,
    "chinese": 0.3,
    "sikh": 0.7,
}


@dataclass(slots=True)
class Person:
    person_id: str
    nhs_number: str
    given: str
    family: str
    sex: str  # "female" or "male"
    dob: dt.date
    heritage: str
    home: Address
    household_id: str
    middle: str = ""
    mobile: str = ""
    landline: str = ""
    other_family_names: tuple[str, ...] = ()  # what else partners may write (Kaur, -ski, husband's)
    maiden_name: str = ""
    previous_home: Address | None = None
    previous_given: str = ""  # a name used before (gender identity)
    previous_sex: str = ""
    known_by_middle_name: bool = False
    suffix: str = ""  # "Jnr" for a son named after his father
    social_tenant: bool = False
    tenancy_role: str = ""  # lead tenant / joint tenant / household member
    care_home: bool = False
    practice: str = ""
    conditions: list[clinical.Code] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)

    age: int = 0  # on the extract date; set with ``dob`` by ``age_on_extract``


def age_on_extract(dob: dt.date) -> int:
    d = EXTRACT_DATE
    return d.year - dob.year - ((d.month, d.day) < (dob.month, dob.day))


@dataclass(slots=True)
class Household:
    household_id: str
    kind: str
    home: Address
    heritage: str
    members: list[Person]
    social_tenant: bool
    care_home: bool = False


# Kinds of household and their share, before adjusting for heritage.
HOUSEHOLD_KINDS: tuple[tuple[str, float], ...] = (
    ("older_single", 0.19),
    ("older_couple", 0.15),
    ("single_adult", 0.13),
    ("couple", 0.12),
    ("family", 0.20),
    ("lone_parent", 0.07),
    ("multigenerational", 0.04),
    ("adult_child", 0.06),
    ("sharers", 0.04),
)
_KIND_ADJUST = {
    # younger migrant communities have fewer older households; South Asian more extended families
    "polish": {"older_single": 0.25, "older_couple": 0.25, "sharers": 2.5},
    "romanian": {"older_single": 0.15, "older_couple": 0.15, "sharers": 3.0},
    "african": {"older_single": 0.35, "older_couple": 0.35},
    "sikh": {"multigenerational": 4.0},
    "pakistani": {"multigenerational": 4.0, "family": 1.5},
    "bangladeshi": {"multigenerational": 4.0, "family": 1.5},
    "gujarati": {"multigenerational": 3.0},
}


def _weighted(rng: random.Random, table: tuple[tuple[str, float], ...]) -> str:
    total = sum(w for _, w in table)
    x = rng.random() * total
    for item, weight in table:
        x -= weight
        if x < 0:
            return item
    return table[-1][0]


_ADOPTED_SURNAMES = frozenset({"Singh", "Kaur", *names.MUSLIM_WOMEN_SURNAMES})


def base_family(person: Person) -> str:
    """The family name children inherit: the clan name, not Kaur/Singh/Begum; -ski, not -ska."""
    if person.other_family_names and (
        person.family in _ADOPTED_SURNAMES or person.heritage == "polish"
    ):
        return person.other_family_names[0]
    return person.family


class NhsNumbers:
    """Hands out distinct valid NHS Numbers in the 9xx range that test systems use."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._issued: set[int] = set()

    def issue(self) -> str:
        while True:
            first_nine = self._rng.randrange(900_000_000, 1_000_000_000)
            if first_nine in self._issued:
                continue
            digit = nhs_number.check_digit(str(first_nine))
            if digit is None:
                continue
            self._issued.add(first_nine)
            return f"{first_nine}{digit}"


class Neighbourhood:
    """Makes households until the population reaches the number of people asked for."""

    def __init__(self, rng: random.Random, people: int) -> None:
        self.rng = rng
        self.target = people
        self.made = 0
        self.addresses = AddressBook(rng)
        self.nhs_numbers = NhsNumbers(rng)
        self._household_seq = 0

    # ------------------------------------------------------------------ names and dates
    def _dob(self, age: int) -> dt.date:
        born = EXTRACT_DATE.replace(year=EXTRACT_DATE.year - age - 1) + dt.timedelta(days=1)
        return born + dt.timedelta(days=self.rng.randrange(365))

    def _popular_index(self, n: int) -> int:
        """A position in a name table, the first names far more likely than the last.

        Real names are heavy-tailed (a few very common, a long tail of rare ones): with
        ``u ** 2`` the first tenth of a table takes about a third of the draws, the last tenth
        about 3%. Tables list the commonest names first.
        """
        return min(n - 1, int(n * self.rng.random() ** 2))

    def _older_age(self) -> int:
        return 65 + int(self.rng.betavariate(1.6, 2.8) * 38)

    def _given(self, heritage: str, sex: str, birth_year: int, avoid: tuple[str, ...] = ()) -> str:
        pool = names.GIVEN[heritage][sex][names.era_of(birth_year)]
        for _ in range(8):
            name = pool[self._popular_index(len(pool))]
            if name not in avoid:
                return name
        return name

    def _family(self, heritage: str) -> str:
        rng = self.rng
        pool = names.FAMILY[heritage]
        name = pool[self._popular_index(len(pool))]
        if heritage == "british" and rng.random() < 0.015:
            name = f"{name}-{pool[rng.randrange(len(pool))]}"
        return name

    def _new_person(
        self,
        household: Household,
        *,
        age: int,
        sex: str,
        family: str,
        heritage: str | None = None,
        avoid: tuple[str, ...] = (),
        dob: dt.date | None = None,
    ) -> Person:
        rng = self.rng
        heritage = heritage or household.heritage
        dob = dob or self._dob(age)
        given = self._given(heritage, sex, dob.year, avoid)
        self.made += 1
        person = Person(
            person_id=f"P{self.made:07d}",
            nhs_number=self.nhs_numbers.issue(),
            given=given,
            family=family,
            sex=sex,
            dob=dob,
            heritage=heritage,
            home=household.home,
            household_id=household.household_id,
            age=age_on_extract(dob),
        )
        if rng.random() < (0.4 if heritage in ("british", "irish", "caribbean") else 0.1):
            person.middle = self._given(heritage, sex, dob.year, (given,))
            person.known_by_middle_name = rng.random() < 0.02
        self._name_by_heritage(person)
        if age >= 12 and rng.random() < 0.8:
            person.mobile = mobile(rng)
        household.members.append(person)
        return person

    def _name_by_heritage(self, person: Person) -> None:
        """Sikh, Muslim and Polish naming: the family name partners may write differently."""
        rng = self.rng
        if person.heritage == "sikh":
            religious = "Kaur" if person.sex == "female" else "Singh"
            if rng.random() < 0.45:
                person.family, person.other_family_names = religious, (person.family,)
            else:
                person.other_family_names = (religious,)
        elif person.heritage == "polish" and person.sex == "female":
            feminine = names.polish_feminine(person.family)
            if feminine != person.family:
                person.family, person.other_family_names = feminine, (person.family,)

    # ------------------------------------------------------------------ households
    def households(self) -> Iterator[Household]:
        while self.made < self.target:
            household = self._household()
            if self.made > self.target:  # the last household is cut to fit exactly
                excess = self.made - self.target
                del household.members[len(household.members) - excess :]
                self.made = self.target
            if household.members:
                self._finish(household)
                yield household

    def _household(self) -> Household:
        rng = self.rng
        self._household_seq += 1
        hid = f"H{self._household_seq:07d}"
        if rng.random() < 1 / 1800:
            return self._care_home(hid)
        heritage = _weighted(rng, names.HERITAGE_WEIGHTS)
        adjust = _KIND_ADJUST.get(heritage, {})
        kinds = tuple((k, w * adjust.get(k, 1.0)) for k, w in HOUSEHOLD_KINDS)
        kind = _weighted(rng, kinds)
        tenant_p = 0.35 if kind in ("older_single", "lone_parent", "single_adult") else 0.15
        household = Household(
            hid, kind, self.addresses.next_home(), heritage, [], rng.random() < tenant_p
        )
        family = self._family(heritage)
        if kind == "older_single":
            self._new_person(household, age=self._older_age(), sex=self._sex(0.6), family=family)
        elif kind == "older_couple":
            self._couple(household, family, self._older_age())
        elif kind == "single_adult":
            self._new_person(household, age=rng.randint(18, 64), sex=self._sex(), family=family)
        elif kind == "couple":
            self._couple(household, family, rng.randint(20, 64))
        elif kind == "family":
            man, woman = self._couple(household, family, rng.randint(24, 58))
            self._children(household, man, woman, rng.choice((1, 1, 1, 2, 2, 2, 3, 3, 4)))
        elif kind == "lone_parent":
            parent = self._new_person(
                household, age=rng.randint(18, 55), sex=self._sex(0.88), family=family
            )
            kids_family = family if rng.random() < 0.65 else self._family(heritage)
            self._children(household, None, parent, rng.choice((1, 1, 2, 2, 3)), kids_family)
        elif kind == "multigenerational":
            old_man, _old_woman = self._couple(household, family, rng.randint(60, 88))
            son = self._new_person(
                household, age=max(20, old_man.age - rng.randint(22, 35)), sex="male", family=family
            )
            wife = self._wife_for(household, son, family)
            self._children(household, son, wife, rng.choice((1, 2, 2, 3)))
        elif kind == "adult_child":
            parent_age = rng.randint(48, 88)
            father, _mother = self._couple(household, family, parent_age)
            self._adult_child(household, father, family)
        else:  # sharers: unrelated adults, each their own heritage and name
            for _ in range(rng.randint(2, 4)):
                h = _weighted(rng, names.HERITAGE_WEIGHTS)
                self._new_person(
                    household,
                    age=rng.randint(18, 42),
                    sex=self._sex(),
                    family=self._family(h),
                    heritage=h,
                )
        return household

    def _sex(self, female_share: float = 0.5) -> str:
        return "female" if self.rng.random() < female_share else "male"

    def _couple(self, household: Household, family: str, age: int) -> tuple[Person, Person]:
        rng = self.rng
        man = self._new_person(household, age=age, sex="male", family=family)
        wife = self._wife_for(household, man, family, age=max(18, age + rng.randint(-6, 3)))
        return man, wife

    def _wife_for(
        self, household: Household, man: Person, family: str, age: int | None = None
    ) -> Person:
        rng = self.rng
        age = age if age is not None else max(18, man.age + rng.randint(-6, 3))
        heritage = man.heritage if rng.random() < 0.93 else _weighted(rng, names.HERITAGE_WEIGHTS)
        own_family = self._family(heritage)
        takes_name = rng.random() < TAKES_HUSBANDS_NAME.get(heritage, 0.8) and rng.random() < 0.9
        wife = self._new_person(
            household,
            age=age,
            sex="female",
            family=family if takes_name else own_family,
            heritage=heritage,
            avoid=(man.given,),
        )
        if takes_name and own_family != family:
            wife.maiden_name = (
                names.polish_feminine(own_family) if heritage == "polish" else own_family
            )
            wife.tags.append("maiden_name")
        if heritage in MUSLIM and age >= 50 and rng.random() < 0.35:
            surnames = names.MUSLIM_WOMEN_SURNAMES
            wife.other_family_names = (wife.family,)
            wife.family = surnames[rng.randrange(len(surnames))]
        return wife

    def _children(
        self,
        household: Household,
        father: Person | None,
        mother: Person,
        count: int,
        family: str | None = None,
    ) -> None:
        rng = self.rng
        if father is not None:
            family = base_family(father)
        family = family or base_family(mother)
        oldest = max(0, min(mother.age - 18, 24))
        youngest = min(oldest, max(0, mother.age - 42))
        taken: list[str] = []
        for _ in range(count):
            age = rng.randint(youngest, oldest)
            sex = self._sex()
            heritage = mother.heritage if father is None else father.heritage
            child = self._new_person(
                household, age=age, sex=sex, family=family, heritage=heritage, avoid=tuple(taken)
            )
            taken.append(child.given)
            if father is not None and sex == "male" and rng.random() < 0.03:
                self._named_after(child, father)
            elif sex == "female" and rng.random() < 0.015:
                self._named_after_mother(child, mother)
            elif rng.random() < 0.045:
                twin = self._twin(household, child, tuple(taken))
                taken.append(twin.given)

    def _twin(self, household: Household, child: Person, taken: tuple[str, ...]) -> Person:
        rng = self.rng
        similar = names.SIMILAR_TWIN_NAMES
        family = base_family(child)
        if rng.random() < 0.3 and child.heritage in ("british", "irish", "caribbean"):
            sex1, name1, sex2, name2 = similar[rng.randrange(len(similar))]
            child.sex, child.given, child.middle = sex1, name1, ""
            twin = self._new_person(
                household,
                age=child.age,
                sex=sex2,
                family=family,
                heritage=child.heritage,
                dob=child.dob,
            )
            twin.given, twin.middle = name2, ""
            twin.tags.append("similar_twin_name")
            child.tags.append("similar_twin_name")
        else:
            twin = self._new_person(
                household,
                age=child.age,
                sex=self._sex(),
                family=family,
                heritage=child.heritage,
                avoid=(child.given, *taken),
                dob=child.dob,
            )
        twin.tags.append("twin")
        child.tags.append("twin")
        return twin

    def _named_after(self, son: Person, father: Person) -> None:
        son.given, son.middle, son.family = father.given, father.middle, father.family
        son.other_family_names = father.other_family_names
        son.suffix = "Jnr"
        son.tags.append("same_name_as_father")
        father.tags.append("same_name_as_son")

    def _named_after_mother(self, daughter: Person, mother: Person) -> None:
        """A daughter given her mother's given name (Amelia Frost and Amelia Frost)."""
        daughter.given, daughter.middle = mother.given, mother.middle
        daughter.tags.append("same_name_as_mother")
        mother.tags.append("same_name_as_daughter")

    def _adult_child(self, household: Household, father: Person, family: str) -> None:
        rng = self.rng
        age = max(18, min(father.age - rng.randint(20, 38), 60))
        child = self._new_person(
            household, age=age, sex=self._sex(), family=family, avoid=(father.given,)
        )
        if child.sex == "male" and rng.random() < 0.25:
            self._named_after(child, father)
        elif child.sex == "female" and rng.random() < 0.1:
            mother = next(
                (m for m in household.members if m.sex == "female" and m.age >= child.age + 16),
                None,
            )
            if mother is not None:
                self._named_after_mother(child, mother)

    def _care_home(self, hid: str) -> Household:
        rng = self.rng
        household = Household(
            hid, "care_home", self.addresses.next_care_home(), "mixed", [], False, care_home=True
        )
        for _ in range(rng.randint(20, 60)):
            heritage = _weighted(rng, names.HERITAGE_WEIGHTS)
            resident = self._new_person(
                household,
                age=max(70, min(104, 84 + int(rng.gauss(0, 6)))),
                sex=self._sex(0.7),
                family=self._family(heritage),
                heritage=heritage,
            )
            resident.care_home = True
            resident.previous_home = self.addresses.previous_home()
            resident.tags += ["care_home", "moved"]
        return household

    # ------------------------------------------------------------------ after the members exist
    def _finish(self, household: Household) -> None:
        """What belongs to the household as a whole: phone, moves, tenancy, practice, health."""
        rng = self.rng
        phone = landline(rng) if rng.random() < 0.45 else ""
        moved_from = None
        if not household.care_home and rng.random() < 0.14:
            moved_from = self.addresses.previous_home()
        practice = clinical.GP_PRACTICES[rng.randrange(len(clinical.GP_PRACTICES))]
        if household.care_home:
            practice = clinical.GP_PRACTICES[0]
        adults = [p for p in household.members if p.age >= 18]
        for person in household.members:
            person.landline = phone
            person.practice = (
                practice
                if rng.random() < 0.95
                else clinical.GP_PRACTICES[rng.randrange(len(clinical.GP_PRACTICES))]
            )
            if moved_from is not None:
                person.previous_home = moved_from
                person.tags.append("moved")
            person.conditions = clinical.conditions_for(
                rng, person.age, person.heritage in SOUTH_ASIAN
            )
            if 18 <= person.age <= 60 and rng.random() < 0.001:
                self._changed_name_and_sex(person)
        if household.social_tenant and adults:
            for i, person in enumerate(adults):
                person.social_tenant = True
                person.tenancy_role = (
                    "Lead tenant" if i == 0 else "Joint tenant" if i == 1 else "Household member"
                )
            for person in household.members:
                if person.age < 18:
                    person.social_tenant = True
                    person.tenancy_role = "Household member"

    def _changed_name_and_sex(self, person: Person) -> None:
        """A trans person: earlier records carry the earlier name and recorded sex."""
        previous_sex = "male" if person.sex == "female" else "female"
        person.previous_given = self._given(person.heritage, previous_sex, person.dob.year)
        person.previous_sex = previous_sex
        person.tags.append("changed_name_and_sex")
        if clinical.GENDER_DYSPHORIA not in person.conditions and self.rng.random() < 0.6:
            person.conditions.append(clinical.GENDER_DYSPHORIA)
