#!/usr/bin/env python3
"""Interop test of Rapport's email replies with programs this project did not write: an `aiosmtpd`
relay (STARTTLS required, AUTH required, running in this process), Python's `smtplib` for the
customer's mail in and Python's `email` package (policy=default) to read what Rapport sent.

Starts `rapport serve` four times on the same storage (temp data dir or a given PostgreSQL):

Relay server (`--mail-relay smtp+starttls://127.0.0.1:<relay> --mail-relay-username ...
--mail-relay-ca-file <self-signed cert>`, the password from RAPPORT_MAIL_RELAY_PASSWORD,
`--mail-retry-delays 0,1s,1s`, `--smtp-hostname mx-<run>.interop.example`):
 1. A customer's mail (smtplib; UTF-8 Chinese subject, From "Ana Lima", a Message-ID) starts a
    conversation; POST /v1/conversations/{id}/email-replies with a cc and an attachment with a
    Chinese file name → 201 with the mail record. The relay receives the message over TLS after
    AUTH; MAIL FROM is the channel's address, RCPT TO the customer and the copies; `email` reads
    Subject "Re: <original>", In-Reply-To, References, Message-ID (the record's), From (the channel's
    name and address), To, Cc, multipart/mixed with multipart/alternative text/plain + text/html
    (the agent's `<script>` escaped in the HTML), the plain text with the agent's text and the
    quoted original, the attachment's name and bytes; /raw is exactly what the relay received (the
    relay undoes dot-stuffing); the record reads `sent` after 1 attempt, its note the relay's answer
    on one line; the outbound interaction is
    in the conversation, which is `pending`; the event log has rapport.mail.queued and .sent.
 2. The customer answers Rapport's message (In-Reply-To its Message-ID): the same conversation,
    interaction_count 3.
 3. The relay refuses the recipient at RCPT with `550 5.1.1`: `bounced` after 1 attempt, not retried;
    the note has the refusal, the rapport.mail.bounced event names the address undeliverable.
 4. The relay answers `451 4.3.0` to the first end of data and 250 to the next: `deferred` (an event
    with next_attempt_at and the 451), then `sent` after 2 attempts; the relay took it once.
 5. A delivery status notification (multipart/report; message/delivery-status: Final-Recipient,
    Action failed, Status 5.1.1; text/rfc822-headers with Rapport's Message-ID) mailed to the
    channel: the reply it is about becomes `bounced`.
 6. Validation: 422 naming `text` for an empty text, `attachments[0].content_base64` for bad base64,
    `cc[0]` for a bad copy address; 404 for an unknown conversation.
 7. Idempotency: the same POST twice with one Idempotency-Key → the same record, one message at the relay.

Wrong-password server (same relay, RAPPORT_MAIL_RELAY_PASSWORD wrong, `--mail-retry-delays 0,1s`):
 8. A reply is `deferred` with a note naming the authentication, then `failed` after its 2
    attempts; the relay refused the login and never received it.

Wrong-host server (a second relay whose certificate, given as --mail-relay-ca-file, names only
elsewhere.example; `--mail-retry-delays 0,1s`):
 9. A reply is `deferred` with a TLS note naming the certificate, then `failed`; that relay got no
    login and no message.

No-relay server (no --mail-relay):
10. POST .../email-replies → 409, problem type ending "mail-relay-not-configured".

One PASS/FAIL line per check, then `N passed, N failed`; exit status 1 when a check failed, with
the tail of the server log. Needs the packages in scripts/interop/requirements.txt (aiosmtpd) and
`openssl` on the PATH. Waits are polls of an observable condition with a deadline, never fixed sleeps.

    .venv-interop/bin/python scripts/interop/mail_out_interop.py --binary .build/debug/rapport
    .venv-interop/bin/python scripts/interop/mail_out_interop.py --binary .build/debug/rapport \\
        --database-url postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable
"""

from __future__ import annotations

import argparse
import base64
import email.utils
import http.client
import json
import os
import random
import secrets
import shutil
import signal
import smtplib
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import urllib.parse
import warnings
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

# aiosmtpd 1.4 sets the deprecated Session.login_data itself after every successful AUTH.
warnings.filterwarnings("ignore", message="Session.login_data is deprecated")

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.dirname(HERE))
from testkit import Checks, free_port, redact  # noqa: E402
from mail_interop import Api, Server, TestAbort, make_certificate, quit_quietly  # noqa: E402

CLIENT_NAME = "interop.example"   # our EHLO name towards Rapport's SMTP server
SMTP_TIMEOUT = 30.0
RELAY_TIMEOUT = 30.0              # how long a queued reply may take to reach the relay
STATUS_TIMEOUT = 30.0             # how long a delivery may take to reach the status looked for
VISIBLE_TIMEOUT = 10.0            # how long a mailed-in message may take to show as an interaction
POLL = 0.05
WAITING = ("queued", "deferred")


def log(msg: str) -> None:
    print(f"[mail-out-interop {time.strftime('%H:%M:%S')}] {msg}", flush=True)


def text(value) -> str:
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    return str(value)


def bare(message_id) -> str:
    return str(message_id or "").strip().strip("<>")


# --------------------------------------------------------------------------- #
# The relay: aiosmtpd, STARTTLS and AUTH required
# --------------------------------------------------------------------------- #

@dataclass
class Received:
    """One message the relay answered 250 at the end of data."""
    mail_from: str
    rcpt_tos: list[str]
    content: bytes
    message_id: str
    tls: bool
    login: str | None


