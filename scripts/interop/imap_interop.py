#!/usr/bin/env python3
"""Interop test of Rapport's IMAP fetcher with Dovecot, an IMAP server this project did not write.

Makes a private CA and a server certificate for 127.0.0.1/localhost with the `openssl` command
line, starts a Dovecot of its own in a temp dir (on 127.0.0.1: IMAP offering STARTTLS, and IMAP
over TLS on a second port; maildir users), `rapport serve --mailbox-ca-file <the CA>` on a temp
data dir or a given PostgreSQL, makes an admin key, puts messages in the mailboxes with Python's
`imaplib` (APPEND) and checks:

 0. `rapport serve --mailbox-ca-file` naming a file that does not exist refuses to start (exit
    status not 0, a message naming mailbox-ca-file).
 1. Messages already in the mailbox (a GB2312 subject, display name and body; a UTF-8 one; a
    multipart with a binary attachment named in Chinese) are fetched once an email channel with
    `settings.imap` (plain `imap://` on loopback) is created: one interaction each with the decoded
    subject and body on the sender's customer; GET /v1/mail-messages/{id} describes the mail; /raw
    is exactly the APPENDed bytes; the attachment endpoint returns the attachment's bytes.
 2. Messages APPENDed while Rapport idles arrive within a few seconds (each latency printed, < 5 s).
 5. A reply with In-Reply-To/References naming a fetched message joins its conversation.
 3. Every message taken carries the `$RapportFetched` keyword on the server (UID FETCH FLAGS).
 9. TLS with the private CA, one more Dovecot user (mailbox) for each: a channel reading
    `imaps://127.0.0.1:<imaps port>` and one reading `imap+starttls://127.0.0.1:<imap port>` each
    fetch the message already there and one APPENDed while idling (< 5 s), once, with no
    last_error; Dovecot's log shows every login of those users was over TLS. Then SIGTERM, one
    message APPENDed to each, and a server started WITHOUT --mailbox-ca-file: both channels'
    GET /v1/channels/{id}/mailbox show a last_error saying the certificate is not trusted, and the
    messages are not fetched (nor the position moved). SIGTERM, and a server started with the CA
    given as RAPPORT_MAILBOX_CA_FILE: they arrive, once, and last_error is gone.
 7. A second channel on the same Dovecot with a wrong password: GET /v1/channels/{id}/mailbox shows
    a last_error about the login; the channel JSON never shows the password.
 8. The channel JSON (GET one, the list, the PATCH answer) never contains the password; a PATCH that
    changes only the name and sends the settings back as shown (password_set, no password) keeps
    the stored password: fetching goes on.
 4. SIGTERM while idling (exit 0) and start again: the mailbox position shows no last_error. SIGTERM
    again, two messages APPENDed while the server is down, start again on the same storage: they
    arrive, nothing is stored twice (interactions on the channel, distinct mail ids, every
    Message-ID once), position.last_uid is the mailbox's highest UID.
 6. SIGKILL while a burst of 200 APPENDed messages is being fetched (some but not all stored),
    start again: in the end all 200 are stored exactly once. A SIGKILLed server cannot give up its
    lease on the mailbox, so the restarted one may have to wait for the lease to lapse; the wait
    is measured and printed.
    Last: the mailbox passwords never appear in the server log.

The machine's trust store is not changed: only Rapport (through --mailbox-ca-file) and the test's
own imaplib connections trust the private CA.

Skips (exit 0, with a message) where Dovecot or its `dovecot` user is missing (not a Debian
machine with dovecot-imapd; `apt-get install -y -qq dovecot-imapd`), `openssl` is missing, or the
test is not run as root (a standalone Dovecot needs root to switch to its users).

One line per check, then a final line `N passed, N failed`; exit status 1 when a check failed.
Python 3.11 standard library only (imaplib, email, ssl).

    python3 scripts/interop/imap_interop.py --binary .build/debug/rapport
    python3 scripts/interop/imap_interop.py --binary .build/debug/rapport \\
        --database-url postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable
"""

from __future__ import annotations

import argparse
import base64
import email.utils
import imaplib
import json
import os
import pwd
import random
import re
import shutil
import signal
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import urllib.parse
from dataclasses import dataclass, field
from email import policy
from email.header import Header
from email.message import EmailMessage

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.dirname(HERE))
from testkit import Checks, free_port, redact, sample  # noqa: E402
from mail_interop import Api, Server, TestAbort, SHUTDOWN_TIMEOUT  # noqa: E402

INITIAL_TIMEOUT = 15.0        # messages already in the mailbox, after the channel is created
ARRIVAL_LIMIT = 5.0           # an APPEND while idling must be stored within this
ARRIVAL_TIMEOUT = 15.0        # how long such a message is looked for (over the limit is a failure)
RESTART_TIMEOUT = 15.0        # messages APPENDed while the server was down, after it is ready again
ERROR_TIMEOUT = 15.0          # a wrong password shows as last_error
FLAG_TIMEOUT = 5.0            # the keyword is stored just after the messages are
KILL_RESUME_TIMEOUT = 200.0   # after SIGKILL: the mailbox lease (120 s) must lapse first
UNTRUSTED_HOLD = 3.0          # after the certificate error shows, the held messages must stay unfetched this long
REFUSE_TIMEOUT = 60.0         # `rapport serve` with a missing --mailbox-ca-file must have exited by then
OPENSSL_TIMEOUT = 60.0
BURST = 200
IMAP_TIMEOUT = 30.0
DOVECOT_READY_TIMEOUT = 20.0
POLL = 0.05
LOG_TAIL_LINES = 60
KEYWORD = "$RapportFetched"
CRLF = "\r\n"


def log(msg: str) -> None:
    print(f"[imap-interop {time.strftime('%H:%M:%S')}] {msg}", flush=True)


def text(value) -> str:
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    return str(value)


def lines(value) -> str:
    return str(value or "").replace("\r\n", "\n").replace("\r", "\n").strip()


def bare(message_id) -> str:
    return str(message_id or "").strip().strip("<>")


class Skip(Exception):
    """The machine cannot run this test (no Dovecot)."""


# --------------------------------------------------------------------------- #
# Dovecot
# --------------------------------------------------------------------------- #

class Pki:
    """A private CA and a server certificate it signed for 127.0.0.1 and localhost, made with the
    `openssl` command line in `root` (P-256 keys, valid for two days)."""

    def __init__(self, root: str) -> None:
        self.root = root
        self.ca_cert = os.path.join(root, "ca.pem")
        self.ca_key = os.path.join(root, "ca.key")
        self.server_cert = os.path.join(root, "server.pem")
        self.server_key = os.path.join(root, "server.key")

    def _openssl(self, *args: str) -> None:
        res = subprocess.run(["openssl", *args], capture_output=True, text=True, timeout=OPENSSL_TIMEOUT, cwd=self.root)
        if res.returncode != 0:
            raise TestAbort(f"openssl {args[0]} exited with {res.returncode}: {(res.stderr or res.stdout).strip()[-600:]}")

    def make(self, run_id: str) -> None:
        os.makedirs(self.root, exist_ok=True)
        key = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
        self._openssl("req", "-x509", *key, "-keyout", self.ca_key, "-out", self.ca_cert, "-days", "2", "-sha256",
                      "-subj", f"/O=Rapport interop/CN=Rapport IMAP interop CA {run_id}",
                      "-addext", "basicConstraints=critical,CA:TRUE",
                      "-addext", "keyUsage=critical,keyCertSign,cRLSign")
        csr = os.path.join(self.root, "server.csr")
        self._openssl("req", "-new", *key, "-keyout", self.server_key, "-out", csr, "-subj", "/O=Rapport interop/CN=127.0.0.1")
        extensions = os.path.join(self.root, "server.ext")
        with open(extensions, "w", encoding="ascii") as f:
            f.write("basicConstraints = critical,CA:FALSE\n"
                    "keyUsage = critical,digitalSignature,keyEncipherment\n"
                    "extendedKeyUsage = serverAuth\n"
                    "subjectAltName = IP:127.0.0.1,DNS:localhost\n")
        self._openssl("x509", "-req", "-in", csr, "-CA", self.ca_cert, "-CAkey", self.ca_key,
                      "-set_serial", str(random.randrange(1, 2**62)), "-days", "2", "-sha256",
                      "-extfile", extensions, "-out", self.server_cert)
        # Dovecot's master reads the key as root; Rapport only ever reads ca.pem.
        os.chmod(self.server_key, 0o600)
        os.chmod(self.ca_cert, 0o644)
        log(f"private CA {self.ca_cert}; server certificate for IP:127.0.0.1, DNS:localhost")

    def client_context(self) -> ssl.SSLContext:
        """Python's TLS trusting only this CA (hostnames checked)."""
        return ssl.create_default_context(cafile=self.ca_cert)


