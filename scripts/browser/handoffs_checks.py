"""Handoffs between departments in the console browser test (console_test.py calls
`handoffs_checks`; `--only handoffs` runs them alone). The server runs with `--test-clock`, so the
admin may move its clock forward (POST /v1/test-clock).

Through the API (the admin key) the test gives sales business hours of every day 00:00-24:00 UTC
(so the SLA is plain time) and makes a service agent, a salesperson and a sales manager (role
manager), each signed in in a browser of their own, and a customer. Then:

- the service agent opens the customer, presses "Hand off" (the form is loaded then, not with the
  page: the Customer 360's first load stays under the budget), sees an empty reason refused beside
  it, chooses "Upsell lead" (Sales and 4 hours are filled in from the kind) and sends a reason with
  `<script>` markup: the server has the handoff (upsell_lead, service → sales, sla_minutes 240);
- the salesperson's and the manager's bells count it live; the salesperson opens Handoffs from the
  main navigation: under Incoming it is listed with its kind, "Service → Sales", the customer's
  link, the reason as text (no script element, window.__pwned undefined), "Unanswered", its answer
  due time and Accept / Decline; the agent's Outgoing tab lists it unanswered with Cancel;
- the clock moved 4 h 1 min forward, the deadline watcher escalates it (polled through the API,
  bounded): the manager gets a `handoff_escalated` notification (bell, inbox; its link opens the
  handoff in view), and the salesperson's and agent's pages, left open, show "Escalated" live;
- the salesperson accepts it: no longer unanswered; the agent's page shows it accepted live and the
  agent is notified (kind handoff); "Done" with an outcome finishes it;
- a second handoff (through the API) arrives on the salesperson's open page live; "Decline"
  refuses an empty reason beside it, then declines with one;
- 375 px, axe-core on each page state.

Everything waits for what it checks (`b.wait`, bounded polling), never a fixed time.
"""

from __future__ import annotations

import json
import time

import colleagues
from colleagues import BELL, ESCALATION_WAIT, FIRST_LOAD_BUDGET, LIVE_WAIT, WAIT

PASSWORD = "handoffs between desks 1234"
AGENT = {"email": "hana.handoff@example.com", "name": "Hana Handoff"}
SELLER = {"email": "sid.seller@example.com", "name": "Sid Seller"}
MANAGER = {"email": "mia.manager@example.com", "name": "Mia Manager"}
CUSTOMER = "Hugo Handoff 雨果"
REASON = 'Asked about the business plan <script>window.__pwned=1</script> <img src=x onerror="window.__pwned=2"> 想升级'
OUTCOME = "Quote sent, 20 seats."
DECLINE = "Billing questions go to finance 请找财务"

HANDOFFS = """
return [...document.querySelectorAll('.handoff-list > li')].map((li) => ({
  id: li.dataset.handoffId, status: li.dataset.status, unanswered: li.dataset.unanswered === 'true',
  kind: li.querySelector('[data-field=kind]')?.textContent ?? '', statusText: li.querySelector('[data-field=status]')?.textContent ?? '',
  badge: li.querySelector('[data-field=unanswered]')?.textContent ?? '',
  escalated: li.querySelector('[data-field=escalated]')?.textContent ?? '', breached: li.querySelector('[data-field=breached]')?.textContent ?? '',
  route: li.querySelector('[data-field=route]')?.textContent ?? '', reason: li.querySelector('[data-field=reason]')?.textContent ?? '',
  due: li.querySelector('[data-field=due]')?.textContent ?? '', outcome: li.querySelector('[data-field=outcome]')?.textContent ?? '',
  links: [...li.querySelectorAll('a')].map((a) => ({ action: a.dataset.action, href: a.getAttribute('href'), text: a.textContent })),
  actions: [...li.querySelectorAll('button')].map((b) => b.dataset.action),
  markup: li.querySelectorAll('script, img').length, target: li.classList.contains('handoff-target'), focused: li.contains(document.activeElement),
}));
"""
FIELD = """
const el = document.querySelector(arguments[0]);
const error = el?.closest('.field')?.querySelector('.field-error');
return el ? { error: error && !error.hidden ? error.textContent : '', invalid: el.getAttribute('aria-invalid'), value: el.value,
  focused: document.activeElement === el } : null;
"""
SIZES = """
const nav = performance.getEntriesByType('navigation')[0];
const own = performance.getEntriesByType('resource').filter(r => new URL(r.name).pathname.startsWith('/console/'));
return { page: nav ? nav.decodedBodySize : 0, assets: own.reduce((n, r) => n + r.decodedBodySize, 0), files: own.length,
  view: own.some((r) => r.name.includes('/views/handoffs.js')), form: own.some((r) => r.name.includes('/handoff-form.js')) };
"""
NOTIFICATIONS = """
return [...document.querySelectorAll('.notification-list > li')].map((li) => ({ kind: li.dataset.kind,
  what: li.querySelector('[data-field=what]')?.textContent ?? '', links: [...li.querySelectorAll('a')].map((a) => [a.dataset.action, a.getAttribute('href')]) }));
"""
FORM = "[data-card=handoff-form]"