class Relay:
    """An aiosmtpd Controller in this process; records what it is sent and answers as told:
    `refuse_rcpt[address]` is the reply to RCPT TO that address, and a message to an address in
    `defer_once` gets `451 4.3.0 try later` at its first end of data."""

    def __init__(self, cert: str | None, key: str | None, username: str, password: str) -> None:
        self.username = username
        self.password = password
        self.cond = threading.Condition()
        self.received: list[Received] = []
        self.data_attempts: list[tuple[str, str]] = []   # (Message-ID, the answer given)
        self.rcpt_attempts: list[tuple[str, str]] = []   # (address, the answer given)
        self.logins: list[tuple[str, str, bool]] = []    # (mechanism, login, accepted)
        self.refuse_rcpt: dict[str, str] = {}
        self.defer_once: set[str] = set()
        self.deferred: set[str] = set()
        kwargs: dict = {}
        if cert and key:
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            context.load_cert_chain(cert, key)
            kwargs = {"tls_context": context, "require_starttls": True}
        self.port = free_port()
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port, server_hostname="relay.interop.example",
                                     authenticator=self.authenticate, auth_required=True, auth_require_tls=True, **kwargs)

    def start(self) -> None:
        self.controller.start()

    def stop(self) -> None:
        try:
            self.controller.stop()
        except Exception:  # noqa: BLE001 - stopping is best effort
            pass

    # aiosmtpd hooks (run on the controller's event loop thread)

    def authenticate(self, server, session, envelope, mechanism, auth_data) -> AuthResult:
        if isinstance(auth_data, LoginPassword):
            login, password = text(auth_data.login), text(auth_data.password)
        else:
            login, password = "", ""
        ok = login == self.username and password == self.password
        with self.cond:
            self.logins.append((mechanism, login, ok))
            self.cond.notify_all()
        return AuthResult(success=ok, handled=False, auth_data=login)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        answer = self.refuse_rcpt.get(address.lower(), "250 2.1.5 OK")
        with self.cond:
            self.rcpt_attempts.append((address.lower(), answer))
            self.cond.notify_all()
        if answer.startswith("250"):
            envelope.rcpt_tos.append(address)
        return answer

    async def handle_DATA(self, server, session, envelope):
        content = envelope.original_content or b""
        headers = BytesParser(policy=policy.default).parsebytes(content, headersonly=True)
        message_id = bare(headers.get("Message-ID"))
        with self.cond:
            late = next((a for a in envelope.rcpt_tos if a.lower() in self.defer_once and message_id not in self.deferred), None)
            if late is not None:
                self.deferred.add(message_id)
                answer = "451 4.3.0 try later"
            else:
                answer = "250 2.0.0 OK: queued"
                self.received.append(Received(mail_from=envelope.mail_from, rcpt_tos=list(envelope.rcpt_tos), content=content,
                                              message_id=message_id, tls=session.ssl is not None,
                                              login=session.auth_data if session.authenticated else None))
            self.data_attempts.append((message_id, answer))
            self.cond.notify_all()
        return answer

    # what the test reads

    def wait(self, predicate, timeout: float = RELAY_TIMEOUT) -> bool:
        with self.cond:
            return self.cond.wait_for(predicate, timeout=timeout)

    def everything(self) -> list[Received]:
        with self.cond:
            return list(self.received)

    def messages(self, message_id: str) -> list[Received]:
        with self.cond:
            return [r for r in self.received if r.message_id == message_id]

    def attempts(self, message_id: str) -> list[str]:
        with self.cond:
            return [answer for mid, answer in self.data_attempts if mid == message_id]

    def rcpts(self, address: str) -> list[str]:
        with self.cond:
            return [answer for a, answer in self.rcpt_attempts if a == address.lower()]


# --------------------------------------------------------------------------- #
# Rapport: the API with request headers, mail in with smtplib
# --------------------------------------------------------------------------- #

class OutApi(Api):
    def send(self, method: str, path: str, body=None, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
        payload = json.dumps(body).encode() if body is not None else None
        all_headers = {"Authorization": f"Bearer {self.key}", **(headers or {})}
        if payload is not None:
            all_headers["Content-Type"] = "application/json"
        for attempt in (1, 2):
            conn = self._connection()
            try:
                conn.request(method, path, body=payload, headers=all_headers)
                resp = conn.getresponse()
                return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                conn.close()
                self.local.conn = None
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def send_json(self, method: str, path: str, body=None, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], object]:
        status, response_headers, raw = self.send(method, path, body, headers)
        try:
            parsed = json.loads(raw) if raw else None
        except ValueError:
            parsed = raw[:300]
        return status, response_headers, parsed

    def reply(self, conversation_id: str, body: dict, key: str | None = None) -> tuple[int, dict[str, str], object]:
        return self.send_json("POST", f"/v1/conversations/{urllib.parse.quote(conversation_id)}/email-replies", body,
                              {"Idempotency-Key": key} if key else None)

    def mail(self, mail_id: str) -> dict:
        return self.get_json(f"/v1/mail-messages/{urllib.parse.quote(mail_id)}")

    floor = 0  # events at or below this sequence are older than the run (set by `mark_events`)

    def mark_events(self) -> None:
        """Remembers the log's head (from /v1/consumers), so that looking for this run's events skips
        what earlier runs left in a shared database."""
        for consumer in self.get_json("/v1/consumers").get("data") or []:
            try:
                self.floor = max(self.floor, int(consumer.get("head")))
            except (TypeError, ValueError):
                pass

    def events_about(self, mail_id: str) -> list[dict]:
        """The log's rapport.mail.* events about one message, oldest first. The filter is applied to
        each page of the log, so a page may hold none of them and still have a next_cursor."""
        found: list[dict] = []
        after = self.floor
        filt = urllib.parse.quote(f'data.mail.id == "{mail_id}"')
        for _ in range(100_000):
            page = self.get_json(f"/v1/events?after={after}&limit=1000&filter={filt}")
            data = [e for e in page.get("data") or [] if isinstance(e, dict)]
            found += [e for e in data if ((e.get("data") or {}).get("mail") or {}).get("id") == mail_id]
            cursor = page.get("next_cursor")
            try:
                cursor = int(cursor) if cursor is not None else None
            except (TypeError, ValueError):
                cursor = None
            if cursor is None or cursor <= after:
                break
            after = cursor
        return found


@dataclass
class Context:
    checks: Checks
    api: OutApi
    server: Server
    relay: Relay
    run_id: str
    tmp: str
    hostname: str = ""
    channel_id: str = ""
    channel_name: str = ""
    address: str = ""
    notes: list[str] = field(default_factory=list)
    # Filled by phase 1 for later phases, and by phase 7 for phases 8 and 9
    ana: dict = field(default_factory=dict)
    duda: str = ""

    def customer(self, who: str) -> str:
        return f"{who}-{self.run_id}@example.com"

    def message_id(self, tag: str) -> str:
        return f"{tag}-{self.run_id}@client.example"


def mail_in(ctx: Context, msg: EmailMessage | bytes, sender: str = "", recipients: list[str] | None = None) -> None:
    """Delivers to Rapport's SMTP server with smtplib; raises unless answered 250."""
    client = smtplib.SMTP("127.0.0.1", ctx.server.smtp_port, local_hostname=CLIENT_NAME, timeout=SMTP_TIMEOUT)
    try:
        if isinstance(msg, EmailMessage):
            client.send_message(msg)
        else:
            client.sendmail(sender, recipients or [ctx.address], msg)
    finally:
        quit_quietly(client)


