#!/usr/bin/env python3
"""The issue's acceptance check "One customer", end to end with clients this project did not write:
an email from `ana@example.com` (Python's `smtplib`), then a web chat where the visitor gives that
address (the `websockets` package), then a call from her phone number already on file (Standard
Webhooks signed with Python's `hmac`) all land on one customer's timeline, in time order.

Starts `rapport serve --smtp-port N` on a temp data dir or a given PostgreSQL, makes an admin key
and three channels: email (`settings.address`), chat (`settings.widget.allowed_origins`
["https://shop.example"]) and phone (`settings.call_webhook_secret`, `whsec_` and base64). Then:

 1. Email: smtplib sends a message From "Ana Lima <ana@example.com>" to the channel's address:
    250; GET /v1/customers/lookup?email= finds the customer (named "Ana Lima") holding
    email:ana@example.com, and the email interaction (kind email, inbound) is hers. POST
    /v1/customers/{id}/identities adds her phone number (+14155550123): 201, now on file.
 2. Chat: a page from another origin is refused the socket (403). From https://shop.example the
    visitor says an anonymous `hello` and is welcomed with a new token (empty history); its
    device identity device:chat-<token> is on a visitor customer of its own. A `message` is
    acknowledged (the same client_id, from visitor) and stored on the visitor's customer. Then
    `identify` with the address as a visitor types it (other letter case): the device identity
    comes to belong to Ana's customer (polled: identify is not acknowledged), the visitor's
    customer answers 307 to hers (`merged_into`), the message sent before identifying is now
    hers, GET /v1/merges lists the merge. A message after identifying is hers; one resent with
    the same client_id is acknowledged with the same id. A reconnect with the token gets both
    messages as history.
 3. Call: a call event without a valid signature is 401. Signed events from her number written
    another way ("+1 (415) 555-0123"): ringing, answered, ended with a duration, each 200 and the
    call on Ana's customer; the ended call has an interaction; the same event again is
    `Idempotent-Replayed: true`. GET /v1/calls/{id} and GET /v1/customers/{id}/calls agree.
 4. The timeline: GET /v1/customers/{id}/timeline holds the email, both chat messages and the
    call, all with her customer id, nothing else; in the order the API promises (occurred_at, then
    id; ascending by default, `order=desc` the reverse) and in the order they happened: email,
    chat, chat, call. Exactly one customer (GET /v1/customers?identity=) holds each of the email,
    the phone and the device identity, and it is hers; her record lists all three.

On a fresh SQLite data dir the address and number are the issue's own (ana@example.com,
+14155550123); on a given PostgreSQL, which earlier runs may have used, they are made unique per
run (ana-<run>@example.com and a number nobody holds yet).

One PASS/FAIL line per check, then `N passed, N failed`; exit status 1 when a check failed, with
the tail of the server log. Standard library and `websockets` (scripts/interop/requirements.txt).
Waits are polls of an observable condition with a deadline, never fixed sleeps.

    .venv-interop/bin/python scripts/interop/one_customer_interop.py --binary .build/debug/rapport
    .venv-interop/bin/python scripts/interop/one_customer_interop.py --binary .build/debug/rapport \\
        --database-url postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable
"""

from __future__ import annotations

import argparse
import base64
import datetime as dt
import email.utils
import hashlib
import hmac
import http.client
import json
import os
import random
import secrets
import shutil
import signal
import smtplib
import sys
import tempfile
import time
import traceback
import urllib.parse
from dataclasses import dataclass, field
from email.message import EmailMessage

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.dirname(HERE))
from testkit import Checks, redact  # noqa: E402
from mail_interop import Api, Client, Server, TestAbort, quit_quietly, queued_id  # noqa: E402

try:
    import websockets
    from websockets.sync.client import connect as ws_connect
except ImportError as missing:  # pragma: no cover - environment problem, reported as a failure
    print(f"  FAIL client libraries importable: {missing} "
          "(pip install -r scripts/interop/requirements.txt)", flush=True)
    print("0 passed, 1 failed", flush=True)
    sys.exit(1)

VISIBLE_TIMEOUT = 10.0            # how long a committed write may take to show on a read
WS_TIMEOUT = 10.0                 # each frame the chat socket owes us
POLL = 0.05
ORIGIN = "https://shop.example"
OTHER_ORIGIN = "https://evil.example"
ANA_NAME = "Ana Lima"
UTC = dt.timezone.utc