DOVECOT_CONF = """\
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
protocols = imap
first_valid_uid = 1
first_valid_gid = 1
listen = 127.0.0.1
ssl = yes
ssl_cert = <{cert}
ssl_key = <{key}
disable_plaintext_auth = no
auth_mechanisms = plain login
default_internal_user = dovecot
default_login_user = dovenull
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/users
}}
userdb {{
  driver = static
  args = uid=dovecot gid=dovecot home={root}/home/%u
}}
mail_location = maildir:~/Maildir
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {imaps_port}
    ssl = yes
  }}
}}
"""


class Dovecot:
    """A standalone Dovecot in `root` on 127.0.0.1: IMAP offering STARTTLS on `port`, IMAP over TLS
    on `imaps_port` (the certificate `pki` made), users from a passwd-file."""

    def __init__(self, root: str, users: dict[str, str], pki: Pki) -> None:
        self.root = root
        self.users = users
        self.pki = pki
        self.port = 0
        self.imaps_port = 0
        self.conf = os.path.join(root, "dovecot.conf")
        self.started = False

    @staticmethod
    def check_machine() -> None:
        missing = [b for b in ("dovecot", "doveadm") if shutil.which(b) is None]
        if missing:
            raise Skip(f"{' and '.join(missing)} not on the PATH (install dovecot-imapd: apt-get install -y -qq dovecot-imapd)")
        if shutil.which("openssl") is None:
            raise Skip("openssl not on the PATH (it makes the test's CA and certificate: apt-get install -y -qq openssl)")
        for user in ("dovecot", "dovenull"):
            try:
                pwd.getpwnam(user)
            except KeyError:
                raise Skip(f"no user {user!r} on this machine (not Debian's dovecot-imapd package)") from None
        if os.geteuid() != 0:
            raise Skip("not running as root: a standalone Dovecot needs root to switch to its users")

    def start(self) -> None:
        self.port = free_port()
        self.imaps_port = free_port()
        while self.imaps_port == self.port:
            self.imaps_port = free_port()
        for sub in ("run", "state", "home"):
            os.makedirs(os.path.join(self.root, sub), exist_ok=True)
        with open(self.conf, "w", encoding="utf-8") as f:
            f.write(DOVECOT_CONF.format(root=self.root, port=self.port, imaps_port=self.imaps_port,
                                        cert=self.pki.server_cert, key=self.pki.server_key))
        with open(os.path.join(self.root, "users"), "w", encoding="utf-8") as f:
            for user, password in self.users.items():
                f.write(f"{user}:{{PLAIN}}{password}::::::\n")
        # Dovecot's processes run as its own users: they must get through the temp dirs.
        path = self.root
        while path and path != os.path.dirname(path) and path.startswith(tempfile.gettempdir() + os.sep):
            os.chmod(path, 0o755)
            path = os.path.dirname(path)
        os.chmod(os.path.join(self.root, "users"), 0o644)
        pw = pwd.getpwnam("dovecot")
        for dirpath, _, files in os.walk(os.path.join(self.root, "home")):
            os.chown(dirpath, pw.pw_uid, pw.pw_gid)
            for name in files:
                os.chown(os.path.join(dirpath, name), pw.pw_uid, pw.pw_gid)
        # It daemonizes: no pipe may stay open on it, and its complaints go to a file.
        with open(os.path.join(self.root, "start.err"), "wb") as err:
            res = subprocess.run(["dovecot", "-c", self.conf], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                 stderr=err, timeout=60)
        if res.returncode != 0:
            raise TestAbort(f"dovecot -c {self.conf} exited with {res.returncode}: {self.start_errors()}")
        self.started = True
        # Ready when both ports answer, TLS verified by the test's own CA (STARTTLS on the first):
        # a certificate Python will not take is the test's fault, not Rapport's.
        t0 = time.monotonic()
        last = ""
        while time.monotonic() - t0 < DOVECOT_READY_TIMEOUT:
            try:
                client = imaplib.IMAP4("127.0.0.1", self.port, timeout=3)
                try:
                    client.starttls(self.pki.client_context())
                finally:
                    client.logout()
                client = imaplib.IMAP4_SSL("127.0.0.1", self.imaps_port, ssl_context=self.pki.client_context(), timeout=3)
                client.logout()
                log(f"dovecot {self.version()} on 127.0.0.1: IMAP with STARTTLS on {self.port}, IMAP over TLS on "
                    f"{self.imaps_port} ({time.monotonic() - t0:.1f}s)")
                return
            except ssl.SSLCertVerificationError as e:
                raise TestAbort(f"Python does not take the test's own certificate: {e}") from None
            except (OSError, imaplib.IMAP4.error) as e:
                last = f"{type(e).__name__}: {e}"
            time.sleep(0.1)
        raise TestAbort(f"dovecot not answering on {self.port} and {self.imaps_port} after {DOVECOT_READY_TIMEOUT:.0f}s "
                        f"({last}); {self.start_errors()} {self.log_tail()}")

    def start_errors(self) -> str:
        try:
            with open(os.path.join(self.root, "start.err"), encoding="utf-8", errors="replace") as f:
                return f.read().strip()
        except OSError:
            return ""

    @staticmethod
    def version() -> str:
        try:
            return subprocess.run(["dovecot", "--version"], capture_output=True, text=True, timeout=10).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            return "?"

    def stop(self) -> None:
        if not self.started:
            return
        self.started = False
        try:
            subprocess.run(["doveadm", "-c", self.conf, "stop"], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL, timeout=30)
        except (OSError, subprocess.SubprocessError):
            pass
        pid_file = os.path.join(self.root, "run", "master.pid")
        t0 = time.monotonic()
        while os.path.exists(pid_file) and time.monotonic() - t0 < 10:
            time.sleep(0.1)
        if os.path.exists(pid_file):
            try:
                with open(pid_file, encoding="ascii") as f:
                    os.kill(int(f.read().strip()), signal.SIGTERM)
            except (OSError, ValueError):
                pass

    def log_tail(self, n: int = 30) -> str:
        try:
            with open(os.path.join(self.root, "dovecot.log"), encoding="utf-8", errors="replace") as f:
                return "".join(f.readlines()[-n:])
        except OSError as e:
            return f"(no dovecot log: {e})"

    def logins(self, user: str) -> list[str]:
        """Dovecot's log lines of `user`'s logins (`imap-login: Login: user=<...>, ..., TLS, ...`)."""
        try:
            with open(os.path.join(self.root, "dovecot.log"), encoding="utf-8", errors="replace") as f:
                return [ln.strip() for ln in f if "Login: " in ln and f"user=<{user}>" in ln]
        except OSError:
            return []


class Mailbox:
    """imaplib on the Dovecot user's INBOX: APPEND, flags, UIDs; with `tls`, after STARTTLS."""

    def __init__(self, port: int, user: str, password: str, tls: ssl.SSLContext | None = None) -> None:
        self.port = port
        self.user = user
        self.password = password
        self.tls = tls

    def connect(self) -> imaplib.IMAP4:
        client = imaplib.IMAP4("127.0.0.1", self.port, timeout=IMAP_TIMEOUT)
        if self.tls is not None:
            client.starttls(self.tls)
        client.login(self.user, self.password)
        return client

    @staticmethod
    def append_with(client: imaplib.IMAP4, raw: bytes) -> int:
        """APPENDs `raw` to INBOX; its UID (from APPENDUID)."""
        typ, data = client.append("INBOX", None, None, raw)
        reply = text(data[0] if data else b"")
        if typ != "OK":
            raise TestAbort(f"APPEND: {typ} {reply}")
        found = re.search(r"APPENDUID\s+\d+\s+(\d+)", reply, re.IGNORECASE)
        if not found:
            raise TestAbort(f"APPEND answered without APPENDUID: {reply}")
        return int(found.group(1))

    def append(self, raw: bytes) -> int:
        client = self.connect()
        try:
            return self.append_with(client, raw)
        finally:
            client.logout()

    def status(self) -> tuple[int, list[int]]:
        """(UIDVALIDITY, every UID in INBOX ascending)."""
        client = self.connect()
        try:
            typ, data = client.select("INBOX", readonly=True)
            if typ != "OK":
                raise TestAbort(f"SELECT INBOX: {typ} {data}")
            validity = int(text(client.untagged_responses.get("UIDVALIDITY", [b"0"])[-1]))
            typ, data = client.uid("SEARCH", "ALL")
            uids = sorted(int(x) for x in text(data[0] if data else b"").split())
            return validity, uids
        finally:
            client.logout()

    def flags(self) -> dict[int, list[str]]:
        """The flags of every message, by UID."""
        client = self.connect()
        try:
            client.select("INBOX", readonly=True)
            typ, data = client.uid("FETCH", "1:*", "(FLAGS)")
            if typ != "OK":
                raise TestAbort(f"UID FETCH FLAGS: {typ} {data}")
            out: dict[int, list[str]] = {}
            for item in data or []:
                line = text(item[0] if isinstance(item, tuple) else item)
                uid = re.search(r"UID (\d+)", line)
                flags = re.search(r"FLAGS \(([^)]*)\)", line)
                if uid:
                    out[int(uid.group(1))] = flags.group(1).split() if flags else []
            return out
        finally:
            client.logout()


