#!/usr/bin/env python3
"""Crash-consistency test for the Rapport server.

Sends N interaction POSTs from several threads, SIGKILLs the server partway,
restarts it on the same storage and verifies that:

* every acknowledged interaction (complete 200/201 response) is stored exactly once,
* no external_id is stored twice,
* the event log is gapless and holds exactly one rapport.interaction.created
  event per stored interaction,
* resending unacknowledged requests converges to exactly N interactions, and
  resending acknowledged ones is idempotent (200, same id),
* the server shuts down gracefully on SIGTERM.

Python 3.11 standard library only.

    python3 scripts/crash_test.py --binary .build/debug/rapport
    python3 scripts/crash_test.py --binary .build/debug/rapport \\
        --database-url postgres://user:pw@localhost:5432/rapport
"""

from __future__ import annotations

import argparse
import collections
import concurrent.futures
import datetime
import http.client
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from testkit import Checks, free_port, redact, sample  # noqa: E402

HTTP_TIMEOUT = 30.0
READY_TIMEOUT = 60.0
SHUTDOWN_TIMEOUT = 15.0
LOG_TAIL_LINES = 80
MAX_PAGES = 100_000


class TestAbort(Exception):
    """Fatal problem that makes continuing pointless."""


# --------------------------------------------------------------------------- #
# Check bookkeeping
# --------------------------------------------------------------------------- #


def log(msg: str) -> None:
    print(f"[crash-test {time.strftime('%H:%M:%S')}] {msg}", flush=True)



# --------------------------------------------------------------------------- #
# Server process management
# --------------------------------------------------------------------------- #

class Server:
    def __init__(self, binary: str, storage_args: list[str], port: int, log_path: str) -> None:
        self.binary = binary
        self.storage_args = storage_args
        self.port = port
        self.log_path = log_path
        self.proc: subprocess.Popen | None = None
        self.starts = 0
        self.secret: str | None = None  # redacted from printed log tails

    def _log_marker(self, text: str) -> None:
        with open(self.log_path, "a", encoding="utf-8") as f:
            f.write(f"\n===== crash-test: {text} ({time.strftime('%H:%M:%S')}) =====\n")

    def create_key(self) -> str:
        cmd = [self.binary, "keys", "create", "--role", "admin", "--name", "crash-test",
               *self.storage_args]
        self._log_marker("keys create")
        res = subprocess.run(cmd, capture_output=True, text=True, timeout=180)
        with open(self.log_path, "a", encoding="utf-8") as f:
            f.write(res.stdout)
            f.write(res.stderr)
        if res.returncode != 0:
            raise TestAbort(f"'keys create' exited with {res.returncode}")
        lines = [ln.strip() for ln in res.stdout.splitlines() if ln.strip()]
        if not lines:
            raise TestAbort("'keys create' printed nothing on stdout")
        self.secret = lines[-1]
        return lines[-1]

    def start(self) -> None:
        self.starts += 1
        self._log_marker(f"serve start #{self.starts}")
        cmd = [self.binary, "serve", "--host", "127.0.0.1", "--port", str(self.port),
               *self.storage_args]
        logf = open(self.log_path, "ab")
        try:
            self.proc = subprocess.Popen(cmd, stdout=logf, stderr=subprocess.STDOUT,
                                         stdin=subprocess.DEVNULL)
        finally:
            logf.close()  # the child keeps its own descriptor
        log(f"server started (pid {self.proc.pid}, port {self.port})")

    def wait_ready(self, timeout: float = READY_TIMEOUT) -> float:
        assert self.proc is not None
        t0 = time.monotonic()
        deadline = t0 + timeout
        last_err = ""
        while time.monotonic() < deadline:
            rc = self.proc.poll()
            if rc is not None:
                raise TestAbort(f"server exited with {rc} before becoming ready")
            conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
            try:
                conn.request("GET", "/health/ready")
                resp = conn.getresponse()
                resp.read()
                if resp.status == 200:
                    return time.monotonic() - t0
                last_err = f"HTTP {resp.status}"
            except (OSError, http.client.HTTPException) as e:
                last_err = f"{type(e).__name__}: {e}"
            finally:
                conn.close()
            time.sleep(0.1)
        raise TestAbort(f"server not ready after {timeout:.0f}s (last: {last_err})")

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def sigkill(self) -> None:
        if self.running():
            os.kill(self.proc.pid, signal.SIGKILL)

    def wait(self, timeout: float) -> int | None:
        assert self.proc is not None
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return None

    def cleanup(self) -> None:
        if self.running():
            try:
                self.proc.kill()
                self.proc.wait(timeout=10)
            except Exception:  # noqa: BLE001 - best effort
                pass

    def log_tail(self, n: int = LOG_TAIL_LINES) -> str:
        try:
            with open(self.log_path, "r", encoding="utf-8", errors="replace") as f:
                lines = f.readlines()
        except OSError as e:
            return f"(cannot read server log {self.log_path}: {e})"
        tail = "".join(lines[-n:])
        if self.secret:
            tail = tail.replace(self.secret, "<api-key>")
        return tail


