#!/usr/bin/env python3
"""Interop test of Rapport's meetings with programs this project did not write: the `icalendar`
package from PyPI reads every invitation, update, cancellation and calendar feed Rapport makes and
writes the answers the attendees mail back; an `aiosmtpd` relay (plain SMTP, in this process)
receives what Rapport sends; Python's `smtplib` and `email` (policy=default) carry the answers in
and read the messages out.

Starts `rapport serve --smtp-port N --mail-relay smtp://127.0.0.1:<relay> --smtp-hostname
mx-<run>.interop.example --password-hash-cost 4` on a temp data dir or a given PostgreSQL, makes
an admin key, an email channel (its name has a comma: it must be quoted as CN), a customer, and an
agent user who signs in with POST /v1/session (cookie false: a bearer session token). Then:

 1. POST /v1/meetings (a Chinese summary, a description with commas, semicolons, a backslash and
    newlines, a location with a comma, Europe/Berlin, FREQ=WEEKLY;COUNT=4;BYDAY=TH across the
    spring change to summer time, an optional attendee "Berater, Bernd", the agent in user_ids):
    201 with uid, sequence 0 and every answer needs_action. The relay receives one message (its
    Message-ID <mail_message_id>@<smtp-hostname>) to every attendee, From the channel; it is
    multipart with text and HTML, a text/calendar; method=REQUEST alternative and an invite.ics
    attachment. icalendar parses both without errors into the same event: METHOD REQUEST, a
    VTIMEZONE Europe/Berlin, UID the API's uid, SEQUENCE 0, DTSTAMP, DTSTART and DTEND the given
    instants in Europe/Berlin (tz-aware), SUMMARY/DESCRIPTION/LOCATION exactly as given, RRULE as
    given, STATUS CONFIRMED, ORGANIZER mailto the channel with its name as CN, ATTENDEEs with
    RSVP TRUE, PARTSTAT NEEDS-ACTION, ROLE REQ-/OPT-PARTICIPANT as asked, CUTYPE INDIVIDUAL and the
    names as CN; the calendar's own VTIMEZONE (not the IANA database) puts every occurrence of the
    RRULE at 10:00 Berlin time. Validation: 422 naming time_zone, recurrence and end.
 2. Answers written with icalendar (METHOD:REPLY, the same UID and SEQUENCE, DTSTART with a
    VTIMEZONE icalendar adds itself) mailed with smtplib to the channel's address: the customer's
    as Gmail sends them (multipart/mixed: alternative text/plain, text/html, text/calendar;
    method=REPLY, plus invite.ics), ACCEPTED; the optional attendee's as Outlook sends them
    (multipart/alternative, base64 text/calendar; method=REPLY; the address in other letter case
    and MAILTO: upper case), DECLINED. GET /v1/meetings/{id} shows accepted and declined with
    answered_at; then a TENTATIVE for one occurrence (RECURRENCE-ID) leaves the customer's answer
    accepted. The log has rapport.meeting.answered for each of the three, the last naming the
    occurrence.
 3. PATCH start/end (a Thursday in summer time): 200 with sequence 1 and every answer needs_action;
    the relay receives "Updated invitation: ..." whose calendar (icalendar) has SEQUENCE 1, the
    new DTSTART, the same UID. A REPLY with SEQUENCE 0 mailed now is stored (its interaction is
    listed) and ignored (still needs_action, no answered event); one with SEQUENCE 1 is applied.
 4. The agent's calendar feed: POST /v1/calendar-feeds with the session token → 201 {url, token};
    an API key gets 403 user-required. GET /calendar/<token>.ics without credentials: text/calendar,
    icalendar parses it, it lists this meeting (SEQUENCE 1, the new start) and a second one the agent
    attends (include_customer false, FREQ=MONTHLY;BYDAY=-1FR;UNTIL=... over several years), with the
    agent among the ATTENDEEs; each TZID is defined by one VTIMEZONE; each event's VTIMEZONE puts all
    its occurrences at the right local time; an unknown token is 404.
 5. POST /v1/meetings/{id}/cancel: status cancelled, sequence 2; the relay receives "Cancelled: ..."
    whose calendar (icalendar) has METHOD CANCEL, STATUS CANCELLED, SEQUENCE 2, the same UID. The
    log has rapport.meeting.scheduled, .updated and .cancelled for it. The feed then shows the
    meeting cancelled or leaves it out.
 6. The meeting's interaction is on the customer's timeline (GET /v1/customers/{id}/timeline) with
    kind "meeting", and GET /v1/customers/{id}/meetings lists the meeting.

One PASS/FAIL line per check, then `N passed, N failed`; exit status 1 when a check failed, with
the tail of the server log. Needs the packages in scripts/interop/requirements.txt (icalendar,
aiosmtpd). Waits are polls of an observable condition with a deadline, never fixed sleeps. Every
run's addresses, names and channel are unique, so a shared PostgreSQL may be reused.

    .venv-interop/bin/python scripts/interop/meetings_interop.py --binary .build/debug/rapport
    .venv-interop/bin/python scripts/interop/meetings_interop.py --binary .build/debug/rapport \\
        --database-url postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable
"""

from __future__ import annotations

import argparse
import datetime as dt
import email.utils
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
import threading
import time
import traceback
import urllib.parse
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from zoneinfo import ZoneInfo

import icalendar
from aiosmtpd.controller import Controller
from dateutil.rrule import rrulestr

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.dirname(HERE))
from testkit import Checks, free_port, redact, sample  # noqa: E402
from mail_interop import Server, TestAbort, quit_quietly  # noqa: E402
from mail_out_interop import OutApi  # noqa: E402

CLIENT_NAME = "interop.example"   # our EHLO name towards Rapport's SMTP server
SMTP_TIMEOUT = 30.0
RELAY_TIMEOUT = 30.0              # how long a queued invitation may take to reach the relay
ANSWER_TIMEOUT = 10.0             # how long a mailed-in answer may take to show on the meeting
VISIBLE_TIMEOUT = 10.0            # how long a mailed-in message may take to show as an interaction
POLL = 0.05
BERLIN = ZoneInfo("Europe/Berlin")
UTC = dt.timezone.utc
PASSWORD = "agent password for meetings"

SUMMARY = "季度回顾：合同续签 — Quartalsgespräch"
DESCRIPTION = ("Agenda: Preise, Laufzeit; Kündigungsfristen\n"
               "1) Rückblick; 2) Ausblick, Budget 2031\n\n"
               "Pfad: C:\\Verträge\\2030 — bitte Unterlagen mitbringen, danke.")
