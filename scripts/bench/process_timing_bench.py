#!/usr/bin/env python3
"""BPMN processes over HTTP: job activation latency for workers, and timer precision under load.

Starts its own `rapport serve` on a fresh data directory (SQLite), or on a fresh database made with
psql on the PostgreSQL server of --database-url (dropped after the run), deploys two small models
and measures:

1. Job activation latency. Model `bench_job`: start -> service task (job type `bench`) -> end.
   --workers threads (default 4) are job workers: each long-polls POST /v1/jobs/activate
   (`max_jobs` --max-jobs, `wait_seconds` 10, `lock_seconds` 60) on its own keep-alive connection
   and completes every job it gets (POST /v1/jobs/{id}/complete) one after another before it polls
   again. For each load level of --rates (default 50,200,500,max: a target rate of starts per
   second, or `max`: as fast as the starter threads go), --connections starter threads (16) start
   instances (POST /v1/process-instances) for --duration seconds, paced on one shared schedule
   (the i-th start is sent at t0 + i/rate, at once when the threads are behind). Then the run waits until
   every started instance's job has been received before the next level. Per job:

     latency       = the moment a worker has read the activate response holding the job minus the
                     moment the start request's response was read; both time.monotonic() in this
                     one process. It can be negative: the commit wakes the waiting long poll and
                     answers the start at the same time, and either may reach Python first.
     from created  = the worker's time.time() at that moment minus the job's `created_at` (the
                     server's wall clock inside the start's transaction, before its commit); the
                     same machine, so both read the same system clock (CLOCK_REALTIME).
     start RTT     = the start request's round trip (sent to response read).
     drained after = seconds from the level's last start until every job of the level had been
                     received: how far the workers fell behind (at `max` the four Python workers,
                     each completing its jobs one by one, are usually slower than the starters, and
                     the latency is then their backlog).

2. Timer precision. Model `bench_timer`: start -> intermediate timer catch event (timeDuration
   PT2S, --timer-seconds) -> end. --timer-instances instances (default 1,000) are started from 8
   threads, spread evenly over --timer-spread seconds, once with the server otherwise idle
   (`none`) and once with a background load (`jobs`): the job-latency starters at
   --background-rate starts/s (default 100) with the workers completing every job, running from
   before the first timer start until every timer instance has completed. Per instance, from its
   history (GET /v1/process-instances/{id}/history):

     lateness      = `at` of the `completed` step at the timer node minus the due time, the `at`
                     of the `activated` step at the timer node + PT2S. Both are the server's clock
                     (the due time is computed from that same `activated` moment), so no clock
                     mapping is involved. The `completed` step's `at` is taken inside the
                     transaction that fires the timer, before its commit.

   Early = lateness < 0 (must be 0). The server's timer runner looks every 250 ms, so up to
   ~250 ms comes from the polling alone.

Checks (printed as PASS/FAIL; the exit status is 1 when one fails): every start answered 201; every
job received exactly once and its completion answered 200 with the instance completed; every
instance of both models completed, none running, each history with exactly one `completed` step
at the end event (and one at the service task, or at the timer); one `rapport.process.completed`
event per instance on the log; no job left to fetch; no open incident; no timer early.

Percentiles by nearest rank (the smallest value with at least that share of the sample at or
below it), as docs/benchmarks.md does. Prints the machine, a table per part, and with --json PATH
writes the summaries (and with --raw the samples too).

Python 3.11 standard library only.

    python3 scripts/bench/process_timing_bench.py --binary .build/release/rapport
    python3 scripts/bench/process_timing_bench.py --binary .build/release/rapport \\
        --database-url postgres://postgres@127.0.0.1:5432/postgres

Figures and what they mean: docs/benchmarks.md, "BPMN processes: job activation latency and timer
precision (issue 18)".
"""

from __future__ import annotations

import argparse
import collections
import concurrent.futures
import datetime
import http.client
import json
import math
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import urllib.parse

SCRIPTS = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, SCRIPTS)
from crash_test import Api, Server, TestAbort  # noqa: E402
from testkit import Checks, drop_database, free_port, fresh_database, redact, sample  # noqa: E402

HTTP_TIMEOUT = 60.0
JOB_TYPE = "bench"
JOB_LOCK_SECONDS = 60
WAIT_SECONDS = 10