# --------------------------------------------------------------------------- #
# Messages
# --------------------------------------------------------------------------- #

@dataclass
class Sent:
    """One message put in the mailbox."""
    label: str
    message_id: str
    raw: bytes
    sender: str
    sender_name: str
    subject: str
    body: str                      # the text the interaction should carry
    uid: int = 0
    appended_at: float = 0.0       # time.monotonic() after the APPEND was answered
    attachment: bytes | None = None
    filename: str = ""


def encoded(value: str, charset: str) -> str:
    """An RFC 2047 encoded word named with the MIME charset name (Python's `Header` would write
    `=?eucgb2312_cn?...` for GB2312, its codec's name, which no mail program knows)."""
    if value.isascii():
        return value
    if charset.lower() == "utf-8":
        return Header(value, charset).encode(linesep=CRLF)
    word = f"=?{charset.upper()}?B?{base64.b64encode(value.encode(charset)).decode('ascii')}?="
    if len(word) > 75:
        raise ValueError(f"{value!r} is too long for one encoded word")
    return word


def plain_message(sender: str, sender_name: str, recipient: str, subject: str, message_id: str, body: str,
                  charset: str = "utf-8", extra: list[str] | None = None) -> bytes:
    """A text/plain message built by hand, CRLF line ends; an 8-bit UTF-8 body or a base64 one in another charset."""
    head = [
        f"From: {encoded(sender_name, charset)} <{sender}>",
        f"To: {recipient}",
        f"Subject: {encoded(subject, charset)}",
        f"Date: {email.utils.formatdate(localtime=True)}",
        f"Message-ID: <{message_id}>",
        *(extra or []),
        "MIME-Version: 1.0",
        f"Content-Type: text/plain; charset={charset}",
    ]
    text_body = body.replace("\r\n", "\n").replace("\n", "\r\n")
    if not text_body.endswith("\r\n"):
        text_body += "\r\n"
    if charset.lower() == "utf-8":
        head.append("Content-Transfer-Encoding: 8bit")
        payload = text_body.encode("utf-8")
    else:
        head.append("Content-Transfer-Encoding: base64")
        b64 = base64.encodebytes(text_body.encode(charset)).decode("ascii")
        payload = b64.replace("\n", "\r\n").encode("ascii")
    return ("\r\n".join(head) + "\r\n\r\n").encode("ascii") + payload


@dataclass
class TlsBox:
    """A mailbox of its own read over TLS (9.): its channel and what was put in it."""
    label: str                      # "imaps" or "STARTTLS"
    url: str
    mailbox: Mailbox
    address: str
    channel_id: str = ""
    sent: list[Sent] = field(default_factory=list)

    def append(self, message: Sent) -> Sent:
        message.uid = self.mailbox.append(message.raw)
        message.appended_at = time.monotonic()
        self.sent.append(message)
        return message


@dataclass
class Context:
    checks: Checks
    server: Server
    api: Api
    mailbox: Mailbox
    run_id: str
    rng: random.Random
    password: str
    bad_password: str
    address: str
    serve_args: list[str] = field(default_factory=list)   # what every start of the server adds (--mailbox-ca-file)
    dovecot: Dovecot | None = None
    tls_boxes: list[TlsBox] = field(default_factory=list)
    channel_id: str = ""
    channel_name: str = ""
    bad_channel_id: str = ""
    sent: list[Sent] = field(default_factory=list)
    by_label: dict[str, Sent] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def sender(self, who: str) -> str:
        return f"{who}-{self.run_id}@client.example"

    def message_id(self, tag: str) -> str:
        return f"{tag}-{self.run_id}@imap-interop.example"

    def append(self, message: Sent, client: imaplib.IMAP4 | None = None) -> Sent:
        message.uid = Mailbox.append_with(client, message.raw) if client is not None else self.mailbox.append(message.raw)
        message.appended_at = time.monotonic()
        self.sent.append(message)
        self.by_label[message.label] = message
        return message


# --------------------------------------------------------------------------- #
# Reading what Rapport stored
# --------------------------------------------------------------------------- #

def stored(ctx: Context, message_id: str, channel_id: str | None = None) -> list[dict]:
    return ctx.api.interactions(channel_id=channel_id or ctx.channel_id, external_id=message_id)


def wait_stored(ctx: Context, messages: list[Sent], timeout: float, since: float | None = None,
                channel_id: str | None = None) -> dict[str, tuple[list[dict], float | None]]:
    """Polls until each message is listed (or `timeout` has passed): Message-ID → (interactions,
    seconds from `since` — or from its APPEND — to the first read that listed it)."""
    t0 = time.monotonic()
    found: dict[str, tuple[list[dict], float | None]] = {}
    while True:
        for m in messages:
            if m.message_id in found:
                continue
            items = stored(ctx, m.message_id, channel_id)
            if items:
                found[m.message_id] = (items, time.monotonic() - (since if since is not None else m.appended_at))
        if len(found) == len(messages) or time.monotonic() - t0 >= timeout:
            break
        time.sleep(POLL)
    for m in messages:
        found.setdefault(m.message_id, ([], None))
    return found


def position(ctx: Context, channel_id: str | None = None) -> dict | None:
    page = ctx.api.get_json(f"/v1/channels/{channel_id or ctx.channel_id}/mailbox")
    value = page.get("position")
    return value if isinstance(value, dict) else None


def all_on_channel(ctx: Context) -> list[dict]:
    return ctx.api.interactions(channel_id=ctx.channel_id)


def check_stored_once(ctx: Context, what: str) -> None:
    """Everything APPENDed so far is on the channel exactly once, and nothing else is."""
    items = all_on_channel(ctx)
    by_mid: dict[str, int] = {}
    for item in items:
        key = bare(item.get("external_id"))
        by_mid[key] = by_mid.get(key, 0) + 1
    mail_ids = [(item.get("metadata") or {}).get("mail_message_id") for item in items]
    wanted = [m.message_id for m in ctx.sent]
    twice = [mid for mid, n in by_mid.items() if n > 1]
    missing = [mid for mid in wanted if mid not in by_mid]
    strange = [mid for mid in by_mid if mid not in set(wanted)]
    ctx.checks.check(f"{what}: {len(wanted)} interactions on the channel, one per Message-ID, {len(wanted)} distinct mail ids",
                     len(items) == len(wanted) and not twice and not missing and not strange
                     and len(set(mail_ids)) == len(items) and None not in mail_ids,
                     f"{len(items)} interactions, {len(set(i for i in mail_ids if i))} distinct mail ids; "
                     f"twice {sample(twice)}, missing {sample(missing)}, not ours {sample(strange)}")


def check_position(ctx: Context, what: str) -> None:
    validity, uids = ctx.mailbox.status()
    pos = position(ctx) or {}
    highest = uids[-1] if uids else 0
    ctx.checks.check(f"{what}: position.last_uid is the mailbox's highest UID, uid_validity its UIDVALIDITY",
                     pos.get("last_uid") == highest and pos.get("uid_validity") == validity and pos.get("last_error") is None,
                     f"position {pos}, mailbox UIDVALIDITY {validity}, highest UID {highest}")


def mail_message(ctx: Context, mail_id: str | None) -> tuple[dict, str]:
    if not mail_id:
        return {}, "no metadata.mail_message_id"
    status, parsed = ctx.api.json("GET", f"/v1/mail-messages/{urllib.parse.quote(mail_id)}")
    if status != 200 or not isinstance(parsed, dict):
        return {}, f"GET /v1/mail-messages/{mail_id} -> HTTP {status}: {str(parsed)[:200]}"
    return parsed, ""


