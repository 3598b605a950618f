"""Invoicing a won deal in the console browser test (console_test.py calls `invoice_checks`; `--only
invoice` runs them alone). The finance template brings `deal` (with sales), which the records checks
define by hand: in the whole suite these checks get a server of their own.

Through the API (the admin key) the test installs the `finance` template (with `sales`: deal,
deal_line, quote, order, invoice, invoice_line, payment), makes a finance agent and a viewer with
passwords, each signed in in a browser of their own, a customer, a deal with two lines (one with a
10 % discount, one whose product is `<img src=x onerror=alert(1)>` markup) moved to `won`, and a
second deal in `proposal` without lines. Then, in the browser:

- the won deal's page lists its lines ("Deal lines": the product as text, the prices with their
  currency, the discount) and an empty "Invoices"; "Invoice this deal" (aria-expanded, aria-controls)
  opens a small form: the number (optional), the day it is issued (a date input) and the days to pay
  (30); 400 days is refused beside its input without a request;
- submitted (the server's answer held back meanwhile): both buttons are disabled and the form busy
  while the request runs; POST /v1/deals/{id}/invoice with `issued_on`, `payment_days` and an
  Idempotency-Key; on 201 the page is the new invoice's: its number as the heading, the deal as a
  link, the due day, the subtotal, tax and total with their currency (273.70 EUR), the stage Draft,
  and its two lines ("Invoice lines": the discounted price, the markup as text);
- the deal again: "Invoices" lists the invoice; invoicing it a second time is refused (409) in the
  page's error area with the server's detail and a link to the invoice that stands in the way,
  which opens it; the button is enabled again;
- the deal in `proposal` has no "Invoice this deal" but a line saying only a won deal is invoiced;
  moved to Won with its "Move to…" the button appears; invoicing it (no lines) is refused with the
  server's detail and no link;
- the viewer, with the won deal open meanwhile, sees the invoice arrive in its list live
  (rapport.record.created), and no invoice action;
- Chinese (the action, the form's labels, the related lists' stage column), 375 px; no `img` made
  from the product name and no alert; axe-core on each page state.

Everything waits for what it checks (`b.wait`), never a fixed time.
"""

from __future__ import annotations

import json
import time

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

import colleagues
from colleagues import LIVE_WAIT, SET_VALUE, UserSession, WAIT, expected

PASSWORD = "invoices from won deals 1234"
FINANCE = {"email": "fiona.finance@example.com", "name": "Fiona Finance"}
VIEWER = {"email": "vera.viewer@example.com", "name": "Vera Viewer"}
CUSTOMER = "Ivo Invoice 伊沃"
WON_TITLE = "Won deal 赢单"
OPEN_TITLE = "Open deal without lines"
XSS_PRODUCT = "<img src=x onerror=alert(1)> Gadget 小工具"
SUPPORT = "Support 支持"
TYPES = {"deal", "deal_line", "invoice", "invoice_line"}