# --------------------------------------------------------------------------- #
# HTTP helpers
# --------------------------------------------------------------------------- #

class Api:
    def __init__(self, port: int, key: str) -> None:
        self.port = port
        self.key = key

    def headers(self) -> dict[str, str]:
        return {
            "Authorization": f"Bearer {self.key}",
            "Content-Type": "application/json",
            "Accept": "application/json",
        }

    def connection(self) -> http.client.HTTPConnection:
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=HTTP_TIMEOUT)

    def request(self, method: str, path: str, body=None,
                conn: http.client.HTTPConnection | None = None):
        """Returns (status, parsed JSON or None, raw text). Raises on transport errors."""
        own = conn is None
        if own:
            conn = self.connection()
        try:
            payload = json.dumps(body).encode() if body is not None else None
            conn.request(method, path, body=payload, headers=self.headers())
            resp = conn.getresponse()
            raw = resp.read()  # complete body, or IncompleteRead is raised
            text = raw.decode("utf-8", errors="replace")
            try:
                parsed = json.loads(text) if text else None
            except ValueError:
                parsed = None
            return resp.status, parsed, text
        finally:
            if own:
                conn.close()

    def get_json(self, path: str):
        status, parsed, text = self.request("GET", path)
        if status != 200 or not isinstance(parsed, dict):
            raise TestAbort(f"GET {path} -> HTTP {status}: {text[:300]}")
        return parsed

    def list_interactions(self, channel_id: str) -> list[dict]:
        items: list[dict] = []
        cursor = None
        seen_cursors = set()
        for _ in range(MAX_PAGES):
            q = {"channel_id": channel_id, "limit": "500"}
            if cursor:
                q["cursor"] = cursor
            page = self.get_json("/v1/interactions?" + urllib.parse.urlencode(q))
            data = page.get("data")
            if not isinstance(data, list):
                raise TestAbort(f"interaction list page without 'data' array: {str(page)[:300]}")
            items.extend(data)
            cursor = page.get("next_cursor")
            if not cursor:
                return items
            if cursor in seen_cursors:
                raise TestAbort(f"interaction pagination loops (cursor {cursor!r} repeated)")
            seen_cursors.add(cursor)
        raise TestAbort("interaction pagination did not terminate")

    def list_events(self) -> list[dict]:
        events: list[dict] = []
        after = 0
        for _ in range(MAX_PAGES):
            page = self.get_json(f"/v1/events?after={after}&limit=1000")
            data = page.get("data")
            if not isinstance(data, list):
                raise TestAbort(f"event page without 'data' array: {str(page)[:300]}")
            if not data:
                return events
            events.extend(data)
            last = seq_of(data[-1])
            if last is None or last <= after:
                raise TestAbort(f"event paging does not advance (after={after}, last={last})")
            after = last
        raise TestAbort("event pagination did not terminate")


def seq_of(event: dict) -> int | None:
    try:
        return int(event.get("sequence"))
    except (TypeError, ValueError):
        return None


def event_interaction(event: dict) -> dict | None:
    data = event.get("data")
    if isinstance(data, dict) and isinstance(data.get("interaction"), dict):
        return data["interaction"]
    return None


