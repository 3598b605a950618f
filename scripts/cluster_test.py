#!/usr/bin/env python3
"""Three Rapport nodes on one PostgreSQL, one killed with SIGKILL under a write load.

Starts three `rapport serve` processes on a fresh database, subscribes two webhook
receivers (interactions only, and every event), follows the log with an SSE client on
two nodes, posts interactions to every live node from several threads, SIGKILLs one
node midway, and checks that:

* no event is lost: each subscription receives every event it matches, and each SSE
  client sees the whole log, in order;
* no event reaches a subscription twice from two live nodes (a second copy is only
  allowed when the killed node sent the first and died before recording it);
* one customer's events reach each subscription in log order (after dedupe by id);
* the killed node's work is taken over within 10 seconds: every event committed
  before the kill is delivered within 10 s of it.

Python 3.11 standard library only.

    python3 scripts/cluster_test.py --binary .build/debug/rapport \\
        --database-url postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable
"""

from __future__ import annotations

import argparse
import collections
import http.client
import http.server
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from testkit import free_port  # noqa: E402

TAKEOVER_LIMIT = 10.0


def log(text: str) -> None:
    print(f"[cluster {time.strftime('%H:%M:%S')}] {text}", flush=True)


class Failure(Exception):
    pass


# --------------------------------------------------------------------------- #
# The webhook receiver
# --------------------------------------------------------------------------- #

