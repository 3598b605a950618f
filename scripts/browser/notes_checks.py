"""Notes, @mentions, notifications and follows in the console browser test (console_test.py calls
`notes_checks`; `--only notes` runs them alone).

Through the API (the admin key) the test makes three colleagues: a service agent (department
`service`) and two salespeople (department `sales`), a customer with one message, and a chat
conversation. Each colleague signs in in a browser of their own (separate sessions, as people at
separate desks), then:

- the service agent opens the customer, opens "Write a note" and writes a note that mentions
  `@sales` typed by hand and the salesperson chosen through the @-autocomplete (a listbox under the
  text: aria-activedescendant follows ArrowDown, Escape closes it, Tab inserts
  `@[Name](user:usr_…)`) and `@nobody`; the note shows at the top of the timeline as an internal
  note with chips for the mentions; the author is told `@nobody` was not found; the author now
  follows the customer;
- the salesperson's bell and the other salesperson's bell count it without a reload (the event
  stream); the salesperson opens the bell's page, sees who and the excerpt, opens the
  notification and lands on the customer with the note in view and focused; the count goes down;
- a note with `<script>`, `<img onerror>` and a `javascript:` link renders inert for its reader
  (`window.__pwned` stays undefined after loading and clicking; the text is shown as written;
  the one https link opens in a new tab without referrer); its notification's excerpt is text too;
- a note private to service shows a lock and the department to its author and is not shown to
  the salesperson at all;
- editing a note marks it "edited" (for other readers too) and its earlier version is shown;
  pinning puts it in the pinned strip; the salesperson follows the customer and is notified of a
  plain note there; a note is deleted after a confirmation;
- on the chat conversation the agent writes a note in the inbox: it is listed with the messages,
  after the message it follows, marked internal, and the conversation's Follow is on;
- "Mark all read" zeroes the bell; the preferences form turns a kind off (kept by the server);
- the pages speak Chinese (内部备注, 通知); axe-core audits each page state;
- then (digest_checks.py) the customer writes where the salesperson follows (reply_on_followed,
  live, the text as text), the salesperson's email digest, and an admin's digest settings.

Everything waits for what it checks (`b.wait`), never a fixed time, except one short settle
before a "nothing more arrived" check.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time

import colleagues
import digest_checks
from colleagues import BELL, LIVE_WAIT, NOTIFICATIONS, WAIT, accept_alert
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

PASSWORD = "notes and mentions 1234"
SERVICE = {"email": "sam.service@example.com", "name": "Sam Service"}
SALES = {"email": "lin.xiaoyu@example.com", "name": "Lin Xiaoyu"}
SALES_TWO = {"email": "sofia.sales@example.com", "name": "Sofia Sales"}
CUSTOMER = "Nadia Notes 娜迪亚"
FIRST_NOTE = "Please call back about order #4711. "
XSS_PARTS = ['<script>window.__pwned=1</script>', '<img src=x onerror="window.__pwned=2">', "[x](javascript:window.__pwned=3)"]
PRIVATE_NOTE = "Service only: refund approved 退款已批准"
EDITED_NOTE = "Please call back about order #4711 before Friday. (edited)"
FOLLOW_NOTE = "Follow-up: the parcel shipped today 今天已发货."
CONVERSATION_NOTE = "Conversation note: she prefers email, not phone."
FILE_NAME = "报价 <b>quote 2.txt"  # no "/": a file on disk first
FILE_BYTES = "Quote 4711: 2 × 乌龙茶, 25.00 EUR\n".encode() + bytes([0, 1, 0xFE, 0xFF])

ACTIVITY = "[data-card=activity]"
COMPOSER = "[data-card=note-composer]"

# One note as the page shows it (in `scope`, by id).
NOTE_STATE = """
const [scope, id] = arguments;
const li = document.querySelector(`${scope} [data-note-id="${id}"]`);
if (!li) return null;
const body = li.querySelector('[data-field=body]');
return {
  cls: li.className, text: body?.textContent ?? '', label: li.querySelector('.badge-note')?.textContent ?? '',
  lock: li.querySelector('[data-field=visibility]')?.textContent ?? '', author: li.querySelector('[data-field=author]')?.textContent ?? '',
  edited: !!li.querySelector('[data-action=note-revisions]'), pinned: !!li.querySelector('[data-field=pinned]'),
  chips: [...li.querySelectorAll('.mention')].map((c) => ({ text: c.textContent, kind: c.dataset.kind, id: c.dataset.id ?? null })),
  links: [...(body?.querySelectorAll('a') ?? [])].map((a) => ({ href: a.getAttribute('href'), rel: a.rel, target: a.target, text: a.textContent })),
  tags: [...new Set([...(body?.querySelectorAll('*') ?? [])].map((e) => e.tagName.toLowerCase()))],
  focused: document.activeElement === li, target: li.classList.contains('note-target'),
  visible: li.getBoundingClientRect().height > 0,
};
"""
AUTOCOMPLETE = """
const area = document.querySelector(arguments[0]);
const list = area && document.getElementById(area.getAttribute('aria-controls'));
return area && list ? {
  open: !list.hidden, role: list.getAttribute('role'), active: area.getAttribute('aria-activedescendant'),
  autocomplete: area.getAttribute('aria-autocomplete'),
  options: [...list.querySelectorAll('[role=option]')].map((o) => ({ id: o.id, ref: o.dataset.id, kind: o.dataset.kind, selected: o.getAttribute('aria-selected'), text: o.textContent })),
  value: area.value, focused: document.activeElement === area,
} : null;
"""
# A download with the page's session: status, Content-Disposition, bytes.
FETCH = """
const [href, done] = [arguments[0], arguments[arguments.length - 1]];
fetch(href, { credentials: 'same-origin' })
  .then(async (r) => done({ status: r.status, disposition: r.headers.get('Content-Disposition') ?? '',
                            bytes: Array.from(new Uint8Array(await r.arrayBuffer())) }))
  .catch((e) => done({ status: 0, disposition: '', bytes: [], error: String(e) }));