# --------------------------------------------------------------------------- #
# Load generation
# --------------------------------------------------------------------------- #

class LoadState:
    def __init__(self, total: int, kill_after: int, server: Server) -> None:
        self.lock = threading.Lock()
        self.total = total
        self.kill_after = kill_after
        self.server = server
        self.next_index = 0
        self.ack_count = 0
        self.acked: dict[int, dict] = {}       # i -> {"status", "id", "external_id", ...}
        self.attempted: set[int] = set()       # a send was started
        self.refused: set[int] = set()         # connection refused => never reached server
        self.not_sent: set[int] = set()        # skipped because the server was down
        self.failed: dict[int, str] = {}       # i -> reason (not acknowledged)
        self.pre_kill_problems: list[str] = []
        self.killed = threading.Event()
        self.down = threading.Event()
        self.acks_at_kill = 0
        self.kill_time = 0.0

    def take(self) -> int | None:
        with self.lock:
            if self.next_index >= self.total:
                return None
            i = self.next_index
            self.next_index += 1
            return i

    def ack(self, i: int, status: int, body: dict) -> None:
        with self.lock:
            self.acked[i] = {
                "status": status,
                "id": body.get("id"),
                "external_id": body.get("external_id"),
                "customer_id": body.get("customer_id"),
            }
            self.ack_count += 1
            if self.ack_count % 100 == 0:
                print(f"  ... {self.ack_count} acknowledged", flush=True)
            if not self.killed.is_set() and self.ack_count >= self.kill_after:
                self.server.sigkill()
                self.killed.set()
                self.acks_at_kill = self.ack_count
                self.kill_time = time.monotonic()
                print(f"  ... SIGKILL sent to pid {self.server.pid} after "
                      f"{self.ack_count} acknowledgments", flush=True)

    def fail(self, i: int, reason: str) -> None:
        with self.lock:
            self.failed[i] = reason
            if not self.killed.is_set():
                self.pre_kill_problems.append(f"#{i}: {reason}")


def make_payloads(run: str, channel_id: str, n: int) -> list[dict]:
    now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
    out = []
    for i in range(n):
        occurred = now - datetime.timedelta(seconds=n - i)
        out.append({
            "channel_id": channel_id,
            "identity": f"email:crash-{run}-{i % 50}@example.com",
            "kind": "message",
            "direction": "inbound",
            "subject": "crash test",
            "body": f"message {i}",
            "external_id": f"crash-{run}-{i}",
            "occurred_at": occurred.strftime("%Y-%m-%dT%H:%M:%SZ"),
        })
    return out


def load_worker(api: Api, state: LoadState, payloads: list[dict]) -> None:
    conn: http.client.HTTPConnection | None = None
    try:
        while True:
            i = state.take()
            if i is None:
                return
            if state.down.is_set():
                with state.lock:
                    state.not_sent.add(i)
                continue
            if conn is None:
                conn = api.connection()
            with state.lock:
                state.attempted.add(i)
            try:
                status, body, text = api.request("POST", "/v1/interactions", payloads[i], conn=conn)
            except ConnectionRefusedError:
                conn.close()
                conn = None
                with state.lock:
                    state.refused.add(i)
                state.fail(i, "connection refused")
                # Server is gone (killed, or died on its own): stop sending.
                state.down.set()
                continue
            except (OSError, http.client.HTTPException) as e:
                conn.close()
                conn = None
                state.fail(i, f"{type(e).__name__}: {e}")
                continue
            if status in (200, 201) and isinstance(body, dict) and body.get("id"):
                state.ack(i, status, body)
            else:
                state.fail(i, f"HTTP {status}: {text[:200]}")
    finally:
        if conn is not None:
            conn.close()


# --------------------------------------------------------------------------- #
# Verification
# --------------------------------------------------------------------------- #

