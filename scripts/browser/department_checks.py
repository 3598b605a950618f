"""A department's day in the console browser test (console_test.py calls `department_checks`;
`--only department` runs them alone). The server runs with `--test-clock`, so the admin may move
its clock forward (POST /v1/test-clock); in the full run these checks come last, after the
handoffs' (each moves the clock four hours on: nothing after them expects the real time).

Through the API (the admin key) the test gives sales business hours of every day 00:00-24:00 UTC
(so the SLA is plain time) and makes a service agent, a salesperson and a sales manager (role
manager) and an admin of no department, each signed in in a browser of their own, and a customer.
Then:

- the manager opens "Department" from the main navigation (Sales, the date field, the department
  chooser, the load table); the salesperson's and the agent's pages are left open;
- the agent hands the customer to sales (POST /v1/handoffs in the agent's session: upsell lead,
  4 hours, a reason with `<script>` and `<img onerror>` markup): the manager's page shows the
  "requested" step live (incoming, by the agent, the customer's link, the reason as text);
- the clock moved 4 h 1 min on, the deadline watcher escalates it (polled through the API, bounded);
  a high-priority conversation of sales is made (a subject with markup): the pages left open show
  both live. The manager's: the breach incoming, "Escalated", "SLA breached" marked, by Rapport;
  the conversation's subject as text, "High priority", the customer; the figures as the entries and
  the handoffs say; the load per person as GET …/load answers, with the department's three figures.
  The salesperson's: the breach, no load table, no chooser. The agent's (service): the breach
  outgoing, the figures;
- the date field shows another day (the server's answer for it); the chooser another department;
- the admin (no department) sees the first department by default and chooses Finance, where 52
  handoffs from marketing make more than a page: "Show more" reads the rest (next_cursor);
- the Customer 360's timeline shows the handoff's steps as internal entries ("Handoff Customer
  Service → Sales: escalated", "SLA breached"), the reason as text;
- Chinese (部门动态), 375 px, the first loads, axe-core on each page state.

Everything waits for what it checks (`b.wait`, bounded polling), never a fixed time.
"""

from __future__ import annotations

import datetime
import json
import time

import colleagues
from colleagues import ESCALATION_WAIT, FIRST_LOAD_BUDGET, LIVE_WAIT, WAIT

PAGING = 52              # handoffs marketing → finance: more than a page of the feed (50)
PASSWORD = "department day figures 1234"
AGENT = {"email": "dana.desk@example.com", "name": "Dana Desk"}
SELLER = {"email": "sean.sales@example.com", "name": "Sean Sales"}
MANAGER = {"email": "meg.lead@example.com", "name": "Meg Lead"}
ADMIN = {"email": "ari.admin@example.com", "name": "Ari Admin"}
CUSTOMER = "Dora Department 多拉"
REASON = 'Wants the team plan <script>window.__pwned=1</script> <img src=x onerror="window.__pwned=2"> 想升级到团队版'
SUBJECT = 'Outage <b>now</b> <img src=x onerror="window.__pwned=3"> 系统故障'

