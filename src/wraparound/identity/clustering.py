"""Constrained clustering: from scored pairs to people, never merging what must stay apart.

Splink's own clustering is plain connected components, where one record without an NHS Number
can bridge two people who have different valid NHS Numbers (PITFALLS.md). Here every union is
checked before it is made:

1. A data steward's "same person" decisions are applied first; their "different people"
   decisions are constraints no union may break.
2. Automatic links are made in descending match probability (pairs first sorted by their
   records, so ties fall the same way on every run whatever order the database returned them
   in). A union is refused if the merged cluster would hold two different valid NHS Numbers,
   two clearly different dates of birth (``dates_compatible``), or two records a steward (or
   this run) said are different people.
3. A cluster without a valid NHS Number or date of birth that links about equally well to two
   people who cannot be one is *ambiguous*: it joins neither, and the pairs go to review,
   unless its telephone number is held by only one of them.
4. Same valid NHS Number but clearly different demographics ("a valid NHS Number belonging to
   somebody else") is never linked automatically: it goes to review, and the two records are
   kept apart for this run.
5. Two records of one feed with neither NHS Number nor date of birth (two council tax accounts
   of one name at one house) are not linked and are kept apart for this run: name and address
   alone cannot tell a mother from a daughter of the same name. Unless their telephone numbers
   differ, neither joins anybody automatically either: which one is the known person would be
   a guess.
6. Two records with neither (a tenancy and a council tax account) join each other only after
   each was weighed on its own in step 3, and not when either fits two different people.
7. A record from a partner that holds only adults (a council tax account: only someone 18 or
   over can be liable) never joins a cluster whose date of birth makes the person a child on
   the day of the run, and such a child is no rival for it (``ADULTS_ONLY_PARTNERS``).

The rules in a data steward's words: docs/linkage.md, "The rules that decide".

Pure Python and numpy: no Django, no Splink, so it is easy to test and to reason about.
"""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

# Where the model's own probability of "same person" is good enough to link without a person.
AUTO_LINK_PROBABILITY = 0.99
# Below this a pair is treated as "different people" and never shown to a steward.
REVIEW_FLOOR_PROBABILITY = 0.5

# A cluster without an NHS Number links to the better of two NHS-bearing people only when the
# better one is at least 2**AMBIGUITY_MARGIN_WEIGHT times as likely (match weights are log2).
AMBIGUITY_MARGIN_WEIGHT = 10.0
# Partners whose records are of adults only, and the age from which. Council tax: only a
# person aged 18 or over can be liable (Local Government Finance Act 1992, s.6), so an account
# holder is never a child. Housing is *not* here: tenancy feeds list the household's members,
# children included, and a tenant may be 16 or 17.
ADULTS_ONLY_PARTNERS = frozenset({"council_tax"})
ADULT_AGE = 18
# At most this many pairs wait for a steward; the most likely matches come first.
REVIEW_QUEUE_CAP = 20_000

# comparisons.date_of_birth(): exact, swap, typo, one part, else -> gamma 4..0.
_DOB_EXACT_GAMMA = 4
# comparisons.other_identifier(): exact 2, one character out 1, else 0.
_OTHER_ID_EXACT_GAMMA = 2
# comparisons.given_name(): exact 8, nickname or short form 7 (then swaps, middle name,
# initial, spellings, else). comparisons.residence(): same house 7, same number and street
# with another postcode 6.
_GIVEN_SAME_PERSON_GAMMAS = (8, 7)
_SAME_HOUSE_GAMMAS = (7, 6)

RULE_STEWARD = "steward"
RULE_NHS = "nhs_number"
RULE_MODEL = "model"
RULE_SINGLETON = "singleton"


@dataclass(frozen=True)
class Thresholds:
    auto_link: float = AUTO_LINK_PROBABILITY
    review_floor: float = REVIEW_FLOOR_PROBABILITY


@dataclass
class ReviewCandidate:
    record_a: object
    record_b: object
    match_probability: float
    reason: str


@dataclass
class Clusters:
    """Each record's cluster (keyed by the smallest record id in it) and how it got there."""

    cluster_of: dict[object, object]
    rule_of: dict[object, str]
    probability_of: dict[object, float | None]
    review: list[ReviewCandidate] = field(default_factory=list)
    refused_unions: int = 0
    ambiguous_records: int = 0

    def groups(self) -> dict[object, list[object]]:
        out: dict[object, list[object]] = {}
        for record, cluster in self.cluster_of.items():
            out.setdefault(cluster, []).append(record)
        return out


