#!/usr/bin/env python3
"""Crash-consistency test for Rapport's SMTP server: kill -9 during an SMTP burst loses no message the
server acknowledged with 250 and stores none twice.

Starts `rapport serve --smtp-port ...` on a temp SQLite data dir (or a given PostgreSQL), makes an admin
key and an email channel with a per-run address, then:

1. Burst: N messages (default 1,000) of about 10 KB each (plain UTF-8 text, a unique Message-ID each,
   several envelope senders) from several concurrent SMTP connections, each delivering many messages in
   one session (MAIL, RCPT, DATA per message). A message counts as acknowledged only when its DATA got a
   complete 250 reply naming the mail id; an exception, a torn reply or any other code means it was not.
2. After a random number of acknowledgments (30%..60% of N, from --seed, printed for reproduction) the
   server is SIGKILLed in the middle of the burst.
3. Restart on the same storage; wait for HTTP /health/ready and the SMTP 220 banner.
4. Checks: every acknowledged message is listed on the channel (external_id = its Message-ID, metadata
   mail_message_id = the acknowledged mail id) and GET /v1/mail-messages/{id} finds it; no external_id
   is stored twice; acknowledged <= stored <= messages whose content was sent; every stored message's
   raw bytes are exactly those sent (nothing half-written survives the crash).
5. Every message is sent again, as a client's retry would: all get 250; an acknowledged (or already
   stored) message's retry names the mail id it was stored under; afterwards the channel holds exactly
   N interactions with N distinct external ids, each with the mail id its retry named.
6. SIGTERM: the server exits 0 within 15 s.

One PASS/FAIL line per check, then `N passed, N failed`; exit status 1 when a check failed, with the
tail of the server log. Python 3.11 standard library only (smtplib, email).

    python3 scripts/mail_crash_test.py --binary .build/debug/rapport
    python3 scripts/mail_crash_test.py --binary .build/debug/rapport --seed 1234 \\
        --database-url postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable
"""

from __future__ import annotations

import argparse
import collections
import concurrent.futures
import email.utils
import http.client
import json
import os
import random
import re
import shutil
import signal
import smtplib
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import urllib.parse
from dataclasses import dataclass
from email.message import EmailMessage

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from testkit import Checks, free_port, redact, sample  # noqa: E402

HTTP_TIMEOUT = 30.0
READY_TIMEOUT = 90.0          # HTTP /health/ready
SMTP_READY_TIMEOUT = 30.0     # the SMTP port may open a moment after HTTP is ready
SMTP_TIMEOUT = 30.0           # each SMTP command's reply
KILLED_EXIT_TIMEOUT = 10.0
SHUTDOWN_TIMEOUT = 15.0
BURST_TIMEOUT = 900.0         # the whole burst (or resend), a deadline for joining the workers
SENDER_RATE = 1_000_000       # --smtp-sender-rate: the burst must not be throttled
SENDERS = 12
LOG_TAIL_LINES = 80
MAX_PAGES = 10_000
CLIENT_NAME = "crash-client.example"   # our EHLO name (smtplib would otherwise look up the FQDN)
MESSAGE_BYTES = (9_000, 11_500)        # body size range, "about 10 KB"


class TestAbort(Exception):
    """A problem that makes going on pointless."""


def log(msg: str) -> None:
    print(f"[mail-crash {time.strftime('%H:%M:%S')}] {msg}", flush=True)


def text(value) -> str:
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    return str(value)


# --------------------------------------------------------------------------- #
# The server under test
# --------------------------------------------------------------------------- #