def log(msg: str) -> None:
    print(f"[one-customer-interop {time.strftime('%H:%M:%S')}] {msg}", flush=True)


def short(value, n: int = 300) -> str:
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= n else text[:n] + "..."


def instant(value) -> dt.datetime | None:
    """An RFC 3339 time the API answered, as an aware datetime (None if it is not one)."""
    try:
        return dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None


def rfc3339_now() -> str:
    return dt.datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def quote(value: str) -> str:
    return urllib.parse.quote(value, safe="")


def wait_until(probe, done, timeout: float = VISIBLE_TIMEOUT):
    """Calls `probe()` until `done(result)` or the deadline; (last result, reads, seconds waited)."""
    t0 = time.monotonic()
    reads = 0
    while True:
        reads += 1
        result = probe()
        if done(result) or time.monotonic() - t0 >= timeout:
            return result, reads, time.monotonic() - t0
        time.sleep(POLL)


def waited(reads: int, seconds: float) -> str:
    return f"; after {reads} reads, {seconds:.2f}s" if reads > 1 else ""


# --------------------------------------------------------------------------- #
# The API, with requests of our own headers (webhooks carry no API key)
# --------------------------------------------------------------------------- #

class HookApi(Api):
    def send(self, method: str, path: str, body: bytes | None = None, headers: dict[str, str] | None = None,
             auth: bool = True) -> tuple[int, dict[str, str], bytes]:
        all_headers = dict(headers or {})
        if auth:
            all_headers["Authorization"] = f"Bearer {self.key}"
        if body is not None:
            all_headers.setdefault("Content-Type", "application/json")
        for attempt in (1, 2):
            conn = self._connection()
            try:
                conn.request(method, path, body=body, headers=all_headers)
                resp = conn.getresponse()
                return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                conn.close()
                self.local.conn = None
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def send_json(self, method: str, path: str, body: bytes | None = None, headers: dict[str, str] | None = None,
                  auth: bool = True) -> tuple[int, dict[str, str], object]:
        status, response_headers, raw = self.send(method, path, body, headers, auth)
        try:
            parsed = json.loads(raw) if raw else None
        except ValueError:
            parsed = raw[:300]
        return status, response_headers, parsed

    def holder(self, identity: str) -> str | None:
        """The id of the customer GET /v1/customers/lookup?identity= names (None on 404)."""
        status, parsed = self.json("GET", "/v1/customers/lookup?" + urllib.parse.urlencode({"identity": identity}))
        if status == 404:
            return None
        if status != 200 or not isinstance(parsed, dict):
            raise TestAbort(f"lookup of {identity} -> HTTP {status}: {short(parsed)}")
        return parsed.get("id")

    def holders(self, identity: str) -> list[str]:
        """The ids GET /v1/customers?identity= lists."""
        page = self.get_json("/v1/customers?" + urllib.parse.urlencode({"identity": identity, "limit": "100"}))
        return [c.get("id") for c in page.get("data") or [] if isinstance(c, dict)]

    def timeline(self, customer_id: str, order: str | None = None) -> list[dict]:
        """Every interaction of the customer's timeline, page by page, in the order the API gives."""
        out: list[dict] = []
        cursor = None
        for _ in range(100):
            query = {"limit": "100", **({"order": order} if order else {}), **({"cursor": cursor} if cursor else {})}
            page = self.get_json(f"/v1/customers/{quote(customer_id)}/timeline?" + urllib.parse.urlencode(query))
            out += [i for i in page.get("data") or [] if isinstance(i, dict)]
            cursor = page.get("next_cursor")
            if not cursor:
                break
        return out

    def interaction(self, interaction_id: str) -> dict:
        return self.get_json(f"/v1/interactions/{quote(interaction_id)}")


def sign(secret: str, webhook_id: str, timestamp: int, body: bytes) -> str:
    """Standard Webhooks: v1, and the base64 HMAC-SHA256 of "id.timestamp.body" keyed with the
    bytes the whsec_ secret's base64 stands for."""
    key = base64.b64decode(secret.removeprefix("whsec_"))
    mac = hmac.new(key, f"{webhook_id}.{timestamp}.".encode() + body, hashlib.sha256).digest()
    return "v1," + base64.b64encode(mac).decode()


# --------------------------------------------------------------------------- #
# Context
# --------------------------------------------------------------------------- #