def demographics_disagree(pairs: pd.DataFrame) -> np.ndarray:
    """True where two records clearly describe different people, whatever their NHS Numbers.

    "Clearly": dates of birth both present and unlike in every way the model knows (not equal,
    swapped, one digit out or one part different), or both given and family names unlike
    without an exactly equal date of birth to vouch for them.
    """

    def gamma(name: str) -> np.ndarray:
        if f"gamma_{name}" in pairs:
            return pairs[f"gamma_{name}"].to_numpy()
        return np.full(len(pairs), -1)

    dob_else = gamma("dob") == 0
    names_else = (gamma("given_name") == 0) & (gamma("family_name") == 0)
    dob_exact = gamma("dob") == _DOB_EXACT_GAMMA
    return dob_else | (names_else & ~dob_exact)


def dates_compatible(a: str, b: str) -> bool:
    """Could two ``YYYY-MM-DD`` dates of birth be one person's, allowing for a typing slip?

    Equal; day and month swapped; one character wrong or two neighbours transposed; or only
    one of day, month and year different. Anything else is "clearly different".
    """
    if a == b:
        return True
    ya, ma, da = a[:4], a[5:7], a[8:10]
    yb, mb, db = b[:4], b[5:7], b[8:10]
    if ya == yb and ma == db and da == mb:
        return True
    if sum((ya == yb, ma == mb, da == db)) >= 2:
        return True
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        if len(diff) == 1:
            return True
        if (
            len(diff) == 2
            and diff[1] == diff[0] + 1
            and a[diff[0]] == b[diff[1]]
            and a[diff[1]] == b[diff[0]]
        ):
            return True
    return False


def adult_born_by(as_of: dt.date) -> str:
    """The latest ``YYYY-MM-DD`` date of birth of someone who is an adult on ``as_of``.

    A date of birth after it is a child's. On 29 February the day is the 28th, 18 years before.
    """
    try:
        return as_of.replace(year=as_of.year - ADULT_AGE).isoformat()
    except ValueError:
        return as_of.replace(year=as_of.year - ADULT_AGE, day=28).isoformat()


class _UnionFind:
    def __init__(
        self,
        n: int,
        nhs: list[str | None],
        dobs: list[str | None],
        adults_only: list[bool] | None = None,
        adult_born_by: str = "",
        phones: list[str | None] | None = None,
    ):
        self.parent = list(range(n))
        self.nhs: list[frozenset[str]] = [frozenset({x}) if x else frozenset() for x in nhs]
        self.dob: list[frozenset[str]] = [frozenset({x}) if x else frozenset() for x in dobs]
        self.record_dob = dobs
        self.apart: dict[int, set[int]] = {}
        # Does the cluster hold a record of an adults-only partner (a council tax account)?
        self.adult: list[bool] = list(adults_only) if adults_only is not None else [False] * n
        self.adult_born_by = adult_born_by
        self.phone: list[frozenset[str]] = [
            frozenset({x}) if x else frozenset() for x in (phones or [None] * n)
        ]

    def is_child(self, root: int) -> bool:
        """Does any date of birth in the cluster make the person a child on the run's day?"""
        return any(d > self.adult_born_by for d in self.dob[root])

    def child_for_adult(self, ri: int, rj: int) -> bool:
        """Would merging make a child the holder of an adults-only record?"""
        return (self.adult[ri] and self.is_child(rj)) or (self.adult[rj] and self.is_child(ri))

    def find(self, i: int) -> int:
        parent = self.parent
        root = i
        while parent[root] != root:
            root = parent[root]
        while parent[i] != root:
            parent[i], i = root, parent[i]
        return root

    def keep_apart(self, i: int, j: int) -> None:
        self.apart.setdefault(self.find(i), set()).add(j)
        self.apart.setdefault(self.find(j), set()).add(i)

    def conflict(self, ri: int, rj: int, vouched: tuple[int, int] | None = None) -> str | None:
        """Why clusters ri and rj may not be merged, or None when they may.

        Checked on the whole clusters, not only on the two records whose match proposes the
        merge, so a record without a date of birth can never be the bridge between two
        clearly different ones, and a direct match between two clearly different dates of
        birth is refused however alike the rest is. ``vouched``: two records whose other
        shared identifier (not the NHS Number) agrees exactly; their own two dates may differ
        (FEBRL's records carry whole dates replaced by another), no other combination may.
        """
        seen = None
        if vouched is not None:
            seen = (self.record_dob[vouched[0]], self.record_dob[vouched[1]])
        a, b = self.nhs[ri], self.nhs[rj]
        if a and b and not (a <= b or b <= a):
            return "different valid NHS Numbers"
        for x in self.dob[ri]:
            for y in self.dob[rj]:
                if (x, y) != seen and not dates_compatible(x, y):
                    return "clearly different dates of birth"
        if self.child_for_adult(ri, rj):
            return "a child cannot hold an adults-only record (a council tax account)"
        for x in self.apart.get(ri, ()):
            if self.find(x) == rj:
                return "kept apart (a steward's decision, an NHS Number conflict, or two records of one feed)"
        for x in self.apart.get(rj, ()):
            if self.find(x) == ri:
                return "kept apart (a steward's decision, an NHS Number conflict, or two records of one feed)"
        return None

    def union(self, ri: int, rj: int) -> int:
        if ri > rj:
            ri, rj = rj, ri
        self.parent[rj] = ri
        self.nhs[ri] = self.nhs[ri] | self.nhs[rj]
        self.dob[ri] = self.dob[ri] | self.dob[rj]
        self.adult[ri] = self.adult[ri] or self.adult[rj]
        self.phone[ri] = self.phone[ri] | self.phone[rj]
        if rj in self.apart:
            self.apart.setdefault(ri, set()).update(self.apart.pop(rj))
        return ri


