"""Train the linkage model and score candidate pairs: Splink only, no Django.

``score_pairs(records)`` takes contract-shaped demographics (a pandas frame) and returns the
pairs worth deciding about, each with its match probability and comparison levels. It knows
nothing of the database, so the benchmark, the FEBRL4 check and a Spark job can call it
directly; ``actions.link_everyone`` reads the records, calls it, and writes the result.

Training needs no truth file and is deterministic for a given input and seed:
- the prior (probability two random records match) from deterministic rules (same valid NHS
  Number; same name and date of birth) with a recall worked out from how many records carry a
  valid NHS Number, re-estimated on every run because it depends on the data set's size;
- u by seeded random sampling;
- m by expectation maximisation on three blocking rules (sampled to a fixed number of pairs);
- the trained m, u and prior rounded (``_rounded``), so identical data gives identical
  probabilities on every run.
A feed too small to train on (fewer than ``MIN_RECORDS_TO_TRAIN`` records), or one training
fails on, uses the fixed, documented parameters of ``settings.FIXED_M_U`` instead: a pilot's
first few records link sensibly and never end in a traceback.
"""

import logging
import math
import os
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import duckdb
import pandas as pd
from splink import DuckDBAPI, Linker
from splink.internals.exceptions import SplinkException

from wraparound.identity import blocking_rules, features
from wraparound.identity.clustering import REVIEW_FLOOR_PROBABILITY
from wraparound.identity.settings import build_settings, fixed_settings

DEFAULT_SEED = 20240607
U_MAX_PAIRS = 1.5e6
EM_MAX_PAIRS = 1.5e6
# Above this many records the model is trained on a seeded sample and then applied to all of
# them, with the prior re-estimated on the full data (it depends on the data set's size).
TRAIN_MAX_RECORDS = 200_000
# Share of true matching pairs the name + date-of-birth rule finds when no NHS Number helps.
NAME_DOB_RULE_RECALL = 0.6
# Below this many records there is too little to learn m and u from: the model uses the fixed,
# documented parameters of ``settings.FIXED_M_U`` (so does any feed training fails on).
MIN_RECORDS_TO_TRAIN = 300
# Trained parameters are rounded to this many significant digits (see ``_rounded``).
PARAMETER_DIGITS = 8


@dataclass
class ScoredPairs:
    """The output of one model run."""

    pairs: pd.DataFrame  # unique_id_l, unique_id_r, match_weight, match_probability, gamma_*
    model: dict  # the trained Splink settings (m, u, prior) as Splink saves them
    levels: dict[str, dict[int, tuple[str, float]]]  # comparison -> gamma -> (label, weight)
    with_nhs_number: bool
    timings: dict[str, float] = field(default_factory=dict)


def _duckdb_api(memory_limit: str) -> DuckDBAPI:
    con = duckdb.connect(":memory:")
    spill = tempfile.mkdtemp(prefix="wraparound-splink-")
    con.execute(f"SET memory_limit = '{memory_limit}'")
    con.execute(f"SET temp_directory = '{spill}'")
    con.execute("SET preserve_insertion_order = false")
    return DuckDBAPI(connection=con)


def _estimate_prior(linker: Linker, rules, recall: float) -> None:
    try:
        linker.training.estimate_probability_two_random_records_match(rules, recall=recall)
    except ValueError:
        # Tiny or oddly shaped data: the rules found more than the recall allows. Keep default.
        pass


def level_table(model: dict) -> dict[str, dict[int, tuple[str, float]]]:
    """For every comparison, its levels' labels and match weights keyed by gamma value.

    Splink numbers the non-null levels from ``n - 1`` (most alike) down to 0 (else) and gives
    null levels -1; this reproduces that numbering from the saved model.
    """
    table: dict[str, dict[int, tuple[str, float]]] = {}
    for comparison in model["comparisons"]:
        name = comparison["output_column_name"]
        levels = comparison["comparison_levels"]
        non_null = [lvl for lvl in levels if not lvl.get("is_null_level")]
        gamma = len(non_null) - 1
        entries: dict[int, tuple[str, float]] = {}
        for lvl in levels:
            label = lvl.get("label_for_charts") or lvl["sql_condition"]
            if lvl.get("is_null_level"):
                entries[-1] = (label, 0.0)
                continue
            m, u = lvl.get("m_probability"), lvl.get("u_probability")
            weight = math.log2(m / u) if m and u else 0.0
            entries[gamma] = (label, round(weight, 2))
            gamma -= 1
        table[name] = entries
    return table