class Server:
    """`rapport serve` with the SMTP server on; the same HTTP and SMTP ports on every start, one log."""

    def __init__(self, binary: str, storage: list[str], log_path: str) -> None:
        self.binary = binary
        self.storage = storage
        self.log_path = log_path
        self.port = free_port()
        self.smtp_port = free_port()
        self.proc: subprocess.Popen | None = None
        self.starts = 0
        self.key: str | None = None  # redacted from printed log tails

    def _append_log(self, text_: str) -> None:
        with open(self.log_path, "a", encoding="utf-8") as f:
            f.write(text_)

    def _marker(self, what: str) -> None:
        self._append_log(f"\n===== mail-crash: {what} ({time.strftime('%H:%M:%S')}) =====\n")

    def create_key(self) -> str:
        self._marker("keys create")
        res = subprocess.run([self.binary, "keys", "create", "--role", "admin", "--name", "mail-crash-test",
                              *self.storage], capture_output=True, text=True, timeout=180)
        self._append_log(res.stderr)
        found = [ln.strip() for ln in res.stdout.splitlines() if ln.strip()]
        if res.returncode != 0 or not found:
            self._append_log(res.stdout)
            raise TestAbort(f"'rapport keys create' exited with {res.returncode}")
        self.key = found[-1]
        return self.key

    def start(self) -> None:
        self.starts += 1
        self._marker(f"serve start #{self.starts}")
        cmd = [self.binary, "serve", "--host", "127.0.0.1", "--port", str(self.port), *self.storage,
               "--smtp-port", str(self.smtp_port), "--smtp-sender-rate", str(SENDER_RATE)]
        with open(self.log_path, "ab") as logf:  # the child keeps its own descriptor
            self.proc = subprocess.Popen(cmd, stdout=logf, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        log(f"server started (pid {self.proc.pid}, HTTP {self.port}, SMTP {self.smtp_port})")

    def wait_ready(self) -> float:
        assert self.proc is not None
        t0 = time.monotonic()
        deadline = t0 + READY_TIMEOUT
        last = ""
        while time.monotonic() < deadline:
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
        """Connects until the SMTP port answers with a 220 banner (a deadline loop)."""
        assert self.proc is not None
        t0 = time.monotonic()
        deadline = t0 + SMTP_READY_TIMEOUT
        last = ""
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise TestAbort(f"server exited with {self.proc.returncode} before its SMTP port opened")
            client = smtplib.SMTP(local_hostname=CLIENT_NAME, timeout=3)
            try:
                code, banner = client.connect("127.0.0.1", self.smtp_port)
                if code == 220:
                    quit_quietly(client)
                    return time.monotonic() - t0
                last = f"banner {code} {text(banner)}"
            except (OSError, smtplib.SMTPException) as e:
                last = f"{type(e).__name__}: {e}"
            finally:
                client.close()
            time.sleep(0.1)
        raise TestAbort(f"SMTP port {self.smtp_port} not answering after {SMTP_READY_TIMEOUT:.0f}s (last: {last})")

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def sigkill(self) -> None:
        if self.running():
            os.kill(self.proc.pid, signal.SIGKILL)

    def wait(self, timeout: float) -> int | None:
        assert self.proc is not None
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return None

    def terminate(self) -> tuple[int | None, float]:
        """SIGTERM, then the exit status (None if still running after SHUTDOWN_TIMEOUT) and the time taken."""
        assert self.proc is not None
        t0 = time.monotonic()
        if self.running():
            self.proc.send_signal(signal.SIGTERM)
        return self.wait(SHUTDOWN_TIMEOUT), time.monotonic() - t0

    def cleanup(self) -> None:
        """Never leaves the server behind."""
        if not self.running():
            return
        try:
            self.proc.kill()
            self.proc.wait(timeout=10)
        except (OSError, subprocess.TimeoutExpired):
            pass

    def log_tail(self) -> str:
        try:
            with open(self.log_path, encoding="utf-8", errors="replace") as f:
                tail = "".join(f.readlines()[-LOG_TAIL_LINES:])
        except OSError as e:
            return f"(cannot read {self.log_path}: {e})\n"
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
        """(status, lower-cased headers, body bytes); one retry on a stale keep-alive connection."""
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

    def interactions(self, channel_id: str) -> list[dict]:
        """Every interaction on the channel, page by page."""
        out: list[dict] = []
        cursor = None
        seen: set[str] = set()
        for _ in range(MAX_PAGES):
            query = {"channel_id": channel_id, "limit": "500", **({"cursor": cursor} if cursor else {})}
            page = self.get_json("/v1/interactions?" + urllib.parse.urlencode(query))
            data = page.get("data")
            if not isinstance(data, list):
                raise TestAbort(f"interaction page without a 'data' array: {str(page)[:300]}")
            out += [item for item in data if isinstance(item, dict)]
            cursor = page.get("next_cursor")
            if not cursor:
                return out
            if cursor in seen:
                raise TestAbort(f"interaction pagination loops (cursor {cursor!r} repeated)")
            seen.add(cursor)
        raise TestAbort("interaction pagination did not end")

    def mail_message(self, mail_id: str) -> tuple[int, dict | None]:
        status, parsed = self.json("GET", f"/v1/mail-messages/{urllib.parse.quote(mail_id, safe='')}")
        return status, parsed if isinstance(parsed, dict) else None

    def mail_raw(self, mail_id: str) -> tuple[int, bytes]:
        status, _, body = self.request("GET", f"/v1/mail-messages/{urllib.parse.quote(mail_id, safe='')}/raw")
        return status, body


def parallel(fn, items, workers: int = 8) -> list:
    with concurrent.futures.ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(fn, items))


# --------------------------------------------------------------------------- #
# smtplib, telling a complete reply from a torn one
# --------------------------------------------------------------------------- #

class _ReplyLines:
    """The reply stream smtplib reads; notes a line that ended without its line break (the connection
    closed in the middle of it), which smtplib would otherwise hand on as if it were whole."""

    def __init__(self, raw, owner: "Client") -> None:
        self.raw = raw
        self.owner = owner

    def readline(self, size: int = -1) -> bytes:
        line = self.raw.readline(size)
        if line and not line.endswith(b"\n"):
            self.owner.torn = True
        return line

    def close(self) -> None:
        self.raw.close()


