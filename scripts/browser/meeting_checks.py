"""Meetings in the console browser test (`meeting_checks`, called from console_test.py's browser
checks, or from run_meeting_checks.py on its own).

Needs what console_test.py's `run` sets up: a server started with `--smtp-port` and `--mail-relay`
pointing at the test's aiosmtpd relay (`data["relay"]`, `data["smtp_port"]`), the seeded email
channel (`data["mail"]`) and customer 王小明 (`data["wang"]`, xiaoming@example.cn), and the admin
signed in. It gives the email channel an address and makes a colleague itself when they are
missing (through the API, then reloads the page so the console's lookups are fresh).

On 王小明's Customer 360 the admin opens "Schedule a meeting" and schedules a weekly meeting (4
times) in Europe/Berlin with a colleague and an outside address, its title with markup. Checked:
the relay gets one invitation (text/calendar METHOD:REQUEST, the meeting's UID, SEQUENCE:0, the
start on Berlin's clocks, the RRULE) addressed to the customer, the colleague and the outside
address; the card lists it upcoming with the title as text, the zone named, the repetition in
words, each attendee (colleague by name, the customer, the address) "Awaiting answer"; the
customer's answer mailed to Rapport's SMTP port (METHOD:REPLY, PARTSTAT=ACCEPTED, written by
hand) turns the customer's badge to "Accepted" without a reload; the private calendar feed from
the user menu is an absolute link whose GET (no credentials) is text/calendar with the UID; the
card and its form speak Chinese; at 375 px nothing scrolls sideways; a server 422 shows beside the
field it names; a 409 without a relay (the answer stubbed in the page) says so; moving the
meeting sends a new REQUEST with SEQUENCE:1 and asks everyone again; cancelling it (after a
confirmation) sends METHOD:CANCEL with SEQUENCE:2 and the card shows it cancelled. axe-core
audits the card with the form open, the feed in the menu, and the card in Chinese.
"""

from __future__ import annotations

import datetime as dt
import email.message
import re
import smtplib
import time

import requests
from selenium.common.exceptions import NoAlertPresentException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

WAIT = 10.0
RELAY_WAIT = 30.0
CHANNEL_ADDRESS = "support@rapport-console.example"
COLLEAGUE_EMAIL = "mei.colleague@example.com"
COLLEAGUE_NAME = "Mei Colleague 梅"
OUTSIDER = "partner.outside@example.org"
CUSTOMER_EMAIL = "xiaoming@example.cn"
ZONE = "Europe/Berlin"
CARD = "section[data-card=meetings]"
FORM = "form[data-form=schedule-meeting]"

# Sets an input's value as typing would (date and time inputs take no keys portably).
SET_VALUE = """
const [el, value] = arguments;
el.value = value;
el.dispatchEvent(new Event('input', { bubbles: true }));
el.dispatchEvent(new Event('change', { bubbles: true }));
"""

# One meeting of the card, as shown.
SHOWN = """
const li = document.querySelector(`section[data-card=meetings] [data-meeting-id="${arguments[0]}"]`);
if (!li) return null;
const text = (s) => li.querySelector(s)?.textContent ?? '';
return {
  status: li.dataset.status, group: li.closest('[data-group]')?.dataset.group ?? '',
  title: text('.meeting-title'), when: text('[data-field=when]'), repeat: text('[data-field=recurrence]'),
  location: text('[data-field=location]'), cancelledBadge: text('[data-field=status]'),
  markup: li.querySelectorAll('b, img, script').length,
  attendees: [...li.querySelectorAll('.attendee')].map((a) => ({ who: a.dataset.who, address: a.dataset.address,
    answer: a.dataset.answer, badge: a.querySelector('[data-field=answer]')?.textContent ?? '', text: a.textContent })),
  actions: [...li.querySelectorAll('[data-action]')].map((b) => b.dataset.action),
};
"""