def customer_mail(ctx: Context, who: str, name: str, subject: str, body: str, in_reply_to: str | None = None) -> tuple[EmailMessage, str]:
    mid = ctx.message_id(f"{who}-{secrets.token_hex(3)}")
    msg = EmailMessage()
    msg["From"] = email.utils.formataddr((name, ctx.customer(who)))
    msg["To"] = ctx.address
    msg["Subject"] = subject
    msg["Date"] = email.utils.formatdate(localtime=True)
    msg["Message-ID"] = f"<{mid}>"
    if in_reply_to:
        msg["In-Reply-To"] = f"<{in_reply_to}>"
        msg["References"] = f"<{in_reply_to}>"
    msg.set_content(body)
    return msg, mid


def wait_interaction(ctx: Context, external_id: str) -> dict:
    deadline = time.monotonic() + VISIBLE_TIMEOUT
    while True:
        found = ctx.api.interactions(channel_id=ctx.channel_id, external_id=external_id)
        if found:
            return found[0]
        if time.monotonic() >= deadline:
            raise TestAbort(f"the mail {external_id} was answered 250 and is not listed as an interaction after {VISIBLE_TIMEOUT:.0f}s")
        time.sleep(POLL)


def conversation_of(ctx: Context, customer_id: str) -> dict:
    conversations = ctx.api.conversations(customer_id)
    if len(conversations) != 1:
        raise TestAbort(f"customer {customer_id} has {len(conversations)} conversations, expected 1")
    return conversations[0]


def start_conversation(ctx: Context, who: str, name: str, subject: str, body: str) -> tuple[str, str, str]:
    """A customer mails in; (conversation id, customer id, the mail's Message-ID)."""
    msg, mid = customer_mail(ctx, who, name, subject, body)
    mail_in(ctx, msg)
    item = wait_interaction(ctx, mid)
    return conversation_of(ctx, item["customer_id"])["id"], item["customer_id"], mid


def post_reply(ctx: Context, conversation_id: str, body: dict, key: str | None = None) -> dict:
    status, _, parsed = ctx.api.reply(conversation_id, body, key)
    if status != 201 or not isinstance(parsed, dict):
        raise TestAbort(f"POST /v1/conversations/{conversation_id}/email-replies -> HTTP {status}: {str(parsed)[:400]}")
    return parsed


def wait_delivery(ctx: Context, mail_id: str, done, timeout: float = STATUS_TIMEOUT) -> tuple[dict, list[str]]:
    """Polls GET /v1/mail-messages/{id} until `done(delivery)`; (the last record, the statuses seen in order)."""
    seen: list[str] = []
    deadline = time.monotonic() + timeout
    while True:
        record = ctx.api.mail(mail_id)
        delivery = record.get("delivery") or {}
        status = delivery.get("status")
        if not seen or seen[-1] != status:
            seen.append(status)
        if done(delivery) or time.monotonic() >= deadline:
            return record, seen
        time.sleep(POLL)


def settled(delivery: dict) -> bool:
    return delivery.get("status") not in WAITING


def one_line(value) -> bool:
    return isinstance(value, str) and "\r" not in value and "\n" not in value


# --------------------------------------------------------------------------- #
# 1. A reply with a copy and an attachment, through STARTTLS and AUTH
# --------------------------------------------------------------------------- #

ORIGINAL_BODY = "Olá,\n\nmeu pedido 1234 ainda não chegou.\nPodem verificar?\n\nAna"
AGENT_TEXT = ("Olá Ana,\n\nSeu pedido já saiu do depósito. <script>alert(1)</script>\n"
              ".esta linha começa com um ponto\n\nEquipe de Atendimento")
ATTACHMENT_NAME = "发票 2024-订单.pdf"


