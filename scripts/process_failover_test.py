#!/usr/bin/env python3
"""Two Rapport nodes on one PostgreSQL run processes; one is killed with SIGKILL mid-run.

Deploys a process (start -> a 3-second timer -> `rapport.webhook` to a receiver here -> end),
starts instances on both nodes over a few seconds, and SIGKILLs the node that holds the
process-timer lease while its own job worker has webhook calls in flight (the receiver answers
each after a pause, so calls are in flight when the node dies). Then checks that:

* every instance completes exactly once: status completed, one `completed` step at the timer, the
  webhook step and the end event, one `rapport.process.completed` event each;
* the survivor takes over within 10 s: every timer due after the kill fires within 10 s of its
  time (the dead node's lease lapses), and every webhook call the dead node had in flight is
  made again by the survivor, with the same `webhook-id`, within 10 s of the kill (its job lock
  lapses: Rapport's worker renews short locks only while it lives);
* no call is made twice except those the dead node made before it died: in flight, or answered
  before it could record the answer (the receiver's answer is on the wire, the node's commit is
  not; at least once is the promise, and the survivor cannot tell the two apart);
* no job is left and no incident is open.

Python 3.11 standard library only; psql reads the lease owner.

    python3 scripts/process_failover_test.py --binary .build/debug/rapport \\
        --database-url postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable
"""

from __future__ import annotations

import argparse
import collections
import http.client
import http.server
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cluster_test import (  # noqa: E402
    Api, Failure, Node, admin_key, create_database, drop_database, print_log_tails, report, time_of,
)

TAKEOVER_LIMIT = 10.0
TIMER_SECONDS = 3
ANSWER_DELAY = 0.5


def log(text: str) -> None:
    print(f"[process-failover {time.strftime('%H:%M:%S')}] {text}", flush=True)


MODEL = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:rapport="urn:rapport:bpmn:1.0"
                  id="failover" targetNamespace="urn:rapport:failover-test">
  <bpmn:process id="failover_order" isExecutable="true">
    <bpmn:startEvent id="s"/>
    <bpmn:intermediateCatchEvent id="wait">
      <bpmn:timerEventDefinition><bpmn:timeDuration>PT{seconds}S</bpmn:timeDuration></bpmn:timerEventDefinition>
    </bpmn:intermediateCatchEvent>
    <bpmn:serviceTask id="tell_erp">
      <bpmn:extensionElements>
        <rapport:taskDefinition type="rapport.webhook" resultVariable="erp_call"/>
        <rapport:ioMapping>
          <rapport:input source="'{webhook}'" target="webhook"/>
          <rapport:input source="{{'order': order}}" target="body"/>
        </rapport:ioMapping>
      </bpmn:extensionElements>
    </bpmn:serviceTask>
    <bpmn:endEvent id="e"/>
    <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="wait"/>
    <bpmn:sequenceFlow id="f2" sourceRef="wait" targetRef="tell_erp"/>
    <bpmn:sequenceFlow id="f3" sourceRef="tell_erp" targetRef="e"/>
  </bpmn:process>
