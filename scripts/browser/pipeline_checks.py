"""Pipelines, templates, the Board, the stage history and "Pipeline by stage" in the console browser
test (console_test.py calls `pipeline_checks`; `--only pipeline` runs them alone). The sales template
brings the type `deal`, which the records checks define by hand: in the whole suite these checks get
a server of their own.

Through the API (the admin key) the test makes an admin and an agent with passwords, each signed in
in a browser of their own. Then:

- the admin opens Administration → Record types: "Install a template" lists the server's templates
  with the types each brings; installing `sales` says it created `deal`, `deal_line` and `quote`
  (links), installing it again that all three were kept as they were;
- a customer and five deals are made through the API, with amounts, in several stages (one title is
  `<img onerror>` markup);
- the type's page offers Table and Board (aria-pressed); Board is kept in the address
  (`?view=board`); a column per stage in pipeline order with its label, won/lost, count and the sum
  of the amounts; "Pipeline by stage" is an SVG (role=img, named by its numbers) with a table of the
  same numbers as the database computes them (GET /v1/aggregates); the markup title is text;
- a card dragged onto `proposal` (Selenium's drag_and_drop when Chromium fires the HTML5 events for
  it, else the same events dispatched from a script) moves the deal: PATCH with `stage` and If-Match;
  the agent's Board (a second window) shows it live;
- from the keyboard: "Move to…" on a card (typed, Tab, Enter) moves a deal to `won`, the focus stays
  with the card; moving one to `lost` opens a dialog asking for exactly `lost_reason` (the server's
  422), empty is refused beside the input, Escape leaves the deal where it was, filled in it moves;
- the chart's numbers follow the moves; the filter `stage == "won" || stage == "lost"` narrows the
  Board and the chart alike (kept in the address with the view); a deal's page shows its stage (Lost, marked lost) and the
  stage history (each stage, entered, left, time in stage in words, who moved it); its "Move to…"
  moves another deal to `negotiation`, whose dialog asks for the expected close date only (a date
  input, as the record's form has it) — the amount is there already;
- the deal is on the customer's Customer 360 timeline: the type's label, its title as a link to it,
  its stage;
- the admin edits the pipeline in the type's form (a stage relabelled, its probability changed, a
  stage added, moved up twice): a first stage made "won" is refused beside its outcome
  (`stages[0].outcome`), taking away `lost` where a deal stands lists that deal as a link beside the
  stages; then saved (PUT with If-Match and every stage): the agent's Board follows live;
- Chinese, 375 px (the Board scrolls inside its own region, the page does not), the first load of the
  Board and of the table (the Board's modules only with the Board); axe-core on each page state.

Everything waits for what it checks (`b.wait`), never a fixed time.
"""

from __future__ import annotations

import json
import time

from selenium.common.exceptions import WebDriverException
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select

import colleagues
from colleagues import FIRST_LOAD_BUDGET, LIVE_WAIT, SET_VALUE, UserSession, WAIT, expected

PASSWORD = "pipelines and templates 1234"
ADMIN = {"email": "pia.pipeline@example.com", "name": "Pia Pipeline"}
AGENT = {"email": "paul.pipeline@example.com", "name": "Paul Pipeline"}
CUSTOMER = "Bruno Board 布鲁诺"
MARKUP = '<img src=x onerror="window.__pwned=1"> Markup deal'
ALPHA, BETA, GAMMA, DELTA = "Alpha deal 阿尔法", "Beta deal", "Gamma deal", "Delta deal"
LOST_REASON = "Chose a competitor"
STAGES = ["qualification", "needs_analysis", "proposal", "negotiation", "won", "lost"]

FORM = "[data-form=record-type]"
# The sales template's `deal`, as the server's template defines it: made through the API only when the
# server has no templates, so that the rest of the checks still run (the install's checks fail then).
DEAL = {"key": "deal", "label": "Deal", "plural_label": "Deals", "fields": [
    {"key": "title", "label": "Title", "kind": "text", "required": True},
    {"key": "amount", "label": "Amount", "kind": "money"},
    {"key": "close_date", "label": "Expected close", "kind": "date"},
    {"key": "owner", "label": "Owner", "kind": "reference", "target": "user"},
    {"key": "needs", "label": "Customer needs", "kind": "long_text"},
    {"key": "lost_reason", "label": "Why lost", "kind": "text"}],
    "stages": [
        {"key": "qualification", "label": "Qualification", "probability": 10},
        {"key": "needs_analysis", "label": "Needs analysis", "probability": 25},
        {"key": "proposal", "label": "Proposal", "probability": 50, "required_fields": ["amount"]},
        {"key": "negotiation", "label": "Negotiation", "probability": 75, "required_fields": ["amount", "close_date"]},
        {"key": "won", "label": "Won", "outcome": "won", "required_fields": ["amount"]},
        {"key": "lost", "label": "Lost", "outcome": "lost", "required_fields": ["lost_reason"]}]}

