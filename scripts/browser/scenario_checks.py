"""The department scenarios of issue 17 as people do them in the console browser test (console_test.py
calls `scenario_checks`; `--only scenarios` runs them alone; in the whole suite on a server of their
own: the templates bring `deal` and the other types the records checks define by hand).

Through the API (the admin key) the test installs the templates marketing, service, ecommerce (with
finance and sales), banking and travel (POST /v1/templates/{name}/install), and makes a service agent
and a salesperson (the branch clerk) with passwords, each signed in in a browser of their own. What
the systems around Rapport do (a campaign's sending system, the web shop, the app, online banking)
is done through the API; what a person does and sees, in the browser:

1. A campaign's results land on each customer's timeline: three customers, a segment of the two
   interested in solar, a campaign to it (running) and a `campaign_result` per outcome for each
   member (one with a detail in `<img onerror>` markup). On each member's Customer 360 the timeline
   shows the results as "Campaign result" lines with their outcomes as text ("Outcome: Opened");
   the markup detail is text; the customer outside the segment has none. A result's link opens its
   page, whose campaign is a link to the campaign.
   Consent on the Customer 360: a customer who said yes to marketing email on the web form; the
   "Consent" card shows it per channel and purpose (email marketing yes and sent, SMS marketing not
   asked and held back, service sent); she calls to say no: the agent records it with "Record
   consent" (where it was given typed with markup, kept as text); the card then shows email
   marketing withdrawn and held back, as the server decides for every sender.
2. A CSAT score of 1 opens a handoff to sales: the salesperson has #/handoffs open; the service agent
   records a CSAT of 5 and then one of 1 for a customer with the generated form of `satisfaction`
   (the customer found with the form's customer search): only the 1 opens a handoff (feedback,
   Customer Service → Sales); it arrives on the salesperson's Incoming tab live, about that customer
   (a link named after them) with the automation's reason, to accept or decline.
3. A cart started on the web is the same cart in the app: a shopper identified by email browses the
   web shop and starts a cart there; the same email opens the app (another channel). Searching the
   email in the console finds one customer; their Customer 360 shows the web and the app visits and
   the one cart (open, started on the web, its total); the cart's page, open while the app says it
   was used there last, shows that live with "Started on: Web" kept.
4. A loan application started online continues at a branch: applied online (channel web), the
   customer then comes to the branch; the clerk moves the application on the Board from Applied to
   Documents with "Move to…"; its page shows the stage history (Applied by the API key, Documents by
   the clerk, still there) and "Applied through: Web".
5. A booking changed by phone updates the itinerary: an itinerary with a flight, a hotel and a tour
   (its rollups: starts, ends, total, bookings); the customer calls; the agent opens the itinerary,
   follows its flight from the related bookings, edits it (price, times, channel, change note) with
   the record form; the itinerary's page shows the new start and total, and the salesperson's page of
   it, open meanwhile, follows live.

axe-core on the pages; one Customer 360 at 375 px. Everything waits for what it checks (`b.wait`),
never a fixed time.
"""

from __future__ import annotations

import json
import time
from datetime import datetime

from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select

import colleagues
from colleagues import LIVE_WAIT, SET_VALUE, WAIT

PASSWORD = "scenarios across departments 1234"
AGENT = {"email": "sana.scenario@example.com", "name": "Sana Service"}
SELLER = {"email": "selim.scenario@example.com", "name": "Selim Sales"}
TEMPLATES = {"marketing": {"campaign", "campaign_result", "consent"}, "service": {"case", "satisfaction"},
             "ecommerce": {"cart", "cart_item", "shipment", "return", "order", "deal"},
             "banking": {"account", "product_holding", "loan_application"}, "travel": {"booking", "itinerary"}}
MARKUP_DETAIL = '<img src=x onerror="window.__pwned=1"> Mailbox full'
CSAT_CUSTOMER = "Quinn Quality 昆"
SHOPPER = {"name": "Carla Cart 卡拉", "email": "carla.cart@example.com"}
BORROWER = {"name": "Mei Loan 美", "email": "mei.loan@example.com"}
TRAVELLER = {"name": "Lena Trip 莉娜", "email": "lena.trip@example.com"}
TRIP = "Lisbon in May 里斯本"
NEW = "[data-form=new-record]"
EDIT = "[data-form=edit-record]"