def check_raw(ctx: Context, name: str, mail_id: str | None, sent: bytes) -> None:
    if not mail_id:
        ctx.checks.check(name, False, "no metadata.mail_message_id")
        return
    status, headers, body = ctx.api.request("GET", f"/v1/mail-messages/{urllib.parse.quote(mail_id)}/raw")
    ctype = headers.get("content-type", "")
    difference = ""
    if status == 200 and body != sent:
        at = next((i for i in range(min(len(body), len(sent))) if body[i] != sent[i]), min(len(body), len(sent)))
        difference = (f"{len(body)} bytes stored, {len(sent)} APPENDed, first difference at byte {at}: "
                      f"stored {body[max(0, at - 20):at + 20]!r}, APPENDed {sent[max(0, at - 20):at + 20]!r}")
    ctx.checks.check(name, status == 200 and ctype.lower().startswith("message/rfc822") and body == sent,
                     f"HTTP {status}, content type {ctype!r}" + (f"; {difference}" if difference else ""))


def check_arrivals(ctx: Context, messages: list[Sent], what: str, timeout: float = ARRIVAL_TIMEOUT,
                   channel_id: str | None = None) -> bool:
    """Each message stored once within ARRIVAL_LIMIT of its APPEND; the latencies are printed."""
    found = wait_stored(ctx, messages, timeout, channel_id=channel_id)
    ok = True
    for m in messages:
        items, latency = found[m.message_id]
        shown = f"{latency:.2f}s" if latency is not None else f"not within {timeout:.0f}s"
        log(f"{m.label}: UID {m.uid}, stored {shown} after its APPEND")
        ok &= ctx.checks.check(f"{what}: {m.label} (UID {m.uid}) stored once within {ARRIVAL_LIMIT:.0f}s of its APPEND",
                               len(items) == 1 and latency is not None and latency < ARRIVAL_LIMIT,
                               f"{len(items)} interactions, latency {shown}")
    return ok


def secrets_in(value: bytes | str, ctx: Context) -> list[str]:
    """Which of the mailbox passwords `value` contains."""
    body = value if isinstance(value, bytes) else value.encode("utf-8")
    out = []
    for label, password in (("password", ctx.password), ("wrong password", ctx.bad_password),
                            *((f"{box.label} password", box.mailbox.password) for box in ctx.tls_boxes)):
        if password.encode() in body:
            out.append(label)
    return out


# --------------------------------------------------------------------------- #
# 1. What is already in the mailbox
# --------------------------------------------------------------------------- #

GB_SUBJECT = "订单没有收到，请帮忙查询"
GB_NAME = "李雷"
GB_BODY = "你好，\n我的订单 5678 还没有收到，请帮忙查询一下。\n谢谢"
ANA_SUBJECT = "Pedido 1234 — ainda não chegou"
ANA_BODY = "Olá, equipe!\nMeu pedido 1234 ainda não chegou.\nPodem verificar?"
CARLA_BODY = "Segue a cotação em anexo."
PDF_NAME = "报价单 2024年 (v2).pdf"


def phase_existing(ctx: Context) -> None:
    checks, api = ctx.checks, ctx.api
    lilei = ctx.sender("lilei")
    gb = Sent("GB2312 message", ctx.message_id("gb2312"), b"", lilei, GB_NAME, GB_SUBJECT, GB_BODY)
    gb.raw = plain_message(lilei, GB_NAME, ctx.address, GB_SUBJECT, gb.message_id, GB_BODY, charset="gb2312")
    ana = ctx.sender("ana")
    utf = Sent("UTF-8 message", ctx.message_id("utf8"), b"", ana, "Ana Lima", ANA_SUBJECT, ANA_BODY)
    utf.raw = plain_message(ana, "Ana Lima", ctx.address, ANA_SUBJECT, utf.message_id, ANA_BODY)
    carla = ctx.sender("carla")
    pdf = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n" + ctx.rng.randbytes(24_000) + b"\n%%EOF\n"
    multi = Sent("multipart with attachment", ctx.message_id("multipart"), b"", carla, "Carla Souza",
                 "Cotação em anexo", CARLA_BODY, attachment=pdf, filename=PDF_NAME)
    msg = EmailMessage()
    msg["From"] = email.utils.formataddr(("Carla Souza", carla))
    msg["To"] = ctx.address
    msg["Subject"] = multi.subject
    msg["Date"] = email.utils.formatdate(localtime=True)
    msg["Message-ID"] = f"<{multi.message_id}>"
    msg.set_content(CARLA_BODY + "\n")
    msg.add_attachment(pdf, maintype="application", subtype="pdf", filename=PDF_NAME)
    multi.raw = msg.as_bytes(policy=policy.SMTP)
    for m in (gb, utf, multi):
        ctx.append(m)
    log(f"APPENDed {len(ctx.sent)} messages before the channel exists (UIDs {[m.uid for m in ctx.sent]})")

    ctx.channel_name = f"Support {ctx.run_id}"
    settings = {"address": ctx.address,
                "imap": {"url": f"imap://127.0.0.1:{ctx.mailbox.port}", "username": ctx.mailbox.user,
                         "password": ctx.password, "mailbox": "INBOX", "poll_seconds": 60}}
    status, parsed = api.json("POST", "/v1/channels", {"kind": "email", "name": ctx.channel_name, "settings": settings})
    created_at = time.monotonic()
    checks.check("POST /v1/channels with settings.imap: 201", status == 201 and isinstance(parsed, dict) and parsed.get("id"),
                 f"HTTP {status}: {str(parsed)[:300]}")
    if status != 201 or not isinstance(parsed, dict):
        raise TestAbort("no channel")
    ctx.channel_id = parsed["id"]
    log(f"email channel {ctx.channel_id} reads imap://127.0.0.1:{ctx.mailbox.port} as {ctx.mailbox.user}")
    leaked = secrets_in(json.dumps(parsed, ensure_ascii=False), ctx)
    imap = (parsed.get("settings") or {}).get("imap") or {}
    checks.check("the POST answer shows password_set true and no password", not leaked and imap.get("password_set") is True
                 and "password" not in imap, f"settings.imap {imap}, contains {leaked}")

    found = wait_stored(ctx, ctx.sent, INITIAL_TIMEOUT, since=created_at)
    latencies = [lat for _, lat in found.values() if lat is not None]
    log("fetched after the channel was created: " + ", ".join(
        f"{m.label} {found[m.message_id][1]:.2f}s" if found[m.message_id][1] is not None else f"{m.label} missing"
        for m in ctx.sent))
    checks.check(f"the {len(ctx.sent)} messages already in the mailbox are fetched once the channel exists, one interaction each",
                 all(len(items) == 1 for items, _ in found.values()),
                 f"{[(m.label, len(found[m.message_id][0])) for m in ctx.sent]}"
                 + (f", all within {max(latencies):.2f}s" if len(latencies) == len(ctx.sent) else ""))
    for m in (gb, utf, multi):
        items = found[m.message_id][0]
        if len(items) == 1:
            check_message(ctx, m, items[0])


