#!/usr/bin/env python3
"""Console benchmark: how fast the web console is on a big, already-seeded store.

Drives the console in headless Chromium (Selenium) against a store seeded by
`rapport-bench console-data`, whose manifest (console-bench.json) names what to look at: a "hot"
customer with many interactions, the support department with many open conversations, search
queries. Starts its own `rapport serve` on that data directory, creates a console user through the
public API with the manifest's admin key (POST /v1/users, /v1/password-setups, .../complete) and
signs that user in through the console's sign-in page, so the browser holds the real session cookie.

What is measured (each --runs times after 2 warm-up runs; p50/p95/max, nearest rank):

  360 in-app       From the customers page, `location.hash = '#/customers/<hot id>'`. Timed in the
                   page with performance.now(): from just before setting the hash until the name
                   heading (main .page-header h1) shows the customer's name AND a timeline item
                   (.timeline-item) is in the page, then two requestAnimationFrames (painted).
                   A MutationObserver sees the moment; no polling from Python. Back to #/customers
                   between runs.
  360 page load    driver.get(about:blank), then driver.get(base + '/#/customers/<id>') with the
                   HTTP cache warm. A script injected before the page's own (CDP
                   Page.addScriptToEvaluateOnNewDocument) watches the same condition from the
                   first byte; the figure is performance.now() at the second animation frame after
                   it, i.e. milliseconds since navigation start (performance.timeOrigin).
  search           On a freshly rendered #/customers, the search box is cleared and each query
                   typed one character per send_keys, as a person types. Timed from the last
                   keystroke's `input` event (event.timeStamp, the performance.now() clock; the last
                   keystroke that changed the trimmed query, as the box trims it) until
                   the results list shows the answer to the whole query (for the hot customer's
                   phone: that customer's row; otherwise any row) and is painted (two frames).
                   "The answer to the whole query": the list's aria-busy was set after the last
                   keystroke with the full text in the box, and has been removed again.
                   The box waits DEBOUNCE_MS (read from the served customer-search.js) after the
                   last keystroke before it asks the server, so two figures are printed: including
                   the debounce (what the person waits) and minus the debounce (the answer after
                   the person stopped typing, which is what "search answers in under 100 ms" is
                   about). The raw samples also hold the time from the request's start (when
                   aria-busy was set) to painted.
  inbox in-app     From the customers page, `location.hash = '#/inbox?department=<support id>'`
                   until the conversation list has rows (.conv-list a[data-id]) and the status
                   tabs show their counts (drawn in the same task as the rows), then two frames.
  inbox page load  The same URL loaded in full, timed from navigation start as for the 360; also
                   until every row's customer name has arrived (one GET per customer; informative).
  API              The same reads with `requests` and the admin key (keep-alive session): the
                   exact paths and query strings the console sent, taken from the browser's
                   resource timing entries: the 360's customer (the console asks for it with
                   ?include=provenance) and first timeline page (no cursor), each
                   search, the inbox list. Wall time from sending to the whole body read.
  first load       A fresh browser profile (empty cache) loads `/` (signed out: the sign-in page);
                   once the sign-in form is painted, transferSize of the navigation plus every
                   resource entry is summed (bytes on the wire incl. headers), and the uncompressed
                   bodies (decodedBodySize); requests counted. KB = 1000 bytes. Signed out, `/` is
                   only the sign-in page, so the same fresh browser then signs in and opens the
                   360: the console's own files fetched by then (API JSON left out) are a second row.

Prints the machine (nproc, CPU model, memory, load average), Chromium's version, the date, a
Markdown table with the targets (360 < 300 ms, search < 100 ms after the debounce, inbox < 300 ms,
first load < 300 KB; "met?" compares the p95), and the browser console's SEVERE entries. With
--output, writes every raw sample and summary to a JSON file. Exit status 0 when everything was
measured (targets met or not), 1 with a message saying what could not be measured.

    .venv-browser/bin/python scripts/bench/console_bench.py --binary .build/release/rapport \\
        --data-dir DIR --manifest DIR/console-bench.json [--runs 20] [--output results.json]
"""

from __future__ import annotations

import argparse
import datetime
import json
import math
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import traceback
import urllib.parse
from dataclasses import dataclass, field

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from testkit import free_port  # noqa: E402

try:
    import requests
    from selenium import webdriver
    from selenium.common.exceptions import TimeoutException
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait
except ImportError as missing:  # pragma: no cover - environment problem
    print(f"console_bench: client libraries missing: {missing} (pip install -r scripts/browser/requirements.txt)",
          flush=True)
    sys.exit(1)

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
READY_TIMEOUT = 120.0        # seconds for /health/ready: the store is large
SHUTDOWN_TIMEOUT = 15.0
SELECTOR_TIMEOUT = 30.0      # seconds for anything to show in the page
WARMUP_RUNS = 2
TARGET_360_MS = 300.0
TARGET_SEARCH_MS = 100.0
TARGET_INBOX_MS = 300.0
TARGET_FIRST_LOAD_KB = 300.0
BENCH_EMAIL = "console.bench@example.com"
BENCH_NAME = "Console Benchmark"
LOG_TAIL_LINES = 40

# Where things are in the console (Sources/RapportConsole/Assets/js).
SEARCH_INPUT = "main [role=combobox] input"   # components/customer-search.js
HEADER_USER = ".user-button"                 # components/header.js, once signed in


class BenchAbort(Exception):
    """Something could not be measured; the message says what."""


