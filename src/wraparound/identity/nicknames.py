"""Nicknames and short forms that people and partners use for the same given name.

Splink has no nickname handling (PITFALLS.md), so the linkage model compares the *canonical*
forms of each record's given name as well as the name as written: "Bill" and "William" both
stand for "william". The shared table is ``wraparound.core.nicknames`` (the synthetic generator
uses it too); this module adds a few forms it lacks and answers, for linkage, "which canonical
names may this given name stand for?" ("Harry" may be Henry or Harold).
"""

from wraparound.core.nicknames import canonical_forms

# canonical name -> the short forms and variants that mean it
NICKNAMES: dict[str, tuple[str, ...]] = {
    "abigail": ("abby", "abbie", "gail"),
    "alexander": ("alex", "alexandra", "sandy", "xander"),
    "andrew": ("andy", "drew"),
    "anthony": ("tony", "antony"),
    "barbara": ("barb", "babs"),
    "benjamin": ("ben", "benny", "benji"),
    "bernard": ("bernie",),
    "catherine": ("cathy", "cath", "kate", "katie", "kathryn", "katherine", "kathy", "kat", "kay"),
    "charles": ("charlie", "chas", "chuck"),
    "christine": ("chris", "chrissy", "christina", "tina"),
    "christopher": ("kit", "topher"),
    "daniel": ("dan", "danny"),
    "david": ("dave", "davy", "davey"),
    "deborah": ("debbie", "debra", "deb"),
    "dorothy": ("dot", "dotty", "dottie", "dolly"),
    "edward": ("ed", "eddie", "ted", "teddy", "ned"),
    "elizabeth": ("liz", "lizzie", "beth", "betty", "bess", "eliza", "libby", "lisa", "elsie"),
    "eleanor": ("ellie", "nell", "nora", "elle"),
    "frances": ("fran", "frankie"),
    "francis": ("frank",),
    "frederick": ("fred", "freddie", "freddy"),
    "gerald": ("gerry", "jerry"),
    "gregory": ("greg",),
    "harold": ("harry", "hal"),
    "henry": ("hank",),
    "jacqueline": ("jackie", "jacqui"),
    "james": ("jim", "jimmy", "jamie", "jimmie"),
    "jennifer": ("jen", "jenny", "jenni"),
    "john": ("jack", "johnny", "jon", "jonny"),
    "jonathan": ("jonty",),
    "joseph": ("joe", "joey", "jo"),
    "joshua": ("josh",),
    "judith": ("judy", "judi"),
    "kenneth": ("ken", "kenny"),
    "lawrence": ("larry", "laurie", "laurence"),
    "leonard": ("len", "lenny", "leo"),
    "margaret": ("maggie", "meg", "peggy", "madge", "margo", "marge", "greta", "molly", "peg"),
    "matthew": ("matt", "matty"),
    "michael": ("mike", "mick", "mickey", "micky", "mikey"),
    "nicholas": ("nick", "nicky", "nico"),
    "patricia": ("pat", "patty", "trish", "tricia", "patsy"),
    "patrick": ("paddy",),
    "peter": ("pete",),
    "philip": ("phil", "phillip", "pip"),
    "rebecca": ("becky", "becca", "bex"),
    "richard": ("rich", "rick", "ricky", "dick", "richie"),
    "robert": ("rob", "bob", "bobby", "robbie", "bert"),
    "ronald": ("ron", "ronnie"),
    "samuel": ("sam", "sammy"),
    "samantha": ("sammie",),
    "sarah": ("sara", "sally", "sadie"),
    "stephen": ("steve", "steven", "stevie"),
    "susan": ("sue", "susie", "suzy", "suzanne"),
    "terence": ("terry", "terrence"),
    "theodore": ("theo",),
    "thomas": ("tom", "tommy"),
    "timothy": ("tim", "timmy"),
    "victoria": ("vicky", "vicki", "tori"),
    "walter": ("walt", "wally"),
    "william": ("will", "bill", "billy", "willie", "liam", "willy"),
    "zachary": ("zach", "zack"),
    "jessica": ("jess", "jessie"),
    "josephine": ("josie",),
    "katrina": ("trina",),
    "emily": ("em", "emmy"),
    "emma": ("emmie",),
    "olivia": ("liv", "livvy"),
    "amelia": ("millie",),
    "mildred": ("milly",),
    "alfred": ("alf", "alfie", "fred"),
    "albert": ("bertie",),
    "arthur": ("art", "artie"),
    "ernest": ("ernie",),
    "donald": ("don", "donny"),
    "douglas": ("doug", "dougie"),
    "gordon": ("gordy",),
    "raymond": ("ray",),
    "stanley": ("stan",),
    "vincent": ("vince", "vinnie"),
    "gillian": ("gill", "jill", "gilly"),
    "pamela": ("pam",),
    "sandra": ("sandie",),
    "valerie": ("val",),
    "jeffrey": ("jeff", "geoff", "geoffrey"),
    "nathaniel": ("nat", "nathan", "nate"),
    "mohammed": ("mohammad", "muhammad", "mohamed", "muhammed", "mohamad"),
}


def _build_lookup() -> dict[str, str]:
    lookup: dict[str, str] = {}
    for canonical, variants in NICKNAMES.items():
        lookup[canonical] = canonical
        for variant in variants:
            # First claim wins, so a variant listed twice keeps one meaning (no silent overwrite).
            lookup.setdefault(variant, canonical)
    return lookup


NICKNAME_TO_CANONICAL: dict[str, str] = _build_lookup()


def given_name_forms(name: str) -> list[str]:
    """Sorted canonical names a cleaned, lower-case given name may stand for (itself if none)."""
    forms = set(canonical_forms(name)) | {NICKNAME_TO_CANONICAL.get(name, name)}
    if len(forms) > 1 and name not in NICKNAMES and name not in _CORE_CANONICAL:
        # A known short form stands for its full names only, not also for itself.
        forms.discard(name)
    return sorted(forms)


_CORE_CANONICAL = frozenset(
    name for name in NICKNAME_TO_CANONICAL if canonical_forms(name) == {name}
)
