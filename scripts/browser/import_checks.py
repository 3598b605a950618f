"""Imports in the console browser test (console_test.py calls `import_checks`; `--only imports` runs
them alone; in the whole suite on a server of their own).

Through the API (the admin key) the test makes an agent (who may write customers and records) with a
password, signed in in a browser of their own, an existing customer (erika@example.com, attribute
tier "basic") and a record type `deal` (a title, an amount of money). A CSV file is written to a temp
folder, named `contacts <img src=x onerror=alert(1)>.csv`, with the columns Full name, E-mail, Tier, Company and
`Notes, "internal"` (quoted in the file, with its comma and doubled quotes) and four rows: the existing customer
(her email in capitals), two new customers (one with a note over two lines) and a row named
`<b>x</b>` whose email `<b>x</b>` is not one. Then:

- #/imports is in the main navigation (Import, current) and lists no import yet; the form offers
  Customers and "Records: Deals";
- choosing the file reads its header in the browser: the mapping table has one row per column (the
  quoted name whole), Company preselected (its name is a field's), the others left out; Customers
  offer their fields and "Attribute…"; Deals instead offer the record's columns and the deal's fields
  (the amount as amount and currency), without attributes;
- Full name → name, E-mail → emails, Tier → an attribute whose key the server refuses: its 422
  (mapping.Tier) is shown beside the Tier row; the key `tier` (suggested from the column's name);
- the dry run (the button says so): the page follows the import to "Completed" with a progress bar at
  100 %, "Would be created" 2, "Would be updated" 1, failed 1, a note that nothing was written, and the
  error report: row 4, column E-mail, the reason quoting `<b>x</b>` as text; the API shows the mapping
  as sent, and that nothing changed (as many customers as before, her tier still "basic");
- the import itself (the dry run unticked, the form as it was): Created 2, Updated 1, failed 1, the
  same report; the API shows two customers more, her once, with tier "gold" and the company;
- the recent imports list both, newest first (the dry run marked), their file names as text; one
  clicked shows its progress again, the form keeping the file and mapping;
- an import waiting for its file (made through the API) is cancelled with Cancel; one whose file has
  no header shows why it failed;
- a JSON Lines file has no mapping table (its keys are used as they are) and imports a customer;
- Chinese (the heading, the form's labels, the counts, the list), 375 px, the first load; axe-core
  on each page state.

Everything waits for what it checks (`b.wait`), never a fixed time.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time

from selenium.webdriver.common.by import By
from selenium.webdriver.support.select import Select

import colleagues
from colleagues import FIRST_LOAD_BUDGET, WAIT, expected

PASSWORD = "imports of customers 1234"
AGENT = {"email": "ines.imports@example.com", "name": "Ines Imports"}
MARKUP = "<b>x</b>"
FILE_NAME = "contacts <img src=x onerror=alert(1)>.csv"  # no slash: it is a file's name
EXISTING_EMAIL = "erika@example.com"
NOTES = 'Notes, "internal"'
COLUMNS = ["Full name", "E-mail", "Tier", "Company", NOTES]
CSV = (
    'Full name,E-mail,Tier,Company,"Notes, ""internal"""\r\n'
    'Erika Existing,ERIKA@example.com,gold,Existing GmbH,"an old customer, keep"\r\n'
    "Nora New 诺拉,nora.new@example.com,silver,,first contact\r\n"
    'Ned New,ned.new@example.com,bronze,Ned & Co,"a note\r\nover two lines"\r\n'
    f"{MARKUP},{MARKUP},gold,,bad email\r\n"
)
JSONL = '{"name": "Jules Lines", "emails": ["jules.lines@example.com"], "attributes": {"tier": "gold"}}\n'
IMPORT_WAIT = 20.0  # an import of four rows, queued, run and polled every 500 ms
DEAL = {"key": "deal", "label": "Deal", "plural_label": "Deals", "fields": [
    {"key": "title", "label": "Title", "kind": "text", "required": True},
    {"key": "amount", "label": "Amount", "kind": "money"}]}
CUSTOMER_TARGETS = ["name", "given_name", "family_name", "kind", "company", "lifecycle_stage", "owner_id", "emails", "phones",
                    "identities", "address.line1", "address.line2", "address.city", "address.region", "address.postal_code",
                    "address.country", "address.label"]

