"""Sensitivity by code and by service (issue 9, what-to-build item 3): SNOMED CT and ICD-10
code sets kept as data files, with ranges and dotted or undotted codes; then the names of
services and organisations. Expected categories come from the classifications themselves
(ICD-10 chapter V, B20-B24, A50-A64...), written here by hand."""

from pathlib import Path

import pytest

from wraparound.sources import code_sets, sensitivity
from wraparound.sources.actions import guess_partner
from wraparound.sources.code_sets import CodeSetError

SNOMED = "http://snomed.info/sct"
ICD10 = "http://hl7.org/fhir/sid/icd-10"


@pytest.mark.parametrize(
    ("system", "code", "category"),
    [
        (SNOMED, "35489007", "mental_health"),  # depressive disorder
        (SNOMED, "58214004", "mental_health"),  # schizophrenia
        (SNOMED, "86406008", "hiv"),
        (SNOMED, "165816005", "hiv"),  # HIV positive
        (SNOMED, "66590003", "substance_misuse"),  # alcohol dependence
        (SNOMED, "75544000", "substance_misuse"),  # opioid dependence
        (SNOMED, "93461009", "gender_identity"),  # gender dysphoria
        (SNOMED, "105629000", "sexual_health"),  # chlamydial infection
        (SNOMED, "38341003", ""),  # hypertension
        (SNOMED, "52448006", ""),  # dementia: shared for frailty care
        (ICD10, "F32.1", "mental_health"),
        (ICD10, "F321", "mental_health"),
        (ICD10, "f32.1", "mental_health"),
        (ICD10, "F20", "mental_health"),
        (ICD10, "F41.1", "mental_health"),
        (ICD10, "F10.2", "substance_misuse"),
        (ICD10, "F19", "substance_misuse"),
        (ICD10, "F64.0", "gender_identity"),
        (ICD10, "B20", "hiv"),
        (ICD10, "B24", "hiv"),
        (ICD10, "Z21", "hiv"),
        (ICD10, "A56.0", "sexual_health"),  # chlamydia
        (ICD10, "A54", "sexual_health"),  # gonorrhoea
        (ICD10, "Z30.1", "sexual_health"),  # contraception
        (ICD10, "O04", "sexual_health"),  # medical abortion
        (ICD10, "T74.1", "safeguarding"),  # physical abuse
        (ICD10, "Z61.5", "safeguarding"),
        (ICD10, "X78", "mental_health"),  # intentional self-harm
        (ICD10, "F03", ""),  # dementia
        (ICD10, "F84.0", ""),  # autism
        (ICD10, "I10", ""),  # hypertension
        ("http://hl7.org/fhir/sid/icd-10-uk", "F32.9", "mental_health"),
        ("http://hl7.org/fhir/sid/icd-10-cm", "F32.A", "mental_health"),
        ("", "F33.1", "mental_health"),  # a CSV code column: ICD-10 by its shape
        ("", "86406008", "hiv"),  # a CSV code column: SNOMED CT by its shape
        ("", "rent_arrears", ""),
        ("http://loinc.org", "F32", ""),  # another system's code that looks like ICD-10
        (sensitivity.SECURITY_SYSTEM, "PSY", "mental_health"),
        (sensitivity.SECURITY_SYSTEM, "HIV", "hiv"),
        (sensitivity.SECURITY_SYSTEM, "ETH", "substance_misuse"),
        (sensitivity.SECURITY_SYSTEM, "SDV", "safeguarding"),
    ],
)
def test_codes_are_classified_by_their_system(system, code, category):
    assert sensitivity.code_category(code, system) == category


def test_a_code_decides_even_when_the_words_say_nothing():
    assert sensitivity.category_for(codes=[(ICD10, "F32.1")], words="Review") == "mental_health"