# The Board: per column its stage, heading, count, sum and cards (with what markup in them made).
BOARD = """
const board = document.querySelector('.board');
if (!board) return null;
return [...board.querySelectorAll('.board-column')].map((col) => ({
  stage: col.dataset.stage, count: Number(col.dataset.count), drop: col.dataset.drop === 'true',
  label: col.querySelector('[data-field=label]')?.textContent ?? '', outcome: col.dataset.outcome ?? null,
  badge: col.querySelector('.board-column-title [data-outcome]')?.textContent ?? null,
  shownCount: col.querySelector('.board-sum [data-field=count]')?.textContent ?? '', sum: col.querySelector('.board-sum [data-field=sum]')?.textContent ?? '',
  cards: [...col.querySelectorAll('.board-card')].map((c) => ({ id: c.dataset.id, title: c.querySelector('[data-field=title]')?.textContent ?? '',
    href: c.querySelector('[data-field=title]')?.getAttribute('href'), money: c.querySelector('[data-field=money]')?.textContent ?? '',
    draggable: c.getAttribute('draggable'), markup: c.querySelectorAll('img, script').length,
    moveLabel: c.querySelector('[data-action=move-select]')?.getAttribute('aria-label') ?? '' })),
}));
"""
# "Pipeline by stage": the SVG's name and bars, the table's rows.
CHART = """
const card = document.querySelector('[data-card=pipeline-chart]');
if (!card) return null;
const svg = card.querySelector('svg[data-chart=pipeline]');
return { title: card.querySelector('h2')?.textContent ?? '', busy: card.querySelector('[data-report]')?.getAttribute('aria-busy'),
  problem: card.querySelector('[data-field=chart-problem]')?.textContent ?? '',
  svg: svg ? { role: svg.getAttribute('role'), label: svg.getAttribute('aria-label'), bars: [...svg.querySelectorAll('g')].map((g) => g.dataset.stage) } : null,
  rows: [...card.querySelectorAll('table[data-table=pipeline] tbody tr')].map((tr) => ({ stage: tr.dataset.stage,
    head: tr.querySelector('th')?.textContent ?? '', count: tr.querySelector('[data-field=count]')?.textContent ?? '', sum: tr.querySelector('[data-field=sum]')?.textContent ?? '' })) };
"""
STAGE_CARD = """
const card = document.querySelector('[data-card=record-stage]');
if (!card) return null;
return { stage: card.dataset.stage, label: card.querySelector('[data-field=stage-label]')?.textContent ?? '', outcome: card.dataset.outcome, title: card.querySelector('h2')?.textContent ?? '',
  history: [...card.querySelectorAll('table.stage-history tbody tr')].map((tr) => ({ stage: tr.dataset.stage, open: tr.dataset.open === 'true',
    cells: Object.fromEntries([...tr.querySelectorAll('[data-field]')].map((c) => [c.dataset.field, c.textContent])),
    times: [...tr.querySelectorAll('time')].map((t) => t.getAttribute('datetime')) })),
  heads: [...card.querySelectorAll('table.stage-history thead th')].map((th) => th.textContent) };
"""
DIALOG = """
const d = document.querySelector('dialog[data-dialog=stage-fields]');
if (!d) return null;
const inputs = [...d.querySelectorAll('input, select, textarea')];
return { open: d.open, stage: d.dataset.stage, title: d.querySelector('h2')?.textContent ?? '', labelledBy: d.getAttribute('aria-labelledby'),
  names: inputs.map((i) => i.name), labels: inputs.map((i) => i.labels?.[0]?.textContent ?? ''),
  focused: inputs.includes(document.activeElement) ? document.activeElement.name : null,
  errors: [...d.querySelectorAll('.field-error')].filter((e) => !e.hidden).map((e) => e.textContent),
  invalid: inputs.filter((i) => i.getAttribute('aria-invalid') === 'true').map((i) => i.name) };
"""
# HTML5 drag and drop as a person's drag makes it: dragstart on the card, dragenter/dragover/drop
# on the column, dragend on the card, with one DataTransfer.
DRAG = """
const [card, column] = arguments;
const data = new DataTransfer();
const fire = (el, type) => el.dispatchEvent(new DragEvent(type, { bubbles: true, cancelable: true, dataTransfer: data }));
fire(card, 'dragstart');
fire(column, 'dragenter');
const over = !fire(column, 'dragover');
const dropped = !fire(column, 'drop');
fire(card, 'dragend');
return { over, dropped };
"""
SPY = """
if (!window.__sent) {
  window.__sent = [];
  const original = window.fetch;
  window.fetch = (url, options = {}) => {
    window.__sent.push({ url: String(url), method: options.method ?? 'GET', ifMatch: options.headers?.['If-Match'] ?? null, body: options.body ?? null });
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
FIELD = """
const el = document.querySelector(arguments[0]);
if (!el) return null;
const ids = (el.getAttribute('aria-describedby') || '').split(/\\s+/).filter(Boolean);
const errors = ids.map((id) => document.getElementById(id)).filter((e) => e && e.classList.contains('field-error') && !e.hidden);
return { error: errors.map((e) => e.textContent).join(' '), invalid: el.getAttribute('aria-invalid'), focused: document.activeElement === el, value: el.value };
"""


def _log(msg: str) -> None:
    print(f"[pipeline {time.strftime('%H:%M:%S')}] {msg}", flush=True)


def pipeline_checks(b, server, api, checks, audit, *, new_browser, abort) -> None:
    """`b`: the test's Browser (the admin and the agent get browsers of their own from
    `new_browser()`, whose consoles are added to `b`'s at the end); `api`: the admin-key client;
    `audit(page, browser)` runs axe-core in that browser; `abort`: the exception that stops the test."""
    base = server.base
    colleagues.user(api, base, ADMIN, None, PASSWORD, role="admin")
    colleagues.user(api, base, AGENT, None, PASSWORD, role="agent")
    customer = api.post("/v1/customers", {"name": CUSTOMER, "emails": ["bruno.board@example.com"]})
    with colleagues.own_browsers(b, new_browser, "pipeline-admin", "pipeline-agent") as (ad, ag):
        colleagues.sign_in_all(checks, abort, "pipeline: the admin and the agent sign in in browsers of their own", [(ad, ADMIN), (ag, AGENT)], PASSWORD)
        _run(ad, ag, base, api, checks, audit, customer=customer, abort=abort)


def _run(ad, ag, base, api, checks, audit, *, customer, abort) -> None:
    cid = customer["id"]
    http = UserSession(base, ADMIN["email"], PASSWORD)

    def board(br) -> list:
        return br.d.execute_script(BOARD) or []

    def column(br, stage: str) -> dict:
        return next((c for c in board(br) if c["stage"] == stage), {})

    def titles(br, stage: str) -> list:
        return sorted(c["title"] for c in column(br, stage).get("cards", []))

    def chart(br) -> dict:
        return br.d.execute_script(CHART) or {}

    def chart_rows(br) -> dict:
        return {r["stage"]: (r["count"], r["sum"]) for r in chart(br).get("rows", [])}

    def field(br, selector: str) -> dict:
        return br.d.execute_script(FIELD, selector) or {}

    def dialog(br) -> dict:
        return br.d.execute_script(DIALOG) or {}

    def deal(record_id: str) -> dict:
        return http.get(f"/v1/records/deal/{record_id}").json()

    def put(br, selector: str, text: str) -> None:
        el = br.visible(selector)
        if el is None:
            raise abort(f"no {selector}")
        br.d.execute_script("arguments[0].scrollIntoView({block: 'center'})", el)
        el.clear()
        if text:
            el.send_keys(text)

    def open_board(br, path: str = "/#/records/deal?view=board") -> None:
        br.go(path)
        br.wait(lambda: br.css(".live-status[data-state=live]") and board(br) and not br.css(".board-wrap[aria-busy]") or None, WAIT)

    # --- Administration → Record types: install a template.
    ad.go("/#/admin/record-types")
    listed = ad.wait(lambda: ad.h1() == "Record types" and ad.css("[data-card=templates] [data-list=templates] li[data-template=sales]") or None, WAIT)
    sales = ad.d.execute_script("""
        const li = document.querySelector('[data-list=templates] li[data-template=sales]');
        return li ? { heading: li.querySelector('h3')?.textContent, summary: li.querySelector('p')?.textContent,
          types: li.querySelector('[data-field=record-types]')?.textContent, button: li.querySelector('[data-action=install-template]')?.getAttribute('aria-label'),
          all: [...document.querySelectorAll('[data-list=templates] > li')].map((l) => l.dataset.template) } : null;""") or {}
    checks.check("Administration → Record types has 'Install a template': the server's templates, each with its summary and the record types it brings",
                 bool(listed) and sales.get("heading") == "Sales" and sales.get("types") == "deal, deal_line, quote" and "pipeline" in (sales.get("summary") or "")
                 and sales.get("button") == "Install the template Sales", json.dumps(sales, ensure_ascii=False)[:400]
                 if sales else ad.text("[data-card=templates]")[:300])
    audit("pipeline: admin, the templates", ad)
    installed = False
    if listed:
        ad.click("[data-list=templates] li[data-template=sales] [data-action=install-template]")
        result = ad.wait(lambda: (r := ad.d.execute_script(
            "const r = document.querySelector('[data-field=template-result]'); return r && r.textContent ? { text: r.textContent,"
            " installed: [...r.querySelectorAll('[data-field=installed] + ul li')].map((li) => li.dataset.type),"
            " kept: [...r.querySelectorAll('[data-field=kept] + ul li')].map((li) => li.dataset.type),"
            " links: [...r.querySelectorAll('a')].map((a) => a.getAttribute('href')) } : null")) and r, WAIT) or {}
        types = {t["key"]: t for t in api.get("/v1/record-types")["data"]}
        installed = {"deal", "deal_line", "quote"} <= set(types)
        checks.check("Install creates the sales template's types and says so: deal, deal_line and quote as links to their records, none kept",
                     installed and result.get("installed") == ["deal", "deal_line", "quote"] and result.get("kept") == []
                     and "#/records/deal" in result.get("links", []) and [s["key"] for s in types["deal"].get("stages", [])] == STAGES
                     and ad.css(".admin-section tr[data-id=deal]"), json.dumps(result, ensure_ascii=False)[:400])
        ad.click("[data-list=templates] li[data-template=sales] [data-action=install-template]")
        again = ad.wait(lambda: (r := ad.d.execute_script(
            "const r = document.querySelector('[data-field=template-result]'); return r && r.querySelector('[data-field=kept]') ? {"
            " installed: r.querySelector('[data-field=installed]')?.textContent, kept: [...r.querySelectorAll('[data-field=kept] + ul li')].map((li) => li.dataset.type) } : null"))
                        and r, WAIT) or {}
        checks.check("installing it again creates nothing and says all three were kept as they are",
                     again.get("kept") == ["deal", "deal_line", "quote"] and "created no record type" in (again.get("installed") or ""), json.dumps(again))
        audit("pipeline: admin, a template installed again", ad)
    if not installed:
        _log("the server installed no template: the sales deal is made through the API so that the other checks run")
        if "deal" not in {t["key"] for t in api.get("/v1/record-types")["data"]}:
            api.post("/v1/record-types", DEAL)

    # --- Deals through the API, in several stages.
    made = {}
    for title, amount, stage, extra in ((ALPHA, "1000.00", "qualification", {}), (BETA, "40.00", "qualification", {}),
                                        (GAMMA, "500.00", "proposal", {}), (DELTA, "250.00", "negotiation", {"close_date": "2026-12-31"}),
                                        (MARKUP, "10.00", "needs_analysis", {})):
        body = {"stage": stage, "fields": {"title": title, "amount": {"amount": amount, "currency": "EUR"}, **extra}}
        if title == ALPHA:
            body["customer_id"] = cid
        made[title] = api.post("/v1/records/deal", body)
    ids = {title: r["id"] for title, r in made.items()}
    checks.check("five deals are made through the API in their stages (the stage a create names is kept)",
                 [made[t]["stage"] for t in (ALPHA, BETA, GAMMA, DELTA, MARKUP)] == ["qualification", "qualification", "proposal", "negotiation", "needs_analysis"],
                 str([made[t].get("stage") for t in made]))

    # --- The type's page: Table and Board.
    ad.go("/#/records/deal")
    switch = ad.wait(lambda: ad.css("[data-field=view-switch]:not([hidden]) button[data-view=board]") and ad.css("table.record-table") or None, WAIT)
    pressed = ad.d.execute_script("return [...document.querySelectorAll('[data-field=view-switch] button')].map((b) => [b.dataset.view, b.getAttribute('aria-pressed'), b.textContent])")
    checks.check("a type with stages offers Table and Board (a group of toggle buttons, aria-pressed), the Table first",
                 bool(switch) and pressed == [["table", "true", "Table"], ["board", "false", "Board"]]
                 and ad.d.execute_script("return document.querySelector('[data-field=view-switch]').getAttribute('role')") == "group", str(pressed))
    ad.click("[data-field=view-switch] button[data-view=board]")
    drawn = ad.wait(lambda: len(board(ad)) == len(STAGES) and (c := chart(ad)) and c.get("rows") or None, WAIT)
    cols = board(ad)
    checks.check("Board is kept in the address (?view=board) and shows a column per stage in pipeline order, the Table hidden",
                 bool(drawn) and "view=board" in ad.d.current_url and [c["stage"] for c in cols] == STAGES
                 and [c["label"] for c in cols] == ["Qualification", "Needs analysis", "Proposal", "Negotiation", "Won", "Lost"]
                 and not ad.visible("[data-card=records]", 0.5), f"{ad.d.current_url} {[c['stage'] for c in cols]}")
    qual = column(ad, "qualification")
    checks.check("each column says how many deals stand in it and the sum of their amounts; won and lost are marked",
                 qual.get("shownCount") == "2 records" and qual.get("sum") == "1,040.00 EUR" and column(ad, "proposal").get("sum") == "500.00 EUR"
                 and column(ad, "lost").get("shownCount") == "0 records" and column(ad, "won").get("outcome") == "won" and column(ad, "lost").get("outcome") == "lost"
                 and column(ad, "proposal").get("outcome") == "open" and column(ad, "proposal").get("badge") is None, json.dumps(qual, ensure_ascii=False)[:400])
    alpha_card = next((c for c in qual.get("cards", []) if c["id"] == ids[ALPHA]), {})
    markup_card = next(iter(column(ad, "needs_analysis").get("cards", [])), {})
    checks.check("a card shows the deal's title as a link to it and its amount; it can be dragged and has 'Move to…' named after the deal",
                 alpha_card.get("title") == ALPHA and alpha_card.get("href") == f"#/records/deal/{ids[ALPHA]}" and alpha_card.get("money") == "1,000.00 EUR"
                 and alpha_card.get("draggable") == "true" and alpha_card.get("moveLabel") == f"Move “{ALPHA}” to another stage",
                 json.dumps(alpha_card, ensure_ascii=False))
    checks.check("a title with <img onerror> markup is text on its card: no element made, nothing run",
                 markup_card.get("title") == MARKUP and markup_card.get("markup") == 0 and ad.d.execute_script("return window.__pwned === undefined"),
                 json.dumps(markup_card, ensure_ascii=False))
    shown = chart(ad)
    numbers = chart_rows(ad)
    checks.check("'Pipeline by stage' is an SVG chart (role=img, named by its numbers) of the amounts per stage in pipeline order, with the same numbers as a table",
                 shown.get("title") == "Pipeline by stage" and (shown.get("svg") or {}).get("role") == "img" and (shown.get("svg") or {}).get("bars") == STAGES
                 and "Qualification: 1,040.00 EUR" in ((shown.get("svg") or {}).get("label") or "")
                 and numbers == {"qualification": ("2", "1,040.00 EUR"), "needs_analysis": ("1", "10.00 EUR"), "proposal": ("1", "500.00 EUR"),
                                 "negotiation": ("1", "250.00 EUR"), "won": ("0", "0.00 EUR"), "lost": ("0", "0.00 EUR")},
                 json.dumps(shown, ensure_ascii=False)[:600])
    audit("pipeline: the Board with its chart", ad)

    # The agent: the Board from the address, in a second window.
    open_board(ag)
    checks.check("opening #/records/deal?view=board shows the Board at once (Board pressed)",
                 len(board(ag)) == len(STAGES) and ag.css("[data-field=view-switch] button[data-view=board][aria-pressed=true]"), str(len(board(ag))))

    # --- Drag and drop: Beta from qualification to proposal.
    ad.d.execute_script(SPY)
    beta = ad.css(f".board-card[data-id='{ids[BETA]}']")
    target = ad.css(".board-column[data-stage=proposal]")
    how = "Selenium's drag_and_drop"
    if beta and target:
        try:
            ActionChains(ad.d).drag_and_drop(beta[0], target[0]).perform()
        except WebDriverException as e:
            _log(f"drag_and_drop: {type(e).__name__}")
    moved = ad.wait(lambda: ids[BETA] in [c["id"] for c in column(ad, "proposal").get("cards", [])] or None, 3)
    if not moved:
        how = "the HTML5 drag events dispatched from a script (Chromium fires none for Selenium's drag_and_drop)"
        beta = ad.css(f".board-card[data-id='{ids[BETA]}']")
        fired = ad.d.execute_script(DRAG, beta[0], ad.css(".board-column[data-stage=proposal]")[0]) if beta else {}
        _log(f"drag events: {fired}")
        moved = ad.wait(lambda: ids[BETA] in [c["id"] for c in column(ad, "proposal").get("cards", [])] or None, WAIT)
    patch = next((r for r in ad.d.execute_script(SENT) if r["method"] == "PATCH"), {})
    now = deal(ids[BETA])
    checks.check(f"dragging a card onto the Proposal column moves the deal ({how}): PATCH with the stage and If-Match, the columns' counts and sums follow",
                 bool(moved) and json.loads(patch.get("body") or "{}") == {"stage": "proposal"} and patch.get("ifMatch") == f'"{ids[BETA]}-v1"'
                 and now.get("stage") == "proposal" and column(ad, "qualification").get("sum") == "1,000.00 EUR"
                 and column(ad, "proposal").get("sum") == "540.00 EUR" and "moved to Proposal" in ad.text("[data-field=board-notice]"),
                 json.dumps(patch, ensure_ascii=False)[:300])
    live = ag.wait(lambda: ids[BETA] in [c["id"] for c in column(ag, "proposal").get("cards", [])] and column(ag, "proposal").get("sum") == "540.00 EUR" or None, LIVE_WAIT)
    checks.check("the agent's Board in a second window shows the move live (rapport.record.updated)", bool(live), json.dumps(column(ag, "proposal"))[:300])
    follows = ad.wait(lambda: chart_rows(ad).get("proposal") == ("2", "540.00 EUR") and chart_rows(ad).get("qualification") == ("1", "1,000.00 EUR") or None, WAIT)
    checks.check("the chart's numbers follow the move (asked of the database again)", bool(follows), json.dumps(chart_rows(ad), ensure_ascii=False))

    # --- The keyboard: "Move to…" Gamma to Won (typed, Tab, Enter).
    select = ad.css(f".board-card[data-id='{ids[GAMMA]}'] [data-action=move-select]")
    if not select:
        raise abort("no 'Move to…' on Gamma's card")
    ad.d.execute_script("arguments[0].scrollIntoView({block: 'center'}); arguments[0].focus()", select[0])
    ActionChains(ad.d).send_keys("Won").perform()
    chosen = Select(select[0]).first_selected_option.get_attribute("value")
    ActionChains(ad.d).send_keys(Keys.TAB).perform()
    on_button = ad.d.execute_script("return document.activeElement?.dataset.action")
    ActionChains(ad.d).send_keys(Keys.ENTER).perform()
    won = ad.wait(lambda: ids[GAMMA] in [c["id"] for c in column(ad, "won").get("cards", [])] or None, WAIT)
    focus = ad.d.execute_script("const a = document.activeElement; return [a?.closest('.board-card')?.dataset.id, a?.closest('.board-column')?.dataset.stage, a?.dataset.action]")
    checks.check("from the keyboard 'Move to…' (Won typed, Tab to Move, Enter) moves a deal to Won; the focus stays on its card, in its new column",
                 chosen == "won" and on_button == "move-record" and bool(won) and deal(ids[GAMMA]).get("stage") == "won"
                 and focus == [ids[GAMMA], "won", "move-select"], f"chosen {chosen}, button {on_button}, focus {focus}")

    # Alpha to Lost: the dialog asks for exactly lost_reason.
    def ask_lost() -> dict:
        sel = ad.css(f".board-card[data-id='{ids[ALPHA]}'] [data-action=move-select]")
        if not sel:
            raise abort("no 'Move to…' on Alpha's card")
        ad.d.execute_script("arguments[0].scrollIntoView({block: 'center'}); arguments[0].focus()", sel[0])
        ActionChains(ad.d).send_keys("Lost").send_keys(Keys.TAB).send_keys(Keys.ENTER).perform()
        return ad.wait(lambda: (d := dialog(ad)) and d["open"] and d, WAIT) or {}

    with expected(ad, "pipeline-lost-422", f"/v1/records/deal/{ids[ALPHA]}", 422):
        asked = ask_lost()
    checks.check("moving a deal to Lost opens a dialog (named by its heading) asking for exactly the field the server says the stage needs, focused",
                 asked.get("names") == ["fields.lost_reason"] and asked.get("labels", [""])[0].startswith("Why lost") and asked.get("focused") == "fields.lost_reason"
                 and asked.get("title") == f"Move “{ALPHA}” to Lost" and bool(asked.get("labelledBy")) and asked.get("stage") == "lost",
                 json.dumps(asked, ensure_ascii=False))
    audit("pipeline: the dialog asking for the stage's field", ad)
    ActionChains(ad.d).send_keys(Keys.ESCAPE).perform()
    closed = ad.wait(lambda: not dialog(ad) or None, WAIT)
    back = ad.d.execute_script("const a = document.activeElement; return [a?.closest('.board-card')?.dataset.id, a?.dataset.action]")
    checks.check("Escape closes the dialog: the deal stays where it was, the focus back on its 'Move to…'",
                 bool(closed) and deal(ids[ALPHA]).get("stage") == "qualification" and back == [ids[ALPHA], "move-select"], str(back))
    with expected(ad, "pipeline-lost-422-again", f"/v1/records/deal/{ids[ALPHA]}", 422):
        ask_lost()
    ad.click("dialog[data-dialog=stage-fields] [data-action=stage-dialog-move]")
    empty = ad.wait(lambda: (d := dialog(ad)) and d["errors"] and d, 3) or {}
    checks.check("the reason left empty is refused beside its input, nothing sent",
                 empty.get("errors") == ["Fill in this field."] and empty.get("invalid") == ["fields.lost_reason"], json.dumps(empty))
    reason = ad.visible("dialog[data-dialog=stage-fields] input[name='fields.lost_reason']")
    reason.send_keys(LOST_REASON)
    ad.d.execute_script(SPY)
    reason.send_keys(Keys.ENTER)
    lost = ad.wait(lambda: not dialog(ad) and ids[ALPHA] in [c["id"] for c in column(ad, "lost").get("cards", [])] or None, WAIT)
    patch = next((r for r in ad.d.execute_script(SENT) if r["method"] == "PATCH"), {})
    alpha = deal(ids[ALPHA])
    checks.check("filled in, the move is sent again with the reason (PATCH stage and fields, If-Match) and succeeds",
                 bool(lost) and json.loads(patch.get("body") or "{}") == {"stage": "lost", "fields": {"lost_reason": LOST_REASON}}
                 and alpha.get("stage") == "lost" and alpha.get("fields", {}).get("lost_reason") == LOST_REASON, json.dumps(patch, ensure_ascii=False)[:300])
    checks.check("the agent's Board shows Alpha in Lost live", bool(ag.wait(lambda: ids[ALPHA] in [c["id"] for c in column(ag, "lost").get("cards", [])] or None, LIVE_WAIT)), "")
    after = ad.wait(lambda: (r := chart_rows(ad)) and r.get("lost") == ("1", "1,000.00 EUR") and r.get("won") == ("1", "500.00 EUR") and r, WAIT) or {}
    checks.check("the chart counts the won and the lost deal", bool(after), json.dumps(chart_rows(ad), ensure_ascii=False))
    audit("pipeline: the Board after the moves", ad)

    # The filter applies to the Board and the chart alike (and stays in the address with the view).
    put(ad, "[data-form=record-filter] input[name=filter]", 'stage == "won" || stage == "lost"')
    ad.visible("[data-form=record-filter] input[name=filter]").send_keys(Keys.ENTER)
    filtered = ad.wait(lambda: [c["count"] for c in board(ad)] == [0, 0, 0, 0, 1, 1]
                       and chart_rows(ad).get("proposal") == ("0", "0.00 EUR") and chart_rows(ad).get("won") == ("1", "500.00 EUR") or None, WAIT)
    checks.check('the filter stage == "won" || stage == "lost" (Enter) keeps those deals on the Board and in the chart, in the address with view=board',
                 bool(filtered) and "filter=" in ad.d.current_url and "view=board" in ad.d.current_url, f"{[c['count'] for c in board(ad)]} {ad.d.current_url}")
    put(ad, "[data-form=record-filter] input[name=filter]", "")
    ad.visible("[data-form=record-filter] input[name=filter]").send_keys(Keys.ENTER)
    ad.wait(lambda: sum(c["count"] for c in board(ad)) == 5 or None, WAIT)

    # --- The deal's page: its stage and the stage history.
    ad.click(f".board-card[data-id='{ids[ALPHA]}'] a[data-action=open-record]")
    page = ad.wait(lambda: (s := ad.d.execute_script(STAGE_CARD)) and len(s.get("history", [])) == 2 and s, WAIT) or {}
    history = page.get("history", [])
    first, last = (history + [{}, {}])[:2]
    # The deals were made a moment ago: their times are under a minute, or a minute or two on a slow machine.
    in_words = first.get("cells", {}).get("time", "")
    checks.check("a deal's page shows its stage (Lost, marked lost) and the stage history: each stage, entered, left, time in stage in words, who moved it",
                 page.get("label") == "Lost" and page.get("outcome") == "lost" and [r["stage"] for r in history] == ["qualification", "lost"]
                 and page.get("heads") == ["Stage", "Entered", "Left", "Time in stage", "Moved by"]
                 and first.get("cells", {}).get("by") == "An API key" and len(first.get("times", [])) == 2 and not first.get("open")
                 and (in_words == "less than a minute" or "minute" in in_words)
                 and last.get("open") and last.get("cells", {}).get("left") == "Still there" and last.get("cells", {}).get("by") == ADMIN["name"]
                 and "so far" in last.get("cells", {}).get("time", ""), json.dumps(page, ensure_ascii=False)[:700])
    audit("pipeline: a deal's page with its stage history", ad)

    # The page's "Move to…": Beta to Negotiation, which also requires the expected close date.
    ad.go(f"/#/records/deal/{ids[BETA]}")
    ad.wait(lambda: (s := ad.d.execute_script(STAGE_CARD)) and s.get("stage") == "proposal" and len(s.get("history", [])) == 2 or None, WAIT)
    Select(ad.visible("[data-card=record-stage] [data-action=move-select]")).select_by_value("negotiation")
    with expected(ad, "pipeline-negotiation-422", f"/v1/records/deal/{ids[BETA]}", 422):
        ad.click("[data-card=record-stage] [data-action=move-record]")
        asked = ad.wait(lambda: (d := dialog(ad)) and d["open"] and d, WAIT) or {}
    checks.check("on a deal's page 'Move to…' Negotiation asks for the expected close date only (the amount is there), with the form's date input",
                 asked.get("names") == ["fields.close_date"] and asked.get("labels", [""])[0].startswith("Expected close")
                 and ad.css("dialog[data-dialog=stage-fields] input[type=date]"), json.dumps(asked, ensure_ascii=False))
    ad.d.execute_script(SET_VALUE, "dialog[data-dialog=stage-fields] input[name='fields.close_date']", "2027-01-15")
    ad.click("dialog[data-dialog=stage-fields] [data-action=stage-dialog-move]")
    moved_here = ad.wait(lambda: not dialog(ad) and (s := ad.d.execute_script(STAGE_CARD)) and s.get("stage") == "negotiation" and len(s.get("history", [])) == 3 and s, WAIT) or {}
    beta_now = deal(ids[BETA])
    checks.check("... then the deal is in Negotiation with the date: its stage, history (three stays) and fields say so",
                 bool(moved_here) and beta_now.get("stage") == "negotiation" and beta_now.get("fields", {}).get("close_date") == "2027-01-15"
                 and ad.text("[data-list=record-fields] dd[data-field=close_date]") == "Jan 15, 2027"
                 and "moved to Negotiation" in ad.text("[data-field=stage-status]"), json.dumps(moved_here, ensure_ascii=False)[:400])

    # --- The Customer 360's timeline.
    ag.go(f"/#/customers/{cid}")
    entry = ag.wait(lambda: (e := ag.d.execute_script("""
        const li = document.querySelector(`.record-entry[data-record-id="${arguments[0]}"]`);
        return li ? { type: li.querySelector('[data-field=type]')?.textContent, title: li.querySelector('[data-field=title]')?.textContent,
          href: li.querySelector('[data-field=title]')?.getAttribute('href'), stage: li.querySelector('[data-field=stage]')?.textContent,
          outcome: li.dataset.outcome, money: li.querySelector('[data-field=money]')?.textContent } : null;""", ids[ALPHA])) and e, WAIT) or {}
    checks.check("the deal is on the customer's Customer 360 timeline: the type's label, its title as a link to it, its stage",
                 entry.get("type") == "Deal" and entry.get("title") == ALPHA and entry.get("href") == f"#/records/deal/{ids[ALPHA]}"
                 and entry.get("stage") == "Stage: Lost" and entry.get("outcome") == "lost", json.dumps(entry, ensure_ascii=False))
    audit("pipeline: the Customer 360 with a deal on its timeline", ag)
    open_board(ag)

    # --- Administration: the pipeline edited.
    ad.go("/#/admin/record-types")
    ad.wait(lambda: ad.css(".admin-section tr[data-id=deal] [data-action=edit]") or None, WAIT)
    ad.click(".admin-section tr[data-id=deal] [data-action=edit]")
    editing = ad.wait(lambda: ad.text("#record-type-form-title") == "Edit record type Deal" and len(ad.css(f"{FORM} [data-list=type-stages] > li")) == 6 or None, WAIT)
    stage_rows = ad.d.execute_script("""return [...document.querySelectorAll('[data-list=type-stages] > li')].map((li) => ({ key: li.querySelector('[data-part=stage-key]').value,
        readonly: li.querySelector('[data-part=stage-key]').readOnly, outcome: li.querySelector('[data-part=outcome]').value,
        probability: li.querySelector('[data-part=probability]').value,
        required: [...li.querySelectorAll('[data-part=required-field]')].filter((c) => c.checked).map((c) => c.value),
        offered: li.querySelectorAll('[data-part=required-field]').length }))""") or []
    checks.check("editing the type shows its stages in order: stored keys read-only, probability, outcome, the required fields ticked among the type's fields",
                 bool(editing) and [r["key"] for r in stage_rows] == STAGES and all(r["readonly"] for r in stage_rows)
                 and stage_rows[2]["required"] == ["amount"] and stage_rows[3]["required"] == ["amount", "close_date"] and stage_rows[5]["outcome"] == "lost"
                 and stage_rows[0]["probability"] == "10" and stage_rows[0]["offered"] >= 6, json.dumps(stage_rows)[:500])
    audit("pipeline: admin, the stages editor", ad)
    # A first stage that is won: the server's error beside the outcome.
    Select(ad.css(f"{FORM} select[name='stages[0].outcome']")[0]).select_by_value("won")
    with expected(ad, "pipeline-stages-422", "/v1/record-types/deal", 422):
        ad.click(f"{FORM} [data-action=save-type]")
        refused = ad.wait(lambda: (f := field(ad, f"{FORM} select[name='stages[0].outcome']")) and f["error"] and f, WAIT) or {}
    checks.check("a first stage that is not open is refused by the server beside that stage's outcome (stages[0].outcome), tied by aria-describedby",
                 "must be open" in refused.get("error", "") and refused.get("invalid") == "true", json.dumps(refused))
    Select(ad.css(f"{FORM} select[name='stages[0].outcome']")[0]).select_by_value("open")
    # Lost taken away while Alpha stands in it: the blocking deal as a link beside the stages.
    ad.click(f"{FORM} [data-list=type-stages] > li:nth-child(6) [data-action=remove-stage]")
    with expected(ad, "pipeline-stages-blocking", "/v1/record-types/deal", 422):
        ad.click(f"{FORM} [data-action=save-type]")
        links = ad.wait(lambda: [a.get_attribute("href") for a in ad.css(f"{FORM} [data-field=stages-blocking] a[data-action=blocking-record]")] or None, WAIT) or []
    checks.check("taking away the stage Lost, where a deal stands, is refused: that deal is a link beside the stages",
                 [h.split("#", 1)[-1] for h in links] == [f"/records/deal/{ids[ALPHA]}"] and bool(ad.text(f"{FORM} [data-part=stages] > .field-error")),
                 str(links))
    audit("pipeline: admin, a stage that cannot be taken away", ad)
    # Back to the stored stages; then: Proposal relabelled at 60 %, a stage added and moved above Won.
    ad.click(f"{FORM} [data-action=cancel-edit]")
    ad.click(".admin-section tr[data-id=deal] [data-action=edit]")
    ad.wait(lambda: len(ad.css(f"{FORM} [data-list=type-stages] > li")) == 6 or None, WAIT)
    put(ad, f"{FORM} input[name='stages[2].label']", "Proposal sent")
    put(ad, f"{FORM} input[name='stages[2].probability']", "60")
    ad.click(f"{FORM} [data-action=add-stage]")
    added = ad.wait(lambda: ad.d.execute_script("return document.activeElement?.name") == "stages[6].key" or None, WAIT)
    put(ad, f"{FORM} input[name='stages[6].key']", "on_hold")
    put(ad, f"{FORM} input[name='stages[6].label']", "On hold")
    put(ad, f"{FORM} input[name='stages[6].probability']", "40")
    ad.click(f"{FORM} [data-list=type-stages] > li:nth-child(7) input[data-part=required-field][value=needs]")
    for n in (7, 6):  # up twice: above Lost, then above Won
        ad.click(f"{FORM} [data-list=type-stages] > li:nth-child({n}) [data-action=stage-up]")
    kept_focus = ad.d.execute_script("return document.activeElement?.getAttribute('aria-label')")
    ad.d.execute_script(SPY)
    ad.click(f"{FORM} [data-action=save-type]")
    saved = ad.wait(lambda: "was saved" in ad.text("[data-field=record-types-notice]") or None, WAIT)
    sent = next((r for r in ad.d.execute_script(SENT) if r["method"] == "PUT"), {})
    now_type = api.get("/v1/record-types/deal")
    stages_now = [(s["key"], s["label"], s.get("probability"), s.get("outcome"), s.get("required_fields")) for s in now_type.get("stages", [])]
    checks.check("the pipeline is saved with PUT and If-Match, every stage sent: Proposal relabelled at 60 %, On hold added (requiring Customer needs) above Won",
                 bool(added) and bool(saved) and sent.get("ifMatch") == f'"rt_deal-v{now_type["version"] - 1}"'
                 and [s[0] for s in stages_now] == ["qualification", "needs_analysis", "proposal", "negotiation", "on_hold", "won", "lost"]
                 and stages_now[2][1:3] == ("Proposal sent", 60) and stages_now[4][1:] == ("On hold", 40, "open", ["needs"])
                 and kept_focus == "Move stage 5 up", f"{stages_now} focus {kept_focus!r}")
    retyped = ag.wait(lambda: [c["stage"] for c in board(ag)] == ["qualification", "needs_analysis", "proposal", "negotiation", "on_hold", "won", "lost"]
                      and column(ag, "proposal").get("label") == "Proposal sent" or None, LIVE_WAIT)
    checks.check("the agent's open Board follows the new pipeline live (rapport.record_type.updated): the new column, the new label",
                 bool(retyped), str([c["label"] for c in board(ag)]))

    # --- Chinese, 375 px, the first loads.
    language = ag.visible(".lang-switch select")
    language.find_element(By.CSS_SELECTOR, "option[value='zh-CN']").click()
    zh = ag.wait(lambda: chart(ag).get("title") == "各阶段管道" and board(ag) and column(ag, "needs_analysis").get("shownCount") == "1 条记录" or None, WAIT)
    checks.check("in Chinese the Board speaks Chinese (各阶段管道, 看板, 移至…, 条记录)",
                 bool(zh) and ag.text("[data-field=view-switch] button[data-view=board]") == "看板"
                 and ag.d.execute_script("return document.querySelector('[data-action=move-select] option')?.textContent") == "移至…",
                 f"{chart(ag).get('title')!r} {column(ag, 'needs_analysis').get('shownCount')!r}")
    audit("pipeline: the Board (zh-CN)", ag)
    with colleagues.phone_width(ag):
        colleagues.fits(ag, checks, "the Board with its chart (in Chinese; the columns scroll in their own region)")
        audit("pipeline: the Board at 375 px (zh-CN)", ag)
        ag.go(f"/#/records/deal/{ids[ALPHA]}")
        zh_page = ag.wait(lambda: (s := ag.d.execute_script(STAGE_CARD)) and s.get("history") and s, WAIT) or {}
        checks.check("in Chinese a deal's page says its stage and history in Chinese (阶段, 阶段历史)",
                     zh_page.get("title") == "阶段" and zh_page.get("heads", [""])[0] == "阶段" and "阶段历史" in ag.text("[data-card=record-stage]"), json.dumps(zh_page, ensure_ascii=False)[:300])
        colleagues.fits(ag, checks, "a deal's page with its stage history (in Chinese)")
        audit("pipeline: a deal's page at 375 px (zh-CN)", ag)
    ag.d.execute_script("localStorage.setItem('rapport.locale', 'en')")
    with colleagues.phone_width(ad):
        ad.click(".admin-section tr[data-id=deal] [data-action=edit]")
        ad.wait(lambda: len(ad.css(f"{FORM} [data-list=type-stages] > li")) == 7 or None, WAIT)
        colleagues.fits(ad, checks, "Administration · Record types with the stages editor and the templates")
        audit("pipeline: admin, the stages editor at 375 px", ad)

    ag.go("/#/records/deal?view=board")
    ag.d.refresh()
    ag.wait(lambda: board(ag) and chart(ag).get("rows") or None, WAIT)
    sizes = ag.d.execute_script(SIZES)
    total = sizes["page"] + sizes["assets"]
    checks.check(f"the first load of the Board is under {FIRST_LOAD_BUDGET // 1000} KB, the pipeline's modules and messages loaded with it",
                 0 < total < FIRST_LOAD_BUDGET and "js/components/record-board.js" in sizes["names"] and "i18n/pipeline/en.js" in sizes["names"],
                 f"{total / 1000:.1f} KB in {sizes['files'] + 1} files")
    ag.go("/#/records/deal")
    ag.d.refresh()
    ag.wait(lambda: ag.css("table.record-table tbody tr") or None, WAIT)
    table_sizes = ag.d.execute_script(SIZES)
    checks.check("the table's first load has none of the Board's modules or messages",
                 not any(n.endswith(("record-board.js", "pipeline-chart.js", "record-stages.js")) or "i18n/pipeline/" in n for n in table_sizes["names"]),
                 f"{(table_sizes['page'] + table_sizes['assets']) / 1000:.1f} KB")
    ag.go(f"/#/customers/{cid}")
    ag.d.refresh()
    ag.wait(lambda: ag.css(".record-entry") or None, WAIT)
    c360 = ag.d.execute_script(SIZES)
    c360_total = c360["page"] + c360["assets"]
    checks.check(f"the Customer 360's first load with a deal on its timeline is under {FIRST_LOAD_BUDGET // 1000} KB (the record's line loaded when one comes)",
                 0 < c360_total < FIRST_LOAD_BUDGET and "js/components/record-entry.js" in c360["names"], f"{c360_total / 1000:.1f} KB in {c360['files'] + 1} files")