JOB_MODEL = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
                  xmlns:rapport="urn:rapport:bpmn:1.0"
                  id="Definitions_bench_job" targetNamespace="http://example.org/bench">
  <bpmn:process id="bench_job" name="Job latency bench" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>f_work</bpmn:outgoing></bpmn:startEvent>
    <bpmn:sequenceFlow id="f_work" sourceRef="start" targetRef="work"/>
    <bpmn:serviceTask id="work" name="Work">
      <bpmn:extensionElements><rapport:taskDefinition type="%s" retries="3"/></bpmn:extensionElements>
      <bpmn:incoming>f_work</bpmn:incoming>
      <bpmn:outgoing>f_end</bpmn:outgoing>
    </bpmn:serviceTask>
    <bpmn:sequenceFlow id="f_end" sourceRef="work" targetRef="end"/>
    <bpmn:endEvent id="end"><bpmn:incoming>f_end</bpmn:incoming></bpmn:endEvent>
  </bpmn:process>
</bpmn:definitions>
""" % JOB_TYPE

TIMER_MODEL = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
                  id="Definitions_bench_timer" targetNamespace="http://example.org/bench">
  <bpmn:process id="bench_timer" name="Timer precision bench" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>f_wait</bpmn:outgoing></bpmn:startEvent>
    <bpmn:sequenceFlow id="f_wait" sourceRef="start" targetRef="wait"/>
    <bpmn:intermediateCatchEvent id="wait" name="Wait">
      <bpmn:incoming>f_wait</bpmn:incoming>
      <bpmn:outgoing>f_end</bpmn:outgoing>
      <bpmn:timerEventDefinition id="wait_timer">
        <bpmn:timeDuration>PT%dS</bpmn:timeDuration>
      </bpmn:timerEventDefinition>
    </bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="f_end" sourceRef="wait" targetRef="end"/>
    <bpmn:endEvent id="end"><bpmn:incoming>f_end</bpmn:incoming></bpmn:endEvent>
  </bpmn:process>
</bpmn:definitions>
"""


def log(msg: str) -> None:
    print(f"[process-timing-bench {time.strftime('%H:%M:%S')}] {msg}", flush=True)


# --------------------------------------------------------------------------- #
# Small helpers
# --------------------------------------------------------------------------- #

def parse_rfc3339(text: str) -> float:
    """Seconds since the epoch of an RFC 3339 timestamp (microseconds kept)."""
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    return datetime.datetime.fromisoformat(text).timestamp()


def nearest_rank(sorted_values: list[float], p: float) -> float:
    n = len(sorted_values)
    return sorted_values[max(0, math.ceil(p * n) - 1)]


def summary(values: list[float]) -> dict:
    """count, p50, p95, p99, max, min and mean of `values` (seconds), in milliseconds."""
    if not values:
        return {"count": 0}
    s = sorted(values)
    ms = lambda v: round(v * 1000.0, 2)  # noqa: E731
    return {"count": len(s), "min": ms(s[0]), "p50": ms(nearest_rank(s, 0.50)), "p95": ms(nearest_rank(s, 0.95)),
            "p99": ms(nearest_rank(s, 0.99)), "max": ms(s[-1]), "mean": ms(sum(s) / len(s))}


class Conn:
    """One keep-alive HTTP connection for one thread; a failed exchange closes it (no retry)."""

    def __init__(self, api: Api) -> None:
        self.api = api
        self.conn: http.client.HTTPConnection | None = None

    def call(self, method: str, path: str, body=None):
        """(status, parsed JSON or None, text). Transport errors raise (the connection is dropped)."""
        if self.conn is None:
            self.conn = http.client.HTTPConnection("127.0.0.1", self.api.port, timeout=HTTP_TIMEOUT)
        try:
            payload = json.dumps(body).encode() if body is not None else None
            self.conn.request(method, path, body=payload, headers=self.api.headers())
            resp = self.conn.getresponse()
            text = resp.read().decode("utf-8", errors="replace")
        except (OSError, http.client.HTTPException):
            self.close()
            raise
        if resp.will_close:
            self.close()
        try:
            parsed = json.loads(text) if text else None
        except ValueError:
            parsed = None
        return resp.status, parsed, text

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None


def list_all(conn: Conn, path: str, query: dict) -> list[dict]:
    items: list[dict] = []
    cursor = None
    while True:
        q = dict(query)
        if cursor:
            q["cursor"] = cursor
        status, page, text = conn.call("GET", f"{path}?{urllib.parse.urlencode(q)}")
        if status != 200 or not isinstance(page, dict):
            raise TestAbort(f"GET {path} -> HTTP {status}: {text[:300]}")
        items.extend(page["data"])
        cursor = page.get("next_cursor")
        if not cursor:
            return items