def log(msg: str) -> None:
    print(f"[console-bench {time.strftime('%H:%M:%S')}] {msg}", flush=True)


# --------------------------------------------------------------------------- #
# Figures
# --------------------------------------------------------------------------- #

@dataclass
class Measure:
    """One row of the table: samples in `unit`, an optional target the p95 must stay under."""
    name: str
    samples: list[float]
    target: float | None = None
    unit: str = "ms"
    raw: list = field(default_factory=list)   # per-run details for the JSON output

    def percentile(self, p: float) -> float:
        """Nearest rank: the smallest sample with at least p% of the samples at or below it."""
        ordered = sorted(self.samples)
        return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]

    def met(self) -> bool | None:
        return None if self.target is None else self.percentile(95) < self.target

    def summary(self) -> dict:
        return {"name": self.name, "unit": self.unit, "runs": len(self.samples),
                "p50": round(self.percentile(50), 1), "p95": round(self.percentile(95), 1),
                "max": round(max(self.samples), 1), "target": self.target, "met": self.met(),
                "samples": [round(s, 1) for s in self.samples], "raw": self.raw}


# --------------------------------------------------------------------------- #
# The server
# --------------------------------------------------------------------------- #

class Server:
    """`rapport serve` on the seeded data directory, on a free port, output to a log file."""

    def __init__(self, binary: str, data_dir: str, log_path: str) -> None:
        self.binary = binary
        self.data_dir = data_dir
        self.log_path = log_path
        self.port = free_port()
        self.proc: subprocess.Popen | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        cmd = [self.binary, "serve", "--host", "127.0.0.1", "--port", str(self.port), "--data-dir", self.data_dir,
               "--log-level", "error", "--log-format", "text"]
        with open(self.log_path, "ab") as logf:
            self.proc = subprocess.Popen(cmd, stdout=logf, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        log(f"server started (pid {self.proc.pid}, port {self.port}, log {self.log_path})")

    def wait_ready(self) -> None:
        t0 = time.monotonic()
        last = ""
        while time.monotonic() - t0 < READY_TIMEOUT:
            if self.proc.poll() is not None:
                raise BenchAbort(f"the server exited with {self.proc.returncode} before it was ready")
            try:
                r = requests.get(self.base + "/health/ready", timeout=5)
                if r.status_code == 200:
                    log(f"server ready after {time.monotonic() - t0:.1f}s")
                    return
                last = f"HTTP {r.status_code}"
            except requests.RequestException as e:
                last = type(e).__name__
            time.sleep(0.2)
        raise BenchAbort(f"the server was not ready after {READY_TIMEOUT:.0f}s (last: {last})")

    def stop(self) -> None:
        """SIGTERM, then kill when it does not end in time."""
        if self.proc is None or self.proc.poll() is not None:
            return
        try:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait(timeout=SHUTDOWN_TIMEOUT)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=10)

    def log_tail(self) -> str:
        try:
            with open(self.log_path, encoding="utf-8", errors="replace") as f:
                tail = "".join(f.readlines()[-LOG_TAIL_LINES:])
        except OSError as e:
            return f"(cannot read {self.log_path}: {e})\n"
        return re.sub(r"\b(rpk|rpw)_[A-Za-z0-9_-]+", r"\1_<secret>", tail)


class AdminAPI:
    """The public API with the manifest's admin key (Bearer)."""

    def __init__(self, base: str, key: str) -> None:
        self.base = base
        self.s = requests.Session()
        self.s.headers["Authorization"] = f"Bearer {key}"

    def post(self, path: str, body: dict, ok: tuple[int, ...] = (200, 201)) -> requests.Response:
        r = self.s.post(self.base + path, json=body, timeout=60)
        if r.status_code not in ok:
            raise BenchAbort(f"POST {path} -> {r.status_code}: {r.text[:300]}")
        return r

    def get(self, path: str) -> dict:
        r = self.s.get(self.base + path, timeout=60)
        if r.status_code != 200:
            raise BenchAbort(f"GET {path} -> {r.status_code}: {r.text[:300]}")
        return r.json()


SETTLE_TIMEOUT = 900.0       # seconds for the start-up work below to finish on a big store


def wait_settled(base: str, key: str) -> None:
    """Waits until the server's start-up work is done, so it does not share the CPU with what is
    measured: the duplicate matcher has indexed every customer (`GET /v1/matching/status` ready)
    and the router is at the event log's head (`GET /v1/consumers`)."""
    headers = {"Authorization": f"Bearer {key}"}
    t0 = time.monotonic()
    last = ""
    while time.monotonic() - t0 < SETTLE_TIMEOUT:
        matching = requests.get(base + "/v1/matching/status", headers=headers, timeout=30).json()
        consumers = requests.get(base + "/v1/consumers", headers=headers, timeout=30).json()
        behind = [c.get("name") for c in consumers.get("data", []) if c.get("name") == "router" and (c.get("lag") or 0) > 0]
        if matching.get("ready") and not behind:
            log(f"server settled after {time.monotonic() - t0:.0f} s (matcher indexed {matching.get('customers')} customers)")
            return
        last = f"matcher ready {matching.get('ready')}, consumers behind {behind}"
        time.sleep(1)
    raise BenchAbort(f"the server did not settle within {SETTLE_TIMEOUT:.0f} s ({last})")