def verify_state(checks: Checks, api: Api, label: str, run: str, channel_id: str,
                 acked: dict[int, dict], expected_exact: int | None,
                 lower: int, upper: int, possible_ext: set[str],
                 fresh_sqlite: bool) -> tuple[list[dict], list[dict]]:
    """Common checks on the interaction list and event log. Returns (interactions, events)."""
    print(f"--- checks: {label}", flush=True)
    items = api.list_interactions(channel_id)
    log(f"{label}: channel lists {len(items)} interactions")

    ext_counts = collections.Counter(it.get("external_id") for it in items)
    id_counts = collections.Counter(it.get("id") for it in items)
    by_ext = {it.get("external_id"): it for it in items}

    dup_ext = [e for e, c in ext_counts.items() if c > 1]
    dup_id = [i for i, c in id_counts.items() if c > 1]
    checks.check(f"{label}: no external_id listed twice", not dup_ext, sample(dup_ext))
    checks.check(f"{label}: no interaction id listed twice", not dup_id, sample(dup_id))

    missing, wrong = [], []
    for i, a in sorted(acked.items()):
        ext = f"crash-{run}-{i}"
        if id_counts.get(a["id"], 0) != 1 or ext_counts.get(ext, 0) != 1:
            missing.append(ext)
        elif by_ext[ext].get("id") != a["id"]:
            wrong.append(f"{ext}: acked id {a['id']} listed id {by_ext[ext].get('id')}")
        elif a.get("external_id") not in (None, ext):
            wrong.append(f"{ext}: ack echoed external_id {a.get('external_id')!r}")
    checks.check(f"{label}: every acknowledged interaction listed exactly once",
                 not missing, f"{len(acked)} acknowledged; missing/duplicated {sample(missing)}")
    checks.check(f"{label}: acknowledged ids/external_ids match listing", not wrong, sample(wrong))

    unknown = [e for e in ext_counts if e not in possible_ext]
    checks.check(f"{label}: every listed interaction came from a request that may have reached the server",
                 not unknown, sample(unknown))

    n = len(items)
    if expected_exact is not None:
        checks.check(f"{label}: channel holds exactly {expected_exact} interactions",
                     n == expected_exact and len(ext_counts) == expected_exact,
                     f"listed {n}, distinct external_ids {len(ext_counts)}")
    else:
        checks.check(f"{label}: acknowledged <= listed <= sent",
                     lower <= n <= upper, f"{lower} <= {n} <= {upper}")

    # Identity resolution consistency (informational only).
    cust_by_identity: dict[int, set] = collections.defaultdict(set)
    for it in items:
        ext = it.get("external_id") or ""
        try:
            idx = int(ext.rsplit("-", 1)[1])
        except (IndexError, ValueError):
            continue
        cust_by_identity[idx % 50].add(it.get("customer_id"))
    split = {k: v for k, v in cust_by_identity.items() if len(v) > 1}
    if split:
        print(f"  WARN {label}: {len(split)} identities resolved to more than one customer_id "
              f"(e.g. identity #{next(iter(split))}: {sorted(map(str, next(iter(split.values()))))})",
              flush=True)

    # ---- event log ---------------------------------------------------------
    events = api.list_events()
    seqs = [seq_of(e) for e in events]
    log(f"{label}: event log has {len(events)} events"
        + (f" (sequences {seqs[0]}..{seqs[-1]})" if events and None not in seqs else ""))

    bad_seq = [e.get("id") for e, s in zip(events, seqs) if s is None]
    checks.check(f"{label}: every event has a numeric 'sequence'", not bad_seq, sample(bad_seq))
    gaps = []
    if events and not bad_seq:
        for prev, cur in zip(seqs, seqs[1:]):
            if cur != prev + 1:
                gaps.append(f"{prev}->{cur}")
    checks.check(f"{label}: event log is gapless (strictly consecutive sequences)",
                 bool(events) and not bad_seq and not gaps,
                 f"{len(events)} events" if not gaps else f"gaps {sample(gaps)}")
    if fresh_sqlite:
        checks.check(f"{label}: event log starts at sequence 1",
                     bool(seqs) and seqs[0] == 1, f"first sequence {seqs[0] if seqs else None}")

    malformed = [e.get("id") for e in events
                 if e.get("specversion") != "1.0" or not e.get("id")
                 or not e.get("source") or not e.get("type")]
    checks.check(f"{label}: events are CloudEvents 1.0 (specversion/id/source/type)",
                 not malformed, sample(malformed))
    eid_counts = collections.Counter((e.get("source"), e.get("id")) for e in events)
    dup_eids = [k[1] for k, c in eid_counts.items() if c > 1]
    checks.check(f"{label}: event ids unique per source", not dup_eids, sample(dup_eids))

    listed_ids = set(id_counts)
    created_counts: collections.Counter = collections.Counter()
    orphans = []
    prefix = f"crash-{run}-"
    for e in events:
        if e.get("type") != "rapport.interaction.created":
            continue
        inter = event_interaction(e)
        if inter is None:
            continue
        iid = inter.get("id")
        if iid in listed_ids:
            created_counts[iid] += 1
        elif str(inter.get("external_id") or "").startswith(prefix):
            orphans.append(f"{inter.get('external_id')} (id {iid})")
    no_event = [by_id_ext(items, i) for i in listed_ids if created_counts.get(i, 0) == 0]
    dup_event = [by_id_ext(items, i) for i, c in created_counts.items() if c > 1]
    checks.check(f"{label}: every listed interaction has an interaction.created event",
                 not no_event, sample(no_event))
    checks.check(f"{label}: no interaction.created event duplicated",
                 not dup_event, sample(dup_event))
    checks.check(f"{label}: no interaction.created event for an interaction that is not stored",
                 not orphans, sample(orphans))
    ch_events = [e for e in events if e.get("type") == "rapport.channel.created"
                 and channel_id in json.dumps(e.get("data"))]
    print(f"  info {label}: {len(ch_events)} rapport.channel.created event(s) for this channel",
          flush=True)
    return items, events