@dataclass
class Context:
    checks: Checks
    api: HookApi
    server: Server
    run_id: str
    email: str = ""                  # Ana's address, as stored (lower case)
    phone: str = ""                  # her number in E.164
    phone_written: str = ""          # the same number as the provider writes it
    address: str = ""                # the email channel's address
    email_channel: str = ""
    chat_channel: str = ""
    phone_channel: str = ""
    secret: str = ""
    customer_id: str = ""            # Ana
    email_interaction: dict = field(default_factory=dict)
    token: str = ""                  # the chat visitor's token
    visitor_customer: str = ""       # the visitor's own customer before it identified
    chat_first: dict = field(default_factory=dict)    # the message frames acknowledged
    chat_second: dict = field(default_factory=dict)
    call: dict = field(default_factory=dict)
    timings: dict = field(default_factory=dict)


# --------------------------------------------------------------------------- #
# 0. Channels
# --------------------------------------------------------------------------- #

def setup(ctx: Context, fresh: bool) -> None:
    api = ctx.api
    ctx.address = f"support-{ctx.run_id}@shop.example"
    ctx.email_channel = api.post_json("/v1/channels", {"kind": "email", "name": f"Support {ctx.run_id}",
                                                      "settings": {"address": ctx.address}})["id"]
    ctx.chat_channel = api.post_json("/v1/channels", {"kind": "chat", "name": f"Shop chat {ctx.run_id}",
                                                     "settings": {"widget": {"allowed_origins": [ORIGIN],
                                                                             "greeting": "Olá! Como podemos ajudar?"}}})["id"]
    ctx.secret = "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()
    phone = api.post_json("/v1/channels", {"kind": "phone", "name": f"Hotline {ctx.run_id}",
                                           "settings": {"call_webhook_secret": ctx.secret}})
    ctx.phone_channel = phone["id"]
    if (phone.get("settings") or {}).get("call_webhook_secret") is not None:
        raise TestAbort("the phone channel shows its call_webhook_secret")
    if fresh:
        ctx.email, ctx.phone = "ana@example.com", "+14155550123"
    else:
        # A shared database keeps earlier runs' customers: this run's address and a number nobody holds.
        ctx.email = f"ana-{ctx.run_id}@example.com"
        for _ in range(50):
            candidate = f"+1415{random.randrange(2, 10)}{random.randrange(10**6):06d}"
            if api.holder(f"phone:{candidate}") is None:
                ctx.phone = candidate
                break
        else:
            raise TestAbort("no free phone number found")
    digits = ctx.phone[2:]
    ctx.phone_written = f"+1 ({digits[:3]}) {digits[3:6]}-{digits[6:]}"
    log(f"email channel {ctx.email_channel} ({ctx.address}), chat channel {ctx.chat_channel}, "
        f"phone channel {ctx.phone_channel}; Ana is {ctx.email}, {ctx.phone}")


# --------------------------------------------------------------------------- #
# 1. The email
# --------------------------------------------------------------------------- #

def phase_email(ctx: Context) -> None:
    checks, api = ctx.checks, ctx.api
    msg = EmailMessage()
    msg["From"] = email.utils.formataddr((ANA_NAME, ctx.email))
    msg["To"] = ctx.address
    msg["Subject"] = "Pedido 1234: onde está?"
    msg["Date"] = email.utils.formatdate(localtime=True)
    message_id = f"ana-{ctx.run_id}-{secrets.token_hex(3)}@client.example"
    msg["Message-ID"] = f"<{message_id}>"
    msg.set_content("Olá, o meu pedido 1234 ainda não chegou. Podem verificar?\n\nAna\n")
    client = Client("127.0.0.1", ctx.server.smtp_port)
    try:
        client.ehlo()
        refused = client.send_message(msg)
        code, reply = client.last_reply()
    except smtplib.SMTPException as e:
        raise TestAbort(f"smtplib: {type(e).__name__}: {e}") from e
    finally:
        quit_quietly(client)
    checks.check("smtplib sends Ana's message to the email channel's address: 250 queued as <mail id>",
                 refused == {} and code == 250 and queued_id(reply) is not None,
                 f"{code} {reply.decode('utf-8', 'replace')}; refused {refused!r}")

    found, reads, secs = wait_until(lambda: api.customer_by_email(ctx.email), lambda r: r[0] == 200)
    status, customer = found
    ok = status == 200 and isinstance(customer, dict)
    checks.check(f"GET /v1/customers/lookup?email={ctx.email}: her customer, named {ANA_NAME!r} from the From header",
                 ok and customer.get("name") == ANA_NAME and f"email:{ctx.email}" in (customer.get("identities") or []),
                 f"HTTP {status}: name {customer.get('name') if ok else None!r}, identities "
                 f"{customer.get('identities') if ok else short(customer)}{waited(reads, secs)}")
    if not ok:
        raise TestAbort("no customer for the email")
    ctx.customer_id = customer["id"]
    items = api.interactions(channel_id=ctx.email_channel, external_id=message_id)
    item = items[0] if len(items) == 1 else {}
    checks.check("the message is one email interaction (inbound) on her customer",
                 len(items) == 1 and item.get("customer_id") == ctx.customer_id and item.get("kind") == "email"
                 and item.get("direction") == "inbound",
                 f"{[(i.get('id'), i.get('customer_id'), i.get('kind'), i.get('direction')) for i in items]}")
    ctx.email_interaction = item

    status, _, added = api.send_json("POST", f"/v1/customers/{quote(ctx.customer_id)}/identities",
                                     json.dumps({"identity": f"phone:{ctx.phone}"}).encode())
    ok = status == 201 and isinstance(added, dict)
    checks.check(f"POST /v1/customers/{{id}}/identities phone:{ctx.phone}: 201, her number on file",
                 ok and ctx.phone in (added.get("phones") or []) and f"phone:{ctx.phone}" in (added.get("identities") or []),
                 f"HTTP {status}: phones {added.get('phones') if ok else short(added)}")
    holder = api.holder(f"phone:{ctx.phone}")
    checks.check("GET /v1/customers/lookup?identity=phone:... names her", holder == ctx.customer_id, f"{holder}")