class Receipts:
    """Every delivery received: per sink path, (webhook-id, node, sequence, subject, time)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.by_sink: dict[str, list[tuple[str, str, int, str, float]]] = collections.defaultdict(list)

    def add(self, sink: str, webhook_id: str, node: str, body: dict) -> None:
        with self.lock:
            self.by_sink[sink].append((webhook_id, node, int(body["sequence"]), body.get("subject", ""), time.time()))

    def snapshot(self, sink: str) -> list[tuple[str, str, int, str, float]]:
        with self.lock:
            return list(self.by_sink[sink])


def make_receiver(receipts: Receipts) -> http.server.ThreadingHTTPServer:
    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:  # noqa: N802 - the stdlib's name
            length = int(self.headers.get("content-length", "0"))
            body = json.loads(self.rfile.read(length))
            # A receiver that takes a moment, so deliveries are in flight when a node dies.
            time.sleep(0.2)
            receipts.add(self.path, self.headers["webhook-id"], self.headers.get("rapport-node", "?"), body)
            self.send_response(200)
            self.send_header("content-length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


# --------------------------------------------------------------------------- #
# Nodes
# --------------------------------------------------------------------------- #

class Node:
    def __init__(self, index: int, binary: str, database_url: str, directory: str) -> None:
        self.index = index
        self.port = free_port()
        self.log_path = os.path.join(directory, f"node{index}.log")
        env = dict(os.environ, RAPPORT_WEBHOOKS_ALLOW_PRIVATE="true", RAPPORT_WEBHOOK_RETRY_DELAYS="0,200ms,500ms,1s,2s,5s,10s,20s")
        with open(self.log_path, "ab") as logf:
            self.proc = subprocess.Popen(
                [binary, "serve", "--host", "127.0.0.1", "--port", str(self.port), "--database-url", database_url],
                stdout=logf, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env)

    def wait_ready(self, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise Failure(f"node {self.index} exited with {self.proc.returncode}; see {self.log_path}")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                conn.request("GET", "/health/ready")
                if conn.getresponse().status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise Failure(f"node {self.index} not ready after {timeout:.0f} s")

    def alive(self) -> bool:
        return self.proc.poll() is None

    def stop(self) -> None:
        if self.alive():
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


class Api:
    def __init__(self, port: int, key: str) -> None:
        self.port = port
        self.key = key

    def call(self, method: str, path: str, body=None, timeout: float = 30):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            payload = json.dumps(body).encode() if body is not None else None
            conn.request(method, path, body=payload, headers={
                "Authorization": f"Bearer {self.key}", "Content-Type": "application/json"})
            response = conn.getresponse()
            text = response.read().decode()
            return response.status, (json.loads(text) if text else None)
        finally:
            conn.close()


def follow_sse(port: int, key: str, seen: list[int], stop: threading.Event) -> None:
    """Reads the whole log from node `port` over SSE, reconnecting with Last-Event-ID."""
    last = 0
    while not stop.is_set():
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/v1/events/stream?heartbeat=1", headers={
                "Authorization": f"Bearer {key}", "Last-Event-ID": str(last)})
            response = conn.getresponse()
            while not stop.is_set():
                line = response.readline()
                if not line:
                    break
                if line.startswith(b"id: "):
                    last = int(line[4:].strip())
                    seen.append(last)
        except OSError:
            time.sleep(0.2)


# --------------------------------------------------------------------------- #
# The run
# --------------------------------------------------------------------------- #

def create_database(url: str) -> str:
    name = "rapport_cluster_" + uuid.uuid4().hex[:12]
    subprocess.run(["psql", url, "-qc", f"CREATE DATABASE {name}"], check=True)
    parts = urllib.parse.urlsplit(url)
    return urllib.parse.urlunsplit(parts._replace(path="/" + name)), name


def admin_key(binary: str, database_url: str, name: str) -> str:
    """An admin API key made with `rapport keys create` on the database."""
    keys = subprocess.run([binary, "keys", "create", "--role", "admin", "--name", name, "--database-url", database_url],
                          capture_output=True, text=True, check=True)
    return [line for line in keys.stdout.splitlines() if line.strip()][-1].strip()


def print_log_tails(nodes: list[Node]) -> None:
    for node in nodes:
        with open(node.log_path, encoding="utf-8", errors="replace") as f:
            tail = f.readlines()[-20:]
        print(f"--- node {node.index} log tail ---\n" + "".join(tail))


def report(run) -> int:
    """Runs the test (`run` returns its failures), prints each and the tally; the exit status."""
    try:
        failures = run()
    except Failure as failure:
        failures = [str(failure)]
    for failure in failures:
        print(f"FAIL {failure}")
    print(f"{0 if failures else 1} passed, {len(failures)} failed")
    return 1 if failures else 0


def drop_database(url: str, name: str) -> None:
    subprocess.run(["psql", url, "-qc", f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"], check=False)


def run(args: argparse.Namespace) -> list[str]:
    failures: list[str] = []
    directory = tempfile.mkdtemp(prefix="rapport-cluster-")
    database_url, database = create_database(args.database_url)
    nodes: list[Node] = []
    receipts = Receipts()
    receiver = make_receiver(receipts)
    stop_streams = threading.Event()
    try:
        key = admin_key(args.binary, database_url, "cluster-test")
        nodes = [Node(index, args.binary, database_url, directory) for index in range(3)]
        for node in nodes:
            node.wait_ready()
        log(f"three nodes ready on ports {[node.port for node in nodes]}")
        apis = [Api(node.port, key) for node in nodes]
        sink = f"http://127.0.0.1:{receiver.server_address[1]}"
        status, body = apis[0].call("POST", "/v1/subscriptions", {
            "sink": sink + "/interactions", "filters": [{"prefix": {"type": "rapport.interaction."}}],
            "description": "cluster test: interactions"})
        if status != 201:
            raise Failure(f"subscribing: {status} {body}")
        status, body = apis[1].call("POST", "/v1/subscriptions", {"sink": sink + "/all", "description": "cluster test: all"})
        if status != 201:
            raise Failure(f"subscribing: {status} {body}")
        status, channel = apis[2].call("POST", "/v1/channels", {"kind": "web", "name": "cluster test"})
        if status != 201:
            raise Failure(f"channel: {status} {channel}")
        streams = {0: [], 2: []}
        for index, seen in streams.items():
            threading.Thread(target=follow_sse, args=(nodes[index].port, key, seen, stop_streams), daemon=True).start()

        # The write load: every thread posts to the live nodes in turn; node 1 is killed midway.
        total, killed_at = args.interactions, None
        posted = 0
        lock = threading.Lock()
        errors: list[str] = []

        def worker(start: int) -> None:
            nonlocal posted
            for i in range(start, total, args.threads):
                pause = began + i / args.rate - time.monotonic()
                if pause > 0:
                    time.sleep(pause)
                body = {"channel_id": channel["id"], "identity": f"email:cluster-{i % 40}@example.com",
                        "kind": "message", "direction": "inbound", "body": f"message {i}", "external_id": f"cluster-{i}"}
                for attempt in range(6):
                    live = [api for node, api in zip(nodes, apis) if node.alive()]
                    api = live[(i + attempt) % len(live)]
                    try:
                        status, _ = api.call("POST", "/v1/interactions", body)
                        if status in (200, 201):
                            break
                    except OSError:
                        pass  # the node died under this request: try another (external_id makes it idempotent)
                    time.sleep(0.1)
                else:
                    with lock:
                        errors.append(f"interaction {i} was never acknowledged")
                with lock:
                    posted += 1

        threads = [threading.Thread(target=worker, args=(t,)) for t in range(args.threads)]
        started = began = time.monotonic()
        for thread in threads:
            thread.start()
        while True:
            with lock:
                done = posted
            if killed_at is None and done >= total // 2:
                # Kill it while it holds leases (within five seconds), so the takeover is exercised.
                wait_until = time.monotonic() + 5
                while not leased_by(database_url, node_name_of(nodes[1])) and time.monotonic() < wait_until:
                    time.sleep(0.02)
                nodes[1].proc.send_signal(signal.SIGKILL)
                nodes[1].proc.wait()
                killed_at = time.time()
                orphaned = leased_by(database_url, node_name_of(nodes[1]))
                log(f"SIGKILLed node 1 after {done} interactions; it held {len(orphaned)} leased deliveries")
            if done >= total:
                break
            time.sleep(0.01)
        for thread in threads:
            thread.join()
        log(f"posted {total} interactions in {time.monotonic() - started:.1f} s")
        failures.extend(errors)

        # What the log holds, as the surviving nodes see it.
        events: list[dict] = []
        after = 0
        while True:
            status, page = apis[0].call("GET", f"/v1/events?after={after}&limit=1000")
            events.extend(page["data"])
            if not page.get("next_cursor"):
                break
            after = int(page["next_cursor"])
        sequences = [int(event["sequence"]) for event in events]
        if sequences != list(range(1, len(sequences) + 1)):
            failures.append("the log has gaps or is out of order")
        # The dead node's leased deliveries: taken over (delivered by a live node) within the limit.
        takeover = [first_delivery(receipts, path, event_id, node_name_of(nodes[1]), killed_at) for path, event_id in orphaned]
        late = [t for t in takeover if t is None or t > TAKEOVER_LIMIT]
        if late:
            failures.append(f"{len(late)} of the dead node's {len(orphaned)} leased deliveries were not taken over "
                            f"within {TAKEOVER_LIMIT:.0f} s")
        elif orphaned:
            log(f"the dead node's {len(orphaned)} leased deliveries were taken over in at most {max(takeover):.1f} s")
        else:
            log("the dead node held no leases at the kill: takeover not exercised by this run")
        wanted = {
            "/interactions": [event for event in events if event["type"].startswith("rapport.interaction.")],
            "/all": [event for event in events if time_of(event["time"]) >= subscription_start(events)],
        }

        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if all({r[0] for r in receipts.snapshot(path)} >= {e["id"] for e in want} for path, want in wanted.items()) \
                    and all(len(seen) >= len(events) for seen in streams.values()):
                break
            time.sleep(0.5)
        stop_streams.set()

        killed_node = node_name_of(nodes[1])
        for path, want in wanted.items():
            got = receipts.snapshot(path)
            ids = {r[0] for r in got}
            missing = [e["id"] for e in want if e["id"] not in ids]
            if missing:
                failures.append(f"{path}: {len(missing)} of {len(want)} events never delivered, e.g. {missing[:3]}")
            copies = collections.defaultdict(list)
            for webhook_id, node, _, _, _ in got:
                copies[webhook_id].append(node)
            twice = {i: n for i, n in copies.items() if len(n) > 1}
            # A second copy is fine only when the killed node sent the first and died before recording it.
            by_live = {i: n for i, n in twice.items() if len([x for x in n if x != killed_node]) > 1 or n.count(killed_node) > 1}
            if by_live:
                failures.append(f"{path}: {len(by_live)} events delivered twice by live nodes, e.g. {list(by_live.items())[:2]}")
            first_seen: dict[str, tuple[int, str, float]] = {}
            per_subject = collections.defaultdict(list)
            for webhook_id, _, sequence, subject, at in got:  # in arrival order
                if webhook_id not in first_seen:
                    first_seen[webhook_id] = (sequence, subject, at)
                    per_subject[subject].append(sequence)
            disordered = [subject for subject, order in per_subject.items() if order != sorted(order)]
            if disordered:
                failures.append(f"{path}: events of {len(disordered)} customers arrived out of order")
            after_kill = [r for r in got if r[4] > killed_at + TAKEOVER_LIMIT and r[1] == killed_node]
            if after_kill:
                failures.append(f"{path}: the killed node still delivered after it died")
            by_killed = sum(1 for r in got if r[1] == killed_node)
            log(f"{path}: {len(ids)} distinct events of {len(want)} wanted, {len(got)} deliveries "
                f"({by_killed} by the killed node before it died), {len(twice)} second copies after the kill")
        for index, seen in streams.items():
            if seen[:len(sequences)] != sequences:
                failures.append(f"the SSE client on node {index} saw {len(seen)} of {len(sequences)} events or out of order")
            else:
                log(f"SSE on node {index}: all {len(sequences)} events in order")
    finally:
        stop_streams.set()
        for node in nodes:
            node.stop()
        receiver.shutdown()
        drop_database(args.database_url, database)
        if failures:
            print_log_tails(nodes)
        shutil.rmtree(directory, ignore_errors=True)
    return failures


def leased_by(database_url: str, node: str) -> list[tuple[str, str]]:
    """(sink path, event id) of each pending delivery `node` holds a lease on, read from the database."""
    result = subprocess.run(["psql", database_url, "-tA", "-F", " ", "-c",
                             "SELECT s.sink, d.event_id FROM webhook_deliveries d JOIN subscriptions s ON s.id = d.subscription_id "
                             f"WHERE d.status = 'pending' AND d.lease_owner = '{node}'"],
                            capture_output=True, text=True, check=True)
    pairs = [line.split(" ") for line in result.stdout.splitlines() if line.strip()]
    return [(urllib.parse.urlsplit(sink).path, event_id) for sink, event_id in pairs]


def first_delivery(receipts: Receipts, path: str, event_id: str, dead: str, killed_at: float) -> float | None:
    """Seconds from the kill until a live node delivered `event_id` to `path`; None if none did."""
    times = [at for (i, node, _, _, at) in receipts.snapshot(path) if i == event_id and node != dead]
    return min(times) - killed_at if times else None


def time_of(rfc3339: str) -> float:
    from datetime import datetime
    return datetime.fromisoformat(rfc3339.replace("Z", "+00:00")).timestamp()


def subscription_start(events: list[dict]) -> float:
    """The second subscription was created by the first `subscription.created` event after the first."""
    created = [e for e in events if e["type"] == "rapport.subscription.created"]
    return time_of(created[1]["time"]) if len(created) > 1 else 0.0


def node_name_of(node: Node) -> str:
    """The killed node's name on its deliveries (`rapport-node`), which it logs as it starts."""
    with open(node.log_path, encoding="utf-8", errors="replace") as f:
        for line in f:
            if "webhook dispatcher" in line:
                found = re.search(r"node-[0-9a-f]{8}", line)
                if found:
                    return found.group(0)
    raise Failure(f"node {node.index} did not log its webhook node name")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--binary", required=True)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--interactions", type=int, default=2000)
    parser.add_argument("--rate", type=float, default=100.0, help="interactions per second")
    parser.add_argument("--threads", type=int, default=8)
    return report(lambda: run(parser.parse_args()))


if __name__ == "__main__":
    sys.exit(main())