@pytest.mark.parametrize(
    ("name", "category"),
    [
        ("Wulfrun CAMHS", "mental_health"),
        ("NHS Talking Therapies North", "mental_health"),
        ("IAPT service", "mental_health"),
        ("Community Mental Health Team West", "mental_health"),
        ("Crisis Resolution and Home Treatment", "mental_health"),
        ("Early Intervention in Psychosis", "mental_health"),
        ("Brookside GUM Clinic", "sexual_health"),
        ("Integrated Sexual Health Service", "sexual_health"),
        ("Sexual Assault Referral Centre", "sexual_health"),
        ("HIV outpatients", "hiv"),
        ("Gender Identity Clinic", "gender_identity"),
        ("Change Grow Live Wolverhampton", "substance_misuse"),
        ("Recovery Near You", "substance_misuse"),
        ("Drug and Alcohol Service", "substance_misuse"),
        ("Multi-Agency Safeguarding Hub", "safeguarding"),
        ("camhs", "mental_health"),
        ("gum_clinic", "sexual_health"),
        ("Oak Tree Surgery", ""),
        ("Heronsgate District Nursing Team", ""),
        ("Brookhill Surgery", ""),
        ("City Homes", ""),
    ],
)
def test_service_names_reveal_their_category(name, category):
    assert sensitivity.service_category(name) == category


def test_a_service_decides_even_when_the_words_say_nothing():
    assert (
        sensitivity.category_for(services=["Brookside GUM Clinic"], words="Follow-up booked")
        == "sexual_health"
    )


def test_the_packaged_code_sets_name_their_source_and_load():
    for name in ("snomed.csv", "icd10.csv", "services.csv"):
        comments = [
            line for line in (code_sets.HERE / name).read_text().splitlines() if line[:1] == "#"
        ]
        assert any(line.startswith("# Source") for line in comments), name
    sets = code_sets.read()
    assert sets.icd10["F25"] == "mental_health"  # expanded from the range F20-F29
    assert sets.snomed["86406008"] == "hiv"


def _write_sets(folder: Path, *, snomed="", icd10="", services="") -> Path:
    (folder / "snomed.csv").write_text("code,description,category\n" + snomed)
    (folder / "icd10.csv").write_text("# a comment\ncode,description,category\n" + icd10)
    (folder / "services.csv").write_text("words,category,note\n" + services)
    return folder


def test_a_steward_can_add_codes_and_ranges(tmp_path):
    sets = code_sets.read(
        _write_sets(
            tmp_path,
            snomed="123456789,Made-up concept,hiv\n",
            icd10="Z61.4-Z61.6,Child abuse problems,safeguarding\n",
            services="Wellbeing Hub,mental_health,\n",
        )
    )
    assert sets.snomed == {"123456789": "hiv"}
    assert sets.icd10 == {"Z614": "safeguarding", "Z615": "safeguarding", "Z616": "safeguarding"}
    assert sets.services == (("wellbeing hub", "mental_health"),)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"snomed": "123,Thing,private\n"}, "snomed.csv line 2: category 'private'"),
        ({"snomed": "12a,Thing,hiv\n"}, "'12a' is not a SNOMED CT id"),
        ({"icd10": "F99-F10,Backwards,mental_health\n"}, "runs backwards"),
        ({"icd10": "Hello,Not a code,mental_health\n"}, "is not an ICD-10 code"),
        ({"icd10": "F10-G10,Two letters,mental_health\n"}, "within one letter"),
        ({"services": ",mental_health,\n"}, "no words"),
    ],
)
def test_a_broken_code_set_refuses_loudly_naming_the_line(tmp_path, kwargs, message):
    with pytest.raises(CodeSetError, match=message):
        code_sets.read(_write_sets(tmp_path, **kwargs))


@pytest.mark.parametrize(
    ("name", "partner"),
    [
        ("camhs", "mental_health"),
        ("iapt", "mental_health"),
        ("talking-therapies", "mental_health"),
        ("community_camhs", "mental_health"),  # not "community"
        ("gum_clinic", "other"),  # withheld until the steward classifies it
        ("sexual_health", "other"),
        ("hiv_hospital", "other"),  # not "acute"
        ("cgl", "other"),
        ("gp", "gp"),
        ("housing-north", "housing"),
    ],
)
def test_a_sensitive_service_name_is_never_guessed_as_an_ordinary_partner(name, partner):
    assert guess_partner(name) == partner