class Client(smtplib.SMTP):
    def __init__(self, port: int) -> None:
        self.torn = False
        super().__init__("127.0.0.1", port, local_hostname=CLIENT_NAME, timeout=SMTP_TIMEOUT)

    def getreply(self):
        if self.file is None and self.sock is not None:
            self.file = _ReplyLines(self.sock.makefile("rb"), self)
        self.torn = False
        return super().getreply()


def quit_quietly(client: smtplib.SMTP) -> None:
    try:
        client.quit()
    except (smtplib.SMTPException, OSError):
        client.close()


def queued_id(reply: bytes) -> str | None:
    """The mail id in '250 2.0.0 Ok: queued as <id>' (angle brackets optional)."""
    found = re.search(rb"queued as\s+<?([^\s<>]+)>?", reply or b"", re.IGNORECASE)
    return found.group(1).decode("utf-8", "replace") if found else None


def dot_stuff(message: bytes) -> bytes:
    """RFC 5321 4.5.2: a line that begins with '.' gets one more; then the end-of-data line."""
    if not message.endswith(b"\r\n"):
        message += b"\r\n"
    return re.sub(rb"(?m)^\.", b"..", message) + b".\r\n"


class Refused(Exception):
    """The server answered a step of a delivery with an unexpected code."""

    def __init__(self, stage: str, code: int, reply: bytes) -> None:
        super().__init__(f"{stage} {code} {text(reply)[:120]}")


# --------------------------------------------------------------------------- #
# Messages: about 10 KB of support mail each
# --------------------------------------------------------------------------- #

PEOPLE = [
    ("Ana Lima", "ana.lima", "cliente.example"), ("Bruno Costa", "bruno", "mail.example"),
    ("Chloé Martin", "chloe.martin", "exemple.example"), ("Dieter Müller", "d.mueller", "firma.example"),
    ("Elena Petrova", "elena.p", "post.example"), ("Farid Haddad", "farid", "shop.example"),
    ("Grace O'Neill", "grace.oneill", "home.example"), ("Hiro Tanaka", "hiro", "kaisha.example"),
    ("Inês Sousa", "ines.sousa", "correio.example"), ("José García", "jgarcia", "empresa.example"),
    ("Katarzyna Nowak", "k.nowak", "poczta.example"), ("Liam Walsh", "liam.walsh", "office.example"),
]

SUBJECTS = [
    "Order #{n} has not arrived", "Re: Invoice {n} — wrong VAT number", "Refund for order {n}?",
    "Pedido {n} ainda não chegou", "Problema con la factura {n}", "Lieferung {n} beschädigt",
    "Question about my subscription (account {n})", "Re: Re: Ticket {n}: login keeps failing",
    "Commande {n} : article manquant", "Change of delivery address for order {n}",
]

SENTENCES = [
    "I placed order #{n} on the {d}th and the tracking page still says the parcel is being prepared.",
    "Could you please check with the warehouse whether it actually left, because I need it before the weekend?",
    "The invoice I received lists the wrong VAT number for our company; the correct one is in our account settings.",
    "We have been customers for several years and this is the first time something like this has happened.",
    "Attached you would normally find a photo of the box, but our mail server strips attachments over a few megabytes.",
    "The courier left a note saying nobody was home, although I was working from home the entire day.",
    "Please cancel the second item in the order if it cannot be shipped together with the first one.",
    "I tried to reset my password three times and the e-mail with the link never arrived, not even in spam.",
    "Our finance team needs a corrected invoice by the end of the month to close the quarter.",
    "If a refund is easier for you than a replacement, that is fine with me; just let me know how long it takes.",
    "The product itself works well, but the charger that came with it gets very hot after about ten minutes.",
    "My colleague in the Lisbon office ordered the same model last week and received it within two days.",
    "Is there a phone number I can call instead? I have written to this address twice already.",
    "I would appreciate a short confirmation that you received this message, even without a solution yet.",
    "O pedido {n} foi pago no dia {d}, mas o estado continua como “aguardando pagamento”.",
    "Já tentei falar com o suporte pelo chat, mas a conversa foi encerrada sem resposta.",
    "La factura {n} tiene un importe distinto al del pedido; faltan los gastos de envío.",
    "¿Podrían enviarme una copia corregida a esta misma dirección de correo, por favor?",
    "Das Paket kam mit einer eingedrückten Ecke an, und das Gerät lässt sich nicht mehr einschalten.",
    "Bitte teilen Sie mir mit, ob ich es zurückschicken soll oder ob ein Techniker vorbeikommt.",
    "La commande {n} est arrivée sans le câble d'alimentation indiqué sur la fiche produit.",
    "Merci de me dire si je dois renvoyer le colis complet ou seulement l'article défectueux.",
    "Zamówienie {n} dotarło, ale brakuje w nim instrukcji obsługi w języku polskim.",
    "注文番号{n}の商品がまだ届いていません。配送状況を確認していただけますか。",
]