def check_message(ctx: Context, m: Sent, item: dict) -> None:
    checks, api = ctx.checks, ctx.api
    meta = item.get("metadata") if isinstance(item.get("metadata"), dict) else {}
    checks.check(f"{m.label}: kind email, inbound, subject decoded",
                 item.get("kind") == "email" and item.get("direction") == "inbound" and item.get("subject") == m.subject,
                 f"kind {item.get('kind')!r}, direction {item.get('direction')!r}, subject {item.get('subject')!r}")
    checks.check(f"{m.label}: body is the text decoded", lines(item.get("body")) == lines(m.body),
                 f"{str(item.get('body'))[:160]!r}")
    status, customer = api.customer_by_email(m.sender)
    checks.check(f"{m.label}: on the sender's customer (found by email, named {m.sender_name!r})",
                 status == 200 and customer is not None and customer.get("id") == item.get("customer_id")
                 and customer.get("name") == m.sender_name,
                 f"HTTP {status}, customer {(customer or {}).get('id')!r} named {(customer or {}).get('name')!r}, "
                 f"interaction's customer {item.get('customer_id')!r}")
    mail_id = meta.get("mail_message_id")
    got, failure = mail_message(ctx, mail_id)
    wrong = [failure] if failure else []
    if not failure:
        for key, want in (("id", mail_id), ("channel_id", ctx.channel_id), ("interaction_id", item.get("id")),
                          ("customer_id", item.get("customer_id")), ("subject", m.subject), ("size", len(m.raw))):
            if got.get(key) != want:
                wrong.append(f"{key} {got.get(key)!r} != {want!r}")
        if bare(got.get("message_id")) != m.message_id:
            wrong.append(f"message_id {got.get('message_id')!r}")
        sender = got.get("from") if isinstance(got.get("from"), dict) else {}
        if str(sender.get("address", "")).lower() != m.sender or sender.get("name") != m.sender_name:
            wrong.append(f"from {got.get('from')!r}")
        if lines(got.get("text")) != lines(m.body):
            wrong.append(f"text {str(got.get('text'))[:100]!r}")
    checks.check(f"{m.label}: GET /v1/mail-messages/{{id}} describes it (ids, subject, from, text, size)", not wrong,
                 "; ".join(wrong))
    check_raw(ctx, f"{m.label}: /raw is exactly the APPENDed bytes ({len(m.raw)})", mail_id, m.raw)
    if m.attachment is not None:
        listed = meta.get("attachments")
        entry = listed[0] if isinstance(listed, list) and len(listed) == 1 and isinstance(listed[0], dict) else {}
        checks.check(f"{m.label}: metadata lists the attachment (Chinese RFC 2231 filename, application/pdf, size)",
                     entry.get("filename") == m.filename and str(entry.get("content_type", "")).startswith("application/pdf")
                     and entry.get("size") == len(m.attachment) and bool(entry.get("id")), f"{listed!r}")
        if entry.get("id") and mail_id:
            status, headers, body = api.request("GET", f"/v1/mail-messages/{urllib.parse.quote(mail_id)}/attachments/"
                                                       f"{urllib.parse.quote(str(entry['id']))}")
            checks.check(f"{m.label}: the attachment endpoint returns its bytes",
                         status == 200 and body == m.attachment,
                         f"HTTP {status}, {headers.get('content-type')!r}, {len(body)} bytes (APPENDed {len(m.attachment)})")
        else:
            checks.check(f"{m.label}: the attachment endpoint returns its bytes", False, "no attachment id")


# --------------------------------------------------------------------------- #
# 2. New mail while idling; 5. a reply; 3. the keyword
# --------------------------------------------------------------------------- #

def simple(ctx: Context, label: str, tag: str, who: str = "dora", name: str = "Dora Mendes", to: str = "") -> Sent:
    sender = ctx.sender(who)
    subject = f"{label} ({ctx.run_id})"
    body = f"Mensagem {label}: tudo certo?\nObrigada."
    m = Sent(label, ctx.message_id(tag), b"", sender, name, subject, body)
    m.raw = plain_message(sender, name, to or ctx.address, subject, m.message_id, body)
    return m


def phase_idle(ctx: Context) -> None:
    messages = []
    for i in range(1, 4):
        m = ctx.append(simple(ctx, f"idle message {i}", f"idle-{i}"))
        messages.append(m)
        check_arrivals(ctx, [m], "APPEND while idling")


def phase_reply(ctx: Context) -> None:
    checks, api = ctx.checks, ctx.api
    first = ctx.by_label.get("GB2312 message")
    if first is None:
        raise TestAbort("the GB2312 message is missing: nothing to reply to")
    items = stored(ctx, first.message_id)
    if len(items) != 1:
        raise TestAbort(f"the GB2312 message is stored {len(items)} times: nothing to reply to")
    original = items[0]
    subject = "Re: " + GB_SUBJECT
    body = "我刚收到了，谢谢！"
    reply = Sent("reply (In-Reply-To)", ctx.message_id("reply"), b"", first.sender, GB_NAME, subject, body)
    reply.raw = plain_message(first.sender, GB_NAME, ctx.address, subject, reply.message_id, body,
                              extra=[f"In-Reply-To: <{first.message_id}>", f"References: <{first.message_id}>"])
    ctx.append(reply)
    if not check_arrivals(ctx, [reply], "a reply APPENDed while idling"):
        return
    item = stored(ctx, reply.message_id)[0]
    customer_id = original.get("customer_id")
    t0 = time.monotonic()
    while True:
        page = api.get_json("/v1/conversations?" + urllib.parse.urlencode({"customer_id": customer_id, "limit": "100"}))
        conversations = [c for c in page.get("data") or [] if isinstance(c, dict)]
        if any(c.get("interaction_count") == 2 for c in conversations) or time.monotonic() - t0 > 10:
            break
        time.sleep(POLL)
    shown = sample([(c.get("id"), c.get("interaction_count"), c.get("subject")) for c in conversations], 4)
    checks.check("the reply joined the original's conversation (GET /v1/conversations?customer_id=: one, interaction_count 2)",
                 len(conversations) == 1 and conversations[0].get("interaction_count") == 2
                 and item.get("customer_id") == customer_id, shown)
    meta, orig_meta = item.get("metadata") or {}, original.get("metadata") or {}
    checks.check("the reply carries the original's thread_id",
                 bool(orig_meta.get("thread_id")) and meta.get("thread_id") == orig_meta.get("thread_id"),
                 f"{meta.get('thread_id')!r} vs {orig_meta.get('thread_id')!r}")


def phase_flags(ctx: Context) -> None:
    taken = {m.uid: m.label for m in ctx.sent}
    t0 = time.monotonic()
    while True:
        flags = ctx.mailbox.flags()
        unflagged = [(uid, label, flags.get(uid)) for uid, label in taken.items() if KEYWORD not in (flags.get(uid) or [])]
        if not unflagged or time.monotonic() - t0 > FLAG_TIMEOUT:
            break
        time.sleep(POLL)
    some = next(iter(flags.values()), [])
    ctx.checks.check(f"every message taken ({len(taken)}) carries {KEYWORD} on the server (UID FETCH FLAGS)",
                     not unflagged, f"unflagged {sample(unflagged)}" if unflagged else f"e.g. {some}")


# --------------------------------------------------------------------------- #
# 7. A wrong password; 8. the password is never shown, a PATCH keeps it
# --------------------------------------------------------------------------- #

def phase_wrong_password(ctx: Context) -> None:
    checks, api = ctx.checks, ctx.api
    address = f"wrong-{ctx.run_id}@rapport.test"
    settings = {"address": address, "imap": {"url": f"imap://127.0.0.1:{ctx.mailbox.port}", "username": ctx.mailbox.user,
                                             "password": ctx.bad_password}}
    status, parsed = api.json("POST", "/v1/channels", {"kind": "email", "name": f"Wrong password {ctx.run_id}",
                                                       "settings": settings})
    if status != 201 or not isinstance(parsed, dict):
        checks.check("POST a channel with a wrong IMAP password: 201", False, f"HTTP {status}: {str(parsed)[:300]}")
        return
    ctx.bad_channel_id = parsed["id"]
    t0 = time.monotonic()
    page: dict = {}
    while True:
        page = api.get_json(f"/v1/channels/{ctx.bad_channel_id}/mailbox")
        pos = page.get("position") if isinstance(page.get("position"), dict) else None
        if (pos and pos.get("last_error")) or time.monotonic() - t0 > ERROR_TIMEOUT:
            break
        time.sleep(0.1)
    waited = time.monotonic() - t0
    error = str((pos or {}).get("last_error") or "")
    log(f"wrong password: GET /v1/channels/{ctx.bad_channel_id}/mailbox after {waited:.1f}s -> {json.dumps(page)}")
    checks.check(f"wrong password: GET /v1/channels/{{id}}/mailbox shows a last_error about the login within {ERROR_TIMEOUT:.0f}s",
                 bool(re.search(r"login|authenticat", error, re.IGNORECASE)),
                 f"after {waited:.1f}s: {json.dumps(page)}")
    checks.check("wrong password: its position is not moved (no UID taken)",
                 not pos or not pos.get("last_uid"), f"{pos}")
    status, _, body = api.request("GET", f"/v1/channels/{ctx.bad_channel_id}")
    leaked = secrets_in(body, ctx)
    shown = {}
    try:
        shown = ((json.loads(body).get("settings") or {}).get("imap") or {})
    except (ValueError, AttributeError):
        pass
    checks.check("wrong password: GET /v1/channels/{id} shows password_set true, not the password",
                 status == 200 and not leaked and shown.get("password_set") is True and "password" not in shown,
                 f"HTTP {status}, settings.imap {shown}, contains {leaked}")


