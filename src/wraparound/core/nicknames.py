"""Nicknames and everyday variants of given names, as British partner systems record them.

A district nurse writes "Peggy Shaw", the GP holds "Margaret Shaw": the same woman. Linkage
needs to know that Peggy is a form of Margaret, and the synthetic generator needs the same
table to make such records, so the table lives here in ``core`` where both may import it.

``FORMS_OF`` is the source table (canonical name -> the other forms people use, in a fixed
order so that the generator stays deterministic). ``NICKNAMES`` is its inverse, the form linkage
wants: every lower-case name, canonical or not, -> the set of canonical names it may stand for
(a canonical name maps to itself). Some forms are ambiguous on purpose: "Chris" may be
Christopher or Christine, "Alex" Alexander or Alexandra, "Harry" Henry or Harold.
"""

FORMS_OF: dict[str, tuple[str, ...]] = {
    # English given names, men
    "albert": ("bert", "bertie", "al"),
    "alexander": ("alex", "sandy", "alec"),
    "alfred": ("alf", "alfie", "fred"),
    "andrew": ("andy", "drew"),
    "anthony": ("tony", "ant"),
    "arthur": ("art", "artie"),
    "benjamin": ("ben", "benny"),
    "bernard": ("bernie",),
    "charles": ("charlie", "chas", "chuck"),
    "christopher": ("chris", "kit"),
    "clifford": ("cliff",),
    "daniel": ("dan", "danny"),
    "david": ("dave", "davey", "davy"),
    "donald": ("don", "donny"),
    "douglas": ("doug", "dougie"),
    "edward": ("ed", "eddie", "ted", "teddy", "ned"),
    "frederick": ("fred", "freddie", "freddy"),
    "geoffrey": ("geoff", "jeff"),
    "gerald": ("gerry", "gerrard"),
    "gregory": ("greg",),
    "harold": ("harry", "hal"),
    "henry": ("harry", "hal", "hank"),
    "james": ("jim", "jimmy", "jamie"),
    "jeremy": ("jerry",),
    "john": ("jack", "johnny", "johnnie"),
    "jonathan": ("jon", "jonny"),
    "joseph": ("joe", "joey"),
    "kenneth": ("ken", "kenny"),
    "lawrence": ("larry", "laurie"),
    "leonard": ("len", "lenny"),
    "leslie": ("les",),
    "matthew": ("matt", "matty"),
    "michael": ("mike", "mick", "micky", "mickey"),
    "nicholas": ("nick", "nicky"),
    "norman": ("norm",),
    "patrick": ("pat", "paddy"),
    "peter": ("pete",),
    "philip": ("phil",),
    "raymond": ("ray",),
    "reginald": ("reg", "reggie"),
    "richard": ("rich", "richie", "rick", "ricky", "dick"),
    "robert": ("bob", "bobby", "rob", "robbie", "bert"),
    "ronald": ("ron", "ronnie"),
    "samuel": ("sam", "sammy"),
    "sidney": ("sid",),
    "stanley": ("stan",),
    "stephen": ("steve", "stevie"),
    "steven": ("steve", "stevie"),
    "terence": ("terry", "tel"),
    "thomas": ("tom", "tommy"),
    "timothy": ("tim", "timmy"),
    "victor": ("vic",),
    "walter": ("wally", "walt"),
    "william": ("bill", "billy", "will", "willie", "liam"),
    "zachary": ("zach", "zack"),
    # English given names, women
    "abigail": ("abby", "abbie"),
    "alexandra": ("alex", "lexie", "sandra"),
    "alison": ("ali",),
    "amanda": ("mandy",),
    "barbara": ("babs", "barb"),
    "beverley": ("bev",),
    "caroline": ("carol", "carrie"),
    "catherine": ("kate", "katie", "cathy", "cath", "kay"),
    "christine": ("chris", "chrissie", "tina"),
    "deborah": ("debbie", "debs", "deb"),
    "dorothy": ("dot", "dottie", "dolly"),
    "eleanor": ("ellie", "nell", "nora"),
    "elizabeth": ("liz", "lizzie", "beth", "betty", "bess", "libby", "eliza"),
    "frances": ("fran", "frankie"),
    "gillian": ("gill", "jill"),
    "gwendoline": ("gwen",),
    "helen": ("nell", "nellie"),
    "jacqueline": ("jackie", "jacqui"),
    "jennifer": ("jenny", "jen", "jenni"),
    "joanne": ("jo",),
    "josephine": ("jo", "josie"),
    "katherine": ("kate", "katie", "kathy", "kath", "kay", "kitty"),
    "kathleen": ("kath", "kathy", "kay"),
    "margaret": ("peggy", "maggie", "meg", "madge", "marge", "margo"),
    "mary": ("molly", "polly", "mae"),
    "nicola": ("nicky", "nikki"),
    "pamela": ("pam",),
    "patricia": ("pat", "patsy", "trish", "tricia"),
    "rebecca": ("becky", "becca"),
    "samantha": ("sam", "sammy"),
    "sandra": ("sandy",),
    "sarah": ("sally", "sadie"),
    "stephanie": ("steph",),
    "susan": ("sue", "susie", "suzy"),
    "valerie": ("val",),
    "victoria": ("vicky", "vicki", "tori"),
    "winifred": ("winnie", "freda"),
    # Spelling variants and short forms of names from other languages, as recorded here
    "mohammed": ("muhammad", "mohammad", "mohamed", "mohd", "mo"),
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


def may_be_same_given_name(a: str, b: str) -> bool:
    """True when two given names share a canonical form (Peggy and Margaret; Bob and Robert)."""
    return bool(canonical_forms(a) & canonical_forms(b))