DOT_LINES = [
    ".NET runtime 8.0.4 is installed on the machine where the desktop app crashes.",
    ". Sorry, that line above was a typo.",
    "...and that was when the screen went blank.",
]


@dataclass
class Message:
    index: int
    message_id: str        # without angle brackets: what external_id must be
    sender: str            # envelope sender
    raw: bytes             # the message as given to DATA (CRLF line ends, before dot-stuffing)
    payload: bytes         # dot-stuffed, with the end-of-data line


def wrap(words: str, width: int) -> list[str]:
    """Greedy word wrap (textwrap is several times slower, and 1,000 messages of it add up)."""
    out: list[str] = []
    line = ""
    for word in words.split():
        if line and len(line) + 1 + len(word) > width:
            out.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    if line:
        out.append(line)
    return out


def message_body(rng: random.Random, target: int) -> str:
    """Paragraphs of plausible support text, a quoted earlier reply and a signature, about `target` bytes."""
    paragraphs: list[str] = []
    size = 0
    while size < target * 0.8:
        sentences = " ".join(rng.choice(SENTENCES).format(n=rng.randrange(10_000, 99_999), d=rng.randrange(1, 28))
                             for _ in range(rng.randrange(2, 6)))
        para = "\n".join(wrap(sentences, 72))
        if rng.random() < 0.1:
            para = rng.choice(DOT_LINES) + "\n" + para   # a line that begins with "." (dot-stuffing)
        paragraphs.append(para)
        size += len(para.encode("utf-8")) + 2
    quoted = []
    while size < target:
        sentence = rng.choice(SENTENCES).format(n=rng.randrange(10_000, 99_999), d=rng.randrange(1, 28))
        quoted += ["> " + ln for ln in wrap(sentence, 70)]
        size += len(sentence.encode("utf-8")) + 3
    return ("Hello,\n\n" + "\n\n".join(paragraphs) + "\n\nBest regards\n\nOn a previous day, Support wrote:\n"
            + "\n".join(quoted) + "\n")


def make_messages(rng: random.Random, run_id: str, address: str, count: int) -> list[Message]:
    senders = [(name, f"{local}-{run_id}@{domain}") for name, local, domain in PEOPLE[:SENDERS]]
    policy = None
    out = []
    for i in range(count):
        name, sender = senders[i % len(senders)]
        mid = f"{run_id}.{i:05d}@mail-crash.example"
        msg = EmailMessage()
        msg["From"] = email.utils.formataddr((name, sender))
        msg["To"] = email.utils.formataddr(("Support", address))
        msg["Subject"] = rng.choice(SUBJECTS).format(n=rng.randrange(10_000, 99_999))
        msg["Date"] = email.utils.formatdate(localtime=True)
        msg["Message-ID"] = f"<{mid}>"
        body = message_body(rng, rng.randrange(*MESSAGE_BYTES))
        msg.set_content(body + f"\n-- \n{name}\n", cte="8bit")
        policy = policy or msg.policy.clone(linesep="\r\n")
        raw = msg.as_bytes(policy=policy)
        out.append(Message(index=i, message_id=mid, sender=sender, raw=raw, payload=dot_stuff(raw)))
    return out


# --------------------------------------------------------------------------- #
# A burst of deliveries over concurrent sessions
# --------------------------------------------------------------------------- #

class Burst:
    """Who got what: a message is acknowledged only with a complete 250 reply naming its mail id."""

    def __init__(self, label: str, address: str, total: int, server: Server, kill_after: int | None) -> None:
        self.label = label
        self.address = address                   # RCPT TO: the channel's address
        self.lock = threading.Lock()
        self.total = total
        self.server = server
        self.kill_after = kill_after
        self.next_index = 0
        self.acked: dict[int, str] = {}          # index -> mail id
        self.attempted: set[int] = set()         # a delivery was begun
        self.content_sent: set[int] = set()      # the server answered DATA with 354 and the content went out
        self.failed: dict[int, str] = {}         # index -> why it was not acknowledged
        self.pre_kill_problems: list[str] = []
        self.sessions = 0
        self.killed = threading.Event()
        self.acks_at_kill = 0
        self.started = self.kill_time = self.finished = 0.0

    def take(self) -> int | None:
        with self.lock:
            if self.killed.is_set() or self.next_index >= self.total:
                return None
            i = self.next_index
            self.next_index += 1
            self.attempted.add(i)
            return i

    def sent_content(self, i: int) -> None:
        with self.lock:
            self.content_sent.add(i)

    def ack(self, i: int, mail_id: str) -> None:
        with self.lock:
            self.acked[i] = mail_id
            count = len(self.acked)
            if count % 100 == 0:
                print(f"  ... {self.label}: {count} acknowledged", flush=True)
            if self.kill_after is not None and not self.killed.is_set() and count >= self.kill_after:
                self.server.sigkill()
                self.kill_time = time.monotonic()
                self.killed.set()
                self.acks_at_kill = count
                print(f"  ... SIGKILL sent to pid {self.server.pid} after {count} acknowledgments", flush=True)

    def fail(self, i: int, reason: str) -> None:
        with self.lock:
            self.failed[i] = reason
            if not self.killed.is_set():
                self.pre_kill_problems.append(f"#{i}: {reason}")

    @property
    def not_sent(self) -> int:
        return self.total - len(self.attempted)