def machine() -> dict:
    info = {"nproc": os.cpu_count(), "cpu": platform.processor() or "?", "memory_gb": None,
            "python": platform.python_version(), "kernel": platform.release()}
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True, timeout=10).stdout
        for line in out.splitlines():
            if line.startswith("Model name:"):
                info["cpu"] = line.split(":", 1)[1].strip()
    except (OSError, subprocess.SubprocessError):
        pass
    try:
        with open("/proc/meminfo", encoding="ascii") as f:
            for line in f:
                if line.startswith("MemTotal:"):
                    info["memory_gb"] = round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    try:
        info["loadavg_at_start"] = os.getloadavg()[0]
    except OSError:
        pass
    return info


# --------------------------------------------------------------------------- #
# What the threads share
# --------------------------------------------------------------------------- #

class Bench:
    def __init__(self, api: Api) -> None:
        self.api = api
        self.lock = threading.Lock()
        # bench_job instances: instance id -> (phase label, start sent, start answered) monotonic
        self.job_starts: dict[str, tuple[str, float, float]] = {}
        # instance id -> [(received monotonic, received wall, job id, job created_at text, worker)]
        self.received: dict[str, list[tuple[float, float, str, str, str]]] = collections.defaultdict(list)
        self.completions: dict[str, str] = {}      # job id -> status of the instance the completion returned
        self.complete_seconds: list[float] = []    # round trip of each POST /v1/jobs/{id}/complete
        self.timer_starts: dict[str, str] = {}     # bench_timer instance id -> phase label
        self.errors: list[str] = []
        self.stop_workers = threading.Event()
        self.activate_calls = 0
        self.empty_activations = 0

    def error(self, text: str) -> None:
        with self.lock:
            self.errors.append(text)
            if len(self.errors) <= 10:
                log(f"error: {text}")


class Pacer:
    """The shared schedule of a group of starter threads: the i-th start is due at t0 + i/rate
    (rate None: at once), none at or after t0 + duration, or after `limit` starts."""

    def __init__(self, rate: float | None, duration: float, limit: int | None = None) -> None:
        self.rate = rate
        self.limit = limit
        self.lock = threading.Lock()
        self.n = 0
        self.t0 = time.monotonic() + 0.05
        self.end = self.t0 + duration
        self.stop = threading.Event()

    def next(self) -> bool:
        with self.lock:
            i = self.n
            if self.limit is not None and i >= self.limit:
                return False
            self.n += 1
        due = self.t0 + (i / self.rate if self.rate else 0.0)
        now = time.monotonic()
        if self.stop.is_set() or (self.limit is None and max(due, now) >= self.end):
            return False
        if due > now:
            time.sleep(due - now)
        return True


def job_starter(bench: Bench, pacer: Pacer, label: str, process: str) -> None:
    conn = Conn(bench.api)
    try:
        while pacer.next():
            sent = time.monotonic()
            try:
                status, body, text = conn.call("POST", "/v1/process-instances", {"process": process})
            except (OSError, http.client.HTTPException) as e:
                bench.error(f"start {process}: {type(e).__name__}: {e}")
                continue
            answered = time.monotonic()
            if status != 201 or not isinstance(body, dict):
                bench.error(f"start {process} -> HTTP {status}: {text[:200]}")
                continue
            with bench.lock:
                if process == "bench_job":
                    bench.job_starts[body["id"]] = (label, sent, answered)
                else:
                    bench.timer_starts[body["id"]] = label
    finally:
        conn.close()