# The Customer 360's timeline: its status, its record lines and its interactions.
TIMELINE = """
const card = document.querySelector('[data-card=activity]');
if (!card) return null;
return { busy: card.querySelector('ol.timeline')?.getAttribute('aria-busy') === 'true', status: card.querySelector('p.sentinel')?.textContent ?? '',
  records: [...card.querySelectorAll('.record-entry')].map((li) => ({ id: li.dataset.recordId, type: li.dataset.recordType, stage: li.dataset.stage,
    label: li.querySelector('[data-field=type]')?.textContent ?? '', stageText: li.querySelector('[data-field=stage]')?.textContent ?? '',
    choice: li.querySelector('[data-field=choice]')?.textContent ?? '', choiceKey: li.querySelector('[data-field=choice]')?.dataset.key ?? null,
    title: li.querySelector('[data-field=title]')?.textContent ?? '', href: li.querySelector('[data-field=title]')?.getAttribute('href') ?? null,
    money: li.querySelector('[data-field=money]')?.textContent ?? '', markup: li.querySelectorAll('img, script').length })),
  interactions: [...card.querySelectorAll('.timeline-item[data-id]')].map((li) => ({ id: li.dataset.id,
    head: li.querySelector('.item-head')?.textContent ?? '', body: li.querySelector('.item-body')?.textContent ?? '' })) };
"""
# A record's page: its heading, fields by key (text and links), the time elements' instants, the notice.
DETAIL = """
const dl = document.querySelector('[data-list=record-fields]');
if (!dl) return null;
return { h1: document.querySelector('main h1')?.textContent ?? '', version: document.querySelector('main .view')?.dataset.version ?? '',
  fields: Object.fromEntries([...dl.querySelectorAll('dd')].map((dd) => [dd.dataset.field, dd.textContent])),
  times: Object.fromEntries([...dl.querySelectorAll('dd')].filter((dd) => dd.querySelector('time')).map((dd) => [dd.dataset.field, dd.querySelector('time').getAttribute('datetime')])),
  links: Object.fromEntries([...dl.querySelectorAll('dd')].filter((dd) => dd.querySelector('a')).map((dd) => [dd.dataset.field, dd.querySelector('a').getAttribute('href')])),
  notice: document.querySelector('[data-field=record-notice]')?.textContent ?? '',
  related: [...document.querySelectorAll('[data-card=related] tbody tr')].map((tr) => ({ type: tr.closest('[data-card=related]').dataset.type, id: tr.dataset.id,
    cells: Object.fromEntries([...tr.querySelectorAll('[data-field]')].map((c) => [c.dataset.field, c.textContent])) })) };
"""
HANDOFFS = """
return [...document.querySelectorAll('.handoff-list > li')].map((li) => ({ id: li.dataset.handoffId, status: li.dataset.status,
  kind: li.querySelector('[data-field=kind]')?.textContent ?? '', route: li.querySelector('[data-field=route]')?.textContent ?? '',
  reason: li.querySelector('[data-field=reason]')?.textContent ?? '', unanswered: li.querySelector('[data-field=unanswered]')?.textContent ?? '',
  customer: [...li.querySelectorAll('a[data-action=open-customer]')].map((a) => [a.getAttribute('href'), a.textContent])[0] ?? null,
  actions: [...li.querySelectorAll('button')].map((b) => b.dataset.action) }));
"""
BOARD = """
return [...document.querySelectorAll('.board .board-column')].map((col) => ({ stage: col.dataset.stage,
  cards: [...col.querySelectorAll('.board-card')].map((c) => ({ id: c.dataset.id, title: c.querySelector('[data-field=title]')?.textContent ?? '',
    money: c.querySelector('[data-field=money]')?.textContent ?? '' })) }));
"""
STAGE_CARD = """
const card = document.querySelector('[data-card=record-stage]');
if (!card) return null;
return { stage: card.dataset.stage, label: card.querySelector('[data-field=stage-label]')?.textContent ?? '',
  history: [...card.querySelectorAll('table.stage-history tbody tr')].map((tr) => ({ stage: tr.dataset.stage, open: tr.dataset.open === 'true',
    cells: Object.fromEntries([...tr.querySelectorAll('[data-field]')].map((c) => [c.dataset.field, c.textContent])) })) };
"""
# An instant as a datetime-local input takes it, in the browser's time zone (as a person reads the clock).
LOCAL = """
const d = new Date(arguments[0]);
const pad = (n) => String(n).padStart(2, '0');
return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
"""


def _log(msg: str) -> None:
    print(f"[scenarios {time.strftime('%H:%M:%S')}] {msg}", flush=True)


def _instant(text) -> datetime | None:
    try:
        return datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    except ValueError:
        return None


def scenario_checks(b, server, api, checks, audit, *, new_browser, abort) -> None:
    """`b`: the test's Browser (the agent and the salesperson get browsers of their own from
    `new_browser()`, whose consoles are added to `b`'s at the end); `api`: the admin-key client;
    `audit(page, browser)` runs axe-core in that browser; `abort`: the exception that stops the test."""
    base = server.base
    answers = {name: api.post(f"/v1/templates/{name}/install", {}) for name in TEMPLATES}
    have = {t["key"] for t in api.get("/v1/record-types")["data"]}
    missing = {name: sorted(keys - have) for name, keys in TEMPLATES.items() if not keys <= have}
    checks.check("scenarios: the templates marketing, service, ecommerce (with finance and sales), banking and travel install through the API",
                 not missing and all(a.get("template") == name for name, a in answers.items()),
                 f"missing {missing}" if missing else json.dumps({n: a.get("installed") for n, a in answers.items()})[:300])
    if missing:
        raise abort("the templates the scenarios need are not installed")
    service = colleagues.department(api, "service")
    sales = colleagues.department(api, "sales")
    colleagues.user(api, base, AGENT, service, PASSWORD)
    colleagues.user(api, base, SELLER, sales, PASSWORD)
    with colleagues.own_browsers(b, new_browser, "scenarios-service", "scenarios-sales") as (ag, sb):
        colleagues.sign_in_all(checks, abort, "scenarios: a service agent and a salesperson sign in, each in a browser of their own",
                               [(ag, AGENT), (sb, SELLER)], PASSWORD)
        ctx = {"api": api, "checks": checks, "audit": audit, "abort": abort, "base": base, "service": service, "sales": sales}
        _campaign(ag, ctx)
        _consent(ag, ctx)
        _csat(ag, sb, ctx)
        _cart(ag, ctx)
        _loan(sb, ctx)
        _itinerary(ag, sb, ctx)


