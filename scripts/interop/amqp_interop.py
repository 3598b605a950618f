#!/usr/bin/env python3
"""RabbitMQ interop test: Rapport's AMQP publisher with pika, the client of the system's specification.

Starts `rapport serve --amqp-url ... --amqp-queue crm_data` against a running RabbitMQ and checks:

a. The consumer from the system's specification, run unchanged (its source is below, byte for byte),
   receives every event of a burst of 10,000 interactions in log order, acking each; every body
   parses as a CloudEvent (the `cloudevents` SDK) equal to the log's event; the queue ends empty.
b. The broker is restarted (`rabbitmqctl stop_app` / `start_app`) in the middle of a second burst:
   afterwards a reconnecting pika consumer on a durable queue of its own, deduplicating by CloudEvent
   id, has every event of the burst, each customer's events in log order; the publisher reconnected.
c. A pika publisher sends 10,000 interactions into the inbound queue (`--amqp-inbound-queue`), 150 of
   them malformed in different ways and 200 valid ones sent twice: every valid interaction is stored
   exactly once, every malformed message sits in the dead-letter queue with its reason in
   `x-rapport-error`, and the inbound queue ends empty.

Run from the venv that .ci/run creates:
    .venv-interop/bin/python scripts/interop/amqp_interop.py --binary .build/debug/rapport [--database-url URL]
"""
from __future__ import annotations

import argparse
import ast
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

import pika

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from testkit import Checks, free_port, redact, sample  # noqa: E402
from events_interop import (Api, Server, TestAbort, compare_cloudevent, interaction_payloads,  # noqa: E402
                            log, parse_json_cloudevent, post_interactions)

BROKER_URL = "amqp://guest:guest@127.0.0.1:5672/"
BURST = 10_000
CUSTOMERS = 40
DELIVERY_TIMEOUT = 180.0
DURABLE_QUEUE = "rapport_interop_durable"

# The consumer of the system's specification, unchanged.
SPEC_CONSUMER = '''import pika

def on_message(ch, method, properties, body):
    print(" [x] Received %r" % body)
    ch.basic_ack(delivery_tag=method.delivery_tag)

connection = pika.BlockingConnection(pika.ConnectionParameters('localhost'))
channel = connection.channel()

channel.queue_declare(queue='crm_data')
channel.basic_consume(queue='crm_data', on_message_callback=on_message, auto_ack=False)

print(' [*] Waiting for messages. To exit press CTRL+C')
channel.start_consuming()
'''


def broker_channel():
    connection = pika.BlockingConnection(pika.URLParameters(BROKER_URL))
    return connection, connection.channel()


def wait_publisher_connected(api: Api, timeout: float = 60.0) -> str:
    deadline = time.monotonic() + timeout
    state = ""
    while time.monotonic() < deadline:
        status, _, body, _ = api.request("GET", "/health/ready")
        state = (body or {}).get("amqp_publisher", "") if isinstance(body, dict) else ""
        if status == 200 and state == "connected":
            return state
        time.sleep(0.2)
    raise TestAbort(f"the AMQP publisher did not connect within {timeout:.0f}s (last: {state!r})")


