#!/usr/bin/env python3
"""Interop test of Rapport's SMTP server with Python's own `smtplib`, a client this project did not write.

Starts `rapport serve` twice on the same storage (temp data dir or a given PostgreSQL), one after
the other, makes an admin key and an email channel, and checks:

Plain server (`--smtp-max-message-bytes 65536`, no TLS, default hostname and sender rate):
 1. Session: 220 banner; EHLO advertises SIZE 65536, 8BITMIME, PIPELINING, ENHANCEDSTATUSCODES,
    SMTPUTF8 and no STARTTLS; HELO, NOOP, RSET, QUIT work; an unknown command gets 500/502;
    MAIL before EHLO and RCPT before MAIL get 503, DATA before RCPT 503 (or 554, RFC 5321 3.3).
 2. `send_message` of an EmailMessage (UTF-8 subject with Chinese, From "Ana Lima", lines that
    begin with "."): 250 2.0.0 queued as <mail id>; the interaction (kind email, inbound) has the
    decoded subject and the new text as body, its metadata names the mail; the customer is found by
    email with that name; /v1/mail-messages/{id} describes the mail; /raw is exactly the bytes
    smtplib gave DATA (dot-stuffing undone). Then raw bytes built here, with an encoded display name,
    a lone "." line, BODY=8BITMIME and an upper-case RCPT TO: stored byte for byte.
 3. multipart/mixed with a binary PDF-like attachment and a Chinese RFC 2231 filename: listed with
    filename, content type and size; the attachment endpoint returns the same bytes.
 4. A reply naming check 2's Message-ID in In-Reply-To/References joins its conversation
    (interaction_count 2, same thread_id); its quoted text is kept out of the body.
 5. Unknown recipient: SMTPRecipientsRefused with 550 (5.1.1), nothing stored; with one good and one
    unknown recipient the mail is stored once and only the unknown one is refused.
 6. Over the size limit: declared with SIZE= (smtplib does that) and undeclared (raw MAIL/RCPT/DATA):
    552 (5.3.4), nothing stored, and after RSET the same session delivers a normal message.
 8. Pipelining: 5 messages in RFC 2920 command groups over one connection; then 20 concurrent
    connections each sending 10 messages: 200 interactions, no duplicate, each visible right away.
10. The same Message-ID delivered twice (a client retry): both 250, one interaction.
11. A malformed multipart (no closing boundary, garbage base64): 250, flag "malformed", raw kept.
    SIGTERM with an SMTP transaction open: the server exits 0 and the session is closed.

TLS server (`--smtp-sender-rate 5`, a self-signed certificate made with openssl, RAPPORT_SMTP_HOSTNAME
from the environment, default size limit):
    Banner and EHLO name come from the environment; EHLO advertises SIZE 26214400 (the default).
 9. STARTTLS is advertised; a client that does not trust the certificate fails verification and
    the server goes on; with the certificate as CA, starttls() verifies the hostname, the EHLO after
    it is answered (without STARTTLS), and a message sent over TLS is stored byte for byte.
 7. Sender rate: the 6th message from one envelope sender within the minute gets a 4xx (450 4.7.1)
    and is not stored; another sender on the same session still gets through.

Read-your-writes: every message answered 250 must be listed on the first read after the answer;
a message that needed a retry is reported by a check of its own at the end.

One line per check, then a final line `N passed, N failed`; exit status 1 when a check failed.
Python 3.11 standard library only (smtplib, ssl, email) and `openssl` on the PATH.

    python3 scripts/interop/mail_interop.py --binary .build/debug/rapport
    python3 scripts/interop/mail_interop.py --binary .build/debug/rapport \\
        --database-url postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable
"""

from __future__ import annotations

import argparse
import email.utils
import http.client
import json
import os
import random
import re
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
from dataclasses import dataclass, field
from email.header import Header
from email.message import EmailMessage

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from testkit import Checks, free_port, redact, sample  # noqa: E402

HTTP_TIMEOUT = 30.0
READY_TIMEOUT = 90.0          # HTTP /health/ready
SMTP_READY_TIMEOUT = 30.0     # the SMTP port may open a moment after HTTP is ready
SMTP_TIMEOUT = 30.0           # each SMTP command's reply
SHUTDOWN_TIMEOUT = 15.0
VISIBLE_TIMEOUT = 10.0        # how long a message answered 250 is looked for (needing it is a failure)
CONVERSATION_TIMEOUT = 10.0
SMALL_LIMIT = 65_536          # --smtp-max-message-bytes of the plain server
DEFAULT_LIMIT = 26_214_400    # the documented default, advertised by the TLS server
SENDER_RATE = 5               # --smtp-sender-rate of the TLS server
PIPELINED = 5
LOG_TAIL_LINES = 80
CLIENT_NAME = "interop.example"   # our EHLO name (smtplib would otherwise look up the FQDN)
DEFAULT_HOSTNAME = "rapport"
CRLF = "\r\n"


class TestAbort(Exception):
    """A problem that makes going on with a phase pointless."""


def log(msg: str) -> None:
    print(f"[mail-interop {time.strftime('%H:%M:%S')}] {msg}", flush=True)


def text(value) -> str:
    """A reply or body as text for messages."""
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    return str(value)


def lines(value) -> str:
    """`value` with CRLF and CR turned into LF, trailing white space dropped (bodies as the API may give them)."""
    return str(value or "").replace("\r\n", "\n").replace("\r", "\n").strip()


# --------------------------------------------------------------------------- #
# The server under test
# --------------------------------------------------------------------------- #