def read_manifest(path: str) -> dict:
    """The seeding program's console-bench.json, with the fields this program needs checked."""
    try:
        with open(path, encoding="utf-8") as f:
            manifest = json.load(f)
    except (OSError, ValueError) as e:
        raise BenchAbort(f"cannot read the manifest {path}: {e}") from e
    needed = {"admin_key": (), "hot_customer": ("id", "name", "phone_as_typed"),
              "support_department": ("id",), "search_queries": ()}
    for key, inner in needed.items():
        if key not in manifest or any(k not in manifest[key] for k in inner):
            raise BenchAbort(f"the manifest {path} lacks {key} {list(inner) or ''}".rstrip())
    if not manifest["search_queries"]:
        raise BenchAbort(f"the manifest {path} has no search_queries")
    return manifest


def create_console_user(api: AdminAPI) -> tuple[str, str]:
    """An agent of the support department with a new random password, as an admin invites one:
    POST /v1/users (or the user a previous run created), POST /v1/password-setups, and the link's
    token completed with a password. Returns (email, password)."""
    dept = api.get("/v1/departments")
    support = next((d["id"] for d in dept.get("data", []) if d.get("key") == "support"), None)
    body = {"email": BENCH_EMAIL, "name": BENCH_NAME, "role": "agent", "department_id": support}
    r = api.post("/v1/users", body, ok=(201, 409))
    if r.status_code == 201:
        user_id = r.json()["id"]
    else:
        existing = [u for u in api.get("/v1/users").get("data", []) if u.get("email") == BENCH_EMAIL]
        if not existing:
            raise BenchAbort(f"POST /v1/users said 409 but GET /v1/users has no {BENCH_EMAIL}")
        user_id = existing[0]["id"]
    token = api.post("/v1/password-setups", {"user_id": user_id}).json()["token"]
    password = "bench " + secrets.token_urlsafe(18)
    done = requests.post(api.base + "/v1/password-setups/complete", json={"token": token, "password": password}, timeout=60)
    if done.status_code != 201:
        raise BenchAbort(f"POST /v1/password-setups/complete -> {done.status_code}: {done.text[:300]}")
    log(f"console user {BENCH_EMAIL} (agent) has a new password")
    return BENCH_EMAIL, password


def served_debounce_ms(base: str) -> float:
    """DEBOUNCE_MS of the customer-search.js the server actually serves (its asset path is versioned)."""
    index = requests.get(base + "/", timeout=30).text
    main_js = re.search(r'src="(/[^"]*/js/main\.js)"', index)
    if not main_js:
        raise BenchAbort("cannot find the console's main.js in the page at / (to read the search debounce)")
    prefix = main_js.group(1)[: -len("js/main.js")]
    source = requests.get(base + prefix + "js/components/customer-search.js", timeout=30).text
    found = re.search(r"\bDEBOUNCE_MS\s*=\s*(\d+)", source)
    if not found:
        raise BenchAbort("cannot read DEBOUNCE_MS from the served js/components/customer-search.js")
    return float(found.group(1))


# --------------------------------------------------------------------------- #
# In-page timing
# --------------------------------------------------------------------------- #

@dataclass(frozen=True)
class Milestone:
    """Something to see in the page: `js` is a predicate `(arg) => boolean`, `what` says it in words."""
    name: str
    what: str
    js: str


# benchWatch(milestones, arg, timeoutMs, finish): a MutationObserver on the whole document checks
# each milestone's predicate after every change; when one first holds, `seen` is noted and, two
# animation frames later (the frame with the change has been painted), `painted`. `finish` gets
# {milestones: {name: {seen, painted}}, missing: [names] (after timeoutMs), hash, heading}.
WATCH_JS = r"""
function benchWatch(milestones, arg, timeoutMs, finish) {
  const reached = {};
  let painted = 0;
  let over = false;
  const observer = new MutationObserver(() => check());
  const end = () => {
    if (over) return;
    over = true;
    observer.disconnect();
    clearTimeout(timer);
    const missing = milestones.map((m) => m[0]).filter((name) => !(name in reached) || reached[name].painted === null);
    const heading = document.querySelector('main h1');
    finish({ milestones: reached, missing, hash: location.hash, heading: heading ? heading.textContent : null });
  };
  const check = () => {
    for (const [name, holds] of milestones) {
      if (over || name in reached) continue;
      let ok = false;
      try { ok = Boolean(holds(arg)); } catch (error) { ok = false; }
      if (!ok) continue;
      const mark = { seen: performance.now(), painted: null };
      reached[name] = mark;
      requestAnimationFrame(() => requestAnimationFrame(() => {
        mark.painted = performance.now();
        painted += 1;
        if (painted === milestones.length) end();
      }));
    }
    if (Object.keys(reached).length === milestones.length) observer.disconnect();
  };
  const timer = setTimeout(end, timeoutMs);
  observer.observe(document, { childList: true, subtree: true, characterData: true, attributes: true });
  check();
}
"""

# Runs in the page (execute_async_script): watch, note the time, set the hash.
IN_APP_JS = WATCH_JS + r"""
const [hash, arg, timeoutMs] = arguments;
const done = arguments[arguments.length - 1];
let start = 0;
benchWatch(MILESTONES, arg, timeoutMs, (result) => done({ ...result, start }));
start = performance.now();
location.hash = hash;
"""

CUSTOMERS_PAGE = Milestone(
    "customers page", f"the customers page's empty search box ({SEARCH_INPUT})",
    f"() => {{ const i = document.querySelector('{SEARCH_INPUT}'); return !!i && i.value === ''; }}")