def phase_reply(ctx: Context) -> None:
    checks, api, relay = ctx.checks, ctx.api, ctx.relay
    subject = f"订单没有到 — pedido 1234 ({ctx.run_id})"
    ana = ctx.customer("ana")
    msg, original_mid = customer_mail(ctx, "ana", "Ana Lima", subject, ORIGINAL_BODY)
    mail_in(ctx, msg)
    item = wait_interaction(ctx, original_mid)
    conversation = conversation_of(ctx, item["customer_id"])
    cc = [f"gerente-{ctx.run_id}@example.org", f"Bruno Braga <bruno-{ctx.run_id}@example.net>"]
    cc_addresses = [f"gerente-{ctx.run_id}@example.org", f"bruno-{ctx.run_id}@example.net"]
    attachment = bytes(random.Random(ctx.run_id).randrange(256) for _ in range(3000)) + b"\r\n.\r\n\x00end"
    body = {"text": AGENT_TEXT, "cc": cc, "attachments": [
        {"filename": ATTACHMENT_NAME, "content_type": "application/pdf", "content_base64": base64.b64encode(attachment).decode()}]}
    status, headers, record = api.reply(conversation["id"], body)
    ok = status == 201 and isinstance(record, dict)
    checks.check("POST email-replies: 201 with the mail record", ok, f"HTTP {status}: {str(record)[:300]}")
    if not ok:
        raise TestAbort("no reply to follow")
    mail_id = record.get("id", "")
    ctx.ana = {"conversation_id": conversation["id"], "customer_id": item["customer_id"], "mail_id": mail_id,
               "message_id": record.get("message_id"), "subject": record.get("subject"), "original_mid": original_mid}
    checks.check("Location names the record", headers.get("location") == f"/v1/mail-messages/{mail_id}", headers.get("location", ""))
    expected_mid = f"{mail_id}@{ctx.hostname}"
    frm, to = record.get("from") or {}, record.get("to") or []
    checks.check("record: outbound, message_id <id>@<smtp-hostname>, the conversation's thread",
                 record.get("direction") == "outbound" and record.get("message_id") == expected_mid
                 and record.get("channel_id") == ctx.channel_id and record.get("customer_id") == item["customer_id"]
                 and record.get("thread_id") == (item.get("metadata") or {}).get("thread_id"),
                 f"direction {record.get('direction')!r}, message_id {record.get('message_id')!r} (expected {expected_mid!r}), "
                 f"thread_id {record.get('thread_id')!r}")
    checks.check("record: subject Re:, in_reply_to and references name the customer's mail",
                 record.get("subject") == f"Re: {subject}" and record.get("in_reply_to") == original_mid
                 and (record.get("references") or [None])[-1] == original_mid,
                 f"{record.get('subject')!r}, {record.get('in_reply_to')!r}, {record.get('references')!r}")
    checks.check("record: from the channel, to Ana, the copies, envelope from the channel to all",
                 frm == {"name": ctx.channel_name, "address": ctx.address}
                 and [(t.get("name"), t.get("address")) for t in to] == [("Ana Lima", ana)]
                 and sorted(c.get("address") for c in record.get("cc") or []) == sorted(cc_addresses)
                 and record.get("envelope_from") == ctx.address
                 and sorted(record.get("envelope_to") or []) == sorted([ana, *cc_addresses]),
                 f"from {frm}, to {to}, cc {record.get('cc')}, envelope {record.get('envelope_from')!r} -> {record.get('envelope_to')}")
    attachments = record.get("attachments") or []
    checks.check("record: the attachment listed with its name, type and size",
                 len(attachments) == 1 and attachments[0].get("filename") == ATTACHMENT_NAME
                 and attachments[0].get("content_type") == "application/pdf" and attachments[0].get("size") == len(attachment),
                 f"{attachments}")
    checks.check("record: the text as given, the quote of the customer's mail",
                 record.get("text") == AGENT_TEXT and "> meu pedido 1234 ainda não chegou." in (record.get("quoted") or ""),
                 f"text {str(record.get('text'))[:80]!r}, quoted {str(record.get('quoted'))[:120]!r}")
    checks.check("record: delivery queued (or already further) when answered",
                 (record.get("delivery") or {}).get("status") in ("queued", "sent"), f"{record.get('delivery')}")

    # The relay
    mid = record.get("message_id") or expected_mid
    got = relay.wait(lambda: any(r.message_id == mid for r in relay.received))
    received = relay.messages(mid)
    checks.check("the relay received the reply", got and len(received) == 1, f"{len(received)} messages with Message-ID {mid}")
    if not received:
        raise TestAbort("the relay has nothing to read")
    r = received[0]
    checks.check("over TLS (STARTTLS), after AUTH as the configured user", r.tls and r.login == relay.username,
                 f"tls {r.tls}, login {r.login!r}; logins {relay.logins}")
    checks.check("envelope: MAIL FROM the channel's address, RCPT TO Ana and the copies",
                 r.mail_from == ctx.address and sorted(a.lower() for a in r.rcpt_tos) == sorted([ana, *cc_addresses]),
                 f"MAIL FROM {r.mail_from!r}, RCPT TO {r.rcpt_tos}")
    parsed = BytesParser(policy=policy.default).parsebytes(r.content)
    checks.check("Subject: Re: <the original>", parsed["Subject"] == f"Re: {subject}", f"{parsed['Subject']!r}")
    references = str(parsed.get("References") or "").split()
    checks.check("In-Reply-To the customer's Message-ID, References end with it",
                 bare(parsed["In-Reply-To"]) == original_mid and bool(references) and bare(references[-1]) == original_mid,
                 f"In-Reply-To {parsed['In-Reply-To']!r}, References {parsed['References']!r}")
    checks.check("Message-ID is the record's message_id", bare(parsed["Message-ID"]) == mid, f"{parsed['Message-ID']!r}")
    from_ = parsed["From"].addresses if parsed["From"] else ()
    checks.check("From: the channel's name and address",
                 len(from_) == 1 and from_[0].display_name == ctx.channel_name and from_[0].addr_spec == ctx.address,
                 f"{parsed['From']!r}")
    to_ = parsed["To"].addresses if parsed["To"] else ()
    checks.check("To: Ana Lima <ana>", [(a.display_name, a.addr_spec) for a in to_] == [("Ana Lima", ana)], f"{parsed['To']!r}")
    cc_ = parsed["Cc"].addresses if parsed["Cc"] else ()
    checks.check("Cc: the copies given", sorted(a.addr_spec for a in cc_) == sorted(cc_addresses)
                 and any(a.display_name == "Bruno Braga" for a in cc_), f"{parsed['Cc']!r}")
    checks.check("Date is there and parses", parsed["Date"] is not None and parsed["Date"].datetime is not None, f"{parsed['Date']!r}")
    parts = list(parsed.iter_parts()) if parsed.is_multipart() else []
    alternative = parts[0] if parts else None
    inner = list(alternative.iter_parts()) if alternative is not None and alternative.is_multipart() else []
    checks.check("multipart/mixed of multipart/alternative (text/plain, text/html) and the attachment",
                 parsed.get_content_type() == "multipart/mixed" and len(parts) == 2
                 and alternative.get_content_type() == "multipart/alternative"
                 and [p.get_content_type() for p in inner] == ["text/plain", "text/html"],
                 f"{parsed.get_content_type()}: {[p.get_content_type() for p in parts]}, "
                 f"alternative {[p.get_content_type() for p in inner]}")
    plain = inner[0].get_content() if len(inner) >= 1 else ""
    html = inner[1].get_content() if len(inner) >= 2 else ""
    plain_lines = plain.replace("\r\n", "\n").split("\n")
    agent_lines = [ln for ln in AGENT_TEXT.split("\n") if ln]
    checks.check("the plain text has the agent's text, line for line (the leading '.' too)",
                 all(ln in plain_lines for ln in agent_lines), f"missing {[ln for ln in agent_lines if ln not in plain_lines]}")
    checks.check("the plain text quotes the customer's mail ('> ' lines after 'On ..., Ana Lima <ana> wrote:')",
                 "> meu pedido 1234 ainda não chegou." in plain_lines
                 and any(ln.startswith("On ") and ln.endswith(f"Ana Lima <{ana}> wrote:") for ln in plain_lines),
                 f"{plain[-300:]!r}")
    checks.check("the HTML part escapes the agent's <script> (&lt;script&gt;, no '<script')",
                 "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script" not in html.lower(),
                 f"{html[:300]!r}")
    files = [p for p in parts[1:]] if len(parts) > 1 else []
    content = files[0].get_content() if files else b""
    checks.check("the attachment: its Chinese file name, type and bytes",
                 len(files) == 1 and files[0].get_filename() == ATTACHMENT_NAME and files[0].get_content_type() == "application/pdf"
                 and files[0].is_attachment() and content == attachment,
                 f"{[(f.get_filename(), f.get_content_type()) for f in files]}, {len(content)} bytes (sent {len(attachment)})")
    bad_lines = [ln for ln in r.content.split(b"\r\n") if len(ln) > 998]
    checks.check("every line within 998 bytes, only CRLF line ends",
                 not bad_lines and b"\n" not in r.content.replace(b"\r\n", b""), f"{len(bad_lines)} long lines")

    status, rh, raw = api.send("GET", f"/v1/mail-messages/{mail_id}/raw")
    difference = ""
    if status == 200 and raw != r.content:
        at = next((i for i in range(min(len(raw), len(r.content))) if raw[i] != r.content[i]), min(len(raw), len(r.content)))
        difference = (f"; {len(raw)} bytes from /raw, {len(r.content)} at the relay, first difference at {at}: "
                      f"{raw[max(0, at - 20):at + 20]!r} vs {r.content[max(0, at - 20):at + 20]!r}")
    checks.check("/raw is exactly what the relay received", status == 200 and raw == r.content,
                 f"HTTP {status}, {rh.get('content-type')!r}{difference}")

    final, seen = wait_delivery(ctx, mail_id, lambda d: d.get("status") == "sent", timeout=10.0)
    delivery = final.get("delivery") or {}
    checks.check("GET the record after the relay took it: sent, 1 attempt, sent_at, nothing next",
                 delivery.get("status") == "sent" and delivery.get("attempts") == 1 and bool(delivery.get("sent_at"))
                 and delivery.get("next_attempt_at") is None,
                 f"{delivery} (statuses seen {seen})")
    if seen and seen[0] != "sent":
        ctx.notes.append(f"the record read {seen} after the relay had the message (read-your-writes needed a poll)")
    checks.check("delivery.note is the relay's answer on one line", one_line(delivery.get("note")) and "250" in str(delivery.get("note")),
                 f"{delivery.get('note')!r}")

    interaction_id = final.get("interaction_id")
    status, outbound = api.json("GET", f"/v1/interactions/{interaction_id}")
    outbound = outbound if isinstance(outbound, dict) else {}
    checks.check("the reply is an interaction: kind email, outbound, the reply's subject",
                 status == 200 and outbound.get("kind") == "email" and outbound.get("direction") == "outbound"
                 and outbound.get("customer_id") == item["customer_id"] and outbound.get("subject") == f"Re: {subject}",
                 f"HTTP {status}: kind {outbound.get('kind')!r}, direction {outbound.get('direction')!r}, subject {outbound.get('subject')!r}")
    shown = api.get_json(f"/v1/conversations/{conversation['id']}")
    listed = [i.get("id") for i in shown.get("interactions") or [] if isinstance(i, dict)]
    checks.check("in the same conversation (interaction_count 2), which is now pending",
                 shown.get("interaction_count") == 2 and shown.get("status") == "pending"
                 and (interaction_id in listed or not listed),
                 f"interaction_count {shown.get('interaction_count')}, status {shown.get('status')!r}, interactions {listed}")
    types = [e.get("type") for e in api.events_about(mail_id)]
    checks.check("events: rapport.mail.queued, then rapport.mail.sent",
                 types == ["rapport.mail.queued", "rapport.mail.sent"], f"{types}")


