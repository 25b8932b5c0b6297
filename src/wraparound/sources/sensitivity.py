"""Which sensitive category (if any) an event belongs to: decided once, at ingest, failing closed.

The sharing agreement may withhold mental health, sexual health, safeguarding, substance
misuse, HIV and gender identity detail whatever the partner. Ingest decides the category once,
at the door, so every later screen and export can rely on ``Event.sensitive_category``
(``wraparound reclassify`` decides again for stored events after the rules change).

In order of how much we trust them:

1. **Codes**: SNOMED CT concept ids and ICD-10 codes on the lists in ``code_sets/`` (data files
   a data steward extends), and HL7 confidentiality labels a partner put in ``meta.security``.
2. **Services**: the organisation, team, location, service type or specialty an event names
   (and the feed's own name): a GUM clinic's or a CAMHS team's events are in its category,
   whatever they say (``code_sets/services.csv``).
3. **Text**: many wordings of each category in the event's words ("Attends IAPT", "PrEP at GUM
   clinic", "is transitioning", "sectioned under MHA s2", "sertraline"...), below.
4. **Partner**: clinical detail about a person from a mental health trust is mental health
   detail whatever it says.

Every step is tried and the *most restricted* category found wins (``PRIORITY``: the one the
fewest roles may see), so a code for alcohol dependence does not hide a note that also says
HIV. We err on the side of withholding: a wording that is usually sensitive is flagged even
where it sometimes is not ("depressed" in an ECG report); the few everyday words that would
flag half of all notes are left out on purpose and named in the tests
(``tests/unit/test_sensitivity_wordings.py``): walking and hearing aids, "transition to adult
services", "termination of tenancy", "alcohol gel", menopause HRT.

Decisions (documented for the data steward in ``docs/governance.md``):
- Dementia, delirium, learning disability and autism are not sensitive categories: they are
  shared for frailty care and reasonable adjustments (their ICD-10 codes are left out too).
- The Mental Capacity Act and DoLS are about capacity and care arrangements, not mental
  health: not flagged ("mental capacity" is excluded from "mental ...").
- Antidepressants, antipsychotics, lithium and ADHD medicines are mental health detail; but
  amitriptyline, nortriptyline and duloxetine (mostly prescribed for pain here) and haloperidol
  (end-of-life care) are not. Buprenorphine and naloxone are substance misuse, patches too.
- PrEP and PEP are sexual health; a sexual assault (and a SARC) is sexual health, the more
  restricted of sexual health and safeguarding.
- "GUM" in capitals is a sexual health clinic; lower-case "gum" only with clinic-like words
  ("gum clinic", "seen at gum"), so "bleeding gums" is not flagged. "LAC" and "CIN" in capitals
  are flagged as safeguarding (looked-after child, child in need), whatever else they mean.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

from wraparound.sources import code_sets
from wraparound.sources.models import Partner, SensitiveCategory

SNOMED_SYSTEM = "http://snomed.info/sct"
ICD10_SYSTEM_PREFIX = "http://hl7.org/fhir/sid/icd-10"  # icd-10, icd-10-uk, icd-10-cm, ...
SECURITY_SYSTEM = "http://terminology.hl7.org/CodeSystem/v3-ActCode"

# Most restricted first: the categories the fewest roles may see under the agreement.
PRIORITY = (
    SensitiveCategory.HIV.value,
    SensitiveCategory.GENDER_IDENTITY.value,
    SensitiveCategory.SEXUAL_HEALTH.value,
    SensitiveCategory.MENTAL_HEALTH.value,
    SensitiveCategory.SUBSTANCE_MISUSE.value,
    SensitiveCategory.SAFEGUARDING.value,
)
_RANK = {category: rank for rank, category in enumerate(PRIORITY)}

# HL7 v3 ActCode information sensitivity labels a partner may put in ``meta.security``.
SECURITY_LABELS = {
    "PSY": SensitiveCategory.MENTAL_HEALTH.value,
    "PSYTHPN": SensitiveCategory.MENTAL_HEALTH.value,
    "MH": SensitiveCategory.MENTAL_HEALTH.value,
    "ETH": SensitiveCategory.SUBSTANCE_MISUSE.value,
    "ETHUD": SensitiveCategory.SUBSTANCE_MISUSE.value,
    "SUD": SensitiveCategory.SUBSTANCE_MISUSE.value,
    "OPIOIDUD": SensitiveCategory.SUBSTANCE_MISUSE.value,
    "HIV": SensitiveCategory.HIV.value,
    "SEX": SensitiveCategory.SEXUAL_HEALTH.value,
    "STD": SensitiveCategory.SEXUAL_HEALTH.value,
    "SDV": SensitiveCategory.SAFEGUARDING.value,
}

# --- 3. text ---------------------------------------------------------------------------------
# Each rule is (anchor, pattern): the pattern is tried only when the anchor (a plain substring
# of every text the pattern matches) occurs in the text, so most event text costs a few
# substring checks. Lower-case anchors are looked for in the lower-cased text and their
# patterns match ignoring case; an anchor with a capital letter is an abbreviation matched
# exactly as written ("GUM", "PrEP", "LAC"). Patterns are matched on word starts.
_ANTIDEPRESSANTS = (
    "sertraline citalopram escitalopram fluoxetine paroxetine fluvoxamine venlafaxine mirtazapine trazodone "
    "vortioxetine agomelatine phenelzine moclobemide tranylcypromine isocarboxazid clomipramine "
    "imipramine dosulepin dothiepin lofepramine trimipramine doxepin reboxetine prozac cipralex"
)
_ANTIPSYCHOTICS = (
    "olanzapine risperidone quetiapine aripiprazole clozapine amisulpride sulpiride lurasidone "
    "paliperidone zuclopenthixol flupentixol chlorpromazine cariprazine asenapine ziprasidone "
    "trifluoperazine pericyazine fluphenazine pimozide clopixol depixol abilify zyprexa seroquel "
    "risperdal clozaril denzapine zaponex xeplion invega priadel camcolit liskonum"
)
_ADHD_MEDICINES = (
    "methylphenidate lisdexamfetamine dexamfetamine atomoxetine guanfacine ritalin concerta "
    "elvanse equasym medikinet xaggitin"
)
_HIV_MEDICINES = (
    "antiretroviral dolutegravir bictegravir raltegravir elvitegravir cabotegravir biktarvy "
    "triumeq genvoya truvada descovy efavirenz darunavir rilpivirine emtricitabine tenofovir "
    "odefsey atripla eviplera symtuza dovato juluca vocabria nevirapine lamivudine zidovudine"
)
_SUBSTANCE_MEDICINES = (
    "methadone physeptone buprenorphine subutex suboxone espranor buvidal naloxone prenoxad "
    "nyxoid naltrexone nalmefene acamprosate disulfiram antabuse chlordiazepoxide pabrinex"
)


def _words(names: str) -> list[tuple[str, str]]:
    """Medicine names: each its own anchor, matched from a word start ("Sertraline 50mg")."""
    return [(name, rf"\b{name}") for name in names.split()]


TEXT_RULES: dict[str, list[tuple[str, str]]] = {
    SensitiveCategory.HIV.value: [
        ("hiv", r"\bhiv"),
        ("immun", r"\bhuman immuno-?deficiency|\bacquired immun\w*[ -]deficiency"),
        (
            "aids",
            r"\baids[- ](?:related|defining|diagnos\w*|dementia)"
            r"|\b(?:has|with|diagnosed with|living with|died of|advanced|full-blown)\s+aids\b",
        ),
        # "AIDS" in capitals, but not "WALKING AIDS" / "HEARING AIDS" written in capitals.
        ("AIDS", r"(?<![A-Z] )(?<![a-z]ing )\bAIDS\b"),
        ("cd4", r"\bcd4\b"),
        ("viral load", r"\bviral load"),
        ("terrence higgins", r"\bterrence higgins"),
        *_words(_HIV_MEDICINES),
    ],
    SensitiveCategory.GENDER_IDENTITY.value: [
        (
            "gender",
            r"\bgender[- ](?:dysphori|identity|reassign|affirm|recognition|incongruen|clinic"
            r"|service|transition|fluid|queer|non-?conform|diverse|variant|questioning|change"
            r"|swap|expression)"
            r"|\bgenderqueer|\bagender\b|\b(?:affirmed|acquired|birth|true|preferred|chosen|new"
            r"|other) gender\b|\bgender\b[^.;\n]{0,20}\bhrt\b|\bhrt\b[^.;\n]{0,20}\bgender",
        ),
        ("transgender", r"transgender"),
        ("trans", r"\btrans-?sexual"),
        (
            "trans",
            r"\btrans[- ]?(?:wom[ae]n|m[ae]n|female|male|girls?|boys?|person|people|patient"
            r"|client|tenant|youth|young|child|kids?|identit\w*|status|community|masc\w*"
            r"|fem\w*)\b|\btrans\b(?!-)(?!\s+fats?\b)",
        ),
        (
            "transition",
            r"\btransition(?:ing|ed|s)?\b"
            r"(?!\s+(?:to|from|into|between|of|onto|back)\s+(?:adult|child|paediatric|pediatric"
            r"|residential|nursing|care|hospital|home|community|secondary|primary|school|college"
            r"|university|the|a|an|new|services?|supported|independent|extra|palliative|end"
            r"|sheltered|work|employment|universal|long|oral|solid|insulin|iv|tablets?)\b)"
            r"(?!\s+(?:plans?|planning|meetings?|workers?|teams?|period|care|arrangements"
            r"|services?|reviews?|visits?|pathway|protocol|funding|point)\b)",
        ),
        ("binary", r"\bnon-?binary\b"),
        ("nonbinary", r"\bnonbinary\b"),
        ("agender", r"\bagender\b"),
        (
            "hormone",
            r"\b(?:cross-sex|gender[- ]affirming|feminising|feminizing|masculinising"
            r"|masculinizing)\s+hormone",
        ),
        ("puberty", r"\bpuberty blocker"),
        ("top", r"\btop surgery"),
        ("bottom", r"\bbottom surgery"),
        ("chest", r"\bchest binding"),
        ("dead", r"\bdead-?nam"),
        ("tavistock", r"\btavistock"),
        ("sex", r"\bsex[- ]change|\bsex reassign"),
        ("assigned", r"\bassigned (?:male|female) at birth"),
        ("GIC", r"\bGIC\b"),
        ("GIDS", r"\bGIDS\b"),
        ("AMAB", r"\bAMAB\b"),
        ("AFAB", r"\bAFAB\b"),
        ("MtF", r"\bMtF\b"),
        ("MTF", r"\bMTF\b"),
        ("FtM", r"\bFtM\b"),
        ("FTM", r"\bFTM\b"),
    ],
    SensitiveCategory.SEXUAL_HEALTH.value: [
        ("sexual", r"\bsexual(?:ly|ity)?\b"),
        *[(f"{p}sexual", rf"\b{p}sexual(?:ity)?\b") for p in ("a", "bi", "homo", "hetero", "pan")],
        ("STI", r"\bSTIs?\b"),
        ("STD", r"\bSTDs?\b"),
        ("GUM", r"\bGUM\b"),
        (
            "gum",
            r"\bgum (?:clinic|service|department|medicine|appointment|screen\w*|test\w*"
            r"|referral|team|doctor|nurse|consultant|follow)|\b(?:at|to|attends|attended) gum\b"
            r"(?! (?:line|margin|disease|bleed\w*|infection|recession))",
        ),
        ("genito", r"\bgenito-?urinary"),
        ("chlamydi", r"\bchlamydi"),
        ("gonor", r"\bgonor|\bgonococc"),
        ("gonococc", r"\bgonococc"),
        ("syphili", r"\bsyphili"),
        ("trichomon", r"\btrichomon"),
        ("genital", r"\bgenital"),
        ("anogenital", r"\banogenital"),
        ("herpes", r"\bherpes simplex (?:type )?(?:2|ii)\b"),
        ("hsv", r"\bhsv-?2\b"),
        ("contracep", r"\bcontracep"),
        (
            "coil",
            r"\bcoil (?:fitted|fitting|inserted|insertion|removal|removed|check)"
            r"|\b(?:copper|hormonal) coil",
        ),
        ("IUD", r"\bIUDs?\b"),
        ("IUS", r"\bIUS\b"),
        ("iud", r"\biud\b"),
        ("mirena", r"\bmirena"),
        ("nexplanon", r"\bnexplanon"),
        ("implanon", r"\bimplanon"),
        ("depo", r"\bdepo-?provera|\bdepo injection"),
        ("sayana", r"\bsayana"),
        ("morning", r"\bmorning[- ]after pill"),
        ("pill", r"\b(?:contraceptive|combined|progestogen-only|mini|the) pill\b"),
        ("levonorgestrel", r"\blevonorgestrel"),
        ("ulipristal", r"\bulipristal"),
        ("ellaone", r"\bellaone"),
        (
            "terminat",
            r"\btermination of (?:a |her |the |this )?pregnanc|\b(?:medical|surgical)"
            r" termination\b",
        ),
        ("abortion", r"\babortions?\b"),
        ("bpas", r"\bbpas\b"),
        ("stopes", r"\bmarie stopes"),
        ("pregnancy advisory", r"\bpregnancy advisory"),
        (
            "pregnan",
            r"\b(?:unplanned|unwanted|crisis|teenage|unintended) pregnanc"
            r"|\bpregnan\w*\b[^.;\n]{0,30}\bterminat",
        ),
        ("gay", r"\bgay\b"),
        ("lesbian", r"\blesbian"),
        ("lgbt", r"\blgbt"),
        ("queer", r"\bqueer\b"),
        ("ivf", r"\bivf\b"),
        ("vitro", r"\bin vitro fertili"),
        ("fertility", r"\bfertility (?:treatment|clinic|service)"),
        ("PrEP", r"\bPrEP\b"),
        ("PreP", r"\bPreP\b"),
        ("PEP", r"\bPEP(?:SE)?\b"),
        ("exposure prophylaxis", r"\b(?:pre|post)-?\s?exposure prophylaxis"),
        ("rape", r"\brape[ds]?\b"),
        ("rapist", r"\brapists?\b"),
        ("indecent", r"\bindecent (?:assault|exposure|images)"),
        ("SARC", r"\bSARC\b"),
        ("ISVA", r"\bISVA\b"),
        ("isva", r"\bisva\b"),
        ("sex", r"\bsex[- ]?work(?:er|ers|ing)?\b|\bsex industry|\bsells? sex\b"),
        ("prostitut", r"\bprostitut"),
        ("escort", r"\bescort work"),
        ("chemsex", r"\bchemsex"),
        ("partner notification", r"\bpartner notification"),
        ("brook", r"\bbrook (?:clinic|advisory|centre|service)"),
    ],
    SensitiveCategory.MENTAL_HEALTH.value: [
        ("mental", r"\bmental(?:ly)?\b(?!\s+capacity)(?!-capacity)"),
        ("mha", r"\bmha\b"),
        (
            "section",
            r"\bsection(?:ed|able)\b|\bsection\s*(?:2|3|4|5|17|35|36|37|41|135|136|117)\b"
            r"(?!\s*(?:of|\.\d|\(\d))",
        ),
        ("136", r"\bs\.?\s?136\b"),
        ("s136", r"\bs136\b"),
        ("135", r"\bs\.?\s?135\b"),
        ("s135", r"\bs135\b"),
        ("117", r"\bs\.?\s?117\b"),
        ("s117", r"\bs117\b"),
        ("s17", r"\bs\.?\s?17 leave"),
        ("17", r"\bs\.?\s?17 leave"),
        (
            "detain",
            r"\bdetained (?:under|in hospital|on a section|in a place of safety|by police under)"
            r"|\bdetention under",
        ),
        ("CTO", r"\bCTO\b"),
        ("treatment order", r"\bcommunity treatment order"),
        ("amhp", r"\bamhp"),
        ("place of safety", r"\bplace of safety"),
        ("iapt", r"\biapt\b"),
        ("talking therap", r"\btalking therap"),
        ("psych", r"\bpsych"),
        ("schizo", r"\bschizo"),
        ("bipolar", r"\bbipolar"),
        ("mani", r"\bmani(?:a|c)\b"),
        ("hypomani", r"\bhypomani(?:a|c)\b"),
        ("depress", r"\bdepress"),
        ("antidepress", r"antidepress"),
        ("mood", r"\blow (?:in )?mood\b|\bmood (?:disorder|swings|low|stabili[sz]er)"),
        ("anxi", r"\banxiety\b"),
        ("GAD", r"\bGAD\b"),
        ("panic", r"\bpanic (?:attack|disorder)"),
        ("OCD", r"\bOCD\b"),
        ("obsessive", r"\bobsessive[- ]compulsive"),
        ("ptsd", r"\bc?-?ptsd\b"),
        ("traumatic", r"\bpost-?\s?traumatic stress"),
        ("self", r"\bself[- ]?(?:harm|injur|cut|poison|inflicted|destruct)"),
        ("suicid", r"\bsuicid"),
        ("parasuicid", r"\bparasuicid"),
        ("overdos", r"\boverdos"),
        ("hallucinat", r"\bhallucinat"),
        ("delusion", r"\bdelusion"),
        ("paranoi", r"\bparanoi"),
        ("voice", r"\b(?:hearing|hears|heard) voices|\bvoice[- ]hearing|\bvoices in"),
        ("eating", r"\beating disorder"),
        ("anorexi", r"\banorexia nervosa|\banorexic"),
        ("bulimi", r"\bbulimi"),
        ("binge", r"\bbinge[- ]eating"),
        ("personality", r"\bpersonality disorder"),
        ("EUPD", r"\bEUPD\b"),
        ("BPD", r"\bBPD\b"),
        ("adhd", r"\badhd\b"),
        ("attention deficit", r"\battention deficit"),
        ("ECT", r"\bECT\b"),
        ("electroconvulsive", r"\belectroconvulsive"),
        ("breakdown", r"\bnervous breakdown"),
        ("cbt", r"\bcbt\b"),
        ("cognitive behav", r"\bcognitive behaviou?ral"),
        ("camhs", r"\bcamhs\b"),
        ("cypmhs", r"\bcypmhs\b"),
        ("cmht", r"\bcmht\b"),
        ("crisis", r"\bcrisis (?:team|resolution|line|house|caf[eé]|service)"),
        ("home treatment", r"\bhome treatment team"),
        ("HTT", r"\bHTT\b"),
        ("CRHT", r"\bCRHTT?\b"),
        ("EIP", r"\bEIP\b"),
        ("cpn", r"\bcpns?\b"),
        ("CPA", r"\bCPA\b"),
        ("programme", r"\bcare programme approach"),
        ("dual", r"\bdual diagnosis"),
        ("depot", r"\bdepot (?:clinic|antipsychotic|injection)"),
        (
            "life",
            r"\b(?:take|took|taken|taking|end|ended|ending) (?:his|her|their|my) (?:own )?life",
        ),
        ("tried", r"\btried to (?:hang|kill|overdose|drown|cut|strangle)"),
        ("attempted", r"\battempted to (?:hang|kill|overdose|drown|cut|strangle)"),
        ("kill", r"\bkill (?:him|her|them|my)sel(?:f|ves)"),
        ("ligature", r"\bligature"),
        ("want", r"\bwants? to die\b"),
        ("lithium", r"\blithium\b(?![- ]ion)(?!\s+batter)"),
        ("samaritans", r"\bsamaritans"),
        *_words(_ANTIDEPRESSANTS),
        *_words(_ANTIPSYCHOTICS),
        *_words(_ADHD_MEDICINES),
    ],
    SensitiveCategory.SUBSTANCE_MISUSE.value: [
        (
            "alcohol",
            r"\balcohol(?:ic|ism|ics)\b|\balcohol[- ](?:abuse|dependen\w*|misuse|use disorder"
            r"|excess\w*|detox\w*|withdrawal|related|induced|problem\w*|addict\w*|services?"
            r"|team|worker|liaison|recovery|treatment|rehab\w*|intoxicat\w*|brief intervention)"
            r"|\b(?:excess(?:ive)?|heavy|harmful|hazardous|problem|binge|dependent|chronic)"
            r" (?:alcohol|drink\w*)\b",
        ),
        (
            "drink",
            r"\bdrink(?:s|ing)? (?:heavily|excessively|to excess|a lot|problem)"
            r"|\bdrinking (?:problem|heavily|again|binge)|\bbinge drink",
        ),
        ("drunk", r"\bdrunk\b|\bintoxicated\b"),
        (
            "drink",
            r"\bdrinks?\b[^.;\n]{0,20}\b(?:1[5-9]|[2-9]\d|\d{3}) units"
            r"|\b(?:1[5-9]|[2-9]\d|\d{3}) units (?:of alcohol|a week|per week)",
        ),
        (
            "drug",
            r"\bdrugs?[- ](?:abuse|dependen\w*|misuse|use|user|users|addict\w*|overdose|seeking"
            r"|treatment|services?|team|worker|dealing|dealer|debt|paraphernalia|rehab\w*|taking"
            r"|related|litter|and alcohol)\b|\b(?:illicit|illegal|recreational|street|class a"
            r"|injecting|iv|intravenous) drugs?\b",
        ),
        ("substance", r"\bsubstance (?:abuse|misuse|use|dependen)"),
        ("ivdu", r"\bivdu"),
        ("pwid", r"\bpwid\b"),
        ("inject", r"\binject(?:s|ing) (?:drugs|heroin|crack|cocaine)"),
        ("heroin", r"\bheroin"),
        (
            "crack",
            r"\bcrack (?:cocaine|use|user|users|pipe|house|den)|\b(?:smok\w*|using|uses|on)"
            r" crack\b",
        ),
        ("cocaine", r"\bcocaine"),
        ("cannabis", r"\bcannabis"),
        ("marijuana", r"\bmarijuana"),
        ("amphetamine", r"\bamphetamine"),
        ("methamphetamine", r"\bmethamphetamine"),
        ("crystal meth", r"\bcrystal meth"),
        ("mdma", r"\bmdma\b"),
        ("ecstasy", r"\becstasy\b"),
        ("mephedrone", r"\bmephedrone"),
        ("ketamine", r"\bketamine"),
        ("ghb", r"\bghb\b"),
        ("gbl", r"\bgbl\b"),
        ("benzo", r"\bbenzo(?:diazepine)?s? (?:dependen|misuse|abuse|addict)|\bstreet benzo"),
        (
            "opi",
            r"\bopi(?:ate|oid)s? (?:abuse|dependen\w*|misuse|addict\w*|substitut\w*|replacement"
            r"|use disorder|withdrawal|user)",
        ),
        ("needle", r"\bneedle[- ](?:exchange|and syringe|syringe programme)"),
        ("detox", r"\bdetox"),
        ("rehab", r"\bresidential rehab"),
        ("addict", r"\baddict(?:ion|ed|s)?\b"),
        ("dependence syndrome", r"\bdependence syndrome"),
        ("recovery near you", r"\brecovery near you"),
        ("change grow live", r"\bchange grow live"),
        ("CGL", r"\bCGL\b"),
        ("turning point", r"\bturning point"),
        ("we are with you", r"\bwe are with you"),
        ("addaction", r"\baddaction"),
        ("humankind", r"\bhumankind"),
        ("narcotic", r"\bnarcotics? anonymous"),
        ("AA meeting", r"\bAA meetings?"),
        ("NA meeting", r"\bNA meetings?"),
        *_words(_SUBSTANCE_MEDICINES),
    ],
    SensitiveCategory.SAFEGUARDING.value: [
        ("safeguard", r"\bsafeguard"),
        ("protection", r"\bchild protection|\bprotection plan|\bemergency protection order"),
        ("cp plan", r"\bcp plan"),
        ("need", r"\bchild(?:ren)? in need\b"),
        ("CIN", r"\bCIN\b"),
        (
            "looked",
            r"\blooked[- ]after (?:child|children|young)"
            r"|\blooked after by (?:the )?(?:local authority|council)",
        ),
        ("foster", r"\bfoster (?:care|carers?|placement|home)"),
        ("adult", r"\badults? at risk\b"),
        (
            "violent",
            r"\b(?:violent|abusive) (?:partner|husband|wife|boyfriend|girlfriend|ex)"
            r"|\b(?:partner|husband|wife|boyfriend|girlfriend|ex)\b[^.;\n]{0,15}\bviolent",
        ),
        ("LAC", r"\bLAC\b"),
        ("care order", r"\b(?:interim )?care order"),
        ("supervision order", r"\bsupervision order"),
        ("section", r"\bsection\s*(?:47|42)\b"),
        ("47", r"\bs\.?\s?47\b"),
        ("s47", r"\bs47\b"),
        ("42", r"\bs\.?\s?42\b"),
        ("s42", r"\bs42\b"),
        (
            "domestic",
            r"\bdomestic (?:abuse|violence|incident|assault|homicide)"
            r"|\bdomestic\b[^.;\n]{0,30}\b(?:abuse|violence)\b",
        ),
        ("DV", r"\bDV\b"),
        ("DASH", r"\bDASH\b"),
        ("intimate partner", r"\bintimate partner"),
        ("coerci", r"\bcoerci(?:ve|on)"),
        ("controlling", r"\bcontrolling (?:and coercive|behaviou?r|partner|relationship)"),
        ("marac", r"\bmarac"),
        ("idva", r"\bidva"),
        ("MASH", r"\bMASH\b"),
        ("refuge", r"\brefuges?\b"),
        ("aid", r"\bwomen'?s aid\b"),
        ("hono", r"\bhonou?r[- ]based|\bhonou?r (?:crime|killing|violence|abuse)"),
        ("forced marriage", r"\bforced marriage"),
        ("fgm", r"\bfgm\b"),
        ("mutilation", r"\bgenital mutilation"),
        ("victim", r"\bvictims?\b"),
        ("neglect", r"\bneglect(?:ed|ful|ing)?\b"),
        ("abus", r"\babus(?:e|ed|er|ers)\b(?!\s+(?:to|towards)\s+(?:staff|workers))"),
        ("slavery", r"\bslavery"),
        ("traffick", r"\btraffick"),
        ("exploit", r"\bexploit(?:ation|ed)\b"),
        ("CSE", r"\bCSE\b"),
        ("CCE", r"\bCCE\b"),
        ("county lines", r"\bcounty lines"),
        ("cuckoo", r"\bcuckoo(?:ed|ing)\b"),
        ("radicali", r"\bradicali[sz]"),
        ("prevent", r"\bprevent (?:referral|programme|duty)"),
        ("channel panel", r"\bchannel panel"),
        ("accidental", r"\bnon-?accidental injur"),
        ("NAI", r"\bNAI\b"),
        ("strategy", r"\bstrategy (?:meeting|discussion)"),
        ("significant harm", r"\bsignificant harm"),
        ("risk", r"\bat risk of (?:significant )?(?:harm|abuse|exploitation)"),
        ("stalk", r"\bstalk(?:ing|ed|er)\b"),
        ("molest", r"\bnon-?molestation|\bmolest"),
        ("restraining order", r"\brestraining order"),
        ("assault", r"\bassaulted by\b|\b(?:physical|common|indecent) assault"),
        *[
            (
                verb,
                rf"\b{verb} by (?:her |his |their |an? )?(?:partner|husband|wife|boyfriend"
                r"|girlfriend|ex|son|daughter|carer)",
            )
            for verb in ("hit", "beaten", "punched", "kicked", "strangled", "choked", "threatened")
        ],
    ],
}


def _compile() -> tuple[tuple[str, str, bool, re.Pattern], ...]:
    """``(category, anchor, exact_case, pattern)`` in ``PRIORITY`` order, one per anchor."""
    compiled = []
    for category in PRIORITY:
        by_anchor: dict[str, list[str]] = {}
        for anchor, pattern in TEXT_RULES[category]:
            by_anchor.setdefault(anchor, []).append(pattern)
        for anchor, patterns in by_anchor.items():
            exact = anchor != anchor.lower()
            flags = 0 if exact else re.IGNORECASE
            compiled.append(
                (category, anchor, exact, re.compile("|".join(f"(?:{p})" for p in patterns), flags))
            )
    return tuple(compiled)


_TEXT = _compile()
_TOKEN = re.compile(r"[a-z0-9]+")


def _keys() -> dict[str, tuple[int, ...]]:
    """Rules by the first (up to four) letters of their anchor's first word, each key also
    holding the rules of the shorter keys it starts with ("sexu" holds "sex")."""
    keys: dict[str, set[int]] = {}
    for index, (_, anchor, _, _) in enumerate(_TEXT):
        keys.setdefault(_TOKEN.findall(anchor.lower())[0][:4], set()).add(index)
    return {
        key: tuple(sorted(set().union(*(keys.get(key[:n], ()) for n in range(1, len(key) + 1)))))
        for key in keys
    }


def _trie(words: list[str]) -> str:
    """One regular expression matching any of ``words``, shared prefixes written once: tried
    at each word start it costs about one comparison per letter, not one per word."""
    tree: dict = {}
    for word in words:
        node = tree
        for letter in word:
            node = node.setdefault(letter, {})
        node[""] = {}

    def pattern(node: dict) -> str:
        branches = [re.escape(letter) + pattern(child) for letter, child in sorted(node.items())]
        branches = [b for b in branches if b]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if "" in node else body

    return pattern(tree)


_KEYS = _keys()
_WORD_STARTS = re.compile(r"(?<![a-z0-9])(" + _trie(list(_KEYS)) + ")")


def _plain(text: str) -> str:
    """Text as the word lists spell it: accents off ("dépression"), full-width letters as
    letters ("ＨＩＶ"), and invisible characters out ("sertr\u200baline"). Each of these
    spellings was stored unclassified by the second red-team pass.
    """
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if unicodedata.category(ch) not in {"Mn", "Cf"})


@lru_cache(maxsize=65_536)
def text_category(words: str) -> str:
    """The most restricted category the words mention, or "".

    Every anchor starts a word of the texts its pattern matches, so one pass over the text's
    word starts (``_WORD_STARTS``) finds the only rules worth trying: most care notes mention
    none and cost about as much as a handful of substring checks. A rule is then tried in
    ``PRIORITY`` order, its anchor checked as a plain substring before its pattern. Cached:
    partners send the same few descriptions ("Hypertensive disorder") again and again.
    """
    if not words:
        return ""
    words = _plain(words)
    lowered = words.lower()
    keys = _WORD_STARTS.findall(lowered)
    if not keys:
        return ""
    candidates: set[int] = set()
    for key in keys:
        candidates.update(_KEYS[key])
    for index in sorted(candidates):
        category, anchor, exact, pattern = _TEXT[index]
        if anchor in (words if exact else lowered) and pattern.search(words):
            return category
    return ""


_ICD10_SHAPE = re.compile(r"[A-Z]\d{2}")

# --- 1. codes --------------------------------------------------------------------------------


def code_category(code: str, system: str = "") -> str:
    """The category of one coded concept, or "".

    ``system`` is the coding's system URI; without one (a CSV ``code`` column) the code's shape
    decides: digits are a SNOMED CT concept id, a letter and two digits an ICD-10 code.
    """
    code = (code or "").strip()
    if not code:
        return ""
    sets = code_sets.packaged()
    if system == SNOMED_SYSTEM or (not system and code.isdigit()):
        return sets.snomed.get(code, "")
    if system.startswith(ICD10_SYSTEM_PREFIX) or not system:
        key = code_sets.icd10_key(code)
        if not _ICD10_SHAPE.match(key):
            return ""
        for length in (len(key), 5, 4, 3):
            found = sets.icd10.get(key[:length])
            if found:
                return found
        return ""
    if system == SECURITY_SYSTEM:
        return SECURITY_LABELS.get(code.upper(), "")
    return ""


# --- 2. services -----------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _service_patterns() -> tuple[tuple[str, re.Pattern], ...]:
    by_category: dict[str, list[str]] = {}
    for words, category in code_sets.packaged().services:
        by_category.setdefault(category, []).append(r"\s+".join(map(re.escape, words.split())))
    return tuple(
        (category, re.compile(r"\b(?:" + "|".join(by_category[category]) + r")\b", re.I))
        for category in PRIORITY
        if category in by_category
    )


@lru_cache(maxsize=8192)
def service_category(name: str) -> str:
    """The category a service, team or organisation's name reveals ("CAMHS North"), or "".

    Names repeat (every event of a feed names the same few teams): cached.
    """
    if not name:
        return ""
    spaced = re.sub(r"[_\-]+", " ", _plain(name))
    for category, pattern in _service_patterns():
        if pattern.search(spaced):
            return category
    return ""


# --- together --------------------------------------------------------------------------------


def most_restricted(categories: Iterable[str]) -> str:
    """Of several categories, the one the fewest roles may see ("" when there are none)."""
    found = [c for c in categories if c]
    return min(found, key=lambda c: _RANK.get(c, -1)) if found else ""


def category_for(
    *,
    codes: Iterable[tuple[str, str]] = (),
    snomed_codes: Iterable[str] = (),
    services: Iterable[str] = (),
    words: str = "",
    partner: str = "",
    clinical: bool = True,
) -> str:
    """The sensitive category for an event, or "" when it is not sensitive.

    ``codes`` are ``(system, code)`` pairs (FHIR codings, security labels, a CSV ``code`` with
    system ""), ``snomed_codes`` bare SNOMED CT ids; ``services`` the names of organisations,
    teams, locations, service types and specialties involved; ``words`` the event's text.
    ``partner`` is the source's partner kind: a mental health trust's clinical detail (anything
    about a person) counts as mental health detail.
    """
    found = text_category(words) if words else ""
    for system, code in codes:
        found = _more_restricted(found, code_category(code, system))
    for code in snomed_codes:
        found = _more_restricted(found, code_category(code, SNOMED_SYSTEM))
    for name in services:
        found = _more_restricted(found, service_category(name))
    if clinical and partner == Partner.MENTAL_HEALTH:
        found = _more_restricted(found, SensitiveCategory.MENTAL_HEALTH.value)
    return found


def _more_restricted(found: str, other: str) -> str:
    if not other:
        return found
    if not found:
        return other
    return other if _RANK[other] < _RANK[found] else found


def is_category(code: str) -> bool:
    """True for a sensitive category code an activity CSV may put in its ``category`` column."""
    return code in SensitiveCategory.values