def worker(bench: Bench, name: str, max_jobs: int) -> None:
    conn = Conn(bench.api)
    try:
        while not bench.stop_workers.is_set():
            try:
                status, body, text = conn.call("POST", "/v1/jobs/activate",
                                               {"type": JOB_TYPE, "worker": name, "max_jobs": max_jobs,
                                                "lock_seconds": JOB_LOCK_SECONDS, "wait_seconds": WAIT_SECONDS})
            except (OSError, http.client.HTTPException) as e:
                bench.error(f"activate: {type(e).__name__}: {e}")
                time.sleep(0.1)
                continue
            got_mono, got_wall = time.monotonic(), time.time()
            if status != 200 or not isinstance(body, dict):
                bench.error(f"activate -> HTTP {status}: {text[:200]}")
                time.sleep(0.1)
                continue
            jobs = body.get("jobs", [])
            with bench.lock:
                bench.activate_calls += 1
                if not jobs:
                    bench.empty_activations += 1
                for job in jobs:
                    bench.received[job["instance_id"]].append((got_mono, got_wall, job["id"], job["created_at"], name))
            for job in jobs:
                t = time.monotonic()
                try:
                    status, done, text = conn.call("POST", f"/v1/jobs/{job['id']}/complete", {"variables": {"done_by": name}})
                except (OSError, http.client.HTTPException) as e:
                    bench.error(f"complete {job['id']}: {type(e).__name__}: {e}")
                    continue
                took = time.monotonic() - t
                with bench.lock:
                    bench.complete_seconds.append(took)
                    if status == 200 and isinstance(done, dict):
                        bench.completions[job["id"]] = done.get("status", "?")
                    else:
                        bench.completions[job["id"]] = f"HTTP {status}"
                if status != 200:
                    bench.error(f"complete {job['id']} -> HTTP {status}: {text[:200]}")
    finally:
        conn.close()


# --------------------------------------------------------------------------- #
# The phases
# --------------------------------------------------------------------------- #

def run_starters(bench: Bench, pacer: Pacer, threads: int, label: str, process: str) -> list[threading.Thread]:
    started = [threading.Thread(target=job_starter, args=(bench, pacer, label, process), daemon=True,
                                name=f"starter-{label}-{n}") for n in range(threads)]
    for t in started:
        t.start()
    return started


def wait_received(bench: Bench, label: str, timeout: float) -> int:
    """Waits until every instance started in phase `label` has had its job received; how many have not."""
    deadline = time.monotonic() + timeout
    while True:
        with bench.lock:
            missing = sum(1 for i, s in bench.job_starts.items() if s[0] == label and i not in bench.received)
        if missing == 0 or time.monotonic() > deadline:
            return missing
        time.sleep(0.05)


def job_figures(bench: Bench, label: str) -> dict:
    with bench.lock:
        starts = {i: s for i, s in bench.job_starts.items() if s[0] == label}
        received = {i: list(bench.received.get(i, [])) for i in starts}
    mono, wall, rtt = [], [], []
    for instance, (_, sent, answered) in starts.items():
        rtt.append(answered - sent)
        got = received[instance]
        if not got:
            continue
        got_mono, got_wall, _, created, _ = min(got)
        mono.append(got_mono - answered)
        wall.append(got_wall - parse_rfc3339(created))
    return {"latency": summary(mono), "from_created": summary(wall), "start_rtt": summary(rtt),
            "negative": sum(1 for v in mono if v < 0), "started": len(starts),
            "received": sum(1 for v in received.values() if v)}


def job_level(bench: Bench, args: argparse.Namespace, rate: float | None) -> dict:
    label = f"jobs@{'max' if rate is None else f'{rate:g}'}"
    log(f"job latency: {label} for {args.duration:g} s from {args.connections} connections")
    pacer = Pacer(rate, args.duration)
    threads = run_starters(bench, pacer, args.connections, label, "bench_job")
    for t in threads:
        t.join()
    elapsed = time.monotonic() - pacer.t0
    stopped = time.monotonic()
    missing = wait_received(bench, label, 120)
    drained = time.monotonic() - stopped
    figures = job_figures(bench, label)
    figures.update(label=label, target_rate=rate, seconds=round(elapsed, 2),
                   achieved_rate=round(figures["started"] / args.duration, 1), not_received=missing,
                   drained_after_s=round(drained, 2))
    log(f"  {figures['started']} started ({figures['achieved_rate']}/s), latency p50 {figures['latency'].get('p50')} ms, "
        f"p99 {figures['latency'].get('p99')} ms")
    return figures


def running_count(conn: Conn, process: str) -> int:
    status, page, text = conn.call("GET", f"/v1/process-instances?process={process}&status=running&limit=200")
    if status != 200 or not isinstance(page, dict):
        raise TestAbort(f"listing running {process} -> HTTP {status}: {text[:300]}")
    return len(page["data"]) + (1 if page.get("next_cursor") else 0)


def history(conn: Conn, instance: str) -> list[dict]:
    return list_all(conn, f"/v1/process-instances/{instance}/history", {"limit": "500"})