# --------------------------------------------------------------------------- #

def _timeline(br) -> dict:
    return br.d.execute_script(TIMELINE) or {}


def _settled_timeline(br, done) -> dict:
    """Waits for the open Customer 360's timeline to satisfy `done(timeline)`, or to have finished
    loading (its end or "nothing yet" said), and gives what it shows."""
    def ready():
        shown = _timeline(br)
        if not shown:
            return None
        if done(shown):
            return shown
        finished = not shown["busy"] and shown["status"] and not shown["status"].startswith("Loading")
        return shown if finished else None
    return br.wait(ready, WAIT) or _timeline(br)


def _open_customer(br, cid: str, name: str) -> None:
    br.go(f"/#/customers/{cid}")
    br.h1(name)


def _detail(br) -> dict:
    return br.d.execute_script(DETAIL) or {}


def _campaign(ag, ctx) -> None:
    api, checks, audit, abort = ctx["api"], ctx["checks"], ctx["audit"], ctx["abort"]
    ag.step = "scenario-campaign"
    people = {}
    for name, interest in (("Ana Campaign 安娜", "solar"), ("Bo Campaign", "solar"), ("Cy Campaign", "wind")):
        people[name] = api.post("/v1/customers", {"name": name, "attributes": {"interest": interest, "cohort": "scenario-17"}})
    ana, bo, cy = (people[n] for n in ("Ana Campaign 安娜", "Bo Campaign", "Cy Campaign"))
    segment = api.post("/v1/segments", {"name": "Solar (issue 17)", "filter": 'attributes.cohort == "scenario-17" && attributes.interest == "solar"'})
    campaign = api.post("/v1/records/campaign", {"fields": {"name": "Spring solar offer", "segment": segment["id"], "starts_on": "2027-03-01"}})
    running = api.s.patch(f"{api.base}/v1/records/campaign/{campaign['id']}", data=json.dumps({"stage": "running"}), timeout=30)
    audience = sorted(m["customer_id"] for m in api.get(f"/v1/segments/{segment['id']}/members")["data"])
    checks.check("scenario 1: the campaign runs to its segment, whose members are the two customers interested in solar",
                 running.status_code == 200 and audience == sorted([ana["id"], bo["id"]]), f"{running.status_code} {audience}")
    results = {ana["id"]: [("sent", None), ("opened", None)], bo["id"]: [("sent", None), ("bounced", MARKUP_DETAIL)]}
    for customer_id, outcomes in results.items():
        for outcome, detail in outcomes:
            fields = {"campaign": campaign["id"], "outcome": outcome, "occurred_at": "2027-03-01T09:00:00Z"}
            if detail:
                fields["detail"] = detail
            api.post("/v1/records/campaign_result", {"customer_id": customer_id, "fields": fields})

    def results_of(customer_id: str, name: str, count: int) -> list:
        _open_customer(ag, customer_id, name)
        shown = _settled_timeline(ag, lambda t: len([r for r in t["records"] if r["type"] == "campaign_result"]) >= count)
        return [r for r in shown.get("records", []) if r["type"] == "campaign_result"]

    ana_lines = results_of(ana["id"], "Ana Campaign 安娜", 2)
    checks.check("scenario 1: Ana's Customer 360 timeline shows her two campaign results, each as 'Campaign result' with its outcome as text",
                 sorted(r["choice"] for r in ana_lines) == ["Outcome: Opened", "Outcome: Sent"]
                 and all(r["label"] == "Campaign result" and r["choiceKey"] == "outcome" for r in ana_lines),
                 json.dumps(ana_lines, ensure_ascii=False)[:500])
    audit("scenarios: a Customer 360 with campaign results", ag)
    bo_lines = results_of(bo["id"], "Bo Campaign", 2)
    bounced = next((r for r in bo_lines if r["choice"] == "Outcome: Bounced"), {})
    checks.check("scenario 1: Bo's timeline shows his results (Sent, Bounced); the bounce's detail with <img onerror> markup is its title, as text",
                 sorted(r["choice"] for r in bo_lines) == ["Outcome: Bounced", "Outcome: Sent"] and bounced.get("title") == MARKUP_DETAIL
                 and bounced.get("markup") == 0 and ag.d.execute_script("return window.__pwned === undefined"),
                 json.dumps(bo_lines, ensure_ascii=False)[:500])
    _open_customer(ag, cy["id"], "Cy Campaign")
    cy_shown = _settled_timeline(ag, lambda t: False)
    checks.check("scenario 1: the customer outside the segment has no campaign result on the timeline",
                 cy_shown.get("status") == "No interactions or notes yet." and not cy_shown.get("records"), json.dumps(cy_shown, ensure_ascii=False)[:300])
    # A result's page: its outcome, and the campaign as a link.
    _open_customer(ag, ana["id"], "Ana Campaign 安娜")
    _settled_timeline(ag, lambda t: len(t["records"]) >= 2)
    opened = next((r for r in _timeline(ag).get("records", []) if r["choice"] == "Outcome: Opened"), None)
    if opened is None:
        raise abort("no opened result on Ana's timeline")
    ag.click(f".record-entry[data-record-id='{opened['id']}'] a[data-action=open-record]")
    page = ag.wait(lambda: (d := _detail(ag)) and d["fields"].get("outcome") == "Opened" and d, WAIT) or _detail(ag)
    checks.check("scenario 1: the result's link opens its page: the outcome Opened, the campaign as a link to the campaign, the customer",
                 page.get("fields", {}).get("outcome") == "Opened" and page.get("links", {}).get("campaign") == f"#/records/campaign/{campaign['id']}"
                 and page.get("links", {}).get("customer_id") == f"#/customers/{ana['id']}", json.dumps(page, ensure_ascii=False)[:400])