# --------------------------------------------------------------------------- #
# 2. The chat
# --------------------------------------------------------------------------- #

def socket_url(ctx: Context) -> str:
    return f"ws://127.0.0.1:{ctx.server.port}/chat/{quote(ctx.chat_channel)}/socket"


def open_socket(ctx: Context, origin: str):
    return ws_connect(socket_url(ctx), origin=origin, open_timeout=WS_TIMEOUT, close_timeout=5, max_size=2**22)


def receive(ws, want: str, timeout: float = WS_TIMEOUT) -> tuple[dict | None, list[dict]]:
    """Frames until one of type `want` (or the deadline): (that frame or None, the others seen)."""
    deadline = time.monotonic() + timeout
    others: list[dict] = []
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return None, others
        try:
            raw = ws.recv(timeout=left)
        except TimeoutError:
            return None, others
        try:
            frame = json.loads(raw)
        except ValueError:
            others.append({"unparsed": short(raw)})
            continue
        if isinstance(frame, dict) and frame.get("type") == want:
            return frame, others
        others.append(frame)


def say(ws, frame: dict) -> None:
    ws.send(json.dumps(frame))


def chat_message(ctx: Context, ws, client_id: str, text: str, label: str) -> dict:
    """Sends a message frame and returns its acknowledgement (checked)."""
    say(ws, {"type": "message", "client_id": client_id, "text": text})
    ack, others = receive(ws, "message")
    ok = ack is not None and ack.get("client_id") == client_id and ack.get("from") == "visitor" and ack.get("text") == text \
        and str(ack.get("id", "")).startswith("int_") and instant(ack.get("at")) is not None
    ctx.checks.check(f"{label}: acknowledged with a message frame (its id, client_id, from visitor, text, at)", ok,
                     f"{short(ack)}" + (f"; other frames {short(others)}" if others else ""))
    if ack is None:
        raise TestAbort(f"{label} not acknowledged")
    return ack