class Server:
    """One `rapport serve` with the SMTP server on; every run appends to the same log file."""

    def __init__(self, binary: str, storage: list[str], log_path: str) -> None:
        self.binary = binary
        self.storage = storage
        self.log_path = log_path
        self.proc: subprocess.Popen | None = None
        self.key: str | None = None
        self.port = 0
        self.smtp_port = 0
        self.label = ""

    def _append_log(self, text_: str) -> None:
        with open(self.log_path, "a", encoding="utf-8") as f:
            f.write(text_)

    def create_key(self) -> str:
        self._append_log(f"\n===== mail-interop: keys create ({time.strftime('%H:%M:%S')}) =====\n")
        res = subprocess.run([self.binary, "keys", "create", "--role", "admin", "--name", "mail-interop",
                              *self.storage], capture_output=True, text=True, timeout=180)
        self._append_log(res.stderr)
        found = [ln.strip() for ln in res.stdout.splitlines() if ln.strip()]
        if res.returncode != 0 or not found:
            self._append_log(res.stdout)
            raise TestAbort(f"'rapport keys create' exited with {res.returncode}")
        self.key = found[-1]
        return self.key

    def start(self, label: str, smtp_args: list[str], env: dict[str, str] | None = None) -> None:
        self.label = label
        self.port = free_port()
        self.smtp_port = free_port()
        self._append_log(f"\n===== mail-interop: serve, {label} ({time.strftime('%H:%M:%S')}) =====\n")
        cmd = [self.binary, "serve", "--host", "127.0.0.1", "--port", str(self.port), *self.storage,
               "--smtp-port", str(self.smtp_port), *smtp_args]
        environment = {**os.environ, **(env or {})}
        with open(self.log_path, "ab") as logf:
            self.proc = subprocess.Popen(cmd, stdout=logf, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                         env=environment)
        log(f"{label} server started (pid {self.proc.pid}, HTTP {self.port}, SMTP {self.smtp_port})")

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

    def wait_smtp(self) -> float:
        """Connects until the SMTP port answers with a 220 banner (a deadline loop, no fixed sleep)."""
        assert self.proc is not None
        t0 = time.monotonic()
        last = ""
        while time.monotonic() - t0 < SMTP_READY_TIMEOUT:
            if self.proc.poll() is not None:
                raise TestAbort(f"server exited with {self.proc.returncode} before its SMTP port opened")
            client = smtplib.SMTP(local_hostname=CLIENT_NAME, timeout=3)
            try:
                code, banner = client.connect("127.0.0.1", self.smtp_port)
                if code == 220:
                    try:
                        client.quit()
                    except (smtplib.SMTPException, OSError):
                        pass
                    return time.monotonic() - t0
                last = f"banner {code} {text(banner)}"
            except (OSError, smtplib.SMTPException) as e:
                last = f"{type(e).__name__}: {e}"
            finally:
                client.close()
            time.sleep(0.1)
        raise TestAbort(f"SMTP port {self.smtp_port} not answering after {SMTP_READY_TIMEOUT:.0f}s (last: {last})")

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

    def _connection(self) -> http.client.HTTPConnection:
        conn = getattr(self.local, "conn", None)
        if conn is None:
            conn = self.local.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=HTTP_TIMEOUT)
        return conn

    def request(self, method: str, path: str, body=None) -> tuple[int, dict[str, str], bytes]:
        """(status, lower-cased headers, body bytes); one retry on a stale connection."""
        payload = json.dumps(body).encode() if body is not None else None
        headers = {"Authorization": f"Bearer {self.key}"}
        if payload is not None:
            headers["Content-Type"] = "application/json"
        for attempt in (1, 2):
            conn = self._connection()
            try:
                conn.request(method, path, body=payload, headers=headers)
                resp = conn.getresponse()
                raw = resp.read()
                return resp.status, {k.lower(): v for k, v in resp.getheaders()}, raw
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                conn.close()
                self.local.conn = None
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def json(self, method: str, path: str, body=None) -> tuple[int, object]:
        status, _, raw = self.request(method, path, body)
        try:
            parsed = json.loads(raw) if raw else None
        except ValueError:
            parsed = None
        return status, parsed

    def get_json(self, path: str) -> dict:
        status, parsed = self.json("GET", path)
        if status != 200 or not isinstance(parsed, dict):
            raise TestAbort(f"GET {path} -> HTTP {status}: {str(parsed)[:300]}")
        return parsed

    def post_json(self, path: str, body: dict, expect: int = 201) -> dict:
        status, parsed = self.json("POST", path, body)
        if status != expect or not isinstance(parsed, dict):
            raise TestAbort(f"POST {path} -> HTTP {status}: {str(parsed)[:300]}")
        return parsed

    def interactions(self, channel_id: str | None = None, external_id: str | None = None,
                     customer_id: str | None = None) -> list[dict]:
        """Every interaction the filters select, page by page."""
        query = {"limit": "500"}
        if channel_id:
            query["channel_id"] = channel_id
        if external_id:
            query["external_id"] = external_id
        if customer_id:
            query["customer_id"] = customer_id
        out: list[dict] = []
        cursor = None
        for _ in range(1000):
            page = self.get_json("/v1/interactions?" + urllib.parse.urlencode({**query, **({"cursor": cursor} if cursor else {})}))
            out += [item for item in page.get("data") or [] if isinstance(item, dict)]
            cursor = page.get("next_cursor")
            if not cursor:
                break
        return out

    def customer_by_email(self, address: str) -> tuple[int, dict | None]:
        status, parsed = self.json("GET", "/v1/customers/lookup?" + urllib.parse.urlencode({"email": address}))
        return status, parsed if isinstance(parsed, dict) else None

    def conversations(self, customer_id: str) -> list[dict]:
        page = self.get_json("/v1/conversations?" + urllib.parse.urlencode({"customer_id": customer_id, "limit": "100"}))
        return [c for c in page.get("data") or [] if isinstance(c, dict)]


class Reads:
    """Read-your-writes bookkeeping: a message answered 250 must be listed on the first read after it."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.looked = 0
        self.late: list[str] = []

    def interactions(self, api: Api, external_id: str, label: str, channel_id: str | None = None) -> list[dict]:
        """The interactions with `external_id`; retried up to VISIBLE_TIMEOUT, and a retry is recorded."""
        t0 = time.monotonic()
        reads = 0
        while True:
            reads += 1
            found = api.interactions(channel_id=channel_id, external_id=external_id)
            if found or time.monotonic() - t0 >= VISIBLE_TIMEOUT:
                break
            time.sleep(0.1)
        with self.lock:
            self.looked += 1
            if reads > 1:
                waited = time.monotonic() - t0
                self.late.append(f"{label}: listed after {reads} reads, {waited:.2f}s" if found
                                 else f"{label}: not listed within {waited:.1f}s")
        return found

    def resource(self, api: Api, path: str, label: str) -> tuple[int, dict[str, str], bytes]:
        """GET `path`; a 404 is retried up to VISIBLE_TIMEOUT, and a retry is recorded."""
        t0 = time.monotonic()
        reads = 0
        while True:
            reads += 1
            status, headers, body = api.request("GET", path)
            if status != 404 or time.monotonic() - t0 >= VISIBLE_TIMEOUT:
                break
            time.sleep(0.1)
        with self.lock:
            self.looked += 1
            if reads > 1:
                self.late.append(f"{label}: HTTP {status} after {reads} reads, {time.monotonic() - t0:.2f}s")
        return status, headers, body


# --------------------------------------------------------------------------- #
# smtplib, remembering what it sent
# --------------------------------------------------------------------------- #

class Client(smtplib.SMTP):
    """smtplib's own client; it remembers the banner, and `data` the message as given (before
    dot-stuffing), which is what the server must store, and the final reply.

    Give the host to the constructor (not to a later connect()): smtplib takes the TLS server name
    for STARTTLS from it."""

    def __init__(self, *args, **kwargs) -> None:
        self.sent: list[bytes] = []
        self.replies: list[tuple[int, bytes]] = []
        self.banner: tuple[int, bytes] = (0, b"")
        kwargs.setdefault("local_hostname", CLIENT_NAME)
        kwargs.setdefault("timeout", SMTP_TIMEOUT)
        super().__init__(*args, **kwargs)

    def connect(self, host="localhost", port=0, source_address=None):
        self.banner = super().connect(host, port, source_address)
        return self.banner

    def data(self, msg):
        raw = msg if isinstance(msg, bytes) else msg.encode("ascii")
        code, reply = super().data(msg)
        # smtplib sends bytes as they are and adds a CRLF when the last line has none.
        self.sent.append(raw if raw.endswith(b"\r\n") else raw + b"\r\n")
        self.replies.append((code, reply))
        return code, reply

    def last_reply(self) -> tuple[int, bytes]:
        return self.replies[-1] if self.replies else (0, b"")


def connect(port: int, host: str = "127.0.0.1") -> Client:
    """A client connected to the server, past its 220 banner (smtplib raises SMTPConnectError otherwise)."""
    return Client(host, port)


def quit_quietly(client: smtplib.SMTP) -> None:
    try:
        client.quit()
    except (smtplib.SMTPException, OSError):
        client.close()


def queued_id(reply: bytes) -> str | None:
    """The mail id in '250 2.0.0 Ok: queued as <id>' (angle brackets optional)."""
    found = re.search(rb"queued as\s+<?([^\s<>]+)>?", reply or b"", re.IGNORECASE)
    return found.group(1).decode("utf-8", "replace") if found else None


def refusal(error: Exception) -> tuple[int, str]:
    """(code, reply) of whatever smtplib raised for a refused message; (0, description) otherwise."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        refused = list(error.recipients.values())
        if refused:
            return refused[0][0], text(refused[0][1])
    if isinstance(error, smtplib.SMTPResponseException):
        return error.smtp_code, text(error.smtp_error)
    return 0, f"{type(error).__name__}: {error}"


def dot_stuff(message: bytes) -> bytes:
    """RFC 5321 4.5.2: a line that begins with '.' gets one more; then the end-of-data line."""
    if not message.endswith(b"\r\n"):
        message += b"\r\n"
    return re.sub(rb"(?m)^\.", b"..", message) + b".\r\n"


# --------------------------------------------------------------------------- #
# Messages
# --------------------------------------------------------------------------- #

def wire(msg: EmailMessage) -> bytes:
    """The message as smtplib's send_message puts it on the wire (CRLF line ends)."""
    return msg.as_bytes(policy=msg.policy.clone(linesep="\r\n"))


