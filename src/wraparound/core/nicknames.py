"""Nicknames and everyday variants of given names, as British partner systems record them.

A district nurse writes "Peggy Shaw", the GP holds "Margaret Shaw": the same woman. Linkage,
search and the synthetic generator all need to know that Peggy is a form of Margaret, so the one
table lives here in ``core`` where all of them may import it (Splink has no nickname handling).

``FORMS_OF`` is the source table (canonical name -> the other forms people use, in a fixed
order so that the generator stays deterministic). ``NICKNAMES`` is its inverse, the form linkage
wants: every lower-case name, canonical or not, -> the set of canonical names it may stand for
(a canonical name maps to itself). Some forms are ambiguous on purpose: "Chris" may be
Christopher or Christine, "Alex" Alexander or Alexandra, "Harry" Henry or Harold.
"""

FORMS_OF: dict[str, tuple[str, ...]] = {
    # English given names, men
    "albert": ("bert", "bertie", "al"),
    "alexander": ("alex", "sandy", "alec", "alexandra", "xander"),
    "alfred": ("alf", "alfie", "fred"),
    "andrew": ("andy", "drew"),
    "anthony": ("tony", "ant", "antony"),
    "arthur": ("art", "artie"),
    "benjamin": ("ben", "benny", "benji"),
    "bernard": ("bernie",),
    "charles": ("charlie", "chas", "chuck"),
    "christopher": ("chris", "kit", "topher"),
    "clifford": ("cliff",),
    "daniel": ("dan", "danny"),
    "david": ("dave", "davey", "davy"),
    "donald": ("don", "donny"),
    "douglas": ("doug", "dougie"),
    "edward": ("ed", "eddie", "ted", "teddy", "ned"),
    "frederick": ("fred", "freddie", "freddy"),
    "geoffrey": ("geoff", "jeff"),
    "gerald": ("gerry", "gerrard", "jerry"),
    "gregory": ("greg",),
    "harold": ("harry", "hal"),
    "henry": ("harry", "hal", "hank"),
    "james": ("jim", "jimmy", "jamie", "jimmie"),
    "jeremy": ("jerry",),
    "john": ("jack", "johnny", "johnnie", "jon", "jonny"),
    "jonathan": ("jon", "jonny", "jonty"),
    "joseph": ("joe", "joey", "jo"),
    "kenneth": ("ken", "kenny"),
    "lawrence": ("larry", "laurie", "laurence"),
    "leonard": ("len", "lenny", "leo"),
    "leslie": ("les",),
    "matthew": ("matt", "matty"),
    "michael": ("mike", "mick", "micky", "mickey", "mikey"),
    "nicholas": ("nick", "nicky", "nico"),
    "norman": ("norm",),
    "patrick": ("pat", "paddy"),
    "peter": ("pete",),
    "philip": ("phil", "phillip", "pip"),
    "raymond": ("ray",),
    "reginald": ("reg", "reggie"),
    "richard": ("rich", "richie", "rick", "ricky", "dick"),
    "robert": ("bob", "bobby", "rob", "robbie", "bert"),
    "ronald": ("ron", "ronnie"),
    "samuel": ("sam", "sammy"),
    "sidney": ("sid",),
    "stanley": ("stan",),
    "stephen": ("steve", "stevie", "steven"),
    "steven": ("steve", "stevie"),
    "terence": ("terry", "tel", "terrence"),
    "thomas": ("tom", "tommy"),
    "timothy": ("tim", "timmy"),
    "victor": ("vic",),
    "walter": ("wally", "walt"),
    "william": ("bill", "billy", "will", "willie", "liam", "willy"),
    "zachary": ("zach", "zack"),
    # English given names, women
    "abigail": ("abby", "abbie", "gail"),
    "alexandra": ("alex", "lexie", "sandra"),
    "alison": ("ali",),
    "amanda": ("mandy",),
    "barbara": ("babs", "barb"),
    "beverley": ("bev",),
    "caroline": ("carol", "carrie"),
    "catherine": ("kate", "katie", "cathy", "cath", "kay", "kathryn", "katherine", "kathy", "kat"),
    "christine": ("chris", "chrissie", "tina", "chrissy", "christina"),
    "deborah": ("debbie", "debs", "deb", "debra"),
    "dorothy": ("dot", "dottie", "dolly", "dotty"),
    "eleanor": ("ellie", "nell", "nora", "elle"),
    "elizabeth": ("liz", "lizzie", "beth", "betty", "bess", "libby", "eliza", "lisa", "elsie"),
    "frances": ("fran", "frankie"),
    "gillian": ("gill", "jill", "gilly"),
    "gwendoline": ("gwen",),
    "helen": ("nell", "nellie"),
    "jacqueline": ("jackie", "jacqui"),
    "jennifer": ("jenny", "jen", "jenni"),
    "joanne": ("jo",),
    "josephine": ("jo", "josie"),
    "katherine": ("kate", "katie", "kathy", "kath", "kay", "kitty"),
    "kathleen": ("kath", "kathy", "kay"),
    "margaret": ("peggy", "maggie", "meg", "madge", "marge", "margo", "greta", "molly", "peg"),
    "mary": ("molly", "polly", "mae"),
    "nicola": ("nicky", "nikki"),
    "pamela": ("pam",),
    "patricia": ("pat", "patsy", "trish", "tricia", "patty"),
    "rebecca": ("becky", "becca", "bex"),
    "samantha": ("sam", "sammy", "sammie"),
    "sandra": ("sandy", "sandie"),
    "sarah": ("sally", "sadie", "sara"),
    "stephanie": ("steph",),
    "susan": ("sue", "susie", "suzy", "suzanne"),
    "valerie": ("val",),
    "victoria": ("vicky", "vicki", "tori"),
    "winifred": ("winnie", "freda"),
    # Spelling variants and short forms of names from other languages, as recorded here
    "mohammed": ("muhammad", "mohammad", "mohamed", "mohd", "mo", "muhammed", "mohamad"),
    "abdul": ("abdal",),
    "katarzyna": ("kasia", "kate", "katherine"),
    "malgorzata": ("gosia", "margaret"),
    "aleksandra": ("ola", "alex"),
    "krzysztof": ("krzys", "chris"),
    "wojciech": ("wojtek",),
    "piotr": ("peter",),
    "pawel": ("paul",),
    "agnieszka": ("agnes", "aga"),
    "jakub": ("kuba", "jacob"),
    "rajinder": ("raj",),
    "rajesh": ("raj",),
    "gurpreet": ("preet", "gurp"),
    "harjinder": ("harj",),
    "sukhwinder": ("sukhi", "sukh"),
    "oluwaseun": ("seun",),
    "olumide": ("mide",),
    "chukwuemeka": ("emeka",),
    "sean": ("shaun", "shawn"),
    "siobhan": ("shiv",),
    "padraig": ("patrick", "paddy"),
    # Further English forms linkage has met in partner feeds
    "francis": ("frank",),
    "joshua": ("josh",),
    "judith": ("judy", "judi"),
    "theodore": ("theo",),
    "jessica": ("jess", "jessie"),
    "katrina": ("trina",),
    "emily": ("em", "emmy"),
    "emma": ("emmie",),
    "olivia": ("liv", "livvy"),
    "amelia": ("millie",),
    "mildred": ("milly",),
    "ernest": ("ernie",),
    "gordon": ("gordy",),
    "vincent": ("vince", "vinnie"),
    "jeffrey": ("jeff", "geoff", "geoffrey"),
    "nathaniel": ("nat", "nathan", "nate"),
}