def phase_chat(ctx: Context) -> None:
    checks, api = ctx.checks, ctx.api
    try:
        with open_socket(ctx, OTHER_ORIGIN) as ws:
            ws.close()
        refused, detail = False, "the handshake succeeded"
    except websockets.exceptions.InvalidStatus as e:
        refused, detail = e.response.status_code == 403, f"HTTP {e.response.status_code}"
    checks.check(f"a page from {OTHER_ORIGIN} (not allowed) is refused the socket: 403", refused, detail)

    with open_socket(ctx, ORIGIN) as ws:
        say(ws, {"type": "hello"})
        welcome, others = receive(ws, "welcome")
        token = str((welcome or {}).get("visitor") or "")
        checks.check(f"from {ORIGIN}: an anonymous hello is welcomed with a new visitor token and no history",
                     welcome is not None and len(token) == 32 and welcome.get("history") == []
                     and welcome.get("greeting") == "Olá! Como podemos ajudar?",
                     f"{short(welcome)}" + (f"; other frames {short(others)}" if others else ""))
        if welcome is None or not token:
            raise TestAbort("no welcome")
        ctx.token = token
        device = f"device:chat-{token}"
        visitor = api.holder(device)
        checks.check("the visitor's device identity is on a customer of its own (not Ana's yet)",
                     visitor is not None and visitor != ctx.customer_id, f"{device} -> {visitor}")
        ctx.visitor_customer = visitor or ""

        t0 = time.monotonic()
        ctx.chat_first = chat_message(ctx, ws, f"c1-{ctx.run_id}", "Oi! Fiz um pedido e queria saber do envio.",
                                      "the visitor's first message (before identifying)")
        first = api.interaction(ctx.chat_first["id"])
        checks.check("it is stored as a chat message on the visitor's customer",
                     first.get("customer_id") == ctx.visitor_customer and first.get("channel_id") == ctx.chat_channel
                     and first.get("kind") == "message" and first.get("direction") == "inbound",
                     f"customer {first.get('customer_id')}, channel {first.get('channel_id')}, kind {first.get('kind')}, "
                     f"direction {first.get('direction')}")

        typed = ctx.email.replace("ana", "Ana", 1).replace("example.com", "Example.COM")
        say(ws, {"type": "identify", "email": typed})
        holder, reads, secs = wait_until(lambda: api.holder(device), lambda h: h == ctx.customer_id)
        ctx.timings["identify to merged"] = secs
        checks.check(f"identify {typed!r}: the device identity comes to belong to Ana's customer",
                     holder == ctx.customer_id, f"{device} -> {holder}, Ana {ctx.customer_id}{waited(reads, secs)}")
        if holder != ctx.customer_id:
            raise TestAbort("the visitor was not joined to Ana")

        ctx.chat_second = chat_message(ctx, ws, f"c2-{ctx.run_id}", "Sou a Ana, o pedido é o 1234.",
                                       "a message after identifying")
        second = api.interaction(ctx.chat_second["id"])
        checks.check("it is stored on Ana's customer", second.get("customer_id") == ctx.customer_id,
                     f"customer {second.get('customer_id')}")
        say(ws, {"type": "message", "client_id": ctx.chat_second["client_id"], "text": ctx.chat_second["text"]})
        again, others = receive(ws, "message")
        checks.check("the same message resent with its client_id is acknowledged with the same id (it lands once)",
                     again is not None and again.get("id") == ctx.chat_second["id"],
                     f"{short(again)}" + (f"; other frames {short(others)}" if others else ""))
        ctx.timings["chat"] = time.monotonic() - t0

    first = api.interaction(ctx.chat_first["id"])
    checks.check("the message sent before identifying is now Ana's (the merge moved it)",
                 first.get("customer_id") == ctx.customer_id, f"customer {first.get('customer_id')}")

    status, headers, raw = api.send("GET", f"/v1/customers/{quote(ctx.visitor_customer)}")
    try:
        body = json.loads(raw) if raw else {}
    except ValueError:
        body = {}
    location = headers.get("location", "")
    checks.check("GET /v1/customers/{visitor's id}: 307 to Ana's customer, merged_into names her",
                 status == 307 and location.endswith(f"/v1/customers/{ctx.customer_id}")
                 and isinstance(body, dict) and body.get("merged_into") == ctx.customer_id,
                 f"HTTP {status}, Location {location!r}, body {short(body)}")

    merges = api.get_json("/v1/merges?" + urllib.parse.urlencode({"customer_id": ctx.customer_id})).get("data") or []
    merge = next((m for m in merges if ctx.visitor_customer in (m.get("absorbed_ids") or [])), None)
    checks.check("GET /v1/merges?customer_id=Ana: the visitor's customer absorbed into hers, its message moved",
                 merge is not None and merge.get("survivor_id") == ctx.customer_id
                 and int(((merge.get("moved") or {}).get("interactions")) or 0) >= 1,
                 f"{short([(m.get('survivor_id'), m.get('absorbed_ids'), m.get('moved')) for m in merges])}")

    customer = api.get_json(f"/v1/customers/{quote(ctx.customer_id)}")
    checks.check("her record after the merge keeps her email and number",
                 ctx.email in (customer.get("emails") or []) and ctx.phone in (customer.get("phones") or []),
                 f"emails {customer.get('emails')}, phones {customer.get('phones')}")
    # The visitor's record was named by the chat ("Visitor <token prefix>") for want of a name: it
    # must not replace the name her email gave.
    checks.check(f"her record after the merge is still named {ANA_NAME!r}, not the visitor's placeholder name",
                 customer.get("name") == ANA_NAME,
                 f"name {customer.get('name')!r}; the merge's decisions {(merge or {}).get('decisions')}")

    with open_socket(ctx, ORIGIN) as ws:
        say(ws, {"type": "hello", "visitor": ctx.token})
        welcome, others = receive(ws, "welcome")
        history = [(h.get("id"), h.get("client_id")) for h in (welcome or {}).get("history") or []]
        checks.check("a reconnect with the token: the same visitor, both messages as history, oldest first",
                     welcome is not None and welcome.get("visitor") == ctx.token
                     and history == [(ctx.chat_first["id"], ctx.chat_first["client_id"]),
                                     (ctx.chat_second["id"], ctx.chat_second["client_id"])],
                     f"visitor {(welcome or {}).get('visitor')}, history {history}"
                     + (f"; other frames {short(others)}" if others else ""))