def raw_message(sender: str, recipient: str, subject: str, message_id: str, body: str,
                sender_name: str | None = None) -> bytes:
    """A plain text message built by hand, CRLF line ends, UTF-8 8bit body."""
    head = [
        f"From: {email.utils.formataddr((sender_name, sender), charset='utf-8') if sender_name else sender}",
        f"To: {recipient}",
        f"Subject: {Header(subject, 'utf-8').encode(linesep=CRLF) if not subject.isascii() else subject}",
        f"Date: {email.utils.formatdate(localtime=True)}",
        f"Message-ID: <{message_id}>",
        "MIME-Version: 1.0",
        "Content-Type: text/plain; charset=UTF-8",
        "Content-Transfer-Encoding: 8bit",
    ]
    text_body = body.replace("\r\n", "\n").replace("\n", "\r\n")
    if not text_body.endswith("\r\n"):
        text_body += "\r\n"
    return ("\r\n".join(head) + "\r\n\r\n").encode("ascii") + text_body.encode("utf-8")


@dataclass
class Context:
    checks: Checks
    api: Api
    reads: Reads
    server: Server
    run_id: str
    rng: random.Random
    tmp: str
    channel_id: str = ""
    address: str = ""
    notes: list[str] = field(default_factory=list)
    # Filled by check 2 for check 4
    first: dict = field(default_factory=dict)

    @property
    def smtp_port(self) -> int:
        return self.server.smtp_port

    def sender(self, who: str) -> str:
        return f"{who}-{self.run_id}@client.example"

    def message_id(self, tag: str) -> str:
        return f"{tag}-{self.run_id}@interop.example"


def deliver(ctx: Context, name: str, send) -> tuple[Client | None, int, bytes, str]:
    """Runs `send(client)` on a new connection; (client after QUIT, final code, reply, problem)."""
    client = None
    try:
        client = connect(ctx.smtp_port)
        send(client)
        code, reply = client.last_reply()
        quit_quietly(client)
        return client, code, reply, ""
    except (smtplib.SMTPException, OSError, TestAbort) as e:
        if client is not None:
            client.close()
        code, reply = refusal(e)
        return client, code, reply.encode(), f"{name}: {code} {reply}"


def check_stored_once(ctx: Context, name: str, external_id: str, label: str) -> dict | None:
    found = ctx.reads.interactions(ctx.api, external_id, label, channel_id=ctx.channel_id)
    ctx.checks.check(name, len(found) == 1, f"{len(found)} interactions with external_id {external_id!r}")
    return found[0] if len(found) == 1 else None


def check_raw(ctx: Context, name: str, mail_id: str | None, sent: bytes, label: str) -> None:
    if not mail_id:
        ctx.checks.check(name, False, "no mail id in the 250 reply")
        return
    status, headers, body = ctx.reads.resource(ctx.api, f"/v1/mail-messages/{urllib.parse.quote(mail_id)}/raw", label)
    ctype = headers.get("content-type", "")
    difference = ""
    if status == 200 and body != sent:
        at = next((i for i in range(min(len(body), len(sent))) if body[i] != sent[i]), min(len(body), len(sent)))
        difference = (f"{len(body)} bytes stored, {len(sent)} sent, first difference at byte {at}: "
                      f"stored {body[max(0, at - 20):at + 20]!r}, sent {sent[max(0, at - 20):at + 20]!r}")
    ctx.checks.check(name, status == 200 and ctype.lower().startswith("message/rfc822") and body == sent,
                     f"HTTP {status}, content type {ctype!r}" + (f"; {difference}" if difference else ""))


def mail_message(ctx: Context, mail_id: str | None, label: str) -> tuple[dict, str]:
    """GET /v1/mail-messages/{id}: (the object, '') or ({}, what went wrong) for the check to report."""
    if not mail_id:
        return {}, "no mail id in the 250 reply"
    status, _, body = ctx.reads.resource(ctx.api, f"/v1/mail-messages/{urllib.parse.quote(mail_id)}", label)
    try:
        parsed = json.loads(body) if status == 200 else None
    except ValueError:
        parsed = None
    if not isinstance(parsed, dict):
        return {}, f"GET /v1/mail-messages/{mail_id} -> HTTP {status}: {text(body)[:200]}"
    return parsed, ""


def same_message_id(value, message_id: str) -> bool:
    return isinstance(value, str) and value.strip().strip("<>") == message_id


def nothing_stored(ctx: Context, external_ids: list[str]) -> list[str]:
    """The ids among `external_ids` that some interaction (any channel) carries."""
    return [i for i in external_ids if ctx.api.interactions(external_id=i)]


# --------------------------------------------------------------------------- #
# 1. The session: banner, EHLO, commands in and out of order
# --------------------------------------------------------------------------- #

def phase_session(ctx: Context, hostname: str, size: int, tls: bool) -> None:
    checks = ctx.checks
    try:
        client = connect(ctx.smtp_port)
    except smtplib.SMTPConnectError as e:
        checks.check(f"banner: 220 naming {hostname!r}", False, f"{e.smtp_code} {text(e.smtp_error)!r}")
        return
    code, banner = client.banner
    try:
        checks.check(f"banner: 220 naming {hostname!r}", code == 220 and hostname.encode() in banner,
                     f"{code} {text(banner)!r}")
        ehlo_code, greeting = client.ehlo()
        features = client.esmtp_features
        first_line = text(greeting).splitlines()[0] if greeting else ""
        checks.check(f"EHLO: 250, its first line names {hostname!r}", ehlo_code == 250 and first_line.split()[:1] == [hostname],
                     f"{ehlo_code} {first_line!r}")
        wanted = ["8bitmime", "pipelining", "enhancedstatuscodes", "smtputf8"]
        missing = [w.upper() for w in wanted if w not in features]
        advertised = features.get("size", "").strip()
        checks.check(f"EHLO advertises SIZE {size}, 8BITMIME, PIPELINING, ENHANCEDSTATUSCODES, SMTPUTF8",
                     not missing and advertised == str(size),
                     f"SIZE {advertised!r}, missing {missing}, all: {sorted(features)}")
        if tls:
            checks.check("EHLO advertises STARTTLS (TLS configured)", "starttls" in features, f"{sorted(features)}")
        else:
            checks.check("EHLO does not advertise STARTTLS (no TLS configured)", "starttls" not in features,
                         f"{sorted(features)}")
    finally:
        quit_quietly(client)


def phase_commands(ctx: Context) -> None:
    checks = ctx.checks
    sender = ctx.sender("commands")
    # Out of order before any greeting, then after one.
    client = connect(ctx.smtp_port)
    try:
        before_ehlo = client.docmd("MAIL", f"FROM:<{sender}>")
        helo = client.helo(CLIENT_NAME)
        rcpt_first = client.docmd("RCPT", f"TO:<{ctx.address}>")
        mail = client.docmd("MAIL", f"FROM:<{sender}>")
        data_first = client.docmd("DATA")
        if data_first[0] == 354:  # wrongly accepted: end the (empty) message so the session goes on
            client.send(b".\r\n")
            client.getreply()
        noop = client.noop()
        rset = client.rset()
        unknown = client.docmd("XFROBNICATE", "now")
        quit_reply = client.docmd("QUIT")
    finally:
        client.close()
    checks.check("MAIL before HELO/EHLO: 503", before_ehlo[0] == 503, f"{before_ehlo[0]} {text(before_ehlo[1])}")
    checks.check("HELO: 250", helo[0] == 250, f"{helo[0]} {text(helo[1])}")
    checks.check("RCPT before MAIL: 503", rcpt_first[0] == 503, f"{rcpt_first[0]} {text(rcpt_first[1])}")
    checks.check("MAIL after HELO: 250", mail[0] == 250, f"{mail[0]} {text(mail[1])}")
    checks.check("DATA before any RCPT: 503 (or 554, no valid recipients)", data_first[0] in (503, 554),
                 f"{data_first[0]} {text(data_first[1])}")
    checks.check("NOOP and RSET: 250", noop[0] == 250 and rset[0] == 250, f"NOOP {noop[0]}, RSET {rset[0]}")
    checks.check("unknown command: 500 or 502", unknown[0] in (500, 502), f"{unknown[0]} {text(unknown[1])}")
    checks.check("QUIT: 221", quit_reply[0] == 221, f"{quit_reply[0]} {text(quit_reply[1])}")


# --------------------------------------------------------------------------- #
# 2. A plain message through send_message, then raw bytes through sendmail
# --------------------------------------------------------------------------- #