CUSTOMER_360 = Milestone(
    "first screen", "the 360's heading (main .page-header h1) with the customer's name and a .timeline-item",
    "(a) => { const h = document.querySelector('main .page-header h1');"
    " return !!h && h.textContent.trim() === a.name && !!document.querySelector('main .timeline .timeline-item'); }")
INBOX_ROWS = Milestone(
    "rows and counts", "the inbox's rows (main .conv-list a[data-id]) and status counts (.status-tabs .count)",
    "() => !!document.querySelector('main .conv-list a[data-id]')"
    " && !!document.querySelector('main .status-tabs button[data-status] .count')")
INBOX_NAMES = Milestone(
    "customer names", "every inbox row's customer name (.conv-list .conv-title other than '…')",
    "() => { const t = [...document.querySelectorAll('main .conv-list .conv-title')];"
    " return t.length > 0 && t.every((e) => e.textContent !== '\u2026'); }")
SIGN_IN_FORM = Milestone(
    "sign-in form", "the sign-in form's password field (input[name=password])",
    "() => !!document.querySelector('main input[name=password]')")
SEARCH_ANSWERED = Milestone(
    "answer", "the search results for the whole query (li[role=option] in the box's listbox)",
    "(s) => s.requestAt !== null && !s.list.hasAttribute('aria-busy') && s.input.value.trim() === s.query"
    " && !!s.list.querySelector(s.expectedId ? `li[role=option][data-id=\"${CSS.escape(s.expectedId)}\"]`"
    " : 'li[role=option]')")


def milestones_js(milestones: list[Milestone]) -> str:
    return "[" + ", ".join(f"[{json.dumps(m.name)}, {m.js}]" for m in milestones) + "]"


def check_reached(result: dict, milestones: list[Milestone], label: str) -> dict:
    """The per-milestone marks, or BenchAbort naming what never appeared."""
    missing = [m for m in milestones if m.name in result.get("missing", [])]
    if missing:
        raise BenchAbort(f"{label}: {'; '.join(m.what for m in missing)} did not appear within "
                         f"{SELECTOR_TIMEOUT:.0f} s (page at {result.get('hash')!r}, heading {result.get('heading')!r})")
    return result["milestones"]


# --------------------------------------------------------------------------- #
# The browser
# --------------------------------------------------------------------------- #

class Browser:
    """Headless Chromium with its own fresh profile directory (so its HTTP cache starts empty)."""

    def __init__(self, base: str, profile_dir: str) -> None:
        options = webdriver.ChromeOptions()
        options.binary_location = CHROMIUM
        for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                    "--window-size=1280,900", "--lang=en-US", "--no-first-run", "--disable-extensions",
                    "--disable-background-timer-throttling", "--disable-renderer-backgrounding",
                    f"--user-data-dir={profile_dir}"):
            options.add_argument(arg)
        options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
        self.d = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
        self.d.set_script_timeout(SELECTOR_TIMEOUT + 15)
        self.d.set_page_load_timeout(SELECTOR_TIMEOUT + 30)
        self.base = base

    @property
    def version(self) -> str:
        return self.d.capabilities.get("browserVersion", "?")

    def quit(self) -> None:
        try:
            self.d.quit()
        except Exception:  # noqa: BLE001 - already gone
            pass

    def severe_console_entries(self) -> list[str]:
        return [e["message"] for e in self.d.get_log("browser") if e.get("level") == "SEVERE"]

    def wait_for(self, selector: str, what: str):
        """Setup steps only (not timed): the first element matching `selector`."""
        try:
            return WebDriverWait(self.d, SELECTOR_TIMEOUT, poll_frequency=0.05).until(
                lambda d: (d.find_elements(By.CSS_SELECTOR, selector) or [None])[0])
        except TimeoutException:
            raise BenchAbort(f"{what}: {selector} did not appear within {SELECTOR_TIMEOUT:.0f} s "
                             f"(at {self.d.current_url})") from None

    def in_app(self, hash_: str, milestones: list[Milestone], arg=None, label: str = "") -> dict:
        """Sets location.hash inside the page and returns {name: {seen, painted}} in ms since just
        before the hash was set."""
        script = IN_APP_JS.replace("MILESTONES", milestones_js(milestones))
        result = self.d.execute_async_script(script, hash_, arg, SELECTOR_TIMEOUT * 1000)
        marks = check_reached(result, milestones, label or hash_)
        return {name: {k: v - result["start"] for k, v in mark.items()} for name, mark in marks.items()}

    def page_load(self, path: str, milestones: list[Milestone], arg=None, label: str = "") -> dict:
        """Loads base + path in full (from about:blank) and returns {name: {seen, painted}} in ms
        since navigation start. The watcher is injected before the page's own scripts run."""
        source = WATCH_JS + (f"window.__consoleBench = new Promise((resolve) => benchWatch("
                             f"{milestones_js(milestones)}, {json.dumps(arg)}, {SELECTOR_TIMEOUT * 1000}, resolve));")
        ident = self.d.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": source})["identifier"]
        try:
            self.d.get("about:blank")
            self.d.get(self.base + path)
            result = self.d.execute_async_script(
                "const done = arguments[arguments.length - 1];"
                "if (!window.__consoleBench) { done({ missing: ['(watcher not injected)'] }); return; }"
                "window.__consoleBench.then(done);")
        finally:
            self.d.execute_cdp_cmd("Page.removeScriptToEvaluateOnNewDocument", {"identifier": ident})
        if "(watcher not injected)" in result.get("missing", []):
            raise BenchAbort(f"{label or path}: the timing script was not injected into the page")
        return check_reached(result, milestones, label or path)

    def clear_resource_timings(self) -> None:
        self.d.execute_script("performance.clearResourceTimings()")

    def resource_sizes(self) -> list[dict]:
        """Path, transferSize (bytes on the wire, headers included; 0 from the cache) and
        decodedBodySize of the navigation and every resource so far."""
        return self.d.execute_script(
            "return [...performance.getEntriesByType('navigation'), ...performance.getEntriesByType('resource')]"
            ".map((e) => ({ name: new URL(e.name).pathname, transfer: e.transferSize, decoded: e.decodedBodySize }));")

    def api_requests(self) -> list[str]:
        """Path and query of every /v1/ request in the page's resource timing buffer."""
        return self.d.execute_script(
            "return performance.getEntriesByType('resource').map((e) => new URL(e.name))"
            ".filter((u) => u.pathname.startsWith('/v1/')).map((u) => u.pathname + u.search);")


