#!/usr/bin/env python3
"""Interop test of Rapport's event delivery with client libraries this project did not write.

Starts its own `rapport serve` (temp data dir or a given PostgreSQL, a free port, private
webhooks allowed, a short retry schedule), makes an admin key and checks:

a. Server-Sent Events (`sseclient-py` over `requests`): a burst of 10,000 events, followed live,
   arrives complete and in order; a disconnect midway resumed with `Last-Event-ID` leaves no gap
   and no duplicate; every message parses with the `cloudevents` SDK into the event the log holds.
b. WebSocket (`websockets`): the same burst, with a reconnect midway resumed with `after`;
   a filter narrows; a bad filter and a bad message are answered with an error message.
c. Webhooks (`standardwebhooks`, `cloudevents`): a receiver that answers 503 + Retry-After: 1
   to its first attempts, then 200; every delivery verifies and parses, every event arrives
   once after dedupe by webhook-id, each customer's in sequence order, and the delivery log
   shows the failed attempts. A receiver answering 410 disables its subscription for good.
d. Bad filters: problem+json naming the field, for subscriptions and for the SSE stream.

One line per check, then a final line `N passed, N failed`; exit status 1 when a check failed.

    .venv-interop/bin/python scripts/interop/events_interop.py --binary .build/debug/rapport
    .venv-interop/bin/python scripts/interop/events_interop.py --binary .build/debug/rapport \\
        --database-url postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import http.client
import http.server
import json
import os
import random
import shutil
import signal
import string
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from testkit import Checks, free_port, redact, sample  # noqa: E402

try:
    import requests
    import sseclient
    import standardwebhooks
    import websockets
    from cloudevents.core.bindings.http import HTTPMessage, from_http_event
    from cloudevents.core.formats.json import JSONFormat
    from cloudevents.core.v1.event import CloudEvent
    from websockets.asyncio.client import connect as ws_connect
except ImportError as missing:  # pragma: no cover - environment problem, reported as a failure
    print(f"  FAIL client libraries importable: {missing} "
          "(pip install -r scripts/interop/requirements.txt)", flush=True)
    print("0 passed, 1 failed", flush=True)
    sys.exit(1)

HTTP_TIMEOUT = 30.0
READY_TIMEOUT = 90.0
SHUTDOWN_TIMEOUT = 15.0
CATCH_UP_TIMEOUT = 90.0      # readers' time to reach the end of the burst once it is posted
WEBHOOK_TIMEOUT = 60.0       # time for every webhook to be delivered
DISABLE_TIMEOUT = 30.0       # time for a 410 answer to disable its subscription
RETRY_DELAYS = "0,100ms,100ms,200ms,500ms,1s,1s,2s,2s,5s,5s"
FLAKY_ATTEMPTS = 3           # the webhook receiver answers 503 to this many attempts first
WEBHOOK_CUSTOMERS = 6
SUBSCRIPTION_TAG = "events-interop"
BURST_CUSTOMERS = 40
LOG_TAIL_LINES = 60


class TestAbort(Exception):
    """A problem that makes going on pointless."""


# --------------------------------------------------------------------------- #
# Check bookkeeping and output
# --------------------------------------------------------------------------- #


def log(msg: str) -> None:
    print(f"[interop {time.strftime('%H:%M:%S')}] {msg}", flush=True)


def to_int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def random_word(rng: random.Random, n: int = 8) -> str:
    return "".join(rng.choice(string.ascii_lowercase) for _ in range(n))


# --------------------------------------------------------------------------- #
# The server under test
# --------------------------------------------------------------------------- #

class Server:
    def __init__(self, binary: str, storage: list[str], port: int, log_path: str, extra_args: list[str] | None = None) -> None:
        self.binary = binary
        self.storage = storage
        self.extra_args = extra_args or []
        self.port = port
        self.log_path = log_path
        self.proc: subprocess.Popen | None = None
        self.key: str | None = None

    def _append_log(self, text: str) -> None:
        with open(self.log_path, "a", encoding="utf-8") as f:
            f.write(text)

    def create_key(self) -> str:
        self._append_log(f"\n===== interop: keys create ({time.strftime('%H:%M:%S')}) =====\n")
        res = subprocess.run([self.binary, "keys", "create", "--role", "admin", "--name", "events-interop",
                              *self.storage], capture_output=True, text=True, timeout=180)
        self._append_log(res.stderr)
        lines = [ln.strip() for ln in res.stdout.splitlines() if ln.strip()]
        if res.returncode != 0 or not lines:
            self._append_log(res.stdout)
            raise TestAbort(f"'rapport keys create' exited with {res.returncode}")
        self.key = lines[-1]
        return self.key

    def start(self) -> None:
        self._append_log(f"\n===== interop: serve ({time.strftime('%H:%M:%S')}) =====\n")
        cmd = [self.binary, "serve", "--host", "127.0.0.1", "--port", str(self.port), *self.storage,
               "--webhooks-allow-private", "--webhook-retry-delays", RETRY_DELAYS, *self.extra_args]
        with open(self.log_path, "ab") as logf:
            self.proc = subprocess.Popen(cmd, stdout=logf, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        log(f"server started (pid {self.proc.pid}, port {self.port})")

    def wait_ready(self) -> float:
        assert self.proc is not None
        t0 = time.monotonic()
        last = ""
        while time.monotonic() - t0 < READY_TIMEOUT:
            if self.proc.poll() is not None:
                raise TestAbort(f"server exited with {self.proc.returncode} before it was ready")
            conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
            try:
                conn.request("GET", "/health/ready")
                resp = conn.getresponse()
                resp.read()
                if resp.status == 200:
                    return time.monotonic() - t0
                last = f"HTTP {resp.status}"
            except (OSError, http.client.HTTPException) as e:
                last = f"{type(e).__name__}: {e}"
            finally:
                conn.close()
            time.sleep(0.1)
        raise TestAbort(f"server not ready after {READY_TIMEOUT:.0f}s (last: {last})")

    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def terminate(self, timeout: float = SHUTDOWN_TIMEOUT) -> tuple[int | None, float]:
        """SIGTERM, then the exit status (None if still running after `timeout`) and the time taken."""
        assert self.proc is not None
        t0 = time.monotonic()
        if self.running():
            self.proc.send_signal(signal.SIGTERM)
        try:
            rc = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            rc = None
        return rc, time.monotonic() - t0

    def cleanup(self) -> None:
        """SIGTERM, then SIGKILL: never leaves the server behind."""
        if not self.running():
            return
        try:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait(timeout=SHUTDOWN_TIMEOUT)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                pass
        except OSError:
            pass

    def log_tail(self) -> str:
        try:
            with open(self.log_path, encoding="utf-8", errors="replace") as f:
                tail = "".join(f.readlines()[-LOG_TAIL_LINES:])
        except OSError as e:
            return f"(cannot read {self.log_path}: {e})"
        return tail.replace(self.key, "<api-key>") if self.key else tail


# --------------------------------------------------------------------------- #
# The JSON API (stdlib HTTP, one connection per thread)
# --------------------------------------------------------------------------- #

class Api:
    def __init__(self, port: int, key: str) -> None:
        self.port = port
        self.key = key
        self.local = threading.local()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _connection(self) -> http.client.HTTPConnection:
        conn = getattr(self.local, "conn", None)
        if conn is None:
            conn = self.local.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=HTTP_TIMEOUT)
        return conn

    def request(self, method: str, path: str, body=None):
        """(status, lower-cased headers, parsed JSON or None, text); one retry on a stale connection."""
        payload = json.dumps(body).encode() if body is not None else None
        headers = {"Authorization": f"Bearer {self.key}", "Accept": "application/json"}
        if payload is not None:
            headers["Content-Type"] = "application/json"
        for attempt in (1, 2):
            conn = self._connection()
            try:
                conn.request(method, path, body=payload, headers=headers)
                resp = conn.getresponse()
                raw = resp.read()
                break
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                conn.close()
                self.local.conn = None
                if attempt == 2:
                    raise
        text = raw.decode("utf-8", errors="replace")
        try:
            parsed = json.loads(text) if text else None
        except ValueError:
            parsed = None
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, parsed, text

    def get_json(self, path: str) -> dict:
        status, _, parsed, text = self.request("GET", path)
        if status != 200 or not isinstance(parsed, dict):
            raise TestAbort(f"GET {path} -> HTTP {status}: {text[:300]}")
        return parsed

    def post_json(self, path: str, body: dict, expect: int = 201) -> dict:
        status, _, parsed, text = self.request("POST", path, body)
        if status != expect or not isinstance(parsed, dict):
            raise TestAbort(f"POST {path} -> HTTP {status}: {text[:300]}")
        return parsed

    def head(self) -> int:
        """The sequence of the newest event in the log."""
        consumers = self.get_json("/v1/consumers").get("data") or []
        for consumer in consumers:
            value = to_int(consumer.get("head"))
            if value is not None:
                return value
        after = 0
        while True:  # no consumer yet: page to the end
            page = self.get_json(f"/v1/events?after={after}&limit=1000")
            data = page.get("data") or []
            if data:
                after = max(after, to_int(data[-1].get("sequence")) or after)
            cursor = to_int(page.get("next_cursor"))
            if cursor is None or cursor <= after and not data:
                return after
            after = max(after, cursor)

    def events_between(self, start: int, end: int) -> dict[int, dict]:
        """The log's events with start < sequence <= end, by sequence."""
        out: dict[int, dict] = {}
        after = start
        while after < end:
            page = self.get_json(f"/v1/events?after={after}&limit=1000")
            data = page.get("data") or []
            for event in data:
                seq = to_int(event.get("sequence"))
                if seq is not None and start < seq <= end:
                    out[seq] = event
            cursor = to_int(page.get("next_cursor"))
            if cursor is None or cursor <= after:
                break
            after = cursor
        return out