ENTRIES = """
const text = (li, f) => li.querySelector(`[data-field=${f}]`)?.textContent ?? '';
return [...document.querySelectorAll('[data-list=department-feed] > li')].map((li) => ({
  step: li.dataset.step ?? '', stepId: li.dataset.stepId ?? '', handoff: li.dataset.handoffId ?? '', direction: li.dataset.direction ?? '',
  conversation: li.dataset.conversationId ?? '', breachedClass: li.classList.contains('handoff-breached'),
  kind: text(li, 'kind'), directionText: text(li, 'direction'), stepText: text(li, 'step'), breached: text(li, 'breached'),
  route: text(li, 'route'), actor: text(li, 'actor'), detail: text(li, 'detail'), subject: text(li, 'subject'), priority: text(li, 'priority'),
  status: text(li, 'status'), time: li.querySelector('time')?.getAttribute('datetime') ?? '',
  links: [...li.querySelectorAll('a')].map((a) => ({ action: a.dataset.action, href: a.getAttribute('href'), text: a.textContent })),
  markup: li.querySelectorAll('script, img, b').length,
}));
"""
PAGE = """
const figures = (root) => Object.fromEntries([...(root?.querySelectorAll(':scope > .dash-parts > [data-figure], :scope > div > .dash-parts > [data-figure]') ?? [])]
  .map((p) => [p.dataset.figure, { value: p.querySelector('.tile-value')?.textContent ?? '', label: p.querySelector('.tile-label')?.textContent ?? '' }]));
const card = document.querySelector('[data-card=department-load]');
const list = document.querySelector('[data-list=department-feed]');
return {
  h1: document.querySelector('main h1')?.textContent ?? '', hash: location.hash,
  chooser: document.querySelector('select[name=department]')?.value ?? null,
  chooserLabel: document.querySelector('select[name=department]')?.labels?.[0]?.textContent ?? null,
  day: document.querySelector('input[name=day]')?.value ?? null, dayLabel: document.querySelector('input[name=day]')?.labels?.[0]?.textContent ?? '',
  context: document.querySelector('[data-field=context]')?.textContent ?? '',
  status: document.querySelector('[data-field=feed-status]')?.textContent ?? '',
  busy: !list || list.hasAttribute('aria-busy') || !!card?.querySelector('[aria-busy]'),
  more: !!document.querySelector('[data-action=more-entries]:not([hidden])'),
  figures: figures(document.querySelector('[data-card=department-figures]')),
  headings: [...document.querySelectorAll('main h2')].map((h) => h.textContent),
  load: card ? {
    rows: [...card.querySelectorAll('tbody tr')].map((tr) => ({ user: tr.dataset.userId, name: tr.querySelector('th')?.textContent ?? '',
      cells: Object.fromEntries([...tr.querySelectorAll('td')].map((td) => [td.dataset.column, td.textContent])) })),
    headers: [...card.querySelectorAll('thead th')].map((th) => th.textContent),
    figures: figures(card), error: card.querySelector('.notice-error')?.textContent ?? '',
  } : null,
};
"""
TIMELINE = """
const text = (li, f) => li.querySelector(`[data-field=${f}]`)?.textContent ?? '';
return [...document.querySelectorAll('.timeline > li.handoff-step')].map((li) => ({
  stepId: li.dataset.stepId, step: li.dataset.step, handoff: li.dataset.handoffId, note: li.classList.contains('note'),
  internal: text(li, 'internal'), summary: text(li, 'summary'), breached: text(li, 'breached'), kind: text(li, 'kind'),
  actor: text(li, 'actor'), detail: text(li, 'detail'), markup: li.querySelectorAll('script, img').length,
}));
"""
SET_DAY = """
const input = document.querySelector('input[name=day]');
input.value = arguments[0];
input.dispatchEvent(new Event('change', { bubbles: true }));
"""
CHOOSE = """
const select = document.querySelector('select[name=department]');
select.value = arguments[0];
select.dispatchEvent(new Event('change', { bubbles: true }));
"""
SIZES = """
const nav = performance.getEntriesByType('navigation')[0];
const own = performance.getEntriesByType('resource').filter(r => new URL(r.name).pathname.startsWith('/console/'));
const lazy = own.filter((r) => /\\/(handoff-step\\.js|i18n\\/handoff-steps\\/)/.test(r.name));
return { page: nav ? nav.decodedBodySize : 0, assets: own.reduce((n, r) => n + r.decodedBodySize, 0), files: own.length,
  lazy: lazy.reduce((n, r) => n + r.decodedBodySize, 0), lazyFiles: lazy.length,
  names: own.map((r) => new URL(r.name).pathname.split('/').slice(3).join('/')) };
"""


def _log(msg: str) -> None:
    print(f"[department {time.strftime('%H:%M:%S')}] {msg}", flush=True)


def _int(text: str) -> int | None:
    digits = "".join(ch for ch in text if ch.isdigit())
    return int(digits) if digits else None


def department_checks(b, server, api, checks, audit, *, new_browser, abort) -> None:
    """`b`: the test's Browser (the colleagues and the admin get browsers of their own from
    `new_browser()`, whose consoles are added to `b`'s at the end); `api`: the admin-key client; `audit(page, browser)` runs axe-core in that browser; `abort`: the exception that stops
    the test."""
    base = server.base
    service = colleagues.department(api, "service")
    sales = colleagues.department(api, "sales")
    marketing = colleagues.department(api, "marketing")
    finance = colleagues.department(api, "finance")
    colleagues.all_day_hours(api, checks, sales, "department: sales' business hours are every day 00:00-24:00 UTC (the SLA is plain time)")
    agent = colleagues.user(api, base, AGENT, service, PASSWORD)
    seller = colleagues.user(api, base, SELLER, sales, PASSWORD)
    manager = colleagues.user(api, base, MANAGER, sales, PASSWORD, role="manager")
    admin = colleagues.user(api, base, ADMIN, None, PASSWORD, role="admin")
    customer = api.post("/v1/customers", {"name": CUSTOMER, "emails": ["dora.department@example.com"]})
    _log(f"agent {agent['id']} (service), seller {seller['id']}, manager {manager['id']} (sales), admin {admin['id']}; customer {customer['id']}")

    # The admin too gets a browser of their own: in the full run the test's browser is left on a
    # throttled sign-in page (its button waits out the Retry-After).
    with colleagues.own_browsers(b, new_browser, "department-service", "department-sales", "department-manager", "department-admin") as browsers:
        a_b, s_b, m_b, ad_b = browsers
        colleagues.sign_in_all(checks, abort, "department: a service agent, a salesperson and a sales manager sign in, each in a browser of their own",
                               [(a_b, AGENT), (s_b, SELLER), (m_b, MANAGER)], PASSWORD)
        _run(ad_b, a_b, s_b, m_b, api, checks, audit, base=base, service=service, sales=sales, marketing=marketing, finance=finance,
             agent=agent, seller=seller, manager=manager, customer=customer, abort=abort)