# The elements that reach past the viewport's right edge (the innermost ones), to say what scrolls.
WIDER = """
const out = [];
for (const el of document.querySelectorAll('main *')) {
  const r = el.getBoundingClientRect();
  if (r.right > window.innerWidth + 1 && ![...el.children].some((c) => c.getBoundingClientRect().right > window.innerWidth + 1)) {
    out.push(`${el.tagName.toLowerCase()}${el.className ? '.' + String(el.className).split(' ').join('.') : ''}[${el.getAttribute('name') ?? ''}] ${Math.round(r.right)}`);
  }
}
return out.slice(0, 8);
"""


def _log(msg: str) -> None:
    print(f"[meetings {time.strftime('%H:%M:%S')}] {msg}", flush=True)


def _wait_for(fetch, timeout: float = WAIT, interval: float = 0.1):
    deadline = time.monotonic() + timeout
    while True:
        try:
            value = fetch()
        except Exception:  # noqa: BLE001 - a poll that failed is a poll that did not find it yet
            value = None
        if value:
            return value
        if time.monotonic() >= deadline:
            return None
        time.sleep(interval)


def _unfold(text: str) -> str:
    return re.sub(r"\r?\n[ \t]", "", text)


def calendars(message) -> list[str]:
    """The text/calendar parts of a relayed message, unfolded."""
    found = []
    for part in message.walk():
        if part.get_content_type() == "text/calendar":
            try:
                found.append(_unfold(part.get_content()))
            except Exception:  # noqa: BLE001 - a part that does not decode counts as missing
                continue
    return found


def relayed(relay, uid: str, method: str, sequence: int):
    """The relayed message whose calendar has METHOD `method`, the UID and SEQUENCE, or None."""
    for got in relay.received():
        for cal in calendars(got["message"]):
            if f"METHOD:{method}" in cal and f"UID:{uid}" in cal and re.search(rf"^SEQUENCE:{sequence}\r?$", cal, re.M):
                return got, cal
    return None


def ical_text(value: str) -> str:
    return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def reply_message(meeting: dict, attendee: str, name: str, partstat: str, to: str) -> email.message.EmailMessage:
    """An answer as a calendar program mails it: METHOD:REPLY with the attendee's PARTSTAT (written by hand)."""
    stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")

    def utc(value: str) -> str:
        return dt.datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    lines = [
        "BEGIN:VCALENDAR", "PRODID:-//Rapport console test//EN", "VERSION:2.0", "CALSCALE:GREGORIAN", "METHOD:REPLY",
        "BEGIN:VEVENT", f"UID:{meeting['uid']}", f"SEQUENCE:{meeting['sequence']}", f"DTSTAMP:{stamp}",
        f"DTSTART:{utc(meeting['start'])}", f"DTEND:{utc(meeting['end'])}", f"SUMMARY:{ical_text(meeting['summary'])}",
        f"ORGANIZER:mailto:{meeting['organizer']['address']}",
        f"ATTENDEE;PARTSTAT={partstat};CN=\"{name}\":mailto:{attendee}",
        "END:VEVENT", "END:VCALENDAR",
    ]
    ics = "\r\n".join(lines) + "\r\n"
    msg = email.message.EmailMessage()
    msg["From"] = f"{name} <{attendee}>"
    msg["To"] = to
    msg["Subject"] = f"Accepted: {meeting['summary']}"
    msg["Message-ID"] = f"<meeting-reply-{time.time():.6f}@example.cn>"
    msg.set_content(f"{name} has accepted the invitation.")
    msg.add_alternative(ics, subtype="calendar", params={"method": "REPLY"})
    return msg


def _alert_text(b):
    try:
        return b.d.switch_to.alert.text
    except NoAlertPresentException:
        return None


def _no_sideways_scroll(b) -> tuple[bool, str]:
    width = b.d.execute_script("return [document.documentElement.scrollWidth, window.innerWidth]")
    return width[0] <= width[1], f"scrollWidth {width[0]}, viewport {width[1]}"


def _open_menu(b) -> None:
    if b.css(".user-panel") and b.css(".user-panel")[0].is_displayed():
        return
    b.click(".user-button")
    b.visible(".user-panel", 3)