def post_interactions(api: Api, payloads: list[dict], threads: int) -> list[str]:
    """Posts every payload from several threads; returns the problems (empty when all were stored)."""
    lock = threading.Lock()
    queue = iter(range(len(payloads)))
    problems: list[str] = []
    done = [0]

    def worker() -> None:
        while True:
            with lock:
                i = next(queue, None)
            if i is None:
                return
            try:
                status, _, body, text = api.request("POST", "/v1/interactions", payloads[i])
                ok = status in (200, 201) and isinstance(body, dict) and body.get("id")
                reason = "" if ok else f"HTTP {status}: {text[:160]}"
            except (OSError, http.client.HTTPException) as e:
                reason = f"{type(e).__name__}: {e}"
            with lock:
                if reason:
                    problems.append(f"#{i} {reason}")
                done[0] += 1
                if done[0] % 2500 == 0:
                    print(f"  ... {done[0]} interactions posted", flush=True)

    pool = [threading.Thread(target=worker, name=f"poster-{k}", daemon=True) for k in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    return problems


def interaction_payloads(channel_id: str, identities: list[str], count: int, tag: str) -> list[dict]:
    return [{
        "channel_id": channel_id,
        "identity": identities[i % len(identities)],
        "kind": "message",
        "direction": "inbound",
        "body": f"{tag} message {i}",
        "external_id": f"{tag}-{i}",
    } for i in range(count)]


# --------------------------------------------------------------------------- #
# CloudEvents: what the SDK makes of a message, compared with the log
# --------------------------------------------------------------------------- #

JSON_FORMAT = JSONFormat()


def compare_cloudevent(parsed, logged: dict) -> str:
    """'' when the SDK's event has the logged id, type, source, specversion, subject and sequence."""
    pairs = [("id", parsed.get_id(), logged.get("id")),
             ("type", parsed.get_type(), logged.get("type")),
             ("source", parsed.get_source(), logged.get("source")),
             ("specversion", parsed.get_specversion(), logged.get("specversion")),
             ("subject", parsed.get_subject(), logged.get("subject")),
             ("sequence", to_int(parsed.get_extension("sequence")), to_int(logged.get("sequence")))]
    wrong = [f"{name} {got!r} != {want!r}" for name, got, want in pairs if got != want]
    if parsed.get_data() != logged.get("data"):
        wrong.append("data differs")
    return "; ".join(wrong)


def parse_json_cloudevent(text: str):
    return JSON_FORMAT.read(CloudEvent, text)


# --------------------------------------------------------------------------- #
# a. Server-Sent Events reader (sseclient-py over requests)
# --------------------------------------------------------------------------- #

class _StoppableChunks:
    """The response's chunks as they arrive; ends when `stop()` says so (heartbeats wake it)."""

    def __init__(self, response, stop) -> None:
        self.response = response
        self.stop = stop

    def __iter__(self):
        for chunk in self.response.iter_content(chunk_size=None):
            yield chunk
            if self.stop():
                return

    def close(self) -> None:
        self.response.close()


class SSEReader(threading.Thread):
    def __init__(self, api: Api, start: int, disconnect_after: int) -> None:
        super().__init__(name="sse-reader", daemon=True)
        self.api = api
        self.start_after = start
        self.disconnect_after = disconnect_after
        self.messages: list[tuple[str | None, str, str, int]] = []  # (id, event, data, connection)
        self.last: int | None = None
        self.target_end: int | None = None
        self.deadline: float | None = None
        self.abort = threading.Event()
        self.connections = 0
        self.resumed_from: int | None = None       # Last-Event-ID of the planned reconnect
        self.unplanned_ends: list[str] = []
        self.errors: list[str] = []

    def finished(self) -> bool:
        if self.abort.is_set():
            return True
        if self.deadline is not None and time.monotonic() > self.deadline:
            return True
        return self.target_end is not None and self.last is not None and self.last >= self.target_end

    def run(self) -> None:
        session = requests.Session()
        url = self.api.base + "/v1/events/stream"
        planned_done = False
        try:
            while not self.finished() and self.connections < 20:
                headers = {"Authorization": f"Bearer {self.api.key}", "Accept": "text/event-stream"}
                params = {"heartbeat": "1"}
                if self.last is None:
                    params["after"] = str(self.start_after)
                else:
                    headers["Last-Event-ID"] = str(self.last)
                self.connections += 1
                try:
                    resp = session.get(url, params=params, headers=headers, stream=True, timeout=(10, 30))
                except requests.RequestException as e:
                    self.errors.append(f"connect #{self.connections}: {type(e).__name__}: {e}")
                    time.sleep(0.5)
                    continue
                if resp.status_code != 200:
                    self.errors.append(f"HTTP {resp.status_code}: {resp.text[:200]}")
                    resp.close()
                    return
                planned = False
                try:
                    for event in sseclient.SSEClient(_StoppableChunks(resp, self.finished)).events():
                        self.messages.append((event.id, event.event, event.data, self.connections))
                        seq = to_int(event.id)
                        if seq is not None:
                            self.last = seq
                        if not planned_done and len(self.messages) >= self.disconnect_after:
                            planned = planned_done = True
                            self.resumed_from = self.last
                            break
                        if self.finished():
                            break
                except requests.RequestException as e:
                    self.unplanned_ends.append(f"{type(e).__name__} after {self.last}")
                finally:
                    resp.close()
                if not planned and not self.finished():
                    self.unplanned_ends.append(f"stream ended after {self.last}")
        except Exception as e:  # noqa: BLE001 - reported by the checks
            self.errors.append(f"{type(e).__name__}: {e}")


# --------------------------------------------------------------------------- #
# b. WebSocket reader (websockets)
# --------------------------------------------------------------------------- #

def ws_url(api: Api) -> str:
    return f"ws://127.0.0.1:{api.port}/v1/events/ws"


def ws_headers(api: Api) -> dict[str, str]:
    return {"Authorization": f"Bearer {api.key}"}


def route_missing(error: BaseException) -> int | None:
    """The HTTP status when the server refused the upgrade (e.g. 404: no such route)."""
    if isinstance(error, websockets.exceptions.InvalidStatus):
        return error.response.status_code
    return None


class WSReader(threading.Thread):
    def __init__(self, api: Api, start: int, disconnect_after: int) -> None:
        super().__init__(name="ws-reader", daemon=True)
        self.api = api
        self.start_after = start
        self.disconnect_after = disconnect_after
        self.events: list[tuple[int | None, dict, int]] = []  # (sequence, message, connection)
        self.acks: list[dict] = []
        self.resumes: list[dict] = []
        self.others: list[dict] = []
        self.last: int | None = None
        self.target_end: int | None = None
        self.deadline: float | None = None
        self.abort = threading.Event()
        self.connections = 0
        self.resumed_from: int | None = None
        self.unplanned_ends: list[str] = []
        self.errors: list[str] = []
        self.refused_status: int | None = None
        self.connected = threading.Event()

    def finished(self) -> bool:
        if self.abort.is_set():
            return True
        if self.deadline is not None and time.monotonic() > self.deadline:
            return True
        return self.target_end is not None and self.last is not None and self.last >= self.target_end

    def run(self) -> None:
        try:
            asyncio.run(self._run())
        except Exception as e:  # noqa: BLE001
            self.errors.append(f"{type(e).__name__}: {e}")
        finally:
            self.connected.set()

    async def _run(self) -> None:
        after = self.start_after
        planned_done = False
        while not self.finished() and self.connections < 20:
            self.connections += 1
            planned = False
            try:
                async with ws_connect(ws_url(self.api), additional_headers=ws_headers(self.api),
                                      open_timeout=10, max_size=2**24, ping_interval=None) as ws:
                    self.connected.set()
                    await ws.send(json.dumps({"type": "subscribe", "id": "s1", "after": str(after)}))
                    while not self.finished():
                        try:
                            raw = await asyncio.wait_for(ws.recv(), timeout=1.0)
                        except asyncio.TimeoutError:
                            continue
                        message = json.loads(raw)
                        kind = message.get("type")
                        if kind == "event":
                            seq = to_int(message.get("sequence"))
                            self.events.append((seq, message, self.connections))
                            if seq is not None:
                                self.last = after = seq
                            if not planned_done and len(self.events) >= self.disconnect_after:
                                planned = planned_done = True
                                self.resumed_from = self.last
                                break
                        elif kind == "subscribed":
                            self.acks.append(message)
                        elif kind == "resume":
                            self.resumes.append(message)
                            resume_after = to_int(message.get("after"))
                            if resume_after is not None:
                                after = resume_after
                            planned = True  # the server asked for it
                            break
                        else:
                            self.others.append(message)
                            if kind == "error":
                                self.errors.append(f"error message: {json.dumps(message)[:300]}")
                                return
            except websockets.exceptions.InvalidStatus as e:
                self.refused_status = route_missing(e)
                self.errors.append(str(e))
                return
            except websockets.exceptions.ConnectionClosed as e:
                self.unplanned_ends.append(f"connection closed ({e}) after {self.last}")
                continue
            except (OSError, asyncio.TimeoutError, websockets.exceptions.InvalidHandshake) as e:
                self.errors.append(f"connect #{self.connections}: {type(e).__name__}: {e}")
                await asyncio.sleep(0.5)
                continue
            if not planned and not self.finished():
                self.unplanned_ends.append(f"ended after {self.last}")


async def ws_exchange(api: Api, messages: list[dict], until, timeout: float) -> list[dict]:
    """Sends `messages` on a new connection and collects what comes back until `until(received)`."""
    received: list[dict] = []
    async with ws_connect(ws_url(api), additional_headers=ws_headers(api), open_timeout=10,
                          max_size=2**24, ping_interval=None) as ws:
        for message in messages:
            await ws.send(json.dumps(message) if isinstance(message, dict) else message)
        deadline = time.monotonic() + timeout
        while not until(received) and time.monotonic() < deadline:
            try:
                raw = await asyncio.wait_for(ws.recv(), timeout=max(0.1, deadline - time.monotonic()))
            except asyncio.TimeoutError:
                break
            received.append(json.loads(raw))
    return received


# --------------------------------------------------------------------------- #
# c. Webhook receivers (stdlib http.server)
# --------------------------------------------------------------------------- #

class Receiver:
    """Records every POST; answers 503 + Retry-After: 1 to the first `fail_first`, then `status`."""

    def __init__(self, status: int, fail_first: int = 0) -> None:
        self.status = status
        self.fail_first = fail_first
        self.lock = threading.Lock()
        self.requests: list[dict] = []  # {"at", "headers", "body", "answered"}
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:  # noqa: N802 - http.server's naming
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                with receiver.lock:
                    answered = 503 if len(receiver.requests) < receiver.fail_first else receiver.status
                    receiver.requests.append({"at": time.monotonic(), "headers": dict(self.headers.items()),
                                              "body": body, "answered": answered, "path": self.path})
                reply = b'{"ok":true}' if answered == 200 else b'{"error":"not now"}'
                self.send_response(answered)
                if answered == 503:
                    self.send_header("Retry-After", "1")
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)

            def log_message(self, *args) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, name=f"receiver-{self.port}", daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    def snapshot(self) -> list[dict]:
        with self.lock:
            return list(self.requests)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