# A record's page: its heading, its fields by key (text, links, <time datetime>), the error area.
DETAIL = """
const dl = document.querySelector('[data-list=record-fields]');
if (!dl) return null;
const problem = document.querySelector('[data-card=record] .field-error');
return { h1: document.querySelector('main h1')?.textContent ?? '', id: document.querySelector('main .view')?.dataset.recordId ?? null,
  fields: Object.fromEntries([...dl.querySelectorAll('dd')].map((dd) => [dd.dataset.field, dd.textContent])),
  times: Object.fromEntries([...dl.querySelectorAll('dd')].filter((dd) => dd.querySelector('time')).map((dd) => [dd.dataset.field, dd.querySelector('time').getAttribute('datetime')])),
  links: Object.fromEntries([...dl.querySelectorAll('dd')].filter((dd) => dd.querySelector('a')).map((dd) => [dd.dataset.field, dd.querySelector('a').getAttribute('href')])),
  stage: document.querySelector('[data-card=record-stage] [data-field=stage-label]')?.textContent ?? null,
  problem: problem && !problem.hidden ? { text: problem.textContent, role: problem.getAttribute('role'),
    links: [...problem.querySelectorAll('a')].map((a) => ({ action: a.dataset.action, href: a.getAttribute('href'), text: a.textContent })) } : null };
"""
# The related lists of a record's page: per card its type, heading, column headings and rows.
RELATED = """
return [...document.querySelectorAll('[data-card=related]')].map((card) => ({
  type: card.dataset.type, via: card.dataset.via, title: card.querySelector('h2')?.textContent ?? '',
  busy: !!card.querySelector('[aria-busy]'), empty: card.querySelector('.empty')?.textContent ?? null,
  heads: [...card.querySelectorAll('thead th')].map((th) => th.textContent),
  rows: [...card.querySelectorAll('tbody tr')].map((tr) => ({ id: tr.dataset.id,
    cells: Object.fromEntries([...tr.querySelectorAll('[data-field]')].map((c) => [c.dataset.field, c.textContent])),
    href: tr.querySelector('a[data-action=open-related]')?.getAttribute('href') ?? null, markup: tr.querySelectorAll('img, script').length })) }));
"""
# "Invoice this deal": the button (or the line saying why there is none) and the form's card.
ACTION = """
const button = document.querySelector('[data-action=invoice-deal]');
const card = document.querySelector('[data-card=invoice-deal]');
const form = card?.querySelector('form');
const input = (name) => form?.querySelector(`[name=${name}]`);
const described = (el) => (el?.getAttribute('aria-describedby') || '').split(/\\s+/).filter(Boolean)
  .map((id) => document.getElementById(id)).filter((e) => e && e.classList.contains('field-error') && !e.hidden).map((e) => e.textContent).join(' ');
return { button: button ? { text: button.textContent, expanded: button.getAttribute('aria-expanded'), controls: button.getAttribute('aria-controls'),
    disabled: button.disabled } : null,
  hint: document.querySelector('[data-field=invoice-hint]')?.textContent ?? null,
  open: !!card && !card.hidden, cardId: card?.id ?? null, title: card?.querySelector('h2')?.textContent ?? '',
  busy: form?.getAttribute('aria-busy') ?? null, status: card?.querySelector('[data-field=invoice-status]')?.textContent ?? '',
  submit: form ? { text: form.querySelector('[data-action=create-invoice]')?.textContent, disabled: form.querySelector('[data-action=create-invoice]')?.disabled } : null,
  inputs: form ? ['number', 'issued_on', 'payment_days'].map((n) => ({ name: n, type: input(n)?.type, value: input(n)?.value,
    label: input(n)?.labels?.[0]?.textContent ?? '', error: described(input(n)), invalid: input(n)?.getAttribute('aria-invalid') })) : [],
  focused: document.activeElement?.name ?? document.activeElement?.dataset?.action ?? null };
"""
# Records the page's requests from now on; the answer to POST …/invoice waits for window.__release().
SPY = """
if (!window.__sent) {
  window.__sent = [];
  const original = window.fetch;
  window.fetch = async (url, options = {}) => {
    const entry = { url: String(url), method: options.method ?? 'GET', key: options.headers?.['Idempotency-Key'] ?? null, body: options.body ?? null };
    window.__sent.push(entry);
    if (entry.method === 'POST' && entry.url.endsWith('/invoice') && window.__hold) {
      const button = document.querySelector('[data-action=invoice-deal]');
      const submit = document.querySelector('[data-action=create-invoice]');
      entry.during = { button: button?.disabled ?? null, submit: submit?.disabled ?? null,
        busy: document.querySelector('[data-form=invoice-deal]')?.getAttribute('aria-busy') ?? null };
      window.__waiting = true;
      await window.__hold;
      window.__waiting = false;
    }
    return original(url, options);
  };
}
window.__sent.length = 0;
window.__hold = arguments[0] ? new Promise((resolve) => { window.__release = resolve; }) : null;
"""
SENT = "return (window.__sent || []).filter((r) => r.method !== 'GET');"
IMAGES = "return [...document.querySelectorAll('main img')].map((i) => i.getAttribute('src'));"