def sign_in(b: Browser, email: str, password: str) -> None:
    """Through the console's sign-in page, so the browser holds the HttpOnly session cookie."""
    b.d.get(b.base + "/#/sign-in")
    fill_sign_in(b, email, password)
    log(f"signed in as {email} in the browser")


def fill_sign_in(b: Browser, email: str, password: str) -> None:
    """Types into the sign-in form on the current page and waits for the customers page."""
    b.wait_for("main input[name=email]", "sign-in page").send_keys(email)
    b.d.find_element(By.CSS_SELECTOR, "main input[name=password]").send_keys(password)
    b.d.find_element(By.CSS_SELECTOR, "main form button[type=submit]").click()
    b.wait_for(HEADER_USER, "signing in (the header's user button)")
    b.wait_for(SEARCH_INPUT, "the customers page after signing in")


def to_customers_page(b: Browser) -> None:
    """In-app navigation back to #/customers (re-rendered, with an empty search box)."""
    b.in_app("#/customers", [CUSTOMERS_PAGE], label="back to #/customers")


def fresh_customers_page(b: Browser) -> None:
    """#/customers loaded in full, with an empty search box: each search starts from a page no
    earlier typing has touched (what is measured starts at the last keystroke either way)."""
    b.page_load("/#/customers", [CUSTOMERS_PAGE], label="a fresh #/customers")


def repeat(runs: int, label: str, once) -> list:
    """`once(i)` for the warm-up runs (dropped) and then `runs` times."""
    results = []
    for i in range(WARMUP_RUNS + runs):
        value = once(i)
        if i >= WARMUP_RUNS:
            results.append(value)
    log(f"{label}: {runs} runs done")
    return results


# --------------------------------------------------------------------------- #
# The measures
# --------------------------------------------------------------------------- #

def measure_360_in_app(b: Browser, hot: dict, runs: int, captured: dict) -> Measure:
    """From the customers page, location.hash = the 360 until its first screen is painted."""
    route = f"#/customers/{urllib.parse.quote(hot['id'])}"

    def once(_):
        to_customers_page(b)
        b.clear_resource_timings()
        return b.in_app(route, [CUSTOMER_360], {"name": hot["name"].strip()}, "360 in-app")["first screen"]

    marks = repeat(runs, "360 in-app", once)
    captured["360"] = b.api_requests()
    return Measure("Customer 360 first screen, in-app (hash change)", [m["painted"] for m in marks], TARGET_360_MS, raw=marks)


def measure_360_page_load(b: Browser, hot: dict, runs: int) -> Measure:
    """A full load of /#/customers/<id> (HTTP cache warm) until the first screen is painted."""
    path = f"/#/customers/{urllib.parse.quote(hot['id'])}"
    marks = repeat(runs, "360 page load",
                   lambda _: b.page_load(path, [CUSTOMER_360], {"name": hot["name"].strip()}, "360 page load")["first screen"])
    return Measure("Customer 360 first screen, full page load", [m["painted"] for m in marks], TARGET_360_MS, raw=marks)


ARM_SEARCH_JS = WATCH_JS + r"""
const [query, expectedId, timeoutMs] = arguments;
const input = document.querySelector(INPUT);
const list = input && document.getElementById(input.getAttribute('aria-controls'));
if (!input || !list) return 'no search box with its results list';
const s = { input, list, query: query.trim(), expectedId, lastInput: null, lastValue: input.value.trim(), requestAt: null };
// Only keystrokes that change the query count (the box trims: a trailing space asks nothing new).
input.addEventListener('input', (event) => {
  if (input.value.trim() === s.lastValue) return;
  s.lastValue = input.value.trim();
  s.lastInput = event.timeStamp;
  s.requestAt = null;
});
// A request starts (aria-busy set) after the last keystroke with the whole query in the box.
new MutationObserver(() => {
  if (s.requestAt === null && s.lastInput !== null && list.getAttribute('aria-busy') === 'true'
      && input.value.trim() === s.query) s.requestAt = performance.now();
}).observe(list, { attributes: true, attributeFilter: ['aria-busy'] });
s.done = new Promise((resolve) => benchWatch(MILESTONES, s, timeoutMs, resolve));
window.__benchSearch = s;
return null;
"""

AWAIT_SEARCH_JS = r"""
const done = arguments[arguments.length - 1];
const s = window.__benchSearch;
s.done.then((result) => done({ ...result, lastInput: s.lastInput, requestAt: s.requestAt,
  status: (document.querySelector('main .search-status') || {}).textContent || '' }));
"""


