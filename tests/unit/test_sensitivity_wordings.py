"""Sensitivity fails closed on many wordings (issue 9, finding 4; what-to-build item 3).

The expected categories are written here by hand from what each phrase means, not read from
``sources/sensitivity.py``: a phrase a red team would try, and the category a sharing
agreement would withhold it under. A few everyday phrases must stay unflagged, or the record
would hide half of ordinary care.
"""

import pytest

from wraparound.sources import sensitivity

MH, SH, SG, SU, HIV, GI = (
    "mental_health",
    "sexual_health",
    "safeguarding",
    "substance_misuse",
    "hiv",
    "gender_identity",
)

WORDINGS = [
    # the red team's own
    ("Attends IAPT weekly, on sertraline 50mg", MH),
    ("PrEP at GUM clinic", SH),
    ("Is transitioning", GI),
    ("Sectioned under MHA s2", MH),
    # mental health
    ("Referred to NHS Talking Therapies", MH),
    ("iapt step 2 guided self help", MH),
    ("Started citalopram 20mg od", MH),
    ("Escitalopram increased", MH),
    ("Fluoxetine 20mg", MH),
    ("mirtazapine at night", MH),
    ("Venlafaxine XL 75mg", MH),
    ("olanzapine 10mg nocte", MH),
    ("Clozapine bloods due", MH),
    ("Lithium level 0.6", MH),
    ("Priadel 400mg", MH),
    ("Aripiprazole depot", MH),
    ("Quetiapine 25mg", MH),
    ("Methylphenidate for ADHD", MH),
    ("Elvanse 30mg", MH),
    ("Detained under section 3", MH),
    ("Section 136 at A&E last night", MH),
    ("Brought in on s136", MH),
    ("Community treatment order renewed", MH),
    ("On a CTO", MH),
    ("AMHP assessment arranged", MH),
    ("Under the Mental Health Act", MH),
    ("Seen by CMHT duty worker", MH),
    ("CAMHS appointment missed", MH),
    ("Crisis team visited", MH),
    ("Home treatment team daily visits", MH),
    ("Early intervention in psychosis team", MH),
    ("Hearing voices again", MH),
    ("Paranoid about neighbours", MH),
    ("Expressed suicidal thoughts", MH),
    ("Took an overdose of paracetamol", MH),
    ("History of self-harm", MH),
    ("self harming", MH),
    ("Low mood since bereavement", MH),
    ("Feeling depressed", MH),
    ("Postnatal depression", MH),
    ("Generalised anxiety", MH),
    ("Panic attacks on buses", MH),
    ("PTSD after service", MH),
    ("Eating disorder service", MH),
    ("Anorexia nervosa", MH),
    ("EUPD diagnosis", MH),
    ("Personality disorder", MH),
    ("Psychiatric review booked", MH),
    ("Psychologist input", MH),
    ("Schizophrenia", MH),
    ("Bipolar affective disorder", MH),
    ("Hypomanic episode", MH),
    ("Nervous breakdown in 2019", MH),
    ("Course of CBT", MH),
    ("mental health worker visited", MH),
    # sexual health
    ("Chlamydia screen positive", SH),
    ("Treated for gonorrhoea", SH),
    ("Syphilis serology", SH),
    ("Seen at GUM", SH),
    ("gum clinic appointment", SH),
    ("Attended the sexual health clinic", SH),
    ("STI screen", SH),
    ("Genital warts", SH),
    ("Contraceptive implant fitted", SH),
    ("Nexplanon removal", SH),
    ("Depo-Provera injection due", SH),
    ("Mirena coil check", SH),
    ("Emergency contraception given", SH),
    ("Morning after pill", SH),
    ("Termination of pregnancy at 9 weeks", SH),
    ("Medical abortion", SH),
    ("Referred to BPAS", SH),
    ("Post-exposure prophylaxis started", SH),
    ("PEP after needlestick", SH),
    ("pre-exposure prophylaxis review", SH),
    ("Disclosed rape", SH),
    ("Seen at the SARC", SH),
    ("Sex worker", SH),
    ("IVF cycle 2", SH),
    ("Partner notification done", SH),
    # HIV
    ("HIV positive", HIV),
    ("Known HIV, on antiretrovirals", HIV),
    ("Biktarvy once daily", HIV),
    ("Dolutegravir", HIV),
    ("CD4 count 450", HIV),
    ("Viral load undetectable", HIV),
    ("Living with AIDS", HIV),
    ("AIDS-defining illness", HIV),
    ("Human immunodeficiency virus infection", HIV),
    # gender identity
    ("trans woman", GI),
    ("Trans man, uses he/him", GI),
    ("Identifies as non-binary", GI),
    ("HRT (gender)", GI),
    ("Gender identity clinic referral", GI),
    ("Seen at GIC", GI),
    ("Gender dysphoria", GI),
    ("Transgender", GI),
    ("Has transitioned", GI),
    ("Transitioning socially", GI),
    ("Cross-sex hormones", GI),
    ("Puberty blockers", GI),
    ("Please do not use her deadname", GI),
    ("Gender reassignment surgery", GI),
    ("MtF", GI),
    # substance misuse
    ("Alcohol dependence", SU),
    ("Alcoholic liver disease", SU),
    ("Drinks heavily", SU),
    ("Alcohol detox planned", SU),
    ("Detox at home", SU),
    ("Needle exchange", SU),
    ("Naloxone kit given", SU),
    ("Buprenorphine 8mg daily", SU),
    ("Methadone script collected", SU),
    ("Heroin use", SU),
    ("Uses crack cocaine", SU),
    ("Cannabis daily", SU),
    ("Drug misuse", SU),
    ("Illicit drug use", SU),
    ("IVDU", SU),
    ("Change Grow Live keyworker", SU),
    ("Recovery Near You appointment", SU),
    ("Opiate substitution therapy", SU),
    ("Antabuse", SU),
    ("Acamprosate", SU),
    ("Pabrinex given", SU),
    ("Drug and alcohol service", SU),
    # safeguarding
    ("Safeguarding referral made", SG),
    ("Referred to MARAC", SG),
    ("Domestic abuse disclosed", SG),
    ("Coercive control by partner", SG),
    ("Controlling behaviour", SG),
    ("FGM", SG),
    ("Honour-based violence risk", SG),
    ("Forced marriage concern", SG),
    ("Child in need plan", SG),
    ("Child protection conference", SG),
    ("LAC review", SG),
    ("Looked after child", SG),
    ("Section 47 enquiry", SG),
    ("s42 enquiry opened", SG),
    ("Self-neglect", SG),
    ("Financial abuse by son", SG),
    ("Modern slavery", SG),
    ("County lines", SG),
    ("Cuckooing", SG),
    ("IDVA support", SG),
    ("In a refuge", SG),
    ("Non-accidental injury", SG),
    ("Victim of assault", SG),
    # more a red team might try
    ("Drinks 60 units a week", SU),
    ("Known to the CMHT, CPN visits fortnightly", MH),
    ("CPA review", MH),
    ("Dual diagnosis", MH),
    ("Depot clinic", MH),
    ("Attempted to take her own life", MH),
    ("Tried to hang himself", MH),
    ("Ligature risk", MH),
    ("Says he wants to die", MH),
    ("On s17 leave from the ward", MH),
    ("Section 17 leave", MH),
    ("Top surgery planned", GI),
    ("Pregnant, wants a termination", SH),
    ("Identifies as gay", SH),
    ("Lesbian couple", SH),
    ("Lives with foster carers", SG),
    ("Adult at risk", SG),
    ("Violent partner", SG),
    ("Hit by her husband", SG),
    # the most restricted of several wins
    ("HIV positive, alcohol dependence", HIV),
    ("Sexual assault, safeguarding referral", SH),
    ("Drug abuse", SU),
    ("Alcohol abuse and low mood", MH),
]