def _inverse(forms_of: dict[str, tuple[str, ...]]) -> dict[str, frozenset[str]]:
    """Every name (canonical or not) -> the canonical names it may stand for."""
    inverse: dict[str, set[str]] = {}
    for canonical, forms in forms_of.items():
        inverse.setdefault(canonical, set()).add(canonical)
        for form in forms:
            inverse.setdefault(form, set()).add(canonical)
    return {name: frozenset(canonicals) for name, canonicals in inverse.items()}


NICKNAMES: dict[str, frozenset[str]] = _inverse(FORMS_OF)


def canonical_forms(given_name: str) -> frozenset[str]:
    """The canonical names a given name may stand for; a name we do not know stands for itself."""
    key = given_name.strip().lower()
    return NICKNAMES.get(key, frozenset({key}))


def _first_claims(forms_of: dict[str, tuple[str, ...]]) -> dict[str, str]:
    """Every name -> one canonical name: itself if canonical, else the first entry listing it.

    Linkage compares one canonical form per record as well as the set, and needs the choice to
    be the same on every run, so the table's order decides ("chris" -> christopher).
    """
    lookup = {canonical: canonical for canonical in forms_of}
    for canonical, forms in forms_of.items():
        for form in forms:
            lookup.setdefault(form, canonical)
    return lookup


NICKNAME_TO_CANONICAL: dict[str, str] = _first_claims(FORMS_OF)


def given_name_forms(name: str) -> list[str]:
    """Sorted canonical names a cleaned, lower-case given name may stand for (itself if none).

    A known short form stands for its full names only ("bill" -> ["william"]); a canonical name
    that is also somebody's short form keeps itself ("alexandra" -> alexander, alexandra).
    """
    forms = set(canonical_forms(name))
    if len(forms) > 1 and name not in FORMS_OF:
        forms.discard(name)
    return sorted(forms)


def may_be_same_given_name(a: str, b: str) -> bool:
    """True when two given names share a canonical form (Peggy and Margaret; Bob and Robert)."""
    return bool(canonical_forms(a) & canonical_forms(b))
