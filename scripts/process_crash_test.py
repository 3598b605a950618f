#!/usr/bin/env python3
"""Crash test for BPMN processes, with a job worker written in Python against the API.

Deploys docs/processes/crm_order.bpmn, starts N instances (each with its own Idempotency-Key)
while worker threads fetch the `notify` jobs (POST /v1/jobs/activate, long polling) and complete
them, SIGKILLs the server once some instances have completed, restarts it on the same storage,
sends every start again (acknowledged ones must replay the same instance) and lets the workers
finish. Then checks that:

* exactly N instances exist, one per business key, each acknowledged start among them,
* every instance completed exactly once: status completed, no token left, one `completed` step at
  the end event and one at the service task in its history, one `rapport.process.started` and
  one `rapport.process.completed` event on the log,
* no job is left to fetch and no incident is open.

Python 3.11 standard library only.

    python3 scripts/process_crash_test.py --binary .build/debug/rapport
    python3 scripts/process_crash_test.py --binary .build/debug/rapport --database-url postgres://…
"""

from __future__ import annotations

import argparse
import collections
import os
import shutil
import sys
import tempfile
import threading
import time
import traceback
import urllib.parse
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from crash_test import Api, Server, TestAbort  # noqa: E402
from testkit import Checks, free_port, redact, sample  # noqa: E402

MODEL = os.path.join(os.path.dirname(HERE), "docs", "processes", "crm_order.bpmn")
LOCK_SECONDS = 3


def log(msg: str) -> None:
    print(f"[process-crash-test {time.strftime('%H:%M:%S')}] {msg}", flush=True)