# --------------------------------------------------------------------------- #
# 2. The customer answers Rapport's message
# --------------------------------------------------------------------------- #

def phase_customer_answer(ctx: Context) -> None:
    if not ctx.ana:
        raise TestAbort("no reply from phase 1 to answer")
    checks = ctx.checks
    msg, mid = customer_mail(ctx, "ana", "Ana Lima", ctx.ana["subject"] or "Re:", "Chegou hoje, obrigada!\n",
                             in_reply_to=ctx.ana["message_id"])
    mail_in(ctx, msg)
    item = wait_interaction(ctx, mid)
    deadline = time.monotonic() + VISIBLE_TIMEOUT
    while True:
        conversations = ctx.api.conversations(item["customer_id"])
        shown = conversations[0] if len(conversations) == 1 else {}
        if shown.get("interaction_count") == 3 or time.monotonic() >= deadline:
            break
        time.sleep(POLL)
    checks.check("the customer's answer (In-Reply-To Rapport's Message-ID) joins the conversation: interaction_count 3",
                 len(conversations) == 1 and shown.get("id") == ctx.ana["conversation_id"] and shown.get("interaction_count") == 3,
                 f"{[(c.get('id'), c.get('interaction_count')) for c in conversations]} (expected {ctx.ana['conversation_id']})")
    checks.check("and its thread is the conversation's",
                 (item.get("metadata") or {}).get("thread_id") == ctx.ana["original_mid"]
                 and item.get("customer_id") == ctx.ana["customer_id"],
                 f"thread_id {(item.get('metadata') or {}).get('thread_id')!r}")


# --------------------------------------------------------------------------- #
# 3. Refused at RCPT, 4. deferred at the end of data
# --------------------------------------------------------------------------- #

def phase_rcpt_refused(ctx: Context) -> None:
    checks, relay = ctx.checks, ctx.relay
    bia = ctx.customer("bia")
    relay.refuse_rcpt[bia] = "550 5.1.1 no such user"
    conversation_id, _, _ = start_conversation(ctx, "bia", "Bia Souza", f"Cadastro {ctx.run_id}", "Quero mudar meu cadastro.\n")
    record = post_reply(ctx, conversation_id, {"text": "Claro, Bia. Qual é o novo endereço?"})
    final, seen = wait_delivery(ctx, record["id"], settled)
    delivery = final.get("delivery") or {}
    checks.check("a recipient the relay refuses with 550 5.1.1 at RCPT: bounced after 1 attempt",
                 delivery.get("status") == "bounced" and delivery.get("attempts") == 1 and delivery.get("next_attempt_at") is None,
                 f"{delivery} (statuses seen {seen})")
    checks.check("the note names the refusal", "5.1.1" in str(delivery.get("note")) and one_line(delivery.get("note")),
                 f"{delivery.get('note')!r}")
    checks.check("RCPT was tried once (no retry) and DATA never", relay.rcpts(bia) == ["550 5.1.1 no such user"]
                 and not relay.attempts(record.get("message_id", "")), f"RCPT {relay.rcpts(bia)}, DATA {relay.attempts(record.get('message_id', ''))}")
    events = ctx.api.events_about(record["id"])
    bounced = [e for e in events if e.get("type") == "rapport.mail.bounced"]
    undeliverable = (((bounced[0].get("data") or {}).get("mail") or {}).get("undeliverable") if bounced else None) or []
    checks.check("event rapport.mail.bounced names the address undeliverable",
                 len(bounced) == 1 and [a.lower() for a in undeliverable] == [bia],
                 f"{[e.get('type') for e in events]}, undeliverable {undeliverable}")


