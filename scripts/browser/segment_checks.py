"""Customer segments in the console browser test (console_test.py calls `segment_checks`; `--only
segments` runs them alone; in the whole suite on a server of their own).

Through the API (the admin key) the test makes an agent (who may write customers) and a viewer with
passwords, each signed in in a browser of their own, and customers with attributes and lifecycle
stages: leads interested in solar (one named `<img src=x onerror=alert(1)>`, and 50 more so that the
members take two pages), a lead interested in wind and a customer interested in solar. Then:

- the agent's #/segments (its nav entry current) is empty, with "New segment" (aria-expanded,
  aria-controls) opening a form: name, description, the filter as a textarea with a help naming what
  it may use and two examples;
- `attributes.score > 5` is refused (422) beside the filter with the server's message (line:column),
  keeping what was typed; a name taken is refused (409) beside the name;
- "Solar leads" with `lifecycle_stage == "lead" && attributes.interest == "solar"` is created: the
  page is the segment's: its name, the filter as code, the count (52 members), 50 members as links to
  their Customer 360 with "Show more" (then all 52); the markup name is text, no alert;
- the viewer's list shows it with its count (no New); the wind lead changed through the API to solar
  (PATCH /v1/customers/{id}) enters: the agent's open page shows 53 members and her in the list, the
  viewer's list 53, both without a reload; a lead becoming a customer leaves: 52 and gone;
- the viewer's segment page has no Edit or Delete;
- Edit while someone changes the segment through the API: Save says so (412) and offers to reload;
  reloaded, the form holds the other version; saved again: the page shows the new name;
- Chinese (the page's labels, the count, the form's labels and help), 375 px;
- Delete asks for a confirmation; the segment is gone (404) and leaves the viewer's list live;
- the first load of #/segments is under 300 KB with the segments' messages loaded with the page;
  axe-core on each page state.

Everything waits for what it checks (`b.wait`), never a fixed time.
"""

from __future__ import annotations

import json
import time

from selenium.common.exceptions import NoAlertPresentException
from selenium.webdriver.common.by import By

import colleagues
from colleagues import FIRST_LOAD_BUDGET, LIVE_WAIT, WAIT, expected

PASSWORD = "segments of customers 1234"
AGENT = {"email": "sina.segments@example.com", "name": "Sina Segments"}
VIEWER = {"email": "vito.viewer@example.com", "name": "Vito Viewer"}
XSS_NAME = "<img src=x onerror=alert(1)>"
SOLAR = "Sol Lead 索尔"
WIND = "Wendy Wind 风"
BULK = 50
SEGMENT = "Solar leads"
FILTER = 'lifecycle_stage == "lead" && attributes.interest == "solar"'
BAD_FILTER = "attributes.score > 5"

