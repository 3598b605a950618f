"""Business records in the console browser test (console_test.py calls `records_checks`; `--only
records` runs them alone).

Through the API (the admin key) the test makes an admin and an agent with passwords, each signed in
in a browser of their own, and a customer. Then:

- the admin opens Administration → Record types and defines `deal` in the form: a title (text,
  required), an amount (money), a stage (choice: open, won, lost; default open), a close date
  (date), an account (reference to customers) and "hot" (boolean). A validation that does not parse
  is refused by the server beside that row's input (422 `fields[1].validation`); the key `stage`,
  which the server keeps for every record, beside its key (then `phase`);
- "Records" in the main navigation lists the type by its plural label; #/records/deal is empty;
  "New" opens the form generated from the fields (a text box, amount and currency, a select with
  the default chosen, a date, the account with the customer search, a checkbox, the customer);
  the required title left empty is refused beside it, a currency the server does not know by the
  server (422 `fields.amount`) beside the amount; three records are created (one whose title is
  `<script>`/`<img onerror>` markup, shown as text); the table shows money as "1,250.00 EUR", the
  stage by its label, the account as a link to the customer named after them;
- the CEL filter `fields.phase == "won"` (Enter) keeps the won deals; one that does not parse shows
  the server's reason beside the box; sorting by Amount (aria-sort ascending, then descending);
- a record's page shows each field with its label; the admin's edit sends PATCH with only the
  changed field and If-Match; the agent's open page shows it live; the agent's edit made stale by
  another change of the admin gets the 412 message, keeps what was typed and saves it on the second
  try; a record created through the API arrives in the admin's open table live; delete after a
  confirmation (gone from the agent's table live too);
- the admin changes the type (adds `source`, retires `hot`, adds a choice) with PUT and If-Match:
  the agent's open form follows live, a fresh form has Source and no Hot, a record's page shows the
  retired field's value marked retired; a change stored values cannot take (the title made a
  number) is refused with the blocking records as links to them;
- 52 more records made through the API: the table shows 50 and "Show more" reads the rest;
- Chinese, 375 px, the first load of the records page under the budget; axe-core on each page state.

Everything waits for what it checks (`b.wait`), never a fixed time.
"""

from __future__ import annotations

import json
import time

from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select

import colleagues
from colleagues import FIRST_LOAD_BUDGET, LIVE_WAIT, SET_VALUE, UserSession, WAIT, accept_alert, expected

PASSWORD = "records and record types 1234"
ADMIN = {"email": "rhea.records@example.com", "name": "Rhea Records"}
AGENT = {"email": "rolf.records@example.com", "name": "Rolf Records"}
CUSTOMER = "Carla Contract 卡拉"
XSS_TITLE = '<script>window.__pwned=1</script><img src=x onerror="window.__pwned=2"> 恶意'
BIG = "Big deal 大单"
SMALL = "Small deal"
LIVE_TITLE = "Live deal from the API"
PAGING = 52          # records made through the API: more than a page of the table (50)

FORM = "[data-form=record-type]"
NEW = "[data-form=new-record]"
EDIT = "[data-form=edit-record]"

# An input's state: the error messages its aria-describedby names (shown ones), aria-invalid, focus.
FIELD = """
const el = document.querySelector(arguments[0]);
if (!el) return null;
const ids = (el.getAttribute('aria-describedby') || '').split(/\\s+/).filter(Boolean);
const errors = ids.map((id) => document.getElementById(id)).filter((e) => e && e.classList.contains('field-error') && !e.hidden);
return { error: errors.map((e) => e.textContent).join(' '), invalid: el.getAttribute('aria-invalid'), focused: document.activeElement === el,
  value: el.type === 'checkbox' ? el.checked : el.value, label: el.labels?.[0]?.textContent ?? '' };
"""
ROWS = """
return [...document.querySelectorAll('table.record-table tbody tr')].map((tr) => ({ id: tr.dataset.id, version: tr.dataset.version,
  cells: Object.fromEntries([...tr.querySelectorAll('[data-field]')].map((c) => [c.dataset.field, c.textContent])),
  links: [...tr.querySelectorAll('a')].map((a) => ({ action: a.dataset.action ?? null, ref: a.dataset.ref ?? null, href: a.getAttribute('href'), text: a.textContent })),
  markup: tr.querySelectorAll('script, img').length }));
"""
HEADERS = """
return [...document.querySelectorAll('table.record-table thead th')].map((th) => ({ column: th.dataset.column, sort: th.getAttribute('aria-sort'),
  text: th.textContent, button: !!th.querySelector('button') }));
"""
DETAIL = """
const dl = document.querySelector('[data-list=record-fields]');
const view = document.querySelector('main .view');
return dl ? { h1: document.querySelector('main h1')?.textContent ?? '', id: view?.dataset.recordId, version: view?.dataset.version,
  labels: Object.fromEntries([...dl.querySelectorAll('dt')].map((dt) => [dt.dataset.label, dt.textContent])),
  fields: Object.fromEntries([...dl.querySelectorAll('dd')].map((dd) => [dd.dataset.field, dd.textContent])),
  links: Object.fromEntries([...dl.querySelectorAll('dd')].filter((dd) => dd.querySelector('a')).map((dd) => [dd.dataset.field, { href: dd.querySelector('a').getAttribute('href'), text: dd.querySelector('a').textContent }])),
  notice: document.querySelector('[data-field=record-notice]')?.textContent ?? '',
  deleted: document.querySelector('[data-field=record-deleted]')?.textContent ?? '',
  markup: dl.querySelectorAll('script, img').length } : null;
"""
# The form's inputs by field key, and what kind of control each is.
FORM_SHAPE = """
const form = document.querySelector(arguments[0]);
return form ? [...form.querySelectorAll('[data-field-key]')].map((el) => ({ key: el.dataset.fieldKey,
  controls: [...el.querySelectorAll('input, select, textarea')].filter((c) => !c.closest('.record-search')).map((c) => c.tagName.toLowerCase() + ':' + (c.type || '')),
  labelled: [...el.querySelectorAll('input, select, textarea')].filter((c) => !c.closest('.record-search')).every((c) => c.labels?.length > 0),
  selected: el.querySelector('select') ? el.querySelector('select').value : null,
  options: el.querySelector('select') ? [...el.querySelector('select').options].map((o) => o.textContent) : [],
  text: el.textContent })) : null;
"""
# Records every request the page sends from now on (method, address, If-Match, body).
SPY = """
if (!window.__sent) {
  window.__sent = [];
  const original = window.fetch;
  window.fetch = (url, options = {}) => {
    window.__sent.push({ url: String(url), method: options.method ?? 'GET', ifMatch: options.headers?.['If-Match'] ?? null,
      key: options.headers?.['Idempotency-Key'] ?? null, body: options.body ?? null });
    return original(url, options);
  };
}
window.__sent.length = 0;
"""
SENT = "return (window.__sent || []).filter((r) => r.method !== 'GET');"
SIZES = """
const nav = performance.getEntriesByType('navigation')[0];
const own = performance.getEntriesByType('resource').filter(r => new URL(r.name).pathname.startsWith('/console/'));
return { page: nav ? nav.decodedBodySize : 0, assets: own.reduce((n, r) => n + r.decodedBodySize, 0), files: own.length,
  names: own.map((r) => new URL(r.name).pathname.split('/').slice(3).join('/')) };
"""