def score_pairs(
    records: pd.DataFrame,
    *,
    seed: int = DEFAULT_SEED,
    review_floor: float = REVIEW_FLOOR_PROBABILITY,
    progress: Callable[[str], None] | None = None,
    db_api=None,
    memory_limit: str = "3GB",
) -> ScoredPairs:
    """Train on ``records`` and return every pair above ``review_floor`` or sharing an NHS Number.

    Pairs sharing a valid NHS Number are returned whatever their probability, so the clustering
    can send "same number, different person" to review rather than silently dropping it.
    """

    logging.getLogger("splink").setLevel(logging.ERROR)
    step = progress or (lambda _stage: None)
    timings: dict[str, float] = {}
    started = time.perf_counter()

    step("prepare")
    frame = features.prepare(records)
    nhs_share = float(frame["nhs_number"].notna().mean()) if len(frame) else 0.0
    nhs_pairs = frame["nhs_number"].dropna().duplicated().any()
    with_nhs_number = bool(nhs_pairs)
    with_other_id = bool(frame["other_id"].dropna().duplicated().any())
    # A pair has an initial-only side about twice as often as a single record does.
    initial_share = float((frame["given_name"].str.len() == 1).mean()) if len(frame) else 0.0
    initial_only_m = min(0.5, max(0.005, 2 * initial_share))
    timings["prepare"] = time.perf_counter() - started

    empty = pd.DataFrame(
        columns=["unique_id_l", "unique_id_r", "match_weight", "match_probability"]
    )
    if len(frame) < 2:
        return ScoredPairs(empty, {}, {}, with_nhs_number, timings)

    step("train")
    t0 = time.perf_counter()
    api = db_api or _duckdb_api(memory_limit)
    trained = len(frame) >= MIN_RECORDS_TO_TRAIN
    if trained:
        try:
            linker = _train(
                api, frame, seed=seed, timings=timings, started=t0, with_nhs_number=with_nhs_number,
                with_other_id=with_other_id, initial_only_m=initial_only_m, nhs_share=nhs_share,
            )  # fmt: skip
            trained = _all_numbers(linker.misc.save_model_to_json())
        except (SplinkException, ValueError, ZeroDivisionError):
            # Too uniform to learn from (every pair alike, or no pair in a training block).
            trained = False
    if not trained:
        fixed = fixed_settings(
            records=len(frame), with_nhs_number=with_nhs_number, with_other_id=with_other_id
        )
        linker = Linker(api.register(frame), fixed, log_level=None)
    model = linker.misc.save_model_to_json()
    timings["train"] = time.perf_counter() - t0

    step("predict")
    t0 = time.perf_counter()
    predictions = linker.inference.predict(warning_mode="never")
    gamma_cols = [f"gamma_{c['output_column_name']}" for c in model["comparisons"]]
    keep = f"match_probability >= {review_floor}"
    if with_nhs_number:
        keep += " OR gamma_nhs_number = 1"
    wanted = predictions.query_sql(
        "SELECT unique_id_l, unique_id_r, match_weight, match_probability, "
        + ", ".join(gamma_cols)
        + " FROM {this} WHERE "
        + keep
    )
    pairs = wanted.as_pandas_dataframe()
    predictions.drop_table_from_database_and_remove_from_cache()
    timings["predict"] = time.perf_counter() - t0
    timings["total"] = time.perf_counter() - started
    return ScoredPairs(pairs, model, level_table(model), with_nhs_number, timings)


def _all_numbers(model: dict) -> bool:
    """False when training left a parameter undefined (NaN): data too uniform to learn from."""
    values = [model["probability_two_random_records_match"]]
    for c in model["comparisons"]:
        for lvl in c["comparison_levels"]:
            values += [lvl.get("m_probability"), lvl.get("u_probability")]
    return not any(isinstance(v, float) and math.isnan(v) for v in values)