CONSENT = """
const card = document.querySelector('[data-card=consent]');
if (!card) return null;
return Object.fromEntries([...card.querySelectorAll('tbody td[data-purpose]')].map((td) => [
  `${td.closest('tr').dataset.channel}/${td.dataset.purpose}`,
  { status: td.dataset.status, sends: td.dataset.sends === 'true', text: td.textContent, title: td.title }]));
"""
CONSENT_SOURCE = 'by phone <img src=x onerror="window.__pwned=1">'


def _consent(ag, ctx) -> None:
    api, checks, audit = ctx["api"], ctx["checks"], ctx["audit"]
    ag.step = "scenario-consent"
    cora = api.post("/v1/customers", {"name": "Cora Consent 珂", "emails": ["cora.consent@example.com"]})
    api.post("/v1/records/consent", {"customer_id": cora["id"], "fields": {
        "channel": "email", "purpose": "marketing", "status": "granted", "given_at": "2026-01-10T09:00:00Z", "source": "web sign-up form"}})
    _open_customer(ag, cora["id"], "Cora Consent 珂")
    shown = ag.wait(lambda: ag.d.execute_script(CONSENT), WAIT) or {}
    email_marketing = shown.get("email/marketing", {})
    checks.check("consent: the Customer 360's Consent card shows email marketing granted and sent, SMS marketing not asked and held back "
                 "(the reason as its title), service email sent",
                 len(shown) == 15 and email_marketing.get("status") == "granted" and email_marketing.get("sends") is True
                 and "Yes" in email_marketing.get("text", "") and shown.get("sms/marketing", {}).get("status") == "not_given"
                 and shown.get("sms/marketing", {}).get("sends") is False
                 and shown.get("sms/marketing", {}).get("title") == "the customer has not consented to marketing by sms"
                 and shown.get("email/service", {}).get("sends") is True,
                 json.dumps(shown, ensure_ascii=False)[:500])
    audit("scenarios: a Customer 360 with its consent card", ag)
    # She calls to say no to offers by email: the agent records it.
    ag.click("[data-card=consent] button[data-action=record-consent]")
    form = "[data-card=consent] form[data-form=consent]"
    Select(ag.visible(f"{form} select[name=channel]")).select_by_value("email")
    Select(ag.visible(f"{form} select[name=purpose]")).select_by_value("marketing")
    Select(ag.visible(f"{form} select[name=status]")).select_by_value("withdrawn")
    ag.d.execute_script(SET_VALUE, f"{form} input[name=source]", CONSENT_SOURCE)
    ag.click(f"{form} button[data-action=consent-submit]")
    after = ag.wait(lambda: (c := ag.d.execute_script(CONSENT)) and c.get("email/marketing", {}).get("status") == "withdrawn" and c, WAIT) or {}
    standing = {f"{s['channel']}/{s['purpose']}": s for s in api.get(f"/v1/customers/{cora['id']}/consent")["data"]}
    record = api.get(f"/v1/records/consent/{standing['email/marketing']['record_id']}") if standing["email/marketing"]["record_id"] else {}
    checks.check("consent: recorded in the console, the card shows email marketing withdrawn and held back, as the server decides; "
                 "the other answers unchanged; where it was given kept as text",
                 after.get("email/marketing", {}).get("sends") is False and "No" in after.get("email/marketing", {}).get("text", "")
                 and standing["email/marketing"]["status"] == "withdrawn" and standing["email/marketing"]["sends"] is False
                 and after.get("email/service", {}).get("sends") is True and after.get("sms/marketing", {}).get("status") == "not_given"
                 and record.get("fields", {}).get("source") == CONSENT_SOURCE
                 and ag.d.execute_script("return document.querySelectorAll('[data-card=consent] img').length === 0 && window.__pwned === undefined"),
                 json.dumps({"card": after.get("email/marketing"), "api": standing.get("email/marketing")}, ensure_ascii=False)[:500])