def phase_deferred(ctx: Context) -> None:
    checks, relay = ctx.checks, ctx.relay
    caio = ctx.customer("caio")
    relay.defer_once.add(caio)
    conversation_id, _, _ = start_conversation(ctx, "caio", "Caio Prado", f"Troca {ctx.run_id}", "Posso trocar o tamanho?\n")
    record = post_reply(ctx, conversation_id, {"text": "Pode sim, Caio.", "quote": False})
    mid = record.get("message_id", "")
    final, seen = wait_delivery(ctx, record["id"], settled)
    delivery = final.get("delivery") or {}
    events = ctx.api.events_about(record["id"])
    deferred = [(e.get("data") or {}).get("mail", {}).get("delivery") or {} for e in events if e.get("type") == "rapport.mail.deferred"]
    checks.check("451 4.3.0 at the end of data: deferred, with next_attempt_at and the 451 in the note",
                 len(deferred) == 1 and bool(deferred[0].get("next_attempt_at")) and "451" in str(deferred[0].get("note"))
                 and deferred[0].get("attempts") == 1,
                 f"deferred events {deferred}; statuses polled {seen}")
    checks.check("then sent on the next attempt (--mail-retry-delays 0,1s,1s): sent, 2 attempts",
                 delivery.get("status") == "sent" and delivery.get("attempts") == 2, f"{delivery} (statuses seen {seen})")
    checks.check("the relay was given it twice and took it once",
                 relay.attempts(mid) == ["451 4.3.0 try later", "250 2.0.0 OK: queued"] and len(relay.messages(mid)) == 1,
                 f"answers {relay.attempts(mid)}, taken {len(relay.messages(mid))}")
    checks.check("events: queued, deferred, sent", [e.get("type") for e in events]
                 == ["rapport.mail.queued", "rapport.mail.deferred", "rapport.mail.sent"], f"{[e.get('type') for e in events]}")
    quoted = relay.messages(mid)[0].content if relay.messages(mid) else b""
    checks.check("quote: false sends no quote", b"wrote:" not in quoted and not final.get("quoted"), f"quoted {final.get('quoted')!r}")


# --------------------------------------------------------------------------- #
# 5. A delivery status notification comes back
# --------------------------------------------------------------------------- #

def dsn(ctx: Context, recipient: str, returned_headers: bytes) -> bytes:
    boundary = f"dsn-{ctx.run_id}"
    reporting = "relay.interop.example"
    date = email.utils.formatdate(localtime=True)
    lines = [
        f"From: Mail Delivery System <MAILER-DAEMON@{reporting}>",
        f"To: {ctx.address}",
        "Subject: Undelivered Mail Returned to Sender",
        f"Date: {date}",
        f"Message-ID: <dsn-{ctx.run_id}@{reporting}>",
        "Auto-Submitted: auto-replied",
        "MIME-Version: 1.0",
        f'Content-Type: multipart/report; report-type=delivery-status; boundary="{boundary}"',
        "",
        "This is a MIME-encapsulated message.",
        "",
        f"--{boundary}",
        "Content-Description: Notification",
        "Content-Type: text/plain; charset=us-ascii",
        "",
        f"I'm sorry to have to inform you that your message could not be delivered to {recipient}.",
        "",
        f"--{boundary}",
        "Content-Description: Delivery report",
        "Content-Type: message/delivery-status",
        "",
        f"Reporting-MTA: dns; {reporting}",
        f"Arrival-Date: {date}",
        "",
        f"Final-Recipient: rfc822;{recipient}",
        f"Original-Recipient: rfc822;{recipient}",
        "Action: failed",
        "Status: 5.1.1",
        f"Remote-MTA: dns; mx.example.com",
        f"Diagnostic-Code: smtp; 550 5.1.1 <{recipient}>: Recipient address rejected: User unknown",
        "",
        f"--{boundary}",
        "Content-Description: Undelivered Message Headers",
        "Content-Type: text/rfc822-headers",
        "",
        "",  # the blank line that ends the part's own headers
    ]
    tail = ["", f"--{boundary}--", ""]
    return "\r\n".join(lines).encode("ascii") + returned_headers + "\r\n".join(tail).encode("ascii")


def phase_dsn(ctx: Context) -> None:
    checks, relay = ctx.checks, ctx.relay
    ana2 = ctx.customer("ana2")
    conversation_id, _, _ = start_conversation(ctx, "ana2", "Ana Dois", f"Endereço {ctx.run_id}", "Meu e-mail mudou?\n")
    record = post_reply(ctx, conversation_id, {"text": "Vamos verificar, Ana."})
    mid = record.get("message_id", "")
    sent, seen = wait_delivery(ctx, record["id"], settled)
    checks.check("the reply to ana2 is sent first", (sent.get("delivery") or {}).get("status") == "sent", f"statuses seen {seen}")
    received = relay.messages(mid)
    if not received:
        raise TestAbort("the relay did not get the reply the report is about")
    content = received[0].content
    head = content.split(b"\r\n\r\n", 1)[0] + b"\r\n"
    report = dsn(ctx, ana2, head)
    mail_in(ctx, report, sender="", recipients=[ctx.address])  # MAIL FROM:<>, as bounces are sent
    final, seen = wait_delivery(ctx, record["id"], lambda d: d.get("status") == "bounced", timeout=VISIBLE_TIMEOUT)
    delivery = final.get("delivery") or {}
    checks.check("a delivery status notification (5.1.1, Rapport's Message-ID in its returned headers) marks the reply bounced",
                 delivery.get("status") == "bounced", f"{delivery} (statuses seen {seen})")
    checks.check("its note names the report's status, the attempts are not counted again",
                 "5.1.1" in str(delivery.get("note")) and delivery.get("attempts") == 1, f"{delivery}")
    events = ctx.api.events_about(record["id"])
    types = [e.get("type") for e in events]
    checks.check("events: queued, sent, bounced", types == ["rapport.mail.queued", "rapport.mail.sent", "rapport.mail.bounced"], f"{types}")
    bounced = [e for e in events if e.get("type") == "rapport.mail.bounced"]
    undeliverable = (((bounced[0].get("data") or {}).get("mail") or {}).get("undeliverable") if bounced else None) or []
    checks.check("and the bounced event names the address undeliverable", [a.lower() for a in undeliverable] == [ana2],
                 f"undeliverable {undeliverable}")


# --------------------------------------------------------------------------- #
# 6. Validation, 7. idempotency
# --------------------------------------------------------------------------- #

def problem_fields(parsed) -> list[str]:
    if not isinstance(parsed, dict):
        return []
    issues = parsed.get("errors") or parsed.get("issues") or []
    return [i.get("field") for i in issues if isinstance(i, dict)]