def _feed(session, department_id: str, day: str | None = None) -> dict:
    """Every entry of a department's day over HTTP (pages of 200), with the first page's summary."""
    params = {"limit": 200}
    if day:
        params["day"] = day
    r = session.get(f"/v1/departments/{department_id}/feed", **params)
    body = r.json()
    entries = list(body.get("data", []))
    cursor = body.get("next_cursor")
    for _ in range(20):
        if not cursor:
            break
        more = session.get(f"/v1/departments/{department_id}/feed", **params, cursor=cursor).json()
        entries += more.get("data", [])
        cursor = more.get("next_cursor")
    body["data"] = entries
    return body


def _expected(feed: dict) -> dict:
    """The figures the entries of a day (and the handoffs unanswered now) add up to."""
    steps = [e for e in feed["data"] if e["type"] in ("handoff", "sla_breach")]

    def count(step: str, direction: str) -> int:
        return sum(1 for e in steps if e["handoff_step"]["step"] == step and e["direction"] == direction)

    return {"handoffs_in": count("requested", "in"), "handoffs_out": count("requested", "out"),
            "sla_breaches_in": count("escalated", "in"), "sla_breaches_out": count("escalated", "out"),
            "high_priority_conversations": sum(1 for e in feed["data"] if e["type"] == "high_priority_conversation")}


def _unanswered(api, department_id: str) -> int:
    """Handoffs to the department still requested, through the list the Handoffs page reads."""
    n, cursor = 0, None
    for _ in range(20):
        params = {"department_id": department_id, "direction": "in", "limit": 200}
        if cursor:
            params["cursor"] = cursor
        page = api.get("/v1/handoffs", **params)
        n += sum(1 for x in page["data"] if x["status"] == "requested")
        cursor = page.get("next_cursor")
        if not cursor:
            break
    return n