# The list page: its rows (name, link, description, count), New, the empty line.
LIST = """
const card = document.querySelector('[data-card=segments]');
if (!card) return null;
return { busy: !!card.querySelector('[aria-busy]'), empty: card.querySelector('.empty')?.textContent ?? null,
  status: card.querySelector('[data-field=segments-status]')?.textContent ?? '',
  heads: [...card.querySelectorAll('thead th')].map((th) => th.textContent),
  rows: [...card.querySelectorAll('tbody tr')].map((tr) => ({ id: tr.dataset.id, name: tr.querySelector('[data-field=name]')?.textContent ?? '',
    href: tr.querySelector('a[data-action=open-segment]')?.getAttribute('href') ?? null,
    description: tr.querySelector('[data-field=description]')?.textContent ?? '',
    count: tr.querySelector('[data-field=count]')?.dataset.count ?? null, shown: tr.querySelector('[data-field=count]')?.textContent ?? '' })),
  button: (() => { const b = document.querySelector('[data-action=new-segment]');
    return b ? { text: b.textContent, expanded: b.getAttribute('aria-expanded'), controls: b.getAttribute('aria-controls') } : null; })(),
  nav: document.querySelector('[data-nav=segments]') ? { text: document.querySelector('[data-nav=segments]').textContent,
    current: document.querySelector('[data-nav=segments]').getAttribute('aria-current') } : null };
"""
# A segment's page: heading, filter, count, members, the actions and notices.
PAGE = """
const view = document.querySelector('main .view');
if (!view || !view.dataset.segmentId) return { deleted: document.querySelector('[data-field=segment-deleted]')?.textContent ?? null };
const count = view.querySelector('[data-field=count] [data-count]');
const slot = view.querySelector('[data-slot=members]');
const more = view.querySelector('[data-action=more-members]');
const problem = view.querySelector('[data-field=segment-problem]');
return { id: view.dataset.segmentId, version: view.dataset.version, h1: view.querySelector('h1')?.textContent ?? '',
  description: view.querySelector('[data-field=segment-description]')?.textContent ?? '',
  filter: view.querySelector('[data-field=filter] code')?.textContent ?? null,
  count: count?.dataset.count ?? null, countText: count?.textContent ?? '',
  heads: [...view.querySelectorAll('h2')].map((h) => h.textContent), labels: [...view.querySelectorAll('[data-list=segment-fields] dt')].map((d) => d.textContent),
  busy: !!slot?.getAttribute('aria-busy'), empty: slot?.querySelector('.empty')?.textContent ?? null,
  members: [...view.querySelectorAll('[data-list=segment-members] > li')].map((li) => ({ id: li.dataset.customerId,
    name: li.querySelector('a')?.textContent ?? '', href: li.querySelector('a')?.getAttribute('href') ?? null,
    markup: li.querySelectorAll('img, script').length })),
  more: more ? { shown: !more.hidden, text: more.textContent } : null,
  status: view.querySelector('[data-field=members-status]')?.textContent ?? '',
  edit: view.querySelector('[data-action=edit-segment]')?.textContent ?? null, del: view.querySelector('[data-action=delete-segment]')?.textContent ?? null,
  notice: view.querySelector('[data-field=segment-notice]')?.textContent ?? '',
  problem: problem && !problem.hidden ? problem.textContent : null,
  deleted: view.querySelector('[data-field=segment-deleted]')?.textContent ?? null, reloaded: window.__notReloaded === true };
"""
# A segment form (new or edit): each input's label, value, error (through aria-describedby), the
# message, the reload button.
FORM = """
const form = document.querySelector(arguments[0]);
if (!form) return null;
const described = (el) => (el?.getAttribute('aria-describedby') || '').split(/\\s+/).filter(Boolean)
  .map((id) => document.getElementById(id)).filter((e) => e && e.classList.contains('field-error') && !e.hidden).map((e) => e.textContent).join(' ');
const hint = (el) => (el?.getAttribute('aria-describedby') || '').split(/\\s+/).filter(Boolean)
  .map((id) => document.getElementById(id)).filter((e) => e && e.classList.contains('field-hint')).map((e) => e.textContent).join(' ');
const message = form.querySelector('.form-message');
const reload = form.querySelector('[data-action=reload-segment]');
return { busy: form.getAttribute('aria-busy'),
  inputs: Object.fromEntries(['name', 'description', 'filter'].map((n) => { const el = form.querySelector(`[name=${n}]`);
    return [n, { tag: el?.tagName.toLowerCase(), value: el?.value ?? null, label: el?.labels?.[0]?.textContent ?? '', error: described(el),
      invalid: el?.getAttribute('aria-invalid'), hint: hint(el) }]; })),
  examples: [...form.querySelectorAll('[data-field=filter-examples] code')].map((c) => c.textContent),
  exampleLead: form.querySelector('[data-field=filter-examples]')?.firstChild?.textContent ?? '',
  message: message && !message.hidden ? message.textContent : null,
  reload: reload && !reload.hidden ? reload.textContent : null,
  submit: form.querySelector('[data-action=save-segment]')?.textContent ?? null,
  focused: document.activeElement?.name ?? document.activeElement?.dataset?.action ?? null };
"""
SIZES = """
const nav = performance.getEntriesByType('navigation')[0];
const own = performance.getEntriesByType('resource').filter(r => new URL(r.name).pathname.startsWith('/console/'));
return { page: nav ? nav.decodedBodySize : 0, assets: own.reduce((n, r) => n + r.decodedBodySize, 0), files: own.length,
  names: own.map((r) => new URL(r.name).pathname.split('/').slice(3).join('/')) };
"""
IMAGES = "return [...document.querySelectorAll('main img')].map((i) => i.getAttribute('src'));"


