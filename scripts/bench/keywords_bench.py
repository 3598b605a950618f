#!/usr/bin/env python3
"""Keyword-set matching: `rapport-bench keywords` next to pyahocorasick on the same files.

Generates (with a fixed seed) a UTF-8 corpus of CRM-like messages mixing English-like words,
Chinese and some full-width Latin, and keyword lists of 1,000 and 100,000 terms (English-like
words, two-word phrases, Chinese words, words that never occur). Both tools read the same files.

What is timed, per keyword count:
  * pyahocorasick 2.x (C): build = add_word for every lower-cased keyword + make_automaton;
    scan = text.lower() over the whole corpus + iterating A.iter(lowered) and counting the
    (end, value) tuples it yields. Plain lower-casing: no NFKC, so full-width words do not match.
  * rapport: build = KeywordMatcher(sets:) (validation, NFKC + case-fold normalization of the
    terms, automaton); scan = matcher.matches(in: text), which normalizes as it goes and returns
    KeywordMatch values with scalar offsets into the original text. The corpus is read into a
    String before timing, as Python reads it into a str before timing.
Throughput is corpus UTF-8 bytes (MB = 10^6 bytes) divided by scan seconds, best of --repeat runs,
by the wall clock and by the scanning thread's CPU time (steadier on a shared machine).

Match counts differ a little, by design: rapport also finds terms written in full-width letters
(`ＲＥＦＵＮＤ`), which NFKC maps to ASCII and plain lower-casing does not; everything else is the
same substring matching (no whole-word option is used here), overlapping matches included.

Usage (from the repository root, after `swift build -c release --product rapport-bench`):
  .venv-peers/bin/python scripts/bench/keywords_bench.py [--megabytes 50] [--seed 1]
"""
import argparse
import importlib.metadata
import json
import os
import platform
import random
import subprocess
import sys
import time

import ahocorasick

SYLLABLES = ("ba be bi bo bu ca ce co cu da de di do du fa fe fi fo ga ge go ha he hi ho "
             "ka ke ki ko la le li lo lu ma me mi mo mu na ne ni no nu pa pe pi po pu ra re "
             "ri ro ru sa se si so su ta te ti to tu va ve vi vo wa we wi ya yo za ze zo "
             "ar er ir or ur an en in on un al el il ol st tr pl gr cr br ch sh th").split()
COMMON = ("the and for you your with this that order refund invoice account payment card "
          "delivery address customer support please thanks hello question problem cancel "
          "subscription price discount return shipping tracking number email phone password "
          "login update change issue broken damaged missing late urgent help need want would "
          "could should today tomorrow week month receipt billing charge credit debit bank").split()
# Common Han characters (a contiguous block of frequent ideographs is enough for a benchmark).
HAN = [chr(c) for c in range(0x4E00, 0x4E00 + 2500)]


def fullwidth(word):
    return "".join(chr(ord(ch) - 0x21 + 0xFF01) if "!" <= ch <= "~" else ch for ch in word)


def vocabulary(rng, size):
    """COMMON first (the most frequent words), then made-up words in random order."""
    words = set(COMMON)
    while len(words) < size:
        words.add("".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))))
    rest = sorted(words - set(COMMON))
    rng.shuffle(rest)
    return COMMON + rest


def corpus(rng, vocab, megabytes):
    """Messages of 8-30 tokens; about 12% of tokens Chinese runs, 3% full-width words."""
    weights = [1.0 / (rank + 1) for rank in range(len(vocab))]  # Zipf-like word frequencies
    target = megabytes * 1_000_000
    parts, size = [], 0
    while size < target:
        words = rng.choices(vocab, weights, k=4096)
        kinds = rng.choices((0, 1, 2, 3, 4), (80, 5, 12, 3, 4), k=4096)
        out = []
        for word, kind in zip(words, kinds):
            if kind == 1:
                word = word.capitalize()
            elif kind == 2:
                word = "".join(rng.choices(HAN, k=rng.randint(2, 6)))
            elif kind == 3:
                word = fullwidth(word.upper() if rng.random() < 0.5 else word)
            elif kind == 4:
                word = word + rng.choice((",", ".", "!", "?"))
            out.append(word)
            out.append("\n" if rng.random() < 0.05 else " ")
        chunk = "".join(out)
        parts.append(chunk)
        size += len(chunk.encode("utf-8"))
    return "".join(parts)