def _rounded(model: dict) -> dict:
    """The trained model with m, u and the prior rounded to ``PARAMETER_DIGITS`` significant digits.

    Expectation maximisation sums floating-point numbers in whatever order the database's
    threads finish, so two runs on identical data differ in the last bit; rounding makes them
    identical, and so the match probabilities and every tie between them.
    """

    def r(x):
        return float(f"{x:.{PARAMETER_DIGITS}g}") if isinstance(x, float) else x

    out = {**model, "probability_two_random_records_match": r(
        model["probability_two_random_records_match"]
    )}  # fmt: skip
    out["comparisons"] = [
        {
            **c,
            "comparison_levels": [
                {**lvl, **{k: r(lvl[k]) for k in ("m_probability", "u_probability") if k in lvl}}
                for lvl in c["comparison_levels"]
            ],
        }
        for c in model["comparisons"]
    ]
    return out


def _train(
    api, frame: pd.DataFrame, *, seed: int, timings: dict, started: float, with_nhs_number: bool,
    with_other_id: bool, initial_only_m: float, nhs_share: float,
) -> Linker:  # fmt: skip
    """Estimate the prior, u and m on ``frame`` (or a seeded sample of it); return the linker
    for all of ``frame`` with the rounded trained model."""
    settings = build_settings(
        with_nhs_number=with_nhs_number, initial_only_m=initial_only_m, with_other_id=with_other_id
    )
    sample = frame
    if len(frame) > TRAIN_MAX_RECORDS:
        sample = frame.sample(n=TRAIN_MAX_RECORDS, random_state=seed).sort_values("unique_id")
    linker = Linker(api.register(sample), settings, log_level=None)
    training = linker.training
    nhs_recall = nhs_share**2 if with_nhs_number else 0.0
    recall = 1 - (1 - nhs_recall) * (1 - NAME_DOB_RULE_RECALL)
    rules = blocking_rules.deterministic_rules(with_nhs_number=with_nhs_number)
    _estimate_prior(linker, rules, recall)
    timings["train_prior"] = time.perf_counter() - started
    training.estimate_u_using_random_sampling(max_pairs=U_MAX_PAIRS, seed=seed)
    timings["train_u"] = time.perf_counter() - started
    for n, rule in enumerate(blocking_rules.for_training(with_nhs_number=with_nhs_number)):
        training.estimate_parameters_using_expectation_maximisation(
            rule, estimate_without_term_frequencies=True, max_pairs=EM_MAX_PAIRS
        )
        timings[f"train_em{n}"] = time.perf_counter() - started
    model = _rounded(linker.misc.save_model_to_json())
    # Apply the rounded model to everyone; at another size the prior must be re-estimated.
    linker = Linker(api.register(frame), model, log_level=None)
    if sample is not frame:
        _estimate_prior(linker, rules, recall)
        linker = Linker(api.register(frame), _rounded(linker.misc.save_model_to_json()),
                        log_level=None)  # fmt: skip
    return linker


def default_threads() -> int:
    return os.cpu_count() or 1


def link_frame(
    records: pd.DataFrame,
    *,
    same: list[tuple] | tuple = (),
    different: list[tuple] | tuple = (),
    thresholds=None,
    seed: int = DEFAULT_SEED,
    progress: Callable[[str], None] | None = None,
    as_of=None,
):
    """Score and cluster a frame in one go (no database): ``(ScoredPairs, Clusters)``.

    ``records`` may carry ``partner`` (``sources.models.Partner`` values): a council tax record
    is of an adult, on ``as_of`` (today unless given).
    """
    from wraparound.identity.clustering import ADULTS_ONLY_PARTNERS, Thresholds, cluster

    thresholds = thresholds or Thresholds()
    scored = score_pairs(
        records, seed=seed, review_floor=thresholds.review_floor, progress=progress
    )
    if progress:
        progress("cluster")
    valid_nhs = features.prepare_nhs(records)
    dobs = features.prepare_dobs(records)
    phones = features.prepare_phones(records)
    adults_only = (
        records["partner"].isin(ADULTS_ONLY_PARTNERS).tolist() if "partner" in records else None
    )
    clusters = cluster(
        records["unique_id"].tolist(),
        valid_nhs,
        scored.pairs,
        dates_of_birth=dobs,
        adults_only=adults_only,
        as_of=as_of,
        phones=phones,
        same=same,
        different=different,
        thresholds=thresholds,
    )
    return scored, clusters
