#!/usr/bin/env python3
"""Crash test of Rapport's outgoing mail: kill -9 while replies are being handed to the relay sends
no reply twice, and leaves none waiting.

Starts an `aiosmtpd` relay in this process (plain SMTP; its DATA handler records the envelope and
the Message-ID, then answers 250 after `await asyncio.sleep(0.02)`, so that a kill can land between
the end of a message and the relay's answer) and `rapport serve --mail-relay smtp://127.0.0.1:<relay>`
on a temp SQLite data dir (or a given PostgreSQL), then:

1. N customers (default 300) mail the channel with smtplib: N conversations.
2. N replies are POSTed to /v1/conversations/{id}/email-replies (each must get 201) while the relay
   holds every sending session at MAIL FROM; then the relay lets them through.
3. When the relay has received about a third of them (--kill-after, default N/3), the server is
   SIGKILLed from the relay's DATA handler, before that message's 250 goes out.
4. Restart on the same storage; poll the API (deadline --drain-timeout, default 120 s) until no
   reply is queued or deferred.
5. Checks: the relay saw no Message-ID twice; every reply is `sent` or `unconfirmed`; every `sent`
   reply reached the relay exactly once; reported: how many are unconfirmed and how many of those
   the relay has. SIGTERM then exits 0.

One PASS/FAIL line per check, then `N passed, N failed`; exit status 1 when a check failed, with
the tail of the server log. Needs aiosmtpd (scripts/interop/requirements.txt).

    .venv-interop/bin/python scripts/mail_out_crash_test.py --binary .build/debug/rapport
    .venv-interop/bin/python scripts/mail_out_crash_test.py --binary .build/debug/rapport \\
        --database-url postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import concurrent.futures
import email.utils
import os
import random
import shutil
import signal
import smtplib
import sys
import tempfile
import threading
import time
import traceback
import urllib.parse
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser

from aiosmtpd.controller import Controller

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "interop"))
from testkit import Checks, free_port, redact, sample  # noqa: E402
from mail_interop import Api, Server, TestAbort, quit_quietly  # noqa: E402

CLIENT_NAME = "crash-client.example"
SMTP_TIMEOUT = 30.0
VISIBLE_TIMEOUT = 60.0        # how long the mailed-in messages may take to be listed
RELAY_TIMEOUT = 120.0         # how long the relay may take to receive the kill threshold
KILLED_EXIT_TIMEOUT = 10.0
POLL = 0.5
WORKERS = 6
WAITING = ("queued", "deferred")


def log(msg: str) -> None:
    print(f"[mail-out-crash {time.strftime('%H:%M:%S')}] {msg}", flush=True)


def bare(message_id) -> str:
    return str(message_id or "").strip().strip("<>")


def parallel(fn, items, workers: int = WORKERS) -> list:
    with concurrent.futures.ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(fn, items))


class Relay:
    """Plain SMTP, no AUTH. Sessions wait at MAIL FROM until `open()`; the DATA handler records
    (envelope, Message-ID), calls `on_received(count)` and answers 250 after 20 ms."""

    def __init__(self) -> None:
        self.port = free_port()
        self.lock = threading.Lock()
        self.received: list[tuple[str, list[str], str]] = []   # (MAIL FROM, RCPT TO, Message-ID)
        self.answered: set[str] = set()                         # Message-IDs whose 250 was written
        self.on_received = None
        self.gate: asyncio.Event | None = None
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port, server_hostname="relay.crash.example")

    def start(self) -> None:
        self.controller.start()
        self.gate = asyncio.Event()

    def open(self) -> None:
        self.controller.loop.call_soon_threadsafe(self.gate.set)

    def stop(self) -> None:
        try:
            self.controller.stop()
        except Exception:  # noqa: BLE001 - best effort
            pass

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        await self.gate.wait()
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 2.1.0 OK"

    async def handle_DATA(self, server, session, envelope):
        headers = BytesParser(policy=policy.default).parsebytes(envelope.original_content or b"", headersonly=True)
        mid = bare(headers.get("Message-ID"))
        with self.lock:
            self.received.append((envelope.mail_from, list(envelope.rcpt_tos), mid))
            count = len(self.received)
        if self.on_received is not None:
            self.on_received(count)
        await asyncio.sleep(0.02)
        with self.lock:
            self.answered.add(mid)
        return "250 2.0.0 OK: queued"

    def count(self) -> int:
        with self.lock:
            return len(self.received)

    def message_ids(self) -> list[str]:
        with self.lock:
            return [mid for _, _, mid in self.received]


# --------------------------------------------------------------------------- #

def mail_in(smtp_port: int, messages: list[EmailMessage]) -> list[str]:
    """Sends `messages` over one connection; the problems (empty when every one got 250)."""
    problems: list[str] = []
    client = smtplib.SMTP("127.0.0.1", smtp_port, local_hostname=CLIENT_NAME, timeout=SMTP_TIMEOUT)
    try:
        for msg in messages:
            try:
                client.send_message(msg)
            except smtplib.SMTPException as e:
                problems.append(f"{msg['Message-ID']}: {type(e).__name__}: {e}")
    finally:
        quit_quietly(client)
    return problems


def make_conversations(checks: Checks, api: Api, server: Server, run_id: str, address: str, channel_id: str,
                       count: int) -> list[tuple[str, str]]:
    """`count` customers mail in; [(conversation id, customer address)] in order."""
    messages, mids, customers = [], [], []
    for i in range(count):
        who = f"c{i:04d}-{run_id}@example.com"
        mid = f"in-{i:04d}-{run_id}@crash-client.example"
        msg = EmailMessage()
        msg["From"] = email.utils.formataddr((f"Cliente {i}", who))
        msg["To"] = address
        msg["Subject"] = f"Pedido {i} — 订单 {run_id}"
        msg["Date"] = email.utils.formatdate(localtime=True)
        msg["Message-ID"] = f"<{mid}>"
        msg.set_content(f"Olá, sobre o pedido {i}.\n")
        messages.append(msg)
        mids.append(mid)
        customers.append(who)
    t0 = time.monotonic()
    chunks = [messages[k::4] for k in range(4)]
    problems = [p for part in parallel(lambda chunk: mail_in(server.smtp_port, chunk), chunks, 4) for p in part]
    checks.check(f"{count} customers' mails answered 250", not problems, sample(problems, 3))
    log(f"{count} mails in over 4 connections in {time.monotonic() - t0:.1f}s")

    deadline = time.monotonic() + VISIBLE_TIMEOUT
    while True:
        listed = {i.get("external_id"): i for i in api.interactions(channel_id=channel_id)}
        if all(m in listed for m in mids) or time.monotonic() >= deadline:
            break
        time.sleep(POLL)
    missing = [m for m in mids if m not in listed]

    def conversation(mid: str) -> tuple[str, str]:
        item = listed.get(mid)
        if item is None:
            return "", "not listed"
        found = api.conversations(item["customer_id"])
        return (found[0]["id"], "") if len(found) == 1 else ("", f"{len(found)} conversations")

    found = parallel(conversation, mids)
    problems = [f"{mids[i]}: {why}" for i, (cid, why) in enumerate(found) if not cid]
    checks.check(f"{count} conversations, one per customer", not missing and not problems
                 and len({cid for cid, _ in found}) == count, sample(problems, 3))
    return [(cid, customers[i]) for i, (cid, _) in enumerate(found)]


def post_replies(checks: Checks, api: Api, conversations: list[tuple[str, str]], run_id: str) -> list[dict]:
    def post(i: int) -> dict | str:
        cid = conversations[i][0]
        status, parsed = api.json("POST", f"/v1/conversations/{urllib.parse.quote(cid)}/email-replies",
                                  {"text": f"Resposta {i} ({run_id}): o pedido {i} já saiu."})
        if status != 201 or not isinstance(parsed, dict):
            return f"reply {i}: HTTP {status} {str(parsed)[:200]}"
        return parsed

    t0 = time.monotonic()
    results = parallel(post, range(len(conversations)))
    problems = [r for r in results if isinstance(r, str)]
    records = [r for r in results if isinstance(r, dict)]
    checks.check(f"{len(conversations)} replies POSTed, each 201", not problems, sample(problems, 3))
    log(f"{len(records)} replies queued in {time.monotonic() - t0:.1f}s")
    return records


def statuses(api: Api, records: list[dict]) -> dict[str, dict]:
    """mail id -> its delivery, read now."""
    def one(record: dict) -> tuple[str, dict]:
        status, parsed = api.json("GET", f"/v1/mail-messages/{record['id']}")
        if status != 200 or not isinstance(parsed, dict):
            return record["id"], {"status": f"HTTP {status}"}
        return record["id"], parsed.get("delivery") or {}
    return dict(parallel(one, records))


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
    relay = Relay()
    relay.start()
    box["relay"] = relay
    server = Server(os.path.abspath(args.binary), storage, os.path.join(tmp, "server.log"))
    box["server"] = server
    run_id = f"{int(time.time())}{random.SystemRandom().randrange(16**4):04x}"
    kill_after = args.kill_after or max(1, args.replies // 3)
    log(f"run {run_id}; relay 127.0.0.1:{relay.port}; SIGKILL at the relay's {kill_after}th message; server log {server.log_path}")
    key = server.create_key()
    server.key = key
    serve_args = ["--mail-relay", f"smtp://127.0.0.1:{relay.port}", "--smtp-sender-rate", "1000000",
                  "--smtp-hostname", f"mx-{run_id}.crash.example"]
    server.start("first", serve_args)
    log(f"server: HTTP ready in {server.wait_ready():.1f}s, SMTP answering {server.wait_smtp():.1f}s after that")
    api = Api(server.port, key)
    address = f"support-{run_id}@crash.example"
    channel = api.post_json("/v1/channels", {"kind": "email", "name": f"Mail out crash {run_id}", "settings": {"address": address}})

    print(f"--- {args.replies} conversations", flush=True)
    conversations = make_conversations(checks, api, server, run_id, address, channel["id"], args.replies)
    if any(not cid for cid, _ in conversations):
        raise TestAbort("not every customer has a conversation to answer")

    print(f"--- {args.replies} replies, the relay holding them at MAIL FROM", flush=True)
    killed = threading.Event()
    kill_info: dict = {}
    pid = server.proc.pid

    def on_received(count: int) -> None:
        if count >= kill_after and not killed.is_set():
            os.kill(pid, signal.SIGKILL)
            kill_info.update(at=count, answered=len(relay.answered), time=time.monotonic())
            killed.set()

    relay.on_received = on_received
    records = post_replies(checks, api, conversations, run_id)
    if not records:
        raise TestAbort("no reply was queued")
    by_mid = {r.get("message_id"): r for r in records}
    t0 = time.monotonic()
    relay.open()
    if not killed.wait(RELAY_TIMEOUT):
        log(f"the relay received {relay.count()} in {RELAY_TIMEOUT:.0f}s, not {kill_after}; killing the server now")
        server.proc.kill()
    try:
        rc = server.proc.wait(timeout=KILLED_EXIT_TIMEOUT)
    except Exception:  # noqa: BLE001
        rc = None
    relay.on_received = None
    if killed.is_set():
        log(f"SIGKILL {kill_info['time'] - t0:.2f}s after the relay opened, at its {kill_info['at']}th message "
            f"({kill_info['answered']} answered 250 by then)")
    checks.check(f"the server was SIGKILLed when the relay had about a third ({kill_after})",
                 killed.is_set() and rc == -signal.SIGKILL, f"exit status {rc}, {kill_info}")
    at_kill = relay.count()

    print("--- restart on the same storage", flush=True)
    server.start("restarted", serve_args)
    log(f"server: HTTP ready in {server.wait_ready():.1f}s, SMTP answering {server.wait_smtp():.1f}s after that")
    api = Api(server.port, key)
    t0 = time.monotonic()
    deadline = t0 + args.drain_timeout
    rounds = 0
    current = statuses(api, records)
    while True:
        rounds += 1
        waiting = [i for i, d in current.items() if d.get("status") in WAITING]
        if not waiting or time.monotonic() >= deadline:
            break
        time.sleep(POLL)
        # Only the waiting ones: sent, unconfirmed, bounced and failed stay as they are.
        current.update(statuses(api, [r for r in records if r["id"] in set(waiting)]))
    took = time.monotonic() - t0
    counts = collections.Counter(d.get("status") for d in current.values())
    log(f"after {took:.1f}s ({rounds} polls): {dict(counts)}; the relay has {relay.count()} messages ({at_kill} at the kill)")
    stuck = [f"{i}: {current[i]}" for i in waiting]
    checks.check(f"within {args.drain_timeout:.0f}s of the restart no reply is queued or deferred", not waiting,
                 f"{len(waiting)} still waiting: " + sample(stuck, 3))

    seen = collections.Counter(relay.message_ids())
    twice = {mid: n for mid, n in seen.items() if n > 1}
    checks.check("the relay saw no Message-ID twice", not twice, sample([f"{m} x{n}" for m, n in twice.items()], 5))
    others = [s for s in current.items() if s[1].get("status") not in ("sent", "unconfirmed")]
    checks.check("every reply is sent or unconfirmed", not others,
                 sample([f"{i}: {d.get('status')} ({d.get('note')})" for i, d in others], 3))
    sent = [r for r in records if current[r["id"]].get("status") == "sent"]
    not_once = [f"{r['message_id']}: {seen.get(r['message_id'], 0)}" for r in sent if seen.get(r["message_id"], 0) != 1]
    checks.check(f"every sent reply ({len(sent)}) reached the relay exactly once", not not_once, sample(not_once, 3))
    unconfirmed = [r for r in records if current[r["id"]].get("status") == "unconfirmed"]
    at_relay = [r for r in unconfirmed if seen.get(r["message_id"], 0) >= 1]
    log(f"unconfirmed: {len(unconfirmed)}, of which the relay has {len(at_relay)}")
    strangers = [m for m in seen if m not in by_mid]
    if strangers:  # a queue left over on a shared database by an earlier run; not this run's concern
        log(f"note: the relay also received {len(strangers)} messages that are not this run's: {sample(strangers, 3)}")
    checks.check("at least one reply is unconfirmed (the kill landed between an end of data and its answer)",
                 len(unconfirmed) >= 1 and len(at_relay) >= 1, f"{len(unconfirmed)} unconfirmed, {len(at_relay)} at the relay")

    print("--- SIGTERM", flush=True)
    rc, took = server.terminate()
    checks.check("SIGTERM: the server exits 0", rc == 0, f"exit status {rc} after {took:.1f}s")


def parse_args(argv=None):
    ap = argparse.ArgumentParser(description="Rapport outgoing mail SIGKILL test: never sent twice")
    ap.add_argument("--binary", required=True, help="path to the rapport executable")
    ap.add_argument("--database-url", default=None, help="PostgreSQL URL (default: SQLite in a temp dir)")
    ap.add_argument("--replies", type=int, default=300, help="conversations and replies")
    ap.add_argument("--kill-after", type=int, default=0, help="SIGKILL at the relay's Nth message (default: a third)")
    ap.add_argument("--drain-timeout", type=float, default=120.0,
                    help="seconds after the restart until no reply may be queued or deferred")
    ap.add_argument("--keep", "--keep-temp", dest="keep", action="store_true", help="keep the temp dir (server log, data)")
    args = ap.parse_args(argv)
    if args.replies < 3:
        ap.error("--replies must be at least 3")
    if not (os.path.isfile(args.binary) and os.access(args.binary, os.X_OK)):
        ap.error(f"--binary {args.binary!r} is not an executable file")
    return args


def _interrupt(signum, frame) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def main(argv=None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, _interrupt)  # a CI timeout still stops the server
    checks = Checks()
    box: dict = {"tmp": tempfile.mkdtemp(prefix="rapport-mail-out-crash-"), "server": None, "relay": None}
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
        if box["relay"] is not None:
            box["relay"].stop()
    server = box["server"]
    if (checks.failed or crashed) and server is not None:
        print(f"--- server log tail ({server.log_path}) ---\n{server.log_tail()}--- end of server log ---", flush=True)
    if checks.failed or args.keep:
        print(f"temp dir kept: {box['tmp']}", flush=True)
    else:
        shutil.rmtree(box["tmp"], ignore_errors=True)
    log(f"total {time.monotonic() - t0:.1f}s")
    print(f"{checks.passed} passed, {checks.failed} failed", flush=True)
    return 1 if checks.failed else 0


if __name__ == "__main__":
    sys.exit(main())