def by_id_ext(items: list[dict], iid) -> str:
    for it in items:
        if it.get("id") == iid:
            return f"{it.get('external_id')} (id {iid})"
    return str(iid)


# --------------------------------------------------------------------------- #
# Main flow
# --------------------------------------------------------------------------- #

def run(args: argparse.Namespace, checks: Checks, server_box: list) -> None:
    tmp = server_box[1]
    port = args.port or free_port()
    if args.database_url:
        storage = ["--database-url", args.database_url]
        log(f"storage: PostgreSQL ({redact(args.database_url)})")
    else:
        data_dir = os.path.join(tmp, "data")
        os.makedirs(data_dir)
        storage = ["--data-dir", data_dir]
        log(f"storage: SQLite in {data_dir}")
    log_path = os.path.join(tmp, "server.log")
    server = Server(os.path.abspath(args.binary), storage, port, log_path)
    server_box[0] = server
    log(f"server log: {log_path}")

    run_id = f"{int(time.time())}-{random.randrange(16**6):06x}"
    log(f"run id: {run_id}")

    # 1. key, server, channel ---------------------------------------------------
    key = server.create_key()
    log("API key created")
    server.start()
    t = server.wait_ready()
    log(f"server ready in {t:.1f}s")
    api = Api(port, key)

    status, body, text = api.request("POST", "/v1/channels",
                                     {"kind": "web", "name": f"crash-test-{run_id}"})
    if status != 201 or not isinstance(body, dict) or not body.get("id"):
        raise TestAbort(f"POST /v1/channels -> HTTP {status}: {text[:300]}")
    channel_id = body["id"]
    log(f"channel created: {channel_id}")

    payloads = make_payloads(run_id, channel_id, args.requests)
    ext_of = [p["external_id"] for p in payloads]

    # 2. load + SIGKILL ---------------------------------------------------------
    print("--- phase 1: load with SIGKILL", flush=True)
    state = LoadState(args.requests, args.kill_after, server)
    t0 = time.monotonic()
    threads = [threading.Thread(target=load_worker, args=(api, state, payloads),
                                name=f"worker-{k}", daemon=True)
               for k in range(args.concurrency)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    elapsed = time.monotonic() - t0
    if not state.killed.is_set():
        log("kill threshold never reached; killing the server now")
        server.sigkill()
    rc = server.wait(10)
    stop_delay = (time.monotonic() - state.kill_time) if state.kill_time else 0.0
    possible = state.attempted - state.refused
    log(f"load done in {elapsed:.1f}s (workers stopped {stop_delay:.2f}s after kill): "
        f"{len(state.acked)} acknowledged, {len(state.attempted)} attempted, "
        f"{len(state.refused)} refused, {len(state.not_sent)} not sent, "
        f"{len(state.failed)} not acknowledged")
    if state.failed:
        reasons = collections.Counter(r.split(":")[0] for r in state.failed.values())
        log("failure reasons: " + ", ".join(f"{k} x{v}" for k, v in reasons.most_common()))

    checks.check("server was SIGKILLed partway (after --kill-after acknowledgments)",
                 state.killed.is_set() and len(state.acked) < args.requests,
                 f"killed at {state.acks_at_kill} acks, {len(state.acked)} acked in total")
    checks.check("killed server exited by SIGKILL", rc == -signal.SIGKILL, f"exit status {rc}")
    checks.check("no request failures before the kill", not state.pre_kill_problems,
                 sample(state.pre_kill_problems, 3))
    created_201 = sum(1 for a in state.acked.values() if a["status"] == 201)
    checks.check("first-time POSTs answered 201 Created", created_201 == len(state.acked),
                 f"{created_201}/{len(state.acked)} were 201")

    # 3. restart ----------------------------------------------------------------
    print("--- phase 2: restart", flush=True)
    server.start()
    t = server.wait_ready()
    log(f"server ready again in {t:.1f}s")

    # 4. verify after crash -----------------------------------------------------
    possible_ext = {ext_of[i] for i in possible}
    items_after_crash, _ = verify_state(
        checks, api, "after crash", run_id, channel_id, state.acked,
        expected_exact=None, lower=len(state.acked), upper=len(possible),
        possible_ext=possible_ext, fresh_sqlite=not args.database_url)
    listed_before = {it.get("external_id"): it.get("id") for it in items_after_crash}
    stored_unacked = sum(1 for i in range(args.requests)
                         if i not in state.acked and ext_of[i] in listed_before)
    log(f"{stored_unacked} unacknowledged requests were nevertheless stored")

    # 5. resend -----------------------------------------------------------------
    print("--- phase 3: resend", flush=True)
    unacked = [i for i in range(args.requests) if i not in state.acked]
    rng = random.Random(run_id)
    acked_sample = rng.sample(sorted(state.acked), min(20, len(state.acked)))
    log(f"resending {len(unacked)} unacknowledged and {len(acked_sample)} acknowledged requests")

    local = threading.local()

    def resend(i: int):
        conn = getattr(local, "conn", None)
        if conn is None:
            conn = local.conn = api.connection()
        try:
            return i, api.request("POST", "/v1/interactions", payloads[i], conn=conn)
        except (OSError, http.client.HTTPException) as e:
            conn.close()
            local.conn = None
            return i, (None, None, f"{type(e).__name__}: {e}")

    with concurrent.futures.ThreadPoolExecutor(max_workers=args.concurrency) as pool:
        results = list(pool.map(resend, unacked + acked_sample))
    resend_acked: dict[int, dict] = {}
    bad_status, inconsistent, acked_bad = [], [], []
    sample_set = set(acked_sample)
    for i, (status, body, text) in results:
        ext = ext_of[i]
        ok_body = isinstance(body, dict) and bool(body.get("id"))
        if i in sample_set:
            if status != 200 or not ok_body or body.get("id") != state.acked[i]["id"]:
                acked_bad.append(f"{ext}: HTTP {status} id "
                                 f"{body.get('id') if isinstance(body, dict) else None} "
                                 f"(first ack id {state.acked[i]['id']})")
            continue
        if status not in (200, 201) or not ok_body:
            bad_status.append(f"{ext}: HTTP {status} {str(text)[:120]}")
            continue
        resend_acked[i] = {"status": status, "id": body.get("id"),
                           "external_id": body.get("external_id"),
                           "customer_id": body.get("customer_id")}
        if ext in listed_before:
            if status != 200 or body.get("id") != listed_before[ext]:
                inconsistent.append(f"{ext}: already stored as {listed_before[ext]}, "
                                    f"resend got HTTP {status} id {body.get('id')}")
        elif status != 201:
            inconsistent.append(f"{ext}: not stored before, resend got HTTP {status}")
    checks.check("resent unacknowledged requests answered 200/201", not bad_status,
                 f"{len(unacked)} resent" if not bad_status else sample(bad_status, 3))
    checks.check("resend status matches stored state (200+same id if stored, else 201)",
                 not inconsistent, sample(inconsistent, 3))
    checks.check("resent acknowledged requests answered 200 with the original id",
                 not acked_bad, f"{len(acked_sample)} resent" if not acked_bad
                 else sample(acked_bad, 3))

    all_acked = dict(state.acked)
    all_acked.update(resend_acked)
    verify_state(checks, api, "after resend", run_id, channel_id, all_acked,
                 expected_exact=args.requests, lower=args.requests, upper=args.requests,
                 possible_ext=set(ext_of), fresh_sqlite=not args.database_url)

    # 6. graceful shutdown ------------------------------------------------------
    print("--- phase 4: graceful shutdown", flush=True)
    t0 = time.monotonic()
    os.kill(server.pid, signal.SIGTERM)
    rc = server.wait(SHUTDOWN_TIMEOUT)
    took = time.monotonic() - t0
    checks.check(f"server exits within {SHUTDOWN_TIMEOUT:.0f}s of SIGTERM", rc is not None,
                 f"{took:.1f}s" if rc is not None else "still running")
    checks.check("server exit code 0 after SIGTERM", rc == 0, f"exit status {rc}")



def parse_args(argv=None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description="Rapport SIGKILL crash-consistency test")
    ap.add_argument("--binary", required=True, help="path to the rapport executable")
    ap.add_argument("--database-url", default=None,
                    help="PostgreSQL URL (default: SQLite in a fresh temp --data-dir)")
    ap.add_argument("--port", type=int, default=0, help="port to serve on (0 = pick a free one)")
    ap.add_argument("--requests", type=int, default=1000)
    ap.add_argument("--kill-after", type=int, default=300,
                    help="SIGKILL the server once this many POSTs are acknowledged")
    ap.add_argument("--concurrency", type=int, default=8)
    ap.add_argument("--keep-temp", action="store_true",
                    help="keep the temp dir (data + server log) even on success")
    args = ap.parse_args(argv)
    if args.requests < 1:
        ap.error("--requests must be >= 1")
    if not 1 <= args.kill_after < args.requests:
        ap.error("--kill-after must be >= 1 and < --requests")
    if args.concurrency < 1:
        ap.error("--concurrency must be >= 1")
    if not (os.path.isfile(args.binary) and os.access(args.binary, os.X_OK)):
        ap.error(f"--binary {args.binary!r} is not an executable file")
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    checks = Checks()
    tmp = tempfile.mkdtemp(prefix="rapport-crash-")
    server_box: list = [None, tmp]
    crashed = False
    try:
        run(args, checks, server_box)
    except KeyboardInterrupt:
        crashed = True
        checks.check("test completed", False, "interrupted")
    except Exception as e:  # noqa: BLE001 - report anything unexpected as a failure
        crashed = True
        traceback.print_exc()
        checks.check("test completed without unexpected errors", False,
                     f"{type(e).__name__}: {e}")
    finally:
        server = server_box[0]
        if server is not None:
            server.cleanup()
    server = server_box[0]
    if (checks.failed or crashed) and server is not None:
        print(f"--- server log tail ({server.log_path}) ---", flush=True)
        print(server.log_tail(), flush=True)
        print("--- end of server log ---", flush=True)
    if checks.failed or args.keep_temp:
        print(f"temp dir kept: {tmp}", flush=True)
    else:
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"crash-test: {checks.passed} passed, {checks.failed} failed", flush=True)
    return 1 if checks.failed else 0


if __name__ == "__main__":
    sys.exit(main())