def histories(api: Api, ids: list[str], threads: int = 8) -> dict[str, list[dict]]:
    local = threading.local()

    def one(instance: str):
        if not hasattr(local, "conn"):
            local.conn = Conn(api)
        return instance, history(local.conn, instance)

    with concurrent.futures.ThreadPoolExecutor(max_workers=threads) as pool:
        return dict(pool.map(one, ids))


def timer_phase(bench: Bench, args: argparse.Namespace, load: str, checks: Checks) -> dict:
    label = f"timers/{load}"
    conn = Conn(bench.api)
    background: list[threading.Thread] = []
    bg_pacer = None
    bg_label = f"jobs@{args.background_rate:g} (under timers)"
    if load == "jobs":
        bg_pacer = Pacer(args.background_rate, 24 * 3600.0)
        background = run_starters(bench, bg_pacer, args.connections, bg_label, "bench_job")
        bg_began = time.monotonic()
        time.sleep(1.0)  # the load is running before the first timer starts
    log(f"timer precision: {args.timer_instances} instances over {args.timer_spread:g} s, PT{args.timer_seconds}S, load: {load}")
    pacer = Pacer(args.timer_instances / args.timer_spread, 24 * 3600.0, limit=args.timer_instances)
    starters = run_starters(bench, pacer, 8, label, "bench_timer")
    for t in starters:
        t.join()
    last_start = time.monotonic()
    with bench.lock:
        ids = [i for i, l in bench.timer_starts.items() if l == label]
    # Until every timer instance has completed (its timer fired), the background load goes on.
    time.sleep(args.timer_seconds)
    deadline = time.monotonic() + 120
    while running_count(conn, "bench_timer") > 0:
        if time.monotonic() > deadline:
            break
        time.sleep(0.1)
    settled = time.monotonic() - last_start
    if bg_pacer is not None:
        bg_pacer.stop.set()
        for t in background:
            t.join()
        bg_seconds = time.monotonic() - bg_began
        wait_received(bench, bg_label, 120)
    conn.close()

    steps = histories(bench.api, ids)
    lateness, fired_twice, unfinished, early = [], [], [], []
    for instance in ids:
        hist = steps[instance]
        activated = [s for s in hist if s["kind"] == "activated" and s["node"] == "wait"]
        fired = [s for s in hist if s["kind"] == "completed" and s["node"] == "wait"]
        ends = [s for s in hist if s["kind"] == "completed" and s["node"] == "end"]
        if len(fired) != 1 or len(ends) != 1 or len(activated) != 1:
            (fired_twice if len(fired) > 1 or len(ends) > 1 else unfinished).append((instance, len(activated), len(fired), len(ends)))
            continue
        late = parse_rfc3339(fired[0]["at"]) - (parse_rfc3339(activated[0]["at"]) + args.timer_seconds)
        lateness.append(late)
        if late < 0:
            early.append((instance, round(late * 1000, 3)))
    checks.check(f"{label}: {args.timer_instances} instances started", len(ids) == args.timer_instances, f"{len(ids)}")
    checks.check(f"{label}: every timer fired and every instance ended exactly once", not fired_twice and not unfinished,
                 f"twice {sample(fired_twice)}, unfinished {sample(unfinished)}")
    checks.check(f"{label}: no timer fired early", not early, sample(early))
    figures = {"label": label, "load": load, "instances": len(ids), "lateness": summary(lateness), "early": len(early),
               "settled_after_last_start_s": round(settled, 2), "spread_s": args.timer_spread}
    if bg_pacer is not None:
        bg = job_figures(bench, bg_label)
        bg.update(label=bg_label, target_rate=args.background_rate, seconds=round(bg_seconds, 2),
                  achieved_rate=round(bg["started"] / bg_seconds, 1))
        figures["background"] = bg
    log(f"  lateness p50 {figures['lateness'].get('p50')} ms, p99 {figures['lateness'].get('p99')} ms, "
        f"max {figures['lateness'].get('max')} ms, early {len(early)}")
    if args.raw:
        figures["samples_ms"] = [round(v * 1000, 3) for v in lateness]
    return figures


# --------------------------------------------------------------------------- #
# Checks at the end
# --------------------------------------------------------------------------- #

