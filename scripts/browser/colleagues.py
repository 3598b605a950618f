"""Colleagues for the console's browser checks (notes, digest, tasks, handoffs, department):
departments and users made through the admin API with a password, signed in in a browser of their
own (opened, and closed with their console kept, by `own_browsers`), and read over HTTP; with what
those checks share: how long they wait, the first-load budget, a department's all-day hours, a
4-hour SLA lapsing (`lapse`), a phone's width (`phone_width`, `fits`), and the scripts that read
the bell and the notifications page; `expected` (a refusal the browser logs, expected in a
block) and `accept_alert`."""

from __future__ import annotations

import contextlib
import json
import time

import requests
from selenium.common.exceptions import NoAlertPresentException

WAIT = 10.0              # the longest a page state is waited for
LIVE_WAIT = 15.0         # the longest something is waited for through the event stream
ESCALATION_WAIT = 40.0   # the deadline watcher looks every 15 s
FIRST_LOAD_BUDGET = 300_000  # bytes, uncompressed (as console_test.py's)
ADVANCE = 4 * 3600 + 60  # past a 4-hour SLA
DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]

# The header's bell: its unread count, the stream's state, its label and the count it shows.
BELL = """
const bell = document.querySelector('a.bell');
return bell ? { unread: Number(bell.dataset.unread ?? -1), state: bell.dataset.state ?? '', label: bell.getAttribute('aria-label') ?? '',
  shown: bell.querySelector('.bell-count')?.hidden === false ? bell.querySelector('.bell-count').textContent : '',
  said: bell.closest('.bell-wrap')?.querySelector('[role=status]')?.textContent ?? '' } : null;
"""
# The notifications page's list: each notification's kind, what it says, its excerpt (and how many
# elements markup in it made), its links.
NOTIFICATIONS = """
return [...document.querySelectorAll('.notification-list > li')].map((li) => ({
  id: li.dataset.notificationId, kind: li.dataset.kind, unread: li.classList.contains('unread'),
  what: li.querySelector('[data-field=what]')?.textContent ?? '', excerpt: li.querySelector('[data-field=excerpt]')?.textContent ?? '',
  markup: li.querySelectorAll('img, script, b').length,
  links: [...li.querySelectorAll('a')].map((a) => ({ action: a.dataset.action, href: a.getAttribute('href'), text: a.textContent })),
}));
"""
WIDER = "return [document.documentElement.scrollWidth, window.innerWidth];"
# Sets a form control's value as typing would (input and change events), for controls a person
# fills with a picker (dates, colours); returns the value the control holds.
SET_VALUE = """
const el = document.querySelector(arguments[0]);
el.value = arguments[1];
el.dispatchEvent(new Event('input', { bubbles: true }));
el.dispatchEvent(new Event('change', { bubbles: true }));
return el.value;
"""


class UserSession:
    """One colleague over HTTP (cookie + CSRF token), to read what the server holds for them."""

    def __init__(self, base: str, email: str, password: str) -> None:
        self.base = base
        self.s = requests.Session()
        r = self.s.post(base + "/v1/session", json={"email": email, "password": password}, timeout=30)
        if r.status_code != 201:
            raise RuntimeError(f"POST /v1/session for {email} -> {r.status_code}: {r.text[:200]}")
        self.s.headers["X-CSRF-Token"] = r.json().get("csrf_token", "")

    def get(self, path: str, **params) -> requests.Response:
        return self.s.get(self.base + path, params=params, timeout=30)

    def unread(self) -> int | None:
        r = self.get("/v1/notifications/unread-count")
        return r.json().get("unread") if r.status_code == 200 else None


@contextlib.contextmanager
def expected(br, step: str, path: str, status: int):
    """The browser logs the server's refusals: a `status` answer for `path` is expected in this block, and only here."""
    previous = br.step
    br.drain()
    br.step = step
    try:
        yield
    finally:
        br.drain()
        br.console = [e for e in br.console if not (e["step"] == step and path in e["message"] and str(status) in e["message"])]
        br.step = previous


def accept_alert(br) -> str:
    """Accepts the page's confirm() or alert(), returning its text; "" when none is open."""
    try:
        alert = br.d.switch_to.alert
        text = alert.text
        alert.accept()
        return text
    except NoAlertPresentException:
        return ""


def sessions(base: str, password: str, *people: dict) -> list[UserSession]:
    """Each of `people` over HTTP."""
    return [UserSession(base, who["email"], password) for who in people]


def department(api, key: str) -> dict:
    """The department with `key`, made when the store has none."""
    found = next((d for d in api.get("/v1/departments")["data"] if d["key"] == key), None)
    return found or api.post("/v1/departments", {"key": key, "name": key.title()})