PLAIN_SUBJECT = "Pedido 1234 — 订单没有到"
PLAIN_NEW_TEXT = ("Olá, equipe!\n\n"
                  "Meu pedido 1234 ainda não chegou.\n"
                  ".Esta linha começa com um ponto.\n"
                  "..E esta com dois.")
PLAIN_SIGNATURE = "Ana Lima\nCliente desde 2019"


def phase_plain(ctx: Context) -> None:
    checks, api = ctx.checks, ctx.api
    sender = ctx.sender("ana")
    mid = ctx.message_id("plain")
    msg = EmailMessage()
    msg["From"] = email.utils.formataddr(("Ana Lima", sender))
    msg["To"] = email.utils.formataddr(("Suporte", ctx.address))
    msg["Subject"] = PLAIN_SUBJECT
    msg["Date"] = email.utils.formatdate(localtime=True)
    msg["Message-ID"] = f"<{mid}>"
    msg.set_content(PLAIN_NEW_TEXT + "\n\n-- \n" + PLAIN_SIGNATURE + "\n", cte="8bit")

    client, code, reply, problem = deliver(ctx, "send_message", lambda c: (c.ehlo(), c.send_message(msg)))
    mail_id = queued_id(reply)
    checks.check("send_message (UTF-8 subject, 8bit body): 250 2.0.0 queued as <mail id>",
                 not problem and code == 250 and reply.startswith(b"2.0.0") and mail_id is not None,
                 problem or f"{code} {text(reply)}")
    if problem or client is None or not client.sent:
        raise TestAbort("the plain message was not accepted")
    sent = client.sent[-1]
    if b"\r\n.Esta" not in sent:
        ctx.notes.append("the plain message had no line beginning with '.' (dot-stuffing untested by it)")

    item = check_stored_once(ctx, "the message is one interaction on the email channel", mid, "plain message")
    if item is None:
        raise TestAbort("no interaction for the plain message")
    checks.check("interaction: kind email, direction inbound, subject decoded",
                 item.get("kind") == "email" and item.get("direction") == "inbound" and item.get("subject") == PLAIN_SUBJECT,
                 f"kind {item.get('kind')!r}, direction {item.get('direction')!r}, subject {item.get('subject')!r}")
    body = lines(item.get("body"))
    checks.check("interaction body: the new text, dot-stuffing undone, signature separated out",
                 body == PLAIN_NEW_TEXT and "Cliente desde 2019" not in body, f"body {body!r}")
    meta = item.get("metadata") if isinstance(item.get("metadata"), dict) else {}
    wrong = []
    if meta.get("mail_message_id") != mail_id:
        wrong.append(f"mail_message_id {meta.get('mail_message_id')!r} (queued as {mail_id!r})")
    if not same_message_id(meta.get("message_id"), mid):
        wrong.append(f"message_id {meta.get('message_id')!r}")
    if not meta.get("thread_id"):
        wrong.append(f"thread_id {meta.get('thread_id')!r}")
    if str(meta.get("from", "")).lower() != sender:
        wrong.append(f"from {meta.get('from')!r}")
    if meta.get("from_name") != "Ana Lima":
        wrong.append(f"from_name {meta.get('from_name')!r}")
    if meta.get("attachments") not in ([], None):
        wrong.append(f"attachments {meta.get('attachments')!r}")
    if meta.get("flags") is not None and (not isinstance(meta["flags"], list) or "malformed" in meta["flags"]):
        wrong.append(f"flags {meta.get('flags')!r}")
    checks.check("interaction metadata: mail_message_id, message_id, thread_id, from, from_name, no attachments, flags",
                 not wrong, "; ".join(wrong))
    checks.check("external_id is the Message-ID without angle brackets", item.get("external_id") == mid,
                 f"{item.get('external_id')!r}")

    status, customer = api.customer_by_email(sender)
    checks.check("the sender is a customer found by email lookup, named from the From display name",
                 status == 200 and customer is not None and customer.get("name") == "Ana Lima"
                 and customer.get("id") == item.get("customer_id"),
                 f"HTTP {status}, name {(customer or {}).get('name')!r}, id {(customer or {}).get('id')!r} "
                 f"(interaction's customer {item.get('customer_id')!r})")

    ctx.first = {"message_id": mid, "subject": PLAIN_SUBJECT, "sender": sender, "customer_id": item.get("customer_id"),
                 "thread_id": meta.get("thread_id"), "interaction_id": item.get("id")}

    stored, failure = mail_message(ctx, mail_id, "plain mail message")
    wrong = [failure] if failure else plain_mail_problems(ctx, stored, item, mail_id, mid, sender, len(sent))
    checks.check("GET /v1/mail-messages/{id}: ids, subject, from, to, text, signature, size", not wrong,
                 "; ".join(wrong))
    check_raw(ctx, "GET /v1/mail-messages/{id}/raw: exactly the bytes smtplib gave DATA (message/rfc822)",
              mail_id, sent, "plain raw")


def plain_mail_problems(ctx: Context, stored: dict, item: dict, mail_id: str, mid: str, sender: str, size: int) -> list[str]:
    """What GET /v1/mail-messages/{id} got wrong about check 2's message."""
    wrong = []
    for key, want in (("id", mail_id), ("channel_id", ctx.channel_id), ("interaction_id", item.get("id")),
                      ("customer_id", item.get("customer_id")), ("subject", PLAIN_SUBJECT), ("size", size)):
        if stored.get(key) != want:
            wrong.append(f"{key} {stored.get(key)!r} != {want!r}")
    if not same_message_id(stored.get("message_id"), mid):
        wrong.append(f"message_id {stored.get('message_id')!r}")
    sender_obj = stored.get("from") if isinstance(stored.get("from"), dict) else {}
    if sender_obj.get("name") != "Ana Lima" or str(sender_obj.get("address", "")).lower() != sender:
        wrong.append(f"from {stored.get('from')!r}")
    if ctx.address not in json.dumps(stored.get("to")).lower():
        wrong.append(f"to {stored.get('to')!r}")
    if lines(stored.get("text")) != PLAIN_NEW_TEXT:
        wrong.append(f"text {stored.get('text')!r}")
    if "Cliente desde 2019" not in str(stored.get("signature") or ""):
        wrong.append(f"signature {stored.get('signature')!r}")
    if stored.get("in_reply_to") or stored.get("references"):
        wrong.append(f"in_reply_to {stored.get('in_reply_to')!r}, references {stored.get('references')!r}")
    if not stored.get("received_at"):
        wrong.append("no received_at")
    return wrong


RAW_BODY = ("Bom dia,\n"
            ".\n"
            ".a lone dot above, a dot here\n"
            "..two dots\n"
            "...three dots\n"
            "Fatura nº 7 — 发票\n"
            ". \n"
            "fim\n")


def phase_raw_bytes(ctx: Context) -> None:
    checks = ctx.checks
    sender = ctx.sender("bruno")
    mid = ctx.message_id("raw")
    subject = "发票 #2 的问题"
    raw = raw_message(sender, ctx.address, subject, mid, RAW_BODY, sender_name="Bruno Araújo")
    upper = ctx.address.upper()
    client, code, reply, problem = deliver(
        ctx, "sendmail", lambda c: (c.ehlo(), c.sendmail(sender, [upper], raw, mail_options=["BODY=8BITMIME"])))
    mail_id = queued_id(reply)
    checks.check("sendmail of hand-built bytes (BODY=8BITMIME, RCPT TO in upper case): 250",
                 not problem and code == 250 and mail_id is not None, problem or f"{code} {text(reply)}")
    if problem:
        return
    item = check_stored_once(ctx, "stored as one interaction (the address matched case-insensitively)", mid, "raw message")
    check_raw(ctx, "raw endpoint returns the bytes byte for byte (lone '.' line, leading dots, 8-bit body)",
              mail_id, raw, "raw message raw")
    if item is not None:
        checks.check("encoded-word subject decoded", item.get("subject") == subject, f"{item.get('subject')!r}")
        status, customer = ctx.api.customer_by_email(sender)
        checks.check("customer named from the RFC 2047 display name (Bruno Araújo)",
                     status == 200 and customer is not None and customer.get("name") == "Bruno Araújo",
                     f"HTTP {status}, name {(customer or {}).get('name')!r}")


