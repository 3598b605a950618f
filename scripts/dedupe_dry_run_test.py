#!/usr/bin/env python3
"""`rapport dedupe --dry-run` writes nothing.

On a fresh SQLite data directory with a few customers, some of them entered twice with small
differences, it runs `rapport dedupe --dry-run --train` twice (the dry run trains a match model by
itself only from 500 customers on; `--train` makes it train with a few) and once plain
`rapport dedupe --dry-run`, and checks that:

* each run succeeds and reports the pairs it would propose,
* the second run does not use a stored model ("model version 1" would mean the first saved one),
* the database holds no match model and exactly the rows it held before (a digest of a full
  dump of the database, taken before and after),
* a dry run against a directory without a database fails and creates nothing,
* and, as a control that the checks can see a write, a run without `--dry-run` does save model
  version 1.

Python 3.11 standard library only.

    python3 scripts/dedupe_dry_run_test.py --binary .build/debug/rapport
"""

from __future__ import annotations

import argparse
import hashlib
import http.client
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from testkit import Checks, free_port  # noqa: E402

# Six people; the first three also entered a second time through another channel, with slips (an
# identity belongs to one customer only, so the second entries carry other emails and phones).
CUSTOMERS = [
    {"given_name": "Ana", "family_name": "Silva", "emails": ["ana.silva@example.com"], "phones": ["+49 30 1234567"],
     "addresses": [{"line1": "12 Main Street", "city": "Springfield", "postal_code": "10115", "country": "DE"}], "attributes": {"date_of_birth": "1985-04-12"}},
    {"given_name": "Anna", "family_name": "Silva", "emails": ["anna.silva@example.net"],
     "addresses": [{"line1": "12 Main Street", "city": "Springfield", "postal_code": "10115", "country": "DE"}], "attributes": {"date_of_birth": "1985-04-12"}},
    {"given_name": "Jonathan", "family_name": "Miller", "emails": ["jon.miller@example.org"], "phones": ["+1 415 555 0101"],
     "addresses": [{"line1": "4 Oak Road", "city": "Riverton", "postal_code": "94110", "country": "US"}], "attributes": {"date_of_birth": "1979-11-03"}},
    {"given_name": "Jonathon", "family_name": "Miller", "emails": ["jmiller@example.net"],
     "addresses": [{"line1": "4 Oak Road", "city": "Riverton", "postal_code": "94110", "country": "US"}], "attributes": {"date_of_birth": "1979-11-30"}},
    {"given_name": "Wei", "family_name": "Zhang", "emails": ["wei.zhang@example.com"],
     "addresses": [{"line1": "8 Park Avenue", "city": "Lakeside", "postal_code": "100000", "country": "CN"}], "attributes": {"date_of_birth": "1990-01-20"}},
    {"given_name": "Wei", "family_name": "Zhang", "phones": ["+86 10 5555 0199"],
     "addresses": [{"line1": "8 Park Avenue", "city": "Lakeside", "postal_code": "100000", "country": "CN"}], "attributes": {"date_of_birth": "1990-01-20"}},
    {"given_name": "Sofia", "family_name": "Garcia", "emails": ["sofia.garcia@example.com"], "phones": ["+34 91 555 0123"]},
    {"given_name": "Liam", "family_name": "Brown", "emails": ["liam.brown@example.com"], "phones": ["+44 20 7946 0958"]},
    {"given_name": "Olivia", "family_name": "Nguyen", "emails": ["olivia.nguyen@example.com"]},
]


class Failure(Exception):
    """A step that makes going on pointless."""


def run_rapport(binary: str, *arguments: str) -> subprocess.CompletedProcess:
    return subprocess.run([binary, *arguments, "--log-level", "error"], capture_output=True, text=True, timeout=300)


def database_digest(path: str) -> tuple[str, int]:
    """A digest of every row of every table (a full SQL dump), and the number of match models."""
    connection = sqlite3.connect(path)
    try:
        digest = hashlib.sha256()
        for statement in connection.iterdump():
            digest.update(statement.encode())
            digest.update(b"\n")
        models = connection.execute("SELECT COUNT(*) FROM match_models").fetchone()[0]
        return digest.hexdigest(), models
    finally:
        connection.close()