def _log(msg: str) -> None:
    print(f"[segments {time.strftime('%H:%M:%S')}] {msg}", flush=True)


def _accept_alert(br) -> str:
    alert = br.wait(lambda: _alert(br), WAIT)
    if not alert:
        return ""
    text = alert.text
    alert.accept()
    return text


def _alert(br):
    try:
        return br.d.switch_to.alert
    except NoAlertPresentException:
        return None


def segment_checks(b, server, api, checks, audit, *, new_browser, abort) -> None:
    """`b`: the test's Browser (the agent and the viewer get browsers of their own from
    `new_browser()`, whose consoles are added to `b`'s at the end); `api`: the admin-key client;
    `audit(page, browser)` runs axe-core in that browser; `abort`: the exception that stops the test."""
    base = server.base
    colleagues.user(api, base, AGENT, None, PASSWORD, role="agent")
    colleagues.user(api, base, VIEWER, None, PASSWORD, role="viewer")
    person = lambda name, stage, interest: api.post("/v1/customers", {  # noqa: E731
        "name": name, "lifecycle_stage": stage, "attributes": {"interest": interest}})
    people = {
        "solar": person(SOLAR, "lead", "solar"),
        "xss": person(XSS_NAME, "lead", "solar"),
        "wind": person(WIND, "lead", "wind"),
        "customer": person("Sunny Customer 阳光", "customer", "solar"),
    }
    for i in range(BULK):
        person(f"Solar lead {i + 1:02d}", "lead", "solar")
    checks.check("segments: customers with attributes and lifecycle stages are made through the API (leads for solar and wind, a customer)",
                 all(p.get("attributes", {}).get("interest") for p in people.values()), json.dumps(people["xss"])[:200])

    with colleagues.own_browsers(b, new_browser, "segments-agent", "segments-viewer") as (ag, vi):
        colleagues.sign_in_all(checks, abort, "segments: the agent and the viewer sign in in browsers of their own",
                               [(ag, AGENT), (vi, VIEWER)], PASSWORD)
        _run(ag, vi, base, api, checks, audit, people=people, abort=abort)