def _csat(ag, sb, ctx) -> None:
    api, checks, audit, abort = ctx["api"], ctx["checks"], ctx["audit"], ctx["abort"]
    ag.step = "scenario-csat"
    sb.step = "scenario-csat"
    customer = api.post("/v1/customers", {"name": CSAT_CUSTOMER, "emails": ["quinn.quality@example.com"]})
    cid = customer["id"]

    def handoffs(br) -> list:
        return br.d.execute_script(HANDOFFS) or []

    # The salesperson has the incoming handoffs open.
    sb.go("/#/handoffs?tab=in")
    sb.h1("Handoffs")
    sb.wait(lambda: sb.css(".handoff-list:not([aria-busy])") and sb.text(".handoffs-status") or None, WAIT)
    before = {h["id"] for h in handoffs(sb)}

    # The agent records two answers with the form: 5, then 1.
    ag.go("/#/records/satisfaction")
    ag.h1("Satisfaction responses")
    ag.click("[data-action=new-record]")
    if ag.visible(f"{NEW} select[name='fields.kind']") is None:
        raise abort("no form for a satisfaction response")
    audit("scenarios: the satisfaction response form", ag)

    def record(score: str) -> bool:
        Select(ag.visible(f"{NEW} select[name='fields.kind']")).select_by_value("csat")
        score_input = ag.visible(f"{NEW} input[name='fields.score']")
        score_input.clear()
        score_input.send_keys(score)
        ag.click(f"{NEW} [data-field-key=customer_id] [data-action=find-customer]")
        search = ag.visible(f"{NEW} [data-field-key=customer_id] [role=combobox] input")
        if search is None:
            raise abort("no customer search in the satisfaction form")
        search.send_keys(CSAT_CUSTOMER)
        ag.wait(lambda: any(CSAT_CUSTOMER in o.text for o in ag.css(f"{NEW} [data-field-key=customer_id] [role=option]")) or None, WAIT)
        search.send_keys(Keys.ARROW_DOWN)
        search.send_keys(Keys.ENTER)
        ag.wait(lambda: ag.d.execute_script(f"return document.querySelector(\"{NEW} input[name=customer_id]\")?.value") == cid or None, WAIT)
        listed = len(ag.css("table.record-table tbody tr"))
        ag.click(f"{NEW} [data-action=record-create]")
        # Created: the page says so and lists one more response.
        return bool(ag.wait(lambda: "was created" in ag.text("[data-field=record-notice]")
                            and len(ag.css("table.record-table tbody tr")) == listed + 1 or None, WAIT))

    good = record("5")
    low = record("1")
    answers = api.get("/v1/records/satisfaction", customer_id=cid)["data"]
    checks.check("scenario 2: the service agent records a CSAT of 5, then one of 1, with the satisfaction form (the customer found with its search)",
                 good and low and sorted(r["fields"].get("score") for r in answers) == [1, 5]
                 and all(r["fields"].get("kind") == "csat" for r in answers), json.dumps([r.get("fields") for r in answers]))
    opened = api.get("/v1/handoffs", customer_id=cid)["data"]
    checks.check("scenario 2: only the score of 1 opened a handoff: feedback, from service to sales",
                 len(opened) == 1 and opened[0]["kind"] == "feedback" and opened[0]["from_department_id"] == ctx["service"]["id"]
                 and opened[0]["to_department_id"] == ctx["sales"]["id"], json.dumps(opened)[:400])
    hid = opened[0]["id"] if opened else None
    arrived = sb.wait(lambda: next((h for h in handoffs(sb) if h["id"] == hid and h["customer"] and CSAT_CUSTOMER in h["customer"][1]), None), LIVE_WAIT) or {}
    new = [h for h in handoffs(sb) if h["id"] not in before]
    checks.check("scenario 2: the handoff arrives live on the salesperson's Incoming tab: Feedback, Customer Service → Sales, the customer as a link, "
                 "the automation's reason, unanswered, Accept and Decline",
                 len(new) == 1 and arrived.get("kind") == "Feedback" and arrived.get("route") == f"{ctx['service']['name']} → {ctx['sales']['name']}"
                 and arrived.get("customer", [None])[0] == f"#/customers/{cid}" and "low satisfaction score" in arrived.get("reason", "")
                 and arrived.get("unanswered") == "Unanswered" and {"handoff-accept", "handoff-decline"} <= set(arrived.get("actions", [])),
                 json.dumps(new, ensure_ascii=False)[:500])
    audit("scenarios: a CSAT's handoff on the salesperson's Handoffs page", sb)
    if hid:
        sb.click(f".handoff-list > li[data-handoff-id='{hid}'] a[data-action=open-customer]")
        sb.h1(CSAT_CUSTOMER)
        shown = _settled_timeline(sb, lambda t: len([r for r in t["records"] if r["type"] == "satisfaction"]) >= 2)
        lines = [r for r in shown.get("records", []) if r["type"] == "satisfaction"]
        checks.check("scenario 2: its customer link opens the Customer 360, whose timeline has both satisfaction responses",
                     len(lines) == 2 and all(r["label"] == "Satisfaction response" and r["choice"] == "Survey: CSAT (1 to 5)" for r in lines),
                     json.dumps(lines, ensure_ascii=False)[:300])