def search_once(b: Browser, query: str, expected_id: str | None) -> dict:
    """One query typed into a fresh customers page; ms from the last keystroke's input event."""
    fresh_customers_page(b)
    b.clear_resource_timings()
    box = b.d.find_element(By.CSS_SELECTOR, SEARCH_INPUT)
    box.clear()
    armed = b.d.execute_script(ARM_SEARCH_JS.replace("INPUT", json.dumps(SEARCH_INPUT))
                               .replace("MILESTONES", milestones_js([SEARCH_ANSWERED])),
                               query, expected_id, SELECTOR_TIMEOUT * 1000)
    if armed:
        raise BenchAbort(f"search: {armed} ({SEARCH_INPUT})")
    for ch in query:
        box.send_keys(ch)
    result = b.d.execute_async_script(AWAIT_SEARCH_JS)
    if result.get("missing"):
        expected = f"the row of customer {expected_id}" if expected_id else "a result row"
        raise BenchAbort(f"search {query!r}: {expected} (li[role=option]) did not appear within {SELECTOR_TIMEOUT:.0f} s "
                         f"(status line {result.get('status')!r}, request started: {result.get('requestAt') is not None})")
    mark = result["milestones"]["answer"]
    return {"total": mark["painted"] - result["lastInput"], "seen": mark["seen"] - result["lastInput"],
            "from_request": mark["painted"] - result["requestAt"]}


def measure_search(b: Browser, manifest: dict, debounce_ms: float, runs: int, captured: dict) -> list[Measure]:
    """Each query: including the debounce, and minus it (the target applies to the latter)."""
    hot = manifest["hot_customer"]
    measures = []
    for query in manifest["search_queries"]:
        expected = hot["id"] if query.strip() == hot["phone_as_typed"].strip() else None
        label = f"search {query!r}"
        marks = repeat(runs, label, lambda _: search_once(b, query, expected))
        captured.setdefault("search", {})[query] = b.api_requests()
        totals = [m["total"] for m in marks]
        short = query if len(query) <= 24 else query[:23] + "…"
        measures.append(Measure(f"Search `{short}`: last key → painted, incl. {debounce_ms:.0f} ms debounce", totals, raw=marks))
        measures.append(Measure(f"Search `{short}`: answer after the debounce (above − {debounce_ms:.0f} ms)",
                                [t - debounce_ms for t in totals], TARGET_SEARCH_MS))
    return measures


def measure_inbox_in_app(b: Browser, department_id: str, runs: int, captured: dict) -> Measure:
    """From the customers page, location.hash = the support inbox until rows and counts are painted."""
    route = f"#/inbox?department={urllib.parse.quote(department_id)}"

    def once(_):
        to_customers_page(b)
        b.clear_resource_timings()
        return b.in_app(route, [INBOX_ROWS], label="inbox in-app")["rows and counts"]

    marks = repeat(runs, "inbox in-app", once)
    captured["inbox"] = b.api_requests()
    to_customers_page(b)
    return Measure("Support inbox: rows + counts, in-app (hash change)", [m["painted"] for m in marks], TARGET_INBOX_MS, raw=marks)


def measure_inbox_page_load(b: Browser, department_id: str, runs: int) -> list[Measure]:
    """A full load of /#/inbox?department=… until rows and counts, and until every row's name."""
    path = f"/#/inbox?department={urllib.parse.quote(department_id)}"
    marks = repeat(runs, "inbox page load", lambda _: b.page_load(path, [INBOX_ROWS, INBOX_NAMES], label="inbox page load"))
    rows = [m["rows and counts"] for m in marks]
    names = [m["customer names"] for m in marks]
    return [Measure("Support inbox: rows + counts, full page load", [m["painted"] for m in rows], TARGET_INBOX_MS, raw=rows),
            Measure("Support inbox: every row's customer name, full page load", [m["painted"] for m in names], raw=names)]


def measure_first_load(base: str, tmp: str, user: tuple[str, str], hot: dict, severe: list[str]) -> list[Measure]:
    """A fresh profile (empty cache) loads `/`, which signed out is the sign-in page: the navigation
    and every resource, summed once the sign-in form is painted. Then, in the same document, the
    user signs in and opens the hot customer's 360: the console's own files fetched by then (the API's
    JSON left out), i.e. what a first visit through to a customer downloads."""
    b = Browser(base, os.path.join(tmp, "profile-first-load"))
    try:
        marks = b.page_load("/", [SIGN_IN_FORM], label="first load")
        signed_out = b.resource_sizes()
        fill_sign_in(b, *user)
        b.in_app(f"#/customers/{urllib.parse.quote(hot['id'])}", [CUSTOMER_360], {"name": hot["name"].strip()},
                 "first load: the 360 after signing in")
        through_360 = [e for e in b.resource_sizes() if not e["name"].startswith("/v1/")]
        severe.extend(f"(fresh profile) {m}" for m in b.severe_console_entries())
    finally:
        b.quit()
    painted = marks["sign-in form"]["painted"]
    log(f"first load: {len(signed_out)} requests, {kb(signed_out, 'transfer'):.1f} KB transferred, sign-in form "
        f"painted at {painted:.0f} ms; through the 360: {len(through_360)} requests, {kb(through_360, 'transfer'):.1f} KB")
    label = f"First load of / (fresh profile, signed out: sign-in page, {len(signed_out)} requests)"
    label_360 = f"First visit through to a 360 (fresh profile: sign-in page, sign in, 360; {len(through_360)} requests, no API data)"
    return [Measure(f"{label}: transferred", [kb(signed_out, "transfer")], TARGET_FIRST_LOAD_KB, unit="KB",
                    raw=[{"requests": signed_out, "sign_in_form_painted_ms": round(painted, 1)}]),
            Measure(f"{label}: uncompressed", [kb(signed_out, "decoded")], unit="KB"),
            Measure(f"{label_360}: transferred", [kb(through_360, "transfer")], TARGET_FIRST_LOAD_KB, unit="KB",
                    raw=[{"requests": through_360}])]