def phase_patch(ctx: Context) -> None:
    checks, api = ctx.checks, ctx.api
    status, _, body = api.request("GET", f"/v1/channels/{ctx.channel_id}")
    channel = json.loads(body) if status == 200 else {}
    imap = (channel.get("settings") or {}).get("imap") or {}
    leaked = secrets_in(body, ctx)
    checks.check("GET /v1/channels/{id}: settings.imap has password_set true and no password",
                 status == 200 and not leaked and imap.get("password_set") is True and "password" not in imap,
                 f"HTTP {status}, settings.imap {imap}, contains {leaked}")
    status, _, body = api.request("GET", "/v1/channels")
    leaked = secrets_in(body, ctx)
    listed = []
    try:
        listed = [c for c in json.loads(body).get("data") or [] if c.get("id") in (ctx.channel_id, ctx.bad_channel_id)]
    except (ValueError, AttributeError):
        pass
    checks.check("GET /v1/channels (the list): ours are listed, neither password anywhere",
                 status == 200 and not leaked and any(c.get("id") == ctx.channel_id for c in listed),
                 f"HTTP {status}, {len(listed)} of ours listed, contains {leaked}")
    if not channel:
        raise TestAbort("GET /v1/channels/{id} failed")

    new_name = f"Support desk {ctx.run_id}"
    status, parsed = api.json("PATCH", f"/v1/channels/{ctx.channel_id}", {"name": new_name, "settings": channel.get("settings")})
    after = ((parsed or {}).get("settings") or {}).get("imap") or {} if isinstance(parsed, dict) else {}
    leaked = secrets_in(json.dumps(parsed, ensure_ascii=False), ctx)
    checks.check("PATCH name + the settings as shown (password_set, no password): 200, renamed, password_set still true",
                 status == 200 and isinstance(parsed, dict) and parsed.get("name") == new_name
                 and after.get("password_set") is True and "password" not in after and not leaked,
                 f"HTTP {status}: {json.dumps(parsed, ensure_ascii=False)[:400]}")
    ctx.channel_name = new_name
    m = ctx.append(simple(ctx, "after the PATCH", "after-patch"))
    check_arrivals(ctx, [m], "fetching goes on after the PATCH (the stored password kept)")
    pos = position(ctx) or {}
    checks.check("after the PATCH: the mailbox position has no last_error", pos.get("last_error") is None, f"{pos}")


# --------------------------------------------------------------------------- #
# 0. A --mailbox-ca-file that does not exist; 9. TLS with the private CA
# --------------------------------------------------------------------------- #

def check_missing_ca_file(checks: Checks, server: Server, tmp: str) -> None:
    """`rapport serve --mailbox-ca-file <missing>` must refuse to start, naming the setting."""
    missing = os.path.join(tmp, "no-such-dir", "ca.pem")
    cmd = [server.binary, "serve", "--host", "127.0.0.1", "--port", str(free_port()), *server.storage,
           "--smtp-port", str(free_port()), "--mailbox-ca-file", missing]
    t0 = time.monotonic()
    try:
        res = subprocess.run(cmd, capture_output=True, stdin=subprocess.DEVNULL, timeout=REFUSE_TIMEOUT)
        rc, out = res.returncode, text(res.stdout) + text(res.stderr)
    except subprocess.TimeoutExpired as e:  # it started: subprocess.run has killed it
        rc, out = None, text(e.stdout or b"") + text(e.stderr or b"")
    took = time.monotonic() - t0
    with open(server.log_path, "a", encoding="utf-8") as f:
        f.write(f"\n===== imap-interop: serve --mailbox-ca-file {missing} ({time.strftime('%H:%M:%S')}) =====\n{out}")
    checks.check("serve --mailbox-ca-file <a file that does not exist>: refuses to start (exit status not 0, "
                 "a message naming mailbox-ca-file)",
                 rc is not None and rc != 0 and "mailbox-ca-file" in out,
                 f"exit {rc if rc is not None else f'none: still running after {REFUSE_TIMEOUT:.0f}s'} after {took:.1f}s: "
                 f"{out.strip()[-300:]!r}")


CERTIFICATE_ERROR = re.compile(r"certificate[^\n]{0,60}(verif|trust)|(untrusted|not trusted)[^\n]{0,60}certificate",
                               re.IGNORECASE)


def check_box(ctx: Context, box: TlsBox, what: str) -> None:
    """Everything APPENDed to the box is on its channel once, nothing else; the position is at the
    mailbox's highest UID with no last_error."""
    items = ctx.api.interactions(channel_id=box.channel_id)
    got = sorted(bare(i.get("external_id")) for i in items)
    wanted = sorted(m.message_id for m in box.sent)
    validity, uids = box.mailbox.status()
    pos = position(ctx, box.channel_id) or {}
    ctx.checks.check(f"{box.label}, {what}: the {len(wanted)} messages APPENDed are on the channel once each; "
                     "position.last_uid is the mailbox's highest UID, no last_error",
                     got == wanted and pos.get("last_uid") == (uids[-1] if uids else 0)
                     and pos.get("uid_validity") == validity and pos.get("last_error") is None,
                     f"on the channel {sample(got)}, APPENDed {sample(wanted)}; position {pos}, "
                     f"UIDVALIDITY {validity}, highest UID {uids[-1] if uids else 0}")


def phase_tls(ctx: Context) -> None:
    checks, api = ctx.checks, ctx.api
    boxes: list[TlsBox] = []
    for box in ctx.tls_boxes:
        tag = box.label.lower()
        first = box.append(simple(ctx, f"{box.label}: already there", f"{tag}-first", who="fabio", name="Fábio Nunes",
                                  to=box.address))
        settings = {"address": box.address, "imap": {"url": box.url, "username": box.mailbox.user,
                                                     "password": box.mailbox.password, "mailbox": "INBOX"}}
        status, parsed = api.json("POST", "/v1/channels", {"kind": "email", "name": f"{box.label} {ctx.run_id}",
                                                           "settings": settings})
        created_at = time.monotonic()
        if not checks.check(f"{box.label}: POST /v1/channels reading {box.url}: 201",
                            status == 201 and isinstance(parsed, dict) and bool(parsed.get("id")),
                            f"HTTP {status}: {str(parsed)[:300]}"):
            continue
        box.channel_id = parsed["id"]
        log(f"{box.label}: channel {box.channel_id} reads {box.url} as {box.mailbox.user}")
        items, latency = wait_stored(ctx, [first], INITIAL_TIMEOUT, since=created_at, channel_id=box.channel_id)[first.message_id]
        pos = position(ctx, box.channel_id) or {}
        checks.check(f"{box.label}: the message already in the mailbox is fetched once the channel exists "
                     f"(within {INITIAL_TIMEOUT:.0f}s), once",
                     len(items) == 1, f"{len(items)} interactions, " + (f"after {latency:.2f}s" if latency is not None
                                                                         else f"none; position {pos}"))
        boxes.append(box)
    for box in boxes:
        m = box.append(simple(ctx, f"{box.label}: APPENDed while idling", f"{box.label.lower()}-idle", who="fabio",
                              name="Fábio Nunes", to=box.address))
        check_arrivals(ctx, [m], f"{box.label}: APPEND while idling", channel_id=box.channel_id)
    for box in boxes:
        check_box(ctx, box, "with the private CA")
        logins = ctx.dovecot.logins(box.mailbox.user) if ctx.dovecot else []
        plain = [ln for ln in logins if not re.search(r",\s*TLS\b", ln)]
        checks.check(f"{box.label}: Dovecot's log shows every login of its user over TLS",
                     bool(logins) and not plain, f"{len(logins)} logins, {len(plain)} without TLS {sample(plain, 2)}")
    if not boxes:
        raise TestAbort("no TLS channel")

    # Without the CA the certificates are not trusted: nothing is fetched, last_error says why.
    before = {box.channel_id: position(ctx, box.channel_id) or {} for box in boxes}
    stop(ctx, "SIGTERM before a start without --mailbox-ca-file")
    if ctx.server.running():
        raise TestAbort("the server did not stop")
    held = {box.channel_id: box.append(simple(ctx, f"{box.label}: held while the CA is not trusted",
                                              f"{box.label.lower()}-held", who="gil", name="Gil Prado", to=box.address))
            for box in boxes}
    restart(ctx, "without --mailbox-ca-file", args=[])
    for box in boxes:
        t0 = time.monotonic()
        while True:
            pos = position(ctx, box.channel_id) or {}
            if pos.get("last_error") or time.monotonic() - t0 > ERROR_TIMEOUT:
                break
            time.sleep(0.1)
        waited = time.monotonic() - t0
        error = str(pos.get("last_error") or "")
        log(f"{box.label} without the CA: GET /v1/channels/{box.channel_id}/mailbox after {waited:.1f}s -> position {pos}")
        checks.check(f"{box.label} without --mailbox-ca-file: GET /v1/channels/{{id}}/mailbox shows a last_error saying "
                     f"the certificate is not trusted (within {ERROR_TIMEOUT:.0f}s)",
                     bool(CERTIFICATE_ERROR.search(error)), f"after {waited:.1f}s: last_error {error!r}")
    # Give it a moment more (a retry is due 2 s after a failure): it must still not fetch.
    t0 = time.monotonic()
    taken: dict[str, int] = {}
    while time.monotonic() - t0 < UNTRUSTED_HOLD:
        for box in boxes:
            n = len(stored(ctx, held[box.channel_id].message_id, box.channel_id))
            if n:
                taken[box.label] = n
        time.sleep(0.2)
    for box in boxes:
        pos = position(ctx, box.channel_id) or {}
        was = before[box.channel_id]
        checks.check(f"{box.label} without --mailbox-ca-file: the message APPENDed is not fetched, the position not moved",
                     box.label not in taken and pos.get("last_uid") == was.get("last_uid")
                     and pos.get("fetched") == was.get("fetched"),
                     f"{taken.get(box.label, 0)} interactions; position {pos}, before {was}")

    # The CA given by the environment variable: the held messages arrive, last_error goes.
    stop(ctx, "SIGTERM the server without the CA")
    if ctx.server.running():
        raise TestAbort("the server did not stop")
    ca_file = ctx.serve_args[ctx.serve_args.index("--mailbox-ca-file") + 1]
    restart(ctx, "with RAPPORT_MAILBOX_CA_FILE", args=[], env={"RAPPORT_MAILBOX_CA_FILE": ca_file})
    ready_at = time.monotonic()
    for box in boxes:
        m = held[box.channel_id]
        items, latency = wait_stored(ctx, [m], RESTART_TIMEOUT, since=ready_at, channel_id=box.channel_id)[m.message_id]
        checks.check(f"{box.label} with RAPPORT_MAILBOX_CA_FILE: the held message arrives (within {RESTART_TIMEOUT:.0f}s "
                     "of the start), once",
                     len(items) == 1, f"{len(items)} interactions" + (f", {latency:.2f}s after the server was ready"
                                                                      if latency is not None else ""))
    for box in boxes:
        check_box(ctx, box, "after the start with RAPPORT_MAILBOX_CA_FILE")