# --------------------------------------------------------------------------- #
# 3. An attachment
# --------------------------------------------------------------------------- #

def phase_attachment(ctx: Context) -> None:
    checks, api = ctx.checks, ctx.api
    sender = ctx.sender("carla")
    mid = ctx.message_id("attachment")
    filename = "报价单 2024年 (v2).pdf"
    pdf = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n" + ctx.rng.randbytes(24_000) + b"\n%%EOF\n"
    msg = EmailMessage()
    msg["From"] = email.utils.formataddr(("Carla Souza", sender))
    msg["To"] = ctx.address
    msg["Subject"] = "Cotação em anexo"
    msg["Date"] = email.utils.formatdate(localtime=True)
    msg["Message-ID"] = f"<{mid}>"
    msg.set_content("Segue a cotação em anexo.\n")
    msg.add_attachment(pdf, maintype="application", subtype="pdf", filename=filename)
    if "filename*=" not in wire(msg).decode("ascii", "replace"):
        ctx.notes.append("the email package did not write an RFC 2231 filename*= parameter")

    client, code, reply, problem = deliver(ctx, "send_message", lambda c: (c.ehlo(), c.send_message(msg)))
    mail_id = queued_id(reply)
    checks.check(f"multipart with a {len(pdf)}-byte binary attachment: 250", not problem and code == 250 and mail_id,
                 problem or f"{code} {text(reply)}")
    if problem or client is None:
        return
    item = check_stored_once(ctx, "the multipart is one interaction", mid, "attachment message")
    if item is None:
        return
    checks.check("its body is the text part, not the attachment", lines(item.get("body")) == "Segue a cotação em anexo.",
                 f"{str(item.get('body'))[:120]!r}")
    listed = (item.get("metadata") or {}).get("attachments")
    entry = listed[0] if isinstance(listed, list) and len(listed) == 1 and isinstance(listed[0], dict) else {}
    checks.check("interaction metadata lists the attachment: RFC 2231 filename decoded, application/pdf, size",
                 entry.get("filename") == filename and str(entry.get("content_type", "")).lower().startswith("application/pdf")
                 and entry.get("size") == len(pdf) and bool(entry.get("id")), f"{listed!r}")
    stored, failure = mail_message(ctx, mail_id, "attachment mail message")
    attachments = stored.get("attachments") if isinstance(stored.get("attachments"), list) else []
    same = [a for a in attachments if isinstance(a, dict) and a.get("id") == entry.get("id")]
    checks.check("GET /v1/mail-messages/{id} lists the same attachment",
                 len(attachments) == 1 and bool(same) and same[0].get("filename") == filename and same[0].get("size") == len(pdf),
                 failure or f"{attachments!r}")
    if entry.get("id"):
        path = (f"/v1/mail-messages/{urllib.parse.quote(mail_id)}/attachments/"
                f"{urllib.parse.quote(str(entry['id']))}")
        status, headers, body = ctx.reads.resource(api, path, "attachment bytes")
        ctype = headers.get("content-type", "")
        checks.check("the attachment endpoint returns the same bytes as application/pdf",
                     status == 200 and body == pdf and ctype.lower().startswith("application/pdf"),
                     f"HTTP {status}, {ctype!r}, {len(body)} bytes (sent {len(pdf)}), equal: {body == pdf}")
    else:
        checks.check("the attachment endpoint returns the same bytes as application/pdf", False, "no attachment id")
    check_raw(ctx, "raw endpoint returns the multipart byte for byte", mail_id, client.sent[-1], "attachment raw")


# --------------------------------------------------------------------------- #
# 4. A reply joins the conversation
# --------------------------------------------------------------------------- #

def wait_conversations(api: Api, customer_id: str, done) -> tuple[list[dict], int, float]:
    t0 = time.monotonic()
    reads = 0
    while True:
        reads += 1
        found = api.conversations(customer_id)
        if done(found) or time.monotonic() - t0 >= CONVERSATION_TIMEOUT:
            return found, reads, time.monotonic() - t0
        time.sleep(0.2)


def describe(conversations: list[dict]) -> str:
    return sample([(c.get("id"), c.get("interaction_count"), c.get("subject")) for c in conversations], 4)


def phase_reply(ctx: Context) -> None:
    checks, api = ctx.checks, ctx.api
    first = ctx.first
    if not first:
        raise TestAbort("check 2's message is missing: nothing to reply to")
    mid = ctx.message_id("reply")
    msg = EmailMessage()
    msg["From"] = email.utils.formataddr(("Ana Lima", first["sender"]))
    msg["To"] = ctx.address
    msg["Subject"] = "Re: " + first["subject"]
    msg["Date"] = email.utils.formatdate(localtime=True)
    msg["Message-ID"] = f"<{mid}>"
    msg["In-Reply-To"] = f"<{first['message_id']}>"
    msg["References"] = f"<{first['message_id']}>"
    msg.set_content("Chegou hoje, obrigada!\n\n"
                    "Em seg., 3 de mar., Ana Lima escreveu:\n"
                    "> Meu pedido 1234 ainda não chegou.\n"
                    "> Pode verificar?\n", cte="8bit")
    client, code, reply, problem = deliver(ctx, "send_message", lambda c: (c.ehlo(), c.send_message(msg)))
    mail_id = queued_id(reply)
    checks.check("reply with In-Reply-To/References: 250", not problem and code == 250, problem or f"{code} {text(reply)}")
    if problem:
        return
    item = check_stored_once(ctx, "the reply is one interaction", mid, "reply")
    if item is None:
        return
    meta = item.get("metadata") or {}
    checks.check("the reply carries the first message's thread_id",
                 bool(first.get("thread_id")) and meta.get("thread_id") == first["thread_id"],
                 f"{meta.get('thread_id')!r} vs {first.get('thread_id')!r}")
    checks.check("the reply's body is its new text, the quoted lines separated out",
                 lines(item.get("body")).startswith("Chegou hoje, obrigada!") and "pedido 1234" not in str(item.get("body")),
                 f"{item.get('body')!r}")
    stored, failure = mail_message(ctx, mail_id, "reply mail message")
    references = stored.get("references")
    ref_text = json.dumps(references) if not isinstance(references, str) else references
    checks.check("GET /v1/mail-messages/{id}: in_reply_to and references name the first message, quoted kept",
                 same_message_id(stored.get("in_reply_to"), first["message_id"]) and first["message_id"] in ref_text
                 and "pedido 1234" in str(stored.get("quoted") or ""),
                 failure or f"in_reply_to {stored.get('in_reply_to')!r}, references {references!r}, quoted {stored.get('quoted')!r}")

    conversations, reads, waited = wait_conversations(
        api, first["customer_id"], lambda found: any(c.get("interaction_count") == 2 for c in found))
    joined = [c for c in conversations if c.get("interaction_count") == 2]
    checks.check("the reply joined the first message's conversation (interaction_count 2)",
                 len(joined) == 1 and len(conversations) == 1,
                 f"{describe(conversations)}" + (f" after {reads} reads, {waited:.1f}s" if reads > 1 else ""))

    # Informational: a new subject without references from the same customer. The interface leaves
    # open whether the server threads it by time window (joins) or opens a new conversation.
    other = ctx.message_id("new-topic")
    raw = raw_message(first["sender"], ctx.address, "Outra dúvida: troca de endereço", other,
                      "Quero mudar o endereço de entrega.\n", sender_name="Ana Lima")
    _, code, reply, problem = deliver(ctx, "sendmail", lambda c: (c.ehlo(), c.sendmail(first["sender"], [ctx.address], raw)))
    if problem:
        checks.check("a new subject from the same sender: 250", False, problem)
        return
    check_stored_once(ctx, "a new subject from the same sender is one interaction", other, "new topic")
    conversations, _, _ = wait_conversations(api, first["customer_id"],
                                             lambda found: sum(int(c.get("interaction_count") or 0) for c in found) >= 3)
    outcome = ("opened a new conversation" if len(conversations) == 2
               else "joined the existing conversation" if len(conversations) == 1 else "?")
    log(f"informational: a new subject without references from the same sender {outcome}: {describe(conversations)}")
    ctx.notes.append(f"a new subject without references from the same sender {outcome}")