</bpmn:definitions>
"""


class Calls:
    """Every webhook call received: (webhook-id, the calling node's worker, order, received at, answered)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.items: list[dict] = []

    def add(self, item: dict) -> dict:
        with self.lock:
            self.items.append(item)
        return item

    def snapshot(self) -> list[dict]:
        with self.lock:
            return [dict(item) for item in self.items]


def make_receiver(calls: Calls) -> http.server.ThreadingHTTPServer:
    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:  # noqa: N802 - the stdlib's name
            length = int(self.headers.get("content-length", "0"))
            body = json.loads(self.rfile.read(length))
            item = calls.add({"id": self.headers["webhook-id"], "node": self.headers.get("rapport-node", "?"),
                              "order": body.get("order"), "at": time.time(), "answered": False})
            # A receiver that takes a moment, so calls are in flight when a node dies.
            time.sleep(ANSWER_DELAY)
            try:
                self.send_response(200)
                self.send_header("content-length", "2")
                self.end_headers()
                self.wfile.write(b"ok")
                with calls.lock:
                    item["answered"] = True
            except OSError:
                pass  # the caller died meanwhile

        def log_message(self, *args) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def timer_lease_owner(database_url: str) -> str:
    result = subprocess.run(["psql", database_url, "-tAc",
                             "SELECT owner FROM consumer_leases WHERE name = 'process-timers' "
                             "AND lease_until > (EXTRACT(EPOCH FROM clock_timestamp()) * 1000000)::bigint"],
                            capture_output=True, text=True, check=True)
    return result.stdout.strip()


def of_node(name: str, node: Node) -> bool:
    """Whether a worker or lease owner name (`host-PID-xxxxxxxx`) is this node's process."""
    return f"-{node.proc.pid}-" in name


def start_instance(api: Api, body: dict, idempotency_key: str) -> tuple[int, dict | None]:
    """POST /v1/process-instances with an Idempotency-Key: sent again to the other node after a
    node died under it, it starts one instance however many times it is sent."""
    conn = http.client.HTTPConnection("127.0.0.1", api.port, timeout=30)
    try:
        conn.request("POST", "/v1/process-instances", body=json.dumps(body).encode(), headers={
            "Authorization": f"Bearer {api.key}", "Content-Type": "application/json", "Idempotency-Key": idempotency_key})
        response = conn.getresponse()
        text = response.read().decode()
        return response.status, (json.loads(text) if text else None)
    finally:
        conn.close()


def all_pages(api: Api, path: str) -> list[dict]:
    items, cursor = [], None
    while True:
        separator = "&" if "?" in path else "?"
        status, page = api.call("GET", path + (f"{separator}cursor={cursor}" if cursor else ""))
        if status != 200:
            raise Failure(f"GET {path}: {status} {page}")
        items.extend(page["data"])
        cursor = page.get("next_cursor")
        if not cursor:
            return items


def run(args: argparse.Namespace) -> list[str]:
    failures: list[str] = []
    directory = tempfile.mkdtemp(prefix="rapport-process-failover-")
    database_url, database = create_database(args.database_url)
    nodes: list[Node] = []
    calls = Calls()
    receiver = make_receiver(calls)
    try:
        key = admin_key(args.binary, database_url, "process-failover-test")
        nodes = [Node(index, args.binary, database_url, directory) for index in range(2)]
        for node in nodes:
            node.wait_ready()
        apis = [Api(node.port, key) for node in nodes]
        log(f"two nodes ready on ports {[node.port for node in nodes]}")
        sink = f"http://127.0.0.1:{receiver.server_address[1]}/erp"
        status, subscription = apis[0].call("POST", "/v1/subscriptions", {
            "sink": sink, "filters": [{"prefix": {"type": "nothing."}}], "description": "process failover test: the ERP"})
        if status != 201:
            raise Failure(f"subscribing: {status} {subscription}")
        status, body = apis[0].call("POST", "/v1/processes", {
            "xml": MODEL.format(seconds=TIMER_SECONDS, webhook=subscription["id"])})
        if status != 201:
            raise Failure(f"deploying: {status} {body}")

        # Starts on both nodes, spread over a few seconds so timers come due before and after the kill.
        started: dict[str, dict] = {}
        lock = threading.Lock()
        errors: list[str] = []

        def starter(offset: int) -> None:
            for i in range(offset, args.instances, 4):
                pause = began + i / args.rate - time.monotonic()
                if pause > 0:
                    time.sleep(pause)
                order = f"O-{i:05d}"
                for attempt in range(6):
                    live = [api for node, api in zip(nodes, apis) if node.alive()]
                    api = live[(i + attempt) % len(live)]
                    try:
                        status, body = start_instance(api, {"process": "failover_order", "business_key": order,
                                                            "variables": {"order": order}}, f"start-{run_id}-{i}")
                        if status in (200, 201):
                            with lock:
                                started[body["id"]] = {"order": order, "created_at": time_of(body["created_at"])}
                            break
                    except OSError:
                        pass  # the node died under this request: the other one takes it
                    time.sleep(0.1)
                else:
                    with lock:
                        errors.append(f"instance {order} was never started")

        run_id = os.urandom(4).hex()
        began = time.monotonic()
        threads = [threading.Thread(target=starter, args=(t,)) for t in range(4)]
        for thread in threads:
            thread.start()

        # Kill the node holding the timer lease once its worker has calls in flight.
        victim = None
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and victim is None:
            owner = timer_lease_owner(database_url)
            in_flight = [c for c in calls.snapshot() if not c["answered"]]
            for node in nodes:
                # Once timers have been firing for a while, so several calls are in flight.
                if time.monotonic() - began >= TIMER_SECONDS + 1.5 and owner and of_node(owner, node) \
                        and sum(1 for c in in_flight if of_node(c["node"], node)) >= 4:
                    victim = node
            if victim is None:
                time.sleep(0.02)
        if victim is None:
            raise Failure("no moment found where the timer lease holder had webhook calls in flight")
        victim.proc.send_signal(signal.SIGKILL)
        victim.proc.wait()
        killed_at = time.time()
        survivor = next(node for node in nodes if node is not victim)
        api = apis[nodes.index(survivor)]
        orphaned = {c["id"] for c in calls.snapshot() if of_node(c["node"], victim) and not c["answered"]}
        log(f"SIGKILLed node {victim.index} (it held the timer lease) {time.monotonic() - began:.1f} s into the starts, "
            f"with {len(orphaned)} webhook calls in flight")
        for thread in threads:
            thread.join()
        failures.extend(errors)
        log(f"{len(started)} instances started")

        # Every instance completes.
        wait_until = time.monotonic() + 120
        instances: list[dict] = []
        while time.monotonic() < wait_until:
            instances = all_pages(api, "/v1/process-instances?process=failover_order&limit=200")
            if len(instances) >= len(started) and all(i["status"] == "completed" for i in instances):
                break
            time.sleep(0.5)
        by_status = collections.Counter(i["status"] for i in instances)
        if len(instances) != len(started) or by_status != {"completed": len(started)}:
            failures.append(f"{len(instances)} instances for {len(started)} starts, by status {dict(by_status)}")
        log(f"instances by status: {dict(by_status)}")

        # Each step once; the timers' lateness.
        late_timers, doubled, lateness, around_kill = [], [], [], []
        for instance_id, facts in started.items():
            steps = all_pages(api, f"/v1/process-instances/{instance_id}/history?limit=200")
            completed = collections.Counter(s["node"] for s in steps if s["kind"] == "completed")
            if any(completed[node] != 1 for node in ("wait", "tell_erp", "e")):
                doubled.append(f"{facts['order']}: {dict(completed)}")
            fired = [time_of(s["at"]) for s in steps if s["kind"] == "completed" and s["node"] == "wait"]
            if not fired:
                continue
            due = facts["created_at"] + TIMER_SECONDS
            lateness.append(fired[0] - due)
            if killed_at - 1 <= due <= killed_at + TAKEOVER_LIMIT:
                around_kill.append(fired[0] - due)
            if fired[0] - due > TAKEOVER_LIMIT:
                late_timers.append(f"{facts['order']} fired {fired[0] - due:.1f} s after its time")
        if doubled:
            failures.append(f"{len(doubled)} instances did a step other than once, e.g. {doubled[:3]}")
        if late_timers:
            failures.append(f"{len(late_timers)} timers fired more than {TAKEOVER_LIMIT:.0f} s late, e.g. {late_timers[:3]}")
        if lateness:
            log(f"timers: {len(lateness)} fired, at most {max(lateness):.2f} s late; the {len(around_kill)} due from 1 s before "
                f"the kill to {TAKEOVER_LIMIT:.0f} s after it at most {max(around_kill, default=0):.2f} s late")

        # The dead node's calls in flight: made again by the survivor, with the same id, in time.
        got = calls.snapshot()
        retaken = []
        for webhook_id in orphaned:
            again = [c["at"] for c in got if c["id"] == webhook_id and of_node(c["node"], survivor)]
            if not again or min(again) - killed_at > TAKEOVER_LIMIT:
                failures.append(f"the dead node's call {webhook_id} was not made again within {TAKEOVER_LIMIT:.0f} s")
            else:
                retaken.append(min(again) - killed_at)
        if retaken:
            log(f"the dead node's {len(retaken)} calls in flight were made again by the survivor after at most {max(retaken):.2f} s")
        made = collections.defaultdict(list)
        for call in sorted(got, key=lambda c: c["at"]):
            made[call["id"]].append(call)
        # A call the dead node made and was answered for, but died before recording: made again,
        # by the survivor only.
        unrecorded = {i for i, copies_of in made.items() if len(copies_of) > 1 and i not in orphaned
                      and of_node(copies_of[0]["node"], victim)
                      and all(of_node(c["node"], survivor) for c in copies_of[1:])}
        if unrecorded:
            log(f"{len(unrecorded)} calls the dead node was answered for but had not recorded were made again by the survivor")
        extra = [i for i, copies_of in made.items() if len(copies_of) > 1 and i not in orphaned and i not in unrecorded]
        if extra:
            failures.append(f"{len(extra)} calls were made twice though no node died holding them, e.g. {extra[:3]}")
        orders = {c["order"] for c in got}
        missing = [f["order"] for f in started.values() if f["order"] not in orders]
        if missing:
            failures.append(f"{len(missing)} orders never reached the ERP, e.g. {missing[:3]}")
        log(f"{len(got)} webhook calls for {len(started)} instances ({len(got) - len(made)} second copies)")

        completed_events = 0
        after = 0
        while True:
            status, page = api.call("GET", f"/v1/events?after={after}&limit=1000")
            completed_events += sum(1 for e in page["data"] if e["type"] == "rapport.process.completed")
            if not page.get("next_cursor"):
                break
            after = int(page["next_cursor"])
        if completed_events != len(started):
            failures.append(f"{completed_events} rapport.process.completed events for {len(started)} instances")
        open_incidents = all_pages(api, "/v1/incidents?status=open&limit=200")
        if open_incidents:
            failures.append(f"{len(open_incidents)} incidents open, e.g. {open_incidents[0].get('message')}")
        left = subprocess.run(["psql", database_url, "-tAc", "SELECT COUNT(*) FROM process_jobs"], capture_output=True, text=True, check=True)
        if left.stdout.strip() != "0":
            failures.append(f"{left.stdout.strip()} jobs left in the store")
    finally:
        for node in nodes:
            node.stop()
        receiver.shutdown()
        drop_database(args.database_url, database)
        if failures:
            print_log_tails(nodes)
        shutil.rmtree(directory, ignore_errors=True)
    return failures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--binary", required=True)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--instances", type=int, default=300)
    parser.add_argument("--rate", type=float, default=40.0, help="instances started per second")
    return report(lambda: run(parser.parse_args()))


if __name__ == "__main__":
    sys.exit(main())