# --------------------------------------------------------------------------- #
# 4. Restart; 6. SIGKILL during a burst
# --------------------------------------------------------------------------- #

def restart(ctx: Context, label: str, args: list[str] | None = None, env: dict[str, str] | None = None) -> float:
    """Starts the server again on the same storage (with `ctx.serve_args` unless `args` are given);
    the time it took to be ready."""
    ctx.server.start(label, ctx.serve_args if args is None else args, env)
    ready = ctx.server.wait_ready()
    ctx.api = Api(ctx.server.port, ctx.api.key)
    log(f"{label} server ready in {ready:.1f}s")
    return ready


def stop(ctx: Context, what: str) -> None:
    rc, took = ctx.server.terminate()
    ctx.checks.check(f"{what}: the server exits 0 within {SHUTDOWN_TIMEOUT:.0f}s", rc == 0, f"exit {rc} after {took:.1f}s")
    if rc is None:
        ctx.server.cleanup()


def phase_restart(ctx: Context) -> None:
    checks = ctx.checks
    # A clean stop with nothing new: the position the restarted server finds must show no error
    # (it is only rewritten when a message is fetched, so it shows what the stop left there).
    stop(ctx, "SIGTERM while idling")
    restart(ctx, "restarted (nothing new)")
    pos = position(ctx) or {}
    checks.check("after a SIGTERM while idling the mailbox position shows no last_error",
                 pos.get("last_error") is None, f"GET /v1/channels/{ctx.channel_id}/mailbox -> position {pos}")
    stop(ctx, "SIGTERM again")
    down = [ctx.append(simple(ctx, f"sent while down {i}", f"down-{i}", who="eva", name="Eva Rocha")) for i in (1, 2)]
    log(f"APPENDed UIDs {[m.uid for m in down]} while the server was down")
    restart(ctx, "restarted")
    ready_at = time.monotonic()
    found = wait_stored(ctx, down, RESTART_TIMEOUT, since=ready_at)
    for m in down:
        items, latency = found[m.message_id]
        log(f"{m.label}: stored {latency:.2f}s after the restarted server was ready" if latency is not None
            else f"{m.label}: not stored within {RESTART_TIMEOUT:.0f}s of the restart")
    checks.check(f"after the restart the {len(down)} messages APPENDed while it was down arrive (within {RESTART_TIMEOUT:.0f}s)",
                 all(len(items) == 1 for items, _ in found.values()),
                 ", ".join(f"{m.label}: {len(found[m.message_id][0])} interactions, "
                           + (f"{found[m.message_id][1]:.2f}s" if found[m.message_id][1] is not None else "missing") for m in down))
    check_stored_once(ctx, "after the restart")
    check_position(ctx, "after the restart")


def phase_kill(ctx: Context) -> None:
    checks = ctx.checks
    base = (position(ctx) or {}).get("fetched", 0)
    burst = [simple(ctx, f"burst {i:03d}", f"burst-{i:03d}", who=f"burst{i % 10}", name=f"Burst Sender {i % 10}")
             for i in range(BURST)]
    errors: list[str] = []
    appended = threading.Event()

    def appender() -> None:
        try:
            client = ctx.mailbox.connect()
            try:
                for m in burst:
                    ctx.append(m, client)
            finally:
                client.logout()
        except Exception as e:  # noqa: BLE001 - reported by the check below
            errors.append(f"{type(e).__name__}: {e}")
        finally:
            appended.set()

    thread = threading.Thread(target=appender, daemon=True)
    t0 = time.monotonic()
    thread.start()
    killed_at_count = None
    last = 0
    while time.monotonic() - t0 < 60:
        try:
            fetched = ((position(ctx) or {}).get("fetched") or 0) - base
        except (TestAbort, OSError) as e:
            errors.append(f"reading the position: {e}")
            break
        last = fetched
        if 0 < fetched < BURST:
            ctx.server.proc.kill()
            ctx.server.proc.wait(timeout=30)
            killed_at_count = fetched
            break
        if fetched >= BURST:
            break
        time.sleep(0.005)
    killed_after = time.monotonic() - t0
    thread.join(timeout=120)
    log(f"burst: {len(ctx.sent)} APPENDed in all; SIGKILL {killed_after:.2f}s after the burst began, "
        f"{killed_at_count if killed_at_count is not None else last} of {BURST} stored by then")
    checks.check(f"all {BURST} burst messages APPENDed", not errors and appended.is_set()
                 and all(m.uid for m in burst), "; ".join(errors))
    checks.check("SIGKILL while the burst was being fetched (some but not all stored)",
                 killed_at_count is not None, f"{killed_at_count} of {BURST} stored at the kill"
                 if killed_at_count is not None else f"{last} of {BURST} stored, the server not killed")
    if ctx.server.running():
        ctx.server.cleanup()

    restart(ctx, "after SIGKILL")
    ready_at = time.monotonic()
    resumed_after = None
    done_after = None
    count = 0
    while time.monotonic() - ready_at < KILL_RESUME_TIMEOUT:
        count = ((position(ctx) or {}).get("fetched") or 0) - base
        if resumed_after is None and count > (killed_at_count or 0):
            resumed_after = time.monotonic() - ready_at
            log(f"after SIGKILL: fetching resumed {resumed_after:.1f}s after the restarted server was ready")
        if count >= BURST:
            done_after = time.monotonic() - ready_at
            break
        time.sleep(0.2)
    log(f"after SIGKILL: {count} of {BURST} burst messages counted as fetched"
        + (f", all {done_after:.1f}s after the restart" if done_after is not None else f" after {KILL_RESUME_TIMEOUT:.0f}s"))
    if resumed_after is not None and resumed_after > 10:
        ctx.notes.append(f"after SIGKILL the restarted server resumed the mailbox only {resumed_after:.0f}s after it was ready "
                         "(the dead server's lease on the mailbox had to lapse)")
    found = wait_stored(ctx, burst, 10)
    missing = [m.label for m in burst if not found[m.message_id][0]]
    twice = [m.label for m in burst if len(found[m.message_id][0]) > 1]
    checks.check(f"after SIGKILL and a restart all {BURST} burst messages are stored, each once",
                 not missing and not twice, f"missing {sample(missing)}, twice {sample(twice)}"
                 + (f"; all in {done_after:.1f}s after the restart" if done_after is not None else ""))
    check_stored_once(ctx, "after SIGKILL and a restart")
    check_position(ctx, "after SIGKILL and a restart")
    # Informational: the keyword is stored after the batch's commit, so a batch stored just before
    # the kill may stay unflagged (resuming goes by the saved UID, not by the keyword).
    flags = ctx.mailbox.flags()
    unflagged = sorted(uid for uid, f in flags.items() if KEYWORD not in f)
    log(f"after SIGKILL: {len(unflagged)} of {len(flags)} messages in the mailbox without {KEYWORD}"
        + (f" (UIDs {unflagged[0]}..{unflagged[-1]})" if unflagged else ""))