# The form: the target's options and value, the file, dry run, the mapping table's rows (each
# column's select, its options, the attribute key when shown, the error beside it), the message.
FORM = """
const form = document.querySelector('[data-form=import]');
if (!form) return null;
const shown = (el) => (el && !el.hidden ? el.textContent : null);
const described = (el) => (el?.getAttribute('aria-describedby') || '').split(/\\s+/).filter(Boolean)
  .map((id) => document.getElementById(id)).filter((e) => e && e.classList.contains('field-error') && !e.hidden).map((e) => e.textContent).join(' ');
const target = form.querySelector('[name=target]');
const file = form.querySelector('[name=file]');
const mapping = form.querySelector('[data-slot=mapping]');
return { busy: form.getAttribute('aria-busy'), labels: [...form.querySelectorAll('label')].map((l) => l.textContent),
  target: { value: target.value, options: [...target.options].map((o) => ({ value: o.value, text: o.textContent })), error: described(target) },
  files: file.files.length, fileError: described(file), dry: form.querySelector('[name=dry_run]').checked,
  submit: form.querySelector('[data-action=start-import]').textContent, message: shown(form.querySelector('.form-message')),
  found: form.querySelector('[data-field=columns-found]')?.textContent ?? null, jsonl: shown(form.querySelector('[data-field=jsonl-note]')), mappingBusy: !!form.querySelector('[data-slot=mapping-slot][aria-busy]'),
  mappingTitle: mapping?.querySelector('h3')?.textContent ?? null, heads: [...form.querySelectorAll('[data-list=mapping] thead th')].map((th) => th.textContent),
  rows: [...form.querySelectorAll('[data-list=mapping] tbody tr')].map((tr) => { const sel = tr.querySelector('select'); const key = tr.querySelector('[data-field=attribute-key]');
    return { column: tr.dataset.column, shown: tr.querySelector('th').textContent, value: sel.value, label: sel.getAttribute('aria-label'),
      options: [...sel.options].map((o) => o.value), texts: [...sel.options].map((o) => o.textContent), key: key.hidden ? null : key.value,
      error: shown(tr.querySelector('.field-error')), invalid: sel.getAttribute('aria-invalid') }; }),
  focused: document.activeElement?.dataset?.field ?? document.activeElement?.name ?? null };
"""
# The import shown: heading, status, bar, counts with their labels, notes, Cancel, the error report.
PROGRESS = """
const card = document.querySelector('[data-card=import-progress]');
if (!card || card.hidden) return null;
const shown = (el) => (el && !el.hidden ? el.textContent : null);
const status = card.querySelector('[data-field=import-status]');
const report = card.querySelector('[data-slot=import-report]');
const counts = [...card.querySelectorAll('[data-list=import-counts] dd[data-count]')];
return { id: card.dataset.importId ?? null, title: card.querySelector('h2').textContent,
  status: status?.dataset.status ?? null, statusText: status?.querySelector('[data-status]')?.textContent ?? '',
  target: card.querySelector('[data-field=import-target]')?.textContent ?? '', dry: card.querySelector('[data-field=import-dry]')?.textContent ?? null,
  percent: card.querySelector('[data-field=import-percent]')?.textContent ?? '', bar: card.querySelector('progress')?.value ?? null,
  counts: Object.fromEntries(counts.map((dd) => [dd.dataset.count, dd.textContent])),
  labels: Object.fromEntries(counts.map((dd) => [dd.dataset.count, dd.previousElementSibling.textContent])),
  dryNote: shown(card.querySelector('[data-field=import-dry-note]')), failure: shown(card.querySelector('[data-field=import-failure]')),
  cancel: shown(card.querySelector('[data-action=cancel-import]')), problem: shown(card.querySelector('[data-field=import-problem]')),
  report: report && !report.hidden ? { busy: report.getAttribute('aria-busy'), title: report.querySelector('h3').textContent,
    intro: report.querySelector('[data-field=report-status]').textContent, heads: [...report.querySelectorAll('thead th')].map((th) => th.textContent),
    rows: [...report.querySelectorAll('tbody tr')].map((tr) => ({ row: tr.querySelector('[data-field=row]').textContent,
      column: tr.querySelector('[data-field=column]').textContent, reason: tr.querySelector('[data-field=reason]').textContent })) } : null,
  markup: card.querySelectorAll('b, img, script').length };
"""
# The recent imports: each row's file name, link, marks, target, status and outcome.
LIST = """
const card = document.querySelector('[data-card=imports]');
if (!card) return null;
return { busy: !!card.querySelector('[aria-busy]'), empty: card.querySelector('.empty')?.textContent ?? null, title: card.querySelector('h2').textContent,
  status: card.querySelector('[data-field=imports-status]')?.textContent ?? '', heads: [...card.querySelectorAll('thead th')].map((th) => th.textContent),
  rows: [...card.querySelectorAll('tbody tr')].map((tr) => { const a = tr.querySelector('a[data-action=open-import]');
    return { id: tr.dataset.id, status: tr.dataset.status, file: a?.textContent ?? '', href: a?.getAttribute('href') ?? null, current: a?.getAttribute('aria-current') ?? null,
      dry: tr.querySelector('.badge-dry-run')?.textContent ?? null, target: tr.querySelector('[data-field=target]')?.textContent ?? '',
      statusText: tr.querySelector('[data-field=status]')?.textContent ?? '', outcome: tr.querySelector('[data-field=outcome]')?.textContent ?? '',
      markup: tr.querySelectorAll('b, img, script').length }; }),
  nav: (() => { const n = document.querySelector('[data-nav=imports]'); return n ? { text: n.textContent, current: n.getAttribute('aria-current') } : null; })() };
"""
SIZES = """
const nav = performance.getEntriesByType('navigation')[0];
const own = performance.getEntriesByType('resource').filter(r => new URL(r.name).pathname.startsWith('/console/'));
return { page: nav ? nav.decodedBodySize : 0, assets: own.reduce((n, r) => n + r.decodedBodySize, 0), files: own.length,
  names: own.map((r) => new URL(r.name).pathname.split('/').slice(3).join('/')) };
"""
MARKUP_MADE = "return document.querySelectorAll('main b, main img, main script').length;"