LOCATION = "Raum 3, Gebäude B; Friedrichstraße 10, Berlin"
RRULE = "FREQ=WEEKLY;COUNT=4;BYDAY=TH"
# Thursday 21 March 2030, 10:00-11:30 in Berlin (CET, +01:00), given in UTC; the series crosses
# the change to summer time on 31 March.
START = dt.datetime(2030, 3, 21, 10, 0, tzinfo=BERLIN)
END = dt.datetime(2030, 3, 21, 11, 30, tzinfo=BERLIN)
# Moved to Thursday 4 April 2030, 15:00-16:00 (CEST, +02:00).
NEW_START = dt.datetime(2030, 4, 4, 15, 0, tzinfo=BERLIN)
NEW_END = dt.datetime(2030, 4, 4, 16, 0, tzinfo=BERLIN)
# The second meeting (the agent's feed): the last Friday of each month for four years.
SECOND_START = dt.datetime(2031, 1, 31, 9, 0, tzinfo=BERLIN)
SECOND_END = dt.datetime(2031, 1, 31, 9, 45, tzinfo=BERLIN)
SECOND_RRULE = "FREQ=MONTHLY;BYDAY=-1FR;UNTIL=20341231T230000Z"


def log(msg: str) -> None:
    print(f"[meetings-interop {time.strftime('%H:%M:%S')}] {msg}", flush=True)


def rfc3339(value: dt.datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def instant(value) -> dt.datetime | None:
    """An RFC 3339 time the API answered, as an aware datetime (None if it is not one)."""
    try:
        return dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None


def bare(message_id) -> str:
    return str(message_id or "").strip().strip("<>")


def short(value, n: int = 300) -> str:
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= n else text[:n] + "..."


# --------------------------------------------------------------------------- #
# The relay: aiosmtpd, plain SMTP
# --------------------------------------------------------------------------- #

@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    content: bytes
    message: EmailMessage
    message_id: str


class Relay:
    """An aiosmtpd Controller in this process that takes every message and keeps it."""

    def __init__(self) -> None:
        self.cond = threading.Condition()
        self.received: list[Received] = []
        self.port = free_port()
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port, server_hostname="relay.interop.example")

    def start(self) -> None:
        self.controller.start()

    def stop(self) -> None:
        try:
            self.controller.stop()
        except Exception:  # noqa: BLE001 - stopping is best effort
            pass

    async def handle_DATA(self, server, session, envelope):
        content = envelope.original_content or envelope.content or b""
        if isinstance(content, str):
            content = content.encode("utf-8", errors="surrogateescape")
        message = BytesParser(policy=policy.default).parsebytes(content)
        with self.cond:
            self.received.append(Received(mail_from=envelope.mail_from, rcpt_tos=list(envelope.rcpt_tos), content=content,
                                          message=message, message_id=bare(message.get("Message-ID"))))
            self.cond.notify_all()
        return "250 2.0.0 OK: queued"

    def wait_for(self, message_id: str, timeout: float = RELAY_TIMEOUT) -> list[Received]:
        with self.cond:
            self.cond.wait_for(lambda: any(r.message_id == message_id for r in self.received), timeout=timeout)
            return [r for r in self.received if r.message_id == message_id]

    def everything(self) -> list[Received]:
        with self.cond:
            return list(self.received)


# --------------------------------------------------------------------------- #
# Context and helpers
# --------------------------------------------------------------------------- #

@dataclass
class Context:
    checks: Checks
    api: OutApi
    server: Server
    relay: Relay
    run_id: str
    hostname: str
    channel_id: str = ""
    channel_name: str = ""
    address: str = ""
    customer_id: str = ""
    customer_email: str = ""
    customer_name: str = ""
    optional_email: str = ""
    optional_name: str = ""
    optional_mixed_case: str = ""
    user: dict = field(default_factory=dict)
    session_token: str = ""
    meeting: dict = field(default_factory=dict)
    second: dict = field(default_factory=dict)
    feed_url: str = ""
    timings: dict = field(default_factory=dict)

    def message_id(self, tag: str) -> str:
        return f"{tag}-{self.run_id}-{secrets.token_hex(3)}@client.example"


def meeting_path(ctx: Context) -> str:
    return f"/v1/meetings/{urllib.parse.quote(ctx.meeting['id'])}"


def answers(meeting: dict) -> dict[str, str]:
    return {str(a.get("address", "")).lower(): a.get("answer") for a in meeting.get("attendees") or []}


def calendar_parts(message: EmailMessage) -> tuple[list[EmailMessage], list[EmailMessage]]:
    """(the text/calendar parts that are not attachments, the parts named invite.ics)."""
    alternatives, attachments = [], []
    for part in message.walk():
        if part.is_multipart():
            continue
        if part.get_filename() == "invite.ics":
            attachments.append(part)
        elif part.get_content_type() == "text/calendar":
            alternatives.append(part)
    return alternatives, attachments


def parse_calendar(data: bytes) -> tuple[icalendar.Calendar | None, str]:
    """icalendar's reading of `data`, or None and why; a calendar icalendar had to repair counts as unparsed."""
    try:
        calendar = icalendar.Calendar.from_ical(data)
    except Exception as e:  # noqa: BLE001 - any refusal is the finding
        return None, f"{type(e).__name__}: {e}"
    errors = [(c.name, c.errors) for c in calendar.walk() if getattr(c, "errors", None)]
    if errors:
        return None, f"icalendar recorded errors: {errors}"
    return calendar, ""


def one_event(calendar: icalendar.Calendar) -> icalendar.Event:
    events = calendar.walk("VEVENT")
    if len(events) != 1:
        raise TestAbort(f"the calendar has {len(events)} VEVENTs, expected 1")
    return events[0]


def attendee_list(event) -> list:
    value = event.get("ATTENDEE")
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def mailto(value) -> str:
    text = str(value)
    return text[7:].lower() if text.lower().startswith("mailto:") else text.lower()


def param(value, name: str) -> str | None:
    params = getattr(value, "params", None) or {}
    found = params.get(name)
    return None if found is None else str(found)


def recur(text: str) -> dict:
    """An RRULE's parts as icalendar reads them, for comparing rules written in any order."""
    return {k.upper(): [str(v).upper() for v in vs] for k, vs in icalendar.vRecur.from_ical(text).items()}


def occurrences(event, limit: int = 400) -> list[dt.datetime]:
    """The local start times (naive, in DTSTART's zone) the event's RRULE makes."""
    start = event.decoded("DTSTART")
    rule = event.get("RRULE")
    naive = start.replace(tzinfo=None)
    if rule is None:
        return [naive]
    text = rule.to_ical().decode()
    out = []
    for i, when in enumerate(rrulestr(text.replace("Z", "") if "UNTIL" in text else text, dtstart=naive)):
        if i >= limit:
            break
        out.append(when)
    return out