# --------------------------------------------------------------------------- #
# The phases
# --------------------------------------------------------------------------- #

def problem_fields(parsed) -> list[str]:
    if not isinstance(parsed, dict):
        return []
    return [str(e.get("field")) for e in parsed.get("errors") or [] if isinstance(e, dict)]


def phase_bad_filters(checks: Checks, api: Api, sink: str) -> None:
    print("--- d. bad filters", flush=True)
    cases = [
        ("bad CEL filter", [{"cel": "type == "}], lambda f: f == "filters[0].cel"),
        ("unknown filter dialect", [{"regex": {"type": "rapport."}}], lambda f: f.startswith("filters[0]")),
        ("bad attribute in prefix filter", [{"prefix": {"type": 7}}], lambda f: f.startswith("filters[0].prefix")),
    ]
    for label, filters, names_field in cases:
        status, headers, parsed, text = api.request("POST", "/v1/subscriptions", {
            "sink": sink, "filters": filters, "description": f"{SUBSCRIPTION_TAG} bad filter"})
        fields = problem_fields(parsed)
        ok = (status in (400, 422) and headers.get("content-type", "").startswith("application/problem+json")
              and any(names_field(f) for f in fields))
        checks.check(f"subscription with {label} refused with problem+json naming the field", ok,
                     f"HTTP {status} fields {fields}" if ok else f"HTTP {status} {headers.get('content-type')} {text[:240]}")
        if status == 201 and isinstance(parsed, dict) and parsed.get("id"):
            api.request("DELETE", f"/v1/subscriptions/{parsed['id']}")

    resp = requests.get(stream_url(api, {"filter": 'type == "x" &&'}),
                        headers={"Authorization": f"Bearer {api.key}"}, stream=True, timeout=(10, 10))
    try:
        status, ctype = resp.status_code, resp.headers.get("content-type", "")
        body = resp.json() if ctype.startswith("application/problem+json") else None
    except ValueError:
        body = None
    finally:
        resp.close()
    fields = problem_fields(body)
    checks.check("SSE with a bad ?filter= answers problem+json naming 'filter'",
                 status == 400 and ctype.startswith("application/problem+json") and "filter" in fields,
                 f"HTTP {status} {ctype} fields {fields}")