def _log(msg: str) -> None:
    print(f"[invoice {time.strftime('%H:%M:%S')}] {msg}", flush=True)


def invoice_checks(b, server, api, checks, audit, *, new_browser, abort) -> None:
    """`b`: the test's Browser (the finance agent and the viewer get browsers of their own from
    `new_browser()`, whose consoles are added to `b`'s at the end); `api`: the admin-key client;
    `audit(page, browser)` runs axe-core in that browser; `abort`: the exception that stops the test."""
    base = server.base
    r = api.s.post(base + "/v1/templates/finance/install", timeout=30)
    installed = r.json() if r.status_code < 300 else {}
    types = {t["key"] for t in api.get("/v1/record-types")["data"]}
    checks.check("invoice: the finance template installs through the API with the sales types it requires (deal, deal_line, invoice, invoice_line)",
                 r.status_code in (200, 201) and TYPES <= types, f"{r.status_code} {json.dumps(installed)[:300]}")
    if not TYPES <= types:
        raise abort("the finance template's types are not there")
    colleagues.user(api, base, FINANCE, None, PASSWORD, role="agent")
    colleagues.user(api, base, VIEWER, None, PASSWORD, role="viewer")
    customer = api.post("/v1/customers", {"name": CUSTOMER, "emails": ["ivo.invoice@example.com"]})

    def patch(path: str, body: dict, etag: str) -> dict:
        res = api.s.patch(base + path, data=json.dumps(body), headers={"If-Match": etag}, timeout=30)
        if res.status_code >= 300:
            raise abort(f"PATCH {path} -> {res.status_code}: {res.text[:300]}")
        return res.json()

    eur = lambda amount: {"amount": amount, "currency": "EUR"}  # noqa: E731
    won = api.post("/v1/records/deal", {"customer_id": customer["id"], "stage": "negotiation",
                                        "fields": {"title": WON_TITLE, "amount": eur("230.00"), "close_date": "2026-12-31"}})
    lines = [api.post("/v1/records/deal_line", {"fields": {"deal": won["id"], "product": XSS_PRODUCT, "quantity": 2,
                                                           "unit_price": eur("100.00"), "discount": 10, "tax_rate": 19}}),
             api.post("/v1/records/deal_line", {"fields": {"deal": won["id"], "product": SUPPORT, "quantity": 1,
                                                           "unit_price": eur("50.00"), "tax_rate": 19}})]
    won = patch(f"/v1/records/deal/{won['id']}", {"stage": "won"}, f'"{won["id"]}-v{won["version"]}"')
    other = api.post("/v1/records/deal", {"customer_id": customer["id"], "stage": "proposal",
                                          "fields": {"title": OPEN_TITLE, "amount": eur("80.00")}})
    checks.check("invoice: a deal with two lines (one with a 10 % discount, one product with markup) is won; another stands in Proposal",
                 won.get("stage") == "won" and len(lines) == 2 and other.get("stage") == "proposal", f"{won.get('stage')} {other.get('stage')}")

    with colleagues.own_browsers(b, new_browser, "invoice-finance", "invoice-viewer") as (fi, vi):
        colleagues.sign_in_all(checks, abort, "invoice: the finance agent and the viewer sign in in browsers of their own",
                               [(fi, FINANCE), (vi, VIEWER)], PASSWORD)
        _run(fi, vi, base, checks, audit, won=won, other=other, abort=abort)