def _log(msg: str) -> None:
    print(f"[records {time.strftime('%H:%M:%S')}] {msg}", flush=True)


def records_checks(b, server, api, checks, audit, *, new_browser, abort) -> None:
    """`b`: the test's Browser (the admin and the agent get browsers of their own from
    `new_browser()`, whose consoles are added to `b`'s at the end); `api`: the admin-key client;
    `audit(page, browser)` runs axe-core in that browser; `abort`: the exception that stops the test."""
    base = server.base
    admin = colleagues.user(api, base, ADMIN, None, PASSWORD, role="admin")
    agent = colleagues.user(api, base, AGENT, None, PASSWORD, role="agent")
    customer = api.post("/v1/customers", {"name": CUSTOMER, "emails": ["carla.contract@example.com"]})
    _log(f"admin {admin['id']}, agent {agent['id']}, customer {customer['id']}")
    with colleagues.own_browsers(b, new_browser, "records-admin", "records-agent") as (ad, ag):
        colleagues.sign_in_all(checks, abort, "records: the admin and the agent sign in in browsers of their own", [(ad, ADMIN), (ag, AGENT)], PASSWORD)
        _run(ad, ag, base, api, checks, audit, customer=customer, abort=abort)


def _run(ad, ag, base, api, checks, audit, *, customer, abort) -> None:
    cid = customer["id"]
    http = UserSession(base, ADMIN["email"], PASSWORD)

    def field(br, selector: str) -> dict:
        return br.d.execute_script(FIELD, selector) or {}

    def put(br, selector: str, text: str) -> None:
        el = br.visible(selector)
        if el is None:
            raise abort(f"no {selector}")
        br.d.execute_script("arguments[0].scrollIntoView({block: 'center'})", el)
        el.clear()
        if text:
            el.send_keys(text)

    def choose(br, selector: str, value: str) -> None:
        el = br.visible(selector)
        if el is None:
            raise abort(f"no {selector}")
        Select(el).select_by_value(value)

    def rows(br) -> list:
        return br.d.execute_script(ROWS) or []

    def detail(br) -> dict:
        return br.d.execute_script(DETAIL) or {}

    def stored(**params) -> list:
        return http.get("/v1/records/deal", **params).json().get("data", [])

    def open_table(br) -> None:
        br.go("/#/records/deal")
        br.h1("Deals")
        br.wait(lambda: br.css(".live-status[data-state=live]") and (br.css("table.record-table") or br.css("[data-card=records] .empty")) or None, WAIT)

    # --- Administration → Record types: the form.
    ad.go("/#/admin/users")
    ad.h1()
    ad.click(".side-nav a[href='#/admin/record-types']")
    shown = ad.wait(lambda: ad.h1() == "Record types" and ad.visible(f"{FORM} input[name=key]", 1) and ad.css(f"{FORM} input[name='fields[0].key']") or None, WAIT)
    checks.check("Administration has a 'Record types' section with the list and the form of a new type (its first field row ready)",
                 bool(shown) and "No record types yet" in ad.text("main .admin-section"), ad.h1())
    put(ad, f"{FORM} input[name=key]", "deal")
    put(ad, f"{FORM} input[name=label]", "Deal")
    put(ad, f"{FORM} input[name=plural_label]", "Deals")
    put(ad, f"{FORM} textarea[name=description]", "Sales opportunities <b>with</b> money")
    put(ad, f"{FORM} input[name='fields[0].key']", "title")
    put(ad, f"{FORM} input[name='fields[0].label']", "Title")
    ad.click(f"{FORM} input[name='fields[0].required']")
    ad.click(f"{FORM} [data-action=add-field]")
    put(ad, f"{FORM} input[name='fields[1].key']", "amount")
    put(ad, f"{FORM} input[name='fields[1].label']", "Amount")
    choose(ad, f"{FORM} select[name='fields[1].kind']", "money")
    put(ad, f"{FORM} input[name='fields[1].validation']", "value.amount >")
    ad.click(f"{FORM} [data-action=add-field]")
    put(ad, f"{FORM} input[name='fields[2].key']", "stage")
    put(ad, f"{FORM} input[name='fields[2].label']", "Stage")
    choose(ad, f"{FORM} select[name='fields[2].kind']", "choice")
    shape = ad.wait(lambda: ad.css(f"{FORM} input[name='fields[2].choices[0].key']") and not ad.css(f"{FORM} select[name='fields[2].target']")[0].is_displayed() or None, WAIT)
    checks.check("choosing the kind 'Choice' shows the choices (one row ready) and no target", bool(shape), "")
    for i, (key, label) in enumerate([("open", "Open"), ("won", "Won"), ("lost", "Lost")]):
        if i:
            ad.click(f"{FORM} [data-list=type-fields] > li:nth-child(3) [data-action=add-choice]")
        put(ad, f"{FORM} input[name='fields[2].choices[{i}].key']", key)
        put(ad, f"{FORM} input[name='fields[2].choices[{i}].label']", label)
    put(ad, f"{FORM} input[name='fields[2].default']", "open")
    ad.click(f"{FORM} [data-action=add-field]")
    put(ad, f"{FORM} input[name='fields[3].key']", "close_on")
    put(ad, f"{FORM} input[name='fields[3].label']", "Close date")
    choose(ad, f"{FORM} select[name='fields[3].kind']", "date")
    ad.click(f"{FORM} [data-action=add-field]")
    put(ad, f"{FORM} input[name='fields[4].key']", "account")
    put(ad, f"{FORM} input[name='fields[4].label']", "Account")
    choose(ad, f"{FORM} select[name='fields[4].kind']", "reference")
    target = ad.wait(lambda: (el := ad.visible(f"{FORM} select[name='fields[4].target']", 1)) and el.get_attribute("value"), WAIT)
    checks.check("choosing the kind 'Reference' shows what it refers to (customers first)", target == "customer", str(target))
    ad.click(f"{FORM} [data-action=add-field]")
    put(ad, f"{FORM} input[name='fields[5].key']", "hot")
    put(ad, f"{FORM} input[name='fields[5].label']", "Hot lead")
    choose(ad, f"{FORM} select[name='fields[5].kind']", "boolean")
    audit("records: admin, a new record type being defined", ad)

    ad.d.execute_script(SPY)
    with expected(ad, "records-type-422", "/v1/record-types", 422):
        ad.click(f"{FORM} [data-action=save-type]")
        refused = ad.wait(lambda: (f := field(ad, f"{FORM} input[name='fields[1].validation']")) and f["error"] and f, WAIT) or {}
    key_state = field(ad, f"{FORM} input[name='fields[2].key']")
    checks.check("the server's 422 for a validation that does not parse is shown beside that field's input (fields[1].validation), tied by aria-describedby",
                 bool(refused.get("error")) and refused.get("invalid") == "true" and not ad.css(f"{FORM} input[name=key][aria-invalid=true]"),
                 json.dumps(refused, ensure_ascii=False))
    stage_key = "stage"
    if key_state.get("error"):
        checks.check("the server keeps the key 'stage' for every record: its 422 (fields[2].key) is shown beside that key",
                     key_state.get("invalid") == "true" and "stage" in key_state["error"], json.dumps(key_state, ensure_ascii=False))
        stage_key = "phase"
        put(ad, f"{FORM} input[name='fields[2].key']", stage_key)
    audit("records: admin, the server's errors beside the type's inputs", ad)
    put(ad, f"{FORM} input[name='fields[1].validation']", "")
    ad.click(f"{FORM} [data-action=save-type]")
    created = ad.wait(lambda: "was created" in ad.text("[data-field=record-types-notice]") and ad.css(".admin-section table tr[data-id=deal]") or None, WAIT)
    deal = api.get("/v1/record-types/deal") if created else {}
    kinds = [(f["key"], f["kind"], f.get("required"), f.get("default"), f.get("target")) for f in deal.get("fields", [])]
    checks.check("the type is created (POST) as filled in: keys, kinds, the required title, the stage's default, the account's target",
                 kinds == [("title", "text", True, None, None), ("amount", "money", False, None, None), (stage_key, "choice", False, "open", None),
                           ("close_on", "date", False, None, None), ("account", "reference", False, None, "customer"), ("hot", "boolean", False, None, None)]
                 and [c["key"] for c in deal["fields"][2].get("choices", [])] == ["open", "won", "lost"] and deal.get("plural_label") == "Deals",
                 str(kinds))
    if not created:
        raise abort("the record type was not created")
    won = f'fields.{stage_key} == "won"'

    # --- Records in the main navigation; the type's table; the form.
    ag.go("/#/customers")
    ag.h1()
    ag.click(".main-nav a[data-nav=records]")
    listed = ag.wait(lambda: "#/records" in ag.d.current_url and ag.h1() == "Records"
                     and ag.css("[data-list=record-types] a[data-action=open-type]") and ag.css(".main-nav a[data-nav=records][aria-current=page]") or None, WAIT)
    names = [a.text for a in ag.css("[data-list=record-types] a")]
    checks.check("'Records' in the main navigation lists the types by their plural labels (the agent: no link to define them)",
                 bool(listed) and names == ["Deals"] and not ag.css("[data-action=define-types]"), str(names))
    audit("records: the types (agent)", ag)
    ag.click("[data-list=record-types] a[data-action=open-type]")
    empty = ag.wait(lambda: ag.h1() == "Deals" and "No Deals yet" in ag.text("[data-card=records]") or None, WAIT)
    checks.check("the type's page is #/records/deal, titled by its plural label, empty", bool(empty) and ag.d.current_url.endswith("#/records/deal"), ag.d.current_url)

    open_table(ad)
    ad.click("[data-action=new-record]")
    ad.wait(lambda: ad.visible(f"{NEW} input[name='fields.title']", 1), WAIT)
    shape = {f["key"]: f for f in ad.d.execute_script(FORM_SHAPE, NEW) or []}
    expected_controls = {
        "title": ["input:text"], "amount": ["input:text", "input:text"], stage_key: ["select:select-one"], "close_on": ["input:date"],
        "account": ["input:text"], "hot": ["input:checkbox"], "customer_id": ["input:text"],
    }
    checks.check("'New' opens the form generated from the fields: a text box, amount and currency, a select, a date, the account's id, a checkbox, the customer; every input labelled",
                 {k: v["controls"] for k, v in shape.items()} == expected_controls and all(v["labelled"] for v in shape.values())
                 and ad.css("[data-action=new-record][aria-expanded=true]"), json.dumps({k: v["controls"] for k, v in shape.items()}))
    checks.check("the stage's select offers its choices by label with the default (open) chosen",
                 shape.get(stage_key, {}).get("selected") == "open" and shape.get(stage_key, {}).get("options", [])[1:] == ["Open", "Won", "Lost"],
                 json.dumps(shape.get(stage_key, {}), ensure_ascii=False)[:200])

    # The required title left empty: refused beside it before anything is sent.
    ad.d.execute_script(SPY)
    ad.click(f"{NEW} [data-action=record-create]")
    title_state = ad.wait(lambda: (f := field(ad, f"{NEW} input[name='fields.title']")) and f["error"] and f, 3) or {}
    checks.check("the required title left empty is refused beside it (aria-invalid, aria-describedby, focus), nothing sent",
                 title_state.get("error") == "Fill in this field." and title_state.get("invalid") == "true" and title_state.get("focused")
                 and not ad.d.execute_script(SENT), json.dumps(title_state))
    # A currency the server does not know: its 422 beside the amount.
    put(ad, f"{NEW} input[name='fields.title']", BIG)
    put(ad, f"{NEW} input[name='fields.amount.amount']", "1250.00")
    put(ad, f"{NEW} input[name='fields.amount.currency']", "ZZZ")
    with expected(ad, "records-422", "/v1/records/deal", 422):
        ad.click(f"{NEW} [data-action=record-create]")
        money = ad.wait(lambda: (f := field(ad, f"{NEW} input[name='fields.amount.amount']")) and f["error"] and f, WAIT) or {}
    currency = field(ad, f"{NEW} input[name='fields.amount.currency']")
    checks.check("a currency the server does not know: its 422 (fields.amount) is shown beside the amount and the currency, the title's error gone",
                 "ISO 4217" in money.get("error", "") and money.get("invalid") == "true" and currency.get("invalid") == "true"
                 and not field(ad, f"{NEW} input[name='fields.title']").get("error"), json.dumps(money))
    audit("records: the new record's form with the server's error", ad)
    put(ad, f"{NEW} input[name='fields.amount.currency']", "eur")
    choose(ad, f"{NEW} select[name='fields.{stage_key}']", "won")
    ad.d.execute_script(SET_VALUE, f"{NEW} input[name='fields.close_on']", "2026-12-31")
    ad.click(f"{NEW} input[name='fields.hot']")
    # The account: found with the customer search (listbox, ArrowDown, Enter).
    ad.click(f"{NEW} [data-field-key=account] [data-action=find-customer]")
    search = ad.visible(f"{NEW} [data-field-key=account] [role=combobox] input")
    if search is None:
        raise abort("no customer search in the account's field")
    search.send_keys("Carla Contract")
    ad.wait(lambda: ad.css(f"{NEW} [data-field-key=account] [role=option]") or None, WAIT)
    search.send_keys(Keys.ARROW_DOWN)
    search.send_keys(Keys.ENTER)
    account = ad.wait(lambda: (f := field(ad, f"{NEW} input[name='fields.account']")) and f["value"] == cid and f, WAIT) or {}
    chosen = ad.text(f"{NEW} [data-field-key=account] [data-field=chosen]")
    checks.check("the account is chosen with the customer search (ArrowDown, Enter): its id filled in, the name said",
                 bool(account) and CUSTOMER in chosen and account.get("focused"), f"{account} {chosen!r}")
    put(ad, f"{NEW} input[name=customer_id]", cid)
    ad.d.execute_script(SPY)
    ad.click(f"{NEW} [data-action=record-create]")
    done = ad.wait(lambda: "was created" in ad.text("[data-field=record-notice]") and any(r["cells"].get("title") == BIG for r in rows(ad)) or None, WAIT)
    sent = next((r for r in ad.d.execute_script(SENT) if r["method"] == "POST"), {})
    body = json.loads(sent.get("body") or "{}")
    checks.check("Create sends POST with an Idempotency-Key and the fields as the kinds take them (money, choice key, date, reference, boolean, customer_id)",
                 bool(done) and bool(sent.get("key")) and body == {"customer_id": cid, "fields": {
                     "title": BIG, "amount": {"amount": "1250.00", "currency": "EUR"}, stage_key: "won", "close_on": "2026-12-31", "account": cid, "hot": True}},
                 json.dumps(sent, ensure_ascii=False)[:400])
    big = next((r for r in rows(ad) if r["cells"].get("title") == BIG), {})
    account_link = next((a for a in big.get("links", []) if a["ref"] == "customer"), {})
    checks.check("the table shows the first five fields and Updated: money as 1,250.00 EUR, the stage by its label, the date, the account as a link named after the customer",
                 big.get("cells", {}).get("amount") == "1,250.00 EUR" and big["cells"].get(stage_key) == "Won" and big["cells"].get("close_on") == "Dec 31, 2026"
                 and account_link.get("href") == f"#/customers/{cid}" and account_link.get("text") == CUSTOMER and "updated_at" in big["cells"]
                 and [h["column"] for h in ad.d.execute_script(HEADERS)] == ["title", "amount", stage_key, "close_on", "account", "updated_at"],
                 json.dumps(big, ensure_ascii=False)[:400])
    fresh = field(ad, f"{NEW} input[name='fields.title']")
    checks.check("after Create the form is empty again for the next record, the stage back at its default",
                 fresh.get("value") == "" and field(ad, f"{NEW} select[name='fields.{stage_key}']").get("value") == "open", json.dumps(fresh))
    # Markup as a title, and a third.
    for title, amount, cur, stage in ((XSS_TITLE, "99.50", "USD", "lost"), (SMALL, "10.00", "EUR", "won")):
        put(ad, f"{NEW} input[name='fields.title']", title)
        put(ad, f"{NEW} input[name='fields.amount.amount']", amount)
        put(ad, f"{NEW} input[name='fields.amount.currency']", cur)
        choose(ad, f"{NEW} select[name='fields.{stage_key}']", stage)
        ad.click(f"{NEW} [data-action=record-create]")
        ad.wait(lambda t=title: any(r["cells"].get("title") == t for r in rows(ad)) or None, WAIT)
    xss = next((r for r in rows(ad) if r["cells"].get("title") == XSS_TITLE), {})
    pwned = ad.d.execute_script("return window.__pwned === undefined && document.querySelectorAll('main img').length === 0")
    checks.check("a title with <script> and <img onerror> is shown as text: no element made, nothing run",
                 bool(xss) and xss["markup"] == 0 and pwned, json.dumps(xss, ensure_ascii=False)[:300])
    server_records = stored()
    checks.check("the server has the three records", len(server_records) == 3, str(len(server_records)))
    ids = {r["fields"].get("title"): r["id"] for r in server_records}

    # --- Filter.
    put(ad, "[data-form=record-filter] input[name=filter]", won)
    ad.visible("[data-form=record-filter] input[name=filter]").send_keys(Keys.ENTER)
    filtered = ad.wait(lambda: sorted(r["cells"].get("title") for r in rows(ad)) == sorted([BIG, SMALL]) or None, WAIT)
    checks.check(f"the CEL filter {won} (Enter) keeps the won deals, and is kept in the address",
                 bool(filtered) and "filter=" in ad.d.current_url, f"{[r['cells'].get('title') for r in rows(ad)]} {ad.d.current_url}")
    put(ad, "[data-form=record-filter] input[name=filter]", f'fields.{stage_key} = "won"')
    with expected(ad, "records-filter", "/v1/records/deal", 400):
        ad.visible("[data-form=record-filter] input[name=filter]").send_keys(Keys.ENTER)
        bad = ad.wait(lambda: (f := field(ad, "[data-form=record-filter] input[name=filter]")) and f["error"] and f, WAIT) or {}
    checks.check("a filter the server cannot run shows its reason beside the box (aria-invalid, aria-describedby); the table is kept",
                 bad.get("error", "").startswith("This filter cannot be run:") and "==" in bad.get("error", "") and bad.get("invalid") == "true"
                 and len(rows(ad)) == 2, json.dumps(bad, ensure_ascii=False))
    audit("records: the table filtered, a bad filter's error", ad)
    put(ad, "[data-form=record-filter] input[name=filter]", "")
    ad.visible("[data-form=record-filter] input[name=filter]").send_keys(Keys.ENTER)
    ad.wait(lambda: len(rows(ad)) == 3 or None, WAIT)

    # --- Sort.
    ad.click("th[data-column=amount] button[data-sort=amount]")
    up = ad.wait(lambda: [r["cells"].get("title") for r in rows(ad)] == [SMALL, XSS_TITLE, BIG]
                 and ad.css("th[data-column=amount][aria-sort=ascending]") or None, WAIT)
    ad.click("th[data-column=amount] button[data-sort=amount]")
    down = ad.wait(lambda: [r["cells"].get("title") for r in rows(ad)] == [BIG, XSS_TITLE, SMALL]
                   and ad.css("th[data-column=amount][aria-sort=descending]") or None, WAIT)
    sorts = [h["sort"] for h in ad.d.execute_script(HEADERS)]
    checks.check("clicking the Amount header sorts ascending, again descending (aria-sort on that header only, sort in the address, focus kept)",
                 bool(up) and bool(down) and sorts.count(None) == len(sorts) - 1 and "sort=-amount" in ad.d.current_url
                 and ad.d.execute_script("return document.activeElement?.dataset.sort") == "amount", f"{sorts} {ad.d.current_url}")

    # --- A record's page.
    ad.click(f"tr[data-id='{ids[BIG]}'] a[data-action=open-record]")
    # The customers' names come after the page is drawn (GET /v1/customers/{id}): waited for too.
    page = ad.wait(lambda: (d := detail(ad)) and d.get("h1") == BIG and d["links"].get("account", {}).get("text") == CUSTOMER and d, WAIT) or detail(ad)
    fields = page.get("fields", {})
    checks.check("a record's page shows each field by its label: the amount and currency, the stage's label, the date, the account and the customer as links, Yes",
                 fields.get("amount") == "1,250.00 EUR" and fields.get(stage_key) == "Won" and fields.get("close_on") == "Dec 31, 2026" and fields.get("hot") == "Yes"
                 and page["links"].get("account") == {"href": f"#/customers/{cid}", "text": CUSTOMER} and page["links"].get("customer_id", {}).get("href") == f"#/customers/{cid}"
                 and page["labels"].get("amount") == "Amount" and page["labels"].get(stage_key) == "Stage",
                 json.dumps(page, ensure_ascii=False)[:500])
    audit("records: a record's page", ad)

    # --- Live: the agent has the same record open; the admin's edit arrives.
    ag.go(f"/#/records/deal/{ids[BIG]}")
    ag.wait(lambda: detail(ag).get("h1") == BIG and ag.css(".live-status[data-state=live]") or None, WAIT)
    ad.wait(lambda: ad.css(".live-status[data-state=live]") or None, WAIT)
    ad.d.execute_script(SPY)
    ad.click("[data-action=edit-record]")
    put(ad, f"{EDIT} input[name='fields.title']", BIG + " (signed)")
    ad.click(f"{EDIT} [data-action=record-save]")
    saved = ad.wait(lambda: detail(ad).get("h1") == BIG + " (signed)" and not ad.css(EDIT) or None, WAIT)
    patch = next((r for r in ad.d.execute_script(SENT) if r["method"] == "PATCH"), {})
    checks.check("Edit sends PATCH with only the changed field and If-Match of the version shown",
                 bool(saved) and json.loads(patch.get("body") or "{}") == {"fields": {"title": BIG + " (signed)"}} and patch.get("ifMatch") == f'"{ids[BIG]}-v1"',
                 json.dumps(patch, ensure_ascii=False))
    followed = ag.wait(lambda: (d := detail(ag)) and d["h1"] == BIG + " (signed)" and d.get("version") == "2" and d, LIVE_WAIT) or {}
    checks.check("the agent's open page shows the change live (rapport.record.updated), saying someone else changed it",
                 bool(followed) and "Someone else changed" in followed.get("notice", ""), json.dumps(followed, ensure_ascii=False)[:300])

    # A stale edit: the agent edits; the admin changes the amount meanwhile; the agent's save is 412.
    ag.click("[data-action=edit-record]")
    ag.wait(lambda: ag.visible(f"{EDIT} select[name='fields.{stage_key}']", 1), WAIT)
    choose(ag, f"{EDIT} select[name='fields.{stage_key}']", "lost")
    ad.click("[data-action=edit-record]")
    put(ad, f"{EDIT} input[name='fields.amount.amount']", "1300.00")
    ad.click(f"{EDIT} [data-action=record-save]")
    ad.wait(lambda: detail(ad).get("fields", {}).get("amount") == "1,300.00 EUR" or None, WAIT)
    ag.wait(lambda: detail(ag).get("fields", {}).get("amount") == "1,300.00 EUR" or None, LIVE_WAIT)
    with expected(ag, "records-412", f"/v1/records/deal/{ids[BIG]}", 412):
        ag.click(f"{EDIT} [data-action=record-save]")
        stale = ag.wait(lambda: "Someone else changed this record meanwhile" in ag.text(f"{EDIT} .form-message") or None, WAIT)
    kept = field(ag, f"{EDIT} select[name='fields.{stage_key}']")
    checks.check("a stale edit (the admin saved meanwhile) gets the 412 message; the record is read again and what was typed is kept",
                 bool(stale) and kept.get("value") == "lost" and detail(ag).get("version") == "3", f"{ag.text(EDIT + ' .form-message')!r} {kept}")
    audit("records: a stale edit's message", ag)
    ag.click(f"{EDIT} [data-action=record-save]")
    second = ag.wait(lambda: detail(ag).get("fields", {}).get(stage_key) == "Lost" and not ag.css(EDIT) or None, WAIT)
    now = http.get(f"/v1/records/deal/{ids[BIG]}").json()
    checks.check("saving again applies the agent's change over the admin's (both kept)",
                 bool(second) and now["fields"].get(stage_key) == "lost" and now["fields"]["amount"]["amount"] in ("1300.00", "1300") and now["version"] == 4,
                 json.dumps(now.get("fields"), ensure_ascii=False))

    # A record created elsewhere arrives in the open table; a deleted one leaves it.
    open_table(ad)
    open_table(ag)
    live_record = api.post("/v1/records/deal", {"fields": {"title": LIVE_TITLE, stage_key: "open"}})
    arrived = ad.wait(lambda: any(r["id"] == live_record["id"] for r in rows(ad)) or None, LIVE_WAIT)
    checks.check("a record created through the API appears in the admin's open table live (rapport.record.created)", bool(arrived), "")
    ad.go(f"/#/records/deal/{ids[XSS_TITLE]}")
    ad.wait(lambda: detail(ad).get("id") == ids[XSS_TITLE] or None, WAIT)
    xss_page = detail(ad)
    checks.check("the markup title is text on its page too (heading and field)", xss_page.get("h1") == XSS_TITLE and xss_page.get("markup") == 0
                 and ad.d.execute_script("return window.__pwned === undefined && document.querySelectorAll('main img, main script').length === 0"), xss_page.get("h1", ""))
    ad.click("[data-action=delete-record]")
    asked = ad.wait(lambda: accept_alert(ad) or None, 3)
    gone = ad.wait(lambda: "was deleted" in detail(ad).get("deleted", "") or "was deleted" in ad.text("[data-field=record-deleted]") or None, WAIT)
    status = http.get(f"/v1/records/deal/{ids[XSS_TITLE]}").status_code
    checks.check("Delete asks for a confirmation, then the record is gone (404)", bool(asked) and bool(gone) and status == 404, f"asked {asked!r}, GET {status}")
    left = ag.wait(lambda: not any(r["id"] == ids[XSS_TITLE] for r in rows(ag)) and any(r["id"] == live_record["id"] for r in rows(ag)) or None, LIVE_WAIT)
    checks.check("... and it leaves the agent's open table (rapport.record.deleted), where the API's record arrived", bool(left), "")

    # --- The type changes: a field added, one retired, a choice added (PUT with If-Match).
    ag.click("[data-action=new-record]")
    ag.wait(lambda: ag.visible(f"{NEW} input[name='fields.title']", 1), WAIT)
    put(ag, f"{NEW} input[name='fields.title']", "Typed before the change")
    ad.go("/#/admin/record-types")
    ad.wait(lambda: ad.css(".admin-section tr[data-id=deal] [data-action=edit]") or None, WAIT)
    ad.click(".admin-section tr[data-id=deal] [data-action=edit]")
    editing = ad.wait(lambda: ad.text("#record-type-form-title") == "Edit record type Deal"
                      and ad.css(f"{FORM} input[name='fields[5].retired']") or None, WAIT)
    keys = [e.get_attribute("readonly") is not None for e in ad.css(f"{FORM} [data-part=key]")]
    checks.check("Edit fills the form with the stored type: the type's key and the stored fields' keys are read-only, each has 'Retired'",
                 bool(editing) and ad.css(f"{FORM} input[name=key][readonly]") and keys == [True] * 6, str(keys))
    ad.click(f"{FORM} [data-list=type-fields] > li:nth-child(3) [data-action=add-choice]")
    put(ad, f"{FORM} input[name='fields[2].choices[3].key']", "negotiation")
    put(ad, f"{FORM} input[name='fields[2].choices[3].label']", "Negotiation")
    ad.click(f"{FORM} input[name='fields[5].retired']")
    ad.click(f"{FORM} [data-action=add-field]")
    put(ad, f"{FORM} input[name='fields[6].key']", "source")
    put(ad, f"{FORM} input[name='fields[6].label']", "Source")
    ad.d.execute_script(SPY)
    ad.click(f"{FORM} [data-action=save-type]")
    changed = ad.wait(lambda: "was saved" in ad.text("[data-field=record-types-notice]") or None, WAIT)
    put_request = next((r for r in ad.d.execute_script(SENT) if r["method"] == "PUT"), {})
    deal = api.get("/v1/record-types/deal")
    checks.check("saving sends PUT with If-Match \"rt_deal-v1\": the type is at version 2 with Source, Hot retired and the new choice",
                 bool(changed) and put_request.get("ifMatch") == '"rt_deal-v1"' and deal["version"] == 2
                 and [f["key"] for f in deal["fields"]][-1] == "source" and next(f for f in deal["fields"] if f["key"] == "hot")["retired"] is True
                 and "negotiation" in [c["key"] for c in deal["fields"][2]["choices"]], json.dumps(put_request)[:300])
    follows = ag.wait(lambda: (s := {f["key"]: f for f in ag.d.execute_script(FORM_SHAPE, NEW) or []}) and "source" in s and "hot" not in s and s, LIVE_WAIT) or {}
    checks.check("the agent's open form follows the change live (rapport.record_type.updated): Source added, Hot gone, Negotiation offered, what was typed kept",
                 bool(follows) and "Negotiation" in follows.get(stage_key, {}).get("options", [])
                 and field(ag, f"{NEW} input[name='fields.title']").get("value") == "Typed before the change", str(list(follows)))
    open_table(ag)
    ag.click("[data-action=new-record]")
    fresh_shape = ag.wait(lambda: [f["key"] for f in ag.d.execute_script(FORM_SHAPE, NEW) or []] or None, WAIT) or []
    checks.check("a fresh form has Source and no Hot lead", "source" in fresh_shape and "hot" not in fresh_shape, str(fresh_shape))
    ag.go(f"/#/records/deal/{ids[BIG]}")
    retired_page = ag.wait(lambda: (d := detail(ag)) and d.get("id") == ids[BIG] and d, WAIT) or {}
    checks.check("a record's page shows the retired field's value, marked retired, and the new field",
                 retired_page.get("labels", {}).get("hot") == "Hot lead (retired)" and retired_page.get("fields", {}).get("hot") == "Yes"
                 and "source" in retired_page.get("fields", {}), json.dumps(retired_page.get("labels", {}), ensure_ascii=False))

    # A change stored values cannot take: the title made a number.
    ad.click(".admin-section tr[data-id=deal] [data-action=edit]")
    ad.wait(lambda: ad.text("#record-type-form-title") == "Edit record type Deal" or None, WAIT)
    choose(ad, f"{FORM} select[name='fields[0].kind']", "number")
    with expected(ad, "records-blocking", "/v1/record-types/deal", 422):
        ad.click(f"{FORM} [data-action=save-type]")
        links = ad.wait(lambda: [(a.get_attribute("href"), a.text) for a in ad.css("[data-field=blocking-records] a[data-action=blocking-record]")] or None, WAIT) or []
    # Every record's title is words, so each of them blocks (the server names up to 20).
    blocking = [rec["id"] for rec in stored(limit=50)]
    beside = field(ad, f"{FORM} select[name='fields[0].kind']")
    checks.check("a change stored records cannot take is refused: the blocking records are links to them (as the server names them), the error beside the field",
                 bool(blocking) and sorted(h.split("#", 1)[1] for h, _ in links) == sorted(f"/records/deal/{i}" for i in blocking)
                 and sorted(text for _, text in links) == sorted(blocking) and bool(beside.get("error")) and beside.get("invalid") == "true"
                 and ad.css(f"{FORM} [data-list=type-fields] > li:nth-child(1) [data-field=blocking] a"),
                 f"links {links}, records {blocking}, beside {beside}")
    audit("records: admin, a change refused with the blocking records", ad)
    if links:
        ad.click("[data-field=blocking-records] a[data-action=blocking-record]")
        opened = ad.wait(lambda: (d := detail(ad)) and d.get("id") in blocking and d, WAIT)
        checks.check("a blocking record's link opens that record", bool(opened), ad.d.current_url)

    # --- More than a page: "Show more" reads the next one (next_cursor).
    before = len(stored(limit=200))
    for i in range(PAGING):
        api.post("/v1/records/deal", {"fields": {"title": f"Bulk deal {i:02d}"}})
    open_table(ag)
    first = ag.wait(lambda: len(rows(ag)) == 50 and ag.visible("[data-action=more-records]", 1) or None, WAIT)
    ag.click("[data-action=more-records]")
    rest = ag.wait(lambda: len(rows(ag)) == before + PAGING and not ag.css("[data-action=more-records]:not([hidden])") or None, WAIT)
    checks.check(f"with {before + PAGING} records the table shows 50 and 'Show more'; it reads the rest (next_cursor), each once",
                 bool(first) and bool(rest) and len({r["id"] for r in rows(ag)}) == before + PAGING, f"{len(rows(ag))} shown")

    # --- Chinese, 375 px, the first load.
    ag.go(f"/#/records/deal/{ids[BIG]}")
    ag.wait(lambda: detail(ag).get("id") == ids[BIG] or None, WAIT)
    language = ag.visible(".lang-switch select")
    language.find_element(By.CSS_SELECTOR, "option[value='zh-CN']").click()
    zh = ag.wait(lambda: (d := detail(ag)) and d.get("labels", {}).get("customer_id") == "客户" and d, WAIT) or {}
    checks.check("in Chinese a record's page speaks Chinese (客户, 创建时间, 是, 编辑, 删除)",
                 bool(zh) and zh["labels"].get("created_at") == "创建时间" and zh["fields"].get("hot") == "是"
                 and ag.text("[data-action=edit-record]") == "编辑" and ag.text("[data-action=delete-record]") == "删除", json.dumps(zh.get("labels", {}), ensure_ascii=False))
    audit("records: a record's page (zh-CN)", ag)
    open_table(ag)
    headers = [h["text"] for h in ag.d.execute_script(HEADERS)]
    checks.check("in Chinese the table and its form speak Chinese (新建, 筛选（CEL）, 更新时间)",
                 ag.text("[data-action=new-record]") == "新建" and "筛选（CEL）" in ag.text("[data-form=record-filter] label") and "更新时间" in headers[-1],
                 f"{headers}")
    with colleagues.phone_width(ag):
        colleagues.fits(ag, checks, "the records' table (in Chinese)")
        ag.click("[data-action=new-record]")
        ag.wait(lambda: ag.visible(f"{NEW} input[name='fields.title']", 1), WAIT)
        colleagues.fits(ag, checks, "the new record's form (in Chinese)")
        audit("records: the table and the form at 375 px (zh-CN)", ag)
        ag.go(f"/#/records/deal/{ids[BIG]}")
        ag.wait(lambda: detail(ag).get("id") == ids[BIG] or None, WAIT)
        colleagues.fits(ag, checks, "a record's page (in Chinese)")
    ag.d.execute_script("localStorage.setItem('rapport.locale', 'en')")
    ad.d.execute_script("localStorage.setItem('rapport.locale', 'zh-CN')")
    ad.go("/#/admin/record-types")
    ad.d.refresh()
    admin_zh = ad.wait(lambda: ad.h1() == "记录类型" and ad.css(".admin-section tr[data-id=deal]") or None, WAIT)
    if admin_zh:
        ad.click(".admin-section tr[data-id=deal] [data-action=edit]")
        ad.wait(lambda: ad.css(f"{FORM} select[name='fields[1].kind']") or None, WAIT)
    kind_text = Select(ad.css(f"{FORM} select[name='fields[1].kind']")[0]).first_selected_option.text if ad.css(f"{FORM} select[name='fields[1].kind']") else ""
    checks.check("in Chinese Administration · Record types speaks Chinese (记录类型, the kind 金额)", bool(admin_zh) and kind_text == "金额", f"{ad.h1()!r} {kind_text!r}")
    with colleagues.phone_width(ad):
        colleagues.fits(ad, checks, "Administration · Record types while editing (in Chinese)")
        audit("records: admin, record types at 375 px (zh-CN)", ad)
    ad.d.execute_script("localStorage.setItem('rapport.locale', 'en')")
    ag.go("/#/records/deal")
    ag.d.refresh()
    ag.wait(lambda: rows(ag) or None, WAIT)
    sizes = ag.d.execute_script(SIZES)
    total = sizes["page"] + sizes["assets"]
    checks.check(f"the first load of the records' table is under {FIRST_LOAD_BUDGET // 1000} KB, the records' modules and messages loaded with the page only",
                 0 < total < FIRST_LOAD_BUDGET and "i18n/records/en.js" in sizes["names"] and not any("record-types" in n for n in sizes["names"]),
                 f"{total / 1000:.1f} KB in {sizes['files'] + 1} files")