def _log(msg: str) -> None:
    print(f"[handoffs {time.strftime('%H:%M:%S')}] {msg}", flush=True)


def handoffs_checks(b, server, api, checks, audit, *, new_browser, abort) -> None:
    """`b`: the test's Browser (the colleagues get browsers of their own from `new_browser()`, whose
    consoles are added to `b`'s at the end); `api`: the admin-key client; `audit(page, browser)`
    runs axe-core in that browser; `abort`: the exception that stops the test."""
    base = server.base
    service = colleagues.department(api, "service")
    sales = colleagues.department(api, "sales")
    colleagues.all_day_hours(api, checks, sales, "sales' business hours can be set to every day 00:00-24:00 UTC (PUT /v1/departments/{id}/business-hours)")
    agent = colleagues.user(api, base, AGENT, service, PASSWORD)
    seller = colleagues.user(api, base, SELLER, sales, PASSWORD)
    manager = colleagues.user(api, base, MANAGER, sales, PASSWORD, role="manager")
    customer = api.post("/v1/customers", {"name": CUSTOMER, "emails": ["hugo.handoff@example.com"]})
    _log(f"agent {agent['id']} (service), seller {seller['id']}, manager {manager['id']} (sales); customer {customer['id']}")

    with colleagues.own_browsers(b, new_browser, "handoffs-service", "handoffs-sales", "handoffs-manager") as (a_b, s_b, m_b):
        colleagues.sign_in_all(checks, abort, "a service agent, a salesperson and a sales manager sign in, each in a browser of their own",
                               [(a_b, AGENT), (s_b, SELLER), (m_b, MANAGER)], PASSWORD)
        _run(a_b, s_b, m_b, api, checks, audit, base=base, service=service, sales=sales, agent=agent, seller=seller, manager=manager,
             customer=customer, abort=abort)