class Run:
    """What the starters and the workers share."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.lock = threading.Lock()
        self.started: dict[int, str] = {}          # start index -> acknowledged instance id
        self.completed_acks: dict[str, str] = {}   # job id -> instance id of an acknowledged completion
        self.next_start = 0
        self.stop = threading.Event()
        self.server_up = threading.Event()

    def take_start(self) -> int | None:
        with self.lock:
            if self.next_start >= self.total:
                return None
            self.next_start += 1
            return self.next_start - 1


def start_body(run_id: str, index: int) -> dict:
    return {"process": "crm_order", "business_key": f"{run_id}-{index}",
            "variables": {"amount": (index * 37) % 3000, "customer": f"c{index}"}}


def start_instance(api: Api, run_id: str, index: int):
    """(status, body) of the start, with its own Idempotency-Key; transport errors raise."""
    conn = api.connection()
    try:
        headers = api.headers()
        headers["Idempotency-Key"] = f"{run_id}-start-{index}"
        import json
        conn.request("POST", "/v1/process-instances", body=json.dumps(start_body(run_id, index)).encode(), headers=headers)
        resp = conn.getresponse()
        text = resp.read().decode("utf-8", errors="replace")
        return resp.status, (json.loads(text) if text else None)
    finally:
        conn.close()


def starter(api: Api, run: Run, run_id: str) -> None:
    while not run.stop.is_set():
        index = run.take_start()
        if index is None:
            return
        run.server_up.wait()
        try:
            status, body = start_instance(api, run_id, index)
        except OSError:
            continue  # the server died with the request in flight: sent again after the restart
        if status == 201 and isinstance(body, dict):
            with run.lock:
                run.started[index] = body["id"]


def worker(api: Api, run: Run, name: str) -> None:
    """A job worker: fetch notify jobs (long polling), complete each with a result."""
    while not run.stop.is_set():
        run.server_up.wait()
        try:
            status, body, _ = api.request("POST", "/v1/jobs/activate",
                                          {"type": "notify", "worker": name, "max_jobs": 10,
                                           "lock_seconds": LOCK_SECONDS, "wait_seconds": 1})
        except OSError:
            time.sleep(0.1)
            continue
        if status != 200 or not isinstance(body, dict):
            time.sleep(0.1)
            continue
        for job in body.get("jobs", []):
            result = {"variables": {"notify_result": {"sent_to": job["variables"].get("customer"), "by": name}}}
            try:
                status, done, _ = api.request("POST", f"/v1/jobs/{job['id']}/complete", result)
            except OSError:
                break
            if status == 200 and isinstance(done, dict):
                with run.lock:
                    run.completed_acks[job["id"]] = done["id"]


def list_all(api: Api, path: str, query: dict) -> list[dict]:
    items: list[dict] = []
    cursor = None
    while True:
        q = dict(query, limit="200")
        if cursor:
            q["cursor"] = cursor
        page = api.get_json(f"{path}?{urllib.parse.urlencode(q)}")
        items.extend(page["data"])
        cursor = page.get("next_cursor")
        if not cursor:
            return items


def ours(api: Api, run_id: str, **query: str) -> list[dict]:
    """This run's instances (a PostgreSQL database may hold earlier runs' too)."""
    found = list_all(api, "/v1/process-instances", {"process": "crm_order", **query})
    return [i for i in found if (i.get("business_key") or "").startswith(f"{run_id}-")]


def run_test(args: argparse.Namespace, checks: Checks, box: list) -> None:
    tmp = box[1]
    storage = ["--database-url", args.database_url] if args.database_url else ["--data-dir", os.path.join(tmp, "data")]
    log(f"storage: {redact(args.database_url) if args.database_url else 'SQLite in ' + tmp}")
    server = Server(args.binary, storage, free_port(), os.path.join(tmp, "server.log"))
    box[0] = server
    key = server.create_key()
    server.start()
    server.wait_ready()
    api = Api(server.port, key)
    with open(MODEL, encoding="utf-8") as f:
        status, body, text = api.request("POST", "/v1/processes", {"xml": f.read()})
    if status not in (200, 201):
        raise TestAbort(f"deploy -> HTTP {status}: {text[:300]}")
    run_id = uuid.uuid4().hex[:8]
    run = Run(args.instances)
    run.server_up.set()
    threads = [threading.Thread(target=starter, args=(api, run, run_id), daemon=True) for _ in range(args.concurrency)]
    threads += [threading.Thread(target=worker, args=(api, run, f"py-worker-{n}"), daemon=True) for n in range(args.workers)]
    for thread in threads:
        thread.start()

    # SIGKILL once enough instances have completed, with starts and completions in flight.
    deadline = time.monotonic() + 300
    while len(run.completed_acks) < args.kill_after:
        if time.monotonic() > deadline:
            raise TestAbort(f"only {len(run.completed_acks)} completions in 300 s")
        time.sleep(0.05)
    run.server_up.clear()
    server.sigkill()
    server.wait(15)
    log(f"SIGKILLed with {len(run.started)} starts and {len(run.completed_acks)} completions acknowledged")
    acked_before = dict(run.started)
    server.start()
    server.wait_ready()
    run.server_up.set()

    # Every start again: acknowledged ones replay their instance, the others run now.
    for index in range(args.instances):
        status, body = start_instance(api, run_id, index)
        if status == 201 and isinstance(body, dict):
            with run.lock:
                if index in run.started and run.started[index] != body["id"]:
                    checks.check(f"start {index} replays the instance it acknowledged", False,
                                 f"{run.started[index]} then {body['id']}")
                run.started[index] = body["id"]
    replayed_same = all(run.started.get(i) == instance for i, instance in acked_before.items())
    checks.check("every start acknowledged before the kill replays the same instance", replayed_same)

    deadline = time.monotonic() + 120
    while ours(api, run_id, status="running"):
        if time.monotonic() > deadline:
            break
        time.sleep(0.2)
    run.stop.set()
    for thread in threads:
        thread.join(timeout=10)

    instances = ours(api, run_id)
    keys = collections.Counter(i.get("business_key") for i in instances)
    checks.check(f"exactly {args.instances} instances", len(instances) == args.instances, f"{len(instances)}")
    checks.check("one instance per business key", all(v == 1 for v in keys.values()) and len(keys) == args.instances,
                 sample(k for k, v in keys.items() if v != 1))
    ids = {i["id"] for i in instances}
    checks.check("every acknowledged start is among them", set(run.started.values()) <= ids,
                 sample(set(run.started.values()) - ids))
    not_done = [i["id"] for i in instances if i["status"] != "completed" or i["tokens"]]
    checks.check("every instance completed with no token left", not not_done, sample(not_done))
    checks.check("every acknowledged completion names one of them", set(run.completed_acks.values()) <= ids)

    doubled = []
    for instance in instances:
        steps = list_all(api, f"/v1/process-instances/{instance['id']}/history", {})
        ends = sum(1 for s in steps if s["kind"] == "completed" and s["node"] == "end")
        notified = sum(1 for s in steps if s["kind"] == "completed" and s["node"] == "notify_customer")
        if ends != 1 or notified != 1:
            doubled.append((instance["id"], ends, notified))
    checks.check("each history has one completion of the end event and one of the service task", not doubled, sample(doubled))

    counts = collections.Counter()
    for event in api.list_events():
        if event.get("type") in ("rapport.process.started", "rapport.process.completed"):
            counts[(event["type"], event["data"]["process"]["id"])] += 1
    wrong = [i for i in ids if counts[("rapport.process.started", i)] != 1 or counts[("rapport.process.completed", i)] != 1]
    checks.check("one started and one completed event per instance on the log", not wrong, sample(wrong))

    status, body, _ = api.request("POST", "/v1/jobs/activate", {"type": "notify", "worker": "last-look"})
    checks.check("no job left to fetch", status == 200 and body.get("jobs") == [], str(body)[:200])
    incidents = list_all(api, "/v1/incidents", {"status": "open"})
    checks.check("no open incident", not incidents, sample(i["message"] for i in incidents))


def parse_args(argv=None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description="Rapport processes SIGKILL test with a Python job worker")
    ap.add_argument("--binary", required=True)
    ap.add_argument("--database-url", default=None)
    ap.add_argument("--instances", type=int, default=1000)
    ap.add_argument("--kill-after", type=int, default=300, help="SIGKILL once this many completions are acknowledged")
    ap.add_argument("--concurrency", type=int, default=8, help="threads starting instances")
    ap.add_argument("--workers", type=int, default=4, help="job worker threads")
    ap.add_argument("--keep-temp", action="store_true")
    args = ap.parse_args(argv)
    if not 1 <= args.kill_after < args.instances:
        ap.error("--kill-after must be >= 1 and < --instances")
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    checks = Checks()
    tmp = tempfile.mkdtemp(prefix="rapport-process-crash-")
    box: list = [None, tmp]
    crashed = False
    try:
        run_test(args, checks, box)
    except Exception as e:  # noqa: BLE001 - report anything unexpected as a failure
        crashed = True
        traceback.print_exc()
        checks.check("test completed without unexpected errors", False, f"{type(e).__name__}: {e}")
    finally:
        if box[0] is not None:
            box[0].cleanup()
    if (checks.failed or crashed) and box[0] is not None:
        print(box[0].log_tail(), flush=True)
    if checks.failed or args.keep_temp:
        print(f"temp dir kept: {tmp}", flush=True)
    else:
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"process-crash-test: {checks.passed} passed, {checks.failed} failed", flush=True)
    return 1 if checks.failed else 0


if __name__ == "__main__":
    sys.exit(main())