def keywords(rng, vocab, count):
    """40% vocabulary words, 20% two-word phrases, 20% Chinese words, 20% absent words."""
    result = set()
    long_words = [w for w in vocab if len(w) >= 4]
    while len(result) < count:
        kind = rng.random()
        if kind < 0.4:
            result.add(rng.choice(long_words))
        elif kind < 0.6:
            result.add(rng.choice(vocab) + " " + rng.choice(vocab))
        elif kind < 0.8:
            result.add("".join(rng.choices(HAN, k=rng.randint(2, 4))))
        else:
            result.add("zq" + "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))))
    ordered = sorted(result)
    rng.shuffle(ordered)
    return ordered


def run_pyahocorasick(text, terms, repeat):
    start = time.perf_counter()
    automaton = ahocorasick.Automaton()
    for index, term in enumerate(terms):
        automaton.add_word(term.lower(), index)
    automaton.make_automaton()
    build = time.perf_counter() - start
    best, best_cpu, matches = None, None, 0
    for _ in range(repeat):
        start, cpu_start = time.perf_counter(), time.thread_time()
        lowered = text.lower()
        matches = 0
        for _ in automaton.iter(lowered):
            matches += 1
        elapsed, cpu = time.perf_counter() - start, time.thread_time() - cpu_start
        best = elapsed if best is None else min(best, elapsed)
        best_cpu = cpu if best_cpu is None else min(best_cpu, cpu)
    return {"build_seconds": build, "scan_seconds": best, "scan_cpu_seconds": best_cpu, "matches": matches}


def run_rapport(binary, text_path, keywords_path, repeat):
    output = subprocess.run([binary, "keywords", "--text", text_path, "--keywords-file", keywords_path,
                             "--repeat", str(repeat), "--json"], check=True, capture_output=True, text=True).stdout
    return json.loads(output.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--megabytes", type=int, default=50)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--counts", default="1000,100000", help="keyword counts, comma separated")
    parser.add_argument("--repeat", type=int, default=3, help="scan runs per tool; the best is reported")
    parser.add_argument("--dir", default="/tmp/rapport-keywords-bench", help="where the generated files go")
    parser.add_argument("--binary", default=".build/release/rapport-bench", help="the rapport-bench executable")
    args = parser.parse_args()

    os.makedirs(args.dir, exist_ok=True)
    rng = random.Random(args.seed)
    vocab = vocabulary(rng, 50_000)
    text_path = os.path.join(args.dir, f"corpus-{args.megabytes}mb-seed{args.seed}.txt")
    if not os.path.exists(text_path):
        with open(text_path, "w", encoding="utf-8") as file:
            file.write(corpus(random.Random(args.seed * 7919), vocab, args.megabytes))
    with open(text_path, encoding="utf-8") as file:
        text = file.read()
    size = os.path.getsize(text_path)

    rows = []
    for count in (int(c) for c in args.counts.split(",")):
        keywords_path = os.path.join(args.dir, f"keywords-{count}-seed{args.seed}.txt")
        terms = keywords(random.Random(args.seed * 104729 + count), vocab, count)
        with open(keywords_path, "w", encoding="utf-8") as file:
            file.write("\n".join(terms) + "\n")
        peer = run_pyahocorasick(text, terms, args.repeat)
        ours = run_rapport(args.binary, text_path, keywords_path, args.repeat)
        for name, result in ((f"pyahocorasick {importlib.metadata.version('pyahocorasick')}", peer),
                             ("rapport KeywordMatcher", ours)):
            rows.append((count, name, result["build_seconds"], result["scan_seconds"], size / result["scan_seconds"] / 1e6,
                         size / result["scan_cpu_seconds"] / 1e6, result["matches"]))
        print(f"{count} keywords: rapport / pyahocorasick throughput = {peer['scan_seconds'] / ours['scan_seconds']:.2f}x "
              f"(thread CPU: {peer['scan_cpu_seconds'] / ours['scan_cpu_seconds']:.2f}x)", file=sys.stderr)

    print(f"Corpus {size / 1e6:.1f} MB ({len(text):,} scalars), seed {args.seed}; {os.cpu_count()} cores, "
          f"{platform.processor() or platform.machine()}, Python {platform.python_version()}; best of {args.repeat}.\n")
    print("| keywords | tool | build (s) | scan (s) | MB/s | MB/s of thread CPU | matches |")
    print("|---:|---|---:|---:|---:|---:|---:|")
    for count, name, build, scan, rate, cpu_rate, matches in rows:
        print(f"| {count:,} | {name} | {build:.3f} | {scan:.3f} | {rate:.0f} | {cpu_rate:.0f} | {matches:,} |")


if __name__ == "__main__":
    main()