def deliver(client: Client, msg: Message, burst: Burst) -> str:
    """MAIL, RCPT, DATA and the content on an open session; the mail id of a complete 250, or it raises."""
    code, reply = client.mail(msg.sender, ["BODY=8BITMIME"])
    if code != 250:
        raise Refused("MAIL", code, reply)
    code, reply = client.rcpt(burst.address)
    if code != 250:
        raise Refused("RCPT", code, reply)
    code, reply = client.docmd("DATA")
    if code != 354:
        raise Refused("DATA", code, reply)
    burst.sent_content(msg.index)
    client.send(msg.payload)
    code, reply = client.getreply()
    mail_id = queued_id(reply)
    if code != 250 or client.torn or not mail_id:
        raise Refused("end of data" + (" (torn reply)" if client.torn else ""), code, reply)
    return mail_id


def run_burst(label: str, server: Server, address: str, messages: list[Message], connections: int,
              kill_after: int | None) -> tuple[Burst, float]:
    burst = Burst(label, address, len(messages), server, kill_after)
    start = threading.Barrier(connections)

    def worker(k: int) -> None:
        client: Client | None = None
        try:
            start.wait(30)
        except threading.BrokenBarrierError:
            pass
        while True:
            i = burst.take()
            if i is None:
                break
            msg = messages[i]
            try:
                if client is None:
                    client = Client(server.smtp_port)
                    code, reply = client.ehlo()
                    if code != 250:
                        raise Refused("EHLO", code, reply)
                    with burst.lock:
                        burst.sessions += 1
                burst.ack(i, deliver(client, msg, burst))
            except Refused as e:
                burst.fail(i, str(e))
                try:
                    client.rset()
                except (smtplib.SMTPException, OSError, AttributeError):
                    if client is not None:
                        client.close()
                    client = None
            except (smtplib.SMTPException, OSError) as e:
                burst.fail(i, f"{type(e).__name__}: {e}")
                if client is not None:
                    client.close()
                client = None
        if client is not None:
            quit_quietly(client)

    t0 = burst.started = time.monotonic()
    threads = [threading.Thread(target=worker, args=(k,), name=f"smtp-{k}", daemon=True) for k in range(connections)]
    for t in threads:
        t.start()
    deadline = t0 + BURST_TIMEOUT
    for t in threads:
        t.join(max(0.0, deadline - time.monotonic()))
    if any(t.is_alive() for t in threads):
        raise TestAbort(f"{label}: SMTP workers still running after {BURST_TIMEOUT:.0f}s")
    burst.finished = time.monotonic()
    return burst, burst.finished - t0


def reasons(failed: dict[int, str]) -> str:
    counts = collections.Counter(re.sub(r"\d{3} .*|:.*", "", r).strip() for r in failed.values())
    return ", ".join(f"{k or '?'} x{v}" for k, v in counts.most_common())


# --------------------------------------------------------------------------- #
# What the channel holds
# --------------------------------------------------------------------------- #

def mail_id_of(item: dict) -> str | None:
    meta = item.get("metadata")
    return meta.get("mail_message_id") if isinstance(meta, dict) else None


def same_message_id(value, message_id: str) -> bool:
    return isinstance(value, str) and value.strip().strip("<>") == message_id


def listing(api: Api, channel_id: str) -> tuple[list[dict], dict[str, list[dict]]]:
    items = api.interactions(channel_id)
    by_ext: dict[str, list[dict]] = collections.defaultdict(list)
    for item in items:
        by_ext[str(item.get("external_id"))].append(item)
    return items, by_ext


def raw_mismatches(api: Api, pairs: list[tuple[Message, str]]) -> list[str]:
    """Of (message, mail id) pairs, those whose stored raw bytes are not exactly what was sent."""
    def one(pair: tuple[Message, str]) -> str | None:
        msg, mail_id = pair
        status, body = api.mail_raw(mail_id)
        if status != 200:
            return f"{msg.message_id}: /raw HTTP {status}"
        if body != msg.raw:
            at = next((k for k in range(min(len(body), len(msg.raw))) if body[k] != msg.raw[k]),
                      min(len(body), len(msg.raw)))
            return f"{msg.message_id}: {len(body)} bytes stored, {len(msg.raw)} sent, first difference at {at}"
        return None
    return [r for r in parallel(one, pairs) if r]


