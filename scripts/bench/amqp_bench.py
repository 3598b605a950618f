#!/usr/bin/env python3
"""Benchmark: Rapport's AMQP publisher against pika publishing directly to the same broker.

Prints a markdown table for docs/benchmarks.md. Three measurements in one run, all received by a
pika consumer (manual acks, prefetch 500) on a fresh queue bound to the events exchange:

1. Rapport, backlog: N events are committed while the publisher cannot reach the broker (it is
   given an unused port), then the server restarts with the broker's URL and publishes the backlog
   with confirms in batches. Throughput = events / (last receipt - first receipt).
2. pika, directly: the same N CloudEvent bodies published by one pika BlockingConnection with
   publisher confirms (`confirm_delivery()`, each publish waits for its confirm: pika's blocking
   way), persistent. Throughput as above, and the publisher's own rate.
3. Latency at a steady load: interactions POSTed at `--rate` per second for `--seconds`; for each
   event, receipt time minus the event's commit time (CloudEvent `time`), p50/p99. And pika
   publishing at the same rate: receipt minus publish time.

    .venv-interop/bin/python scripts/bench/amqp_bench.py --binary .build/release/rapport [--database-url URL]
"""
from __future__ import annotations

import argparse
import datetime
import json
import os
import shutil
import sys
import tempfile
import threading
import time

import pika

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "interop"))
from testkit import free_port  # noqa: E402
from events_interop import Api, Server, interaction_payloads, post_interactions  # noqa: E402

BROKER = "amqp://guest:guest@127.0.0.1:5672/"
EXCHANGE = "rapport.events"


class Receiver(threading.Thread):
    """Consumes a fresh queue bound to `exchange`; records (receipt time, body) per message."""

    def __init__(self, queue: str, exchange: str | None) -> None:
        super().__init__(daemon=True)
        self.queue, self.exchange = queue, exchange
        self.received: list[tuple[float, bytes]] = []
        self.ready = threading.Event()
        self.stop = threading.Event()

    def run(self) -> None:
        connection = pika.BlockingConnection(pika.URLParameters(BROKER))
        channel = connection.channel()
        channel.queue_delete(queue=self.queue)
        channel.queue_declare(queue=self.queue)
        if self.exchange:
            channel.exchange_declare(self.exchange, exchange_type="topic", durable=True)
            channel.queue_bind(queue=self.queue, exchange=self.exchange, routing_key="#")
        channel.basic_qos(prefetch_count=500)
        self.ready.set()
        for method, _, body in channel.consume(self.queue, inactivity_timeout=0.2):
            if self.stop.is_set():
                break
            if method is None:
                continue
            self.received.append((time.time(), body))
            channel.basic_ack(method.delivery_tag)
        channel.queue_delete(queue=self.queue)
        connection.close()

    def wait_for(self, count: int, timeout: float = 300.0) -> None:
        deadline = time.monotonic() + timeout
        while len(self.received) < count and time.monotonic() < deadline:
            time.sleep(0.1)
        self.stop.set()
        self.join(timeout=10)


def rate(received: list[tuple[float, bytes]]) -> float:
    if len(received) < 2:
        return 0.0
    return (len(received) - 1) / (received[-1][0] - received[0][0])


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p * (len(ordered) - 1))))]


def event_time(body: bytes) -> float:
    return datetime.datetime.fromisoformat(json.loads(body)["time"].replace("Z", "+00:00")).timestamp()