def vtimezone_agrees(calendar: icalendar.Calendar, event) -> tuple[bool, str]:
    """Whether the calendar's own VTIMEZONE for DTSTART's TZID gives every occurrence the offset the
    IANA database gives it (what a calendar program that trusts the VTIMEZONE will show)."""
    tzid = param(event.get("DTSTART"), "TZID")
    if not tzid:
        return False, "DTSTART has no TZID"
    zones = [z for z in calendar.walk("VTIMEZONE") if str(z.get("TZID")) == tzid]
    if not zones:
        return False, f"no VTIMEZONE {tzid}"
    own = zones[0].to_tz(lookup_tzid=False)
    which = f" (the first of {len(zones)} VTIMEZONEs {tzid})" if len(zones) > 1 else ""
    iana = ZoneInfo(tzid)
    wrong = []
    times = occurrences(event)
    for local in times:
        ours, theirs = local.replace(tzinfo=own).utcoffset(), local.replace(tzinfo=iana).utcoffset()
        if ours != theirs:
            wrong.append(f"{local:%Y-%m-%d %H:%M} VTIMEZONE {ours} vs IANA {theirs}")
    if wrong:
        observances = [(o.name, o.get("DTSTART").to_ical().decode() if o.get("DTSTART") else None, "RRULE" in o) for o in zones[0].subcomponents]
        with_rule = sum(1 for *_, r in observances if r)
        return False, (f"{len(wrong)} of {len(times)} occurrences at the wrong instant{which}: {sample(wrong, 4)}; the VTIMEZONE has "
                       f"{len(observances)} observances from {observances[0][1] if observances else None} to "
                       f"{observances[-1][1] if observances else None} ({observances[-1][0] if observances else None} last), "
                       f"{with_rule} with an RRULE")
    return True, f"{len(times)} occurrences{which}"


def mail_in(ctx: Context, msg: EmailMessage) -> None:
    """Delivers to Rapport's SMTP server with smtplib; raises unless every recipient is taken and DATA answered 250."""
    client = smtplib.SMTP("127.0.0.1", ctx.server.smtp_port, local_hostname=CLIENT_NAME, timeout=SMTP_TIMEOUT)
    try:
        refused = client.send_message(msg)
        if refused:
            raise TestAbort(f"Rapport refused recipients {refused}")
    finally:
        quit_quietly(client)


def wait_interaction(ctx: Context, external_id: str) -> dict:
    deadline = time.monotonic() + VISIBLE_TIMEOUT
    while True:
        found = ctx.api.interactions(channel_id=ctx.channel_id, external_id=external_id)
        if found:
            return found[0]
        if time.monotonic() >= deadline:
            raise TestAbort(f"the mail {external_id} was answered 250 and is not listed as an interaction after {VISIBLE_TIMEOUT:.0f}s")
        time.sleep(POLL)


def wait_meeting(ctx: Context, done, timeout: float = ANSWER_TIMEOUT) -> tuple[dict, bool]:
    deadline = time.monotonic() + timeout
    while True:
        meeting = ctx.api.get_json(meeting_path(ctx))
        if done(meeting):
            return meeting, True
        if time.monotonic() >= deadline:
            return meeting, False
        time.sleep(POLL)


def meeting_events(ctx: Context, meeting_id: str) -> list[dict]:
    """The log's rapport.meeting.* events about one meeting, oldest first (subject = the customer)."""
    found: list[dict] = []
    after = ctx.api.floor
    filt = urllib.parse.quote(f'subject == "{ctx.customer_id}"')
    for _ in range(100_000):
        page = ctx.api.get_json(f"/v1/events?after={after}&limit=1000&filter={filt}")
        for e in page.get("data") or []:
            if not isinstance(e, dict) or not str(e.get("type", "")).startswith("rapport.meeting."):
                continue
            about = (e.get("data") or {}).get("meeting") or {}
            if about.get("id") == meeting_id or about.get("meeting_id") == meeting_id:
                found.append(e)
        cursor = page.get("next_cursor")
        try:
            cursor = int(cursor) if cursor is not None else None
        except (TypeError, ValueError):
            cursor = None
        if cursor is None or cursor <= after:
            break
        after = cursor
    return found


def answered_events(ctx: Context) -> list[dict]:
    return [(e.get("data") or {}).get("meeting") or {} for e in meeting_events(ctx, ctx.meeting["id"])
            if e.get("type") == "rapport.meeting.answered"]


def wait_answered(ctx: Context, count: int) -> list[dict]:
    deadline = time.monotonic() + ANSWER_TIMEOUT
    while True:
        found = answered_events(ctx)
        if len(found) >= count or time.monotonic() >= deadline:
            return found
        time.sleep(POLL)


# --------------------------------------------------------------------------- #
# Reading an invitation with icalendar
# --------------------------------------------------------------------------- #

def received_invitation(ctx: Context, meeting: dict, label: str) -> tuple[Received, icalendar.Calendar, icalendar.Event]:
    """Waits for the message of `meeting['mail_message_id']` at the relay, checks its MIME shape and that
    icalendar reads the text/calendar part and invite.ics alike; (the message, the calendar, its VEVENT)."""
    checks = ctx.checks
    mail_id = meeting.get("mail_message_id")
    if not mail_id:
        raise TestAbort(f"the meeting names no mail_message_id: {short(meeting)}")
    mid = f"{mail_id}@{ctx.hostname}"
    t0 = time.monotonic()
    got = ctx.relay.wait_for(mid)
    checks.check(f"{label}: the relay received it once (Message-ID <mail_message_id>@<smtp-hostname>)", len(got) == 1,
                 f"{len(got)} with Message-ID {mid} after {time.monotonic() - t0:.1f}s; the relay has "
                 f"{[(r.message_id, str(r.message.get('Subject'))) for r in ctx.relay.everything()][-5:]}")
    if not got:
        raise TestAbort("nothing to read")
    r = got[0]
    msg = r.message
    want_rcpt = sorted(a["address"].lower() for a in meeting.get("attendees") or [])
    frm = email.utils.parseaddr(str(msg.get("From")))
    checks.check(f"{label}: from the channel to every attendee (envelope and headers)",
                 r.mail_from.lower() == ctx.address and sorted(a.lower() for a in r.rcpt_tos) == want_rcpt
                 and frm == (ctx.channel_name, ctx.address)
                 and sorted(a.lower() for _, a in email.utils.getaddresses([str(v) for v in msg.get_all("To", [])])) == want_rcpt,
                 f"MAIL FROM {r.mail_from}, RCPT {sorted(r.rcpt_tos)} (expected {want_rcpt}), From {frm}, To {msg.get_all('To')}")
    alternatives, attachments = calendar_parts(msg)
    types = [p.get_content_type() for p in msg.walk()]
    method = str(alternatives[0].get_param("method") or "").upper() if alternatives else ""
    checks.check(f"{label}: multipart with text/plain, text/html, one text/calendar alternative and invite.ics",
                 msg.is_multipart() and "text/plain" in types and "text/html" in types and len(alternatives) == 1 and len(attachments) == 1,
                 f"parts {types}; text/calendar {len(alternatives)} (method={method!r}), invite.ics {len(attachments)}")
    if not alternatives or not attachments:
        raise TestAbort("no calendar to read")
    alt_bytes = alternatives[0].get_payload(decode=True) or b""
    ics_bytes = attachments[0].get_payload(decode=True) or b""
    alt, why_alt = parse_calendar(alt_bytes)
    ics, why_ics = parse_calendar(ics_bytes)
    checks.check(f"{label}: icalendar parses the text/calendar part and invite.ics, and they are the same calendar",
                 alt is not None and ics is not None and alt.to_ical() == ics.to_ical(),
                 f"text/calendar: {why_alt or 'parsed'}; invite.ics: {why_ics or 'parsed'}")
    if alt is None:
        print(f"    text/calendar as received:\n{alt_bytes.decode('utf-8', 'replace')}", flush=True)
        raise TestAbort("icalendar did not read the calendar")
    return r, alt, one_event(alt)