def check_after_crash(checks: Checks, api: Api, channel_id: str, messages: list[Message],
                      burst: Burst) -> dict[str, list[dict]]:
    label = "after crash"
    items, by_ext = listing(api, channel_id)
    index_of = {m.message_id: m.index for m in messages}
    acked = burst.acked
    log(f"{label}: {len(items)} interactions listed on the channel, {len(acked)} acknowledged, "
        f"{len(burst.content_sent)} had their content sent")

    dups = [f"{ext} x{len(lst)}" for ext, lst in by_ext.items() if len(lst) > 1]
    checks.check(f"{label}: no external_id stored twice", not dups, sample(dups))
    missing = [messages[i].message_id for i in sorted(acked) if messages[i].message_id not in by_ext]
    checks.check(f"{label}: every acknowledged message is listed (external_id = its Message-ID)", not missing,
                 f"{len(acked)} acknowledged" if not missing else f"{len(missing)} missing: {sample(missing)}")
    wrong = []
    for i in sorted(acked):
        for item in by_ext.get(messages[i].message_id, []):
            if mail_id_of(item) != acked[i]:
                wrong.append(f"{messages[i].message_id}: listed mail_message_id {mail_id_of(item)!r}, "
                             f"acknowledged {acked[i]!r}")
    checks.check(f"{label}: listed metadata.mail_message_id is the acknowledged mail id", not wrong, sample(wrong, 3))
    distinct = set(acked.values())
    checks.check(f"{label}: every acknowledgment named its own mail id", len(distinct) == len(acked),
                 f"{len(distinct)} distinct of {len(acked)}")

    def lookup(i: int) -> str | None:
        status, body = api.mail_message(acked[i])
        mid = messages[i].message_id
        if status != 200 or body is None:
            return f"{acked[i]} ({mid}): HTTP {status}"
        problems = []
        if not same_message_id(body.get("message_id"), mid):
            problems.append(f"message_id {body.get('message_id')!r}")
        if body.get("channel_id") != channel_id:
            problems.append(f"channel_id {body.get('channel_id')!r}")
        listed = by_ext.get(mid, [])
        if len(listed) == 1 and body.get("interaction_id") != listed[0].get("id"):
            problems.append(f"interaction_id {body.get('interaction_id')!r}, listed {listed[0].get('id')!r}")
        return f"{acked[i]} ({mid}): " + ", ".join(problems) if problems else None

    bad = [r for r in parallel(lookup, sorted(acked)) if r]
    checks.check(f"{label}: GET /v1/mail-messages/{{acknowledged id}} finds each (same Message-ID, channel, interaction)",
                 not bad, f"{len(acked)} looked up" if not bad else sample(bad, 3))

    stored = len(by_ext)
    unknown = [ext for ext in by_ext if ext not in index_of or index_of[ext] not in burst.content_sent]
    checks.check(f"{label}: nothing stored whose content was not sent", not unknown, sample(unknown))
    checks.check(f"{label}: acknowledged <= stored <= content sent",
                 len(acked) <= stored <= len(burst.content_sent),
                 f"{len(acked)} <= {stored} <= {len(burst.content_sent)}")
    not_email = [f"{it.get('external_id')}: {it.get('kind')!r}" for it in items if it.get("kind") != "email"]
    checks.check(f"{label}: every stored message is an interaction of kind email", not not_email, sample(not_email))

    pairs = [(messages[index_of[ext]], mail_id_of(lst[0]) or "") for ext, lst in by_ext.items() if ext in index_of]
    mismatched = raw_mismatches(api, pairs)
    checks.check(f"{label}: every stored message's raw bytes are exactly those sent", not mismatched,
                 f"{len(pairs)} compared" if not mismatched else sample(mismatched, 3))
    stored_unacked = sum(1 for ext in by_ext if ext in index_of and index_of[ext] not in acked)
    log(f"{label}: {stored_unacked} messages stored without an acknowledgment (the kill came before the 250)")
    return by_ext