def user(api, base: str, who: dict, department: dict | None, password: str, role: str = "agent") -> dict:
    """The user `who` ({email, name}) of `department` (None: of none, as an admin may be), made with
    `password` when the store has none."""
    existing = next((u for u in api.get("/v1/users")["data"] if u["email"] == who["email"]), None)
    body = {"email": who["email"], "name": who["name"], "role": role}
    if department is not None:
        body["department_id"] = department["id"]
    made = existing or api.post("/v1/users", body)
    if existing is None:
        link = api.post("/v1/password-setups", {"user_id": made["id"]})
        r = requests.post(base + "/v1/password-setups/complete", json={"token": link["token"], "password": password}, timeout=30)
        if r.status_code != 201:
            raise RuntimeError(f"password setup for {who['email']} -> {r.status_code}: {r.text[:200]}")
    return made


def sign_in(b, who: dict, password: str, wait: float) -> bool:
    """Signs `who` in through the console's sign-in page of browser `b`, in English."""
    b.go("/#/sign-in")
    if b.visible("input[name=password]") is None:
        return False
    b.d.execute_script("localStorage.setItem('rapport.locale', 'en')")
    b.css("input[name=email]")[0].send_keys(who["email"])
    b.css("input[name=password]")[0].send_keys(password)
    b.css("form button[type=submit]")[0].click()
    return bool(b.wait(lambda: b.visible(".user-button", 1) and "#/sign-in" not in b.d.current_url, wait))


def all_day_hours(api, checks, department: dict, what: str) -> None:
    """Gives `department` business hours of every day 00:00-24:00 UTC (so an SLA is plain time) and
    checks the server kept them (it answers "UTC" as "GMT", the same zone)."""
    hours = api.put(f"/v1/departments/{department['id']}/business-hours",
                    {"business_hours": {"time_zone": "UTC", "days": {d: ["00:00-24:00"] for d in DAYS}}})
    kept = hours.get("business_hours") or {}
    checks.check(what, kept.get("time_zone") in ("UTC", "GMT") and kept.get("days") == {d: ["00:00-24:00"] for d in DAYS}, json.dumps(hours)[:200])


@contextlib.contextmanager
def own_browsers(b, new_browser, *steps: str):
    """A browser of its own for each of `steps` (its name in the logs); at the end each says what
    is left, its console goes to `b`'s (for the test's console check) and it quits."""
    browsers = []
    try:
        for step in steps:
            br = new_browser()
            br.step = step
            browsers.append(br)
        yield browsers
    finally:
        for br in browsers:
            try:
                br.drain()
            except Exception:  # noqa: BLE001 - a browser that is gone has nothing more to say
                pass
            b.console.extend(br.console)
            br.quit()


def sign_in_all(checks, abort, what: str, people: list, password: str) -> None:
    """Signs each (browser, who) of `people` in; checks they all are, else stops the test."""
    signed = [sign_in(br, who, password, WAIT) for br, who in people]
    checks.check(what, all(signed), str(signed) if len(signed) > 1 else people[0][0].d.current_url)
    if not all(signed):
        raise abort("the colleagues could not sign in" if len(signed) > 1 else f"{people[0][1]['name']} could not sign in")


@contextlib.contextmanager
def phone_width(br):
    """The browser 375 px wide (a phone's) for the block, then 1280 px again."""
    br.d.set_window_size(375, 800)
    try:
        yield br
    finally:
        br.d.set_window_size(1280, 900)


def fits(br, checks, what: str) -> None:
    """Checks that the page, laid out again, does not scroll sideways: "at 375 px wide {what} does not"."""
    br.settled()
    width = br.d.execute_script(WIDER)
    checks.check(f"at 375 px wide {what} does not scroll sideways", width[0] <= width[1], str(width))


def lapse(api, handoff_id: str) -> tuple[dict | None, dict, float]:
    """Moves the server's clock (`--test-clock`) past a 4-hour SLA and waits, polling the API for at
    most ESCALATION_WAIT, for the deadline watcher to escalate the handoff. Returns the escalated
    handoff (None when it was not), the clock's answer and the seconds it took."""
    moved = api.post("/v1/test-clock", {"advance_seconds": ADVANCE})
    t0 = time.monotonic()
    while time.monotonic() - t0 < ESCALATION_WAIT:
        now = api.get(f"/v1/handoffs/{handoff_id}")
        if now.get("escalated_at"):
            return now, moved, time.monotonic() - t0
        time.sleep(0.5)
    return None, moved, time.monotonic() - t0