def kb(entries: list[dict], key: str) -> float:
    return sum(e[key] for e in entries) / 1000


# --------------------------------------------------------------------------- #
# API timings
# --------------------------------------------------------------------------- #

def pick_request(paths: list[str], what: str, accept) -> str:
    """The one request the console sent for `what`, as captured from resource timing."""
    for path in paths:
        parts = urllib.parse.urlsplit(path)
        if accept(parts.path, urllib.parse.parse_qs(parts.query)):
            return path
    raise BenchAbort(f"the console sent no request for {what} (it sent {sorted(set(paths))[:12]})")


def console_reads(captured: dict, manifest: dict) -> list[tuple[str, str]]:
    """(label, path?query) of the reads the console made for the 360, the searches and the inbox."""
    hot_path = f"/v1/customers/{urllib.parse.quote(manifest['hot_customer']['id'])}"
    dept = manifest["support_department"]
    reads = [
        ("the 360's customer", pick_request(captured["360"], "the 360's customer", lambda p, q: p == hot_path)),
        ("the 360's first timeline page", pick_request(captured["360"], "the 360's timeline",
                                                         lambda p, q: p == hot_path + "/timeline" and "cursor" not in q)),
    ]
    for query, paths in captured["search"].items():
        reads.append((f"search `{query}`", pick_request(paths, f"search {query!r}", lambda p, q, want=query.strip():
                                                         p == "/v1/customers/search" and q.get("q") == [want])))
    reads.append(("the support inbox list", pick_request(
        captured["inbox"], "the inbox list", lambda p, q: p == "/v1/conversations" and
        q.get("department_id", [None])[0] in (dept["id"], dept.get("key")))))
    return reads


def measure_api(base: str, key: str, reads: list[tuple[str, str]], runs: int, aliases: dict[str, str]) -> list[Measure]:
    """Each read with requests and the admin key on one keep-alive session: wall time to the whole body."""
    s = requests.Session()
    s.headers.update({"Authorization": f"Bearer {key}", "Accept": "application/json"})

    def timed(path: str) -> float:
        t0 = time.perf_counter()
        r = s.get(base + path, timeout=60)
        _ = r.content
        elapsed = (time.perf_counter() - t0) * 1000
        if r.status_code != 200:
            raise BenchAbort(f"API GET {path} -> {r.status_code}: {r.text[:200]}")
        return elapsed

    measures = []
    for label, path in reads:
        samples = repeat(runs, f"API {path}", lambda _: timed(path))
        measures.append(Measure(f"API GET {path_for_table(path, aliases)} ({label})", samples, raw=[{"path": path}]))
    return measures


def path_for_table(path: str, aliases: dict[str, str]) -> str:
    """Readable in the table: unescaped, the long ids as <hot> and <support> (the JSON has them all)."""
    text = urllib.parse.unquote_plus(path)
    for value, alias in aliases.items():
        text = text.replace(value, alias)
    return text if len(text) <= 100 else text[:99] + "…"


# --------------------------------------------------------------------------- #
# Report
# --------------------------------------------------------------------------- #

def machine() -> dict:
    def run(cmd):
        try:
            return subprocess.run(cmd, capture_output=True, text=True, timeout=10).stdout
        except (OSError, subprocess.SubprocessError):
            return ""
    cpu = ""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            cpu = next((ln.split(":", 1)[1].strip() for ln in f if ln.startswith("model name")), "")
    except OSError:
        pass
    mem = next((ln.split()[1] for ln in run(["free", "-g"]).splitlines() if ln.startswith("Mem:")), "?")
    return {"nproc": run(["nproc"]).strip() or str(os.cpu_count()), "cpu": cpu or "?", "memory_gb": mem,
            "loadavg": " ".join(f"{x:.2f}" for x in os.getloadavg())}


def cell(value: float, unit: str) -> str:
    return f"{value:.1f}" if unit == "ms" else f"{value:.1f} {unit}"


def print_report(info: dict, measures: list[Measure], debounce_ms: float) -> None:
    print()
    print(f"Machine: {info['machine']['nproc']} CPUs ({info['machine']['cpu']}), {info['machine']['memory_gb']} GB "
          f"(free -g), load average at start {info['machine']['loadavg']}")
    print(f"Chromium {info['chromium']}; {info['date']}; binary {info['binary']}")
    m = info["manifest"]
    print(f"Store: {m.get('customers')} customers, {m.get('interactions')} interactions; hot customer "
          f"{m['hot_customer'].get('interactions')} interactions; support {m['support_department'].get('open_conversations')} "
          f"open conversations")
    if "/debug/" in info["binary"]:
        print("NOTE: a debug build: these figures say little about a release build.")
    print()
    print("| measure | runs | p50 ms | p95 ms | max ms | target | met? |")
    print("|---|---:|---:|---:|---:|---|---|")
    for x in measures:
        target = f"< {x.target:.0f} {x.unit}" if x.target is not None else "—"
        met = {None: "—", True: "yes", False: "**no**"}[x.met()]
        print(f"| {x.name} | {len(x.samples)} | {cell(x.percentile(50), x.unit)} | {cell(x.percentile(95), x.unit)} "
              f"| {cell(max(x.samples), x.unit)} | {target} | {met} |")
    print()
    print(f"<hot> is the hot customer {info['manifest']['hot_customer']['id']}, <support> the support department "
          f"{info['manifest']['support_department']['id']}. ", end="")
    print(f"met? compares the p95 with the target. Search: the box waits {debounce_ms:.0f} ms after the last keystroke "
          f"before it asks the server; the 'incl.' rows are what a person waits after typing the last character, the "
          f"'answer after the debounce' rows subtract those {debounce_ms:.0f} ms and are the ones the target "
          f"'search answers in under 100 ms' applies to. Browser times are in-page (performance.now()) up to the "
          f"second animation frame after the content appeared; API times are wall time seen by a Python client.")