def check_resend(checks: Checks, api: Api, channel_id: str, messages: list[Message], first: Burst,
                 resend: Burst, before: dict[str, list[dict]]) -> None:
    n = len(messages)
    failed = [f"{messages[i].message_id}: {r}" for i, r in sorted(resend.failed.items())]
    checks.check(f"resend: all {n} messages answered 250 with a mail id",
                 len(resend.acked) == n and not failed,
                 f"{len(resend.acked)} of {n}" + (f"; {sample(failed, 3)}" if failed else ""))
    changed = [f"{messages[i].message_id}: first {mid!r}, retry {resend.acked.get(i)!r}"
               for i, mid in sorted(first.acked.items()) if i in resend.acked and resend.acked[i] != mid]
    checks.check("resend: each acknowledged message's retry named its first mail id", not changed,
                 f"{len(first.acked)} acknowledged" if not changed else sample(changed, 3))
    stored_unacked = {i: mail_id_of(before[m.message_id][0]) for i, m in enumerate(messages)
                      if i not in first.acked and m.message_id in before}
    moved = [f"{messages[i].message_id}: stored as {mid!r}, retry {resend.acked.get(i)!r}"
             for i, mid in sorted(stored_unacked.items()) if i in resend.acked and resend.acked[i] != mid]
    checks.check("resend: each message stored without an acknowledgment: its retry named the stored mail id",
                 not moved, f"{len(stored_unacked)} such messages" if not moved else sample(moved, 3))
    ids = list(resend.acked.values())
    checks.check("resend: every message has its own mail id", len(set(ids)) == len(ids),
                 f"{len(set(ids))} distinct of {len(ids)}")

    label = "after resend"
    items, by_ext = listing(api, channel_id)
    wanted = {m.message_id for m in messages}
    checks.check(f"{label}: the channel holds exactly {n} interactions with {n} distinct external ids",
                 len(items) == n and len(by_ext) == n and set(by_ext) == wanted,
                 f"{len(items)} listed, {len(by_ext)} distinct, {len(wanted - set(by_ext))} missing, "
                 f"{len(set(by_ext) - wanted)} unknown")
    dups = [f"{ext} x{len(lst)}" for ext, lst in by_ext.items() if len(lst) > 1]
    checks.check(f"{label}: no external_id stored twice", not dups, sample(dups))
    wrong = [f"{m.message_id}: listed {[mail_id_of(x) for x in by_ext.get(m.message_id, [])]}, "
             f"retry named {resend.acked.get(m.index)!r}"
             for m in messages if [mail_id_of(x) for x in by_ext.get(m.message_id, [])] != [resend.acked.get(m.index)]]
    checks.check(f"{label}: each interaction's metadata.mail_message_id is the mail id its retry named", not wrong,
                 sample(wrong, 3))
    unchanged = [f"{messages[i].message_id}: acknowledged {mid!r}, listed "
                 f"{[mail_id_of(x) for x in by_ext.get(messages[i].message_id, [])]}"
                 for i, mid in sorted(first.acked.items())
                 if [mail_id_of(x) for x in by_ext.get(messages[i].message_id, [])] != [mid]]
    checks.check(f"{label}: each acknowledged message's mail id unchanged", not unchanged,
                 f"{len(first.acked)} acknowledged" if not unchanged else sample(unchanged, 3))
    new = [(m, resend.acked[m.index]) for m in messages if m.message_id not in before and m.index in resend.acked]
    mismatched = raw_mismatches(api, new)
    checks.check(f"{label}: every newly stored message's raw bytes are exactly those sent", not mismatched,
                 f"{len(new)} compared" if not mismatched else sample(mismatched, 3))


# --------------------------------------------------------------------------- #
# Main flow
# --------------------------------------------------------------------------- #