def _log(msg: str) -> None:
    print(f"[imports {time.strftime('%H:%M:%S')}] {msg}", flush=True)


def _customers(api) -> list[dict]:
    """Every customer in the store, through the API's pages."""
    found, cursor = [], None
    while True:
        page = api.get("/v1/customers", limit=100, **({"cursor": cursor} if cursor else {}))
        found += page.get("data", [])
        cursor = page.get("next_cursor")
        if not cursor:
            return found


def _with_email(customers: list[dict], email: str) -> list[dict]:
    return [c for c in customers if email in (c.get("emails") or [])]


def import_checks(b, server, api, checks, audit, *, new_browser, abort) -> None:
    """`b`: the test's Browser (the agent gets a browser of her own from `new_browser()`, whose
    console is added to `b`'s at the end); `api`: the admin-key client; `audit(page, browser)` runs
    axe-core in that browser; `abort`: the exception that stops the test."""
    colleagues.user(api, server.base, AGENT, None, PASSWORD, role="agent")
    existing = api.post("/v1/customers", {"name": "Erika Existing", "emails": [EXISTING_EMAIL], "attributes": {"tier": "basic"}})
    if "deal" not in {t["key"] for t in api.get("/v1/record-types")["data"]}:
        api.post("/v1/record-types", DEAL)
    folder = tempfile.mkdtemp(prefix="rapport-imports-")
    try:
        path = os.path.join(folder, FILE_NAME)
        with open(path, "w", encoding="utf-8", newline="") as f:
            f.write(CSV)
        with open(os.path.join(folder, "people.jsonl"), "w", encoding="utf-8") as f:
            f.write(JSONL)
        with colleagues.own_browsers(b, new_browser, "imports-agent") as (ag,):
            colleagues.sign_in_all(checks, abort, "imports: the agent signs in in a browser of her own", [(ag, AGENT)], PASSWORD)
            _run(ag, server.base, api, checks, audit, existing=existing, path=path, abort=abort)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _run(ag, base, api, checks, audit, *, existing, path, abort) -> None:  # noqa: PLR0915 - one story, told in order
    def form() -> dict:
        return ag.d.execute_script(FORM) or {}

    def progress() -> dict:
        return ag.d.execute_script(PROGRESS) or {}

    def listing() -> dict:
        return ag.d.execute_script(LIST) or {}

    def row_of(state: dict, column: str) -> dict:
        return next((r for r in state.get("rows", []) if r["column"] == column), {})

    def choose(column: str, value: str) -> None:
        select = ag.wait(lambda: next((tr.find_element(By.CSS_SELECTOR, "select") for tr in ag.css("[data-list=mapping] tbody tr")
                                       if tr.get_attribute("data-column") == column), None), WAIT)
        if select is None:
            raise abort(f"no mapping row for {column!r}")
        ag.d.execute_script("arguments[0].scrollIntoView({block: 'center'})", select)
        Select(select).select_by_value(value)

    def key_input(column: str):
        return next((tr.find_element(By.CSS_SELECTOR, "[data-field=attribute-key]") for tr in ag.css("[data-list=mapping] tbody tr")
                     if tr.get_attribute("data-column") == column), None)

    def finished(previous: str | None = None) -> dict:
        """The import shown once it has ended (another than `previous`), its report read when rows failed."""
        def done():
            p = progress()
            if not p or not p.get("id") or p["id"] == previous or p.get("status") not in ("completed", "failed", "cancelled"):
                return None
            if p["counts"].get("failed") not in ("0", None) and not (p.get("report") and p["report"]["rows"] and not p["report"]["busy"]):
                return None
            return p
        return ag.wait(done, IMPORT_WAIT) or progress()

    before = _customers(api)

    # --- The page: in the navigation, no import yet; the form's targets.
    ag.step = "imports-page"
    ag.go("/#/imports")
    page = ag.wait(lambda: (s := listing()) and not s["busy"] and (s["rows"] or s["empty"]) and form() and s or None, WAIT) or listing()
    checks.check("#/imports is in the main navigation (Import, current), headed Import, and lists no import yet",
                 page.get("nav") == {"text": "Import", "current": "page"} and ag.h1() == "Import" and page.get("empty") == "No imports yet.",
                 json.dumps(page)[:300])
    start = form()
    options = {o["value"]: o["text"] for o in start.get("target", {}).get("options", [])}
    checks.check("the form asks what to import into (Customers, or a record type: 'Records: Deals'), for the file and whether to dry run",
                 options.get("customers") == "Customers" and options.get("records:deal") == "Records: Deals" and start["target"]["value"] == "customers"
                 and {"Import into", "File *", "Dry run"} <= set(start.get("labels", [])) and start.get("submit") == "Start import" and not start.get("rows"),
                 json.dumps({k: start.get(k) for k in ("target", "labels", "submit")})[:400])

    # --- The file: its header read in the browser, one mapping row per column.
    ag.step = "imports-file"
    file_input = ag.css("[data-form=import] input[name=file]")[0]
    file_input.send_keys(path)
    mapped = ag.wait(lambda: (f := form()) and len(f.get("rows", [])) == len(COLUMNS) and f or None, WAIT) or form()
    rows = mapped.get("rows", [])
    checks.check("choosing the CSV file reads its header in the browser: a mapping row per column, the quoted name (comma, quotes) whole",
                 [r["column"] for r in rows] == COLUMNS and [r["shown"] for r in rows] == COLUMNS and mapped.get("found") == "The header has 5 columns."
                 and mapped.get("heads") == ["Column", "Field"] and mapped.get("mappingTitle") == "Columns and fields",
                 json.dumps({k: mapped.get(k) for k in ("found", "heads")}) + " " + json.dumps([r["column"] for r in rows], ensure_ascii=False))
    company = row_of(mapped, "Company")
    checks.check("a column named like a field (Company) is preselected; the others are left out until chosen",
                 company.get("value") == "company" and all(row_of(mapped, c).get("value") == "" for c in ("Full name", "E-mail", "Tier", NOTES))
                 and row_of(mapped, "Full name").get("texts", [""])[0] == "— leave out —",
                 json.dumps([(r["column"], r["value"]) for r in rows], ensure_ascii=False))
    full = row_of(mapped, "Full name")
    checks.check("for customers each column offers every customer field (with its key) and 'Attribute…', labelled by its column",
                 full.get("options", [])[1:] == [*CUSTOMER_TARGETS, "@attribute"] and "Name (name)" in full.get("texts", [])
                 and "Attribute… (attributes.<key>)" in full.get("texts", []) and full.get("label") == "Field for the column “Full name”",
                 json.dumps(full, ensure_ascii=False)[:400])
    audit("imports: the form with a CSV file's columns", ag)

    Select(ag.css("[data-form=import] select[name=target]")[0]).select_by_value("records:deal")
    deals = ag.wait(lambda: (f := form()) and not f["mappingBusy"] and row_of(f, "Full name").get("options", [])[1:2] == ["id"] and f or None, WAIT) or form()
    deal_options = row_of(deals, "Full name").get("options", [])
    checks.check("choosing 'Records: Deals' offers the record's columns and the deal's fields instead (money as amount and currency), no attribute",
                 deal_options[1:] == ["id", "customer_id", "customer_email", "customer_phone", "title", "amount.amount", "amount.currency"]
                 and "Amount: currency (amount.currency)" in row_of(deals, "Full name").get("texts", []),
                 json.dumps(row_of(deals, "Full name").get("texts", []), ensure_ascii=False)[:400])
    Select(ag.css("[data-form=import] select[name=target]")[0]).select_by_value("customers")
    ag.wait(lambda: "@attribute" in row_of(form(), "Full name").get("options", []) or None, WAIT)

    # --- The mapping; an attribute key the server refuses, beside its row.
    choose("Full name", "name")
    choose("E-mail", "emails")
    choose("Tier", "@attribute")
    suggested = ag.wait(lambda: row_of(form(), "Tier").get("key") or None, WAIT)
    checks.check("'Attribute…' shows an input for the attribute's key, suggested from the column's name (tier)", suggested == "tier", str(suggested))
    key = key_input("Tier")
    key.clear()
    key.send_keys("tier level!")
    ag.click("[data-form=import] input[name=dry_run]")
    checks.check("ticking 'Dry run' makes the button 'Start dry run'", form().get("submit") == "Start dry run", form().get("submit", ""))
    with expected(ag, "imports-422", "/v1/imports", 422):
        ag.click("[data-action=start-import]")
        refused = ag.wait(lambda: (f := form()) and row_of(f, "Tier").get("error") and f.get("busy") is None and f or None, WAIT) or form()
    tier = row_of(refused, "Tier")
    checks.check("a key the server refuses (422, mapping.Tier) is shown beside the Tier row (aria-invalid), the choices kept",
                 str(tier.get("error", "")).startswith("The server cannot use this field: attributes.tier level!") and tier.get("invalid") == "true"
                 and tier.get("key") == "tier level!" and row_of(refused, "Full name").get("value") == "name" and "#/imports/" not in ag.d.current_url
                 and not refused.get("message"), json.dumps(tier, ensure_ascii=False)[:300])
    audit("imports: a mapping refused beside its row", ag)
    key = key_input("Tier")
    key.clear()
    key.send_keys("tier")

    # --- The dry run.
    ag.step = "imports-dry-run"
    ag.click("[data-action=start-import]")
    dry = finished()
    dry_id = dry.get("id") or ""
    report = dry.get("report") or {}
    checks.check("the dry run is followed to 'Completed' (progress bar 100 %): would create 2, would update 1, 1 failed, 4 read",
                 dry.get("status") == "completed" and dry.get("statusText") == "Completed" and dry.get("bar") == 100 and dry.get("percent") == "100%"
                 and dry.get("counts") == {"read": "4", "created": "2", "updated": "1", "unchanged": "0", "failed": "1"}
                 and dry.get("labels", {}).get("created") == "Would be created" and dry.get("labels", {}).get("updated") == "Would be updated"
                 and dry.get("dry") == "Dry run" and ag.d.current_url.endswith(f"#/imports/{dry_id}"),
                 json.dumps({k: dry.get(k) for k in ("id", "status", "bar", "percent", "counts", "labels", "failure", "problem")}))
    checks.check("the dry run says nothing was written; its heading names the file as text",
                 str(dry.get("dryNote", "")).startswith("This was a dry run: nothing was written.") and dry.get("title") == f"Import of “{FILE_NAME}”"
                 and dry.get("target") == "Customers", json.dumps({k: dry.get(k) for k in ("dryNote", "title", "target")}, ensure_ascii=False))
    issue = (report.get("rows") or [{}])[0]
    checks.check("the error report lists the bad row: row 4, column E-mail, the reason quoting <b>x</b> as text (no element made from it)",
                 len(report.get("rows", [])) == 1 and issue.get("row") == "4" and issue.get("column") == "E-mail"
                 and f'"{MARKUP}" is not a valid email address' in issue.get("reason", "") and report.get("heads") == ["Row", "Column", "Reason"]
                 and dry.get("markup") == 0 and ag.d.execute_script(MARKUP_MADE) == 0 and not ag.alert_present(), json.dumps(report, ensure_ascii=False)[:400])
    job = api.get(f"/v1/imports/{dry_id}") if dry_id else {}
    checks.check("the job was sent with the mapping as chosen (the notes left out as null), a dry run, the file's name",
                 job.get("mapping") == {"Full name": "name", "E-mail": "emails", "Tier": "attributes.tier", "Company": "company", NOTES: None}
                 and job.get("dry_run") is True and job.get("file_name") == FILE_NAME and job.get("format") == "csv",
                 json.dumps({k: job.get(k) for k in ("mapping", "dry_run", "file_name", "format")}, ensure_ascii=False))
    after_dry = _customers(api)
    erika = _with_email(after_dry, EXISTING_EMAIL)
    checks.check("the dry run wrote nothing: as many customers as before, the existing one's tier still 'basic'",
                 len(after_dry) == len(before) and len(erika) == 1 and erika[0].get("attributes", {}).get("tier") == "basic",
                 f"{len(before)} then {len(after_dry)}, {json.dumps(erika)[:200]}")
    audit("imports: a dry run's outcome and error report", ag)

    # --- The import itself, with the same form.
    ag.step = "imports-run"
    ag.click("[data-form=import] input[name=dry_run]")
    kept = form()
    checks.check("the form keeps the file and mapping after the dry run; unticked, the button is 'Start import' again",
                 kept.get("files") == 1 and row_of(kept, "Tier").get("key") == "tier" and row_of(kept, "E-mail").get("value") == "emails"
                 and kept.get("submit") == "Start import", json.dumps({k: kept.get(k) for k in ("files", "submit")}))
    ag.click("[data-action=start-import]")
    real = finished(dry_id)
    real_id = real.get("id") or ""
    checks.check("the import is followed to 'Completed': Created 2, Updated 1, Unchanged 0, Failed 1, no dry-run note",
                 real.get("status") == "completed" and real.get("counts") == {"read": "4", "created": "2", "updated": "1", "unchanged": "0", "failed": "1"}
                 and real.get("labels", {}).get("created") == "Created" and real.get("labels", {}).get("updated") == "Updated"
                 and real.get("dryNote") is None and real.get("dry") is None and real.get("cancel") is None and ag.d.current_url.endswith(f"#/imports/{real_id}"),
                 json.dumps({k: real.get(k) for k in ("id", "status", "counts", "labels", "dryNote")}))
    real_issue = ((real.get("report") or {}).get("rows") or [{}])[0]
    checks.check("its error report names row 4 and the column E-mail",
                 real_issue.get("row") == "4" and real_issue.get("column") == "E-mail" and (real.get("report") or {}).get("intro", "").startswith("1 row failed."),
                 json.dumps(real.get("report"), ensure_ascii=False)[:300])
    after = _customers(api)
    erika = _with_email(after, EXISTING_EMAIL)
    nora = _with_email(after, "nora.new@example.com")
    checks.check("the existing customer was updated, not duplicated: once, tier 'gold', the company; two customers more in all",
                 len(after) == len(before) + 2 and len(erika) == 1 and erika[0]["id"] == existing["id"]
                 and erika[0].get("attributes", {}).get("tier") == "gold" and erika[0].get("company") == "Existing GmbH",
                 f"{len(before)} then {len(after)}, {json.dumps(erika, ensure_ascii=False)[:300]}")
    checks.check("the new customers have the mapped fields (name, email, attribute), the notes left out",
                 len(nora) == 1 and nora[0].get("name") == "Nora New 诺拉" and nora[0].get("attributes") == {"tier": "silver"}
                 and not _with_email(after, MARKUP), json.dumps(nora, ensure_ascii=False)[:300])

    # --- The recent imports.
    ag.step = "imports-list"
    recent = ag.wait(lambda: (s := listing()) and len(s["rows"]) == 2 and s["rows"][0]["status"] == "completed" and s or None, WAIT) or listing()
    first, second = (recent.get("rows") or [{}, {}]) + [{}] * (2 - len(recent.get("rows") or []))
    checks.check("the recent imports list both, newest first: file names as text (no element made from the markup), the dry run marked",
                 [r.get("id") for r in recent.get("rows", [])] == [real_id, dry_id] and first.get("file") == FILE_NAME and second.get("file") == FILE_NAME
                 and first.get("markup") == 0 and second.get("markup") == 0 and first.get("dry") is None and second.get("dry") == "Dry run"
                 and first.get("current") == "true" and second.get("current") is None
                 and recent.get("heads") == ["File", "Into", "Status", "Rows", "When"],
                 json.dumps(recent, ensure_ascii=False)[:500])
    checks.check("each says what it went into, its status and what it did",
                 first.get("target") == "Customers" and first.get("statusText") == "Completed"
                 and first.get("outcome") == "2 created, 1 updated, 0 unchanged, 1 failed"
                 and second.get("outcome") == "would create 2, would update 1, 0 unchanged, 1 failed",
                 json.dumps([first.get("outcome"), second.get("outcome")]))
    ag.click(f"[data-card=imports] tr[data-id='{dry_id}'] a")
    again = ag.wait(lambda: (p := progress()) and p.get("id") == dry_id and p.get("report") and p["report"]["rows"] and p or None, WAIT) or progress()
    same_form = form()
    checks.check("clicking the dry run in the list shows its progress and report again; the form keeps its file and mapping",
                 again.get("counts", {}).get("created") == "2" and again.get("labels", {}).get("created") == "Would be created"
                 and ag.d.current_url.endswith(f"#/imports/{dry_id}") and same_form.get("files") == 1 and len(same_form.get("rows", [])) == len(COLUMNS)
                 and (listing().get("rows") or [{}, {}])[1].get("current") == "true",
                 json.dumps({k: again.get(k) for k in ("id", "counts")}) + f" files {same_form.get('files')}")
    audit("imports: the recent imports with one shown", ag)

    # --- Cancel an import waiting for its file; an import that could not run.
    ag.step = "imports-cancel"
    waiting = api.post("/v1/imports", {"target": "customers", "format": "csv", "file_name": "never sent.csv"})
    ag.go(f"/#/imports/{waiting['id']}")
    shown = ag.wait(lambda: (p := progress()) and p.get("id") == waiting["id"] and p.get("cancel") and p or None, WAIT) or progress()
    checks.check("an import waiting for its file says so and offers Cancel",
                 shown.get("status") == "awaiting_file" and shown.get("statusText") == "Waiting for its file" and shown.get("cancel") == "Cancel import",
                 json.dumps({k: shown.get(k) for k in ("status", "statusText", "cancel")}))
    ag.click("[data-action=cancel-import]")
    cancelled = ag.wait(lambda: (p := progress()) and p.get("status") == "cancelled" and p or None, WAIT) or progress()
    checks.check("Cancel cancels it: 'Cancelled', no Cancel button, the API agrees, the list shows it",
                 cancelled.get("statusText") == "Cancelled" and cancelled.get("cancel") is None
                 and api.get(f"/v1/imports/{waiting['id']}").get("status") == "cancelled"
                 and any(r["id"] == waiting["id"] and r["status"] == "cancelled" for r in listing().get("rows", [])),
                 json.dumps({k: cancelled.get(k) for k in ("status", "statusText", "cancel")}))
    broken = api.post("/v1/imports", {"target": "customers", "format": "csv", "file_name": "broken.csv"})
    r = api.s.put(f"{base}/v1/imports/{broken['id']}/file", data=b'"a,b\nx,y\n', headers={"Content-Type": "text/csv"}, timeout=30)
    ag.go(f"/#/imports/{broken['id']}")
    failed = ag.wait(lambda: (p := progress()) and p.get("id") == broken["id"] and p.get("status") == "failed" and p or None, IMPORT_WAIT) or progress()
    checks.check("an import whose file has no header shows 'Failed' and why",
                 r.status_code == 202 and failed.get("statusText") == "Failed"
                 and failed.get("failure") == "The import could not run: the first line is not a CSV header naming the columns",
                 f"{r.status_code} " + json.dumps({k: failed.get(k) for k in ("status", "failure")}))

    # --- A JSON Lines file: no mapping, its keys as they are.
    ag.step = "imports-jsonl"
    ag.go("/#/imports")
    ag.wait(lambda: (s := listing()) and s["rows"] and not ag.css("[data-card=import-progress]:not([hidden])") or None, WAIT)
    ag.css("[data-form=import] input[name=file]")[0].send_keys(os.path.join(os.path.dirname(path), "people.jsonl"))
    lines = ag.wait(lambda: (f := form()) and f.get("jsonl") and f or None, WAIT) or form()
    checks.check("a JSON Lines file shows no mapping table but says its keys are used as they are",
                 lines.get("jsonl") == "JSON Lines: the keys of each line are used as field names as they are." and not lines.get("rows"),
                 json.dumps({k: lines.get(k) for k in ("jsonl", "found")}))
    ag.click("[data-action=start-import]")
    jsonl = finished(real_id)
    job = api.get(f"/v1/imports/{jsonl.get('id')}") if jsonl.get("id") else {}
    jules = _with_email(_customers(api), "jules.lines@example.com")
    checks.check("the JSON Lines import (format jsonl, no mapping) creates its customer with her attribute",
                 jsonl.get("status") == "completed" and jsonl.get("counts", {}).get("created") == "1" and job.get("format") == "jsonl"
                 and job.get("mapping") == {} and len(jules) == 1 and jules[0].get("attributes") == {"tier": "gold"},
                 json.dumps({k: jsonl.get(k) for k in ("status", "counts")}) + " " + json.dumps({k: job.get(k) for k in ("format", "mapping")}))

    # --- Chinese, 375 px.
    ag.step = "imports-zh-CN"
    ag.go(f"/#/imports/{real_id}")
    ag.wait(lambda: (p := progress()) and p.get("id") == real_id and p.get("report") or None, WAIT)
    ag.visible(".lang-switch select").find_element(By.CSS_SELECTOR, "option[value='zh-CN']").click()
    zh = ag.wait(lambda: ag.h1(timeout=1) == "导入" and (p := progress()) and p.get("labels", {}).get("created") == "已创建" and p.get("report") and p or None, WAIT) or progress()
    zh_form = form()
    zh_list = listing()
    checks.check("in Chinese the page speaks Chinese: the heading 导入, the nav, the form's labels (导入到, 文件, 试运行), the button",
                 ag.h1() == "导入" and (zh_list.get("nav") or {}).get("text") == "导入"
                 and {"导入到", "文件 *", "试运行"} <= set(zh_form.get("labels", [])) and zh_form.get("submit") == "开始导入"
                 and {o["value"]: o["text"] for o in zh_form.get("target", {}).get("options", [])}.get("customers") == "客户",
                 json.dumps({k: zh_form.get(k) for k in ("labels", "submit")}, ensure_ascii=False))
    checks.check("in Chinese the import's status, counts and error report are Chinese (已完成, 已创建, 已更新, 失败, 错误报告, 行, 列, 原因)",
                 zh.get("statusText") == "已完成" and zh.get("labels") == {"read": "已读取行数", "created": "已创建", "updated": "已更新", "unchanged": "无变化", "failed": "失败"}
                 and (zh.get("report") or {}).get("heads") == ["行", "列", "原因"] and (zh.get("report") or {}).get("title") == "错误报告",
                 json.dumps({k: zh.get(k) for k in ("statusText", "labels", "report")}, ensure_ascii=False)[:400])
    checks.check("in Chinese the recent imports are Chinese (最近的导入, 文件, 状态, 已完成)",
                 zh_list.get("title") == "最近的导入" and zh_list.get("heads", [])[:3] == ["文件", "导入到", "状态"]
                 and any(r["statusText"] == "已完成" and r["outcome"].startswith("创建 2") for r in zh_list.get("rows", [])),
                 json.dumps({k: zh_list.get(k) for k in ("title", "heads")}, ensure_ascii=False))
    audit("imports: the page in Chinese", ag)
    ag.css("[data-form=import] input[name=file]")[0].send_keys(path)
    zh_map = ag.wait(lambda: (f := form()) and len(f.get("rows", [])) == len(COLUMNS) and f or None, WAIT) or form()
    checks.check("in Chinese the mapping table is Chinese (列, 字段, — 不导入 —, 名称（name）)",
                 zh_map.get("heads") == ["列", "字段"] and row_of(zh_map, "Full name").get("texts", [""])[0] == "— 不导入 —"
                 and "名称（name）" in row_of(zh_map, "Full name").get("texts", []) and zh_map.get("found") == "表头共有 5 列。",
                 json.dumps({k: zh_map.get(k) for k in ("heads", "found")}, ensure_ascii=False))
    with colleagues.phone_width(ag):
        colleagues.fits(ag, checks, "the Import page with its mapping, an import and the list (in Chinese)")
        audit("imports: the page at 375 px (zh-CN)", ag)
    ag.d.execute_script("localStorage.setItem('rapport.locale', 'en')")

    # --- The first load.
    ag.go("/#/imports")
    ag.d.refresh()
    ag.wait(lambda: (s := listing()) and not s["busy"] and s["rows"] or None, WAIT)
    sizes = ag.d.execute_script(SIZES)
    total = sizes["page"] + sizes["assets"]
    checks.check(f"the first load of #/imports is under {FIRST_LOAD_BUDGET // 1000} KB, the imports' messages loaded with the page only",
                 0 < total < FIRST_LOAD_BUDGET and "i18n/imports/en.js" in sizes["names"] and not any("segments" in n for n in sizes["names"]),
                 f"{total / 1000:.1f} KB in {sizes['files'] + 1} files")
    _log(f"first load of #/imports: {total} bytes")