def create_customers(binary: str, data_dir: str, log_path: str) -> None:
    """Starts `rapport serve` on the directory, creates the customers over HTTP, and stops it."""
    created = run_rapport(binary, "keys", "create", "--role", "admin", "--data-dir", data_dir)
    if created.returncode != 0:
        raise Failure(f"rapport keys create exited with {created.returncode}: {created.stderr.strip()}")
    key = created.stdout.strip().splitlines()[-1]
    port = free_port()
    with open(log_path, "ab") as log:
        server = subprocess.Popen([binary, "serve", "--host", "127.0.0.1", "--port", str(port), "--data-dir", data_dir,
                                   "--log-level", "error"], stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while True:
            if server.poll() is not None:
                raise Failure(f"rapport serve exited with {server.returncode}; see {log_path}")
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                connection.request("GET", "/health/ready")
                if connection.getresponse().status == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise Failure("rapport serve was not ready after 60 s")
            time.sleep(0.2)
        for customer in CUSTOMERS:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            connection.request("POST", "/v1/customers", body=json.dumps(customer).encode(),
                               headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"})
            response = connection.getresponse()
            text = response.read().decode()
            if response.status != 201:
                raise Failure(f"POST /v1/customers answered {response.status}: {text}")
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def run(binary: str, tmp: str, checks: Checks) -> None:
    data_dir = os.path.join(tmp, "data")
    database = os.path.join(data_dir, "rapport.sqlite")
    create_customers(binary, data_dir, os.path.join(tmp, "server.log"))
    before, models_before = database_digest(database)
    checks.check("the fresh store holds no match model", models_before == 0, f"{models_before} models")

    outputs = []
    for number, arguments in enumerate((["--dry-run", "--train"], ["--dry-run", "--train"], ["--dry-run"]), start=1):
        result = run_rapport(binary, "dedupe", *arguments, "--data-dir", data_dir)
        name = f"run {number}, rapport dedupe " + " ".join(arguments)
        ok = result.returncode == 0
        checks.check(f"{name} succeeds", ok, "" if ok else f"exit {result.returncode}: {result.stderr.strip()[-300:]}")
        ok = "pairs at or above" in result.stdout and "none (dry run)" in result.stdout
        checks.check(f"{name} reports the pairs it would propose", ok, "" if ok else result.stdout.strip())
        outputs.append(result.stdout)
    checks.check("the second dry run uses no stored model", "model version" not in outputs[1],
                 outputs[1].strip().splitlines()[0] if outputs[1].strip() else "no output")
    checks.check("the plain dry run uses no stored model", "model version" not in outputs[2],
                 outputs[2].strip().splitlines()[0] if outputs[2].strip() else "no output")
    after, models_after = database_digest(database)
    checks.check("no match model is stored after the dry runs", models_after == 0, f"{models_after} models")
    checks.check("the database holds exactly what it held before the dry runs", after == before)

    missing = os.path.join(tmp, "no-such-directory")
    result = run_rapport(binary, "dedupe", "--dry-run", "--data-dir", missing)
    checks.check("a dry run without a database fails", result.returncode != 0, f"exit {result.returncode}")
    checks.check("a dry run without a database creates nothing", not os.path.exists(missing))

    # The control: the same checks see the model a real run saves.
    result = run_rapport(binary, "dedupe", "--train", "--data-dir", data_dir)
    _, models_saved = database_digest(database)
    checks.check("a run without --dry-run saves model version 1", result.returncode == 0 and models_saved == 1
                 and "model version 1" in result.stdout, f"exit {result.returncode}, {models_saved} models: {result.stdout.strip()}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--binary", required=True, help="the rapport executable")
    parser.add_argument("--keep-temp", action="store_true", help="keep the temporary directory")
    args = parser.parse_args()
    binary = os.path.abspath(args.binary)
    tmp = tempfile.mkdtemp(prefix="rapport-dedupe-dry-run-")
    checks = Checks()
    print(f"dedupe dry-run test: {binary}, data in {tmp}", flush=True)
    try:
        run(binary, tmp, checks)
    except Exception as error:  # noqa: BLE001 - report anything unexpected as a failure
        traceback.print_exc()
        checks.check("test completed without unexpected errors", False, f"{type(error).__name__}: {error}")
    if checks.failed or args.keep_temp:
        print(f"temp dir kept: {tmp}", flush=True)
    else:
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"dedupe-dry-run-test: {checks.passed} passed, {checks.failed} failed", flush=True)
    return 1 if checks.failed else 0


if __name__ == "__main__":
    sys.exit(main())