def final_checks(bench: Bench, checks: Checks) -> None:
    api = bench.api
    conn = Conn(api)
    bench.stop_workers.set()
    with bench.lock:
        job_ids = set(bench.job_starts)
        timer_ids = set(bench.timer_starts)
        received = {i: list(v) for i, v in bench.received.items()}
        completions = dict(bench.completions)
        errors = list(bench.errors)
    checks.check("no request failed (transport error or unexpected status)", not errors, sample(errors, 3))
    twice = [i for i, v in received.items() if len(v) != 1]
    checks.check("every job received by a worker exactly once", not twice and set(received) == job_ids,
                 f"twice {sample(twice)}, never {sample(job_ids - set(received))}, unknown {sample(set(received) - job_ids)}")
    bad = [j for j, s in completions.items() if s != "completed"]
    checks.check("every completion answered 200 with its instance completed", not bad and len(completions) == len(job_ids),
                 f"{len(completions)} completions for {len(job_ids)} jobs, bad {sample(bad)}")

    for process, ids, node in (("bench_job", job_ids, "work"), ("bench_timer", timer_ids, "wait")):
        instances = list_all(conn, "/v1/process-instances", {"process": process, "limit": "200"})
        listed = {i["id"] for i in instances}
        not_done = [i["id"] for i in instances if i["status"] != "completed" or i["tokens"]]
        checks.check(f"{process}: {len(ids)} instances exist, every one completed with no token left",
                     listed == ids and not not_done, f"{len(listed)} listed, not completed {sample(not_done)}")
        if process == "bench_job":
            steps = histories(api, sorted(ids))
            doubled = []
            for instance, hist in steps.items():
                ends = sum(1 for s in hist if s["kind"] == "completed" and s["node"] == "end")
                done = sum(1 for s in hist if s["kind"] == "completed" and s["node"] == node)
                if ends != 1 or done != 1:
                    doubled.append((instance, done, ends))
            checks.check(f"{process}: each history has one completion of the service task and one of the end event",
                         not doubled, sample(doubled))

    counts: collections.Counter = collections.Counter()
    after = 0
    while True:
        status, page, text = conn.call("GET", f"/v1/events?after={after}&limit=1000")
        if status != 200 or not isinstance(page, dict):
            raise TestAbort(f"GET /v1/events -> HTTP {status}: {text[:300]}")
        data = page.get("data") or []
        if not data:
            break
        for event in data:
            if event.get("type") == "rapport.process.completed":
                counts[event["data"]["process"]["id"]] += 1
        after = int(data[-1]["sequence"])
    everyone = job_ids | timer_ids
    wrong = [i for i in everyone if counts[i] != 1]
    checks.check("one rapport.process.completed event per instance on the log", not wrong and set(counts) <= everyone, sample(wrong))

    status, body, _ = conn.call("POST", "/v1/jobs/activate", {"type": JOB_TYPE, "worker": "last-look"})
    checks.check("no job left to fetch", status == 200 and isinstance(body, dict) and body.get("jobs") == [], str(body)[:200])
    incidents = list_all(conn, "/v1/incidents", {"status": "open", "limit": "200"})
    checks.check("no open incident", not incidents, sample(i.get("message") for i in incidents))
    conn.close()


# --------------------------------------------------------------------------- #
# Output
# --------------------------------------------------------------------------- #

def fmt(v) -> str:
    if v is None:
        return "–"
    if isinstance(v, float):
        return f"{v:,.1f}"
    return f"{v:,}"