def _run(fi, vi, base, checks, audit, *, won, other, abort) -> None:
    http = UserSession(base, FINANCE["email"], PASSWORD)
    deal_page = f"/#/records/deal/{won['id']}"

    def detail(br) -> dict:
        return br.d.execute_script(DETAIL) or {}

    def related(br) -> dict:
        return {c["type"]: c for c in (br.d.execute_script(RELATED) or [])}

    def action(br) -> dict:
        return br.d.execute_script(ACTION) or {}

    def settled_related(br, *types: str) -> dict | None:
        """The related lists once the cards of `types` are drawn (not busy, rows or the empty line)."""
        cards = related(br)
        if all(t in cards and not cards[t]["busy"] and (cards[t]["rows"] or cards[t]["empty"]) for t in types):
            return cards
        return None

    def open_deal(br, path: str = deal_page, *, button: bool = True) -> dict:
        br.go(path)
        ready = br.wait(lambda: detail(br).get("id") and br.css(".live-status[data-state=live]")
                        and (not button or action(br).get("button") or action(br).get("hint"))
                        and settled_related(br, "deal_line", "invoice") or None, WAIT)
        if not ready:
            raise abort(f"the deal's page {path} did not settle: {json.dumps(related(br), ensure_ascii=False)[:300]}")
        return ready

    # --- The won deal: its lines, no invoice yet, the action.
    fi.step = "invoice-deal"
    cards = open_deal(fi)
    dl = cards["deal_line"]
    by_product = {r["cells"].get("product"): r for r in dl["rows"]}
    gadget = by_product.get(XSS_PRODUCT, {})
    checks.check("the won deal's page lists its lines (Deal lines): the product as a link to the line, quantity, price with its currency, discount",
                 dl["title"] == "Deal lines" and len(dl["rows"]) == 2 and set(by_product) == {XSS_PRODUCT, SUPPORT}
                 and gadget.get("cells", {}).get("unit_price") == "100.00 EUR" and gadget.get("cells", {}).get("quantity") == "2"
                 and gadget.get("cells", {}).get("discount") == "10%" and gadget.get("href") == f"#/records/deal_line/{gadget.get('id')}"
                 and "deal" not in gadget.get("cells", {}), json.dumps(dl, ensure_ascii=False)[:500])
    checks.check("a product named <img src=x onerror=alert(1)> is text in the lines: no element made from it, no alert",
                 gadget.get("markup") == 0 and "x" not in (fi.d.execute_script(IMAGES) or []) and not fi.alert_present(),
                 json.dumps(gadget, ensure_ascii=False)[:200])
    checks.check("the deal's related lists include Invoices, empty so far; Quotes and Orders (the types that refer to deals) too",
                 cards["invoice"]["title"] == "Invoices" and cards["invoice"]["empty"] == "No Invoices yet." and {"quote", "order"} <= set(cards),
                 json.dumps({k: (c["title"], c["empty"]) for k, c in cards.items()}, ensure_ascii=False))
    state = action(fi)
    checks.check("a won deal offers 'Invoice this deal' to those who may write records (a button controlling a closed form)",
                 (state.get("button") or {}).get("text") == "Invoice this deal" and state["button"]["expanded"] == "false"
                 and state["button"]["controls"] == state.get("cardId") and not state.get("open") and state.get("hint") is None,
                 json.dumps(state, ensure_ascii=False)[:300])
    audit("invoice: a won deal with its lines", fi)

    fi.click("[data-action=invoice-deal]")
    shown = fi.wait(lambda: (s := action(fi)) and s.get("open") and s.get("focused") == "number" and s, WAIT) or action(fi)
    inputs = {i["name"]: i for i in shown.get("inputs", [])}
    checks.check("the form asks for the number (optional), the day it is issued (a date) and the days to pay (30); the focus is in the number",
                 shown.get("open") and shown["button"]["expanded"] == "true" and shown.get("focused") == "number"
                 and inputs.get("number", {}).get("label") == "Invoice number" and inputs.get("number", {}).get("value") == ""
                 and inputs.get("issued_on", {}).get("type") == "date" and inputs.get("issued_on", {}).get("label") == "Issued on"
                 and inputs.get("payment_days", {}).get("type") == "number" and inputs.get("payment_days", {}).get("value") == "30"
                 and (shown.get("submit") or {}).get("text") == "Create the invoice", json.dumps(shown, ensure_ascii=False)[:500])
    audit("invoice: the form to invoice a deal", fi)

    fi.d.execute_script(SPY, False)
    fi.d.execute_script(SET_VALUE, "[data-form=invoice-deal] [name=payment_days]", "400")
    fi.click("[data-action=create-invoice]")
    refused = fi.wait(lambda: (s := action(fi)) and {i["name"]: i for i in s["inputs"]}["payment_days"]["error"] and s, WAIT) or action(fi)
    days = {i["name"]: i for i in refused.get("inputs", [])}.get("payment_days", {})
    checks.check("400 days to pay is refused beside the input (aria-invalid, focus), nothing sent",
                 days.get("error") == "Enter a whole number of days from 0 to 365." and days.get("invalid") == "true"
                 and refused.get("focused") == "payment_days" and not fi.d.execute_script(SENT), json.dumps(days, ensure_ascii=False))

    # The viewer has the deal open meanwhile (its Invoices card follows the event stream).
    vi.step = "invoice-viewer"
    open_deal(vi, button=False)

    # Submitted with its answer held back: the buttons are disabled while the request runs.
    fi.d.execute_script(SPY, True)
    fi.d.execute_script(SET_VALUE, "[data-form=invoice-deal] [name=payment_days]", "14")
    fi.d.execute_script(SET_VALUE, "[data-form=invoice-deal] [name=issued_on]", "2026-12-01")
    fi.click("[data-action=create-invoice]")
    waiting = fi.wait(lambda: fi.d.execute_script("return window.__waiting === true") or None, WAIT)
    during = action(fi)
    checks.check("while the request runs both buttons are disabled, the form is busy and says so",
                 bool(waiting) and during.get("button", {}).get("disabled") is True and during.get("submit", {}).get("disabled") is True
                 and during.get("busy") == "true" and during.get("status") == "Creating the invoice…", json.dumps(during, ensure_ascii=False)[:300])
    fi.d.execute_script("window.__release()")
    landed = fi.wait(lambda: "#/records/invoice/" in fi.d.current_url and (d := detail(fi)) and d.get("fields", {}).get("total")
                     and settled_related(fi, "invoice_line") and d or None, WAIT) or {}
    sent = next((s for s in fi.d.execute_script(SENT) or [] if s["url"].endswith("/invoice")), {}) if landed else {}
    invoice_id = landed.get("id") or ""
    stored = http.get(f"/v1/records/invoice/{invoice_id}").json() if invoice_id else {}
    checks.check("Create sends POST /v1/deals/{id}/invoice with issued_on, payment_days and an Idempotency-Key; on 201 the page is the invoice's",
                 f"/v1/deals/{won['id']}/invoice" in sent.get("url", "") and json.loads(sent.get("body") or "{}") == {"issued_on": "2026-12-01", "payment_days": 14}
                 and bool(sent.get("key")) and fi.d.current_url.endswith(f"#/records/invoice/{invoice_id}") and stored.get("type") == "invoice",
                 f"{json.dumps(sent)[:300]} -> {fi.d.current_url}")
    fields = landed.get("fields", {})
    checks.check("the invoice's page: its number as the heading, the deal as a link, issued and due days, subtotal, tax and total with their currency, Draft",
                 landed.get("h1") == stored.get("fields", {}).get("number") and landed.get("h1", "").startswith("INV-2026-")
                 and landed.get("links", {}).get("deal") == f"#/records/deal/{won['id']}"
                 and landed.get("times", {}).get("issued_on") == "2026-12-01" and landed.get("times", {}).get("due_on") == "2026-12-15"
                 and fields.get("subtotal") == "230.00 EUR" and fields.get("tax") == "43.70 EUR" and fields.get("total") == "273.70 EUR"
                 and landed.get("stage") == "Draft", json.dumps(landed, ensure_ascii=False)[:600])
    lines = related(fi).get("invoice_line", {})
    rows = {r["cells"].get("description", ""): r for r in lines.get("rows", [])}
    gadget_line = next((r for d, r in rows.items() if d.startswith(XSS_PRODUCT)), {})
    support_line = rows.get(SUPPORT, {})
    checks.check("the invoice lists its two lines (Invoice lines): the description, quantity, the discounted price with its currency, the tax rate",
                 lines.get("title") == "Invoice lines" and len(rows) == 2
                 and gadget_line.get("cells", {}).get("unit_price") == "90.00 EUR" and gadget_line.get("cells", {}).get("quantity") == "2"
                 and gadget_line.get("cells", {}).get("tax_rate") == "19%" and support_line.get("cells", {}).get("unit_price") == "50.00 EUR"
                 and "invoice" not in gadget_line.get("cells", {}), json.dumps(lines, ensure_ascii=False)[:600])
    checks.check("the markup product is text in the invoice's lines too: no element, no alert",
                 gadget_line.get("markup") == 0 and "x" not in (fi.d.execute_script(IMAGES) or []) and not fi.alert_present(),
                 json.dumps(gadget_line, ensure_ascii=False)[:200])
    audit("invoice: the invoice made from the deal, with its lines", fi)

    # --- Again: refused, with the invoice in the way as a link.
    cards = open_deal(fi)
    listed = cards["invoice"]["rows"]
    checks.check("back on the deal, Invoices lists the new invoice (its number as a link, its total, Draft)",
                 [r["id"] for r in listed] == [invoice_id] and listed[0]["cells"].get("number") == landed.get("h1")
                 and listed[0]["cells"].get("total") == "273.70 EUR" and listed[0]["cells"].get("stage") == "Draft",
                 json.dumps(listed, ensure_ascii=False)[:400])
    with expected(fi, "invoice-again", "/invoice", 409):
        fi.click("[data-action=invoice-deal]")
        fi.visible("[data-form=invoice-deal] [name=number]")
        fi.click("[data-action=create-invoice]")
        problem = fi.wait(lambda: (d := detail(fi)) and d.get("problem") and d["problem"]["links"] and not action(fi)["submit"]["disabled"] and d["problem"], WAIT) or {}
    link = next(iter(problem.get("links", [])), {})
    checks.check("invoicing it again is refused (409) in the page's error area (role=alert): the server's detail, the invoice in the way as a link",
                 problem.get("role") == "alert" and problem.get("text", "").startswith("This deal cannot be invoiced: ")
                 and "already invoiced" in problem.get("text", "") and link.get("action") == "open-standing-invoice"
                 and link.get("href") == f"#/records/invoice/{invoice_id}" and link.get("text") == "Open the invoice"
                 and action(fi).get("button", {}).get("disabled") is False, json.dumps(problem, ensure_ascii=False)[:400])
    audit("invoice: a deal invoiced already (the conflict)", fi)
    fi.click("[data-action=open-standing-invoice]")
    again = fi.wait(lambda: fi.d.current_url.endswith(f"#/records/invoice/{invoice_id}") and detail(fi).get("id") == invoice_id or None, WAIT)
    checks.check("the conflict's link opens the invoice that stands in the way", bool(again), fi.d.current_url)

    # --- A deal not won: no action, a line saying why; moved to Won, the button comes.
    fi.step = "invoice-not-won"
    open_deal(fi, f"/#/records/deal/{other['id']}")
    state = action(fi)
    checks.check("a deal that is not won has no 'Invoice this deal'; a line says only a won deal is invoiced",
                 state.get("button") is None and state.get("hint") == "Only a won deal can be invoiced." and not state.get("open"),
                 json.dumps(state, ensure_ascii=False)[:300])
    audit("invoice: a deal not won", fi)
    select = fi.visible("[data-card=record-stage] [data-action=move-select]")
    if select is None:
        raise abort("no 'Move to…' on the deal's page")
    Select(select).select_by_value("won")
    fi.click("[data-card=record-stage] [data-action=move-record]")
    came = fi.wait(lambda: (s := action(fi)) and s.get("button") and s.get("hint") is None and s or None, WAIT) or {}
    checks.check("moved to Won on its page, the deal offers 'Invoice this deal'", bool(came) and came["button"]["text"] == "Invoice this deal",
                 json.dumps(action(fi), ensure_ascii=False)[:300])
    with expected(fi, "invoice-no-lines", "/invoice", 409):
        fi.click("[data-action=invoice-deal]")
        fi.visible("[data-form=invoice-deal] [name=number]")
        fi.click("[data-action=create-invoice]")
        problem = fi.wait(lambda: (d := detail(fi)) and d.get("problem") and not action(fi)["submit"]["disabled"] and d["problem"], WAIT) or {}
    checks.check("invoicing a won deal without lines is refused with the server's detail, without a link",
                 problem.get("text", "").startswith("This deal cannot be invoiced: ") and "line" in problem.get("text", "")
                 and problem.get("links") == [], json.dumps(problem, ensure_ascii=False)[:300])

    # --- The viewer: the invoice came live, no action.
    seen = vi.wait(lambda: (c := related(vi)) and [r["id"] for r in c["invoice"]["rows"]] == [invoice_id] and c or None, LIVE_WAIT) or related(vi)
    checks.check("the viewer's open deal lists the new invoice live (rapport.record.created), beside the deal's two lines",
                 [r["id"] for r in seen.get("invoice", {}).get("rows", [])] == [invoice_id] and len(seen.get("deal_line", {}).get("rows", [])) == 2,
                 json.dumps(seen.get("invoice", {}), ensure_ascii=False)[:300])
    checks.check("a viewer (who may not write records) has no invoice action, nor the line about won deals",
                 action(vi).get("button") is None and action(vi).get("hint") is None and not vi.css("[data-card=invoice-deal]"),
                 json.dumps(action(vi))[:200])
    audit("invoice: a won deal seen by a viewer", vi)

    # --- Chinese, 375 px.
    fi.step = "invoice-zh-CN"
    open_deal(fi)
    fi.visible(".lang-switch select").find_element(By.CSS_SELECTOR, "option[value='zh-CN']").click()
    zh = fi.wait(lambda: (s := action(fi)) and (s.get("button") or {}).get("text") == "为此商机开具发票"
                 and (c := settled_related(fi, "deal_line", "invoice")) and "阶段" in c["invoice"]["heads"] and s or None, WAIT) or action(fi)
    fi.click("[data-action=invoice-deal]")
    labels = fi.wait(lambda: (s := action(fi)) and s.get("open") and [i["label"] for i in s["inputs"]] or None, WAIT) or []
    checks.check("in Chinese the action, its form and the related lists speak Chinese (为此商机开具发票, 发票号, 开票日期, 付款天数, 阶段)",
                 (zh.get("button") or {}).get("text") == "为此商机开具发票" and labels == ["发票号", "开票日期", "付款天数"]
                 and action(fi).get("submit", {}).get("text") == "创建发票", f"{json.dumps(zh, ensure_ascii=False)[:200]} {labels}")
    audit("invoice: the form to invoice a deal (zh-CN)", fi)
    with colleagues.phone_width(fi):
        colleagues.fits(fi, checks, "a won deal with its invoice form and related lists (in Chinese)")
        audit("invoice: a won deal at 375 px (zh-CN)", fi)
    fi.go(f"/#/records/invoice/{invoice_id}")
    zh_lines = fi.wait(lambda: (c := settled_related(fi, "invoice_line")) and c["invoice_line"]["rows"] and c["invoice_line"] or None, WAIT) or {}
    checks.check("in Chinese the invoice still shows its lines with their money and currency",
                 len(zh_lines.get("rows", [])) == 2 and any(r["cells"].get("unit_price") == "90.00 EUR" for r in zh_lines.get("rows", [])),
                 json.dumps(zh_lines, ensure_ascii=False)[:300])
    fi.d.execute_script("localStorage.setItem('rapport.locale', 'en')")