# --------------------------------------------------------------------------- #
# 3. The call
# --------------------------------------------------------------------------- #

def call_event(ctx: Context, event_id: str, kind: str, extra: dict | None = None, secret: str | None = None,
               signed: bool = True) -> tuple[int, dict[str, str], object]:
    body = {"id": event_id, "call_id": f"CA-{ctx.run_id}", "type": kind, "direction": "inbound",
            "from": ctx.phone_written, "to": "+14155550000", "at": rfc3339_now(), **(extra or {})}
    raw = json.dumps(body).encode()
    headers = {}
    if signed:
        stamp = int(time.time())
        headers = {"webhook-id": event_id, "webhook-timestamp": str(stamp),
                   "webhook-signature": sign(secret or ctx.secret, event_id, stamp, raw)}
    return ctx.api.send_json("POST", f"/hooks/calls/{quote(ctx.phone_channel)}", raw, headers, auth=False)


def phase_call(ctx: Context) -> None:
    checks, api = ctx.checks, ctx.api
    hook = f"/hooks/calls/{ctx.phone_channel}"
    other = "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()
    unsigned, _, _ = call_event(ctx, f"evt-x-{ctx.run_id}", "ringing", signed=False)
    forged, _, _ = call_event(ctx, f"evt-y-{ctx.run_id}", "ringing", secret=other)
    checks.check(f"POST {hook} unsigned, or signed with another secret: 401 both", unsigned == 401 and forged == 401,
                 f"HTTP {unsigned}, {forged}")

    steps = [("ringing", {}), ("answered", {"agent_id": None}), ("ended", {"duration_seconds": 42})]
    ended_id = ""
    for kind, extra in steps:
        event_id = f"evt-{kind}-{ctx.run_id}"
        status, headers, call = call_event(ctx, event_id, kind, {k: v for k, v in extra.items() if v is not None})
        ok = status == 200 and isinstance(call, dict)
        expected = "ended" if kind == "ended" else kind
        checks.check(f"signed {kind} event from {ctx.phone_written!r}: 200, the call {expected} and on Ana's customer",
                     ok and call.get("status") == expected and call.get("customer_id") == ctx.customer_id
                     and call.get("from") == ctx.phone,
                     f"HTTP {status}: " + (f"status {call.get('status')}, customer {call.get('customer_id')}, from {call.get('from')}"
                                           if ok else short(call)))
        if not ok:
            raise TestAbort(f"the {kind} event was not applied")
        ctx.call = call
        ended_id = event_id
    checks.check("the ended call has its duration (42 s) and an interaction",
                 ctx.call.get("duration_seconds") == 42 and str(ctx.call.get("interaction_id") or "").startswith("int_"),
                 f"duration {ctx.call.get('duration_seconds')}, interaction {ctx.call.get('interaction_id')}")

    # The provider retries the last delivery: applied once.
    body = {"id": ended_id, "call_id": f"CA-{ctx.run_id}", "type": "ended", "direction": "inbound", "from": ctx.phone_written,
            "to": "+14155550000", "at": rfc3339_now(), "duration_seconds": 42}
    raw = json.dumps(body).encode()
    stamp = int(time.time())
    status, headers, again = api.send_json("POST", hook, raw, {"webhook-id": ended_id, "webhook-timestamp": str(stamp),
                                                               "webhook-signature": sign(ctx.secret, ended_id, stamp, raw)}, auth=False)
    checks.check("the ended event delivered again: 200, Idempotent-Replayed: true, the same call",
                 status == 200 and headers.get("idempotent-replayed") == "true" and isinstance(again, dict)
                 and again.get("id") == ctx.call.get("id") and again.get("interaction_id") == ctx.call.get("interaction_id"),
                 f"HTTP {status}, Idempotent-Replayed {headers.get('idempotent-replayed')!r}")

    shown = api.get_json(f"/v1/calls/{quote(ctx.call['id'])}")
    checks.check("GET /v1/calls/{id}: ended, Ana's, 42 s, the same interaction",
                 shown.get("status") == "ended" and shown.get("customer_id") == ctx.customer_id
                 and shown.get("duration_seconds") == 42 and shown.get("interaction_id") == ctx.call.get("interaction_id"),
                 f"{short({k: shown.get(k) for k in ('status', 'customer_id', 'duration_seconds', 'interaction_id')})}")
    listed = api.get_json(f"/v1/customers/{quote(ctx.customer_id)}/calls").get("data") or []
    checks.check("GET /v1/customers/{id}/calls lists the call (only it)", [c.get("id") for c in listed] == [ctx.call["id"]],
                 f"{[(c.get('id'), c.get('status')) for c in listed]}")
    interaction = api.interaction(ctx.call["interaction_id"])
    checks.check("the call's interaction: kind call, inbound, on the phone channel, Ana's",
                 interaction.get("kind") == "call" and interaction.get("direction") == "inbound"
                 and interaction.get("channel_id") == ctx.phone_channel and interaction.get("customer_id") == ctx.customer_id,
                 f"{short({k: interaction.get(k) for k in ('kind', 'direction', 'channel_id', 'customer_id')})}")


