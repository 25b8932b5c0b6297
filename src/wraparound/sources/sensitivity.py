"""Which sensitive category (if any) an event belongs to.

The sharing agreement may withhold mental health, sexual health, safeguarding, substance
misuse, HIV and gender identity detail whatever the partner. Ingest decides the category once,
at the door, so every later screen and export can rely on ``Event.sensitive_category`` instead
of re-reading codes. We err on the side of withholding: a SNOMED CT code on the lists below, or
a keyword in the code's words, marks the event; and clinical detail from a mental health trust
counts as mental health detail whatever it says.

The lists are short and deliberately plain: a starting point a data steward can read and extend,
not a terminology service.
"""

import re

from wraparound.sources.models import Partner, SensitiveCategory

# SNOMED CT concept ids (disorders and findings) per category.
SNOMED_CODES: dict[SensitiveCategory, frozenset[str]] = {
    SensitiveCategory.MENTAL_HEALTH: frozenset(
        {
            "35489007",  # Depressive disorder
            "370143000",  # Major depressive disorder
            "36923009",  # Major depression, single episode
            "197480006",  # Anxiety disorder
            "58214004",  # Schizophrenia
            "13746004",  # Bipolar disorder
            "47505003",  # Posttraumatic stress disorder
            "69322001",  # Psychotic disorder
            "74732009",  # Mental disorder
        }
    ),
    SensitiveCategory.SUBSTANCE_MISUSE: frozenset(
        {
            "7200002",  # Alcoholism
            "66590003",  # Alcohol dependence
            "15167005",  # Alcohol abuse
            "26416006",  # Drug abuse
            "191816009",  # Drug dependence
            "55680006",  # Drug overdose
            "5602001",  # Opioid abuse
            "75544000",  # Opioid dependence
        }
    ),
    SensitiveCategory.HIV: frozenset(
        {
            "86406008",  # Human immunodeficiency virus infection
            "165816005",  # HIV positive
            "62479008",  # Acquired immune deficiency syndrome
        }
    ),
    SensitiveCategory.SEXUAL_HEALTH: frozenset(
        {
            "8098009",  # Sexually transmitted infectious disease
            "105629000",  # Chlamydial infection
            "15628003",  # Gonorrhoea
            "76272004",  # Syphilis
            "33839006",  # Genital herpes simplex
        }
    ),
    SensitiveCategory.GENDER_IDENTITY: frozenset(
        {
            "93461009",  # Gender dysphoria
            "407377005",  # Female-to-male transsexual
            "407376001",  # Male-to-female transsexual
        }
    ),
    SensitiveCategory.SAFEGUARDING: frozenset(),
}

# Keywords (matched on word starts, case-insensitive). Order matters: substance misuse is
# checked before safeguarding so "drug abuse" is not read as abuse of a person. "AIDS" alone is
# left out on purpose: "walking aids" and "hearing aids" are everyday social care words.
KEYWORDS: tuple[tuple[SensitiveCategory, tuple[str, ...]], ...] = (
    (
        SensitiveCategory.HIV,
        (r"hiv", r"human immunodeficiency virus", r"acquired immun\w* deficiency"),
    ),
    (
        SensitiveCategory.SUBSTANCE_MISUSE,
        (
            r"alcohol (?:abuse|dependence|misuse)",
            r"alcoholism",
            r"drug (?:abuse|dependence|misuse|overdose)",
            r"opioid (?:abuse|dependence)",
            r"substance (?:abuse|misuse|use disorder)",
            r"heroin",
            r"methadone",
        ),
    ),
    (
        SensitiveCategory.GENDER_IDENTITY,
        (r"gender dysphoria", r"gender identity", r"transgender", r"gender reassignment"),
    ),
    (
        SensitiveCategory.SEXUAL_HEALTH,
        (
            r"sexually transmitted",
            r"sexual health",
            r"chlamydia",
            r"gonorrh",
            r"syphilis",
            r"genital",
            r"contracept",
            r"termination of pregnancy",
        ),
    ),
    (
        SensitiveCategory.SAFEGUARDING,
        (
            r"safeguarding",
            r"child protection",
            r"domestic (?:abuse|violence)",
            r"intimate partner abuse",
            r"victim of (?:abuse|assault|violence)",
            r"self-neglect",
            r"modern slavery",
        ),
    ),
    (
        SensitiveCategory.MENTAL_HEALTH,
        (
            r"mental health",
            r"mental disorder",
            r"depressi",
            r"anxiety disorder",
            r"schizo",
            r"bipolar",
            r"psychos[ie]s",
            r"psychotic",
            r"psychiatr",
            r"post-?traumatic stress",
            r"self-harm",
            r"suicid",
            r"eating disorder",
            r"anorexia nervosa",
            r"personality disorder",
        ),
    ),
)

_PATTERNS = tuple(
    (category, re.compile(r"\b(?:" + "|".join(words) + r")", re.IGNORECASE))
    for category, words in KEYWORDS
)
# Plain substrings, one of which every keyword contains: a fast first look (most event text
# mentions none of them) before the regular expressions above are tried.
ANCHORS = (
    "hiv",
    "immun",
    "alcohol",
    "drug",
    "opioid",
    "substance",
    "heroin",
    "methadone",
    "gender",
    "sexual",
    "chlamydia",
    "gonorrh",
    "syphilis",
    "genital",
    "contracept",
    "termination",
    "safeguarding",
    "protection",
    "domestic",
    "partner abuse",
    "victim",
    "neglect",
    "slavery",
    "mental",
    "depressi",
    "anxiety",
    "schizo",
    "bipolar",
    "psych",
    "traumatic",
    "self-harm",
    "suicid",
    "eating",
    "anorexia",
    "personality",
)
_CODE_TO_CATEGORY = {code: category for category, codes in SNOMED_CODES.items() for code in codes}


def _mentions_anchor(lowered: str) -> bool:
    for anchor in ANCHORS:
        if anchor in lowered:
            return True
    return False


def category_for(
    *, snomed_codes: list[str] = (), words: str = "", partner: str = "", clinical: bool = True
) -> str:
    """The sensitive category for an event, or "" when it is not sensitive.

    ``partner`` is the source's partner kind: a mental health trust's clinical detail (anything
    about a person) counts as mental health detail unless a more specific category applies.
    """
    for code in snomed_codes:
        category = _CODE_TO_CATEGORY.get(code)
        if category:
            return category.value
    if words and _mentions_anchor(words.lower()):
        for category, pattern in _PATTERNS:
            if pattern.search(words):
                return category.value
    if clinical and partner == Partner.MENTAL_HEALTH:
        return SensitiveCategory.MENTAL_HEALTH.value
    return ""


def is_category(code: str) -> bool:
    """True for a sensitive category code an activity CSV may put in its ``category`` column."""
    return code in SensitiveCategory.values