def _cart(ag, ctx) -> None:
    api, checks, audit, abort = ctx["api"], ctx["checks"], ctx["audit"], ctx["abort"]
    ag.step = "scenario-cart"
    web = api.post("/v1/channels", {"kind": "web", "name": "Web shop"})
    app = api.post("/v1/channels", {"kind": "mobile_app", "name": "Shop app"})
    browsing = api.post("/v1/interactions", {"channel_id": web["id"], "identity": f"email:{SHOPPER['email']}", "customer_name": SHOPPER["name"],
                                             "kind": "page_view", "body": "Looked at trail running shoes"})
    cid = browsing["customer_id"]
    cart = api.post("/v1/records/cart", {"customer_id": cid, "fields": {"started_on": "web", "total": {"amount": "59.90", "currency": "EUR"}}})
    in_app = api.post("/v1/interactions", {"channel_id": app["id"], "identity": f"email:{SHOPPER['email'].upper()}", "kind": "page_view",
                                           "body": "Opened the cart in the app"})
    checks.check("scenario 3: the app's visit with the same email (in capitals) is the web shopper's, as the server resolves it",
                 in_app.get("customer_id") == cid, f"{in_app.get('customer_id')} vs {cid}")

    # The person searches the email and finds one customer.
    ag.go("/#/customers")
    search = ag.visible("[role=combobox] input")
    if search is None:
        raise abort("no customer search")
    search.send_keys(SHOPPER["email"])
    options = ag.wait(lambda: (o := [e.text for e in ag.css("[role=listbox] [role=option]")]) and o, WAIT) or []
    checks.check("scenario 3: searching the shopper's email in the console finds one customer", len(options) == 1 and SHOPPER["name"] in options[0],
                 str(options))
    search.send_keys(Keys.ARROW_DOWN)
    search.send_keys(Keys.ENTER)
    ag.h1(SHOPPER["name"])
    shown = _settled_timeline(ag, lambda t: len(t["interactions"]) >= 2 and t["records"])
    heads = [i["head"] for i in shown.get("interactions", [])]
    carts = [r for r in shown.get("records", []) if r["type"] == "cart"]
    checks.check("scenario 3: the Customer 360 shows both visits on the timeline: the web shop's and the app's",
                 f"#/customers/{cid}" in ag.d.current_url and len(heads) == 2 and any("Web shop · Web" in h for h in heads)
                 and any("Shop app · Mobile app" in h for h in heads), str(heads))
    cart_line = carts[0] if carts else {}
    checks.check("scenario 3: ... and the one cart among its records: open, started on the web, its total",
                 len(carts) == 1 and cart_line.get("id") == cart["id"] and cart_line.get("stageText") == "Stage: Open"
                 and cart_line.get("choice") == "Started on: Web" and cart_line.get("money") == " · 59.90 EUR", json.dumps(carts, ensure_ascii=False))
    audit("scenarios: the Customer 360 of a customer across web and app, with a cart", ag)
    with colleagues.phone_width(ag):
        colleagues.fits(ag, checks, "the Customer 360 with the web and app visits and the cart")
    # The cart's page; the app says it was used there last: the page follows.
    ag.click(f".record-entry[data-record-id='{cart['id']}'] a[data-action=open-record]")
    ag.wait(lambda: _detail(ag).get("fields", {}).get("started_on") == "Web" or None, WAIT)
    ag.wait(lambda: ag.css(".live-status[data-state=live]") or None, WAIT)
    continued = api.s.patch(f"{api.base}/v1/records/cart/{cart['id']}", data=json.dumps({"fields": {"last_channel": "app"}}), timeout=30)
    _log(f"the app's PATCH of the cart: {continued.status_code}")
    page = ag.wait(lambda: (d := _detail(ag)) and d["fields"].get("last_channel") == "Mobile app" and d, LIVE_WAIT) or _detail(ag)
    checks.check("scenario 3: the cart's page shows live that it was last used in the app, still started on the web, for the same customer",
                 page.get("fields", {}).get("last_channel") == "Mobile app" and page["fields"].get("started_on") == "Web"
                 and page.get("links", {}).get("customer_id") == f"#/customers/{cid}" and page["fields"].get("total") == "59.90 EUR",
                 json.dumps(page, ensure_ascii=False)[:400])