# --------------------------------------------------------------------------- #
# 4. The timeline
# --------------------------------------------------------------------------- #

def phase_timeline(ctx: Context) -> None:
    checks, api = ctx.checks, ctx.api
    expected = [("email", ctx.email_interaction.get("id")), ("chat before identifying", ctx.chat_first.get("id")),
                ("chat after identifying", ctx.chat_second.get("id")), ("call", ctx.call.get("interaction_id"))]
    items = api.timeline(ctx.customer_id)
    ids = [i.get("id") for i in items]
    missing = [label for label, iid in expected if not iid or iid not in ids]
    checks.check("GET /v1/customers/{id}/timeline holds the email, both chat messages and the call", not missing,
                 f"missing {missing}; timeline {[(i.get('id'), i.get('kind')) for i in items]}")
    checks.check("every timeline item is on Ana's customer id", all(i.get("customer_id") == ctx.customer_id for i in items),
                 f"{sorted({i.get('customer_id') for i in items})}")
    checks.check("the timeline has nothing else (4 interactions: email, message, message, call)",
                 len(items) == 4 and [i.get("kind") for i in items] == ["email", "message", "message", "call"],
                 f"{[(i.get('kind'), i.get('channel_id'), i.get('occurred_at')) for i in items]}")
    keyed = [(instant(i.get("occurred_at")), str(i.get("id"))) for i in items]
    checks.check("in the order the API promises: occurred_at, then id, ascending by default",
                 all(k[0] is not None for k in keyed) and keyed == sorted(keyed),
                 f"{[(i.get('kind'), i.get('occurred_at')) for i in items]}")
    positions = [ids.index(iid) if iid in ids else -1 for _, iid in expected]
    times = {label: next((i.get("occurred_at") for i in items if i.get("id") == iid), None) for label, iid in expected}
    happened = [instant(times[label]) for label, _ in expected]
    checks.check("in the order things happened: email, chat before identifying, chat after, call (occurred_at increasing)",
                 -1 not in positions and positions == sorted(positions) and None not in happened
                 and all(a < b for a, b in zip(happened, happened[1:])),
                 f"positions {positions}, occurred_at {times}")
    newest_first = api.timeline(ctx.customer_id, order="desc")
    checks.check("order=desc gives the same items newest first",
                 [i.get("id") for i in newest_first] == list(reversed(ids)), f"{[i.get('id') for i in newest_first]}")

    for label, identity in (("email", f"email:{ctx.email}"), ("phone", f"phone:{ctx.phone}"),
                            ("device", f"device:chat-{ctx.token}")):
        holders = api.holders(identity)
        checks.check(f"exactly one customer holds the {label} identity ({identity}), Ana's",
                     holders == [ctx.customer_id], f"{holders}")
    customer = api.get_json(f"/v1/customers/{quote(ctx.customer_id)}")
    identities = customer.get("identities") or []
    checks.check("her record lists all three identities",
                 all(x in identities for x in (f"email:{ctx.email}", f"phone:{ctx.phone}", f"device:chat-{ctx.token}")),
                 f"{identities}")