def wait_inbound_connected(api: Api, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    state = ""
    while time.monotonic() < deadline:
        _, _, body, _ = api.request("GET", "/health/ready")
        state = body.get("amqp_inbound", "") if isinstance(body, dict) else ""
        if state == "connected":
            return
        time.sleep(0.2)
    raise TestAbort(f"the inbound consumer did not connect within {timeout:.0f}s (last: {state!r})")


def burst(api: Api, run_id: str, tag: str, count: int = BURST) -> tuple[int, int, dict[int, dict]]:
    """Posts `count` interactions over CUSTOMERS customers; returns (head before, head after, the events between)."""
    channel = api.post_json("/v1/channels", {"kind": "web", "name": f"amqp-interop-{tag}-{run_id}"})["id"]
    identities = [f"email:amqp-{tag}-{run_id}-{i}@example.com" for i in range(CUSTOMERS)]
    start = api.head()
    problems = post_interactions(api, interaction_payloads(channel, identities, count, f"{tag}-{run_id}"), threads=8)
    if problems:
        raise TestAbort(f"{len(problems)} interactions were not stored: {sample(problems)}")
    end = api.head()
    return start, end, api.events_between(start, end)


def check_bodies(checks: Checks, name: str, received: list[tuple[str, bytes]], expected: dict[int, dict]) -> None:
    by_id = {event["id"]: event for event in expected.values()}
    wrong = []
    for message_id, body in received:
        event = by_id.get(message_id)
        if event is None:
            continue
        try:
            difference = compare_cloudevent(parse_json_cloudevent(body.decode()), event)
        except Exception as e:  # noqa: BLE001 - the SDK refusing the body is the failure reported
            difference = f"{type(e).__name__}: {e}"
        if difference:
            wrong.append(f"{message_id}: {difference}")
    checks.check(name, not wrong, sample(wrong))


# --------------------------------------------------------------------------- #
# a. the specification's consumer, unchanged, and a burst of 10,000
# --------------------------------------------------------------------------- #

def phase_spec_consumer(checks: Checks, api: Api, tmp: str, run_id: str, python: str) -> None:
    print("--- a. the specification's pika consumer on crm_data, burst of 10,000", flush=True)
    script = os.path.join(tmp, "spec_consumer.py")
    with open(script, "w", encoding="utf-8") as f:
        f.write(SPEC_CONSUMER)
    output_path = os.path.join(tmp, "spec_consumer.out")
    output = open(output_path, "wb")
    consumer = subprocess.Popen([python, script], stdout=output, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                env={**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        start, end, expected = burst(api, run_id, "spec")
        log(f"burst committed: events {start + 1}..{end} ({len(expected)})")
        wanted = {event["id"] for event in expected.values()}
        received: list[tuple[str, bytes]] = []
        deadline = time.monotonic() + DELIVERY_TIMEOUT
        while time.monotonic() < deadline:
            received = read_spec_output(output_path)
            if wanted <= {message_id for message_id, _ in received}:
                break
            if consumer.poll() is not None:
                break
            time.sleep(0.5)
        ids = [message_id for message_id, _ in received if message_id in wanted]
        checks.check("the specification's consumer ran until stopped", consumer.poll() is None,
                     f"exited with {consumer.returncode}")
        missing = wanted - set(ids)
        checks.check(f"it received every one of the burst's {len(wanted)} events", not missing,
                     f"{len(missing)} missing, e.g. {sample(sorted(missing))}")
        sequence_of = {event["id"]: seq for seq, event in expected.items()}
        order = [sequence_of[i] for i in ids]
        checks.check("in log order, each once", order == sorted(set(order)),
                     f"{len(order) - len(set(order))} repeats; first out of order at "
                     f"{next((k for k in range(1, len(order)) if order[k] <= order[k - 1]), None)}")
        check_bodies(checks, "every body is the log's event as a CloudEvent (cloudevents SDK)", received, expected)
        time.sleep(1.0)
        connection, channel = broker_channel()
        left = channel.queue_declare(queue="crm_data", passive=True).method.message_count
        connection.close()
        checks.check("crm_data is empty: every message was acked", left == 0, f"{left} left")
    finally:
        consumer.send_signal(signal.SIGINT)
        try:
            consumer.wait(timeout=10)
        except subprocess.TimeoutExpired:
            consumer.kill()
        output.close()


def read_spec_output(path: str) -> list[tuple[str, bytes]]:
    """(CloudEvent id, body) of each ' [x] Received b'...'' line the consumer printed."""
    out = []
    with open(path, "rb") as f:
        for line in f.read().decode("utf-8", "replace").splitlines():
            if not line.startswith(" [x] Received "):
                continue
            try:
                body = ast.literal_eval(line[len(" [x] Received "):])
                out.append((json.loads(body)["id"], body))
            except (ValueError, SyntaxError, KeyError, TypeError):
                continue
    return out


# --------------------------------------------------------------------------- #
# b. the broker restarted in the middle of a burst
# --------------------------------------------------------------------------- #

class ReconnectingConsumer(threading.Thread):
    """A pika consumer on a durable queue of its own that reconnects after the broker goes away."""

    def __init__(self, queue: str) -> None:
        super().__init__(name="durable-consumer", daemon=True)
        self.queue = queue
        self.received: list[tuple[str, bytes]] = []
        self.connections = 0
        self.stop = threading.Event()
        self.ready = threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            try:
                connection, channel = broker_channel()
                self.connections += 1
                channel.exchange_declare("rapport.events", exchange_type="topic", durable=True)
                channel.queue_declare(queue=self.queue, durable=True)
                channel.queue_bind(queue=self.queue, exchange="rapport.events", routing_key="#")
                channel.basic_qos(prefetch_count=200)
                self.ready.set()
                for method, properties, body in channel.consume(self.queue, inactivity_timeout=0.5):
                    if self.stop.is_set():
                        break
                    if method is None:
                        continue
                    self.received.append((properties.message_id, body))
                    channel.basic_ack(method.delivery_tag)
                try:
                    connection.close()
                except Exception:  # noqa: BLE001 - closing a dead connection
                    pass
            except (pika.exceptions.AMQPError, OSError):
                time.sleep(0.5)


def rabbitmqctl(binary: str, *arguments: str) -> None:
    result = subprocess.run([binary, *arguments], capture_output=True, text=True, timeout=120)
    if result.returncode != 0:
        raise TestAbort(f"rabbitmqctl {' '.join(arguments)} failed: {result.stderr.strip()[:300]}")


def phase_broker_restart(checks: Checks, api: Api, run_id: str, ctl: str) -> None:
    print("--- b. broker restarted in the middle of a burst", flush=True)
    connection, channel = broker_channel()
    channel.queue_delete(queue=DURABLE_QUEUE)
    connection.close()
    consumer = ReconnectingConsumer(DURABLE_QUEUE)
    consumer.start()
    if not consumer.ready.wait(30):
        raise TestAbort("the durable consumer did not start")
    outcome: dict = {}

    def post() -> None:
        try:
            outcome["burst"] = burst(api, run_id, "restart")
        except Exception as e:  # noqa: BLE001
            outcome["error"] = e

    poster = threading.Thread(target=post, daemon=True)
    start = api.head()
    poster.start()
    while api.head() < start + BURST // 3 and poster.is_alive():
        time.sleep(0.1)
    log(f"restarting the broker at event {api.head()}")
    rabbitmqctl(ctl, "stop_app")
    time.sleep(2.0)
    rabbitmqctl(ctl, "start_app")
    log("broker back")
    poster.join()
    if "error" in outcome:
        raise outcome["error"]
    _, end, expected = outcome["burst"]
    wanted = {event["id"] for event in expected.values()}
    deadline = time.monotonic() + DELIVERY_TIMEOUT
    while time.monotonic() < deadline and not wanted <= {i for i, _ in consumer.received}:
        time.sleep(0.5)
    consumer.stop.set()
    consumer.join(timeout=10)
    ids = [i for i, _ in consumer.received if i in wanted]
    missing = wanted - set(ids)
    checks.check(f"after the restart every one of the burst's {len(wanted)} events arrived", not missing,
                 f"{len(missing)} missing, e.g. {sample(sorted(missing))}")
    log(f"{len(ids) - len(set(ids))} duplicates (at least once), consumer connected {consumer.connections} times")
    checks.check("the consumer had to reconnect (the broker really went away)", consumer.connections >= 2,
                 f"{consumer.connections} connections")
    by_id = {event["id"]: (seq, event["subject"]) for seq, event in expected.items()}
    first_seen: dict[str, list[int]] = {}
    seen: set[str] = set()
    for message_id in ids:
        if message_id in seen:
            continue
        seen.add(message_id)
        seq, subject = by_id[message_id]
        first_seen.setdefault(subject, []).append(seq)
    disorder = [subject for subject, seqs in first_seen.items() if seqs != sorted(seqs)]
    checks.check("after dedupe by CloudEvent id, each customer's events in log order", not disorder, sample(disorder))
    check_bodies(checks, "every body is the log's event as a CloudEvent (cloudevents SDK)", consumer.received, expected)
    checks.check("the publisher is connected again", wait_publisher_connected(api) == "connected")



# --------------------------------------------------------------------------- #
# c. interactions from a pika publisher into Rapport
# --------------------------------------------------------------------------- #

INBOUND_MESSAGES = 10_000


def inbound_messages(channel_id: str, run_id: str) -> tuple[list[tuple[str | None, bytes, str | None]], set[str], set[str]]:
    """(message id, body, type) to publish; the valid messages' external ids; the malformed messages' ids."""
    messages: list[tuple[str | None, bytes, str | None]] = []
    valid: set[str] = set()
    malformed: set[str] = set()
    for i in range(INBOUND_MESSAGES):
        message_id = f"in-{run_id}-{i}"
        external_id = f"inbound-{run_id}-{i}"
        payload = {"channel_id": channel_id, "identity": f"email:inbound-{run_id}-{i % 50}@example.com",
                   "kind": "message", "direction": "inbound", "body": f"inbound message {i}", "external_id": external_id}
        kind = i % 200
        if kind == 7:
            messages.append((message_id, b"{not json", None))
        elif kind == 8:
            del payload["channel_id"]
            messages.append((message_id, json.dumps(payload).encode(), None))
        elif kind == 9:
            messages.append((message_id, json.dumps(payload).encode(), "no.such.type"))
        else:
            messages.append((message_id, json.dumps(payload).encode(), "interaction"))
            valid.add(external_id)
            continue
        malformed.add(message_id)
    return messages, valid, malformed


def stored_external_ids(api: Api, channel_id: str) -> list[str]:
    out: list[str] = []
    cursor = None
    while True:
        path = f"/v1/interactions?channel_id={channel_id}&limit=500" + (f"&cursor={cursor}" if cursor else "")
        page = api.get_json(path)
        out += [item.get("external_id") for item in page.get("data") or []]
        cursor = page.get("next_cursor")
        if not cursor:
            return out


def phase_inbound(checks: Checks, api: Api, run_id: str, queue: str) -> None:
    print(f"--- c. a pika publisher sends {INBOUND_MESSAGES} interactions into {queue}", flush=True)
    channel_id = api.post_json("/v1/channels", {"kind": "api", "name": f"amqp-inbound-{run_id}"})["id"]
    messages, valid, malformed = inbound_messages(channel_id, run_id)
    # A message without a message id: malformed too, found in the dead letters by its body.
    anonymous_body = json.dumps({"channel_id": channel_id, "identity": "email:anonymous@example.com", "kind": "message",
                                 "external_id": f"anonymous-{run_id}"}).encode()
    connection, channel = broker_channel()
    channel.confirm_delivery()
    for message_id, body, kind in messages:
        channel.basic_publish(exchange="", routing_key=queue, body=body,
                              properties=pika.BasicProperties(message_id=message_id, type=kind, delivery_mode=2,
                                                              content_type="application/json"))
    # Publishers retry: 200 valid messages again, same id and body.
    resent = [m for m in messages if m[2] == "interaction"][:200]
    for message_id, body, kind in resent:
        channel.basic_publish(exchange="", routing_key=queue, body=body,
                              properties=pika.BasicProperties(message_id=message_id, type=kind, delivery_mode=2))
    channel.basic_publish(exchange="", routing_key=queue, body=anonymous_body, properties=pika.BasicProperties(delivery_mode=2))
    log(f"published {len(messages) + len(resent) + 1} messages ({len(malformed) + 1} malformed, {len(resent)} resent)")
    deadline = time.monotonic() + DELIVERY_TIMEOUT
    stored: list[str] = []
    while time.monotonic() < deadline:
        stored = stored_external_ids(api, channel_id)
        left = channel.queue_declare(queue=queue, passive=True).method.message_count
        if len(stored) >= len(valid) and left == 0:
            break
        time.sleep(1.0)
    missing = valid - set(stored)
    checks.check(f"every valid interaction ({len(valid)}) is stored", not missing, f"{len(missing)} missing, e.g. {sample(sorted(missing))}")
    checks.check("each exactly once (resent messages were not stored again)", len(stored) == len(set(stored)) and set(stored) <= valid,
                 f"{len(stored)} stored, {len(set(stored))} distinct, {len(set(stored) - valid)} unexpected")
    time.sleep(1.0)
    left = channel.queue_declare(queue=queue, passive=True).method.message_count
    checks.check("the inbound queue is empty: every message was acked", left == 0, f"{left} left")
    dead: dict[str, str] = {}
    anonymous_reason = ""
    for method, properties, body in channel.consume(f"{queue}.dead-letter", inactivity_timeout=2.0):
        if method is None:
            break
        reason = str((properties.headers or {}).get("x-rapport-error", ""))
        if properties.message_id:
            dead[properties.message_id] = reason
        elif body == anonymous_body:
            anonymous_reason = reason
        channel.basic_ack(method.delivery_tag)
    channel.cancel()
    checks.check(f"every malformed message ({len(malformed)}) is in {queue}.dead-letter", malformed <= set(dead),
                 f"{len(malformed - set(dead))} missing, e.g. {sample(sorted(malformed - set(dead)))}")
    checks.check("and nothing else", set(dead) <= malformed, sample(sorted(set(dead) - malformed)))
    no_reason = [message_id for message_id, reason in dead.items() if not reason]
    checks.check("each dead letter says why in x-rapport-error", not no_reason and bool(anonymous_reason), sample(no_reason))
    named = [reason for message_id, reason in dead.items() if message_id.endswith(tuple(f"-{i}" for i in range(8, INBOUND_MESSAGES, 200)))]
    checks.check("a missing field is named in the reason", bool(named) and all("channel_id" in reason for reason in named), sample(named))
    checks.check("the message without a message id is a dead letter too", bool(anonymous_reason), anonymous_reason)
    log(f"dead-letter reasons, e.g.: {sample(sorted(set(dead.values())), 3)}")
    channel.queue_purge(queue=f"{queue}.dead-letter")
    connection.close()


def run(args, checks: Checks, box: dict) -> None:
    tmp = box["tmp"]
    if args.database_url:
        storage = ["--database-url", args.database_url]
        log(f"storage: PostgreSQL ({redact(args.database_url)})")
    else:
        data_dir = os.path.join(tmp, "data")
        os.makedirs(data_dir)
        storage = ["--data-dir", data_dir]
        log(f"storage: SQLite in {data_dir}")
    connection, channel = broker_channel()
    channel.queue_delete(queue="crm_data")
    connection.close()
    inbound = f"rapport_interop_inbound_{int(time.time())}"
    server = Server(os.path.abspath(args.binary), storage, free_port(), os.path.join(tmp, "server.log"),
                    extra_args=["--amqp-url", BROKER_URL, "--amqp-queue", "crm_data", "--amqp-inbound-queue", inbound])
    box["server"] = server
    run_id = f"{int(time.time())}{random.randrange(16**4):04x}"
    key = server.create_key()
    server.start()
    log(f"server ready in {server.wait_ready():.1f}s")
    api = Api(server.port, key)
    wait_publisher_connected(api)
    phase_spec_consumer(checks, api, tmp, run_id, sys.executable)
    phase_broker_restart(checks, api, run_id, args.rabbitmqctl)
    wait_inbound_connected(api)
    phase_inbound(checks, api, run_id, inbound)
    connection, channel = broker_channel()
    channel.queue_delete(queue=inbound)
    channel.queue_delete(queue=f"{inbound}.dead-letter")
    connection.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--binary", required=True)
    parser.add_argument("--database-url")
    parser.add_argument("--rabbitmqctl", default=shutil.which("rabbitmqctl") or "/usr/sbin/rabbitmqctl")
    parser.add_argument("--keep-temp", action="store_true")
    args = parser.parse_args()
    checks = Checks()
    box: dict = {"tmp": tempfile.mkdtemp(prefix="rapport-amqp-interop-"), "server": None}
    t0 = time.monotonic()
    try:
        run(args, checks, box)
    except Exception as e:  # noqa: BLE001 - anything unexpected is a failure
        traceback.print_exc()
        checks.check("test completed without unexpected errors", False, f"{type(e).__name__}: {e}")
    finally:
        if box["server"] is not None:
            box["server"].cleanup()
    server = box["server"]
    if checks.failed and server is not None:
        print(f"--- server log tail ({server.log_path}) ---\n{server.log_tail()}--- end of server log ---", flush=True)
    if checks.failed or args.keep_temp:
        print(f"temp dir kept: {box['tmp']}", flush=True)
    else:
        shutil.rmtree(box["tmp"], ignore_errors=True)
    log(f"total {time.monotonic() - t0:.1f}s")
    print(f"{checks.passed} passed, {checks.failed} failed", flush=True)
    return 1 if checks.failed else 0


if __name__ == "__main__":
    sys.exit(main())