def run(args: argparse.Namespace, checks: Checks, box: dict) -> None:
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
    rng = random.Random(args.seed)
    low, high = max(1, round(args.messages * 0.3)), max(1, round(args.messages * 0.6))
    kill_after = min(rng.randint(low, high), args.messages - 1) if args.messages > 1 else 1
    run_id = f"{int(time.time())}{random.SystemRandom().randrange(16**4):04x}"
    log(f"seed {args.seed} (rerun with --seed {args.seed}); run {run_id}; "
        f"SIGKILL after {kill_after} acknowledgments; server log {server.log_path}")

    key = server.create_key()
    server.start()
    log(f"server: HTTP ready in {server.wait_ready():.1f}s, SMTP answering {server.wait_smtp():.1f}s after that")
    api = Api(server.port, key)
    address = f"support-{run_id}@crash.example"
    status, channel = api.json("POST", "/v1/channels", {"kind": "email", "name": f"Mail crash {run_id}",
                                                        "settings": {"address": address}})
    if status != 201 or not isinstance(channel, dict) or not channel.get("id"):
        raise TestAbort(f"POST /v1/channels -> HTTP {status}: {str(channel)[:300]}")
    channel_id = channel["id"]
    log(f"email channel {channel_id} for {address}")

    t0 = time.monotonic()
    messages = make_messages(rng, run_id, address, args.messages)
    sizes = [len(m.raw) for m in messages]
    log(f"{len(messages)} messages built in {time.monotonic() - t0:.1f}s: {min(sizes)}..{max(sizes)} bytes, "
        f"{sum(sizes) / len(sizes) / 1024:.1f} KiB on average, {SENDERS} senders")

    # 1. the burst, killed partway ------------------------------------------------
    print(f"--- burst: {args.messages} messages over {args.connections} connections, SIGKILL partway", flush=True)
    burst, took = run_burst("burst", server, address, messages, args.connections, kill_after)
    if not burst.killed.is_set():
        log("the kill threshold was never reached; killing the server now")
        server.sigkill()
    rc = server.wait(KILLED_EXIT_TIMEOUT)
    after_kill = len(burst.acked) - burst.acks_at_kill
    log(f"burst: {took:.1f}s, {burst.sessions} sessions; {len(burst.acked)} acknowledged "
        f"({burst.acks_at_kill} when the kill was sent, {after_kill} after), {len(burst.attempted)} begun, "
        f"{len(burst.content_sent)} with content sent, {len(burst.failed)} not acknowledged, "
        f"{burst.not_sent} never begun")
    if burst.killed.is_set():
        log(f"burst: {burst.acks_at_kill / max(0.001, burst.kill_time - burst.started):.0f} messages/s acknowledged "
            f"before the kill, sent {burst.kill_time - burst.started:.1f}s into the burst; workers stopped "
            f"{burst.finished - burst.kill_time:.2f}s after it")
    if burst.failed:
        log(f"not acknowledged: {reasons(burst.failed)}")
    checks.check("the server was SIGKILLed partway through the burst",
                 burst.killed.is_set() and len(burst.acked) < args.messages,
                 f"killed at {burst.acks_at_kill} acknowledgments, {len(burst.acked)} in all")
    checks.check("the killed server's exit status is SIGKILL", rc == -signal.SIGKILL, f"exit status {rc}")
    checks.check("no SMTP error before the kill", not burst.pre_kill_problems, sample(burst.pre_kill_problems, 3))

    # 2. restart on the same storage ----------------------------------------------
    print("--- restart on the same storage", flush=True)
    server.start()
    ready = server.wait_ready()
    log(f"server: HTTP ready in {ready:.1f}s, SMTP answering {server.wait_smtp():.1f}s after that")

    t0 = time.monotonic()
    before = check_after_crash(checks, api, channel_id, messages, burst)
    log(f"after-crash checks took {time.monotonic() - t0:.1f}s")

    # 3. every message again, as a client's retry --------------------------------
    print(f"--- resend all {args.messages} messages", flush=True)
    resend, took = run_burst("resend", server, address, messages, args.connections, None)
    log(f"resend: {took:.1f}s, {len(resend.acked)} acknowledged"
        + (f"; not acknowledged: {reasons(resend.failed)}" if resend.failed else ""))
    t0 = time.monotonic()
    check_resend(checks, api, channel_id, messages, burst, resend, before)
    log(f"after-resend checks took {time.monotonic() - t0:.1f}s")

    # 4. graceful shutdown --------------------------------------------------------
    print("--- SIGTERM", flush=True)
    rc, took = server.terminate()
    checks.check(f"SIGTERM: the server exits within {SHUTDOWN_TIMEOUT:.0f}s", rc is not None,
                 f"{took:.1f}s" if rc is not None else "still running")
    checks.check("SIGTERM: exit status 0", rc == 0, f"exit status {rc}")


def parse_args(argv=None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description="Rapport SMTP SIGKILL crash-consistency test")
    ap.add_argument("--binary", required=True, help="path to the rapport executable")
    ap.add_argument("--database-url", default=None, help="PostgreSQL URL (default: SQLite in a temp dir)")
    ap.add_argument("--messages", type=int, default=1000, help="messages in the burst")
    ap.add_argument("--connections", type=int, default=8, help="concurrent SMTP connections")
    ap.add_argument("--seed", type=int, default=None,
                    help="seed for the kill point and the message texts (default: random, printed)")
    ap.add_argument("--keep", "--keep-temp", dest="keep", action="store_true",
                    help="keep the temp dir (server log, SQLite data) even on success")
    args = ap.parse_args(argv)
    if args.messages < 2:
        ap.error("--messages must be at least 2")
    if args.connections < 1:
        ap.error("--connections must be at least 1")
    if args.seed is None:
        args.seed = random.SystemRandom().randrange(1_000_000)
    if not (os.path.isfile(args.binary) and os.access(args.binary, os.X_OK)):
        ap.error(f"--binary {args.binary!r} is not an executable file")
    return args


def _interrupt(signum, frame) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def main(argv=None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, _interrupt)  # a CI timeout still stops the server
    checks = Checks()
    box: dict = {"tmp": tempfile.mkdtemp(prefix="rapport-mail-crash-"), "server": None}
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
    log(f"seed {args.seed}; total {time.monotonic() - t0:.1f}s")
    print(f"{checks.passed} passed, {checks.failed} failed", flush=True)
    return 1 if checks.failed else 0


if __name__ == "__main__":
    sys.exit(main())