"""
# The next POST /v1/notes answers 422 naming department_id, as a server would for a department gone meanwhile.
STUB_422 = """
const original = window.fetch;
window.fetch = async (url, init) => {
  if (String(url).endsWith('/v1/notes') && init?.method === 'POST') {
    window.fetch = original;
    return new Response(JSON.stringify({ type: 'https://rapport.example/problems/validation', title: 'Invalid request', status: 422,
      errors: [{ field: 'department_id', message: 'no such department' }] }), { status: 422, headers: { 'Content-Type': 'application/problem+json' } });
  }
  return original(url, init);
};
"""
# The console's own renderer, run in the page on hostile and ordinary Markdown: what elements and
# links each gives, and its text. Links may only be http, https or mailto; nothing may be an
# element that loads or runs anything.
RENDER = """
const done = arguments[arguments.length - 1];
const main = document.querySelector('script[type=module][src$="/js/main.js"]').src;
import(main.replace(/js\\/main\\.js$/, 'js/components/markdown.js')).then(({ renderMarkdown }) => {
  done(arguments[0].map((source) => {
    const el = renderMarkdown(source);
    return { source, text: el.textContent, tags: [...el.querySelectorAll('*')].map((e) => e.tagName.toLowerCase()),
      links: [...el.querySelectorAll('a')].map((a) => a.getAttribute('href')),
      attrs: [...el.querySelectorAll('*')].flatMap((e) => [...e.attributes].map((a) => a.name)).filter((n) => n.startsWith('on') || n === 'style' || n === 'src') };
  }));
}, (error) => done(String(error)));
"""
HOSTILE = [
    "[a](JAVASCRIPT:alert(1))", "[a](java\tscript:alert(1))", "[a](data:text/html;base64,PHNjcmlwdD4=)", "[a](vbscript:msgbox)",
    "[a](//evil.example/x)", "[a](/relative)", "<a href=\"javascript:alert(1)\">x</a>", "<iframe src=\"https://evil.example\"></iframe>",
    "![img](https://evil.example/x.png)", "<svg onload=alert(1)>", "[[x](https://a.example)](javascript:alert(1))",
    "**<img src=x onerror=alert(1)>**", "`<script>alert(1)</script>`", "```\n<script>alert(1)</script>\n```",
    "> <style>body{display:none}</style>", "@[<b>Eve</b>](user:usr_1)", "[ok](https://example.com/a?b=1&c=<x>)", "[mail](mailto:ana@example.com)",
]
FIELD = """
const el = document.querySelector(arguments[0]);
const error = el?.closest('.field, fieldset')?.querySelector('.field-error');
return el ? { error: error && !error.hidden ? error.textContent : '', invalid: (el.closest('fieldset') ?? el).getAttribute('aria-invalid'),
  focused: document.activeElement === el || (el.closest('fieldset')?.contains(document.activeElement) ?? false) } : null;