# --------------------------------------------------------------------------- #
# Main flow
# --------------------------------------------------------------------------- #

def phase(ctx: Context, title: str, fn, *args) -> None:
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


def tidy(ctx: Context) -> None:
    """Leaves no channel behind that would fetch from this run's Dovecot (PostgreSQL keeps them)."""
    if not ctx.server.running():
        return
    try:
        if ctx.bad_channel_id:
            status, _ = ctx.api.json("DELETE", f"/v1/channels/{ctx.bad_channel_id}")
            log(f"DELETE the wrong-password channel: HTTP {status}")
            if status not in (204, 404):
                status, _ = ctx.api.json("PATCH", f"/v1/channels/{ctx.bad_channel_id}",
                                         {"settings": {"address": f"wrong-{ctx.run_id}@rapport.test"}})
                log(f"PATCH the wrong-password channel's settings without imap instead: HTTP {status}")
        if ctx.channel_id:
            status, _ = ctx.api.json("PATCH", f"/v1/channels/{ctx.channel_id}", {"settings": {"address": ctx.address}})
            log(f"PATCH the channel's settings without imap: HTTP {status}")
        for box in ctx.tls_boxes:
            if box.channel_id:
                status, _ = ctx.api.json("PATCH", f"/v1/channels/{box.channel_id}", {"settings": {"address": box.address}})
                log(f"PATCH the {box.label} channel's settings without imap: HTTP {status}")
    except Exception as e:  # noqa: BLE001 - tidying is best effort
        log(f"tidying failed: {type(e).__name__}: {e}")


def run(args, checks: Checks, box: dict) -> None:
    tmp = box["tmp"]
    Dovecot.check_machine()
    run_id = f"{int(time.time())}{random.randrange(16**4):04x}"
    rng = random.Random(run_id)
    password = f"pw-{run_id}-{rng.randbytes(6).hex()}"
    bad_password = f"wrong-{run_id}-{rng.randbytes(6).hex()}"
    user = f"support-{run_id}@rapport.test"
    tls_users = {label: (f"{label.lower()}-{run_id}@rapport.test", f"pw-{label.lower()}-{run_id}-{rng.randbytes(6).hex()}")
                 for label in ("imaps", "STARTTLS")}
    box["secrets"] = [password, bad_password, *(pw for _, pw in tls_users.values())]

    pki = Pki(os.path.join(tmp, "pki"))
    pki.make(run_id)
    dovecot = Dovecot(os.path.join(tmp, "dovecot"), {user: password, **dict(tls_users.values())}, pki)
    box["dovecot"] = dovecot
    dovecot.start()

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
    log(f"run {run_id}; server log {server.log_path}")
    key = server.create_key()
    print("--- 0. --mailbox-ca-file naming a file that does not exist", flush=True)
    check_missing_ca_file(checks, server, tmp)
    serve_args = ["--mailbox-ca-file", pki.ca_cert]
    server.start("first", serve_args)
    log(f"first server ready in {server.wait_ready():.1f}s")
    ctx = Context(checks=checks, server=server, api=Api(server.port, key), mailbox=Mailbox(dovecot.port, user, password),
                  run_id=run_id, rng=rng, password=password, bad_password=bad_password, address=user,
                  serve_args=serve_args, dovecot=dovecot)
    ports = {"imaps": f"imaps://127.0.0.1:{dovecot.imaps_port}", "STARTTLS": f"imap+starttls://127.0.0.1:{dovecot.port}"}
    ctx.tls_boxes = [TlsBox(label, ports[label], Mailbox(dovecot.port, name, pw, tls=pki.client_context()), name)
                     for label, (name, pw) in tls_users.items()]
    box["ctx"] = ctx
    try:
        print("=== fetching Dovecot mailboxes on 127.0.0.1: plain IMAP, and imaps/STARTTLS with a private CA "
              "(--mailbox-ca-file)", flush=True)
        phase(ctx, "1. messages already in the mailbox", phase_existing)
        if not ctx.channel_id:
            return
        phase(ctx, "2. new mail while idling", phase_idle)
        phase(ctx, "5. a reply joins the conversation", phase_reply)
        phase(ctx, f"3. {KEYWORD} on the server", phase_flags)
        # Before 7: Dovecot delays every login from 127.0.0.1 for a while after a failed one (its
        # auth penalty), and the wrong-password channel fails again and again from then on.
        phase(ctx, "9. imaps and STARTTLS with the private CA; without it, not trusted", phase_tls)
        phase(ctx, "7. wrong password", phase_wrong_password)
        phase(ctx, "8. the password is never shown; a PATCH keeps it", phase_patch)
        phase(ctx, "4. SIGTERM, restart; SIGTERM, mail while down, restart", phase_restart)
        phase(ctx, f"6. SIGKILL during a burst of {BURST}", phase_kill)
        tidy(ctx)
        rc, took = server.terminate()
        checks.check("finally SIGTERM: the server exits 0", rc == 0, f"exit {rc} after {took:.1f}s")
        try:
            with open(server.log_path, "rb") as f:
                server_log = f.read()
        except OSError as e:
            server_log = b""
            log(f"cannot read the server log: {e}")
        tokens = [base64.b64encode(b"\0" + u.encode() + b"\0" + p.encode())
                  for u, p in ((user, password), (user, bad_password), *tls_users.values())]
        leaked = secrets_in(server_log, ctx) + [f"SASL token {i + 1}" for i, t in enumerate(tokens) if t in server_log]
        checks.check("the mailbox passwords never appear in the server log", not leaked, f"found: {leaked}")
    finally:
        tidy(ctx)
        for note in ctx.notes:
            log(f"note: {note}")


def parse_args(argv=None):
    ap = argparse.ArgumentParser(description="Rapport IMAP fetch interop test with Dovecot")
    ap.add_argument("--binary", required=True, help="path to the rapport executable")
    ap.add_argument("--database-url", default=None, help="PostgreSQL URL (default: SQLite in a temp dir)")
    ap.add_argument("--keep", "--keep-temp", dest="keep", action="store_true",
                    help="keep the temp dir (server log, data, Dovecot's dir and log)")
    args = ap.parse_args(argv)
    if not (os.path.isfile(args.binary) and os.access(args.binary, os.X_OK)):
        ap.error(f"--binary {args.binary!r} is not an executable file")
    return args


def _interrupt(signum, frame) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def hide(textual: str, secrets: list[str]) -> str:
    for s in secrets:
        textual = textual.replace(s, "<password>")
    return textual


def main(argv=None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, _interrupt)  # a CI timeout still stops the servers
    checks = Checks()
    box: dict = {"tmp": tempfile.mkdtemp(prefix="rapport-imap-interop-"), "server": None, "dovecot": None, "secrets": []}
    t0 = time.monotonic()
    crashed = False
    skipped = ""
    try:
        run(args, checks, box)
    except Skip as e:
        skipped = str(e)
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
        if box["dovecot"] is not None:
            box["dovecot"].stop()
    if skipped:
        print(f"SKIP: IMAP interop test not run: {skipped}", flush=True)
        shutil.rmtree(box["tmp"], ignore_errors=True)
        print("0 passed, 0 failed (skipped)", flush=True)
        return 0
    server, dovecot = box["server"], box["dovecot"]
    if (checks.failed or crashed) and server is not None:
        print(f"--- server log tail ({server.log_path}) ---\n{hide(server.log_tail(), box['secrets'])}--- end of server log ---",
              flush=True)
    if (checks.failed or crashed) and dovecot is not None:
        print(f"--- dovecot log tail ---\n{hide(dovecot.log_tail(), box['secrets'])}--- end of dovecot log ---", flush=True)
    if checks.failed or args.keep:
        print(f"temp dir kept: {box['tmp']}", flush=True)
    else:
        shutil.rmtree(box["tmp"], ignore_errors=True)
    log(f"total {time.monotonic() - t0:.1f}s")
    print(f"{checks.passed} passed, {checks.failed} failed", flush=True)
    return 1 if checks.failed else 0


if __name__ == "__main__":
    sys.exit(main())