# --------------------------------------------------------------------------- #
# Answers written with icalendar
# --------------------------------------------------------------------------- #

def reply_calendar(ctx: Context, meeting: dict, attendee: str, name: str, partstat: str, sequence: int,
                   occurrence: dt.datetime | None = None, comment: str | None = None, upper_mailto: bool = False) -> bytes:
    cal = icalendar.Calendar()
    cal.add("prodid", "-//Interop Test//icalendar %s//EN" % icalendar.__version__)
    cal.add("version", "2.0")
    cal.add("method", "REPLY")
    event = icalendar.Event()
    event.add("uid", meeting["uid"])
    event.add("sequence", sequence)
    event.add("dtstamp", dt.datetime.now(UTC).replace(microsecond=0))
    start = dt.datetime.fromisoformat(meeting["start"].replace("Z", "+00:00")).astimezone(ZoneInfo(meeting["time_zone"]))
    end = dt.datetime.fromisoformat(meeting["end"].replace("Z", "+00:00")).astimezone(ZoneInfo(meeting["time_zone"]))
    event.add("dtstart", start)
    event.add("dtend", end)
    if occurrence is not None:
        event.add("recurrence-id", occurrence)
    event.add("summary", meeting["summary"])
    organizer = icalendar.vCalAddress("mailto:" + meeting["organizer"]["address"])
    if meeting["organizer"].get("name"):
        organizer.params["CN"] = icalendar.vText(meeting["organizer"]["name"])
    event.add("organizer", organizer)
    who = icalendar.vCalAddress(("MAILTO:" if upper_mailto else "mailto:") + attendee)
    who.params["CN"] = icalendar.vText(name)
    who.params["PARTSTAT"] = icalendar.vText(partstat)
    event.add("attendee", who)
    if comment:
        event.add("comment", comment)
    cal.add_component(event)
    cal.add_missing_timezones()
    return cal.to_ical()


def reply_mail(ctx: Context, sender: str, name: str, subject: str, ics: bytes, style: str) -> tuple[EmailMessage, str]:
    """An answer as Gmail (`gmail`) or Outlook (`outlook`) sends it."""
    mid = ctx.message_id(style)
    msg = EmailMessage()
    msg["From"] = email.utils.formataddr((name, sender))
    msg["To"] = email.utils.formataddr((ctx.channel_name, ctx.address))
    msg["Subject"] = subject
    msg["Date"] = email.utils.formatdate(localtime=True)
    msg["Message-ID"] = f"<{mid}>"
    text = f"{name} has answered the invitation: {subject}"
    msg.set_content(text)
    msg.add_alternative(f"<html><body><p>{text}</p></body></html>", subtype="html")
    if style == "gmail":
        # Gmail: text/calendar; charset=UTF-8; method=REPLY (7bit) beside the text, and invite.ics.
        msg.add_alternative(ics.decode("utf-8"), subtype="calendar", params={"method": "REPLY"})
        msg.add_attachment(ics, maintype="application", subtype="ics", filename="invite.ics")
    else:
        # Outlook: the calendar base64 in the alternative, no attachment.
        msg.add_alternative(ics, maintype="text", subtype="calendar", params={"method": "REPLY", "charset": "utf-8"})
    return msg, mid


def answer(ctx: Context, meeting: dict, sender: str, name: str, partstat: str, sequence: int, style: str, *,
           attendee: str | None = None, occurrence: dt.datetime | None = None, comment: str | None = None,
           upper_mailto: bool = False) -> str:
    """Mails one answer to the channel; its Message-ID."""
    ics = reply_calendar(ctx, meeting, attendee or sender, name, partstat, sequence, occurrence, comment, upper_mailto)
    word = {"ACCEPTED": "Accepted", "DECLINED": "Declined", "TENTATIVE": "Tentative"}.get(partstat, partstat)
    msg, mid = reply_mail(ctx, sender, name, f"{word}: {meeting['summary']}", ics, style)
    mail_in(ctx, msg)
    return mid


# --------------------------------------------------------------------------- #
# 1. Scheduling and the invitation
# --------------------------------------------------------------------------- #

def phase_schedule(ctx: Context) -> None:
    checks, api = ctx.checks, ctx.api
    body = {"customer_id": ctx.customer_id, "channel_id": ctx.channel_id, "summary": f"{SUMMARY} {ctx.run_id}",
            "description": DESCRIPTION, "location": LOCATION, "start": rfc3339(START), "end": rfc3339(END),
            "time_zone": "Europe/Berlin", "recurrence": RRULE,
            "attendees": [{"email": ctx.optional_email, "name": ctx.optional_name, "required": False}],
            "user_ids": [ctx.user["id"]], "include_customer": True}
    t0 = time.monotonic()
    status, headers, meeting = api.send_json("POST", "/v1/meetings", body)
    ok = status == 201 and isinstance(meeting, dict) and bool(meeting.get("id"))
    checks.check("POST /v1/meetings: 201 with the meeting", ok, f"HTTP {status} in {time.monotonic() - t0:.2f}s: {short(meeting)}")
    if not ok:
        raise TestAbort("no meeting")
    ctx.meeting = meeting
    want = {ctx.customer_email: "needs_action", ctx.optional_email: "needs_action", ctx.user["email"].lower(): "needs_action"}
    required = {str(a.get("address")).lower(): a.get("required") for a in meeting.get("attendees") or []}
    checks.check("the meeting: uid, sequence 0, scheduled, Europe/Berlin, the rule, the channel as organizer, every answer needs_action",
                 bool(meeting.get("uid")) and meeting.get("sequence") == 0 and meeting.get("status") == "scheduled"
                 and meeting.get("time_zone") == "Europe/Berlin" and recur(str(meeting.get("recurrence"))) == recur(RRULE)
                 and meeting.get("organizer") == {"name": ctx.channel_name, "address": ctx.address}
                 and answers(meeting) == want and required.get(ctx.optional_email) is False
                 and required.get(ctx.customer_email) is True and headers.get("location") == f"/v1/meetings/{meeting['id']}",
                 f"uid {meeting.get('uid')!r}, sequence {meeting.get('sequence')}, status {meeting.get('status')}, "
                 f"recurrence {meeting.get('recurrence')!r}, organizer {meeting.get('organizer')}, answers {answers(meeting)}, "
                 f"required {required}, Location {headers.get('location')}")
    checks.check("the meeting: start, end, summary, description, location as given",
                 instant(meeting.get("start")) == START and instant(meeting.get("end")) == END
                 and meeting.get("summary") == body["summary"] and meeting.get("description") == DESCRIPTION
                 and meeting.get("location") == LOCATION,
                 f"start {meeting.get('start')}, end {meeting.get('end')}, summary {meeting.get('summary')!r}, "
                 f"description {meeting.get('description')!r}, location {meeting.get('location')!r}")

    r, cal, event = received_invitation(ctx, meeting, "invitation")
    ctx.timings["invitation at the relay"] = time.monotonic() - t0
    checks.check("invitation: Subject \"Invitation: <summary>\"", str(r.message.get("Subject")) == f"Invitation: {body['summary']}",
                 repr(str(r.message.get("Subject"))))
    alternatives, _ = calendar_parts(r.message)
    checks.check("invitation: Content-Type text/calendar; method=REQUEST; and METHOD:REQUEST in the calendar",
                 str(alternatives[0].get_param("method")).upper() == "REQUEST" and str(cal.get("METHOD")) == "REQUEST",
                 f"method param {alternatives[0].get_param('method')!r}, METHOD {cal.get('METHOD')!r}")
    check_event(ctx, cal, event, meeting, sequence=0, start=START, end=END, label="invitation")