def _close_menu(b) -> None:
    panels = b.css(".user-panel")
    if panels and panels[0].is_displayed():
        b.click(".user-button")


def _language(b, code: str) -> None:
    select = b.visible("select[aria-label]")
    select.find_element(By.CSS_SELECTOR, f"option[value='{code}']").click()
    b.wait(lambda: b.d.execute_script("return document.documentElement.lang") == code or None, WAIT)


def prepare(server, data: dict) -> dict:
    """The email channel's address and a colleague, through the API when missing."""
    s = requests.Session()
    s.headers.update({"Authorization": f"Bearer {server.key}"})
    channel = s.get(f"{server.base}/v1/channels/{data['mail']['id']}", timeout=30).json()
    address = (channel.get("settings") or {}).get("address")
    if not address:
        address = data.get("mail_address") or CHANNEL_ADDRESS
        r = s.patch(f"{server.base}/v1/channels/{channel['id']}", json={"settings": {**(channel.get("settings") or {}), "address": address}}, timeout=30)
        if r.status_code >= 300:
            raise RuntimeError(f"PATCH channel -> {r.status_code}: {r.text[:200]}")
    data["mail_address"] = address
    users = s.get(f"{server.base}/v1/users", timeout=30).json().get("data", [])
    colleague = next((u for u in users if u["email"] == COLLEAGUE_EMAIL), None)
    if colleague is None:
        r = s.post(f"{server.base}/v1/users", json={"email": COLLEAGUE_EMAIL, "name": COLLEAGUE_NAME, "role": "agent"}, timeout=30)
        if r.status_code >= 300:
            raise RuntimeError(f"POST /v1/users -> {r.status_code}: {r.text[:200]}")
        colleague = r.json()
    return {"session": s, "address": address, "colleague": colleague}