def _loan(sb, ctx) -> None:
    api, checks, audit, abort = ctx["api"], ctx["checks"], ctx["audit"], ctx["abort"]
    sb.step = "scenario-loan"
    online = api.post("/v1/channels", {"kind": "web", "name": "Online banking"})
    branch = api.post("/v1/channels", {"kind": "store", "name": "Branch Mitte"})
    visit = api.post("/v1/interactions", {"channel_id": online["id"], "identity": f"email:{BORROWER['email']}", "customer_name": BORROWER["name"],
                                          "kind": "form_submission", "body": "Loan application"})
    cid = visit["customer_id"]
    loan = api.post("/v1/records/loan_application", {"customer_id": cid, "fields": {
        "amount": {"amount": "25000", "currency": "EUR"}, "purpose": "car", "term_months": 60, "channel": "web"}})
    at_branch = api.post("/v1/interactions", {"channel_id": branch["id"], "identity": f"email:{BORROWER['email']}", "kind": "visit",
                                              "body": "Brought payslips"})
    checks.check("scenario 4: the application starts online in Applied; the visit at the branch is the same customer's",
                 loan.get("stage") == "applied" and at_branch.get("customer_id") == cid, f"{loan.get('stage')} {at_branch.get('customer_id')} vs {cid}")

    def board() -> list:
        return sb.d.execute_script(BOARD) or []

    def in_stage(stage: str) -> list:
        return [c["id"] for col in board() if col["stage"] == stage for c in col["cards"]]

    sb.go("/#/records/loan_application?view=board")
    sb.wait(lambda: sb.css(".live-status[data-state=live]") and loan["id"] in in_stage("applied") and not sb.css(".board-wrap[aria-busy]") or None, WAIT)
    checks.check("scenario 4: the clerk's Board of loan applications shows it under Applied",
                 loan["id"] in in_stage("applied") and [c["stage"] for c in board()][:3] == ["applied", "documents", "underwriting"],
                 json.dumps(board(), ensure_ascii=False)[:300])
    audit("scenarios: the Board of loan applications", sb)
    select = sb.visible(f".board-card[data-id='{loan['id']}'] [data-action=move-select]")
    if select is None:
        raise abort("no 'Move to…' on the application's card")
    sb.d.execute_script("arguments[0].scrollIntoView({block: 'center'})", select)
    Select(select).select_by_value("documents")
    sb.click(f".board-card[data-id='{loan['id']}'] [data-action=move-record]")
    moved = sb.wait(lambda: loan["id"] in in_stage("documents") and "moved to Documents" in sb.text("[data-field=board-notice]") or None, WAIT)
    stored = api.get(f"/v1/records/loan_application/{loan['id']}")
    checks.check("scenario 4: 'Move to…' Documents on its card moves the application at the branch (the Board and the server say so)",
                 bool(moved) and stored.get("stage") == "documents", f"{stored.get('stage')} {sb.text('[data-field=board-notice]')!r}")
    sb.click(f".board-card[data-id='{loan['id']}'] a[data-action=open-record]")
    page = sb.wait(lambda: (s := sb.d.execute_script(STAGE_CARD)) and len(s.get("history", [])) == 2 and s, WAIT) or {}
    history = page.get("history", [])
    first, last = (history + [{}, {}])[:2]
    fields = _detail(sb).get("fields", {})
    checks.check("scenario 4: the application's page shows it in Documents with the stage history: Applied (by the API key, left), "
                 "Documents (moved by the clerk, still there); applied through the web",
                 page.get("label") == "Documents" and [r.get("stage") for r in history] == ["applied", "documents"]
                 and first.get("cells", {}).get("by") == "An API key" and not first.get("open")
                 and last.get("open") and last.get("cells", {}).get("by") == SELLER["name"] and last.get("cells", {}).get("left") == "Still there"
                 and fields.get("channel") == "Web", json.dumps({"stage": page, "fields": fields}, ensure_ascii=False)[:600])
    audit("scenarios: a loan application's page with its stage history", sb)