def check_event(ctx: Context, cal: icalendar.Calendar, event, meeting: dict, *, sequence: int, start: dt.datetime, end: dt.datetime,
                label: str, partstat: str = "NEEDS-ACTION", rsvp: str = "TRUE") -> None:
    checks = ctx.checks
    zones = [str(z.get("TZID")) for z in cal.walk("VTIMEZONE")]
    checks.check(f"{label}: a VTIMEZONE for Europe/Berlin", zones == ["Europe/Berlin"], f"VTIMEZONE TZIDs {zones}")
    seq = event.get("SEQUENCE")
    checks.check(f"{label}: UID is the API's uid, SEQUENCE {sequence}, a DTSTAMP in UTC",
                 str(event.get("UID")) == meeting["uid"] and seq is not None and int(seq) == sequence
                 and isinstance(event.decoded("DTSTAMP", None), dt.datetime) and event.decoded("DTSTAMP").utcoffset() == dt.timedelta(0),
                 f"UID {str(event.get('UID'))!r} (API {meeting['uid']!r}), SEQUENCE {seq!r}, DTSTAMP {event.get('DTSTAMP') and event['DTSTAMP'].to_ical()!r}")
    dtstart, dtend = event.decoded("DTSTART", None), event.decoded("DTEND", None)
    tzid = param(event.get("DTSTART"), "TZID")
    key = getattr(getattr(dtstart, "tzinfo", None), "key", None) or str(getattr(dtstart, "tzinfo", None))
    checks.check(f"{label}: DTSTART/DTEND tz-aware in Europe/Berlin at the given instants ({start:%Y-%m-%d %H:%M %Z})",
                 isinstance(dtstart, dt.datetime) and dtstart.tzinfo is not None and dtstart == start and dtend == end
                 and tzid == "Europe/Berlin" and key == "Europe/Berlin" and dtstart.replace(tzinfo=None) == start.replace(tzinfo=None),
                 f"DTSTART {event.get('DTSTART') and event['DTSTART'].to_ical()!r} TZID {tzid!r} -> {dtstart!r} (tz {key}); "
                 f"DTEND -> {dtend!r}")
    checks.check(f"{label}: SUMMARY, DESCRIPTION, LOCATION round-trip exactly",
                 str(event.get("SUMMARY")) == meeting["summary"] and str(event.get("DESCRIPTION")) == DESCRIPTION
                 and str(event.get("LOCATION")) == LOCATION,
                 f"SUMMARY {str(event.get('SUMMARY'))!r}, DESCRIPTION {str(event.get('DESCRIPTION'))!r}, LOCATION {str(event.get('LOCATION'))!r}")
    rule = event.get("RRULE")
    got_rule = {k.upper(): [str(v).upper() for v in vs] for k, vs in rule.items()} if rule is not None else None
    checks.check(f"{label}: RRULE as given ({RRULE})", got_rule == recur(RRULE),
                 f"RRULE {rule.to_ical().decode() if rule is not None else None!r}")
    status = "CANCELLED" if label.startswith("cancel") else "CONFIRMED"
    checks.check(f"{label}: STATUS {status}", str(event.get("STATUS")) == status, repr(str(event.get("STATUS"))))
    organizer = event.get("ORGANIZER")
    checks.check(f"{label}: ORGANIZER mailto the channel, CN its name (a comma in it, quoted)",
                 organizer is not None and str(organizer).lower() == f"mailto:{ctx.address}" and param(organizer, "CN") == ctx.channel_name,
                 f"ORGANIZER {organizer!r} CN {param(organizer, 'CN')!r} (expected {ctx.channel_name!r})")
    wanted = {ctx.customer_email: ("REQ-PARTICIPANT", ctx.customer_name), ctx.optional_email: ("OPT-PARTICIPANT", ctx.optional_name),
              ctx.user["email"].lower(): ("REQ-PARTICIPANT", ctx.user["name"])}
    found = {mailto(a): (param(a, "ROLE"), param(a, "CN"), param(a, "PARTSTAT"), param(a, "RSVP"), param(a, "CUTYPE"))
             for a in attendee_list(event)}
    problems = []
    for address, (role, name) in wanted.items():
        got = found.get(address)
        if got is None:
            problems.append(f"{address} missing")
        elif got != (role, name, partstat, rsvp, "INDIVIDUAL"):
            problems.append(f"{address}: {got} (expected {(role, name, partstat, rsvp, 'INDIVIDUAL')})")
    extra = sorted(set(found) - set(wanted))
    checks.check(f"{label}: ATTENDEEs with ROLE (the optional one OPT-PARTICIPANT), CN, PARTSTAT {partstat}, RSVP {rsvp}, CUTYPE INDIVIDUAL",
                 not problems and not extra, f"{problems}, unexpected {extra}" if problems or extra else f"{len(found)} attendees")
    ok, detail = vtimezone_agrees(cal, event)
    checks.check(f"{label}: the calendar's own VTIMEZONE puts every occurrence of the RRULE at the right instant", ok, detail)


def phase_validation(ctx: Context) -> None:
    body = {"customer_id": ctx.customer_id, "channel_id": ctx.channel_id, "summary": "invalid",
            "start": rfc3339(START), "end": rfc3339(START - dt.timedelta(hours=1)), "time_zone": "Mars/Olympus_Mons",
            "recurrence": "FREQ=HOURLY;COUNT=3"}
    status, headers, problem = ctx.api.send_json("POST", "/v1/meetings", body)
    text = json.dumps(problem)
    ctx.checks.check("validation: 422 problem+json naming time_zone, recurrence and end",
                     status == 422 and headers.get("content-type", "").startswith("application/problem+json")
                     and all(f'"{name}"' in text for name in ("time_zone", "recurrence", "end")),
                     f"HTTP {status}: {short(text, 500)}")


# --------------------------------------------------------------------------- #
# 2. Answers
# --------------------------------------------------------------------------- #