# --------------------------------------------------------------------------- #
# 5. Unknown recipients
# --------------------------------------------------------------------------- #

def phase_unknown_recipient(ctx: Context) -> None:
    checks = ctx.checks
    sender = ctx.sender("unknown")
    nobody = f"nobody-{ctx.run_id}@acme.example"
    mid = ctx.message_id("unknown")
    raw = raw_message(sender, nobody, "Para ninguém", mid, "Ninguém lê isto.\n")
    client = connect(ctx.smtp_port)
    error: Exception | None = None
    try:
        client.ehlo()
        client.sendmail(sender, [nobody], raw)
    except smtplib.SMTPException as e:
        error = e
    finally:
        quit_quietly(client)
    code, reply = refusal(error) if error else (250, "accepted")
    checks.check("unknown recipient: SMTPRecipientsRefused with 550 5.1.1",
                 isinstance(error, smtplib.SMTPRecipientsRefused) and code == 550 and reply.startswith("5.1.1"),
                 f"{type(error).__name__ if error else 'no error'}: {code} {reply}")
    checks.check("nothing stored for it", not nothing_stored(ctx, [mid]))

    mixed = ctx.message_id("mixed")
    raw = raw_message(sender, ctx.address, "Um destinatário bom, um não", mixed, "Só um de nós existe.\n")
    client = connect(ctx.smtp_port)
    try:
        client.ehlo()
        refused = client.sendmail(sender, [nobody, ctx.address], raw)
        code, reply = client.last_reply()
        problem = ""
    except smtplib.SMTPException as e:
        refused, (code, problem) = {}, refusal(e)
        reply = b""
    finally:
        quit_quietly(client)
    checks.check("one unknown and one good recipient: 250, only the unknown one refused (550)",
                 not problem and code == 250 and list(refused) == [nobody] and refused[nobody][0] == 550,
                 problem or f"{code} {text(reply)}; refused {refused!r}")
    if not problem:
        check_stored_once(ctx, "that message is stored once", mixed, "mixed recipients")


# --------------------------------------------------------------------------- #
# 6. The size limit
# --------------------------------------------------------------------------- #