def _run(ag, vi, base, api, checks, audit, *, people, abort) -> None:
    def listing(br) -> dict:
        return br.d.execute_script(LIST) or {}

    def page(br) -> dict:
        return br.d.execute_script(PAGE) or {}

    def form(br, selector: str) -> dict:
        return br.d.execute_script(FORM, selector) or {}

    def put(br, selector: str, text: str) -> None:
        el = br.visible(selector)
        if el is None:
            raise abort(f"no {selector}")
        br.d.execute_script("arguments[0].scrollIntoView({block: 'center'})", el)
        el.clear()
        if text:
            el.send_keys(text)

    def open_list(br) -> dict:
        br.go("/#/segments")
        ready = br.wait(lambda: (s := listing(br)) and not s["busy"] and (s["rows"] or s["empty"]) and br.css(".live-status[data-state=live]") and s or None, WAIT)
        if not ready:
            raise abort(f"#/segments did not settle: {json.dumps(listing(br))[:300]}")
        return ready

    def open_page(br, segment_id: str) -> dict:
        br.go(f"/#/segments/{segment_id}")
        ready = br.wait(lambda: (s := page(br)) and s.get("id") == segment_id and not s["busy"] and (s["members"] or s["empty"])
                        and br.css(".live-status[data-state=live]") and s or None, WAIT)
        if not ready:
            raise abort(f"the segment's page did not settle: {json.dumps(page(br), ensure_ascii=False)[:300]}")
        return ready

    def patch(customer_id: str, body: dict) -> None:
        r = api.s.patch(f"{base}/v1/customers/{customer_id}", data=json.dumps(body), timeout=30)
        if r.status_code >= 300:
            raise abort(f"PATCH customer -> {r.status_code}: {r.text[:200]}")

    # --- The list, empty; the form.
    ag.step = "segments-list"
    state = open_list(ag)
    checks.check("#/segments is in the main navigation (Segments, current) and says there is no segment yet",
                 state.get("nav") == {"text": "Segments", "current": "page"} and state.get("empty") == "No segments yet." and ag.h1() == "Segments",
                 json.dumps(state)[:300])
    button = state.get("button") or {}
    ag.click("[data-action=new-segment]")
    opened = ag.wait(lambda: (f := form(ag, "[data-form=new-segment]")) and ag.visible("[data-form=new-segment] [name=name]", 1) and f or None, WAIT) or {}
    inputs = opened.get("inputs", {})
    checks.check("'New segment' (aria-controls its card, aria-expanded) opens a form: name, description, the filter as a textarea, the name focused",
                 button.get("text") == "New segment" and button.get("expanded") == "false" and bool(button.get("controls"))
                 and ag.css(f"#{button.get('controls')}:not([hidden])") and [inputs.get(n, {}).get("label") for n in ("name", "description", "filter")] == ["Name *", "Description", "Filter *"]
                 and inputs.get("filter", {}).get("tag") == "textarea" and opened.get("focused") == "name"
                 and ag.css("[data-action=new-segment][aria-expanded=true]"), json.dumps(opened)[:400])
    checks.check("the filter's help names what it may use, with two examples",
                 all(w in inputs.get("filter", {}).get("hint", "") for w in ("lifecycle_stage", "attributes.<key>", "company", "true or false"))
                 and opened.get("exampleLead") == "Examples:" and FILTER in opened.get("examples", []) and len(opened.get("examples", [])) == 2,
                 json.dumps({k: opened.get(k) for k in ("examples", "exampleLead")})[:300] + inputs.get("filter", {}).get("hint", ""))
    audit("segments: the list, empty, with the new segment's form", ag)

    # --- A filter the server cannot compile: its message beside the filter, the text kept.
    with expected(ag, "segments-bad-filter", "/v1/segments", 422):
        put(ag, "[data-form=new-segment] [name=name]", "Scored")
        put(ag, "[data-form=new-segment] [name=filter]", BAD_FILTER)
        ag.click("[data-form=new-segment] [data-action=save-segment]")
        bad = ag.wait(lambda: (f := form(ag, "[data-form=new-segment]")) and f["inputs"]["filter"]["error"] and not f["busy"] and f or None, WAIT) or {}
    fil = bad.get("inputs", {}).get("filter", {})
    checks.check("a filter that does not compile (attributes.score > 5) is refused beside the filter with the server's message (line:column), the text kept",
                 fil.get("error", "").startswith("The server cannot use this filter: 1:20: ") and "attribute" in fil.get("error", "")
                 and fil.get("value") == BAD_FILTER and fil.get("invalid") == "true" and bad.get("focused") == "filter"
                 and bad["inputs"]["name"]["value"] == "Scored" and not bad["inputs"]["name"]["error"], json.dumps(bad, ensure_ascii=False)[:500])
    audit("segments: a filter refused beside its input", ag)

    # --- Created: the segment's page with its count and members.
    ag.step = "segments-create"
    put(ag, "[data-form=new-segment] [name=name]", SEGMENT)
    put(ag, "[data-form=new-segment] [name=description]", "Leads asking about solar panels 太阳能")
    put(ag, "[data-form=new-segment] [name=filter]", FILTER)
    ag.click("[data-form=new-segment] [data-action=save-segment]")
    landed = ag.wait(lambda: "#/segments/seg_" in ag.d.current_url and (s := page(ag)) and s.get("id") and s["members"] and not s["busy"] and s or None, WAIT) or {}
    segment_id = landed.get("id") or ""
    stored = api.get(f"/v1/segments/{segment_id}") if segment_id else {}
    checks.check("Create sends the segment; the page is the new segment's: its name, description, the filter as code, 52 members",
                 ag.d.current_url.endswith(f"#/segments/{segment_id}") and stored.get("filter") == FILTER and stored.get("count") == BULK + 2
                 and landed.get("h1") == SEGMENT and landed.get("filter") == FILTER and landed.get("count") == str(BULK + 2)
                 and landed.get("countText") == f"{BULK + 2} members" and landed.get("description") == "Leads asking about solar panels 太阳能",
                 json.dumps({k: landed.get(k) for k in ("h1", "filter", "count", "countText", "description")}, ensure_ascii=False)[:400])
    members = landed.get("members", [])
    by_id = {m["id"]: m for m in members}
    checks.check("the first 50 members are listed, each a link to the customer's page, with 'Show more' and how many are shown",
                 len(members) == 50 and all(m["href"] == f"#/customers/{m['id']}" for m in members)
                 and landed.get("more") == {"shown": True, "text": "Show more"} and landed.get("status") == f"50 of {BULK + 2} shown"
                 and people["wind"]["id"] not in by_id and people["customer"]["id"] not in by_id, json.dumps({k: landed.get(k) for k in ("more", "status")}))
    xss = by_id.get(people["xss"]["id"], {})
    checks.check("a customer named <img src=x onerror=alert(1)> is text among the members: no element made from it, no alert",
                 xss.get("name") == XSS_NAME and xss.get("markup") == 0 and "x" not in (ag.d.execute_script(IMAGES) or []) and not ag.alert_present(),
                 json.dumps(xss))
    checks.check("a writer's segment page offers Edit and Delete", landed.get("edit") == "Edit" and landed.get("del") == "Delete", json.dumps(landed)[:200])
    ag.click("[data-action=more-members]")
    everyone = ag.wait(lambda: (s := page(ag)) and len(s["members"]) == BULK + 2 and not s["busy"] and s or None, WAIT) or page(ag)
    checks.check("'Show more' lists the rest: all 52 members, no more button",
                 len(everyone.get("members", [])) == BULK + 2 and not (everyone.get("more") or {}).get("shown") and everyone.get("status") == "",
                 json.dumps({k: everyone.get(k) for k in ("more", "status")}) + f" {len(everyone.get('members', []))}")
    audit("segments: a segment's page with its members", ag)
    ag.d.execute_script("window.__notReloaded = true")

    # --- The viewer's list; a customer enters live.
    vi.step = "segments-viewer"
    seen = open_list(vi)
    row = next(iter(seen.get("rows", [])), {})
    checks.check("the viewer's #/segments lists the segment (its name as a link, the description, the count) without 'New segment'",
                 seen.get("button") is None and row.get("name") == SEGMENT and row.get("href") == f"#/segments/{segment_id}"
                 and row.get("count") == str(BULK + 2) and row.get("description") == "Leads asking about solar panels 太阳能"
                 and seen.get("heads") == ["Name", "Description", "Members"] and seen.get("status") == "1 segment", json.dumps(seen, ensure_ascii=False)[:400])
    audit("segments: the list seen by a viewer", vi)
    vi.d.execute_script("window.__notReloaded = true")

    ag.step = "segments-live"
    patch(people["wind"]["id"], {"attributes": {"interest": "solar"}})
    entered = ag.wait(lambda: (s := page(ag)) and s.get("count") == str(BULK + 3) and people["wind"]["id"] in {m["id"] for m in s["members"]} and s or None, LIVE_WAIT) or page(ag)
    wendy = next((m for m in entered.get("members", []) if m["id"] == people["wind"]["id"]), {})
    checks.check("the wind lead changed to solar through the API enters: the open page shows 53 members and her as a link, without a reload",
                 entered.get("countText") == f"{BULK + 3} members" and wendy.get("name") == WIND and wendy.get("href") == f"#/customers/{people['wind']['id']}"
                 and len(entered.get("members", [])) == BULK + 3 and entered.get("reloaded") is True,
                 json.dumps({k: entered.get(k) for k in ("count", "countText", "reloaded")}) + f" {len(entered.get('members', []))}")
    counted = vi.wait(lambda: (s := listing(vi)) and s["rows"] and s["rows"][0]["count"] == str(BULK + 3) and s or None, LIVE_WAIT) or listing(vi)
    checks.check("the viewer's open list counts 53 live, without a reload",
                 (counted.get("rows") or [{}])[0].get("count") == str(BULK + 3) and vi.d.execute_script("return window.__notReloaded === true"),
                 json.dumps(counted.get("rows"), ensure_ascii=False)[:200])
    patch(people["solar"]["id"], {"lifecycle_stage": "customer"})
    left = ag.wait(lambda: (s := page(ag)) and s.get("count") == str(BULK + 2) and people["solar"]["id"] not in {m["id"] for m in s["members"]} and s or None, LIVE_WAIT) or page(ag)
    checks.check("a lead who becomes a customer leaves: 52 members, gone from the list, live",
                 left.get("count") == str(BULK + 2) and len(left.get("members", [])) == BULK + 2 and left.get("reloaded") is True,
                 json.dumps({k: left.get(k) for k in ("count", "countText")}) + f" {len(left.get('members', []))}")

    # --- The viewer's segment page: no Edit, no Delete.
    vi.step = "segments-viewer-page"
    viewed = open_page(vi, segment_id)
    checks.check("the viewer sees the segment's page (count, members) without Edit or Delete",
                 viewed.get("edit") is None and viewed.get("del") is None and viewed.get("count") == str(BULK + 2) and len(viewed.get("members", [])) == 50,
                 json.dumps({k: viewed.get(k) for k in ("edit", "del", "count")}))
    audit("segments: a segment's page seen by a viewer", vi)
    open_list(vi)

    # --- A name taken: 409 beside the name.
    ag.step = "segments-taken"
    open_list(ag)
    ag.click("[data-action=new-segment]")
    ag.visible("[data-form=new-segment] [name=name]")
    with expected(ag, "segments-taken", "/v1/segments", 409):
        put(ag, "[data-form=new-segment] [name=name]", SEGMENT)
        put(ag, "[data-form=new-segment] [name=filter]", "attributes.vip")
        ag.click("[data-form=new-segment] [data-action=save-segment]")
        taken = ag.wait(lambda: (f := form(ag, "[data-form=new-segment]")) and f["inputs"]["name"]["error"] and not f["busy"] and f or None, WAIT) or {}
    checks.check("a name another segment has is refused (409) beside the name, the filter kept",
                 taken.get("inputs", {}).get("name", {}).get("error") == "Another segment already has this name."
                 and taken["inputs"]["filter"]["value"] == "attributes.vip" and not taken["inputs"]["filter"]["error"], json.dumps(taken, ensure_ascii=False)[:400])

    # --- Edit while someone else changes it: 412, reload, save.
    ag.step = "segments-edit"
    open_page(ag, segment_id)
    ag.click("[data-action=edit-segment]")
    editing = ag.wait(lambda: (f := form(ag, "[data-form=edit-segment]")) and f["inputs"]["name"]["value"] == SEGMENT and f or None, WAIT) or {}
    checks.check("Edit opens the same form filled with the segment (name, description, filter), with Save",
                 editing.get("inputs", {}).get("filter", {}).get("value") == FILTER and editing.get("submit") == "Save", json.dumps(editing, ensure_ascii=False)[:300])
    theirs = f"{SEGMENT} (theirs)"
    r = api.s.put(f"{base}/v1/segments/{segment_id}", data=json.dumps({"name": theirs, "filter": FILTER}), timeout=30)
    ag.wait(lambda: page(ag).get("h1") == theirs or None, LIVE_WAIT)
    with expected(ag, "segments-edit", f"/v1/segments/{segment_id}", 412):
        put(ag, "[data-form=edit-segment] [name=name]", "Solar leads 太阳能")
        ag.click("[data-form=edit-segment] [data-action=save-segment]")
        stale = ag.wait(lambda: (f := form(ag, "[data-form=edit-segment]")) and f["message"] and not f["busy"] and f or None, WAIT) or {}
    checks.check("saving after someone else changed the segment (PUT through the API) says so (412) and offers to reload it",
                 r.status_code == 200 and stale.get("message", "").startswith("Someone else changed this segment since you opened it.")
                 and stale.get("reload") == "Reload the segment" and stale["inputs"]["name"]["value"] == "Solar leads 太阳能",
                 f"{r.status_code} {json.dumps(stale, ensure_ascii=False)[:400]}")
    ag.click("[data-form=edit-segment] [data-action=reload-segment]")
    reloaded = ag.wait(lambda: (f := form(ag, "[data-form=edit-segment]")) and f["inputs"]["name"]["value"] == theirs and f or None, WAIT) or {}
    checks.check("Reload puts the other version in the form and says so",
                 reloaded.get("message") == "This is the segment as it is now." and reloaded.get("reload") is None, json.dumps(reloaded, ensure_ascii=False)[:300])
    put(ag, "[data-form=edit-segment] [name=name]", "Solar leads 太阳能")
    ag.click("[data-form=edit-segment] [data-action=save-segment]")
    saved = ag.wait(lambda: (s := page(ag)) and s.get("h1") == "Solar leads 太阳能" and not ag.css("[data-form=edit-segment]") and s or None, WAIT) or page(ag)
    checks.check("saved again (PUT with If-Match): the page shows the new name and says it was saved, the count unchanged",
                 saved.get("notice") == "The segment was saved." and saved.get("count") == str(BULK + 2)
                 and api.get(f"/v1/segments/{segment_id}").get("name") == "Solar leads 太阳能", json.dumps({k: saved.get(k) for k in ("h1", "notice", "count")}, ensure_ascii=False))
    renamed = vi.wait(lambda: (s := listing(vi)) and s["rows"] and s["rows"][0]["name"] == "Solar leads 太阳能" or None, LIVE_WAIT)
    checks.check("the viewer's open list shows the new name live", bool(renamed), json.dumps(listing(vi).get("rows"), ensure_ascii=False)[:200])

    # --- Chinese, 375 px.
    ag.step = "segments-zh-CN"
    ag.visible(".lang-switch select").find_element(By.CSS_SELECTOR, "option[value='zh-CN']").click()
    zh = ag.wait(lambda: (s := page(ag)) and "定义" in s.get("heads", []) and s.get("countText") == f"{BULK + 2} 位成员" and s or None, WAIT) or page(ag)
    checks.check("in Chinese the segment's page speaks Chinese (定义, 成员, 筛选条件, 52 位成员, 编辑, 删除, 客户分群 in the nav)",
                 {"定义", "成员"} <= set(zh.get("heads", [])) and "筛选条件" in zh.get("labels", []) and zh.get("edit") == "编辑" and zh.get("del") == "删除"
                 and ag.text("[data-nav=segments]") == "客户分群", json.dumps({k: zh.get(k) for k in ("heads", "labels", "countText", "edit", "del")}, ensure_ascii=False))
    ag.click("[data-action=edit-segment]")
    zh_form = ag.wait(lambda: (f := form(ag, "[data-form=edit-segment]")) and f["inputs"]["name"]["label"] == "名称 *" and f or None, WAIT) or {}
    checks.check("in Chinese the form's labels and help are Chinese (名称, 描述, 筛选条件, 示例, 保存)",
                 [zh_form.get("inputs", {}).get(n, {}).get("label") for n in ("name", "description", "filter")] == ["名称 *", "描述", "筛选条件 *"]
                 and zh_form.get("exampleLead") == "示例：" and "属性" in zh_form.get("inputs", {}).get("filter", {}).get("hint", "") and zh_form.get("submit") == "保存",
                 json.dumps(zh_form, ensure_ascii=False)[:400])
    audit("segments: a segment's page with its form (zh-CN)", ag)
    with colleagues.phone_width(ag):
        colleagues.fits(ag, checks, "a segment's page with its form and members (in Chinese)")
        audit("segments: a segment's page at 375 px (zh-CN)", ag)
    ag.click("[data-form=edit-segment] [data-action=cancel-segment]")
    ag.go("/#/segments")
    zh_list = ag.wait(lambda: (s := listing(ag)) and s["rows"] and s.get("heads") == ["名称", "描述", "成员"] and s or None, WAIT) or listing(ag)
    checks.check("in Chinese the list speaks Chinese (客户分群, 名称, 描述, 成员, 新建分群)",
                 ag.h1() == "客户分群" and (zh_list.get("button") or {}).get("text") == "新建分群" and zh_list.get("heads") == ["名称", "描述", "成员"],
                 json.dumps({k: zh_list.get(k) for k in ("heads", "button")}, ensure_ascii=False))
    with colleagues.phone_width(ag):
        colleagues.fits(ag, checks, "the segments' list (in Chinese)")
        audit("segments: the list at 375 px (zh-CN)", ag)
    ag.d.execute_script("localStorage.setItem('rapport.locale', 'en')")
    ag.d.refresh()

    # --- Delete, with a confirmation; gone from the viewer's list live.
    ag.step = "segments-delete"
    open_page(ag, segment_id)
    ag.click("[data-action=delete-segment]")
    asked = _accept_alert(ag)
    gone = ag.wait(lambda: (s := page(ag)) and s.get("deleted") or None, WAIT)
    status = api.s.get(f"{base}/v1/segments/{segment_id}", timeout=30).status_code
    checks.check("Delete asks for a confirmation naming the segment; then the page says it was deleted and the segment is gone (404)",
                 "Solar leads 太阳能" in asked and str(gone or "").startswith("The segment “Solar leads 太阳能” was deleted.") and status == 404,
                 f"asked {asked!r}, {gone!r}, GET {status}")
    dropped = vi.wait(lambda: (s := listing(vi)) and s.get("empty") == "No segments yet." or None, LIVE_WAIT)
    checks.check("the deleted segment leaves the viewer's open list live", bool(dropped), json.dumps(listing(vi), ensure_ascii=False)[:200])

    # --- The first load.
    ag.go("/#/segments")
    ag.d.refresh()
    ag.wait(lambda: (s := listing(ag)) and not s["busy"] and (s["rows"] or s["empty"]) or None, WAIT)
    sizes = ag.d.execute_script(SIZES)
    total = sizes["page"] + sizes["assets"]
    checks.check(f"the first load of #/segments is under {FIRST_LOAD_BUDGET // 1000} KB, the segments' messages loaded with the page only",
                 0 < total < FIRST_LOAD_BUDGET and "i18n/segments/en.js" in sizes["names"] and not any("records" in n for n in sizes["names"]),
                 f"{total / 1000:.1f} KB in {sizes['files'] + 1} files")
    _log(f"first load of #/segments: {total} bytes")