def print_severe(severe: list[str]) -> None:
    print()
    if not severe:
        print("Browser console: no SEVERE entries.")
        return
    print(f"Browser console: {len(severe)} SEVERE entries:")
    for message in severe:
        print(f"  {message[:300]}")


def write_output(path: str, info: dict, measures: list[Measure], extra: dict) -> None:
    with open(path, "w", encoding="utf-8") as f:
        json.dump({**info, **extra, "measures": [m.summary() for m in measures]}, f, indent=1, ensure_ascii=False)
    log(f"results written to {path}")


# --------------------------------------------------------------------------- #

def run(args, box: dict) -> int:
    manifest = read_manifest(args.manifest)
    server = Server(os.path.abspath(args.binary), os.path.abspath(args.data_dir), os.path.join(box["tmp"], "server.log"))
    box["server"] = server
    server.start()
    server.wait_ready()
    wait_settled(server.base, manifest["admin_key"])
    debounce_ms = served_debounce_ms(server.base)
    email, password = create_console_user(AdminAPI(server.base, manifest["admin_key"]))
    severe: list[str] = []
    first_load = measure_first_load(server.base, box["tmp"], (email, password), manifest["hot_customer"], severe)

    b = Browser(server.base, os.path.join(box["tmp"], "profile"))
    box["browser"] = b
    chromium = b.version
    captured: dict = {}
    hot, dept_id = manifest["hot_customer"], manifest["support_department"]["id"]
    sign_in(b, email, password)
    ui = [measure_360_in_app(b, hot, args.runs, captured),
          measure_360_page_load(b, hot, args.runs),
          *measure_search(b, manifest, debounce_ms, args.runs, captured),
          measure_inbox_in_app(b, dept_id, args.runs, captured),
          *measure_inbox_page_load(b, dept_id, args.runs)]
    severe.extend(b.severe_console_entries())
    b.quit()
    box["browser"] = None

    aliases = {hot["id"]: "<hot>", dept_id: "<support>"}
    api = measure_api(server.base, manifest["admin_key"], console_reads(captured, manifest), args.runs, aliases)
    measures = ui + api + first_load
    info = {"date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
            "machine": box["machine"], "chromium": chromium, "binary": os.path.abspath(args.binary),
            "manifest": {k: v for k, v in manifest.items() if k != "admin_key"}, "runs": args.runs,
            "warmup_runs": WARMUP_RUNS, "debounce_ms": debounce_ms}
    print_report(info, measures, debounce_ms)
    print_severe(severe)
    if args.output:
        write_output(args.output, info, measures, {"console_requests": captured, "browser_severe": severe})
    return 0


def parse_args(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--binary", required=True, help="path to the rapport executable (a release build)")
    ap.add_argument("--data-dir", required=True, help="the data directory `rapport-bench console-data` seeded")
    ap.add_argument("--manifest", required=True, help="its manifest (console-bench.json)")
    ap.add_argument("--runs", type=int, default=20, help="measured runs per measure (after 2 warm-up runs)")
    ap.add_argument("--output", default=None, help="write raw samples and summaries to this JSON file")
    args = ap.parse_args(argv)
    if args.runs < 1:
        ap.error("--runs must be at least 1")
    return args


def _interrupt(signum, frame):  # noqa: ARG001
    raise KeyboardInterrupt


def main(argv=None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, _interrupt)
    box: dict = {"tmp": tempfile.mkdtemp(prefix="rapport-console-bench-"), "server": None, "browser": None,
                 "machine": machine()}
    status = 1
    try:
        status = run(args, box)
    except BenchAbort as e:
        print(f"console_bench: could not measure: {e}", flush=True)
    except KeyboardInterrupt:
        print("console_bench: interrupted", flush=True)
    except Exception as e:  # noqa: BLE001 - WebDriver, HTTP or anything unexpected: said, and the server stopped
        traceback.print_exc()
        print(f"console_bench: could not measure: {type(e).__name__}: {str(e).strip()[:300]}", flush=True)
    finally:
        if box["browser"] is not None:
            box["browser"].quit()
        if box["server"] is not None:
            box["server"].stop()
    if status != 0 and box["server"] is not None:
        print(f"--- server log tail ({box['server'].log_path}) ---\n{box['server'].log_tail()}--- end ---", flush=True)
        print(f"temp dir kept: {box['tmp']}", flush=True)
    else:
        shutil.rmtree(box["tmp"], ignore_errors=True)
    return status


if __name__ == "__main__":
    sys.exit(main())