def big_message(ctx: Context, sender: str, mid: str, size: int) -> bytes:
    line = "Linha de enchimento para passar do limite de tamanho — 0123456789 abcdefghij\n"
    return raw_message(sender, ctx.address, "Grande demais", mid, line * (size // len(line.encode()) + 1))


def phase_size_limit(ctx: Context) -> None:
    checks = ctx.checks
    sender = ctx.sender("fabio")
    declared = ctx.message_id("big-declared")
    undeclared = ctx.message_id("big-undeclared")
    after = ctx.message_id("after-big")
    big1 = big_message(ctx, sender, declared, SMALL_LIMIT + 40_000)
    big2 = big_message(ctx, sender, undeclared, SMALL_LIMIT + 40_000)
    normal = raw_message(sender, ctx.address, "Depois do grande", after, "Este cabe.\n")

    client = connect(ctx.smtp_port)
    try:
        client.ehlo()
        # smtplib declares SIZE= in MAIL FROM when the server advertises SIZE.
        error: Exception | None = None
        try:
            client.sendmail(sender, [ctx.address], big1)
        except smtplib.SMTPException as e:
            error = e
        code, reply = refusal(error) if error else (250, "accepted")
        checks.check(f"{len(big1)} bytes declared with SIZE= over {SMALL_LIMIT}: refused at MAIL FROM with 552 5.3.4",
                     isinstance(error, smtplib.SMTPSenderRefused) and code == 552 and reply.startswith("5.3.4"),
                     f"{type(error).__name__ if error else 'no error'}: {code} {reply}")

        # Undeclared: MAIL without SIZE=, then the whole message in DATA.
        client.rset()
        mail = client.mail(sender)
        rcpt = client.rcpt(ctx.address)
        try:
            code, reply_bytes = client.data(big2)
            reply = text(reply_bytes)
        except smtplib.SMTPDataError as e:
            code, reply = e.smtp_code, text(e.smtp_error)
        checks.check(f"{len(big2)} bytes not declared: 552 5.3.4 at the end of DATA",
                     mail[0] == 250 and rcpt[0] == 250 and code == 552 and reply.startswith("5.3.4"),
                     f"MAIL {mail[0]}, RCPT {rcpt[0]}, DATA {code} {reply}")

        rset = client.rset()
        client.sendmail(sender, [ctx.address], normal)
        code, reply_bytes = client.last_reply()
        checks.check("the session is still usable: RSET 250, then a normal message 250",
                     rset[0] == 250 and code == 250, f"RSET {rset[0]}, message {code} {text(reply_bytes)}")
    finally:
        quit_quietly(client)
    check_stored_once(ctx, "the normal message after the refused ones is stored", after, "after big")
    stored = nothing_stored(ctx, [declared, undeclared])
    checks.check("neither oversized message was stored", not stored, sample(stored))


# --------------------------------------------------------------------------- #
# 8. Pipelining and concurrent connections
# --------------------------------------------------------------------------- #

def phase_pipelining(ctx: Context) -> None:
    """RFC 2920 command groups through smtplib's own send() and getreply(): MAIL, RCPT, DATA in one
    write; then each message's content, its end-of-data line and the next MAIL, RCPT, DATA in one write."""
    checks = ctx.checks
    sender = ctx.sender("pipe")
    mids = [ctx.message_id(f"pipe-{i}") for i in range(PIPELINED)]
    messages = [raw_message(sender, ctx.address, f"Pipelined {i}", mid, f"Mensagem {i} em lote.\n.ponto {i}\n",
                            sender_name="Pipe Line") for i, mid in enumerate(mids)]
    envelope = f"MAIL FROM:<{sender}>\r\nRCPT TO:<{ctx.address}>\r\nDATA\r\n".encode()
    client = connect(ctx.smtp_port)
    got: list[int] = []
    expected: list[int] = []
    queued: list[str | None] = []
    problem = ""
    try:
        client.ehlo()
        if not client.has_extn("pipelining"):
            raise TestAbort("PIPELINING not advertised")
        client.send(envelope)
        expected += [250, 250, 354]
        got += [client.getreply()[0] for _ in range(3)]
        for i, message in enumerate(messages):
            if got[-3:] != [250, 250, 354]:
                problem = f"group {i} answered {got[-3:]}"
                break
            last = i == len(messages) - 1
            client.send(dot_stuff(message) + (b"QUIT\r\n" if last else envelope))
            code, reply = client.getreply()
            got.append(code)
            queued.append(queued_id(reply))
            expected.append(250)
            for want in ([221] if last else [250, 250, 354]):
                got.append(client.getreply()[0])
                expected.append(want)
    except (smtplib.SMTPException, OSError) as e:
        problem = f"{type(e).__name__}: {e}"
    finally:
        client.close()
    checks.check(f"pipelining: {PIPELINED} messages in command groups over one connection, replies in order",
                 not problem and got == expected and None not in queued and len(set(queued)) == PIPELINED,
                 problem or f"replies {got}, queued {queued}")
    counts = [len(ctx.reads.interactions(ctx.api, mid, f"pipelined {i}", channel_id=ctx.channel_id))
              for i, mid in enumerate(mids)]
    checks.check("each pipelined message stored once", counts == [1] * PIPELINED, f"counts {counts}")


def phase_concurrent(ctx: Context, connections: int, per_connection: int) -> None:
    checks = ctx.checks
    tag = f"load-{ctx.run_id}-"
    start = threading.Barrier(connections)
    lock = threading.Lock()
    problems: list[str] = []
    invisible: list[str] = []
    queued: list[str] = []
    sent: list[str] = []

    def worker(c: int) -> None:
        sender = ctx.sender(f"load{c}")
        client = None
        try:
            start.wait(30)
            client = connect(ctx.smtp_port)
            client.ehlo()
            for i in range(per_connection):
                mid = f"{tag}{c}-{i}@interop.example"
                raw = raw_message(sender, ctx.address, f"Carga {c}/{i}", mid, f"Conexão {c}, mensagem {i}.\n",
                                  sender_name=f"Carga {c}")
                client.sendmail(sender, [ctx.address], raw)
                code, reply = client.last_reply()
                found = ctx.reads.interactions(ctx.api, mid, f"load {c}/{i}", channel_id=ctx.channel_id)
                with lock:
                    sent.append(mid)
                    queued.append(queued_id(reply) or f"(none in {text(reply)!r})")
                    if len(found) != 1:
                        invisible.append(f"{mid}: {len(found)} interactions")
        except (smtplib.SMTPException, OSError, threading.BrokenBarrierError, TestAbort, http.client.HTTPException) as e:
            with lock:
                problems.append(f"connection {c}: {type(e).__name__}: {e}")
        finally:
            if client is not None:
                quit_quietly(client)

    t0 = time.monotonic()
    threads = [threading.Thread(target=worker, args=(c,), name=f"smtp-{c}", daemon=True) for c in range(connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(300)
    took = time.monotonic() - t0
    total = connections * per_connection
    log(f"{len(sent)} messages over {connections} connections in {took:.1f}s")
    checks.check(f"{connections} concurrent connections x {per_connection} messages: every one answered 250",
                 not problems and len(sent) == total, f"{len(sent)} accepted; {sample(problems, 3)}")
    checks.check("each was listed (once) right after its 250", not invisible, sample(invisible, 3))
    stored = [i.get("external_id") for i in ctx.api.interactions(channel_id=ctx.channel_id)
              if str(i.get("external_id") or "").startswith(tag)]
    checks.check(f"{total} interactions, no duplicate (distinct external_id)",
                 len(stored) == total and len(set(stored)) == total and set(stored) == set(sent),
                 f"{len(stored)} stored, {len(set(stored))} distinct, {len(set(sent) - set(stored))} missing")
    checks.check("every 250 named its own mail id", len(set(queued)) == len(queued) == len(sent),
                 f"{len(set(queued))} distinct of {len(queued)}; e.g. {sample(queued, 2)}")


# --------------------------------------------------------------------------- #
# 10. The same Message-ID twice; 11. a malformed message
# --------------------------------------------------------------------------- #

def phase_retry(ctx: Context) -> None:
    checks = ctx.checks
    sender = ctx.sender("dora")
    mid = ctx.message_id("retry")
    raw = raw_message(sender, ctx.address, "Enviada duas vezes", mid, "O cliente reenviou esta mensagem.\n",
                      sender_name="Dora Reis")
    outcomes = []
    for attempt in (1, 2):  # a client retry: a new connection, the same bytes
        _, code, reply, problem = deliver(ctx, f"delivery {attempt}",
                                          lambda c: (c.ehlo(), c.sendmail(sender, [ctx.address], raw)))
        outcomes.append((code, queued_id(reply), problem))
    checks.check("the same Message-ID delivered twice: both answered 250",
                 all(code == 250 and not problem for code, _, problem in outcomes), f"{outcomes}")
    log(f"retry: mail ids {[q for _, q, _ in outcomes]} (same id twice: {outcomes[0][1] == outcomes[1][1]})")
    found = ctx.reads.interactions(ctx.api, mid, "retried message", channel_id=ctx.channel_id)
    checks.check("stored once: one interaction", len(found) == 1, f"{len(found)} interactions")


def phase_malformed(ctx: Context) -> None:
    checks = ctx.checks
    sender = ctx.sender("eva")
    mid = ctx.message_id("malformed")
    raw = ("From: Eva Torres <" + sender + ">\r\n"
           "To: " + ctx.address + "\r\n"
           "Subject: Anexo quebrado\r\n"
           "Date: " + email.utils.formatdate(localtime=True) + "\r\n"
           "Message-ID: <" + mid + ">\r\n"
           "MIME-Version: 1.0\r\n"
           "Content-Type: multipart/mixed; boundary=\"=-never-closed-=\"\r\n"
           "\r\n"
           "--=-never-closed-=\r\n"
           "Content-Type: text/plain; charset=utf-8\r\n"
           "\r\n"
           "O anexo abaixo está corrompido.\r\n"
           "--=-never-closed-=\r\n"
           "Content-Type: application/octet-stream; name=\"dados.bin\"\r\n"
           "Content-Transfer-Encoding: base64\r\n"
           "Content-Disposition: attachment; filename=\"dados.bin\"\r\n"
           "\r\n"
           "!!!! isto n~ao ** e base64 @@@@\r\n"
           "QUJD=RE=%%%\r\n"
           "====\r\n").encode("utf-8")
    client, code, reply, problem = deliver(ctx, "sendmail", lambda c: (c.ehlo(), c.sendmail(sender, [ctx.address], raw)))
    mail_id = queued_id(reply)
    checks.check("malformed multipart (no closing boundary, garbage base64): 250", not problem and code == 250,
                 problem or f"{code} {text(reply)}")
    if problem:
        return
    item = check_stored_once(ctx, "it is stored as one interaction", mid, "malformed message")
    flags = ((item or {}).get("metadata") or {}).get("flags")
    checks.check("the interaction is flagged 'malformed'", isinstance(flags, list) and "malformed" in flags, f"flags {flags!r}")
    stored, failure = mail_message(ctx, mail_id, "malformed mail message")
    checks.check("the mail message is flagged 'malformed' too",
                 isinstance(stored.get("flags"), list) and "malformed" in stored["flags"], failure or f"flags {stored.get('flags')!r}")
    check_raw(ctx, "its raw bytes are kept exactly", mail_id, raw, "malformed raw")


# --------------------------------------------------------------------------- #
# SIGTERM with an SMTP transaction open
# --------------------------------------------------------------------------- #

def phase_shutdown(ctx: Context) -> None:
    checks = ctx.checks
    client = connect(ctx.smtp_port)
    client.ehlo()
    mail = client.mail(ctx.sender("late"))
    rc, took = ctx.server.terminate()
    checks.check(f"SIGTERM with an SMTP transaction open: exit status 0 within {SHUTDOWN_TIMEOUT:.0f}s",
                 mail[0] == 250 and rc == 0, f"MAIL {mail[0]}; status {rc} after {took:.1f}s")
    try:
        code = client.noop()[0]
        state = f"NOOP answered {code}"
        closed = code == 421
    except (smtplib.SMTPServerDisconnected, OSError) as e:
        state, closed = f"{type(e).__name__}", True
    finally:
        client.close()
    checks.check("and the open session was closed (421 or disconnect)", closed, state)


# --------------------------------------------------------------------------- #
# TLS server: 9. STARTTLS, 7. the sender rate
# --------------------------------------------------------------------------- #

def make_certificate(tmp: str) -> tuple[str, str]:
    cert, key = os.path.join(tmp, "smtp-cert.pem"), os.path.join(tmp, "smtp-key.pem")
    res = subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                          "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
                          "-keyout", key, "-out", cert], capture_output=True, text=True, timeout=120)
    if res.returncode != 0:
        raise TestAbort(f"openssl req exited with {res.returncode}: {res.stderr.strip()[:300]}")
    return cert, key


def phase_starttls(ctx: Context, cert: str) -> None:
    checks = ctx.checks
    # A client that does not trust the certificate: verification fails, the server carries on.
    client = connect(ctx.smtp_port, "localhost")
    try:
        client.ehlo()
        client.starttls(context=ssl.create_default_context())
        untrusted = "handshake succeeded"
    except ssl.SSLCertVerificationError as e:
        untrusted = f"verification failed ({e.verify_message})"
    except (ssl.SSLError, smtplib.SMTPException, OSError) as e:
        untrusted = f"{type(e).__name__}: {e}"
    finally:
        client.close()
    checks.check("STARTTLS with a client that does not trust the certificate: verification fails",
                 untrusted.startswith("verification failed"), untrusted)

    sender = ctx.sender("tls")
    mid = ctx.message_id("tls")
    raw = raw_message(sender, ctx.address, "Por TLS", mid, "Enviada depois do STARTTLS.\n.ponto\n", sender_name="Tânia Luz")
    context = ssl.create_default_context(cafile=cert)  # verifies the chain and the host name "localhost"
    mail_id = None
    client = connect(ctx.smtp_port, "localhost")
    try:
        client.ehlo()
        checks.check("EHLO advertises STARTTLS", client.has_extn("starttls"), f"{sorted(client.esmtp_features)}")
        code, reply = client.starttls(context=context)
        version = client.sock.version() if isinstance(client.sock, ssl.SSLSocket) else None
        checks.check("starttls() with the certificate as CA: 220, hostname verified",
                     code == 220 and version is not None and context.check_hostname,
                     f"{code} {text(reply)}, {version}")
        ehlo_code, _ = client.ehlo()
        features = client.esmtp_features
        checks.check("the EHLO after STARTTLS is answered 250 with the extensions",
                     ehlo_code == 250 and "size" in features and "pipelining" in features, f"{ehlo_code} {sorted(features)}")
        checks.check("STARTTLS is not advertised again over TLS (RFC 3207)", "starttls" not in features,
                     f"{sorted(features)}")
        client.sendmail(sender, [ctx.address], raw)
        code, reply = client.last_reply()
        mail_id = queued_id(reply)
        checks.check("a message sent over TLS: 250", code == 250 and mail_id is not None, f"{code} {text(reply)}")
    finally:
        quit_quietly(client)
    check_stored_once(ctx, "the TLS message is stored", mid, "TLS message")
    check_raw(ctx, "its raw bytes are kept exactly", mail_id, raw, "TLS raw")


def phase_sender_rate(ctx: Context) -> None:
    checks = ctx.checks
    sender = ctx.sender("rate")
    other = ctx.sender("rate-other")
    mids = [ctx.message_id(f"rate-{i}") for i in range(SENDER_RATE + 1)]
    other_mid = ctx.message_id("rate-other")
    results: list[tuple[int, str]] = []
    client = connect(ctx.smtp_port)
    try:
        client.ehlo()
        for i, mid in enumerate(mids):
            raw = raw_message(sender, ctx.address, f"Rápida {i}", mid, f"Mensagem {i} de uma rajada.\n",
                              sender_name="Rita Rápida")
            try:
                client.sendmail(sender, [ctx.address], raw)
                code, reply = client.last_reply()
                results.append((code, text(reply)))
            except smtplib.SMTPException as e:
                results.append(refusal(e) + (type(e).__name__,))
        raw = raw_message(other, ctx.address, "Outro remetente", other_mid, "Eu não passei do limite.\n",
                          sender_name="Otávio Outro")
        try:
            client.sendmail(other, [ctx.address], raw)
            other_result = client.last_reply()[0]
        except smtplib.SMTPException as e:
            other_result = refusal(e)[0]
    finally:
        quit_quietly(client)
    first, last = results[:SENDER_RATE], results[SENDER_RATE]
    checks.check(f"sender rate {SENDER_RATE}/min: the first {SENDER_RATE} messages from one sender are accepted",
                 all(r[0] == 250 for r in first), f"{[r[0] for r in first]}")
    checks.check(f"the {SENDER_RATE + 1}th within the minute gets a temporary 4xx (450 4.7.1)",
                 400 <= last[0] < 500, f"{last}")
    checks.check("the refused message is not stored", not nothing_stored(ctx, [mids[-1]]))
    checks.check("another sender on the same session still gets through", other_result == 250, f"{other_result}")
    if other_result == 250:
        check_stored_once(ctx, "and is stored", other_mid, "other sender")


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


def start(server: Server, label: str, smtp_args: list[str], env: dict[str, str] | None = None) -> None:
    server.start(label, smtp_args, env)
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
    server = Server(os.path.abspath(args.binary), storage, os.path.join(tmp, "server.log"))
    box["server"] = server
    run_id = f"{int(time.time())}{random.randrange(16**4):04x}"
    log(f"run {run_id}; server log {server.log_path}")
    key = server.create_key()

    print("=== plain server (no TLS, --smtp-max-message-bytes 65536)", flush=True)
    start(server, "plain", ["--smtp-max-message-bytes", str(SMALL_LIMIT)])
    api = Api(server.port, key)
    ctx = Context(checks=checks, api=api, reads=Reads(), server=server, run_id=run_id, rng=random.Random(run_id), tmp=tmp)
    ctx.address = f"support-{run_id}@acme.example"
    channel = api.post_json("/v1/channels", {"kind": "email", "name": f"Support {run_id}",
                                             "settings": {"address": ctx.address}})
    ctx.channel_id = channel["id"]
    log(f"email channel {ctx.channel_id} for {ctx.address}")

    phase(ctx, "1. session and EHLO", phase_session, DEFAULT_HOSTNAME, SMALL_LIMIT, False)
    phase(ctx, "1. commands in and out of order", phase_commands)
    phase(ctx, "2. send_message of an EmailMessage", phase_plain)
    phase(ctx, "2. sendmail of raw bytes", phase_raw_bytes)
    phase(ctx, "3. attachment", phase_attachment)
    phase(ctx, "4. reply threading", phase_reply)
    phase(ctx, "5. unknown recipient", phase_unknown_recipient)
    phase(ctx, "6. size limit", phase_size_limit)
    phase(ctx, "10. the same Message-ID twice", phase_retry)
    phase(ctx, "11. malformed message", phase_malformed)
    phase(ctx, "8. pipelining", phase_pipelining)
    phase(ctx, f"8. {args.connections} concurrent connections", phase_concurrent, args.connections, args.per_connection)
    phase(ctx, "shutdown with an SMTP session open", phase_shutdown)
    server.cleanup()
    try:
        run_tls(ctx, server, key)
    finally:
        checks.check(f"read-your-writes: every message answered 250 was readable on the first read "
                     f"({ctx.reads.looked} reads)", not ctx.reads.late, sample(ctx.reads.late, 5))
        for note in ctx.notes:
            log(f"note: {note}")


def run_tls(ctx: Context, server: Server, key: str) -> None:
    print(f"=== TLS server (STARTTLS, --smtp-sender-rate {SENDER_RATE}, hostname from the environment)", flush=True)
    try:
        cert, tls_key = make_certificate(ctx.tmp)
    except (TestAbort, OSError, subprocess.SubprocessError) as e:
        ctx.checks.check("a self-signed certificate made with openssl", False, str(e))
        return
    hostname = f"mx-{ctx.run_id}.interop.example"
    start(server, "TLS", ["--smtp-host", "127.0.0.1", "--smtp-sender-rate", str(SENDER_RATE),
                          "--smtp-tls-certificate", cert, "--smtp-tls-key", tls_key],
          env={"RAPPORT_SMTP_HOSTNAME": hostname})
    ctx.api = Api(server.port, key)
    phase(ctx, "1. session and EHLO (TLS server)", phase_session, hostname, DEFAULT_LIMIT, True)
    phase(ctx, "9. STARTTLS", phase_starttls, cert)
    phase(ctx, "7. sender rate", phase_sender_rate)


def parse_args(argv=None):
    ap = argparse.ArgumentParser(description="Rapport SMTP interop test with Python's smtplib")
    ap.add_argument("--binary", required=True, help="path to the rapport executable")
    ap.add_argument("--database-url", default=None, help="PostgreSQL URL (default: SQLite in a temp dir)")
    ap.add_argument("--connections", type=int, default=20, help="concurrent SMTP connections in check 8")
    ap.add_argument("--per-connection", type=int, default=10, help="messages per connection in check 8")
    ap.add_argument("--keep", "--keep-temp", dest="keep", action="store_true",
                    help="keep the temp dir (server log, data, certificate)")
    args = ap.parse_args(argv)
    if args.connections < 1 or args.per_connection < 1:
        ap.error("--connections and --per-connection must be at least 1")
    if not (os.path.isfile(args.binary) and os.access(args.binary, os.X_OK)):
        ap.error(f"--binary {args.binary!r} is not an executable file")
    return args


def _interrupt(signum, frame) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def main(argv=None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, _interrupt)  # a CI timeout still stops the server
    checks = Checks()
    box: dict = {"tmp": tempfile.mkdtemp(prefix="rapport-mail-interop-"), "server": None}
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
    if checks.failed or args.keep:
        print(f"temp dir kept: {box['tmp']}", flush=True)
    else:
        shutil.rmtree(box["tmp"], ignore_errors=True)
    log(f"total {time.monotonic() - t0:.1f}s")
    print(f"{checks.passed} passed, {checks.failed} failed", flush=True)
    return 1 if checks.failed else 0


if __name__ == "__main__":
    sys.exit(main())