def _run(ad_b, a_b, s_b, m_b, api, checks, audit, *, base, service, sales, marketing, finance, agent, seller, manager, customer, abort) -> None:
    cid = customer["id"]
    http_agent, http_seller, http_manager = colleagues.sessions(base, PASSWORD, AGENT, SELLER, MANAGER)

    def page(br) -> dict:
        return br.d.execute_script(PAGE) or {}

    def entries(br) -> list:
        return br.d.execute_script(ENTRIES) or []

    def entry(br, step_id: str) -> dict | None:
        return next((x for x in entries(br) if x["stepId"] == step_id), None)

    def settled(br) -> dict | None:
        p = page(br)
        return p if not p.get("busy") and p.get("status") else None

    def open_department(br, path: str = "/#/department") -> dict:
        br.go(path)
        br.d.refresh()
        return br.wait(lambda: settled(br), WAIT) or page(br)

    def figures_of(p: dict) -> dict:
        return {k: _int(v["value"]) for k, v in (p.get("figures") or {}).items()}

    # --- The manager opens "Department" from the main navigation; the others open it too.
    m_b.go("/#/customers")
    m_b.click(".main-nav a[data-nav=department]")
    first = m_b.wait(lambda: "#/department" in m_b.d.current_url and settled(m_b), WAIT) or page(m_b)
    nav = m_b.text(".main-nav a[data-nav=department]")
    checks.check("'Department' in the main navigation opens the manager's department (Sales): the date field, the department chooser, the load table",
                 nav == "Department" and first.get("h1") == f"Department: {sales['name']}" and first.get("chooser") == sales["id"]
                 and bool(first.get("day")) and first.get("load") is not None,
                 f"nav {nav!r}, {json.dumps({k: first.get(k) for k in ('h1', 'chooser', 'day', 'context', 'status')}, ensure_ascii=False)}")
    audit("department: the manager's day (before)", m_b)
    s_first = open_department(s_b)
    a_first = open_department(a_b)
    checks.check("the salesperson's page is Sales' day and the service agent's Service's, neither with a chooser (their own department)",
                 s_first.get("h1") == f"Department: {sales['name']}" and a_first.get("h1") == f"Department: {service['name']}"
                 and s_first.get("chooser") is None and a_first.get("chooser") is None,
                 f"{s_first.get('h1')!r} {s_first.get('chooser')} / {a_first.get('h1')!r} {a_first.get('chooser')}")

    # --- The agent hands the customer to sales: the pages left open show it live.
    r = http_agent.s.post(base + "/v1/handoffs", json={"kind": "upsell_lead", "from_department_id": service["id"], "to_department_id": sales["id"],
                                                       "customer_id": cid, "reason": REASON, "sla_minutes": 240}, timeout=30)
    handoff = r.json() if r.status_code == 201 else None
    checks.check("the service agent hands the customer to sales (upsell lead, 4 business hours) in their own session",
                 handoff is not None and handoff.get("sla_minutes") == 240 and handoff.get("requested_by", {}).get("id") == agent["id"],
                 f"{r.status_code} {r.text[:200]}")
    if handoff is None:
        raise abort("no handoff was made")
    hid = handoff["id"]
    steps = api.get(f"/v1/handoffs/{hid}/steps")["data"]
    requested = next((s for s in steps if s["step"] == "requested"), None)
    if requested is None:
        raise abort(f"GET /v1/handoffs/{hid}/steps has no requested step: {steps}")
    # (the customer's link is named once their record is read)
    live_in = m_b.wait(lambda: (x := entry(m_b, requested["id"])) and any(CUSTOMER in a["text"] for a in x["links"]) and x, LIVE_WAIT) \
        or entry(m_b, requested["id"])
    live_out = a_b.wait(lambda: entry(a_b, requested["id"]), LIVE_WAIT)
    customer_link = next((a for a in (live_in or {}).get("links", []) if a["action"] == "open-customer"), None)
    checks.check("the manager's open page shows the request live: incoming, Upsell lead, Requested, 'Customer Service → Sales', by the agent, the customer's link",
                 bool(live_in) and live_in["direction"] == "in" and live_in["directionText"] == "Incoming" and live_in["kind"] == "Upsell lead"
                 and live_in["stepText"] == "Requested" and live_in["route"] == f"{service['name']} → {sales['name']}"
                 and live_in["actor"] == f"by {AGENT['name']}" and not live_in["breached"] and customer_link is not None
                 and customer_link["href"] == f"#/customers/{cid}" and CUSTOMER in customer_link["text"],
                 json.dumps(live_in, ensure_ascii=False)[:600])
    pwned = m_b.d.execute_script("return typeof window.__pwned")
    checks.check("the reason with <script> and <img onerror> markup is text on the Department page (no element made; window.__pwned undefined)",
                 bool(live_in) and live_in["detail"] == REASON and live_in["markup"] == 0 and pwned == "undefined",
                 f"{(live_in or {}).get('detail')!r} markup {(live_in or {}).get('markup')} __pwned {pwned}")
    checks.check("the service agent's open page shows it live as outgoing ('Outgoing')",
                 bool(live_out) and live_out["direction"] == "out" and live_out["directionText"] == "Outgoing", str(live_out))

    # --- The SLA lapses: the clock moves on, the deadline watcher escalates it.
    escalated, moved, took = colleagues.lapse(api, hid)
    checks.check("after the clock moves 4 h 1 min on, the deadline watcher escalates the handoff",
                 escalated is not None and escalated["sla_breached"] is True and escalated["status"] == "requested",
                 f"clock {moved.get('now')}, after {took:.1f}s" if escalated else f"not within {ESCALATION_WAIT:.0f}s")
    if escalated is None:
        raise abort("the handoff was not escalated")
    steps = api.get(f"/v1/handoffs/{hid}/steps")["data"]
    breach = next((s for s in steps if s["step"] == "escalated"), None)
    checks.check("GET /v1/handoffs/{id}/steps lists requested, then escalated (an SLA breach, by the system)",
                 [s["step"] for s in steps] == ["requested", "escalated"] and breach is not None and breach["sla_breach"] is True
                 and breach["actor"]["type"] == "system", json.dumps([(s["step"], s["sla_breach"], s["actor"]) for s in steps]))
    if breach is None:
        raise abort("no escalation step")

    # --- A high-priority conversation of sales (made after the clock moved: it is of today).
    channel = next((c for c in api.get("/v1/channels")["data"] if c["kind"] == "email"), None) \
        or api.post("/v1/channels", {"kind": "email", "name": "Department checks mailbox"})
    api.post("/v1/interactions", {"channel_id": channel["id"], "customer_id": cid, "kind": "email", "direction": "inbound",
                                  "subject": SUBJECT, "body": "Nothing works since this morning."})
    conversation = next(c for c in api.get("/v1/conversations", customer_id=cid)["data"] if c["channel_id"] == channel["id"])
    conversation = _patch(api, base, conversation["id"], {"priority": "high", "department_id": sales["id"]})

    # --- The manager's page, left open, shows the breach and the conversation live.
    shown_breach = m_b.wait(lambda: entry(m_b, breach["id"]), LIVE_WAIT)
    shown_conv = m_b.wait(lambda: next((x for x in entries(m_b) if x["conversation"] == conversation["id"]), None), LIVE_WAIT)
    checks.check("the manager's open page shows the SLA breach live: incoming, Escalated, 'SLA breached' marked (red), by Rapport, the route and kind",
                 bool(shown_breach) and shown_breach["direction"] == "in" and shown_breach["step"] == "escalated"
                 and shown_breach["stepText"] == "Escalated" and shown_breach["breached"] == "SLA breached" and shown_breach["breachedClass"]
                 and shown_breach["actor"] == "by Rapport" and shown_breach["route"] == f"{service['name']} → {sales['name']}"
                 and shown_breach["kind"] == "Upsell lead" and shown_breach["time"] == breach["at"],
                 json.dumps(shown_breach, ensure_ascii=False)[:500])
    conv_link = next((a for a in (shown_conv or {}).get("links", []) if a["action"] == "open-customer"), None)
    checks.check("… and the new high-priority conversation live: its subject with markup as text, 'High priority', the customer's link",
                 bool(shown_conv) and shown_conv["subject"] == SUBJECT and shown_conv["markup"] == 0 and shown_conv["priority"] == "High priority"
                 and conv_link is not None and conv_link["href"] == f"#/customers/{cid}"
                 and m_b.d.execute_script("return typeof window.__pwned") == "undefined",
                 json.dumps(shown_conv, ensure_ascii=False)[:400])

    _patch(api, base, conversation["id"], {"priority": "urgent", "status": "pending"})
    changed = m_b.wait(lambda: (x := next((x for x in entries(m_b) if x["conversation"] == conversation["id"]), None))
                       and x["priority"] == "Urgent" and x["status"] == "Pending" and x, LIVE_WAIT)
    checks.check("a change to the conversation (urgent, pending) shows on the open page live, in its place",
                 bool(changed) and [x["stepId"] or x["conversation"] for x in entries(m_b)].count(conversation["id"]) == 1, str(changed))

    # The figures, as the entries add up (the page reloaded: what the server says now).
    m_page = open_department(m_b)
    feed = _feed(http_manager, sales["id"], m_page.get("day"))
    expected = {**_expected(feed), "unanswered_now": _unanswered(api, sales["id"])}
    shown = figures_of(m_page)
    mine_in = {"sla_breaches_in": 1, "handoffs_in": 1 if feed["starts_at"] <= requested["at"] < feed["ends_at"] else 0}
    checks.check("the manager's figures are the day's: handoffs in/out, SLA breaches in/out, high-priority conversations, unanswered now (as the entries add up)",
                 shown == expected and feed["summary"] == expected and expected["sla_breaches_in"] >= 1 and expected["unanswered_now"] >= 1
                 and expected["high_priority_conversations"] >= 1 and expected["handoffs_in"] >= mine_in["handoffs_in"],
                 f"page {shown}, expected {expected}, server {feed['summary']}, day {feed['day']} {feed['time_zone']}")
    page_keys = [x["stepId"] or x["conversation"] for x in entries(m_b)]
    api_keys = [(e.get("handoff_step") or {}).get("id") or e["conversation"]["id"] for e in feed["data"]][:50]
    checks.check("the entries are the server's, newest first", page_keys == api_keys, f"{len(page_keys)} shown, {len(api_keys)} expected")

    # The load per person, as the server counts it.
    load = http_manager.get(f"/v1/departments/{sales['id']}/load").json()
    table = m_page.get("load") or {}
    rows = {row["user"]: row for row in table.get("rows", [])}
    cells_ok = all(rows.get(p["user_id"], {}).get("cells") == {k: str(p[k]) for k in ("open_tasks", "overdue_tasks", "open_conversations",
                                                                                        "waiting_conversations", "handoffs_in_progress", "total")}
                   for p in load.get("people", []))
    checks.check("the manager sees 'Load per person': name, open tasks, overdue, open conversations, waiting, handoffs in progress, total — as GET …/load says",
                 table.get("headers") == ["Person", "Open tasks", "Overdue", "Open conversations", "Waiting", "Handoffs in progress", "Total"]
                 and [row["user"] for row in table.get("rows", [])] == [p["user_id"] for p in load.get("people", [])]
                 and {seller["id"], manager["id"]} <= set(rows) and cells_ok and SELLER["name"] in rows.get(seller["id"], {}).get("name", ""),
                 json.dumps(table, ensure_ascii=False)[:500])
    dept_figures = {k: v["value"] for k, v in table.get("figures", {}).items()}
    checks.check("… with the department's own: unassigned conversations, tasks for the whole department, unanswered handoffs",
                 dept_figures == {k: str(load[k]) for k in ("unassigned_conversations", "shared_tasks", "unanswered_handoffs")}
                 and load["unanswered_handoffs"] >= 1, f"page {dept_figures}, server {({k: load[k] for k in ('unassigned_conversations', 'shared_tasks', 'unanswered_handoffs')})}")
    audit("department: the manager's day with the breach and the load", m_b)

    # --- The salesperson (an agent): the breach, no load table, no chooser.
    s_breach = s_b.wait(lambda: entry(s_b, breach["id"]), LIVE_WAIT)
    s_page = page(s_b)
    checks.check("the salesperson's page (left open) shows the breach live, and no load table nor chooser (an agent)",
                 bool(s_breach) and s_breach["breached"] == "SLA breached" and s_page.get("load") is None and s_page.get("chooser") is None
                 and "Load per person" not in s_page.get("headings", []), f"{s_breach} / load {s_page.get('load')} / {s_page.get('headings')}")
    r = http_seller.get(f"/v1/departments/{sales['id']}/load")
    checks.check("(the server refuses an agent the load: 403)", r.status_code == 403, str(r.status_code))
    audit("department: the salesperson's day", s_b)

    # --- The service agent: the breach outgoing, Service's figures.
    a_breach = a_b.wait(lambda: entry(a_b, breach["id"]), LIVE_WAIT)
    a_page = open_department(a_b)
    a_feed = _feed(http_agent, service["id"], a_page.get("day"))
    a_expected = {**_expected(a_feed), "unanswered_now": _unanswered(api, service["id"])}
    a_shown = figures_of(a_page)
    checks.check("the service agent's page shows the breach outgoing ('Outgoing', 'SLA breached'), live on the open page",
                 bool(a_breach) and a_breach["direction"] == "out" and a_breach["directionText"] == "Outgoing"
                 and a_breach["breached"] == "SLA breached" and a_breach["route"] == f"{service['name']} → {sales['name']}", str(a_breach))
    checks.check("Service's figures are right (SLA breaches out ≥ 1, as the entries add up) and it has no load table",
                 a_shown == a_expected and a_feed["summary"] == a_expected and a_expected["sla_breaches_out"] >= 1 and a_page.get("load") is None,
                 f"page {a_shown}, expected {a_expected}, server {a_feed['summary']}")
    audit("department: the service agent's day", a_b)

    # --- Another day with the date field.
    today = m_page.get("day") or feed["day"]
    other = (datetime.date.fromisoformat(today) - datetime.timedelta(days=1)).isoformat()
    if not (feed["starts_at"] <= requested["at"] < feed["ends_at"]):
        other = requested["at"][:10]  # the request was the day before (the clock crossed midnight)
    m_b.d.execute_script(SET_DAY, other)
    o_page = m_b.wait(lambda: (p := settled(m_b)) and f"day={other}" in p["hash"] and other[:4] in p["context"] and p, WAIT) or page(m_b)
    o_feed = _feed(http_manager, sales["id"], other)
    o_keys = [x["stepId"] or x["conversation"] for x in entries(m_b)]
    o_api = [(e.get("handoff_step") or {}).get("id") or e["conversation"]["id"] for e in o_feed["data"]][:50]
    checks.check("the date field shows another day: the address says it, the entries and figures are that day's",
                 f"day={other}" in o_page.get("hash", "") and o_keys == o_api and figures_of(o_page) == o_feed["summary"],
                 f"{o_page.get('hash')} {len(o_keys)} entries, figures {figures_of(o_page)} vs {o_feed['summary']}")
    m_b.d.execute_script(SET_DAY, "")
    back = m_b.wait(lambda: (p := settled(m_b)) and "day=" not in p["hash"] and p["day"] == today and entry(m_b, breach["id"]) and p, WAIT)
    checks.check("emptying the date field shows today again (the department's today, filled in)", bool(back), str(page(m_b).get("hash")))

    # --- The chooser: another department.
    m_b.d.execute_script(CHOOSE, service["id"])
    svc = m_b.wait(lambda: (p := settled(m_b)) and p["h1"] == f"Department: {service['name']}" and entry(m_b, breach["id"]) and p, WAIT) or page(m_b)
    svc_breach = entry(m_b, breach["id"]) or {}
    checks.check("the manager chooses Service: its day (the breach outgoing), the address names it",
                 f"department={service['id']}" in svc.get("hash", "") and svc_breach.get("direction") == "out", f"{svc.get('hash')} {svc_breach}")
    m_b.d.execute_script(CHOOSE, sales["id"])
    m_b.wait(lambda: (p := settled(m_b)) and p["h1"] == f"Department: {sales['name']}" and p, WAIT)

    # --- The Customer 360's timeline: the handoff's steps, internal.
    a_b.go(f"/#/customers/{cid}")
    a_b.d.refresh()
    a_b.h1(CUSTOMER)
    items = a_b.wait(lambda: (x := a_b.d.execute_script(TIMELINE)) and len(x) >= 2 and x, WAIT) or []
    by_step = {x["step"]: x for x in items if x["handoff"] == hid}
    esc, req = by_step.get("escalated", {}), by_step.get("requested", {})
    checks.check("the customer's timeline shows the handoff's steps marked internal: 'Handoff Customer Service → Sales: escalated' with 'SLA breached'",
                 esc.get("note") and esc.get("internal") == "Internal handoff" and esc.get("summary") == f"Handoff {service['name']} → {sales['name']}: escalated"
                 and esc.get("breached") == "SLA breached" and esc.get("actor") == "by Rapport"
                 and req.get("summary") == f"Handoff {service['name']} → {sales['name']}: requested" and req.get("actor") == f"by {AGENT['name']}",
                 json.dumps(items, ensure_ascii=False)[:600])
    checks.check("… the reason as text there too (no element made; window.__pwned undefined)",
                 req.get("detail") == REASON and req.get("markup") == 0 and a_b.d.execute_script("return typeof window.__pwned") == "undefined",
                 f"{req.get('detail')!r} markup {req.get('markup')}")
    sizes = a_b.d.execute_script(SIZES)
    total = sizes["page"] + sizes["assets"]
    checks.check(f"the Customer 360's first load stays under {FIRST_LOAD_BUDGET // 1000} KB; the steps' module and messages come after, with the steps",
                 0 < total - sizes["lazy"] < FIRST_LOAD_BUDGET and sizes["lazyFiles"] == 2,
                 f"{(total - sizes['lazy']) / 1000:.1f} KB in {sizes['files'] - sizes['lazyFiles'] + 1} files, then {sizes['lazy'] / 1000:.1f} KB in {sizes['lazyFiles']}")
    audit("department: the customer's timeline with handoff steps", a_b)

    # --- The admin (no department): the first department by default; paging in Finance.
    surveyed = api.post("/v1/customers", {"name": "Sue Survey", "emails": ["sue.survey@example.com"]})
    for i in range(PAGING):
        api.post("/v1/handoffs", {"kind": "feedback", "from_department_id": marketing["id"], "to_department_id": finance["id"],
                                  "customer_id": surveyed["id"], "reason": f"Survey answer {i + 1}"})
    if not colleagues.sign_in(ad_b, ADMIN, PASSWORD, WAIT):
        raise abort("the admin could not sign in")
    first_department = api.get("/v1/departments")["data"][0]
    ad = open_department(ad_b)
    checks.check("the admin (of no department) gets the chooser, the first department by default, and the load table",
                 ad.get("chooser") == first_department["id"] and ad.get("h1") == f"Department: {first_department['name']}" and ad.get("load") is not None,
                 f"{ad.get('chooser')} {ad.get('h1')!r} load {ad.get('load') is not None}")
    ad_b.d.execute_script(CHOOSE, finance["id"])
    fin = ad_b.wait(lambda: (p := settled(ad_b)) and p["h1"] == f"Department: {finance['name']}" and p, WAIT) or page(ad_b)
    fin_feed = _feed(_reader(api), finance["id"], fin.get("day"))
    before_more = len(entries(ad_b))
    if fin.get("more"):
        ad_b.click("[data-action=more-entries]")
    after_more = ad_b.wait(lambda: (n := len(entries(ad_b))) > before_more and settled(ad_b) and n, WAIT) or len(entries(ad_b))
    checks.check(f"Finance's day has more than a page: 50 entries, then 'Show more' reads the rest ({PAGING} handoffs from marketing)",
                 before_more == 50 and fin.get("more") and after_more == len(fin_feed["data"]) and after_more >= PAGING
                 and not page(ad_b).get("more"), f"{before_more} then {after_more} of {len(fin_feed['data'])}, more {fin.get('more')}")
    audit("department: Finance for the admin, two pages", ad_b)

    # --- Chinese, 375 px, the first load of the Department page.
    m_b.d.execute_script("localStorage.setItem('rapport.locale', 'zh-CN')")
    zh = open_department(m_b)
    zh_breach = m_b.wait(lambda: (x := entry(m_b, breach["id"])) and x["stepText"] == "已升级" and x, WAIT) or {}
    labels = {k: v["label"] for k, v in (zh.get("figures") or {}).items()}
    checks.check("in zh-CN the page speaks Chinese: 部门动态, the figures' labels, 已升级 / 已超 SLA, the load table's headers",
                 zh.get("h1") == f"部门动态：{sales['name']}" and labels.get("handoffs_in") == "收到的交接" and labels.get("unanswered_now") == "当前未答复的交接"
                 and zh_breach.get("breached") == "已超 SLA" and zh_breach.get("directionText") == "收到的" and zh.get("dayLabel") == "日期"
                 and (zh.get("load") or {}).get("headers", [""])[0] == "成员" and "部门动态" in m_b.text(".main-nav a[data-nav=department]"),
                 json.dumps({"h1": zh.get("h1"), "labels": labels, "breach": zh_breach, "load": (zh.get("load") or {}).get("headers")}, ensure_ascii=False)[:500])
    audit("department: the manager's day (zh-CN)", m_b)
    m_b.go(f"/#/customers/{cid}")
    m_b.h1(CUSTOMER)
    zh_items = m_b.wait(lambda: (x := m_b.d.execute_script(TIMELINE)) and len(x) >= 2 and x, WAIT) or []
    zh_esc = next((x for x in zh_items if x["handoff"] == hid and x["step"] == "escalated"), {})
    checks.check("in zh-CN the timeline's steps speak Chinese: 内部交接, '交接 … → …：已升级'",
                 zh_esc.get("internal") == "内部交接" and zh_esc.get("summary") == f"交接 {service['name']} → {sales['name']}：已升级", str(zh_esc))
    with colleagues.phone_width(m_b):
        open_department(m_b)
        m_b.wait(lambda: entry(m_b, breach["id"]), WAIT)
        colleagues.fits(m_b, checks, "the Department page (zh-CN, with the load table)")
        audit("department: the manager's day at 375 px (zh-CN)", m_b)
    m_b.d.execute_script("localStorage.setItem('rapport.locale', 'en')")
    with colleagues.phone_width(s_b):
        open_department(s_b)
        colleagues.fits(s_b, checks, "the salesperson's Department page")
    sizes = s_b.d.execute_script(SIZES)
    total = sizes["page"] + sizes["assets"]
    checks.check(f"the Department page's first load (its view, the steps' module, its messages) is under {FIRST_LOAD_BUDGET // 1000} KB",
                 0 < total < FIRST_LOAD_BUDGET and any(n.endswith("views/department.js") for n in sizes["names"])
                 and any("i18n/department/" in n for n in sizes["names"]), f"{total / 1000:.1f} KB in {sizes['files'] + 1} files")


def _reader(api):
    """The admin-key client as `_feed` reads (get(path, **params) -> a response)."""
    class Reader:
        def get(self, path, **params):
            return api.s.get(api.base + path, params=params, timeout=30)
    return Reader()


def _patch(api, base: str, conversation_id: str, body: dict) -> dict:
    r = api.s.patch(f"{base}/v1/conversations/{conversation_id}", data=json.dumps(body), timeout=30)
    if r.status_code >= 300:
        raise RuntimeError(f"PATCH /v1/conversations/{conversation_id} -> {r.status_code}: {r.text[:200]}")
    return r.json()