def print_tables(result: dict) -> None:
    print()
    print(f"Storage: {result['storage']}; binary {result['binary']}; {result['machine']['nproc']} CPUs "
          f"({result['machine']['cpu']}), {result['machine']['memory_gb']} GB; load average at start "
          f"{result['machine'].get('loadavg_at_start', 0):.2f}; {result['date']}")
    print(f"Job workers: {result['workers']} threads, max_jobs {result['max_jobs']}, wait_seconds {WAIT_SECONDS}; "
          f"starters: {result['connections']} connections")
    print()
    print("Job activation latency (ms; start answered -> job read by a worker, one monotonic clock; "
          "'from created_at': worker time.time() - job created_at)")
    print()
    print("| load | started | starts/s | p50 | p95 | p99 | max | < 0 | from created_at p50 / p99 / max | start RTT p50 / p99 | drained after |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    rows = list(result["jobs"]) + [t["background"] for t in result["timers"] if "background" in t]
    for r in rows:
        lat, wall, rtt = r["latency"], r["from_created"], r["start_rtt"]
        rate = r.get("achieved_rate")
        print(f"| {r['label']} | {r['started']:,} | {fmt(rate)} | {fmt(lat.get('p50'))} | {fmt(lat.get('p95'))} | "
              f"{fmt(lat.get('p99'))} | {fmt(lat.get('max'))} | {r['negative']} | {fmt(wall.get('p50'))} / {fmt(wall.get('p99'))} / "
              f"{fmt(wall.get('max'))} | {fmt(rtt.get('p50'))} / {fmt(rtt.get('p99'))} | "
              f"{fmt(r.get('drained_after_s')) + ' s' if r.get('drained_after_s') is not None else '–'} |")
    c = result["complete_rtt"]
    print()
    print(f"POST /v1/jobs/{{id}}/complete round trip: p50 {fmt(c.get('p50'))} ms, p99 {fmt(c.get('p99'))} ms, "
          f"max {fmt(c.get('max'))} ms ({c.get('count', 0):,}); activate calls {result['activate_calls']:,}, "
          f"{result['empty_activations']:,} returned no job")
    print()
    print("Timer precision (ms; history `completed` at the timer minus (`activated` + "
          f"PT{result['timer_seconds']}S), server clock)")
    print()
    print("| load | instances | p50 | p95 | p99 | max | min | early |")
    print("|---|---|---|---|---|---|---|---|")
    for t in result["timers"]:
        late = t["lateness"]
        load = "none" if t["load"] == "none" else f"jobs at {result['background_rate']:g}/s + workers"
        print(f"| {load} | {t['instances']:,} | {fmt(late.get('p50'))} | {fmt(late.get('p95'))} | {fmt(late.get('p99'))} | "
              f"{fmt(late.get('max'))} | {fmt(late.get('min'))} | {t['early']} |")
    print()


# --------------------------------------------------------------------------- #
# The run
# --------------------------------------------------------------------------- #

def deploy(api: Api, xml: str, key: str) -> None:
    status, body, text = api.request("POST", "/v1/processes", {"xml": xml})
    if status not in (200, 201):
        raise TestAbort(f"deploy {key} -> HTTP {status}: {text[:300]}")


def parse_rates(text: str) -> list[float | None]:
    rates: list[float | None] = []
    for part in text.split(","):
        part = part.strip()
        if part == "max":
            rates.append(None)
        elif part:
            rates.append(float(part))
    return rates


def run(args: argparse.Namespace, checks: Checks, box: list) -> dict:
    tmp = box[1]
    if args.database_url:
        url, name = fresh_database(args.database_url, "rapport_timing_bench_")
        box[2] = (args.database_url, name)
        storage = ["--database-url", url]
        storage_text = f"PostgreSQL, fresh database {name} on {redact(args.database_url)}"
    else:
        storage = ["--data-dir", os.path.join(tmp, "data")]
        storage_text = f"SQLite, fresh data directory {os.path.join(tmp, 'data')}"
    log(f"storage: {storage_text}")
    info = machine()
    server = Server(os.path.abspath(args.binary), storage + ["--log-level", args.log_level], free_port(),
                    os.path.join(tmp, "server.log"))
    box[0] = server
    key = server.create_key()
    server.start()
    log(f"server ready in {server.wait_ready():.1f} s")
    api = Api(server.port, key)
    deploy(api, JOB_MODEL, "bench_job")
    deploy(api, TIMER_MODEL % args.timer_seconds, "bench_timer")

    bench = Bench(api)
    workers = [threading.Thread(target=worker, args=(bench, f"py-worker-{n}", args.max_jobs), daemon=True)
               for n in range(args.workers)]
    for t in workers:
        t.start()
    time.sleep(0.5)

    # A short warm-up (its figures are left out).
    if args.warmup > 0:
        log(f"warm-up: {args.warmup:g} s at 50 starts/s")
        pacer = Pacer(50.0, args.warmup)
        for t in run_starters(bench, pacer, 4, "warmup", "bench_job"):
            t.join()
        wait_received(bench, "warmup", 60)
        time.sleep(0.5)

    result = {"date": datetime.date.today().isoformat(), "storage": storage_text, "binary": args.binary,
              "machine": info, "workers": args.workers, "max_jobs": args.max_jobs, "connections": args.connections,
              "duration_s": args.duration, "timer_seconds": args.timer_seconds, "background_rate": args.background_rate,
              "jobs": [], "timers": []}
    for rate in parse_rates(args.rates):
        result["jobs"].append(job_level(bench, args, rate))
        time.sleep(1.0)
    for load in [x.strip() for x in args.timer_loads.split(",") if x.strip()]:
        if load not in ("none", "jobs"):
            raise TestAbort(f"unknown timer load {load!r} (none or jobs)")
        result["timers"].append(timer_phase(bench, args, load, checks))
        time.sleep(1.0)

    with bench.lock:
        result["complete_rtt"] = summary(bench.complete_seconds)
        result["activate_calls"] = bench.activate_calls
        result["empty_activations"] = bench.empty_activations
    for level in result["jobs"]:
        checks.check(f"{level['label']}: every started instance's job was received", level["not_received"] == 0,
                     f"{level['not_received']} not received")
    log("checking: instances, histories, events, jobs, incidents")
    final_checks(bench, checks)
    for t in workers:
        t.join(timeout=WAIT_SECONDS + 5)
    return result


def parse_args(argv=None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description="Rapport BPMN processes: job activation latency and timer precision over HTTP")
    ap.add_argument("--binary", required=True, help="the rapport server binary (a release build for figures)")
    ap.add_argument("--database-url", default=None,
                    help="a PostgreSQL server: a fresh database is made on it with psql for the run and dropped after")
    ap.add_argument("--rates", default="50,200,500,max", help="job start rates per second, comma-separated; `max` = as fast as the connections go")
    ap.add_argument("--duration", type=float, default=10.0, help="seconds of starts per job load level")
    ap.add_argument("--connections", type=int, default=16, help="starter threads (one keep-alive connection each)")
    ap.add_argument("--workers", type=int, default=4, help="job worker threads")
    ap.add_argument("--max-jobs", type=int, default=10, help="max_jobs of each activate call (1-100)")
    ap.add_argument("--warmup", type=float, default=2.0, help="seconds of starts at 50/s before measuring (left out)")
    ap.add_argument("--timer-instances", type=int, default=1000)
    ap.add_argument("--timer-spread", type=float, default=5.0, help="seconds over which the timer instances are started")
    ap.add_argument("--timer-seconds", type=int, default=2, help="the timer's duration, PT<n>S")
    ap.add_argument("--timer-loads", default="none,jobs", help="timer runs: none (idle server) and/or jobs (background job load)")
    ap.add_argument("--background-rate", type=float, default=100.0, help="job starts per second while the timers run")
    ap.add_argument("--log-level", default="warning", help="the server's --log-level")
    ap.add_argument("--json", dest="json_path", default=None, help="write the figures to this JSON file")
    ap.add_argument("--raw", action="store_true", help="with --json: the timer lateness samples too")
    ap.add_argument("--keep-temp", action="store_true", help="keep the temp dir (data, server log) and the database")
    args = ap.parse_args(argv)
    if not 1 <= args.max_jobs <= 100:
        ap.error("--max-jobs must be 1-100")
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    checks = Checks()
    tmp = tempfile.mkdtemp(prefix="rapport-timing-bench-")
    box: list = [None, tmp, None]   # server, temp dir, (server URL, database)
    crashed = False
    result = None
    try:
        result = run(args, checks, box)
    except Exception as e:  # noqa: BLE001 - report anything unexpected as a failure
        crashed = True
        traceback.print_exc()
        checks.check("benchmark completed without unexpected errors", False, f"{type(e).__name__}: {e}")
    finally:
        if box[0] is not None:
            box[0].cleanup()
    if (checks.failed or crashed) and box[0] is not None:
        print(box[0].log_tail(), flush=True)
    if result is not None:
        print_tables(result)
        result["checks"] = {"passed": checks.passed, "failed": checks.failed, "failures": checks.failures}
        if args.json_path:
            with open(args.json_path, "w", encoding="utf-8") as f:
                json.dump(result, f, indent=2)
            log(f"figures written to {args.json_path}")
    if checks.failed or args.keep_temp:
        print(f"temp dir kept: {tmp}" + (f", database kept: {box[2][1]}" if box[2] else ""), flush=True)
    else:
        shutil.rmtree(tmp, ignore_errors=True)
        if box[2]:
            drop_database(*box[2])
    print(f"process-timing-bench: {checks.passed} passed, {checks.failed} failed", flush=True)
    return 1 if checks.failed else 0


if __name__ == "__main__":
    sys.exit(main())
