#!/usr/bin/env python3
"""Run peer record-linkage tools (Splink, recordlinkage) on the FEBRL data sets.

Prints pairwise precision / recall / F1, the number of predicted pairs and the
wall time of each peer on

  * dataset3.csv              -- deduplicate 5,000 records (6,538 true pairs)
  * dataset4a.csv x 4b.csv    -- link 5,000 x 5,000 records (5,000 true links)

so that the Swift benchmark can show them next to its own figures.

Ground truth comes from rec_id ("rec-1496-org", "rec-552-dup-3"): records with
the same number are the same entity.  For dataset3 every pair inside an entity
group is a true pair; for dataset4 every (a, b) pair with the same number is a
true link.

Timings (wall clock, seconds):
  seconds        the matching itself: from the loaded pandas DataFrame(s) to the
                 set of predicted pairs (model set-up, training, indexing,
                 comparison, classification).  Scoring against the truth and
                 the tuned-threshold sweep are not included.
  load_seconds   reading the CSV file(s) into DataFrames.
  seconds_total  import_seconds + load_seconds + seconds, i.e. what the data
                 set would cost run on its own in a fresh process (interpreter
                 start-up excluded).
  import_seconds (per peer) importing pandas plus the peer library.

Set up once:
  python3 -m venv .venv-peers
  .venv-peers/bin/pip install -r scripts/peers/requirements.txt
Run:
  .venv-peers/bin/python scripts/peers/febrl_peers.py [--json] [--only splink|recordlinkage]
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import io
import json
import logging
import os
import sys
import time
import warnings
from itertools import combinations

# pandas is imported (and its import timed) in main(), after the arguments
# and the data directory have been checked.
pd = None
PANDAS_IMPORT_SECONDS = 0.0

COLUMNS = [
    "rec_id", "given_name", "surname", "street_number", "address_1",
    "address_2", "suburb", "postcode", "state", "date_of_birth", "soc_sec_id",
]

# Splink's match-probability threshold.  0.5 is the Bayes decision point
# ("more likely a match than not"); it is fixed a priori, not tuned on labels.
SPLINK_THRESHOLD = 0.5


# --------------------------------------------------------------------------
# data and ground truth
# --------------------------------------------------------------------------

def load_febrl(path: str) -> pd.DataFrame:
    """Read a FEBRL CSV (", " separated) with every field as a string.

    Empty fields become None (SQL NULL / pandas missing), never "".
    """
    df = pd.read_csv(
        path,
        sep=",",
        skipinitialspace=True,
        dtype=str,
        keep_default_na=False,
        na_filter=False,
        encoding="utf-8",
    )
    df.columns = [c.strip() for c in df.columns]
    missing = [c for c in COLUMNS if c not in df.columns]
    if missing:
        raise SystemExit(f"error: {path} lacks columns {missing}")
    df = df[COLUMNS]
    for col in COLUMNS:
        s = df[col].str.strip()
        df[col] = s.where(s != "", None)
    if df["rec_id"].isna().any() or df["rec_id"].duplicated().any():
        raise SystemExit(f"error: {path} has empty or duplicate rec_id values")
    return df


def entity_of(rec_id: str) -> str:
    # rec-1496-org -> 1496 ; rec-552-dup-3 -> 552
    return rec_id.split("-")[1]


def truth_dedupe(df: pd.DataFrame) -> set[tuple[str, str]]:
    groups: dict[str, list[str]] = {}
    for rid in df["rec_id"]:
        groups.setdefault(entity_of(rid), []).append(rid)
    pairs = set()
    for ids in groups.values():
        for x, y in combinations(sorted(ids), 2):
            pairs.add((x, y))
    return pairs


def truth_link(df_a: pd.DataFrame, df_b: pd.DataFrame) -> set[tuple[str, str]]:
    by_entity: dict[str, list[str]] = {}
    for rid in df_b["rec_id"]:
        by_entity.setdefault(entity_of(rid), []).append(rid)
    return {
        (ra, rb)
        for ra in df_a["rec_id"]
        for rb in by_entity.get(entity_of(ra), [])
    }


def dedupe_key(x: str, y: str) -> tuple[str, str]:
    return (x, y) if x <= y else (y, x)


def score(predicted: set, truth: set) -> dict:
    tp = len(predicted & truth)
    p = tp / len(predicted) if predicted else 0.0
    r = tp / len(truth) if truth else 0.0
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": p, "recall": r, "f1": f1, "pairs": len(predicted),
            "true_positives": tp}


def best_f1(scored: list[tuple[float, tuple]], truth: set) -> dict:
    """Best F1 over all thresholds on the scored candidate pairs (uses labels:
    an upper bound, reported as *tuned*, never as the headline figure)."""
    scored = sorted(scored, key=lambda t: -t[0])
    best = {"f1": 0.0, "threshold": None, "precision": 0.0, "recall": 0.0}
    tp = 0
    n = 0
    i = 0
    while i < len(scored):
        prob = scored[i][0]
        # take every pair with this exact score together (ties)
        while i < len(scored) and scored[i][0] == prob:
            tp += scored[i][1] in truth
            n += 1
            i += 1
        p = tp / n
        r = tp / len(truth)
        f1 = 2 * p * r / (p + r) if p + r else 0.0
        if f1 > best["f1"]:
            best = {"f1": f1, "threshold": prob, "precision": p, "recall": r}
    return best


# --------------------------------------------------------------------------
# Splink (DuckDB backend)
# --------------------------------------------------------------------------

def splink_import() -> tuple[float, str]:
    t = time.perf_counter()
    import splink  # noqa: F401
    import splink.comparison_library  # noqa: F401
    from splink import DuckDBAPI  # noqa: F401
    import duckdb  # noqa: F401
    return time.perf_counter() - t, splink.__version__


def _splink_comparisons():
    import splink.comparison_library as cl

    return [
        # names: exact (with term-frequency adjustment) then Jaro-Winkler
        # >= 0.92 / 0.88 / 0.70
        cl.NameComparison("given_name"),
        cl.NameComparison("surname"),
        # exact, Levenshtein <= 1, within 1 month / 1 year / 10 years
        cl.DateOfBirthComparison(
            "date_of_birth",
            input_is_string=True,
            datetime_format="%Y%m%d",
            invalid_dates_as_null=True,
        ),
        cl.DamerauLevenshteinAtThresholds("soc_sec_id", [1, 2]),
        cl.ExactMatch("street_number").configure(term_frequency_adjustments=True),
        cl.JaroWinklerAtThresholds("address_1", [0.9, 0.8]),
        cl.JaroWinklerAtThresholds("suburb", [0.9, 0.8]),
        cl.DamerauLevenshteinAtThresholds("postcode", [1, 2]).configure(
            term_frequency_adjustments=True
        ),
    ]


def _splink_blocking_rules():
    from splink import block_on

    return [
        block_on("given_name", "surname"),
        "l.given_name = r.surname and l.surname = r.given_name",
        block_on("date_of_birth"),
        block_on("soc_sec_id"),
        block_on("state", "address_1"),
        block_on("street_number", "address_1"),
        block_on("postcode"),
    ]


def splink_run(frames: list[pd.DataFrame], link: bool, threshold: float):
    """Train a Splink model unsupervised and predict.

    Returns (predicted pair set, timed seconds, all scored pairs for the
    tuned sweep)."""
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    t = time.perf_counter()
    db_api = DuckDBAPI()
    if link:
        sdfs = [
            db_api.register(frames[0], dataset_display_name="febrl_a"),
            db_api.register(frames[1], dataset_display_name="febrl_b"),
        ]
    else:
        sdfs = db_api.register(frames[0], dataset_display_name="febrl3")
    settings = SettingsCreator(
        unique_id_column_name="rec_id",
        link_type="link_only" if link else "dedupe_only",
        blocking_rules_to_generate_predictions=_splink_blocking_rules(),
        comparisons=_splink_comparisons(),
        retain_matching_columns=False,
        retain_intermediate_calculation_columns=False,
    )
    linker = Linker(sdfs, settings, log_level=None)

    # lambda: from deterministic rules with an assumed recall (no labels used)
    linker.training.estimate_probability_two_random_records_match(
        [
            block_on("soc_sec_id"),
            block_on("given_name", "surname", "date_of_birth"),
        ],
        recall=0.8 if link else 0.9,
    )
    # u: random sampling of record pairs (nearly all are non-matches)
    linker.training.estimate_u_using_random_sampling(max_pairs=1e6, seed=42)
    # m: expectation maximisation on two blocking rules; each rule leaves the
    # other's columns free to be estimated
    for rule in (block_on("date_of_birth"), block_on("postcode")):
        linker.training.estimate_parameters_using_expectation_maximisation(
            rule, estimate_without_term_frequencies=True
        )

    pred = linker.inference.predict(threshold_match_probability=threshold)
    cols = ["rec_id_l", "rec_id_r", "match_probability"]
    if link:
        cols += ["source_dataset_l", "source_dataset_r"]
    rows = pred.as_pandas_dataframe()[cols]
    predicted = _splink_pairs(rows, link)
    seconds = time.perf_counter() - t

    # Untimed: every blocked candidate pair with its probability, for the
    # tuned (best-over-thresholds) F1.
    all_rows = linker.inference.predict().as_pandas_dataframe()[cols]
    keys = _splink_pair_list(all_rows, link)
    scored = list(zip(all_rows["match_probability"].tolist(), keys))
    return predicted, seconds, scored


def _splink_pair_list(rows: pd.DataFrame, link: bool) -> list[tuple[str, str]]:
    lefts = rows["rec_id_l"].tolist()
    rights = rows["rec_id_r"].tolist()
    if not link:
        return [dedupe_key(x, y) for x, y in zip(lefts, rights)]
    srcs = rows["source_dataset_l"].tolist()
    out = []
    for x, y, s in zip(lefts, rights, srcs):
        out.append((x, y) if s == "febrl_a" else (y, x))
    return out


def _splink_pairs(rows: pd.DataFrame, link: bool) -> set[tuple[str, str]]:
    return set(_splink_pair_list(rows, link))


# --------------------------------------------------------------------------
# recordlinkage (Python Record Linkage Toolkit)
# --------------------------------------------------------------------------

def rl_import() -> tuple[float, str]:
    t = time.perf_counter()
    import recordlinkage
    return time.perf_counter() - t, recordlinkage.__version__


def rl_run(frames: list[pd.DataFrame], link: bool):
    import recordlinkage as rl
    from recordlinkage.compare import Exact, String
    from recordlinkage.index import Block

    t = time.perf_counter()
    dfs = [f.set_index("rec_id") for f in frames]

    # indexing: union of several blocking passes
    indexer = rl.Index()
    for key in ("given_name", "surname", "date_of_birth", "soc_sec_id"):
        indexer.add(Block(key))
    candidates = indexer.index(*dfs)

    # comparisons: binary agree / disagree features (missing -> disagree)
    comparer = rl.Compare(n_jobs=1)
    comparer.add(String("given_name", "given_name", method="jarowinkler",
                        threshold=0.85, label="given_name"))
    comparer.add(String("surname", "surname", method="jarowinkler",
                        threshold=0.85, label="surname"))
    comparer.add(Exact("date_of_birth", "date_of_birth", label="date_of_birth"))
    comparer.add(Exact("soc_sec_id", "soc_sec_id", label="soc_sec_id"))
    comparer.add(Exact("street_number", "street_number", label="street_number"))
    comparer.add(String("address_1", "address_1", threshold=0.85,
                        label="address_1"))
    comparer.add(Exact("suburb", "suburb", label="suburb"))
    comparer.add(Exact("postcode", "postcode", label="postcode"))
    comparer.add(Exact("state", "state", label="state"))
    features = comparer.compute(candidates, *dfs)

    # unsupervised Fellegi-Sunter classifier fitted by ECM
    ecm = rl.ECMClassifier(binarize=None)
    links = ecm.fit_predict(features)
    predicted = _rl_pairs(links, link)
    seconds = time.perf_counter() - t

    # untimed: probabilities for the tuned sweep
    probs = ecm.prob(features)
    keys = _rl_pair_list(probs.index, link)
    scored = list(zip(probs.tolist(), keys))
    return predicted, seconds, scored, len(candidates)


def _rl_pair_list(index, link: bool) -> list[tuple[str, str]]:
    if link:
        return [(x, y) for x, y in index]
    return [dedupe_key(x, y) for x, y in index]


def _rl_pairs(index, link: bool) -> set[tuple[str, str]]:
    return set(_rl_pair_list(index, link))


# --------------------------------------------------------------------------
# driver
# --------------------------------------------------------------------------

def run_peer(name: str, data: dict, quiet: bool, splink_threshold: float) -> dict:
    if name == "splink":
        import_s, version = splink_import()
    else:
        import_s, version = rl_import()
    import_s += PANDAS_IMPORT_SECONDS
    out: dict = {"version": version, "import_seconds": round(import_s, 3)}
    if name == "splink":
        out["threshold"] = splink_threshold
        out["backend"] = "duckdb " + __import__("duckdb").__version__
    total = import_s
    for ds in ("dataset3", "dataset4"):
        frames, load_s, truth = data[ds]
        link = ds == "dataset4"
        # keep the libraries' own chatter off stdout (it must stay JSON)
        sink = io.StringIO()
        with contextlib.redirect_stdout(sink), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if name == "splink":
                predicted, secs, scored = splink_run(
                    [f.copy() for f in frames], link, splink_threshold)
                extra = {}
            else:
                predicted, secs, scored, n_cand = rl_run(
                    [f.copy() for f in frames], link)
                extra = {"candidate_pairs": n_cand}
        res = score(predicted, truth)
        res.update(
            seconds=round(secs, 3),
            load_seconds=round(load_s, 3),
            seconds_total=round(import_s + load_s + secs, 3),
        )
        res.update(extra)
        tuned = best_f1(scored, truth)
        res["tuned_best_f1"] = tuned["f1"]
        res["tuned_threshold"] = tuned["threshold"]
        res["tuned_precision"] = tuned["precision"]
        res["tuned_recall"] = tuned["recall"]
        total += load_s + secs
        out[ds] = res
        if not quiet:
            print_line(name, version, ds, res)
    out["total_seconds"] = round(total, 3)
    return out


def print_line(name: str, version: str, ds: str, r: dict) -> None:
    print(
        f"{name} {version} {ds}: precision {r['precision']:.4f} "
        f"recall {r['recall']:.4f} F1 {r['f1']:.4f} pairs {r['pairs']} "
        f"(true {r['true_positives']}) time {r['seconds']:.2f}s "
        f"(total incl. import+load {r['seconds_total']:.2f}s) | "
        f"tuned: best F1 {r['tuned_best_f1']:.4f} at p>={r['tuned_threshold']:.4g}",
        flush=True,
    )


def main(argv=None) -> int:
    repo = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    default_data = os.path.normpath(os.path.join(repo, "..", "shared", "datasets", "febrl"))
    ap = argparse.ArgumentParser(
        description="Run Splink and recordlinkage on FEBRL dataset3 / dataset4.")
    ap.add_argument("--data", default=default_data,
                    help=f"directory with dataset3.csv, dataset4a.csv, dataset4b.csv "
                         f"(default: {default_data})")
    ap.add_argument("--json", action="store_true",
                    help="print one JSON object on stdout instead of text lines")
    ap.add_argument("--only", choices=["splink", "recordlinkage"],
                    help="run just one peer")
    ap.add_argument("--splink-threshold", type=float, default=SPLINK_THRESHOLD,
                    help=f"Splink match-probability threshold (default {SPLINK_THRESHOLD})")
    args = ap.parse_args(argv)

    files = {n: os.path.join(args.data, n)
             for n in ("dataset3.csv", "dataset4a.csv", "dataset4b.csv")}
    absent = [p for p in files.values() if not os.path.isfile(p)]
    if absent:
        print("error: FEBRL data missing: " + ", ".join(absent)
              + " (pass --data DIR)", file=sys.stderr)
        return 2

    peers = [args.only] if args.only else ["splink", "recordlinkage"]
    for peer in ["pandas"] + peers:
        if importlib.util.find_spec(peer) is None:
            print(f"error: Python package '{peer}' is not installed for "
                  f"{sys.executable}; set up the venv with: python3 -m venv "
                  f".venv-peers && .venv-peers/bin/pip install -r "
                  f"scripts/peers/requirements.txt", file=sys.stderr)
            return 3

    global pd, PANDAS_IMPORT_SECONDS
    t = time.perf_counter()
    import pandas
    pd = pandas
    PANDAS_IMPORT_SECONDS = time.perf_counter() - t

    logging.getLogger("splink").setLevel(logging.ERROR)

    t = time.perf_counter()
    d3 = load_febrl(files["dataset3.csv"])
    load3 = time.perf_counter() - t
    t = time.perf_counter()
    d4a = load_febrl(files["dataset4a.csv"])
    d4b = load_febrl(files["dataset4b.csv"])
    load4 = time.perf_counter() - t
    data = {
        "dataset3": ([d3], load3, truth_dedupe(d3)),
        "dataset4": ([d4a, d4b], load4, truth_link(d4a, d4b)),
    }
    if not args.json:
        print(f"FEBRL dataset3: {len(d3)} records, {len(data['dataset3'][2])} true pairs; "
              f"dataset4: {len(d4a)} x {len(d4b)} records, "
              f"{len(data['dataset4'][2])} true links")

    result = {}
    for peer in peers:
        result[peer] = run_peer(peer, data, args.json, args.splink_threshold)
    if args.json:
        json.dump(result, sys.stdout)
        sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