def phase_validation(ctx: Context) -> None:
    checks, api = ctx.checks, ctx.api
    if not ctx.ana:
        raise TestAbort("no conversation from phase 1")
    cid = ctx.ana["conversation_id"]
    cases = [
        ("an empty text", {"text": ""}, "text"),
        ("a blank text", {"text": "  \n "}, "text"),
        ("no text", {"quote": True}, "text"),
        ("bad base64", {"text": "x", "attachments": [{"filename": "a.bin", "content_base64": "!!!not base64!!!"}]},
         "attachments[0].content_base64"),
        ("a bad copy address", {"text": "x", "cc": ["not an address"]}, "cc[0]"),
    ]
    for label, body, name in cases:
        status, headers, parsed = api.reply(cid, body)
        checks.check(f"422 for {label}, naming {name}",
                     status == 422 and headers.get("content-type", "").startswith("application/problem+json")
                     and name in problem_fields(parsed),
                     f"HTTP {status}, {headers.get('content-type')!r}, fields {problem_fields(parsed)}")
    status, _, parsed = api.reply("cnv_00000000000000000000000000", {"text": "x"})
    checks.check("404 for an unknown conversation", status == 404, f"HTTP {status}: {str(parsed)[:200]}")


def phase_idempotency(ctx: Context) -> None:
    checks, relay = ctx.checks, ctx.relay
    conversation_id, customer_id, original = start_conversation(ctx, "duda", "Duda Reis", f"Reembolso {ctx.run_id}",
                                                                "Quando sai o reembolso?\n")
    body = {"text": "O reembolso sai amanhã, Duda."}
    key = f"reply-{ctx.run_id}"
    first = ctx.api.reply(conversation_id, body, key)
    second = ctx.api.reply(conversation_id, body, key)
    same = first[0] == 201 and second[0] == 201 and isinstance(first[2], dict) and isinstance(second[2], dict) \
        and first[2].get("id") == second[2].get("id")
    checks.check("the same POST twice with one Idempotency-Key: 201 both times, the same record", same,
                 f"HTTP {first[0]} {str(first[2])[:80]}; HTTP {second[0]} {str(second[2])[:80]}")
    if not isinstance(first[2], dict) or "id" not in first[2]:
        raise TestAbort("no record to follow")
    record = first[2]
    final, seen = wait_delivery(ctx, record["id"], settled)
    checks.check("it is sent", (final.get("delivery") or {}).get("status") == "sent", f"statuses seen {seen}")
    answering = [r for r in relay.everything()
                 if bare(BytesParser(policy=policy.default).parsebytes(r.content, headersonly=True).get("In-Reply-To")) == original]
    checks.check("the relay received one message", len(answering) == 1, f"{len(answering)} answering {original}")
    shown = ctx.api.get_json(f"/v1/conversations/{conversation_id}")
    checks.check("the conversation holds one reply (interaction_count 2)", shown.get("interaction_count") == 2,
                 f"interaction_count {shown.get('interaction_count')}")
    ctx.duda = conversation_id


# --------------------------------------------------------------------------- #
# 8. A wrong password, 9. a certificate for another host, 10. no relay
# --------------------------------------------------------------------------- #

def phase_wrong_password(ctx: Context, conversation_id: str) -> None:
    checks, relay = ctx.checks, ctx.relay
    logins_before = len(relay.logins)
    record = post_reply(ctx, conversation_id, {"text": "Mais uma coisa, Duda."})
    mid = record.get("message_id", "")
    first, seen = wait_delivery(ctx, record["id"], lambda d: d.get("attempts", 0) >= 1)
    delivery = first.get("delivery") or {}
    events = ctx.api.events_about(record["id"])
    deferred = [(e.get("data") or {}).get("mail", {}).get("delivery") or {} for e in events if e.get("type") == "rapport.mail.deferred"]
    note = str((deferred[0] if deferred else delivery).get("note"))
    checks.check("a wrong relay password: deferred, with a note naming the authentication",
                 len(deferred) >= 1 and "authentication" in note.lower() and bool(deferred[0].get("next_attempt_at")),
                 f"deferred events {deferred}; polled {delivery} (statuses seen {seen})")
    final, seen2 = wait_delivery(ctx, record["id"], settled)
    delivery = final.get("delivery") or {}
    checks.check("failed once its 2 attempts (--mail-retry-delays 0,1s) are used up",
                 delivery.get("status") == "failed" and delivery.get("attempts") == 2 and "authentication" in str(delivery.get("note")).lower(),
                 f"{delivery} (statuses seen {seen + seen2})")
    refused = [entry for entry in relay.logins[logins_before:] if not entry[2]]
    checks.check("the relay refused the login and never received the message",
                 len(refused) >= 2 and not relay.messages(mid) and not relay.attempts(mid),
                 f"refused logins {refused}, received {len(relay.messages(mid))}")


def other_host_certificate(tmp: str) -> tuple[str, str]:
    """A self-signed certificate for elsewhere.example only: trusted (given as the CA file), but not 127.0.0.1's."""
    cert, key = os.path.join(tmp, "other-cert.pem"), os.path.join(tmp, "other-key.pem")
    res = subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                          "-subj", "/CN=elsewhere.example", "-addext", "subjectAltName=DNS:elsewhere.example",
                          "-keyout", key, "-out", cert], capture_output=True, text=True, timeout=120)
    if res.returncode != 0:
        raise TestAbort(f"openssl req exited with {res.returncode}: {res.stderr.strip()[:300]}")
    return cert, key


def phase_wrong_host(ctx: Context, conversation_id: str, other: Relay) -> None:
    checks = ctx.checks
    record = post_reply(ctx, conversation_id, {"text": "Só pelo relay certo, Duda."})
    final, seen = wait_delivery(ctx, record["id"], settled)
    delivery = final.get("delivery") or {}
    events = ctx.api.events_about(record["id"])
    deferred = [(e.get("data") or {}).get("mail", {}).get("delivery") or {} for e in events if e.get("type") == "rapport.mail.deferred"]
    note = str((deferred[0] if deferred else delivery).get("note"))
    checks.check("a relay whose (trusted) certificate does not name 127.0.0.1: deferred, the note naming the certificate",
                 len(deferred) >= 1 and note.lower().startswith("tls")
                 and any(word in note.lower() for word in ("certificate", "verif", "hostname", "host name")),
                 f"deferred events {deferred} (statuses seen {seen})")
    checks.check("then failed after its 2 attempts", delivery.get("status") == "failed" and delivery.get("attempts") == 2,
                 f"{delivery}")
    checks.check("no password was sent to that relay and it received nothing",
                 not other.logins and not other.everything(), f"logins {other.logins}, received {len(other.everything())}")