def phase_answers(ctx: Context) -> None:
    checks, meeting = ctx.checks, ctx.meeting
    t0 = time.monotonic()
    mid_a = answer(ctx, meeting, ctx.customer_email, ctx.customer_name, "ACCEPTED", 0, "gmail")
    mid_b = answer(ctx, meeting, ctx.optional_email, ctx.optional_name, "DECLINED", 0, "outlook",
                   attendee=ctx.optional_mixed_case, upper_mailto=True, comment="Leider verhindert; nächstes Mal gern.")
    shown, ok = wait_meeting(ctx, lambda m: answers(m).get(ctx.customer_email) == "accepted"
                             and answers(m).get(ctx.optional_email) == "declined")
    ctx.timings["answers shown"] = time.monotonic() - t0
    stamped = {str(a.get("address")).lower(): a.get("answered_at") for a in shown.get("attendees") or []}
    checks.check("the customer's REPLY (Gmail style, ACCEPTED) and the optional attendee's (Outlook style, base64, DECLINED, "
                 "MAILTO: in other letter case) show on the meeting",
                 ok, f"answers {answers(shown)} after {time.monotonic() - t0:.1f}s (Message-IDs {mid_a}, {mid_b})")
    checks.check("answered_at is set for those two and not for the agent, who did not answer",
                 bool(stamped.get(ctx.customer_email)) and bool(stamped.get(ctx.optional_email)) and not stamped.get(ctx.user["email"].lower())
                 and shown.get("sequence") == 0,
                 f"answered_at {stamped}, sequence {shown.get('sequence')}")
    for mid in (mid_a, mid_b):
        wait_interaction(ctx, mid)

    # One occurrence only: recorded, the overall answer stays.
    second = START + dt.timedelta(days=7)
    mid_c = answer(ctx, meeting, ctx.customer_email, ctx.customer_name, "TENTATIVE", 0, "gmail", occurrence=second)
    wait_interaction(ctx, mid_c)
    events = wait_answered(ctx, 3)
    after = ctx.api.get_json(meeting_path(ctx))
    checks.check("a REPLY for one occurrence (RECURRENCE-ID, TENTATIVE) leaves the customer's answer accepted",
                 answers(after).get(ctx.customer_email) == "accepted", f"answers {answers(after)}")
    summary = [(e.get("attendee"), e.get("answer"), e.get("occurrence") and instant(e.get("occurrence"))) for e in events]
    expected = [(ctx.customer_email, "accepted", None), (ctx.optional_email, "declined", None),
                (ctx.customer_email, "tentative", second.astimezone(UTC))]
    shown = [(a, b, c and rfc3339(c)) for a, b, c in summary]
    checks.check("rapport.meeting.answered events: accepted, declined, and tentative naming the occurrence, in that order",
                 list(dict.fromkeys(summary)) == expected, f"{shown}")
    checks.check("one rapport.meeting.answered event per answer mailed (a Gmail answer carries its calendar twice: "
                 "the text/calendar part and invite.ics)", len(summary) == 3,
                 f"{len(summary)} events for 3 answers: {shown}")
    comment = next((e.get("comment") for e in events if e.get("answer") == "declined"), None)
    checks.check("the declined answer's COMMENT is in its event", comment == "Leider verhindert; nächstes Mal gern.", repr(comment))


# --------------------------------------------------------------------------- #
# 3. Rescheduling
# --------------------------------------------------------------------------- #

def phase_reschedule(ctx: Context) -> None:
    checks, api = ctx.checks, ctx.api
    t0 = time.monotonic()
    status, _, meeting = api.send_json("PATCH", meeting_path(ctx), {"start": rfc3339(NEW_START), "end": rfc3339(NEW_END)})
    ok = status == 200 and isinstance(meeting, dict)
    checks.check("PATCH start/end: 200, sequence 1, the new times, every answer needs_action again",
                 ok and meeting.get("sequence") == 1 and instant(meeting.get("start")) == NEW_START and instant(meeting.get("end")) == NEW_END
                 and set(answers(meeting).values()) == {"needs_action"} and meeting.get("uid") == ctx.meeting["uid"]
                 and meeting.get("mail_message_id") != ctx.meeting.get("mail_message_id"),
                 f"HTTP {status}: sequence {meeting.get('sequence') if ok else None}, start {meeting.get('start') if ok else None}, "
                 f"end {meeting.get('end') if ok else None}, "
                 f"answers {answers(meeting) if ok else short(meeting)}")
    if not ok:
        raise TestAbort("not rescheduled")
    ctx.meeting = meeting
    r, cal, event = received_invitation(ctx, meeting, "update")
    ctx.timings["update at the relay"] = time.monotonic() - t0
    checks.check("update: Subject \"Updated invitation: <summary>\", METHOD REQUEST",
                 str(r.message.get("Subject")) == f"Updated invitation: {meeting['summary']}" and str(cal.get("METHOD")) == "REQUEST",
                 f"Subject {str(r.message.get('Subject'))!r}, METHOD {cal.get('METHOD')!r}")
    check_event(ctx, cal, event, meeting, sequence=1, start=NEW_START, end=NEW_END, label="update")

    # A late answer to the first invitation is ignored; one to this is applied.
    events_before = len(answered_events(ctx))
    stale = answer(ctx, meeting, ctx.customer_email, ctx.customer_name, "ACCEPTED", 0, "gmail")
    wait_interaction(ctx, stale)
    shown = api.get_json(meeting_path(ctx))
    events_now = answered_events(ctx)
    checks.check("a REPLY with SEQUENCE 0 after the update is stored but ignored: still needs_action, no answered event",
                 answers(shown).get(ctx.customer_email) == "needs_action" and len(events_now) == events_before,
                 f"answers {answers(shown)}, answered events {events_before} -> {len(events_now)}")
    fresh = answer(ctx, meeting, ctx.customer_email, ctx.customer_name, "ACCEPTED", 1, "outlook")
    shown, ok = wait_meeting(ctx, lambda m: answers(m).get(ctx.customer_email) == "accepted")
    checks.check("a REPLY with SEQUENCE 1 is applied: accepted", ok, f"answers {answers(shown)} ({fresh})")
    ctx.meeting = shown


# --------------------------------------------------------------------------- #
# 4. The agent's calendar feed
# --------------------------------------------------------------------------- #