def phase_burst(checks: Checks, api: Api, args, rng: random.Random, run_id: str) -> tuple[int, int, dict]:
    print(f"--- a/b. burst of {args.events} events: SSE and WebSocket following live", flush=True)
    channel = api.post_json("/v1/channels", {"kind": "web", "name": f"interop-burst-{run_id}"})["id"]
    identities = [f"email:{random_word(rng)}.{random_word(rng, 5)}@{random_word(rng, 6)}.example"
                  for _ in range(BURST_CUSTOMERS)]
    # Each interaction makes one event, each new identity one more (its customer).
    payloads = interaction_payloads(channel, identities, args.events - len(identities), f"burst-{run_id}")
    start = api.head()
    log(f"log head before the burst: {start}")

    half = args.events // 2
    sse = SSEReader(api, start, disconnect_after=half)
    ws = WSReader(api, start, disconnect_after=max(1, half - half // 7))
    sse.start()
    ws.start()
    ws.connected.wait(15)

    t0 = time.monotonic()
    problems = post_interactions(api, payloads, args.threads)
    posted = time.monotonic() - t0
    end = api.head()
    log(f"{len(payloads)} interactions posted in {posted:.1f}s ({len(payloads) / posted:.0f}/s); log head {end}")
    checks.check("burst: every interaction POST stored", not problems, sample(problems, 3))
    checks.check(f"burst: the log got at least {args.events} events", end - start >= args.events,
                 f"{end - start} events, sequences {start + 1}..{end}")
    expected = api.events_between(start, end)
    checks.check("burst: GET /v1/events lists every sequence of the burst once",
                 sorted(expected) == list(range(start + 1, end + 1)),
                 f"{len(expected)} listed for {end - start} sequences")

    for reader in (sse, ws):
        reader.deadline = time.monotonic() + CATCH_UP_TIMEOUT
        reader.target_end = end
    sse.join(CATCH_UP_TIMEOUT + 15)
    ws.join(CATCH_UP_TIMEOUT + 15)
    sse.abort.set()
    ws.abort.set()
    log(f"readers done {time.monotonic() - t0 - posted:.1f}s after the last POST")

    check_sse(checks, sse, expected, start, end)
    check_ws_stream(checks, ws, expected, start, end)
    return start, end, expected


def check_sequence_run(checks: Checks, label: str, seqs: list[int | None], start: int, end: int,
                       resumed_from: int | None, connection_of: list[int]) -> None:
    """Complete, in order, no duplicate; the planned reconnect resumed right after its last event."""
    in_range = [s for s in seqs if s is not None and s <= end]
    missing_seq = [s for s in seqs if s is None]
    dups = [s for s, c in collections.Counter(in_range).items() if c > 1]
    out_of_order = [f"{a}->{b}" for a, b in zip(in_range, in_range[1:]) if b <= a]
    missing = sorted(set(range(start + 1, end + 1)) - set(in_range))
    checks.check(f"{label}: every message carries its sequence", not missing_seq, f"{len(missing_seq)} without")
    checks.check(f"{label}: all {end - start} events of the burst received", not missing,
                 f"{len(set(in_range))} received" if not missing else f"missing {sample(missing)}")
    checks.check(f"{label}: in log order", not out_of_order, sample(out_of_order))
    checks.check(f"{label}: no duplicates", not dups, sample(dups))
    if resumed_from is None:
        checks.check(f"{label}: disconnected midway and resumed", False, "the reader never disconnected")
        return
    # The first event of the second connection follows the last event of the first at once.
    first_after = next((s for s, c in zip(seqs, connection_of) if c > 1), None)
    checks.check(f"{label}: resumed after {resumed_from} with no gap and no duplicate",
                 first_after == resumed_from + 1 and start < resumed_from < end,
                 f"first event after the reconnect: {first_after}")


def check_sse(checks: Checks, sse: SSEReader, expected: dict[int, dict], start: int, end: int) -> None:
    print("--- a. SSE checks", flush=True)
    checks.check("SSE: stream opened and read without errors", not sse.errors, sample(sse.errors, 3))
    if sse.unplanned_ends:
        log(f"SSE: unplanned stream ends: {sample(sse.unplanned_ends, 3)}")
    seqs = [to_int(m[0]) for m in sse.messages]
    check_sequence_run(checks, "SSE", seqs, start, end, sse.resumed_from, [m[3] for m in sse.messages])
    bad_parse, mismatched, bad_frame = [], [], []
    for sse_id, event_name, data, _ in sse.messages:
        seq = to_int(sse_id)
        if seq is None or seq > end:
            continue
        try:
            parsed = parse_json_cloudevent(data)
        except Exception as e:  # noqa: BLE001 - any SDK refusal is a failure
            bad_parse.append(f"{seq}: {type(e).__name__}: {str(e)[:100]}")
            continue
        logged = expected.get(seq)
        if logged is None:
            continue
        diff = compare_cloudevent(parsed, logged)
        if diff:
            mismatched.append(f"{seq}: {diff}")
        if event_name != logged.get("type"):
            bad_frame.append(f"{seq}: event: {event_name!r}")
    checks.check("SSE: every message parses with the cloudevents SDK", not bad_parse, sample(bad_parse, 3))
    checks.check("SSE: parsed CloudEvents match the log (id/type/source/specversion/subject/sequence/data)",
                 not mismatched, sample(mismatched, 3))
    checks.check("SSE: 'id:' is the sequence and 'event:' the type", not bad_frame, sample(bad_frame, 3))


def stream_url(api: Api, params: dict[str, str], plus_for_space: bool = False) -> str:
    """The SSE URL with `params` encoded with %20 for spaces, or with '+' as requests and HTML forms do."""
    quote_via = urllib.parse.quote_plus if plus_for_space else urllib.parse.quote
    return api.base + "/v1/events/stream?" + urllib.parse.urlencode(params, quote_via=quote_via)


def phase_sse_filter(checks: Checks, api: Api, expected: dict[int, dict], start: int) -> None:
    wanted = [s for s, e in sorted(expected.items()) if e.get("type") == "rapport.customer.created"]
    limit = max(1, min(25, len(wanted)))
    params = {"after": str(start), "filter": 'type == "rapport.customer.created"', "limit": str(limit), "heartbeat": "1"}
    checks.check("SSE: ?filter= with spaces encoded as '+' (requests' and HTML forms' default) is read as spaces",
                 *sse_filter_status(api, stream_url(api, params, plus_for_space=True)))
    resp = requests.get(stream_url(api, params), headers={"Authorization": f"Bearer {api.key}"},
                        stream=True, timeout=(10, 30))
    got: list[tuple] = []
    error = ""
    try:
        if resp.status_code != 200:
            error = f"HTTP {resp.status_code}: {resp.text[:200]}"
        else:
            for event in sseclient.SSEClient(resp).events():
                got.append((to_int(event.id), event.event))
                if len(got) > limit:
                    break
    except requests.RequestException as e:
        error = f"{type(e).__name__}: {e}"
    finally:
        resp.close()
    checks.check(f"SSE: ?filter= narrows and ?limit={limit} ends the stream after {limit} events",
                 not error and [g[0] for g in got] == wanted[:limit]
                 and all(g[1] == "rapport.customer.created" for g in got),
                 error or f"{len(got)} events, sequences {sample([g[0] for g in got], 3)}")


def sse_filter_status(api: Api, url: str) -> tuple[bool, str]:
    resp = requests.get(url, headers={"Authorization": f"Bearer {api.key}"}, stream=True, timeout=(10, 10))
    try:
        if resp.status_code == 200:
            return True, "HTTP 200"
        return False, f"HTTP {resp.status_code}: {resp.text[:200]}"
    finally:
        resp.close()


def check_ws_stream(checks: Checks, ws: WSReader, expected: dict[int, dict], start: int, end: int) -> None:
    print("--- b. WebSocket checks", flush=True)
    if ws.refused_status is not None:
        checks.check("WebSocket: /v1/events/ws accepts the upgrade", False,
                     f"HTTP {ws.refused_status} (route missing from this build?)")
        return
    checks.check("WebSocket: connected and read without errors", not ws.errors, sample(ws.errors, 3))
    if ws.unplanned_ends:
        log(f"WebSocket: unplanned ends: {sample(ws.unplanned_ends, 3)}")
    if ws.resumes:
        log(f"WebSocket: server sent {len(ws.resumes)} resume message(s): {sample(ws.resumes, 2)}")
    acks_ok = len(ws.acks) >= 2 and all(a.get("id") == "s1" for a in ws.acks) \
        and to_int(ws.acks[0].get("after")) == start
    checks.check("WebSocket: each subscribe answered 'subscribed' with its id and position", acks_ok,
                 sample([json.dumps(a) for a in ws.acks], 3))
    seqs = [e[0] for e in ws.events]
    check_sequence_run(checks, "WebSocket", seqs, start, end, ws.resumed_from, [e[2] for e in ws.events])
    bad_parse, mismatched, bad_frame = [], [], []
    for seq, message, _ in ws.events:
        if seq is None or seq > end:
            continue
        if message.get("subscription") != "s1":
            bad_frame.append(f"{seq}: subscription {message.get('subscription')!r}")
        try:
            parsed = parse_json_cloudevent(json.dumps(message.get("event")))
        except Exception as e:  # noqa: BLE001
            bad_parse.append(f"{seq}: {type(e).__name__}: {str(e)[:100]}")
            continue
        logged = expected.get(seq)
        if logged is not None:
            diff = compare_cloudevent(parsed, logged)
            if diff:
                mismatched.append(f"{seq}: {diff}")
    checks.check("WebSocket: every event parses with the cloudevents SDK", not bad_parse, sample(bad_parse, 3))
    checks.check("WebSocket: parsed CloudEvents match the log", not mismatched, sample(mismatched, 3))
    checks.check("WebSocket: event messages name their subscription", not bad_frame, sample(bad_frame, 3))


def exchange(api: Api, messages: list, until, timeout: float) -> tuple[list[dict], str]:
    """ws_exchange run to completion: (messages received, '' or what went wrong)."""
    try:
        return asyncio.run(ws_exchange(api, messages, until, timeout)), ""
    except Exception as e:  # noqa: BLE001 - reported by the check that needed it
        status = route_missing(e)
        return [], (f"HTTP {status} (route missing from this build?)" if status else f"{type(e).__name__}: {e}")


def phase_ws_protocol(checks: Checks, api: Api, expected: dict[int, dict], start: int, end: int) -> None:
    """Filter, bad filter, bad message and unsubscribe, each on its own connection."""
    print("--- b. WebSocket protocol checks", flush=True)
    wanted = [s for s, e in sorted(expected.items()) if e.get("type") == "rapport.customer.created"]

    def all_wanted(received):
        return set(wanted) <= {to_int(m.get("sequence")) for m in received if m.get("type") == "event"}
    received, error = exchange(api, [{"type": "subscribe", "id": "f1", "after": str(start),
                                      "filter": 'type == "rapport.customer.created"'}], all_wanted, 30)
    events = [m for m in received if m.get("type") == "event"]
    got = [to_int(m.get("sequence")) for m in events if (to_int(m.get("sequence")) or 0) <= end]
    wrong_type = [m.get("sequence") for m in events if (m.get("event") or {}).get("type") != "rapport.customer.created"]
    checks.check("WebSocket: a filter narrows to the matching events", not error and got == wanted and not wrong_type,
                 error or f"{len(got)} of {end - start} events, expected {len(wanted)}; other types {sample(wrong_type, 3)}")

    def any_error(received):
        return any(m.get("type") == "error" for m in received)
    received, error = exchange(api, [{"type": "subscribe", "id": "bad1", "after": "0", "filter": 'type == "x" &&'}],
                               any_error, 15)
    errors = [m for m in received if m.get("type") == "error"]
    problem = errors[0].get("problem") if errors else None
    names_filter = isinstance(problem, dict) and ("filter" in problem_fields(problem)
                                                  or str(problem.get("detail", "")).startswith("filter"))
    checks.check("WebSocket: a bad filter is answered with an error naming 'filter'",
                 bool(errors) and errors[0].get("id") == "bad1" and names_filter,
                 error or (json.dumps(errors[0])[:300] if errors else f"no error message; got {sample(received, 2)}"))

    received, error = exchange(api, [{"type": "frobnicate", "id": "x1"}, "not json"],
                               lambda r: sum(m.get("type") == "error" for m in r) >= 2, 15)
    errors = [m for m in received if m.get("type") == "error"]
    checks.check("WebSocket: an unknown message type and a non-JSON message are each answered with an error",
                 len(errors) == 2 and errors[0].get("id") == "x1"
                 and all(isinstance(m.get("problem"), dict) for m in errors),
                 error or "; ".join(json.dumps(m)[:160] for m in errors) or f"got {sample(received, 2)}")

    received, error = exchange(api, [{"type": "subscribe", "id": "u1"}, {"type": "unsubscribe", "id": "u1"}],
                               lambda r: any(m.get("type") == "unsubscribed" for m in r), 15)
    kinds = [m.get("type") for m in received]
    ok = kinds[:1] == ["subscribed"] and any(m.get("type") == "unsubscribed" and m.get("id") == "u1" for m in received)
    checks.check("WebSocket: subscribe without 'after', then unsubscribe, is answered 'subscribed', 'unsubscribed'",
                 not error and ok, error or f"messages {kinds}")


def phase_webhooks(checks: Checks, api: Api, rng: random.Random, run_id: str) -> None:
    print("--- c. webhooks", flush=True)
    flaky = Receiver(200, fail_first=FLAKY_ATTEMPTS)
    gone = Receiver(410)
    created: list[str] = []
    try:
        channel = api.post_json("/v1/channels", {"kind": "web", "name": f"interop-webhooks-{run_id}"})["id"]
        filters = [{"prefix": {"type": "rapport.interaction."}}]
        sub = api.post_json("/v1/subscriptions", {"sink": flaky.url, "filters": filters,
                                                  "description": f"{SUBSCRIPTION_TAG} {run_id} flaky"})
        created.append(sub["id"])
        sub_gone = api.post_json("/v1/subscriptions", {"sink": gone.url, "filters": filters,
                                                       "description": f"{SUBSCRIPTION_TAG} {run_id} gone"})
        created.append(sub_gone["id"])
        secret = sub.get("secret") or ""
        checks.check("subscription response shows a whsec_ secret", secret.startswith("whsec_")
                     and str(sub_gone.get("secret", "")).startswith("whsec_"))
        h0 = api.head()
        identities = [f"email:{random_word(rng)}@{random_word(rng, 6)}.example" for _ in range(WEBHOOK_CUSTOMERS)]
        first = interaction_payloads(channel, identities, WEBHOOK_CUSTOMERS * 5, f"hook1-{run_id}")
        problems = post_interactions(api, first, 3)

        # The 410 receiver disables its subscription.
        t0 = time.monotonic()
        status = None
        while time.monotonic() - t0 < DISABLE_TIMEOUT:
            status = api.get_json(f"/v1/subscriptions/{sub_gone['id']}")
            if status.get("status") == "disabled":
                break
            time.sleep(0.2)
        disabled = isinstance(status, dict) and status.get("status") == "disabled"
        checks.check("410 Gone disables the subscription", disabled,
                     f"after {time.monotonic() - t0:.1f}s: status {status.get('status') if status else None}, "
                     f"reason {status.get('disabled_reason') if status else None!r}")
        h_disabled = api.head()
        time.sleep(1.0)  # attempts already under way when it was disabled may still land
        gone_before = len(gone.snapshot())

        second = interaction_payloads(channel, identities, WEBHOOK_CUSTOMERS * 10, f"hook2-{run_id}")
        problems += post_interactions(api, second, 3)
        checks.check("webhooks: every interaction POST stored", not problems, sample(problems, 3))
        h_end = api.head()
        expected = {s: e for s, e in api.events_between(h0, h_end).items()
                    if str(e.get("type", "")).startswith("rapport.interaction.")}
        want_ids = {e["id"] for e in expected.values()}
        log(f"webhooks: {len(expected)} interaction events to deliver (sequences {h0 + 1}..{h_end})")

        # Wait for every event at the flaky receiver, and for the delivery log to settle.
        t0 = time.monotonic()
        deliveries: list[dict] = []
        while time.monotonic() - t0 < WEBHOOK_TIMEOUT:
            accepted = {header(r, "webhook-id") for r in flaky.snapshot() if r["answered"] == 200}
            if want_ids <= accepted:
                deliveries = api.get_json(f"/v1/subscriptions/{sub['id']}/deliveries?limit=1000").get("data") or []
                if deliveries and all(d.get("status") == "delivered" for d in deliveries):
                    break
            time.sleep(0.25)
        log(f"webhooks: deliveries done in {time.monotonic() - t0:.1f}s")
        time.sleep(1.0)  # a late (wrong) delivery to the disabled subscription would land now
        check_flaky_receiver(checks, flaky, secret, expected, deliveries,
                             api.get_json(f"/v1/subscriptions/{sub['id']}"))
        check_gone_receiver(checks, api, gone, sub_gone, h_disabled, gone_before)
    finally:
        flaky.close()
        gone.close()
        for sid in created:
            try:
                api.request("DELETE", f"/v1/subscriptions/{sid}")
            except (OSError, http.client.HTTPException):
                pass


def header(request: dict, name: str) -> str | None:
    for key, value in request["headers"].items():
        if key.lower() == name:
            return value
    return None


def check_flaky_receiver(checks: Checks, flaky: Receiver, secret: str, expected: dict[int, dict],
                         deliveries: list[dict], subscription: dict) -> None:
    requests_seen = flaky.snapshot()
    hook = standardwebhooks.Webhook(secret) if secret else None
    unverified, unparsed, mismatched, wrong_ctype = [], [], [], []
    by_id = {e["id"]: (s, e) for s, e in expected.items()}
    accepted_order: list[tuple[str, int, str]] = []  # (subject, sequence, id) of 2xx answers, in arrival order
    attempts_by_id: dict[str, list[dict]] = collections.defaultdict(list)
    for r in requests_seen:
        wid = header(r, "webhook-id") or ""
        attempts_by_id[wid].append(r)
        try:
            hook.verify(r["body"], r["headers"])
        except Exception as e:  # noqa: BLE001 - any verification failure counts
            unverified.append(f"{wid}: {type(e).__name__}: {e}")
        try:
            event = from_http_event(HTTPMessage(headers=r["headers"], body=r["body"]))
        except Exception as e:  # noqa: BLE001
            unparsed.append(f"{wid}: {type(e).__name__}: {str(e)[:100]}")
            continue
        if not (header(r, "content-type") or "").startswith("application/cloudevents+json"):
            wrong_ctype.append(f"{wid}: {header(r, 'content-type')}")
        if event.get_id() != wid:
            mismatched.append(f"webhook-id {wid} but CloudEvent id {event.get_id()}")
            continue
        logged = by_id.get(wid)
        if logged is None:
            mismatched.append(f"{wid}: not an expected event ({event.get_type()})")
            continue
        diff = compare_cloudevent(event, logged[1])
        if diff:
            mismatched.append(f"{wid}: {diff}")
        if r["answered"] == 200:
            accepted_order.append((event.get_subject() or "", logged[0], wid))

    checks.check(f"webhooks: every delivery verifies with standardwebhooks ({len(requests_seen)} requests)",
                 bool(requests_seen) and not unverified, sample(unverified, 3))
    checks.check("webhooks: every delivery parses with cloudevents from_http as application/cloudevents+json",
                 bool(requests_seen) and not unparsed and not wrong_ctype, sample(unparsed + wrong_ctype, 3))
    checks.check("webhooks: webhook-id is the CloudEvent id and the events match the log",
                 not mismatched, sample(mismatched, 3))

    first_seen: dict[str, tuple[str, int]] = {}
    for subject, seq, wid in accepted_order:
        first_seen.setdefault(wid, (subject, seq))
    missing = sorted(by_id[i][0] for i in set(by_id) - set(first_seen))
    redelivered = len(accepted_order) - len(first_seen)
    checks.check(f"webhooks: after dedupe by webhook-id every one of {len(by_id)} events exactly once",
                 not missing and set(first_seen) == set(by_id),
                 f"{redelivered} accepted more than once" if not missing else f"missing sequences {sample(missing)}")
    per_subject: dict[str, list[int]] = collections.defaultdict(list)
    seen_ids = set()
    for subject, seq, wid in accepted_order:
        if wid not in seen_ids:
            seen_ids.add(wid)
            per_subject[subject].append(seq)
    disorder = [f"{subj}: {a}->{b}" for subj, seqs in per_subject.items() for a, b in zip(seqs, seqs[1:]) if b <= a]
    checks.check(f"webhooks: each customer's events arrive in sequence order ({len(per_subject)} customers)",
                 len(per_subject) >= 2 and not disorder, sample(disorder, 3))

    refused = [r for r in requests_seen if r["answered"] == 503]
    early = []
    for r in refused:
        wid = header(r, "webhook-id")
        later = [x["at"] for x in attempts_by_id[wid] if x["at"] > r["at"]]
        if not later:
            early.append(f"{wid}: never retried")
        elif min(later) - r["at"] < 0.9:
            early.append(f"{wid}: retried after {min(later) - r['at']:.2f}s")
    checks.check(f"webhooks: the {len(refused)} attempts answered 503 were retried, "
                 "honouring Retry-After: 1", len(refused) == FLAKY_ATTEMPTS and not early, sample(early, 3))

    attempts = sum(to_int(d.get("attempts")) or 0 for d in deliveries)
    statuses = collections.Counter(d.get("status") for d in deliveries)
    retried = [d for d in deliveries if (to_int(d.get("attempts")) or 0) > 1]
    checks.check("webhooks: delivery log lists each event delivered",
                 len(deliveries) == len(by_id) and statuses.get("delivered") == len(by_id)
                 and {d.get("event_id") for d in deliveries} == set(by_id), f"statuses {dict(statuses)}")
    checks.check("webhooks: delivery log shows the failed attempts",
                 attempts == len(requests_seen) and attempts - len(deliveries) == len(refused)
                 and len(retried) >= 1 and all(d.get("last_status") == 200 for d in retried),
                 f"{attempts} attempts logged for {len(deliveries)} deliveries, {len(requests_seen)} requests "
                 f"received, {len(refused)} refused")
    checks.check("webhooks: the flaky receiver's subscription stays active", subscription.get("status") == "active",
                 f"status {subscription.get('status')}")


def check_gone_receiver(checks: Checks, api: Api, gone: Receiver, sub_gone: dict, h_disabled: int,
                        gone_before: int) -> None:
    seen = gone.snapshot()
    late = []
    for r in seen:
        try:
            seq = to_int(json.loads(r["body"]).get("sequence"))
        except ValueError:
            seq = None
        if seq is None or seq > h_disabled:
            late.append(f"{header(r, 'webhook-id')} (sequence {seq})")
    checks.check("410 receiver got the first delivery", len(seen) >= 1, f"{len(seen)} requests")
    checks.check("disabled subscription gets no further deliveries",
                 not late and len(seen) == gone_before,
                 f"{len(seen)} requests in all, {gone_before} before the disable settled; "
                 f"for later events: {sample(late, 3)}")
    status = api.get_json(f"/v1/subscriptions/{sub_gone['id']}")
    deliveries = api.get_json(f"/v1/subscriptions/{sub_gone['id']}/deliveries?limit=1000").get("data") or []
    answered_410 = [d for d in deliveries if d.get("last_status") == 410]
    delivered = [d for d in deliveries if d.get("status") == "delivered"]
    checks.check("410 subscription stays disabled; its delivery log shows the 410 and nothing delivered",
                 status.get("status") == "disabled" and answered_410 and not delivered,
                 f"status {status.get('status')}, reason {status.get('disabled_reason')!r}, "
                 f"{len(answered_410)} deliveries answered 410, {len(deliveries)} logged")


class ShutdownWatcher(threading.Thread):
    """A WebSocket subscription open while the server shuts down: it should be told where to resume."""

    def __init__(self, api: Api) -> None:
        super().__init__(name="ws-shutdown-watcher", daemon=True)
        self.api = api
        self.subscribed = threading.Event()
        self.messages: list[dict] = []
        self.close_code: int | None = None
        self.error = ""

    def run(self) -> None:
        try:
            asyncio.run(self._run())
        except Exception as e:  # noqa: BLE001
            self.error = f"{type(e).__name__}: {e}"
        finally:
            self.subscribed.set()

    async def _run(self) -> None:
        async with ws_connect(ws_url(self.api), additional_headers=ws_headers(self.api), open_timeout=10,
                              ping_interval=None) as ws:
            await ws.send(json.dumps({"type": "subscribe", "id": "r1"}))
            try:
                async for raw in ws:
                    message = json.loads(raw)
                    self.messages.append(message)
                    if message.get("type") == "subscribed":
                        self.subscribed.set()
            except websockets.exceptions.ConnectionClosed:
                pass
            self.close_code = ws.close_code


def check_shutdown_watcher(checks: Checks, watcher: ShutdownWatcher) -> None:
    """As documented: the server ends its event sockets before its HTTP server stops, so a client
    that reads is told where to resume ('resume' per subscription) and closed with 1001."""
    name = "WebSocket: on SIGTERM the connection closes with 1001 after a 'resume' for the subscription"
    if watcher.error:
        checks.check(name, False, watcher.error)
        return
    acks = [m for m in watcher.messages if m.get("type") == "subscribed"]
    resumes = [m for m in watcher.messages if m.get("type") == "resume"]
    exact = all(m.get("id") == "r1" and to_int(m.get("after")) is not None
                and to_int(m.get("after")) >= (to_int(acks[0].get("after")) or 0) for m in resumes) if acks else False
    ok = bool(acks) and bool(resumes) and exact and watcher.close_code == 1001
    checks.check(name, ok, f"messages {[m.get('type') for m in watcher.messages][-4:]}, "
                 f"resume {resumes[:1]}, close code {watcher.close_code}")


def remove_leftover_subscriptions(api: Api) -> None:
    """A shared PostgreSQL may hold this test's subscriptions from an interrupted run."""
    for sub in api.get_json("/v1/subscriptions").get("data") or []:
        if str(sub.get("description") or "").startswith(SUBSCRIPTION_TAG):
            api.request("DELETE", f"/v1/subscriptions/{sub['id']}")
            log(f"removed leftover subscription {sub['id']}")


# --------------------------------------------------------------------------- #
# Main flow
# --------------------------------------------------------------------------- #

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
    server = Server(os.path.abspath(args.binary), storage, args.port or free_port(),
                    os.path.join(tmp, "server.log"))
    box["server"] = server
    run_id = f"{int(time.time())}{random.randrange(16**4):04x}"
    rng = random.Random(run_id)
    log(f"run {run_id}; server log {server.log_path}")

    key = server.create_key()
    server.start()
    log(f"server ready in {server.wait_ready():.1f}s")
    api = Api(server.port, key)
    remove_leftover_subscriptions(api)

    timings = {}
    t = time.monotonic()
    phase_bad_filters(checks, api, f"http://127.0.0.1:{free_port()}/hook")
    timings["bad filters"] = time.monotonic() - t

    t = time.monotonic()
    start, end, expected = phase_burst(checks, api, args, rng, run_id)
    phase_sse_filter(checks, api, expected, start)
    timings["burst"] = time.monotonic() - t

    t = time.monotonic()
    phase_ws_protocol(checks, api, expected, start, end)
    timings["websocket protocol"] = time.monotonic() - t

    t = time.monotonic()
    phase_webhooks(checks, api, rng, run_id)
    timings["webhooks"] = time.monotonic() - t

    print("--- shutdown", flush=True)
    watcher = ShutdownWatcher(api)
    watcher.start()
    watcher.subscribed.wait(15)
    rc, took = server.terminate()
    watcher.join(SHUTDOWN_TIMEOUT)
    checks.check(f"server exits with status 0 within {SHUTDOWN_TIMEOUT:.0f}s of SIGTERM", rc == 0,
                 f"status {rc} after {took:.1f}s")
    check_shutdown_watcher(checks, watcher)
    log("timings: " + ", ".join(f"{k} {v:.1f}s" for k, v in timings.items()))


def parse_args(argv=None):
    ap = argparse.ArgumentParser(description="Rapport events interop test (SSE, WebSocket, webhooks)")
    ap.add_argument("--binary", required=True, help="path to the rapport executable")
    ap.add_argument("--database-url", default=None, help="PostgreSQL URL (default: SQLite in a temp dir)")
    ap.add_argument("--port", type=int, default=0, help="port to serve on (0 = a free one)")
    ap.add_argument("--events", type=int, default=10_000, help="events in the burst")
    ap.add_argument("--threads", type=int, default=8, help="threads posting the burst")
    ap.add_argument("--keep-temp", action="store_true", help="keep the temp dir (server log, data)")
    args = ap.parse_args(argv)
    if args.events < 2 * BURST_CUSTOMERS:
        ap.error(f"--events must be at least {2 * BURST_CUSTOMERS}")
    if not (os.path.isfile(args.binary) and os.access(args.binary, os.X_OK)):
        ap.error(f"--binary {args.binary!r} is not an executable file")
    return args


def _interrupt(signum, frame) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def main(argv=None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, _interrupt)  # a CI timeout still stops the server
    checks = Checks()
    box: dict = {"tmp": tempfile.mkdtemp(prefix="rapport-interop-"), "server": None}
    t0 = time.monotonic()
    crashed = False
    try:
        run(args, checks, box)
    except KeyboardInterrupt:
        crashed = True
        checks.check("test completed", False, "interrupted")
    except Exception as e:  # noqa: BLE001 - anything unexpected is a failure
        crashed = True
        traceback.print_exc()
        checks.check("test completed without unexpected errors", False, f"{type(e).__name__}: {e}")
    finally:
        if box["server"] is not None:
            box["server"].cleanup()
    server = box["server"]
    if (checks.failed or crashed) and server is not None:
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
