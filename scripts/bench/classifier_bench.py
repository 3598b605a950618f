#!/usr/bin/env python3
"""Content classification on banking77: `rapport-bench classifier` next to scikit-learn.

Both read the same train.csv / test.csv (columns text,category) and report accuracy on test.csv,
training (fit) seconds and prediction rate (messages per second, one thread).

scikit-learn 1.9.1 recipes (texts NFKC-normalised and lower-cased, as Rapport does):
  * baseline: TfidfVectorizer(word 1-2-grams, sublinear tf) + TfidfVectorizer(char_wb 1-5-grams,
    sublinear tf), stacked and L2-normalised, LinearSVC(C=1) (liblinear, one-vs-rest).
  * Rapport's recipe: word 1-3-grams weighted 0.7 + char_wb 1-4-grams, LinearSVC(C=2,
    class_weight="balanced"). Same features and model as Rapport, without its calibration step.
Fit time includes vectorising the training texts; the prediction rate includes vectorising the
test texts, one message at a time (transform + decision_function per message), as a server sees
messages, and for the whole test set in one batch.

Usage (from the repository root, after `swift build -c release --product rapport-bench`):
  .venv-peers/bin/python scripts/bench/classifier_bench.py [--data ../shared/datasets/banking77]
"""
import argparse
import datetime
import json
import os
import platform
import subprocess
import time
import unicodedata

import pandas as pd
import sklearn
from scipy.sparse import hstack
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize
from sklearn.svm import LinearSVC


def normalise(text):
    return unicodedata.normalize("NFKC", text).lower()


class Recipe:
    def __init__(self, word, char, word_weight, c, balanced):
        self.word = TfidfVectorizer(ngram_range=word, sublinear_tf=True, token_pattern=r"(?u)\b\w+\b")
        self.char = TfidfVectorizer(analyzer="char_wb", ngram_range=char, sublinear_tf=True)
        self.word_weight = word_weight
        self.model = LinearSVC(C=c, class_weight="balanced" if balanced else None)

    def features(self, texts, fit=False):
        texts = [normalise(t) for t in texts]
        if fit:
            words, chars = self.word.fit_transform(texts), self.char.fit_transform(texts)
        else:
            words, chars = self.word.transform(texts), self.char.transform(texts)
        return normalize(hstack([self.word_weight * words, chars]).tocsr())

    def fit(self, texts, labels):
        self.model.fit(self.features(texts, fit=True), labels)

    def predict(self, texts):
        return self.model.predict(self.features(texts))


def measure(name, recipe, train, test, single):
    started = time.perf_counter()
    recipe.fit(list(train.text), list(train.category))
    fit_seconds = time.perf_counter() - started
    started = time.perf_counter()
    predicted = recipe.predict(list(test.text))
    batch_rate = len(test) / (time.perf_counter() - started)
    accuracy = float((predicted == test.category.values).mean())
    texts = list(test.text)[:single]
    started = time.perf_counter()
    for text in texts:
        recipe.predict([text])
    single_rate = len(texts) / (time.perf_counter() - started)
    return {"method": name, "accuracy": accuracy, "train_seconds": fit_seconds,
            "per_second_1": single_rate, "per_second_batch": batch_rate}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", default="../shared/datasets/banking77")
    parser.add_argument("--rapport-bench", "--rapport", dest="rapport_bench", default=".build/release/rapport-bench",
                        help="the rapport-bench executable")
    parser.add_argument("--single", type=int, default=500, help="test messages predicted one at a time by scikit-learn")
    args = parser.parse_args()
    train = pd.read_csv(os.path.join(args.data, "train.csv"))
    test = pd.read_csv(os.path.join(args.data, "test.csv"))

    rows = [
        measure("scikit-learn: word 1-2 + char_wb 1-5 TF-IDF, LinearSVC C=1 (baseline)",
                Recipe((1, 2), (1, 5), 1.0, 1.0, False), train, test, args.single),
        measure("scikit-learn: Rapport's recipe (word 1-3 ×0.7 + char_wb 1-4, LinearSVC C=2 balanced)",
                Recipe((1, 3), (1, 4), 0.7, 2.0, True), train, test, args.single),
    ]
    for row in rows:
        print(f"{row['method']}: accuracy {row['accuracy']:.4f}, fit {row['train_seconds']:.2f} s, "
              f"{row['per_second_1']:.0f} messages/s one at a time, {row['per_second_batch']:.0f}/s batched", flush=True)

    output = subprocess.run([args.rapport_bench, "classifier", "--json",
                             "--train", os.path.join(args.data, "train.csv"),
                             "--test", os.path.join(args.data, "test.csv")],
                            check=True, capture_output=True, text=True).stdout
    print(output.strip())
    figures = json.loads(next(line[5:] for line in output.splitlines() if line.startswith("JSON ")))
    rows.append({"method": "Rapport TextClassifier (same features, class-balanced L2-SVM by dual coordinate descent, "
                           "calibrated confidence)",
                 "accuracy": figures["accuracy"], "train_seconds": figures["train_seconds"],
                 "per_second_1": figures["predict_per_second_1"], "per_second_batch": figures["predict_per_second_all"],
                 "extra": f"confidence ≥ {figures['threshold']:.2f}: {figures['coverage'] * 100:.1f}% routed at "
                          f"accuracy {figures['confident_accuracy']:.4f}, triage share would be "
                          f"{figures['triage_accuracy']:.4f} right"})

    print()
    print(f"banking77 ({len(train)} train / {len(test)} test), {platform.processor() or platform.machine()}, "
          f"{os.cpu_count()} cores, {datetime.date.today().isoformat()}, scikit-learn {sklearn.__version__}")
    print()
    print("| method | accuracy | training s | messages/s, one thread | messages/s, batch / all cores |")
    print("|---|---|---|---|---|")
    for row in rows:
        print(f"| {row['method']} | {row['accuracy']:.4f} | {row['train_seconds']:.2f} | "
              f"{row['per_second_1']:,.0f} | {row['per_second_batch']:,.0f} |")
    for row in rows:
        if "extra" in row:
            print(f"\n{row['method']}: {row['extra']}")


if __name__ == "__main__":
    main()