# --------------------------------------------------------------------------- #
# Main flow
# --------------------------------------------------------------------------- #

def phase(ctx: Context, title: str, fn, *args) -> bool:
    """Runs one group of checks; an unexpected error fails the group. True when it ran to the end."""
    print(f"--- {title}", flush=True)
    if not ctx.server.running():
        ctx.checks.check(f"{title}: server running", False, "the server is not running")
        return False
    t0 = time.monotonic()
    try:
        fn(ctx, *args)
        return True
    except TestAbort as e:
        ctx.checks.check(f"{title}: ran to the end", False, str(e))
    except Exception as e:  # noqa: BLE001 - anything unexpected fails this group only
        traceback.print_exc()
        ctx.checks.check(f"{title}: ran to the end", False, f"{type(e).__name__}: {e}")
    finally:
        log(f"{title}: {time.monotonic() - t0:.1f}s")
    return False


def run(args, checks: Checks, box: dict) -> Context | None:
    tmp = box["tmp"]
    if args.database_url:
        storage = ["--database-url", args.database_url]
        log(f"storage: PostgreSQL ({redact(args.database_url)})")
    else:
        data_dir = os.path.join(tmp, "data")
        os.makedirs(data_dir)
        storage = ["--data-dir", data_dir]
        log(f"storage: SQLite in {data_dir}")
    run_id = f"{int(time.time())}{random.randrange(16**4):04x}"
    server = Server(os.path.abspath(args.binary), storage, os.path.join(tmp, "server.log"))
    box["server"] = server
    log(f"run {run_id}; server log {server.log_path}; websockets {websockets.__version__}")
    key = server.create_key()
    server.start("one customer", [])
    log(f"HTTP ready in {server.wait_ready():.1f}s; SMTP answering {server.wait_smtp():.1f}s after that")
    api = HookApi(server.port, key)
    ctx = Context(checks=checks, api=api, server=server, run_id=run_id)
    setup(ctx, fresh=not args.database_url)

    if phase(ctx, "1. an email from Ana (smtplib), her phone number put on file", phase_email):
        if phase(ctx, "2. a chat (websockets) where the visitor gives her address", phase_chat):
            phase(ctx, "3. a call from her number (signed call events)", phase_call)
            phase(ctx, "4. one customer's timeline, in time order", phase_timeline)
    # Idle keep-alive connections would hold up the server's graceful shutdown.
    conn = getattr(api.local, "conn", None)
    if conn is not None:
        conn.close()
        api.local.conn = None
    return ctx


def parse_args(argv=None):
    ap = argparse.ArgumentParser(description="Rapport one-customer interop test: email, chat and call on one timeline")
    ap.add_argument("--binary", required=True, help="path to the rapport executable")
    ap.add_argument("--database-url", default=None, help="PostgreSQL URL (default: SQLite in a temp dir)")
    ap.add_argument("--keep", "--keep-temp", dest="keep", action="store_true", help="keep the temp dir (server log, data)")
    args = ap.parse_args(argv)
    if not (os.path.isfile(args.binary) and os.access(args.binary, os.X_OK)):
        ap.error(f"--binary {args.binary!r} is not an executable file")
    return args


def _interrupt(signum, frame) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def main(argv=None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, _interrupt)  # a CI timeout still stops the server
    checks = Checks()
    box: dict = {"tmp": tempfile.mkdtemp(prefix="rapport-one-customer-interop-"), "server": None}
    t0 = time.monotonic()
    crashed = False
    ctx = None
    try:
        ctx = run(args, checks, box)
    except KeyboardInterrupt:
        crashed = True
        checks.check("test completed", False, "interrupted")
    except Exception as e:  # noqa: BLE001 - anything unexpected is a failure
        crashed = True
        traceback.print_exc()
        checks.check("test completed without unexpected errors", False, f"{type(e).__name__}: {e}")
    finally:
        if box["server"] is not None:
            if box["server"].running():
                rc, took = box["server"].terminate()
                log(f"server stopped by SIGTERM in {took:.1f}s (exit status {rc})")
            box["server"].cleanup()
    server = box["server"]
    if ctx is not None and ctx.timings:
        log("timings: " + ", ".join(f"{k} {v:.2f}s" for k, v in ctx.timings.items()))
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