def phase_no_relay(ctx: Context, conversation_id: str) -> None:
    status, headers, parsed = ctx.api.reply(conversation_id, {"text": "Sem relay."})
    kind = parsed.get("type", "") if isinstance(parsed, dict) else ""
    ctx.checks.check("without --mail-relay: 409, problem type ending mail-relay-not-configured",
                     status == 409 and kind.endswith("mail-relay-not-configured")
                     and headers.get("content-type", "").startswith("application/problem+json"),
                     f"HTTP {status}, type {kind!r}")


# --------------------------------------------------------------------------- #
# Main flow
# --------------------------------------------------------------------------- #

def phase(ctx: Context, title: str, fn, *args) -> None:
    """Runs one group of checks; an unexpected error fails the group and the run goes on."""
    print(f"--- {title}", flush=True)
    if not ctx.server.running():
        ctx.checks.check(f"{title}: server running", False, "the server is not running")
        return
    try:
        fn(ctx, *args)
    except TestAbort as e:
        ctx.checks.check(f"{title}: ran to the end", False, str(e))
    except Exception as e:  # noqa: BLE001 - anything unexpected fails this group only
        traceback.print_exc()
        ctx.checks.check(f"{title}: ran to the end", False, f"{type(e).__name__}: {e}")


def start(server: Server, label: str, args: list[str], env: dict[str, str] | None = None) -> None:
    server.start(label, args, env)
    log(f"{label} server: HTTP ready in {server.wait_ready():.1f}s")
    log(f"{label} server: SMTP answering {server.wait_smtp():.1f}s after that")


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
    cert, tls_key = make_certificate(tmp)  # CN=localhost, subjectAltName DNS:localhost, IP:127.0.0.1
    run_id = f"{int(time.time())}{random.randrange(16**4):04x}"
    username, password = f"rapport-{run_id}", secrets.token_urlsafe(18)
    relay = Relay(cert, tls_key, username, password)
    relay.start()
    box["relays"].append(relay)
    log(f"relay (aiosmtpd, STARTTLS and AUTH required) on 127.0.0.1:{relay.port}")
    server = Server(os.path.abspath(args.binary), storage, os.path.join(tmp, "server.log"))
    box["server"] = server
    log(f"run {run_id}; server log {server.log_path}")
    key = server.create_key()
    server.key = key

    hostname = f"mx-{run_id}.interop.example"
    relay_args = ["--mail-relay", f"smtp+starttls://127.0.0.1:{relay.port}", "--mail-relay-username", username,
                  "--mail-relay-ca-file", cert, "--smtp-hostname", hostname]
    print("=== relay server (STARTTLS, AUTH, --mail-retry-delays 0,1s,1s)", flush=True)
    start(server, "relay", [*relay_args, "--mail-retry-delays", "0,1s,1s"], env={"RAPPORT_MAIL_RELAY_PASSWORD": password})
    api = OutApi(server.port, key)
    api.mark_events()
    ctx = Context(checks=checks, api=api, server=server, relay=relay, run_id=run_id, tmp=tmp, hostname=hostname)
    ctx.address = f"support-{run_id}@rapport.test"
    ctx.channel_name = f"Atendimento São Paulo {run_id}"
    channel = api.post_json("/v1/channels", {"kind": "email", "name": ctx.channel_name, "settings": {"address": ctx.address}})
    ctx.channel_id = channel["id"]
    log(f"email channel {ctx.channel_id} for {ctx.address}")

    phase(ctx, "1. a reply with a copy and an attachment, through STARTTLS and AUTH", phase_reply)
    phase(ctx, "2. the customer answers Rapport's message", phase_customer_answer)
    phase(ctx, "3. the relay refuses the recipient at RCPT", phase_rcpt_refused)
    phase(ctx, "4. the relay defers the end of data once", phase_deferred)
    phase(ctx, "5. a delivery status notification comes back", phase_dsn)
    phase(ctx, "6. validation", phase_validation)
    phase(ctx, "7. idempotency", phase_idempotency)
    server.cleanup()
    duda = ctx.duda

    print("=== wrong-password server (--mail-retry-delays 0,1s)", flush=True)
    start(server, "wrong password", [*relay_args, "--mail-retry-delays", "0,1s"],
          env={"RAPPORT_MAIL_RELAY_PASSWORD": password + "-wrong"})
    ctx.api = OutApi(server.port, key)
    ctx.api.floor = api.floor
    if duda:
        phase(ctx, "8. a wrong relay password", phase_wrong_password, duda)
    else:
        checks.check("8. a wrong relay password: a conversation to answer", False, "phase 7 made none")
    server.cleanup()

    print("=== server trusting a certificate that names another host (--mail-retry-delays 0,1s)", flush=True)
    other_cert, other_key = other_host_certificate(tmp)
    other = Relay(other_cert, other_key, username, password)
    other.start()
    box["relays"].append(other)
    start(server, "wrong host", ["--mail-relay", f"smtp+starttls://127.0.0.1:{other.port}", "--mail-relay-username", username,
                                 "--mail-relay-ca-file", other_cert, "--smtp-hostname", hostname, "--mail-retry-delays", "0,1s"],
          env={"RAPPORT_MAIL_RELAY_PASSWORD": password})
    ctx.api = OutApi(server.port, key)
    ctx.api.floor = api.floor
    if duda:
        phase(ctx, "9. the relay's certificate names another host", phase_wrong_host, duda, other)
    else:
        checks.check("9. the relay's certificate names another host: a conversation to answer", False, "phase 7 made none")
    server.cleanup()

    print("=== server without --mail-relay", flush=True)
    start(server, "no relay", [])
    ctx.api = OutApi(server.port, key)
    ctx.api.floor = api.floor
    target = duda or ctx.ana.get("conversation_id")
    if target:
        phase(ctx, "10. no relay configured", phase_no_relay, target)
    else:
        checks.check("10. no relay configured: a conversation to answer", False, "no conversation was made")
    for note in ctx.notes:
        log(f"note: {note}")


def parse_args(argv=None):
    ap = argparse.ArgumentParser(description="Rapport email-reply interop test with an aiosmtpd relay")
    ap.add_argument("--binary", required=True, help="path to the rapport executable")
    ap.add_argument("--database-url", default=None, help="PostgreSQL URL (default: SQLite in a temp dir)")
    ap.add_argument("--keep", "--keep-temp", dest="keep", action="store_true",
                    help="keep the temp dir (server log, data, certificate)")
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
    box: dict = {"tmp": tempfile.mkdtemp(prefix="rapport-mail-out-interop-"), "server": None, "relays": []}
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
        for relay in box["relays"]:
            relay.stop()
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