def start_server(binary: str, storage: list[str], tmp: str, url: str) -> tuple[Server, Api]:
    server = Server(binary, storage, free_port(), os.path.join(tmp, "server.log"),
                    extra_args=["--amqp-url", url, "--log-level", "warning"])
    key = server.key or server.create_key()
    server.start()
    server.wait_ready()
    return server, Api(server.port, key)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--binary", required=True)
    parser.add_argument("--database-url")
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--rate", type=int, default=500)
    parser.add_argument("--seconds", type=float, default=20.0)
    args = parser.parse_args()
    tmp = tempfile.mkdtemp(prefix="rapport-amqp-bench-")
    storage = ["--database-url", args.database_url] if args.database_url else ["--data-dir", os.path.join(tmp, "data")]
    binary = os.path.abspath(args.binary)
    rows = []
    try:
        # 1. Rapport: a backlog committed while the broker was out of reach, then published.
        server, api = start_server(binary, storage, tmp, f"amqp://guest:guest@127.0.0.1:{free_port()}/")
        channel = api.post_json("/v1/channels", {"kind": "web", "name": f"amqp-bench-{time.time()}"})["id"]
        identities = [f"email:amqp-bench-{i}@example.com" for i in range(200)]
        problems = post_interactions(api, interaction_payloads(channel, identities, args.events, f"bench-{time.time()}"), threads=8)
        assert not problems, problems[:3]
        server.cleanup()
        receiver = Receiver("rapport_bench_backlog", EXCHANGE)
        receiver.start()
        receiver.ready.wait(30)
        server, api = start_server(binary, storage, tmp, BROKER)
        receiver.wait_for(args.events)
        backlog = receiver.received
        rows.append(("Rapport publisher, backlog of %d (confirms per batch of 500)" % args.events, len(backlog), rate(backlog), None, None))

        # 2. pika directly, the same bodies, a confirm per publish.
        bodies = [body for _, body in backlog][: args.events]
        receiver = Receiver("rapport_bench_pika", None)
        receiver.start()
        receiver.ready.wait(30)
        connection = pika.BlockingConnection(pika.URLParameters(BROKER))
        publisher = connection.channel()
        publisher.confirm_delivery()
        properties = pika.BasicProperties(content_type="application/cloudevents+json", delivery_mode=2)
        started = time.monotonic()
        for body in bodies:
            publisher.basic_publish(exchange="", routing_key="rapport_bench_pika", body=body, properties=properties)
        publish_seconds = time.monotonic() - started
        receiver.wait_for(len(bodies))
        rows.append(("pika BlockingConnection, confirm per publish (publisher side %.0f/s)" % (len(bodies) / publish_seconds),
                     len(receiver.received), rate(receiver.received), None, None))

        # 3. Latency at a steady rate: Rapport (commit to receipt) and pika (publish to receipt).
        receiver = Receiver("rapport_bench_latency", EXCHANGE)
        receiver.start()
        receiver.ready.wait(30)
        total = int(args.rate * args.seconds)
        payloads = interaction_payloads(channel, identities, total, f"steady-{time.time()}")
        started = time.monotonic()
        for index in range(0, total, max(1, args.rate // 10)):
            chunk = payloads[index: index + max(1, args.rate // 10)]
            assert not post_interactions(api, chunk, threads=4)
            time.sleep(max(0.0, started + (index + len(chunk)) / args.rate - time.monotonic()))
        receiver.wait_for(total)
        latencies = [(received - event_time(body)) * 1000 for received, body in receiver.received]
        rows.append(("Rapport, %d interactions/s offered: commit to pika consumer" % args.rate, len(latencies), rate(receiver.received),
                     percentile(latencies, 0.5), percentile(latencies, 0.99)))

        receiver = Receiver("rapport_bench_pika_latency", None)
        receiver.start()
        receiver.ready.wait(30)
        started = time.monotonic()
        for index, body in enumerate(bodies[:total]):
            stamped = json.dumps({"sent": time.time(), "event": json.loads(body)}).encode()
            publisher.basic_publish(exchange="", routing_key="rapport_bench_pika_latency", body=stamped, properties=properties)
            time.sleep(max(0.0, started + (index + 1) / args.rate - time.monotonic()))
        receiver.wait_for(min(total, len(bodies)))
        latencies = [(received - json.loads(body)["sent"]) * 1000 for received, body in receiver.received]
        rows.append(("pika, %d/s: publish to consumer" % args.rate, len(latencies), rate(receiver.received),
                     percentile(latencies, 0.5), percentile(latencies, 0.99)))
        connection.close()
        server.cleanup()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print("\n| what | messages | received/s | p50 ms | p99 ms |\n|---|---:|---:|---:|---:|")
    for name, count, per_second, p50, p99 in rows:
        print(f"| {name} | {count} | {per_second:,.0f} | {'' if p50 is None else f'{p50:.1f}'} | {'' if p99 is None else f'{p99:.1f}'} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