def _itinerary(ag, sb, ctx) -> None:
    api, checks, audit, abort = ctx["api"], ctx["checks"], ctx["audit"], ctx["abort"]
    ag.step = "scenario-itinerary"
    sb.step = "scenario-itinerary"
    site = api.post("/v1/channels", {"kind": "web", "name": "Bookings site"})
    desk = api.post("/v1/channels", {"kind": "phone", "name": "Travel desk"})
    visit = api.post("/v1/interactions", {"channel_id": site["id"], "identity": f"email:{TRAVELLER['email']}", "customer_name": TRAVELLER["name"],
                                          "kind": "form_submission", "body": "Lisbon trip"})
    cid = visit["customer_id"]
    trip = api.post("/v1/records/itinerary", {"customer_id": cid, "fields": {"name": TRIP}})
    booked = {}
    for kind, reference, starts, ends, price in (("flight", "LH1172-17", "2027-05-03T07:10:00Z", "2027-05-03T09:55:00Z", "189.00"),
                                                 ("hotel", "H-88231-17", "2027-05-03T14:00:00Z", "2027-05-07T11:00:00Z", "612.40"),
                                                 ("activity", "A-551-17", "2027-05-05T09:00:00Z", "2027-05-05T13:00:00Z", "45.00")):
        booked[kind] = api.post("/v1/records/booking", {"customer_id": cid, "stage": "confirmed", "fields": {
            "kind": kind, "reference": reference, "starts_at": starts, "ends_at": ends, "price": {"amount": price, "currency": "EUR"},
            "channel": "web", "itinerary": trip["id"]}})
    call = api.post("/v1/interactions", {"channel_id": desk["id"], "identity": f"email:{TRAVELLER['email']}", "kind": "call",
                                         "body": "Fly a day earlier, please"})
    checks.check("scenario 5: the call to the travel desk is the traveller's (the same email)", call.get("customer_id") == cid, str(call.get("customer_id")))

    def itinerary_ok(br, total: str, starts: str, count: str):
        d = _detail(br)
        return d if d and d["fields"].get("total") == total and d["fields"].get("bookings") == count and _instant(d["times"].get("starts_at")) == _instant(starts) else None

    def bookings_listed(br) -> list:
        return sorted(r["id"] for r in _detail(br).get("related", []) if r["type"] == "booking")

    every_booking = sorted(b["id"] for b in booked.values())

    # The salesperson keeps the itinerary open; the agent opens it too.
    path = f"/#/records/itinerary/{trip['id']}"
    for br in (sb, ag):
        br.go(path)
        # The related bookings load after the record itself: wait for both.
        br.wait(lambda br=br: br.css(".live-status[data-state=live]") and itinerary_ok(br, "846.40 EUR", "2027-05-03T07:10:00Z", "3")
                and bookings_listed(br) == every_booking or None, WAIT)
    before = _detail(ag)
    checks.check("scenario 5: the itinerary's page shows its computed fields from the three bookings: starts 3 May 07:10 UTC, ends 7 May, "
                 "total 846.40 EUR, 3 bookings; the bookings listed below it",
                 bool(itinerary_ok(ag, "846.40 EUR", "2027-05-03T07:10:00Z", "3")) and _instant(before.get("times", {}).get("ends_at")) == _instant("2027-05-07T11:00:00Z")
                 and bookings_listed(ag) == every_booking,
                 json.dumps(before, ensure_ascii=False)[:500])
    audit("scenarios: an itinerary's page with its bookings", ag)

    # The agent follows the flight from the itinerary and changes it with the form.
    flight = booked["flight"]
    ag.click(f"[data-card=related][data-type=booking] tr[data-id='{flight['id']}'] a[data-action=open-related]")
    ag.wait(lambda: _detail(ag).get("fields", {}).get("reference") == "LH1172-17" or None, WAIT)
    ag.click("[data-action=edit-record]")
    amount = ag.visible(f"{EDIT} input[name='fields.price.amount']")
    if amount is None:
        raise abort("no edit form for the booking")
    amount.clear()
    amount.send_keys("214.00")
    for name, at in (("starts_at", "2027-05-02T07:10:00Z"), ("ends_at", "2027-05-02T09:55:00Z")):
        ag.d.execute_script(SET_VALUE, f"{EDIT} input[name='fields.{name}']", ag.d.execute_script(LOCAL, at))
    Select(ag.visible(f"{EDIT} select[name='fields.channel']")).select_by_value("phone")
    ag.visible(f"{EDIT} textarea[name='fields.change_note']").send_keys("Moved to 2 May by phone")
    ag.click(f"{EDIT} [data-action=record-save]")
    saved = ag.wait(lambda: "Your changes were saved." in ag.text("[data-field=record-notice]") or None, WAIT)
    now = api.get(f"/v1/records/booking/{flight['id']}")["fields"]
    checks.check("scenario 5: the agent edits the flight in the record form: price 214.00 EUR, a day earlier, by phone, with the change note",
                 bool(saved) and now.get("price") == {"amount": "214.00", "currency": "EUR"} and _instant(now.get("starts_at")) == _instant("2027-05-02T07:10:00Z")
                 and _instant(now.get("ends_at")) == _instant("2027-05-02T09:55:00Z") and now.get("channel") == "phone"
                 and now.get("change_note") == "Moved to 2 May by phone", json.dumps(now, ensure_ascii=False)[:400])
    # Back to the itinerary by the booking's link to it.
    ag.click("dd[data-field=itinerary] a")
    after = ag.wait(lambda: itinerary_ok(ag, "871.40 EUR", "2027-05-02T07:10:00Z", "3"), WAIT) or _detail(ag)
    checks.check("scenario 5: the itinerary's page (by the booking's link) shows the new start (2 May 07:10 UTC) and total (871.40 EUR), still 3 bookings",
                 bool(itinerary_ok(ag, "871.40 EUR", "2027-05-02T07:10:00Z", "3")) and _instant(after.get("times", {}).get("ends_at")) == _instant("2027-05-07T11:00:00Z"),
                 json.dumps(after, ensure_ascii=False)[:500])
    live = sb.wait(lambda: itinerary_ok(sb, "871.40 EUR", "2027-05-02T07:10:00Z", "3"), LIVE_WAIT) or _detail(sb)
    checks.check("scenario 5: the salesperson's page of the itinerary, open meanwhile, follows live and says someone changed it",
                 bool(itinerary_ok(sb, "871.40 EUR", "2027-05-02T07:10:00Z", "3")) and "Someone else changed this record" in live.get("notice", ""),
                 json.dumps(live, ensure_ascii=False)[:500])