NOT_FLAGGED = [
    "New walking aids and hearing aids",
    "WALKING AIDS DELIVERED",
    "Mobility aids reviewed",
    "Transfer to ward 4",
    "Transport booked for clinic",
    "Transplant follow-up",
    "Transition to adult services",
    "Transition to a care home",
    "Bleeding gums",
    "Gum disease, dentist",
    "Termination of tenancy",
    "Alcohol gel at the door",
    "HRT for menopause",
    "Hip review",
    "Rent arrears letter sent",
    "Mental capacity assessment",
    "DoLS authorisation granted",
    "Verbally abusive to staff, visit in pairs",
    "Dementia annual review",
    "Learning disability health check",
    "Lithium-ion battery fire risk",
    "Key safe code changed",
    "Blood pressure 140/90",
    "Bowel prep for colonoscopy",
    "Amitriptyline 10mg for nerve pain",
    "Haloperidol in just-in-case medicines",
    "Crack in the bathroom ceiling",
    "Care package increased",
    "Meals on wheels",
    "Injecting insulin twice daily",
    "Drinks 2 units a week",
    "Top floor flat, lift broken",
    "Hit his head on the door frame",
    "Tried to stand, needed help",
    "Adult social care review",
]


@pytest.mark.parametrize(("words", "category"), WORDINGS)
def test_sensitive_wordings_are_classified(words, category):
    assert sensitivity.category_for(words=words) == category


@pytest.mark.parametrize("words", NOT_FLAGGED)
def test_everyday_words_are_not_flagged(words):
    assert sensitivity.category_for(words=words) == ""


def test_there_are_more_than_a_hundred_wordings():
    assert len(WORDINGS) > 100


@pytest.mark.parametrize(
    ("words", "category"), [(w.upper(), c) for w, c in WORDINGS if w.lower() == w]
)
def test_lower_case_wordings_also_match_in_capitals(words, category):
    assert sensitivity.category_for(words=words) == category


def test_a_mental_health_partner_makes_clinical_detail_mental_health():
    assert sensitivity.category_for(words="Hip review", partner="mental_health") == MH
    assert (
        sensitivity.category_for(words="Hip review", partner="mental_health", clinical=False) == ""
    )