def cluster(
    record_ids: Iterable[object],
    nhs_numbers: Iterable[str | None],
    pairs: pd.DataFrame,
    *,
    dates_of_birth: Iterable[str | None] | None = None,
    adults_only: Iterable[bool] | None = None,
    as_of: dt.date | None = None,
    phones: Iterable[str | None] | None = None,
    same: Iterable[tuple[object, object]] = (),
    different: Iterable[tuple[object, object]] = (),
    thresholds: Thresholds = Thresholds(),
    review_cap: int = REVIEW_QUEUE_CAP,
) -> Clusters:
    """Cluster records given scored pairs and steward decisions; see the module docstring.

    ``nhs_numbers`` holds each record's *valid* NHS Number or None, in ``record_ids`` order.
    ``pairs`` has ``unique_id_l``, ``unique_id_r``, ``match_probability``, ``match_weight`` and
    the ``gamma_*`` columns from ``run.score_pairs``. ``adults_only`` says, per record, whether
    its partner holds only adults (``ADULTS_ONLY_PARTNERS``); ``as_of`` is the day ages are
    worked out on (today unless given, so a test can pin it). ``phones``: each record's
    telephone number or None (``features.prepare_phones``).
    """
    ids = list(record_ids)
    index = {rid: i for i, rid in enumerate(ids)}
    nhs = [x or None for x in nhs_numbers]
    dobs = [x or None for x in dates_of_birth] if dates_of_birth is not None else [None] * len(ids)
    adult = [bool(x) for x in adults_only] if adults_only is not None else None
    phone = [x or None for x in phones] if phones is not None else [None] * len(ids)
    uf = _UnionFind(len(ids), nhs, dobs, adult, adult_born_by(as_of or dt.date.today()), phone)
    rule = [RULE_SINGLETON] * len(ids)
    prob: list[float | None] = [None] * len(ids)
    review: list[ReviewCandidate] = []
    refused = 0

    def note(i: int, j: int, how: str, p: float | None) -> None:
        for k in (i, j):
            if rule[k] == RULE_SINGLETON or (rule[k] == RULE_MODEL and how != RULE_MODEL):
                rule[k], prob[k] = how, p
            elif rule[k] == how and p is not None and (prob[k] or 0) < p:
                prob[k] = p

    # 1. Steward decisions.
    for a, b in different:
        if a in index and b in index:
            uf.keep_apart(index[a], index[b])
    for a, b in same:
        if a in index and b in index:
            i, j = index[a], index[b]
            ri, rj = uf.find(i), uf.find(j)
            if ri != rj:
                # A steward may join two NHS Numbers (e.g. a superseded number), but not
                # undo another steward's "different people".
                if uf.conflict(ri, rj) and uf.conflict(ri, rj) != "different valid NHS Numbers":
                    refused += 1
                    continue
                uf.union(ri, rj)
            note(i, j, RULE_STEWARD, None)

    pairs = _canonical_order(pairs, index)
    if len(pairs):
        left = pairs["unique_id_l"].map(index).to_numpy()
        right = pairs["unique_id_r"].map(index).to_numpy()
        p = pairs["match_probability"].to_numpy(dtype=float)
        w = pairs["match_weight"].to_numpy(dtype=float)
        nhs_equal = (
            pairs["gamma_nhs_number"].to_numpy() == 1
            if "gamma_nhs_number" in pairs
            else np.zeros(len(pairs), dtype=bool)
        )
        disagree = demographics_disagree(pairs)
    else:
        left = right = np.zeros(0, dtype=int)
        p = w = np.zeros(0)
        nhs_equal = disagree = np.zeros(0, dtype=bool)

    # Plain Python lists: indexing numpy arrays one element at a time is slow in loops.
    L, R, P, W = left.tolist(), right.tolist(), p.tolist(), w.tolist()

    # 4. Same NHS Number, different person: review, and apart for this run.
    nhs_conflict = nhs_equal & disagree
    for k in np.flatnonzero(nhs_conflict).tolist():
        i, j = L[k], R[k]
        uf.keep_apart(i, j)
        review.append(
            ReviewCandidate(
                ids[i],
                ids[j],
                P[k],
                "Same valid NHS Number, but date of birth or names clearly disagree",
            )
        )

    nhs_link = nhs_equal & ~disagree
    model_link = ~nhs_equal & (p >= thresholds.auto_link)
    in_band = ~nhs_equal & (p >= thresholds.review_floor) & (p < thresholds.auto_link)

    # 5. Two records of one feed that match but carry neither NHS Number nor date of birth
    # (two council tax accounts of "Amelia Frost" at one house): a partner rarely holds one
    # person twice, so they are as likely mother and daughter as a duplicate. A steward
    # decides; for this run they stay apart, so they cannot both join one person either.
    same_feed = (
        pairs["gamma_same_source"].to_numpy() == 1
        if "gamma_same_source" in pairs
        else np.zeros(len(pairs), dtype=bool)
    )
    # Unless their telephone numbers differ, either of the two fits whoever the other fits
    # (``twins``): neither joins anyone automatically, or the choice would be a guess.
    twins: set[int] = set()
    for k in np.flatnonzero(same_feed & ~nhs_equal & (p >= thresholds.review_floor)).tolist():
        i, j = L[k], R[k]
        if nhs[i] is None and nhs[j] is None and dobs[i] is None and dobs[j] is None:
            uf.keep_apart(i, j)
            if not (phone[i] and phone[j] and phone[i] != phone[j]):
                twins.update((i, j))
            review.append(
                ReviewCandidate(
                    ids[i], ids[j], P[k], "Same name and address in one feed, nothing else to go on"
                )
            )

    # 2a. Same valid NHS Number and agreeing demographics, strongest first.
    order = _descending(np.flatnonzero(nhs_link), p, left, right).tolist()
    for k in order:
        refused += _try_union(uf, L[k], R[k], P[k], RULE_NHS, note, review, ids)

    # 2b. Model links between clusters that are alike in what they carry: both with or both
    # without an NHS Number, and both with or both without a date of birth. A link where one
    # side lacks what the other has could make that side a bridge; those wait for step 3.
    # Links between two records that carry neither (a tenancy and a council tax account of
    # one name) wait until each has been weighed on its own (step 7): joined first, they
    # could be two people of one name in the house, made into one before anyone checked.
    model_idx = _descending(np.flatnonzero(model_link), p, left, right).tolist()
    other_id_exact = (
        pairs["gamma_other_id"].to_numpy() == _OTHER_ID_EXACT_GAMMA
        if "gamma_other_id" in pairs
        else np.zeros(len(pairs), dtype=bool)
    ).tolist()
    deferred: list[int] = []
    bare_pairs: list[int] = []
    for k in model_idx:
        i, j = L[k], R[k]
        ri, rj = uf.find(i), uf.find(j)
        if ri == rj:
            note(i, j, RULE_MODEL, P[k])
            continue
        if bool(uf.nhs[ri]) != bool(uf.nhs[rj]) or bool(uf.dob[ri]) != bool(uf.dob[rj]):
            deferred.append(k)
            continue
        if not (uf.nhs[ri] or uf.dob[ri]):  # and so, by the test above, neither has either
            bare_pairs.append(k)
            continue
        refused += _try_union(
            uf, i, j, P[k], RULE_MODEL, note, review, ids, vouched=other_id_exact[k]
        )

    # 3. A cluster lacking an NHS Number or a date of birth, choosing between clusters that
    # have one. If two candidates could not be one person and neither is clearly better, the
    # cluster is ambiguous: it joins neither and every candidate pair goes to review.
    options: dict[int, list[tuple[float, int, int]]] = {}
    for k in deferred:
        ri, rj = uf.find(L[k]), uf.find(R[k])
        if ri == rj:
            continue
        richer_j = (len(uf.nhs[rj]), len(uf.dob[rj])) >= (len(uf.nhs[ri]), len(uf.dob[ri]))
        bare, target = (ri, rj) if richer_j else (rj, ri)
        options.setdefault(bare, []).append((W[k], k, target))
    ambiguous = 0
    # Two such records of one feed (step 5, ``twins``) join no one automatically.
    ambiguous_roots: set[int] = {uf.find(i) for i in twins}
    for bare in sorted(options):
        choices = sorted(options[bare], key=lambda c: (-c[0], c[1]))
        if uf.find(bare) in ambiguous_roots:
            ambiguous += 1
            for _weight, k, _target in choices:
                review.append(
                    ReviewCandidate(
                        ids[L[k]],
                        ids[R[k]],
                        P[k],
                        "Another record of this name in the same feed: which one is this person?",
                    )  # fmt: skip
                )
            continue
        best_target_by_root: dict[int, tuple[float, int]] = {}
        for weight, k, target in choices:
            root = uf.find(target)
            # A child is no candidate for a council tax account: not a rival either.
            if root not in best_target_by_root and not uf.child_for_adult(uf.find(bare), root):
                best_target_by_root[root] = (weight, k)
        if not best_target_by_root:
            continue  # every candidate is a child: the account holder is somebody else
        ranked = sorted(best_target_by_root.items(), key=lambda t: (-t[1][0], t[1][1]))
        top_root, (top_weight, _top_k) = ranked[0]
        rivals = [
            (root, wk)
            for root, wk in ranked[1:]
            if uf.find(root) != uf.find(top_root) and uf.conflict(uf.find(root), uf.find(top_root))
        ]
        if rivals and top_weight - rivals[0][1][0] < AMBIGUITY_MARGIN_WEIGHT:
            # A telephone number that the record shares with only one of the candidates
            # tells them apart (a landline both share does not).
            sharing = [(r, wk) for r, wk in ranked if uf.phone[r] & uf.phone[uf.find(bare)]]
            if len(sharing) == 1:
                _root, (_weight, k) = sharing[0]
                refused += _try_union(uf, L[k], R[k], P[k], RULE_MODEL, note, review, ids)
                continue
            ambiguous += 1
            ambiguous_roots.add(uf.find(bare))
            for _root, (_weight, k) in ranked:
                review.append(
                    ReviewCandidate(
                        ids[L[k]],
                        ids[R[k]],
                        P[k],
                        "Matches two different people about equally well",
                    )
                )
            continue
        for _weight, k, _target in choices:
            if uf.child_for_adult(uf.find(L[k]), uf.find(R[k])):
                continue  # impossible, so not a question for a steward either
            refused += _try_union(uf, L[k], R[k], P[k], RULE_MODEL, note, review, ids)

    # 6. One person in the house by that name. A record with neither NHS Number nor date of
    # birth (a council tax or housing record) that names exactly one person in its house by
    # given name (the same, or a nickname of it) is that person, even when the family name
    # differs (a married name, Singh or Kaur for a family surname): the model cannot see that
    # two different people in one house rarely share a given name. Two candidates in the
    # house (a father and son of one name), or a cluster found ambiguous above, stay in review.
    if len(pairs) and "gamma_residence" in pairs and "gamma_given_name" in pairs:
        household = (
            in_band
            & np.isin(pairs["gamma_residence"].to_numpy(), _SAME_HOUSE_GAMMAS)
            & np.isin(pairs["gamma_given_name"].to_numpy(), _GIVEN_SAME_PERSON_GAMMAS)
        )
        by_bare: dict[int, list[int]] = {}
        for k in np.flatnonzero(household).tolist():
            i, j = L[k], R[k]
            for bare, other in ((i, j), (j, i)):
                if nhs[bare] is None and dobs[bare] is None and (nhs[other] or dobs[other]):
                    by_bare.setdefault(bare, []).append(k)
        for bare in sorted(by_bare):
            root = uf.find(bare)
            if root in ambiguous_roots or uf.nhs[root] or uf.dob[root]:
                continue
            targets = {uf.find(L[k] if R[k] == bare else R[k]) for k in by_bare[bare]}
            targets.discard(root)
            # A child of that name in the house is no candidate for a council tax account.
            targets = {t for t in targets if not uf.child_for_adult(root, t)}
            if len(targets) != 1:
                continue
            k = max(
                (k for k in by_bare[bare] if uf.find(L[k] if R[k] == bare else R[k]) in targets),
                key=lambda k: (P[k], -k),
            )
            refused += _try_union(uf, L[k], R[k], P[k], RULE_MODEL, note, review, ids)

    # 7. Records with neither NHS Number nor date of birth that match each other (a tenancy
    # and a council tax account) join now, after each was weighed on its own: not when either
    # fits two different people of that name in the house (step 3 found it ambiguous), since
    # then name and address cannot say which of the two each record is.
    for k in bare_pairs:
        i, j = L[k], R[k]
        ri, rj = uf.find(i), uf.find(j)
        if ri == rj:
            note(i, j, RULE_MODEL, P[k])
        elif ri in ambiguous_roots or rj in ambiguous_roots:
            review.append(
                ReviewCandidate(
                    ids[i], ids[j], P[k], "Matches two different people about equally well"
                )
            )
        else:
            refused += _try_union(uf, i, j, P[k], RULE_MODEL, note, review, ids)

    # Review band: only pairs that ended up in different clusters need a steward.
    for k in _descending(np.flatnonzero(in_band), p, left, right).tolist():
        i, j = L[k], R[k]
        ri, rj = uf.find(i), uf.find(j)
        if ri != rj and not uf.child_for_adult(ri, rj):
            review.append(
                ReviewCandidate(ids[i], ids[j], P[k], "Match probability in the review band")
            )

    review = _dedupe_review(review, uf, index, review_cap)
    roots = [uf.find(i) for i in range(len(ids))]
    return Clusters(
        cluster_of={ids[i]: ids[roots[i]] for i in range(len(ids))},
        rule_of={ids[i]: rule[i] for i in range(len(ids))},
        probability_of={ids[i]: prob[i] for i in range(len(ids))},
        review=review,
        refused_unions=refused,
        ambiguous_records=ambiguous,
    )