"""


def _log(msg: str) -> None:
    print(f"[notes {time.strftime('%H:%M:%S')}] {msg}", flush=True)


def notes_checks(b, server, api, checks, audit, *, new_browser, abort) -> None:
    """`b`: the test's Browser (not used for the colleagues: each gets a browser of its own from
    `new_browser()`, whose console is added to `b`'s at the end for the test's console check);
    `api`: the admin-key client; `audit(page, browser)` runs axe-core in that browser; `abort`:
    the exception that stops the test."""
    base = server.base
    service_dep = colleagues.department(api, "service")
    sales_dep = colleagues.department(api, "sales")
    agent = colleagues.user(api, base, SERVICE, service_dep, PASSWORD)
    seller = colleagues.user(api, base, SALES, sales_dep, PASSWORD)
    seller_two = colleagues.user(api, base, SALES_TWO, sales_dep, PASSWORD)
    chat = next((c for c in api.get("/v1/channels")["data"] if c["kind"] == "chat"), None) or api.post("/v1/channels", {"kind": "chat", "name": "Notes chat"})
    customer = api.post("/v1/customers", {"name": CUSTOMER, "emails": ["nadia.notes@example.com"]})
    message = api.post("/v1/interactions", {"channel_id": chat["id"], "customer_id": customer["id"], "kind": "message",
                                             "direction": "inbound", "body": "Hello, where is my order #4711?"})
    conversation = next(iter(api.get("/v1/conversations", customer_id=customer["id"]).get("data", [])), None)
    _log(f"colleagues {agent['id']} (service), {seller['id']}, {seller_two['id']} (sales); customer {customer['id']}")

    with colleagues.own_browsers(b, new_browser, "notes-service", "notes-sales", "notes-sales-2") as (s_b, l_b, m_b):
        colleagues.sign_in_all(checks, abort, "three colleagues sign in, each in a browser of their own (service agent, two salespeople)",
                               [(s_b, SERVICE), (l_b, SALES), (m_b, SALES_TWO)], PASSWORD)
        _run(s_b, l_b, m_b, base, api, checks, audit, agent=agent, seller=seller, customer=customer, conversation=conversation,
             message=message, abort=abort)
        # The salesperson follows the customer by now: the customer writes; the digest, theirs and the admin's.
        digest_checks.digest_checks(b, base, api, checks, audit, new_browser=new_browser, follower=l_b, who=SALES, password=PASSWORD,
                                    customer=customer, abort=abort)


def _run(s_b, l_b, m_b, base, api, checks, audit, *, agent, seller, customer, conversation, message, abort) -> None:
    cid = customer["id"]
    l_http, m_http, s_http = colleagues.sessions(base, PASSWORD, SALES, SALES_TWO, SERVICE)

    def bell(br) -> dict:
        return br.d.execute_script(BELL) or {}

    def note(br, note_id: str, scope: str = ACTIVITY) -> dict | None:
        return br.d.execute_script(NOTE_STATE, scope, note_id)

    def newest_note_id(br, after: set) -> str | None:
        ids = br.d.execute_script(f"return [...document.querySelectorAll('{ACTIVITY} li.note')].map((li) => li.dataset.noteId)") or []
        return next((i for i in ids if i not in after), None)

    def shown_note_ids(br) -> set:
        return set(br.d.execute_script(f"return [...document.querySelectorAll('{ACTIVITY} li.note')].map((li) => li.dataset.noteId)") or [])

    def open_customer(br) -> None:
        br.go(f"/#/customers/{cid}")
        br.d.refresh()  # a fresh page, also when it was open already
        br.h1(CUSTOMER)
        br.wait(lambda: br.css(f"{ACTIVITY} .timeline-item") or None, WAIT)

    def write(br, text_keys: list, *, private: bool = False, scope: str = "", files: list | None = None) -> dict:
        """Writes a note with the composer in `scope`; returns {id, unresolved, saved}."""
        card = f"{scope} {COMPOSER}".strip()
        toggle = br.visible(f"{card} [data-action=write-note]")
        if toggle is not None and toggle.get_attribute("aria-expanded") != "true":
            br.click(f"{card} [data-action=write-note]")
        area = br.visible(f"{card} textarea[name=body]")
        if area is None:
            raise abort("no note composer")
        for keys in text_keys:
            area.send_keys(keys)
        if private:
            br.click(f"{card} input[data-visibility=department]")
        for path in files or []:
            br.css(f"{card} input[type=file]")[0].send_keys(path)
        before = br.d.execute_script(f"return [...document.querySelectorAll('li.note')].map((li) => li.dataset.noteId)") or []
        br.click(f"{card} [data-action=note-submit]")
        saved = br.wait(lambda: "Note saved" in (br.text(f"{card} .form-message") or "") or None, WAIT)
        new_id = br.wait(lambda: next((i for i in (br.d.execute_script("return [...document.querySelectorAll('li.note')].map((li) => li.dataset.noteId)") or [])
                                      if i not in before), None), WAIT)
        unresolved = br.d.execute_script(f"return [...document.querySelectorAll('{card} [data-state=unresolved-mentions] li')].map((li) => [li.dataset.reason, li.textContent])") or []
        return {"id": new_id, "unresolved": unresolved, "saved": bool(saved)}

    # Each salesperson's page is open and its bell follows the stream.
    for br in (l_b, m_b):
        br.go("/#/customers")
        br.wait(lambda br=br: bell(br).get("state") == "live" or None, WAIT)
    l_before, m_before = bell(l_b).get("unread"), bell(m_b).get("unread")
    checks.check("each salesperson's header has a bell (a link to #/notifications) following the event stream, with no unread",
                 bell(l_b).get("state") == "live" and bell(m_b).get("state") == "live" and l_before == 0 and m_before == 0,
                 f"{bell(l_b)} / {bell(m_b)}")

    # --- The service agent writes the first note: @sales by hand, the salesperson through the autocomplete, @nobody.
    open_customer(s_b)
    follow_button = s_b.visible("main .page-header [data-action=follow]")
    composer = s_b.visible(f"{COMPOSER} [data-action=write-note]")
    checks.check("the Customer 360 has a Follow toggle (off) and an 'Internal notes' card with 'Write a note'",
                 follow_button is not None and follow_button.get_attribute("aria-pressed") == "false" and composer is not None,
                 f"follow {follow_button.get_attribute('aria-pressed') if follow_button else None}, composer {composer is not None}")
    s_b.click(f"{COMPOSER} [data-action=write-note]")
    area_sel = f"{COMPOSER} textarea[name=body]"
    area = s_b.visible(area_sel)
    if area is None:
        raise abort("'Write a note' does not open the composer")
    focused = s_b.d.execute_script(f"return document.activeElement === document.querySelector('{area_sel}')")
    area.send_keys(FIRST_NOTE + "@sales please check the quote, and @Li")
    listed = s_b.wait(lambda: (s := s_b.d.execute_script(AUTOCOMPLETE, area_sel)) and s["open"] and s["options"] and s, WAIT) or {}
    checks.check("typing '@Li' in the note lists suggestions under it (role=listbox; the textarea's aria-activedescendant names the first option)",
                 bool(listed) and listed["role"] == "listbox" and listed["autocomplete"] == "list" and listed["active"] == listed["options"][0]["id"]
                 and listed["options"][0]["selected"] == "true" and focused,
                 f"{listed.get('options', [])[:3]} active {listed.get('active')}, focus on the text at opening {focused}")
    audit("notes: customer 360, composer with mention suggestions", s_b)
    area.send_keys(Keys.ESCAPE)
    closed = s_b.wait(lambda: (s := s_b.d.execute_script(AUTOCOMPLETE, area_sel)) and not s["open"] and not s["active"] or None, 3)
    still_open = s_b.visible(area_sel, 1) is not None
    area.send_keys("n")
    listed = s_b.wait(lambda: (s := s_b.d.execute_script(AUTOCOMPLETE, area_sel)) and s["open"]
                      and any(o["ref"] == seller["id"] for o in s["options"]) and s, WAIT) or {}
    moved = []
    for _ in range(len(listed.get("options", [])) + 1):
        state = s_b.d.execute_script(AUTOCOMPLETE, area_sel) or {}
        active = next((o for o in state.get("options", []) if o["id"] == state.get("active")), None)
        if active and active["ref"] == seller["id"]:
            break
        area.send_keys(Keys.ARROW_DOWN)
        moved.append(state.get("active"))
    area.send_keys(Keys.TAB)
    inserted = f"@[{SALES['name']}](user:{seller['id']})"
    after = s_b.wait(lambda: (s := s_b.d.execute_script(AUTOCOMPLETE, area_sel)) and inserted in s["value"] and s, 3) or {}
    checks.check("Escape closes the suggestions (the form stays); typing reopens them; ArrowDown moves the active option; Tab inserts "
                 "@[Name](user:id) and keeps the focus in the text",
                 bool(closed) and still_open and bool(listed) and bool(after) and not after.get("open") and after.get("focused"),
                 f"closed {bool(closed)}, reopened {bool(listed)}, moved over {len(moved)}, value {after.get('value', '')[-80:]!r}")
    area.send_keys(" — **thanks** and @nobody.")
    before = shown_note_ids(s_b)
    s_b.click(f"{COMPOSER} [data-action=note-submit]")
    saved = s_b.wait(lambda: "Note saved" in s_b.text(f"{COMPOSER} .form-message") or None, WAIT)
    first_id = s_b.wait(lambda: newest_note_id(s_b, before), WAIT)
    shown = note(s_b, first_id) if first_id else None
    top = s_b.d.execute_script(f"return document.querySelector('{ACTIVITY} .timeline > li')?.dataset.noteId ?? null")
    chips = (shown or {}).get("chips", [])
    checks.check("the saved note is at the top of the timeline, marked 'Internal note', its mentions as chips (@Lin Xiaoyu, @Sales)",
                 bool(saved) and shown is not None and top == first_id and shown["label"] == "Internal note"
                 and {"text": f"@{SALES['name']}", "kind": "user", "id": seller["id"]} in chips
                 and any(c["kind"] == "department" and c["id"] == sales_id(api) for c in chips)
                 and "strong" in shown["tags"] and shown["author"] == SERVICE["name"],
                 json.dumps(shown, ensure_ascii=False)[:400] if shown else f"saved {bool(saved)}, no note")
    warning = s_b.d.execute_script(f"return [...document.querySelectorAll('{COMPOSER} [data-state=unresolved-mentions] li')].map((li) => [li.dataset.reason, li.textContent])") or []
    checks.check("the author is told '@nobody was not found and is kept as text'",
                 any(reason == "unknown" and "@nobody was not found and is kept as text" in text for reason, text in warning), str(warning))
    followed = s_b.wait(lambda: s_b.css("main .page-header [data-action=follow][aria-pressed=true]") or None, WAIT)
    checks.check("writing the note makes its author follow the customer (the Follow toggle turns on)", bool(followed),
                 str(s_b.d.execute_script("return document.querySelector('main .page-header [data-action=follow]')?.outerHTML")))

    # --- The salespeople's bells count it, live.
    l_up = l_b.wait(lambda: (bell(l_b).get("unread") or 0) > (l_before or 0) or None, LIVE_WAIT)
    m_up = m_b.wait(lambda: (bell(m_b).get("unread") or 0) > (m_before or 0) or None, LIVE_WAIT)
    # The mentioned salesperson may hear of it twice (by name and through @sales): wait for both.
    l_b.wait(lambda: bell(l_b).get("unread") == l_http.unread() or None, 5)
    m_b.wait(lambda: bell(m_b).get("unread") == m_http.unread() or None, 5)
    server_l, server_m = l_http.unread(), m_http.unread()
    checks.check("the mentioned salesperson's bell counts the notification without a reload (the event stream), as the server does",
                 bool(l_up) and bell(l_b).get("unread") == server_l and bell(l_b).get("shown") == str(server_l)
                 and f"{server_l} unread" in bell(l_b).get("label", ""),
                 f"bell {bell(l_b)}, server {server_l}")
    checks.check("the other sales member's bell counts the @sales mention too, without a reload",
                 bool(m_up) and bell(m_b).get("unread") == server_m, f"bell {bell(m_b)}, server {server_m}")

    # --- The salesperson opens the notification and lands on the note.
    l_b.click("a.bell")
    l_b.wait(lambda: "#/notifications" in l_b.d.current_url and l_b.css(".notification-list > li") or None, WAIT)
    items = l_b.wait(lambda: (n := l_b.d.execute_script(NOTIFICATIONS)) and any(i["unread"] for i in n) and n, WAIT) or []
    direct = next((i for i in items if i["kind"] == "mention" and "mentioned you" in i["what"]), None) or next(iter(items), None)
    checks.check("the bell opens #/notifications: the mention is unread, says who mentioned and shows the note's excerpt",
                 direct is not None and direct["unread"] and SERVICE["name"] in direct["what"] and "call back about order" in direct["excerpt"]
                 and l_b.h1() == "Notifications" and l_b.css("a.bell[aria-current=page]"),
                 json.dumps(items[:3], ensure_ascii=False)[:400])
    audit("notes: notifications page (unread)", l_b)
    unread_then = bell(l_b).get("unread") or 0
    if direct is None:
        raise abort("no notification to open")
    l_b.click(f".notification-list > li[data-notification-id='{direct['id']}'] a[data-action=open-customer]")
    landed = l_b.wait(lambda: f"#/customers/{cid}" in l_b.d.current_url and (n := note(l_b, first_id)) and n["visible"] and n["target"] and n, WAIT)
    checks.check("opening the notification lands on the customer with the note in view, focused, its text shown",
                 bool(landed) and landed["focused"] and "call back about order #4711" in landed["text"], l_b.d.current_url + " " + json.dumps(landed or {}, ensure_ascii=False)[:200])
    read = l_b.wait(lambda: (bell(l_b).get("unread") or 0) < unread_then or None, WAIT)
    checks.check("opening it marks it read: the bell counts one less", bool(read), f"{unread_then} then {bell(l_b).get('unread')}, server {l_http.unread()}")
    audit("notes: customer 360 at a note (salesperson)", l_b)

    # --- The renderer on hostile input, in the page: only http(s)/mailto links, no loading or running element.
    rendered = s_b.d.execute_async_script(RENDER, HOSTILE)
    bad = [r for r in rendered if isinstance(r, dict) and (
        set(r["tags"]) - {"p", "strong", "em", "code", "pre", "a", "span", "br", "ul", "ol", "li", "blockquote", "h3", "h4", "h5", "div"}
        or r["attrs"] or any(not (h or "").startswith(("https://", "http://", "mailto:")) for h in r["links"]))] if isinstance(rendered, list) else [rendered]
    links = {r["source"]: r["links"] for r in rendered if isinstance(r, dict)} if isinstance(rendered, list) else {}
    checks.check("the console's Markdown renderer, run on hostile input in the page, makes only http(s)/mailto links and no element "
                 "that loads or runs anything (javascript:, data:, vbscript:, relative links, HTML, images stay text)",
                 not bad and links.get("[ok](https://example.com/a?b=1&c=<x>)") == ["https://example.com/a?b=1&c=%3Cx%3E"]
                 and links.get("[mail](mailto:ana@example.com)") == ["mailto:ana@example.com"]
                 and all(not links.get(h) for h in HOSTILE[:11]),
                 json.dumps(bad or links, ensure_ascii=False)[:400])

    # --- Markup in a note is inert.
    open_customer(s_b)
    xss = write(s_b, [f"XSS probe {XSS_PARTS[0]} {XSS_PARTS[1]} {XSS_PARTS[2]} and [the docs](https://example.com/docs) @sales"])
    if not xss["id"]:
        raise abort("the note with markup was not saved")
    l_b.go(f"/#/customers/{cid}?note={xss['id']}")
    l_b.d.refresh()
    shown = l_b.wait(lambda: (n := note(l_b, xss["id"])) and n["text"] and n, WAIT)
    pwned_load = l_b.d.execute_script("return typeof window.__pwned")
    body = l_b.css(f"{ACTIVITY} [data-note-id='{xss['id']}'] [data-field=body]")
    if body:
        l_b.d.execute_script("arguments[0].scrollIntoView({block: 'center'})", body[0])
        body[0].click()
    pwned_click = l_b.d.execute_script("return typeof window.__pwned")
    links = (shown or {}).get("links", [])
    checks.check("a note with <script>, <img onerror> and a javascript: link renders inert for its reader: the text as written, "
                 "window.__pwned undefined after load and a click",
                 shown is not None and all(part in shown["text"] for part in XSS_PARTS) and pwned_load == "undefined" and pwned_click == "undefined"
                 and not {"script", "img"} & set(shown["tags"]),
                 f"__pwned {pwned_load}/{pwned_click}, tags {shown and shown['tags']}, text {(shown or {}).get('text', '')[:200]!r}")
    checks.check("its one http(s) link opens in a new tab with rel=noopener noreferrer nofollow; the javascript: one is no link",
                 len(links) == 1 and links[0]["href"] == "https://example.com/docs" and links[0]["target"] == "_blank"
                 and set("noopener noreferrer nofollow".split()) <= set(links[0]["rel"].split()), str(links))
    s_pwned = s_b.d.execute_script("return typeof window.__pwned")
    l_b.go("/#/notifications")
    excerpt = l_b.wait(lambda: next((i for i in (l_b.d.execute_script(NOTIFICATIONS) or []) if "XSS probe" in i["excerpt"]), None), WAIT)
    checks.check("its notification's excerpt is text too (no element made from it), in the author's page nothing ran either",
                 excerpt is not None and excerpt["markup"] == 0 and "<script" in excerpt["excerpt"] and s_pwned == "undefined"
                 and l_b.d.execute_script("return typeof window.__pwned") == "undefined",
                 json.dumps(excerpt, ensure_ascii=False)[:300] if excerpt else "no notification with the excerpt")

    # --- A note private to service.
    open_customer(s_b)
    private = write(s_b, [PRIVATE_NOTE], private=True)
    mine = note(s_b, private["id"]) if private["id"] else None
    checks.check("a note for 'Only my department' shows its author a lock and the department ('Only Customer Service')",
                 mine is not None and "note-private" in mine["cls"] and service_dep_name(api) in mine["lock"] and mine["lock"].startswith("Only"),
                 json.dumps(mine, ensure_ascii=False)[:200] if mine else "not saved")
    open_customer(l_b)
    l_b.wait(lambda: note(l_b, xss["id"]) or None, WAIT)
    page_text = l_b.d.execute_script("return document.querySelector('main').textContent")
    hidden = private["id"] and note(l_b, private["id"]) is None and "refund approved" not in page_text
    r = l_http.get(f"/v1/notes/{private['id']}") if private["id"] else None
    checks.check("the service department's private note is not shown to the salesperson (nor given by the API: 404)",
                 bool(hidden) and r is not None and r.status_code == 404, f"shown {not hidden}, GET {r.status_code if r is not None else None}")

    # --- Edit, revisions, pin.
    open_customer(s_b)
    s_b.click(f"{ACTIVITY} [data-note-id='{first_id}'] [data-action=note-edit]")
    editor = s_b.visible(f"{ACTIVITY} [data-note-id='{first_id}'] [data-form=edit-note] textarea")
    if editor is None:
        raise abort("Edit does not open the note's editor")
    editor.send_keys(Keys.CONTROL, "a")
    editor.send_keys(Keys.DELETE)
    editor.send_keys(EDITED_NOTE)
    s_b.click(f"{ACTIVITY} [data-note-id='{first_id}'] [data-action=note-save]")
    edited = s_b.wait(lambda: (n := note(s_b, first_id)) and n["edited"] and "before Friday" in n["text"] and n, WAIT)
    s_b.click(f"{ACTIVITY} [data-note-id='{first_id}'] [data-action=note-revisions]")
    revision = s_b.wait(lambda: s_b.d.execute_script(
        f"return [...document.querySelectorAll(`{ACTIVITY} [data-note-id='{first_id}'] .note-revision`)].map((r) => [r.dataset.version, r.textContent])") or None, WAIT) or []
    checks.check("editing a note (If-Match) shows the new text marked 'edited'; 'edited' opens the earlier version",
                 bool(edited) and any(v == "1" and "call back about order #4711." in text for v, text in revision),
                 f"edited {bool(edited)}, revisions {revision}")
    audit("notes: an edited note with its earlier versions", s_b)
    s_b.click(f"{ACTIVITY} [data-note-id='{first_id}'] [data-action=note-pin]")
    pinned = s_b.wait(lambda: s_b.css(f"[data-card=pinned-notes]:not([hidden]) [data-note-id='{first_id}']") or None, WAIT)
    checks.check("Pin puts the note in the pinned strip at the top and marks it pinned on the timeline",
                 bool(pinned) and (note(s_b, first_id) or {}).get("pinned"), str(bool(pinned)))
    open_customer(l_b)
    other = l_b.wait(lambda: (n := note(l_b, first_id)) and n["edited"] and n, WAIT)
    strip = l_b.wait(lambda: l_b.css(f"[data-card=pinned-notes]:not([hidden]) [data-note-id='{first_id}']") or None, WAIT)
    checks.check("another reader sees the new text, 'edited' and the pinned strip", bool(other) and "before Friday" in other["text"] and bool(strip),
                 json.dumps(other, ensure_ascii=False)[:200] if other else "")

    # --- The salesperson follows the customer and hears of a plain note there.
    l_b.click("main .page-header [data-action=follow]")
    on = l_b.wait(lambda: l_b.css("main .page-header [data-action=follow][aria-pressed=true]") or None, WAIT)
    follows = l_http.get("/v1/follows", customer_id=cid).json().get("data", [])
    checks.check("the salesperson turns Follow on (aria-pressed, kept by the server)", bool(on) and len(follows) == 1, str(follows)[:200])
    l_count, m_count = bell(l_b).get("unread") or 0, bell(m_b).get("unread") or 0
    open_customer(s_b)
    folder = tempfile.mkdtemp(prefix="rapport-notes-")
    path = os.path.join(folder, FILE_NAME)
    with open(path, "wb") as f:
        f.write(FILE_BYTES)
    try:
        plain = write(s_b, [FOLLOW_NOTE], files=[path])
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    heard = l_b.wait(lambda: (bell(l_b).get("unread") or 0) > l_count or None, LIVE_WAIT)
    time.sleep(1.0)  # long enough for a notification the other salesperson should not get to arrive
    newest = next(iter(l_http.get("/v1/notifications", limit=1).json().get("data", [])), {})
    checks.check("a plain note on the followed customer notifies the follower live (note_on_followed), not the other salesperson",
                 bool(heard) and newest.get("kind") == "note_on_followed" and (bell(m_b).get("unread") or 0) == m_count,
                 f"follower {l_count} -> {bell(l_b).get('unread')}, other {m_count} -> {bell(m_b).get('unread')}, newest {newest.get('kind')}")
    arrived = l_b.wait(lambda: plain["id"] and (n := note(l_b, plain["id"])) and FOLLOW_NOTE in n["text"] and n, WAIT)
    top = l_b.d.execute_script(f"return document.querySelector('{ACTIVITY} .timeline > li')?.dataset.noteId ?? null")
    checks.check("the follower's open Customer 360 shows the new note at the top without a reload (rapport.note.created)",
                 bool(arrived) and top == plain["id"], f"top {top}, note {plain['id']}")

    # --- Its file: a download link named as text, giving the bytes.
    file_link = s_b.d.execute_script(
        "const a = document.querySelector(`[data-card=activity] [data-note-id='${arguments[0]}'] .note-attachments a`);"
        "return a ? { href: a.getAttribute('href'), text: a.textContent, download: a.getAttribute('download'), markup: a.querySelectorAll('b').length } : null;",
        plain["id"]) if plain["id"] else None
    got = s_b.d.execute_async_script(FETCH, file_link["href"]) if file_link else {}
    checks.check("a file sent with a note is listed as a download named as text (markup and Chinese), and gives exactly its bytes",
                 file_link is not None and file_link["href"].startswith(f"/v1/notes/{plain['id']}/files/") and FILE_NAME in file_link["text"]
                 and file_link["markup"] == 0 and file_link["download"] == FILE_NAME and got.get("status") == 200
                 and bytes(got.get("bytes", [])) == FILE_BYTES and "attachment" in got.get("disposition", ""),
                 f"{file_link}, {got.get('status')} {got.get('disposition', '')!r} {len(got.get('bytes', []))} bytes")

    # --- Problems beside the fields: the length limit (here), the server's 422 (stubbed: a department gone).
    if s_b.css(f"{COMPOSER} [data-action=write-note][aria-expanded=false]"):
        s_b.click(f"{COMPOSER} [data-action=write-note]")
    s_b.visible(f"{COMPOSER} textarea[name=body]")
    s_b.d.execute_script("const a = document.querySelector(arguments[0]); a.value = 'x'.repeat(20001); a.dispatchEvent(new Event('input', { bubbles: true }));",
                         f"{COMPOSER} textarea[name=body]")
    s_b.click(f"{COMPOSER} [data-action=note-submit]")
    long_state = s_b.wait(lambda: (f := s_b.d.execute_script(FIELD, f"{COMPOSER} textarea[name=body]")) and f["error"] and f, 3) or {}
    checks.check("a note over 20,000 characters is refused beside the text (aria-invalid, focus there), before sending",
                 "20,000" in long_state.get("error", "") and long_state.get("invalid") == "true" and long_state.get("focused"), str(long_state))
    s_b.d.execute_script("const a = document.querySelector(arguments[0]); a.value = ''; a.dispatchEvent(new Event('input', { bubbles: true }));",
                         f"{COMPOSER} textarea[name=body]")
    s_b.visible(f"{COMPOSER} textarea[name=body]").send_keys("Only for us, please.")
    s_b.click(f"{COMPOSER} input[data-visibility=department]")
    s_b.d.execute_script(STUB_422)
    s_b.click(f"{COMPOSER} [data-action=note-submit]")
    beside = s_b.wait(lambda: (f := s_b.d.execute_script(FIELD, f"{COMPOSER} input[data-visibility=department]")) and f["error"] and f, WAIT) or {}
    body_state = s_b.d.execute_script(FIELD, f"{COMPOSER} textarea[name=body]") or {}
    checks.check("a 422 naming department_id is shown beside 'Who sees this note' (in words, not the server's), the text's old error gone",
                 beside.get("error", "").startswith("Your department is not known any more") and beside.get("invalid") == "true"
                 and not body_state.get("error"), f"{beside} / body {body_state}")

    # --- Delete (after a confirmation).
    if plain["id"]:
        s_b.click(f"{ACTIVITY} [data-note-id='{plain['id']}'] [data-action=note-delete]")
        asked = s_b.wait(lambda: accept_alert(s_b) or None, 3)
        gone = s_b.wait(lambda: note(s_b, plain["id"]) is None or None, WAIT)
        r = s_http.get(f"/v1/notes/{plain['id']}")
        checks.check("Delete asks for a confirmation, then the note is gone (404)", bool(asked) and bool(gone) and r.status_code == 404,
                     f"asked {asked!r}, gone {bool(gone)}, GET {r.status_code}")
        elsewhere = l_b.wait(lambda: note(l_b, plain["id"]) is None or None, WAIT)
        checks.check("... and it goes from the other reader's open page too (rapport.note.deleted)", bool(elsewhere), "")

    # --- A note on the conversation, in the inbox.
    if conversation is None:
        checks.check("the customer's message made a conversation", False, "none")
    else:
        s_b.go(f"/#/inbox/{conversation['id']}")
        s_b.wait(lambda: s_b.css(f"ol.messages li[data-id='{message['id']}']") or None, WAIT)
        conv = write(s_b, [CONVERSATION_NOTE], scope=".conversation")
        order = s_b.wait(lambda: (o := s_b.d.execute_script(
            "return [...document.querySelectorAll('ol.messages > li')].map((li) => li.dataset.noteId ? 'note:' + li.dataset.noteId : 'msg:' + li.dataset.id)"))
            and f"note:{conv['id']}" in o and o, WAIT) or []
        item = note(s_b, conv["id"], "ol.messages") if conv["id"] else None
        stored = s_http.get("/v1/notes", conversation_id=conversation["id"]).json().get("data", [])
        checks.check("in the inbox a note on the conversation is listed with its messages, after the message it follows, marked internal",
                     item is not None and order.index(f"note:{conv['id']}") > order.index(f"msg:{message['id']}") and item["label"] == "Internal note"
                     and CONVERSATION_NOTE in item["text"] and any(n["id"] == conv["id"] and n.get("conversation_id") == conversation["id"] for n in stored),
                     f"order {order}")
        conv_follow = s_b.wait(lambda: s_b.css(".conversation [data-action=follow][aria-pressed=true]") or None, WAIT)
        checks.check("the conversation's Follow is on for the note's author", bool(conv_follow), "")
        audit("notes: a conversation with a note", s_b)

    # --- Mark all read; preferences.
    l_b.go("/#/notifications")
    l_b.wait(lambda: l_b.css(".notification-list > li") or None, WAIT)
    every = len(l_b.d.execute_script(NOTIFICATIONS) or [])
    l_b.click("button[data-filter=unread]")
    unread_only = l_b.wait(lambda: (n := l_b.d.execute_script(NOTIFICATIONS)) and all(i["unread"] for i in n) and len(n) == l_http.unread() and n, WAIT) or []
    checks.check("'Unread' lists only the unread notifications (as many as the server counts), 'All' lists them all again",
                 bool(unread_only) and len(unread_only) < every, f"{len(unread_only)} unread of {every}, server {l_http.unread()}")
    l_b.click("button[data-filter=all]")
    l_b.wait(lambda: len(l_b.d.execute_script(NOTIFICATIONS) or []) == every or None, WAIT)
    l_b.click("[data-action=mark-all-read]")
    cleared = l_b.wait(lambda: not l_b.css(".notification-list > li.unread") and bell(l_b).get("unread") == 0 or None, WAIT)
    checks.check("'Mark all read' leaves no unread notification and the bell at 0 (the server agrees)",
                 bool(cleared) and l_http.unread() == 0, f"bell {bell(l_b)}, server {l_http.unread()}")
    box = l_b.visible("[data-form=notification-preferences] input[name='kinds.note_on_followed']")
    if box is None:
        checks.check("the notifications page has the preferences form (a checkbox per kind)", False, "no checkbox")
    else:
        if box.is_selected():
            box.click()
        l_b.click("[data-form=notification-preferences] button[type=submit]")
        said = l_b.wait(lambda: "Settings saved" in l_b.text("[data-form=notification-preferences] .form-message") or None, WAIT)
        prefs = l_http.get("/v1/notification-preferences").json()
        checks.check("the preferences form turns 'note on a followed customer' off (kept by the server)",
                     bool(said) and prefs.get("kinds", {}).get("note_on_followed") is False and prefs.get("kinds", {}).get("mention") is True, str(prefs))
    audit("notes: notifications page (all read, preferences)", l_b)

    # --- Chinese.
    language = l_b.visible(".lang-switch select")
    if language is not None:
        language.find_element(By.CSS_SELECTOR, "option[value='zh-CN']").click()
        zh = l_b.wait(lambda: l_b.h1() == "通知" and "通知" in (bell(l_b).get("label") or "") or None, WAIT)
        open_customer(l_b)
        label = l_b.wait(lambda: (n := note(l_b, first_id)) and n["label"] == "内部备注" and n, WAIT)
        checks.check("in Chinese the notifications page is 通知 and a note is marked 内部备注 (已编辑)",
                     bool(zh) and bool(label) and "已编辑" in l_b.text(f"{ACTIVITY} [data-note-id='{first_id}'] [data-action=note-revisions]"),
                     f"{l_b.h1()!r} {json.dumps(label or {}, ensure_ascii=False)[:120]}")
        audit("notes: customer 360 in Chinese (salesperson)", l_b)
        with colleagues.phone_width(l_b):
            l_b.go("/#/notifications")
            l_b.wait(lambda: l_b.css(".notification-list > li") or None, WAIT)
            colleagues.fits(l_b, checks, "the notifications page (in Chinese)")
            open_customer(l_b)
            l_b.wait(lambda: note(l_b, xss["id"]) or None, WAIT)
            colleagues.fits(l_b, checks, "the Customer 360 with its notes (in Chinese)")
            audit("notes: customer 360 with notes at 375 px (zh-CN)", l_b)
        l_b.d.execute_script("localStorage.setItem('rapport.locale', 'en')")


_lookups: dict = {}


def sales_id(api) -> str:
    if "sales" not in _lookups:
        _lookups["sales"] = next(d["id"] for d in api.get("/v1/departments")["data"] if d["key"] == "sales")
    return _lookups["sales"]


def service_dep_name(api) -> str:
    if "service" not in _lookups:
        _lookups["service"] = next(d["name"] for d in api.get("/v1/departments")["data"] if d["key"] == "service")
    return _lookups["service"]