def _run(a_b, s_b, m_b, api, checks, audit, *, base, service, sales, agent, seller, manager, customer, abort) -> None:
    cid = customer["id"]
    http_agent, http_seller, http_manager = colleagues.sessions(base, PASSWORD, AGENT, SELLER, MANAGER)

    def bell(br) -> dict:
        return br.d.execute_script(BELL) or {}

    def items(br) -> list:
        return br.d.execute_script(HANDOFFS) or []

    def item(br, hid: str) -> dict | None:
        return next((x for x in items(br) if x["id"] == hid), None)

    def open_handoffs(br, tab: str) -> None:
        br.go(f"/#/handoffs?tab={tab}")
        br.d.refresh()
        br.h1("Handoffs")
        br.wait(lambda: br.css(".handoff-list:not([aria-busy])") and br.text(".handoffs-status") or None, WAIT)

    for br in (a_b, s_b, m_b):
        br.go("/#/customers")
        br.wait(lambda br=br: bell(br).get("state") == "live" or None, WAIT)
    before = {"seller": bell(s_b).get("unread") or 0, "manager": bell(m_b).get("unread") or 0}

    # --- The agent hands the customer to sales from the Customer 360.
    a_b.go(f"/#/customers/{cid}")
    a_b.d.refresh()
    a_b.h1(CUSTOMER)
    button = a_b.visible("[data-action=hand-off]")
    sizes = a_b.d.execute_script(SIZES)
    total = sizes["page"] + sizes["assets"]
    checks.check(f"the Customer 360 has 'Hand off'; its first load stays under {FIRST_LOAD_BUDGET // 1000} KB without the Handoffs page or the form",
                 button is not None and 0 < total < FIRST_LOAD_BUDGET and not sizes["view"] and not sizes["form"],
                 f"{total / 1000:.1f} KB in {sizes['files'] + 1} files, view {sizes['view']}, form {sizes['form']}")
    if button is None:
        raise abort("no 'Hand off' on the Customer 360")
    a_b.click("[data-action=hand-off]")
    kind = a_b.visible(f"{FORM} select[name=kind]")
    if kind is None:
        raise abort("'Hand off' opens no form")
    expanded = a_b.css("[data-action=hand-off]")[0].get_attribute("aria-expanded")
    a_b.click(f"{FORM} [data-action=handoff-submit]")
    empty = a_b.wait(lambda: (f := a_b.d.execute_script(FIELD, f"{FORM} textarea[name=reason]")) and f["error"] and f, 3) or {}
    checks.check("the form opens (aria-expanded, focus in Kind); an empty reason is refused beside it before sending",
                 expanded == "true" and empty.get("error") == "Fill in this field." and empty.get("invalid") == "true" and empty.get("focused"), str(empty))
    a_b.css(f"{FORM} select[name=kind] option[value=customer_needs]")[0].click()
    needs = a_b.d.execute_script(FIELD, f"{FORM} input[name=sla_minutes]") or {}
    a_b.css(f"{FORM} select[name=kind] option[value=upsell_lead]")[0].click()
    to = a_b.wait(lambda: (f := a_b.d.execute_script(FIELD, f"{FORM} select[name=to_department_id]")) and f["value"] == sales["id"] and f, WAIT) or {}
    sla = a_b.d.execute_script(FIELD, f"{FORM} input[name=sla_minutes]") or {}
    checks.check("the kind fills in the department and SLA: customer needs 16 h; upsell lead → Sales, 4 h",
                 needs.get("value") == "16" and to.get("value") == sales["id"] and sla.get("value") == "4", f"needs {needs}, to {to}, sla {sla}")
    a_b.visible(f"{FORM} textarea[name=reason]").send_keys(REASON)
    audit("handoffs: the Hand off form", a_b)
    a_b.click(f"{FORM} [data-action=handoff-submit]")
    sent = a_b.wait(lambda: "Handed off" in a_b.text(f"{FORM} .form-message") or None, WAIT)
    stored = next((x for x in api.get("/v1/handoffs", department_id=sales["id"], direction="in")["data"] if x["customer_id"] == cid), None)
    checks.check("'Hand off' creates the handoff: upsell_lead, service → sales, 240 minutes, the reason as typed, requested and unanswered",
                 bool(sent) and stored is not None and stored["kind"] == "upsell_lead" and stored["from_department_id"] == service["id"]
                 and stored["to_department_id"] == sales["id"] and stored["sla_minutes"] == 240 and stored["reason"] == REASON
                 and stored["status"] == "requested" and stored["unanswered"] is True and not stored["sla_breached"],
                 json.dumps(stored, ensure_ascii=False)[:400] if stored else a_b.text(f"{FORM} .form-message"))
    if stored is None:
        raise abort("no handoff was made")
    hid = stored["id"]

    # --- Both sales bells count it live.
    counted = {name: br.wait(lambda br=br, name=name: (bell(br).get("unread") or 0) > before[name] or None, LIVE_WAIT)
               for name, br in (("seller", s_b), ("manager", m_b))}
    newest = next(iter(http_seller.get("/v1/notifications", limit=5).json().get("data", [])), {})
    checks.check("the salesperson's and the manager's bells count it live (a notification of kind handoff naming it)",
                 all(counted.values()) and newest.get("kind") == "handoff" and newest.get("handoff_id") == hid,
                 f"{counted}, seller {bell(s_b)}, manager {bell(m_b)}, newest {newest.get('kind')} {newest.get('handoff_id')}")

    # --- The salesperson's Incoming, from the main navigation.
    s_b.click(".main-nav a[data-nav=handoffs]")
    s_b.wait(lambda: "#/handoffs" in s_b.d.current_url and s_b.h1() == "Handoffs" or None, WAIT)
    incoming = s_b.wait(lambda: item(s_b, hid), WAIT)
    pressed = [e.get_attribute("data-tab") for e in s_b.css("[data-card=handoffs] button[aria-pressed=true]")]
    customer_link = next((a for a in (incoming or {}).get("links", []) if a["action"] == "open-customer"), None)
    pwned = s_b.d.execute_script("return typeof window.__pwned")
    checks.check("'Handoffs' in the navigation opens Incoming: Upsell lead, service → sales (their names), the customer's link, Requested, Unanswered, the answer due time, Accept / Decline",
                 incoming is not None and pressed == ["in"] and incoming["kind"] == "Upsell lead" and incoming["route"] == f"{service['name']} → {sales['name']}"
                 and customer_link is not None and customer_link["href"] == f"#/customers/{cid}" and CUSTOMER in customer_link["text"]
                 and incoming["statusText"] == "Requested" and incoming["badge"] == "Unanswered" and incoming["due"].startswith("Answer due")
                 and incoming["actions"] == ["handoff-accept", "handoff-decline"] and not incoming["escalated"] and not incoming["breached"],
                 f"{pressed} {json.dumps(incoming, ensure_ascii=False)[:500]}")
    checks.check("the reason with <script> and <img onerror> markup is text (no element made; window.__pwned undefined)",
                 incoming is not None and incoming["reason"] == REASON and incoming["markup"] == 0 and pwned == "undefined",
                 f"{(incoming or {}).get('reason')!r} markup {(incoming or {}).get('markup')} __pwned {pwned}")
    audit("handoffs: Incoming (sales)", s_b)
    open_handoffs(a_b, "out")
    outgoing = a_b.wait(lambda: item(a_b, hid), WAIT)
    checks.check("the agent's Outgoing tab lists it unanswered, with Cancel (and no Accept)",
                 outgoing is not None and outgoing["unanswered"] and outgoing["badge"] == "Unanswered" and outgoing["actions"] == ["handoff-cancel"],
                 json.dumps(outgoing, ensure_ascii=False)[:300])
    audit("handoffs: Outgoing (service)", a_b)

    # --- The SLA lapses: the clock moves on, the deadline watcher escalates it.
    manager_before = bell(m_b).get("unread") or 0
    escalated, moved, took = colleagues.lapse(api, hid)
    checks.check("after the clock moves 4 h 1 min on, the deadline watcher escalates it (escalated_at, sla_breached, still requested)",
                 escalated is not None and escalated["sla_breached"] is True and escalated["status"] == "requested",
                 f"clock {moved.get('now')}, after {took:.1f}s" if escalated else f"not within {ESCALATION_WAIT:.0f}s")
    if escalated is None:
        raise abort("the handoff was not escalated")
    m_count = m_b.wait(lambda: (bell(m_b).get("unread") or 0) > manager_before or None, LIVE_WAIT)
    m_notes = http_manager.get("/v1/notifications", limit=10).json().get("data", [])
    m_esc = next((n for n in m_notes if n.get("kind") == "handoff_escalated"), None)
    a_esc = next((n for n in http_agent.get("/v1/notifications", limit=10).json().get("data", []) if n.get("kind") == "handoff_escalated"), None)
    checks.check("the manager is notified (handoff_escalated naming it, the bell counts it live); the requester too",
                 bool(m_count) and m_esc is not None and m_esc.get("handoff_id") == hid and a_esc is not None and a_esc.get("handoff_id") == hid,
                 f"bell {bell(m_b)}, manager {m_esc}, agent {a_esc and a_esc.get('kind')}")
    live_sales = s_b.wait(lambda: (x := item(s_b, hid)) and x["escalated"] and x, LIVE_WAIT)
    live_service = a_b.wait(lambda: (x := item(a_b, hid)) and x["escalated"] and x, LIVE_WAIT)
    checks.check("both pages, left open, show it 'Escalated' live, still unanswered",
                 bool(live_sales) and bool(live_service) and live_sales["escalated"] == "Escalated" and live_sales["unanswered"]
                 and live_service["unanswered"], f"sales {live_sales}, service {live_service}")
    audit("handoffs: escalated (sales)", s_b)

    # --- The manager's inbox links to it.
    m_b.go("/#/notifications")
    entry = m_b.wait(lambda: next((n for n in (m_b.d.execute_script(NOTIFICATIONS) or []) if n["kind"] == "handoff_escalated"), None), WAIT)
    links = dict(map(tuple, (entry or {}).get("links", [])))
    checks.check("the manager's notifications list it ('A handoff was not answered in time'), linking to #/handoffs?handoff=…",
                 entry is not None and entry["what"] == "A handoff was not answered in time" and links.get("open-handoff") == f"#/handoffs?handoff={hid}",
                 json.dumps(entry, ensure_ascii=False)[:300])
    audit("handoffs: the manager's notifications", m_b)
    if entry is not None and "open-handoff" in links:
        m_b.click(".notification-list > li[data-kind=handoff_escalated] a[data-action=open-handoff]")
        landed = m_b.wait(lambda: "#/handoffs?handoff=" in m_b.d.current_url and (x := item(m_b, hid)) and x["target"] and x["focused"] and x, WAIT)
        checks.check("opening it shows the handoff under Incoming, in view and focused, marked Escalated",
                     bool(landed) and landed["escalated"] == "Escalated", str(landed))

    # --- The salesperson accepts it; the agent sees it accepted and is told.
    agent_before = {n["id"] for n in http_agent.get("/v1/notifications", limit=20).json().get("data", [])}
    s_b.click(f".handoff-list > li[data-handoff-id='{hid}'] [data-action=handoff-accept]")
    accepted = s_b.wait(lambda: (x := item(s_b, hid)) and x["status"] == "accepted" and x, WAIT)
    server_now = http_seller.get(f"/v1/handoffs/{hid}").json()
    checks.check("'Accept' (If-Match) accepts it: Accepted, no longer unanswered, Done offered; the server has accepted_by the salesperson",
                 bool(accepted) and not accepted["unanswered"] and not accepted["badge"] and accepted["statusText"] == "Accepted"
                 and accepted["actions"] == ["handoff-complete"] and server_now.get("status") == "accepted"
                 and server_now.get("accepted_by") == seller["id"] and server_now.get("unanswered") is False,
                 f"{accepted} / {server_now.get('status')} {server_now.get('accepted_by')}")
    seen = a_b.wait(lambda: (x := item(a_b, hid)) and x["status"] == "accepted" and x, LIVE_WAIT)
    told = None
    t0 = time.monotonic()
    while time.monotonic() - t0 < LIVE_WAIT and told is None:
        told = next((n for n in http_agent.get("/v1/notifications", limit=20).json().get("data", [])
                     if n["id"] not in agent_before and n.get("kind") == "handoff" and n.get("handoff_id") == hid), None)
        if told is None:
            time.sleep(0.5)
    checks.check("the agent's Outgoing page shows it Accepted live (no longer unanswered) and the agent is notified (kind handoff)",
                 bool(seen) and not seen["unanswered"] and seen["statusText"] == "Accepted" and told is not None,
                 f"{seen} / {told and told.get('kind')}")
    audit("handoffs: accepted (service)", a_b)

    # --- Done with an outcome.
    s_b.click(f".handoff-list > li[data-handoff-id='{hid}'] [data-action=handoff-complete]")
    area = s_b.visible(f".handoff-list > li[data-handoff-id='{hid}'] textarea[name=outcome]")
    if area is not None:
        area.send_keys(OUTCOME)
        audit("handoffs: Done asks the outcome", s_b)
        s_b.click(f".handoff-list > li[data-handoff-id='{hid}'] [data-action=handoff-complete-confirm]")
    done = s_b.wait(lambda: (x := item(s_b, hid)) and x["status"] == "done" and x, WAIT)
    checks.check("'Done' with an outcome finishes it: Done, the outcome shown, no buttons left",
                 area is not None and bool(done) and done["outcome"] == f"Outcome: {OUTCOME}" and done["actions"] == [], str(done))

    # --- A second handoff (through the API) arrives live; "Decline" asks a reason.
    second = api.post("/v1/handoffs", {"kind": "feedback", "from_department_id": service["id"], "customer_id": cid, "reason": "Complains about invoices"})
    arrived = s_b.wait(lambda: (x := item(s_b, second["id"])) and x, LIVE_WAIT)
    checks.check("a new handoff to sales shows on the salesperson's open page live (Feedback, unanswered)",
                 bool(arrived) and arrived["kind"] == "Feedback" and arrived["unanswered"], str(arrived))
    row = f".handoff-list > li[data-handoff-id='{second['id']}']"
    if arrived:
        s_b.click(f"{row} [data-action=handoff-decline]")
        s_b.visible(f"{row} textarea[name=reason]")
        s_b.click(f"{row} [data-action=handoff-decline-confirm]")
        refused = s_b.wait(lambda: (f := s_b.d.execute_script(FIELD, f"{row} textarea[name=reason]")) and f["error"] and f, 3) or {}
        s_b.visible(f"{row} textarea[name=reason]").send_keys(DECLINE)
        audit("handoffs: Decline asks a reason", s_b)
        s_b.click(f"{row} [data-action=handoff-decline-confirm]")
        declined = s_b.wait(lambda: (x := item(s_b, second["id"])) and x["status"] == "declined" and x, WAIT)
        server_second = http_seller.get(f"/v1/handoffs/{second['id']}").json()
        checks.check("'Decline' refuses an empty reason beside it, then declines with the reason (shown; the server has it)",
                     refused.get("error") == "Fill in this field." and refused.get("focused") and bool(declined) and declined["statusText"] == "Declined"
                     and server_second.get("decline_reason") == DECLINE and server_second.get("status") == "declined",
                     f"{refused} {declined} {server_second.get('status')} {server_second.get('decline_reason')!r}")

    # --- A phone's width.
    with colleagues.phone_width(s_b):
        colleagues.fits(s_b, checks, "the Handoffs page")
        audit("handoffs: Incoming at 375 px", s_b)