def _canonical_order(pairs: pd.DataFrame, index: dict) -> pd.DataFrame:
    """The pairs sorted by the places of their two records (whichever side each is on).

    The database engine returns pairs in a different order on every run; every tie below is
    broken by this order, so identical data always gives identical people.
    """
    if not len(pairs):
        return pairs
    left = pairs["unique_id_l"].map(index).to_numpy()
    right = pairs["unique_id_r"].map(index).to_numpy()
    order = np.lexsort((np.maximum(left, right), np.minimum(left, right)))
    return pairs.iloc[order].reset_index(drop=True)


def _descending(idx: np.ndarray, p: np.ndarray, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """Indices by descending probability, then by record positions: deterministic order."""
    if len(idx) == 0:
        return idx
    order = np.lexsort((right[idx], left[idx], -p[idx]))
    return idx[order]


def _try_union(uf, i, j, p, how, note, review, ids, vouched: bool = False) -> int:
    ri, rj = uf.find(i), uf.find(j)
    if ri == rj:
        note(i, j, how, p)
        return 0
    why = uf.conflict(ri, rj, (i, j) if vouched else None)
    if why:
        review.append(ReviewCandidate(ids[i], ids[j], p, f"Strong match, but not linked: {why}"))
        return 1
    uf.union(ri, rj)
    note(i, j, how, p)
    return 0


def _dedupe_review(review: list[ReviewCandidate], uf: _UnionFind, index, cap: int):
    """One pair per two clusters (the most likely), none inside one cluster, at most ``cap``."""
    seen: dict[tuple[int, int], ReviewCandidate] = {}
    for cand in review:
        ri, rj = uf.find(index[cand.record_a]), uf.find(index[cand.record_b])
        if ri == rj:
            continue
        key = (min(ri, rj), max(ri, rj))
        if key not in seen or seen[key].match_probability < cand.match_probability:
            seen[key] = cand
    kept = sorted(
        seen.values(), key=lambda c: (-c.match_probability, str(c.record_a), str(c.record_b))
    )
    return kept[:cap]