def meeting_checks(b, server, data: dict, checks, audit) -> None:
    b.step = "meetings"
    ready = prepare(server, data)
    s, address = ready["session"], ready["address"]
    relay = data["relay"]
    wang = data["wang"]
    run = f"{time.time():.0f}"
    title = f"<b>markup</b> 季度回顾 Quarterly review {run}"
    day = (dt.date.today() + dt.timedelta(days=30))
    weekday = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"][day.weekday()]

    b.d.set_window_size(1280, 900)
    b.go(f"/#/customers/{wang['id']}")
    b.d.execute_script("localStorage.setItem('rapport.locale', 'en')")
    b.d.refresh()  # the console's lookups (channels, users) are kept per page load
    b.h1(wang["name"])
    card = b.visible(CARD)
    toggle = b.visible(f"{CARD} button[data-action=schedule-meeting]")
    checks.check("the Customer 360 has a Meetings card with 'Schedule a meeting' (collapsed)",
                 card is not None and toggle is not None and toggle.get_attribute("aria-expanded") == "false"
                 and "Meetings" in (card.find_element(By.CSS_SELECTOR, "h2").text if card else ""),
                 card.text.replace("\n", " | ")[:200] if card else "no card")
    if toggle is None:
        return
    b.click(f"{CARD} button[data-action=schedule-meeting]")
    form = b.visible(FORM)
    focused = b.d.execute_script("return document.activeElement?.name")
    zone_default = b.d.execute_script(f"return document.querySelector('{FORM} input[name=time_zone]')?.value")
    browser_zone = b.d.execute_script("return Intl.DateTimeFormat().resolvedOptions().timeZone")
    channel_options = b.d.execute_script(f"return [...document.querySelectorAll('{FORM} select[name=channel_id] option')].map(o => o.textContent)")
    checks.check("'Schedule a meeting' reveals the form (focus on the title; the browser's time zone; the email channel with its address)",
                 form is not None and toggle.get_attribute("aria-expanded") == "true" and focused == "summary"
                 and zone_default == browser_zone and any(address in o for o in channel_options),
                 f"focus {focused!r}, zone {zone_default!r} (browser {browser_zone!r}), channels {channel_options}")
    if form is None:
        return
    audit("customer 360: schedule a meeting form")

    def fill(name: str, value: str) -> None:
        b.d.execute_script(SET_VALUE, form.find_element(By.CSS_SELECTOR, f"[name={name}]"), value)

    # A 409 without a relay: the server's answer stubbed in the page (this server has a relay).
    form.find_element(By.CSS_SELECTOR, "input[name=summary]").send_keys(title)
    fill("start_date", day.isoformat())
    fill("start_time", "10:00")
    fill("duration", "45")
    zone = form.find_element(By.CSS_SELECTOR, "input[name=time_zone]")
    zone.clear()
    zone.send_keys(ZONE)
    b.d.execute_script("""
        const real = window.fetch;
        window.fetch = (url, init) => {
          if (String(url).endsWith('/v1/meetings') && init?.method === 'POST') {
            window.fetch = real;
            const problem = { type: 'https://rapport.dev/problems/mail-relay-not-configured', title: 'No mail relay', status: 409,
              detail: 'invitations go by email and this server sends none: start it with --mail-relay' };
            return Promise.resolve(new Response(JSON.stringify(problem), { status: 409, headers: { 'Content-Type': 'application/problem+json' } }));
          }
          return real(url, init);
        };""")
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    said = b.wait(lambda: (m := b.text(f"{FORM} .form-message")) and "mail relay" in m and m, WAIT) or b.text(f"{FORM} .form-message")
    checks.check("without a mail relay (409 mail-relay-not-configured) the form says invitations cannot be sent, and why",
                 "--mail-relay" in said and b.css(FORM) != [], said)

    # A server 422 beside the field it names (a place longer than the server takes; maxlength bypassed).
    b.step = "meeting-422"
    fill("location", "Raum " + "x" * 520)
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    place_error = b.wait(lambda: (e := b.css(f"{FORM} input[name=location]")) and e[0].get_attribute("aria-invalid") == "true"
                         and b.text(f"{FORM} input[name=location] ~ .field-error"), WAIT) or ""
    focus = b.d.execute_script("return document.activeElement?.name")
    checks.check("a field the server refuses (422 naming location) gets its message beside it, and the focus",
                 "500" in place_error and focus == "location", f"{place_error!r}, focus {focus!r}")
    b.drain()
    b.console = [e for e in b.console if not (e["step"] == "meeting-422" and "/v1/meetings" in e["message"] and "422" in e["message"])]
    b.step = "meetings"

    # The meeting: a colleague, an outside address, weekly four times, Europe/Berlin.
    fill("location", "Raum 3, Friedrichstraße 10")
    fill("description", "Agenda: <script>alert(1)</script> prices; contract")
    Select(form.find_element(By.CSS_SELECTOR, "select[name=user_ids]")).select_by_visible_text(f"{COLLEAGUE_NAME} <{COLLEAGUE_EMAIL}>")
    form.find_element(By.CSS_SELECTOR, "input[name=attendees]").send_keys(OUTSIDER)
    Select(form.find_element(By.CSS_SELECTOR, "select[name=recurrence]")).select_by_value("weekly")
    weekly_label = b.d.execute_script(f"return document.querySelector('{FORM} select[name=recurrence]').selectedOptions[0].textContent")
    count = form.find_element(By.CSS_SELECTOR, "input[name=count]")
    count.clear()
    count.send_keys("4")
    checks.check("the customer is invited by default; 'Weekly' names the start's weekday; the number of meetings shows for a repetition",
                 form.find_element(By.CSS_SELECTOR, "input[name=include_customer]").is_selected() and count.is_displayed()
                 and day.strftime("%A") in weekly_label, weekly_label)
    sent_at = len(relay.received())
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()

    meeting = _wait_for(lambda: next((m for m in s.get(f"{server.base}/v1/customers/{wang['id']}/meetings", timeout=30).json()["data"]
                                      if m["summary"] == title), None), WAIT)
    if meeting is None:
        checks.check("scheduling in the console makes the meeting", False, b.text(f"{FORM} .form-message") or "no meeting")
        return
    uid, mid = meeting["uid"], meeting["id"]
    got = _wait_for(lambda: relayed(relay, uid, "REQUEST", 0), RELAY_WAIT)
    rcpts = sorted(a.lower() for a in got[0]["rcpt_tos"]) if got else []
    cal = got[1] if got else ""
    start_local = f"DTSTART;TZID={ZONE}:{day.strftime('%Y%m%d')}T100000"
    checks.check("the relay receives the invitation (text/calendar METHOD:REQUEST, the UID, SEQUENCE:0) for the customer, "
                 "the colleague and the outside address",
                 got is not None and rcpts == sorted([CUSTOMER_EMAIL, COLLEAGUE_EMAIL, OUTSIDER]),
                 f"rcpt {rcpts}, {len(relay.received()) - sent_at} new messages" if got else f"{len(relay.received()) - sent_at} new messages, none with UID {uid}")
    event = cal[cal.find("BEGIN:VEVENT"):]
    rule = next((ln for ln in event.splitlines() if ln.startswith("RRULE:")), "")
    checks.check("the invitation's start is 10:00 on Berlin's clocks, 45 minutes, weekly on that weekday four times",
                 start_local in cal and f"DTEND;TZID={ZONE}:{day.strftime('%Y%m%d')}T104500" in cal
                 and "FREQ=WEEKLY" in rule and f"BYDAY={weekday}" in rule and "COUNT=4" in rule,
                 " | ".join(ln for ln in event.splitlines() if ln.startswith(("DTSTART", "DTEND", "RRULE"))))

    shown = b.wait(lambda: b.d.execute_script(SHOWN, mid), WAIT) or {}
    active = b.d.execute_script("return document.activeElement?.dataset?.meetingId ?? null")
    status = b.text(f"{CARD} .meetings-status")
    checks.check("after scheduling the form closes, the meeting is listed as upcoming, the focus is on it and a status says so",
                 shown.get("group") == "upcoming" and active == mid and "scheduled" in status
                 and not b.visible(FORM, 0.5), f"group {shown.get('group')!r}, focus {active!r}, status {status!r}")
    checks.check("the title with <b>markup</b> shows as text (no element made from it)",
                 shown.get("title") == title and shown.get("markup") == 0, f"{shown.get('title')!r}, {shown.get('markup')} elements")
    checks.check("the meeting's time names its zone (Europe/Berlin); the repetition is said in words; the place is shown",
                 "Europe/Berlin" in shown.get("when", "") and "Every week on" in shown.get("repeat", "") and "4 times" in shown.get("repeat", "")
                 and "Friedrichstraße" in shown.get("location", ""),
                 f"{shown.get('when')!r} {shown.get('repeat')!r} {shown.get('location')!r}")
    people = {a["who"]: a for a in shown.get("attendees", [])}
    checks.check("each attendee is listed with 'Awaiting answer': the colleague by name, the customer, the outside address",
                 COLLEAGUE_NAME in people.get("user", {}).get("text", "") and wang["name"] in people.get("customer", {}).get("text", "")
                 and OUTSIDER in people.get("other", {}).get("text", "")
                 and all(a["badge"] == "Awaiting answer" for a in shown.get("attendees", [])) and len(shown.get("attendees", [])) == 3,
                 str([(a["who"], a["text"]) for a in shown.get("attendees", [])]))
    checks.check("an upcoming meeting offers Reschedule and Cancel", {"reschedule", "cancel-meeting"} <= set(shown.get("actions", [])),
                 str(shown.get("actions")))
    audit("customer 360 with a meeting scheduled")

    # The customer's answer comes back by email: the badge turns without a reload.
    b.step = "meeting-answer"
    b.d.execute_script("window.__meetingPage = true")
    reply = reply_message(meeting, CUSTOMER_EMAIL, wang["name"], "ACCEPTED", address)
    with smtplib.SMTP("127.0.0.1", data["smtp_port"], timeout=30) as client:
        client.send_message(reply)
    accepted = b.wait(lambda: next((a for a in (b.d.execute_script(SHOWN, mid) or {}).get("attendees", [])
                                    if a["who"] == "customer" and a["answer"] == "accepted"), None), 15)
    kept = b.d.execute_script("return window.__meetingPage === true")
    announced = b.wait(lambda: (t := b.text(f"{CARD} .meetings-status")) and "Accepted" in t and t, 3) or b.text(f"{CARD} .meetings-status")
    checks.check("the customer's METHOD:REPLY (PARTSTAT=ACCEPTED) mailed to Rapport shows 'Accepted' on the card without a reload, announced",
                 bool(accepted) and accepted["badge"] == "Accepted" and kept and "Accepted" in announced,
                 f"{accepted['badge'] if accepted else (b.d.execute_script(SHOWN, mid) or {}).get('attendees')}, status {announced!r}")

    # The calendar feed from the user menu.
    b.step = "calendar-feed"
    _open_menu(b)
    b.click(".user-panel [data-action=calendar-feed]")
    link_input = b.visible(".user-panel .calendar-feed input", WAIT)
    url = link_input.get_attribute("value") if link_input else ""
    hint = b.text(".user-panel .calendar-feed")
    feed = requests.get(url, timeout=30) if url.startswith("http") else None
    checks.check("'Calendar feed' in the user menu shows an absolute link once, with a copy button and the hint",
                 url.startswith(server.base + "/calendar/") and url.endswith(".ics") and bool(b.css(".user-panel .calendar-feed button[data-action=copy]"))
                 and "calendar program" in hint and "Anyone with this link" in hint, f"{url[:60]!r}… {hint[:120]!r}")
    checks.check("the feed link works without credentials: text/calendar with the meeting's UID",
                 feed is not None and feed.status_code == 200 and feed.headers.get("Content-Type", "").startswith("text/calendar")
                 and f"UID:{uid}" in _unfold(feed.text),
                 f"{feed.status_code} {feed.headers.get('Content-Type')}" if feed is not None else "no link")
    audit("user menu with the calendar feed")
    ok, detail = _no_sideways_scroll(b)
    b.d.set_window_size(375, 800)
    b.settled()
    ok375, detail375 = _no_sideways_scroll(b)
    checks.check("the user menu with the feed link does not scroll sideways (1280 px and 375 px)", ok and ok375, f"{detail}; {detail375}")
    b.d.set_window_size(1280, 900)
    _close_menu(b)

    # Chinese.
    b.step = "meetings-zh"
    _language(b, "zh-CN")
    chinese = b.wait(lambda: "会议" in b.text(f"{CARD} h2") and (b.d.execute_script(SHOWN, mid) or {}).get("attendees") or None, WAIT)
    shown_zh = b.d.execute_script(SHOWN, mid) or {}
    toggle_zh = b.text(f"{CARD} button[data-action=schedule-meeting]")
    b.click(f"{CARD} button[data-action=schedule-meeting]")
    b.visible(FORM)
    labels = b.d.execute_script(f"return [...document.querySelectorAll('{FORM} label, {FORM} legend')].map(l => l.textContent)")
    customer_zh = next((a for a in shown_zh.get("attendees", []) if a["who"] == "customer"), {})
    checks.check("in zh-CN the card speaks Chinese: heading, 'Schedule a meeting', the answers, the repetition and the form's labels",
                 bool(chinese) and toggle_zh == "安排会议" and customer_zh.get("badge") == "已接受" and "每周" in shown_zh.get("repeat", "")
                 and {"标题", "日期", "开始时间", "时区", "同事", "其他人", "重复"} <= {l.replace(" *", "").strip() for l in labels},
                 f"{toggle_zh!r} {customer_zh.get('badge')!r} {shown_zh.get('repeat')!r} {labels}")
    audit("customer 360: meetings (zh-CN)")
    _language(b, "en")
    b.wait(lambda: "Meetings" in b.text(f"{CARD} h2") or None, WAIT)

    # 375 px: the card with the form open.
    b.step = "meetings-375"
    b.d.set_window_size(375, 800)
    b.go(f"/#/customers/{wang['id']}")
    b.h1(wang["name"])
    b.wait(lambda: b.d.execute_script(SHOWN, mid) or None, WAIT)
    b.click(f"{CARD} button[data-action=schedule-meeting]")
    b.visible(FORM)
    b.settled()
    ok, detail = _no_sideways_scroll(b)
    if not ok:
        detail += "; wider: " + str(b.d.execute_script(WIDER))
    checks.check("at 375 px the 360 with the Meetings card and its form open does not scroll sideways", ok, detail)
    audit("customer 360 at 375 px: meetings with the form open")
    b.d.set_window_size(1280, 900)
    b.click(f"{FORM} [data-action=close-meeting-form]")

    # Reschedule: a new time, a new SEQUENCE, everyone asked again.
    b.step = "meeting-reschedule"
    b.click(f"{CARD} [data-meeting-id='{mid}'] button[data-action=reschedule]")
    moving = b.visible(f"{CARD} [data-meeting-id='{mid}'] form[data-form=reschedule-meeting]")
    if moving is None:
        checks.check("Reschedule opens a form on the meeting", False, "no form")
        return
    prefilled = (moving.find_element(By.CSS_SELECTOR, "[name=start_time]").get_attribute("value"),
                 moving.find_element(By.CSS_SELECTOR, "[name=duration]").get_attribute("value"))
    b.d.execute_script(SET_VALUE, moving.find_element(By.CSS_SELECTOR, "[name=start_time]"), "14:30")
    moving.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    again = _wait_for(lambda: relayed(relay, uid, "REQUEST", 1), RELAY_WAIT)
    cal = again[1] if again else ""
    moved = b.wait(lambda: (m := b.d.execute_script(SHOWN, mid)) and m["attendees"]
                   and all(a["answer"] == "needs_action" for a in m["attendees"]) and m, WAIT) or {}
    checks.check("Reschedule (prefilled with the time and length) sends an updated REQUEST with SEQUENCE:1 and the new start",
                 prefilled == ("10:00", "45") and again is not None and f"DTSTART;TZID={ZONE}:{day.strftime('%Y%m%d')}T143000" in cal,
                 f"prefilled {prefilled}, " + (" | ".join(ln for ln in cal[cal.find("BEGIN:VEVENT"):].splitlines() if ln.startswith(("DTSTART", "SEQUENCE")))
                                               if again else "no REQUEST with SEQUENCE:1"))
    checks.check("after moving, the card shows the new time and everyone 'Awaiting answer' again",
                 bool(moved) and all(a["badge"] == "Awaiting answer" for a in moved["attendees"]) and ("2:30" in moved.get("when", "") or "14:30" in moved.get("when", "")),
                 f"{moved.get('when')!r} {[a['badge'] for a in moved.get('attendees', [])]}")

    # Cancel, after a confirmation.
    b.step = "meeting-cancel"
    b.click(f"{CARD} [data-meeting-id='{mid}'] button[data-action=cancel-meeting]")
    question = b.wait(lambda: _alert_text(b), WAIT) or ""
    if question:
        b.d.switch_to.alert.accept()
    cancelled = _wait_for(lambda: relayed(relay, uid, "CANCEL", 2), RELAY_WAIT)
    shown = b.wait(lambda: (m := b.d.execute_script(SHOWN, mid)) and m["status"] == "cancelled" and m, WAIT) or {}
    checks.check("Cancel asks first, then the relay receives METHOD:CANCEL with SEQUENCE:2 (STATUS:CANCELLED)",
                 "Cancel" in question and cancelled is not None and "STATUS:CANCELLED" in (cancelled[1] if cancelled else ""),
                 f"asked {question!r}, " + ("cancel relayed" if cancelled else "no CANCEL with SEQUENCE:2"))
    checks.check("the card shows the meeting cancelled, without Reschedule or Cancel",
                 shown.get("cancelledBadge") == "Cancelled" and not shown.get("actions"),
                 f"status {shown.get('status')!r}, badge {shown.get('cancelledBadge')!r}, actions {shown.get('actions')}")
    audit("customer 360 with a cancelled meeting")
    b.drain()