def fetch(ctx: Context, path: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", ctx.server.port, timeout=30)
    try:
        conn.request("GET", path, headers=headers or {})
        resp = conn.getresponse()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
    finally:
        conn.close()


def read_feed(ctx: Context) -> tuple[int, dict[str, str], bytes, icalendar.Calendar | None, str]:
    status, headers, raw = fetch(ctx, ctx.feed_url)
    cal, why = parse_calendar(raw) if status == 200 else (None, f"HTTP {status}")
    return status, headers, raw, cal, why


def phase_feed(ctx: Context) -> None:
    checks, api = ctx.checks, ctx.api
    # A second meeting the agent attends, without the customer, repeating for years.
    body = {"customer_id": ctx.customer_id, "channel_id": ctx.channel_id, "summary": f"Monatsabschluss {ctx.run_id}",
            "start": rfc3339(SECOND_START), "end": rfc3339(SECOND_END), "time_zone": "Europe/Berlin", "recurrence": SECOND_RRULE,
            "user_ids": [ctx.user["id"]], "include_customer": False}
    status, _, second = api.send_json("POST", "/v1/meetings", body)
    ok = status == 201 and isinstance(second, dict)
    checks.check("a second meeting with only the agent (include_customer false, FREQ=MONTHLY;BYDAY=-1FR until 2034): 201",
                 ok and [a.get("address") for a in second.get("attendees") or []] == [ctx.user["email"].lower()],
                 f"HTTP {status}: {short(second)}")
    if ok:
        ctx.second = second
        r, cal, event = received_invitation(ctx, second, "second invitation")
        agrees, detail = vtimezone_agrees(cal, event)
        checks.check("second invitation: its VTIMEZONE puts every occurrence (4 years, monthly) at 09:00 Berlin time", agrees, detail)

    status, _, problem = api.send_json("POST", "/v1/calendar-feeds", {})
    kind = problem.get("type", "") if isinstance(problem, dict) else ""
    checks.check("POST /v1/calendar-feeds with an API key: 403 user-required", status == 403 and str(kind).endswith("user-required"),
                 f"HTTP {status}, type {kind!r}")
    agent = OutApi(ctx.server.port, ctx.session_token)
    status, _, created = agent.send_json("POST", "/v1/calendar-feeds", {})
    ok = status == 201 and isinstance(created, dict) and str(created.get("url", "")).startswith("/calendar/") \
        and created.get("url") == f"/calendar/{created.get('token')}.ics"
    checks.check("POST /v1/calendar-feeds as the signed-in agent (bearer session token): 201 {url, token}", ok,
                 f"HTTP {status}: {short({k: (v[:12] + '...' if k in ('token', 'url') and isinstance(v, str) else v) for k, v in created.items()} if isinstance(created, dict) else created)}")
    if not ok:
        raise TestAbort("no feed")
    ctx.feed_url = created["url"]
    status, headers, raw, cal, why = read_feed(ctx)
    checks.check("GET the feed without credentials: 200 text/calendar, icalendar parses it",
                 status == 200 and headers.get("content-type", "").startswith("text/calendar") and cal is not None,
                 f"HTTP {status}, {headers.get('content-type')}, {why or 'parsed'}")
    if cal is None:
        print(f"    the feed as received:\n{raw.decode('utf-8', 'replace')[:3000]}", flush=True)
        raise TestAbort("no feed to read")
    events = {str(e.get("UID")): e for e in cal.walk("VEVENT")}
    mine = events.get(ctx.meeting["uid"])
    agent_address = f"mailto:{ctx.user['email'].lower()}"
    checks.check("the feed lists the meeting (SEQUENCE 1, the new start, Europe/Berlin) with the agent among its ATTENDEEs",
                 mine is not None and int(mine.get("SEQUENCE", -1)) == 1 and mine.decoded("DTSTART") == NEW_START
                 and param(mine.get("DTSTART"), "TZID") == "Europe/Berlin"
                 and agent_address in [str(a).lower() for a in attendee_list(mine)],
                 f"UIDs {sorted(events)}; this one: SEQUENCE {mine.get('SEQUENCE') if mine else None}, "
                 f"DTSTART {mine.decoded('DTSTART') if mine else None}, ATTENDEEs {[str(a) for a in attendee_list(mine)] if mine else None}")
    if ctx.second:
        other = events.get(ctx.second["uid"])
        checks.check("the feed lists the second meeting, the agent attending", other is not None
                     and agent_address in [str(a).lower() for a in attendee_list(other)], f"UIDs {sorted(events)}")
    checks.check("the feed has only this agent's meetings (2)", len(events) == (2 if ctx.second else 1), f"{len(events)} VEVENTs")
    method = cal.get("METHOD")
    checks.check("the feed is a published calendar: no METHOD (or PUBLISH), no RSVP requests addressed to a subscriber",
                 method is None or str(method) == "PUBLISH", f"METHOD {method!r}")
    tzids = [str(z.get("TZID")) for z in cal.walk("VTIMEZONE")]
    checks.check("the feed defines each TZID once (RFC 5545 3.6.5)", len(tzids) == len(set(tzids)) and "Europe/Berlin" in tzids,
                 f"VTIMEZONE TZIDs {tzids}")
    wrong = []
    for uid, e in events.items():
        agrees, detail = vtimezone_agrees(cal, e)
        if not agrees:
            wrong.append(f"{uid}: {detail}")
    checks.check("in the feed, the VTIMEZONE puts every occurrence of both meetings at the right instant", not wrong, "; ".join(wrong))
    status, _, _ = fetch(ctx, f"/calendar/cal_{secrets.token_hex(16)}.ics")
    checks.check("an unknown feed token: 404", status == 404, f"HTTP {status}")


# --------------------------------------------------------------------------- #
# 5. Cancelling
# --------------------------------------------------------------------------- #

def phase_cancel(ctx: Context) -> None:
    checks, api = ctx.checks, ctx.api
    t0 = time.monotonic()
    status, _, meeting = api.send_json("POST", meeting_path(ctx) + "/cancel", {})
    ok = status == 200 and isinstance(meeting, dict)
    checks.check("POST /v1/meetings/{id}/cancel: 200, status cancelled, sequence 2",
                 ok and meeting.get("status") == "cancelled" and meeting.get("sequence") == 2,
                 f"HTTP {status}: status {meeting.get('status') if ok else None}, sequence {meeting.get('sequence') if ok else short(meeting)}")
    if not ok:
        raise TestAbort("not cancelled")
    ctx.meeting = meeting
    r, cal, event = received_invitation(ctx, meeting, "cancellation")
    ctx.timings["cancellation at the relay"] = time.monotonic() - t0
    alternatives, _ = calendar_parts(r.message)
    checks.check("cancellation: Subject \"Cancelled: <summary>\", text/calendar; method=CANCEL, METHOD CANCEL",
                 str(r.message.get("Subject")) == f"Cancelled: {meeting['summary']}" and str(cal.get("METHOD")) == "CANCEL"
                 and str(alternatives[0].get_param("method")).upper() == "CANCEL",
                 f"Subject {str(r.message.get('Subject'))!r}, method param {alternatives[0].get_param('method')!r}, METHOD {cal.get('METHOD')!r}")
    seq = event.get("SEQUENCE")
    checks.check("cancellation: STATUS CANCELLED, SEQUENCE 2, the same UID, DTSTART the current time",
                 str(event.get("STATUS")) == "CANCELLED" and seq is not None and int(seq) == 2 and str(event.get("UID")) == meeting["uid"]
                 and event.decoded("DTSTART") == NEW_START,
                 f"STATUS {event.get('STATUS')!r}, SEQUENCE {seq!r}, UID {str(event.get('UID'))!r}, DTSTART {event.decoded('DTSTART', None)!r}")
    kinds = [e.get("type") for e in meeting_events(ctx, meeting["id"]) if e.get("type") != "rapport.meeting.answered"]
    checks.check("the log has rapport.meeting.scheduled, .updated, .cancelled for it, in order",
                 kinds == ["rapport.meeting.scheduled", "rapport.meeting.updated", "rapport.meeting.cancelled"], f"{kinds}")
    status, _, again = api.send_json("PATCH", meeting_path(ctx), {"summary": "too late"})
    checks.check("PATCH of a cancelled meeting: 409", status == 409, f"HTTP {status}: {short(again)}")
    if ctx.feed_url:
        status, _, raw, cal, why = read_feed(ctx)
        listed = {str(e.get("UID")): e for e in cal.walk("VEVENT")} if cal is not None else {}
        mine = listed.get(meeting["uid"])
        checks.check("the feed then shows the meeting STATUS CANCELLED (or leaves it out)",
                     cal is not None and (mine is None or str(mine.get("STATUS")) == "CANCELLED"),
                     f"{why or 'parsed'}; listed {mine is not None}, STATUS {mine.get('STATUS') if mine else None!r}")


# --------------------------------------------------------------------------- #
# 6. The customer's timeline
# --------------------------------------------------------------------------- #

def phase_timeline(ctx: Context) -> None:
    checks, api = ctx.checks, ctx.api
    page = api.get_json(f"/v1/customers/{urllib.parse.quote(ctx.customer_id)}/timeline?limit=100")
    items = [i for i in page.get("data") or [] if isinstance(i, dict)]
    item = next((i for i in items if i.get("id") == ctx.meeting.get("interaction_id")), None)
    checks.check("the meeting's interaction is on the customer's timeline with kind meeting",
                 item is not None and item.get("kind") == "meeting",
                 f"interaction_id {ctx.meeting.get('interaction_id')}; timeline "
                 f"{[(i.get('id'), i.get('kind'), i.get('subject')) for i in items][:8]}")
    if item is not None:
        metadata = item.get("metadata") or {}
        checks.check("its subject is the summary and its metadata names the meeting",
                     item.get("subject") == ctx.meeting["summary"] and metadata.get("meeting_id") == ctx.meeting["id"],
                     f"subject {item.get('subject')!r}, metadata {short(metadata)}")
    listed = api.get_json(f"/v1/customers/{urllib.parse.quote(ctx.customer_id)}/meetings")
    ids = [m.get("id") for m in listed.get("data") or []]
    checks.check("GET /v1/customers/{id}/meetings lists both meetings", ctx.meeting["id"] in ids and (not ctx.second or ctx.second["id"] in ids),
                 f"{ids}")


# --------------------------------------------------------------------------- #
# Main flow
# --------------------------------------------------------------------------- #

def phase(ctx: Context, title: str, fn, *args) -> None:
    """Runs one group of checks; an unexpected error fails the group and the run goes on."""
    print(f"--- {title}", flush=True)
    if not ctx.server.running():
        ctx.checks.check(f"{title}: server running", False, "the server is not running")
        return
    t0 = time.monotonic()
    try:
        fn(ctx, *args)
    except TestAbort as e:
        ctx.checks.check(f"{title}: ran to the end", False, str(e))
    except Exception as e:  # noqa: BLE001 - anything unexpected fails this group only
        traceback.print_exc()
        ctx.checks.check(f"{title}: ran to the end", False, f"{type(e).__name__}: {e}")
    log(f"{title}: {time.monotonic() - t0:.1f}s")


def setup(ctx: Context) -> None:
    api = ctx.api
    channel = api.post_json("/v1/channels", {"kind": "email", "name": ctx.channel_name, "settings": {"address": ctx.address}})
    ctx.channel_id = channel["id"]
    customer = api.post_json("/v1/customers", {"name": ctx.customer_name, "emails": [ctx.customer_email]})
    ctx.customer_id = customer["id"]
    user = api.post_json("/v1/users", {"email": f"agent-{ctx.run_id}@rapport.test", "name": f"Ágata Agent {ctx.run_id}", "role": "agent"})
    ctx.user = user
    token = api.post_json("/v1/password-setups", {"user_id": user["id"]})["token"]
    status, parsed = api.json("POST", "/v1/password-setups/complete", {"token": token, "password": PASSWORD})
    if status not in (200, 201):
        raise TestAbort(f"password setup -> HTTP {status}: {short(parsed)}")
    status, parsed = api.json("POST", "/v1/session", {"email": user["email"], "password": PASSWORD, "cookie": False})
    if status != 201 or not isinstance(parsed, dict) or not parsed.get("token"):
        raise TestAbort(f"POST /v1/session -> HTTP {status}: {short(parsed)}")
    ctx.session_token = parsed["token"]
    log(f"channel {ctx.channel_id} ({ctx.address}), customer {ctx.customer_id}, agent {user['id']} signed in")


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
    relay = Relay()
    relay.start()
    box["relay"] = relay
    log(f"relay (aiosmtpd, plain) on 127.0.0.1:{relay.port}; icalendar {icalendar.__version__}")
    server = Server(os.path.abspath(args.binary), storage, os.path.join(tmp, "server.log"))
    box["server"] = server
    log(f"run {run_id}; server log {server.log_path}")
    key = server.create_key()
    hostname = f"mx-{run_id}.interop.example"
    server.start("meetings", ["--mail-relay", f"smtp://127.0.0.1:{relay.port}", "--smtp-hostname", hostname,
                              "--password-hash-cost", "4"])
    log(f"HTTP ready in {server.wait_ready():.1f}s; SMTP answering {server.wait_smtp():.1f}s after that")
    api = OutApi(server.port, key)
    api.mark_events()
    ctx = Context(checks=checks, api=api, server=server, relay=relay, run_id=run_id, hostname=hostname)
    ctx.address = f"sales-{run_id}@rapport.test"
    ctx.channel_name = f"Vertrieb, Berlin {run_id}"
    ctx.customer_email = f"ana-{run_id}@example.com"
    ctx.customer_name = f"Ana Lima {run_id}"
    ctx.optional_email = f"bernd.berater-{run_id}@example.org"
    ctx.optional_mixed_case = f"Bernd.Berater-{run_id}@Example.ORG"
    ctx.optional_name = f"Berater, Bernd {run_id}"
    setup(ctx)

    phase(ctx, "1. scheduling: the invitation read by icalendar", phase_schedule)
    phase(ctx, "1b. validation", phase_validation)
    if ctx.meeting:
        phase(ctx, "2. answers written by icalendar, mailed in with smtplib", phase_answers)
        phase(ctx, "3. rescheduling: the update, stale and fresh answers", phase_reschedule)
        phase(ctx, "4. the agent's calendar feed", phase_feed)
        phase(ctx, "5. cancelling", phase_cancel)
        phase(ctx, "6. the customer's timeline", phase_timeline)
    # Idle keep-alive connections would hold up the server's graceful shutdown.
    conn = getattr(api.local, "conn", None)
    if conn is not None:
        conn.close()
        api.local.conn = None
    return ctx


def parse_args(argv=None):
    ap = argparse.ArgumentParser(description="Rapport meetings interop test with icalendar and an aiosmtpd relay")
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
    box: dict = {"tmp": tempfile.mkdtemp(prefix="rapport-meetings-interop-"), "server": None, "relay": None}
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
        if box["relay"] is not None:
            box["relay"].stop()
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
